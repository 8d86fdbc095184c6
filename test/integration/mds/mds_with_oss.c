/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MDS with real stria-oss daemons: three OSTs formatted by mkfs.stria and
 * served by two stria-oss processes that start before the MDS does.
 *
 *  - the OSSes register by themselves once the MGS appears, and again after
 *    the MDS is killed -9 and restarted;
 *  - a file striped over all OSTs gets precreated objects the OSTs know
 *    (empty, with no file until written); a truncate punches them; an unlink
 *    destroys them there, written or not;
 *  - after the MDS restart, orphan cleanup runs on every OST and new objects
 *    never reuse an id;
 *  - the checker finds nothing wrong at the end.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t_mdsd.h"

#ifndef STRIA_OSS_BIN
int main(void)
{
	fprintf(stderr, "SKIP: stria-oss is not built\n");
	return 77;
}
#else

#define NOSS 2

struct oss {
	const char *addr;
	char log[160];
	char dirs[2][160];
	int ndirs;
	pid_t pid;
	struct net_client *cl;
};

static struct t_mdsd d;
static struct oss oss[NOSS] = {{.addr = "127.0.0.3"}, {.addr = "127.0.0.4"}};
static struct net_loop *loop;

static void run_mkfs(const char *dir, uint32_t index)
{
	char cmd[PATH_MAX + 512];

	CHECK((size_t)snprintf(cmd, sizeof(cmd),
			       "'%s' --ost --fsname %s --index %u --mgsnode 127.0.0.1@tcp "
			       "--mgsport %u -q '%s'",
			       STRIA_MKFS_BIN, T_FSNAME, index, d.port, dir) < sizeof(cmd));
	CHECK(system(cmd) == 0);
}

static void oss_start(struct oss *o)
{
	char port[16];

	snprintf(port, sizeof(port), "%u", d.port);
	o->pid = fork();
	if (o->pid == 0) {
		char listen[64];
		int fd = open(o->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		snprintf(listen, sizeof(listen), "%s@tcp", o->addr);
		dup2(fd, 1);
		dup2(fd, 2);
		if (o->ndirs == 2)
			execl(STRIA_OSS_BIN, STRIA_OSS_BIN, "--listen", listen, "--port", port,
			      o->dirs[0], o->dirs[1], (char *)NULL);
		else
			execl(STRIA_OSS_BIN, STRIA_OSS_BIN, "--listen", listen, "--port", port,
			      o->dirs[0], (char *)NULL);
		_exit(127);
	}
}

/* Also at exit, so a failing CHECK leaves no daemon holding the test's output. */
static void oss_stop_all(void)
{
	for (int i = 0; i < NOSS; i++)
		if (oss[i].pid > 0) {
			kill(oss[i].pid, SIGTERM);
			waitpid(oss[i].pid, NULL, 0);
			oss[i].pid = 0;
		}
}

/* Lines of @o's log containing @what. */
static int log_count(const struct oss *o, const char *what)
{
	char line[1024];
	FILE *f = fopen(o->log, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, what))
			n++;
	fclose(f);
	return n;
}

static bool wait_log(const struct oss *o, const char *what, int atleast, int ms)
{
	for (int t = 0; t < ms; t += 50) {
		if (log_count(o, what) >= atleast)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

static struct net_client *ost_client(const char *addr)
{
	struct net_client_cfg cfg = {.name = "OST",
				     .fsname = T_FSNAME,
				     .nnids = 1,
				     .port = d.port,
				     .role = PROTO_ROLE_CLIENT,
				     .timeout_ms = 5000};
	struct net_client *cl;

	cfg.nids[0].lnd = PROTO_LND_TCP;
	snprintf(cfg.nids[0].addr, sizeof(cfg.nids[0].addr), "%s", addr);
	net_uuid_generate(cfg.uuid);
	CHECK(net_client_new(loop, &cfg, &cl) == 0);
	return cl;
}

/* The OSS client serving OST @idx: ost0 and ost1 on the first OSS, ost2 on the second. */
static struct net_client *cl_for(uint32_t idx)
{
	return oss[idx < 2 ? 0 : 1].cl;
}

/* OST_GETATTR: 0 and the size, or -errno (-ENOENT once destroyed). */
static int obj_getattr(uint32_t idx, uint64_t objid, uint64_t *size)
{
	struct proto_ost_obj_req m = {.ost_idx = idx, .objid = objid};
	struct net_req *r = T_REQ(OST_GETATTR, NULL, proto_ost_obj_req_enc, &m);
	struct proto_ost_getattr_rep rep;
	struct proto_cur c;
	int err = net_call(cl_for(idx), r);

	if (!err) {
		net_req_reply(r, &c);
		err = proto_ost_getattr_rep_dec(&c, &rep);
		*size = rep.size;
	}
	net_req_free(r);
	return err;
}

static int obj_write(uint32_t idx, uint64_t objid, uint32_t len)
{
	struct proto_ost_io_req m = {.ost_idx = idx,
				     .objid = objid,
				     .length = len,
				     .bulk = {.kind = PROTO_BULK_INLINE, .len = len}};
	struct net_req *r = T_REQ(OST_WRITE, NULL, proto_ost_io_req_enc, &m);
	void *buf = calloc(1, len);
	struct iovec iov = {buf, len};
	int err;

	net_req_set_bulk_out(r, &iov, 1);
	err = net_call(cl_for(idx), r);
	net_req_free(r);
	free(buf);
	return err;
}

static int active_osts(struct t_cli *c)
{
	struct proto_mgs_tgt t[16];
	uint64_t gen;
	bool unchanged;
	int n = t_table(c, 0, &gen, &unchanged, t, 16), active = 0;

	for (int i = 0; i < n; i++)
		if (t[i].type == PROTO_TARGET_OST && t[i].state == PROTO_MGS_TGT_ACTIVE)
			active++;
	return active;
}

static void create_striped(struct t_cli *c, const char *name, struct proto_layout *out)
{
	struct proto_layout tmpl = {.pattern = PROTO_LAYOUT_PATTERN_RAID0,
				    .stripe_size = PROTO_STRIPE_SIZE_DEFAULT,
				    .stripe_count = -1,
				    .stripe_offset = -1};
	struct proto_mds_open_rep rep;
	struct proto_fid root = proto_fid_root();
	int err = -EAGAIN;

	/* Right after start-up the pools may still be filling: retry briefly. */
	for (int i = 0; i < 100 && err; i++) {
		err = t_create(c, &t_root, &root, name, 0100644, PROTO_CREATE_F_LAYOUT, 0, &tmpl,
			       &rep);
		if (err)
			usleep(100 * 1000);
	}
	CHECK_RC(err, 0);
	CHECK(rep.flags & PROTO_OPEN_REP_F_LAYOUT);
	*out = rep.layout;
}

int main(void)
{
	struct proto_fid root = proto_fid_root();
	struct proto_layout l1, l2;
	struct t_cli c;
	uint64_t size, max_before[3] = {0};
	int st;

	net_log_init("mds_with_oss", NET_LOG_WARN);
	atexit(oss_stop_all);
	t_mdsd_format(&d);
	/* The client of before the crash never returns: keep the window short. */
	t_mdsd_arg(&d, "--recovery-window");
	t_mdsd_arg(&d, "3");
	CHECK(net_loop_new(&loop) == 0 && net_loop_start(loop, "t") == 0);
	for (int i = 0; i < NOSS; i++)
		snprintf(oss[i].log, sizeof(oss[i].log), "%s/oss%d.log", d.base, i);
	oss[0].ndirs = 2;
	oss[1].ndirs = 1;
	for (uint32_t k = 0; k < 3; k++) {
		char *dir = oss[k < 2 ? 0 : 1].dirs[k < 2 ? k : 0];

		snprintf(dir, 160, "%s/ost%u", d.base, k);
		run_mkfs(dir, k);
	}

	/* The OSSes come up first: the MGS is not there yet. */
	for (int i = 0; i < NOSS; i++)
		oss_start(&oss[i]);
	CHECK(wait_log(&oss[0], "cannot reach 127.0.0.1@tcp", 1, 10000));
	t_mdsd_start(&d);
	for (int i = 0; i < NOSS; i++)
		CHECK(wait_log(&oss[i], "registered with the MGS", oss[i].ndirs, 15000));
	for (int i = 0; i < NOSS; i++)
		oss[i].cl = ost_client(oss[i].addr);
	t_cli_new(&c, d.port, PROTO_ROLE_CLIENT, 10000);
	for (int t = 0; t < 200 && active_osts(&c) < 3; t++)
		usleep(50 * 1000);
	CHECK(active_osts(&c) == 3);

	/* Striped over all three: the real OSTs know the (unwritten) objects. */
	create_striped(&c, "f1", &l1);
	CHECK(l1.nobjs == 3);
	for (uint32_t i = 0; i < l1.nobjs; i++) {
		CHECK(l1.objs[i].objid > 0);
		CHECK_RC(obj_getattr(l1.objs[i].ost_idx, l1.objs[i].objid, &size), 0);
		max_before[l1.objs[i].ost_idx] = l1.objs[i].objid;
	}
	CHECK(l1.objs[0].ost_idx != l1.objs[1].ost_idx && l1.objs[1].ost_idx != l1.objs[2].ost_idx);

	/* A truncate punches the objects before the reply. */
	CHECK_RC(obj_write(l1.objs[0].ost_idx, l1.objs[0].objid, 65536), 0);
	CHECK_RC(obj_getattr(l1.objs[0].ost_idx, l1.objs[0].objid, &size), 0);
	CHECK(size == 65536);
	{
		struct proto_attr a;

		CHECK_RC(t_lookup(&c, &t_root, &root, "f1", &a), 0);
		CHECK_RC(t_setattr_size(&c, &a.fid, 0), 0);
	}
	CHECK_RC(obj_getattr(l1.objs[0].ost_idx, l1.objs[0].objid, &size), 0);
	CHECK(size == 0);

	/* An unlink destroys the objects on the OSTs (the destroy task). */
	CHECK_RC(t_unlink(&c, &t_root, &root, "f1", NULL), 0);
	for (uint32_t i = 0; i < l1.nobjs; i++) {
		int err = 0;

		for (int t = 0; t < 300; t++) {
			err = obj_getattr(l1.objs[i].ost_idx, l1.objs[i].objid, &size);
			if (err == -ENOENT)
				break;
			usleep(50 * 1000);
		}
		CHECK_RC(err, -ENOENT);
	}

	/* kill -9 of the MDS: the OSSes register again, orphans are cleaned up. */
	t_cli_free(&c);
	st = t_mdsd_stop(&d, SIGKILL);
	CHECK(WIFSIGNALED(st));
	for (int i = 0; i < NOSS; i++)
		CHECK(log_count(&oss[i], "orphan cleanup: MDS assigned up to object") >=
		      oss[i].ndirs);
	t_mdsd_start(&d);
	for (int i = 0; i < NOSS; i++) {
		CHECK(wait_log(&oss[i], "registered with the MGS", 2 * oss[i].ndirs, 15000));
		CHECK(wait_log(&oss[i], "orphan cleanup: MDS assigned up to object",
			       2 * oss[i].ndirs, 15000));
	}
	t_cli_new(&c, d.port, PROTO_ROLE_CLIENT, 10000);
	create_striped(&c, "f2", &l2);
	CHECK(l2.nobjs == 3);
	for (uint32_t i = 0; i < l2.nobjs; i++) {
		uint32_t idx = l2.objs[i].ost_idx;

		CHECK(l2.objs[i].objid > max_before[idx]); /* never reused */
		CHECK_RC(obj_getattr(idx, l2.objs[i].objid, &size), 0);
	}

	t_cli_free(&c);
	for (int i = 0; i < NOSS; i++)
		net_client_free(oss[i].cl);
	CHECK(WEXITSTATUS(t_mdsd_stop(&d, SIGTERM)) == 0);
	CHECK_RC(t_mdsd_check(&d), 0);
	oss_stop_all();
	net_loop_stop(loop);
	net_loop_free(loop);
	t_mdsd_cleanup(&d);
	printf("mds_with_oss: ok\n");
	return 0;
}
#endif
