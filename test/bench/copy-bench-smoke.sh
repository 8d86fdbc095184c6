#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Smoke test of the copy benchmark: an 8 MiB run, one round, must print a
# number for every BENCH line (offload, fallback, readwrite) and both RATIO
# lines.  copy-bench.sh itself fails when the offloaded copy sent no
# OST_COPY, when a fallback sent one, or when a copy differs from its
# source.  No thresholds.  Exits 77 where the benchmark skips.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
rc=0
out=$("$here/copy-bench.sh" -s 8 -r 1) || rc=$?
[[ $rc -eq 77 ]] && exit 77
echo "$out"
[[ $rc -eq 0 ]] || {
	echo "FAIL: copy-bench.sh exited $rc" >&2
	exit 1
}
num='[0-9]+(\.[0-9]+)?'
for p in offload fallback readwrite; do
	grep -Eq "^BENCH copy_$p $num MiB/s\$" <<<"$out" || {
		echo "FAIL: no BENCH copy_$p line" >&2
		exit 1
	}
done
for p in offload fallback; do
	grep -Eq "^RATIO copy_${p}_vs_readwrite $num\$" <<<"$out" || {
		echo "FAIL: no RATIO copy_${p}_vs_readwrite line" >&2
		exit 1
	}
done
echo "copy-bench smoke: ok"
