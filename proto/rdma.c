/* SPDX-License-Identifier: Apache-2.0 */
#include "rdma.h"

#include <errno.h>

#include "cursor.h"

void proto_rdma_conn_enc(uint8_t buf[PROTO_RDMA_CONN_LEN], const struct proto_rdma_conn *p)
{
	struct proto_cur c;

	proto_cur_init(&c, buf, PROTO_RDMA_CONN_LEN);
	proto_put_u32(&c, PROTO_RDMA_CONN_MAGIC);
	proto_put_u16(&c, PROTO_RDMA_VERSION);
	proto_put_u16(&c, (uint16_t)p->queue_depth);
	proto_put_u32(&c, p->msg_size);
	proto_put_u32(&c, 0);
}

int proto_rdma_conn_dec(const void *buf, size_t len, struct proto_rdma_conn *out)
{
	struct proto_cur c;
	struct proto_rdma_conn p;
	uint32_t magic;
	uint16_t version;

	if (!buf || len < PROTO_RDMA_CONN_LEN)
		return -EPROTO;
	proto_cur_init_ro(&c, buf, PROTO_RDMA_CONN_LEN);
	magic = proto_get_u32(&c);
	version = proto_get_u16(&c);
	p.queue_depth = proto_get_u16(&c);
	p.msg_size = proto_get_u32(&c);
	if (magic != PROTO_RDMA_CONN_MAGIC)
		return -EPROTO;
	if (version != PROTO_RDMA_VERSION)
		return -EPROTONOSUPPORT;
	if (p.queue_depth < PROTO_RDMA_QD_MIN || p.queue_depth > PROTO_RDMA_QD_MAX ||
	    p.msg_size < PROTO_RDMA_MSG_MIN || p.msg_size > PROTO_RDMA_MSG_MAX)
		return -EINVAL;
	*out = p;
	return 0;
}

size_t proto_rdma_frame_prefix_len(uint32_t flags, uint32_t ndone)
{
	size_t n = PROTO_RDMA_FIXED_LEN + (size_t)ndone * 8;

	if (flags & PROTO_RDMA_F_BODY_READ)
		n += PROTO_RDMA_DESC_LEN;
	if (flags & PROTO_RDMA_F_BULK_READ)
		n += PROTO_RDMA_DESC_LEN;
	if (flags & PROTO_RDMA_F_SINK)
		n += PROTO_RDMA_DESC_LEN;
	return n;
}

static void put_desc(struct proto_cur *c, const struct proto_rdma_desc *d)
{
	proto_put_u64(c, d->addr);
	proto_put_u32(c, d->rkey);
	proto_put_u32(c, d->len);
}

static void get_desc(struct proto_cur *c, struct proto_rdma_desc *d)
{
	d->addr = proto_get_u64(c);
	d->rkey = proto_get_u32(c);
	d->len = proto_get_u32(c);
}

int proto_rdma_frame_enc(uint8_t *buf, size_t cap, const struct proto_rdma_frame *f,
			 const uint64_t *done, const uint8_t *hdr_buf, const void *body,
			 uint32_t inline_len)
{
	struct proto_cur c;

	if ((f->type != PROTO_RDMA_NOOP && f->type != PROTO_RDMA_MSG) ||
	    (f->flags & ~PROTO_RDMA_F_ALL) || f->credits > UINT16_MAX || f->ndone > UINT16_MAX)
		return -EINVAL;
	if (f->type == PROTO_RDMA_NOOP && (f->flags || hdr_buf || inline_len))
		return -EINVAL;
	if (f->type == PROTO_RDMA_MSG && !hdr_buf)
		return -EINVAL;
	proto_cur_init(&c, buf, cap);
	proto_put_u32(&c, PROTO_RDMA_FRAME_MAGIC);
	proto_put_u8(&c, PROTO_RDMA_VERSION);
	proto_put_u8(&c, (uint8_t)f->type);
	proto_put_u16(&c, (uint16_t)f->flags);
	proto_put_u16(&c, (uint16_t)f->credits);
	proto_put_u16(&c, (uint16_t)f->ndone);
	proto_put_u32(&c, 0);
	if (f->flags & PROTO_RDMA_F_BODY_READ)
		put_desc(&c, &f->body);
	if (f->flags & PROTO_RDMA_F_BULK_READ)
		put_desc(&c, &f->bulk);
	if (f->flags & PROTO_RDMA_F_SINK)
		put_desc(&c, &f->sink);
	for (uint32_t i = 0; i < f->ndone; i++)
		proto_put_u64(&c, done[i]);
	if (hdr_buf) {
		proto_put_bytes(&c, hdr_buf, PROTO_HDR_LEN);
		proto_put_bytes(&c, body, inline_len);
	}
	if (proto_cur_err(&c))
		return -EMSGSIZE;
	return (int)c.pos;
}

/* The rules that tie the frame's flags and descriptors to its message header. */
static int check_msg(const struct proto_rdma_frame *f, size_t inline_len)
{
	const struct proto_hdr *h = &f->hdr;
	bool reply = h->flags & PROTO_F_REPLY;
	uint32_t bulk_kinds = f->flags & (PROTO_RDMA_F_BULK_READ | PROTO_RDMA_F_BULK_WRITTEN);

	if (h->flags & PROTO_F_BULK_RDMA)
		return -EBADMSG;
	if (f->flags & PROTO_RDMA_F_BODY_READ) {
		if (inline_len != 0 || h->body_len == 0 || f->body.len != h->body_len)
			return -EBADMSG;
	} else if (inline_len != h->body_len) {
		return -EBADMSG;
	}
	if (h->bulk_len == 0 && bulk_kinds)
		return -EBADMSG;
	if (h->bulk_len != 0 && bulk_kinds != PROTO_RDMA_F_BULK_READ &&
	    bulk_kinds != PROTO_RDMA_F_BULK_WRITTEN)
		return -EBADMSG;
	if ((f->flags & PROTO_RDMA_F_BULK_READ) && f->bulk.len != h->bulk_len)
		return -EBADMSG;
	if ((f->flags & PROTO_RDMA_F_BULK_WRITTEN) && !reply)
		return -EBADMSG;
	if ((f->flags & PROTO_RDMA_F_SINK) &&
	    (reply || f->sink.len == 0 || f->sink.len > PROTO_BULK_MAX))
		return -EBADMSG;
	return 0;
}

int proto_rdma_frame_dec(const uint8_t *buf, size_t len, uint32_t body_cap,
			 struct proto_rdma_frame *out)
{
	struct proto_rdma_frame f = {0};
	struct proto_cur c;
	uint32_t magic, version, reserved;
	size_t left;

	proto_cur_init_ro(&c, buf, len);
	magic = proto_get_u32(&c);
	version = proto_get_u8(&c);
	f.type = proto_get_u8(&c);
	f.flags = proto_get_u16(&c);
	f.credits = proto_get_u16(&c);
	f.ndone = proto_get_u16(&c);
	reserved = proto_get_u32(&c);
	if (proto_cur_err(&c) || magic != PROTO_RDMA_FRAME_MAGIC || version != PROTO_RDMA_VERSION ||
	    reserved != 0 || (f.flags & ~PROTO_RDMA_F_ALL))
		return -EBADMSG;
	if (f.type != PROTO_RDMA_NOOP && f.type != PROTO_RDMA_MSG)
		return -EBADMSG;
	if (f.type == PROTO_RDMA_NOOP && f.flags)
		return -EBADMSG;
	if (f.flags & PROTO_RDMA_F_BODY_READ)
		get_desc(&c, &f.body);
	if (f.flags & PROTO_RDMA_F_BULK_READ)
		get_desc(&c, &f.bulk);
	if (f.flags & PROTO_RDMA_F_SINK)
		get_desc(&c, &f.sink);
	/* proto_cur_rspace checks ndone * 8 against what is left before anything is read. */
	f.done = proto_cur_rspace(&c, (size_t)f.ndone * 8);
	if (proto_cur_err(&c))
		return -EBADMSG;
	left = proto_cur_left(&c);
	if (f.type == PROTO_RDMA_NOOP) {
		if (left != 0)
			return -EBADMSG;
		*out = f;
		return 0;
	}
	f.hdr_buf = proto_cur_rspace(&c, PROTO_HDR_LEN);
	if (!f.hdr_buf || proto_hdr_decode(f.hdr_buf, body_cap, &f.hdr) != 0)
		return -EBADMSG;
	left = proto_cur_left(&c);
	if (check_msg(&f, left))
		return -EBADMSG;
	if (left)
		f.body_inline = buf + c.pos;
	*out = f;
	return 0;
}

uint64_t proto_rdma_frame_done(const struct proto_rdma_frame *f, uint32_t i)
{
	struct proto_cur c;

	proto_cur_init_ro(&c, f->done + (size_t)i * 8, 8);
	return proto_get_u64(&c);
}
