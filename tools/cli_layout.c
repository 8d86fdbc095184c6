/* SPDX-License-Identifier: Apache-2.0 */
/* Layouts through a mount's virtual xattr user.stria.lov (proto/vxattr.h). */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

/* A file system without the xattr at all is not stria. */
static int map_xattr_err(int err)
{
	return err == ENOTSUP ? -ENOTTY : -err;
}

int tool_layout_get(const char *path, struct proto_layout *l)
{
	uint8_t buf[PROTO_LAYOUT_WIRE_MAX];
	struct proto_cur c;
	ssize_t n = getxattr(path, PROTO_VXATTR_LOV, buf, sizeof(buf));

	if (n < 0)
		return map_xattr_err(errno);
	proto_cur_init_ro(&c, buf, (size_t)n);
	proto_layout_dec(&c, l);
	return proto_cur_finish(&c) ? -EPROTO : 0;
}

int tool_layout_set(const char *path, const struct proto_layout *l)
{
	uint8_t buf[PROTO_LAYOUT_WIRE_MAX];
	struct proto_cur c;

	proto_cur_init(&c, buf, sizeof(buf));
	proto_layout_enc(&c, l);
	if (proto_cur_err(&c))
		return proto_cur_err(&c);
	if (setxattr(path, PROTO_VXATTR_LOV, buf, c.pos, 0))
		return map_xattr_err(errno);
	return 0;
}

int tool_layout_del(const char *path)
{
	if (removexattr(path, PROTO_VXATTR_LOV))
		return map_xattr_err(errno);
	return 0;
}

/* Fills the fields of @l left 0 (inherit) from @from. */
static void fill(struct proto_layout *l, const struct proto_layout *from)
{
	if (!l->stripe_size)
		l->stripe_size = from->stripe_size;
	if (!l->stripe_count)
		l->stripe_count = from->stripe_count;
}

int tool_layout_effective(const char *path, struct proto_layout *l, bool *own)
{
	struct proto_layout root;
	struct tool_mount m;
	int rc;

	rc = tool_mount_of(path, &m);
	if (rc)
		return rc;
	memset(l, 0, sizeof(*l));
	l->pattern = PROTO_LAYOUT_PATTERN_RAID0;
	l->stripe_offset = -1;
	rc = tool_layout_get(path, l);
	if (rc && rc != -ENODATA)
		return rc;
	*own = rc == 0;
	/* A directory without a default hands out the file system's (the root's). */
	if (!l->stripe_size || !l->stripe_count) {
		rc = tool_layout_get(m.dir, &root);
		if (rc && rc != -ENODATA)
			return rc;
		if (rc == 0) {
			if (!*own)
				*l = root;
			fill(l, &root);
		}
	}
	if (!l->stripe_size)
		l->stripe_size = PROTO_STRIPE_SIZE_DEFAULT;
	if (!l->stripe_count)
		l->stripe_count = 1;
	return 0;
}
