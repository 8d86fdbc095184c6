/* SPDX-License-Identifier: Apache-2.0 */
/* Values of the virtual xattrs: the layout template rule and the statfs list. */
#include "fc_int.h"

#include <errno.h>
#include <string.h>

int fc_lov_to_template(const void *val, size_t len, struct proto_layout *out)
{
	struct proto_cur c;

	proto_cur_init_ro(&c, val, len);
	proto_layout_dec(&c, out);
	if (proto_cur_finish(&c))
		return -EINVAL;
	if (out->nobjs && !(out->flags & PROTO_LAYOUT_F_OSTLIST)) {
		/*
		 * A file's own layout (read from another file, copied by cp -a):
		 * ask for its geometry and pool, not its objects or first OST.
		 */
		out->nobjs = 0;
		out->stripe_offset = -1;
	}
	out->gen = 0;
	return proto_layout_check_template(out) ? -EINVAL : 0;
}

int fc_statfs_xattr_enc(const struct fc_statfs_ent *e, uint32_t n, void *buf, size_t cap)
{
	struct proto_cur c;

	proto_cur_init(&c, buf, cap);
	proto_put_u32(&c, FC_STATFS_XATTR_VERSION);
	proto_put_u32(&c, n);
	for (uint32_t i = 0; i < n; i++) {
		proto_put_u32(&c, e[i].type);
		proto_put_u32(&c, e[i].index);
		proto_put_str(&c, e[i].name, strlen(e[i].name), PROTO_TARGET_NAME_MAX);
		proto_put_i32(&c, e[i].status);
		proto_statfs_enc(&c, &e[i].sfs);
	}
	return proto_cur_err(&c) ? -EMSGSIZE : (int)c.pos;
}

int fc_statfs_xattr_dec(const void *buf, size_t len, struct fc_statfs_ent *e, uint32_t cap,
			uint32_t *n)
{
	struct proto_cur c;
	uint32_t count;

	proto_cur_init_ro(&c, buf, len);
	if (proto_get_u32(&c) != FC_STATFS_XATTR_VERSION)
		return -EPROTO;
	count = proto_get_u32(&c);
	for (uint32_t i = 0; i < count && !proto_cur_err(&c); i++) {
		struct fc_statfs_ent t;
		struct proto_str s;

		memset(&t, 0, sizeof(t));
		t.type = proto_get_u32(&c);
		t.index = proto_get_u32(&c);
		proto_get_str(&c, &s, PROTO_TARGET_NAME_MAX);
		memcpy(t.name, s.s, s.len);
		t.status = proto_get_i32(&c);
		proto_statfs_dec(&c, &t.sfs);
		if (i < cap)
			e[i] = t;
	}
	if (proto_cur_finish(&c))
		return -EPROTO;
	*n = count;
	return 0;
}
