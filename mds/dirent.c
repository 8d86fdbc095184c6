/* SPDX-License-Identifier: Apache-2.0 */
#include "dirent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "key.h"
#include "kv.h"
#include "tx.h"

uint64_t mds_name_hash_default(const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)name[i];
		h *= 0x100000001b3ULL;
	}
	/* splitmix64 finaliser: FNV's low bits are weak. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

uint64_t dirent_run_start(struct mds_db *db, const char *name, size_t len)
{
	uint64_t h = db->opts.name_hash(name, len);

	return (1 + h % DIRENT_HASH_MOD) << DIRENT_COLL_BITS;
}

int dirent_decode(uint64_t cookie, const uint8_t *v, size_t vlen, struct dent *out)
{
	struct proto_str s;
	struct proto_cur c;

	proto_cur_init_ro(&c, v, vlen);
	if (proto_get_u8(&c) != DIRENT_FMT_V1)
		return -EIO;
	out->type = proto_get_u32(&c);
	proto_get_fid(&c, &out->fid);
	proto_get_str(&c, &s, 255);
	if (proto_cur_finish(&c) || s.len == 0)
		return -EIO;
	memcpy(out->name, s.s, s.len);
	out->name[s.len] = '\0';
	out->namelen = (uint16_t)s.len;
	out->cookie = cookie;
	return 0;
}

static size_t dirent_encode(const struct dent *d, uint8_t *buf, size_t cap)
{
	struct proto_cur c;

	proto_cur_init(&c, buf, cap);
	proto_put_u8(&c, DIRENT_FMT_V1);
	proto_put_u32(&c, d->type);
	proto_put_fid(&c, &d->fid);
	proto_put_str(&c, d->name, d->namelen, 255);
	return proto_cur_err(&c) ? 0 : c.pos;
}

/* Iterates @parent's collision run of @name. */
static int run_iter(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *parent,
		    uint64_t start, struct kv_iter **out)
{
	uint8_t lo[KEY_DIRENT_LEN], hi[KEY_DIRENT_LEN];

	key_dirent(lo, parent, start);
	key_dirent(hi, parent, start + DIRENT_COLL_MAX + 1);
	return kv_iter_new(db->kv, snap, lo, sizeof(lo), hi, sizeof(hi), out);
}

static int find(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *parent,
		struct proto_str name, struct dent *out, uint64_t *slot)
{
	uint64_t start = dirent_run_start(db, name.s, name.len);
	uint64_t next = start;
	struct dent *d = out;
	struct kv_iter *it;
	size_t klen, vlen;
	int rc;

	rc = run_iter(db, snap, parent, start, &it);
	if (rc)
		return rc;
	rc = -ENOENT;
	for (; kv_iter_valid(it); kv_iter_next(it)) {
		const uint8_t *k = kv_iter_key(it, &klen);
		const uint8_t *v = kv_iter_val(it, &vlen);
		uint64_t c;
		int rc2;

		if (klen != KEY_DIRENT_LEN)
			continue;
		c = key_get_be64(k + KEY_FID_LEN);
		/* The first free counter of the run (entries are in counter order). */
		if (c == next)
			next++;
		rc2 = dirent_decode(c, v, vlen, d);
		if (rc2) {
			rc = rc2;
			break;
		}
		if (d->namelen == name.len && memcmp(d->name, name.s, name.len) == 0) {
			rc = 0;
			break;
		}
	}
	if (rc == -ENOENT)
		rc = kv_iter_status(it) ?: -ENOENT;
	kv_iter_free(it);
	if (slot)
		*slot = next > start + DIRENT_COLL_MAX ? 0 : next;
	return rc;
}

int dirent_find(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *parent,
		struct proto_str name, struct dent *out)
{
	return find(db, snap, parent, name, out, NULL);
}

int dirent_find_slot(struct mds_db *db, const struct proto_fid *parent, struct proto_str name,
		     struct dent *out, uint64_t *slot)
{
	return find(db, NULL, parent, name, out, slot);
}

int dirent_add_at(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
		  const struct proto_fid *fid, uint32_t type, uint64_t slot)
{
	struct dent d;

	if (name.len > 255)
		return -ENAMETOOLONG;
	if (slot == 0)
		return -ENOSPC;
	d.cookie = slot;
	d.fid = *fid;
	d.type = type;
	d.namelen = (uint16_t)name.len;
	memcpy(d.name, name.s, name.len);
	d.name[name.len] = '\0';
	return dirent_set(tx, parent, &d);
}

int dirent_set(struct mds_tx *tx, const struct proto_fid *parent, const struct dent *d)
{
	uint8_t k[KEY_DIRENT_LEN], v[1 + 4 + 16 + 2 + 255];
	size_t vlen = dirent_encode(d, v, sizeof(v));

	if (vlen == 0)
		return -ENAMETOOLONG;
	key_dirent(k, parent, d->cookie);
	kv_batch_put(tx->b, k, sizeof(k), v, vlen);
	return 0;
}

int dirent_add(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
	       const struct proto_fid *fid, uint32_t type, uint64_t *cookie)
{
	uint64_t start = dirent_run_start(tx->db, name.s, name.len);
	uint64_t next = start;
	struct kv_iter *it;
	size_t klen;
	int rc;

	if (name.len > 255)
		return -ENAMETOOLONG;
	rc = run_iter(tx->db, NULL, parent, start, &it);
	if (rc)
		return rc;
	/* The first free counter of the run (entries are in counter order). */
	for (; kv_iter_valid(it); kv_iter_next(it)) {
		const uint8_t *k = kv_iter_key(it, &klen);
		uint64_t c = key_get_be64(k + KEY_FID_LEN);

		if (c != next)
			break;
		next++;
	}
	rc = kv_iter_status(it);
	kv_iter_free(it);
	if (rc)
		return rc;
	rc = dirent_add_at(tx, parent, name, fid, type, next > start + DIRENT_COLL_MAX ? 0 : next);
	if (rc == 0)
		*cookie = next;
	return rc;
}

void dirent_del(struct mds_tx *tx, const struct proto_fid *parent, uint64_t cookie)
{
	uint8_t k[KEY_DIRENT_LEN];

	key_dirent(k, parent, cookie);
	kv_batch_del(tx->b, k, sizeof(k));
}

int dirent_iter(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *dir,
		struct kv_iter **out)
{
	uint8_t lo[KEY_FID_LEN], hi[KEY_FID_LEN];

	key_fid(lo, KEY_DIRENT, dir);
	key_prefix_end(hi, lo, sizeof(lo));
	return kv_iter_new(db->kv, snap, lo, sizeof(lo), hi, sizeof(hi), out);
}

int dirent_empty(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *dir)
{
	struct kv_iter *it;
	int rc;

	rc = dirent_iter(db, snap, dir, &it);
	if (rc)
		return rc;
	rc = kv_iter_valid(it) ? 0 : 1;
	if (rc == 1)
		rc = kv_iter_status(it) ?: 1;
	kv_iter_free(it);
	return rc;
}
