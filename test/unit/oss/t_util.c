/* SPDX-License-Identifier: Apache-2.0 */
#define _XOPEN_SOURCE 700
#include "t_unit.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <errno.h>
#include <unistd.h>

#include "t_oss.h"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

void t_rmtree(const char *dir)
{
	nftw(dir, rm_one, 64, FTW_DEPTH | FTW_PHYS);
}

void t_ost_setup_in(struct t_ost *t, const char *dir, const struct oss_ost_options *o)
{
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	assert_int_equal(oss_ost_init_tree(t->dir), 0);
	assert_int_equal(oss_ost_open(t->dir, o, &t->ost), 0);
	assert_int_equal(oss_engine_start(NULL, &t->eng), 0);
}

void t_ost_setup(struct t_ost *t, const struct oss_ost_options *o)
{
	char dir[] = "/tmp/stria-oss-XXXXXX";

	assert_non_null(mkdtemp(dir));
	t_ost_setup_in(t, dir, o);
}

void t_ost_teardown(struct t_ost *t, bool keep)
{
	oss_engine_stop(t->eng);
	oss_ost_close(t->ost);
	t->eng = NULL;
	t->ost = NULL;
	if (!keep)
		t_rmtree(t->dir);
}

int t_write(struct t_ost *t, uint64_t id, uint64_t off, const void *buf, size_t len, uint32_t flags)
{
	struct oss_req r;

	oss_req_write(&r, t->ost, id, off, buf, len, NULL, NULL);
	r.flags |= flags;
	return oss_submit_wait(t->eng, &r);
}

int t_read(struct t_ost *t, uint64_t id, uint64_t off, void *buf, size_t len)
{
	struct oss_req r;

	oss_req_read(&r, t->ost, id, off, buf, len, NULL, NULL);
	return oss_submit_wait(t->eng, &r);
}

int t_fallocate(struct t_ost *t, uint64_t id, int mode, uint64_t off, uint64_t len)
{
	struct oss_req r;

	oss_req_fallocate(&r, t->ost, id, mode, off, len, NULL, NULL);
	return oss_submit_wait(t->eng, &r);
}

int t_truncate(struct t_ost *t, uint64_t id, uint64_t size)
{
	struct oss_req r;

	oss_req_truncate(&r, t->ost, id, size, NULL, NULL);
	return oss_submit_wait(t->eng, &r);
}

int t_sync(struct t_ost *t, uint64_t id)
{
	struct oss_req r;

	oss_req_sync(&r, t->ost, id, false, NULL, NULL);
	return oss_submit_wait(t->eng, &r);
}

int t_getattr(struct t_ost *t, uint64_t id, struct oss_obj_attr *attr)
{
	struct oss_req r;
	int rc;

	oss_req_getattr(&r, t->ost, id, NULL, NULL);
	rc = oss_submit_wait(t->eng, &r);
	if (rc == 0)
		*attr = r.attr;
	return rc;
}

static uint8_t pattern_byte(uint64_t seed, uint64_t off)
{
	uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

	return (uint8_t)(x >> 56) | 1; /* never 0, so holes are distinguishable */
}

void t_pattern(void *buf, size_t len, uint64_t seed, uint64_t off)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = pattern_byte(seed, off + i);
}

bool t_pattern_ok(const void *buf, size_t len, uint64_t seed, uint64_t off)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i] != pattern_byte(seed, off + i))
			return false;
	return true;
}

bool t_zero(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

int t_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory stream's own fd */
}

bool t_mount_tmpfs(char *dir, const char *size)
{
	char opts[64];

	strcpy(dir, "/tmp/stria-oss-mnt-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(opts, sizeof(opts), "size=%s,mode=0700", size);
	if (mount("tmpfs", dir, "tmpfs", 0, opts) < 0) {
		print_message("# cannot mount a tmpfs on %s (%s)\n", dir, strerror(errno));
		rmdir(dir);
		return false;
	}
	return true;
}

void t_umount_tmpfs(const char *dir)
{
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}
