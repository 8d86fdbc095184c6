/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Credit-based flow control of one o2ib connection (private to net/).
 *
 * Each end keeps @depth receive buffers posted and tells the other end that
 * number when they connect; a sender may have at most that many frames on
 * their way or waiting in the receiver's buffers.  Every frame (MSG or NOOP)
 * uses one credit.  The receiver returns credits in the @credits field of the
 * frames it sends (piggy-backed), once the buffer is free again and, for a
 * MSG, once the message has been handed on (so a paused receiver throttles
 * its sender).
 *
 * Why this cannot deadlock: a MSG needs two credits, so the last credit is
 * only ever spent on a NOOP that returns at least one credit, and a NOOP is
 * only sent when it returns many (owed >= high_water) or carries done
 * addresses.  When one end is stuck (fewer than two credits) with nothing in
 * flight and every message handed on, all but at most one of its credits are
 * owed by the other end, which is >= high_water (at most depth - 1), so the
 * other end sends a NOOP if it holds a credit; if it holds none, the first end
 * owes it a full queue and holds the credit to say so.  Both ends at zero
 * cannot happen: only a NOOP spends the last credit, and the last NOOP sent
 * gave its receiver at least one.  NOOPs do not answer NOOPs forever: one
 * NOOP makes its receiver owe one credit, below high_water (>= 2).  A
 * receiver that holds messages back (paused) holds their credits too: that
 * is the point of pausing.
 *
 * Pure accounting, no I/O, no locking: the connection's loop thread owns it.
 */
#ifndef STRIA_NET_RDMA_CREDIT_H
#define STRIA_NET_RDMA_CREDIT_H

#include <stdbool.h>
#include <stdint.h>

struct net_rdma_credit {
	uint32_t credits;    /* frames we may still send */
	uint32_t peer_depth; /* the peer's queue depth: credits never exceed it */
	uint32_t owed;	     /* our buffers freed since we last announced them */
	uint32_t depth;	     /* our queue depth: owed never exceeds it */
	uint32_t high_water; /* a NOOP is worth sending once owed reaches this */
};

/*
 * Starts the accounting of a new connection: we post @depth buffers, the peer
 * @peer_depth (both PROTO_RDMA_QD_MIN..MAX; the caller checked them).
 */
void net_rdma_credit_init(struct net_rdma_credit *c, uint32_t depth, uint32_t peer_depth);

/* True if a MSG may be sent now (two credits: the last one is kept for a NOOP). */
bool net_rdma_credit_can_send_msg(const struct net_rdma_credit *c);

/*
 * True if a NOOP should go out now: it may (see net_rdma_credit_take) and it
 * would return at least high_water credits, or @have_done (done addresses are
 * waiting).
 */
bool net_rdma_credit_want_noop(const struct net_rdma_credit *c, bool have_done);

/*
 * Spends the credit of a frame about to be posted (@noop: a NOOP, which may
 * use the last credit if it returns one; else a MSG, which needs two) and takes the credits to
 * announce in it into @announce (owed, which drops to 0).  Returns 0, or
 * -EAGAIN (nothing changed) when the frame may not be sent now.
 */
int net_rdma_credit_take(struct net_rdma_credit *c, bool noop, uint32_t *announce);

/*
 * Gives back a frame's credit that was taken but never posted (the post
 * failed), with the credits it was to announce.
 */
void net_rdma_credit_untake(struct net_rdma_credit *c, uint32_t announce);

/* The peer announced @n credits.  Returns 0, or -EPROTO if that is more than it may. */
int net_rdma_credit_grant(struct net_rdma_credit *c, uint32_t n);

/*
 * One of our receive buffers is free again and its message (if any) handed
 * on: its credit is owed to the peer.  Returns 0, or -EPROTO if more are owed
 * than we have buffers (the peer sent beyond its credits).
 */
int net_rdma_credit_return(struct net_rdma_credit *c);

#endif
