/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bounds-checked byte cursor: the only way stria reads or writes wire and
 * on-disk formats.  Integers are little-endian.  Errors are sticky: after the
 * first out-of-bounds access every further get/put is a no-op, getters yield 0,
 * and proto_cur_err() reports -EPROTO (decoding) or -EMSGSIZE (encoding), so an
 * encoder or decoder checks once at the end instead of after every field.
 *
 * Nothing is ever cast onto the buffer: each field is assembled byte by byte.
 */
#ifndef STRIA_PROTO_CURSOR_H
#define STRIA_PROTO_CURSOR_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fid.h"

struct proto_cur {
	uint8_t *buf;
	size_t len;
	size_t pos;
	int err; /* 0, or the first -errno */
};

/* A length-counted string that points into a decoded buffer (not NUL-terminated). */
struct proto_str {
	const char *s;
	uint32_t len;
};

static inline void proto_cur_init(struct proto_cur *c, void *buf, size_t len)
{
	c->buf = buf;
	c->len = len;
	c->pos = 0;
	c->err = 0;
}

/* Decoding from a const buffer: the getters never write through the cursor. */
static inline void proto_cur_init_ro(struct proto_cur *c, const void *buf, size_t len)
{
	proto_cur_init(c, (void *)buf, len);
}

static inline int proto_cur_err(const struct proto_cur *c)
{
	return c->err;
}

static inline size_t proto_cur_left(const struct proto_cur *c)
{
	return c->err ? 0 : c->len - c->pos;
}

/* Marks the cursor failed with @err unless it already failed. */
static inline void proto_cur_fail(struct proto_cur *c, int err)
{
	if (!c->err)
		c->err = err;
}

/* Reserves @n bytes for writing; NULL (and -EMSGSIZE) when they do not fit. */
static inline uint8_t *proto_cur_wspace(struct proto_cur *c, size_t n)
{
	uint8_t *p;

	if (c->err)
		return NULL;
	if (n > c->len - c->pos) {
		c->err = -EMSGSIZE;
		return NULL;
	}
	p = c->buf + c->pos;
	c->pos += n;
	return p;
}

/* Consumes @n bytes for reading; NULL (and -EPROTO) when they are not there. */
static inline const uint8_t *proto_cur_rspace(struct proto_cur *c, size_t n)
{
	const uint8_t *p;

	if (c->err)
		return NULL;
	if (n > c->len - c->pos) {
		c->err = -EPROTO;
		return NULL;
	}
	p = c->buf + c->pos;
	c->pos += n;
	return p;
}

static inline void proto_put_u8(struct proto_cur *c, uint8_t v)
{
	uint8_t *p = proto_cur_wspace(c, 1);

	if (p)
		p[0] = v;
}

static inline void proto_put_u16(struct proto_cur *c, uint16_t v)
{
	uint8_t *p = proto_cur_wspace(c, 2);

	if (p) {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
	}
}

static inline void proto_put_u32(struct proto_cur *c, uint32_t v)
{
	uint8_t *p = proto_cur_wspace(c, 4);

	if (p)
		for (int i = 0; i < 4; i++)
			p[i] = (uint8_t)(v >> (8 * i));
}

static inline void proto_put_u64(struct proto_cur *c, uint64_t v)
{
	uint8_t *p = proto_cur_wspace(c, 8);

	if (p)
		for (int i = 0; i < 8; i++)
			p[i] = (uint8_t)(v >> (8 * i));
}

static inline void proto_put_i32(struct proto_cur *c, int32_t v)
{
	proto_put_u32(c, (uint32_t)v);
}

static inline void proto_put_i64(struct proto_cur *c, int64_t v)
{
	proto_put_u64(c, (uint64_t)v);
}

static inline void proto_put_bytes(struct proto_cur *c, const void *src, size_t n)
{
	uint8_t *p = proto_cur_wspace(c, n);

	if (p && n)
		memcpy(p, src, n);
}

/* A string as u16 length + bytes; fails with -ENAMETOOLONG beyond @max. */
static inline void proto_put_str(struct proto_cur *c, const char *s, size_t len, size_t max)
{
	if (len > max || len > UINT16_MAX) {
		proto_cur_fail(c, -ENAMETOOLONG);
		return;
	}
	proto_put_u16(c, (uint16_t)len);
	proto_put_bytes(c, s, len);
}

static inline void proto_put_fid(struct proto_cur *c, const struct proto_fid *f)
{
	proto_put_u64(c, f->seq);
	proto_put_u32(c, f->oid);
	proto_put_u32(c, f->ver);
}

static inline uint8_t proto_get_u8(struct proto_cur *c)
{
	const uint8_t *p = proto_cur_rspace(c, 1);

	return p ? p[0] : 0;
}

static inline uint16_t proto_get_u16(struct proto_cur *c)
{
	const uint8_t *p = proto_cur_rspace(c, 2);

	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

static inline uint32_t proto_get_u32(struct proto_cur *c)
{
	const uint8_t *p = proto_cur_rspace(c, 4);
	uint32_t v = 0;

	if (p)
		for (int i = 3; i >= 0; i--)
			v = v << 8 | p[i];
	return v;
}

static inline uint64_t proto_get_u64(struct proto_cur *c)
{
	const uint8_t *p = proto_cur_rspace(c, 8);
	uint64_t v = 0;

	if (p)
		for (int i = 7; i >= 0; i--)
			v = v << 8 | p[i];
	return v;
}

static inline int32_t proto_get_i32(struct proto_cur *c)
{
	return (int32_t)proto_get_u32(c);
}

static inline int64_t proto_get_i64(struct proto_cur *c)
{
	return (int64_t)proto_get_u64(c);
}

static inline void proto_get_bytes(struct proto_cur *c, void *dst, size_t n)
{
	const uint8_t *p = proto_cur_rspace(c, n);

	if (p && n)
		memcpy(dst, p, n);
	else if (n)
		memset(dst, 0, n);
}

/*
 * A u16-counted string, returned as a pointer into the buffer.  A length above
 * @max fails the cursor with -EPROTO (a peer that sends an over-long name is
 * broken: well-behaved encoders refuse it with -ENAMETOOLONG).
 */
static inline void proto_get_str(struct proto_cur *c, struct proto_str *out, size_t max)
{
	uint16_t len = proto_get_u16(c);
	const uint8_t *p;

	out->s = "";
	out->len = 0;
	if (len > max) {
		proto_cur_fail(c, -EPROTO);
		return;
	}
	p = proto_cur_rspace(c, len);
	if (p) {
		out->s = (const char *)p;
		out->len = len;
	}
}

static inline void proto_get_fid(struct proto_cur *c, struct proto_fid *f)
{
	f->seq = proto_get_u64(c);
	f->oid = proto_get_u32(c);
	f->ver = proto_get_u32(c);
}

/*
 * Ends a decode: the cursor's error, or -EPROTO if bytes are left over (a body
 * must be exactly as long as its fields).
 */
static inline int proto_cur_finish(const struct proto_cur *c)
{
	if (c->err)
		return c->err;
	return c->pos == c->len ? 0 : -EPROTO;
}

#endif
