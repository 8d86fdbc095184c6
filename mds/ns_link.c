/* SPDX-License-Identifier: Apache-2.0 */
/* link: another name for an existing inode. */
#include "ns.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

struct link_state {
	struct mds_inode dir;
	struct mds_inode ino;
};

static int link_locked(struct mds_tx *tx, const struct proto_fid *fid, const struct proto_fid *pfid,
		       struct proto_str name, struct link_state *s, struct proto_attr *out)
{
	struct mds_inode *dir = &s->dir, *ino = &s->ino;
	uint64_t cookie;
	struct dent d;
	int rc;

	rc = ns_read_dir(tx, pfid, dir);
	if (rc)
		return rc;
	rc = perm_check(&tx->creds, &dir->a, PERM_EXEC);
	if (rc)
		return rc;
	rc = inode_read(tx->db, NULL, fid, ino);
	if (rc)
		return rc;
	rc = dirent_find(tx->db, NULL, pfid, name, &d);
	if (rc == 0)
		return -EEXIST;
	if (rc != -ENOENT)
		return rc;
	rc = perm_check(&tx->creds, &dir->a, PERM_WRITE);
	if (rc)
		return rc;
	if (S_ISDIR(ino->a.mode))
		return -EPERM;
	if (ino->a.nlink == 0)
		return -ENOENT;
	if (ino->a.nlink >= MDS_LINK_MAX)
		return -EMLINK;
	rc = dirent_add(tx, pfid, name, fid, ino->a.mode & S_IFMT, &cookie);
	if (rc)
		return rc;
	ino->a.nlink++;
	inode_touch_c(ino, tx);
	inode_dir_changed(dir, tx);
	rc = inode_stage(tx, ino);
	if (rc == 0)
		rc = inode_stage(tx, dir);
	if (rc == 0)
		*out = ino->a;
	return rc;
}

int mds_link(struct mds_tx *tx, const struct proto_fid *fid, const struct proto_fid *parent,
	     struct proto_str name, struct proto_attr *out)
{
	struct proto_fid fids[2] = {*fid, *parent};
	struct link_state *s = NULL;
	int rc;

	tx_op_begin(tx);
	rc = name_check_new(name);
	if (rc)
		goto out;
	s = malloc(sizeof(*s));
	if (!s) {
		rc = -ENOMEM;
		goto out;
	}
	rc = tx_lock(tx, fids, 2, false);
	if (rc == 0)
		rc = link_locked(tx, fid, parent, name, s, out);
out:
	free(s);
	return tx_op_end(tx, rc);
}
