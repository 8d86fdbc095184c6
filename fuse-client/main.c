/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria-fuse NID[:NID...]:/FSNAME MOUNTPOINT [-o OPTS] [-f] [-d]
 *
 * Mounts a stria file system through FUSE.  Background by default; -f stays
 * in the foreground, -d adds debug logging (and implies -f).
 */
#include "fc.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: stria-fuse NID[:NID...]:/FSNAME MOUNTPOINT [-o OPTIONS] [-f] [-d]\n"
	      "  -f  stay in the foreground\n"
	      "  -d  debug logging (implies -f)\n"
	      "  -o  comma-separated options (below)\n"
	      "Unmount with umount(8) or fusermount3 -u.\n\n",
	      f);
	fc_opts_usage(f);
}

int main(int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL};
	bool foreground = false;
	struct fc_opts o;
	int npos = 0;

	fc_opts_init(&o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-f")) {
			foreground = true;
		} else if (!strcmp(a, "-d")) {
			foreground = true;
			o.log_level = 3;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			if (fc_opts_parse(&o, argv[++i]))
				return 1;
		} else if (!strncmp(a, "-o", 2) && a[2]) {
			if (fc_opts_parse(&o, a + 2))
				return 1;
		} else if (a[0] == '-') {
			fprintf(stderr, "stria-fuse: unknown argument %s\n", a);
			usage(stderr);
			return 1;
		} else if (npos < 2) {
			pos[npos++] = a;
		} else {
			usage(stderr);
			return 1;
		}
	}
	if (npos != 2) {
		usage(stderr);
		return 1;
	}
	return fc_run(pos[0], pos[1], &o, foreground);
}
