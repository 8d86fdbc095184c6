/* SPDX-License-Identifier: Apache-2.0 */
/*
 * copy_file_range, offloaded to the OSSes where that is cheap.
 *
 * The range is cut by both files' layouts into extents, each inside one
 * source and one destination object (fc_copy_extents).  When every extent
 * pairs two objects served by the same OSS (one net_client: same NID and
 * port), both files' write-behind data is flushed and one OST_COPY per
 * extent goes out, all in flight at once; the OSS copies the bytes locally
 * and the reply to the kernel is sent from the last completion.  The
 * destination's size and mtime then grow as a write's do, and each reply's
 * boot instance is recorded per object, so fsync after an OSS restart fails
 * with EIO as it does for writes.
 *
 * Otherwise (an extent across two OSSes, flags, no layout) the answer is
 * EOPNOTSUPP: the kernel then copies this call through the page cache
 * (splice: reads and writes through this client), and asks again next time.
 * ENOSYS would switch copy_file_range off for the whole mount.
 *
 * The kernel itself refuses an O_APPEND destination (EBADF), overlapping
 * ranges of one file (EINVAL), clips the range at the source size it knows
 * and, after the reply, drops the destination range from its page cache and
 * updates the size it caches.  A call copies at most FC_COPY_CALL_MAX bytes:
 * copy_file_range may copy less than asked, and callers loop.
 */
#include "fc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>

struct cfr {
	fuse_req_t req;
	struct fc_fs *fs;
	struct fc_node *src, *dst;
	struct fc_layout *sfl, *dfl;
	uint64_t soff, doff, len;
	struct fc_copy_ext *ext;
	uint32_t n; /* extents */
	bool dst_flushed;
};

static void cfr_free(struct cfr *x)
{
	fc_layout_put(x->sfl);
	fc_layout_put(x->dfl);
	free(x->ext);
	free(x);
}

static int copy_cb(struct fc_rset *rs, struct net_req *req, int status, void *arg)
{
	const struct fc_copy_ext *e = arg;
	struct proto_ost_write_rep rep;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(req, &c);
		status = proto_ost_write_rep_dec(&c, &rep);
		if (status == 0 && rep.nwritten != e->len)
			status = -EIO;
	}
	if (status == 0)
		fc_wobj_note_write(rs->node, e->dst_stripe, rs->fl->l.nobjs,
				   net_req_rep_pre(req)->boot_instance, rep.blocks);
	return fc_io_errno(status);
}

static void copy_done(struct fc_rset *rs, int status)
{
	struct cfr *x = rs->priv;
	struct fc_node *dst = x->dst;
	struct timespec ts;

	if (status == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		pthread_mutex_lock(&dst->mu);
		if (x->doff + x->len > dst->size_local)
			dst->size_local = x->doff + x->len;
		dst->mtime_local.sec = ts.tv_sec;
		dst->mtime_local.nsec = (uint32_t)ts.tv_nsec;
		dst->report_pending = true;
		pthread_mutex_unlock(&dst->mu);
		fuse_reply_write(x->req, (size_t)x->len);
	} else {
		fc_reply_err(x->req, status);
	}
	cfr_free(x);
}

/* Both files' buffered data is on the OSTs: send the copies. */
static void copy_send(struct cfr *x)
{
	const struct proto_layout *sl = &x->sfl->l, *dl = &x->dfl->l;
	struct fc_rset *rs = fc_rset_new(x->fs, x->req, copy_done, x);

	if (!rs) {
		fc_reply_err(x->req, -ENOMEM);
		cfr_free(x);
		return;
	}
	rs->node = x->dst;
	rs->fl = fc_layout_get(x->dfl);
	for (uint32_t i = 0; i < x->n; i++) {
		const struct fc_copy_ext *e = &x->ext[i];
		struct proto_ost_copy_req m = {
		    .src_ost_idx = sl->objs[e->src_stripe].ost_idx,
		    .src_objid = sl->objs[e->src_stripe].objid,
		    .src_offset = e->src_objoff,
		    .ost_idx = dl->objs[e->dst_stripe].ost_idx,
		    .objid = dl->objs[e->dst_stripe].objid,
		    .parent = x->dst->fid,
		    .stripe = e->dst_stripe,
		    .offset = e->dst_objoff,
		    .length = e->len,
		};
		struct net_client *cl = fc_target_ost(x->fs, m.ost_idx);
		struct net_req *req = cl ? net_req_new(PROTO_OP_OST_COPY, NULL) : NULL;

		if (!req || proto_ost_copy_req_enc(net_req_body(req), &m)) {
			net_req_free(req);
			fc_rset_fail(rs, -EIO);
			continue;
		}
		fc_rset_send(rs, cl, req, copy_cb, (void *)e);
	}
	fc_rset_seal(rs);
}

/*
 * Runs once the source's write-behind data is on the OSTs, then again once
 * the destination's is: the OSSes copy what the objects hold.  The
 * destination's write errors are consumed, as a write reports them.
 */
static void flushed(void *arg, int status)
{
	struct cfr *x = arg;

	if (status) {
		fc_reply_err(x->req, status);
		cfr_free(x);
	} else if (!x->dst_flushed) {
		x->dst_flushed = true;
		fc_wb_sync(x->fs, x->dst, true, flushed, x);
	} else {
		copy_send(x);
	}
}

/*
 * Whether every extent of @x pairs two objects one OSS serves, so that the
 * OSS can copy them itself.
 */
static bool copy_is_cheap(struct cfr *x)
{
	for (uint32_t i = 0; i < x->n; i++) {
		const struct fc_copy_ext *e = &x->ext[i];
		struct net_client *s = fc_target_ost(x->fs, x->sfl->l.objs[e->src_stripe].ost_idx);
		struct net_client *d = fc_target_ost(x->fs, x->dfl->l.objs[e->dst_stripe].ost_idx);

		if (!s || s != d)
			return false;
	}
	return true;
}

/* The source's size as this client knows it: the MDS's, or further if written here. */
static uint64_t src_size(struct fc_node *n)
{
	uint64_t size;

	pthread_mutex_lock(&n->mu);
	size = n->size > n->size_local ? n->size : n->size_local;
	pthread_mutex_unlock(&n->mu);
	return size;
}

static struct fc_layout *layout_of(struct fc_node *n)
{
	struct fc_layout *fl;

	pthread_mutex_lock(&n->mu);
	fl = fc_node_layout(n);
	pthread_mutex_unlock(&n->mu);
	return fl;
}

void fc_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			   struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
			   struct fuse_file_info *fi_out, size_t len, int flags)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct cfr *x;
	uint64_t size;
	int rc;

	if (flags) {
		fc_reply_err(req, -EOPNOTSUPP);
		return;
	}
	if (fi_out->flags & O_APPEND) {
		fc_reply_err(req, -EBADF); /* as copy_file_range(2); the kernel checks first */
		return;
	}
	if (off_in < 0 || off_out < 0) {
		fc_reply_err(req, -EINVAL);
		return;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		fc_reply_err(req, -ENOMEM);
		return;
	}
	*x = (struct cfr){.req = req,
			  .fs = fs,
			  .src = fc_node_of(fs->nodes, ino_in),
			  .dst = fc_node_of(fs->nodes, ino_out),
			  .soff = (uint64_t)off_in,
			  .doff = (uint64_t)off_out,
			  .len = len < FC_COPY_CALL_MAX ? len : FC_COPY_CALL_MAX};
	/* Only up to the source's end, like copy_file_range(2). */
	size = src_size(x->src);
	x->len = x->soff >= size ? 0 : (x->len < size - x->soff ? x->len : size - x->soff);
	if (x->len == 0) {
		fuse_reply_write(req, 0);
		cfr_free(x);
		return;
	}
	if (x->doff + x->len > PROTO_FILE_SIZE_MAX) {
		fc_reply_err(req, -EFBIG);
		cfr_free(x);
		return;
	}
	x->sfl = layout_of(x->src);
	x->dfl = layout_of(x->dst);
	rc = x->sfl && x->dfl ? fc_copy_extents(&x->sfl->l, x->soff, &x->dfl->l, x->doff, x->len,
						PROTO_OST_COPY_MAX, &x->ext, &x->n)
			      : -EOPNOTSUPP;
	if (rc == 0 && !copy_is_cheap(x))
		rc = -EOPNOTSUPP;
	if (rc) {
		fc_reply_err(req, rc == -ENOMEM ? rc : -EOPNOTSUPP);
		cfr_free(x);
		return;
	}
	/* Buffered writes of either file first: the OSSes copy what is on the OSTs. */
	fc_wb_sync(fs, x->src, false, flushed, x);
}
