/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine under load: many requests in flight from several threads,
 * requests chained from completion callbacks, shutdown draining the queues.
 */
#include "t_unit.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t_oss.h"

#define NOBJ	 8
#define CHUNK	 (64u * 1024u)
#define PER_OBJ	 64 /* chunks per object: 4 MiB objects */
#define NREQ	 (NOBJ * PER_OBJ)
#define NTHREADS 4

struct op {
	struct oss_req req;
	struct oss_req aux; /* a getattr or sync issued alongside */
	struct ctx *ctx;
	uint64_t obj, off;
	uint8_t *wbuf, *rbuf;
};

struct ctx {
	struct oss_engine *eng;
	struct oss_ost *ost;
	struct op *ops;
	int first, step; /* the ops one submitter thread starts */
	pthread_mutex_t lock;
	pthread_cond_t cond;  /* lock */
	int verified, aux_ok; /* lock */
	int failures;	      /* lock */
	char why[128];	      /* lock; the first failure */
};

static void note_failure(struct ctx *c, const char *what, struct op *op, int res)
{
	pthread_mutex_lock(&c->lock);
	if (c->failures++ == 0)
		snprintf(c->why, sizeof(c->why), "%s obj %llu off %llu: %d", what,
			 (unsigned long long)op->obj, (unsigned long long)op->off, res);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void read_done(struct oss_req *r, int res)
{
	struct op *op = r->arg;
	struct ctx *c = op->ctx;

	if (res != (int)CHUNK || !t_pattern_ok(op->rbuf, CHUNK, op->obj, op->off)) {
		note_failure(c, "read back", op, res);
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->verified++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void write_done(struct oss_req *r, int res)
{
	struct op *op = r->arg;
	int rc;

	if (res != (int)CHUNK) {
		note_failure(op->ctx, "write", op, res);
		return;
	}
	/* chain the read from the completion callback, on the engine thread */
	oss_req_read(&op->req, op->ctx->ost, op->obj, op->off, op->rbuf, CHUNK, read_done, op);
	rc = oss_submit(op->ctx->eng, &op->req);
	if (rc < 0)
		note_failure(op->ctx, "resubmit", op, rc);
}

static void aux_done(struct oss_req *r, int res)
{
	struct op *op = r->arg;
	struct ctx *c = op->ctx;

	if (res != 0) {
		note_failure(c, r->op == OSS_OP_SYNC ? "sync" : "getattr", op, res);
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->aux_ok++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

struct submitter {
	pthread_t thread;
	struct ctx *ctx;
	int first;
};

static void *submit_main(void *arg)
{
	struct submitter *s = arg;
	struct ctx *c = s->ctx;

	for (int i = s->first; i < NREQ; i += NTHREADS) {
		struct op *op = &c->ops[i];

		oss_req_write(&op->req, c->ost, op->obj, op->off, op->wbuf, CHUNK, write_done, op);
		if (oss_submit(c->eng, &op->req) < 0)
			note_failure(c, "submit", op, -1);
		if (i % 2)
			oss_req_sync(&op->aux, c->ost, op->obj, i % 4 == 1, aux_done, op);
		else
			oss_req_getattr(&op->aux, c->ost, op->obj, aux_done, op);
		if (oss_submit(c->eng, &op->aux) < 0)
			note_failure(c, "submit aux", op, -1);
	}
	return NULL;
}

static void engine_many_concurrent_ops_complete_correctly(void **state)
{
	struct oss_engine_options eo;
	struct submitter sub[NTHREADS];
	struct ctx c = {0};
	struct t_ost t;
	uint8_t *whole = malloc(PER_OBJ * CHUNK);
	uint64_t last;

	t_ost_setup(&t, NULL);
	/* a separate engine with small rings so that requests queue up */
	oss_engine_options_init(&eo);
	eo.workers = 3;
	eo.queue_depth = 8;
	assert_int_equal(oss_engine_start(&eo, &c.eng), 0);
	c.ost = t.ost;
	assert_int_equal(oss_obj_precreate(t.ost, 1, NOBJ, &last), 0);
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	c.ops = calloc(NREQ, sizeof(*c.ops));
	for (int i = 0; i < NREQ; i++) {
		struct op *op = &c.ops[i];

		op->ctx = &c;
		op->obj = 1 + i % NOBJ;
		op->off = (uint64_t)(i / NOBJ) * CHUNK;
		op->wbuf = malloc(CHUNK);
		op->rbuf = malloc(CHUNK);
		t_pattern(op->wbuf, CHUNK, op->obj, op->off);
	}
	for (int i = 0; i < NTHREADS; i++) {
		sub[i].ctx = &c;
		sub[i].first = i;
		assert_int_equal(pthread_create(&sub[i].thread, NULL, submit_main, &sub[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(sub[i].thread, NULL);
	pthread_mutex_lock(&c.lock);
	while (c.failures == 0 && (c.verified < NREQ || c.aux_ok < NREQ))
		pthread_cond_wait(&c.cond, &c.lock);
	pthread_mutex_unlock(&c.lock);
	if (c.failures)
		fail_msg("%d failures, first: %s", c.failures, c.why);
	/* every object holds exactly what its chunks wrote */
	for (int o = 1; o <= NOBJ; o++) {
		struct oss_req r;

		oss_req_read(&r, t.ost, o, 0, whole, PER_OBJ * CHUNK, NULL, NULL);
		assert_int_equal(oss_submit_wait(c.eng, &r), (int)(PER_OBJ * CHUNK));
		assert_true(t_pattern_ok(whole, PER_OBJ * CHUNK, o, 0));
	}
	oss_engine_stop(c.eng);
	for (int i = 0; i < NREQ; i++) {
		free(c.ops[i].wbuf);
		free(c.ops[i].rbuf);
	}
	free(c.ops);
	free(whole);
	pthread_cond_destroy(&c.cond);
	pthread_mutex_destroy(&c.lock);
	t_ost_teardown(&t, false);
}

static int drained;

static void count_done(struct oss_req *r, int res)
{
	if (res == (int)CHUNK || res == 0)
		__atomic_add_fetch(&drained, 1, __ATOMIC_RELAXED);
}

static void engine_stop_completes_everything_submitted(void **state)
{
	struct oss_engine *eng;
	struct oss_req *reqs = calloc(300, sizeof(*reqs));
	uint8_t *buf = calloc(1, CHUNK);
	struct t_ost t;
	uint64_t last;

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 4, &last), 0);
	assert_int_equal(oss_engine_start(NULL, &eng), 0);
	drained = 0;
	for (int i = 0; i < 300; i++) {
		if (i % 100 == 99)
			oss_req_syncfs(&reqs[i], t.ost, count_done, NULL);
		else
			oss_req_write(&reqs[i], t.ost, 1 + i % 4, (uint64_t)i * CHUNK, buf, CHUNK,
				      count_done, NULL);
		assert_int_equal(oss_submit(eng, &reqs[i]), 0);
	}
	oss_engine_stop(eng);
	assert_int_equal(__atomic_load_n(&drained, __ATOMIC_RELAXED), 300);
	free(reqs);
	free(buf);
	t_ost_teardown(&t, false);
}

static void engine_rejects_bad_options(void **state)
{
	struct oss_engine_options eo;
	struct oss_engine *eng = NULL;

	oss_engine_options_init(&eo);
	eo.workers = 0;
	assert_int_equal(oss_engine_start(&eo, &eng), -EINVAL);
	oss_engine_options_init(&eo);
	eo.queue_depth = 1;
	assert_int_equal(oss_engine_start(&eo, &eng), -EINVAL);
	assert_null(eng);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(engine_many_concurrent_ops_complete_correctly),
    cmocka_unit_test(engine_stop_completes_everything_submitted),
    cmocka_unit_test(engine_rejects_bad_options),
};
T_GROUP(engine, tests)
