/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Credit accounting of the o2ib transport (net/rdma_credit.c): the single
 * rules, then two simulated ends exchanging frames under random schedules,
 * checking after every step that no credit is invented or lost, that no frame
 * ever arrives without a posted buffer, and that they never deadlock.
 */
#include "t_unit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/rdma_credit.h"

static void credit_starts_with_the_peers_depth(void **state)
{
	struct net_rdma_credit c;

	net_rdma_credit_init(&c, 32, 16);
	assert_int_equal(c.credits, 16);
	assert_int_equal(c.owed, 0);
	assert_int_equal(c.high_water, 16);
	net_rdma_credit_init(&c, 4, 4);
	assert_int_equal(c.high_water, 2);
	net_rdma_credit_init(&c, 5, 4);
	assert_int_equal(c.high_water, 2);
}

static void credit_msg_never_takes_the_last_credit(void **state)
{
	struct net_rdma_credit c;
	uint32_t ann = 99;

	net_rdma_credit_init(&c, 8, 4);
	for (int i = 0; i < 3; i++) {
		assert_true(net_rdma_credit_can_send_msg(&c));
		assert_int_equal(net_rdma_credit_take(&c, false, &ann), 0);
	}
	assert_int_equal(c.credits, 1);
	assert_false(net_rdma_credit_can_send_msg(&c));
	assert_int_equal(net_rdma_credit_take(&c, false, &ann), -EAGAIN);
	assert_int_equal(c.credits, 1);
	/* The last credit buys a NOOP only if the NOOP returns something. */
	assert_false(net_rdma_credit_want_noop(&c, true));
	assert_int_equal(net_rdma_credit_take(&c, true, &ann), -EAGAIN);
	assert_int_equal(net_rdma_credit_return(&c), 0);
	assert_true(net_rdma_credit_want_noop(&c, true));
	assert_false(net_rdma_credit_want_noop(&c, false)); /* 1 owed < high water */
	assert_int_equal(net_rdma_credit_take(&c, true, &ann), 0);
	assert_int_equal(ann, 1);
	assert_int_equal(c.credits, 0);
	/* Never below zero. */
	assert_int_equal(net_rdma_credit_take(&c, true, &ann), -EAGAIN);
	assert_int_equal(net_rdma_credit_take(&c, false, &ann), -EAGAIN);
	assert_int_equal(c.credits, 0);
}

static void credit_returns_ride_on_the_next_frame(void **state)
{
	struct net_rdma_credit c;
	uint32_t ann = 0;

	net_rdma_credit_init(&c, 8, 8);
	for (int i = 0; i < 3; i++)
		assert_int_equal(net_rdma_credit_return(&c), 0);
	assert_false(net_rdma_credit_want_noop(&c, false)); /* 3 < high water 4 */
	assert_int_equal(net_rdma_credit_take(&c, false, &ann), 0);
	assert_int_equal(ann, 3);
	assert_int_equal(c.owed, 0);
	/* A frame that could not be posted gives both back. */
	net_rdma_credit_untake(&c, ann);
	assert_int_equal(c.credits, 8);
	assert_int_equal(c.owed, 3);
	/* At high water a NOOP is wanted even with nothing else to say. */
	assert_int_equal(net_rdma_credit_return(&c), 0);
	assert_true(net_rdma_credit_want_noop(&c, false));
}

static void credit_peer_overruns_are_eproto(void **state)
{
	struct net_rdma_credit c;
	uint32_t ann;

	net_rdma_credit_init(&c, 4, 6);
	/* Granting more than the peer's depth allows. */
	assert_int_equal(net_rdma_credit_grant(&c, 1), -EPROTO);
	assert_int_equal(net_rdma_credit_take(&c, false, &ann), 0);
	assert_int_equal(net_rdma_credit_grant(&c, 2), -EPROTO);
	assert_int_equal(net_rdma_credit_grant(&c, 1), 0);
	assert_int_equal(c.credits, 6);
	assert_int_equal(net_rdma_credit_grant(&c, UINT32_MAX), -EPROTO);
	assert_int_equal(c.credits, 6);
	/* Owing more than we have buffers: the peer sent past its credits. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(net_rdma_credit_return(&c), 0);
	assert_int_equal(net_rdma_credit_return(&c), -EPROTO);
	assert_int_equal(c.owed, 4);
}

static void credit_both_ends_out_of_credits_recover(void **state)
{
	struct net_rdma_credit a, b;
	uint32_t ann_a, ann_b;

	net_rdma_credit_init(&a, 4, 4);
	net_rdma_credit_init(&b, 4, 4);
	/* Each sends as many MSGs as it may at once: three. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(net_rdma_credit_take(&a, false, &ann_a), 0);
		assert_int_equal(net_rdma_credit_take(&b, false, &ann_b), 0);
	}
	assert_false(net_rdma_credit_can_send_msg(&a));
	assert_false(net_rdma_credit_can_send_msg(&b));
	/* Both receive and hand on the other's three. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(net_rdma_credit_return(&a), 0);
		assert_int_equal(net_rdma_credit_return(&b), 0);
	}
	/* Neither may send a MSG, and both hold the last credit for a NOOP. */
	assert_true(net_rdma_credit_want_noop(&a, false));
	assert_true(net_rdma_credit_want_noop(&b, false));
	assert_int_equal(net_rdma_credit_take(&a, true, &ann_a), 0);
	assert_int_equal(net_rdma_credit_take(&b, true, &ann_b), 0);
	assert_int_equal(a.credits, 0);
	assert_int_equal(b.credits, 0);
	/* The NOOPs cross. */
	assert_int_equal(net_rdma_credit_grant(&a, ann_b), 0);
	assert_int_equal(net_rdma_credit_grant(&b, ann_a), 0);
	assert_int_equal(net_rdma_credit_return(&a), 0); /* the NOOP's buffer */
	assert_int_equal(net_rdma_credit_return(&b), 0);
	assert_true(net_rdma_credit_can_send_msg(&a));
	assert_true(net_rdma_credit_can_send_msg(&b));
	/* And a NOOP does not call for a NOOP in answer. */
	assert_false(net_rdma_credit_want_noop(&a, false));
	assert_false(net_rdma_credit_want_noop(&b, false));
}

/* ---- two simulated ends ---- */

#define QCAP 2048

struct frame {
	bool noop;
	bool bulk; /* its receiver will owe a done address once it has read the bulk */
	uint32_t credits;
	uint32_t ndone;
};

struct end {
	struct net_rdma_credit cr;
	uint32_t held;	      /* frames in our buffers whose credit is not yet owed */
	uint32_t undelivered; /* MSGs received, not yet handed on */
	uint32_t backlog;     /* MSGs still to send */
	uint32_t dones;	      /* done addresses waiting to be sent */
	uint32_t dones_in;    /* done addresses received */
	uint32_t dones_made;
	bool paused;
	uint64_t msgs_sent, noops_sent, delivered;
	/* frames on their way to this end */
	struct frame q[QCAP];
	uint32_t qh, qn;
};

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static uint32_t in_flight_credits(const struct end *e)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < e->qn; i++)
		n += e->q[(e->qh + i) % QCAP].credits;
	return n;
}

/* Every credit of the @to direction is somewhere, exactly once. */
static void check_conservation(const struct end *from, const struct end *to)
{
	assert_true(from->cr.credits <= from->cr.peer_depth);
	assert_true(to->cr.owed <= to->cr.depth);
	assert_int_equal(from->cr.credits + to->qn + to->held + to->cr.owed +
			     in_flight_credits(from),
			 to->cr.depth);
}

static void push(struct end *to, struct frame f)
{
	assert_true(to->qn < QCAP);
	to->q[(to->qh + to->qn) % QCAP] = f;
	to->qn++;
}

/* What the transport's flush does: MSGs while it may, then a NOOP if one is wanted. */
static bool try_send(struct end *e, struct end *peer)
{
	uint32_t ann;

	if (e->backlog && net_rdma_credit_take(&e->cr, false, &ann) == 0) {
		push(peer, (struct frame){.credits = ann, .ndone = e->dones, .bulk = rnd(2)});
		e->dones = 0;
		e->backlog--;
		e->msgs_sent++;
		return true;
	}
	if (net_rdma_credit_want_noop(&e->cr, e->dones > 0)) {
		assert_int_equal(net_rdma_credit_take(&e->cr, true, &ann), 0);
		push(peer, (struct frame){.noop = true, .credits = ann, .ndone = e->dones});
		e->dones = 0;
		e->noops_sent++;
		return true;
	}
	return false;
}

static void arrive(struct end *e)
{
	struct frame f = e->q[e->qh];

	e->qh = (e->qh + 1) % QCAP;
	e->qn--;
	/* A frame lands in a posted buffer: never more frames than buffers. */
	assert_true(e->held + e->cr.owed < e->cr.depth);
	e->held++;
	assert_int_equal(net_rdma_credit_grant(&e->cr, f.credits), 0);
	e->dones_in += f.ndone;
	if (f.noop) {
		e->held--;
		assert_int_equal(net_rdma_credit_return(&e->cr), 0);
	} else {
		e->undelivered++;
		if (f.bulk) {
			e->dones++; /* the READ of its bulk completes */
			e->dones_made++;
		}
	}
}

static bool deliver(struct end *e)
{
	if (e->paused || !e->undelivered)
		return false;
	e->undelivered--;
	e->held--;
	e->delivered++;
	assert_int_equal(net_rdma_credit_return(&e->cr), 0);
	return true;
}

static bool work_left(const struct end *a, const struct end *b)
{
	return a->backlog || b->backlog || a->qn || b->qn || a->undelivered || b->undelivered ||
	       a->dones || b->dones;
}

static void run_pair(uint32_t da, uint32_t db, uint32_t na, uint32_t nb, uint64_t seed)
{
	struct end *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	uint64_t steps = 0, quiet_noops = 0;

	rng = seed * 2654435761u + 1;
	net_rdma_credit_init(&a->cr, da, db);
	net_rdma_credit_init(&b->cr, db, da);
	a->backlog = na;
	b->backlog = nb;
	while (work_left(a, b)) {
		bool progressed = false;

		/* Try the events in a random order; the first that can happen does. */
		for (int tries = 0; tries < 16 && !progressed; tries++) {
			switch (rnd(8)) {
			case 0:
				progressed = try_send(a, b);
				break;
			case 1:
				progressed = try_send(b, a);
				break;
			case 2:
				if (a->qn) {
					arrive(a);
					progressed = true;
				}
				break;
			case 3:
				if (b->qn) {
					arrive(b);
					progressed = true;
				}
				break;
			case 4:
				progressed = deliver(a);
				break;
			case 5:
				progressed = deliver(b);
				break;
			case 6:
				a->paused = rnd(4) == 0;
				break;
			default:
				b->paused = rnd(4) == 0;
				break;
			}
		}
		if (!progressed) {
			/* Nothing random happened: pauses end, then something must be possible. */
			a->paused = b->paused = false;
			progressed = try_send(a, b) || try_send(b, a) || deliver(a) || deliver(b);
			if (!progressed && a->qn) {
				arrive(a);
				progressed = true;
			}
			if (!progressed && b->qn) {
				arrive(b);
				progressed = true;
			}
			if (!progressed)
				fail_msg("deadlock: depths %u/%u seed %llu: a credits %u owed %u "
					 "backlog "
					 "%u dones %u; b credits %u owed %u backlog %u dones %u",
					 da, db, (unsigned long long)seed, a->cr.credits,
					 a->cr.owed, a->backlog, a->dones, b->cr.credits,
					 b->cr.owed, b->backlog, b->dones);
		}
		check_conservation(a, b);
		check_conservation(b, a);
		assert_true(++steps < 100u * (na + nb + 100));
	}
	assert_int_equal(a->delivered, nb);
	assert_int_equal(b->delivered, na);
	assert_int_equal(a->dones_in, b->dones_made);
	assert_int_equal(b->dones_in, a->dones_made);
	/* Once all is said, the ends fall quiet: NOOPs do not answer NOOPs for ever. */
	for (;;) {
		bool any = try_send(a, b) || try_send(b, a);

		while (a->qn)
			arrive(a);
		while (b->qn)
			arrive(b);
		if (!any)
			break;
		assert_true(++quiet_noops < 8);
	}
	check_conservation(a, b);
	check_conservation(b, a);
	free(a);
	free(b);
}

static void credit_two_ends_never_deadlock_or_overrun(void **state)
{
	static const uint32_t depths[] = {4, 5, 8, 32};
	static const uint32_t loads[][2] = {{2000, 2000}, {2000, 0}, {1, 1}, {3, 700}};

	for (size_t i = 0; i < sizeof(depths) / sizeof(depths[0]); i++)
		for (size_t j = 0; j < sizeof(depths) / sizeof(depths[0]); j++)
			for (size_t l = 0; l < sizeof(loads) / sizeof(loads[0]); l++)
				for (uint64_t seed = 1; seed <= 8; seed++)
					run_pair(depths[i], depths[j], loads[l][0], loads[l][1],
						 seed);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(credit_starts_with_the_peers_depth),
    cmocka_unit_test(credit_msg_never_takes_the_last_credit),
    cmocka_unit_test(credit_returns_ride_on_the_next_frame),
    cmocka_unit_test(credit_peer_overruns_are_eproto),
    cmocka_unit_test(credit_both_ends_out_of_credits_recover),
    cmocka_unit_test(credit_two_ends_never_deadlock_or_overrun),
};
T_GROUP(rdma_credit, tests)
