/* SPDX-License-Identifier: Apache-2.0 */
#include "t_unit.h"

#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oss/objpath.h"
#include "t_oss.h"

static bool obj_exists(struct t_ost *t, uint64_t id)
{
	char rel[OSS_OBJPATH_MAX], path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/O/%s", t->dir, oss_objpath(id, rel));
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Largest number of entries in any directory below @dir. */
static int max_dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0, max = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char sub[512];

		if (de->d_name[0] == '.')
			continue;
		n++;
		if (de->d_type == DT_DIR) {
			int m;

			snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
			m = max_dir_entries(sub);
			if (m > max)
				max = m;
		}
	}
	closedir(d);
	return n > max ? n : max;
}

static void precreate_creates_batch_and_records_last_id(void **state)
{
	struct t_ost t;
	uint64_t last = 0;

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_ost_last_id(t.ost), 0);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 1000, &last), 0);
	assert_int_equal(last, 1000);
	assert_true(obj_exists(&t, 1));
	assert_true(obj_exists(&t, 500));
	assert_true(obj_exists(&t, 1000));
	assert_false(obj_exists(&t, 1001));
	assert_int_equal(oss_obj_precreate(t.ost, 1001, 24, &last), 0);
	assert_int_equal(last, 1024);
	assert_true(obj_exists(&t, 1024));

	/* the last id survives a restart */
	t_ost_teardown(&t, true);
	assert_int_equal(oss_ost_open(t.dir, NULL, &t.ost), 0);
	assert_int_equal(oss_ost_last_id(t.ost), 1024);
	oss_ost_close(t.ost);
	t_rmtree(t.dir);
}

static void precreate_rejects_bad_arguments(void **state)
{
	struct t_ost t;
	uint64_t last = 77;

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 0, 10, &last), -EINVAL);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 0, &last), -EINVAL);
	assert_int_equal(oss_obj_precreate(t.ost, 1, OSS_PRECREATE_MAX + 1, &last), -EINVAL);
	assert_int_equal(oss_obj_precreate(t.ost, UINT64_MAX - 1, 3, &last), -EINVAL);
	assert_int_equal(last, 77); /* out-param untouched on failure */
	t_ost_teardown(&t, false);
}

static void precreate_never_recreates_destroyed_ids(void **state)
{
	struct t_ost t;
	uint64_t last;

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 10, &last), 0);
	assert_int_equal(oss_obj_destroy(t.ost, 5), 0);
	/* a resent or overlapping precreate leaves ids <= last id alone */
	assert_int_equal(oss_obj_precreate(t.ost, 1, 20, &last), 0);
	assert_int_equal(last, 20);
	assert_false(obj_exists(&t, 5));
	assert_true(obj_exists(&t, 15));
	t_ost_teardown(&t, false);
}

static void precreate_keeps_every_directory_bounded(void **state)
{
	struct t_ost t;
	char odir[128];
	uint64_t last;

	/* 0xfe80.. crosses leaf boundaries and the 0x10000 mid-level boundary */
	t_ost_setup(&t, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 0xfe80, 1024, &last), 0);
	assert_int_equal(last, 0xfe80 + 1023);
	assert_true(obj_exists(&t, 0xffff));
	assert_true(obj_exists(&t, 0x10000));
	snprintf(odir, sizeof(odir), "%s/O", t.dir);
	assert_int_equal(max_dir_entries(odir), OSS_OBJPATH_LEAF_SPAN);
	t_ost_teardown(&t, false);
}

static void orphan_cleanup_destroys_above_last_assigned(void **state)
{
	struct t_ost t;
	uint64_t last;

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 100, &last), 0);
	assert_int_equal(oss_obj_destroy(t.ost, 70), 0); /* already gone: not counted */
	assert_int_equal(oss_obj_orphan_cleanup(t.ost, 60), 39);
	assert_int_equal(oss_ost_last_id(t.ost), 60);
	assert_true(obj_exists(&t, 60));
	assert_false(obj_exists(&t, 61));
	assert_false(obj_exists(&t, 100));
	/* the next precreate continues from the reset last id */
	assert_int_equal(oss_obj_precreate(t.ost, 61, 10, &last), 0);
	assert_int_equal(last, 70);
	assert_true(obj_exists(&t, 61));
	/* nothing above: a no-op */
	assert_int_equal(oss_obj_orphan_cleanup(t.ost, 70), 0);
	assert_int_equal(oss_ost_last_id(t.ost), 70);
	t_ost_teardown(&t, true);
	assert_int_equal(oss_ost_open(t.dir, NULL, &t.ost), 0);
	assert_int_equal(oss_ost_last_id(t.ost), 70);
	oss_ost_close(t.ost);
	t_rmtree(t.dir);
}

static void orphan_cleanup_refuses_huge_gap(void **state)
{
	struct t_ost t;
	uint64_t last;

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 10, &last), 0);
	/* a precreate far ahead skips the ids in between */
	assert_int_equal(oss_obj_precreate(t.ost, 1000000, 10, &last), 0);
	assert_int_equal(last, 1000009);
	assert_false(obj_exists(&t, 11));
	/* an MDS that claims to have assigned almost nothing is not believed */
	assert_int_equal(oss_obj_orphan_cleanup(t.ost, 5), -ERANGE);
	assert_int_equal(oss_ost_last_id(t.ost), last);
	assert_true(obj_exists(&t, 6));
	assert_true(obj_exists(&t, 1000009));
	t_ost_teardown(&t, false);
}

static void destroy_is_idempotent(void **state)
{
	struct t_ost t;
	uint64_t last;

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 3, &last), 0);
	assert_int_equal(oss_obj_destroy(t.ost, 2), 0);
	assert_false(obj_exists(&t, 2));
	assert_int_equal(oss_obj_destroy(t.ost, 2), 0);
	assert_int_equal(oss_obj_destroy(t.ost, 999), 0); /* never existed */
	assert_int_equal(oss_obj_destroy(t.ost, 0), -EINVAL);
	assert_true(obj_exists(&t, 1));
	t_ost_teardown(&t, false);
}

static void ost_init_and_open_errors(void **state)
{
	struct t_ost t;
	struct oss_ost *again = NULL;
	char empty[] = "/tmp/stria-oss-XXXXXX";

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_ost_init_tree(t.dir), -EEXIST);
	/* a second server on the same OST is refused */
	assert_int_equal(oss_ost_open(t.dir, NULL, &again), -EBUSY);
	assert_null(again);
	t_ost_teardown(&t, false);
	assert_non_null(mkdtemp(empty));
	assert_int_equal(oss_ost_open(empty, NULL, &again), -ENOENT);
	assert_null(again);
	rmdir(empty);
}

static void ost_statfs_reports_blocks_and_inodes(void **state)
{
	struct t_ost t;
	struct proto_statfs sf;

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_ost_statfs(t.ost, &sf), 0);
	assert_true(sf.bsize >= 512);
	assert_true(sf.blocks > 0);
	assert_true(sf.bfree <= sf.blocks);
	assert_true(sf.bavail <= sf.bfree);
	assert_true(sf.ffree <= sf.files);
	assert_true(sf.namemax >= 255);
	t_ost_teardown(&t, false);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(precreate_creates_batch_and_records_last_id),
    cmocka_unit_test(precreate_rejects_bad_arguments),
    cmocka_unit_test(precreate_never_recreates_destroyed_ids),
    cmocka_unit_test(precreate_keeps_every_directory_bounded),
    cmocka_unit_test(orphan_cleanup_destroys_above_last_assigned),
    cmocka_unit_test(orphan_cleanup_refuses_huge_gap),
    cmocka_unit_test(destroy_is_idempotent),
    cmocka_unit_test(ost_init_and_open_errors),
    cmocka_unit_test(ost_statfs_reports_blocks_and_inodes),
};
T_GROUP(objstore, tests)
