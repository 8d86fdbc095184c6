/* SPDX-License-Identifier: Apache-2.0 */
#include "fid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int proto_fid_cmp(const struct proto_fid *a, const struct proto_fid *b)
{
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if (a->oid != b->oid)
		return a->oid < b->oid ? -1 : 1;
	if (a->ver != b->ver)
		return a->ver < b->ver ? -1 : 1;
	return 0;
}

struct proto_fid proto_fid_root(void)
{
	return (struct proto_fid){.seq = PROTO_FID_SEQ_ROOT, .oid = 1, .ver = 0};
}

uint64_t proto_fid_to_ino(const struct proto_fid *f)
{
	uint64_t rel = f->seq - PROTO_FID_SEQ_BASE;
	uint64_t ino;

	/*
	 * The MDS allocates at most PROTO_FID_OID_MAX oids per sequence and then
	 * moves to the next sequence, so (seq - base, oid) packs into 64 bits
	 * without collisions for the first 2^40 sequences.  Anything else (a FID
	 * this MDS would never hand out) is hashed into the upper half.
	 */
	if (f->seq >= PROTO_FID_SEQ_BASE && rel < (1ULL << 40) && f->oid <= PROTO_FID_OID_MAX) {
		ino = (rel << 24) | f->oid;
	} else {
		ino = f->seq * 0x9E3779B97F4A7C15ULL ^ ((uint64_t)f->oid << 32 | f->ver);
		ino |= 1ULL << 63;
	}
	if (ino <= 1)
		ino += 2;
	return ino;
}

static uint64_t mix64(uint64_t h)
{
	/* The finaliser of splitmix64: full avalanche in three rounds. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

uint64_t proto_fid_hash(const struct proto_fid *f)
{
	return mix64(mix64(f->seq) ^ ((uint64_t)f->oid << 32 | f->ver));
}

char *proto_fid_str(const struct proto_fid *f, char *buf, size_t len)
{
	snprintf(buf, len, PROTO_FID_F, PROTO_FID_P(f));
	return buf;
}

int proto_fid_parse(const char *s, struct proto_fid *out)
{
	unsigned long long seq, oid, ver;
	int n = 0;

	if (*s == '[')
		s++;
	if (sscanf(s, "%llx:%llx:%llx%n", &seq, &oid, &ver, &n) != 3)
		return -EINVAL;
	s += n;
	if (*s == ']')
		s++;
	if (*s != '\0' || oid > UINT32_MAX || ver > UINT32_MAX)
		return -EINVAL;
	out->seq = seq;
	out->oid = (uint32_t)oid;
	out->ver = (uint32_t)ver;
	return 0;
}

void proto_fid_to_key(const struct proto_fid *f, uint8_t key[PROTO_FID_KEYLEN])
{
	for (int i = 0; i < 8; i++)
		key[i] = (uint8_t)(f->seq >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		key[8 + i] = (uint8_t)(f->oid >> (24 - 8 * i));
	for (int i = 0; i < 4; i++)
		key[12 + i] = (uint8_t)(f->ver >> (24 - 8 * i));
}

void proto_fid_from_key(const uint8_t key[PROTO_FID_KEYLEN], struct proto_fid *out)
{
	uint64_t seq = 0;
	uint32_t oid = 0, ver = 0;

	for (int i = 0; i < 8; i++)
		seq = (seq << 8) | key[i];
	for (int i = 0; i < 4; i++)
		oid = (oid << 8) | key[8 + i];
	for (int i = 0; i < 4; i++)
		ver = (ver << 8) | key[12 + i];
	out->seq = seq;
	out->oid = oid;
	out->ver = ver;
}
