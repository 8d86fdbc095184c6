/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network identifiers, written as Lustre writes them: "ADDR@tcp", "ADDR@o2ib".
 * ADDR is an IPv4 address or a host name; a NID never holds a port (there is
 * one well-known port, PROTO_DEFAULT_PORT, overridable per daemon and mount).
 * Failover NIDs are joined with ':' ("nid1:nid2"), and a mount source is
 * "nid1[:nid2...]:/fsname".
 */
#ifndef STRIA_PROTO_NID_H
#define STRIA_PROTO_NID_H

#include <stdint.h>

#include "cursor.h"

/* The well-known port of every stria daemon (Lustre's acceptor port is 988). */
#define PROTO_DEFAULT_PORT 988

#define PROTO_NID_ADDR_MAX 63 /* host name or dotted quad, without the NUL */
#define PROTO_NID_STRLEN 80   /* printed NID, with the NUL */
#define PROTO_NID_LIST_MAX 8  /* failover NIDs of one target or mount source */
#define PROTO_FSNAME_MAX 8    /* as Lustre's */

enum proto_lnd {
	PROTO_LND_TCP = 1,  /* "tcp": TCP sockets */
	PROTO_LND_O2IB = 2, /* "o2ib": RDMA verbs over rdma_cm */
};

struct proto_nid {
	uint32_t lnd; /* enum proto_lnd */
	char addr[PROTO_NID_ADDR_MAX + 1];
};

/* Wire form of a NID (u32 lnd, u16-counted address).  Implemented in nid.c. */
void proto_nid_enc(struct proto_cur *c, const struct proto_nid *n);
/* Fails the cursor with -EPROTO on an unknown lnd or an empty/over-long address. */
void proto_nid_dec(struct proto_cur *c, struct proto_nid *n);

#endif
