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

/*
 * Destroys the objects listed in @ents[0..n) (in queue order), one
 * OST_DESTROY per OST; counts them into *@done or *@left and gives each
 * OST's first object left queued back to the next pass.
 */
static void destroy_listed(struct mds_svc *svc, const struct mds_destroy_ent *ents, int n,
			   int *done, int *left)
{
	for (int i = 0; i < n;) {
		int j = i, rc;

		while (j < n && ents[j].ost_idx == ents[i].ost_idx)
			j++;
		rc = destroy_run(svc, &ents[i], (uint32_t)(j - i));
		if (rc > 0) {
			*done += rc;
		} else {
			*left += j - i;
			mds_destroyq_keep(svc->db, ents[i].ost_idx, ents[i].objid);
		}
		i = j;
	}
}

/* The whole queue, from its start (start-up). */
static int pass_all(struct mds_svc *svc, struct mds_destroy_ent *ents, int *done, int *left)
{
	struct mds_destroy_ent after;
	bool have_after = false;
	int n;

	while ((n = mds_destroyq_list(svc->db, have_after ? &after : NULL, ents, DESTROY_STEP)) >
	       0) {
		destroy_listed(svc, ents, n, done, left);
		after = ents[n - 1];
		have_after = true;
	}
	return n;
}

/* OST @ost's objects from id @from on. */
static int pass_ost(struct mds_svc *svc, uint32_t ost, uint64_t from, struct mds_destroy_ent *ents,
		    int *done, int *left)
{
	int n;

	while ((n = mds_destroyq_list_ost(svc->db, ost, from, ents, DESTROY_STEP)) > 0) {
		destroy_listed(svc, ents, n, done, left);
		if (ents[n - 1].objid == UINT64_MAX)
			break;
		from = ents[n - 1].objid + 1;
	}
	return n;
}

int destroy_pass(struct mds_svc *svc)
{
	struct mds_destroy_ent *ents = malloc(DESTROY_STEP * sizeof(*ents));
	struct mds_dq_resume r;
	int rc = 0, done = 0, left = 0;

	if (!ents)
		return -ENOMEM;
	/* Only from where objects were queued since the last pass. */
	mds_destroyq_resume(svc->db, &r);
	/*
	 * The queue is read from what is applied: destroy nothing a crash
	 * could still undo (an unlink not yet durable would bring the file
	 * back without its objects).
	 */
	rc = mds_db_wait_durable(svc->db, mds_db_applied(svc->db));
	if (rc) {
		mds_destroyq_keep_all(svc->db);
		free(r.from);
		free(ents);
		return rc;
	}
	if (r.all) {
		rc = pass_all(svc, ents, &done, &left);
	} else {
		for (uint32_t i = 0; i < r.n && rc >= 0; i++)
			if (r.from[i] != UINT64_MAX)
				rc = pass_ost(svc, i, r.from[i], ents, &done, &left);
	}
	if (rc < 0)
		mds_destroyq_keep_all(svc->db); /* all again next time */
	free(r.from);
	free(ents);
	if (rc < 0)
		return rc;
	if (done)
		NET_DEBUG("%s: destroyed %d object(s), %d left queued", svc->id.name, done, left);
	return left ? -EAGAIN : done;
}
