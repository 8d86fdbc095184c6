/* SPDX-License-Identifier: Apache-2.0 */
#include "layout.h"

#include <errno.h>
#include <string.h>

/* ---- wire form ---- */

void proto_layout_enc(struct proto_cur *c, const struct proto_layout *l)
{
	if (l->nobjs > PROTO_LAYOUT_MAX_STRIPES) {
		proto_cur_fail(c, -EINVAL);
		return;
	}
	proto_put_u32(c, l->pattern);
	proto_put_u32(c, l->flags);
	proto_put_u32(c, l->stripe_size);
	proto_put_i32(c, l->stripe_count);
	proto_put_i32(c, l->stripe_offset);
	proto_put_u32(c, l->gen);
	proto_put_str(c, l->pool, strnlen(l->pool, sizeof(l->pool)), PROTO_POOL_NAME_MAX);
	proto_put_u32(c, l->nobjs);
	for (uint32_t i = 0; i < l->nobjs; i++) {
		proto_put_u32(c, l->objs[i].ost_idx);
		proto_put_u64(c, l->objs[i].objid);
	}
}

/* The structural rules every decoded layout obeys (see layout.h). */
static bool layout_wire_ok(const struct proto_layout *l)
{
	bool tmpl = l->nobjs == 0 || (l->flags & PROTO_LAYOUT_F_OSTLIST);

	if (l->flags & ~PROTO_LAYOUT_F_ALL)
		return false;
	/*
	 * A template is what a user asked for (setstripe): only its structure
	 * is checked here; its values are for proto_layout_check_template() on
	 * the MDS, which answers a bad stripe size or count with -EINVAL and
	 * not with a protocol error.
	 */
	if (tmpl)
		return true;
	if (l->pattern != PROTO_LAYOUT_PATTERN_RAID0)
		return false;
	if (l->stripe_size == 0 || l->stripe_size % PROTO_STRIPE_UNIT ||
	    l->stripe_size > PROTO_STRIPE_SIZE_MAX)
		return false;
	if (l->stripe_count < 1 || l->stripe_count > PROTO_LAYOUT_MAX_STRIPES)
		return false;
	if (l->stripe_offset < -1)
		return false;
	return l->nobjs == (uint32_t)l->stripe_count;
}

void proto_layout_dec(struct proto_cur *c, struct proto_layout *l)
{
	struct proto_str pool;

	l->pattern = proto_get_u32(c);
	l->flags = proto_get_u32(c);
	l->stripe_size = proto_get_u32(c);
	l->stripe_count = proto_get_i32(c);
	l->stripe_offset = proto_get_i32(c);
	l->gen = proto_get_u32(c);
	proto_get_str(c, &pool, PROTO_POOL_NAME_MAX);
	memcpy(l->pool, pool.s, pool.len);
	l->pool[pool.len] = '\0';
	if (memchr(pool.s, '\0', pool.len))
		proto_cur_fail(c, -EPROTO);
	l->nobjs = proto_get_u32(c);
	/* Checked before the loop: a hostile count must not drive it. */
	if (l->nobjs > PROTO_LAYOUT_MAX_STRIPES) {
		l->nobjs = 0;
		proto_cur_fail(c, -EPROTO);
		return;
	}
	for (uint32_t i = 0; i < l->nobjs; i++) {
		l->objs[i].ost_idx = proto_get_u32(c);
		l->objs[i].objid = proto_get_u64(c);
	}
	if (!proto_cur_err(c) && !layout_wire_ok(l))
		proto_cur_fail(c, -EPROTO);
}

/* ---- validation ---- */

bool proto_pool_name_valid(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++) {
		char ch = name[n];

		if (n >= PROTO_POOL_NAME_MAX)
			return false;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return false;
	}
	return n > 0;
}

/* "" (no pool) or a valid, NUL-terminated pool name. */
static bool pool_ok(const struct proto_layout *l)
{
	if (!memchr(l->pool, '\0', sizeof(l->pool)))
		return false;
	return l->pool[0] == '\0' || proto_pool_name_valid(l->pool);
}

static bool stripe_size_ok(uint32_t size)
{
	return size % PROTO_STRIPE_UNIT == 0 && size <= PROTO_STRIPE_SIZE_MAX;
}

/* No OST index appears twice in objs[0..nobjs); nobjs <= 256 keeps n^2 cheap. */
static bool osts_distinct(const struct proto_layout *l)
{
	for (uint32_t i = 1; i < l->nobjs; i++)
		for (uint32_t j = 0; j < i; j++)
			if (l->objs[i].ost_idx == l->objs[j].ost_idx)
				return false;
	return true;
}

int proto_layout_check_template(const struct proto_layout *l)
{
	if (l->pattern != PROTO_LAYOUT_PATTERN_RAID0 || (l->flags & ~PROTO_LAYOUT_F_ALL))
		return -EINVAL;
	if (!stripe_size_ok(l->stripe_size))
		return -EINVAL;
	if (l->stripe_count < -1 || l->stripe_count > PROTO_LAYOUT_MAX_STRIPES)
		return -EINVAL;
	if (l->stripe_offset < -1 || !pool_ok(l))
		return -EINVAL;
	if (!(l->flags & PROTO_LAYOUT_F_OSTLIST))
		return l->nobjs == 0 ? 0 : -EINVAL;
	if (l->stripe_count < 1 || l->nobjs != (uint32_t)l->stripe_count)
		return -EINVAL;
	for (uint32_t i = 0; i < l->nobjs; i++)
		if (l->objs[i].objid != 0)
			return -EINVAL;
	if (l->stripe_offset != -1 && (uint32_t)l->stripe_offset != l->objs[0].ost_idx)
		return -EINVAL;
	return osts_distinct(l) ? 0 : -EINVAL;
}

int proto_layout_check_file(const struct proto_layout *l)
{
	if (l->pattern != PROTO_LAYOUT_PATTERN_RAID0 || l->flags != 0)
		return -EINVAL;
	if (l->stripe_size == 0 || !stripe_size_ok(l->stripe_size))
		return -EINVAL;
	if (l->stripe_count < 1 || l->stripe_count > PROTO_LAYOUT_MAX_STRIPES)
		return -EINVAL;
	if (l->nobjs != (uint32_t)l->stripe_count || !pool_ok(l))
		return -EINVAL;
	if (l->stripe_offset < 0 || (uint32_t)l->stripe_offset != l->objs[0].ost_idx)
		return -EINVAL;
	for (uint32_t i = 0; i < l->nobjs; i++)
		if (l->objs[i].objid == 0)
			return -EINVAL;
	return osts_distinct(l) ? 0 : -EINVAL;
}

/* ---- stripe arithmetic ---- */

/* The geometry the arithmetic needs, or -EINVAL for an unresolved template. */
static int geom(const struct proto_layout *l, uint64_t *ssize, uint64_t *scount)
{
	if (l->stripe_size == 0 || l->stripe_count < 1 ||
	    l->stripe_count > PROTO_LAYOUT_MAX_STRIPES)
		return -EINVAL;
	*ssize = l->stripe_size;
	*scount = (uint64_t)l->stripe_count;
	return 0;
}

/* -EOVERFLOW unless [off, off+len) fits in a file of PROTO_FILE_SIZE_MAX bytes. */
static int range_ok(uint64_t off, uint64_t len)
{
	if (off > PROTO_FILE_SIZE_MAX || len > PROTO_FILE_SIZE_MAX - off)
		return -EOVERFLOW;
	return 0;
}

/*
 * The number of bytes of object @i that lie below file offset @x: @x is in
 * unit n = x / S, which is in round q = n / C at position u = n % C.  Every
 * object has q full units below round q; objects before u also have their
 * unit of round q, object u has the x % S bytes of it below x.  The result
 * never exceeds x, so nothing overflows.
 */
static uint64_t obj_bound(uint64_t ssize, uint64_t scount, uint64_t i, uint64_t x)
{
	uint64_t n = x / ssize, q = n / scount, u = n % scount;
	uint64_t b = q * ssize;

	if (i < u)
		b += ssize;
	else if (i == u)
		b += x % ssize;
	return b;
}

int proto_stripe_map(const struct proto_layout *l, uint64_t off, uint32_t *stripe, uint64_t *objoff)
{
	uint64_t ssize, scount, unit;
	int rc = geom(l, &ssize, &scount);

	if (rc)
		return rc;
	if (off >= PROTO_FILE_SIZE_MAX)
		return -EOVERFLOW;
	unit = off / ssize;
	*stripe = (uint32_t)(unit % scount);
	*objoff = unit / scount * ssize + off % ssize;
	return 0;
}

int proto_stripe_unmap(const struct proto_layout *l, uint32_t stripe, uint64_t objoff,
		       uint64_t *off)
{
	uint64_t ssize, scount, unit, res;
	int rc = geom(l, &ssize, &scount);

	if (rc)
		return rc;
	if (stripe >= scount)
		return -EINVAL;
	/* unit = (objoff / S) * C + stripe; off = unit * S + objoff % S */
	if (__builtin_mul_overflow(objoff / ssize, scount, &unit) ||
	    __builtin_add_overflow(unit, stripe, &unit) ||
	    __builtin_mul_overflow(unit, ssize, &res) ||
	    __builtin_add_overflow(res, objoff % ssize, &res) || res >= PROTO_FILE_SIZE_MAX)
		return -EOVERFLOW;
	*off = res;
	return 0;
}

/* Stripe units that [off, off+len) touches; the range is already checked. */
static uint64_t units_touched(uint64_t ssize, uint64_t off, uint64_t len)
{
	return len ? (off + len - 1) / ssize - off / ssize + 1 : 0;
}

int proto_stripe_chunk_count(const struct proto_layout *l, uint64_t off, uint64_t len, uint64_t *n)
{
	uint64_t ssize, scount;
	int rc = geom(l, &ssize, &scount);

	if (!rc)
		rc = range_ok(off, len);
	if (rc)
		return rc;
	*n = units_touched(ssize, off, len);
	return 0;
}

int proto_stripe_chunks(const struct proto_layout *l, uint64_t off, uint64_t len,
			struct proto_stripe_chunk *out, size_t cap)
{
	uint64_t ssize, scount, n, cur, end;
	int rc = geom(l, &ssize, &scount);

	if (!rc)
		rc = range_ok(off, len);
	if (rc)
		return rc;
	n = units_touched(ssize, off, len);
	if (n > cap || n > INT32_MAX)
		return -E2BIG;
	end = off + len;
	/* (unit + 1) * S <= cur + S < 2^63 + 2^32: no overflow. */
	for (cur = off; cur < end;) {
		uint64_t unit = cur / ssize;
		uint64_t uend = (unit + 1) * ssize;
		uint64_t clen = (uend < end ? uend : end) - cur;

		out->stripe = (uint32_t)(unit % scount);
		out->objoff = unit / scount * ssize + cur % ssize;
		out->len = clen;
		out->bufoff = cur - off;
		out++;
		cur += clen;
	}
	return (int)n;
}

int proto_stripe_obj_range(const struct proto_layout *l, uint32_t stripe, uint64_t off,
			   uint64_t len, uint64_t *start, uint64_t *end)
{
	uint64_t ssize, scount;
	int rc = geom(l, &ssize, &scount);

	if (rc)
		return rc;
	if (stripe >= scount)
		return -EINVAL;
	rc = range_ok(off, len);
	if (rc)
		return rc;
	/*
	 * The object's bytes in [off, off+len) are those below off+len minus
	 * those below off; both sets are prefixes of the object, so their
	 * difference is one contiguous object range.
	 */
	*start = obj_bound(ssize, scount, stripe, off);
	*end = obj_bound(ssize, scount, stripe, off + len);
	return 0;
}

int proto_stripe_extents(const struct proto_layout *l, uint64_t off, uint64_t len,
			 struct proto_obj_extent *out, size_t cap)
{
	uint64_t ssize, scount, units;
	size_t n;
	int rc = geom(l, &ssize, &scount);

	if (!rc)
		rc = range_ok(off, len);
	if (rc)
		return rc;
	units = units_touched(ssize, off, len);
	/* Consecutive units go to consecutive objects: min(units, C) are touched. */
	n = (size_t)(units < scount ? units : scount);
	if (n > cap)
		return -E2BIG;
	for (uint64_t i = 0, k = 0; i < scount && k < n; i++) {
		uint64_t s = obj_bound(ssize, scount, i, off);
		uint64_t e = obj_bound(ssize, scount, i, off + len);

		if (s == e)
			continue;
		out[k].stripe = (uint32_t)i;
		out[k].start = s;
		out[k].end = e;
		k++;
	}
	return (int)n;
}

int proto_stripe_obj_size(const struct proto_layout *l, uint32_t stripe, uint64_t size,
			  uint64_t *objsize)
{
	uint64_t ssize, scount;
	int rc = geom(l, &ssize, &scount);

	if (rc)
		return rc;
	if (stripe >= scount)
		return -EINVAL;
	if (size > PROTO_FILE_SIZE_MAX)
		return -EOVERFLOW;
	*objsize = obj_bound(ssize, scount, stripe, size);
	return 0;
}

int proto_stripe_trunc_sizes(const struct proto_layout *l, uint64_t size, uint64_t *objsizes,
			     size_t n)
{
	uint64_t ssize, scount;
	int rc = geom(l, &ssize, &scount);

	if (rc)
		return rc;
	if (n != scount)
		return -EINVAL;
	if (size > PROTO_FILE_SIZE_MAX)
		return -EOVERFLOW;
	for (uint64_t i = 0; i < scount; i++)
		objsizes[i] = obj_bound(ssize, scount, i, size);
	return 0;
}

int proto_stripe_file_size(const struct proto_layout *l, const uint64_t *objsizes, size_t n,
			   uint64_t *size)
{
	uint64_t ssize, scount, best = 0, off;
	int rc = geom(l, &ssize, &scount);

	if (rc)
		return rc;
	if (n != scount)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		if (objsizes[i] == 0)
			continue;
		rc = proto_stripe_unmap(l, i, objsizes[i] - 1, &off);
		if (rc)
			return rc;
		if (off + 1 > best)
			best = off + 1;
	}
	*size = best;
	return 0;
}
