/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria-oss: serves one or more OSTs.
 *
 *   stria-oss [--listen NID]... [--port P] [--key FILE] DIR [DIR...]
 *
 * Runs in the foreground (systemd starts it as Type=notify) and shuts down
 * cleanly on SIGTERM or SIGINT: it stops accepting, lets running requests
 * finish and reply, makes every OST durable (syncfs) and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef STRIA_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "daemon.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: stria-oss [OPTIONS] DIR [DIR...]\n"
		"\n"
		"Serves the OSTs formatted in each DIR (mkfs.stria --ost).\n"
		"\n"
		"Options:\n"
		"  --listen NID        listen on NID (ADDR@tcp, or ADDR@o2ib for RDMA);\n"
		"                      repeatable; default every address (0.0.0.0@tcp)\n"
		"  --port PORT         port of every NID (default %u)\n"
		"  --key FILE          shared cluster key: clients must prove they hold it\n"
		"  --workers N         RPC handler threads (default 8)\n"
		"  --io-workers N      io_uring rings, one thread each (default %u)\n"
		"  --fd-cache N        object files kept open per OST (default %u)\n"
		"  --direct-min SIZE   on OSTs formatted for direct I/O, the smallest aligned\n"
		"                      read or write that bypasses the page cache (a multiple\n"
		"                      of 4K, suffix K or M; 0 = every aligned one; default %uK)\n"
		"  -v, --verbose       debug logging\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this help\n",
		PROTO_DEFAULT_PORT, OSS_WORKERS_DEFAULT, OSS_FD_CACHE_DEFAULT,
		OSS_DIRECT_MIN_DEFAULT / 1024);
}

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end || v < min || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* A size (proto_size_parse): 0 or a multiple of OSS_DIRECT_ALIGN, at most 64M. */
static int parse_direct_min(const char *s, uint32_t *out)
{
	uint64_t v;

	if (proto_size_parse(s, &v, NULL) || v > 64u << 20 || v % OSS_DIRECT_ALIGN)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int open_targets(struct ossd *d, char **dirs, int n, unsigned fd_cache, uint32_t direct_min)
{
	for (int i = 0; i < n; i++) {
		struct ossd_target *t = &d->tgts[i];
		struct oss_ost_options o;
		char mode[64];
		int err;

		snprintf(t->dir, sizeof(t->dir), "%s", dirs[i]);
		err = proto_target_id_load(t->dir, &t->id);
		if (err) {
			NET_ERR("oss: %s: %s", t->dir,
				err == -ENOENT ? "not a formatted target (run mkfs.stria --ost)"
					       : strerror(-err));
			return err;
		}
		if (t->id.type != PROTO_TARGET_OST) {
			NET_ERR("oss: %s holds %s, not an OST", t->dir, t->id.name);
			return -EINVAL;
		}
		if (i == 0) {
			snprintf(d->fsname, sizeof(d->fsname), "%s", t->id.fsname);
		} else if (strcmp(d->fsname, t->id.fsname) != 0) {
			NET_ERR("oss: %s belongs to file system %s, %s to %s: one stria-oss serves "
				"one file system",
				t->id.name, t->id.fsname, d->tgts[0].id.name, d->fsname);
			return -EINVAL;
		}
		for (int k = 0; k < i; k++)
			if (d->tgts[k].id.index == t->id.index) {
				NET_ERR("oss: %s and %s are both %s", d->tgts[k].dir, t->dir,
					t->id.name);
				return -EINVAL;
			}
		oss_ost_options_init(&o);
		o.direct = t->id.flags & PROTO_TARGET_F_ODIRECT;
		o.fd_cache_size = fd_cache;
		o.direct_min = direct_min;
		o.name = t->id.name;
		err = oss_ost_open(t->dir, &o, &t->ost);
		if (err) {
			NET_ERR("oss: %s (%s): cannot open: %s", t->id.name, t->dir,
				err == -EBUSY ? "another stria-oss serves it" : strerror(-err));
			return err;
		}
		d->ntgts++;
		if (!o.direct)
			snprintf(mode, sizeof(mode), "buffered I/O");
		else if (direct_min == 0)
			snprintf(mode, sizeof(mode), "O_DIRECT for every aligned I/O");
		else if (direct_min % (1u << 20))
			snprintf(mode, sizeof(mode), "O_DIRECT for aligned I/O of %uK or more",
				 direct_min >> 10);
		else
			snprintf(mode, sizeof(mode), "O_DIRECT for aligned I/O of %uM or more",
				 direct_min >> 20);
		NET_INFO("oss: serving %s from %s (last object id %llu, %s)", t->id.name, t->dir,
			 (unsigned long long)oss_ost_last_id(t->ost), mode);
	}
	return 0;
}

static void sync_targets(struct ossd *d)
{
	for (int i = 0; i < d->ntgts; i++) {
		struct oss_req r;
		int err;

		oss_req_syncfs(&r, d->tgts[i].ost, NULL, NULL);
		err = oss_submit_wait(d->engine, &r);
		if (err)
			NET_ERR("%s: final sync failed: %s", d->tgts[i].id.name, strerror(-err));
	}
}

static void oss_log_to_net(const char *line, void *arg)
{
	NET_ERR("%s", line);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"port", required_argument, NULL, 'p'},
	    {"key", required_argument, NULL, 'k'},
	    {"workers", required_argument, NULL, 'w'},
	    {"io-workers", required_argument, NULL, 'I'},
	    {"fd-cache", required_argument, NULL, 'F'},
	    {"direct-min", required_argument, NULL, 'D'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static struct ossd d;
	struct oss_engine_options eo;
	struct net_server_cfg scfg = {0};
	unsigned port = PROTO_DEFAULT_PORT, workers = 8, fd_cache = OSS_FD_CACHE_DEFAULT;
	uint32_t direct_min = OSS_DIRECT_MIN_DEFAULT;
	const char *keyfile = NULL;
	int c, err, level = NET_LOG_INFO, sig, status = 1;
	sigset_t set;

	oss_engine_options_init(&eo);
	while ((c = getopt_long(argc, argv, "vVh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (d.nlisten == OSSD_MAX_LISTEN ||
			    proto_nid_parse(optarg, &d.listen[d.nlisten]) < 0) {
				fprintf(
				    stderr,
				    "stria-oss: --listen %s: not a NID (ADDR@tcp or ADDR@o2ib)\n",
				    optarg);
				return 2;
			}
			d.nlisten++;
			break;
		case 'p':
			if (parse_uint(optarg, 1, 65535, &port)) {
				fprintf(stderr, "stria-oss: --port %s: not a port\n", optarg);
				return 2;
			}
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'w':
			if (parse_uint(optarg, 1, 256, &workers)) {
				fprintf(stderr, "stria-oss: --workers %s: 1 to 256\n", optarg);
				return 2;
			}
			break;
		case 'I':
			if (parse_uint(optarg, 1, 64, &eo.workers)) {
				fprintf(stderr, "stria-oss: --io-workers %s: 1 to 64\n", optarg);
				return 2;
			}
			break;
		case 'F':
			if (parse_uint(optarg, 16, 8192, &fd_cache)) {
				fprintf(stderr, "stria-oss: --fd-cache %s: 16 to 8192\n", optarg);
				return 2;
			}
			break;
		case 'D':
			if (parse_direct_min(optarg, &direct_min)) {
				fprintf(stderr,
					"stria-oss: --direct-min %s: a multiple of 4K up to 64M "
					"(e.g. 0, 128K, 1M)\n",
					optarg);
				return 2;
			}
			break;
		case 'v':
			level = NET_LOG_DEBUG;
			break;
		case 'V':
			printf("stria-oss %s\n", STRIA_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "stria-oss: no OST directory given\n");
		usage(stderr);
		return 2;
	}
	if (argc - optind > OSSD_MAX_OSTS) {
		fprintf(stderr, "stria-oss: at most %d OSTs per process\n", OSSD_MAX_OSTS);
		return 2;
	}
	net_log_init("stria-oss", level);
	oss_log_set_sink(oss_log_to_net, NULL);
	ossd_self = &d;
	d.port = (uint16_t)port;
	if (d.nlisten == 0) {
		d.listen[0] = (struct proto_nid){.lnd = PROTO_LND_TCP, .addr = "0.0.0.0"};
		d.nlisten = 1;
	}
	/* Signals are taken by sigwait() below: block them before any thread exists. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	NET_INFO("stria-oss %s starting (protocol version %u)", STRIA_VERSION, PROTO_VERSION);
	if (keyfile) {
		err = net_key_load(keyfile, &d.key);
		if (err) {
			NET_ERR("oss: cannot load the key file %s: %s", keyfile,
				err == -EINVAL ? "it must hold at least 16 bytes" : strerror(-err));
			return 1;
		}
	}
	err = open_targets(&d, argv + optind, argc - optind, fd_cache, direct_min);
	if (err)
		goto out_targets;
	err = oss_engine_start(&eo, &d.engine);
	if (err) {
		NET_ERR("oss: cannot start the io_uring engine: %s", strerror(-err));
		goto out_targets;
	}
	scfg.name = "oss";
	scfg.fsname = d.fsname;
	scfg.key = d.key;
	scfg.nworkers = workers;
	scfg.handlers = ossd_handlers();
	memcpy(scfg.uuid, d.tgts[0].id.uuid, PROTO_UUID_LEN);
	err = net_server_new(&scfg, &d.srv);
	if (err)
		goto out_engine;
	for (int i = 0; i < d.nlisten; i++) {
		err = net_server_listen(d.srv, &d.listen[i], d.port);
		if (err) {
			/* Serving on fewer NIDs than asked would strand their clients. */
			NET_ERR("oss: not started: %s", strerror(-err));
			goto out_server;
		}
	}
	err = net_server_start(d.srv);
	if (err)
		goto out_server;
	NET_INFO("oss: file system %s, %d OST(s), boot instance %016llx", d.fsname, d.ntgts,
		 (unsigned long long)net_server_boot_instance(d.srv));
	err = ossd_mgc_start(&d);
	if (err)
		NET_ERR("oss: cannot start registering with the MGS: %s", strerror(-err));
#ifdef STRIA_HAVE_SYSTEMD
	sd_notify(0, "READY=1");
#endif

	while (sigwait(&set, &sig) != 0)
		;
	NET_INFO("oss: %s received: shutting down", strsignal(sig));
#ifdef STRIA_HAVE_SYSTEMD
	sd_notify(0, "STOPPING=1");
#endif
	status = 0;
	ossd_mgc_stop(&d);
out_server:
	net_server_free(d.srv);
	d.srv = NULL;
out_engine:
	if (d.engine) {
		sync_targets(&d);
		oss_engine_stop(d.engine);
	}
out_targets:
	for (int i = 0; i < d.ntgts; i++)
		oss_ost_close(d.tgts[i].ost);
	net_key_free(d.key);
	if (status == 0)
		NET_INFO("oss: stopped cleanly");
	return status;
}
