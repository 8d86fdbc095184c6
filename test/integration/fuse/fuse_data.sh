#!/bin/bash
# Data through the FUSE client: integrity across stripe boundaries (stripe
# counts 1, 2, 4; unaligned I/O; > 4 GiB via sparse offsets; holes), O_APPEND,
# O_TRUNC, O_DIRECT, mmap MAP_SHARED (also after close), fallocate, extending
# truncate, open-unlinked files, st_blksize/st_blocks, layouts through the
# virtual xattr (cp -a copies them; setting the identical layout again works).
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
T="$STRIA_BUILD/test/integration/fuse/fc_tool"
PY=/usr/bin/python3
fx_cluster 4
fx_mount m1
M=$FX_DIR/m1
fx_wait_osts "$M" 4

for c in 1 2 4; do
	mkdir "$M/c$c"
	"$T" setstripe "$M/c$c" "$c" 65536 || fx_fail "setstripe c$c"
	"$T" pattern write "$M/c$c/f" 12345 3000000 "$c" || fx_fail "write c$c"
	"$T" getstripe "$M/c$c/f" | grep -q "^$c 65536 " || fx_fail "c$c: layout $("$T" getstripe "$M/c$c/f")"
	"$T" pattern check "$M/c$c/f" 12345 3000000 "$c" || fx_fail "check c$c (cached)"
	echo 3 >/proc/sys/vm/drop_caches
	"$T" pattern check "$M/c$c/f" 12345 3000000 "$c" || fx_fail "check c$c (from the OSTs)"
	[[ $(head -c 12345 "$M/c$c/f" | tr -d '\0' | wc -c) -eq 0 ]] || fx_fail "c$c: hole not zeros"
	[[ $(stat -c %s "$M/c$c/f") -eq 3012345 ]] || fx_fail "c$c: size $(stat -c %s "$M/c$c/f")"
	[[ $(stat -c %o "$M/c$c/f") -eq 65536 ]] || fx_fail "c$c: st_blksize is not the stripe size"
	blocks=$(stat -c %b "$M/c$c/f")
	((blocks >= 5800 && blocks < 6200)) || fx_fail "c$c: st_blocks $blocks"
	# > 4 GiB, sparse: data beyond 5 GiB, zeros before it
	big=$((5 * 1024 * 1024 * 1024 + 777))
	"$T" pattern write "$M/c$c/big" "$big" 200000 "$((c + 10))" || fx_fail "write c$c big"
	echo 3 >/proc/sys/vm/drop_caches
	"$T" pattern check "$M/c$c/big" "$big" 200000 "$((c + 10))" || fx_fail "check c$c big"
	[[ $(stat -c %s "$M/c$c/big") -eq $((big + 200000)) ]] || fx_fail "c$c: big size"
	[[ $(dd if="$M/c$c/big" bs=1M skip=4096 count=1 2>/dev/null | tr -d '\0' | wc -c) -eq 0 ]] ||
		fx_fail "c$c: sparse region not zeros"
done

# Small sequential writes, aggregated: 1 MiB in 4 KiB writes
dd if=/dev/urandom of="$FX_DIR/src" bs=4k count=256 2>/dev/null
dd if="$FX_DIR/src" of="$M/c4/small" bs=4k 2>/dev/null
cmp "$FX_DIR/src" "$M/c4/small" || fx_fail "4 KiB writes"
echo 3 >/proc/sys/vm/drop_caches
cmp "$FX_DIR/src" "$M/c4/small" || fx_fail "4 KiB writes after drop_caches"

# O_DIRECT
dd if="$FX_DIR/src" of="$M/c4/direct" bs=64k oflag=direct 2>/dev/null || fx_fail "O_DIRECT write"
dd if="$M/c4/direct" of="$FX_DIR/back" bs=64k iflag=direct 2>/dev/null || fx_fail "O_DIRECT read"
cmp "$FX_DIR/src" "$FX_DIR/back" || fx_fail "O_DIRECT data"

# O_APPEND, O_TRUNC, mmap MAP_SHARED (also after close), open-unlinked, fallocate
"$PY" - "$M/c2" <<'PYEOF' || fx_fail "python checks"
import mmap, os, sys
d = sys.argv[1]
p = os.path.join(d, "ap")
for i in range(3):
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.write(fd, b"line%d\n" % i)
    os.close(fd)
assert open(p, "rb").read() == b"line0\nline1\nline2\n", "O_APPEND"
fd = os.open(p, os.O_WRONLY | os.O_TRUNC)
os.write(fd, b"new")
os.close(fd)
assert open(p, "rb").read() == b"new", "O_TRUNC"
# mmap MAP_SHARED writes, flushed by munmap after close
p = os.path.join(d, "mm")
with open(p, "wb") as f:
    f.truncate(3 * 65536 + 100)
fd = os.open(p, os.O_RDWR)
m = mmap.mmap(fd, 3 * 65536 + 100, mmap.MAP_SHARED)
os.close(fd)
for i in range(0, len(m), 4096):
    m[i:i + 5] = b"MMAP!"
m.close()
data = open(p, "rb").read()
assert all(data[i:i + 5] == b"MMAP!" for i in range(0, len(data), 4096)), "mmap"
# open-unlinked
p = os.path.join(d, "unl")
fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"x" * 200000)
os.unlink(p)
assert not os.path.exists(p)
assert os.fstat(fd).st_nlink == 0
os.lseek(fd, 0, 0)
assert os.read(fd, 300000) == b"x" * 200000, "open-unlinked read"
os.write(fd, b"more")
os.close(fd)
# fallocate
p = os.path.join(d, "fa")
fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
os.posix_fallocate(fd, 0, 300000)
assert os.fstat(fd).st_size == 300000, "fallocate mode 0 size"
os.write(fd, b"y" * 300000)
os.close(fd)
PYEOF
fallocate -n -o 1M -l 1M "$M/c2/fa" || fx_fail "fallocate KEEP_SIZE"
[[ $(stat -c %s "$M/c2/fa") -eq 300000 ]] || fx_fail "KEEP_SIZE changed the size"
fallocate -p -o 65000 -l 70000 "$M/c2/fa" || fx_fail "punch hole"
echo 3 >/proc/sys/vm/drop_caches
[[ $(dd if="$M/c2/fa" bs=1 skip=65000 count=70000 2>/dev/null | tr -d '\0' | wc -c) -eq 0 ]] ||
	fx_fail "punched range not zeros"
[[ $(dd if="$M/c2/fa" bs=1 skip=135000 count=1000 2>/dev/null | tr -d 'y' | wc -c) -eq 0 ]] ||
	fx_fail "punch went too far"
fallocate -z -o 0 -l 4096 "$M/c2/fa" 2>/dev/null && fx_fail "zero range should be EOPNOTSUPP"

# Extending truncate reads zeros; shrinking truncate drops data
printf 'abc' >"$M/c4/tr"
truncate -s 5000000 "$M/c4/tr"
[[ $(tail -c +4 "$M/c4/tr" | tr -d '\0' | wc -c) -eq 0 ]] || fx_fail "extended part not zeros"
truncate -s 2 "$M/c4/tr"
[[ $(cat "$M/c4/tr") == ab ]] || fx_fail "shrinking truncate"

# Layout xattr: identical again succeeds, a different one on a written file fails,
# cp -a copies the geometry, a directory default is inherited.
"$T" setstripe "$M/c4/f" 4 65536 || fx_fail "identical layout again"
"$T" setstripe "$M/c4/f" 2 65536 2>/dev/null && fx_fail "changed the layout of a written file"
getfattr -d -m - "$M/c4/f" 2>/dev/null | grep -q user.stria.lov || fx_fail "layout not listed"
mkdir "$M/plain"
cp -a "$M/c4/f" "$M/plain/copy" || fx_fail "cp -a to another directory"
cmp "$M/c4/f" "$M/plain/copy" || fx_fail "cp -a data"
cp -a "$M/c4/f" "$M/c4/copy" || fx_fail "cp -a within the directory"
"$T" getstripe "$M/c4/copy" | grep -q "^4 65536 " || fx_fail "cp -a copy layout"
# A file's own layout value (with its objects) set on another file with the
# same geometry is "identical": rsync -X / tar --xattrs restore it fine.
v=$(getfattr -e hex -n user.stria.lov "$M/c4/f" 2>/dev/null | sed -n "s/^user.stria.lov=//p")
setfattr -n user.stria.lov -v "$v" "$M/c4/copy" || fx_fail "restoring a copied layout value"
# statfs of every target through the root
[[ $("$T" statfs "$M" | grep -c ' 0 ') -eq 5 ]] || fx_fail "statfs xattr: $("$T" statfs "$M")"
[[ $(stat -f -c %l "$M") -eq 255 ]] || fx_fail "f_namemax"
df "$M" >/dev/null || fx_fail "df"

# A read waits for the data written before it, not for data written while it
# waits.  The OSS is stopped so that a full write-behind buffer (8 MiB) stays
# in flight; a read arrives and waits for it; then 4 KiB more are written and
# stay buffered (nothing flushes a partial buffer but a later write, a flush,
# a read or a release).  Once the OSS runs again the read must finish while
# the writer still holds the file open: a read that also waited for those
# 4 KiB would wait for the close, and a writer blocked on the page that read
# holds never closes.
mkdir "$M/wbr"
"$T" setstripe "$M/wbr" 1 1048576 || fx_fail "setstripe wbr"
oss=$(fx_pid oss1)
"$PY" - "$M/wbr/f" "$oss" <<'PYEOF' || fx_fail "a read waited for data written after it"
import os, signal, sys, threading, time
path, oss = sys.argv[1], int(sys.argv[2])
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
os.kill(oss, signal.SIGSTOP)
try:
    os.pwrite(fd, b"a" * (8 << 20), 0)          # fills the buffer: its flush waits for the OSS
    got = {}
    def reader():
        rfd = os.open(path, os.O_RDONLY | os.O_DIRECT)
        import mmap
        buf = mmap.mmap(-1, 4096)
        got["n"] = os.preadv(rfd, [buf], 0)
        got["data"] = bytes(buf[:4])
        os.close(rfd)
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    time.sleep(0.5)                              # the read is waiting for the flush
    os.pwrite(fd, b"b" * 4096, 8 << 20)          # buffered behind it
    time.sleep(0.2)
finally:
    os.kill(oss, signal.SIGCONT)
t.join(15)
done = not t.is_alive()
os.close(fd)
if not done:
    t.join(30)
    sys.exit("the read finished only after the writer closed the file")
if got.get("n") != 4096 or got.get("data") != b"aaaa":
    sys.exit("read back %r %r" % (got.get("n"), got.get("data")))
PYEOF
[[ $(stat -c %s "$M/wbr/f") -eq $((8 * 1048576 + 4096)) ]] || fx_fail "wbr: size $(stat -c %s "$M/wbr/f")"

fx_umount m1
fx_pass
