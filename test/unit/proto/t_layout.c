/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layout codec, validation and stripe arithmetic.  The arithmetic cases are
 * worked out by hand in the comments: with stripe size S and count C, file
 * offset x is in unit n = x / S, stripe n % C, object offset (n / C) * S + x % S.
 */
#include "t_unit.h"

#include <errno.h>
#include <string.h>

#include "proto/proto.h"

#define K    1024ULL
#define M    (1024ULL * 1024ULL)
#define S64K (64 * K)

/* A file layout over OSTs 0..count-1 with objids 100, 101, ... */
static void mk(struct proto_layout *l, uint32_t ssize, int32_t count)
{
	memset(l, 0, sizeof(*l));
	l->pattern = PROTO_LAYOUT_PATTERN_RAID0;
	l->stripe_size = ssize;
	l->stripe_count = count;
	l->stripe_offset = 0;
	l->gen = 1;
	l->nobjs = count > 0 ? (uint32_t)count : 0;
	for (uint32_t i = 0; i < l->nobjs; i++) {
		l->objs[i].ost_idx = i;
		l->objs[i].objid = 100 + i;
	}
}

/* A template: everything "inherit", MDS chooses the first OST. */
static void mk_template(struct proto_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->pattern = PROTO_LAYOUT_PATTERN_RAID0;
	l->stripe_offset = -1;
}

static void check_map(const struct proto_layout *l, uint64_t off, uint32_t stripe, uint64_t objoff)
{
	uint32_t s = 0xdead;
	uint64_t o = 0xdead, back = 0xdead;

	assert_int_equal(proto_stripe_map(l, off, &s, &o), 0);
	assert_int_equal(s, stripe);
	assert_int_equal(o, objoff);
	assert_int_equal(proto_stripe_unmap(l, stripe, objoff, &back), 0);
	assert_int_equal(back, off);
}

static void check_chunk(const struct proto_stripe_chunk *c, uint32_t stripe, uint64_t objoff,
			uint64_t len, uint64_t bufoff)
{
	assert_int_equal(c->stripe, stripe);
	assert_int_equal(c->objoff, objoff);
	assert_int_equal(c->len, len);
	assert_int_equal(c->bufoff, bufoff);
}

static void check_ext(const struct proto_obj_extent *e, uint32_t stripe, uint64_t start,
		      uint64_t end)
{
	assert_int_equal(e->stripe, stripe);
	assert_int_equal(e->start, start);
	assert_int_equal(e->end, end);
}

/* ---- offset <-> (stripe, object offset) ---- */

static void layout_map_count1_is_identity(void **state)
{
	struct proto_layout l;

	mk(&l, M, 1);
	check_map(&l, 0, 0, 0);
	check_map(&l, 5 * M + 7, 0, 5 * M + 7); /* one object: objoff == off */
	check_map(&l, (1ULL << 62) + 3, 0, (1ULL << 62) + 3);
}

static void layout_map_count3_64k_hand_worked(void **state)
{
	struct proto_layout l;

	mk(&l, S64K, 3);
	check_map(&l, 0, 0, 0);
	check_map(&l, 65535, 0, 65535);	     /* last byte of unit 0 */
	check_map(&l, 65536, 1, 0);	     /* unit 1 -> stripe 1, round 0 */
	check_map(&l, 131072 + 100, 2, 100); /* unit 2 -> stripe 2 */
	check_map(&l, 196608, 0, 65536);     /* unit 3 -> stripe 0, round 1 */
	/* 1000000 = 15 * 65536 + 16960: unit 15, stripe 0, round 5:
	 * objoff 5 * 65536 + 16960 = 344640 */
	check_map(&l, 1000000, 0, 344640);
	/* 2^40 + 5: unit 2^24, 2^24 % 3 = 1, round (2^24 - 1) / 3 = 5592405:
	 * objoff 5592405 * 65536 + 5 = 366503854085 */
	check_map(&l, (1ULL << 40) + 5, 1, 366503854085ULL);
}

static void layout_map_count4_1m_hand_worked(void **state)
{
	struct proto_layout l;

	mk(&l, M, 4);
	check_map(&l, 3 * M + 5, 3, 5);		     /* unit 3, round 0 */
	check_map(&l, 4 * M, 0, M);		     /* unit 4 -> stripe 0, round 1 */
	check_map(&l, 10 * M + 123, 2, 2 * M + 123); /* unit 10: stripe 2, round 2 */
	/* 2^40 + 1M + 17: unit 2^20 + 1, stripe 1, round 2^18: objoff 2^38 + 17 */
	check_map(&l, (1ULL << 40) + M + 17, 1, (1ULL << 38) + 17);
	/* 2^63 - 1: unit 2^43 - 1 (rem 2^20 - 1), stripe 3, round 2^41 - 1:
	 * objoff (2^41 - 1) * 2^20 + 2^20 - 1 = 2^61 - 1 */
	check_map(&l, (1ULL << 63) - 1, 3, (1ULL << 61) - 1);
}

static void layout_map_rejects_overflow_and_templates(void **state)
{
	struct proto_layout l;
	uint32_t s = 77;
	uint64_t o = 77;

	mk(&l, M, 4);
	assert_int_equal(proto_stripe_map(&l, 1ULL << 63, &s, &o), -EOVERFLOW);
	assert_int_equal(proto_stripe_map(&l, UINT64_MAX, &s, &o), -EOVERFLOW);
	/* objoff 2^61 in stripe 0: unit 2^43 -> file offset 2^63, past the end */
	assert_int_equal(proto_stripe_unmap(&l, 0, 1ULL << 61, &o), -EOVERFLOW);
	/* objoff 2^62: unit 2^44 -> 2^64 wraps: still caught */
	assert_int_equal(proto_stripe_unmap(&l, 0, 1ULL << 62, &o), -EOVERFLOW);
	assert_int_equal(proto_stripe_unmap(&l, 0, UINT64_MAX, &o), -EOVERFLOW);
	assert_int_equal(proto_stripe_unmap(&l, 4, 0, &o), -EINVAL); /* stripe >= count */
	assert_int_equal(s, 77);
	assert_int_equal(o, 77);

	mk_template(&l); /* size 0 / count 0 */
	assert_int_equal(proto_stripe_map(&l, 0, &s, &o), -EINVAL);
	l.stripe_size = PROTO_STRIPE_SIZE_DEFAULT;
	l.stripe_count = -1;
	assert_int_equal(proto_stripe_map(&l, 0, &s, &o), -EINVAL);
	l.stripe_count = PROTO_LAYOUT_MAX_STRIPES + 1;
	assert_int_equal(proto_stripe_map(&l, 0, &s, &o), -EINVAL);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so failures reproduce */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static void layout_map_round_trips_many_values(void **state)
{
	static const uint32_t sizes[] = {S64K, 3 * S64K, M, 4 * M, PROTO_STRIPE_SIZE_MAX};
	static const int32_t counts[] = {1, 2, 3, 4, 7, 256};
	struct proto_layout l;

	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		for (size_t ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
			mk(&l, sizes[si], counts[ci]);
			for (int i = 0; i < 2000; i++) {
				/* mix small, mid and near-2^63 offsets */
				uint64_t off = rnd() >> (1 + (i % 3) * 20);
				uint32_t s;
				uint64_t o, back;

				assert_int_equal(proto_stripe_map(&l, off, &s, &o), 0);
				assert_true(s < (uint32_t)counts[ci]);
				assert_true(o <= off);
				assert_int_equal(proto_stripe_unmap(&l, s, o, &back), 0);
				assert_int_equal(back, off);
			}
		}
	}
	/* every byte of the first rounds, consecutive within a unit */
	mk(&l, S64K, 3);
	for (uint64_t off = 0; off < 7 * S64K; off += 997) {
		uint32_t s;
		uint64_t o;

		assert_int_equal(proto_stripe_map(&l, off, &s, &o), 0);
		assert_int_equal(s, (off / S64K) % 3);
		assert_int_equal(o, (off / S64K / 3) * S64K + off % S64K);
	}
}

/* ---- ranges -> chunks ---- */

static void layout_chunks_unaligned_count3_64k(void **state)
{
	struct proto_layout l;
	struct proto_stripe_chunk c[8];
	uint64_t n;

	mk(&l, S64K, 3);
	/*
	 * [100000, 300000): units 1 (65536..) to 4 (262144..), 4 chunks:
	 *   unit 1, stripe 1, objoff 100000 - 65536 = 34464, len 131072 - 100000 = 31072
	 *   unit 2, stripe 2, objoff 0, len 65536, bufoff 31072
	 *   unit 3, stripe 0, round 1: objoff 65536, len 65536, bufoff 96608
	 *   unit 4, stripe 1, round 1: objoff 65536, len 300000 - 262144 = 37856,
	 *   bufoff 162144; and 31072 + 65536 + 65536 + 37856 = 200000.
	 */
	assert_int_equal(proto_stripe_chunk_count(&l, 100000, 200000, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(proto_stripe_chunks(&l, 100000, 200000, c, 8), 4);
	check_chunk(&c[0], 1, 34464, 31072, 0);
	check_chunk(&c[1], 2, 0, 65536, 31072);
	check_chunk(&c[2], 0, 65536, 65536, 96608);
	check_chunk(&c[3], 1, 65536, 37856, 162144);
}

static void layout_chunks_several_rounds_count4_1m(void **state)
{
	struct proto_layout l;
	struct proto_stripe_chunk c[16];

	mk(&l, M, 4);
	/*
	 * [512K, 10.5M): units 0..10 (2.75 rounds of 4), 11 chunks.  Unit 0 from
	 * its middle, units 1..9 whole, unit 10 (stripe 2, round 2) half.
	 */
	assert_int_equal(proto_stripe_chunks(&l, 512 * K, 10 * M, c, 16), 11);
	check_chunk(&c[0], 0, 512 * K, 512 * K, 0);
	for (uint64_t k = 1; k <= 9; k++)
		check_chunk(&c[k], k % 4, (k / 4) * M, M, 512 * K + (k - 1) * M);
	check_chunk(&c[10], 2, 2 * M, 512 * K, 512 * K + 9 * M);
}

static void layout_chunks_mid_chunk_start_and_end(void **state)
{
	struct proto_layout l;
	struct proto_stripe_chunk c[4];

	mk(&l, M, 3);
	/* [3M + 100, 3M + 1100): all in unit 3 = stripe 0, round 1 */
	assert_int_equal(proto_stripe_chunks(&l, 3 * M + 100, 1000, c, 4), 1);
	check_chunk(&c[0], 0, M + 100, 1000, 0);
	/* [2M - 10, 2M + 10): the tail of unit 1 and the head of unit 2 */
	assert_int_equal(proto_stripe_chunks(&l, 2 * M - 10, 20, c, 4), 2);
	check_chunk(&c[0], 1, M - 10, 10, 0);
	check_chunk(&c[1], 2, 0, 10, 10);
}

static void layout_chunks_count1_split_at_units(void **state)
{
	struct proto_layout l;
	struct proto_stripe_chunk c[8];

	mk(&l, S64K, 1);
	/*
	 * [1000, 201000): units 0..3 (200999 / 65536 = 3), one object, still one
	 * chunk per unit: 64536, 65536, 65536, 201000 - 196608 = 4392.
	 */
	assert_int_equal(proto_stripe_chunks(&l, 1000, 200000, c, 8), 4);
	check_chunk(&c[0], 0, 1000, 64536, 0);
	check_chunk(&c[1], 0, 65536, 65536, 64536);
	check_chunk(&c[2], 0, 131072, 65536, 130072);
	check_chunk(&c[3], 0, 196608, 4392, 195608);
}

static void layout_chunks_beyond_2_40(void **state)
{
	struct proto_layout l;
	struct proto_stripe_chunk c[4];
	uint64_t off = (1ULL << 40) + M - 10;

	mk(&l, M, 4);
	/*
	 * unit of off: 2^20 (rem 1M - 10), 2^20 % 4 = 0, round 2^18, objoff
	 * 2^38 + 1M - 10; the next unit 2^20 + 1 is stripe 1 at objoff 2^38.
	 */
	assert_int_equal(proto_stripe_chunks(&l, off, 20, c, 4), 2);
	check_chunk(&c[0], 0, (1ULL << 38) + M - 10, 10, 0);
	check_chunk(&c[1], 1, 1ULL << 38, 10, 10);
}

static void layout_chunks_zero_length(void **state)
{
	struct proto_layout l;
	uint64_t n = 99;

	mk(&l, M, 4);
	assert_int_equal(proto_stripe_chunk_count(&l, 12345, 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(proto_stripe_chunks(&l, 12345, 0, NULL, 0), 0);
	assert_int_equal(proto_stripe_extents(&l, 12345, 0, NULL, 0), 0);
	/* a zero-length range at the very end of the file space is fine too */
	assert_int_equal(proto_stripe_chunks(&l, 1ULL << 63, 0, NULL, 0), 0);
}

static void layout_chunks_too_small_array_is_e2big(void **state)
{
	struct proto_layout l;
	struct proto_stripe_chunk c[3];
	uint64_t n;

	mk(&l, M, 4);
	memset(c, 0xab, sizeof(c));
	assert_int_equal(proto_stripe_chunks(&l, 0, 4 * M, c, 3), -E2BIG);
	assert_int_equal(c[0].len, 0xababababababababULL); /* nothing written */
	assert_int_equal(proto_stripe_chunk_count(&l, 0, 4 * M, &n), 0);
	assert_int_equal(n, 4);
	/* a huge range needs 2^43 chunks: the count says so, filling refuses */
	assert_int_equal(proto_stripe_chunk_count(&l, 0, 1ULL << 63, &n), 0);
	assert_int_equal(n, 1ULL << 43);
	assert_int_equal(proto_stripe_chunks(&l, 0, 1ULL << 63, c, 3), -E2BIG);
}

static void layout_chunks_reject_overflow(void **state)
{
	struct proto_layout l;
	struct proto_stripe_chunk c[4];
	uint64_t n;

	mk(&l, M, 4);
	/* [2^63 - 10, 2^63) is the last 10 bytes: fine; one more is not */
	assert_int_equal(proto_stripe_chunks(&l, (1ULL << 63) - 10, 10, c, 4), 1);
	check_chunk(&c[0], 3, (1ULL << 61) - 10, 10, 0);
	assert_int_equal(proto_stripe_chunks(&l, (1ULL << 63) - 10, 11, c, 4), -EOVERFLOW);
	assert_int_equal(proto_stripe_chunk_count(&l, 1, UINT64_MAX, &n), -EOVERFLOW);
	assert_int_equal(proto_stripe_chunk_count(&l, UINT64_MAX, 1, &n), -EOVERFLOW);
	l.stripe_count = -1;
	assert_int_equal(proto_stripe_chunks(&l, 0, 10, c, 4), -EINVAL);
}

/* ---- ranges -> per-object extents, punch ranges ---- */

static void layout_extents_count3_64k_hand_worked(void **state)
{
	struct proto_layout l;
	struct proto_obj_extent e[3];

	mk(&l, S64K, 3);
	/*
	 * [100000, 300000) (chunks above): stripe 0 gets unit 3 = objoff
	 * [65536, 131072); stripe 1 gets the tail of unit 1 and the head of
	 * unit 4 = [34464, 65536) + [65536, 103392), contiguous; stripe 2 gets
	 * unit 2 = [0, 65536).
	 */
	assert_int_equal(proto_stripe_extents(&l, 100000, 200000, e, 3), 3);
	check_ext(&e[0], 0, 65536, 131072);
	check_ext(&e[1], 1, 34464, 103392);
	check_ext(&e[2], 2, 0, 65536);
}

static void layout_extents_several_rounds_count4_1m(void **state)
{
	struct proto_layout l;
	struct proto_obj_extent e[4];

	mk(&l, M, 4);
	/*
	 * [512K, 10.5M): stripe 0 units 0 (half), 4, 8 -> [512K, 3M);
	 * stripe 1 units 1, 5, 9 -> [0, 3M); stripe 2 units 2, 6, 10 (half) ->
	 * [0, 2.5M); stripe 3 units 3, 7 -> [0, 2M).  2.5 + 3 + 2.5 + 2 = 10M.
	 */
	assert_int_equal(proto_stripe_extents(&l, 512 * K, 10 * M, e, 4), 4);
	check_ext(&e[0], 0, 512 * K, 3 * M);
	check_ext(&e[1], 1, 0, 3 * M);
	check_ext(&e[2], 2, 0, 2 * M + 512 * K);
	check_ext(&e[3], 3, 0, 2 * M);
}

static void layout_extents_skip_untouched_objects(void **state)
{
	struct proto_layout l;
	struct proto_obj_extent e[4];

	mk(&l, M, 4);
	/* [5M + 1, 6M + 2): units 5 and 6 -> stripes 1 and 2 only, round 1 */
	memset(e, 0, sizeof(e));
	assert_int_equal(proto_stripe_extents(&l, 5 * M + 1, M + 1, e, 4), 2);
	check_ext(&e[0], 1, M + 1, 2 * M);
	check_ext(&e[1], 2, M, M + 2);
	/* a 1-object array is too small for that */
	assert_int_equal(proto_stripe_extents(&l, 5 * M + 1, M + 1, e, 1), -E2BIG);
	/* count 1: one extent equal to the range */
	mk(&l, S64K, 1);
	assert_int_equal(proto_stripe_extents(&l, 1000, 200000, e, 1), 1);
	check_ext(&e[0], 0, 1000, 201000);
}

static void layout_punch_range_per_object(void **state)
{
	struct proto_layout l;
	uint64_t s = 1, e = 1;

	mk(&l, M, 4);
	/*
	 * Punch [1.5M, 6.5M):
	 *   stripe 0: unit 4 whole -> objoff [1M, 2M)
	 *   stripe 1: unit 1 from 1.5M (objoff 512K) and unit 5 whole -> [512K, 2M)
	 *   stripe 2: unit 2 whole and unit 6 up to 6.5M -> [0, 1.5M)
	 *   stripe 3: unit 3 whole -> [0, 1M)
	 */
	assert_int_equal(proto_stripe_obj_range(&l, 0, 3 * M / 2, 5 * M, &s, &e), 0);
	assert_int_equal(s, M);
	assert_int_equal(e, 2 * M);
	assert_int_equal(proto_stripe_obj_range(&l, 1, 3 * M / 2, 5 * M, &s, &e), 0);
	assert_int_equal(s, 512 * K);
	assert_int_equal(e, 2 * M);
	assert_int_equal(proto_stripe_obj_range(&l, 2, 3 * M / 2, 5 * M, &s, &e), 0);
	assert_int_equal(s, 0);
	assert_int_equal(e, 3 * M / 2);
	assert_int_equal(proto_stripe_obj_range(&l, 3, 3 * M / 2, 5 * M, &s, &e), 0);
	assert_int_equal(s, 0);
	assert_int_equal(e, M);
	/* [0, 100) misses stripe 2 entirely: an empty range */
	assert_int_equal(proto_stripe_obj_range(&l, 2, 0, 100, &s, &e), 0);
	assert_int_equal(s, e);
	/* punch to "infinity" (the rest of the file) from 9M + 100 */
	assert_int_equal(
	    proto_stripe_obj_range(&l, 1, 9 * M + 100, (1ULL << 63) - 9 * M - 100, &s, &e), 0);
	assert_int_equal(s, 2 * M + 100); /* unit 9 = stripe 1, round 2 */
	assert_int_equal(e, 1ULL << 61);
	s = e = 7;
	assert_int_equal(proto_stripe_obj_range(&l, 4, 0, 100, &s, &e), -EINVAL);
	assert_int_equal(proto_stripe_obj_range(&l, 0, 1ULL << 63, 1, &s, &e), -EOVERFLOW);
	assert_int_equal(s, 7);
}

/* Random ranges: chunks tile the range and the extents, extents sum to len. */
static void layout_ranges_chunks_and_extents_agree(void **state)
{
	static struct proto_stripe_chunk c[64];
	struct proto_obj_extent e[PROTO_LAYOUT_MAX_STRIPES];
	static const int32_t counts[] = {1, 3, 4, 5};
	struct proto_layout l;

	for (size_t ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
		mk(&l, S64K, counts[ci]);
		for (int i = 0; i < 3000; i++) {
			uint64_t base = (i & 1) ? (1ULL << 50) : 0;
			uint64_t off = base + rnd() % (40 * S64K);
			uint64_t len = rnd() % (20 * S64K);
			uint64_t next[8] = {0}, sum = 0, expect = 0;
			int nc = proto_stripe_chunks(&l, off, len, c, 64);
			int ne = proto_stripe_extents(&l, off, len, e, PROTO_LAYOUT_MAX_STRIPES);

			assert_true(nc >= 0 && ne >= 0);
			for (int k = 0; k < ne; k++) {
				sum += e[k].end - e[k].start;
				next[e[k].stripe] = e[k].start;
				assert_true(k == 0 || e[k].stripe > e[k - 1].stripe);
			}
			assert_int_equal(sum, len);
			for (int k = 0; k < nc; k++) {
				uint32_t s;
				uint64_t o;

				assert_int_equal(c[k].bufoff, expect);
				expect += c[k].len;
				assert_true(c[k].len > 0 && c[k].len <= S64K);
				/* no chunk crosses a unit boundary */
				assert_int_equal((c[k].objoff % S64K) + c[k].len <= S64K, 1);
				assert_int_equal(proto_stripe_map(&l, off + c[k].bufoff, &s, &o),
						 0);
				assert_int_equal(s, c[k].stripe);
				assert_int_equal(o, c[k].objoff);
				/* the chunks of one object follow each other in its extent */
				assert_int_equal(o, next[s]);
				next[s] += c[k].len;
			}
			assert_int_equal(expect, len);
			for (int k = 0; k < ne; k++)
				assert_int_equal(next[e[k].stripe], e[k].end);
		}
	}
}

/* ---- object sizes <-> file size ---- */

static void layout_file_size_from_objects_hand_worked(void **state)
{
	struct proto_layout l;
	uint64_t sz = 1;

	mk(&l, M, 4);
	{
		uint64_t o[4] = {0, 0, 0, 0}; /* all empty: size 0 */

		assert_int_equal(proto_stripe_file_size(&l, o, 4, &sz), 0);
		assert_int_equal(sz, 0);
	}
	{
		/* last bytes: stripe 0 at 1M - 1 (unit 0), stripe 1 at 2M - 1
		 * (unit 1), stripe 2 at 2M + 512K - 1 (unit 2): size 2.5M */
		uint64_t o[4] = {M, M, 512 * K, 0};

		assert_int_equal(proto_stripe_file_size(&l, o, 4, &sz), 0);
		assert_int_equal(sz, 2 * M + 512 * K);
	}
	{
		/* a hole: only stripe 0 has data, up to objoff 2M + 4 = round 2,
		 * unit 8, file offset 8M + 4: size 8M + 5 */
		uint64_t o[4] = {2 * M + 5, 0, 0, 0};

		assert_int_equal(proto_stripe_file_size(&l, o, 4, &sz), 0);
		assert_int_equal(sz, 8 * M + 5);
	}
	{
		/* one byte in the last object: unit 3 at 3M: size 3M + 1 */
		uint64_t o[4] = {0, 0, 0, 1};

		assert_int_equal(proto_stripe_file_size(&l, o, 4, &sz), 0);
		assert_int_equal(sz, 3 * M + 1);
	}
	{
		/* stripe 0 to 3M - 1 = unit 8, end 9M; stripe 1's byte 0 is at
		 * 1M: the largest wins, 9M */
		uint64_t o[4] = {3 * M, 1, 0, 0};

		assert_int_equal(proto_stripe_file_size(&l, o, 4, &sz), 0);
		assert_int_equal(sz, 9 * M);
	}
	{
		/* the largest possible: stripe 3 to 2^61 - 1 -> 2^63 - 1, size 2^63 */
		uint64_t o[4] = {0, 0, 0, 1ULL << 61};

		assert_int_equal(proto_stripe_file_size(&l, o, 4, &sz), 0);
		assert_int_equal(sz, 1ULL << 63);
	}
	mk(&l, S64K, 3);
	{
		/* stripe 0: objoff 131071 = round 1 unit 3 -> 262143 (end 262144)
		 * stripe 1: objoff 65545 = round 1 unit 4 -> 262144 + 9 (end 262154)
		 * stripe 2: objoff 65535 = round 0 unit 2 -> 196607 (end 196608) */
		uint64_t o[3] = {131072, 65546, 65536};

		assert_int_equal(proto_stripe_file_size(&l, o, 3, &sz), 0);
		assert_int_equal(sz, 262154);
	}
}

static void layout_file_size_rejects_bad_input(void **state)
{
	struct proto_layout l;
	uint64_t sz = 42;
	uint64_t o[4] = {1ULL << 62, 0, 0, 0}; /* objoff 2^62 - 1 -> ~2^64 */

	mk(&l, M, 4);
	assert_int_equal(proto_stripe_file_size(&l, o, 4, &sz), -EOVERFLOW);
	o[0] = 0;
	o[3] = (1ULL << 61) + 1; /* one byte past the largest file */
	assert_int_equal(proto_stripe_file_size(&l, o, 4, &sz), -EOVERFLOW);
	assert_int_equal(proto_stripe_file_size(&l, o, 3, &sz), -EINVAL);
	assert_int_equal(sz, 42);
}

static void check_trunc(const struct proto_layout *l, uint64_t size, const uint64_t *expect)
{
	uint64_t got[PROTO_LAYOUT_MAX_STRIPES], back;
	size_t n = (size_t)l->stripe_count;

	assert_int_equal(proto_stripe_trunc_sizes(l, size, got, n), 0);
	for (size_t i = 0; i < n; i++) {
		uint64_t one;

		assert_int_equal(got[i], expect[i]);
		assert_int_equal(proto_stripe_obj_size(l, (uint32_t)i, size, &one), 0);
		assert_int_equal(one, expect[i]);
	}
	/* and those object sizes describe a file of exactly that size */
	assert_int_equal(proto_stripe_file_size(l, got, n, &back), 0);
	assert_int_equal(back, size);
}

static void layout_truncate_sizes_hand_worked(void **state)
{
	struct proto_layout l;

	mk(&l, M, 4);
	check_trunc(&l, 0, (uint64_t[]){0, 0, 0, 0});
	check_trunc(&l, 1, (uint64_t[]){1, 0, 0, 0});
	/* 2.5M: units 0, 1 whole, unit 2 half (mid-chunk) */
	check_trunc(&l, 2 * M + 512 * K, (uint64_t[]){M, M, 512 * K, 0});
	/* 4M: exactly one full round */
	check_trunc(&l, 4 * M, (uint64_t[]){M, M, M, M});
	/* 5M: exact unit boundary, unit 4 (stripe 0, round 1) whole */
	check_trunc(&l, 5 * M, (uint64_t[]){2 * M, M, M, M});
	/* 9M + 100: units 0..8 whole (stripe 0 has 3), 100 bytes of unit 9 */
	check_trunc(&l, 9 * M + 100, (uint64_t[]){3 * M, 2 * M + 100, 2 * M, 2 * M});
	/* 2^63: 2^43 units = 2^41 full rounds */
	check_trunc(&l, 1ULL << 63, (uint64_t[]){1ULL << 61, 1ULL << 61, 1ULL << 61, 1ULL << 61});

	mk(&l, S64K, 3);
	/* 200000 = 3 * 65536 + 3392: one round, then 3392 bytes of stripe 0 */
	check_trunc(&l, 200000, (uint64_t[]){68928, 65536, 65536});
	/* 3 * 65536 exactly: one round */
	check_trunc(&l, 196608, (uint64_t[]){65536, 65536, 65536});

	mk(&l, M, 1);
	check_trunc(&l, 12345678, (uint64_t[]){12345678});
}

static void layout_truncate_rejects_bad_input(void **state)
{
	struct proto_layout l;
	uint64_t o[4] = {9, 9, 9, 9};

	mk(&l, M, 4);
	assert_int_equal(proto_stripe_trunc_sizes(&l, (1ULL << 63) + 1, o, 4), -EOVERFLOW);
	assert_int_equal(proto_stripe_trunc_sizes(&l, 100, o, 3), -EINVAL);
	assert_int_equal(proto_stripe_obj_size(&l, 4, 100, &o[0]), -EINVAL);
	assert_int_equal(o[0], 9);
}

static void layout_truncate_round_trips_random_sizes(void **state)
{
	static const int32_t counts[] = {1, 3, 4, 13};
	struct proto_layout l;

	for (size_t ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
		mk(&l, S64K * (1 + (uint32_t)ci), counts[ci]);
		for (int i = 0; i < 3000; i++) {
			uint64_t size = rnd() >> (1 + (i % 4) * 15);
			uint64_t o[16], back;

			assert_int_equal(proto_stripe_trunc_sizes(&l, size, o, (size_t)counts[ci]),
					 0);
			assert_int_equal(proto_stripe_file_size(&l, o, (size_t)counts[ci], &back),
					 0);
			assert_int_equal(back, size);
		}
	}
}

/* ---- codec ---- */

static void check_same(const struct proto_layout *a, const struct proto_layout *b)
{
	assert_int_equal(a->pattern, b->pattern);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->stripe_size, b->stripe_size);
	assert_int_equal(a->stripe_count, b->stripe_count);
	assert_int_equal(a->stripe_offset, b->stripe_offset);
	assert_int_equal(a->gen, b->gen);
	assert_string_equal(a->pool, b->pool);
	assert_int_equal(a->nobjs, b->nobjs);
	for (uint32_t i = 0; i < a->nobjs; i++) {
		assert_int_equal(a->objs[i].ost_idx, b->objs[i].ost_idx);
		assert_int_equal(a->objs[i].objid, b->objs[i].objid);
	}
}

static size_t enc(const struct proto_layout *l, uint8_t *buf, size_t len)
{
	struct proto_cur c;

	proto_cur_init(&c, buf, len);
	proto_layout_enc(&c, l);
	assert_int_equal(proto_cur_err(&c), 0);
	return c.pos;
}

static int dec(const uint8_t *buf, size_t len, struct proto_layout *l)
{
	struct proto_cur c;

	proto_cur_init_ro(&c, buf, len);
	proto_layout_dec(&c, l);
	return proto_cur_finish(&c);
}

static void layout_codec_round_trips(void **state)
{
	static uint8_t buf[PROTO_LAYOUT_WIRE_MAX];
	static struct proto_layout l, out;
	size_t n;

	mk(&l, 4 * M, 3);
	l.stripe_offset = 7;
	l.objs[0].ost_idx = 7;
	l.objs[1].ost_idx = 2;
	l.objs[2].ost_idx = 0xfffe;
	l.objs[2].objid = 0x123456789abcdefULL;
	l.gen = 42;
	strcpy(l.pool, "flash");
	/* 6 u32 + (2 + 5) pool + u32 nobjs + 3 * 12 */
	n = enc(&l, buf, sizeof(buf));
	assert_int_equal(n, 24 + 7 + 4 + 36);
	assert_int_equal(dec(buf, n, &out), 0);
	check_same(&l, &out);
	assert_int_equal(proto_layout_check_file(&out), 0);

	/* a template: inherit size and count, MDS chooses the OST */
	mk_template(&l);
	n = enc(&l, buf, sizeof(buf));
	assert_int_equal(dec(buf, n, &out), 0);
	check_same(&l, &out);
	assert_int_equal(proto_layout_check_template(&out), 0);

	/* the largest: 256 stripes, max stripe size, a full-length pool */
	mk(&l, PROTO_STRIPE_SIZE_MAX, PROTO_LAYOUT_MAX_STRIPES);
	strcpy(l.pool, "abcdefghijklmno");
	n = enc(&l, buf, sizeof(buf));
	assert_int_equal(n, PROTO_LAYOUT_WIRE_MAX);
	assert_int_equal(dec(buf, n, &out), 0);
	check_same(&l, &out);
}

/* Encodes @l (the caller spoiled one field) and expects the decoder to refuse it. */
static void expect_reject(struct proto_layout *l)
{
	static uint8_t buf[PROTO_LAYOUT_WIRE_MAX];
	static struct proto_layout out;
	size_t n = enc(l, buf, sizeof(buf));

	assert_int_equal(dec(buf, n, &out), -EPROTO);
}

/*
 * A template decodes whatever its values: they are the MDS's to judge, with
 * -EINVAL (proto_layout_check_template), not a protocol error.
 */
static void expect_template_einval(struct proto_layout *l)
{
	static uint8_t buf[PROTO_LAYOUT_WIRE_MAX];
	static struct proto_layout out;
	size_t n = enc(l, buf, sizeof(buf));

	assert_int_equal(dec(buf, n, &out), 0);
	assert_int_equal(proto_layout_check_template(&out), -EINVAL);
}

static void layout_codec_rejects_bad_fields(void **state)
{
	static struct proto_layout l;

	mk(&l, M, 2);
	l.pattern = 2;
	expect_reject(&l);
	mk(&l, M, 2);
	l.flags = 1u << 7;
	expect_reject(&l);
	mk(&l, M + 1, 2); /* not a multiple of 64K */
	expect_reject(&l);
	mk(&l, 0, 2); /* size 0 only in templates */
	expect_reject(&l);
	mk(&l, M, 2);
	l.stripe_count = -2;
	l.nobjs = 0;
	expect_template_einval(&l);
	mk(&l, M, 2);
	l.stripe_count = PROTO_LAYOUT_MAX_STRIPES + 1;
	l.nobjs = 0;
	expect_template_einval(&l);
	mk(&l, M + 4096, 0); /* a template with a stripe size off the 64 KiB grid */
	l.stripe_count = 2;
	expect_template_einval(&l);
	mk(&l, M, 2);
	l.stripe_count = 0; /* count 0 only in templates */
	expect_reject(&l);
	mk(&l, M, 2);
	l.stripe_offset = -2;
	expect_reject(&l);
	mk(&l, M, 2);
	l.nobjs = 1; /* nobjs neither 0 nor stripe_count */
	expect_reject(&l);
}

static void layout_codec_rejects_hostile_bytes(void **state)
{
	static uint8_t buf[PROTO_LAYOUT_WIRE_MAX + 64];
	static struct proto_layout l, out;
	struct proto_cur c;
	size_t n;

	/* a NUL inside the pool name: pool "ab" is at bytes 24..27 */
	mk(&l, M, 1);
	strcpy(l.pool, "ab");
	n = enc(&l, buf, sizeof(buf));
	assert_int_equal(buf[24], 2);
	buf[27] = '\0';
	assert_int_equal(dec(buf, n, &out), -EPROTO);

	/* a pool name of 16 bytes, and a nobjs of 2^32 - 1 with no objects */
	proto_cur_init(&c, buf, sizeof(buf));
	proto_put_u32(&c, PROTO_LAYOUT_PATTERN_RAID0);
	proto_put_u32(&c, 0);
	proto_put_u32(&c, M);
	proto_put_i32(&c, -1);
	proto_put_i32(&c, -1);
	proto_put_u32(&c, 1);
	proto_put_u16(&c, 16);
	proto_put_bytes(&c, "abcdefghijklmnop", 16);
	proto_put_u32(&c, 0);
	assert_int_equal(dec(buf, c.pos, &out), -EPROTO);
	buf[24] = 0; /* pool length 0 now: "abcd" becomes a nobjs of 0x64636261 */
	assert_int_equal(dec(buf, 26 + 4, &out), -EPROTO);

	proto_cur_init(&c, buf, sizeof(buf));
	proto_put_u32(&c, PROTO_LAYOUT_PATTERN_RAID0);
	proto_put_u32(&c, 0);
	proto_put_u32(&c, M);
	proto_put_i32(&c, 4);
	proto_put_i32(&c, 0);
	proto_put_u32(&c, 1);
	proto_put_u16(&c, 0);
	proto_put_u32(&c, UINT32_MAX);
	assert_int_equal(dec(buf, c.pos, &out), -EPROTO);
	assert_true(out.nobjs <= PROTO_LAYOUT_MAX_STRIPES);

	/* every truncation of a valid layout fails; trailing bytes are caught by finish */
	mk(&l, M, 4);
	n = enc(&l, buf, sizeof(buf));
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(dec(buf, cut, &out), -EPROTO);
	assert_int_equal(dec(buf, n + 1, &out), -EPROTO);
}

static void layout_codec_encoder_refuses(void **state)
{
	static struct proto_layout l;
	uint8_t small[40];
	struct proto_cur c;

	mk(&l, M, 4);
	proto_cur_init(&c, small, sizeof(small));
	proto_layout_enc(&c, &l);
	assert_int_equal(proto_cur_err(&c), -EMSGSIZE);
	l.nobjs = PROTO_LAYOUT_MAX_STRIPES + 1;
	proto_cur_init(&c, small, sizeof(small));
	proto_layout_enc(&c, &l);
	assert_int_equal(proto_cur_err(&c), -EINVAL);
}

/* ---- validation ---- */

static void layout_check_template_cases(void **state)
{
	static struct proto_layout l;

	mk_template(&l);
	assert_int_equal(proto_layout_check_template(&l), 0); /* all "inherit" */
	l.stripe_size = 4 * M; /* setstripe -S 4M -c -1 -i 3 -p flash */
	l.stripe_count = -1;
	l.stripe_offset = 3;
	strcpy(l.pool, "flash");
	assert_int_equal(proto_layout_check_template(&l), 0);
	l.stripe_size = PROTO_STRIPE_SIZE_MAX;
	assert_int_equal(proto_layout_check_template(&l), 0);

	l.stripe_size = 100000; /* not a multiple of 64 KiB */
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.stripe_size = S64K + 4096;
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.stripe_size = M;
	l.stripe_count = -2;
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.stripe_count = PROTO_LAYOUT_MAX_STRIPES + 1;
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.stripe_count = PROTO_LAYOUT_MAX_STRIPES;
	assert_int_equal(proto_layout_check_template(&l), 0);
	l.stripe_offset = -2;
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.stripe_offset = -1;
	strcpy(l.pool, "a.b");
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	memset(l.pool, 'a', sizeof(l.pool)); /* not terminated */
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.pool[0] = '\0';
	l.pattern = 0;
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.pattern = PROTO_LAYOUT_PATTERN_RAID0;
	l.flags = 1u << 9;
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.flags = 0;
	l.nobjs = 1; /* objects without F_OSTLIST */
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
}

static void layout_check_template_ost_list(void **state)
{
	static struct proto_layout l;

	mk_template(&l); /* setstripe -o 1,3,5 */
	l.flags = PROTO_LAYOUT_F_OSTLIST;
	l.stripe_count = 3;
	l.nobjs = 3;
	l.objs[0].ost_idx = 1;
	l.objs[1].ost_idx = 3;
	l.objs[2].ost_idx = 5;
	assert_int_equal(proto_layout_check_template(&l), 0);
	l.stripe_offset = 1;
	assert_int_equal(proto_layout_check_template(&l), 0);
	l.stripe_offset = 3; /* the first OST is objs[0] */
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.stripe_offset = -1;
	l.objs[2].ost_idx = 1; /* duplicate */
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.objs[2].ost_idx = 5;
	l.objs[1].objid = 9; /* objids belong to files */
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.objs[1].objid = 0;
	l.stripe_count = 2;
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
	l.stripe_count = -1;
	assert_int_equal(proto_layout_check_template(&l), -EINVAL);
}

static void layout_check_file_cases(void **state)
{
	static struct proto_layout l;

	mk(&l, M, 4);
	assert_int_equal(proto_layout_check_file(&l), 0);
	l.nobjs = 3;
	assert_int_equal(proto_layout_check_file(&l), -EINVAL);
	mk(&l, M, 4);
	l.objs[3].ost_idx = 1; /* the same OST twice */
	assert_int_equal(proto_layout_check_file(&l), -EINVAL);
	mk(&l, M, 4);
	l.objs[2].objid = 0;
	assert_int_equal(proto_layout_check_file(&l), -EINVAL);
	mk(&l, M, 4);
	l.stripe_offset = 1; /* must be objs[0].ost_idx = 0 */
	assert_int_equal(proto_layout_check_file(&l), -EINVAL);
	l.stripe_offset = -1;
	assert_int_equal(proto_layout_check_file(&l), -EINVAL);
	mk(&l, 0, 4);
	assert_int_equal(proto_layout_check_file(&l), -EINVAL);
	mk(&l, M + S64K / 2, 4);
	assert_int_equal(proto_layout_check_file(&l), -EINVAL);
	mk(&l, M, 4);
	l.stripe_count = -1;
	assert_int_equal(proto_layout_check_file(&l), -EINVAL);
	mk(&l, M, 4);
	l.flags = PROTO_LAYOUT_F_OSTLIST;
	assert_int_equal(proto_layout_check_file(&l), -EINVAL);
	mk(&l, M, 1);
	strcpy(l.pool, "bad pool");
	assert_int_equal(proto_layout_check_file(&l), -EINVAL);
	strcpy(l.pool, "ssd_pool-1");
	assert_int_equal(proto_layout_check_file(&l), 0);
}

static void layout_pool_name_rules(void **state)
{
	assert_true(proto_pool_name_valid("flash"));
	assert_true(proto_pool_name_valid("A_b-9"));
	assert_true(proto_pool_name_valid("abcdefghijklmno"));	 /* 15 */
	assert_false(proto_pool_name_valid("abcdefghijklmnop")); /* 16 */
	assert_false(proto_pool_name_valid(""));
	assert_false(proto_pool_name_valid("fs.pool"));
	assert_false(proto_pool_name_valid("a b"));
	assert_false(proto_pool_name_valid("a/b"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(layout_map_count1_is_identity),
    cmocka_unit_test(layout_map_count3_64k_hand_worked),
    cmocka_unit_test(layout_map_count4_1m_hand_worked),
    cmocka_unit_test(layout_map_rejects_overflow_and_templates),
    cmocka_unit_test(layout_map_round_trips_many_values),
    cmocka_unit_test(layout_chunks_unaligned_count3_64k),
    cmocka_unit_test(layout_chunks_several_rounds_count4_1m),
    cmocka_unit_test(layout_chunks_mid_chunk_start_and_end),
    cmocka_unit_test(layout_chunks_count1_split_at_units),
    cmocka_unit_test(layout_chunks_beyond_2_40),
    cmocka_unit_test(layout_chunks_zero_length),
    cmocka_unit_test(layout_chunks_too_small_array_is_e2big),
    cmocka_unit_test(layout_chunks_reject_overflow),
    cmocka_unit_test(layout_extents_count3_64k_hand_worked),
    cmocka_unit_test(layout_extents_several_rounds_count4_1m),
    cmocka_unit_test(layout_extents_skip_untouched_objects),
    cmocka_unit_test(layout_punch_range_per_object),
    cmocka_unit_test(layout_ranges_chunks_and_extents_agree),
    cmocka_unit_test(layout_file_size_from_objects_hand_worked),
    cmocka_unit_test(layout_file_size_rejects_bad_input),
    cmocka_unit_test(layout_truncate_sizes_hand_worked),
    cmocka_unit_test(layout_truncate_rejects_bad_input),
    cmocka_unit_test(layout_truncate_round_trips_random_sizes),
    cmocka_unit_test(layout_codec_round_trips),
    cmocka_unit_test(layout_codec_rejects_bad_fields),
    cmocka_unit_test(layout_codec_rejects_hostile_bytes),
    cmocka_unit_test(layout_codec_encoder_refuses),
    cmocka_unit_test(layout_check_template_cases),
    cmocka_unit_test(layout_check_template_ost_list),
    cmocka_unit_test(layout_check_file_cases),
    cmocka_unit_test(layout_pool_name_rules),
};
T_GROUP(layout, tests)
