/* SPDX-License-Identifier: Apache-2.0 */
/* setattr (with Linux's setattr_prepare() rules) and directory default layouts. */
#include "ns.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "layout_codec.h"

static int sa_check(const struct proto_creds *c, const struct mds_inode *ino,
		    const struct mds_setattr *sa)
{
	const struct proto_attr *a = &ino->a;
	bool owner = perm_owner_or_root(c, a);
	int rc;

	if ((sa->valid & MDS_ATTR_UID) && sa->uid != a->uid && !perm_is_root(c))
		return -EPERM;
	if ((sa->valid & MDS_ATTR_GID) && sa->gid != a->gid && !perm_is_root(c) &&
	    !(c->fsuid == a->uid && perm_in_group(c, sa->gid)))
		return -EPERM;
	/* chown to the same ids still needs ownership, as Linux's chown_ok(). */
	if ((sa->valid & (MDS_ATTR_UID | MDS_ATTR_GID)) && !owner)
		return -EPERM;
	if ((sa->valid & MDS_ATTR_MODE) && !owner)
		return -EPERM;
	if ((sa->valid & (MDS_ATTR_ATIME | MDS_ATTR_MTIME)) && !owner)
		return -EPERM;
	if ((sa->valid & (MDS_ATTR_ATIME_NOW | MDS_ATTR_MTIME_NOW)) && !owner) {
		rc = perm_check(c, a, PERM_WRITE);
		if (rc)
			return rc;
	}
	if (sa->valid & MDS_ATTR_SIZE) {
		if (S_ISDIR(a->mode))
			return -EISDIR;
		if (!S_ISREG(a->mode))
			return -EINVAL;
		if (sa->size > (uint64_t)INT64_MAX)
			return -EFBIG;
		if (!(sa->valid & MDS_ATTR_BY_HANDLE)) {
			rc = perm_check(c, a, PERM_WRITE);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Applies @sa to @ino; returns 1 if the size was set. */
static int sa_apply(struct mds_tx *tx, struct mds_inode *ino, const struct mds_setattr *sa)
{
	const struct proto_creds *c = &tx->creds;
	struct proto_attr *a = &ino->a;
	int sized = 0;

	if (sa->valid & MDS_ATTR_MODE) {
		a->mode = (a->mode & S_IFMT) | (sa->mode & 07777);
		/* Linux: a non-member non-root cannot set the setgid bit. */
		if (!perm_is_root(c) &&
		    !perm_in_group(c, (sa->valid & MDS_ATTR_GID) ? sa->gid : a->gid))
			a->mode &= ~(uint32_t)S_ISGID;
	}
	if ((sa->valid & (MDS_ATTR_UID | MDS_ATTR_GID)) && !(sa->valid & MDS_ATTR_MODE) &&
	    !S_ISDIR(a->mode)) {
		/* chown kills setuid, and setgid when it means "executable". */
		a->mode &= ~(uint32_t)S_ISUID;
		if (a->mode & S_IXGRP)
			a->mode &= ~(uint32_t)S_ISGID;
	}
	if (sa->valid & MDS_ATTR_UID)
		a->uid = sa->uid;
	if (sa->valid & MDS_ATTR_GID)
		a->gid = sa->gid;
	if (sa->valid & MDS_ATTR_SIZE) {
		a->size = sa->size;
		a->data_version++;
		ino->trunc_version = a->data_version;
		if (!(sa->valid & (MDS_ATTR_MTIME | MDS_ATTR_MTIME_NOW)))
			a->mtime = tx->now;
		sized = 1;
	}
	if (sa->valid & MDS_ATTR_ATIME)
		a->atime = sa->atime;
	if (sa->valid & MDS_ATTR_ATIME_NOW)
		a->atime = tx->now;
	if (sa->valid & MDS_ATTR_MTIME)
		a->mtime = sa->mtime;
	if (sa->valid & MDS_ATTR_MTIME_NOW)
		a->mtime = tx->now;
	inode_touch_c(ino, tx);
	return sized;
}

int mds_setattr(struct mds_tx *tx, const struct proto_fid *fid, const struct mds_setattr *sa,
		struct proto_attr *out, uint64_t *punch_from)
{
	struct proto_fid f = *fid;
	struct mds_inode *ino;
	int rc, sized;

	tx_op_begin(tx);
	ino = malloc(sizeof(*ino));
	if (!ino) {
		rc = -ENOMEM;
		goto out;
	}
	if (((sa->valid & MDS_ATTR_ATIME) && sa->atime.nsec >= 1000000000u) ||
	    ((sa->valid & MDS_ATTR_MTIME) && sa->mtime.nsec >= 1000000000u)) {
		rc = -EINVAL;
		goto out;
	}
	rc = tx_lock(tx, &f, 1, false);
	if (rc == 0)
		rc = inode_read(tx->db, NULL, fid, ino);
	if (rc == 0)
		rc = sa_check(&tx->creds, ino, sa);
	if (rc)
		goto out;
	sized = sa_apply(tx, ino, sa);
	rc = inode_stage(tx, ino);
	if (rc)
		goto out;
	*out = ino->a;
	if (sized && punch_from)
		*punch_from = ino->a.size;
	rc = sized;
out:
	free(ino);
	return tx_op_end(tx, rc);
}

int mds_set_dir_layout(struct mds_tx *tx, const struct proto_fid *fid,
		       const struct proto_layout *tmpl)
{
	struct proto_fid f = *fid;
	struct mds_inode *ino;
	int rc;

	tx_op_begin(tx);
	ino = malloc(sizeof(*ino));
	rc = ino ? 0 : -ENOMEM;
	if (rc == 0 && tmpl)
		rc = layout_check_template(tmpl);
	if (rc == 0)
		rc = tx_lock(tx, &f, 1, false);
	if (rc == 0)
		rc = inode_read(tx->db, NULL, fid, ino);
	if (rc)
		goto out;
	if (!S_ISDIR(ino->a.mode)) {
		rc = -ENOTDIR;
		goto out;
	}
	if (!perm_owner_or_root(&tx->creds, &ino->a)) {
		rc = -EPERM;
		goto out;
	}
	if (tmpl) {
		ino->layout = *tmpl;
		ino->flags |= INODE_F_LAYOUT;
	} else {
		ino->flags &= ~INODE_F_LAYOUT;
	}
	inode_touch_c(ino, tx);
	rc = inode_stage(tx, ino);
out:
	free(ino);
	return tx_op_end(tx, rc);
}
