/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The administrator commands' connection to the MGS (the MDS): found from a
 * mounted stria of that fsname (its source NIDs) unless --mgsnode says
 * otherwise, on --port (default: that mount's port, else 988), authenticated
 * with the cluster key.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"

#define MGS_TIMEOUT_MS 5000
#define MGS_GIVE_UP_MS 15000

/* @nids as "nid[:nid]" into @buf, or "" if they do not fit. */
static void nids_str(const struct proto_nid *nids, uint32_t n, char *buf, size_t len)
{
	if (proto_nid_list_str(nids, n, buf, len) < 0)
		buf[0] = 0;
}

/*
 * Fills what --mgsnode / --port left open from the mounts of @fsname (with
 * --mgsnode, from those mounted from it).  Mounts of @fsname from different
 * MGS nodes, or without --port from different ports (two clusters using one
 * fsname), are refused rather than guessed between.  The port is the one
 * those mounts use (each is asked).
 */
static int from_mounts(const char *cmd, const char *fsname, const struct tool_mount *ms, int n,
		       struct net_client_cfg *cfg, long *port)
{
	char given[PROTO_NID_LIST_STRLEN] = "", first[PROTO_NID_LIST_STRLEN] = "",
	     cur[PROTO_NID_LIST_STRLEN];
	struct proto_mount_source src, pick = {0};
	long pick_port = 0;
	int pick_i = -1;

	if (cfg->nnids)
		nids_str(cfg->nids, cfg->nnids, given, sizeof(given));
	for (int i = 0; i < n; i++) {
		long p;

		if (strcmp(ms[i].fsname, fsname) || proto_mount_source_parse(ms[i].source, &src))
			continue;
		nids_str(src.nids, src.nnids, cur, sizeof(cur));
		if (given[0] && strcmp(cur, given))
			continue;
		/* Without --port, an MGS is its NIDs and its port: two clusters may share a host. */
		p = *port > 0 ? *port : tool_mount_port(&ms[i]);
		if (pick_i < 0) {
			pick_i = i;
			pick = src;
			pick_port = p;
			snprintf(first, sizeof(first), "%s", cur);
		} else if (strcmp(cur, first)) {
			tool_msg(cmd,
				 "%s is mounted from more than one MGS (%s and %s); give --mgsnode",
				 fsname, first, cur);
			return -EINVAL;
		} else if (p != pick_port) {
			tool_msg(cmd,
				 "%s is mounted from more than one MGS (%s port %ld and port %ld); "
				 "give --port",
				 fsname, cur, pick_port, p);
			return -EINVAL;
		}
	}
	if (pick_i < 0)
		return 0;
	if (!cfg->nnids) {
		cfg->nnids = pick.nnids;
		memcpy(cfg->nids, pick.nids, sizeof(cfg->nids));
	}
	if (*port <= 0)
		*port = pick_port;
	return 0;
}

int tool_mgs_connect(struct tool_mgs *m, const char *cmd, const char *fsname, const char *mgsnode,
		     long port, const char *keyfile)
{
	struct net_client_cfg cfg = {
	    .name = "MGS",
	    .fsname = fsname,
	    .role = PROTO_ROLE_ADMIN,
	    .timeout_ms = MGS_TIMEOUT_MS,
	    .give_up_ms = MGS_GIVE_UP_MS,
	    .reconnect_max_ms = 500,
	};
	char defkey[64 + PROTO_FSNAME_MAX];
	struct tool_mount ms[64];
	int rc, n;

	if (mgsnode) {
		rc = proto_nid_list_parse(mgsnode, cfg.nids, PROTO_NID_LIST_MAX);
		if (rc < 0) {
			tool_err(cmd, mgsnode, rc, "bad --mgsnode NID list");
			return rc;
		}
		cfg.nnids = (uint32_t)rc;
	}
	n = tool_mounts(ms, 64);
	if (!cfg.nnids || port <= 0) {
		rc = from_mounts(cmd, fsname, ms, n < 64 ? n : 64, &cfg, &port);
		if (rc)
			return rc;
	}
	if (!cfg.nnids) {
		tool_msg(cmd, "%s: no mounted stria file system of that name; give --mgsnode",
			 fsname);
		return -ENOENT;
	}
	cfg.port = (uint16_t)(port > 0 ? port : PROTO_DEFAULT_PORT);
	if (!keyfile) {
		snprintf(defkey, sizeof(defkey), "/etc/stria/%s.key", fsname);
		if (access(defkey, F_OK) == 0)
			keyfile = defkey;
	}
	if (keyfile) {
		rc = net_key_load(keyfile, &m->key);
		if (rc) {
			tool_err(cmd, keyfile, rc, "cannot load the cluster key");
			return rc;
		}
		cfg.key = m->key;
	}
	rc = net_uuid_generate(cfg.uuid);
	if (rc == 0)
		rc = net_loop_new(&m->loop);
	if (rc == 0)
		rc = net_loop_start(m->loop, "stria-mgs");
	if (rc == 0)
		rc = net_client_new(m->loop, &cfg, &m->cl);
	if (rc)
		tool_err(cmd, fsname, rc, "cannot set up the MGS connection");
	return rc;
}

int tool_mgs_call(struct tool_mgs *m, struct net_req *r)
{
	return net_call(m->cl, r);
}

void tool_mgs_close(struct tool_mgs *m)
{
	if (m->cl)
		net_client_free(m->cl);
	if (m->loop) {
		net_loop_stop(m->loop);
		net_loop_free(m->loop);
	}
	net_key_free(m->key);
}
