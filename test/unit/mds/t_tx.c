/* SPDX-License-Identifier: Apache-2.0 */
/* Transactions, group commit, FID allocation and durability across reopen. */
#include "t_mds.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mds/commit.h"
#include "mds/db.h"

static void tx_caller_records_share_the_batch(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a;
	struct mds_tx *tx;
	void *v;
	size_t vlen;

	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_create(tx, &t->root, t_n("f"), 0644, MDS_CREATE_EXCL, NULL, &a), 0);
	assert_int_equal(mds_tx_put(tx, "Rclient1:7", 10, "reply", 5), 0);
	/* nothing is visible before the batch is applied */
	assert_int_equal(t_lookup(t, &t->root, "f", NULL), -ENOENT);
	assert_int_equal(mds_db_get(t->db, "Rclient1:7", 10, &v, &vlen), -ENOENT);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(t_lookup(t, &t->root, "f", NULL), 0);
	assert_int_equal(mds_db_get(t->db, "Rclient1:7", 10, &v, &vlen), 5);
	assert_memory_equal(v, "reply", 5);
	free(v);
}

static void tx_failed_operation_stages_nothing(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a;
	struct mds_tx *tx;
	void *v;
	size_t vlen;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, NULL), 0);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_create(tx, &t->root, t_n("f"), 0644, MDS_CREATE_EXCL, NULL, &a),
			 -EEXIST);
	/* the error reply is still stored, in a batch holding nothing else */
	assert_int_equal(mds_tx_put(tx, "Rclient1:8", 10, "EEXIST", 6), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(mds_db_get(t->db, "Rclient1:8", 10, &v, &vlen), 6);
	free(v);
	assert_int_equal(t_check(t), 0);
}

static void tx_abort_discards_everything(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a;
	struct mds_tx *tx;

	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_mkdir(tx, &t->root, t_n("d"), 0755, &a), 0);
	mds_tx_abort(tx);
	assert_int_equal(t_lookup(t, &t->root, "d", NULL), -ENOENT);
	/* ... and released its lock: the parent is usable */
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, NULL), 0);
	assert_int_equal(t_check(t), 0);
}

struct hook_rec {
	int calls;
};

static int hook_stage(void *arg, struct mds_tx *tx)
{
	struct hook_rec *h = arg;

	h->calls++;
	return mds_tx_put(tx, "Phwm", 4, "9", 1);
}

static void tx_apply_hook_stages_into_batch(void **state)
{
	struct t_mds *t = *state;
	struct hook_rec h = {0};
	struct mds_tx *tx;
	uint64_t ticket = 0;
	void *v;
	size_t vlen;

	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_tx_on_apply(tx, hook_stage, &h), 0);
	assert_int_equal(mds_tx_apply(tx, &ticket), 0);
	assert_int_equal(h.calls, 1);
	assert_true(ticket > 0);
	assert_int_equal(mds_db_wait_durable(t->db, ticket), 0);
	assert_int_equal(mds_db_get(t->db, "Phwm", 4, &v, &vlen), 1);
	free(v);
}

static void tx_locks_serialise_same_fid(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a;
	struct mds_tx *tx1, *tx2;

	/* tx1 holds the root's lock; a second tx on another directory proceeds. */
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &a), 0);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx1), 0);
	assert_int_equal(mds_create(tx1, &t->root, t_n("x"), 0644, MDS_CREATE_EXCL, NULL, &a), 0);
	assert_int_equal(t_lookup(t, &t->root, "d", &a), 0);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx2), 0);
	assert_int_equal(mds_create(tx2, &a.fid, t_n("y"), 0644, MDS_CREATE_EXCL, NULL, &a), 0);
	assert_int_equal(mds_tx_commit(tx2), 0);
	assert_int_equal(mds_tx_commit(tx1), 0);
	assert_int_equal(t_check(t), 0);
}

#define GC_THREADS    16
#define GC_PER_THREAD 40

struct gc_arg {
	struct t_mds *t;
	int id;
	int failures;
};

static void *gc_thread(void *p)
{
	struct gc_arg *g = p;
	char name[32];

	for (int i = 0; i < GC_PER_THREAD; i++) {
		snprintf(name, sizeof(name), "t%d-%d", g->id, i);
		if (t_create(g->t, &t_root, &g->t->root, name, 0644, NULL) != 0)
			g->failures++;
	}
	return NULL;
}

/* Runs GC_THREADS x GC_PER_THREAD creates in the root; returns the WAL syncs. */
static uint64_t gc_storm(struct t_mds *t)
{
	struct gc_arg g[GC_THREADS];
	pthread_t th[GC_THREADS];
	uint64_t syncs0 = mds_db_wal_syncs(t->db), applied0 = mds_db_applied(t->db);
	uint64_t syncs, applied;
	struct mds_dirent e[4];
	int total = 0, rc;
	uint64_t cookie = 0;

	for (int i = 0; i < GC_THREADS; i++) {
		g[i] = (struct gc_arg){.t = t, .id = i};
		assert_int_equal(pthread_create(&th[i], NULL, gc_thread, &g[i]), 0);
	}
	for (int i = 0; i < GC_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(g[i].failures, 0);
	}
	syncs = mds_db_wal_syncs(t->db) - syncs0;
	applied = mds_db_applied(t->db) - applied0;
	print_message("group commit: %" PRIu64 " creates, %" PRIu64 " WAL syncs\n", applied, syncs);
	assert_int_equal(applied, GC_THREADS * GC_PER_THREAD);
	assert_true(syncs > 0);
	/* and every create is there */
	while ((rc = mds_readdir(t->db, &t_root, &t->root, cookie, 0, e, 4)) > 0) {
		total += rc;
		cookie = e[rc - 1].off;
	}
	assert_int_equal(total, GC_THREADS * GC_PER_THREAD + 2);
	assert_int_equal(t_check(t), 0);
	return syncs;
}

static void group_commit_shares_wal_syncs(void **state)
{
	/*
	 * Even with a fast disk, creates that wait while a sync runs share the
	 * next: fewer syncs than creates.  How many fewer depends on scheduling
	 * (a sanitizer build shares far less), so the strong bound is asserted
	 * with a commit window below, where it does not.
	 */
	assert_true(gc_storm(*state) < GC_THREADS * GC_PER_THREAD);
}

struct gc_waiter {
	struct mds_db *db;
	uint64_t ticket;
	int rc;
};

static void *gc_wait_thread(void *p)
{
	struct gc_waiter *w = p;

	w->rc = gc_wait(&w->db->gc, w->db->kv, w->ticket);
	return NULL;
}

/* Leads one sync covering @n tickets handed out together. */
static void gc_group(struct mds_db *db, int n)
{
	uint64_t t = 0;

	for (int i = 0; i < n; i++)
		t = gc_ticket(&db->gc);
	assert_int_equal(gc_wait(&db->gc, db->kv, t), 0);
}

static void group_commit_leader_gathers_the_last_group(void **state)
{
	struct mds_db_opts o = {.commit_window_us = 60000000};
	struct t_mds *t = t_make(&o);
	struct mds_db *db = t->db;
	struct gc_waiter w = {.db = db};
	uint64_t syncs;
	pthread_t th;

	/* One sync covered four batches... */
	gc_group(db, 4);
	assert_int_equal(db->gc.last_group, 4);
	/* ...so the next leader (a long recent sync time: it may wait) waits for
	 * three more batches, however late they come, and one sync covers all. */
	pthread_mutex_lock(&db->gc.mu);
	db->gc.sync_us = 120000000;
	pthread_mutex_unlock(&db->gc.mu);
	syncs = gc_syncs(&db->gc);
	w.ticket = gc_ticket(&db->gc);
	assert_int_equal(pthread_create(&th, NULL, gc_wait_thread, &w), 0);
	for (int i = 0; i < 3; i++) {
		usleep(20000);
		assert_int_equal(gc_syncs(&db->gc), syncs); /* still gathering */
		gc_ticket(&db->gc);
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(gc_syncs(&db->gc), syncs + 1);
	assert_int_equal(db->gc.durable, w.ticket + 3);
	assert_int_equal(db->gc.last_group, 4);
	t_free(t);
}

static void group_commit_lone_writer_never_waits(void **state)
{
	struct mds_db_opts o = {.commit_window_us = 60000000};
	struct t_mds *t = t_make(&o);
	struct mds_db *db = t->db;
	uint64_t syncs;

	/* A sync that covered one batch: the next leader syncs at once, even
	 * with a long window (this would hang for a minute otherwise). */
	gc_group(db, 1);
	pthread_mutex_lock(&db->gc.mu);
	db->gc.sync_us = 120000000;
	pthread_mutex_unlock(&db->gc.mu);
	syncs = gc_syncs(&db->gc);
	gc_group(db, 1);
	assert_int_equal(gc_syncs(&db->gc), syncs + 1);
	assert_int_equal(db->gc.last_group, 1);
	t_free(t);
}

static void group_commit_without_window_syncs_at_once(void **state)
{
	struct mds_db_opts o = {.commit_window_us = 0};
	struct t_mds *t = t_make(&o);
	struct mds_db *db = t->db;
	uint64_t syncs;

	gc_group(db, 4);
	syncs = gc_syncs(&db->gc);
	gc_group(db, 1); /* no batch to wait for is coming: it must not wait */
	assert_int_equal(gc_syncs(&db->gc), syncs + 1);
	t_free(t);
}

static void reopen_preserves_namespace(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr d, f, x;
	char buf[8];

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0750, &d), 0);
	assert_int_equal(t_create(t, &t_alice, &t->root, "f", 0640, &f), -EACCES);
	assert_int_equal(t_create(t, &t_root, &d.fid, "f", 0640, &f), 0);
	assert_int_equal(t_setxattr(t, &t_root, &f.fid, "user.k", "v", 1, 0), 0);
	t_reopen(t);
	assert_int_equal(t_lookup(t, &d.fid, "f", &x), 0);
	assert_true(proto_fid_eq(&x.fid, &f.fid));
	assert_int_equal(x.mode, f.mode);
	assert_int_equal(x.mtime.sec, f.mtime.sec);
	assert_int_equal(x.mtime.nsec, f.mtime.nsec);
	assert_int_equal(mds_getxattr(t->db, &t_root, &f.fid, t_n("user.k"), buf, 8), 1);
	assert_int_equal(mds_getattr(t->db, &t->root, &x), 0);
	assert_int_equal(x.nlink, 3);
	assert_int_equal(t_check(t), 0);
}

static void fid_allocator_never_reuses_across_reopen(void **state)
{
	struct mds_db_opts o = {.fid_range = 3};
	struct t_mds *t = t_make(&o);
	struct proto_fid last = {0};
	struct proto_attr a;
	char name[16];

	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 5; i++) {
			snprintf(name, sizeof(name), "r%d-%d", round, i);
			assert_int_equal(t_create(t, &t_root, &t->root, name, 0644, &a), 0);
			assert_true(proto_fid_cmp(&a.fid, &last) > 0);
			assert_true(a.fid.oid >= 1 && a.fid.oid <= PROTO_FID_OID_MAX);
			last = a.fid;
		}
		t_reopen(t);
	}
	t_free(t);
}

static void fid_allocator_moves_to_next_sequence(void **state)
{
	struct t_mds *t = t_make(NULL);
	uint8_t v[13];
	struct proto_cur c;
	struct proto_attr a;
	struct mds_tx *tx;

	/* schema: "Sfidhwm" -> u8 version 1, u64 seq, u32 oid (first unreserved) */
	proto_cur_init(&c, v, sizeof(v));
	proto_put_u8(&c, 1);
	proto_put_u64(&c, PROTO_FID_SEQ_NORMAL);
	proto_put_u32(&c, PROTO_FID_OID_MAX - 1);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_tx_put(tx, "Sfidhwm", 7, v, sizeof(v)), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	t_reopen(t);
	assert_int_equal(t_create(t, &t_root, &t->root, "a", 0644, &a), 0);
	assert_int_equal(a.fid.seq, PROTO_FID_SEQ_NORMAL);
	assert_int_equal(a.fid.oid, PROTO_FID_OID_MAX - 1);
	assert_int_equal(t_create(t, &t_root, &t->root, "b", 0644, &a), 0);
	assert_int_equal(a.fid.oid, PROTO_FID_OID_MAX);
	assert_int_equal(t_create(t, &t_root, &t->root, "c", 0644, &a), 0);
	assert_int_equal(a.fid.seq, PROTO_FID_SEQ_NORMAL + 1);
	assert_int_equal(a.fid.oid, 1);
	t_free(t);
}

static void statfs_counts_inodes(void **state)
{
	struct t_mds *t = *state;
	struct proto_statfs s0, s1;

	assert_int_equal(mds_statfs(t->db, &s0), 0);
	assert_int_equal(s0.namemax, 255);
	assert_true(s0.files > s0.ffree);
	assert_int_equal(t_create(t, &t_root, &t->root, "a", 0644, NULL), 0);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "b", 0755, NULL), 0);
	assert_int_equal(mds_statfs(t->db, &s1), 0);
	assert_int_equal(s1.files - s1.ffree, s0.files - s0.ffree + 2);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "a"), 0);
	t_reopen(t);
	assert_int_equal(mds_statfs(t->db, &s1), 0);
	assert_int_equal(s1.files - s1.ffree, s0.files - s0.ffree + 1);
}

/* Lines of @dir's RocksDB info logs (LOG, LOG.old.*) containing @what;
 * *@bytes: their total size. */
static int log_lines(const char *dir, const char *what, long *bytes)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512], line[4096];
	int n = 0;

	assert_non_null(d);
	*bytes = 0;
	while ((e = readdir(d))) {
		FILE *f;

		if (strncmp(e->d_name, "LOG", 3) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f)) {
			*bytes += (long)strlen(line);
			n += strstr(line, what) != NULL;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* How many entries of @dir start with @prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void rocksdb_log_stays_bounded(void **state)
{
	struct t_mds *t = *state;
	uint64_t syncs0 = mds_db_wal_syncs(t->db);
	char name[16];
	long bytes;

	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(t_create(t, &t_root, &t->root, name, 0644, NULL), 0);
	}
	assert_true(mds_db_wal_syncs(t->db) - syncs0 >= 200);
	t_reopen(t); /* closing flushes RocksDB's buffered log lines */
	/* RocksDB used to log a DEBUG line for each of those WAL syncs. */
	assert_int_equal(log_lines(t->dir, "[DEBUG]", &bytes), 0);
	assert_true(bytes > 0); /* the logs were there to read */
	/* Every open starts a new LOG; only a few old ones are kept. */
	for (int i = 0; i < 7; i++)
		t_reopen(t);
	assert_true(count_prefixed(t->dir, "LOG.old") <= 4);
}

/*
 * Cache-only reads (a lookup run on the loop thread) fail with -EWOULDBLOCK
 * where the disk would be needed, and succeed once memory holds what they
 * read.  Enough files that one lookup's blocks are not among the few the
 * MDS's own start-up reads into a fresh block cache.
 */
static void cache_only_reads_need_memory(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a, b;
	struct proto_layout l;
	bool has_layout;
	char name[16];

	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		assert_int_equal(t_create(t, &t_root, &t->root, name, 0644, i == 1234 ? &a : NULL),
				 0);
	}
	t_reopen(t); /* in table files now, and a new, empty block cache */
	mds_reads_cache_only(true);
	assert_int_equal(mds_lookup(t->db, &t_root, &t->root, t_n("g1234"), &b), -EWOULDBLOCK);
	mds_reads_cache_only(false);
	assert_int_equal(mds_lookup(t->db, &t_root, &t->root, t_n("g1234"), &b), 0);
	assert_true(proto_fid_eq(&a.fid, &b.fid));
	/* What that read brought into the block cache is served cache-only. */
	mds_reads_cache_only(true);
	assert_int_equal(
	    mds_lookup_layout(t->db, &t_root, &t->root, t_n("g1234"), &b, &l, &has_layout), 0);
	assert_int_equal(mds_getattr_layout(t->db, &a.fid, &b, &l, &has_layout), 0);
	mds_reads_cache_only(false);
	assert_true(has_layout);
	assert_true(proto_fid_eq(&a.fid, &b.fid));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(tx_caller_records_share_the_batch, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(tx_failed_operation_stages_nothing, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(tx_abort_discards_everything, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(tx_apply_hook_stages_into_batch, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(tx_locks_serialise_same_fid, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(group_commit_shares_wal_syncs, t_setup, t_teardown),
    cmocka_unit_test(group_commit_leader_gathers_the_last_group),
    cmocka_unit_test(group_commit_lone_writer_never_waits),
    cmocka_unit_test(group_commit_without_window_syncs_at_once),
    cmocka_unit_test_setup_teardown(reopen_preserves_namespace, t_setup, t_teardown),
    cmocka_unit_test(fid_allocator_never_reuses_across_reopen),
    cmocka_unit_test(fid_allocator_moves_to_next_sequence),
    cmocka_unit_test_setup_teardown(statfs_counts_inodes, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(rocksdb_log_stays_bounded, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(cache_only_reads_need_memory, t_setup, t_teardown),
};
T_GROUP(mds_tx, tests)
