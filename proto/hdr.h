/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The message header every stria message starts with, the opcode enum and the
 * request/reply preambles that start every body.
 *
 * On the wire (little-endian, PROTO_HDR_LEN bytes):
 *
 *   u32 magic      PROTO_MAGIC
 *   u16 version    PROTO_VERSION
 *   u16 opcode     enum proto_op
 *   u32 flags      PROTO_F_*
 *   i32 status     0 or -errno (replies)
 *   u64 xid        request id chosen by the client, echoed by the reply
 *   u32 body_len   bytes of body following the header
 *   u32 bulk_len   bytes of bulk following the body (0 with PROTO_F_BULK_RDMA)
 *   u32 bulk_csum  CRC32C of the bulk (0 with PROTO_F_NOCSUM)
 *   u32 hdr_csum   CRC32C of header (this field as 0) and body
 *   u64 reserved   0
 *
 * A message is header + body + bulk.  Bodies start with a preamble: requests
 * with the caller's credentials and the highest xid whose reply the client has
 * seen; replies with the server's boot instance, the target-table generation
 * and the MDS's transaction numbers.
 */
#ifndef STRIA_PROTO_HDR_H
#define STRIA_PROTO_HDR_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "opcodes.h"

#define PROTO_MAGIC 0x31495453u /* "STI1" */
/* 2: OST_COPY; 3: directories' post-op attributes; 4: transnos, replayed creates */
#define PROTO_VERSION 4
#define PROTO_HDR_LEN 48

/* Largest body of any message; per-opcode limits are tighter. */
#define PROTO_BODY_MAX (256u * PROTO_KIB)
/* Largest body accepted from a peer that has not completed the handshake. */
#define PROTO_PREAUTH_BODY_MAX (2u * PROTO_KIB)

enum proto_op {
	PROTO_OP_NONE = 0,
#define PROTO_X_ENUM(name, code, rq, rp, bq, bp) PROTO_OP_##name = code,
	PROTO_OPCODES(PROTO_X_ENUM)
#undef PROTO_X_ENUM
	    PROTO_OP_LIMIT /* one past the highest code */
};

/* Header flags. */
#define PROTO_F_REPLY	  (1u << 0) /* a reply, not a request */
#define PROTO_F_RESENT	  (1u << 1) /* a request resent after a reconnect (same xid) */
#define PROTO_F_NOCSUM	  (1u << 2) /* bulk carries no checksum */
#define PROTO_F_BULK_RDMA (1u << 3) /* reserved: bulk described in the body (bulk.h) */
/* A request of the client's recovery after a server restart (a replayed
 * create, a reclaimed open): sent ahead of everything else it has queued. */
#define PROTO_F_REPLAY (1u << 4)
#define PROTO_F_ALL                                                                                \
	(PROTO_F_REPLY | PROTO_F_RESENT | PROTO_F_NOCSUM | PROTO_F_BULK_RDMA | PROTO_F_REPLAY)

struct proto_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t opcode;
	uint32_t flags;
	int32_t status;
	uint64_t xid;
	uint32_t body_len;
	uint32_t bulk_len;
	uint32_t bulk_csum;
	uint32_t hdr_csum;
};

/* Name of @op ("MDS_CREATE"), or NULL for an unknown code. */
const char *proto_op_name(uint32_t op);
/* True if @op is a defined opcode. */
bool proto_op_valid(uint32_t op);
/* Per-op limits; 0 for an unknown opcode. */
uint32_t proto_op_req_body_max(uint32_t op);
uint32_t proto_op_rep_body_max(uint32_t op);
uint32_t proto_op_req_bulk_max(uint32_t op);
uint32_t proto_op_rep_bulk_max(uint32_t op);

/* Encodes @h into @buf (PROTO_HDR_LEN bytes), hdr_csum as given. */
void proto_hdr_encode(const struct proto_hdr *h, uint8_t buf[PROTO_HDR_LEN]);

/*
 * Decodes and validates a header: magic, version, opcode, flags, and the body
 * and bulk lengths against the opcode's limits (@body_cap further caps the body,
 * e.g. PROTO_PREAUTH_BODY_MAX before a handshake).  Returns 0, -EPROTO for a
 * malformed header, -EPROTONOSUPPORT for another version, -EMSGSIZE for a
 * length over its limit.  @out is written only on success.
 */
int proto_hdr_decode(const uint8_t buf[PROTO_HDR_LEN], uint32_t body_cap, struct proto_hdr *out);

/* CRC32C of the header bytes (with hdr_csum taken as 0) followed by @body. */
uint32_t proto_hdr_csum(const uint8_t hdr[PROTO_HDR_LEN], const void *body, uint32_t body_len);

/* ---- preambles -------------------------------------------------------- */

/* NFS AUTH_SYS carries 16 groups; we carry 32 and document the cap. */
#define PROTO_MAX_GROUPS 32

struct proto_creds {
	uint32_t fsuid;
	uint32_t fsgid;
	uint32_t ngroups;
	uint32_t groups[PROTO_MAX_GROUPS];
};

/* The start of every request body. */
struct proto_req_pre {
	struct proto_creds creds;
	uint64_t acked_xid; /* highest xid whose reply this client has seen */
};

/* The start of every reply body, including error replies. */
struct proto_rep_pre {
	uint64_t boot_instance; /* changes each time the server process starts */
	uint64_t tgt_gen;	/* MDS: generation of the target table; OSS: 0 */
	/*
	 * MDS: the transaction number of the change this reply answers (0: none
	 * or already durable) and the highest one durable when it was sent.
	 * Both count within one boot instance.  A client keeps a request whose
	 * transno is above last_committed, to replay it if the MDS restarts.
	 */
	uint64_t transno;
	uint64_t last_committed;
};

void proto_req_pre_enc(struct proto_cur *c, const struct proto_req_pre *p);
/* Decodes a request preamble; the cursor fails with -EPROTO if ngroups > PROTO_MAX_GROUPS. */
void proto_req_pre_dec(struct proto_cur *c, struct proto_req_pre *p);
void proto_rep_pre_enc(struct proto_cur *c, const struct proto_rep_pre *p);
void proto_rep_pre_dec(struct proto_cur *c, struct proto_rep_pre *p);

/*
 * Converts a status from the wire into a local -errno: 0 stays 0, a negative
 * value in the Linux errno range is kept, anything else becomes -EPROTO.
 */
int proto_status_from_wire(int32_t status);

#endif
