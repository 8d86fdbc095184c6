/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bulk descriptors: where the data of a read or write lives.
 *
 * Kind INLINE: the bulk travels with the message, hdr.bulk_len bytes of it.
 * Over TCP it follows the body on the stream; over o2ib the RDMA transport
 * moves it with one-sided RDMA READ (writes) or RDMA WRITE (reads), naming
 * its registered buffers in its own frame (rdma.h), so callers build the same
 * body for either transport.
 *
 * Kind RDMA (address, rkey, length of a client buffer named by the body itself,
 * with PROTO_F_BULK_RDMA and bulk_len 0 in the header) is reserved: nothing
 * sends it, and the OSS refuses it.
 */
#ifndef STRIA_PROTO_BULK_H
#define STRIA_PROTO_BULK_H

#include <stdint.h>

#include "cursor.h"

enum proto_bulk_kind {
	PROTO_BULK_NONE = 0,
	PROTO_BULK_INLINE = 1,
	PROTO_BULK_RDMA = 2,
};

struct proto_bulk_desc {
	uint32_t kind; /* enum proto_bulk_kind */
	uint32_t rkey;
	uint64_t addr;
	uint32_t len;
	uint32_t csum; /* CRC32C of the data for RDMA bulk (inline bulk: in the header) */
};

void proto_bulk_desc_enc(struct proto_cur *c, const struct proto_bulk_desc *b);
/* Fails the cursor with -EPROTO on an unknown kind or len > PROTO_BULK_MAX. */
void proto_bulk_desc_dec(struct proto_cur *c, struct proto_bulk_desc *b);

#endif
