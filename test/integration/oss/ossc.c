/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ossc: drives a real stria-oss over RPC for the integration tests.
 *
 *   ossc suite ADDR PORT IDX          every OST operation and its errors
 *   ossc check ADDR PORT IDX OBJ LEN  OBJ's first LEN bytes hold its pattern
 *   ossc writer ADDR PORT IDX OBJ LOG write a pattern, OST_SYNC every 16
 *                                     writes, append each synced length to LOG
 *   ossc verify DIR IDX OBJ LOG       read OBJ from the OST in DIR (offline)
 *                                     and check every synced byte
 *   ossc write-unsynced ADDR PORT IDX OBJ STATE
 *                                     write without syncing, save the boot
 *                                     instance that acknowledged it in STATE
 *   ossc fsync-after ADDR PORT IDX OBJ STATE
 *                                     sync OBJ as a client's fsync does: -EIO
 *                                     if the boot instance changed since the
 *                                     acknowledged write (exit 0 if it saw EIO)
 *
 * Exit status 0 = pass, 1 = fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "net/net.h"
#include "oss/oss.h"
#include "proto/proto.h"

#define MIB		 (1024u * 1024u)
#define EXT4_SUPER_MAGIC 0xEF53

static int failures;
static uint32_t ost_idx;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, "\n");                                                     \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void pattern(uint8_t *p, size_t len, uint64_t obj, uint64_t off)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t x = (obj * 0x9E3779B97F4A7C15ULL) ^ ((off + i) >> 3);

		x *= 0xBF58476D1CE4E5B9ULL;
		p[i] = (uint8_t)(x >> (8 * ((off + i) & 7)));
	}
}

/* ---- connections ---- */

static struct net_loop *loop;

static struct net_client *connect_as(const char *addr, unsigned port, uint32_t role)
{
	struct net_client_cfg cfg = {.name = "OST",
				     .fsname = "testfs",
				     .nnids = 1,
				     .port = (uint16_t)port,
				     .role = role,
				     .timeout_ms = 10000,
				     .reconnect_max_ms = 200};
	struct net_client *cl;

	cfg.nids[0].lnd = PROTO_LND_TCP;
	snprintf(cfg.nids[0].addr, sizeof(cfg.nids[0].addr), "%s", addr);
	net_uuid_generate(cfg.uuid);
	if (!loop) {
		if (net_loop_new(&loop) || net_loop_start(loop, "ossc")) {
			fprintf(stderr, "ossc: cannot start the event loop\n");
			exit(1);
		}
	}
	if (net_client_new(loop, &cfg, &cl)) {
		fprintf(stderr, "ossc: cannot create the client\n");
		exit(1);
	}
	return cl;
}

/* One call; decodes nothing. On return *out holds the request (free it). */
static int call(struct net_client *cl, struct net_req *r)
{
	return net_call(cl, r);
}

/* Calls @r, whose reply is a write reply, into @rep and @boot (may be NULL); frees @r. */
static int call_write_rep(struct net_client *cl, struct net_req *r, struct proto_ost_write_rep *rep,
			  uint64_t *boot)
{
	struct proto_cur c;
	int err = call(cl, r);

	if (!err && rep) {
		net_req_reply(r, &c);
		err = proto_ost_write_rep_dec(&c, rep);
	}
	if (boot)
		*boot = net_req_rep_pre(r)->boot_instance;
	net_req_free(r);
	return err;
}

static int do_write(struct net_client *cl, uint64_t obj, uint64_t off, const void *buf,
		    uint32_t len, uint32_t flags, struct proto_ost_write_rep *rep, uint64_t *boot)
{
	struct proto_ost_io_req m = {.ost_idx = ost_idx,
				     .objid = obj,
				     .offset = off,
				     .length = len,
				     .flags = flags,
				     .parent = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 7},
				     .bulk = {.kind = PROTO_BULK_INLINE, .len = len}};
	struct net_req *r = net_req_new(PROTO_OP_OST_WRITE, NULL);
	struct iovec iov = {(void *)buf, len};

	proto_ost_io_req_enc(net_req_body(r), &m);
	net_req_set_bulk_out(r, &iov, 1);
	return call_write_rep(cl, r, rep, boot);
}

static int do_copy(struct net_client *cl, uint32_t src_idx, uint64_t src, uint64_t src_off,
		   uint64_t dst, uint64_t dst_off, uint32_t len, struct proto_ost_write_rep *rep,
		   uint64_t *boot)
{
	struct proto_ost_copy_req m = {.src_ost_idx = src_idx,
				       .src_objid = src,
				       .src_offset = src_off,
				       .ost_idx = ost_idx,
				       .objid = dst,
				       .parent = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 8},
				       .offset = dst_off,
				       .length = len};
	struct net_req *r = net_req_new(PROTO_OP_OST_COPY, NULL);

	proto_ost_copy_req_enc(net_req_body(r), &m);
	return call_write_rep(cl, r, rep, boot);
}

static int do_read(struct net_client *cl, uint64_t obj, uint64_t off, void *buf, uint32_t len,
		   uint32_t *nread)
{
	struct proto_ost_io_req m = {.ost_idx = ost_idx,
				     .objid = obj,
				     .offset = off,
				     .length = len,
				     .bulk = {.kind = PROTO_BULK_INLINE, .len = len}};
	struct net_req *r = net_req_new(PROTO_OP_OST_READ, NULL);
	struct proto_ost_read_rep rep;
	struct proto_cur c;
	int err;

	proto_ost_io_req_enc(net_req_body(r), &m);
	net_req_set_bulk_in(r, buf, len);
	err = call(cl, r);
	if (!err) {
		net_req_reply(r, &c);
		err = proto_ost_read_rep_dec(&c, &rep);
		if (!err && rep.nread != net_req_bulk_in_len(r))
			err = -EPROTO;
		*nread = rep.nread;
	}
	net_req_free(r);
	return err;
}

static int do_punch(struct net_client *cl, uint64_t obj, uint64_t start, uint64_t end,
		    struct proto_ost_size_rep *rep)
{
	struct proto_ost_punch_req m = {
	    .ost_idx = ost_idx, .objid = obj, .start = start, .end = end};
	struct net_req *r = net_req_new(PROTO_OP_OST_PUNCH, NULL);
	struct proto_cur c;
	int err;

	proto_ost_punch_req_enc(net_req_body(r), &m);
	err = call(cl, r);
	if (!err) {
		net_req_reply(r, &c);
		err = proto_ost_size_rep_dec(&c, rep);
	}
	net_req_free(r);
	return err;
}

static int do_falloc(struct net_client *cl, uint64_t obj, uint32_t mode, uint64_t off, uint64_t len,
		     struct proto_ost_size_rep *rep)
{
	struct proto_ost_falloc_req m = {
	    .ost_idx = ost_idx, .objid = obj, .mode = mode, .offset = off, .length = len};
	struct net_req *r = net_req_new(PROTO_OP_OST_FALLOCATE, NULL);
	struct proto_cur c;
	int err;

	proto_ost_falloc_req_enc(net_req_body(r), &m);
	err = call(cl, r);
	if (!err) {
		net_req_reply(r, &c);
		err = proto_ost_size_rep_dec(&c, rep);
	}
	net_req_free(r);
	return err;
}

static int do_getattr(struct net_client *cl, uint64_t obj, struct proto_ost_getattr_rep *rep)
{
	struct proto_ost_obj_req m = {.ost_idx = ost_idx, .objid = obj};
	struct net_req *r = net_req_new(PROTO_OP_OST_GETATTR, NULL);
	struct proto_cur c;
	int err;

	proto_ost_obj_req_enc(net_req_body(r), &m);
	err = call(cl, r);
	if (!err) {
		net_req_reply(r, &c);
		err = proto_ost_getattr_rep_dec(&c, rep);
	}
	net_req_free(r);
	return err;
}

static int do_sync(struct net_client *cl, uint64_t obj, uint64_t *boot)
{
	struct proto_ost_sync_req m = {.ost_idx = ost_idx, .objid = obj, .end = UINT64_MAX};
	struct net_req *r = net_req_new(PROTO_OP_OST_SYNC, NULL);
	int err;

	proto_ost_sync_req_enc(net_req_body(r), &m);
	err = call(cl, r);
	if (boot)
		*boot = net_req_rep_pre(r)->boot_instance;
	net_req_free(r);
	return err;
}

static int do_precreate(struct net_client *cl, uint64_t first, uint32_t count, uint64_t *last)
{
	struct proto_ost_precreate_req m = {.ost_idx = ost_idx, .first_id = first, .count = count};
	struct net_req *r = net_req_new(PROTO_OP_OST_PRECREATE, NULL);
	struct proto_ost_precreate_rep rep = {0};
	struct proto_cur c;
	int err;

	proto_ost_precreate_req_enc(net_req_body(r), &m);
	err = call(cl, r);
	if (!err) {
		net_req_reply(r, &c);
		err = proto_ost_precreate_rep_dec(&c, &rep);
		*last = rep.last_id;
	}
	net_req_free(r);
	return err;
}

static int do_orphan(struct net_client *cl, uint64_t last, struct proto_ost_orphan_rep *rep)
{
	struct proto_ost_orphan_req m = {.ost_idx = ost_idx, .last_id = last};
	struct net_req *r = net_req_new(PROTO_OP_OST_ORPHAN_CLEANUP, NULL);
	struct proto_cur c;
	int err;

	proto_ost_orphan_req_enc(net_req_body(r), &m);
	err = call(cl, r);
	if (!err) {
		net_req_reply(r, &c);
		err = proto_ost_orphan_rep_dec(&c, rep);
	}
	net_req_free(r);
	return err;
}

static int do_destroy(struct net_client *cl, uint64_t obj)
{
	struct proto_ost_destroy_req *m = calloc(1, sizeof(*m));
	struct net_req *r = net_req_new(PROTO_OP_OST_DESTROY, NULL);
	int err;

	m->ost_idx = ost_idx;
	m->count = 1;
	m->objids[0] = obj;
	proto_ost_destroy_req_enc(net_req_body(r), m);
	err = call(cl, r);
	net_req_free(r);
	free(m);
	return err;
}

static int do_statfs(struct net_client *cl, uint32_t idx, struct proto_statfs *out)
{
	struct proto_ost_statfs_req m = {.ost_idx = idx};
	struct net_req *r = net_req_new(PROTO_OP_OST_STATFS, NULL);
	struct proto_ost_statfs_rep rep;
	struct proto_cur c;
	int err;

	proto_ost_statfs_req_enc(net_req_body(r), &m);
	err = call(cl, r);
	if (!err) {
		net_req_reply(r, &c);
		err = proto_ost_statfs_rep_dec(&c, &rep);
		*out = rep.sfs;
	}
	net_req_free(r);
	return err;
}

/* ---- the suite ---- */

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int suite(const char *addr, unsigned port, const char *ostdir)
{
	struct net_client *mds = connect_as(addr, port, PROTO_ROLE_MDS);
	struct net_client *cl = connect_as(addr, port, PROTO_ROLE_CLIENT);
	uint8_t *buf = malloc(MIB), *got = malloc(MIB);
	struct proto_ost_write_rep wr;
	struct proto_ost_size_rep sr;
	struct proto_ost_getattr_rep ga;
	struct proto_ost_orphan_rep orep;
	struct proto_statfs sfs;
	uint64_t last = 0, boot1 = 0, boot2 = 0;
	uint32_t n = 0;
	int err;

	/* statfs, and an unknown OST index */
	CHECK(do_statfs(cl, ost_idx, &sfs) == 0 && sfs.blocks > 0 && sfs.files > 0, "statfs");
	CHECK(do_statfs(cl, ost_idx + 77, &sfs) == -ENODEV, "unknown index");

	/* object management is the MDS's */
	CHECK(do_precreate(cl, 1, 10, &last) == -EPERM, "precreate as a client");
	err = do_precreate(mds, 1, 100, &last);
	CHECK(err == 0 && last == 100, "precreate 1..100: %d, last %llu", err,
	      (unsigned long long)last);

	/* write, read back, boot instance on every reply */
	pattern(buf, MIB, 1, 0);
	err = do_write(cl, 1, 0, buf, MIB, 0, &wr, &boot1);
	CHECK(err == 0 && wr.nwritten == MIB && wr.size == MIB && wr.blocks >= 2048,
	      "write 1 MiB: %d size %llu blocks %llu", err, (unsigned long long)wr.size,
	      (unsigned long long)wr.blocks);
	CHECK(boot1 != 0, "boot instance in the reply");
	err = do_read(cl, 1, 0, got, MIB, &n);
	CHECK(err == 0 && n == MIB && memcmp(got, buf, MIB) == 0, "read back: %d %u", err, n);
	CHECK(do_sync(cl, 1, &boot2) == 0 && boot2 == boot1, "sync; same boot instance");

	/* never resurrect */
	CHECK(do_write(cl, 5000, 0, buf, 4096, 0, NULL, NULL) == -ENOENT, "write to missing");

	/* a precreated object nothing was written to is empty, until its first write */
	CHECK(do_getattr(cl, 10, &ga) == 0 && ga.size == 0 && ga.blocks == 0,
	      "getattr of an unwritten object");
	CHECK(do_read(cl, 10, 0, got, 4096, &n) == 0 && n == 0, "read of an unwritten object");
	CHECK(do_sync(cl, 10, NULL) == 0, "sync of an unwritten object");
	CHECK(do_punch(cl, 10, 0, UINT64_MAX, &sr) == 0 && sr.size == 0,
	      "truncate of an unwritten object to 0");
	CHECK(do_destroy(mds, 11) == 0, "destroy an unwritten object");
	CHECK(do_write(cl, 11, 0, buf, 4096, 0, NULL, NULL) == -ENOENT &&
		  do_getattr(cl, 11, &ga) == -ENOENT &&
		  do_read(cl, 11, 0, got, 4096, &n) == -ENOENT,
	      "an unwritten object, destroyed, stays destroyed");

	/* holes and short reads */
	CHECK(do_write(cl, 2, MIB, buf, 4096, 0, &wr, NULL) == 0 && wr.size == MIB + 4096,
	      "write at 1 MiB");
	CHECK(do_read(cl, 2, 0, got, 65536, &n) == 0 && n == 65536 && all_zero(got, 65536),
	      "hole reads as zeros");
	CHECK(do_read(cl, 2, MIB + 4096 - 100, got, 4096, &n) == 0 && n == 100,
	      "short read past the end: %u", n);
	CHECK(do_read(cl, 2, 10 * MIB, got, 4096, &n) == 0 && n == 0, "read far past the end");

	/* punch a range, then truncate */
	CHECK(do_punch(cl, 1, 4096, 8192, &sr) == 0 && sr.size == MIB, "punch keeps the size");
	CHECK(do_read(cl, 1, 0, got, 16384, &n) == 0 && memcmp(got, buf, 4096) == 0 &&
		  all_zero(got + 4096, 4096) && memcmp(got + 8192, buf + 8192, 8192) == 0,
	      "punched range reads as zeros, the rest intact");
	CHECK(do_punch(cl, 1, 10000, UINT64_MAX, &sr) == 0 && sr.size == 10000, "truncate");
	CHECK(do_punch(cl, 1, 9000, 100, &sr) == -EPROTO, "punch end before start is malformed");
	CHECK(do_punch(cl, 4999, 0, UINT64_MAX, &sr) == -ENOENT, "truncate a missing object");

	/* fallocate modes */
	CHECK(do_falloc(cl, 3, 0, 0, MIB, &sr) == 0 && sr.size == MIB && sr.blocks >= 2048,
	      "fallocate mode 0 extends");
	CHECK(do_falloc(cl, 3, FALLOC_FL_KEEP_SIZE, MIB, MIB, &sr) == 0 && sr.size == MIB &&
		  sr.blocks >= 4096,
	      "fallocate KEEP_SIZE allocates without extending");
	CHECK(do_falloc(cl, 3, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, MIB, &sr) == 0 &&
		  sr.size == MIB,
	      "fallocate PUNCH_HOLE");
	CHECK(do_falloc(cl, 3, FALLOC_FL_COLLAPSE_RANGE, 0, 65536, &sr) == -EOPNOTSUPP,
	      "other fallocate modes are refused");
	CHECK(do_getattr(cl, 3, &ga) == 0 && ga.size == MIB && ga.mtime.sec > 0, "getattr");
	CHECK(do_getattr(cl, 4998, &ga) == -ENOENT, "getattr of a missing object");

	/* destroy: idempotent, and final */
	CHECK(do_destroy(cl, 3) == -EPERM, "destroy as a client");
	CHECK(do_destroy(mds, 3) == 0 && do_destroy(mds, 3) == 0, "destroy twice");
	CHECK(do_write(cl, 3, 0, buf, 4096, 0, NULL, NULL) == -ENOENT, "write after destroy");

	/*
	 * copy inside the OSS: 3 MiB (several rounds of its buffer) from byte 100
	 * of a 1 MiB object: its data, then zeros past its end; the reply is a
	 * write reply with the boot instance
	 */
	pattern(buf, MIB, 6, 0);
	CHECK(do_write(cl, 6, 0, buf, MIB, 0, NULL, NULL) == 0, "write the copy source");
	err = do_copy(cl, ost_idx, 6, 100, 7, 5, 3 * MIB, &wr, &boot2);
	CHECK(err == 0 && wr.nwritten == 3 * MIB && wr.size == 5 + 3 * MIB && boot2 == boot1,
	      "copy 3 MiB: %d nwritten %u size %llu", err, wr.nwritten,
	      (unsigned long long)wr.size);
	CHECK(do_read(cl, 7, 5, got, MIB - 100, &n) == 0 && n == MIB - 100 &&
		  memcmp(got, buf + 100, MIB - 100) == 0,
	      "copied bytes read back");
	for (uint32_t k = 0; k < 2; k++)
		CHECK(do_read(cl, 7, 5 + MIB - 100 + k * MIB, got, MIB, &n) == 0 && n == MIB &&
			  all_zero(got, MIB),
		      "bytes past the source's end copied as zeros (%u)", k);
	CHECK(do_copy(cl, ost_idx, 6, 0, 5000, 0, 4096, NULL, NULL) == -ENOENT,
	      "copy to a missing object");
	CHECK(do_copy(cl, ost_idx + 77, 6, 0, 7, 0, 4096, NULL, NULL) == -ENODEV,
	      "copy from an OST this OSS does not serve");
	CHECK(do_copy(cl, ost_idx, 6, 0, 7, 0, PROTO_OST_COPY_MAX + 1, NULL, NULL) == -EPROTO,
	      "copy longer than the cap is malformed");

	/* orphan cleanup: the MDS assigned up to 50; two objects above were written */
	CHECK(do_write(cl, 60, 0, buf, 4096, 0, NULL, NULL) == 0 &&
		  do_write(cl, 99, 0, buf, 4096, 0, NULL, NULL) == 0,
	      "write objects above the last assigned");
	err = do_orphan(mds, 50, &orep);
	CHECK(err == 0 && orep.last_id == 100 && orep.destroyed == 2,
	      "orphan cleanup: %d last %llu destroyed %llu", err, (unsigned long long)orep.last_id,
	      (unsigned long long)orep.destroyed);
	CHECK(do_write(cl, 60, 0, buf, 4096, 0, NULL, NULL) == -ENOENT &&
		  do_write(cl, 70, 0, buf, 4096, 0, NULL, NULL) == -ENOENT,
	      "orphans destroyed, written or not");
	pattern(buf, 4096, 40, 0);
	CHECK(do_write(cl, 40, 0, buf, 4096, 0, NULL, NULL) == 0, "assigned object kept");

	/* large offsets, and the local file system's limit */
	pattern(buf, 65536, 4, 1ULL << 41);
	CHECK(do_write(cl, 4, 1ULL << 41, buf, 65536, PROTO_OST_F_SYNC, &wr, NULL) == 0 &&
		  wr.size == (1ULL << 41) + 65536,
	      "write beyond 2^40 (synced)");
	CHECK(do_read(cl, 4, 1ULL << 41, got, 65536, &n) == 0 && n == 65536 &&
		  memcmp(got, buf, 65536) == 0,
	      "read beyond 2^40");
	{
		struct statfs fs;

		if (ostdir && statfs(ostdir, &fs) == 0 && fs.f_type == EXT4_SUPER_MAGIC) {
			err = do_write(cl, 4, 1ULL << 44, buf, 4096, 0, NULL, NULL);
			CHECK(err == -EFBIG, "ext4's 16 TiB limit: %d", err);
		}
	}

	/* a whole-target sync */
	CHECK(do_sync(cl, 0, NULL) == 0, "sync the target");

	/* malformed bodies and foreign FIDs */
	{
		struct net_req *r = net_req_new(PROTO_OP_OST_GETATTR, NULL);

		proto_put_u32(net_req_body(r), ost_idx); /* objid missing */
		CHECK(call(cl, r) == -EPROTO, "truncated body");
		net_req_free(r);
	}
	{
		struct proto_ost_io_req m = {.ost_idx = ost_idx,
					     .objid = 40,
					     .length = 16,
					     .parent = {.seq = 5, .oid = 1},
					     .bulk = {.kind = PROTO_BULK_INLINE, .len = 16}};
		struct net_req *r = net_req_new(PROTO_OP_OST_WRITE, NULL);
		struct iovec iov = {buf, 16};

		proto_ost_io_req_enc(net_req_body(r), &m);
		net_req_set_bulk_out(r, &iov, 1);
		CHECK(call(cl, r) == -EINVAL, "a FID no stria MDS hands out");
		net_req_free(r);
	}
	{
		struct proto_ost_io_req m = {.ost_idx = ost_idx,
					     .objid = 40,
					     .length = 32,
					     .bulk = {.kind = PROTO_BULK_INLINE, .len = 32}};
		struct net_req *r = net_req_new(PROTO_OP_OST_WRITE, NULL);
		struct iovec iov = {buf, 16};

		proto_ost_io_req_enc(net_req_body(r), &m);
		net_req_set_bulk_out(r, &iov, 1);
		CHECK(call(cl, r) == -EPROTO, "bulk shorter than the length");
		net_req_free(r);
	}
	free(buf);
	free(got);
	net_client_free(cl);
	net_client_free(mds);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
	return failures ? 1 : 0;
}

/* Reads the first @len bytes of @obj and compares them with its pattern. */
static int check(const char *addr, unsigned port, uint64_t obj, uint32_t len)
{
	struct net_client *cl = connect_as(addr, port, PROTO_ROLE_CLIENT);
	uint8_t *got = malloc(len), *want = malloc(len);
	uint32_t n = 0;
	int err = do_read(cl, obj, 0, got, len, &n);
	int rc = 0;

	pattern(want, len, obj, 0);
	if (err || n != len || memcmp(got, want, len) != 0) {
		fprintf(stderr, "check: object %llu: %s\n", (unsigned long long)obj,
			err ? strerror(-err) : "data differs");
		rc = 1;
	}
	free(got);
	free(want);
	net_client_free(cl);
	return rc;
}

/* ---- power loss ---- */

#define CHUNK 65536u

static int writer(const char *addr, unsigned port, uint64_t obj, const char *logpath)
{
	struct net_client *cl = connect_as(addr, port, PROTO_ROLE_CLIENT);
	uint8_t *buf = malloc(CHUNK);
	FILE *log = fopen(logpath, "a");
	uint64_t off = 0;

	if (!log)
		return 1;
	for (;;) {
		for (int i = 0; i < 16; i++, off += CHUNK) {
			pattern(buf, CHUNK, obj, off);
			if (do_write(cl, obj, off, buf, CHUNK, 0, NULL, NULL) != 0)
				return 1;
		}
		if (do_sync(cl, obj, NULL) != 0)
			return 1;
		/* Only now is [0, off) acknowledged as durable. */
		fprintf(log, "%llu\n", (unsigned long long)off);
		fflush(log);
		fsync(fileno(log));
	}
}

static int verify(const char *dir, uint64_t obj, const char *logpath)
{
	struct oss_ost_options o;
	struct oss_engine_options eo;
	struct oss_engine *e;
	struct oss_ost *ost;
	uint8_t *buf = malloc(CHUNK), *want = malloc(CHUNK);
	unsigned long long synced = 0, v;
	FILE *log = fopen(logpath, "r");
	bool bad = false;
	int err;

	if (!log)
		return 1;
	while (fscanf(log, "%llu", &v) == 1)
		synced = v;
	fclose(log);
	oss_ost_options_init(&o);
	oss_engine_options_init(&eo);
	err = oss_ost_open(dir, &o, &ost);
	if (!err)
		err = oss_engine_start(&eo, &e);
	if (err) {
		fprintf(stderr, "verify: cannot open the OST copy in %s: %s\n", dir,
			strerror(-err));
		return 1;
	}
	for (uint64_t off = 0; off < synced && !bad; off += CHUNK) {
		struct oss_req r;

		oss_req_read(&r, ost, obj, off, buf, CHUNK, NULL, NULL);
		err = oss_submit_wait(e, &r);
		pattern(want, CHUNK, obj, off);
		if (err != CHUNK || memcmp(buf, want, CHUNK) != 0) {
			fprintf(stderr, "verify: object %llu at %llu: %s (synced up to %llu)\n",
				(unsigned long long)obj, (unsigned long long)off,
				err < 0 ? strerror(-err) : "data differs",
				(unsigned long long)synced);
			bad = true;
		}
	}
	if (!bad)
		printf("verify: object %llu: all %llu synced bytes intact\n",
		       (unsigned long long)obj, synced);
	oss_engine_stop(e);
	oss_ost_close(ost);
	free(buf);
	free(want);
	return synced > 0 && !bad ? 0 : 1;
}

/* ---- the fsync rule across a restart ---- */

static int write_unsynced(const char *addr, unsigned port, uint64_t obj, const char *state)
{
	struct net_client *cl = connect_as(addr, port, PROTO_ROLE_CLIENT);
	uint8_t buf[4096];
	uint64_t boot = 0;
	FILE *f;

	pattern(buf, sizeof(buf), obj, 0);
	if (do_write(cl, obj, 0, buf, sizeof(buf), 0, NULL, &boot) != 0)
		return 1;
	f = fopen(state, "w");
	if (!f)
		return 1;
	fprintf(f, "%llu\n", (unsigned long long)boot);
	fclose(f);
	net_client_free(cl);
	return 0;
}

/*
 * The client's rule (the FUSE client does the same): an fsync is good only if
 * every object it syncs answered with the boot instance that acknowledged the
 * writes; otherwise those writes may have died in the crashed server's page
 * cache and the fsync reports -EIO.
 */
static int fsync_after(const char *addr, unsigned port, uint64_t obj, const char *state)
{
	struct net_client *cl = connect_as(addr, port, PROTO_ROLE_CLIENT);
	unsigned long long acked = 0;
	uint64_t boot = 0;
	FILE *f = fopen(state, "r");
	int err;

	if (!f || fscanf(f, "%llu", &acked) != 1)
		return 1;
	fclose(f);
	err = do_sync(cl, obj, &boot);
	if (!err && boot != acked)
		err = -EIO;
	printf("fsync: %s (acknowledged by boot %016llx, synced by %016llx)\n",
	       err ? strerror(-err) : "ok", acked, (unsigned long long)boot);
	net_client_free(cl);
	return err == -EIO ? 0 : 1;
}

int main(int argc, char **argv)
{
	net_log_init("ossc", NET_LOG_WARN);
	if (argc >= 5 && strcmp(argv[1], "suite") == 0) {
		ost_idx = (uint32_t)atoi(argv[4]);
		return suite(argv[2], (unsigned)atoi(argv[3]), argc > 5 ? argv[5] : NULL);
	}
	if (argc == 7 && strcmp(argv[1], "check") == 0) {
		ost_idx = (uint32_t)atoi(argv[4]);
		return check(argv[2], (unsigned)atoi(argv[3]), strtoull(argv[5], NULL, 0),
			     (uint32_t)atoi(argv[6]));
	}
	if (argc == 7 && strcmp(argv[1], "writer") == 0) {
		ost_idx = (uint32_t)atoi(argv[4]);
		return writer(argv[2], (unsigned)atoi(argv[3]), strtoull(argv[5], NULL, 0),
			      argv[6]);
	}
	if (argc == 6 && strcmp(argv[1], "verify") == 0) {
		ost_idx = (uint32_t)atoi(argv[3]);
		return verify(argv[2], strtoull(argv[4], NULL, 0), argv[5]);
	}
	if (argc == 7 && strcmp(argv[1], "write-unsynced") == 0) {
		ost_idx = (uint32_t)atoi(argv[4]);
		return write_unsynced(argv[2], (unsigned)atoi(argv[3]), strtoull(argv[5], NULL, 0),
				      argv[6]);
	}
	if (argc == 7 && strcmp(argv[1], "fsync-after") == 0) {
		ost_idx = (uint32_t)atoi(argv[4]);
		return fsync_after(argv[2], (unsigned)atoi(argv[3]), strtoull(argv[5], NULL, 0),
				   argv[6]);
	}
	fprintf(stderr, "usage: see the comment at the top of ossc.c\n");
	return 2;
}
