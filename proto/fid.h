/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File identifiers.
 *
 * A FID names an inode for the life of the file system, as Lustre's does:
 * a 64-bit sequence, a 32-bit object id within the sequence and a 32-bit
 * version (always 0 for now).  FIDs print as Lustre prints them,
 * "[0x200000400:0x1:0x0]", through PROTO_FID_F / PROTO_FID_P only.
 */
#ifndef STRIA_PROTO_FID_H
#define STRIA_PROTO_FID_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proto_fid {
	uint64_t seq;
	uint32_t oid;
	uint32_t ver;
};

#define PROTO_FID_F    "[0x%" PRIx64 ":0x%" PRIx32 ":0x%" PRIx32 "]"
#define PROTO_FID_P(f) (f)->seq, (f)->oid, (f)->ver

/* Longest printed FID, with the terminating NUL. */
#define PROTO_FID_STRLEN 48

/* Sequences the MDS allocates start here; st_ino packing is relative to it. */
#define PROTO_FID_SEQ_BASE 0x200000000ULL
/* Highest oid the MDS allocates within one sequence before taking the next. */
#define PROTO_FID_OID_MAX 0xffffffU
/* The first sequence handed to normal files (Lustre's FID_SEQ_NORMAL). */
#define PROTO_FID_SEQ_NORMAL 0x200000400ULL
/* The root directory of every file system: [0x200000007:0x1:0x0]. */
#define PROTO_FID_SEQ_ROOT 0x200000007ULL

static inline bool proto_fid_eq(const struct proto_fid *a, const struct proto_fid *b)
{
	return a->seq == b->seq && a->oid == b->oid && a->ver == b->ver;
}

static inline bool proto_fid_is_zero(const struct proto_fid *f)
{
	return f->seq == 0 && f->oid == 0 && f->ver == 0;
}

/* Total order used for lock ordering: (seq, oid, ver).  Returns <0, 0, >0. */
int proto_fid_cmp(const struct proto_fid *a, const struct proto_fid *b);

/* The root FID of a file system. */
struct proto_fid proto_fid_root(void);

/*
 * Folds a FID into a 64-bit inode number, stable across mounts and equal for
 * every name of the same file.  Never returns 0 or 1 (FUSE_ROOT_ID is chosen by
 * the client for the root itself).
 */
uint64_t proto_fid_to_ino(const struct proto_fid *f);

/*
 * A well-mixed 64-bit hash of a FID for in-memory hash tables: every bit of
 * seq, oid and ver reaches every bit of the result, so FIDs that differ only
 * in the low bits of the oid (consecutive creates) spread over any power of
 * two or modulus of buckets.
 */
uint64_t proto_fid_hash(const struct proto_fid *f);

/*
 * Formats @f into @buf (at least PROTO_FID_STRLEN bytes).  Returns @buf.
 */
char *proto_fid_str(const struct proto_fid *f, char *buf, size_t len);

/*
 * Parses "[0xSEQ:0xOID:0xVER]" (brackets optional).  Returns 0, or -EINVAL;
 * @out is written only on success.
 */
int proto_fid_parse(const char *s, struct proto_fid *out);

/* Big-endian 16-byte key form (sorts in proto_fid_cmp order), for databases. */
#define PROTO_FID_KEYLEN 16
void proto_fid_to_key(const struct proto_fid *f, uint8_t key[PROTO_FID_KEYLEN]);
void proto_fid_from_key(const uint8_t key[PROTO_FID_KEYLEN], struct proto_fid *out);

#endif
