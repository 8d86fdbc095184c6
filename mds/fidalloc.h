/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FID allocation.  Sequences start at PROTO_FID_SEQ_NORMAL; oids run
 * 1..PROTO_FID_OID_MAX within a sequence, then the next sequence starts (what
 * proto_fid_to_ino() relies on).  FIDs are reserved in ranges: before the
 * first FID of a range is handed out, the end of the range (the "high-water
 * mark": the first FID not reserved) is written with a synced put of its own,
 * so no FID is ever handed out twice, even if the transactions using it are
 * applied in another order or lost in a crash.  After a restart allocation
 * continues at the high-water mark (the rest of the last range is skipped).
 */
#ifndef STRIA_MDS_FIDALLOC_H
#define STRIA_MDS_FIDALLOC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto/fid.h"

struct kv;
struct kv_batch;

struct fid_alloc {
	pthread_mutex_t mu;
	struct proto_fid next; /* mu: the next FID to hand out */
	struct proto_fid lim;  /* mu: the persisted high-water mark */
	uint32_t range;	       /* set at init */
};

/* The FID after @f in allocation order. */
void fid_step(struct proto_fid *f);

/* Encodes a high-water-mark record into @buf (FIDHWM_LEN bytes). */
#define FIDHWM_LEN 13
void fidhwm_encode(const struct proto_fid *f, uint8_t buf[FIDHWM_LEN]);

/* Stages the initial high-water mark of a new database. */
void fid_alloc_format(struct kv_batch *b);

/* Loads the high-water mark.  Returns 0, -ENOENT (unformatted) or -errno. */
int fid_alloc_init(struct fid_alloc *fa, struct kv *kv, uint32_t range);
void fid_alloc_destroy(struct fid_alloc *fa);

/* Hands out a FID never handed out before.  Returns 0 or -errno (the synced
 * write of a new range failed). */
int fid_alloc(struct fid_alloc *fa, struct kv *kv, struct proto_fid *out);

/*
 * True if @f is a FID this database may have handed out (below the next one
 * to hand out), so a replayed create may take it without ever meeting a
 * later allocation.
 */
bool fid_alloc_issued(struct fid_alloc *fa, const struct proto_fid *f);

#endif
