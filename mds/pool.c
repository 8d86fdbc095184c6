/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OST pools (lctl pool_new/pool_add/pool_remove/pool_destroy/pool_list):
 * 'P' 'O' name -> u8 1, u32 n, n x u32 OST index (sorted).  Every change is
 * one commit under the registry mutex; requests need root credentials.
 */
#include "mgs_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc.h"

#define KEY_POOL_MAX (2 + PROTO_POOL_NAME_MAX)

static size_t key_pool(uint8_t *k, const char *name)
{
	size_t n = strlen(name);

	k[0] = 'P';
	k[1] = 'O';
	memcpy(k + 2, name, n);
	return 2 + n;
}

/* Index of pool @name, or -1 (caller holds mu). */
static int pool_find(struct mgs *m, const char *name)
{
	for (uint32_t i = 0; i < m->npools; i++)
		if (strcmp(m->pools[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_pool(const void *a, const void *b)
{
	return strcmp(((const struct mgs_pool *)a)->name, ((const struct mgs_pool *)b)->name);
}

/* Adds pool @name with @n members (copied) in memory (caller holds mu). */
static int pool_insert(struct mgs *m, const char *name, const uint32_t *members, uint32_t n)
{
	struct mgs_pool *np;
	uint32_t *mem = NULL;

	if (m->npools >= MGS_POOLS_MAX)
		return -ENOSPC;
	if (n) {
		mem = malloc(n * sizeof(*mem));
		if (!mem)
			return -ENOMEM;
		memcpy(mem, members, n * sizeof(*mem));
	}
	np = realloc(m->pools, (m->npools + 1) * sizeof(*np));
	if (!np) {
		free(mem);
		return -ENOMEM;
	}
	m->pools = np;
	memset(&np[m->npools], 0, sizeof(*np));
	snprintf(np[m->npools].name, sizeof(np->name), "%s", name);
	np[m->npools].members = mem;
	np[m->npools].n = n;
	m->npools++;
	qsort(m->pools, m->npools, sizeof(*np), cmp_pool);
	return 0;
}

static int load_pool(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct mgs *m = arg;
	char name[PROTO_POOL_NAME_MAX + 1];
	uint32_t *mem = NULL, n;
	struct proto_cur c;
	int rc;

	if (klen < 3 || klen > KEY_POOL_MAX)
		return 0;
	memcpy(name, (const uint8_t *)key + 2, klen - 2);
	name[klen - 2] = '\0';
	proto_cur_init_ro(&c, val, vlen);
	if (proto_get_u8(&c) != 1)
		proto_cur_fail(&c, -EPROTO);
	n = proto_get_u32(&c);
	if (n > MGS_TGTS_MAX)
		proto_cur_fail(&c, -EPROTO);
	if (!proto_cur_err(&c) && n) {
		mem = malloc(n * sizeof(*mem));
		if (!mem)
			return -ENOMEM;
		for (uint32_t i = 0; i < n; i++)
			mem[i] = proto_get_u32(&c);
	}
	rc = proto_cur_finish(&c) ? -EIO : pool_insert(m, name, mem, n);
	free(mem);
	return rc;
}

int pool_load(struct mgs *m)
{
	const uint8_t prefix[2] = {'P', 'O'};

	return mds_db_scan(m->svc->db, prefix, sizeof(prefix), load_pool, m);
}

void pool_free_all(struct mgs *m)
{
	for (uint32_t i = 0; i < m->npools; i++)
		free(m->pools[i].members);
	free(m->pools);
	m->pools = NULL;
	m->npools = 0;
}

int mgs_pool_members(struct mgs *m, const char *name, uint32_t *out, uint32_t cap)
{
	int i, rc;

	pthread_mutex_lock(&m->mu);
	i = pool_find(m, name);
	if (i < 0) {
		rc = -ENOENT;
	} else {
		const struct mgs_pool *p = &m->pools[i];

		if (p->n && cap)
			memcpy(out, p->members, (p->n < cap ? p->n : cap) * sizeof(*out));
		rc = (int)p->n;
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

/* Persists pool @name with @n members, or deletes it (@del). */
static int pool_persist(struct mds_svc *svc, const char *name, const uint32_t *members, uint32_t n,
			bool del)
{
	struct proto_creds root = {0};
	uint8_t k[KEY_POOL_MAX];
	size_t klen = key_pool(k, name), vlen = 5 + 4 * (size_t)n;
	struct proto_cur c;
	struct mds_tx *tx;
	uint8_t *v;
	int rc;

	v = malloc(vlen);
	if (!v)
		return -ENOMEM;
	proto_cur_init(&c, v, vlen);
	proto_put_u8(&c, 1);
	proto_put_u32(&c, n);
	for (uint32_t i = 0; i < n; i++)
		proto_put_u32(&c, members[i]);
	rc = mds_tx_begin(svc->db, &root, &tx);
	if (rc)
		goto out;
	rc = del ? mds_tx_del(tx, k, klen) : mds_tx_put(tx, k, klen, v, vlen);
	if (rc)
		mds_tx_abort(tx);
	else
		rc = mds_tx_commit(tx);
out:
	free(v);
	return rc;
}

static int check_fs(struct mds_svc *svc, const char *fsname, const char *pool)
{
	if (strcmp(fsname, svc->id.fsname) != 0)
		return -EINVAL;
	if (pool && !proto_pool_name_valid(pool))
		return -EINVAL;
	return 0;
}

void svc_h_pool_new(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct mgs *m = svc->mgs;
	struct proto_mgs_pool_req req;
	struct proto_cur c;
	int rc;

	if (!mgs_admin_ok(svc, r))
		return;
	net_srv_req_body(r, &c);
	rc = proto_mgs_pool_req_dec(&c, &req);
	if (rc == 0)
		rc = check_fs(svc, req.fsname, req.pool);
	if (rc)
		goto out;
	pthread_mutex_lock(&m->reg_mu);
	pthread_mutex_lock(&m->mu);
	rc = pool_find(m, req.pool) >= 0 ? -EEXIST : m->npools >= MGS_POOLS_MAX ? -ENOSPC : 0;
	pthread_mutex_unlock(&m->mu);
	if (rc == 0)
		rc = pool_persist(svc, req.pool, NULL, 0, false);
	if (rc == 0) {
		pthread_mutex_lock(&m->mu);
		rc = pool_insert(m, req.pool, NULL, 0);
		pthread_mutex_unlock(&m->mu);
	}
	pthread_mutex_unlock(&m->reg_mu);
	if (rc == 0)
		NET_INFO("%s: pool %s.%s created", svc->id.name, req.fsname, req.pool);
out:
	if (rc == 0)
		rc = proto_mgs_empty_enc(net_srv_reply_body(r));
	svc_reply(svc, r, rc);
}

/*
 * POOL_ADD (@add) and POOL_REMOVE: the new member list of the pool, checked
 * against the registry: adding an OST that is not registered is -EINVAL,
 * one already in the pool -EEXIST; removing one not in it -ENOENT.
 */
static int pool_mod(struct mgs *m, const struct proto_mgs_pool_mod_req *req, bool add,
		    uint32_t **out, uint32_t *nout)
{
	uint32_t *nm, n;
	const struct mgs_pool *p;
	int i;

	i = pool_find(m, req->pool);
	if (i < 0)
		return -ENOENT;
	p = &m->pools[i];
	nm = malloc((p->n + req->count + 1) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	if (p->n)
		memcpy(nm, p->members, p->n * sizeof(*nm));
	n = p->n;
	for (uint32_t k = 0; k < req->count; k++) {
		uint32_t ost = req->osts[k], j;

		for (j = 0; j < n && nm[j] != ost; j++)
			;
		if (add) {
			if (j < n) {
				free(nm);
				return -EEXIST;
			}
			nm[n++] = ost;
		} else {
			if (j == n) {
				free(nm);
				return -ENOENT;
			}
			nm[j] = nm[--n];
		}
	}
	qsort(nm, n, sizeof(*nm), cmp_u32);
	*out = nm;
	*nout = n;
	return 0;
}

static void pool_mod_handler(struct net_srv_req *r, struct mds_svc *svc, bool add)
{
	struct mgs *m = svc->mgs;
	struct proto_mgs_pool_mod_req *req;
	uint32_t *nm = NULL, n = 0;
	struct proto_cur c;
	int rc, i;

	if (!mgs_admin_ok(svc, r))
		return;
	req = malloc(sizeof(*req));
	if (!req) {
		svc_reply(svc, r, -ENOMEM);
		return;
	}
	net_srv_req_body(r, &c);
	rc = proto_mgs_pool_mod_req_dec(&c, req);
	if (rc == 0)
		rc = check_fs(svc, req->fsname, req->pool);
	for (uint32_t k = 0; rc == 0 && add && k < req->count; k++)
		if (!mgs_tgt_known(m, req->osts[k]))
			rc = -EINVAL;
	if (rc)
		goto out;
	pthread_mutex_lock(&m->reg_mu);
	pthread_mutex_lock(&m->mu);
	rc = pool_mod(m, req, add, &nm, &n);
	pthread_mutex_unlock(&m->mu);
	if (rc == 0)
		rc = pool_persist(svc, req->pool, nm, n, false);
	if (rc == 0) {
		pthread_mutex_lock(&m->mu);
		i = pool_find(m, req->pool);
		free(m->pools[i].members);
		m->pools[i].members = nm;
		m->pools[i].n = n;
		nm = NULL;
		pthread_mutex_unlock(&m->mu);
		NET_INFO("%s: pool %s.%s: %u OST(s) %s, %u member(s) now", svc->id.name,
			 req->fsname, req->pool, req->count, add ? "added" : "removed", n);
	}
	pthread_mutex_unlock(&m->reg_mu);
out:
	free(nm);
	free(req);
	if (rc == 0)
		rc = proto_mgs_empty_enc(net_srv_reply_body(r));
	svc_reply(svc, r, rc);
}

void svc_h_pool_add(struct net_srv_req *r, void *arg)
{
	pool_mod_handler(r, arg, true);
}

void svc_h_pool_remove(struct net_srv_req *r, void *arg)
{
	pool_mod_handler(r, arg, false);
}

/* As Lustre's pool_destroy: only an empty pool (-ENOTEMPTY otherwise). */
void svc_h_pool_destroy(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct mgs *m = svc->mgs;
	struct proto_mgs_pool_req req;
	struct proto_cur c;
	int rc, i;

	if (!mgs_admin_ok(svc, r))
		return;
	net_srv_req_body(r, &c);
	rc = proto_mgs_pool_req_dec(&c, &req);
	if (rc == 0)
		rc = check_fs(svc, req.fsname, req.pool);
	if (rc)
		goto out;
	pthread_mutex_lock(&m->reg_mu);
	pthread_mutex_lock(&m->mu);
	i = pool_find(m, req.pool);
	rc = i < 0 ? -ENOENT : m->pools[i].n ? -ENOTEMPTY : 0;
	pthread_mutex_unlock(&m->mu);
	if (rc == 0)
		rc = pool_persist(svc, req.pool, NULL, 0, true);
	if (rc == 0) {
		pthread_mutex_lock(&m->mu);
		i = pool_find(m, req.pool);
		free(m->pools[i].members);
		memmove(&m->pools[i], &m->pools[i + 1],
			(m->npools - (uint32_t)i - 1) * sizeof(m->pools[0]));
		m->npools--;
		pthread_mutex_unlock(&m->mu);
		NET_INFO("%s: pool %s.%s destroyed", svc->id.name, req.fsname, req.pool);
	}
	pthread_mutex_unlock(&m->reg_mu);
out:
	if (rc == 0)
		rc = proto_mgs_empty_enc(net_srv_reply_body(r));
	svc_reply(svc, r, rc);
}

/* POOL_LIST is read-only: any credentials may list. */
void svc_h_pool_list(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct mgs *m = svc->mgs;
	struct proto_mgs_pool_list_req req;
	struct proto_mgs_pool_list_enc a;
	struct proto_cur c, *out;
	bool eof = true;
	int rc;

	net_srv_req_body(r, &c);
	rc = proto_mgs_pool_list_req_dec(&c, &req);
	if (rc == 0)
		rc = check_fs(svc, req.fsname, NULL);
	if (rc)
		goto reply;
	out = net_srv_reply_body(r);
	rc = proto_mgs_pool_list_rep_begin(
	    &a, out, proto_op_rep_body_max(PROTO_OP_MGS_POOL_LIST) - out->pos);
	if (rc)
		goto reply;
	pthread_mutex_lock(&m->mu);
	if (req.pool[0] && pool_find(m, req.pool) < 0)
		rc = -ENOENT;
	for (uint32_t i = 0; rc == 0 && i < m->npools; i++) {
		const struct mgs_pool *p = &m->pools[i];

		if (req.pool[0] && strcmp(p->name, req.pool) != 0)
			continue;
		if (req.after[0] && strcmp(p->name, req.after) <= 0)
			continue;
		rc = proto_mgs_pool_list_rep_add(&a, p->name, p->members, p->n);
		if (rc == -ENOSPC) {
			rc = 0;
			eof = false;
			break;
		}
	}
	pthread_mutex_unlock(&m->mu);
	if (rc == 0)
		rc = proto_mgs_pool_list_rep_end(&a, eof);
reply:
	svc_reply(svc, r, rc);
}
