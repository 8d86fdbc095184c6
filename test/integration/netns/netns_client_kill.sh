#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A client host dies (kill -9 of its stria-fuse) while it holds files open:
# a file open for appending, one open for reading and one open after it was
# unlinked.  The MDS evicts the client after --evict-timeout and closes its
# opens: the open-unlinked file's objects are destroyed on the OSTs, the
# files it held are usable from the other client (which never remounts),
# nothing it had fsynced is lost, and the namespace checks clean.
. "$(dirname "$0")/cluster.sh"
FX_MDS_ARGS="--evict-timeout 4"
nx_cluster
SIZE=1500000

nx_put "$C1/kept" "$SIZE" 1
nx_put "$C1/ro" "$SIZE" 2
nx_put "$C1/orphan" "$SIZE" 3
# The orphan's objects, as "OST objid" lines, and their files on the OSTs.
"$S" getstripe "$C1/orphan" | awk '/^\t *[0-9]/ { print $1, $2 }' >"$FX_DIR/orphan.objs"
[[ $(wc -l <"$FX_DIR/orphan.objs") == 2 ]] || fx_fail "the orphan-to-be has not 2 objects"
objfile() { # OST OBJID
	local id=$2
	printf '%s/ost%d/O/%x/%02x/%02x/%x' "$FX_DIR" "$1" $((id >> 24)) $(((id >> 16) & 255)) \
		$(((id >> 8) & 255)) "$id"
}
while read -r ost id; do
	[[ -f $(objfile "$ost" "$id") ]] || fx_fail "object $id of OST $ost not found at $(objfile "$ost" "$id")"
done <"$FX_DIR/orphan.objs"

# A process of c1 holds the three files open, then removes one.
bash -c 'exec 7>>"$1" 8<"$2" 9<>"$3" && rm "$3" && echo tail >&7 && echo ready && exec sleep 600' \
	_ "$C1/kept" "$C1/ro" "$C1/orphan" >"$FX_DIR/holder.log" 2>&1 &
# Known to the fixture, so a failure kills it too (fx_cleanup waits for it).
FX_PID[holder]=$!
FX_NAMES+=(holder)
for ((i = 0; i < 200; i++)); do
	grep -q ready "$FX_DIR/holder.log" && break
	kill -0 "${FX_PID[holder]}" 2>/dev/null || fx_fail "the holder failed"
	sleep 0.05
done
grep -q ready "$FX_DIR/holder.log" || fx_fail "the holder did not open its files"
[[ -e "$C2/orphan" ]] && fx_fail "the unlinked file is still visible"
while read -r ost id; do
	[[ -f $(objfile "$ost" "$id") ]] || fx_fail "an open-unlinked file's object went before its last close"
done <"$FX_DIR/orphan.objs"
uuid=$(sed -n "s/.*new client \([0-9a-f]*\) from ${NX_IP[c1]}:.*/\1/p" "$FX_DIR/mds.log" | tail -1)
[[ -n $uuid ]] || fx_fail "the MDS log does not show client c1"

# The client host dies.
fx_kill c1
fx_kill holder
nx_umount_dead c1

# The MDS evicts it and closes its three opens; the orphan's objects go.
for ((i = 0; i < 600; i++)); do
	grep -q "closed [0-9]* open file(s) of evicted client $uuid" "$FX_DIR/mds.log" && break
	sleep 0.1
done
grep -q "evicting client $uuid: disconnected" "$FX_DIR/mds.log" || fx_fail "c1 was not evicted"
n=$(sed -n "s/.*closed \([0-9]*\) open file(s) of evicted client $uuid.*/\1/p" "$FX_DIR/mds.log")
[[ $n == 3 ]] || fx_fail "the MDS closed '${n:-no}' opens of the evicted client, not 3"
for ((i = 0; i < 300; i++)); do
	gone=0
	while read -r ost id; do
		[[ -e $(objfile "$ost" "$id") ]] || gone=$((gone + 1))
	done <"$FX_DIR/orphan.objs"
	((gone == 2)) && break
	sleep 0.1
done
((gone == 2)) || fx_fail "the orphan's objects were not destroyed after the eviction"

# The other client carries on with the same mount: the fsynced bytes are
# there, and the files the dead client held open can be written and removed.
"$T" pattern check "$C2/kept" 0 "$SIZE" 1 || fx_fail "fsynced data of the dead client lost"
nx_verify "$C2/ro" "$SIZE" 2
echo more >>"$C2/kept" || fx_fail "c2 cannot append to the file c1 held open"
rm "$C2/ro" || fx_fail "c2 cannot remove the file c1 held open"
nx_put "$C2/after" "$SIZE" 4
# And the dead client's host mounts again.
fx_mount c1
nx_verify "$C1/after" "$SIZE" 4
"$T" pattern check "$C1/kept" 0 "$SIZE" 1 || fx_fail "kept, read from the new c1 mount"
[[ $(tail -c 5 "$C1/kept") == more ]] || fx_fail "c2's append is not seen by the new c1 mount"
nx_finish c1 c2
fx_pass
