/* SPDX-License-Identifier: Apache-2.0 */
#include "t_msg.h"

static const struct proto_nid nid_tcp = {PROTO_LND_TCP, "10.0.0.1"};

/* A target with the longest name and every failover NID, each a long host name. */
static void tgt_max(struct proto_mgs_tgt *t, uint32_t index)
{
	memset(t, 0, sizeof(*t));
	t->type = PROTO_TARGET_OST;
	t->index = index;
	memset(t->name, 'T', PROTO_TARGET_NAME_MAX);
	memset(t->uuid, 0xa5, sizeof(t->uuid));
	t->port = 988;
	t->state = PROTO_MGS_TGT_INACTIVE;
	t->nnids = PROTO_NID_LIST_MAX;
	for (uint32_t i = 0; i < t->nnids; i++) {
		t->nids[i].lnd = i % 2 ? PROTO_LND_O2IB : PROTO_LND_TCP;
		memset(t->nids[i].addr, 'h', PROTO_NID_ADDR_MAX);
		/* host-name labels are at most 63 characters: 63 fits exactly */
		t->nids[i].addr[0] = (char)('a' + i);
	}
}

static struct proto_mgs_tgt_table_req s_table_req;
static struct proto_mgs_tgt_register_req s_register_req;
static struct proto_mgs_tgt_register_rep s_register_rep;
static struct proto_mgs_pool_req s_pool_req;
static struct proto_mgs_pool_mod_req s_pool_mod_req;
static struct proto_mgs_pool_list_req s_pool_list_req, s_pool_list_req_all;
static struct proto_mgs_fail_set_req s_fail_req;

/* Target tables and pool lists go through the appenders and iterators. */
#define T_TGTS 4
struct t_tgtlist {
	uint64_t gen;
	uint32_t flags;
	uint32_t n;
	struct proto_mgs_tgt t[T_TGTS];
};
static struct t_tgtlist s_table, s_table_unchanged;

#define T_POOLS	  3
#define T_MEMBERS 64
struct t_poollist {
	bool eof;
	uint32_t n;
	char name[T_POOLS][PROTO_POOL_NAME_MAX + 1];
	uint32_t nmembers[T_POOLS];
	uint32_t members[T_POOLS][T_MEMBERS];
};
static struct t_poollist s_pools, s_pools_empty;

static int t_enc_tgtlist(struct proto_cur *c, const void *m)
{
	const struct t_tgtlist *l = m;
	struct proto_mgs_tgt_table_enc a;
	int rc;

	rc = proto_mgs_tgt_table_rep_begin(&a, c, l->gen, c->len - c->pos);
	for (uint32_t i = 0; rc == 0 && i < l->n; i++)
		rc = proto_mgs_tgt_table_rep_add(&a, &l->t[i]);
	if (rc == -ENOSPC)
		return -EMSGSIZE;
	return rc ? rc : proto_mgs_tgt_table_rep_end(&a, l->flags);
}

static int t_dec_tgtlist(struct proto_cur *c, void *m)
{
	struct t_tgtlist *l = m;
	struct proto_mgs_tgt_table_rep_iter it;
	int rc;

	l->n = 0;
	rc = proto_mgs_tgt_table_rep_iter_init(&it, c);
	if (rc)
		return rc;
	l->gen = it.gen;
	l->flags = it.flags;
	while ((rc = proto_mgs_tgt_table_rep_iter_next(&it, &l->t[l->n < T_TGTS ? l->n : 0])) == 1)
		l->n++;
	return rc ? rc : proto_cur_finish(c);
}

static int t_enc_poollist(struct proto_cur *c, const void *m)
{
	const struct t_poollist *l = m;
	struct proto_mgs_pool_list_enc a;
	int rc;

	rc = proto_mgs_pool_list_rep_begin(&a, c, c->len - c->pos);
	for (uint32_t i = 0; rc == 0 && i < l->n; i++)
		rc = proto_mgs_pool_list_rep_add(&a, l->name[i], l->members[i], l->nmembers[i]);
	if (rc == -ENOSPC)
		return -EMSGSIZE;
	return rc ? rc : proto_mgs_pool_list_rep_end(&a, l->eof);
}

static int t_dec_poollist(struct proto_cur *c, void *m)
{
	struct t_poollist *l = m;
	struct proto_mgs_pool_list_rep_iter it;
	struct proto_mgs_pool_ent e;
	int rc;

	l->n = 0;
	rc = proto_mgs_pool_list_rep_iter_init(&it, c);
	if (rc)
		return rc;
	l->eof = it.flags & PROTO_MGS_POOLS_F_EOF;
	while ((rc = proto_mgs_pool_list_rep_iter_next(&it, &e)) == 1) {
		uint32_t i = l->n < T_POOLS ? l->n : 0;

		memcpy(l->name[i], e.name, sizeof(e.name));
		l->nmembers[i] = e.nmembers < T_MEMBERS ? e.nmembers : T_MEMBERS;
		for (uint32_t j = 0; j < l->nmembers[i]; j++)
			l->members[i][j] = proto_mgs_pool_ent_member(&e, j);
		l->n++;
	}
	return rc ? rc : proto_cur_finish(c);
}

static int t_enc_empty(struct proto_cur *c, const void *m)
{
	return proto_mgs_empty_enc(c);
}

static int t_dec_empty(struct proto_cur *c, void *m)
{
	return proto_mgs_empty_dec(c);
}

static void samples_init(void)
{
	s_table_req = (struct proto_mgs_tgt_table_req){0x1122334455ULL, 17};
	memset(&s_register_req, 0, sizeof(s_register_req));
	strcpy(s_register_req.fsname, "testfs12");
	tgt_max(&s_register_req.tgt, 3);
	s_register_req.tgt.state = PROTO_MGS_TGT_ACTIVE; /* not on the wire: decodes as ACTIVE */
	s_register_rep.gen = 99;

	memset(&s_pool_req, 0, sizeof(s_pool_req));
	strcpy(s_pool_req.fsname, "testfs12");
	memset(s_pool_req.pool, 'q', PROTO_POOL_NAME_MAX);
	memset(&s_pool_mod_req, 0, sizeof(s_pool_mod_req));
	memcpy(s_pool_mod_req.fsname, s_pool_req.fsname, sizeof(s_pool_req.fsname));
	memcpy(s_pool_mod_req.pool, s_pool_req.pool, sizeof(s_pool_req.pool));
	s_pool_mod_req.count = PROTO_MGS_POOL_MOD_MAX;
	for (uint32_t i = 0; i < PROTO_MGS_POOL_MOD_MAX; i++)
		s_pool_mod_req.osts[i] = i * 3 + 1;
	memset(&s_pool_list_req, 0, sizeof(s_pool_list_req));
	strcpy(s_pool_list_req.fsname, "testfs12");
	memset(s_pool_list_req.pool, 'a', PROTO_POOL_NAME_MAX);
	memset(s_pool_list_req.after, 'b', PROTO_POOL_NAME_MAX);
	memset(&s_pool_list_req_all, 0, sizeof(s_pool_list_req_all));
	strcpy(s_pool_list_req_all.fsname, "x");
	s_fail_req = (struct proto_mgs_fail_set_req){0x0517, PROTO_FAIL_SKIP, 5, 3};

	memset(&s_table, 0, sizeof(s_table));
	s_table.gen = 7;
	s_table.flags = PROTO_MGS_TABLE_F_EOF;
	s_table.n = T_TGTS;
	for (uint32_t i = 0; i < T_TGTS; i++)
		tgt_max(&s_table.t[i], i);
	s_table.t[0].type = PROTO_TARGET_MDT;
	s_table.t[1].state = PROTO_MGS_TGT_ACTIVE;
	s_table_unchanged = (struct t_tgtlist){
	    .gen = 7, .flags = PROTO_MGS_TABLE_F_UNCHANGED | PROTO_MGS_TABLE_F_EOF};

	memset(&s_pools, 0, sizeof(s_pools));
	s_pools.eof = true;
	s_pools.n = T_POOLS;
	for (uint32_t i = 0; i < T_POOLS; i++) {
		memset(s_pools.name[i], 'p', PROTO_POOL_NAME_MAX);
		s_pools.name[i][0] = (char)('a' + i);
		s_pools.nmembers[i] = i == 1 ? 0 : T_MEMBERS;
		for (uint32_t j = 0; j < T_MEMBERS; j++)
			s_pools.members[i][j] = 1000 * i + j + 1;
	}
	s_pools_empty = (struct t_poollist){.eof = false};
}

T_WRAP(mgs_tgt_table_req)
T_WRAP(mgs_tgt_register_req)
T_WRAP(mgs_tgt_register_rep)
T_WRAP(mgs_pool_req)
T_WRAP(mgs_pool_mod_req)
T_WRAP(mgs_pool_list_req)
T_WRAP(mgs_fail_set_req)

#define Q false
#define R true

static const struct t_msg table[] = {
    T_MSG(PROTO_OP_MGS_TGT_TABLE, Q, mgs_tgt_table_req, &s_table_req),
    T_MSG(PROTO_OP_MGS_TGT_TABLE, R, tgtlist, &s_table),
    T_MSG(0, R, tgtlist, &s_table_unchanged),
    T_MSG(PROTO_OP_MGS_TGT_REGISTER, Q, mgs_tgt_register_req, &s_register_req),
    T_MSG(PROTO_OP_MGS_TGT_REGISTER, R, mgs_tgt_register_rep, &s_register_rep),
    T_MSG(PROTO_OP_MGS_POOL_NEW, Q, mgs_pool_req, &s_pool_req),
    T_MSG(PROTO_OP_MGS_POOL_NEW, R, empty, NULL),
    T_MSG(PROTO_OP_MGS_POOL_ADD, Q, mgs_pool_mod_req, &s_pool_mod_req),
    T_MSG(PROTO_OP_MGS_POOL_ADD, R, empty, NULL),
    T_MSG(PROTO_OP_MGS_POOL_REMOVE, Q, mgs_pool_mod_req, &s_pool_mod_req),
    T_MSG(PROTO_OP_MGS_POOL_REMOVE, R, empty, NULL),
    T_MSG(PROTO_OP_MGS_POOL_DESTROY, Q, mgs_pool_req, &s_pool_req),
    T_MSG(PROTO_OP_MGS_POOL_DESTROY, R, empty, NULL),
    T_MSG(PROTO_OP_MGS_POOL_LIST, Q, mgs_pool_list_req, &s_pool_list_req),
    T_MSG(0, Q, mgs_pool_list_req, &s_pool_list_req_all),
    T_MSG(PROTO_OP_MGS_POOL_LIST, R, poollist, &s_pools),
    T_MSG(0, R, poollist, &s_pools_empty),
    T_MSG(PROTO_OP_MGS_FAIL_SET, Q, mgs_fail_set_req, &s_fail_req),
    T_MSG(PROTO_OP_MGS_FAIL_SET, R, empty, NULL),
};

#define NTAB (sizeof(table) / sizeof(table[0]))

static void msg_mgs_every_message_round_trips_and_rejects_truncation(void **state)
{
	samples_init();
	t_msg_check_all(table, NTAB);
}

static void msg_mgs_every_opcode_has_bodies(void **state)
{
	t_msg_cover(table, NTAB, PROTO_OP_MGS_TGT_TABLE, PROTO_OP_MGS_FAIL_SET);
}

static int enc_into(t_enc_fn enc, const void *m, uint8_t *buf, size_t cap, size_t *len)
{
	struct proto_cur c;
	int rc;

	proto_cur_init(&c, buf, cap);
	rc = enc(&c, m);
	*len = c.pos;
	return rc;
}

static int dec_from(t_dec_fn dec, const uint8_t *buf, size_t len)
{
	static uint8_t out[T_SCRATCH] __attribute__((aligned(16)));
	struct proto_cur c;

	proto_cur_init_ro(&c, buf, len);
	return dec(&c, out);
}

static void put_u32_at(uint8_t *buf, size_t off, uint32_t v)
{
	struct proto_cur c;

	proto_cur_init(&c, buf + off, 4);
	proto_put_u32(&c, v);
}

static void msg_mgs_register_fields_match(void **state)
{
	static uint8_t buf[4096];
	struct proto_mgs_tgt_register_req r;
	struct proto_cur c;
	size_t len;

	samples_init();
	assert_int_equal(
	    enc_into(t_enc_mgs_tgt_register_req, &s_register_req, buf, sizeof(buf), &len), 0);
	proto_cur_init_ro(&c, buf, len);
	assert_int_equal(proto_mgs_tgt_register_req_dec(&c, &r), 0);
	assert_string_equal(r.fsname, "testfs12");
	assert_int_equal(r.tgt.type, PROTO_TARGET_OST);
	assert_int_equal(r.tgt.index, 3);
	assert_int_equal(strlen(r.tgt.name), PROTO_TARGET_NAME_MAX);
	assert_memory_equal(r.tgt.uuid, s_register_req.tgt.uuid, PROTO_UUID_LEN);
	assert_int_equal(r.tgt.nnids, PROTO_NID_LIST_MAX);
	assert_int_equal(r.tgt.nids[7].lnd, PROTO_LND_O2IB);
	assert_string_equal(r.tgt.nids[7].addr, s_register_req.tgt.nids[7].addr);
	assert_int_equal(r.tgt.state, PROTO_MGS_TGT_ACTIVE);
}

static void msg_mgs_bad_targets_fail(void **state)
{
	static uint8_t buf[4096];
	struct proto_mgs_tgt_register_req r;
	size_t len, off_port;

	samples_init();
	r = s_register_req;
	r.tgt.nnids = 1;
	r.tgt.nids[0] = nid_tcp;
	assert_int_equal(enc_into(t_enc_mgs_tgt_register_req, &r, buf, sizeof(buf), &len), 0);
	assert_int_equal(dec_from(t_dec_mgs_tgt_register_req, buf, len), 0);
	/* fsname: u16 + 8; then type, index, name (u16 + 16), uuid, port, nnids */
	off_port = 10 + 4 + 4 + 2 + PROTO_TARGET_NAME_MAX + PROTO_UUID_LEN;
	put_u32_at(buf, 10, 3); /* unknown type */
	assert_int_equal(dec_from(t_dec_mgs_tgt_register_req, buf, len), -EPROTO);
	put_u32_at(buf, 10, PROTO_TARGET_OST);
	put_u32_at(buf, 14, PROTO_TARGET_INDEX_MAX + 1); /* index out of range */
	assert_int_equal(dec_from(t_dec_mgs_tgt_register_req, buf, len), -EPROTO);
	put_u32_at(buf, 14, 3);
	put_u32_at(buf, off_port, 0); /* port 0 */
	assert_int_equal(dec_from(t_dec_mgs_tgt_register_req, buf, len), -EPROTO);
	put_u32_at(buf, off_port, 65536);
	assert_int_equal(dec_from(t_dec_mgs_tgt_register_req, buf, len), -EPROTO);
	put_u32_at(buf, off_port, 988);
	put_u32_at(buf, off_port + 4, 0); /* no NIDs */
	assert_int_equal(dec_from(t_dec_mgs_tgt_register_req, buf, len), -EPROTO);
	put_u32_at(buf, off_port + 4, PROTO_NID_LIST_MAX + 1); /* too many NIDs */
	assert_int_equal(dec_from(t_dec_mgs_tgt_register_req, buf, len), -EPROTO);
	put_u32_at(buf, off_port + 4, 1);
	assert_int_equal(dec_from(t_dec_mgs_tgt_register_req, buf, len), 0);
	buf[2] = '.'; /* fsname "t.stfs12" */
	assert_int_equal(dec_from(t_dec_mgs_tgt_register_req, buf, len), -EPROTO);

	/* encoders refuse the same */
	r.tgt.nnids = 0;
	assert_int_equal(enc_into(t_enc_mgs_tgt_register_req, &r, buf, sizeof(buf), &len), -EINVAL);
	r.tgt.nnids = PROTO_NID_LIST_MAX + 1;
	assert_int_equal(enc_into(t_enc_mgs_tgt_register_req, &r, buf, sizeof(buf), &len), -EINVAL);
	r.tgt.nnids = 1;
	strcpy(r.fsname, "");
	assert_int_equal(enc_into(t_enc_mgs_tgt_register_req, &r, buf, sizeof(buf), &len), -EINVAL);
	memset(r.fsname, 'f', sizeof(r.fsname)); /* 9 bytes, no NUL within the cap */
	assert_int_equal(enc_into(t_enc_mgs_tgt_register_req, &r, buf, sizeof(buf), &len),
			 -ENAMETOOLONG);
}

static void msg_mgs_pool_caps_enforced(void **state)
{
	static uint8_t buf[16384];
	struct proto_mgs_pool_mod_req *m = malloc(sizeof(*m));
	struct proto_mgs_pool_req p;
	size_t len, off_count;

	samples_init();
	assert_non_null(m);
	*m = s_pool_mod_req;
	m->count = PROTO_MGS_POOL_MOD_MAX + 1;
	assert_int_equal(enc_into(t_enc_mgs_pool_mod_req, m, buf, sizeof(buf), &len), -EINVAL);
	m->count = 0;
	assert_int_equal(enc_into(t_enc_mgs_pool_mod_req, m, buf, sizeof(buf), &len), -EINVAL);
	m->count = 2;
	assert_int_equal(enc_into(t_enc_mgs_pool_mod_req, m, buf, sizeof(buf), &len), 0);
	off_count = 10 + 2 + PROTO_POOL_NAME_MAX;
	put_u32_at(buf, off_count, PROTO_MGS_POOL_MOD_MAX + 1);
	assert_int_equal(dec_from(t_dec_mgs_pool_mod_req, buf, sizeof(buf)), -EPROTO);
	put_u32_at(buf, off_count, 0);
	assert_int_equal(dec_from(t_dec_mgs_pool_mod_req, buf, len - 8), -EPROTO);

	/* pool names: valid characters only, never empty where one is required */
	p = s_pool_req;
	strcpy(p.pool, "a.b");
	assert_int_equal(enc_into(t_enc_mgs_pool_req, &p, buf, sizeof(buf), &len), -EINVAL);
	strcpy(p.pool, "");
	assert_int_equal(enc_into(t_enc_mgs_pool_req, &p, buf, sizeof(buf), &len), -EINVAL);
	memset(p.pool, 'z', sizeof(p.pool)); /* no NUL within the cap */
	assert_int_equal(enc_into(t_enc_mgs_pool_req, &p, buf, sizeof(buf), &len), -ENAMETOOLONG);
	strcpy(p.pool, "ab");
	assert_int_equal(enc_into(t_enc_mgs_pool_req, &p, buf, sizeof(buf), &len), 0);
	buf[10 + 2 + 1] = '.';
	assert_int_equal(dec_from(t_dec_mgs_pool_req, buf, len), -EPROTO);
	free(m);
}

static void msg_mgs_fail_mode_checked(void **state)
{
	static uint8_t buf[64];
	struct proto_mgs_fail_set_req f = {1, PROTO_FAIL_RAND, 0, 10};
	size_t len;

	assert_int_equal(enc_into(t_enc_mgs_fail_set_req, &f, buf, sizeof(buf), &len), 0);
	assert_int_equal(dec_from(t_dec_mgs_fail_set_req, buf, len), 0);
	put_u32_at(buf, 4, PROTO_FAIL_RAND + 1);
	assert_int_equal(dec_from(t_dec_mgs_fail_set_req, buf, len), -EPROTO);
}

static void msg_mgs_table_unchanged_has_no_entries(void **state)
{
	static uint8_t buf[4096];
	struct proto_mgs_tgt_table_enc a;
	struct proto_cur c;

	samples_init();
	proto_cur_init(&c, buf, sizeof(buf));
	assert_int_equal(proto_mgs_tgt_table_rep_begin(&a, &c, 1, sizeof(buf)), 0);
	assert_int_equal(proto_mgs_tgt_table_rep_add(&a, &s_table.t[0]), 0);
	assert_int_equal(proto_mgs_tgt_table_rep_end(&a, PROTO_MGS_TABLE_F_UNCHANGED), -EINVAL);
	assert_int_equal(proto_mgs_tgt_table_rep_end(&a, 1u << 5), -EINVAL);
	assert_int_equal(proto_mgs_tgt_table_rep_end(&a, PROTO_MGS_TABLE_F_EOF), 0);
	/* flags sit at 8: UNCHANGED with a count of 1 is malformed */
	put_u32_at(buf, 8, PROTO_MGS_TABLE_F_UNCHANGED);
	assert_int_equal(dec_from(t_dec_tgtlist, buf, c.pos), -EPROTO);
	put_u32_at(buf, 8, 4);
	assert_int_equal(dec_from(t_dec_tgtlist, buf, c.pos), -EPROTO);
	put_u32_at(buf, 8, 0);
	assert_int_equal(dec_from(t_dec_tgtlist, buf, c.pos), 0);
	/* a hostile count is refused before any entry is read */
	put_u32_at(buf, 12, 0xffffffffu);
	assert_int_equal(dec_from(t_dec_tgtlist, buf, c.pos), -EPROTO);
}

/* The appenders fill a reply up to the opcode's limit and no further. */
static void msg_mgs_appenders_stop_at_limit(void **state)
{
	size_t tmax = proto_op_rep_body_max(PROTO_OP_MGS_TGT_TABLE) - t_pre_max(true);
	size_t pmax = proto_op_rep_body_max(PROTO_OP_MGS_POOL_LIST) - t_pre_max(true);
	uint8_t *buf = malloc(tmax > pmax ? tmax : pmax);
	uint32_t *members = malloc(65536 * sizeof(uint32_t));
	struct proto_mgs_tgt_table_enc ta;
	struct proto_mgs_pool_list_enc pa;
	struct proto_mgs_tgt_table_rep_iter ti;
	struct proto_mgs_pool_list_rep_iter pi;
	struct proto_mgs_tgt t;
	struct proto_mgs_pool_ent e;
	struct proto_cur c;
	uint32_t n = 0, seen = 0;
	int rc;

	assert_non_null(buf);
	assert_non_null(members);
	tgt_max(&t, 0);
	proto_cur_init(&c, buf, tmax);
	assert_int_equal(proto_mgs_tgt_table_rep_begin(&ta, &c, 5, tmax), 0);
	while ((rc = proto_mgs_tgt_table_rep_add(&ta, &t)) == 0) {
		t.index = ++n;
		if (t.index > PROTO_TARGET_INDEX_MAX)
			break;
	}
	assert_int_equal(rc, -ENOSPC);
	assert_true(n > 200);
	assert_int_equal(proto_mgs_tgt_table_rep_end(&ta, 0), 0);
	proto_cur_init_ro(&c, buf, c.pos);
	assert_int_equal(proto_mgs_tgt_table_rep_iter_init(&ti, &c), 0);
	assert_int_equal(ti.gen, 5);
	while ((rc = proto_mgs_tgt_table_rep_iter_next(&ti, &t)) == 1)
		assert_int_equal(t.index, seen++);
	assert_int_equal(rc, 0);
	assert_int_equal(seen, n);

	/* one pool too big for a reply is refused, a smaller one fits */
	for (uint32_t i = 0; i < 65536; i++)
		members[i] = i;
	proto_cur_init(&c, buf, pmax);
	assert_int_equal(proto_mgs_pool_list_rep_begin(&pa, &c, pmax), 0);
	assert_int_equal(proto_mgs_pool_list_rep_add(&pa, "big", members, 65536), -ENOSPC);
	assert_int_equal(proto_mgs_pool_list_rep_add(&pa, "bad.name", members, 1), -EINVAL);
	assert_int_equal(proto_mgs_pool_list_rep_add(&pa, "ok", members, 60000), 0);
	assert_int_equal(proto_mgs_pool_list_rep_add(&pa, "more", members, 10000), -ENOSPC);
	assert_int_equal(proto_mgs_pool_list_rep_end(&pa, false), 0);
	assert_true(c.pos <= pmax);
	proto_cur_init_ro(&c, buf, c.pos);
	assert_int_equal(proto_mgs_pool_list_rep_iter_init(&pi, &c), 0);
	assert_int_equal(proto_mgs_pool_list_rep_iter_next(&pi, &e), 1);
	assert_string_equal(e.name, "ok");
	assert_int_equal(e.nmembers, 60000);
	assert_int_equal(proto_mgs_pool_ent_member(&e, 59999), 59999);
	assert_int_equal(proto_mgs_pool_list_rep_iter_next(&pi, &e), 0);
	free(members);
	free(buf);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(msg_mgs_every_message_round_trips_and_rejects_truncation),
    cmocka_unit_test(msg_mgs_every_opcode_has_bodies),
    cmocka_unit_test(msg_mgs_register_fields_match),
    cmocka_unit_test(msg_mgs_bad_targets_fail),
    cmocka_unit_test(msg_mgs_pool_caps_enforced),
    cmocka_unit_test(msg_mgs_fail_mode_checked),
    cmocka_unit_test(msg_mgs_table_unchanged_has_no_entries),
    cmocka_unit_test(msg_mgs_appenders_stop_at_limit),
};
T_GROUP(msg_mgs, tests)
