/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kv: the one boundary between the MDS and RocksDB.  Every RocksDB call lives
 * in kv.c, and only there is RocksDB's "char **errptr" turned into -errno.
 */
#ifndef STRIA_MDS_KV_H
#define STRIA_MDS_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv;
struct kv_batch;
struct kv_snap;
struct kv_iter;

/*
 * Opens the database in @path.  @create: create it if missing, failing with
 * -EEXIST if it exists.  Returns 0 and *@out, -ENOENT, -EBUSY (locked by
 * another process), or -errno.
 */
/*
 * @manual_wal_flush: WAL records stay in RocksDB's buffer until
 * kv_sync_wal() (or a synced write) flushes them, as after a power cut a
 * crash of the process loses what was not synced.
 */
int kv_open(const char *path, bool create, bool manual_wal_flush, struct kv **out);
/* Closes @kv (NULL: no-op); iterators and snapshots must be gone. */
void kv_close(struct kv *kv);

/*
 * Cache-only reads on the calling thread (@on) or normal ones: while on, a
 * read that would need the disk (a block not in RocksDB's block cache, a
 * table file not open) touches nothing and fails with -EWOULDBLOCK, so the
 * caller can hand the request to a thread that may block.  Reads from the
 * memtables and the block cache succeed as usual.  Applies to snapshots and
 * iterators created while it is on.
 */
void kv_cache_only(bool on);

/* A point-in-time view for reads; NULL snapshots mean "latest" everywhere. */
int kv_snap_new(struct kv *kv, struct kv_snap **out);
void kv_snap_free(struct kv_snap *s);

/*
 * Reads @key.  Returns the value length with a malloc'd copy in *@val (free()
 * it; @val may be NULL to test existence), -ENOENT, or -errno.
 */
int kv_get(struct kv *kv, struct kv_snap *snap, const void *key, size_t klen, void **val);

/* Applies @b atomically; @sync: wait for the WAL sync.  Returns 0 or -errno. */
int kv_write(struct kv *kv, struct kv_batch *b, bool sync);
/* One put, synced. */
int kv_put_sync(struct kv *kv, const void *key, size_t klen, const void *val, size_t vlen);
/* Syncs the WAL: everything applied before the call is durable after it. */
int kv_sync_wal(struct kv *kv);

/* Write batches.  Puts and deletes cannot fail (RocksDB copies). */
int kv_batch_new(struct kv_batch **out);
void kv_batch_free(struct kv_batch *b);
void kv_batch_put(struct kv_batch *b, const void *key, size_t klen, const void *val, size_t vlen);
void kv_batch_del(struct kv_batch *b, const void *key, size_t klen);
int kv_batch_count(struct kv_batch *b);
void kv_batch_savepoint(struct kv_batch *b);
/* Undoes everything since the last savepoint and drops it. */
int kv_batch_rollback(struct kv_batch *b);
/* Drops the last savepoint, keeping the staged records. */
void kv_batch_pop(struct kv_batch *b);

/*
 * Iterates the keys in [@lo, @hi) (@hi NULL: unbounded above).  The bounds are
 * copied.  Returns 0 and *@out, or -ENOMEM.
 */
int kv_iter_new(struct kv *kv, struct kv_snap *snap, const void *lo, size_t lolen, const void *hi,
		size_t hilen, struct kv_iter **out);
void kv_iter_free(struct kv_iter *it);
void kv_iter_seek(struct kv_iter *it, const void *key, size_t klen);
bool kv_iter_valid(struct kv_iter *it);
void kv_iter_next(struct kv_iter *it);
const uint8_t *kv_iter_key(struct kv_iter *it, size_t *klen);
const uint8_t *kv_iter_val(struct kv_iter *it, size_t *vlen);
/* 0, or the -errno that ended the iteration early. */
int kv_iter_status(struct kv_iter *it);

#endif
