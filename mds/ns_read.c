/* SPDX-License-Identifier: Apache-2.0 */
/* Read-only operations: each reads one snapshot and takes no lock. */
#include "ns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "key.h"

/* statfs counts a free inode per this many free bytes of the MDT's file system. */
#define MDS_BYTES_PER_INODE 2048

/* What a lookup or getattr found: the attributes and, if @layout, the layout. */
static void attr_out(const struct mds_inode *ino, struct proto_attr *out,
		     struct proto_layout *layout, bool *has_layout)
{
	*out = ino->a;
	if (!layout)
		return;
	*has_layout = (ino->flags & INODE_F_LAYOUT) != 0;
	if (*has_layout)
		*layout = ino->layout;
}

int mds_getattr_layout(struct mds_db *db, const struct proto_fid *fid, struct proto_attr *out,
		       struct proto_layout *layout, bool *has_layout)
{
	struct mds_inode *ino = malloc(sizeof(*ino));
	int rc;

	if (!ino)
		return -ENOMEM;
	rc = inode_read(db, NULL, fid, ino);
	if (rc == 0)
		attr_out(ino, out, layout, has_layout);
	free(ino);
	return rc;
}

int mds_getattr(struct mds_db *db, const struct proto_fid *fid, struct proto_attr *out)
{
	return mds_getattr_layout(db, fid, out, NULL, NULL);
}

int mds_getlayout(struct mds_db *db, const struct proto_fid *fid, struct proto_layout *out)
{
	struct mds_inode *ino = malloc(sizeof(*ino));
	int rc;

	if (!ino)
		return -ENOMEM;
	rc = inode_read(db, NULL, fid, ino);
	if (rc == 0 && !(ino->flags & INODE_F_LAYOUT))
		rc = -ENODATA;
	if (rc == 0)
		*out = ino->layout;
	free(ino);
	return rc;
}

int mds_readlink(struct mds_db *db, const struct proto_fid *fid, char *buf, size_t size)
{
	struct mds_inode *ino = malloc(sizeof(*ino));
	int rc;

	if (!ino)
		return -ENOMEM;
	rc = inode_read(db, NULL, fid, ino);
	if (rc == 0 && !S_ISLNK(ino->a.mode))
		rc = -EINVAL;
	if (rc == 0) {
		memcpy(buf, ino->target, size < ino->target_len ? size : ino->target_len);
		rc = ino->target_len;
	}
	free(ino);
	return rc;
}

int mds_lookup(struct mds_db *db, const struct proto_creds *creds, const struct proto_fid *parent,
	       struct proto_str name, struct proto_attr *out)
{
	return mds_lookup_layout(db, creds, parent, name, out, NULL, NULL);
}

int mds_lookup_layout(struct mds_db *db, const struct proto_creds *creds,
		      const struct proto_fid *parent, struct proto_str name, struct proto_attr *out,
		      struct proto_layout *layout, bool *has_layout)
{
	struct kv_snap *snap = NULL;
	struct mds_inode *ino;
	struct dent d;
	int rc;

	rc = name_check(name);
	if (rc)
		return rc;
	ino = malloc(sizeof(*ino));
	if (!ino)
		return -ENOMEM;
	rc = kv_snap_new(db->kv, &snap);
	if (rc == 0)
		rc = inode_read(db, snap, parent, ino);
	if (rc)
		goto out;
	if (!S_ISDIR(ino->a.mode)) {
		rc = -ENOTDIR;
		goto out;
	}
	rc = perm_check(creds, &ino->a, PERM_EXEC);
	if (rc)
		goto out;
	if (name_is_dot(name))
		goto found;
	if (name_is_dotdot(name)) {
		d.fid = ino->parent;
	} else {
		rc = dirent_find(db, snap, parent, name, &d);
		if (rc)
			goto out;
	}
	rc = inode_read(db, snap, &d.fid, ino);
	if (rc)
		goto out;
found:
	attr_out(ino, out, layout, has_layout);
out:
	kv_snap_free(snap);
	free(ino);
	return rc;
}

static int rd_fill(struct mds_db *db, struct kv_snap *snap, uint32_t flags, struct mds_dirent *e,
		   struct mds_inode *tmp)
{
	int rc;

	if (!(flags & MDS_READDIR_PLUS))
		return 0;
	rc = inode_read(db, snap, &e->fid, tmp);
	if (rc)
		return rc == -ENOENT ? -EIO : rc;
	e->attr = tmp->a;
	return 0;
}

static void rd_dot(struct mds_dirent *e, const char *name, uint64_t cookie,
		   const struct proto_fid *fid)
{
	memset(e, 0, sizeof(*e));
	e->cookie = cookie;
	e->off = MDS_COOKIE_EOF;
	e->fid = *fid;
	e->type = S_IFDIR;
	e->namelen = (uint16_t)strlen(name);
	memcpy(e->name, name, e->namelen + 1);
}

/* Entries at cookies >= @from; @pending is the index whose off is unset. */
static int rd_entries(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *dir,
		      uint64_t from, uint32_t flags, struct mds_dirent *out, size_t max, size_t n,
		      long pending, struct mds_inode *tmp)
{
	uint8_t k[KEY_DIRENT_LEN];
	struct kv_iter *it;
	size_t klen, vlen;
	struct dent d;
	int rc;

	rc = dirent_iter(db, snap, dir, &it);
	if (rc)
		return rc;
	kv_iter_seek(it, k, key_dirent(k, dir, from));
	for (; kv_iter_valid(it); kv_iter_next(it)) {
		const uint8_t *key = kv_iter_key(it, &klen);
		const uint8_t *v = kv_iter_val(it, &vlen);

		if (klen != KEY_DIRENT_LEN)
			continue;
		rc = dirent_decode(key_get_be64(key + KEY_FID_LEN), v, vlen, &d);
		if (rc)
			goto out;
		/* Every entry's offset is the cookie of the next one. */
		if (pending >= 0)
			out[pending].off = d.cookie;
		if (n == max)
			break;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].cookie = d.cookie;
		out[n].off = MDS_COOKIE_EOF;
		out[n].fid = d.fid;
		out[n].type = d.type;
		out[n].namelen = d.namelen;
		memcpy(out[n].name, d.name, d.namelen + 1);
		rc = rd_fill(db, snap, flags, &out[n], tmp);
		if (rc)
			goto out;
		pending = (long)n++;
	}
	rc = kv_iter_status(it);
	if (rc == 0)
		rc = (int)n;
out:
	kv_iter_free(it);
	return rc;
}

int mds_readdir(struct mds_db *db, const struct proto_creds *creds, const struct proto_fid *dir,
		uint64_t cookie, uint32_t flags, struct mds_dirent *out, size_t max)
{
	struct kv_snap *snap = NULL;
	struct mds_inode *ino;
	struct proto_fid dotdot;
	long pending = -1;
	size_t n = 0;
	int rc;

	if (max == 0 || max > INT32_MAX)
		return -EINVAL;
	ino = malloc(sizeof(*ino));
	if (!ino)
		return -ENOMEM;
	rc = kv_snap_new(db->kv, &snap);
	if (rc == 0)
		rc = inode_read(db, snap, dir, ino);
	if (rc)
		goto out;
	if (!S_ISDIR(ino->a.mode)) {
		rc = -ENOTDIR;
		goto out;
	}
	rc = perm_check(creds, &ino->a, PERM_READ);
	/* A removed directory is empty, without even "." and "..". */
	if (rc || ino->a.nlink == 0 || cookie >= MDS_COOKIE_EOF)
		goto out;
	dotdot = ino->parent;
	if (cookie <= MDS_COOKIE_DOT) {
		rd_dot(&out[n], ".", MDS_COOKIE_DOT, dir);
		out[n].off = MDS_COOKIE_DOTDOT;
		rc = rd_fill(db, snap, flags, &out[n], ino);
		if (rc)
			goto out;
		n++;
	}
	if (cookie <= MDS_COOKIE_DOTDOT && n < max) {
		rd_dot(&out[n], "..", MDS_COOKIE_DOTDOT, &dotdot);
		rc = rd_fill(db, snap, flags, &out[n], ino);
		if (rc)
			goto out;
		pending = (long)n++;
	}
	rc = rd_entries(db, snap, dir, cookie > MDS_COOKIE_DOTDOT ? cookie : MDS_COOKIE_DOTDOT + 1,
			flags, out, max, n, pending, ino);
out:
	kv_snap_free(snap);
	free(ino);
	return rc;
}

int mds_statfs(struct mds_db *db, struct proto_statfs *out)
{
	struct statvfs sv;
	int64_t used = atomic_load(&db->ninodes);

	if (statvfs(db->path, &sv))
		return -errno;
	out->bsize = (uint32_t)sv.f_frsize;
	out->namemax = PROTO_NAME_MAX;
	out->blocks = sv.f_blocks;
	out->bfree = sv.f_bfree;
	out->bavail = sv.f_bavail;
	out->ffree = (uint64_t)sv.f_bavail * sv.f_frsize / MDS_BYTES_PER_INODE;
	out->files = (uint64_t)(used > 0 ? used : 0) + out->ffree;
	return 0;
}
