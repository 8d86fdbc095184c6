#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# kill -9 and restart of the MDS during a metadata storm from two clients,
# then a second crash right after a rename committed (crash_after_commit,
# armed with stria fail_set), so a committed change whose reply was lost
# is resent to the new instance: every namespace operation the
# applications ran succeeds exactly once (a resent create is not EEXIST,
# a resent unlink not ENOENT), the tree each worker built is there in full,
# seen from the other client; fsynced data survives; the namespace checks
# clean; the mounts keep working.  The MDS runs with --manual-wal-flush, so
# each kill -9 loses what was applied but not yet synced, as a power cut
# would: those changes come back by resend, or by replay for creates the MDS
# had answered early (docs/mds.md, "Early answers and replayed creates").
. "$(dirname "$0")/cluster.sh"
FX_MDS_ARGS="--recovery-window 20 --manual-wal-flush"
nx_cluster
ROUNDS=${ROUNDS:-80}
WORKERS=${WORKERS:-2} # per client

nx_put "$C1/before" 3000000 5

# One round of every kind of namespace change, in directory D/R; what is
# left is D/R/{g (600, "W R"), s -> g, p (fifo)}.
round() { # D W R
	local d=$1/$3
	mkdir "$d" &&
		echo "$2 $3" >"$d/f" &&
		mv "$d/f" "$d/g" &&
		ln "$d/g" "$d/h" &&
		ln -s g "$d/s" &&
		chmod 600 "$d/g" &&
		mkdir "$d/e" &&
		rmdir "$d/e" &&
		rm "$d/h" &&
		mkfifo "$d/p" &&
		setfattr -n user.w -v "$2" "$d/g"
}
worker() { # MOUNT W
	local d=$1/$2 r
	mkdir "$d" || exit 1
	for ((r = 1; r <= ROUNDS; r++)); do
		round "$d" "$2" "$r" 2>>"$FX_DIR/storm.errors" || {
			echo "worker $2 round $r failed" >>"$FX_DIR/storm.errors"
			exit 1
		}
		echo "$r" >"$FX_DIR/$2.progress"
	done
}
pids=()
for ((w = 0; w < WORKERS; w++)); do
	worker "$C1" "c1w$w" &
	pids+=($!)
	worker "$C2" "c2w$w" &
	pids+=($!)
done
progress() { cat "$FX_DIR"/*.progress 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
wait_progress() { # N: rounds done by all workers together
	local i
	for ((i = 0; i < 1200; i++)); do
		(($(progress) >= $1)) && return 0
		sleep 0.05
	done
	fx_fail "the storm did not reach $1 rounds (at $(progress))"
}
storm_running() {
	local p
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null || fx_fail "the storm ended before the MDS $1"
	done
}
wait_progress 8
storm_running "was killed"
fx_kill mds
sleep 1
fx_restart mds
wait_progress $(($(progress) + 8))
storm_running "crashed after a commit"
nx_fail_set crash_after_commit,op=MDS_RENAME
for ((i = 0; i < 600; i++)); do
	kill -0 "$(fx_pid mds)" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$(fx_pid mds)" 2>/dev/null && fx_fail "the MDS did not crash after a rename"
fx_kill mds # reaps it
fx_restart mds
for p in "${pids[@]}"; do
	wait "$p" || fx_fail "the storm failed across the MDS restart: $(cat "$FX_DIR/storm.errors")"
done
[[ -s "$FX_DIR/storm.errors" ]] && fx_fail "errors in the storm: $(cat "$FX_DIR/storm.errors")"

# Every worker's tree, from the client that did not build it.
check_tree() { # MOUNT W
	local d=$1/$2 r n
	n=$(find "$d" -mindepth 1 -maxdepth 1 | wc -l)
	[[ $n == "$ROUNDS" ]] || fx_fail "$d holds $n entries, not $ROUNDS"
	for ((r = 1; r <= ROUNDS; r++)); do
		[[ $(cat "$d/$r/g") == "$2 $r" ]] || fx_fail "$d/$r/g: wrong content"
		[[ $(stat -c '%a %h' "$d/$r/g") == "600 1" ]] || fx_fail "$d/$r/g: mode or links wrong"
		[[ $(readlink "$d/$r/s") == g ]] || fx_fail "$d/$r/s: wrong symlink"
		[[ -p "$d/$r/p" ]] || fx_fail "$d/$r/p is not a fifo"
		[[ $(getfattr --absolute-names --only-values -n user.w "$d/$r/g" 2>/dev/null) == "$2" ]] ||
			fx_fail "$d/$r/g: xattr lost"
		[[ $(find "$d/$r" -mindepth 1 | wc -l) == 3 ]] || fx_fail "$d/$r: leftovers"
	done
}
for ((w = 0; w < WORKERS; w++)); do
	check_tree "$C2" "c1w$w"
	check_tree "$C1" "c2w$w"
done
nx_verify "$C2/before" 3000000 5
[[ $(grep -c "recovery window open" "$FX_DIR/mds.log") == 2 ]] ||
	fx_fail "the MDS restarts did not both open a recovery window"
grep -q "resent MDS_RENAME xid [0-9]*: replaying its recorded reply (0)" "$FX_DIR/mds.log" ||
	fx_fail "the rename committed before the crash was not answered from the reply log"

# The same mounts keep working.
mkdir "$C1/after" && nx_put "$C1/after/f" 1000000 6 || fx_fail "c1 after the restart"
nx_verify "$C2/after/f" 1000000 6
rm -r "$C2/after" || fx_fail "c2 after the restart"
nx_finish c1 c2
fx_pass
