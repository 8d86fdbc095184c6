/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the message header and the preambles.  The input is
 * taken as a whole message: a header, then (if it decodes) a preamble of the
 * kind its flags say, then a body that is ignored here.
 */
#include "fuzz.h"

static int enc_req_pre(struct proto_cur *c, const void *m)
{
	proto_req_pre_enc(c, m);
	return proto_cur_err(c);
}

static int dec_req_pre(struct proto_cur *c, void *m)
{
	proto_req_pre_dec(c, m);
	return proto_cur_finish(c);
}

static int enc_rep_pre(struct proto_cur *c, const void *m)
{
	proto_rep_pre_enc(c, m);
	return proto_cur_err(c);
}

static int dec_rep_pre(struct proto_cur *c, void *m)
{
	proto_rep_pre_dec(c, m);
	return proto_cur_finish(c);
}

static const struct fz_msg req_pre = {"req_pre", enc_req_pre, dec_req_pre};
static const struct fz_msg rep_pre = {"rep_pre", enc_rep_pre, dec_rep_pre};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_hdr h, h2;
	uint8_t buf[PROTO_HDR_LEN];
	const uint8_t *body;
	struct proto_cur c;
	size_t left;
	int rc;

	if (size < PROTO_HDR_LEN)
		return 0;
	rc = proto_hdr_decode(data, size & 1 ? PROTO_PREAUTH_BODY_MAX : PROTO_BODY_MAX, &h);
	FZ_CHECK(rc == 0 || rc == -EPROTO || rc == -EPROTONOSUPPORT || rc == -EMSGSIZE);
	(void)proto_hdr_csum(data, data + PROTO_HDR_LEN, (uint32_t)(size - PROTO_HDR_LEN));
	if (rc != 0)
		return 0;
	FZ_CHECK(proto_op_valid(h.opcode));
	(void)proto_status_from_wire(h.status);

	/* The header re-encodes to the same bytes (the reserved field aside). */
	proto_hdr_encode(&h, buf);
	FZ_CHECK(memcmp(buf, data, PROTO_HDR_LEN - 8) == 0);
	FZ_CHECK(proto_hdr_decode(buf, PROTO_BODY_MAX, &h2) == 0);
	FZ_CHECK(memcmp(&h, &h2, sizeof(h)) == 0);

	/* The preamble: the whole rest, then the rest cut to what it claims. */
	body = data + PROTO_HDR_LEN;
	left = size - PROTO_HDR_LEN;
	fz_run(h.flags & PROTO_F_REPLY ? &rep_pre : &req_pre, body, left);
	if (!(h.flags & PROTO_F_REPLY)) {
		struct proto_req_pre p;

		proto_cur_init_ro(&c, body, left);
		proto_req_pre_dec(&c, &p);
		if (proto_cur_err(&c) == 0)
			fz_run(&req_pre, body, c.pos);
	} else if (left >= 16) {
		fz_run(&rep_pre, body, 16);
	}
	return 0;
}
