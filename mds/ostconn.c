/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connections to the OSTs: orphan cleanup first on every (re)connection, then
 * background precreate refills and statfs refreshes.  Every completion runs
 * on the OST client loop; a completion that belongs to an older connection
 * (conn_seq changed) is ignored.
 */
#include "ost_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgs.h"
#include "svc.h"

struct ost *ost_find(struct ost_set *set, uint32_t index)
{
	uint32_t lo = 0, hi = set->nosts;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (set->osts[mid]->index == index)
			return set->osts[mid];
		if (set->osts[mid]->index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint64_t ost_pool_left(const struct ost *o)
{
	return o->created >= o->next ? o->created - o->next + 1 : 0;
}

/* ---- precreate ----------------------------------------------------------- */

struct ost_cb {
	struct ost *o;
	uint64_t seq;
};

static void precreate_done(struct net_req *req, int status, void *arg)
{
	struct ost_cb *cb = arg;
	struct ost *o = cb->o;
	struct ost_set *set = o->set;
	struct proto_ost_precreate_rep rep;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(req, &c);
		status = proto_ost_precreate_rep_dec(&c, &rep);
	}
	pthread_mutex_lock(&set->mu);
	if (cb->seq == o->conn_seq) {
		o->refilling = false;
		if (status == 0 && rep.last_id > o->created)
			o->created = rep.last_id;
		else if (status)
			NET_ERR("%s: precreate failed: %s", o->name, strerror(-status));
		pthread_cond_broadcast(&set->cv);
	}
	pthread_mutex_unlock(&set->mu);
	net_req_free(req);
	free(cb);
}

void ost_refill(struct ost *o)
{
	struct proto_ost_precreate_req m = {.ost_idx = o->index, .count = OST_PRECREATE_BATCH};
	struct ost_cb *cb;
	struct net_req *req;

	if (!o->ready || o->refilling || ost_pool_left(o) >= OST_PRECREATE_LOW)
		return;
	m.first_id = o->created + 1;
	cb = malloc(sizeof(*cb));
	req = net_req_new(PROTO_OP_OST_PRECREATE, NULL);
	if (!cb || !req || proto_ost_precreate_req_enc(net_req_body(req), &m)) {
		free(cb);
		if (req)
			net_req_free(req);
		return;
	}
	cb->o = o;
	cb->seq = o->conn_seq;
	o->refilling = true;
	net_req_set_give_up(req, OST_CALL_GIVE_UP_MS);
	net_req_send(o->cl, req, precreate_done, cb);
}

/* ---- orphan cleanup ------------------------------------------------------ */

static void cleanup_done(struct net_req *req, int status, void *arg)
{
	struct ost_cb *cb = arg;
	struct ost *o = cb->o;
	struct ost_set *set = o->set;
	struct proto_ost_orphan_rep rep = {0};
	struct proto_cur c;
	bool became_ready = false;

	if (status == 0) {
		net_req_reply(req, &c);
		status = proto_ost_orphan_rep_dec(&c, &rep);
	}
	pthread_mutex_lock(&set->mu);
	if (cb->seq == o->conn_seq) {
		o->cleaning = false;
		if (status == 0) {
			/* Everything above last_assigned is gone: the pool starts empty. */
			o->created = o->last_assigned;
			o->next = o->last_assigned + 1;
			o->ready = became_ready = true;
			NET_INFO("%s: orphan cleanup done: last assigned id %" PRIu64
				 ", OST had precreated up to %" PRIu64 ", %" PRIu64
				 " written object(s) destroyed",
				 o->name, o->last_assigned, rep.last_id, rep.destroyed);
			ost_refill(o);
		} else {
			NET_ERR("%s: orphan cleanup (last assigned id %" PRIu64 ") failed: %s; "
				"the OST stays inactive and cleanup is retried",
				o->name, o->last_assigned, strerror(-status));
		}
		pthread_cond_broadcast(&set->cv);
	}
	pthread_mutex_unlock(&set->mu);
	if (became_ready)
		mgs_bump(set->svc->mgs);
	net_req_free(req);
	free(cb);
}

/* Sends OST_ORPHAN_CLEANUP with the last assigned id (caller holds mu). */
static void cleanup_send(struct ost *o)
{
	struct proto_ost_orphan_req m = {.ost_idx = o->index, .last_id = o->last_assigned};
	struct ost_cb *cb = malloc(sizeof(*cb));
	struct net_req *req = net_req_new(PROTO_OP_OST_ORPHAN_CLEANUP, NULL);

	if (!cb || !req || proto_ost_orphan_req_enc(net_req_body(req), &m)) {
		free(cb);
		if (req)
			net_req_free(req);
		return;
	}
	cb->o = o;
	cb->seq = o->conn_seq;
	o->cleaning = true;
	net_req_set_give_up(req, OST_CALL_GIVE_UP_MS);
	net_req_send(o->cl, req, cleanup_done, cb);
}

static void on_state(struct net_client *cl, enum net_client_state st, void *arg)
{
	struct ost *o = arg;
	struct ost_set *set = o->set;
	bool was_ready;

	pthread_mutex_lock(&set->mu);
	if (o->cl != cl) {
		pthread_mutex_unlock(&set->mu);
		return;
	}
	was_ready = o->ready;
	if (st == NET_CLIENT_CONNECTED && !o->connected) {
		o->connected = true;
		o->ready = false;
		o->refilling = false;
		o->cleaning = false;
		o->conn_seq++;
		if (rec_active(set->svc)) {
			/* Replayed creates may still claim objects above last_assigned. */
			NET_INFO("%s: connected; orphan cleanup waits for the recovery window",
				 o->name);
		} else {
			NET_INFO("%s: connected; orphan cleanup above id %" PRIu64, o->name,
				 o->last_assigned);
			cleanup_send(o);
		}
	} else if (st != NET_CLIENT_CONNECTED && o->connected) {
		o->connected = false;
		o->ready = false;
		o->conn_seq++;
		NET_WARN("%s: connection lost; inactive until it is back", o->name);
	}
	pthread_cond_broadcast(&set->cv);
	pthread_mutex_unlock(&set->mu);
	if (was_ready)
		mgs_bump(set->svc->mgs);
}

/* ---- the set ------------------------------------------------------------- */

int ost_set_new(struct mds_svc *svc, struct ost_set **out)
{
	struct ost_set *set = calloc(1, sizeof(*set));
	int rc;

	if (!set)
		return -ENOMEM;
	set->svc = svc;
	pthread_mutex_init(&set->mu, NULL);
	pthread_cond_init(&set->cv, NULL);
	pthread_rwlock_init(&set->cl_rw, NULL);
	rc = net_loop_new(&set->loop);
	if (rc)
		goto fail;
	rc = net_loop_start(set->loop, "mds-ost");
	if (rc) {
		net_loop_free(set->loop);
		goto fail;
	}
	*out = set;
	return 0;
fail:
	pthread_rwlock_destroy(&set->cl_rw);
	pthread_cond_destroy(&set->cv);
	pthread_mutex_destroy(&set->mu);
	free(set);
	return rc;
}

void ost_set_free(struct ost_set *set)
{
	if (!set)
		return;
	for (uint32_t i = 0; i < set->nosts; i++) {
		struct net_client *cl;

		pthread_mutex_lock(&set->mu);
		cl = set->osts[i]->cl;
		set->osts[i]->cl = NULL;
		pthread_mutex_unlock(&set->mu);
		if (cl)
			net_client_free(cl);
	}
	net_loop_stop(set->loop);
	net_loop_free(set->loop);
	for (uint32_t i = 0; i < set->nosts; i++)
		free(set->osts[i]);
	free(set->osts);
	free(set->loaded);
	pthread_rwlock_destroy(&set->cl_rw);
	pthread_cond_destroy(&set->cv);
	pthread_mutex_destroy(&set->mu);
	free(set);
}

static int load_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct ost_set *set = arg;
	const uint8_t *k = key;
	struct proto_cur c;
	uint64_t last;
	void *n;

	if (klen != OST_LASTID_KEY_LEN)
		return 0;
	proto_cur_init_ro(&c, val, vlen);
	if (proto_get_u8(&c) != 1)
		proto_cur_fail(&c, -EPROTO);
	last = proto_get_u64(&c);
	if (proto_cur_finish(&c))
		return -EIO;
	n = realloc(set->loaded, (set->nloaded + 1) * sizeof(*set->loaded));
	if (!n)
		return -ENOMEM;
	set->loaded = n;
	set->loaded[set->nloaded].index =
	    (uint32_t)k[2] << 24 | (uint32_t)k[3] << 16 | (uint32_t)k[4] << 8 | k[5];
	set->loaded[set->nloaded].last = last;
	set->nloaded++;
	return 0;
}

int ost_set_load(struct ost_set *set, struct mds_db *db)
{
	const uint8_t prefix[2] = {'P', 'L'};

	return mds_db_scan(db, prefix, sizeof(prefix), load_one, set);
}

static int client_new(struct ost_set *set, struct ost *o, struct net_client **out)
{
	struct mds_svc *svc = set->svc;
	struct net_client_cfg cfg = {
	    .name = o->name,
	    .nnids = o->tgt.nnids,
	    .port = (uint16_t)o->tgt.port,
	    .fsname = svc->id.fsname,
	    .role = PROTO_ROLE_MDS,
	    .key = svc->key,
	    .timeout_ms = 10000,
	    .reconnect_max_ms = 1000,
	    .on_state = on_state,
	    .arg = o,
	};

	memcpy(cfg.nids, o->tgt.nids, sizeof(cfg.nids));
	/*
	 * One connection per OST, each with its own stable uuid (the MDT's uuid
	 * with the OST index folded into its last bytes): an OSS keeps one export
	 * per client uuid, so OSTs sharing an OSS must not supersede each other.
	 */
	memcpy(cfg.uuid, svc->uuid, PROTO_UUID_LEN);
	for (int i = 0; i < 4; i++)
		cfg.uuid[PROTO_UUID_LEN - 1 - i] ^= (uint8_t)(o->index >> (8 * i));
	cfg.uuid[PROTO_UUID_LEN - 5] ^= 0x5a; /* never the MDT's own uuid */
	return net_client_new(set->loop, &cfg, out);
}

static bool addr_same(const struct proto_mgs_tgt *a, const struct proto_mgs_tgt *b)
{
	if (a->port != b->port || a->nnids != b->nnids)
		return false;
	for (uint32_t i = 0; i < a->nnids; i++)
		if (!proto_nid_eq(&a->nids[i], &b->nids[i]))
			return false;
	return true;
}

/* Inserts a new OST in index order (caller holds mu). */
static int insert(struct ost_set *set, struct ost *o)
{
	struct ost **n = realloc(set->osts, (set->nosts + 1) * sizeof(*n));
	uint32_t pos = 0;

	if (!n)
		return -ENOMEM;
	set->osts = n;
	while (pos < set->nosts && set->osts[pos]->index < o->index)
		pos++;
	memmove(&set->osts[pos + 1], &set->osts[pos], (set->nosts - pos) * sizeof(*n));
	set->osts[pos] = o;
	set->nosts++;
	for (uint32_t i = 0; i < set->nloaded; i++)
		if (set->loaded[i].index == o->index)
			o->last_assigned = o->persisted = set->loaded[i].last;
	return 0;
}

int ost_set_update(struct ost_set *set, const struct proto_mgs_tgt *t)
{
	struct net_client *old = NULL, *cl = NULL;
	struct ost *o, *fresh = NULL;
	int rc = 0;

	pthread_mutex_lock(&set->mu);
	o = ost_find(set, t->index);
	if (o && addr_same(&o->tgt, t)) {
		memcpy(o->tgt.uuid, t->uuid, PROTO_UUID_LEN);
		goto unlock;
	}
	if (!o) {
		o = fresh = calloc(1, sizeof(*o));
		if (!o) {
			rc = -ENOMEM;
			goto unlock;
		}
		o->set = set;
		o->index = t->index;
		snprintf(o->name, sizeof(o->name), "%s", t->name);
	}
	o->tgt = *t;
	/* A new address: a new connection (cleanup runs again when it is up). */
	old = o->cl;
	o->cl = NULL;
	o->connected = o->ready = false;
	o->conn_seq++;
	rc = client_new(set, o, &cl);
	if (rc == 0)
		o->cl = cl;
	if (fresh) {
		if (rc == 0)
			rc = insert(set, fresh);
		if (rc) {
			o->cl = NULL;
			free(fresh);
		}
	}
unlock:
	pthread_mutex_unlock(&set->mu);
	if (rc && cl)
		net_client_free(cl);
	if (old) {
		pthread_rwlock_wrlock(&set->cl_rw);
		net_client_free(old);
		pthread_rwlock_unlock(&set->cl_rw);
	}
	return rc;
}

bool ost_set_active(struct ost_set *set, uint32_t index)
{
	struct ost *o;
	bool active;

	pthread_mutex_lock(&set->mu);
	o = ost_find(set, index);
	active = o && o->ready;
	pthread_mutex_unlock(&set->mu);
	return active;
}

void ost_set_statfs(struct ost_set *set, struct proto_statfs *sum, uint32_t *nactive)
{
	const uint32_t bs = 4096;

	memset(sum, 0, sizeof(*sum));
	sum->bsize = bs;
	sum->namemax = PROTO_NAME_MAX;
	*nactive = 0;
	pthread_mutex_lock(&set->mu);
	for (uint32_t i = 0; i < set->nosts; i++) {
		const struct ost *o = set->osts[i];
		uint64_t b = o->sfs.bsize ? o->sfs.bsize : bs;

		if (!o->ready)
			continue;
		(*nactive)++;
		if (!o->sfs_ms)
			continue;
		sum->blocks += o->sfs.blocks * b / bs;
		sum->bfree += o->sfs.bfree * b / bs;
		sum->bavail += o->sfs.bavail * b / bs;
		sum->files += o->sfs.files;
		sum->ffree += o->sfs.ffree;
	}
	pthread_mutex_unlock(&set->mu);
}

static void statfs_done(struct net_req *req, int status, void *arg)
{
	struct ost_cb *cb = arg;
	struct ost *o = cb->o;
	struct ost_set *set = o->set;
	struct proto_ost_statfs_rep rep;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(req, &c);
		status = proto_ost_statfs_rep_dec(&c, &rep);
	}
	pthread_mutex_lock(&set->mu);
	o->sfs_inflight = false;
	if (status == 0 && cb->seq == o->conn_seq) {
		o->sfs = rep.sfs;
		o->sfs_ms = net_now_ms();
	}
	pthread_mutex_unlock(&set->mu);
	net_req_free(req);
	free(cb);
}

void ost_set_tick(struct ost_set *set)
{
	uint64_t now = net_now_ms();

	pthread_mutex_lock(&set->mu);
	for (uint32_t i = 0; i < set->nosts; i++) {
		struct ost *o = set->osts[i];
		struct proto_ost_statfs_req m = {.ost_idx = o->index};
		struct net_req *req;
		struct ost_cb *cb;

		if (o->connected && !o->ready && !o->cleaning && !rec_active(set->svc))
			cleanup_send(o);
		ost_refill(o);
		if (!o->ready || o->sfs_inflight || now - o->sfs_ms < OST_STATFS_MAX_AGE_MS)
			continue;
		cb = malloc(sizeof(*cb));
		req = net_req_new(PROTO_OP_OST_STATFS, NULL);
		if (!cb || !req || proto_ost_statfs_req_enc(net_req_body(req), &m)) {
			free(cb);
			if (req)
				net_req_free(req);
			continue;
		}
		cb->o = o;
		cb->seq = o->conn_seq;
		o->sfs_inflight = true;
		net_req_set_give_up(req, OST_CALL_GIVE_UP_MS);
		net_req_send(o->cl, req, statfs_done, cb);
	}
	pthread_mutex_unlock(&set->mu);
}

int ost_set_call(struct ost_set *set, uint32_t index, struct net_req *req, bool need_active)
{
	struct net_client *cl = NULL;
	struct ost *o;
	int rc = 0;

	pthread_rwlock_rdlock(&set->cl_rw);
	pthread_mutex_lock(&set->mu);
	o = ost_find(set, index);
	if (!o || !o->cl)
		rc = -ENODEV;
	else if (need_active && !o->ready)
		rc = -ENOTCONN;
	else
		cl = o->cl;
	pthread_mutex_unlock(&set->mu);
	if (rc == 0) {
		net_req_set_give_up(req, OST_CALL_GIVE_UP_MS);
		rc = net_call(cl, req);
	}
	pthread_rwlock_unlock(&set->cl_rw);
	return rc;
}
