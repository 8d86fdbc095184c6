/* SPDX-License-Identifier: Apache-2.0 */
/* Start-up, shutdown and the housekeeping thread of stria-mds. */
#include "svc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commit.h"
#include "mgs.h"
#include "ost.h"

#define SVC_DEFAULT_WORKERS 16
/* A destroy pass that left work is retried after this long. */
#define SVC_DESTROY_RETRY_MS 1000
/* Most new clients persisted per housekeeping step. */
#define SVC_PERSIST_STEP 64

/* Persists clients that connected since the last step (for the next restart). */
static void persist_new_clients(struct mds_svc *svc)
{
	uint8_t uuids[SVC_PERSIST_STEP][PROTO_UUID_LEN];
	uint32_t n = 0;

	pthread_mutex_lock(&svc->cl_mu);
	for (struct svc_client *cl = svc->clients; cl && n < SVC_PERSIST_STEP; cl = cl->next)
		if (!cl->persisted && cl->role == PROTO_ROLE_CLIENT) {
			cl->persisted = true;
			memcpy(uuids[n++], cl->uuid, PROTO_UUID_LEN);
		}
	pthread_mutex_unlock(&svc->cl_mu);
	for (uint32_t i = 0; i < n; i++) {
		if (rec_client_persist(svc, uuids[i], true)) {
			NET_ERR("%s: cannot record a client for recovery", svc->id.name);
			continue;
		}
		/* Durable now: the client will be waited for after a restart. */
		pthread_mutex_lock(&svc->cl_mu);
		for (struct svc_client *cl = svc->clients; cl; cl = cl->next)
			if (memcmp(cl->uuid, uuids[i], PROTO_UUID_LEN) == 0)
				atomic_store(&cl->recorded, true);
		pthread_mutex_unlock(&svc->cl_mu);
	}
}

/* Closes the opens of evicted clients and forgets them. */
static void reap_evicted(struct mds_svc *svc)
{
	struct svc_client *cl, *next;

	pthread_mutex_lock(&svc->cl_mu);
	cl = svc->evicted;
	svc->evicted = NULL;
	pthread_mutex_unlock(&svc->cl_mu);
	for (; cl; cl = next) {
		next = cl->next;
		svc_client_close_all(svc, cl);
		if (cl->role == PROTO_ROLE_CLIENT)
			rec_client_persist(svc, cl->uuid, false);
		svc_client_free(cl);
	}
}

static void *hk_main(void *arg)
{
	struct mds_svc *svc = arg;
	uint64_t last_destroy = 0, adds, last_adds = 0;
	bool destroy_pending = true;
	struct timespec ts;

	pthread_mutex_lock(&svc->hk_mu);
	while (!svc->hk_stop) {
		if (!svc->hk_kick) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += SVC_TICK_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&svc->hk_cv, &svc->hk_mu, &ts);
		}
		svc->hk_kick = false;
		if (svc->hk_stop)
			break;
		pthread_mutex_unlock(&svc->hk_mu);

		uint64_t now = net_now_ms();

		ost_set_tick(svc->osts);
		rec_tick(svc);
		reap_evicted(svc);
		persist_new_clients(svc);
		/* Not while clients may still replay opens of kept files. */
		if (!rec_active(svc)) {
			int n = mds_orphan_expire(svc->db);

			if (n < 0)
				NET_ERR("%s: destroying unlinked files past their grace failed: %s",
					svc->id.name, strerror(-n));
		}
		/*
		 * A pass lists the whole queue: only when a batch queued objects
		 * since the last one (expiries included), or to retry.
		 */
		adds = mds_db_destroy_adds(svc->db);
		if (adds != last_adds ||
		    (destroy_pending && now - last_destroy >= SVC_DESTROY_RETRY_MS)) {
			int rc;

			last_adds = adds;
			rc = destroy_pass(svc);

			destroy_pending = rc < 0;
			last_destroy = now;
		}
		if (now - svc->last_trim_ms >= SVC_TRIM_PERIOD_MS) {
			int rc = rlog_trim(svc);

			if (rc < 0)
				NET_ERR("%s: reply log trim failed: %s", svc->id.name,
					strerror(-rc));
			svc->last_trim_ms = now;
		}
		pthread_mutex_lock(&svc->hk_mu);
	}
	pthread_mutex_unlock(&svc->hk_mu);
	return NULL;
}

static int load_identity(struct mds_svc *svc)
{
	int rc = proto_target_id_load(svc->cfg.dir, &svc->id);

	if (rc) {
		NET_ERR("%s: cannot read the target identity: %s%s", svc->cfg.dir, strerror(-rc),
			rc == -ENOENT ? " (format it with mkfs.stria --mdt)" : "");
		return rc;
	}
	if (svc->id.type != PROTO_TARGET_MDT) {
		NET_ERR("%s: %s is not an MDT", svc->cfg.dir, svc->id.name);
		return -EINVAL;
	}
	return 0;
}

static int open_db(struct mds_svc *svc)
{
	struct mds_db_opts opts = {
	    .alloc_objects = ost_alloc_objects,
	    .claim_objects = ost_claim_objects,
	    .alloc_arg = svc->osts,
	    .manual_wal_flush = svc->cfg.manual_wal_flush,
	    .commit_window_us = svc->cfg.commit_window_us < 0 ? GC_WINDOW_DEFAULT_US
							      : (uint32_t)svc->cfg.commit_window_us,
	    .unlink_grace_s = svc->cfg.unlink_grace_s < 0 ? MDS_UNLINK_GRACE_S
							  : (uint32_t)svc->cfg.unlink_grace_s};
	char path[PATH_MAX];
	int rc;

	if (snprintf(path, sizeof(path), "%s/db", svc->cfg.dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	rc = mds_db_open(path, &opts, &svc->db);
	if (rc)
		NET_ERR("%s: cannot open the database: %s%s", path, strerror(-rc),
			rc == -EBUSY ? " (another stria-mds serves it)" : "");
	return rc;
}

static int start_server(struct mds_svc *svc)
{
	struct net_server_cfg nc = {
	    .name = svc->id.name,
	    .fsname = svc->id.fsname,
	    .key = svc->key,
	    .boot_instance = svc->boot,
	    .nworkers = svc->cfg.nworkers ? svc->cfg.nworkers : SVC_DEFAULT_WORKERS,
	    .evict_ms = svc->cfg.evict_ms,
	    .handlers = svc_handlers(),
	    .arg = svc,
	    .on_export_new = svc_on_export_new,
	    .on_export_evict = svc_on_export_evict,
	};
	struct proto_nid any = {.lnd = PROTO_LND_TCP, .addr = "0.0.0.0"};
	uint16_t port = svc->cfg.port ? svc->cfg.port : PROTO_DEFAULT_PORT;
	uint32_t n = svc->cfg.nlisten;
	int rc;

	memcpy(nc.uuid, svc->uuid, PROTO_UUID_LEN);
	rc = net_server_new(&nc, &svc->srv);
	if (rc)
		return rc;
	net_server_set_tgt_gen(svc->srv, mgs_gen(svc->mgs));
	for (uint32_t i = 0; rc == 0 && i < (n ? n : 1); i++)
		rc = net_server_listen(svc->srv, n ? &svc->cfg.listen[i] : &any, port);
	if (rc == 0)
		rc = net_server_start(svc->srv);
	return rc;
}

static void log_started(struct mds_svc *svc)
{
	char nids[PROTO_NID_LIST_STRLEN] = "", one[PROTO_NID_STRLEN];
	uint32_t n = svc->cfg.nlisten;

	for (uint32_t i = 0; i < n; i++) {
		if (i)
			strncat(nids, " ", sizeof(nids) - strlen(nids) - 1);
		strncat(nids, proto_nid_str(&svc->cfg.listen[i], one, sizeof(one)),
			sizeof(nids) - strlen(nids) - 1);
	}
	NET_INFO("stria-mds %s: serving %s (file system %s) on %s port %u, %u OST(s) "
		 "registered, commit window %d us%s, unlink grace %d s, %s",
		 STRIA_VERSION, svc->id.name, svc->id.fsname, n ? nids : "0.0.0.0@tcp",
		 svc->cfg.port ? svc->cfg.port : PROTO_DEFAULT_PORT, mgs_tgt_count(svc->mgs),
		 svc->cfg.commit_window_us < 0 ? GC_WINDOW_DEFAULT_US : svc->cfg.commit_window_us,
		 svc->cfg.manual_wal_flush ? " (WAL written only when synced)" : "",
		 svc->cfg.unlink_grace_s < 0 ? MDS_UNLINK_GRACE_S : svc->cfg.unlink_grace_s,
		 svc->key ? "clients must hold the cluster key"
			  : "no key: connections are not authenticated");
}

int mds_svc_start(const struct mds_svc_cfg *cfg, struct mds_svc **out)
{
	struct mds_svc *svc = calloc(1, sizeof(*svc));
	struct timespec ts;
	int rc;

	if (!svc)
		return -ENOMEM;
	svc->cfg = *cfg;
	failinj_init(&svc->fail);
	pthread_mutex_init(&svc->cl_mu, NULL);
	pthread_mutex_init(&svc->hk_mu, NULL);
	pthread_cond_init(&svc->hk_cv, NULL);
	clock_gettime(CLOCK_REALTIME, &ts);
	svc->boot = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	/* Handles of this instance start above every earlier instance's. */
	atomic_init(&svc->handle_seq, svc->boot);
	rc = load_identity(svc);
	if (rc)
		goto fail;
	memcpy(svc->uuid, svc->id.uuid, PROTO_UUID_LEN);
	for (uint32_t i = 0; rc == 0 && i < cfg->nfail; i++) {
		rc = failinj_parse(&svc->fail, cfg->fail[i]);
		if (rc)
			NET_ERR("--fail %s: %s", cfg->fail[i],
				rc == -ENOENT ? "no such failure point" : "bad specification");
	}
	if (rc == 0 && cfg->key_file) {
		rc = net_key_load(cfg->key_file, &svc->key);
		if (rc)
			NET_ERR("%s: cannot load the cluster key: %s", cfg->key_file,
				strerror(-rc));
	}
	if (rc == 0)
		rc = ost_set_new(svc, &svc->osts);
	if (rc == 0)
		rc = open_db(svc);
	if (rc == 0)
		rc = ost_set_load(svc->osts, svc->db);
	if (rc == 0)
		rc = mgs_new(svc, &svc->mgs);
	if (rc == 0)
		rc = rec_start(svc);
	if (rc)
		goto fail;
	rc = start_server(svc);
	if (rc == 0)
		rc = mgs_start_osts(svc->mgs);
	if (rc == 0)
		rc = pthread_create(&svc->hk, NULL, hk_main, svc) ? -EAGAIN : 0;
	if (rc)
		goto fail;
	svc->hk_started = true;
	log_started(svc);
	*out = svc;
	return 0;
fail:
	mds_svc_stop(svc);
	return rc;
}

static void free_clients(struct svc_client *cl)
{
	struct svc_client *next;

	for (; cl; cl = next) {
		next = cl->next;
		svc_client_free(cl);
	}
}

void mds_svc_stop(struct mds_svc *svc)
{
	if (!svc)
		return;
	if (svc->rec_tail)
		rec_free(svc);
	/* No new connections; running requests finish and their replies go out. */
	mgs_detach(svc->mgs);
	net_server_free(svc->srv);
	svc->srv = NULL;
	if (svc->hk_started) {
		pthread_mutex_lock(&svc->hk_mu);
		svc->hk_stop = true;
		pthread_cond_signal(&svc->hk_cv);
		pthread_mutex_unlock(&svc->hk_mu);
		pthread_join(svc->hk, NULL);
	}
	ost_set_free(svc->osts);
	mgs_free(svc->mgs);
	free_clients(svc->clients);
	free_clients(svc->evicted);
	/*
	 * Every change acknowledged was durable before its reply or is kept by
	 * its client for replay (early answers); close syncs the rest.
	 */
	if (svc->db)
		NET_INFO("%s: %llu batches committed in %llu WAL syncs; %llu create(s) "
			 "answered before they were durable; %llu read(s) answered on the "
			 "loop thread, %llu handed to a worker from there",
			 svc->id.name, (unsigned long long)mds_db_applied(svc->db),
			 (unsigned long long)mds_db_wal_syncs(svc->db),
			 (unsigned long long)atomic_load(&svc->early_answers),
			 (unsigned long long)atomic_load(&svc->loop_reads),
			 (unsigned long long)atomic_load(&svc->loop_deferred));
	mds_db_close(svc->db);
	if (svc->rec_tail)
		rec_destroy(svc);
	net_key_free(svc->key);
	failinj_destroy(&svc->fail);
	pthread_cond_destroy(&svc->hk_cv);
	pthread_mutex_destroy(&svc->hk_mu);
	pthread_mutex_destroy(&svc->cl_mu);
	if (svc->id.name[0])
		NET_INFO("%s: stopped", svc->id.name);
	free(svc);
}
