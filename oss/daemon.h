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

/* The one daemon of this process (svc.c); set at start-up, before serving. */
extern struct ossd *ossd_self;

/* The OST with @index, or NULL; any thread. */
struct ossd_target *ossd_target(struct ossd *d, uint32_t index);

/*
 * The OST with @index for request @r; for an index this OSS does not serve it
 * logs, replies -ENODEV and returns NULL.  Any thread.
 */
struct ossd_target *ossd_target_or_reply(struct net_srv_req *r, uint32_t index);

/*
 * Whether @f may be a parent FID a write records (zero: none).  Sequences
 * below the normal range are never handed out, so such a FID is a foreign or
 * forged one.
 */
bool ossd_fid_plausible(const struct proto_fid *f);

/* The OST_COPY handler (copy.c): replies from the engine's completions. */
void ossd_h_copy(struct net_srv_req *r, void *arg);

/* The handler table for net_server_cfg.handlers (PROTO_OP_LIMIT entries). */
const struct net_handler *ossd_handlers(void);

/*
 * Starts registering every OST with its management service, now and whenever
 * that service comes back; returns 0 or -errno.  Runs in the background.
 */
int ossd_mgc_start(struct ossd *d);
void ossd_mgc_stop(struct ossd *d);

#endif
