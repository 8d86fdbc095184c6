#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Two clients on two hosts write different files at the same time, in one
# shared directory and with layouts of 1 and 2 stripes and odd sizes: every
# file holds exactly what its writer wrote (pattern and sha256), read from
# the other client after close (close-to-open) and from its own; the
# namespace checks clean.
. "$(dirname "$0")/cluster.sh"
nx_cluster
NFILES=${NFILES:-12}
mkdir "$C1/shared" "$C1/one" || fx_fail "mkdir"
"$T" setstripe "$C1/one" 1 65536 -1 || fx_fail "setstripe"

# writer CLIENT SEEDBASE: pattern files of growing odd sizes in shared/ and
# one/, and random files (dd) with their sha256 in $FX_DIR/CLIENT.sums.
writer() {
	local c=$1 base=$2 mnt=$FX_DIR/$1 i size
	for ((i = 1; i <= NFILES; i++)); do
		size=$((i * 333333 + base))
		"$T" pattern write "$mnt/shared/$c-$i" 0 "$size" $((base + i)) || exit 1
		"$T" pattern write "$mnt/one/$c-$i" 0 "$size" $((base + i + 500)) || exit 1
		dd if=/dev/urandom of="$FX_DIR/$c.src" bs=64k count=$((i * 7)) status=none &&
			dd if="$FX_DIR/$c.src" of="$mnt/shared/$c-rnd-$i" bs=100000 conv=fsync status=none ||
			exit 1
		echo "$(sha256sum <"$FX_DIR/$c.src" | cut -d' ' -f1) shared/$c-rnd-$i" >>"$FX_DIR/$c.sums"
	done
}
writer c1 1000 &
w1=$!
writer c2 2000 &
w2=$!
wait $w1 || fx_fail "client c1's writes failed"
wait $w2 || fx_fail "client c2's writes failed"

for c in c1 c2; do
	base=$([[ $c == c1 ]] && echo 1000 || echo 2000)
	for m in "$C1" "$C2"; do
		for ((i = 1; i <= NFILES; i++)); do
			size=$((i * 333333 + base))
			nx_verify "$m/shared/$c-$i" "$size" $((base + i))
			nx_verify "$m/one/$c-$i" "$size" $((base + i + 500))
		done
		while read -r sum f; do
			[[ $(sha256sum <"$m/$f" | cut -d' ' -f1) == "$sum" ]] ||
				fx_fail "$m/$f: sha256 differs from what $c wrote"
		done <"$FX_DIR/$c.sums"
	done
done
[[ $(ls "$C2/shared" | wc -l) == $((4 * NFILES)) ]] || fx_fail "shared/ holds the wrong number of files"
[[ $("$T" getstripe "$C2/shared/c1-1" | cut -d' ' -f1) == 2 ]] || fx_fail "shared/ files are not striped"
[[ $("$T" getstripe "$C2/one/c2-1" | cut -d' ' -f1) == 1 ]] || fx_fail "one/ files have more than one stripe"
nx_finish c1 c2
fx_pass
