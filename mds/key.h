/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key schema of the namespace (docs/mds-schema.md).  One byte of prefix, then
 * big-endian fields so that RocksDB's bytewise order is the numeric order.
 * Prefixes owned by other MDS components are listed here too so that nobody
 * takes one twice.
 */
#ifndef STRIA_MDS_KEY_H
#define STRIA_MDS_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "proto/fid.h"

#define KEY_SUPER  'S' /* 'S' name: superblock records */
#define KEY_INODE  'I' /* 'I' fid: inode */
#define KEY_DIRENT 'D' /* 'D' parent-fid cookie(be64): directory entry */
#define KEY_XATTR  'X' /* 'X' fid name: extended attribute */
#define KEY_ORPHAN 'O' /* 'O' fid: unlinked inode still open, or kept for a grace */

/* The orphan record's first byte; then the time it lost its last name
 * (i64 seconds, u32 nanoseconds). */
#define ORPHAN_V_OPEN  1   /* open when it lost its last name: goes at the last close */
#define ORPHAN_V_GRACE 2   /* nobody had it open: goes unlink_grace_s after that time */
#define KEY_DESTROY    'Q' /* 'Q' ost(be32) objid(be64): object to destroy */
/* Reserved for the components built on this library. */
#define KEY_RESERVED_REPLY     'R' /* reply log (client, xid) */
#define KEY_RESERVED_PLACEMENT 'P' /* per-OST last assigned object id, pools */
#define KEY_RESERVED_TARGETS   'T' /* target registry */

#define KEY_SUPER_FORMAT "Sformat"
#define KEY_SUPER_FIDHWM "Sfidhwm"

#define KEY_FID_LEN	(1 + PROTO_FID_KEYLEN)
#define KEY_DIRENT_LEN	(1 + PROTO_FID_KEYLEN + 8)
#define KEY_DESTROY_LEN (1 + 4 + 8)
#define KEY_MAX		(1 + PROTO_FID_KEYLEN + 256)

void key_be64(uint8_t *p, uint64_t v);
uint64_t key_get_be64(const uint8_t *p);
void key_be32(uint8_t *p, uint32_t v);
uint32_t key_get_be32(const uint8_t *p);

/* @prefix fid; returns KEY_FID_LEN.  Used for 'I', 'O' and as the prefix of 'D'/'X'. */
size_t key_fid(uint8_t *k, uint8_t prefix, const struct proto_fid *fid);
size_t key_dirent(uint8_t *k, const struct proto_fid *parent, uint64_t cookie);
size_t key_xattr(uint8_t *k, const struct proto_fid *fid, const char *name, size_t len);
size_t key_destroy(uint8_t *k, uint32_t ost, uint64_t objid);

/* The smallest key greater than every key starting with @k[0..len) (len <= KEY_MAX). */
size_t key_prefix_end(uint8_t *out, const uint8_t *k, size_t len);

#endif
