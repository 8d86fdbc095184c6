/* SPDX-License-Identifier: Apache-2.0 */
#include "t_unit.h"

#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oss/objpath.h"
#include "oss/ost_int.h"
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

/* Directories with object names not yet fsynced. */
static unsigned pending_dirs(struct t_ost *t)
{
	return (unsigned)oss_obj_new_dirs(t->ost);
}

/* Writes one byte at offset 0 of object @id; the errno of the write or 0. */
static int poke(struct t_ost *t, uint64_t id)
{
	int rc = t_write(t, id, 0, "x", 1, 0);

	return rc == 1 ? 0 : rc;
}

static void precreate_reserves_ids_and_records_last_id(void **state)
{
	struct oss_obj_attr a = {.size = 7};
	struct t_ost t;
	uint64_t last = 0;
	char got[16];

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_ost_last_id(t.ost), 0);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 1000, &last), 0);
	assert_int_equal(last, 1000);
	/* no file until the first write; until then the object is empty */
	assert_false(obj_exists(&t, 1));
	assert_int_equal(oss_obj_getattr(t.ost, 500, &a), 0);
	assert_true(a.size == 0 && a.blocks == 0);
	assert_int_equal(t_getattr(&t, 500, &a), 0);
	assert_int_equal(a.size, 0);
	assert_int_equal(t_read(&t, 500, 0, got, sizeof(got)), 0);
	assert_int_equal(t_sync(&t, 500), 0);
	assert_int_equal(t_truncate(&t, 500, 0), 0);
	assert_int_equal(t_fallocate(&t, 500, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096),
			 0);
	assert_false(obj_exists(&t, 500));
	/* a write, an extending truncate and an allocation create it */
	assert_int_equal(poke(&t, 1000), 0);
	assert_true(obj_exists(&t, 1000));
	assert_int_equal(t_read(&t, 1000, 0, got, sizeof(got)), 1);
	assert_int_equal(t_truncate(&t, 999, 8192), 0);
	assert_int_equal(t_getattr(&t, 999, &a), 0);
	assert_int_equal(a.size, 8192);
	assert_int_equal(t_fallocate(&t, 998, 0, 0, 4096), 0);
	assert_true(obj_exists(&t, 998));
	/* above the last id there is nothing to write */
	assert_int_equal(poke(&t, 1001), -ENOENT);
	assert_false(obj_exists(&t, 1001));
	assert_int_equal(oss_obj_precreate(t.ost, 1001, 24, &last), 0);
	assert_int_equal(last, 1024);
	assert_int_equal(poke(&t, 1024), 0);
	/* the new names wait for a sync, which makes them durable with the data */
	assert_true(pending_dirs(&t) > 0);
	assert_int_equal(t_sync(&t, 1024), 0);
	assert_int_equal(pending_dirs(&t), 0);
	assert_int_equal(poke(&t, 997), 0);
	assert_int_equal(pending_dirs(&t), 1);
	assert_int_equal(t_write(&t, 996, 0, "y", 1, OSS_REQ_SYNC), 1);
	assert_int_equal(pending_dirs(&t), 0);

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
	assert_int_equal(oss_obj_precreate(t.ost, OSS_OBJID_MAX, 2, &last), -EINVAL);
	assert_int_equal(last, 77); /* out-param untouched on failure */
	t_ost_teardown(&t, false);
}

static void destroyed_ids_stay_destroyed(void **state)
{
	struct oss_obj_attr a;
	struct t_ost t;
	uint64_t last;
	char got[16];

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 10, &last), 0);
	assert_int_equal(poke(&t, 6), 0);
	/* destroyed before and after their first write */
	assert_int_equal(oss_obj_destroy(t.ost, 5), 0);
	assert_int_equal(oss_obj_destroy(t.ost, 6), 0);
	for (uint64_t id = 5; id <= 6; id++) {
		assert_int_equal(poke(&t, id), -ENOENT);
		assert_int_equal(t_truncate(&t, id, 100), -ENOENT);
		assert_int_equal(t_read(&t, id, 0, got, sizeof(got)), -ENOENT);
		assert_int_equal(t_getattr(&t, id, &a), -ENOENT);
		assert_int_equal(oss_obj_getattr(t.ost, id, &a), -ENOENT);
		assert_false(obj_exists(&t, id));
	}
	/* a resent or overlapping precreate leaves ids <= last id alone */
	assert_int_equal(oss_obj_precreate(t.ost, 1, 20, &last), 0);
	assert_int_equal(last, 20);
	assert_int_equal(poke(&t, 5), -ENOENT);
	assert_int_equal(poke(&t, 15), 0);
	/* and the marks survive a restart */
	t_ost_teardown(&t, true);
	assert_int_equal(oss_ost_open(t.dir, NULL, &t.ost), 0);
	assert_int_equal(oss_engine_start(NULL, &t.eng), 0);
	assert_int_equal(poke(&t, 5), -ENOENT);
	assert_int_equal(poke(&t, 6), -ENOENT);
	assert_int_equal(poke(&t, 7), 0);
	t_ost_teardown(&t, false);
}

static void first_writes_keep_every_directory_bounded(void **state)
{
	struct t_ost t;
	char odir[128];
	uint64_t last;

	/* 0xfe80.. crosses leaf boundaries and the 0x10000 mid-level boundary */
	t_ost_setup(&t, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 0xfe80, 1024, &last), 0);
	assert_int_equal(last, 0xfe80 + 1023);
	for (uint64_t id = 0xfe80; id <= last; id++)
		assert_int_equal(poke(&t, id), 0);
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
	char got[16];

	t_ost_setup(&t, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 100, &last), 0);
	for (uint64_t id = 55; id <= 100; id += 5)
		assert_int_equal(poke(&t, id), 0);
	assert_int_equal(oss_obj_destroy(t.ost, 70), 0); /* already gone: not counted */
	/* the files of 65, 75, 80, ..., 100 */
	assert_int_equal(oss_obj_orphan_cleanup(t.ost, 60), 7);
	assert_int_equal(oss_ost_last_id(t.ost), 60);
	assert_true(obj_exists(&t, 60));
	assert_false(obj_exists(&t, 65));
	assert_false(obj_exists(&t, 100));
	assert_int_equal(poke(&t, 61), -ENOENT);
	assert_int_equal(poke(&t, 65), -ENOENT);
	/* the next precreate continues from the reset last id; 70 is usable again */
	assert_int_equal(oss_obj_precreate(t.ost, 61, 10, &last), 0);
	assert_int_equal(last, 70);
	assert_int_equal(t_read(&t, 65, 0, got, sizeof(got)), 0);
	assert_int_equal(poke(&t, 61), 0);
	assert_int_equal(poke(&t, 70), 0);
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
	assert_int_equal(poke(&t, 6), 0);
	/* a precreate far ahead reserves the ids in between without creating anything */
	assert_int_equal(oss_obj_precreate(t.ost, 1000000, 10, &last), 0);
	assert_int_equal(last, 1000009);
	assert_false(obj_exists(&t, 11));
	assert_int_equal(poke(&t, 1000009), 0);
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
	assert_int_equal(poke(&t, 1), 0);
	assert_int_equal(poke(&t, 2), 0);
	assert_int_equal(oss_obj_destroy(t.ost, 2), 0);
	assert_false(obj_exists(&t, 2));
	assert_int_equal(oss_obj_destroy(t.ost, 2), 0);
	assert_int_equal(oss_obj_destroy(t.ost, 3), 0);	  /* never written */
	assert_int_equal(oss_obj_destroy(t.ost, 999), 0); /* never precreated */
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
    cmocka_unit_test(precreate_reserves_ids_and_records_last_id),
    cmocka_unit_test(precreate_rejects_bad_arguments),
    cmocka_unit_test(destroyed_ids_stay_destroyed),
    cmocka_unit_test(first_writes_keep_every_directory_bounded),
    cmocka_unit_test(orphan_cleanup_destroys_above_last_assigned),
    cmocka_unit_test(orphan_cleanup_refuses_huge_gap),
    cmocka_unit_test(destroy_is_idempotent),
    cmocka_unit_test(ost_init_and_open_errors),
    cmocka_unit_test(ost_statfs_reports_blocks_and_inodes),
};
T_GROUP(objstore, tests)
