#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A network cut between client c1 and oss1 (nftables drops every packet in
# c1's namespace: silence, not a reset), then healed:
#  - a cut longer than one RPC attempt (io_timeout 19 s: attempts of 9.5 s)
#    but shorter than io_timeout: c1's write and fsync to oss1 wait, are
#    resent after the heal and succeed; meanwhile c1's I/O to oss2 and c2's
#    I/O to oss1 carry on;
#  - a cut longer than io_timeout: c1's write to oss1 fails with EIO (and
#    nothing else), and after the heal the same mount writes there again.
# Fsynced data is intact, read from both clients; the namespace checks clean.
. "$(dirname "$0")/cluster.sh"
nx_cluster "io_timeout=19"
SIZE=2000000
# o0: one stripe on OST0000 (oss1); o1: one stripe on OST0001 (oss2).
mkdir "$C1/o0" "$C1/o1" || fx_fail "mkdir"
"$T" setstripe "$C1/o0" 1 262144 0 && "$T" setstripe "$C1/o1" 1 262144 1 || fx_fail "setstripe"
nx_put "$C1/o0/before" "$SIZE" 1
nx_put "$C1/o1/before" "$SIZE" 2

# ---- a cut longer than an RPC attempt, shorter than io_timeout ----------
nx_cut c1 oss1
start=$SECONDS
"$T" pattern write "$C1/o0/during" 0 "$SIZE" 3 2>"$FX_DIR/during.err" &
w=$!
nx_put "$C1/o1/side" "$SIZE" 4 # c1 -> oss2 works during the cut
nx_put "$C2/o0/other" "$SIZE" 5 # c2 -> oss1 works during the cut
while ((SECONDS - start < 12)); do sleep 0.5; done
kill -0 $w 2>/dev/null || fx_fail "a write to a cut-off OST finished during the cut"
nx_heal c1
wait $w || fx_fail "the write across a 12 s cut failed: $(cat "$FX_DIR/during.err")"
grep -q "rpc testfs-OST0000: OST_WRITE xid [0-9]* to .* timed out" "$FX_DIR/c1.log" ||
	fx_fail "c1 did not time out an attempt during the cut (was it cut?)"
nx_verify "$C2/o0/during" "$SIZE" 3
nx_verify "$C2/o1/side" "$SIZE" 4
nx_verify "$C1/o0/other" "$SIZE" 5

# ---- a cut longer than io_timeout ----------------------------------------
nx_cut c1 oss1
"$T" pattern write "$C1/o0/lost" 0 "$SIZE" 6 2>"$FX_DIR/lost.err" &
w=$!
for ((i = 0; i < 900; i++)); do
	kill -0 $w 2>/dev/null || break
	sleep 0.1
done
kill -0 $w 2>/dev/null && fx_fail "a write to an OST cut off for 90 s did not give up"
wait $w && fx_fail "a write to an OST cut off longer than io_timeout succeeded"
grep -q "Input/output error" "$FX_DIR/lost.err" ||
	fx_fail "the write failed otherwise than with EIO: $(cat "$FX_DIR/lost.err")"
nx_put "$C1/o1/still" "$SIZE" 7 # oss2 still works from c1
nx_heal c1

# The same mount writes to oss1 again; nothing synced was lost.
nx_put "$C1/o0/after" "$SIZE" 8
for c in "$C1" "$C2"; do
	nx_verify "$c/o0/before" "$SIZE" 1
	nx_verify "$c/o1/before" "$SIZE" 2
	nx_verify "$c/o0/during" "$SIZE" 3
	nx_verify "$c/o1/still" "$SIZE" 7
	nx_verify "$c/o0/after" "$SIZE" 8
done
rm "$C1/o0/lost" || fx_fail "cannot remove the file whose write failed"
nx_finish c1 c2
fx_pass
