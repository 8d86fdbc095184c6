/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bulk buffers: page-aligned (O_DIRECT-able) and recycled by power-of-two
 * size class, so that a stream of 1 MiB writes does not grow and trim the
 * heap (and fault its pages back in) on every request.  Each class keeps at
 * most CLASS_CACHE_BYTES of idle buffers; beyond that they are freed.
 */
#include <stdlib.h>
#include <pthread.h>

#include "net.h"

#define MIN_SHIFT	  16 /* 64 KiB */
#define MAX_SHIFT	  22 /* 4 MiB = PROTO_BULK_MAX */
#define NCLASSES	  (MAX_SHIFT - MIN_SHIFT + 1)
#define CLASS_CACHE_BYTES (64u << 20)
#define PAGE		  4096

struct bulk_class {
	pthread_mutex_t lock;
	void **free;	/* protected by lock */
	uint32_t nfree; /* protected by lock */
	uint32_t cap;
};

static struct bulk_class classes[NCLASSES];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_classes(void)
{
	for (int i = 0; i < NCLASSES; i++) {
		uint32_t size = 1u << (MIN_SHIFT + i);

		pthread_mutex_init(&classes[i].lock, NULL);
		classes[i].cap = CLASS_CACHE_BYTES / size;
		classes[i].free = calloc(classes[i].cap, sizeof(void *));
		if (!classes[i].free)
			classes[i].cap = 0;
	}
}

/* The class of @len, or -1 for lengths beyond the largest class. */
static int class_of(uint32_t len)
{
	for (int i = 0; i < NCLASSES; i++)
		if (len <= (1u << (MIN_SHIFT + i)))
			return i;
	return -1;
}

void *net_bulk_alloc(uint32_t len)
{
	int c = class_of(len);
	void *p = NULL;

	pthread_once(&once, init_classes);
	if (c < 0)
		return NULL;
	pthread_mutex_lock(&classes[c].lock);
	if (classes[c].nfree)
		p = classes[c].free[--classes[c].nfree];
	pthread_mutex_unlock(&classes[c].lock);
	if (p)
		return p;
	if (posix_memalign(&p, PAGE, 1u << (MIN_SHIFT + c)) != 0)
		return NULL;
	return p;
}

void net_bulk_free(void *p, uint32_t len)
{
	int c = class_of(len);

	if (!p)
		return;
	if (c >= 0) {
		pthread_mutex_lock(&classes[c].lock);
		if (classes[c].nfree < classes[c].cap) {
			classes[c].free[classes[c].nfree++] = p;
			p = NULL;
		}
		pthread_mutex_unlock(&classes[c].lock);
	}
	free(p);
}
