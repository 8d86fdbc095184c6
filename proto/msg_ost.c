/* SPDX-License-Identifier: Apache-2.0 */
#include "msg_ost.h"

#include "opcodes.h"

/*
 * Encoders return proto_cur_err() so a caller can check right away; decoders
 * return proto_cur_finish(): a body with trailing bytes is malformed.
 */

static void check_flags(struct proto_cur *c, uint32_t flags, uint32_t all)
{
	if (flags & ~all)
		proto_cur_fail(c, -EPROTO);
}

/* Object ids start at 1: 0 names no object. */
static void check_objid(struct proto_cur *c, uint64_t objid)
{
	if (objid == 0)
		proto_cur_fail(c, -EPROTO);
}

int proto_ost_empty_enc(struct proto_cur *c)
{
	return proto_cur_err(c);
}

int proto_ost_empty_dec(struct proto_cur *c)
{
	return proto_cur_finish(c);
}

/* ---- object management -------------------------------------------------- */

int proto_ost_precreate_req_enc(struct proto_cur *c, const struct proto_ost_precreate_req *m)
{
	proto_put_u32(c, m->ost_idx);
	proto_put_u64(c, m->first_id);
	proto_put_u32(c, m->count);
	return proto_cur_err(c);
}

int proto_ost_precreate_req_dec(struct proto_cur *c, struct proto_ost_precreate_req *m)
{
	m->ost_idx = proto_get_u32(c);
	m->first_id = proto_get_u64(c);
	m->count = proto_get_u32(c);
	check_objid(c, m->first_id);
	if (m->count == 0 || m->count > PROTO_OST_PRECREATE_MAX ||
	    m->first_id > UINT64_MAX - m->count)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_ost_precreate_rep_enc(struct proto_cur *c, const struct proto_ost_precreate_rep *m)
{
	proto_put_u64(c, m->last_id);
	return proto_cur_err(c);
}

int proto_ost_precreate_rep_dec(struct proto_cur *c, struct proto_ost_precreate_rep *m)
{
	m->last_id = proto_get_u64(c);
	return proto_cur_finish(c);
}

int proto_ost_orphan_req_enc(struct proto_cur *c, const struct proto_ost_orphan_req *m)
{
	proto_put_u32(c, m->ost_idx);
	proto_put_u64(c, m->last_id);
	return proto_cur_err(c);
}

int proto_ost_orphan_req_dec(struct proto_cur *c, struct proto_ost_orphan_req *m)
{
	m->ost_idx = proto_get_u32(c);
	m->last_id = proto_get_u64(c);
	return proto_cur_finish(c);
}

int proto_ost_orphan_rep_enc(struct proto_cur *c, const struct proto_ost_orphan_rep *m)
{
	proto_put_u64(c, m->last_id);
	proto_put_u64(c, m->destroyed);
	return proto_cur_err(c);
}

int proto_ost_orphan_rep_dec(struct proto_cur *c, struct proto_ost_orphan_rep *m)
{
	m->last_id = proto_get_u64(c);
	m->destroyed = proto_get_u64(c);
	return proto_cur_finish(c);
}

int proto_ost_destroy_req_enc(struct proto_cur *c, const struct proto_ost_destroy_req *m)
{
	if (m->count == 0 || m->count > PROTO_OST_DESTROY_MAX) {
		proto_cur_fail(c, -EINVAL);
		return proto_cur_err(c);
	}
	proto_put_u32(c, m->ost_idx);
	proto_put_u32(c, m->count);
	for (uint32_t i = 0; i < m->count; i++)
		proto_put_u64(c, m->objids[i]);
	return proto_cur_err(c);
}

int proto_ost_destroy_req_dec(struct proto_cur *c, struct proto_ost_destroy_req *m)
{
	m->ost_idx = proto_get_u32(c);
	m->count = proto_get_u32(c);
	if (m->count == 0 || m->count > PROTO_OST_DESTROY_MAX) {
		proto_cur_fail(c, -EPROTO);
		m->count = 0;
	}
	for (uint32_t i = 0; i < m->count && !proto_cur_err(c); i++) {
		m->objids[i] = proto_get_u64(c);
		check_objid(c, m->objids[i]);
	}
	return proto_cur_finish(c);
}

/* ---- data --------------------------------------------------------------- */

int proto_ost_io_req_enc(struct proto_cur *c, const struct proto_ost_io_req *m)
{
	proto_put_u32(c, m->ost_idx);
	proto_put_u64(c, m->objid);
	proto_put_fid(c, &m->parent);
	proto_put_u32(c, m->stripe);
	proto_put_u64(c, m->offset);
	proto_put_u32(c, m->length);
	proto_put_u32(c, m->flags);
	proto_bulk_desc_enc(c, &m->bulk);
	return proto_cur_err(c);
}

int proto_ost_io_req_dec(struct proto_cur *c, struct proto_ost_io_req *m)
{
	m->ost_idx = proto_get_u32(c);
	m->objid = proto_get_u64(c);
	proto_get_fid(c, &m->parent);
	m->stripe = proto_get_u32(c);
	m->offset = proto_get_u64(c);
	m->length = proto_get_u32(c);
	m->flags = proto_get_u32(c);
	proto_bulk_desc_dec(c, &m->bulk);
	check_objid(c, m->objid);
	check_flags(c, m->flags, PROTO_OST_F_ALL);
	if (m->length > PROTO_BULK_MAX || m->offset > UINT64_MAX - m->length)
		proto_cur_fail(c, -EPROTO);
	if (m->bulk.kind == PROTO_BULK_NONE || m->bulk.len != m->length)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_ost_read_rep_enc(struct proto_cur *c, const struct proto_ost_read_rep *m)
{
	proto_put_u32(c, m->nread);
	proto_put_u32(c, m->csum);
	return proto_cur_err(c);
}

int proto_ost_read_rep_dec(struct proto_cur *c, struct proto_ost_read_rep *m)
{
	m->nread = proto_get_u32(c);
	m->csum = proto_get_u32(c);
	if (m->nread > PROTO_BULK_MAX)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_ost_write_rep_enc(struct proto_cur *c, const struct proto_ost_write_rep *m)
{
	proto_put_u32(c, m->nwritten);
	proto_put_u64(c, m->size);
	proto_put_u64(c, m->blocks);
	return proto_cur_err(c);
}

int proto_ost_write_rep_dec(struct proto_cur *c, struct proto_ost_write_rep *m)
{
	m->nwritten = proto_get_u32(c);
	m->size = proto_get_u64(c);
	m->blocks = proto_get_u64(c);
	if (m->nwritten > PROTO_BULK_MAX)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_ost_punch_req_enc(struct proto_cur *c, const struct proto_ost_punch_req *m)
{
	proto_put_u32(c, m->ost_idx);
	proto_put_u64(c, m->objid);
	proto_put_u64(c, m->start);
	proto_put_u64(c, m->end);
	proto_put_u32(c, m->flags);
	return proto_cur_err(c);
}

int proto_ost_punch_req_dec(struct proto_cur *c, struct proto_ost_punch_req *m)
{
	m->ost_idx = proto_get_u32(c);
	m->objid = proto_get_u64(c);
	m->start = proto_get_u64(c);
	m->end = proto_get_u64(c);
	m->flags = proto_get_u32(c);
	check_objid(c, m->objid);
	check_flags(c, m->flags, PROTO_OST_F_ALL);
	if (m->start > m->end)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_ost_falloc_req_enc(struct proto_cur *c, const struct proto_ost_falloc_req *m)
{
	proto_put_u32(c, m->ost_idx);
	proto_put_u64(c, m->objid);
	proto_put_u32(c, m->mode);
	proto_put_u64(c, m->offset);
	proto_put_u64(c, m->length);
	proto_put_u32(c, m->flags);
	return proto_cur_err(c);
}

int proto_ost_falloc_req_dec(struct proto_cur *c, struct proto_ost_falloc_req *m)
{
	m->ost_idx = proto_get_u32(c);
	m->objid = proto_get_u64(c);
	m->mode = proto_get_u32(c);
	m->offset = proto_get_u64(c);
	m->length = proto_get_u64(c);
	m->flags = proto_get_u32(c);
	check_objid(c, m->objid);
	check_flags(c, m->flags, PROTO_OST_F_ALL);
	/* fallocate(2) refuses len 0 and ranges that wrap with -EINVAL. */
	if (m->length == 0 || m->offset > UINT64_MAX - m->length)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_ost_size_rep_enc(struct proto_cur *c, const struct proto_ost_size_rep *m)
{
	proto_put_u64(c, m->size);
	proto_put_u64(c, m->blocks);
	return proto_cur_err(c);
}

int proto_ost_size_rep_dec(struct proto_cur *c, struct proto_ost_size_rep *m)
{
	m->size = proto_get_u64(c);
	m->blocks = proto_get_u64(c);
	return proto_cur_finish(c);
}

int proto_ost_obj_req_enc(struct proto_cur *c, const struct proto_ost_obj_req *m)
{
	proto_put_u32(c, m->ost_idx);
	proto_put_u64(c, m->objid);
	return proto_cur_err(c);
}

int proto_ost_obj_req_dec(struct proto_cur *c, struct proto_ost_obj_req *m)
{
	m->ost_idx = proto_get_u32(c);
	m->objid = proto_get_u64(c);
	check_objid(c, m->objid);
	return proto_cur_finish(c);
}

int proto_ost_getattr_rep_enc(struct proto_cur *c, const struct proto_ost_getattr_rep *m)
{
	proto_put_u64(c, m->size);
	proto_put_u64(c, m->blocks);
	proto_put_i64(c, m->mtime.sec);
	proto_put_u32(c, m->mtime.nsec);
	return proto_cur_err(c);
}

int proto_ost_getattr_rep_dec(struct proto_cur *c, struct proto_ost_getattr_rep *m)
{
	m->size = proto_get_u64(c);
	m->blocks = proto_get_u64(c);
	m->mtime.sec = proto_get_i64(c);
	m->mtime.nsec = proto_get_u32(c);
	if (m->mtime.nsec >= 1000000000u)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_ost_sync_req_enc(struct proto_cur *c, const struct proto_ost_sync_req *m)
{
	proto_put_u32(c, m->ost_idx);
	proto_put_u64(c, m->objid);
	proto_put_u64(c, m->start);
	proto_put_u64(c, m->end);
	return proto_cur_err(c);
}

int proto_ost_sync_req_dec(struct proto_cur *c, struct proto_ost_sync_req *m)
{
	m->ost_idx = proto_get_u32(c);
	m->objid = proto_get_u64(c);
	m->start = proto_get_u64(c);
	m->end = proto_get_u64(c);
	if (m->start > m->end)
		proto_cur_fail(c, -EPROTO);
	if (m->objid == 0 && (m->start != 0 || m->end != UINT64_MAX))
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_ost_statfs_req_enc(struct proto_cur *c, const struct proto_ost_statfs_req *m)
{
	proto_put_u32(c, m->ost_idx);
	return proto_cur_err(c);
}

int proto_ost_statfs_req_dec(struct proto_cur *c, struct proto_ost_statfs_req *m)
{
	m->ost_idx = proto_get_u32(c);
	return proto_cur_finish(c);
}

int proto_ost_statfs_rep_enc(struct proto_cur *c, const struct proto_ost_statfs_rep *m)
{
	proto_statfs_enc(c, &m->sfs);
	return proto_cur_err(c);
}

int proto_ost_statfs_rep_dec(struct proto_cur *c, struct proto_ost_statfs_rep *m)
{
	proto_statfs_dec(c, &m->sfs);
	return proto_cur_finish(c);
}

int proto_ost_copy_req_enc(struct proto_cur *c, const struct proto_ost_copy_req *m)
{
	proto_put_u32(c, m->src_ost_idx);
	proto_put_u64(c, m->src_objid);
	proto_put_u64(c, m->src_offset);
	proto_put_u32(c, m->ost_idx);
	proto_put_u64(c, m->objid);
	proto_put_fid(c, &m->parent);
	proto_put_u32(c, m->stripe);
	proto_put_u64(c, m->offset);
	proto_put_u32(c, m->length);
	proto_put_u32(c, m->flags);
	return proto_cur_err(c);
}

int proto_ost_copy_req_dec(struct proto_cur *c, struct proto_ost_copy_req *m)
{
	m->src_ost_idx = proto_get_u32(c);
	m->src_objid = proto_get_u64(c);
	m->src_offset = proto_get_u64(c);
	m->ost_idx = proto_get_u32(c);
	m->objid = proto_get_u64(c);
	proto_get_fid(c, &m->parent);
	m->stripe = proto_get_u32(c);
	m->offset = proto_get_u64(c);
	m->length = proto_get_u32(c);
	m->flags = proto_get_u32(c);
	check_objid(c, m->src_objid);
	check_objid(c, m->objid);
	check_flags(c, m->flags, PROTO_OST_F_ALL);
	if (m->length == 0 || m->length > PROTO_OST_COPY_MAX ||
	    m->src_offset > UINT64_MAX - m->length || m->offset > UINT64_MAX - m->length)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}
