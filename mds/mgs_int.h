/* SPDX-License-Identifier: Apache-2.0 */
/* The management service's state, shared by mgs.c and pool.c. */
#ifndef STRIA_MDS_MGS_INT_H
#define STRIA_MDS_MGS_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "mgs.h"
#include "net/net.h"

struct mgs_pool {
	char name[PROTO_POOL_NAME_MAX + 1];
	uint32_t n;
	uint32_t *members; /* sorted */
};

/*
 * Lock order: reg_mu (held across a commit, serialises writers of the
 * registry and the pools) -> mu (the in-memory copies, held briefly) -> the
 * OST set's mutex.
 */
struct mgs {
	struct mds_svc *svc;
	pthread_mutex_t reg_mu;
	pthread_mutex_t mu;
	struct proto_mgs_tgt *tgts; /* mu: sorted by index */
	uint32_t ntgts;		    /* mu */
	struct mgs_pool *pools;	    /* mu: sorted by name */
	uint32_t npools;	    /* mu */
	uint64_t epoch;		    /* set at start-up */
	_Atomic uint64_t counter;   /* changes since start-up */
	pthread_mutex_t srv_mu;	    /* orders mgs_bump() with mgs_detach() */
	bool detached;		    /* srv_mu: the server is going away */
};

/* Loads the pools ('P' 'O' name) at start-up. */
int pool_load(struct mgs *m);
void pool_free_all(struct mgs *m);

/* Admin requests need root credentials: replies -EPERM and returns false otherwise. */
bool mgs_admin_ok(struct mds_svc *svc, struct net_srv_req *r);

#endif
