/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The management service: registration rules (same uuid again accepted,
 * another uuid for a used index refused, another file system refused), the
 * target table and its generation, active/inactive states, pools and their
 * persistence across a restart, admin requests refused for non-root.
 */
#include "t_mdsd.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct t_cli cli;

struct table {
	struct proto_mgs_tgt t[8];
	int n;
	uint64_t gen;
	bool unchanged;
};

static void fetch(struct table *tb, uint64_t known)
{
	tb->n = t_table(&cli, known, &tb->gen, &tb->unchanged, tb->t, 8);
	CHECK(tb->n >= 0);
}

static bool ost0_active(void *arg)
{
	struct table tb;

	fetch(&tb, 0);
	return tb.n >= 1 && tb.t[0].state == PROTO_MGS_TGT_ACTIVE;
}

int main(void)
{
	char names[8][PROTO_POOL_NAME_MAX + 1];
	uint32_t mem[8], nmem = 0, zero = 0, five = 5, one = 1;
	uint8_t ua[16], ub[16], uc[16];
	uint16_t oss_port = t_free_port(), dead_port = t_free_port();
	uint64_t g1, g2;
	struct table tb, tb2;
	struct t_mdsd d;
	struct t_oss *oss;
	int st;

	t_mdsd_format(&d);
	t_mdsd_arg(&d, "--recovery-window");
	t_mdsd_arg(&d, "0");
	t_mdsd_start(&d);
	oss = t_oss_start(oss_port, 0, 1);
	t_cli_new(&cli, d.port, PROTO_ROLE_OSS, 5000);
	CHECK(net_uuid_generate(ua) == 0 && net_uuid_generate(ub) == 0 &&
	      net_uuid_generate(uc) == 0);

	/* An empty table, then registrations. */
	fetch(&tb, 0);
	CHECK(tb.n == 0 && tb.gen != 0);
	CHECK_RC(t_register(&cli, T_FSNAME, 0, ua, oss_port, &g1), 0);
	CHECK(g1 > tb.gen);
	CHECK_RC(t_register(&cli, T_FSNAME, 0, ua, oss_port, &g2), 0); /* same uuid: fine */
	CHECK_RC(t_register(&cli, T_FSNAME, 0, ub, oss_port, NULL), -EADDRINUSE);
	CHECK_RC(t_register(&cli, "otherfs", 1, ub, oss_port, NULL), -EINVAL);
	CHECK(t_wait(ost0_active, NULL, 10000));

	fetch(&tb, 0);
	CHECK(tb.n == 1 && tb.t[0].index == 0 && strcmp(tb.t[0].name, "testfs-OST0000") == 0);
	CHECK(memcmp(tb.t[0].uuid, ua, 16) == 0 && tb.t[0].port == oss_port);
	fetch(&tb2, tb.gen);
	CHECK(tb2.unchanged && tb2.n == 0 && tb2.gen == tb.gen);

	/* A second OST nobody serves: registered, inactive; the generation moves. */
	CHECK_RC(t_register(&cli, T_FSNAME, 1, uc, dead_port, NULL), 0);
	fetch(&tb2, tb.gen);
	CHECK(!tb2.unchanged && tb2.gen > tb.gen && tb2.n == 2);
	CHECK(tb2.t[1].index == 1 && tb2.t[1].state == PROTO_MGS_TGT_INACTIVE);
	CHECK(tb2.t[0].state == PROTO_MGS_TGT_ACTIVE);

	/* Pools: root only; precise errors. */
	CHECK_RC(t_pool(&cli, &t_alice, PROTO_OP_MGS_POOL_NEW, "fast", NULL, 0), -EPERM);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_NEW, "fast", NULL, 0), 0);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_NEW, "fast", NULL, 0), -EEXIST);
	CHECK_RC(t_pool(&cli, &t_alice, PROTO_OP_MGS_POOL_ADD, "fast", &zero, 1), -EPERM);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_ADD, "fast", &zero, 1), 0);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_ADD, "fast", &zero, 1), -EEXIST);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_ADD, "fast", &five, 1), -EINVAL);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_ADD, "nopool", &zero, 1), -ENOENT);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_REMOVE, "fast", &one, 1), -ENOENT);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_DESTROY, "fast", NULL, 0), -ENOTEMPTY);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_NEW, "slow", NULL, 0), 0);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_ADD, "slow", &one, 1), 0);
	CHECK_RC(t_pool_list(&cli, "fast", names, 8, mem, &nmem), 1);
	CHECK(strcmp(names[0], "fast") == 0 && nmem == 1 && mem[0] == 0);
	CHECK_RC(t_pool_list(&cli, "", names, 8, NULL, NULL), 2);
	CHECK_RC(t_pool_list(&cli, "nopool", names, 8, NULL, NULL), -ENOENT);

	/* Everything persists across a restart; the generation never repeats. */
	t_cli_free(&cli);
	st = t_mdsd_stop(&d, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_mdsd_start(&d);
	t_cli_new(&cli, d.port, PROTO_ROLE_OSS, 5000);
	CHECK_RC(t_pool_list(&cli, "", names, 8, NULL, NULL), 2);
	CHECK(strcmp(names[0], "fast") == 0 && strcmp(names[1], "slow") == 0);
	CHECK_RC(t_pool_list(&cli, "slow", names, 8, mem, &nmem), 1);
	CHECK(nmem == 1 && mem[0] == 1);
	fetch(&tb, tb2.gen);
	CHECK(!tb.unchanged && tb.gen > tb2.gen && tb.n == 2);
	CHECK(memcmp(tb.t[1].uuid, uc, 16) == 0);
	CHECK_RC(t_register(&cli, T_FSNAME, 1, ub, dead_port, NULL), -EADDRINUSE);
	CHECK(t_wait(ost0_active, NULL, 10000));

	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_REMOVE, "fast", &zero, 1), 0);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_DESTROY, "fast", NULL, 0), 0);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_DESTROY, "fast", NULL, 0), -ENOENT);
	CHECK_RC(t_pool_list(&cli, "", names, 8, NULL, NULL), 1);

	t_cli_free(&cli);
	st = t_mdsd_stop(&d, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_oss_stop(oss);
	t_mdsd_cleanup(&d);
	printf("mds_mgs: ok\n");
	return 0;
}
