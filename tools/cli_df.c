/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria df: lfs df's table from the statfs list a mount serves on its root
 * (user.stria.statfs, proto/vxattr.h): no cluster key needed.
 *
 * UUID                   1K-blocks        Used   Available Use% Mounted on
 * testfs-MDT0000_UUID      1048576        2048     1046528   1% /mnt/stria[MDT:0]
 * testfs-OST0000_UUID     ...                                  /mnt/stria[OST:0]
 *
 * filesystem_summary:     (OSTs summed; with -i, the MDT's inodes)   /mnt/stria
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#define UUF "%-20s"
#define CSF "%11s"

void tool_usage_df(FILE *f)
{
	fputs("Usage: stria df [-h] [-i] [MOUNT|PATH]\n"
	      "\n"
	      "Space (or inodes) of every MDT and OST of the stria file system holding\n"
	      "PATH, or of every mounted stria file system, as lfs df prints them.\n"
	      "\n"
	      "  -h, --human-readable  sizes with K, M, G, T suffixes\n"
	      "  -i, --inodes          inodes instead of blocks\n"
	      "      --help            this help\n",
	      f);
}

struct row {
	uint64_t total, used, avail; /* 1K blocks, or inodes */
};

static struct row row_of(const struct proto_statfs *s, bool inodes)
{
	struct row r;

	if (inodes) {
		r.total = s->files;
		r.avail = s->ffree;
		r.used = s->files > s->ffree ? s->files - s->ffree : 0;
	} else {
		uint64_t k = s->bsize / 1024 ? s->bsize / 1024 : 1;

		r.total = s->blocks * k;
		r.avail = s->bavail * k;
		r.used = s->blocks > s->bfree ? (s->blocks - s->bfree) * k : 0;
	}
	return r;
}

/* A column value: a number, or with -h a size (blocks) or a count (inodes) with a suffix. */
static void cook(uint64_t v, bool human, bool inodes, char *buf, size_t len)
{
	if (human && !inodes)
		tool_human_kib(v, buf, len);
	else if (human && v >= 1024)
		tool_human_kib(v / 1024, buf, len);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

static void print_row(const char *uuid, struct row r, bool human, bool inodes, const char *mnt,
		      const char *suffix)
{
	char t[32], u[32], a[32], pct[8];

	cook(r.total, human, inodes, t, sizeof(t));
	cook(r.used, human, inodes, u, sizeof(u));
	cook(r.avail, human, inodes, a, sizeof(a));
	snprintf(pct, sizeof(pct), "%d%%", tool_use_pct(r.used, r.avail));
	printf(UUF " " CSF " " CSF " " CSF " %4s %s%s\n", uuid, t, u, a, pct, mnt, suffix);
}

static int df_mount(const char *cmd, const char *mnt, bool human, bool inodes)
{
	struct proto_tgt_statfs *e = NULL;
	struct row sum = {0, 0, 0};
	uint32_t n = 0, cap = 0;
	char *buf = NULL;
	ssize_t len;
	int rc = 0;

	len = getxattr(mnt, PROTO_VXATTR_STATFS, NULL, 0);
	if (len >= 0) {
		buf = malloc((size_t)len + 1);
		len = buf ? getxattr(mnt, PROTO_VXATTR_STATFS, buf, (size_t)len + 1) : -1;
	}
	if (len < 0) {
		rc = buf || errno != ENOMEM ? -errno : -ENOMEM;
		tool_err(cmd, mnt, rc, rc == -ENOTSUP ? "not the root of a stria mount" : NULL);
		rc = 1;
		goto out;
	}
	cap = PROTO_VXATTR_STATFS_MAX;
	e = calloc(cap, sizeof(*e));
	if (!e || proto_tgt_statfs_list_dec(buf, (size_t)len, e, cap, &n)) {
		tool_err(cmd, mnt, e ? -EPROTO : -ENOMEM, NULL);
		rc = 1;
		goto out;
	}
	printf(UUF " " CSF " " CSF " " CSF " %4s %s\n", "UUID",
	       inodes  ? "Inodes"
	       : human ? "bytes"
		       : "1K-blocks",
	       inodes ? "IUsed" : "Used", inodes ? "IFree" : "Available", inodes ? "IUse%" : "Use%",
	       "Mounted on");
	for (uint32_t i = 0; i < n && i < cap; i++) {
		const char *type = proto_target_type_name(e[i].type);
		char uuid[PROTO_TARGET_NAME_MAX + 8], sfx[32];
		struct row r;

		snprintf(uuid, sizeof(uuid), "%s_UUID", e[i].name);
		snprintf(sfx, sizeof(sfx), "[%s:%u]", type ? type : "?", e[i].index);
		if (e[i].status) {
			printf(UUF " : %s\n", uuid, strerror(-e[i].status));
			continue;
		}
		r = row_of(&e[i].sfs, inodes);
		print_row(uuid, r, human, inodes, mnt, sfx);
		if (e[i].type == PROTO_TARGET_MDT && inodes) {
			/* lfs df -i: the file system's inodes are the MDTs'. */
			sum.total += r.total;
			sum.used += r.used;
			sum.avail += r.avail;
		} else if (e[i].type == PROTO_TARGET_OST && !inodes) {
			sum.total += r.total;
			sum.used += r.used;
			sum.avail += r.avail;
		}
	}
	printf("\n");
	print_row("filesystem_summary:", sum, human, inodes, mnt, "");
	printf("\n");
out:
	free(e);
	free(buf);
	return rc;
}

int tool_cmd_df(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"human-readable", no_argument, NULL, 'h'},
	    {"inodes", no_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'H'},
	    {NULL, 0, NULL, 0},
	};
	bool human = false, inodes = false;
	struct tool_mount *ms;
	int opt, ret = 0, n;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "hi", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			human = true;
			break;
		case 'i':
			inodes = true;
			break;
		case 'H':
			tool_usage_df(stdout);
			return 0;
		default:
			tool_usage_df(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			struct tool_mount m;
			int rc = tool_mount_of(argv[i], &m);

			if (rc) {
				tool_err("df", argv[i], rc,
					 rc == -ENOTTY ? "not on a stria file system" : NULL);
				ret = 1;
				continue;
			}
			ret |= df_mount("df", m.dir, human, inodes);
		}
		return ret;
	}
	ms = calloc(64, sizeof(*ms));
	n = ms ? tool_mounts(ms, 64) : -ENOMEM;
	if (n < 0) {
		tool_err("df", "/proc/mounts", n, NULL);
		free(ms);
		return 1;
	}
	if (n == 0) {
		tool_msg("df", "no stria file system is mounted");
		free(ms);
		return 1;
	}
	for (int i = 0; i < n && i < 64; i++)
		ret |= df_mount("df", ms[i].dir, human, inodes);
	free(ms);
	return ret;
}
