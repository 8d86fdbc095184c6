/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The o2ib transport's settings and devices.  A device's pools are created
 * empty (nothing is registered until a connection needs a buffer) and freed
 * with the last connection on the device, so an idle daemon pins no memory.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "proto/rdma.h"
#include "rdma_devs.h"

/* ---- configuration (environment, read at each listen and connect) ---- */

static uint64_t env_num(const char *name, uint64_t min, uint64_t max, uint64_t dflt,
			atomic_bool *warned)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		if (!atomic_exchange(warned, true))
			NET_WARN("o2ib: %s=%s is not a number in %llu..%llu; using %llu", name, s,
				 (unsigned long long)min, (unsigned long long)max,
				 (unsigned long long)dflt);
		return dflt;
	}
	return v;
}

struct net_rdma_cfg net_rdma_cfg_read(void)
{
	static atomic_bool warned[3];
	struct net_rdma_cfg c;

	c.depth = (uint32_t)env_num("STRIA_RDMA_QUEUE_DEPTH", PROTO_RDMA_QD_MIN, PROTO_RDMA_QD_MAX,
				    NET_RDMA_DEFAULT_DEPTH, &warned[0]);
	c.msg_size = (uint32_t)env_num("STRIA_RDMA_MSG_SIZE", PROTO_RDMA_MSG_MIN,
				       PROTO_RDMA_MSG_MAX, NET_RDMA_DEFAULT_MSG_SIZE, &warned[1]);
	c.pool_limit = (size_t)env_num("STRIA_RDMA_POOL_MB", 128, 1u << 20,
				       NET_RDMA_DEFAULT_POOL_MB, &warned[2])
		       << 20;
	return c;
}

/* ---- the device layer in use ---- */

static _Atomic(const struct net_rdma_dev_ops *) dev_ops;

void net_rdma_set_dev_ops(const struct net_rdma_dev_ops *ops)
{
	atomic_store(&dev_ops, ops);
}

const struct net_rdma_dev_ops *net_rdma_dev_ops_now(void)
{
	const struct net_rdma_dev_ops *o = atomic_load(&dev_ops);

	return o ? o : &net_rdma_verbs_ops;
}

/* ---- devices: a protection domain and its three pools ---- */

static pthread_mutex_t devs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct net_rdma_dev *devs;

static int reg_hook(void *ctx, void *addr, size_t len, uint32_t *lkey, uint32_t *rkey, void **mr)
{
	struct net_rdma_dev_reg *r = ctx;

	return r->dev->dops->mr_reg(r->dev->pd, r->acc, addr, len, lkey, rkey, mr);
}

static void dereg_hook(void *ctx, void *mr)
{
	struct net_rdma_dev_reg *r = ctx;

	r->dev->dops->mr_dereg(mr);
}

static const struct net_rdma_reg_ops reg_ops = {reg_hook, dereg_hook};

static void dev_destroy(struct net_rdma_dev *d)
{
	for (int a = 0; a < NET_RDMA_NACCESS; a++)
		net_rdma_pool_free(d->pool[a]);
	d->dops->pd_put(d->pd);
	free(d);
}

int net_rdma_dev_get(const struct net_rdma_dev_ops *dops, struct net_rdma_ep *ep,
		     const struct net_rdma_cfg *cfg, struct net_rdma_dev **out)
{
	struct net_rdma_pd *pd;
	struct net_rdma_dev *d;
	int err = dops->pd_get(ep, &pd);

	if (err)
		return err;
	pthread_mutex_lock(&devs_lock);
	for (d = devs; d; d = d->next)
		if (d->pd == pd)
			break;
	if (d) {
		d->refs++;
		pthread_mutex_unlock(&devs_lock);
		dops->pd_put(pd); /* the device holds one reference for all its users */
		*out = d;
		return 0;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		err = -ENOMEM;
		goto err_unlock;
	}
	d->dops = dops;
	d->pd = pd;
	for (int a = 0; a < NET_RDMA_NACCESS; a++) {
		struct net_rdma_pool_cfg pc = {.limit = cfg->pool_limit};

		if (a == NET_RDMA_LOCAL)
			pc.reserve = NET_RDMA_LOCAL_RESERVE < pc.limit / 2 ? NET_RDMA_LOCAL_RESERVE
									   : pc.limit / 2;
		d->reg[a] = (struct net_rdma_dev_reg){d, (enum net_rdma_access)a};
		err = net_rdma_pool_new(&reg_ops, &d->reg[a], &pc, &d->pool[a]);
		if (err) {
			for (int b = 0; b < a; b++)
				net_rdma_pool_free(d->pool[b]);
			free(d);
			goto err_unlock;
		}
	}
	d->refs = 1;
	d->next = devs;
	devs = d;
	pthread_mutex_unlock(&devs_lock);
	*out = d;
	return 0;

err_unlock:
	pthread_mutex_unlock(&devs_lock);
	dops->pd_put(pd);
	return err;
}

void net_rdma_dev_put(struct net_rdma_dev *d)
{
	struct net_rdma_dev **dp;
	bool last;

	if (!d)
		return;
	pthread_mutex_lock(&devs_lock);
	last = --d->refs == 0;
	if (last)
		for (dp = &devs; *dp; dp = &(*dp)->next)
			if (*dp == d) {
				*dp = d->next;
				break;
			}
	pthread_mutex_unlock(&devs_lock);
	if (last)
		dev_destroy(d);
}
