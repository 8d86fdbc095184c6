#!/bin/bash
# `mount -t stria NID:/fsname DIR` and an fstab line reach mount.stria (as
# mount(8) finds it in /sbin), which starts stria-fuse in the background;
# `umount` takes it down again.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
[[ $(id -u) -eq 0 ]] || fx_skip "mount -t needs root"
helper="$STRIA_BUILD/fuse-client/mount.stria"
# mount(8) looks in /sbin only.  Use an installed helper if there is one,
# else point /sbin/mount.stria at this build's for the test's duration.
linked=
if [[ ! -e /sbin/mount.stria ]]; then
	ln -s "$helper" /sbin/mount.stria || fx_skip "cannot place /sbin/mount.stria"
	linked=1
fi
cleanup_link() {
	umount "$FX_DIR/m1" 2>/dev/null
	umount "$FX_DIR/m2" 2>/dev/null
	[[ -n "$linked" ]] && rm -f /sbin/mount.stria
}
FX_CLEANUP_HOOK=cleanup_link
# The helper execs stria-fuse: the one from this build, found through PATH.
export PATH="$STRIA_BUILD/fuse-client:$PATH"

fx_cluster 2
mkdir -p "$FX_DIR/m1" "$FX_DIR/m2"
mount -t stria -o "port=$FX_PORT" "$FX_MGSNODE:/testfs" "$FX_DIR/m1" || fx_fail "mount -t stria"
grep -q " $FX_DIR/m1 fuse.stria " /proc/mounts || fx_fail "not in /proc/mounts as fuse.stria"
echo data >"$FX_DIR/m1/f" && [[ $(cat "$FX_DIR/m1/f") == data ]] || fx_fail "I/O through mount -t"

# An fstab line (in a file of our own, through mount -T).
echo "$FX_MGSNODE:/testfs $FX_DIR/m2 stria defaults,_netdev,port=$FX_PORT 0 0" >"$FX_DIR/fstab"
mount -T "$FX_DIR/fstab" "$FX_DIR/m2" || fx_fail "mount of the fstab line"
[[ $(cat "$FX_DIR/m2/f") == data ]] || fx_fail "the second mount does not see the file"

umount "$FX_DIR/m1" || fx_fail "umount"
umount "$FX_DIR/m2" || fx_fail "umount of the fstab mount"
grep -q " $FX_DIR/m[12] " /proc/mounts && fx_fail "still mounted after umount"
fx_pass
