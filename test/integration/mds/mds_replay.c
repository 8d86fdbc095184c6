/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reply reconstruction: a committed operation whose reply is lost (the
 * drop_reply failure point, or an MDS killed right after the commit) is
 * resent by the client and gets the original answer, not a second
 * execution: an exclusive create returns the same FID (not -EEXIST), an
 * unlink 0 (not -ENOENT), a rename 0.  Across a reconnect and across a
 * kill -9 and restart of stria-mds.
 */
#include "t_mdsd.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mds/failinj.h"

static struct t_cli cli;
static struct proto_fid dirfid;

static bool ost_active(void *arg)
{
	struct proto_mds_statfs_rep s;

	return t_statfs(&cli, &s) == 0 && s.ost_active == 1;
}

struct bg_create {
	const char *name;
	int rc;
	struct proto_mds_open_rep rep;
};

static void *bg_create(void *arg)
{
	struct bg_create *b = arg;

	b->rc =
	    t_create(&cli, &t_root, &dirfid, b->name, 0644, PROTO_CREATE_F_EXCL, 0, NULL, &b->rep);
	return NULL;
}

/* An exclusive create whose MDS dies at @point; the resend after restart. */
static void crash_create(struct t_mdsd *d, uint32_t point, const char *name)
{
	struct bg_create b = {.name = name};
	struct proto_attr a;
	pthread_t th;
	int st;

	CHECK_RC(t_fail_set(&cli, &t_root, point, PROTO_FAIL_ONCE, PROTO_OP_MDS_CREATE, 0), 0);
	CHECK(pthread_create(&th, NULL, bg_create, &b) == 0);
	st = t_mdsd_wait(d);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9);
	t_mdsd_start(d);
	pthread_join(th, NULL);
	CHECK_RC(b.rc, 0);
	CHECK_RC(t_lookup(&cli, &t_root, &dirfid, name, &a), 0);
	CHECK(proto_fid_eq(&a.fid, &b.rep.attr.fid));
}

int main(void)
{
	struct proto_fid root = proto_fid_root();
	struct proto_mds_open_rep f;
	struct proto_attr dir, a, before;
	struct t_mdsd d;
	struct t_oss *oss;
	uint8_t ost_uuid[16];
	uint16_t oss_port = t_free_port();
	int st;

	t_mdsd_format(&d);
	t_mdsd_arg(&d, "--recovery-window");
	t_mdsd_arg(&d, "3");
	t_mdsd_start(&d);
	oss = t_oss_start(oss_port, 0, 1);
	/* A short per-attempt timeout: a lost reply is resent after 1 s. */
	t_cli_new(&cli, d.port, PROTO_ROLE_CLIENT, 1000);
	CHECK(net_uuid_generate(ost_uuid) == 0);
	CHECK_RC(t_register(&cli, T_FSNAME, 0, ost_uuid, oss_port, NULL), 0);
	CHECK(t_wait(ost_active, NULL, 10000));
	CHECK_RC(t_mkdir(&cli, &t_root, &root, "d", 0755, &dir), 0);
	dirfid = dir.fid;

	/* Non-root may not arm failure points. */
	CHECK_RC(t_fail_set(&cli, &t_alice, FAIL_DROP_REPLY, PROTO_FAIL_ONCE, 0, 0), -EPERM);
	CHECK_RC(t_fail_set(&cli, &t_root, 0x9999, PROTO_FAIL_ONCE, 0, 0), -ENOENT);

	/* create: committed, reply dropped, resent after a reconnect. */
	CHECK_RC(
	    t_fail_set(&cli, &t_root, FAIL_DROP_REPLY, PROTO_FAIL_ONCE, PROTO_OP_MDS_CREATE, 0), 0);
	CHECK_RC(t_getattr(&cli, &dirfid, &before), 0);
	CHECK_RC(t_create(&cli, &t_root, &dirfid, "a", 0644, PROTO_CREATE_F_EXCL, 0, NULL, &f), 0);
	CHECK(f.flags & PROTO_OPEN_REP_F_CREATED);
	CHECK_RC(t_lookup(&cli, &t_root, &dirfid, "a", &a), 0);
	CHECK(proto_fid_eq(&a.fid, &f.attr.fid) && a.nlink == 1);
	/* Executed once: a second exclusive create would have failed. */
	CHECK_RC(t_create(&cli, &t_root, &dirfid, "a", 0644, PROTO_CREATE_F_EXCL, 0, NULL, NULL),
		 -EEXIST);

	/* unlink with its reply lost: 0, not -ENOENT. */
	CHECK_RC(
	    t_fail_set(&cli, &t_root, FAIL_DROP_REPLY, PROTO_FAIL_ONCE, PROTO_OP_MDS_UNLINK, 0), 0);
	CHECK_RC(t_unlink(&cli, &t_root, &dirfid, "a", NULL), 0);
	CHECK_RC(t_lookup(&cli, &t_root, &dirfid, "a", NULL), -ENOENT);

	/* rename with its reply lost. */
	CHECK_RC(t_create(&cli, &t_root, &dirfid, "b", 0644, PROTO_CREATE_F_EXCL, 0, NULL, &f), 0);
	CHECK_RC(
	    t_fail_set(&cli, &t_root, FAIL_DROP_REPLY, PROTO_FAIL_ONCE, PROTO_OP_MDS_RENAME, 0), 0);
	CHECK_RC(t_rename(&cli, &t_root, &dirfid, "b", &dirfid, "c", 0), 0);
	CHECK_RC(t_lookup(&cli, &t_root, &dirfid, "c", &a), 0);
	CHECK(proto_fid_eq(&a.fid, &f.attr.fid));

	/* mkdir whose request is dropped before execution: the resend executes it. */
	CHECK_RC(
	    t_fail_set(&cli, &t_root, FAIL_DROP_REQUEST, PROTO_FAIL_ONCE, PROTO_OP_MDS_MKDIR, 0),
	    0);
	CHECK_RC(t_mkdir(&cli, &t_root, &dirfid, "sub", 0755, NULL), 0);
	CHECK_RC(t_getattr(&cli, &dirfid, &a), 0);
	CHECK(a.nlink == 3);

	/* A delayed handler still answers. */
	CHECK_RC(t_fail_set(&cli, &t_root, FAIL_DELAY, PROTO_FAIL_ONCE, 300, 0), 0);
	CHECK_RC(t_lookup(&cli, &t_root, &dirfid, "c", NULL), 0);

	/* kill -9 right after the commit, before the reply; and after apply. */
	crash_create(&d, FAIL_CRASH_AFTER_COMMIT, "k1");
	crash_create(&d, FAIL_CRASH_AFTER_APPLY, "k2");

	/* A plain kill -9 of an idle MDS loses nothing acknowledged. */
	st = t_mdsd_stop(&d, SIGKILL);
	CHECK(WIFSIGNALED(st));
	t_mdsd_start(&d);
	CHECK_RC(t_lookup(&cli, &t_root, &dirfid, "k1", NULL), 0);
	CHECK_RC(t_lookup(&cli, &t_root, &dirfid, "c", NULL), 0);

	t_cli_free(&cli);
	st = t_mdsd_stop(&d, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_RC(t_mdsd_check(&d), 0);
	t_oss_stop(oss);
	t_mdsd_cleanup(&d);
	printf("mds_replay: ok\n");
	return 0;
}
