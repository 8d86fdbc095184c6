/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria-rpc-bench: the RPC layer against raw TCP, side by side in one run.
 *
 *   raw_pingpong      one 64-byte message each way per round trip, plain sockets
 *   raw_stream        1 MiB writes on a plain socket, the reader discards
 *   rpc_null_qd1      PING, one in flight
 *   rpc_null_pipe     PING, 64 in flight
 *   rpc_bulk_write    OST_WRITE with 1 MiB bulk (checksummed), 8 in flight
 *   rpc_bulk_read     OST_READ returning 1 MiB bulk (checksummed), 8 in flight
 *
 * Prints "BENCH name value unit" and "RATIO name value" lines.  Each ratio
 * alternates baseline and candidate in nine short rounds (-t SECONDS in all
 * per side, default 2) and reports the median per-round ratio: the machine
 * may be shared and noisy, and this way a burst of load hits both sides.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"

#define MIB	 (1024u * 1024u)
#define PING_LEN 64

static double duration_s = 2.0;
static uint8_t *bulk_buf;

static double now_s(void)
{
	return (double)net_now_ms() / 1000.0;
}

static uint16_t free_port(void)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port;

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&in, sizeof(in)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&in, &len) < 0) {
		perror("bind");
		exit(1);
	}
	port = ntohs(in.sin_port);
	close(fd);
	return port;
}

/* ---- raw TCP baselines ---- */

struct raw_srv {
	int lfd;
	int mode; /* 0: echo PING_LEN messages, 1: discard */
};

static int full_io(int fd, void *buf, size_t len, int wr)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = wr ? write(fd, (uint8_t *)buf + done, len - done)
			       : read(fd, (uint8_t *)buf + done, len - done);

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static void *raw_server(void *arg)
{
	struct raw_srv *s = arg;
	int fd = accept(s->lfd, NULL, NULL), one = 1;
	uint8_t *buf = malloc(MIB);

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (s->mode == 0) {
		while (full_io(fd, buf, PING_LEN, 0) == 0 && full_io(fd, buf, PING_LEN, 1) == 0)
			;
	} else {
		while (read(fd, buf, MIB) > 0)
			;
	}
	free(buf);
	close(fd);
	return NULL;
}

static int raw_setup(struct raw_srv *s, int mode, pthread_t *th)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	int fd, one = 1;

	s->mode = mode;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in.sin_port = htons(free_port());
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->lfd, (struct sockaddr *)&in, sizeof(in)) < 0 || listen(s->lfd, 1) < 0)
		return -1;
	pthread_create(th, NULL, raw_server, s);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&in, sizeof(in)) < 0)
		return -1;
	return fd;
}

struct raw_conn {
	struct raw_srv srv;
	pthread_t th;
	int fd;
};

static void raw_open(struct raw_conn *rc, int mode)
{
	rc->fd = raw_setup(&rc->srv, mode, &rc->th);
	if (rc->fd < 0) {
		fprintf(stderr, "rpc-bench: raw socket setup failed\n");
		exit(1);
	}
}

static void raw_close(struct raw_conn *rc)
{
	close(rc->fd);
	pthread_join(rc->th, NULL);
	close(rc->srv.lfd);
}

/* Round trips per second over @secs. */
static double raw_pingpong(struct raw_conn *rc, double secs)
{
	uint8_t buf[PING_LEN] = {0};
	double t0 = now_s(), t;
	uint64_t n = 0;

	do {
		for (int i = 0; i < 50; i++) {
			full_io(rc->fd, buf, PING_LEN, 1);
			full_io(rc->fd, buf, PING_LEN, 0);
		}
		n += 50;
		t = now_s();
	} while (t - t0 < secs);
	return (double)n / (t - t0);
}

/* MiB per second over @secs. */
static double raw_stream(struct raw_conn *rc, double secs)
{
	double t0 = now_s(), t;
	uint64_t bytes = 0;

	do {
		for (int i = 0; i < 8; i++)
			full_io(rc->fd, bulk_buf, MIB, 1);
		bytes += 8ull * MIB;
		t = now_s();
	} while (t - t0 < secs);
	return (double)bytes / MIB / (t - t0);
}

/* ---- RPC ---- */

static void h_write(struct net_srv_req *r, void *arg)
{
	uint32_t len;

	(void)net_srv_req_bulk(r, &len);
	proto_put_u32(net_srv_reply_body(r), len);
	net_srv_reply(r, 0);
}

static void noop_release(void *arg)
{
}

static void h_read_wrap(struct net_srv_req *r, void *arg)
{
	struct iovec iov = {bulk_buf, MIB};

	net_srv_reply_bulk(r, &iov, 1, noop_release, NULL);
	net_srv_reply(r, 0);
}

struct pipe_state {
	struct net_client *cl;
	uint16_t op;
	atomic_ullong done;
	atomic_int inflight;
	atomic_bool stop;
	atomic_int errors;
	uint8_t *rbufs[8];
};

static struct net_req *make_req(struct pipe_state *ps, int slot)
{
	struct net_req *r = net_req_new(ps->op, NULL);

	if (ps->op == PROTO_OP_PING) {
		struct proto_ping p = {.cookie = 1};

		proto_ping_enc(net_req_body(r), &p);
	} else if (ps->op == PROTO_OP_OST_WRITE) {
		struct iovec iov = {bulk_buf, MIB};

		net_req_set_bulk_out(r, &iov, 1);
	} else {
		net_req_set_bulk_in(r, ps->rbufs[slot], MIB);
	}
	return r;
}

struct slot_arg {
	struct pipe_state *ps;
	int slot;
};

static void pipe_cb2(struct net_req *r, int status, void *arg)
{
	struct slot_arg *sa = arg;
	struct pipe_state *ps = sa->ps;

	if (status)
		atomic_fetch_add(&ps->errors, 1);
	net_req_free(r);
	atomic_fetch_add(&ps->done, 1);
	if (atomic_load(&ps->stop)) {
		atomic_fetch_sub(&ps->inflight, 1);
		return;
	}
	net_req_send(ps->cl, make_req(ps, sa->slot), pipe_cb2, sa);
}

static double rpc_pipelined(struct net_client *cl, uint16_t op, int depth, double secs)
{
	struct pipe_state ps = {.cl = cl, .op = op};
	struct slot_arg sa[64];
	double t0, t;
	uint64_t n0;

	for (int i = 0; i < 8; i++)
		ps.rbufs[i] = malloc(MIB);
	atomic_store(&ps.inflight, depth);
	t0 = now_s();
	for (int i = 0; i < depth; i++) {
		sa[i] = (struct slot_arg){&ps, i % 8};
		net_req_send(cl, make_req(&ps, i % 8), pipe_cb2, &sa[i]);
	}
	/* skip the ramp-up */
	usleep(20 * 1000);
	n0 = atomic_load(&ps.done);
	t0 = now_s();
	do {
		usleep(5 * 1000);
		t = now_s();
	} while (t - t0 < secs);
	t = now_s();
	n0 = atomic_load(&ps.done) - n0;
	atomic_store(&ps.stop, true);
	while (atomic_load(&ps.inflight) > 0)
		usleep(1000);
	for (int i = 0; i < 8; i++)
		free(ps.rbufs[i]);
	if (atomic_load(&ps.errors)) {
		fprintf(stderr, "rpc-bench: %d errors\n", atomic_load(&ps.errors));
		exit(1);
	}
	return (double)n0 / (t - t0);
}

static double rpc_qd1(struct net_client *cl, double secs)
{
	double t0 = now_s(), t;
	uint64_t n = 0;

	do {
		for (int i = 0; i < 100; i++) {
			struct net_req *r = net_req_new(PROTO_OP_PING, NULL);
			struct proto_ping p = {.cookie = 1};

			proto_ping_enc(net_req_body(r), &p);
			if (net_call(cl, r) != 0) {
				fprintf(stderr, "rpc-bench: ping failed\n");
				exit(1);
			}
			net_req_free(r);
		}
		n += 100;
		t = now_s();
	} while (t - t0 < secs);
	return (double)n / (t - t0);
}

/* ---- side-by-side rounds ---- */

#define ROUNDS 9

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

enum metric { M_PINGPONG, M_STREAM, M_QD1, M_PIPE, M_WRITE, M_READ };

struct ctx {
	struct raw_conn pp, st;
	struct net_client *cl;
};

static double measure(struct ctx *c, enum metric m, double secs)
{
	switch (m) {
	case M_PINGPONG:
		return raw_pingpong(&c->pp, secs);
	case M_STREAM:
		return raw_stream(&c->st, secs);
	case M_QD1:
		return rpc_qd1(c->cl, secs);
	case M_PIPE:
		return rpc_pipelined(c->cl, PROTO_OP_PING, 64, secs);
	case M_WRITE:
		return rpc_pipelined(c->cl, PROTO_OP_OST_WRITE, 8, secs);
	default:
		return rpc_pipelined(c->cl, PROTO_OP_OST_READ, 8, secs);
	}
}

/*
 * Alternates baseline and candidate in ROUNDS short rounds and returns the
 * median of the per-round ratios, so that a burst of load from another
 * tenant hits both sides of a ratio alike.  The medians of the two rates go
 * to *base_rate and *cand_rate.
 */
static double side_by_side(struct ctx *c, enum metric base, enum metric cand, double *base_rate,
			   double *cand_rate)
{
	double b[ROUNDS], k[ROUNDS], r[ROUNDS], secs = duration_s / ROUNDS;

	for (int i = 0; i < ROUNDS; i++) {
		b[i] = measure(c, base, secs);
		k[i] = measure(c, cand, secs);
		r[i] = k[i] / b[i];
	}
	*base_rate = median(b, ROUNDS);
	*cand_rate = median(k, ROUNDS);
	return median(r, ROUNDS);
}

int main(int argc, char **argv)
{
	struct net_handler handlers[PROTO_OP_LIMIT] = {
	    [PROTO_OP_OST_WRITE] = {h_write, 0},
	    [PROTO_OP_OST_READ] = {h_read_wrap, 0},
	};
	struct net_server_cfg scfg = {.name = "bench", .fsname = "bench", .handlers = handlers};
	struct net_client_cfg ccfg = {.name = "bench",
				      .fsname = "bench",
				      .nnids = 1,
				      .role = PROTO_ROLE_CLIENT,
				      .max_inflight = 64};
	struct proto_nid nid = {.lnd = PROTO_LND_TCP, .addr = "127.0.0.1"};
	double pp, pp2, stream, stream2, qd1, pipe, bw, br, r_qd1, r_pipe, r_w, r_r;
	struct ctx c;
	struct net_server *srv;
	struct net_loop *loop;
	struct net_client *cl;
	uint16_t port;
	int opt;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt == 't') {
			duration_s = atof(optarg);
		} else {
			fprintf(stderr, "usage: stria-rpc-bench [-t SECONDS]\n");
			return 2;
		}
	}
	if (duration_s <= 0)
		duration_s = 2;
	net_log_init("stria-rpc-bench", NET_LOG_WARN);
	bulk_buf = malloc(MIB);
	for (uint32_t i = 0; i < MIB; i++)
		bulk_buf[i] = (uint8_t)(i * 7);

	raw_open(&c.pp, 0);
	raw_open(&c.st, 1);
	port = free_port();
	if (net_server_new(&scfg, &srv) || net_server_listen(srv, &nid, port) ||
	    net_server_start(srv)) {
		fprintf(stderr, "rpc-bench: cannot start the server\n");
		return 1;
	}
	ccfg.nids[0] = nid;
	ccfg.port = port;
	net_uuid_generate(ccfg.uuid);
	if (net_loop_new(&loop) || net_loop_start(loop, "bench-client") ||
	    net_client_new(loop, &ccfg, &cl)) {
		fprintf(stderr, "rpc-bench: cannot start the client\n");
		return 1;
	}
	c.cl = cl;
	r_qd1 = side_by_side(&c, M_PINGPONG, M_QD1, &pp, &qd1);
	r_pipe = side_by_side(&c, M_PINGPONG, M_PIPE, &pp2, &pipe);
	r_w = side_by_side(&c, M_STREAM, M_WRITE, &stream, &bw);
	r_r = side_by_side(&c, M_STREAM, M_READ, &stream2, &br);

	printf("BENCH raw_pingpong %.0f rt/s\n", pp);
	printf("BENCH raw_stream_1m %.0f MiB/s\n", stream);
	printf("BENCH rpc_null_qd1 %.0f rpc/s\n", qd1);
	printf("BENCH rpc_null_pipelined %.0f rpc/s\n", pipe);
	printf("BENCH rpc_bulk_write_1m %.0f MiB/s\n", bw);
	printf("BENCH rpc_bulk_read_1m %.0f MiB/s\n", br);
	printf("RATIO null_qd1_vs_raw_pingpong %.2f\n", r_qd1);
	printf("RATIO null_pipelined_vs_raw_pingpong %.2f\n", r_pipe);
	printf("RATIO bulk_write_vs_raw_stream %.2f\n", r_w);
	printf("RATIO bulk_read_vs_raw_stream %.2f\n", r_r);
	printf("RATIO bulk %.2f\n", r_w < r_r ? r_w : r_r);

	net_client_free(cl);
	net_loop_stop(loop);
	net_loop_free(loop);
	net_server_free(srv);
	raw_close(&c.pp);
	raw_close(&c.st);
	free(bulk_buf);
	return 0;
}
