/* SPDX-License-Identifier: Apache-2.0 */
#include "lock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

struct lock_ent {
	struct proto_fid fid;
	bool held;	       /* table mu */
	unsigned waiters;      /* table mu */
	pthread_cond_t cv;     /* signalled on release, with table mu */
	struct lock_ent *next; /* table mu */
};

static size_t bucket_of(const struct proto_fid *f)
{
	return (size_t)(proto_fid_hash(f) % LOCK_BUCKETS);
}

int lock_table_init(struct lock_table *t)
{
	for (size_t i = 0; i < LOCK_BUCKETS; i++)
		t->bucket[i] = NULL;
	pthread_mutex_init(&t->mu, NULL);
	pthread_mutex_init(&t->rename_mu, NULL);
	return 0;
}

void lock_table_destroy(struct lock_table *t)
{
	pthread_mutex_destroy(&t->rename_mu);
	pthread_mutex_destroy(&t->mu);
}

static int fid_qcmp(const void *a, const void *b)
{
	return proto_fid_cmp(a, b);
}

size_t lock_sort(struct proto_fid *fids, size_t n)
{
	size_t out = 0;

	qsort(fids, n, sizeof(*fids), fid_qcmp);
	for (size_t i = 0; i < n; i++) {
		if (proto_fid_is_zero(&fids[i]))
			continue;
		if (out > 0 && proto_fid_eq(&fids[out - 1], &fids[i]))
			continue;
		fids[out++] = fids[i];
	}
	return out;
}

static struct lock_ent *find(struct lock_table *t, const struct proto_fid *fid, size_t b)
{
	for (struct lock_ent *e = t->bucket[b]; e; e = e->next)
		if (proto_fid_eq(&e->fid, fid))
			return e;
	return NULL;
}

int lock_fid(struct lock_table *t, const struct proto_fid *fid)
{
	size_t b = bucket_of(fid);
	struct lock_ent *e;
	int rc = 0;

	pthread_mutex_lock(&t->mu);
	e = find(t, fid, b);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e) {
			rc = -ENOMEM;
			goto out;
		}
		e->fid = *fid;
		pthread_cond_init(&e->cv, NULL);
		e->next = t->bucket[b];
		t->bucket[b] = e;
	}
	e->waiters++;
	while (e->held)
		pthread_cond_wait(&e->cv, &t->mu);
	e->waiters--;
	e->held = true;
out:
	pthread_mutex_unlock(&t->mu);
	return rc;
}

void lock_unfid(struct lock_table *t, const struct proto_fid *fid)
{
	size_t b = bucket_of(fid);
	struct lock_ent **pp, *e;

	pthread_mutex_lock(&t->mu);
	for (pp = &t->bucket[b]; (e = *pp) != NULL; pp = &e->next)
		if (proto_fid_eq(&e->fid, fid))
			break;
	if (!e)
		goto out;
	e->held = false;
	if (e->waiters) {
		pthread_cond_signal(&e->cv);
		goto out;
	}
	*pp = e->next;
	pthread_cond_destroy(&e->cv);
	free(e);
out:
	pthread_mutex_unlock(&t->mu);
}
