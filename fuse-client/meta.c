/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Namespace operations: lookup, forget, getattr, setattr, readlink, mknod,
 * mkdir, unlink, rmdir, symlink, rename, link, statfs.  Each handler encodes
 * one MDS request and returns; the reply is sent from the RPC completion.
 */
#include "fc_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

/* Encodes with @enc into a new MDS request for @freq; NULL after replying an error. */
#define MDS_REQ(freq, op, enc, m)                                                                  \
	({                                                                                         \
		struct net_req *_r = fc_mds_req((freq), (op));                                     \
		int _rc = _r ? enc(net_req_body(_r), (m)) : -ENOMEM;                               \
		if (_rc) {                                                                         \
			net_req_free(_r);                                                          \
			_r = NULL;                                                                 \
			fc_reply_err((freq), _rc);                                                 \
		}                                                                                  \
		_r;                                                                                \
	})

static int name_check(const char *name, struct proto_str *out)
{
	size_t len = strlen(name);

	if (len > PROTO_NAME_MAX)
		return -ENAMETOOLONG;
	out->s = name;
	out->len = (uint32_t)len;
	return 0;
}

/* ---- lookup, getattr --------------------------------------------------- */

/*
 * The getattr_rep body of @rs's reply (the caller frees it), or NULL after
 * replying the error (@status, out of memory, or a malformed body) to FUSE.
 */
static struct proto_mds_getattr_rep *getattr_rep_or_reply(struct fc_rset *rs, int status)
{
	struct proto_mds_getattr_rep *rep = NULL;
	struct proto_cur c;

	if (!status) {
		rep = calloc(1, sizeof(*rep));
		status = rep ? 0 : -ENOMEM;
	}
	if (!status) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_getattr_rep_dec(&c, rep);
	}
	if (status) {
		fc_reply_err(rs->freq, status);
		free(rep);
		return NULL;
	}
	return rep;
}

static const struct proto_layout *rep_layout(const struct proto_mds_getattr_rep *rep)
{
	return (rep->flags & PROTO_MDS_GETATTR_F_LAYOUT) ? &rep->layout : NULL;
}

/* Replies with the entry of a getattr_rep body. */
static void getattr_rep_entry(struct fc_rset *rs, int status)
{
	struct proto_mds_getattr_rep *rep = getattr_rep_or_reply(rs, status);

	if (!rep)
		return;
	fc_reply_entry(rs->freq, &rep->attr, rep_layout(rep));
	free(rep);
}

void fc_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct proto_mds_name_req m = {.parent = fc_node_of(fs->nodes, parent)->fid};
	struct net_req *r;
	int rc = name_check(name, &m.name);

	if (rc == 0 && fc_dirneg_absent(fs, &m.parent, m.name.s, m.name.len))
		rc = -ENOENT; /* a complete directory without that name (dirneg.c) */
	if (rc) {
		fc_reply_err(req, rc);
		return;
	}
	r = MDS_REQ(req, PROTO_OP_MDS_LOOKUP, proto_mds_name_req_enc, &m);
	if (r)
		fc_mds_call(fs, req, r, getattr_rep_entry, NULL);
}

void fc_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct fc_fs *fs = fc_fs_of(req);

	fc_node_forget(fs->nodes, fc_node_of(fs->nodes, ino), nlookup);
	fuse_reply_none(req);
}

void fc_op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct fc_fs *fs = fc_fs_of(req);

	for (size_t i = 0; i < count; i++)
		fc_node_forget(fs->nodes, fc_node_of(fs->nodes, forgets[i].ino),
			       forgets[i].nlookup);
	fuse_reply_none(req);
}

/* Replies with attributes @a of @node (merged with local writers). */
static void reply_attr(struct fc_fs *fs, fuse_req_t req, struct fc_node *node,
		       const struct proto_attr *a, const struct proto_layout *l)
{
	struct proto_attr m = *a;
	struct stat st;

	fc_dirneg_seen(fs, a);
	pthread_mutex_lock(&node->mu);
	fc_node_set_attr(node, a, l);
	fc_attr_merge_local(node, &m);
	pthread_mutex_unlock(&node->mu);
	fc_attr_to_stat(&m, &st);
	fuse_reply_attr(req, &st, fs->opts.attr_timeout);
}

static void getattr_done(struct fc_rset *rs, int status)
{
	struct proto_mds_getattr_rep *rep;

	if (status == -ENOENT)
		status = -ESTALE; /* a stale cached name: the VFS looks it up again */
	rep = getattr_rep_or_reply(rs, status);
	if (!rep)
		return;
	reply_attr(rs->fs, rs->freq, rs->priv, &rep->attr, rep_layout(rep));
	free(rep);
}

void fc_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fc_node *node = fc_node_of(fs->nodes, ino);
	struct proto_mds_fid_req m = {.fid = node->fid};
	struct proto_attr a;
	struct stat st;
	struct net_req *r;
	double timeout;

	/* A directory right after our own change in it (dirattr.c). */
	if (fc_dir_attr_cached(fs, node, &a, &timeout)) {
		fc_attr_to_stat(&a, &st);
		fuse_reply_attr(req, &st, timeout);
		return;
	}
	r = MDS_REQ(req, PROTO_OP_MDS_GETATTR, proto_mds_fid_req_enc, &m);
	if (r)
		fc_mds_call(fs, req, r, getattr_done, node);
}

/* ---- setattr ----------------------------------------------------------- */

struct setattr_ctx {
	fuse_req_t req;
	struct fc_node *node;
	struct proto_mds_setattr_req m;
};

static void setattr_done(struct fc_rset *rs, int status)
{
	struct setattr_ctx *x = rs->priv;
	struct proto_mds_attr_rep rep;
	struct fc_node *node = x->node;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_attr_rep_dec(&c, &rep);
	}
	fc_rset_dirs_done(rs, status ? NULL : &rep.dirs);
	if (status) {
		fc_reply_err(x->req, status);
		goto out;
	}
	if (x->m.valid & PROTO_SETATTR_SIZE) {
		pthread_mutex_lock(&node->mu);
		node->size_local = x->m.size;
		if (node->dv_known && rep.attr.data_version == node->dv + 1)
			node->dv = rep.attr.data_version; /* our own truncate: the cache follows */
		pthread_mutex_unlock(&node->mu);
		/* Our writers' reports must not be ignored as older than this truncate. */
		fc_files_set_dv(rs->fs, node, rep.attr.data_version);
	}
	reply_attr(rs->fs, x->req, node, &rep.attr, NULL);
out:
	free(x);
}

static void setattr_go(void *arg, int status)
{
	struct setattr_ctx *x = arg;
	struct fc_fs *fs = fc_fs_of(x->req);
	struct net_req *r;

	if (status) {
		fc_reply_err(x->req, status);
		free(x);
		return;
	}
	r = MDS_REQ(x->req, PROTO_OP_MDS_SETATTR, proto_mds_setattr_req_enc, &x->m);
	if (!r) {
		free(x);
		return;
	}
	fc_mds_change(fs, x->req, r, setattr_done, x, x->node, NULL);
}

void fc_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		   struct fuse_file_info *fi)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fc_node *node = fc_node_of(fs->nodes, ino);
	struct setattr_ctx *x = calloc(1, sizeof(*x));
	struct proto_mds_setattr_req *m;

	if (!x) {
		fc_reply_err(req, -ENOMEM);
		return;
	}
	x->req = req;
	x->node = node;
	m = &x->m;
	m->fid = node->fid;
	if (fi && fi->fh)
		m->handle = ((struct fc_file *)(uintptr_t)fi->fh)->handle;
	if (to_set & FUSE_SET_ATTR_MODE) {
		m->valid |= PROTO_SETATTR_MODE;
		m->mode = attr->st_mode;
	}
	if (to_set & FUSE_SET_ATTR_UID) {
		m->valid |= PROTO_SETATTR_UID;
		m->uid = attr->st_uid;
	}
	if (to_set & FUSE_SET_ATTR_GID) {
		m->valid |= PROTO_SETATTR_GID;
		m->gid = attr->st_gid;
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		m->valid |= PROTO_SETATTR_SIZE;
		m->size = (uint64_t)attr->st_size;
	}
	if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
		m->valid |= PROTO_SETATTR_ATIME_NOW;
	} else if (to_set & FUSE_SET_ATTR_ATIME) {
		m->valid |= PROTO_SETATTR_ATIME;
		m->atime.sec = attr->st_atim.tv_sec;
		m->atime.nsec = (uint32_t)attr->st_atim.tv_nsec;
	}
	if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
		m->valid |= PROTO_SETATTR_MTIME_NOW;
	} else if (to_set & FUSE_SET_ATTR_MTIME) {
		m->valid |= PROTO_SETATTR_MTIME;
		m->mtime.sec = attr->st_mtim.tv_sec;
		m->mtime.nsec = (uint32_t)attr->st_mtim.tv_nsec;
	}
	if (to_set & FUSE_SET_ATTR_CTIME) {
		m->valid |= PROTO_SETATTR_CTIME;
		m->ctime.sec = attr->st_ctim.tv_sec;
		m->ctime.nsec = (uint32_t)attr->st_ctim.tv_nsec;
	}
	if (m->valid & PROTO_SETATTR_SIZE)
		fc_wb_sync(fs, node, false, setattr_go, x); /* buffered data first, then truncate */
	else
		setattr_go(x, 0);
}

/* ---- creating names ---------------------------------------------------- */

static void attr_rep_entry(struct fc_rset *rs, int status)
{
	struct proto_mds_attr_rep rep;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_attr_rep_dec(&c, &rep);
	}
	fc_rset_dirs_done(rs, status ? NULL : &rep.dirs);
	/*
	 * A directory we just made is complete (dirneg.c); not from a resent
	 * request, whose reply may be the MDS's record of the first attempt.
	 */
	if (status == 0 && net_req_opcode(fc_rset_req(rs, 0)) == PROTO_OP_MDS_MKDIR &&
	    net_req_attempts(fc_rset_req(rs, 0)) == 1)
		fc_dirneg_made(rs->fs, &rep.attr, rs->cstart_ms);
	if (status)
		fc_reply_err(rs->freq, status);
	else
		fc_reply_entry(rs->freq, &rep.attr, NULL);
}

void fc_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct proto_mds_mknod_req m = {
	    .parent = fc_node_of(fs->nodes, parent)->fid, .mode = mode, .rdev = rdev};
	struct net_req *r;
	int rc = name_check(name, &m.name);

	if (rc) {
		fc_reply_err(req, rc);
		return;
	}
	fc_dirneg_adding(fs, &m.parent, m.name.s, m.name.len);
	r = MDS_REQ(req, PROTO_OP_MDS_MKNOD, proto_mds_mknod_req_enc, &m);
	if (r)
		fc_mds_change(fs, req, r, attr_rep_entry, NULL, fc_node_of(fs->nodes, parent),
			      NULL);
}

void fc_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct proto_mds_mkdir_req m = {.parent = fc_node_of(fs->nodes, parent)->fid, .mode = mode};
	struct net_req *r;
	int rc = name_check(name, &m.name);

	if (rc) {
		fc_reply_err(req, rc);
		return;
	}
	fc_dirneg_adding(fs, &m.parent, m.name.s, m.name.len);
	r = MDS_REQ(req, PROTO_OP_MDS_MKDIR, proto_mds_mkdir_req_enc, &m);
	if (r)
		fc_mds_change(fs, req, r, attr_rep_entry, NULL, fc_node_of(fs->nodes, parent),
			      NULL);
}

void fc_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct proto_mds_symlink_req m = {.parent = fc_node_of(fs->nodes, parent)->fid,
					  .target = {.s = link, .len = (uint32_t)strlen(link)}};
	struct net_req *r;
	int rc = name_check(name, &m.name);

	if (rc == 0 && m.target.len > PROTO_SYMLINK_MAX)
		rc = -ENAMETOOLONG;
	if (rc) {
		fc_reply_err(req, rc);
		return;
	}
	fc_dirneg_adding(fs, &m.parent, m.name.s, m.name.len);
	r = MDS_REQ(req, PROTO_OP_MDS_SYMLINK, proto_mds_symlink_req_enc, &m);
	if (r)
		fc_mds_change(fs, req, r, attr_rep_entry, NULL, fc_node_of(fs->nodes, parent),
			      NULL);
}

void fc_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct proto_mds_link_req m = {.fid = fc_node_of(fs->nodes, ino)->fid,
				       .parent = fc_node_of(fs->nodes, newparent)->fid};
	struct net_req *r;
	int rc = name_check(newname, &m.name);

	if (rc) {
		fc_reply_err(req, rc);
		return;
	}
	fc_dirneg_adding(fs, &m.parent, m.name.s, m.name.len);
	r = MDS_REQ(req, PROTO_OP_MDS_LINK, proto_mds_link_req_enc, &m);
	if (r)
		fc_mds_change(fs, req, r, attr_rep_entry, NULL, fc_node_of(fs->nodes, newparent),
			      NULL);
}

/* ---- removing and renaming --------------------------------------------- */

static void remove_done(struct fc_rset *rs, int status)
{
	struct proto_mds_unlink_rep rep;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_unlink_rep_dec(&c, &rep);
	}
	fc_rset_dirs_done(rs, status ? NULL : &rep.dirs);
	fc_reply_err(rs->freq, status);
}

static void rename_done(struct fc_rset *rs, int status)
{
	struct proto_mds_rename_rep rep;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_rename_rep_dec(&c, &rep);
	}
	fc_rset_dirs_done(rs, status ? NULL : &rep.dirs);
	fc_reply_err(rs->freq, status);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, uint16_t op)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct proto_mds_name_req m = {.parent = fc_node_of(fs->nodes, parent)->fid};
	struct net_req *r;
	int rc = name_check(name, &m.name);

	if (rc) {
		fc_reply_err(req, rc);
		return;
	}
	r = MDS_REQ(req, op, proto_mds_name_req_enc, &m);
	if (r)
		fc_mds_change(fs, req, r, remove_done, NULL, fc_node_of(fs->nodes, parent), NULL);
}

void fc_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, PROTO_OP_MDS_UNLINK);
}

void fc_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, PROTO_OP_MDS_RMDIR);
}

void fc_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		  const char *newname, unsigned int flags)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct proto_mds_rename_req m = {.src_parent = fc_node_of(fs->nodes, parent)->fid,
					 .dst_parent = fc_node_of(fs->nodes, newparent)->fid};
	struct net_req *r;
	int rc = name_check(name, &m.src_name);

	if (rc == 0)
		rc = name_check(newname, &m.dst_name);
	/* RENAME_WHITEOUT (overlayfs) is not supported; NOREPLACE|EXCHANGE is invalid. */
	if (rc == 0 && (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)))
		rc = -EINVAL;
	if (rc == 0 && (flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		rc = -EINVAL;
	if (rc) {
		fc_reply_err(req, rc);
		return;
	}
	if (flags & RENAME_NOREPLACE)
		m.flags |= PROTO_RENAME_NOREPLACE;
	if (flags & RENAME_EXCHANGE)
		m.flags |= PROTO_RENAME_EXCHANGE;
	fc_dirneg_adding(fs, &m.dst_parent, m.dst_name.s, m.dst_name.len);
	r = MDS_REQ(req, PROTO_OP_MDS_RENAME, proto_mds_rename_req_enc, &m);
	if (r)
		fc_mds_change(fs, req, r, rename_done, NULL, fc_node_of(fs->nodes, parent),
			      fc_node_of(fs->nodes, newparent));
}

/* ---- readlink, statfs -------------------------------------------------- */

static void readlink_done(struct fc_rset *rs, int status)
{
	struct proto_mds_readlink_rep rep;
	struct proto_cur c;
	char *s;

	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_readlink_rep_dec(&c, &rep);
	}
	if (status) {
		fc_reply_err(rs->freq, status);
		return;
	}
	s = strndup(rep.target.s, rep.target.len);
	if (!s) {
		fc_reply_err(rs->freq, -ENOMEM);
		return;
	}
	fuse_reply_readlink(rs->freq, s);
	free(s);
}

void fc_op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct proto_mds_fid_req m = {.fid = fc_node_of(fs->nodes, ino)->fid};
	struct net_req *r = MDS_REQ(req, PROTO_OP_MDS_READLINK, proto_mds_fid_req_enc, &m);

	if (r)
		fc_mds_call(fs, req, r, readlink_done, NULL);
}

static void statfs_done(struct fc_rset *rs, int status)
{
	struct proto_mds_statfs_rep rep;
	struct statvfs sv;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_statfs_rep_dec(&c, &rep);
	}
	if (status) {
		fc_reply_err(rs->freq, status);
		return;
	}
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = rep.osts.bsize ? rep.osts.bsize : 4096;
	sv.f_frsize = sv.f_bsize;
	sv.f_blocks = rep.osts.blocks;
	sv.f_bfree = rep.osts.bfree;
	sv.f_bavail = rep.osts.bavail;
	sv.f_files = rep.mdt.files;
	sv.f_ffree = rep.mdt.ffree;
	sv.f_favail = rep.mdt.ffree;
	sv.f_namemax = PROTO_NAME_MAX;
	fuse_reply_statfs(rs->freq, &sv);
}

void fc_op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct net_req *r = fc_mds_req(req, PROTO_OP_MDS_STATFS);
	int rc = r ? proto_mds_empty_enc(net_req_body(r)) : -ENOMEM;

	if (rc) {
		net_req_free(r);
		fc_reply_err(req, rc);
		return;
	}
	fc_mds_call(fs, req, r, statfs_done, NULL);
}
