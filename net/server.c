/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RPC server.
 *
 * The loop thread owns the sockets, the handshake and the exports; handlers
 * run on worker threads (or inline on the loop for NET_H_INLINE ones, and
 * for NET_H_TRY_INLINE ones while the workers are idle) and reply from any
 * thread: the replying thread writes the reply itself if it can borrow the
 * sleeping loop, else the reply is handed back to the loop to send.
 *
 * An export is a client uuid.  When a client reconnects, its old connection is
 * closed; requests of the old connection that have not started are dropped,
 * and those that are running are waited for: until they finish, the new
 * connection's requests are held (so no old write lands after a newer one,
 * and a resent request finds the original's outcome recorded).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "xprt.h"

#define DEFAULT_WORKERS	     8
#define DEFAULT_MAX_INFLIGHT 256
#define DEFAULT_IDLE_MS	     60000
#define DEFAULT_HANDSHAKE_MS 10000
#define DEFAULT_EVICT_MS     120000
#define TICK_MS		     1000
#define MAX_LISTENERS	     8
#define EXP_BUCKETS	     256
#define REP_PRE_LEN	     32 /* encoded struct proto_rep_pre */
#define INLINE_PER_ITERATION 16 /* NET_H_TRY_INLINE requests run on the loop per iteration */

struct srv_conn;

struct net_export {
	struct net_server *srv;
	uint8_t uuid[PROTO_UUID_LEN];
	char uuid_str[33];
	uint32_t role;
	void *priv;
	/* loop thread */
	struct srv_conn *conn; /* current connection, or NULL */
	uint32_t old_active;   /* running requests of superseded connections */
	bool departing;	       /* its client sent DISCONNECT: evict as soon as it closes */
	struct net_srv_req *held_head, *held_tail;
	struct net_timer *evict_timer;
	struct net_export *next; /* hash chain */
};

struct srv_conn {
	struct net_server *srv;
	struct net_conn *xc; /* loop thread; NULL once closed */
	const struct net_xprt *xprt;
	char peer[64];
	atomic_int refs;
	/* loop thread */
	struct net_export *exp;
	bool authed;
	bool hello_seen;
	_Atomic bool superseded; /* set on the loop, read by workers */
	bool paused;
	uint8_t cnonce[PROTO_NONCE_LEN];
	uint8_t snonce[PROTO_NONCE_LEN];
	uint8_t hello_uuid[PROTO_UUID_LEN];
	uint32_t hello_role;
	uint32_t active; /* requests received and not yet finished */
	uint64_t created_ms, last_rx_ms;
	struct srv_conn *prev, *next; /* srv->conns */
};

struct net_srv_req {
	struct net_server *srv;
	struct srv_conn *conn; /* holds a reference */
	struct net_export *exp;
	const struct net_handler *h;
	struct net_msg *in;
	struct proto_req_pre pre;
	size_t body_off;
	/* reply */
	uint8_t *rbody;
	struct proto_cur rcur;
	struct net_msg out;
	void (*bulk_release)(void *arg);
	void *bulk_arg;
	uint64_t transno; /* of the change this reply answers, 0: none */
	bool replied;
	struct net_call call;
	struct net_srv_req *next; /* worker queue or held queue */
};

struct accept_ctx {
	struct net_server *srv;
	const struct net_xprt *xprt;
};

struct net_server {
	struct net_server_cfg cfg;
	char name[64];
	char fsname[PROTO_FSNAME_MAX + 1];
	struct net_call start_call;
	struct net_loop *loop;
	struct net_listener *listeners[MAX_LISTENERS];
	const struct net_xprt *lxprt[MAX_LISTENERS];
	struct accept_ctx actx[MAX_LISTENERS];
	int nlisteners;
	struct net_handler handlers[PROTO_OP_LIMIT];
	struct net_timer *tick;
	_Atomic uint64_t tgt_gen;
	_Atomic uint64_t last_committed;
	/* loop thread */
	struct srv_conn *conns;
	struct net_export *exports[EXP_BUCKETS];
	bool stopping;
	/* worker queue, protected by qlock */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct net_srv_req *qhead, *qtail;
	bool workers_exit;
	pthread_t *workers;
	uint32_t nworkers_started;
	/* loop thread: the request running inline (NET_H_TRY_INLINE), and how
	 * many more may this iteration */
	struct net_srv_req *inline_req;
	uint32_t inline_budget;
	/* requests not yet finished, over all connections; protected by qlock */
	uint64_t active_total;
	pthread_cond_t idle_cond;
	bool started;
};

static void finish_req(struct net_srv_req *r);
static void dispatch(struct net_srv_req *r);

/* ---- connections and exports ---- */

static void conn_put(struct srv_conn *sc)
{
	if (atomic_fetch_sub(&sc->refs, 1) == 1)
		free(sc);
}

static struct net_export **exp_slot(struct net_server *srv, const uint8_t *uuid)
{
	uint32_t h = 0;

	for (int i = 0; i < PROTO_UUID_LEN; i++)
		h = h * 31 + uuid[i];
	return &srv->exports[h % EXP_BUCKETS];
}

static struct net_export *exp_find(struct net_server *srv, const uint8_t *uuid)
{
	for (struct net_export *e = *exp_slot(srv, uuid); e; e = e->next)
		if (memcmp(e->uuid, uuid, PROTO_UUID_LEN) == 0)
			return e;
	return NULL;
}

static void exp_free(struct net_export *e)
{
	struct net_export **s = exp_slot(e->srv, e->uuid);

	for (; *s; s = &(*s)->next)
		if (*s == e) {
			*s = e->next;
			break;
		}
	net_timer_free(e->evict_timer);
	free(e);
}

static void evict_cb(void *arg)
{
	struct net_export *e = arg;
	struct net_server *srv = e->srv;

	if (e->conn)
		return;
	if (e->old_active) {
		net_timer_arm(e->evict_timer, TICK_MS);
		return;
	}
	if (e->departing)
		NET_INFO("%s: client %s disconnected cleanly", srv->name, e->uuid_str);
	else
		NET_WARN("%s: evicting client %s: disconnected for %u ms", srv->name, e->uuid_str,
			 srv->cfg.evict_ms);
	if (srv->cfg.on_export_evict)
		srv->cfg.on_export_evict(e, srv->cfg.arg);
	exp_free(e);
}

static void release_held(struct net_export *e)
{
	struct net_srv_req *r = e->held_head;

	e->held_head = e->held_tail = NULL;
	while (r) {
		struct net_srv_req *next = r->next;

		r->next = NULL;
		dispatch(r);
		r = next;
	}
}

/*
 * Finishes the held requests of @sc (a connection going away): they never
 * started, and its client will resend them.
 */
static void purge_held(struct net_export *e, struct srv_conn *sc)
{
	struct net_srv_req **p = &e->held_head, *r;

	e->held_tail = NULL;
	while ((r = *p) != NULL) {
		if (r->conn == sc) {
			*p = r->next;
			finish_req(r);
			continue;
		}
		e->held_tail = r;
		p = &r->next;
	}
}

/* Binds @sc to the export of @uuid, superseding an older connection. */
static int attach(struct srv_conn *sc, const uint8_t *uuid, uint32_t role)
{
	struct net_server *srv = sc->srv;
	struct net_export *e = exp_find(srv, uuid);

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		if (net_timer_new(srv->loop, evict_cb, e, &e->evict_timer) < 0) {
			free(e);
			return -ENOMEM;
		}
		e->srv = srv;
		memcpy(e->uuid, uuid, PROTO_UUID_LEN);
		net_uuid_str(uuid, e->uuid_str);
		e->role = role;
		e->next = *exp_slot(srv, uuid);
		*exp_slot(srv, uuid) = e;
		NET_INFO("%s: new client %s from %s", srv->name, e->uuid_str, sc->peer);
		if (srv->cfg.on_export_new)
			srv->cfg.on_export_new(e, srv->cfg.arg);
	} else {
		net_timer_disarm(e->evict_timer);
		e->departing = false;
		if (e->conn && e->conn != sc) {
			struct srv_conn *old = e->conn;

			NET_INFO("%s: client %s reconnected from %s; closing its old connection "
				 "from %s (%u request(s) still running)",
				 srv->name, e->uuid_str, sc->peer, old->peer, old->active);
			purge_held(e, old);
			old->superseded = true;
			e->old_active += old->active;
			e->conn = NULL;
			old->exp = e;
			if (old->xc)
				old->xprt->close(old->xc, -ECONNRESET);
		} else {
			NET_INFO("%s: client %s reconnected from %s", srv->name, e->uuid_str,
				 sc->peer);
		}
	}
	e->conn = sc;
	sc->exp = e;
	sc->authed = true;
	return 0;
}

/* ---- replies ---- */

static void reply_sent(struct net_msg *m, int err)
{
	struct net_srv_req *r = m->owner;

	finish_req(r);
}

static void finish_on_loop(void *arg)
{
	finish_req(arg);
}

/*
 * Sends the reply from the calling thread, which borrowed the loop, so that
 * the loop need not wake up for it.  Returns false (nothing done) when the
 * reply must take the usual way.  What follows the send (finish_req:
 * counters, held requests, freeing) is bookkeeping nobody waits for; it runs
 * on the loop's next iteration without waking it, except when a reconnect or
 * back-pressure depends on it.
 */
static bool reply_now(struct net_srv_req *r)
{
	struct srv_conn *sc = r->conn;
	int rc;

	/*
	 * A stopping server waits for every request to finish: wake it for each.
	 * A reply with bulk (a read's data) goes through the loop, which writes
	 * it while the worker takes the next request, and gathers several into
	 * one writev.
	 */
	if (!sc->xc || sc->superseded || sc->paused || r->srv->stopping || r->out.bulk_niov ||
	    r->bulk_release || !sc->xprt->send_now)
		return false;
	r->out.sent = reply_sent;
	r->out.owner = r;
	rc = sc->xprt->send_now(sc->xc, &r->out);
	if (rc < 0)
		return false;
	if (rc == 1) {
		r->call.fn = finish_on_loop;
		r->call.arg = r;
		net_loop_post_lazy(r->srv->loop, &r->call);
	}
	return true;
}

static void reply_on_loop(void *arg)
{
	struct net_srv_req *r = arg;
	struct srv_conn *sc = r->conn;

	if (sc->xc && !sc->superseded) {
		r->out.sent = reply_sent;
		r->out.owner = r;
		sc->xprt->send(sc->xc, &r->out);
		return;
	}
	finish_req(r);
}

static void encode_reply(struct net_srv_req *r, int status)
{
	struct net_server *srv = r->srv;
	struct proto_rep_pre pre = {.boot_instance = srv->cfg.boot_instance,
				    .tgt_gen = atomic_load(&srv->tgt_gen),
				    .transno = r->transno,
				    .last_committed = atomic_load(&srv->last_committed)};
	struct proto_cur c;
	uint32_t len;

	if (!r->rbody) {
		/* Error before the handler ran: a preamble-only reply. */
		r->rbody = malloc(REP_PRE_LEN);
		if (!r->rbody)
			return;
		proto_cur_init(&r->rcur, r->rbody, REP_PRE_LEN);
		r->rcur.pos = REP_PRE_LEN;
	}
	if (!status && proto_cur_err(&r->rcur)) {
		NET_ERR("%s: reply to %s xid %llu does not fit its size limit", srv->name,
			proto_op_name(r->in->hdr.opcode), (unsigned long long)r->in->hdr.xid);
		status = -EOVERFLOW;
	}
	len = status ? REP_PRE_LEN : (uint32_t)r->rcur.pos;
	proto_cur_init(&c, r->rbody, REP_PRE_LEN);
	proto_rep_pre_enc(&c, &pre);
	if (status) {
		if (r->bulk_release)
			r->bulk_release(r->bulk_arg);
		r->bulk_release = NULL;
		r->out.bulk_niov = 0;
	}
	r->out.body = r->rbody;
	r->out.hdr.opcode = r->in->hdr.opcode;
	r->out.hdr.flags = PROTO_F_REPLY | (r->in->hdr.flags & PROTO_F_NOCSUM);
	r->out.hdr.status = status;
	r->out.hdr.xid = r->in->hdr.xid;
	r->out.hdr.body_len = len;
	net_msg_seal(&r->out);
}

struct proto_cur *net_srv_reply_body(struct net_srv_req *r)
{
	if (!r->rbody) {
		uint32_t cap = proto_op_rep_body_max(r->in->hdr.opcode);

		r->rbody = malloc(cap);
		if (!r->rbody) {
			/* The cursor fails every put; the reply becomes -EOVERFLOW. */
			proto_cur_init(&r->rcur, NULL, 0);
			proto_cur_fail(&r->rcur, -ENOMEM);
			return &r->rcur;
		}
		proto_cur_init(&r->rcur, r->rbody, cap);
		r->rcur.pos = REP_PRE_LEN;
	}
	return &r->rcur;
}

void net_srv_reply_bulk(struct net_srv_req *r, const struct iovec *iov, int niov,
			void (*release)(void *arg), void *arg)
{
	if (niov > NET_MSG_MAX_IOV)
		niov = NET_MSG_MAX_IOV;
	memcpy(r->out.bulk_iov, iov, (size_t)niov * sizeof(*iov));
	r->out.bulk_niov = niov;
	r->bulk_release = release;
	r->bulk_arg = arg;
}

void net_srv_reply(struct net_srv_req *r, int status)
{
	r->replied = true;
	encode_reply(r, status);
	if (!r->rbody) {
		NET_ERR("%s: out of memory replying to xid %llu", r->srv->name,
			(unsigned long long)r->in->hdr.xid);
		net_srv_drop(r);
		return;
	}
	if (net_loop_borrow(r->srv->loop)) {
		bool sent = reply_now(r);

		net_loop_unborrow(r->srv->loop);
		if (sent)
			return;
	}
	r->call.fn = reply_on_loop;
	r->call.arg = r;
	net_loop_post(r->srv->loop, &r->call);
}

static void drop_on_loop(void *arg)
{
	finish_req(arg);
}

void net_srv_drop(struct net_srv_req *r)
{
	if (r->bulk_release)
		r->bulk_release(r->bulk_arg);
	r->bulk_release = NULL;
	r->out.bulk_niov = 0;
	r->call.fn = drop_on_loop;
	r->call.arg = r;
	net_loop_post(r->srv->loop, &r->call);
}

/* Loop thread: the request is over (replied, dropped or aborted). */
static void finish_req(struct net_srv_req *r)
{
	struct net_server *srv = r->srv;
	struct srv_conn *sc = r->conn;

	if (r->bulk_release)
		r->bulk_release(r->bulk_arg);
	sc->active--;
	if (sc->superseded && sc->exp) {
		struct net_export *e = sc->exp;

		if (e->old_active && --e->old_active == 0 && e->held_head)
			release_held(e);
	}
	if (sc->paused && sc->xc && sc->active < srv->cfg.max_inflight / 2) {
		sc->paused = false;
		sc->xprt->pause_rx(sc->xc, false);
	}
	net_msg_free(r->in);
	free(r->rbody);
	conn_put(sc);
	free(r);
	pthread_mutex_lock(&srv->qlock);
	if (--srv->active_total == 0)
		pthread_cond_broadcast(&srv->idle_cond);
	pthread_mutex_unlock(&srv->qlock);
}

/* ---- running handlers ---- */

/* Checksums and preamble; 0 or the -errno to answer with. */
static int prepare(struct net_srv_req *r)
{
	struct proto_cur c;

	if (net_msg_verify(r->in)) {
		NET_ERR("%s: checksum mismatch in %s xid %llu from %s (client %s)", r->srv->name,
			proto_op_name(r->in->hdr.opcode), (unsigned long long)r->in->hdr.xid,
			r->conn->peer, r->exp ? r->exp->uuid_str : "?");
		return -EBADMSG;
	}
	proto_cur_init(&c, r->in->body, r->in->hdr.body_len);
	proto_req_pre_dec(&c, &r->pre);
	if (proto_cur_err(&c)) {
		NET_ERR("%s: malformed request preamble in %s from %s", r->srv->name,
			proto_op_name(r->in->hdr.opcode), r->conn->peer);
		return -EPROTO;
	}
	r->body_off = c.pos;
	return 0;
}

static void run_handler(struct net_srv_req *r)
{
	int err;

	/* A request of a connection that was replaced before it started is dropped. */
	if (r->conn->superseded) {
		net_srv_drop(r);
		return;
	}
	err = prepare(r);
	if (err) {
		net_srv_reply(r, err);
		return;
	}
	r->h->fn(r, r->srv->cfg.arg);
}

static void *worker_main(void *arg)
{
	struct net_server *srv = arg;

	for (;;) {
		struct net_srv_req *r;

		pthread_mutex_lock(&srv->qlock);
		while (!srv->qhead && !srv->workers_exit)
			pthread_cond_wait(&srv->qcond, &srv->qlock);
		r = srv->qhead;
		if (!r) {
			pthread_mutex_unlock(&srv->qlock);
			return NULL;
		}
		srv->qhead = r->next;
		if (!srv->qhead)
			srv->qtail = NULL;
		pthread_mutex_unlock(&srv->qlock);
		r->next = NULL;
		run_handler(r);
	}
}

static void queue_for_worker(struct net_srv_req *r)
{
	struct net_server *srv = r->srv;

	pthread_mutex_lock(&srv->qlock);
	if (srv->qtail)
		srv->qtail->next = r;
	else
		srv->qhead = r;
	srv->qtail = r;
	pthread_cond_signal(&srv->qcond);
	pthread_mutex_unlock(&srv->qlock);
}

/*
 * Whether a NET_H_TRY_INLINE request may run on the loop now: only while the
 * workers have no backlog (with one, the loop's time is better spent reading
 * requests for them) and within this iteration's budget, so that a burst of
 * cheap requests cannot keep the loop from its sockets for long.
 */
static bool may_run_inline(struct net_server *srv)
{
	bool idle;

	if (!srv->inline_budget)
		return false;
	pthread_mutex_lock(&srv->qlock);
	idle = !srv->qhead;
	pthread_mutex_unlock(&srv->qlock);
	return idle;
}

/* Before the loop sleeps: a new iteration gets a new inline budget. */
static void inline_budget_hook(void *arg)
{
	struct net_server *srv = arg;

	srv->inline_budget = INLINE_PER_ITERATION;
}

static void dispatch(struct net_srv_req *r)
{
	struct net_server *srv = r->srv;

	if (!r->h->fn) {
		net_srv_reply(r, -ENOSYS);
		return;
	}
	if (r->h->flags & NET_H_INLINE) {
		run_handler(r);
		return;
	}
	if ((r->h->flags & NET_H_TRY_INLINE) && may_run_inline(srv)) {
		srv->inline_budget--;
		srv->inline_req = r;
		run_handler(r);
		srv->inline_req = NULL;
		return;
	}
	queue_for_worker(r);
}

bool net_srv_req_inline(const struct net_srv_req *r)
{
	/* The loop's own field, read only on the loop thread. */
	return net_loop_in_thread(r->srv->loop) && r->srv->inline_req == r;
}

void net_srv_defer(struct net_srv_req *r)
{
	r->srv->inline_req = NULL;
	queue_for_worker(r);
}

/* ---- built-in handlers ---- */

static void ping_handler(struct net_srv_req *r, void *arg)
{
	struct proto_cur c;
	struct proto_ping ping;
	int err;

	net_srv_req_body(r, &c);
	err = proto_ping_dec(&c, &ping);
	if (!err)
		proto_ping_enc(net_srv_reply_body(r), &ping);
	net_srv_reply(r, err);
}

/* DISCONNECT: the client is leaving for good; forget it once it closes. */
static void disconnect_handler(struct net_srv_req *r, void *arg)
{
	if (r->exp)
		r->exp->departing = true;
	ping_handler(r, arg);
}

/* ---- the handshake (loop thread) ---- */

static void hs_reply(struct srv_conn *sc, struct net_srv_req *r, int status,
		     const struct proto_connect_rep *rep)
{
	if (!status)
		proto_connect_rep_enc(net_srv_reply_body(r), rep);
	net_srv_reply(r, status);
}

static void handle_connect(struct srv_conn *sc, struct net_srv_req *r)
{
	struct net_server *srv = sc->srv;
	struct proto_connect_req req;
	struct proto_connect_rep rep = {0};
	struct proto_cur c;
	char us[33];
	int err;

	err = prepare(r);
	if (!err) {
		proto_cur_init(&c, r->in->body + r->body_off, r->in->hdr.body_len - r->body_off);
		err = proto_connect_req_dec(&c, &req);
	}
	if (err) {
		NET_ERR("%s: malformed CONNECT from %s; closing", srv->name, sc->peer);
		net_srv_drop(r);
		sc->xprt->close(sc->xc, -EPROTO);
		return;
	}
	net_uuid_str(req.uuid, us);
	rep.phase = req.phase;
	rep.version = PROTO_VERSION;
	memcpy(rep.server_uuid, srv->cfg.uuid, PROTO_UUID_LEN);
	if (req.version != PROTO_VERSION) {
		NET_ERR("%s: client %s from %s speaks protocol version %u, we speak %u; refused",
			srv->name, us, sc->peer, req.version, PROTO_VERSION);
		hs_reply(sc, r, -EPROTONOSUPPORT, NULL);
		return;
	}
	if (strcmp(req.fsname, srv->fsname) != 0) {
		NET_ERR("%s: client %s from %s asked for file system '%s'; this is '%s'; refused",
			srv->name, us, sc->peer, req.fsname, srv->fsname);
		hs_reply(sc, r, -ENODEV, NULL);
		return;
	}
	if (sc->authed) {
		hs_reply(sc, r, -EISCONN, NULL);
		return;
	}
	if (req.phase == PROTO_CONNECT_HELLO) {
		if (srv->cfg.key) {
			if (net_random(sc->snonce, PROTO_NONCE_LEN) < 0) {
				hs_reply(sc, r, -EIO, NULL);
				return;
			}
			memcpy(sc->cnonce, req.nonce, PROTO_NONCE_LEN);
			memcpy(sc->hello_uuid, req.uuid, PROTO_UUID_LEN);
			sc->hello_role = req.role;
			sc->hello_seen = true;
			rep.auth_required = 1;
			memcpy(rep.nonce, sc->snonce, PROTO_NONCE_LEN);
			hs_reply(sc, r, 0, &rep);
			return;
		}
		err = attach(sc, req.uuid, req.role);
		hs_reply(sc, r, err, &rep);
		return;
	}
	/* PROOF */
	if (!srv->cfg.key || !sc->hello_seen ||
	    memcmp(sc->hello_uuid, req.uuid, PROTO_UUID_LEN) != 0 ||
	    memcmp(sc->cnonce, req.nonce, PROTO_NONCE_LEN) != 0) {
		hs_reply(sc, r, -EPROTO, NULL);
		return;
	}
	{
		uint8_t want[PROTO_MAC_LEN];

		net_auth_client_proof(srv->cfg.key, sc->snonce, sc->cnonce, req.uuid, want);
		if (!net_auth_mac_eq(want, req.mac)) {
			NET_ERR("%s: client %s from %s failed authentication (%s); refused",
				srv->name, us, sc->peer,
				net_auth_mac_is_empty(req.mac) ? "it has no key" : "wrong key");
			hs_reply(sc, r, -EACCES, NULL);
			return;
		}
	}
	net_auth_server_proof(srv->cfg.key, sc->cnonce, sc->snonce, req.uuid, rep.mac);
	err = attach(sc, req.uuid, sc->hello_role);
	hs_reply(sc, r, err, &rep);
}

/* ---- transport upcalls ---- */

static void srv_on_msg(struct net_conn *xc, struct net_msg *m, void *arg)
{
	struct srv_conn *sc = arg;
	struct net_server *srv = sc->srv;
	struct net_srv_req *r;

	sc->last_rx_ms = net_now_ms();
	if (m->hdr.flags & PROTO_F_REPLY) {
		NET_ERR("%s: %s sent a reply where a request was expected; closing", srv->name,
			sc->peer);
		net_msg_free(m);
		sc->xprt->close(xc, -EPROTO);
		return;
	}
	if (srv->stopping) {
		net_msg_free(m);
		return;
	}
	if (!sc->authed && m->hdr.opcode != PROTO_OP_CONNECT) {
		NET_ERR("%s: %s sent %s before connecting; closing", srv->name, sc->peer,
			proto_op_name(m->hdr.opcode));
		net_msg_free(m);
		sc->xprt->close(xc, -EPROTO);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		NET_ERR("%s: out of memory for a request from %s; closing", srv->name, sc->peer);
		net_msg_free(m);
		sc->xprt->close(xc, -ENOMEM);
		return;
	}
	r->srv = srv;
	r->conn = sc;
	atomic_fetch_add(&sc->refs, 1);
	r->in = m;
	r->exp = sc->exp;
	r->h = &srv->handlers[m->hdr.opcode];
	sc->active++;
	pthread_mutex_lock(&srv->qlock);
	srv->active_total++;
	pthread_mutex_unlock(&srv->qlock);
	if (sc->active >= srv->cfg.max_inflight && !sc->paused) {
		sc->paused = true;
		sc->xprt->pause_rx(xc, true);
	}
	if (m->hdr.opcode == PROTO_OP_CONNECT) {
		handle_connect(sc, r);
		return;
	}
	if (sc->exp && sc->exp->old_active) {
		struct net_export *e = sc->exp;

		if (e->held_tail)
			e->held_tail->next = r;
		else
			e->held_head = r;
		e->held_tail = r;
		return;
	}
	dispatch(r);
}

static uint32_t srv_body_cap(struct net_conn *xc, void *arg)
{
	struct srv_conn *sc = arg;

	return sc->authed ? PROTO_BODY_MAX : PROTO_PREAUTH_BODY_MAX;
}

static void srv_on_close(struct net_conn *xc, int err, void *arg)
{
	struct srv_conn *sc = arg;
	struct net_server *srv = sc->srv;
	struct net_export *e = sc->exp;

	sc->xc = NULL;
	if (sc->prev)
		sc->prev->next = sc->next;
	else
		srv->conns = sc->next;
	if (sc->next)
		sc->next->prev = sc->prev;
	if (e && e->conn == sc) {
		NET_INFO("%s: client %s (%s) disconnected: %s", srv->name, e->uuid_str, sc->peer,
			 strerror(-err));
		e->conn = NULL;
		/* Its running requests now hold back whoever reconnects as this client. */
		purge_held(e, sc);
		sc->superseded = true;
		e->old_active += sc->active;
		/* A client that said goodbye is not waited for. */
		if (!srv->stopping)
			net_timer_arm(e->evict_timer, e->departing ? 0 : srv->cfg.evict_ms);
	}
	conn_put(sc);
}

static const struct net_conn_ops srv_conn_ops = {
    .on_msg = srv_on_msg,
    .on_close = srv_on_close,
    .body_cap = srv_body_cap,
};

static void reject_on_msg(struct net_conn *xc, struct net_msg *m, void *arg)
{
	net_msg_free(m);
}

static void reject_on_close(struct net_conn *xc, int err, void *arg)
{
}

/* For a connection refused at accept: it is closed before any message. */
static const struct net_conn_ops reject_ops = {
    .on_msg = reject_on_msg,
    .on_close = reject_on_close,
};

static void srv_on_accept(struct net_conn *xc, void *arg)
{
	struct accept_ctx *ac = arg;
	struct net_server *srv = ac->srv;
	struct srv_conn *sc = calloc(1, sizeof(*sc));

	if (!sc || srv->stopping) {
		free(sc);
		ac->xprt->set_ops(xc, &reject_ops, NULL);
		ac->xprt->close(xc, srv->stopping ? -ESHUTDOWN : -ENOMEM);
		return;
	}
	sc->srv = srv;
	sc->xc = xc;
	sc->xprt = ac->xprt;
	snprintf(sc->peer, sizeof(sc->peer), "%s", ac->xprt->peer(xc));
	atomic_init(&sc->refs, 1);
	sc->created_ms = sc->last_rx_ms = net_now_ms();
	sc->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = sc;
	srv->conns = sc;
	ac->xprt->set_ops(xc, &srv_conn_ops, sc);
	NET_DEBUG("%s: connection from %s", srv->name, sc->peer);
}

static void tick_cb(void *arg)
{
	struct net_server *srv = arg;
	uint64_t now = net_now_ms();
	struct srv_conn *sc, *next;

	for (sc = srv->conns; sc; sc = next) {
		next = sc->next;
		if (!sc->authed && now - sc->created_ms > srv->cfg.handshake_ms) {
			NET_WARN("%s: %s did not complete the handshake within %u ms; closing",
				 srv->name, sc->peer, srv->cfg.handshake_ms);
			sc->xprt->close(sc->xc, -ETIMEDOUT);
		} else if (sc->authed && sc->active == 0 &&
			   now - sc->last_rx_ms > srv->cfg.idle_ms) {
			NET_WARN("%s: no traffic from client %s (%s) for %u ms; closing", srv->name,
				 sc->exp ? sc->exp->uuid_str : "?", sc->peer, srv->cfg.idle_ms);
			sc->xprt->close(sc->xc, -ETIMEDOUT);
		}
	}
	net_timer_arm(srv->tick, TICK_MS);
}

/* ---- life cycle ---- */

int net_server_new(const struct net_server_cfg *cfg, struct net_server **out)
{
	struct net_server *srv;
	int err;

	if (!cfg->fsname)
		return -EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->cfg = *cfg;
	snprintf(srv->name, sizeof(srv->name), "%s", cfg->name ? cfg->name : "server");
	snprintf(srv->fsname, sizeof(srv->fsname), "%s", cfg->fsname);
	srv->cfg.name = srv->name;
	srv->cfg.fsname = srv->fsname;
	if (!srv->cfg.nworkers)
		srv->cfg.nworkers = DEFAULT_WORKERS;
	if (!srv->cfg.max_inflight)
		srv->cfg.max_inflight = DEFAULT_MAX_INFLIGHT;
	if (!srv->cfg.idle_ms)
		srv->cfg.idle_ms = DEFAULT_IDLE_MS;
	if (!srv->cfg.handshake_ms)
		srv->cfg.handshake_ms = DEFAULT_HANDSHAKE_MS;
	if (!srv->cfg.evict_ms)
		srv->cfg.evict_ms = DEFAULT_EVICT_MS;
	if (!srv->cfg.boot_instance) {
		err = net_random(&srv->cfg.boot_instance, sizeof(srv->cfg.boot_instance));
		if (err)
			goto err_free;
		srv->cfg.boot_instance |= 1;
	}
	if (cfg->handlers)
		memcpy(srv->handlers, cfg->handlers, sizeof(srv->handlers));
	if (!srv->handlers[PROTO_OP_PING].fn)
		srv->handlers[PROTO_OP_PING] = (struct net_handler){ping_handler, NET_H_INLINE};
	/* The session opcodes are the RPC layer's own. */
	srv->handlers[PROTO_OP_DISCONNECT] = (struct net_handler){disconnect_handler, NET_H_INLINE};
	pthread_mutex_init(&srv->qlock, NULL);
	pthread_cond_init(&srv->qcond, NULL);
	pthread_cond_init(&srv->idle_cond, NULL);
	err = net_loop_new(&srv->loop);
	if (err)
		goto err_free;
	err = net_timer_new(srv->loop, tick_cb, srv, &srv->tick);
	if (err)
		goto err_loop;
	srv->inline_budget = INLINE_PER_ITERATION;
	err = net_loop_add_before_sleep(srv->loop, inline_budget_hook, srv);
	if (err)
		goto err_timer;
	srv->workers = calloc(srv->cfg.nworkers, sizeof(*srv->workers));
	if (!srv->workers) {
		err = -ENOMEM;
		goto err_timer;
	}
	*out = srv;
	return 0;

err_timer:
	net_timer_free(srv->tick);
err_loop:
	net_loop_free(srv->loop);
err_free:
	free(srv);
	return err;
}

int net_server_listen(struct net_server *srv, const struct proto_nid *nid, uint16_t port)
{
	const struct net_xprt *x = net_xprt_for(nid->lnd);
	struct sockaddr_storage sa;
	struct accept_ctx *ac;
	socklen_t salen;
	int err;
	char why[128];

	if (srv->nlisteners == MAX_LISTENERS)
		return -ENOSPC;
	if (!x) {
		NET_ERR("%s: no transport for %s@%s", srv->name, nid->addr,
			nid->lnd == PROTO_LND_O2IB ? "o2ib" : "?");
		return -EPROTONOSUPPORT;
	}
	if (x->unavailable && x->unavailable(why, sizeof(why))) {
		/* As LNet refuses to start an NI it cannot bring up. */
		NET_ERR("%s: %s; cannot listen on %s@%s port %u", srv->name, why, nid->addr,
			x->name, port);
		return -ENODEV;
	}
	err = net_nid_resolve(nid, port, &sa, &salen);
	if (err) {
		NET_ERR("%s: cannot resolve %s: %s", srv->name, nid->addr, strerror(-err));
		return err;
	}
	ac = &srv->actx[srv->nlisteners];
	ac->srv = srv;
	ac->xprt = x;
	err = x->listen(srv->loop, (struct sockaddr *)&sa, salen, srv_on_accept, ac,
			&srv->listeners[srv->nlisteners]);
	if (err) {
		NET_ERR("%s: cannot listen on %s@%s port %u: %s", srv->name, nid->addr, x->name,
			port, strerror(-err));
		return err;
	}
	srv->lxprt[srv->nlisteners++] = x;
	NET_INFO("%s: listening on %s@%s port %u", srv->name, nid->addr, x->name, port);
	return 0;
}

static void start_on_loop(void *arg)
{
	struct net_server *srv = arg;

	net_timer_arm(srv->tick, TICK_MS);
}

int net_server_start(struct net_server *srv)
{
	int err;

	for (uint32_t i = 0; i < srv->cfg.nworkers; i++) {
		err = pthread_create(&srv->workers[i], NULL, worker_main, srv);
		if (err)
			return -err;
		pthread_setname_np(srv->workers[i], "stria-worker");
		srv->nworkers_started++;
	}
	if (!srv->cfg.key)
		NET_WARN("%s: no shared key configured: any client may connect", srv->name);
	srv->start_call.fn = start_on_loop;
	srv->start_call.arg = srv;
	net_loop_post(srv->loop, &srv->start_call);
	err = net_loop_start(srv->loop, "stria-net");
	if (err)
		return err;
	srv->started = true;
	return 0;
}

/* ---- shutdown ---- */

struct stop_step {
	struct net_server *srv;
	struct net_call call;
	int step;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static void stop_on_loop(void *arg)
{
	struct stop_step *s = arg;
	struct net_server *srv = s->srv;

	switch (s->step) {
	case 0: /* stop intake */
		srv->stopping = true;
		for (int i = 0; i < srv->nlisteners; i++)
			srv->lxprt[i]->listener_close(srv->listeners[i]);
		srv->nlisteners = 0;
		break;
	case 1: /* replies queued before this call have been handed to the transport */
		s->step = 2;
		net_loop_post(srv->loop, &s->call);
		return;
	case 2: /* and flushed: close everything */
		while (srv->conns) {
			struct srv_conn *sc = srv->conns;

			sc->xprt->close(sc->xc, -ESHUTDOWN);
		}
		net_timer_disarm(srv->tick);
		break;
	}
	pthread_mutex_lock(&s->lock);
	s->done = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void run_step(struct net_server *srv, int step)
{
	struct stop_step s = {.srv = srv,
			      .step = step,
			      .lock = PTHREAD_MUTEX_INITIALIZER,
			      .cond = PTHREAD_COND_INITIALIZER};

	s.call.fn = stop_on_loop;
	s.call.arg = &s;
	net_loop_post(srv->loop, &s.call);
	pthread_mutex_lock(&s.lock);
	while (!s.done)
		pthread_cond_wait(&s.cond, &s.lock);
	pthread_mutex_unlock(&s.lock);
}

void net_server_free(struct net_server *srv)
{
	if (!srv)
		return;
	if (srv->started) {
		struct timespec ts;

		run_step(srv, 0);
		/* Let running handlers finish and reply (bounded: 30 s). */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 30;
		pthread_mutex_lock(&srv->qlock);
		while (srv->active_total > 0)
			if (pthread_cond_timedwait(&srv->idle_cond, &srv->qlock, &ts) ==
			    ETIMEDOUT) {
				NET_WARN("%s: %llu request(s) still running at shutdown", srv->name,
					 (unsigned long long)srv->active_total);
				break;
			}
		srv->workers_exit = true;
		pthread_cond_broadcast(&srv->qcond);
		pthread_mutex_unlock(&srv->qlock);
		for (uint32_t i = 0; i < srv->nworkers_started; i++)
			pthread_join(srv->workers[i], NULL);
		run_step(srv, 1);
		net_loop_stop(srv->loop);
	}
	for (int i = 0; i < EXP_BUCKETS; i++)
		while (srv->exports[i])
			exp_free(srv->exports[i]);
	for (int i = 0; i < srv->nlisteners; i++)
		srv->lxprt[i]->listener_close(srv->listeners[i]);
	net_timer_free(srv->tick);
	net_loop_free(srv->loop);
	free(srv->workers);
	pthread_mutex_destroy(&srv->qlock);
	pthread_cond_destroy(&srv->qcond);
	pthread_cond_destroy(&srv->idle_cond);
	free(srv);
}

void net_server_set_tgt_gen(struct net_server *srv, uint64_t gen)
{
	atomic_store(&srv->tgt_gen, gen);
}

void net_server_note_committed(struct net_server *srv, uint64_t transno)
{
	uint64_t cur = atomic_load(&srv->last_committed);

	while (transno > cur && !atomic_compare_exchange_weak(&srv->last_committed, &cur, transno))
		;
}

struct net_loop *net_server_loop(struct net_server *srv)
{
	return srv->loop;
}

uint64_t net_server_boot_instance(const struct net_server *srv)
{
	return srv->cfg.boot_instance;
}

/* ---- accessors ---- */

uint16_t net_srv_req_opcode(const struct net_srv_req *r)
{
	return r->in->hdr.opcode;
}

uint64_t net_srv_req_xid(const struct net_srv_req *r)
{
	return r->in->hdr.xid;
}

bool net_srv_req_resent(const struct net_srv_req *r)
{
	return r->in->hdr.flags & PROTO_F_RESENT;
}

bool net_srv_req_replay(const struct net_srv_req *r)
{
	return r->in->hdr.flags & PROTO_F_REPLAY;
}

void net_srv_req_set_transno(struct net_srv_req *r, uint64_t transno)
{
	r->transno = transno;
}

const struct proto_req_pre *net_srv_req_pre(const struct net_srv_req *r)
{
	return &r->pre;
}

void net_srv_req_body(const struct net_srv_req *r, struct proto_cur *out)
{
	proto_cur_init(out, r->in->body + r->body_off, r->in->hdr.body_len - r->body_off);
}

const void *net_srv_req_bulk(const struct net_srv_req *r, uint32_t *len)
{
	*len = r->in->hdr.bulk_len;
	return r->in->hdr.bulk_len ? r->in->bulk : NULL;
}

struct net_export *net_srv_req_export(const struct net_srv_req *r)
{
	return r->exp;
}

const char *net_srv_req_peer(const struct net_srv_req *r)
{
	return r->conn->peer;
}

const uint8_t *net_export_uuid(const struct net_export *exp)
{
	return exp->uuid;
}

uint32_t net_export_role(const struct net_export *exp)
{
	return exp->role;
}

void *net_export_priv(const struct net_export *exp)
{
	return exp->priv;
}

void net_export_set_priv(struct net_export *exp, void *priv)
{
	exp->priv = priv;
}
