/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixture of the stria-mds integration tests: a formatted MDT in a temporary
 * directory, the real stria-mds binary started on 127.0.0.1 and a free port,
 * RPC clients, and a fake OSS (a net_server in the test process answering the
 * MDS's object requests) for placement tests.
 *
 * Tests are plain programs: exit 0 (pass), 1 (fail), 77 (skip).
 */
#ifndef STRIA_T_MDSD_H
#define STRIA_T_MDSD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "net/net.h"
#include "proto/proto.h"

#define T_FSNAME "testfs"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
			t_fail_dump();                                                             \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

#define CHECK_RC(expr, want)                                                                       \
	do {                                                                                       \
		int _rc = (expr), _want = (want);                                                  \
		if (_rc != _want) {                                                                \
			fprintf(stderr, "FAIL %s:%d: %s = %d (%s), want %d (%s)\n", __FILE__,      \
				__LINE__, #expr, _rc, _rc < 0 ? strerror(-_rc) : "", _want,        \
				_want < 0 ? strerror(-_want) : "");                                \
			t_fail_dump();                                                             \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

struct t_mdsd {
	char base[64]; /* temporary directory */
	char dir[96];  /* the MDT: base/mdt */
	char log[96];  /* the daemon's stderr */
	uint16_t port;
	pid_t pid;
	char args[16][128]; /* extra arguments for the next start */
	int nargs;
};

extern const struct proto_creds t_root, t_alice, t_bob;

/* Prints the daemon log (on failure). */
void t_fail_dump(void);
/* A free TCP port on 127.0.0.1. */
uint16_t t_free_port(void);
struct proto_nid t_lo(void);

/* Formats a new MDT (identity + database) in a fresh temporary directory. */
void t_mdsd_format(struct t_mdsd *d);
/* Adds an argument for the daemon's next start. */
void t_mdsd_arg(struct t_mdsd *d, const char *arg);
/* Starts stria-mds on d->port and waits until it accepts connections. */
void t_mdsd_start(struct t_mdsd *d);
/* Sends @sig and waits for the daemon; returns its wait status. */
int t_mdsd_stop(struct t_mdsd *d, int sig);
/* Waits for an exit that the daemon does by itself (crash point); wait status. */
int t_mdsd_wait(struct t_mdsd *d);
/* Runs stria-mds --check on the MDT; returns its exit code. */
int t_mdsd_check(struct t_mdsd *d);
/* Removes the temporary directory. */
void t_mdsd_cleanup(struct t_mdsd *d);

/* An RPC client of the MDS. */
struct t_cli {
	struct net_loop *loop;
	struct net_client *cl;
	uint8_t uuid[PROTO_UUID_LEN];
};

/* Connects (in the background) as @role; per-attempt timeout @timeout_ms. */
void t_cli_new(struct t_cli *c, uint16_t port, uint32_t role, uint32_t timeout_ms);
/* Same, with a given uuid (a client coming back after a restart). */
void t_cli_new_uuid(struct t_cli *c, uint16_t port, uint32_t role, uint32_t timeout_ms,
		    const uint8_t *uuid);
void t_cli_free(struct t_cli *c);

/* Encodes @msg with @fn into a new request for @op. */
#define T_REQ(op, creds, fn, msg)                                                                  \
	({                                                                                         \
		struct net_req *_q = net_req_new(PROTO_OP_##op, (creds));                          \
		CHECK(_q != NULL);                                                                 \
		CHECK(fn(net_req_body(_q), (msg)) == 0);                                           \
		_q;                                                                                \
	})

/* ---- one-call wrappers (status as the return value) ---- */

struct proto_str t_s(const char *s);
int t_lookup(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
	     const char *name, struct proto_attr *out);
int t_getattr(struct t_cli *c, const struct proto_fid *fid, struct proto_attr *out);
int t_create(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
	     const char *name, uint32_t mode, uint32_t flags, uint32_t open_flags,
	     const struct proto_layout *layout, struct proto_mds_open_rep *out);
int t_mkdir(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
	    const char *name, uint32_t mode, struct proto_attr *out);
/* t_mkdir, also returning the changed directories' post-op attributes. */
int t_mkdir_dirs(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
		 const char *name, uint32_t mode, struct proto_attr *out,
		 struct proto_mds_dirs *dirs);
int t_unlink(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
	     const char *name, struct proto_mds_unlink_rep *out);
int t_rmdir(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
	    const char *name);
int t_rename(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *sd,
	     const char *sn, const struct proto_fid *dd, const char *dn, uint32_t flags);
/* t_rename; *@dirs (may be NULL): the changed directories' post-op attributes. */
int t_rename_dirs(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *sd,
		  const char *sn, const struct proto_fid *dd, const char *dn, uint32_t flags,
		  struct proto_mds_dirs *dirs);
int t_open(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *fid,
	   uint32_t open_flags, uint32_t flags, uint64_t handle, struct proto_mds_open_rep *out);
int t_close(struct t_cli *c, const struct proto_fid *fid, uint64_t handle);
int t_fail_set(struct t_cli *c, const struct proto_creds *cr, uint32_t id, uint32_t mode,
	       uint32_t value, uint32_t count);
int t_getlayout(struct t_cli *c, const struct proto_fid *fid, struct proto_mds_layout_rep *out);
int t_setlayout(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *fid,
		uint32_t flags, const struct proto_layout *l, struct proto_mds_layout_rep *out);
int t_setattr_size(struct t_cli *c, const struct proto_fid *fid, uint64_t size);
int t_statfs(struct t_cli *c, struct proto_mds_statfs_rep *out);
int t_register(struct t_cli *c, const char *fsname, uint32_t index, const uint8_t *uuid,
	       uint16_t port, uint64_t *gen);
/* Fetches the whole table (following pages); returns the count or -errno. */
int t_table(struct t_cli *c, uint64_t known, uint64_t *gen, bool *unchanged,
	    struct proto_mgs_tgt *out, int cap);
int t_pool(struct t_cli *c, const struct proto_creds *cr, uint16_t op, const char *pool,
	   const uint32_t *osts, uint32_t n);
/* Lists pool @pool (or all with ""): returns pools found; members of the first in @mem. */
int t_pool_list(struct t_cli *c, const char *pool, char names[][PROTO_POOL_NAME_MAX + 1], int cap,
		uint32_t *mem, uint32_t *nmem);

/* ---- a fake OSS serving OSTs @first..@first+n-1 (placement tests) ---- */

struct t_oss;
struct t_oss *t_oss_start(uint16_t port, uint32_t first, uint32_t n);
void t_oss_stop(struct t_oss *o);
/* Objects the fake OSS destroyed (DESTROY), punched (PUNCH) and precreated. */
uint64_t t_oss_destroyed(struct t_oss *o);
uint64_t t_oss_punched(struct t_oss *o, uint64_t *last_start);
uint64_t t_oss_orphan_cleanups(struct t_oss *o, uint64_t *last_id);
/* Sets the statfs the fake OSS reports for OST @idx. */
void t_oss_set_free(struct t_oss *o, uint32_t idx, uint64_t blocks, uint64_t bavail);
/* Waits up to @ms for @cond-like polling: returns true when fn(arg) is true. */
bool t_wait(bool (*fn)(void *arg), void *arg, int ms);

#endif
