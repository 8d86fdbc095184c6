/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Transactions: one WriteBatch, the FID locks guarding it, and the ordering
 * apply (under the locks) -> unlock -> group commit (docs/mds-schema.md).
 */
#include "tx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int mds_tx_begin(struct mds_db *db, const struct proto_creds *creds, struct mds_tx **out)
{
	struct mds_tx *tx;
	int rc;

	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return -ENOMEM;
	rc = kv_batch_new(&tx->b);
	if (rc) {
		free(tx);
		return rc;
	}
	tx->db = db;
	tx->creds = *creds;
	if (tx->creds.ngroups > PROTO_MAX_GROUPS)
		tx->creds.ngroups = PROTO_MAX_GROUPS;
	tx->now = db_now();
	*out = tx;
	return 0;
}

struct mds_db *mds_tx_db(struct mds_tx *tx)
{
	return tx->db;
}

const struct proto_creds *mds_tx_creds(struct mds_tx *tx)
{
	return &tx->creds;
}

int mds_tx_put(struct mds_tx *tx, const void *key, size_t klen, const void *val, size_t vlen)
{
	if (klen == 0)
		return -EINVAL;
	kv_batch_put(tx->b, key, klen, val, vlen);
	return 0;
}

int mds_tx_del(struct mds_tx *tx, const void *key, size_t klen)
{
	if (klen == 0)
		return -EINVAL;
	kv_batch_del(tx->b, key, klen);
	return 0;
}

int mds_tx_on_apply(struct mds_tx *tx, mds_apply_hook_fn fn, void *arg)
{
	if (tx->nhooks == TX_MAX_HOOKS)
		return -ENOSPC;
	tx->hooks[tx->nhooks].fn = fn;
	tx->hooks[tx->nhooks].arg = arg;
	tx->nhooks++;
	return 0;
}

int tx_lock(struct mds_tx *tx, struct proto_fid *fids, size_t n, bool rename)
{
	int rc = 0;

	if (tx->nlocks || tx->rename_locked)
		return -EBUSY;
	if (n > TX_MAX_LOCKS)
		return -EINVAL;
	n = lock_sort(fids, n);
	if (rename) {
		pthread_mutex_lock(&tx->db->locks.rename_mu);
		tx->rename_locked = true;
	}
	for (size_t i = 0; i < n; i++) {
		rc = lock_fid(&tx->db->locks, &fids[i]);
		if (rc)
			goto fail;
		tx->locks[tx->nlocks++] = fids[i];
	}
	return 0;
fail:
	tx_unlock(tx);
	return rc;
}

void tx_unlock(struct mds_tx *tx)
{
	while (tx->nlocks > 0)
		lock_unfid(&tx->db->locks, &tx->locks[--tx->nlocks]);
	if (tx->rename_locked) {
		pthread_mutex_unlock(&tx->db->locks.rename_mu);
		tx->rename_locked = false;
	}
}

void tx_op_begin(struct mds_tx *tx)
{
	kv_batch_savepoint(tx->b);
	tx->op_inode_delta = tx->inode_delta;
	tx->op_zombie_delta = tx->zombie_delta;
	tx->op_nopens = tx->nopens;
	tx->op_ndirs = tx->dirs.n;
}

void mds_tx_dirs(const struct mds_tx *tx, struct proto_mds_dirs *out)
{
	out->n = tx->dirs.n;
	memcpy(out->attr, tx->dirs.attr, tx->dirs.n * sizeof(out->attr[0]));
}

void tx_note_dir(struct mds_tx *tx, const struct proto_attr *a)
{
	uint32_t i;

	for (i = 0; i < tx->dirs.n; i++)
		if (proto_fid_eq(&tx->dirs.attr[i].fid, &a->fid))
			break;
	/* More than PROTO_MDS_DIRS_MAX: the rest go unreported (clients ask). */
	if (i == PROTO_MDS_DIRS_MAX)
		return;
	tx->dirs.attr[i] = *a;
	if (i == tx->dirs.n)
		tx->dirs.n++;
}

int tx_op_end(struct mds_tx *tx, int rc)
{
	int rc2;

	if (rc >= 0) {
		kv_batch_pop(tx->b);
		return rc;
	}
	tx->inode_delta = tx->op_inode_delta;
	tx->zombie_delta = tx->op_zombie_delta;
	tx->nopens = tx->op_nopens;
	tx->dirs.n = tx->op_ndirs;
	rc2 = kv_batch_rollback(tx->b);
	/* A batch that cannot be rolled back must never be applied. */
	if (rc2)
		tx->b = NULL;
	return rc;
}

int tx_open_delta(struct mds_tx *tx, const struct proto_fid *fid, int delta)
{
	if (tx->nopens == TX_MAX_OPENS)
		return -ENOSPC;
	tx->opens[tx->nopens].fid = *fid;
	tx->opens[tx->nopens].delta = delta;
	tx->nopens++;
	return 0;
}

uint32_t tx_open_count(struct mds_tx *tx, const struct proto_fid *fid)
{
	int64_t n = open_table_count(&tx->db->opens, fid);

	for (size_t i = 0; i < tx->nopens; i++)
		if (proto_fid_eq(&tx->opens[i].fid, fid))
			n += tx->opens[i].delta;
	return n < 0 ? 0 : (uint32_t)n;
}

static void tx_free(struct mds_tx *tx)
{
	tx_unlock(tx);
	kv_batch_free(tx->b);
	free(tx);
}

bool mds_tx_changes(struct mds_tx *tx)
{
	return tx->nhooks > 0 || (tx->b && kv_batch_count(tx->b) > 0);
}

int mds_tx_apply(struct mds_tx *tx, uint64_t *ticket)
{
	struct mds_db *db = tx->db;
	uint64_t t = 0;
	int rc = 0;

	if (!tx->b) {
		rc = -EIO;
		goto out;
	}
	pthread_mutex_lock(&db->apply_mu);
	for (size_t i = 0; i < tx->nhooks; i++) {
		rc = tx->hooks[i].fn(tx->hooks[i].arg, tx);
		if (rc)
			goto unlock;
	}
	if (kv_batch_count(tx->b) > 0) {
		rc = kv_write(db->kv, tx->b, false);
		if (rc)
			goto unlock;
	}
	t = gc_ticket(&db->gc);
	if (tx->owner != db->last_owner) {
		db->other_ticket = db->last_owner_ticket;
		db->last_owner = tx->owner;
	}
	db->last_owner_ticket = t;
unlock:
	pthread_mutex_unlock(&db->apply_mu);
	if (rc)
		goto out;
	/* Memory follows the database while the FID locks are still held. */
	atomic_fetch_add(&db->ninodes, tx->inode_delta);
	/*
	 * Counted only once the batch is visible: the expiry pass resets the
	 * hint to what its scan found, so a count ahead of the record it
	 * stands for would be lost and the file kept for ever.
	 */
	if (tx->zombie_delta) {
		int64_t since = tx->zombie_since && tx->zombie_since < tx->now.sec
				    ? tx->zombie_since
				    : tx->now.sec;
		int64_t due = since + (int64_t)db->opts.unlink_grace_s + 1;
		int64_t cur = atomic_load(&db->zombie_due);

		atomic_fetch_add(&db->zombies, tx->zombie_delta);
		/* Stamped since or later: none expires before due (mds_orphan_expire). */
		while (due < cur && !atomic_compare_exchange_weak(&db->zombie_due, &cur, due))
			;
	}
	if (tx->ndq || tx->dq_all) {  /* objects were queued for destruction */
		destroyq_applied(tx); /* before the count that wakes the destroy task */
		atomic_fetch_add(&db->destroy_adds, 1);
	}
	for (size_t i = 0; i < tx->nopens; i++)
		open_table_adjust(&db->opens, &tx->opens[i].fid, tx->opens[i].delta);
	if (ticket)
		*ticket = t;
out:
	tx_free(tx);
	return rc;
}

void mds_tx_set_owner(struct mds_tx *tx, uint64_t owner)
{
	tx->owner = owner;
}

uint64_t mds_db_foreign_ticket(struct mds_db *db, uint64_t owner)
{
	uint64_t t;

	pthread_mutex_lock(&db->apply_mu);
	t = owner == db->last_owner ? db->other_ticket : db->last_owner_ticket;
	pthread_mutex_unlock(&db->apply_mu);
	return t;
}

void mds_db_freeze_commits(struct mds_db *db)
{
	gc_freeze(&db->gc);
}

uint64_t mds_db_durable(struct mds_db *db)
{
	return gc_durable(&db->gc);
}

int mds_db_wait_durable(struct mds_db *db, uint64_t ticket)
{
	return gc_wait(&db->gc, db->kv, ticket);
}

int mds_tx_commit(struct mds_tx *tx)
{
	struct mds_db *db = tx->db;
	uint64_t ticket;
	int rc;

	rc = mds_tx_apply(tx, &ticket);
	if (rc)
		return rc;
	return mds_db_wait_durable(db, ticket);
}

void mds_tx_abort(struct mds_tx *tx)
{
	if (tx)
		tx_free(tx);
}
