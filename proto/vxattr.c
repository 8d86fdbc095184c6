/* SPDX-License-Identifier: Apache-2.0 */
#include "vxattr.h"

#include <errno.h>
#include <string.h>

#include "cursor.h"

int proto_tgt_statfs_list_enc(const struct proto_tgt_statfs *e, uint32_t n, void *buf, size_t cap)
{
	struct proto_cur c;

	proto_cur_init(&c, buf, cap);
	proto_put_u32(&c, PROTO_VXATTR_STATFS_VERSION);
	proto_put_u32(&c, n);
	for (uint32_t i = 0; i < n; i++) {
		proto_put_u32(&c, e[i].type);
		proto_put_u32(&c, e[i].index);
		proto_put_str(&c, e[i].name, strnlen(e[i].name, sizeof(e[i].name)),
			      PROTO_TARGET_NAME_MAX);
		proto_put_i32(&c, e[i].status);
		proto_statfs_enc(&c, &e[i].sfs);
	}
	return proto_cur_err(&c) ? -EMSGSIZE : (int)c.pos;
}

int proto_tgt_statfs_list_dec(const void *buf, size_t len, struct proto_tgt_statfs *e, uint32_t cap,
			      uint32_t *n)
{
	struct proto_cur c;
	uint32_t count;

	proto_cur_init_ro(&c, buf, len);
	if (proto_get_u32(&c) != PROTO_VXATTR_STATFS_VERSION)
		return -EPROTO;
	count = proto_get_u32(&c);
	if (count > PROTO_VXATTR_STATFS_MAX)
		return -EPROTO;
	for (uint32_t i = 0; i < count && !proto_cur_err(&c); i++) {
		struct proto_tgt_statfs t;
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
