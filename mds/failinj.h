/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Failure injection, as Lustre's fail_loc: named points in the request path
 * that drop, delay or crash when armed.  Armed at start-up (--fail SPEC) or
 * by MGS_FAIL_SET (root only).  docs/mds.md lists the points.
 *
 * SPEC: proto_fail_spec_parse's (proto/failspec.h), e.g.
 * drop_reply,op=MDS_CREATE.
 */
#ifndef STRIA_MDS_FAILINJ_H
#define STRIA_MDS_FAILINJ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto/failspec.h"

/* Point ids (the MGS_FAIL_SET id), proto's (proto/failspec.h). */
enum failinj_id {
	FAIL_DROP_REQUEST = PROTO_FAIL_DROP_REQUEST,
	FAIL_DROP_REPLY = PROTO_FAIL_DROP_REPLY,
	FAIL_DELAY = PROTO_FAIL_DELAY,
	FAIL_CRASH_BEFORE_APPLY = PROTO_FAIL_CRASH_BEFORE_APPLY,
	FAIL_CRASH_AFTER_APPLY = PROTO_FAIL_CRASH_AFTER_APPLY,
	FAIL_CRASH_AFTER_COMMIT = PROTO_FAIL_CRASH_AFTER_COMMIT,
	FAIL_CRASH_AFTER_REPLY = PROTO_FAIL_CRASH_AFTER_REPLY,
	FAIL_ID_FIRST = PROTO_FAIL_POINT_FIRST,
	FAIL_ID_LAST = PROTO_FAIL_POINT_LAST,
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
/* Whether point @id is armed (for any opcode); counts no hit. */
bool failinj_armed(struct failinj *f, uint32_t id);
/* The name of point @id ("drop_reply"), or NULL. */
const char *failinj_name(uint32_t id);

#endif
