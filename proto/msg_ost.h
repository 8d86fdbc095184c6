/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Object storage messages: the bodies of the OST_* opcodes.  The MDS manages
 * objects (PRECREATE, ORPHAN_CLEANUP, DESTROY); clients move data (READ,
 * WRITE) and change object extents (PUNCH, FALLOCATE); both ask GETATTR, SYNC
 * and STATFS.  Every request names the OST it is for by index (one OSS serves
 * several OSTs).  The OSS's boot instance is in every reply's preamble.
 *
 * Bodies follow the request/reply preamble (hdr.h).  Encoders return
 * proto_cur_err() (-EMSGSIZE, -EINVAL for a count over its cap); decoders
 * return proto_cur_finish() (-EPROTO for anything malformed).
 *
 *   OST_PRECREATE       proto_ost_precreate_req -> proto_ost_precreate_rep
 *   OST_ORPHAN_CLEANUP  proto_ost_orphan_req    -> proto_ost_orphan_rep
 *   OST_DESTROY         proto_ost_destroy_req   -> (empty)
 *   OST_READ            proto_ost_io_req        -> proto_ost_read_rep   + reply bulk
 *   OST_WRITE           proto_ost_io_req        -> proto_ost_write_rep  (request bulk)
 *   OST_PUNCH           proto_ost_punch_req     -> proto_ost_size_rep
 *   OST_FALLOCATE       proto_ost_falloc_req    -> proto_ost_size_rep
 *   OST_GETATTR         proto_ost_obj_req       -> proto_ost_getattr_rep
 *   OST_SYNC            proto_ost_sync_req      -> (empty)
 *   OST_STATFS          proto_ost_statfs_req    -> proto_ost_statfs_rep
 *   OST_COPY            proto_ost_copy_req      -> proto_ost_write_rep
 */
#ifndef STRIA_PROTO_MSG_OST_H
#define STRIA_PROTO_MSG_OST_H

#include <stdint.h>

#include "attr.h"
#include "bulk.h"
#include "cursor.h"
#include "fid.h"

/* Most objects one PRECREATE makes (Lustre's OST_MAX_PRECREATE). */
#define PROTO_OST_PRECREATE_MAX 20000u
/* Most objects one DESTROY names. */
#define PROTO_OST_DESTROY_MAX 256u

/* Most bytes one COPY moves (the OSS copies them through a bounded buffer). */
#define PROTO_OST_COPY_MAX (4u * 1024u * 1024u)

/* Request flags of WRITE, PUNCH, FALLOCATE and COPY. */
#define PROTO_OST_F_SYNC (1u << 0) /* on stable storage before the reply */
#define PROTO_OST_F_ALL	 PROTO_OST_F_SYNC

/* An empty body (DESTROY and SYNC replies). */
int proto_ost_empty_enc(struct proto_cur *c);
int proto_ost_empty_dec(struct proto_cur *c);

/* ---- object management (MDS -> OSS) ------------------------------------- */

/* Create objects first_id .. first_id + count - 1 (ids are never 0). */
struct proto_ost_precreate_req {
	uint32_t ost_idx;
	uint64_t first_id;
	uint32_t count; /* 1..PROTO_OST_PRECREATE_MAX */
};

int proto_ost_precreate_req_enc(struct proto_cur *c, const struct proto_ost_precreate_req *m);
int proto_ost_precreate_req_dec(struct proto_cur *c, struct proto_ost_precreate_req *m);

/* The highest id created (may be below the request's last on -ENOSPC: a short batch). */
struct proto_ost_precreate_rep {
	uint64_t last_id;
};

int proto_ost_precreate_rep_enc(struct proto_cur *c, const struct proto_ost_precreate_rep *m);
int proto_ost_precreate_rep_dec(struct proto_cur *c, struct proto_ost_precreate_rep *m);

/* "The last id I assigned is last_id": destroy the precreated objects above it. */
struct proto_ost_orphan_req {
	uint32_t ost_idx;
	uint64_t last_id;
};

int proto_ost_orphan_req_enc(struct proto_cur *c, const struct proto_ost_orphan_req *m);
int proto_ost_orphan_req_dec(struct proto_cur *c, struct proto_ost_orphan_req *m);

struct proto_ost_orphan_rep {
	uint64_t last_id;   /* the highest id the OST had created before the cleanup */
	uint64_t destroyed; /* objects destroyed by it */
};

int proto_ost_orphan_rep_enc(struct proto_cur *c, const struct proto_ost_orphan_rep *m);
int proto_ost_orphan_rep_dec(struct proto_cur *c, struct proto_ost_orphan_rep *m);

/* Destroy objects; one that does not exist counts as destroyed (idempotent). */
struct proto_ost_destroy_req {
	uint32_t ost_idx;
	uint32_t count; /* 1..PROTO_OST_DESTROY_MAX */
	uint64_t objids[PROTO_OST_DESTROY_MAX];
};

int proto_ost_destroy_req_enc(struct proto_cur *c, const struct proto_ost_destroy_req *m);
int proto_ost_destroy_req_dec(struct proto_cur *c, struct proto_ost_destroy_req *m);

/* ---- data (client -> OSS) ----------------------------------------------- */

/*
 * READ and WRITE.  parent and stripe identify the file and stripe the client
 * believes the object belongs to; the OSS refuses (-ESTALE) an object that
 * records another.  length <= PROTO_BULK_MAX, offset + length must not wrap,
 * and the bulk descriptor (INLINE or RDMA) has bulk.len == length.
 * flags: PROTO_OST_F_SYNC for WRITE, 0 for READ.
 */
struct proto_ost_io_req {
	uint32_t ost_idx;
	uint64_t objid;
	struct proto_fid parent;
	uint32_t stripe;
	uint64_t offset;
	uint32_t length;
	uint32_t flags;
	struct proto_bulk_desc bulk;
};

int proto_ost_io_req_enc(struct proto_cur *c, const struct proto_ost_io_req *m);
int proto_ost_io_req_dec(struct proto_cur *c, struct proto_ost_io_req *m);

/* nread < length means the read went past the end of the object. */
struct proto_ost_read_rep {
	uint32_t nread;
	uint32_t csum; /* RDMA bulk: CRC32C of the bytes written to the client; else 0 */
};

int proto_ost_read_rep_enc(struct proto_cur *c, const struct proto_ost_read_rep *m);
int proto_ost_read_rep_dec(struct proto_cur *c, struct proto_ost_read_rep *m);

struct proto_ost_write_rep {
	uint32_t nwritten;
	uint64_t size;	 /* the object's size after the write */
	uint64_t blocks; /* its 512-byte blocks */
};

int proto_ost_write_rep_enc(struct proto_cur *c, const struct proto_ost_write_rep *m);
int proto_ost_write_rep_dec(struct proto_cur *c, struct proto_ost_write_rep *m);

/*
 * Punch object bytes [start, end); end == UINT64_MAX truncates the object to
 * start.  start <= end.
 */
struct proto_ost_punch_req {
	uint32_t ost_idx;
	uint64_t objid;
	uint64_t start;
	uint64_t end;
	uint32_t flags; /* PROTO_OST_F_SYNC */
};

int proto_ost_punch_req_enc(struct proto_cur *c, const struct proto_ost_punch_req *m);
int proto_ost_punch_req_dec(struct proto_cur *c, struct proto_ost_punch_req *m);

/*
 * fallocate(2) on an object.  mode is Linux's: 0, FALLOC_FL_KEEP_SIZE and
 * FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE are served; the decoder accepts
 * any mode and the OSS answers -EOPNOTSUPP for others.
 */
struct proto_ost_falloc_req {
	uint32_t ost_idx;
	uint64_t objid;
	uint32_t mode;
	uint64_t offset;
	uint64_t length;
	uint32_t flags; /* PROTO_OST_F_SYNC */
};

int proto_ost_falloc_req_enc(struct proto_cur *c, const struct proto_ost_falloc_req *m);
int proto_ost_falloc_req_dec(struct proto_cur *c, struct proto_ost_falloc_req *m);

/* PUNCH and FALLOCATE replies: the object afterwards. */
struct proto_ost_size_rep {
	uint64_t size;
	uint64_t blocks;
};

int proto_ost_size_rep_enc(struct proto_cur *c, const struct proto_ost_size_rep *m);
int proto_ost_size_rep_dec(struct proto_cur *c, struct proto_ost_size_rep *m);

/* GETATTR. */
struct proto_ost_obj_req {
	uint32_t ost_idx;
	uint64_t objid;
};

int proto_ost_obj_req_enc(struct proto_cur *c, const struct proto_ost_obj_req *m);
int proto_ost_obj_req_dec(struct proto_cur *c, struct proto_ost_obj_req *m);

struct proto_ost_getattr_rep {
	uint64_t size;
	uint64_t blocks;
	struct proto_time mtime;
};

int proto_ost_getattr_rep_enc(struct proto_cur *c, const struct proto_ost_getattr_rep *m);
int proto_ost_getattr_rep_dec(struct proto_cur *c, struct proto_ost_getattr_rep *m);

/*
 * Make object bytes [start, end) stable (end == UINT64_MAX: to the end);
 * objid 0 syncs the whole target (start and end then 0 and UINT64_MAX).
 */
struct proto_ost_sync_req {
	uint32_t ost_idx;
	uint64_t objid;
	uint64_t start;
	uint64_t end;
};

int proto_ost_sync_req_enc(struct proto_cur *c, const struct proto_ost_sync_req *m);
int proto_ost_sync_req_dec(struct proto_cur *c, struct proto_ost_sync_req *m);

struct proto_ost_statfs_req {
	uint32_t ost_idx;
};

int proto_ost_statfs_req_enc(struct proto_cur *c, const struct proto_ost_statfs_req *m);
int proto_ost_statfs_req_dec(struct proto_cur *c, struct proto_ost_statfs_req *m);

struct proto_ost_statfs_rep {
	struct proto_statfs sfs;
};

int proto_ost_statfs_rep_enc(struct proto_cur *c, const struct proto_ost_statfs_rep *m);
int proto_ost_statfs_rep_dec(struct proto_cur *c, struct proto_ost_statfs_rep *m);

/*
 * COPY: copy @length bytes at @src_offset of object @src_objid (OST
 * @src_ost_idx) to @offset of object @objid (OST @ost_idx), both OSTs served
 * by the OSS receiving it, without the data crossing the network.  Bytes the
 * source object does not hold (holes, past its end) are written as zeros.
 * The destination is written as by WRITE: it must exist (-ENOENT), @parent
 * and @stripe are recorded on it like a write's, PROTO_OST_F_SYNC makes the
 * copy durable before the reply.  length 1..PROTO_OST_COPY_MAX; neither
 * range may wrap.  The reply is a write reply: bytes copied (== length) and
 * the destination object's size and blocks afterwards.
 */
struct proto_ost_copy_req {
	uint32_t src_ost_idx;
	uint64_t src_objid;
	uint64_t src_offset;
	uint32_t ost_idx; /* the destination */
	uint64_t objid;
	struct proto_fid parent;
	uint32_t stripe;
	uint64_t offset;
	uint32_t length;
	uint32_t flags; /* PROTO_OST_F_SYNC */
};

int proto_ost_copy_req_enc(struct proto_cur *c, const struct proto_ost_copy_req *m);
int proto_ost_copy_req_dec(struct proto_cur *c, struct proto_ost_copy_req *m);

#endif
