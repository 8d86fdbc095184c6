/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Negative lookups from complete directories (lookupcache=all).
 *
 * The kernel looks a name up before it creates it, so every create, mkdir
 * or mknod through a FUSE mount pays one MDS round trip for an answer that
 * is almost always "no such name".  A directory this client made is known
 * to be empty at its version (the MDS counts every change of a directory's
 * entries in its data_version), and while every change of it is one of this
 * client's, the attributes after each change say so: the version has grown
 * by exactly one.  Such a directory is "complete": the client knows every
 * name it holds, and answers a lookup of any other name with ENOENT itself.
 *
 * Names are remembered in a Bloom filter, not listed: a name that may be
 * there (a real one, an unlinked one, or a false positive) is asked of the
 * MDS as before, so an error costs only a round trip.  The filter grows in
 * segments, each twice the size of the last, so it stays small for small
 * directories and needs no rehash.
 *
 * Freshness: a directory's names are as the MDS had them when this client's
 * last change of it was sent; the answers stop entry_timeout after that
 * moment, the time the kernel keeps a name it was told about.  So a name
 * another client creates is missed for at most entry_timeout, as a name it
 * removes stays visible through the kernel's cache for at most as long; the
 * first change of ours after it sees the version jump and the directory is
 * no longer complete.  Any attributes of the directory from the MDS with
 * another version, a failed or resent change, and an MDS restart also end
 * it.  Directories are kept here independently of the kernel's inodes (a
 * drop_caches must not forget them), at most FC_DIRNEG_DIRS and
 * FC_DIRNEG_BYTES of filters in all; the least recently confirmed goes first.
 */
#include "fc_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DN_BUCKETS   64
#define DN_K	     4	  /* probes per name */
#define DN_BITS_NAME 10	  /* filter bits a name in the first segment: 1.2% false positives */
#define DN_SEG0_BITS 8192 /* the first segment: 1 KiB, 819 names */
#define DN_SEGS	     10	  /* at most about 327,000 names (1 MiB of filters) */

struct dn_seg {
	uint64_t *bits;
	uint32_t nbits; /* a power of two */
	uint32_t n;	/* names added */
};

struct dn_dir {
	struct proto_fid fid;
	uint64_t version;  /* every entry is known up to this data_version */
	uint64_t valid_ms; /* the MDS had these names at this time */
	uint32_t nseg;
	struct dn_seg seg[DN_SEGS];
	struct dn_dir *hnext;
};

struct fc_dirnegs {
	pthread_mutex_t mu; /* everything here; a leaf lock */
	struct dn_dir *h[DN_BUCKETS];
	uint32_t ndirs;
	size_t bytes; /* of filters */
};

int fc_dirnegs_new(struct fc_dirnegs **out)
{
	struct fc_dirnegs *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->mu, NULL);
	*out = t;
	return 0;
}

static void dir_free(struct fc_dirnegs *t, struct dn_dir *d)
{
	for (uint32_t i = 0; i < d->nseg; i++) {
		t->bytes -= d->seg[i].nbits / 8;
		free(d->seg[i].bits);
	}
	t->ndirs--;
	free(d);
}

/* Unhooks and frees every directory (mu held). */
static void clear_locked(struct fc_dirnegs *t)
{
	for (uint32_t b = 0; b < DN_BUCKETS; b++)
		while (t->h[b]) {
			struct dn_dir *d = t->h[b];

			t->h[b] = d->hnext;
			dir_free(t, d);
		}
}

void fc_dirnegs_free(struct fc_dirnegs *t)
{
	if (!t)
		return;
	clear_locked(t);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

static struct dn_dir **slot(struct fc_dirnegs *t, const struct proto_fid *fid)
{
	struct dn_dir **p = &t->h[proto_fid_hash(fid) % DN_BUCKETS];

	while (*p && !proto_fid_eq(&(*p)->fid, fid))
		p = &(*p)->hnext;
	return p;
}

static void drop(struct fc_dirnegs *t, const struct proto_fid *fid)
{
	struct dn_dir **p = slot(t, fid), *d = *p;

	if (d) {
		*p = d->hnext;
		dir_free(t, d);
	}
}

/* The least recently confirmed directory goes, to make room (mu held). */
static void evict_one(struct fc_dirnegs *t)
{
	struct dn_dir *old = NULL;

	for (uint32_t b = 0; b < DN_BUCKETS; b++)
		for (struct dn_dir *d = t->h[b]; d; d = d->hnext)
			if (!old || d->valid_ms < old->valid_ms)
				old = d;
	if (old)
		drop(t, &old->fid);
}

/*
 * Two 32-bit hashes of a name, for double hashing.  CRC32C is linear: names
 * that differ in the same bits ("f17", "d17") get CRCs that differ by the
 * same constant, which in a filter's low bits makes whole families collide.
 * A multiplicative finaliser (MurmurHash3's) over the CRC and the length
 * breaks that up.
 */
static void name_hash(const char *name, size_t len, uint32_t *h1, uint32_t *h2)
{
	uint64_t x = (uint64_t)len << 32 | proto_crc32c(0, name, len);

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	*h1 = (uint32_t)x;
	*h2 = (uint32_t)(x >> 32) | 1u;
}

static bool seg_has(const struct dn_seg *s, uint32_t h1, uint32_t h2)
{
	for (uint32_t i = 0; i < DN_K; i++) {
		uint32_t bit = (h1 + i * h2) & (s->nbits - 1);

		if (!(s->bits[bit / 64] & (1ull << (bit % 64))))
			return false;
	}
	return true;
}

static void seg_add(struct dn_seg *s, uint32_t h1, uint32_t h2)
{
	for (uint32_t i = 0; i < DN_K; i++) {
		uint32_t bit = (h1 + i * h2) & (s->nbits - 1);

		s->bits[bit / 64] |= 1ull << (bit % 64);
	}
	s->n++;
}

/*
 * Names segment @i holds before the next one starts: each later segment gets
 * more bits a name, so that the false positives of all of them together stay
 * near 3% (about 1.2%, 0.65%, 0.38%, ... with four probes).
 */
static uint32_t seg_cap(uint32_t i, uint32_t nbits)
{
	return nbits / (DN_BITS_NAME + 2 * i);
}

/* Adds a name; false if it does not fit (the directory must be dropped). */
static bool dir_add(struct fc_dirnegs *t, struct dn_dir *d, uint32_t h1, uint32_t h2)
{
	struct dn_seg *s = d->nseg ? &d->seg[d->nseg - 1] : NULL;

	if (!s || s->n >= seg_cap(d->nseg - 1, s->nbits)) {
		uint32_t nbits = s ? s->nbits * 2 : DN_SEG0_BITS;

		if (d->nseg == DN_SEGS || t->bytes + nbits / 8 > FC_DIRNEG_BYTES)
			return false;
		s = &d->seg[d->nseg];
		s->bits = calloc(nbits / 64, sizeof(uint64_t));
		if (!s->bits)
			return false;
		s->nbits = nbits;
		s->n = 0;
		d->nseg++;
		t->bytes += nbits / 8;
	}
	seg_add(s, h1, h2);
	return true;
}

static bool dir_may_have(const struct dn_dir *d, uint32_t h1, uint32_t h2)
{
	for (uint32_t i = 0; i < d->nseg; i++)
		if (seg_has(&d->seg[i], h1, h2))
			return true;
	return false;
}

void fc_dirneg_made(struct fc_fs *fs, const struct proto_attr *dir, uint64_t since_ms)
{
	struct fc_dirnegs *t = fs->dirnegs;
	struct dn_dir **p, *d;

	if (!t || !fs->opts.lookupcache_neg || !S_ISDIR(dir->mode))
		return;
	pthread_mutex_lock(&t->mu);
	p = slot(t, &dir->fid);
	if (!*p) {
		if (t->ndirs >= FC_DIRNEG_DIRS)
			evict_one(t);
		d = calloc(1, sizeof(*d));
		if (d) {
			d->fid = dir->fid;
			d->version = dir->data_version;
			d->valid_ms = since_ms;
			p = slot(t, &dir->fid); /* eviction may have moved the chain */
			d->hnext = *p;
			*p = d;
			t->ndirs++;
		}
	}
	pthread_mutex_unlock(&t->mu);
}

void fc_dirneg_adding(struct fc_fs *fs, const struct proto_fid *dir, const char *name, size_t len)
{
	struct fc_dirnegs *t = fs->dirnegs;
	struct dn_dir *d;
	uint32_t h1, h2;

	if (!t)
		return;
	name_hash(name, len, &h1, &h2);
	pthread_mutex_lock(&t->mu);
	d = *slot(t, dir);
	if (d && !dir_add(t, d, h1, h2))
		drop(t, dir);
	pthread_mutex_unlock(&t->mu);
}

void fc_dirneg_changed(struct fc_fs *fs, const struct proto_fid *dir,
		       const struct proto_attr *after, uint64_t since_ms)
{
	struct fc_dirnegs *t = fs->dirnegs;
	struct dn_dir *d;

	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	d = *slot(t, dir);
	if (d && after && after->data_version == d->version + 1) {
		d->version = after->data_version;
		if (since_ms > d->valid_ms)
			d->valid_ms = since_ms;
	} else if (d) {
		drop(t, dir);
	}
	pthread_mutex_unlock(&t->mu);
}

void fc_dirneg_seen(struct fc_fs *fs, const struct proto_attr *a)
{
	struct fc_dirnegs *t = fs->dirnegs;
	struct dn_dir *d;

	if (!t || !S_ISDIR(a->mode))
		return;
	pthread_mutex_lock(&t->mu);
	d = *slot(t, &a->fid);
	if (d && a->data_version != d->version)
		drop(t, &a->fid);
	pthread_mutex_unlock(&t->mu);
}

bool fc_dirneg_absent(struct fc_fs *fs, const struct proto_fid *dir, const char *name, size_t len)
{
	struct fc_dirnegs *t = fs->dirnegs;
	double ttl_ms = fs->opts.entry_timeout * 1000.0;
	bool absent = false;
	struct dn_dir *d;
	uint32_t h1, h2;

	/* "." and ".." are in every directory without being its entries. */
	if (!t || !fs->opts.lookupcache_neg || (len <= 2 && strspn(name, ".") == len))
		return false;
	name_hash(name, len, &h1, &h2);
	pthread_mutex_lock(&t->mu);
	d = *slot(t, dir);
	if (d && (double)(net_now_ms() - d->valid_ms) < ttl_ms)
		absent = !dir_may_have(d, h1, h2);
	pthread_mutex_unlock(&t->mu);
	if (absent)
		atomic_fetch_add_explicit(&fs->lookup_local, 1, memory_order_relaxed);
	return absent;
}

void fc_dirnegs_clear(struct fc_fs *fs)
{
	if (!fs->dirnegs)
		return;
	pthread_mutex_lock(&fs->dirnegs->mu);
	clear_locked(fs->dirnegs);
	pthread_mutex_unlock(&fs->dirnegs->mu);
}

uint32_t fc_dirnegs_count(struct fc_fs *fs)
{
	uint32_t n;

	if (!fs->dirnegs)
		return 0;
	pthread_mutex_lock(&fs->dirnegs->mu);
	n = fs->dirnegs->ndirs;
	pthread_mutex_unlock(&fs->dirnegs->mu);
	return n;
}
