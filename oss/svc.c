/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OSS's RPC handlers.
 *
 * Data operations (read, write, punch, fallocate, getattr, sync) decode the
 * request on a net worker, hand it to the io_uring engine and return; the
 * reply is sent from the engine's completion, so no net worker waits on the
 * disk.  Writes, punches and fallocates ask the engine for the object's size
 * and blocks afterwards (OSS_REQ_ATTR) so the reply carries them.  Copies
 * (copy.c) chain reads and writes the same way.  Object management (precreate, orphan
 * cleanup, destroy) and statfs run on the net worker: they are rare and
 * create or remove files.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

struct ossd *ossd_self; /* the one daemon of this process */

struct ossd_target *ossd_target(struct ossd *d, uint32_t index)
{
	for (int i = 0; i < d->ntgts; i++)
		if (d->tgts[i].id.index == index)
			return &d->tgts[i];
	return NULL;
}

/* An RPC being served by the engine. */
struct io_ctx {
	struct oss_req req;
	struct net_srv_req *r;
	struct ossd_target *t;
	uint64_t objid;
	uint16_t op;
	void *buf; /* read: the bulk buffer (net_bulk_alloc) */
	uint32_t buflen;
	struct iovec iov;
};

static void release_bulk(void *arg)
{
	struct io_ctx *x = arg;

	net_bulk_free(x->buf, x->buflen);
	free(x);
}

static const char *op_name(uint16_t op)
{
	const char *n = proto_op_name(op);

	return n ? n : "?";
}

/* Logs a disk error against the target and object, as the brief asks. */
static void log_io_error(struct io_ctx *x, int res)
{
	if (res == -ENOENT || res == -EFBIG || res == -EINVAL || res == -EOPNOTSUPP)
		return; /* the client's mistake, answered precisely; not a disk problem */
	NET_ERR("%s: %s of object %llu failed: %s (client %s)", x->t->id.name, op_name(x->op),
		(unsigned long long)x->objid, strerror(-res), net_srv_req_peer(x->r));
}

static void io_done(struct oss_req *req, int res)
{
	struct io_ctx *x = req->arg;
	struct proto_cur *out;

	if (res < 0) {
		log_io_error(x, res);
		net_srv_reply(x->r, res);
		if (x->buf)
			net_bulk_free(x->buf, x->buflen);
		free(x);
		return;
	}
	out = net_srv_reply_body(x->r);
	switch (x->op) {
	case PROTO_OP_OST_READ: {
		struct proto_ost_read_rep rep = {.nread = (uint32_t)res};

		proto_ost_read_rep_enc(out, &rep);
		x->iov = (struct iovec){x->buf, (size_t)res};
		net_srv_reply_bulk(x->r, &x->iov, 1, release_bulk, x);
		net_srv_reply(x->r, 0);
		return; /* x is freed when the bulk has been sent */
	}
	case PROTO_OP_OST_WRITE: {
		struct proto_ost_write_rep rep = {
		    .nwritten = (uint32_t)res, .size = req->attr.size, .blocks = req->attr.blocks};

		proto_ost_write_rep_enc(out, &rep);
		break;
	}
	case PROTO_OP_OST_PUNCH:
	case PROTO_OP_OST_FALLOCATE: {
		struct proto_ost_size_rep rep = {.size = req->attr.size,
						 .blocks = req->attr.blocks};

		proto_ost_size_rep_enc(out, &rep);
		break;
	}
	case PROTO_OP_OST_GETATTR: {
		struct proto_ost_getattr_rep rep = {
		    .size = req->attr.size, .blocks = req->attr.blocks, .mtime = req->attr.mtime};

		proto_ost_getattr_rep_enc(out, &rep);
		break;
	}
	default: /* OST_SYNC */
		proto_ost_empty_enc(out);
		break;
	}
	net_srv_reply(x->r, 0);
	free(x);
}

/* Decodes @r's body with @dec into @m; on failure replies and returns false. */
#define DECODE(r, dec, m)                                                                          \
	({                                                                                         \
		struct proto_cur c_;                                                               \
		int e_;                                                                            \
		net_srv_req_body(r, &c_);                                                          \
		e_ = dec(&c_, m);                                                                  \
		if (e_)                                                                            \
			net_srv_reply(r, e_);                                                      \
		e_ == 0;                                                                           \
	})

struct ossd_target *ossd_target_or_reply(struct net_srv_req *r, uint32_t index)
{
	struct ossd_target *t = ossd_target(ossd_self, index);

	if (!t) {
		NET_WARN("oss: %s from %s for OST index %u, which this OSS does not serve",
			 op_name(net_srv_req_opcode(r)), net_srv_req_peer(r), index);
		net_srv_reply(r, -ENODEV);
	}
	return t;
}

static struct io_ctx *ctx_new(struct net_srv_req *r, struct ossd_target *t, uint64_t objid)
{
	struct io_ctx *x = calloc(1, sizeof(*x));

	if (!x) {
		net_srv_reply(r, -ENOMEM);
		return NULL;
	}
	x->r = r;
	x->t = t;
	x->objid = objid;
	x->op = net_srv_req_opcode(r);
	return x;
}

static void submit(struct io_ctx *x)
{
	int err = oss_submit(ossd_self->engine, &x->req);

	if (err < 0)
		io_done(&x->req, err);
}

bool ossd_fid_plausible(const struct proto_fid *f)
{
	return proto_fid_is_zero(f) || f->seq >= PROTO_FID_SEQ_BASE;
}

static void h_write(struct net_srv_req *r, void *arg)
{
	struct proto_ost_io_req m;
	struct ossd_target *t;
	struct io_ctx *x;
	const void *bulk;
	uint32_t len;

	if (!DECODE(r, proto_ost_io_req_dec, &m) || !(t = ossd_target_or_reply(r, m.ost_idx)))
		return;
	bulk = net_srv_req_bulk(r, &len);
	if (m.bulk.kind != PROTO_BULK_INLINE || len != m.length || m.bulk.len != m.length) {
		/* Kind RDMA is reserved: over o2ib the transport moves INLINE bulk itself. */
		net_srv_reply(r, m.bulk.kind == PROTO_BULK_RDMA ? -EOPNOTSUPP : -EPROTO);
		return;
	}
	if (!ossd_fid_plausible(&m.parent)) {
		net_srv_reply(r, -EINVAL);
		return;
	}
	x = ctx_new(r, t, m.objid);
	if (!x)
		return;
	oss_req_write(&x->req, t->ost, m.objid, m.offset, bulk, len, io_done, x);
	x->req.flags |= OSS_REQ_ATTR;
	if (!proto_fid_is_zero(&m.parent))
		oss_req_set_fid(&x->req, &m.parent, m.stripe);
	if (m.flags & PROTO_OST_F_SYNC)
		x->req.flags |= OSS_REQ_SYNC;
	submit(x);
}

static void h_read(struct net_srv_req *r, void *arg)
{
	struct proto_ost_io_req m;
	struct ossd_target *t;
	struct io_ctx *x;

	if (!DECODE(r, proto_ost_io_req_dec, &m) || !(t = ossd_target_or_reply(r, m.ost_idx)))
		return;
	if (m.bulk.kind != PROTO_BULK_INLINE) {
		net_srv_reply(r, m.bulk.kind == PROTO_BULK_RDMA ? -EOPNOTSUPP : -EPROTO);
		return;
	}
	if (m.length > PROTO_BULK_MAX) {
		net_srv_reply(r, -EINVAL);
		return;
	}
	x = ctx_new(r, t, m.objid);
	if (!x)
		return;
	x->buflen = m.length ? m.length : 1;
	x->buf = net_bulk_alloc(x->buflen);
	if (!x->buf) {
		free(x);
		net_srv_reply(r, -ENOMEM);
		return;
	}
	oss_req_read(&x->req, t->ost, m.objid, m.offset, x->buf, m.length, io_done, x);
	submit(x);
}

static void h_punch(struct net_srv_req *r, void *arg)
{
	struct proto_ost_punch_req m;
	struct ossd_target *t;
	struct io_ctx *x;

	/* The decoder refuses end < start as malformed. */
	if (!DECODE(r, proto_ost_punch_req_dec, &m) || !(t = ossd_target_or_reply(r, m.ost_idx)))
		return;
	x = ctx_new(r, t, m.objid);
	if (!x)
		return;
	if (m.end == UINT64_MAX)
		oss_req_truncate(&x->req, t->ost, m.objid, m.start, io_done, x);
	else
		oss_req_punch(&x->req, t->ost, m.objid, m.start, m.end - m.start, io_done, x);
	x->req.flags |= OSS_REQ_ATTR;
	submit(x);
}

static void h_fallocate(struct net_srv_req *r, void *arg)
{
	struct proto_ost_falloc_req m;
	struct ossd_target *t;
	struct io_ctx *x;

	if (!DECODE(r, proto_ost_falloc_req_dec, &m) || !(t = ossd_target_or_reply(r, m.ost_idx)))
		return;
	if (m.mode != 0 && m.mode != FALLOC_FL_KEEP_SIZE &&
	    m.mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
		net_srv_reply(r, -EOPNOTSUPP);
		return;
	}
	x = ctx_new(r, t, m.objid);
	if (!x)
		return;
	oss_req_fallocate(&x->req, t->ost, m.objid, (int)m.mode, m.offset, m.length, io_done, x);
	x->req.flags |= OSS_REQ_ATTR;
	submit(x);
}

static void h_getattr(struct net_srv_req *r, void *arg)
{
	struct proto_ost_obj_req m;
	struct ossd_target *t;
	struct io_ctx *x;

	if (!DECODE(r, proto_ost_obj_req_dec, &m) || !(t = ossd_target_or_reply(r, m.ost_idx)))
		return;
	x = ctx_new(r, t, m.objid);
	if (!x)
		return;
	oss_req_getattr(&x->req, t->ost, m.objid, io_done, x);
	submit(x);
}

static void h_sync(struct net_srv_req *r, void *arg)
{
	struct proto_ost_sync_req m;
	struct ossd_target *t;
	struct io_ctx *x;

	if (!DECODE(r, proto_ost_sync_req_dec, &m) || !(t = ossd_target_or_reply(r, m.ost_idx)))
		return;
	x = ctx_new(r, t, m.objid);
	if (!x)
		return;
	if (m.objid == 0)
		oss_req_syncfs(&x->req, t->ost, io_done, x);
	else
		oss_req_sync(&x->req, t->ost, m.objid, true, io_done, x);
	submit(x);
}

static void h_statfs(struct net_srv_req *r, void *arg)
{
	struct proto_ost_statfs_req m;
	struct proto_ost_statfs_rep rep;
	struct ossd_target *t;
	int err;

	if (!DECODE(r, proto_ost_statfs_req_dec, &m) || !(t = ossd_target_or_reply(r, m.ost_idx)))
		return;
	err = oss_ost_statfs(t->ost, &rep.sfs);
	if (!err)
		proto_ost_statfs_rep_enc(net_srv_reply_body(r), &rep);
	net_srv_reply(r, err);
}

/* Object management is the MDS's alone. */
static bool from_mds(struct net_srv_req *r)
{
	struct net_export *e = net_srv_req_export(r);

	if (e && net_export_role(e) == PROTO_ROLE_MDS)
		return true;
	NET_WARN("oss: %s from %s refused: only the MDS manages objects",
		 op_name(net_srv_req_opcode(r)), net_srv_req_peer(r));
	net_srv_reply(r, -EPERM);
	return false;
}

static void h_precreate(struct net_srv_req *r, void *arg)
{
	struct proto_ost_precreate_req m;
	struct proto_ost_precreate_rep rep = {0};
	struct ossd_target *t;
	int err;

	if (!from_mds(r) || !DECODE(r, proto_ost_precreate_req_dec, &m) ||
	    !(t = ossd_target_or_reply(r, m.ost_idx)))
		return;
	err = oss_obj_precreate(t->ost, m.first_id, m.count, &rep.last_id);
	if (err)
		NET_ERR("%s: precreating objects %llu..%llu failed: %s", t->id.name,
			(unsigned long long)m.first_id,
			(unsigned long long)(m.first_id + m.count - 1), strerror(-err));
	else
		proto_ost_precreate_rep_enc(net_srv_reply_body(r), &rep);
	net_srv_reply(r, err);
}

static void h_orphan(struct net_srv_req *r, void *arg)
{
	struct proto_ost_orphan_req m;
	struct proto_ost_orphan_rep rep = {0};
	struct ossd_target *t;
	int err;

	if (!from_mds(r) || !DECODE(r, proto_ost_orphan_req_dec, &m) ||
	    !(t = ossd_target_or_reply(r, m.ost_idx)))
		return;
	rep.last_id = oss_ost_last_id(t->ost);
	err = oss_obj_orphan_cleanup(t->ost, m.last_id);
	if (err < 0) {
		NET_ERR("%s: orphan cleanup above object %llu failed: %s", t->id.name,
			(unsigned long long)m.last_id, strerror(-err));
	} else {
		rep.destroyed = (uint64_t)err;
		err = 0;
		if (rep.last_id > m.last_id)
			NET_INFO("%s: orphan cleanup: MDS assigned up to object %llu; ids "
				 "%llu..%llu released, %llu of them written (files removed)",
				 t->id.name, (unsigned long long)m.last_id,
				 (unsigned long long)m.last_id + 1, (unsigned long long)rep.last_id,
				 (unsigned long long)rep.destroyed);
		else
			NET_INFO("%s: orphan cleanup: MDS assigned up to object %llu, nothing "
				 "precreated above it",
				 t->id.name, (unsigned long long)m.last_id);
		proto_ost_orphan_rep_enc(net_srv_reply_body(r), &rep);
	}
	net_srv_reply(r, err);
}

static void h_destroy(struct net_srv_req *r, void *arg)
{
	struct proto_ost_destroy_req *m;
	struct ossd_target *t;
	int err = 0;

	if (!from_mds(r))
		return;
	m = malloc(sizeof(*m)); /* 2 KiB of ids: keep it off the worker's stack */
	if (!m) {
		net_srv_reply(r, -ENOMEM);
		return;
	}
	if (!DECODE(r, proto_ost_destroy_req_dec, m) ||
	    !(t = ossd_target_or_reply(r, m->ost_idx))) {
		free(m);
		return;
	}
	for (uint32_t i = 0; i < m->count && !err; i++) {
		err = oss_obj_destroy(t->ost, m->objids[i]);
		if (err)
			NET_ERR("%s: destroying object %llu failed: %s", t->id.name,
				(unsigned long long)m->objids[i], strerror(-err));
	}
	if (!err) {
		/* The MDS drops its destroy-queue records on this reply: make it durable. */
		struct oss_req s;

		oss_req_syncfs(&s, t->ost, NULL, NULL);
		err = oss_submit_wait(ossd_self->engine, &s);
	}
	if (!err)
		proto_ost_empty_enc(net_srv_reply_body(r));
	free(m);
	net_srv_reply(r, err);
}

static const struct net_handler handlers[PROTO_OP_LIMIT] = {
    [PROTO_OP_OST_READ] = {h_read, 0},
    [PROTO_OP_OST_WRITE] = {h_write, 0},
    [PROTO_OP_OST_PUNCH] = {h_punch, 0},
    [PROTO_OP_OST_FALLOCATE] = {h_fallocate, 0},
    [PROTO_OP_OST_GETATTR] = {h_getattr, 0},
    [PROTO_OP_OST_SYNC] = {h_sync, 0},
    [PROTO_OP_OST_STATFS] = {h_statfs, 0},
    [PROTO_OP_OST_PRECREATE] = {h_precreate, 0},
    [PROTO_OP_OST_ORPHAN_CLEANUP] = {h_orphan, 0},
    [PROTO_OP_OST_DESTROY] = {h_destroy, 0},
    [PROTO_OP_OST_COPY] = {ossd_h_copy, 0},
};

const struct net_handler *ossd_handlers(void)
{
	return handlers;
}
