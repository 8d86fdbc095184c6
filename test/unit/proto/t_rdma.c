/* SPDX-License-Identifier: Apache-2.0 */
/* The o2ib transport's wire: connection private data and frames (rdma.c). */
#include "t_unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "proto/rdma.h"

#define FRAME_CAP 8192

/* A sealed message header (as net_msg_seal makes it) for @op with @body_len and @bulk_len. */
static void make_hdr(uint8_t out[PROTO_HDR_LEN], uint16_t op, uint32_t flags, uint32_t body_len,
		     uint32_t bulk_len)
{
	struct proto_hdr h = {
	    .magic = PROTO_MAGIC,
	    .version = PROTO_VERSION,
	    .opcode = op,
	    .flags = flags,
	    .xid = 0x1122334455667788ULL,
	    .body_len = body_len,
	    .bulk_len = bulk_len,
	    .bulk_csum = bulk_len ? 0xdeadbeef : 0,
	};

	proto_hdr_encode(&h, out);
}

static void conn_round_trips(void **state)
{
	uint8_t buf[PROTO_RDMA_CONN_LEN + 8] = {0};
	struct proto_rdma_conn p = {.queue_depth = 32, .msg_size = 8192}, q = {0};

	proto_rdma_conn_enc(buf, &p);
	assert_memory_equal(buf, "SRC1", 4);
	assert_int_equal(proto_rdma_conn_dec(buf, PROTO_RDMA_CONN_LEN, &q), 0);
	assert_int_equal(q.queue_depth, 32);
	assert_int_equal(q.msg_size, 8192);
	/* rdma_cm may hand over more private data than was sent. */
	assert_int_equal(proto_rdma_conn_dec(buf, sizeof(buf), &q), 0);
}

static void conn_bad_data_is_refused(void **state)
{
	uint8_t buf[PROTO_RDMA_CONN_LEN];
	struct proto_rdma_conn p = {.queue_depth = 32, .msg_size = 8192};
	struct proto_rdma_conn q = {.queue_depth = 7, .msg_size = 7};

	proto_rdma_conn_enc(buf, &p);
	assert_int_equal(proto_rdma_conn_dec(buf, PROTO_RDMA_CONN_LEN - 1, &q), -EPROTO);
	assert_int_equal(proto_rdma_conn_dec(NULL, 0, &q), -EPROTO);
	buf[0] ^= 1;
	assert_int_equal(proto_rdma_conn_dec(buf, sizeof(buf), &q), -EPROTO);
	buf[0] ^= 1;
	buf[4] = PROTO_RDMA_VERSION + 1;
	assert_int_equal(proto_rdma_conn_dec(buf, sizeof(buf), &q), -EPROTONOSUPPORT);
	p.queue_depth = PROTO_RDMA_QD_MIN - 1;
	proto_rdma_conn_enc(buf, &p);
	assert_int_equal(proto_rdma_conn_dec(buf, sizeof(buf), &q), -EINVAL);
	p.queue_depth = PROTO_RDMA_QD_MAX + 1;
	proto_rdma_conn_enc(buf, &p);
	assert_int_equal(proto_rdma_conn_dec(buf, sizeof(buf), &q), -EINVAL);
	p.queue_depth = 32;
	p.msg_size = PROTO_RDMA_MSG_MIN - 1;
	proto_rdma_conn_enc(buf, &p);
	assert_int_equal(proto_rdma_conn_dec(buf, sizeof(buf), &q), -EINVAL);
	p.msg_size = PROTO_RDMA_MSG_MAX + 1;
	proto_rdma_conn_enc(buf, &p);
	assert_int_equal(proto_rdma_conn_dec(buf, sizeof(buf), &q), -EINVAL);
	/* Nothing was written on any failure. */
	assert_int_equal(q.queue_depth, 7);
	assert_int_equal(q.msg_size, 7);
}

static void frame_msg_inline_round_trips(void **state)
{
	uint8_t hdr[PROTO_HDR_LEN], body[300], buf[FRAME_CAP];
	uint64_t done[3] = {0x1000, 0xffffffffffff0000ULL, 42};
	struct proto_rdma_frame f = {.type = PROTO_RDMA_MSG, .credits = 17, .ndone = 3}, g;
	int len;

	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)i;
	make_hdr(hdr, PROTO_OP_MDS_GETATTR, 0, sizeof(body), 0);
	len = proto_rdma_frame_enc(buf, sizeof(buf), &f, done, hdr, body, sizeof(body));
	assert_int_equal(len, PROTO_RDMA_FIXED_LEN + 3 * 8 + PROTO_HDR_LEN + sizeof(body));
	assert_int_equal(proto_rdma_frame_prefix_len(0, 3), PROTO_RDMA_FIXED_LEN + 3 * 8);
	assert_memory_equal(buf, "SRF1", 4);
	assert_int_equal(proto_rdma_frame_dec(buf, (size_t)len, PROTO_BODY_MAX, &g), 0);
	assert_int_equal(g.type, PROTO_RDMA_MSG);
	assert_int_equal(g.flags, 0);
	assert_int_equal(g.credits, 17);
	assert_int_equal(g.ndone, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_true(proto_rdma_frame_done(&g, i) == done[i]);
	assert_ptr_equal(g.hdr_buf, buf + PROTO_RDMA_FIXED_LEN + 24);
	assert_memory_equal(g.hdr_buf, hdr, PROTO_HDR_LEN);
	assert_int_equal(g.hdr.opcode, PROTO_OP_MDS_GETATTR);
	assert_int_equal(g.hdr.body_len, sizeof(body));
	assert_true(g.hdr.xid == 0x1122334455667788ULL);
	assert_memory_equal(g.body_inline, body, sizeof(body));
}

static void frame_descriptors_round_trip(void **state)
{
	uint8_t hdr[PROTO_HDR_LEN], buf[FRAME_CAP];
	struct proto_rdma_frame f =
				    {
					.type = PROTO_RDMA_MSG,
					.flags = PROTO_RDMA_F_BODY_READ | PROTO_RDMA_F_BULK_READ,
					.credits = 1,
					.body = {0x7f0000001000ULL, 0xaabbccdd, 16 * 1024},
					.bulk = {0x7f0000100000ULL, 0x11223344, PROTO_BULK_MAX},
				    },
				g;
	int len;

	/* A write whose body (MDS_CREATE-sized) and bulk both wait for the reader. */
	make_hdr(hdr, PROTO_OP_OST_WRITE, 0, 1000, PROTO_BULK_MAX);
	f.body.len = 1000;
	len = proto_rdma_frame_enc(buf, sizeof(buf), &f, NULL, hdr, NULL, 0);
	assert_int_equal(len, PROTO_RDMA_FIXED_LEN + 2 * PROTO_RDMA_DESC_LEN + PROTO_HDR_LEN);
	assert_int_equal(proto_rdma_frame_dec(buf, (size_t)len, PROTO_BODY_MAX, &g), 0);
	assert_true(g.body.addr == f.body.addr);
	assert_int_equal(g.body.rkey, f.body.rkey);
	assert_int_equal(g.body.len, 1000);
	assert_true(g.bulk.addr == f.bulk.addr);
	assert_int_equal(g.bulk.rkey, f.bulk.rkey);
	assert_int_equal(g.bulk.len, PROTO_BULK_MAX);
	assert_null(g.body_inline);

	/* A read request naming a sink, and its reply written into it. */
	make_hdr(hdr, PROTO_OP_OST_READ, 0, 100, 0);
	memset(&f, 0, sizeof(f));
	f.type = PROTO_RDMA_MSG;
	f.flags = PROTO_RDMA_F_SINK;
	f.sink = (struct proto_rdma_desc){0x1234000, 77, PROTO_BULK_MAX};
	len = proto_rdma_frame_enc(buf, sizeof(buf), &f, NULL, hdr, buf + 4000, 100);
	assert_true(len > 0);
	assert_int_equal(proto_rdma_frame_dec(buf, (size_t)len, PROTO_BODY_MAX, &g), 0);
	assert_true(g.sink.addr == 0x1234000);
	assert_int_equal(g.sink.rkey, 77);
	assert_int_equal(g.sink.len, PROTO_BULK_MAX);

	make_hdr(hdr, PROTO_OP_OST_READ, PROTO_F_REPLY, 24, 65536);
	memset(&f, 0, sizeof(f));
	f.type = PROTO_RDMA_MSG;
	f.flags = PROTO_RDMA_F_BULK_WRITTEN;
	len = proto_rdma_frame_enc(buf, sizeof(buf), &f, NULL, hdr, buf + 4000, 24);
	assert_true(len > 0);
	assert_int_equal(proto_rdma_frame_dec(buf, (size_t)len, PROTO_BODY_MAX, &g), 0);
	assert_int_equal(g.flags, PROTO_RDMA_F_BULK_WRITTEN);
	assert_int_equal(g.hdr.bulk_len, 65536);
}

static void frame_noop_round_trips(void **state)
{
	uint8_t buf[64];
	uint64_t done[1] = {0xabc};
	struct proto_rdma_frame f = {.type = PROTO_RDMA_NOOP, .credits = 65535, .ndone = 1}, g;
	int len = proto_rdma_frame_enc(buf, sizeof(buf), &f, done, NULL, NULL, 0);

	assert_int_equal(len, PROTO_RDMA_FIXED_LEN + 8);
	assert_int_equal(proto_rdma_frame_dec(buf, (size_t)len, PROTO_BODY_MAX, &g), 0);
	assert_int_equal(g.type, PROTO_RDMA_NOOP);
	assert_int_equal(g.credits, 65535);
	assert_int_equal(g.ndone, 1);
	assert_true(proto_rdma_frame_done(&g, 0) == 0xabc);
	assert_null(g.hdr_buf);
	/* A byte after the last done address is not a NOOP. */
	buf[len] = 0;
	assert_int_equal(proto_rdma_frame_dec(buf, (size_t)len + 1, PROTO_BODY_MAX, &g), -EBADMSG);
}

static void frame_encoder_refuses_what_cannot_fit_or_be_valid(void **state)
{
	uint8_t hdr[PROTO_HDR_LEN], body[100] = {0}, buf[FRAME_CAP];
	struct proto_rdma_frame f = {.type = PROTO_RDMA_MSG};

	make_hdr(hdr, PROTO_OP_PING, 0, sizeof(body), 0);
	assert_int_equal(proto_rdma_frame_enc(buf, PROTO_RDMA_FIXED_LEN + PROTO_HDR_LEN + 99, &f,
					      NULL, hdr, body, sizeof(body)),
			 -EMSGSIZE);
	assert_int_equal(proto_rdma_frame_enc(buf, sizeof(buf), &f, NULL, NULL, NULL, 0), -EINVAL);
	f.type = 3;
	assert_int_equal(proto_rdma_frame_enc(buf, sizeof(buf), &f, NULL, hdr, NULL, 0), -EINVAL);
	f.type = PROTO_RDMA_NOOP;
	f.flags = PROTO_RDMA_F_SINK;
	assert_int_equal(proto_rdma_frame_enc(buf, sizeof(buf), &f, NULL, NULL, NULL, 0), -EINVAL);
	f.flags = 0;
	f.credits = 65536;
	assert_int_equal(proto_rdma_frame_enc(buf, sizeof(buf), &f, NULL, NULL, NULL, 0), -EINVAL);
}

/* A valid request frame with every section: sink, one done address, inline body. */
static size_t sample_frame(uint8_t *buf, size_t cap)
{
	uint8_t hdr[PROTO_HDR_LEN], body[64];
	uint64_t done[1] = {0x5000};
	struct proto_rdma_frame f = {.type = PROTO_RDMA_MSG,
				     .flags = PROTO_RDMA_F_SINK | PROTO_RDMA_F_BULK_READ,
				     .credits = 3,
				     .ndone = 1,
				     .bulk = {0x9000, 5, 4096},
				     .sink = {0x8000, 9, 4096}};
	int len;

	memset(body, 0x5a, sizeof(body));
	make_hdr(hdr, PROTO_OP_OST_WRITE, 0, sizeof(body), 4096);
	len = proto_rdma_frame_enc(buf, cap, &f, done, hdr, body, sizeof(body));
	assert_true(len > 0);
	return (size_t)len;
}

static void frame_every_truncation_is_ebadmsg(void **state)
{
	uint8_t buf[FRAME_CAP];
	struct proto_rdma_frame g, untouched;
	size_t len = sample_frame(buf, sizeof(buf));

	assert_int_equal(proto_rdma_frame_dec(buf, len, PROTO_BODY_MAX, &g), 0);
	memset(&untouched, 0x6b, sizeof(untouched));
	for (size_t n = 0; n < len; n++) {
		/* A copy of exactly n bytes, so ASan sees any read past the end. */
		uint8_t *cut = malloc(n ? n : 1);

		memcpy(cut, buf, n);
		g = untouched;
		assert_int_equal(proto_rdma_frame_dec(cut, n, PROTO_BODY_MAX, &g), -EBADMSG);
		assert_memory_equal(&g, &untouched, sizeof(g));
		free(cut);
	}
	/* One byte too many: the inline body no longer matches body_len. */
	assert_int_equal(proto_rdma_frame_dec(buf, len + 1, PROTO_BODY_MAX, &g), -EBADMSG);
}

static void frame_any_corrupt_byte_is_refused_or_harmless(void **state)
{
	uint8_t buf[FRAME_CAP];
	size_t len = sample_frame(buf, sizeof(buf));

	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			uint8_t *copy = malloc(len);
			struct proto_rdma_frame g;
			int rc;

			memcpy(copy, buf, len);
			copy[i] ^= (uint8_t)(1u << bit);
			rc = proto_rdma_frame_dec(copy, len, PROTO_BODY_MAX, &g);
			assert_true(rc == 0 || rc == -EBADMSG);
			/* Magic, version, type and reserved bytes are never accepted altered. */
			if (i < 6 || (i >= 12 && i < 16))
				assert_int_equal(rc, -EBADMSG);
			free(copy);
		}
	}
}

/* Encodes @f with a header of the given shape and returns what the decoder says. */
static int dec_shape(struct proto_rdma_frame f, uint16_t op, uint32_t hflags, uint32_t body_len,
		     uint32_t inline_len, uint32_t bulk_len, uint32_t body_cap)
{
	static uint8_t body[PROTO_BODY_MAX];
	static uint8_t buf[PROTO_BODY_MAX + 1024];
	uint8_t hdr[PROTO_HDR_LEN];
	struct proto_rdma_frame g;
	int len;

	f.type = PROTO_RDMA_MSG;
	make_hdr(hdr, op, hflags, body_len, bulk_len);
	len = proto_rdma_frame_enc(buf, sizeof(buf), &f, NULL, hdr, body, inline_len);
	assert_true(len > 0);
	return proto_rdma_frame_dec(buf, (size_t)len, body_cap, &g);
}

static void frame_rule_violations_are_ebadmsg(void **state)
{
	const struct proto_rdma_desc d4k = {0x1000, 1, 4096};
	struct proto_rdma_frame f = {0};
	uint8_t buf[64];
	struct proto_rdma_frame g;

	/* The baseline shapes are accepted. */
	assert_int_equal(dec_shape(f, PROTO_OP_PING, 0, 50, 50, 0, PROTO_BODY_MAX), 0);
	f.flags = PROTO_RDMA_F_BULK_READ;
	f.bulk = d4k;
	assert_int_equal(dec_shape(f, PROTO_OP_OST_WRITE, 0, 50, 50, 4096, PROTO_BODY_MAX), 0);

	/* Inline body shorter or longer than body_len. */
	f = (struct proto_rdma_frame){0};
	assert_int_equal(dec_shape(f, PROTO_OP_PING, 0, 50, 49, 0, PROTO_BODY_MAX), -EBADMSG);
	assert_int_equal(dec_shape(f, PROTO_OP_PING, 0, 50, 51, 0, PROTO_BODY_MAX), -EBADMSG);
	/* A body over the cap (a peer before its handshake). */
	assert_int_equal(
	    dec_shape(f, PROTO_OP_MDS_CREATE, 0, 4000, 4000, 0, PROTO_PREAUTH_BODY_MAX), -EBADMSG);
	/* Body by READ: the descriptor must match body_len, and nothing may be inline. */
	f.flags = PROTO_RDMA_F_BODY_READ;
	f.body = (struct proto_rdma_desc){0x1000, 1, 4000};
	assert_int_equal(dec_shape(f, PROTO_OP_MDS_CREATE, 0, 4000, 0, 0, PROTO_BODY_MAX), 0);
	assert_int_equal(dec_shape(f, PROTO_OP_MDS_CREATE, 0, 4001, 0, 0, PROTO_BODY_MAX),
			 -EBADMSG);
	assert_int_equal(dec_shape(f, PROTO_OP_MDS_CREATE, 0, 4000, 1, 0, PROTO_BODY_MAX),
			 -EBADMSG);
	f.body.len = 0;
	assert_int_equal(dec_shape(f, PROTO_OP_MDS_CREATE, 0, 0, 0, 0, PROTO_BODY_MAX), -EBADMSG);
	/* Bulk without a way to move it, or with two. */
	f = (struct proto_rdma_frame){0};
	assert_int_equal(dec_shape(f, PROTO_OP_OST_WRITE, 0, 50, 50, 4096, PROTO_BODY_MAX),
			 -EBADMSG);
	f.flags = PROTO_RDMA_F_BULK_READ | PROTO_RDMA_F_BULK_WRITTEN;
	f.bulk = d4k;
	assert_int_equal(
	    dec_shape(f, PROTO_OP_OST_READ, PROTO_F_REPLY, 50, 50, 4096, PROTO_BODY_MAX), -EBADMSG);
	/* A bulk descriptor of another length than bulk_len, or bulk flags with no bulk. */
	f.flags = PROTO_RDMA_F_BULK_READ;
	f.bulk.len = 4095;
	assert_int_equal(dec_shape(f, PROTO_OP_OST_WRITE, 0, 50, 50, 4096, PROTO_BODY_MAX),
			 -EBADMSG);
	f.bulk.len = 4096;
	assert_int_equal(dec_shape(f, PROTO_OP_PING, 0, 50, 50, 0, PROTO_BODY_MAX), -EBADMSG);
	/* WRITTEN only on replies; SINK only on requests, with a sane size. */
	f = (struct proto_rdma_frame){.flags = PROTO_RDMA_F_BULK_WRITTEN};
	assert_int_equal(dec_shape(f, PROTO_OP_OST_WRITE, 0, 50, 50, 4096, PROTO_BODY_MAX),
			 -EBADMSG);
	f = (struct proto_rdma_frame){.flags = PROTO_RDMA_F_SINK, .sink = d4k};
	assert_int_equal(dec_shape(f, PROTO_OP_OST_READ, 0, 50, 50, 0, PROTO_BODY_MAX), 0);
	assert_int_equal(dec_shape(f, PROTO_OP_OST_READ, PROTO_F_REPLY, 50, 50, 0, PROTO_BODY_MAX),
			 -EBADMSG);
	f.sink.len = 0;
	assert_int_equal(dec_shape(f, PROTO_OP_OST_READ, 0, 50, 50, 0, PROTO_BODY_MAX), -EBADMSG);
	f.sink.len = PROTO_BULK_MAX + 1;
	assert_int_equal(dec_shape(f, PROTO_OP_OST_READ, 0, 50, 50, 0, PROTO_BODY_MAX), -EBADMSG);

	/* A NOOP with flags, a done count past the end, reserved bits, an unknown type. */
	memset(buf, 0, sizeof(buf));
	f = (struct proto_rdma_frame){.type = PROTO_RDMA_NOOP, .credits = 1};
	assert_int_equal(proto_rdma_frame_enc(buf, sizeof(buf), &f, NULL, NULL, NULL, 0),
			 PROTO_RDMA_FIXED_LEN);
	assert_int_equal(proto_rdma_frame_dec(buf, PROTO_RDMA_FIXED_LEN, PROTO_BODY_MAX, &g), 0);
	buf[6] = PROTO_RDMA_F_SINK;
	assert_int_equal(proto_rdma_frame_dec(buf, PROTO_RDMA_FIXED_LEN, PROTO_BODY_MAX, &g),
			 -EBADMSG);
	buf[6] = 0;
	buf[10] = 0xff; /* ndone = 255 in a 16-byte frame */
	assert_int_equal(proto_rdma_frame_dec(buf, PROTO_RDMA_FIXED_LEN, PROTO_BODY_MAX, &g),
			 -EBADMSG);
	buf[10] = 0;
	buf[13] = 1;
	assert_int_equal(proto_rdma_frame_dec(buf, PROTO_RDMA_FIXED_LEN, PROTO_BODY_MAX, &g),
			 -EBADMSG);
	buf[13] = 0;
	buf[5] = 9;
	assert_int_equal(proto_rdma_frame_dec(buf, PROTO_RDMA_FIXED_LEN, PROTO_BODY_MAX, &g),
			 -EBADMSG);
	/* A message whose header itself is bad (wrong magic). */
	{
		uint8_t hdr[PROTO_HDR_LEN], fb[256];
		struct proto_rdma_frame m = {.type = PROTO_RDMA_MSG};
		int len;

		make_hdr(hdr, PROTO_OP_PING, 0, 0, 0);
		hdr[0] ^= 0xff;
		len = proto_rdma_frame_enc(fb, sizeof(fb), &m, NULL, hdr, NULL, 0);
		assert_int_equal(proto_rdma_frame_dec(fb, (size_t)len, PROTO_BODY_MAX, &g),
				 -EBADMSG);
		/* The header's own RDMA flag is not this framing's. */
		make_hdr(hdr, PROTO_OP_PING, PROTO_F_BULK_RDMA, 0, 0);
		len = proto_rdma_frame_enc(fb, sizeof(fb), &m, NULL, hdr, NULL, 0);
		assert_int_equal(proto_rdma_frame_dec(fb, (size_t)len, PROTO_BODY_MAX, &g),
				 -EBADMSG);
	}
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(conn_round_trips),
    cmocka_unit_test(conn_bad_data_is_refused),
    cmocka_unit_test(frame_msg_inline_round_trips),
    cmocka_unit_test(frame_descriptors_round_trip),
    cmocka_unit_test(frame_noop_round_trips),
    cmocka_unit_test(frame_encoder_refuses_what_cannot_fit_or_be_valid),
    cmocka_unit_test(frame_every_truncation_is_ebadmsg),
    cmocka_unit_test(frame_any_corrupt_byte_is_refused_or_harmless),
    cmocka_unit_test(frame_rule_violations_are_ebadmsg),
};
T_GROUP(rdma, tests)
