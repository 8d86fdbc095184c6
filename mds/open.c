/* SPDX-License-Identifier: Apache-2.0 */
/* Open references, size reports, close, and orphans. */
#include "ns.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
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
	/* Kept after its last unlink: only for the open that follows a lookup. */
	if (rc == 0 && ino->a.nlink == 0 && tx_open_count(tx, fid) == 0 &&
	    !(flags & (MDS_OPEN_RECENT | MDS_OPEN_NOCHECK)))
		rc = -ENOENT;
	if (rc == 0)
		rc = open_take(tx, ino, flags & ~MDS_OPEN_RECENT);
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
		rc = inode_last_close(tx, ino);
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

struct expire_scan {
	struct orphan_list l;
	int64_t cutoff; /* unlinked at or before: expired */
	int64_t kept;	/* grace records not yet expired */
	int64_t first;	/* the oldest of those: unlinked at (INT64_MAX: none) */
};

static int expire_collect(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct expire_scan *e = arg;
	uint32_t nsec;
	int64_t sec;
	uint8_t ver;

	/* Not a grace record, or malformed (the checker reports it). */
	if (klen != KEY_FID_LEN || inode_orphan_decode(val, vlen, &ver, &sec, &nsec) ||
	    ver != ORPHAN_V_GRACE)
		return 0;
	if (sec > e->cutoff) {
		e->kept++;
		if (sec < e->first)
			e->first = sec;
		return 0;
	}
	return orphan_collect(&e->l, key, klen, val, vlen);
}

/* Destroys the expired orphans among @fids (n <= TX_MAX_LOCKS) in one batch,
 * applied but not waited for.  Returns how many, or -errno. */
static int expire_batch(struct mds_db *db, struct proto_fid *fids, size_t n, uint64_t *ticket)
{
	struct proto_creds root = {0};
	struct proto_fid locked[TX_MAX_LOCKS];
	struct mds_inode *ino;
	struct mds_tx *tx;
	int rc, done = 0;

	ino = malloc(sizeof(*ino));
	if (!ino)
		return -ENOMEM;
	rc = mds_tx_begin(db, &root, &tx);
	if (rc)
		goto out;
	memcpy(locked, fids, n * sizeof(*fids));
	rc = tx_lock(tx, locked, n, false);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = inode_read(db, NULL, &fids[i], ino);
		if (rc == -ENOENT) {
			rc = 0;
			continue;
		}
		/* Opened (RECENT) since: its last close keeps or destroys it. */
		if (rc || ino->a.nlink != 0 || tx_open_count(tx, &fids[i]) != 0)
			continue;
		rc = inode_destroy(tx, ino);
		done += rc == 0;
	}
	if (rc == 0 && done)
		rc = mds_tx_apply(tx, ticket) ?: done;
	else
		mds_tx_abort(tx);
out:
	free(ino);
	return rc;
}

int mds_orphan_expire(struct mds_db *db)
{
	struct expire_scan e = {.first = INT64_MAX};
	uint8_t prefix = KEY_ORPHAN;
	uint64_t ticket = 0;
	int64_t hint, now = db_now().sec, grace = (int64_t)db->opts.unlink_grace_s, cur;
	int rc, n = 0;

	hint = atomic_load(&db->zombies);
	if (!grace || hint <= 0)
		return 0;
	/*
	 * Nothing kept can have expired before zombie_due: the scan, whose cost
	 * grows with the orphan index (tombstones included), is skipped until
	 * then.  Claimed before the scan: a file kept from now on lowers it
	 * again (its record visible first), the scan's survivors below.
	 */
	if (now < atomic_load(&db->zombie_due))
		return 0;
	atomic_store(&db->zombie_due, INT64_MAX);
	/*
	 * Stamps are whole seconds: a file stamped s was unlinked during s, so
	 * it has surely been kept for the grace only once now > s + grace.
	 */
	e.cutoff = now - grace - 1;
	rc = mds_db_scan(db, &prefix, 1, expire_collect, &e);
	for (size_t i = 0; rc == 0 && i < e.l.n; i += TX_MAX_LOCKS) {
		size_t k = e.l.n - i < TX_MAX_LOCKS ? e.l.n - i : TX_MAX_LOCKS;
		int r = expire_batch(db, &e.l.fids[i], k, &ticket);

		if (r < 0)
			rc = r;
		else
			n += r;
	}
	free(e.l.fids);
	cur = atomic_load(&db->zombie_due);
	{
		int64_t due = rc ? INT64_MIN : (e.kept ? e.first + grace + 1 : INT64_MAX);

		while (due < cur && !atomic_compare_exchange_weak(&db->zombie_due, &cur, due))
			;
	}
	/*
	 * The hint becomes the ones kept plus those added during the pass (an
	 * over-count, if the scan saw some of those, only costs a scan).
	 */
	if (rc == 0)
		atomic_fetch_add(&db->zombies, e.kept - hint);
	/* Durable before the destroy task acts on the queue entries. */
	if (ticket) {
		int r = mds_db_wait_durable(db, ticket);

		if (rc == 0)
			rc = r;
	}
	return rc ? rc : n;
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
