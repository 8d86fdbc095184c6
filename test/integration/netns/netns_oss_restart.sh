#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# kill -9 and restart of an OSS while two clients (each on its own host)
# write: every file whose write and fsync succeeded holds its bytes
# afterwards, read from either client; the namespace checks clean; both
# clients keep working on the same mounts.
#
# A writer whose fsync fails with EIO (its data was acknowledged by the
# instance that was killed, docs/client.md) writes the file again, as an
# application must; only files it saw synced are on the acknowledged list.
. "$(dirname "$0")/cluster.sh"
nx_cluster "io_timeout=30"
SIZE=1500000
NFILES=${NFILES:-30}

nx_put "$C1/before" 4000000 1

# writer CLIENT: writes files CLIENT-1..N, retrying a failed one; lists the
# synced ones in $FX_DIR/CLIENT.acked; exits 1 if a file never gets written.
writer() {
	local c=$1 mnt=$FX_DIR/$1 i try
	for ((i = 1; i <= NFILES; i++)); do
		for try in 1 2 3; do
			if "$T" pattern write "$mnt/$c-$i" 0 "$SIZE" "$i" 2>>"$FX_DIR/$c.errors"; then
				echo "$c-$i $i" >>"$FX_DIR/$c.acked"
				break
			fi
			((try == 3)) && exit 1
		done
	done
	exit 0
}
writer c1 &
w1=$!
writer c2 &
w2=$!
# The fault lands mid-stream: once each writer has synced a few files.
for ((i = 0; i < 600; i++)); do
	[[ $(cat "$FX_DIR"/c1.acked "$FX_DIR"/c2.acked 2>/dev/null | wc -l) -ge 6 ]] && break
	sleep 0.05
done
kill -0 $w1 2>/dev/null && kill -0 $w2 2>/dev/null || fx_fail "a writer ended before the fault"
fx_kill oss1
sleep 1
fx_restart oss1
wait $w1 || fx_fail "client c1 could not write its files across the OSS restart"
wait $w2 || fx_fail "client c2 could not write its files across the OSS restart"
grep -q "fsync\|Input/output" "$FX_DIR"/c*.errors 2>/dev/null &&
	echo "note: a writer rewrote a file whose fsync failed across the restart" >&2
[[ $(cat "$FX_DIR"/c1.acked "$FX_DIR"/c2.acked | wc -l) == $((2 * NFILES)) ]] ||
	fx_fail "not every file was written"

# Every acknowledged file, read from the other client and from its writer.
nx_verify "$C2/before" 4000000 1
while read -r f seed; do
	nx_verify "$C2/$f" "$SIZE" "$seed"
	nx_verify "$C1/$f" "$SIZE" "$seed"
done < <(cat "$FX_DIR/c1.acked" "$FX_DIR/c2.acked")

# The same mounts keep working: new files through the restarted OSS.
nx_put "$C1/after1" "$SIZE" 77
nx_put "$C2/after2" "$SIZE" 78
nx_verify "$C2/after1" "$SIZE" 77
nx_verify "$C1/after2" "$SIZE" 78
nx_finish c1 c2
fx_pass
