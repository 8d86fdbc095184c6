/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Recovery and eviction: after a kill -9 the client replays its open of an
 * unlinked file within the recovery window and the file survives; an orphan
 * nobody reclaimed is destroyed when the window ends; the window ends early
 * once the only known client is back; the last close destroys the replayed
 * orphan; an evicted client's opens are closed (its orphan destroyed); an
 * MDS stopped inside its recovery window exits cleanly without starting the
 * OSTs' orphan cleanup, which must wait for the window's end.
 */
#include "t_mdsd.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct t_cli cli;

static bool ost_active(void *arg)
{
	struct proto_mds_statfs_rep s;

	return t_statfs(&cli, &s) == 0 && s.ost_active == 1;
}

static struct proto_fid gone_fid;
static struct t_mdsd d;
static long log_from; /* where the current instance's log lines start */

/* The current instance's log lines start here (before it starts). */
static void log_mark(void)
{
	FILE *f = fopen(d.log, "r");

	CHECK(f != NULL);
	CHECK(fseek(f, 0, SEEK_END) == 0);
	log_from = ftell(f);
	fclose(f);
}

static struct proto_fid slow_fid;

/* A read (the recovery window stays open) that the MDS delays. */
static void *slow_getattr(void *arg)
{
	(void)arg;
	t_getattr(&cli, &slow_fid, NULL); /* may fail: the MDS is stopping */
	return NULL;
}

/* The daemon's log has a line containing @arg since log_mark(). */
static bool logged(void *arg)
{
	char line[1024];
	FILE *f = fopen(d.log, "r");
	bool found = false;

	CHECK(f != NULL);
	CHECK(fseek(f, log_from, SEEK_SET) == 0);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, arg) != NULL;
	fclose(f);
	return found;
}

static bool gone(void *arg)
{
	return t_getattr(&cli, &gone_fid, NULL) == -ENOENT;
}

int main(void)
{
	struct proto_fid root = proto_fid_root();
	struct proto_mds_open_rep f, g, h, r;
	struct proto_mds_unlink_rep ur;
	struct proto_attr dir;
	struct t_cli other;
	struct t_oss *oss;
	pthread_t slow;
	uint8_t ost_uuid[16];
	uint16_t oss_port = t_free_port();
	uint64_t t0, cleanups;
	int st;

	t_mdsd_format(&d);
	t_mdsd_arg(&d, "--recovery-window");
	t_mdsd_arg(&d, "8");
	t_mdsd_arg(&d, "--evict-timeout");
	t_mdsd_arg(&d, "2");
	t_mdsd_start(&d);
	oss = t_oss_start(oss_port, 0, 1);
	t_cli_new(&cli, d.port, PROTO_ROLE_CLIENT, 2000);
	CHECK(net_uuid_generate(ost_uuid) == 0);
	CHECK_RC(t_register(&cli, T_FSNAME, 0, ost_uuid, oss_port, NULL), 0);
	CHECK(t_wait(ost_active, NULL, 10000));
	CHECK_RC(t_mkdir(&cli, &t_root, &root, "d", 0777, &dir), 0);

	/* Two files open and unlinked: orphans. */
	CHECK_RC(t_create(&cli, &t_root, &dir.fid, "f", 0644,
			  PROTO_CREATE_F_EXCL | PROTO_CREATE_F_OPEN, O_RDWR, NULL, &f),
		 0);
	CHECK((f.flags & PROTO_OPEN_REP_F_OPENED) && f.handle != 0);
	CHECK_RC(t_open(&cli, &t_root, &f.attr.fid, O_RDONLY, 0, 0, NULL), 0);
	CHECK_RC(t_create(&cli, &t_root, &dir.fid, "g", 0644,
			  PROTO_CREATE_F_EXCL | PROTO_CREATE_F_OPEN, O_RDWR, NULL, &g),
		 0);
	CHECK_RC(t_unlink(&cli, &t_root, &dir.fid, "f", &ur), 0);
	CHECK(ur.flags & PROTO_UNLINK_F_ORPHAN);
	CHECK_RC(t_unlink(&cli, &t_root, &dir.fid, "g", NULL), 0);
	usleep(500000); /* the client is recorded for recovery */

	/* kill -9; the client comes back and replays only f's first handle. */
	st = t_mdsd_stop(&d, SIGKILL);
	CHECK(WIFSIGNALED(st));
	t_mdsd_start(&d);
	t0 = net_now_ms();
	CHECK_RC(t_open(&cli, &t_root, &f.attr.fid, O_RDWR, PROTO_OPEN_F_REPLAY, f.handle, &r), 0);
	CHECK(r.handle == f.handle);
	/* Replaying twice is harmless. */
	CHECK_RC(t_open(&cli, &t_root, &f.attr.fid, O_RDWR, PROTO_OPEN_F_REPLAY, f.handle, &r), 0);
	/* Its first new change ends the window early (the only known client is back). */
	CHECK_RC(t_mkdir(&cli, &t_root, &dir.fid, "after", 0755, NULL), 0);
	CHECK(net_now_ms() - t0 < 6000);
	/* g was not reclaimed: destroyed at the end of the window; f survives. */
	gone_fid = g.attr.fid;
	CHECK(t_wait(gone, NULL, 5000));
	CHECK_RC(t_getattr(&cli, &f.attr.fid, NULL), 0);
	/* The last close of the replayed orphan destroys it. */
	CHECK_RC(t_close(&cli, &f.attr.fid, f.handle), 0);
	gone_fid = f.attr.fid;
	CHECK(t_wait(gone, NULL, 5000));

	/* Eviction: another client opens and unlinks h, then disappears. */
	t_cli_new(&other, d.port, PROTO_ROLE_CLIENT, 2000);
	CHECK_RC(t_create(&other, &t_root, &dir.fid, "h", 0644,
			  PROTO_CREATE_F_EXCL | PROTO_CREATE_F_OPEN, O_WRONLY, NULL, &h),
		 0);
	CHECK_RC(t_unlink(&other, &t_root, &dir.fid, "h", &ur), 0);
	CHECK(ur.flags & PROTO_UNLINK_F_ORPHAN);
	CHECK_RC(t_getattr(&cli, &h.attr.fid, NULL), 0);
	t_cli_free(&other);
	gone_fid = h.attr.fid;
	CHECK(t_wait(gone, NULL, 10000));

	/*
	 * Stopped inside its recovery window (cli is still known): the MDS
	 * never starts the OSTs' orphan cleanup, which would destroy the
	 * objects of creates a client may still replay to the next instance,
	 * and it exits cleanly.  Its housekeeping keeps ticking while the
	 * server waits for a running request at shutdown.
	 */
	st = t_mdsd_stop(&d, SIGKILL);
	CHECK(WIFSIGNALED(st));
	cleanups = t_oss_orphan_cleanups(oss, NULL);
	/* Its first request sleeps 1.5 s: the shutdown waits for it meanwhile. */
	t_mdsd_arg(&d, "--fail");
	t_mdsd_arg(&d, "delay,value=1500");
	log_mark();
	t_mdsd_start(&d);
	CHECK(t_wait(logged, "orphan cleanup waits for the recovery window", 10000));
	slow_fid = dir.fid;
	CHECK(pthread_create(&slow, NULL, slow_getattr, NULL) == 0);
	CHECK(t_wait(logged, "fail point delay fired", 10000));
	st = t_mdsd_stop(&d, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pthread_join(slow, NULL);
	CHECK(!logged("recovery window closed"));
	CHECK(t_oss_orphan_cleanups(oss, NULL) == cleanups);
	/* The next instance still opens a window, and cleans up after it. */
	log_mark();
	t_mdsd_start(&d);
	CHECK_RC(t_mkdir(&cli, &t_root, &dir.fid, "last", 0755, NULL), 0);
	CHECK(t_wait(logged, "recovery window closed", 10000));

	t_cli_free(&cli);
	st = t_mdsd_stop(&d, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(t_oss_orphan_cleanups(oss, NULL) > cleanups);
	CHECK_RC(t_mdsd_check(&d), 0);
	t_oss_stop(oss);
	t_mdsd_cleanup(&d);
	printf("mds_recovery: ok\n");
	return 0;
}
