/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OST_COPY: a byte range of one object copied to another object of an OST
 * this OSS serves, without the data crossing the network (the FUSE client's
 * copy_file_range).  The copy is a chain of engine requests on one bounded
 * buffer: read a chunk of the source, write it to the destination, next
 * chunk, each submitted from the previous one's completion, so no thread
 * waits on the disk and every byte goes through io_uring like a READ's and
 * a WRITE's.  Bytes the source object does not hold (a hole, past its end)
 * are written as zeros.  The reply is sent from the last write's completion
 * and carries the destination's size and blocks, as a write reply does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

/* The buffer one copy holds: a copy of up to PROTO_OST_COPY_MAX takes rounds of this. */
#define COPY_CHUNK (1u * PROTO_MIB)

struct copy_ctx {
	struct oss_req req; /* the round's read, then its write */
	struct net_srv_req *r;
	struct ossd_target *src, *dst;
	struct proto_ost_copy_req m;
	char *buf;
	uint32_t buflen;
	uint32_t done;	/* bytes copied by the rounds before this one */
	uint32_t chunk; /* bytes of this round */
};

static void copy_read(struct copy_ctx *x);

static void copy_finish(struct copy_ctx *x, int res)
{
	struct proto_ost_write_rep rep;

	if (res < 0) {
		/* A missing object and the like are answered precisely; disk errors are logged. */
		if (res != -ENOENT && res != -EFBIG && res != -EINVAL)
			NET_ERR("%s: OST_COPY of object %llu (%s) to object %llu failed: %s "
				"(client %s)",
				x->dst->id.name, (unsigned long long)x->m.src_objid,
				x->src->id.name, (unsigned long long)x->m.objid, strerror(-res),
				net_srv_req_peer(x->r));
	} else {
		rep = (struct proto_ost_write_rep){.nwritten = x->m.length,
						   .size = x->req.attr.size,
						   .blocks = x->req.attr.blocks};
		res = proto_ost_write_rep_enc(net_srv_reply_body(x->r), &rep);
		NET_DEBUG("%s: OST_COPY of object %llu (%s) bytes %llu+%u to object %llu at %llu",
			  x->dst->id.name, (unsigned long long)x->m.src_objid, x->src->id.name,
			  (unsigned long long)x->m.src_offset, x->m.length,
			  (unsigned long long)x->m.objid, (unsigned long long)x->m.offset);
	}
	net_srv_reply(x->r, res);
	net_bulk_free(x->buf, x->buflen);
	free(x);
}

/* Starts @x->req (set up by the caller); a stopping engine ends the copy. */
static void copy_submit(struct copy_ctx *x)
{
	int err = oss_submit(ossd_self->engine, &x->req);

	if (err < 0)
		copy_finish(x, err);
}

static void copy_written(struct oss_req *req, int res)
{
	struct copy_ctx *x = req->arg;

	if (res < 0) {
		copy_finish(x, res);
		return;
	}
	x->done += x->chunk;
	if (x->done < x->m.length)
		copy_read(x);
	else
		copy_finish(x, 0);
}

static void copy_was_read(struct oss_req *req, int res)
{
	struct copy_ctx *x = req->arg;
	const struct proto_ost_copy_req *m = &x->m;

	if (res < 0) {
		copy_finish(x, res);
		return;
	}
	/* A short read is the end of the source object: the rest reads as zeros. */
	memset(x->buf + res, 0, x->chunk - (uint32_t)res);
	oss_req_write(&x->req, x->dst->ost, m->objid, m->offset + x->done, x->buf, x->chunk,
		      copy_written, x);
	if (!proto_fid_is_zero(&m->parent))
		oss_req_set_fid(&x->req, &m->parent, m->stripe);
	if (m->flags & PROTO_OST_F_SYNC)
		x->req.flags |= OSS_REQ_SYNC;
	if (x->done + x->chunk == m->length)
		x->req.flags |= OSS_REQ_ATTR; /* the last round: the reply's size and blocks */
	copy_submit(x);
}

static void copy_read(struct copy_ctx *x)
{
	uint32_t left = x->m.length - x->done;

	x->chunk = left < x->buflen ? left : x->buflen;
	oss_req_read(&x->req, x->src->ost, x->m.src_objid, x->m.src_offset + x->done, x->buf,
		     x->chunk, copy_was_read, x);
	copy_submit(x);
}

void ossd_h_copy(struct net_srv_req *r, void *arg)
{
	struct proto_ost_copy_req m;
	struct ossd_target *src, *dst;
	struct copy_ctx *x;
	struct proto_cur c;
	int err;

	net_srv_req_body(r, &c);
	err = proto_ost_copy_req_dec(&c, &m);
	if (err) {
		net_srv_reply(r, err);
		return;
	}
	if (!(src = ossd_target_or_reply(r, m.src_ost_idx)) ||
	    !(dst = ossd_target_or_reply(r, m.ost_idx)))
		return;
	if (!ossd_fid_plausible(&m.parent)) {
		net_srv_reply(r, -EINVAL);
		return;
	}
	x = calloc(1, sizeof(*x));
	if (x) {
		x->buflen = m.length < COPY_CHUNK ? m.length : COPY_CHUNK;
		x->buf = net_bulk_alloc(x->buflen);
	}
	if (!x || !x->buf) {
		free(x);
		net_srv_reply(r, -ENOMEM);
		return;
	}
	x->r = r;
	x->src = src;
	x->dst = dst;
	x->m = m;
	copy_read(x);
}
