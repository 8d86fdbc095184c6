/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The o2ib transport's registered buffer pool (net/rdma_pool.c), with a
 * registration hook that records what it is asked instead of calling a
 * device: sizes, keys, reuse without new registrations, the limit and its
 * reserve, reclaiming idle slabs, failures, and concurrent use.
 */
#include "t_unit.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/rdma_pool.h"

#define MIB (1024u * 1024u)

struct fake_reg {
	pthread_mutex_t lock;
	int fail; /* next reg fails with this */
	uint32_t next_key;
	uint64_t regs, deregs;
	size_t live_bytes;
};

struct fake_mr {
	void *addr;
	size_t len;
};

static int fake_reg_fn(void *ctx, void *addr, size_t len, uint32_t *lkey, uint32_t *rkey, void **mr)
{
	struct fake_reg *f = ctx;
	struct fake_mr *m;
	int err = 0;

	pthread_mutex_lock(&f->lock);
	if (f->fail) {
		err = f->fail;
		f->fail = 0;
		goto out;
	}
	assert_int_equal((uintptr_t)addr % 4096, 0);
	m = malloc(sizeof(*m));
	m->addr = addr;
	m->len = len;
	*mr = m;
	*lkey = ++f->next_key;
	*rkey = 1000000 + f->next_key;
	f->regs++;
	f->live_bytes += len;
out:
	pthread_mutex_unlock(&f->lock);
	return err;
}

static void fake_dereg_fn(void *ctx, void *mr)
{
	struct fake_reg *f = ctx;
	struct fake_mr *m = mr;

	pthread_mutex_lock(&f->lock);
	f->deregs++;
	f->live_bytes -= m->len;
	pthread_mutex_unlock(&f->lock);
	free(m);
}

static const struct net_rdma_reg_ops fake_ops = {fake_reg_fn, fake_dereg_fn};

static struct net_rdma_pool *new_pool(struct fake_reg *f, size_t limit, size_t reserve)
{
	struct net_rdma_pool_cfg cfg = {.limit = limit, .reserve = reserve};
	struct net_rdma_pool *p;

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	assert_int_equal(net_rdma_pool_new(&fake_ops, f, &cfg, &p), 0);
	return p;
}

static void free_pool(struct net_rdma_pool *p, struct fake_reg *f)
{
	net_rdma_pool_free(p);
	/* Everything registered was deregistered. */
	assert_int_equal(f->regs, f->deregs);
	assert_int_equal(f->live_bytes, 0);
	pthread_mutex_destroy(&f->lock);
}

static void pool_sizes_round_up_to_a_class(void **state)
{
	struct fake_reg f;
	struct net_rdma_pool *p = new_pool(&f, 64 * MIB, 0);
	static const uint32_t asks[][2] = {
	    {1, 4096}, {4096, 4096}, {4097, 8192}, {65536, 65536}, {4 * MIB, 4 * MIB}};
	struct net_rdma_buf b = {0}, untouched = {.len = 7};

	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		assert_int_equal(net_rdma_pool_get(p, asks[i][0], false, &b), 0);
		assert_int_equal(b.len, asks[i][1]);
		assert_int_equal((uintptr_t)b.addr % 4096, 0);
		memset(b.addr, 0xa5, b.len); /* all of it is usable */
		net_rdma_pool_put(p, &b);
		assert_null(b.addr);
	}
	b = untouched;
	assert_int_equal(net_rdma_pool_get(p, 0, false, &b), -EMSGSIZE);
	assert_int_equal(net_rdma_pool_get(p, 4 * MIB + 1, true, &b), -EMSGSIZE);
	assert_memory_equal(&b, &untouched, sizeof(b));
	free_pool(p, &f);
}

static void pool_buffers_carry_their_slabs_keys(void **state)
{
	struct fake_reg f;
	struct net_rdma_pool *p = new_pool(&f, 64 * MIB, 0);
	struct net_rdma_buf b[300];

	/* 300 4 KiB buffers take two 1 MiB slabs: two registrations, two key pairs. */
	for (int i = 0; i < 300; i++)
		assert_int_equal(net_rdma_pool_get(p, 4096, false, &b[i]), 0);
	assert_int_equal(f.regs, 2);
	for (int i = 0; i < 300; i++) {
		assert_true(b[i].lkey == 1 || b[i].lkey == 2);
		assert_int_equal(b[i].rkey, 1000000 + b[i].lkey);
	}
	assert_int_equal(b[0].lkey, 1);
	assert_int_equal(b[299].lkey, 2);
	/* No two buffers overlap. */
	for (int i = 0; i < 300; i++)
		memset(b[i].addr, i & 0xff, 4096);
	for (int i = 0; i < 300; i++) {
		uint8_t *q = b[i].addr;

		assert_int_equal(q[0], i & 0xff);
		assert_int_equal(q[4095], i & 0xff);
	}
	for (int i = 0; i < 300; i++)
		net_rdma_pool_put(p, &b[i]);
	free_pool(p, &f);
}

static void pool_reuse_registers_nothing_new(void **state)
{
	struct fake_reg f;
	struct net_rdma_pool *p = new_pool(&f, 256 * MIB, 0);
	struct net_rdma_pool_stats st;
	struct net_rdma_buf b[16];
	uint64_t regs;

	/* Warm up: the working set of 16 buffers of each of a few sizes. */
	for (uint32_t len = 4096; len <= 4 * MIB; len *= 4) {
		for (int i = 0; i < 16; i++)
			assert_int_equal(net_rdma_pool_get(p, len, false, &b[i]), 0);
		for (int i = 0; i < 16; i++)
			net_rdma_pool_put(p, &b[i]);
	}
	regs = f.regs;
	/* The hot path: thousands of I/Os, not one registration. */
	for (int round = 0; round < 2000; round++) {
		uint32_t len = 4096u << (2 * (round % 6));

		for (int i = 0; i < 16; i++)
			assert_int_equal(net_rdma_pool_get(p, len - (uint32_t)i, false, &b[i]), 0);
		for (int i = 0; i < 16; i++)
			net_rdma_pool_put(p, &b[i]);
	}
	assert_int_equal(f.regs, regs);
	net_rdma_pool_stats(p, &st);
	assert_int_equal(st.regs, regs);
	assert_int_equal(st.in_use, 0);
	free_pool(p, &f);
}

static void pool_limit_says_enobufs_until_a_put(void **state)
{
	struct fake_reg f;
	struct net_rdma_pool *p = new_pool(&f, 16 * MIB, 0);
	struct net_rdma_buf b[4], extra;

	for (int i = 0; i < 4; i++)
		assert_int_equal(net_rdma_pool_get(p, 4 * MIB, false, &b[i]), 0);
	assert_int_equal(net_rdma_pool_get(p, 4 * MIB, false, &extra), -ENOBUFS);
	assert_int_equal(net_rdma_pool_get(p, 4096, true, &extra), -ENOBUFS);
	net_rdma_pool_put(p, &b[2]);
	assert_int_equal(net_rdma_pool_get(p, 4 * MIB, false, &extra), 0);
	assert_int_equal(f.regs, 4); /* the put buffer came back, nothing new */
	net_rdma_pool_put(p, &extra);
	for (int i = 0; i < 4; i++)
		net_rdma_pool_put(p, &b[i]);
	free_pool(p, &f);
}

static void pool_reserve_is_left_for_short_lived_buffers(void **state)
{
	struct fake_reg f;
	struct net_rdma_pool *p = new_pool(&f, 16 * MIB, 8 * MIB);
	struct net_rdma_buf b[4];

	assert_int_equal(net_rdma_pool_get(p, 4 * MIB, false, &b[0]), 0);
	assert_int_equal(net_rdma_pool_get(p, 4 * MIB, false, &b[1]), 0);
	/* Long-lived buffers stop at limit - reserve ... */
	assert_int_equal(net_rdma_pool_get(p, 4 * MIB, false, &b[2]), -ENOBUFS);
	/* ... and short-lived ones may still have the reserve. */
	assert_int_equal(net_rdma_pool_get(p, 4 * MIB, true, &b[2]), 0);
	assert_int_equal(net_rdma_pool_get(p, 4 * MIB, true, &b[3]), 0);
	for (int i = 0; i < 4; i++)
		net_rdma_pool_put(p, &b[i]);
	{
		struct net_rdma_pool_cfg bad = {.limit = MIB, .reserve = 2 * MIB};
		struct net_rdma_pool *q = NULL;

		assert_int_equal(net_rdma_pool_new(&fake_ops, &f, &bad, &q), -EINVAL);
		assert_null(q);
	}
	free_pool(p, &f);
}

static void pool_idle_slabs_make_room_for_other_sizes(void **state)
{
	struct fake_reg f;
	struct net_rdma_pool *p = new_pool(&f, 8 * MIB, 0);
	struct net_rdma_pool_stats st;
	static struct net_rdma_buf small[2048];
	struct net_rdma_buf big[2];

	/* Fill the whole limit with 4 KiB buffers (8 slabs), then give them back. */
	for (int i = 0; i < 2048; i++)
		assert_int_equal(net_rdma_pool_get(p, 4096, false, &small[i]), 0);
	assert_int_equal(net_rdma_pool_get(p, 4096, false, &big[0]), -ENOBUFS);
	/* Keep one small buffer: its slab is not idle and stays. */
	for (int i = 1; i < 2048; i++)
		net_rdma_pool_put(p, &small[i]);
	assert_int_equal(net_rdma_pool_get(p, 4 * MIB, false, &big[0]), 0);
	net_rdma_pool_stats(p, &st);
	assert_true(st.deregs >= 4);
	assert_true(st.registered <= 8 * MIB);
	/* 4 MiB + 4 KiB in use: another 4 MiB would pass the limit. */
	assert_int_equal(net_rdma_pool_get(p, 4 * MIB, false, &big[1]), -ENOBUFS);
	memset(small[0].addr, 1, 4096); /* the kept buffer still works */
	net_rdma_pool_put(p, &small[0]);
	assert_int_equal(net_rdma_pool_get(p, 4 * MIB, false, &big[1]), 0);
	net_rdma_pool_put(p, &big[0]);
	net_rdma_pool_put(p, &big[1]);
	free_pool(p, &f);
}

static void pool_registration_failure_is_returned_and_harmless(void **state)
{
	struct fake_reg f;
	struct net_rdma_pool *p = new_pool(&f, 16 * MIB, 0);
	struct net_rdma_pool_stats st;
	struct net_rdma_buf b = {0};

	f.fail = -EFAULT;
	assert_int_equal(net_rdma_pool_get(p, 65536, false, &b), -EFAULT);
	assert_null(b.addr);
	net_rdma_pool_stats(p, &st);
	assert_int_equal(st.registered, 0);
	assert_int_equal(st.in_use, 0);
	/* The next try registers normally. */
	assert_int_equal(net_rdma_pool_get(p, 65536, false, &b), 0);
	net_rdma_pool_put(p, &b);
	net_rdma_pool_put(p, &b); /* a zeroed buffer is ignored */
	free_pool(p, &f);
}

struct worker_arg {
	struct net_rdma_pool *p;
	uint8_t tag;
	int failures;
};

static void *worker(void *arg)
{
	struct worker_arg *w = arg;

	for (int i = 0; i < 3000; i++) {
		struct net_rdma_buf b[4];
		int n = 0;

		for (int k = 0; k < 4; k++) {
			uint32_t len = 4096u << ((i + k + w->tag) % 5);

			if (net_rdma_pool_get(w->p, len, k & 1, &b[n]) == 0) {
				memset(b[n].addr, w->tag, b[n].len);
				n++;
			}
		}
		/* Nobody else wrote into our buffers while we held them. */
		for (int k = 0; k < n; k++) {
			uint8_t *q = b[k].addr;

			if (q[0] != w->tag || q[b[k].len - 1] != w->tag)
				w->failures++;
			net_rdma_pool_put(w->p, &b[k]);
		}
	}
	return NULL;
}

static void pool_threads_never_share_a_buffer(void **state)
{
	struct fake_reg f;
	struct net_rdma_pool *p = new_pool(&f, 32 * MIB, 4 * MIB);
	struct net_rdma_pool_stats st;
	pthread_t t[4];
	struct worker_arg w[4];

	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker_arg){.p = p, .tag = (uint8_t)(i + 1)};
		assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	net_rdma_pool_stats(p, &st);
	assert_int_equal(st.in_use, 0);
	assert_true(st.registered <= 32 * MIB);
	free_pool(p, &f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(pool_sizes_round_up_to_a_class),
    cmocka_unit_test(pool_buffers_carry_their_slabs_keys),
    cmocka_unit_test(pool_reuse_registers_nothing_new),
    cmocka_unit_test(pool_limit_says_enobufs_until_a_put),
    cmocka_unit_test(pool_reserve_is_left_for_short_lived_buffers),
    cmocka_unit_test(pool_idle_slabs_make_room_for_other_sizes),
    cmocka_unit_test(pool_registration_failure_is_returned_and_harmless),
    cmocka_unit_test(pool_threads_never_share_a_buffer),
};
T_GROUP(rdma_pool, tests)
