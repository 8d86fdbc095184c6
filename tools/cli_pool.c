/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria pool_new / pool_add / pool_remove / pool_destroy / pool_list: OST
 * pools, managed on the MGS (the MDS) directly with the cluster key, as
 * lctl pool_* does.  The MGS is found from a mounted stria of that fsname
 * (its source NIDs) unless --mgsnode says otherwise, on --port (default: the
 * port that mount uses, else 988).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"

void tool_usage_pool(FILE *f)
{
	fputs("Usage: stria pool_new FSNAME.POOL\n"
	      "       stria pool_add FSNAME.POOL OST_LIST\n"
	      "       stria pool_remove FSNAME.POOL OST_LIST\n"
	      "       stria pool_destroy FSNAME.POOL\n"
	      "       stria pool_list FSNAME[.POOL]\n"
	      "\n"
	      "Manages OST pools on the MGS (lctl pool_*).  Changes need root and the\n"
	      "cluster key.  OST_LIST: indices, ranges and target names, e.g.\n"
	      "\"0,2-3\", \"testfs-OST0001\", \"testfs-OST[0-3]\".\n"
	      "\n"
	      "  --mgsnode NID[:NID]  the MGS (default: from a mounted FSNAME)\n"
	      "  --port PORT          its port (default: the mount's, else 988)\n"
	      "  --key FILE           the cluster key (default /etc/stria/FSNAME.key)\n"
	      "  -h, --help           this help\n",
	      f);
}

static const char *hint_of(const char *cmd, int err)
{
	switch (err) {
	case -EPERM:
		return "pool changes need root";
	case -EACCES:
		return "the MGS refused the key; give --key";
	case -EEXIST:
		return !strcmp(cmd, "pool_new") ? "the pool exists"
						: "an OST is already in the pool";
	case -ENOENT:
		return !strcmp(cmd, "pool_remove") ? "an OST is not in the pool or no such pool"
						   : "no such pool";
	case -ENOTEMPTY:
		return "remove its OSTs first";
	case -EINVAL:
		return "unknown OST or file system";
	case -ETIMEDOUT:
	case -ECONNREFUSED:
		return "the MGS does not answer; check --mgsnode and --port";
	default:
		return NULL;
	}
}

static int pool_list(struct tool_mgs *m, const char *fsname, const char *pool)
{
	struct proto_mgs_pool_list_req q = {0};
	bool header = false;
	int rc = 0;

	snprintf(q.fsname, sizeof(q.fsname), "%s", fsname);
	snprintf(q.pool, sizeof(q.pool), "%s", pool);
	for (;;) {
		struct proto_mgs_pool_list_rep_iter it;
		struct proto_mgs_pool_ent e;
		struct net_req *r = net_req_new(PROTO_OP_MGS_POOL_LIST, NULL);
		struct proto_cur c;
		bool more = false;

		if (!r)
			return -ENOMEM;
		rc = proto_mgs_pool_list_req_enc(net_req_body(r), &q);
		if (rc == 0)
			rc = tool_mgs_call(m, r);
		if (rc == 0) {
			net_req_reply(r, &c);
			rc = proto_mgs_pool_list_rep_iter_init(&it, &c);
		}
		if (rc == 0 && !header) {
			if (!pool[0])
				printf("Pools from %s:\n", fsname);
			header = true;
		}
		while (rc == 0 && (rc = proto_mgs_pool_list_rep_iter_next(&it, &e)) == 1) {
			rc = 0;
			more = true;
			snprintf(q.after, sizeof(q.after), "%s", e.name);
			if (!pool[0]) {
				printf("%s.%s\n", fsname, e.name);
				continue;
			}
			printf("Pool: %s.%s\n", fsname, e.name);
			for (uint32_t i = 0; i < e.nmembers; i++) {
				char name[PROTO_TARGET_NAME_MAX + 1];

				proto_target_name(fsname, PROTO_TARGET_OST,
						  proto_mgs_pool_ent_member(&e, i), name,
						  sizeof(name));
				printf("%s_UUID\n", name);
			}
		}
		if (rc == 0 && (it.flags & PROTO_MGS_POOLS_F_EOF || !more || pool[0])) {
			net_req_free(r);
			return 0;
		}
		net_req_free(r);
		if (rc)
			return rc;
	}
}

static int pool_mod(struct tool_mgs *m, const char *cmd, const char *fsname, const char *pool,
		    const char *list)
{
	static struct proto_mgs_pool_mod_req q;
	bool add = !strcmp(cmd, "pool_add");
	struct net_req *r;
	int n, rc;

	memset(&q, 0, sizeof(q));
	n = tool_parse_ost_list(list, fsname, q.osts, PROTO_MGS_POOL_MOD_MAX);
	if (n < 0) {
		tool_err(cmd, list, n, "bad OST list; e.g. 0,2-3 or testfs-OST0001");
		return 2;
	}
	q.count = (uint32_t)n;
	snprintf(q.fsname, sizeof(q.fsname), "%s", fsname);
	snprintf(q.pool, sizeof(q.pool), "%s", pool);
	r = net_req_new(add ? PROTO_OP_MGS_POOL_ADD : PROTO_OP_MGS_POOL_REMOVE, NULL);
	rc = r ? proto_mgs_pool_mod_req_enc(net_req_body(r), &q) : -ENOMEM;
	if (rc == 0)
		rc = tool_mgs_call(m, r);
	net_req_free(r);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++) {
		char name[PROTO_TARGET_NAME_MAX + 1];

		proto_target_name(fsname, PROTO_TARGET_OST, q.osts[i], name, sizeof(name));
		printf("OST %s_UUID %s pool %s.%s\n", name, add ? "added to" : "removed from",
		       fsname, pool);
	}
	return 0;
}

static int pool_simple(struct tool_mgs *m, const char *cmd, const char *fsname, const char *pool)
{
	struct proto_mgs_pool_req q = {0};
	bool create = !strcmp(cmd, "pool_new");
	struct net_req *r;
	int rc;

	snprintf(q.fsname, sizeof(q.fsname), "%s", fsname);
	snprintf(q.pool, sizeof(q.pool), "%s", pool);
	r = net_req_new(create ? PROTO_OP_MGS_POOL_NEW : PROTO_OP_MGS_POOL_DESTROY, NULL);
	rc = r ? proto_mgs_pool_req_enc(net_req_body(r), &q) : -ENOMEM;
	if (rc == 0)
		rc = tool_mgs_call(m, r);
	net_req_free(r);
	if (rc == 0)
		printf("Pool %s.%s %s\n", fsname, pool, create ? "created" : "destroyed");
	return rc;
}

int tool_cmd_pool(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"mgsnode", required_argument, NULL, 'm'},
	    {"port", required_argument, NULL, 'P'},
	    {"key", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0], *mgsnode = NULL, *keyfile = NULL;
	char fsname[PROTO_FSNAME_MAX + 1], pool[PROTO_POOL_NAME_MAX + 1];
	bool list = !strcmp(cmd, "pool_list");
	bool mod = !strcmp(cmd, "pool_add") || !strcmp(cmd, "pool_remove");
	struct tool_mgs m = {0};
	long port = 0;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			mgsnode = optarg;
			break;
		case 'P':
			if (tool_parse_int(optarg, 1, 65535, &port)) {
				tool_msg(cmd, "bad port '%s'", optarg);
				return 2;
			}
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'h':
			tool_usage_pool(stdout);
			return 0;
		default:
			tool_usage_pool(stderr);
			return 2;
		}
	}
	if (argc - optind != (mod ? 2 : 1)) {
		tool_usage_pool(stderr);
		return 2;
	}
	if (tool_parse_fspool(argv[optind], list, fsname, pool)) {
		tool_err(cmd, argv[optind], -EINVAL,
			 list ? "expected FSNAME or FSNAME.POOL" : "expected FSNAME.POOL");
		return 2;
	}
	net_log_init("stria", NET_LOG_ERR);
	rc = tool_mgs_connect(&m, cmd, fsname, mgsnode, port, keyfile);
	if (rc == 0) {
		if (list)
			rc = pool_list(&m, fsname, pool);
		else if (mod)
			rc = pool_mod(&m, cmd, fsname, pool, argv[optind + 1]);
		else
			rc = pool_simple(&m, cmd, fsname, pool);
		if (rc < 0)
			tool_err(cmd, argv[optind], rc, hint_of(cmd, rc));
	}
	tool_mgs_close(&m);
	return rc == 0 ? 0 : rc > 0 ? rc : 1;
}
