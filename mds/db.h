/* SPDX-License-Identifier: Apache-2.0 */
/* The database handle (private to mds/). */
#ifndef STRIA_MDS_DB_H
#define STRIA_MDS_DB_H

#include <pthread.h>
#include <stdatomic.h>

#include "mds.h"

#include "commit.h"
#include "fidalloc.h"
#include "kv.h"
#include "lock.h"
#include "opentab.h"

#define MDS_FORMAT_VERSION 1

struct mds_db {
	struct kv *kv;
	char *path;
	struct mds_db_opts opts; /* set at open, read-only after */
	struct lock_table locks;
	struct gcommit gc;
	struct fid_alloc fids;
	struct open_table opens;
	/* Serialises apply hooks, the batch write and the ticket, so tickets
	 * and hooks follow application order. */
	pthread_mutex_t apply_mu;
	/*
	 * Who applied what (apply_mu): the owner of the latest transactions
	 * (mds_tx_set_owner; 0: the MDS itself), the ticket of its latest, and
	 * the highest ticket of anyone else.  mds_db_foreign_ticket() reads it.
	 */
	uint64_t last_owner, last_owner_ticket, other_ticket;
	_Atomic int64_t ninodes; /* atomic: inodes in the database */
	_Atomic int64_t zombies; /* atomic: kept after unlink, not yet expired (>= 0 hint) */
	/*
	 * Atomic: no kept file expires before this second (db_now), so the
	 * expiry pass does not scan before it; INT64_MIN: unknown, scan.
	 */
	_Atomic int64_t zombie_due;
	_Atomic uint64_t destroy_adds; /* atomic: batches applied that queued destroys */
	/*
	 * Where the destroy pass starts on each OST (mds_destroyq_resume):
	 * every queued object of OST i has an id >= dq_from[i] (UINT64_MAX:
	 * none; beyond dq_n: none), or is in a batch being applied that will
	 * lower it.  dq_all: not known, scan the whole queue (at start-up).
	 */
	pthread_mutex_t dq_mu;
	bool dq_all;	   /* dq_mu */
	uint64_t *dq_from; /* dq_mu */
	uint32_t dq_n;	   /* dq_mu */
};

/* The current time, as timestamps record it. */
struct proto_time db_now(void);

#endif
