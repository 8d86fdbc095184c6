/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The persistent destroy queue: ('Q', ost, objid) -> (version, parent FID).
 * Objects arrive in the batch that drops their file's last reference; the
 * background destroy task (built later) lists them, destroys them on their
 * OSTs and removes each entry once its OST confirmed.
 */
#include "ns.h"

#include <errno.h>

#include "key.h"

int mds_destroyq_list(struct mds_db *db, const struct mds_destroy_ent *after,
		      struct mds_destroy_ent *out, size_t max)
{
	uint8_t lo[1] = {KEY_DESTROY}, hi[1] = {KEY_DESTROY + 1}, k[KEY_DESTROY_LEN];
	struct kv_iter *it;
	size_t klen, vlen, n = 0;
	int rc;

	if (max > INT32_MAX)
		max = INT32_MAX;
	rc = kv_iter_new(db->kv, NULL, lo, 1, hi, 1, &it);
	if (rc)
		return rc;
	if (after) {
		key_destroy(k, after->ost_idx, after->objid);
		kv_iter_seek(it, k, sizeof(k));
		if (kv_iter_valid(it)) {
			const uint8_t *key = kv_iter_key(it, &klen);

			if (klen == sizeof(k) && memcmp(key, k, klen) == 0)
				kv_iter_next(it);
		}
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

int mds_destroyq_remove(struct mds_tx *tx, uint32_t ost_idx, uint64_t objid)
{
	uint8_t k[KEY_DESTROY_LEN];

	kv_batch_del(tx->b, k, key_destroy(k, ost_idx, objid));
	return 0;
}
