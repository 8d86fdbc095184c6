/* SPDX-License-Identifier: Apache-2.0 */
#include "fidalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cursor.h"

#include "key.h"
#include "kv.h"

#define FIDHWM_VERSION 1

void fid_step(struct proto_fid *f)
{
	if (f->oid >= PROTO_FID_OID_MAX) {
		f->seq++;
		f->oid = 1;
	} else {
		f->oid++;
	}
}

void fidhwm_encode(const struct proto_fid *f, uint8_t buf[FIDHWM_LEN])
{
	struct proto_cur c;

	proto_cur_init(&c, buf, FIDHWM_LEN);
	proto_put_u8(&c, FIDHWM_VERSION);
	proto_put_u64(&c, f->seq);
	proto_put_u32(&c, f->oid);
}

void fid_alloc_format(struct kv_batch *b)
{
	struct proto_fid first = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 1};
	uint8_t v[FIDHWM_LEN];

	fidhwm_encode(&first, v);
	kv_batch_put(b, KEY_SUPER_FIDHWM, strlen(KEY_SUPER_FIDHWM), v, sizeof(v));
}

int fid_alloc_init(struct fid_alloc *fa, struct kv *kv, uint32_t range)
{
	struct proto_cur c;
	void *v = NULL;
	int rc;

	rc = kv_get(kv, NULL, KEY_SUPER_FIDHWM, strlen(KEY_SUPER_FIDHWM), &v);
	if (rc < 0)
		return rc;
	proto_cur_init_ro(&c, v, (size_t)rc);
	if (proto_get_u8(&c) != FIDHWM_VERSION) {
		rc = -EIO;
		goto out;
	}
	fa->lim.seq = proto_get_u64(&c);
	fa->lim.oid = proto_get_u32(&c);
	fa->lim.ver = 0;
	if (proto_cur_finish(&c) || fa->lim.seq < PROTO_FID_SEQ_NORMAL || fa->lim.oid == 0 ||
	    fa->lim.oid > PROTO_FID_OID_MAX) {
		rc = -EIO;
		goto out;
	}
	fa->next = fa->lim;
	fa->range = range ? range : 4096;
	pthread_mutex_init(&fa->mu, NULL);
	rc = 0;
out:
	free(v);
	return rc;
}

void fid_alloc_destroy(struct fid_alloc *fa)
{
	pthread_mutex_destroy(&fa->mu);
}

int fid_alloc(struct fid_alloc *fa, struct kv *kv, struct proto_fid *out)
{
	uint8_t v[FIDHWM_LEN];
	struct proto_fid lim;
	int rc = 0;

	pthread_mutex_lock(&fa->mu);
	if (proto_fid_eq(&fa->next, &fa->lim)) {
		lim = fa->next;
		/* A range never crosses a sequence boundary. */
		if (PROTO_FID_OID_MAX - lim.oid >= fa->range) {
			lim.oid += fa->range;
		} else {
			lim.seq++;
			lim.oid = 1;
		}
		fidhwm_encode(&lim, v);
		rc = kv_put_sync(kv, KEY_SUPER_FIDHWM, strlen(KEY_SUPER_FIDHWM), v, sizeof(v));
		if (rc)
			goto out;
		fa->lim = lim;
	}
	*out = fa->next;
	fid_step(&fa->next);
out:
	pthread_mutex_unlock(&fa->mu);
	return rc;
}

bool fid_alloc_issued(struct fid_alloc *fa, const struct proto_fid *f)
{
	bool issued;

	pthread_mutex_lock(&fa->mu);
	issued = f->seq >= PROTO_FID_SEQ_NORMAL && f->oid >= 1 && f->ver == 0 &&
		 (f->seq < fa->next.seq || (f->seq == fa->next.seq && f->oid < fa->next.oid));
	pthread_mutex_unlock(&fa->mu);
	return issued;
}
