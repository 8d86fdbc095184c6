/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File layouts (RAID0 striping over OST objects) and all stripe arithmetic.
 *
 * A layout is either a template (a directory default or a setstripe request:
 * nobjs == 0, stripe_count may be -1 = all active OSTs, stripe_offset may be
 * -1 = MDS chooses) or a file's instantiated layout (nobjs == stripe_count,
 * one object per stripe).
 *
 * In a template, stripe_size == 0 and stripe_count == 0 mean "inherit": the
 * value comes from the parent directory's default, then the file system
 * default (Lustre stores 0 in a directory default the same way, so a later
 * change of the file system default reaches every directory that did not set
 * its own).  An empty pool name means "no pool".  A template with
 * PROTO_LAYOUT_F_OSTLIST carries an explicit OST list instead
 * (`setstripe -o`): nobjs == stripe_count, objs[].ost_idx set, objids 0.
 *
 * Striping.  With stripe size S and stripe count C, the file is cut into
 * stripe units of S bytes; unit n lives in object n % C at object offset
 * (n / C) * S.  Unit boundaries are the only places where consecutive file
 * bytes change object, so a chunk (the part of an I/O inside one unit) is the
 * natural RPC.  All arithmetic below is pure, uses uint64_t and refuses
 * offsets that do not fit a file of PROTO_FILE_SIZE_MAX bytes.
 */
#ifndef STRIA_PROTO_LAYOUT_H
#define STRIA_PROTO_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

#define PROTO_LAYOUT_PATTERN_RAID0 1u
/* Stripe sizes are multiples of this (Lustre's LOV_MIN_STRIPE_SIZE). */
#define PROTO_STRIPE_UNIT	  (64u * 1024u)
#define PROTO_STRIPE_SIZE_DEFAULT (1024u * 1024u)
/* Largest stripe size: 4 GiB - 64 KiB, as Lustre. */
#define PROTO_STRIPE_SIZE_MAX (0xffffffffu - 0xffffu)
/* Largest stripe count of one file. */
#define PROTO_LAYOUT_MAX_STRIPES 256
/* Pool names, as Lustre's LOV_MAXPOOLNAME. */
#define PROTO_POOL_NAME_MAX 15

/*
 * Largest file size (2^63, as a signed 64-bit off_t can address): every byte
 * offset is < PROTO_FILE_SIZE_MAX and every range end off + len <= it.
 */
#define PROTO_FILE_SIZE_MAX (1ULL << 63)

/* Layout flags. */
#define PROTO_LAYOUT_F_OSTLIST (1u << 0) /* template: objs[].ost_idx is an explicit OST list */
#define PROTO_LAYOUT_F_ALL     PROTO_LAYOUT_F_OSTLIST

struct proto_ost_obj {
	uint32_t ost_idx;
	uint64_t objid; /* OST-local object id; 0 in templates, never 0 in a file */
};

struct proto_layout {
	uint32_t pattern;      /* PROTO_LAYOUT_PATTERN_RAID0 */
	uint32_t flags;	       /* PROTO_LAYOUT_F_* */
	uint32_t stripe_size;  /* bytes, a multiple of PROTO_STRIPE_UNIT; 0 = inherit (templates) */
	int32_t stripe_count;  /* >= 1; -1 = all active OSTs, 0 = inherit (templates only) */
	int32_t stripe_offset; /* first OST index; -1 = MDS chooses (templates only) */
	uint32_t gen;	       /* layout generation, bumped on every change */
	char pool[PROTO_POOL_NAME_MAX + 1]; /* NUL-terminated, "" = none */
	uint32_t nobjs;
	struct proto_ost_obj objs[PROTO_LAYOUT_MAX_STRIPES];
};

/*
 * Wire form of a layout: u32 pattern, u32 flags, u32 stripe_size,
 * i32 stripe_count, i32 stripe_offset, u32 gen, u16-counted pool,
 * u32 nobjs, then nobjs x (u32 ost_idx, u64 objid).
 *
 * The decoder validates the structure of every layout and fails the cursor
 * with -EPROTO otherwise: only known flags, nobjs <= PROTO_LAYOUT_MAX_STRIPES,
 * a NUL-free pool of at most PROTO_POOL_NAME_MAX bytes.  A template (nobjs 0,
 * or F_OSTLIST) is what a user asked for: its values are judged by
 * proto_layout_check_template() on the MDS, so a bad stripe size is -EINVAL
 * there, not a protocol error.  An instantiated layout must also have
 * pattern RAID0, stripe_size a non-zero multiple of PROTO_STRIPE_UNIT <=
 * PROTO_STRIPE_SIZE_MAX, stripe_count 1..PROTO_LAYOUT_MAX_STRIPES,
 * stripe_offset >= -1 and nobjs == stripe_count.
 * The finer rules (duplicate OSTs, objids) are proto_layout_check_*()'s.
 * On failure *l holds partial garbage; the objs beyond nobjs are untouched.
 * The encoder fails the cursor with -EMSGSIZE when the buffer is too short
 * and -EINVAL when nobjs exceeds PROTO_LAYOUT_MAX_STRIPES.
 */
void proto_layout_enc(struct proto_cur *c, const struct proto_layout *l);
void proto_layout_dec(struct proto_cur *c, struct proto_layout *l);

/* Largest encoded layout, for sizing buffers. */
#define PROTO_LAYOUT_WIRE_MAX (6 * 4 + 2 + PROTO_POOL_NAME_MAX + 4 + PROTO_LAYOUT_MAX_STRIPES * 12)

/*
 * Pool names: 1..PROTO_POOL_NAME_MAX characters of [A-Za-z0-9_-] (no '.',
 * which separates FSNAME.POOL in pool commands).  Returns true if @name is one.
 */
bool proto_pool_name_valid(const char *name);

/*
 * Checks a template (a setstripe request or a directory default) before the
 * MDS stores or applies it.  Returns 0, or -EINVAL when: the pattern is not
 * RAID0; an unknown flag is set; stripe_size is not a multiple of
 * PROTO_STRIPE_UNIT or exceeds PROTO_STRIPE_SIZE_MAX (0 = inherit is fine);
 * stripe_count is below -1 or above PROTO_LAYOUT_MAX_STRIPES (0 = inherit,
 * -1 = all OSTs); stripe_offset is below -1; the pool is not NUL-terminated
 * or not a valid pool name; without F_OSTLIST, nobjs != 0; with F_OSTLIST,
 * nobjs != stripe_count (which must then be >= 1), an objid is non-zero, an
 * OST index repeats, or stripe_offset is neither -1 nor objs[0].ost_idx.
 * A count larger than the number of OSTs is not judged here: the MDS refuses
 * it when the request asked for it and clamps an inherited one (docs/mds.md).
 */
int proto_layout_check_template(const struct proto_layout *l);

/*
 * Checks a file's instantiated layout (what the MDS stores and hands to
 * clients).  Returns 0, or -EINVAL unless: pattern RAID0, no flags, a
 * non-zero stripe_size multiple of PROTO_STRIPE_UNIT within
 * PROTO_STRIPE_SIZE_MAX, 1 <= stripe_count <= PROTO_LAYOUT_MAX_STRIPES,
 * nobjs == stripe_count, stripe_offset == objs[0].ost_idx (what getstripe
 * prints as lmm_stripe_offset), every objid non-zero, no OST index twice,
 * and a NUL-terminated pool.
 */
int proto_layout_check_file(const struct proto_layout *l);

/*
 * Stripe arithmetic.  Every function below uses only stripe_size and
 * stripe_count of @l, and returns -EINVAL when they are not a usable geometry
 * (stripe_size 0, stripe_count < 1 or > PROTO_LAYOUT_MAX_STRIPES: a template
 * must be resolved first).  Out-params are written only on success.
 */

/*
 * File offset @off -> the stripe index holding it and its offset in that
 * object.  Returns 0, -EINVAL (geometry), or -EOVERFLOW if
 * @off >= PROTO_FILE_SIZE_MAX.
 */
int proto_stripe_map(const struct proto_layout *l, uint64_t off, uint32_t *stripe,
		     uint64_t *objoff);

/*
 * (stripe index, object offset) -> file offset; the inverse of
 * proto_stripe_map().  Returns 0, -EINVAL (geometry, or @stripe >=
 * stripe_count), or -EOVERFLOW if the file offset would not be below
 * PROTO_FILE_SIZE_MAX.
 */
int proto_stripe_unmap(const struct proto_layout *l, uint32_t stripe, uint64_t objoff,
		       uint64_t *off);

/* One piece of an I/O: the part of [off, off+len) inside one stripe unit. */
struct proto_stripe_chunk {
	uint32_t stripe; /* stripe index: the object is l->objs[stripe] */
	uint64_t objoff; /* offset in that object */
	uint64_t len;	 /* bytes, 1..stripe_size */
	uint64_t bufoff; /* offset in the caller's buffer (file offset - off) */
};

/*
 * How many chunks proto_stripe_chunks() produces for [@off, @off+@len):
 * the number of stripe units the range touches (0 for len 0).  Returns 0 on
 * success with the count in *@n, -EINVAL (geometry) or -EOVERFLOW when
 * @off + @len exceeds PROTO_FILE_SIZE_MAX.
 */
int proto_stripe_chunk_count(const struct proto_layout *l, uint64_t off, uint64_t len, uint64_t *n);

/*
 * Splits [@off, @off+@len) into chunks in file order, none crossing a stripe
 * unit boundary, into @out (room for @cap).  Returns the number of chunks
 * (0 for len 0), -EINVAL (geometry), -EOVERFLOW (range beyond
 * PROTO_FILE_SIZE_MAX) or -E2BIG when they do not fit in @cap (nothing
 * written then; proto_stripe_chunk_count() says how many are needed).
 */
int proto_stripe_chunks(const struct proto_layout *l, uint64_t off, uint64_t len,
			struct proto_stripe_chunk *out, size_t cap);

/* The part of a file range that lies in one object: object bytes [start, end). */
struct proto_obj_extent {
	uint32_t stripe;
	uint64_t start;
	uint64_t end;
};

/*
 * The object-offset range [*@start, *@end) that file range [@off, @off+@len)
 * covers in object @stripe.  It is always contiguous in object space;
 * *start == *end when the range misses the object.  This is also what a
 * punch (or fallocate PUNCH_HOLE) of the file range must punch in that
 * object.  Returns 0, -EINVAL (geometry or @stripe >= stripe_count) or
 * -EOVERFLOW (range beyond PROTO_FILE_SIZE_MAX).
 */
int proto_stripe_obj_range(const struct proto_layout *l, uint32_t stripe, uint64_t off,
			   uint64_t len, uint64_t *start, uint64_t *end);

/*
 * Per-object extents of [@off, @off+@len): one entry per object the range
 * touches, in stripe index order, into @out (room for @cap; stripe_count
 * entries always suffice).  Returns the number of entries (0 for len 0),
 * -EINVAL, -EOVERFLOW, or -E2BIG when they do not fit (nothing written).
 */
int proto_stripe_extents(const struct proto_layout *l, uint64_t off, uint64_t len,
			 struct proto_obj_extent *out, size_t cap);

/*
 * The size object @stripe has in a file of size @size whose bytes all exist:
 * the number of its bytes that lie below file offset @size.  A truncate to
 * @size discards everything in the object at or beyond this offset (an
 * object already shorter is left alone: the hole reads as zeros).  Returns
 * 0, -EINVAL (geometry or @stripe) or -EOVERFLOW (@size > PROTO_FILE_SIZE_MAX).
 */
int proto_stripe_obj_size(const struct proto_layout *l, uint32_t stripe, uint64_t size,
			  uint64_t *objsize);

/*
 * proto_stripe_obj_size() for every object: fills @objsizes[0..stripe_count)
 * for a truncate to @size.  @n must be stripe_count.  Returns 0, -EINVAL
 * (geometry or @n) or -EOVERFLOW.
 */
int proto_stripe_trunc_sizes(const struct proto_layout *l, uint64_t size, uint64_t *objsizes,
			     size_t n);

/*
 * The file size implied by the objects' sizes @objsizes[0..@n), @n ==
 * stripe_count: the largest file offset of any object's last byte, plus 1
 * (object i of size s > 0 holds its last byte at object offset s - 1); 0 if
 * every object is empty.  Holes (short or empty objects) do not matter, only
 * the furthest byte.  Returns 0, -EINVAL (geometry or @n) or -EOVERFLOW if
 * some object size implies a file larger than PROTO_FILE_SIZE_MAX.
 */
int proto_stripe_file_size(const struct proto_layout *l, const uint64_t *objsizes, size_t n,
			   uint64_t *size);

#endif
