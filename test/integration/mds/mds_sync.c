/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A reply waits for a WAL sync only when its operation changed something:
 * failed operations and a close without a size report stage nothing but
 * their reply record and are answered without a sync of their own, while
 * every successful change still is synced before its reply (and survives
 * kill -9).  Counted from the daemon's shutdown line
 * "N batches committed in M WAL syncs".
 */
#include "t_mdsd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads the last "N batches committed in M WAL syncs" line of the log. */
static void read_counts(const struct t_mdsd *d, unsigned long long *batches,
			unsigned long long *syncs)
{
	char line[1024];
	FILE *f = fopen(d->log, "r");
	const char *p;
	bool found = false;

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "-MDT0000: ");
		if (p &&
		    sscanf(p + 10, "%llu batches committed in %llu WAL syncs", batches, syncs) == 2)
			found = true;
	}
	fclose(f);
	CHECK(found);
}

int main(void)
{
	enum { N = 200 };
	struct proto_fid root = proto_fid_root();
	unsigned long long batches, syncs;
	struct proto_attr dir, sub;
	struct t_cli cli;
	struct t_mdsd d;
	char name[32];
	int st;

	t_mdsd_format(&d);
	/*
	 * Each restart waits for the clients of the last run (each test client
	 * has a uuid of its own): a short window, so the next client's first
	 * change is not held for the default one.
	 */
	t_mdsd_arg(&d, "--recovery-window");
	t_mdsd_arg(&d, "1");
	t_mdsd_start(&d);
	t_cli_new(&cli, d.port, PROTO_ROLE_CLIENT, 5000);
	CHECK_RC(t_mkdir(&cli, &t_root, &root, "d", 0777, &dir), 0);

	/* N failing operations, one at a time: each is a batch of its own. */
	for (int i = 0; i < N; i++) {
		CHECK_RC(t_mkdir(&cli, &t_root, &root, "d", 0777, NULL), -EEXIST);
		CHECK_RC(t_rmdir(&cli, &t_root, &dir.fid, "nothing"), -ENOENT);
	}
	t_cli_free(&cli);
	st = t_mdsd_stop(&d, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	read_counts(&d, &batches, &syncs);
	printf("failed operations: %llu batches, %llu WAL syncs\n", batches, syncs);
	CHECK(batches >= 2 * N);
	/* The mkdir and what start-up and shutdown commit; not one per failure. */
	CHECK(syncs < N / 10);

	/* Successful changes are each synced before their reply: kill -9 keeps them. */
	t_mdsd_start(&d);
	t_cli_new(&cli, d.port, PROTO_ROLE_CLIENT, 5000);
	for (int i = 0; i < N / 10; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		CHECK_RC(t_mkdir(&cli, &t_root, &dir.fid, name, 0755, NULL), 0);
	}
	t_cli_free(&cli);
	st = t_mdsd_stop(&d, SIGKILL);
	CHECK(WIFSIGNALED(st));
	t_mdsd_start(&d);
	t_cli_new(&cli, d.port, PROTO_ROLE_CLIENT, 5000);
	for (int i = 0; i < N / 10; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		CHECK_RC(t_lookup(&cli, &t_root, &dir.fid, name, &sub), 0);
	}
	t_cli_free(&cli);
	st = t_mdsd_stop(&d, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_RC(t_mdsd_check(&d), 0);
	t_mdsd_cleanup(&d);
	printf("mds_sync: ok\n");
	return 0;
}
