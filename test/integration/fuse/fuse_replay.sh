#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Creates the MDS answered before they were durable survive an MDS crash
# that loses them (docs/client.md, "Recovery").  The MDS runs with
# --manual-wal-flush, so its WAL records reach the file only with their
# sync and kill -9 loses what was not synced, as a power cut would.  The
# crash_after_reply point kills it right after an early answer to a create:
# the client must replay the create (same FID, owner, mode, objects), reclaim
# its open handle, and the data written to the file's object meanwhile must
# survive the OSTs' orphan cleanup, which waits for the recovery window.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
S="$STRIA_BUILD/tools/stria"
FX_MDS_ARGS="--manual-wal-flush"
fx_cluster 2
fx_mount m1
M=$FX_DIR/m1
fx_wait_osts "$M" 2
mkdir "$M/d" || fx_fail "mkdir"
chmod 1777 "$M/d"

# Creates before the crash: answered early, then committed (not replayed).
for i in $(seq 1 20); do echo "pre$i" >"$M/d/pre$i" || fx_fail "create pre$i"; done

mds_pid=$(fx_pid mds)
out=$(fx_run "$S" fail_set --port "$FX_PORT" testfs crash_after_reply,op=MDS_CREATE)
[[ $out == *"crash_after_reply armed"* ]] || fx_fail "fail_set: $out"
# Housekeeping commits for the admin command's connection come and go first.
sleep 1
exec 7>"$M/d/lost" || fx_fail "create lost"
ino=$(stat -c %i "$M/d/lost")
# The data goes to the OST at once; the flush's size report then waits for
# the MDS to come back (so the writer runs in the background).
(echo "written while the MDS dies" >&7) &
writer=$!
for ((i = 0; i < 100; i++)); do kill -0 "$mds_pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$mds_pid" 2>/dev/null && fx_fail "the MDS did not crash after the early reply"
wait "$mds_pid" 2>/dev/null
FX_PID[mds]=
grep -q "fail point crash_after_reply fired" "$FX_DIR/mds.log" ||
	fx_fail "the crash point did not fire"
# A second create, queued while the MDS is down, runs after the replay.
(echo after >"$M/d/after") &
queued=$!
fx_restart mds
wait $writer || fx_fail "the write across the restart failed"
exec 7>&-
wait $queued || fx_fail "a create queued during the restart failed"

grep -q "orphan cleanup waits for the recovery window" "$FX_DIR/mds.log" ||
	fx_fail "the OSTs' orphan cleanup did not wait for the recovery window"
grep -q "replayed the create of .* 'lost': recreated" "$FX_DIR/mds.log" ||
	fx_fail "the lost create was not replayed (it should not have survived the crash)"
echo 3 >/proc/sys/vm/drop_caches
[[ $(cat "$M/d/lost") == "written while the MDS dies" ]] ||
	fx_fail "the replayed file lost its data: '$(cat "$M/d/lost" 2>&1)'"
[[ $(stat -c %i "$M/d/lost") == "$ino" ]] || fx_fail "the replayed file has another inode number"
[[ $(stat -c %s "$M/d/lost") == 27 ]] || fx_fail "size after the replayed handle's close"
[[ $(cat "$M/d/after") == after ]] || fx_fail "the queued create"
for i in $(seq 1 20); do
	[[ $(cat "$M/d/pre$i") == "pre$i" ]] || fx_fail "pre$i lost"
done

# The file's object is the file's alone: a new file does not get it.
# (obdidx and objid, from getstripe's object table)
objs() { "$S" getstripe "$1" | awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ {print $1 ":" $2}'; }
obj=$(objs "$M/d/lost")
[[ -n $obj ]] || fx_fail "no object in the layout: $("$S" getstripe "$M/d/lost" 2>&1)"
for i in $(seq 1 10); do
	echo "new$i" >"$M/d/new$i" || fx_fail "create new$i"
	objs "$M/d/new$i" >>"$FX_DIR/new.objs"
done
[[ $(wc -l <"$FX_DIR/new.objs") == 10 ]] || fx_fail "new files' objects: $(cat "$FX_DIR/new.objs")"
grep -qxF "$obj" "$FX_DIR/new.objs" && fx_fail "a new file got the replayed file's object $obj"
[[ $(cat "$M/d/lost") == "written while the MDS dies" ]] || fx_fail "lost overwritten"

# A clean MDS restart with nothing to replay still recovers and resumes.
fx_stop mds
fx_restart mds
echo x >"$M/d/last" || fx_fail "create after a clean restart"
fx_pass
