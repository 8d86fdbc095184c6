/* SPDX-License-Identifier: Apache-2.0 */
#include "t_unit.h"

#include <errno.h>
#include <string.h>

#include "proto/proto.h"

static void vxattr_statfs_list_round_trips(void **state)
{
	struct proto_tgt_statfs in[2] = {
	    {.type = PROTO_TARGET_MDT,
	     .index = 0,
	     .name = "testfs-MDT0000",
	     .sfs = {.bsize = 4096, .namemax = 255, .blocks = 100, .files = 50, .ffree = 7}},
	    {.type = PROTO_TARGET_OST, .index = 10, .name = "testfs-OST000a", .status = -EIO},
	};
	struct proto_tgt_statfs out[2];
	uint8_t buf[512];
	uint32_t n = 0;
	int len = proto_tgt_statfs_list_enc(in, 2, buf, sizeof(buf));

	assert_true(len > 0);
	assert_int_equal(proto_tgt_statfs_list_dec(buf, (size_t)len, out, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[1].name, "testfs-OST000a");
	assert_int_equal(out[1].status, -EIO);
	assert_int_equal(out[0].sfs.ffree, 7);
	/* a caller with room for one entry still learns the count */
	assert_int_equal(proto_tgt_statfs_list_dec(buf, (size_t)len, out, 1, &n), 0);
	assert_int_equal(n, 2);
	/* every truncation is malformed, and so is another version */
	for (int k = 0; k < len; k++)
		assert_int_equal(proto_tgt_statfs_list_dec(buf, (size_t)k, out, 2, &n), -EPROTO);
	buf[0] = 9;
	assert_int_equal(proto_tgt_statfs_list_dec(buf, (size_t)len, out, 2, &n), -EPROTO);
	/* too small a buffer to encode */
	assert_int_equal(proto_tgt_statfs_list_enc(in, 2, buf, 20), -EMSGSIZE);
}

static void vxattr_statfs_list_refuses_hostile_count(void **state)
{
	uint8_t buf[8];
	struct proto_tgt_statfs out[1];
	struct proto_cur c;
	uint32_t n;

	proto_cur_init(&c, buf, sizeof(buf));
	proto_put_u32(&c, PROTO_VXATTR_STATFS_VERSION);
	proto_put_u32(&c, 0xffffffffu);
	assert_int_equal(proto_tgt_statfs_list_dec(buf, sizeof(buf), out, 1, &n), -EPROTO);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(vxattr_statfs_list_round_trips),
    cmocka_unit_test(vxattr_statfs_list_refuses_hostile_count),
};
T_GROUP(vxattr, tests)
