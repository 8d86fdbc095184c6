/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stria-mds service (private to mds/): the RPC handlers around the
 * namespace core, the reply log, the management service (target registry,
 * pools), OST connections with precreated object pools, the destroy task,
 * the recovery window and failure injection.  docs/mds.md describes it.
 *
 * Threads: the net server's loop thread (export hooks), its workers (the
 * handlers), the OST client loop (OST connection callbacks, precreate and
 * statfs completions) and one housekeeping thread (destroy task, reply-log
 * trim, recovery window end, evicted clients' closes, statfs refresh).
 */
#ifndef STRIA_MDS_SVC_H
#define STRIA_MDS_SVC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mds.h"
#include "net/net.h"
#include "proto/proto.h"

#include "failinj.h"

/* Reply-log trim pass period and the age after which records of clients that
 * are gone (evicted, never reconnected) are dropped. */
#define SVC_TRIM_PERIOD_MS 5000
#define SVC_REPLY_TTL_S	   3600
/* Housekeeping thread tick. */
#define SVC_TICK_MS 200

struct ost_set;
struct mgs;

/* One open handle of a client. */
struct svc_handle {
	uint64_t handle;
	struct proto_fid fid;
	uint32_t flags;		 /* MDS_OPEN_* */
	struct svc_handle *next; /* hash chain, or the list svc_client_close_all takes */
};

/*
 * Per-client state (the net export's private data).  Lives from the export's
 * creation until its eviction has closed every handle, or the shutdown.
 */
struct svc_client {
	uint8_t uuid[PROTO_UUID_LEN];
	char uuid_str[33];
	uint32_t role;
	pthread_mutex_t mu; /* protects the handle table */
	/*
	 * Open handles hashed by value (a client may hold tens of thousands of
	 * files open; a CLOSE must not walk them all): hnb buckets, a power of
	 * two, grown at a load of one; NULL until the first open.
	 */
	struct svc_handle **hb;	    /* mu */
	uint32_t hnb, nhandles;	    /* mu */
	_Atomic uint64_t acked_xid; /* highest acked xid seen in a request */
	uint64_t id;		    /* unique in this process: its transactions' owner */
	bool evicted;		    /* svc->cl_mu */
	bool persisted;		    /* svc->cl_mu: being added to the persisted client list */
	_Atomic bool recorded;	    /* in the persisted client list, durably */
	struct svc_client *next;    /* svc->clients or svc->evicted (cl_mu) */
};

/* A request parked until the recovery window ends. */
struct svc_parked {
	struct net_srv_req *r;
	struct svc_parked *next;
};

struct mds_svc {
	struct mds_svc_cfg cfg;
	struct proto_target_id id;
	struct mds_db *db;
	struct net_server *srv;
	struct net_key *key;
	uint64_t boot;
	uint8_t uuid[PROTO_UUID_LEN];
	struct failinj fail;
	struct mgs *mgs;
	struct ost_set *osts;
	_Atomic uint64_t handle_seq;
	_Atomic uint64_t client_seq;	/* svc_client.id */
	_Atomic uint64_t early_answers; /* svc_commit_early() answers before durable */
	_Atomic uint64_t loop_reads;	/* LOOKUP/GETATTR answered on the loop thread */
	_Atomic uint64_t loop_deferred; /* ... handed to a worker (needed the disk) */

	pthread_mutex_t cl_mu;		/* protects clients, evicted */
	struct svc_client *clients;	/* cl_mu: attached exports' state */
	struct svc_client *evicted;	/* cl_mu: to be closed by housekeeping */
	struct svc_client *cl_freelist; /* cl_mu: closed, freed at shutdown */

	/* Recovery window (recovery.c). */
	pthread_mutex_t rec_mu;	       /* protects the fields below */
	pthread_cond_t rec_cv;	       /* rec_mu: the window ended */
	bool rec_active;	       /* rec_mu */
	bool rec_stopping;	       /* rec_mu: rec_free() ran: shutting down */
	uint64_t rec_end_ms;	       /* rec_mu: monotonic deadline */
	uint32_t rec_expected;	       /* rec_mu: clients known before the restart */
	uint8_t (*rec_uuids)[16];      /* rec_mu: their uuids */
	bool *rec_seen;		       /* rec_mu: which of them recovered */
	struct svc_parked *rec_parked; /* rec_mu: requests waiting for the end */
	struct svc_parked **rec_tail;  /* rec_mu */

	/* Housekeeping thread. */
	pthread_t hk;
	pthread_mutex_t hk_mu;	      /* protects hk_stop, hk_kick */
	pthread_cond_t hk_cv;	      /* hk_mu */
	bool hk_stop;		      /* hk_mu */
	bool hk_kick;		      /* hk_mu: destroy queue has work */
	_Atomic uint64_t kicked_adds; /* mds_db_destroy_adds() at the last commit's kick */
	bool hk_started;
	uint64_t last_trim_ms; /* housekeeping thread only */
};

/* ---- replylog.c --------------------------------------------------------- */

#define RLOG_KEY_LEN (1 + PROTO_UUID_LEN + 8)

/* Stages the record of a reply in @tx. */
int rlog_put(struct mds_tx *tx, const uint8_t *uuid, uint64_t xid, uint16_t opcode, int32_t status,
	     uint64_t boot, const void *body, uint32_t len);

struct rlog_rec {
	uint16_t opcode;
	int32_t status;
	uint64_t boot; /* boot instance of the server that executed it */
	uint32_t len;
	void *body; /* malloc'd */
};

/* Reads a record: 0, -ENOENT, or -errno.  rec->body must be freed. */
int rlog_get(struct mds_db *db, const uint8_t *uuid, uint64_t xid, struct rlog_rec *rec);

/* Deletes the records of acknowledged xids and of long-gone clients. */
int rlog_trim(struct mds_svc *svc);

/* ---- svc.c: request plumbing ------------------------------------------ */

/* The per-client state of the request's export (never NULL once attached). */
struct svc_client *svc_client_of(struct net_srv_req *r);

/*
 * svc_commit() for a change the client can replay (a create that made a new
 * file, sent with PROTO_CREATE_F_REPLAYABLE).  When the client is recorded
 * for recovery and everything others applied before is durable, the batch
 * is applied but not waited for: *@early gets its ticket (the reply's
 * transno), the caller sends the reply and then calls svc_commit_finish().
 * Otherwise *@early is 0 and this is svc_commit().
 */
int svc_commit_early(struct mds_svc *svc, struct net_srv_req *r, struct mds_tx *tx, int status,
		     uint64_t *early);
/* Waits for an early-answered batch to be durable (and leads its sync); @r
 * may be gone (answered), so the opcode comes alone. */
void svc_commit_finish(struct mds_svc *svc, uint16_t op, uint64_t ticket);

/* Wakes the housekeeping thread (destroy queue has work, a window to end). */
void svc_kick(struct mds_svc *svc);

/*
 * Commits a mutating request: stages its reply record (@status and the reply
 * body encoded so far) under R/<client>/<xid> in @tx, applies, waits until
 * durable (failure points may crash on the way).  A request that changed
 * nothing but its reply record (a failed operation, a close without a size
 * report, an open of a linked file) is not waited for: a crash loses only
 * the record, and the resend of a reply never seen re-executes an operation
 * that changed nothing.  Consumes @tx.  Returns
 * @status, or the -errno of a failed commit.  The caller then does what must
 * precede the reply (a truncate's punch) and calls svc_send().
 */
int svc_commit(struct mds_svc *svc, struct net_srv_req *r, struct mds_tx *tx, int status);

/* Sends a mutating request's reply, unless the drop_reply point fires. */
void svc_send(struct mds_svc *svc, struct net_srv_req *r, int status);

/*
 * For a resent request: if a reply record exists, sends it and returns true
 * (@r consumed); false if the original never committed.
 */
bool svc_replay_reply(struct mds_svc *svc, struct net_srv_req *r);

/*
 * What a replayed reply needs besides its bytes (svc_open.c): an open whose
 * handle this server does not know (it restarted) takes the reference again;
 * a truncate punches again if the file was not changed since.
 */
void svc_replay_fixup(struct mds_svc *svc, struct net_srv_req *r, struct svc_client *cl,
		      const struct rlog_rec *rec);

/* Runs request @r's operation (after the prelude: parked requests). */
void svc_run(struct mds_svc *svc, struct net_srv_req *r);
/* The one net handler: prelude (failure points, replay, recovery), then the op. */
void svc_dispatch(struct net_srv_req *r, void *arg);
/* The net server's handler table (every known opcode -> svc_dispatch). */
const struct net_handler *svc_handlers(void);
/* Export hooks (loop thread). */
void svc_on_export_new(struct net_export *exp, void *arg);
void svc_on_export_evict(struct net_export *exp, void *arg);
/* Frees a client's state (its handles must have been closed or be moot). */
void svc_client_free(struct svc_client *cl);

/* Starts a transaction with the request's credentials; replies -errno on failure. */
int svc_tx_begin(struct mds_svc *svc, struct net_srv_req *r, struct mds_tx **tx);

/* Replies to a request that changed nothing. */
void svc_reply(struct mds_svc *svc, struct net_srv_req *r, int status);

/* Handlers (svc_ns.c, svc_open.c, svc_xattr.c, svc_layout.c, mgs.c, pool.c). */
void svc_h_lookup(struct net_srv_req *r, void *arg);
void svc_h_getattr(struct net_srv_req *r, void *arg);
void svc_h_setattr(struct net_srv_req *r, void *arg);
void svc_h_create(struct net_srv_req *r, void *arg);
void svc_h_mkdir(struct net_srv_req *r, void *arg);
void svc_h_mknod(struct net_srv_req *r, void *arg);
void svc_h_unlink(struct net_srv_req *r, void *arg);
void svc_h_rmdir(struct net_srv_req *r, void *arg);
void svc_h_rename(struct net_srv_req *r, void *arg);
void svc_h_link(struct net_srv_req *r, void *arg);
void svc_h_symlink(struct net_srv_req *r, void *arg);
void svc_h_readlink(struct net_srv_req *r, void *arg);
void svc_h_readdir(struct net_srv_req *r, void *arg);
void svc_h_open(struct net_srv_req *r, void *arg);
void svc_h_close(struct net_srv_req *r, void *arg);
void svc_h_sync(struct net_srv_req *r, void *arg);
void svc_h_getxattr(struct net_srv_req *r, void *arg);
void svc_h_setxattr(struct net_srv_req *r, void *arg);
void svc_h_listxattr(struct net_srv_req *r, void *arg);
void svc_h_removexattr(struct net_srv_req *r, void *arg);
void svc_h_statfs(struct net_srv_req *r, void *arg);
void svc_h_getlayout(struct net_srv_req *r, void *arg);
void svc_h_setlayout(struct net_srv_req *r, void *arg);
void svc_h_tgt_table(struct net_srv_req *r, void *arg);
void svc_h_tgt_register(struct net_srv_req *r, void *arg);
void svc_h_pool_new(struct net_srv_req *r, void *arg);
void svc_h_pool_add(struct net_srv_req *r, void *arg);
void svc_h_pool_remove(struct net_srv_req *r, void *arg);
void svc_h_pool_destroy(struct net_srv_req *r, void *arg);
void svc_h_pool_list(struct net_srv_req *r, void *arg);
void svc_h_fail_set(struct net_srv_req *r, void *arg);

/* ---- svc_open.c: open handles ------------------------------------------- */

/* Registers @handle for @fid in @cl.  Returns 0 or -ENOMEM. */
int svc_handle_add(struct svc_client *cl, uint64_t handle, const struct proto_fid *fid,
		   uint32_t flags);
/* True if @cl holds @handle (for @fid when non-NULL). */
bool svc_handle_has(struct svc_client *cl, uint64_t handle, const struct proto_fid *fid);
/* A fresh handle value, unique across restarts (boot instance + counter). */
uint64_t svc_handle_new(struct mds_svc *svc);
/* Frees every handle of @cl and its table (the client is being freed). */
void svc_handles_free(struct svc_client *cl);
/* Closes every handle of @cl (eviction, shutdown of an evicted client). */
void svc_client_close_all(struct mds_svc *svc, struct svc_client *cl);

/* ---- svc_layout.c: truncate punch --------------------------------------- */

/* Punches every object of @fid's layout for a truncate to @size.  0 or -errno. */
int svc_punch(struct mds_svc *svc, const struct proto_fid *fid, uint64_t size);

/* ---- recovery.c --------------------------------------------------------- */

/* Loads the persisted client list and opens the window if it is not empty. */
int rec_start(struct mds_svc *svc);
/* Persists @uuid as a client to wait for after a restart (housekeeping). */
int rec_client_persist(struct mds_svc *svc, const uint8_t *uuid, bool add);
/*
 * Called before a request that must wait for the end of the window (new
 * opens, namespace changes).  Returns true if it may run now; false if it
 * was parked (it runs when the window ends).  Marks its client recovered.
 */
bool rec_admit(struct mds_svc *svc, struct net_srv_req *r);
/*
 * True while the window is open, and from shutdown on (rec_free()): what
 * must wait for the window's end (the OSTs' orphan cleanup, the expiry of
 * unlinked open files) never starts in an MDS that is stopping, whose
 * window may not have ended; the next instance opens its own.
 */
bool rec_active(struct mds_svc *svc);
/* Ends the window if due (housekeeping): runs parked requests, orphan cleanup. */
void rec_tick(struct mds_svc *svc);
/*
 * Shutdown: drops the parked requests (their clients resend them to the
 * next instance) and keeps rec_active() true from now on.
 */
void rec_free(struct mds_svc *svc);
/* Frees the recovery state. */
void rec_destroy(struct mds_svc *svc);

/* ---- destroy_task.c ----------------------------------------------------- */

/* One pass over the destroy queue; returns entries destroyed or -errno. */
int destroy_pass(struct mds_svc *svc);

#endif
