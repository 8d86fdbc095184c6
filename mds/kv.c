/* SPDX-License-Identifier: Apache-2.0 */
#include "kv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rocksdb/c.h>

/* RocksDB's InfoLogLevel: DEBUG 0, INFO 1, WARN 2 ... */
#define KV_LOG_INFO	  1
#define KV_LOG_FILE_MAX	  ((size_t)16 << 20)
#define KV_LOG_FILES_KEPT 4
/* RocksDB's ReadTier: kReadAllTier, kBlockCacheTier (kv_cache_only). */
#define KV_READ_TIER_ALL	 0
#define KV_READ_TIER_BLOCK_CACHE 1

struct kv {
	rocksdb_t *db;
	rocksdb_options_t *opts;
	rocksdb_writeoptions_t *wo_nosync;
	rocksdb_writeoptions_t *wo_sync;
	rocksdb_readoptions_t *ro;
	rocksdb_readoptions_t *ro_cache; /* ro, cache-only (kv_cache_only) */
};

struct kv_snap {
	struct kv *kv;
	const rocksdb_snapshot_t *snap;
	rocksdb_readoptions_t *ro;
};

struct kv_batch {
	rocksdb_writebatch_t *wb;
};

struct kv_iter {
	rocksdb_iterator_t *it;
	rocksdb_readoptions_t *ro;
	char *lo;
	size_t lolen;
	char *hi;
};

/*
 * The one conversion of RocksDB's error strings ("<Status>: <detail>") to
 * -errno.  Frees @err.
 */
static int kv_errno(char *err)
{
	int rc = -EIO;

	if (!err)
		return 0;
	if (strncmp(err, "Result incomplete", 17) == 0)
		rc = -EWOULDBLOCK; /* a cache-only read needed the disk ("block", not "lock") */
	else if (strstr(err, "No space left"))
		rc = -ENOSPC;
	else if (strstr(err, "lock") || strstr(err, "Resource temporarily unavailable"))
		rc = -EBUSY;
	else if (strstr(err, "does not exist"))
		rc = -ENOENT;
	else if (strstr(err, "exists"))
		rc = -EEXIST;
	else if (strncmp(err, "Invalid argument", 16) == 0)
		rc = -EINVAL;
	else if (strstr(err, "Permission denied"))
		rc = -EACCES;
	else if (strncmp(err, "NotFound", 8) == 0)
		rc = -ENOENT;

	rocksdb_free(err);
	return rc;
}

int kv_open(const char *path, bool create, bool manual_wal_flush, struct kv **out)
{
	struct kv *kv;
	char *err = NULL;
	int rc;

	kv = calloc(1, sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	kv->opts = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(kv->opts, create);
	rocksdb_options_set_error_if_exists(kv->opts, create);
	rocksdb_options_set_manual_wal_flush(kv->opts, manual_wal_flush);
	/*
	 * RocksDB's own LOG in the database directory: at its default level
	 * it writes a line for every WAL sync (one per group commit), which
	 * costs a write(2) per create and grows without bound.  INFO keeps
	 * start-up, flushes and compactions; the files roll at 16 MiB and
	 * the newest four are kept, across restarts too.
	 */
	rocksdb_options_set_info_log_level(kv->opts, KV_LOG_INFO);
	rocksdb_options_set_max_log_file_size(kv->opts, KV_LOG_FILE_MAX);
	rocksdb_options_set_keep_log_file_num(kv->opts, KV_LOG_FILES_KEPT);
	kv->wo_nosync = rocksdb_writeoptions_create();
	kv->wo_sync = rocksdb_writeoptions_create();
	rocksdb_writeoptions_set_sync(kv->wo_sync, 1);
	kv->ro = rocksdb_readoptions_create();
	kv->ro_cache = rocksdb_readoptions_create();
	rocksdb_readoptions_set_read_tier(kv->ro_cache, KV_READ_TIER_BLOCK_CACHE);
	kv->db = rocksdb_open(kv->opts, path, &err);
	rc = kv_errno(err);
	if (rc)
		goto fail;
	*out = kv;
	return 0;
fail:
	kv->db = NULL;
	kv_close(kv);
	return rc;
}

void kv_close(struct kv *kv)
{
	if (!kv)
		return;
	if (kv->db)
		rocksdb_close(kv->db);
	rocksdb_readoptions_destroy(kv->ro);
	rocksdb_readoptions_destroy(kv->ro_cache);
	rocksdb_writeoptions_destroy(kv->wo_sync);
	rocksdb_writeoptions_destroy(kv->wo_nosync);
	rocksdb_options_destroy(kv->opts);
	free(kv);
}

static __thread bool tl_cache_only;

void kv_cache_only(bool on)
{
	tl_cache_only = on;
}

static int read_tier(void)
{
	return tl_cache_only ? KV_READ_TIER_BLOCK_CACHE : KV_READ_TIER_ALL;
}

int kv_snap_new(struct kv *kv, struct kv_snap **out)
{
	struct kv_snap *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->kv = kv;
	s->snap = rocksdb_create_snapshot(kv->db);
	s->ro = rocksdb_readoptions_create();
	rocksdb_readoptions_set_snapshot(s->ro, s->snap);
	rocksdb_readoptions_set_read_tier(s->ro, read_tier());
	*out = s;
	return 0;
}

void kv_snap_free(struct kv_snap *s)
{
	if (!s)
		return;
	rocksdb_readoptions_destroy(s->ro);
	rocksdb_release_snapshot(s->kv->db, s->snap);
	free(s);
}

int kv_get(struct kv *kv, struct kv_snap *snap, const void *key, size_t klen, void **val)
{
	char *err = NULL, *v;
	size_t vlen = 0;
	int rc;

	v = rocksdb_get(kv->db,
			snap		? snap->ro
			: tl_cache_only ? kv->ro_cache
					: kv->ro,
			key, klen, &vlen, &err);
	rc = kv_errno(err);
	if (rc)
		return rc;
	if (!v)
		return -ENOENT;
	if (vlen > INT32_MAX) {
		rocksdb_free(v);
		return -EFBIG;
	}
	if (val) {
		/* Copied so callers free() without knowing RocksDB's allocator. */
		*val = malloc(vlen ? vlen : 1);
		if (!*val) {
			rocksdb_free(v);
			return -ENOMEM;
		}
		memcpy(*val, v, vlen);
	}
	rocksdb_free(v);
	return (int)vlen;
}

int kv_write(struct kv *kv, struct kv_batch *b, bool sync)
{
	char *err = NULL;

	rocksdb_write(kv->db, sync ? kv->wo_sync : kv->wo_nosync, b->wb, &err);
	return kv_errno(err);
}

int kv_put_sync(struct kv *kv, const void *key, size_t klen, const void *val, size_t vlen)
{
	char *err = NULL;

	rocksdb_put(kv->db, kv->wo_sync, key, klen, val, vlen, &err);
	return kv_errno(err);
}

int kv_sync_wal(struct kv *kv)
{
	char *err = NULL;

	rocksdb_flush_wal(kv->db, 1, &err);
	return kv_errno(err);
}

int kv_batch_new(struct kv_batch **out)
{
	struct kv_batch *b = malloc(sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->wb = rocksdb_writebatch_create();
	*out = b;
	return 0;
}

void kv_batch_free(struct kv_batch *b)
{
	if (!b)
		return;
	rocksdb_writebatch_destroy(b->wb);
	free(b);
}

void kv_batch_put(struct kv_batch *b, const void *key, size_t klen, const void *val, size_t vlen)
{
	rocksdb_writebatch_put(b->wb, key, klen, val, vlen);
}

void kv_batch_del(struct kv_batch *b, const void *key, size_t klen)
{
	rocksdb_writebatch_delete(b->wb, key, klen);
}

int kv_batch_count(struct kv_batch *b)
{
	return rocksdb_writebatch_count(b->wb);
}

void kv_batch_savepoint(struct kv_batch *b)
{
	rocksdb_writebatch_set_save_point(b->wb);
}

int kv_batch_rollback(struct kv_batch *b)
{
	char *err = NULL;

	rocksdb_writebatch_rollback_to_save_point(b->wb, &err);
	return kv_errno(err);
}

void kv_batch_pop(struct kv_batch *b)
{
	char *err = NULL;

	/* Fails only without a savepoint, which callers never do. */
	rocksdb_writebatch_pop_save_point(b->wb, &err);
	kv_errno(err);
}

int kv_iter_new(struct kv *kv, struct kv_snap *snap, const void *lo, size_t lolen, const void *hi,
		size_t hilen, struct kv_iter **out)
{
	struct kv_iter *it = calloc(1, sizeof(*it));

	if (!it)
		return -ENOMEM;
	it->lo = malloc(lolen ? lolen : 1);
	it->hi = hi ? malloc(hilen ? hilen : 1) : NULL;
	if (!it->lo || (hi && !it->hi)) {
		free(it->lo);
		free(it->hi);
		free(it);
		return -ENOMEM;
	}
	memcpy(it->lo, lo, lolen);
	it->lolen = lolen;
	it->ro = rocksdb_readoptions_create();
	if (snap)
		rocksdb_readoptions_set_snapshot(it->ro, snap->snap);
	rocksdb_readoptions_set_read_tier(it->ro, read_tier());
	rocksdb_readoptions_set_iterate_lower_bound(it->ro, it->lo, lolen);
	if (hi) {
		memcpy(it->hi, hi, hilen);
		rocksdb_readoptions_set_iterate_upper_bound(it->ro, it->hi, hilen);
	}
	it->it = rocksdb_create_iterator(kv->db, it->ro);
	rocksdb_iter_seek(it->it, it->lo, lolen);
	*out = it;
	return 0;
}

void kv_iter_free(struct kv_iter *it)
{
	if (!it)
		return;
	rocksdb_iter_destroy(it->it);
	rocksdb_readoptions_destroy(it->ro);
	free(it->lo);
	free(it->hi);
	free(it);
}

void kv_iter_seek(struct kv_iter *it, const void *key, size_t klen)
{
	rocksdb_iter_seek(it->it, key, klen);
}

bool kv_iter_valid(struct kv_iter *it)
{
	return rocksdb_iter_valid(it->it);
}

void kv_iter_next(struct kv_iter *it)
{
	rocksdb_iter_next(it->it);
}

const uint8_t *kv_iter_key(struct kv_iter *it, size_t *klen)
{
	return (const uint8_t *)rocksdb_iter_key(it->it, klen);
}

const uint8_t *kv_iter_val(struct kv_iter *it, size_t *vlen)
{
	return (const uint8_t *)rocksdb_iter_value(it->it, vlen);
}

int kv_iter_status(struct kv_iter *it)
{
	char *err = NULL;

	rocksdb_iter_get_error(it->it, &err);
	return kv_errno(err);
}
