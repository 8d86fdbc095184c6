/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Permission checks against request credentials, as Linux's
 * generic_permission() without ACLs, and name rules.  The kernel checks too
 * (default_permissions), but the MDS never trusts a client blindly.
 */
#ifndef STRIA_MDS_PERM_H
#define STRIA_MDS_PERM_H

#include <stdbool.h>

#include "proto/attr.h"
#include "proto/cursor.h"
#include "proto/hdr.h"

#define PERM_EXEC  1
#define PERM_WRITE 2
#define PERM_READ  4

bool perm_is_root(const struct proto_creds *c);
bool perm_in_group(const struct proto_creds *c, uint32_t gid);
bool perm_owner_or_root(const struct proto_creds *c, const struct proto_attr *a);

/* 0 if @c may access @a with @mask (PERM_*), else -EACCES. */
int perm_check(const struct proto_creds *c, const struct proto_attr *a, int mask);

/* A directory @dir the caller may modify: -ENOTDIR, -EACCES (write + search). */
int perm_dir_modify(const struct proto_creds *c, const struct proto_attr *dir);

/* In a sticky directory, only the owner of the entry or of the directory, or
 * root, may remove or rename the entry: -EPERM otherwise. */
int perm_sticky(const struct proto_creds *c, const struct proto_attr *dir,
		const struct proto_attr *victim);

bool name_is_dot(struct proto_str n);
bool name_is_dotdot(struct proto_str n);
/* A component name: -ENOENT (empty), -ENAMETOOLONG (> 255), -EINVAL ('/' or NUL). */
int name_check(struct proto_str n);
/* As name_check, for a name to create: "." and ".." give -EEXIST, as Linux. */
int name_check_new(struct proto_str n);

#endif
