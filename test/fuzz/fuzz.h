/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared driver of the libFuzzer targets.  Each target has a table of the
 * decoders of one message family; the first input byte picks one, the rest is
 * the body.  A body that decodes must re-encode, the re-encoding must decode,
 * and that must re-encode to the same bytes (no field is lost or invented
 * between the two directions).  A failure is an abort, so libFuzzer keeps the
 * input.
 */
#ifndef STRIA_FUZZ_H
#define STRIA_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*fz_enc_fn)(struct proto_cur *c, const void *m);
typedef int (*fz_dec_fn)(struct proto_cur *c, void *m);

struct fz_msg {
	const char *name;
	fz_enc_fn enc;
	fz_dec_fn dec;
};

#define FZ_WRAP(T)                                                                                 \
	static int fz_enc_##T(struct proto_cur *c, const void *m)                                  \
	{                                                                                          \
		return proto_##T##_enc(c, m);                                                      \
	}                                                                                          \
	static int fz_dec_##T(struct proto_cur *c, void *m)                                        \
	{                                                                                          \
		return proto_##T##_dec(c, m);                                                      \
	}

#define FZ_MSG(T)                                                                                  \
	{                                                                                          \
#T, fz_enc_##T, fz_dec_##T                                                         \
	}

#define FZ_CHECK(cond)                                                                             \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Room for any decoded struct, and for any re-encoded body. */
#define FZ_SCRATCH (64u * 1024u)
#define FZ_BUF	   (PROTO_BODY_MAX + 64u)

static _Alignas(16) uint8_t fz_m1[FZ_SCRATCH], fz_m2[FZ_SCRATCH];
static uint8_t fz_b1[FZ_BUF], fz_b2[FZ_BUF];

static inline void fz_run(const struct fz_msg *m, const uint8_t *body, size_t len)
{
	struct proto_cur c;
	size_t len1;
	int rc;

	if (len > PROTO_BODY_MAX)
		return;
	proto_cur_init_ro(&c, body, len);
	rc = m->dec(&c, fz_m1);
	FZ_CHECK(rc <= 0);
	if (rc != 0)
		return;

	proto_cur_init(&c, fz_b1, FZ_BUF);
	FZ_CHECK(m->enc(&c, fz_m1) == 0);
	len1 = c.pos;

	proto_cur_init_ro(&c, fz_b1, len1);
	FZ_CHECK(m->dec(&c, fz_m2) == 0);
	proto_cur_init(&c, fz_b2, FZ_BUF);
	FZ_CHECK(m->enc(&c, fz_m2) == 0);
	FZ_CHECK(c.pos == len1 && memcmp(fz_b1, fz_b2, len1) == 0);
}

/* Picks a decoder of @tab with the first byte and runs it on the rest. */
static inline void fz_dispatch(const struct fz_msg *tab, size_t n, const uint8_t *data, size_t size)
{
	if (size < 1)
		return;
	fz_run(&tab[data[0] % n], data + 1, size - 1);
}

#endif
