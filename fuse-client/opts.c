/* SPDX-License-Identifier: Apache-2.0 */
/* Mount options: defaults, parsing (-o a,b=c), --help text. */
#include "fc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

void fc_opts_init(struct fc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->attr_timeout = 1.0;
	o->entry_timeout = 1.0;
	o->lookupcache_neg = true;
	o->dirty_max = 8u << 20;
	o->max_write = 1u << 20;
	o->readahead = 4u << 20;
	o->threads = 16;
	o->checksums = true;
	o->lock = FC_LOCK_LOCAL;
	o->port = PROTO_DEFAULT_PORT;
	o->io_timeout_ms = 100000;
	o->mds_timeout_ms = 20000;
	o->log_level = 1; /* NET_LOG_WARN */
}

/* "4M", "128k", "1048576" -> bytes; 0 or -EINVAL. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	default:
		break;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Generic mount(8)/fstab options that mean nothing to a FUSE client. */
static const char *const ignored[] = {
    "defaults",	  "_netdev",	 "rw",	       "suid",	   "nosuid",	 "dev",
    "nodev",	  "exec",	 "noexec",     "auto",	   "noauto",	 "user",
    "nouser",	  "users",	 "nofail",     "relatime", "norelatime", "noatime",
    "atime",	  "strictatime", "nodiratime", "diratime", "async",	 "lazytime",
    "nolazytime", "owner",	 "group",      "silent",   "loud",	 NULL,
};

static int one(struct fc_opts *o, char *opt)
{
	char *val = strchr(opt, '=');
	uint64_t v;
	double d;

	if (val)
		*val++ = 0;
	for (int i = 0; ignored[i]; i++)
		if (!strcmp(opt, ignored[i]) && !val)
			return 0;
	if (!strncmp(opt, "x-", 2) || !strcmp(opt, "comment"))
		return 0; /* systemd and fstab annotations */
	if (!strcmp(opt, "ro") && !val) {
		o->ro = true;
		return 0;
	}
	if (!strcmp(opt, "allow_other") && !val) {
		o->allow_other = true;
		return 0;
	}
	if (!strcmp(opt, "debug") && !val) {
		o->log_level = 3;
		return 0;
	}
	if (!strcmp(opt, "writeback_cache") && !val) {
		o->writeback_cache = true;
		return 0;
	}
	if (!strcmp(opt, "nowriteback_cache") && !val) {
		o->writeback_cache = false;
		return 0;
	}
	if (!strcmp(opt, "flock") && !val) {
		o->lock = FC_LOCK_FLOCK;
		return 0;
	}
	if (!strcmp(opt, "localflock") && !val) {
		o->lock = FC_LOCK_LOCAL;
		return 0;
	}
	if (!strcmp(opt, "noflock") && !val) {
		o->lock = FC_LOCK_NONE;
		return 0;
	}
	if (!val)
		goto bad;
	if (!strcmp(opt, "attr_timeout") && parse_double(val, &d) == 0) {
		o->attr_timeout = d;
		return 0;
	}
	if (!strcmp(opt, "entry_timeout") && parse_double(val, &d) == 0) {
		o->entry_timeout = d;
		return 0;
	}
	if (!strcmp(opt, "io_timeout") && parse_double(val, &d) == 0 && d >= 1 && d <= 86400) {
		o->io_timeout_ms = (uint32_t)(d * 1000);
		return 0;
	}
	if (!strcmp(opt, "mds_timeout") && parse_double(val, &d) == 0 && d >= 1 && d <= 600) {
		o->mds_timeout_ms = (uint32_t)(d * 1000);
		return 0;
	}
	if (!strcmp(opt, "lookupcache") && (!strcmp(val, "all") || !strcmp(val, "positive"))) {
		o->lookupcache_neg = !strcmp(val, "all");
		return 0;
	}
	if (!strcmp(opt, "checksums") && (!strcmp(val, "on") || !strcmp(val, "off"))) {
		o->checksums = !strcmp(val, "on");
		return 0;
	}
	if (!strcmp(opt, "key")) {
		if (strlen(val) >= sizeof(o->key))
			goto bad;
		strcpy(o->key, val);
		return 0;
	}
	if (!strcmp(opt, "fsname") || !strcmp(opt, "subtype"))
		return 0; /* set by stria-fuse itself */
	if (parse_size(val, &v))
		goto bad;
	if (!strcmp(opt, "dirty_max") && v >= (64u << 10) && v <= (1u << 30)) {
		o->dirty_max = (uint32_t)v;
		return 0;
	}
	if (!strcmp(opt, "max_write") && v >= 4096 && v <= (1u << 20)) {
		o->max_write = (uint32_t)v;
		return 0;
	}
	if (!strcmp(opt, "readahead") && v <= (1u << 30)) {
		o->readahead = (uint32_t)v;
		return 0;
	}
	if (!strcmp(opt, "threads") && v >= 1 && v <= 1024) {
		o->threads = (uint32_t)v;
		return 0;
	}
	if (!strcmp(opt, "port") && v >= 1 && v <= 65535) {
		o->port = (uint16_t)v;
		return 0;
	}
bad:
	fprintf(stderr, "stria-fuse: bad mount option '%s%s%s'\n", opt, val ? "=" : "",
		val ? val : "");
	return -EINVAL;
}

int fc_opts_parse(struct fc_opts *o, const char *s)
{
	char *copy = strdup(s), *save = NULL, *tok;
	int rc = copy ? 0 : -ENOMEM;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save))
		rc = one(o, tok);
	free(copy);
	/* The write-behind buffer must hold at least one FUSE write. */
	if (rc == 0 && o->dirty_max < o->max_write)
		o->dirty_max = o->max_write;
	return rc;
}

void fc_opts_usage(FILE *f)
{
	fputs(
	    "Mount options (-o opt[,opt...]):\n"
	    "  attr_timeout=SEC     kernel attribute cache time (default 1)\n"
	    "  entry_timeout=SEC    kernel name cache time (default 1)\n"
	    "  lookupcache=all|positive  all: a lookup in a directory this client made and\n"
	    "                       alone changed answers \"no such name\" itself, as\n"
	    "                       fresh as entry_timeout (default); positive: always ask\n"
	    "  writeback_cache      kernel writeback cache: single-writer mode (default off)\n"
	    "  dirty_max=SIZE       write-behind buffer per file (default 8M)\n"
	    "  max_write=SIZE       largest write the kernel sends (default and max 1M)\n"
	    "  readahead=SIZE       kernel readahead (default 4M)\n"
	    "  threads=N            FUSE handler threads at most (default 16)\n"
	    "  checksums=on|off     CRC32C on data RPCs (default on)\n"
	    "  localflock           flock/POSIX locks coherent on this client only (default)\n"
	    "  flock                cluster-wide locks: not supported yet, refused\n"
	    "  noflock              flock/fcntl locks fail with ENOSYS\n"
	    "  port=N               MDS port (default 988)\n"
	    "  io_timeout=SEC       I/O to a down target fails with EIO after this (default 100)\n"
	    "  mds_timeout=SEC      an MDS request unanswered this long is resent (1..600, "
	    "default 20)\n"
	    "  key=FILE             cluster key file (shared-key authentication)\n"
	    "  allow_other          let other users in (always on when mounted by root)\n"
	    "  ro                   read-only mount\n"
	    "  debug                debug logging\n"
	    "Generic options (defaults, _netdev, rw, noatime, x-*, ...) are accepted and "
	    "ignored.\n",
	    f);
}
