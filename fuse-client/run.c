/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fc_run: one mount from start to unmount.  The process daemonizes before
 * any thread exists; the child reports through a pipe whether the mount
 * came up, so `mount -t stria` fails with a message when it did not.
 */
#include "fc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

extern const struct fuse_lowlevel_ops fc_ops;

/* Forks; the parent waits for the child's verdict and exits with it. */
static int daemonize(int *notify)
{
	int p[2];
	pid_t pid;
	char c = 1;

	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			c = 1;
		_exit(c);
	}
	close(p[0]);
	setsid();
	if (chdir("/")) {
		/* not fatal */
	}
	*notify = p[1];
	return 0;
}

static void notify_parent(int *fd, char status)
{
	int null;

	if (*fd < 0)
		return;
	if (write(*fd, &status, 1) != 1) {
		/* the parent is gone */
	}
	close(*fd);
	*fd = -1;
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (getenv("STRIA_FUSE_LOG") == NULL)
			dup2(null, 2);
		if (null > 2)
			close(null);
	}
}

/* Raises the kernel's readahead on the mount's bdi (FUSE caps it at 128 KiB). */
static void *readahead_thread(void *arg)
{
	struct fc_fs *fs = arg;
	struct stat st;
	char path[128];
	FILE *f;

	if (stat(fs->mountpoint, &st) != 0)
		return NULL;
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb", major(st.st_dev),
		 minor(st.st_dev));
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%u\n", fs->opts.readahead / 1024);
		fclose(f);
	}
	return NULL;
}

static int fs_setup(struct fc_fs *fs, const char *source)
{
	int rc;

	rc = proto_mount_source_parse(source, &fs->src);
	if (rc) {
		fprintf(stderr, "stria-fuse: bad source '%s' (want nid[:nid...]:/fsname)\n",
			source);
		return rc;
	}
	if (fs->opts.key[0]) {
		rc = net_key_load(fs->opts.key, &fs->key);
		if (rc) {
			fprintf(stderr, "stria-fuse: key %s: %s\n", fs->opts.key, strerror(-rc));
			return rc;
		}
	}
	rc = net_uuid_generate(fs->uuid);
	if (rc == 0)
		rc = fc_nodes_new(&fs->nodes);
	if (rc == 0)
		rc = fc_dirnegs_new(&fs->dirnegs);
	if (rc == 0)
		rc = net_loop_new(&fs->loop);
	if (rc == 0)
		rc = net_loop_start(fs->loop, "fc-net");
	if (rc == 0)
		rc = fc_mdc_start(fs);
	if (rc == 0) {
		rc = fc_targets_load(fs);
		if (rc)
			fprintf(stderr, "stria-fuse: fetching the target table from %s: %s\n",
				source, strerror(-rc));
	}
	return rc;
}

static void fs_teardown(struct fc_fs *fs)
{
	fc_targets_free(fs);
	if (fs->mds)
		net_client_free(fs->mds);
	if (fs->loop) {
		net_loop_stop(fs->loop);
		net_loop_free(fs->loop);
	}
	fc_nodes_free(fs->nodes);
	fc_dirnegs_free(fs->dirnegs);
	net_key_free(fs->key);
}

int fc_run(const char *source, const char *mountpoint, const struct fc_opts *o, bool foreground)
{
	struct fc_fs *fs = calloc(1, sizeof(*fs));
	struct fuse_lowlevel_ops ops = fc_ops;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *cfg = NULL;
	char kopts[2048];
	int notify = -1, rc = 1;
	pthread_t ra;
	bool ra_started = false;

	if (!fs)
		return 1;
	fs->opts = *o;
	pthread_mutex_init(&fs->files_mu, NULL);
	pthread_mutex_init(&fs->retain_mu, NULL);
	if (!realpath(mountpoint, fs->mountpoint)) {
		fprintf(stderr, "stria-fuse: mount point %s: %s\n", mountpoint, strerror(errno));
		goto out;
	}
	if (o->lock == FC_LOCK_FLOCK) {
		fprintf(stderr, "stria-fuse: -o flock (cluster-wide locks) is not supported yet; "
				"use localflock (the default) or noflock\n");
		goto out;
	}
	if (!foreground && daemonize(&notify)) {
		perror("stria-fuse: fork");
		goto out;
	}
	net_log_init("stria-fuse", o->log_level);
	if (fs_setup(fs, source))
		goto out_fs;
	if (o->lock != FC_LOCK_NONE) {
		ops.getlk = NULL;
		ops.setlk = NULL;
		ops.flock = NULL;
	}
	snprintf(kopts, sizeof(kopts), "fsname=%s,subtype=stria%s%s%s%s", source,
		 (o->allow_other || geteuid() == 0) ? ",allow_other" : "",
		 geteuid() == 0 ? ",default_permissions" : "", o->ro ? ",ro" : "",
		 o->fuse_extra[0] ? "," : "");
	strncat(kopts, o->fuse_extra, sizeof(kopts) - strlen(kopts) - 1);
	if (fuse_opt_add_arg(&args, "stria-fuse") || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, kopts))
		goto out_fs;
	if (o->log_level >= 3 && fuse_opt_add_arg(&args, "-d"))
		goto out_fs;
	fs->se = fuse_session_new(&args, &ops, sizeof(ops), fs);
	if (!fs->se)
		goto out_args;
	if (fuse_set_signal_handlers(fs->se))
		goto out_se;
	if (fuse_session_mount(fs->se, fs->mountpoint)) {
		fprintf(stderr, "stria-fuse: cannot mount on %s\n", fs->mountpoint);
		goto out_sig;
	}
	NET_INFO("mounted %s on %s", source, fs->mountpoint);
	notify_parent(&notify, 0);
	ra_started = pthread_create(&ra, NULL, readahead_thread, fs) == 0;
	cfg = fuse_loop_cfg_create();
	if (!cfg)
		goto out_unmount;
	fuse_loop_cfg_set_max_threads(cfg, o->threads);
	fuse_loop_cfg_set_idle_threads(cfg, o->threads / 2 ? o->threads / 2 : 1);
	rc = fuse_session_loop_mt(fs->se, cfg);
	NET_INFO("%s: session ended (%d)", fs->mountpoint, rc);
	rc = rc ? 1 : 0;
	fuse_loop_cfg_destroy(cfg);
out_unmount:
	fuse_session_unmount(fs->se);
	/* It stats our own mount: joinable only now that a stat cannot wait on us. */
	if (ra_started)
		pthread_join(ra, NULL);
out_sig:
	fuse_remove_signal_handlers(fs->se);
out_se:
	/* RPCs still in flight complete (-ESHUTDOWN) while the session exists. */
	fc_targets_free(fs);
	if (fs->mds) {
		net_client_free(fs->mds);
		fs->mds = NULL;
	}
	fuse_session_destroy(fs->se);
out_args:
	fuse_opt_free_args(&args);
out_fs:
	fs_teardown(fs);
	notify_parent(&notify, 1);
out:
	fc_retain_free(fs);
	pthread_mutex_destroy(&fs->retain_mu);
	pthread_mutex_destroy(&fs->files_mu);
	free(fs);
	return rc;
}
