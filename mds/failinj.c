/* SPDX-License-Identifier: Apache-2.0 */
/* Failure injection points (Lustre's fail_loc / fail_val). */
#include "failinj.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "proto/proto.h"

static const char *const names[FAIL_NPOINTS] = {
    [FAIL_DROP_REQUEST - FAIL_ID_FIRST] = "drop_request",
    [FAIL_DROP_REPLY - FAIL_ID_FIRST] = "drop_reply",
    [FAIL_DELAY - FAIL_ID_FIRST] = "delay",
    [FAIL_CRASH_BEFORE_APPLY - FAIL_ID_FIRST] = "crash_before_apply",
    [FAIL_CRASH_AFTER_APPLY - FAIL_ID_FIRST] = "crash_after_apply",
    [FAIL_CRASH_AFTER_COMMIT - FAIL_ID_FIRST] = "crash_after_commit",
};

static const char *const modes[] = {"off", "always", "once", "skip", "some", "rand"};

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
	if (id < FAIL_ID_FIRST || id > FAIL_ID_LAST)
		return NULL;
	return names[id - FAIL_ID_FIRST];
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
	NET_INFO("fail point %s: mode %s value %u count %u", names[id - FAIL_ID_FIRST], modes[mode],
		 value, count);
	return 0;
}

static int parse_op(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s && *end == '\0' && v < PROTO_OP_LIMIT) {
		*out = (uint32_t)v;
		return 0;
	}
	for (uint32_t op = 1; op < PROTO_OP_LIMIT; op++) {
		const char *n = proto_op_name(op);

		if (n && strcasecmp(n, s) == 0) {
			*out = op;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (!*s || *end || errno || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int failinj_parse(struct failinj *f, const char *spec)
{
	uint32_t id = 0, mode = PROTO_FAIL_ONCE, value = 0, count = 0;
	char *copy = strdup(spec), *save = NULL, *tok;
	int rc = -EINVAL;

	if (!copy)
		return -ENOMEM;
	tok = strtok_r(copy, ",", &save);
	for (uint32_t i = FAIL_ID_FIRST; tok && i <= FAIL_ID_LAST; i++)
		if (strcmp(tok, names[i - FAIL_ID_FIRST]) == 0)
			id = i;
	if (!id) {
		rc = -ENOENT;
		goto out;
	}
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		char *eq = strchr(tok, '=');

		if (!eq)
			goto out;
		*eq++ = '\0';
		if (strcmp(tok, "mode") == 0) {
			uint32_t m;

			for (m = 0; m <= PROTO_FAIL_RAND; m++)
				if (strcmp(eq, modes[m]) == 0)
					break;
			if (m > PROTO_FAIL_RAND)
				goto out;
			mode = m;
		} else if (strcmp(tok, "count") == 0) {
			if (parse_u32(eq, &count))
				goto out;
		} else if (strcmp(tok, "value") == 0) {
			if (parse_u32(eq, &value))
				goto out;
		} else if (strcmp(tok, "op") == 0) {
			if (parse_op(eq, &value))
				goto out;
		} else {
			goto out;
		}
	}
	rc = failinj_set(f, id, mode, value, count);
out:
	free(copy);
	return rc;
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
		NET_WARN("fail point %s fired on %s", names[id - FAIL_ID_FIRST],
			 proto_op_name(op) ? proto_op_name(op) : "?");
		if (value)
			*value = v;
	}
	return hit;
}
