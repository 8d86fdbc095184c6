/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reply log: 'R' client-uuid(16) xid(be64) -> u8 1, u16 opcode, i32
 * status, u64 boot instance, i64 time (s), u32 length, the reply body.
 * Written in the batch of the operation it answers; trimmed in the
 * background once the client acknowledged the xid (acked_xid of its later
 * requests), or when its client is gone and the record is older than
 * SVC_REPLY_TTL_S.
 */
#include "svc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Most records deleted by one trim commit. */
#define TRIM_BATCH 4096

static void rlog_key(uint8_t k[RLOG_KEY_LEN], const uint8_t *uuid, uint64_t xid)
{
	k[0] = 'R';
	memcpy(k + 1, uuid, PROTO_UUID_LEN);
	for (int i = 0; i < 8; i++)
		k[1 + PROTO_UUID_LEN + i] = (uint8_t)(xid >> (56 - 8 * i));
}

int rlog_put(struct mds_tx *tx, const uint8_t *uuid, uint64_t xid, uint16_t opcode, int32_t status,
	     uint64_t boot, const void *body, uint32_t len)
{
	uint8_t k[RLOG_KEY_LEN];
	size_t vlen = 1 + 2 + 4 + 8 + 8 + 4 + (size_t)len;
	struct proto_cur c;
	uint8_t *v;
	int rc;

	v = malloc(vlen);
	if (!v)
		return -ENOMEM;
	proto_cur_init(&c, v, vlen);
	proto_put_u8(&c, 1);
	proto_put_u16(&c, opcode);
	proto_put_i32(&c, status);
	proto_put_u64(&c, boot);
	proto_put_i64(&c, (int64_t)time(NULL));
	proto_put_u32(&c, len);
	proto_put_bytes(&c, body, len);
	rlog_key(k, uuid, xid);
	rc = mds_tx_put(tx, k, sizeof(k), v, vlen);
	free(v);
	return rc;
}

/* Decodes a record's header; *@body points into @v. */
static int rlog_decode(const void *v, size_t vlen, struct rlog_rec *rec, int64_t *when,
		       const uint8_t **body)
{
	struct proto_cur c;

	proto_cur_init_ro(&c, v, vlen);
	if (proto_get_u8(&c) != 1)
		proto_cur_fail(&c, -EPROTO);
	rec->opcode = proto_get_u16(&c);
	rec->status = proto_get_i32(&c);
	rec->boot = proto_get_u64(&c);
	*when = proto_get_i64(&c);
	rec->len = proto_get_u32(&c);
	*body = proto_cur_rspace(&c, rec->len);
	return proto_cur_finish(&c) ? -EIO : 0;
}

int rlog_get(struct mds_db *db, const uint8_t *uuid, uint64_t xid, struct rlog_rec *rec)
{
	uint8_t k[RLOG_KEY_LEN];
	const uint8_t *body;
	void *v = NULL;
	size_t vlen = 0;
	int64_t when;
	int rc;

	rlog_key(k, uuid, xid);
	rc = mds_db_get(db, k, sizeof(k), &v, &vlen);
	if (rc < 0)
		return rc;
	rc = rlog_decode(v, vlen, rec, &when, &body);
	if (rc == 0) {
		rec->body = malloc(rec->len ? rec->len : 1);
		if (rec->body)
			memcpy(rec->body, body, rec->len);
		else
			rc = -ENOMEM;
	}
	free(v);
	return rc;
}

struct trim_client {
	uint8_t uuid[PROTO_UUID_LEN];
	uint64_t acked;
};

struct trim_state {
	struct trim_client *cl;
	size_t ncl;
	int64_t now;
	uint8_t (*del)[RLOG_KEY_LEN];
	size_t ndel;
};

static int cmp_client(const void *a, const void *b)
{
	return memcmp(a, b, PROTO_UUID_LEN);
}

static int trim_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct trim_state *t = arg;
	const uint8_t *k = key, *body;
	const struct trim_client *c;
	struct rlog_rec rec;
	uint64_t xid = 0;
	int64_t when;
	bool drop;

	if (klen != RLOG_KEY_LEN)
		return 0;
	for (int i = 0; i < 8; i++)
		xid = xid << 8 | k[1 + PROTO_UUID_LEN + i];
	c = bsearch(k + 1, t->cl, t->ncl, sizeof(*t->cl), cmp_client);
	if (c)
		drop = xid <= c->acked;
	else
		drop = rlog_decode(val, vlen, &rec, &when, &body) != 0 ||
		       t->now - when > SVC_REPLY_TTL_S;
	if (drop) {
		memcpy(t->del[t->ndel++], k, RLOG_KEY_LEN);
		if (t->ndel == TRIM_BATCH)
			return 1;
	}
	return 0;
}

int rlog_trim(struct mds_svc *svc)
{
	const uint8_t prefix = 'R';
	struct proto_creds root = {0};
	struct trim_state t = {.now = (int64_t)time(NULL)};
	struct svc_client *cl;
	struct mds_tx *tx;
	size_t n = 0;
	int rc;

	pthread_mutex_lock(&svc->cl_mu);
	for (cl = svc->clients; cl; cl = cl->next)
		n++;
	t.cl = calloc(n ? n : 1, sizeof(*t.cl));
	if (t.cl)
		for (cl = svc->clients; cl; cl = cl->next) {
			memcpy(t.cl[t.ncl].uuid, cl->uuid, PROTO_UUID_LEN);
			t.cl[t.ncl++].acked = atomic_load(&cl->acked_xid);
		}
	pthread_mutex_unlock(&svc->cl_mu);
	t.del = malloc(TRIM_BATCH * sizeof(*t.del));
	if (!t.cl || !t.del) {
		rc = -ENOMEM;
		goto out;
	}
	qsort(t.cl, t.ncl, sizeof(*t.cl), cmp_client);
	rc = mds_db_scan(svc->db, &prefix, 1, trim_one, &t);
	if (rc < 0 || t.ndel == 0)
		goto out;
	rc = mds_tx_begin(svc->db, &root, &tx);
	if (rc)
		goto out;
	for (size_t i = 0; i < t.ndel; i++)
		mds_tx_del(tx, t.del[i], RLOG_KEY_LEN);
	rc = mds_tx_commit(tx);
	if (rc == 0)
		rc = (int)t.ndel;
out:
	free(t.cl);
	free(t.del);
	return rc;
}
