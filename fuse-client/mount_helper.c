/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mount.stria SOURCE DIR [-sfnv] [-o OPTS]: what mount(8) runs for
 * `mount -t stria` and fstab lines.  Execs stria-fuse (found through
 * $STRIA_FUSE, next to this binary, in the install prefix, then $PATH).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef STRIA_FUSE_PATH
#define STRIA_FUSE_PATH "/usr/local/bin/stria-fuse"
#endif

static const char *find_fuse(char *buf, size_t len)
{
	const char *env = getenv("STRIA_FUSE");
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", buf, len - 16);
	if (n > 0) {
		char *slash;

		buf[n] = 0;
		slash = strrchr(buf, '/');
		if (slash) {
			strcpy(slash + 1, "stria-fuse");
			if (access(buf, X_OK) == 0)
				return buf;
		}
	}
	if (access(STRIA_FUSE_PATH, X_OK) == 0)
		return STRIA_FUSE_PATH;
	return "stria-fuse";
}

int main(int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL};
	const char *opts = NULL;
	char path[PATH_MAX];
	const char *fuse;
	char *args[8];
	int npos = 0, n = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			opts = argv[++i];
		else if (argv[i][0] == '-')
			continue; /* -s (sloppy), -f (fake), -n (no mtab), -v: nothing to do */
		else if (npos < 2)
			pos[npos++] = argv[i];
	}
	if (npos != 2) {
		fprintf(stderr, "usage: mount.stria NID[:NID...]:/FSNAME DIR [-o OPTIONS]\n");
		return 1;
	}
	fuse = find_fuse(path, sizeof(path));
	args[n++] = (char *)fuse;
	args[n++] = (char *)pos[0];
	args[n++] = (char *)pos[1];
	if (opts) {
		args[n++] = "-o";
		args[n++] = (char *)opts;
	}
	args[n] = NULL;
	execvp(fuse, args);
	fprintf(stderr, "mount.stria: cannot run %s: %s\n", fuse, strerror(errno));
	return 1;
}
