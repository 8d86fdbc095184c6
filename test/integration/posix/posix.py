#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""POSIX behaviour of a directory (a stria mount): chmod, chown, link, mkdir,
mkfifo, open, rename, rmdir, symlink, truncate, unlink, utimensat, with their
errno cases.  Run as root or as an unprivileged user:

    posix.py DIR OTHER_DIR

DIR: an empty directory owned by the running user.  OTHER_DIR: a directory
owned by root, mode 0755, holding "rootfile" (0600) and "shared" (0666).
Prints one line per failed check and exits 1 if any failed."""
import ctypes
import errno
import os
import stat
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def utimensat(path, a, m):
    ts = (Timespec * 2)(Timespec(*a), Timespec(*m))
    if libc.utimensat(AT_FDCWD, path.encode(), ts, 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), path)


def renameat2(a, b, flags):
    if libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), a)


failures = []
root = os.geteuid() == 0


def check(name, cond):
    if not cond:
        failures.append(name)
        print("FAIL:", name, flush=True)


def err(name, want, fn, *args):
    try:
        fn(*args)
    except OSError as e:
        check(f"{name}: errno {errno.errorcode.get(e.errno)} want {errno.errorcode[want]}",
              e.errno == want)
        return
    check(f"{name}: succeeded, want {errno.errorcode[want]}", False)


def mkfile(p, data=b"", mode=0o644):
    fd = os.open(p, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, mode)
    os.write(fd, data)
    os.close(fd)


def main(d, other):
    j = lambda *a: os.path.join(d, *a)
    me = os.geteuid()

    # chmod
    mkfile(j("f"), b"x")
    os.chmod(j("f"), 0o600)
    check("chmod mode", stat.S_IMODE(os.stat(j("f")).st_mode) == 0o600)
    os.chmod(j("f"), 0o4755)
    check("chmod setuid", stat.S_IMODE(os.stat(j("f")).st_mode) == 0o4755)
    err("chmod missing", errno.ENOENT, os.chmod, j("nope"), 0o644)
    if not root:
        err("chmod not owner", errno.EPERM, os.chmod, os.path.join(other, "shared"), 0o600)
    # writing clears setuid (the kernel does it: no HANDLE_KILLPRIV)
    if not root:
        with open(j("f"), "ab") as fh:
            fh.write(b"y")
        check("write clears setuid", not os.stat(j("f")).st_mode & stat.S_ISUID)

    # chown
    if root:
        os.chown(j("f"), 1234, 4321)
        st = os.stat(j("f"))
        check("chown uid/gid", (st.st_uid, st.st_gid) == (1234, 4321))
        os.chown(j("f"), -1, -1)
        check("chown -1 keeps", os.stat(j("f")).st_uid == 1234)
        os.chown(j("f"), 0, 0)
    else:
        err("chown to another uid", errno.EPERM, os.chown, j("f"), 0, -1)
        os.chown(j("f"), me, -1)
    err("chown missing", errno.ENOENT, os.chown, j("nope"), me, -1)

    # link
    mkfile(j("l1"), b"data")
    os.link(j("l1"), j("l2"))
    a, b = os.stat(j("l1")), os.stat(j("l2"))
    check("link same inode", a.st_ino == b.st_ino and a.st_nlink == 2)
    err("link onto existing", errno.EEXIST, os.link, j("l1"), j("l2"))
    err("link missing source", errno.ENOENT, os.link, j("nope"), j("l3"))
    os.mkdir(j("ldir"))
    err("link a directory", errno.EPERM, os.link, j("ldir"), j("ldir2"))
    os.unlink(j("l1"))
    check("unlink one link", os.stat(j("l2")).st_nlink == 1)
    with open(j("l2"), "rb") as fh:
        check("data via remaining link", fh.read() == b"data")

    # mkdir
    os.mkdir(j("m"), 0o750)
    st = os.stat(j("m"))
    check("mkdir mode", stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o750 & ~0o022)
    check("mkdir nlink", st.st_nlink == 2)
    os.mkdir(j("m", "sub"))
    check("parent nlink", os.stat(j("m")).st_nlink == 3)
    err("mkdir existing", errno.EEXIST, os.mkdir, j("m"))
    err("mkdir no parent", errno.ENOENT, os.mkdir, j("nope", "x"))
    err("mkdir under file", errno.ENOTDIR, os.mkdir, j("f", "x"))
    err("mkdir long name", errno.ENAMETOOLONG, os.mkdir, j("n" * 256))
    os.mkdir(j("n" * 255))
    if not root:
        err("mkdir in root-owned dir", errno.EACCES, os.mkdir, os.path.join(other, "mine"))

    # mkfifo
    os.mkfifo(j("fifo"), 0o640)
    check("mkfifo type", stat.S_ISFIFO(os.lstat(j("fifo")).st_mode))
    err("mkfifo existing", errno.EEXIST, os.mkfifo, j("fifo"))
    err("mkfifo no parent", errno.ENOENT, os.mkfifo, j("nope", "fifo"))

    # open
    err("open O_EXCL existing", errno.EEXIST, os.open, j("f"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    err("open missing", errno.ENOENT, os.open, j("nope"), os.O_RDONLY)
    err("open dir for writing", errno.EISDIR, os.open, j("m"), os.O_WRONLY)
    err("open through a file", errno.ENOTDIR, os.open, j("f", "x"), os.O_RDONLY)
    err("open O_DIRECTORY on a file", errno.ENOTDIR, os.open, j("f"), os.O_RDONLY | os.O_DIRECTORY)
    mkfile(j("t"), b"0123456789")
    fd = os.open(j("t"), os.O_WRONLY | os.O_TRUNC)
    os.close(fd)
    check("O_TRUNC", os.stat(j("t")).st_size == 0)
    fd = os.open(j("t"), os.O_WRONLY | os.O_APPEND)
    os.write(fd, b"ab")
    os.write(fd, b"cd")
    os.close(fd)
    with open(j("t"), "rb") as fh:
        check("O_APPEND", fh.read() == b"abcd")
    if not root:
        err("open root's 0600 file", errno.EACCES, os.open, os.path.join(other, "rootfile"), os.O_RDONLY)

    # rename
    mkfile(j("r1"), b"one")
    mkfile(j("r2"), b"two")
    os.rename(j("r1"), j("r2"))
    with open(j("r2"), "rb") as fh:
        check("rename replaces", fh.read() == b"one" and not os.path.exists(j("r1")))
    os.mkdir(j("rd1"))
    os.mkdir(j("rd2"))
    mkfile(j("rd2", "x"))
    err("rename onto non-empty dir", errno.ENOTEMPTY, os.rename, j("rd1"), j("rd2"))
    err("rename dir into itself", errno.EINVAL, os.rename, j("rd1"), j("rd1", "sub"))
    err("rename file over dir", errno.EISDIR, os.rename, j("r2"), j("rd1"))
    err("rename dir over file", errno.ENOTDIR, os.rename, j("rd1"), j("r2"))
    err("rename missing", errno.ENOENT, os.rename, j("nope"), j("x"))
    os.rename(j("rd1"), j("rd3"))
    check("rename dir", os.path.isdir(j("rd3")) and not os.path.exists(j("rd1")))
    mkfile(j("e1"), b"1")
    mkfile(j("e2"), b"2")
    err("RENAME_NOREPLACE", errno.EEXIST, renameat2, j("e1"), j("e2"), RENAME_NOREPLACE)
    renameat2(j("e1"), j("e2"), RENAME_EXCHANGE)
    with open(j("e1"), "rb") as a, open(j("e2"), "rb") as b:
        check("RENAME_EXCHANGE", a.read() == b"2" and b.read() == b"1")

    # rmdir
    err("rmdir non-empty", errno.ENOTEMPTY, os.rmdir, j("rd2"))
    err("rmdir a file", errno.ENOTDIR, os.rmdir, j("r2"))
    err("rmdir missing", errno.ENOENT, os.rmdir, j("nope"))
    os.rmdir(j("rd3"))
    check("rmdir", not os.path.exists(j("rd3")))

    # symlink
    os.symlink("target/of/link", j("s"))
    check("symlink readlink", os.readlink(j("s")) == "target/of/link")
    check("symlink lstat", stat.S_ISLNK(os.lstat(j("s")).st_mode))
    err("symlink existing", errno.EEXIST, os.symlink, "x", j("s"))
    err("stat dangling", errno.ENOENT, os.stat, j("s"))
    os.symlink("f", j("s2"))
    check("follow symlink", os.stat(j("s2")).st_ino == os.stat(j("f")).st_ino)

    # truncate
    mkfile(j("tr"), b"x" * 100)
    os.truncate(j("tr"), 10)
    check("truncate shrink", os.stat(j("tr")).st_size == 10)
    os.truncate(j("tr"), 5000)
    with open(j("tr"), "rb") as fh:
        data = fh.read()
    check("truncate grow zeros", len(data) == 5000 and data[:10] == b"x" * 10 and data[10:] == bytes(4990))
    err("truncate dir", errno.EISDIR, os.truncate, j("m"), 0)
    err("truncate negative", errno.EINVAL, os.truncate, j("tr"), -1)
    err("truncate missing", errno.ENOENT, os.truncate, j("nope"), 0)

    # unlink
    err("unlink dir", errno.EISDIR, os.unlink, j("m"))
    err("unlink missing", errno.ENOENT, os.unlink, j("nope"))
    os.unlink(j("tr"))
    check("unlink", not os.path.exists(j("tr")))

    # utimensat
    utimensat(j("f"), (1000000000, 123456789), (1100000000, 987654321))
    st = os.stat(j("f"))
    check("utimensat exact", st.st_atime_ns == 1000000000123456789 and st.st_mtime_ns == 1100000000987654321)
    utimensat(j("f"), (0, UTIME_OMIT), (0, UTIME_NOW))
    st2 = os.stat(j("f"))
    check("UTIME_OMIT keeps atime", st2.st_atime_ns == 1000000000123456789)
    check("UTIME_NOW sets mtime", abs(st2.st_mtime - time.time()) < 30)
    check("ctime moves", st2.st_ctime_ns >= st.st_ctime_ns)
    err("utimensat missing", errno.ENOENT, utimensat, j("nope"), (0, UTIME_NOW), (0, UTIME_NOW))
    if not root:
        shared = os.path.join(other, "shared")
        utimensat(shared, (0, UTIME_NOW), (0, UTIME_NOW))  # write access suffices
        err("utimensat explicit not owner", errno.EPERM, utimensat, shared, (1, 0), (1, 0))

    # readdir sees exactly what was made
    names = sorted(os.listdir(j("m")))
    check("readdir", names == ["sub"])

    if failures:
        print(f"{len(failures)} check(s) failed as uid {me}")
        return 1
    print(f"posix: all checks passed as uid {me}")
    return 0


sys.exit(main(sys.argv[1], sys.argv[2]))
