/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Failure injection, as Lustre's fail_loc: named points in the request path
 * that drop, delay or crash when armed.  Armed at start-up (--fail SPEC) or
 * by MGS_FAIL_SET (root only).  docs/mds.md lists the points.
 *
 * SPEC: NAME[,mode=once|always|skip|some|rand][,count=N][,value=N][,op=OPCODE]
 * (mode defaults to once; op= sets value to an opcode, by name or number).
 */
#ifndef STRIA_MDS_FAILINJ_H
#define STRIA_MDS_FAILINJ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Point ids (the MGS_FAIL_SET id).  For drop/crash points value is an opcode
 * filter (0: every opcode the point sees); for DELAY it is milliseconds. */
enum failinj_id {
	FAIL_DROP_REQUEST = 0x101,	 /* drop a request before it executes */
	FAIL_DROP_REPLY = 0x102,	 /* drop a reply after its commit */
	FAIL_DELAY = 0x103,		 /* sleep value ms before a handler runs */
	FAIL_CRASH_BEFORE_APPLY = 0x104, /* _exit(9) before the batch is applied */
	FAIL_CRASH_AFTER_APPLY = 0x105,	 /* _exit(9) after apply, before the WAL sync */
	FAIL_CRASH_AFTER_COMMIT = 0x106, /* _exit(9) when durable, before the reply */
	FAIL_ID_FIRST = FAIL_DROP_REQUEST,
	FAIL_ID_LAST = FAIL_CRASH_AFTER_COMMIT,
};

#define FAIL_NPOINTS (FAIL_ID_LAST - FAIL_ID_FIRST + 1)

struct failinj_point {
	uint32_t mode; /* enum proto_fail_mode */
	uint32_t value;
	uint32_t count;
	uint32_t hits; /* times reached while armed */
	bool fired;    /* ONCE: already fired */
};

struct failinj {
	pthread_mutex_t mu;		      /* protects p[] */
	struct failinj_point p[FAIL_NPOINTS]; /* mu */
};

void failinj_init(struct failinj *f);
void failinj_destroy(struct failinj *f);
/* Arms point @id.  Returns 0, -ENOENT (unknown id) or -EINVAL (bad mode). */
int failinj_set(struct failinj *f, uint32_t id, uint32_t mode, uint32_t value, uint32_t count);
/* Parses and arms a --fail SPEC.  0, -ENOENT (unknown point) or -EINVAL. */
int failinj_parse(struct failinj *f, const char *spec);
/*
 * Reports reaching point @id for opcode @op: true if it fires now.  *@value
 * (may be NULL) gets the point's value.  Logs every firing.
 */
bool failinj_hit(struct failinj *f, uint32_t id, uint32_t op, uint32_t *value);
/* The name of point @id ("drop_reply"), or NULL. */
const char *failinj_name(uint32_t id);

#endif
