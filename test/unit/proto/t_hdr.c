/* SPDX-License-Identifier: Apache-2.0 */
/* The message header, the preambles and the session bodies (hdr.c, msg_session.c). */
#include "t_msg.h"

static struct proto_hdr hdr_sample(void)
{
	return (struct proto_hdr){
	    .magic = PROTO_MAGIC,
	    .version = PROTO_VERSION,
	    .opcode = PROTO_OP_OST_WRITE,
	    .flags = PROTO_F_RESENT,
	    .status = 0,
	    .xid = 0x0102030405060708ULL,
	    .body_len = 200,
	    .bulk_len = PROTO_BULK_MAX,
	    .bulk_csum = 0xabcdef01,
	    .hdr_csum = 0x11223344,
	};
}

static int decode(const struct proto_hdr *h, uint32_t cap, struct proto_hdr *out)
{
	uint8_t buf[PROTO_HDR_LEN];

	proto_hdr_encode(h, buf);
	return proto_hdr_decode(buf, cap, out);
}

static void hdr_round_trips(void **state)
{
	struct proto_hdr h = hdr_sample(), out;
	uint8_t buf[PROTO_HDR_LEN];

	proto_hdr_encode(&h, buf);
	/* little-endian magic first: the bytes "STI1" */
	assert_memory_equal(buf, "STI1", 4);
	assert_int_equal(proto_hdr_decode(buf, PROTO_BODY_MAX, &out), 0);
	assert_memory_equal(&h, &out, sizeof(h));
}

static void hdr_bad_magic_fails(void **state)
{
	struct proto_hdr h = hdr_sample(), out;

	h.magic ^= 1;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EPROTO);
}

static void hdr_other_version_not_supported(void **state)
{
	struct proto_hdr h = hdr_sample(), out;

	h.version = PROTO_VERSION + 1;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EPROTONOSUPPORT);
	h.version = 0;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EPROTONOSUPPORT);
}

static void hdr_unknown_opcode_fails(void **state)
{
	struct proto_hdr h = hdr_sample(), out;
	const uint16_t bad[] = {PROTO_OP_NONE, 4, 9, 33, 48, 63, 78, PROTO_OP_LIMIT, 0xffff};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h.opcode = bad[i];
		assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EPROTO);
		assert_false(proto_op_valid(bad[i]));
		assert_null(proto_op_name(bad[i]));
		assert_int_equal(proto_op_req_body_max(bad[i]), 0);
	}
	assert_string_equal(proto_op_name(PROTO_OP_MDS_CREATE), "MDS_CREATE");
	assert_string_equal(proto_op_name(PROTO_OP_OST_STATFS), "OST_STATFS");
}

static void hdr_unknown_flags_fail(void **state)
{
	struct proto_hdr h = hdr_sample(), out;

	h.flags = PROTO_F_RESENT | (1u << 5);
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EPROTO);
	h.flags = 1u << 31;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EPROTO);
}

static void hdr_request_with_status_fails(void **state)
{
	struct proto_hdr h = hdr_sample(), out;

	h.status = -EIO;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EPROTO);
	/* the same status in a reply is fine */
	h.flags = PROTO_F_REPLY;
	h.bulk_len = 0;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), 0);
	assert_int_equal(out.status, -EIO);
}

static void hdr_over_limit_lengths_fail(void **state)
{
	struct proto_hdr h = hdr_sample(), out;

	h.body_len = proto_op_req_body_max(PROTO_OP_OST_WRITE);
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), 0);
	h.body_len++;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EMSGSIZE);
	h.body_len = 100;
	h.bulk_len = PROTO_BULK_MAX + 1;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EMSGSIZE);
	/* a write reply carries no bulk */
	h.flags = PROTO_F_REPLY;
	h.bulk_len = 1;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EMSGSIZE);
	/* the caller's cap (before the handshake) is tighter than the opcode's */
	h = hdr_sample();
	h.opcode = PROTO_OP_MDS_SETXATTR;
	h.bulk_len = 0;
	h.body_len = PROTO_PREAUTH_BODY_MAX + 1;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), 0);
	assert_int_equal(decode(&h, PROTO_PREAUTH_BODY_MAX, &out), -EMSGSIZE);
}

static void hdr_rdma_bulk_has_no_inline_length(void **state)
{
	struct proto_hdr h = hdr_sample(), out;

	h.flags = PROTO_F_BULK_RDMA;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EPROTO);
	h.bulk_len = 0;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), 0);
}

static void hdr_decode_writes_out_only_on_success(void **state)
{
	struct proto_hdr h = hdr_sample(), out;

	memset(&out, 0x5a, sizeof(out));
	h.magic = 0;
	assert_int_equal(decode(&h, PROTO_BODY_MAX, &out), -EPROTO);
	assert_int_equal(out.xid, 0x5a5a5a5a5a5a5a5aULL);
}

static void hdr_csum_covers_header_and_body(void **state)
{
	struct proto_hdr h = hdr_sample();
	uint8_t buf[PROTO_HDR_LEN], body[32] = "the body of a message";
	uint32_t sum, sum2;

	h.hdr_csum = 0;
	proto_hdr_encode(&h, buf);
	sum = proto_hdr_csum(buf, body, sizeof(body));
	/* the stored checksum itself does not take part */
	h.hdr_csum = sum;
	proto_hdr_encode(&h, buf);
	assert_int_equal(proto_hdr_csum(buf, body, sizeof(body)), sum);
	/* equal to a CRC32C over the header with the field zeroed, then the body */
	sum2 = proto_crc32c(0, buf, 36);
	sum2 = proto_crc32c(sum2, "\0\0\0\0", 4);
	sum2 = proto_crc32c(sum2, buf + 40, PROTO_HDR_LEN - 40);
	sum2 = proto_crc32c(sum2, body, sizeof(body));
	assert_int_equal(sum, sum2);
	/* any header or body byte changes it */
	body[3] ^= 1;
	assert_int_not_equal(proto_hdr_csum(buf, body, sizeof(body)), sum);
	body[3] ^= 1;
	buf[20] ^= 0x80; /* xid */
	assert_int_not_equal(proto_hdr_csum(buf, body, sizeof(body)), sum);
	assert_int_not_equal(proto_hdr_csum(buf, NULL, 0), 0);
}

static void hdr_status_from_wire_bounds(void **state)
{
	assert_int_equal(proto_status_from_wire(0), 0);
	assert_int_equal(proto_status_from_wire(-ENOENT), -ENOENT);
	assert_int_equal(proto_status_from_wire(-4095), -4095);
	assert_int_equal(proto_status_from_wire(-4096), -EPROTO);
	assert_int_equal(proto_status_from_wire(5), -EPROTO);
	assert_int_equal(proto_status_from_wire(INT32_MIN), -EPROTO);
}

/* ---- preambles ---- */

static int t_enc_req_pre(struct proto_cur *c, const void *m)
{
	proto_req_pre_enc(c, m);
	return proto_cur_err(c);
}

static int t_dec_req_pre(struct proto_cur *c, void *m)
{
	proto_req_pre_dec(c, m);
	return proto_cur_finish(c);
}

static int t_enc_rep_pre(struct proto_cur *c, const void *m)
{
	proto_rep_pre_enc(c, m);
	return proto_cur_err(c);
}

static int t_dec_rep_pre(struct proto_cur *c, void *m)
{
	proto_rep_pre_dec(c, m);
	return proto_cur_finish(c);
}

T_WRAP(connect_req)
T_WRAP(connect_rep)
T_WRAP(ping)

static struct proto_req_pre s_req_pre;
static struct proto_rep_pre s_rep_pre = {0x1111222233334444ULL, 0x55, 0x77, 0x66};
static struct proto_connect_req s_connect_req;
static struct proto_connect_rep s_connect_rep;
static struct proto_ping s_ping = {0xfeedfacecafebeefULL};

static void samples_init(void)
{
	s_req_pre.creds.fsuid = 1000;
	s_req_pre.creds.fsgid = 1001;
	s_req_pre.creds.ngroups = PROTO_MAX_GROUPS;
	for (uint32_t i = 0; i < PROTO_MAX_GROUPS; i++)
		s_req_pre.creds.groups[i] = 2000 + i;
	s_req_pre.acked_xid = 0x99;

	memset(&s_connect_req, 0, sizeof(s_connect_req));
	s_connect_req.phase = PROTO_CONNECT_PROOF;
	s_connect_req.version = PROTO_VERSION;
	s_connect_req.role = PROTO_ROLE_CLIENT;
	strcpy(s_connect_req.fsname, "testfs12");
	memset(s_connect_req.uuid, 0x11, PROTO_UUID_LEN);
	s_connect_req.conn_gen = 4;
	memset(s_connect_req.nonce, 0x22, PROTO_NONCE_LEN);
	memset(s_connect_req.mac, 0x33, PROTO_MAC_LEN);

	memset(&s_connect_rep, 0, sizeof(s_connect_rep));
	s_connect_rep.phase = PROTO_CONNECT_HELLO;
	s_connect_rep.auth_required = 1;
	s_connect_rep.version = PROTO_VERSION;
	memset(s_connect_rep.server_uuid, 0x44, PROTO_UUID_LEN);
	memset(s_connect_rep.nonce, 0x55, PROTO_NONCE_LEN);
	memset(s_connect_rep.mac, 0x66, PROTO_MAC_LEN);
}

static const struct t_msg table[] = {
    T_MSG(0, false, req_pre, &s_req_pre),
    T_MSG(0, true, rep_pre, &s_rep_pre),
    T_MSG(PROTO_OP_CONNECT, false, connect_req, &s_connect_req),
    T_MSG(PROTO_OP_CONNECT, true, connect_rep, &s_connect_rep),
    T_MSG(PROTO_OP_DISCONNECT, false, ping, &s_ping),
    T_MSG(PROTO_OP_DISCONNECT, true, ping, &s_ping),
    T_MSG(PROTO_OP_PING, false, ping, &s_ping),
    T_MSG(PROTO_OP_PING, true, ping, &s_ping),
};

static void session_every_message_round_trips_and_rejects_truncation(void **state)
{
	samples_init();
	t_msg_check_all(table, sizeof(table) / sizeof(table[0]));
}

static void session_connect_fits_preauth_limit(void **state)
{
	uint8_t buf[PROTO_PREAUTH_BODY_MAX];
	struct proto_cur c;

	samples_init();
	proto_cur_init(&c, buf, sizeof(buf));
	proto_req_pre_enc(&c, &s_req_pre);
	assert_int_equal(proto_connect_req_enc(&c, &s_connect_req), 0);
}

static void session_bad_enums_fail(void **state)
{
	uint8_t buf[256], out[T_SCRATCH];
	struct proto_cur c;
	size_t len;

	samples_init();
	proto_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(proto_connect_req_enc(&c, &s_connect_req), 0);
	len = c.pos;
	buf[0] = 3; /* phase */
	proto_cur_init_ro(&c, buf, len);
	assert_int_equal(proto_connect_req_dec(&c, (void *)out), -EPROTO);
	buf[0] = PROTO_CONNECT_HELLO;
	buf[8] = 5; /* role */
	proto_cur_init_ro(&c, buf, len);
	assert_int_equal(proto_connect_req_dec(&c, (void *)out), -EPROTO);
	buf[8] = PROTO_ROLE_ADMIN;
	proto_cur_init_ro(&c, buf, len);
	assert_int_equal(proto_connect_req_dec(&c, (void *)out), 0);

	proto_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(proto_connect_rep_enc(&c, &s_connect_rep), 0);
	len = c.pos;
	buf[4] = 2; /* auth_required */
	proto_cur_init_ro(&c, buf, len);
	assert_int_equal(proto_connect_rep_dec(&c, (void *)out), -EPROTO);
}

static void preamble_too_many_groups_fail(void **state)
{
	uint8_t buf[512];
	struct proto_req_pre p, q;
	struct proto_cur c;

	samples_init();
	p = s_req_pre;
	p.creds.ngroups = PROTO_MAX_GROUPS + 1;
	proto_cur_init(&c, buf, sizeof(buf));
	proto_req_pre_enc(&c, &p);
	assert_int_equal(proto_cur_err(&c), -EINVAL);

	p.creds.ngroups = 1;
	proto_cur_init(&c, buf, sizeof(buf));
	proto_req_pre_enc(&c, &p);
	assert_int_equal(proto_cur_err(&c), 0);
	buf[8] = PROTO_MAX_GROUPS + 1; /* ngroups */
	proto_cur_init_ro(&c, buf, sizeof(buf));
	proto_req_pre_dec(&c, &q);
	assert_int_equal(proto_cur_err(&c), -EPROTO);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(hdr_round_trips),
    cmocka_unit_test(hdr_bad_magic_fails),
    cmocka_unit_test(hdr_other_version_not_supported),
    cmocka_unit_test(hdr_unknown_opcode_fails),
    cmocka_unit_test(hdr_unknown_flags_fail),
    cmocka_unit_test(hdr_request_with_status_fails),
    cmocka_unit_test(hdr_over_limit_lengths_fail),
    cmocka_unit_test(hdr_rdma_bulk_has_no_inline_length),
    cmocka_unit_test(hdr_decode_writes_out_only_on_success),
    cmocka_unit_test(hdr_csum_covers_header_and_body),
    cmocka_unit_test(hdr_status_from_wire_bounds),
    cmocka_unit_test(session_every_message_round_trips_and_rejects_truncation),
    cmocka_unit_test(session_connect_fits_preauth_limit),
    cmocka_unit_test(session_bad_enums_fail),
    cmocka_unit_test(preamble_too_many_groups_fail),
};
T_GROUP(hdr, tests)
