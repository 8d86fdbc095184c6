/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The io_uring I/O engine's threads and queues (private to oss).
 *
 * Each worker owns one ring.  Submitters append requests to the worker's
 * locked queue and write its eventfd only when the worker said it is about
 * to sleep; the worker keeps one read of that eventfd armed on its ring, so
 * a single io_uring_submit_and_wait() waits for both completions and new
 * work.  Each round the worker takes as many queued requests as its ring has
 * room for, prepares their SQEs and submits them with one system call.
 */
#ifndef STRIA_OSS_ENGINE_INT_H
#define STRIA_OSS_ENGINE_INT_H

#include <liburing.h>
#include <pthread.h>
#include <stdbool.h>

#include "oss.h"

/* Most SQEs one request has in flight at once (FID xattr + write). */
#define OSS_REQ_MAX_SQES 2

struct oss_worker {
	struct oss_engine *eng; /* immutable */
	unsigned idx;		/* immutable */
	pthread_t thread;	/* immutable once started */
	int efd;		/* immutable; the wake-up eventfd */

	struct io_uring ring; /* worker thread only */
	uint64_t efd_buf;     /* worker thread only (the kernel writes it) */
	unsigned sqes;	      /* worker thread only; request SQEs prepared or in flight */
	unsigned nreq;	      /* worker thread only; requests started, not completed */

	pthread_mutex_t lock;
	struct oss_req *head, *tail; /* lock; queued, not started */
	bool sleeping;		     /* lock; the worker may wait without looking at the queue */
	bool stopping;		     /* lock; refuse submissions, exit when drained */
};

struct oss_engine {
	unsigned nworkers;	    /* immutable */
	unsigned depth;		    /* immutable; SQ entries per ring */
	struct oss_worker *workers; /* immutable array */
	unsigned rr;		    /* atomic; round-robin cursor */

	/* start-up handshake: each worker reports its ring set-up result */
	pthread_mutex_t start_lock;
	pthread_cond_t start_cond; /* start_lock */
	unsigned started;	   /* start_lock */
	int start_err;		   /* start_lock */

	/* the thread for operations io_uring cannot do (truncate, syncfs) */
	pthread_t slow_thread;
	pthread_mutex_t slow_lock;
	pthread_cond_t slow_cond;	       /* slow_lock */
	struct oss_req *slow_head, *slow_tail; /* slow_lock */
	bool slow_stopping;		       /* slow_lock */
};

/*
 * Checks a request before it is queued.  Returns 0, or the -errno its
 * callback will report (it is then completed without any I/O).
 */
int oss_req_check(struct oss_req *r);

/* Starts @r on worker @w (worker thread): prepares its SQEs or completes it. */
void oss_req_start(struct oss_worker *w, struct oss_req *r);

/* Handles one CQE of @r (worker thread); @xattr: it was the FID xattr SQE. */
void oss_req_cqe(struct oss_worker *w, struct oss_req *r, bool xattr, int res);

/* Runs a truncate or syncfs request to completion (slow thread). */
void oss_req_run_slow(struct oss_req *r);

/* user_data of the FID xattr SQE: the request pointer with bit 0 set. */
#define OSS_UD_XATTR 1ULL

#endif
