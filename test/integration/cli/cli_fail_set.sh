#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# stria fail_set arms a failure point of the running MDS (what lctl
# set_param fail_loc does): the point fires on the next matching request,
# once; a user who is not root is refused; a bad SPEC is a usage error.
# (The netns drop_reply scenario uses it for every non-idempotent operation.)
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
command -v runuser >/dev/null || fx_skip "runuser is missing"
[[ $(id -u) == 0 ]] || fx_skip "needs root (a root mount and runuser)"
fx_cluster 1
fx_mount m1
M=$FX_DIR/m1
S="$STRIA_BUILD/tools/stria"
P=(--port "$FX_PORT")

out=$(fx_run "$S" fail_set "${P[@]}" testfs delay,value=200)
[[ $out == "testfs: fail point delay armed: mode once, count 0, 200 ms" ]] ||
	fx_fail "fail_set output: $out"
grep -q "fail point delay: mode once value 200" "$FX_DIR/mds.log" ||
	fx_fail "the MDS did not log the armed point"
mkdir "$M/d1" "$M/d2" || fx_fail "mkdir with a delay armed"
[[ $(grep -c "fail point delay fired" "$FX_DIR/mds.log") == 1 ]] ||
	fx_fail "a once point did not fire exactly once"

# The MGS from the mount's source and port, or from --mgsnode.
out=$(fx_run "$S" fail_set --mgsnode 127.0.0.2@tcp "${P[@]}" testfs drop_reply,op=mds_rename,mode=off)
[[ $out == "testfs: fail point drop_reply off" ]] || fx_fail "fail_set off: $out"

# Two mounts of testfs from different MGS node lists: the command does not
# guess between them, and --mgsnode picks one.
FX_MGSNODE=127.0.0.2@tcp:127.0.0.9@tcp fx_mount m2
err=$("$S" fail_set "${P[@]}" testfs drop_reply,op=mds_rename,mode=off 2>&1) &&
	fx_fail "fail_set chose between two MGSes: $err"
[[ $err == *"testfs is mounted from more than one MGS (127.0.0.2@tcp and 127.0.0.2@tcp:127.0.0.9@tcp); give --mgsnode"* ]] ||
	fx_fail "the ambiguity is not explained: $err"
out=$(fx_run "$S" fail_set --mgsnode 127.0.0.2@tcp "${P[@]}" testfs drop_reply,op=mds_rename,mode=off)
[[ $out == "testfs: fail point drop_reply off" ]] || fx_fail "fail_set --mgsnode with two mounts: $out"
fx_umount m2

# Root only (the MDS checks the caller's credentials).
chmod 755 "$FX_DIR"
err=$(runuser -u nobody -- "$S" fail_set "${P[@]}" testfs drop_reply 2>&1) &&
	fx_fail "nobody armed a failure point"
[[ $err == *"Operation not permitted (failure injection needs root)"* ]] ||
	fx_fail "the refusal does not say why: $err"

# A bad SPEC is a usage error, before any connection.
"$S" fail_set "${P[@]}" testfs no_such_point 2>/dev/null
[[ $? == 2 ]] || fx_fail "an unknown point is not a usage error"
err=$("$S" fail_set "${P[@]}" testfs drop_reply,op=MDS_NOPE 2>&1)
[[ $? == 2 && $err == *"drop_reply,op=MDS_NOPE: Invalid argument"* ]] ||
	fx_fail "a bad opcode: $err"
fx_umount m1
fx_pass
