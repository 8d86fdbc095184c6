/* SPDX-License-Identifier: Apache-2.0 */
/*
 * open and create, the list of open files, and their replay after an MDS
 * restart.  An open revalidates against the MDS: its reply carries the
 * file's data version; when it differs from the one the kernel's page cache
 * reflects (or the node has never been opened), the cached attributes are
 * invalidated and keep_cache stays off, so the kernel drops its pages and
 * the open sees the data of the last close anywhere (close-to-open).
 */
#include "fc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

void fc_files_add(struct fc_fs *fs, struct fc_file *f)
{
	pthread_mutex_lock(&fs->files_mu);
	f->prev = NULL;
	f->next = fs->files;
	if (fs->files)
		fs->files->prev = f;
	fs->files = f;
	pthread_mutex_unlock(&fs->files_mu);
}

void fc_files_del(struct fc_fs *fs, struct fc_file *f)
{
	pthread_mutex_lock(&fs->files_mu);
	if (f->prev)
		f->prev->next = f->next;
	else
		fs->files = f->next;
	if (f->next)
		f->next->prev = f->prev;
	pthread_mutex_unlock(&fs->files_mu);
}

void fc_files_set_dv(struct fc_fs *fs, struct fc_node *node, uint64_t dv)
{
	pthread_mutex_lock(&fs->files_mu);
	pthread_mutex_lock(&node->mu);
	for (struct fc_file *f = fs->files; f; f = f->next)
		if (f->node == node && f->writable && f->dv < dv)
			f->dv = dv;
	pthread_mutex_unlock(&node->mu);
	pthread_mutex_unlock(&fs->files_mu);
}

/* The O_* flags the MDS sees: creation and truncation happen elsewhere. */
static uint32_t mds_open_flags(int flags)
{
	return (uint32_t)flags & ~(uint32_t)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
}

/*
 * Turns an open reply into a file for @node (nlookup/refs already arranged
 * by the caller) and fills @fi.  @created: the file is new (a create), so
 * the kernel has nothing of it cached to drop.  Returns NULL if out of memory.
 */
static struct fc_file *file_new(struct fc_fs *fs, struct fc_node *node,
				const struct proto_mds_open_rep *rep, struct fuse_file_info *fi,
				bool created)
{
	struct fc_file *f = calloc(1, sizeof(*f));
	bool fresh;

	if (!f)
		return NULL;
	f->node = node;
	f->handle = rep->handle;
	f->flags = (uint32_t)fi->flags;
	f->writable = (fi->flags & O_ACCMODE) != O_RDONLY;
	f->dv = rep->attr.data_version;
	pthread_mutex_lock(&node->mu);
	fc_node_set_attr(node, &rep->attr,
			 (rep->flags & PROTO_OPEN_REP_F_LAYOUT) ? &rep->layout : NULL);
	fresh = !node->dv_known || node->dv != rep->attr.data_version;
	node->dv = rep->attr.data_version;
	node->dv_known = true;
	/* Data being written here is newer than anything the MDS knows of. */
	if (node->nwriters || node->report_pending)
		fresh = false;
	if (f->writable)
		node->nwriters++;
	pthread_mutex_unlock(&node->mu);
	fc_node_hold(fs->nodes, node);
	fc_files_add(fs, f);
	fi->fh = (uintptr_t)f;
	fi->keep_cache = !fresh;
	fi->direct_io = (fi->flags & O_DIRECT) != 0;
	fi->noflush = 0;
	if (fresh && !node->is_root && !created)
		fuse_lowlevel_notify_inval_inode(fs->se, fc_node_id(node), -1, 0);
	return f;
}

/* Undoes file_new after a failed reply (the kernel did not get the file). */
static void close_async(struct fc_fs *fs, struct fc_file *f);

static void open_done(struct fc_rset *rs, int status)
{
	struct fuse_file_info *fi = rs->priv;
	struct proto_mds_open_rep *rep = NULL;
	struct fc_node *node = rs->node;
	struct fc_file *f;
	struct proto_cur c;

	if (status == 0) {
		rep = malloc(sizeof(*rep));
		status = rep ? 0 : -ENOMEM;
	}
	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_open_rep_dec(&c, rep);
	}
	if (status == 0 && !(rep->flags & PROTO_OPEN_REP_F_OPENED))
		status = -EPROTO;
	/*
	 * The FID is gone: the kernel's cached name is stale (another client
	 * renamed over or removed it).  -ESTALE makes the VFS look it up again.
	 */
	if (status == -ENOENT)
		status = -ESTALE;
	if (status) {
		fc_reply_err(rs->freq, status);
		goto out;
	}
	f = file_new(rs->fs, node, rep, fi, false);
	if (!f)
		fc_reply_err(rs->freq, -ENOMEM);
	else if (fuse_reply_open(rs->freq, fi) != 0)
		close_async(rs->fs, f);
out:
	free(rep);
	free(fi);
}

void fc_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fc_node *node = fc_node_of(fs->nodes, ino);
	struct proto_mds_open_req m = {.fid = node->fid, .open_flags = mds_open_flags(fi->flags)};
	struct fuse_file_info *fic = malloc(sizeof(*fic));
	/*
	 * The kernel opens right after the lookup that found this inode: the
	 * open stands for that lookup, so it gets the file even if a rename
	 * replaced the name in between (RECENT).  An open through an older
	 * cached name gets -ENOENT for a replaced file instead, and the VFS
	 * looks the name up again (ESTALE below).
	 */
	if (net_now_ms() - atomic_load(&node->entry_ms) < FC_OPEN_RECENT_MS)
		m.flags |= PROTO_OPEN_F_RECENT;
	struct net_req *r = fic ? fc_mds_req(req, PROTO_OP_MDS_OPEN) : NULL;
	struct fc_rset *rs;
	int rc = r ? proto_mds_open_req_enc(net_req_body(r), &m) : -ENOMEM;

	rs = rc == 0 ? fc_rset_new(fs, req, open_done, fic) : NULL;
	if (!rs) {
		net_req_free(r);
		free(fic);
		fc_reply_err(req, rc ? rc : -ENOMEM);
		return;
	}
	*fic = *fi;
	rs->node = node;
	fc_mds_send(rs, r, NULL, NULL);
	fc_rset_seal(rs);
}

/* A create in flight: what create_done needs to keep it for replay. */
struct create_ctx {
	struct fuse_file_info fi;
	struct proto_creds creds;
	struct proto_mds_create_req m; /* name points into name[] */
	char name[PROTO_NAME_MAX + 1];
};

static void create_done(struct fc_rset *rs, int status)
{
	struct create_ctx *cx = rs->priv;
	struct fuse_file_info *fi = &cx->fi;
	struct proto_mds_open_rep *rep = NULL;
	struct fuse_entry_param e;
	struct fc_node *node;
	struct fc_file *f;
	struct proto_cur c;

	if (status == 0) {
		rep = malloc(sizeof(*rep));
		status = rep ? 0 : -ENOMEM;
	}
	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_open_rep_dec(&c, rep);
	}
	if (status == 0 && !(rep->flags & PROTO_OPEN_REP_F_OPENED))
		status = -EPROTO;
	/* Kept before anything can fail: the MDS has the file either way. */
	if (status == 0 && (cx->m.flags & PROTO_CREATE_F_REPLAYABLE))
		fc_retain_create(rs->fs, fc_rset_req(rs, 0), &cx->creds, &cx->m, rep);
	fc_rset_dirs_done(rs, status ? NULL : &rep->dirs);
	node = status == 0 ? fc_node_get(rs->fs->nodes, &rep->attr.fid, 1) : NULL;
	if (status == 0 && !node)
		status = -ENOMEM;
	if (status) {
		fc_reply_err(rs->freq, status);
		goto out;
	}
	f = file_new(rs->fs, node, rep, fi, (rep->flags & PROTO_OPEN_REP_F_CREATED) != 0);
	if (!f) {
		fc_node_forget(rs->fs->nodes, node, 1);
		fc_reply_err(rs->freq, -ENOMEM);
		goto out;
	}
	fi->keep_cache = 1; /* a new file: nothing cached to drop */
	fc_entry_fill(rs->fs, node, &rep->attr, &e);
	if (fuse_reply_create(rs->freq, &e, fi) != 0) {
		close_async(rs->fs, f);
		fc_node_forget(rs->fs->nodes, node, 1);
	}
out:
	free(rep);
	free(cx);
}

void fc_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		  struct fuse_file_info *fi)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct create_ctx *cx = calloc(1, sizeof(*cx));
	struct proto_mds_create_req *m = cx ? &cx->m : NULL;
	struct net_req *r = NULL;
	struct fc_rset *rs = NULL;
	size_t len = strlen(name);
	int rc = cx ? 0 : -ENOMEM;

	if (rc == 0 && len > PROTO_NAME_MAX)
		rc = -ENAMETOOLONG;
	if (rc == 0) {
		memcpy(cx->name, name, len + 1);
		cx->fi = *fi;
		fc_req_creds(req, &cx->creds);
		m->parent = fc_node_of(fs->nodes, parent)->fid;
		m->name.s = cx->name;
		m->name.len = (uint32_t)len;
		m->mode = mode & 07777;
		m->flags = PROTO_CREATE_F_OPEN | ((fi->flags & O_EXCL) ? PROTO_CREATE_F_EXCL : 0);
		/* Kept until committed, the create need not wait for the MDS's sync. */
		if (fc_retain_room(fs))
			m->flags |= PROTO_CREATE_F_REPLAYABLE;
		m->open_flags = mds_open_flags(fi->flags);
		r = net_req_new(PROTO_OP_MDS_CREATE, &cx->creds);
		rc = r ? proto_mds_create_req_enc(net_req_body(r), m) : -ENOMEM;
	}
	if (rc == 0) {
		rs = fc_rset_new(fs, req, create_done, cx);
		rc = rs ? 0 : -ENOMEM;
	}
	if (rc) {
		net_req_free(r);
		free(cx);
		fc_reply_err(req, rc);
		return;
	}
	fc_dirneg_adding(fs, &m->parent, m->name.s, m->name.len);
	fc_rset_dir_change(rs, fc_node_of(fs->nodes, parent));
	fc_mds_send(rs, r, NULL, NULL);
	fc_rset_seal(rs);
}

/* ---- closing a file the kernel never got -------------------------------- */

static struct fc_fs *drop_fs; /* set before any drop: one mount per process */

static void drop_done(void *arg, int status)
{
	struct fc_file *f = arg;

	(void)status;
	fc_node_release(drop_fs->nodes, f->node);
	free(f);
}

static void close_async(struct fc_fs *fs, struct fc_file *f)
{
	struct fc_node *node = f->node;

	pthread_mutex_lock(&node->mu);
	if (f->writable)
		node->nwriters--;
	pthread_mutex_unlock(&node->mu);
	fc_files_del(fs, f);
	f->writable = false; /* nothing to report */
	drop_fs = fs;
	/* The node stays held until the close is done: the report uses it. */
	fc_report_send(fs, NULL, f, FC_REPORT_CLOSE, drop_done, f);
}

/* ---- replay after an MDS restart ---------------------------------------- */

uint32_t fc_files_replay(struct fc_fs *fs, fc_done_fn done)
{
	uint32_t n = 0;

	/* A replay racing the file's release fails harmlessly. */
	pthread_mutex_lock(&fs->files_mu);
	for (struct fc_file *f = fs->files; f; f = f->next) {
		struct proto_mds_open_req m = {.fid = f->node->fid,
					       .open_flags = mds_open_flags((int)f->flags),
					       .flags = PROTO_OPEN_F_REPLAY,
					       .handle = f->handle};
		struct net_req *r = net_req_new(PROTO_OP_MDS_OPEN, NULL);
		struct proto_fid *fid = malloc(sizeof(*fid));
		struct fc_rset *rs;

		if (!r || !fid || proto_mds_open_req_enc(net_req_body(r), &m)) {
			NET_ERR("cannot replay the open of " PROTO_FID_F ": out of memory",
				PROTO_FID_P(&f->node->fid));
			net_req_free(r);
			free(fid);
			continue;
		}
		*fid = f->node->fid;
		rs = fc_rset_new(fs, NULL, done, fid);
		if (!rs) {
			NET_ERR("cannot replay the open of " PROTO_FID_F ": out of memory",
				PROTO_FID_P(&f->node->fid));
			net_req_free(r);
			free(fid);
			continue;
		}
		net_req_set_replay(r);
		fc_mds_send(rs, r, NULL, NULL);
		fc_rset_seal(rs);
		n++;
	}
	pthread_mutex_unlock(&fs->files_mu);
	return n;
}
