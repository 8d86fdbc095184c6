/* SPDX-License-Identifier: Apache-2.0 */
/* The MDS client: connection, credentials, one-call helpers. */
#include "fc_int.h"

#include <errno.h>
#include <string.h>

void fc_req_creds(fuse_req_t freq, struct proto_creds *out)
{
	struct proto_creds cr = {0};

	if (freq) {
		const struct fuse_ctx *ctx = fuse_req_ctx(freq);
		gid_t groups[PROTO_MAX_GROUPS];
		int n;

		cr.fsuid = ctx->uid;
		cr.fsgid = ctx->gid;
		/* Root needs no groups; others' supplementary groups matter to the MDS. */
		if (ctx->uid != 0) {
			n = fuse_req_getgroups(freq, PROTO_MAX_GROUPS, groups);
			if (n > PROTO_MAX_GROUPS)
				n = PROTO_MAX_GROUPS;
			for (int i = 0; i < n; i++)
				cr.groups[i] = groups[i];
			cr.ngroups = n > 0 ? (uint32_t)n : 0;
		}
	}
	*out = cr;
}

struct net_req *fc_mds_req(fuse_req_t freq, uint16_t op)
{
	struct proto_creds cr;

	fc_req_creds(freq, &cr);
	return net_req_new(op, &cr);
}

void fc_mds_send(struct fc_rset *rs, struct net_req *req, fc_rpc_fn fn, void *arg)
{
	fc_rset_send(rs, rs->fs->mds, req, fn, arg);
}

void fc_mds_change(struct fc_fs *fs, fuse_req_t freq, struct net_req *req, fc_done_fn done,
		   void *priv, struct fc_node *dir, struct fc_node *dir2)
{
	struct fc_rset *rs = fc_rset_new(fs, freq, done, priv);

	if (!rs) {
		/* The callback still runs once: it replies and frees @priv. */
		struct fc_rset fake = {.fs = fs, .freq = freq, .priv = priv};

		net_req_free(req);
		done(&fake, -ENOMEM);
		return;
	}
	fc_rset_dir_change(rs, dir);
	fc_rset_dir_change(rs, dir2);
	fc_mds_send(rs, req, NULL, NULL);
	fc_rset_seal(rs);
}

void fc_mds_call(struct fc_fs *fs, fuse_req_t freq, struct net_req *req, fc_done_fn done,
		 void *priv)
{
	fc_mds_change(fs, freq, req, done, priv, NULL, NULL);
}

int fc_mdc_start(struct fc_fs *fs)
{
	struct net_client_cfg cfg = {
	    .name = "MDS",
	    .nnids = fs->src.nnids,
	    .port = fs->opts.port,
	    .timeout_ms = fs->opts.mds_timeout_ms,
	    .fsname = fs->src.fsname,
	    .role = PROTO_ROLE_CLIENT,
	    .key = fs->key,
	    .on_state = fc_replay_on_state,
	    .arg = fs,
	};

	memcpy(cfg.nids, fs->src.nids, sizeof(cfg.nids));
	memcpy(cfg.uuid, fs->uuid, PROTO_UUID_LEN);
	return net_client_new(fs->loop, &cfg, &fs->mds);
}
