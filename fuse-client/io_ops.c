/* SPDX-License-Identifier: Apache-2.0 */
/*
 * write_buf (buffered through the write-behind buffer, or direct for an
 * O_DIRECT open) and fallocate (per-object OST_FALLOCATE, all in flight).
 */
#include "fc_int.h"

#include <errno.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct dwr {
	fuse_req_t req;
	struct fc_fs *fs;
	struct fc_node *node;
	char *buf;
	uint64_t off;
	size_t len;
};

static void dwr_done(struct fc_rset *rs, int status)
{
	struct dwr *x = rs->priv;

	if (status)
		fc_reply_err(x->req, status);
	else
		fuse_reply_write(x->req, x->len);
	free(x->buf);
	free(x);
}

static void dwr_go(void *arg, int status)
{
	struct dwr *x = arg;
	struct fc_node *node = x->node;
	struct fc_rset *rs;
	struct timespec ts;
	int rc;

	if (status) {
		fc_reply_err(x->req, status);
		goto fail;
	}
	rs = fc_rset_new(x->fs, x->req, dwr_done, x);
	if (!rs) {
		fc_reply_err(x->req, -ENOMEM);
		goto fail;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&node->mu);
	rs->node = node;
	rs->fl = fc_node_layout(node);
	if (x->off + x->len > node->size_local)
		node->size_local = x->off + x->len;
	node->mtime_local.sec = ts.tv_sec;
	node->mtime_local.nsec = (uint32_t)ts.tv_nsec;
	node->report_pending = true;
	pthread_mutex_unlock(&node->mu);
	rc = rs->fl ? fc_io_write_rpcs(rs, x->buf, x->off, x->len) : -EIO;
	if (rc)
		fc_rset_fail(rs, rc);
	fc_rset_seal(rs);
	return;
fail:
	free(x->buf);
	free(x);
}

void fc_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *bufv, off_t off,
		     struct fuse_file_info *fi)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fc_node *node = fc_node_of(fs->nodes, ino);
	size_t len = fuse_buf_size(bufv);
	struct dwr *x;
	ssize_t rc;

	if ((uint64_t)off + len > PROTO_FILE_SIZE_MAX) {
		fc_reply_err(req, -EFBIG);
		return;
	}
	if (!fi->direct_io) {
		rc = fc_wb_write(fs, node, bufv, off, len);
		if (rc < 0)
			fc_reply_err(req, (int)rc);
		else
			fuse_reply_write(req, (size_t)rc);
		return;
	}
	/* O_DIRECT: straight to the OSTs, replied when they acknowledged. */
	x = calloc(1, sizeof(*x));
	if (x)
		x->buf = malloc(len ? len : 1);
	if (!x || !x->buf) {
		free(x);
		fc_reply_err(req, -ENOMEM);
		return;
	}
	{
		struct fuse_bufvec dst = FUSE_BUFVEC_INIT(len);

		dst.buf[0].mem = x->buf;
		rc = fuse_buf_copy(&dst, bufv, 0);
	}
	if (rc < 0) {
		free(x->buf);
		free(x);
		fc_reply_err(req, (int)rc);
		return;
	}
	*x = (struct dwr){.req = req,
			  .fs = fs,
			  .node = node,
			  .buf = x->buf,
			  .off = (uint64_t)off,
			  .len = (size_t)rc};
	fc_wb_sync(fs, node, true, dwr_go, x);
}

/* ---- fallocate ------------------------------------------------------------ */

struct fal {
	fuse_req_t req;
	struct fc_fs *fs;
	struct fc_node *node;
	int mode;
	uint64_t off, len;
};

static int fal_cb(struct fc_rset *rs, struct net_req *req, int status, void *arg)
{
	struct proto_ost_size_rep rep;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(req, &c);
		status = proto_ost_size_rep_dec(&c, &rep);
	}
	if (status == 0)
		fc_wobj_note_write(rs->node, (uint32_t)(uintptr_t)arg, rs->fl->l.nobjs,
				   net_req_rep_pre(req)->boot_instance, rep.blocks);
	return fc_io_errno(status);
}

static void fal_done(struct fc_rset *rs, int status)
{
	struct fal *x = rs->priv;
	struct fc_node *node = x->node;

	if (status == 0 && !(x->mode & FALLOC_FL_KEEP_SIZE)) {
		pthread_mutex_lock(&node->mu);
		if (x->off + x->len > node->size_local)
			node->size_local = x->off + x->len;
		node->report_pending = true;
		pthread_mutex_unlock(&node->mu);
	}
	fc_reply_err(x->req, status);
	free(x);
}

static void fal_go(void *arg, int status)
{
	struct fal *x = arg;
	struct fc_rset *rs;
	struct fc_layout *fl;
	struct proto_obj_extent ext[PROTO_LAYOUT_MAX_STRIPES];
	int n;

	if (status) {
		fc_reply_err(x->req, status);
		free(x);
		return;
	}
	pthread_mutex_lock(&x->node->mu);
	fl = fc_node_layout(x->node);
	pthread_mutex_unlock(&x->node->mu);
	if (!fl) {
		fc_reply_err(x->req, -EIO);
		free(x);
		return;
	}
	n = proto_stripe_extents(&fl->l, x->off, x->len, ext, PROTO_LAYOUT_MAX_STRIPES);
	rs = n >= 0 ? fc_rset_new(x->fs, x->req, fal_done, x) : NULL;
	if (!rs) {
		fc_layout_put(fl);
		fc_reply_err(x->req, n < 0 ? n : -ENOMEM);
		free(x);
		return;
	}
	rs->node = x->node;
	rs->fl = fl;
	for (int i = 0; i < n; i++) {
		struct proto_ost_falloc_req m = {
		    .ost_idx = fl->l.objs[ext[i].stripe].ost_idx,
		    .objid = fl->l.objs[ext[i].stripe].objid,
		    .mode = (uint32_t)x->mode,
		    .offset = ext[i].start,
		    .length = ext[i].end - ext[i].start,
		};
		struct net_client *cl = fc_target_ost(x->fs, m.ost_idx);
		struct net_req *req = cl ? net_req_new(PROTO_OP_OST_FALLOCATE, NULL) : NULL;

		if (!m.length) {
			net_req_free(req);
			continue;
		}
		if (!req || proto_ost_falloc_req_enc(net_req_body(req), &m)) {
			net_req_free(req);
			fc_rset_fail(rs, -EIO);
			continue;
		}
		fc_rset_send(rs, cl, req, fal_cb, (void *)(uintptr_t)ext[i].stripe);
	}
	fc_rset_seal(rs);
}

void fc_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		     struct fuse_file_info *fi)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fal *x;

	if (mode != 0 && mode != FALLOC_FL_KEEP_SIZE &&
	    mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
		fc_reply_err(req, -EOPNOTSUPP);
		return;
	}
	if (offset < 0 || length <= 0) {
		fc_reply_err(req, -EINVAL);
		return;
	}
	if ((uint64_t)offset + (uint64_t)length > PROTO_FILE_SIZE_MAX) {
		fc_reply_err(req, -EFBIG);
		return;
	}
	x = malloc(sizeof(*x));
	if (!x) {
		fc_reply_err(req, -ENOMEM);
		return;
	}
	*x = (struct fal){.req = req,
			  .fs = fs,
			  .node = fc_node_of(fs->nodes, ino),
			  .mode = mode,
			  .off = (uint64_t)offset,
			  .len = (uint64_t)length};
	/* Buffered data first: a punched hole must not be refilled by an older write. */
	fc_wb_sync(fs, x->node, false, fal_go, x);
}
