/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FUSE session's capabilities (init) and the one operations table.
 * Locks: with localflock (the default) no lock operation is implemented and
 * FUSE_CAP_POSIX_LOCKS/FLOCK_LOCKS are not negotiated, so the kernel keeps
 * flock and fcntl locks itself: coherent among this client's processes
 * only.  With noflock the lock operations answer ENOSYS.
 */
#include "fc_int.h"

#include <errno.h>

static void fc_op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fc_fs *fs = userdata;

	conn->want |= FUSE_CAP_ASYNC_READ | FUSE_CAP_READDIRPLUS | FUSE_CAP_PARALLEL_DIROPS;
	/* Only readdirplus is implemented: the kernel must always use it. */
	conn->want &= ~(unsigned)FUSE_CAP_READDIRPLUS_AUTO;
	/* The kernel clears setuid/setgid itself; O_TRUNC comes as a setattr. */
	conn->want &= ~(unsigned)(FUSE_CAP_HANDLE_KILLPRIV | FUSE_CAP_ATOMIC_O_TRUNC);
	conn->want &=
	    ~(unsigned)(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
	if (fs->opts.writeback_cache && (conn->capable & FUSE_CAP_WRITEBACK_CACHE))
		conn->want |= FUSE_CAP_WRITEBACK_CACHE;
	else
		conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
	if (fs->opts.lock == FC_LOCK_NONE)
		conn->want |= conn->capable & (FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS);
	else
		conn->want &= ~(unsigned)(FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS);
	conn->want &= ~(unsigned)FUSE_CAP_AUTO_INVAL_DATA; /* revalidation is explicit, at open */
	conn->max_write = fs->opts.max_write;
	conn->max_readahead = fs->opts.readahead;
	conn->max_background = 64;
	conn->congestion_threshold = 48;
	conn->time_gran = 1;
}

static void fc_op_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
			struct flock *lock)
{
	fc_reply_err(req, -ENOSYS);
}

static void fc_op_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
			struct flock *lock, int sleep)
{
	fc_reply_err(req, -ENOSYS);
}

static void fc_op_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
	fc_reply_err(req, -ENOSYS);
}

/* With localflock the lock entries are cleared before the session starts. */
const struct fuse_lowlevel_ops fc_ops = {
    .init = fc_op_init,
    .lookup = fc_op_lookup,
    .forget = fc_op_forget,
    .forget_multi = fc_op_forget_multi,
    .getattr = fc_op_getattr,
    .setattr = fc_op_setattr,
    .readlink = fc_op_readlink,
    .mknod = fc_op_mknod,
    .mkdir = fc_op_mkdir,
    .unlink = fc_op_unlink,
    .rmdir = fc_op_rmdir,
    .symlink = fc_op_symlink,
    .rename = fc_op_rename,
    .link = fc_op_link,
    .open = fc_op_open,
    .read = fc_op_read,
    .write_buf = fc_op_write_buf,
    .flush = fc_op_flush,
    .release = fc_op_release,
    .fsync = fc_op_fsync,
    .opendir = fc_op_opendir,
    .readdirplus = fc_op_readdirplus,
    .releasedir = fc_op_releasedir,
    .fsyncdir = fc_op_fsyncdir,
    .statfs = fc_op_statfs,
    .setxattr = fc_op_setxattr,
    .getxattr = fc_op_getxattr,
    .listxattr = fc_op_listxattr,
    .removexattr = fc_op_removexattr,
    .create = fc_op_create,
    .fallocate = fc_op_fallocate,
    .copy_file_range = fc_op_copy_file_range,
    .getlk = fc_op_getlk,
    .setlk = fc_op_setlk,
    .flock = fc_op_flock,
};
