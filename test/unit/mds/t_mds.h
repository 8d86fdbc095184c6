/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared fixture of the mds unit tests: a formatted database in a fresh
 * temporary directory, credentials, and one-call wrappers that run a single
 * operation in its own transaction and commit it.
 */
#ifndef STRIA_T_MDS_H
#define STRIA_T_MDS_H

#include "t_unit.h"

#include <sys/stat.h>

#include "mds/mds.h"

struct t_mds {
	char dir[64];
	struct mds_db *db;
	struct mds_db_opts opts;
	struct proto_fid root;
};

/* Name from a C string. */
struct proto_str t_n(const char *s);

extern const struct proto_creds t_root;	 /* uid 0 */
extern const struct proto_creds t_alice; /* uid 1000, gid 1000, also in 2000 */
extern const struct proto_creds t_bob;	 /* uid 1001, gid 1001 */

/* cmocka setup/teardown: *state becomes a struct t_mds with an open db. */
int t_setup(void **state);
int t_teardown(void **state);
/* Closes and reopens the database (same options). */
void t_reopen(struct t_mds *t);
/* Opens a second fixture with @opts (for injected hashes, allocators...). */
struct t_mds *t_make(const struct mds_db_opts *opts);
void t_free(struct t_mds *t);

/* One-operation transactions; each returns the operation's result (or the
 * commit's error). */
int t_create(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *dir,
	     const char *name, uint32_t mode, struct proto_attr *out);
int t_mkdir(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *dir,
	    const char *name, uint32_t mode, struct proto_attr *out);
int t_unlink(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *dir,
	     const char *name);
int t_rmdir(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *dir,
	    const char *name);
int t_rename(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *sd,
	     const char *sn, const struct proto_fid *dd, const char *dn, uint32_t flags);
int t_link(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *fid,
	   const struct proto_fid *dir, const char *name);
int t_setattr(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *fid,
	      const struct mds_setattr *sa, struct proto_attr *out);
int t_open(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *fid,
	   uint32_t flags, struct proto_attr *out);
int t_close(struct t_mds *t, const struct proto_fid *fid, const struct mds_size_report *rep);
int t_setxattr(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *fid,
	       const char *name, const void *val, size_t size, uint32_t flags);

/* lookup as root; asserts on failure when @must. */
int t_lookup(struct t_mds *t, const struct proto_fid *dir, const char *name,
	     struct proto_attr *out);
/* Number of checker problems (printed). */
int t_check(struct t_mds *t);
/* True if @a is strictly later than @b. */
int t_time_after(const struct proto_time *a, const struct proto_time *b);
/* Sets @fid's mtime and ctime... far in the past (as root). */
void t_age(struct t_mds *t, const struct proto_fid *fid);

#endif
