/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inode attributes and file-system statistics as they travel between the MDS,
 * the OSSes and clients.
 */
#ifndef STRIA_PROTO_ATTR_H
#define STRIA_PROTO_ATTR_H

#include <stdint.h>

#include "cursor.h"
#include "fid.h"

/* Longest name of a directory entry (f_namemax) and of a symlink target. */
#define PROTO_NAME_MAX	  255
#define PROTO_SYMLINK_MAX 4095
/* xattr names and values, as Linux limits them. */
#define PROTO_XATTR_NAME_MAX  255
#define PROTO_XATTR_VALUE_MAX 65536
#define PROTO_XATTR_LIST_MAX  65536

struct proto_time {
	int64_t sec;
	uint32_t nsec;
};

struct proto_attr {
	struct proto_fid fid;
	uint32_t mode; /* S_IFMT bits and permissions, as Linux */
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint64_t rdev;
	uint64_t size;
	uint64_t blocks; /* 512-byte units, summed over the objects */
	uint32_t blksize;
	struct proto_time atime;
	struct proto_time mtime;
	struct proto_time ctime;
	uint64_t data_version; /* changes whenever the file's data may have changed */
};

/* File-system statistics (statfs) of one target or of the whole file system. */
struct proto_statfs {
	uint32_t bsize;
	uint32_t namemax;
	uint64_t blocks; /* in bsize units */
	uint64_t bfree;
	uint64_t bavail;
	uint64_t files;
	uint64_t ffree;
};

void proto_attr_enc(struct proto_cur *c, const struct proto_attr *a);
void proto_attr_dec(struct proto_cur *c, struct proto_attr *a);
void proto_statfs_enc(struct proto_cur *c, const struct proto_statfs *s);
void proto_statfs_dec(struct proto_cur *c, struct proto_statfs *s);

#endif
