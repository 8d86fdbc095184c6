/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Directories: opendir, readdirplus, releasedir, fsyncdir.  A directory
 * handle keeps the last MDS_READDIR reply (up to DIR_FETCH bytes of
 * entries with attributes) and serves successive kernel calls from it; the
 * offset of every entry is the MDS cookie of the next one, so a listing
 * resumes exactly where it stopped even while others change the directory.
 */
#include "fc_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DIR_FETCH (64u * 1024u)

struct dent {
	char *name;
	struct proto_fid fid;
	uint32_t type;
	uint64_t next;
	struct proto_attr attr;
};

struct fc_dir {
	pthread_mutex_t mu;
	/* Protected by mu. */
	uint64_t start; /* the cookie the cached entries were listed from */
	struct dent *ents;
	uint32_t n;
	bool eof;  /* the cached entries end the directory */
	bool have; /* ents is a listing from start */
};

static void cache_clear(struct fc_dir *d)
{
	for (uint32_t i = 0; i < d->n; i++)
		free(d->ents[i].name);
	free(d->ents);
	d->ents = NULL;
	d->n = 0;
	d->have = false;
}

void fc_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fc_dir *d = calloc(1, sizeof(*d));

	if (!d) {
		fc_reply_err(req, -ENOMEM);
		return;
	}
	pthread_mutex_init(&d->mu, NULL);
	fi->fh = (uintptr_t)d;
	fi->cache_readdir = 0;
	fi->keep_cache = 0;
	if (fuse_reply_open(req, fi) != 0) {
		pthread_mutex_destroy(&d->mu);
		free(d);
	}
}

void fc_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fc_dir *d = (struct fc_dir *)(uintptr_t)fi->fh;

	cache_clear(d);
	pthread_mutex_destroy(&d->mu);
	free(d);
	fc_reply_err(req, 0);
}

static bool is_dot(const char *s)
{
	return s[0] == '.' && (s[1] == 0 || (s[1] == '.' && s[2] == 0));
}

/*
 * The index of the entry at offset @off in the cache, or -1 if the cache does
 * not hold that position (under mu).  Index n means "after the last entry".
 */
static int64_t cache_pos(struct fc_dir *d, uint64_t off)
{
	if (!d->have)
		return -1;
	if (off == d->start)
		return 0;
	for (uint32_t i = 0; i < d->n; i++)
		if (d->ents[i].next == off)
			return i + 1;
	return -1;
}

/*
 * Fills a reply of at most @size bytes from cache index @i (under mu).
 * Returns the buffer (length in *used) or NULL if out of memory.  The caller
 * replies after unlocking: once the reply is out the kernel may send
 * RELEASEDIR, which frees @d on another thread, so nothing may touch @d
 * (not even its mutex) after fuse_reply_*.
 */
static char *serve(struct fc_fs *fs, fuse_req_t req, struct fc_dir *d, uint32_t i, size_t size,
		   size_t *usedp)
{
	char *buf = malloc(size ? size : 1);
	size_t used = 0;

	*usedp = 0;
	if (!buf)
		return NULL;
	for (; i < d->n; i++) {
		struct dent *de = &d->ents[i];
		struct fuse_entry_param e;
		struct fc_node *node = NULL;
		size_t sz;

		if (is_dot(de->name)) {
			memset(&e, 0, sizeof(e));
			fc_attr_to_stat(&de->attr, &e.attr);
			e.attr.st_mode = DTTOIF(de->type);
			e.attr.st_ino = proto_fid_to_ino(&de->fid);
		} else {
			struct proto_attr m = de->attr;

			node = fc_node_get(fs->nodes, &de->fid, 1);
			if (!node)
				break;
			fc_dirneg_seen(fs, &de->attr);
			pthread_mutex_lock(&node->mu);
			fc_node_set_attr(node, &de->attr, NULL);
			fc_attr_merge_local(node, &m);
			pthread_mutex_unlock(&node->mu);
			fc_entry_fill(fs, node, &m, &e);
		}
		sz = fuse_add_direntry_plus(req, buf + used, size - used, de->name, &e,
					    (off_t)de->next);
		if (sz > size - used) {
			if (node) /* not returned: the kernel does not count it */
				fc_node_forget(fs->nodes, node, 1);
			break;
		}
		used += sz;
	}
	*usedp = used;
	return buf;
}

/* Replies with what serve() built (under no lock). */
static void reply_listing(fuse_req_t req, char *buf, size_t used, int err)
{
	if (err)
		fc_reply_err(req, err);
	else if (!buf)
		fc_reply_err(req, -ENOMEM);
	else
		fuse_reply_buf(req, buf, used);
	free(buf);
}

struct rd_ctx {
	struct fc_dir *d;
	uint64_t cookie;
	size_t size;
};

static void readdir_done(struct fc_rset *rs, int status)
{
	struct rd_ctx *x = rs->priv;
	struct fc_dir *d = x->d;
	struct proto_mds_readdir_rep_iter it;
	struct proto_mds_dirent e;
	struct proto_cur c;
	uint32_t cap = 0;
	char *buf = NULL;
	size_t used = 0;
	int err = 0;

	pthread_mutex_lock(&d->mu);
	cache_clear(d);
	if (status == 0) {
		net_req_reply(fc_rset_req(rs, 0), &c);
		status = proto_mds_readdir_rep_iter_init(&it, &c);
	}
	while (status == 0) {
		struct dent *de;

		status = proto_mds_readdir_rep_iter_next(&it, &e);
		if (status != 1)
			break;
		status = 0;
		if (d->n == cap) {
			cap = cap ? cap * 2 : 64;
			de = realloc(d->ents, cap * sizeof(*de));
			if (!de) {
				status = -ENOMEM;
				break;
			}
			d->ents = de;
		}
		de = &d->ents[d->n];
		de->name = strndup(e.name.s, e.name.len);
		if (!de->name) {
			status = -ENOMEM;
			break;
		}
		de->fid = e.fid;
		de->type = e.type;
		de->next = e.next;
		de->attr = e.attr;
		d->n++;
	}
	if (status < 0) {
		cache_clear(d);
		err = status;
	} else {
		d->have = true;
		d->start = x->cookie;
		d->eof = (it.flags & PROTO_READDIR_F_EOF) != 0;
		buf = serve(rs->fs, rs->freq, d, 0, x->size, &used);
	}
	pthread_mutex_unlock(&d->mu);
	/* @d may be freed (RELEASEDIR) as soon as the reply is out. */
	reply_listing(rs->freq, buf, used, err);
	free(x);
}

void fc_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fc_dir *d = (struct fc_dir *)(uintptr_t)fi->fh;
	struct proto_mds_readdir_req m = {.fid = fc_node_of(fs->nodes, ino)->fid,
					  .max_bytes = DIR_FETCH,
					  .flags = PROTO_READDIR_F_PLUS};
	struct rd_ctx *x;
	struct net_req *r;
	size_t used = 0;
	int64_t i;
	int rc;

	pthread_mutex_lock(&d->mu);
	i = cache_pos(d, (uint64_t)off);
	if (i >= 0 && (i < d->n || d->eof)) {
		char *buf = serve(fs, req, d, (uint32_t)i, size, &used);

		pthread_mutex_unlock(&d->mu);
		reply_listing(req, buf, used, 0);
		return;
	}
	pthread_mutex_unlock(&d->mu);
	m.cookie = (uint64_t)off;
	x = malloc(sizeof(*x));
	r = x ? fc_mds_req(req, PROTO_OP_MDS_READDIR) : NULL;
	rc = r ? proto_mds_readdir_req_enc(net_req_body(r), &m) : -ENOMEM;
	if (rc) {
		net_req_free(r);
		free(x);
		fc_reply_err(req, rc);
		return;
	}
	*x = (struct rd_ctx){.d = d, .cookie = (uint64_t)off, .size = size};
	fc_mds_call(fs, req, r, readdir_done, x);
}

static void err_done(struct fc_rset *rs, int status)
{
	fc_reply_err(rs->freq, status);
}

void fc_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct proto_mds_close_req m = {.fid = fc_node_of(fs->nodes, ino)->fid};
	struct net_req *r = fc_mds_req(req, PROTO_OP_MDS_SYNC);
	int rc = r ? proto_mds_close_req_enc(net_req_body(r), &m) : -ENOMEM;

	if (rc) {
		net_req_free(r);
		fc_reply_err(req, rc);
		return;
	}
	fc_mds_call(fs, req, r, err_done, NULL);
}
