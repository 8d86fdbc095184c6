/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RPC client: one "import" of one server.
 *
 * Requests get increasing xids when they reach the loop thread and sit on one
 * list in xid order.  Because they are always sent in xid order, the list is
 * [sent and awaiting a reply ... | next_send ... waiting], and on a lost
 * connection next_send simply goes back to the head: after the reconnect
 * everything is resent with its original xid and PROTO_F_RESENT, oldest first.
 * The head of the list also gives acked_xid (every xid below it is answered).
 *
 * All state below is touched on the loop thread only, except where a field
 * says otherwise.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "xprt.h"

#define DEFAULT_TIMEOUT_MS	 20000
#define DEFAULT_MAX_INFLIGHT	 64
#define DEFAULT_RECONNECT_MAX_MS 1000
#define DEFAULT_PING_MS		 5000
#define RECONNECT_MIN_MS	 50
#define TICK_MS			 100
#define CSUM_RETRIES		 3
#define XID_BUCKETS		 1024

enum req_state {
	R_NEW,	   /* allocated, not yet on the loop */
	R_PENDING, /* on the pending list (waiting or on the wire) */
	R_DONE,	   /* callback ran or is about to */
};

struct net_req {
	struct net_client *cl;
	uint16_t opcode;
	uint64_t xid;
	atomic_int refs; /* the user's, plus one while submitted */
	/* body: preamble + op body; acked_off is where acked_xid lives */
	uint8_t *body;
	uint32_t body_cap;
	struct proto_cur cur;
	size_t acked_off;
	bool nocsum;
	bool replay; /* PROTO_F_REPLAY: sent even while the client is held */
	void *bulk_in;
	uint32_t bulk_in_cap, bulk_in_len;
	uint32_t give_up_ms;
	bool give_up_set;
	net_req_cb cb;
	void *arg;
	/* loop thread */
	enum req_state state;
	bool on_wire; /* sent on the current connection, awaiting the reply */
	bool tx_busy; /* the transport still holds msg */
	bool rx_bulk; /* the transport is receiving bulk into bulk_in */
	bool cancelled;
	bool done_deferred;
	int status;
	uint32_t attempts;
	uint32_t csum_retries;
	uint64_t deadline;   /* of the current attempt */
	uint64_t give_up_at; /* 0: never */
	struct net_msg msg;
	struct net_msg *reply;
	struct proto_rep_pre rep_pre;
	size_t rep_off;
	struct net_req *prev, *next; /* pending list, xid order */
	struct net_req *hnext;	     /* xid hash (on_wire only) */
	struct net_call submit_call;
	struct net_call cancel_call;
	atomic_bool cancel_posted;
};

struct net_client {
	struct net_loop *loop;
	struct net_client_cfg cfg;
	char name[64];
	char fsname[PROTO_FSNAME_MAX + 1];
	const struct net_xprt *xprt;
	/* loop thread */
	struct net_conn *conn;
	enum net_client_state state;
	uint32_t nid_idx;
	uint32_t backoff_ms;
	uint64_t conn_gen;
	uint64_t next_xid;
	struct net_req *head, *tail, *next_send;
	uint32_t on_wire;
	struct net_req *xid_hash[XID_BUCKETS];
	struct net_timer *reconnect_timer;
	struct net_timer *tick_timer;
	uint64_t last_send_ms;
	bool ping_out;
	bool shutting_down;
	bool pump_posted; /* pump_call is queued on the loop */
	struct net_call pump_call;
	bool logged_down; /* "cannot reach" already logged for this outage */
	bool held;	  /* only replay requests go out (net_client_hold) */
	int refused;	  /* an authentication error to fail requests with, or 0 */
	/* handshake */
	uint64_t hs_xid;
	uint8_t cnonce[PROTO_NONCE_LEN];
	uint8_t snonce[PROTO_NONCE_LEN];
	uint32_t hs_phase;
	struct net_msg hs_msg;
	bool hs_busy;
	/* any thread */
	_Atomic uint64_t boot_instance;
	_Atomic int astate;
	/* shutdown handshake with the freeing thread */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool shut_done;
	struct net_call start_call;
	struct net_call shut_call;
	struct net_call release_call;
	atomic_bool release_posted;
	uint64_t connect_started; /* loop thread: when the current attempt began */
};

static void pump(struct net_client *cl);
static void pump_cb(void *arg);
static void start_connect(struct net_client *cl);
static void conn_lost(struct net_client *cl, int err);

/* ---- helpers ---- */

static struct net_req **hash_slot(struct net_client *cl, uint64_t xid)
{
	return &cl->xid_hash[xid & (XID_BUCKETS - 1)];
}

static void hash_add(struct net_client *cl, struct net_req *r)
{
	struct net_req **s = hash_slot(cl, r->xid);

	r->hnext = *s;
	*s = r;
}

static struct net_req *hash_find(struct net_client *cl, uint64_t xid)
{
	for (struct net_req *r = *hash_slot(cl, xid); r; r = r->hnext)
		if (r->xid == xid)
			return r;
	return NULL;
}

static void hash_del(struct net_client *cl, struct net_req *r)
{
	for (struct net_req **s = hash_slot(cl, r->xid); *s; s = &(*s)->hnext)
		if (*s == r) {
			*s = r->hnext;
			r->hnext = NULL;
			return;
		}
}

static void set_state(struct net_client *cl, enum net_client_state st)
{
	if (cl->state == st)
		return;
	cl->state = st;
	atomic_store(&cl->astate, st);
	if (cl->cfg.on_state)
		cl->cfg.on_state(cl, st, cl->cfg.arg);
}

static void req_put(struct net_req *r)
{
	if (atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	net_msg_free(r->reply);
	free(r->body);
	free(r);
}

/* ---- completion ---- */

static void unlink_pending(struct net_client *cl, struct net_req *r)
{
	if (r->on_wire) {
		hash_del(cl, r);
		r->on_wire = false;
		cl->on_wire--;
	}
	if (cl->next_send == r)
		cl->next_send = r->next;
	if (r->prev)
		r->prev->next = r->next;
	else
		cl->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		cl->tail = r->prev;
	r->prev = r->next = NULL;
}

static void run_callback(struct net_req *r)
{
	r->cb(r, r->status, r->arg);
	req_put(r);
}

/*
 * Finishes @r with @status.  If the transport still holds its buffers the
 * callback waits until it lets go (the caller may free them in the callback).
 */
static void complete(struct net_client *cl, struct net_req *r, int status)
{
	if (r->state != R_PENDING)
		return;
	unlink_pending(cl, r);
	r->state = R_DONE;
	r->status = status;
	if (r->rx_bulk && cl->conn) {
		cl->xprt->abort_rx_bulk(cl->conn);
		r->rx_bulk = false;
	}
	if (r->tx_busy) {
		r->done_deferred = true;
		return;
	}
	run_callback(r);
	pump(cl);
}

static void fail_all(struct net_client *cl, int err)
{
	while (cl->head)
		complete(cl, cl->head, err);
}

/* ---- sending ---- */

static void req_msg_sent(struct net_msg *m, int err)
{
	struct net_req *r = m->owner;
	struct net_client *cl = r->cl;
	bool was_next = cl->next_send == r;

	r->tx_busy = false;
	if (r->done_deferred) {
		r->done_deferred = false;
		run_callback(r); /* may free r */
		return;
	}
	/* Pump later: this may run inside the transport's close of the connection. */
	if (was_next && !cl->pump_posted && !cl->shutting_down) {
		cl->pump_posted = true;
		net_loop_post(cl->loop, &cl->pump_call);
	}
}

static uint64_t acked_xid(const struct net_client *cl)
{
	return cl->head ? cl->head->xid - 1 : cl->next_xid - 1;
}

/*
 * Puts @r on the wire.  @now: the caller may be a thread that borrowed the
 * loop, so the message is written at once (send_now) where the transport
 * can, and nothing runs a callback.
 */
static void send_req_how(struct net_client *cl, struct net_req *r, bool now)
{
	struct proto_cur c;
	uint32_t flags = 0;

	/* The preamble's acked_xid is the last field before the op body. */
	proto_cur_init(&c, r->body + r->acked_off, 8);
	proto_put_u64(&c, acked_xid(cl));
	r->attempts++;
	if (r->attempts > 1)
		flags |= PROTO_F_RESENT;
	if (r->nocsum)
		flags |= PROTO_F_NOCSUM;
	if (r->replay)
		flags |= PROTO_F_REPLAY;
	r->msg.hdr.opcode = r->opcode;
	r->msg.hdr.flags = flags;
	r->msg.hdr.status = 0;
	r->msg.hdr.xid = r->xid;
	r->msg.hdr.body_len = (uint32_t)r->cur.pos;
	r->msg.body = r->body;
	r->msg.bulk_in_cap = r->bulk_in ? r->bulk_in_cap : 0;
	r->msg.sent = req_msg_sent;
	r->msg.owner = r;
	net_msg_seal(&r->msg);
	r->on_wire = true;
	r->tx_busy = true;
	r->deadline = net_now_ms() + cl->cfg.timeout_ms;
	cl->on_wire++;
	hash_add(cl, r);
	cl->last_send_ms = net_now_ms();
	if (now && cl->xprt->send_now) {
		int rc = cl->xprt->send_now(cl->conn, &r->msg);

		if (rc == 1)
			r->tx_busy = false; /* all on the wire: nothing of it is queued */
		if (rc >= 0)
			return;
	}
	cl->xprt->send(cl->conn, &r->msg);
}

static void send_req(struct net_client *cl, struct net_req *r)
{
	send_req_how(cl, r, false);
}

static void pump_cb(void *arg)
{
	struct net_client *cl = arg;

	cl->pump_posted = false;
	pump(cl);
}

/* While held: only replay requests go out, wherever they sit in the queue. */
static void pump_replays(struct net_client *cl)
{
	for (struct net_req *r = cl->next_send; r && cl->on_wire < cl->cfg.max_inflight;
	     r = r->next) {
		if (!r->replay || r->on_wire || r->tx_busy)
			continue;
		send_req(cl, r);
		if (!cl->conn)
			return;
	}
}

static void pump(struct net_client *cl)
{
	if (cl->state != NET_CLIENT_CONNECTED)
		return;
	if (cl->held) {
		pump_replays(cl);
		return;
	}
	while (cl->next_send && cl->on_wire < cl->cfg.max_inflight) {
		struct net_req *r = cl->next_send;

		if (r->on_wire) { /* a replay sent while the client was held */
			cl->next_send = r->next;
			continue;
		}
		/*
		 * Its previous attempt still sits in a transport queue: it stays
		 * next in line, and req_msg_sent() pumps again once it is let go
		 * (skipping it would leave it unsent until the next reconnect).
		 */
		if (r->tx_busy)
			return;
		cl->next_send = r->next;
		send_req(cl, r);
		if (!cl->conn)
			return;
	}
}

/* ---- replies ---- */

static void handle_reply(struct net_client *cl, struct net_req *r, struct net_msg *m)
{
	struct proto_cur c;
	int err, status;

	r->rx_bulk = false;
	err = net_msg_verify(m);
	status = proto_status_from_wire(m->hdr.status);
	if (err || status == -EBADMSG) {
		/* Corrupted on the way back, or the server saw our request corrupted. */
		NET_WARN("rpc %s: %s xid %llu: checksum mismatch %s (attempt %u)", cl->name,
			 proto_op_name(r->opcode), (unsigned long long)r->xid,
			 err ? "in the reply" : "reported by the server", r->csum_retries + 1);
		net_msg_free(m);
		if (++r->csum_retries > CSUM_RETRIES) {
			complete(cl, r, -EIO);
			return;
		}
		hash_del(cl, r);
		r->on_wire = false;
		cl->on_wire--;
		if (r->tx_busy) {
			complete(cl, r, -EIO); /* cannot happen: a reply follows the send */
			return;
		}
		send_req(cl, r);
		return;
	}
	proto_cur_init(&c, m->body, m->hdr.body_len);
	proto_rep_pre_dec(&c, &r->rep_pre);
	if (proto_cur_err(&c)) {
		NET_ERR("rpc %s: %s xid %llu: malformed reply preamble", cl->name,
			proto_op_name(r->opcode), (unsigned long long)r->xid);
		net_msg_free(m);
		complete(cl, r, -EPROTO);
		return;
	}
	atomic_store(&cl->boot_instance, r->rep_pre.boot_instance);
	r->rep_off = c.pos;
	r->reply = m;
	if (m->hdr.bulk_len && m->bulk == r->bulk_in)
		r->bulk_in_len = m->hdr.bulk_len;
	else if (m->hdr.bulk_len && status == 0)
		status = -EPROTO; /* bulk we did not ask for, or more than fits */
	complete(cl, r, status);
}

static void handshake_reply(struct net_client *cl, struct net_msg *m);

static void on_msg(struct net_conn *conn, struct net_msg *m, void *arg)
{
	struct net_client *cl = arg;
	struct net_req *r;

	if (!(m->hdr.flags & PROTO_F_REPLY)) {
		NET_ERR("rpc %s: server %s sent a request (%s), not a reply; reconnecting",
			cl->name, cl->xprt->peer(conn), proto_op_name(m->hdr.opcode));
		net_msg_free(m);
		cl->xprt->close(conn, -EPROTO);
		return;
	}
	if (cl->hs_xid && m->hdr.xid == cl->hs_xid) {
		handshake_reply(cl, m);
		return;
	}
	r = hash_find(cl, m->hdr.xid);
	if (!r || r->opcode != m->hdr.opcode) {
		/* A reply to a request we abandoned (cancelled, timed out). */
		NET_DEBUG("rpc %s: dropping reply to xid %llu", cl->name,
			  (unsigned long long)m->hdr.xid);
		net_msg_free(m);
		return;
	}
	handle_reply(cl, r, m);
}

static void *bulk_sink(struct net_conn *conn, const struct proto_hdr *h, void *arg)
{
	struct net_client *cl = arg;
	struct net_req *r = hash_find(cl, h->xid);

	if (!r || !r->bulk_in || h->bulk_len > r->bulk_in_cap || r->opcode != h->opcode)
		return NULL;
	r->rx_bulk = true;
	return r->bulk_in;
}

static uint32_t body_cap(struct net_conn *conn, void *arg)
{
	return PROTO_BODY_MAX;
}

/* ---- connection ---- */

static void hs_sent(struct net_msg *m, int err)
{
	struct net_client *cl = m->owner;

	cl->hs_busy = false;
}

static void send_connect(struct net_client *cl, uint32_t phase)
{
	struct proto_connect_req req = {0};
	struct proto_req_pre pre = {0};
	struct proto_cur c;
	uint8_t *body;

	if (cl->hs_busy)
		return; /* cannot happen: the previous phase was answered */
	body = malloc(PROTO_PREAUTH_BODY_MAX);
	if (!body) {
		cl->xprt->close(cl->conn, -ENOMEM);
		return;
	}
	req.phase = phase;
	req.version = PROTO_VERSION;
	req.role = cl->cfg.role;
	snprintf(req.fsname, sizeof(req.fsname), "%s", cl->fsname);
	memcpy(req.uuid, cl->cfg.uuid, PROTO_UUID_LEN);
	req.conn_gen = cl->conn_gen;
	memcpy(req.nonce, cl->cnonce, PROTO_NONCE_LEN);
	if (phase == PROTO_CONNECT_PROOF && cl->cfg.key)
		net_auth_client_proof(cl->cfg.key, cl->snonce, cl->cnonce, cl->cfg.uuid, req.mac);
	proto_cur_init(&c, body, PROTO_PREAUTH_BODY_MAX);
	pre.acked_xid = acked_xid(cl);
	proto_req_pre_enc(&c, &pre);
	proto_connect_req_enc(&c, &req);
	free(cl->hs_msg.body);
	memset(&cl->hs_msg, 0, sizeof(cl->hs_msg));
	cl->hs_msg.body = body;
	cl->hs_msg.hdr.opcode = PROTO_OP_CONNECT;
	cl->hs_msg.hdr.xid = cl->hs_xid = cl->next_xid++;
	cl->hs_msg.hdr.body_len = (uint32_t)c.pos;
	cl->hs_msg.sent = hs_sent;
	cl->hs_msg.owner = cl;
	cl->hs_phase = phase;
	net_msg_seal(&cl->hs_msg);
	cl->hs_busy = true;
	cl->xprt->send(cl->conn, &cl->hs_msg);
}

static void refuse(struct net_client *cl, int err, const char *why)
{
	NET_ERR("rpc %s: connection to %s refused: %s", cl->name, cl->xprt->peer(cl->conn), why);
	cl->refused = err;
	cl->xprt->close(cl->conn, err);
}

static void handshake_reply(struct net_client *cl, struct net_msg *m)
{
	struct proto_connect_rep rep;
	struct proto_rep_pre pre;
	struct proto_cur c;
	int status = proto_status_from_wire(m->hdr.status);
	int err;

	cl->hs_xid = 0;
	err = net_msg_verify(m);
	proto_cur_init(&c, m->body, m->hdr.body_len);
	proto_rep_pre_dec(&c, &pre);
	if (err || proto_cur_err(&c)) {
		net_msg_free(m);
		NET_ERR("rpc %s: malformed CONNECT reply from %s", cl->name,
			cl->xprt->peer(cl->conn));
		cl->xprt->close(cl->conn, -EPROTO);
		return;
	}
	if (status) {
		net_msg_free(m);
		if (status == -EACCES && !cl->cfg.key)
			refuse(cl, -EACCES,
			       "the server requires a shared key and none is configured");
		else if (status == -EACCES)
			refuse(cl, -EACCES, "authentication failed: the server has another key");
		else if (status == -EPROTONOSUPPORT)
			refuse(cl, status, "protocol version not supported by the server");
		else if (status == -ENODEV)
			refuse(cl, status, "the server does not serve this file system");
		else
			cl->xprt->close(cl->conn, status);
		return;
	}
	err = proto_connect_rep_dec(&c, &rep);
	net_msg_free(m);
	if (err) {
		cl->xprt->close(cl->conn, -EPROTO);
		return;
	}
	if (cl->hs_phase == PROTO_CONNECT_HELLO && rep.auth_required) {
		/* Without a key we still answer (with an empty proof) so the server logs it. */
		memcpy(cl->snonce, rep.nonce, PROTO_NONCE_LEN);
		send_connect(cl, PROTO_CONNECT_PROOF);
		return;
	}
	if (cl->hs_phase == PROTO_CONNECT_PROOF) {
		uint8_t want[PROTO_MAC_LEN];

		net_auth_server_proof(cl->cfg.key, cl->cnonce, cl->snonce, cl->cfg.uuid, want);
		if (!net_auth_mac_eq(want, rep.mac)) {
			refuse(cl, -EACCES, "the server could not prove it holds the shared key");
			return;
		}
	}
	atomic_store(&cl->boot_instance, pre.boot_instance);
	cl->refused = 0;
	cl->backoff_ms = RECONNECT_MIN_MS;
	if (cl->logged_down || cl->conn_gen > 1)
		NET_INFO("rpc %s: connected to %s", cl->name, cl->xprt->peer(cl->conn));
	cl->logged_down = false;
	/* Everything not yet answered goes out again, oldest first. */
	cl->next_send = cl->head;
	set_state(cl, NET_CLIENT_CONNECTED);
	pump(cl);
}

static void on_connected(struct net_conn *conn, int err, void *arg)
{
	struct net_client *cl = arg;

	if (net_random(cl->cnonce, PROTO_NONCE_LEN) < 0) {
		cl->xprt->close(conn, -EIO);
		return;
	}
	send_connect(cl, PROTO_CONNECT_HELLO);
}

static void on_close(struct net_conn *conn, int err, void *arg)
{
	struct net_client *cl = arg;

	if (cl->conn != conn)
		return;
	cl->conn = NULL;
	conn_lost(cl, err);
}

static const struct net_conn_ops client_conn_ops = {
    .on_msg = on_msg,
    .bulk_sink = bulk_sink,
    .on_connected = on_connected,
    .on_close = on_close,
    .body_cap = body_cap,
};

static void conn_lost(struct net_client *cl, int err)
{
	bool was_up = cl->state == NET_CLIENT_CONNECTED;

	if (was_up && !cl->shutting_down)
		NET_WARN("rpc %s: connection lost (%s); %u request(s) will be resent", cl->name,
			 strerror(-err), cl->on_wire);
	else if (!cl->logged_down && !cl->refused && !cl->shutting_down)
		NET_WARN("rpc %s: cannot reach %s@%s port %u (%s); retrying", cl->name,
			 cl->cfg.nids[cl->nid_idx].addr,
			 cl->cfg.nids[cl->nid_idx].lnd == PROTO_LND_O2IB ? "o2ib" : "tcp",
			 cl->cfg.port, strerror(-err));
	if (!was_up)
		cl->logged_down = true;
	/* Requests on the wire lose their place in the hash; they go out again. */
	for (struct net_req *r = cl->head; r; r = r->next)
		if (r->on_wire) {
			hash_del(cl, r);
			r->on_wire = false;
			r->rx_bulk = false;
		}
	cl->on_wire = 0;
	cl->next_send = cl->head;
	cl->hs_xid = 0;
	cl->ping_out = false;
	set_state(cl, NET_CLIENT_DISCONNECTED);
	if (cl->shutting_down)
		return;
	if (cl->refused)
		fail_all(cl, cl->refused);
	/* Fail over to the next NID, and back off once the list went round. */
	if (!was_up) {
		cl->nid_idx = (cl->nid_idx + 1) % cl->cfg.nnids;
		if (cl->nid_idx == 0) {
			cl->backoff_ms *= 2;
			if (cl->backoff_ms > cl->cfg.reconnect_max_ms)
				cl->backoff_ms = cl->cfg.reconnect_max_ms;
		}
	}
	net_timer_arm(cl->reconnect_timer, was_up ? RECONNECT_MIN_MS : cl->backoff_ms);
}

static void start_connect(struct net_client *cl)
{
	const struct proto_nid *nid = &cl->cfg.nids[cl->nid_idx];
	struct sockaddr_storage sa;
	socklen_t salen;
	char why[128];
	int err;

	if (cl->shutting_down || cl->conn)
		return;
	cl->xprt = net_xprt_for(nid->lnd);
	err = cl->xprt ? net_nid_resolve(nid, cl->cfg.port, &sa, &salen) : -EPROTONOSUPPORT;
	if (!err && cl->xprt->unavailable && cl->xprt->unavailable(why, sizeof(why))) {
		if (!cl->logged_down)
			NET_ERR("rpc %s: %s; cannot connect to %s@%s", cl->name, why, nid->addr,
				cl->xprt->name);
		err = -ENODEV;
	}
	if (!err)
		err = cl->xprt->connect(cl->loop, (struct sockaddr *)&sa, salen, &cl->conn);
	if (err) {
		if (!cl->xprt)
			cl->xprt = &net_xprt_tcp;
		cl->conn = NULL;
		conn_lost(cl, err);
		return;
	}
	cl->xprt->set_ops(cl->conn, &client_conn_ops, cl);
	cl->conn_gen++;
	cl->connect_started = net_now_ms();
	set_state(cl, NET_CLIENT_CONNECTING);
}

static void reconnect_cb(void *arg)
{
	start_connect(arg);
}

/* ---- timeouts and pings ---- */

static void ping_done(struct net_req *r, int status, void *arg)
{
	struct net_client *cl = arg;

	cl->ping_out = false;
	net_req_free(r);
}

static void submit_on_loop(void *arg);

static void tick_cb(void *arg)
{
	struct net_client *cl = arg;
	uint64_t now = net_now_ms();
	struct net_req *r, *next;
	bool timed_out = false;

	for (r = cl->head; r; r = next) {
		next = r->next;
		if (r->give_up_at && now >= r->give_up_at) {
			NET_WARN("rpc %s: %s xid %llu gave up after %u ms", cl->name,
				 proto_op_name(r->opcode), (unsigned long long)r->xid,
				 (unsigned)(now - (r->give_up_at - r->give_up_ms)));
			complete(cl, r, -ETIMEDOUT);
			continue;
		}
		if (r->on_wire && now >= r->deadline && !timed_out) {
			NET_WARN("rpc %s: %s xid %llu to %s timed out after %u ms; reconnecting",
				 cl->name, proto_op_name(r->opcode), (unsigned long long)r->xid,
				 cl->conn ? cl->xprt->peer(cl->conn) : "?", cl->cfg.timeout_ms);
			timed_out = true;
		}
	}
	if (cl->state == NET_CLIENT_CONNECTING && cl->conn &&
	    now - cl->connect_started >= cl->cfg.timeout_ms) {
		NET_WARN("rpc %s: connecting to %s timed out after %u ms", cl->name,
			 cl->xprt->peer(cl->conn), cl->cfg.timeout_ms);
		timed_out = true;
	}
	if (timed_out && cl->conn)
		cl->xprt->close(cl->conn, -ETIMEDOUT);
	if (cl->state == NET_CLIENT_CONNECTED && !cl->ping_out &&
	    now - cl->last_send_ms >= cl->cfg.ping_ms) {
		struct net_req *p = net_req_new(PROTO_OP_PING, NULL);

		if (p) {
			struct proto_ping ping = {.cookie = now};

			proto_ping_enc(net_req_body(p), &ping);
			p->cb = ping_done;
			p->arg = cl;
			p->cl = cl;
			atomic_fetch_add(&p->refs, 1);
			cl->ping_out = true;
			submit_on_loop(p);
		}
	}
	net_timer_arm(cl->tick_timer, TICK_MS);
}

/* ---- requests ---- */

struct net_req *net_req_new(uint16_t opcode, const struct proto_creds *creds)
{
	struct proto_req_pre pre = {0};
	struct net_req *r;
	uint32_t cap = proto_op_req_body_max(opcode);

	if (!cap)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->body = malloc(cap);
	if (!r->body) {
		free(r);
		return NULL;
	}
	r->body_cap = cap;
	r->opcode = opcode;
	atomic_init(&r->refs, 1);
	r->state = R_NEW;
	if (creds)
		pre.creds = *creds;
	proto_cur_init(&r->cur, r->body, cap);
	proto_req_pre_enc(&r->cur, &pre);
	r->acked_off = r->cur.pos - 8;
	return r;
}

struct proto_cur *net_req_body(struct net_req *req)
{
	return &req->cur;
}

void net_req_set_bulk_out(struct net_req *req, const struct iovec *iov, int niov)
{
	if (niov > NET_MSG_MAX_IOV)
		niov = NET_MSG_MAX_IOV; /* callers are bounded by max_write; never hit */
	memcpy(req->msg.bulk_iov, iov, (size_t)niov * sizeof(*iov));
	req->msg.bulk_niov = niov;
}

void net_req_set_bulk_in(struct net_req *req, void *buf, uint32_t cap)
{
	req->bulk_in = buf;
	req->bulk_in_cap = cap;
}

void net_req_set_nocsum(struct net_req *req)
{
	req->nocsum = true;
}

void net_req_set_give_up(struct net_req *req, uint32_t ms)
{
	req->give_up_ms = ms;
	req->give_up_set = true;
}

void net_req_set_replay(struct net_req *req)
{
	req->replay = true;
}

void net_client_hold(struct net_client *cl)
{
	cl->held = true;
}

static void release_on_loop(void *arg)
{
	struct net_client *cl = arg;

	atomic_store(&cl->release_posted, false);
	if (!cl->held)
		return;
	cl->held = false;
	pump(cl);
}

void net_client_release(struct net_client *cl)
{
	if (atomic_exchange(&cl->release_posted, true))
		return;
	net_loop_post(cl->loop, &cl->release_call);
}

/* Gives @r its xid and appends it to the pending list (loop thread). */
static void enqueue(struct net_client *cl, struct net_req *r)
{
	r->xid = cl->next_xid++;
	r->state = R_PENDING;
	if (!r->give_up_set)
		r->give_up_ms = cl->cfg.give_up_ms;
	r->give_up_at = r->give_up_ms ? net_now_ms() + r->give_up_ms : 0;
	r->prev = cl->tail;
	r->next = NULL;
	if (cl->tail)
		cl->tail->next = r;
	else
		cl->head = r;
	cl->tail = r;
	if (!cl->next_send)
		cl->next_send = r;
}

static void submit_on_loop(void *arg)
{
	struct net_req *r = arg;
	struct net_client *cl = r->cl;

	if (cl->shutting_down) {
		r->state = R_DONE;
		r->status = -ESHUTDOWN;
		run_callback(r);
		return;
	}
	if (r->cancelled) {
		r->state = R_DONE;
		r->status = -EINTR;
		run_callback(r);
		return;
	}
	enqueue(cl, r);
	pump(cl);
}

/*
 * The usual case without waking the loop: the client is connected and
 * nothing waits to be sent, so the caller's thread borrows the loop and
 * writes @r itself (net_loop_borrow).  Returns false, having done nothing,
 * whenever the loop itself is needed (a queue, a reconnect, a callback to
 * run): the caller then posts @r as usual.
 */
static bool submit_now(struct net_client *cl, struct net_req *r)
{
	bool sent = false;

	/*
	 * A request with bulk (a write's data) goes through the loop: writing a
	 * megabyte here would keep the caller (a FUSE handler, the write-behind
	 * flush) from its next request while the loop could do it meanwhile.
	 */
	if (r->msg.bulk_niov || !net_loop_borrow(cl->loop))
		return false;
	if (cl->state == NET_CLIENT_CONNECTED && cl->conn && cl->xprt->send_now && !cl->held &&
	    !cl->shutting_down && !cl->next_send && cl->on_wire < cl->cfg.max_inflight &&
	    !r->cancelled) {
		enqueue(cl, r);
		cl->next_send = r->next;
		send_req_how(cl, r, true);
		sent = true;
	}
	net_loop_unborrow(cl->loop);
	return sent;
}

void net_req_send(struct net_client *cl, struct net_req *req, net_req_cb cb, void *arg)
{
	req->cl = cl;
	req->cb = cb;
	req->arg = arg;
	if (proto_cur_err(&req->cur)) {
		/* The body did not encode (too long for the opcode): fail it here. */
		req->state = R_DONE;
		cb(req, proto_cur_err(&req->cur), arg);
		return;
	}
	/* Checksum the bulk here, on the caller's thread, once for all attempts. */
	if (req->msg.bulk_niov && !req->nocsum) {
		req->msg.hdr.flags = 0;
		req->msg.hdr.bulk_csum = proto_crc32c_iov(0, req->msg.bulk_iov, req->msg.bulk_niov);
		req->msg.bulk_csum_done = true;
	}
	atomic_fetch_add(&req->refs, 1);
	if (submit_now(cl, req))
		return;
	req->submit_call.fn = submit_on_loop;
	req->submit_call.arg = req;
	net_loop_post(cl->loop, &req->submit_call);
}

static void cancel_on_loop(void *arg)
{
	struct net_req *r = arg;

	r->cancelled = true;
	if (r->state == R_PENDING)
		complete(r->cl, r, -EINTR);
	req_put(r);
}

void net_req_cancel(struct net_req *req)
{
	if (!req->cl || atomic_exchange(&req->cancel_posted, true))
		return;
	atomic_fetch_add(&req->refs, 1);
	req->cancel_call.fn = cancel_on_loop;
	req->cancel_call.arg = req;
	net_loop_post(req->cl->loop, &req->cancel_call);
}

void net_req_free(struct net_req *req)
{
	if (req)
		req_put(req);
}

void net_req_reply(struct net_req *req, struct proto_cur *out)
{
	if (!req->reply) {
		proto_cur_init(out, NULL, 0);
		return;
	}
	proto_cur_init(out, req->reply->body + req->rep_off,
		       req->reply->hdr.body_len - req->rep_off);
}

const struct proto_rep_pre *net_req_rep_pre(const struct net_req *req)
{
	return &req->rep_pre;
}

uint32_t net_req_bulk_in_len(const struct net_req *req)
{
	return req->bulk_in_len;
}

uint64_t net_req_xid(const struct net_req *req)
{
	return req->xid;
}

uint16_t net_req_opcode(const struct net_req *req)
{
	return req->opcode;
}

uint32_t net_req_attempts(const struct net_req *req)
{
	return req->attempts;
}

/* ---- synchronous calls ---- */

struct sync_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int status;
};

static void sync_cb(struct net_req *req, int status, void *arg)
{
	struct sync_wait *w = arg;

	pthread_mutex_lock(&w->lock);
	w->done = true;
	w->status = status;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int net_call(struct net_client *cl, struct net_req *req)
{
	struct sync_wait w = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

	if (net_loop_in_thread(cl->loop))
		return -EDEADLK;
	net_req_send(cl, req, sync_cb, &w);
	pthread_mutex_lock(&w.lock);
	while (!w.done)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	return w.status;
}

/* ---- client life cycle ---- */

static void start_on_loop(void *arg)
{
	struct net_client *cl = arg;

	net_timer_arm(cl->tick_timer, TICK_MS);
	start_connect(cl);
}

int net_client_new(struct net_loop *loop, const struct net_client_cfg *cfg, struct net_client **out)
{
	struct net_client *cl;
	int err;

	if (cfg->nnids == 0 || cfg->nnids > PROTO_NID_LIST_MAX || !cfg->fsname)
		return -EINVAL;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	cl->loop = loop;
	cl->cfg = *cfg;
	snprintf(cl->name, sizeof(cl->name), "%s", cfg->name ? cfg->name : "server");
	snprintf(cl->fsname, sizeof(cl->fsname), "%s", cfg->fsname);
	cl->cfg.name = cl->name;
	cl->cfg.fsname = cl->fsname;
	if (!cl->cfg.timeout_ms)
		cl->cfg.timeout_ms = DEFAULT_TIMEOUT_MS;
	if (!cl->cfg.max_inflight)
		cl->cfg.max_inflight = DEFAULT_MAX_INFLIGHT;
	if (!cl->cfg.reconnect_max_ms)
		cl->cfg.reconnect_max_ms = DEFAULT_RECONNECT_MAX_MS;
	if (!cl->cfg.ping_ms)
		cl->cfg.ping_ms = DEFAULT_PING_MS;
	cl->backoff_ms = RECONNECT_MIN_MS;
	cl->next_xid = 1;
	cl->xprt = &net_xprt_tcp;
	pthread_mutex_init(&cl->lock, NULL);
	pthread_cond_init(&cl->cond, NULL);
	err = net_timer_new(loop, reconnect_cb, cl, &cl->reconnect_timer);
	if (err)
		goto err_free;
	err = net_timer_new(loop, tick_cb, cl, &cl->tick_timer);
	if (err)
		goto err_timer;
	cl->pump_call.fn = pump_cb;
	cl->pump_call.arg = cl;
	cl->start_call.fn = start_on_loop;
	cl->start_call.arg = cl;
	cl->release_call.fn = release_on_loop;
	cl->release_call.arg = cl;
	/*
	 * Before the start is posted: the loop thread may connect and call
	 * on_state before this function returns, and callbacks find the client
	 * through *out (the post's lock orders the store before them).
	 */
	*out = cl;
	net_loop_post(loop, &cl->start_call);
	return 0;

err_timer:
	net_timer_free(cl->reconnect_timer);
err_free:
	free(cl);
	return err;
}

static void shutdown_on_loop(void *arg)
{
	struct net_client *cl = arg;

	cl->shutting_down = true;
	if (cl->conn)
		cl->xprt->close(cl->conn, -ESHUTDOWN);
	fail_all(cl, -ESHUTDOWN);
	net_timer_free(cl->reconnect_timer);
	net_timer_free(cl->tick_timer);
	pthread_mutex_lock(&cl->lock);
	cl->shut_done = true;
	pthread_cond_signal(&cl->cond);
	pthread_mutex_unlock(&cl->lock);
}

void net_client_free(struct net_client *cl)
{
	if (!cl)
		return;
	/* Say goodbye, so the server forgets us now rather than waiting for us. */
	if (net_client_state(cl) == NET_CLIENT_CONNECTED) {
		struct net_req *r = net_req_new(PROTO_OP_DISCONNECT, NULL);

		if (r) {
			struct proto_ping bye = {0};

			proto_ping_enc(net_req_body(r), &bye);
			net_req_set_give_up(r, 2000);
			(void)net_call(cl, r);
			net_req_free(r);
		}
	}
	cl->shut_call.fn = shutdown_on_loop;
	cl->shut_call.arg = cl;
	net_loop_post(cl->loop, &cl->shut_call);
	pthread_mutex_lock(&cl->lock);
	while (!cl->shut_done)
		pthread_cond_wait(&cl->cond, &cl->lock);
	pthread_mutex_unlock(&cl->lock);
	free(cl->hs_msg.body);
	pthread_mutex_destroy(&cl->lock);
	pthread_cond_destroy(&cl->cond);
	free(cl);
}

uint64_t net_client_boot_instance(const struct net_client *cl)
{
	return atomic_load(&cl->boot_instance);
}

enum net_client_state net_client_state(const struct net_client *cl)
{
	return (enum net_client_state)atomic_load(&cl->astate);
}

const char *net_client_name(const struct net_client *cl)
{
	return cl->name;
}
