/* SPDX-License-Identifier: Apache-2.0 */
#include "t_unit.h"

#include <string.h>

#include "oss/objpath.h"

static void objpath_matches_documented_layout(void **state)
{
	char buf[OSS_OBJPATH_MAX];

	assert_string_equal(oss_objpath(1, buf), "0/00/00/1");
	assert_string_equal(oss_objpath(0x1ff, buf), "0/00/01/1ff");
	assert_string_equal(oss_objpath(0x12345678, buf), "12/34/56/12345678");
	assert_string_equal(oss_objpath(UINT64_MAX, buf), "ffffffffff/ff/ff/ffffffffffffffff");
	assert_true(strlen(buf) < OSS_OBJPATH_MAX);
	assert_string_equal(oss_objpath_dir(0x12345678, 1, buf), "12");
	assert_string_equal(oss_objpath_dir(0x12345678, 2, buf), "12/34");
	assert_string_equal(oss_objpath_dir(0x12345678, 3, buf), "12/34/56");
}

static void objpath_object_lives_in_its_leaf(void **state)
{
	char path[OSS_OBJPATH_MAX], leaf[OSS_OBJPATH_MAX];

	for (uint64_t id = 1; id < (1ULL << 40); id = id * 3 + 7) {
		size_t n = strlen(oss_objpath_dir(id, 3, leaf));

		oss_objpath(id, path);
		assert_memory_equal(path, leaf, n);
		assert_int_equal(path[n], '/');
	}
}

static void objpath_leaf_holds_256_consecutive_ids(void **state)
{
	char a[OSS_OBJPATH_MAX], b[OSS_OBJPATH_MAX];

	/* ids 0x100..0x1ff share one leaf; 0x200 starts the next */
	assert_string_equal(oss_objpath_dir(0x100, 3, a), oss_objpath_dir(0x1ff, 3, b));
	assert_string_not_equal(oss_objpath_dir(0x1ff, 3, a), oss_objpath_dir(0x200, 3, b));
	assert_int_equal(oss_objpath_leaf_key(0x1ff), oss_objpath_leaf_key(0x100));
	assert_int_not_equal(oss_objpath_leaf_key(0x200), oss_objpath_leaf_key(0x1ff));
	/* the mid and top levels fan out 256 ways too */
	assert_string_not_equal(oss_objpath_dir(0xffff, 2, a), oss_objpath_dir(0x10000, 2, b));
	assert_string_equal(oss_objpath_dir(0xffffff, 1, a), "0");
	assert_string_equal(oss_objpath_dir(0x1000000, 1, b), "1");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(objpath_matches_documented_layout),
    cmocka_unit_test(objpath_object_lives_in_its_leaf),
    cmocka_unit_test(objpath_leaf_holds_256_consecutive_ids),
};
T_GROUP(objpath, tests)
