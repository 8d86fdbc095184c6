/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The on-disk identity of a target (an MDT or an OST), written once by
 * mkfs.stria into DIR/stria-target and read by the daemon that serves DIR.
 *
 * Names follow Lustre: a file system name (fsname) of 1..PROTO_FSNAME_MAX
 * characters, and target names "FSNAME-MDT0000", "FSNAME-OST000a" (index
 * in four lower-case hex digits, as Lustre prints it).
 *
 * fsname: 1..PROTO_FSNAME_MAX characters of [A-Za-z0-9_-], the first a
 * letter or a digit.  (Lustre also caps the name at 8 characters; it is
 * stricter about nothing we accept that it rejects in practice, and '-' is
 * harmless because a target name is split at its last '-'.)
 *
 * The record.  Little-endian, through the cursor:
 *     u32 magic        PROTO_TARGET_MAGIC ("STGT")
 *     u32 version      PROTO_TARGET_FORMAT_VERSION
 *     u32 length       of the whole record, trailer included
 *     u32 type, u32 index, u32 flags
 *     u16-counted fsname, u16-counted target name
 *     u8[16] uuid, u64 ctime, u16 mgs_port, u16 nmgs, nmgs x NID (nid.h)
 *     u32 crc32c       of every byte before it
 * Errors of the decoder, in the order it checks:
 *     -EPROTO      shorter than header + trailer, or length != the bytes given
 *     -EINVAL      wrong magic: not a stria target identity at all
 *     -EUCLEAN     checksum mismatch: the record is corrupt
 *     -EOPNOTSUPP  a format version this build does not know
 *     -EPROTO      checksum right but fields malformed or inconsistent
 *                  (written by a broken encoder)
 */
#ifndef STRIA_PROTO_TARGET_H
#define STRIA_PROTO_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg_session.h"
#include "nid.h"

#define PROTO_TARGET_MAGIC	    0x54475453u /* bytes "STGT" */
#define PROTO_TARGET_FORMAT_VERSION 1u
/* The identity file inside a target directory. */
#define PROTO_TARGET_FILE "stria-target"

enum proto_target_type {
	PROTO_TARGET_MDT = 1,
	PROTO_TARGET_OST = 2,
};

/* Target indices print as four hex digits, so they stop at 0xffff (as Lustre). */
#define PROTO_TARGET_INDEX_MAX 0xffffu
/* "FSNAME-OST0000" without the NUL. */
#define PROTO_TARGET_NAME_MAX (PROTO_FSNAME_MAX + 8)

/* Target flags. */
#define PROTO_TARGET_F_ODIRECT (1u << 0) /* OST: object data I/O with O_DIRECT */
#define PROTO_TARGET_F_ALL     PROTO_TARGET_F_ODIRECT

/* Largest encoded record; every valid identity fits. */
#define PROTO_TARGET_REC_MAX 1024

struct proto_target_id {
	uint32_t version; /* PROTO_TARGET_FORMAT_VERSION */
	uint32_t type;	  /* enum proto_target_type */
	uint32_t index;	  /* 0..PROTO_TARGET_INDEX_MAX */
	uint32_t flags;	  /* PROTO_TARGET_F_*; F_ODIRECT only on an OST */
	char fsname[PROTO_FSNAME_MAX + 1];
	char name[PROTO_TARGET_NAME_MAX + 1]; /* derived from fsname/type/index, stored */
	uint8_t uuid[PROTO_UUID_LEN];	      /* random at format time, never all zero */
	uint64_t ctime;			      /* format time, seconds since the epoch */
	/* Where an OST registers (the MDS's MGS role): 1..PROTO_NID_LIST_MAX
	 * failover NIDs and the port they listen on.  An MDT may leave nmgs 0. */
	uint16_t mgs_port;
	uint16_t nmgs;
	struct proto_nid mgs[PROTO_NID_LIST_MAX];
};

/* True if @fsname is a valid file system name (see above). */
bool proto_fsname_valid(const char *fsname);

/* "MDT" or "OST", or NULL for an unknown type. */
const char *proto_target_type_name(uint32_t type);

/*
 * Builds the target name "FSNAME-OSTxxxx" / "FSNAME-MDTxxxx" into @buf of
 * @len bytes (PROTO_TARGET_NAME_MAX + 1 suffices).  Returns 0, -EINVAL for a
 * bad fsname, type or index, or -ENOSPC if @buf is too short.
 */
int proto_target_name(const char *fsname, uint32_t type, uint32_t index, char *buf, size_t len);

/*
 * Parses a target name back into its parts: fsname is everything before the
 * last '-', then "MDT" or "OST" and exactly four hex digits (either case;
 * proto_target_name() prints lower case).  Returns 0 or -EINVAL.  The
 * out-params are written only on success.
 */
int proto_target_name_parse(const char *name, char fsname[PROTO_FSNAME_MAX + 1], uint32_t *type,
			    uint32_t *index);

/*
 * Starts an identity: zeroes @id and fills version, type, index, fsname and
 * the derived name; the caller adds uuid, ctime, flags and the MGS NIDs.
 * Returns 0 or -EINVAL (bad fsname, type or index; @id untouched then).
 */
int proto_target_id_init(struct proto_target_id *id, uint32_t type, uint32_t index,
			 const char *fsname);

/*
 * Checks an identity is complete and consistent: known version, type and
 * flags (F_ODIRECT only on an OST), index in range, a valid fsname, the name
 * equal to the one derived from them, a non-zero uuid, nmgs <=
 * PROTO_NID_LIST_MAX with valid NIDs, and for an OST nmgs >= 1 and a non-zero
 * mgs_port.  Returns 0 or -EINVAL.
 */
int proto_target_id_check(const struct proto_target_id *id);

/*
 * Encodes @id as the self-checking record into @buf of @len bytes
 * (PROTO_TARGET_REC_MAX suffices).  Returns the record length, -EINVAL if
 * proto_target_id_check() fails, or -EMSGSIZE if @buf is too short.
 */
int proto_target_id_enc(const struct proto_target_id *id, void *buf, size_t len);

/*
 * Decodes and verifies a record of exactly @len bytes.  Returns 0 or the
 * errors listed at the top of this file; @out is written only on success.
 */
int proto_target_id_dec(const void *buf, size_t len, struct proto_target_id *out);

/*
 * Writes @id to @dirpath/stria-target atomically: a temporary file in the
 * same directory is written and fsynced, renamed over the old one, and the
 * directory fsynced, so a crash leaves the old identity or the new one.
 * Replaces an existing identity (refusing to reformat is the caller's
 * policy).  Returns 0 or -errno (-EINVAL for an invalid @id, or what open,
 * write, fsync or rename failed with).
 */
int proto_target_id_store(const char *dirpath, const struct proto_target_id *id);

/*
 * Reads @dirpath/stria-target.  Returns 0, -ENOENT if the directory is not
 * a formatted target (or does not exist), the decoder's errors for a bad
 * record (a file longer than PROTO_TARGET_REC_MAX is -EPROTO), or the -errno
 * of a failed open or read.  @id is written only on success.
 */
int proto_target_id_load(const char *dirpath, struct proto_target_id *id);

#endif
