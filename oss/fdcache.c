/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "fdcache.h"

enum ent_state {
	ENT_OPENING, /* in the table, first fd being opened by one thread */
	ENT_OPEN,    /* in the table, at least one fd open */
	ENT_DEAD,    /* out of the table (destroyed, evicted or open failed) */
};

struct oss_fdc_ent {
	uint64_t id;			 /* immutable */
	int fd;				 /* c->lock; -1 = not open */
	int dfd;			 /* c->lock; O_DIRECT fd, -1 = not open */
	int err;			 /* c->lock; why an OPENING entry died */
	unsigned refs;			 /* c->lock */
	enum ent_state state;		 /* c->lock */
	bool on_lru;			 /* c->lock */
	bool fid_known;			 /* atomic (__atomic builtins) */
	struct oss_fdc_ent *hnext;	 /* c->lock; hash chain, or eviction list */
	struct oss_fdc_ent *prev, *next; /* c->lock; LRU list */
};

struct oss_fdc {
	pthread_mutex_t lock;
	pthread_cond_t settled;	      /* broadcast when an OPENING entry settles */
	size_t cap;		      /* immutable */
	size_t nbuckets;	      /* immutable, a power of two */
	oss_fdc_open_fn open;	      /* immutable */
	void *ctx;		      /* immutable */
	size_t nfds;		      /* lock; fds held by all entries, dead ones included */
	struct oss_fdc_ent **buckets; /* lock */
	struct oss_fdc_ent lru;	      /* lock; sentinel: next = least recently used */
};

static size_t bucket_of(const struct oss_fdc *c, uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & (c->nbuckets - 1);
}

static struct oss_fdc_ent *lookup(struct oss_fdc *c, uint64_t id)
{
	struct oss_fdc_ent *e = c->buckets[bucket_of(c, id)];

	while (e && e->id != id)
		e = e->hnext;
	return e;
}

static void unhash(struct oss_fdc *c, struct oss_fdc_ent *e)
{
	struct oss_fdc_ent **pp = &c->buckets[bucket_of(c, e->id)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	e->hnext = NULL;
}

static void lru_del(struct oss_fdc_ent *e)
{
	if (!e->on_lru)
		return;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->on_lru = false;
}

static void lru_add_tail(struct oss_fdc *c, struct oss_fdc_ent *e)
{
	e->prev = c->lru.prev;
	e->next = &c->lru;
	c->lru.prev->next = e;
	c->lru.prev = e;
	e->on_lru = true;
}

static unsigned ent_nfds(const struct oss_fdc_ent *e)
{
	return (e->fd >= 0) + (e->dfd >= 0);
}

/* Closes and frees a list of entries linked through hnext (outside the lock). */
static void free_list(struct oss_fdc_ent *list)
{
	while (list) {
		struct oss_fdc_ent *e = list;

		list = e->hnext;
		if (e->fd >= 0)
			close(e->fd);
		if (e->dfd >= 0)
			close(e->dfd);
		free(e);
	}
}

/* Takes @e out of the accounting and onto @list; the caller frees it unlocked. */
static void retire_locked(struct oss_fdc *c, struct oss_fdc_ent *e, struct oss_fdc_ent **list)
{
	c->nfds -= ent_nfds(e);
	e->hnext = *list;
	*list = e;
}

/* Evicts idle entries, least recently used first, until nfds <= cap. */
static void evict_locked(struct oss_fdc *c, struct oss_fdc_ent **list)
{
	while (c->nfds > c->cap && c->lru.next != &c->lru) {
		struct oss_fdc_ent *e = c->lru.next;

		lru_del(e);
		unhash(c, e);
		e->state = ENT_DEAD;
		retire_locked(c, e, list);
	}
}

static void put_locked(struct oss_fdc *c, struct oss_fdc_ent *e, struct oss_fdc_ent **list)
{
	if (--e->refs > 0)
		return;
	if (e->state == ENT_DEAD) {
		retire_locked(c, e, list);
		return;
	}
	lru_add_tail(c, e);
	evict_locked(c, list);
}

int oss_fdc_create(size_t cap, oss_fdc_open_fn open, void *ctx, struct oss_fdc **out)
{
	struct oss_fdc *c;
	int rc = -EINVAL;

	if (cap < 1 || !open)
		goto out;
	rc = -ENOMEM;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto out;
	c->cap = cap;
	c->nbuckets = 64;
	while (c->nbuckets < 2 * cap)
		c->nbuckets *= 2;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets)
		goto free_c;
	c->open = open;
	c->ctx = ctx;
	c->lru.next = c->lru.prev = &c->lru;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->settled, NULL);
	*out = c;
	rc = 0;
	goto out;
free_c:
	free(c);
out:
	return rc;
}

void oss_fdc_destroy(struct oss_fdc *c)
{
	struct oss_fdc_ent *list = NULL;

	if (!c)
		return;
	for (size_t b = 0; b < c->nbuckets; b++) {
		while (c->buckets[b]) {
			struct oss_fdc_ent *e = c->buckets[b];

			c->buckets[b] = e->hnext;
			retire_locked(c, e, &list);
		}
	}
	free_list(list);
	pthread_cond_destroy(&c->settled);
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}

/* First open of an entry this thread inserted as OPENING (lock held on entry and exit). */
static int first_open_locked(struct oss_fdc *c, struct oss_fdc_ent *e, bool direct,
			     struct oss_fdc_ent **list)
{
	int fd, rc;

	pthread_mutex_unlock(&c->lock);
	fd = c->open(c->ctx, e->id, direct);
	pthread_mutex_lock(&c->lock);
	rc = fd < 0 ? fd : 0;
	if (fd >= 0 && e->state == ENT_DEAD) {
		/* destroyed while we opened it: the object is gone */
		close(fd);
		rc = -ENOENT;
	}
	if (rc < 0) {
		if (e->state != ENT_DEAD) {
			unhash(c, e);
			e->state = ENT_DEAD;
		}
		e->err = rc;
		put_locked(c, e, list);
		goto out;
	}
	if (direct)
		e->dfd = fd;
	else
		e->fd = fd;
	c->nfds++;
	e->state = ENT_OPEN;
	evict_locked(c, list);
out:
	pthread_cond_broadcast(&c->settled);
	return rc;
}

/* Opens the other kind of fd of an OPEN entry we hold a reference on (lock held). */
static int second_open_locked(struct oss_fdc *c, struct oss_fdc_ent *e, bool direct,
			      struct oss_fdc_ent **list)
{
	int fd, rc = 0;
	int *slot = direct ? &e->dfd : &e->fd;

	pthread_mutex_unlock(&c->lock);
	fd = c->open(c->ctx, e->id, direct);
	pthread_mutex_lock(&c->lock);
	if (fd < 0) {
		rc = fd;
		goto drop;
	}
	if (e->state == ENT_DEAD) {
		close(fd);
		rc = -ENOENT;
		goto drop;
	}
	if (*slot >= 0) {
		close(fd); /* another thread won the race */
	} else {
		*slot = fd;
		c->nfds++;
		evict_locked(c, list);
	}
	goto out;
drop:
	put_locked(c, e, list);
out:
	return rc;
}

int oss_fdc_get(struct oss_fdc *c, uint64_t id, bool direct, struct oss_fdc_ent **ent, int *fd)
{
	struct oss_fdc_ent *e, *list = NULL;
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	e = lookup(c, id);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e) {
			rc = -ENOMEM;
			goto unlock;
		}
		e->id = id;
		e->fd = e->dfd = -1;
		e->refs = 1;
		e->state = ENT_OPENING;
		e->hnext = c->buckets[bucket_of(c, id)];
		c->buckets[bucket_of(c, id)] = e;
		rc = first_open_locked(c, e, direct, &list);
		if (rc < 0)
			goto unlock;
		goto found;
	}
	e->refs++;
	lru_del(e);
	while (e->state == ENT_OPENING)
		pthread_cond_wait(&c->settled, &c->lock);
	if (e->state == ENT_DEAD) {
		rc = e->err ? e->err : -ENOENT;
		put_locked(c, e, &list);
		goto unlock;
	}
	if ((direct ? e->dfd : e->fd) < 0) {
		rc = second_open_locked(c, e, direct, &list);
		if (rc < 0)
			goto unlock;
	}
found:
	*ent = e;
	*fd = direct ? e->dfd : e->fd;
unlock:
	pthread_mutex_unlock(&c->lock);
	free_list(list);
	return rc;
}

void oss_fdc_put(struct oss_fdc *c, struct oss_fdc_ent *e)
{
	struct oss_fdc_ent *list = NULL;

	pthread_mutex_lock(&c->lock);
	put_locked(c, e, &list);
	pthread_mutex_unlock(&c->lock);
	free_list(list);
}

void oss_fdc_forget(struct oss_fdc *c, uint64_t id)
{
	struct oss_fdc_ent *e, *list = NULL;

	pthread_mutex_lock(&c->lock);
	e = lookup(c, id);
	if (!e)
		goto unlock;
	unhash(c, e);
	lru_del(e);
	/* an OPENING entry's opener sees DEAD and fails -ENOENT */
	e->state = ENT_DEAD;
	if (e->refs == 0)
		retire_locked(c, e, &list);
unlock:
	pthread_mutex_unlock(&c->lock);
	free_list(list);
}

size_t oss_fdc_nfds(struct oss_fdc *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->nfds;
	pthread_mutex_unlock(&c->lock);
	return n;
}

bool oss_fdc_fid_known(const struct oss_fdc_ent *e)
{
	return __atomic_load_n(&e->fid_known, __ATOMIC_ACQUIRE);
}

void oss_fdc_set_fid_known(struct oss_fdc_ent *e)
{
	__atomic_store_n(&e->fid_known, true, __ATOMIC_RELEASE);
}
