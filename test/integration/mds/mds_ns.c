/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every namespace operation over RPC against a real stria-mds, with the
 * errnos POSIX wants, plus statfs, malformed requests, an unknown opcode and
 * a clean SIGTERM shutdown followed by a clean check.
 */
#include "t_mdsd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct t_cli cli;

static bool ost_active(void *arg)
{
	struct proto_mds_statfs_rep s;

	return t_statfs(&cli, &s) == 0 && s.ost_active == 1 && s.osts.blocks > 0;
}

static int symlink_rpc(const struct proto_fid *dir, const char *name, const char *target,
		       struct proto_attr *out)
{
	struct proto_mds_symlink_req m = {.parent = *dir, .name = t_s(name), .target = t_s(target)};
	struct proto_mds_attr_rep rep;
	struct net_req *q = T_REQ(MDS_SYMLINK, &t_alice, proto_mds_symlink_req_enc, &m);
	int rc = net_call(cli.cl, q);
	struct proto_cur c;

	if (rc == 0) {
		net_req_reply(q, &c);
		CHECK(proto_mds_attr_rep_dec(&c, &rep) == 0);
		*out = rep.attr;
	}
	net_req_free(q);
	return rc;
}

static int readlink_rpc(const struct proto_fid *fid, char *buf, size_t cap)
{
	struct proto_mds_fid_req m = {.fid = *fid};
	struct proto_mds_readlink_rep rep;
	struct net_req *q = T_REQ(MDS_READLINK, &t_alice, proto_mds_fid_req_enc, &m);
	int rc = net_call(cli.cl, q);
	struct proto_cur c;

	if (rc == 0) {
		net_req_reply(q, &c);
		CHECK(proto_mds_readlink_rep_dec(&c, &rep) == 0);
		CHECK(rep.target.len < cap);
		memcpy(buf, rep.target.s, rep.target.len);
		buf[rep.target.len] = '\0';
	}
	net_req_free(q);
	return rc;
}

static int link_rpc(const struct proto_fid *fid, const struct proto_fid *dir, const char *name,
		    struct proto_attr *out)
{
	struct proto_mds_link_req m = {.fid = *fid, .parent = *dir, .name = t_s(name)};
	struct proto_mds_attr_rep rep;
	struct net_req *q = T_REQ(MDS_LINK, &t_alice, proto_mds_link_req_enc, &m);
	int rc = net_call(cli.cl, q);
	struct proto_cur c;

	if (rc == 0) {
		net_req_reply(q, &c);
		CHECK(proto_mds_attr_rep_dec(&c, &rep) == 0);
		*out = rep.attr;
	}
	net_req_free(q);
	return rc;
}

static int setxattr_rpc(const struct proto_fid *fid, const char *name, const char *val,
			uint32_t flags)
{
	struct proto_mds_setxattr_req m = {
	    .fid = *fid, .name = t_s(name), .flags = flags, .value = t_s(val)};
	struct net_req *q = T_REQ(MDS_SETXATTR, &t_alice, proto_mds_setxattr_req_enc, &m);
	int rc = net_call(cli.cl, q);

	net_req_free(q);
	return rc;
}

static int getxattr_rpc(const struct proto_fid *fid, const char *name, uint32_t size, char *buf)
{
	struct proto_mds_getxattr_req m = {.fid = *fid, .name = t_s(name), .size = size};
	struct proto_mds_xattr_rep rep;
	struct net_req *q = T_REQ(MDS_GETXATTR, &t_alice, proto_mds_getxattr_req_enc, &m);
	int rc = net_call(cli.cl, q);
	struct proto_cur c;

	if (rc == 0) {
		net_req_reply(q, &c);
		CHECK(proto_mds_xattr_rep_dec(&c, &rep) == 0);
		if (buf) {
			memcpy(buf, rep.data.s, rep.data.len);
			buf[rep.data.len] = '\0';
		}
		rc = (int)rep.size;
	}
	net_req_free(q);
	return rc;
}

/* Lists @dir; returns the entry count and checks "." and ".." come first. */
static int readdir_rpc(const struct proto_fid *dir, const char *want)
{
	struct proto_mds_readdir_req m = {.fid = *dir, .max_bytes = 4096};
	struct proto_mds_readdir_rep_iter it;
	struct proto_mds_dirent e;
	int n = 0, rc;
	bool found = false, eof = false;

	while (!eof) {
		struct net_req *q = T_REQ(MDS_READDIR, &t_alice, proto_mds_readdir_req_enc, &m);
		struct proto_cur c;

		CHECK_RC(net_call(cli.cl, q), 0);
		net_req_reply(q, &c);
		CHECK(proto_mds_readdir_rep_iter_init(&it, &c) == 0);
		while ((rc = proto_mds_readdir_rep_iter_next(&it, &e)) == 1) {
			if (n == 0)
				CHECK(e.name.len == 1 && e.name.s[0] == '.');
			if (n == 1)
				CHECK(e.name.len == 2 && memcmp(e.name.s, "..", 2) == 0);
			if (e.name.len == strlen(want) && memcmp(e.name.s, want, e.name.len) == 0)
				found = true;
			m.cookie = e.next;
			n++;
		}
		CHECK(rc == 0);
		eof = it.flags & PROTO_READDIR_F_EOF;
		net_req_free(q);
	}
	CHECK(found);
	return n;
}

/* A LOOKUP whose name holds a '/': the encoder refuses it, so build it raw. */
static int lookup_raw(const struct proto_fid *dir, const char *name)
{
	struct net_req *q = net_req_new(PROTO_OP_MDS_LOOKUP, &t_alice);
	struct proto_cur *c = net_req_body(q);
	int rc;

	proto_put_fid(c, dir);
	proto_put_u16(c, (uint16_t)strlen(name));
	proto_put_bytes(c, name, strlen(name));
	rc = net_call(cli.cl, q);
	net_req_free(q);
	return rc;
}

static bool time_eq(const struct proto_time *a, const struct proto_time *b)
{
	return a->sec == b->sec && a->nsec == b->nsec;
}

/* Whether @dirs holds @fid, with exactly the attributes GETATTR gives now. */
static bool dirs_report(const struct proto_mds_dirs *dirs, const struct proto_fid *fid)
{
	struct proto_attr now;

	CHECK_RC(t_getattr(&cli, fid, &now), 0);
	for (uint32_t i = 0; i < dirs->n; i++) {
		const struct proto_attr *a = &dirs->attr[i];

		if (proto_fid_eq(&a->fid, fid))
			return a->mode == now.mode && a->nlink == now.nlink && a->uid == now.uid &&
			       a->size == now.size && time_eq(&a->mtime, &now.mtime) &&
			       time_eq(&a->ctime, &now.ctime);
	}
	return false;
}

int main(void)
{
	struct t_mdsd d;
	struct t_oss *oss;
	struct proto_fid root = proto_fid_root();
	struct proto_attr dir, a, b, sl;
	struct proto_mds_open_rep f, f2;
	struct proto_mds_unlink_rep ur;
	struct proto_mds_statfs_rep sfs;
	uint8_t ost_uuid[16];
	uint16_t oss_port = t_free_port();
	char buf[256];
	int st;

	t_mdsd_format(&d);
	t_mdsd_arg(&d, "--recovery-window");
	t_mdsd_arg(&d, "0");
	t_mdsd_arg(&d, "--unlink-grace");
	t_mdsd_arg(&d, "1");
	t_mdsd_start(&d);
	oss = t_oss_start(oss_port, 0, 1);
	t_cli_new(&cli, d.port, PROTO_ROLE_CLIENT, 5000);
	CHECK(net_uuid_generate(ost_uuid) == 0);
	CHECK_RC(t_register(&cli, T_FSNAME, 0, ost_uuid, oss_port, NULL), 0);
	CHECK(t_wait(ost_active, NULL, 10000));

	/* mkdir: root may, alice may not in the 0755 root. */
	CHECK_RC(t_mkdir(&cli, &t_alice, &root, "nope", 0755, NULL), -EACCES);
	CHECK_RC(t_mkdir(&cli, &t_root, &root, "d", 0777, &dir), 0);
	CHECK(S_ISDIR(dir.mode) && dir.nlink == 2);
	CHECK_RC(t_mkdir(&cli, &t_root, &root, "d", 0777, NULL), -EEXIST);
	CHECK_RC(t_mkdir(&cli, &t_root, &root, ".", 0777, NULL), -EEXIST);

	/* create: a layout with one precreated object; EXCL; the existing file. */
	CHECK_RC(t_create(&cli, &t_alice, &dir.fid, "f", 0644, PROTO_CREATE_F_EXCL, 0, NULL, &f),
		 0);
	CHECK(f.flags & PROTO_OPEN_REP_F_CREATED);
	CHECK(f.flags & PROTO_OPEN_REP_F_LAYOUT);
	CHECK(f.layout.nobjs == 1 && f.layout.objs[0].ost_idx == 0 && f.layout.objs[0].objid >= 1);
	CHECK(f.attr.uid == 1000 && S_ISREG(f.attr.mode));
	CHECK_RC(t_create(&cli, &t_alice, &dir.fid, "f", 0644, PROTO_CREATE_F_EXCL, 0, NULL, NULL),
		 -EEXIST);
	CHECK_RC(t_create(&cli, &t_alice, &dir.fid, "f", 0644, 0, 0, NULL, &f2), 0);
	CHECK(!(f2.flags & PROTO_OPEN_REP_F_CREATED) && proto_fid_eq(&f2.attr.fid, &f.attr.fid));
	CHECK_RC(t_create(&cli, &t_alice, &root, "g", 0644, 0, 0, NULL, NULL), -EACCES);

	/* lookup */
	CHECK_RC(t_lookup(&cli, &t_alice, &dir.fid, "f", &a), 0);
	CHECK(proto_fid_eq(&a.fid, &f.attr.fid));
	CHECK_RC(t_lookup(&cli, &t_alice, &dir.fid, "missing", NULL), -ENOENT);
	CHECK_RC(t_lookup(&cli, &t_alice, &f.attr.fid, "x", NULL), -ENOTDIR);
	CHECK_RC(lookup_raw(&dir.fid, "a/b"), -EPROTO);
	CHECK_RC(t_mkdir(&cli, &t_alice, &f.attr.fid, "sub", 0755, NULL), -ENOTDIR);

	/* link, unlink */
	CHECK_RC(link_rpc(&f.attr.fid, &dir.fid, "l", &b), 0);
	CHECK(b.nlink == 2);
	CHECK_RC(link_rpc(&dir.fid, &dir.fid, "dl", &b), -EPERM);
	CHECK_RC(t_unlink(&cli, &t_alice, &dir.fid, "l", &ur), 0);
	CHECK(ur.nlink == 1 && !(ur.flags & PROTO_UNLINK_F_LAST) &&
	      proto_fid_eq(&ur.fid, &f.attr.fid));
	CHECK_RC(t_unlink(&cli, &t_alice, &dir.fid, "l", NULL), -ENOENT);
	CHECK_RC(t_unlink(&cli, &t_alice, &root, "d", NULL), -EACCES);
	CHECK_RC(t_unlink(&cli, &t_root, &root, "d", NULL), -EISDIR);

	/* rename */
	CHECK_RC(t_rename(&cli, &t_alice, &dir.fid, "f", &dir.fid, "g", 0), 0);
	CHECK_RC(t_lookup(&cli, &t_alice, &dir.fid, "f", NULL), -ENOENT);
	CHECK_RC(t_create(&cli, &t_alice, &dir.fid, "h", 0644, PROTO_CREATE_F_EXCL, 0, NULL, NULL),
		 0);
	CHECK_RC(t_rename(&cli, &t_alice, &dir.fid, "g", &dir.fid, "h", PROTO_RENAME_NOREPLACE),
		 -EEXIST);
	CHECK_RC(t_rename(&cli, &t_alice, &dir.fid, "g", &dir.fid, "h", PROTO_RENAME_EXCHANGE), 0);
	CHECK_RC(t_rename(&cli, &t_root, &root, "d", &dir.fid, "inside", 0), -EINVAL);

	/* symlink, readlink */
	CHECK_RC(symlink_rpc(&dir.fid, "s", "../target", &sl), 0);
	CHECK(S_ISLNK(sl.mode));
	CHECK_RC(readlink_rpc(&sl.fid, buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "../target") == 0);
	CHECK_RC(readlink_rpc(&dir.fid, buf, sizeof(buf)), -EINVAL);

	/* xattrs */
	CHECK_RC(setxattr_rpc(&f.attr.fid, "user.k", "v1", PROTO_XATTR_CREATE), 0);
	CHECK_RC(setxattr_rpc(&f.attr.fid, "user.k", "v2", PROTO_XATTR_CREATE), -EEXIST);
	CHECK_RC(setxattr_rpc(&f.attr.fid, "user.n", "v2", PROTO_XATTR_REPLACE), -ENODATA);
	CHECK_RC(setxattr_rpc(&f.attr.fid, "trusted.k", "v", 0), -EPERM);
	CHECK_RC(getxattr_rpc(&f.attr.fid, "user.k", 0, NULL), 2);
	CHECK_RC(getxattr_rpc(&f.attr.fid, "user.k", 64, buf), 2);
	CHECK(strcmp(buf, "v1") == 0);
	CHECK_RC(getxattr_rpc(&f.attr.fid, "user.k", 1, buf), -ERANGE);
	CHECK_RC(getxattr_rpc(&f.attr.fid, "user.none", 64, buf), -ENODATA);

	/* readdir: ".", "..", g, h, s */
	CHECK_RC(readdir_rpc(&dir.fid, "s"), 5);

	/* rmdir */
	CHECK_RC(t_rmdir(&cli, &t_root, &root, "d"), -ENOTEMPTY);
	CHECK_RC(t_unlink(&cli, &t_alice, &dir.fid, "g", &ur), 0);
	CHECK(ur.flags & PROTO_UNLINK_F_LAST);
	/*
	 * Unlinked with nobody holding it open: kept for the unlink grace, for
	 * the open that follows a lookup (RECENT) only; a cached name's open
	 * gets ENOENT.  The last close of such an open keeps it for the rest of
	 * the grace: a later lookup's open still gets it, and it goes with its
	 * grace.
	 */
	CHECK_RC(t_open(&cli, &t_alice, &ur.fid, O_RDONLY, 0, 0, NULL), -ENOENT);
	CHECK_RC(t_getattr(&cli, &ur.fid, NULL), -ENOENT);
	{
		struct proto_mds_open_rep orep;

		CHECK_RC(t_open(&cli, &t_alice, &ur.fid, O_RDONLY, PROTO_OPEN_F_RECENT, 0, &orep),
			 0);
		CHECK(orep.attr.nlink == 0 && proto_fid_eq(&orep.attr.fid, &ur.fid));
		CHECK_RC(t_getattr(&cli, &ur.fid, &a), 0); /* fstat of the open file */
		CHECK(a.nlink == 0);
		CHECK_RC(t_close(&cli, &ur.fid, orep.handle), 0);
		CHECK_RC(t_getattr(&cli, &ur.fid, NULL), -ENOENT);
		CHECK_RC(t_open(&cli, &t_alice, &ur.fid, O_RDONLY, 0, 0, NULL), -ENOENT);
		CHECK_RC(t_open(&cli, &t_alice, &ur.fid, O_RDONLY, PROTO_OPEN_F_RECENT, 0, &orep),
			 0);
		CHECK_RC(t_close(&cli, &ur.fid, orep.handle), 0);
	}
	/* "h" is destroyed once its grace (1 s here) is over. */
	CHECK_RC(t_unlink(&cli, &t_alice, &dir.fid, "h", NULL), 0);
	CHECK_RC(t_unlink(&cli, &t_alice, &dir.fid, "s", NULL), 0);
	CHECK_RC(t_rmdir(&cli, &t_bob, &root, "d"), -EACCES);
	CHECK_RC(t_rmdir(&cli, &t_root, &root, "d"), 0);

	/*
	 * The directories a change touched come back with their attributes
	 * after it: a mkdir's parent and new directory; both parents of a
	 * cross-directory rename of a directory, and the directory itself (its
	 * "..").
	 */
	{
		struct proto_attr pa, pb, sub;
		struct proto_mds_dirs dirs;

		CHECK_RC(t_mkdir_dirs(&cli, &t_root, &root, "pa", 0755, &pa, &dirs), 0);
		CHECK(dirs.n == 2 && dirs_report(&dirs, &root) && dirs_report(&dirs, &pa.fid));
		CHECK_RC(t_mkdir_dirs(&cli, &t_root, &root, "pb", 0755, &pb, &dirs), 0);
		CHECK_RC(t_mkdir_dirs(&cli, &t_root, &pa.fid, "sub", 0755, &sub, &dirs), 0);
		CHECK(dirs.n == 2 && dirs_report(&dirs, &pa.fid) && dirs_report(&dirs, &sub.fid));
		CHECK_RC(t_rename_dirs(&cli, &t_root, &pa.fid, "sub", &pb.fid, "sub2", 0, &dirs),
			 0);
		CHECK(dirs.n == 3);
		CHECK(dirs_report(&dirs, &pa.fid) && dirs_report(&dirs, &pb.fid) &&
		      dirs_report(&dirs, &sub.fid));
		CHECK_RC(t_rmdir(&cli, &t_root, &pb.fid, "sub2"), 0);
		CHECK_RC(t_rmdir(&cli, &t_root, &root, "pa"), 0);
		CHECK_RC(t_rmdir(&cli, &t_root, &root, "pb"), 0);
	}

	/* statfs: the MDT's inodes, the OST's blocks (4096-byte units). */
	CHECK_RC(t_statfs(&cli, &sfs), 0);
	CHECK(sfs.ost_count == 1 && sfs.ost_active == 1);
	CHECK(sfs.osts.blocks == 1000000 && sfs.osts.bavail == 500000);
	CHECK(sfs.mdt.namemax == 255 && sfs.mdt.files > 0);

	/* An opcode the MDS does not serve. */
	{
		struct proto_ost_statfs_req m = {0};
		struct net_req *q = T_REQ(OST_STATFS, &t_root, proto_ost_statfs_req_enc, &m);

		CHECK_RC(net_call(cli.cl, q), -ENOSYS);
		net_req_free(q);
	}
	/*
	 * One client holding thousands of handles: each close finds its own
	 * handle whatever the order (the table grows under them), a second
	 * close of it and a close naming another file are refused.
	 */
	{
		enum { NH = 2000 };
		static uint64_t hs[NH];
		struct proto_mds_open_rep orep;
		struct proto_fid many;

		CHECK_RC(t_create(&cli, &t_root, &root, "many", 0644, PROTO_CREATE_F_EXCL, 0, NULL,
				  &orep),
			 0);
		many = orep.attr.fid;
		for (int i = 0; i < NH; i++) {
			CHECK_RC(t_open(&cli, &t_root, &many, O_RDONLY, 0, 0, &orep), 0);
			hs[i] = orep.handle;
		}
		CHECK_RC(t_close(&cli, &root, hs[NH / 2]), -EBADF);
		for (int i = 0; i < NH; i++) /* 7 and NH are coprime: every handle once */
			CHECK_RC(t_close(&cli, &many, hs[(size_t)i * 7 % NH]), 0);
		CHECK_RC(t_close(&cli, &many, hs[0]), -EBADF);
		CHECK_RC(t_close(&cli, &many, hs[NH - 1]), -EBADF);
		CHECK_RC(t_unlink(&cli, &t_root, &root, "many", NULL), 0);
	}
	/* The destroyed files' objects reach the OST. */
	for (int i = 0; i < 200 && t_oss_destroyed(oss) < 2; i++)
		usleep(50000);
	CHECK(t_oss_destroyed(oss) >= 2);

	t_cli_free(&cli);
	st = t_mdsd_stop(&d, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_RC(t_mdsd_check(&d), 0);
	t_oss_stop(oss);
	t_mdsd_cleanup(&d);
	printf("mds_ns: ok\n");
	return 0;
}
