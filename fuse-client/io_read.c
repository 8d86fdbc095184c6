/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The read path: one OST_READ per piece (fc_pieces), all in flight at once,
 * the reply sent from the completion of the last.  A piece that maps to one
 * contiguous part of the reply buffer is received in place; a piece that
 * gathers several chunks of one object goes through a bounce buffer.  Holes
 * and short objects read as zeros up to the file size.  Buffered writes of
 * the file are sent (and waited for) first.
 */
#include "fc_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rd {
	fuse_req_t req;
	struct fc_fs *fs;
	struct fc_node *node;
	uint64_t off;
	size_t size;
	char *buf;
	uint64_t len;	/* bytes of the file range read (clamped to the size) */
	uint64_t fsize; /* the file size as known at the start */
	uint64_t hi;	/* loop thread only: end of the data the objects returned */
	struct fc_piece *p;
	char **bounce; /* [np] */
	uint32_t np;
};

static void rd_free(struct rd *x)
{
	if (x->bounce)
		for (uint32_t i = 0; i < x->np; i++)
			free(x->bounce[i]);
	free(x->bounce);
	free(x->p);
	free(x->buf);
	free(x);
}

static int read_piece_cb(struct fc_rset *rs, struct net_req *req, int status, void *arg)
{
	struct rd *x = rs->priv;
	uint32_t i = (uint32_t)(uintptr_t)arg;
	struct fc_piece *p = &x->p[i];
	struct proto_ost_read_rep rep;
	struct proto_cur c;
	uint32_t got = 0, pos = 0;

	if (status == 0) {
		net_req_reply(req, &c);
		status = proto_ost_read_rep_dec(&c, &rep);
		if (status == 0 && rep.nread != net_req_bulk_in_len(req))
			status = -EIO;
		got = status == 0 ? rep.nread : 0;
	}
	if (status)
		return fc_io_errno(status);
	/* Scatter from the bounce buffer; zero what the object did not have. */
	for (uint32_t k = 0; k < p->niov; k++) {
		char *dst = x->buf + p->iov[k].bufoff;
		uint32_t n = p->iov[k].len, have = got > pos ? got - pos : 0;

		if (have > n)
			have = n;
		if (x->bounce && x->bounce[i])
			memcpy(dst, x->bounce[i] + pos, have);
		memset(dst + have, 0, n - have);
		if (have && x->off + p->iov[k].bufoff + have > x->hi)
			x->hi = x->off + p->iov[k].bufoff + have;
		pos += n;
	}
	return 0;
}

static void read_done(struct fc_rset *rs, int status)
{
	struct rd *x = rs->priv;
	uint64_t end = x->off + x->len;

	if (status) {
		fc_reply_err(x->req, status);
	} else {
		/* Data up to the known size, or further if an object had it. */
		uint64_t valid = x->fsize > x->hi ? x->fsize : x->hi;

		if (valid < end)
			end = valid < x->off ? x->off : valid;
		fuse_reply_buf(x->req, x->buf, end - x->off);
	}
	rd_free(x);
}

static void read_go(void *arg, int status)
{
	struct rd *x = arg;
	struct fc_fs *fs = x->fs;
	struct fc_node *node = x->node;
	struct fc_layout *fl;
	struct fc_rset *rs;
	int rc;

	pthread_mutex_lock(&node->mu);
	fl = fc_node_layout(node);
	x->fsize = node->size > node->size_local ? node->size : node->size_local;
	pthread_mutex_unlock(&node->mu);
	if (!fl || x->off >= x->fsize) {
		fc_layout_put(fl);
		fuse_reply_buf(x->req, NULL, 0);
		rd_free(x);
		return;
	}
	x->len = x->size;
	if (x->off + x->len > x->fsize)
		x->len = x->fsize - x->off;
	x->buf = malloc(x->len);
	rc = x->buf ? fc_pieces(&fl->l, x->off, x->len, PROTO_BULK_MAX, &x->p, &x->np) : -ENOMEM;
	if (rc == 0) {
		x->bounce = calloc(x->np, sizeof(*x->bounce));
		rc = x->bounce ? 0 : -ENOMEM;
	}
	rs = rc == 0 ? fc_rset_new(fs, x->req, read_done, x) : NULL;
	if (!rs) {
		fc_layout_put(fl);
		fc_reply_err(x->req, rc ? rc : -ENOMEM);
		rd_free(x);
		return;
	}
	rs->node = node;
	rs->fl = fl;
	for (uint32_t i = 0; i < x->np; i++) {
		struct fc_piece *p = &x->p[i];
		struct proto_ost_io_req m = {
		    .ost_idx = fl->l.objs[p->stripe].ost_idx,
		    .objid = fl->l.objs[p->stripe].objid,
		    .parent = node->fid,
		    .stripe = p->stripe,
		    .offset = p->objoff,
		    .length = p->len,
		    .bulk = {.kind = PROTO_BULK_INLINE, .len = p->len},
		};
		struct net_client *cl = fc_target_ost(fs, m.ost_idx);
		struct net_req *req = cl ? net_req_new(PROTO_OP_OST_READ, NULL) : NULL;
		char *dst;

		if (!req || proto_ost_io_req_enc(net_req_body(req), &m)) {
			net_req_free(req);
			fc_rset_fail(rs, -EIO);
			continue;
		}
		if (p->niov == 1) {
			dst = x->buf + p->iov[0].bufoff;
		} else {
			dst = x->bounce[i] = malloc(p->len);
			if (!dst) {
				net_req_free(req);
				fc_rset_fail(rs, -ENOMEM);
				continue;
			}
		}
		net_req_set_bulk_in(req, dst, p->len);
		if (!fs->opts.checksums)
			net_req_set_nocsum(req);
		fc_rset_send(rs, cl, req, read_piece_cb, (void *)(uintptr_t)i);
	}
	fc_rset_seal(rs);
}

void fc_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct rd *x = calloc(1, sizeof(*x));

	if (!x) {
		fc_reply_err(req, -ENOMEM);
		return;
	}
	x->req = req;
	x->fs = fs;
	x->node = fc_node_of(fs->nodes, ino);
	x->off = (uint64_t)off;
	x->size = size;
	if (fc_wb_busy(x->node))
		fc_wb_sync(fs, x->node, false, read_go, x);
	else
		read_go(x, 0);
}
