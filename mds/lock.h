/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FID locks and the rename lock.
 *
 * Exclusive per-FID locks, held by a transaction from its operation until its
 * batch is applied.  Lock order (docs/mds-schema.md): the rename lock, then
 * FID locks in ascending proto_fid_cmp order, then leaf mutexes (FID
 * allocator, open table, apply mutex, group commit).  A transaction takes all
 * its FID locks in one call, so the order holds by construction.
 */
#ifndef STRIA_MDS_LOCK_H
#define STRIA_MDS_LOCK_H

#include <pthread.h>
#include <stddef.h>

#include "proto/fid.h"

#define LOCK_BUCKETS 1024

struct lock_ent;

struct lock_table {
	pthread_mutex_t mu;		       /* protects bucket[] and every lock_ent */
	struct lock_ent *bucket[LOCK_BUCKETS]; /* mu */
	pthread_mutex_t rename_mu;	       /* the filesystem-wide rename lock */
};

int lock_table_init(struct lock_table *t);
/* All locks must be released. */
void lock_table_destroy(struct lock_table *t);

/*
 * Sorts @fids (n entries) in FID order, drops duplicates and zero FIDs in
 * place, and returns the new count.
 */
size_t lock_sort(struct proto_fid *fids, size_t n);

/* Blocks until @fid is locked by the caller.  Returns 0 or -ENOMEM. */
int lock_fid(struct lock_table *t, const struct proto_fid *fid);
/* Releases a lock taken with lock_fid(). */
void lock_unfid(struct lock_table *t, const struct proto_fid *fid);

#endif
