/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net: the runtime every stria daemon and client shares.
 *
 *  - logging (net_log),
 *  - one event loop (epoll, timers, cross-thread calls, before-sleep hooks),
 *  - NID resolution,
 *  - shared-key authentication,
 *  - the RPC client ("import": one server, failover NIDs, reconnect, resend)
 *  - the RPC server (exports per client uuid, worker threads, handler table).
 *
 * Transports (TCP, RDMA verbs) live behind an internal vtable (xprt.h); no
 * caller of this header knows which one carries its messages.
 *
 * Threads: each net_loop runs on one thread (which another thread may stand in
 * for while the loop sleeps: net_loop_borrow).  Functions marked "any thread"
 * may be called from anywhere; the others only on the loop's thread.
 */
#ifndef STRIA_NET_H
#define STRIA_NET_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "proto/proto.h"

/* ---- logging ----------------------------------------------------------- */

enum net_log_level {
	NET_LOG_ERR = 0,
	NET_LOG_WARN = 1,
	NET_LOG_INFO = 2,
	NET_LOG_DEBUG = 3,
};

/* Sets the program name printed on every line and the level; any thread. */
void net_log_init(const char *ident, int level);
/* Logs one line to stderr: "time ident[pid]: LEVEL: message"; any thread. */
void net_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int net_log_level(void);

#define NET_ERR(...)  net_log(NET_LOG_ERR, __VA_ARGS__)
#define NET_WARN(...) net_log(NET_LOG_WARN, __VA_ARGS__)
#define NET_INFO(...) net_log(NET_LOG_INFO, __VA_ARGS__)
#define NET_DEBUG(...)                                                                             \
	do {                                                                                       \
		if (net_log_level() >= NET_LOG_DEBUG)                                              \
			net_log(NET_LOG_DEBUG, __VA_ARGS__);                                       \
	} while (0)

/* ---- event loop -------------------------------------------------------- */

struct net_loop;
struct net_timer;

#define NET_EV_READ  1u
#define NET_EV_WRITE 2u

typedef void (*net_fd_fn)(void *arg, uint32_t events);
typedef void (*net_timer_fn)(void *arg);

/*
 * A cross-thread call.  The caller owns the node and must keep it alive until
 * fn has run; posting a node that is already queued is a bug.
 */
struct net_call {
	void (*fn)(void *arg);
	void *arg;
	struct net_call *next;
};

/* Creates a loop; returns 0 or -errno. */
int net_loop_new(struct net_loop **out);
/* Frees a loop that is not running; fds must have been removed first. */
void net_loop_free(struct net_loop *loop);
/* Runs the loop on a new thread named @name; returns 0 or -errno. */
int net_loop_start(struct net_loop *loop, const char *name);
/* Stops a loop started with net_loop_start and joins its thread; any thread but the loop's. */
void net_loop_stop(struct net_loop *loop);
/* Runs the loop on the calling thread until net_loop_break(); returns 0 or -errno. */
int net_loop_run(struct net_loop *loop);
/* Makes net_loop_run() return after the current iteration; any thread. */
void net_loop_break(struct net_loop *loop);
/*
 * True when called on the loop's own thread, or on a thread that borrowed
 * the loop (net_loop_borrow); any thread.
 */
bool net_loop_in_thread(const struct net_loop *loop);
/* Queues @c to run on the loop's thread, in posting order; any thread, never fails. */
void net_loop_post(struct net_loop *loop, struct net_call *c);
/*
 * Queues @c like net_loop_post but without waking the loop: it runs after
 * the posted calls of the loop's next iteration, whatever wakes it (an
 * event, a post, a timer).  For bookkeeping nobody waits for.  Any thread.
 */
void net_loop_post_lazy(struct net_loop *loop, struct net_call *c);
/*
 * Lets the calling thread act as the loop's thread while the loop sleeps, so
 * that small loop-thread work (writing a message on a socket) costs no
 * wake-up.  Returns true if the caller now holds the loop: it must call
 * net_loop_unborrow() soon, must not block meanwhile, and must run nothing
 * that could take a lock it holds.  Returns false (do it the usual way: post)
 * if the loop is busy, has calls queued, is not running or the caller is its
 * thread already.  Any thread.
 */
bool net_loop_borrow(struct net_loop *loop);
/* Gives a borrowed loop back, waking it if the borrower queued calls or armed an earlier timer. */
void net_loop_unborrow(struct net_loop *loop);

int net_loop_add_fd(struct net_loop *loop, int fd, uint32_t events, net_fd_fn fn, void *arg);
int net_loop_mod_fd(struct net_loop *loop, int fd, uint32_t events);
void net_loop_del_fd(struct net_loop *loop, int fd);

/* A hook run once per iteration before the loop sleeps (e.g. to flush writes). */
int net_loop_add_before_sleep(struct net_loop *loop, void (*fn)(void *arg), void *arg);

int net_timer_new(struct net_loop *loop, net_timer_fn fn, void *arg, struct net_timer **out);
/* (Re)arms @t to fire once, @ms milliseconds from now. */
void net_timer_arm(struct net_timer *t, uint64_t ms);
void net_timer_disarm(struct net_timer *t);
/* Disarms and frees @t. */
void net_timer_free(struct net_timer *t);

/* Monotonic milliseconds; any thread. */
uint64_t net_now_ms(void);

/* ---- bulk buffers ------------------------------------------------------ */

/*
 * A page-aligned buffer of at least @len bytes (len <= PROTO_BULK_MAX), from
 * a pool recycled by size class; NULL if out of memory or @len is too large.
 * Any thread.
 */
void *net_bulk_alloc(uint32_t len);
/* Returns @p (allocated for @len) to its pool; any thread. */
void net_bulk_free(void *p, uint32_t len);

/* ---- addresses and keys ------------------------------------------------ */

/*
 * Resolves @nid (an address or host name) and @port into @sa.  Returns 0,
 * -EINVAL for a NID whose network has no transport, or -EHOSTUNREACH when the
 * name does not resolve.
 */
int net_nid_resolve(const struct proto_nid *nid, uint16_t port, struct sockaddr_storage *sa,
		    socklen_t *salen);

/* A shared cluster key (opaque). */
struct net_key;

/*
 * Loads a key file: at least 16 bytes of secret (surrounding white space is
 * ignored).  Warns if the file is readable by group or others.  Returns 0,
 * -ENOENT, -EINVAL (too short), or another -errno.
 */
int net_key_load(const char *path, struct net_key **out);
/* A key from memory (tests, tools); returns 0 or -EINVAL/-ENOMEM. */
int net_key_from_bytes(const void *secret, size_t len, struct net_key **out);
void net_key_free(struct net_key *key);

/* ---- RPC client -------------------------------------------------------- */

struct net_client;
struct net_req;

enum net_client_state {
	NET_CLIENT_DISCONNECTED = 0,
	NET_CLIENT_CONNECTING = 1,
	NET_CLIENT_CONNECTED = 2,
};

struct net_client_cfg {
	const char *name;			   /* the target, for logs: "testfs-OST0001" */
	struct proto_nid nids[PROTO_NID_LIST_MAX]; /* failover NIDs, tried in turn */
	uint32_t nnids;
	uint16_t port;
	const char *fsname;
	uint8_t uuid[PROTO_UUID_LEN]; /* this client's uuid */
	uint32_t role;		      /* enum proto_peer_role */
	const struct net_key *key;    /* NULL: no key */
	uint32_t timeout_ms;	      /* per attempt; then reconnect and resend (0: 20000) */
	uint32_t give_up_ms;	      /* a request fails with -ETIMEDOUT after this (0: never) */
	uint32_t max_inflight;	      /* requests on the wire at once (0: 64) */
	uint32_t reconnect_max_ms;    /* backoff ceiling (0: 1000) */
	uint32_t ping_ms;	      /* ping when idle this long (0: 5000) */
	/* Called on the loop thread whenever the connection state changes. */
	void (*on_state)(struct net_client *cl, enum net_client_state st, void *arg);
	void *arg;
};

/*
 * Creates a client that connects (in the background, on @loop) to the server
 * at cfg->nids.  Requests sent before the connection is up wait for it.
 * Returns 0 or -errno.  *@out is written before the connection starts, so
 * an on_state callback (which may run before this returns) can use it.
 */
int net_client_new(struct net_loop *loop, const struct net_client_cfg *cfg,
		   struct net_client **out);
/*
 * Disconnects and frees @cl: if connected, first tells the server it leaves
 * for good (DISCONNECT, waiting at most 2 s), so the server forgets this
 * client at once instead of keeping its state for a reconnect; then every
 * request still pending completes with -ESHUTDOWN.  Any thread but the loop's.
 */
void net_client_free(struct net_client *cl);
/* The server's boot instance from the latest reply (0 before any); any thread. */
uint64_t net_client_boot_instance(const struct net_client *cl);
enum net_client_state net_client_state(const struct net_client *cl);
/*
 * Recovery ordering (Lustre's replay phase): after net_client_hold(), which
 * only an on_state callback may call (on the loop thread, before anything
 * queued goes out on the new connection), only requests marked with
 * net_req_set_replay() are sent; resends and new requests wait until
 * net_client_release() (any thread).  The hold outlasts reconnections.
 */
void net_client_hold(struct net_client *cl);
void net_client_release(struct net_client *cl);
const char *net_client_name(const struct net_client *cl);

typedef void (*net_req_cb)(struct net_req *req, int status, void *arg);

/*
 * Allocates a request for @opcode carrying @creds (NULL: root).  The body
 * cursor (net_req_body) starts after the preamble.  Returns NULL if out of
 * memory or @opcode is unknown.  Any thread.
 */
struct net_req *net_req_new(uint16_t opcode, const struct proto_creds *creds);
/* The cursor to encode the request body into. */
struct proto_cur *net_req_body(struct net_req *req);
/*
 * Data to send after the body (a write).  The memory must stay valid until the
 * request completes.  @niov <= 64.
 */
void net_req_set_bulk_out(struct net_req *req, const struct iovec *iov, int niov);
/* Where a reply's bulk (a read) is received; @cap bytes at most. */
void net_req_set_bulk_in(struct net_req *req, void *buf, uint32_t cap);
/* Do not checksum the bulk (mount option checksums=off). */
void net_req_set_nocsum(struct net_req *req);
/* Overrides the client's give_up_ms for this request (0: never). */
void net_req_set_give_up(struct net_req *req, uint32_t ms);
/*
 * Marks @req as part of the caller's recovery after a server restart: it
 * carries PROTO_F_REPLAY and goes out even while the client is held.
 */
void net_req_set_replay(struct net_req *req);

/*
 * Sends @req on @cl.  @cb runs exactly once, on the loop thread, with 0 or the
 * reply's -errno, or a local error: -ETIMEDOUT (give-up reached), -EINTR
 * (cancelled), -ESHUTDOWN (client freed), -EACCES (authentication refused),
 * -EIO (bulk corrupted on every attempt).  Any thread.
 */
void net_req_send(struct net_client *cl, struct net_req *req, net_req_cb cb, void *arg);
/*
 * Sends @req and waits for its reply; returns its status.  Must not be called
 * on the loop's thread (-EDEADLK).
 */
int net_call(struct net_client *cl, struct net_req *req);
/*
 * Cancels @req: its callback runs with -EINTR unless it already ran or is
 * about to.  A request whose bytes are partly on the wire completes once the
 * transport has let go of its buffers.  Any thread.
 */
void net_req_cancel(struct net_req *req);
/* Frees a request that is not in flight (after its callback, or never sent). */
void net_req_free(struct net_req *req);

/* After completion: the reply body after the preamble (a cursor to decode). */
void net_req_reply(struct net_req *req, struct proto_cur *out);
const struct proto_rep_pre *net_req_rep_pre(const struct net_req *req);
/* Bytes of bulk received into the bulk-in buffer. */
uint32_t net_req_bulk_in_len(const struct net_req *req);
uint64_t net_req_xid(const struct net_req *req);
uint16_t net_req_opcode(const struct net_req *req);
/* How many times the request was sent (1 = never resent). */
uint32_t net_req_attempts(const struct net_req *req);

/* ---- RPC server -------------------------------------------------------- */

struct net_server;
struct net_srv_req;
struct net_export;

typedef void (*net_handler_fn)(struct net_srv_req *r, void *arg);

#define NET_H_INLINE (1u << 0) /* cheap and non-blocking: run on the loop thread */
/*
 * Run on the loop thread while the workers have nothing queued (a handful per
 * loop iteration), saving the hand-off to a worker and back; the handler asks
 * net_srv_req_inline() and gives anything that would block to a worker with
 * net_srv_defer().  Under load every request goes to the workers.
 */
#define NET_H_TRY_INLINE (1u << 1)

struct net_handler {
	net_handler_fn fn;
	uint32_t flags;
};

struct net_server_cfg {
	const char *name;	   /* for logs: "testfs-MDT0000", "oss" */
	const char *fsname;	   /* clients of another file system are refused */
	const struct net_key *key; /* NULL: open; kept alive by the caller until freed */
	uint8_t uuid[PROTO_UUID_LEN];
	uint64_t boot_instance;
	uint32_t nworkers;     /* handler threads (0: 8) */
	uint32_t max_inflight; /* per connection (0: 256) */
	uint32_t idle_ms;      /* close a connection silent this long (0: 60000) */
	uint32_t handshake_ms; /* close a connection that has not authenticated (0: 10000) */
	uint32_t evict_ms;     /* forget an export disconnected this long (0: 120000) */
	const struct net_handler *handlers; /* PROTO_OP_LIMIT entries, indexed by opcode */
	void *arg;			    /* passed to handlers and hooks */
	/*
	 * An export (client uuid) appears, or goes away for good: its client
	 * sent DISCONNECT and closed, or stayed away evict_ms; loop thread.
	 */
	void (*on_export_new)(struct net_export *exp, void *arg);
	void (*on_export_evict)(struct net_export *exp, void *arg);
};

int net_server_new(const struct net_server_cfg *cfg, struct net_server **out);
/*
 * Listens on @nid:@port; returns 0, or -errno (logged with the NID):
 * -ENODEV when the NID's network cannot work on this machine (o2ib without
 * an RDMA device), so a daemon refuses to start rather than serve less.
 */
int net_server_listen(struct net_server *srv, const struct proto_nid *nid, uint16_t port);
/* Starts the loop and the workers. */
int net_server_start(struct net_server *srv);
/*
 * Stops accepting, lets running handlers finish and their replies go out,
 * closes every connection and frees @srv.
 */
void net_server_free(struct net_server *srv);
/* Sets the target-table generation carried by every reply preamble; any thread. */
void net_server_set_tgt_gen(struct net_server *srv, uint64_t gen);
/*
 * Raises the last committed transaction number carried by every reply
 * preamble (it never goes down); any thread.
 */
void net_server_note_committed(struct net_server *srv, uint64_t transno);
struct net_loop *net_server_loop(struct net_server *srv);
uint64_t net_server_boot_instance(const struct net_server *srv);

/* Request accessors, valid until net_srv_reply(). */
uint16_t net_srv_req_opcode(const struct net_srv_req *r);
uint64_t net_srv_req_xid(const struct net_srv_req *r);
bool net_srv_req_resent(const struct net_srv_req *r);
/* The request carries PROTO_F_REPLAY (the client's recovery after a restart). */
bool net_srv_req_replay(const struct net_srv_req *r);
/* The transaction number the reply's preamble reports (0: none, the default). */
void net_srv_req_set_transno(struct net_srv_req *r, uint64_t transno);
const struct proto_req_pre *net_srv_req_pre(const struct net_srv_req *r);
/* A cursor over the request body after the preamble. */
void net_srv_req_body(const struct net_srv_req *r, struct proto_cur *out);
/* The request's bulk (a write's data) and its length; NULL when there is none. */
const void *net_srv_req_bulk(const struct net_srv_req *r, uint32_t *len);
struct net_export *net_srv_req_export(const struct net_srv_req *r);
/* "192.0.2.1:1023" of the connection the request came on. */
const char *net_srv_req_peer(const struct net_srv_req *r);

/* The cursor to encode the reply body into (after the preamble). */
struct proto_cur *net_srv_reply_body(struct net_srv_req *r);
/*
 * Bulk to send after the reply body (a read's data).  @release(@arg) runs once
 * the transport is done with the memory (also on error).  @niov <= 64.
 */
void net_srv_reply_bulk(struct net_srv_req *r, const struct iovec *iov, int niov,
			void (*release)(void *arg), void *arg);
/*
 * Sends the reply with @status (0 or -errno; on error the body is just the
 * preamble) and frees @r.  Exactly once per request; any thread.
 */
void net_srv_reply(struct net_srv_req *r, int status);
/* Drops a request without replying (failure injection); frees @r. */
void net_srv_drop(struct net_srv_req *r);
/*
 * True while a NET_H_TRY_INLINE handler runs on the loop thread: it must not
 * block (no disk I/O, no waiting on a lock held across I/O).  Any thread.
 */
bool net_srv_req_inline(const struct net_srv_req *r);
/*
 * From a handler running inline: hands @r to a worker thread, where the
 * handler runs again from the start (net_srv_req_inline false).  The inline
 * run must not have replied and must have changed nothing.
 */
void net_srv_defer(struct net_srv_req *r);

const uint8_t *net_export_uuid(const struct net_export *exp);
uint32_t net_export_role(const struct net_export *exp);
/* Per-export private data for the daemon (e.g. the MDS's open handles). */
void *net_export_priv(const struct net_export *exp);
void net_export_set_priv(struct net_export *exp, void *priv);
/* A random (version 4) uuid; returns 0 or -errno. */
int net_uuid_generate(uint8_t uuid[PROTO_UUID_LEN]);
/* The uuid as 32 hex digits into @buf (33 bytes). */
char *net_uuid_str(const uint8_t uuid[PROTO_UUID_LEN], char buf[33]);

#endif
