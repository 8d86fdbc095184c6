/* SPDX-License-Identifier: Apache-2.0 */
/* Pure parsing and printing helpers of the stria CLI (no I/O; unit tested). */
#include "cli.h"

#include "proto/size.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int tool_parse_size(const char *s, uint64_t *out)
{
	uint64_t v, u;
	int rc = proto_size_parse(s, &v, &u);

	if (rc == 0)
		*out = v;
	return rc;
}

int tool_parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_index(const char *s, size_t len, uint32_t *out)
{
	char tmp[32], *end;
	unsigned long v;

	if (len == 0 || len >= sizeof(tmp) || !isdigit((unsigned char)*s))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	errno = 0;
	v = strtoul(tmp, &end, 0);
	if (errno || *end || v > PROTO_TARGET_INDEX_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Appends @idx to @out, refusing duplicates. */
static int add_idx(uint32_t idx, uint32_t *out, size_t *n, size_t cap)
{
	for (size_t i = 0; i < *n; i++)
		if (out[i] == idx)
			return -EEXIST;
	if (*n >= cap)
		return -E2BIG;
	out[(*n)++] = idx;
	return 0;
}

static int add_range(uint32_t lo, uint32_t hi, uint32_t *out, size_t *n, size_t cap)
{
	int rc = 0;

	if (lo > hi)
		return -EINVAL;
	for (uint64_t i = lo; i <= hi && rc == 0; i++)
		rc = add_idx((uint32_t)i, out, n, cap);
	return rc;
}

/* "A" or "A-B" of plain indices. */
static int parse_num_item(const char *s, size_t len, uint32_t *out, size_t *n, size_t cap)
{
	const char *dash = memchr(s, '-', len);
	uint32_t lo, hi;

	if (!dash) {
		if (parse_index(s, len, &lo))
			return -EINVAL;
		return add_idx(lo, out, n, cap);
	}
	if (parse_index(s, (size_t)(dash - s), &lo) ||
	    parse_index(dash + 1, len - (size_t)(dash - s) - 1, &hi))
		return -EINVAL;
	return add_range(lo, hi, out, n, cap);
}

/* "FSNAME-OSTxxxx" or "FSNAME-OST[a-b]" (hex, as target names print). */
static int parse_name_item(const char *s, size_t len, const char *fsname, uint32_t *out, size_t *n,
			   size_t cap)
{
	char name[PROTO_TARGET_NAME_MAX + 16], fs[PROTO_FSNAME_MAX + 1], *br;
	uint32_t type, lo, hi;

	if (len >= sizeof(name))
		return -EINVAL;
	memcpy(name, s, len);
	name[len] = 0;
	br = strstr(name, "-OST[");
	if (br) {
		char *end, *dash;
		unsigned long a, b;

		*br = 0;
		if (!proto_fsname_valid(name) || (fsname && strcmp(name, fsname)))
			return -EINVAL;
		a = strtoul(br + 5, &dash, 16);
		if (dash == br + 5 || *dash != '-')
			return -EINVAL;
		b = strtoul(dash + 1, &end, 16);
		if (end == dash + 1 || strcmp(end, "]") || b > PROTO_TARGET_INDEX_MAX)
			return -EINVAL;
		return add_range((uint32_t)a, (uint32_t)b, out, n, cap);
	}
	/* A trailing "_UUID" (as lfs df prints names) is accepted too. */
	if (len > 5 && !strcmp(name + len - 5, "_UUID"))
		name[len - 5] = 0;
	if (proto_target_name_parse(name, fs, &type, &lo) || type != PROTO_TARGET_OST ||
	    (fsname && strcmp(fs, fsname)))
		return -EINVAL;
	hi = lo;
	return add_range(lo, hi, out, n, cap);
}

int tool_parse_ost_list(const char *s, const char *fsname, uint32_t *out, size_t cap)
{
	size_t n = 0;
	int rc = 0;

	if (!*s)
		return -EINVAL;
	while (rc == 0) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		if (len == 0)
			return -EINVAL;
		if (isdigit((unsigned char)*s) && !memchr(s, 'O', len))
			rc = parse_num_item(s, len, out, &n, cap);
		else
			rc = parse_name_item(s, len, fsname, out, &n, cap);
		if (!comma)
			break;
		s = comma + 1;
	}
	return rc ? rc : (int)n;
}

int tool_parse_fspool(const char *s, bool pool_optional, char fsname[PROTO_FSNAME_MAX + 1],
		      char pool[PROTO_POOL_NAME_MAX + 1])
{
	const char *dot = strchr(s, '.');
	size_t flen = dot ? (size_t)(dot - s) : strlen(s);
	char fs[PROTO_FSNAME_MAX + 1];

	if (flen == 0 || flen > PROTO_FSNAME_MAX || (!dot && !pool_optional))
		return -EINVAL;
	memcpy(fs, s, flen);
	fs[flen] = 0;
	if (!proto_fsname_valid(fs) || (dot && !proto_pool_name_valid(dot + 1)))
		return -EINVAL;
	memcpy(fsname, fs, flen + 1);
	if (dot)
		strcpy(pool, dot + 1);
	else
		pool[0] = 0;
	return 0;
}

int tool_parse_cmp(const char *s, bool sizes, struct tool_cmp *out)
{
	struct tool_cmp c = {.sign = 0, .unit = 1};
	int rc;

	if (*s == '+' || *s == '-')
		c.sign = *s++ == '+' ? 1 : -1;
	if (sizes) {
		rc = proto_size_parse(s, &c.val, &c.unit);
	} else {
		char *end;

		errno = 0;
		c.val = isdigit((unsigned char)*s) ? strtoull(s, &end, 10) : 0;
		rc = !isdigit((unsigned char)*s) || errno || *end ? -EINVAL : 0;
	}
	if (rc)
		return -EINVAL;
	*out = c;
	return 0;
}

bool tool_cmp_match(const struct tool_cmp *c, uint64_t v)
{
	uint64_t want = c->val;

	if (c->unit > 1) {
		v = v / c->unit + (v % c->unit != 0);
		want = c->val / c->unit;
	}
	if (c->sign > 0)
		return v > want;
	if (c->sign < 0)
		return v < want;
	return v == want;
}

char *tool_human_kib(uint64_t kib, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double v = (double)kib;
	int u = 0;

	while (v >= 1024 && u < (int)sizeof(units) - 2) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

int tool_use_pct(uint64_t used, uint64_t avail)
{
	uint64_t total = used + avail;

	if (total == 0)
		return 0;
	return (int)((used * 100 + total - 1) / total);
}

int tool_ino_to_fid(uint64_t ino, struct proto_fid *out)
{
	if (ino >> 63)
		return -EINVAL;
	out->seq = PROTO_FID_SEQ_BASE + (ino >> 24);
	out->oid = (uint32_t)(ino & 0xffffff);
	out->ver = 0;
	return 0;
}
