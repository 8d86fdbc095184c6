/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crash storm: several client threads run a create / mkdir / link / rename /
 * unlink / rmdir storm against a real stria-mds (each thread in its own
 * directory and in one shared directory) while the MDS is killed again and
 * again: kill -9 from outside at random moments, and _exit(9) at the injected
 * crash points crash_before_apply, crash_after_apply and crash_after_commit.
 * After every crash `stria-mds --check` runs on the crashed MDT and must find
 * nothing; then the MDS restarts, the clients reconnect and resend.
 *
 * Each thread knows exactly what each of its operations must answer (it is
 * the only one touching its names), so every reply is checked: a resent
 * request executed twice would answer -EEXIST or -ENOENT instead of 0.  Each
 * thread keeps a model of its names (acknowledged replies only); at the end
 * every name of the model resolves to the FID its create returned with the
 * link count the model says, every directory lists exactly the model's names,
 * directory link counts are 2 + subdirectories, and the checker is clean
 * after a SIGTERM.
 *
 * STRIA_SEED=N reproduces a run's random choices (the seed is printed).
 */
#include "t_mdsd.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mds/failinj.h"

#define NTHREADS 4
#define MIN_OPS	 150   /* each thread runs at least this many operations */
#define NCRASH	 8     /* crashes: kill -9 and the three crash points, twice each */
#define MAX_ENTS 16384 /* names per thread: far more than a run makes */
#define NAME_LEN 32

struct ino {
	struct proto_fid fid;
	uint32_t nlink; /* names of a file; unused for directories */
	bool dir;
};

struct ent {
	int where; /* 0: the thread's own directory, 1: the shared one */
	char name[NAME_LEN];
	int ino;
	bool live;
};

struct worker {
	int id;
	pthread_t th;
	struct t_cli cli;
	uint64_t rng;
	struct proto_fid dirs[2];
	struct ino inos[MAX_ENTS];
	int ninos;
	struct ent ents[MAX_ENTS];
	int nents;
	int seq;
	int ops, enospc;
};

static struct worker workers[NTHREADS];
static atomic_int acked;   /* operations answered, over all threads */
static atomic_bool stop;   /* the crash schedule is done */
static struct t_cli admin; /* registration, failure points, final checks */
static uint32_t crash_ops[] = {0, PROTO_OP_MDS_CREATE, PROTO_OP_MDS_RENAME, PROTO_OP_MDS_UNLINK,
			       PROTO_OP_MDS_LINK};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- RPC wrappers t_mdsd.c does not have -------------------------------- */

static int link_rpc(struct t_cli *c, const struct proto_fid *fid, const struct proto_fid *dir,
		    const char *name, struct proto_attr *out)
{
	struct proto_mds_link_req m = {.fid = *fid, .parent = *dir, .name = t_s(name)};
	struct net_req *q = T_REQ(MDS_LINK, &t_root, proto_mds_link_req_enc, &m);
	int rc = net_call(c->cl, q);

	if (rc == 0) {
		struct proto_mds_attr_rep rep;
		struct proto_cur cur;

		net_req_reply(q, &cur);
		CHECK(proto_mds_attr_rep_dec(&cur, &rep) == 0);
		*out = rep.attr;
	}
	net_req_free(q);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Lists @dir (without "." and ".."), sorted; returns the count. */
static int list_dir(struct t_cli *c, const struct proto_fid *dir, char (*names)[NAME_LEN], int cap)
{
	uint64_t cookie = 0;
	bool eof = false;
	int n = 0;

	while (!eof) {
		struct proto_mds_readdir_req m = {.fid = *dir, .cookie = cookie, .max_bytes = 8192};
		struct net_req *q = T_REQ(MDS_READDIR, &t_root, proto_mds_readdir_req_enc, &m);
		struct proto_mds_readdir_rep_iter it;
		struct proto_mds_dirent e;
		struct proto_cur cur;
		int rc;

		CHECK_RC(net_call(c->cl, q), 0);
		net_req_reply(q, &cur);
		CHECK(proto_mds_readdir_rep_iter_init(&it, &cur) == 0);
		while ((rc = proto_mds_readdir_rep_iter_next(&it, &e)) == 1) {
			cookie = e.next;
			if ((e.name.len == 1 && e.name.s[0] == '.') ||
			    (e.name.len == 2 && memcmp(e.name.s, "..", 2) == 0))
				continue;
			CHECK(n < cap && e.name.len < NAME_LEN);
			memcpy(names[n], e.name.s, e.name.len);
			names[n++][e.name.len] = '\0';
		}
		CHECK(rc == 0);
		eof = it.flags & PROTO_READDIR_F_EOF;
		net_req_free(q);
	}
	qsort(names, (size_t)n, NAME_LEN, name_cmp);
	return n;
}

/* ---- one storm thread ----------------------------------------------------- */

#define FAIL_OP(w, what, rc, want)                                                                 \
	do {                                                                                       \
		fprintf(stderr, "FAIL thread %d op %d: %s = %d (%s), want %d\n", (w)->id,          \
			(w)->ops, what, rc, strerror(-(rc)), want);                                \
		t_fail_dump();                                                                     \
		exit(1);                                                                           \
	} while (0)

static struct ent *new_ent(struct worker *w, int where, int ino)
{
	struct ent *e;

	CHECK(w->nents < MAX_ENTS);
	e = &w->ents[w->nents++];
	e->where = where;
	snprintf(e->name, sizeof(e->name), "t%d_%d", w->id, w->seq++);
	e->ino = ino;
	e->live = true;
	return e;
}

/* A random live entry (of directories if @dir, of files otherwise), or NULL. */
static struct ent *pick(struct worker *w, bool dir)
{
	int start, i;

	if (!w->nents)
		return NULL;
	start = (int)(rnd(&w->rng) % (uint64_t)w->nents);
	for (i = 0; i < w->nents; i++) {
		struct ent *e = &w->ents[(start + i) % w->nents];

		if (e->live && w->inos[e->ino].dir == dir)
			return e;
	}
	return NULL;
}

static void op_create(struct worker *w)
{
	struct proto_mds_open_rep *rep = malloc(sizeof(*rep));
	int where = (int)(rnd(&w->rng) & 1);
	struct ent *e = new_ent(w, where, w->ninos);
	int rc = t_create(&w->cli, &t_root, &w->dirs[where], e->name, 0644, PROTO_CREATE_F_EXCL, 0,
			  NULL, rep);

	if (rc == -ENOSPC) { /* no OST object in time (after a restart): nothing created */
		e->live = false;
		w->enospc++;
	} else if (rc != 0) {
		FAIL_OP(w, "create", rc, 0);
	} else {
		CHECK(rep->flags & PROTO_OPEN_REP_F_CREATED);
		CHECK(rep->attr.nlink == 1);
		w->inos[w->ninos++] = (struct ino){.fid = rep->attr.fid, .nlink = 1};
	}
	free(rep);
}

static void op_mkdir(struct worker *w)
{
	int where = (int)(rnd(&w->rng) & 1);
	struct ent *e = new_ent(w, where, w->ninos);
	struct proto_attr a;
	int rc = t_mkdir(&w->cli, &t_root, &w->dirs[where], e->name, 0755, &a);

	if (rc != 0)
		FAIL_OP(w, "mkdir", rc, 0);
	CHECK(S_ISDIR(a.mode) && a.nlink == 2);
	w->inos[w->ninos++] = (struct ino){.fid = a.fid, .dir = true};
}

static void op_link(struct worker *w)
{
	struct ent *src = pick(w, false), *e;
	struct ino *in;
	struct proto_attr a;
	int rc;

	if (!src)
		return;
	in = &w->inos[src->ino];
	e = new_ent(w, (int)(rnd(&w->rng) & 1), src->ino);
	rc = link_rpc(&w->cli, &in->fid, &w->dirs[e->where], e->name, &a);
	if (rc != 0)
		FAIL_OP(w, "link", rc, 0);
	in->nlink++;
	CHECK(proto_fid_eq(&a.fid, &in->fid) && a.nlink == in->nlink);
}

static void op_unlink(struct worker *w)
{
	struct ent *e = pick(w, false);
	struct proto_mds_unlink_rep rep;
	int rc;

	if (!e)
		return;
	rc = t_unlink(&w->cli, &t_root, &w->dirs[e->where], e->name, &rep);
	if (rc != 0)
		FAIL_OP(w, "unlink", rc, 0);
	/* The reply names the file removed and the links it has left. */
	w->inos[e->ino].nlink--;
	CHECK(proto_fid_eq(&rep.fid, &w->inos[e->ino].fid));
	CHECK(rep.nlink == w->inos[e->ino].nlink);
	e->live = false;
}

static void op_rmdir(struct worker *w)
{
	struct ent *e = pick(w, true);
	int rc;

	if (!e)
		return;
	rc = t_rmdir(&w->cli, &t_root, &w->dirs[e->where], e->name);
	if (rc != 0)
		FAIL_OP(w, "rmdir", rc, 0);
	e->live = false;
}

/* Renames a file or an (empty) directory to a new name or over one of its kind. */
static void op_rename(struct worker *w)
{
	bool dir = rnd(&w->rng) % 4 == 0;
	struct ent *src = pick(w, dir), *dst = NULL, *e;
	int rc;

	if (!src)
		return;
	if (rnd(&w->rng) & 1)
		dst = pick(w, dir);
	if (dst == src)
		dst = NULL;
	if (dst) {
		rc = t_rename(&w->cli, &t_root, &w->dirs[src->where], src->name,
			      &w->dirs[dst->where], dst->name, 0);
		if (rc != 0)
			FAIL_OP(w, "rename over a name", rc, 0);
		if (src->ino == dst->ino) /* two links of one file: a no-op */
			return;
		if (!dir)
			w->inos[dst->ino].nlink--;
		dst->ino = src->ino;
		src->live = false;
		return;
	}
	e = new_ent(w, (int)(rnd(&w->rng) & 1), src->ino);
	rc = t_rename(&w->cli, &t_root, &w->dirs[src->where], src->name, &w->dirs[e->where],
		      e->name, 0);
	if (rc != 0)
		FAIL_OP(w, "rename", rc, 0);
	src->live = false;
}

/* Operations that must fail: their recorded error is what a resend gets. */
static void op_negative(struct worker *w)
{
	struct ent *e = pick(w, false);
	char name[NAME_LEN];
	int rc;

	if (e && (rnd(&w->rng) & 1)) {
		rc = t_create(&w->cli, &t_root, &w->dirs[e->where], e->name, 0644,
			      PROTO_CREATE_F_EXCL, 0, NULL, NULL);
		if (rc != -EEXIST)
			FAIL_OP(w, "create of an existing name", rc, -EEXIST);
		return;
	}
	snprintf(name, sizeof(name), "never_%d_%d", w->id, w->ops);
	rc = t_unlink(&w->cli, &t_root, &w->dirs[w->ops & 1], name, NULL);
	if (rc != -ENOENT)
		FAIL_OP(w, "unlink of a missing name", rc, -ENOENT);
}

static void *storm(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&stop) || w->ops < MIN_OPS) {
		uint64_t r = rnd(&w->rng) % 100;

		if (w->nents > MAX_ENTS - 4)
			break;
		if (r < 30)
			op_create(w);
		else if (r < 38)
			op_mkdir(w);
		else if (r < 50)
			op_link(w);
		else if (r < 75)
			op_rename(w);
		else if (r < 88)
			op_unlink(w);
		else if (r < 94)
			op_rmdir(w);
		else
			op_negative(w);
		w->ops++;
		atomic_fetch_add(&acked, 1);
	}
	return NULL;
}

/* ---- the crash schedule ------------------------------------------------- */

static bool ost_active(void *arg)
{
	struct proto_mds_statfs_rep s;

	return t_statfs(&admin, &s) == 0 && s.ost_active == 1;
}

static void crash_once(struct t_mdsd *d, int k, uint64_t *rng)
{
	static const uint32_t points[] = {FAIL_CRASH_AFTER_COMMIT, FAIL_CRASH_AFTER_APPLY,
					  FAIL_CRASH_BEFORE_APPLY};
	int base = atomic_load(&acked), gap = 20 + (int)(rnd(rng) % 100);
	int st;

	if (k % 4 == 0) {
		/* kill -9 from outside, after a random amount of progress. */
		for (int i = 0; i < 5000 && atomic_load(&acked) - base < gap; i++)
			usleep(2000);
		CHECK(atomic_load(&acked) - base >= gap);
		usleep((useconds_t)(rnd(rng) % 20000));
		st = t_mdsd_stop(d, SIGKILL);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
		printf("crash %d: kill -9 after %d operations\n", k, atomic_load(&acked) - base);
	} else {
		uint32_t point = points[k % 4 - 1];
		uint32_t op = crash_ops[rnd(rng) % (sizeof(crash_ops) / sizeof(crash_ops[0]))];
		uint32_t skip = (uint32_t)(rnd(rng) % 20);

		/* The point fires on the (skip+1)-th commit of @op (0: any opcode). */
		CHECK_RC(t_fail_set(&admin, &t_root, point, PROTO_FAIL_SKIP, op, skip), 0);
		st = t_mdsd_wait(d);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9);
		printf("crash %d: %s on %s after %u skipped\n", k, failinj_name(point),
		       op ? proto_op_name((uint16_t)op) : "any opcode", skip);
	}
	/* The crashed MDT as the kill left it must be consistent. */
	CHECK_RC(t_mdsd_check(d), 0);
	t_mdsd_start(d);
	CHECK(t_wait(ost_active, NULL, 10000));
}

/* Lines of the daemon log containing @what. */
static int log_count(const struct t_mdsd *d, const char *what)
{
	char line[1024];
	FILE *f = fopen(d->log, "r");
	int n = 0;

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, what))
			n++;
	fclose(f);
	return n;
}

/* ---- final verification ------------------------------------------------ */

static char (*listing)[NAME_LEN];
static char (*expect)[NAME_LEN];

static void verify_dir(const struct proto_fid *dir, int who, int where, const char *what)
{
	int n = 0, got;

	for (int t = 0; t < NTHREADS; t++) {
		struct worker *w = &workers[t];

		if (who >= 0 && t != who)
			continue;
		for (int i = 0; i < w->nents; i++)
			if (w->ents[i].live && w->ents[i].where == where)
				memcpy(expect[n++], w->ents[i].name, NAME_LEN);
	}
	qsort(expect, (size_t)n, NAME_LEN, name_cmp);
	got = list_dir(&admin, dir, listing, NTHREADS * MAX_ENTS);
	for (int i = 0; i < n || i < got; i++)
		if (i >= n || i >= got || strcmp(expect[i], listing[i]) != 0) {
			fprintf(stderr,
				"FAIL %s: %d names listed, %d acknowledged; first difference "
				"at %d: listed '%s', model '%s'\n",
				what, got, n, i, i < got ? listing[i] : "", i < n ? expect[i] : "");
			t_fail_dump();
			exit(1);
		}
}

static void verify(void)
{
	struct proto_attr a;
	uint32_t shared_subdirs = 0;

	listing = calloc(NTHREADS * MAX_ENTS, NAME_LEN);
	expect = calloc(NTHREADS * MAX_ENTS, NAME_LEN);
	CHECK(listing && expect);
	for (int t = 0; t < NTHREADS; t++) {
		struct worker *w = &workers[t];
		uint32_t own_subdirs = 0;

		for (int i = 0; i < w->nents; i++) {
			struct ent *e = &w->ents[i];
			struct ino *in = &w->inos[e->ino];

			if (!e->live)
				continue;
			CHECK_RC(t_lookup(&admin, &t_root, &w->dirs[e->where], e->name, &a), 0);
			CHECK(proto_fid_eq(&a.fid, &in->fid));
			CHECK(a.nlink == (in->dir ? 2 : in->nlink));
			if (in->dir)
				*(e->where ? &shared_subdirs : &own_subdirs) += 1;
		}
		verify_dir(&w->dirs[0], t, 0, "own directory");
		CHECK_RC(t_getattr(&admin, &w->dirs[0], &a), 0);
		CHECK(a.nlink == 2 + own_subdirs);
	}
	verify_dir(&workers[0].dirs[1], -1, 1, "shared directory");
	CHECK_RC(t_getattr(&admin, &workers[0].dirs[1], &a), 0);
	CHECK(a.nlink == 2 + shared_subdirs);
	free(listing);
	free(expect);
}

int main(void)
{
	struct proto_fid root = proto_fid_root();
	const char *seed_env = getenv("STRIA_SEED");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : (uint64_t)time(NULL) ^ getpid();
	uint64_t rng = seed | 1;
	struct proto_attr shared, a;
	struct t_mdsd d;
	struct t_oss *oss;
	uint8_t ost_uuid[16];
	uint16_t oss_port = t_free_port();
	int st, total = 0, enospc = 0, replays;

	setvbuf(stdout, NULL, _IOLBF, 0); /* forked daemons must not inherit buffered output */
	printf("mds_crash_storm: seed %llu\n", (unsigned long long)seed);
	fflush(stdout);
	t_mdsd_format(&d);
	t_mdsd_arg(&d, "--recovery-window");
	t_mdsd_arg(&d, "2");
	t_mdsd_start(&d);
	oss = t_oss_start(oss_port, 0, 1);
	t_cli_new(&admin, d.port, PROTO_ROLE_CLIENT, 5000);
	CHECK(net_uuid_generate(ost_uuid) == 0);
	CHECK_RC(t_register(&admin, T_FSNAME, 0, ost_uuid, oss_port, NULL), 0);
	CHECK(t_wait(ost_active, NULL, 10000));
	CHECK_RC(t_mkdir(&admin, &t_root, &root, "shared", 0755, &shared), 0);
	for (int t = 0; t < NTHREADS; t++) {
		struct worker *w = &workers[t];
		char name[16];

		w->id = t;
		w->rng = (seed + 0x9e3779b97f4a7c15ull * (uint64_t)(t + 1)) | 1;
		snprintf(name, sizeof(name), "own%d", t);
		CHECK_RC(t_mkdir(&admin, &t_root, &root, name, 0755, &a), 0);
		w->dirs[0] = a.fid;
		w->dirs[1] = shared.fid;
		/* A lost connection is noticed at once; the timeout covers silent losses. */
		t_cli_new(&w->cli, d.port, PROTO_ROLE_CLIENT, 5000);
	}
	for (int t = 0; t < NTHREADS; t++)
		CHECK(pthread_create(&workers[t].th, NULL, storm, &workers[t]) == 0);

	for (int k = 0; k < NCRASH; k++)
		crash_once(&d, k, &rng);
	atomic_store(&stop, true);
	for (int t = 0; t < NTHREADS; t++) {
		pthread_join(workers[t].th, NULL);
		total += workers[t].ops;
		enospc += workers[t].enospc;
	}
	printf("mds_crash_storm: %d operations over %d crashes (%d creates found no OST object)\n",
	       total, NCRASH, enospc);

	/*
	 * Each crash after apply or after commit left a committed request whose
	 * reply was never sent: its resend was answered from the reply log.
	 */
	replays = log_count(&d, "replaying its recorded reply");
	printf("mds_crash_storm: %d resends answered from the reply log\n", replays);
	CHECK(replays >= NCRASH / 2);
	verify();
	/* Once more after a plain kill -9 and restart: still all there. */
	st = t_mdsd_stop(&d, SIGKILL);
	CHECK(WIFSIGNALED(st));
	CHECK_RC(t_mdsd_check(&d), 0);
	t_mdsd_start(&d);
	verify();

	for (int t = 0; t < NTHREADS; t++)
		t_cli_free(&workers[t].cli);
	t_cli_free(&admin);
	st = t_mdsd_stop(&d, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_RC(t_mdsd_check(&d), 0);
	t_oss_stop(oss);
	t_mdsd_cleanup(&d);
	printf("mds_crash_storm: ok\n");
	return 0;
}
