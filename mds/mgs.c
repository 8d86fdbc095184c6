/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The target registry and table: OSTs register (MGS_TGT_REGISTER), clients
 * fetch the table (MGS_TGT_TABLE) with its generation.
 */
#include "mgs_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ost.h"
#include "svc.h"

#define KEY_TGT_LEN 6 /* 'T' 'T' index(be32) */

static const uint8_t key_epoch[2] = {'T', 'E'};

static void key_tgt(uint8_t k[KEY_TGT_LEN], uint32_t index)
{
	k[0] = 'T';
	k[1] = 'T';
	k[2] = (uint8_t)(index >> 24);
	k[3] = (uint8_t)(index >> 16);
	k[4] = (uint8_t)(index >> 8);
	k[5] = (uint8_t)index;
}

/* Largest encoded target record. */
#define TGT_VAL_MAX (64 + PROTO_TARGET_NAME_MAX + PROTO_NID_LIST_MAX * (8 + PROTO_NID_ADDR_MAX))

static int tgt_encode(const struct proto_mgs_tgt *t, uint8_t *buf, size_t cap)
{
	struct proto_cur c;

	proto_cur_init(&c, buf, cap);
	proto_put_u8(&c, 1);
	proto_put_u32(&c, t->type);
	proto_put_u32(&c, t->index);
	proto_put_str(&c, t->name, strlen(t->name), PROTO_TARGET_NAME_MAX);
	proto_put_bytes(&c, t->uuid, PROTO_UUID_LEN);
	proto_put_u32(&c, t->port);
	proto_put_u32(&c, t->nnids);
	for (uint32_t i = 0; i < t->nnids && i < PROTO_NID_LIST_MAX; i++)
		proto_nid_enc(&c, &t->nids[i]);
	return proto_cur_err(&c) ? proto_cur_err(&c) : (int)c.pos;
}

static int tgt_decode(const void *buf, size_t len, struct proto_mgs_tgt *t)
{
	struct proto_str name;
	struct proto_cur c;
	const uint8_t *u;

	memset(t, 0, sizeof(*t));
	proto_cur_init_ro(&c, buf, len);
	if (proto_get_u8(&c) != 1)
		proto_cur_fail(&c, -EPROTO);
	t->type = proto_get_u32(&c);
	t->index = proto_get_u32(&c);
	proto_get_str(&c, &name, PROTO_TARGET_NAME_MAX);
	if (proto_cur_err(&c) == 0) {
		memcpy(t->name, name.s, name.len);
		t->name[name.len] = '\0';
	}
	u = proto_cur_rspace(&c, PROTO_UUID_LEN);
	if (u)
		memcpy(t->uuid, u, PROTO_UUID_LEN);
	t->port = proto_get_u32(&c);
	t->nnids = proto_get_u32(&c);
	if (t->nnids == 0 || t->nnids > PROTO_NID_LIST_MAX)
		proto_cur_fail(&c, -EPROTO);
	for (uint32_t i = 0; i < t->nnids && !proto_cur_err(&c); i++)
		proto_nid_dec(&c, &t->nids[i]);
	t->state = PROTO_MGS_TGT_INACTIVE;
	return proto_cur_finish(&c) ? -EIO : 0;
}

/* Position of @index in m->tgts (or where it would go); caller holds mu. */
static uint32_t tgt_pos(struct mgs *m, uint32_t index)
{
	uint32_t lo = 0, hi = m->ntgts;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (m->tgts[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Inserts or replaces @t in memory (caller holds mu). */
static int tgt_set(struct mgs *m, const struct proto_mgs_tgt *t)
{
	uint32_t pos = tgt_pos(m, t->index);
	struct proto_mgs_tgt *n;

	if (pos < m->ntgts && m->tgts[pos].index == t->index) {
		m->tgts[pos] = *t;
		return 0;
	}
	if (m->ntgts >= MGS_TGTS_MAX)
		return -ENOSPC;
	n = realloc(m->tgts, (m->ntgts + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	m->tgts = n;
	memmove(&n[pos + 1], &n[pos], (m->ntgts - pos) * sizeof(*n));
	n[pos] = *t;
	m->ntgts++;
	return 0;
}

static int load_tgt(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct mgs *m = arg;
	struct proto_mgs_tgt t;
	int rc;

	if (klen != KEY_TGT_LEN)
		return 0;
	rc = tgt_decode(val, vlen, &t);
	if (rc) {
		NET_ERR("target registry: a malformed record; run stria-mds --check");
		return rc;
	}
	return tgt_set(m, &t);
}

/* Persists the epoch + 1 with a commit of its own. */
static int epoch_bump(struct mgs *m)
{
	struct proto_creds root = {0};
	struct proto_cur c;
	struct mds_tx *tx;
	uint8_t v[9];
	void *old = NULL;
	size_t len = 0;
	int rc;

	rc = mds_db_get(m->svc->db, key_epoch, sizeof(key_epoch), &old, &len);
	if (rc >= 0) {
		proto_cur_init_ro(&c, old, len);
		if (proto_get_u8(&c) != 1)
			proto_cur_fail(&c, -EPROTO);
		m->epoch = proto_get_u64(&c);
		free(old);
		if (proto_cur_finish(&c))
			return -EIO;
	} else if (rc != -ENOENT) {
		return rc;
	}
	m->epoch++;
	proto_cur_init(&c, v, sizeof(v));
	proto_put_u8(&c, 1);
	proto_put_u64(&c, m->epoch);
	rc = mds_tx_begin(m->svc->db, &root, &tx);
	if (rc)
		return rc;
	rc = mds_tx_put(tx, key_epoch, sizeof(key_epoch), v, sizeof(v));
	if (rc) {
		mds_tx_abort(tx);
		return rc;
	}
	return mds_tx_commit(tx);
}

int mgs_new(struct mds_svc *svc, struct mgs **out)
{
	const uint8_t prefix[2] = {'T', 'T'};
	struct mgs *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return -ENOMEM;
	m->svc = svc;
	pthread_mutex_init(&m->reg_mu, NULL);
	pthread_mutex_init(&m->mu, NULL);
	pthread_mutex_init(&m->srv_mu, NULL);
	atomic_init(&m->counter, 1);
	rc = epoch_bump(m);
	if (rc == 0)
		rc = mds_db_scan(svc->db, prefix, sizeof(prefix), load_tgt, m);
	if (rc == 0)
		rc = pool_load(m);
	if (rc) {
		mgs_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void mgs_free(struct mgs *m)
{
	if (!m)
		return;
	pool_free_all(m);
	free(m->tgts);
	pthread_mutex_destroy(&m->srv_mu);
	pthread_mutex_destroy(&m->mu);
	pthread_mutex_destroy(&m->reg_mu);
	free(m);
}

int mgs_start_osts(struct mgs *m)
{
	int rc = 0;

	pthread_mutex_lock(&m->mu);
	for (uint32_t i = 0; rc == 0 && i < m->ntgts; i++)
		if (m->tgts[i].type == PROTO_TARGET_OST)
			rc = ost_set_update(m->svc->osts, &m->tgts[i]);
	pthread_mutex_unlock(&m->mu);
	return rc;
}

uint64_t mgs_gen(struct mgs *m)
{
	return m->epoch << 32 | (atomic_load(&m->counter) & 0xffffffffu);
}

void mgs_bump(struct mgs *m)
{
	if (!m)
		return;
	atomic_fetch_add(&m->counter, 1);
	pthread_mutex_lock(&m->srv_mu);
	if (!m->detached && m->svc->srv)
		net_server_set_tgt_gen(m->svc->srv, mgs_gen(m));
	pthread_mutex_unlock(&m->srv_mu);
}

void mgs_detach(struct mgs *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->srv_mu);
	m->detached = true;
	pthread_mutex_unlock(&m->srv_mu);
}

bool mgs_tgt_known(struct mgs *m, uint32_t index)
{
	uint32_t pos;
	bool known;

	pthread_mutex_lock(&m->mu);
	pos = tgt_pos(m, index);
	known = pos < m->ntgts && m->tgts[pos].index == index;
	pthread_mutex_unlock(&m->mu);
	return known;
}

uint32_t mgs_tgt_count(struct mgs *m)
{
	uint32_t n;

	pthread_mutex_lock(&m->mu);
	n = m->ntgts;
	pthread_mutex_unlock(&m->mu);
	return n;
}

bool mgs_admin_ok(struct mds_svc *svc, struct net_srv_req *r)
{
	if (net_srv_req_pre(r)->creds.fsuid == 0)
		return true;
	NET_WARN("%s: %s from %s (uid %u) refused: administrative requests need root", svc->id.name,
		 proto_op_name(net_srv_req_opcode(r)), net_srv_req_peer(r),
		 net_srv_req_pre(r)->creds.fsuid);
	svc_reply(svc, r, -EPERM);
	return false;
}

/* ---- MGS_TGT_REGISTER ------------------------------------------------------ */

static int tgt_persist(struct mds_svc *svc, const struct proto_mgs_tgt *t)
{
	struct proto_creds root = {0};
	uint8_t k[KEY_TGT_LEN], v[TGT_VAL_MAX];
	struct mds_tx *tx;
	int rc, len;

	len = tgt_encode(t, v, sizeof(v));
	if (len < 0)
		return len;
	key_tgt(k, t->index);
	rc = mds_tx_begin(svc->db, &root, &tx);
	if (rc)
		return rc;
	rc = mds_tx_put(tx, k, sizeof(k), v, (size_t)len);
	if (rc) {
		mds_tx_abort(tx);
		return rc;
	}
	return mds_tx_commit(tx);
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

/* Validates a registration against the MDT's identity. */
static int reg_check(struct mds_svc *svc, struct net_srv_req *r,
		     const struct proto_mgs_tgt_register_req *m)
{
	char want[PROTO_TARGET_NAME_MAX + 1];

	if (strcmp(m->fsname, svc->id.fsname) != 0) {
		NET_ERR("%s: registration of %s from %s refused: file system '%s', we serve '%s'",
			svc->id.name, m->tgt.name, net_srv_req_peer(r), m->fsname, svc->id.fsname);
		return -EINVAL;
	}
	if (m->tgt.type != PROTO_TARGET_OST ||
	    proto_target_name(m->fsname, m->tgt.type, m->tgt.index, want, sizeof(want)) ||
	    strcmp(want, m->tgt.name) != 0 || m->tgt.port == 0 || m->tgt.port > 65535 ||
	    m->tgt.nnids == 0) {
		NET_ERR("%s: registration of '%s' (index %u) from %s refused: not a valid OST "
			"of this file system",
			svc->id.name, m->tgt.name, m->tgt.index, net_srv_req_peer(r));
		return -EINVAL;
	}
	return 0;
}

void svc_h_tgt_register(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct mgs *m = svc->mgs;
	struct proto_mgs_tgt_register_req *req;
	struct proto_mgs_tgt_register_rep rep;
	struct proto_mgs_tgt old;
	struct proto_cur c;
	char u1[33], u2[33], nid[PROTO_NID_PORT_STRLEN];
	bool exists, changed;
	uint32_t pos;
	int rc;

	req = malloc(sizeof(*req));
	if (!req) {
		svc_reply(svc, r, -ENOMEM);
		return;
	}
	net_srv_req_body(r, &c);
	rc = proto_mgs_tgt_register_req_dec(&c, req);
	if (rc == 0)
		rc = reg_check(svc, r, req);
	if (rc)
		goto out;
	req->tgt.state = PROTO_MGS_TGT_INACTIVE;
	pthread_mutex_lock(&m->reg_mu);
	pthread_mutex_lock(&m->mu);
	pos = tgt_pos(m, req->tgt.index);
	exists = pos < m->ntgts && m->tgts[pos].index == req->tgt.index;
	if (exists)
		old = m->tgts[pos];
	pthread_mutex_unlock(&m->mu);
	if (exists && memcmp(old.uuid, req->tgt.uuid, PROTO_UUID_LEN) != 0) {
		NET_ERR("%s: %s registration from %s (uuid %s) refused: index %u is already "
			"registered to uuid %s at %s; reformat one of them with another index",
			svc->id.name, req->tgt.name, net_srv_req_peer(r),
			net_uuid_str(req->tgt.uuid, u1), req->tgt.index, net_uuid_str(old.uuid, u2),
			proto_nid_port_str(&old.nids[0], (uint16_t)old.port, nid, sizeof(nid)));
		rc = -EADDRINUSE;
		goto unlock;
	}
	changed = !exists || !addr_same(&old, &req->tgt);
	if (changed) {
		rc = tgt_persist(svc, &req->tgt);
		if (rc == 0) {
			pthread_mutex_lock(&m->mu);
			rc = tgt_set(m, &req->tgt);
			pthread_mutex_unlock(&m->mu);
		}
		if (rc)
			goto unlock;
		mgs_bump(m);
	}
	NET_INFO("%s: %s %s from %s at %s (uuid %s)", svc->id.name, req->tgt.name,
		 !exists   ? "registered"
		 : changed ? "re-registered with a new address"
			   : "re-registered",
		 net_srv_req_peer(r),
		 proto_nid_port_str(&req->tgt.nids[0], (uint16_t)req->tgt.port, nid, sizeof(nid)),
		 net_uuid_str(req->tgt.uuid, u1));
	rc = ost_set_update(svc->osts, &req->tgt);
unlock:
	pthread_mutex_unlock(&m->reg_mu);
out:
	if (rc == 0) {
		rep.gen = mgs_gen(m);
		rc = proto_mgs_tgt_register_rep_enc(net_srv_reply_body(r), &rep);
	}
	free(req);
	svc_reply(svc, r, rc);
}

/* ---- MGS_TGT_TABLE --------------------------------------------------------- */

void svc_h_tgt_table(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct mgs *m = svc->mgs;
	struct proto_mgs_tgt_table_req req;
	struct proto_mgs_tgt_table_enc a;
	struct proto_mgs_tgt *copy = NULL;
	struct proto_cur c, *out;
	uint32_t n = 0, flags = 0, i;
	uint64_t gen;
	int rc;

	net_srv_req_body(r, &c);
	rc = proto_mgs_tgt_table_req_dec(&c, &req);
	if (rc)
		goto out;
	pthread_mutex_lock(&m->mu);
	gen = mgs_gen(m);
	if (req.known_gen != gen && req.start < m->ntgts) {
		n = m->ntgts - req.start;
		copy = malloc(n * sizeof(*copy));
		if (copy)
			memcpy(copy, &m->tgts[req.start], n * sizeof(*copy));
		else
			rc = -ENOMEM;
	}
	pthread_mutex_unlock(&m->mu);
	if (rc)
		goto out;
	out = net_srv_reply_body(r);
	rc = proto_mgs_tgt_table_rep_begin(
	    &a, out, gen, proto_op_rep_body_max(PROTO_OP_MGS_TGT_TABLE) - out->pos);
	if (rc)
		goto out;
	if (req.known_gen == gen) {
		rc = proto_mgs_tgt_table_rep_end(&a, PROTO_MGS_TABLE_F_UNCHANGED);
		goto out;
	}
	for (i = 0; i < n; i++) {
		copy[i].state = ost_set_active(svc->osts, copy[i].index) ? PROTO_MGS_TGT_ACTIVE
									 : PROTO_MGS_TGT_INACTIVE;
		rc = proto_mgs_tgt_table_rep_add(&a, &copy[i]);
		if (rc == -ENOSPC)
			break;
		if (rc)
			goto out;
	}
	if (i == n)
		flags |= PROTO_MGS_TABLE_F_EOF;
	rc = proto_mgs_tgt_table_rep_end(&a, flags);
out:
	free(copy);
	svc_reply(svc, r, rc);
}
