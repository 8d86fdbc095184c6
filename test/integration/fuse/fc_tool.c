/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fc_tool: what the integration tests need beyond coreutils.
 *
 *   fc_tool setstripe PATH COUNT SIZE [OFFSET]  set a layout template (xattr)
 *   fc_tool getstripe PATH              print "count size offset nobjs pool"
 *   fc_tool statfs MOUNT                print "NAME status blocks bfree" per target
 *   fc_tool pattern write|check FILE OFF LEN SEED   deterministic data at OFF
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fuse-client/fc_int.h"

static int setstripe(const char *path, int count, uint32_t size, int offset)
{
	struct proto_layout l = {.pattern = PROTO_LAYOUT_PATTERN_RAID0,
				 .stripe_size = size,
				 .stripe_count = count,
				 .stripe_offset = offset};
	uint8_t buf[PROTO_LAYOUT_WIRE_MAX];
	struct proto_cur c;

	proto_cur_init(&c, buf, sizeof(buf));
	proto_layout_enc(&c, &l);
	if (setxattr(path, FC_XATTR_LOV, buf, c.pos, 0)) {
		fprintf(stderr, "setstripe %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int getstripe(const char *path)
{
	static struct proto_layout l;
	uint8_t buf[PROTO_LAYOUT_WIRE_MAX];
	struct proto_cur c;
	ssize_t n = getxattr(path, FC_XATTR_LOV, buf, sizeof(buf));

	if (n < 0) {
		fprintf(stderr, "getstripe %s: %s\n", path, strerror(errno));
		return 1;
	}
	proto_cur_init_ro(&c, buf, (size_t)n);
	proto_layout_dec(&c, &l);
	if (proto_cur_finish(&c)) {
		fprintf(stderr, "getstripe %s: malformed value\n", path);
		return 1;
	}
	printf("%d %u %d %u %s\n", l.stripe_count, l.stripe_size, l.stripe_offset, l.nobjs,
	       l.pool[0] ? l.pool : "-");
	return 0;
}

static int statfs_all(const char *mnt)
{
	static uint8_t buf[65536];
	struct proto_tgt_statfs e[64];
	uint32_t n;
	ssize_t len = getxattr(mnt, FC_XATTR_STATFS, buf, sizeof(buf));

	if (len < 0 || proto_tgt_statfs_list_dec(buf, (size_t)len, e, 64, &n)) {
		fprintf(stderr, "statfs %s: %s\n", mnt, len < 0 ? strerror(errno) : "malformed");
		return 1;
	}
	for (uint32_t i = 0; i < n && i < 64; i++)
		printf("%s %d %llu %llu\n", e[i].name, e[i].status,
		       (unsigned long long)e[i].sfs.blocks, (unsigned long long)e[i].sfs.bfree);
	return 0;
}

static uint8_t byte_at(uint64_t off, uint32_t seed)
{
	uint64_t x = (off / 8) * 0x9e3779b97f4a7c15ULL ^ seed;

	x ^= x >> 31;
	return (uint8_t)(x >> (8 * (off % 8)));
}

static int pattern(const char *mode, const char *path, uint64_t off, uint64_t len, uint32_t seed)
{
	bool wr = !strcmp(mode, "write");
	int fd = open(path, wr ? O_WRONLY | O_CREAT : O_RDONLY, 0644);
	uint8_t *buf = malloc(1 << 20);

	if (fd < 0 || !buf) {
		perror(path);
		return 1;
	}
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done > (1 << 20) ? (1 << 20) : len - done;
		ssize_t r;

		/* Odd sizes: every I/O straddles stripe and page boundaries. */
		if (n > 777 && (done / 777) % 3 == 1)
			n -= 333;
		if (wr) {
			for (size_t i = 0; i < n; i++)
				buf[i] = byte_at(off + done + i, seed);
			r = pwrite(fd, buf, n, (off_t)(off + done));
		} else {
			r = pread(fd, buf, n, (off_t)(off + done));
			if (r == (ssize_t)n)
				for (size_t i = 0; i < n; i++)
					if (buf[i] != byte_at(off + done + i, seed)) {
						fprintf(stderr, "%s: byte %llu differs\n", path,
							(unsigned long long)(off + done + i));
						return 1;
					}
		}
		if (r != (ssize_t)n) {
			fprintf(stderr, "%s: %s at %llu: %zd (%s)\n", path, mode,
				(unsigned long long)(off + done), r, strerror(errno));
			return 1;
		}
		done += n;
	}
	if (wr && fsync(fd)) {
		perror("fsync");
		return 1;
	}
	if (close(fd)) {
		perror("close");
		return 1;
	}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "setstripe"))
		return setstripe(argv[2], atoi(argv[3]), (uint32_t)strtoul(argv[4], NULL, 0),
				 argc == 6 ? atoi(argv[5]) : -1);
	if (argc == 3 && !strcmp(argv[1], "getstripe"))
		return getstripe(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "statfs"))
		return statfs_all(argv[2]);
	if (argc == 7 && !strcmp(argv[1], "pattern"))
		return pattern(argv[2], argv[3], strtoull(argv[4], NULL, 0),
			       strtoull(argv[5], NULL, 0), (uint32_t)strtoul(argv[6], NULL, 0));
	fprintf(stderr, "usage: see the comment at the top of fc_tool.c\n");
	return 2;
}
