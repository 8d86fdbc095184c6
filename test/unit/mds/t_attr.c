/* SPDX-License-Identifier: Apache-2.0 */
/* setattr rules and extended attributes. */
#include "t_mds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct proto_attr mkfile(struct t_mds *t, const struct proto_creds *c, const char *name,
				uint32_t mode)
{
	struct proto_attr d, f;

	/* A world-writable directory so every test user can create. */
	if (t_lookup(t, &t->root, "w", &d) == -ENOENT) {
		assert_int_equal(t_mkdir(t, &t_root, &t->root, "w", 0777, &d), 0);
		assert_int_equal(
		    t_setattr(t, &t_root, &d.fid,
			      &(struct mds_setattr){.valid = MDS_ATTR_MODE, .mode = 0777}, NULL),
		    0);
	}
	assert_int_equal(t_create(t, c, &d.fid, name, mode, &f), 0);
	return f;
}

static void setattr_chmod_owner_or_root_only(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f = mkfile(t, &t_alice, "f", 0644), a;
	struct mds_setattr sa = {.valid = MDS_ATTR_MODE, .mode = 0600};

	usleep(1000);
	assert_int_equal(t_setattr(t, &t_bob, &f.fid, &sa, &a), -EPERM);
	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), 0);
	assert_int_equal(a.mode, S_IFREG | 0600);
	assert_true(t_time_after(&a.ctime, &f.ctime));
	sa.mode = 0640;
	assert_int_equal(t_setattr(t, &t_root, &f.fid, &sa, &a), 0);
	assert_int_equal(a.mode & 07777, 0640);
}

static void setattr_chmod_clears_setgid_for_non_member(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f = mkfile(t, &t_alice, "f", 0644), a;
	struct mds_setattr sa = {.valid = MDS_ATTR_GID, .gid = 5000};

	/* root gives the file to a group alice is not in; alice still owns it */
	assert_int_equal(t_setattr(t, &t_root, &f.fid, &sa, &a), 0);
	sa = (struct mds_setattr){.valid = MDS_ATTR_MODE, .mode = 02755};
	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), 0);
	assert_int_equal(a.mode & 07777, 0755);
	/* a member keeps it */
	sa = (struct mds_setattr){.valid = MDS_ATTR_GID, .gid = 2000};
	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), 0);
	sa = (struct mds_setattr){.valid = MDS_ATTR_MODE, .mode = 02755};
	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), 0);
	assert_int_equal(a.mode & 07777, 02755);
	/* root keeps it anywhere */
	sa = (struct mds_setattr){.valid = MDS_ATTR_GID, .gid = 5000};
	assert_int_equal(t_setattr(t, &t_root, &f.fid, &sa, &a), 0);
	sa = (struct mds_setattr){.valid = MDS_ATTR_MODE, .mode = 02755};
	assert_int_equal(t_setattr(t, &t_root, &f.fid, &sa, &a), 0);
	assert_int_equal(a.mode & 07777, 02755);
}

static void setattr_chown_rules(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f = mkfile(t, &t_alice, "f", 04755), a;
	struct mds_setattr sa = {.valid = MDS_ATTR_UID, .uid = 1001};

	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), -EPERM);
	sa.uid = 1000;
	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), 0);
	sa = (struct mds_setattr){.valid = MDS_ATTR_GID, .gid = 2000};
	assert_int_equal(t_setattr(t, &t_bob, &f.fid, &sa, &a), -EPERM);
	sa.gid = 3000;
	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), -EPERM);
	sa.gid = 2000;
	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), 0);
	assert_int_equal(a.gid, 2000);
	/* chown of a non-directory drops setuid */
	assert_false(a.mode & S_ISUID);
	sa = (struct mds_setattr){.valid = MDS_ATTR_UID | MDS_ATTR_GID, .uid = 1001, .gid = 1001};
	assert_int_equal(t_setattr(t, &t_root, &f.fid, &sa, &a), 0);
	assert_int_equal(a.uid, 1001);
	assert_int_equal(a.gid, 1001);
}

static void setattr_times_with_nanoseconds(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f = mkfile(t, &t_alice, "f", 0644), a;
	struct mds_setattr sa = {.valid = MDS_ATTR_ATIME | MDS_ATTR_MTIME,
				 .atime = {.sec = 12345, .nsec = 678},
				 .mtime = {.sec = 23456, .nsec = 999999999}};

	assert_int_equal(t_setattr(t, &t_bob, &f.fid, &sa, &a), -EPERM);
	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), 0);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_int_equal(a.atime.sec, 12345);
	assert_int_equal(a.atime.nsec, 678);
	assert_int_equal(a.mtime.sec, 23456);
	assert_int_equal(a.mtime.nsec, 999999999);
	sa.mtime.nsec = 1000000000;
	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), -EINVAL);
	/* "now" needs only write permission */
	sa = (struct mds_setattr){.valid = MDS_ATTR_MTIME_NOW};
	assert_int_equal(t_setattr(t, &t_bob, &f.fid, &sa, &a), -EACCES);
	sa = (struct mds_setattr){.valid = MDS_ATTR_MODE, .mode = 0666};
	assert_int_equal(t_setattr(t, &t_alice, &f.fid, &sa, &a), 0);
	sa = (struct mds_setattr){.valid = MDS_ATTR_MTIME_NOW};
	assert_int_equal(t_setattr(t, &t_bob, &f.fid, &sa, &a), 0);
	assert_true(a.mtime.sec > 23456);
}

static void setattr_size_records_and_asks_punch(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f = mkfile(t, &t_alice, "f", 0644), a, d;
	struct mds_setattr sa = {.valid = MDS_ATTR_SIZE, .size = 4096};
	uint64_t punch = 0;
	struct mds_tx *tx;

	assert_int_equal(mds_tx_begin(t->db, &t_alice, &tx), 0);
	assert_int_equal(mds_setattr(tx, &f.fid, &sa, &a, &punch), 1);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(punch, 4096);
	assert_int_equal(a.size, 4096);
	assert_true(a.data_version > f.data_version);
	assert_int_equal(t_setattr(t, &t_bob, &f.fid, &sa, &a), -EACCES);
	sa.valid |= MDS_ATTR_BY_HANDLE;
	assert_int_equal(t_setattr(t, &t_bob, &f.fid, &sa, &a), 1);
	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &d), 0);
	assert_int_equal(t_setattr(t, &t_root, &d.fid, &sa, &a), -EISDIR);
}

static void xattr_set_get_list_remove(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f = mkfile(t, &t_alice, "f", 0644), a;
	char buf[256];
	struct mds_tx *tx;

	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "user.a", "hello", 5, 0), 0);
	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "user.empty", "", 0, 0), 0);
	assert_int_equal(t_setxattr(t, &t_root, &f.fid, "trusted.t", "x", 1, 0), 0);
	assert_int_equal(mds_getxattr(t->db, &t_alice, &f.fid, t_n("user.a"), buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(mds_getxattr(t->db, &t_alice, &f.fid, t_n("user.a"), NULL, 0), 5);
	assert_int_equal(mds_getxattr(t->db, &t_alice, &f.fid, t_n("user.a"), buf, 4), -ERANGE);
	assert_int_equal(mds_getxattr(t->db, &t_alice, &f.fid, t_n("user.empty"), buf, 4), 0);
	assert_int_equal(mds_getxattr(t->db, &t_alice, &f.fid, t_n("user.no"), buf, 4), -ENODATA);
	/* list: trusted. only for root */
	assert_int_equal(mds_listxattr(t->db, &t_alice, &f.fid, NULL, 0), 18);
	assert_int_equal(mds_listxattr(t->db, &t_alice, &f.fid, buf, sizeof(buf)), 18);
	assert_memory_equal(buf, "user.a\0user.empty\0", 18);
	assert_int_equal(mds_listxattr(t->db, &t_alice, &f.fid, buf, 10), -ERANGE);
	assert_int_equal(mds_listxattr(t->db, &t_root, &f.fid, NULL, 0), 28);
	/* remove */
	assert_int_equal(mds_tx_begin(t->db, &t_alice, &tx), 0);
	assert_int_equal(mds_removexattr(tx, &f.fid, t_n("user.a")), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(mds_getxattr(t->db, &t_alice, &f.fid, t_n("user.a"), buf, 10), -ENODATA);
	assert_int_equal(mds_tx_begin(t->db, &t_alice, &tx), 0);
	assert_int_equal(mds_removexattr(tx, &f.fid, t_n("user.a")), -ENODATA);
	mds_tx_abort(tx);
	assert_int_equal(mds_getattr(t->db, &f.fid, &a), 0);
	assert_true(t_time_after(&a.ctime, &f.ctime));
	assert_int_equal(t_check(t), 0);
}

static void xattr_create_replace_flags(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f = mkfile(t, &t_alice, "f", 0644);
	char buf[8];

	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "user.a", "1", 1, MDS_XATTR_REPLACE),
			 -ENODATA);
	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "user.a", "1", 1, MDS_XATTR_CREATE), 0);
	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "user.a", "2", 1, MDS_XATTR_CREATE),
			 -EEXIST);
	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "user.a", "3", 1, MDS_XATTR_REPLACE), 0);
	assert_int_equal(mds_getxattr(t->db, &t_alice, &f.fid, t_n("user.a"), buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], '3');
	assert_int_equal(
	    t_setxattr(t, &t_alice, &f.fid, "user.a", "3", 1, MDS_XATTR_CREATE | MDS_XATTR_REPLACE),
	    -EEXIST);
}

static void xattr_namespaces_and_limits(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f = mkfile(t, &t_alice, "f", 0644), l;
	char name[300], *big;
	struct mds_tx *tx;

	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "trusted.x", "1", 1, 0), -EPERM);
	assert_int_equal(t_setxattr(t, &t_root, &f.fid, "trusted.x", "1", 1, 0), 0);
	assert_int_equal(mds_getxattr(t->db, &t_alice, &f.fid, t_n("trusted.x"), NULL, 0),
			 -ENODATA);
	assert_int_equal(mds_getxattr(t->db, &t_root, &f.fid, t_n("trusted.x"), NULL, 0), 1);
	assert_int_equal(t_setxattr(t, &t_bob, &f.fid, "security.x", "1", 1, 0), 0);
	assert_int_equal(t_setxattr(t, &t_bob, &f.fid, "user.x", "1", 1, 0), -EACCES);
	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "system.posix_acl_access", "1", 1, 0),
			 -EOPNOTSUPP);
	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "nonamespace", "1", 1, 0), -EOPNOTSUPP);
	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "", "1", 1, 0), -ERANGE);
	memcpy(name, "user.", 5);
	memset(name + 5, 'n', 251);
	name[256] = '\0';
	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, name, "1", 1, 0), -ERANGE);
	name[255] = '\0';
	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, name, "1", 1, 0), 0);
	big = calloc(1, PROTO_XATTR_VALUE_MAX + 1);
	assert_non_null(big);
	assert_int_equal(
	    t_setxattr(t, &t_alice, &f.fid, "user.big", big, PROTO_XATTR_VALUE_MAX + 1, 0), -E2BIG);
	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "user.big", big, PROTO_XATTR_VALUE_MAX, 0),
			 0);
	assert_int_equal(
	    mds_getxattr(t->db, &t_alice, &f.fid, t_n("user.big"), big, PROTO_XATTR_VALUE_MAX),
	    PROTO_XATTR_VALUE_MAX);
	free(big);
	/* user. xattrs only on regular files and directories */
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_symlink(tx, &t->root, t_n("l"), t_n("f"), &l), 0);
	assert_int_equal(mds_tx_commit(tx), 0);
	assert_int_equal(t_setxattr(t, &t_root, &l.fid, "user.x", "1", 1, 0), -EPERM);
	assert_int_equal(mds_getxattr(t->db, &t_root, &l.fid, t_n("user.x"), NULL, 0), -ENODATA);
}

static void xattrs_go_with_the_inode(void **state)
{
	struct t_mds *t = *state;
	struct proto_attr f = mkfile(t, &t_alice, "f", 0644), d;

	assert_int_equal(t_setxattr(t, &t_alice, &f.fid, "user.a", "1", 1, 0), 0);
	assert_int_equal(t_lookup(t, &t->root, "w", &d), 0);
	assert_int_equal(t_unlink(t, &t_alice, &d.fid, "f"), 0);
	/* the checker reports xattrs without an inode: none are left */
	assert_int_equal(t_check(t), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(setattr_chmod_owner_or_root_only, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(setattr_chmod_clears_setgid_for_non_member, t_setup,
				    t_teardown),
    cmocka_unit_test_setup_teardown(setattr_chown_rules, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(setattr_times_with_nanoseconds, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(setattr_size_records_and_asks_punch, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(xattr_set_get_list_remove, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(xattr_create_replace_flags, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(xattr_namespaces_and_limits, t_setup, t_teardown),
    cmocka_unit_test_setup_teardown(xattrs_go_with_the_inode, t_setup, t_teardown),
};
T_GROUP(mds_attr, tests)
