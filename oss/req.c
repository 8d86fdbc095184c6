/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One request's life on a worker: validation, fd lookup, SQE preparation,
 * continuation of short transfers, completion.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine_int.h"
#include "fdcache.h"
#include "ost_int.h"
#include "proto/opcodes.h"

#define OFF_MAX ((uint64_t)INT64_MAX)

static const char *op_name(enum oss_op op)
{
	switch (op) {
	case OSS_OP_READ:
		return "read";
	case OSS_OP_WRITE:
		return "write";
	case OSS_OP_FALLOCATE:
		return "fallocate";
	case OSS_OP_TRUNCATE:
		return "truncate";
	case OSS_OP_SYNC:
		return "sync";
	case OSS_OP_SYNCFS:
		return "syncfs";
	case OSS_OP_GETATTR:
		return "getattr";
	}
	return "?";
}

static int check_rw(struct oss_req *r)
{
	uint64_t len = 0;

	if (!r->iov || r->iovcnt < 1 || r->iovcnt > OSS_IOV_MAX)
		return -EINVAL;
	for (int i = 0; i < r->iovcnt; i++) {
		if (r->iov[i].iov_len > PROTO_BULK_MAX)
			return -EINVAL;
		len += r->iov[i].iov_len;
	}
	if (len > PROTO_BULK_MAX)
		return -EINVAL;
	r->len = len;
	if (r->off > OFF_MAX - len)
		return -EFBIG;
	return 0;
}

int oss_req_check(struct oss_req *r)
{
	if (r->flags & ~OSS_REQ_F_ALL)
		return -EINVAL;
	if (r->op != OSS_OP_SYNCFS && r->objid == 0)
		return -EINVAL;
	switch (r->op) {
	case OSS_OP_READ:
	case OSS_OP_WRITE:
		return check_rw(r);
	case OSS_OP_FALLOCATE:
		if (r->mode != 0 && r->mode != FALLOC_FL_KEEP_SIZE &&
		    r->mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		if (r->len == 0)
			return -EINVAL;
		if (r->off > OFF_MAX || r->len > OFF_MAX - r->off)
			return -EFBIG;
		return 0;
	case OSS_OP_TRUNCATE:
		return r->off > OFF_MAX ? -EFBIG : 0;
	case OSS_OP_SYNC:
	case OSS_OP_SYNCFS:
	case OSS_OP_GETATTR:
		return 0;
	}
	return -EINVAL;
}

static bool aligned(uint64_t v)
{
	return (v & (OSS_DIRECT_ALIGN - 1)) == 0;
}

/*
 * Whether the rest of @r (from its continuation position) may use O_DIRECT.
 * The size test is on the whole request, so that a continuation takes the
 * same path as its start unless it became unaligned.
 */
static bool want_direct(const struct oss_req *r)
{
	const struct oss_ost *ost = r->ost;

	if (!ost->direct || __atomic_load_n(&ost->direct_broken, __ATOMIC_RELAXED))
		return false;
	if (r->len < ost->direct_min)
		return false;
	if (!aligned(r->off + r->priv.done))
		return false;
	for (int i = r->priv.iov_idx; i < r->iovcnt; i++) {
		size_t skip = i == r->priv.iov_idx ? r->priv.iov_off : 0;

		if (!aligned((uintptr_t)r->iov[i].iov_base + skip) ||
		    !aligned(r->iov[i].iov_len - skip))
			return false;
	}
	return true;
}

/* The fd of @r's object from the cache, buffered if the file system refuses O_DIRECT. */
static int cache_get(struct oss_req *r, bool direct, struct oss_fdc_ent **ent, int *fd)
{
	struct oss_ost *ost = r->ost;
	int rc = oss_fdc_get(ost->fdc, r->objid, direct, ent, fd);

	if (rc == -EINVAL && direct) {
		if (!__atomic_exchange_n(&ost->direct_broken, true, __ATOMIC_RELAXED))
			oss_log(ost, "the file system refuses O_DIRECT; using buffered I/O");
		rc = oss_fdc_get(ost->fdc, r->objid, false, ent, fd);
	}
	return rc;
}

/*
 * Whether @r needs the object's file: a write, an allocation or a truncate
 * that leaves data.  The rest behave on a precreated object with no file
 * as on an empty one.
 */
static bool needs_file(const struct oss_req *r)
{
	switch (r->op) {
	case OSS_OP_WRITE:
		return r->len > 0;
	case OSS_OP_FALLOCATE:
		return r->mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
	case OSS_OP_TRUNCATE:
		return r->off > 0;
	default:
		return false;
	}
}

/*
 * Gets the fd for the rest of @r.  The first call takes the cache reference
 * the request holds until completion; a continuation that switches between
 * O_DIRECT and buffered I/O uses the other fd of the same entry.  Returns 0,
 * GET_EMPTY (a precreated object without a file, and @r does not need one:
 * it completes as on an empty object, holding no fd) or -errno.
 */
#define GET_EMPTY 1
static int get_fd(struct oss_req *r, bool direct)
{
	struct oss_ost *ost = r->ost;
	struct oss_fdc_ent *ent;
	int fd, rc;

	rc = cache_get(r, direct, &ent, &fd);
	if (rc == -ENOENT && !r->priv.fdent) {
		if (!needs_file(r)) {
			rc = oss_obj_unwritten(ost, r->objid);
			rc = rc == 0 ? GET_EMPTY : rc;
			goto out;
		}
		rc = oss_obj_materialize(ost, r->objid);
		if (rc == 0)
			rc = cache_get(r, direct, &ent, &fd);
	}
	if (rc < 0)
		goto out;
	if (!r->priv.fdent) {
		r->priv.fdent = ent;
	} else {
		/* we hold a reference on the first entry, so its fds stay open */
		oss_fdc_put(ost->fdc, ent);
		if (ent != r->priv.fdent) {
			rc = -ENOENT; /* destroyed during the request */
			goto out;
		}
	}
	r->priv.fd = fd;
out:
	return rc;
}

static struct io_uring_sqe *get_sqe(struct oss_worker *w, struct oss_req *r, bool xattr)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&w->ring);

	if (!sqe) {
		/* cannot happen while sqes <= depth - 1; submit and retry anyway */
		io_uring_submit(&w->ring);
		sqe = io_uring_get_sqe(&w->ring);
	}
	io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)r | (xattr ? OSS_UD_XATTR : 0));
	w->sqes++;
	r->priv.pending++;
	return sqe;
}

/* Prepares the read or write of the rest of @r from its continuation position. */
static void prep_rw(struct oss_worker *w, struct oss_req *r)
{
	const struct iovec *iov = &r->iov[r->priv.iov_idx];
	struct io_uring_sqe *sqe = get_sqe(w, r, false);
	uint64_t off = r->off + r->priv.done;
	bool write = r->op == OSS_OP_WRITE;

	if (r->priv.iov_off) {
		char *base = (char *)iov->iov_base + r->priv.iov_off;
		unsigned len = iov->iov_len - r->priv.iov_off;

		if (write)
			io_uring_prep_write(sqe, r->priv.fd, base, len, off);
		else
			io_uring_prep_read(sqe, r->priv.fd, base, len, off);
	} else {
		unsigned n = r->iovcnt - r->priv.iov_idx;

		if (write)
			io_uring_prep_writev(sqe, r->priv.fd, iov, n, off);
		else
			io_uring_prep_readv(sqe, r->priv.fd, iov, n, off);
	}
	if (write && (r->flags & OSS_REQ_SYNC))
		sqe->rw_flags = RWF_DSYNC;
}

static void prep_fid_xattr(struct oss_worker *w, struct oss_req *r)
{
	struct io_uring_sqe *sqe = get_sqe(w, r, true);
	uint8_t *v = r->priv.xattr;

	proto_fid_to_key(&r->fid, v);
	v[16] = r->stripe >> 24;
	v[17] = r->stripe >> 16;
	v[18] = r->stripe >> 8;
	v[19] = r->stripe;
	/* XATTR_CREATE: the first write that names the parent wins */
	io_uring_prep_fsetxattr(sqe, r->priv.fd, OSS_FID_XATTR, (const char *)v, XATTR_CREATE,
				OSS_FID_XATTR_LEN);
}

static void do_getattr(struct oss_req *r);

static void complete(struct oss_req *r)
{
	struct oss_ost *ost = r->ost;
	int res;

	/* OSS_REQ_ATTR: the size and blocks after the change, from the fd we hold. */
	if (r->priv.err == 0 && (r->flags & OSS_REQ_ATTR) && r->priv.fdent)
		do_getattr(r);
	res = r->priv.err;
	if (res == 0 && (r->op == OSS_OP_READ || r->op == OSS_OP_WRITE))
		res = (int)r->priv.done;
	if (res == -ENOSPC || res == -EIO || res == -EDQUOT || res == -EROFS || res == -EUCLEAN)
		oss_log_io_error(ost, r->objid, op_name(r->op), res);
	if (r->priv.fdent)
		oss_fdc_put(ost->fdc, r->priv.fdent);
	r->priv.fdent = NULL;
	__atomic_sub_fetch(&ost->inflight, 1, __ATOMIC_RELEASE);
	r->res = res;
	/* the caller owns @r again from here on */
	r->done(r, res);
}

static void finish(struct oss_worker *w, struct oss_req *r)
{
	w->nreq--;
	complete(r);
}

static void set_err(struct oss_req *r, int err)
{
	if (!r->priv.err)
		r->priv.err = err;
}

static void do_getattr(struct oss_req *r)
{
	struct stat st;

	if (fstat(r->priv.fd, &st) < 0) {
		set_err(r, -errno);
		return;
	}
	r->attr.size = st.st_size;
	r->attr.blocks = st.st_blocks;
	r->attr.mtime.sec = st.st_mtim.tv_sec;
	r->attr.mtime.nsec = st.st_mtim.tv_nsec;
}

void oss_req_start(struct oss_worker *w, struct oss_req *r)
{
	struct io_uring_sqe *sqe;
	bool direct = false;
	int rc;

	if (r->priv.err)
		goto done;
	if (r->op == OSS_OP_READ || r->op == OSS_OP_WRITE)
		direct = r->len > 0 && want_direct(r);
	rc = get_fd(r, direct);
	if (rc < 0) {
		set_err(r, rc);
		goto done;
	}
	if (rc == GET_EMPTY) {
		/* nothing to read, sync or punch; attributes of an empty object */
		r->attr = (struct oss_obj_attr){0};
		goto done;
	}
	/* a sync covers the name of an object its first write created */
	if ((r->op == OSS_OP_SYNC || (r->op == OSS_OP_WRITE && (r->flags & OSS_REQ_SYNC))) &&
	    (rc = oss_obj_sync_new_dirs(r->ost)) < 0) {
		set_err(r, rc);
		goto done;
	}
	switch (r->op) {
	case OSS_OP_WRITE:
		if ((r->flags & OSS_REQ_FID) &&
		    !__atomic_load_n(&r->ost->xattr_broken, __ATOMIC_RELAXED) &&
		    !oss_fdc_fid_known(r->priv.fdent))
			prep_fid_xattr(w, r);
		/* fall through */
	case OSS_OP_READ:
		if (r->len > 0)
			prep_rw(w, r);
		break;
	case OSS_OP_FALLOCATE:
		sqe = get_sqe(w, r, false);
		io_uring_prep_fallocate(sqe, r->priv.fd, r->mode, r->off, r->len);
		break;
	case OSS_OP_SYNC:
		sqe = get_sqe(w, r, false);
		io_uring_prep_fsync(sqe, r->priv.fd,
				    (r->flags & OSS_REQ_DATASYNC) ? IORING_FSYNC_DATASYNC : 0);
		break;
	case OSS_OP_GETATTR:
		/* fstat of an open fd reads no disk; io_uring has no fd-only statx here */
		do_getattr(r);
		break;
	case OSS_OP_TRUNCATE:
	case OSS_OP_SYNCFS:
		set_err(r, -EINVAL); /* routed to the slow thread by oss_submit() */
		break;
	}
done:
	if (r->priv.pending == 0)
		finish(w, r);
}

/* Advances the continuation position of @r by @n transferred bytes. */
static void advance(struct oss_req *r, size_t n)
{
	r->priv.done += n;
	while (n > 0 && r->priv.iov_idx < r->iovcnt) {
		size_t left = r->iov[r->priv.iov_idx].iov_len - r->priv.iov_off;

		if (n < left) {
			r->priv.iov_off += n;
			break;
		}
		n -= left;
		r->priv.iov_idx++;
		r->priv.iov_off = 0;
	}
}

static void rw_cqe(struct oss_worker *w, struct oss_req *r, int res)
{
	int rc;

	if (res < 0) {
		set_err(r, res);
		return;
	}
	if (res == 0) {
		/* a read at end of object; a write that makes no progress is an error */
		if (r->op == OSS_OP_WRITE)
			set_err(r, -EIO);
		return;
	}
	advance(r, res);
	if (r->priv.done >= r->len || r->priv.err)
		return;
	/*
	 * Short transfer: continue with the rest.  A short write is usually the
	 * file system filling up, and the rest then fails with the real errno
	 * (-ENOSPC, -EFBIG); a short read is the end of the object (the next
	 * read returns 0).  The rest may not be aligned for O_DIRECT.
	 */
	rc = get_fd(r, want_direct(r));
	if (rc < 0) {
		set_err(r, rc);
		return;
	}
	prep_rw(w, r);
}

void oss_req_cqe(struct oss_worker *w, struct oss_req *r, bool xattr, int res)
{
	struct oss_ost *ost = r->ost;

	w->sqes--;
	r->priv.pending--;
	if (xattr) {
		if (res == 0 || res == -EEXIST) {
			oss_fdc_set_fid_known(r->priv.fdent);
		} else if (res == -EOPNOTSUPP) {
			if (!__atomic_exchange_n(&ost->xattr_broken, true, __ATOMIC_RELAXED))
				oss_log(ost, "the file system refuses %s; parent FIDs not recorded",
					OSS_FID_XATTR);
		} else {
			set_err(r, res);
		}
	} else if (r->op == OSS_OP_READ || r->op == OSS_OP_WRITE) {
		rw_cqe(w, r, res);
	} else if (res < 0) {
		set_err(r, res);
	}
	if (r->priv.pending == 0)
		finish(w, r);
}

void oss_req_run_slow(struct oss_req *r)
{
	int rc;

	if (r->priv.err)
		goto done;
	if (r->op == OSS_OP_SYNCFS) {
		rc = oss_obj_sync_new_dirs(r->ost);
		if (rc < 0)
			set_err(r, rc);
		else if (syncfs(r->ost->rootfd) < 0)
			set_err(r, -errno);
		goto done;
	}
	/* OSS_OP_TRUNCATE: io_uring (liburing 2.3) has no ftruncate */
	rc = get_fd(r, false);
	if (rc < 0) {
		set_err(r, rc);
		goto done;
	}
	if (rc == GET_EMPTY) {
		r->attr = (struct oss_obj_attr){0};
		goto done; /* truncating an unwritten object to 0 changes nothing */
	}
	if (ftruncate(r->priv.fd, (off_t)r->off) < 0)
		set_err(r, -errno);
done:
	complete(r);
}
