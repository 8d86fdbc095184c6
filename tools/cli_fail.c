/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria fail_set: arms a failure point of a running MDS (MGS_FAIL_SET), as
 * lctl set_param fail_loc=... fail_val=... does on a Lustre server.  The
 * SPEC is stria-mds --fail's (proto/failspec.h).  For testing recovery; the
 * MDS refuses callers that are not root.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"

void tool_usage_fail(FILE *f)
{
	fputs("Usage: stria fail_set [OPTIONS] FSNAME SPEC\n"
	      "\n"
	      "Arms a failure point of the running MDS of FSNAME (lctl set_param fail_loc).\n"
	      "Root only; for testing recovery.\n"
	      "\n"
	      "SPEC: NAME[,mode=MODE][,count=N][,value=N][,op=OPCODE]\n"
	      "  NAME   drop_request, drop_reply, delay, crash_before_apply,\n"
	      "         crash_after_apply, crash_after_commit, crash_after_reply\n"
	      "         (see stria-mds(8))\n"
	      "  MODE   once (default), always, skip, some, rand; off disarms\n"
	      "  op=    only requests of that opcode (MDS_CREATE, MDS_RENAME, ...)\n"
	      "  value= the point's value (delay: milliseconds)\n"
	      "\n"
	      "  --mgsnode NID[:NID]  the MGS (default: from a mounted FSNAME)\n"
	      "  --port PORT          its port (default: the mount's, else 988)\n"
	      "  --key FILE           the cluster key (default /etc/stria/FSNAME.key)\n"
	      "  -h, --help           this help\n",
	      f);
}

static const char *hint_of(int err)
{
	switch (err) {
	case -EPERM:
		return "failure injection needs root";
	case -EACCES:
		return "the MGS refused the key; give --key";
	case -ENOENT:
		return "the MDS does not know that failure point";
	case -ETIMEDOUT:
	case -ECONNREFUSED:
		return "the MGS does not answer; check --mgsnode and --port";
	default:
		return NULL;
	}
}

static int fail_set(struct tool_mgs *m, const struct proto_mgs_fail_set_req *q)
{
	struct proto_creds cr = {.fsuid = (uint32_t)geteuid(), .fsgid = (uint32_t)getegid()};
	struct net_req *r = net_req_new(PROTO_OP_MGS_FAIL_SET, &cr);
	int rc = r ? proto_mgs_fail_set_req_enc(net_req_body(r), q) : -ENOMEM;

	if (rc == 0)
		rc = tool_mgs_call(m, r);
	net_req_free(r);
	return rc;
}

int tool_cmd_fail(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"mgsnode", required_argument, NULL, 'm'},
	    {"port", required_argument, NULL, 'P'},
	    {"key", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0], *mgsnode = NULL, *keyfile = NULL, *fsname, *op;
	struct proto_mgs_fail_set_req q;
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
			tool_usage_fail(stdout);
			return 0;
		default:
			tool_usage_fail(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		tool_usage_fail(stderr);
		return 2;
	}
	fsname = argv[optind];
	rc = proto_fail_spec_parse(argv[optind + 1], &q);
	if (rc) {
		tool_err(cmd, argv[optind + 1], rc,
			 rc == -ENOENT
			     ? "unknown failure point; see stria fail_set --help"
			     : "expected NAME[,mode=MODE][,count=N][,value=N][,op=OPCODE]");
		return 2;
	}
	net_log_init("stria", NET_LOG_ERR);
	rc = tool_mgs_connect(&m, cmd, fsname, mgsnode, port, keyfile);
	if (rc == 0) {
		rc = fail_set(&m, &q);
		if (rc < 0)
			tool_err(cmd, argv[optind + 1], rc, hint_of(rc));
	}
	tool_mgs_close(&m);
	if (rc)
		return 1;
	op = q.value ? proto_op_name(q.value) : "any";
	if (q.mode == PROTO_FAIL_OFF)
		printf("%s: fail point %s off\n", fsname, proto_fail_point_name(q.id));
	else if (q.id == PROTO_FAIL_DELAY)
		printf("%s: fail point delay armed: mode %s, count %u, %u ms\n", fsname,
		       proto_fail_mode_name(q.mode), q.count, q.value);
	else
		printf("%s: fail point %s armed: mode %s, count %u, op %s\n", fsname,
		       proto_fail_point_name(q.id), proto_fail_mode_name(q.mode), q.count,
		       op ? op : "?");
	return 0;
}
