/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cutting an I/O into RPCs: one piece per run of chunks that are contiguous
 * in one object (so a stripe-count-1 file moves in RPCs of up to the bulk
 * limit, and a striped one in one RPC per object extent), bounded by the
 * bulk limit and the iovec count of one RPC.
 */
#include "fc_int.h"

#include <errno.h>
#include <stdlib.h>

int fc_pieces(const struct proto_layout *l, uint64_t off, uint64_t len, uint32_t max,
	      struct fc_piece **out, uint32_t *n)
{
	struct proto_stripe_chunk *ch = NULL;
	struct fc_piece *p = NULL;
	uint64_t nch;
	uint32_t np = 0, cap;
	int rc;

	rc = proto_stripe_chunk_count(l, off, len, &nch);
	if (rc)
		return rc;
	if (nch > (1u << 20))
		return -E2BIG;
	ch = malloc((nch ? nch : 1) * sizeof(*ch));
	/* Every chunk may need its own piece (max below a chunk splits it too). */
	cap = (uint32_t)nch + (uint32_t)(len / (max ? max : 1)) + (uint32_t)l->stripe_count + 1;
	p = malloc(cap * sizeof(*p));
	if (!ch || !p) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = proto_stripe_chunks(l, off, len, ch, nch);
	if (rc < 0)
		goto fail;
	for (uint32_t s = 0; s < (uint32_t)l->stripe_count; s++) {
		struct fc_piece *cur = NULL;

		for (uint64_t i = 0; i < nch; i++) {
			uint64_t done = 0;

			if (ch[i].stripe != s)
				continue;
			while (done < ch[i].len) {
				uint64_t objoff = ch[i].objoff + done;
				uint64_t take = ch[i].len - done;

				if (!cur || cur->objoff + cur->len != objoff || cur->len == max ||
				    cur->niov == FC_PIECE_IOV_MAX) {
					if (np == cap) {
						rc = -E2BIG;
						goto fail;
					}
					cur = &p[np++];
					cur->stripe = s;
					cur->objoff = objoff;
					cur->len = 0;
					cur->niov = 0;
				}
				if (take > max - cur->len)
					take = max - cur->len;
				/* Extend the last iovec when the buffer is contiguous too. */
				if (cur->niov &&
				    cur->iov[cur->niov - 1].bufoff + cur->iov[cur->niov - 1].len ==
					ch[i].bufoff + done) {
					cur->iov[cur->niov - 1].len += (uint32_t)take;
				} else {
					cur->iov[cur->niov].bufoff = ch[i].bufoff + done;
					cur->iov[cur->niov].len = (uint32_t)take;
					cur->niov++;
				}
				cur->len += (uint32_t)take;
				done += take;
			}
		}
	}
	free(ch);
	*out = p;
	*n = np;
	return 0;
fail:
	free(ch);
	free(p);
	return rc;
}

/*
 * A copy's extents.  Walks the range in segments that stay inside one stripe
 * chunk of the source and one of the destination, and appends each to an
 * earlier extent of the same object pair when it continues it in both
 * objects (a search of every extent so far: a call is capped at
 * FC_COPY_CALL_MAX, a few thousand segments at the smallest stripe size).
 */
int fc_copy_extents(const struct proto_layout *src, uint64_t soff, const struct proto_layout *dst,
		    uint64_t doff, uint64_t len, uint32_t max, struct fc_copy_ext **out,
		    uint32_t *n)
{
	struct fc_copy_ext *e = NULL;
	uint32_t ne = 0, cap = 0;
	uint64_t done = 0;
	int rc = 0;

	if (!max || !src->stripe_size || !dst->stripe_size)
		return -EINVAL;
	while (done < len) {
		uint32_t ss, ds;
		uint64_t so, dso, seg, k;

		rc = proto_stripe_map(src, soff + done, &ss, &so);
		if (!rc)
			rc = proto_stripe_map(dst, doff + done, &ds, &dso);
		if (rc)
			goto fail;
		seg = len - done;
		if (seg > src->stripe_size - so % src->stripe_size)
			seg = src->stripe_size - so % src->stripe_size;
		if (seg > dst->stripe_size - dso % dst->stripe_size)
			seg = dst->stripe_size - dso % dst->stripe_size;
		if (seg > max)
			seg = max;
		for (k = ne; k > 0; k--) {
			struct fc_copy_ext *x = &e[k - 1];

			if (x->src_stripe == ss && x->dst_stripe == ds &&
			    x->src_objoff + x->len == so && x->dst_objoff + x->len == dso &&
			    x->len + seg <= max)
				break;
		}
		if (k > 0) {
			e[k - 1].len += (uint32_t)seg;
		} else {
			if (ne == cap) {
				struct fc_copy_ext *p;

				cap = cap ? cap * 2 : 16;
				p = realloc(e, cap * sizeof(*e));
				if (!p) {
					rc = -ENOMEM;
					goto fail;
				}
				e = p;
			}
			e[ne++] = (struct fc_copy_ext){.src_stripe = ss,
						       .dst_stripe = ds,
						       .src_objoff = so,
						       .dst_objoff = dso,
						       .len = (uint32_t)seg};
		}
		done += seg;
	}
	*out = e;
	*n = ne;
	return 0;
fail:
	free(e);
	return rc;
}
