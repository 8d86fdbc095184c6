/* SPDX-License-Identifier: Apache-2.0 */
/* Failure point names and the SPEC parser (failspec.h). */
#include "failspec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hdr.h"

#define NPOINTS (PROTO_FAIL_POINT_LAST - PROTO_FAIL_POINT_FIRST + 1)

static const char *const points[NPOINTS] = {
    [PROTO_FAIL_DROP_REQUEST - PROTO_FAIL_POINT_FIRST] = "drop_request",
    [PROTO_FAIL_DROP_REPLY - PROTO_FAIL_POINT_FIRST] = "drop_reply",
    [PROTO_FAIL_DELAY - PROTO_FAIL_POINT_FIRST] = "delay",
    [PROTO_FAIL_CRASH_BEFORE_APPLY - PROTO_FAIL_POINT_FIRST] = "crash_before_apply",
    [PROTO_FAIL_CRASH_AFTER_APPLY - PROTO_FAIL_POINT_FIRST] = "crash_after_apply",
    [PROTO_FAIL_CRASH_AFTER_COMMIT - PROTO_FAIL_POINT_FIRST] = "crash_after_commit",
    [PROTO_FAIL_CRASH_AFTER_REPLY - PROTO_FAIL_POINT_FIRST] = "crash_after_reply",
};

static const char *const modes[] = {
    [PROTO_FAIL_OFF] = "off",	[PROTO_FAIL_ALWAYS] = "always", [PROTO_FAIL_ONCE] = "once",
    [PROTO_FAIL_SKIP] = "skip", [PROTO_FAIL_SOME] = "some",	[PROTO_FAIL_RAND] = "rand",
};

const char *proto_fail_point_name(uint32_t id)
{
	if (id < PROTO_FAIL_POINT_FIRST || id > PROTO_FAIL_POINT_LAST)
		return NULL;
	return points[id - PROTO_FAIL_POINT_FIRST];
}

const char *proto_fail_mode_name(uint32_t mode)
{
	return mode <= PROTO_FAIL_RAND ? modes[mode] : NULL;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (!*s || *s == '-' || *end || errno || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_op(const char *s, uint32_t *out)
{
	uint32_t v;

	if (parse_u32(s, &v) == 0) {
		if (v >= PROTO_OP_LIMIT)
			return -EINVAL;
		*out = v;
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

/* One "key=value" item of a SPEC into @m. */
static int parse_item(char *tok, struct proto_mgs_fail_set_req *m)
{
	char *eq = strchr(tok, '=');

	if (!eq)
		return -EINVAL;
	*eq++ = '\0';
	if (strcmp(tok, "mode") == 0) {
		for (uint32_t i = 0; i <= PROTO_FAIL_RAND; i++)
			if (strcmp(eq, modes[i]) == 0) {
				m->mode = i;
				return 0;
			}
		return -EINVAL;
	}
	if (strcmp(tok, "count") == 0)
		return parse_u32(eq, &m->count);
	if (strcmp(tok, "value") == 0)
		return parse_u32(eq, &m->value);
	if (strcmp(tok, "op") == 0)
		return parse_op(eq, &m->value);
	return -EINVAL;
}

int proto_fail_spec_parse(const char *spec, struct proto_mgs_fail_set_req *out)
{
	struct proto_mgs_fail_set_req m = {.mode = PROTO_FAIL_ONCE};
	char *copy = strdup(spec), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	tok = strtok_r(copy, ",", &save);
	for (uint32_t i = PROTO_FAIL_POINT_FIRST; tok && i <= PROTO_FAIL_POINT_LAST; i++)
		if (strcmp(tok, points[i - PROTO_FAIL_POINT_FIRST]) == 0)
			m.id = i;
	if (!m.id)
		rc = -ENOENT;
	while (rc == 0 && (tok = strtok_r(NULL, ",", &save)) != NULL)
		rc = parse_item(tok, &m);
	if (rc == 0)
		*out = m;
	free(copy);
	return rc;
}
