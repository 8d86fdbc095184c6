/* SPDX-License-Identifier: Apache-2.0 */
/* Namespace handlers: lookup, getattr, readlink, readdir and the changes. */
#include "svc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Entries read from the core per step of a READDIR. */
#define READDIR_STEP 32

#define DECODE(r, fn, m)                                                                           \
	({                                                                                         \
		struct proto_cur _c;                                                               \
		net_srv_req_body((r), &_c);                                                        \
		fn(&_c, (m));                                                                      \
	})

static const struct proto_creds *creds_of(struct net_srv_req *r)
{
	return &net_srv_req_pre(r)->creds;
}

/*
 * A read run inline on the loop (net_srv_req_inline) found it needs the disk:
 * hands the request to a worker and says so.
 */
static bool defer_if_blocked(struct mds_svc *svc, struct net_srv_req *r, int rc)
{
	if (!net_srv_req_inline(r))
		return false;
	if (rc != -EWOULDBLOCK) {
		atomic_fetch_add_explicit(&svc->loop_reads, 1, memory_order_relaxed);
		return false;
	}
	atomic_fetch_add_explicit(&svc->loop_deferred, 1, memory_order_relaxed);
	net_srv_defer(r);
	return true;
}

/* The reply of LOOKUP and GETATTR: the attributes and a regular file's layout. */
static struct proto_mds_getattr_rep *getattr_rep_new(void)
{
	return calloc(1, sizeof(struct proto_mds_getattr_rep));
}

static int getattr_reply(struct net_srv_req *r, struct proto_mds_getattr_rep *rep, bool has_layout)
{
	if (has_layout && S_ISREG(rep->attr.mode))
		rep->flags |= PROTO_MDS_GETATTR_F_LAYOUT;
	return proto_mds_getattr_rep_enc(net_srv_reply_body(r), rep);
}

void svc_h_lookup(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_getattr_rep *rep = getattr_rep_new();
	struct proto_mds_name_req m;
	bool has_layout = false;
	int rc = rep ? 0 : -ENOMEM;

	if (rc == 0)
		rc = DECODE(r, proto_mds_name_req_dec, &m);
	if (rc == 0)
		rc = mds_lookup_layout(svc->db, creds_of(r), &m.parent, m.name, &rep->attr,
				       &rep->layout, &has_layout);
	if (defer_if_blocked(svc, r, rc))
		goto out;
	if (rc == 0)
		rc = getattr_reply(r, rep, has_layout);
	svc_reply(svc, r, rc);
out:
	free(rep);
}

void svc_h_getattr(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_getattr_rep *rep = getattr_rep_new();
	struct proto_mds_fid_req m;
	struct proto_attr *a = rep ? &rep->attr : NULL;
	bool has_layout = false;
	int rc = rep ? 0 : -ENOMEM;

	if (rc == 0)
		rc = DECODE(r, proto_mds_fid_req_dec, &m);
	if (rc == 0)
		rc = mds_getattr_layout(svc->db, &m.fid, a, &rep->layout, &has_layout);
	if (defer_if_blocked(svc, r, rc))
		goto out;
	/*
	 * A file kept for its unlink grace that nobody opened is gone for
	 * getattr: a client's cached name must be looked up again (ESTALE), not
	 * show the replaced file.  An open one (fstat) is still there.
	 */
	if (rc == 0 && a->nlink == 0 && S_ISREG(a->mode) && mds_open_count(svc->db, &m.fid) == 0)
		rc = -ENOENT;
	if (rc == 0)
		rc = getattr_reply(r, rep, has_layout);
	svc_reply(svc, r, rc);
out:
	free(rep);
}

void svc_h_readlink(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_fid_req m;
	struct proto_mds_readlink_rep rep;
	char *buf = malloc(PROTO_SYMLINK_MAX);
	int rc;

	rc = buf ? DECODE(r, proto_mds_fid_req_dec, &m) : -ENOMEM;
	if (rc == 0)
		rc = mds_readlink(svc->db, &m.fid, buf, PROTO_SYMLINK_MAX);
	if (rc >= 0) {
		rep.target.s = buf;
		rep.target.len = (uint32_t)rc;
		rc = proto_mds_readlink_rep_enc(net_srv_reply_body(r), &rep);
	}
	free(buf);
	svc_reply(svc, r, rc);
}

/* Fills a READDIR reply from @m.cookie until it is full or the directory ends. */
static int readdir_fill(struct mds_svc *svc, struct net_srv_req *r,
			const struct proto_mds_readdir_req *m, struct mds_dirent *ents)
{
	uint32_t flags = (m->flags & PROTO_READDIR_F_PLUS) ? MDS_READDIR_PLUS : 0;
	struct proto_cur *out = net_srv_reply_body(r);
	size_t cap = proto_op_rep_body_max(PROTO_OP_MDS_READDIR) - out->pos;
	struct proto_mds_readdir_enc a;
	uint64_t cookie = m->cookie;
	bool eof = false, full = false;
	int rc, n;

	if (m->max_bytes < cap)
		cap = m->max_bytes;
	rc = proto_mds_readdir_rep_begin(&a, out, m->flags & PROTO_READDIR_F_PLUS, cap);
	if (rc)
		return rc;
	while (!eof && !full) {
		n = mds_readdir(svc->db, creds_of(r), &m->fid, cookie, flags, ents, READDIR_STEP);
		if (n < 0)
			return n;
		if (n == 0) {
			eof = true;
			break;
		}
		for (int i = 0; i < n; i++) {
			struct proto_mds_dirent e = {
			    .name = {.s = ents[i].name, .len = ents[i].namelen},
			    .fid = ents[i].fid,
			    .type = IFTODT(ents[i].type),
			    .next = ents[i].off,
			    .attr = ents[i].attr,
			};

			rc = proto_mds_readdir_rep_add(&a, &e);
			if (rc == -ENOSPC) {
				full = true;
				break;
			}
			if (rc)
				return rc;
			cookie = ents[i].off;
			if (cookie == MDS_COOKIE_EOF) {
				eof = true;
				break;
			}
		}
	}
	if (full && proto_mds_readdir_rep_count(&a) == 0)
		return -EINVAL; /* not even one entry fits the caller's limit */
	return proto_mds_readdir_rep_end(&a, eof);
}

void svc_h_readdir(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_readdir_req m;
	struct mds_dirent *ents = malloc(READDIR_STEP * sizeof(*ents));
	int rc;

	rc = ents ? DECODE(r, proto_mds_readdir_req_dec, &m) : -ENOMEM;
	if (rc == 0)
		rc = readdir_fill(svc, r, &m, ents);
	free(ents);
	svc_reply(svc, r, rc);
}

/* ---- changes ------------------------------------------------------------- */

/* Commits and replies: the common tail of a mutating handler. */
static void finish(struct mds_svc *svc, struct net_srv_req *r, struct mds_tx *tx, int rc)
{
	svc_send(svc, r, svc_commit(svc, r, tx, rc));
}

static int attr_reply(struct net_srv_req *r, struct mds_tx *tx, int rc, const struct proto_attr *a)
{
	struct proto_mds_attr_rep rep;

	if (rc < 0)
		return rc;
	rep.attr = *a;
	mds_tx_dirs(tx, &rep.dirs);
	return proto_mds_attr_rep_enc(net_srv_reply_body(r), &rep);
}

void svc_h_mkdir(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_mkdir_req m;
	struct proto_attr a;
	struct mds_tx *tx;
	int rc;

	rc = DECODE(r, proto_mds_mkdir_req_dec, &m);
	if (rc) {
		svc_reply(svc, r, rc);
		return;
	}
	if (svc_tx_begin(svc, r, &tx))
		return;
	rc = mds_mkdir(tx, &m.parent, m.name, m.mode, &a);
	finish(svc, r, tx, attr_reply(r, tx, rc, &a));
}

void svc_h_mknod(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_mknod_req m;
	struct proto_attr a;
	struct mds_tx *tx;
	int rc;

	rc = DECODE(r, proto_mds_mknod_req_dec, &m);
	if (rc) {
		svc_reply(svc, r, rc);
		return;
	}
	if (svc_tx_begin(svc, r, &tx))
		return;
	rc = mds_mknod(tx, &m.parent, m.name, m.mode, m.rdev, &a);
	finish(svc, r, tx, attr_reply(r, tx, rc, &a));
}

void svc_h_symlink(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_symlink_req m;
	struct proto_attr a;
	struct mds_tx *tx;
	int rc;

	rc = DECODE(r, proto_mds_symlink_req_dec, &m);
	if (rc) {
		svc_reply(svc, r, rc);
		return;
	}
	if (svc_tx_begin(svc, r, &tx))
		return;
	rc = mds_symlink(tx, &m.parent, m.name, m.target, &a);
	finish(svc, r, tx, attr_reply(r, tx, rc, &a));
}

void svc_h_link(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_link_req m;
	struct proto_attr a;
	struct mds_tx *tx;
	int rc;

	rc = DECODE(r, proto_mds_link_req_dec, &m);
	if (rc) {
		svc_reply(svc, r, rc);
		return;
	}
	if (svc_tx_begin(svc, r, &tx))
		return;
	rc = mds_link(tx, &m.fid, &m.parent, m.name, &a);
	finish(svc, r, tx, attr_reply(r, tx, rc, &a));
}

/*
 * UNLINK and RMDIR.  The reply's fid and link count come from a lookup just
 * before the operation (the operation itself re-reads under its locks; the
 * reply describes what it removed unless a racing rename swapped the name).
 */
static void remove_handler(struct net_srv_req *r, struct mds_svc *svc, bool dir)
{
	struct proto_mds_name_req m;
	struct proto_mds_unlink_rep rep = {0};
	struct proto_attr a;
	struct mds_tx *tx;
	int rc;

	rc = DECODE(r, proto_mds_name_req_dec, &m);
	if (rc) {
		svc_reply(svc, r, rc);
		return;
	}
	if (svc_tx_begin(svc, r, &tx))
		return;
	rc = dir ? mds_rmdir(tx, &m.parent, m.name) : mds_unlink(tx, &m.parent, m.name);
	if (rc == 0 && mds_lookup(svc->db, creds_of(r), &m.parent, m.name, &a) == 0) {
		rep.fid = a.fid;
		rep.nlink = S_ISDIR(a.mode) || a.nlink == 0 ? 0 : a.nlink - 1;
		if (rep.nlink == 0) {
			rep.flags |= PROTO_UNLINK_F_LAST;
			if (!S_ISDIR(a.mode) && mds_open_count(svc->db, &a.fid) > 0)
				rep.flags |= PROTO_UNLINK_F_ORPHAN;
		}
	}
	if (rc == 0) {
		mds_tx_dirs(tx, &rep.dirs);
		rc = proto_mds_unlink_rep_enc(net_srv_reply_body(r), &rep);
	}
	finish(svc, r, tx, rc);
}

void svc_h_unlink(struct net_srv_req *r, void *arg)
{
	remove_handler(r, arg, false);
}

void svc_h_rmdir(struct net_srv_req *r, void *arg)
{
	remove_handler(r, arg, true);
}

void svc_h_rename(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_rename_req m;
	struct proto_mds_rename_rep rep;
	struct mds_tx *tx;
	uint32_t flags = 0;
	int rc;

	rc = DECODE(r, proto_mds_rename_req_dec, &m);
	if (rc) {
		svc_reply(svc, r, rc);
		return;
	}
	if (m.flags & PROTO_RENAME_NOREPLACE)
		flags |= MDS_RENAME_NOREPLACE;
	if (m.flags & PROTO_RENAME_EXCHANGE)
		flags |= MDS_RENAME_EXCHANGE;
	if (svc_tx_begin(svc, r, &tx))
		return;
	rc = mds_rename(tx, &m.src_parent, m.src_name, &m.dst_parent, m.dst_name, flags);
	if (rc == 0) {
		mds_tx_dirs(tx, &rep.dirs);
		rc = proto_mds_rename_rep_enc(net_srv_reply_body(r), &rep);
	}
	finish(svc, r, tx, rc);
}

/* proto's setattr bits -> the core's. */
static uint32_t sa_valid(uint32_t v)
{
	uint32_t out = v & (PROTO_SETATTR_MODE | PROTO_SETATTR_UID | PROTO_SETATTR_GID |
			    PROTO_SETATTR_SIZE | PROTO_SETATTR_ATIME | PROTO_SETATTR_MTIME);

	/* the bits above coincide with MDS_ATTR_*; ctime is always "now" */
	if (v & PROTO_SETATTR_ATIME_NOW)
		out |= MDS_ATTR_ATIME_NOW;
	if (v & PROTO_SETATTR_MTIME_NOW)
		out |= MDS_ATTR_MTIME_NOW;
	return out;
}

void svc_h_setattr(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct svc_client *cl = svc_client_of(r);
	struct proto_mds_setattr_req m;
	struct mds_setattr sa = {0};
	struct proto_attr a;
	struct mds_tx *tx;
	uint64_t punch_from = 0;
	int rc, status;

	rc = DECODE(r, proto_mds_setattr_req_dec, &m);
	if (rc) {
		svc_reply(svc, r, rc);
		return;
	}
	sa.valid = sa_valid(m.valid);
	sa.mode = m.mode;
	sa.uid = m.uid;
	sa.gid = m.gid;
	sa.size = m.size;
	sa.atime = m.atime;
	sa.mtime = m.mtime;
	/* ftruncate through a write handle needs no write permission now. */
	if (m.handle && cl && svc_handle_has(cl, m.handle, &m.fid))
		sa.valid |= MDS_ATTR_BY_HANDLE;
	if (svc_tx_begin(svc, r, &tx))
		return;
	rc = mds_setattr(tx, &m.fid, &sa, &a, &punch_from);
	status = svc_commit(svc, r, tx, attr_reply(r, tx, rc, &a));
	if (status == 0 && rc == 1) {
		/* The size is recorded; the objects lose their tail before the reply. */
		int prc = svc_punch(svc, &m.fid, punch_from);

		if (prc) {
			NET_ERR("%s: truncate of " PROTO_FID_F " to %llu: punching its objects "
				"failed: %s",
				svc->id.name, PROTO_FID_P(&m.fid), (unsigned long long)punch_from,
				strerror(-prc));
			status = -EIO;
		}
	}
	svc_send(svc, r, status);
}
