/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The namespace consistency checker: the invariants every transaction keeps,
 * verified over one snapshot (docs/mds-schema.md, "Invariants").
 */
#include "ns.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "key.h"

struct ck_ino {
	struct proto_fid fid;
	struct proto_fid parent;
	uint32_t mode;
	uint32_t nlink;
	uint32_t links;	  /* entries naming it */
	uint32_t subdirs; /* entries in it naming directories */
	bool orphan;
};

struct ck_obj {
	uint32_t ost;
	uint64_t objid;
	struct proto_fid owner; /* zero: the destroy queue */
};

struct ck {
	struct mds_db *db;
	struct kv_snap *snap;
	mds_check_report_fn fn;
	void *arg;
	int problems;
	struct ck_ino *inos;
	size_t ninos, capinos;
	struct ck_obj *objs;
	size_t nobjs, capobjs;
	struct mds_inode *tmp;
};

__attribute__((format(printf, 2, 3))) static void problem(struct ck *ck, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ck->problems++;
	if (ck->fn)
		ck->fn(ck->arg, buf);
}

static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	void *p;

	if (n < *cap)
		return 0;
	*cap = *cap ? 2 * *cap : 256;
	p = realloc(*arr, *cap * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

static int add_obj(struct ck *ck, uint32_t ost, uint64_t objid, const struct proto_fid *owner)
{
	int rc = grow((void **)&ck->objs, &ck->capobjs, ck->nobjs, sizeof(*ck->objs));

	if (rc)
		return rc;
	ck->objs[ck->nobjs++] = (struct ck_obj){ost, objid, *owner};
	return 0;
}

static struct ck_ino *find_ino(struct ck *ck, const struct proto_fid *fid)
{
	size_t lo = 0, hi = ck->ninos;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = proto_fid_cmp(&ck->inos[mid].fid, fid);

		if (c == 0)
			return &ck->inos[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

typedef int (*ck_rec_fn)(struct ck *ck, const uint8_t *k, size_t klen, const uint8_t *v,
			 size_t vlen);

static int each(struct ck *ck, uint8_t prefix, ck_rec_fn fn)
{
	uint8_t lo[1] = {prefix}, hi[1] = {(uint8_t)(prefix + 1)};
	struct kv_iter *it;
	size_t klen, vlen;
	int rc;

	rc = kv_iter_new(ck->db->kv, ck->snap, lo, 1, hi, 1, &it);
	if (rc)
		return rc;
	for (; kv_iter_valid(it); kv_iter_next(it)) {
		const uint8_t *k = kv_iter_key(it, &klen);
		const uint8_t *v = kv_iter_val(it, &vlen);

		rc = fn(ck, k, klen, v, vlen);
		if (rc)
			break;
	}
	if (rc == 0)
		rc = kv_iter_status(it);
	kv_iter_free(it);
	return rc;
}

static int on_inode(struct ck *ck, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
	struct mds_inode *ino = ck->tmp;
	struct proto_fid fid;
	struct ck_ino *ci;
	int rc;

	if (klen != KEY_FID_LEN) {
		problem(ck, "inode key of length %zu", klen);
		return 0;
	}
	proto_fid_from_key(k + 1, &fid);
	if (inode_decode(&fid, v, vlen, ino)) {
		problem(ck, "inode " PROTO_FID_F ": undecodable value", PROTO_FID_P(&fid));
		return 0;
	}
	rc = grow((void **)&ck->inos, &ck->capinos, ck->ninos, sizeof(*ck->inos));
	if (rc)
		return rc;
	ci = &ck->inos[ck->ninos++];
	*ci = (struct ck_ino){
	    .fid = fid, .parent = ino->parent, .mode = ino->a.mode, .nlink = ino->a.nlink};
	if (S_ISREG(ino->a.mode) && (ino->flags & INODE_F_LAYOUT))
		for (uint32_t i = 0; i < ino->layout.nobjs; i++) {
			rc = add_obj(ck, ino->layout.objs[i].ost_idx, ino->layout.objs[i].objid,
				     &fid);
			if (rc)
				return rc;
		}
	return 0;
}

static int on_dirent(struct ck *ck, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
	struct proto_fid pfid;
	struct ck_ino *parent, *child;
	uint64_t cookie;
	struct dent d;

	if (klen != KEY_DIRENT_LEN) {
		problem(ck, "entry key of length %zu", klen);
		return 0;
	}
	proto_fid_from_key(k + 1, &pfid);
	cookie = key_get_be64(k + KEY_FID_LEN);
	if (dirent_decode(cookie, v, vlen, &d)) {
		problem(ck, "entry %#" PRIx64 " in " PROTO_FID_F ": undecodable", cookie,
			PROTO_FID_P(&pfid));
		return 0;
	}
	parent = find_ino(ck, &pfid);
	if (!parent || !S_ISDIR(parent->mode))
		problem(ck, "entry \"%s\" in " PROTO_FID_F ": no such directory", d.name,
			PROTO_FID_P(&pfid));
	if ((cookie & ~(uint64_t)DIRENT_COLL_MAX) != dirent_run_start(ck->db, d.name, d.namelen))
		problem(ck,
			"entry \"%s\" in " PROTO_FID_F ": cookie %#" PRIx64
			" does not match its hash",
			d.name, PROTO_FID_P(&pfid), cookie);
	child = find_ino(ck, &d.fid);
	if (!child) {
		problem(ck, "entry \"%s\" in " PROTO_FID_F ": inode " PROTO_FID_F " missing",
			d.name, PROTO_FID_P(&pfid), PROTO_FID_P(&d.fid));
		return 0;
	}
	child->links++;
	if ((child->mode & S_IFMT) != d.type)
		problem(ck, "entry \"%s\" in " PROTO_FID_F ": type %o, inode has %o", d.name,
			PROTO_FID_P(&pfid), d.type, child->mode & S_IFMT);
	if (S_ISDIR(child->mode)) {
		if (parent)
			parent->subdirs++;
		if (!proto_fid_eq(&child->parent, &pfid))
			problem(ck,
				"directory " PROTO_FID_F ": parent " PROTO_FID_F
				" but named in " PROTO_FID_F,
				PROTO_FID_P(&d.fid), PROTO_FID_P(&child->parent),
				PROTO_FID_P(&pfid));
	}
	return 0;
}

static int on_orphan(struct ck *ck, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
	struct proto_fid fid;
	struct ck_ino *ci;

	if (klen != KEY_FID_LEN) {
		problem(ck, "orphan key of length %zu", klen);
		return 0;
	}
	proto_fid_from_key(k + 1, &fid);
	ci = find_ino(ck, &fid);
	if (!ci)
		problem(ck, "orphan " PROTO_FID_F ": no inode", PROTO_FID_P(&fid));
	else if (ci->nlink != 0)
		problem(ck, "orphan " PROTO_FID_F ": nlink %u", PROTO_FID_P(&fid), ci->nlink);
	else
		ci->orphan = true;
	return 0;
}

static int on_xattr(struct ck *ck, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
	struct proto_fid fid;

	if (klen <= KEY_FID_LEN) {
		problem(ck, "xattr key of length %zu", klen);
		return 0;
	}
	proto_fid_from_key(k + 1, &fid);
	if (!find_ino(ck, &fid))
		problem(ck, "xattr %.*s of " PROTO_FID_F ": no inode", (int)(klen - KEY_FID_LEN),
			(const char *)k + KEY_FID_LEN, PROTO_FID_P(&fid));
	return 0;
}

static int on_destroy(struct ck *ck, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
	struct proto_fid none = {0};

	if (klen != KEY_DESTROY_LEN) {
		problem(ck, "destroy-queue key of length %zu", klen);
		return 0;
	}
	return add_obj(ck, key_get_be32(k + 1), key_get_be64(k + 5), &none);
}

/* A live directory's ".." chain must reach the root: no cycles, no islands. */
static void check_reachable(struct ck *ck, const struct ck_ino *ci)
{
	struct proto_fid root = proto_fid_root();
	const struct ck_ino *p = ci;

	for (size_t steps = 0; steps <= ck->ninos; steps++) {
		if (proto_fid_eq(&p->fid, &root))
			return;
		p = find_ino(ck, &p->parent);
		if (!p || !S_ISDIR(p->mode)) {
			problem(ck, "directory " PROTO_FID_F ": \"..\" chain breaks",
				PROTO_FID_P(&ci->fid));
			return;
		}
	}
	problem(ck, "directory " PROTO_FID_F ": \"..\" chain loops", PROTO_FID_P(&ci->fid));
}

static void check_inode(struct ck *ck, const struct ck_ino *ci)
{
	struct proto_fid root = proto_fid_root();
	bool is_root = proto_fid_eq(&ci->fid, &root);
	uint32_t want_links = is_root ? 0 : 1;

	if (S_ISDIR(ci->mode) && ci->nlink != 0) {
		if (ci->links != want_links)
			problem(ck, "directory " PROTO_FID_F ": %u names", PROTO_FID_P(&ci->fid),
				ci->links);
		if (ci->nlink != 2 + ci->subdirs)
			problem(ck, "directory " PROTO_FID_F ": nlink %u, expected %u",
				PROTO_FID_P(&ci->fid), ci->nlink, 2 + ci->subdirs);
	} else if (ci->nlink != ci->links && !(S_ISDIR(ci->mode) && ci->links == 0)) {
		problem(ck, "inode " PROTO_FID_F ": nlink %u but %u names", PROTO_FID_P(&ci->fid),
			ci->nlink, ci->links);
	}
	if (S_ISDIR(ci->mode) && ci->nlink != 0)
		check_reachable(ck, ci);
	if (ci->links == 0 && !is_root && !ci->orphan)
		problem(ck, "inode " PROTO_FID_F ": no name and not an orphan",
			PROTO_FID_P(&ci->fid));
}

static int obj_cmp(const void *a, const void *b)
{
	const struct ck_obj *x = a, *y = b;

	if (x->ost != y->ost)
		return x->ost < y->ost ? -1 : 1;
	if (x->objid != y->objid)
		return x->objid < y->objid ? -1 : 1;
	return 0;
}

static void check_objects(struct ck *ck)
{
	if (ck->nobjs < 2)
		return;
	qsort(ck->objs, ck->nobjs, sizeof(*ck->objs), obj_cmp);
	for (size_t i = 1; i < ck->nobjs; i++)
		if (obj_cmp(&ck->objs[i - 1], &ck->objs[i]) == 0)
			problem(ck,
				"object %u:%#" PRIx64 " referenced twice (" PROTO_FID_F
				" and " PROTO_FID_F ")",
				ck->objs[i].ost, ck->objs[i].objid,
				PROTO_FID_P(&ck->objs[i - 1].owner),
				PROTO_FID_P(&ck->objs[i].owner));
}

int mds_check(struct mds_db *db, mds_check_report_fn fn, void *arg)
{
	struct proto_fid root = proto_fid_root();
	struct ck ck = {.db = db, .fn = fn, .arg = arg};
	int rc;

	ck.tmp = malloc(sizeof(*ck.tmp));
	if (!ck.tmp)
		return -ENOMEM;
	rc = kv_snap_new(db->kv, &ck.snap);
	if (rc)
		goto out;
	rc = each(&ck, KEY_INODE, on_inode);
	if (rc == 0)
		rc = each(&ck, KEY_DIRENT, on_dirent);
	if (rc == 0)
		rc = each(&ck, KEY_ORPHAN, on_orphan);
	if (rc == 0)
		rc = each(&ck, KEY_XATTR, on_xattr);
	if (rc == 0)
		rc = each(&ck, KEY_DESTROY, on_destroy);
	if (rc)
		goto out;
	if (!find_ino(&ck, &root))
		problem(&ck, "root " PROTO_FID_F " missing", PROTO_FID_P(&root));
	for (size_t i = 0; i < ck.ninos; i++)
		check_inode(&ck, &ck.inos[i]);
	check_objects(&ck);
	rc = ck.problems;
out:
	kv_snap_free(ck.snap);
	free(ck.inos);
	free(ck.objs);
	free(ck.tmp);
	return rc;
}
