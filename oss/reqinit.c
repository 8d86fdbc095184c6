/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The oss_req_*() helpers that describe a request before oss_submit().
 */
#include <linux/falloc.h>
#include <string.h>

#include "oss.h"

static void init(struct oss_req *r, enum oss_op op, struct oss_ost *ost, uint64_t id,
		 oss_done_fn done, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->ost = ost;
	r->objid = id;
	r->done = done;
	r->arg = arg;
}

void oss_req_readv(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t off,
		   const struct iovec *iov, int iovcnt, oss_done_fn done, void *arg)
{
	init(r, OSS_OP_READ, ost, id, done, arg);
	r->off = off;
	r->iov = iov;
	r->iovcnt = iovcnt;
}

void oss_req_writev(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t off,
		    const struct iovec *iov, int iovcnt, oss_done_fn done, void *arg)
{
	init(r, OSS_OP_WRITE, ost, id, done, arg);
	r->off = off;
	r->iov = iov;
	r->iovcnt = iovcnt;
}

void oss_req_read(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t off, void *buf,
		  size_t len, oss_done_fn done, void *arg)
{
	oss_req_readv(r, ost, id, off, &r->priv.one, 1, done, arg);
	r->priv.one.iov_base = buf;
	r->priv.one.iov_len = len;
}

void oss_req_write(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t off,
		   const void *buf, size_t len, oss_done_fn done, void *arg)
{
	oss_req_writev(r, ost, id, off, &r->priv.one, 1, done, arg);
	r->priv.one.iov_base = (void *)buf;
	r->priv.one.iov_len = len;
}

void oss_req_set_fid(struct oss_req *r, const struct proto_fid *fid, uint32_t stripe)
{
	r->flags |= OSS_REQ_FID;
	r->fid = *fid;
	r->stripe = stripe;
}

void oss_req_fallocate(struct oss_req *r, struct oss_ost *ost, uint64_t id, int mode, uint64_t off,
		       uint64_t len, oss_done_fn done, void *arg)
{
	init(r, OSS_OP_FALLOCATE, ost, id, done, arg);
	r->mode = mode;
	r->off = off;
	r->len = len;
}

void oss_req_punch(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t off, uint64_t len,
		   oss_done_fn done, void *arg)
{
	oss_req_fallocate(r, ost, id, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len, done,
			  arg);
}

void oss_req_truncate(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t size,
		      oss_done_fn done, void *arg)
{
	init(r, OSS_OP_TRUNCATE, ost, id, done, arg);
	r->off = size;
}

void oss_req_sync(struct oss_req *r, struct oss_ost *ost, uint64_t id, bool datasync,
		  oss_done_fn done, void *arg)
{
	init(r, OSS_OP_SYNC, ost, id, done, arg);
	r->flags = datasync ? OSS_REQ_DATASYNC : 0;
}

void oss_req_syncfs(struct oss_req *r, struct oss_ost *ost, oss_done_fn done, void *arg)
{
	init(r, OSS_OP_SYNCFS, ost, 0, done, arg);
}

void oss_req_getattr(struct oss_req *r, struct oss_ost *ost, uint64_t id, oss_done_fn done,
		     void *arg)
{
	init(r, OSS_OP_GETATTR, ost, id, done, arg);
}
