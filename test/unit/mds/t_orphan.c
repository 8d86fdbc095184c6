/* SPDX-License-Identifier: Apache-2.0 */
/* Open references, orphans, the destroy queue, data versions and the checker. */
#include "t_mds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/target.h"

static int queued(struct t_mds *t)
{
	struct mds_destroy_ent e[64];

	return mds_destroyq_list(t->db, NULL, e, 64);
}

/* Creates @name in the root with template @tmpl; *@l: its layout. */
static void create_laid_out(struct t_mds *t, const char *name, const struct proto_layout *tmpl,
			    struct proto_attr *f, struct proto_layout *l)
{
	struct mds_tx *tx;

	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_create(tx, &t->root, t_n(name), 0644, MDS_CREATE_EXCL, tmpl, f), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(mds_getlayout(t->db, &f->fid, l), 0);
}

static void unlink_unopened_file_queues_objects(void **state)
{
	struct t_mds *t = *state;
	struct proto_layout tmpl = {.stripe_count = 3, .stripe_offset = 2};
	struct mds_destroy_ent e[8];
	struct proto_layout l;
	struct proto_attr f;
	struct mds_tx *tx;

	create_laid_out(t, "f", &tmpl, &f, &l);
	assert_int_equal(l.nobjs, 3);
	assert_int_equal(l.objs[0].ost_idx, 2);
	assert_int_equal(queued(t), 0);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "f"), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &f), -ENOENT);
	assert_int_equal(mds_destroyq_list(t->db, NULL, e, 8), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(e[i].ost_idx, l.objs[i].ost_idx);
		assert_int_equal(e[i].objid, l.objs[i].objid);
		assert_true(proto_fid_eq(&e[i].parent, &f.fid));
	}
	/* paging: after the first, two remain */
	assert_int_equal(mds_destroyq_list(t->db, &e[0], e + 4, 4), 2);
	assert_int_equal(e[4].objid, l.objs[1].objid);
	assert_int_equal(t_check(t), 0);
	/* the destroy task removes what the OSTs destroyed; survives reopen */
	t_reopen(t);
	assert_int_equal(queued(t), 3);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(mds_destroyq_remove(tx, e[i].ost_idx, e[i].objid), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(queued(t), 0);
	assert_int_equal(t_check(t), 0);
}

static void unlinked_file_is_kept_for_the_grace_then_destroyed(void **state)
{
	struct mds_db_opts o = {.unlink_grace_s = 1};
	struct t_mds *t = t_make(&o);
	struct proto_attr f, g, a;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "g", 0644, &g), 0);
	/* rename over "f": f loses its last name with nobody holding it open */
	assert_int_equal(t_rename(t, &t_root, &t->root, "g", &t->root, "f", 0), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(a.nlink, 0);
	assert_int_equal(queued(t), 0);
	assert_int_equal(t_check(t), 0);
	/* a cached name's open must look the name up again... */
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_READ, NULL), -ENOENT);
	/* ...the open right after a lookup gets the file it found */
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_READ | MDS_OPEN_RECENT, &a), 0);
	assert_int_equal(mds_open_count(t->db, &f.fid), 1);
	/* not expired yet, and open: nothing is destroyed */
	assert_int_equal(mds_orphan_expire(t->db), 0);
	sleep(2);
	assert_int_equal(mds_orphan_expire(t->db), 0); /* open: its last close destroys it */
	assert_int_equal(t_close(t, &f.fid, NULL), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), -ENOENT);
	assert_int_equal(queued(t), 1);
	/* an unlinked, never reopened file goes once the grace is over */
	assert_int_equal(t_unlink(t, &t_root, &t->root, "f"), 0);
	assert_int_equal(mds_getattr(t->db, &g.fid, &a), 0);
	assert_int_equal(mds_orphan_expire(t->db), 0);
	sleep(2);
	assert_int_equal(mds_orphan_expire(t->db), 1);
	assert_int_equal(mds_getattr(t->db, &g.fid, &a), -ENOENT);
	assert_int_equal(queued(t), 2);
	assert_int_equal(mds_orphan_expire(t->db), 0);
	assert_int_equal(t_check(t), 0);
	/* kept files survive a restart and go with the recovery's orphan cleanup */
	assert_int_equal(t_create(t, &t_root, &t->root, "h", 0644, &f), 0);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "h"), 0);
	t_reopen(t);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(mds_orphan_cleanup(t->db), 1);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), -ENOENT);
	assert_int_equal(t_check(t), 0);
	t_free(t);
}

/*
 * An expiry pass between an unlink's staging and its apply must not lose the
 * kept file: it is counted only once its record is visible.
 */
static void unlink_applied_after_an_expiry_pass_still_expires(void **state)
{
	struct mds_db_opts o = {.unlink_grace_s = 1};
	struct t_mds *t = t_make(&o);
	struct proto_attr f, a;
	struct mds_tx *tx;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(mds_orphan_expire(t->db), 0); /* the start-up look */
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_true(mds_unlink(tx, &t->root, t_n("f")) >= 0);
	assert_int_equal(mds_orphan_expire(t->db), 0); /* sees nothing yet */
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	sleep(2);
	assert_int_equal(mds_orphan_expire(t->db), 1);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), -ENOENT);
	assert_int_equal(queued(t), 1);
	assert_int_equal(t_check(t), 0);
	t_free(t);
}

/* Sleeps until the wall clock is at least 0.9 s into its second. */
static void late_in_second(void)
{
	struct timespec now, d = {0};

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_nsec < 900000000) {
		d.tv_nsec = 900000000 - now.tv_nsec;
		nanosleep(&d, NULL);
	}
}

static void sleep_ms(long ms)
{
	struct timespec d = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	nanosleep(&d, NULL);
}

/*
 * Expiry passes scan only once the oldest kept file is due: a file kept
 * later does not delay the one before it, and the due time found by a pass
 * brings the next one.  Each expiry and unlink queues objects (destroy_adds).
 * Unlink times are stamped in whole seconds, so a file unlinked during
 * second s goes at s + grace + 1, never before it has been kept for the
 * whole grace: f, unlinked late in s0, must still be there at s0 + 3.1.
 */
static void kept_files_expire_in_turn(void **state)
{
	struct mds_db_opts o = {.unlink_grace_s = 3};
	struct t_mds *t = t_make(&o);
	struct proto_attr f, g, a;
	uint64_t adds;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "g", 0644, &g), 0);
	assert_int_equal(mds_orphan_expire(t->db), 0); /* the start-up look */
	adds = mds_db_destroy_adds(t->db);
	late_in_second();
	assert_int_equal(t_unlink(t, &t_root, &t->root, "f"), 0); /* s0 + 0.9: f goes at s0 + 4 */
	assert_int_equal(mds_orphan_expire(t->db), 0);
	assert_int_equal(mds_db_destroy_adds(t->db), adds); /* kept, not queued */
	sleep_ms(2200);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "g"), 0); /* s0 + 3.1: g goes at s0 + 7 */
	assert_int_equal(mds_orphan_expire(t->db), 0);		  /* f kept only 2.2 s so far */
	sleep_ms(2000);						  /* s0 + 5.1: f is due, g not */
	assert_int_equal(mds_orphan_expire(t->db), 1);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), -ENOENT);
	assert_int_equal(mds_getattr(t->db, &g.fid, &a), 0);
	assert_true(mds_db_destroy_adds(t->db) > adds);
	adds = mds_db_destroy_adds(t->db);
	assert_int_equal(mds_orphan_expire(t->db), 0);
	sleep_ms(2500); /* s0 + 7.6: g is due */
	assert_int_equal(mds_orphan_expire(t->db), 1);
	assert_int_equal(mds_getattr(t->db, &g.fid, &a), -ENOENT);
	assert_true(mds_db_destroy_adds(t->db) > adds);
	assert_int_equal(queued(t), 2);
	assert_int_equal(t_check(t), 0);
	t_free(t);
}

/*
 * A file renamed over while open, whose last close follows at once, is kept
 * for what is left of the grace: the open of a client whose lookup found it
 * just before the rename may still come (the rename-atomicity reader of
 * fuse_coherence got ESTALE twice when the close destroyed it).  A last
 * close after the grace destroys it at once.
 */
static void last_close_within_the_grace_keeps_the_file(void **state)
{
	struct mds_db_opts o = {.unlink_grace_s = 1};
	struct t_mds *t = t_make(&o);
	struct proto_attr f, g, a;
	uint64_t adds;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "tmp", 0644, &g), 0);
	assert_int_equal(mds_orphan_expire(t->db), 0); /* the start-up look */
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_READ, NULL), 0);
	assert_int_equal(t_rename(t, &t_root, &t->root, "tmp", &t->root, "f", 0), 0);
	adds = mds_db_destroy_adds(t->db);
	assert_int_equal(t_close(t, &f.fid, NULL), 0); /* the last close */
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(a.nlink, 0);
	assert_int_equal(mds_db_destroy_adds(t->db), adds);
	assert_int_equal(t_check(t), 0);
	/* the late open of a lookup's file gets it; an open by an old name not */
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_READ, NULL), -ENOENT);
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_READ | MDS_OPEN_RECENT, &a), 0);
	assert_int_equal(t_close(t, &f.fid, NULL), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	/* due at the rename's second + 2, by its stamp, not the closes' */
	sleep(2);
	sleep_ms(100);
	assert_int_equal(mds_orphan_expire(t->db), 1);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), -ENOENT);
	assert_int_equal(queued(t), 1);
	/* open past the grace: its last close destroys it */
	assert_int_equal(t_open(t, &t_root, &g.fid, MDS_OPEN_READ, NULL), 0);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "f"), 0); /* g's name */
	sleep(2);
	sleep_ms(100);
	assert_int_equal(t_close(t, &g.fid, NULL), 0);
	assert_int_equal(mds_getattr(t->db, &g.fid, &a), -ENOENT);
	assert_int_equal(queued(t), 2);
	assert_int_equal(t_check(t), 0);
	t_free(t);
}

static void unlink_open_file_makes_orphan_until_last_close(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f, a;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_READ, NULL), 0);
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_WRITE, NULL), 0);
	assert_int_equal(mds_open_count(t->db, &f.fid), 2);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "f"), 0);
	assert_int_equal(t_lookup(t, &t->root, "f", NULL), -ENOENT);
	/* still usable by FID, with nlink 0, and nothing queued yet */
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(a.nlink, 0);
	assert_int_equal(queued(t), 0);
	assert_int_equal(t_check(t), 0);
	assert_int_equal(t_close(t, &f.fid, NULL), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(t_close(t, &f.fid, NULL), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), -ENOENT);
	assert_int_equal(queued(t), 1);
	assert_int_equal(t_close(t, &f.fid, NULL), -EBADF);
	assert_int_equal(t_check(t), 0);
}

static void orphans_unclaimed_after_restart_are_destroyed(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f, g;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "g", 0644, &g), 0);
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_READ, NULL), 0);
	assert_int_equal(t_open(t, &t_root, &g.fid, MDS_OPEN_READ, NULL), 0);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "f"), 0);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "g"), 0);
	t_reopen(t);
	assert_int_equal(t_check(t), 0);
	/* g's client replays its open within the recovery window; f's does not */
	assert_int_equal(t_open(t, &t_root, &g.fid, MDS_OPEN_READ | MDS_OPEN_NOCHECK, NULL), 0);
	assert_int_equal(mds_orphan_cleanup(t->db), 1);
	assert_int_equal(mds_getattr(t->db, &f.fid, &f), -ENOENT);
	assert_int_equal(mds_getattr(t->db, &g.fid, &g), 0);
	assert_int_equal(queued(t), 1);
	assert_int_equal(t_close(t, &g.fid, NULL), 0);
	assert_int_equal(queued(t), 2);
	assert_int_equal(t_check(t), 0);
}

static void rmdir_of_open_directory_orphans_it(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr d, a;
	struct mds_dirent e[4];

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	assert_int_equal(t_open(t, &t_root, &d.fid, MDS_OPEN_READ, NULL), 0);
	assert_int_equal(t_open(t, &t_root, &d.fid, MDS_OPEN_WRITE, NULL), -EISDIR);
	assert_int_equal(t_rmdir(t, &t_root, &t->root, "d"), 0);
	assert_int_equal(mds_getattr(t->db, &d.fid, &a), 0);
	assert_int_equal(a.nlink, 0);
	assert_int_equal(mds_readdir(t->db, &t_root, &d.fid, 0, 0, e, 4), 0);
	assert_int_equal(t_create(t, &t_root, &d.fid, "x", 0644, NULL), -ENOENT);
	assert_int_equal(t_check(t), 0);
	assert_int_equal(t_close(t, &d.fid, NULL), 0);
	assert_int_equal(mds_getattr(t->db, &d.fid, &a), -ENOENT);
	assert_int_equal(t_check(t), 0);
}

static void open_checks_permissions(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0640, &f), 0);
	assert_int_equal(t_open(t, &t_alice, &f.fid, MDS_OPEN_READ, NULL), -EACCES);
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_WRITE, NULL), 0);
	assert_int_equal(mds_open_count(t->db, &f.fid), 1);
	assert_int_equal(
	    t_open(t, &t_root, &(struct proto_fid){.seq = 1, .oid = 1}, MDS_OPEN_READ, NULL),
	    -ENOENT);
}

static void create_open_takes_reference_atomically(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f, g;
	struct mds_tx *tx;

	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(
	    mds_create(tx, &t->root, t_n("f"), 0644, MDS_CREATE_OPEN | MDS_CREATE_WRITE, NULL, &f),
	    0);
	/* not applied yet: no reference */
	assert_int_equal(mds_open_count(t->db, &f.fid), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(mds_open_count(t->db, &f.fid), 1);
	/* open-create of the existing file opens it */
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_create(tx, &t->root, t_n("f"), 0644, MDS_CREATE_OPEN, NULL, &g), 1);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_true(proto_fid_eq(&f.fid, &g.fid));
	assert_int_equal(mds_open_count(t->db, &f.fid), 2);
	/* an aborted open-create takes nothing */
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_create(tx, &t->root, t_n("f"), 0644, MDS_CREATE_OPEN, NULL, &g), 1);
	mds_tx_abort(tx);
	assert_int_equal(mds_open_count(t->db, &f.fid), 2);
}

static void size_report_never_undoes_later_truncate(void **state)
{
	struct t_mds *t = *state;
	struct mds_setattr trunc = {.valid = MDS_ATTR_SIZE, .size = 10};
	struct proto_attr f, w1, a;
	struct mds_size_report rep;
	struct mds_tx *tx;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_WRITE, &w1), 0);
	/* the writer extends the file and reports */
	rep = (struct mds_size_report){
	    .data_version = w1.data_version, .size = 5000, .blocks = 16, .wrote = true};
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_report_size(tx, &f.fid, &rep), 1);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(a.size, 5000);
	assert_int_equal(a.blocks, 16);
	assert_true(a.data_version > w1.data_version);
	/* another client truncates */
	assert_int_equal(t_setattr(t, &t_root, &f.fid, &trunc, &a), 1);
	assert_int_equal(a.size, 10);
	/* the first writer's close report is older than the truncate: ignored */
	rep.size = 6000;
	assert_int_equal(t_close(t, &f.fid, &rep), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(a.size, 10);
	/* a writer that opened after the truncate is heard, and never shrinks */
	assert_int_equal(t_open(t, &t_root, &f.fid, MDS_OPEN_WRITE, &w1), 0);
	rep = (struct mds_size_report){.data_version = w1.data_version, .size = 7, .wrote = true};
	assert_int_equal(t_close(t, &f.fid, &rep), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(a.size, 10);
	assert_true(a.data_version > w1.data_version);
}

static void default_layout_inherits_dir_then_root(void **state)
{
	struct t_mds *t = *state;
	struct proto_layout dl = {.stripe_count = 4, .stripe_size = 4 * 65536}, l, bad;
	struct proto_attr d, sub, f, g;
	struct mds_tx *tx;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	assert_int_equal(mds_getlayout(t->db, &d.fid, &l), -ENODATA);
	bad = dl;
	bad.stripe_size = 65536 + 1;
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_set_dir_layout(tx, &d.fid, &bad), -EINVAL);
	assert_int_equal(mds_set_dir_layout(tx, &d.fid, &dl), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(mds_tx_begin(t->db, &t_alice, &tx), 0);
	assert_int_equal(mds_set_dir_layout(tx, &d.fid, &dl), -EPERM);
	mds_tx_abort(tx);
	assert_int_equal(t_mkdir(t, &t_root, &d.fid, "sub", 0755, &sub), 0);
	assert_int_equal(t_create(t, &t_root, &sub.fid, "f", 0644, &f), 0);
	assert_int_equal(mds_getlayout(t->db, &f.fid, &l), 0);
	assert_int_equal(l.stripe_count, 4);
	assert_int_equal(l.nobjs, 4);
	assert_int_equal(l.stripe_size, 4 * 65536);
	assert_int_equal(f.blksize, 4 * 65536);
	assert_int_equal(t_create(t, &t_root, &t->root, "g", 0644, &g), 0);
	assert_int_equal(mds_getlayout(t->db, &g.fid, &l), 0);
	assert_int_equal(l.stripe_count, 1);
	assert_int_equal(l.stripe_size, 1024 * 1024);
	assert_int_equal(t_check(t), 0);
}

static int failing_alloc(void *arg, struct mds_tx *tx, const struct proto_fid *fid,
			 struct proto_layout *l)
{
	int *calls = arg;

	(*calls)++;
	mds_tx_put(tx, "Pstaged", 7, "x", 1);
	return -ENOSPC;
}

static void allocator_failure_fails_create_cleanly(void **state)
{
	int calls = 0;
	struct mds_db_opts o = {.alloc_objects = failing_alloc, .alloc_arg = &calls};
	struct t_mds *t = t_make(&o);
	void *v;
	size_t vlen;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, NULL), -ENOSPC);
	assert_int_equal(calls, 1);
	assert_int_equal(t_lookup(t, &t->root, "f", NULL), -ENOENT);
	assert_int_equal(mds_db_get(t->db, "Pstaged", 7, &v, &vlen), -ENOENT);
	/* directories need no objects */
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, NULL), 0);
	assert_int_equal(t_check(t), 0);
	t_free(t);
}

static int problems;

static void count_problem(void *arg, const char *p)
{
	problems++;
}

static void checker_finds_injected_inconsistencies(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f, g;
	struct mds_tx *tx;
	uint8_t k[17];

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "g", 0644, &g), 0);
	assert_int_equal(t_check(t), 0);
	/* an entry whose inode is gone: 'I' fid deleted behind the namespace's back */
	k[0] = 'I';
	proto_fid_to_key(&f.fid, k + 1);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_tx_del(tx, k, sizeof(k)), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	problems = 0;
	assert_int_equal(mds_check(t->db, count_problem, NULL), 1);
	assert_int_equal(problems, 1);
	/* an orphan record for a linked inode, and an object queued while in use */
	k[0] = 'O';
	proto_fid_to_key(&g.fid, k + 1);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_tx_put(tx, k, sizeof(k), "\1", 1), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(mds_check(t->db, NULL, NULL), 2);
	{
		struct proto_layout l;
		uint8_t q[13], v[17];
		struct proto_cur c;

		assert_int_equal(mds_getlayout(t->db, &g.fid, &l), 0);
		q[0] = 'Q';
		for (int i = 0; i < 4; i++)
			q[1 + i] = (uint8_t)(l.objs[0].ost_idx >> (24 - 8 * i));
		for (int i = 0; i < 8; i++)
			q[5 + i] = (uint8_t)(l.objs[0].objid >> (56 - 8 * i));
		proto_cur_init(&c, v, sizeof(v));
		proto_put_u8(&c, 1);
		proto_put_fid(&c, &g.fid);
		assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
		assert_int_equal(mds_tx_put(tx, q, sizeof(q), v, sizeof(v)), 0);
		assert_int_equal(mds_tx_commit(tx), 0);
	}
	assert_int_equal(mds_check(t->db, NULL, NULL), 3);
}

/* The destroy pass's starting points follow what was queued (destroy.c). */
static void destroy_pass_resumes_where_objects_were_queued(void **state)
{
	struct t_mds *t = *state;
	struct proto_layout tmpl = {.stripe_count = 3, .stripe_offset = 1};
	struct mds_destroy_ent e[8];
	struct mds_dq_resume r;
	struct proto_layout l;
	struct proto_attr f;

	/* Start-up: the whole queue; then nothing until something is queued. */
	mds_destroyq_resume(t->db, &r);
	assert_true(r.all);
	free(r.from);
	mds_destroyq_resume(t->db, &r);
	assert_false(r.all);
	for (uint32_t i = 0; i < r.n; i++)
		assert_true(r.from[i] == UINT64_MAX);
	free(r.from);

	create_laid_out(t, "f", &tmpl, &f, &l);
	assert_int_equal(l.nobjs, 3);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "f"), 0);
	mds_destroyq_resume(t->db, &r);
	assert_false(r.all);
	assert_true(r.n > l.objs[2].ost_idx);
	for (uint32_t i = 0; i < r.n; i++) {
		uint64_t want = UINT64_MAX;

		for (uint32_t j = 0; j < l.nobjs; j++)
			if (l.objs[j].ost_idx == i)
				want = l.objs[j].objid;
		assert_true(r.from[i] == want);
	}
	/* One OST's listing stops at its own objects. */
	assert_int_equal(
	    mds_destroyq_list_ost(t->db, l.objs[1].ost_idx, r.from[l.objs[1].ost_idx], e, 8), 1);
	assert_true(e[0].objid == l.objs[1].objid);
	assert_int_equal(mds_destroyq_list_ost(t->db, l.objs[1].ost_idx, l.objs[1].objid + 1, e, 8),
			 0);
	free(r.from);
	/* The pass answered for them: nothing left to start from ... */
	mds_destroyq_resume(t->db, &r);
	for (uint32_t i = 0; i < r.n; i++)
		assert_true(r.from[i] == UINT64_MAX);
	free(r.from);
	/* ... unless it gives an object back (its OST was down), or fails. */
	mds_destroyq_keep(t->db, l.objs[2].ost_idx, l.objs[2].objid);
	mds_destroyq_resume(t->db, &r);
	assert_false(r.all);
	assert_true(r.from[l.objs[2].ost_idx] == l.objs[2].objid);
	assert_true(r.from[l.objs[0].ost_idx] == UINT64_MAX);
	free(r.from);
	mds_destroyq_keep_all(t->db);
	mds_destroyq_resume(t->db, &r);
	assert_true(r.all);
	free(r.from);
	/* No table for an index no target can have: the whole queue instead. */
	mds_destroyq_keep(t->db, PROTO_TARGET_INDEX_MAX + 1u, 5);
	mds_destroyq_resume(t->db, &r);
	assert_true(r.all);
	assert_true(r.n == 0);
	free(r.from);
	assert_int_equal(queued(t), 3);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(unlink_unopened_file_queues_objects, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(destroy_pass_resumes_where_objects_were_queued, t_setup,
				    t_teardown),
    cmocka_unit_test(unlinked_file_is_kept_for_the_grace_then_destroyed),
    cmocka_unit_test(unlink_applied_after_an_expiry_pass_still_expires),
    cmocka_unit_test(kept_files_expire_in_turn),
    cmocka_unit_test(last_close_within_the_grace_keeps_the_file),
    cmocka_unit_test_setup_teardown(unlink_open_file_makes_orphan_until_last_close, t_setup,
				    t_teardown),
    cmocka_unit_test_setup_teardown(orphans_unclaimed_after_restart_are_destroyed, t_setup,
				    t_teardown),
    cmocka_unit_test_setup_teardown(rmdir_of_open_directory_orphans_it, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(open_checks_permissions, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(create_open_takes_reference_atomically, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(size_report_never_undoes_later_truncate, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(default_layout_inherits_dir_then_root, t_setup, t_teardown),
    cmocka_unit_test(allocator_failure_fails_create_cleanly),
    cmocka_unit_test_setup_teardown(checker_finds_injected_inconsistencies, t_setup, t_teardown),
};
T_GROUP(mds_orphan, tests)
