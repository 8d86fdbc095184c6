/* SPDX-License-Identifier: Apache-2.0 */
/* Finding stria mounts in /proc/mounts. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <mntent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#define STRIA_FSTYPE "fuse.stria"

int tool_mounts(struct tool_mount *out, size_t cap)
{
	FILE *f = setmntent("/proc/mounts", "r");
	struct mntent *m;
	int n = 0;

	if (!f)
		return -errno;
	while ((m = getmntent(f)) != NULL) {
		struct tool_mount *t;
		const char *fs;

		if (strcmp(m->mnt_type, STRIA_FSTYPE))
			continue;
		if ((size_t)n < cap) {
			t = &out[n];
			memset(t, 0, sizeof(*t));
			snprintf(t->dir, sizeof(t->dir), "%s", m->mnt_dir);
			snprintf(t->source, sizeof(t->source), "%s", m->mnt_fsname);
			fs = strstr(m->mnt_fsname, ":/");
			snprintf(t->fsname, sizeof(t->fsname), "%s", fs ? fs + 2 : "");
		}
		n++;
	}
	endmntent(f);
	return n;
}

int tool_mount_of(const char *path, struct tool_mount *out)
{
	struct tool_mount ms[64];
	char real[PATH_MAX];
	size_t best = 0;
	int n, found = -1;

	if (!realpath(path, real))
		return -errno;
	n = tool_mounts(ms, 64);
	if (n < 0)
		return n;
	for (int i = 0; i < n && i < 64; i++) {
		size_t len = strlen(ms[i].dir);

		if (strncmp(real, ms[i].dir, len) ||
		    (real[len] != '/' && real[len] != 0 && strcmp(ms[i].dir, "/")))
			continue;
		if (len >= best) {
			best = len;
			found = i;
		}
	}
	if (found < 0)
		return -ENOTTY;
	*out = ms[found];
	return 0;
}

uint16_t tool_mount_port(const struct tool_mount *m)
{
	char v[PROTO_NID_LIST_STRLEN + 16];
	ssize_t n = getxattr(m->dir, PROTO_VXATTR_MGS, v, sizeof(v) - 1);
	const char *sp;
	char *end;
	long p;

	if (n <= 0)
		return PROTO_DEFAULT_PORT;
	v[n] = 0;
	sp = strrchr(v, ' ');
	if (!sp)
		return PROTO_DEFAULT_PORT;
	p = strtol(sp + 1, &end, 10);
	return p > 0 && p < 65536 && (*end == '\n' || *end == 0) ? (uint16_t)p : PROTO_DEFAULT_PORT;
}
