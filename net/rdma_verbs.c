/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RDMA device layer on librdmacm (connection management) and libibverbs
 * (data): the one file that calls them.  Each endpoint has its own rdma_cm
 * event channel and completion channel, both non-blocking fds on the
 * endpoint's loop (an accepted id is migrated off its listener's channel at
 * once, so a listener can close while its connections live on).  Protection
 * domains are shared per device and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "rdma_dev.h"

#define RESOLVE_TIMEOUT_MS 2000
#define MAX_RD_ATOM	   16 /* RDMA READs in flight per QP, at most */
#define POLL_BATCH	   32
#define CQ_ACK_BATCH	   64
#define PDATA_MAX	   256

struct net_rdma_pd {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	uint8_t max_rd_atom;	  /* responder resources we can offer */
	uint8_t max_init_rd_atom; /* READs we can have outstanding */
	int refs;		  /* protected by pds_lock */
	struct net_rdma_pd *next; /* protected by pds_lock */
};

struct net_rdma_ep {
	struct net_loop *loop;
	struct rdma_event_channel *ch;
	struct rdma_cm_id *id;
	struct ibv_comp_channel *cc;
	struct ibv_cq *cq;
	struct net_rdma_pd *pd;
	unsigned int cq_unacked;
	bool qp_made;
	const struct net_rdma_ep_cbs *cbs;
	void *arg;
	uint8_t req_resp, req_init; /* what a connection request offered */
	int in_cb;		    /* upcalls on the stack: free the endpoint after them */
	bool dead;
};

struct net_rdma_lep {
	struct net_loop *loop;
	struct rdma_event_channel *ch;
	struct rdma_cm_id *id;
	void (*on_request)(void *arg, struct net_rdma_ep *ep, const void *pdata, size_t plen);
	void *arg;
};

static pthread_mutex_t pds_lock = PTHREAD_MUTEX_INITIALIZER;
static struct net_rdma_pd *pds;

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static void fork_init(void)
{
	/*
	 * A non-root mount forks fusermount3 after it has connected: keep
	 * registered pages out of the child (MADV_DONTFORK), as kernels without
	 * fork support for pinned memory need.  Registrations are rare, so the
	 * extra system call each costs does not matter.  Must precede them all.
	 */
	int err = ibv_fork_init();

	if (err)
		NET_DEBUG("o2ib: ibv_fork_init: %s", strerror(err));
}

static const char *v_probe(char *buf, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct ibv_device **list;
	int n = 0, err;

	pthread_once(&once, fork_init);
	errno = 0;
	list = ibv_get_device_list(&n);
	err = errno;
	if (list)
		ibv_free_device_list(list);
	if (list && n > 0)
		return NULL;
	if (!list && err && err != ENOENT)
		snprintf(buf, len, "no RDMA device: ibv_get_device_list found none (%s)",
			 strerror(err));
	else
		snprintf(buf, len, "no RDMA device: ibv_get_device_list found none");
	return buf;
}

/* ---- endpoints ---- */

static void ep_free(struct net_rdma_ep *ep)
{
	free(ep);
}

static void emit(struct net_rdma_ep *ep, enum net_rdma_cm_ev ev, int err, const void *pdata,
		 size_t plen)
{
	if (!ep->dead && ep->cbs)
		ep->cbs->on_cm(ep->arg, ev, err, pdata, plen);
}

static int cm_status(const struct rdma_cm_event *e, int dflt)
{
	return e->status < 0 ? e->status : dflt;
}

static void ch_event(void *arg, uint32_t events)
{
	struct net_rdma_ep *ep = arg;

	ep->in_cb++;
	while (!ep->dead) {
		struct rdma_cm_event *e;
		enum rdma_cm_event_type type;
		uint8_t pdata[PDATA_MAX];
		size_t plen = 0;
		int status;

		if (rdma_get_cm_event(ep->ch, &e) != 0)
			break; /* EAGAIN: drained */
		type = e->event;
		status = e->status;
		if (type == RDMA_CM_EVENT_ESTABLISHED && e->param.conn.private_data) {
			plen = e->param.conn.private_data_len;
			memcpy(pdata, e->param.conn.private_data, plen);
		}
		switch (type) {
		case RDMA_CM_EVENT_ADDR_ERROR:
			status = cm_status(e, -EHOSTUNREACH);
			break;
		case RDMA_CM_EVENT_ROUTE_ERROR:
			status = cm_status(e, -ENETUNREACH);
			break;
		case RDMA_CM_EVENT_UNREACHABLE:
			status = cm_status(e, -EHOSTUNREACH);
			break;
		default:
			break;
		}
		rdma_ack_cm_event(e);
		switch (type) {
		case RDMA_CM_EVENT_ADDR_RESOLVED:
			if (rdma_resolve_route(ep->id, RESOLVE_TIMEOUT_MS) != 0)
				emit(ep, NET_RDMA_CM_ERROR, -errno, NULL, 0);
			break;
		case RDMA_CM_EVENT_ROUTE_RESOLVED:
			emit(ep, NET_RDMA_CM_RESOLVED, 0, NULL, 0);
			break;
		case RDMA_CM_EVENT_ESTABLISHED:
			emit(ep, NET_RDMA_CM_ESTABLISHED, 0, plen ? pdata : NULL, plen);
			break;
		case RDMA_CM_EVENT_DISCONNECTED:
			emit(ep, NET_RDMA_CM_DISCONNECTED, 0, NULL, 0);
			break;
		case RDMA_CM_EVENT_ADDR_ERROR:
		case RDMA_CM_EVENT_ROUTE_ERROR:
		case RDMA_CM_EVENT_UNREACHABLE:
			emit(ep, NET_RDMA_CM_ERROR, status, NULL, 0);
			break;
		case RDMA_CM_EVENT_REJECTED:
			emit(ep, NET_RDMA_CM_ERROR, -ECONNREFUSED, NULL, 0);
			break;
		case RDMA_CM_EVENT_CONNECT_ERROR:
			emit(ep, NET_RDMA_CM_ERROR, -ECONNABORTED, NULL, 0);
			break;
		case RDMA_CM_EVENT_DEVICE_REMOVAL:
			emit(ep, NET_RDMA_CM_ERROR, -ENODEV, NULL, 0);
			break;
		case RDMA_CM_EVENT_ADDR_CHANGE:
			emit(ep, NET_RDMA_CM_ERROR, -ENETRESET, NULL, 0);
			break;
		default:
			break; /* TIMEWAIT_EXIT and others: nothing to do */
		}
	}
	if (--ep->in_cb == 0 && ep->dead)
		ep_free(ep);
}

static void cc_event(void *arg, uint32_t events)
{
	struct net_rdma_ep *ep = arg;
	struct ibv_cq *cq;
	void *ctx;

	ep->in_cb++;
	while (!ep->dead && ibv_get_cq_event(ep->cc, &cq, &ctx) == 0) {
		if (++ep->cq_unacked >= CQ_ACK_BATCH) {
			ibv_ack_cq_events(ep->cq, ep->cq_unacked);
			ep->cq_unacked = 0;
		}
		if (ibv_req_notify_cq(ep->cq, 0) != 0)
			emit(ep, NET_RDMA_CM_ERROR, -EIO, NULL, 0);
	}
	/* Armed again before polling: a completion after the last poll raises a new event. */
	while (!ep->dead) {
		struct ibv_wc wc[POLL_BATCH];
		struct net_rdma_wc out[POLL_BATCH];
		int n = ibv_poll_cq(ep->cq, POLL_BATCH, wc);

		if (n < 0) {
			emit(ep, NET_RDMA_CM_ERROR, -EIO, NULL, 0);
			break;
		}
		if (n == 0)
			break;
		for (int i = 0; i < n; i++) {
			out[i].wr_id = wc[i].wr_id;
			out[i].status = wc[i].status == IBV_WC_SUCCESS ? 0 : -EIO;
			out[i].flushed = wc[i].status == IBV_WC_WR_FLUSH_ERR;
			out[i].why = ibv_wc_status_str(wc[i].status);
			out[i].byte_len = wc[i].byte_len;
		}
		ep->cbs->on_wc(ep->arg, out, n);
	}
	if (--ep->in_cb == 0 && ep->dead)
		ep_free(ep);
}

/* A new endpoint around @id, with its own event channel on @loop. */
static int ep_new(struct net_loop *loop, struct rdma_cm_id *id, struct net_rdma_ep **out)
{
	struct net_rdma_ep *ep = calloc(1, sizeof(*ep));
	int err;

	if (!ep)
		return -ENOMEM;
	ep->loop = loop;
	ep->ch = rdma_create_event_channel();
	if (!ep->ch) {
		err = -errno;
		goto err_free;
	}
	err = set_nonblock(ep->ch->fd);
	if (err)
		goto err_ch;
	if (id) {
		/* An accepted id: take it off the listener's channel. */
		if (rdma_migrate_id(id, ep->ch) != 0) {
			err = -errno;
			goto err_ch;
		}
		id->context = ep;
		ep->id = id;
	}
	err = net_loop_add_fd(loop, ep->ch->fd, NET_EV_READ, ch_event, ep);
	if (err)
		goto err_ch;
	*out = ep;
	return 0;

err_ch:
	rdma_destroy_event_channel(ep->ch);
err_free:
	free(ep);
	return err;
}

static void v_destroy(struct net_rdma_ep *ep)
{
	ep->dead = true;
	if (ep->qp_made)
		rdma_destroy_qp(ep->id);
	if (ep->cq) {
		ibv_ack_cq_events(ep->cq, ep->cq_unacked);
		ibv_destroy_cq(ep->cq);
	}
	if (ep->cc) {
		net_loop_del_fd(ep->loop, ep->cc->fd);
		ibv_destroy_comp_channel(ep->cc);
	}
	if (ep->id)
		rdma_destroy_id(ep->id);
	if (ep->ch) {
		net_loop_del_fd(ep->loop, ep->ch->fd);
		rdma_destroy_event_channel(ep->ch);
	}
	if (ep->in_cb == 0)
		ep_free(ep);
}

static int v_connect_start(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
			   const struct net_rdma_ep_cbs *cbs, void *arg, struct net_rdma_ep **out)
{
	struct net_rdma_ep *ep;
	int err = ep_new(loop, NULL, &ep);

	if (err)
		return err;
	ep->cbs = cbs;
	ep->arg = arg;
	if (rdma_create_id(ep->ch, &ep->id, ep, RDMA_PS_TCP) != 0) {
		err = -errno;
		ep->id = NULL;
		goto err_destroy;
	}
	if (rdma_resolve_addr(ep->id, NULL, (struct sockaddr *)sa, RESOLVE_TIMEOUT_MS) != 0) {
		err = -errno;
		goto err_destroy;
	}
	*out = ep;
	return 0;

err_destroy:
	v_destroy(ep);
	return err;
}

static void v_set_cbs(struct net_rdma_ep *ep, const struct net_rdma_ep_cbs *cbs, void *arg)
{
	ep->cbs = cbs;
	ep->arg = arg;
}

static void v_peer_addr(struct net_rdma_ep *ep, struct sockaddr_storage *ss)
{
	const struct sockaddr *sa = ep->id ? rdma_get_peer_addr(ep->id) : NULL;

	memset(ss, 0, sizeof(*ss));
	if (sa && sa->sa_family == AF_INET)
		memcpy(ss, sa, sizeof(struct sockaddr_in));
	else if (sa && sa->sa_family == AF_INET6)
		memcpy(ss, sa, sizeof(struct sockaddr_in6));
}

/* ---- protection domains and memory ---- */

static int v_pd_get(struct net_rdma_ep *ep, struct net_rdma_pd **out)
{
	struct ibv_context *ctx = ep->id ? ep->id->verbs : NULL;
	struct net_rdma_pd *p;
	struct ibv_device_attr attr;
	int err = 0;

	if (!ctx)
		return -ENODEV;
	pthread_mutex_lock(&pds_lock);
	for (p = pds; p; p = p->next)
		if (p->ctx == ctx)
			break;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			err = -ENOMEM;
			goto out;
		}
		p->ctx = ctx;
		p->pd = ibv_alloc_pd(ctx);
		if (!p->pd) {
			err = errno ? -errno : -ENOMEM;
			free(p);
			goto out;
		}
		p->max_rd_atom = p->max_init_rd_atom = 1;
		if (ibv_query_device(ctx, &attr) == 0) {
			p->max_rd_atom =
			    (uint8_t)(attr.max_qp_rd_atom < MAX_RD_ATOM ? attr.max_qp_rd_atom
									: MAX_RD_ATOM);
			p->max_init_rd_atom = (uint8_t)(attr.max_qp_init_rd_atom < MAX_RD_ATOM
							    ? attr.max_qp_init_rd_atom
							    : MAX_RD_ATOM);
		}
		p->next = pds;
		pds = p;
	}
	p->refs++;
	*out = p;
out:
	pthread_mutex_unlock(&pds_lock);
	return err;
}

static void v_pd_put(struct net_rdma_pd *pd)
{
	struct net_rdma_pd **pp;

	if (!pd)
		return;
	pthread_mutex_lock(&pds_lock);
	if (--pd->refs == 0) {
		for (pp = &pds; *pp; pp = &(*pp)->next)
			if (*pp == pd) {
				*pp = pd->next;
				break;
			}
		ibv_dealloc_pd(pd->pd);
		free(pd);
	}
	pthread_mutex_unlock(&pds_lock);
}

static int v_mr_reg(struct net_rdma_pd *pd, enum net_rdma_access acc, void *addr, size_t len,
		    uint32_t *lkey, uint32_t *rkey, void **mr)
{
	int flags = IBV_ACCESS_LOCAL_WRITE;
	struct ibv_mr *m;

	if (acc == NET_RDMA_REMOTE_READ)
		flags |= IBV_ACCESS_REMOTE_READ;
	else if (acc == NET_RDMA_REMOTE_WRITE)
		flags |= IBV_ACCESS_REMOTE_WRITE;
	/* iWARP places READ responses with tagged writes: their sinks need remote write. */
	if (acc == NET_RDMA_LOCAL && pd->ctx->device->transport_type == IBV_TRANSPORT_IWARP)
		flags |= IBV_ACCESS_REMOTE_WRITE;
	errno = 0;
	m = ibv_reg_mr(pd->pd, addr, len, flags);
	if (!m)
		return errno ? -errno : -ENOMEM;
	*lkey = m->lkey;
	*rkey = m->rkey;
	*mr = m;
	return 0;
}

static void v_mr_dereg(void *mr)
{
	ibv_dereg_mr(mr);
}

/* ---- queue pairs ---- */

static int v_qp_create(struct net_rdma_ep *ep, struct net_rdma_pd *pd,
		       const struct net_rdma_qp_cfg *cfg)
{
	struct ibv_qp_init_attr qa = {0};
	int err;

	ep->pd = pd;
	ep->cc = ibv_create_comp_channel(ep->id->verbs);
	if (!ep->cc)
		return errno ? -errno : -ENOMEM;
	err = set_nonblock(ep->cc->fd);
	if (err)
		return err;
	ep->cq =
	    ibv_create_cq(ep->id->verbs, (int)(cfg->send_depth + cfg->recv_depth), ep, ep->cc, 0);
	if (!ep->cq)
		return errno ? -errno : -ENOMEM;
	if (ibv_req_notify_cq(ep->cq, 0) != 0)
		return -EIO;
	err = net_loop_add_fd(ep->loop, ep->cc->fd, NET_EV_READ, cc_event, ep);
	if (err) {
		/* v_destroy() removes the fd only if it is there: make sure it is not. */
		ibv_destroy_cq(ep->cq);
		ep->cq = NULL;
		ibv_destroy_comp_channel(ep->cc);
		ep->cc = NULL;
		return err;
	}
	qa.send_cq = ep->cq;
	qa.recv_cq = ep->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.sq_sig_all = 1;
	qa.cap.max_send_wr = cfg->send_depth;
	qa.cap.max_recv_wr = cfg->recv_depth;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	if (rdma_create_qp(ep->id, pd->pd, &qa) != 0)
		return -errno;
	ep->qp_made = true;
	return 0;
}

static void conn_param(struct net_rdma_ep *ep, struct rdma_conn_param *p, const void *pdata,
		       size_t plen, bool accepting)
{
	memset(p, 0, sizeof(*p));
	p->private_data = pdata;
	p->private_data_len = (uint8_t)plen;
	p->responder_resources = ep->pd->max_rd_atom;
	p->initiator_depth = ep->pd->max_init_rd_atom;
	if (accepting && ep->req_resp < p->initiator_depth)
		p->initiator_depth = ep->req_resp;
	p->retry_count = 7;
	/*
	 * Credits keep a buffer posted for every frame the peer may send, so a
	 * receiver-not-ready is a broken peer: fail its QP rather than stall.
	 */
	p->rnr_retry_count = 3;
}

static int v_connect(struct net_rdma_ep *ep, const void *pdata, size_t plen)
{
	struct rdma_conn_param p;

	conn_param(ep, &p, pdata, plen, false);
	return rdma_connect(ep->id, &p) == 0 ? 0 : -errno;
}

static int v_accept(struct net_rdma_ep *ep, const void *pdata, size_t plen)
{
	struct rdma_conn_param p;

	conn_param(ep, &p, pdata, plen, true);
	return rdma_accept(ep->id, &p) == 0 ? 0 : -errno;
}

static void v_reject(struct net_rdma_ep *ep)
{
	rdma_reject(ep->id, NULL, 0);
}

static void v_disconnect(struct net_rdma_ep *ep)
{
	if (ep->id)
		rdma_disconnect(ep->id);
}

/* ---- work requests ---- */

static int v_post_recv(struct net_rdma_ep *ep, uint64_t wr_id, void *addr, uint32_t lkey,
		       uint32_t len)
{
	struct ibv_sge sge = {.addr = (uintptr_t)addr, .length = len, .lkey = lkey};
	struct ibv_recv_wr wr = {.wr_id = wr_id, .sg_list = &sge, .num_sge = 1}, *bad;

	return -ibv_post_recv(ep->id->qp, &wr, &bad);
}

static int post(struct net_rdma_ep *ep, enum ibv_wr_opcode op, uint64_t wr_id, const void *addr,
		uint32_t lkey, uint32_t len, uint64_t raddr, uint32_t rkey)
{
	struct ibv_sge sge = {.addr = (uintptr_t)addr, .length = len, .lkey = lkey};
	struct ibv_send_wr wr = {.wr_id = wr_id,
				 .sg_list = &sge,
				 .num_sge = 1,
				 .opcode = op,
				 .send_flags = IBV_SEND_SIGNALED},
			   *bad;

	wr.wr.rdma.remote_addr = raddr;
	wr.wr.rdma.rkey = rkey;
	return -ibv_post_send(ep->id->qp, &wr, &bad);
}

static int v_post_send(struct net_rdma_ep *ep, uint64_t wr_id, const void *addr, uint32_t lkey,
		       uint32_t len)
{
	return post(ep, IBV_WR_SEND, wr_id, addr, lkey, len, 0, 0);
}

static int v_post_read(struct net_rdma_ep *ep, uint64_t wr_id, void *addr, uint32_t lkey,
		       uint32_t len, uint64_t raddr, uint32_t rkey)
{
	return post(ep, IBV_WR_RDMA_READ, wr_id, addr, lkey, len, raddr, rkey);
}

static int v_post_write(struct net_rdma_ep *ep, uint64_t wr_id, const void *addr, uint32_t lkey,
			uint32_t len, uint64_t raddr, uint32_t rkey)
{
	return post(ep, IBV_WR_RDMA_WRITE, wr_id, addr, lkey, len, raddr, rkey);
}

/* ---- listeners ---- */

static void lch_event(void *arg, uint32_t events)
{
	struct net_rdma_lep *l = arg;
	struct rdma_cm_event *e;

	while (rdma_get_cm_event(l->ch, &e) == 0) {
		struct rdma_cm_id *cid = e->id;
		uint8_t pdata[PDATA_MAX];
		size_t plen = 0;
		uint8_t resp, init;
		struct net_rdma_ep *ep;

		if (e->event != RDMA_CM_EVENT_CONNECT_REQUEST) {
			rdma_ack_cm_event(e);
			continue;
		}
		if (e->param.conn.private_data) {
			plen = e->param.conn.private_data_len;
			memcpy(pdata, e->param.conn.private_data, plen);
		}
		resp = e->param.conn.responder_resources;
		init = e->param.conn.initiator_depth;
		/* Acked before the migration, which waits for unacked events. */
		rdma_ack_cm_event(e);
		int err = ep_new(l->loop, cid, &ep);

		if (err) {
			NET_WARN("o2ib: cannot set up an incoming connection: %s", strerror(-err));
			rdma_reject(cid, NULL, 0);
			rdma_destroy_id(cid);
			continue;
		}
		ep->req_resp = resp;
		ep->req_init = init;
		l->on_request(l->arg, ep, plen ? pdata : NULL, plen);
	}
}

static int v_listen(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
		    void (*on_request)(void *arg, struct net_rdma_ep *ep, const void *pdata,
				       size_t plen),
		    void *arg, struct net_rdma_lep **out)
{
	struct net_rdma_lep *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return -ENOMEM;
	l->loop = loop;
	l->on_request = on_request;
	l->arg = arg;
	l->ch = rdma_create_event_channel();
	if (!l->ch) {
		err = -errno;
		goto err_free;
	}
	err = set_nonblock(l->ch->fd);
	if (err)
		goto err_ch;
	if (rdma_create_id(l->ch, &l->id, l, RDMA_PS_TCP) != 0) {
		err = -errno;
		goto err_ch;
	}
	if (rdma_bind_addr(l->id, (struct sockaddr *)sa) != 0 || rdma_listen(l->id, 1024) != 0) {
		err = -errno;
		goto err_id;
	}
	err = net_loop_add_fd(loop, l->ch->fd, NET_EV_READ, lch_event, l);
	if (err)
		goto err_id;
	*out = l;
	return 0;

err_id:
	rdma_destroy_id(l->id);
err_ch:
	rdma_destroy_event_channel(l->ch);
err_free:
	free(l);
	return err;
}

static void v_listen_close(struct net_rdma_lep *l)
{
	if (!l)
		return;
	net_loop_del_fd(l->loop, l->ch->fd);
	rdma_destroy_id(l->id);
	rdma_destroy_event_channel(l->ch);
	free(l);
}

const struct net_rdma_dev_ops net_rdma_verbs_ops = {
    .probe = v_probe,
    .listen = v_listen,
    .listen_close = v_listen_close,
    .connect_start = v_connect_start,
    .set_cbs = v_set_cbs,
    .peer_addr = v_peer_addr,
    .pd_get = v_pd_get,
    .pd_put = v_pd_put,
    .mr_reg = v_mr_reg,
    .mr_dereg = v_mr_dereg,
    .qp_create = v_qp_create,
    .connect = v_connect,
    .accept = v_accept,
    .reject = v_reject,
    .post_recv = v_post_recv,
    .post_send = v_post_send,
    .post_read = v_post_read,
    .post_write = v_post_write,
    .disconnect = v_disconnect,
    .destroy = v_destroy,
};
