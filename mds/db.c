/* SPDX-License-Identifier: Apache-2.0 */
/* Formatting, opening and closing the database; raw record access. */
#include "db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "inode.h"
#include "key.h"
#include "kv.h"
#include "layout_codec.h"
#include "tx.h"

struct proto_time db_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (struct proto_time){.sec = ts.tv_sec, .nsec = (uint32_t)ts.tv_nsec};
}

static void format_record(uint8_t v[5])
{
	struct proto_cur c;

	proto_cur_init(&c, v, 5);
	proto_put_u8(&c, 1);
	proto_put_u32(&c, MDS_FORMAT_VERSION);
}

/* Stages the root directory into @b. */
static int format_root(struct kv_batch *b)
{
	struct mds_inode *root;
	uint8_t k[KEY_FID_LEN];
	uint8_t *v = NULL;
	int len = -ENOMEM;

	root = calloc(1, sizeof(*root));
	v = malloc(INODE_VAL_MAX);
	if (!root || !v)
		goto out;
	root->a.fid = proto_fid_root();
	root->a.mode = S_IFDIR | 0755;
	root->a.nlink = 2;
	root->a.size = 4096;
	root->a.atime = root->a.mtime = root->a.ctime = db_now();
	root->a.data_version = 1;
	root->trunc_version = 1;
	root->parent = root->a.fid;
	root->flags = INODE_F_LAYOUT;
	layout_root_default(&root->layout);
	len = inode_encode(root, v, INODE_VAL_MAX);
	if (len < 0)
		goto out;
	key_fid(k, KEY_INODE, &root->a.fid);
	kv_batch_put(b, k, sizeof(k), v, (size_t)len);
	len = 0;
out:
	free(v);
	free(root);
	return len;
}

int mds_db_format(const char *path)
{
	struct kv_batch *b = NULL;
	struct kv *kv = NULL;
	uint8_t fmt[5];
	int rc;

	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	rc = kv_open(path, true, false, &kv);
	if (rc)
		return rc;
	rc = kv_batch_new(&b);
	if (rc)
		goto out_close;
	format_record(fmt);
	kv_batch_put(b, KEY_SUPER_FORMAT, strlen(KEY_SUPER_FORMAT), fmt, sizeof(fmt));
	fid_alloc_format(b);
	rc = format_root(b);
	if (rc)
		goto out_batch;
	rc = kv_write(kv, b, true);
out_batch:
	kv_batch_free(b);
out_close:
	kv_close(kv);
	return rc;
}

static int check_format(struct kv *kv)
{
	struct proto_cur c;
	void *v = NULL;
	int rc;

	rc = kv_get(kv, NULL, KEY_SUPER_FORMAT, strlen(KEY_SUPER_FORMAT), &v);
	if (rc < 0)
		return rc;
	proto_cur_init_ro(&c, v, (size_t)rc);
	rc = 0;
	if (proto_get_u8(&c) != 1 || proto_get_u32(&c) != MDS_FORMAT_VERSION ||
	    proto_cur_finish(&c))
		rc = -EPROTONOSUPPORT;
	free(v);
	return rc;
}

static int count_inodes(struct kv *kv, int64_t *out)
{
	uint8_t lo[1] = {KEY_INODE}, hi[1] = {KEY_INODE + 1};
	struct kv_iter *it;
	int64_t n = 0;
	int rc;

	rc = kv_iter_new(kv, NULL, lo, 1, hi, 1, &it);
	if (rc)
		return rc;
	for (; kv_iter_valid(it); kv_iter_next(it))
		n++;
	rc = kv_iter_status(it);
	kv_iter_free(it);
	if (rc == 0)
		*out = n;
	return rc;
}

int mds_db_open(const char *path, const struct mds_db_opts *opts, struct mds_db **out)
{
	struct mds_db *db;
	int64_t n = 0;
	int rc;

	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	if (opts)
		db->opts = *opts;
	if (!db->opts.alloc_objects)
		db->opts.alloc_objects = mds_alloc_objects_fake;
	if (!db->opts.name_hash)
		db->opts.name_hash = mds_name_hash_default;
	db->path = strdup(path);
	if (!db->path) {
		rc = -ENOMEM;
		goto fail_free;
	}
	rc = kv_open(path, false, db->opts.manual_wal_flush, &db->kv);
	if (rc)
		goto fail_free;
	rc = check_format(db->kv);
	if (rc)
		goto fail_kv;
	rc = fid_alloc_init(&db->fids, db->kv, db->opts.fid_range);
	if (rc)
		goto fail_kv;
	rc = count_inodes(db->kv, &n);
	if (rc)
		goto fail_fids;
	atomic_init(&db->ninodes, n);
	atomic_init(&db->zombies, 1); /* look once for any kept before a restart */
	atomic_init(&db->zombie_due, INT64_MIN);
	atomic_init(&db->destroy_adds, 0);
	lock_table_init(&db->locks);
	gc_init(&db->gc, db->opts.commit_window_us);
	open_table_init(&db->opens);
	pthread_mutex_init(&db->apply_mu, NULL);
	pthread_mutex_init(&db->dq_mu, NULL);
	db->dq_all = true;
	*out = db;
	return 0;
fail_fids:
	fid_alloc_destroy(&db->fids);
fail_kv:
	kv_close(db->kv);
fail_free:
	free(db->path);
	free(db);
	return rc;
}

void mds_db_close(struct mds_db *db)
{
	if (!db)
		return;
	kv_sync_wal(db->kv);
	pthread_mutex_destroy(&db->apply_mu);
	pthread_mutex_destroy(&db->dq_mu);
	free(db->dq_from);
	open_table_destroy(&db->opens);
	gc_destroy(&db->gc);
	lock_table_destroy(&db->locks);
	fid_alloc_destroy(&db->fids);
	kv_close(db->kv);
	free(db->path);
	free(db);
}

uint64_t mds_db_destroy_adds(struct mds_db *db)
{
	return atomic_load(&db->destroy_adds);
}

uint64_t mds_db_wal_syncs(struct mds_db *db)
{
	return gc_syncs(&db->gc);
}

uint64_t mds_db_applied(struct mds_db *db)
{
	return gc_applied(&db->gc);
}

int mds_db_get(struct mds_db *db, const void *key, size_t klen, void **val, size_t *vlen)
{
	void *v = NULL;
	int rc;

	rc = kv_get(db->kv, NULL, key, klen, &v);
	if (rc < 0)
		return rc;
	*val = v;
	*vlen = (size_t)rc;
	return rc;
}

int mds_db_scan(struct mds_db *db, const void *prefix, size_t plen, mds_scan_fn fn, void *arg)
{
	uint8_t hi[KEY_MAX];
	struct kv_snap *snap;
	struct kv_iter *it;
	size_t hlen, klen, vlen;
	int rc;

	if (plen == 0 || plen > KEY_MAX)
		return -EINVAL;
	hlen = key_prefix_end(hi, prefix, plen);
	rc = kv_snap_new(db->kv, &snap);
	if (rc)
		return rc;
	rc = kv_iter_new(db->kv, snap, prefix, plen, hlen ? hi : NULL, hlen, &it);
	if (rc)
		goto out_snap;
	for (; kv_iter_valid(it); kv_iter_next(it)) {
		const uint8_t *k = kv_iter_key(it, &klen);
		const uint8_t *v = kv_iter_val(it, &vlen);

		rc = fn(arg, k, klen, v, vlen);
		if (rc)
			break;
	}
	if (rc == 0)
		rc = kv_iter_status(it);
	kv_iter_free(it);
out_snap:
	kv_snap_free(snap);
	return rc;
}

void mds_reads_cache_only(bool on)
{
	kv_cache_only(on);
}
