/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mds_set_file_layout (lfs setstripe on an existing file) and mds_create_ex
 * (a create that reports the layout it instantiated), with an allocator that
 * hands out fresh object ids, as placement does.
 */
#include "t_mds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Stripe i on OST offset+i, ids from a counter: never the same object twice. */
static int counting_alloc(void *arg, struct mds_tx *tx, const struct proto_fid *fid,
			  struct proto_layout *l)
{
	uint64_t *next = arg;
	uint32_t first = l->stripe_offset < 0 ? 0 : (uint32_t)l->stripe_offset;

	if (l->stripe_count < 1)
		l->stripe_count = 4; /* -1: "all OSTs" of a four-OST system */
	l->stripe_offset = (int32_t)first;
	l->nobjs = (uint32_t)l->stripe_count;
	for (uint32_t i = 0; i < l->nobjs; i++) {
		l->objs[i].ost_idx = first + i;
		l->objs[i].objid = (*next)++;
	}
	l->flags = 0;
	return 0;
}

/* Field by field: struct proto_ost_obj has padding. */
static void assert_same_objs(const struct proto_layout *a, const struct proto_layout *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(a->objs[i].ost_idx, b->objs[i].ost_idx);
		assert_int_equal(a->objs[i].objid, b->objs[i].objid);
	}
}

struct fixture {
	struct t_mds *t;
	uint64_t next_id;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mds_db_opts o = {.alloc_objects = counting_alloc};

	assert_non_null(f);
	f->next_id = 100;
	o.alloc_arg = &f->next_id;
	f->t = t_make(&o);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	t_free(f->t);
	free(f);
	return 0;
}

static struct proto_layout tmpl(uint32_t size, int32_t count, int32_t offset)
{
	struct proto_layout l;

	memset(&l, 0, sizeof(l));
	l.pattern = PROTO_LAYOUT_PATTERN_RAID0;
	l.stripe_size = size;
	l.stripe_count = count;
	l.stripe_offset = offset;
	return l;
}

/* One set-layout in its own transaction, committed. */
static int set_layout(struct t_mds *t, const struct proto_creds *c, const struct proto_fid *fid,
		      const struct proto_layout *tp, struct proto_layout *out)
{
	struct mds_tx *tx;
	int rc;

	assert_int_equal(mds_tx_begin(t->db, c, &tx), 0);
	rc = mds_set_file_layout(tx, fid, tp, out);
	assert_int_equal(mds_tx_commit(tx), 0);
	return rc;
}

static int queued(struct t_mds *t, uint32_t ost, uint64_t objid)
{
	struct mds_destroy_ent e[64];
	int n = mds_destroyq_list(t->db, NULL, e, 64);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		if (e[i].ost_idx == ost && e[i].objid == objid)
			return 1;
	return 0;
}

static void set_file_layout_replaces_objects_of_empty_file(void **state)
{
	struct fixture *f = *state;
	struct t_mds *t = f->t;
	struct proto_layout want = tmpl(2u << 20, 3, 1), *old = malloc(sizeof(*old)),
			    *out = malloc(sizeof(*out)), *got = malloc(sizeof(*got));
	struct proto_attr a;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &a), 0);
	assert_int_equal(mds_getlayout(t->db, &a.fid, old), 0);
	assert_int_equal(old->nobjs, 1);

	assert_int_equal(set_layout(t, &t_root, &a.fid, &want, out), 1);
	assert_int_equal(out->stripe_size, 2u << 20);
	assert_int_equal(out->stripe_count, 3);
	assert_int_equal(out->stripe_offset, 1);
	assert_int_equal(out->nobjs, 3);
	assert_int_equal(out->gen, old->gen + 1);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(out->objs[i].ost_idx, 1 + i);
	/* What the reply said is what is stored; the old object is queued. */
	assert_int_equal(mds_getlayout(t->db, &a.fid, got), 0);
	assert_same_objs(got, out, 3);
	assert_int_equal(got->gen, out->gen);
	assert_true(queued(t, old->objs[0].ost_idx, old->objs[0].objid));
	assert_false(queued(t, out->objs[0].ost_idx, out->objs[0].objid));
	assert_int_equal(mds_getattr(t->db, &a.fid, &a), 0);
	assert_int_equal(a.blksize, 2u << 20);
	assert_int_equal(t_check(t), 0);
	free(old);
	free(out);
	free(got);
}

static void set_file_layout_identical_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct t_mds *t = f->t;
	struct proto_layout want = tmpl(1u << 20, 2, -1), *first = malloc(sizeof(*first)),
			    *again = malloc(sizeof(*again));
	struct mds_destroy_ent e[8];
	struct proto_attr a;
	int before;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &a), 0);
	assert_int_equal(set_layout(t, &t_root, &a.fid, &want, first), 1);
	before = mds_destroyq_list(t->db, NULL, e, 8);
	/* Offset -1 matches wherever the objects are; same size, count, pool. */
	assert_int_equal(set_layout(t, &t_root, &a.fid, &want, again), 0);
	assert_int_equal(again->gen, first->gen);
	assert_same_objs(again, first, 2);
	assert_int_equal(mds_destroyq_list(t->db, NULL, e, 8), before);
	assert_int_equal(t_check(t), 0);
	free(first);
	free(again);
}

static void set_file_layout_all_osts_replaces_inherited_layout(void **state)
{
	struct fixture *f = *state;
	struct t_mds *t = f->t;
	struct proto_layout one = tmpl(1u << 20, 1, -1), all = tmpl(1u << 20, -1, -1);
	struct proto_layout *first = malloc(sizeof(*first)), *out = malloc(sizeof(*out));
	struct proto_attr a;

	/* A fresh file inherits one stripe: asking for exactly that changes nothing, */
	assert_int_equal(t_create(t, &t_root, &t->root, "g", 0644, &a), 0);
	assert_int_equal(set_layout(t, &t_root, &a.fid, &one, first), 0);
	assert_int_equal(first->nobjs, 1);
	/* but "setstripe -c -1" does: */
	assert_int_equal(set_layout(t, &t_root, &a.fid, &all, out), 1);
	assert_int_equal(out->nobjs, 4); /* every OST, not "the same as before" */
	assert_int_equal(out->gen, first->gen + 1);
	assert_int_equal(t_check(t), 0);
	free(first);
	free(out);
}

static void set_file_layout_fixed_after_write_open(void **state)
{
	struct fixture *f = *state;
	struct t_mds *t = f->t;
	struct proto_layout cur, *out = malloc(sizeof(*out)), other = tmpl(4u << 20, 1, 0);
	struct proto_attr a;

	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &a), 0);
	/* A read open leaves the layout changeable. */
	assert_int_equal(t_open(t, &t_root, &a.fid, MDS_OPEN_READ, NULL), 0);
	assert_int_equal(set_layout(t, &t_root, &a.fid, &other, out), 1);
	assert_int_equal(t_open(t, &t_root, &a.fid, MDS_OPEN_WRITE, NULL), 0);
	assert_int_equal(mds_getlayout(t->db, &a.fid, &cur), 0);
	/* Fixed: another layout is -EEXIST (even after the close), the same one 0. */
	other.stripe_size = 1u << 20;
	assert_int_equal(set_layout(t, &t_root, &a.fid, &other, out), -EEXIST);
	assert_int_equal(t_close(t, &a.fid, NULL), 0);
	assert_int_equal(t_close(t, &a.fid, NULL), 0);
	assert_int_equal(set_layout(t, &t_root, &a.fid, &other, out), -EEXIST);
	other.stripe_size = 4u << 20;
	assert_int_equal(set_layout(t, &t_root, &a.fid, &other, out), 0);
	assert_int_equal(out->gen, cur.gen);
	assert_int_equal(t_check(t), 0);
	free(out);
}

static void set_file_layout_owner_or_root_only(void **state)
{
	struct fixture *f = *state;
	struct t_mds *t = f->t;
	struct proto_layout want = tmpl(1u << 20, 2, 0), *out = malloc(sizeof(*out));
	struct proto_attr dir, a;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0777, &dir), 0);
	assert_int_equal(t_create(t, &t_alice, &dir.fid, "f", 0666, &a), 0);
	assert_int_equal(set_layout(t, &t_bob, &a.fid, &want, out), -EPERM);
	assert_int_equal(set_layout(t, &t_alice, &a.fid, &want, out), 1);
	want.stripe_count = 3;
	assert_int_equal(set_layout(t, &t_root, &a.fid, &want, out), 1);
	assert_int_equal(out->nobjs, 3);
	free(out);
}

static void set_file_layout_rejects_bad_targets(void **state)
{
	struct fixture *f = *state;
	struct t_mds *t = f->t;
	struct proto_layout want = tmpl(1u << 20, 1, 0), bad = tmpl(100000, 1, 0),
			    *out = malloc(sizeof(*out));
	struct proto_attr dir, a;
	struct proto_fid gone = {.seq = PROTO_FID_SEQ_NORMAL, .oid = 0xfffff};

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &dir), 0);
	assert_int_equal(t_create(t, &t_root, &t->root, "f", 0644, &a), 0);
	assert_int_equal(set_layout(t, &t_root, &dir.fid, &want, out), -EINVAL);
	assert_int_equal(set_layout(t, &t_root, &a.fid, &bad, out), -EINVAL);
	assert_int_equal(set_layout(t, &t_root, &gone, &want, out), -ENOENT);
	/* A failed set-layout left the transaction usable and nothing changed. */
	assert_int_equal(t_check(t), 0);
	free(out);
}

static int create_ex(struct t_mds *t, const struct proto_fid *dir, const char *name, uint32_t flags,
		     const struct proto_layout *tp, struct proto_attr *a, struct proto_layout *lout)
{
	struct mds_tx *tx;
	int rc;

	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	rc = mds_create_ex(tx, dir, t_n(name), 0644, flags, tp, a, lout);
	/* Not readable before the apply: the reply must come from lout. */
	if (rc == 0)
		assert_int_equal(mds_getlayout(t->db, &a->fid, lout + 1), -ENOENT);
	assert_int_equal(mds_tx_commit(tx), 0);
	return rc;
}

static void create_ex_reports_instantiated_layout(void **state)
{
	struct fixture *f = *state;
	struct t_mds *t = f->t;
	struct proto_layout want = tmpl(0, 3, 2), *l = calloc(2, sizeof(*l)),
			    *got = malloc(sizeof(*got));
	struct proto_attr a;

	/* Size 0 inherits the root default (1 MiB); count and offset as asked. */
	assert_int_equal(create_ex(t, &t->root, "f", MDS_CREATE_EXCL, &want, &a, l), 0);
	assert_int_equal(l->stripe_size, 1u << 20);
	assert_int_equal(l->stripe_count, 3);
	assert_int_equal(l->nobjs, 3);
	assert_int_equal(l->objs[0].ost_idx, 2);
	assert_int_equal(mds_getlayout(t->db, &a.fid, got), 0);
	assert_int_equal(got->nobjs, 3);
	assert_same_objs(got, l, 3);
	assert_int_equal(t_check(t), 0);
	free(l);
	free(got);
}

static void create_ex_of_existing_file_reports_its_layout(void **state)
{
	struct fixture *f = *state;
	struct t_mds *t = f->t;
	struct proto_layout want = tmpl(0, 2, 0), *first = calloc(2, sizeof(*first)),
			    *again = calloc(2, sizeof(*again));
	struct proto_attr a, b;

	assert_int_equal(create_ex(t, &t->root, "f", 0, &want, &a, first), 0);
	/* Without EXCL the existing file is returned (1), its layout untouched. */
	want.stripe_count = 4;
	assert_int_equal(create_ex(t, &t->root, "f", 0, &want, &b, again), 1);
	assert_true(proto_fid_eq(&a.fid, &b.fid));
	assert_int_equal(again->nobjs, 2);
	assert_same_objs(again, first, 2);
	assert_int_equal(create_ex(t, &t->root, "f", MDS_CREATE_EXCL, &want, &b, again), -EEXIST);
	free(first);
	free(again);
}

static void create_ex_of_non_file_reports_no_layout(void **state)
{
	struct fixture *f = *state;
	struct t_mds *t = f->t;
	struct proto_layout *l = calloc(2, sizeof(*l));
	struct proto_attr a;
	struct mds_tx *tx;

	assert_int_equal(t_mkdir(t, &t_root, &t->root, "d", 0755, &a), 0);
	assert_int_equal(mds_tx_begin(t->db, &t_root, &tx), 0);
	assert_int_equal(mds_create_ex(tx, &t->root, t_n("d"), 0644, 0, NULL, &a, l), -EISDIR);
	assert_int_equal(mds_tx_commit(tx), 0);
	free(l);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(set_file_layout_replaces_objects_of_empty_file, setup,
				    teardown),
    cmocka_unit_test_setup_teardown(set_file_layout_identical_changes_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown(set_file_layout_all_osts_replaces_inherited_layout, setup,
				    teardown),
    cmocka_unit_test_setup_teardown(set_file_layout_fixed_after_write_open, setup, teardown),
    cmocka_unit_test_setup_teardown(set_file_layout_owner_or_root_only, setup, teardown),
    cmocka_unit_test_setup_teardown(set_file_layout_rejects_bad_targets, setup, teardown),
    cmocka_unit_test_setup_teardown(create_ex_reports_instantiated_layout, setup, teardown),
    cmocka_unit_test_setup_teardown(create_ex_of_existing_file_reports_its_layout, setup, teardown),
    cmocka_unit_test_setup_teardown(create_ex_of_non_file_reports_no_layout, setup, teardown),
};
T_GROUP(mds_layout, tests)
