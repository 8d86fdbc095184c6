/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flush, fsync, release and the size reports they send.  The MDS holds the
 * size: a writer reports size, blocks and mtime (with the data version its
 * open returned) at flush (MDS_SYNC: close(2) returns after it, so another
 * client's open sees the size), fsync (MDS_SYNC) and release (MDS_CLOSE).
 * fsync first syncs every object with acknowledged unsynced writes
 * (OST_SYNC, all in flight) and fails with -EIO if an OSS's boot instance
 * changed since it acknowledged one of them.
 */
#include "fc_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- size reports ------------------------------------------------------- */

struct rep_ctx {
	struct fc_fs *fs;
	fuse_req_t freq;
	struct fc_file *f;
	bool close, reported;
	int how;
	void (*cb)(void *arg, int status);
	void *arg;
	struct proto_mds_close_req m;
	uint32_t *ask; /* stripes whose blocks we ask the OSTs for */
	uint32_t nask;
};

static void rep_finish(struct fc_rset *rs, int status)
{
	struct rep_ctx *x = rs->priv;
	struct fc_node *node = x->f->node;
	struct proto_mds_attr_rep a;
	struct proto_cur c;

	if (status == 0 && !x->close) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		if (proto_mds_attr_rep_dec(&c, &a) == 0) {
			pthread_mutex_lock(&node->mu);
			node->size = a.attr.size;
			if (x->reported && node->dv_known && a.attr.data_version == node->dv + 1)
				node->dv = a.attr.data_version; /* our own write, cached already */
			pthread_mutex_unlock(&node->mu);
		}
	}
	if (status && x->reported) {
		pthread_mutex_lock(&node->mu);
		node->report_pending = true; /* try again at the next flush or close */
		pthread_mutex_unlock(&node->mu);
	}
	if (status == 0 && x->reported) {
		pthread_mutex_lock(&node->mu);
		if (x->m.report.size > node->size)
			node->size = x->m.report.size;
		pthread_mutex_unlock(&node->mu);
	}
	x->cb(x->arg, status);
	free(x->ask);
	free(x);
}

/* Sends the CLOSE or SYNC itself, once the blocks are known. */
static void rep_send(struct fc_rset *prev, int status)
{
	struct rep_ctx *x = prev->priv;
	struct fc_node *node = x->f->node;
	struct net_req *r;
	struct fc_rset *rs;
	int rc;

	if (x->reported) {
		uint64_t blocks = 0;
		bool all;

		pthread_mutex_lock(&node->mu);
		all = node->objs != NULL;
		for (uint32_t i = 0; all && i < node->nobjs; i++) {
			if (!node->objs[i].blocks_known)
				all = false;
			blocks += node->objs[i].blocks;
		}
		pthread_mutex_unlock(&node->mu);
		if (all) {
			x->m.report.valid |= PROTO_REPORT_BLOCKS;
			x->m.report.blocks = blocks;
		}
	}
	r = net_req_new(x->close ? PROTO_OP_MDS_CLOSE : PROTO_OP_MDS_SYNC, NULL);
	rc = r ? proto_mds_close_req_enc(net_req_body(r), &x->m) : -ENOMEM;
	rs = rc == 0 ? fc_rset_new(x->fs, x->freq, rep_finish, x) : NULL;
	if (!rs) {
		struct fc_rset fake = {.priv = x};

		net_req_free(r);
		rep_finish(&fake, rc ? rc : -ENOMEM);
		return;
	}
	fc_mds_send(rs, r, NULL, NULL);
	fc_rset_seal(rs);
}

static int blocks_cb(struct fc_rset *rs, struct net_req *req, int status, void *arg)
{
	uint32_t stripe = (uint32_t)(uintptr_t)arg;
	struct fc_node *node = rs->node;
	struct proto_ost_getattr_rep rep;
	struct proto_cur c;

	if (status)
		return 0; /* no blocks then: the report goes without them */
	net_req_reply(req, &c);
	if (proto_ost_getattr_rep_dec(&c, &rep))
		return 0;
	pthread_mutex_lock(&node->mu);
	if (node->objs && stripe < node->nobjs && !node->objs[stripe].blocks_known) {
		node->objs[stripe].blocks = rep.blocks;
		node->objs[stripe].blocks_known = true;
	}
	pthread_mutex_unlock(&node->mu);
	return 0;
}

void fc_report_send(struct fc_fs *fs, fuse_req_t freq, struct fc_file *f, int how,
		    void (*cb)(void *arg, int status), void *arg)
{
	struct fc_node *node = f->node;
	struct rep_ctx *x = calloc(1, sizeof(*x));
	struct fc_layout *fl = NULL;
	struct fc_rset *rs;

	if (!x) {
		cb(arg, -ENOMEM);
		return;
	}
	*x = (struct rep_ctx){.fs = fs,
			      .freq = freq,
			      .f = f,
			      .close = how == FC_REPORT_CLOSE,
			      .how = how,
			      .cb = cb,
			      .arg = arg};
	x->m.fid = node->fid;
	x->m.handle = f->handle;
	pthread_mutex_lock(&node->mu);
	if (f->writable && node->report_pending) {
		x->reported = true;
		node->report_pending = false;
		x->m.report.valid = PROTO_REPORT_SIZE | PROTO_REPORT_MTIME;
		x->m.report.data_version = f->dv;
		x->m.report.size = node->size_local;
		x->m.report.mtime = node->mtime_local;
		fl = fc_node_layout(node);
		if (fl && (!node->objs || node->nobjs != fl->l.nobjs)) {
			/* Nothing written through this node yet: ask every object. */
			free(node->objs);
			node->objs = calloc(fl->l.nobjs, sizeof(*node->objs));
			node->nobjs = node->objs ? fl->l.nobjs : 0;
		}
		if (fl && node->objs) {
			x->ask = calloc(fl->l.nobjs, sizeof(*x->ask));
			for (uint32_t i = 0; x->ask && i < fl->l.nobjs; i++)
				if (!node->objs[i].blocks_known)
					x->ask[x->nask++] = i;
		}
	}
	pthread_mutex_unlock(&node->mu);
	if (!x->reported && how == FC_REPORT_FLUSH) {
		fc_layout_put(fl);
		free(x);
		cb(arg, 0);
		return;
	}
	rs = fc_rset_new(fs, NULL, rep_send, x);
	if (!rs) {
		struct fc_rset fake = {.priv = x};

		fc_layout_put(fl);
		rep_send(&fake, 0);
		return;
	}
	rs->node = node;
	rs->fl = fl;
	for (uint32_t i = 0; fl && i < x->nask; i++) {
		struct proto_ost_obj_req m = {.ost_idx = fl->l.objs[x->ask[i]].ost_idx,
					      .objid = fl->l.objs[x->ask[i]].objid};
		struct net_client *cl = fc_target_ost(fs, m.ost_idx);
		struct net_req *r = cl ? net_req_new(PROTO_OP_OST_GETATTR, NULL) : NULL;

		if (!r || proto_ost_obj_req_enc(net_req_body(r), &m)) {
			net_req_free(r);
			continue;
		}
		fc_rset_send(rs, cl, r, blocks_cb, (void *)(uintptr_t)x->ask[i]);
	}
	fc_rset_seal(rs);
}

/* ---- flush ---------------------------------------------------------------- */

struct fop {
	fuse_req_t req;
	struct fc_fs *fs;
	struct fc_file *f;
	struct {
		uint32_t stripe;
		uint64_t boot;
	} * objs;
};

static void reply_done(void *arg, int status)
{
	struct fop *x = arg;

	fc_reply_err(x->req, status);
	free(x->objs);
	free(x);
}

static void flush_go(void *arg, int status)
{
	struct fop *x = arg;

	if (status) {
		reply_done(x, status);
		return;
	}
	fc_report_send(x->fs, x->req, x->f, FC_REPORT_FLUSH, reply_done, x);
}

static struct fop *fop_new(fuse_req_t req, struct fuse_file_info *fi)
{
	struct fop *x = calloc(1, sizeof(*x));

	if (!x) {
		fc_reply_err(req, -ENOMEM);
		return NULL;
	}
	x->req = req;
	x->fs = fc_fs_of(req);
	x->f = (struct fc_file *)(uintptr_t)fi->fh;
	return x;
}

void fc_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fop *x;

	if (!((struct fc_file *)(uintptr_t)fi->fh)->writable) {
		fc_reply_err(req, 0);
		return;
	}
	x = fop_new(req, fi);
	if (x)
		fc_wb_sync(x->fs, x->f->node, true, flush_go, x);
}

/* ---- fsync ---------------------------------------------------------------- */

static int sync_cb(struct fc_rset *rs, struct net_req *req, int status, void *arg)
{
	struct fop *x = rs->priv;
	uint32_t i = (uint32_t)(uintptr_t)arg;
	struct fc_node *node = x->f->node;
	uint64_t boot = net_req_rep_pre(req)->boot_instance;
	uint32_t stripe = x->objs[i].stripe;

	if (status)
		return fc_io_errno(status);
	pthread_mutex_lock(&node->mu);
	if (node->objs && stripe < node->nobjs &&
	    node->objs[stripe].unsynced_boot == x->objs[i].boot)
		node->objs[stripe].unsynced_boot = 0;
	pthread_mutex_unlock(&node->mu);
	/* Acknowledged by an instance that is gone: those bytes may be lost. */
	return boot != x->objs[i].boot ? -EIO : 0;
}

static void fsync_mds(struct fc_rset *rs, int status)
{
	struct fop *x = rs->priv;

	if (status) {
		reply_done(x, status);
		return;
	}
	/* The size report (or an empty SYNC) last: the MDS commits it. */
	fc_report_send(x->fs, x->req, x->f, FC_REPORT_SYNC, reply_done, x);
}

static void fsync_objs(void *arg, int status)
{
	struct fop *x = arg;
	struct fc_node *node = x->f->node;
	struct fc_layout *fl;
	struct fc_rset *rs;
	uint32_t n = 0;
	bool lost = false;

	if (status) {
		reply_done(x, status);
		return;
	}
	pthread_mutex_lock(&node->mu);
	fl = fc_node_layout(node);
	if (fl && node->objs && node->nobjs == fl->l.nobjs) {
		x->objs = calloc(node->nobjs, sizeof(*x->objs));
		for (uint32_t i = 0; x->objs && i < node->nobjs; i++) {
			struct fc_wobj *o = &node->objs[i];

			if (o->lost) {
				lost = true;
				o->lost = false;
			}
			if (o->unsynced_boot) {
				x->objs[n].stripe = i;
				x->objs[n].boot = o->unsynced_boot;
				n++;
			}
		}
	}
	pthread_mutex_unlock(&node->mu);
	rs = fc_rset_new(x->fs, x->req, fsync_mds, x);
	if (!rs) {
		fc_layout_put(fl);
		reply_done(x, -ENOMEM);
		return;
	}
	rs->node = node;
	rs->fl = fl;
	if (lost)
		fc_rset_fail(rs, -EIO);
	for (uint32_t i = 0; i < n; i++) {
		struct proto_ost_sync_req m = {.ost_idx = fl->l.objs[x->objs[i].stripe].ost_idx,
					       .objid = fl->l.objs[x->objs[i].stripe].objid,
					       .start = 0,
					       .end = UINT64_MAX};
		struct net_client *cl = fc_target_ost(x->fs, m.ost_idx);
		struct net_req *r = cl ? net_req_new(PROTO_OP_OST_SYNC, NULL) : NULL;

		if (!r || proto_ost_sync_req_enc(net_req_body(r), &m)) {
			net_req_free(r);
			fc_rset_fail(rs, -EIO);
			continue;
		}
		fc_rset_send(rs, cl, r, sync_cb, (void *)(uintptr_t)i);
	}
	fc_rset_seal(rs);
}

void fc_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct fop *x = fop_new(req, fi);

	if (x)
		fc_wb_sync(x->fs, x->f->node, true, fsync_objs, x);
}

/* ---- release -------------------------------------------------------------- */

static void release_done(void *arg, int status)
{
	struct fop *x = arg;
	struct fc_file *f = x->f;
	struct fc_node *node = f->node;

	pthread_mutex_lock(&node->mu);
	if (f->writable)
		node->nwriters--;
	if (!node->nwriters && !node->report_pending) {
		/* The MDS has our size now; keep it as the last seen. */
		if (node->size_local > node->size)
			node->size = node->size_local;
		node->size_local = 0;
	}
	pthread_mutex_unlock(&node->mu);
	fc_files_del(x->fs, f);
	fc_node_release(x->fs->nodes, node);
	free(f);
	reply_done(x, 0);
}

static void release_go(void *arg, int status)
{
	struct fop *x = arg;

	if (status)
		NET_WARN("write error on " PROTO_FID_F " reported at close: %s",
			 PROTO_FID_P(&x->f->node->fid), strerror(-status));
	fc_report_send(x->fs, NULL, x->f, FC_REPORT_CLOSE, release_done, x);
}

void fc_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fop *x = fop_new(req, fi);

	if (x)
		fc_wb_sync(x->fs, x->f->node, true, release_go, x);
}
