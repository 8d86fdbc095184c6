/* SPDX-License-Identifier: Apache-2.0 */
#include "commit.h"

#include <time.h>

#include "kv.h"

void gc_init(struct gcommit *gc, uint32_t window_us)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&gc->mu, NULL);
	pthread_cond_init(&gc->cv, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&gc->fill_cv, &ca);
	pthread_condattr_destroy(&ca);
	gc->applied = 0;
	gc->durable = 0;
	gc->syncing = false;
	gc->gathering = false;
	gc->nsyncs = 0;
	gc->last_group = 0;
	gc->sync_us = 0;
	gc->err = 0;
	gc->frozen = false;
	gc->window_us = window_us;
}

void gc_destroy(struct gcommit *gc)
{
	pthread_cond_destroy(&gc->cv);
	pthread_cond_destroy(&gc->fill_cv);
	pthread_mutex_destroy(&gc->mu);
}

uint64_t gc_ticket(struct gcommit *gc)
{
	uint64_t t;

	pthread_mutex_lock(&gc->mu);
	t = ++gc->applied;
	if (gc->gathering)
		pthread_cond_signal(&gc->fill_cv);
	pthread_mutex_unlock(&gc->mu);
	return t;
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Leader, mu held: waits for the batches the last sync suggests are coming. */
static void gather(struct gcommit *gc)
{
	uint64_t limit = gc->sync_us / 2, deadline;
	struct timespec ts;

	if (!gc->window_us || gc->last_group <= 1 || gc->applied - gc->durable >= gc->last_group)
		return;
	if (limit > gc->window_us)
		limit = gc->window_us;
	deadline = mono_us() + limit;
	ts.tv_sec = (time_t)(deadline / 1000000);
	ts.tv_nsec = (long)(deadline % 1000000) * 1000;
	gc->gathering = true;
	while (gc->applied - gc->durable < gc->last_group && !gc->err)
		if (pthread_cond_timedwait(&gc->fill_cv, &gc->mu, &ts) != 0)
			break;
	gc->gathering = false;
}

int gc_wait(struct gcommit *gc, struct kv *kv, uint64_t ticket)
{
	uint64_t target, t0, dt;
	int rc;

	pthread_mutex_lock(&gc->mu);
	while (gc->durable < ticket && !gc->err) {
		if (gc->syncing || gc->frozen) {
			pthread_cond_wait(&gc->cv, &gc->mu);
			continue;
		}
		gc->syncing = true;
		gather(gc);
		/*
		 * Every ticket <= applied belongs to a batch whose write returned
		 * before the ticket was handed out, so it is in the WAL the sync
		 * below covers.
		 */
		target = gc->applied;
		pthread_mutex_unlock(&gc->mu);
		t0 = mono_us();
		rc = kv_sync_wal(kv);
		dt = mono_us() - t0;
		if (dt > 10000000)
			dt = 10000000; /* a stalled disk must not skew the average for long */
		pthread_mutex_lock(&gc->mu);
		gc->syncing = false;
		gc->nsyncs++;
		gc->sync_us = (uint32_t)(gc->sync_us ? (3 * (uint64_t)gc->sync_us + dt) / 4 : dt);
		if (rc) {
			gc->err = rc;
		} else if (target > gc->durable) {
			gc->last_group = target - gc->durable;
			gc->durable = target;
		}
		pthread_cond_broadcast(&gc->cv);
	}
	rc = gc->durable >= ticket ? 0 : gc->err;
	pthread_mutex_unlock(&gc->mu);
	return rc;
}

/* One counter, read under the mutex. */
static uint64_t read_counter(struct gcommit *gc, const uint64_t *v)
{
	uint64_t n;

	pthread_mutex_lock(&gc->mu);
	n = *v;
	pthread_mutex_unlock(&gc->mu);
	return n;
}

uint64_t gc_syncs(struct gcommit *gc)
{
	return read_counter(gc, &gc->nsyncs);
}

uint64_t gc_applied(struct gcommit *gc)
{
	return read_counter(gc, &gc->applied);
}

uint64_t gc_durable(struct gcommit *gc)
{
	return read_counter(gc, &gc->durable);
}

void gc_freeze(struct gcommit *gc)
{
	pthread_mutex_lock(&gc->mu);
	gc->frozen = true;
	pthread_mutex_unlock(&gc->mu);
}
