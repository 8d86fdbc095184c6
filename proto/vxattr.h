/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual extended attributes a stria mount offers, and the format of
 * their values: the interface between the FUSE client and the `stria` CLI,
 * usable by an ordinary user on that user's files (no cluster key needed).
 *
 *   user.stria.lov     on a file: its layout; on a directory: its default
 *                      layout (ENODATA when it has none).  The value is the
 *                      layout's wire form (proto_layout_enc).  Setting it
 *                      sets the layout of an empty file or a directory's
 *                      default; removing it from a directory removes the
 *                      default.  "stria.lov" is an unlisted alias.
 *   user.stria.statfs  on the root of the mount: every target's statfs, in
 *                      the format below (for `stria df`).
 *
 * statfs list: u32 version (PROTO_VXATTR_STATFS_VERSION), u32 count, then
 * count entries of: u32 type (enum proto_target_type), u32 index, u16-counted
 * target name, i32 status (0, or the -errno of a target that did not answer),
 * struct proto_statfs.
 */
#ifndef STRIA_PROTO_VXATTR_H
#define STRIA_PROTO_VXATTR_H

#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "target.h"

#define PROTO_VXATTR_LOV	    "user.stria.lov"
#define PROTO_VXATTR_LOV_ALIAS	    "stria.lov"
#define PROTO_VXATTR_STATFS	    "user.stria.statfs"
#define PROTO_VXATTR_STATFS_VERSION 1u
/* Largest number of targets in one statfs list (the MDT and the OSTs). */
#define PROTO_VXATTR_STATFS_MAX 1024u
/*
 * On a mount's root, read-only: the MGS the mount uses, "NID[:NID] PORT\n"
 * (the mount source's NID list and the port it connects to).  /proc/mounts
 * does not show a FUSE mount's options, so the admin commands ask the mount.
 */
#define PROTO_VXATTR_MGS "user.stria.mgs"

struct proto_tgt_statfs {
	uint32_t type; /* enum proto_target_type */
	uint32_t index;
	char name[PROTO_TARGET_NAME_MAX + 1];
	int32_t status; /* 0, or -errno: the target did not answer */
	struct proto_statfs sfs;
};

/*
 * Encodes @n entries into @buf of @cap bytes; returns the length or
 * -EMSGSIZE.
 */
int proto_tgt_statfs_list_enc(const struct proto_tgt_statfs *e, uint32_t n, void *buf, size_t cap);
/*
 * Decodes a list: up to @cap entries into @e, the total count into *n.
 * Returns 0, or -EPROTO for a malformed list or another version.
 */
int proto_tgt_statfs_list_dec(const void *buf, size_t len, struct proto_tgt_statfs *e, uint32_t cap,
			      uint32_t *n);

#endif
