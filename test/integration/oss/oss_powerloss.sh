#!/bin/bash
# Power loss: the OST lives on ext4 in a loop image.  A client writes with a
# sync every 16 writes; at a crash point the OSS is killed -9 and the backing
# image is copied at once (what a power cut would leave on the disk: only what
# reached the device).  The copy is mounted and every byte acknowledged as
# synced must be there, bit-exact.  The object written (45) has no file
# before: its first write creates it, so its name must survive too.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
OSSC="$STRIA_BUILD/test/integration/oss/ossc"
[[ $(id -u) -eq 0 ]] || fx_skip "needs root for loop mounts"
command -v mkfs.ext4 >/dev/null || fx_skip "mkfs.ext4 missing"

img="$FX_DIR/ost.img"
mnt="$FX_DIR/ostmnt"
copy_mnt="$FX_DIR/copymnt"
mkdir -p "$mnt" "$copy_mnt"
unmount_all() {
	umount "$copy_mnt" 2>/dev/null
	umount "$mnt" 2>/dev/null
}
FX_CLEANUP_HOOK=unmount_all
truncate -s 512M "$img"
mkfs.ext4 -q -F "$img" || fx_fail "mkfs.ext4"
mount -o loop "$img" "$mnt" || fx_skip "cannot loop-mount an ext4 image here"
"$FX_MKFS" --ost --fsname testfs --index 0 --mgsnode 127.0.0.2@tcp --mgsport "$FX_PORT" -q "$mnt/ost0" ||
	fx_fail "mkfs.stria on the loop file system"
ln -s "$mnt/ost0" "$FX_DIR/ost0"
fx_start_oss oss1 127.0.0.3 ost0
"$OSSC" suite 127.0.0.3 "$FX_PORT" 0 >/dev/null || fx_fail "suite (to precreate objects)"

"$OSSC" writer 127.0.0.3 "$FX_PORT" 0 45 "$FX_DIR/synced" &
writer=$!
# Let it write and sync for a while: the crash point falls mid-stream.
for ((i = 0; i < 100; i++)); do
	[[ -s "$FX_DIR/synced" ]] && [[ $(wc -l <"$FX_DIR/synced") -ge 8 ]] && break
	sleep 0.1
done
sleep 0.3
fx_kill oss1
cp --sparse=always "$img" "$FX_DIR/copy.img" # the disk as the power cut left it
kill -9 "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
[[ -s "$FX_DIR/synced" ]] || fx_fail "the writer never got a sync acknowledged"

# The copy is a crashed file system: ext4 replays its journal at mount.
mount -o loop "$FX_DIR/copy.img" "$copy_mnt" || fx_fail "the copied image does not mount"
"$OSSC" verify "$copy_mnt/ost0" 0 45 "$FX_DIR/synced" || fx_fail "synced data lost or corrupted"
fx_pass
