/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CREATE, OPEN, CLOSE, SYNC and the open handles of each client.  A handle
 * is the client's name for one open reference in the core's open table; it
 * lives in the client's export state, is released by CLOSE, and every handle
 * of an evicted client is closed by the housekeeping thread.
 */
#include "svc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DECODE(r, fn, m)                                                                           \
	({                                                                                         \
		struct proto_cur _c;                                                               \
		net_srv_req_body((r), &_c);                                                        \
		fn(&_c, (m));                                                                      \
	})

#define HANDLE_BUCKETS_MIN 16u

static uint32_t handle_bucket(uint64_t handle, uint32_t nb)
{
	/* Handles are a boot instance and a counter: mix the counter's low bits up. */
	return (uint32_t)((handle * 0x9e3779b97f4a7c15ULL) >> 32) & (nb - 1);
}

/* Doubles @cl's table (cl->mu held); on failure the old one stays, only slower. */
static void handles_grow(struct svc_client *cl)
{
	uint32_t nb = cl->hnb ? cl->hnb * 2 : HANDLE_BUCKETS_MIN;
	struct svc_handle **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (uint32_t i = 0; i < cl->hnb; i++) {
		struct svc_handle *h, *next;

		for (h = cl->hb[i]; h; h = next) {
			uint32_t k = handle_bucket(h->handle, nb);

			next = h->next;
			h->next = b[k];
			b[k] = h;
		}
	}
	free(cl->hb);
	cl->hb = b;
	cl->hnb = nb;
}

int svc_handle_add(struct svc_client *cl, uint64_t handle, const struct proto_fid *fid,
		   uint32_t flags)
{
	struct svc_handle *h = malloc(sizeof(*h));
	int rc = 0;

	if (!h)
		return -ENOMEM;
	h->handle = handle;
	h->fid = *fid;
	h->flags = flags;
	pthread_mutex_lock(&cl->mu);
	if (cl->nhandles >= cl->hnb)
		handles_grow(cl);
	if (cl->hb) {
		uint32_t k = handle_bucket(handle, cl->hnb);

		h->next = cl->hb[k];
		cl->hb[k] = h;
		cl->nhandles++;
	} else {
		rc = -ENOMEM;
	}
	pthread_mutex_unlock(&cl->mu);
	if (rc)
		free(h);
	return rc;
}

/* The link that points at @handle's entry (cl->mu held), or NULL. */
static struct svc_handle **handle_find(struct svc_client *cl, uint64_t handle)
{
	struct svc_handle **p;

	if (!cl->hb)
		return NULL;
	for (p = &cl->hb[handle_bucket(handle, cl->hnb)]; *p; p = &(*p)->next)
		if ((*p)->handle == handle)
			return p;
	return NULL;
}

bool svc_handle_has(struct svc_client *cl, uint64_t handle, const struct proto_fid *fid)
{
	struct svc_handle **p;
	bool found;

	pthread_mutex_lock(&cl->mu);
	p = handle_find(cl, handle);
	found = p && (!fid || proto_fid_eq(&(*p)->fid, fid));
	pthread_mutex_unlock(&cl->mu);
	return found;
}

/* Removes @handle; true if it was there. */
static bool handle_del(struct svc_client *cl, uint64_t handle)
{
	struct svc_handle **p, *h = NULL;

	pthread_mutex_lock(&cl->mu);
	p = handle_find(cl, handle);
	if (p) {
		h = *p;
		*p = h->next;
		cl->nhandles--;
	}
	pthread_mutex_unlock(&cl->mu);
	free(h);
	return h != NULL;
}

/* Empties @cl's table (cl->mu held) and returns its handles as one list. */
static struct svc_handle *handles_take(struct svc_client *cl)
{
	struct svc_handle *all = NULL, *h, *next;

	for (uint32_t i = 0; i < cl->hnb; i++) {
		for (h = cl->hb[i]; h; h = next) {
			next = h->next;
			h->next = all;
			all = h;
		}
		cl->hb[i] = NULL;
	}
	cl->nhandles = 0;
	return all;
}

void svc_handles_free(struct svc_client *cl)
{
	struct svc_handle *h, *next;

	pthread_mutex_lock(&cl->mu);
	h = handles_take(cl);
	free(cl->hb);
	cl->hb = NULL;
	cl->hnb = 0;
	pthread_mutex_unlock(&cl->mu);
	for (; h; h = next) {
		next = h->next;
		free(h);
	}
}

uint64_t svc_handle_new(struct mds_svc *svc)
{
	return atomic_fetch_add(&svc->handle_seq, 1);
}

static uint32_t open_flags_to_mds(uint32_t f)
{
	switch (f & O_ACCMODE) {
	case O_WRONLY:
		return MDS_OPEN_WRITE;
	case O_RDWR:
		return MDS_OPEN_READ | MDS_OPEN_WRITE;
	default:
		return (f & O_TRUNC) ? MDS_OPEN_READ | MDS_OPEN_WRITE : MDS_OPEN_READ;
	}
}

/* Takes an open reference outside a client request (replays, fixups). */
static int reopen(struct mds_svc *svc, const struct proto_fid *fid, uint32_t flags)
{
	struct proto_creds root = {0};
	struct proto_attr a;
	struct mds_tx *tx;
	int rc;

	rc = mds_tx_begin(svc->db, &root, &tx);
	if (rc)
		return rc;
	rc = mds_open(tx, fid, flags | MDS_OPEN_NOCHECK, &a);
	if (rc) {
		mds_tx_abort(tx);
		return rc;
	}
	return mds_tx_commit(tx);
}

/*
 * A create answered before it was durable, replayed after a restart.  The
 * original's reply record means it was committed after all.  Otherwise the
 * file is made again as it was (FID, owner, mode, times, objects), but only
 * inside the recovery window: after it, other clients may have reused the
 * name and orphan cleanup has destroyed the objects.
 */
static void create_replay(struct mds_svc *svc, struct net_srv_req *r, struct svc_client *cl,
			  const struct proto_mds_create_req *m, struct proto_mds_open_rep *rep)
{
	const struct proto_fid *fid = &m->replay_attr.fid;
	struct rlog_rec rec;
	struct mds_tx *tx;
	int rc, status;

	rc = rlog_get(svc->db, cl->uuid, m->replay_xid, &rec);
	if (rc == 0) {
		NET_INFO("%s: client %s replayed the create of " PROTO_FID_F
			 " (xid %llu): committed before the restart",
			 svc->id.name, cl->uuid_str, PROTO_FID_P(fid),
			 (unsigned long long)m->replay_xid);
		proto_put_bytes(net_srv_reply_body(r), rec.body, rec.len);
		free(rec.body);
		svc_send(svc, r, rec.opcode == PROTO_OP_MDS_CREATE ? rec.status : -EPROTO);
		return;
	}
	if (rc != -ENOENT) {
		svc_reply(svc, r, rc);
		return;
	}
	if (!rec_active(svc)) {
		NET_ERR("%s: client %s replayed the create of " PROTO_FID_F " '%.*s' after the "
			"recovery window closed: refused, the file is lost",
			svc->id.name, cl->uuid_str, PROTO_FID_P(fid), (int)m->name.len, m->name.s);
		svc_reply(svc, r, -ESTALE);
		return;
	}
	if (svc_tx_begin(svc, r, &tx))
		return;
	rc = mds_create_replay(tx, &m->parent, m->name, &m->replay_attr, &m->layout, &rep->attr);
	if (rc >= 0) {
		rep->flags = PROTO_OPEN_REP_F_LAYOUT | (rc == 0 ? PROTO_OPEN_REP_F_CREATED : 0);
		rep->layout = m->layout;
		mds_tx_dirs(tx, &rep->dirs);
		rc = proto_mds_open_rep_enc(net_srv_reply_body(r), rep);
	}
	status = svc_commit(svc, r, tx, rc);
	if (status == 0)
		NET_INFO("%s: client %s replayed the create of " PROTO_FID_F " '%.*s': %s",
			 svc->id.name, cl->uuid_str, PROTO_FID_P(fid), (int)m->name.len, m->name.s,
			 rep->flags & PROTO_OPEN_REP_F_CREATED ? "recreated" : "in place");
	else
		NET_ERR("%s: client %s replayed the create of " PROTO_FID_F
			" '%.*s' in " PROTO_FID_F ": %s",
			svc->id.name, cl->uuid_str, PROTO_FID_P(fid), (int)m->name.len, m->name.s,
			PROTO_FID_P(&m->parent), strerror(-status));
	svc_send(svc, r, status);
}

void svc_h_create(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct svc_client *cl = svc_client_of(r);
	struct proto_mds_create_req *m = malloc(sizeof(*m));
	struct proto_mds_open_rep *rep = calloc(1, sizeof(*rep));
	uint32_t cflags = 0, oflags = 0;
	struct mds_tx *tx = NULL;
	uint64_t early = 0;
	int rc, status;

	rc = m && rep && cl ? DECODE(r, proto_mds_create_req_dec, m) : -ENOMEM;
	/* The header's replay flag (not parked) and the body's go together. */
	if (rc == 0 && !(m->flags & PROTO_CREATE_F_REPLAY) != !net_srv_req_replay(r))
		rc = -EPROTO;
	if (rc) {
		svc_reply(svc, r, rc);
		goto out;
	}
	if (m->flags & PROTO_CREATE_F_REPLAY) {
		create_replay(svc, r, cl, m, rep);
		goto out;
	}
	if (m->flags & PROTO_CREATE_F_EXCL)
		cflags |= MDS_CREATE_EXCL;
	if (m->flags & PROTO_CREATE_F_OPEN) {
		oflags = open_flags_to_mds(m->open_flags);
		cflags |= MDS_CREATE_OPEN;
		if (oflags & MDS_OPEN_WRITE)
			cflags |= MDS_CREATE_WRITE;
	}
	if (svc_tx_begin(svc, r, &tx))
		goto out;
	rc = mds_create_ex(tx, &m->parent, m->name, m->mode, cflags,
			   (m->flags & PROTO_CREATE_F_LAYOUT) ? &m->layout : NULL, &rep->attr,
			   &rep->layout);
	if (rc >= 0) {
		if (rc == 0)
			rep->flags |= PROTO_OPEN_REP_F_CREATED;
		if (rep->layout.nobjs)
			rep->flags |= PROTO_OPEN_REP_F_LAYOUT;
		if (cflags & MDS_CREATE_OPEN) {
			rep->flags |= PROTO_OPEN_REP_F_OPENED;
			rep->handle = svc_handle_new(svc);
		}
		mds_tx_dirs(tx, &rep->dirs);
		rc = proto_mds_open_rep_enc(net_srv_reply_body(r), rep);
	}
	/* Only a new file is answered early: the client replays it as one. */
	if (rc == 0 && (m->flags & PROTO_CREATE_F_REPLAYABLE))
		status = svc_commit_early(svc, r, tx, rc, &early);
	else
		status = svc_commit(svc, r, tx, rc);
	if (status == 0 && rep->handle && svc_handle_add(cl, rep->handle, &rep->attr.fid, oflags))
		status = -ENOMEM; /* the reference stays until eviction */
	svc_send(svc, r, status);
	if (early)
		svc_commit_finish(svc, PROTO_OP_MDS_CREATE, early);
out:
	free(m);
	free(rep);
}

/* OPEN with PROTO_OPEN_F_REPLAY: reclaims a handle from before a restart. */
static int open_replay(struct mds_svc *svc, struct svc_client *cl,
		       const struct proto_mds_open_req *m, uint32_t flags)
{
	if (m->handle == 0)
		return -EINVAL;
	if (svc_handle_has(cl, m->handle, NULL))
		return svc_handle_has(cl, m->handle, &m->fid) ? 1 : -EINVAL;
	return 0;
}

void svc_h_open(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct svc_client *cl = svc_client_of(r);
	struct proto_mds_open_rep *rep = calloc(1, sizeof(*rep));
	struct proto_mds_open_req m;
	struct mds_tx *tx;
	uint32_t flags;
	bool replay, known = false;
	int rc, status;

	rc = rep && cl ? DECODE(r, proto_mds_open_req_dec, &m) : -ENOMEM;
	if (rc) {
		svc_reply(svc, r, rc);
		goto out;
	}
	flags = open_flags_to_mds(m.open_flags);
	if (m.flags & PROTO_OPEN_F_RECENT)
		flags |= MDS_OPEN_RECENT;
	replay = m.flags & PROTO_OPEN_F_REPLAY;
	if (replay) {
		rc = open_replay(svc, cl, &m, flags);
		if (rc < 0) {
			svc_reply(svc, r, rc);
			goto out;
		}
		known = rc == 1;
		flags |= MDS_OPEN_NOCHECK;
	}
	if (svc_tx_begin(svc, r, &tx))
		goto out;
	rc = known ? mds_getattr(svc->db, &m.fid, &rep->attr)
		   : mds_open(tx, &m.fid, flags, &rep->attr);
	if (rc == 0) {
		rep->flags = PROTO_OPEN_REP_F_OPENED;
		rep->handle = replay ? m.handle : svc_handle_new(svc);
		/* Under the file's lock until apply: the layout cannot change. */
		if (S_ISREG(rep->attr.mode) && mds_getlayout(svc->db, &m.fid, &rep->layout) == 0)
			rep->flags |= PROTO_OPEN_REP_F_LAYOUT;
		rc = proto_mds_open_rep_enc(net_srv_reply_body(r), rep);
	}
	status = svc_commit(svc, r, tx, rc);
	if (status == 0 && !known &&
	    svc_handle_add(cl, rep->handle, &m.fid, flags & ~(MDS_OPEN_NOCHECK | MDS_OPEN_RECENT)))
		status = -ENOMEM;
	if (replay && status)
		NET_WARN("%s: client %s could not replay its open of " PROTO_FID_F ": %s",
			 svc->id.name, cl->uuid_str, PROTO_FID_P(&m.fid), strerror(-status));
	svc_send(svc, r, status);
out:
	free(rep);
}

/* A writer's report as the core takes it; NULL when there is none. */
static const struct mds_size_report *
report_of(struct mds_svc *svc, const struct proto_mds_close_req *m, struct mds_size_report *rep)
{
	struct proto_attr a;

	if (m->report.valid == 0)
		return NULL;
	rep->data_version = m->report.data_version;
	rep->size = (m->report.valid & PROTO_REPORT_SIZE) ? m->report.size : 0;
	rep->blocks = m->report.blocks;
	if (!(m->report.valid & PROTO_REPORT_BLOCKS))
		rep->blocks = mds_getattr(svc->db, &m->fid, &a) == 0 ? a.blocks : 0;
	/* A writer that reports an mtime wrote data. */
	rep->wrote = m->report.valid & PROTO_REPORT_MTIME;
	return rep;
}

void svc_h_close(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct svc_client *cl = svc_client_of(r);
	struct proto_mds_close_req m;
	struct mds_size_report rep;
	struct mds_tx *tx;
	int rc, status;

	rc = cl ? DECODE(r, proto_mds_close_req_dec, &m) : -ENOMEM;
	if (rc) {
		svc_reply(svc, r, rc);
		return;
	}
	if (svc_tx_begin(svc, r, &tx))
		return;
	if (!svc_handle_has(cl, m.handle, &m.fid))
		rc = -EBADF;
	else
		rc = mds_close(tx, &m.fid, report_of(svc, &m, &rep));
	if (rc == 0)
		rc = proto_mds_empty_enc(net_srv_reply_body(r));
	status = svc_commit(svc, r, tx, rc);
	if (status == 0)
		handle_del(cl, m.handle);
	svc_send(svc, r, status);
}

/* SYNC: applies a size report (not recorded: a report is idempotent). */
void svc_h_sync(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct svc_client *cl = svc_client_of(r);
	struct proto_mds_close_req m;
	struct proto_mds_attr_rep out = {.dirs.n = 0};
	struct mds_size_report rep;
	const struct mds_size_report *rp;
	struct mds_tx *tx;
	int rc;

	rc = cl ? DECODE(r, proto_mds_close_req_dec, &m) : -ENOMEM;
	if (rc == 0 && m.handle && !svc_handle_has(cl, m.handle, &m.fid))
		rc = -EBADF;
	rp = rc == 0 ? report_of(svc, &m, &rep) : NULL;
	if (rc == 0 && rp && m.handle) {
		rc = mds_tx_begin(svc->db, &net_srv_req_pre(r)->creds, &tx);
		if (rc == 0) {
			rc = mds_report_size(tx, &m.fid, rp);
			if (rc < 0)
				mds_tx_abort(tx);
			else
				rc = mds_tx_commit(tx);
		}
	}
	/*
	 * fsync and fsyncdir: everything applied so far is durable before the
	 * answer, creates answered early included (no sync if it already is).
	 */
	if (rc == 0) {
		rc = mds_db_wait_durable(svc->db, mds_db_applied(svc->db));
		if (rc == 0)
			net_server_note_committed(svc->srv, mds_db_durable(svc->db));
	}
	if (rc == 0)
		rc = mds_getattr(svc->db, &m.fid, &out.attr);
	if (rc == 0)
		rc = proto_mds_attr_rep_enc(net_srv_reply_body(r), &out);
	svc_reply(svc, r, rc);
}

void svc_replay_fixup(struct mds_svc *svc, struct net_srv_req *r, struct svc_client *cl,
		      const struct rlog_rec *rec)
{
	struct proto_mds_open_rep *rep;
	struct proto_cur c;
	uint32_t flags = MDS_OPEN_READ;

	if (rec->status != 0)
		return;
	if (rec->opcode == PROTO_OP_MDS_SETATTR) {
		struct proto_mds_setattr_req m;
		struct proto_mds_attr_rep done;
		struct proto_attr now;

		if (DECODE(r, proto_mds_setattr_req_dec, &m) || !(m.valid & PROTO_SETATTR_SIZE))
			return;
		proto_cur_init_ro(&c, rec->body, rec->len);
		/* Punch again only if nothing changed the data since the truncate. */
		if (proto_mds_attr_rep_dec(&c, &done) == 0 &&
		    mds_getattr(svc->db, &m.fid, &now) == 0 &&
		    now.data_version == done.attr.data_version)
			svc_punch(svc, &m.fid, done.attr.size);
		return;
	}
	if (rec->opcode != PROTO_OP_MDS_OPEN && rec->opcode != PROTO_OP_MDS_CREATE)
		return;
	rep = malloc(sizeof(*rep));
	if (!rep)
		return;
	proto_cur_init_ro(&c, rec->body, rec->len);
	if (proto_mds_open_rep_dec(&c, rep) == 0 && (rep->flags & PROTO_OPEN_REP_F_OPENED) &&
	    !svc_handle_has(cl, rep->handle, NULL)) {
		/* The server restarted since: the reference is gone, take it again. */
		if (rec->opcode == PROTO_OP_MDS_OPEN) {
			struct proto_mds_open_req m;

			if (DECODE(r, proto_mds_open_req_dec, &m) == 0)
				flags = open_flags_to_mds(m.open_flags);
		} else {
			struct proto_mds_create_req *m = malloc(sizeof(*m));

			if (m && DECODE(r, proto_mds_create_req_dec, m) == 0)
				flags = open_flags_to_mds(m->open_flags);
			free(m);
		}
		if (reopen(svc, &rep->attr.fid, flags) == 0)
			svc_handle_add(cl, rep->handle, &rep->attr.fid, flags);
	}
	free(rep);
}

void svc_client_close_all(struct mds_svc *svc, struct svc_client *cl)
{
	struct proto_creds root = {0};
	struct svc_handle *h, *next;
	struct mds_tx *tx;
	uint32_t n = 0;

	pthread_mutex_lock(&cl->mu);
	h = handles_take(cl);
	pthread_mutex_unlock(&cl->mu);
	for (; h; h = next) {
		int rc = mds_tx_begin(svc->db, &root, &tx);

		next = h->next;
		if (rc == 0) {
			rc = mds_close(tx, &h->fid, NULL);
			if (rc)
				mds_tx_abort(tx);
			else
				rc = mds_tx_commit(tx);
		}
		if (rc)
			NET_ERR("%s: closing " PROTO_FID_F " for evicted client %s: %s",
				svc->id.name, PROTO_FID_P(&h->fid), cl->uuid_str, strerror(-rc));
		else
			n++;
		free(h);
	}
	if (n)
		NET_INFO("%s: closed %u open file(s) of evicted client %s", svc->id.name, n,
			 cl->uuid_str);
	svc_kick(svc);
}
