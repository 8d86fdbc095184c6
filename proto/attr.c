/* SPDX-License-Identifier: Apache-2.0 */
#include "attr.h"

static void time_enc(struct proto_cur *c, const struct proto_time *t)
{
	proto_put_i64(c, t->sec);
	proto_put_u32(c, t->nsec);
}

static void time_dec(struct proto_cur *c, struct proto_time *t)
{
	t->sec = proto_get_i64(c);
	t->nsec = proto_get_u32(c);
	if (t->nsec >= 1000000000u)
		proto_cur_fail(c, -EPROTO);
}

void proto_attr_enc(struct proto_cur *c, const struct proto_attr *a)
{
	proto_put_fid(c, &a->fid);
	proto_put_u32(c, a->mode);
	proto_put_u32(c, a->nlink);
	proto_put_u32(c, a->uid);
	proto_put_u32(c, a->gid);
	proto_put_u64(c, a->rdev);
	proto_put_u64(c, a->size);
	proto_put_u64(c, a->blocks);
	proto_put_u32(c, a->blksize);
	time_enc(c, &a->atime);
	time_enc(c, &a->mtime);
	time_enc(c, &a->ctime);
	proto_put_u64(c, a->data_version);
}

void proto_attr_dec(struct proto_cur *c, struct proto_attr *a)
{
	proto_get_fid(c, &a->fid);
	a->mode = proto_get_u32(c);
	a->nlink = proto_get_u32(c);
	a->uid = proto_get_u32(c);
	a->gid = proto_get_u32(c);
	a->rdev = proto_get_u64(c);
	a->size = proto_get_u64(c);
	a->blocks = proto_get_u64(c);
	a->blksize = proto_get_u32(c);
	time_dec(c, &a->atime);
	time_dec(c, &a->mtime);
	time_dec(c, &a->ctime);
	a->data_version = proto_get_u64(c);
}

void proto_statfs_enc(struct proto_cur *c, const struct proto_statfs *s)
{
	proto_put_u32(c, s->bsize);
	proto_put_u32(c, s->namemax);
	proto_put_u64(c, s->blocks);
	proto_put_u64(c, s->bfree);
	proto_put_u64(c, s->bavail);
	proto_put_u64(c, s->files);
	proto_put_u64(c, s->ffree);
}

void proto_statfs_dec(struct proto_cur *c, struct proto_statfs *s)
{
	s->bsize = proto_get_u32(c);
	s->namemax = proto_get_u32(c);
	s->blocks = proto_get_u64(c);
	s->bfree = proto_get_u64(c);
	s->bavail = proto_get_u64(c);
	s->files = proto_get_u64(c);
	s->ffree = proto_get_u64(c);
}
