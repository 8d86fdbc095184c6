/* SPDX-License-Identifier: Apache-2.0 */
#include "opentab.h"

#include <errno.h>
#include <stdlib.h>

struct open_ent {
	struct proto_fid fid;
	uint32_t count;	       /* table mu */
	struct open_ent *next; /* table mu */
};

static size_t bucket_of(const struct proto_fid *f)
{
	return (size_t)(proto_fid_hash(f) % OPEN_BUCKETS);
}

void open_table_init(struct open_table *t)
{
	pthread_mutex_init(&t->mu, NULL);
	for (size_t i = 0; i < OPEN_BUCKETS; i++)
		t->bucket[i] = NULL;
}

void open_table_destroy(struct open_table *t)
{
	for (size_t i = 0; i < OPEN_BUCKETS; i++) {
		struct open_ent *e = t->bucket[i], *n;

		for (; e; e = n) {
			n = e->next;
			free(e);
		}
		t->bucket[i] = NULL;
	}
	pthread_mutex_destroy(&t->mu);
}

uint32_t open_table_count(struct open_table *t, const struct proto_fid *fid)
{
	uint32_t n = 0;

	pthread_mutex_lock(&t->mu);
	for (struct open_ent *e = t->bucket[bucket_of(fid)]; e; e = e->next)
		if (proto_fid_eq(&e->fid, fid)) {
			n = e->count;
			break;
		}
	pthread_mutex_unlock(&t->mu);
	return n;
}

int open_table_adjust(struct open_table *t, const struct proto_fid *fid, int delta)
{
	size_t b = bucket_of(fid);
	struct open_ent **pp, *e;
	int rc = 0;

	pthread_mutex_lock(&t->mu);
	for (pp = &t->bucket[b]; (e = *pp) != NULL; pp = &e->next)
		if (proto_fid_eq(&e->fid, fid))
			break;
	if (!e) {
		if (delta <= 0)
			goto out;
		e = calloc(1, sizeof(*e));
		if (!e) {
			rc = -ENOMEM;
			goto out;
		}
		e->fid = *fid;
		e->next = t->bucket[b];
		t->bucket[b] = e;
		pp = &t->bucket[b];
	}
	if (delta < 0 && (uint32_t)-delta >= e->count) {
		*pp = e->next;
		free(e);
		goto out;
	}
	e->count = (uint32_t)((int64_t)e->count + delta);
out:
	pthread_mutex_unlock(&t->mu);
	return rc;
}
