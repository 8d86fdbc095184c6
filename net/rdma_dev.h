/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RDMA device layer under the o2ib transport (private to net/).
 *
 * rdma_verbs.c is the only code that calls librdmacm and libibverbs; the
 * transport (xprt_rdma.c) reaches a device only through this table, so a
 * test can put a simulated device in its place (net_rdma_set_dev_ops) and
 * run the whole transport, and the RPC layer above it, without hardware.
 *
 * An endpoint is one side of a reliable connection: an rdma_cm id, its queue
 * pair, completion queue and the two event fds, which sit on the endpoint's
 * loop.  Every call on an endpoint and every upcall from it runs on that
 * loop's thread; an endpoint may be destroyed from inside its own upcall.
 */
#ifndef STRIA_NET_RDMA_DEV_H
#define STRIA_NET_RDMA_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net.h"

struct net_rdma_ep;
struct net_rdma_lep;
struct net_rdma_pd;

/* What a peer may do with registered memory (the local side may always read and write it). */
enum net_rdma_access {
	NET_RDMA_LOCAL = 0,	   /* nothing: rings, READ destinations, WRITE sources */
	NET_RDMA_REMOTE_READ = 1,  /* RDMA READ: buffers offered to the peer */
	NET_RDMA_REMOTE_WRITE = 2, /* RDMA WRITE: sinks for the peer's replies */
	NET_RDMA_NACCESS = 3,
};

enum net_rdma_cm_ev {
	NET_RDMA_CM_RESOLVED,	  /* outgoing: address and route known: create the QP, connect */
	NET_RDMA_CM_ESTABLISHED,  /* @pdata: the peer's private data (outgoing side) */
	NET_RDMA_CM_DISCONNECTED, /* the peer disconnected */
	NET_RDMA_CM_ERROR,	  /* @err: -errno (resolution, refusal, device removal...) */
};

/* A work completion.  Only wr_id, status and (for receives) byte_len are meaningful. */
struct net_rdma_wc {
	uint64_t wr_id;
	int status;	   /* 0, or -EIO when the work request failed */
	bool flushed;	   /* failed only because the QP went down (the peer left) */
	const char *why;   /* for a failure: the device's status string */
	uint32_t byte_len; /* bytes received (receives) */
};

struct net_rdma_ep_cbs {
	void (*on_cm)(void *arg, enum net_rdma_cm_ev ev, int err, const void *pdata, size_t plen);
	void (*on_wc)(void *arg, const struct net_rdma_wc *wc, int n);
};

struct net_rdma_qp_cfg {
	uint32_t send_depth; /* work requests on the send queue at once */
	uint32_t recv_depth; /* receives posted at once */
};

struct net_rdma_dev_ops {
	/*
	 * Whether any RDMA device is present: NULL if so, else the reason, written
	 * into @buf ("no RDMA device: ibv_get_device_list found none").
	 */
	const char *(*probe)(char *buf, size_t len);
	/*
	 * Listens on @sa.  Each connection request becomes a new endpoint handed
	 * to @on_request with the peer's private data; the callee sets its
	 * callbacks, creates its QP and accepts it, or rejects and destroys it.
	 */
	int (*listen)(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
		      void (*on_request)(void *arg, struct net_rdma_ep *ep, const void *pdata,
					 size_t plen),
		      void *arg, struct net_rdma_lep **out);
	void (*listen_close)(struct net_rdma_lep *l);
	/* Starts resolving @sa for a connection; on_cm(RESOLVED or ERROR) follows. */
	int (*connect_start)(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
			     const struct net_rdma_ep_cbs *cbs, void *arg,
			     struct net_rdma_ep **out);
	void (*set_cbs)(struct net_rdma_ep *ep, const struct net_rdma_ep_cbs *cbs, void *arg);
	/* The peer's address (for logs). */
	void (*peer_addr)(struct net_rdma_ep *ep, struct sockaddr_storage *ss);
	/*
	 * The protection domain of @ep's device, shared by every endpoint on it
	 * and counted: pd_put once per pd_get.
	 */
	int (*pd_get)(struct net_rdma_ep *ep, struct net_rdma_pd **out);
	void (*pd_put)(struct net_rdma_pd *pd);
	int (*mr_reg)(struct net_rdma_pd *pd, enum net_rdma_access acc, void *addr, size_t len,
		      uint32_t *lkey, uint32_t *rkey, void **mr);
	void (*mr_dereg)(void *mr);
	/* Creates @ep's completion queue and reliable-connected QP in @pd. */
	int (*qp_create)(struct net_rdma_ep *ep, struct net_rdma_pd *pd,
			 const struct net_rdma_qp_cfg *cfg);
	int (*connect)(struct net_rdma_ep *ep, const void *pdata, size_t plen);
	int (*accept)(struct net_rdma_ep *ep, const void *pdata, size_t plen);
	void (*reject)(struct net_rdma_ep *ep);
	/* Work requests: 0 or -errno; each completes once through on_wc (unless destroyed). */
	int (*post_recv)(struct net_rdma_ep *ep, uint64_t wr_id, void *addr, uint32_t lkey,
			 uint32_t len);
	int (*post_send)(struct net_rdma_ep *ep, uint64_t wr_id, const void *addr, uint32_t lkey,
			 uint32_t len);
	int (*post_read)(struct net_rdma_ep *ep, uint64_t wr_id, void *addr, uint32_t lkey,
			 uint32_t len, uint64_t raddr, uint32_t rkey);
	int (*post_write)(struct net_rdma_ep *ep, uint64_t wr_id, const void *addr, uint32_t lkey,
			  uint32_t len, uint64_t raddr, uint32_t rkey);
	void (*disconnect)(struct net_rdma_ep *ep);
	/*
	 * Destroys @ep (QP, CQ, id, fds).  No upcall runs after it returns and
	 * the device no longer touches memory the endpoint's work requests named.
	 */
	void (*destroy)(struct net_rdma_ep *ep);
};

/* libibverbs and librdmacm (rdma_verbs.c). */
extern const struct net_rdma_dev_ops net_rdma_verbs_ops;

/*
 * Replaces the device layer for connections and listeners made from now on
 * (NULL: back to net_rdma_verbs_ops).  For tests; call it while no o2ib
 * connection exists.
 */
void net_rdma_set_dev_ops(const struct net_rdma_dev_ops *ops);

#endif
