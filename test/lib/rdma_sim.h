/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A simulated RDMA device for the o2ib transport's tests (rdma_sim.c): a
 * device layer (net/rdma_dev.h) that connects endpoints of one process and
 * carries out their work requests with memcpy, on the posting endpoint's loop
 * and in posting order, as a reliable connection would.  It checks what real
 * hardware checks and counts every violation instead of corrupting memory:
 * a SEND with no receive posted (receiver not ready), a receive buffer too
 * small, a local or remote key that does not cover the range or lacks the
 * access right, more work requests than the queue was created for.
 *
 * It is no substitute for a device: it proves the transport's logic (framing,
 * credits, buffer offers and sinks, ordering, errors and teardown), not its
 * use of libibverbs and librdmacm (rdma_verbs.c), which only hardware tests.
 */
#ifndef STRIA_TEST_RDMA_SIM_H
#define STRIA_TEST_RDMA_SIM_H

#include <stdbool.h>
#include <stdint.h>

struct t_sim_stats {
	uint64_t sends, reads, writes; /* work requests carried out */
	uint64_t violations;	       /* anything real hardware would have failed */
	uint64_t injected;	       /* faults injected and taken */
	int64_t mrs_live, pds_live, eps_live;
};

/* Makes the simulator the device layer for new o2ib listeners and connections. */
void t_sim_install(void);
/* Back to libibverbs; the simulator must be idle (every endpoint destroyed). */
void t_sim_uninstall(void);
void t_sim_stats(struct t_sim_stats *out);
/* Whether probe() reports a device. */
void t_sim_set_device(bool present);
/* The @n-th SEND from now (1 = the next) fails its queue pair, as a link error would. */
void t_sim_fail_send(int n);
/* The @n-th SEND from now arrives with its first byte flipped. */
void t_sim_corrupt_send(int n);
/* Every connected endpoint gets DISCONNECTED, as if the fabric dropped them all. */
void t_sim_disconnect_all(void);

#endif
