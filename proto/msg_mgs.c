/* SPDX-License-Identifier: Apache-2.0 */
#include "msg_mgs.h"

/*
 * Encoders return proto_cur_err() so a caller can check right away; decoders
 * return proto_cur_finish(): a body with trailing bytes is malformed.
 */

/* A NUL-terminated string of 1..max bytes (0..max with @may_be_empty). */
static void put_cstr(struct proto_cur *c, const char *s, size_t max, bool may_be_empty)
{
	size_t len = strnlen(s, max + 1);

	if (len == 0 && !may_be_empty)
		proto_cur_fail(c, -EINVAL);
	proto_put_str(c, s, len, max);
}

static void get_cstr(struct proto_cur *c, char *out, size_t max, bool may_be_empty)
{
	struct proto_str s;

	proto_get_str(c, &s, max);
	memcpy(out, s.s, s.len);
	out[s.len] = '\0';
	if (proto_cur_err(c))
		return;
	if ((s.len == 0 && !may_be_empty) || memchr(s.s, '\0', s.len))
		proto_cur_fail(c, -EPROTO);
}

static void put_pool(struct proto_cur *c, const char *pool, bool may_be_empty)
{
	if (strnlen(pool, PROTO_POOL_NAME_MAX + 1) <= PROTO_POOL_NAME_MAX &&
	    !(may_be_empty && pool[0] == '\0') && !proto_pool_name_valid(pool))
		proto_cur_fail(c, -EINVAL);
	put_cstr(c, pool, PROTO_POOL_NAME_MAX, may_be_empty);
}

static void get_pool(struct proto_cur *c, char out[PROTO_POOL_NAME_MAX + 1], bool may_be_empty)
{
	get_cstr(c, out, PROTO_POOL_NAME_MAX, may_be_empty);
	if (!proto_cur_err(c) && !(may_be_empty && out[0] == '\0') && !proto_pool_name_valid(out))
		proto_cur_fail(c, -EPROTO);
}

static void put_fsname(struct proto_cur *c, const char *fsname)
{
	if (strnlen(fsname, PROTO_FSNAME_MAX + 1) <= PROTO_FSNAME_MAX &&
	    !proto_fsname_valid(fsname))
		proto_cur_fail(c, -EINVAL);
	put_cstr(c, fsname, PROTO_FSNAME_MAX, false);
}

static void get_fsname(struct proto_cur *c, char out[PROTO_FSNAME_MAX + 1])
{
	get_cstr(c, out, PROTO_FSNAME_MAX, false);
	if (!proto_cur_err(c) && !proto_fsname_valid(out))
		proto_cur_fail(c, -EPROTO);
}

static void check_flags(struct proto_cur *c, uint32_t flags, uint32_t all)
{
	if (flags & ~all)
		proto_cur_fail(c, -EPROTO);
}

static void patch_u32(struct proto_cur *c, size_t pos, uint32_t v)
{
	struct proto_cur t;

	proto_cur_init(&t, c->buf + pos, 4);
	proto_put_u32(&t, v);
}

/*
 * Appends one list entry with @enc; rolls back on failure so a rejected entry
 * leaves the reply as it was.  -ENOSPC when the entry would pass @max_bytes.
 */
static int append(struct proto_cur *c, size_t start, size_t max_bytes,
		  void (*enc)(struct proto_cur *, const void *), const void *arg)
{
	size_t pos = c->pos;
	int err;

	if (c->err)
		return c->err;
	enc(c, arg);
	err = c->err;
	if (!err && c->pos - start > max_bytes)
		err = -EMSGSIZE;
	if (err) {
		c->pos = pos;
		c->err = 0;
		return err == -EMSGSIZE ? -ENOSPC : err;
	}
	return 0;
}

int proto_mgs_empty_enc(struct proto_cur *c)
{
	return proto_cur_err(c);
}

int proto_mgs_empty_dec(struct proto_cur *c)
{
	return proto_cur_finish(c);
}

/* ---- targets ------------------------------------------------------------ */

static void tgt_enc(struct proto_cur *c, const struct proto_mgs_tgt *t, bool with_state)
{
	if (t->nnids == 0 || t->nnids > PROTO_NID_LIST_MAX || t->port == 0 || t->port > 65535)
		proto_cur_fail(c, -EINVAL);
	if (proto_cur_err(c))
		return;
	proto_put_u32(c, t->type);
	proto_put_u32(c, t->index);
	put_cstr(c, t->name, PROTO_TARGET_NAME_MAX, false);
	proto_put_bytes(c, t->uuid, PROTO_UUID_LEN);
	proto_put_u32(c, t->port);
	if (with_state)
		proto_put_u32(c, t->state);
	proto_put_u32(c, t->nnids);
	for (uint32_t i = 0; i < t->nnids; i++)
		proto_nid_enc(c, &t->nids[i]);
}

static void tgt_dec(struct proto_cur *c, struct proto_mgs_tgt *t, bool with_state)
{
	t->type = proto_get_u32(c);
	t->index = proto_get_u32(c);
	get_cstr(c, t->name, PROTO_TARGET_NAME_MAX, false);
	proto_get_bytes(c, t->uuid, PROTO_UUID_LEN);
	t->port = proto_get_u32(c);
	t->state = with_state ? proto_get_u32(c) : PROTO_MGS_TGT_ACTIVE;
	t->nnids = proto_get_u32(c);
	if (t->type != PROTO_TARGET_MDT && t->type != PROTO_TARGET_OST)
		proto_cur_fail(c, -EPROTO);
	if (t->state != PROTO_MGS_TGT_ACTIVE && t->state != PROTO_MGS_TGT_INACTIVE)
		proto_cur_fail(c, -EPROTO);
	if (t->port == 0 || t->port > 65535 || t->index > PROTO_TARGET_INDEX_MAX)
		proto_cur_fail(c, -EPROTO);
	if (t->nnids == 0 || t->nnids > PROTO_NID_LIST_MAX) {
		proto_cur_fail(c, -EPROTO);
		t->nnids = 0;
	}
	for (uint32_t i = 0; i < t->nnids && !proto_cur_err(c); i++)
		proto_nid_dec(c, &t->nids[i]);
}

int proto_mgs_tgt_table_req_enc(struct proto_cur *c, const struct proto_mgs_tgt_table_req *m)
{
	proto_put_u64(c, m->known_gen);
	proto_put_u32(c, m->start);
	return proto_cur_err(c);
}

int proto_mgs_tgt_table_req_dec(struct proto_cur *c, struct proto_mgs_tgt_table_req *m)
{
	m->known_gen = proto_get_u64(c);
	m->start = proto_get_u32(c);
	return proto_cur_finish(c);
}

int proto_mgs_tgt_table_rep_begin(struct proto_mgs_tgt_table_enc *a, struct proto_cur *c,
				  uint64_t gen, size_t max_bytes)
{
	a->c = c;
	a->start = c->pos;
	a->max_bytes = max_bytes;
	a->count = 0;
	if (max_bytes < 16)
		proto_cur_fail(c, -EMSGSIZE);
	proto_put_u64(c, gen);
	proto_put_u32(c, 0); /* flags, patched by _end() */
	proto_put_u32(c, 0); /* count, patched by _end() */
	return proto_cur_err(c);
}

static void tgt_table_ent_enc(struct proto_cur *c, const void *t)
{
	tgt_enc(c, t, true);
}

int proto_mgs_tgt_table_rep_add(struct proto_mgs_tgt_table_enc *a, const struct proto_mgs_tgt *t)
{
	int err = append(a->c, a->start, a->max_bytes, tgt_table_ent_enc, t);

	if (!err)
		a->count++;
	return err;
}

int proto_mgs_tgt_table_rep_end(struct proto_mgs_tgt_table_enc *a, uint32_t flags)
{
	if (a->c->err)
		return a->c->err;
	if ((flags & ~PROTO_MGS_TABLE_F_ALL) ||
	    ((flags & PROTO_MGS_TABLE_F_UNCHANGED) && a->count != 0))
		return -EINVAL;
	patch_u32(a->c, a->start + 8, flags);
	patch_u32(a->c, a->start + 12, a->count);
	return 0;
}

/* Smallest encoded table entry: type, index, 1-byte name, uuid, port, state, one short NID. */
#define TGT_MIN_BYTES (4 + 4 + 3 + PROTO_UUID_LEN + 4 + 4 + 4 + 4 + 3)

int proto_mgs_tgt_table_rep_iter_init(struct proto_mgs_tgt_table_rep_iter *it, struct proto_cur *c)
{
	size_t left;

	it->gen = proto_get_u64(c);
	it->flags = proto_get_u32(c);
	it->left = proto_get_u32(c);
	check_flags(c, it->flags, PROTO_MGS_TABLE_F_ALL);
	if ((it->flags & PROTO_MGS_TABLE_F_UNCHANGED) && it->left != 0)
		proto_cur_fail(c, -EPROTO);
	left = proto_cur_left(c);
	if (!proto_cur_err(c) && it->left > left / TGT_MIN_BYTES)
		proto_cur_fail(c, -EPROTO);
	if (proto_cur_err(c)) {
		proto_cur_init_ro(&it->cur, "", 0);
		it->left = 0;
		return proto_cur_err(c);
	}
	proto_cur_init_ro(&it->cur, c->buf + c->pos, left);
	c->pos = c->len;
	return 0;
}

int proto_mgs_tgt_table_rep_iter_next(struct proto_mgs_tgt_table_rep_iter *it,
				      struct proto_mgs_tgt *t)
{
	int err;

	if (it->left == 0)
		return proto_cur_finish(&it->cur);
	tgt_dec(&it->cur, t, true);
	err = proto_cur_err(&it->cur);
	if (err) {
		it->left = 0;
		return err;
	}
	it->left--;
	return 1;
}

int proto_mgs_tgt_register_req_enc(struct proto_cur *c, const struct proto_mgs_tgt_register_req *m)
{
	put_fsname(c, m->fsname);
	tgt_enc(c, &m->tgt, false);
	return proto_cur_err(c);
}

int proto_mgs_tgt_register_req_dec(struct proto_cur *c, struct proto_mgs_tgt_register_req *m)
{
	get_fsname(c, m->fsname);
	tgt_dec(c, &m->tgt, false);
	return proto_cur_finish(c);
}

int proto_mgs_tgt_register_rep_enc(struct proto_cur *c, const struct proto_mgs_tgt_register_rep *m)
{
	proto_put_u64(c, m->gen);
	return proto_cur_err(c);
}

int proto_mgs_tgt_register_rep_dec(struct proto_cur *c, struct proto_mgs_tgt_register_rep *m)
{
	m->gen = proto_get_u64(c);
	return proto_cur_finish(c);
}

/* ---- pools -------------------------------------------------------------- */

int proto_mgs_pool_req_enc(struct proto_cur *c, const struct proto_mgs_pool_req *m)
{
	put_fsname(c, m->fsname);
	put_pool(c, m->pool, false);
	return proto_cur_err(c);
}

int proto_mgs_pool_req_dec(struct proto_cur *c, struct proto_mgs_pool_req *m)
{
	get_fsname(c, m->fsname);
	get_pool(c, m->pool, false);
	return proto_cur_finish(c);
}

int proto_mgs_pool_mod_req_enc(struct proto_cur *c, const struct proto_mgs_pool_mod_req *m)
{
	put_fsname(c, m->fsname);
	put_pool(c, m->pool, false);
	if (m->count == 0 || m->count > PROTO_MGS_POOL_MOD_MAX) {
		proto_cur_fail(c, -EINVAL);
		return proto_cur_err(c);
	}
	proto_put_u32(c, m->count);
	for (uint32_t i = 0; i < m->count; i++)
		proto_put_u32(c, m->osts[i]);
	return proto_cur_err(c);
}

int proto_mgs_pool_mod_req_dec(struct proto_cur *c, struct proto_mgs_pool_mod_req *m)
{
	get_fsname(c, m->fsname);
	get_pool(c, m->pool, false);
	m->count = proto_get_u32(c);
	if (m->count == 0 || m->count > PROTO_MGS_POOL_MOD_MAX) {
		proto_cur_fail(c, -EPROTO);
		m->count = 0;
	}
	for (uint32_t i = 0; i < m->count && !proto_cur_err(c); i++)
		m->osts[i] = proto_get_u32(c);
	return proto_cur_finish(c);
}

int proto_mgs_pool_list_req_enc(struct proto_cur *c, const struct proto_mgs_pool_list_req *m)
{
	put_fsname(c, m->fsname);
	put_pool(c, m->pool, true);
	put_pool(c, m->after, true);
	return proto_cur_err(c);
}

int proto_mgs_pool_list_req_dec(struct proto_cur *c, struct proto_mgs_pool_list_req *m)
{
	get_fsname(c, m->fsname);
	get_pool(c, m->pool, true);
	get_pool(c, m->after, true);
	return proto_cur_finish(c);
}

uint32_t proto_mgs_pool_ent_member(const struct proto_mgs_pool_ent *e, uint32_t i)
{
	const uint8_t *p = e->members + 4 * (size_t)i;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int proto_mgs_pool_list_rep_begin(struct proto_mgs_pool_list_enc *a, struct proto_cur *c,
				  size_t max_bytes)
{
	a->c = c;
	a->start = c->pos;
	a->max_bytes = max_bytes;
	a->count = 0;
	if (max_bytes < 8)
		proto_cur_fail(c, -EMSGSIZE);
	proto_put_u32(c, 0); /* flags, patched by _end() */
	proto_put_u32(c, 0); /* count, patched by _end() */
	return proto_cur_err(c);
}

struct pool_ent_arg {
	const char *name;
	const uint32_t *members;
	uint32_t n;
};

static void pool_ent_enc(struct proto_cur *c, const void *arg)
{
	const struct pool_ent_arg *p = arg;

	put_pool(c, p->name, false);
	proto_put_u32(c, p->n);
	for (uint32_t i = 0; i < p->n && !proto_cur_err(c); i++)
		proto_put_u32(c, p->members[i]);
}

int proto_mgs_pool_list_rep_add(struct proto_mgs_pool_list_enc *a, const char *name,
				const uint32_t *members, uint32_t n)
{
	struct pool_ent_arg arg = {name, members, n};
	int err = append(a->c, a->start, a->max_bytes, pool_ent_enc, &arg);

	if (!err)
		a->count++;
	return err;
}

int proto_mgs_pool_list_rep_end(struct proto_mgs_pool_list_enc *a, bool eof)
{
	if (a->c->err)
		return a->c->err;
	patch_u32(a->c, a->start, eof ? PROTO_MGS_POOLS_F_EOF : 0);
	patch_u32(a->c, a->start + 4, a->count);
	return 0;
}

/* Smallest encoded pool entry: a 1-byte name and a member count. */
#define POOL_MIN_BYTES (2 + 1 + 4)

int proto_mgs_pool_list_rep_iter_init(struct proto_mgs_pool_list_rep_iter *it, struct proto_cur *c)
{
	size_t left;

	it->flags = proto_get_u32(c);
	it->left = proto_get_u32(c);
	check_flags(c, it->flags, PROTO_MGS_POOLS_F_ALL);
	left = proto_cur_left(c);
	if (!proto_cur_err(c) && it->left > left / POOL_MIN_BYTES)
		proto_cur_fail(c, -EPROTO);
	if (proto_cur_err(c)) {
		proto_cur_init_ro(&it->cur, "", 0);
		it->left = 0;
		return proto_cur_err(c);
	}
	proto_cur_init_ro(&it->cur, c->buf + c->pos, left);
	c->pos = c->len;
	return 0;
}

int proto_mgs_pool_list_rep_iter_next(struct proto_mgs_pool_list_rep_iter *it,
				      struct proto_mgs_pool_ent *e)
{
	struct proto_cur *c = &it->cur;
	int err;

	if (it->left == 0)
		return proto_cur_finish(c);
	get_pool(c, e->name, false);
	e->nmembers = proto_get_u32(c);
	/* The count is bounded by the bytes that are there: no cap needed beyond it. */
	e->members = proto_cur_rspace(c, 4 * (size_t)e->nmembers);
	err = proto_cur_err(c);
	if (err) {
		e->nmembers = 0;
		it->left = 0;
		return err;
	}
	it->left--;
	return 1;
}

/* ---- FAIL_SET ----------------------------------------------------------- */

int proto_mgs_fail_set_req_enc(struct proto_cur *c, const struct proto_mgs_fail_set_req *m)
{
	proto_put_u32(c, m->id);
	proto_put_u32(c, m->mode);
	proto_put_u32(c, m->value);
	proto_put_u32(c, m->count);
	return proto_cur_err(c);
}

int proto_mgs_fail_set_req_dec(struct proto_cur *c, struct proto_mgs_fail_set_req *m)
{
	m->id = proto_get_u32(c);
	m->mode = proto_get_u32(c);
	m->value = proto_get_u32(c);
	m->count = proto_get_u32(c);
	if (m->mode > PROTO_FAIL_RAND)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}
