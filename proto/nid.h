/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network identifiers, written as Lustre writes them: "ADDR@tcp", "ADDR@o2ib".
 * ADDR is an IPv4 address or a host name; a NID never holds a port (there is
 * one well-known port, PROTO_DEFAULT_PORT, overridable per daemon and mount).
 * Failover NIDs are joined with ':' ("nid1:nid2"), and a mount source is
 * "nid1[:nid2...]:/fsname".
 *
 * Syntax accepted by the parsers:
 *   NID     = ADDR [ "@" NET ]        a bare ADDR is tcp, as Lustre's default
 *   NET     = "tcp" | "tcp0" | "o2ib" | "o2ib0"   (network number 0 only;
 *             printed without it)
 *   ADDR    = a dotted quad (four decimal numbers 0..255, no leading zeros)
 *             or a host name: dot-separated labels of [A-Za-z0-9-], each
 *             1..63 characters not starting or ending with '-'; a name of
 *             digits and dots only must be a valid dotted quad.  At most
 *             PROTO_NID_ADDR_MAX characters.  No ':' (a port, or IPv6),
 *             no ',' (Lustre's multi-interface lists are not supported),
 *             no spaces.
 * Resolving an ADDR to a socket address is net/'s business, not this file's.
 */
#ifndef STRIA_PROTO_NID_H
#define STRIA_PROTO_NID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* The well-known port of every stria daemon (Lustre's acceptor port is 988). */
#define PROTO_DEFAULT_PORT 988

#define PROTO_NID_ADDR_MAX 63 /* host name or dotted quad, without the NUL */
#define PROTO_NID_STRLEN   80 /* printed NID, with the NUL */
#define PROTO_NID_LIST_MAX 8  /* failover NIDs of one target or mount source */
#define PROTO_FSNAME_MAX   8  /* as Lustre's */

/* A printed NID list ("nid1:nid2:..."), with the NUL. */
#define PROTO_NID_LIST_STRLEN (PROTO_NID_LIST_MAX * PROTO_NID_STRLEN)
/* A NID and port printed for logs ("10.0.0.1@tcp port 988"), with the NUL. */
#define PROTO_NID_PORT_STRLEN (PROTO_NID_STRLEN + 16)

enum proto_lnd {
	PROTO_LND_TCP = 1,  /* "tcp": TCP sockets */
	PROTO_LND_O2IB = 2, /* "o2ib": RDMA verbs over rdma_cm */
};

struct proto_nid {
	uint32_t lnd; /* enum proto_lnd */
	char addr[PROTO_NID_ADDR_MAX + 1];
};

/* A parsed mount source "nid1[:nid2...]:/fsname". */
struct proto_mount_source {
	uint32_t nnids;
	struct proto_nid nids[PROTO_NID_LIST_MAX];
	char fsname[PROTO_FSNAME_MAX + 1];
};

/* Wire form of a NID (u32 lnd, u16-counted address).  Implemented in nid.c. */
void proto_nid_enc(struct proto_cur *c, const struct proto_nid *n);
/*
 * Fails the cursor with -EPROTO on an unknown lnd or an address that is
 * empty, over-long or not valid by proto_nid_addr_valid().
 */
void proto_nid_dec(struct proto_cur *c, struct proto_nid *n);

/* The network name of @lnd ("tcp", "o2ib"), or NULL for an unknown one. */
const char *proto_lnd_name(uint32_t lnd);

/*
 * True if @addr (NUL-terminated) is a valid ADDR as described above.
 */
bool proto_nid_addr_valid(const char *addr);

/*
 * Parses one NID (the whole string).  Returns 0, or -EINVAL for anything not
 * matching the syntax above (empty address or network, unknown network, a
 * port, a bad dotted quad, an over-long or malformed host name).  @out is
 * written only on success.
 */
int proto_nid_parse(const char *s, struct proto_nid *out);

/*
 * Formats @n as "ADDR@NET" into @buf (@len bytes, PROTO_NID_STRLEN always
 * suffices; shorter buffers truncate).  An unknown lnd prints as "ADDR@?".
 * Returns @buf.
 */
char *proto_nid_str(const struct proto_nid *n, char *buf, size_t len);

/*
 * Formats a NID and port for log lines only, as "10.0.0.1@tcp port 988"
 * (deliberately not "ADDR@tcp:988", which reads as a failover NID list and
 * must never be pasted back into a mount source).  @buf holds @len bytes;
 * PROTO_NID_PORT_STRLEN suffices.  Returns @buf.
 */
char *proto_nid_port_str(const struct proto_nid *n, uint16_t port, char *buf, size_t len);

/*
 * True if @a and @b are the same NID (network equal, address equal ignoring
 * ASCII case, as host names compare).
 */
bool proto_nid_eq(const struct proto_nid *a, const struct proto_nid *b);

/*
 * Parses a failover list "nid1[:nid2...]" into @out (room for @cap).
 * Returns the number of NIDs (>= 1), -EINVAL if the string is empty, has an
 * empty element ("a::b", ":a", "a:") or any bad NID, or -E2BIG if it holds
 * more than min(@cap, PROTO_NID_LIST_MAX) NIDs.  @out is written only on
 * success.
 */
int proto_nid_list_parse(const char *s, struct proto_nid *out, size_t cap);

/*
 * Formats @n NIDs as "nid1:nid2:..." into @buf of @len bytes
 * (PROTO_NID_LIST_STRLEN suffices for PROTO_NID_LIST_MAX NIDs).  Returns the
 * string length, or -ENOSPC if it does not fit (@buf then holds "").
 */
int proto_nid_list_str(const struct proto_nid *nids, size_t n, char *buf, size_t len);

/*
 * Parses a mount source "nid1[:nid2...]:/fsname" (the NID list ends at the
 * first ":/"; fsname as proto_fsname_valid() in target.h, with no
 * subdirectory and no trailing '/').  Returns 0, -EINVAL for a malformed
 * source, or -E2BIG for more than PROTO_NID_LIST_MAX NIDs.  @out is written
 * only on success.
 */
int proto_mount_source_parse(const char *s, struct proto_mount_source *out);

#endif
