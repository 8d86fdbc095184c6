/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Object placement: the core's alloc_objects hook.  Picks OSTs for a new
 * file's stripes (explicit list, explicit first index, or round robin skewed
 * away from fuller OSTs), takes one precreated id from each OST's pool, and
 * arranges for the new last assigned ids to be staged in the same batch.
 * docs/mds.md states the rules and errors.
 */
#include "ost_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgs.h"
#include "svc.h"

/* Stages every OST's last assigned id that moved (runs under the apply mutex,
 * so the values staged grow in application order). */
static int lastid_hook(void *arg, struct mds_tx *tx)
{
	struct ost_set *set = arg;
	uint8_t k[OST_LASTID_KEY_LEN], v[9];
	struct proto_cur c;
	int rc = 0;

	pthread_mutex_lock(&set->mu);
	for (uint32_t i = 0; rc == 0 && i < set->nosts; i++) {
		struct ost *o = set->osts[i];

		if (o->last_assigned <= o->persisted)
			continue;
		k[0] = 'P';
		k[1] = 'L';
		k[2] = (uint8_t)(o->index >> 24);
		k[3] = (uint8_t)(o->index >> 16);
		k[4] = (uint8_t)(o->index >> 8);
		k[5] = (uint8_t)o->index;
		proto_cur_init(&c, v, sizeof(v));
		proto_put_u8(&c, 1);
		proto_put_u64(&c, o->last_assigned);
		rc = mds_tx_put(tx, k, sizeof(k), v, sizeof(v));
		if (rc == 0)
			o->persisted = o->last_assigned;
	}
	pthread_mutex_unlock(&set->mu);
	return rc;
}

static void deadline_after(struct timespec *ts, uint32_t ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Takes one id from @o's pool, waiting until @dl for a refill (caller holds mu). */
static int take_id(struct ost_set *set, struct ost *o, const struct timespec *dl, uint64_t *id)
{
	while (o->ready && ost_pool_left(o) == 0) {
		ost_refill(o);
		if (pthread_cond_timedwait(&set->cv, &set->mu, dl) == ETIMEDOUT)
			break;
	}
	if (!o->ready || ost_pool_left(o) == 0)
		return -EAGAIN;
	*id = o->next++;
	if (*id > o->last_assigned)
		o->last_assigned = *id;
	ost_refill(o);
	return 0;
}

static bool in_list(const uint32_t *l, int n, uint32_t v)
{
	for (int i = 0; i < n; i++)
		if (l[i] == v)
			return true;
	return false;
}

/* Free fraction of an OST in 1/1000 (unknown statfs counts as empty). */
static uint64_t free_permille(const struct ost *o)
{
	if (!o->sfs_ms || o->sfs.blocks == 0)
		return 1000;
	return o->sfs.bavail * 1000 / o->sfs.blocks;
}

/*
 * Orders @act[0..n) for a layout without an explicit first OST: round robin
 * from a rotating start, or, when free space differs by more than
 * OST_QOS_THRESHOLD_PCT, a random order weighted by available space.
 */
static void order_auto(struct ost_set *set, struct ost **act, uint32_t n)
{
	uint64_t lo = UINT64_MAX, hi = 0, total = 0;
	struct ost **tmp;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t f = free_permille(act[i]);

		lo = f < lo ? f : lo;
		hi = f > hi ? f : hi;
	}
	if (n > 1 && (hi - lo) * 100 > (uint64_t)OST_QOS_THRESHOLD_PCT * 1000) {
		/* Weighted random selection without replacement. */
		for (uint32_t i = 0; i < n; i++)
			total += free_permille(act[i]) + 1;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t pick = (uint64_t)random() % total, acc = 0;
			uint32_t j = i;

			for (; j < n; j++) {
				acc += free_permille(act[j]) + 1;
				if (pick < acc)
					break;
			}
			if (j == n)
				j = n - 1;
			total -= free_permille(act[j]) + 1;
			struct ost *t = act[i];

			act[i] = act[j];
			act[j] = t;
		}
		return;
	}
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return;
	uint32_t start = set->rr++ % n;

	for (uint32_t i = 0; i < n; i++)
		tmp[i] = act[(start + i) % n];
	memcpy(act, tmp, n * sizeof(*tmp));
	free(tmp);
}

/* Rotates @act so that it starts at the first OST with index >= @first. */
static void order_from(struct ost **act, uint32_t n, uint32_t first)
{
	uint32_t start = 0;
	struct ost **tmp = malloc(n * sizeof(*tmp));

	if (!tmp)
		return;
	while (start < n && act[start]->index < first)
		start++;
	for (uint32_t i = 0; i < n; i++)
		tmp[i] = act[(start + i) % n];
	memcpy(act, tmp, n * sizeof(*tmp));
	free(tmp);
}

struct place {
	const uint32_t *pool; /* pool members, or NULL */
	int npool;
	struct ost **act;
	struct timespec dl;
};

static int place_list(struct ost_set *set, struct place *p, struct proto_layout *l)
{
	for (uint32_t i = 0; i < l->nobjs; i++) {
		struct ost *o = ost_find(set, l->objs[i].ost_idx);

		if (!o || (p->pool && !in_list(p->pool, p->npool, o->index)))
			return -EINVAL;
		if (take_id(set, o, &p->dl, &l->objs[i].objid)) {
			NET_ERR("placement: %s has no precreated object for an explicit "
				"OST list",
				o->name);
			return -ENOSPC;
		}
	}
	return 0;
}

static int place_auto(struct ost_set *set, struct place *p, struct proto_layout *l)
{
	uint32_t n = 0, want, got = 0;

	if (l->stripe_offset >= 0) {
		struct ost *o = ost_find(set, (uint32_t)l->stripe_offset);

		if (!o || (p->pool && !in_list(p->pool, p->npool, o->index)))
			return -EINVAL;
	}
	for (;;) {
		n = 0;
		for (uint32_t i = 0; i < set->nosts; i++) {
			struct ost *o = set->osts[i];

			if (o->ready && (!p->pool || in_list(p->pool, p->npool, o->index)))
				p->act[n++] = o;
		}
		if (n > 0)
			break;
		/* Just after start-up the OSTs may still be cleaning up: wait a bit. */
		if (pthread_cond_timedwait(&set->cv, &set->mu, &p->dl) == ETIMEDOUT)
			return -ENOSPC;
	}
	want = l->stripe_count < 0 ? n : (uint32_t)l->stripe_count;
	if (want > n) {
		/*
		 * Asked for by this request (setstripe -c 8 with 4 OSTs): say so.
		 * Inherited from a default: use what there is, as Lustre does,
		 * since OSTs may be added after the default was set.
		 */
		if (l->flags & MDS_LAYOUT_F_COUNT_ASKED)
			return -EINVAL;
		want = n;
	}
	if (l->stripe_offset >= 0)
		order_from(p->act, n, (uint32_t)l->stripe_offset);
	else
		order_auto(set, p->act, n);
	for (uint32_t i = 0; i < n && got < want; i++) {
		uint64_t id;

		if (take_id(set, p->act[i], &p->dl, &id))
			continue; /* no object in time: skip this OST */
		l->objs[got].ost_idx = p->act[i]->index;
		l->objs[got].objid = id;
		got++;
	}
	if (got == 0)
		return -ENOSPC;
	l->stripe_count = (int32_t)got;
	l->nobjs = got;
	return 0;
}

int ost_alloc_objects(void *arg, struct mds_tx *tx, const struct proto_fid *fid,
		      struct proto_layout *l)
{
	struct ost_set *set = arg;
	struct mds_svc *svc = set->svc;
	uint32_t *members = NULL;
	struct place p = {0};
	int rc;

	if (l->pool[0]) {
		members = malloc(MGS_TGTS_MAX * sizeof(*members));
		if (!members)
			return -ENOMEM;
		rc = mgs_pool_members(svc->mgs, l->pool, members, MGS_TGTS_MAX);
		if (rc < 0) {
			rc = -EINVAL;
			goto out;
		}
		p.pool = members;
		p.npool = rc < MGS_TGTS_MAX ? rc : MGS_TGTS_MAX;
	}
	deadline_after(&p.dl, OST_PRECREATE_WAIT_MS);
	pthread_mutex_lock(&set->mu);
	p.act = malloc((set->nosts + 1) * sizeof(*p.act));
	if (!p.act)
		rc = -ENOMEM;
	else if (l->flags & PROTO_LAYOUT_F_OSTLIST)
		rc = place_list(set, &p, l);
	else
		rc = place_auto(set, &p, l);
	pthread_mutex_unlock(&set->mu);
	free(p.act);
	if (rc == 0) {
		l->flags = 0;
		l->stripe_offset = (int32_t)l->objs[0].ost_idx;
		rc = mds_tx_on_apply(tx, lastid_hook, set);
	}
out:
	if (rc)
		NET_WARN("placement for " PROTO_FID_F " (count %d, offset %d, pool '%s') "
			 "failed: %s",
			 PROTO_FID_P(fid), l->stripe_count, l->stripe_offset, l->pool,
			 strerror(-rc));
	free(members);
	return rc;
}

int ost_claim_objects(void *arg, struct mds_tx *tx, const struct proto_fid *fid,
		      const struct proto_layout *l)
{
	struct ost_set *set = arg;
	int rc = 0;

	pthread_mutex_lock(&set->mu);
	for (uint32_t i = 0; i < l->nobjs && rc == 0; i++)
		if (!ost_find(set, l->objs[i].ost_idx))
			rc = -EINVAL;
	for (uint32_t i = 0; i < l->nobjs && rc == 0; i++) {
		struct ost *o = ost_find(set, l->objs[i].ost_idx);
		uint64_t id = l->objs[i].objid;

		if (id > o->last_assigned)
			o->last_assigned = id;
		if (o->next <= id)
			o->next = id + 1;
	}
	pthread_mutex_unlock(&set->mu);
	if (rc == 0)
		rc = mds_tx_on_apply(tx, lastid_hook, set);
	if (rc)
		NET_ERR("replayed create of " PROTO_FID_F ": cannot claim its %u object(s): %s",
			PROTO_FID_P(fid), l->nobjs, strerror(-rc));
	return rc;
}
