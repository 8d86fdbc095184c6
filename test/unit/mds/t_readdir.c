/* SPDX-License-Identifier: Apache-2.0 */
/* readdir cookies, pagination under concurrent change, and hash collisions. */
#include "t_mds.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Lists all of @dir in pages of @page; returns the count, names in @names. */
static int list_all(struct t_mds *t, const struct proto_fid *dir, size_t page, char (*names)[16],
		    int cap)
{
	struct mds_dirent *e = calloc(page, sizeof(*e));
	uint64_t cookie = 0;
	int n = 0, rc;

	assert_non_null(e);
	while ((rc = mds_readdir(t->db, &t_root, dir, cookie, 0, e, page)) > 0) {
		for (int i = 0; i < rc; i++) {
			assert_true(n < cap);
			snprintf(names[n++], 16, "%.15s", e[i].name);
		}
		cookie = e[rc - 1].off;
	}
	assert_int_equal(rc, 0);
	free(e);
	return n;
}

static int count_name(char (*names)[16], int n, const char *name)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += strcmp(names[i], name) == 0;
	return c;
}

static void readdir_lists_dot_dotdot_and_entries(void **state)
{
	struct t_mds *t = *state;
	struct mds_dirent e[8];
	struct proto_attr d, f;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	assert_int_equal(t_create(t, &t_root, &d.fid, "f", 0644, &f), 0);
	assert_int_equal(mds_readdir(t->db, &t_root, &d.fid, 0, MDS_READDIR_PLUS, e, 8), 3);
	assert_string_equal(e[0].name, ".");
	assert_int_equal(e[0].cookie, MDS_COOKIE_DOT);
	assert_int_equal(e[0].off, MDS_COOKIE_DOTDOT);
	assert_true(proto_fid_eq(&e[0].fid, &d.fid));
	assert_string_equal(e[1].name, "..");
	assert_true(proto_fid_eq(&e[1].fid, &t->root));
	assert_true(proto_fid_eq(&e[1].attr.fid, &t->root));
	assert_int_equal(e[1].off, e[2].cookie);
	assert_string_equal(e[2].name, "f");
	assert_true(e[2].cookie > 2 && e[2].cookie < MDS_COOKIE_EOF);
	assert_int_equal(e[2].off, MDS_COOKIE_EOF);
	assert_int_equal(e[2].type, S_IFREG);
	/* plus mode carries attributes */
	assert_true(proto_fid_eq(&e[2].attr.fid, &f.fid));
	assert_int_equal(e[2].attr.mode, f.mode);
	/* resuming at the last offset ends the listing */
	assert_int_equal(mds_readdir(t->db, &t_root, &d.fid, e[2].off, 0, e, 8), 0);
	assert_int_equal(mds_readdir(t->db, &t_root, &d.fid, 2, 0, e, 8), 2);
	assert_string_equal(e[0].name, "..");
	assert_int_equal(mds_readdir(t->db, &t_root, &f.fid, 0, 0, e, 8), -ENOTDIR);
}

static void readdir_needs_read_permission(void **state)
{
	struct t_mds *t = *state;
	struct mds_dirent e[4];
	struct proto_attr d;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0711, &d), 0);
	assert_int_equal(mds_readdir(t->db, &t_alice, &d.fid, 0, 0, e, 4), -EACCES);
}

static void readdir_pages_see_every_entry_once(void **state)
{
	struct t_mds *t = *state;
	static char names[600][16];
	struct proto_attr d;
	char name[16];
	int n;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(t_create(t, &t_root, &d.fid, name, 0644, NULL), 0);
	}
	n = list_all(t, &d.fid, 7, names, 600);
	assert_int_equal(n, 502);
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(count_name(names, n, name), 1);
	}
	/* cookies are stable: a reopened database gives the same order */
	t_reopen(t);
	{
		static char again[600][16];

		assert_int_equal(list_all(t, &d.fid, 50, again, 600), 502);
		assert_memory_equal(names, again, sizeof(names[0]) * 502);
	}
}

struct churn {
	struct t_mds *t;
	struct proto_fid dir;
	atomic_int stop;
	atomic_int ops; /* written by the churn thread, read by the lister */
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	char name[16];

	for (int i = 0; !atomic_load(&c->stop); i++) {
		snprintf(name, sizeof(name), "tmp%d", i % 200);
		if (t_create(c->t, &t_root, &c->dir, name, 0644, NULL) == -EEXIST)
			assert_int_equal(t_unlink(c->t, &t_root, &c->dir, name), 0);
		atomic_fetch_add(&c->ops, 1);
	}
	return NULL;
}

static void readdir_concurrent_churn_keeps_stable_entries_once(void **state)
{
	struct t_mds *t = *state;
	static char names[2000][16];
	struct churn c = {.t = t};
	struct proto_attr d;
	pthread_t th;
	char name[16];

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	c.dir = d.fid;
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "keep%d", i);
		assert_int_equal(t_create(t, &t_root, &d.fid, name, 0644, NULL), 0);
	}
	assert_int_equal(pthread_create(&th, NULL, churn_thread, &c), 0);
	/* The listings must overlap the churn: wait for it to start, and list
	 * until it has gone on during at least five listings. */
	while (atomic_load(&c.ops) == 0)
		usleep(1000);
	for (int round = 0, overlapped = 0; overlapped < 5; round++) {
		int before = atomic_load(&c.ops), n = list_all(t, &d.fid, 5, names, 2000);

		if (atomic_load(&c.ops) > before)
			overlapped++;
		assert_true(round < 1000);

		for (int i = 0; i < 300; i++) {
			snprintf(name, sizeof(name), "keep%d", i);
			assert_int_equal(count_name(names, n, name), 1);
		}
		/* nothing, stable or not, appears twice */
		for (int i = 0; i < 200; i++) {
			snprintf(name, sizeof(name), "tmp%d", i);
			assert_true(count_name(names, n, name) <= 1);
		}
	}
	atomic_store(&c.stop, 1);
	pthread_join(th, NULL);
	assert_int_equal(t_check(t), 0);
}

/* Every name hashes alike: one collision run holds everything. */
static uint64_t hash_const(const char *name, size_t len)
{
	return 42;
}

static void collisions_lookup_compares_names(void **state)
{
	struct mds_db_opts o = {.name_hash = hash_const};
	struct t_mds *t = t_make(&o);
	static char names[300][16];
	struct proto_attr a[3], x;
	struct mds_dirent e[4];
	char name[16];

	assert_int_equal(t_create(t, &t_root, &t->root, "a", 0644, &a[0]), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "b", 0644, &a[1]), 0);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "c", 0755, &a[2]), 0);
	assert_int_equal(t_lookup(t, &t->root, "b", &x), 0);
	assert_true(proto_fid_eq(&x.fid, &a[1].fid));
	assert_int_equal(t_lookup(t, &t->root, "c", &x), 0);
	assert_true(proto_fid_eq(&x.fid, &a[2].fid));
	assert_int_equal(t_lookup(t, &t->root, "d", &x), -ENOENT);
	assert_int_equal(t_create(t, &t_root, &t->root, "b", 0644, NULL), -EEXIST);
	/* adjacent cookies in one run, and readdir walks them in order */
	assert_int_equal(mds_readdir(t->db, &t_root, &t->root, 3, 0, e, 4), 3);
	assert_int_equal(e[1].cookie, e[0].cookie + 1);
	assert_int_equal(e[2].cookie, e[0].cookie + 2);
	/* a hole left by an unlink is reused; others keep their cookies */
	assert_int_equal(t_unlink(t, &t_root, &t->root, "a"), 0);
	assert_int_equal(t_lookup(t, &t->root, "b", &x), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "z", 0644, NULL), 0);
	assert_int_equal(mds_readdir(t->db, &t_root, &t->root, 3, 0, e + 1, 3), 3);
	assert_int_equal(e[1].cookie, e[0].cookie);
	assert_string_equal(e[1].name, "z");
	assert_int_equal(t_rename(t, &t_root, &t->root, "b", &t->root, "y", 0), 0);
	assert_int_equal(t_lookup(t, &t->root, "y", &x), 0);
	assert_true(proto_fid_eq(&x.fid, &a[1].fid));
	/* the run holds 256 names; the 257th is ENOSPC */
	for (int i = 3; i < 256; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(t_create(t, &t_root, &t->root, name, 0644, NULL), 0);
	}
	assert_int_equal(t_create(t, &t_root, &t->root, "overflow", 0644, NULL), -ENOSPC);
	assert_int_equal(list_all(t, &t->root, 9, names, 300), 258);
	assert_int_equal(t_check(t), 0);
	t_free(t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(readdir_lists_dot_dotdot_and_entries, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(readdir_needs_read_permission, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(readdir_pages_see_every_entry_once, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(readdir_concurrent_churn_keeps_stable_entries_once, t_setup,
				    t_teardown),
    cmocka_unit_test(collisions_lookup_compares_names),
};
T_GROUP(mds_readdir, tests)
