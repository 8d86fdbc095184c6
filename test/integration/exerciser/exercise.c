/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria-exercise: a randomized integrity exerciser.
 *
 *   stria-exercise [-s SEED] [-n OPS] [-f FILES] [-m MAXSIZE] [-L] DIR
 *
 * Runs OPS random operations (write, read, truncate, fsync, close and reopen,
 * whole-file verify) over FILES files in DIR and checks every byte read
 * against an in-memory model of what the files must hold.  With -L each file
 * first gets its own stripe layout (counts 1, 2, 4 and -1, stripe sizes 64
 * KiB and 1 MiB) through the mount's user.stria.lov xattr, so reads and
 * writes cross stripe boundaries in every way.
 *
 * -X N (a self-test of the exerciser) changes one byte of a file on disk
 * behind its back after N operations: the run must then fail.
 *
 * The same SEED gives the same operations.  On a mismatch it prints the
 * operations that led there (the last ones on each file) and the command
 * that reproduces the run, and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "proto/proto.h"

#define MAX_FILES 64
#define HISTORY	  64 /* operations remembered per file */

enum op_kind { OP_WRITE, OP_READ, OP_TRUNC, OP_FSYNC, OP_REOPEN, OP_VERIFY };

static const char *const op_names[] = {"write", "read", "truncate", "fsync", "reopen", "verify"};

struct op {
	uint64_t seq;
	enum op_kind kind;
	uint64_t off, len;
};

struct file {
	char path[4200];
	int fd;
	uint8_t *model; /* expected content */
	uint64_t size;	/* expected size */
	struct op hist[HISTORY];
	uint64_t nhist;
	char layout[64];
};

static uint64_t rng_state;
static uint64_t seed = 1, nops = 100000, maxsize = 8u << 20;
static int nfiles = 4;
static bool layouts;
static uint64_t corrupt_at; /* -X: self-test, corrupt a file behind our back */
static const char *dir;
static uint64_t seq;

static uint64_t rnd(void)
{
	/* splitmix64: fast, and the same sequence for the same seed everywhere */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* Lengths skewed small, sometimes large enough to span several stripes. */
static uint64_t rnd_len(void)
{
	uint64_t p = rnd_below(100);

	if (p < 65)
		return 1 + rnd_below(4096);
	if (p < 95)
		return 4096 + rnd_below(65536);
	return 65536 + rnd_below(3u << 20);
}

static void record(struct file *f, enum op_kind k, uint64_t off, uint64_t len)
{
	struct op *o = &f->hist[f->nhist++ % HISTORY];

	o->seq = ++seq;
	o->kind = k;
	o->off = off;
	o->len = len;
}

static void report(struct file *f, const char *what, uint64_t at, int got, int want)
{
	uint64_t first = f->nhist > HISTORY ? f->nhist - HISTORY : 0;

	fprintf(stderr, "MISMATCH in %s (layout %s) after operation %llu: %s", f->path, f->layout,
		(unsigned long long)seq, what);
	if (got >= 0)
		fprintf(stderr, " at byte %llu: read 0x%02x, expected 0x%02x",
			(unsigned long long)at, got, want);
	fprintf(stderr, "\nthe last operations on this file:\n");
	for (uint64_t i = first; i < f->nhist; i++) {
		const struct op *o = &f->hist[i % HISTORY];

		fprintf(stderr, "  #%-8llu %-8s off %-10llu len %llu\n", (unsigned long long)o->seq,
			op_names[o->kind], (unsigned long long)o->off, (unsigned long long)o->len);
	}
	fprintf(stderr, "reproduce with: stria-exercise -s %llu -n %llu -f %d -m %llu%s %s\n",
		(unsigned long long)seed, (unsigned long long)nops, nfiles,
		(unsigned long long)maxsize, layouts ? " -L" : "", dir);
	exit(1);
}

static void die_errno(struct file *f, const char *what)
{
	fprintf(stderr, "stria-exercise: %s %s: %s\n", what, f->path, strerror(errno));
	report(f, what, 0, -1, -1);
}

static void fill(uint8_t *p, uint64_t len)
{
	uint64_t x = rnd();

	for (uint64_t i = 0; i < len; i++) {
		if ((i & 7) == 0)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (uint8_t)(x >> (8 * (i & 7)));
	}
}

/*
 * Creates @f with its own layout: the layout must be set before any write
 * open (which fixes it), so the file is made with mknod, given its layout by
 * path, and only then opened for writing, as `stria setstripe` does.
 */
static void create_with_layout(struct file *f, int i)
{
	static const int counts[] = {1, 2, 4, -1};
	static const uint32_t sizes[] = {64u << 10, 1u << 20};
	struct proto_layout l = {.pattern = PROTO_LAYOUT_PATTERN_RAID0, .stripe_offset = -1};
	uint8_t buf[PROTO_LAYOUT_WIRE_MAX];
	struct proto_cur c;

	l.stripe_count = counts[i % 4];
	l.stripe_size = sizes[(i / 4) % 2];
	snprintf(f->layout, sizeof(f->layout), "-c %d -S %uK", l.stripe_count, l.stripe_size >> 10);
	proto_cur_init(&c, buf, sizeof(buf));
	proto_layout_enc(&c, &l);
	if (mknod(f->path, S_IFREG | 0644, 0) < 0)
		die_errno(f, "mknod");
	if (setxattr(f->path, PROTO_VXATTR_LOV, buf, c.pos, 0) < 0) {
		fprintf(stderr, "stria-exercise: setting layout %s on %s: %s\n", f->layout, f->path,
			strerror(errno));
		exit(1);
	}
}

static void do_write(struct file *f)
{
	uint64_t off = rnd_below(maxsize), len = rnd_len();
	uint8_t *p;

	if (off + len > maxsize)
		len = maxsize - off;
	if (len == 0)
		return;
	p = malloc(len);
	fill(p, len);
	record(f, OP_WRITE, off, len);
	if (pwrite(f->fd, p, len, (off_t)off) != (ssize_t)len)
		die_errno(f, "pwrite");
	memcpy(f->model + off, p, len);
	if (off + len > f->size)
		f->size = off + len;
	free(p);
}

static void check_range(struct file *f, uint64_t off, uint64_t len, const char *what)
{
	uint8_t *p = malloc(len ? len : 1);
	uint64_t want = off >= f->size ? 0 : (off + len > f->size ? f->size - off : len);
	ssize_t n = 0, k;

	/* POSIX allows a short read: keep reading until the end of the file. */
	while ((uint64_t)n < len) {
		k = pread(f->fd, p + n, len - (uint64_t)n, (off_t)(off + (uint64_t)n));
		if (k < 0)
			die_errno(f, "pread");
		if (k == 0)
			break;
		n += k;
	}
	if ((uint64_t)n != want) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s of %llu bytes at %llu returned %zd, expected %llu",
			 what, (unsigned long long)len, (unsigned long long)off, n,
			 (unsigned long long)want);
		report(f, msg, 0, -1, -1);
	}
	for (uint64_t i = 0; i < want; i++)
		if (p[i] != f->model[off + i])
			report(f, what, off + i, p[i], f->model[off + i]);
	free(p);
}

static void do_read(struct file *f)
{
	uint64_t off = rnd_below(f->size + 65536), len = rnd_len();

	record(f, OP_READ, off, len);
	check_range(f, off, len, "read");
}

static void do_trunc(struct file *f)
{
	uint64_t size = rnd_below(100) < 30 ? 0 : rnd_below(maxsize);

	record(f, OP_TRUNC, size, 0);
	if (ftruncate(f->fd, (off_t)size) < 0)
		die_errno(f, "ftruncate");
	if (size > f->size)
		memset(f->model + f->size, 0, size - f->size);
	else
		memset(f->model + size, 0, f->size - size);
	f->size = size;
}

static void do_verify(struct file *f)
{
	struct stat st;

	record(f, OP_VERIFY, 0, f->size);
	if (fstat(f->fd, &st) < 0)
		die_errno(f, "fstat");
	if ((uint64_t)st.st_size != f->size) {
		char msg[96];

		snprintf(msg, sizeof(msg), "size %lld, expected %llu", (long long)st.st_size,
			 (unsigned long long)f->size);
		report(f, msg, 0, -1, -1);
	}
	for (uint64_t off = 0; off < f->size; off += 1u << 20)
		check_range(f, off, 1u << 20, "verify");
}

static void reopen(struct file *f)
{
	record(f, OP_REOPEN, 0, 0);
	if (close(f->fd) < 0)
		die_errno(f, "close");
	f->fd = open(f->path, O_RDWR);
	if (f->fd < 0)
		die_errno(f, "open");
}

int main(int argc, char **argv)
{
	static struct file files[MAX_FILES];
	int c;

	while ((c = getopt(argc, argv, "s:n:f:m:LX:h")) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			nops = strtoull(optarg, NULL, 0);
			break;
		case 'f':
			nfiles = atoi(optarg);
			break;
		case 'm':
			maxsize = strtoull(optarg, NULL, 0);
			break;
		case 'L':
			layouts = true;
			break;
		case 'X':
			corrupt_at = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: stria-exercise [-s SEED] [-n OPS] [-f FILES] "
					"[-m MAXSIZE] [-L] DIR\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1 || nfiles < 1 || nfiles > MAX_FILES || maxsize < 4096 ||
	    maxsize > (1ull << 31)) {
		fprintf(stderr, "stria-exercise: one DIR, 1..%d files, 4 KiB..2 GiB max size\n",
			MAX_FILES);
		return 2;
	}
	dir = argv[optind];
	rng_state = seed;
	for (int i = 0; i < nfiles; i++) {
		struct file *f = &files[i];

		snprintf(f->path, sizeof(f->path), "%s/exercise.%llu.%d", dir,
			 (unsigned long long)seed, i);
		f->model = calloc(1, maxsize);
		snprintf(f->layout, sizeof(f->layout), "default");
		unlink(f->path);
		if (!f->model)
			die_errno(f, "model");
		if (layouts)
			create_with_layout(f, i);
		f->fd = open(f->path, O_RDWR | (layouts ? 0 : O_CREAT | O_EXCL), 0644);
		if (f->fd < 0)
			die_errno(f, "create");
	}
	for (uint64_t i = 0; i < nops; i++) {
		struct file *f = &files[rnd_below((uint64_t)nfiles)];
		uint64_t p = rnd_below(1000);

		if (corrupt_at && i == corrupt_at) {
			/* The self-test: a byte changes that we did not write. */
			for (int k = 0; k < nfiles; k++)
				if (files[k].size > 0) {
					uint8_t b = (uint8_t)~files[k].model[files[k].size / 2];
					int fd = open(files[k].path, O_WRONLY);

					if (fd < 0 ||
					    pwrite(fd, &b, 1, (off_t)(files[k].size / 2)) != 1)
						die_errno(&files[k], "self-test corruption");
					close(fd);
					do_verify(&files[k]); /* must report it, whatever follows */
					break;
				}
		}
		if (p < 400)
			do_write(f);
		else if (p < 800)
			do_read(f);
		else if (p < 880)
			do_trunc(f);
		else if (p < 890) {
			record(f, OP_FSYNC, 0, 0);
			if (fsync(f->fd) < 0)
				die_errno(f, "fsync");
		} else if (p < 998)
			reopen(f);
		else
			do_verify(f);
	}
	for (int i = 0; i < nfiles; i++) {
		reopen(&files[i]);
		do_verify(&files[i]);
		close(files[i].fd);
		unlink(files[i].path);
		free(files[i].model);
	}
	printf("stria-exercise: seed %llu: %llu operations on %d file(s)%s: all data as "
	       "expected\n",
	       (unsigned long long)seed, (unsigned long long)seq, nfiles,
	       layouts ? " with varied layouts" : "");
	return 0;
}
