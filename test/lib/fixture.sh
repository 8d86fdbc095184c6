# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# The integration-test fixture: format targets in a temporary directory, run
# real stria daemons on loopback, wait until they serve, stop, kill -9 and
# restart them, and show their logs when a test fails.
#
# Usage, in a bash test script:
#
#   . "$(dirname "$0")/../../lib/fixture.sh"
#   fx_init                                  # temp dir, binaries, cleanup trap
#   fx_mkfs_mdt mdt0                         # $FX_DIR/mdt0
#   fx_mkfs_ost ost0 0                       # $FX_DIR/ost0, index 0
#   fx_start_mds mds 127.0.0.2 mdt0          # name, address, target dirs
#   fx_start_oss oss1 127.0.0.3 ost0 ost1
#   fx_kill oss1; fx_restart oss1            # kill -9, then the same command again
#   fx_stop oss1                             # SIGTERM, and it must exit 0
#   fx_pass / fx_fail "why" / fx_skip "why"  # exit 0 / 1 (with logs) / 77
#
# Environment:
#   STRIA_BUILD     build directory holding the binaries (set by CTest)
#   FX_PORT         the port every daemon of the test uses (default: a free one)
#   FX_KEEP=1       keep $FX_DIR after the test
#   FX_WRAP[NAME]   a command prefix for daemon or mount NAME, e.g.
#                   "nsenter --net=/run/netns/X" to run it in a network
#                   namespace (test/lib/netns.sh sets it); fx_spawn, fx_restart
#                   and fx_mount use it, and fx_spawn probes the port through it
#
# Daemons listen on distinct 127.0.0.x addresses and one port, as the brief
# says several daemons on one host do.  Every daemon's output goes to
# $FX_DIR/NAME.log; fx_fail prints them all.

FX_DIR=
FX_NAMES=()
declare -A FX_PID FX_CMD FX_ADDR FX_WRAP

fx_log() { echo "fixture: $*" >&2; }

fx_init() {
	: "${STRIA_BUILD:?STRIA_BUILD must name the build directory}"
	FX_DIR=$(mktemp -d /tmp/stria-test.XXXXXX)
	FX_MKFS="$STRIA_BUILD/tools/mkfs.stria"
	FX_OSS="$STRIA_BUILD/oss/stria-oss"
	FX_MDS="$STRIA_BUILD/mds/stria-mds"
	FX_PORT=${FX_PORT:-$(fx_free_port)}
	FX_MGSNODE=${FX_MGSNODE:-127.0.0.2@tcp}
	trap fx_cleanup EXIT
	trap 'fx_fail "interrupted"' INT TERM
}

# A TCP port nobody listens on, on any address (the daemons use several
# 127.0.0.x addresses, so probing 127.0.0.1 alone is not enough).
fx_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])'
}

fx_mkfs_ost() { # NAME INDEX [extra mkfs args]
	local name=$1 index=$2
	shift 2
	"$FX_MKFS" --ost --fsname "${FX_FSNAME:-testfs}" --index "$index" \
		--mgsnode "$FX_MGSNODE" --mgsport "$FX_PORT" -q "$@" "$FX_DIR/$name" ||
		fx_fail "mkfs.stria --ost $name failed"
}

fx_mkfs_mdt() { # NAME [extra mkfs args]
	local name=$1
	shift
	"$FX_MKFS" --mdt --fsname "${FX_FSNAME:-testfs}" --index 0 -q "$@" "$FX_DIR/$name" ||
		fx_fail "mkfs.stria --mdt $name failed"
}

# Waits until something accepts TCP connections on ADDR:PORT (10 s); with
# WRAP (a command prefix such as nsenter --net=...), probes through it.
fx_wait_port() {
	local addr=$1 port=$2 wrap=${3:-} i
	for ((i = 0; i < 200; i++)); do
		if [[ -n "$wrap" ]]; then
			$wrap bash -c "exec 3<>/dev/tcp/$addr/$port" 2>/dev/null && return 0
		elif (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# Starts daemon NAME (command in the rest of the arguments) in the background
# and waits until it says it listens on ADDR (an open port alone could be
# someone else's).
fx_spawn() {
	local name=$1 addr=$2 log i before
	shift 2
	FX_CMD[$name]="$*"
	FX_ADDR[$name]=$addr
	log="$FX_DIR/$name.log"
	before=$(grep -c "listening on $addr@tcp port $FX_PORT" "$log" 2>/dev/null)
	${FX_WRAP[$name]:-} "$@" >>"$log" 2>&1 &
	FX_PID[$name]=$!
	[[ " ${FX_NAMES[*]} " == *" $name "* ]] || FX_NAMES+=("$name")
	for ((i = 0; i < 200; i++)); do
		kill -0 "${FX_PID[$name]}" 2>/dev/null || fx_fail "$name exited at start-up"
		if [[ $(grep -c "listening on $addr@tcp port $FX_PORT" "$log" 2>/dev/null) -gt ${before:-0} ]] &&
			fx_wait_port "$addr" "$FX_PORT" "${FX_WRAP[$name]:-}"; then
			return 0
		fi
		sleep 0.05
	done
	fx_fail "$name did not start listening on $addr:$FX_PORT"
}

fx_start_oss() { # NAME ADDR TARGET...
	local name=$1 addr=$2 dirs=() t
	shift 2
	for t in "$@"; do dirs+=("$FX_DIR/$t"); done
	fx_spawn "$name" "$addr" "$FX_OSS" --listen "$addr@tcp" --port "$FX_PORT" \
		${FX_KEYFILE:+--key "$FX_KEYFILE"} "${dirs[@]}"
}

fx_start_mds() { # NAME ADDR TARGET
	local name=$1 addr=$2
	fx_spawn "$name" "$addr" "$FX_MDS" --listen "$addr@tcp" --port "$FX_PORT" \
		${FX_KEYFILE:+--key "$FX_KEYFILE"} ${FX_MDS_ARGS:-} "$FX_DIR/$3"
}

fx_pid() { echo "${FX_PID[$1]}"; }

# kill -9: the daemon gets no chance to clean up (a crash).
fx_kill() {
	local name=$1
	kill -9 "${FX_PID[$name]}" 2>/dev/null
	wait "${FX_PID[$name]}" 2>/dev/null
	FX_PID[$name]=
}

# SIGTERM: a clean shutdown, which must exit 0.
fx_stop() {
	local name=$1 rc
	kill -TERM "${FX_PID[$name]}" 2>/dev/null
	wait "${FX_PID[$name]}"
	rc=$?
	FX_PID[$name]=
	[[ $rc -eq 0 ]] || fx_fail "$name exited $rc on SIGTERM"
}

# Starts NAME again with the command it was first started with.
fx_restart() {
	local name=$1
	# shellcheck disable=SC2086
	fx_spawn "$name" "${FX_ADDR[$name]}" ${FX_CMD[$name]}
}

fx_dump_logs() {
	local n
	for n in "${FX_NAMES[@]}"; do
		echo "----- $n.log -----" >&2
		tail -n 60 "$FX_DIR/$n.log" >&2
	done
}

# Thread stacks of every daemon still running (gdb, when installed): a test
# that failed on a timeout shows where each daemon was waiting.
fx_dump_stacks() {
	local n pid
	command -v gdb >/dev/null || return 0
	for n in "${FX_NAMES[@]}"; do
		pid=${FX_PID[$n]:-}
		[[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || continue
		echo "----- $n (pid $pid) thread stacks -----" >&2
		timeout 30 gdb -p "$pid" -batch -nx -ex "set pagination off" \
			-ex "thread apply all bt 20" 2>/dev/null |
			grep -E '^(Thread|#)' | head -n 400 >&2
	done
}

fx_cleanup() {
	local n
	for n in "${FX_NAMES[@]}"; do
		[[ -n "${FX_PID[$n]}" ]] && kill -9 "${FX_PID[$n]}" 2>/dev/null
	done
	wait 2>/dev/null
	[[ -n "${FX_CLEANUP_HOOK:-}" ]] && $FX_CLEANUP_HOOK
	if [[ -n "$FX_DIR" && "${FX_KEEP:-0}" != 1 ]]; then
		rm -rf "$FX_DIR"
	fi
}

fx_pass() {
	exit 0
}

fx_fail() {
	echo "FAIL: $*" >&2
	fx_dump_logs
	fx_dump_stacks
	exit 1
}

fx_skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# Runs a command; fails the test with its output if it fails.
fx_run() {
	local out
	if ! out=$("$@" 2>&1); then
		echo "$out" >&2
		fx_fail "command failed: $*"
	fi
	[[ -n "$out" ]] && echo "$out"
	return 0
}

# ---- FUSE mounts (fuse-client) ---------------------------------------------
#
#   fx_need_fuse                     # skip (77) when /dev/fuse is missing
#   fx_mount m1 [OPTS]               # mounts testfs at $FX_DIR/m1 (foreground
#                                    # stria-fuse in the background, log m1.log)
#   fx_umount m1                     # fusermount3 -u, and the daemon must exit
#
# Mounts are unmounted by the cleanup trap too (lazily if busy).

FX_MOUNTS=()

fx_need_fuse() {
	[[ -c /dev/fuse ]] || fx_skip "/dev/fuse is missing"
	command -v fusermount3 >/dev/null || fx_skip "fusermount3 is missing"
}

fx_mount() { # NAME [OPTS]
	local name=$1 opts=${2:-} mnt i
	mnt="$FX_DIR/$name"
	mkdir -p "$mnt"
	${FX_WRAP[$name]:-} "$STRIA_BUILD/fuse-client/stria-fuse" "${FX_MGSNODE}:/${FX_FSNAME:-testfs}" "$mnt" -f \
		-o "port=$FX_PORT${FX_KEYFILE:+,key=$FX_KEYFILE}${opts:+,$opts}" \
		>>"$FX_DIR/$name.log" 2>&1 &
	FX_PID[$name]=$!
	[[ " ${FX_NAMES[*]} " == *" $name "* ]] || FX_NAMES+=("$name")
	FX_MOUNTS+=("$mnt")
	FX_CLEANUP_HOOK=${FX_CLEANUP_HOOK:-fx_umount_all}
	for ((i = 0; i < 400; i++)); do
		if mountpoint -q "$mnt"; then
			return 0
		fi
		kill -0 "${FX_PID[$name]}" 2>/dev/null || fx_fail "stria-fuse $name exited"
		sleep 0.05
	done
	fx_fail "mount $name did not come up"
}

fx_umount() { # NAME
	local name=$1 mnt="$FX_DIR/$1" i
	fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null ||
		fx_fail "cannot unmount $name"
	for ((i = 0; i < 200; i++)); do
		kill -0 "${FX_PID[$name]}" 2>/dev/null || break
		sleep 0.05
	done
	# An unmounted client exits: one that does not would hang the test.
	if kill -0 "${FX_PID[$name]}" 2>/dev/null; then
		kill -9 "${FX_PID[$name]}" 2>/dev/null
		wait "${FX_PID[$name]}" 2>/dev/null
		FX_PID[$name]=
		fx_fail "stria-fuse for $name did not exit within 10 s of its unmount"
	fi
	wait "${FX_PID[$name]}" 2>/dev/null
	FX_PID[$name]=
}

# True if MNT is in the mount table.  Not mountpoint(1): it stats MNT, and a
# FUSE mount whose daemon the cleanup has just killed answers ENOTCONN, so a
# dead mount would be left behind.
fx_is_mounted() { # MNT
	awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts
}

fx_umount_all() {
	local m
	for m in "${FX_MOUNTS[@]}"; do
		fx_is_mounted "$m" && { fusermount3 -uz "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; }
	done
	return 0
}

# Starts the usual small cluster: one MDS (127.0.0.2) and one OSS (127.0.0.3)
# serving NOST OSTs (default 4).
fx_cluster() { # [NOST]
	local n=${1:-4} i osts=()
	fx_mkfs_mdt mdt0
	for ((i = 0; i < n; i++)); do
		fx_mkfs_ost "ost$i" "$i"
		osts+=("ost$i")
	done
	fx_start_mds mds 127.0.0.2 mdt0
	fx_start_oss oss1 127.0.0.3 "${osts[@]}"
}

# Waits until the mount MNT sees N OSTs answering statfs (they register by themselves).
fx_wait_osts() { # MNT N
	local mnt=$1 n=$2 i
	for ((i = 0; i < 200; i++)); do
		[[ $("$STRIA_BUILD/test/integration/fuse/fc_tool" statfs "$mnt" 2>/dev/null |
			grep -c -- '-OST.* 0 ') -ge $n ]] && return 0
		sleep 0.1
	done
	fx_fail "$mnt does not see $n OSTs"
}
