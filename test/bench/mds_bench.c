/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria-mds-bench: one real stria-mds driven over RPC by N concurrent
 * clients, against raw RocksDB synced-batch writes of the same shape, side by
 * side in one run.
 *
 *   stria-mds-bench [-c CLIENTS] [-n FILES] [-r ROUNDS] [-L ENTRIES] [-W WINDOW]
 *                   [-C COMMIT_USEC] [-d DIR]
 *
 * Each round (ROUNDS times, alternating stria and the baseline):
 *   create_shared_dir     every client creates FILES files in one directory
 *   create_dir_per_client every client creates FILES files in its own directory
 *   stat                  every client looks up its FILES names (MDS_LOOKUP)
 *   readdir               every client lists its own directory
 *   unlink                every client unlinks its 2 x FILES files
 *   rocksdb_synced_batch  CLIENTS threads write FILES WriteBatches each, with
 *                         sync=true, to a RocksDB in the same directory; each
 *                         batch has the keys and value sizes of one MDS create
 *                         (measured on the MDT at start-up: new inode, entry,
 *                         parent inode, reply record, last object id)
 * The ratios are the medians of the per-round ratios.
 *
 * Then one directory grows to ENTRIES entries (default 1,000,000) from CLIENTS
 * clients; the create rate is measured over WINDOW creates around each of the
 * sizes WINDOW, 3 x WINDOW, 10 x WINDOW, 30 x WINDOW, ... below ENTRIES (from
 * size - WINDOW/2 to size + WINDOW/2), and over the last WINDOW creates
 * (ENTRIES - WINDOW to ENTRIES): one BENCH mds_create_at_SIZE_entries line
 * each, and RATIO large_dir_ENTRIES_vs_WINDOW.  -L 0 skips it.
 *
 * Targets: RATIO create >= 0.5; RATIO large_dir >= 0.8 (at most 20% slower).
 * The MDS gets an in-process fake OSS (objects are counters), so the figures
 * are the MDS's own.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <rocksdb/c.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mds/mds.h"
#include "t_mdsd.h"

#define MAX_CLIENTS 64
#define MAX_ROUNDS  15
#define MAX_KEYS    8

static int nclients = 4, nfiles = 2000, rounds = 5;
static long large = 1000000, window = 10000;
static const char *commit_window; /* -C: the MDS's --commit-window */
static const char *bench_dir = "/tmp";
static char workdir[PATH_MAX];

static struct t_mdsd d;
static struct t_cli clis[MAX_CLIENTS];
static struct proto_fid root;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *msg)
{
	fprintf(stderr, "stria-mds-bench: %s\n", msg);
	t_fail_dump();
	exit(1);
}

/* ---- the shape of one create's batch ------------------------------------ */

struct shape {
	int nkeys;
	size_t klen[MAX_KEYS], vlen[MAX_KEYS];
};

static struct shape shape;

static int scan_len(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	size_t *out = arg;

	if (vlen > out[1]) {
		out[0] = klen;
		out[1] = vlen;
	}
	return 0;
}

static void shape_add(size_t klen, size_t vlen)
{
	shape.klen[shape.nkeys] = klen;
	shape.vlen[shape.nkeys++] = vlen;
}

/*
 * Creates one file through the MDS, stops it and reads back what that create
 * wrote: the new inode, its entry, the parent's inode, the reply record and
 * the last assigned object id.
 */
static void measure_shape(void)
{
	struct proto_mds_open_rep *rep = malloc(sizeof(*rep));
	struct proto_attr dir;
	uint8_t k[1 + PROTO_FID_KEYLEN];
	struct mds_db *db;
	char path[PATH_MAX];
	size_t found[2];
	void *v;
	size_t vlen;

	CHECK_RC(t_mkdir(&clis[0], &t_root, &root, "shape", 0755, &dir), 0);
	CHECK_RC(
	    t_create(&clis[0], &t_root, &dir.fid, "x", 0644, PROTO_CREATE_F_EXCL, 0, NULL, rep), 0);
	CHECK(t_mdsd_stop(&d, SIGTERM) == 0);
	snprintf(path, sizeof(path), "%s/db", d.dir);
	CHECK_RC(mds_db_open(path, NULL, &db), 0);
	k[0] = 'I';
	proto_fid_to_key(&rep->attr.fid, k + 1);
	CHECK(mds_db_get(db, k, sizeof(k), &v, &vlen) >= 0);
	shape_add(sizeof(k), vlen);
	free(v);
	proto_fid_to_key(&dir.fid, k + 1);
	CHECK(mds_db_get(db, k, sizeof(k), &v, &vlen) >= 0);
	shape_add(sizeof(k), vlen);
	free(v);
	k[0] = 'D';
	memset(found, 0, sizeof(found));
	CHECK(mds_db_scan(db, k, sizeof(k), scan_len, found) == 0 && found[1]);
	shape_add(found[0], found[1]);
	memset(found, 0, sizeof(found));
	CHECK(mds_db_scan(db, "R", 1, scan_len, found) == 0 && found[1]);
	shape_add(found[0], found[1]);
	memset(found, 0, sizeof(found));
	CHECK(mds_db_scan(db, "PL", 2, scan_len, found) == 0 && found[1]);
	shape_add(found[0], found[1]);
	mds_db_close(db);
	free(rep);
}

/* ---- phases: N threads released together -------------------------------- */

enum phase {
	P_CREATE_SHARED,
	P_CREATE_OWN,
	P_STAT,
	P_READDIR,
	P_UNLINK,
	P_RAW,
	P_LARGE,
};

struct job {
	enum phase ph;
	int id;
	struct proto_fid shared, own;
	rocksdb_t *raw;
	long count; /* entries counted by readdir */
};

static pthread_barrier_t go;
static rocksdb_writeoptions_t *wo_sync;
static atomic_ulong raw_seq;

/* The large-directory run: the next index to create, creates done. */
static atomic_long large_next, large_done;
static struct proto_fid large_dir;

/*
 * The directory sizes the create rate is taken at, the creates done when
 * each window opens, and the times it opens and closes (written by whichever
 * client thread completes that create; read after the threads are joined).
 */
#define MAX_POINTS 32
static long pt_size[MAX_POINTS], pt_from[MAX_POINTS];
static double pt_t0[MAX_POINTS], pt_t1[MAX_POINTS];
static int npoints;

/* WINDOW, 3 x, 10 x, 30 x ... WINDOW while below ENTRIES, then ENTRIES. */
static void plan_points(void)
{
	npoints = 0;
	for (long s = window, k = 0;
	     s < large && s + window / 2 <= large && npoints < MAX_POINTS - 1;
	     s = (k++ % 2) ? s / 3 * 10 : s * 3) {
		pt_size[npoints] = s;
		pt_from[npoints++] = s - window / 2;
	}
	pt_size[npoints] = large;
	pt_from[npoints++] = large - window;
}

static void raw_batch(rocksdb_t *db, int id)
{
	static const char fill[512];
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
	unsigned long seq = atomic_fetch_add(&raw_seq, 1);
	char *err = NULL;

	for (int i = 0; i < shape.nkeys; i++) {
		char key[64], val[512];
		size_t kl = shape.klen[i] < sizeof(key) ? shape.klen[i] : sizeof(key);
		size_t vl = shape.vlen[i] < sizeof(val) ? shape.vlen[i] : sizeof(val);
		uint64_t mix = seq * 0x9e3779b97f4a7c15ull;

		/* Unique, spread keys of the measured lengths (as FIDs, hashes, xids are). */
		memset(key, 0, sizeof(key));
		key[0] = (char)('a' + i);
		memcpy(key + 1, &mix, kl - 1 < 8 ? kl - 1 : 8);
		if (kl > 9)
			memcpy(key + 9, &seq, kl - 9 < 8 ? kl - 9 : 8);
		memcpy(val, fill, vl);
		memcpy(val, &seq, vl < 8 ? vl : 8);
		val[vl - 1] = (char)id;
		rocksdb_writebatch_put(wb, key, kl, val, vl);
	}
	rocksdb_write(db, wo_sync, wb, &err);
	if (err)
		die(err);
	rocksdb_writebatch_destroy(wb);
}

static void large_create(struct t_cli *c)
{
	for (;;) {
		long i = atomic_fetch_add(&large_next, 1), n;
		char name[32];

		if (i >= large)
			return;
		snprintf(name, sizeof(name), "b%ld", i);
		CHECK_RC(t_create(c, &t_root, &large_dir, name, 0644, PROTO_CREATE_F_EXCL, 0, NULL,
				  NULL),
			 0);
		n = atomic_fetch_add(&large_done, 1) + 1;
		for (int p = 0; p < npoints; p++) {
			if (n == pt_from[p])
				pt_t0[p] = now_s();
			if (n == pt_from[p] + window)
				pt_t1[p] = now_s();
		}
		if (n % 100000 == 0) {
			fprintf(stderr, "# %ld entries\n", n);
		}
	}
}

static long list_all(struct t_cli *c, const struct proto_fid *dir)
{
	uint64_t cookie = 0;
	bool eof = false;
	long n = 0;

	while (!eof) {
		struct proto_mds_readdir_req m = {
		    .fid = *dir, .cookie = cookie, .max_bytes = 65536};
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
			n++;
		}
		CHECK(rc == 0);
		eof = it.flags & PROTO_READDIR_F_EOF;
		net_req_free(q);
	}
	return n;
}

static void *run(void *arg)
{
	struct job *j = arg;
	struct t_cli *c = &clis[j->id];
	char name[32];

	pthread_barrier_wait(&go);
	for (int i = 0; i < nfiles && j->ph != P_READDIR && j->ph != P_LARGE; i++) {
		snprintf(name, sizeof(name), "f%d_%d", j->id, i);
		switch (j->ph) {
		case P_CREATE_SHARED:
		case P_CREATE_OWN:
			CHECK_RC(t_create(c, &t_root,
					  j->ph == P_CREATE_SHARED ? &j->shared : &j->own, name,
					  0644, PROTO_CREATE_F_EXCL, 0, NULL, NULL),
				 0);
			break;
		case P_STAT:
			CHECK_RC(t_lookup(c, &t_root, &j->shared, name, NULL), 0);
			break;
		case P_UNLINK:
			CHECK_RC(t_unlink(c, &t_root, &j->shared, name, NULL), 0);
			CHECK_RC(t_unlink(c, &t_root, &j->own, name, NULL), 0);
			break;
		case P_RAW:
			raw_batch(j->raw, j->id);
			break;
		default:
			break;
		}
	}
	if (j->ph == P_READDIR)
		j->count = list_all(c, &j->own);
	if (j->ph == P_LARGE)
		large_create(c);
	return NULL;
}

/* Runs @ph on every client at once; returns its wall time in seconds. */
static double phase(enum phase ph, struct job *jobs)
{
	pthread_t th[MAX_CLIENTS];
	double t0;

	pthread_barrier_init(&go, NULL, (unsigned)nclients + 1);
	for (int i = 0; i < nclients; i++) {
		jobs[i].ph = ph;
		CHECK(pthread_create(&th[i], NULL, run, &jobs[i]) == 0);
	}
	pthread_barrier_wait(&go);
	t0 = now_s();
	for (int i = 0; i < nclients; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	return now_s() - t0;
}

/* ---- set-up -------------------------------------------------------------- */

static bool ost_active(void *arg)
{
	struct proto_mds_statfs_rep s;

	return t_statfs(&clis[0], &s) == 0 && s.ost_active == 1;
}

/* The fixture's MDT, moved into the work directory (so -d picks the disk). */
static void format_mdt(void)
{
	struct proto_target_id id;
	char db[PATH_MAX], cmd[160];

	if (strlen(workdir) > 48)
		die("-d: the path is too long");
	t_mdsd_format(&d); /* also arms the fixture's kill-the-daemon-on-failure */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d.base);
	CHECK(system(cmd) == 0);
	snprintf(d.base, sizeof(d.base), "%.48s", workdir);
	snprintf(d.dir, sizeof(d.dir), "%.48s/mdt", workdir);
	snprintf(d.log, sizeof(d.log), "%.48s/mds.log", workdir);
	CHECK(mkdir(d.dir, 0700) == 0);
	CHECK(proto_target_id_init(&id, PROTO_TARGET_MDT, 0, T_FSNAME) == 0);
	CHECK(net_uuid_generate(id.uuid) == 0);
	id.ctime = (uint64_t)time(NULL);
	CHECK(proto_target_id_store(d.dir, &id) == 0);
	snprintf(db, sizeof(db), "%s/db", d.dir);
	CHECK(mds_db_format(db) == 0);
	t_mdsd_arg(&d, "--recovery-window");
	t_mdsd_arg(&d, "0");
	if (commit_window) {
		t_mdsd_arg(&d, "--commit-window");
		t_mdsd_arg(&d, commit_window);
	}
}

/* Prints the MDS's closing line on how many batches each WAL sync carried. */
static void print_syncs(void)
{
	char line[512];
	FILE *f = fopen(d.log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "WAL syncs"))
			printf("# mds: %s", strstr(line, ": ") ? strstr(line, ": ") + 2 : line);
	fclose(f);
}

static rocksdb_t *raw_open(void)
{
	rocksdb_options_t *o = rocksdb_options_create();
	char path[PATH_MAX + 8], *err = NULL;
	rocksdb_t *db;

	/* The MDS's own options (mds/kv.c): RocksDB's defaults. */
	rocksdb_options_set_create_if_missing(o, 1);
	snprintf(path, sizeof(path), "%s/raw", workdir);
	db = rocksdb_open(o, path, &err);
	if (err)
		die(err);
	rocksdb_options_destroy(o);
	return db;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *in, int n)
{
	double v[MAX_ROUNDS];

	memcpy(v, in, (size_t)n * sizeof(*v));
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(void)
{
	fprintf(stderr, "usage: stria-mds-bench [-c CLIENTS] [-n FILES] [-r ROUNDS] [-L ENTRIES] "
			"[-W WINDOW] [-C COMMIT_USEC] [-d DIR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double cs[MAX_ROUNDS], co[MAX_ROUNDS], st[MAX_ROUNDS], rd[MAX_ROUNDS], ul[MAX_ROUNDS];
	double raw[MAX_ROUNDS], rs[MAX_ROUNDS], ro[MAX_ROUNDS];
	struct job jobs[MAX_CLIENTS];
	struct t_oss *oss;
	uint8_t ost_uuid[16];
	uint16_t oss_port;
	rocksdb_t *rdb;
	size_t kb = 0, vb = 0;
	double r_create;
	int c;

	while ((c = getopt(argc, argv, "c:n:r:L:W:C:d:")) != -1) {
		switch (c) {
		case 'c':
			nclients = atoi(optarg);
			break;
		case 'n':
			nfiles = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'L':
			large = atol(optarg);
			break;
		case 'W':
			window = atol(optarg);
			break;
		case 'C':
			commit_window = optarg;
			break;
		case 'd':
			bench_dir = optarg;
			break;
		default:
			usage();
		}
	}
	if (nclients < 1 || nclients > MAX_CLIENTS || nfiles < 1 || rounds < 1 ||
	    rounds > MAX_ROUNDS || window < 2 || (large && large < 2 * window))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(workdir, sizeof(workdir), "%s/stria-mds-bench.XXXXXX", bench_dir);
	if (!mkdtemp(workdir))
		die("cannot create the work directory");
	format_mdt();
	net_log_init("stria-mds-bench", NET_LOG_ERR);
	t_mdsd_start(&d);
	oss_port = t_free_port();
	oss = t_oss_start(oss_port, 0, 1);
	root = proto_fid_root();
	t_cli_new(&clis[0], d.port, PROTO_ROLE_CLIENT, 20000);
	CHECK(net_uuid_generate(ost_uuid) == 0);
	CHECK_RC(t_register(&clis[0], T_FSNAME, 0, ost_uuid, oss_port, NULL), 0);
	CHECK(t_wait(ost_active, NULL, 10000));
	measure_shape();
	t_cli_free(&clis[0]);
	t_mdsd_start(&d);
	for (int i = 0; i < nclients; i++)
		t_cli_new(&clis[i], d.port, PROTO_ROLE_CLIENT, 20000);
	CHECK(t_wait(ost_active, NULL, 10000));
	rdb = raw_open();
	wo_sync = rocksdb_writeoptions_create();
	rocksdb_writeoptions_set_sync(wo_sync, 1);
	for (int i = 0; i < shape.nkeys; i++) {
		kb += shape.klen[i];
		vb += shape.vlen[i];
	}
	printf("# stria-mds-bench: %d clients, %d files each, %d round(s), dir %s\n", nclients,
	       nfiles, rounds, bench_dir);
	printf("# one create's batch: %d puts, %zu key bytes, %zu value bytes\n", shape.nkeys, kb,
	       vb);

	for (int r = 0; r < rounds; r++) {
		struct proto_attr a;
		char name[32];
		double n = (double)nclients * nfiles;
		long listed = 0;

		snprintf(name, sizeof(name), "shared%d", r);
		CHECK_RC(t_mkdir(&clis[0], &t_root, &root, name, 0755, &a), 0);
		for (int i = 0; i < nclients; i++) {
			struct proto_attr o;

			snprintf(name, sizeof(name), "own%d_%d", r, i);
			CHECK_RC(t_mkdir(&clis[0], &t_root, &root, name, 0755, &o), 0);
			jobs[i] = (struct job){.id = i, .shared = a.fid, .own = o.fid, .raw = rdb};
		}
		cs[r] = n / phase(P_CREATE_SHARED, jobs);
		raw[r] = n / phase(P_RAW, jobs);
		co[r] = n / phase(P_CREATE_OWN, jobs);
		st[r] = n / phase(P_STAT, jobs);
		rd[r] = phase(P_READDIR, jobs);
		for (int i = 0; i < nclients; i++)
			listed += jobs[i].count;
		CHECK(listed == (long)nclients * (nfiles + 2));
		rd[r] = (double)listed / rd[r];
		ul[r] = 2 * n / phase(P_UNLINK, jobs);
		rs[r] = cs[r] / raw[r];
		ro[r] = co[r] / raw[r];
		fprintf(stderr, "# round %d: create shared %.0f/s, own %.0f/s, raw %.0f/s\n", r,
			cs[r], co[r], raw[r]);
	}
	printf("BENCH mds_create_shared_dir %.0f creates/s\n", median(cs, rounds));
	printf("BENCH mds_create_dir_per_client %.0f creates/s\n", median(co, rounds));
	printf("BENCH mds_stat %.0f lookups/s\n", median(st, rounds));
	printf("BENCH mds_readdir %.0f entries/s\n", median(rd, rounds));
	printf("BENCH mds_unlink %.0f unlinks/s\n", median(ul, rounds));
	printf("BENCH rocksdb_synced_batch %.0f batches/s\n", median(raw, rounds));
	printf("RATIO create_shared_dir %.2f\n", median(rs, rounds));
	printf("RATIO create_dir_per_client %.2f\n", median(ro, rounds));
	r_create =
	    median(rs, rounds) < median(ro, rounds) ? median(rs, rounds) : median(ro, rounds);
	printf("RATIO create %.2f\n", r_create);

	if (large) {
		struct proto_attr a;
		double rate[MAX_POINTS];

		CHECK_RC(t_mkdir(&clis[0], &t_root, &root, "large", 0755, &a), 0);
		large_dir = a.fid;
		plan_points();
		phase(P_LARGE, jobs);
		for (int p = 0; p < npoints; p++) {
			rate[p] = (double)window / (pt_t1[p] - pt_t0[p]);
			printf("BENCH mds_create_at_%ld_entries %.0f creates/s\n", pt_size[p],
			       rate[p]);
		}
		printf("RATIO large_dir_%ld_vs_%ld %.2f\n", large, window,
		       rate[npoints - 1] / rate[0]);
	}

	for (int i = 0; i < nclients; i++)
		t_cli_free(&clis[i]);
	rocksdb_writeoptions_destroy(wo_sync);
	rocksdb_close(rdb);
	if (t_mdsd_stop(&d, SIGTERM) != 0)
		die("stria-mds did not exit 0 on SIGTERM");
	print_syncs();
	t_oss_stop(oss);
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
		if (system(cmd) != 0)
			fprintf(stderr, "stria-mds-bench: could not remove %s\n", workdir);
	}
	return 0;
}
