/* SPDX-License-Identifier: Apache-2.0 */
/* The FUSE client's pure parts: I/O pieces, options, node table, xattr values. */
#include "t_unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuse-client/fc_int.h"

static struct proto_layout geom(int count, uint32_t size)
{
	struct proto_layout l = {
	    .pattern = PROTO_LAYOUT_PATTERN_RAID0, .stripe_size = size, .stripe_count = count};
	return l;
}

static void pieces_count1_merges_to_bulk_max(void **state)
{
	struct proto_layout l = geom(1, 65536);
	struct fc_piece *p;
	uint32_t n;

	assert_int_equal(fc_pieces(&l, 100, 9u << 20, PROTO_BULK_MAX, &p, &n), 0);
	assert_int_equal(n, 3); /* 4 + 4 + 1 MiB */
	assert_int_equal(p[0].objoff, 100);
	assert_int_equal(p[0].len, PROTO_BULK_MAX);
	assert_int_equal(p[0].niov, 1);
	assert_int_equal(p[2].len, 1u << 20);
	free(p);
}

static void pieces_striped_one_per_object_extent(void **state)
{
	struct proto_layout l = geom(4, 65536);
	struct fc_piece *p;
	uint32_t n, total = 0;

	/* 8 stripe units from offset 1000: every object gets two chunks. */
	assert_int_equal(fc_pieces(&l, 1000, 8 * 65536, PROTO_BULK_MAX, &p, &n), 0);
	assert_int_equal(n, 4);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(p[i].stripe, i);
		total += p[i].len;
		for (uint32_t k = 1; k < p[i].niov; k++)
			assert_true(p[i].iov[k].bufoff > p[i].iov[k - 1].bufoff);
	}
	assert_int_equal(total, 8 * 65536);
	/* object 0 holds file [1000, 65536) and [262144, 327680) and [524288, 525288) */
	assert_int_equal(p[0].objoff, 1000);
	assert_int_equal(p[0].niov, 3);
	assert_int_equal(p[0].iov[0].bufoff, 0);
	assert_int_equal(p[0].iov[1].bufoff, 4 * 65536 - 1000);
	free(p);
}

static void pieces_bad_geometry_fails(void **state)
{
	struct proto_layout l = geom(0, 65536);
	struct fc_piece *p;
	uint32_t n;

	assert_int_equal(fc_pieces(&l, 0, 10, PROTO_BULK_MAX, &p, &n), -EINVAL);
}

/* Worked by hand: 2 x 64 KiB stripes on both sides, the source 1000 bytes in. */
static void copy_extents_pair_chunks_of_both_layouts(void **state)
{
	struct proto_layout l = geom(2, 65536);
	struct fc_copy_ext *e;
	uint32_t n;

	assert_int_equal(fc_copy_extents(&l, 1000, &l, 0, 131072, PROTO_OST_COPY_MAX, &e, &n), 0);
	assert_int_equal(n, 4);
	/* src stripe 0 [1000, 65536) -> dst stripe 0 [0, 64536) */
	assert_int_equal(e[0].src_stripe, 0);
	assert_int_equal(e[0].dst_stripe, 0);
	assert_int_equal(e[0].src_objoff, 1000);
	assert_int_equal(e[0].dst_objoff, 0);
	assert_int_equal(e[0].len, 64536);
	/* src stripe 1 [0, 1000) -> the last 1000 bytes of dst stripe 0's chunk */
	assert_int_equal(e[1].src_stripe, 1);
	assert_int_equal(e[1].dst_stripe, 0);
	assert_int_equal(e[1].src_objoff, 0);
	assert_int_equal(e[1].dst_objoff, 64536);
	assert_int_equal(e[1].len, 1000);
	/* src stripe 1 [1000, 65536) -> dst stripe 1 [0, 64536) */
	assert_int_equal(e[2].src_stripe, 1);
	assert_int_equal(e[2].dst_stripe, 1);
	assert_int_equal(e[2].src_objoff, 1000);
	assert_int_equal(e[2].dst_objoff, 0);
	assert_int_equal(e[2].len, 64536);
	/* src stripe 0's second chunk [65536, 66536) -> dst stripe 1 [64536, 65536) */
	assert_int_equal(e[3].src_stripe, 0);
	assert_int_equal(e[3].dst_stripe, 1);
	assert_int_equal(e[3].src_objoff, 65536);
	assert_int_equal(e[3].dst_objoff, 64536);
	assert_int_equal(e[3].len, 1000);
	free(e);
}

static void copy_extents_merge_per_object_pair_up_to_max(void **state)
{
	struct proto_layout one = geom(1, 65536), two = geom(2, 65536);
	struct fc_copy_ext *e;
	uint64_t total = 0;
	uint32_t n;

	/* stripe count 1, unaligned: one extent, though both chunkings split it */
	assert_int_equal(fc_copy_extents(&one, 100, &one, 200, 1 << 20, PROTO_OST_COPY_MAX, &e, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].src_objoff, 100);
	assert_int_equal(e[0].dst_objoff, 200);
	assert_int_equal(e[0].len, 1 << 20);
	free(e);
	/* aligned stripes: one extent per object pair, from chunks that are not adjacent */
	assert_int_equal(fc_copy_extents(&two, 0, &two, 0, 512 * 1024, PROTO_OST_COPY_MAX, &e, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].len, 256 * 1024);
	assert_int_equal(e[1].len, 256 * 1024);
	assert_int_equal(e[1].src_stripe, 1);
	assert_int_equal(e[1].dst_stripe, 1);
	free(e);
	/* max bounds every extent */
	assert_int_equal(fc_copy_extents(&one, 100, &one, 200, 1 << 20, 100000, &e, &n), 0);
	assert_true(n >= 11);
	for (uint32_t i = 0; i < n; i++) {
		assert_true(e[i].len <= 100000);
		total += e[i].len;
	}
	assert_int_equal(total, 1 << 20);
	free(e);
	/* nothing to copy; bad geometry */
	assert_int_equal(fc_copy_extents(&one, 0, &one, 0, 0, 4096, &e, &n), 0);
	assert_int_equal(n, 0);
	free(e);
	one.stripe_size = 0;
	assert_int_equal(fc_copy_extents(&one, 0, &two, 0, 10, 4096, &e, &n), -EINVAL);
}

static void opts_parse_values_and_generic(void **state)
{
	struct fc_opts o;

	fc_opts_init(&o);
	assert_int_equal(fc_opts_parse(&o, "defaults,_netdev,attr_timeout=60,readahead=8M,"
					   "io_timeout=5,checksums=off,noflock,port=1234,"
					   "dirty_max=64k,mds_timeout=2.5,lookupcache=positive"),
			 0);
	assert_false(o.lookupcache_neg);
	assert_true(o.attr_timeout == 60.0);
	assert_int_equal(o.readahead, 8u << 20);
	assert_int_equal(o.io_timeout_ms, 5000);
	assert_int_equal(o.mds_timeout_ms, 2500);
	assert_false(o.checksums);
	assert_int_equal(o.lock, FC_LOCK_NONE);
	assert_int_equal(o.port, 1234);
	/* raised to hold one max_write */
	assert_int_equal(o.dirty_max, o.max_write);
}

static void opts_parse_rejects_unknown(void **state)
{
	struct fc_opts o;

	fc_opts_init(&o);
	assert_int_equal(fc_opts_parse(&o, "bogus"), -EINVAL);
	assert_int_equal(fc_opts_parse(&o, "checksums=maybe"), -EINVAL);
	assert_int_equal(fc_opts_parse(&o, "max_write=4M"), -EINVAL);
	assert_int_equal(fc_opts_parse(&o, "mds_timeout=0"), -EINVAL);
	assert_int_equal(fc_opts_parse(&o, "mds_timeout=601"), -EINVAL);
	assert_int_equal(fc_opts_parse(&o, "lookupcache=none"), -EINVAL);
	assert_true(o.lookupcache_neg); /* the default stands */
}

static void nodes_lookup_counts_free_at_zero(void **state)
{
	struct fc_nodes *t;
	struct proto_fid f = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 7};
	struct fc_node *a, *b;

	assert_int_equal(fc_nodes_new(&t), 0);
	a = fc_node_get(t, &f, 1);
	b = fc_node_get(t, &f, 2); /* a hard link: the same node */
	assert_ptr_equal(a, b);
	assert_int_equal(fc_nodes_count(t), 2);
	fc_node_hold(t, a);
	fc_node_forget(t, a, 3);
	assert_int_equal(fc_nodes_count(t), 2); /* still held by an open file */
	fc_node_release(t, a);
	assert_int_equal(fc_nodes_count(t), 1);
	for (uint32_t i = 0; i < 5000; i++) {
		f.oid = 100 + i;
		assert_non_null(fc_node_get(t, &f, 1));
	}
	assert_int_equal(fc_nodes_count(t), 5001);
	fc_nodes_free(t);
}

static void lov_file_layout_becomes_template(void **state)
{
	struct proto_layout l = geom(2, 1 << 20), out;
	uint8_t buf[PROTO_LAYOUT_WIRE_MAX];
	struct proto_cur c;

	l.stripe_offset = 3;
	l.gen = 5;
	l.nobjs = 2;
	l.objs[0] = (struct proto_ost_obj){3, 17};
	l.objs[1] = (struct proto_ost_obj){0, 9};
	proto_cur_init(&c, buf, sizeof(buf));
	proto_layout_enc(&c, &l);
	assert_int_equal(fc_lov_to_template(buf, c.pos, &out), 0);
	assert_int_equal(out.nobjs, 0);
	assert_int_equal(out.stripe_offset, -1);
	assert_int_equal(out.stripe_count, 2);
	assert_int_equal(out.stripe_size, 1 << 20);
	assert_int_equal(fc_lov_to_template(buf, c.pos - 1, &out), -EINVAL);
}

/* A directory's attributes as a reply would carry them, with @nlink. */
static struct proto_mds_dirs dir_reply(const struct proto_fid *fid, uint32_t nlink)
{
	struct proto_mds_dirs d = {.n = 1};

	d.attr[0].fid = *fid;
	d.attr[0].mode = S_IFDIR | 0755;
	d.attr[0].nlink = nlink;
	return d;
}

/*
 * Post-op attributes answer a GETATTR only after a change no other change of
 * this client overlapped, only within attr_timeout, and never after fresher
 * attributes or a failed change.
 */
static void dirattr_trusted_only_without_overlap(void **state)
{
	struct proto_fid fd = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 7};
	struct proto_fid fo = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 8};
	struct fc_fs *fs = calloc(1, sizeof(*fs));
	struct fc_rset r1 = {0}, r2 = {0};
	struct proto_mds_dirs d3, d4;
	struct fc_node *dir, *other;
	struct proto_attr a;
	double left;

	assert_non_null(fs);
	fs->opts.attr_timeout = 60;
	assert_int_equal(fc_nodes_new(&fs->nodes), 0);
	dir = fc_node_get(fs->nodes, &fd, 1);
	other = fc_node_get(fs->nodes, &fo, 1);
	r1.fs = r2.fs = fs;
	d3 = dir_reply(&fd, 3);
	d4 = dir_reply(&fd, 4);

	/* one change, alone: its reply answers, for what is left of attr_timeout */
	assert_false(fc_dir_attr_cached(fs, dir, &a, &left));
	fc_rset_dir_change(&r1, dir);
	fc_rset_dirs_done(&r1, &d3);
	assert_true(fc_dir_attr_cached(fs, dir, &a, &left));
	assert_int_equal(a.nlink, 3);
	assert_true(left > 59 && left <= 60);
	/* ... until attr_timeout has passed since the change */
	dir->dir_pa->ms -= 61000;
	assert_false(fc_dir_attr_cached(fs, dir, &a, &left));

	/* two changes overlapping: neither reply is trusted, in either order */
	fc_rset_dir_change(&r1, dir);
	fc_rset_dir_change(&r2, dir);
	fc_rset_dirs_done(&r1, &d3);
	assert_false(fc_dir_attr_cached(fs, dir, &a, &left));
	fc_rset_dirs_done(&r2, &d4);
	assert_false(fc_dir_attr_cached(fs, dir, &a, &left));
	fc_rset_dir_change(&r1, dir);
	fc_rset_dir_change(&r2, dir);
	fc_rset_dirs_done(&r2, &d4);
	fc_rset_dirs_done(&r1, &d3);
	assert_false(fc_dir_attr_cached(fs, dir, &a, &left));

	/* a change in flight hides what an earlier one left */
	fc_rset_dir_change(&r1, dir);
	fc_rset_dirs_done(&r1, &d3);
	fc_rset_dir_change(&r2, dir);
	assert_false(fc_dir_attr_cached(fs, dir, &a, &left));
	fc_rset_dirs_done(&r2, NULL); /* failed */
	assert_false(fc_dir_attr_cached(fs, dir, &a, &left));

	/* fresher attributes (a lookup, a getattr) replace them */
	fc_rset_dir_change(&r1, dir);
	fc_rset_dirs_done(&r1, &d3);
	pthread_mutex_lock(&dir->mu);
	fc_node_set_attr(dir, &d4.attr[0], NULL);
	pthread_mutex_unlock(&dir->mu);
	assert_false(fc_dir_attr_cached(fs, dir, &a, &left));

	/* a change elsewhere that touched this directory (a rename moving it) */
	fc_rset_dir_change(&r1, dir);
	fc_rset_dirs_done(&r1, &d3);
	assert_true(fc_dir_attr_cached(fs, dir, &a, &left));
	d4.attr[1] = d4.attr[0];
	d4.attr[0] = dir_reply(&fo, 2).attr[0];
	d4.n = 2;
	fc_rset_dir_change(&r2, other);
	fc_rset_dirs_done(&r2, &d4);
	assert_false(fc_dir_attr_cached(fs, dir, &a, &left));
	assert_true(fc_dir_attr_cached(fs, other, &a, &left));
	assert_int_equal(a.nlink, 2);

	/* attr_timeout=0: never */
	fs->opts.attr_timeout = 0;
	fc_rset_dir_change(&r1, dir);
	fc_rset_dirs_done(&r1, &d3);
	assert_false(fc_dir_attr_cached(fs, dir, &a, &left));

	fc_nodes_free(fs->nodes);
	free(fs);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(pieces_count1_merges_to_bulk_max),
    cmocka_unit_test(pieces_striped_one_per_object_extent),
    cmocka_unit_test(pieces_bad_geometry_fails),
    cmocka_unit_test(copy_extents_pair_chunks_of_both_layouts),
    cmocka_unit_test(copy_extents_merge_per_object_pair_up_to_max),
    cmocka_unit_test(opts_parse_values_and_generic),
    cmocka_unit_test(opts_parse_rejects_unknown),
    cmocka_unit_test(nodes_lookup_counts_free_at_zero),
    cmocka_unit_test(lov_file_layout_becomes_template),
    cmocka_unit_test(dirattr_trusted_only_without_overlap),
};

T_GROUP(fc, tests)
