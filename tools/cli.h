/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `stria` command-line tool: shared declarations.
 *
 * Every subcommand is a function `int tool_cmd_X(int argc, char **argv)`
 * (argv[0] is the subcommand's name) returning the process exit status:
 * 0 on success, 1 when an operation failed (after printing
 * "stria X: PATH: reason"), 2 for a usage error.
 *
 * Layouts travel through the virtual xattrs of a mount (proto/vxattr.h), so
 * everything except the pool commands works for an ordinary user; the pool
 * commands talk to the MGS directly (cli_pool.c).
 */
#ifndef STRIA_TOOLS_CLI_H
#define STRIA_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/proto.h"

/* ---- pure parsing and printing (cli_parse.c, unit tested) ----------------- */

/*
 * Parses a size as lfs does: a non-negative decimal number with an optional
 * suffix k, M, G, T, P or E (either case; powers of 1024, an optional
 * trailing 'b'/'B' is accepted as in "4MB").  Returns 0 with *out written,
 * -EINVAL for anything else, -ERANGE on overflow of 64 bits.
 */
int tool_parse_size(const char *s, uint64_t *out);

/*
 * Parses a signed integer for -c / -i (decimal, optional sign, e.g. "-1").
 * Returns 0 or -EINVAL (not a number, outside [@min, @max]).
 */
int tool_parse_int(const char *s, long min, long max, long *out);

/*
 * Parses an OST list as lfs does: comma-separated items, each an index
 * ("3", "0x3"), a range "5-7", or a target name "FSNAME-OST0003" (range
 * "FSNAME-OST0001-FSNAME-OST0003" is not accepted; "FSNAME-OST[1-3]" is).
 * If @fsname is not NULL, target names must belong to it.  Writes up to
 * @cap indices in the order given into @out and returns their count,
 * -EINVAL for a malformed list or index above PROTO_TARGET_INDEX_MAX,
 * -EEXIST for an index listed twice, -E2BIG for more than @cap.
 */
int tool_parse_ost_list(const char *s, const char *fsname, uint32_t *out, size_t cap);

/*
 * Parses "FSNAME.POOL" (or "FSNAME" when @pool_optional).  Returns 0, or
 * -EINVAL for a bad fsname or pool name; @pool is "" when absent.
 */
int tool_parse_fspool(const char *s, bool pool_optional, char fsname[PROTO_FSNAME_MAX + 1],
		      char pool[PROTO_POOL_NAME_MAX + 1]);

/* A find(1)-style number "[+-]N[unit]": compares greater/less/equal. */
struct tool_cmp {
	int sign; /* +1: greater than, -1: less than, 0: equal */
	uint64_t val;
	uint64_t unit; /* the suffix's multiplier (1 without one) */
};

/*
 * Parses "[+-]N" with a size suffix when @sizes (tool_parse_size rules, the
 * unit kept for find(1)-style rounding) or a plain number otherwise.
 * Returns 0 or -EINVAL.
 */
int tool_parse_cmp(const char *s, bool sizes, struct tool_cmp *out);

/*
 * True if @v matches @c.  With a unit, @v is first rounded up to whole units
 * as find(1) does ("--size -1M" matches only empty files).
 */
bool tool_cmp_match(const struct tool_cmp *c, uint64_t v);

/*
 * Prints @kib kibibytes the way `lfs df -h` does ("%.1f" and a unit of
 * K, M, G, T, P or E) into @buf.  Returns @buf.
 */
char *tool_human_kib(uint64_t kib, char *buf, size_t len);

/*
 * The Use% of `lfs df`: used / (used + avail), rounded up as df(1); 0 when
 * both are 0.
 */
int tool_use_pct(uint64_t used, uint64_t avail);

/*
 * The FID an st_ino of a stria mount was folded from (proto_fid_to_ino's
 * packed form).  Returns 0, or -EINVAL for an inode number that was hashed
 * (the FID cannot be recovered from it).
 */
int tool_ino_to_fid(uint64_t ino, struct proto_fid *out);

/* ---- mounts (cli_mount.c) ------------------------------------------------- */

struct tool_mount {
	char dir[4096];	  /* the mount point */
	char source[512]; /* "nid[:nid]:/fsname" */
	char fsname[PROTO_FSNAME_MAX + 1];
};

/*
 * Lists the stria mounts (type fuse.stria) of /proc/mounts into @out (room
 * for @cap).  Returns their number (may exceed @cap) or -errno.
 */
int tool_mounts(struct tool_mount *out, size_t cap);

/*
 * The port mount @m connects to, asked of the mount itself (its root's
 * PROTO_VXATTR_MGS: /proc/mounts does not show a FUSE mount's options);
 * PROTO_DEFAULT_PORT if it cannot say (an older client, a dead daemon).
 * Only the admin commands ask: it is a request to the mount's daemon.
 */
uint16_t tool_mount_port(const struct tool_mount *m);

/*
 * The stria mount that holds @path (the longest mount point that is a prefix
 * of its real path).  Returns 0, -ENOENT if @path does not exist, or
 * -ENOTTY ("not on a stria file system").
 */
int tool_mount_of(const char *path, struct tool_mount *out);

/* ---- layouts through the mount (cli_layout.c) --------------------------------- */

/*
 * Reads the layout of @path (a file's layout or a directory's default).
 * Returns 0, -ENODATA for a directory without a default, -ENOTTY for a path
 * that is not on stria (no such xattr), or another -errno.
 */
int tool_layout_get(const char *path, struct proto_layout *l);

/* Sets @path's layout or default to the template @l.  Returns 0 or -errno. */
int tool_layout_set(const char *path, const struct proto_layout *l);

/* Removes the default layout of directory @path.  Returns 0 or -errno. */
int tool_layout_del(const char *path);

/*
 * The default @path (a directory) effectively hands to new files: its own
 * default, else the file system default (the mount root's), fields left 0
 * filled from the root's and finally from the built-in defaults (1 stripe
 * of 1 MiB), as the MDS resolves them.  *own says whether @path has a default of its own.  Returns 0
 * or -errno.
 */
int tool_layout_effective(const char *path, struct proto_layout *l, bool *own);

/* ---- the MGS connection of the administrator commands (cli_mgs.c) ---------- */

struct net_loop;
struct net_client;
struct net_key;
struct net_req;

struct tool_mgs {
	struct net_loop *loop;
	struct net_client *cl;
	struct net_key *key;
};

/*
 * Connects @m (zeroed by the caller) to the MGS of @fsname: @mgsnode (a NID
 * list) or else the source of a mounted stria of that name; @port (> 0) or
 * else the mount's port (or 988); @keyfile or else /etc/stria/FSNAME.key when
 * it exists.  Errors are reported as "stria @cmd: ...".  Returns 0 or
 * -errno; call tool_mgs_close() in both cases.
 */
int tool_mgs_connect(struct tool_mgs *m, const char *cmd, const char *fsname, const char *mgsnode,
		     long port, const char *keyfile);
/* Sends a built request and waits for its status (the caller frees it). */
int tool_mgs_call(struct tool_mgs *m, struct net_req *r);
/* Disconnects and frees what tool_mgs_connect() set up. */
void tool_mgs_close(struct tool_mgs *m);

/* ---- error reporting (stria.c) ----------------------------------------------- */

/* "stria CMD: WHAT: strerror(-err)[ (hint)]" on stderr. */
void tool_err(const char *cmd, const char *what, int err, const char *hint);
/* "stria CMD: message" on stderr. */
void tool_msg(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- subcommands ------------------------------------------------------------- */

int tool_cmd_setstripe(int argc, char **argv);
int tool_cmd_getstripe(int argc, char **argv);
int tool_cmd_df(int argc, char **argv);
int tool_cmd_find(int argc, char **argv);
int tool_cmd_pool(int argc, char **argv);
int tool_cmd_fail(int argc, char **argv);

/* Each subcommand's usage text (its --help). */
void tool_usage_setstripe(FILE *f);
void tool_usage_getstripe(FILE *f);
void tool_usage_df(FILE *f);
void tool_usage_find(FILE *f);
void tool_usage_pool(FILE *f);
void tool_usage_fail(FILE *f);

#endif
