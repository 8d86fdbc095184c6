/* SPDX-License-Identifier: Apache-2.0 */
#include "bulk.h"

#include "opcodes.h"

void proto_bulk_desc_enc(struct proto_cur *c, const struct proto_bulk_desc *b)
{
	proto_put_u32(c, b->kind);
	proto_put_u32(c, b->rkey);
	proto_put_u64(c, b->addr);
	proto_put_u32(c, b->len);
	proto_put_u32(c, b->csum);
}

void proto_bulk_desc_dec(struct proto_cur *c, struct proto_bulk_desc *b)
{
	b->kind = proto_get_u32(c);
	b->rkey = proto_get_u32(c);
	b->addr = proto_get_u64(c);
	b->len = proto_get_u32(c);
	b->csum = proto_get_u32(c);
	if (b->kind > PROTO_BULK_RDMA || b->len > PROTO_BULK_MAX)
		proto_cur_fail(c, -EPROTO);
}
