/* SPDX-License-Identifier: Apache-2.0 */
#include "layout_codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mds.h"

int layout_check_template(const struct proto_layout *t)
{
	struct proto_layout *c;
	int rc;

	if (t->pattern == PROTO_LAYOUT_PATTERN_RAID0)
		return proto_layout_check_template(t);
	if (t->pattern != 0)
		return -EINVAL;
	/* pattern 0 means "inherit" here; proto's rule wants it spelled out. */
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = *t;
	c->pattern = PROTO_LAYOUT_PATTERN_RAID0;
	rc = proto_layout_check_template(c);
	free(c);
	return rc;
}

static void fill_from(struct proto_layout *out, const struct proto_layout *src)
{
	if (!src)
		return;
	if (out->pattern == 0)
		out->pattern = src->pattern;
	if (out->stripe_size == 0)
		out->stripe_size = src->stripe_size;
	if (out->stripe_count == 0)
		out->stripe_count = src->stripe_count;
	if (out->pool[0] == '\0')
		memcpy(out->pool, src->pool, sizeof(out->pool));
}

void layout_resolve(const struct proto_layout *explicit_t, const struct proto_layout *parent_t,
		    const struct proto_layout *root_t, struct proto_layout *out)
{
	const struct proto_layout *first = explicit_t ? explicit_t : parent_t ? parent_t : root_t;

	/* The first template given decides the offset; unset fields inherit. */
	memset(out, 0, offsetof(struct proto_layout, objs));
	if (first) {
		memcpy(out, first, offsetof(struct proto_layout, nobjs));
		/* An explicit OST list travels to the allocator. */
		out->flags &= PROTO_LAYOUT_F_OSTLIST;
		if (out->flags & PROTO_LAYOUT_F_OSTLIST) {
			out->nobjs = first->nobjs;
			memcpy(out->objs, first->objs, first->nobjs * sizeof(out->objs[0]));
		}
	}
	if (explicit_t)
		fill_from(out, parent_t);
	fill_from(out, root_t);
	if (out->pattern == 0)
		out->pattern = PROTO_LAYOUT_PATTERN_RAID0;
	if (out->stripe_size == 0)
		out->stripe_size = PROTO_STRIPE_SIZE_DEFAULT;
	if (out->stripe_count == 0)
		out->stripe_count = 1;
	out->gen = 1;
	if (!(out->flags & PROTO_LAYOUT_F_OSTLIST))
		out->nobjs = 0;
	if (explicit_t && explicit_t->stripe_count > 0)
		out->flags |= MDS_LAYOUT_F_COUNT_ASKED;
}

void layout_root_default(struct proto_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->pattern = PROTO_LAYOUT_PATTERN_RAID0;
	l->stripe_size = PROTO_STRIPE_SIZE_DEFAULT;
	l->stripe_count = 1;
	l->stripe_offset = -1;
}

int mds_alloc_objects_fake(void *arg, struct mds_tx *tx, const struct proto_fid *fid,
			   struct proto_layout *layout)
{
	uint32_t first = layout->stripe_offset < 0 ? 0 : (uint32_t)layout->stripe_offset;
	uint64_t base = proto_fid_to_ino(fid) << 8;

	bool list = layout->flags & PROTO_LAYOUT_F_OSTLIST;

	if (layout->stripe_count < 1)
		layout->stripe_count = 1;
	if (list)
		first = layout->objs[0].ost_idx;
	layout->stripe_offset = (int32_t)first;
	layout->nobjs = (uint32_t)layout->stripe_count;
	for (uint32_t i = 0; i < layout->nobjs; i++) {
		if (!list)
			layout->objs[i].ost_idx = first + i;
		layout->objs[i].objid = base | i;
	}
	layout->flags = 0;
	return 0;
}
