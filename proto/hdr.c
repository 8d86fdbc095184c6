/* SPDX-License-Identifier: Apache-2.0 */
#include "hdr.h"

#include <errno.h>

#include "crc.h"

struct op_info {
	const char *name;
	uint32_t req_body_max, rep_body_max, req_bulk_max, rep_bulk_max;
};

static const struct op_info op_table[PROTO_OP_LIMIT] = {
#define PROTO_X_INFO(n, code, rq, rp, bq, bp) [code] = {#n, rq, rp, bq, bp},
    PROTO_OPCODES(PROTO_X_INFO)
#undef PROTO_X_INFO
};

#define PROTO_X_CHECK(n, code, rq, rp, bq, bp)                                                     \
	_Static_assert((rq) <= PROTO_BODY_MAX && (rp) <= PROTO_BODY_MAX, #n " body limit");        \
	_Static_assert((bq) <= PROTO_BULK_MAX && (bp) <= PROTO_BULK_MAX, #n " bulk limit");
PROTO_OPCODES(PROTO_X_CHECK)
#undef PROTO_X_CHECK

static const struct op_info *op_info(uint32_t op)
{
	if (op >= PROTO_OP_LIMIT || op_table[op].name == NULL)
		return NULL;
	return &op_table[op];
}

const char *proto_op_name(uint32_t op)
{
	const struct op_info *i = op_info(op);

	return i ? i->name : NULL;
}

bool proto_op_valid(uint32_t op)
{
	return op_info(op) != NULL;
}

uint32_t proto_op_req_body_max(uint32_t op)
{
	const struct op_info *i = op_info(op);

	return i ? i->req_body_max : 0;
}

uint32_t proto_op_rep_body_max(uint32_t op)
{
	const struct op_info *i = op_info(op);

	return i ? i->rep_body_max : 0;
}

uint32_t proto_op_req_bulk_max(uint32_t op)
{
	const struct op_info *i = op_info(op);

	return i ? i->req_bulk_max : 0;
}

uint32_t proto_op_rep_bulk_max(uint32_t op)
{
	const struct op_info *i = op_info(op);

	return i ? i->rep_bulk_max : 0;
}

void proto_hdr_encode(const struct proto_hdr *h, uint8_t buf[PROTO_HDR_LEN])
{
	struct proto_cur c;

	proto_cur_init(&c, buf, PROTO_HDR_LEN);
	proto_put_u32(&c, h->magic);
	proto_put_u16(&c, h->version);
	proto_put_u16(&c, h->opcode);
	proto_put_u32(&c, h->flags);
	proto_put_i32(&c, h->status);
	proto_put_u64(&c, h->xid);
	proto_put_u32(&c, h->body_len);
	proto_put_u32(&c, h->bulk_len);
	proto_put_u32(&c, h->bulk_csum);
	proto_put_u32(&c, h->hdr_csum);
	proto_put_u64(&c, 0);
}

int proto_hdr_decode(const uint8_t buf[PROTO_HDR_LEN], uint32_t body_cap, struct proto_hdr *out)
{
	struct proto_cur c;
	struct proto_hdr h;
	uint32_t body_max, bulk_max;
	bool reply;

	proto_cur_init_ro(&c, buf, PROTO_HDR_LEN);
	h.magic = proto_get_u32(&c);
	h.version = proto_get_u16(&c);
	h.opcode = proto_get_u16(&c);
	h.flags = proto_get_u32(&c);
	h.status = proto_get_i32(&c);
	h.xid = proto_get_u64(&c);
	h.body_len = proto_get_u32(&c);
	h.bulk_len = proto_get_u32(&c);
	h.bulk_csum = proto_get_u32(&c);
	h.hdr_csum = proto_get_u32(&c);
	(void)proto_get_u64(&c);

	if (h.magic != PROTO_MAGIC)
		return -EPROTO;
	if (h.version != PROTO_VERSION)
		return -EPROTONOSUPPORT;
	if ((h.flags & ~PROTO_F_ALL) != 0 || !proto_op_valid(h.opcode))
		return -EPROTO;
	reply = h.flags & PROTO_F_REPLY;
	if (!reply && h.status != 0)
		return -EPROTO;
	body_max = reply ? proto_op_rep_body_max(h.opcode) : proto_op_req_body_max(h.opcode);
	bulk_max = reply ? proto_op_rep_bulk_max(h.opcode) : proto_op_req_bulk_max(h.opcode);
	if (body_max > body_cap)
		body_max = body_cap;
	if (h.body_len > body_max || h.bulk_len > bulk_max)
		return -EMSGSIZE;
	if ((h.flags & PROTO_F_BULK_RDMA) && h.bulk_len != 0)
		return -EPROTO;
	*out = h;
	return 0;
}

uint32_t proto_hdr_csum(const uint8_t hdr[PROTO_HDR_LEN], const void *body, uint32_t body_len)
{
	static const uint8_t zero[4];
	uint32_t crc;

	/* hdr_csum sits at bytes 36..39; checksum the header with it taken as 0. */
	crc = proto_crc32c(0, hdr, 36);
	crc = proto_crc32c(crc, zero, sizeof(zero));
	crc = proto_crc32c(crc, hdr + 40, PROTO_HDR_LEN - 40);
	if (body_len)
		crc = proto_crc32c(crc, body, body_len);
	return crc;
}

void proto_req_pre_enc(struct proto_cur *c, const struct proto_req_pre *p)
{
	uint32_t n = p->creds.ngroups;

	if (n > PROTO_MAX_GROUPS) {
		proto_cur_fail(c, -EINVAL);
		return;
	}
	proto_put_u32(c, p->creds.fsuid);
	proto_put_u32(c, p->creds.fsgid);
	proto_put_u32(c, n);
	for (uint32_t i = 0; i < n; i++)
		proto_put_u32(c, p->creds.groups[i]);
	proto_put_u64(c, p->acked_xid);
}

void proto_req_pre_dec(struct proto_cur *c, struct proto_req_pre *p)
{
	uint32_t n;

	p->creds.fsuid = proto_get_u32(c);
	p->creds.fsgid = proto_get_u32(c);
	n = proto_get_u32(c);
	if (n > PROTO_MAX_GROUPS) {
		proto_cur_fail(c, -EPROTO);
		n = 0;
	}
	p->creds.ngroups = n;
	for (uint32_t i = 0; i < n; i++)
		p->creds.groups[i] = proto_get_u32(c);
	p->acked_xid = proto_get_u64(c);
}

void proto_rep_pre_enc(struct proto_cur *c, const struct proto_rep_pre *p)
{
	proto_put_u64(c, p->boot_instance);
	proto_put_u64(c, p->tgt_gen);
	proto_put_u64(c, p->transno);
	proto_put_u64(c, p->last_committed);
}

void proto_rep_pre_dec(struct proto_cur *c, struct proto_rep_pre *p)
{
	p->boot_instance = proto_get_u64(c);
	p->tgt_gen = proto_get_u64(c);
	p->transno = proto_get_u64(c);
	p->last_committed = proto_get_u64(c);
}

int proto_status_from_wire(int32_t status)
{
	if (status == 0)
		return 0;
	if (status < 0 && status >= -4095)
		return status;
	return -EPROTO;
}
