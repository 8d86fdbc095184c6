/* SPDX-License-Identifier: Apache-2.0 */
/* rename: plain, replacing, NOREPLACE, EXCHANGE, subtree and link counts. */
#include "t_mds.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define R(t, sd, sn, dd, dn, fl) t_rename((t), &t_root, (sd), (sn), (dd), (dn), (fl))

static void rename_moves_file_within_directory(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f, a, before, after;

	assert_int_equal(t_create(t, &t_root, &t->root, "a", 0644, &f), 0);
	assert_int_equal(mds_getattr(t->db, &t->root, &before), 0);
	usleep(1000);
	assert_int_equal(R(t, &t->root, "a", &t->root, "b", 0), 0);
	assert_int_equal(t_lookup(t, &t->root, "a", NULL), -ENOENT);
	assert_int_equal(t_lookup(t, &t->root, "b", &a), 0);
	assert_true(proto_fid_eq(&a.fid, &f.fid));
	assert_true(t_time_after(&a.ctime, &f.ctime));
	assert_int_equal(mds_getattr(t->db, &t->root, &after), 0);
	assert_true(t_time_after(&after.mtime, &before.mtime));
	assert_int_equal(R(t, &t->root, "a", &t->root, "c", 0), -ENOENT);
	assert_int_equal(t_check(t), 0);
}

static void rename_replaces_existing_file(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a, b, x;
	struct mds_destroy_ent q[4];

	assert_int_equal(t_create(t, &t_root, &t->root, "a", 0644, &a), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "b", 0644, &b), 0);
	assert_int_equal(R(t, &t->root, "a", &t->root, "b", 0), 0);
	assert_int_equal(t_lookup(t, &t->root, "b", &x), 0);
	assert_true(proto_fid_eq(&x.fid, &a.fid));
	assert_int_equal(mds_getattr(t->db, &b.fid, &x), -ENOENT);
	/* The replaced file's object went onto the destroy queue. */
	assert_int_equal(mds_destroyq_list(t->db, NULL, q, 4), 1);
	assert_true(proto_fid_eq(&q[0].parent, &b.fid));
	assert_int_equal(t_check(t), 0);
}

static void rename_same_inode_is_noop(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a, x;

	assert_int_equal(t_create(t, &t_root, &t->root, "a", 0644, &a), 0);
	assert_int_equal(t_link(t, &t_root, &a.fid, &t->root, "b"), 0);
	assert_int_equal(R(t, &t->root, "a", &t->root, "b", 0), 0);
	assert_int_equal(t_lookup(t, &t->root, "a", &x), 0);
	assert_int_equal(t_lookup(t, &t->root, "b", &x), 0);
	assert_int_equal(x.nlink, 2);
	assert_int_equal(R(t, &t->root, "a", &t->root, "a", 0), 0);
	assert_int_equal(t_check(t), 0);
}

static void rename_noreplace_existing_is_eexist(void **state)
{
	struct t_mds *t = *state;

	assert_int_equal(t_create(t, &t_root, &t->root, "a", 0644, NULL), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "b", 0644, NULL), 0);
	assert_int_equal(R(t, &t->root, "a", &t->root, "b", MDS_RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(R(t, &t->root, "a", &t->root, "c", MDS_RENAME_NOREPLACE), 0);
	assert_int_equal(
	    R(t, &t->root, "c", &t->root, "b", MDS_RENAME_NOREPLACE | MDS_RENAME_EXCHANGE),
	    -EINVAL);
	assert_int_equal(R(t, &t->root, "c", &t->root, "b", 0x80), -EINVAL);
}

static void rename_exchange_swaps_and_keeps_nlink(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr d1, d2, f, sub, x;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d1", 0755, &d1), 0);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d2", 0755, &d2), 0);
	assert_int_equal(t_create(t, &t_root, &d1.fid, "f", 0644, &f), 0);
	assert_int_equal(t_mkdir(t, &t_root, &d2.fid, "sub", 0755, &sub), 0);
	assert_int_equal(R(t, &d1.fid, "f", &d2.fid, "sub", MDS_RENAME_EXCHANGE), 0);
	assert_int_equal(t_lookup(t, &d1.fid, "f", &x), 0);
	assert_true(proto_fid_eq(&x.fid, &sub.fid));
	assert_int_equal(t_lookup(t, &d2.fid, "sub", &x), 0);
	assert_true(proto_fid_eq(&x.fid, &f.fid));
	assert_int_equal(mds_getattr(t->db, &d1.fid, &x), 0);
	assert_int_equal(x.nlink, 3);
	assert_int_equal(mds_getattr(t->db, &d2.fid, &x), 0);
	assert_int_equal(x.nlink, 2);
	assert_int_equal(t_lookup(t, &sub.fid, "..", &x), 0);
	assert_true(proto_fid_eq(&x.fid, &d1.fid));
	assert_int_equal(R(t, &d1.fid, "f", &d2.fid, "missing", MDS_RENAME_EXCHANGE), -ENOENT);
	assert_int_equal(t_check(t), 0);
}

static void rename_over_empty_directory_replaces_it(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a, b, x, r;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "a", 0755, &a), 0);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "b", 0755, &b), 0);
	assert_int_equal(R(t, &t->root, "a", &t->root, "b", 0), 0);
	assert_int_equal(t_lookup(t, &t->root, "b", &x), 0);
	assert_true(proto_fid_eq(&x.fid, &a.fid));
	assert_int_equal(mds_getattr(t->db, &b.fid, &x), -ENOENT);
	assert_int_equal(mds_getattr(t->db, &t->root, &r), 0);
	assert_int_equal(r.nlink, 3);
	assert_int_equal(t_check(t), 0);
}

static void rename_over_nonempty_directory_is_enotempty(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr b;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "a", 0755, NULL), 0);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "b", 0755, &b), 0);
	assert_int_equal(t_create(t, &t_root, &b.fid, "x", 0644, NULL), 0);
	assert_int_equal(R(t, &t->root, "a", &t->root, "b", 0), -ENOTEMPTY);
}

static void rename_type_mismatch_errors(void **state)
{
	struct t_mds *t = *state;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, NULL), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, NULL), 0);
	assert_int_equal(R(t, &t->root, "d", &t->root, "f", 0), -ENOTDIR);
	assert_int_equal(R(t, &t->root, "f", &t->root, "d", 0), -EISDIR);
	assert_int_equal(R(t, &t->root, ".", &t->root, "x", 0), -EBUSY);
	assert_int_equal(R(t, &t->root, "f", &t->root, "..", 0), -EBUSY);
	assert_int_equal(R(t, &t->root, "f", &t->root, "..", MDS_RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(R(t, &t->root, "f", &t->root, "a/b", 0), -EINVAL);
	assert_int_equal(t_check(t), 0);
}

static void rename_directory_into_own_subtree_is_einval(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a, b, c;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "a", 0755, &a), 0);
	assert_int_equal(t_mkdir(t, &t_root, &a.fid, "b", 0755, &b), 0);
	assert_int_equal(t_mkdir(t, &t_root, &b.fid, "c", 0755, &c), 0);
	assert_int_equal(R(t, &t->root, "a", &c.fid, "x", 0), -EINVAL);
	assert_int_equal(R(t, &t->root, "a", &a.fid, "x", 0), -EINVAL);
	/* An ancestor as the target is not empty. */
	assert_int_equal(R(t, &b.fid, "c", &t->root, "a", 0), -ENOTEMPTY);
	/* Exchanging a directory with its own descendant. */
	assert_int_equal(R(t, &b.fid, "c", &t->root, "a", MDS_RENAME_EXCHANGE), -EINVAL);
	assert_int_equal(t_check(t), 0);
}

static void rename_directory_across_parents_keeps_nlink(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr p1, p2, d, x;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "p1", 0755, &p1), 0);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "p2", 0755, &p2), 0);
	assert_int_equal(t_mkdir(t, &t_root, &p1.fid, "d", 0755, &d), 0);
	assert_int_equal(t_mkdir(t, &t_root, &p2.fid, "old", 0755, NULL), 0);
	assert_int_equal(R(t, &p1.fid, "d", &p2.fid, "d", 0), 0);
	assert_int_equal(mds_getattr(t->db, &p1.fid, &x), 0);
	assert_int_equal(x.nlink, 2);
	assert_int_equal(mds_getattr(t->db, &p2.fid, &x), 0);
	assert_int_equal(x.nlink, 4);
	assert_int_equal(t_lookup(t, &d.fid, "..", &x), 0);
	assert_true(proto_fid_eq(&x.fid, &p2.fid));
	/* Over an empty directory in another parent. */
	assert_int_equal(R(t, &p2.fid, "d", &t->root, "p1", 0), 0);
	assert_int_equal(mds_getattr(t->db, &p2.fid, &x), 0);
	assert_int_equal(x.nlink, 3);
	assert_int_equal(mds_getattr(t->db, &t->root, &x), 0);
	assert_int_equal(x.nlink, 4); /* p2, d (replaced p1), and "." ".." */
	assert_int_equal(R(t, &p2.fid, "old", &t->root, "old", 0), 0);
	assert_int_equal(t_rmdir(t, &t_root, &t->root, "old"), 0);
	assert_int_equal(mds_getattr(t->db, &t->root, &x), 0);
	assert_int_equal(x.nlink, 4);
	assert_int_equal(t_check(t), 0);
}

static void rename_permission_rules(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr pub, d;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "pub", 0777, &pub), 0);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "priv", 0755, NULL), 0);
	assert_int_equal(t_create(t, &t_root, &pub.fid, "f", 0644, NULL), 0);
	assert_int_equal(t_rename(t, &t_alice, &pub.fid, "f", &t->root, "f", 0), -EACCES);
	/* Moving a directory to another parent needs write permission on it. */
	assert_int_equal(t_mkdir(t, &t_root, &pub.fid, "rootdir", 0755, &d), 0);
	assert_int_equal(t_mkdir(t, &t_alice, &pub.fid, "sub", 0755, NULL), 0);
	assert_int_equal(t_rename(t, &t_alice, &pub.fid, "rootdir", &d.fid, "x", 0), -EACCES);
	assert_int_equal(t_rename(t, &t_alice, &pub.fid, "rootdir", &pub.fid, "r2", 0), 0);
}

static void rename_crossed_directory_moves_cannot_make_cycle(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a, b;

	/* a/ and b/: "mv a b/" then "mv b a/" would make a cycle. */
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "a", 0755, &a), 0);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "b", 0755, &b), 0);
	assert_int_equal(R(t, &t->root, "a", &b.fid, "a", 0), 0);
	assert_int_equal(R(t, &t->root, "b", &a.fid, "b", 0), -EINVAL);
	assert_int_equal(t_check(t), 0);
}

#define STORM_DIRS    6
#define STORM_THREADS 4
#define STORM_ITERS   150

struct storm {
	struct t_mds *t;
	struct proto_fid dirs[STORM_DIRS];
	unsigned seed;
	int unexpected;
};

static void *storm_thread(void *arg)
{
	struct storm *s = arg;
	char name[8];

	for (int i = 0; i < STORM_ITERS; i++) {
		unsigned x = (unsigned)rand_r(&s->seed) % STORM_DIRS;
		unsigned y = (unsigned)rand_r(&s->seed) % (STORM_DIRS + 1);
		const struct proto_fid *to = y == STORM_DIRS ? &s->t->root : &s->dirs[y];
		struct proto_attr parent;
		int rc;

		snprintf(name, sizeof(name), "d%u", x);
		if (mds_lookup(s->t->db, &t_root, &s->dirs[x], t_n(".."), &parent))
			continue;
		rc = t_rename(s->t, &t_root, &parent.fid, name, to, name, 0);
		if (rc && rc != -EINVAL && rc != -ENOENT)
			s->unexpected++;
	}
	return NULL;
}

static void rename_storm_of_directory_moves_keeps_tree(void **state)
{
	struct t_mds *t = *state;
	struct storm s[STORM_THREADS];
	pthread_t th[STORM_THREADS];
	struct proto_attr d;
	char name[8];

	for (int i = 0; i < STORM_DIRS; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		assert_int_equal(t_mkdir(t, &t_root, &t->root, name, 0755, &d), 0);
		s[0].dirs[i] = d.fid;
	}
	for (int i = 0; i < STORM_THREADS; i++) {
		s[i] = s[0];
		s[i].t = t;
		s[i].seed = 1234u + (unsigned)i;
		s[i].unexpected = 0;
		assert_int_equal(pthread_create(&th[i], NULL, storm_thread, &s[i]), 0);
	}
	for (int i = 0; i < STORM_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(s[i].unexpected, 0);
	}
	/* The checker walks every directory's ".." chain up to the root. */
	assert_int_equal(t_check(t), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(rename_moves_file_within_directory, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(rename_replaces_existing_file, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(rename_same_inode_is_noop, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(rename_noreplace_existing_is_eexist, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(rename_exchange_swaps_and_keeps_nlink, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(rename_over_empty_directory_replaces_it, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(rename_over_nonempty_directory_is_enotempty, t_setup,
				    t_teardown),
    cmocka_unit_test_setup_teardown(rename_type_mismatch_errors, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(rename_directory_into_own_subtree_is_einval, t_setup,
				    t_teardown),
    cmocka_unit_test_setup_teardown(rename_directory_across_parents_keeps_nlink, t_setup,
				    t_teardown),
    cmocka_unit_test_setup_teardown(rename_permission_rules, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(rename_crossed_directory_moves_cannot_make_cycle, t_setup,
				    t_teardown),
    cmocka_unit_test_setup_teardown(rename_storm_of_directory_moves_keeps_tree, t_setup,
				    t_teardown),
};
T_GROUP(mds_rename, tests)
