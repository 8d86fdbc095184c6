#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# mount-bench.sh: a stria mount against libfuse's passthrough_ll over the
# same disk and against that disk itself, side by side in one run.
#
#   test/bench/mount-bench.sh [-d DIR] [-s MIB] [-R MIB] [-t SEC] [-n FILES]
#                             [-j THREADS] [-r ROUNDS] [-c STRIPES] [-S SIZE]
#
#   -d DIR      the disk: everything lives in one new directory under DIR
#               (default /tmp): stria's MDT and OSTs, passthrough_ll's source
#               directory and the raw-disk directory
#   -s MIB      data per sequential phase (default 1024; 4 jobs write MIB/4 each)
#   -R MIB      the file the 4 KiB random phases work on (default 256)
#   -t SEC      duration of each random phase (default 5)
#   -n FILES    files of the metadata phases (default 15000; as many directories).
#               passthrough_ll holds an O_PATH fd for every inode the kernel
#               knows, so it fails (EMFILE) near the hard fd limit (20,000 on
#               our machines) with that many files in one directory
#   -j THREADS  threads of the metadata phases (default 1)
#   -r ROUNDS   rounds; every figure is the median over them (default 3)
#   -c STRIPES  stripe count of stria's fio directory (default 4 = every OST)
#   -S SIZE     its stripe size (default 1M)
#
# The three targets, each measured by the same programs:
#   stria        tools/stria-local: one MDS, 4 OSTs served by 2 stria-oss, and
#                one stria-fuse mount with its default options
#   passthrough  libfuse's passthrough_ll (built from libfuse3-dev's example,
#                target passthrough_ll) with its default options; the O_DIRECT
#                phases use a second passthrough_ll mount with -o cache=never
#                (see below)
#   raw          a directory on the disk itself
# Phases (fio, psync engine, fallocate=none; writes end with end_fsync=1;
# caches are dropped before every phase: sync; echo 3 > drop_caches):
#   seqwrite_1j / seqread_1j    1 MiB sequential, one job, MIB MiB
#   seqwrite_4j / seqread_4j    1 MiB sequential, 4 jobs, one file each
#   randwrite_4k_1j / _4j       4 KiB random writes, O_DIRECT, 1 or 4 jobs on
#   randread_4k_1j  / _4j       one file of -R MiB, for -t seconds each
#   create stat unlink mkdir rmdir   stria-md-rate -D in one directory
# O_DIRECT: stria and the raw disk open with O_DIRECT.  passthrough_ll passes
# O_DIRECT on to the file it opens underneath and then writes from
# unaligned buffers (EINVAL), so its O_DIRECT phases run buffered on a
# cache=never mount instead: every I/O reaches the daemon uncached, as
# O_DIRECT on stria reaches the OSTs (which write to their disk buffered).
#
# Per round the targets alternate phase by phase (their order rotating), and
# each printed figure is the median over the rounds:
#   BENCH mount TARGET PHASE VALUE UNIT            (MiB/s, IOPS or ops/s)
#   RATIO mount PHASE_vs_passthrough VALUE         stria / passthrough_ll
#   RATIO mount PHASE_vs_raw VALUE                 stria / raw disk
# Targets: seq*_vs_passthrough >= 0.9, create_vs_passthrough >= 0.5.
# Needs root (mounts, drop_caches), /dev/fuse and fio; exits 77 without them.
# STRIA_BUILD names the build directory (default: build/ in the source tree).
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
build=${STRIA_BUILD:-$top/build}
base=/tmp
seq_mib=1024
rand_mib=256
rand_sec=5
nfiles=15000
md_threads=1
rounds=3
stripes=4
stripe_size=1M

die() {
	echo "mount-bench: $*" >&2
	exit 1
}

skip() {
	echo "mount-bench: skipped: $*" >&2
	exit 77
}

usage() {
	sed -n '6,23s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

number() { # OPTION VALUE: a positive number (fractions allowed)
	if [[ ! $2 =~ ^[0-9]+(\.[0-9]+)?$ ]] || ! awk -v v="$2" 'BEGIN { exit !(v > 0) }'; then
		die "$1: '$2' is not a positive number"
	fi
}

while getopts "d:s:R:t:n:j:r:c:S:h" o; do
	case $o in
	d) base=$OPTARG ;;
	s) number -s "$OPTARG" && seq_mib=$OPTARG ;;
	R) number -R "$OPTARG" && rand_mib=$OPTARG ;;
	t) number -t "$OPTARG" && rand_sec=$OPTARG ;;
	n) number -n "$OPTARG" && nfiles=$OPTARG ;;
	j) number -j "$OPTARG" && md_threads=$OPTARG ;;
	r) number -r "$OPTARG" && rounds=$OPTARG ;;
	c) stripes=$OPTARG ;;
	S) stripe_size=$OPTARG ;;
	*) usage ;;
	esac
done
[[ $OPTIND -gt $# ]] || usage
[[ $seq_mib =~ ^[0-9]+$ && $seq_mib -ge 4 ]] || die "-s: whole MiB, at least 4"
[[ $rand_mib =~ ^[0-9]+$ ]] || die "-R: whole MiB"
[[ $rounds =~ ^[0-9]+$ && $nfiles =~ ^[0-9]+$ && $md_threads =~ ^[0-9]+$ ]] ||
	die "-r, -n and -j take whole numbers"
[[ -d $base ]] || die "-d: $base is not a directory"

[[ $(id -u) -eq 0 ]] || skip "needs root (it mounts and drops caches)"
[[ -c /dev/fuse ]] || skip "/dev/fuse is missing"
command -v fusermount3 >/dev/null || skip "fusermount3 is missing"
command -v fio >/dev/null || skip "fio is missing (tools/install-deps installs it)"
pt_bin=$build/test/bench/passthrough_ll
md_bin=$build/test/bench/stria-md-rate
[[ -x $pt_bin ]] || skip "$pt_bin is missing (cmake --build $build --target passthrough_ll;" \
	"it needs libfuse3-dev's examples)"
for b in "$md_bin" "$build/tools/stria" "$build/fuse-client/stria-fuse" "$build/mds/stria-mds" \
	"$build/oss/stria-oss" "$build/tools/mkfs.stria"; do
	[[ -x $b ]] || die "$b is missing: build stria first (cmake --build $build)"
done

# ---- the three targets ------------------------------------------------------

W=$(mktemp -d "$(readlink -f "$base")/stria-mount-bench.XXXXXX")
S_STATE=$W/stria
S_MNT=$W/stria-mnt
PT_SRC=$W/pt-src
PT_MNT=$W/pt-mnt
PT_DMNT=$W/pt-direct
RAW=$W/raw
pt_pids=()

cleanup() {
	local m p
	set +e
	for m in "$PT_MNT" "$PT_DMNT"; do
		mountpoint -q "$m" && { fusermount3 -u "$m" || umount -l "$m"; }
	done
	for p in "${pt_pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [[ -d $S_STATE ]]; then
		STRIA_BUILD=$build "$top/tools/stria-local" down --dir "$S_STATE" >>"$W/stria-local.log" 2>&1 ||
			cat "$W/stria-local.log" >&2
	fi
	grep -qs " $S_MNT " /proc/mounts && umount -l "$S_MNT" # a dead mount fails mountpoint(1)
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Three consecutive ports nobody uses: stria-local's MDS port and its two OSSes'.
free_ports() {
	local used p i
	used=$(ss -Htan | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 40000))
		grep -qxE "$p|$((p + 1))|$((p + 2))" <<<"$used" || {
			echo "$p"
			return 0
		}
	done
	return 1
}

start_stria() {
	local port n
	port=$(free_ports) || die "no free ports for stria-local"
	STRIA_BUILD=$build "$top/tools/stria-local" up --osts 4 --dir "$S_STATE" --port "$port" \
		"$S_MNT" >>"$W/stria-local.log" 2>&1 || {
		cat "$W/stria-local.log" "$S_STATE"/*.log >&2
		die "stria-local up failed"
	}
	n=$("$build/tools/stria" df "$S_MNT" | grep -c 'OST:')
	[[ $n -eq 4 ]] || die "the stria mount sees $n OSTs, not 4"
	mkdir "$S_MNT/fio" "$S_MNT/md"
	"$build/tools/stria" setstripe -c "$stripes" -S "$stripe_size" "$S_MNT/fio" ||
		die "setstripe -c $stripes -S $stripe_size failed"
}

mount_pt() { # MOUNTPOINT [OPTS]
	local mnt=$1 opts=${2:+,$2} i
	mkdir -p "$mnt"
	"$pt_bin" -f -o "source=$PT_SRC$opts" "$mnt" >>"$W/passthrough.log" 2>&1 &
	pt_pids+=($!)
	for ((i = 0; i < 200; i++)); do
		mountpoint -q "$mnt" && return 0
		sleep 0.05
	done
	cat "$W/passthrough.log" >&2
	die "passthrough_ll did not mount $mnt"
}

mkdir -p "$PT_SRC/fio" "$PT_SRC/md" "$RAW/fio" "$RAW/md"
start_stria
mount_pt "$PT_MNT"
mount_pt "$PT_DMNT" cache=never

targets=(stria passthrough raw)
declare -A data_dir direct_dir md_dir direct_flag
data_dir=([stria]=$S_MNT/fio [passthrough]=$PT_MNT/fio [raw]=$RAW/fio)
direct_dir=([stria]=$S_MNT/fio [passthrough]=$PT_DMNT/fio [raw]=$RAW/fio)
direct_flag=([stria]=1 [passthrough]=0 [raw]=1)
md_dir=([stria]=$S_MNT/md [passthrough]=$PT_MNT/md [raw]=$RAW/md)

fstype=$(df --output=fstype "$W" | tail -n 1)
device=$(df --output=source "$W" | tail -n 1)
echo "# mount-bench: disk $W ($fstype on $device), $rounds round(s)"
echo "# stria: 1 MDS, 4 OSTs on 2 stria-oss, stria-fuse defaults; fio directory" \
	"striped -c $stripes -S $stripe_size, metadata directory default layout (1 stripe)"
echo "# passthrough: libfuse passthrough_ll defaults; O_DIRECT phases on -o cache=never"
echo "# sequential ${seq_mib} MiB per phase, random 4 KiB over ${rand_mib} MiB for ${rand_sec} s," \
	"metadata $nfiles files/dirs with $md_threads thread(s)"

# ---- measuring --------------------------------------------------------------

drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# fio_run DIR NAME RW BS JOBS MIB DIRECT SECONDS: MiB/s (1 MiB) or IOPS (4 KiB).
fio_run() {
	local dir=$1 name=$2 rw=$3 bs=$4 jobs=$5 mib=$6 direct=$7 secs=$8 field out
	local args=(--name="$name" --directory="$dir" --rw="$rw" --bs="$bs" --numjobs="$jobs"
		--direct="$direct" --ioengine=psync --fallocate=none --group_reporting
		--output-format=terse --terse-version=3)
	if [[ $secs == 0 ]]; then
		args+=(--size="$((mib / jobs))M")
	else # all jobs on one laid-out file, for SECONDS
		args+=(--filename=rand.dat --size="${mib}M" --time_based
			--runtime="$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')ms")
	fi
	[[ $rw == *write ]] && args+=(--end_fsync=1)
	# terse v3: 7/8 read KiB/s and IOPS, 48/49 write KiB/s and IOPS
	case $rw in
	read) field=7 ;;
	randread) field=8 ;;
	write) field=48 ;;
	randwrite) field=49 ;;
	esac
	drop_caches
	out=$(fio "${args[@]}" 2>"$W/fio.err") || {
		cat "$W/fio.err" >&2
		die "fio $name $rw in $dir failed"
	}
	awk -F';' -v f="$field" -v bs="$bs" 'NF > 50 {
		printf "%.1f\n", bs == "1M" ? $f / 1024 : $f }' <<<"$out"
}

declare -A V # V[target,phase,round] = value

record() { # TARGET PHASE ROUND VALUE UNIT
	[[ $4 =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "$1 $2: no figure ('$4')"
	V[$1,$2,$3]=$4
	echo "# round $3 $2 $1 $4 $5" >&2
}

rotated() { # ROUND: the targets, rotated by ROUND
	local r=$1 i n=${#targets[@]}
	for ((i = 0; i < n; i++)); do echo "${targets[(i + r) % n]}"; done
}

seq_phases=(seqwrite_1j seqread_1j seqwrite_4j seqread_4j)
rand_phases=(randwrite_4k_1j randread_4k_1j randwrite_4k_4j randread_4k_4j)
md_phases=(create stat unlink mkdir rmdir)
declare -A unit
for p in "${seq_phases[@]}"; do unit[$p]=MiB/s; done
for p in "${rand_phases[@]}"; do unit[$p]=IOPS; done
for p in "${md_phases[@]}"; do unit[$p]=ops/s; done

for ((r = 1; r <= rounds; r++)); do
	mapfile -t order < <(rotated "$r")
	for j in 1 4; do
		for t in "${order[@]}"; do
			rm -f "${data_dir[$t]}"/seq*
			record "$t" "seqwrite_${j}j" "$r" \
				"$(fio_run "${data_dir[$t]}" "seq$j" write 1M "$j" "$seq_mib" 0 0)" MiB/s
		done
		for t in "${order[@]}"; do
			record "$t" "seqread_${j}j" "$r" \
				"$(fio_run "${data_dir[$t]}" "seq$j" read 1M "$j" "$seq_mib" 0 0)" MiB/s
		done
		for t in "${order[@]}"; do rm -f "${data_dir[$t]}"/seq*; done
	done
	# The random file is laid out once per round, buffered and untimed.
	for t in "${order[@]}"; do
		rm -f "${data_dir[$t]}/rand.dat"
		fio --name=layout --filename="${data_dir[$t]}/rand.dat" --rw=write --bs=1M \
			--size="${rand_mib}M" --fallocate=none --end_fsync=1 >/dev/null ||
			die "laying out $t's random file failed"
	done
	for j in 1 4; do
		for rw in randwrite randread; do
			for t in "${order[@]}"; do
				record "$t" "${rw}_4k_${j}j" "$r" \
					"$(fio_run "${direct_dir[$t]}" "rand$j" "$rw" 4k "$j" "$rand_mib" \
						"${direct_flag[$t]}" "$rand_sec")" IOPS
			done
		done
	done
	for t in "${order[@]}"; do rm -f "${data_dir[$t]}/rand.dat"; done
	for t in "${order[@]}"; do
		d=${md_dir[$t]}/r$r
		mkdir "$d"
		out=$("$md_bin" -n "$nfiles" -t "$md_threads" -D -p "$t" "$d") ||
			die "stria-md-rate on $t failed"
		for p in "${md_phases[@]}"; do
			record "$t" "$p" "$r" "$(awk -v p="$p" '$1 == "BENCH" && $3 == p { print $4 }' \
				<<<"$out")" ops/s
		done
		rmdir "$d"
	done
done

# ---- reporting --------------------------------------------------------------

median() { # numbers on stdin
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		printf "%.4f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

values() { # TARGET PHASE
	local r
	for ((r = 1; r <= rounds; r++)); do echo "${V[$1,$2,$r]}"; done
}

ratios() { # PHASE BASELINE: stria / BASELINE per round
	local r
	for ((r = 1; r <= rounds; r++)); do
		awk -v a="${V[stria,$1,$r]}" -v b="${V[$2,$1,$r]}" 'BEGIN { if (b > 0) print a / b }'
	done
}

declare -A R
for p in "${seq_phases[@]}" "${rand_phases[@]}" "${md_phases[@]}"; do
	for t in "${targets[@]}"; do
		printf 'BENCH mount %s %s %.0f %s\n' "$t" "$p" "$(values "$t" "$p" | median)" "${unit[$p]}"
	done
done
for p in "${seq_phases[@]}" "${rand_phases[@]}" "${md_phases[@]}"; do
	for b in passthrough raw; do
		R[$p,$b]=$(ratios "$p" "$b" | median) || die "no ratio for $p against $b"
		printf 'RATIO mount %s_vs_%s %.2f\n' "$p" "$b" "${R[$p,$b]}"
	done
done
target_line() { # NAME MIN
	local v=${R[$1,passthrough]}
	if awk -v v="$v" -v m="$2" 'BEGIN { exit !(v >= m) }'; then
		printf '# target %s_vs_passthrough >= %s: met (%.2f)\n' "$1" "$2" "$v"
	else
		printf '# target %s_vs_passthrough >= %s: MISSED (%.2f)\n' "$1" "$2" "$v"
	fi
}
for p in "${seq_phases[@]}"; do target_line "$p" 0.9; done
target_line create 0.5
