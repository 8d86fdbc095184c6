/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Directories' post-op attributes.  Every namespace reply carries the
 * attributes of the directories the change touched, as they were right
 * after it.  The kernel drops a directory's attributes after each change in
 * it (and, with default_permissions, fetches them again to check the next
 * one); answering that GETATTR from the reply saves one MDS round trip per
 * create, unlink, mkdir or rename.
 *
 * Trust: the attributes are the directory's state after that change.  They
 * are used only if no other change of this client in the directory started
 * while it was in flight (dir_seq unchanged from start to end: a change
 * overlapping ours may have been applied after it, and then ours would show
 * an older state), and only within attr_timeout of the change, answering
 * with what is left of attr_timeout.  So the kernel never holds a
 * directory's attributes longer after they were true than attr_timeout,
 * exactly as after a GETATTR; a change made by another client is seen as
 * late as it would be through the kernel's own cache.  attr_timeout=0 turns
 * this off.
 */
#include "fc_int.h"

#include <stdlib.h>

void fc_dir_attr_drop(struct fc_node *node)
{
	node->dir_seq++;
	if (node->dir_pa)
		node->dir_pa->valid = false;
}

void fc_rset_dir_change(struct fc_rset *rs, struct fc_node *dir)
{
	if (!dir || rs->ncdirs == 2 || (rs->ncdirs == 1 && rs->cdirs[0] == dir))
		return;
	pthread_mutex_lock(&dir->mu);
	fc_dir_attr_drop(dir);
	rs->ctokens[rs->ncdirs] = dir->dir_seq;
	pthread_mutex_unlock(&dir->mu);
	if (!rs->ncdirs)
		rs->cstart_ms = net_now_ms();
	rs->cdirs[rs->ncdirs++] = dir;
}

static const struct proto_attr *dirs_find(const struct proto_mds_dirs *dirs,
					  const struct proto_fid *fid)
{
	for (uint32_t i = 0; dirs && i < dirs->n; i++)
		if (proto_fid_eq(&dirs->attr[i].fid, fid))
			return &dirs->attr[i];
	return NULL;
}

/* Ends the change of @dir that started at @token; stores @a if it can be trusted. */
static void change_end(struct fc_fs *fs, struct fc_node *dir, uint64_t token,
		       const struct proto_attr *a)
{
	pthread_mutex_lock(&dir->mu);
	if (a && dir->dir_seq == token && fs->opts.attr_timeout > 0) {
		if (!dir->dir_pa)
			dir->dir_pa = malloc(sizeof(*dir->dir_pa));
		if (dir->dir_pa) {
			dir->dir_pa->a = *a;
			dir->dir_pa->ms = net_now_ms();
			dir->dir_pa->valid = true;
		}
	} else {
		fc_dir_attr_drop(dir);
	}
	pthread_mutex_unlock(&dir->mu);
}

void fc_rset_dirs_done(struct fc_rset *rs, const struct proto_mds_dirs *dirs)
{
	const struct proto_mds_dirs *fresh = dirs;

	/*
	 * A resent request's reply may be the MDS's record of the first
	 * attempt's, from long ago: its attributes are not fresh enough to
	 * answer for.
	 */
	for (uint32_t i = 0; i < rs->n; i++)
		if (net_req_attempts(rs->rpcs[i].req) > 1)
			fresh = NULL;
	for (uint32_t i = 0; i < rs->ncdirs; i++) {
		const struct proto_attr *a = dirs_find(fresh, &rs->cdirs[i]->fid);

		change_end(rs->fs, rs->cdirs[i], rs->ctokens[i], a);
		fc_dirneg_changed(rs->fs, &rs->cdirs[i]->fid, a, rs->cstart_ms);
	}
	/*
	 * Other directories the change touched (one a rename moved, or
	 * replaced): what this client holds of them is older than the change.
	 */
	for (uint32_t i = 0; dirs && i < dirs->n; i++) {
		const struct proto_fid *fid = &dirs->attr[i].fid;
		struct fc_node *n;
		bool mine = false;

		for (uint32_t j = 0; j < rs->ncdirs; j++)
			mine |= proto_fid_eq(&rs->cdirs[j]->fid, fid);
		if (mine || !(n = fc_node_find(rs->fs->nodes, fid)))
			continue;
		pthread_mutex_lock(&n->mu);
		fc_dir_attr_drop(n);
		pthread_mutex_unlock(&n->mu);
		fc_node_release(rs->fs->nodes, n);
	}
	rs->ncdirs = 0;
}

bool fc_dir_attr_cached(struct fc_fs *fs, struct fc_node *node, struct proto_attr *out,
			double *timeout)
{
	double left = -1;

	pthread_mutex_lock(&node->mu);
	if (node->dir_pa && node->dir_pa->valid) {
		left = fs->opts.attr_timeout - (double)(net_now_ms() - node->dir_pa->ms) / 1000.0;
		if (left > 0)
			*out = node->dir_pa->a;
		else
			node->dir_pa->valid = false;
	}
	pthread_mutex_unlock(&node->mu);
	if (left <= 0)
		return false;
	*timeout = left;
	atomic_fetch_add_explicit(&fs->getattr_local, 1, memory_order_relaxed);
	return true;
}
