/* SPDX-License-Identifier: Apache-2.0 */
#include "commit.h"

#include <time.h>

#include "kv.h"

void gc_init(struct gcommit *gc, uint32_t window_us)
{
	pthread_mutex_init(&gc->mu, NULL);
	pthread_cond_init(&gc->cv, NULL);
	gc->applied = 0;
	gc->durable = 0;
	gc->syncing = false;
	gc->nsyncs = 0;
	gc->err = 0;
	gc->window_us = window_us;
}

void gc_destroy(struct gcommit *gc)
{
	pthread_cond_destroy(&gc->cv);
	pthread_mutex_destroy(&gc->mu);
}

uint64_t gc_ticket(struct gcommit *gc)
{
	uint64_t t;

	pthread_mutex_lock(&gc->mu);
	t = ++gc->applied;
	pthread_mutex_unlock(&gc->mu);
	return t;
}

int gc_wait(struct gcommit *gc, struct kv *kv, uint64_t ticket)
{
	uint64_t target;
	int rc;

	pthread_mutex_lock(&gc->mu);
	while (gc->durable < ticket && !gc->err) {
		if (gc->syncing) {
			pthread_cond_wait(&gc->cv, &gc->mu);
			continue;
		}
		gc->syncing = true;
		if (gc->window_us) {
			struct timespec ts = {.tv_sec = gc->window_us / 1000000,
					      .tv_nsec = (long)(gc->window_us % 1000000) * 1000};

			pthread_mutex_unlock(&gc->mu);
			nanosleep(&ts, NULL);
			pthread_mutex_lock(&gc->mu);
		}
		/*
		 * Every ticket <= applied belongs to a batch whose write returned
		 * before the ticket was handed out, so it is in the WAL the sync
		 * below covers.
		 */
		target = gc->applied;
		pthread_mutex_unlock(&gc->mu);
		rc = kv_sync_wal(kv);
		pthread_mutex_lock(&gc->mu);
		gc->syncing = false;
		gc->nsyncs++;
		if (rc)
			gc->err = rc;
		else if (target > gc->durable)
			gc->durable = target;
		pthread_cond_broadcast(&gc->cv);
	}
	rc = gc->durable >= ticket ? 0 : gc->err;
	pthread_mutex_unlock(&gc->mu);
	return rc;
}

uint64_t gc_syncs(struct gcommit *gc)
{
	uint64_t n;

	pthread_mutex_lock(&gc->mu);
	n = gc->nsyncs;
	pthread_mutex_unlock(&gc->mu);
	return n;
}

uint64_t gc_applied(struct gcommit *gc)
{
	uint64_t n;

	pthread_mutex_lock(&gc->mu);
	n = gc->applied;
	pthread_mutex_unlock(&gc->mu);
	return n;
}
