/* SPDX-License-Identifier: Apache-2.0 */
/* Attributes: the wire form to struct stat, entries, and the errno boundary. */
#include "fc_int.h"

#include <errno.h>
#include <string.h>

void fc_attr_to_stat(const struct proto_attr *a, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = proto_fid_to_ino(&a->fid);
	st->st_mode = a->mode;
	st->st_nlink = a->nlink;
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_rdev = a->rdev;
	st->st_size = (off_t)a->size;
	st->st_blocks = (blkcnt_t)a->blocks;
	st->st_blksize = a->blksize ? a->blksize : 4096;
	st->st_atim.tv_sec = a->atime.sec;
	st->st_atim.tv_nsec = a->atime.nsec;
	st->st_mtim.tv_sec = a->mtime.sec;
	st->st_mtim.tv_nsec = a->mtime.nsec;
	st->st_ctim.tv_sec = a->ctime.sec;
	st->st_ctim.tv_nsec = a->ctime.nsec;
}

static bool time_after(const struct proto_time *a, const struct proto_time *b)
{
	return a->sec > b->sec || (a->sec == b->sec && a->nsec > b->nsec);
}

void fc_attr_merge_local(struct fc_node *node, struct proto_attr *a)
{
	if (!node->nwriters && !node->report_pending)
		return;
	if (node->size_local > a->size)
		a->size = node->size_local;
	if (node->report_pending && time_after(&node->mtime_local, &a->mtime)) {
		a->mtime = node->mtime_local;
		if (time_after(&a->mtime, &a->ctime))
			a->ctime = a->mtime;
	}
}

void fc_entry_fill(struct fc_fs *fs, struct fc_node *node, const struct proto_attr *a,
		   struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	atomic_store(&node->entry_ms, net_now_ms());
	e->ino = fc_node_id(node);
	e->generation = 1;
	fc_attr_to_stat(a, &e->attr);
	e->attr_timeout = fs->opts.attr_timeout;
	e->entry_timeout = fs->opts.entry_timeout;
}

void fc_reply_err(fuse_req_t req, int err)
{
	/* The boundary: -errno inside, FUSE's positive errno outside. */
	fuse_reply_err(req, err < 0 ? -err : err);
}

void fc_reply_entry(fuse_req_t req, const struct proto_attr *a, const struct proto_layout *l)
{
	struct fc_fs *fs = fc_fs_of(req);
	struct fuse_entry_param e;
	struct proto_attr m = *a;
	struct fc_node *node = fc_node_get(fs->nodes, &a->fid, 1);

	if (!node) {
		fc_reply_err(req, -ENOMEM);
		return;
	}
	fc_dirneg_seen(fs, a);
	pthread_mutex_lock(&node->mu);
	fc_node_set_attr(node, a, l);
	fc_attr_merge_local(node, &m);
	pthread_mutex_unlock(&node->mu);
	fc_entry_fill(fs, node, &m, &e);
	if (fuse_reply_entry(req, &e) != 0)
		fc_node_forget(fs->nodes, node, 1); /* the kernel did not take it */
}
