#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Aggregate throughput against the number of stripes: one client writes
# (fsync included) and reads back a file striped over 1, 2 and 4 OSTs, each
# OST on an OSS of its own, in a network namespace of its own whose link is
# shaped by tbf (test/lib/netns.sh), so each OSS is a separate host with a
# separate link; the client's own link is not shaped.  Prints, on stdout:
#
#   BENCH scaling stripes=N MiB/s=X          write + fsync, median of the rounds
#   BENCH scaling_read stripes=N MiB/s=X     read after dropping the client's cache
#   RATIO scaling_4v1 X                      4-stripe over 1-stripe write, this run
#   RATIO scaling_read_4v1 X
#
#   test/bench/scaling.sh                    # root, /dev/fuse, ip netns
#
# Environment:
#   STRIA_BUILD      the build directory (default: build/ beside test/)
#   SCALING_RATE     each OSS link, tc units (default 500mbit, see below)
#   SCALING_MIB      MiB per file (default 256)
#   SCALING_ROUNDS   rounds; each reports its median (default 3)
#   SCALING_DAT=FILE also write "stripes write_MiB/s read_MiB/s" rows for gnuplot
#
# Why 500 Mbit/s and not 10 Gbit/s: on the 2-core machine this runs on, one
# stria-fuse client writes about 300 MB/s unshaped (the CPU, not a link, is
# the limit), so links of 1 Gbit/s or more would all measure the CPU.
# Four 500 Mbit/s links (about 240 MiB/s together) stay below that ceiling,
# so the figures show what striping over separate links gives.  On bigger
# machines set SCALING_RATE=10gbit.
#
# Exit status: 0, 1 (a step failed: the fixture's logs on stderr), 77 (no
# root, /dev/fuse or ip netns).
here=$(cd "$(dirname "$0")" && pwd)
export STRIA_BUILD=${STRIA_BUILD:-$here/../../build}
. "$here/../lib/netns.sh"
RATE=${SCALING_RATE:-500mbit}
MIB=${SCALING_MIB:-256}
ROUNDS=${SCALING_ROUNDS:-3}
STRIPES=(1 2 4)
[[ $MIB =~ ^[1-9][0-9]*$ && $ROUNDS =~ ^[1-9][0-9]*$ ]] ||
	{ echo "scaling.sh: SCALING_MIB and SCALING_ROUNDS must be positive numbers" >&2; exit 2; }

nx_init
nx_node mds
fx_mkfs_mdt mdt0
fx_start_mds mds "${NX_IP[mds]}" mdt0
for i in 0 1 2 3; do
	nx_node "oss$i"
	fx_mkfs_ost "ost$i" "$i"
	fx_start_oss "oss$i" "${NX_IP[oss$i]}" "ost$i"
	nx_shape "oss$i" "$RATE"
done
nx_node c1
fx_mount c1
M=$FX_DIR/c1
fx_wait_osts "$M" 4
echo "scaling: 4 OSSes, each link $RATE (tbf); $MIB MiB per file; $ROUNDS round(s)" >&2

# MiB/s of moving MIB MiB in NS nanoseconds.
rate() { awk -v m="$MIB" -v ns="$1" 'BEGIN { printf "%.1f", m / (ns / 1e9) }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A W R
for ((r = 1; r <= ROUNDS; r++)); do
	for n in "${STRIPES[@]}"; do
		f=$M/s$n-r$r
		"$STRIA_BUILD/tools/stria" setstripe -c "$n" -S 1M "$f" >/dev/null ||
			fx_fail "setstripe -c $n"
		t0=$(date +%s%N)
		dd if=/dev/zero of="$f" bs=4M count=$((MIB / 4 > 0 ? MIB / 4 : 1)) conv=fsync \
			status=none || fx_fail "writing $f"
		t1=$(date +%s%N)
		echo 3 >/proc/sys/vm/drop_caches
		t2=$(date +%s%N)
		dd if="$f" of=/dev/null bs=4M status=none || fx_fail "reading $f"
		t3=$(date +%s%N)
		W[$n]+="$(rate $((t1 - t0))) "
		R[$n]+="$(rate $((t3 - t2))) "
		rm -f "$f"
		echo "scaling: round $r stripes=$n write $(rate $((t1 - t0))) read $(rate $((t3 - t2))) MiB/s" >&2
	done
done
[[ -n "${SCALING_DAT:-}" ]] && echo "# stripes write_MiB/s read_MiB/s (links $RATE)" >"$SCALING_DAT"
for n in "${STRIPES[@]}"; do
	w=$(tr ' ' '\n' <<<"${W[$n]}" | grep . | median)
	rd=$(tr ' ' '\n' <<<"${R[$n]}" | grep . | median)
	W[$n]=$w
	R[$n]=$rd
	echo "BENCH scaling stripes=$n MiB/s=$w"
	echo "BENCH scaling_read stripes=$n MiB/s=$rd"
	[[ -n "${SCALING_DAT:-}" ]] && echo "$n $w $rd" >>"$SCALING_DAT"
done
awk -v a="${W[4]}" -v b="${W[1]}" 'BEGIN { printf "RATIO scaling_4v1 %.2f\n", a / b }'
awk -v a="${R[4]}" -v b="${R[1]}" 'BEGIN { printf "RATIO scaling_read_4v1 %.2f\n", a / b }'
fx_umount c1
fx_pass
