/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DIR/LAST_ID: the highest precreated object id, one line of text
 * "stria-last-id 1 <decimal>\n", replaced atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ost_int.h"

#define LASTID_MAGIC "stria-last-id 1 "

int oss_lastid_read(int rootfd, uint64_t *out)
{
	char buf[64], *end;
	unsigned long long v;
	ssize_t n;
	int fd, rc;

	fd = openat(rootfd, OSS_LAST_ID_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		rc = -errno;
		goto close_fd;
	}
	buf[n] = '\0';
	rc = -EINVAL;
	if (strncmp(buf, LASTID_MAGIC, strlen(LASTID_MAGIC)) != 0)
		goto close_fd;
	errno = 0;
	v = strtoull(buf + strlen(LASTID_MAGIC), &end, 10);
	if (errno || end == buf + strlen(LASTID_MAGIC) || *end != '\n')
		goto close_fd;
	*out = v;
	rc = 0;
close_fd:
	close(fd);
out:
	return rc;
}

int oss_lastid_write(int rootfd, uint64_t id)
{
	char buf[64];
	int fd, rc, n;

	n = snprintf(buf, sizeof(buf), LASTID_MAGIC "%" PRIu64 "\n", id);
	fd = openat(rootfd, OSS_LAST_ID_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	errno = 0;
	if (pwrite(fd, buf, n, 0) != n) {
		rc = errno ? -errno : -EIO;
		goto close_fd;
	}
	if (fsync(fd) < 0) {
		rc = -errno;
		goto close_fd;
	}
	if (renameat(rootfd, OSS_LAST_ID_TMP, rootfd, OSS_LAST_ID_FILE) < 0) {
		rc = -errno;
		goto close_fd;
	}
	rc = fsync(rootfd) < 0 ? -errno : 0;
close_fd:
	close(fd);
out:
	return rc;
}
