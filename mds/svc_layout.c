/* SPDX-License-Identifier: Apache-2.0 */
/* STATFS, GETLAYOUT, SETLAYOUT, FAIL_SET and the truncate punch. */
#include "svc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mgs.h"
#include "ost.h"

#define DECODE(r, fn, m)                                                                           \
	({                                                                                         \
		struct proto_cur _c;                                                               \
		net_srv_req_body((r), &_c);                                                        \
		fn(&_c, (m));                                                                      \
	})

void svc_h_statfs(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_statfs_rep rep = {0};
	struct proto_cur c;
	int rc;

	net_srv_req_body(r, &c);
	rc = proto_mds_empty_dec(&c);
	if (rc == 0)
		rc = mds_statfs(svc->db, &rep.mdt);
	if (rc == 0) {
		ost_set_statfs(svc->osts, &rep.osts, &rep.ost_active);
		rep.ost_count = mgs_tgt_count(svc->mgs);
		rc = proto_mds_statfs_rep_enc(net_srv_reply_body(r), &rep);
	}
	svc_reply(svc, r, rc);
}

void svc_h_getlayout(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_layout_rep *rep = calloc(1, sizeof(*rep));
	struct proto_mds_fid_req m;
	struct proto_attr a;
	int rc;

	rc = rep ? DECODE(r, proto_mds_fid_req_dec, &m) : -ENOMEM;
	if (rc == 0)
		rc = mds_getattr(svc->db, &m.fid, &a);
	if (rc == 0) {
		rc = mds_getlayout(svc->db, &m.fid, &rep->layout);
		if (rc == 0)
			rep->kind = S_ISDIR(a.mode) ? PROTO_LAYOUT_KIND_DIR_DEFAULT
						    : PROTO_LAYOUT_KIND_FILE;
		else if (rc == -ENODATA)
			rep->kind = PROTO_LAYOUT_KIND_NONE;
		if (rc == 0 || rc == -ENODATA)
			rc = proto_mds_layout_rep_enc(net_srv_reply_body(r), rep);
	}
	free(rep);
	svc_reply(svc, r, rc);
}

/*
 * A directory default naming an OST or pool that does not exist is refused
 * (-EINVAL) when it is set, not at the first create under it.
 */
static int check_targets(struct mds_svc *svc, const struct proto_layout *t)
{
	uint32_t one;

	if (t->pool[0] && mgs_pool_members(svc->mgs, t->pool, &one, 1) < 0)
		return -EINVAL;
	if (t->stripe_offset >= 0 && !mgs_tgt_known(svc->mgs, (uint32_t)t->stripe_offset))
		return -EINVAL;
	for (uint32_t i = 0; (t->flags & PROTO_LAYOUT_F_OSTLIST) && i < t->nobjs; i++)
		if (!mgs_tgt_known(svc->mgs, t->objs[i].ost_idx))
			return -EINVAL;
	return 0;
}

void svc_h_setlayout(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_setlayout_req *m = malloc(sizeof(*m));
	struct proto_mds_layout_rep *rep = calloc(1, sizeof(*rep));
	struct mds_tx *tx;
	struct proto_attr a;
	bool del;
	int rc;

	rc = m && rep ? DECODE(r, proto_mds_setlayout_req_dec, m) : -ENOMEM;
	if (rc == 0)
		rc = mds_getattr(svc->db, &m->fid, &a);
	del = rc == 0 && (m->flags & PROTO_SETLAYOUT_F_DELETE_DEFAULT);
	if (rc == 0 && !del)
		rc = check_targets(svc, &m->layout);
	if (rc) {
		svc_reply(svc, r, rc);
		goto out;
	}
	if (svc_tx_begin(svc, r, &tx))
		goto out;
	if (S_ISDIR(a.mode)) {
		rc = mds_set_dir_layout(tx, &m->fid, del ? NULL : &m->layout);
		rep->kind = del ? PROTO_LAYOUT_KIND_NONE : PROTO_LAYOUT_KIND_DIR_DEFAULT;
		if (!del)
			rep->layout = m->layout;
	} else if (del) {
		rc = -ENOTDIR;
	} else {
		rc = mds_set_file_layout(tx, &m->fid, &m->layout, &rep->layout);
		rep->kind = PROTO_LAYOUT_KIND_FILE;
	}
	if (rc >= 0)
		rc = proto_mds_layout_rep_enc(net_srv_reply_body(r), rep);
	svc_send(svc, r, svc_commit(svc, r, tx, rc));
out:
	free(m);
	free(rep);
}

void svc_h_fail_set(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mgs_fail_set_req m;
	int rc;

	if (net_srv_req_pre(r)->creds.fsuid != 0) {
		svc_reply(svc, r, -EPERM);
		return;
	}
	rc = DECODE(r, proto_mgs_fail_set_req_dec, &m);
	if (rc == 0)
		rc = failinj_set(&svc->fail, m.id, m.mode, m.value, m.count);
	if (rc == 0)
		rc = proto_mgs_empty_enc(net_srv_reply_body(r));
	svc_reply(svc, r, rc);
}

int svc_punch(struct mds_svc *svc, const struct proto_fid *fid, uint64_t size)
{
	struct proto_layout *l = malloc(sizeof(*l));
	uint64_t *sizes = NULL;
	int rc;

	if (!l)
		return -ENOMEM;
	rc = mds_getlayout(svc->db, fid, l);
	if (rc == -ENODATA) {
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	sizes = malloc(l->nobjs * sizeof(*sizes));
	rc = sizes ? proto_stripe_trunc_sizes(l, size, sizes, l->nobjs) : -ENOMEM;
	for (uint32_t i = 0; rc == 0 && i < l->nobjs; i++) {
		struct proto_ost_punch_req p = {.ost_idx = l->objs[i].ost_idx,
						.objid = l->objs[i].objid,
						.start = sizes[i],
						.end = UINT64_MAX,
						.flags = PROTO_OST_F_SYNC};
		struct net_req *req = net_req_new(PROTO_OP_OST_PUNCH, NULL);

		rc = req ? proto_ost_punch_req_enc(net_req_body(req), &p) : -ENOMEM;
		if (rc == 0)
			rc = ost_set_call(svc->osts, p.ost_idx, req, false);
		if (req)
			net_req_free(req);
		/* An object that is gone holds nothing to punch. */
		if (rc == -ENOENT)
			rc = 0;
	}
out:
	free(sizes);
	free(l);
	return rc;
}
