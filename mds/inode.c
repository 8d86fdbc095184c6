/* SPDX-License-Identifier: Apache-2.0 */
#include "inode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/cursor.h"

#include "key.h"
#include "layout_codec.h"
#include "tx.h"

static void time_put(struct proto_cur *c, const struct proto_time *t)
{
	proto_put_i64(c, t->sec);
	proto_put_u32(c, t->nsec);
}

static void time_get(struct proto_cur *c, struct proto_time *t)
{
	t->sec = proto_get_i64(c);
	t->nsec = proto_get_u32(c);
	if (t->nsec >= 1000000000u)
		proto_cur_fail(c, -EPROTO);
}

int inode_encode(const struct mds_inode *ino, uint8_t *buf, size_t cap)
{
	const struct proto_attr *a = &ino->a;
	struct proto_cur c;

	proto_cur_init(&c, buf, cap);
	proto_put_u8(&c, INODE_FMT_V1);
	proto_put_u32(&c, ino->flags);
	proto_put_fid(&c, &ino->parent);
	proto_put_u32(&c, a->mode);
	proto_put_u32(&c, a->nlink);
	proto_put_u32(&c, a->uid);
	proto_put_u32(&c, a->gid);
	proto_put_u64(&c, a->rdev);
	proto_put_u64(&c, a->size);
	proto_put_u64(&c, a->blocks);
	time_put(&c, &a->atime);
	time_put(&c, &a->mtime);
	time_put(&c, &a->ctime);
	proto_put_u64(&c, a->data_version);
	proto_put_u64(&c, ino->trunc_version);
	if (ino->flags & INODE_F_LAYOUT)
		proto_layout_enc(&c, &ino->layout); /* its wire form */
	if (S_ISLNK(a->mode))
		proto_put_str(&c, ino->target, ino->target_len, PROTO_SYMLINK_MAX);
	if (proto_cur_err(&c))
		return proto_cur_err(&c);
	return (int)c.pos;
}

int inode_decode(const struct proto_fid *fid, const uint8_t *buf, size_t len, struct mds_inode *out)
{
	struct proto_attr *a = &out->a;
	struct proto_str s;
	struct proto_cur c;

	memset(out, 0, offsetof(struct mds_inode, target));
	proto_cur_init_ro(&c, buf, len);
	if (proto_get_u8(&c) != INODE_FMT_V1)
		return -EIO;
	a->fid = *fid;
	out->flags = proto_get_u32(&c);
	proto_get_fid(&c, &out->parent);
	a->mode = proto_get_u32(&c);
	a->nlink = proto_get_u32(&c);
	a->uid = proto_get_u32(&c);
	a->gid = proto_get_u32(&c);
	a->rdev = proto_get_u64(&c);
	a->size = proto_get_u64(&c);
	a->blocks = proto_get_u64(&c);
	time_get(&c, &a->atime);
	time_get(&c, &a->mtime);
	time_get(&c, &a->ctime);
	a->data_version = proto_get_u64(&c);
	out->trunc_version = proto_get_u64(&c);
	if (out->flags & ~INODE_F_ALL)
		proto_cur_fail(&c, -EPROTO);
	if (out->flags & INODE_F_LAYOUT)
		proto_layout_dec(&c, &out->layout);
	out->target_len = 0;
	out->target[0] = '\0';
	if (S_ISLNK(a->mode)) {
		proto_get_str(&c, &s, PROTO_SYMLINK_MAX);
		memcpy(out->target, s.s, s.len);
		out->target[s.len] = '\0';
		out->target_len = (uint16_t)s.len;
	}
	if (proto_cur_finish(&c))
		return -EIO;
	a->blksize = 4096;
	if (S_ISREG(a->mode) && (out->flags & INODE_F_LAYOUT))
		a->blksize = out->layout.stripe_size;
	return 0;
}

int inode_read(struct mds_db *db, struct kv_snap *snap, const struct proto_fid *fid,
	       struct mds_inode *out)
{
	uint8_t k[KEY_FID_LEN];
	void *v = NULL;
	int rc;

	key_fid(k, KEY_INODE, fid);
	rc = kv_get(db->kv, snap, k, sizeof(k), &v);
	if (rc < 0)
		return rc;
	rc = inode_decode(fid, v, (size_t)rc, out);
	free(v);
	return rc;
}

int inode_stage(struct mds_tx *tx, const struct mds_inode *ino)
{
	uint8_t k[KEY_FID_LEN];
	uint8_t *v;
	int len;

	v = malloc(INODE_VAL_MAX);
	if (!v)
		return -ENOMEM;
	len = inode_encode(ino, v, INODE_VAL_MAX);
	if (len >= 0) {
		key_fid(k, KEY_INODE, &ino->a.fid);
		kv_batch_put(tx->b, k, sizeof(k), v, (size_t)len);
		if (S_ISDIR(ino->a.mode))
			tx_note_dir(tx, &ino->a);
		len = 0;
	}
	free(v);
	return len;
}

void inode_init(struct mds_inode *ino, struct mds_tx *tx, const struct proto_fid *fid,
		uint32_t mode)
{
	memset(ino, 0, offsetof(struct mds_inode, target));
	ino->target[0] = '\0';
	ino->a.fid = *fid;
	ino->a.mode = mode;
	ino->a.nlink = S_ISDIR(mode) ? 2 : 1;
	ino->a.uid = tx->creds.fsuid;
	ino->a.gid = tx->creds.fsgid;
	ino->a.blksize = 4096;
	ino->a.atime = ino->a.mtime = ino->a.ctime = tx->now;
	ino->a.data_version = 1;
	ino->trunc_version = 1;
	if (S_ISDIR(mode))
		ino->a.size = 4096;
}

void inode_touch_c(struct mds_inode *ino, struct mds_tx *tx)
{
	ino->a.ctime = tx->now;
}

void inode_touch_mc(struct mds_inode *ino, struct mds_tx *tx)
{
	ino->a.mtime = tx->now;
	ino->a.ctime = tx->now;
}

void inode_dir_changed(struct mds_inode *dir, struct mds_tx *tx)
{
	inode_touch_mc(dir, tx);
	dir->a.data_version++;
}

static int xattrs_delete(struct mds_tx *tx, const struct proto_fid *fid)
{
	uint8_t lo[KEY_FID_LEN], hi[KEY_FID_LEN];
	struct kv_iter *it;
	size_t klen;
	int rc;

	key_fid(lo, KEY_XATTR, fid);
	key_prefix_end(hi, lo, sizeof(lo));
	rc = kv_iter_new(tx->db->kv, NULL, lo, sizeof(lo), hi, sizeof(hi), &it);
	if (rc)
		return rc;
	for (; kv_iter_valid(it); kv_iter_next(it)) {
		const uint8_t *k = kv_iter_key(it, &klen);

		kv_batch_del(tx->b, k, klen);
	}
	rc = kv_iter_status(it);
	kv_iter_free(it);
	return rc;
}

int inode_destroy(struct mds_tx *tx, const struct mds_inode *ino)
{
	uint8_t k[KEY_MAX];
	int rc;

	rc = xattrs_delete(tx, &ino->a.fid);
	if (rc)
		return rc;
	if (S_ISREG(ino->a.mode) && (ino->flags & INODE_F_LAYOUT)) {
		for (uint32_t i = 0; i < ino->layout.nobjs; i++)
			destroyq_add(tx, ino->layout.objs[i].ost_idx, ino->layout.objs[i].objid,
				     &ino->a.fid);
	}
	key_fid(k, KEY_ORPHAN, &ino->a.fid);
	kv_batch_del(tx->b, k, KEY_FID_LEN);
	key_fid(k, KEY_INODE, &ino->a.fid);
	kv_batch_del(tx->b, k, KEY_FID_LEN);
	tx->inode_delta--;
	return 0;
}

/* Stages @ino's orphan record: version @ver, orphaned at @sec.@nsec. */
static void orphan_put(struct mds_tx *tx, const struct mds_inode *ino, uint8_t ver, int64_t sec,
		       uint32_t nsec)
{
	uint8_t k[KEY_FID_LEN];
	uint8_t v[1 + 12];
	struct proto_cur c;

	proto_cur_init(&c, v, sizeof(v));
	proto_put_u8(&c, ver);
	proto_put_i64(&c, sec);
	proto_put_u32(&c, nsec);
	key_fid(k, KEY_ORPHAN, &ino->a.fid);
	kv_batch_put(tx->b, k, sizeof(k), v, sizeof(v));
}

int inode_orphan_decode(const void *v, size_t len, uint8_t *ver, int64_t *sec, uint32_t *nsec)
{
	struct proto_cur c;

	proto_cur_init_ro(&c, v, len);
	*ver = proto_get_u8(&c);
	*sec = proto_get_i64(&c);
	*nsec = proto_get_u32(&c);
	return proto_cur_err(&c) ? -EIO : 0;
}

int inode_last_close(struct mds_tx *tx, const struct mds_inode *ino)
{
	int64_t grace = (int64_t)tx->db->opts.unlink_grace_s, sec;
	uint8_t k[KEY_FID_LEN];
	uint32_t nsec;
	size_t vlen;
	void *v;
	uint8_t ver;
	int rc;

	if (!grace || !S_ISREG(ino->a.mode))
		return inode_destroy(tx, ino);
	key_fid(k, KEY_ORPHAN, &ino->a.fid);
	if (mds_db_get(tx->db, k, sizeof(k), &v, &vlen) < 0)
		return inode_destroy(tx, ino); /* no record: the checker reports it */
	rc = inode_orphan_decode(v, vlen, &ver, &sec, &nsec);
	free(v);
	/* Due at sec + grace + 1 (stamps are whole seconds; see mds_orphan_expire). */
	if (rc || (ver != ORPHAN_V_OPEN && ver != ORPHAN_V_GRACE) || tx->now.sec > sec + grace)
		return inode_destroy(tx, ino);
	/*
	 * Counted again even if it was kept already (reopened by a late open):
	 * an expiry pass that found it open did not count it, and an over-count
	 * costs one scan.
	 */
	orphan_put(tx, ino, ORPHAN_V_GRACE, sec, nsec);
	tx->zombie_delta++;
	if (!tx->zombie_since || sec < tx->zombie_since)
		tx->zombie_since = sec;
	return 0;
}

int inode_release(struct mds_tx *tx, const struct mds_inode *ino)
{
	uint8_t ver = ORPHAN_V_OPEN;

	if (tx_open_count(tx, &ino->a.fid) == 0) {
		if (!tx->db->opts.unlink_grace_s || !S_ISREG(ino->a.mode))
			return inode_destroy(tx, ino);
		/* Kept for the opens of clients that looked it up just before. */
		ver = ORPHAN_V_GRACE;
		tx->zombie_delta++;
	}
	orphan_put(tx, ino, ver, tx->now.sec, tx->now.nsec);
	return 0;
}
