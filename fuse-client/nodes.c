/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node table: one node per FID the kernel knows, so hard links share a
 * node (and one page cache).  The FUSE nodeid is the node's address (the
 * root's is FUSE_ROOT_ID); st_ino is folded from the FID.  A node lives while
 * the kernel holds lookups on it or the client holds internal references
 * (open files); then it is freed, so memory returns to its baseline after a
 * tree walk and drop_caches.
 */
#include "fc_int.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

struct fc_nodes {
	pthread_mutex_t mu;
	/* Protected by mu. */
	struct fc_node **buckets;
	uint64_t nbuckets; /* a power of two */
	uint64_t count;	   /* nodes in the table, the root included */
	uint64_t freed;	   /* frees since the last malloc_trim */
	struct fc_node *root;
};

#define NODES_MIN_BUCKETS 1024u

struct fc_layout *fc_layout_new(const struct proto_layout *l)
{
	/* Only the used part of objs[] is copied: layouts are mostly small. */
	size_t head = offsetof(struct fc_layout, l.objs);
	struct fc_layout *fl = malloc(sizeof(*fl));

	if (!fl)
		return NULL;
	memcpy(&fl->l, l, head - offsetof(struct fc_layout, l));
	memcpy(fl->l.objs, l->objs, l->nobjs * sizeof(l->objs[0]));
	atomic_init(&fl->refs, 1);
	return fl;
}

struct fc_layout *fc_layout_get(struct fc_layout *fl)
{
	if (fl)
		atomic_fetch_add(&fl->refs, 1);
	return fl;
}

void fc_layout_put(struct fc_layout *fl)
{
	if (fl && atomic_fetch_sub(&fl->refs, 1) == 1)
		free(fl);
}

static struct fc_node *node_alloc(const struct proto_fid *fid)
{
	struct fc_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->fid = *fid;
	n->ino = proto_fid_to_ino(fid);
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->cv, NULL);
	return n;
}

static void node_free(struct fc_node *n)
{
	fc_wb_free(n);
	fc_layout_put(n->layout);
	free(n->objs);
	free(n->dir_pa);
	pthread_cond_destroy(&n->cv);
	pthread_mutex_destroy(&n->mu);
	free(n);
}

int fc_nodes_new(struct fc_nodes **out)
{
	struct fc_nodes *t = calloc(1, sizeof(*t));
	struct proto_fid root = proto_fid_root();

	if (!t)
		return -ENOMEM;
	t->nbuckets = NODES_MIN_BUCKETS;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	t->root = node_alloc(&root);
	if (!t->buckets || !t->root) {
		free(t->buckets);
		free(t->root);
		free(t);
		return -ENOMEM;
	}
	t->root->is_root = true;
	t->root->mode = S_IFDIR | 0755;
	t->root->hnext = NULL;
	t->buckets[proto_fid_hash(&root) & (t->nbuckets - 1)] = t->root;
	t->count = 1;
	pthread_mutex_init(&t->mu, NULL);
	*out = t;
	return 0;
}

void fc_nodes_free(struct fc_nodes *t)
{
	if (!t)
		return;
	for (uint64_t i = 0; i < t->nbuckets; i++) {
		struct fc_node *n = t->buckets[i], *next;

		for (; n; n = next) {
			next = n->hnext;
			node_free(n);
		}
	}
	free(t->buckets);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

struct fc_node *fc_nodes_root(struct fc_nodes *t)
{
	return t->root;
}

/* Doubles or halves the bucket array (under mu); a failed allocation keeps the old one. */
static void rehash(struct fc_nodes *t, uint64_t nb)
{
	struct fc_node **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (uint64_t i = 0; i < t->nbuckets; i++) {
		struct fc_node *n = t->buckets[i], *next;

		for (; n; n = next) {
			uint64_t h = proto_fid_hash(&n->fid) & (nb - 1);

			next = n->hnext;
			n->hnext = b[h];
			b[h] = n;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

struct fc_node *fc_node_get(struct fc_nodes *t, const struct proto_fid *fid, uint64_t nlookup)
{
	struct fc_node *n, *fresh = NULL;
	uint64_t h;

	pthread_mutex_lock(&t->mu);
	for (;;) {
		h = proto_fid_hash(fid) & (t->nbuckets - 1);
		for (n = t->buckets[h]; n; n = n->hnext)
			if (proto_fid_eq(&n->fid, fid))
				break;
		if (n || fresh)
			break;
		/* Allocate outside the lock, then look again. */
		pthread_mutex_unlock(&t->mu);
		fresh = node_alloc(fid);
		if (!fresh)
			return NULL;
		pthread_mutex_lock(&t->mu);
	}
	if (!n) {
		n = fresh;
		fresh = NULL;
		n->hnext = t->buckets[h];
		t->buckets[h] = n;
		if (++t->count > t->nbuckets)
			rehash(t, t->nbuckets * 2);
	}
	if (nlookup)
		n->nlookup += nlookup;
	else
		n->refs++;
	pthread_mutex_unlock(&t->mu);
	if (fresh)
		node_free(fresh);
	return n;
}

struct fc_node *fc_node_find(struct fc_nodes *t, const struct proto_fid *fid)
{
	struct fc_node *n;

	pthread_mutex_lock(&t->mu);
	for (n = t->buckets[proto_fid_hash(fid) & (t->nbuckets - 1)]; n; n = n->hnext)
		if (proto_fid_eq(&n->fid, fid))
			break;
	if (n)
		n->refs++;
	pthread_mutex_unlock(&t->mu);
	return n;
}

/* Unlinks and frees @n if nothing references it; under mu. Returns true if freed. */
static bool maybe_free(struct fc_nodes *t, struct fc_node *n)
{
	struct fc_node **p;

	if (n->nlookup || n->refs || n->is_root)
		return false;
	for (p = &t->buckets[proto_fid_hash(&n->fid) & (t->nbuckets - 1)]; *p; p = &(*p)->hnext)
		if (*p == n) {
			*p = n->hnext;
			break;
		}
	t->count--;
	t->freed++;
	node_free(n);
	if (t->nbuckets > NODES_MIN_BUCKETS && t->count < t->nbuckets / 8)
		rehash(t, t->nbuckets / 4);
	return true;
}

/* After many frees, give the memory back to the system (RSS to baseline). */
static void maybe_trim(struct fc_nodes *t)
{
	bool trim = false;

	pthread_mutex_lock(&t->mu);
	if (t->freed >= 4096 && t->count < t->freed) {
		trim = true;
		t->freed = 0;
	}
	pthread_mutex_unlock(&t->mu);
	if (trim)
		malloc_trim(0);
}

void fc_node_forget(struct fc_nodes *t, struct fc_node *node, uint64_t n)
{
	pthread_mutex_lock(&t->mu);
	node->nlookup = n > node->nlookup ? 0 : node->nlookup - n;
	maybe_free(t, node);
	pthread_mutex_unlock(&t->mu);
	maybe_trim(t);
}

void fc_node_hold(struct fc_nodes *t, struct fc_node *node)
{
	pthread_mutex_lock(&t->mu);
	node->refs++;
	pthread_mutex_unlock(&t->mu);
}

void fc_node_release(struct fc_nodes *t, struct fc_node *node)
{
	pthread_mutex_lock(&t->mu);
	node->refs--;
	maybe_free(t, node);
	pthread_mutex_unlock(&t->mu);
}

uint64_t fc_nodes_count(struct fc_nodes *t)
{
	uint64_t c;

	pthread_mutex_lock(&t->mu);
	c = t->count;
	pthread_mutex_unlock(&t->mu);
	return c;
}

void fc_node_set_attr(struct fc_node *node, const struct proto_attr *a,
		      const struct proto_layout *l)
{
	node->mode = a->mode;
	node->size = a->size;
	/* Fresher than any post-op attributes held: those must not come back. */
	fc_dir_attr_drop(node);
	if (l && l->nobjs) {
		struct fc_layout *cur = node->layout;

		if (!cur || cur->l.gen != l->gen || cur->l.nobjs != l->nobjs ||
		    cur->l.objs[0].objid != l->objs[0].objid) {
			struct fc_layout *fl = fc_layout_new(l);

			if (fl) {
				fc_layout_put(cur);
				node->layout = fl;
			}
		}
	}
}

struct fc_layout *fc_node_layout(struct fc_node *node)
{
	return fc_layout_get(node->layout);
}
