/* SPDX-License-Identifier: Apache-2.0 */
/* Target names, the on-disk identity record, and its store/load helpers. */
#include "t_unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/proto.h"

/* An OST identity with two MGS NIDs, O_DIRECT and a fixed uuid and ctime. */
static void mk_ost(struct proto_target_id *id)
{
	assert_int_equal(proto_target_id_init(id, PROTO_TARGET_OST, 10, "testfs"), 0);
	for (int i = 0; i < PROTO_UUID_LEN; i++)
		id->uuid[i] = (uint8_t)(0xa0 + i);
	id->ctime = 1700000000;
	id->flags = PROTO_TARGET_F_ODIRECT;
	id->mgs_port = PROTO_DEFAULT_PORT;
	id->nmgs = 2;
	assert_int_equal(proto_nid_parse("10.0.0.1@tcp", &id->mgs[0]), 0);
	assert_int_equal(proto_nid_parse("mds-b.cluster@o2ib", &id->mgs[1]), 0);
}

static void mk_mdt(struct proto_target_id *id)
{
	assert_int_equal(proto_target_id_init(id, PROTO_TARGET_MDT, 0, "lfs_1"), 0);
	id->uuid[15] = 1;
	id->ctime = 42;
}

static void check_same(const struct proto_target_id *a, const struct proto_target_id *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->index, b->index);
	assert_int_equal(a->flags, b->flags);
	assert_string_equal(a->fsname, b->fsname);
	assert_string_equal(a->name, b->name);
	assert_memory_equal(a->uuid, b->uuid, PROTO_UUID_LEN);
	assert_int_equal(a->ctime, b->ctime);
	assert_int_equal(a->mgs_port, b->mgs_port);
	assert_int_equal(a->nmgs, b->nmgs);
	for (int i = 0; i < a->nmgs; i++)
		assert_true(proto_nid_eq(&a->mgs[i], &b->mgs[i]));
}

/* ---- names ---- */

static void target_name_builds_lustre_names(void **state)
{
	char buf[PROTO_TARGET_NAME_MAX + 1];

	assert_int_equal(proto_target_name("testfs", PROTO_TARGET_OST, 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "testfs-OST0003");
	assert_int_equal(proto_target_name("testfs", PROTO_TARGET_OST, 10, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "testfs-OST000a"); /* hex, lower case, as Lustre */
	assert_int_equal(proto_target_name("testfs", PROTO_TARGET_MDT, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "testfs-MDT0000");
	assert_int_equal(proto_target_name("abcdefgh", PROTO_TARGET_OST, 0xffff, buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "abcdefgh-OSTffff"); /* the longest name */
	assert_int_equal(strlen(buf), PROTO_TARGET_NAME_MAX);
}

static void target_name_rejects_bad_parts(void **state)
{
	char buf[PROTO_TARGET_NAME_MAX + 1] = "keep";

	assert_int_equal(proto_target_name("testfs", PROTO_TARGET_OST, 0x10000, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(proto_target_name("testfs", 3, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(proto_target_name("testfs", 0, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(proto_target_name("", PROTO_TARGET_OST, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(proto_target_name("toolongfs", PROTO_TARGET_OST, 0, buf, sizeof(buf)),
			 -EINVAL);
	assert_string_equal(buf, "keep");
	/* "testfs-OST0003" is 14 characters: 14 bytes are one short */
	assert_int_equal(proto_target_name("testfs", PROTO_TARGET_OST, 3, buf, 14), -ENOSPC);
	assert_int_equal(proto_target_name("testfs", PROTO_TARGET_OST, 3, buf, 15), 0);
}

static void target_name_parses_back(void **state)
{
	char fs[PROTO_FSNAME_MAX + 1];
	uint32_t type = 0, idx = 0;

	assert_int_equal(proto_target_name_parse("testfs-OST000a", fs, &type, &idx), 0);
	assert_string_equal(fs, "testfs");
	assert_int_equal(type, PROTO_TARGET_OST);
	assert_int_equal(idx, 10);
	assert_int_equal(proto_target_name_parse("testfs-OST000A", fs, &type, &idx), 0);
	assert_int_equal(idx, 10);
	assert_int_equal(proto_target_name_parse("my-fs-MDT0001", fs, &type, &idx), 0);
	assert_string_equal(fs, "my-fs"); /* split at the last '-' */
	assert_int_equal(type, PROTO_TARGET_MDT);
	assert_int_equal(idx, 1);
	assert_int_equal(proto_target_name_parse("abcdefgh-OSTffff", fs, &type, &idx), 0);
	assert_int_equal(idx, 0xffff);

	/* every name built round-trips */
	for (uint32_t i = 0; i <= PROTO_TARGET_INDEX_MAX; i += 0x111) {
		char buf[PROTO_TARGET_NAME_MAX + 1];

		assert_int_equal(proto_target_name("fs1", PROTO_TARGET_OST, i, buf, sizeof(buf)),
				 0);
		assert_int_equal(proto_target_name_parse(buf, fs, &type, &idx), 0);
		assert_int_equal(idx, i);
		assert_string_equal(fs, "fs1");
	}
}

static void target_name_parse_rejects_malformed(void **state)
{
	static const char *const bad[] = {
	    "testfs",	       "testfs-",	  "-OST0000",
	    "testfs-OST000",   "testfs-OST00000", "testfs-XYZ0000",
	    "testfs-ost0000",  "testfs-OST00g0",  "toolongfs-OST0000",
	    "test fs-OST0000", "testfs-OST 000",  "_fs-OST0000",
	    "testfs-OST0x01",
	};
	char fs[PROTO_FSNAME_MAX + 1] = "keep";
	uint32_t type = 77, idx = 77;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (proto_target_name_parse(bad[i], fs, &type, &idx) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_string_equal(fs, "keep");
	assert_int_equal(type, 77);
	assert_int_equal(idx, 77);
}

static void target_fsname_rules(void **state)
{
	static const char *const good[] = {"testfs", "a", "fs_1", "my-fs", "12345678", "A9_-"};
	static const char *const bad[] = {"",	 "123456789", "-fs", "_fs",
					  "a.b", "a/b",	      "a b", "fs\n"};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!proto_fsname_valid(good[i]))
			fail_msg("rejected \"%s\"", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (proto_fsname_valid(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
}

/* ---- the record ---- */

static void target_id_round_trips(void **state)
{
	uint8_t buf[PROTO_TARGET_REC_MAX];
	struct proto_target_id id, out;
	int n;

	mk_ost(&id);
	assert_string_equal(id.name, "testfs-OST000a");
	n = proto_target_id_enc(&id, buf, sizeof(buf));
	/* 12 header + 12 type/index/flags + (2 + 6) + (2 + 14) + 16 uuid + 8 ctime
	 * + 2 port + 2 nmgs + (4 + 2 + 8) + (4 + 2 + 13) + 4 crc */
	assert_int_equal(n, 12 + 12 + 8 + 16 + 16 + 8 + 4 + 14 + 19 + 4);
	assert_memory_equal(buf, "STGT", 4);
	memset(&out, 0x77, sizeof(out));
	assert_int_equal(proto_target_id_dec(buf, (size_t)n, &out), 0);
	check_same(&id, &out);

	mk_mdt(&id);
	n = proto_target_id_enc(&id, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(proto_target_id_dec(buf, (size_t)n, &out), 0);
	check_same(&id, &out);
	assert_string_equal(out.name, "lfs_1-MDT0000");

	/* the largest record fits PROTO_TARGET_REC_MAX */
	assert_int_equal(proto_target_id_init(&id, PROTO_TARGET_OST, 0xffff, "abcdefgh"), 0);
	id.uuid[0] = 1;
	id.mgs_port = 1;
	id.nmgs = PROTO_NID_LIST_MAX;
	for (int i = 0; i < PROTO_NID_LIST_MAX; i++) {
		id.mgs[i].lnd = PROTO_LND_O2IB;
		memset(id.mgs[i].addr, 'm', PROTO_NID_ADDR_MAX);
		id.mgs[i].addr[PROTO_NID_ADDR_MAX] = '\0';
	}
	n = proto_target_id_enc(&id, buf, sizeof(buf));
	assert_true(n > 0 && n <= PROTO_TARGET_REC_MAX);
	assert_int_equal(proto_target_id_dec(buf, (size_t)n, &out), 0);
	check_same(&id, &out);
}

static void target_id_enc_refuses_invalid(void **state)
{
	uint8_t buf[PROTO_TARGET_REC_MAX];
	struct proto_target_id id;

	mk_ost(&id);
	memset(id.uuid, 0, sizeof(id.uuid)); /* no uuid */
	assert_int_equal(proto_target_id_enc(&id, buf, sizeof(buf)), -EINVAL);
	mk_ost(&id);
	strcpy(id.name, "testfs-OST000b"); /* name does not match the index */
	assert_int_equal(proto_target_id_enc(&id, buf, sizeof(buf)), -EINVAL);
	mk_ost(&id);
	id.nmgs = 0; /* an OST must know where to register */
	assert_int_equal(proto_target_id_enc(&id, buf, sizeof(buf)), -EINVAL);
	mk_ost(&id);
	id.mgs_port = 0;
	assert_int_equal(proto_target_id_enc(&id, buf, sizeof(buf)), -EINVAL);
	mk_ost(&id);
	id.nmgs = PROTO_NID_LIST_MAX + 1;
	assert_int_equal(proto_target_id_enc(&id, buf, sizeof(buf)), -EINVAL);
	mk_ost(&id);
	strcpy(id.mgs[1].addr, "bad addr");
	assert_int_equal(proto_target_id_enc(&id, buf, sizeof(buf)), -EINVAL);
	mk_ost(&id);
	id.flags = 1u << 5;
	assert_int_equal(proto_target_id_enc(&id, buf, sizeof(buf)), -EINVAL);
	mk_ost(&id);
	id.version = 2;
	assert_int_equal(proto_target_id_enc(&id, buf, sizeof(buf)), -EINVAL);
	mk_mdt(&id);
	id.flags = PROTO_TARGET_F_ODIRECT; /* O_DIRECT is an OST setting */
	assert_int_equal(proto_target_id_enc(&id, buf, sizeof(buf)), -EINVAL);
	mk_mdt(&id);
	assert_int_equal(proto_target_id_enc(&id, buf, 20), -EMSGSIZE);
	assert_int_equal(proto_target_id_init(&id, PROTO_TARGET_OST, 0x10000, "fs"), -EINVAL);
	assert_int_equal(proto_target_id_init(&id, PROTO_TARGET_OST, 1, "f.s"), -EINVAL);
}

static void target_id_every_flipped_byte_is_rejected(void **state)
{
	static const uint8_t masks[] = {0x01, 0x10, 0x80, 0xff};
	uint8_t buf[PROTO_TARGET_REC_MAX];
	struct proto_target_id id, out;
	int n;

	mk_ost(&id);
	n = proto_target_id_enc(&id, buf, sizeof(buf));
	assert_true(n > 0);
	out.index = 12345;
	for (int i = 0; i < n; i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			int rc, want;

			buf[i] ^= masks[m];
			rc = proto_target_id_dec(buf, (size_t)n, &out);
			buf[i] ^= masks[m];
			/* magic -> not ours; length -> wrong size; the rest -> checksum */
			want = i < 4 ? -EINVAL : (i >= 8 && i < 12) ? -EPROTO : -EUCLEAN;
			if (rc != want)
				fail_msg("byte %d ^ 0x%02x: got %d, want %d", i, masks[m], rc,
					 want);
		}
	}
	assert_int_equal(out.index, 12345); /* never written on failure */
	assert_int_equal(proto_target_id_dec(buf, (size_t)n, &out), 0);
}

static void target_id_truncated_or_padded_is_rejected(void **state)
{
	uint8_t buf[PROTO_TARGET_REC_MAX + 8];
	struct proto_target_id id, out;
	int n;

	mk_ost(&id);
	n = proto_target_id_enc(&id, buf, sizeof(buf));
	/* shorter than header + trailer, or not the length the record says */
	for (int cut = 0; cut < n; cut++)
		assert_int_equal(proto_target_id_dec(buf, (size_t)cut, &out), -EPROTO);
	buf[n] = 0;
	assert_int_equal(proto_target_id_dec(buf, (size_t)n + 1, &out), -EPROTO);
	assert_int_equal(proto_target_id_dec(buf, PROTO_TARGET_REC_MAX + 1, &out), -EPROTO);
}

/* Rewrites the CRC trailer so a deliberate change passes the checksum. */
static void reseal(uint8_t *buf, int n)
{
	uint32_t crc = proto_crc32c(0, buf, (size_t)n - 4);

	for (int i = 0; i < 4; i++)
		buf[n - 4 + i] = (uint8_t)(crc >> (8 * i));
}

static void target_id_checksummed_but_wrong_is_rejected(void **state)
{
	uint8_t buf[PROTO_TARGET_REC_MAX];
	struct proto_target_id id, out;
	int n;

	mk_ost(&id);
	n = proto_target_id_enc(&id, buf, sizeof(buf));
	/* a newer format version */
	buf[4] = 2;
	reseal(buf, n);
	assert_int_equal(proto_target_id_dec(buf, (size_t)n, &out), -EOPNOTSUPP);
	buf[4] = 1;
	/* index 10 -> 11 at offset 16: the stored name no longer matches */
	buf[16] = 11;
	reseal(buf, n);
	assert_int_equal(proto_target_id_dec(buf, (size_t)n, &out), -EPROTO);
	buf[16] = 10;
	/* unknown type at offset 12 */
	buf[12] = 9;
	reseal(buf, n);
	assert_int_equal(proto_target_id_dec(buf, (size_t)n, &out), -EPROTO);
	buf[12] = PROTO_TARGET_OST;
	/* nmgs is at the end of the fixed part: 12 + 12 + 8 + 16 + 16 + 8 + 2 = 74 */
	buf[74] = 9;
	reseal(buf, n);
	assert_int_equal(proto_target_id_dec(buf, (size_t)n, &out), -EPROTO);
	buf[74] = 2;
	reseal(buf, n);
	assert_int_equal(proto_target_id_dec(buf, (size_t)n, &out), 0);
}

/* ---- files ---- */

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void target_id_store_load_in_temp_dir(void **state)
{
	char dir[] = "/tmp/stria-t-target-XXXXXX";
	char path[sizeof(dir) + 32], missing[sizeof(dir) + 32];
	uint8_t junk[PROTO_TARGET_REC_MAX + 10];
	struct proto_target_id id, out;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, PROTO_TARGET_FILE);
	snprintf(missing, sizeof(missing), "%s/nope", dir);

	out.index = 999;
	assert_int_equal(proto_target_id_load(dir, &out), -ENOENT); /* not formatted */
	assert_int_equal(proto_target_id_load(missing, &out), -ENOENT);
	assert_int_equal(out.index, 999);

	mk_ost(&id);
	assert_int_equal(proto_target_id_store(dir, &id), 0);
	assert_int_equal(proto_target_id_load(dir, &out), 0);
	check_same(&id, &out);
	assert_int_equal(count_entries(dir), 1); /* no temporary left behind */

	/* replacing is atomic and complete */
	id.ctime++;
	id.nmgs = 1;
	assert_int_equal(proto_target_id_store(dir, &id), 0);
	assert_int_equal(proto_target_id_load(dir, &out), 0);
	check_same(&id, &out);
	assert_int_equal(count_entries(dir), 1);

	/* an invalid identity is not stored, and the old one stays */
	id.nmgs = 0;
	assert_int_equal(proto_target_id_store(dir, &id), -EINVAL);
	assert_int_equal(proto_target_id_load(dir, &out), 0);
	assert_int_equal(out.nmgs, 1);
	assert_int_equal(proto_target_id_store(missing, &id), -EINVAL);
	id.nmgs = 1;
	assert_int_equal(proto_target_id_store(missing, &id), -ENOENT);

	/* corruption on disk: a flipped byte, an empty file, an over-long file */
	{
		uint8_t buf[PROTO_TARGET_REC_MAX];
		int n = proto_target_id_enc(&id, buf, sizeof(buf));

		buf[n / 2] ^= 0x40;
		write_file(path, buf, (size_t)n);
		assert_int_equal(proto_target_id_load(dir, &out), -EUCLEAN);
	}
	write_file(path, "", 0);
	assert_int_equal(proto_target_id_load(dir, &out), -EPROTO);
	memset(junk, 0, sizeof(junk));
	write_file(path, junk, sizeof(junk));
	assert_int_equal(proto_target_id_load(dir, &out), -EPROTO);
	write_file(path, "not a target id\n", 16);
	assert_int_equal(proto_target_id_load(dir, &out), -EINVAL);

	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(target_name_builds_lustre_names),
    cmocka_unit_test(target_name_rejects_bad_parts),
    cmocka_unit_test(target_name_parses_back),
    cmocka_unit_test(target_name_parse_rejects_malformed),
    cmocka_unit_test(target_fsname_rules),
    cmocka_unit_test(target_id_round_trips),
    cmocka_unit_test(target_id_enc_refuses_invalid),
    cmocka_unit_test(target_id_every_flipped_byte_is_rejected),
    cmocka_unit_test(target_id_truncated_or_padded_is_rejected),
    cmocka_unit_test(target_id_checksummed_but_wrong_is_rejected),
    cmocka_unit_test(target_id_store_load_in_temp_dir),
};
T_GROUP(target, tests)
