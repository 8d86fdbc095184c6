/* SPDX-License-Identifier: Apache-2.0 */
#include "t_msg.h"

#include <linux/falloc.h>

static const struct proto_fid fid_a = {0x200000400ULL, 0x11, 0x1};

static struct proto_ost_precreate_req s_precreate_req = {3, 1000, PROTO_OST_PRECREATE_MAX};
static struct proto_ost_precreate_rep s_precreate_rep = {1000 + PROTO_OST_PRECREATE_MAX - 1};
static struct proto_ost_orphan_req s_orphan_req = {3, 0x123456789ULL};
static struct proto_ost_orphan_rep s_orphan_rep = {0x123456800ULL, 0x77};
static struct proto_ost_destroy_req s_destroy_req;
static struct proto_ost_io_req s_read_req, s_write_req, s_write_req_rdma;
static struct proto_ost_read_rep s_read_rep = {PROTO_BULK_MAX, 0xdeadbeef};
static struct proto_ost_write_rep s_write_rep = {PROTO_BULK_MAX, 1ULL << 40, 1ULL << 31};
static struct proto_ost_punch_req s_punch_req = {3, 9, 4096, UINT64_MAX, PROTO_OST_F_SYNC};
static struct proto_ost_falloc_req s_falloc_req = {
    3, 9, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20, PROTO_OST_F_SYNC};
static struct proto_ost_size_rep s_size_rep = {1 << 20, 2048};
static struct proto_ost_obj_req s_obj_req = {3, 9};
static struct proto_ost_getattr_rep s_getattr_rep = {12345, 24, {1700000000, 999999999}};
static struct proto_ost_sync_req s_sync_req = {3, 9, 4096, 8192};
static struct proto_ost_sync_req s_sync_req_all = {3, 0, 0, UINT64_MAX};
static struct proto_ost_statfs_req s_statfs_req = {3};
static struct proto_ost_copy_req s_copy_req;
static struct proto_ost_statfs_rep s_statfs_rep = {{4096, 255, 1 << 30, 1 << 29, 1 << 28, 7, 6}};

static void samples_init(void)
{
	s_destroy_req.ost_idx = 3;
	s_destroy_req.count = PROTO_OST_DESTROY_MAX;
	for (uint32_t i = 0; i < PROTO_OST_DESTROY_MAX; i++)
		s_destroy_req.objids[i] = 0x100000000ULL + i;
	s_read_req = (struct proto_ost_io_req){
	    .ost_idx = 3,
	    .objid = 9,
	    .parent = fid_a,
	    .stripe = 2,
	    .offset = 1ULL << 33,
	    .length = PROTO_BULK_MAX,
	    .flags = 0,
	    .bulk = {PROTO_BULK_INLINE, 0, 0, PROTO_BULK_MAX, 0},
	};
	s_write_req = s_read_req;
	s_write_req.flags = PROTO_OST_F_SYNC;
	s_write_req_rdma = s_write_req;
	s_write_req_rdma.bulk = (struct proto_bulk_desc){PROTO_BULK_RDMA, 0x1234, 0x7fff00001000ULL,
							 PROTO_BULK_MAX, 0xcafef00d};
	s_copy_req = (struct proto_ost_copy_req){
	    .src_ost_idx = 2,
	    .src_objid = 0x100000001ULL,
	    .src_offset = (1ULL << 40) + 77,
	    .ost_idx = 3,
	    .objid = 9,
	    .parent = fid_a,
	    .stripe = 1,
	    .offset = 1ULL << 33,
	    .length = PROTO_OST_COPY_MAX,
	    .flags = PROTO_OST_F_SYNC,
	};
}

static int t_enc_empty(struct proto_cur *c, const void *m)
{
	return proto_ost_empty_enc(c);
}

static int t_dec_empty(struct proto_cur *c, void *m)
{
	return proto_ost_empty_dec(c);
}

T_WRAP(ost_precreate_req)
T_WRAP(ost_precreate_rep)
T_WRAP(ost_orphan_req)
T_WRAP(ost_orphan_rep)
T_WRAP(ost_destroy_req)
T_WRAP(ost_io_req)
T_WRAP(ost_read_rep)
T_WRAP(ost_write_rep)
T_WRAP(ost_punch_req)
T_WRAP(ost_falloc_req)
T_WRAP(ost_size_rep)
T_WRAP(ost_obj_req)
T_WRAP(ost_getattr_rep)
T_WRAP(ost_sync_req)
T_WRAP(ost_statfs_req)
T_WRAP(ost_statfs_rep)
T_WRAP(ost_copy_req)

#define Q false
#define R true

static const struct t_msg table[] = {
    T_MSG(PROTO_OP_OST_PRECREATE, Q, ost_precreate_req, &s_precreate_req),
    T_MSG(PROTO_OP_OST_PRECREATE, R, ost_precreate_rep, &s_precreate_rep),
    T_MSG(PROTO_OP_OST_ORPHAN_CLEANUP, Q, ost_orphan_req, &s_orphan_req),
    T_MSG(PROTO_OP_OST_ORPHAN_CLEANUP, R, ost_orphan_rep, &s_orphan_rep),
    T_MSG(PROTO_OP_OST_DESTROY, Q, ost_destroy_req, &s_destroy_req),
    T_MSG(PROTO_OP_OST_DESTROY, R, empty, NULL),
    T_MSG(PROTO_OP_OST_READ, Q, ost_io_req, &s_read_req),
    T_MSG(PROTO_OP_OST_READ, R, ost_read_rep, &s_read_rep),
    T_MSG(PROTO_OP_OST_WRITE, Q, ost_io_req, &s_write_req),
    T_MSG(0, Q, ost_io_req, &s_write_req_rdma),
    T_MSG(PROTO_OP_OST_WRITE, R, ost_write_rep, &s_write_rep),
    T_MSG(PROTO_OP_OST_PUNCH, Q, ost_punch_req, &s_punch_req),
    T_MSG(PROTO_OP_OST_PUNCH, R, ost_size_rep, &s_size_rep),
    T_MSG(PROTO_OP_OST_FALLOCATE, Q, ost_falloc_req, &s_falloc_req),
    T_MSG(PROTO_OP_OST_FALLOCATE, R, ost_size_rep, &s_size_rep),
    T_MSG(PROTO_OP_OST_GETATTR, Q, ost_obj_req, &s_obj_req),
    T_MSG(PROTO_OP_OST_GETATTR, R, ost_getattr_rep, &s_getattr_rep),
    T_MSG(PROTO_OP_OST_SYNC, Q, ost_sync_req, &s_sync_req),
    T_MSG(0, Q, ost_sync_req, &s_sync_req_all),
    T_MSG(PROTO_OP_OST_SYNC, R, empty, NULL),
    T_MSG(PROTO_OP_OST_STATFS, Q, ost_statfs_req, &s_statfs_req),
    T_MSG(PROTO_OP_OST_STATFS, R, ost_statfs_rep, &s_statfs_rep),
    T_MSG(PROTO_OP_OST_COPY, Q, ost_copy_req, &s_copy_req),
    T_MSG(PROTO_OP_OST_COPY, R, ost_write_rep, &s_write_rep),
};

#define NTAB (sizeof(table) / sizeof(table[0]))

static void msg_ost_every_message_round_trips_and_rejects_truncation(void **state)
{
	samples_init();
	t_msg_check_all(table, NTAB);
}

static void msg_ost_every_opcode_has_bodies(void **state)
{
	t_msg_cover(table, NTAB, PROTO_OP_OST_PRECREATE, PROTO_OP_OST_COPY);
}

/* Encodes @m with @enc, overwrites the u32/u64 at @off, decodes with @dec. */
static int patched(t_enc_fn enc, t_dec_fn dec, const void *m, size_t off, uint64_t v, int width)
{
	static uint8_t buf[4096], out[T_SCRATCH];
	struct proto_cur c;
	size_t len;

	proto_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(enc(&c, m), 0);
	len = c.pos;
	proto_cur_init(&c, buf + off, (size_t)width);
	if (width == 8)
		proto_put_u64(&c, v);
	else
		proto_put_u32(&c, (uint32_t)v);
	proto_cur_init_ro(&c, buf, len);
	return dec(&c, out);
}

#define P32(T, m, off, v) patched(t_enc_##T, t_dec_##T, (m), (off), (v), 4)
#define P64(T, m, off, v) patched(t_enc_##T, t_dec_##T, (m), (off), (v), 8)

static void msg_ost_bad_values_fail(void **state)
{
	samples_init();
	/* precreate: first id 0, count 0 and over the cap, a range that wraps */
	assert_int_equal(P64(ost_precreate_req, &s_precreate_req, 4, 0), -EPROTO);
	assert_int_equal(P32(ost_precreate_req, &s_precreate_req, 12, 0), -EPROTO);
	assert_int_equal(P32(ost_precreate_req, &s_precreate_req, 12, PROTO_OST_PRECREATE_MAX + 1),
			 -EPROTO);
	assert_int_equal(P64(ost_precreate_req, &s_precreate_req, 4, UINT64_MAX - 5), -EPROTO);
	/* destroy: count over the cap, an objid 0 */
	assert_int_equal(P32(ost_destroy_req, &s_destroy_req, 4, PROTO_OST_DESTROY_MAX + 1),
			 -EPROTO);
	assert_int_equal(P64(ost_destroy_req, &s_destroy_req, 8 + 8 * 17, 0), -EPROTO);
	/* io: objid 0, unknown flag, length over the bulk cap, bulk len mismatch, no bulk */
	assert_int_equal(P64(ost_io_req, &s_write_req, 4, 0), -EPROTO);
	assert_int_equal(P32(ost_io_req, &s_write_req, 44, 2), -EPROTO);
	assert_int_equal(P32(ost_io_req, &s_write_req, 40, PROTO_BULK_MAX + 1), -EPROTO);
	assert_int_equal(P32(ost_io_req, &s_write_req, 40, 4096), -EPROTO);
	assert_int_equal(P32(ost_io_req, &s_write_req, 48, PROTO_BULK_NONE), -EPROTO);
	assert_int_equal(P32(ost_io_req, &s_write_req, 48, 3), -EPROTO);
	assert_int_equal(P64(ost_io_req, &s_write_req, 32, UINT64_MAX - 10), -EPROTO);
	/* replies: counts over the bulk cap */
	assert_int_equal(P32(ost_read_rep, &s_read_rep, 0, PROTO_BULK_MAX + 1), -EPROTO);
	assert_int_equal(P32(ost_write_rep, &s_write_rep, 0, PROTO_BULK_MAX + 1), -EPROTO);
	/* punch: start past end, unknown flag */
	assert_int_equal(P64(ost_punch_req, &s_punch_req, 20, 4095), -EPROTO);
	assert_int_equal(P32(ost_punch_req, &s_punch_req, 28, 4), -EPROTO);
	/* fallocate: any mode decodes; length 0 and a wrapping range do not */
	assert_int_equal(P32(ost_falloc_req, &s_falloc_req, 12, 0x40), 0);
	assert_int_equal(P64(ost_falloc_req, &s_falloc_req, 24, 0), -EPROTO);
	assert_int_equal(P64(ost_falloc_req, &s_falloc_req, 16, UINT64_MAX), -EPROTO);
	/* sync: start past end; a whole-target sync with a range */
	assert_int_equal(P64(ost_sync_req, &s_sync_req, 12, 9000), -EPROTO);
	assert_int_equal(P64(ost_sync_req, &s_sync_req_all, 20, 5), -EPROTO);
	/* getattr: nsec out of range, objid 0 */
	assert_int_equal(P32(ost_getattr_rep, &s_getattr_rep, 24, 1000000000u), -EPROTO);
	assert_int_equal(P64(ost_obj_req, &s_obj_req, 4, 0), -EPROTO);
	/* copy: either objid 0, length 0 or over the cap, a range that wraps, unknown flag */
	assert_int_equal(P64(ost_copy_req, &s_copy_req, 4, 0), -EPROTO);
	assert_int_equal(P64(ost_copy_req, &s_copy_req, 24, 0), -EPROTO);
	assert_int_equal(P32(ost_copy_req, &s_copy_req, 60, 0), -EPROTO);
	assert_int_equal(P32(ost_copy_req, &s_copy_req, 60, PROTO_OST_COPY_MAX + 1), -EPROTO);
	assert_int_equal(P64(ost_copy_req, &s_copy_req, 12, UINT64_MAX - 10), -EPROTO);
	assert_int_equal(P64(ost_copy_req, &s_copy_req, 52, UINT64_MAX - 10), -EPROTO);
	assert_int_equal(P32(ost_copy_req, &s_copy_req, 64, 2), -EPROTO);
	assert_int_equal(P32(ost_copy_req, &s_copy_req, 60, 1), 0);
}

static void msg_ost_destroy_cap_enforced_by_encoder(void **state)
{
	static uint8_t buf[8192];
	struct proto_cur c;

	samples_init();
	s_destroy_req.count = PROTO_OST_DESTROY_MAX + 1;
	proto_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(proto_ost_destroy_req_enc(&c, &s_destroy_req), -EINVAL);
	s_destroy_req.count = 0;
	proto_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(proto_ost_destroy_req_enc(&c, &s_destroy_req), -EINVAL);
}

static void msg_ost_io_fields_match(void **state)
{
	static uint8_t buf[256];
	struct proto_ost_io_req r;
	struct proto_cur c;

	samples_init();
	proto_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(proto_ost_io_req_enc(&c, &s_write_req_rdma), 0);
	proto_cur_init_ro(&c, buf, c.pos);
	assert_int_equal(proto_ost_io_req_dec(&c, &r), 0);
	assert_int_equal(r.objid, 9);
	assert_true(proto_fid_eq(&r.parent, &fid_a));
	assert_int_equal(r.stripe, 2);
	assert_int_equal(r.offset, 1ULL << 33);
	assert_int_equal(r.bulk.kind, PROTO_BULK_RDMA);
	assert_int_equal(r.bulk.addr, 0x7fff00001000ULL);
	assert_int_equal(r.bulk.rkey, 0x1234);
	assert_int_equal(r.bulk.csum, 0xcafef00d);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(msg_ost_every_message_round_trips_and_rejects_truncation),
    cmocka_unit_test(msg_ost_every_opcode_has_bodies),
    cmocka_unit_test(msg_ost_bad_values_fail),
    cmocka_unit_test(msg_ost_destroy_cap_enforced_by_encoder),
    cmocka_unit_test(msg_ost_io_fields_match),
};
T_GROUP(msg_ost, tests)
