/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fc: the stria FUSE client (stria-fuse, mount.stria).
 *
 * The public surface is small: parse the mount options, print them, and run a
 * mount until it is unmounted.  Everything else (the node table, the data
 * path, the RPC plumbing) is private to fuse-client/ (fc_int.h).
 * docs/client.md describes the options and the semantics.
 */
#ifndef STRIA_FC_H
#define STRIA_FC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum fc_lockmode {
	FC_LOCK_LOCAL = 0, /* localflock: the kernel keeps flock/POSIX locks per client */
	FC_LOCK_FLOCK = 1, /* flock: refused until cross-client locks exist (-EOPNOTSUPP) */
	FC_LOCK_NONE = 2,  /* noflock: lock calls fail with -ENOSYS in the kernel's stead */
};

/* Mount options (docs/client.md); fc_opts_init() sets the defaults. */
struct fc_opts {
	double attr_timeout;  /* seconds the kernel caches attributes (1.0) */
	double entry_timeout; /* seconds the kernel caches names (1.0) */
	bool lookupcache_neg; /* lookupcache=all: ENOENT from complete directories (on) */
	bool writeback_cache; /* kernel writeback cache: single-writer mode (off) */
	uint32_t dirty_max;   /* bytes of dirty data buffered per file (8 MiB) */
	uint32_t max_write;   /* largest FUSE write (1 MiB) */
	uint32_t readahead;   /* kernel readahead in bytes (4 MiB) */
	uint32_t threads;     /* FUSE handler threads at most (16) */
	bool checksums;	      /* CRC32C on data RPCs (on) */
	enum fc_lockmode lock;
	uint16_t port;		 /* MDS port (PROTO_DEFAULT_PORT) */
	uint32_t io_timeout_ms;	 /* a data RPC to a down target fails with EIO after this (100 s) */
	uint32_t mds_timeout_ms; /* an MDS RPC unanswered this long is resent (20 s) */
	char key[4096];		 /* cluster key file, "" for none */
	bool allow_other;	 /* forced on when mounted by root */
	bool ro;
	int log_level; /* NET_LOG_* (-o debug / -d: DEBUG) */
	/* Options passed through to the kernel/libfuse ("-o fsname=..,..."). */
	char fuse_extra[1024];
};

/* Sets the defaults. */
void fc_opts_init(struct fc_opts *o);
/*
 * Parses a comma-separated option string (as after -o; may be called several
 * times).  Unknown generic mount options (defaults, _netdev, rw, suid, dev,
 * exec, auto, noauto, user, nouser, nofail, relatime, noatime...) are accepted
 * and ignored; "ro" is honoured.  Returns 0, or -EINVAL with a message on
 * stderr naming the option.
 */
int fc_opts_parse(struct fc_opts *o, const char *s);
/* Prints the option list (for --help). */
void fc_opts_usage(FILE *f);

/*
 * Mounts @source ("nid[:nid]:/fsname") at @mountpoint and serves it until it
 * is unmounted or the process gets SIGTERM/SIGINT.  With @foreground false
 * the process daemonizes once the mount is up (the parent exits 0 then, or 1
 * if the mount failed).  Returns the exit status.
 */
int fc_run(const char *source, const char *mountpoint, const struct fc_opts *o, bool foreground);

#endif
