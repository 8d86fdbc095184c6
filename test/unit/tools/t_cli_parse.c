/* SPDX-License-Identifier: Apache-2.0 */
/* The stria CLI's parsing helpers: sizes, OST lists, FSNAME.POOL, find numbers. */
#include "t_unit.h"

#include <errno.h>
#include <string.h>

#include "tools/cli.h"

static void size_suffixes_are_powers_of_1024_in_either_case(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(tool_parse_size("4M", &v), 0);
	assert_int_equal(v, 4u << 20);
	assert_int_equal(tool_parse_size("4m", &v), 0);
	assert_int_equal(v, 4u << 20);
	assert_int_equal(tool_parse_size("64k", &v), 0);
	assert_int_equal(v, 64u << 10);
	assert_int_equal(tool_parse_size("1G", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(tool_parse_size("2T", &v), 0);
	assert_int_equal(v, 2ULL << 40);
	assert_int_equal(tool_parse_size("1048576", &v), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(tool_parse_size("4MB", &v), 0);
	assert_int_equal(v, 4u << 20);
	assert_int_equal(tool_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
}

static void size_garbage_is_einval_and_overflow_erange(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(tool_parse_size("", &v), -EINVAL);
	assert_int_equal(tool_parse_size("M", &v), -EINVAL);
	assert_int_equal(tool_parse_size("-1", &v), -EINVAL);
	assert_int_equal(tool_parse_size("4X", &v), -EINVAL);
	assert_int_equal(tool_parse_size("4MM", &v), -EINVAL);
	assert_int_equal(tool_parse_size("1 M", &v), -EINVAL);
	assert_int_equal(tool_parse_size("17179869184G", &v), -ERANGE);
	assert_int_equal(tool_parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(v, 7); /* untouched on failure */
}

static void int_accepts_minus_one_within_bounds(void **state)
{
	long v;

	(void)state;
	assert_int_equal(tool_parse_int("-1", -1, 256, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(tool_parse_int("256", -1, 256, &v), 0);
	assert_int_equal(tool_parse_int("257", -1, 256, &v), -EINVAL);
	assert_int_equal(tool_parse_int("-2", -1, 256, &v), -EINVAL);
	assert_int_equal(tool_parse_int("4x", -1, 256, &v), -EINVAL);
	assert_int_equal(tool_parse_int("", -1, 256, &v), -EINVAL);
}

static void ostlist_indices_ranges_and_names_in_order(void **state)
{
	uint32_t o[16];

	(void)state;
	assert_int_equal(tool_parse_ost_list("1,3,5-7", NULL, o, 16), 5);
	assert_int_equal(o[0], 1);
	assert_int_equal(o[1], 3);
	assert_int_equal(o[2], 5);
	assert_int_equal(o[3], 6);
	assert_int_equal(o[4], 7);
	assert_int_equal(tool_parse_ost_list("testfs-OST0001,testfs-OST000a", "testfs", o, 16), 2);
	assert_int_equal(o[0], 1);
	assert_int_equal(o[1], 10);
	assert_int_equal(tool_parse_ost_list("testfs-OST[0-3]", "testfs", o, 16), 4);
	assert_int_equal(o[3], 3);
	assert_int_equal(tool_parse_ost_list("testfs-OST0002_UUID,0", NULL, o, 16), 2);
	assert_int_equal(o[0], 2);
	assert_int_equal(o[1], 0);
	assert_int_equal(tool_parse_ost_list("0x10", NULL, o, 16), 1);
	assert_int_equal(o[0], 16);
}

static void ostlist_rejects_bad_items_duplicates_and_overflow(void **state)
{
	uint32_t o[4];

	(void)state;
	assert_int_equal(tool_parse_ost_list("", NULL, o, 4), -EINVAL);
	assert_int_equal(tool_parse_ost_list("1,,2", NULL, o, 4), -EINVAL);
	assert_int_equal(tool_parse_ost_list("1,", NULL, o, 4), -EINVAL);
	assert_int_equal(tool_parse_ost_list("3-1", NULL, o, 4), -EINVAL);
	assert_int_equal(tool_parse_ost_list("a", NULL, o, 4), -EINVAL);
	assert_int_equal(tool_parse_ost_list("65536", NULL, o, 4), -EINVAL);
	assert_int_equal(tool_parse_ost_list("testfs-MDT0000", NULL, o, 4), -EINVAL);
	assert_int_equal(tool_parse_ost_list("other-OST0001", "testfs", o, 4), -EINVAL);
	assert_int_equal(tool_parse_ost_list("1,2,1", NULL, o, 4), -EEXIST);
	assert_int_equal(tool_parse_ost_list("0-4", NULL, o, 4), -E2BIG);
}

static void fspool_splits_at_the_dot(void **state)
{
	char fs[PROTO_FSNAME_MAX + 1], pool[PROTO_POOL_NAME_MAX + 1];

	(void)state;
	assert_int_equal(tool_parse_fspool("testfs.flash", false, fs, pool), 0);
	assert_string_equal(fs, "testfs");
	assert_string_equal(pool, "flash");
	assert_int_equal(tool_parse_fspool("testfs", true, fs, pool), 0);
	assert_string_equal(pool, "");
	assert_int_equal(tool_parse_fspool("testfs", false, fs, pool), -EINVAL);
	assert_int_equal(tool_parse_fspool("testfs.", false, fs, pool), -EINVAL);
	assert_int_equal(tool_parse_fspool(".flash", false, fs, pool), -EINVAL);
	assert_int_equal(tool_parse_fspool("testfs.a.b", false, fs, pool), -EINVAL);
	assert_int_equal(tool_parse_fspool("testfs.waytoolongpoolname", false, fs, pool), -EINVAL);
}

static void cmp_sign_and_unit_rounding_as_find(void **state)
{
	struct tool_cmp c;

	(void)state;
	assert_int_equal(tool_parse_cmp("+1M", true, &c), 0);
	assert_true(tool_cmp_match(&c, (1u << 20) + 1)); /* rounds up to 2 units */
	assert_false(tool_cmp_match(&c, 1u << 20));
	assert_int_equal(tool_parse_cmp("-1M", true, &c), 0);
	assert_true(tool_cmp_match(&c, 0));
	assert_false(tool_cmp_match(&c, 1)); /* 1 byte is 1 unit, not less than 1 */
	assert_int_equal(tool_parse_cmp("4", false, &c), 0);
	assert_true(tool_cmp_match(&c, 4));
	assert_false(tool_cmp_match(&c, 3));
	assert_int_equal(tool_parse_cmp("-2", false, &c), 0);
	assert_true(tool_cmp_match(&c, 1));
	assert_false(tool_cmp_match(&c, 2));
	assert_int_equal(tool_parse_cmp("+", false, &c), -EINVAL);
	assert_int_equal(tool_parse_cmp("x", true, &c), -EINVAL);
}

static void human_and_percent_match_lfs_df(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(tool_human_kib(512, b, sizeof(b)), "512.0K");
	assert_string_equal(tool_human_kib(1024, b, sizeof(b)), "1.0M");
	assert_string_equal(tool_human_kib(3u << 20 | 1u << 19, b, sizeof(b)), "3.5G");
	assert_int_equal(tool_use_pct(0, 0), 0);
	assert_int_equal(tool_use_pct(1, 99), 1);
	assert_int_equal(tool_use_pct(1, 1000), 1); /* rounded up, as df(1) */
	assert_int_equal(tool_use_pct(50, 50), 50);
}

static void ino_unfolds_to_the_fid(void **state)
{
	struct proto_fid f = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 0x1234, .ver = 0}, g;

	(void)state;
	assert_int_equal(tool_ino_to_fid(proto_fid_to_ino(&f), &g), 0);
	assert_true(proto_fid_eq(&f, &g));
	f = proto_fid_root();
	assert_int_equal(tool_ino_to_fid(proto_fid_to_ino(&f), &g), 0);
	assert_true(proto_fid_eq(&f, &g));
	assert_int_equal(tool_ino_to_fid(1ULL << 63 | 5, &g), -EINVAL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(size_suffixes_are_powers_of_1024_in_either_case),
    cmocka_unit_test(size_garbage_is_einval_and_overflow_erange),
    cmocka_unit_test(int_accepts_minus_one_within_bounds),
    cmocka_unit_test(ostlist_indices_ranges_and_names_in_order),
    cmocka_unit_test(ostlist_rejects_bad_items_duplicates_and_overflow),
    cmocka_unit_test(fspool_splits_at_the_dot),
    cmocka_unit_test(cmp_sign_and_unit_rounding_as_find),
    cmocka_unit_test(human_and_percent_match_lfs_df),
    cmocka_unit_test(ino_unfolds_to_the_fid),
};

T_GROUP(cli_parse, tests)
