/* SPDX-License-Identifier: Apache-2.0 */
/* create, lookup, getattr, mkdir, unlink, rmdir, mknod, symlink, link. */
#include "t_mds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void format_refuses_existing_database(void **state)
{
	struct t_mds *t = *state;

	assert_int_equal(mds_db_format(t->dir), -EBUSY);
	mds_db_close(t->db);
	assert_int_equal(mds_db_format(t->dir), -EEXIST);
	assert_int_equal(mds_db_open(t->dir, NULL, &t->db), 0);
}

static void open_unformatted_is_enoent(void **state)
{
	struct mds_db *db;

	assert_int_equal(mds_db_open("/tmp/t_mds_no_such_db", NULL, &db), -ENOENT);
}

static void root_has_default_layout_and_fid(void **state)
{
	struct t_mds *t = *state;
	struct proto_layout l;
	struct proto_attr a;

	assert_int_equal(mds_getattr(t->db, &t->root, &a), 0);
	assert_int_equal(a.fid.seq, 0x200000007ULL);
	assert_int_equal(a.fid.oid, 1);
	assert_true(S_ISDIR(a.mode));
	assert_int_equal(a.nlink, 2);
	assert_int_equal(mds_getlayout(t->db, &t->root, &l), 0);
	assert_int_equal(l.stripe_count, 1);
	assert_int_equal(l.stripe_size, 1024 * 1024);
}

static void create_then_lookup_finds_it(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a, b;
	struct proto_layout l;

	assert_int_equal(t_create(t, &t_alice, &t->root, "f", 0644, &a), -EACCES);
	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &a), 0);
	assert_int_equal(a.fid.seq, PROTO_FID_SEQ_NORMAL);
	assert_true(S_ISREG(a.mode));
	assert_int_equal(a.mode & 07777, 0644);
	assert_int_equal(a.nlink, 1);
	assert_int_equal(t_lookup(t, &t->root, "f", &b), 0);
	assert_true(proto_fid_eq(&a.fid, &b.fid));
	assert_int_equal(mds_getattr(t->db, &a.fid, &b), 0);
	assert_int_equal(b.size, 0);
	assert_int_equal(b.blksize, 1024 * 1024);
	/* The layout came from the root default through the fake allocator. */
	assert_int_equal(mds_getlayout(t->db, &a.fid, &l), 0);
	assert_int_equal(l.nobjs, 1);
	assert_int_not_equal(l.objs[0].objid, 0);
	assert_int_equal(t_check(t), 0);
}

static void create_exclusive_existing_is_eexist(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr a, b;
	struct mds_tx *tx;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &a), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &b), -EEXIST);
	/* Non-exclusive: the existing file, result 1. */
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_create(tx, &t->root, t_n("f"), 0600, 0, NULL, &b), 1);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_true(proto_fid_eq(&a.fid, &b.fid));
	assert_int_equal(b.mode & 0777, 0644);
	/* ... but a directory there is EISDIR. */
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, NULL), 0);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_create(tx, &t->root, t_n("d"), 0600, 0, NULL, &b), -EISDIR);
	mds_tx_abort(tx);
}

static void create_bad_names_are_rejected(void **state)
{
	struct t_mds *t = *state;
	char longname[300];
	struct proto_attr a;
	struct mds_tx *tx;

	memset(longname, 'x', 256);
	longname[256] = '\0';
	assert_int_equal(t_create(t, &t_root, &t->root, longname, 0644, &a), -ENAMETOOLONG);
	longname[255] = '\0';
	assert_int_equal(t_create(t, &t_root, &t->root, longname, 0644, &a), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "a/b", 0644, &a), -EINVAL);
	assert_int_equal(t_create(t, &t_root, &t->root, ".", 0644, &a), -EEXIST);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "..", 0755, &a), -EEXIST);
	assert_int_equal(t_create(t, &t_root, &t->root, "", 0644, &a), -ENOENT);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_create(tx, &t->root, (struct proto_str){"a\0b", 3}, 0644,
				    MDS_CREATE_EXCL, NULL, &a),
			 -EINVAL);
	mds_tx_abort(tx);
	assert_int_equal(t_lookup(t, &t->root, longname, &a), 0);
}

static void create_in_missing_or_file_parent_fails(void **state)
{
	struct t_mds *t = *state;
	struct proto_fid nowhere = {.seq = PROTO_FID_SEQ_NORMAL + 5, .oid = 7};
	struct proto_attr f;

	assert_int_equal(t_create(t, &t_root, &nowhere, "x", 0644, NULL), -ENOENT);
	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(t_create(t, &t_root, &f.fid, "x", 0644, NULL), -ENOTDIR);
	assert_int_equal(t_lookup(t, &f.fid, "x", NULL), -ENOTDIR);
	assert_int_equal(t_lookup(t, &t->root, "missing", NULL), -ENOENT);
}

static void lookup_dot_and_dotdot(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr d, a;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	assert_int_equal(t_lookup(t, &d.fid, ".", &a), 0);
	assert_true(proto_fid_eq(&a.fid, &d.fid));
	assert_int_equal(t_lookup(t, &d.fid, "..", &a), 0);
	assert_true(proto_fid_eq(&a.fid, &t->root));
	assert_int_equal(t_lookup(t, &t->root, "..", &a), 0);
	assert_true(proto_fid_eq(&a.fid, &t->root));
}

static void lookup_without_search_permission_is_eacces(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr d, a;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0700, &d), 0);
	assert_int_equal(t_create(t, &t_root, &d.fid, "f", 0644, NULL), 0);
	assert_int_equal(mds_lookup(t->db, &t_alice, &d.fid, t_n("f"), &a), -EACCES);
	assert_int_equal(mds_lookup(t->db, &t_root, &d.fid, t_n("f"), &a), 0);
}

static void mkdir_counts_links_and_times(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr before, after, d, e;

	assert_int_equal(mds_getattr(t->db, &t->root, &before), 0);
	usleep(1000);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	assert_int_equal(d.nlink, 2);
	assert_true(S_ISDIR(d.mode));
	assert_int_equal(mds_getattr(t->db, &t->root, &after), 0);
	assert_int_equal(after.nlink, 3);
	assert_true(t_time_after(&after.mtime, &before.mtime));
	assert_true(t_time_after(&after.ctime, &before.ctime));
	assert_int_equal(t_mkdir(t, &t_root, &d.fid, "e", 0755, &e), 0);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, NULL), -EEXIST);
	assert_int_equal(mds_getattr(t->db, &d.fid, &d), 0);
	assert_int_equal(d.nlink, 3);
	assert_int_equal(t_rmdir(t, &t_root, &d.fid, "e"), 0);
	assert_int_equal(mds_getattr(t->db, &d.fid, &d), 0);
	assert_int_equal(d.nlink, 2);
	assert_int_equal(t_rmdir(t, &t_root, &t->root, "d"), 0);
	assert_int_equal(mds_getattr(t->db, &t->root, &after), 0);
	assert_int_equal(after.nlink, 2);
	assert_int_equal(mds_getattr(t->db, &e.fid, &e), -ENOENT);
	assert_int_equal(t_check(t), 0);
}

/* data_version of directory @fid (asserts it exists). */
static uint64_t dir_version(struct t_mds *t, const struct proto_fid *fid)
{
	struct proto_attr a;

	assert_int_equal(mds_getattr(t->db, fid, &a), 0);
	return a.data_version;
}

/*
 * A directory's data_version counts the changes of its entries, each by
 * exactly one (a client tells its own change from others' by it); failed
 * operations and changes of the directory's own attributes do not count.
 */
static void dir_version_counts_entry_changes(void **state)
{
	struct t_mds *t = *state;
	struct mds_setattr sa = {.valid = MDS_ATTR_MODE, .mode = 0700};
	struct proto_attr d, f;
	uint64_t v, root_v;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	v = d.data_version;
	assert_int_equal(dir_version(t, &d.fid), v);
	assert_int_equal(t_create(t, &t_root, &d.fid, "f", 0644, &f), 0);
	assert_int_equal(dir_version(t, &d.fid), ++v);
	assert_int_equal(t_mkdir(t, &t_root, &d.fid, "s", 0755, NULL), 0);
	assert_int_equal(dir_version(t, &d.fid), ++v);
	assert_int_equal(t_link(t, &t_root, &f.fid, &d.fid, "g"), 0);
	assert_int_equal(dir_version(t, &d.fid), ++v);
	assert_int_equal(t_rename(t, &t_root, &d.fid, "f", &d.fid, "h", 0), 0);
	assert_int_equal(dir_version(t, &d.fid), ++v); /* once for a rename within it */
	root_v = dir_version(t, &t->root);
	assert_int_equal(t_rename(t, &t_root, &d.fid, "h", &t->root, "h", 0), 0);
	assert_int_equal(dir_version(t, &d.fid), ++v);
	assert_int_equal(dir_version(t, &t->root), root_v + 1);
	assert_int_equal(t_unlink(t, &t_root, &d.fid, "g"), 0);
	assert_int_equal(dir_version(t, &d.fid), ++v);
	assert_int_equal(t_rmdir(t, &t_root, &d.fid, "s"), 0);
	assert_int_equal(dir_version(t, &d.fid), ++v);
	/* Nothing that leaves the entries as they were counts. */
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, NULL), -EEXIST);
	assert_int_equal(t_unlink(t, &t_root, &d.fid, "nothere"), -ENOENT);
	assert_int_equal(t_setattr(t, &t_root, &d.fid, &sa, NULL), 0);
	assert_int_equal(t_setxattr(t, &t_root, &d.fid, "user.k", "v", 1, 0), 0);
	assert_int_equal(dir_version(t, &d.fid), v);
	assert_int_equal(t_check(t), 0);
}

static void unlink_removes_name_and_updates_times(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f, before, after;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(mds_getattr(t->db, &t->root, &before), 0);
	usleep(1000);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "f"), 0);
	assert_int_equal(t_lookup(t, &t->root, "f", NULL), -ENOENT);
	assert_int_equal(mds_getattr(t->db, &f.fid, &f), -ENOENT);
	assert_int_equal(mds_getattr(t->db, &t->root, &after), 0);
	assert_true(t_time_after(&after.mtime, &before.mtime));
	assert_true(t_time_after(&after.ctime, &before.ctime));
	assert_int_equal(t_unlink(t, &t_root, &t->root, "f"), -ENOENT);
	assert_int_equal(t_check(t), 0);
}

static void unlink_and_rmdir_type_errors(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr d;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, NULL), 0);
	assert_int_equal(t_create(t, &t_root, &d.fid, "g", 0644, NULL), 0);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "d"), -EISDIR);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "."), -EISDIR);
	assert_int_equal(t_rmdir(t, &t_root, &t->root, "f"), -ENOTDIR);
	assert_int_equal(t_rmdir(t, &t_root, &t->root, "d"), -ENOTEMPTY);
	assert_int_equal(t_rmdir(t, &t_root, &d.fid, "."), -EINVAL);
	assert_int_equal(t_rmdir(t, &t_root, &d.fid, ".."), -ENOTEMPTY);
	assert_int_equal(t_rmdir(t, &t_root, &t->root, "nope"), -ENOENT);
	assert_int_equal(t_unlink(t, &t_root, &d.fid, "g"), 0);
	assert_int_equal(t_rmdir(t, &t_root, &t->root, "d"), 0);
	assert_int_equal(t_check(t), 0);
}

static void write_permission_on_parent_is_checked(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr d;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	assert_int_equal(t_create(t, &t_root, &d.fid, "f", 0644, NULL), 0);
	assert_int_equal(t_create(t, &t_alice, &d.fid, "g", 0644, NULL), -EACCES);
	assert_int_equal(t_mkdir(t, &t_alice, &d.fid, "g", 0755, NULL), -EACCES);
	assert_int_equal(t_unlink(t, &t_alice, &d.fid, "f"), -EACCES);
	/* An existing name wins over the missing write permission, as Linux. */
	assert_int_equal(t_mkdir(t, &t_alice, &d.fid, "f", 0755, NULL), -EEXIST);
}

static void owner_from_creds_and_setgid_inheritance(void **state)
{
	struct t_mds *t = *state;
	struct mds_setattr sa = {.valid = MDS_ATTR_MODE | MDS_ATTR_GID, .mode = 02777, .gid = 3000};
	struct proto_attr d, f, s, plain;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "sg", 0777, &d), 0);
	assert_int_equal(t_setattr(t, &t_root, &d.fid, &sa, &d), 0);
	assert_int_equal(d.mode & 07777, 02777);
	assert_int_equal(t_create(t, &t_alice, &t->root, "plain", 0644, &plain), -EACCES);
	assert_int_equal(t_create(t, &t_alice, &d.fid, "f", 0644, &f), 0);
	assert_int_equal(f.uid, 1000);
	assert_int_equal(f.gid, 3000);
	assert_int_equal(t_mkdir(t, &t_alice, &d.fid, "s", 0755, &s), 0);
	assert_int_equal(s.gid, 3000);
	assert_true(s.mode & S_ISGID);
	/* Outside a setgid directory the creator's fsgid is used. */
	assert_int_equal(t_mkdir(t, &t_alice, &d.fid, "s2", 0777, &s), 0);
	assert_int_equal(t_setattr(t, &t_alice, &s.fid,
				   &(struct mds_setattr){.valid = MDS_ATTR_MODE, .mode = 0777}, &s),
			 0);
	assert_int_equal(t_create(t, &t_bob, &s.fid, "b", 0644, &plain), 0);
	assert_int_equal(plain.uid, 1001);
	assert_int_equal(plain.gid, 1001);
}

static void sticky_directory_protects_entries(void **state)
{
	struct t_mds *t = *state;
	struct mds_setattr sa = {.valid = MDS_ATTR_MODE, .mode = 01777};
	struct proto_attr d;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "tmp", 0777, &d), 0);
	assert_int_equal(t_setattr(t, &t_root, &d.fid, &sa, NULL), 0);
	assert_int_equal(t_create(t, &t_alice, &d.fid, "a", 0644, NULL), 0);
	assert_int_equal(t_create(t, &t_alice, &d.fid, "a2", 0644, NULL), 0);
	assert_int_equal(t_create(t, &t_bob, &d.fid, "b", 0644, NULL), 0);
	assert_int_equal(t_unlink(t, &t_bob, &d.fid, "a"), -EPERM);
	assert_int_equal(t_rename(t, &t_bob, &d.fid, "a", &d.fid, "z", 0), -EPERM);
	assert_int_equal(t_rename(t, &t_bob, &d.fid, "b", &d.fid, "a", 0), -EPERM);
	assert_int_equal(t_unlink(t, &t_bob, &d.fid, "b"), 0);
	assert_int_equal(t_unlink(t, &t_alice, &d.fid, "a"), 0);
	assert_int_equal(t_unlink(t, &t_root, &d.fid, "a2"), 0);
}

static void mknod_types_and_root_rule(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr d, a;
	struct mds_tx *tx;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0777, &d), 0);
#define MKNOD(c, name, mode, rdev)                                                                 \
	({                                                                                         \
		int r_;                                                                            \
		assert_int_equal(mds_tx_begin(t->db, (c), &tx), 0);                                \
		r_ = mds_mknod(tx, &d.fid, t_n(name), (mode), (rdev), &a);                         \
		if (r_ >= 0)                                                                       \
			assert_int_equal(mds_tx_commit(tx), 0);                                    \
		else                                                                               \
			mds_tx_abort(tx);                                                          \
		r_;                                                                                \
	})
	assert_int_equal(MKNOD(&t_alice, "fifo", S_IFIFO | 0644, 0), 0);
	assert_true(S_ISFIFO(a.mode));
	assert_int_equal(MKNOD(&t_alice, "sock", S_IFSOCK | 0644, 0), 0);
	assert_true(S_ISSOCK(a.mode));
	assert_int_equal(MKNOD(&t_alice, "chr", S_IFCHR | 0644, 0x0501), -EPERM);
	assert_int_equal(MKNOD(&t_alice, "blk", S_IFBLK | 0644, 0x0801), -EPERM);
	assert_int_equal(MKNOD(&t_root, "chr", S_IFCHR | 0644, 0x0501), 0);
	assert_true(S_ISCHR(a.mode));
	assert_int_equal(a.rdev, 0x0501);
	assert_int_equal(MKNOD(&t_root, "blk", S_IFBLK | 0644, 0x0801), 0);
	assert_true(S_ISBLK(a.mode));
	assert_int_equal(MKNOD(&t_alice, "reg", 0644, 0), 0);
	assert_true(S_ISREG(a.mode));
	assert_int_equal(MKNOD(&t_root, "dir", S_IFDIR | 0755, 0), -EPERM);
	assert_int_equal(MKNOD(&t_alice, "fifo", S_IFIFO | 0644, 0), -EEXIST);
	assert_int_equal(mds_lookup(t->db, &t_root, &d.fid, t_n("chr"), &a), 0);
	assert_int_equal(a.rdev, 0x0501);
	assert_int_equal(t_check(t), 0);
#undef MKNOD
}

static void symlink_and_readlink(void **state)
{
	struct t_mds *t = *state;
	char buf[PROTO_SYMLINK_MAX + 2];
	struct proto_attr a, f;
	struct mds_tx *tx;

	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_symlink(tx, &t->root, t_n("l"), t_n("../some/target"), &a), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_true(S_ISLNK(a.mode));
	assert_int_equal(a.size, 14);
	assert_int_equal(mds_readlink(t->db, &a.fid, buf, sizeof(buf)), 14);
	assert_memory_equal(buf, "../some/target", 14);
	assert_int_equal(mds_readlink(t->db, &a.fid, buf, 3), 14);
	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(mds_readlink(t->db, &f.fid, buf, sizeof(buf)), -EINVAL);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_symlink(tx, &t->root, t_n("l2"),
				     (struct proto_str){buf, PROTO_SYMLINK_MAX + 1}, &a),
			 -ENAMETOOLONG);
	assert_int_equal(mds_symlink(tx, &t->root, t_n("l2"), t_n(""), &a), -ENOENT);
	assert_int_equal(mds_symlink(tx, &t->root, t_n("l"), t_n("x"), &a), -EEXIST);
	/* That one took its lock: a transaction holds one locking operation. */
	assert_int_equal(mds_symlink(tx, &t->root, t_n("l3"), t_n("x"), &a), -EBUSY);
	mds_tx_abort(tx);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(
	    mds_symlink(tx, &t->root, t_n("l2"), (struct proto_str){buf, PROTO_SYMLINK_MAX}, &a),
	    0);
	assert_int_equal(mds_tx_commit(tx), 0);
	t_reopen(t);
	assert_int_equal(mds_readlink(t->db, &a.fid, buf, sizeof(buf)), PROTO_SYMLINK_MAX);
	assert_int_equal(t_check(t), 0);
}

static void link_counts_and_errors(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f, d, a, before;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	usleep(1000);
	assert_int_equal(mds_getattr(t->db, &f.fid, &before), 0);
	assert_int_equal(t_link(t, &t_root, &f.fid, &d.fid, "g"), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_true(t_time_after(&a.ctime, &before.ctime));
	assert_int_equal(t_lookup(t, &d.fid, "g", &a), 0);
	assert_true(proto_fid_eq(&a.fid, &f.fid));
	assert_int_equal(t_link(t, &t_root, &f.fid, &d.fid, "g"), -EEXIST);
	assert_int_equal(t_link(t, &t_root, &d.fid, &t->root, "dl"), -EPERM);
	assert_int_equal(t_link(t, &t_root, &f.fid, &f.fid, "x"), -ENOTDIR);
	assert_int_equal(t_link(t, &t_alice, &f.fid, &d.fid, "h"), -EACCES);
	assert_int_equal(t_link(t, &t_root, &f.fid, &d.fid, ".."), -EEXIST);
	/* unlink of one name keeps the inode; ctime moves. */
	usleep(1000);
	assert_int_equal(mds_getattr(t->db, &f.fid, &before), 0);
	assert_int_equal(t_unlink(t, &t_root, &t->root, "f"), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(a.nlink, 1);
	assert_true(t_time_after(&a.ctime, &before.ctime));
	assert_int_equal(t_check(t), 0);
}

static void link_limit_is_emlink(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f;
	struct mds_tx *tx;
	char k[1 + 16];
	void *v;
	size_t vlen;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &f), 0);
	/*
	 * Make 65000 links cheaply: rewrite the inode's nlink field in place
	 * (schema: 'I' fid -> version, flags, parent fid, mode, nlink, ...).
	 */
	k[0] = 'I';
	proto_fid_to_key(&f.fid, (uint8_t *)k + 1);
	assert_true(mds_db_get(t->db, k, sizeof(k), &v, &vlen) > 0);
	{
		struct proto_cur c;

		proto_cur_init(&c, (uint8_t *)v + 1 + 4 + 16 + 4, 4);
		proto_put_u32(&c, MDS_LINK_MAX);
	}
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_tx_put(tx, k, sizeof(k), v, vlen), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	free(v);
	assert_int_equal(mds_getattr(t->db, &f.fid, &f), 0);
	assert_int_equal(f.nlink, MDS_LINK_MAX);
	assert_int_equal(t_link(t, &t_root, &f.fid, &t->root, "g"), -EMLINK);
	/* The checker notices the forged count. */
	assert_true(t_check(t) > 0);
}

/* Replays a create; returns its result (the tx is committed or aborted). */
static int replay(struct t_mds *t, const char *name, const struct proto_attr *a,
		  const struct proto_layout *l, struct proto_attr *out)
{
	struct mds_tx *tx;
	int rc;

	assert_int_equal(mds_tx_begin(t->db, &t_alice, &tx), 0);
	rc = mds_create_replay(tx, &t->root, t_n(name), a, l, out);
	if (rc < 0)
		mds_tx_abort(tx);
	else
		assert_int_equal(mds_tx_commit(tx), 0);
	return rc;
}

/*
 * A create lost in a crash (here: applied never) comes back with its FID,
 * mode, owner, times and objects; a second replay finds it; a name or FID
 * taken by something else and a FID never issued are refused.
 */
static void create_replay_recreates_the_lost_file(void **state)
{
	struct t_mds *t = *state;
	struct proto_layout *l = calloc(2, sizeof(*l)), *got = l + 1;
	struct proto_attr a, b, c;
	struct mds_tx *tx;

	/* The original: its FID and objects are handed out, its batch is lost. */
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_create_ex(tx, &t->root, t_n("lost"), 0640, 0, NULL, &a, l), 0);
	mds_tx_abort(tx);
	assert_int_equal(t_lookup(t, &t->root, "lost", &b), -ENOENT);
	a.uid = 1234;
	a.gid = 5678;
	a.mode = S_IFREG | 0604;
	a.mtime = (struct proto_time){1000, 1};
	a.ctime = (struct proto_time){1000, 2};
	a.atime = (struct proto_time){1000, 3};
	/* Not checked again: alice may not write in the root, the original could. */
	assert_int_equal(replay(t, "lost", &a, l, &b), 0);
	assert_int_equal(t_lookup(t, &t->root, "lost", &c), 0);
	assert_true(proto_fid_eq(&c.fid, &a.fid));
	assert_int_equal(c.uid, 1234);
	assert_int_equal(c.gid, 5678);
	assert_int_equal(c.mode, S_IFREG | 0604);
	assert_int_equal(c.mtime.sec, 1000);
	assert_int_equal(c.ctime.nsec, 2);
	assert_int_equal(mds_getlayout(t->db, &a.fid, got), 0);
	assert_int_equal(got->nobjs, l->nobjs);
	assert_int_equal(got->objs[0].objid, l->objs[0].objid);
	/* Again (the reply was lost, or it had been committed): found in place. */
	assert_int_equal(replay(t, "lost", &a, l, &b), 1);
	/* The name holds another file, or the FID lives under another name. */
	assert_int_equal(t_create(t, &t_root, &t->root, "other", 0644, &b), 0);
	assert_int_equal(replay(t, "other", &a, l, &c), -EEXIST);
	c = b;
	assert_int_equal(replay(t, "third", &c, l, &b), -EEXIST);
	/* A FID the allocator never handed out. */
	c.fid.oid += 1000000;
	assert_int_equal(replay(t, "fourth", &c, l, &b), -EINVAL);
	/* Only regular files. */
	c = a;
	c.mode = S_IFDIR | 0755;
	assert_int_equal(replay(t, "fifth", &c, l, &b), -EINVAL);
	assert_int_equal(t_check(t), 0);
	free(l);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(format_refuses_existing_database, t_setup, t_teardown),
    cmocka_unit_test(open_unformatted_is_enoent),
    cmocka_unit_test_setup_teardown(root_has_default_layout_and_fid, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(create_then_lookup_finds_it, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(create_exclusive_existing_is_eexist, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(create_replay_recreates_the_lost_file, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(create_bad_names_are_rejected, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(create_in_missing_or_file_parent_fails, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(lookup_dot_and_dotdot, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(lookup_without_search_permission_is_eacces, t_setup,
				    t_teardown),
    cmocka_unit_test_setup_teardown(mkdir_counts_links_and_times, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(dir_version_counts_entry_changes, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(unlink_removes_name_and_updates_times, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(unlink_and_rmdir_type_errors, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(write_permission_on_parent_is_checked, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(owner_from_creds_and_setgid_inheritance, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(sticky_directory_protects_entries, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(mknod_types_and_root_rule, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(symlink_and_readlink, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(link_counts_and_errors, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(link_limit_is_emlink, t_setup, t_teardown),
};
T_GROUP(mds_ns, tests)
