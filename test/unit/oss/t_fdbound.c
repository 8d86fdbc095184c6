/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fd cache keeps the process's fd count bounded over many objects.
 * 20,000 objects by default; STRIA_OSS_BIG=1 runs the 1,000,000-object case.
 */
#include "t_unit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t_oss.h"

#define WINDOW	  64 /* requests in flight */
#define OBJ_BYTES 512

struct bound {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* lock */
	int free_slots[WINDOW]; /* lock */
	int nfree;		/* lock */
	unsigned long errors;	/* lock */
	struct oss_req req[WINDOW];
};

static void write_done(struct oss_req *r, int res)
{
	struct bound *b = r->arg;

	pthread_mutex_lock(&b->lock);
	if (res != OBJ_BYTES)
		b->errors++;
	b->free_slots[b->nfree++] = (int)(r - b->req);
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void run_bound(uint64_t nobj, unsigned cache)
{
	struct oss_ost_options o;
	struct bound b = {.nfree = WINDOW};
	struct t_ost t;
	char mnt[32];
	uint8_t buf[OBJ_BYTES], got[OBJ_BYTES];
	bool mounted;
	int base, max = 0;
	uint64_t last;

	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.cond, NULL);
	for (int i = 0; i < WINDOW; i++)
		b.free_slots[i] = i;
	oss_ost_options_init(&o);
	o.fd_cache_size = cache;
	/* a tmpfs keeps this fast; the cache does not care where the files are */
	mounted = t_mount_tmpfs(mnt, "16g");
	if (mounted)
		t_ost_setup_in(&t, mnt, &o);
	else
		t_ost_setup(&t, &o);
	base = t_fd_count();
	for (uint64_t first = 1; first <= nobj; first += OSS_PRECREATE_MAX) {
		uint64_t n = nobj - first + 1;

		assert_int_equal(oss_obj_precreate(t.ost, first,
						   n < OSS_PRECREATE_MAX ? n : OSS_PRECREATE_MAX,
						   &last),
				 0);
	}
	assert_int_equal(last, nobj);
	t_pattern(buf, OBJ_BYTES, 42, 0);
	for (uint64_t id = 1; id <= nobj; id++) {
		int slot;

		pthread_mutex_lock(&b.lock);
		while (b.nfree == 0)
			pthread_cond_wait(&b.cond, &b.lock);
		slot = b.free_slots[--b.nfree];
		pthread_mutex_unlock(&b.lock);
		oss_req_write(&b.req[slot], t.ost, id, 0, buf, OBJ_BYTES, write_done, &b);
		assert_int_equal(oss_submit(t.eng, &b.req[slot]), 0);
		if (id % 1000 == 0) {
			int n = t_fd_count();

			if (n > max)
				max = n;
		}
	}
	pthread_mutex_lock(&b.lock);
	while (b.nfree < WINDOW)
		pthread_cond_wait(&b.cond, &b.lock);
	pthread_mutex_unlock(&b.lock);
	assert_int_equal(b.errors, 0);
	print_message("# %llu objects, fd cache %u: at most %d fds (%d before any object)\n",
		      (unsigned long long)nobj, cache, max, base);
	/* the cache filled up, so eviction did run ... */
	assert_int_equal(oss_ost_cached_fds(t.ost), cache);
	/* ... and held the fd count to the cache plus the requests in flight */
	assert_true(max - base <= (int)cache + WINDOW);
	assert_true(max < 1024);
	for (uint64_t id = 1; id <= nobj; id += nobj / 7) {
		assert_int_equal(t_read(&t, id, 0, got, OBJ_BYTES), OBJ_BYTES);
		assert_memory_equal(got, buf, OBJ_BYTES);
	}
	t_ost_teardown(&t, mounted);
	if (mounted)
		t_umount_tmpfs(mnt);
	pthread_cond_destroy(&b.cond);
	pthread_mutex_destroy(&b.lock);
}

static void fdcache_bounds_fds_over_20k_objects(void **state)
{
	run_bound(20000, OSS_FD_CACHE_DEFAULT);
}

static void fdcache_bounds_fds_over_1m_objects(void **state)
{
	const char *big = getenv("STRIA_OSS_BIG");

	if (!big || strcmp(big, "1") != 0) {
		print_message("# set STRIA_OSS_BIG=1 for the 1M-object run\n");
		skip();
	}
	run_bound(1000000, OSS_FD_CACHE_DEFAULT);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(fdcache_bounds_fds_over_20k_objects),
    cmocka_unit_test(fdcache_bounds_fds_over_1m_objects),
};
T_GROUP(fdbound, tests)
