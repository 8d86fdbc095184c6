/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated RDMA device (see rdma_sim.h).  One mutex guards all of it;
 * every upcall runs, unlocked, from an event posted to the endpoint's loop.
 * An event holds a reference on its endpoint, so an endpoint destroyed by its
 * own upcall is freed only when the last event is done with it.
 */
#include "rdma_sim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/rdma_dev.h"

#define PDATA_MAX 64

enum wr_op {
	WR_SEND,
	WR_READ,
	WR_WRITE,
};

struct sim_wr {
	enum wr_op op;
	uint64_t wr_id;
	void *addr;
	uint32_t lkey, len;
	uint64_t raddr;
	uint32_t rkey;
};

struct sim_recv {
	uint64_t wr_id;
	void *addr;
	uint32_t lkey, len;
};

struct sim_wc {
	struct net_rdma_wc wc;
	bool send_queue; /* completes a send-queue work request */
};

struct net_rdma_pd {
	int refs;
};

struct net_rdma_ep {
	struct net_loop *loop;
	const struct net_rdma_ep_cbs *cbs;
	void *arg;
	struct sockaddr_in sa;	  /* the peer's, as peer_addr() reports it */
	struct net_rdma_ep *peer; /* connected, or (server side) connecting */
	bool connected, dead, qp, qp_err, disc_sent;
	uint32_t send_depth, recv_depth;
	struct sim_recv *rq;
	uint32_t nrq;
	struct sim_wr *sq;
	uint32_t nsq;	 /* posted, not yet carried out */
	uint32_t sq_out; /* posted, completion not yet delivered */
	struct sim_wc *cq;
	uint32_t ncq, cq_cap;
	bool sq_posted, cq_posted;
	int refs;
	struct net_rdma_ep *next; /* live list */
};

struct net_rdma_lep {
	struct net_loop *loop;
	struct sockaddr_in sa;
	void (*on_request)(void *arg, struct net_rdma_ep *ep, const void *pdata, size_t plen);
	void *arg;
	bool closed;
	int refs;
	struct net_rdma_lep *next;
};

struct sim_mr {
	void *addr;
	size_t len;
	uint32_t lkey, rkey;
	enum net_rdma_access acc;
	struct sim_mr *next;
};

enum ev_kind {
	EV_CM,
	EV_REQ,
	EV_SQ,
	EV_CQ,
};

struct sim_ev {
	struct net_call call;
	enum ev_kind kind;
	struct net_rdma_ep *ep;
	struct net_rdma_lep *l;
	enum net_rdma_cm_ev cm;
	int err;
	uint8_t pdata[PDATA_MAX];
	size_t plen;
};

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct net_rdma_lep *listeners;
static struct net_rdma_ep *live;
static struct sim_mr *mrs;
static struct net_rdma_pd the_pd;
static struct t_sim_stats st;
static bool device = true;
static int fail_send_in, corrupt_send_in;
static uint32_t next_key = 1;
static uint16_t next_port = 40000;

static void violation(const char *what)
{
	st.violations++;
	fprintf(stderr, "rdma sim: VIOLATION: %s\n", what);
}

/* ---- events (sim_lock held to post; run unlocked) ---- */

static void ep_unref_locked(struct net_rdma_ep *ep)
{
	if (--ep->refs == 0) {
		free(ep->rq);
		free(ep->sq);
		free(ep->cq);
		free(ep);
	}
}

static void lep_unref_locked(struct net_rdma_lep *l)
{
	if (--l->refs == 0)
		free(l);
}

static void run_ev(void *arg);

static void post_ev(struct net_loop *loop, struct sim_ev *ev)
{
	if (ev->ep)
		ev->ep->refs++;
	if (ev->l)
		ev->l->refs++;
	ev->call.fn = run_ev;
	ev->call.arg = ev;
	net_loop_post(loop, &ev->call);
}

static void post_cm(struct net_rdma_ep *ep, enum net_rdma_cm_ev cm, int err, const void *pdata,
		    size_t plen)
{
	struct sim_ev *ev = calloc(1, sizeof(*ev));

	ev->kind = EV_CM;
	ev->ep = ep;
	ev->cm = cm;
	ev->err = err;
	if (pdata && plen <= PDATA_MAX) {
		memcpy(ev->pdata, pdata, plen);
		ev->plen = plen;
	}
	post_ev(ep->loop, ev);
}

static void post_simple(struct net_rdma_ep *ep, enum ev_kind kind)
{
	struct sim_ev *ev = calloc(1, sizeof(*ev));

	ev->kind = kind;
	ev->ep = ep;
	post_ev(ep->loop, ev);
}

static void add_wc(struct net_rdma_ep *ep, uint64_t wr_id, int status, const char *why,
		   uint32_t byte_len, bool send_queue)
{
	if (ep->ncq == ep->cq_cap) {
		ep->cq_cap = ep->cq_cap ? ep->cq_cap * 2 : 64;
		ep->cq = realloc(ep->cq, ep->cq_cap * sizeof(*ep->cq));
	}
	ep->cq[ep->ncq++] =
	    (struct sim_wc){{.wr_id = wr_id,
			     .status = status,
			     .flushed = status && why && strcmp(why, "WR flushed") == 0,
			     .why = why,
			     .byte_len = byte_len},
			    send_queue};
	if (!ep->cq_posted) {
		ep->cq_posted = true;
		post_simple(ep, EV_CQ);
	}
}

/* The peer is gone or broke the connection: tell @ep once. */
static void send_disconnect(struct net_rdma_ep *ep)
{
	if (ep && !ep->dead && !ep->disc_sent) {
		ep->disc_sent = true;
		post_cm(ep, NET_RDMA_CM_DISCONNECTED, 0, NULL, 0);
	}
}

static const struct sim_mr *find_mr(void *addr, uint32_t len, bool remote, uint32_t key)
{
	for (const struct sim_mr *m = mrs; m; m = m->next)
		if ((remote ? m->rkey : m->lkey) == key && (uint8_t *)addr >= (uint8_t *)m->addr &&
		    (uint8_t *)addr + len <= (uint8_t *)m->addr + m->len)
			return m;
	return NULL;
}

/* Carries out one send-queue work request of @ep; returns its completion status. */
static int carry_out(struct net_rdma_ep *ep, const struct sim_wr *wr, const char **why)
{
	struct net_rdma_ep *peer = ep->connected ? ep->peer : NULL;
	const struct sim_mr *rm;

	if (ep->qp_err) {
		*why = "WR flushed";
		return -EIO;
	}
	if (!peer || peer->dead || !peer->qp) {
		*why = "transport retry counter exceeded";
		ep->qp_err = true;
		return -EIO;
	}
	if (!find_mr(wr->addr, wr->len, false, wr->lkey)) {
		violation("local key does not cover the buffer");
		*why = "local protection error";
		ep->qp_err = true;
		return -EIO;
	}
	switch (wr->op) {
	case WR_SEND: {
		struct sim_recv r;

		if (fail_send_in > 0 && --fail_send_in == 0) {
			st.injected++;
			*why = "simulated link failure";
			ep->qp_err = true;
			send_disconnect(peer);
			return -EIO;
		}
		if (peer->nrq == 0) {
			violation("SEND with no receive posted (receiver not ready)");
			*why = "RNR retry counter exceeded";
			ep->qp_err = true;
			return -EIO;
		}
		r = peer->rq[0];
		memmove(peer->rq, peer->rq + 1, --peer->nrq * sizeof(*peer->rq));
		if (wr->len > r.len) {
			violation("SEND longer than the receive buffer");
			*why = "remote invalid request";
			ep->qp_err = true;
			add_wc(peer, r.wr_id, -EIO, "local length error", 0, false);
			return -EIO;
		}
		memcpy(r.addr, wr->addr, wr->len);
		if (corrupt_send_in > 0 && --corrupt_send_in == 0 && wr->len) {
			st.injected++;
			((uint8_t *)r.addr)[0] ^= 0xff;
		}
		st.sends++;
		add_wc(peer, r.wr_id, 0, NULL, wr->len, false);
		return 0;
	}
	case WR_READ:
		rm = find_mr((void *)(uintptr_t)wr->raddr, wr->len, true, wr->rkey);
		if (!rm || rm->acc != NET_RDMA_REMOTE_READ) {
			violation("RDMA READ outside a remotely readable buffer");
			*why = "remote access error";
			ep->qp_err = true;
			return -EIO;
		}
		memcpy(wr->addr, (void *)(uintptr_t)wr->raddr, wr->len);
		st.reads++;
		return 0;
	default:
		rm = find_mr((void *)(uintptr_t)wr->raddr, wr->len, true, wr->rkey);
		if (!rm || rm->acc != NET_RDMA_REMOTE_WRITE) {
			violation("RDMA WRITE outside a remotely writable buffer");
			*why = "remote access error";
			ep->qp_err = true;
			return -EIO;
		}
		memcpy((void *)(uintptr_t)wr->raddr, wr->addr, wr->len);
		st.writes++;
		return 0;
	}
}

static void run_sq(struct net_rdma_ep *ep)
{
	pthread_mutex_lock(&sim_lock);
	ep->sq_posted = false;
	while (!ep->dead && ep->nsq) {
		struct sim_wr wr = ep->sq[0];
		const char *why = NULL;
		int status;

		memmove(ep->sq, ep->sq + 1, --ep->nsq * sizeof(*ep->sq));
		status = carry_out(ep, &wr, &why);
		add_wc(ep, wr.wr_id, status, why, 0, true);
	}
	pthread_mutex_unlock(&sim_lock);
}

static void run_cq(struct net_rdma_ep *ep)
{
	struct net_rdma_wc *wcs;
	uint32_t n;

	pthread_mutex_lock(&sim_lock);
	ep->cq_posted = false;
	n = ep->ncq;
	wcs = malloc((n ? n : 1) * sizeof(*wcs));
	for (uint32_t i = 0; i < n; i++) {
		wcs[i] = ep->cq[i].wc;
		if (ep->cq[i].send_queue)
			ep->sq_out--;
	}
	ep->ncq = 0;
	pthread_mutex_unlock(&sim_lock);
	if (n && !ep->dead)
		ep->cbs->on_wc(ep->arg, wcs, (int)n);
	free(wcs);
}

static void run_ev(void *arg)
{
	struct sim_ev *ev = arg;
	struct net_rdma_ep *ep = ev->ep;

	switch (ev->kind) {
	case EV_CM:
		if (!ep->dead && ep->cbs)
			ep->cbs->on_cm(ep->arg, ev->cm, ev->err, ev->plen ? ev->pdata : NULL,
				       ev->plen);
		break;
	case EV_REQ:
		if (!ev->l->closed && !ep->dead) {
			ev->l->on_request(ev->l->arg, ep, ev->plen ? ev->pdata : NULL, ev->plen);
		} else {
			/* The listener went away first: refuse the connection. */
			pthread_mutex_lock(&sim_lock);
			if (ep->peer && !ep->peer->dead)
				post_cm(ep->peer, NET_RDMA_CM_ERROR, -ECONNREFUSED, NULL, 0);
			pthread_mutex_unlock(&sim_lock);
		}
		break;
	case EV_SQ:
		run_sq(ep);
		break;
	case EV_CQ:
		run_cq(ep);
		break;
	}
	pthread_mutex_lock(&sim_lock);
	if (ev->l)
		lep_unref_locked(ev->l);
	if (ep)
		ep_unref_locked(ep);
	pthread_mutex_unlock(&sim_lock);
	free(ev);
}

/* ---- the device layer ---- */

static const char *s_probe(char *buf, size_t len)
{
	bool present;

	pthread_mutex_lock(&sim_lock);
	present = device;
	pthread_mutex_unlock(&sim_lock);
	if (present)
		return NULL;
	snprintf(buf, len, "no RDMA device: the simulated device is absent");
	return buf;
}

static struct net_rdma_ep *ep_alloc_locked(struct net_loop *loop)
{
	struct net_rdma_ep *ep = calloc(1, sizeof(*ep));

	ep->loop = loop;
	ep->refs = 1;
	ep->next = live;
	live = ep;
	st.eps_live++;
	return ep;
}

static int s_listen(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
		    void (*on_request)(void *arg, struct net_rdma_ep *ep, const void *pdata,
				       size_t plen),
		    void *arg, struct net_rdma_lep **out)
{
	struct net_rdma_lep *l;
	int err = 0;

	if (sa->sa_family != AF_INET)
		return -EAFNOSUPPORT;
	pthread_mutex_lock(&sim_lock);
	for (l = listeners; l; l = l->next)
		if (memcmp(&l->sa, sa, sizeof(l->sa)) == 0) {
			err = -EADDRINUSE;
			goto out;
		}
	l = calloc(1, sizeof(*l));
	l->loop = loop;
	memcpy(&l->sa, sa, sizeof(l->sa));
	l->on_request = on_request;
	l->arg = arg;
	l->refs = 1;
	l->next = listeners;
	listeners = l;
	*out = l;
out:
	pthread_mutex_unlock(&sim_lock);
	return err;
}

static void s_listen_close(struct net_rdma_lep *l)
{
	pthread_mutex_lock(&sim_lock);
	for (struct net_rdma_lep **lp = &listeners; *lp; lp = &(*lp)->next)
		if (*lp == l) {
			*lp = l->next;
			break;
		}
	l->closed = true;
	lep_unref_locked(l);
	pthread_mutex_unlock(&sim_lock);
}

static int s_connect_start(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
			   const struct net_rdma_ep_cbs *cbs, void *arg, struct net_rdma_ep **out)
{
	struct net_rdma_ep *ep;

	if (sa->sa_family != AF_INET)
		return -EAFNOSUPPORT;
	pthread_mutex_lock(&sim_lock);
	ep = ep_alloc_locked(loop);
	ep->cbs = cbs;
	ep->arg = arg;
	memcpy(&ep->sa, sa, sizeof(ep->sa));
	post_cm(ep, NET_RDMA_CM_RESOLVED, 0, NULL, 0);
	*out = ep;
	pthread_mutex_unlock(&sim_lock);
	return 0;
}

static void s_set_cbs(struct net_rdma_ep *ep, const struct net_rdma_ep_cbs *cbs, void *arg)
{
	ep->cbs = cbs;
	ep->arg = arg;
}

static void s_peer_addr(struct net_rdma_ep *ep, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &ep->sa, sizeof(ep->sa));
}

static int s_pd_get(struct net_rdma_ep *ep, struct net_rdma_pd **out)
{
	pthread_mutex_lock(&sim_lock);
	if (the_pd.refs++ == 0)
		st.pds_live++;
	pthread_mutex_unlock(&sim_lock);
	*out = &the_pd;
	return 0;
}

static void s_pd_put(struct net_rdma_pd *pd)
{
	pthread_mutex_lock(&sim_lock);
	if (--pd->refs == 0)
		st.pds_live--;
	pthread_mutex_unlock(&sim_lock);
}

static int s_mr_reg(struct net_rdma_pd *pd, enum net_rdma_access acc, void *addr, size_t len,
		    uint32_t *lkey, uint32_t *rkey, void **mr)
{
	struct sim_mr *m = calloc(1, sizeof(*m));

	pthread_mutex_lock(&sim_lock);
	if (pd->refs <= 0)
		violation("registration in a protection domain nobody holds");
	m->addr = addr;
	m->len = len;
	m->acc = acc;
	m->lkey = next_key;
	m->rkey = next_key + 0x10000000u; /* never equal: a mix-up shows */
	next_key++;
	m->next = mrs;
	mrs = m;
	st.mrs_live++;
	pthread_mutex_unlock(&sim_lock);
	*lkey = m->lkey;
	*rkey = m->rkey;
	*mr = m;
	return 0;
}

static void s_mr_dereg(void *mr)
{
	pthread_mutex_lock(&sim_lock);
	for (struct sim_mr **mp = &mrs; *mp; mp = &(*mp)->next)
		if (*mp == mr) {
			*mp = ((struct sim_mr *)mr)->next;
			break;
		}
	st.mrs_live--;
	pthread_mutex_unlock(&sim_lock);
	free(mr);
}

static int s_qp_create(struct net_rdma_ep *ep, struct net_rdma_pd *pd,
		       const struct net_rdma_qp_cfg *cfg)
{
	pthread_mutex_lock(&sim_lock);
	ep->send_depth = cfg->send_depth;
	ep->recv_depth = cfg->recv_depth;
	ep->rq = calloc(cfg->recv_depth, sizeof(*ep->rq));
	ep->sq = calloc(cfg->send_depth, sizeof(*ep->sq));
	ep->qp = true;
	pthread_mutex_unlock(&sim_lock);
	return 0;
}

static int s_connect(struct net_rdma_ep *ep, const void *pdata, size_t plen)
{
	struct net_rdma_lep *l;

	pthread_mutex_lock(&sim_lock);
	for (l = listeners; l; l = l->next)
		if (memcmp(&l->sa, &ep->sa, sizeof(l->sa)) == 0)
			break;
	if (!l || !device) {
		post_cm(ep, NET_RDMA_CM_ERROR, -ECONNREFUSED, NULL, 0);
	} else {
		struct net_rdma_ep *sep = ep_alloc_locked(l->loop);
		struct sim_ev *ev = calloc(1, sizeof(*ev));

		sep->sa.sin_family = AF_INET;
		sep->sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sep->sa.sin_port = htons(next_port++);
		sep->peer = ep;
		ep->peer = sep;
		ev->kind = EV_REQ;
		ev->ep = sep;
		ev->l = l;
		if (plen <= PDATA_MAX) {
			memcpy(ev->pdata, pdata, plen);
			ev->plen = plen;
		}
		post_ev(l->loop, ev);
	}
	pthread_mutex_unlock(&sim_lock);
	return 0;
}

static int s_accept(struct net_rdma_ep *sep, const void *pdata, size_t plen)
{
	int err = 0;

	pthread_mutex_lock(&sim_lock);
	if (!sep->peer || sep->peer->dead) {
		err = -ECONNRESET;
	} else {
		sep->connected = sep->peer->connected = true;
		post_cm(sep->peer, NET_RDMA_CM_ESTABLISHED, 0, pdata, plen);
		post_cm(sep, NET_RDMA_CM_ESTABLISHED, 0, NULL, 0);
	}
	pthread_mutex_unlock(&sim_lock);
	return err;
}

static void s_reject(struct net_rdma_ep *sep)
{
	pthread_mutex_lock(&sim_lock);
	if (sep->peer && !sep->peer->dead)
		post_cm(sep->peer, NET_RDMA_CM_ERROR, -ECONNREFUSED, NULL, 0);
	if (sep->peer)
		sep->peer->peer = NULL;
	sep->peer = NULL;
	pthread_mutex_unlock(&sim_lock);
}

static int check_sq_locked(struct net_rdma_ep *ep)
{
	if (!ep->qp || ep->dead) {
		violation("work request on an endpoint without a QP");
		return -EINVAL;
	}
	if (ep->sq_out >= ep->send_depth) {
		violation("more work requests than the send queue holds");
		return -ENOMEM;
	}
	return 0;
}

static int post_wr(struct net_rdma_ep *ep, struct sim_wr wr)
{
	int err;

	pthread_mutex_lock(&sim_lock);
	err = check_sq_locked(ep);
	if (!err) {
		ep->sq[ep->nsq++] = wr;
		ep->sq_out++;
		if (!ep->sq_posted) {
			ep->sq_posted = true;
			post_simple(ep, EV_SQ);
		}
	}
	pthread_mutex_unlock(&sim_lock);
	return err;
}

static int s_post_recv(struct net_rdma_ep *ep, uint64_t wr_id, void *addr, uint32_t lkey,
		       uint32_t len)
{
	int err = 0;

	pthread_mutex_lock(&sim_lock);
	if (!ep->qp || ep->dead) {
		violation("receive on an endpoint without a QP");
		err = -EINVAL;
	} else if (ep->nrq >= ep->recv_depth) {
		violation("more receives than the receive queue holds");
		err = -ENOMEM;
	} else if (!find_mr(addr, len, false, lkey)) {
		violation("receive buffer not covered by its local key");
		err = -EINVAL;
	} else {
		ep->rq[ep->nrq++] = (struct sim_recv){wr_id, addr, lkey, len};
	}
	pthread_mutex_unlock(&sim_lock);
	return err;
}

static int s_post_send(struct net_rdma_ep *ep, uint64_t wr_id, const void *addr, uint32_t lkey,
		       uint32_t len)
{
	return post_wr(ep, (struct sim_wr){WR_SEND, wr_id, (void *)addr, lkey, len, 0, 0});
}

static int s_post_read(struct net_rdma_ep *ep, uint64_t wr_id, void *addr, uint32_t lkey,
		       uint32_t len, uint64_t raddr, uint32_t rkey)
{
	return post_wr(ep, (struct sim_wr){WR_READ, wr_id, addr, lkey, len, raddr, rkey});
}

static int s_post_write(struct net_rdma_ep *ep, uint64_t wr_id, const void *addr, uint32_t lkey,
			uint32_t len, uint64_t raddr, uint32_t rkey)
{
	return post_wr(ep, (struct sim_wr){WR_WRITE, wr_id, (void *)addr, lkey, len, raddr, rkey});
}

static void s_disconnect(struct net_rdma_ep *ep)
{
	pthread_mutex_lock(&sim_lock);
	if (ep->connected && ep->peer)
		send_disconnect(ep->peer);
	ep->connected = false;
	pthread_mutex_unlock(&sim_lock);
}

static void s_destroy(struct net_rdma_ep *ep)
{
	pthread_mutex_lock(&sim_lock);
	ep->dead = true;
	for (struct net_rdma_ep **ep_p = &live; *ep_p; ep_p = &(*ep_p)->next)
		if (*ep_p == ep) {
			*ep_p = ep->next;
			break;
		}
	if (ep->peer) {
		if (ep->connected)
			send_disconnect(ep->peer);
		else if (!ep->peer->connected && !ep->peer->dead)
			post_cm(ep->peer, NET_RDMA_CM_ERROR, -ECONNREFUSED, NULL, 0);
		ep->peer->peer = NULL;
		ep->peer = NULL;
	}
	ep->nrq = 0;
	ep->nsq = 0;
	st.eps_live--;
	ep_unref_locked(ep);
	pthread_mutex_unlock(&sim_lock);
}

static const struct net_rdma_dev_ops sim_ops = {
    .probe = s_probe,
    .listen = s_listen,
    .listen_close = s_listen_close,
    .connect_start = s_connect_start,
    .set_cbs = s_set_cbs,
    .peer_addr = s_peer_addr,
    .pd_get = s_pd_get,
    .pd_put = s_pd_put,
    .mr_reg = s_mr_reg,
    .mr_dereg = s_mr_dereg,
    .qp_create = s_qp_create,
    .connect = s_connect,
    .accept = s_accept,
    .reject = s_reject,
    .post_recv = s_post_recv,
    .post_send = s_post_send,
    .post_read = s_post_read,
    .post_write = s_post_write,
    .disconnect = s_disconnect,
    .destroy = s_destroy,
};

/* ---- test controls ---- */

void t_sim_install(void)
{
	pthread_mutex_lock(&sim_lock);
	memset(&st, 0, sizeof(st));
	device = true;
	fail_send_in = corrupt_send_in = 0;
	pthread_mutex_unlock(&sim_lock);
	net_rdma_set_dev_ops(&sim_ops);
}

void t_sim_uninstall(void)
{
	net_rdma_set_dev_ops(NULL);
}

void t_sim_stats(struct t_sim_stats *out)
{
	pthread_mutex_lock(&sim_lock);
	*out = st;
	pthread_mutex_unlock(&sim_lock);
}

void t_sim_set_device(bool present)
{
	pthread_mutex_lock(&sim_lock);
	device = present;
	pthread_mutex_unlock(&sim_lock);
}

void t_sim_fail_send(int n)
{
	pthread_mutex_lock(&sim_lock);
	fail_send_in = n;
	pthread_mutex_unlock(&sim_lock);
}

void t_sim_corrupt_send(int n)
{
	pthread_mutex_lock(&sim_lock);
	corrupt_send_in = n;
	pthread_mutex_unlock(&sim_lock);
}

void t_sim_disconnect_all(void)
{
	pthread_mutex_lock(&sim_lock);
	for (struct net_rdma_ep *ep = live; ep; ep = ep->next)
		if (ep->connected)
			send_disconnect(ep);
	pthread_mutex_unlock(&sim_lock);
}
