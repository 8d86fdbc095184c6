/* SPDX-License-Identifier: Apache-2.0 */
#include "t_unit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "net/net.h"

struct order {
	int seen[8];
	int n;
	struct net_loop *loop;
};

struct tcb {
	struct order *o;
	int id;
};

static void timer_fired(void *arg)
{
	struct tcb *t = arg;

	t->o->seen[t->o->n++] = t->id;
	if (t->o->n == 3)
		net_loop_break(t->o->loop);
}

static void loop_timers_fire_in_deadline_order(void **state)
{
	struct order o = {0};
	struct tcb cb[4];
	struct net_timer *t[4];

	assert_int_equal(net_loop_new(&o.loop), 0);
	for (int i = 0; i < 4; i++) {
		cb[i] = (struct tcb){&o, i};
		assert_int_equal(net_timer_new(o.loop, timer_fired, &cb[i], &t[i]), 0);
	}
	net_timer_arm(t[0], 60);
	net_timer_arm(t[1], 20);
	net_timer_arm(t[2], 40);
	net_timer_arm(t[3], 30);
	net_timer_disarm(t[3]);	 /* never fires */
	net_timer_arm(t[2], 10); /* re-arming moves it */
	assert_int_equal(net_loop_run(o.loop), 0);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.seen[0], 2);
	assert_int_equal(o.seen[1], 1);
	assert_int_equal(o.seen[2], 0);
	for (int i = 0; i < 4; i++)
		net_timer_free(t[i]);
	net_loop_free(o.loop);
}

#define POSTERS	   4
#define PER_POSTER 10000

struct post_state {
	struct net_loop *loop;
	atomic_int ran;
	int last[POSTERS]; /* loop thread only */
	atomic_int out_of_order;
	struct net_call calls[POSTERS][PER_POSTER];
	int ids[POSTERS][PER_POSTER];
};

static struct post_state ps;

static void posted(void *arg)
{
	int *id = arg;
	int poster = *id / PER_POSTER, seq = *id % PER_POSTER;

	assert_true(net_loop_in_thread(ps.loop));
	if (seq != ps.last[poster] + 1)
		atomic_fetch_add(&ps.out_of_order, 1);
	ps.last[poster] = seq;
	atomic_fetch_add(&ps.ran, 1);
}

static void *poster(void *arg)
{
	int p = (int)(intptr_t)arg;

	for (int i = 0; i < PER_POSTER; i++) {
		ps.ids[p][i] = p * PER_POSTER + i;
		ps.calls[p][i].fn = posted;
		ps.calls[p][i].arg = &ps.ids[p][i];
		net_loop_post(ps.loop, &ps.calls[p][i]);
	}
	return NULL;
}

static void loop_posts_from_threads_run_in_order(void **state)
{
	pthread_t th[POSTERS];

	assert_int_equal(net_loop_new(&ps.loop), 0);
	for (int i = 0; i < POSTERS; i++)
		ps.last[i] = -1;
	assert_int_equal(net_loop_start(ps.loop, "t-loop"), 0);
	assert_false(net_loop_in_thread(ps.loop));
	for (int i = 0; i < POSTERS; i++)
		pthread_create(&th[i], NULL, poster, (void *)(intptr_t)i);
	for (int i = 0; i < POSTERS; i++)
		pthread_join(th[i], NULL);
	while (atomic_load(&ps.ran) < POSTERS * PER_POSTER)
		usleep(1000);
	assert_int_equal(atomic_load(&ps.out_of_order), 0);
	net_loop_stop(ps.loop);
	net_loop_free(ps.loop);
}

static void bulk_pool_gives_aligned_reused_buffers(void **state)
{
	void *a = net_bulk_alloc(1 << 20), *b;

	assert_non_null(a);
	assert_int_equal((uintptr_t)a % 4096, 0);
	net_bulk_free(a, 1 << 20);
	b = net_bulk_alloc(900 * 1024); /* same class: the same buffer comes back */
	assert_ptr_equal(a, b);
	net_bulk_free(b, 900 * 1024);
	assert_null(net_bulk_alloc(PROTO_BULK_MAX + 1));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(loop_timers_fire_in_deadline_order),
    cmocka_unit_test(loop_posts_from_threads_run_in_order),
    cmocka_unit_test(bulk_pool_gives_aligned_reused_buffers),
};
T_GROUP(loop, tests)
