/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The o2ib transport's configuration and its per-device state (private to
 * net/): one protection domain per RDMA device and, in it, three registered
 * pools by what a peer may do with the memory (rdma_dev.h, rdma_pool.h).
 * Every connection on a device shares them.
 */
#ifndef STRIA_NET_RDMA_DEVS_H
#define STRIA_NET_RDMA_DEVS_H

#include <stddef.h>
#include <stdint.h>

#include "rdma_dev.h"
#include "rdma_pool.h"

#define NET_RDMA_DEFAULT_DEPTH	  32
#define NET_RDMA_DEFAULT_MSG_SIZE 8192u
#define NET_RDMA_DEFAULT_POOL_MB  1024u
/* Of the local pool, kept for short-lived buffers (READ destinations, WRITE sources). */
#define NET_RDMA_LOCAL_RESERVE (64u << 20)

struct net_rdma_cfg {
	uint32_t depth;	   /* receive buffers a connection posts: the peer's credits */
	uint32_t msg_size; /* bytes of each: the largest frame the peer may send */
	size_t pool_limit; /* bytes each registered pool of a device may hold */
};

/*
 * The settings from the environment: STRIA_RDMA_QUEUE_DEPTH (4..1024),
 * STRIA_RDMA_MSG_SIZE (1024..1048576 bytes), STRIA_RDMA_POOL_MB (128..);
 * defaults above.  A bad value is warned about once and replaced by the
 * default.  Any thread (it reads the environment: no setenv meanwhile).
 */
struct net_rdma_cfg net_rdma_cfg_read(void);

/* The device layer for new listeners and connections; any thread. */
const struct net_rdma_dev_ops *net_rdma_dev_ops_now(void);

struct net_rdma_dev_reg {
	struct net_rdma_dev *dev;
	enum net_rdma_access acc;
};

struct net_rdma_dev {
	const struct net_rdma_dev_ops *dops;
	struct net_rdma_pd *pd;
	struct net_rdma_pool *pool[NET_RDMA_NACCESS]; /* by enum net_rdma_access */
	struct net_rdma_dev_reg reg[NET_RDMA_NACCESS];
	int refs;		   /* protected by the devices' lock */
	struct net_rdma_dev *next; /* protected by the devices' lock */
};

/*
 * The device of @ep (its protection domain must be known: after address
 * resolution, or an accepted endpoint) with its pools, created with
 * @cfg->pool_limit the first time.  Counted: net_rdma_dev_put once per get.
 * Returns 0 or -errno.  Any thread.
 */
int net_rdma_dev_get(const struct net_rdma_dev_ops *dops, struct net_rdma_ep *ep,
		     const struct net_rdma_cfg *cfg, struct net_rdma_dev **out);
/* The last put frees the pools (every buffer must be back) and the protection domain. */
void net_rdma_dev_put(struct net_rdma_dev *d);

#endif
