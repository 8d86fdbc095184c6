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
#include "oss.h"

/* Names inside the OST directory. */
#define OSS_OBJ_DIR	 "O"
#define OSS_LAST_ID_FILE "LAST_ID"
#define OSS_LAST_ID_TMP	 "LAST_ID.tmp"

/* The xattr recording an object's parent FID and stripe index (see docs/oss.md). */
#define OSS_FID_XATTR	  "user.stria.fid"
#define OSS_FID_XATTR_LEN 20 /* 16-byte FID key + big-endian u32 stripe index */

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

	pthread_mutex_t mgmt_lock; /* serialises precreate and orphan cleanup */
	uint64_t last_id; /* written under mgmt_lock (after LAST_ID is durable); read atomically */

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
