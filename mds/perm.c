/* SPDX-License-Identifier: Apache-2.0 */
#include "perm.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

bool perm_is_root(const struct proto_creds *c)
{
	return c->fsuid == 0;
}

bool perm_in_group(const struct proto_creds *c, uint32_t gid)
{
	uint32_t n = c->ngroups < PROTO_MAX_GROUPS ? c->ngroups : PROTO_MAX_GROUPS;

	if (c->fsgid == gid)
		return true;
	for (uint32_t i = 0; i < n; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

bool perm_owner_or_root(const struct proto_creds *c, const struct proto_attr *a)
{
	return perm_is_root(c) || c->fsuid == a->uid;
}

int perm_check(const struct proto_creds *c, const struct proto_attr *a, int mask)
{
	uint32_t bits;

	if (perm_is_root(c)) {
		/* Root may search anything and execute what anyone may. */
		if (!(mask & PERM_EXEC) || S_ISDIR(a->mode) || (a->mode & 0111))
			return 0;
		return -EACCES;
	}
	if (c->fsuid == a->uid)
		bits = (a->mode >> 6) & 7;
	else if (perm_in_group(c, a->gid))
		bits = (a->mode >> 3) & 7;
	else
		bits = a->mode & 7;
	return ((uint32_t)mask & ~bits) ? -EACCES : 0;
}

int perm_dir_modify(const struct proto_creds *c, const struct proto_attr *dir)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	return perm_check(c, dir, PERM_WRITE | PERM_EXEC);
}

int perm_sticky(const struct proto_creds *c, const struct proto_attr *dir,
		const struct proto_attr *victim)
{
	if (!(dir->mode & S_ISVTX) || perm_is_root(c))
		return 0;
	if (c->fsuid == victim->uid || c->fsuid == dir->uid)
		return 0;
	return -EPERM;
}

bool name_is_dot(struct proto_str n)
{
	return n.len == 1 && n.s[0] == '.';
}

bool name_is_dotdot(struct proto_str n)
{
	return n.len == 2 && n.s[0] == '.' && n.s[1] == '.';
}

int name_check(struct proto_str n)
{
	if (n.len == 0)
		return -ENOENT;
	if (n.len > PROTO_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(n.s, '/', n.len) || memchr(n.s, '\0', n.len))
		return -EINVAL;
	return 0;
}

int name_check_new(struct proto_str n)
{
	int rc = name_check(n);

	if (rc)
		return rc;
	if (name_is_dot(n) || name_is_dotdot(n))
		return -EEXIST;
	return 0;
}
