/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Group commit.  Batches are applied without a WAL sync; each gets a ticket
 * (in application order) once RocksDB has accepted it.  A waiter whose ticket
 * is not yet durable either waits for the sync in progress or becomes the
 * leader: it reads the highest ticket handed out, syncs the WAL once, and
 * marks every ticket up to that one durable.  Everything applied before the
 * sync started is covered by it, so N concurrent creates share one sync.
 *
 * Gathering: replies reach N clients at slightly different times, so their
 * next requests arrive spread out, and a leader that syncs at once covers
 * only the first of them while the rest wait for the following sync (two
 * syncs where one would do).  So a leader first waits, up to the window and
 * never longer than half the recent sync time, until as many batches are
 * pending as the previous sync covered.  A lone writer (the previous sync
 * covered one batch) never waits; the window bounds the added latency.
 */
#ifndef STRIA_MDS_COMMIT_H
#define STRIA_MDS_COMMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct kv;

struct gcommit {
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* broadcast when durable or err changes (mu) */
	pthread_cond_t fill_cv; /* signalled by gc_ticket while a leader gathers */
	uint64_t applied;	/* mu: last ticket handed out */
	uint64_t durable;	/* mu: every ticket <= durable is on stable storage */
	bool syncing;		/* mu: a leader is syncing (or gathering) */
	bool gathering;		/* mu: the leader waits on fill_cv */
	uint64_t nsyncs;	/* mu: WAL syncs done */
	uint64_t last_group;	/* mu: tickets the last sync made durable */
	uint32_t sync_us;	/* mu: moving average of a WAL sync's duration */
	int err;		/* mu: sticky -errno of a failed sync */
	bool frozen;		/* mu: gc_freeze(): no sync starts any more */
	uint32_t window_us;	/* set at init: the longest a leader gathers; 0: never */
};

/* The default gathering bound (stria-mds --commit-window). */
#define GC_WINDOW_DEFAULT_US 2000

void gc_init(struct gcommit *gc, uint32_t window_us);
void gc_destroy(struct gcommit *gc);

/* Hands out the next ticket.  Call only after the batch was written, in
 * application order (under the apply mutex). */
uint64_t gc_ticket(struct gcommit *gc);

/* Waits until @ticket is durable, leading a WAL sync of @kv if nobody is.
 * Returns 0 or the sticky -errno of a failed sync. */
int gc_wait(struct gcommit *gc, struct kv *kv, uint64_t ticket);

uint64_t gc_syncs(struct gcommit *gc);
uint64_t gc_applied(struct gcommit *gc);
/* Failure injection: no WAL sync starts from now on (waiters block). */
void gc_freeze(struct gcommit *gc);

/* Every ticket up to this one is durable. */
uint64_t gc_durable(struct gcommit *gc);

#endif
