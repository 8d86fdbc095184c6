/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MDS's side of its OSTs (private to mds/): one net_client per registered
 * OST, orphan cleanup on every (re)connection (after the recovery window,
 * when one is open, so that replayed creates get their objects back), a
 * pool of precreated object
 * ids refilled in the background, cached statfs, and object placement (the
 * core's alloc_objects hook).  The last id assigned per OST is persisted
 * under 'P' 'L' ost(be32) in the batch of the create that assigns it.
 */
#ifndef STRIA_MDS_OST_H
#define STRIA_MDS_OST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "mds.h"
#include "net/net.h"
#include "proto/proto.h"

/* Refill a pool that falls below LOW ids with batches of BATCH. */
#define OST_PRECREATE_LOW   64
#define OST_PRECREATE_BATCH 256
/* How long a create waits for an empty pool's refill before skipping the OST. */
#define OST_PRECREATE_WAIT_MS 1000
/* Cached OST statfs is refreshed when older than this. */
#define OST_STATFS_MAX_AGE_MS 1000
/* Free-space spread (percent of the emptiest) above which placement is weighted. */
#define OST_QOS_THRESHOLD_PCT 17
/* A request to an OST gives up after this long (destroy, punch). */
#define OST_CALL_GIVE_UP_MS 30000

struct mds_svc;
struct ost_set;

/* Creates the set and its client loop. */
int ost_set_new(struct mds_svc *svc, struct ost_set **out);
/* Disconnects every OST and frees the set. */
void ost_set_free(struct ost_set *set);

/* Loads the persisted last assigned ids (at start-up, before any OST is added). */
int ost_set_load(struct ost_set *set, struct mds_db *db);

/*
 * Adds OST @t (a registered target) or updates its address: a changed NID
 * list or port replaces the connection.  Returns 0 or -errno.
 */
int ost_set_update(struct ost_set *set, const struct proto_mgs_tgt *t);

/* True if OST @index has a working connection and finished orphan cleanup. */
bool ost_set_active(struct ost_set *set, uint32_t index);

/* Sum of the active OSTs' cached statfs (bsize 4096) and the counts. */
void ost_set_statfs(struct ost_set *set, struct proto_statfs *sum, uint32_t *nactive);

/* Housekeeping: refresh stale statfs, retry failed orphan cleanups. */
void ost_set_tick(struct ost_set *set);

/*
 * Sends @req to OST @index and waits for the reply (not on the client loop;
 * gives up after OST_CALL_GIVE_UP_MS).  Returns the reply status, -ENODEV
 * for an unknown OST, -ENOTCONN if @need_active and the OST is not active.
 * The caller still owns @req (reads the reply, frees it).
 */
int ost_set_call(struct ost_set *set, uint32_t index, struct net_req *req, bool need_active);

/* The core's alloc_objects hook (arg: the ost_set). */
int ost_alloc_objects(void *arg, struct mds_tx *tx, const struct proto_fid *fid,
		      struct proto_layout *layout);
/*
 * The core's claim_objects hook: a replayed create's objects count as
 * assigned again (persisted with its batch), so orphan cleanup keeps them
 * and the pool never hands them out.  -EINVAL for an OST not registered.
 */
int ost_claim_objects(void *arg, struct mds_tx *tx, const struct proto_fid *fid,
		      const struct proto_layout *l);

#endif
