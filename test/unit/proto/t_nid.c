/* SPDX-License-Identifier: Apache-2.0 */
/* NIDs, NID lists and mount sources: parsing, formatting, the wire codec. */
#include "t_unit.h"

#include <errno.h>
#include <string.h>

#include "proto/proto.h"

static void check_nid(const char *s, uint32_t lnd, const char *addr)
{
	struct proto_nid n;

	assert_int_equal(proto_nid_parse(s, &n), 0);
	assert_int_equal(n.lnd, lnd);
	assert_string_equal(n.addr, addr);
}

static void nid_parse_accepts_lustre_forms(void **state)
{
	check_nid("10.0.0.1@tcp", PROTO_LND_TCP, "10.0.0.1");
	check_nid("10.0.0.1@o2ib", PROTO_LND_O2IB, "10.0.0.1");
	check_nid("192.168.255.0@tcp0", PROTO_LND_TCP, "192.168.255.0"); /* tcp0 == tcp */
	check_nid("0.0.0.0@o2ib0", PROTO_LND_O2IB, "0.0.0.0");
	check_nid("node-01.cluster@tcp", PROTO_LND_TCP, "node-01.cluster");
	check_nid("MDS1@o2ib", PROTO_LND_O2IB, "MDS1");
	check_nid("10.0.0.1", PROTO_LND_TCP, "10.0.0.1"); /* bare ADDR is tcp */
	check_nid("localhost", PROTO_LND_TCP, "localhost");
	check_nid("a", PROTO_LND_TCP, "a");
	check_nid("1a.2b", PROTO_LND_TCP, "1a.2b"); /* not all digits: a host name */
	/* 63 characters: the longest address */
	check_nid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@tcp",
		  PROTO_LND_TCP, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
}

static void nid_parse_rejects_every_malformed_form(void **state)
{
	static const char *const bad[] = {
	    "",		       /* empty */
	    "@tcp",	       /* empty address */
	    "10.0.0.1@",       /* empty network */
	    "10.0.0.1@udp",    /* unknown network */
	    "10.0.0.1@tcp1",   /* network numbers other than 0 */
	    "10.0.0.1@TCP",    /* network names are lower case */
	    "10.0.0.1@tcp ",   /* trailing space */
	    " 10.0.0.1@tcp",   /* leading space */
	    "1.2.3.4:988@tcp", /* a port inside a NID */
	    "1.2.3.4@tcp:988", /* ... after it */
	    "1.2.3.4:988",     /* ... bare */
	    "::1@tcp",	       /* IPv6 */
	    "1.2.3",	       /* digits and dots: must be a dotted quad */
	    "1.2.3.4.5",
	    "1.2.3.256",
	    "01.2.3.4", /* leading zero */
	    "1..3.4",
	    "1.2.3.4.",
	    "1234.1.1.1",
	    "a..b", /* empty label */
	    ".a",
	    "a.",
	    "-a", /* label starting with '-' */
	    "a-", /* ... ending with '-' */
	    "a.-b",
	    "a-.b",
	    "a_b", /* '_' is not a host name character */
	    "a b",
	    "a@b@tcp",		     /* two '@' */
	    "10.0.0.1,10.0.0.2@tcp", /* multi-interface lists are not supported */
	    "host/x",
	    /* 64 characters: one too many */
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@tcp",
	};
	struct proto_nid n = {.lnd = 99, .addr = "untouched"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (proto_nid_parse(bad[i], &n) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(n.lnd, 99); /* out written only on success */
		assert_string_equal(n.addr, "untouched");
	}
}

static void nid_str_formats_and_round_trips(void **state)
{
	static const char *const good[] = {"10.0.0.1@tcp", "10.0.0.1@o2ib", "node-1.x@tcp"};
	char buf[PROTO_NID_STRLEN];
	struct proto_nid n, m;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(proto_nid_parse(good[i], &n), 0);
		assert_string_equal(proto_nid_str(&n, buf, sizeof(buf)), good[i]);
		assert_int_equal(proto_nid_parse(buf, &m), 0);
		assert_true(proto_nid_eq(&n, &m));
	}
	/* aliases print canonically */
	assert_int_equal(proto_nid_parse("10.0.0.1@tcp0", &n), 0);
	assert_string_equal(proto_nid_str(&n, buf, sizeof(buf)), "10.0.0.1@tcp");
	assert_int_equal(proto_nid_parse("mds", &n), 0);
	assert_string_equal(proto_nid_str(&n, buf, sizeof(buf)), "mds@tcp");
	n.lnd = 7;
	assert_string_equal(proto_nid_str(&n, buf, sizeof(buf)), "mds@?");
	/* the longest NID fits PROTO_NID_STRLEN */
	memset(n.addr, 'x', PROTO_NID_ADDR_MAX);
	n.addr[PROTO_NID_ADDR_MAX] = '\0';
	n.lnd = PROTO_LND_O2IB;
	assert_int_equal(strlen(proto_nid_str(&n, buf, sizeof(buf))), PROTO_NID_ADDR_MAX + 5);
	assert_string_equal(proto_lnd_name(PROTO_LND_TCP), "tcp");
	assert_null(proto_lnd_name(0));
}

static void nid_port_str_is_unambiguous(void **state)
{
	char buf[PROTO_NID_PORT_STRLEN];
	struct proto_nid n;

	assert_int_equal(proto_nid_parse("127.0.0.1@tcp", &n), 0);
	assert_string_equal(proto_nid_port_str(&n, 988, buf, sizeof(buf)),
			    "127.0.0.1@tcp port 988");
	assert_string_equal(proto_nid_port_str(&n, 65535, buf, sizeof(buf)),
			    "127.0.0.1@tcp port 65535");
}

static void nid_eq_ignores_host_case_only(void **state)
{
	struct proto_nid a, b;

	assert_int_equal(proto_nid_parse("MDS1.example@tcp", &a), 0);
	assert_int_equal(proto_nid_parse("mds1.EXAMPLE@tcp", &b), 0);
	assert_true(proto_nid_eq(&a, &b));
	assert_int_equal(proto_nid_parse("mds1.example@o2ib", &b), 0);
	assert_false(proto_nid_eq(&a, &b));
	assert_int_equal(proto_nid_parse("mds2.example@tcp", &b), 0);
	assert_false(proto_nid_eq(&a, &b));
}

static void nid_list_parses_failover_pairs(void **state)
{
	struct proto_nid n[PROTO_NID_LIST_MAX];

	assert_int_equal(proto_nid_list_parse("10.0.0.1@tcp", n, PROTO_NID_LIST_MAX), 1);
	assert_int_equal(proto_nid_list_parse("10.0.0.1@tcp:10.0.0.2@o2ib", n, PROTO_NID_LIST_MAX),
			 2);
	assert_string_equal(n[0].addr, "10.0.0.1");
	assert_int_equal(n[0].lnd, PROTO_LND_TCP);
	assert_string_equal(n[1].addr, "10.0.0.2");
	assert_int_equal(n[1].lnd, PROTO_LND_O2IB);
	assert_int_equal(proto_nid_list_parse("a:b:c:d:e:f:g:h", n, PROTO_NID_LIST_MAX), 8);
	assert_string_equal(n[7].addr, "h");
}

static void nid_list_rejects_bad_lists(void **state)
{
	static const char *const bad[] = {
	    "", ":", "a::b", ":a", "a:", "a@tcp:b@udp", "a:1.2.3.4:988", "a:b c",
	};
	struct proto_nid n[PROTO_NID_LIST_MAX];

	memset(n, 0x5a, sizeof(n));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (proto_nid_list_parse(bad[i], n, PROTO_NID_LIST_MAX) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(proto_nid_list_parse("a:b:c:d:e:f:g:h:i", n, PROTO_NID_LIST_MAX), -E2BIG);
	assert_int_equal(proto_nid_list_parse("a:b", n, 1), -E2BIG);
	assert_int_equal(proto_nid_list_parse("a", n, 0), -E2BIG);
	assert_int_equal(n[0].lnd, 0x5a5a5a5a); /* never written */
}

static void nid_list_str_joins_with_colons(void **state)
{
	char buf[PROTO_NID_LIST_STRLEN];
	struct proto_nid n[PROTO_NID_LIST_MAX];
	int cnt = proto_nid_list_parse("10.0.0.1@tcp:10.0.0.2@o2ib", n, PROTO_NID_LIST_MAX);

	assert_int_equal(cnt, 2);
	assert_int_equal(proto_nid_list_str(n, 2, buf, sizeof(buf)), 26);
	assert_string_equal(buf, "10.0.0.1@tcp:10.0.0.2@o2ib");
	assert_int_equal(proto_nid_list_str(n, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* 26 characters need 27 bytes */
	assert_int_equal(proto_nid_list_str(n, 2, buf, 26), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(proto_nid_list_str(n, 2, buf, 27), 26);
	assert_int_equal(proto_nid_list_str(n, 1, buf, 0), -ENOSPC);
}

static void nid_mount_source_parses(void **state)
{
	struct proto_mount_source m;

	assert_int_equal(proto_mount_source_parse("10.0.0.1@tcp:/testfs", &m), 0);
	assert_int_equal(m.nnids, 1);
	assert_string_equal(m.nids[0].addr, "10.0.0.1");
	assert_int_equal(m.nids[0].lnd, PROTO_LND_TCP);
	assert_string_equal(m.fsname, "testfs");

	assert_int_equal(proto_mount_source_parse("10.0.0.1@o2ib:10.0.0.2@o2ib:/lfs_1", &m), 0);
	assert_int_equal(m.nnids, 2);
	assert_string_equal(m.nids[1].addr, "10.0.0.2");
	assert_int_equal(m.nids[1].lnd, PROTO_LND_O2IB);
	assert_string_equal(m.fsname, "lfs_1");

	assert_int_equal(proto_mount_source_parse("mds1:/my-fs", &m), 0);
	assert_string_equal(m.nids[0].addr, "mds1");
	assert_string_equal(m.fsname, "my-fs");
	assert_int_equal(proto_mount_source_parse("a:b:c:d:e:f:g:h:/abcdefgh", &m), 0);
	assert_int_equal(m.nnids, 8);
}

static void nid_mount_source_rejects_every_malformed_form(void **state)
{
	static const char *const bad[] = {
	    "",
	    "10.0.0.1@tcp",		/* no ":/fsname" */
	    "10.0.0.1@tcp/testfs",	/* "/" without ':' */
	    ":/testfs",			/* no NIDs */
	    "10.0.0.1@tcp:/",		/* empty fsname */
	    "10.0.0.1@tcp:/testfs/",	/* trailing '/' */
	    "10.0.0.1@tcp:/testfs/sub", /* subdirectory mounts: not supported */
	    "10.0.0.1@tcp:/toolongfs",	/* 9 characters */
	    "10.0.0.1@tcp:/-fs",	/* must start with a letter or digit */
	    "10.0.0.1@tcp:/a.b",
	    "10.0.0.1@tcp::/testfs",	/* empty NID */
	    "10.0.0.1:988@tcp:/testfs", /* a port: "988@tcp" is not an address */
	    "10.0.0.1@udp:/testfs",
	    "10.0.0.1@tcp:/test fs",
	};
	struct proto_mount_source m = {.nnids = 77};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (proto_mount_source_parse(bad[i], &m) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(proto_mount_source_parse("a:b:c:d:e:f:g:h:i:/fs", &m), -E2BIG);
	assert_int_equal(m.nnids, 77);
}

static void nid_codec_round_trips(void **state)
{
	uint8_t buf[128];
	struct proto_nid n, out;
	struct proto_cur c;

	assert_int_equal(proto_nid_parse("node-7.ib@o2ib", &n), 0);
	proto_cur_init(&c, buf, sizeof(buf));
	proto_nid_enc(&c, &n);
	assert_int_equal(proto_cur_err(&c), 0);
	assert_int_equal(c.pos, 4 + 2 + 9); /* u32 lnd, u16 length, "node-7.ib" */
	proto_cur_init_ro(&c, buf, 15);
	proto_nid_dec(&c, &out);
	assert_int_equal(proto_cur_finish(&c), 0);
	assert_true(proto_nid_eq(&n, &out));
	assert_string_equal(out.addr, "node-7.ib");
	/* every truncation fails */
	for (size_t cut = 0; cut < 15; cut++) {
		proto_cur_init_ro(&c, buf, cut);
		proto_nid_dec(&c, &out);
		assert_int_equal(proto_cur_err(&c), -EPROTO);
	}
}

/* Decodes a hand-made NID (lnd, address bytes) and returns the cursor error. */
static int dec_raw(uint32_t lnd, const char *addr, size_t len)
{
	uint8_t buf[256];
	struct proto_nid out;
	struct proto_cur c;

	proto_cur_init(&c, buf, sizeof(buf));
	proto_put_u32(&c, lnd);
	proto_put_u16(&c, (uint16_t)len);
	proto_put_bytes(&c, addr, len);
	proto_cur_init_ro(&c, buf, 6 + len);
	proto_nid_dec(&c, &out);
	return proto_cur_err(&c);
}

static void nid_codec_rejects_bad_input(void **state)
{
	char longaddr[PROTO_NID_ADDR_MAX + 1];

	memset(longaddr, 'a', sizeof(longaddr));
	assert_int_equal(dec_raw(PROTO_LND_TCP, "10.0.0.1", 8), 0);
	assert_int_equal(dec_raw(3, "10.0.0.1", 8), -EPROTO); /* unknown lnd */
	assert_int_equal(dec_raw(0, "10.0.0.1", 8), -EPROTO);
	assert_int_equal(dec_raw(PROTO_LND_TCP, "", 0), -EPROTO);	  /* empty */
	assert_int_equal(dec_raw(PROTO_LND_TCP, "10.0\0.1", 8), -EPROTO); /* NUL */
	assert_int_equal(dec_raw(PROTO_LND_TCP, "a b", 3), -EPROTO);
	assert_int_equal(dec_raw(PROTO_LND_TCP, "1.2.3.4:9", 9), -EPROTO);
	assert_int_equal(dec_raw(PROTO_LND_TCP, longaddr, PROTO_NID_ADDR_MAX), 0);
	assert_int_equal(dec_raw(PROTO_LND_TCP, longaddr, PROTO_NID_ADDR_MAX + 1), -EPROTO);
}

static void nid_addr_valid_matches_parser(void **state)
{
	assert_true(proto_nid_addr_valid("255.255.255.255"));
	assert_true(proto_nid_addr_valid("x-1.y-2"));
	assert_false(proto_nid_addr_valid("256.1.1.1"));
	assert_false(proto_nid_addr_valid("1.2.3.4@tcp"));
	assert_false(proto_nid_addr_valid(""));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(nid_parse_accepts_lustre_forms),
    cmocka_unit_test(nid_parse_rejects_every_malformed_form),
    cmocka_unit_test(nid_str_formats_and_round_trips),
    cmocka_unit_test(nid_port_str_is_unambiguous),
    cmocka_unit_test(nid_eq_ignores_host_case_only),
    cmocka_unit_test(nid_list_parses_failover_pairs),
    cmocka_unit_test(nid_list_rejects_bad_lists),
    cmocka_unit_test(nid_list_str_joins_with_colons),
    cmocka_unit_test(nid_mount_source_parses),
    cmocka_unit_test(nid_mount_source_rejects_every_malformed_form),
    cmocka_unit_test(nid_codec_round_trips),
    cmocka_unit_test(nid_codec_rejects_bad_input),
    cmocka_unit_test(nid_addr_valid_matches_parser),
};
T_GROUP(nid, tests)
