/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The target table (fetched from the MDS in its MGS role at mount,
 * MGS_TGT_TABLE page by page) and one RPC client per OST.  A reply preamble
 * whose tgt_gen is newer than ours makes a background thread fetch the table
 * again; clients of known OSTs stay, new OSTs get one.
 */
#include "fc_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fc_tgt {
	struct proto_mgs_tgt t;
	struct net_client *cl; /* OSTs only; never freed before unmount */
	bool own;	       /* cl was created for this entry (others share it) */
};

struct fc_targets {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Protected by mu. */
	struct fc_tgt *v;
	uint32_t n, cap;
	uint64_t gen;
	bool refreshing;
};

static struct fc_tgt *find(struct fc_targets *t, uint32_t type, uint32_t idx)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i].t.type == type && t->v[i].t.index == idx)
			return &t->v[i];
	return NULL;
}

static int new_ost_client(struct fc_fs *fs, const struct proto_mgs_tgt *t, struct net_client **out)
{
	struct net_client_cfg cfg = {
	    .name = t->name,
	    .nnids = t->nnids,
	    .port = (uint16_t)t->port,
	    .fsname = fs->src.fsname,
	    .role = PROTO_ROLE_CLIENT,
	    .key = fs->key,
	    .give_up_ms = fs->opts.io_timeout_ms,
	    /* Resend soon after a silent server: the I/O timeout bounds the whole wait. */
	    .timeout_ms = fs->opts.io_timeout_ms < 20000 ? fs->opts.io_timeout_ms / 2 + 1 : 0,
	};

	memcpy(cfg.nids, t->nids, sizeof(cfg.nids));
	memcpy(cfg.uuid, fs->uuid, PROTO_UUID_LEN);
	return net_client_new(fs->loop, &cfg, out);
}

/* Merges entry @e into the table (under mu); creates an OST client if new. */
static int merge(struct fc_fs *fs, struct fc_targets *t, const struct proto_mgs_tgt *e)
{
	struct fc_tgt *cur = find(t, e->type, e->index);
	int rc;

	if (cur) {
		uint32_t port = cur->t.port;

		cur->t = *e;
		if (port != e->port && cur->cl)
			NET_WARN("%s: port changed to %u; keeping the existing connection", e->name,
				 e->port);
		return 0;
	}
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 8;
		struct fc_tgt *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	cur = &t->v[t->n];
	memset(cur, 0, sizeof(*cur));
	cur->t = *e;
	if (e->type == PROTO_TARGET_OST) {
		/*
		 * One connection per server: an OSS serving several OSTs knows
		 * this client by its uuid and keeps one connection for it.
		 */
		for (uint32_t i = 0; i < t->n; i++)
			if (t->v[i].cl && t->v[i].t.port == e->port &&
			    proto_nid_eq(&t->v[i].t.nids[0], &e->nids[0]))
				cur->cl = t->v[i].cl;
		if (!cur->cl) {
			rc = new_ost_client(fs, e, &cur->cl);
			if (rc)
				return rc;
			cur->own = true;
		}
	}
	t->n++;
	return 0;
}

/* One full listing, page by page; restarts when the generation moves. */
static int load(struct fc_fs *fs)
{
	struct fc_targets *t = fs->tgts;
	uint32_t start = 0;
	uint64_t gen = 0;
	int rc = 0, tries = 0;

	for (;;) {
		struct proto_mgs_tgt_table_req m = {.known_gen = 0, .start = start};
		struct proto_mgs_tgt_table_rep_iter it;
		struct proto_mgs_tgt e;
		struct net_req *req = net_req_new(PROTO_OP_MGS_TGT_TABLE, NULL);
		struct proto_cur c;
		uint32_t got = 0;

		if (!req)
			return -ENOMEM;
		rc = proto_mgs_tgt_table_req_enc(net_req_body(req), &m);
		if (rc == 0)
			rc = net_call(fs->mds, req);
		if (rc == 0) {
			net_req_reply(req, &c);
			rc = proto_mgs_tgt_table_rep_iter_init(&it, &c);
		}
		if (rc == 0 && start != 0 && it.gen != gen) {
			/* The table changed under the listing: start over. */
			net_req_free(req);
			start = 0;
			if (++tries > 10)
				return -EAGAIN;
			continue;
		}
		gen = rc == 0 ? it.gen : gen;
		while (rc == 0) {
			rc = proto_mgs_tgt_table_rep_iter_next(&it, &e);
			if (rc != 1)
				break;
			pthread_mutex_lock(&t->mu);
			rc = merge(fs, t, &e);
			pthread_mutex_unlock(&t->mu);
			got++;
		}
		net_req_free(req);
		if (rc < 0)
			return rc;
		if ((it.flags & PROTO_MGS_TABLE_F_EOF) || got == 0)
			break;
		start += got;
	}
	pthread_mutex_lock(&t->mu);
	if (gen > t->gen)
		t->gen = gen;
	pthread_mutex_unlock(&t->mu);
	return 0;
}

int fc_targets_load(struct fc_fs *fs)
{
	if (!fs->tgts) {
		fs->tgts = calloc(1, sizeof(*fs->tgts));
		if (!fs->tgts)
			return -ENOMEM;
		pthread_mutex_init(&fs->tgts->mu, NULL);
		pthread_cond_init(&fs->tgts->cv, NULL);
	}
	return load(fs);
}

void fc_targets_free(struct fc_fs *fs)
{
	struct fc_targets *t = fs->tgts;

	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	while (t->refreshing)
		pthread_cond_wait(&t->cv, &t->mu);
	pthread_mutex_unlock(&t->mu);
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i].own)
			net_client_free(t->v[i].cl);
	free(t->v);
	free(t);
	fs->tgts = NULL;
}

static void *refresh_thread(void *arg)
{
	struct fc_fs *fs = arg;
	struct fc_targets *t = fs->tgts;
	int rc = load(fs);

	if (rc)
		NET_WARN("refreshing the target table: %s", strerror(-rc));
	pthread_mutex_lock(&t->mu);
	t->refreshing = false;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

/* Starts a refresh unless one runs (under no lock). */
static void refresh(struct fc_fs *fs)
{
	struct fc_targets *t = fs->tgts;
	pthread_attr_t attr;
	pthread_t th;
	bool start = false;

	pthread_mutex_lock(&t->mu);
	if (!t->refreshing)
		start = t->refreshing = true;
	pthread_mutex_unlock(&t->mu);
	if (!start)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, refresh_thread, fs) != 0) {
		pthread_mutex_lock(&t->mu);
		t->refreshing = false;
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->mu);
	}
	pthread_attr_destroy(&attr);
}

void fc_targets_note_gen(struct fc_fs *fs, uint64_t gen)
{
	struct fc_targets *t = fs->tgts;
	bool newer;

	if (!t || gen == 0)
		return;
	pthread_mutex_lock(&t->mu);
	newer = gen > t->gen;
	pthread_mutex_unlock(&t->mu);
	if (newer)
		refresh(fs);
}

struct net_client *fc_target_ost(struct fc_fs *fs, uint32_t idx)
{
	struct fc_targets *t = fs->tgts;
	struct net_client *cl = NULL;
	struct fc_tgt *e;

	pthread_mutex_lock(&t->mu);
	e = find(t, PROTO_TARGET_OST, idx);
	if (!e && !net_loop_in_thread(fs->loop)) {
		/* A layout names an OST we have not heard of: fetch the table once. */
		pthread_mutex_unlock(&t->mu);
		refresh(fs);
		pthread_mutex_lock(&t->mu);
		while (t->refreshing)
			pthread_cond_wait(&t->cv, &t->mu);
		e = find(t, PROTO_TARGET_OST, idx);
	}
	if (e)
		cl = e->cl;
	pthread_mutex_unlock(&t->mu);
	return cl;
}

int fc_targets_list(struct fc_fs *fs, struct fc_target_info **out, uint32_t *n)
{
	struct fc_targets *t = fs->tgts;
	struct fc_target_info *v;

	pthread_mutex_lock(&t->mu);
	v = calloc(t->n ? t->n : 1, sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&t->mu);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < t->n; i++) {
		v[i].type = t->v[i].t.type;
		v[i].index = t->v[i].t.index;
		memcpy(v[i].name, t->v[i].t.name, sizeof(v[i].name));
		v[i].cl = t->v[i].cl;
	}
	*n = t->n;
	pthread_mutex_unlock(&t->mu);
	*out = v;
	return 0;
}
