/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The transport interface (private to net/).  The RPC client and server speak
 * only to this vtable; TCP (xprt_tcp.c) and RDMA verbs (xprt_rdma.c)
 * implement it.  A transport moves whole messages (header + body + bulk) and
 * knows nothing of RPC semantics.  Every function runs on the connection's
 * loop thread, except unavailable().
 */
#ifndef STRIA_NET_XPRT_H
#define STRIA_NET_XPRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "net.h"

#define NET_MSG_MAX_IOV 64

/* One message, outgoing or incoming. */
struct net_msg {
	struct proto_hdr hdr;
	uint8_t hdr_buf[PROTO_HDR_LEN]; /* the encoded header (outgoing) */
	uint8_t *body;			/* owned; hdr.body_len bytes */
	/* Outgoing bulk: not owned, valid until sent() runs. */
	struct iovec bulk_iov[NET_MSG_MAX_IOV];
	int bulk_niov;
	/*
	 * Outgoing request: the most bulk its reply may carry (the bulk-in
	 * buffer's size), or 0.  A transport that places reply bulk in advance
	 * (RDMA WRITE) reserves that much; TCP ignores it.
	 */
	uint32_t bulk_in_cap;
	/* Incoming bulk: where it was received (see net_conn_ops.bulk_sink). */
	void *bulk;
	bool bulk_owned;     /* bulk was malloc'd by the transport: free it with the msg */
	bool bulk_csum_done; /* outgoing: hdr.bulk_csum already computed (resends) */
	/* Outgoing: runs once when the transport is done with the message (err 0 = written). */
	void (*sent)(struct net_msg *m, int err);
	void *owner;
	struct net_msg *next; /* transport queue link */
};

struct net_conn;
struct net_listener;

/* Upcalls from a transport connection to its user. */
struct net_conn_ops {
	/*
	 * A message arrived; the callee owns @m (free with net_msg_free).  The
	 * header is decoded and length-checked; checksums are the callee's job.
	 */
	void (*on_msg)(struct net_conn *c, struct net_msg *m, void *arg);
	/*
	 * Where to put the @h->bulk_len bytes of bulk of an incoming message:
	 * a buffer of at least that size, or NULL to let the transport allocate.
	 * Optional.
	 */
	void *(*bulk_sink)(struct net_conn *c, const struct proto_hdr *h, void *arg);
	/* The connection is up (outgoing connections); err != 0: it failed. */
	void (*on_connected)(struct net_conn *c, int err, void *arg);
	/* The connection closed (err: why); the transport frees @c after this returns. */
	void (*on_close)(struct net_conn *c, int err, void *arg);
	/*
	 * Body cap for incoming messages (e.g. PROTO_PREAUTH_BODY_MAX before the
	 * handshake).  Optional: PROTO_BODY_MAX.
	 */
	uint32_t (*body_cap)(struct net_conn *c, void *arg);
};

struct net_xprt {
	const char *name; /* "tcp", "o2ib" */
	uint32_t lnd;	  /* enum proto_lnd */
	/*
	 * Optional: NULL if the transport can work on this machine, else why not,
	 * written into @buf ("no RDMA device: ..."), for a log line.  Any thread.
	 */
	const char *(*unavailable)(char *buf, size_t len);
	int (*listen)(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
		      void (*on_accept)(struct net_conn *c, void *arg), void *arg,
		      struct net_listener **out);
	void (*listener_close)(struct net_listener *l);
	/* Starts connecting; on_connected reports the outcome. */
	int (*connect)(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
		       struct net_conn **out);
	/* Sets the upcalls of @c (before any can run: right after accept/connect). */
	void (*set_ops)(struct net_conn *c, const struct net_conn_ops *ops, void *arg);
	/* Queues @m; the transport owns it until m->sent() runs. */
	void (*send)(struct net_conn *c, struct net_msg *m);
	/*
	 * Optional (NULL: use send).  Writes @m now if it is first in line and
	 * runs no callback: returns 1 if all of @m went out (m->sent will not
	 * run: the caller finishes @m), 0 if it was queued as send() would (the
	 * transport owns it until m->sent() runs), -ENOTCONN if @c is closed
	 * (nothing done).  Loop thread, or a thread that borrowed the loop.
	 */
	int (*send_now)(struct net_conn *c, struct net_msg *m);
	/* Stops delivering the bulk being received into a caller's buffer (discard the rest). */
	void (*abort_rx_bulk)(struct net_conn *c);
	/* Closes @c: queued messages get sent(-ECONNRESET), then on_close(@err). */
	void (*close)(struct net_conn *c, int err);
	/* Pauses or resumes delivery of incoming messages (back-pressure). */
	void (*pause_rx)(struct net_conn *c, bool pause);
	const char *(*peer)(const struct net_conn *c);
};

extern const struct net_xprt net_xprt_tcp;
extern const struct net_xprt net_xprt_rdma;

/* The transport for a network type, or NULL. */
const struct net_xprt *net_xprt_for(uint32_t lnd);

/*
 * Writes @ss's address as text into @host (at least INET6_ADDRSTRLEN bytes;
 * "?" for another family) and returns its port (0 for another family).
 */
int net_sockaddr_host(const struct sockaddr_storage *ss, char *host, size_t len);

/* Frees an incoming message (body and, if owned, bulk). */
void net_msg_free(struct net_msg *m);
/* Total length of a message's outgoing bulk. */
uint32_t net_msg_bulk_len(const struct net_msg *m);

/*
 * Fills in and encodes an outgoing header: lengths from @m, the bulk checksum
 * (unless PROTO_F_NOCSUM, or already computed: bulk_csum_done), then the
 * header checksum.  Safe to call on any thread that owns @m.
 */
void net_msg_seal(struct net_msg *m);
/*
 * Verifies an incoming message's header/body checksum (over the header bytes
 * as received, kept in hdr_buf) and, if present, its
 * bulk checksum.  Returns 0 or -EBADMSG.
 */
int net_msg_verify(const struct net_msg *m);

#endif
