/* SPDX-License-Identifier: Apache-2.0 */
/* set-layout of an empty regular file (lfs setstripe FILE on an existing file). */
#include "ns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "key.h"
#include "layout_codec.h"

/*
 * True if the resolved template @t describes the instantiated layout @l:
 * same geometry and pool; an offset or count of -1 matches any; an explicit
 * OST list must name the same OSTs in the same order.
 */
static bool layout_same(const struct proto_layout *t, const struct proto_layout *l)
{
	if (t->stripe_size != l->stripe_size || strcmp(t->pool, l->pool) != 0)
		return false;
	if (t->stripe_count != -1 && t->stripe_count != l->stripe_count)
		return false;
	if (t->stripe_offset != -1 && t->stripe_offset != l->stripe_offset)
		return false;
	if (t->flags & PROTO_LAYOUT_F_OSTLIST) {
		if (t->nobjs != l->nobjs)
			return false;
		for (uint32_t i = 0; i < t->nobjs; i++)
			if (t->objs[i].ost_idx != l->objs[i].ost_idx)
				return false;
	}
	return true;
}

/* Queues the objects of @l for destruction (they belonged to @fid). */
static void queue_objects(struct mds_tx *tx, const struct proto_fid *fid,
			  const struct proto_layout *l)
{
	for (uint32_t i = 0; i < l->nobjs; i++)
		destroyq_add(tx, l->objs[i].ost_idx, l->objs[i].objid, fid);
}

struct setl_state {
	struct mds_inode ino;
	struct mds_inode root;
	struct proto_layout want;
	struct proto_layout old;
};

static int setl_locked(struct mds_tx *tx, const struct proto_layout *tmpl, struct setl_state *s)
{
	struct mds_inode *ino = &s->ino;
	struct proto_fid root = proto_fid_root();
	const struct proto_layout *rtmpl = NULL;
	int rc;

	if (!S_ISREG(ino->a.mode))
		return -EINVAL;
	if (!perm_owner_or_root(&tx->creds, &ino->a))
		return -EPERM;
	rc = inode_read(tx->db, NULL, &root, &s->root);
	if (rc == 0 && (s->root.flags & INODE_F_LAYOUT))
		rtmpl = &s->root.layout;
	else if (rc && rc != -ENOENT)
		return rc;
	layout_resolve(tmpl, NULL, rtmpl, &s->want);
	/*
	 * Setting the identical layout again succeeds (cp -a, rsync -X, tar
	 * --xattrs restore it onto a file whose layout a write-open fixed), and
	 * there "-1" (all OSTs, MDS chooses) matches whatever was chosen.  A
	 * layout that can still change is placed anew unless the request names
	 * exactly what it has: "-c -1" on a fresh file that inherited one
	 * stripe must mean all OSTs.
	 */
	if ((ino->flags & INODE_F_LAYOUT) && layout_same(&s->want, &ino->layout) &&
	    ((ino->flags & INODE_F_LAYOUT_FIXED) || s->want.stripe_count != -1))
		return 0;
	if (ino->flags & INODE_F_LAYOUT_FIXED)
		return -EEXIST;
	s->old = ino->layout;
	rc = tx->db->opts.alloc_objects(tx->db->opts.alloc_arg, tx, &ino->a.fid, &s->want);
	if (rc)
		return rc;
	if (proto_layout_check_file(&s->want))
		return -EIO;
	if (ino->flags & INODE_F_LAYOUT) {
		queue_objects(tx, &ino->a.fid, &s->old);
		s->want.gen = s->old.gen + 1;
	}
	ino->layout = s->want;
	ino->flags |= INODE_F_LAYOUT;
	ino->a.blksize = ino->layout.stripe_size;
	inode_touch_c(ino, tx);
	rc = inode_stage(tx, ino);
	return rc ? rc : 1;
}

int mds_set_file_layout(struct mds_tx *tx, const struct proto_fid *fid,
			const struct proto_layout *tmpl, struct proto_layout *out)
{
	struct proto_fid f = *fid;
	struct setl_state *s;
	int rc;

	tx_op_begin(tx);
	s = malloc(sizeof(*s));
	if (!s) {
		rc = -ENOMEM;
		goto out;
	}
	rc = layout_check_template(tmpl);
	if (rc == 0)
		rc = tx_lock(tx, &f, 1, false);
	if (rc == 0)
		rc = inode_read(tx->db, NULL, fid, &s->ino);
	if (rc == 0)
		rc = setl_locked(tx, tmpl, s);
	if (rc >= 0)
		*out = s->ino.layout;
out:
	free(s);
	return tx_op_end(tx, rc);
}
