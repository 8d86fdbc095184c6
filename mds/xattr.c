/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Extended attributes, with Linux's xattr_permission() rules.  Values are
 * stored under ('X', fid, name) as a version byte and the raw bytes.
 */
#include "ns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "key.h"

#define XATTR_FMT_V1 1

enum xns { XNS_USER, XNS_TRUSTED, XNS_SECURITY, XNS_OTHER };

static enum xns xattr_ns(const char *s, size_t len)
{
	if (len >= 5 && memcmp(s, "user.", 5) == 0)
		return XNS_USER;
	if (len >= 8 && memcmp(s, "trusted.", 8) == 0)
		return XNS_TRUSTED;
	if (len >= 9 && memcmp(s, "security.", 9) == 0)
		return XNS_SECURITY;
	return XNS_OTHER;
}

static int name_ok(struct proto_str n)
{
	if (n.len == 0 || n.len > PROTO_XATTR_NAME_MAX || memchr(n.s, '\0', n.len))
		return -ERANGE;
	if (xattr_ns(n.s, n.len) == XNS_OTHER)
		return -EOPNOTSUPP;
	return 0;
}

/* Linux's xattr_permission(): 0, -EPERM/-EACCES (writes), -ENODATA (reads). */
static int xattr_perm(const struct proto_creds *c, const struct proto_attr *a, struct proto_str n,
		      bool write)
{
	switch (xattr_ns(n.s, n.len)) {
	case XNS_SECURITY:
		return 0;
	case XNS_TRUSTED:
		if (!perm_is_root(c))
			return write ? -EPERM : -ENODATA;
		return 0;
	case XNS_USER:
		if (!S_ISREG(a->mode) && !S_ISDIR(a->mode))
			return write ? -EPERM : -ENODATA;
		if (write && S_ISDIR(a->mode) && (a->mode & S_ISVTX) && !perm_owner_or_root(c, a))
			return -EPERM;
		return perm_check(c, a, write ? PERM_WRITE : PERM_READ);
	default:
		return -EOPNOTSUPP;
	}
}

static int xattr_change(struct mds_tx *tx, const struct proto_fid *fid, struct proto_str name,
			const void *value, size_t size, uint32_t flags, bool remove)
{
	struct proto_fid f = *fid;
	uint8_t k[KEY_MAX];
	struct mds_inode *ino;
	size_t klen;
	uint8_t *v = NULL;
	int rc;

	rc = name_ok(name);
	if (rc)
		return rc;
	if (flags & ~(uint32_t)(MDS_XATTR_CREATE | MDS_XATTR_REPLACE))
		return -EINVAL;
	if (size > PROTO_XATTR_VALUE_MAX)
		return -E2BIG;
	ino = malloc(sizeof(*ino));
	if (!ino)
		return -ENOMEM;
	rc = tx_lock(tx, &f, 1, false);
	if (rc == 0)
		rc = inode_read(tx->db, NULL, fid, ino);
	if (rc == 0)
		rc = xattr_perm(&tx->creds, &ino->a, name, true);
	if (rc)
		goto out;
	klen = key_xattr(k, fid, name.s, name.len);
	rc = kv_get(tx->db->kv, NULL, k, klen, NULL);
	if (rc < 0 && rc != -ENOENT)
		goto out;
	if (rc >= 0 && (flags & MDS_XATTR_CREATE) && !remove) {
		rc = -EEXIST;
		goto out;
	}
	if (rc == -ENOENT && ((flags & MDS_XATTR_REPLACE) || remove)) {
		rc = -ENODATA;
		goto out;
	}
	if (remove) {
		kv_batch_del(tx->b, k, klen);
	} else {
		v = malloc(size + 1);
		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		v[0] = XATTR_FMT_V1;
		if (size)
			memcpy(v + 1, value, size);
		kv_batch_put(tx->b, k, klen, v, size + 1);
	}
	inode_touch_c(ino, tx);
	rc = inode_stage(tx, ino);
out:
	free(v);
	free(ino);
	return rc;
}

int mds_setxattr(struct mds_tx *tx, const struct proto_fid *fid, struct proto_str name,
		 const void *value, size_t size, uint32_t flags)
{
	tx_op_begin(tx);
	return tx_op_end(tx, xattr_change(tx, fid, name, value, size, flags, false));
}

int mds_removexattr(struct mds_tx *tx, const struct proto_fid *fid, struct proto_str name)
{
	tx_op_begin(tx);
	return tx_op_end(tx, xattr_change(tx, fid, name, NULL, 0, 0, true));
}

int mds_getxattr(struct mds_db *db, const struct proto_creds *creds, const struct proto_fid *fid,
		 struct proto_str name, void *buf, size_t size)
{
	struct kv_snap *snap = NULL;
	struct mds_inode *ino;
	uint8_t k[KEY_MAX];
	void *v = NULL;
	int rc;

	rc = name_ok(name);
	if (rc)
		return rc;
	ino = malloc(sizeof(*ino));
	if (!ino)
		return -ENOMEM;
	rc = kv_snap_new(db->kv, &snap);
	if (rc == 0)
		rc = inode_read(db, snap, fid, ino);
	if (rc == 0)
		rc = xattr_perm(creds, &ino->a, name, false);
	if (rc == 0)
		rc = kv_get(db->kv, snap, k, key_xattr(k, fid, name.s, name.len), &v);
	if (rc == -ENOENT)
		rc = -ENODATA;
	if (rc < 0)
		goto out;
	if (rc < 1 || ((uint8_t *)v)[0] != XATTR_FMT_V1) {
		rc = -EIO;
		goto out;
	}
	rc--;
	if (size && (size_t)rc > size)
		rc = -ERANGE;
	else if (size && rc)
		memcpy(buf, (uint8_t *)v + 1, (size_t)rc);
out:
	free(v);
	kv_snap_free(snap);
	free(ino);
	return rc;
}

int mds_listxattr(struct mds_db *db, const struct proto_creds *creds, const struct proto_fid *fid,
		  char *buf, size_t size)
{
	uint8_t lo[KEY_FID_LEN], hi[KEY_FID_LEN];
	struct kv_snap *snap = NULL;
	struct kv_iter *it = NULL;
	struct mds_inode *ino;
	size_t klen, total = 0;
	int rc;

	ino = malloc(sizeof(*ino));
	if (!ino)
		return -ENOMEM;
	rc = kv_snap_new(db->kv, &snap);
	if (rc == 0)
		rc = inode_read(db, snap, fid, ino);
	if (rc)
		goto out;
	key_fid(lo, KEY_XATTR, fid);
	key_prefix_end(hi, lo, sizeof(lo));
	rc = kv_iter_new(db->kv, snap, lo, sizeof(lo), hi, sizeof(hi), &it);
	if (rc)
		goto out;
	for (; kv_iter_valid(it); kv_iter_next(it)) {
		const uint8_t *k = kv_iter_key(it, &klen);
		struct proto_str n = {(const char *)k + KEY_FID_LEN,
				      (uint32_t)(klen - KEY_FID_LEN)};

		/* Hidden as Linux hides them: trusted. for non-root. */
		if (xattr_ns(n.s, n.len) == XNS_TRUSTED && !perm_is_root(creds))
			continue;
		if (size && total + n.len + 1 > size) {
			rc = -ERANGE;
			goto out;
		}
		if (size) {
			memcpy(buf + total, n.s, n.len);
			buf[total + n.len] = '\0';
		}
		total += n.len + 1;
	}
	rc = kv_iter_status(it);
	if (rc == 0 && total > PROTO_XATTR_LIST_MAX)
		rc = -E2BIG;
	if (rc == 0)
		rc = (int)total;
out:
	kv_iter_free(it);
	kv_snap_free(snap);
	free(ino);
	return rc;
}
