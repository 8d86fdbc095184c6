/* SPDX-License-Identifier: Apache-2.0 */
/* Negative lookups from complete directories (fuse-client/dirneg.c). */
#include "t_unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuse-client/fc_int.h"

static struct fc_fs *fs_new(bool all, double entry_timeout)
{
	struct fc_fs *fs = calloc(1, sizeof(*fs));

	assert_non_null(fs);
	fs->opts.lookupcache_neg = all;
	fs->opts.entry_timeout = entry_timeout;
	assert_int_equal(fc_dirnegs_new(&fs->dirnegs), 0);
	return fs;
}

static void fs_free(struct fc_fs *fs)
{
	fc_dirnegs_free(fs->dirnegs);
	free(fs);
}

static struct proto_attr dir_attr(uint32_t oid, uint64_t version)
{
	struct proto_attr a = {.mode = S_IFDIR | 0755, .nlink = 2, .data_version = version};

	a.fid = (struct proto_fid){.seq = PROTO_FID_SEQ_NORMAL, .oid = oid};
	return a;
}

static bool absent(struct fc_fs *fs, const struct proto_attr *dir, const char *name)
{
	return fc_dirneg_absent(fs, &dir->fid, name, strlen(name));
}

static void adding(struct fc_fs *fs, const struct proto_attr *dir, const char *name)
{
	fc_dirneg_adding(fs, &dir->fid, name, strlen(name));
}

/* A directory this client made is empty; its own additions are remembered. */
static void dirneg_made_directory_knows_its_names(void **state)
{
	struct fc_fs *fs = fs_new(true, 60);
	struct proto_attr d = dir_attr(10, 1), after = dir_attr(10, 2);
	uint64_t now = net_now_ms();

	assert_false(absent(fs, &d, "x")); /* not made here: ask */
	fc_dirneg_made(fs, &d, now);
	assert_true(absent(fs, &d, "x"));
	assert_false(absent(fs, &d, "."));
	assert_false(absent(fs, &d, ".."));
	assert_true(absent(fs, &d, "..."));
	adding(fs, &d, "x");
	assert_false(absent(fs, &d, "x")); /* in flight or made: ask */
	fc_dirneg_changed(fs, &d.fid, &after, now);
	assert_false(absent(fs, &d, "x"));
	assert_true(absent(fs, &d, "y"));
	/* a removal (version + 1) keeps it complete; the name is asked again */
	after.data_version = 3;
	fc_dirneg_changed(fs, &d.fid, &after, now);
	assert_true(absent(fs, &d, "y"));
	assert_false(absent(fs, &d, "x"));
	fs_free(fs);
}

/* Answers stop entry_timeout after the last change was sent, and resume with the next. */
static void dirneg_answers_only_within_entry_timeout(void **state)
{
	struct fc_fs *fs = fs_new(true, 2);
	struct proto_attr d = dir_attr(11, 1), after = dir_attr(11, 2);

	fc_dirneg_made(fs, &d, net_now_ms() - 2500);
	assert_false(absent(fs, &d, "x"));
	fc_dirneg_changed(fs, &d.fid, &after, net_now_ms());
	assert_true(absent(fs, &d, "x"));
	fs_free(fs);
}

/* Any sign of another change ends it: a jump, a failure, other attributes, a restart. */
static void dirneg_foreign_change_ends_completeness(void **state)
{
	struct fc_fs *fs = fs_new(true, 60);
	struct proto_attr d = dir_attr(12, 1), after = dir_attr(12, 3);
	uint64_t now = net_now_ms();

	fc_dirneg_made(fs, &d, now);
	fc_dirneg_changed(fs, &d.fid, &after, now); /* 1 -> 3: someone else came in between */
	assert_false(absent(fs, &d, "x"));
	assert_int_equal(fc_dirnegs_count(fs), 0);

	fc_dirneg_made(fs, &d, now);
	fc_dirneg_changed(fs, &d.fid, NULL, now); /* failed or resent */
	assert_false(absent(fs, &d, "x"));

	fc_dirneg_made(fs, &d, now);
	fc_dirneg_seen(fs, &d); /* the same version: fine */
	assert_true(absent(fs, &d, "x"));
	fc_dirneg_seen(fs, &after); /* a getattr or readdir saw another */
	assert_false(absent(fs, &d, "x"));

	fc_dirneg_made(fs, &d, now);
	fc_dirnegs_clear(fs); /* a new MDS instance */
	assert_false(absent(fs, &d, "x"));
	fs_free(fs);
}

static void dirneg_lookupcache_positive_never_answers(void **state)
{
	struct fc_fs *fs = fs_new(false, 60);
	struct proto_attr d = dir_attr(13, 1);

	fc_dirneg_made(fs, &d, net_now_ms());
	assert_false(absent(fs, &d, "x"));
	assert_int_equal(fc_dirnegs_count(fs), 0);
	fs_free(fs);
}

/* Names that look alike (f17, d17) must not collide: the filter stays near 3%. */
static void dirneg_false_positives_stay_rare(void **state)
{
	struct fc_fs *fs = fs_new(true, 60);
	struct proto_attr d = dir_attr(14, 1);
	char name[32];
	int fp = 0;

	fc_dirneg_made(fs, &d, net_now_ms());
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		adding(fs, &d, name);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		fp += !absent(fs, &d, name);
	}
	assert_true(fp <= 20); /* 1.2% and 0.65% segments: about 10 expected */
	for (int i = 1000; i < 50000; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		adding(fs, &d, name);
	}
	fp = 0;
	for (int i = 0; i < 50000; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		fp += !absent(fs, &d, name);
	}
	assert_true(fp < 50000 * 4 / 100);
	/* every name added is still asked of the MDS: no false negative */
	for (int i = 0; i < 50000; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_false(absent(fs, &d, name));
	}
	fs_free(fs);
}

/* At most FC_DIRNEG_DIRS directories; the least recently confirmed go first. */
static void dirneg_table_is_bounded(void **state)
{
	struct fc_fs *fs = fs_new(true, 60);
	uint64_t now = net_now_ms();
	struct proto_attr first = dir_attr(100, 1), last;

	for (uint32_t i = 0; i < FC_DIRNEG_DIRS + 10; i++) {
		struct proto_attr a = dir_attr(100 + i, 1);

		fc_dirneg_made(fs, &a, now - 1000 + i);
	}
	last = dir_attr(100 + FC_DIRNEG_DIRS + 9, 1);
	assert_int_equal(fc_dirnegs_count(fs), FC_DIRNEG_DIRS);
	assert_false(absent(fs, &first, "x"));
	assert_true(absent(fs, &last, "x"));
	fs_free(fs);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(dirneg_made_directory_knows_its_names),
    cmocka_unit_test(dirneg_answers_only_within_entry_timeout),
    cmocka_unit_test(dirneg_foreign_change_ends_completeness),
    cmocka_unit_test(dirneg_lookupcache_positive_never_answers),
    cmocka_unit_test(dirneg_false_positives_stay_rare),
    cmocka_unit_test(dirneg_table_is_bounded),
};
T_GROUP(dirneg, tests)
