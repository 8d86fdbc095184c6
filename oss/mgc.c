/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registration with the management service (the MDS's MGS role).
 *
 * One RPC client to the MGS named in the OSTs' identities.  Every time its
 * connection comes up (at start-up, and whenever the MDS comes back after a
 * restart or a network cut) each OST is registered again.  While the MGS is
 * unreachable the client keeps retrying in the background and the OSS serves
 * regardless.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

struct ossd_mgc {
	struct ossd *d;
	struct net_loop *loop;
	struct net_client *cl;
};

struct reg_ctx {
	struct ossd *d;
	struct ossd_target *t;
};

static void registered(struct net_req *req, int status, void *arg)
{
	struct reg_ctx *rc = arg;
	struct proto_mgs_tgt_register_rep rep;
	struct proto_cur c;
	char us[33];

	if (status == 0) {
		net_req_reply(req, &c);
		if (proto_mgs_tgt_register_rep_dec(&c, &rep) == 0)
			NET_INFO("%s: registered with the MGS (target table generation %llu)",
				 rc->t->id.name, (unsigned long long)rep.gen);
	} else if (status == -EEXIST || status == -EADDRINUSE) {
		NET_ERR("%s: the MGS refused the registration: index %u belongs to another "
			"target (this one is uuid %s); reformat one of them with another index",
			rc->t->id.name, rc->t->id.index, net_uuid_str(rc->t->id.uuid, us));
	} else if (status != -ESHUTDOWN) {
		NET_ERR("%s: registration with the MGS failed: %s; retrying at the next "
			"connection",
			rc->t->id.name, strerror(-status));
	}
	net_req_free(req);
	free(rc);
}

static void register_one(struct ossd_mgc *m, struct ossd_target *t)
{
	struct proto_mgs_tgt_register_req body = {0};
	struct net_req *req = net_req_new(PROTO_OP_MGS_TGT_REGISTER, NULL);
	struct reg_ctx *rc = malloc(sizeof(*rc));

	if (!req || !rc) {
		NET_ERR("%s: out of memory registering with the MGS", t->id.name);
		net_req_free(req);
		free(rc);
		return;
	}
	snprintf(body.fsname, sizeof(body.fsname), "%s", m->d->fsname);
	body.tgt.type = PROTO_TARGET_OST;
	body.tgt.index = t->id.index;
	snprintf(body.tgt.name, sizeof(body.tgt.name), "%s", t->id.name);
	memcpy(body.tgt.uuid, t->id.uuid, PROTO_UUID_LEN);
	body.tgt.port = m->d->port;
	body.tgt.nnids = (uint32_t)m->d->nadv;
	memcpy(body.tgt.nids, m->d->adv, sizeof(body.tgt.nids[0]) * (size_t)m->d->nadv);
	proto_mgs_tgt_register_req_enc(net_req_body(req), &body);
	rc->d = m->d;
	rc->t = t;
	net_req_send(m->cl, req, registered, rc);
}

static void on_state(struct net_client *cl, enum net_client_state st, void *arg)
{
	struct ossd_mgc *m = arg;

	if (st != NET_CLIENT_CONNECTED)
		return;
	for (int i = 0; i < m->d->ntgts; i++)
		register_one(m, &m->d->tgts[i]);
}

/*
 * The NIDs to advertise: the listen NIDs, except that a wildcard address is
 * replaced by the host's IPv4 addresses (loopback only if there is nothing
 * else), as LNet advertises its interfaces.
 */
static void advertised_nids(struct ossd *d)
{
	struct ifaddrs *ifs, *i;

	d->nadv = 0;
	for (int k = 0; k < d->nlisten && d->nadv < PROTO_NID_LIST_MAX; k++)
		if (strcmp(d->listen[k].addr, "0.0.0.0") != 0)
			d->adv[d->nadv++] = d->listen[k];
	if (d->nadv > 0 || getifaddrs(&ifs) < 0)
		goto out;
	for (int pass = 0; pass < 2 && d->nadv == 0; pass++) {
		for (i = ifs; i && d->nadv < PROTO_NID_LIST_MAX; i = i->ifa_next) {
			const struct sockaddr_in *in = (const struct sockaddr_in *)i->ifa_addr;
			bool lo;

			if (!in || in->sin_family != AF_INET)
				continue;
			lo = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
			if (lo != (pass == 1))
				continue;
			d->adv[d->nadv].lnd = PROTO_LND_TCP;
			inet_ntop(AF_INET, &in->sin_addr, d->adv[d->nadv].addr,
				  sizeof(d->adv[d->nadv].addr));
			d->nadv++;
		}
	}
	freeifaddrs(ifs);
out:
	if (d->nadv == 0) {
		d->adv[0] = (struct proto_nid){.lnd = PROTO_LND_TCP, .addr = "127.0.0.1"};
		d->nadv = 1;
	}
}

int ossd_mgc_start(struct ossd *d)
{
	const struct proto_target_id *id = &d->tgts[0].id;
	struct net_client_cfg cfg = {.name = "MGS",
				     .fsname = d->fsname,
				     .role = PROTO_ROLE_OSS,
				     .key = d->key,
				     .port = id->mgs_port,
				     .reconnect_max_ms = 5000};
	struct ossd_mgc *m;
	char nids[512];
	int err;

	advertised_nids(d);
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->d = d;
	cfg.nnids = id->nmgs;
	memcpy(cfg.nids, id->mgs, sizeof(cfg.nids[0]) * id->nmgs);
	cfg.on_state = on_state;
	cfg.arg = m;
	err = net_uuid_generate(cfg.uuid);
	if (err)
		goto err_free;
	err = net_loop_new(&m->loop);
	if (err)
		goto err_free;
	err = net_loop_start(m->loop, "stria-mgc");
	if (err)
		goto err_loop;
	err = net_client_new(m->loop, &cfg, &m->cl);
	if (err)
		goto err_stop;
	d->mgc = m;
	proto_nid_list_str(id->mgs, id->nmgs, nids, sizeof(nids));
	NET_INFO("oss: registering %d OST(s) with the MGS at %s port %u", d->ntgts, nids,
		 id->mgs_port);
	return 0;

err_stop:
	net_loop_stop(m->loop);
err_loop:
	net_loop_free(m->loop);
err_free:
	free(m);
	return err;
}

void ossd_mgc_stop(struct ossd *d)
{
	struct ossd_mgc *m = d->mgc;

	if (!m)
		return;
	net_client_free(m->cl);
	net_loop_stop(m->loop);
	net_loop_free(m->loop);
	free(m);
	d->mgc = NULL;
}
