/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table-driven checks shared by the message-body tests (t_msg_*.c).
 *
 * Each message under test is a struct t_msg: a sample (filled with maximal
 * values where the body has variable-length fields), its encoder and
 * decoder, and the opcode whose body limit it must fit.  t_msg_check()
 * proves, for one message:
 *   - it encodes; encoding into one byte less fails with -EMSGSIZE;
 *   - it decodes, and the decoded struct re-encodes to the same bytes
 *     (every field survived the round trip);
 *   - every truncation (0 .. len-1 bytes) fails with -EPROTO;
 *   - one trailing byte fails with -EPROTO;
 *   - with an opcode: it encodes into a buffer of exactly the opcode's body
 *     limit minus the largest preamble.
 */
#ifndef STRIA_T_MSG_H
#define STRIA_T_MSG_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "t_unit.h"

#include "proto/proto.h"

typedef int (*t_enc_fn)(struct proto_cur *c, const void *m);
typedef int (*t_dec_fn)(struct proto_cur *c, void *m);

struct t_msg {
	const char *name;
	uint32_t op; /* opcode whose body limit applies; 0 for none */
	bool reply;
	t_enc_fn enc;
	t_dec_fn dec;
	const void *m;
};

/* Typed wrappers, so no function is ever called through a cast pointer. */
#define T_WRAP(T)                                                                                  \
	static int t_enc_##T(struct proto_cur *c, const void *m)                                   \
	{                                                                                          \
		return proto_##T##_enc(c, m);                                                      \
	}                                                                                          \
	static int t_dec_##T(struct proto_cur *c, void *m)                                         \
	{                                                                                          \
		return proto_##T##_dec(c, m);                                                      \
	}

#define T_MSG(op, reply, T, sample)                                                                \
	{                                                                                          \
#T " (" #sample ")", op, reply, t_enc_##T, t_dec_##T, sample                       \
	}

/* Room for any decoded message struct. */
#define T_SCRATCH (64u * 1024u)

/* The largest request preamble (all groups) and reply preamble, encoded. */
static inline size_t t_pre_max(bool reply)
{
	uint8_t buf[512];
	struct proto_cur c;
	struct proto_req_pre rq = {.creds = {.ngroups = PROTO_MAX_GROUPS}};
	struct proto_rep_pre rp = {0};

	proto_cur_init(&c, buf, sizeof(buf));
	if (reply)
		proto_rep_pre_enc(&c, &rp);
	else
		proto_req_pre_enc(&c, &rq);
	assert_int_equal(proto_cur_err(&c), 0);
	return c.pos;
}

static inline int t_decode(const struct t_msg *t, const uint8_t *buf, size_t len, void *out)
{
	struct proto_cur c;

	proto_cur_init_ro(&c, buf, len);
	return t->dec(&c, out);
}

/* Encodes @t's sample into @buf (@cap bytes); returns the length, asserting success. */
static inline size_t t_encode(const struct t_msg *t, const void *m, uint8_t *buf, size_t cap)
{
	struct proto_cur c;
	int rc;

	proto_cur_init(&c, buf, cap);
	rc = t->enc(&c, m);
	if (rc != 0)
		fail_msg("%s: encode failed: %d", t->name, rc);
	return c.pos;
}

static inline void t_msg_check(const struct t_msg *t)
{
	size_t cap = PROTO_BODY_MAX + 64, len, len2;
	uint8_t *buf = malloc(cap), *buf2 = malloc(cap);
	void *out = calloc(1, T_SCRATCH);
	struct proto_cur c;
	int rc;

	assert_non_null(buf);
	assert_non_null(buf2);
	assert_non_null(out);
	len = t_encode(t, t->m, buf, cap);

	/* One byte short: the encoder notices. */
	if (len > 0) {
		proto_cur_init(&c, buf2, len - 1);
		rc = t->enc(&c, t->m);
		if (rc != -EMSGSIZE)
			fail_msg("%s: short buffer gave %d", t->name, rc);
	}

	/* Round trip: decode, re-encode, same bytes. */
	rc = t_decode(t, buf, len, out);
	if (rc != 0)
		fail_msg("%s: decode failed: %d", t->name, rc);
	len2 = t_encode(t, out, buf2, cap);
	if (len2 != len || memcmp(buf, buf2, len) != 0)
		fail_msg("%s: re-encoding differs (%zu vs %zu bytes)", t->name, len2, len);

	/* Every truncation is malformed. */
	for (size_t i = 0; i < len; i++) {
		rc = t_decode(t, buf, i, out);
		if (rc != -EPROTO)
			fail_msg("%s: truncated to %zu of %zu gave %d", t->name, i, len, rc);
	}

	/* So is a trailing byte. */
	buf[len] = 0;
	rc = t_decode(t, buf, len + 1, out);
	if (rc != -EPROTO)
		fail_msg("%s: trailing byte gave %d", t->name, rc);

	/* It fits its opcode's limit with the largest preamble. */
	if (t->op) {
		uint32_t max =
		    t->reply ? proto_op_rep_body_max(t->op) : proto_op_req_body_max(t->op);
		size_t pre = t_pre_max(t->reply);

		assert_true(max > pre);
		proto_cur_init(&c, buf2, max - pre);
		rc = t->enc(&c, t->m);
		if (rc != 0)
			fail_msg("%s: %zu bytes do not fit %s's %s limit %u - %zu", t->name, len,
				 proto_op_name(t->op), t->reply ? "reply" : "request", max, pre);
	}
	free(out);
	free(buf2);
	free(buf);
}

static inline void t_msg_check_all(const struct t_msg *tab, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t_msg_check(&tab[i]);
}

/*
 * Every defined opcode in [lo, hi] has a request and a reply sample in @tab
 * (so a new opcode cannot be added without its bodies being tested).
 */
static inline void t_msg_cover(const struct t_msg *tab, size_t n, uint32_t lo, uint32_t hi)
{
	for (uint32_t op = lo; op <= hi; op++) {
		bool req = false, rep = false;

		if (!proto_op_valid(op))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (tab[i].op != op)
				continue;
			if (tab[i].reply)
				rep = true;
			else
				req = true;
		}
		if (!req || !rep)
			fail_msg("%s has no %s sample", proto_op_name(op),
				 req ? "reply" : "request");
	}
}

/* A string of @n copies of @ch in a static buffer of @cap bytes. */
static inline struct proto_str t_fill(char *buf, size_t n, char ch)
{
	memset(buf, ch, n);
	return (struct proto_str){buf, (uint32_t)n};
}

#endif
