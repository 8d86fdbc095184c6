/* SPDX-License-Identifier: Apache-2.0 */
/* Open references, size reports, close, and orphans. */
#include "ns.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "key.h"

int open_take(struct mds_tx *tx, struct mds_inode *ino, uint32_t flags)
{
	int mask = 0, rc;

	if ((flags & MDS_OPEN_WRITE) && S_ISDIR(ino->a.mode))
		return -EISDIR;
	if (flags & MDS_OPEN_READ)
		mask |= PERM_READ;
	if (flags & MDS_OPEN_WRITE)
		mask |= PERM_WRITE;
	if (!(flags & MDS_OPEN_NOCHECK)) {
		rc = perm_check(&tx->creds, &ino->a, mask);
		if (rc)
			return rc;
	}
	rc = tx_open_delta(tx, &ino->a.fid, 1);
	if (rc)
		return rc;
	if ((flags & MDS_OPEN_WRITE) && S_ISREG(ino->a.mode) &&
	    !(ino->flags & INODE_F_LAYOUT_FIXED)) {
		ino->flags |= INODE_F_LAYOUT_FIXED;
		rc = inode_stage(tx, ino);
	}
	return rc;
}

/* Locks @fid alone and reads it. */
static int lock_read(struct mds_tx *tx, const struct proto_fid *fid, struct mds_inode *ino)
{
	struct proto_fid f = *fid;
	int rc;

	rc = tx_lock(tx, &f, 1, false);
	if (rc)
		return rc;
	return inode_read(tx->db, NULL, fid, ino);
}

int mds_open(struct mds_tx *tx, const struct proto_fid *fid, uint32_t flags, struct proto_attr *out)
{
	struct mds_inode *ino;
	int rc;

	tx_op_begin(tx);
	ino = malloc(sizeof(*ino));
	rc = ino ? lock_read(tx, fid, ino) : -ENOMEM;
	if (rc == 0)
		rc = open_take(tx, ino, flags);
	if (rc == 0)
		*out = ino->a;
	free(ino);
	return tx_op_end(tx, rc);
}

/* Applies @rep to @ino in memory; true if it changed anything. */
static bool apply_report(struct mds_tx *tx, struct mds_inode *ino,
			 const struct mds_size_report *rep)
{
	if (!S_ISREG(ino->a.mode))
		return false;
	/* The writer opened before the last truncate: its size may undo it. */
	if (rep->data_version < ino->trunc_version)
		return false;
	if (rep->size > ino->a.size)
		ino->a.size = rep->size;
	ino->a.blocks = rep->blocks;
	if (rep->wrote) {
		ino->a.data_version++;
		inode_touch_mc(ino, tx);
	}
	return true;
}

int mds_report_size(struct mds_tx *tx, const struct proto_fid *fid,
		    const struct mds_size_report *rep)
{
	struct mds_inode *ino;
	int rc;

	tx_op_begin(tx);
	ino = malloc(sizeof(*ino));
	rc = ino ? lock_read(tx, fid, ino) : -ENOMEM;
	if (rc == 0 && apply_report(tx, ino, rep)) {
		rc = inode_stage(tx, ino);
		if (rc == 0)
			rc = 1;
	}
	free(ino);
	return tx_op_end(tx, rc);
}

int mds_close(struct mds_tx *tx, const struct proto_fid *fid, const struct mds_size_report *rep)
{
	struct proto_fid f = *fid;
	struct mds_inode *ino;
	bool dirty = false;
	int rc;

	tx_op_begin(tx);

	ino = malloc(sizeof(*ino));
	rc = ino ? tx_lock(tx, &f, 1, false) : -ENOMEM;
	if (rc)
		goto out;
	if (tx_open_count(tx, fid) == 0) {
		rc = -EBADF;
		goto out;
	}
	rc = inode_read(tx->db, NULL, fid, ino);
	if (rc)
		goto out;
	if (rep)
		dirty = apply_report(tx, ino, rep);
	rc = tx_open_delta(tx, fid, -1);
	if (rc)
		goto out;
	if (ino->a.nlink == 0 && tx_open_count(tx, fid) == 0)
		rc = inode_destroy(tx, ino);
	else if (dirty)
		rc = inode_stage(tx, ino);
out:
	free(ino);
	return tx_op_end(tx, rc);
}

uint32_t mds_open_count(struct mds_db *db, const struct proto_fid *fid)
{
	return open_table_count(&db->opens, fid);
}

struct orphan_list {
	struct proto_fid *fids;
	size_t n, cap;
};

static int orphan_collect(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct orphan_list *l = arg;
	struct proto_fid *nf;

	if (klen != KEY_FID_LEN)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		nf = realloc(l->fids, l->cap * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		l->fids = nf;
	}
	proto_fid_from_key((const uint8_t *)key + 1, &l->fids[l->n++]);
	return 0;
}

/* Destroys orphan @fid if it is still an orphan nobody has open. */
static int orphan_reap(struct mds_db *db, const struct proto_fid *fid)
{
	struct proto_creds root = {0};
	struct mds_inode *ino;
	struct mds_tx *tx;
	int rc;

	ino = malloc(sizeof(*ino));
	if (!ino)
		return -ENOMEM;
	rc = mds_tx_begin(db, &root, &tx);
	if (rc)
		goto out;
	rc = lock_read(tx, fid, ino);
	if (rc == 0 && ino->a.nlink == 0 && tx_open_count(tx, fid) == 0) {
		rc = inode_destroy(tx, ino);
		if (rc == 0)
			rc = 1;
	} else if (rc == -ENOENT) {
		rc = 0;
	}
	if (rc == 1)
		rc = mds_tx_commit(tx) ?: 1;
	else
		mds_tx_abort(tx);
out:
	free(ino);
	return rc;
}

int mds_orphan_cleanup(struct mds_db *db)
{
	struct orphan_list l = {0};
	uint8_t prefix = KEY_ORPHAN;
	int rc, n = 0;

	rc = mds_db_scan(db, &prefix, 1, orphan_collect, &l);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		int r = orphan_reap(db, &l.fids[i]);

		if (r < 0)
			rc = r;
		else
			n += r;
	}
	free(l.fids);
	return rc ? rc : n;
}
