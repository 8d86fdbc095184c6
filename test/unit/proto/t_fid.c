/* SPDX-License-Identifier: Apache-2.0 */
#include "t_unit.h"

#include <errno.h>
#include <stdlib.h>

#include "proto/proto.h"

static void fid_prints_as_lustre(void **state)
{
	struct proto_fid f = {.seq = 0x200000400ULL, .oid = 1, .ver = 0};
	char buf[PROTO_FID_STRLEN];

	assert_string_equal(proto_fid_str(&f, buf, sizeof(buf)), "[0x200000400:0x1:0x0]");
}

static void fid_parse_round_trips(void **state)
{
	struct proto_fid f = {.seq = 0x2000013a1ULL, .oid = 0xfeed, .ver = 3}, g;
	char buf[PROTO_FID_STRLEN];

	assert_int_equal(proto_fid_parse(proto_fid_str(&f, buf, sizeof(buf)), &g), 0);
	assert_true(proto_fid_eq(&f, &g));
	assert_int_equal(proto_fid_parse("0x1:0x2:0x3", &g), 0);
	assert_int_equal(g.seq, 1);
	assert_int_equal(proto_fid_parse("[0x1:0x2]", &g), -EINVAL);
	assert_int_equal(proto_fid_parse("[0x1:0x100000000:0x0]", &g), -EINVAL);
	assert_int_equal(proto_fid_parse("[0x1:0x2:0x3]x", &g), -EINVAL);
}

static void fid_key_sorts_like_cmp(void **state)
{
	struct proto_fid a = {.seq = 1, .oid = 0xffffffff}, b = {.seq = 2, .oid = 0}, c;
	uint8_t ka[PROTO_FID_KEYLEN], kb[PROTO_FID_KEYLEN];

	proto_fid_to_key(&a, ka);
	proto_fid_to_key(&b, kb);
	assert_true(memcmp(ka, kb, PROTO_FID_KEYLEN) < 0);
	assert_true(proto_fid_cmp(&a, &b) < 0);
	proto_fid_from_key(kb, &c);
	assert_true(proto_fid_eq(&b, &c));
}

static void fid_ino_distinct_and_never_reserved(void **state)
{
	struct proto_fid root = proto_fid_root();
	struct proto_fid a = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 1};
	struct proto_fid b = {.seq = PROTO_FID_SEQ_NORMAL + 1, .oid = 1};
	struct proto_fid c = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 2};
	struct proto_fid z = {.seq = PROTO_FID_SEQ_BASE, .oid = 0};

	assert_true(proto_fid_to_ino(&a) != proto_fid_to_ino(&b));
	assert_true(proto_fid_to_ino(&a) != proto_fid_to_ino(&c));
	assert_true(proto_fid_to_ino(&root) != proto_fid_to_ino(&a));
	assert_true(proto_fid_to_ino(&z) > 1);
}

/*
 * The MDS's open-file and FID-lock tables and the client's node table hash
 * FIDs into 1024 buckets (or a power of two).  Consecutive creates differ only
 * in the oid's low bits; they must spread over all the buckets, not pile into
 * a few (the tables' old hashes put 20,000 such FIDs into 2 and 8 buckets).
 */
static void fid_hash_spreads_consecutive_oids(void **state)
{
	static const uint32_t nbuckets[] = {1024, 4096};
	const uint32_t n = 20000;

	for (size_t k = 0; k < sizeof(nbuckets) / sizeof(nbuckets[0]); k++) {
		uint32_t nb = nbuckets[k], used = 0, most = 0;
		uint32_t *load = calloc(nb, sizeof(*load));

		assert_non_null(load);
		for (uint32_t oid = 1; oid <= n; oid++) {
			struct proto_fid f = {.seq = PROTO_FID_SEQ_NORMAL, .oid = oid};
			uint32_t b = (uint32_t)(proto_fid_hash(&f) % nb);

			used += load[b]++ == 0;
			if (load[b] > most)
				most = load[b];
		}
		/* 20,000 balls in 1024 bins: all used, none past ~2x the mean. */
		assert_true(used >= nb * 9 / 10);
		assert_true(most <= 3 * (n / nb) + 8);
		free(load);
	}
	/* The sequence and the version reach the hash too. */
	struct proto_fid a = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 7};
	struct proto_fid b = {.seq = PROTO_FID_SEQ_NORMAL + 1, .oid = 7};
	struct proto_fid c = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 7, .ver = 1};

	assert_true(proto_fid_hash(&a) != proto_fid_hash(&b));
	assert_true(proto_fid_hash(&a) != proto_fid_hash(&c));
}

static void crc32c_matches_check_value(void **state)
{
	assert_int_equal(proto_crc32c(0, "123456789", 9), 0xE3069283u);
	/* chaining equals one pass */
	assert_int_equal(proto_crc32c(proto_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(fid_prints_as_lustre),
    cmocka_unit_test(fid_parse_round_trips),
    cmocka_unit_test(fid_key_sorts_like_cmp),
    cmocka_unit_test(fid_ino_distinct_and_never_reserved),
    cmocka_unit_test(fid_hash_spreads_consecutive_oids),
    cmocka_unit_test(crc32c_matches_check_value),
};
T_GROUP(fid, tests)
