/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state of one open OST (private to oss).
 */
#ifndef STRIA_OSS_OST_INT_H
#define STRIA_OSS_OST_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "fdcache.h"
#include "objpath.h"
#include "oss.h"

/* Names inside the OST directory. */
#define OSS_OBJ_DIR	   "O"
#define OSS_LAST_ID_FILE   "LAST_ID"
#define OSS_LAST_ID_TMP	   "LAST_ID.tmp"
#define OSS_DESTROYED_FILE "DESTROYED" /* one bit per object id: destroyed (objstore.c) */

/* The xattr recording an object's parent FID and stripe index (see docs/oss.md). */
#define OSS_FID_XATTR	  "user.stria.fid"
#define OSS_FID_XATTR_LEN 20 /* 16-byte FID key + big-endian u32 stripe index */

/* A set of directories (relative to O/, "." = O/ itself) with new entries to fsync. */
struct oss_dirset {
	char (*path)[OSS_OBJPATH_MAX];
	size_t n, cap;
};

struct oss_ost {
	char *dir;	     /* immutable */
	char *name;	     /* immutable */
	int rootfd;	     /* immutable; the OST directory, flock()ed exclusively */
	int objfd;	     /* immutable; DIR/O */
	bool direct;	     /* immutable; O_DIRECT configured */
	uint32_t direct_min; /* immutable; smallest read/write that uses O_DIRECT */
	bool direct_broken;  /* atomic; the file system refused O_DIRECT */
	bool xattr_broken;   /* atomic; the file system refused the FID xattr */
	struct oss_fdc *fdc; /* immutable pointer; the cache locks itself */
	long inflight;	     /* atomic; requests submitted and not completed */

	/* serialises precreate, orphan cleanup, destroy and object creation */
	pthread_mutex_t mgmt_lock;
	uint64_t last_id; /* written under mgmt_lock (after LAST_ID is durable); read atomically */
	int tombfd;	  /* immutable; DIR/DESTROYED, read and written under mgmt_lock */

	/*
	 * Directories that gained entries (objects created by a first write)
	 * since they were last fsynced; a sync makes them durable first.
	 */
	pthread_mutex_t newdir_lock;  /* protects newdirs */
	struct oss_dirset newdirs;    /* newdir_lock */
	pthread_mutex_t dirsync_lock; /* held while those directories are fsynced */

	pthread_mutex_t log_lock; /* protects the two fields below */
	time_t log_sec;		  /* log_lock; the second of the rate-limit window */
	unsigned log_count;	  /* log_lock; error lines logged in that second */
};

/*
 * Opens object @id of @ost read-write without O_CREAT (O_DIRECT if
 * @direct): the fdcache's open function.  Returns the fd or -errno.
 */
int oss_obj_open(void *ost, uint64_t id, bool direct);

/*
 * Whether object @id has no file because nothing was written to it yet: it
 * was precreated (id <= last id) and not destroyed.  Such an object reads as
 * empty.  Returns 0, -ENOENT (no such object) or -errno.
 */
int oss_obj_unwritten(struct oss_ost *ost, uint64_t id);

/*
 * Creates the file of an unwritten object (its first write, truncate or
 * allocation).  Returns 0 (also if the file exists), -ENOENT (not
 * precreated, or destroyed) or -errno.  The new directory entry is made
 * durable by the next oss_obj_sync_new_dirs().
 */
int oss_obj_materialize(struct oss_ost *ost, uint64_t id);

/*
 * Fsyncs every directory that gained an object since the last call, so that
 * a sync of an object created by a write also makes its name durable.
 * Returns 0 or -errno (the directories stay pending).  Blocks on the disk
 * only when there is something to sync.
 */
int oss_obj_sync_new_dirs(struct oss_ost *ost);

/* How many directories wait for oss_obj_sync_new_dirs() (for tests). */
size_t oss_obj_new_dirs(struct oss_ost *ost);

/*
 * Logs an I/O error of object @id, rate-limited to a few lines per second
 * per OST (the rest are counted and reported with the next line).
 */
void oss_log_io_error(struct oss_ost *ost, uint64_t id, const char *what, int err);

/*
 * Reads the last id from DIR/LAST_ID (via @rootfd).  Returns 0 and *@out,
 * -ENOENT, or -EINVAL if the file is corrupt.
 */
int oss_lastid_read(int rootfd, uint64_t *out);

/*
 * Replaces DIR/LAST_ID with @id atomically and durably (temporary file,
 * fsync, rename, fsync of the directory).  Returns 0 or -errno.
 */
int oss_lastid_write(int rootfd, uint64_t id);

#endif
