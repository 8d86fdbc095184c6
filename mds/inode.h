/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inodes: the in-memory form, the versioned value encoding (through the proto
 * cursor) and reading/staging them.
 */
#ifndef STRIA_MDS_INODE_H
#define STRIA_MDS_INODE_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/attr.h"
#include "proto/layout.h"

struct mds_db;
struct mds_tx;
struct kv_snap;

#define INODE_FMT_V1 1

#define INODE_F_LAYOUT	     (1u << 0) /* layout holds a layout (file) or template (dir) */
#define INODE_F_LAYOUT_FIXED (1u << 1) /* a write-open was handed out */
#define INODE_F_ALL	     (INODE_F_LAYOUT | INODE_F_LAYOUT_FIXED)

struct mds_inode {
	struct proto_attr a;	 /* a.fid is the key, not stored */
	uint64_t trunc_version;	 /* data_version set by the last truncate */
	uint32_t flags;		 /* INODE_F_* */
	struct proto_fid parent; /* directories: the parent directory; else zero */
	struct proto_layout layout;
	uint16_t target_len; /* symlinks */
	char target[PROTO_SYMLINK_MAX + 1];
};

/* Largest encoded inode. */
#define INODE_VAL_MAX (128 + 64 + PROTO_LAYOUT_MAX_STRIPES * 12 + PROTO_SYMLINK_MAX)

/* Encodes @ino into @buf; returns the length or -errno. */
int inode_encode(const struct mds_inode *ino, uint8_t *buf, size_t cap);
/* Decodes an inode value for @fid; -EIO for a malformed or unknown version. */
int inode_decode(const struct proto_fid *fid, const uint8_t *buf, size_t len,
		 struct mds_inode *out);

/* Reads inode @fid (at @snap, NULL = latest).  -ENOENT if none. */
int inode_read(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *fid,
	       struct mds_inode *out);
/* Stages the inode's value in @tx. */
int inode_stage(struct mds_tx *tx, const struct mds_inode *ino);
/* A fresh inode with owner, times and counts for @mode (caller holds the tx). */
void inode_init(struct mds_inode *ino, struct mds_tx *tx, const struct proto_fid *fid,
		uint32_t mode);

/* Sets ctime (and mtime) to the transaction's time. */
void inode_touch_c(struct mds_inode *ino, struct mds_tx *tx);
void inode_touch_mc(struct mds_inode *ino, struct mds_tx *tx);
/*
 * Directory @dir gained, lost or swapped an entry: mtime and ctime to the
 * transaction's time, and data_version counts the change, so that a client
 * that knows every change up to version N can tell from the attributes after
 * its own change (N + 1) that nobody else changed the entries meanwhile.
 */
void inode_dir_changed(struct mds_inode *dir, struct mds_tx *tx);

/*
 * Removes an inode that lost its last name and has no open reference: the
 * inode, its xattrs and its orphan record go; a file's objects go onto the
 * destroy queue.  All staged in @tx (caller holds the FID lock).
 */
int inode_destroy(struct mds_tx *tx, const struct mds_inode *ino);

/*
 * Called when @ino (already updated and staged by the caller) lost its last
 * name: an open inode moves to the orphan index, any other is destroyed.
 */
int inode_release(struct mds_tx *tx, const struct mds_inode *ino);

/*
 * Reads an orphan record (KEY_ORPHAN's value): its version (ORPHAN_V_*, not
 * checked) and the time the inode lost its last name.  0, or -EIO if short.
 */
int inode_orphan_decode(const void *v, size_t len, uint8_t *ver, int64_t *sec, uint32_t *nsec);

/*
 * The last close of @ino, which has no name left.  A regular file still
 * within the unlink grace of losing its last name is kept until the grace
 * ends (the open of a client whose lookup found it just before the unlink
 * may still come); any other is destroyed.
 */
int inode_last_close(struct mds_tx *tx, const struct mds_inode *ino);

#endif
