/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Directory entries: key (parent FID, cookie), where the 63-bit cookie is a
 * 55-bit hash of the name (never 0) in the high bits and a collision counter
 * in the low 8 bits.  Lookup seeks to (parent, hash << 8) and compares names
 * across the collision run; an entry keeps its cookie for its whole life, so
 * a listing that resumes at a cookie sees every entry present throughout
 * exactly once.
 */
#ifndef STRIA_MDS_DIRENT_H
#define STRIA_MDS_DIRENT_H

#include <stdint.h>

#include "proto/cursor.h"
#include "proto/fid.h"

struct mds_db;
struct mds_tx;
struct kv_snap;
struct kv_iter;

#define DIRENT_FMT_V1	 1
#define DIRENT_COLL_BITS 8
#define DIRENT_COLL_MAX	 ((1u << DIRENT_COLL_BITS) - 1)
/* Hash values are reduced to [1, DIRENT_HASH_MOD]. */
#define DIRENT_HASH_MOD ((1ull << 55) - 2)

struct dent {
	uint64_t cookie;
	struct proto_fid fid;
	uint32_t type; /* S_IFMT bits of the inode */
	uint16_t namelen;
	char name[256]; /* NUL-terminated */
};

/* The first cookie of @name's collision run. */
uint64_t dirent_run_start(struct mds_db *db, const char *name, size_t len);

/*
 * Finds @name in @parent.  Returns 0 with *@out, -ENOENT, or -errno.
 */
int dirent_find(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *parent,
		struct proto_str name, struct dent *out);

/*
 * dirent_find that, when @name is absent, also returns in *@slot the cookie
 * dirent_add would give it (0: the collision run is full), found by the same
 * scan: a create under the parent's lock reads its run once, not twice.
 */
int dirent_find_slot(struct mds_db *db, const struct proto_fid *parent, struct proto_str name,
		     struct dent *out, uint64_t *slot);

/* Stages @name -> @fid at a cookie dirent_find_slot returned (0: -ENOSPC). */
int dirent_add_at(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
		  const struct proto_fid *fid, uint32_t type, uint64_t slot);

/*
 * Stages a new entry @name -> (@fid, @type) in @parent (caller holds the
 * parent's lock and checked the name is absent).  Returns 0 with the cookie in
 * *@cookie, -ENOSPC if the collision run is full, or -errno.
 */
int dirent_add(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
	       const struct proto_fid *fid, uint32_t type, uint64_t *cookie);

/* Stages the entry at @cookie with new contents (same name, another inode). */
int dirent_set(struct mds_tx *tx, const struct proto_fid *parent, const struct dent *d);

/* Stages the removal of the entry at @cookie. */
void dirent_del(struct mds_tx *tx, const struct proto_fid *parent, uint64_t cookie);

/* 1 if directory @dir has no entries, 0 if it has, or -errno. */
int dirent_empty(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *dir);

/* Decodes an entry from its key suffix cookie and value. */
int dirent_decode(uint64_t cookie, const uint8_t *v, size_t vlen, struct dent *out);

/* An iterator over @dir's entries (the caller frees it). */
int dirent_iter(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *dir,
		struct kv_iter **out);

#endif
