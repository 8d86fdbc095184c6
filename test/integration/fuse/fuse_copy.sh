#!/bin/bash
# copy_file_range through the FUSE client: offloaded to the OSS (OST_COPY)
# when every source/destination object pair lives on one OSS, and the
# kernel's fallback through this client (EOPNOTSUPP) otherwise.  Data is
# checked byte for byte; the mount's RPC counters (user.stria.rpcs) prove
# which path ran: OST_COPY and no OST_READ when offloaded, no OST_COPY and
# OST_READ when not.  Also: unaligned offsets across stripe boundaries, a
# source range past EOF, a destination extended by the copy, a source with
# write-behind data not yet sent, a destination whose pages the kernel had
# cached, an O_APPEND destination (EBADF), cp(1), and fsync's EIO after an
# OSS restart lost an acknowledged, unsynced copy.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
S="$STRIA_BUILD/tools/stria"
PY=/usr/bin/python3
fx_mkfs_mdt mdt0
for i in 0 1 2 3; do fx_mkfs_ost "ost$i" "$i"; done
fx_start_mds mds 127.0.0.2 mdt0
# OST0000 and OST0001 on oss1, OST0002 and OST0003 on oss2.
fx_start_oss oss1 127.0.0.3 ost0 ost1
fx_start_oss oss2 127.0.0.4 ost2 ost3
fx_mount m1
M=$FX_DIR/m1
fx_wait_osts "$M" 4

H=$FX_DIR/cfr.py
cat >"$H" <<'PYEOF'
import errno, os, sys

def copy(src, soff, dst, doff, length, flags=os.O_WRONLY | os.O_CREAT):
    """copy_file_range in a loop, as cp does; prints the bytes copied."""
    s = os.open(src, os.O_RDONLY)
    d = os.open(dst, flags, 0o644)
    total = 0
    while total < length:
        n = os.copy_file_range(s, d, length - total, soff + total, doff + total)
        if n == 0:
            break
        total += n
    os.close(s)
    os.close(d)
    print(total)

def rpcs(mnt, op):
    v = os.getxattr(mnt, "user.stria.rpcs").decode()
    print(sum(int(l.split()[1]) for l in v.splitlines() if l.split()[0] == op))

cmd = sys.argv[1]
if cmd == "copy":
    copy(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
elif cmd == "rpcs":
    rpcs(sys.argv[2], sys.argv[3])
elif cmd == "expect":
    # expect OUT BASE SRC SOFF DOFF LEN: BASE (or nothing) with SRC's bytes
    # [SOFF, SOFF+LEN) written at DOFF, into OUT
    out, base, src = sys.argv[2], sys.argv[3], sys.argv[4]
    soff, doff, n = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
    b = bytearray(open(base, "rb").read() if base != "-" else b"")
    piece = open(src, "rb").read()[soff:soff + n]
    if len(b) < doff + len(piece):
        b.extend(b"\0" * (doff + len(piece) - len(b)))
    b[doff:doff + len(piece)] = piece
    open(out, "wb").write(b)
elif cmd == "append":
    s = os.open(sys.argv[2], os.O_RDONLY)
    d = os.open(sys.argv[3], os.O_WRONLY | os.O_APPEND)
    try:
        os.copy_file_range(s, d, 4096, 0)
        print("copied")
    except OSError as e:
        print(errno.errorcode[e.errno])
elif cmd == "dirty":
    # Writes SRC's bytes [0, LEN) over SRC2 at OFF without closing (the
    # client holds them in write-behind), then copies SRC2 [0, N) onto DST.
    src, src2, dst, off, n = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    w = os.open(src2, os.O_WRONLY)
    os.pwrite(w, open(src, "rb").read()[:100000], off)
    s = os.open(src2, os.O_RDONLY)
    d = os.open(dst, os.O_WRONLY)
    total = 0
    while total < n:
        k = os.copy_file_range(s, d, n - total, total, total)
        if k == 0:
            break
        total += k
    os.close(w)
    print(total)
elif cmd == "fsync-after":
    # copy, fsync (must succeed), copy again, wait for GO, fsync
    src, dst, go = sys.argv[2], sys.argv[3], sys.argv[4]
    s = os.open(src, os.O_RDONLY)
    d = os.open(dst, os.O_WRONLY | os.O_CREAT, 0o644)
    os.copy_file_range(s, d, 1 << 20, 0, 0)
    os.fsync(d)
    print("first fsync ok", flush=True)
    os.copy_file_range(s, d, 1 << 20, 1 << 20, 1 << 20)
    print("copied", flush=True)
    open(go).read()
    try:
        os.fsync(d)
        print("fsync ok")
    except OSError as e:
        print("fsync", errno.errorcode[e.errno])
PYEOF
count() { "$PY" "$H" rpcs "$M" "$1"; }
snap() { c0=$(count OST_COPY) r0=$(count OST_READ) w0=$(count OST_WRITE); }
# offloaded: at least one OST_COPY, no OST_READ (no data through the client)
expect_offloaded() {
	local c r
	c=$(($(count OST_COPY) - c0)) r=$(($(count OST_READ) - r0))
	((c > 0 && r == 0)) || fx_fail "$1: not offloaded (OST_COPY +$c, OST_READ +$r)"
}
# fallback: no OST_COPY, the data read and written through the client
expect_fallback() {
	local c r w
	c=$(($(count OST_COPY) - c0)) r=$(($(count OST_READ) - r0)) w=$(($(count OST_WRITE) - w0))
	((c == 0 && r > 0 && w > 0)) || fx_fail "$1: not the fallback (OST_COPY +$c, OST_READ +$r, OST_WRITE +$w)"
}

SIZE=3000000
dd if=/dev/urandom of="$FX_DIR/src" bs=1000 count=$((SIZE / 1000)) 2>/dev/null
dd if=/dev/urandom of="$FX_DIR/other" bs=1000 count=$((SIZE / 1000)) 2>/dev/null

# Cheap: two stripes of 64 KiB from OST0000 (both on oss1), for both files.
mkdir "$M/cheap"
fx_run "$S" setstripe -c 2 -S 64k -i 0 "$M/cheap" >/dev/null
cp "$FX_DIR/src" "$M/cheap/src" || fx_fail "write src"
echo 3 >/proc/sys/vm/drop_caches

# Whole file, asking for 1 MiB more than there is: the copy stops at EOF.
snap
n=$("$PY" "$H" copy "$M/cheap/src" 0 "$M/cheap/whole" 0 $((SIZE + 1048576)))
[[ $n -eq $SIZE ]] || fx_fail "whole copy: $n bytes"
expect_offloaded "whole copy"
[[ $(count OST_WRITE) -eq $w0 ]] || fx_fail "whole copy wrote through the client"
cmp "$FX_DIR/src" "$M/cheap/whole" || fx_fail "whole copy differs"
echo 3 >/proc/sys/vm/drop_caches
cmp "$FX_DIR/src" "$M/cheap/whole" || fx_fail "whole copy differs (from the OSTs)"
"$S" getstripe "$M/cheap/whole" | grep -q "lmm_stripe_count: *2" || fx_fail "whole: layout"

# Unaligned, across many stripe boundaries (both offsets odd and different,
# so source and destination chunks interleave), into a new file: the copy
# extends it, and the bytes before the offset read as zeros.
snap
n=$("$PY" "$H" copy "$M/cheap/src" 12345 "$M/cheap/unal" 777 1000000)
[[ $n -eq 1000000 ]] || fx_fail "unaligned copy: $n bytes"
expect_offloaded "unaligned copy"
"$PY" "$H" expect "$FX_DIR/exp" - "$FX_DIR/src" 12345 777 1000000
[[ $(stat -c %s "$M/cheap/unal") -eq 1000777 ]] || fx_fail "unaligned: size $(stat -c %s "$M/cheap/unal")"
cmp "$FX_DIR/exp" "$M/cheap/unal" || fx_fail "unaligned copy differs"
echo 3 >/proc/sys/vm/drop_caches
cmp "$FX_DIR/exp" "$M/cheap/unal" || fx_fail "unaligned copy differs (from the OSTs)"

# A source range starting 1000 bytes before EOF: 1000 bytes, then nothing.
n=$("$PY" "$H" copy "$M/cheap/src" $((SIZE - 1000)) "$M/cheap/tail" 5 100000)
[[ $n -eq 1000 ]] || fx_fail "copy past EOF: $n bytes"
"$PY" "$H" expect "$FX_DIR/exp" - "$FX_DIR/src" $((SIZE - 1000)) 5 1000
cmp "$FX_DIR/exp" "$M/cheap/tail" || fx_fail "copy past EOF differs"
n=$("$PY" "$H" copy "$M/cheap/src" $((SIZE + 10)) "$M/cheap/tail" 0 100)
[[ $n -eq 0 ]] || fx_fail "copy from beyond EOF: $n bytes"

# Over existing data whose pages the kernel has cached, from a source with
# data still in the client's write-behind buffer: both must be right.
cp "$FX_DIR/other" "$M/cheap/dst3" || fx_fail "write dst3"
cp "$FX_DIR/other" "$M/cheap/src2" || fx_fail "write src2"
cat "$M/cheap/dst3" >/dev/null
cp "$FX_DIR/other" "$FX_DIR/src2.exp"
"$PY" "$H" expect "$FX_DIR/src2.exp" "$FX_DIR/other" "$FX_DIR/src" 0 200000 100000
snap
n=$("$PY" "$H" dirty "$FX_DIR/src" "$M/cheap/src2" "$M/cheap/dst3" 200000 1500000)
[[ $n -eq 1500000 ]] || fx_fail "dirty-source copy: $n bytes"
expect_offloaded "dirty-source copy"
"$PY" "$H" expect "$FX_DIR/exp" "$FX_DIR/other" "$FX_DIR/src2.exp" 0 0 1500000
cmp "$FX_DIR/exp" "$M/cheap/dst3" || fx_fail "copy over cached pages / dirty source differs"
echo 3 >/proc/sys/vm/drop_caches
cmp "$FX_DIR/exp" "$M/cheap/dst3" || fx_fail "copy over existing data differs (from the OSTs)"
cmp "$FX_DIR/src2.exp" "$M/cheap/src2" || fx_fail "dirty source differs"

# An O_APPEND destination: EBADF, as copy_file_range(2) says.
r=$("$PY" "$H" append "$M/cheap/src" "$M/cheap/tail")
[[ $r == EBADF ]] || fx_fail "O_APPEND destination: $r"

# cp(1) of a striped file inside the mount uses copy_file_range.
snap
cp "$M/cheap/src" "$M/cheap/cp" || fx_fail "cp"
expect_offloaded "cp"
echo 3 >/proc/sys/vm/drop_caches
cmp "$FX_DIR/src" "$M/cheap/cp" || fx_fail "cp differs"

# Striped over both OSSes (OST0001 on oss1, OST0002 on oss2): aligned copies
# pair stripe 0 with stripe 0 and 1 with 1, each on one OSS, and are
# offloaded; shifted by 1000 bytes, a stripe-0 object pairs with a stripe-1
# object on the other OSS, and the kernel falls back.
mkdir "$M/span"
fx_run "$S" setstripe -c 2 -S 64k -i 1 "$M/span" >/dev/null
cp "$FX_DIR/src" "$M/span/src" || fx_fail "write span/src"
echo 3 >/proc/sys/vm/drop_caches
snap
n=$("$PY" "$H" copy "$M/span/src" 0 "$M/span/aligned" 0 $SIZE)
[[ $n -eq $SIZE ]] || fx_fail "span aligned: $n bytes"
expect_offloaded "span aligned"
snap
n=$("$PY" "$H" copy "$M/span/src" 0 "$M/span/shifted" 1000 $SIZE)
[[ $n -eq $SIZE ]] || fx_fail "span shifted: $n bytes"
expect_fallback "span shifted"
echo 3 >/proc/sys/vm/drop_caches
cmp "$FX_DIR/src" "$M/span/aligned" || fx_fail "span aligned differs"
"$PY" "$H" expect "$FX_DIR/exp" - "$FX_DIR/src" 0 1000 $SIZE
cmp "$FX_DIR/exp" "$M/span/shifted" || fx_fail "span shifted differs"

# Not cheap: the source on oss2, the destination on oss1.  The kernel's
# fallback reads and writes through the client, and cp works as well.
mkdir "$M/far" "$M/near"
fx_run "$S" setstripe -c 1 -i 2 "$M/far" >/dev/null
fx_run "$S" setstripe -c 1 -i 0 "$M/near" >/dev/null
cp "$FX_DIR/src" "$M/far/src" || fx_fail "write far/src"
echo 3 >/proc/sys/vm/drop_caches
snap
n=$("$PY" "$H" copy "$M/far/src" 333 "$M/near/dst" 4444 2000000)
[[ $n -eq 2000000 ]] || fx_fail "fallback copy: $n bytes"
expect_fallback "fallback copy"
"$PY" "$H" expect "$FX_DIR/exp" - "$FX_DIR/src" 333 4444 2000000
echo 3 >/proc/sys/vm/drop_caches
cmp "$FX_DIR/exp" "$M/near/dst" || fx_fail "fallback copy differs"
snap
cp "$M/far/src" "$M/near/cp" || fx_fail "cp across OSSes"
expect_fallback "cp across OSSes"
echo 3 >/proc/sys/vm/drop_caches
cmp "$FX_DIR/src" "$M/near/cp" || fx_fail "cp across OSSes differs"
# A fallback does not switch the offload off (EOPNOTSUPP, not ENOSYS).
snap
n=$("$PY" "$H" copy "$M/cheap/src" 0 "$M/cheap/again" 0 100000)
[[ $n -eq 100000 ]] || fx_fail "copy after a fallback: $n bytes"
expect_offloaded "copy after a fallback"

# fsync after an OSS restart that lost an acknowledged, unsynced copy: EIO.
mkfifo "$FX_DIR/go"
"$PY" "$H" fsync-after "$M/cheap/src" "$M/cheap/fs" "$FX_DIR/go" >"$FX_DIR/fs.out" 2>&1 &
pyp=$!
for ((i = 0; i < 600; i++)); do
	grep -q copied "$FX_DIR/fs.out" && break
	kill -0 $pyp 2>/dev/null || break
	sleep 0.05
done
grep -q "first fsync ok" "$FX_DIR/fs.out" || fx_fail "fsync after a copy: $(cat "$FX_DIR/fs.out")"
grep -q copied "$FX_DIR/fs.out" || fx_fail "second copy: $(cat "$FX_DIR/fs.out")"
fx_kill oss1
fx_restart oss1
echo >"$FX_DIR/go"
wait $pyp
grep -q "fsync EIO" "$FX_DIR/fs.out" || fx_fail "fsync after the OSS restart: $(cat "$FX_DIR/fs.out")"

fx_umount m1
fx_pass
