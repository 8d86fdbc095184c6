/* SPDX-License-Identifier: Apache-2.0 */
/* Failure point SPECs: what stria-mds --fail and stria fail_set accept. */
#include "t_unit.h"

#include <errno.h>
#include <string.h>

#include "proto/proto.h"

static void failspec_defaults_to_once_on_every_opcode(void **state)
{
	struct proto_mgs_fail_set_req m;

	assert_int_equal(proto_fail_spec_parse("drop_reply", &m), 0);
	assert_int_equal(m.id, PROTO_FAIL_DROP_REPLY);
	assert_int_equal(m.mode, PROTO_FAIL_ONCE);
	assert_int_equal(m.value, 0);
	assert_int_equal(m.count, 0);
}

static void failspec_takes_opcode_names_and_numbers(void **state)
{
	struct proto_mgs_fail_set_req m;

	assert_int_equal(proto_fail_spec_parse("drop_reply,op=MDS_CREATE", &m), 0);
	assert_int_equal(m.value, PROTO_OP_MDS_CREATE);
	assert_int_equal(proto_fail_spec_parse("drop_reply,op=mds_rename,mode=always", &m), 0);
	assert_int_equal(m.value, PROTO_OP_MDS_RENAME);
	assert_int_equal(m.mode, PROTO_FAIL_ALWAYS);
	assert_int_equal(proto_fail_spec_parse("crash_after_commit,op=0x3", &m), 0);
	assert_int_equal(m.id, PROTO_FAIL_CRASH_AFTER_COMMIT);
	assert_int_equal(m.value, 3);
	assert_int_equal(proto_fail_spec_parse("delay,value=250,mode=some,count=4", &m), 0);
	assert_int_equal(m.id, PROTO_FAIL_DELAY);
	assert_int_equal(m.value, 250);
	assert_int_equal(m.mode, PROTO_FAIL_SOME);
	assert_int_equal(m.count, 4);
	assert_int_equal(proto_fail_spec_parse("drop_request,mode=off", &m), 0);
	assert_int_equal(m.mode, PROTO_FAIL_OFF);
}

static void failspec_rejects_malformed_specs(void **state)
{
	static const char *const bad[] = {
	    "drop_reply,op=MDS_NOSUCH",
	    "drop_reply,op=65535",
	    "drop_reply,mode=twice",
	    "drop_reply,count=-1",
	    "drop_reply,count=",
	    "drop_reply,value=4294967296",
	    "drop_reply,op",
	    "drop_reply,colour=red",
	};
	struct proto_mgs_fail_set_req m = {.id = 7};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(proto_fail_spec_parse(bad[i], &m), -EINVAL);
		assert_int_equal(m.id, 7); /* untouched on failure */
	}
	assert_int_equal(proto_fail_spec_parse("drop_everything", &m), -ENOENT);
	assert_int_equal(proto_fail_spec_parse("", &m), -ENOENT);
	assert_int_equal(m.id, 7);
}

static void failspec_names_round_trip(void **state)
{
	struct proto_mgs_fail_set_req m;

	for (uint32_t id = PROTO_FAIL_POINT_FIRST; id <= PROTO_FAIL_POINT_LAST; id++) {
		assert_non_null(proto_fail_point_name(id));
		assert_int_equal(proto_fail_spec_parse(proto_fail_point_name(id), &m), 0);
		assert_int_equal(m.id, id);
	}
	assert_null(proto_fail_point_name(PROTO_FAIL_POINT_FIRST - 1));
	assert_null(proto_fail_point_name(PROTO_FAIL_POINT_LAST + 1));
	assert_string_equal(proto_fail_mode_name(PROTO_FAIL_RAND), "rand");
	assert_null(proto_fail_mode_name(PROTO_FAIL_RAND + 1));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(failspec_defaults_to_once_on_every_opcode),
    cmocka_unit_test(failspec_takes_opcode_names_and_numbers),
    cmocka_unit_test(failspec_rejects_malformed_specs),
    cmocka_unit_test(failspec_names_round_trip),
};
T_GROUP(failspec, tests)
