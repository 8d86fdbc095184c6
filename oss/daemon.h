/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stria-oss daemon (private to oss/): the OSTs it serves, the RPC
 * handlers that drive the object store, and the registration with the
 * management service.
 */
#ifndef STRIA_OSS_DAEMON_H
#define STRIA_OSS_DAEMON_H

#include "net/net.h"
#include "oss/oss.h"
#include "proto/proto.h"

#define OSSD_MAX_OSTS	64
#define OSSD_MAX_LISTEN 8

struct ossd_target {
	struct proto_target_id id;
	struct oss_ost *ost;
	char dir[4096];
};

struct ossd {
	/* Written at start-up, read-only while serving. */
	char fsname[PROTO_FSNAME_MAX + 1];
	struct ossd_target tgts[OSSD_MAX_OSTS];
	int ntgts;
	struct oss_engine *engine;
	struct net_server *srv;
	struct net_key *key;
	struct proto_nid listen[OSSD_MAX_LISTEN];
	int nlisten;
	uint16_t port;
	/* The NIDs this OSS registers (the listen NIDs, or the host's addresses). */
	struct proto_nid adv[PROTO_NID_LIST_MAX];
	int nadv;
	struct ossd_mgc *mgc; /* registration clients */
};

/* The OST with @index, or NULL; any thread. */
struct ossd_target *ossd_target(struct ossd *d, uint32_t index);

/* The handler table for net_server_cfg.handlers (PROTO_OP_LIMIT entries). */
const struct net_handler *ossd_handlers(void);

/*
 * Starts registering every OST with its management service, now and whenever
 * that service comes back; returns 0 or -errno.  Runs in the background.
 */
int ossd_mgc_start(struct ossd *d);
void ossd_mgc_stop(struct ossd *d);

#endif
