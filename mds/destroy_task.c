/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The destroy task: takes objects from the persistent destroy queue, sends
 * OST_DESTROY batches to their OSTs and removes the entries an OST
 * acknowledged.  Objects of an OST that is down (or not registered) stay
 * queued and are retried on a later pass; the queue survives restarts.
 */
#include "svc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ost.h"

/* Queue entries read per step (one OST_DESTROY carries at most this many). */
#define DESTROY_STEP PROTO_OST_DESTROY_MAX

/* Destroys @n objects of one OST and dequeues them.  Returns @n or -errno. */
static int destroy_run(struct mds_svc *svc, const struct mds_destroy_ent *e, uint32_t n)
{
	struct proto_ost_destroy_req *m = malloc(sizeof(*m));
	struct proto_creds root = {0};
	struct net_req *req = NULL;
	struct mds_tx *tx;
	int rc;

	if (!m)
		return -ENOMEM;
	m->ost_idx = e[0].ost_idx;
	m->count = n;
	for (uint32_t i = 0; i < n; i++)
		m->objids[i] = e[i].objid;
	req = net_req_new(PROTO_OP_OST_DESTROY, NULL);
	rc = req ? proto_ost_destroy_req_enc(net_req_body(req), m) : -ENOMEM;
	if (rc == 0)
		rc = ost_set_call(svc->osts, m->ost_idx, req, true);
	if (rc) {
		if (rc != -ENOTCONN && rc != -ENODEV)
			NET_ERR("%s: destroying %u object(s) on OST index %u (first 0x%llx): %s; "
				"retried later",
				svc->id.name, n, m->ost_idx, (unsigned long long)m->objids[0],
				strerror(-rc));
		goto out;
	}
	rc = mds_tx_begin(svc->db, &root, &tx);
	if (rc)
		goto out;
	for (uint32_t i = 0; i < n; i++)
		mds_destroyq_remove(tx, e[i].ost_idx, e[i].objid);
	rc = mds_tx_commit(tx);
	if (rc == 0)
		rc = (int)n;
out:
	if (req)
		net_req_free(req);
	free(m);
	return rc;
}

int destroy_pass(struct mds_svc *svc)
{
	struct mds_destroy_ent *ents = malloc(DESTROY_STEP * sizeof(*ents)), after;
	int n, done = 0, left = 0;
	bool have_after = false;

	if (!ents)
		return -ENOMEM;
	for (;;) {
		n = mds_destroyq_list(svc->db, have_after ? &after : NULL, ents, DESTROY_STEP);
		if (n <= 0)
			break;
		for (int i = 0; i < n;) {
			int j = i;

			while (j < n && ents[j].ost_idx == ents[i].ost_idx)
				j++;
			int rc = destroy_run(svc, &ents[i], (uint32_t)(j - i));

			if (rc > 0)
				done += rc;
			else
				left += j - i;
			i = j;
		}
		after = ents[n - 1];
		have_after = true;
	}
	free(ents);
	if (n < 0)
		return n;
	if (done)
		NET_DEBUG("%s: destroyed %d object(s), %d left queued", svc->id.name, done, left);
	return left ? -EAGAIN : done;
}
