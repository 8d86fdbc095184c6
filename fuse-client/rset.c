/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPC sets: the RPCs that together answer one FUSE request (one MDS call,
 * or one RPC per object piece of a striped read).  They are all in flight at
 * once; the set's done callback runs on the loop thread when the last one
 * completes, and replies from there.  An interrupt of the FUSE request from
 * a process that is being killed cancels every RPC still in flight that can
 * be abandoned (net_req_cancel -> -EINTR): OST I/O and the MDS requests that
 * change nothing.
 */
#include "fc_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Whether an interrupt may abandon @req to @cl.  Not an MDS request that
 * changes the namespace or takes an open reference: the MDS may have done it,
 * and the caller (or the client's open table) would not know.  Those wait for
 * the MDS, as on Lustre.
 */
static bool abandonable(const struct fc_rset *rs, struct net_client *cl, struct net_req *req)
{
	if (cl != rs->fs->mds)
		return true;
	switch (net_req_opcode(req)) {
	case PROTO_OP_MDS_LOOKUP:
	case PROTO_OP_MDS_GETATTR:
	case PROTO_OP_MDS_READLINK:
	case PROTO_OP_MDS_READDIR:
	case PROTO_OP_MDS_SYNC:
	case PROTO_OP_MDS_GETXATTR:
	case PROTO_OP_MDS_LISTXATTR:
	case PROTO_OP_MDS_STATFS:
	case PROTO_OP_MDS_GETLAYOUT:
	case PROTO_OP_MGS_TGT_TABLE:
	case PROTO_OP_MGS_POOL_LIST:
		return true;
	default:
		return false;
	}
}

/*
 * Whether thread @tid has SIGKILL pending: a fatal signal (kill -9, or any
 * signal whose action is to terminate) leaves SIGKILL pending until the
 * thread leaves the kernel, which it cannot while FUSE waits for our answer.
 */
static bool being_killed(pid_t tid)
{
	unsigned long long pnd;
	char path[64], line[128];
	bool killed = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT; /* already gone */
	while (!killed && fgets(line, sizeof(line), f))
		if ((strncmp(line, "SigPnd:", 7) == 0 || strncmp(line, "ShdPnd:", 7) == 0) &&
		    sscanf(line + 7, "%llx", &pnd) == 1)
			killed = pnd & (1ull << (SIGKILL - 1));
	fclose(f);
	return killed;
}

/*
 * The kernel asks to interrupt a request for any signal.  Answering EINTR
 * to a handled signal would make unlink, stat or read fail with EINTR, which
 * no local file system does (and programs do not retry), so only a process
 * that is being killed gets its abandonable RPCs cancelled; any other
 * interrupt is ignored and the request completes (or times out) as usual.
 */
static void on_interrupt(fuse_req_t freq, void *arg)
{
	struct fc_rset *rs = arg;
	const struct fuse_ctx *ctx = fuse_req_ctx(freq);

	if (!ctx || !being_killed(ctx->pid))
		return;
	/* libfuse holds the request's lock: the set is alive until we unregister. */
	pthread_mutex_lock(&rs->mu);
	rs->interrupted = true;
	for (uint32_t i = 0; i < rs->n; i++)
		if (!rs->rpcs[i].done && abandonable(rs, rs->rpcs[i].cl, rs->rpcs[i].req))
			net_req_cancel(rs->rpcs[i].req);
	pthread_mutex_unlock(&rs->mu);
}

struct fc_rset *fc_rset_new(struct fc_fs *fs, fuse_req_t freq, fc_done_fn done, void *priv)
{
	struct fc_rset *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->fs = fs;
	rs->freq = freq;
	rs->done = done;
	rs->priv = priv;
	rs->pending = 1; /* until sealed */
	pthread_mutex_init(&rs->mu, NULL);
	if (freq)
		fuse_req_interrupt_func(freq, on_interrupt, rs);
	return rs;
}

static void finish(struct fc_rset *rs)
{
	if (rs->freq)
		fuse_req_interrupt_func(rs->freq, NULL, NULL);
	rs->done(rs, rs->status);
	fc_rset_dirs_done(rs, NULL); /* a done callback that did not */
	for (uint32_t i = 0; i < rs->n; i++)
		net_req_free(rs->rpcs[i].req);
	free(rs->rpcs);
	free(rs->mem);
	fc_layout_put(rs->fl);
	pthread_mutex_destroy(&rs->mu);
	free(rs);
}

/* Drops one pending count; the last one finishes the set. */
static void put(struct fc_rset *rs, int status)
{
	bool last;

	pthread_mutex_lock(&rs->mu);
	if (status && !rs->status)
		rs->status = status;
	last = --rs->pending == 0;
	pthread_mutex_unlock(&rs->mu);
	if (last)
		finish(rs);
}

static void rpc_cb(struct net_req *req, int status, void *arg)
{
	struct fc_rset *rs = arg;
	fc_rpc_fn fn = NULL;
	void *fn_arg = NULL;

	/* Copied under the lock: another thread may grow rpcs[] meanwhile. */
	pthread_mutex_lock(&rs->mu);
	for (uint32_t i = 0; i < rs->n; i++)
		if (rs->rpcs[i].req == req) {
			rs->rpcs[i].done = true;
			fn = rs->rpcs[i].fn;
			fn_arg = rs->rpcs[i].arg;
			break;
		}
	pthread_mutex_unlock(&rs->mu);
	if (rs->fs && rs->fs->mds && net_req_opcode(req) < PROTO_OP_OST_PRECREATE) {
		fc_targets_note_gen(rs->fs, net_req_rep_pre(req)->tgt_gen);
		fc_retain_note(rs->fs, net_req_rep_pre(req));
	}
	if (fn)
		status = fn(rs, req, status, fn_arg);
	put(rs, status);
}

void fc_rset_send(struct fc_rset *rs, struct net_client *cl, struct net_req *req, fc_rpc_fn fn,
		  void *arg)
{
	bool intr;

	pthread_mutex_lock(&rs->mu);
	if (rs->n == rs->cap) {
		uint32_t cap = rs->cap ? rs->cap * 2 : 4;
		struct fc_rpc *p = realloc(rs->rpcs, cap * sizeof(*p));

		if (!p) {
			if (!rs->status)
				rs->status = -ENOMEM;
			pthread_mutex_unlock(&rs->mu);
			net_req_free(req);
			return;
		}
		rs->rpcs = p;
		rs->cap = cap;
	}
	rs->rpcs[rs->n++] = (struct fc_rpc){.req = req, .cl = cl, .fn = fn, .arg = arg};
	if (net_req_opcode(req) < PROTO_OP_LIMIT)
		atomic_fetch_add_explicit(&rs->fs->rpcs[net_req_opcode(req)], 1,
					  memory_order_relaxed);
	intr = rs->interrupted && abandonable(rs, cl, req);
	if (intr) {
		rs->rpcs[rs->n - 1].done = true;
		if (!rs->status)
			rs->status = -EINTR;
	} else {
		rs->pending++;
	}
	pthread_mutex_unlock(&rs->mu);
	if (!intr)
		net_req_send(cl, req, rpc_cb, rs);
}

void fc_rset_fail(struct fc_rset *rs, int err)
{
	pthread_mutex_lock(&rs->mu);
	if (!rs->status)
		rs->status = err;
	pthread_mutex_unlock(&rs->mu);
}

void fc_rset_seal(struct fc_rset *rs)
{
	put(rs, 0);
}
