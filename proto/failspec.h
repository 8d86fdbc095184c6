/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Failure points by name: the ids MGS_FAIL_SET carries and the SPEC text an
 * administrator writes for them (stria-mds --fail SPEC at start-up, stria
 * fail_set FSNAME SPEC at run time), as Lustre's fail_loc / fail_val.
 *
 *   SPEC: NAME[,mode=off|always|once|skip|some|rand][,count=N][,value=N][,op=OPCODE]
 *
 * mode defaults to once; op= sets value to an opcode filter, by name
 * (MDS_CREATE, case-insensitive) or number.  Points and their values are
 * documented in docs/mds.md.
 */
#ifndef STRIA_PROTO_FAILSPEC_H
#define STRIA_PROTO_FAILSPEC_H

#include <stdint.h>

#include "msg_mgs.h"

/* The failure points (MGS_FAIL_SET ids).  For drop and crash points value is
 * an opcode filter (0: every opcode the point sees); for DELAY milliseconds. */
enum proto_fail_point {
	PROTO_FAIL_DROP_REQUEST = 0x101,       /* drop a request before it executes */
	PROTO_FAIL_DROP_REPLY = 0x102,	       /* drop a reply after its commit */
	PROTO_FAIL_DELAY = 0x103,	       /* sleep value ms before a handler runs */
	PROTO_FAIL_CRASH_BEFORE_APPLY = 0x104, /* _exit(9) before the batch is applied */
	PROTO_FAIL_CRASH_AFTER_APPLY = 0x105,  /* _exit(9) after apply, before the WAL sync */
	PROTO_FAIL_CRASH_AFTER_COMMIT = 0x106, /* _exit(9) when durable, before the reply */
	PROTO_FAIL_CRASH_AFTER_REPLY = 0x107,  /* _exit(9) after an early reply, before the sync */
	PROTO_FAIL_POINT_FIRST = PROTO_FAIL_DROP_REQUEST,
	PROTO_FAIL_POINT_LAST = PROTO_FAIL_CRASH_AFTER_REPLY,
};

/* The name of point @id ("drop_reply"), or NULL for an unknown id. */
const char *proto_fail_point_name(uint32_t id);
/* The name of enum proto_fail_mode @mode ("once"), or NULL. */
const char *proto_fail_mode_name(uint32_t mode);
/*
 * Parses SPEC into @out (written only on success).  Returns 0, -ENOENT for
 * an unknown point name, -EINVAL for any other malformed part.
 */
int proto_fail_spec_parse(const char *spec, struct proto_mgs_fail_set_req *out);

#endif
