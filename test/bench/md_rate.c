/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria-md-rate: metadata operation rates on any mounted file system, so a
 * stria mount, a FUSE passthrough mount and the bare disk are measured by
 * the same program.
 *
 *   stria-md-rate [-n FILES] [-m DIRS] [-t THREADS] [-D] [-p PREFIX] DIR
 *
 * In DIR (which must exist and be empty of the names used), THREADS threads
 * released together run, one phase after the other:
 *   create   open(O_CREAT|O_EXCL|O_WRONLY) + close of FILES files in DIR
 *   stat     stat() of each of them
 *   unlink   unlink() of each of them
 *   mkdir    mkdir() of DIRS directories in DIR
 *   rmdir    rmdir() of each of them
 * Each thread takes FILES/THREADS (DIRS/THREADS) of the names.  With -D the
 * page, dentry and inode caches are dropped (sync; drop_caches, needs root)
 * before every phase, so stat and unlink ask the file system and not the
 * kernel's caches.  Prints one line per phase:
 *   BENCH PREFIX PHASE RATE ops/s        (PREFIX defaults to "md")
 * Any failing call stops it with the file's name and the reason (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

enum phase { P_CREATE, P_STAT, P_UNLINK, P_MKDIR, P_RMDIR, P_COUNT };

static const char *const phase_name[P_COUNT] = {"create", "stat", "unlink", "mkdir", "rmdir"};

static const char *dir;
static long nfiles = 20000, ndirs = -1;
static int nthreads = 1;
static int drop;
static const char *prefix = "md";

struct worker {
	pthread_t th;
	int id;
	enum phase ph;
	long first, count;
};

static pthread_barrier_t go;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *what, const char *path, int err)
{
	fprintf(stderr, "stria-md-rate: %s %s: %s\n", what, path, strerror(err));
	exit(1);
}

static void drop_caches(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		fail("open", "/proc/sys/vm/drop_caches", errno);
	if (write(fd, "3\n", 2) != 2)
		fail("write", "/proc/sys/vm/drop_caches", errno);
	close(fd);
}

/* One operation of phase @ph on name number @i; exits on failure. */
static void one(enum phase ph, long i)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%c%ld", dir, ph >= P_MKDIR ? 'd' : 'f', i);
	switch (ph) {
	case P_CREATE:
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			fail("create", path, errno);
		if (close(fd))
			fail("close", path, errno);
		break;
	case P_STAT:
		if (stat(path, &st))
			fail("stat", path, errno);
		if (!S_ISREG(st.st_mode))
			fail("stat", path, EINVAL);
		break;
	case P_UNLINK:
		if (unlink(path))
			fail("unlink", path, errno);
		break;
	case P_MKDIR:
		if (mkdir(path, 0755))
			fail("mkdir", path, errno);
		break;
	case P_RMDIR:
		if (rmdir(path))
			fail("rmdir", path, errno);
		break;
	default:
		break;
	}
}

static void *run(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(&go);
	for (long i = w->first; i < w->first + w->count; i++)
		one(w->ph, i);
	return NULL;
}

/* Runs @ph over @total names on every thread at once; returns ops/s. */
static double phase(enum phase ph, long total)
{
	struct worker w[MAX_THREADS];
	double t0;
	long per = total / nthreads, extra = total % nthreads, first = 0;

	if (drop)
		drop_caches();
	pthread_barrier_init(&go, NULL, (unsigned)nthreads + 1);
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){.id = i, .ph = ph, .first = first};
		w[i].count = per + (i < extra);
		first += w[i].count;
		if (pthread_create(&w[i].th, NULL, run, &w[i]))
			fail("pthread_create", "", EAGAIN);
	}
	pthread_barrier_wait(&go);
	t0 = now_s();
	for (int i = 0; i < nthreads; i++)
		pthread_join(w[i].th, NULL);
	pthread_barrier_destroy(&go);
	return (double)total / (now_s() - t0);
}

static void usage(void)
{
	fprintf(stderr, "usage: stria-md-rate [-n FILES] [-m DIRS] [-t THREADS] [-D] "
			"[-p PREFIX] DIR\n");
	exit(2);
}

static long number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "stria-md-rate: '%s' is not a number from %ld to %ld\n", s, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct stat st;
	int c;

	while ((c = getopt(argc, argv, "n:m:t:Dp:h")) != -1) {
		switch (c) {
		case 'n':
			nfiles = number(optarg, 1, 100000000);
			break;
		case 'm':
			ndirs = number(optarg, 1, 100000000);
			break;
		case 't':
			nthreads = (int)number(optarg, 1, MAX_THREADS);
			break;
		case 'D':
			drop = 1;
			break;
		case 'p':
			prefix = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	dir = argv[optind];
	if (stat(dir, &st))
		fail("stat", dir, errno);
	if (!S_ISDIR(st.st_mode))
		fail("use", dir, ENOTDIR);
	if (ndirs < 0)
		ndirs = nfiles;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (enum phase ph = 0; ph < P_COUNT; ph++) {
		double rate = phase(ph, ph >= P_MKDIR ? ndirs : nfiles);

		printf("BENCH %s %s %.0f ops/s\n", prefix, phase_name[ph], rate);
	}
	return 0;
}
