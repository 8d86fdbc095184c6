/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The o2ib transport: stria messages over RDMA reliable connections.
 *
 * rdma_cm connects the two ends, which exchange their queue depth and frame
 * size (proto/rdma.h).  Each end keeps a ring of receive buffers posted; every
 * message goes out as one SEND of a frame into one of them, paced by credits
 * (rdma_credit.h).  The frame carries the message header and, when it fits,
 * the body; the rest moves one-sided:
 *
 *  - a write's data (and a body too large for a frame) is copied into a
 *    registered buffer the sender offers; the receiver pulls it with RDMA
 *    READ and names the buffer "done" in a later frame;
 *  - a request that expects reply bulk (net_msg.bulk_in_cap) names a sink,
 *    a registered buffer of the client's; the server pushes the read data
 *    into it with RDMA WRITE ahead of the reply's SEND.
 *
 * All registered memory comes from per-device pools (rdma_pool.h): the hot
 * path copies into pool buffers instead of registering the caller's memory,
 * so it never registers anything.  A receiver keeps messages in arrival order
 * and hands them on only once their READs are done; it returns a MSG's credit
 * when it hands the message on, so pausing a connection throttles its peer.
 *
 * Completions and rdma_cm events arrive through the device layer
 * (rdma_dev.h) on the connection's loop.  Any error of the QP, a disconnect
 * or a malformed frame closes the connection with on_close(err), which the
 * RPC client answers as it does for TCP: reconnect and resend.
 *
 * Everything here runs on the connection's loop thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/rdma.h"
#include "rdma_credit.h"
#include "rdma_dev.h"
#include "rdma_devs.h"
#include "rdma_pool.h"
#include "xprt.h"

#define MAX_READS 8    /* RDMA READs in flight per connection */
#define RETRY_MS  5    /* a pool was exhausted: try again this soon */
#define PSINK_MAX 4096 /* sinks a peer may have named and not had answered */
#define HBUCKETS  64

/* ---- small tables keyed by u64 (buffer address or xid) ---- */

struct hent {
	uint64_t key;
	struct hent *next;
};

struct htab {
	struct hent *b[HBUCKETS];
	uint32_t n;
};

static struct hent **ht_slot(struct htab *t, uint64_t key)
{
	return &t->b[(key * 0x9E3779B97F4A7C15ULL) >> 58];
}

static void ht_add(struct htab *t, struct hent *e, uint64_t key)
{
	struct hent **s = ht_slot(t, key);

	e->key = key;
	e->next = *s;
	*s = e;
	t->n++;
}

static struct hent *ht_find(struct htab *t, uint64_t key)
{
	for (struct hent *e = *ht_slot(t, key); e; e = e->next)
		if (e->key == key)
			return e;
	return NULL;
}

/* Unlinks and returns the entry of @key, or NULL. */
static struct hent *ht_del(struct htab *t, uint64_t key)
{
	for (struct hent **s = ht_slot(t, key); *s; s = &(*s)->next)
		if ((*s)->key == key) {
			struct hent *e = *s;

			*s = e->next;
			t->n--;
			return e;
		}
	return NULL;
}

/* Unlinks and returns any entry, or NULL when the table is empty. */
static struct hent *ht_pop(struct htab *t)
{
	for (int i = 0; i < HBUCKETS; i++)
		if (t->b[i]) {
			struct hent *e = t->b[i];

			t->b[i] = e->next;
			t->n--;
			return e;
		}
	return NULL;
}

/* ---- connections ---- */

/* A registered buffer the peer may reach: offered (key: its address) or a sink (key: xid). */
struct owned_buf {
	struct hent h; /* first */
	enum net_rdma_access acc;
	struct net_rdma_buf buf;
};

/* A sink the peer named in a request (key: its xid). */
struct psink {
	struct hent h; /* first */
	struct proto_rdma_desc d;
};

enum op_kind {
	OP_RECV = 1,
	OP_SEND,
	OP_READ,
	OP_WRITE,
};

struct rx_ent;

/* One posted work request; its address is the wr_id. */
struct op {
	enum op_kind kind;
	enum net_rdma_access acc; /* the pool of buf */
	struct net_rdma_buf buf;
	uint32_t slot;		/* OP_SEND: index in sops */
	struct rx_ent *ent;	/* OP_READ: the message it reads for */
	uint64_t peer_addr;	/* OP_READ: the peer's buffer, done once read */
	struct op *prev, *next; /* OP_WRITE: the list of outstanding writes */
};

/* A received message on its way up: READs outstanding, or waiting for its turn. */
struct rx_ent {
	struct net_msg *m;
	uint32_t fflags; /* PROTO_RDMA_F_* */
	struct proto_rdma_desc body_d, bulk_d;
	struct op body_op, bulk_op;
	int pending;  /* READs posted and not completed */
	bool started; /* READs posted (or none needed) */
	struct rx_ent *next;
};

enum conn_state {
	CS_RESOLVING,  /* outgoing: rdma_cm resolves the address and route */
	CS_CONNECTING, /* outgoing: connect sent */
	CS_ACCEPTING,  /* incoming: accepted, not yet established */
	CS_UP,
	CS_CLOSED,
};

struct net_conn {
	const struct net_rdma_dev_ops *dops;
	struct net_loop *loop;
	struct net_rdma_ep *ep; /* NULL once closed */
	struct net_rdma_dev *dev;
	struct net_rdma_cfg cfg;
	char peer[64];
	const struct net_conn_ops *ops;
	void *arg;
	enum conn_state state;
	bool outgoing;
	bool paused;
	bool flush_queued;
	struct net_call flush_call;
	struct net_call free_call;
	struct net_timer *retry;
	/* sizes */
	uint32_t depth, msg_size;	    /* ours: receive ring */
	uint32_t peer_depth, peer_msg_size; /* the peer's: what our frames must fit */
	struct net_rdma_credit cr;
	uint32_t sq_max, sq_used, reads;
	/* receive ring (depth) and send slots (nslots) */
	struct op *rops;
	struct op *sops;
	uint32_t *sfree;
	uint32_t nslots, nsfree;
	/* tx */
	struct net_msg *txq_head, *txq_tail;
	uint64_t *dones; /* the peer's offered buffers we have read: tell it */
	uint32_t ndones, dones_cap;
	struct op *writes;
	/* rx */
	struct rx_ent *rxq_head, *rxq_tail;
	/* buffers the peer may reach, and sinks it named */
	struct htab offers, sinks, psinks;
};

struct net_listener {
	const struct net_rdma_dev_ops *dops;
	struct net_rdma_cfg cfg;
	struct net_loop *loop;
	struct net_rdma_lep *lep;
	void (*on_accept)(struct net_conn *c, void *arg);
	void *arg;
};

static void conn_close(struct net_conn *c, int err);
static void tx_flush(struct net_conn *c);
static void rx_progress(struct net_conn *c);

static void format_peer(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s@o2ib port %d", host, net_sockaddr_host(ss, host, sizeof(host)));
}

static struct net_rdma_pool *pool(struct net_conn *c, enum net_rdma_access acc)
{
	return c->dev->pool[acc];
}

static void buf_put(struct net_conn *c, enum net_rdma_access acc, struct net_rdma_buf *b)
{
	if (b->slab)
		net_rdma_pool_put(pool(c, acc), b);
}

static void owned_free(struct net_conn *c, struct owned_buf *o)
{
	if (!o)
		return;
	buf_put(c, o->acc, &o->buf);
	free(o);
}

/* A registered buffer the peer will reach; long-lived (it waits for the peer). */
static int owned_get(struct net_conn *c, enum net_rdma_access acc, uint32_t len,
		     struct owned_buf **out)
{
	struct owned_buf *o = calloc(1, sizeof(*o));
	int err;

	if (!o)
		return -ENOMEM;
	o->acc = acc;
	err = net_rdma_pool_get(pool(c, acc), len, false, &o->buf);
	if (err) {
		free(o);
		return err;
	}
	*out = o;
	return 0;
}

static void msg_done(struct net_msg *m, int err)
{
	if (m->sent)
		m->sent(m, err);
}

static void retry_cb(void *arg)
{
	struct net_conn *c = arg;

	rx_progress(c);
	tx_flush(c);
}

/* A pool ran dry: try again shortly (buffers come back as peers finish with them). */
static void retry_later(struct net_conn *c)
{
	net_timer_arm(c->retry, RETRY_MS);
}

static void flush_cb(void *arg)
{
	struct net_conn *c = arg;

	c->flush_queued = false;
	tx_flush(c);
}

/* Flushes the send queue once the current batch of events has been handled. */
static void kick(struct net_conn *c)
{
	if (c->flush_queued || c->state == CS_CLOSED)
		return;
	c->flush_queued = true;
	net_loop_post(c->loop, &c->flush_call);
}

static int add_done(struct net_conn *c, uint64_t addr)
{
	if (c->ndones == c->dones_cap) {
		uint32_t cap = c->dones_cap ? c->dones_cap * 2 : 64;
		uint64_t *d = realloc(c->dones, cap * sizeof(*d));

		if (!d)
			return -ENOMEM;
		c->dones = d;
		c->dones_cap = cap;
	}
	c->dones[c->ndones++] = addr;
	return 0;
}

static void drop_dones(struct net_conn *c, uint32_t n)
{
	if (n == 0)
		return;
	memmove(c->dones, c->dones + n, (size_t)(c->ndones - n) * sizeof(*c->dones));
	c->ndones -= n;
}

/* ---- sending ---- */

/* Posts the frame already encoded in send slot @slot (@len bytes). */
static int post_frame(struct net_conn *c, uint32_t slot, int len)
{
	struct op *op = &c->sops[slot];
	int err;

	if (len < 0)
		return -EPROTO; /* a frame that does not encode: a bug, not the peer's */
	err = c->dops->post_send(c->ep, (uintptr_t)op, op->buf.addr, op->buf.lkey, (uint32_t)len);
	if (err)
		return err;
	c->nsfree--;
	c->sq_used++;
	return 0;
}

static int send_noop(struct net_conn *c)
{
	struct proto_rdma_frame f = {.type = PROTO_RDMA_NOOP};
	uint32_t room = (c->peer_msg_size - PROTO_RDMA_FIXED_LEN) / 8, ann, slot;
	int err;

	f.ndone = c->ndones < room ? c->ndones : room;
	if (f.ndone > UINT16_MAX)
		f.ndone = UINT16_MAX;
	if (net_rdma_credit_take(&c->cr, true, &ann))
		return 0;
	f.credits = ann;
	slot = c->sfree[c->nsfree - 1];
	err = post_frame(c, slot,
			 proto_rdma_frame_enc(c->sops[slot].buf.addr, c->peer_msg_size, &f,
					      c->dones, NULL, NULL, 0));
	if (err)
		return err;
	drop_dones(c, f.ndone);
	return 0;
}

/* Copies the message's outgoing bulk into @dst. */
static void gather_bulk(const struct net_msg *m, uint8_t *dst)
{
	for (int i = 0; i < m->bulk_niov; i++) {
		memcpy(dst, m->bulk_iov[i].iov_base, m->bulk_iov[i].iov_len);
		dst += m->bulk_iov[i].iov_len;
	}
}

/*
 * Sends @m: takes every buffer it needs first (all or nothing: -EAGAIN when a
 * pool is dry), copies, posts the WRITE of a reply's bulk if its request named
 * a sink, then the SEND of the frame.  The caller checked credits, a free slot
 * and send-queue room.  Returns 0, -EAGAIN, or another -errno (fatal).
 */
static int send_msg(struct net_conn *c, struct net_msg *m)
{
	bool reply = m->hdr.flags & PROTO_F_REPLY;
	uint32_t body_len = m->hdr.body_len, bulk_len = m->hdr.bulk_len;
	struct proto_rdma_frame f = {.type = PROTO_RDMA_MSG};
	struct owned_buf *ob_body = NULL, *ob_bulk = NULL, *ob_sink = NULL;
	struct psink *ps = NULL;
	struct op *wop = NULL;
	uint32_t room, ann, slot;
	bool inline_body;
	int err = 0;

	if (reply)
		ps = (struct psink *)ht_find(&c->psinks, m->hdr.xid);
	if (bulk_len)
		f.flags |= ps && ps->d.len >= bulk_len ? PROTO_RDMA_F_BULK_WRITTEN
						       : PROTO_RDMA_F_BULK_READ;
	if (!reply && m->bulk_in_cap && m->bulk_in_cap <= NET_RDMA_POOL_MAX)
		f.flags |= PROTO_RDMA_F_SINK;
	inline_body =
	    proto_rdma_frame_prefix_len(f.flags, 0) + PROTO_HDR_LEN + body_len <= c->peer_msg_size;
	if (!inline_body)
		f.flags |= PROTO_RDMA_F_BODY_READ;

	/* Every buffer first, so that nothing below has to wait. */
	if (!inline_body)
		err = owned_get(c, NET_RDMA_REMOTE_READ, body_len, &ob_body);
	if (!err && (f.flags & PROTO_RDMA_F_BULK_READ))
		err = owned_get(c, NET_RDMA_REMOTE_READ, bulk_len, &ob_bulk);
	if (!err && (f.flags & PROTO_RDMA_F_BULK_WRITTEN)) {
		wop = calloc(1, sizeof(*wop));
		err = wop ? net_rdma_pool_get(pool(c, NET_RDMA_LOCAL), bulk_len, true, &wop->buf)
			  : -ENOMEM;
	}
	if (!err && (f.flags & PROTO_RDMA_F_SINK))
		err = owned_get(c, NET_RDMA_REMOTE_WRITE, m->bulk_in_cap, &ob_sink);
	if (err)
		goto err_release;

	if (ob_body) {
		memcpy(ob_body->buf.addr, m->body, body_len);
		f.body = (struct proto_rdma_desc){(uintptr_t)ob_body->buf.addr, ob_body->buf.rkey,
						  body_len};
	}
	if (ob_bulk) {
		gather_bulk(m, ob_bulk->buf.addr);
		f.bulk = (struct proto_rdma_desc){(uintptr_t)ob_bulk->buf.addr, ob_bulk->buf.rkey,
						  bulk_len};
	}
	if (ob_sink)
		f.sink = (struct proto_rdma_desc){(uintptr_t)ob_sink->buf.addr, ob_sink->buf.rkey,
						  m->bulk_in_cap};
	if (wop) {
		/* The WRITE goes first on the QP: the peer sees its data before the SEND. */
		gather_bulk(m, wop->buf.addr);
		wop->kind = OP_WRITE;
		wop->acc = NET_RDMA_LOCAL;
		err = c->dops->post_write(c->ep, (uintptr_t)wop, wop->buf.addr, wop->buf.lkey,
					  bulk_len, ps->d.addr, ps->d.rkey);
		if (err)
			goto err_release;
		c->sq_used++;
		wop->next = c->writes;
		if (c->writes)
			c->writes->prev = wop;
		c->writes = wop;
		wop = NULL;
	}

	room = c->peer_msg_size - (uint32_t)proto_rdma_frame_prefix_len(f.flags, 0) -
	       PROTO_HDR_LEN - (inline_body ? body_len : 0);
	f.ndone = c->ndones < room / 8 ? c->ndones : room / 8;
	if (f.ndone > UINT16_MAX)
		f.ndone = UINT16_MAX;
	err = net_rdma_credit_take(&c->cr, false, &ann);
	if (err)
		goto err_release; /* cannot happen: the caller checked */
	f.credits = ann;
	slot = c->sfree[c->nsfree - 1];
	err = post_frame(c, slot,
			 proto_rdma_frame_enc(c->sops[slot].buf.addr, c->peer_msg_size, &f,
					      c->dones, m->hdr_buf, inline_body ? m->body : NULL,
					      inline_body ? body_len : 0));
	if (err) {
		net_rdma_credit_untake(&c->cr, ann);
		goto err_release;
	}
	drop_dones(c, f.ndone);

	/* Posted: the buffers now wait for the peer. */
	if (ob_body)
		ht_add(&c->offers, &ob_body->h, (uintptr_t)ob_body->buf.addr);
	if (ob_bulk)
		ht_add(&c->offers, &ob_bulk->h, (uintptr_t)ob_bulk->buf.addr);
	if (ob_sink) {
		/* A request resent on this connection replaces its earlier sink. */
		owned_free(c, (struct owned_buf *)ht_del(&c->sinks, m->hdr.xid));
		ht_add(&c->sinks, &ob_sink->h, m->hdr.xid);
	}
	if (reply)
		free(ht_del(&c->psinks, m->hdr.xid));
	return 0;

err_release:
	owned_free(c, ob_body);
	owned_free(c, ob_bulk);
	owned_free(c, ob_sink);
	if (wop) {
		buf_put(c, NET_RDMA_LOCAL, &wop->buf);
		free(wop);
	}
	return err == -ENOBUFS ? -EAGAIN : err;
}

static void tx_flush(struct net_conn *c)
{
	while (c->state == CS_UP && c->txq_head) {
		struct net_msg *m = c->txq_head;
		int err;

		if (!net_rdma_credit_can_send_msg(&c->cr) || !c->nsfree ||
		    c->sq_used + 2 > c->sq_max)
			break;
		err = send_msg(c, m);
		if (err == -EAGAIN) {
			retry_later(c);
			break;
		}
		if (err) {
			NET_ERR("o2ib: sending to %s failed: %s; closing the connection", c->peer,
				strerror(-err));
			conn_close(c, err);
			return;
		}
		c->txq_head = m->next;
		if (!c->txq_head)
			c->txq_tail = NULL;
		m->next = NULL;
		/* The message's memory was copied: the caller may have it back. */
		msg_done(m, 0);
	}
	if (c->state == CS_UP && c->nsfree && c->sq_used < c->sq_max &&
	    net_rdma_credit_want_noop(&c->cr, c->ndones > 0)) {
		int err = send_noop(c);

		if (err) {
			NET_ERR("o2ib: sending to %s failed: %s; closing the connection", c->peer,
				strerror(-err));
			conn_close(c, err);
		}
	}
}

/* ---- receiving ---- */

static uint32_t body_cap(struct net_conn *c)
{
	return c->ops && c->ops->body_cap ? c->ops->body_cap(c, c->arg) : PROTO_BODY_MAX;
}

static int repost(struct net_conn *c, struct op *op)
{
	return c->dops->post_recv(c->ep, (uintptr_t)op, op->buf.addr, op->buf.lkey, op->buf.len);
}

static void ent_free(struct net_conn *c, struct rx_ent *e)
{
	buf_put(c, NET_RDMA_LOCAL, &e->body_op.buf);
	buf_put(c, NET_RDMA_LOCAL, &e->bulk_op.buf);
	net_msg_free(e->m);
	free(e);
}

static void proto_error(struct net_conn *c, int err, const char *what)
{
	NET_ERR("o2ib: peer %s %s; closing the connection", c->peer, what);
	conn_close(c, err);
}

/* A MSG frame arrived: queue the message (its READs start in rx_progress). */
static int recv_msg(struct net_conn *c, const struct proto_rdma_frame *f)
{
	struct rx_ent *e = calloc(1, sizeof(*e));
	struct net_msg *m = calloc(1, sizeof(*m));

	if (!e || !m)
		goto err_nomem;
	m->hdr = f->hdr;
	memcpy(m->hdr_buf, f->hdr_buf, PROTO_HDR_LEN);
	if (f->hdr.body_len) {
		m->body = malloc(f->hdr.body_len);
		if (!m->body)
			goto err_nomem;
		if (f->body_inline)
			memcpy(m->body, f->body_inline, f->hdr.body_len);
	}
	if (f->flags & PROTO_RDMA_F_SINK) {
		struct psink *ps = (struct psink *)ht_find(&c->psinks, f->hdr.xid);

		if (!ps) {
			if (c->psinks.n >= PSINK_MAX) {
				free(m->body);
				free(m);
				free(e);
				proto_error(c, -EPROTO,
					    "named too many sinks for unanswered requests");
				return -EPROTO;
			}
			ps = calloc(1, sizeof(*ps));
			if (!ps)
				goto err_nomem;
			ht_add(&c->psinks, &ps->h, f->hdr.xid);
		}
		ps->d = f->sink;
	}
	e->m = m;
	e->fflags = f->flags;
	e->body_d = f->body;
	e->bulk_d = f->bulk;
	if (c->rxq_tail)
		c->rxq_tail->next = e;
	else
		c->rxq_head = e;
	c->rxq_tail = e;
	return 0;

err_nomem:
	if (m)
		free(m->body);
	free(m);
	free(e);
	NET_ERR("o2ib: out of memory receiving from %s; closing the connection", c->peer);
	conn_close(c, -ENOMEM);
	return -ENOMEM;
}

static void on_recv(struct net_conn *c, struct op *op, uint32_t byte_len)
{
	struct proto_rdma_frame f;
	int err;

	if (proto_rdma_frame_dec(op->buf.addr, byte_len, body_cap(c), &f)) {
		proto_error(c, -EBADMSG, "sent a malformed frame");
		return;
	}
	if (net_rdma_credit_grant(&c->cr, f.credits)) {
		proto_error(c, -EPROTO, "returned more credits than it was given");
		return;
	}
	for (uint32_t i = 0; i < f.ndone; i++) {
		struct owned_buf *o =
		    (struct owned_buf *)ht_del(&c->offers, proto_rdma_frame_done(&f, i));

		if (!o) {
			proto_error(c, -EPROTO, "named a buffer it was never offered");
			return;
		}
		owned_free(c, o);
	}
	if (f.type == PROTO_RDMA_MSG && recv_msg(c, &f))
		return;
	/* The frame is consumed: the buffer goes back to the ring at once. */
	err = repost(c, op);
	if (err) {
		NET_ERR("o2ib: cannot repost a receive buffer for %s: %s", c->peer, strerror(-err));
		conn_close(c, err);
		return;
	}
	/* A NOOP's credit is owed now; a MSG's when it is handed on. */
	if (f.type == PROTO_RDMA_NOOP && net_rdma_credit_return(&c->cr))
		proto_error(c, -EPROTO, "sent more frames than it had credits");
}

/* Posts the READs of queued messages, in order, as far as limits and pools allow. */
static void start_reads(struct net_conn *c)
{
	for (struct rx_ent *e = c->rxq_head; e && !c->paused; e = e->next) {
		bool body = e->fflags & PROTO_RDMA_F_BODY_READ;
		bool bulk = e->fflags & PROTO_RDMA_F_BULK_READ;
		uint32_t need = (uint32_t)body + (uint32_t)bulk;
		int err = 0;

		if (e->started)
			continue;
		if (!need) {
			e->started = true;
			continue;
		}
		if (c->reads + need > MAX_READS || c->sq_used + need > c->sq_max)
			return;
		if (body)
			err = net_rdma_pool_get(pool(c, NET_RDMA_LOCAL), e->body_d.len, true,
						&e->body_op.buf);
		if (!err && bulk)
			err = net_rdma_pool_get(pool(c, NET_RDMA_LOCAL), e->bulk_d.len, true,
						&e->bulk_op.buf);
		if (err) {
			buf_put(c, NET_RDMA_LOCAL, &e->body_op.buf);
			buf_put(c, NET_RDMA_LOCAL, &e->bulk_op.buf);
			if (err == -ENOBUFS) {
				retry_later(c);
				return;
			}
			NET_ERR("o2ib: no registered buffer to read from %s: %s", c->peer,
				strerror(-err));
			conn_close(c, err);
			return;
		}
		e->started = true;
		if (body) {
			e->body_op.kind = OP_READ;
			e->body_op.acc = NET_RDMA_LOCAL;
			e->body_op.ent = e;
			e->body_op.peer_addr = e->body_d.addr;
			err = c->dops->post_read(c->ep, (uintptr_t)&e->body_op, e->body_op.buf.addr,
						 e->body_op.buf.lkey, e->body_d.len, e->body_d.addr,
						 e->body_d.rkey);
			if (!err) {
				e->pending++;
				c->reads++;
				c->sq_used++;
			}
		}
		if (!err && bulk) {
			e->bulk_op.kind = OP_READ;
			e->bulk_op.acc = NET_RDMA_LOCAL;
			e->bulk_op.ent = e;
			e->bulk_op.peer_addr = e->bulk_d.addr;
			err = c->dops->post_read(c->ep, (uintptr_t)&e->bulk_op, e->bulk_op.buf.addr,
						 e->bulk_op.buf.lkey, e->bulk_d.len, e->bulk_d.addr,
						 e->bulk_d.rkey);
			if (!err) {
				e->pending++;
				c->reads++;
				c->sq_used++;
			}
		}
		if (err) {
			NET_ERR("o2ib: cannot post an RDMA READ to %s: %s", c->peer,
				strerror(-err));
			conn_close(c, err);
			return;
		}
	}
}

/* Hands the head message on: its body and bulk are complete. */
static void deliver(struct net_conn *c, struct rx_ent *e)
{
	struct net_msg *m = e->m;
	struct owned_buf *sink = NULL;
	uint32_t bulk_len = m->hdr.bulk_len;
	const void *src = NULL;
	void *dst;

	if (e->fflags & PROTO_RDMA_F_BODY_READ)
		memcpy(m->body, e->body_op.buf.addr, m->hdr.body_len);
	/* A reply ends its request's use of the sink it named, whatever it carries. */
	if (m->hdr.flags & PROTO_F_REPLY)
		sink = (struct owned_buf *)ht_del(&c->sinks, m->hdr.xid);
	if (bulk_len) {
		if (e->fflags & PROTO_RDMA_F_BULK_READ) {
			src = e->bulk_op.buf.addr;
		} else {
			if (!sink || sink->buf.len < bulk_len) {
				owned_free(c, sink);
				ent_free(c, e);
				proto_error(c, -EPROTO, "wrote reply bulk where we had no sink");
				return;
			}
			src = sink->buf.addr;
		}
		dst = c->ops->bulk_sink ? c->ops->bulk_sink(c, &m->hdr, c->arg) : NULL;
		if (c->state == CS_CLOSED) {
			owned_free(c, sink);
			ent_free(c, e);
			return;
		}
		if (!dst) {
			dst = net_bulk_alloc(bulk_len);
			if (!dst) {
				owned_free(c, sink);
				ent_free(c, e);
				NET_ERR("o2ib: out of memory receiving from %s", c->peer);
				conn_close(c, -ENOMEM);
				return;
			}
			m->bulk_owned = true;
		}
		memcpy(dst, src, bulk_len);
		m->bulk = dst;
	}
	owned_free(c, sink);
	e->m = NULL;
	ent_free(c, e);
	if (net_rdma_credit_return(&c->cr)) {
		net_msg_free(m);
		proto_error(c, -EPROTO, "sent more frames than it had credits");
		return;
	}
	c->ops->on_msg(c, m, c->arg);
}

static void rx_progress(struct net_conn *c)
{
	struct rx_ent *e;

	if (c->state == CS_CLOSED)
		return;
	start_reads(c);
	while (c->state != CS_CLOSED && !c->paused && (e = c->rxq_head) && e->started &&
	       e->pending == 0) {
		c->rxq_head = e->next;
		if (!c->rxq_head)
			c->rxq_tail = NULL;
		deliver(c, e);
	}
	/* Credits of messages handed on may be worth a NOOP. */
	kick(c);
}

static const char *op_name(enum op_kind k)
{
	switch (k) {
	case OP_RECV:
		return "a receive";
	case OP_SEND:
		return "a send";
	case OP_READ:
		return "an RDMA READ";
	default:
		return "an RDMA WRITE";
	}
}

static void on_wc(void *arg, const struct net_rdma_wc *wc, int n)
{
	struct net_conn *c = arg;

	for (int i = 0; i < n && c->state != CS_CLOSED; i++) {
		struct op *op = (struct op *)(uintptr_t)wc[i].wr_id;

		if (wc[i].status && wc[i].flushed) {
			/* The QP went down under us: usually the peer left first. */
			NET_INFO("o2ib: connection to %s lost", c->peer);
			conn_close(c, -ECONNRESET);
			return;
		}
		if (wc[i].status) {
			NET_WARN("o2ib: %s to %s failed: %s; closing the connection",
				 op_name(op->kind), c->peer, wc[i].why ? wc[i].why : "error");
			conn_close(c, -EIO);
			return;
		}
		switch (op->kind) {
		case OP_RECV:
			on_recv(c, op, wc[i].byte_len);
			break;
		case OP_SEND:
			c->sfree[c->nsfree++] = op->slot;
			c->sq_used--;
			break;
		case OP_WRITE:
			if (op->prev)
				op->prev->next = op->next;
			else
				c->writes = op->next;
			if (op->next)
				op->next->prev = op->prev;
			buf_put(c, NET_RDMA_LOCAL, &op->buf);
			free(op);
			c->sq_used--;
			break;
		case OP_READ:
			c->sq_used--;
			c->reads--;
			op->ent->pending--;
			if (add_done(c, op->peer_addr)) {
				NET_ERR("o2ib: out of memory receiving from %s", c->peer);
				conn_close(c, -ENOMEM);
				return;
			}
			break;
		}
	}
	if (c->state != CS_CLOSED) {
		rx_progress(c);
		kick(c);
	}
}

/* ---- set-up and tear-down ---- */

static struct net_conn *conn_new(struct net_loop *loop, const struct net_rdma_dev_ops *dops,
				 const struct net_rdma_cfg *cfg)
{
	struct net_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (net_timer_new(loop, retry_cb, c, &c->retry)) {
		free(c);
		return NULL;
	}
	c->dops = dops;
	c->loop = loop;
	c->cfg = *cfg;
	c->depth = cfg->depth;
	c->msg_size = cfg->msg_size;
	c->flush_call.fn = flush_cb;
	c->flush_call.arg = c;
	return c;
}

static void conn_free_cb(void *arg)
{
	struct net_conn *c = arg;

	net_rdma_dev_put(c->dev);
	free(c);
}

/* The device, the receive ring (posted) and the QP: before connect or accept. */
static int setup_ring(struct net_conn *c)
{
	struct net_rdma_qp_cfg qc;
	int err = net_rdma_dev_get(c->dops, c->ep, &c->cfg, &c->dev);

	if (err)
		return err;
	c->nslots = c->depth + 2;
	/* Sends (one per slot), a WRITE before each, and the READs. */
	c->sq_max = 2 * c->nslots + MAX_READS;
	qc.send_depth = c->sq_max;
	qc.recv_depth = c->depth;
	err = c->dops->qp_create(c->ep, c->dev->pd, &qc);
	if (err)
		return err;
	c->rops = calloc(c->depth, sizeof(*c->rops));
	if (!c->rops)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->depth; i++) {
		struct op *op = &c->rops[i];

		op->kind = OP_RECV;
		op->acc = NET_RDMA_LOCAL;
		err = net_rdma_pool_get(pool(c, NET_RDMA_LOCAL), c->msg_size, false, &op->buf);
		if (!err)
			err = repost(c, op);
		if (err)
			return err;
	}
	return 0;
}

/* What the peer told us at connection time: its ring, hence our credits and slots. */
static int setup_peer(struct net_conn *c, const void *pdata, size_t plen)
{
	struct proto_rdma_conn p;
	int err = proto_rdma_conn_dec(pdata, plen, &p);

	if (err)
		return err;
	c->peer_depth = p.queue_depth;
	c->peer_msg_size = p.msg_size;
	net_rdma_credit_init(&c->cr, c->depth, c->peer_depth);
	c->sops = calloc(c->nslots, sizeof(*c->sops));
	c->sfree = calloc(c->nslots, sizeof(*c->sfree));
	if (!c->sops || !c->sfree)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->nslots; i++) {
		struct op *op = &c->sops[i];

		op->kind = OP_SEND;
		op->acc = NET_RDMA_LOCAL;
		op->slot = i;
		err = net_rdma_pool_get(pool(c, NET_RDMA_LOCAL), c->peer_msg_size, false, &op->buf);
		if (err)
			return err;
		c->sfree[c->nsfree++] = i;
	}
	return 0;
}

static void our_pdata(const struct net_conn *c, uint8_t buf[PROTO_RDMA_CONN_LEN])
{
	struct proto_rdma_conn p = {.queue_depth = c->depth, .msg_size = c->msg_size};

	proto_rdma_conn_enc(buf, &p);
}

static void release_all(struct net_conn *c)
{
	struct hent *h;
	struct rx_ent *e;

	if (c->rops)
		for (uint32_t i = 0; i < c->depth; i++)
			buf_put(c, NET_RDMA_LOCAL, &c->rops[i].buf);
	if (c->sops)
		for (uint32_t i = 0; i < c->nslots; i++)
			buf_put(c, NET_RDMA_LOCAL, &c->sops[i].buf);
	while (c->writes) {
		struct op *op = c->writes;

		c->writes = op->next;
		buf_put(c, NET_RDMA_LOCAL, &op->buf);
		free(op);
	}
	while ((e = c->rxq_head) != NULL) {
		c->rxq_head = e->next;
		ent_free(c, e);
	}
	c->rxq_tail = NULL;
	while ((h = ht_pop(&c->offers)) != NULL)
		owned_free(c, (struct owned_buf *)h);
	while ((h = ht_pop(&c->sinks)) != NULL)
		owned_free(c, (struct owned_buf *)h);
	while ((h = ht_pop(&c->psinks)) != NULL)
		free(h);
	free(c->rops);
	free(c->sops);
	free(c->sfree);
	free(c->dones);
	c->rops = c->sops = NULL;
	c->sfree = NULL;
	c->dones = NULL;
	c->ndones = 0;
}

static void conn_close(struct net_conn *c, int err)
{
	struct net_msg *m;

	if (c->state == CS_CLOSED)
		return;
	c->state = CS_CLOSED;
	net_timer_free(c->retry);
	c->retry = NULL;
	if (c->ep) {
		c->dops->disconnect(c->ep);
		/* After this the device no longer touches any buffer below. */
		c->dops->destroy(c->ep);
		c->ep = NULL;
	}
	/* The device (and its pools) stays until the free: a caller may still hold a buffer. */
	if (c->dev)
		release_all(c);
	while ((m = c->txq_head) != NULL) {
		c->txq_head = m->next;
		m->next = NULL;
		msg_done(m, -ECONNRESET);
	}
	c->txq_tail = NULL;
	if (c->ops && c->ops->on_close)
		c->ops->on_close(c, err, c->arg);
	/* Free once the current call stack (which may still hold @c) unwinds. */
	c->free_call.fn = conn_free_cb;
	c->free_call.arg = c;
	net_loop_post(c->loop, &c->free_call);
}

static void on_cm(void *arg, enum net_rdma_cm_ev ev, int err, const void *pdata, size_t plen)
{
	struct net_conn *c = arg;
	uint8_t ours[PROTO_RDMA_CONN_LEN];

	if (c->state == CS_CLOSED)
		return;
	switch (ev) {
	case NET_RDMA_CM_RESOLVED:
		if (c->state != CS_RESOLVING)
			break;
		err = setup_ring(c);
		if (!err) {
			our_pdata(c, ours);
			err = c->dops->connect(c->ep, ours, sizeof(ours));
		}
		if (err) {
			NET_WARN("o2ib: cannot connect to %s: %s", c->peer, strerror(-err));
			conn_close(c, err);
			return;
		}
		c->state = CS_CONNECTING;
		break;
	case NET_RDMA_CM_ESTABLISHED:
		if (c->state == CS_CONNECTING) {
			err = setup_peer(c, pdata, plen);
			if (err) {
				NET_ERR("o2ib: %s accepted with bad connection data (%s); closing",
					c->peer, strerror(-err));
				conn_close(c, err == -ENOMEM ? err : -EPROTO);
				return;
			}
			c->state = CS_UP;
			c->ops->on_connected(c, 0, c->arg);
		} else if (c->state == CS_ACCEPTING) {
			c->state = CS_UP;
		}
		kick(c);
		break;
	case NET_RDMA_CM_DISCONNECTED:
		conn_close(c, -ECONNRESET);
		break;
	case NET_RDMA_CM_ERROR:
		conn_close(c, err ? err : -EIO);
		break;
	}
}

static const struct net_rdma_ep_cbs conn_cbs = {on_cm, on_wc};

/* ---- the transport interface ---- */

static const char *rdma_unavailable(char *buf, size_t len)
{
	return net_rdma_dev_ops_now()->probe(buf, len);
}

static int rdma_connect(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
			struct net_conn **out)
{
	const struct net_rdma_dev_ops *dops = net_rdma_dev_ops_now();
	struct net_rdma_cfg cfg = net_rdma_cfg_read();
	char why[128];
	struct net_conn *c;
	int err;

	if (dops->probe(why, sizeof(why)))
		return -ENODEV;
	c = conn_new(loop, dops, &cfg);
	if (!c)
		return -ENOMEM;
	format_peer((const struct sockaddr_storage *)sa, c->peer, sizeof(c->peer));
	c->outgoing = true;
	c->state = CS_RESOLVING;
	err = dops->connect_start(loop, sa, salen, &conn_cbs, c, &c->ep);
	if (err) {
		net_timer_free(c->retry);
		free(c);
		return err;
	}
	*out = c;
	return 0;
}

static void on_request(void *arg, struct net_rdma_ep *ep, const void *pdata, size_t plen)
{
	struct net_listener *l = arg;
	struct sockaddr_storage ss;
	uint8_t ours[PROTO_RDMA_CONN_LEN];
	struct net_conn *c;
	int err;

	l->dops->peer_addr(ep, &ss);
	c = conn_new(l->loop, l->dops, &l->cfg);
	if (!c) {
		NET_ERR("o2ib: out of memory accepting a connection");
		l->dops->reject(ep);
		l->dops->destroy(ep);
		return;
	}
	c->ep = ep;
	c->state = CS_ACCEPTING;
	format_peer(&ss, c->peer, sizeof(c->peer));
	l->dops->set_cbs(ep, &conn_cbs, c);
	err = setup_ring(c);
	if (!err)
		err = setup_peer(c, pdata, plen);
	if (!err) {
		our_pdata(c, ours);
		err = l->dops->accept(ep, ours, sizeof(ours));
	}
	if (err) {
		NET_WARN("o2ib: refusing a connection from %s: %s", c->peer,
			 err == -EPROTO || err == -EINVAL || err == -EPROTONOSUPPORT
			     ? "bad connection data"
			     : strerror(-err));
		l->dops->reject(ep);
		conn_close(c, err); /* no upcalls yet: nobody has set ops */
		return;
	}
	l->on_accept(c, l->arg);
}

static int rdma_listen(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
		       void (*accept_fn)(struct net_conn *c, void *arg), void *arg,
		       struct net_listener **out)
{
	const struct net_rdma_dev_ops *dops = net_rdma_dev_ops_now();
	struct net_listener *l;
	char why[128];
	int err;

	if (dops->probe(why, sizeof(why)))
		return -ENODEV;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->dops = dops;
	l->cfg = net_rdma_cfg_read();
	l->loop = loop;
	l->on_accept = accept_fn;
	l->arg = arg;
	err = dops->listen(loop, sa, salen, on_request, l, &l->lep);
	if (err) {
		free(l);
		return err;
	}
	NET_INFO("o2ib: queue depth %u, frames of %u bytes, registered pools of up to %zu MiB "
		 "each",
		 l->cfg.depth, l->cfg.msg_size, l->cfg.pool_limit >> 20);
	*out = l;
	return 0;
}

static void rdma_listener_close(struct net_listener *l)
{
	if (!l)
		return;
	l->dops->listen_close(l->lep);
	free(l);
}

static void rdma_set_ops(struct net_conn *c, const struct net_conn_ops *ops, void *arg)
{
	c->ops = ops;
	c->arg = arg;
}

static void rdma_send(struct net_conn *c, struct net_msg *m)
{
	if (c->state == CS_CLOSED) {
		msg_done(m, -ECONNRESET);
		return;
	}
	m->next = NULL;
	if (c->txq_tail)
		c->txq_tail->next = m;
	else
		c->txq_head = m;
	c->txq_tail = m;
	kick(c);
}

/* Bulk reaches the caller's buffer only in deliver(), right before on_msg: nothing to stop. */
static void rdma_abort_rx_bulk(struct net_conn *c)
{
}

static void rdma_close(struct net_conn *c, int err)
{
	conn_close(c, err);
}

static void rdma_pause_rx(struct net_conn *c, bool pause)
{
	if (c->paused == pause || c->state == CS_CLOSED)
		return;
	c->paused = pause;
	if (!pause)
		rx_progress(c);
}

static const char *rdma_peer(const struct net_conn *c)
{
	return c->peer;
}

const struct net_xprt net_xprt_rdma = {
    .name = "o2ib",
    .lnd = PROTO_LND_O2IB,
    .unavailable = rdma_unavailable,
    .listen = rdma_listen,
    .listener_close = rdma_listener_close,
    .connect = rdma_connect,
    .set_ops = rdma_set_ops,
    .send = rdma_send,
    .abort_rx_bulk = rdma_abort_rx_bulk,
    .close = rdma_close,
    .pause_rx = rdma_pause_rx,
    .peer = rdma_peer,
};
