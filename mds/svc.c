/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request plumbing of stria-mds: the dispatch table, the prelude every
 * request passes (failure points, reply reconstruction, the recovery
 * window), committing a mutating request with its reply record, and the
 * per-client state attached to exports.
 */
#include "svc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgs.h"

/* How a request is treated before its handler runs. */
#define OP_READ	  0u	  /* read-only: runs during recovery */
#define OP_MUT	  1u << 0 /* non-idempotent: reply recorded, resends replayed */
#define OP_PARK	  1u << 1 /* waits for the end of the recovery window */
#define OP_MGS	  1u << 2 /* management: never parked */
#define OP_RECORD 1u << 3 /* resends look for a recorded reply */

struct op_ent {
	net_handler_fn fn;
	uint32_t flags;
};

static const struct op_ent ops[PROTO_OP_LIMIT] = {
    [PROTO_OP_MDS_LOOKUP] = {svc_h_lookup, OP_READ},
    [PROTO_OP_MDS_GETATTR] = {svc_h_getattr, OP_READ},
    [PROTO_OP_MDS_SETATTR] = {svc_h_setattr, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_CREATE] = {svc_h_create, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_MKDIR] = {svc_h_mkdir, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_MKNOD] = {svc_h_mknod, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_UNLINK] = {svc_h_unlink, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_RMDIR] = {svc_h_rmdir, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_RENAME] = {svc_h_rename, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_LINK] = {svc_h_link, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_SYMLINK] = {svc_h_symlink, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_READLINK] = {svc_h_readlink, OP_READ},
    [PROTO_OP_MDS_READDIR] = {svc_h_readdir, OP_READ},
    /* OPEN decides itself: a replay runs during recovery, a new open parks. */
    [PROTO_OP_MDS_OPEN] = {svc_h_open, OP_MUT | OP_RECORD},
    [PROTO_OP_MDS_CLOSE] = {svc_h_close, OP_MUT | OP_RECORD},
    [PROTO_OP_MDS_SYNC] = {svc_h_sync, OP_PARK},
    [PROTO_OP_MDS_GETXATTR] = {svc_h_getxattr, OP_READ},
    [PROTO_OP_MDS_SETXATTR] = {svc_h_setxattr, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_LISTXATTR] = {svc_h_listxattr, OP_READ},
    [PROTO_OP_MDS_REMOVEXATTR] = {svc_h_removexattr, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MDS_STATFS] = {svc_h_statfs, OP_READ},
    [PROTO_OP_MDS_GETLAYOUT] = {svc_h_getlayout, OP_READ},
    [PROTO_OP_MDS_SETLAYOUT] = {svc_h_setlayout, OP_MUT | OP_PARK | OP_RECORD},
    [PROTO_OP_MGS_TGT_TABLE] = {svc_h_tgt_table, OP_MGS},
    [PROTO_OP_MGS_TGT_REGISTER] = {svc_h_tgt_register, OP_MGS},
    [PROTO_OP_MGS_POOL_NEW] = {svc_h_pool_new, OP_MGS},
    [PROTO_OP_MGS_POOL_ADD] = {svc_h_pool_add, OP_MGS},
    [PROTO_OP_MGS_POOL_REMOVE] = {svc_h_pool_remove, OP_MGS},
    [PROTO_OP_MGS_POOL_DESTROY] = {svc_h_pool_destroy, OP_MGS},
    [PROTO_OP_MGS_POOL_LIST] = {svc_h_pool_list, OP_MGS},
    [PROTO_OP_MGS_FAIL_SET] = {svc_h_fail_set, OP_MGS},
};

/* Length of the encoded reply preamble, where a reply body starts. */
static size_t rep_pre_len(void)
{
	struct proto_rep_pre pre = {0};
	uint8_t buf[64];
	struct proto_cur c;

	proto_cur_init(&c, buf, sizeof(buf));
	proto_rep_pre_enc(&c, &pre);
	return c.pos;
}

struct svc_client *svc_client_of(struct net_srv_req *r)
{
	struct net_export *e = net_srv_req_export(r);

	return e ? net_export_priv(e) : NULL;
}

void svc_kick(struct mds_svc *svc)
{
	pthread_mutex_lock(&svc->hk_mu);
	svc->hk_kick = true;
	pthread_cond_signal(&svc->hk_cv);
	pthread_mutex_unlock(&svc->hk_mu);
}

int svc_tx_begin(struct mds_svc *svc, struct net_srv_req *r, struct mds_tx **tx)
{
	struct svc_client *cl = svc_client_of(r);
	int rc = mds_tx_begin(svc->db, &net_srv_req_pre(r)->creds, tx);

	if (rc)
		svc_reply(svc, r, rc);
	else if (cl)
		mds_tx_set_owner(*tx, cl->id);
	return rc;
}

void svc_reply(struct mds_svc *svc, struct net_srv_req *r, int status)
{
	net_srv_reply(r, status);
}

/* Housekeeping at once only for objects to destroy; the rest waits for its tick. */
static void kick_destroys(struct mds_svc *svc)
{
	uint64_t adds = mds_db_destroy_adds(svc->db);

	if (atomic_exchange(&svc->kicked_adds, adds) != adds)
		svc_kick(svc);
}

/* May @cl's change, just applied, be answered before it is durable? */
static bool may_answer_early(struct mds_svc *svc, struct svc_client *cl)
{
	if (!atomic_load(&cl->recorded))
		return false; /* a restart would not wait for its replay */
	return mds_db_foreign_ticket(svc->db, cl->id) <= mds_db_durable(svc->db);
}

static int commit(struct mds_svc *svc, struct net_srv_req *r, struct mds_tx *tx, int status,
		  uint64_t *early)
{
	struct svc_client *cl = svc_client_of(r);
	uint16_t op = net_srv_req_opcode(r);
	struct proto_cur *out = net_srv_reply_body(r);
	size_t pre = rep_pre_len();
	uint64_t ticket;
	uint32_t len;
	bool durable;
	int rc;

	if (status == 0 && proto_cur_err(out))
		status = -EOVERFLOW;
	len = status ? 0 : (uint32_t)(out->pos - pre);
	if (!cl) {
		mds_tx_abort(tx);
		return -ENOMEM;
	}
	/*
	 * Every later synced batch carries this one (the WAL is ordered), so an
	 * answer that depends on nothing durable does not wait for a sync of
	 * its own: a create's close would otherwise cost a second sync.
	 */
	durable = mds_tx_changes(tx);
	rc = rlog_put(tx, cl->uuid, net_srv_req_xid(r), op, status, svc->boot, out->buf + pre, len);
	if (rc) {
		mds_tx_abort(tx);
		return rc;
	}
	if (failinj_hit(&svc->fail, FAIL_CRASH_BEFORE_APPLY, op, NULL))
		_exit(9);
	rc = mds_tx_apply(tx, &ticket);
	if (rc) {
		NET_ERR("%s: %s xid %llu from %s: apply failed: %s", svc->id.name,
			proto_op_name(op), (unsigned long long)net_srv_req_xid(r), cl->uuid_str,
			strerror(-rc));
		return rc;
	}
	if (failinj_hit(&svc->fail, FAIL_CRASH_AFTER_APPLY, op, NULL))
		_exit(9);
	if (early && durable && status == 0 && may_answer_early(svc, cl)) {
		net_srv_req_set_transno(r, ticket);
		atomic_fetch_add(&svc->early_answers, 1);
		*early = ticket;
		return status;
	}
	rc = durable ? mds_db_wait_durable(svc->db, ticket) : 0;
	if (rc) {
		NET_ERR("%s: %s xid %llu: WAL sync failed: %s", svc->id.name, proto_op_name(op),
			(unsigned long long)net_srv_req_xid(r), strerror(-rc));
		return rc;
	}
	if (durable)
		net_server_note_committed(svc->srv, mds_db_durable(svc->db));
	if (failinj_hit(&svc->fail, FAIL_CRASH_AFTER_COMMIT, op, NULL))
		_exit(9);
	kick_destroys(svc);
	return status;
}

int svc_commit(struct mds_svc *svc, struct net_srv_req *r, struct mds_tx *tx, int status)
{
	return commit(svc, r, tx, status, NULL);
}

int svc_commit_early(struct mds_svc *svc, struct net_srv_req *r, struct mds_tx *tx, int status,
		     uint64_t *early)
{
	*early = 0;
	return commit(svc, r, tx, status, early);
}

void svc_commit_finish(struct mds_svc *svc, uint16_t op, uint64_t ticket)
{
	int rc;

	if (failinj_hit(&svc->fail, FAIL_CRASH_AFTER_REPLY, op, NULL)) {
		/* Nothing may become durable while the reply goes out. */
		mds_db_freeze_commits(svc->db);
		usleep(200 * 1000);
		_exit(9);
	}
	rc = mds_db_wait_durable(svc->db, ticket);
	if (rc) {
		/* The client keeps the request; it replays it after the restart. */
		NET_ERR("%s: transno %llu answered early: WAL sync failed: %s", svc->id.name,
			(unsigned long long)ticket, strerror(-rc));
		return;
	}
	net_server_note_committed(svc->srv, mds_db_durable(svc->db));
	kick_destroys(svc);
}

void svc_send(struct mds_svc *svc, struct net_srv_req *r, int status)
{
	if (failinj_hit(&svc->fail, FAIL_DROP_REPLY, net_srv_req_opcode(r), NULL)) {
		net_srv_drop(r);
		return;
	}
	net_srv_reply(r, status);
}

bool svc_replay_reply(struct mds_svc *svc, struct net_srv_req *r)
{
	struct svc_client *cl = svc_client_of(r);
	struct rlog_rec rec;
	struct proto_cur *out;
	int rc;

	if (!cl)
		return false;
	rc = rlog_get(svc->db, cl->uuid, net_srv_req_xid(r), &rec);
	if (rc)
		return false;
	if (rec.opcode != net_srv_req_opcode(r)) {
		NET_ERR("%s: client %s resent xid %llu as %s, recorded as %s; executing it",
			svc->id.name, cl->uuid_str, (unsigned long long)net_srv_req_xid(r),
			proto_op_name(net_srv_req_opcode(r)), proto_op_name(rec.opcode));
		free(rec.body);
		return false;
	}
	NET_INFO("%s: client %s resent %s xid %llu: replaying its recorded reply (%d)",
		 svc->id.name, cl->uuid_str, proto_op_name(rec.opcode),
		 (unsigned long long)net_srv_req_xid(r), rec.status);
	out = net_srv_reply_body(r);
	proto_put_bytes(out, rec.body, rec.len);
	svc_replay_fixup(svc, r, cl, &rec);
	free(rec.body);
	svc_send(svc, r, rec.status);
	return true;
}

/* ---- dispatch ------------------------------------------------------------ */

static bool is_open_replay(struct net_srv_req *r)
{
	struct proto_mds_open_req m;
	struct proto_cur c;

	if (net_srv_req_opcode(r) != PROTO_OP_MDS_OPEN)
		return false;
	net_srv_req_body(r, &c);
	return proto_mds_open_req_dec(&c, &m) == 0 && (m.flags & PROTO_OPEN_F_REPLAY);
}

void svc_dispatch(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	uint16_t op = net_srv_req_opcode(r);
	const struct op_ent *e = op < PROTO_OP_LIMIT ? &ops[op] : NULL;
	struct svc_client *cl = svc_client_of(r);
	uint32_t delay;
	bool park;

	if (!e || !e->fn) {
		net_srv_reply(r, -ENOSYS);
		return;
	}
	if (cl) {
		uint64_t acked = net_srv_req_pre(r)->acked_xid;
		uint64_t cur = atomic_load(&cl->acked_xid);

		while (acked > cur && !atomic_compare_exchange_weak(&cl->acked_xid, &cur, acked))
			;
	}
	/* Failure points count and sleep: not on the loop thread. */
	if (net_srv_req_inline(r) && (failinj_armed(&svc->fail, FAIL_DROP_REQUEST) ||
				      failinj_armed(&svc->fail, FAIL_DELAY))) {
		net_srv_defer(r);
		return;
	}
	if (failinj_hit(&svc->fail, FAIL_DROP_REQUEST, op, NULL)) {
		net_srv_drop(r);
		return;
	}
	if (failinj_hit(&svc->fail, FAIL_DELAY, op, &delay))
		usleep((useconds_t)delay * 1000);
	if ((e->flags & OP_RECORD) && net_srv_req_resent(r) && svc_replay_reply(svc, r))
		return;
	/* Replays run in the recovery window (the handler checks the body says so too). */
	park = ((e->flags & OP_PARK) && !(op == PROTO_OP_MDS_CREATE && net_srv_req_replay(r))) ||
	       (op == PROTO_OP_MDS_OPEN && !is_open_replay(r));
	if (park && !rec_admit(svc, r))
		return;
	if (net_srv_req_inline(r)) {
		/* On the loop thread: a read that needs the disk goes to a worker. */
		mds_reads_cache_only(true);
		e->fn(r, arg);
		mds_reads_cache_only(false);
		return;
	}
	e->fn(r, arg);
}

void svc_run(struct mds_svc *svc, struct net_srv_req *r)
{
	ops[net_srv_req_opcode(r)].fn(r, svc);
}

/* Handlers for the net server: every opcode goes through svc_dispatch. */
const struct net_handler *svc_handlers(void)
{
	static struct net_handler h[PROTO_OP_LIMIT];

	for (int i = 0; i < PROTO_OP_LIMIT; i++)
		if (ops[i].fn)
			h[i].fn = svc_dispatch;
	/*
	 * The reads every path walk and open makes run on the loop thread when
	 * the workers are idle (net.h): a lookup then costs the MDS one thread
	 * wake-up instead of three.
	 */
	h[PROTO_OP_MDS_LOOKUP].flags = NET_H_TRY_INLINE;
	h[PROTO_OP_MDS_GETATTR].flags = NET_H_TRY_INLINE;
	return h;
}

/* ---- exports ------------------------------------------------------------- */

void svc_on_export_new(struct net_export *exp, void *arg)
{
	struct mds_svc *svc = arg;
	struct svc_client *cl = calloc(1, sizeof(*cl));

	if (!cl) {
		NET_ERR("%s: out of memory for a new client", svc->id.name);
		return;
	}
	cl->id = atomic_fetch_add(&svc->client_seq, 1) + 1;
	memcpy(cl->uuid, net_export_uuid(exp), PROTO_UUID_LEN);
	net_uuid_str(cl->uuid, cl->uuid_str);
	cl->role = net_export_role(exp);
	pthread_mutex_init(&cl->mu, NULL);
	net_export_set_priv(exp, cl);
	pthread_mutex_lock(&svc->cl_mu);
	cl->next = svc->clients;
	svc->clients = cl;
	pthread_mutex_unlock(&svc->cl_mu);
	svc_kick(svc); /* persist it as a client to wait for after a restart */
}

void svc_on_export_evict(struct net_export *exp, void *arg)
{
	struct mds_svc *svc = arg;
	struct svc_client *cl = net_export_priv(exp), **p;

	if (!cl)
		return;
	net_export_set_priv(exp, NULL);
	pthread_mutex_lock(&svc->cl_mu);
	for (p = &svc->clients; *p; p = &(*p)->next)
		if (*p == cl) {
			*p = cl->next;
			break;
		}
	cl->evicted = true;
	cl->next = svc->evicted;
	svc->evicted = cl;
	pthread_mutex_unlock(&svc->cl_mu);
	svc_kick(svc); /* housekeeping closes its opens */
}

void svc_client_free(struct svc_client *cl)
{
	svc_handles_free(cl);
	pthread_mutex_destroy(&cl->mu);
	free(cl);
}
