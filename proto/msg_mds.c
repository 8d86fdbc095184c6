/* SPDX-License-Identifier: Apache-2.0 */
#include "msg_mds.h"

#include <dirent.h>
#include <sys/stat.h>

/*
 * Encoders return proto_cur_err() so a caller can check right away; decoders
 * return proto_cur_finish(): a body with trailing bytes is malformed.
 */

/* A path component: 1..max bytes, no '/' and no NUL. */
static void put_name(struct proto_cur *c, const struct proto_str *s, size_t max)
{
	if (s->len <= max &&
	    (s->len == 0 || memchr(s->s, '/', s->len) || memchr(s->s, '\0', s->len)))
		proto_cur_fail(c, -EINVAL);
	proto_put_str(c, s->s, s->len, max);
}

static void get_name(struct proto_cur *c, struct proto_str *s, size_t max)
{
	proto_get_str(c, s, max);
	if (s->len == 0 || memchr(s->s, '/', s->len) || memchr(s->s, '\0', s->len))
		proto_cur_fail(c, -EPROTO);
}

/* Text that is not a path component (symlink target, xattr name): 1..max bytes, no NUL. */
static void put_text(struct proto_cur *c, const struct proto_str *s, size_t max)
{
	if (s->len <= max && (s->len == 0 || memchr(s->s, '\0', s->len)))
		proto_cur_fail(c, -EINVAL);
	proto_put_str(c, s->s, s->len, max);
}

static void get_text(struct proto_cur *c, struct proto_str *s, size_t max)
{
	proto_get_str(c, s, max);
	if (s->len == 0 || memchr(s->s, '\0', s->len))
		proto_cur_fail(c, -EPROTO);
}

/* Opaque bytes as u32 length + bytes (xattr values reach 64 KiB, past a u16). */
static void put_blob(struct proto_cur *c, const struct proto_str *s, size_t max)
{
	if (s->len > max) {
		proto_cur_fail(c, -EMSGSIZE);
		return;
	}
	proto_put_u32(c, s->len);
	proto_put_bytes(c, s->s, s->len);
}

static void get_blob(struct proto_cur *c, struct proto_str *s, size_t max)
{
	uint32_t len = proto_get_u32(c);
	const uint8_t *p;

	s->s = "";
	s->len = 0;
	if (len > max) {
		proto_cur_fail(c, -EPROTO);
		return;
	}
	p = proto_cur_rspace(c, len);
	if (p) {
		s->s = (const char *)p;
		s->len = len;
	}
}

static void put_time(struct proto_cur *c, const struct proto_time *t)
{
	proto_put_i64(c, t->sec);
	proto_put_u32(c, t->nsec);
}

static void get_time(struct proto_cur *c, struct proto_time *t)
{
	t->sec = proto_get_i64(c);
	t->nsec = proto_get_u32(c);
	if (t->nsec >= 1000000000u)
		proto_cur_fail(c, -EPROTO);
}

static void check_flags(struct proto_cur *c, uint32_t flags, uint32_t all)
{
	if (flags & ~all)
		proto_cur_fail(c, -EPROTO);
}

/* ---- directories' post-op attributes ------------------------------------ */

static void dirs_enc(struct proto_cur *c, const struct proto_mds_dirs *d)
{
	if (d->n > PROTO_MDS_DIRS_MAX) {
		proto_cur_fail(c, -EINVAL);
		return;
	}
	proto_put_u32(c, d->n);
	for (uint32_t i = 0; i < d->n; i++)
		proto_attr_enc(c, &d->attr[i]);
}

static void dirs_dec(struct proto_cur *c, struct proto_mds_dirs *d)
{
	d->n = proto_get_u32(c);
	if (d->n > PROTO_MDS_DIRS_MAX) {
		d->n = 0;
		proto_cur_fail(c, -EPROTO);
		return;
	}
	for (uint32_t i = 0; i < d->n && !proto_cur_err(c); i++) {
		proto_attr_dec(c, &d->attr[i]);
		if (!S_ISDIR(d->attr[i].mode))
			proto_cur_fail(c, -EPROTO);
	}
	if (proto_cur_err(c))
		d->n = 0;
}

/* ---- empty bodies ------------------------------------------------------- */

int proto_mds_empty_enc(struct proto_cur *c)
{
	return proto_cur_err(c);
}

int proto_mds_empty_dec(struct proto_cur *c)
{
	return proto_cur_finish(c);
}

/* ---- shared requests and replies ---------------------------------------- */

int proto_mds_fid_req_enc(struct proto_cur *c, const struct proto_mds_fid_req *m)
{
	proto_put_fid(c, &m->fid);
	return proto_cur_err(c);
}

int proto_mds_fid_req_dec(struct proto_cur *c, struct proto_mds_fid_req *m)
{
	proto_get_fid(c, &m->fid);
	return proto_cur_finish(c);
}

int proto_mds_name_req_enc(struct proto_cur *c, const struct proto_mds_name_req *m)
{
	proto_put_fid(c, &m->parent);
	put_name(c, &m->name, PROTO_NAME_MAX);
	return proto_cur_err(c);
}

int proto_mds_name_req_dec(struct proto_cur *c, struct proto_mds_name_req *m)
{
	proto_get_fid(c, &m->parent);
	get_name(c, &m->name, PROTO_NAME_MAX);
	return proto_cur_finish(c);
}

int proto_mds_attr_rep_enc(struct proto_cur *c, const struct proto_mds_attr_rep *m)
{
	proto_attr_enc(c, &m->attr);
	dirs_enc(c, &m->dirs);
	return proto_cur_err(c);
}

int proto_mds_attr_rep_dec(struct proto_cur *c, struct proto_mds_attr_rep *m)
{
	proto_attr_dec(c, &m->attr);
	dirs_dec(c, &m->dirs);
	return proto_cur_finish(c);
}

int proto_mds_getattr_rep_enc(struct proto_cur *c, const struct proto_mds_getattr_rep *m)
{
	proto_attr_enc(c, &m->attr);
	proto_put_u32(c, m->flags);
	if (m->flags & PROTO_MDS_GETATTR_F_LAYOUT)
		proto_layout_enc(c, &m->layout);
	return proto_cur_err(c);
}

int proto_mds_getattr_rep_dec(struct proto_cur *c, struct proto_mds_getattr_rep *m)
{
	proto_attr_dec(c, &m->attr);
	m->flags = proto_get_u32(c);
	check_flags(c, m->flags, PROTO_MDS_GETATTR_F_ALL);
	if (!proto_cur_err(c) && (m->flags & PROTO_MDS_GETATTR_F_LAYOUT))
		proto_layout_dec(c, &m->layout);
	return proto_cur_finish(c);
}

/* ---- SETATTR ------------------------------------------------------------ */

int proto_mds_setattr_req_enc(struct proto_cur *c, const struct proto_mds_setattr_req *m)
{
	proto_put_fid(c, &m->fid);
	proto_put_u32(c, m->valid);
	proto_put_u32(c, m->mode);
	proto_put_u32(c, m->uid);
	proto_put_u32(c, m->gid);
	proto_put_u64(c, m->size);
	put_time(c, &m->atime);
	put_time(c, &m->mtime);
	put_time(c, &m->ctime);
	proto_put_u64(c, m->handle);
	return proto_cur_err(c);
}

int proto_mds_setattr_req_dec(struct proto_cur *c, struct proto_mds_setattr_req *m)
{
	proto_get_fid(c, &m->fid);
	m->valid = proto_get_u32(c);
	m->mode = proto_get_u32(c);
	m->uid = proto_get_u32(c);
	m->gid = proto_get_u32(c);
	m->size = proto_get_u64(c);
	get_time(c, &m->atime);
	get_time(c, &m->mtime);
	get_time(c, &m->ctime);
	m->handle = proto_get_u64(c);
	check_flags(c, m->valid, PROTO_SETATTR_ALL);
	return proto_cur_finish(c);
}

/* ---- CREATE and OPEN ---------------------------------------------------- */

int proto_mds_create_req_enc(struct proto_cur *c, const struct proto_mds_create_req *m)
{
	proto_put_fid(c, &m->parent);
	put_name(c, &m->name, PROTO_NAME_MAX);
	proto_put_u32(c, m->mode);
	proto_put_u32(c, m->flags);
	proto_put_u32(c, m->open_flags);
	if (m->flags & PROTO_CREATE_F_LAYOUT)
		proto_layout_enc(c, &m->layout);
	if (m->flags & PROTO_CREATE_F_REPLAY) {
		proto_put_u64(c, m->replay_xid);
		proto_attr_enc(c, &m->replay_attr);
	}
	return proto_cur_err(c);
}

int proto_mds_create_req_dec(struct proto_cur *c, struct proto_mds_create_req *m)
{
	proto_get_fid(c, &m->parent);
	get_name(c, &m->name, PROTO_NAME_MAX);
	m->mode = proto_get_u32(c);
	m->flags = proto_get_u32(c);
	m->open_flags = proto_get_u32(c);
	check_flags(c, m->flags, PROTO_CREATE_F_ALL);
	if (!proto_cur_err(c) && (m->flags & PROTO_CREATE_F_LAYOUT))
		proto_layout_dec(c, &m->layout);
	if (!proto_cur_err(c) && (m->flags & PROTO_CREATE_F_REPLAY)) {
		m->replay_xid = proto_get_u64(c);
		proto_attr_dec(c, &m->replay_attr);
		/* A replay recreates an instantiated file: its layout must come along. */
		if (!(m->flags & PROTO_CREATE_F_LAYOUT) || m->layout.nobjs == 0)
			proto_cur_fail(c, -EPROTO);
	}
	return proto_cur_finish(c);
}

int proto_mds_open_req_enc(struct proto_cur *c, const struct proto_mds_open_req *m)
{
	proto_put_fid(c, &m->fid);
	proto_put_u32(c, m->open_flags);
	proto_put_u32(c, m->flags);
	proto_put_u64(c, m->handle);
	return proto_cur_err(c);
}

int proto_mds_open_req_dec(struct proto_cur *c, struct proto_mds_open_req *m)
{
	proto_get_fid(c, &m->fid);
	m->open_flags = proto_get_u32(c);
	m->flags = proto_get_u32(c);
	m->handle = proto_get_u64(c);
	check_flags(c, m->flags, PROTO_OPEN_F_ALL);
	/* A replay names the handle it reclaims; a fresh open names none. */
	if (!(m->flags & PROTO_OPEN_F_REPLAY) != (m->handle == 0))
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_mds_open_rep_enc(struct proto_cur *c, const struct proto_mds_open_rep *m)
{
	proto_attr_enc(c, &m->attr);
	proto_put_u32(c, m->flags);
	proto_put_u64(c, m->handle);
	if (m->flags & PROTO_OPEN_REP_F_LAYOUT)
		proto_layout_enc(c, &m->layout);
	dirs_enc(c, &m->dirs);
	return proto_cur_err(c);
}

int proto_mds_open_rep_dec(struct proto_cur *c, struct proto_mds_open_rep *m)
{
	proto_attr_dec(c, &m->attr);
	m->flags = proto_get_u32(c);
	m->handle = proto_get_u64(c);
	check_flags(c, m->flags, PROTO_OPEN_REP_F_ALL);
	if (!(m->flags & PROTO_OPEN_REP_F_OPENED) != (m->handle == 0))
		proto_cur_fail(c, -EPROTO);
	if (!proto_cur_err(c) && (m->flags & PROTO_OPEN_REP_F_LAYOUT))
		proto_layout_dec(c, &m->layout);
	dirs_dec(c, &m->dirs);
	return proto_cur_finish(c);
}

/* ---- MKDIR, MKNOD, LINK, SYMLINK, READLINK ------------------------------ */

int proto_mds_mkdir_req_enc(struct proto_cur *c, const struct proto_mds_mkdir_req *m)
{
	proto_put_fid(c, &m->parent);
	put_name(c, &m->name, PROTO_NAME_MAX);
	proto_put_u32(c, m->mode);
	return proto_cur_err(c);
}

int proto_mds_mkdir_req_dec(struct proto_cur *c, struct proto_mds_mkdir_req *m)
{
	proto_get_fid(c, &m->parent);
	get_name(c, &m->name, PROTO_NAME_MAX);
	m->mode = proto_get_u32(c);
	return proto_cur_finish(c);
}

int proto_mds_mknod_req_enc(struct proto_cur *c, const struct proto_mds_mknod_req *m)
{
	proto_put_fid(c, &m->parent);
	put_name(c, &m->name, PROTO_NAME_MAX);
	proto_put_u32(c, m->mode);
	proto_put_u64(c, m->rdev);
	return proto_cur_err(c);
}

int proto_mds_mknod_req_dec(struct proto_cur *c, struct proto_mds_mknod_req *m)
{
	proto_get_fid(c, &m->parent);
	get_name(c, &m->name, PROTO_NAME_MAX);
	m->mode = proto_get_u32(c);
	m->rdev = proto_get_u64(c);
	return proto_cur_finish(c);
}

int proto_mds_link_req_enc(struct proto_cur *c, const struct proto_mds_link_req *m)
{
	proto_put_fid(c, &m->fid);
	proto_put_fid(c, &m->parent);
	put_name(c, &m->name, PROTO_NAME_MAX);
	return proto_cur_err(c);
}

int proto_mds_link_req_dec(struct proto_cur *c, struct proto_mds_link_req *m)
{
	proto_get_fid(c, &m->fid);
	proto_get_fid(c, &m->parent);
	get_name(c, &m->name, PROTO_NAME_MAX);
	return proto_cur_finish(c);
}

int proto_mds_symlink_req_enc(struct proto_cur *c, const struct proto_mds_symlink_req *m)
{
	proto_put_fid(c, &m->parent);
	put_name(c, &m->name, PROTO_NAME_MAX);
	put_text(c, &m->target, PROTO_SYMLINK_MAX);
	return proto_cur_err(c);
}

int proto_mds_symlink_req_dec(struct proto_cur *c, struct proto_mds_symlink_req *m)
{
	proto_get_fid(c, &m->parent);
	get_name(c, &m->name, PROTO_NAME_MAX);
	get_text(c, &m->target, PROTO_SYMLINK_MAX);
	return proto_cur_finish(c);
}

int proto_mds_readlink_rep_enc(struct proto_cur *c, const struct proto_mds_readlink_rep *m)
{
	put_text(c, &m->target, PROTO_SYMLINK_MAX);
	return proto_cur_err(c);
}

int proto_mds_readlink_rep_dec(struct proto_cur *c, struct proto_mds_readlink_rep *m)
{
	get_text(c, &m->target, PROTO_SYMLINK_MAX);
	return proto_cur_finish(c);
}

/* ---- UNLINK, RMDIR, RENAME ---------------------------------------------- */

int proto_mds_unlink_rep_enc(struct proto_cur *c, const struct proto_mds_unlink_rep *m)
{
	proto_put_fid(c, &m->fid);
	proto_put_u32(c, m->nlink);
	proto_put_u32(c, m->flags);
	dirs_enc(c, &m->dirs);
	return proto_cur_err(c);
}

int proto_mds_unlink_rep_dec(struct proto_cur *c, struct proto_mds_unlink_rep *m)
{
	proto_get_fid(c, &m->fid);
	m->nlink = proto_get_u32(c);
	m->flags = proto_get_u32(c);
	check_flags(c, m->flags, PROTO_UNLINK_F_ALL);
	if ((m->flags & PROTO_UNLINK_F_ORPHAN) && !(m->flags & PROTO_UNLINK_F_LAST))
		proto_cur_fail(c, -EPROTO);
	dirs_dec(c, &m->dirs);
	return proto_cur_finish(c);
}

int proto_mds_rename_rep_enc(struct proto_cur *c, const struct proto_mds_rename_rep *m)
{
	dirs_enc(c, &m->dirs);
	return proto_cur_err(c);
}

int proto_mds_rename_rep_dec(struct proto_cur *c, struct proto_mds_rename_rep *m)
{
	dirs_dec(c, &m->dirs);
	return proto_cur_finish(c);
}

int proto_mds_rename_req_enc(struct proto_cur *c, const struct proto_mds_rename_req *m)
{
	proto_put_fid(c, &m->src_parent);
	put_name(c, &m->src_name, PROTO_NAME_MAX);
	proto_put_fid(c, &m->dst_parent);
	put_name(c, &m->dst_name, PROTO_NAME_MAX);
	proto_put_u32(c, m->flags);
	return proto_cur_err(c);
}

int proto_mds_rename_req_dec(struct proto_cur *c, struct proto_mds_rename_req *m)
{
	proto_get_fid(c, &m->src_parent);
	get_name(c, &m->src_name, PROTO_NAME_MAX);
	proto_get_fid(c, &m->dst_parent);
	get_name(c, &m->dst_name, PROTO_NAME_MAX);
	m->flags = proto_get_u32(c);
	check_flags(c, m->flags, PROTO_RENAME_NOREPLACE | PROTO_RENAME_EXCHANGE);
	if ((m->flags & PROTO_RENAME_NOREPLACE) && (m->flags & PROTO_RENAME_EXCHANGE))
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

/* ---- READDIR ------------------------------------------------------------ */

int proto_mds_readdir_req_enc(struct proto_cur *c, const struct proto_mds_readdir_req *m)
{
	proto_put_fid(c, &m->fid);
	proto_put_u64(c, m->cookie);
	proto_put_u32(c, m->max_bytes);
	proto_put_u32(c, m->flags);
	return proto_cur_err(c);
}

int proto_mds_readdir_req_dec(struct proto_cur *c, struct proto_mds_readdir_req *m)
{
	proto_get_fid(c, &m->fid);
	m->cookie = proto_get_u64(c);
	m->max_bytes = proto_get_u32(c);
	m->flags = proto_get_u32(c);
	check_flags(c, m->flags, PROTO_READDIR_REQ_F_ALL);
	if (m->max_bytes < PROTO_READDIR_MIN_BYTES)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

static bool dt_valid(uint32_t type)
{
	switch (type) {
	case DT_FIFO:
	case DT_CHR:
	case DT_DIR:
	case DT_BLK:
	case DT_REG:
	case DT_LNK:
	case DT_SOCK:
		return true;
	default:
		return false;
	}
}

/* Overwrites the u32 at @pos of @c's buffer (an already written field). */
static void patch_u32(struct proto_cur *c, size_t pos, uint32_t v)
{
	struct proto_cur t;

	proto_cur_init(&t, c->buf + pos, 4);
	proto_put_u32(&t, v);
}

static void dirent_enc(struct proto_cur *c, const struct proto_mds_dirent *e, bool plus)
{
	if (!dt_valid(e->type))
		proto_cur_fail(c, -EINVAL);
	proto_put_u64(c, e->next);
	proto_put_fid(c, &e->fid);
	proto_put_u32(c, e->type);
	put_name(c, &e->name, PROTO_NAME_MAX);
	if (plus)
		proto_attr_enc(c, &e->attr);
}

int proto_mds_readdir_rep_begin(struct proto_mds_readdir_enc *a, struct proto_cur *c,
				uint32_t flags, size_t max_bytes)
{
	a->c = c;
	a->start = c->pos;
	a->max_bytes = max_bytes;
	a->flags = flags & PROTO_READDIR_F_PLUS;
	a->count = 0;
	if (max_bytes < 8)
		proto_cur_fail(c, -EMSGSIZE);
	proto_put_u32(c, a->flags);
	proto_put_u32(c, 0); /* count, patched by _end() */
	return proto_cur_err(c);
}

int proto_mds_readdir_rep_add(struct proto_mds_readdir_enc *a, const struct proto_mds_dirent *e)
{
	struct proto_cur *c = a->c;
	size_t pos = c->pos;
	int err;

	if (c->err)
		return c->err;
	dirent_enc(c, e, a->flags & PROTO_READDIR_F_PLUS);
	err = c->err;
	if (!err && c->pos - a->start > a->max_bytes)
		err = -EMSGSIZE;
	if (err) {
		/* Roll back: a rejected entry leaves the reply as it was. */
		c->pos = pos;
		c->err = 0;
		return err == -EMSGSIZE ? -ENOSPC : err;
	}
	a->count++;
	return 0;
}

int proto_mds_readdir_rep_end(struct proto_mds_readdir_enc *a, bool eof)
{
	if (a->c->err)
		return a->c->err;
	if (eof)
		a->flags |= PROTO_READDIR_F_EOF;
	patch_u32(a->c, a->start, a->flags);
	patch_u32(a->c, a->start + 4, a->count);
	return 0;
}

/* Smallest encoded entry: next, fid, type, a 1-byte name. */
#define DIRENT_MIN_BYTES (8 + 16 + 4 + 2 + 1)

int proto_mds_readdir_rep_iter_init(struct proto_mds_readdir_rep_iter *it, struct proto_cur *c)
{
	size_t left;

	it->flags = proto_get_u32(c);
	it->left = proto_get_u32(c);
	check_flags(c, it->flags, PROTO_READDIR_REP_F_ALL);
	left = proto_cur_left(c);
	if (!proto_cur_err(c) && it->left > left / DIRENT_MIN_BYTES)
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

int proto_mds_readdir_rep_iter_next(struct proto_mds_readdir_rep_iter *it,
				    struct proto_mds_dirent *e)
{
	struct proto_cur *c = &it->cur;
	int err;

	if (it->left == 0)
		return proto_cur_finish(c);
	e->next = proto_get_u64(c);
	proto_get_fid(c, &e->fid);
	e->type = proto_get_u32(c);
	get_name(c, &e->name, PROTO_NAME_MAX);
	if (it->flags & PROTO_READDIR_F_PLUS)
		proto_attr_dec(c, &e->attr);
	else
		memset(&e->attr, 0, sizeof(e->attr));
	if (!dt_valid(e->type))
		proto_cur_fail(c, -EPROTO);
	err = proto_cur_err(c);
	if (err) {
		it->left = 0;
		return err;
	}
	it->left--;
	return 1;
}

/* ---- CLOSE / SYNC ------------------------------------------------------- */

int proto_mds_close_req_enc(struct proto_cur *c, const struct proto_mds_close_req *m)
{
	proto_put_fid(c, &m->fid);
	proto_put_u64(c, m->handle);
	proto_put_u32(c, m->report.valid);
	proto_put_u64(c, m->report.data_version);
	proto_put_u64(c, m->report.size);
	proto_put_u64(c, m->report.blocks);
	put_time(c, &m->report.mtime);
	return proto_cur_err(c);
}

int proto_mds_close_req_dec(struct proto_cur *c, struct proto_mds_close_req *m)
{
	proto_get_fid(c, &m->fid);
	m->handle = proto_get_u64(c);
	m->report.valid = proto_get_u32(c);
	m->report.data_version = proto_get_u64(c);
	m->report.size = proto_get_u64(c);
	m->report.blocks = proto_get_u64(c);
	get_time(c, &m->report.mtime);
	check_flags(c, m->report.valid, PROTO_REPORT_ALL);
	return proto_cur_finish(c);
}

/* ---- xattrs ------------------------------------------------------------- */

int proto_mds_getxattr_req_enc(struct proto_cur *c, const struct proto_mds_getxattr_req *m)
{
	proto_put_fid(c, &m->fid);
	put_text(c, &m->name, PROTO_XATTR_NAME_MAX);
	proto_put_u32(c, m->size);
	return proto_cur_err(c);
}

int proto_mds_getxattr_req_dec(struct proto_cur *c, struct proto_mds_getxattr_req *m)
{
	proto_get_fid(c, &m->fid);
	get_text(c, &m->name, PROTO_XATTR_NAME_MAX);
	m->size = proto_get_u32(c);
	return proto_cur_finish(c);
}

int proto_mds_setxattr_req_enc(struct proto_cur *c, const struct proto_mds_setxattr_req *m)
{
	proto_put_fid(c, &m->fid);
	put_text(c, &m->name, PROTO_XATTR_NAME_MAX);
	proto_put_u32(c, m->flags);
	put_blob(c, &m->value, PROTO_XATTR_VALUE_MAX);
	return proto_cur_err(c);
}

int proto_mds_setxattr_req_dec(struct proto_cur *c, struct proto_mds_setxattr_req *m)
{
	proto_get_fid(c, &m->fid);
	get_text(c, &m->name, PROTO_XATTR_NAME_MAX);
	m->flags = proto_get_u32(c);
	get_blob(c, &m->value, PROTO_XATTR_VALUE_MAX);
	if (m->flags != 0 && m->flags != PROTO_XATTR_CREATE && m->flags != PROTO_XATTR_REPLACE)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_mds_listxattr_req_enc(struct proto_cur *c, const struct proto_mds_listxattr_req *m)
{
	proto_put_fid(c, &m->fid);
	proto_put_u32(c, m->size);
	return proto_cur_err(c);
}

int proto_mds_listxattr_req_dec(struct proto_cur *c, struct proto_mds_listxattr_req *m)
{
	proto_get_fid(c, &m->fid);
	m->size = proto_get_u32(c);
	return proto_cur_finish(c);
}

int proto_mds_xattr_name_req_enc(struct proto_cur *c, const struct proto_mds_xattr_name_req *m)
{
	proto_put_fid(c, &m->fid);
	put_text(c, &m->name, PROTO_XATTR_NAME_MAX);
	return proto_cur_err(c);
}

int proto_mds_xattr_name_req_dec(struct proto_cur *c, struct proto_mds_xattr_name_req *m)
{
	proto_get_fid(c, &m->fid);
	get_text(c, &m->name, PROTO_XATTR_NAME_MAX);
	return proto_cur_finish(c);
}

/* A value and a name list share this reply, so the cap is the larger of both. */
#define XATTR_DATA_MAX                                                                             \
	(PROTO_XATTR_VALUE_MAX > PROTO_XATTR_LIST_MAX ? PROTO_XATTR_VALUE_MAX                      \
						      : PROTO_XATTR_LIST_MAX)

int proto_mds_xattr_rep_enc(struct proto_cur *c, const struct proto_mds_xattr_rep *m)
{
	if (m->data.len != 0 && m->data.len != m->size)
		proto_cur_fail(c, -EINVAL);
	if (m->size > XATTR_DATA_MAX)
		proto_cur_fail(c, -EMSGSIZE);
	proto_put_u32(c, m->size);
	put_blob(c, &m->data, XATTR_DATA_MAX);
	return proto_cur_err(c);
}

int proto_mds_xattr_rep_dec(struct proto_cur *c, struct proto_mds_xattr_rep *m)
{
	m->size = proto_get_u32(c);
	get_blob(c, &m->data, XATTR_DATA_MAX);
	if (m->size > XATTR_DATA_MAX || (m->data.len != 0 && m->data.len != m->size))
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

/* ---- STATFS ------------------------------------------------------------- */

int proto_mds_statfs_rep_enc(struct proto_cur *c, const struct proto_mds_statfs_rep *m)
{
	proto_statfs_enc(c, &m->mdt);
	proto_statfs_enc(c, &m->osts);
	proto_put_u32(c, m->ost_count);
	proto_put_u32(c, m->ost_active);
	return proto_cur_err(c);
}

int proto_mds_statfs_rep_dec(struct proto_cur *c, struct proto_mds_statfs_rep *m)
{
	proto_statfs_dec(c, &m->mdt);
	proto_statfs_dec(c, &m->osts);
	m->ost_count = proto_get_u32(c);
	m->ost_active = proto_get_u32(c);
	if (m->ost_active > m->ost_count)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

/* ---- GETLAYOUT / SETLAYOUT ---------------------------------------------- */

int proto_mds_setlayout_req_enc(struct proto_cur *c, const struct proto_mds_setlayout_req *m)
{
	proto_put_fid(c, &m->fid);
	proto_put_u32(c, m->flags);
	if (!(m->flags & PROTO_SETLAYOUT_F_DELETE_DEFAULT))
		proto_layout_enc(c, &m->layout);
	return proto_cur_err(c);
}

int proto_mds_setlayout_req_dec(struct proto_cur *c, struct proto_mds_setlayout_req *m)
{
	proto_get_fid(c, &m->fid);
	m->flags = proto_get_u32(c);
	check_flags(c, m->flags, PROTO_SETLAYOUT_F_ALL);
	if (!proto_cur_err(c) && !(m->flags & PROTO_SETLAYOUT_F_DELETE_DEFAULT))
		proto_layout_dec(c, &m->layout);
	return proto_cur_finish(c);
}

int proto_mds_layout_rep_enc(struct proto_cur *c, const struct proto_mds_layout_rep *m)
{
	proto_put_u32(c, m->kind);
	if (m->kind != PROTO_LAYOUT_KIND_NONE)
		proto_layout_enc(c, &m->layout);
	return proto_cur_err(c);
}

int proto_mds_layout_rep_dec(struct proto_cur *c, struct proto_mds_layout_rep *m)
{
	m->kind = proto_get_u32(c);
	if (m->kind > PROTO_LAYOUT_KIND_DIR_DEFAULT)
		proto_cur_fail(c, -EPROTO);
	if (!proto_cur_err(c) && m->kind != PROTO_LAYOUT_KIND_NONE)
		proto_layout_dec(c, &m->layout);
	return proto_cur_finish(c);
}
