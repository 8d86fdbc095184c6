/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File layouts (RAID0 striping over OST objects) and all stripe arithmetic.
 *
 * A layout is either a template (a directory default or a setstripe request:
 * nobjs == 0, stripe_count may be -1 = all active OSTs, stripe_offset may be
 * -1 = MDS chooses) or a file's instantiated layout (nobjs == stripe_count,
 * one object per stripe).
 */
#ifndef STRIA_PROTO_LAYOUT_H
#define STRIA_PROTO_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"

#define PROTO_LAYOUT_PATTERN_RAID0 1u
/* Stripe sizes are multiples of this (Lustre's LOV_MIN_STRIPE_SIZE). */
#define PROTO_STRIPE_UNIT (64u * 1024u)
#define PROTO_STRIPE_SIZE_DEFAULT (1024u * 1024u)
/* Largest stripe size: 4 GiB - 64 KiB, as Lustre. */
#define PROTO_STRIPE_SIZE_MAX (0xffffffffu - 0xffffu)
/* Largest stripe count of one file. */
#define PROTO_LAYOUT_MAX_STRIPES 256
/* Pool names, as Lustre's LOV_MAXPOOLNAME. */
#define PROTO_POOL_NAME_MAX 15

/* Layout flags. */
#define PROTO_LAYOUT_F_OSTLIST (1u << 0) /* template: objs[].ost_idx is an explicit OST list */

struct proto_ost_obj {
	uint32_t ost_idx;
	uint64_t objid; /* OST-local object id; 0 in templates */
};

struct proto_layout {
	uint32_t pattern;       /* PROTO_LAYOUT_PATTERN_RAID0 */
	uint32_t flags;         /* PROTO_LAYOUT_F_* */
	uint32_t stripe_size;   /* bytes, a multiple of PROTO_STRIPE_UNIT */
	int32_t stripe_count;   /* >= 1; -1 = all active OSTs (templates only) */
	int32_t stripe_offset;  /* first OST index; -1 = MDS chooses (templates only) */
	uint32_t gen;           /* layout generation, bumped on every change */
	char pool[PROTO_POOL_NAME_MAX + 1]; /* NUL-terminated, "" = none */
	uint32_t nobjs;
	struct proto_ost_obj objs[PROTO_LAYOUT_MAX_STRIPES];
};

/*
 * Wire form of a layout.  The decoder validates what any layout must satisfy
 * (pattern, stripe size a non-zero multiple of PROTO_STRIPE_UNIT, counts and
 * nobjs within PROTO_LAYOUT_MAX_STRIPES, a NUL-free pool name) and fails the
 * cursor with -EPROTO otherwise.  Implemented in layout.c.
 */
void proto_layout_enc(struct proto_cur *c, const struct proto_layout *l);
void proto_layout_dec(struct proto_cur *c, struct proto_layout *l);

#endif
