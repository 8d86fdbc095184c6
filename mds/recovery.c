/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recovery window.  Clients ('T' 'C' uuid, persisted when they first
 * connect, deleted at eviction) are expected back after a restart.  While the
 * window is open, open replays (MDS_OPEN with PROTO_OPEN_F_REPLAY), closes,
 * resends of committed requests and reads run; new opens and namespace
 * changes are parked and run when it ends.  It ends when every expected
 * client has sent a request that had to wait (a client replays its opens
 * first, so that request means it is done), or after the window's length.
 * Then orphans nobody reclaimed are destroyed.
 */
#include "svc.h"

#include "ost.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KEY_CLIENT_LEN (2 + PROTO_UUID_LEN)

static void key_client(uint8_t k[KEY_CLIENT_LEN], const uint8_t *uuid)
{
	k[0] = 'T';
	k[1] = 'C';
	memcpy(k + 2, uuid, PROTO_UUID_LEN);
}

static int load_client(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct mds_svc *svc = arg;
	void *n;

	if (klen != KEY_CLIENT_LEN)
		return 0;
	n = realloc(svc->rec_uuids, (svc->rec_expected + 1) * sizeof(*svc->rec_uuids));
	if (!n)
		return -ENOMEM;
	svc->rec_uuids = n;
	memcpy(svc->rec_uuids[svc->rec_expected++], (const uint8_t *)key + 2, PROTO_UUID_LEN);
	return 0;
}

static void orphan_cleanup(struct mds_svc *svc)
{
	int n = mds_orphan_cleanup(svc->db);

	if (n < 0)
		NET_ERR("%s: orphan cleanup failed: %s", svc->id.name, strerror(-n));
	else if (n > 0)
		NET_INFO("%s: destroyed %d orphan(s) no client reclaimed", svc->id.name, n);
	svc_kick(svc);
}

int rec_start(struct mds_svc *svc)
{
	const uint8_t prefix[2] = {'T', 'C'};
	int32_t win = svc->cfg.recovery_window_s;
	int rc;

	pthread_mutex_init(&svc->rec_mu, NULL);
	pthread_cond_init(&svc->rec_cv, NULL);
	svc->rec_tail = &svc->rec_parked;
	rc = mds_db_scan(svc->db, prefix, sizeof(prefix), load_client, svc);
	if (rc)
		return rc;
	if (win < 0)
		win = MDS_RECOVERY_WINDOW_S;
	if (svc->rec_expected == 0 || win == 0) {
		orphan_cleanup(svc);
		return 0;
	}
	svc->rec_seen = calloc(svc->rec_expected, sizeof(*svc->rec_seen));
	if (!svc->rec_seen)
		return -ENOMEM;
	svc->rec_active = true;
	svc->rec_end_ms = net_now_ms() + (uint64_t)win * 1000;
	NET_INFO("%s: recovery window open for %u client(s), at most %d s: new opens and "
		 "changes wait until they have replayed",
		 svc->id.name, svc->rec_expected, win);
	return 0;
}

int rec_client_persist(struct mds_svc *svc, const uint8_t *uuid, bool add)
{
	struct proto_creds root = {0};
	uint8_t k[KEY_CLIENT_LEN];
	struct mds_tx *tx;
	int rc;

	key_client(k, uuid);
	rc = mds_tx_begin(svc->db, &root, &tx);
	if (rc)
		return rc;
	rc = add ? mds_tx_put(tx, k, sizeof(k), "", 0) : mds_tx_del(tx, k, sizeof(k));
	if (rc) {
		mds_tx_abort(tx);
		return rc;
	}
	return mds_tx_commit(tx);
}

bool rec_active(struct mds_svc *svc)
{
	bool a;

	pthread_mutex_lock(&svc->rec_mu);
	a = svc->rec_active || svc->rec_stopping;
	pthread_mutex_unlock(&svc->rec_mu);
	return a;
}

bool rec_admit(struct mds_svc *svc, struct net_srv_req *r)
{
	struct svc_client *cl = svc_client_of(r);
	struct svc_parked *p;
	bool all = true;

	pthread_mutex_lock(&svc->rec_mu);
	if (!svc->rec_active) {
		pthread_mutex_unlock(&svc->rec_mu);
		return true;
	}
	p = malloc(sizeof(*p));
	if (!p) {
		pthread_mutex_unlock(&svc->rec_mu);
		net_srv_reply(r, -EAGAIN);
		return false;
	}
	p->r = r;
	p->next = NULL;
	*svc->rec_tail = p;
	svc->rec_tail = &p->next;
	for (uint32_t i = 0; i < svc->rec_expected; i++) {
		if (cl && memcmp(svc->rec_uuids[i], cl->uuid, PROTO_UUID_LEN) == 0)
			svc->rec_seen[i] = true;
		all = all && svc->rec_seen[i];
	}
	if (all)
		svc->rec_end_ms = 0; /* everyone is back: end now */
	pthread_mutex_unlock(&svc->rec_mu);
	if (all)
		svc_kick(svc);
	return false;
}

void rec_tick(struct mds_svc *svc)
{
	struct svc_parked *p, *next;
	uint32_t seen = 0;

	pthread_mutex_lock(&svc->rec_mu);
	if (!svc->rec_active || net_now_ms() < svc->rec_end_ms) {
		pthread_mutex_unlock(&svc->rec_mu);
		return;
	}
	svc->rec_active = false;
	p = svc->rec_parked;
	svc->rec_parked = NULL;
	svc->rec_tail = &svc->rec_parked;
	for (uint32_t i = 0; i < svc->rec_expected; i++)
		seen += svc->rec_seen[i];
	pthread_cond_broadcast(&svc->rec_cv);
	pthread_mutex_unlock(&svc->rec_mu);
	NET_INFO("%s: recovery window closed: %u of %u client(s) came back", svc->id.name, seen,
		 svc->rec_expected);
	orphan_cleanup(svc);
	ost_set_tick(svc->osts); /* the OSTs' orphan cleanup waited for this */
	for (; p; p = next) {
		next = p->next;
		svc_run(svc, p->r);
		free(p);
	}
}

void rec_free(struct mds_svc *svc)
{
	struct svc_parked *p, *next;

	pthread_mutex_lock(&svc->rec_mu);
	/* Nothing is parked from now on; rec_active() stays true. */
	svc->rec_active = false;
	svc->rec_stopping = true;
	p = svc->rec_parked;
	svc->rec_parked = NULL;
	svc->rec_tail = &svc->rec_parked;
	pthread_mutex_unlock(&svc->rec_mu);
	/* Never executed: their clients resend them to the next instance. */
	for (; p; p = next) {
		next = p->next;
		net_srv_drop(p->r);
		free(p);
	}
}

void rec_destroy(struct mds_svc *svc)
{
	free(svc->rec_uuids);
	free(svc->rec_seen);
	pthread_cond_destroy(&svc->rec_cv);
	pthread_mutex_destroy(&svc->rec_mu);
}
