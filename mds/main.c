/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria-mds: the metadata server daemon, and its offline checker.
 *
 *   stria-mds [--listen NID]... [--port P] [--key FILE] [--recovery-window SEC]
 *             [--evict-timeout SEC] [--workers N] [--commit-window USEC] [--unlink-grace SEC]
 *             [--manual-wal-flush]
 *             [--fail SPEC]... [-v] DIR
 *   stria-mds --check DIR
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef STRIA_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "mds/mds.h"
#include "net/net.h"

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: stria-mds [--listen NID]... [--port P] [--key FILE]\n"
	       "                 [--recovery-window SEC] [--evict-timeout SEC] [--workers N]\n"
	       "                 [--commit-window USEC] [--unlink-grace SEC] [--manual-wal-flush]\n"
	       "                 [--fail NAME[,mode=M][,count=N][,value=V][,op=OPCODE]]... [-v] "
	       "DIR\n"
	       "       stria-mds --check DIR\n"
	       "DIR is an MDT formatted with mkfs.stria --mdt.  A NID is ADDR@tcp or\n"
	       "ADDR@o2ib (RDMA).  See docs/mds.md.\n");
}

static void print_problem(void *arg, const char *problem)
{
	unsigned *n = arg;

	(*n)++;
	printf("problem: %s\n", problem);
}

/* stria-mds --check: the consistency checker on a stopped MDT. */
static int run_check(const char *dir)
{
	char path[PATH_MAX];
	struct mds_db *db;
	unsigned n = 0;
	int rc;

	if (snprintf(path, sizeof(path), "%s/db", dir) >= (int)sizeof(path)) {
		fprintf(stderr, "stria-mds: %s: path too long\n", dir);
		return 2;
	}
	rc = mds_db_open(path, NULL, &db);
	if (rc) {
		fprintf(stderr, "stria-mds: %s: cannot open the database: %s%s\n", path,
			strerror(-rc), rc == -EBUSY ? " (stop the MDS first)" : "");
		return 2;
	}
	rc = mds_check(db, print_problem, &n);
	mds_db_close(db);
	if (rc < 0) {
		fprintf(stderr, "stria-mds: %s: check failed: %s\n", dir, strerror(-rc));
		return 2;
	}
	printf("%s: %d problem(s)\n", dir, rc);
	return rc ? 1 : 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"port", required_argument, NULL, 'p'},
	    {"key", required_argument, NULL, 'k'},
	    {"recovery-window", required_argument, NULL, 'r'},
	    {"evict-timeout", required_argument, NULL, 'e'},
	    {"workers", required_argument, NULL, 'w'},
	    {"commit-window", required_argument, NULL, 'W'},
	    {"unlink-grace", required_argument, NULL, 'g'},
	    {"manual-wal-flush", no_argument, NULL, 'M'},
	    {"fail", required_argument, NULL, 'f'},
	    {"check", no_argument, NULL, 'c'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct mds_svc_cfg cfg = {
	    .recovery_window_s = -1, .commit_window_us = -1, .unlink_grace_s = -1};
	int c, level = NET_LOG_INFO, sig, rc;
	struct mds_svc *svc;
	unsigned long v;
	bool check = false;
	sigset_t set;

	while ((c = getopt_long(argc, argv, "l:p:k:r:e:w:W:g:f:cvVh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (cfg.nlisten == MDS_SVC_MAX_LISTEN ||
			    proto_nid_parse(optarg, &cfg.listen[cfg.nlisten])) {
				fprintf(stderr, "stria-mds: --listen %s: not a NID (or too many)\n",
					optarg);
				return 2;
			}
			cfg.nlisten++;
			break;
		case 'p':
			if (parse_uint(optarg, 65535, &v) || v == 0) {
				fprintf(stderr, "stria-mds: --port %s: not a port\n", optarg);
				return 2;
			}
			cfg.port = (uint16_t)v;
			break;
		case 'k':
			cfg.key_file = optarg;
			break;
		case 'r':
			if (parse_uint(optarg, 86400, &v)) {
				fprintf(stderr,
					"stria-mds: --recovery-window %s: seconds expected\n",
					optarg);
				return 2;
			}
			cfg.recovery_window_s = (int32_t)v;
			break;
		case 'e':
			if (parse_uint(optarg, 86400, &v) || v == 0) {
				fprintf(stderr, "stria-mds: --evict-timeout %s: seconds expected\n",
					optarg);
				return 2;
			}
			cfg.evict_ms = (uint32_t)v * 1000;
			break;
		case 'w':
			if (parse_uint(optarg, 1024, &v) || v == 0) {
				fprintf(stderr, "stria-mds: --workers %s: 1..1024\n", optarg);
				return 2;
			}
			cfg.nworkers = (uint32_t)v;
			break;
		case 'W':
			if (parse_uint(optarg, 100000, &v)) {
				fprintf(stderr,
					"stria-mds: --commit-window %s: microseconds expected "
					"(0..100000)\n",
					optarg);
				return 2;
			}
			cfg.commit_window_us = (int32_t)v;
			break;
		case 'g':
			if (parse_uint(optarg, 86400, &v)) {
				fprintf(stderr, "stria-mds: --unlink-grace %s: seconds expected\n",
					optarg);
				return 2;
			}
			cfg.unlink_grace_s = (int32_t)v;
			break;
		case 'M':
			cfg.manual_wal_flush = true;
			break;
		case 'f':
			if (cfg.nfail == MDS_SVC_MAX_FAIL) {
				fprintf(stderr, "stria-mds: too many --fail\n");
				return 2;
			}
			cfg.fail[cfg.nfail++] = optarg;
			break;
		case 'c':
			check = true;
			break;
		case 'v':
			level = NET_LOG_DEBUG;
			break;
		case 'V':
			printf("stria-mds %s\n", STRIA_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	cfg.dir = argv[optind];
	if (check)
		return run_check(cfg.dir);

	net_log_init("stria-mds", level);
	/* Every thread inherits the mask: only sigwait() below sees these. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = mds_svc_start(&cfg, &svc);
	if (rc) {
		NET_ERR("%s: not started: %s", cfg.dir, strerror(-rc));
		return 1;
	}
#ifdef STRIA_HAVE_SYSTEMD
	/* Type=notify: ready once it serves (it listens and the database is open). */
	sd_notify(0, "READY=1");
#endif
	if (sigwait(&set, &sig) == 0)
		NET_INFO("%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
#ifdef STRIA_HAVE_SYSTEMD
	sd_notify(0, "STOPPING=1");
#endif
	mds_svc_stop(svc);
	return 0;
}
