/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one list of RPCs.  Every other table (the opcode enum, the names, the
 * size limits the receiver enforces, the server handler tables) is generated
 * from it.
 *
 * X(NAME, code, req_body_max, rep_body_max, req_bulk_max, rep_bulk_max)
 *
 * Body limits include the request/reply preamble.  Bulk limits are the largest
 * payload that may follow the body (write data in a request, read data in a
 * reply).  A message over its limit is rejected before it is read into memory.
 * Codes are part of the wire: never renumber, only append.
 */
#ifndef STRIA_PROTO_OPCODES_H
#define STRIA_PROTO_OPCODES_H

#define PROTO_KIB 1024u
#define PROTO_MIB (1024u * 1024u)

/* Largest bulk payload of one RPC (Lustre's 4 MiB BRW). */
#define PROTO_BULK_MAX (4u * PROTO_MIB)

#define PROTO_OPCODES(X)                                                                           \
	/* session */                                                                              \
	X(CONNECT, 1, 2 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                          \
	X(DISCONNECT, 2, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                       \
	X(PING, 3, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                             \
	/* metadata (client -> MDS) */                                                             \
	X(MDS_LOOKUP, 10, 2 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                     \
	X(MDS_GETATTR, 11, 1 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                    \
	X(MDS_SETATTR, 12, 1 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                    \
	X(MDS_CREATE, 13, 16 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                    \
	X(MDS_MKDIR, 14, 2 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                      \
	X(MDS_MKNOD, 15, 2 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                      \
	X(MDS_UNLINK, 16, 2 * PROTO_KIB, 2 * PROTO_KIB, 0, 0)                                      \
	X(MDS_RMDIR, 17, 2 * PROTO_KIB, 2 * PROTO_KIB, 0, 0)                                       \
	X(MDS_RENAME, 18, 2 * PROTO_KIB, 2 * PROTO_KIB, 0, 0)                                      \
	X(MDS_LINK, 19, 2 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                       \
	X(MDS_SYMLINK, 20, 8 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                    \
	X(MDS_READLINK, 21, 1 * PROTO_KIB, 8 * PROTO_KIB, 0, 0)                                    \
	X(MDS_READDIR, 22, 1 * PROTO_KIB, 256 * PROTO_KIB, 0, 0)                                   \
	X(MDS_OPEN, 23, 16 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                      \
	X(MDS_CLOSE, 24, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                       \
	X(MDS_SYNC, 25, 1 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                       \
	X(MDS_GETXATTR, 26, 1 * PROTO_KIB, 65 * PROTO_KIB, 0, 0)                                   \
	X(MDS_SETXATTR, 27, 65 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                   \
	X(MDS_LISTXATTR, 28, 1 * PROTO_KIB, 65 * PROTO_KIB, 0, 0)                                  \
	X(MDS_REMOVEXATTR, 29, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                 \
	X(MDS_STATFS, 30, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                      \
	X(MDS_GETLAYOUT, 31, 1 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                  \
	X(MDS_SETLAYOUT, 32, 16 * PROTO_KIB, 16 * PROTO_KIB, 0, 0)                                 \
	/* management service (OSS/admin -> MDS) */                                                \
	X(MGS_TGT_TABLE, 40, 1 * PROTO_KIB, 256 * PROTO_KIB, 0, 0)                                 \
	X(MGS_TGT_REGISTER, 41, 2 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                \
	X(MGS_POOL_NEW, 42, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                    \
	X(MGS_POOL_ADD, 43, 16 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                   \
	X(MGS_POOL_REMOVE, 44, 16 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                \
	X(MGS_POOL_DESTROY, 45, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                \
	X(MGS_POOL_LIST, 46, 1 * PROTO_KIB, 256 * PROTO_KIB, 0, 0)                                 \
	X(MGS_FAIL_SET, 47, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                    \
	/* object management (MDS -> OSS) */                                                       \
	X(OST_PRECREATE, 60, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                   \
	X(OST_ORPHAN_CLEANUP, 61, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                              \
	X(OST_DESTROY, 62, 4 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                     \
	/* data (client -> OSS) */                                                                 \
	X(OST_READ, 70, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, PROTO_BULK_MAX)                           \
	X(OST_WRITE, 71, 1 * PROTO_KIB, 1 * PROTO_KIB, PROTO_BULK_MAX, 0)                          \
	X(OST_PUNCH, 72, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                       \
	X(OST_FALLOCATE, 73, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                   \
	X(OST_GETATTR, 74, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                     \
	X(OST_SYNC, 75, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                        \
	X(OST_STATFS, 76, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)                                      \
	X(OST_COPY, 77, 1 * PROTO_KIB, 1 * PROTO_KIB, 0, 0)

#endif
