/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The persistent destroy queue: ('Q', ost, objid) -> (version, parent FID).
 * Objects arrive in the batch that drops their file's last reference; the
 * background destroy task (built later) lists them, destroys them on their
 * OSTs and removes each entry once its OST confirmed.
 */
#include "ns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "key.h"
#include "proto/target.h"

/*
 * Lists the queue from key @lo (past it if @after) up to key @hi: the
 * iterator's bound keeps it from stepping over tombstones beyond.
 */
static int list(struct mds_db *db, const uint8_t *lo, const uint8_t *hi, size_t hilen, bool after,
		struct mds_destroy_ent *out, size_t max)
{
	struct kv_iter *it;
	size_t klen, vlen, n = 0;
	int rc;

	if (max > INT32_MAX)
		max = INT32_MAX;
	rc = kv_iter_new(db->kv, NULL, lo, KEY_DESTROY_LEN, hi, hilen, &it);
	if (rc)
		return rc;
	if (after && kv_iter_valid(it)) {
		const uint8_t *key = kv_iter_key(it, &klen);

		if (klen == KEY_DESTROY_LEN && memcmp(key, lo, klen) == 0)
			kv_iter_next(it);
	}
	for (; n < max && kv_iter_valid(it); kv_iter_next(it)) {
		const uint8_t *key = kv_iter_key(it, &klen);
		const uint8_t *v = kv_iter_val(it, &vlen);
		struct proto_cur c;

		if (klen != KEY_DESTROY_LEN)
			continue;
		out[n].ost_idx = key_get_be32(key + 1);
		out[n].objid = key_get_be64(key + 5);
		proto_cur_init_ro(&c, v, vlen);
		if (proto_get_u8(&c) != 1)
			proto_cur_fail(&c, -EPROTO);
		proto_get_fid(&c, &out[n].parent);
		if (proto_cur_finish(&c)) {
			rc = -EIO;
			goto out;
		}
		n++;
	}
	rc = kv_iter_status(it);
	if (rc == 0)
		rc = (int)n;
out:
	kv_iter_free(it);
	return rc;
}

int mds_destroyq_list(struct mds_db *db, const struct mds_destroy_ent *after,
		      struct mds_destroy_ent *out, size_t max)
{
	uint8_t lo[KEY_DESTROY_LEN], hi[1] = {KEY_DESTROY + 1};

	key_destroy(lo, after ? after->ost_idx : 0, after ? after->objid : 0);
	return list(db, lo, hi, sizeof(hi), after != NULL, out, max);
}

int mds_destroyq_list_ost(struct mds_db *db, uint32_t ost_idx, uint64_t from,
			  struct mds_destroy_ent *out, size_t max)
{
	uint8_t lo[KEY_DESTROY_LEN], hi[KEY_DESTROY_LEN];

	/* Target indices are 16-bit: ost_idx + 1 does not wrap. */
	key_destroy(lo, ost_idx, from);
	key_destroy(hi, ost_idx + 1, 0);
	return list(db, lo, hi, sizeof(hi), false, out, max);
}

void destroyq_add(struct mds_tx *tx, uint32_t ost_idx, uint64_t objid,
		  const struct proto_fid *parent)
{
	uint8_t k[KEY_DESTROY_LEN], v[1 + 16];
	struct proto_cur c;
	uint32_t i;

	proto_cur_init(&c, v, sizeof(v));
	proto_put_u8(&c, 1);
	proto_put_fid(&c, parent);
	key_destroy(k, ost_idx, objid);
	kv_batch_put(tx->b, k, sizeof(k), v, sizeof(v));
	/* A failed operation's objects too: starting early costs a step. */
	for (i = 0; i < tx->ndq && tx->dq[i].ost_idx != ost_idx; i++)
		;
	if (i < tx->ndq) {
		if (objid < tx->dq[i].objid)
			tx->dq[i].objid = objid;
	} else if (tx->ndq < TX_DQ_MAX) {
		tx->dq[tx->ndq].ost_idx = ost_idx;
		tx->dq[tx->ndq++].objid = objid;
	} else {
		tx->dq_all = true;
	}
}

void mds_destroyq_resume(struct mds_db *db, struct mds_dq_resume *r)
{
	pthread_mutex_lock(&db->dq_mu);
	*r = (struct mds_dq_resume){.all = db->dq_all};
	if (!r->all && db->dq_n) {
		r->from = malloc(db->dq_n * sizeof(*r->from));
		if (!r->from) {
			/* The points stay; this pass scans the whole queue. */
			r->all = true;
			pthread_mutex_unlock(&db->dq_mu);
			return;
		}
		memcpy(r->from, db->dq_from, db->dq_n * sizeof(*r->from));
		r->n = db->dq_n;
	}
	/* The pass answers for all of it from here on. */
	db->dq_all = false;
	for (uint32_t i = 0; i < db->dq_n; i++)
		db->dq_from[i] = UINT64_MAX;
	pthread_mutex_unlock(&db->dq_mu);
}

/* Caller holds dq_mu. */
static void keep_locked(struct mds_db *db, uint32_t ost_idx, uint64_t objid)
{
	if (db->dq_all)
		return;
	if (ost_idx >= db->dq_n) {
		/* At most 65,536 points: target indices are 16-bit. */
		uint32_t n = ost_idx + 1;
		uint64_t *from = ost_idx <= PROTO_TARGET_INDEX_MAX
				     ? realloc(db->dq_from, n * sizeof(*from))
				     : NULL;

		if (!from) {
			db->dq_all = true; /* cannot remember it: scan everything next time */
			return;
		}
		for (uint32_t i = db->dq_n; i < n; i++)
			from[i] = UINT64_MAX;
		db->dq_from = from;
		db->dq_n = n;
	}
	if (objid < db->dq_from[ost_idx])
		db->dq_from[ost_idx] = objid;
}

void mds_destroyq_keep(struct mds_db *db, uint32_t ost_idx, uint64_t objid)
{
	pthread_mutex_lock(&db->dq_mu);
	keep_locked(db, ost_idx, objid);
	pthread_mutex_unlock(&db->dq_mu);
}

void mds_destroyq_keep_all(struct mds_db *db)
{
	pthread_mutex_lock(&db->dq_mu);
	db->dq_all = true;
	pthread_mutex_unlock(&db->dq_mu);
}

/* At apply: the objects @tx queued are visible from now on. */
void destroyq_applied(struct mds_tx *tx)
{
	struct mds_db *db = tx->db;

	pthread_mutex_lock(&db->dq_mu);
	if (tx->dq_all)
		db->dq_all = true;
	for (uint32_t i = 0; i < tx->ndq; i++)
		keep_locked(db, tx->dq[i].ost_idx, tx->dq[i].objid);
	pthread_mutex_unlock(&db->dq_mu);
}

int mds_destroyq_remove(struct mds_tx *tx, uint32_t ost_idx, uint64_t objid)
{
	uint8_t k[KEY_DESTROY_LEN];

	kv_batch_del(tx->b, k, key_destroy(k, ost_idx, objid));
	return 0;
}
