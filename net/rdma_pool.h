/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registered buffer pools of the o2ib transport (private to net/).
 *
 * Memory an RDMA device reads or writes must be registered with it (pinned,
 * and given keys).  Registering costs system calls and page pinning, so it
 * happens once per slab and never per I/O: a pool hands out buffers carved
 * from slabs it registered earlier, by power-of-two size class
 * (NET_RDMA_POOL_MIN .. NET_RDMA_POOL_MAX), and keeps returned buffers for the
 * next caller.  It registers another slab when a class runs dry, up to a byte
 * limit; past it, it first releases slabs of other classes that are wholly
 * idle, then says -ENOBUFS.  Everything is deregistered when the pool is freed.
 *
 * The registration itself is a hook, so the pool runs (and is tested)
 * without a device.  Any thread; one mutex inside.
 */
#ifndef STRIA_NET_RDMA_POOL_H
#define STRIA_NET_RDMA_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_RDMA_POOL_MIN  (4u * 1024u)
#define NET_RDMA_POOL_MAX  (4u * 1024u * 1024u) /* PROTO_BULK_MAX */
#define NET_RDMA_POOL_SLAB (1u * 1024u * 1024u) /* smallest slab registered at once */

struct net_rdma_reg_ops {
	/*
	 * Registers [@addr, @addr + @len) (page-aligned) for the pool's access
	 * rights; writes its keys and a handle for dereg.  Returns 0 or -errno.
	 */
	int (*reg)(void *ctx, void *addr, size_t len, uint32_t *lkey, uint32_t *rkey, void **mr);
	void (*dereg)(void *ctx, void *mr);
};

struct net_rdma_pool_cfg {
	size_t limit;	/* bytes of registered slabs at most */
	size_t reserve; /* of the limit, bytes only net_rdma_pool_get(.., true) may use */
};

/* A buffer from a pool.  The caller may read and write [addr, addr + len). */
struct net_rdma_buf {
	void *addr;
	uint32_t len; /* its size class: >= what was asked */
	uint32_t lkey, rkey;
	void *slab; /* the pool's */
};

struct net_rdma_pool_stats {
	uint64_t regs;	   /* slabs registered so far */
	uint64_t deregs;   /* slabs deregistered so far */
	size_t registered; /* bytes registered now */
	size_t in_use;	   /* bytes handed out now */
};

struct net_rdma_pool;

/*
 * Creates an empty pool (nothing is registered until the first get).  @ops
 * and @ctx must outlive it.  Returns 0, -EINVAL (reserve over limit), -ENOMEM.
 */
int net_rdma_pool_new(const struct net_rdma_reg_ops *ops, void *ctx,
		      const struct net_rdma_pool_cfg *cfg, struct net_rdma_pool **out);

/* Deregisters and frees everything.  Every buffer must have been put back. */
void net_rdma_pool_free(struct net_rdma_pool *p);

/*
 * Hands out a buffer of at least @len bytes into @out.  @use_reserve: the
 * buffer is short-lived (returned without waiting for the peer), so it may
 * use the reserve.  Returns 0, -EMSGSIZE (@len is 0 or over
 * NET_RDMA_POOL_MAX), -ENOBUFS (the limit is reached: try again after a put),
 * -ENOMEM, or the registration's -errno.  @out is written only on success.
 */
int net_rdma_pool_get(struct net_rdma_pool *p, uint32_t len, bool use_reserve,
		      struct net_rdma_buf *out);

/* Gives @b back for reuse (it stays registered).  A zeroed @b is ignored. */
void net_rdma_pool_put(struct net_rdma_pool *p, struct net_rdma_buf *b);

void net_rdma_pool_stats(struct net_rdma_pool *p, struct net_rdma_pool_stats *out);

#endif
