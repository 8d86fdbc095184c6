/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixtures shared by the oss unit tests: a formatted OST in a temporary
 * directory with an engine, and synchronous wrappers around requests.
 */
#ifndef STRIA_T_OSS_H
#define STRIA_T_OSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oss/oss.h"

struct t_ost {
	char dir[64];
	struct oss_ost *ost;
	struct oss_engine *eng;
};

/* Formats and opens an OST in a fresh temporary directory (@o may be NULL). */
void t_ost_setup(struct t_ost *t, const struct oss_ost_options *o);
/* Formats and opens an OST in the existing directory @dir. */
void t_ost_setup_in(struct t_ost *t, const char *dir, const struct oss_ost_options *o);
/* Stops the engine, closes the OST and removes its directory (unless @keep). */
void t_ost_teardown(struct t_ost *t, bool keep);
/* Removes a directory tree. */
void t_rmtree(const char *dir);

/* Synchronous requests; return the request's result. */
int t_write(struct t_ost *t, uint64_t id, uint64_t off, const void *buf, size_t len,
	    uint32_t flags);
int t_read(struct t_ost *t, uint64_t id, uint64_t off, void *buf, size_t len);
int t_fallocate(struct t_ost *t, uint64_t id, int mode, uint64_t off, uint64_t len);
int t_truncate(struct t_ost *t, uint64_t id, uint64_t size);
int t_sync(struct t_ost *t, uint64_t id);
int t_getattr(struct t_ost *t, uint64_t id, struct oss_obj_attr *attr);

/* Fills @buf with a pattern that depends on @seed and the byte's offset @off. */
void t_pattern(void *buf, size_t len, uint64_t seed, uint64_t off);
/* Whether @buf holds t_pattern(seed, off). */
bool t_pattern_ok(const void *buf, size_t len, uint64_t seed, uint64_t off);
/* Whether @buf is all zeros. */
bool t_zero(const void *buf, size_t len);

/*
 * Creates a temporary directory into @dir (room for 32 bytes) and mounts a
 * tmpfs of @size ("4m") on it.  Returns true if mounted; false (with the
 * directory removed and a message printed) if not, e.g. without privilege.
 */
bool t_mount_tmpfs(char *dir, const char *size);
/* Unmounts and removes a directory from t_mount_tmpfs(). */
void t_umount_tmpfs(const char *dir);

/* Number of open fds of this process (entries of /proc/self/fd). */
int t_fd_count(void);

#endif
