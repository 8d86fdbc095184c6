/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Creates kept for replay, and the recovery after an MDS restart (Lustre's
 * transno/last_committed scheme, for creates).
 *
 * The MDS may answer a create before its batch is durable; the reply then
 * carries the create's transno, above the last_committed every reply
 * carries.  The client keeps such a create, encoded as its own replay (the
 * FID, owner, mode, times and objects the reply gave), until a reply reports
 * it committed.  If the MDS restarts first, the client holds its queue,
 * replays the kept creates, reclaims its open handles, and only then lets
 * resends and new requests go (docs/client.md, "Recovery").
 */
#include "fc_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fc_retained {
	struct fc_retained *next;
	uint64_t transno;
	struct proto_creds creds;
	struct proto_fid fid, parent; /* for the logs */
	char name[PROTO_NAME_MAX + 1];
	uint32_t len; /* of body */
	uint8_t body[];
};

bool fc_retain_room(struct fc_fs *fs)
{
	return atomic_load(&fs->nretained) < FC_RETAIN_MAX;
}

void fc_retain_create(struct fc_fs *fs, struct net_req *req, const struct proto_creds *creds,
		      const struct proto_mds_create_req *m, const struct proto_mds_open_rep *rep)
{
	const struct proto_rep_pre *pre = net_req_rep_pre(req);
	struct proto_mds_create_req *r = NULL;
	struct fc_retained *e = NULL;
	uint8_t *buf = NULL;
	struct proto_cur c;
	uint32_t cap = proto_op_req_body_max(PROTO_OP_MDS_CREATE);

	if (pre->transno == 0 || pre->transno <= pre->last_committed)
		return; /* answered once durable: nothing to keep */
	if (!(rep->flags & PROTO_OPEN_REP_F_LAYOUT)) {
		NET_ERR("create of " PROTO_FID_F " answered early without its layout: "
			"it cannot be replayed",
			PROTO_FID_P(&rep->attr.fid));
		return;
	}
	r = malloc(sizeof(*r));
	buf = malloc(cap);
	if (!r || !buf)
		goto nomem;
	*r = (struct proto_mds_create_req){
	    .parent = m->parent,
	    .name = m->name,
	    .mode = rep->attr.mode & 07777,
	    .flags =
		(m->flags & PROTO_CREATE_F_EXCL) | PROTO_CREATE_F_LAYOUT | PROTO_CREATE_F_REPLAY,
	    .layout = rep->layout,
	    .replay_xid = net_req_xid(req),
	    .replay_attr = rep->attr,
	};
	proto_cur_init(&c, buf, cap);
	if (proto_mds_create_req_enc(&c, r)) {
		NET_ERR("create of " PROTO_FID_F ": its replay does not encode: it cannot be "
			"replayed",
			PROTO_FID_P(&rep->attr.fid));
		goto out;
	}
	e = malloc(sizeof(*e) + c.pos);
	if (!e)
		goto nomem;
	e->transno = pre->transno;
	e->creds = *creds;
	e->fid = rep->attr.fid;
	e->parent = m->parent;
	memcpy(e->name, m->name.s, m->name.len);
	e->name[m->name.len] = '\0';
	e->len = (uint32_t)c.pos;
	memcpy(e->body, buf, c.pos);
	pthread_mutex_lock(&fs->retain_mu);
	e->next = fs->retained;
	fs->retained = e;
	atomic_fetch_add(&fs->nretained, 1);
	pthread_mutex_unlock(&fs->retain_mu);
	goto out;
nomem:
	NET_ERR("create of " PROTO_FID_F ": out of memory to keep it for replay: an MDS "
		"restart before its commit would lose it",
		PROTO_FID_P(&rep->attr.fid));
out:
	free(buf);
	free(r);
}

void fc_retain_note(struct fc_fs *fs, const struct proto_rep_pre *pre)
{
	struct fc_retained **p, *dead = NULL;

	if (atomic_load(&fs->nretained) == 0 || pre->last_committed == 0)
		return;
	pthread_mutex_lock(&fs->retain_mu);
	for (p = &fs->retained; *p;) {
		struct fc_retained *e = *p;

		if (e->transno <= pre->last_committed) {
			*p = e->next;
			e->next = dead;
			dead = e;
			atomic_fetch_sub(&fs->nretained, 1);
		} else {
			p = &e->next;
		}
	}
	pthread_mutex_unlock(&fs->retain_mu);
	while (dead) {
		struct fc_retained *e = dead;

		dead = e->next;
		free(e);
	}
}

static void free_list(struct fc_retained *e)
{
	while (e) {
		struct fc_retained *next = e->next;

		free(e);
		e = next;
	}
}

void fc_retain_free(struct fc_fs *fs)
{
	pthread_mutex_lock(&fs->retain_mu);
	free_list(fs->retained);
	fs->retained = NULL;
	atomic_store(&fs->nretained, 0);
	pthread_mutex_unlock(&fs->retain_mu);
}

/* ---- recovery after an MDS restart (loop thread) ------------------------- */

static void rec_round(struct fc_fs *fs);

static void rec_done(struct fc_fs *fs)
{
	if (fs->rec_again) {
		NET_INFO("MDS restarted again during recovery: replaying again");
		rec_round(fs);
		return;
	}
	fs->rec_busy = false;
	if (fs->rec_lost)
		NET_ERR("MDS recovery done: %u of %u replayed create(s) failed; those files "
			"are lost",
			fs->rec_lost, fs->rec_creates);
	else
		NET_INFO("MDS recovery done (%u create(s) replayed): resuming", fs->rec_creates);
	net_client_release(fs->mds);
}

static void open_replayed(struct fc_rset *rs, int status)
{
	struct fc_fs *fs = rs->fs;
	struct proto_fid *fid = rs->priv;

	if (status)
		NET_WARN("replaying an open of " PROTO_FID_F " after the MDS restarted: %s",
			 PROTO_FID_P(fid), strerror(-status));
	free(fid);
	if (--fs->rec_pending == 0)
		rec_done(fs);
}

static void rec_opens(struct fc_fs *fs)
{
	fs->rec_pending = fc_files_replay(fs, open_replayed);
	if (fs->rec_pending)
		NET_INFO("MDS restarted: replaying %u open file(s)", fs->rec_pending);
	else
		rec_done(fs);
}

static void create_replayed(struct fc_rset *rs, int status)
{
	struct fc_fs *fs = rs->fs;
	struct fc_retained *e = rs->priv;

	if (status) {
		fs->rec_lost++;
		NET_ERR("replaying the create of " PROTO_FID_F " ('%s' in " PROTO_FID_F
			") after the MDS restarted: %s",
			PROTO_FID_P(&e->fid), e->name, PROTO_FID_P(&e->parent), strerror(-status));
	}
	free(e);
	if (--fs->rec_pending == 0)
		rec_opens(fs);
}

/* Replays every kept create (in any order: one client's lost creates
 * commute, docs/client.md), then the opens. */
static void rec_round(struct fc_fs *fs)
{
	struct fc_retained *list, *e;
	uint32_t n = 0;

	fs->rec_again = false;
	pthread_mutex_lock(&fs->retain_mu);
	list = fs->retained;
	fs->retained = NULL;
	atomic_store(&fs->nretained, 0);
	pthread_mutex_unlock(&fs->retain_mu);
	/* Counted first: a completion must not see the count reach zero early. */
	for (e = list; e; e = e->next)
		n++;
	fs->rec_pending = n + 1;
	fs->rec_creates += n;
	if (n)
		NET_INFO("MDS restarted: replaying %u create(s) it answered before they were "
			 "durable",
			 n);
	while (list) {
		struct net_req *r;
		struct fc_rset *rs;

		e = list;
		list = e->next;
		e->next = NULL;
		r = net_req_new(PROTO_OP_MDS_CREATE, &e->creds);
		rs = r ? fc_rset_new(fs, NULL, create_replayed, e) : NULL;
		if (!rs) {
			net_req_free(r);
			fs->rec_lost++;
			NET_ERR("replaying the create of " PROTO_FID_F ": out of memory",
				PROTO_FID_P(&e->fid));
			free(e);
			fs->rec_pending--;
			continue;
		}
		proto_put_bytes(net_req_body(r), e->body, e->len);
		net_req_set_replay(r);
		fc_mds_send(rs, r, NULL, NULL);
		fc_rset_seal(rs);
	}
	if (--fs->rec_pending == 0)
		rec_opens(fs);
}

void fc_replay_on_state(struct net_client *cl, enum net_client_state st, void *arg)
{
	struct fc_fs *fs = arg;
	uint64_t boot, old;

	if (st != NET_CLIENT_CONNECTED)
		return;
	boot = net_client_boot_instance(cl);
	old = atomic_exchange(&fs->mds_boot, boot);
	if (old == 0 || boot == 0 || old == boot)
		return;
	/* A new MDS instance: nothing but replays until they are done. */
	net_client_hold(cl);
	/* Changes it lost and replays it gets make versions unreliable. */
	fc_dirnegs_clear(fs);
	if (fs->rec_busy) {
		fs->rec_again = true;
		return;
	}
	fs->rec_busy = true;
	fs->rec_creates = fs->rec_lost = 0;
	rec_round(fs);
}
