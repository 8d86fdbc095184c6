/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria-oss-bench: one real stria-oss driven over RPC, against fio on the
 * same directory, side by side in one run.  The OST is formatted as
 * mkfs.stria formats one by default (direct I/O for aligned requests of
 * stria-oss --direct-min and more); fio writes and reads through the page cache.
 *
 *   stria-oss-bench [-d DIR] [-s MIB] [-t SECONDS] [-r ROUNDS] [--oss PATH]
 *
 * Phases (each run by stria and by fio, alternating, ROUNDS times; the
 * reported ratio is the median of the per-round ratios):
 *   write_1m_qd1 / qd16    sequential 1 MiB writes of MIB MiB, then a sync
 *                          (fio: end_fsync=1; psync at QD1, io_uring at QD16)
 *   read_1m_qd1 / qd16     sequential 1 MiB reads of the same, caches dropped
 *   randwrite_4k_qd1/qd16  4 KiB random writes over 64 MiB for SECONDS, then a sync
 *   randread_4k_qd1/qd16   4 KiB random reads over 64 MiB for SECONDS, caches dropped
 *
 * Prints BENCH and RATIO lines; target: RATIO write_1m_qd16 >= 0.8.
 * Dropping caches needs root; without it the read phases say so.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net/net.h"
#include "oss/oss.h"
#include "proto/proto.h"

#define MIB	    (1024u * 1024u)
#define RAND_REGION (64u * MIB)
#define MAX_ROUNDS  15

static const char *bench_dir = "/tmp";
static unsigned size_mib = 256;
static double secs = 1.5;
static int rounds = 3;
static char oss_bin[PATH_MAX];
static uint16_t port;
static struct net_client *cl, *mdscl;
static struct net_loop *loop;
static bool can_drop;
static char workdir[PATH_MAX];

static double now_s(void)
{
	return (double)net_now_ms() / 1000.0;
}

static void die(const char *msg)
{
	fprintf(stderr, "stria-oss-bench: %s\n", msg);
	exit(1);
}

static void drop_caches(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		return;
	if (write(fd, "3\n", 2) == 2)
		can_drop = true;
	close(fd);
}

/* ---- the stria side ---- */

struct io_job {
	uint16_t op;
	uint64_t obj;
	uint32_t bs;
	bool random;
	uint64_t limit_bytes; /* sequential: stop after this many */
	double deadline;      /* random: stop at this time */
	/* state */
	atomic_ullong next_off;
	atomic_ullong done_bytes;
	atomic_int inflight;
	atomic_int errors;
	uint64_t rng;
	pthread_mutex_t lock;
};

struct slot {
	struct io_job *j;
	uint8_t *buf;
};

static uint64_t job_next(struct io_job *j, bool *more)
{
	uint64_t off;

	if (j->random) {
		pthread_mutex_lock(&j->lock);
		j->rng ^= j->rng << 13;
		j->rng ^= j->rng >> 7;
		j->rng ^= j->rng << 17;
		off = (j->rng % (RAND_REGION / j->bs)) * j->bs;
		pthread_mutex_unlock(&j->lock);
		*more = now_s() < j->deadline;
		return off;
	}
	off = atomic_fetch_add(&j->next_off, j->bs);
	*more = off < j->limit_bytes;
	return off;
}

static void issue(struct slot *s);

static void io_cb(struct net_req *r, int status, void *arg)
{
	struct slot *s = arg;

	if (status)
		atomic_fetch_add(&s->j->errors, 1);
	else
		atomic_fetch_add(&s->j->done_bytes, s->j->bs);
	net_req_free(r);
	issue(s);
}

static void issue(struct slot *s)
{
	struct io_job *j = s->j;
	struct proto_ost_io_req m = {.ost_idx = 0,
				     .objid = j->obj,
				     .length = j->bs,
				     .bulk = {.kind = PROTO_BULK_INLINE, .len = j->bs}};
	struct net_req *r;
	bool more;

	m.offset = job_next(j, &more);
	if (!more) {
		atomic_fetch_sub(&j->inflight, 1);
		return;
	}
	r = net_req_new(j->op, NULL);
	proto_ost_io_req_enc(net_req_body(r), &m);
	if (j->op == PROTO_OP_OST_WRITE) {
		struct iovec iov = {s->buf, j->bs};

		net_req_set_bulk_out(r, &iov, 1);
	} else {
		net_req_set_bulk_in(r, s->buf, j->bs);
	}
	net_req_send(cl, r, io_cb, s);
}

static int ost_sync(uint64_t obj)
{
	struct proto_ost_sync_req m = {.ost_idx = 0, .objid = obj, .end = UINT64_MAX};
	struct net_req *r = net_req_new(PROTO_OP_OST_SYNC, NULL);
	int err;

	proto_ost_sync_req_enc(net_req_body(r), &m);
	err = net_call(cl, r);
	net_req_free(r);
	return err;
}

/* Runs one stria phase; returns MiB/s (1 MiB phases) or IOPS (4 KiB phases). */
static double stria_phase(uint16_t op, uint64_t obj, uint32_t bs, int qd, bool random)
{
	struct io_job j = {.op = op,
			   .obj = obj,
			   .bs = bs,
			   .random = random,
			   .limit_bytes = (uint64_t)size_mib * MIB,
			   .rng = 88172645463325252ULL};
	struct slot slots[16];
	double t0, t;

	pthread_mutex_init(&j.lock, NULL);
	if (op == PROTO_OP_OST_READ)
		drop_caches();
	t0 = now_s();
	j.deadline = t0 + secs;
	atomic_store(&j.inflight, qd);
	for (int i = 0; i < qd; i++) {
		slots[i].j = &j;
		slots[i].buf = net_bulk_alloc(bs);
		memset(slots[i].buf, 0x5a + i, bs);
	}
	for (int i = 0; i < qd; i++)
		issue(&slots[i]);
	while (atomic_load(&j.inflight) > 0)
		usleep(500);
	if (op == PROTO_OP_OST_WRITE && ost_sync(obj) != 0)
		die("OST_SYNC failed");
	t = now_s() - t0;
	for (int i = 0; i < qd; i++)
		net_bulk_free(slots[i].buf, bs);
	if (atomic_load(&j.errors))
		die("I/O errors in a stria phase");
	return bs >= MIB ? (double)atomic_load(&j.done_bytes) / MIB / t
			 : (double)atomic_load(&j.done_bytes) / bs / t;
}

/* ---- the fio side ---- */

static double fio_phase(const char *rw, uint32_t bs, int qd, bool timed)
{
	char cmd[PATH_MAX + 512], line[8192], file[PATH_MAX + 16], extra[64] = "";
	double kib = -1;
	FILE *p;

	snprintf(file, sizeof(file), "%s/fio.dat", workdir);
	if (strstr(rw, "read"))
		drop_caches();
	if (timed)
		snprintf(extra, sizeof(extra), "--time_based --runtime=%.1fs", secs);
	snprintf(cmd, sizeof(cmd),
		 "fio --name=b --filename=%s --rw=%s --bs=%u --size=%uM --ioengine=%s "
		 "--iodepth=%d %s %s --output-format=terse 2>/dev/null",
		 file, rw, bs, timed ? RAND_REGION / MIB : size_mib, qd > 1 ? "io_uring" : "psync",
		 qd, strstr(rw, "write") ? "--end_fsync=1" : "", extra);
	p = popen(cmd, "r");
	if (!p)
		die("cannot run fio");
	while (fgets(line, sizeof(line), p)) {
		char *f = line;
		int field = 1;

		/* terse v3: field 7 is read bandwidth, field 48 write bandwidth (KiB/s) */
		for (char *s = line; *s; s++)
			if (*s == ';') {
				*s = '\0';
				if (field == 7 && strstr(rw, "read"))
					kib = atof(f);
				if (field == 48 && strstr(rw, "write"))
					kib = atof(f);
				f = s + 1;
				field++;
			}
	}
	if (pclose(p) != 0 || kib < 0)
		die("fio failed (is it installed?)");
	return bs >= MIB ? kib / 1024.0 : kib * 1024.0 / bs;
}

/* ---- set-up ---- */

static pid_t oss_pid;

static void start_oss(void)
{
	char ost[PATH_MAX + 8], portstr[16];
	struct proto_target_id id;

	snprintf(ost, sizeof(ost), "%s/ost0", workdir);
	if (mkdir(ost, 0700) < 0 || oss_ost_init_tree(ost) < 0 ||
	    proto_target_id_init(&id, PROTO_TARGET_OST, 0, "bench") < 0)
		die("cannot format the OST");
	net_uuid_generate(id.uuid);
	id.nmgs = 1;
	id.mgs[0] = (struct proto_nid){.lnd = PROTO_LND_TCP, .addr = "127.0.0.1"};
	id.mgs_port = 1; /* nothing listens there: the OSS just keeps retrying */
	/* direct I/O, as mkfs.stria formats an OST by default */
	id.flags = PROTO_TARGET_F_ODIRECT;
	if (proto_target_id_store(ost, &id) < 0)
		die("cannot write the OST identity");
	snprintf(portstr, sizeof(portstr), "%u", port);
	oss_pid = fork();
	if (oss_pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2);
		execl(oss_bin, oss_bin, "--listen", "127.0.0.5@tcp", "--port", portstr, ost,
		      (char *)NULL);
		_exit(127);
	}
}

static struct net_client *connect_as(uint32_t role)
{
	struct net_client_cfg cfg = {.name = "bench-ost",
				     .fsname = "bench",
				     .nnids = 1,
				     .port = port,
				     .role = role,
				     .max_inflight = 64,
				     .reconnect_max_ms = 100};
	struct net_client *c;

	cfg.nids[0] = (struct proto_nid){.lnd = PROTO_LND_TCP, .addr = "127.0.0.5"};
	net_uuid_generate(cfg.uuid);
	if (net_client_new(loop, &cfg, &c))
		die("cannot create a client");
	return c;
}

static void precreate(void)
{
	struct proto_ost_precreate_req m = {.ost_idx = 0, .first_id = 1, .count = 8};
	struct net_req *r = net_req_new(PROTO_OP_OST_PRECREATE, NULL);

	proto_ost_precreate_req_enc(net_req_body(r), &m);
	net_req_set_give_up(r, 10000);
	if (net_call(mdscl, r) != 0)
		die("precreate failed (did stria-oss start?)");
	net_req_free(r);
}

/* A port free on every address, chosen by the kernel. */
static uint16_t pick_port(void)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t p;

	if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof(in)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&in, &len) < 0)
		die("cannot find a free port");
	p = ntohs(in.sin_port);
	close(fd);
	return p;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

struct phase {
	const char *name;
	uint16_t op;
	uint64_t obj;
	uint32_t bs;
	int qd;
	bool random;
	const char *fio_rw;
	const char *unit;
};

static const struct phase phases[] = {
    {"write_1m_qd1", PROTO_OP_OST_WRITE, 1, MIB, 1, false, "write", "MiB/s"},
    {"write_1m_qd16", PROTO_OP_OST_WRITE, 2, MIB, 16, false, "write", "MiB/s"},
    {"read_1m_qd1", PROTO_OP_OST_READ, 1, MIB, 1, false, "read", "MiB/s"},
    {"read_1m_qd16", PROTO_OP_OST_READ, 2, MIB, 16, false, "read", "MiB/s"},
    {"randwrite_4k_qd1", PROTO_OP_OST_WRITE, 3, 4096, 1, true, "randwrite", "IOPS"},
    {"randwrite_4k_qd16", PROTO_OP_OST_WRITE, 3, 4096, 16, true, "randwrite", "IOPS"},
    {"randread_4k_qd1", PROTO_OP_OST_READ, 3, 4096, 1, true, "randread", "IOPS"},
    {"randread_4k_qd16", PROTO_OP_OST_READ, 3, 4096, 16, true, "randread", "IOPS"},
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"oss", required_argument, NULL, 'o'},
					     {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "d:s:t:r:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			bench_dir = optarg;
			break;
		case 's':
			size_mib = (unsigned)atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'o':
			snprintf(oss_bin, sizeof(oss_bin), "%s", optarg);
			break;
		default:
			fprintf(stderr, "usage: stria-oss-bench [-d DIR] [-s MIB] [-t SECONDS] "
					"[-r ROUNDS] [--oss PATH]\n");
			return 2;
		}
	}
	if (size_mib < 8 || rounds < 1 || rounds > MAX_ROUNDS || secs <= 0)
		die("bad -s, -r or -t");
	if (!oss_bin[0]) {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n <= 0)
			die("cannot find stria-oss: give --oss");
		self[n] = '\0';
		snprintf(oss_bin, sizeof(oss_bin), "%s/../../oss/stria-oss", dirname(self));
	}
	net_log_init("stria-oss-bench", NET_LOG_ERR);
	snprintf(workdir, sizeof(workdir), "%s/stria-oss-bench.XXXXXX", bench_dir);
	if (!mkdtemp(workdir))
		die("cannot create the work directory");
	port = pick_port();
	start_oss();
	if (net_loop_new(&loop) || net_loop_start(loop, "bench"))
		die("cannot start the event loop");
	mdscl = connect_as(PROTO_ROLE_MDS);
	cl = connect_as(PROTO_ROLE_CLIENT);
	precreate();
	/* Lay out the random-I/O object and fio's file, as fio lays out its own. */
	{
		unsigned keep = size_mib;

		size_mib = RAND_REGION / MIB;
		stria_phase(PROTO_OP_OST_WRITE, 3, MIB, 16, false);
		fio_phase("write", MIB, 16, false);
		size_mib = keep;
	}

	printf("# stria-oss-bench: %u MiB sequential, %.1f s random, %d round(s), dir %s\n",
	       size_mib, secs, rounds, bench_dir);
	for (size_t p = 0; p < sizeof(phases) / sizeof(phases[0]); p++) {
		const struct phase *ph = &phases[p];
		double s[MAX_ROUNDS], f[MAX_ROUNDS], r[MAX_ROUNDS];

		for (int i = 0; i < rounds; i++) {
			s[i] = stria_phase(ph->op, ph->obj, ph->bs, ph->qd, ph->random);
			f[i] = fio_phase(ph->fio_rw, ph->bs, ph->qd, ph->random);
			r[i] = s[i] / f[i];
		}
		printf("BENCH stria_%s %.0f %s\n", ph->name, median(s, rounds), ph->unit);
		printf("BENCH fio_%s_%s %.0f %s\n", ph->qd > 1 ? "io_uring" : "psync", ph->name,
		       median(f, rounds), ph->unit);
		printf("RATIO %s %.2f\n", ph->name, median(r, rounds));
		fflush(stdout);
	}
	if (!can_drop)
		printf("# caches could not be dropped (not root): read phases measured warm\n");

	net_client_free(cl);
	net_client_free(mdscl);
	net_loop_stop(loop);
	net_loop_free(loop);
	kill(oss_pid, SIGTERM);
	waitpid(oss_pid, NULL, 0);
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
		if (system(cmd) != 0)
			fprintf(stderr, "stria-oss-bench: could not remove %s\n", workdir);
	}
	return 0;
}
