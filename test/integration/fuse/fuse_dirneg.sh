#!/bin/bash
# Negative lookups from complete directories (lookupcache=all, the default):
# a run of creates in a directory mount A made asks the MDS no LOOKUP; what
# another mount (B) creates there is found by A once entry_timeout has passed
# since A's last change, and ends a mount's completeness at its next change; an
# exclusive create of a name A wrongly thinks free still fails with EEXIST
# and a plain one opens the file that is there; lookupcache=positive (C)
# answers nothing itself.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
PY=/usr/bin/python3
fx_cluster 1
fx_mount a
fx_mount b
fx_mount c "lookupcache=positive"
fx_mount l "entry_timeout=30,attr_timeout=30"
A=$FX_DIR/a
B=$FX_DIR/b
C=$FX_DIR/c
L=$FX_DIR/l
count() { # MOUNT OPCODE: RPCs sent (or, for _LOCAL, answered without one)
	getfattr --only-values -n user.stria.rpcs "$1" 2>/dev/null |
		awk -v op="$2" '$1 == op {n = $2} END {print n + 0}'
}
creates() { # DIR N: N exclusive creates, each after a stat of the missing name
	"$PY" -c '
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    p = os.path.join(d, "f%d" % i)
    try:
        os.stat(p); sys.exit("f%d exists" % i)
    except FileNotFoundError:
        pass
    os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
' "$1" "$2"
}

# 1. 200 creates in a directory A made: the stat and the kernel's lookup
#    before each create are answered by A itself.
mkdir "$A/d"
l0=$(count "$A" MDS_LOOKUP)
n0=$(count "$A" MDS_LOOKUP_LOCAL)
creates "$A/d" 200 || fx_fail "creates in A"
l=$(($(count "$A" MDS_LOOKUP) - l0))
n=$(($(count "$A" MDS_LOOKUP_LOCAL) - n0))
echo "200 creates in A: $l MDS_LOOKUP, $n answered locally"
((n >= 380)) || fx_fail "only $n of 400 negative lookups answered locally"
((l <= 20)) || fx_fail "200 creates sent $l MDS_LOOKUP"
[[ $(ls "$B/d" | wc -l) == 200 ]] || fx_fail "B does not list A's 200 files"

# 2. B creates a name; A finds it once entry_timeout (1 s) has passed since
#    A's last change (A's answers are never older than that), without any
#    change of A's in between.
echo fromb >"$B/d/fromb"
sleep 1.5
[[ "$(cat "$A/d/fromb" 2>&1)" == fromb ]] || fx_fail "A does not see B's file after entry_timeout"

# 3. Mount L keeps names for 30 s, so nothing but its own changes tells it
#    about the directory: its next change after B's sees the version jump,
#    and its lookups go to the MDS again (B's file is found at once).
mkdir "$L/g"
touch "$L/g/l1"
touch "$B/g/b1"
touch "$L/g/l2"
l0=$(count "$L" MDS_LOOKUP)
n0=$(count "$L" MDS_LOOKUP_LOCAL)
for i in 1 2 3 4 5; do stat "$L/g/missing$i" >/dev/null 2>&1 && fx_fail "missing$i exists"; done
stat "$L/g/b1" >/dev/null || fx_fail "L does not find B's file after its own next change"
(($(count "$L" MDS_LOOKUP) - l0 == 6)) || fx_fail "after B's change L still answers lookups itself"
(($(count "$L" MDS_LOOKUP_LOCAL) == n0)) || fx_fail "L answered a lookup from a directory B changed"

# 4. A name B creates while A holds its directory complete: an exclusive
#    create in A fails with EEXIST, a plain open(O_CREAT) opens B's file.
mkdir "$A/e"
touch "$A/e/first"
echo hello >"$B/e/race"
"$PY" - "$A/e/race" <<'PYEOF' || fx_fail "creates in A over B's name"
import errno, os, sys
p = sys.argv[1]
try:
    os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    sys.exit("O_EXCL create of B's file succeeded")
except FileExistsError:
    pass
fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o644)
data = os.read(fd, 100)
os.close(fd)
if data != b"hello\n":
    sys.exit("O_CREAT open read %r, not B's data" % data)
PYEOF

# 5. lookupcache=positive: every lookup is asked.
mkdir "$C/p"
n0=$(count "$C" MDS_LOOKUP_LOCAL)
creates "$C/p" 50 || fx_fail "creates in C"
(($(count "$C" MDS_LOOKUP_LOCAL) == n0)) || fx_fail "lookupcache=positive answered a lookup itself"
fx_pass
