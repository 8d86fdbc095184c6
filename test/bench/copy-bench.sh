#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# copy-bench.sh: copy_file_range on a stria mount, offloaded to the OSS
# (OST_COPY) against the same copy done through the client, side by side in
# one run on one cluster.
#
#   test/bench/copy-bench.sh [-d DIR] [-s MIB] [-r ROUNDS]
#
#   -d DIR      where the cluster lives (default /tmp)
#   -s MIB      size of the file copied (default 1024)
#   -r ROUNDS   rounds; every figure is the median over them (default 3)
#
# tools/stria-local: 4 OSTs on 2 stria-oss (OST0000 and OST0002 on one,
# OST0001 and OST0003 on the other).  Three ways to copy a file striped
# -c 2 -S 1M, each timed with the destination's fsync and with caches
# dropped before it:
#   offload    copy_file_range, source and destination on OST0000+OST0002:
#              every extent pairs objects of one OSS, which copies them itself
#   fallback   copy_file_range, source on OST0001+OST0003: no pair is on one
#              OSS, the client answers EOPNOTSUPP and the kernel copies by
#              splice through the client (reads and writes over the network)
#   readwrite  dd bs=1M: read and write through the client, what a copy
#              without copy_file_range does
# Prints BENCH copy_PHASE MiB/s (medians) and RATIO copy_offload_vs_readwrite
# and copy_fallback_vs_readwrite (ratios of the medians).  Needs root, /dev/fuse and python3; exits 77
# without them.  STRIA_BUILD names the build directory (default build/).
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
build=${STRIA_BUILD:-$top/build}
base=/tmp
mib=1024
rounds=3

die() {
	echo "copy-bench: $*" >&2
	exit 1
}

skip() {
	echo "copy-bench: skipped: $*" >&2
	exit 77
}

while getopts "d:s:r:h" o; do
	case $o in
	d) base=$OPTARG ;;
	s) mib=$OPTARG ;;
	r) rounds=$OPTARG ;;
	*)
		sed -n '6,12s/^# \{0,1\}//p' "$0" >&2
		exit 2
		;;
	esac
done
[[ $mib =~ ^[0-9]+$ && $mib -ge 1 ]] || die "-s: whole MiB, at least 1"
[[ $rounds =~ ^[0-9]+$ && $rounds -ge 1 ]] || die "-r: a whole number, at least 1"
[[ -d $base ]] || die "-d: $base is not a directory"
[[ $(id -u) -eq 0 ]] || skip "needs root (it mounts and drops caches)"
[[ -c /dev/fuse ]] || skip "/dev/fuse is missing"
command -v python3 >/dev/null || skip "python3 is missing"
S=$build/tools/stria
for b in "$S" "$build/fuse-client/stria-fuse" "$build/mds/stria-mds" "$build/oss/stria-oss" \
	"$build/tools/mkfs.stria"; do
	[[ -x $b ]] || die "$b is missing: build stria first (cmake --build $build)"
done

W=$(mktemp -d "$(readlink -f "$base")/stria-copy-bench.XXXXXX")
STATE=$W/stria
M=$W/mnt
cleanup() {
	set +e
	STRIA_BUILD=$build "$top/tools/stria-local" down --dir "$STATE" >>"$W/stria-local.log" 2>&1 ||
		cat "$W/stria-local.log" >&2
	grep -qs " $M " /proc/mounts && umount -l "$M" # a dead mount fails mountpoint(1)
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Three consecutive free ports: stria-local's MDS port and its two OSSes'.
used=$(ss -Htan | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
for ((i = 0; i < 200; i++)); do
	port=$((20000 + RANDOM % 40000))
	grep -qxE "$port|$((port + 1))|$((port + 2))" <<<"$used" || break
done
STRIA_BUILD=$build "$top/tools/stria-local" up --osts 4 --dir "$STATE" --port "$port" "$M" \
	>>"$W/stria-local.log" 2>&1 || {
	cat "$W/stria-local.log" >&2
	die "stria-local up failed"
}
mkdir "$M/near" "$M/far"
"$S" setstripe -c 2 -S 1M -o 0,2 "$M/near" >/dev/null
"$S" setstripe -c 2 -S 1M -o 1,3 "$M/far" >/dev/null

# copy_file_range in a loop, as cp does, then fsync; the RPC counts prove the path.
CFR=$W/cfr.py
cat >"$CFR" <<'EOF'
import os, sys
s = os.open(sys.argv[1], os.O_RDONLY)
d = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
n = os.fstat(s).st_size
done = 0
while done < n:
    k = os.copy_file_range(s, d, n - done)
    if k == 0:
        break
    done += k
os.fsync(d)
if done != n:
    sys.exit("copied %d of %d bytes" % (done, n))
EOF
rpcs() { # OPCODE: how many the mount has sent
	python3 -c 'import os, sys
v = os.getxattr(sys.argv[1], "user.stria.rpcs").decode()
print(sum(int(l.split()[1]) for l in v.splitlines() if l.split()[0] == sys.argv[2]))' "$M" "$1"
}

dd if=/dev/urandom of="$M/near/src" bs=1M count="$mib" conv=fsync status=none
cp "$M/near/src" "$M/far/src"
echo "# copy-bench: $mib MiB striped -c 2 -S 1M, $rounds round(s), on $(df --output=fstype "$W" |
	tail -n 1)"

declare -A V
phases=(offload fallback readwrite)
for ((r = 1; r <= rounds; r++)); do
	for ((i = 0; i < 3; i++)); do
		p=${phases[(i + r) % 3]}
		rm -f "$M/near/dst"
		sync
		echo 3 >/proc/sys/vm/drop_caches
		c0=$(rpcs OST_COPY)
		t0=$EPOCHREALTIME
		case $p in
		offload) python3 "$CFR" "$M/near/src" "$M/near/dst" ;;
		fallback) python3 "$CFR" "$M/far/src" "$M/near/dst" ;;
		readwrite) dd if="$M/near/src" of="$M/near/dst" bs=1M conv=fsync status=none ;;
		esac
		t1=$EPOCHREALTIME
		c=$(($(rpcs OST_COPY) - c0))
		if [[ $p == offload ]]; then
			((c > 0)) || die "offload: no OST_COPY was sent"
		else
			((c == 0)) || die "$p: $c OST_COPY sent"
		fi
		cmp "$M/near/src" "$M/near/dst" || die "$p: the copy differs"
		V[$p,$r]=$(awk -v m="$mib" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", m / (b - a) }')
		echo "# round $r $p ${V[$p,$r]} MiB/s" >&2
	done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A med
for p in "${phases[@]}"; do
	med[$p]=$(for ((r = 1; r <= rounds; r++)); do echo "${V[$p,$r]}"; done | median)
	echo "BENCH copy_$p ${med[$p]} MiB/s"
done
for p in offload fallback; do
	awk -v p="$p" -v a="${med[$p]}" -v b="${med[readwrite]}" \
		'BEGIN { printf "RATIO copy_%s_vs_readwrite %.2f\n", p, a / b }'
done
