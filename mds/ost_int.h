/* SPDX-License-Identifier: Apache-2.0 */
/* The OST set's internals, shared by ostconn.c and placement.c. */
#ifndef STRIA_MDS_OST_INT_H
#define STRIA_MDS_OST_INT_H

#include "ost.h"

/* Key of the last assigned id of an OST: 'P' 'L' ost(be32). */
#define OST_LASTID_KEY_LEN 6

struct ost {
	struct ost_set *set;
	uint32_t index;
	char name[PROTO_TARGET_NAME_MAX + 1];
	/* set->mu for everything below */
	struct proto_mgs_tgt tgt; /* as registered */
	struct net_client *cl;
	uint64_t conn_seq;	/* bumped on every (re)connection and disconnection */
	bool connected;		/* the client is connected */
	bool ready;		/* orphan cleanup done on this connection */
	bool cleaning;		/* an orphan cleanup is in flight */
	bool refilling;		/* a precreate is in flight */
	uint64_t last_assigned; /* highest id handed to a file (in memory) */
	uint64_t persisted;	/* highest value staged in a batch */
	uint64_t created;	/* highest id the OST created on this connection */
	uint64_t next;		/* next id to hand out: the pool is [next, created] */
	struct proto_statfs sfs;
	uint64_t sfs_ms; /* when sfs arrived (0: never) */
	bool sfs_inflight;
};

struct ost_set {
	struct mds_svc *svc;
	struct net_loop *loop; /* the OST clients' loop */
	pthread_mutex_t mu;    /* protects osts[], nosts and every struct ost's state */
	pthread_cond_t cv;     /* mu: a pool was refilled or an OST changed state */
	/* Held shared by a synchronous call on an OST's client, exclusive to
	 * free a client replaced by an address change. */
	pthread_rwlock_t cl_rw;
	struct ost **osts; /* mu: sorted by index */
	uint32_t nosts;	   /* mu */
	uint32_t rr;	   /* mu: round-robin start */
	/* Last assigned ids loaded at start-up, before the OSTs register. */
	uint32_t nloaded;
	struct {
		uint32_t index;
		uint64_t last;
	} * loaded;
};

/* The OST with @index, or NULL (caller holds mu). */
struct ost *ost_find(struct ost_set *set, uint32_t index);
/* Sends a precreate if the pool is low and none is in flight (caller holds mu). */
void ost_refill(struct ost *o);
/* Ids left in the pool (caller holds mu). */
uint64_t ost_pool_left(const struct ost *o);

#endif
