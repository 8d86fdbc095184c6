#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The MDS's reply log against a real mount on another host: for every
# non-idempotent operation (docs/mds.md, "Reply reconstruction") the MDS
# commits it and drops the reply (drop_reply, armed at run time with stria
# fail_set); the client resends after its MDS RPC timeout (mds_timeout=3
# here, 20 s by default) and gets the
# original answer, so the application sees success - mkdir, an exclusive
# create, link and the rest not EEXIST, unlink, rmdir and rename not ENOENT
# - and the result is there exactly once, seen from the other client too.
# A close answered from the log has closed the file exactly once (its
# objects go after the unlink that follows).  Synced data survives and the
# namespace checks clean.  About a minute: one 3 s timeout per operation.
. "$(dirname "$0")/cluster.sh"
nx_cluster "mds_timeout=3"
R=$C1/r
mkdir "$R" || fx_fail "mkdir"
nx_put "$C1/before" 2000000 9
LOG=$FX_DIR/mds.log

# drop OPCODE CMD...: arms drop_reply for OPCODE, runs CMD on client c1 (it
# must succeed), then waits until the MDS dropped an OPCODE reply and
# answered its resend from the reply log.
drop() {
	local op=$1 fired replayed i
	shift
	fired=$(grep -c "fail point drop_reply fired on $op\$" "$LOG")
	replayed=$(grep -c "resent $op xid [0-9]*: replaying its recorded reply (0)" "$LOG")
	nx_fail_set "drop_reply,op=$op"
	"$@" || fx_fail "$op: '$*' failed after its reply was dropped"
	for ((i = 0; i < 900; i++)); do
		(($(grep -c "resent $op xid [0-9]*: replaying its recorded reply (0)" "$LOG") > replayed)) &&
			break
		sleep 0.1
	done
	(($(grep -c "fail point drop_reply fired on $op\$" "$LOG") > fired)) ||
		fx_fail "$op: no reply was dropped"
	(($(grep -c "resent $op xid [0-9]*: replaying its recorded reply (0)" "$LOG") > replayed)) ||
		fx_fail "$op: the resend was not answered from the reply log"
	nx_fail_set "drop_reply,mode=off"
}
excl_create() { (set -C && echo data >"$1"); }

drop MDS_MKDIR mkdir "$R/d"
drop MDS_CREATE excl_create "$R/f"
drop MDS_MKNOD mkfifo "$R/p"
drop MDS_LINK ln "$R/f" "$R/l"
[[ $(stat -c %h "$R/f") == 2 ]] || fx_fail "link: f has $(stat -c %h "$R/f") links, not 2"
drop MDS_SETATTR chmod 640 "$R/f"
drop MDS_SETXATTR setfattr -n user.k -v v1 "$R/f"
[[ $(getfattr --absolute-names --only-values -n user.k "$R/f") == v1 ]] || fx_fail "setxattr: value"
drop MDS_REMOVEXATTR setfattr -x user.k "$R/f"
ino=$(stat -c %i "$R/f")
drop MDS_RENAME mv "$R/f" "$R/g"
drop MDS_SYMLINK ln -s g "$R/s"
drop MDS_UNLINK rm "$R/l"
drop MDS_RMDIR rmdir "$R/d"
out=$(mktemp "$FX_DIR/out.XXXXXX")
drop MDS_OPEN cp "$R/g" "$out"
[[ $(cat "$out") == data ]] || fx_fail "open: read '$(cat "$out")'"
# The close's reply is lost after the application's close returned (the
# kernel's release is asynchronous); drop waits for its resend.
drop MDS_CLOSE cp "$R/g" "$out"
drop MDS_SETLAYOUT "$S" setstripe -c 1 "$R/lay"
[[ $("$S" getstripe -c "$R/lay") == 1 ]] || fx_fail "setlayout: the layout was not set"

# Exactly once, seen from the other client.
[[ $(cd "$C2/r" && echo *) == "g lay p s" ]] || fx_fail "r/ holds: $(ls -A "$C2/r")"
[[ $(stat -c '%i %a %h' "$C2/r/g") == "$ino 640 1" ]] || fx_fail "g: $(stat -c '%i %a %h' "$C2/r/g")"
[[ $(cat "$C2/r/g") == data ]] || fx_fail "g: content"
getfattr --absolute-names -n user.k "$C2/r/g" >/dev/null 2>&1 && fx_fail "removexattr: the xattr is back"
[[ -p "$C2/r/p" && $(readlink "$C2/r/s") == g ]] || fx_fail "p or s wrong"
# g is closed as often as it was opened: its objects go after its unlink
# (once the MDS's unlink grace, 10 s by default, is over); a file still
# open on the MDS would keep them until its last close.
"$S" getstripe "$C2/r/g" | awk '/^\t *[0-9]/ { print $1, $2 }' >"$FX_DIR/g.objs"
[[ -s "$FX_DIR/g.objs" ]] || fx_fail "no objects listed for g"
rm "$C2/r/g" || fx_fail "rm g"
for ((i = 0; i < 600; i++)); do
	left=0
	while read -r ost id; do
		f=$(printf '%s/ost%d/O/%x/%02x/%02x/%x' "$FX_DIR" "$ost" $((id >> 24)) \
			$(((id >> 16) & 255)) $(((id >> 8) & 255)) "$id")
		[[ -e $f ]] && left=$((left + 1))
	done <"$FX_DIR/g.objs"
	((left == 0)) && break
	sleep 0.1
done
((left == 0)) || fx_fail "g's objects stay after its unlink: is it still open on the MDS?"
nx_verify "$C2/before" 2000000 9
nx_put "$C1/after" 1000000 10
nx_finish c1 c2
fx_pass
