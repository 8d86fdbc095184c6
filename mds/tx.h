/* SPDX-License-Identifier: Apache-2.0 */
/* The transaction object (private to mds/). */
#ifndef STRIA_MDS_TX_H
#define STRIA_MDS_TX_H

#include <stdbool.h>

#include "mds.h"

#include "db.h"
#include "proto/msg_mds.h"

#define TX_MAX_LOCKS 8
#define TX_MAX_HOOKS 4
#define TX_MAX_OPENS 2

struct tx_open_delta {
	struct proto_fid fid;
	int delta;
};

/* Distinct OSTs whose queued objects a transaction tracks (then: all). */
#define TX_DQ_MAX 8

/* A transaction belongs to one thread at a time: no field is shared. */
struct mds_tx {
	struct mds_db *db;
	struct proto_creds creds;
	uint64_t owner; /* mds_tx_set_owner(); 0: the MDS itself */
	struct kv_batch *b;
	struct proto_time now; /* the timestamp of every change in this tx */
	struct proto_fid locks[TX_MAX_LOCKS];
	size_t nlocks;
	bool rename_locked;
	/* Effects on memory, made at apply time while the locks are held. */
	int64_t inode_delta;
	int64_t zombie_delta; /* files kept for the unlink grace */
	int64_t zombie_since; /* the oldest orphan stamp among them before now (0: none) */
	/*
	 * Objects queued for destruction (a failed op's too): per OST, the
	 * lowest object id queued; dq_all: on too many OSTs to list.
	 */
	struct {
		uint32_t ost_idx;
		uint64_t objid;
	} dq[TX_DQ_MAX];
	uint32_t ndq;
	bool dq_all;
	struct tx_open_delta opens[TX_MAX_OPENS];
	size_t nopens;
	/* The directories staged, as staged last (the replies' post-op attributes). */
	struct proto_mds_dirs dirs;
	/* Saved at tx_op_begin() to undo a failed operation. */
	int64_t op_inode_delta;
	int64_t op_zombie_delta;
	size_t op_nopens;
	uint32_t op_ndirs;
	struct {
		mds_apply_hook_fn fn;
		void *arg;
	} hooks[TX_MAX_HOOKS];
	size_t nhooks;
};

/*
 * Locks @fids (n <= TX_MAX_LOCKS; sorted and deduplicated in place), after the
 * rename lock if @rename.  A transaction locks once: -EBUSY if it already
 * holds locks.  Returns 0 or -errno (then it holds nothing).
 */
int tx_lock(struct mds_tx *tx, struct proto_fid *fids, size_t n, bool rename);
/* Releases every lock (an operation retrying after a lost race). */
void tx_unlock(struct mds_tx *tx);

/* Brackets one operation: a failed one is rolled back out of the batch. */
void tx_op_begin(struct mds_tx *tx);
int tx_op_end(struct mds_tx *tx, int rc);

/* Notes directory @a as staged by this transaction (inode_stage). */
void tx_note_dir(struct mds_tx *tx, const struct proto_attr *a);

/* Records an open-table change to make when the batch is applied. */
int tx_open_delta(struct mds_tx *tx, const struct proto_fid *fid, int delta);
/* The open count @fid will have once this tx is applied (caller holds its lock). */
uint32_t tx_open_count(struct mds_tx *tx, const struct proto_fid *fid);

/*
 * Queues object @objid of OST @ost_idx, which belonged to @parent, for
 * destruction in @tx's batch (destroy.c).
 */
void destroyq_add(struct mds_tx *tx, uint32_t ost_idx, uint64_t objid,
		  const struct proto_fid *parent);
/* At apply, once @tx's batch is visible: where the next destroy pass starts. */
void destroyq_applied(struct mds_tx *tx);

#endif
