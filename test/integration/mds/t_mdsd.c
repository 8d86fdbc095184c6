/* SPDX-License-Identifier: Apache-2.0 */
#include "t_mdsd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mds/mds.h"

const struct proto_creds t_root = {.fsuid = 0, .fsgid = 0};
const struct proto_creds t_alice = {.fsuid = 1000, .fsgid = 1000};
const struct proto_creds t_bob = {.fsuid = 1001, .fsgid = 1001};

static struct t_mdsd *current;

void t_fail_dump(void)
{
	char cmd[160];

	if (!current)
		return;
	snprintf(cmd, sizeof(cmd), "tail -n 40 '%s' >&2", current->log);
	if (system(cmd) != 0)
		fprintf(stderr, "(no daemon log)\n");
	/* The daemon holds the test's output pipe open: it must not outlive us. */
	if (current->pid > 0)
		kill(current->pid, SIGKILL);
}

uint16_t t_free_port(void)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* Free on every address: tests also listen on 127.0.0.3 and up. */
	in.sin_addr.s_addr = htonl(INADDR_ANY);
	CHECK(bind(fd, (struct sockaddr *)&in, sizeof(in)) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)&in, &len) == 0);
	close(fd);
	return ntohs(in.sin_port);
}

struct proto_nid t_lo(void)
{
	struct proto_nid n = {.lnd = PROTO_LND_TCP};

	strcpy(n.addr, "127.0.0.1");
	return n;
}

void t_mdsd_format(struct t_mdsd *d)
{
	struct proto_target_id id;
	char db[128];

	memset(d, 0, sizeof(*d));
	snprintf(d->base, sizeof(d->base), "/tmp/t_mdsd.XXXXXX");
	CHECK(mkdtemp(d->base) != NULL);
	snprintf(d->dir, sizeof(d->dir), "%s/mdt", d->base);
	snprintf(d->log, sizeof(d->log), "%s/mds.log", d->base);
	CHECK(mkdir(d->dir, 0700) == 0);
	CHECK(proto_target_id_init(&id, PROTO_TARGET_MDT, 0, T_FSNAME) == 0);
	CHECK(net_uuid_generate(id.uuid) == 0);
	id.ctime = (uint64_t)time(NULL);
	CHECK(proto_target_id_store(d->dir, &id) == 0);
	snprintf(db, sizeof(db), "%s/db", d->dir);
	CHECK(mds_db_format(db) == 0);
	d->port = t_free_port();
	current = d;
	net_log_init("t_mdsd", NET_LOG_WARN);
	signal(SIGPIPE, SIG_IGN);
}

void t_mdsd_arg(struct t_mdsd *d, const char *arg)
{
	CHECK(d->nargs < 16);
	snprintf(d->args[d->nargs++], sizeof(d->args[0]), "%s", arg);
}

static bool port_open(uint16_t port)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&in, sizeof(in)) == 0;
	close(fd);
	return ok;
}

void t_mdsd_start(struct t_mdsd *d)
{
	char port[16];
	char *argv[40];
	int n = 0;

	snprintf(port, sizeof(port), "%u", d->port);
	argv[n++] = STRIA_MDS_BIN;
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1";
	argv[n++] = "--port";
	argv[n++] = port;
	for (int i = 0; i < d->nargs; i++)
		argv[n++] = d->args[i];
	argv[n++] = d->dir;
	argv[n] = NULL;
	/* Unflushed output would otherwise be flushed by the child too. */
	fflush(stdout);
	fflush(stderr);
	d->pid = fork();
	CHECK(d->pid >= 0);
	if (d->pid == 0) {
		FILE *f = freopen(d->log, "a", stderr);

		if (!f || !freopen("/dev/null", "w", stdout))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		int st;

		if (port_open(d->port))
			return;
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			CHECK(!"stria-mds exited at start-up");
		}
		usleep(50000);
	}
	CHECK(!"stria-mds did not start listening");
}

int t_mdsd_stop(struct t_mdsd *d, int sig)
{
	int st = 0;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, sig);
	waitpid(d->pid, &st, 0);
	d->pid = 0;
	return st;
}

int t_mdsd_wait(struct t_mdsd *d)
{
	int st = 0;

	for (int i = 0; i < 200; i++) {
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			return st;
		}
		usleep(50000);
	}
	CHECK(!"stria-mds did not exit");
	return -1;
}

int t_mdsd_check(struct t_mdsd *d)
{
	char cmd[PATH_MAX + 512];
	int st;

	/* The build directory can be anywhere (CI clones under /check/...). */
	CHECK((size_t)snprintf(cmd, sizeof(cmd), "'%s' --check '%s' >>'%s' 2>&1", STRIA_MDS_BIN,
			       d->dir, d->log) < sizeof(cmd));
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void t_mdsd_cleanup(struct t_mdsd *d)
{
	char cmd[128];

	if (d->pid > 0)
		t_mdsd_stop(d, SIGKILL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", d->base);
	current = NULL;
}

/* ---- clients ---- */

void t_cli_new_uuid(struct t_cli *c, uint16_t port, uint32_t role, uint32_t timeout_ms,
		    const uint8_t *uuid)
{
	struct net_client_cfg cfg = {.name = "testfs-MDT0000",
				     .fsname = T_FSNAME,
				     .nnids = 1,
				     .port = port,
				     .role = role,
				     .timeout_ms = timeout_ms,
				     .give_up_ms = 60000,
				     .reconnect_max_ms = 200};

	memset(c, 0, sizeof(*c));
	cfg.nids[0] = t_lo();
	if (uuid)
		memcpy(c->uuid, uuid, PROTO_UUID_LEN);
	else
		CHECK(net_uuid_generate(c->uuid) == 0);
	memcpy(cfg.uuid, c->uuid, PROTO_UUID_LEN);
	CHECK(net_loop_new(&c->loop) == 0);
	CHECK(net_loop_start(c->loop, "t-cli") == 0);
	CHECK(net_client_new(c->loop, &cfg, &c->cl) == 0);
}

void t_cli_new(struct t_cli *c, uint16_t port, uint32_t role, uint32_t timeout_ms)
{
	t_cli_new_uuid(c, port, role, timeout_ms, NULL);
}

void t_cli_free(struct t_cli *c)
{
	net_client_free(c->cl);
	net_loop_stop(c->loop);
	net_loop_free(c->loop);
}

struct proto_str t_s(const char *s)
{
	return (struct proto_str){.s = s, .len = (uint32_t)strlen(s)};
}

/* Sends @q, decodes the reply with @dec into @out when it succeeded. */
#define T_CALL(c, q, dec, out)                                                                     \
	({                                                                                         \
		__typeof__(out) _o = (out);                                                        \
		int _rc = net_call((c)->cl, (q));                                                  \
		if (_rc == 0 && _o != NULL) {                                                      \
			struct proto_cur _cur;                                                     \
			net_req_reply((q), &_cur);                                                 \
			CHECK(dec(&_cur, _o) == 0);                                                \
		}                                                                                  \
		net_req_free(q);                                                                   \
		_rc;                                                                               \
	})

int t_lookup(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
	     const char *name, struct proto_attr *out)
{
	struct proto_mds_name_req m = {.parent = *dir, .name = t_s(name)};
	struct proto_mds_getattr_rep *rep = malloc(sizeof(*rep));
	struct net_req *q = T_REQ(MDS_LOOKUP, cr, proto_mds_name_req_enc, &m);
	int rc = T_CALL(c, q, proto_mds_getattr_rep_dec, rep);

	if (rc == 0 && out)
		*out = rep->attr;
	free(rep);
	return rc;
}

int t_getattr(struct t_cli *c, const struct proto_fid *fid, struct proto_attr *out)
{
	struct proto_mds_fid_req m = {.fid = *fid};
	struct proto_mds_getattr_rep *rep = malloc(sizeof(*rep));
	struct net_req *q = T_REQ(MDS_GETATTR, &t_root, proto_mds_fid_req_enc, &m);
	int rc = T_CALL(c, q, proto_mds_getattr_rep_dec, rep);

	if (rc == 0 && out)
		*out = rep->attr;
	free(rep);
	return rc;
}

int t_create(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
	     const char *name, uint32_t mode, uint32_t flags, uint32_t open_flags,
	     const struct proto_layout *layout, struct proto_mds_open_rep *out)
{
	struct proto_mds_create_req *m = calloc(1, sizeof(*m));
	struct proto_mds_open_rep *rep = malloc(sizeof(*rep));
	struct net_req *q;
	int rc;

	m->parent = *dir;
	m->name = t_s(name);
	m->mode = mode;
	m->flags = flags | (layout ? PROTO_CREATE_F_LAYOUT : 0);
	m->open_flags = open_flags;
	if (layout)
		m->layout = *layout;
	q = T_REQ(MDS_CREATE, cr, proto_mds_create_req_enc, m);
	rc = T_CALL(c, q, proto_mds_open_rep_dec, rep);
	if (rc == 0 && out)
		*out = *rep;
	free(m);
	free(rep);
	return rc;
}

int t_mkdir_dirs(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
		 const char *name, uint32_t mode, struct proto_attr *out,
		 struct proto_mds_dirs *dirs)
{
	struct proto_mds_mkdir_req m = {.parent = *dir, .name = t_s(name), .mode = mode};
	struct proto_mds_attr_rep rep;
	struct net_req *q = T_REQ(MDS_MKDIR, cr, proto_mds_mkdir_req_enc, &m);
	int rc = T_CALL(c, q, proto_mds_attr_rep_dec, &rep);

	if (rc == 0 && out)
		*out = rep.attr;
	if (rc == 0 && dirs)
		*dirs = rep.dirs;
	return rc;
}

int t_mkdir(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
	    const char *name, uint32_t mode, struct proto_attr *out)
{
	return t_mkdir_dirs(c, cr, dir, name, mode, out, NULL);
}

int t_unlink(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
	     const char *name, struct proto_mds_unlink_rep *out)
{
	struct proto_mds_name_req m = {.parent = *dir, .name = t_s(name)};
	struct proto_mds_unlink_rep rep;
	struct net_req *q = T_REQ(MDS_UNLINK, cr, proto_mds_name_req_enc, &m);
	int rc = T_CALL(c, q, proto_mds_unlink_rep_dec, &rep);

	if (rc == 0 && out)
		*out = rep;
	return rc;
}

int t_rmdir(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *dir,
	    const char *name)
{
	struct proto_mds_name_req m = {.parent = *dir, .name = t_s(name)};
	struct proto_mds_unlink_rep rep;
	struct net_req *q = T_REQ(MDS_RMDIR, cr, proto_mds_name_req_enc, &m);

	return T_CALL(c, q, proto_mds_unlink_rep_dec, &rep);
}

int t_rename_dirs(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *sd,
		  const char *sn, const struct proto_fid *dd, const char *dn, uint32_t flags,
		  struct proto_mds_dirs *dirs)
{
	struct proto_mds_rename_req m = {.src_parent = *sd,
					 .src_name = t_s(sn),
					 .dst_parent = *dd,
					 .dst_name = t_s(dn),
					 .flags = flags};
	struct proto_mds_rename_rep rep;
	struct net_req *q = T_REQ(MDS_RENAME, cr, proto_mds_rename_req_enc, &m);
	int rc = T_CALL(c, q, proto_mds_rename_rep_dec, dirs ? &rep : NULL);

	if (rc == 0 && dirs)
		*dirs = rep.dirs;
	return rc;
}

int t_rename(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *sd,
	     const char *sn, const struct proto_fid *dd, const char *dn, uint32_t flags)
{
	return t_rename_dirs(c, cr, sd, sn, dd, dn, flags, NULL);
}

int t_open(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *fid,
	   uint32_t open_flags, uint32_t flags, uint64_t handle, struct proto_mds_open_rep *out)
{
	struct proto_mds_open_req m = {
	    .fid = *fid, .open_flags = open_flags, .flags = flags, .handle = handle};
	struct proto_mds_open_rep *rep = malloc(sizeof(*rep));
	struct net_req *q = T_REQ(MDS_OPEN, cr, proto_mds_open_req_enc, &m);
	int rc = T_CALL(c, q, proto_mds_open_rep_dec, rep);

	if (rc == 0 && out)
		*out = *rep;
	free(rep);
	return rc;
}

int t_close(struct t_cli *c, const struct proto_fid *fid, uint64_t handle)
{
	struct proto_mds_close_req m = {.fid = *fid, .handle = handle};
	struct net_req *q = T_REQ(MDS_CLOSE, &t_root, proto_mds_close_req_enc, &m);
	int rc = net_call(c->cl, q);

	net_req_free(q);
	return rc;
}

int t_fail_set(struct t_cli *c, const struct proto_creds *cr, uint32_t id, uint32_t mode,
	       uint32_t value, uint32_t count)
{
	struct proto_mgs_fail_set_req m = {.id = id, .mode = mode, .value = value, .count = count};
	struct net_req *q = T_REQ(MGS_FAIL_SET, cr, proto_mgs_fail_set_req_enc, &m);
	int rc = net_call(c->cl, q);

	net_req_free(q);
	return rc;
}

int t_getlayout(struct t_cli *c, const struct proto_fid *fid, struct proto_mds_layout_rep *out)
{
	struct proto_mds_fid_req m = {.fid = *fid};
	struct net_req *q = T_REQ(MDS_GETLAYOUT, &t_root, proto_mds_fid_req_enc, &m);

	return T_CALL(c, q, proto_mds_layout_rep_dec, out);
}

int t_setlayout(struct t_cli *c, const struct proto_creds *cr, const struct proto_fid *fid,
		uint32_t flags, const struct proto_layout *l, struct proto_mds_layout_rep *out)
{
	struct proto_mds_setlayout_req *m = calloc(1, sizeof(*m));
	struct net_req *q;
	int rc;

	m->fid = *fid;
	m->flags = flags;
	if (l)
		m->layout = *l;
	q = T_REQ(MDS_SETLAYOUT, cr, proto_mds_setlayout_req_enc, m);
	rc = T_CALL(c, q, proto_mds_layout_rep_dec, out);
	free(m);
	return rc;
}

int t_setattr_size(struct t_cli *c, const struct proto_fid *fid, uint64_t size)
{
	struct proto_mds_setattr_req m = {.fid = *fid, .valid = PROTO_SETATTR_SIZE, .size = size};
	struct net_req *q = T_REQ(MDS_SETATTR, &t_root, proto_mds_setattr_req_enc, &m);
	int rc = net_call(c->cl, q);

	net_req_free(q);
	return rc;
}

int t_statfs(struct t_cli *c, struct proto_mds_statfs_rep *out)
{
	struct net_req *q = net_req_new(PROTO_OP_MDS_STATFS, &t_root);

	CHECK(proto_mds_empty_enc(net_req_body(q)) == 0);
	return T_CALL(c, q, proto_mds_statfs_rep_dec, out);
}

int t_register(struct t_cli *c, const char *fsname, uint32_t index, const uint8_t *uuid,
	       uint16_t port, uint64_t *gen)
{
	struct proto_mgs_tgt_register_req m = {0};
	struct proto_mgs_tgt_register_rep rep;
	struct net_req *q;
	int rc;

	snprintf(m.fsname, sizeof(m.fsname), "%s", fsname);
	m.tgt.type = PROTO_TARGET_OST;
	m.tgt.index = index;
	CHECK(proto_target_name(fsname, PROTO_TARGET_OST, index, m.tgt.name, sizeof(m.tgt.name)) ==
	      0);
	memcpy(m.tgt.uuid, uuid, PROTO_UUID_LEN);
	m.tgt.port = port;
	m.tgt.nnids = 1;
	m.tgt.nids[0] = t_lo();
	q = T_REQ(MGS_TGT_REGISTER, &t_root, proto_mgs_tgt_register_req_enc, &m);
	rc = T_CALL(c, q, proto_mgs_tgt_register_rep_dec, &rep);
	if (rc == 0 && gen)
		*gen = rep.gen;
	return rc;
}

int t_table(struct t_cli *c, uint64_t known, uint64_t *gen, bool *unchanged,
	    struct proto_mgs_tgt *out, int cap)
{
	struct proto_mgs_tgt_table_req m = {.known_gen = known};
	struct proto_mgs_tgt_table_rep_iter it;
	struct proto_mgs_tgt t;
	int n = 0, rc;

	for (;;) {
		struct net_req *q = T_REQ(MGS_TGT_TABLE, &t_root, proto_mgs_tgt_table_req_enc, &m);
		struct proto_cur cur;

		rc = net_call(c->cl, q);
		if (rc) {
			net_req_free(q);
			return rc;
		}
		net_req_reply(q, &cur);
		CHECK(proto_mgs_tgt_table_rep_iter_init(&it, &cur) == 0);
		*gen = it.gen;
		*unchanged = it.flags & PROTO_MGS_TABLE_F_UNCHANGED;
		while ((rc = proto_mgs_tgt_table_rep_iter_next(&it, &t)) == 1) {
			if (n < cap)
				out[n] = t;
			n++;
			m.start++;
		}
		net_req_free(q);
		CHECK(rc == 0);
		if (*unchanged || (it.flags & PROTO_MGS_TABLE_F_EOF))
			return n;
	}
}

int t_pool(struct t_cli *c, const struct proto_creds *cr, uint16_t op, const char *pool,
	   const uint32_t *osts, uint32_t n)
{
	struct net_req *q;
	int rc;

	if (op == PROTO_OP_MGS_POOL_ADD || op == PROTO_OP_MGS_POOL_REMOVE) {
		struct proto_mgs_pool_mod_req *m = calloc(1, sizeof(*m));

		snprintf(m->fsname, sizeof(m->fsname), "%s", T_FSNAME);
		snprintf(m->pool, sizeof(m->pool), "%s", pool);
		m->count = n;
		memcpy(m->osts, osts, n * sizeof(*osts));
		q = net_req_new(op, cr);
		CHECK(proto_mgs_pool_mod_req_enc(net_req_body(q), m) == 0);
		free(m);
	} else {
		struct proto_mgs_pool_req m = {0};

		snprintf(m.fsname, sizeof(m.fsname), "%s", T_FSNAME);
		snprintf(m.pool, sizeof(m.pool), "%s", pool);
		q = net_req_new(op, cr);
		CHECK(proto_mgs_pool_req_enc(net_req_body(q), &m) == 0);
	}
	rc = net_call(c->cl, q);
	net_req_free(q);
	return rc;
}

int t_pool_list(struct t_cli *c, const char *pool, char names[][PROTO_POOL_NAME_MAX + 1], int cap,
		uint32_t *mem, uint32_t *nmem)
{
	struct proto_mgs_pool_list_req m = {0};
	struct proto_mgs_pool_list_rep_iter it;
	struct proto_mgs_pool_ent e;
	struct proto_cur cur;
	struct net_req *q;
	int rc, n = 0;

	snprintf(m.fsname, sizeof(m.fsname), "%s", T_FSNAME);
	snprintf(m.pool, sizeof(m.pool), "%s", pool);
	q = T_REQ(MGS_POOL_LIST, &t_root, proto_mgs_pool_list_req_enc, &m);
	rc = net_call(c->cl, q);
	if (rc) {
		net_req_free(q);
		return rc;
	}
	net_req_reply(q, &cur);
	CHECK(proto_mgs_pool_list_rep_iter_init(&it, &cur) == 0);
	while ((rc = proto_mgs_pool_list_rep_iter_next(&it, &e)) == 1) {
		if (n < cap)
			snprintf(names[n], sizeof(names[0]), "%s", e.name);
		if (n == 0 && mem) {
			*nmem = e.nmembers;
			for (uint32_t i = 0; i < e.nmembers; i++)
				mem[i] = proto_mgs_pool_ent_member(&e, i);
		}
		n++;
	}
	net_req_free(q);
	CHECK(rc == 0);
	return n;
}

bool t_wait(bool (*fn)(void *arg), void *arg, int ms)
{
	for (int i = 0; i < ms / 20; i++) {
		if (fn(arg))
			return true;
		usleep(20000);
	}
	return fn(arg);
}

/* ---- the fake OSS ---- */

#define T_OSS_MAX 8

struct t_oss {
	struct net_server *srv;
	uint32_t first, n;
	pthread_mutex_t mu;
	uint64_t last_id[T_OSS_MAX]; /* mu */
	uint64_t blocks[T_OSS_MAX], bavail[T_OSS_MAX];
	_Atomic uint64_t destroyed, punched, last_punch_start, cleanups, last_cleanup_id;
};

static struct t_oss *the_oss;

static int oss_slot(struct t_oss *o, uint32_t idx)
{
	return idx >= o->first && idx < o->first + o->n ? (int)(idx - o->first) : -1;
}

static void h_precreate(struct net_srv_req *r, void *arg)
{
	struct t_oss *o = arg;
	struct proto_ost_precreate_req m;
	struct proto_ost_precreate_rep rep;
	struct proto_cur c;
	int s;

	net_srv_req_body(r, &c);
	if (proto_ost_precreate_req_dec(&c, &m) || (s = oss_slot(o, m.ost_idx)) < 0) {
		net_srv_reply(r, -EINVAL);
		return;
	}
	pthread_mutex_lock(&o->mu);
	if (m.first_id + m.count - 1 > o->last_id[s])
		o->last_id[s] = m.first_id + m.count - 1;
	rep.last_id = o->last_id[s];
	pthread_mutex_unlock(&o->mu);
	proto_ost_precreate_rep_enc(net_srv_reply_body(r), &rep);
	net_srv_reply(r, 0);
}

static void h_orphan(struct net_srv_req *r, void *arg)
{
	struct t_oss *o = arg;
	struct proto_ost_orphan_req m;
	struct proto_ost_orphan_rep rep = {0};
	struct proto_cur c;
	int s;

	net_srv_req_body(r, &c);
	if (proto_ost_orphan_req_dec(&c, &m) || (s = oss_slot(o, m.ost_idx)) < 0) {
		net_srv_reply(r, -EINVAL);
		return;
	}
	pthread_mutex_lock(&o->mu);
	rep.last_id = o->last_id[s];
	rep.destroyed = o->last_id[s] > m.last_id ? o->last_id[s] - m.last_id : 0;
	o->last_id[s] = m.last_id;
	pthread_mutex_unlock(&o->mu);
	atomic_fetch_add(&o->cleanups, 1);
	atomic_store(&o->last_cleanup_id, m.last_id);
	proto_ost_orphan_rep_enc(net_srv_reply_body(r), &rep);
	net_srv_reply(r, 0);
}

static void h_destroy(struct net_srv_req *r, void *arg)
{
	struct t_oss *o = arg;
	struct proto_ost_destroy_req *m = malloc(sizeof(*m));
	struct proto_cur c;

	net_srv_req_body(r, &c);
	if (proto_ost_destroy_req_dec(&c, m)) {
		free(m);
		net_srv_reply(r, -EPROTO);
		return;
	}
	atomic_fetch_add(&o->destroyed, m->count);
	free(m);
	proto_ost_empty_enc(net_srv_reply_body(r));
	net_srv_reply(r, 0);
}

static void h_punch(struct net_srv_req *r, void *arg)
{
	struct t_oss *o = arg;
	struct proto_ost_punch_req m;
	struct proto_ost_size_rep rep = {0};
	struct proto_cur c;

	net_srv_req_body(r, &c);
	if (proto_ost_punch_req_dec(&c, &m)) {
		net_srv_reply(r, -EPROTO);
		return;
	}
	atomic_fetch_add(&o->punched, 1);
	atomic_store(&o->last_punch_start, m.start);
	proto_ost_size_rep_enc(net_srv_reply_body(r), &rep);
	net_srv_reply(r, 0);
}

static void h_statfs(struct net_srv_req *r, void *arg)
{
	struct t_oss *o = arg;
	struct proto_ost_statfs_req m;
	struct proto_ost_statfs_rep rep = {0};
	struct proto_cur c;
	int s;

	net_srv_req_body(r, &c);
	if (proto_ost_statfs_req_dec(&c, &m) || (s = oss_slot(o, m.ost_idx)) < 0) {
		net_srv_reply(r, -EINVAL);
		return;
	}
	rep.sfs.bsize = 4096;
	rep.sfs.namemax = 255;
	pthread_mutex_lock(&o->mu);
	rep.sfs.blocks = o->blocks[s];
	rep.sfs.bfree = rep.sfs.bavail = o->bavail[s];
	pthread_mutex_unlock(&o->mu);
	rep.sfs.files = 1000;
	rep.sfs.ffree = 900;
	proto_ost_statfs_rep_enc(net_srv_reply_body(r), &rep);
	net_srv_reply(r, 0);
}

static const struct net_handler oss_handlers[PROTO_OP_LIMIT] = {
    [PROTO_OP_OST_PRECREATE] = {h_precreate, 0}, [PROTO_OP_OST_ORPHAN_CLEANUP] = {h_orphan, 0},
    [PROTO_OP_OST_DESTROY] = {h_destroy, 0},	 [PROTO_OP_OST_PUNCH] = {h_punch, 0},
    [PROTO_OP_OST_STATFS] = {h_statfs, 0},
};

struct t_oss *t_oss_start(uint16_t port, uint32_t first, uint32_t n)
{
	struct t_oss *o = calloc(1, sizeof(*o));
	struct net_server_cfg cfg = {
	    .name = "fake-oss", .fsname = T_FSNAME, .handlers = oss_handlers, .nworkers = 4};
	struct proto_nid nid = t_lo();

	CHECK(o && n <= T_OSS_MAX);
	o->first = first;
	o->n = n;
	for (uint32_t i = 0; i < n; i++) {
		o->blocks[i] = 1000000;
		o->bavail[i] = 500000;
	}
	pthread_mutex_init(&o->mu, NULL);
	cfg.arg = o;
	CHECK(net_uuid_generate(cfg.uuid) == 0);
	CHECK(net_server_new(&cfg, &o->srv) == 0);
	CHECK(net_server_listen(o->srv, &nid, port) == 0);
	CHECK(net_server_start(o->srv) == 0);
	the_oss = o;
	return o;
}

void t_oss_stop(struct t_oss *o)
{
	net_server_free(o->srv);
	pthread_mutex_destroy(&o->mu);
	free(o);
	the_oss = NULL;
}

uint64_t t_oss_destroyed(struct t_oss *o)
{
	return atomic_load(&o->destroyed);
}

uint64_t t_oss_punched(struct t_oss *o, uint64_t *last_start)
{
	if (last_start)
		*last_start = atomic_load(&o->last_punch_start);
	return atomic_load(&o->punched);
}

uint64_t t_oss_orphan_cleanups(struct t_oss *o, uint64_t *last_id)
{
	if (last_id)
		*last_id = atomic_load(&o->last_cleanup_id);
	return atomic_load(&o->cleanups);
}

void t_oss_set_free(struct t_oss *o, uint32_t idx, uint64_t blocks, uint64_t bavail)
{
	int s = oss_slot(o, idx);

	CHECK(s >= 0);
	pthread_mutex_lock(&o->mu);
	o->blocks[s] = blocks;
	o->bavail[s] = bavail;
	pthread_mutex_unlock(&o->mu);
}
