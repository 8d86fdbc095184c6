/* SPDX-License-Identifier: Apache-2.0 */
/* The value of the layout xattr as a template (the statfs list is proto/vxattr.c's). */
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
