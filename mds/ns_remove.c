/* SPDX-License-Identifier: Apache-2.0 */
/* unlink and rmdir. */
#include "ns.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

struct remove_state {
	struct mds_inode dir;
	struct mds_inode child;
};

static int remove_locked(struct mds_tx *tx, const struct proto_fid *pfid, struct proto_str name,
			 bool rmdir, const struct proto_fid *locked, struct remove_state *s)
{
	struct mds_inode *dir = &s->dir, *child = &s->child;
	struct dent d;
	int rc;

	rc = ns_read_dir(tx, pfid, dir);
	if (rc)
		return rc;
	rc = perm_check(&tx->creds, &dir->a, PERM_EXEC);
	if (rc)
		return rc;
	rc = dirent_find(tx->db, NULL, pfid, name, &d);
	if (rc)
		return rc;
	if (!proto_fid_eq(&d.fid, locked))
		return -EAGAIN;
	rc = perm_check(&tx->creds, &dir->a, PERM_WRITE);
	if (rc)
		return rc;
	rc = inode_read(tx->db, NULL, &d.fid, child);
	if (rc)
		return rc == -ENOENT ? -EIO : rc;
	rc = perm_sticky(&tx->creds, &dir->a, &child->a);
	if (rc)
		return rc;
	if (!rmdir && S_ISDIR(child->a.mode))
		return -EISDIR;
	if (rmdir) {
		if (!S_ISDIR(child->a.mode))
			return -ENOTDIR;
		rc = dirent_empty(tx->db, NULL, &child->a.fid);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return -ENOTEMPTY;
	}
	dirent_del(tx, pfid, d.cookie);
	if (rmdir) {
		dir->a.nlink--;
		child->a.nlink = 0;
	} else {
		child->a.nlink--;
	}
	inode_dir_changed(dir, tx);
	inode_touch_c(child, tx);
	rc = inode_stage(tx, dir);
	if (rc == 0)
		rc = inode_stage(tx, child);
	if (rc == 0 && child->a.nlink == 0)
		rc = inode_release(tx, child);
	return rc;
}

static int remove_name(struct mds_tx *tx, const struct proto_fid *pfid, struct proto_str name,
		       bool rmdir)
{
	struct proto_fid root = proto_fid_root(), fids[2];
	struct remove_state *s;
	struct dent d;
	int rc, tries = 0;

	rc = name_check(name);
	if (rc)
		return rc;
	if (name_is_dot(name))
		return rmdir ? -EINVAL : -EISDIR;
	if (name_is_dotdot(name))
		return rmdir ? -ENOTEMPTY : -EISDIR;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (;;) {
		rc = dirent_find(tx->db, NULL, pfid, name, &d);
		if (rc == -ENOENT)
			d.fid = (struct proto_fid){0};
		else if (rc)
			break;
		if (rmdir && proto_fid_eq(&d.fid, &root)) {
			rc = -EBUSY;
			break;
		}
		fids[0] = *pfid;
		fids[1] = d.fid;
		rc = tx_lock(tx, fids, 2, false);
		if (rc)
			break;
		rc = remove_locked(tx, pfid, name, rmdir, &d.fid, s);
		if (rc != -EAGAIN || ++tries == 100)
			break;
		tx_unlock(tx);
	}
	free(s);
	return rc;
}

int mds_unlink(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name)
{
	tx_op_begin(tx);
	return tx_op_end(tx, remove_name(tx, parent, name, false));
}

int mds_rmdir(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name)
{
	tx_op_begin(tx);
	return tx_op_end(tx, remove_name(tx, parent, name, true));
}
