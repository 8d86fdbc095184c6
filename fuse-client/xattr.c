/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Extended attributes.  Ordinary names go to the MDS.  Virtual names
 * (docs/client.md): FC_XATTR_LOV is a file's layout or a directory's default
 * (MDS_GETLAYOUT / MDS_SETLAYOUT, value = the proto layout wire form),
 * FC_XATTR_STATFS on the root lists every target's statfs (for `stria df`),
 * FC_XATTR_NODES on the root the node table's size, FC_XATTR_RPCS the RPCs
 * this mount has sent, per opcode.  "security.capability"
 * is asked before every write by the kernel: a node remembers that it has
 * none, so writes do not each cost an MDS round trip.
 */
#include "fc_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#define XATTR_CAPS "security.capability"

static bool is_lov(const char *name)
{
	return !strcmp(name, FC_XATTR_LOV) || !strcmp(name, FC_XATTR_LOV2);
}

static bool is_acl(const char *name)
{
	return !strncmp(name, "system.posix_acl_", 17);
}

/* Replies to a getxattr of a @len-byte value per the size protocol. */
static void reply_value(fuse_req_t req, const void *val, size_t len, size_t size)
{
	if (size == 0)
		fuse_reply_xattr(req, len);
	else if (size < len)
		fc_reply_err(req, -ERANGE);
	else
		fuse_reply_buf(req, val, len);
}

/* ---- layouts -------------------------------------------------------------- */

struct lov_ctx {
	struct fc_node *node;
	size_t size;
};

static void getlayout_done(struct fc_rset *rs, int status)
{
	struct lov_ctx *x = rs->priv;
	struct proto_mds_layout_rep *rep = malloc(sizeof(*rep));
	uint8_t *buf = malloc(PROTO_LAYOUT_WIRE_MAX);
	struct proto_cur c;

	if (status == 0 && (!rep || !buf))
		status = -ENOMEM;
	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_layout_rep_dec(&c, rep);
	}
	if (status == 0 && rep->kind == PROTO_LAYOUT_KIND_NONE)
		status = -ENODATA;
	if (status) {
		fc_reply_err(rs->freq, status);
	} else {
		proto_cur_init(&c, buf, PROTO_LAYOUT_WIRE_MAX);
		proto_layout_enc(&c, &rep->layout);
		if (proto_cur_err(&c))
			fc_reply_err(rs->freq, -EIO);
		else
			reply_value(rs->freq, buf, c.pos, x->size);
	}
	free(rep);
	free(buf);
	free(x);
}

static void setlayout_done(struct fc_rset *rs, int status)
{
	struct lov_ctx *x = rs->priv;
	struct proto_mds_layout_rep *rep = malloc(sizeof(*rep));
	struct proto_cur c;

	if (status == 0 && rep) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		if (proto_mds_layout_rep_dec(&c, rep) == 0 && rep->kind == PROTO_LAYOUT_KIND_FILE) {
			struct fc_layout *fl = fc_layout_new(&rep->layout);

			if (fl) {
				pthread_mutex_lock(&x->node->mu);
				fc_layout_put(x->node->layout);
				x->node->layout = fl;
				pthread_mutex_unlock(&x->node->mu);
			}
		}
	}
	fc_reply_err(rs->freq, status);
	free(rep);
	free(x);
}

static void lov_call(fuse_req_t req, struct fc_node *node, uint16_t op,
		     const struct proto_mds_setlayout_req *m, size_t size)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct lov_ctx *x = malloc(sizeof(*x));
	struct net_req *r = x ? fc_mds_req(req, op) : NULL;
	int rc = -ENOMEM;

	if (r && op == PROTO_OP_MDS_GETLAYOUT) {
		struct proto_mds_fid_req g = {.fid = node->fid};

		rc = proto_mds_fid_req_enc(net_req_body(r), &g);
	} else if (r) {
		rc = proto_mds_setlayout_req_enc(net_req_body(r), m);
	}
	if (rc) {
		net_req_free(r);
		free(x);
		fc_reply_err(req, rc);
		return;
	}
	x->node = node;
	x->size = size;
	/* A changed layout changes the ctime: post-op attributes held are stale. */
	fc_mds_change(fs, req, r, op == PROTO_OP_MDS_GETLAYOUT ? getlayout_done : setlayout_done, x,
		      op == PROTO_OP_MDS_SETLAYOUT ? node : NULL, NULL);
}

/* ---- statfs of every target ------------------------------------------------ */

struct sfs_ctx {
	size_t size;
	uint32_t n;
	struct proto_tgt_statfs *e;
};

static int ost_statfs_cb(struct fc_rset *rs, struct net_req *req, int status, void *arg)
{
	struct proto_tgt_statfs *e = arg;
	struct proto_ost_statfs_rep rep;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(req, &c);
		status = proto_ost_statfs_rep_dec(&c, &rep);
	}
	e->status = status;
	if (status == 0)
		e->sfs = rep.sfs;
	return 0; /* a down target is listed with its error */
}

static int mdt_statfs_cb(struct fc_rset *rs, struct net_req *req, int status, void *arg)
{
	struct proto_tgt_statfs *e = arg;
	struct proto_mds_statfs_rep rep;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(req, &c);
		status = proto_mds_statfs_rep_dec(&c, &rep);
	}
	e->status = status;
	if (status == 0)
		e->sfs = rep.mdt;
	return 0;
}

static void statfs_done(struct fc_rset *rs, int status)
{
	struct sfs_ctx *x = rs->priv;
	size_t cap = 16 + (size_t)x->n * (64 + PROTO_TARGET_NAME_MAX);
	char *buf = malloc(cap);
	int len = buf ? proto_tgt_statfs_list_enc(x->e, x->n, buf, cap) : -ENOMEM;

	if (status == 0 && len < 0)
		status = len;
	if (status)
		fc_reply_err(rs->freq, status);
	else
		reply_value(rs->freq, buf, (size_t)len, x->size);
	free(buf);
	free(x->e);
	free(x);
}

static void statfs_all(fuse_req_t req, size_t size)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fc_target_info *t = NULL;
	struct sfs_ctx *x = calloc(1, sizeof(*x));
	struct fc_rset *rs;
	uint32_t n = 0;

	if (!x || fc_targets_list(fs, &t, &n) || !(x->e = calloc(n + 1, sizeof(*x->e)))) {
		free(t);
		free(x);
		fc_reply_err(req, -ENOMEM);
		return;
	}
	/* The MDT first, as `lfs df` lists it (the table may hold only OSTs). */
	{
		bool mdt = false;

		for (uint32_t i = 0; i < n; i++)
			mdt |= t[i].type == PROTO_TARGET_MDT;
		if (!mdt) {
			struct fc_target_info *v = realloc(t, (n + 1) * sizeof(*v));

			if (v) {
				t = v;
				memmove(&t[1], &t[0], n * sizeof(*t));
				memset(&t[0], 0, sizeof(t[0]));
				t[0].type = PROTO_TARGET_MDT;
				snprintf(t[0].name, sizeof(t[0].name), "%s-MDT0000",
					 fs->src.fsname);
				n++;
			}
		}
	}
	x->size = size;
	x->n = n;
	rs = fc_rset_new(fs, req, statfs_done, x);
	if (!rs) {
		free(t);
		free(x->e);
		free(x);
		fc_reply_err(req, -ENOMEM);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct proto_tgt_statfs *e = &x->e[i];
		struct net_req *r;

		e->type = t[i].type;
		e->index = t[i].index;
		memcpy(e->name, t[i].name, sizeof(e->name));
		e->status = -EIO;
		if (t[i].type == PROTO_TARGET_MDT) {
			r = net_req_new(PROTO_OP_MDS_STATFS, NULL);
			if (r && proto_mds_empty_enc(net_req_body(r)) == 0)
				fc_mds_send(rs, r, mdt_statfs_cb, e);
			else
				net_req_free(r);
		} else if (t[i].cl) {
			struct proto_ost_statfs_req m = {.ost_idx = t[i].index};

			r = net_req_new(PROTO_OP_OST_STATFS, NULL);
			if (r && proto_ost_statfs_req_enc(net_req_body(r), &m) == 0) {
				/* statfs must not hang on a down target for the whole I/O timeout. */
				net_req_set_give_up(r, 5000);
				fc_rset_send(rs, t[i].cl, r, ost_statfs_cb, e);
			} else {
				net_req_free(r);
			}
		}
	}
	free(t);
	fc_rset_seal(rs);
}

/* ---- ordinary names --------------------------------------------------------- */

struct xa_ctx {
	struct fc_node *node;
	size_t size;
	bool caps; /* asking for security.capability */
	bool list; /* listxattr: append the virtual names */
};

static void xattr_rep_done(struct fc_rset *rs, int status)
{
	struct xa_ctx *x = rs->priv;
	struct proto_mds_xattr_rep rep;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_xattr_rep_dec(&c, &rep);
	}
	if (x->caps && status == -ENODATA) {
		pthread_mutex_lock(&x->node->mu);
		x->node->no_caps = true;
		pthread_mutex_unlock(&x->node->mu);
	}
	if (status) {
		fc_reply_err(rs->freq, status);
	} else if (!x->list) {
		reply_value(rs->freq, rep.data.s, rep.data.len, x->size);
	} else {
		/* The MDS's names, then the layout's for a regular file. */
		size_t extra = S_ISREG(x->node->mode) ? sizeof(FC_XATTR_LOV) : 0;
		size_t len = rep.data.len + extra;
		char *buf = malloc(len ? len : 1);

		if (!buf) {
			fc_reply_err(rs->freq, -ENOMEM);
		} else {
			memcpy(buf, rep.data.s, rep.data.len);
			if (extra)
				memcpy(buf + rep.data.len, FC_XATTR_LOV, sizeof(FC_XATTR_LOV));
			reply_value(rs->freq, buf, len, x->size);
			free(buf);
		}
	}
	free(x);
}

static void err_done(struct fc_rset *rs, int status)
{
	fc_reply_err(rs->freq, status);
}

/*
 * FC_XATTR_RPCS: "OPCODE COUNT" lines, one per opcode this mount has sent,
 * then MDS_GETATTR_LOCAL and MDS_LOOKUP_LOCAL: the GETATTRs and the
 * LOOKUPs answered without an RPC.
 */
static void rpc_counts(fuse_req_t req, struct fc_fs *fs, size_t size)
{
	uint64_t n_local;
	char v[4096];
	size_t len = 0;
	int w;

	for (uint32_t op = 0; op < PROTO_OP_LIMIT; op++) {
		uint64_t n = atomic_load_explicit(&fs->rpcs[op], memory_order_relaxed);

		if (!n || !proto_op_name((uint16_t)op))
			continue;
		w = snprintf(v + len, sizeof(v) - len, "%s %" PRIu64 "\n",
			     proto_op_name((uint16_t)op), n);
		if (w < 0 || (size_t)w >= sizeof(v) - len)
			break;
		len += (size_t)w;
	}
	/* Not an RPC: the GETATTRs that post-op attributes answered (dirattr.c). */
	n_local = atomic_load_explicit(&fs->getattr_local, memory_order_relaxed);
	w = snprintf(v + len, sizeof(v) - len, "MDS_GETATTR_LOCAL %" PRIu64 "\n", n_local);
	if (w > 0 && (size_t)w < sizeof(v) - len)
		len += (size_t)w;
	/* And the LOOKUPs that complete directories answered (dirneg.c). */
	n_local = atomic_load_explicit(&fs->lookup_local, memory_order_relaxed);
	w = snprintf(v + len, sizeof(v) - len, "MDS_LOOKUP_LOCAL %" PRIu64 "\n", n_local);
	if (w > 0 && (size_t)w < sizeof(v) - len)
		len += (size_t)w;
	reply_value(req, v, len, size);
}

/* FC_XATTR_MGS: "NID[:NID] PORT\n". */
static void mgs_value(fuse_req_t req, struct fc_fs *fs, size_t size)
{
	char nids[PROTO_NID_LIST_STRLEN], v[PROTO_NID_LIST_STRLEN + 16];
	int n;

	if (proto_nid_list_str(fs->src.nids, fs->src.nnids, nids, sizeof(nids)) < 0) {
		fc_reply_err(req, -EIO);
		return;
	}
	n = snprintf(v, sizeof(v), "%s %u\n", nids, (unsigned)fs->opts.port);
	reply_value(req, v, (size_t)n, size);
}

void fc_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fc_node *node = fc_node_of(fs->nodes, ino);
	struct proto_mds_getxattr_req m = {.fid = node->fid, .size = PROTO_XATTR_VALUE_MAX};
	struct xa_ctx *x;
	struct net_req *r;
	int rc;

	if (is_lov(name)) {
		lov_call(req, node, PROTO_OP_MDS_GETLAYOUT, NULL, size);
		return;
	}
	if (node->is_root && !strcmp(name, FC_XATTR_STATFS)) {
		statfs_all(req, size);
		return;
	}
	if (node->is_root && !strcmp(name, FC_XATTR_NODES)) {
		char v[32];
		int n = snprintf(v, sizeof(v), "%" PRIu64, fc_nodes_count(fs->nodes));

		reply_value(req, v, (size_t)n, size);
		return;
	}
	if (node->is_root && !strcmp(name, FC_XATTR_RPCS)) {
		rpc_counts(req, fs, size);
		return;
	}
	if (node->is_root && !strcmp(name, FC_XATTR_MGS)) {
		mgs_value(req, fs, size);
		return;
	}
	if (is_acl(name)) {
		fc_reply_err(req, -EOPNOTSUPP);
		return;
	}
	if (strlen(name) > PROTO_XATTR_NAME_MAX) {
		fc_reply_err(req, -ERANGE);
		return;
	}
	if (!strcmp(name, XATTR_CAPS)) {
		bool none;

		pthread_mutex_lock(&node->mu);
		none = node->no_caps;
		pthread_mutex_unlock(&node->mu);
		if (none) {
			fc_reply_err(req, -ENODATA);
			return;
		}
	}
	m.name.s = name;
	m.name.len = (uint32_t)strlen(name);
	x = calloc(1, sizeof(*x));
	r = x ? fc_mds_req(req, PROTO_OP_MDS_GETXATTR) : NULL;
	rc = r ? proto_mds_getxattr_req_enc(net_req_body(r), &m) : -ENOMEM;
	if (rc) {
		net_req_free(r);
		free(x);
		fc_reply_err(req, rc);
		return;
	}
	x->node = node;
	x->size = size;
	x->caps = !strcmp(name, XATTR_CAPS);
	fc_mds_call(fs, req, r, xattr_rep_done, x);
}

void fc_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fc_node *node = fc_node_of(fs->nodes, ino);
	struct proto_mds_listxattr_req m = {.fid = node->fid, .size = PROTO_XATTR_LIST_MAX};
	struct xa_ctx *x = calloc(1, sizeof(*x));
	struct net_req *r = x ? fc_mds_req(req, PROTO_OP_MDS_LISTXATTR) : NULL;
	int rc = r ? proto_mds_listxattr_req_enc(net_req_body(r), &m) : -ENOMEM;

	if (rc) {
		net_req_free(r);
		free(x);
		fc_reply_err(req, rc);
		return;
	}
	x->node = node;
	x->size = size;
	x->list = true;
	fc_mds_call(fs, req, r, xattr_rep_done, x);
}

void fc_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		    size_t size, int flags)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fc_node *node = fc_node_of(fs->nodes, ino);
	struct proto_mds_setxattr_req m = {.fid = node->fid};
	struct net_req *r;
	int rc;

	if (is_lov(name)) {
		struct proto_mds_setlayout_req *s = calloc(1, sizeof(*s));

		rc = s ? fc_lov_to_template(value, size, &s->layout) : -ENOMEM;
		if (rc == 0) {
			s->fid = node->fid;
			lov_call(req, node, PROTO_OP_MDS_SETLAYOUT, s, 0);
		} else {
			fc_reply_err(req, rc);
		}
		free(s);
		return;
	}
	if (node->is_root && (!strcmp(name, FC_XATTR_STATFS) || !strcmp(name, FC_XATTR_NODES) ||
			      !strcmp(name, FC_XATTR_RPCS) || !strcmp(name, FC_XATTR_MGS))) {
		fc_reply_err(req, -EPERM);
		return;
	}
	if (is_acl(name)) {
		fc_reply_err(req, -EOPNOTSUPP);
		return;
	}
	if (strlen(name) > PROTO_XATTR_NAME_MAX) {
		fc_reply_err(req, -ERANGE);
		return;
	}
	if (size > PROTO_XATTR_VALUE_MAX) {
		fc_reply_err(req, -E2BIG);
		return;
	}
	if (!strcmp(name, XATTR_CAPS)) {
		pthread_mutex_lock(&node->mu);
		node->no_caps = false;
		pthread_mutex_unlock(&node->mu);
	}
	m.name.s = name;
	m.name.len = (uint32_t)strlen(name);
	m.value.s = value;
	m.value.len = (uint32_t)size;
	m.flags = (flags & XATTR_CREATE ? PROTO_XATTR_CREATE : 0) |
		  (flags & XATTR_REPLACE ? PROTO_XATTR_REPLACE : 0);
	r = fc_mds_req(req, PROTO_OP_MDS_SETXATTR);
	rc = r ? proto_mds_setxattr_req_enc(net_req_body(r), &m) : -ENOMEM;
	if (rc) {
		net_req_free(r);
		fc_reply_err(req, rc);
		return;
	}
	fc_mds_change(fs, req, r, err_done, NULL, node, NULL);
}

void fc_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fc_node *node = fc_node_of(fs->nodes, ino);
	struct proto_mds_xattr_name_req m = {.fid = node->fid};
	struct net_req *r;
	int rc;

	if (is_lov(name)) {
		struct proto_mds_setlayout_req *s = calloc(1, sizeof(*s));

		if (!s) {
			fc_reply_err(req, -ENOMEM);
			return;
		}
		/* Only a directory's default can go; a file keeps its layout. */
		if (!S_ISDIR(node->mode)) {
			free(s);
			fc_reply_err(req, -EPERM);
			return;
		}
		s->fid = node->fid;
		s->flags = PROTO_SETLAYOUT_F_DELETE_DEFAULT;
		lov_call(req, node, PROTO_OP_MDS_SETLAYOUT, s, 0);
		free(s);
		return;
	}
	if (is_acl(name)) {
		fc_reply_err(req, -EOPNOTSUPP);
		return;
	}
	if (strlen(name) > PROTO_XATTR_NAME_MAX) {
		fc_reply_err(req, -ERANGE);
		return;
	}
	m.name.s = name;
	m.name.len = (uint32_t)strlen(name);
	r = fc_mds_req(req, PROTO_OP_MDS_REMOVEXATTR);
	rc = r ? proto_mds_xattr_name_req_enc(net_req_body(r), &m) : -ENOMEM;
	if (rc) {
		net_req_free(r);
		fc_reply_err(req, rc);
		return;
	}
	fc_mds_change(fs, req, r, err_done, NULL, node, NULL);
}
