#!/bin/bash
# An unprivileged user runs setstripe, getstripe and df on the user's own
# files; pools are root's (through the MGS with the cluster key) and
# setstripe -p places objects only on the pool's OSTs.  The admin commands
# find the MGS's port from the mount.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
command -v runuser >/dev/null || fx_skip "runuser is missing"
[[ $(id -u) == 0 ]] || fx_skip "needs root (a root mount and runuser)"
# A name no other test mounts: the admin commands pick the MGS from a mount
# of the fsname, and tests running beside this one mount testfs.
FX_FSNAME=pooltest
FX_KEYFILE=$FX_DIR/key
head -c 32 /dev/urandom | base64 >"$FX_KEYFILE"
chmod 600 "$FX_KEYFILE"
fx_cluster 4
fx_mount m1
M=$FX_DIR/m1
fx_wait_osts "$M" 4
S="$STRIA_BUILD/tools/stria"
chmod 755 "$FX_DIR"
mkdir "$M/u"
chown nobody "$M/u"
U() { runuser -u nobody -- "$@"; }

U "$S" setstripe -c 2 -S 256K "$M/u/f" || fx_fail "setstripe as nobody"
[[ $(stat -c %U "$M/u/f") == nobody ]] || fx_fail "the new file is not nobody's"
[[ $(U "$S" getstripe -c "$M/u/f") == 2 ]] || fx_fail "getstripe -c as nobody"
[[ $(U "$S" getstripe "$M/u/f" | grep -c $'^\t *[0-9]') == 2 ]] || fx_fail "getstripe as nobody"
U "$S" setstripe -c 4 "$M/u" || fx_fail "setstripe DIR as nobody"
U "$S" df "$M" | grep -q '^filesystem_summary:' || fx_fail "df as nobody"
# Someone else's file: the layout is the owner's or root's to change.
fx_run "$S" setstripe -c 1 "$M/rootfile" >/dev/null
chmod 666 "$M/rootfile"
err=$(U "$S" setstripe -c 2 "$M/rootfile" 2>&1) && fx_fail "nobody changed root's layout"
[[ $err == *"$M/rootfile:"* ]] || fx_fail "error does not name the file: $err"
# Pools need root.
err=$(U "$S" pool_new pooltest.nope --port "$FX_PORT" --key /dev/null 2>&1) &&
	fx_fail "nobody created a pool"

P=(--port "$FX_PORT" --key "$FX_KEYFILE")
[[ $(fx_run "$S" pool_new pooltest.flash "${P[@]}") == "Pool pooltest.flash created" ]] ||
	fx_fail "pool_new"
fx_run "$S" pool_add pooltest.flash 1,pooltest-OST0003 "${P[@]}" >/dev/null
out=$(fx_run "$S" pool_list pooltest.flash "${P[@]}")
[[ $out == "$(printf 'Pool: pooltest.flash\npooltest-OST0001_UUID\npooltest-OST0003_UUID')" ]] ||
	fx_fail "pool_list pooltest.flash: $out"
[[ $(fx_run "$S" pool_list pooltest "${P[@]}") == "$(printf 'Pools from pooltest:\npooltest.flash')" ]] ||
	fx_fail "pool_list pooltest"
fx_run "$S" setstripe -p flash -c -1 "$M/pf" >/dev/null
[[ $(fx_run "$S" getstripe -p "$M/pf") == flash ]] || fx_fail "getstripe -p"
[[ $("$S" getstripe -q "$M/pf" | awk '{print $1}' | sort | tr '\n' ' ') == "1 3 " ]] ||
	fx_fail "pool file not on OSTs 1 and 3: $("$S" getstripe "$M/pf")"
[[ $("$S" find "$M" --pool flash) == "$M/pf" ]] || fx_fail "find --pool"
err=$("$S" pool_add pooltest.flash 1 "${P[@]}" 2>&1) && fx_fail "pool_add of a member succeeded"
[[ $err == *"pooltest.flash: File exists"* ]] || fx_fail "pool_add member: $err"
err=$("$S" pool_destroy pooltest.flash "${P[@]}" 2>&1) && fx_fail "destroyed a non-empty pool"
[[ $err == *"pooltest.flash:"* ]] || fx_fail "pool_destroy non-empty: $err"
"$S" pool_remove pooltest.flash 'pooltest-OST[1-3]' "${P[@]}" >/dev/null 2>&1 &&
	fx_fail "pool_remove of non-member 2 succeeded"
fx_run "$S" pool_remove pooltest.flash 1,3 "${P[@]}" >/dev/null
fx_run "$S" pool_destroy pooltest.flash "${P[@]}" >/dev/null
[[ $(fx_run "$S" pool_list pooltest "${P[@]}") == "Pools from pooltest:" ]] || fx_fail "pool left"
# The MGS port comes from the mount (its options are not in /proc/mounts):
# no --port needed although the cluster does not listen on 988.
[[ $(getfattr --absolute-names --only-values -n user.stria.mgs "$M") == "$FX_MGSNODE $FX_PORT" ]] ||
	fx_fail "user.stria.mgs: $(getfattr --absolute-names --only-values -n user.stria.mgs "$M")"
setfattr -n user.stria.mgs -v x "$M" 2>/dev/null && fx_fail "user.stria.mgs was set"
[[ $(fx_run "$S" pool_list pooltest --key "$FX_KEYFILE") == "Pools from pooltest:" ]] ||
	fx_fail "pool_list without --port"

fx_umount m1
fx_pass
