/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rename and renameat2's NOREPLACE / EXCHANGE.  A rename that moves a
 * directory to another parent first takes the filesystem-wide rename lock:
 * only such renames change a directory's parent, so under that lock the
 * ".." chain walked for the subtree check is stable, and two renames can
 * never build a cycle.
 */
#include "ns.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Deeper than any real tree: a longer chain means a corrupt namespace. */
#define RENAME_MAX_DEPTH 65536

struct rn_args {
	const struct proto_fid *sp, *dp;
	struct proto_str sname, dname;
	uint32_t flags;
	bool same;     /* sp == dp */
	bool want_big; /* take the rename lock */
};

struct rn_state {
	struct mds_inode sdir, ddir, src, dst, walk;
	struct dent sd, dd;
	bool have_dst;
};

/* 1 if @anc is @start or one of its ancestors, 0 if not, or -errno. */
static int is_ancestor(struct mds_tx *tx, const struct proto_fid *anc,
		       const struct proto_fid *start, struct mds_inode *tmp)
{
	struct proto_fid root = proto_fid_root(), f = *start;
	int rc;

	for (int depth = 0; depth < RENAME_MAX_DEPTH; depth++) {
		if (proto_fid_eq(&f, anc))
			return 1;
		if (proto_fid_eq(&f, &root))
			return 0;
		rc = inode_read(tx->db, NULL, &f, tmp);
		if (rc)
			return rc == -ENOENT ? -EIO : rc;
		f = tmp->parent;
	}
	return -ELOOP;
}

static bool moves_dir(const struct rn_args *a, uint32_t stype, bool have_dst, uint32_t dtype)
{
	if (a->same)
		return false;
	if (S_ISDIR(stype))
		return true;
	return (a->flags & MDS_RENAME_EXCHANGE) && have_dst && S_ISDIR(dtype);
}

static int rn_checks(struct mds_tx *tx, struct rn_args *a, struct rn_state *s,
		     struct mds_inode *sdir, struct mds_inode *ddir)
{
	struct mds_inode *src = &s->src, *dst = &s->dst;
	bool exch = a->flags & MDS_RENAME_EXCHANGE;
	bool sisdir = S_ISDIR(src->a.mode), disdir = s->have_dst && S_ISDIR(dst->a.mode);
	int rc;

	if ((a->flags & MDS_RENAME_NOREPLACE) && s->have_dst)
		return -EEXIST;
	if (exch && !s->have_dst)
		return -ENOENT;
	rc = perm_dir_modify(&tx->creds, &sdir->a);
	if (rc == 0)
		rc = perm_dir_modify(&tx->creds, &ddir->a);
	if (rc == 0)
		rc = perm_sticky(&tx->creds, &sdir->a, &src->a);
	if (rc == 0 && s->have_dst)
		rc = perm_sticky(&tx->creds, &ddir->a, &dst->a);
	/* A directory changing parent gets its ".." rewritten. */
	if (rc == 0 && !a->same && sisdir)
		rc = perm_check(&tx->creds, &src->a, PERM_WRITE);
	if (rc == 0 && !a->same && exch && disdir)
		rc = perm_check(&tx->creds, &dst->a, PERM_WRITE);
	if (rc)
		return rc;
	if (!exch && s->have_dst) {
		if (sisdir && !disdir)
			return -ENOTDIR;
		if (!sisdir && disdir)
			return -EISDIR;
	}
	if (!a->same && sisdir) {
		rc = is_ancestor(tx, &src->a.fid, a->dp, &s->walk);
		if (rc)
			return rc < 0 ? rc : -EINVAL;
	}
	if (!a->same && exch && disdir) {
		rc = is_ancestor(tx, &dst->a.fid, a->sp, &s->walk);
		if (rc)
			return rc < 0 ? rc : -EINVAL;
	}
	if (!exch && disdir) {
		rc = dirent_empty(tx->db, NULL, &dst->a.fid);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return -ENOTEMPTY;
	}
	if (!a->same) {
		/* Net gain of a subdirectory by a parent is bounded by the link limit. */
		if (sisdir && !disdir && ddir->a.nlink >= MDS_LINK_MAX)
			return -EMLINK;
		if (exch && disdir && !sisdir && sdir->a.nlink >= MDS_LINK_MAX)
			return -EMLINK;
	}
	return 0;
}

static int rn_exchange(struct mds_tx *tx, struct rn_args *a, struct rn_state *s,
		       struct mds_inode *sdir, struct mds_inode *ddir)
{
	struct mds_inode *src = &s->src, *dst = &s->dst;
	struct dent sd = s->sd, dd = s->dd;
	int rc;

	sd.fid = dst->a.fid;
	sd.type = dst->a.mode & S_IFMT;
	dd.fid = src->a.fid;
	dd.type = src->a.mode & S_IFMT;
	rc = dirent_set(tx, a->sp, &sd);
	if (rc == 0)
		rc = dirent_set(tx, a->dp, &dd);
	if (rc)
		return rc;
	if (!a->same) {
		if (S_ISDIR(src->a.mode)) {
			sdir->a.nlink--;
			ddir->a.nlink++;
			src->parent = *a->dp;
		}
		if (S_ISDIR(dst->a.mode)) {
			ddir->a.nlink--;
			sdir->a.nlink++;
			dst->parent = *a->sp;
		}
	}
	inode_touch_c(src, tx);
	inode_touch_c(dst, tx);
	rc = inode_stage(tx, src);
	if (rc == 0)
		rc = inode_stage(tx, dst);
	return rc;
}

static int rn_move(struct mds_tx *tx, struct rn_args *a, struct rn_state *s, struct mds_inode *sdir,
		   struct mds_inode *ddir)
{
	struct mds_inode *src = &s->src, *dst = &s->dst;
	struct dent dd = s->dd;
	uint64_t cookie;
	int rc;

	dirent_del(tx, a->sp, s->sd.cookie);
	if (s->have_dst) {
		/* The replaced name keeps its cookie: it never vanishes from a listing. */
		dd.fid = src->a.fid;
		dd.type = src->a.mode & S_IFMT;
		rc = dirent_set(tx, a->dp, &dd);
	} else {
		rc = dirent_add(tx, a->dp, a->dname, &src->a.fid, src->a.mode & S_IFMT, &cookie);
	}
	if (rc)
		return rc;
	if (S_ISDIR(src->a.mode) && !a->same) {
		sdir->a.nlink--;
		ddir->a.nlink++;
		src->parent = *a->dp;
	}
	inode_touch_c(src, tx);
	rc = inode_stage(tx, src);
	if (rc || !s->have_dst)
		return rc;
	if (S_ISDIR(dst->a.mode)) {
		dst->a.nlink = 0;
		ddir->a.nlink--;
	} else {
		dst->a.nlink--;
	}
	inode_touch_c(dst, tx);
	rc = inode_stage(tx, dst);
	if (rc == 0 && dst->a.nlink == 0)
		rc = inode_release(tx, dst);
	return rc;
}

static int rn_locked(struct mds_tx *tx, struct rn_args *a, struct rn_state *s,
		     const struct proto_fid *lsrc, const struct proto_fid *ldst)
{
	struct mds_inode *sdir = &s->sdir, *ddir = a->same ? &s->sdir : &s->ddir;
	int rc;

	rc = ns_read_dir(tx, a->sp, sdir);
	if (rc == 0 && !a->same)
		rc = ns_read_dir(tx, a->dp, ddir);
	if (rc == 0)
		rc = perm_check(&tx->creds, &sdir->a, PERM_EXEC);
	if (rc == 0)
		rc = perm_check(&tx->creds, &ddir->a, PERM_EXEC);
	if (rc == 0)
		rc = dirent_find(tx->db, NULL, a->sp, a->sname, &s->sd);
	if (rc)
		return rc;
	rc = dirent_find(tx->db, NULL, a->dp, a->dname, &s->dd);
	if (rc && rc != -ENOENT)
		return rc;
	s->have_dst = rc == 0;
	if (!proto_fid_eq(&s->sd.fid, lsrc) ||
	    (s->have_dst ? !proto_fid_eq(&s->dd.fid, ldst) : !proto_fid_is_zero(ldst)))
		return -EAGAIN;
	if (moves_dir(a, s->sd.type, s->have_dst, s->dd.type) && !a->want_big) {
		a->want_big = true;
		return -EAGAIN;
	}
	rc = inode_read(tx->db, NULL, &s->sd.fid, &s->src);
	if (rc == 0 && s->have_dst)
		rc = inode_read(tx->db, NULL, &s->dd.fid, &s->dst);
	if (rc)
		return rc == -ENOENT ? -EIO : rc;
	if ((a->flags & MDS_RENAME_NOREPLACE) && s->have_dst)
		return -EEXIST;
	/* Two names of one inode: POSIX says do nothing. */
	if (s->have_dst && proto_fid_eq(&s->sd.fid, &s->dd.fid))
		return 0;
	rc = rn_checks(tx, a, s, sdir, ddir);
	if (rc)
		return rc;
	if (a->flags & MDS_RENAME_EXCHANGE)
		rc = rn_exchange(tx, a, s, sdir, ddir);
	else
		rc = rn_move(tx, a, s, sdir, ddir);
	if (rc)
		return rc;
	inode_dir_changed(sdir, tx);
	rc = inode_stage(tx, sdir);
	if (rc == 0 && !a->same) {
		inode_dir_changed(ddir, tx);
		rc = inode_stage(tx, ddir);
	}
	return rc;
}

static int rn_names(struct proto_str sname, struct proto_str dname, uint32_t flags)
{
	int rc;

	if (flags & ~(MDS_RENAME_NOREPLACE | MDS_RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & MDS_RENAME_NOREPLACE) && (flags & MDS_RENAME_EXCHANGE))
		return -EINVAL;
	rc = name_check(sname);
	if (rc == 0)
		rc = name_check(dname);
	if (rc)
		return rc;
	if (name_is_dot(sname) || name_is_dotdot(sname))
		return -EBUSY;
	if (name_is_dot(dname) || name_is_dotdot(dname))
		return (flags & MDS_RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
	return 0;
}

int mds_rename(struct mds_tx *tx, const struct proto_fid *sparent, struct proto_str sname,
	       const struct proto_fid *dparent, struct proto_str dname, uint32_t flags)
{
	struct rn_args a = {.sp = sparent,
			    .dp = dparent,
			    .sname = sname,
			    .dname = dname,
			    .flags = flags,
			    .same = proto_fid_eq(sparent, dparent)};
	struct proto_fid fids[4], lsrc, ldst;
	struct rn_state *s = NULL;
	struct dent d;
	int rc, tries = 0;

	tx_op_begin(tx);
	rc = rn_names(sname, dname, flags);
	if (rc)
		goto out;
	s = malloc(sizeof(*s));
	if (!s) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		/* Guess the inodes unlocked; rn_locked() verifies the guess. */
		rc = dirent_find(tx->db, NULL, sparent, sname, &d);
		if (rc && rc != -ENOENT)
			break;
		/* Missing: rn_locked() finds the precise error under the locks. */
		lsrc = rc == 0 ? d.fid : (struct proto_fid){0};
		if (rc)
			d.type = 0;
		rc = dirent_find(tx->db, NULL, dparent, dname, &s->dd);
		if (rc && rc != -ENOENT)
			break;
		ldst = rc == 0 ? s->dd.fid : (struct proto_fid){0};
		if (moves_dir(&a, d.type, rc == 0, s->dd.type))
			a.want_big = true;
		fids[0] = *sparent;
		fids[1] = *dparent;
		fids[2] = lsrc;
		fids[3] = ldst;
		rc = tx_lock(tx, fids, 4, a.want_big);
		if (rc)
			break;
		rc = rn_locked(tx, &a, s, &lsrc, &ldst);
		if (rc != -EAGAIN || ++tries == 100)
			break;
		tx_unlock(tx);
	}
out:
	free(s);
	return tx_op_end(tx, rc);
}
