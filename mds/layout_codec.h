/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layouts as the MDS stores them inside inode values, template resolution
 * (file <- parent default <- root default) and the fake object allocator.
 */
#ifndef STRIA_MDS_LAYOUT_CODEC_H
#define STRIA_MDS_LAYOUT_CODEC_H

#include "proto/cursor.h"
#include "proto/layout.h"

struct mds_tx;

/* Validates a template with proto_layout_check_template() (-EINVAL), except
 * that pattern 0 means "inherit" (RAID0). */
int layout_check_template(const struct proto_layout *t);

/*
 * Resolves the layout of a new file in @out: the first template given
 * (@explicit_t, else @parent_t, else @root_t; NULL = none) decides the
 * offset (and an explicit OST list); its unset fields (0, "" pool) come from
 * the later ones.
 */
void layout_resolve(const struct proto_layout *explicit_t, const struct proto_layout *parent_t,
		    const struct proto_layout *root_t, struct proto_layout *out);

/* The root's default template at format time: count 1, size 1 MiB, offset -1. */
void layout_root_default(struct proto_layout *l);

#endif
