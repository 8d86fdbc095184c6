/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: every MGS_* body, the list replies through their iterators. */
#include "fuzz.h"

FZ_WRAP(mgs_tgt_table_req)
FZ_WRAP(mgs_tgt_register_req)
FZ_WRAP(mgs_tgt_register_rep)
FZ_WRAP(mgs_pool_req)
FZ_WRAP(mgs_pool_mod_req)
FZ_WRAP(mgs_pool_list_req)
FZ_WRAP(mgs_fail_set_req)

static int fz_enc_empty(struct proto_cur *c, const void *m)
{
	return proto_mgs_empty_enc(c);
}

static int fz_dec_empty(struct proto_cur *c, void *m)
{
	return proto_mgs_empty_dec(c);
}

/* Walks a TGT_TABLE reply, appending every entry to a new reply in @out. */
static int table_copy(const uint8_t *in, size_t len, uint8_t *out, size_t *olen)
{
	static struct proto_mgs_tgt t;
	struct proto_mgs_tgt_table_rep_iter it;
	struct proto_mgs_tgt_table_enc a;
	struct proto_cur c, o;
	int rc;

	proto_cur_init_ro(&c, in, len);
	rc = proto_mgs_tgt_table_rep_iter_init(&it, &c);
	FZ_CHECK(rc <= 0);
	if (rc)
		return rc;
	proto_cur_init(&o, out, FZ_BUF);
	FZ_CHECK(proto_mgs_tgt_table_rep_begin(&a, &o, it.gen, FZ_BUF) == 0);
	while ((rc = proto_mgs_tgt_table_rep_iter_next(&it, &t)) == 1)
		FZ_CHECK(proto_mgs_tgt_table_rep_add(&a, &t) == 0);
	FZ_CHECK(rc <= 0);
	if (rc)
		return rc;
	FZ_CHECK(proto_cur_finish(&c) == 0);
	FZ_CHECK(proto_mgs_tgt_table_rep_end(&a, it.flags) == 0);
	*olen = o.pos;
	return 0;
}

/* Walks a POOL_LIST reply, appending every pool to a new reply in @out. */
static int pools_copy(const uint8_t *in, size_t len, uint8_t *out, size_t *olen)
{
	static uint32_t members[PROTO_BODY_MAX / 4];
	struct proto_mgs_pool_list_rep_iter it;
	struct proto_mgs_pool_list_enc a;
	struct proto_mgs_pool_ent e;
	struct proto_cur c, o;
	int rc;

	proto_cur_init_ro(&c, in, len);
	rc = proto_mgs_pool_list_rep_iter_init(&it, &c);
	FZ_CHECK(rc <= 0);
	if (rc)
		return rc;
	proto_cur_init(&o, out, FZ_BUF);
	FZ_CHECK(proto_mgs_pool_list_rep_begin(&a, &o, FZ_BUF) == 0);
	while ((rc = proto_mgs_pool_list_rep_iter_next(&it, &e)) == 1) {
		FZ_CHECK(e.nmembers <= sizeof(members) / sizeof(members[0]));
		for (uint32_t i = 0; i < e.nmembers; i++)
			members[i] = proto_mgs_pool_ent_member(&e, i);
		FZ_CHECK(proto_mgs_pool_list_rep_add(&a, e.name, members, e.nmembers) == 0);
	}
	FZ_CHECK(rc <= 0);
	if (rc)
		return rc;
	FZ_CHECK(proto_cur_finish(&c) == 0);
	FZ_CHECK(proto_mgs_pool_list_rep_end(&a, it.flags & PROTO_MGS_POOLS_F_EOF) == 0);
	*olen = o.pos;
	return 0;
}

typedef int (*copy_fn)(const uint8_t *in, size_t len, uint8_t *out, size_t *olen);

static void fuzz_list(copy_fn copy, const uint8_t *data, size_t size)
{
	size_t l1, l2;

	if (size > PROTO_BODY_MAX || copy(data, size, fz_b1, &l1) != 0)
		return;
	FZ_CHECK(copy(fz_b1, l1, fz_b2, &l2) == 0);
	FZ_CHECK(l1 == l2 && memcmp(fz_b1, fz_b2, l1) == 0);
}

static const struct fz_msg tab[] = {
    FZ_MSG(empty),
    FZ_MSG(mgs_tgt_table_req),
    FZ_MSG(mgs_tgt_register_req),
    FZ_MSG(mgs_tgt_register_rep),
    FZ_MSG(mgs_pool_req),
    FZ_MSG(mgs_pool_mod_req),
    FZ_MSG(mgs_pool_list_req),
    FZ_MSG(mgs_fail_set_req),
};

#define NTAB (sizeof(tab) / sizeof(tab[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned sel;

	if (size < 1)
		return 0;
	sel = data[0] % (NTAB + 2);
	if (sel == NTAB)
		fuzz_list(table_copy, data + 1, size - 1);
	else if (sel == NTAB + 1)
		fuzz_list(pools_copy, data + 1, size - 1);
	else
		fz_run(&tab[sel], data + 1, size - 1);
	return 0;
}
