/* SPDX-License-Identifier: Apache-2.0 */
/* Failure injection points (Lustre's fail_loc / fail_val). */
#include "failinj.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "proto/proto.h"

void failinj_init(struct failinj *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
}

void failinj_destroy(struct failinj *f)
{
	pthread_mutex_destroy(&f->mu);
}

const char *failinj_name(uint32_t id)
{
	return proto_fail_point_name(id);
}

int failinj_set(struct failinj *f, uint32_t id, uint32_t mode, uint32_t value, uint32_t count)
{
	struct failinj_point *p;

	if (id < FAIL_ID_FIRST || id > FAIL_ID_LAST)
		return -ENOENT;
	if (mode > PROTO_FAIL_RAND)
		return -EINVAL;
	pthread_mutex_lock(&f->mu);
	p = &f->p[id - FAIL_ID_FIRST];
	p->mode = mode;
	p->value = value;
	p->count = count;
	p->hits = 0;
	p->fired = false;
	pthread_mutex_unlock(&f->mu);
	NET_INFO("fail point %s: mode %s value %u count %u", proto_fail_point_name(id),
		 proto_fail_mode_name(mode), value, count);
	return 0;
}

int failinj_parse(struct failinj *f, const char *spec)
{
	struct proto_mgs_fail_set_req m;
	int rc = proto_fail_spec_parse(spec, &m);

	return rc ? rc : failinj_set(f, m.id, m.mode, m.value, m.count);
}

/* Whether an armed point fires on this hit (caller holds f->mu). */
static bool fires(struct failinj_point *p)
{
	p->hits++;
	switch (p->mode) {
	case PROTO_FAIL_ALWAYS:
		return true;
	case PROTO_FAIL_ONCE:
		if (p->fired)
			return false;
		p->fired = true;
		return true;
	case PROTO_FAIL_SKIP:
		return p->hits > p->count;
	case PROTO_FAIL_SOME:
		return p->hits <= p->count;
	case PROTO_FAIL_RAND:
		return p->count <= 1 || (uint32_t)random() % p->count == 0;
	default:
		return false;
	}
}

bool failinj_armed(struct failinj *f, uint32_t id)
{
	bool armed;

	if (id < FAIL_ID_FIRST || id > FAIL_ID_LAST)
		return false;
	pthread_mutex_lock(&f->mu);
	armed = f->p[id - FAIL_ID_FIRST].mode != PROTO_FAIL_OFF;
	pthread_mutex_unlock(&f->mu);
	return armed;
}

bool failinj_hit(struct failinj *f, uint32_t id, uint32_t op, uint32_t *value)
{
	struct failinj_point *p;
	bool hit = false;
	uint32_t v = 0;

	if (id < FAIL_ID_FIRST || id > FAIL_ID_LAST)
		return false;
	pthread_mutex_lock(&f->mu);
	p = &f->p[id - FAIL_ID_FIRST];
	if (p->mode != PROTO_FAIL_OFF && (id == FAIL_DELAY || p->value == 0 || p->value == op)) {
		hit = fires(p);
		v = p->value;
	}
	pthread_mutex_unlock(&f->mu);
	if (hit) {
		NET_WARN("fail point %s fired on %s", proto_fail_point_name(id),
			 proto_op_name(op) ? proto_op_name(op) : "?");
		if (value)
			*value = v;
	}
	return hit;
}
