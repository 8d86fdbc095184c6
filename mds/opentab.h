/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The open table: open references per FID, in memory only (clients replay
 * their opens after a restart).  A count changes only when the transaction
 * that took or dropped the reference is applied, with the FID's lock held, so
 * a reader holding the FID lock sees a stable count.
 */
#ifndef STRIA_MDS_OPENTAB_H
#define STRIA_MDS_OPENTAB_H

#include <pthread.h>
#include <stdint.h>

#include "proto/fid.h"

#define OPEN_BUCKETS 1024

struct open_ent;

struct open_table {
	pthread_mutex_t mu;		       /* protects bucket[] and entries */
	struct open_ent *bucket[OPEN_BUCKETS]; /* mu */
};

void open_table_init(struct open_table *t);
/* Frees every entry. */
void open_table_destroy(struct open_table *t);
uint32_t open_table_count(struct open_table *t, const struct proto_fid *fid);
/* Adds @delta (the count never goes below 0).  Returns 0 or -ENOMEM. */
int open_table_adjust(struct open_table *t, const struct proto_fid *fid, int delta);

#endif
