/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Object placement against a fake OSS serving three OSTs: layouts (count -1,
 * explicit first index, counts above the OSTs available (an error when asked
 * for, clamped when inherited), pools, unknown OST or pool), set-layout
 * on an empty file and once a write-open fixed it, directory defaults, the
 * truncate punch, orphan cleanup and no object id reuse across an MDS restart,
 * and destroys retried while the OSS is down.
 */
#include "t_mdsd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct t_cli cli;

static bool all_active(void *arg)
{
	struct proto_mds_statfs_rep s;

	return t_statfs(&cli, &s) == 0 && s.ost_active == 3;
}

static struct proto_layout tmpl(int32_t count, int32_t offset, const char *pool)
{
	struct proto_layout l = {.pattern = PROTO_LAYOUT_PATTERN_RAID0,
				 .stripe_size = PROTO_STRIPE_SIZE_DEFAULT,
				 .stripe_count = count,
				 .stripe_offset = offset};

	snprintf(l.pool, sizeof(l.pool), "%s", pool);
	return l;
}

static struct proto_mds_open_rep mk(const struct proto_fid *dir, const char *name,
				    const struct proto_layout *l, int want)
{
	struct proto_mds_open_rep r = {0};

	CHECK_RC(t_create(&cli, &t_root, dir, name, 0644, PROTO_CREATE_F_EXCL, 0, l, &r), want);
	return r;
}

int main(void)
{
	struct proto_fid root = proto_fid_root();
	struct proto_mds_layout_rep lr;
	struct proto_mds_open_rep f, g, h, o;
	struct proto_attr dir;
	struct proto_layout l;
	struct t_mdsd d;
	struct t_oss *oss;
	uint8_t u[3][16];
	uint16_t oss_port = t_free_port();
	uint32_t two = 2;
	uint64_t destroyed, punched, start, cleanups, maxid = 0;
	int st;

	t_mdsd_format(&d);
	t_mdsd_arg(&d, "--recovery-window");
	t_mdsd_arg(&d, "0");
	t_mdsd_arg(&d, "--unlink-grace"); /* it counts destroys right after unlinks */
	t_mdsd_arg(&d, "0");
	t_mdsd_start(&d);
	oss = t_oss_start(oss_port, 0, 3);
	t_cli_new(&cli, d.port, PROTO_ROLE_CLIENT, 5000);
	for (int i = 0; i < 3; i++) {
		CHECK(net_uuid_generate(u[i]) == 0);
		CHECK_RC(t_register(&cli, T_FSNAME, (uint32_t)i, u[i], oss_port, NULL), 0);
	}
	CHECK(t_wait(all_active, NULL, 10000));
	CHECK_RC(t_mkdir(&cli, &t_root, &root, "d", 0755, &dir), 0);

	/* count -1: every active OST, each once. */
	l = tmpl(-1, -1, "");
	f = mk(&dir.fid, "all", &l, 0);
	CHECK(f.layout.nobjs == 3 && f.layout.stripe_count == 3);
	CHECK(f.layout.objs[0].ost_idx != f.layout.objs[1].ost_idx &&
	      f.layout.objs[1].ost_idx != f.layout.objs[2].ost_idx &&
	      f.layout.objs[0].ost_idx != f.layout.objs[2].ost_idx);
	/* explicit first index */
	l = tmpl(2, 1, "");
	g = mk(&dir.fid, "off1", &l, 0);
	CHECK(g.layout.nobjs == 2 && g.layout.objs[0].ost_idx == 1 &&
	      g.layout.objs[1].ost_idx == 2 && g.layout.stripe_offset == 1);
	/* ten stripes asked for with three OSTs: an error, not a surprise */
	l = tmpl(10, -1, "");
	mk(&dir.fid, "ten", &l, -EINVAL);
	/* but a directory default of ten uses what there is (OSTs may be added) */
	{
		struct proto_attr d10;

		CHECK_RC(t_mkdir(&cli, &t_root, &root, "d10", 0755, &d10), 0);
		CHECK_RC(t_setlayout(&cli, &t_root, &d10.fid, 0, &l, &lr), 0);
		CHECK(mk(&d10.fid, "inherits-ten", NULL, 0).layout.nobjs == 3);
	}
	/* unknown OST index or pool */
	l = tmpl(1, 7, "");
	mk(&dir.fid, "bad-ost", &l, -EINVAL);
	l = tmpl(1, -1, "nopool");
	mk(&dir.fid, "bad-pool", &l, -EINVAL);
	/* a pool */
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_NEW, "p2", NULL, 0), 0);
	CHECK_RC(t_pool(&cli, &t_root, PROTO_OP_MGS_POOL_ADD, "p2", &two, 1), 0);
	l = tmpl(-1, -1, "p2");
	h = mk(&dir.fid, "pooled", &l, 0);
	CHECK(h.layout.nobjs == 1 && h.layout.objs[0].ost_idx == 2 &&
	      strcmp(h.layout.pool, "p2") == 0);

	/* set-layout of an empty, never write-opened file: new objects, old destroyed. */
	destroyed = t_oss_destroyed(oss);
	l = tmpl(2, 0, "");
	CHECK_RC(t_setlayout(&cli, &t_root, &h.attr.fid, 0, &l, &lr), 0);
	CHECK(lr.kind == PROTO_LAYOUT_KIND_FILE && lr.layout.nobjs == 2 && lr.layout.gen == 2);
	CHECK(lr.layout.objs[0].ost_idx == 0);
	for (int i = 0; i < 100 && t_oss_destroyed(oss) == destroyed; i++)
		usleep(20000);
	CHECK(t_oss_destroyed(oss) == destroyed + 1);
	/* once a write-open was handed out: the same layout is fine, another -EEXIST */
	CHECK_RC(t_open(&cli, &t_root, &h.attr.fid, O_WRONLY, 0, 0, &o), 0);
	CHECK_RC(t_setlayout(&cli, &t_root, &h.attr.fid, 0, &l, &lr), 0);
	CHECK(lr.layout.gen == 2);
	l = tmpl(1, -1, "");
	CHECK_RC(t_setlayout(&cli, &t_root, &h.attr.fid, 0, &l, &lr), -EEXIST);
	CHECK_RC(t_setlayout(&cli, &t_alice, &g.attr.fid, 0, &l, &lr), -EPERM);
	CHECK_RC(t_close(&cli, &h.attr.fid, o.handle), 0);
	CHECK_RC(t_close(&cli, &h.attr.fid, o.handle), -EBADF);

	/* directory default, inherited by new files */
	l = tmpl(2, -1, "");
	CHECK_RC(t_setlayout(&cli, &t_root, &dir.fid, 0, &l, &lr), 0);
	CHECK_RC(t_getlayout(&cli, &dir.fid, &lr), 0);
	CHECK(lr.kind == PROTO_LAYOUT_KIND_DIR_DEFAULT && lr.layout.stripe_count == 2);
	CHECK(mk(&dir.fid, "inherits", NULL, 0).layout.nobjs == 2);
	l = tmpl(1, 9, "");
	CHECK_RC(t_setlayout(&cli, &t_root, &dir.fid, 0, &l, &lr), -EINVAL);
	CHECK_RC(t_setlayout(&cli, &t_root, &dir.fid, PROTO_SETLAYOUT_F_DELETE_DEFAULT, NULL, &lr),
		 0);
	CHECK_RC(t_getlayout(&cli, &dir.fid, &lr), 0);
	CHECK(lr.kind == PROTO_LAYOUT_KIND_NONE);

	/* truncate punches every object before the reply: 3 stripes of 1 MiB, to 1.5 MiB */
	punched = t_oss_punched(oss, NULL);
	CHECK_RC(t_setattr_size(&cli, &f.attr.fid, 3 * 512 * 1024), 0);
	CHECK(t_oss_punched(oss, &start) == punched + 3);

	/* Restart: orphan cleanup again on every OST, and no object id is reused. */
	for (uint32_t i = 0; i < f.layout.nobjs; i++)
		maxid = f.layout.objs[i].objid > maxid ? f.layout.objs[i].objid : maxid;
	cleanups = t_oss_orphan_cleanups(oss, NULL);
	st = t_mdsd_stop(&d, SIGKILL);
	CHECK(WIFSIGNALED(st));
	t_mdsd_start(&d);
	CHECK(t_wait(all_active, NULL, 10000));
	CHECK(t_oss_orphan_cleanups(oss, NULL) >= cleanups + 3);
	l = tmpl(-1, -1, "");
	g = mk(&dir.fid, "after-restart", &l, 0);
	for (uint32_t i = 0; i < g.layout.nobjs; i++)
		for (uint32_t j = 0; j < f.layout.nobjs; j++)
			if (g.layout.objs[i].ost_idx == f.layout.objs[j].ost_idx)
				CHECK(g.layout.objs[i].objid > f.layout.objs[j].objid);

	/* Destroys wait while the OSS is down and happen once it is back. */
	t_oss_stop(oss);
	CHECK_RC(t_unlink(&cli, &t_root, &dir.fid, "after-restart", NULL), 0);
	usleep(1500000);
	oss = t_oss_start(oss_port, 0, 3);
	for (int i = 0; i < 250 && t_oss_destroyed(oss) < 3; i++)
		usleep(20000);
	CHECK(t_oss_destroyed(oss) == 3);

	t_cli_free(&cli);
	st = t_mdsd_stop(&d, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_RC(t_mdsd_check(&d), 0);
	t_oss_stop(oss);
	t_mdsd_cleanup(&d);
	printf("mds_placement: ok\n");
	return 0;
}
