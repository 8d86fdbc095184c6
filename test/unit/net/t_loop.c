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

/* ---- borrowing a sleeping loop ---- */

struct seen {
	atomic_int ran;
	atomic_int order[4]; /* ids in the order they ran */
	atomic_bool on_loop; /* every call ran with the loop held, not on the borrower */
	pthread_t borrower;
	struct net_loop *loop;
};

struct seen_call {
	struct seen *s;
	int id;
	struct net_call call;
};

static void seen_cb(void *arg)
{
	struct seen_call *c = arg;
	int i = atomic_fetch_add(&c->s->ran, 1);

	if (i < 4)
		atomic_store(&c->s->order[i], c->id);
	if (!net_loop_in_thread(c->s->loop) || pthread_equal(pthread_self(), c->s->borrower))
		atomic_store(&c->s->on_loop, false);
}

static void seen_init(struct seen *s, struct net_loop *loop)
{
	atomic_init(&s->ran, 0);
	atomic_init(&s->on_loop, true);
	for (int i = 0; i < 4; i++)
		atomic_init(&s->order[i], -1);
	s->borrower = pthread_self();
	s->loop = loop;
}

static void seen_call_init(struct seen_call *c, struct seen *s, int id)
{
	c->s = s;
	c->id = id;
	c->call.fn = seen_cb;
	c->call.arg = c;
}

/* Waits up to @ms for *@v to reach @want. */
static bool wait_for(atomic_int *v, int want, int ms)
{
	for (int i = 0; i < ms && atomic_load(v) < want; i++)
		usleep(1000);
	return atomic_load(v) >= want;
}

/* Borrows @loop once it sleeps (it may still be finishing an iteration). */
static bool borrow_soon(struct net_loop *loop)
{
	for (int i = 0; i < 1000; i++) {
		if (net_loop_borrow(loop))
			return true;
		usleep(1000);
	}
	return false;
}

static void *post_thread(void *arg)
{
	struct seen_call *c = arg;

	net_loop_post(c->s->loop, &c->call);
	return NULL;
}

static void loop_borrower_holds_the_loop_until_it_gives_it_back(void **state)
{
	struct net_loop *loop;
	struct seen s;
	struct seen_call other, mine;
	pthread_t th;

	assert_int_equal(net_loop_new(&loop), 0);
	seen_init(&s, loop);
	seen_call_init(&other, &s, 1);
	seen_call_init(&mine, &s, 2);
	assert_int_equal(net_loop_start(loop, "t-borrow"), 0);
	assert_true(borrow_soon(loop));
	assert_true(net_loop_in_thread(loop));
	/* Another thread's post wakes the loop, which must wait for us. */
	pthread_create(&th, NULL, post_thread, &other);
	pthread_join(th, NULL);
	usleep(50 * 1000);
	assert_int_equal(atomic_load(&s.ran), 0);
	/* Ours is queued behind it and runs on the loop, not here. */
	net_loop_post(loop, &mine.call);
	assert_int_equal(atomic_load(&s.ran), 0);
	net_loop_unborrow(loop);
	assert_false(net_loop_in_thread(loop));
	assert_true(wait_for(&s.ran, 2, 5000));
	assert_int_equal(atomic_load(&s.order[0]), 1);
	assert_int_equal(atomic_load(&s.order[1]), 2);
	assert_true(atomic_load(&s.on_loop));
	net_loop_stop(loop);
	net_loop_free(loop);
}

static atomic_int borrow_on_loop_result;

static void try_borrow_cb(void *arg)
{
	atomic_store(&borrow_on_loop_result, net_loop_borrow(arg) ? 1 : 0);
}

static void loop_borrow_refused_on_its_thread_and_when_not_running(void **state)
{
	struct net_loop *loop;
	struct net_call c = {.fn = try_borrow_cb};

	assert_int_equal(net_loop_new(&loop), 0);
	assert_false(net_loop_borrow(loop)); /* not running */
	c.arg = loop;
	atomic_store(&borrow_on_loop_result, -1);
	assert_int_equal(net_loop_start(loop, "t-borrow"), 0);
	net_loop_post(loop, &c);
	assert_true(wait_for(&borrow_on_loop_result, 0, 5000));
	assert_int_equal(atomic_load(&borrow_on_loop_result), 0);
	net_loop_stop(loop);
	assert_false(net_loop_borrow(loop)); /* stopped */
	net_loop_free(loop);
}

static void loop_lazy_post_waits_for_the_next_wakeup(void **state)
{
	struct net_loop *loop;
	struct seen s;
	struct seen_call lazy, woken;

	assert_int_equal(net_loop_new(&loop), 0);
	seen_init(&s, loop);
	seen_call_init(&lazy, &s, 1);
	seen_call_init(&woken, &s, 2);
	assert_int_equal(net_loop_start(loop, "t-lazy"), 0);
	usleep(20 * 1000);
	/* No timer and no fd: nothing but a post wakes this loop. */
	net_loop_post_lazy(loop, &lazy.call);
	usleep(100 * 1000);
	assert_int_equal(atomic_load(&s.ran), 0);
	net_loop_post(loop, &woken.call);
	assert_true(wait_for(&s.ran, 2, 5000));
	/* The posted call first, then the lazy one, in that iteration. */
	assert_int_equal(atomic_load(&s.order[0]), 2);
	assert_int_equal(atomic_load(&s.order[1]), 1);
	net_loop_stop(loop);
	net_loop_free(loop);
}

static atomic_int timer_fires;

static void count_fire(void *arg)
{
	atomic_fetch_add(&timer_fires, 1);
}

static void loop_timer_armed_by_a_borrower_wakes_the_loop(void **state)
{
	struct net_loop *loop;
	struct net_timer *t;

	atomic_store(&timer_fires, 0);
	assert_int_equal(net_loop_new(&loop), 0);
	assert_int_equal(net_timer_new(loop, count_fire, NULL, &t), 0);
	assert_int_equal(net_loop_start(loop, "t-borrow"), 0);
	/* The loop sleeps without a timeout; only our unborrow can wake it. */
	assert_true(borrow_soon(loop));
	net_timer_arm(t, 10);
	net_loop_unborrow(loop);
	assert_true(wait_for(&timer_fires, 1, 5000));
	net_loop_stop(loop);
	net_timer_free(t);
	net_loop_free(loop);
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
    cmocka_unit_test(loop_borrower_holds_the_loop_until_it_gives_it_back),
    cmocka_unit_test(loop_borrow_refused_on_its_thread_and_when_not_running),
    cmocka_unit_test(loop_lazy_post_waits_for_the_next_wakeup),
    cmocka_unit_test(loop_timer_armed_by_a_borrower_wakes_the_loop),
    cmocka_unit_test(bulk_pool_gives_aligned_reused_buffers),
};
T_GROUP(loop, tests)
