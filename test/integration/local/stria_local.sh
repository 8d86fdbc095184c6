#!/bin/bash
# tools/stria-local up, status and down from a clean state directory: a
# striped mount comes up, data goes through it, status tells, down stops it
# all, and a second up serves the same targets again.
set -uo pipefail
: "${STRIA_BUILD:?}"
top=$(cd "$(dirname "$0")/../../.." && pwd)
[[ -c /dev/fuse ]] || { echo "SKIP: no /dev/fuse"; exit 77; }
[[ $(id -u) -eq 0 ]] || { echo "SKIP: stria-local runs as root"; exit 77; }
state=$(mktemp -d /tmp/stria-local-test.XXXXXX)
mnt="$state/mnt"
port=$(python3 -c 'import socket
for p in range(20000, 60000, 7):
    ok = True
    for q in (p, p + 1, p + 2):
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try: s.bind(("0.0.0.0", q))
        except OSError: ok = False
        s.close()
    if ok: print(p); break')
local_() { STRIA_BUILD="$STRIA_BUILD" "$top/tools/stria-local" "$@"; }
cleanup() {
	local_ down --dir "$state/s" >/dev/null 2>&1
	rm -rf "$state"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	for f in "$state"/s/*.log; do echo "----- $f" >&2; tail -n 20 "$f" >&2; done
	exit 1
}

out=$(local_ up --dir "$state/s" --port "$port" --osts 4 "$mnt" 2>&1) || { echo "$out" >&2; fail "up"; }
echo "$out" | grep -q "mounted on $mnt" || fail "up did not say where it mounted"
grep -q " $mnt fuse.stria" /proc/mounts || fail "not mounted"
stria="$STRIA_BUILD/tools/stria"
"$stria" setstripe -c -1 "$mnt/striped" || fail "setstripe -c -1"
dd if=/dev/urandom of="$state/data" bs=1M count=8 status=none
cp "$state/data" "$mnt/striped" && cmp "$state/data" "$mnt/striped" || fail "data through the mount"
[[ $("$stria" getstripe -c "$mnt/striped") -eq 4 ]] || fail "the file is not striped over 4 OSTs"
st=$(local_ status --dir "$state/s") || fail "status"
echo "$st" | grep -q "mds: running" || fail "status: no running MDS"
echo "$st" | grep -q "oss1: running" || fail "status: no second OSS"
echo "$st" | grep -q "mounted on $mnt" || fail "status: no mount"
local_ down --dir "$state/s" >/dev/null || fail "down"
grep -q " $mnt fuse.stria" /proc/mounts && fail "still mounted after down"
for d in mds oss0 oss1; do
	grep -q "stopped cleanly\|: stopped" "$state/s/$d.log" || fail "$d did not stop cleanly"
done
st=$(local_ status --dir "$state/s") || fail "status after down"
echo "$st" | grep -q "mds: stopped" || fail "status after down does not say the MDS stopped"
# The targets survive: up again and the data is still there.
local_ up --dir "$state/s" "$mnt" >/dev/null 2>&1 || fail "second up"
cmp "$state/data" "$mnt/striped" || fail "data lost across down and up"
echo "stria-local: up, status, down and up again: ok"
exit 0
