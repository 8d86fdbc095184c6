/* SPDX-License-Identifier: Apache-2.0 */
#include "rdma_credit.h"

#include <errno.h>

void net_rdma_credit_init(struct net_rdma_credit *c, uint32_t depth, uint32_t peer_depth)
{
	c->credits = peer_depth;
	c->peer_depth = peer_depth;
	c->owed = 0;
	c->depth = depth;
	/* Half the queue, but at least 2 (so one NOOP never pays for another) and below depth. */
	c->high_water = depth / 2;
	if (c->high_water < 2)
		c->high_water = 2;
	if (c->high_water > depth - 1)
		c->high_water = depth - 1;
}

bool net_rdma_credit_can_send_msg(const struct net_rdma_credit *c)
{
	return c->credits >= 2;
}

/* The last credit only goes to a NOOP that returns at least one. */
static bool may_noop(const struct net_rdma_credit *c)
{
	return c->credits >= 2 || (c->credits == 1 && c->owed >= 1);
}

bool net_rdma_credit_want_noop(const struct net_rdma_credit *c, bool have_done)
{
	return may_noop(c) && (c->owed >= c->high_water || have_done);
}

int net_rdma_credit_take(struct net_rdma_credit *c, bool noop, uint32_t *announce)
{
	if (noop ? !may_noop(c) : c->credits < 2)
		return -EAGAIN;
	c->credits--;
	*announce = c->owed;
	c->owed = 0;
	return 0;
}

void net_rdma_credit_untake(struct net_rdma_credit *c, uint32_t announce)
{
	c->credits++;
	c->owed += announce;
}

int net_rdma_credit_grant(struct net_rdma_credit *c, uint32_t n)
{
	if (n > c->peer_depth - c->credits)
		return -EPROTO;
	c->credits += n;
	return 0;
}

int net_rdma_credit_return(struct net_rdma_credit *c)
{
	if (c->owed >= c->depth)
		return -EPROTO;
	c->owed++;
	return 0;
}
