/* SPDX-License-Identifier: Apache-2.0 */
#include "t_mds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct proto_creds t_root = {.fsuid = 0, .fsgid = 0};
const struct proto_creds t_alice = {.fsuid = 1000, .fsgid = 1000, .ngroups = 1, .groups = {2000}};
const struct proto_creds t_bob = {.fsuid = 1001, .fsgid = 1001};

struct proto_str t_n(const char *s)
{
	return (struct proto_str){.s = s, .len = (uint32_t)strlen(s)};
}

struct t_mds *t_make(const struct mds_db_opts *opts)
{
	struct t_mds *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/t_mds.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	strcat(t->dir, "/db");
	if (opts)
		t->opts = *opts;
	assert_int_equal(mds_db_format(t->dir), 0);
	assert_int_equal(mds_db_open(t->dir, &t->opts, &t->db), 0);
	t->root = proto_fid_root();
	return t;
}

void t_free(struct t_mds *t)
{
	char cmd[128];

	mds_db_close(t->db);
	*strrchr(t->dir, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
	free(t);
}

int t_setup(void **state)
{
	*state = t_make(NULL);
	return 0;
}

int t_teardown(void **state)
{
	t_free(*state);
	return 0;
}

void t_reopen(struct t_mds *t)
{
	mds_db_close(t->db);
	t->db = NULL;
	assert_int_equal(mds_db_open(t->dir, &t->opts, &t->db), 0);
}

/* Runs an operation's result through commit (or abort on failure). */
static int finish(struct mds_tx *tx, int rc)
{
	if (rc < 0) {
		mds_tx_abort(tx);
		return rc;
	}
	int crc = mds_tx_commit(tx);

	return crc ? crc : rc;
}

#define T_TX(t, c, call)                                                                           \
	({                                                                                         \
		struct mds_tx *tx;                                                                 \
		assert_int_equal(mds_tx_begin((t)->db, (c), &tx), 0);                              \
		finish(tx, (call));                                                                \
	})

int t_create(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *dir,
	     const char *name, uint32_t mode, struct proto_attr *out)
{
	struct proto_attr a;

	return T_TX(t, c,
		    mds_create(tx, dir, t_n(name), mode, MDS_CREATE_EXCL, NULL, out ? out : &a));
}

int t_mkdir(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *dir,
	    const char *name, uint32_t mode, struct proto_attr *out)
{
	struct proto_attr a;

	return T_TX(t, c, mds_mkdir(tx, dir, t_n(name), mode, out ? out : &a));
}

int t_unlink(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *dir,
	     const char *name)
{
	return T_TX(t, c, mds_unlink(tx, dir, t_n(name)));
}

int t_rmdir(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *dir,
	    const char *name)
{
	return T_TX(t, c, mds_rmdir(tx, dir, t_n(name)));
}

int t_rename(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *sd,
	     const char *sn, const struct proto_fid *dd, const char *dn, uint32_t flags)
{
	return T_TX(t, c, mds_rename(tx, sd, t_n(sn), dd, t_n(dn), flags));
}

int t_link(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *fid,
	   const struct proto_fid *dir, const char *name)
{
	struct proto_attr a;

	return T_TX(t, c, mds_link(tx, fid, dir, t_n(name), &a));
}

int t_setattr(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *fid,
	      const struct mds_setattr *sa, struct proto_attr *out)
{
	struct proto_attr a;
	uint64_t punch;

	return T_TX(t, c, mds_setattr(tx, fid, sa, out ? out : &a, &punch));
}

int t_open(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *fid,
	   uint32_t flags, struct proto_attr *out)
{
	struct proto_attr a;

	return T_TX(t, c, mds_open(tx, fid, flags, out ? out : &a));
}

int t_close(struct t_mds *t, const struct proto_fid *fid, const struct mds_size_report *rep)
{
	return T_TX(t, &t_root, mds_close(tx, fid, rep));
}

int t_setxattr(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *fid,
	       const char *name, const void *val, size_t size, uint32_t flags)
{
	return T_TX(t, c, mds_setxattr(tx, fid, t_n(name), val, size, flags));
}

int t_lookup(struct t_mds *t, const struct proto_fid *dir, const char *name, struct proto_attr *out)
{
	struct proto_attr a;

	return mds_lookup(t->db, &t_root, dir, t_n(name), out ? out : &a);
}

static void print_problem(void *arg, const char *p)
{
	fprintf(stderr, "  check: %s\n", p);
}

int t_check(struct t_mds *t)
{
	return mds_check(t->db, print_problem, NULL);
}

int t_time_after(const struct proto_time *a, const struct proto_time *b)
{
	return a->sec > b->sec || (a->sec == b->sec && a->nsec > b->nsec);
}

void t_age(struct t_mds *t, const struct proto_fid *fid)
{
	struct mds_setattr sa = {.valid = MDS_ATTR_MTIME | MDS_ATTR_ATIME,
				 .mtime = {.sec = 1000},
				 .atime = {.sec = 1000}};

	assert_int_equal(t_setattr(t, &t_root, fid, &sa, NULL), 0);
}
