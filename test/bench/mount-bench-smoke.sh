#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Smoke test of the mount benchmark: a tiny run (8 MiB, half-second random
# phases, 100 files, one round) must print, with a number, every BENCH line
# (each target, each phase) and every RATIO line (each phase against
# passthrough_ll and against the disk).  It checks that the benchmark works,
# not how fast anything is: no thresholds.  Exits 77 where the benchmark
# skips (no /dev/fuse, not root, no fio, no passthrough_ll).
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

rc=0
"$here/mount-bench.sh" -s 8 -R 8 -t 0.5 -n 100 -r 1 >"$out" || rc=$?
[[ $rc -eq 77 ]] && exit 77
if [[ $rc -ne 0 ]]; then
	cat "$out"
	echo "FAIL: mount-bench.sh exited $rc" >&2
	exit 1
fi

num='[0-9]+(\.[0-9]+)?'
missing=0
for p in seqwrite_1j seqread_1j seqwrite_4j seqread_4j randwrite_4k_1j randread_4k_1j \
	randwrite_4k_4j randread_4k_4j create stat unlink mkdir rmdir; do
	for t in stria passthrough raw; do
		if ! grep -Eq "^BENCH mount $t $p $num (MiB/s|IOPS|ops/s)\$" "$out"; then
			echo "missing: BENCH mount $t $p <number> <unit>" >&2
			missing=1
		fi
	done
	for b in passthrough raw; do
		if ! grep -Eq "^RATIO mount ${p}_vs_$b $num\$" "$out"; then
			echo "missing: RATIO mount ${p}_vs_$b <number>" >&2
			missing=1
		fi
	done
done
if [[ $missing -ne 0 ]]; then
	cat "$out"
	echo "FAIL: mount-bench.sh did not print every figure" >&2
	exit 1
fi
echo "mount-bench printed all $(grep -Ec '^(BENCH|RATIO) ' "$out") BENCH/RATIO lines"
