/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power loss of the MDT: the MDT lives on ext4 in a loop image.  A writer
 * process creates files and appends each acknowledged create (name and FID)
 * to a log that it fsyncs before the next request.  At a crash point the MDS
 * dies and the backing image is copied at once — what a power cut would leave
 * on the disk: only what reached the device.  The copy is mounted (ext4
 * replays its journal), `stria-mds --check` must find nothing wrong on it, and
 * every acknowledged create must be in it with its FID.
 *
 * Two crashes: a kill -9 from outside while creates stream, then the
 * crash_after_commit failure point on a create (the MDS restarted on the
 * original image in between).  Needs root for loop mounts (exit 77 without).
 *
 * `mds_powerloss writer PORT PREFIX LOG` is the writer (this program again).
 */
#include "t_mdsd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mds/mds.h"

static struct t_mdsd d;
static char img[128], copy_img[128], acklog[128];
static char mnt[80], copy_mnt[80]; /* short: the MDT path is d.dir (96 bytes) */
static pid_t writer_pid;
static struct t_cli admin;

/* ---- the writer --------------------------------------------------------- */

static int writer(const char *port, const char *prefix, const char *log)
{
	struct proto_fid root = proto_fid_root();
	struct proto_mds_open_rep *rep = malloc(sizeof(*rep));
	struct proto_attr dir;
	struct t_cli c;
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

	net_log_init("writer", NET_LOG_ERR);
	CHECK(fd >= 0 && rep);
	t_cli_new(&c, (uint16_t)atoi(port), PROTO_ROLE_CLIENT, 5000);
	CHECK_RC(t_lookup(&c, &t_root, &root, "d", &dir), 0);
	for (int i = 0;; i++) {
		char name[64], line[160];
		int rc, n;

		snprintf(name, sizeof(name), "%s_%d", prefix, i);
		rc = t_create(&c, &t_root, &dir.fid, name, 0644, PROTO_CREATE_F_EXCL, 0, NULL, rep);
		if (rc == -ENOSPC) /* no OST object yet after a restart: not created */
			continue;
		CHECK_RC(rc, 0);
		n = snprintf(line, sizeof(line), "%s %llx %x %x\n", name,
			     (unsigned long long)rep->attr.fid.seq, rep->attr.fid.oid,
			     rep->attr.fid.ver);
		CHECK(write(fd, line, (size_t)n) == n);
		CHECK(fsync(fd) == 0);
	}
	return 0;
}

static void writer_start(const char *prefix)
{
	char port[16];

	snprintf(port, sizeof(port), "%u", d.port);
	writer_pid = fork();
	CHECK(writer_pid >= 0);
	if (writer_pid == 0) {
		execl("/proc/self/exe", "mds_powerloss", "writer", port, prefix, acklog,
		      (char *)NULL);
		_exit(127);
	}
}

static void writer_kill(void)
{
	if (writer_pid > 0) {
		kill(writer_pid, SIGKILL);
		waitpid(writer_pid, NULL, 0);
		writer_pid = 0;
	}
}

/* ---- the loop file system ---------------------------------------------- */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* At exit, also after a failed CHECK: nothing may stay mounted. */
static void unmount_all(void)
{
	writer_kill();
	if (d.pid > 0)
		t_mdsd_stop(&d, SIGKILL);
	sh("umount '%s' 2>/dev/null", copy_mnt);
	sh("umount '%s' 2>/dev/null", mnt);
}

static void skip(const char *why)
{
	fprintf(stderr, "SKIP: %s\n", why);
	unmount_all();
	t_mdsd_cleanup(&d);
	exit(77);
}

/* Formats an MDT in @dir (identity + database), as mkfs.stria --mdt does. */
static void format_mdt(const char *dir)
{
	struct proto_target_id id;
	char db[160];

	CHECK(mkdir(dir, 0700) == 0);
	CHECK(proto_target_id_init(&id, PROTO_TARGET_MDT, 0, T_FSNAME) == 0);
	CHECK(net_uuid_generate(id.uuid) == 0);
	id.ctime = (uint64_t)time(NULL);
	CHECK(proto_target_id_store(dir, &id) == 0);
	snprintf(db, sizeof(db), "%s/db", dir);
	CHECK(mds_db_format(db) == 0);
}

/* ---- crash, copy, verify ------------------------------------------------ */

static int log_lines(void)
{
	char line[160];
	FILE *f = fopen(acklog, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/* Waits until the writer has @n more acknowledged creates than @base. */
static void wait_acks(int base, int n)
{
	for (int i = 0; i < 3000 && log_lines() < base + n; i++) {
		int st;

		CHECK(waitpid(writer_pid, &st, WNOHANG) == 0); /* the writer must not die */
		usleep(10000);
	}
	CHECK(log_lines() >= base + n);
}

/* The disk as the power cut left it: copied right after the MDS died. */
static void copy_image(void)
{
	CHECK(sh("cp --sparse=always '%s' '%s'", img, copy_img) == 0);
	writer_kill();
}

/* Checks the copy: the checker is clean and every acknowledged create is there. */
static void verify_copy(const char *round)
{
	struct proto_fid root = proto_fid_root();
	struct t_mdsd c = d;
	struct mds_db *db;
	struct proto_attr dir, a;
	char db_path[192], line[160];
	int acked = 0;
	FILE *f;

	CHECK(sh("mount -o loop '%s' '%s'", copy_img, copy_mnt) == 0);
	snprintf(c.dir, sizeof(c.dir), "%s/mdt", copy_mnt);
	CHECK_RC(t_mdsd_check(&c), 0);
	snprintf(db_path, sizeof(db_path), "%s/db", c.dir);
	CHECK_RC(mds_db_open(db_path, NULL, &db), 0);
	CHECK_RC(mds_lookup(db, &t_root, &root, t_s("d"), &dir), 0);
	f = fopen(acklog, "r");
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long long seq;
		unsigned oid, ver;
		int rc;

		CHECK(sscanf(line, "%63s %llx %x %x", name, &seq, &oid, &ver) == 4);
		rc = mds_lookup(db, &t_root, &dir.fid, t_s(name), &a);
		if (rc != 0) {
			fprintf(stderr, "FAIL %s: acknowledged create of %s lost (%s)\n", round,
				name, strerror(-rc));
			exit(1);
		}
		CHECK(a.fid.seq == seq && a.fid.oid == oid && a.fid.ver == ver);
		acked++;
	}
	fclose(f);
	mds_db_close(db);
	CHECK(sh("umount '%s'", copy_mnt) == 0);
	CHECK(unlink(copy_img) == 0);
	printf("%s: %d acknowledged creates all present on the copied image\n", round, acked);
}

static bool ost_active(void *arg)
{
	struct proto_mds_statfs_rep s;

	return t_statfs(&admin, &s) == 0 && s.ost_active == 1;
}

int main(int argc, char **argv)
{
	struct proto_fid root = proto_fid_root();
	struct t_oss *oss;
	uint8_t ost_uuid[16];
	uint16_t oss_port;
	char spec[96];
	int st, base;

	if (argc == 5 && strcmp(argv[1], "writer") == 0)
		return writer(argv[2], argv[3], argv[4]);
	unsigned seed = getenv("STRIA_SEED") ? (unsigned)atoi(getenv("STRIA_SEED"))
					     : (unsigned)time(NULL) ^ (unsigned)getpid();

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("mds_powerloss: seed %u\n", seed);
	srandom(seed);
	t_mdsd_format(&d);
	if (geteuid() != 0)
		skip("needs root for loop mounts");
	if (sh("command -v mkfs.ext4 >/dev/null") != 0)
		skip("mkfs.ext4 missing");
	snprintf(img, sizeof(img), "%s/mdt.img", d.base);
	snprintf(mnt, sizeof(mnt), "%s/mnt", d.base);
	snprintf(copy_img, sizeof(copy_img), "%s/copy.img", d.base);
	snprintf(copy_mnt, sizeof(copy_mnt), "%s/copymnt", d.base);
	snprintf(acklog, sizeof(acklog), "%s/acked", d.base);
	CHECK(mkdir(mnt, 0700) == 0 && mkdir(copy_mnt, 0700) == 0);
	CHECK(sh("truncate -s 512M '%s' && mkfs.ext4 -q -F '%s'", img, img) == 0);
	if (sh("mount -o loop '%s' '%s'", img, mnt) != 0)
		skip("cannot loop-mount an ext4 image here");
	atexit(unmount_all);
	snprintf(d.dir, sizeof(d.dir), "%s/mdt", mnt);
	format_mdt(d.dir);

	oss_port = t_free_port();
	t_mdsd_arg(&d, "--recovery-window");
	t_mdsd_arg(&d, "1");
	t_mdsd_start(&d);
	oss = t_oss_start(oss_port, 0, 1);
	t_cli_new(&admin, d.port, PROTO_ROLE_CLIENT, 5000);
	CHECK(net_uuid_generate(ost_uuid) == 0);
	CHECK_RC(t_register(&admin, T_FSNAME, 0, ost_uuid, oss_port, NULL), 0);
	CHECK(t_wait(ost_active, NULL, 10000));
	CHECK_RC(t_mkdir(&admin, &t_root, &root, "d", 0755, NULL), 0);

	/* 1: kill -9 while creates stream, after a random number of them. */
	writer_start("a");
	wait_acks(0, 50 + (int)(random() % 150));
	st = t_mdsd_stop(&d, SIGKILL);
	copy_image();
	CHECK(WIFSIGNALED(st));
	verify_copy("kill -9");

	/* 2: the crash_after_commit point on a create: durable, never answered. */
	base = log_lines();
	snprintf(spec, sizeof(spec), "crash_after_commit,mode=skip,count=%ld,op=MDS_CREATE",
		 20 + random() % 80);
	t_mdsd_arg(&d, "--fail");
	t_mdsd_arg(&d, spec);
	t_mdsd_start(&d);
	CHECK(t_wait(ost_active, NULL, 10000));
	writer_start("b");
	wait_acks(base, 1);
	st = t_mdsd_wait(&d);
	copy_image();
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9);
	CHECK(log_lines() > base);
	verify_copy("crash_after_commit");

	t_cli_free(&admin);
	t_oss_stop(oss);
	unmount_all();
	t_mdsd_cleanup(&d);
	printf("mds_powerloss: ok\n");
	return 0;
}
