/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The o2ib (RDMA) transport's wire: the private data both ends exchange when
 * rdma_cm connects them, and the frame every two-sided SEND carries.  A stria
 * message (header, body, bulk; hdr.h) travels inside a frame unchanged: its
 * header and checksums are the same bytes as over TCP.  What TCP carries
 * inline after the header, RDMA moves as the frame's descriptors say.
 *
 * Connection private data (PROTO_RDMA_CONN_LEN bytes, little-endian):
 *
 *   u32 magic        PROTO_RDMA_CONN_MAGIC ("SRC1")
 *   u16 version      PROTO_RDMA_VERSION
 *   u16 queue_depth  receive buffers the sender keeps posted: the credits the
 *                    other end starts with (PROTO_RDMA_QD_MIN..MAX)
 *   u32 msg_size     bytes of each of those buffers; no frame to the sender
 *                    may be longer (PROTO_RDMA_MSG_MIN..MAX)
 *   u32 reserved     0
 *
 * Frame (one SEND, at most the receiver's msg_size bytes):
 *
 *   u32 magic        PROTO_RDMA_FRAME_MAGIC ("SRF1")
 *   u8  version      PROTO_RDMA_VERSION
 *   u8  type         PROTO_RDMA_NOOP or PROTO_RDMA_MSG
 *   u16 flags        PROTO_RDMA_F_*
 *   u16 credits      receive buffers the sender has reposted since it last
 *                    said so: credits returned to the receiver
 *   u16 ndone        count of the done list below
 *   u32 reserved     0
 *   desc body        if F_BODY_READ  (desc: u64 addr, u32 rkey, u32 len)
 *   desc bulk        if F_BULK_READ
 *   desc sink        if F_SINK
 *   u64 done[ndone]  addresses of the receiver's buffers (offered with
 *                    F_BODY_READ/F_BULK_READ) that the sender has finished
 *                    reading: the receiver may reuse them
 *   MSG only:        the PROTO_HDR_LEN-byte message header, then the body
 *                    (hdr.body_len bytes) unless F_BODY_READ
 *
 * Flags:
 *   F_BODY_READ     the body did not fit the frame: it waits in the sender's
 *                   registered buffer @body (len == hdr.body_len) for the
 *                   receiver's RDMA READ.
 *   F_BULK_READ     the bulk (hdr.bulk_len bytes) waits in @bulk for the
 *                   receiver's RDMA READ (a write's data; a read's data when
 *                   the request named no sink).
 *   F_BULK_WRITTEN  replies only: the sender has RDMA-written the bulk
 *                   (hdr.bulk_len bytes) into the sink the request named.
 *   F_SINK          requests only: the reply's bulk, up to @sink.len bytes,
 *                   may be RDMA-written at @sink.
 *
 * A NOOP carries only credits and done addresses; it has no flags.  A message
 * with hdr.bulk_len > 0 has exactly one of F_BULK_READ and F_BULK_WRITTEN, one
 * without has neither.  The header's own PROTO_F_BULK_RDMA flag is not used by
 * this framing (the frame describes the bulk) and is refused.
 */
#ifndef STRIA_PROTO_RDMA_H
#define STRIA_PROTO_RDMA_H

#include <stddef.h>
#include <stdint.h>

#include "hdr.h"

#define PROTO_RDMA_CONN_MAGIC  0x31435253u /* "SRC1" */
#define PROTO_RDMA_FRAME_MAGIC 0x31465253u /* "SRF1" */
#define PROTO_RDMA_VERSION     1
#define PROTO_RDMA_CONN_LEN    16
#define PROTO_RDMA_FIXED_LEN   16 /* the frame before its descriptors */
#define PROTO_RDMA_DESC_LEN    16

#define PROTO_RDMA_QD_MIN  4
#define PROTO_RDMA_QD_MAX  1024
#define PROTO_RDMA_MSG_MIN 1024u
#define PROTO_RDMA_MSG_MAX (1024u * 1024u)

enum proto_rdma_type {
	PROTO_RDMA_NOOP = 1,
	PROTO_RDMA_MSG = 2,
};

#define PROTO_RDMA_F_BODY_READ	  (1u << 0)
#define PROTO_RDMA_F_BULK_READ	  (1u << 1)
#define PROTO_RDMA_F_BULK_WRITTEN (1u << 2)
#define PROTO_RDMA_F_SINK	  (1u << 3)
#define PROTO_RDMA_F_ALL                                                                           \
	(PROTO_RDMA_F_BODY_READ | PROTO_RDMA_F_BULK_READ | PROTO_RDMA_F_BULK_WRITTEN |             \
	 PROTO_RDMA_F_SINK)

struct proto_rdma_conn {
	uint32_t queue_depth;
	uint32_t msg_size;
};

/* A remote buffer. */
struct proto_rdma_desc {
	uint64_t addr;
	uint32_t rkey;
	uint32_t len;
};

struct proto_rdma_frame {
	uint32_t type;	  /* enum proto_rdma_type */
	uint32_t flags;	  /* PROTO_RDMA_F_* */
	uint32_t credits; /* <= UINT16_MAX */
	uint32_t ndone;	  /* <= UINT16_MAX */
	struct proto_rdma_desc body, bulk, sink;
	/* Decoded MSG only: pointers into the decoded buffer. */
	struct proto_hdr hdr;
	const uint8_t *hdr_buf;	    /* the PROTO_HDR_LEN header bytes as received */
	const uint8_t *body_inline; /* hdr.body_len bytes; NULL with F_BODY_READ or no body */
	const uint8_t *done;	    /* ndone little-endian u64s (read with proto_rdma_frame_done) */
};

/* Encodes @p into @buf; always PROTO_RDMA_CONN_LEN bytes. */
void proto_rdma_conn_enc(uint8_t buf[PROTO_RDMA_CONN_LEN], const struct proto_rdma_conn *p);
/*
 * Decodes private data of @len bytes (rdma_cm may deliver more than was sent:
 * the rest is ignored).  Returns 0, -EPROTO for a short buffer or wrong magic,
 * -EPROTONOSUPPORT for another version, -EINVAL for a queue depth or message
 * size out of range.  @out is written only on success.
 */
int proto_rdma_conn_dec(const void *buf, size_t len, struct proto_rdma_conn *out);

/* Bytes a frame with @flags and @ndone done addresses takes before its header. */
size_t proto_rdma_frame_prefix_len(uint32_t flags, uint32_t ndone);

/*
 * Encodes a frame into @buf (@cap bytes): @f's type, flags, credits, ndone and
 * the descriptors its flags name, then @ndone addresses from @done, then (MSG)
 * the @hdr_buf header bytes and @inline_len bytes of @body.  Returns the frame
 * length, -EMSGSIZE if it does not fit @cap, or -EINVAL for a frame the
 * decoder would refuse on its face (unknown type or flags, a NOOP with flags
 * or a header, counts over 16 bits).
 */
int proto_rdma_frame_enc(uint8_t *buf, size_t cap, const struct proto_rdma_frame *f,
			 const uint64_t *done, const uint8_t *hdr_buf, const void *body,
			 uint32_t inline_len);

/*
 * Decodes and checks a received frame of @len bytes, including (MSG) its
 * message header with proto_hdr_decode(@body_cap) and every rule above.
 * Returns 0 or -EBADMSG for anything malformed or short; never reads outside
 * [@buf, @buf + @len).  @out is written only on success and points into @buf.
 */
int proto_rdma_frame_dec(const uint8_t *buf, size_t len, uint32_t body_cap,
			 struct proto_rdma_frame *out);

/* The @i-th done address of a decoded frame (@i < ndone). */
uint64_t proto_rdma_frame_done(const struct proto_rdma_frame *f, uint32_t i);

#endif
