#!/bin/bash
# Two mounts of one file system: close-to-open with attr_timeout=60, readdir
# listing every entry present throughout exactly once while the other mount
# creates and deletes 10k entries, rename atomicity under concurrent readers.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
PY=/usr/bin/python3
fx_cluster 2
fx_mount a "attr_timeout=60,entry_timeout=60"
fx_mount b "attr_timeout=60,entry_timeout=60"
A=$FX_DIR/a
B=$FX_DIR/b

# close-to-open: B stats (caching 60 s), A writes and closes, B's open sees all.
printf 'short' >"$A/c2o"
[[ $(stat -c %s "$B/c2o") -eq 5 ]] || fx_fail "B does not see the first version"
cat "$B/c2o" >/dev/null
head -c 300000 /dev/urandom >"$FX_DIR/v2"
cp "$FX_DIR/v2" "$A/c2o"
cmp "$FX_DIR/v2" "$B/c2o" || fx_fail "close-to-open: B read stale data"
[[ $(stat -c %s "$B/c2o") -eq 300000 ]] || fx_fail "close-to-open: B's size after open"

# readdir exactly once under churn
mkdir "$A/dir"
for i in $(seq 1 500); do echo >"$A/dir/stable$i"; done
"$PY" - "$B/dir" <<'PYEOF' &
import os, sys
d = sys.argv[1]
for r in range(2):
    for i in range(5000):
        open(os.path.join(d, "churn%d_%d" % (r, i)), "w").close()
    for i in range(5000):
        os.unlink(os.path.join(d, "churn%d_%d" % (r, i)))
PYEOF
churn=$!
"$PY" - "$A/dir" <<'PYEOF' || fx_fail "readdir under churn"
import os, sys, collections
d = sys.argv[1]
for rnd in range(15):
    names = collections.Counter(os.listdir(d))
    dup = [n for n, c in names.items() if c > 1]
    missing = [i for i in range(1, 501) if names["stable%d" % i] != 1]
    if dup or missing:
        print("round", rnd, "duplicates", dup[:5], "missing", missing[:5])
        sys.exit(1)
PYEOF
wait $churn || fx_fail "churn failed"

# rename atomicity: readers of "cur" always see one whole version
for v in 0 1; do head -c 100000 /dev/zero | tr '\0' "$v" >"$A/v$v"; done
cp "$A/v0" "$A/cur"
"$PY" - "$A" <<'PYEOF' &
import os, shutil, sys
d = sys.argv[1]
for i in range(300):
    shutil.copyfile(os.path.join(d, "v%d" % (i % 2)), os.path.join(d, "tmp"))
    os.rename(os.path.join(d, "tmp"), os.path.join(d, "cur"))
PYEOF
ren=$!
"$PY" - "$B" "$ren" <<'PYEOF' || fx_fail "a reader saw a torn or missing file"
import os, sys
d, pid = sys.argv[1], int(sys.argv[2])
n = 0
while True:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        break
    data = open(os.path.join(d, "cur"), "rb").read()
    if len(data) != 100000 or len(set(data)) != 1:
        print("torn read", len(data), set(data))
        sys.exit(1)
    n += 1
print("reads", n)
PYEOF
wait $ren || fx_fail "renamer failed"
fx_umount a
fx_umount b
fx_pass
