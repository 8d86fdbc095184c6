/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mkfs.stria: formats a metadata target (MDT) or an object storage target
 * (OST) in a directory of a local file system.
 *
 *   mkfs.stria --mdt --fsname NAME --index 0 DIR
 *   mkfs.stria --ost --fsname NAME --index N --mgsnode NID[:NID...] DIR
 *
 * A target is formatted once; formatting over a formatted target is refused
 * unless --reformat is given (which destroys what the target held).  The
 * identity file is written last, so an interrupted format leaves a directory
 * that is not (yet) a target.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mds/mds.h"
#include "net/net.h"
#include "oss/oss.h"
#include "proto/proto.h"

#define MDT_DB_SUBDIR "db"

static const char *prog = "mkfs.stria";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s --mdt|--ost --fsname NAME --index N [OPTIONS] DIR\n"
		"\n"
		"Formats DIR, a directory on a local file system, as a stria target:\n"
		"  --mdt              a metadata target (the namespace, in RocksDB);\n"
		"                     stria has one MDT, index 0\n"
		"  --ost              an object storage target (file data)\n"
		"\n"
		"Required:\n"
		"  --fsname NAME      the file system name: 1-8 letters, digits, '_' or '-'\n"
		"  --index N          the target index (decimal or 0x hex, 0..65535); the\n"
		"                     target is named NAME-MDT%%04x / NAME-OST%%04x\n"
		"  --mgsnode NID[:NID...]\n"
		"                     (OST only) where the management service (the MDS)\n"
		"                     listens, e.g. 10.0.0.1@tcp; ':' separates failover NIDs\n"
		"\n"
		"Options:\n"
		"  --mgsport PORT     the management service's port (default %u)\n"
		"  --direct           (OST only, the default) large reads and writes that\n"
		"                     are 4 KiB aligned bypass the page cache (O_DIRECT;\n"
		"                     the size is stria-oss --direct-min)\n"
		"  --buffered         (OST only) every read and write goes through the page cache\n"
		"  --reformat         format over an existing target, destroying its contents\n"
		"  -q, --quiet        print nothing on success\n"
		"  -h, --help         this help\n"
		"\n"
		"Examples:\n"
		"  %s --mdt --fsname testfs --index 0 /srv/stria/mdt0\n"
		"  %s --ost --fsname testfs --index 3 --mgsnode 10.0.0.1@tcp /srv/stria/ost3\n",
		prog, PROTO_DEFAULT_PORT, prog, prog);
}

/* Removes everything inside @dir (not @dir itself). */
static int wipe_dir(const char *dir)
{
	char cmd[4200];
	int rc;

	/* Objects may number in the millions; find -delete copes with that. */
	if (strchr(dir, '\'')) {
		fprintf(stderr, "%s: %s: a quote in the path is not supported with --reformat\n",
			prog, dir);
		return -EINVAL;
	}
	snprintf(cmd, sizeof(cmd), "find '%s' -mindepth 1 -delete", dir);
	rc = system(cmd);
	return rc == 0 ? 0 : -EIO;
}

static bool dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return true;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, "lost+found")) {
			empty = false;
			break;
		}
	closedir(d);
	return empty;
}

static int parse_index(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *s == '\0' || *end != '\0' || v > PROTO_TARGET_INDEX_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"mdt", no_argument, NULL, 'M'},	       {"ost", no_argument, NULL, 'O'},
	    {"fsname", required_argument, NULL, 'f'},  {"index", required_argument, NULL, 'i'},
	    {"mgsnode", required_argument, NULL, 'm'}, {"mgsport", required_argument, NULL, 'p'},
	    {"direct", no_argument, NULL, 'd'},	       {"buffered", no_argument, NULL, 'b'},
	    {"reformat", no_argument, NULL, 'r'},      {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0},
	};
	const char *fsname = NULL, *mgsnode = NULL, *dir;
	struct proto_target_id id, old;
	uint32_t type = 0, index = 0, port = PROTO_DEFAULT_PORT;
	bool have_index = false, reformat = false, quiet = false;
	int direct = -1; /* -1: the default (O_DIRECT on an OST), 0: --buffered, 1: --direct */
	char path[4096], nids[512];
	int c, err;

	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'M':
		case 'O':
			if (type) {
				fprintf(stderr, "%s: give one of --mdt and --ost\n", prog);
				return 2;
			}
			type = c == 'M' ? PROTO_TARGET_MDT : PROTO_TARGET_OST;
			break;
		case 'f':
			fsname = optarg;
			break;
		case 'i':
			if (parse_index(optarg, &index)) {
				fprintf(stderr, "%s: --index %s: not an index from 0 to 65535\n",
					prog, optarg);
				return 2;
			}
			have_index = true;
			break;
		case 'm':
			mgsnode = optarg;
			break;
		case 'p': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*optarg == '\0' || *end || v == 0 || v > 65535) {
				fprintf(stderr, "%s: --mgsport %s: not a port\n", prog, optarg);
				return 2;
			}
			port = (uint32_t)v;
			break;
		}
		case 'd':
		case 'b':
			if (direct == (c == 'b')) {
				fprintf(stderr, "%s: --direct and --buffered exclude each other\n",
					prog);
				return 2;
			}
			direct = c == 'd';
			break;
		case 'r':
			reformat = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !type || !fsname || !have_index) {
		fprintf(stderr, "%s: need --mdt or --ost, --fsname, --index and one directory\n",
			prog);
		usage(stderr);
		return 2;
	}
	dir = argv[optind];
	if (!proto_fsname_valid(fsname)) {
		fprintf(stderr, "%s: --fsname %s: 1 to 8 letters, digits, '_' or '-' are allowed\n",
			prog, fsname);
		return 2;
	}
	if (type == PROTO_TARGET_OST && !mgsnode) {
		fprintf(stderr, "%s: an OST needs --mgsnode (where the MDS listens)\n", prog);
		return 2;
	}
	if (type == PROTO_TARGET_MDT && index != 0) {
		fprintf(stderr, "%s: stria has one MDT: its index is 0\n", prog);
		return 2;
	}
	if (direct >= 0 && type != PROTO_TARGET_OST) {
		fprintf(stderr, "%s: --%s applies to OSTs only\n", prog,
			direct ? "direct" : "buffered");
		return 2;
	}

	err = proto_target_id_init(&id, type, index, fsname);
	if (!err && mgsnode) {
		int n = proto_nid_list_parse(mgsnode, id.mgs, PROTO_NID_LIST_MAX);

		if (n < 0) {
			fprintf(stderr, "%s: --mgsnode %s: %s\n", prog, mgsnode,
				n == -E2BIG ? "too many NIDs"
					    : "not a NID list (ADDR@tcp[:ADDR@tcp])");
			return 2;
		}
		id.nmgs = (uint16_t)n;
		id.mgs_port = (uint16_t)port;
	}
	if (err)
		goto fail;
	if (type == PROTO_TARGET_OST && direct != 0)
		id.flags |= PROTO_TARGET_F_ODIRECT;
	id.ctime = (uint64_t)time(NULL);
	err = net_uuid_generate(id.uuid);
	if (err)
		goto fail;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		err = -errno;
		goto fail;
	}
	err = proto_target_id_load(dir, &old);
	if (err == 0 || err == -EUCLEAN || err == -EPROTO || !dir_empty(dir)) {
		if (!reformat) {
			if (err == 0)
				fprintf(stderr,
					"%s: %s is already formatted as %s; use --reformat to "
					"destroy it and format again\n",
					prog, dir, old.name);
			else
				fprintf(stderr,
					"%s: %s is not empty; use --reformat to destroy its "
					"contents and format it\n",
					prog, dir);
			return 1;
		}
		err = wipe_dir(dir);
		if (err)
			goto fail;
	}

	if (type == PROTO_TARGET_MDT) {
		snprintf(path, sizeof(path), "%s/%s", dir, MDT_DB_SUBDIR);
		err = mds_db_format(path);
	} else {
		err = oss_ost_init_tree(dir);
	}
	if (err)
		goto fail;
	/* Last: only a completely formatted directory carries an identity. */
	err = proto_target_id_store(dir, &id);
	if (err)
		goto fail;

	if (!quiet) {
		char us[33];

		printf("Permanent disk data:\n");
		printf("Target:     %s\n", id.name);
		printf("Index:      %u\n", id.index);
		printf("Fsname:     %s\n", id.fsname);
		printf("Type:       %s\n", proto_target_type_name(id.type));
		printf("UUID:       %s\n", net_uuid_str(id.uuid, us));
		if (id.nmgs) {
			proto_nid_list_str(id.mgs, id.nmgs, nids, sizeof(nids));
			printf("MGS nodes:  %s port %u\n", nids, id.mgs_port);
		}
		if (id.flags & PROTO_TARGET_F_ODIRECT)
			printf("Flags:      direct I/O\n");
		else if (type == PROTO_TARGET_OST)
			printf("Flags:      buffered I/O\n");
		printf("Directory:  %s\n", dir);
	}
	return 0;

fail:
	fprintf(stderr, "%s: formatting %s failed: %s\n", prog, dir, strerror(-err));
	return 1;
}
