/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Slabs come from mmap (page-aligned, returned to the system when released)
 * and are cut into chunks of one class; a chunk's offset is a multiple of its
 * size, so every buffer is page-aligned.  Each class keeps a stack of free
 * chunks; each slab counts its free chunks so that a wholly idle slab can be
 * released when another class needs the room.
 */
#include "rdma_pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MIN_SHIFT 12 /* 4 KiB */
#define MAX_SHIFT 22 /* 4 MiB */
#define NCLASSES  (MAX_SHIFT - MIN_SHIFT + 1)

struct slab {
	void *base;
	size_t len;
	uint32_t cls;
	uint32_t nchunks;
	uint32_t nfree;
	void *mr;
	uint32_t lkey, rkey;
	struct slab *next;
};

struct chunk {
	void *addr;
	struct slab *slab;
};

struct pool_class {
	struct chunk *free; /* a stack */
	uint32_t nfree, cap;
};

struct net_rdma_pool {
	pthread_mutex_t lock;
	const struct net_rdma_reg_ops *ops;
	void *ctx;
	size_t limit, reserve;
	/* protected by lock */
	size_t registered, in_use;
	uint64_t regs, deregs;
	struct slab *slabs;
	struct pool_class cls[NCLASSES];
};

static uint32_t class_size(uint32_t c)
{
	return 1u << (MIN_SHIFT + c);
}

/* The class of @len, or -1 when it is 0 or over the largest. */
static int class_of(uint32_t len)
{
	if (len == 0 || len > NET_RDMA_POOL_MAX)
		return -1;
	for (int c = 0; c < NCLASSES; c++)
		if (len <= class_size((uint32_t)c))
			return c;
	return -1;
}

static size_t slab_len(uint32_t c)
{
	return class_size(c) > NET_RDMA_POOL_SLAB ? class_size(c) : NET_RDMA_POOL_SLAB;
}

int net_rdma_pool_new(const struct net_rdma_reg_ops *ops, void *ctx,
		      const struct net_rdma_pool_cfg *cfg, struct net_rdma_pool **out)
{
	struct net_rdma_pool *p;

	if (cfg->reserve > cfg->limit)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	p->ops = ops;
	p->ctx = ctx;
	p->limit = cfg->limit;
	p->reserve = cfg->reserve;
	*out = p;
	return 0;
}

static void slab_release(struct net_rdma_pool *p, struct slab *s)
{
	p->ops->dereg(p->ctx, s->mr);
	munmap(s->base, s->len);
	p->registered -= s->len;
	p->deregs++;
	free(s);
}

void net_rdma_pool_free(struct net_rdma_pool *p)
{
	if (!p)
		return;
	while (p->slabs) {
		struct slab *s = p->slabs;

		p->slabs = s->next;
		slab_release(p, s);
	}
	for (int c = 0; c < NCLASSES; c++)
		free(p->cls[c].free);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static int push_free(struct pool_class *pc, struct chunk ch)
{
	if (pc->nfree == pc->cap) {
		uint32_t cap = pc->cap ? pc->cap * 2 : 64;
		struct chunk *f = realloc(pc->free, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		pc->free = f;
		pc->cap = cap;
	}
	pc->free[pc->nfree++] = ch;
	return 0;
}

/* Releases wholly idle slabs of classes other than @keep until @need bytes fit the limit. */
static void reclaim(struct net_rdma_pool *p, uint32_t keep, size_t need)
{
	struct slab **sp = &p->slabs;

	while (*sp && p->registered + need > p->limit) {
		struct slab *s = *sp;
		struct pool_class *pc = &p->cls[s->cls];
		uint32_t k = 0;

		if (s->cls == keep || s->nfree != s->nchunks) {
			sp = &s->next;
			continue;
		}
		for (uint32_t i = 0; i < pc->nfree; i++)
			if (pc->free[i].slab != s)
				pc->free[k++] = pc->free[i];
		pc->nfree = k;
		*sp = s->next;
		slab_release(p, s);
	}
}

/* Registers one more slab for class @c and puts its chunks on the free stack. */
static int grow(struct net_rdma_pool *p, uint32_t c)
{
	size_t len = slab_len(c);
	struct pool_class *pc = &p->cls[c];
	struct slab *s;
	int err;

	if (p->registered + len > p->limit)
		reclaim(p, c, len);
	if (p->registered + len > p->limit)
		return -ENOBUFS;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->base == MAP_FAILED) {
		err = -ENOMEM;
		goto err_free;
	}
	s->len = len;
	s->cls = c;
	s->nchunks = (uint32_t)(len / class_size(c));
	err = p->ops->reg(p->ctx, s->base, len, &s->lkey, &s->rkey, &s->mr);
	if (err)
		goto err_unmap;
	/* Room for the whole slab on the stack first, so nothing below can fail. */
	while (pc->cap < pc->nfree + s->nchunks) {
		uint32_t cap = pc->cap ? pc->cap * 2 : 64;
		struct chunk *f = realloc(pc->free, cap * sizeof(*f));

		if (!f) {
			err = -ENOMEM;
			goto err_dereg;
		}
		pc->free = f;
		pc->cap = cap;
	}
	/* Highest address first on the stack, so the slab is handed out from its base. */
	for (uint32_t i = s->nchunks; i-- > 0;)
		(void)push_free(pc,
				(struct chunk){(uint8_t *)s->base + (size_t)i * class_size(c), s});
	s->nfree = s->nchunks;
	s->next = p->slabs;
	p->slabs = s;
	p->registered += len;
	p->regs++;
	return 0;

err_dereg:
	p->ops->dereg(p->ctx, s->mr);
err_unmap:
	munmap(s->base, len);
err_free:
	free(s);
	return err;
}

int net_rdma_pool_get(struct net_rdma_pool *p, uint32_t len, bool use_reserve,
		      struct net_rdma_buf *out)
{
	int c = class_of(len);
	size_t room;
	struct pool_class *pc;
	struct chunk ch;
	int err = 0;

	if (c < 0)
		return -EMSGSIZE;
	pc = &p->cls[c];
	pthread_mutex_lock(&p->lock);
	room = use_reserve ? p->limit : p->limit - p->reserve;
	if (p->in_use + class_size((uint32_t)c) > room) {
		err = -ENOBUFS;
		goto out;
	}
	if (pc->nfree == 0)
		err = grow(p, (uint32_t)c);
	if (err)
		goto out;
	ch = pc->free[--pc->nfree];
	ch.slab->nfree--;
	p->in_use += class_size((uint32_t)c);
	*out = (struct net_rdma_buf){.addr = ch.addr,
				     .len = class_size((uint32_t)c),
				     .lkey = ch.slab->lkey,
				     .rkey = ch.slab->rkey,
				     .slab = ch.slab};
out:
	pthread_mutex_unlock(&p->lock);
	return err;
}

void net_rdma_pool_put(struct net_rdma_pool *p, struct net_rdma_buf *b)
{
	struct slab *s = b->slab;

	if (!s)
		return;
	pthread_mutex_lock(&p->lock);
	/* The stack has room: it was sized for every chunk of every slab of the class. */
	(void)push_free(&p->cls[s->cls], (struct chunk){b->addr, s});
	s->nfree++;
	p->in_use -= class_size(s->cls);
	pthread_mutex_unlock(&p->lock);
	memset(b, 0, sizeof(*b));
}

void net_rdma_pool_stats(struct net_rdma_pool *p, struct net_rdma_pool_stats *out)
{
	pthread_mutex_lock(&p->lock);
	out->regs = p->regs;
	out->deregs = p->deregs;
	out->registered = p->registered;
	out->in_use = p->in_use;
	pthread_mutex_unlock(&p->lock);
}
