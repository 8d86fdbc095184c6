/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Group commit.  Batches are applied without a WAL sync; each gets a ticket
 * (in application order) once RocksDB has accepted it.  A waiter whose ticket
 * is not yet durable either waits for the sync in progress or becomes the
 * leader: it reads the highest ticket handed out, syncs the WAL once, and
 * marks every ticket up to that one durable.  Everything applied before the
 * sync started is covered by it, so N concurrent creates share one sync.
 */
#ifndef STRIA_MDS_COMMIT_H
#define STRIA_MDS_COMMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct kv;

struct gcommit {
	pthread_mutex_t mu;
	pthread_cond_t cv;  /* broadcast when durable or err changes (mu) */
	uint64_t applied;   /* mu: last ticket handed out */
	uint64_t durable;   /* mu: every ticket <= durable is on stable storage */
	bool syncing;	    /* mu: a leader is syncing */
	uint64_t nsyncs;    /* mu: WAL syncs done */
	int err;	    /* mu: sticky -errno of a failed sync */
	uint32_t window_us; /* set at init: leader's gathering delay */
};

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

#endif
