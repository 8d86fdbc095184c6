/* SPDX-License-Identifier: Apache-2.0 */
#include "t_unit.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#include "oss/objpath.h"
#include "proto/opcodes.h"
#include "t_oss.h"

#define KIB 1024u
#define MIB (1024u * 1024u)

struct fx {
	struct t_ost t;
	uint8_t *buf, *got;
};

/* A formatted OST with objects 1..8 precreated, and two 4 MiB buffers. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint64_t last;

	t_ost_setup(&f->t, NULL);
	assert_int_equal(oss_obj_precreate(f->t.ost, 1, 8, &last), 0);
	f->buf = malloc(PROTO_BULK_MAX + 4096);
	f->got = malloc(PROTO_BULK_MAX + 4096);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	t_ost_teardown(&f->t, false);
	free(f->buf);
	free(f->got);
	free(f);
	return 0;
}

static void io_write_read_round_trip(void **state)
{
	struct fx *f = *state;

	t_pattern(f->buf, 3 * MIB + 17, 1, 4096 + 5);
	assert_int_equal(t_write(&f->t, 1, 4096 + 5, f->buf, 3 * MIB + 17, 0), 3 * MIB + 17);
	memset(f->got, 0, 3 * MIB + 17);
	assert_int_equal(t_read(&f->t, 1, 4096 + 5, f->got, 3 * MIB + 17), 3 * MIB + 17);
	assert_true(t_pattern_ok(f->got, 3 * MIB + 17, 1, 4096 + 5));
	/* the largest op */
	t_pattern(f->buf, PROTO_BULK_MAX, 2, 0);
	assert_int_equal(t_write(&f->t, 2, 0, f->buf, PROTO_BULK_MAX, OSS_REQ_SYNC),
			 (int)PROTO_BULK_MAX);
	assert_int_equal(t_read(&f->t, 2, 0, f->got, PROTO_BULK_MAX), (int)PROTO_BULK_MAX);
	assert_true(t_pattern_ok(f->got, PROTO_BULK_MAX, 2, 0));
	assert_int_equal(t_sync(&f->t, 2), 0);
}

static void io_vectored_round_trip(void **state)
{
	struct fx *f = *state;
	struct iovec w[3] = {{f->buf, 100}, {f->buf + 100, 5000}, {f->buf + 5100, 1}};
	struct iovec r[2] = {{f->got, 4000}, {f->got + 4000, 1101}};
	struct oss_req req;

	t_pattern(f->buf, 5101, 3, 999);
	oss_req_writev(&req, f->t.ost, 3, 999, w, 3, NULL, NULL);
	assert_int_equal(oss_submit_wait(f->t.eng, &req), 5101);
	oss_req_readv(&req, f->t.ost, 3, 999, r, 2, NULL, NULL);
	assert_int_equal(oss_submit_wait(f->t.eng, &req), 5101);
	assert_true(t_pattern_ok(f->got, 5101, 3, 999));
}

static void io_hole_reads_as_zeros(void **state)
{
	struct fx *f = *state;
	struct oss_obj_attr a;

	t_pattern(f->buf, 4096, 4, 0);
	assert_int_equal(t_write(&f->t, 1, 10 * MIB, f->buf, 4096, 0), 4096);
	memset(f->got, 0xee, MIB);
	assert_int_equal(t_read(&f->t, 1, 2 * MIB, f->got, MIB), (int)MIB);
	assert_true(t_zero(f->got, MIB));
	assert_int_equal(t_getattr(&f->t, 1, &a), 0);
	assert_int_equal(a.size, 10 * MIB + 4096);
	assert_true(a.blocks < 1024); /* sparse: far fewer than 10 MiB of blocks */
	assert_true(a.blocks >= 8);
	assert_true(a.mtime.sec > 0);
}

static void io_read_past_eof_is_short(void **state)
{
	struct fx *f = *state;

	t_pattern(f->buf, 10000, 5, 0);
	assert_int_equal(t_write(&f->t, 1, 0, f->buf, 10000, 0), 10000);
	memset(f->got, 0, 65536);
	assert_int_equal(t_read(&f->t, 1, 8192, f->got, 65536), 10000 - 8192);
	assert_true(t_pattern_ok(f->got, 10000 - 8192, 5, 8192));
	assert_int_equal(t_read(&f->t, 1, 10000, f->got, 100), 0);
	assert_int_equal(t_read(&f->t, 1, 1ULL << 45, f->got, 100), 0);
	assert_int_equal(t_read(&f->t, 1, 0, f->got, 0), 0);
}

static void io_punch_makes_range_a_hole(void **state)
{
	struct fx *f = *state;
	struct oss_obj_attr before, after;
	struct oss_req r;

	t_pattern(f->buf, 4 * MIB, 6, 0);
	assert_int_equal(t_write(&f->t, 1, 0, f->buf, 4 * MIB, 0), (int)(4 * MIB));
	assert_int_equal(t_getattr(&f->t, 1, &before), 0);
	oss_req_punch(&r, f->t.ost, 1, MIB, MIB, NULL, NULL);
	assert_int_equal(oss_submit_wait(f->t.eng, &r), 0);
	assert_int_equal(t_getattr(&f->t, 1, &after), 0);
	assert_int_equal(after.size, 4 * MIB); /* KEEP_SIZE */
	assert_true(after.blocks <= before.blocks - MIB / 512);
	assert_int_equal(t_read(&f->t, 1, 0, f->got, 4 * MIB), (int)(4 * MIB));
	assert_true(t_pattern_ok(f->got, MIB, 6, 0));
	assert_true(t_zero(f->got + MIB, MIB));
	assert_true(t_pattern_ok(f->got + 2 * MIB, 2 * MIB, 6, 2 * MIB));
	/* punching beyond the end changes nothing */
	assert_int_equal(
	    t_fallocate(&f->t, 1, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 8 * MIB, MIB), 0);
	assert_int_equal(t_getattr(&f->t, 1, &after), 0);
	assert_int_equal(after.size, 4 * MIB);
}

static void io_fallocate_modes(void **state)
{
	struct fx *f = *state;
	struct oss_obj_attr a;
	uint64_t before;

	/* mode 0 allocates and extends */
	assert_int_equal(t_fallocate(&f->t, 4, 0, 0, MIB), 0);
	assert_int_equal(t_getattr(&f->t, 4, &a), 0);
	assert_int_equal(a.size, MIB);
	assert_true(a.blocks >= MIB / 512);
	/* KEEP_SIZE allocates beyond the end without changing the size */
	assert_int_equal(t_fallocate(&f->t, 4, FALLOC_FL_KEEP_SIZE, MIB, MIB), 0);
	assert_int_equal(t_getattr(&f->t, 4, &a), 0);
	assert_int_equal(a.size, MIB);
	assert_true(a.blocks >= 2 * MIB / 512);
	/* allocated space reads as zeros */
	assert_int_equal(t_read(&f->t, 4, 0, f->got, MIB), (int)MIB);
	assert_true(t_zero(f->got, MIB));
	/* PUNCH_HOLE|KEEP_SIZE frees it (ext4 punches only up to the size) */
	before = a.blocks;
	assert_int_equal(
	    t_fallocate(&f->t, 4, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2 * MIB), 0);
	assert_int_equal(t_getattr(&f->t, 4, &a), 0);
	assert_int_equal(a.size, MIB);
	assert_true(a.blocks <= before - MIB / 512);
	/* anything else is refused before it reaches the disk */
	assert_int_equal(t_fallocate(&f->t, 4, FALLOC_FL_PUNCH_HOLE, 0, 4096), -EOPNOTSUPP);
	assert_int_equal(t_fallocate(&f->t, 4, FALLOC_FL_ZERO_RANGE, 0, 4096), -EOPNOTSUPP);
	assert_int_equal(t_fallocate(&f->t, 4, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), -EOPNOTSUPP);
	assert_int_equal(t_fallocate(&f->t, 4, 0, 0, 0), -EINVAL);
	/* and a missing object is -ENOENT, not created */
	assert_int_equal(t_fallocate(&f->t, 999, 0, 0, 4096), -ENOENT);
}

static void io_truncate_sets_size(void **state)
{
	struct fx *f = *state;
	struct oss_obj_attr a;

	t_pattern(f->buf, MIB, 7, 0);
	assert_int_equal(t_write(&f->t, 5, 0, f->buf, MIB, 0), (int)MIB);
	assert_int_equal(t_truncate(&f->t, 5, 1000), 0);
	assert_int_equal(t_getattr(&f->t, 5, &a), 0);
	assert_int_equal(a.size, 1000);
	assert_int_equal(t_read(&f->t, 5, 0, f->got, MIB), 1000);
	assert_true(t_pattern_ok(f->got, 1000, 7, 0));
	/* growing makes a hole */
	assert_int_equal(t_truncate(&f->t, 5, 5 * MIB), 0);
	assert_int_equal(t_getattr(&f->t, 5, &a), 0);
	assert_int_equal(a.size, 5 * MIB);
	assert_int_equal(t_read(&f->t, 5, 1000, f->got, MIB), (int)MIB);
	assert_true(t_zero(f->got, MIB));
	assert_int_equal(t_truncate(&f->t, 5, 0), 0);
	assert_int_equal(t_getattr(&f->t, 5, &a), 0);
	assert_int_equal(a.size, 0);
	assert_int_equal(t_truncate(&f->t, 999, 0), -ENOENT);
}

static void io_attr_flag_reports_size_after_change(void **state)
{
	struct fx *f = *state;
	struct oss_req r;

	t_pattern(f->buf, MIB, 8, 0);
	oss_req_write(&r, f->t.ost, 6, MIB, f->buf, MIB, NULL, NULL);
	r.flags |= OSS_REQ_ATTR;
	assert_int_equal(oss_submit_wait(f->t.eng, &r), (int)MIB);
	assert_int_equal(r.attr.size, 2 * MIB);
	assert_true(r.attr.blocks >= MIB / 512);
	oss_req_truncate(&r, f->t.ost, 6, 4096, NULL, NULL);
	r.flags |= OSS_REQ_ATTR;
	assert_int_equal(oss_submit_wait(f->t.eng, &r), 0);
	assert_int_equal(r.attr.size, 4096);
	oss_req_fallocate(&r, f->t.ost, 6, 0, 0, 3 * MIB, NULL, NULL);
	r.flags |= OSS_REQ_ATTR;
	assert_int_equal(oss_submit_wait(f->t.eng, &r), 0);
	assert_int_equal(r.attr.size, 3 * MIB);
}

static void io_write_to_missing_object_fails_enoent(void **state)
{
	struct fx *f = *state;
	struct oss_obj_attr a;

	t_pattern(f->buf, 4096, 8, 0);
	assert_int_equal(t_write(&f->t, 9, 0, f->buf, 4096, 0), -ENOENT);
	assert_int_equal(t_write(&f->t, 9, 0, f->buf, 0, 0), -ENOENT);
	assert_int_equal(t_read(&f->t, 9, 0, f->got, 4096), -ENOENT);
	assert_int_equal(t_getattr(&f->t, 9, &a), -ENOENT);
	assert_int_equal(oss_obj_getattr(f->t.ost, 9, &a), -ENOENT);
	assert_int_equal(t_sync(&f->t, 9), -ENOENT);
	/* and nothing was created */
	assert_int_equal(oss_obj_destroy(f->t.ost, 9), 0);
	assert_int_equal(t_write(&f->t, 9, 0, f->buf, 4096, 0), -ENOENT);
}

static void io_write_after_destroy_fails_enoent(void **state)
{
	struct fx *f = *state;
	struct oss_obj_attr a;

	t_pattern(f->buf, 4096, 9, 0);
	/* the object's fd is in the cache when it is destroyed */
	assert_int_equal(t_write(&f->t, 6, 0, f->buf, 4096, 0), 4096);
	assert_int_equal(oss_obj_destroy(f->t.ost, 6), 0);
	assert_int_equal(t_write(&f->t, 6, 0, f->buf, 4096, 0), -ENOENT);
	assert_int_equal(t_read(&f->t, 6, 0, f->got, 4096), -ENOENT);
	assert_int_equal(oss_obj_getattr(f->t.ost, 6, &a), -ENOENT);
	assert_int_equal(oss_obj_destroy(f->t.ost, 6), 0);
}

static void io_offsets_beyond_2_40_work(void **state)
{
	struct fx *f = *state;
	uint64_t off = (1ULL << 41) + 123;
	struct oss_obj_attr a;

	t_pattern(f->buf, 8192, 10, off);
	assert_int_equal(t_write(&f->t, 7, off, f->buf, 8192, 0), 8192);
	assert_int_equal(t_read(&f->t, 7, off, f->got, 8192), 8192);
	assert_true(t_pattern_ok(f->got, 8192, 10, off));
	assert_int_equal(t_getattr(&f->t, 7, &a), 0);
	assert_int_equal(a.size, off + 8192);
	assert_true(a.blocks < 1024);
	assert_int_equal(t_read(&f->t, 7, 1ULL << 40, f->got, 4096), 4096);
	assert_true(t_zero(f->got, 4096));
}

static void io_beyond_max_file_size_fails_efbig(void **state)
{
	struct fx *f = *state;
	struct statfs sf;
	struct oss_req r;

	memset(f->buf, 1, 4096);
	/* ranges beyond 2^63 - 1 are refused before the kernel sees them */
	assert_int_equal(t_write(&f->t, 1, INT64_MAX - 100, f->buf, 4096, 0), -EFBIG);
	assert_int_equal(t_write(&f->t, 1, UINT64_MAX - 10, f->buf, 4096, 0), -EFBIG);
	assert_int_equal(t_read(&f->t, 1, UINT64_MAX, f->got, 1), -EFBIG);
	assert_int_equal(t_fallocate(&f->t, 1, 0, INT64_MAX, 2), -EFBIG);
	assert_int_equal(t_truncate(&f->t, 1, (uint64_t)INT64_MAX + 1), -EFBIG);
	/* the local file system's own limit comes back as -EFBIG too */
	assert_int_equal(statfs(f->t.dir, &sf), 0);
	if (sf.f_type != 0xEF53) {
		print_message(
		    "# %s is not ext2/3/4 (max file size unknown): kernel EFBIG not checked\n",
		    f->t.dir);
		return;
	}
	assert_int_equal(t_write(&f->t, 1, 1ULL << 50, f->buf, 4096, 0), -EFBIG);
	oss_req_fallocate(&r, f->t.ost, 1, FALLOC_FL_KEEP_SIZE, 1ULL << 50, 4096, NULL, NULL);
	assert_int_equal(oss_submit_wait(f->t.eng, &r), -EFBIG);
	assert_int_equal(t_truncate(&f->t, 1, 1ULL << 50), -EFBIG);
	/* a write straddling the limit: the part below may land, the op fails */
	assert_int_equal(t_write(&f->t, 1, (16ULL << 40) - 8192, f->buf, 3 * 4096, 0), -EFBIG);
}

static void io_bad_requests_fail_einval(void **state)
{
	struct fx *f = *state;
	struct iovec iov[OSS_IOV_MAX + 1];
	struct oss_req r;

	assert_int_equal(t_write(&f->t, 1, 0, f->buf, PROTO_BULK_MAX + 1, 0), -EINVAL);
	assert_int_equal(t_read(&f->t, 1, 0, f->got, PROTO_BULK_MAX + 1), -EINVAL);
	assert_int_equal(t_write(&f->t, 0, 0, f->buf, 1, 0), -EINVAL);
	for (int i = 0; i <= OSS_IOV_MAX; i++) {
		iov[i].iov_base = f->buf;
		iov[i].iov_len = 1;
	}
	oss_req_writev(&r, f->t.ost, 1, 0, iov, OSS_IOV_MAX + 1, NULL, NULL);
	assert_int_equal(oss_submit_wait(f->t.eng, &r), -EINVAL);
	oss_req_writev(&r, f->t.ost, 1, 0, iov, 0, NULL, NULL);
	assert_int_equal(oss_submit_wait(f->t.eng, &r), -EINVAL);
	/* segments that together exceed the limit */
	iov[0].iov_len = PROTO_BULK_MAX;
	oss_req_writev(&r, f->t.ost, 1, 0, iov, 2, NULL, NULL);
	assert_int_equal(oss_submit_wait(f->t.eng, &r), -EINVAL);
	oss_req_write(&r, f->t.ost, 1, 0, f->buf, 1, NULL, NULL);
	r.flags = 1u << 30;
	assert_int_equal(oss_submit_wait(f->t.eng, &r), -EINVAL);
}

static void io_write_records_parent_fid_once(void **state)
{
	struct fx *f = *state;
	struct proto_fid fid = {.seq = 0x200000400ULL, .oid = 0x42, .ver = 0}, other = fid;
	char rel[OSS_OBJPATH_MAX], path[256];
	uint8_t x[32], key[PROTO_FID_KEYLEN];
	struct oss_req r;

	snprintf(path, sizeof(path), "%s/O/%s", f->t.dir, oss_objpath(8, rel));
	assert_true(getxattr(path, "user.stria.fid", x, sizeof(x)) < 0);
	oss_req_write(&r, f->t.ost, 8, 0, f->buf, 4096, NULL, NULL);
	oss_req_set_fid(&r, &fid, 3);
	assert_int_equal(oss_submit_wait(f->t.eng, &r), 4096);
	assert_int_equal(getxattr(path, "user.stria.fid", x, sizeof(x)), 20);
	proto_fid_to_key(&fid, key);
	assert_memory_equal(x, key, PROTO_FID_KEYLEN);
	assert_int_equal(x[19], 3);
	/* later writes do not rewrite it */
	other.oid = 0x43;
	oss_req_write(&r, f->t.ost, 8, 4096, f->buf, 4096, NULL, NULL);
	oss_req_set_fid(&r, &other, 4);
	assert_int_equal(oss_submit_wait(f->t.eng, &r), 4096);
	assert_int_equal(getxattr(path, "user.stria.fid", x, sizeof(x)), 20);
	assert_memory_equal(x, key, PROTO_FID_KEYLEN);
}

static void io_sync_and_syncfs_succeed(void **state)
{
	struct fx *f = *state;
	struct oss_req r;

	t_pattern(f->buf, 65536, 11, 0);
	assert_int_equal(t_write(&f->t, 2, 0, f->buf, 65536, 0), 65536);
	oss_req_sync(&r, f->t.ost, 2, true, NULL, NULL);
	assert_int_equal(oss_submit_wait(f->t.eng, &r), 0);
	oss_req_syncfs(&r, f->t.ost, NULL, NULL);
	assert_int_equal(oss_submit_wait(f->t.eng, &r), 0);
}

static void io_direct_aligned_and_unaligned(void **state)
{
	struct oss_ost_options o;
	struct t_ost t;
	uint8_t *buf = NULL, *got = NULL;
	uint64_t last;

	oss_ost_options_init(&o);
	o.direct = true;
	t_ost_setup(&t, &o);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 2, &last), 0);
	assert_int_equal(posix_memalign((void **)&buf, 4096, 2 * MIB), 0);
	assert_int_equal(posix_memalign((void **)&got, 4096, 2 * MIB), 0);
	t_pattern(buf, 2 * MIB, 12, 0);
	/* aligned: O_DIRECT fd */
	assert_int_equal(t_write(&t, 1, 0, buf, MIB, 0), (int)MIB);
	assert_int_equal(t_read(&t, 1, 0, got, MIB), (int)MIB);
	assert_true(t_pattern_ok(got, MIB, 12, 0));
	assert_int_equal(oss_ost_cached_fds(t.ost), 1);
	/* unaligned: buffered fd of the same object, coherent with the direct one */
	assert_int_equal(t_write(&t, 1, MIB, buf + MIB, 1000, 0), 1000);
	assert_int_equal(oss_ost_cached_fds(t.ost), 2);
	assert_int_equal(t_read(&t, 1, 0, got, 2 * MIB), (int)(MIB + 1000));
	assert_true(t_pattern_ok(got, MIB + 1000, 12, 0));
	/* an aligned read across an unaligned end of object is short, not an error */
	assert_int_equal(t_read(&t, 1, MIB, got, 8192), 1000);
	assert_true(t_pattern_ok(got, 1000, 12, MIB));
	free(buf);
	free(got);
	t_ost_teardown(&t, false);
}

/*
 * Only requests of at least direct_min bytes bypass the page cache: with the
 * default, a 64 KiB aligned write takes the buffered fd and a 1 MiB one then
 * opens the O_DIRECT fd beside it; with direct_min 0 both share the O_DIRECT
 * fd.  Either way the data reads back whole.
 */
static void io_direct_only_from_direct_min(void **state)
{
	static const uint32_t mins[] = {OSS_DIRECT_MIN_DEFAULT, 0};
	uint8_t *buf = NULL, *got = NULL;

	assert_int_equal(posix_memalign((void **)&buf, 4096, 2 * MIB), 0);
	assert_int_equal(posix_memalign((void **)&got, 4096, 2 * MIB), 0);
	for (size_t i = 0; i < sizeof(mins) / sizeof(mins[0]); i++) {
		struct oss_ost_options o;
		struct t_ost t;
		uint64_t last;

		oss_ost_options_init(&o);
		assert_int_equal(o.direct_min, OSS_DIRECT_MIN_DEFAULT);
		o.direct = true;
		o.direct_min = mins[i];
		t_ost_setup(&t, &o);
		assert_int_equal(oss_obj_precreate(t.ost, 1, 1, &last), 0);
		t_pattern(buf, 2 * MIB, 13 + i, 0);
		assert_int_equal(t_write(&t, 1, 0, buf, 65536, 0), 65536);
		assert_int_equal(oss_ost_cached_fds(t.ost), 1);
		assert_int_equal(t_write(&t, 1, MIB, buf + MIB, MIB, 0), (int)MIB);
		assert_int_equal(oss_ost_cached_fds(t.ost), mins[i] ? 2 : 1);
		assert_int_equal(t_write(&t, 1, 65536, buf + 65536, MIB - 65536, 0),
				 (int)(MIB - 65536));
		assert_int_equal(t_read(&t, 1, 0, got, 2 * MIB), (int)(2 * MIB));
		assert_true(t_pattern_ok(got, 2 * MIB, 13 + i, 0));
		t_ost_teardown(&t, false);
	}
	free(buf);
	free(got);
	(void)state;
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(io_write_read_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown(io_vectored_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown(io_hole_reads_as_zeros, setup, teardown),
    cmocka_unit_test_setup_teardown(io_read_past_eof_is_short, setup, teardown),
    cmocka_unit_test_setup_teardown(io_punch_makes_range_a_hole, setup, teardown),
    cmocka_unit_test_setup_teardown(io_fallocate_modes, setup, teardown),
    cmocka_unit_test_setup_teardown(io_truncate_sets_size, setup, teardown),
    cmocka_unit_test_setup_teardown(io_attr_flag_reports_size_after_change, setup, teardown),
    cmocka_unit_test_setup_teardown(io_write_to_missing_object_fails_enoent, setup, teardown),
    cmocka_unit_test_setup_teardown(io_write_after_destroy_fails_enoent, setup, teardown),
    cmocka_unit_test_setup_teardown(io_offsets_beyond_2_40_work, setup, teardown),
    cmocka_unit_test_setup_teardown(io_beyond_max_file_size_fails_efbig, setup, teardown),
    cmocka_unit_test_setup_teardown(io_bad_requests_fail_einval, setup, teardown),
    cmocka_unit_test_setup_teardown(io_write_records_parent_fid_once, setup, teardown),
    cmocka_unit_test_setup_teardown(io_sync_and_syncfs_succeed, setup, teardown),
    cmocka_unit_test(io_direct_aligned_and_unaligned),
    cmocka_unit_test(io_direct_only_from_direct_min),
};
T_GROUP(io, tests)
