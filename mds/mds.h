/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mds: the storage core of the metadata server — the namespace in RocksDB,
 * independent of the network.  docs/mds-schema.md is the companion of this
 * header: the key schema, cookies, FID allocation, lock order, group commit,
 * the orphan index, the destroy queue and the data-version rule.
 *
 * Usage for every mutating request:
 *
 *     mds_tx_begin(db, creds, &tx);
 *     rc = mds_create(tx, ...);            ONE namespace operation: it takes its
 *                                          FID locks (all at once, FID order)
 *                                          and stages puts/deletes in the batch
 *     mds_tx_put(tx, reply_key, reply);    the caller's own records, same batch
 *     mds_tx_commit(tx);                   apply (under the locks), release the
 *                                          locks, wait for the group commit
 *
 * A failed operation stages nothing (its part of the batch is rolled back) and
 * leaves the transaction usable: the caller may still commit it to store an
 * error reply, or abort it.  Read-only operations take the db, never a tx, and
 * read one consistent snapshot.  Every function that can fail returns 0 (or a
 * count) or -errno, with out-parameters written only on success.
 *
 * Names are length-counted (struct proto_str, not NUL-terminated), as they
 * arrive from the wire.
 */
#ifndef STRIA_MDS_H
#define STRIA_MDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/attr.h"
#include "proto/cursor.h"
#include "proto/fid.h"
#include "proto/hdr.h"
#include "proto/layout.h"
#include "proto/nid.h"

struct mds_db;
struct mds_tx;

/* Hard-link limit of a file, and subdirectory limit of a directory (2 + subdirs). */
#define MDS_LINK_MAX 65000u
/* Cookies 0..2 are reserved: 0 = start of the directory, 1 = ".", 2 = "..". */
#define MDS_COOKIE_START  0ull
#define MDS_COOKIE_DOT	  1ull
#define MDS_COOKIE_DOTDOT 2ull
/* Offset of the last entry of a directory: no entry has this cookie. */
#define MDS_COOKIE_EOF 0x7fffffffffffffffull

/*
 * Object allocation for a new regular file.  Called inside mds_create() with
 * the parent's FID lock held and @layout holding the resolved template
 * (explicit layout <- parent default <- root default; stripe_count may be -1,
 * stripe_offset may be -1).  It must make @layout an instantiated layout
 * (stripe_count >= 1, nobjs == stripe_count, one object per stripe) and may
 * stage its own records in @tx (mds_tx_put).  Returns 0 or -errno (the create
 * then fails and its batch part is rolled back).  Must not take FID locks.
 * @layout->flags may carry MDS_LAYOUT_F_COUNT_ASKED; the allocator leaves
 * flags 0.
 */
/*
 * In an allocation template: the stripe count came from the request itself
 * (setstripe -c N), not from a directory or file-system default, so more
 * stripes than OSTs available is an error (-EINVAL) rather than clamped.
 * Never stored or sent.
 */
#define MDS_LAYOUT_F_COUNT_ASKED (1u << 31)

typedef int (*mds_alloc_objects_fn)(void *arg, struct mds_tx *tx, const struct proto_fid *fid,
				    struct proto_layout *layout);
/*
 * A replayed create takes back the objects of its instantiated layout: the
 * allocator must never hand them out again.  Returns 0 or -errno (-EINVAL
 * for an OST it does not know).
 */
typedef int (*mds_claim_objects_fn)(void *arg, struct mds_tx *tx, const struct proto_fid *fid,
				    const struct proto_layout *layout);

/*
 * Directory-entry name hash.  The result is reduced to 55 bits; the function
 * must be the same for the life of a database (keys depend on it).  Tests
 * inject a degenerate one to force collisions.
 */
typedef uint64_t (*mds_name_hash_fn)(const char *name, size_t len);

struct mds_db_opts {
	mds_alloc_objects_fn alloc_objects; /* NULL: mds_alloc_objects_fake */
	mds_claim_objects_fn claim_objects; /* NULL: nothing to claim (the fake allocator) */
	void *alloc_arg;		    /* both hooks' */
	mds_name_hash_fn name_hash;	    /* NULL: mds_name_hash_default */
	uint32_t fid_range;		    /* FIDs reserved per persisted step; 0: 4096 */
	uint32_t commit_window_us;	    /* group-commit leader waits this long first; 0: none */
	bool manual_wal_flush;		    /* WAL records reach the file only with their sync */
	/*
	 * A file that loses its last name with nobody holding it open is kept
	 * this long (in the orphan index) for opens that looked it up just
	 * before (MDS_OPEN_RECENT), then destroyed by mds_orphan_expire().
	 * 0: destroyed at once.
	 */
	uint32_t unlink_grace_s;
};

/* ---- database ---------------------------------------------------------- */

/*
 * Formats a new MDT database in directory @path (created if missing): the
 * superblock, the FID allocator and the root directory [0x200000007:0x1:0x0]
 * (mode 0755, uid/gid 0, default layout count 1, size 1 MiB), synced.
 * Returns 0, -EEXIST if @path already holds a database, or -errno.
 */
int mds_db_format(const char *path);

/*
 * Opens a formatted database.  @opts may be NULL (defaults).  Returns 0 and
 * *@out, -ENOENT if @path holds no formatted database, -EBUSY if another
 * process has it open, or -errno.  The handle is thread-safe.
 */
int mds_db_open(const char *path, const struct mds_db_opts *opts, struct mds_db **out);

/*
 * Closes @db: syncs the WAL so nothing applied is lost.  No transaction may
 * be open and no other thread may use @db.  NULL is a no-op.
 */
void mds_db_close(struct mds_db *db);

/*
 * How many applied batches have queued objects for destruction since open:
 * the destroy task has work when it changed.
 */
uint64_t mds_db_destroy_adds(struct mds_db *db);

/* Number of WAL syncs the group commit has done since open (for tests, stats). */
uint64_t mds_db_wal_syncs(struct mds_db *db);

/* Number of transactions applied since open. */
uint64_t mds_db_applied(struct mds_db *db);

/*
 * Reads a raw record (for the components built on top: reply log, placement,
 * target registry, under their own reserved key prefixes — see the schema).
 * Returns the value length and a malloc'd copy in *@val (free()), -ENOENT, or -errno.
 */
int mds_db_get(struct mds_db *db, const void *key, size_t klen, void **val, size_t *vlen);

/*
 * Calls @fn for every record whose key starts with @prefix, in key order, on
 * one snapshot.  A non-zero return from @fn stops the scan and is returned.
 */
typedef int (*mds_scan_fn)(void *arg, const void *key, size_t klen, const void *val, size_t vlen);
int mds_db_scan(struct mds_db *db, const void *prefix, size_t plen, mds_scan_fn fn, void *arg);

/* The trivial object allocator: stripe i gets OST (offset + i) and a fake id
 * derived from the FID (count -1 means 1, offset -1 means 0).  Never fails. */
int mds_alloc_objects_fake(void *arg, struct mds_tx *tx, const struct proto_fid *fid,
			   struct proto_layout *layout);

/* The default name hash (FNV-1a, finalised with the splitmix64 mixer). */
uint64_t mds_name_hash_default(const char *name, size_t len);

/* ---- transactions ------------------------------------------------------ */

/*
 * Starts a transaction on behalf of @creds (copied).  Returns 0 and *@out, or
 * -ENOMEM.  Must end in exactly one of mds_tx_commit/apply/abort.
 */
int mds_tx_begin(struct mds_db *db, const struct proto_creds *creds, struct mds_tx **out);

/* Stages a put / delete of a raw record in the transaction's batch.  Returns 0 or -errno. */
int mds_tx_put(struct mds_tx *tx, const void *key, size_t klen, const void *val, size_t vlen);
int mds_tx_del(struct mds_tx *tx, const void *key, size_t klen);

/*
 * Registers @fn to run while the batch is being applied, under the database's
 * apply mutex (so hooks of all transactions run in application order): it may
 * stage records whose value must follow the global order (e.g. a high-water
 * mark).  At most 4 per transaction.  Returns 0 or -ENOSPC.
 */
typedef int (*mds_apply_hook_fn)(void *arg, struct mds_tx *tx);
int mds_tx_on_apply(struct mds_tx *tx, mds_apply_hook_fn fn, void *arg);

/*
 * Whether the transaction has staged anything for the database (records or
 * apply hooks).  One that has not changes nothing a crash could lose.
 */
bool mds_tx_changes(struct mds_tx *tx);

/* The transaction's database and credentials (for hooks). */
struct mds_db *mds_tx_db(struct mds_tx *tx);
const struct proto_creds *mds_tx_creds(struct mds_tx *tx);

/*
 * Applies the batch (not synced) while still holding the locks, releases the
 * locks and frees @tx.  *@ticket (may be NULL) is the commit ticket to pass to
 * mds_db_wait_durable().  Returns 0, or -errno (then nothing was applied).
 * Ownership of @tx passes in every case.
 */
int mds_tx_apply(struct mds_tx *tx, uint64_t *ticket);

/*
 * Waits until the batch with @ticket is on stable storage (group commit: one
 * WAL sync covers every batch applied before it started).  Takes no FID lock.
 * Returns 0 or -EIO (a failed WAL sync is sticky).
 */
int mds_db_wait_durable(struct mds_db *db, uint64_t ticket);

/* mds_tx_apply() then mds_db_wait_durable(). */
int mds_tx_commit(struct mds_tx *tx);

/*
 * Tickets count within one open of the database; they are the transaction
 * numbers the MDS reports to clients.  The highest ticket durable:
 */
uint64_t mds_db_durable(struct mds_db *db);

/*
 * Reads on the calling thread use only what is in memory (@on) or the disk
 * as well: while on, a read that would need the disk fails with
 * -EWOULDBLOCK instead of waiting for it (a request run on the loop thread).
 */
void mds_reads_cache_only(bool on);

/* Failure injection (crash_after_reply): no WAL sync starts any more. */
void mds_db_freeze_commits(struct mds_db *db);

/* Names the client a transaction works for (any non-zero id; 0: the MDS). */
void mds_tx_set_owner(struct mds_tx *tx, uint64_t owner);

/*
 * The highest ticket applied for anyone but @owner (other clients and the
 * MDS itself).  Once it is durable, nothing @owner's transactions could have
 * read from others can be lost in a crash: what @owner applied since may be
 * answered before it is durable, if @owner can replay it.
 */
uint64_t mds_db_foreign_ticket(struct mds_db *db, uint64_t owner);

/* Discards the batch, releases the locks, frees @tx.  NULL is a no-op. */
void mds_tx_abort(struct mds_tx *tx);

struct proto_mds_dirs;
/*
 * The directories @tx has staged so far, with their attributes as staged
 * (the post-op attributes a reply carries; at most PROTO_MDS_DIRS_MAX).
 */
void mds_tx_dirs(const struct mds_tx *tx, struct proto_mds_dirs *out);

/* ---- namespace: mutating operations (one per transaction) -------------- */

#define MDS_CREATE_EXCL	 (1u << 0) /* fail with -EEXIST if the name exists */
#define MDS_CREATE_OPEN	 (1u << 1) /* also take an open reference (see mds_open) */
#define MDS_CREATE_WRITE (1u << 2) /* with _OPEN: a write-open (fixes the layout) */

/*
 * Creates regular file @name in @parent with permission bits of @mode, owner
 * from the creds (group from a setgid parent).  @layout: an explicit template,
 * or NULL to inherit.  Without MDS_CREATE_EXCL an existing non-directory is
 * returned instead (-EISDIR for a directory).  Returns 0 (created) or 1
 * (existed) with *@out, or -errno: -EEXIST, -ENOENT (parent gone), -ENOTDIR,
 * -EACCES (no write+search on @parent), -EINVAL/-ENAMETOOLONG (bad name),
 * -ENOSPC (hash collision run full), errors of the allocator.
 */
int mds_create(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
	       uint32_t mode, uint32_t flags, const struct proto_layout *layout,
	       struct proto_attr *out);

/*
 * mds_create() that also reports the file's layout in *@lout (may be NULL):
 * the instantiated layout of the file created or found, or a zeroed layout
 * (nobjs 0) when it has none.  The new file's layout is not readable with
 * mds_getlayout() before the transaction is applied; this is how a reply
 * recorded in the same batch can carry it.
 */
int mds_create_ex(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
		  uint32_t mode, uint32_t flags, const struct proto_layout *layout,
		  struct proto_attr *out, struct proto_layout *lout);

/*
 * Replays a create that was answered before it was durable and lost in a
 * restart: the regular file @attr->fid, with @attr's permission bits, owner
 * and times and the instantiated @layout (its objects are claimed back),
 * under @name in @parent.  Permissions are not checked again: the original
 * create passed them.  Returns 0 (recreated), 1 (the name already holds
 * that FID: the create was committed after all), -EEXIST (the name or the
 * FID is taken by something else), -EINVAL (a FID this MDT never issued, a
 * layout that is not a file's) or -errno.  *@out gets the file's attributes.
 */
int mds_create_replay(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
		      const struct proto_attr *attr, const struct proto_layout *layout,
		      struct proto_attr *out);

/* mkdir: as create, plus -EMLINK when @parent has MDS_LINK_MAX links; the new
 * directory inherits @parent's setgid bit and its default layout (not root's). */
int mds_mkdir(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
	      uint32_t mode, struct proto_attr *out);

/* mknod of S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK (char/block need root: -EPERM),
 * or S_IFREG/0 (a regular file); S_IFDIR -> -EPERM, anything else -> -EINVAL. */
int mds_mknod(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
	      uint32_t mode, uint64_t rdev, struct proto_attr *out);

/* symlink @name -> @target (1..PROTO_SYMLINK_MAX bytes, else -ENOENT/-ENAMETOOLONG). */
int mds_symlink(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
		struct proto_str target, struct proto_attr *out);

/* link: new name @name in @parent for @fid.  -EPERM on a directory, -EMLINK at
 * MDS_LINK_MAX, -ENOENT if @fid is unlinked.  *@out: the file after. */
int mds_link(struct mds_tx *tx, const struct proto_fid *fid, const struct proto_fid *parent,
	     struct proto_str name, struct proto_attr *out);

/*
 * unlink of a non-directory (-EISDIR for a directory or "."/"..").  The last
 * link of a file that is open moves it to the orphan index; otherwise its
 * objects go onto the destroy queue (same batch).  -EPERM for another user's
 * entry in a sticky directory.
 */
int mds_unlink(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name);

/* rmdir of an empty directory: -ENOTDIR, -ENOTEMPTY (also ".."), -EINVAL ("."),
 * -EBUSY (the root). */
int mds_rmdir(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name);

#define MDS_RENAME_NOREPLACE (1u << 0) /* as RENAME_NOREPLACE */
#define MDS_RENAME_EXCHANGE  (1u << 1) /* as RENAME_EXCHANGE */

/*
 * rename(2)/renameat2(2): atomically replaces an existing file or empty
 * directory; -EINVAL moving a directory into its own subtree or for bad flags,
 * -EISDIR/-ENOTDIR type mismatches, -ENOTEMPTY, -EEXIST (NOREPLACE), -ENOENT
 * (EXCHANGE without a target), -EBUSY for "."/"..", -EXDEV never.  Renaming a
 * name onto another name of the same inode is a no-op (0).
 */
int mds_rename(struct mds_tx *tx, const struct proto_fid *sparent, struct proto_str sname,
	       const struct proto_fid *dparent, struct proto_str dname, uint32_t flags);

#define MDS_ATTR_MODE	   (1u << 0)
#define MDS_ATTR_UID	   (1u << 1)
#define MDS_ATTR_GID	   (1u << 2)
#define MDS_ATTR_SIZE	   (1u << 3)
#define MDS_ATTR_ATIME	   (1u << 4) /* set atime to sa->atime */
#define MDS_ATTR_MTIME	   (1u << 5) /* set mtime to sa->mtime */
#define MDS_ATTR_ATIME_NOW (1u << 6) /* set atime to the current time */
#define MDS_ATTR_MTIME_NOW (1u << 7) /* set mtime to the current time */
#define MDS_ATTR_BY_HANDLE (1u << 8) /* size change through a write-open handle (no write check) */

struct mds_setattr {
	uint32_t valid; /* MDS_ATTR_* */
	uint32_t mode;	/* permission bits (and S_ISUID/S_ISGID/S_ISVTX) */
	uint32_t uid;
	uint32_t gid;
	uint64_t size;
	struct proto_time atime;
	struct proto_time mtime;
};

/*
 * setattr with Linux's rules: chmod by owner or root (-EPERM), setgid cleared
 * when a non-root caller is not in the file's group; chown to another uid by
 * root only; chgrp by the owner to one of its groups; chown/chgrp of a
 * non-directory clears setuid (and setgid if group-executable); explicit times
 * by owner or root (-EPERM), "now" also with write permission (-EACCES); size
 * on a directory -> -EISDIR, on a non-regular file -> -EINVAL.  ctime becomes
 * now.  A size change records the new size, bumps the data version, marks it
 * as the truncate version, and returns 1 with *@punch_from = the new size: the
 * caller must punch every object from there before replying.  Returns 0 when
 * nothing needs punching.
 */
int mds_setattr(struct mds_tx *tx, const struct proto_fid *fid, const struct mds_setattr *sa,
		struct proto_attr *out, uint64_t *punch_from);

/* Sets (or with NULL clears) the default layout template of directory @fid;
 * owner or root (-EPERM); -ENOTDIR; -EINVAL for a stripe size that is not a
 * multiple of 64 KiB or a bad count. */
int mds_set_dir_layout(struct mds_tx *tx, const struct proto_fid *fid,
		       const struct proto_layout *tmpl);

#define MDS_XATTR_CREATE  1 /* as XATTR_CREATE */
#define MDS_XATTR_REPLACE 2 /* as XATTR_REPLACE */

/*
 * setxattr: user. (regular files and directories, write permission), trusted.
 * (root only: -EPERM), security.; other namespaces -EOPNOTSUPP.  Name of 1..255
 * bytes (-ERANGE), value up to PROTO_XATTR_VALUE_MAX (-E2BIG); CREATE of an
 * existing name -EEXIST, REPLACE of a missing one -ENODATA.  Updates ctime.
 */
int mds_setxattr(struct mds_tx *tx, const struct proto_fid *fid, struct proto_str name,
		 const void *value, size_t size, uint32_t flags);

/* removexattr: -ENODATA if missing; permissions as setxattr. */
int mds_removexattr(struct mds_tx *tx, const struct proto_fid *fid, struct proto_str name);

/* ---- open files, size reports, orphans --------------------------------- */

#define MDS_OPEN_READ	 (1u << 0)
#define MDS_OPEN_WRITE	 (1u << 1)
#define MDS_OPEN_NOCHECK (1u << 2) /* no permission check (a replayed open, O_CREAT) */
#define MDS_OPEN_RECENT	 (1u << 3) /* the client looked the file up just now */

/*
 * Takes an open reference on @fid (in memory; replayed by clients after a
 * restart).  Checks read/write permission (-EACCES) unless NOCHECK; a write
 * open of a directory is -EISDIR.  A file that lost its last name while
 * nobody had it open (kept for unlink_grace_s) is -ENOENT unless RECENT or
 * NOCHECK: a client's cached name must be looked up again (ESTALE), but the
 * open that follows a lookup gets the file the lookup found, even if a rename
 * replaced it in between.  A write open fixes the layout.  The
 * reference exists once the transaction is applied.  *@out: the attributes,
 * whose data_version the writer must quote in its size reports.
 */
int mds_open(struct mds_tx *tx, const struct proto_fid *fid, uint32_t flags,
	     struct proto_attr *out);

/* A writer's size report (at flush, fsync, close). */
struct mds_size_report {
	uint64_t data_version; /* the data version the writer's open returned */
	uint64_t size;	       /* end of file as the writer knows it */
	uint64_t blocks;       /* sum of the objects' blocks */
	bool wrote;	       /* the writer wrote data (bumps the data version) */
};

/*
 * Applies a size report: ignored (returns 0, nothing staged) when its
 * data_version is older than the file's last truncate; else size becomes
 * max(size, report), blocks the report's, and "wrote" bumps the data version.
 * Returns 1 if applied.
 */
int mds_report_size(struct mds_tx *tx, const struct proto_fid *fid,
		    const struct mds_size_report *rep);

/*
 * Drops an open reference, first applying @rep (may be NULL).  The last close
 * of an orphan destroys it (objects onto the destroy queue, same batch).
 * -EBADF if @fid holds no open reference.
 */
int mds_close(struct mds_tx *tx, const struct proto_fid *fid, const struct mds_size_report *rep);

/* Current number of open references on @fid. */
uint32_t mds_open_count(struct mds_db *db, const struct proto_fid *fid);

/*
 * Destroys every orphan that has no open reference (after the recovery
 * window, when clients have replayed their opens).  Returns how many, or -errno.
 */
int mds_orphan_cleanup(struct mds_db *db);

/*
 * Destroys the files kept after their last unlink whose unlink_grace_s has
 * passed and that nobody opened since, a few per transaction and one WAL
 * sync for the pass.  Returns how many, or -errno.  Cheap when there are none.
 */
int mds_orphan_expire(struct mds_db *db);

/* ---- destroy queue ------------------------------------------------------ */

struct mds_destroy_ent {
	uint32_t ost_idx;
	uint64_t objid;
	struct proto_fid parent; /* the file the object belonged to */
};

/*
 * Lists up to @max queued objects in (ost_idx, objid) order, starting after
 * @after (NULL: from the start).  Returns the count (0: nothing more) or -errno.
 */
int mds_destroyq_list(struct mds_db *db, const struct mds_destroy_ent *after,
		      struct mds_destroy_ent *out, size_t max);
/*
 * Lists up to @max queued objects of OST @ost_idx (<= PROTO_TARGET_INDEX_MAX)
 * with ids from @from on.
 */
int mds_destroyq_list_ost(struct mds_db *db, uint32_t ost_idx, uint64_t from,
			  struct mds_destroy_ent *out, size_t max);

/*
 * Where the destroy pass resumes.  A pass that listed the queue from its
 * start would step over the tombstone of every entry removed before it
 * (until compaction drops them): during a large rm -rf that grew with every
 * pass.  So the MDS remembers, per OST, the lowest object id queued since
 * the last pass (at apply) and each pass lists only from there.
 *
 * mds_destroyq_resume() hands the pass those starting points and clears
 * them: from then on the pass answers for them.  r->all: scan the whole
 * queue (at start-up, or when the points could not be kept).  The pass
 * gives back what it leaves queued (an OST down) with mds_destroyq_keep(),
 * or mds_destroyq_keep_all() if it failed.  r->from is the caller's to
 * free.
 */
struct mds_dq_resume {
	bool all;
	uint32_t n;
	uint64_t *from; /* per OST index; UINT64_MAX: nothing to do */
};
void mds_destroyq_resume(struct mds_db *db, struct mds_dq_resume *r);
void mds_destroyq_keep(struct mds_db *db, uint32_t ost_idx, uint64_t objid);
void mds_destroyq_keep_all(struct mds_db *db);

/* Stages the removal of a destroyed object from the queue (no FID lock). */
int mds_destroyq_remove(struct mds_tx *tx, uint32_t ost_idx, uint64_t objid);

/* ---- namespace: reads --------------------------------------------------- */

/* lookup of @name ("." and ".." included) in directory @parent: -ENOENT,
 * -ENOTDIR, -EACCES (no search permission), -ENAMETOOLONG, -EINVAL. */
int mds_lookup(struct mds_db *db, const struct proto_creds *creds, const struct proto_fid *parent,
	       struct proto_str name, struct proto_attr *out);

/* getattr: -ENOENT for an unknown FID (orphans are still found). */
int mds_getattr(struct mds_db *db, const struct proto_fid *fid, struct proto_attr *out);

/*
 * mds_lookup and mds_getattr that also give, from the same read, the layout
 * (*@has_layout: whether there is one; see mds_getlayout).  Both also fail
 * with -EWOULDBLOCK when reads are cache-only (kv_cache_only) and the disk
 * would be needed.
 */
int mds_lookup_layout(struct mds_db *db, const struct proto_creds *creds,
		      const struct proto_fid *parent, struct proto_str name, struct proto_attr *out,
		      struct proto_layout *layout, bool *has_layout);
int mds_getattr_layout(struct mds_db *db, const struct proto_fid *fid, struct proto_attr *out,
		       struct proto_layout *layout, bool *has_layout);

/* The instantiated layout of a regular file, or the default template of a
 * directory: -ENODATA if it has none. */
int mds_getlayout(struct mds_db *db, const struct proto_fid *fid, struct proto_layout *out);

/* readlink: copies up to @size bytes of the target (not NUL-terminated) and
 * returns its full length; -EINVAL if @fid is not a symlink. */
int mds_readlink(struct mds_db *db, const struct proto_fid *fid, char *buf, size_t size);

struct mds_dirent {
	uint64_t cookie; /* this entry's cookie (1 = ".", 2 = "..") */
	uint64_t off;	 /* the cookie of the next entry, or MDS_COOKIE_EOF */
	struct proto_fid fid;
	uint32_t type; /* S_IFMT bits */
	uint16_t namelen;
	char name[PROTO_NAME_MAX + 1]; /* NUL-terminated */
	struct proto_attr attr;	       /* with MDS_READDIR_PLUS */
};

#define MDS_READDIR_PLUS (1u << 0)

/*
 * Lists directory @dir from cookie @cookie (0 = start, or the off of the last
 * entry returned) into up to @max entries, "." and ".." first.  Read
 * permission needed (-EACCES).  Returns the count (0 = end of directory).
 */
int mds_readdir(struct mds_db *db, const struct proto_creds *creds, const struct proto_fid *dir,
		uint64_t cookie, uint32_t flags, struct mds_dirent *out, size_t max);

/*
 * getxattr: copies the value into @buf when @size is large enough and returns
 * its length; @size 0 returns the length only; -ERANGE if too small,
 * -ENODATA if missing (or a trusted. name for a non-root caller).
 */
int mds_getxattr(struct mds_db *db, const struct proto_creds *creds, const struct proto_fid *fid,
		 struct proto_str name, void *buf, size_t size);

/* listxattr: NUL-separated names (trusted. ones only for root); size rules as getxattr. */
int mds_listxattr(struct mds_db *db, const struct proto_creds *creds, const struct proto_fid *fid,
		  char *buf, size_t size);

/* statfs of the MDT: inodes in use and free, the database's file system
 * blocks, namemax 255. */
int mds_statfs(struct mds_db *db, struct proto_statfs *out);

/* ---- consistency checker ------------------------------------------------ */

typedef void (*mds_check_report_fn)(void *arg, const char *problem);

/*
 * Checks the whole namespace on one snapshot: every entry names an existing
 * inode of its type and hash; nlink equals the entries naming an inode (plus
 * 2 + subdirectories for directories); directories' parent FIDs match their
 * entries; an inode without a name is in the orphan index and vice versa;
 * xattrs belong to inodes; every object is referenced exactly once (one
 * layout or the destroy queue).  Calls @fn (may be NULL) per problem.
 * Returns the number of problems, or -errno.
 */
int mds_check(struct mds_db *db, mds_check_report_fn fn, void *arg);

/* ---- the stria-mds service (docs/mds.md) --------------------------------- */

/* Default recovery window after a restart (clients replay their opens). */
#define MDS_RECOVERY_WINDOW_S 60
/* Most --listen NIDs and --fail points given at start-up. */
#define MDS_SVC_MAX_LISTEN 8
#define MDS_SVC_MAX_FAIL   16

struct mds_svc;

/* How long a file unlinked while nobody had it open stays openable by the
 * clients that had just looked it up (stria-mds --unlink-grace). */
#define MDS_UNLINK_GRACE_S 10

struct mds_svc_cfg {
	const char *dir; /* the MDT: identity file + db/ */
	struct proto_nid listen[MDS_SVC_MAX_LISTEN];
	uint32_t nlisten;		    /* 0: 0.0.0.0@tcp */
	uint16_t port;			    /* 0: PROTO_DEFAULT_PORT */
	const char *key_file;		    /* NULL: no authentication */
	int32_t recovery_window_s;	    /* < 0: MDS_RECOVERY_WINDOW_S */
	uint32_t nworkers;		    /* 0: 16 */
	uint32_t evict_ms;		    /* 0: the net default */
	int32_t commit_window_us;	    /* < 0: GC_WINDOW_DEFAULT_US; 0: no gathering */
	int32_t unlink_grace_s;		    /* < 0: MDS_UNLINK_GRACE_S; 0: destroy at once */
	bool manual_wal_flush;		    /* --manual-wal-flush (mds_db_opts') */
	const char *fail[MDS_SVC_MAX_FAIL]; /* --fail specs (failinj.h) */
	uint32_t nfail;
};

/*
 * Opens the MDT in cfg->dir (identity + database), loads the target registry
 * and pools, starts the OST connections, the housekeeping thread and the RPC
 * server listening on every NID.  Returns 0 and *@out, or -errno (logged).
 */
int mds_svc_start(const struct mds_svc_cfg *cfg, struct mds_svc **out);

/*
 * Stops the service: no new connections, running requests finish and reply,
 * background work stops, the database is closed with everything acknowledged
 * on disk.  NULL is a no-op.  Not from a handler thread.
 */
void mds_svc_stop(struct mds_svc *svc);

/*
 * Sets a directory default or the layout of an empty regular file.  For a
 * regular file: -EPERM unless owner or root; once a write-open was handed out
 * the layout is fixed: the identical layout (@tmpl resolving to the current
 * geometry, pool and OSTs) returns 0, anything else -EEXIST (Lustre's "stripe
 * already set").  Otherwise new objects are allocated through the allocator,
 * the old objects go onto the destroy queue (same batch) and the generation
 * is bumped; returns 1 if the layout changed, 0 if it was identical.
 * *@out: the file's layout afterwards.  Other types: -EINVAL.
 */
int mds_set_file_layout(struct mds_tx *tx, const struct proto_fid *fid,
			const struct proto_layout *tmpl, struct proto_layout *out);

#endif
