#!/bin/bash
# Directories' post-op attributes: after each change through mount A, A's
# stat of the directories it touched (answered from the reply, no RPC) equals
# what a mount that caches nothing (B: attr_timeout=0) gets from the MDS; a
# run of creates costs no MDS_GETATTR of the directory; another mount's
# change shows in A once attr_timeout has passed.  The MDS answers the reads
# that reach it idle on its loop thread.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
PY=/usr/bin/python3
fx_cluster 1
fx_mount a
fx_mount b "attr_timeout=0,entry_timeout=0"
A=$FX_DIR/a
B=$FX_DIR/b
count() { # OPCODE: how many the mount A has sent (answered, for _LOCAL)
	getfattr --only-values -n user.stria.rpcs "$A" 2>/dev/null |
		awk -v op="$1" '$1 == op {n = $2} END {print n + 0}'
}

# Every kind of change, each followed by a comparison of the directories it
# touched, A (post-op attributes) against B (the MDS).
"$PY" - "$A" "$B" <<'PYEOF' || fx_fail "A's directory attributes differ from the MDS's"
import os, sys
a, b = sys.argv[1], sys.argv[2]
def same(*rels):
    for r in rels:
        x, y = os.stat(os.path.join(a, r)), os.stat(os.path.join(b, r))
        fx = (x.st_mode, x.st_nlink, x.st_uid, x.st_gid, x.st_size, x.st_mtime_ns, x.st_ctime_ns)
        fy = (y.st_mode, y.st_nlink, y.st_uid, y.st_gid, y.st_size, y.st_mtime_ns, y.st_ctime_ns)
        if fx != fy:
            print("after", step, r, "A:", fx, "B:", fy)
            sys.exit(1)
P = lambda *r: os.path.join(a, *r)
step = "mkdir"
os.mkdir(P("d")); os.mkdir(P("e")); same(".", "d", "e")
for i in range(60):
    step = "create %d" % i
    os.close(os.open(P("d", "f%d" % i), os.O_CREAT | os.O_WRONLY, 0o644)); same("d")
    step = "mkdir %d" % i
    os.mkdir(P("d", "s%d" % i)); same("d")
    step = "rename in %d" % i
    os.rename(P("d", "f%d" % i), P("d", "g%d" % i)); same("d")
    step = "rename across %d" % i
    os.rename(P("d", "s%d" % i), P("e", "s%d" % i)); same("d", "e", "e/s%d" % i)
    step = "link %d" % i
    os.link(P("d", "g%d" % i), P("e", "l%d" % i)); same("d", "e")
    step = "symlink %d" % i
    os.symlink("g%d" % i, P("d", "y%d" % i)); same("d")
    step = "mknod %d" % i
    os.mkfifo(P("d", "p%d" % i)); same("d")
    step = "unlink %d" % i
    for n in ("g%d" % i, "y%d" % i, "p%d" % i):
        os.unlink(P("d", n)); same("d")
    step = "rmdir %d" % i
    os.rmdir(P("e", "s%d" % i)); same("e")
    step = "chmod %d" % i
    os.chmod(P("e"), 0o700 if i % 2 else 0o755); same("e")
    step = "setxattr %d" % i
    os.setxattr(P("e"), "user.k", b"v%d" % i); same("e")
step = "exchange"
os.mkdir(P("d", "x")); os.mkdir(P("e", "x", ))
os.mkdir(P("e", "x", "in"))
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
if libc.renameat2(-100, P("d", "x").encode(), -100, P("e", "x").encode(), 2) != 0:
    print("renameat2 EXCHANGE:", os.strerror(ctypes.get_errno())); sys.exit(1)
same("d", "e", "d/x", "e/x")
PYEOF

# A run of creates in one directory: the kernel's GETATTR of the directory
# before each one is answered from the previous create's reply.
mkdir "$A/c"
g0=$(count MDS_GETATTR)
l0=$(count MDS_GETATTR_LOCAL)
"$PY" -c '
import os, sys
for i in range(200):
    os.close(os.open(os.path.join(sys.argv[1], "f%d" % i), os.O_CREAT | os.O_WRONLY, 0o644))
' "$A/c" || fx_fail "creates"
g=$(($(count MDS_GETATTR) - g0))
l=$(($(count MDS_GETATTR_LOCAL) - l0))
echo "200 creates: $g MDS_GETATTR, $l answered locally"
((g <= 20)) || fx_fail "200 creates sent $g MDS_GETATTR"
((l >= 180)) || fx_fail "200 creates: only $l GETATTRs answered from post-op attributes"

# Another mount's change reaches A within attr_timeout (1 s by default).
touch "$A/c/last"
stat "$A/c" >/dev/null
mkdir "$B/c/fromb"
sleep 1.2
[[ $(stat -c %h "$A/c") == $(stat -c %h "$B/c") && $(stat -c %h "$A/c") == 3 ]] ||
	fx_fail "A still shows $(stat -c %h "$A/c") links of c after attr_timeout (B: $(stat -c %h "$B/c"))"

# The lookups and getattrs B sent came one at a time to an idle MDS: it
# answered them on its loop thread (NET_H_TRY_INLINE), without a worker.
fx_umount_all
fx_stop mds
reads=$(sed -n 's/.*; \([0-9]*\) read(s) answered on the loop thread.*/\1/p' "$FX_DIR/mds.log" | tail -1)
echo "MDS: ${reads:-no} read(s) answered on its loop thread"
((${reads:-0} > 0)) || fx_fail "the MDS answered no LOOKUP or GETATTR on its loop thread"
fx_pass
