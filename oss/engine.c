/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The I/O engine: worker threads with one io_uring each, their queues, the
 * slow thread, submission and shutdown.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "engine_int.h"
#include "ost_int.h"

#define WORKERS_MAX 64u
#define DEPTH_MIN   8u
#define DEPTH_MAX   4096u

void oss_engine_options_init(struct oss_engine_options *o)
{
	o->workers = OSS_WORKERS_DEFAULT;
	o->queue_depth = OSS_QUEUE_DEPTH_DEFAULT;
}

/* Keeps one read of the eventfd in flight; its CQE (user_data 0) means "look at the queue". */
static void arm_eventfd(struct oss_worker *w)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&w->ring);

	if (!sqe) {
		io_uring_submit(&w->ring);
		sqe = io_uring_get_sqe(&w->ring);
	}
	io_uring_prep_read(sqe, w->efd, &w->efd_buf, sizeof(w->efd_buf), 0);
	io_uring_sqe_set_data64(sqe, 0);
}

static int ring_init(struct oss_worker *w)
{
	int rc;

	/* the worker is the only submitter: let the kernel defer task work to it */
	rc = io_uring_queue_init(w->eng->depth, &w->ring,
				 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN);
	if (rc == -EINVAL)
		rc = io_uring_queue_init(w->eng->depth, &w->ring, 0);
	return rc;
}

static void report_start(struct oss_engine *e, int rc)
{
	pthread_mutex_lock(&e->start_lock);
	e->started++;
	if (rc < 0 && !e->start_err)
		e->start_err = rc;
	pthread_cond_broadcast(&e->start_cond);
	pthread_mutex_unlock(&e->start_lock);
}

/* Takes as many queued requests as the ring has room for. */
static struct oss_req *take_batch(struct oss_worker *w, bool *exit)
{
	unsigned room = (w->eng->depth - 1 - w->sqes) / OSS_REQ_MAX_SQES;
	struct oss_req *batch = NULL, **tailp = &batch;

	pthread_mutex_lock(&w->lock);
	while (w->head && room > 0) {
		struct oss_req *r = w->head;

		w->head = r->priv.next;
		if (!w->head)
			w->tail = NULL;
		r->priv.next = NULL;
		*tailp = r;
		tailp = &r->priv.next;
		room--;
	}
	*exit = !w->head && !batch && w->stopping && w->nreq == 0;
	/* nothing to start and nothing queued: submitters must wake us */
	w->sleeping = !w->head && !batch;
	pthread_mutex_unlock(&w->lock);
	return batch;
}

static void reap(struct oss_worker *w)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&w->ring, head, cqe)
	{
		uint64_t ud = io_uring_cqe_get_data64(cqe);

		n++;
		if (ud == 0) {
			arm_eventfd(w);
			continue;
		}
		oss_req_cqe(w, (struct oss_req *)(uintptr_t)(ud & ~OSS_UD_XATTR),
			    (ud & OSS_UD_XATTR) != 0, cqe->res);
	}
	io_uring_cq_advance(&w->ring, n);
}

static void *worker_main(void *arg)
{
	struct oss_worker *w = arg;
	int rc;

	rc = ring_init(w);
	report_start(w->eng, rc);
	if (rc < 0)
		return NULL;
	arm_eventfd(w);
	for (;;) {
		bool exit;
		struct oss_req *batch = take_batch(w, &exit);
		bool idle = !batch;

		if (exit)
			break;
		while (batch) {
			struct oss_req *r = batch;

			batch = r->priv.next;
			r->priv.next = NULL;
			w->nreq++;
			oss_req_start(w, r);
		}
		/* one system call submits the whole batch (and waits when idle) */
		rc = io_uring_submit_and_wait(&w->ring, idle ? 1 : 0);
		if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
			oss_log(NULL, "worker %u: io_uring_submit_and_wait: %s", w->idx,
				strerror(-rc));
		reap(w);
	}
	io_uring_queue_exit(&w->ring);
	return NULL;
}

static void *slow_main(void *arg)
{
	struct oss_engine *e = arg;

	pthread_mutex_lock(&e->slow_lock);
	for (;;) {
		struct oss_req *r = e->slow_head;

		if (!r) {
			if (e->slow_stopping)
				break;
			pthread_cond_wait(&e->slow_cond, &e->slow_lock);
			continue;
		}
		e->slow_head = r->priv.next;
		if (!e->slow_head)
			e->slow_tail = NULL;
		r->priv.next = NULL;
		pthread_mutex_unlock(&e->slow_lock);
		oss_req_run_slow(r);
		pthread_mutex_lock(&e->slow_lock);
	}
	pthread_mutex_unlock(&e->slow_lock);
	return NULL;
}

static void wake(struct oss_worker *w)
{
	uint64_t one = 1;

	if (write(w->efd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow with 1s; nothing else can fail */
	}
}

/* Stops and joins the first @n workers, then frees the engine. */
static void teardown(struct oss_engine *e, unsigned n, bool slow)
{
	for (unsigned i = 0; i < n; i++) {
		struct oss_worker *w = &e->workers[i];

		pthread_mutex_lock(&w->lock);
		w->stopping = true;
		pthread_mutex_unlock(&w->lock);
		wake(w);
		pthread_join(w->thread, NULL);
	}
	if (slow) {
		pthread_mutex_lock(&e->slow_lock);
		e->slow_stopping = true;
		pthread_cond_signal(&e->slow_cond);
		pthread_mutex_unlock(&e->slow_lock);
		pthread_join(e->slow_thread, NULL);
	}
	for (unsigned i = 0; i < e->nworkers; i++) {
		struct oss_worker *w = &e->workers[i];

		if (w->efd >= 0)
			close(w->efd);
		pthread_mutex_destroy(&w->lock);
	}
	pthread_cond_destroy(&e->slow_cond);
	pthread_mutex_destroy(&e->slow_lock);
	pthread_cond_destroy(&e->start_cond);
	pthread_mutex_destroy(&e->start_lock);
	free(e->workers);
	free(e);
}

int oss_engine_start(const struct oss_engine_options *o, struct oss_engine **out)
{
	struct oss_engine_options defaults;
	struct oss_engine *e;
	unsigned n = 0;
	bool slow = false;
	int rc = -EINVAL;

	if (!o) {
		oss_engine_options_init(&defaults);
		o = &defaults;
	}
	if (o->workers < 1 || o->workers > WORKERS_MAX || o->queue_depth < DEPTH_MIN ||
	    o->queue_depth > DEPTH_MAX)
		goto out;
	rc = -ENOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto out;
	e->workers = calloc(o->workers, sizeof(*e->workers));
	if (!e->workers) {
		free(e);
		goto out;
	}
	e->nworkers = o->workers;
	e->depth = o->queue_depth;
	pthread_mutex_init(&e->start_lock, NULL);
	pthread_cond_init(&e->start_cond, NULL);
	pthread_mutex_init(&e->slow_lock, NULL);
	pthread_cond_init(&e->slow_cond, NULL);
	for (unsigned i = 0; i < e->nworkers; i++) {
		struct oss_worker *w = &e->workers[i];

		w->eng = e;
		w->idx = i;
		pthread_mutex_init(&w->lock, NULL);
		w->efd = eventfd(0, EFD_CLOEXEC);
		if (w->efd < 0) {
			rc = -errno;
			goto teardown;
		}
	}
	for (; n < e->nworkers; n++) {
		rc = -pthread_create(&e->workers[n].thread, NULL, worker_main, &e->workers[n]);
		if (rc < 0)
			goto teardown;
	}
	rc = -pthread_create(&e->slow_thread, NULL, slow_main, e);
	if (rc < 0)
		goto teardown;
	slow = true;
	pthread_mutex_lock(&e->start_lock);
	while (e->started < e->nworkers)
		pthread_cond_wait(&e->start_cond, &e->start_lock);
	rc = e->start_err;
	pthread_mutex_unlock(&e->start_lock);
	if (rc < 0) {
		oss_log(NULL, "cannot set up io_uring: %s", strerror(-rc));
		goto teardown;
	}
	*out = e;
	goto out;
teardown:
	teardown(e, n, slow);
out:
	return rc;
}

void oss_engine_stop(struct oss_engine *e)
{
	if (!e)
		return;
	/* workers drain first: their callbacks may still submit slow requests */
	teardown(e, e->nworkers, true);
}

int oss_submit(struct oss_engine *e, struct oss_req *r)
{
	struct oss_worker *w;
	struct iovec one;
	bool wake_it;
	int rc = -EINVAL;

	if (!r->done || !r->ost)
		goto out;
	one = r->priv.one; /* the segment of oss_req_read/write() survives the reset */
	memset(&r->priv, 0, sizeof(r->priv));
	r->priv.one = one;
	r->priv.fd = -1;
	r->res = 0;
	r->priv.err = oss_req_check(r);
	__atomic_add_fetch(&r->ost->inflight, 1, __ATOMIC_ACQUIRE);
	if (!r->priv.err && (r->op == OSS_OP_TRUNCATE || r->op == OSS_OP_SYNCFS)) {
		pthread_mutex_lock(&e->slow_lock);
		rc = e->slow_stopping ? -ESHUTDOWN : 0;
		if (rc == 0) {
			if (e->slow_tail)
				e->slow_tail->priv.next = r;
			else
				e->slow_head = r;
			e->slow_tail = r;
			pthread_cond_signal(&e->slow_cond);
		}
		pthread_mutex_unlock(&e->slow_lock);
		goto undo;
	}
	w = &e->workers[__atomic_fetch_add(&e->rr, 1, __ATOMIC_RELAXED) % e->nworkers];
	pthread_mutex_lock(&w->lock);
	rc = w->stopping ? -ESHUTDOWN : 0;
	wake_it = false;
	if (rc == 0) {
		if (w->tail)
			w->tail->priv.next = r;
		else
			w->head = r;
		w->tail = r;
		wake_it = w->sleeping;
		w->sleeping = false;
	}
	pthread_mutex_unlock(&w->lock);
	if (wake_it)
		wake(w);
undo:
	if (rc < 0)
		__atomic_sub_fetch(&r->ost->inflight, 1, __ATOMIC_RELEASE);
out:
	return rc;
}

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* lock */
	bool done;	     /* lock */
};

static void waiter_done(struct oss_req *r, int res)
{
	struct waiter *wt = r->arg;

	pthread_mutex_lock(&wt->lock);
	wt->done = true;
	pthread_cond_signal(&wt->cond);
	pthread_mutex_unlock(&wt->lock);
}

int oss_submit_wait(struct oss_engine *e, struct oss_req *r)
{
	struct waiter wt = {.done = false};
	int rc;

	pthread_mutex_init(&wt.lock, NULL);
	pthread_cond_init(&wt.cond, NULL);
	r->done = waiter_done;
	r->arg = &wt;
	rc = oss_submit(e, r);
	if (rc < 0)
		goto destroy;
	pthread_mutex_lock(&wt.lock);
	while (!wt.done)
		pthread_cond_wait(&wt.cond, &wt.lock);
	pthread_mutex_unlock(&wt.lock);
	rc = r->res;
destroy:
	pthread_cond_destroy(&wt.cond);
	pthread_mutex_destroy(&wt.lock);
	return rc;
}
