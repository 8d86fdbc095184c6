/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The o2ib transport (net/xprt_rdma.c) under the real RPC client and server,
 * on the simulated device of test/lib/rdma_sim.c: NID selection, messages, bulk by
 * RDMA READ and WRITE, bodies too large for a frame, credits under load, a
 * paused server, link failures, disconnects and corrupt frames taking the
 * reconnect-and-resend path, a missing device, and TCP and o2ib served by one
 * server.  After every test the simulator must have seen no work request real
 * hardware would have failed, and every endpoint, registration and protection
 * domain must be gone.
 */
#include "t_unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"
#include "net/xprt.h"
#include "proto/proto.h"
#include "rdma_sim.h"

#define FSNAME "testfs"

static uint16_t free_port(void)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	in.sin_addr.s_addr = htonl(INADDR_ANY);
	assert_int_equal(bind(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&in, &len), 0);
	close(fd);
	return ntohs(in.sin_port);
}

static struct proto_nid nid_of(const char *s)
{
	struct proto_nid n;

	assert_int_equal(proto_nid_parse(s, &n), 0);
	return n;
}

static void fill_pattern(uint8_t *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
}

/* ---- the test server ---- */

/* OST_WRITE {u64 delay_ms}: replies {u32 crc of the bulk, u32 its length}. */
static void h_write(struct net_srv_req *r, void *arg)
{
	struct proto_cur c, *out;
	uint64_t delay;
	uint32_t len;
	const void *bulk;

	net_srv_req_body(r, &c);
	delay = proto_get_u64(&c);
	if (proto_cur_finish(&c)) {
		net_srv_reply(r, -EPROTO);
		return;
	}
	if (delay)
		usleep((useconds_t)delay * 1000);
	bulk = net_srv_req_bulk(r, &len);
	out = net_srv_reply_body(r);
	proto_put_u32(out, bulk ? proto_crc32c(0, bulk, len) : 0);
	proto_put_u32(out, len);
	net_srv_reply(r, 0);
}

static void release_free(void *arg)
{
	free(arg);
}

/* OST_READ {u64 len, u64 seed}: replies len bytes of the seed's pattern as bulk. */
static void h_read(struct net_srv_req *r, void *arg)
{
	struct proto_cur c;
	uint64_t len, seed;
	struct iovec iov;
	uint8_t *buf;

	net_srv_req_body(r, &c);
	len = proto_get_u64(&c);
	seed = proto_get_u64(&c);
	if (proto_cur_finish(&c) || len > PROTO_BULK_MAX) {
		net_srv_reply(r, -EINVAL);
		return;
	}
	buf = malloc(len ? len : 1);
	fill_pattern(buf, len, seed);
	iov.iov_base = buf;
	iov.iov_len = len;
	net_srv_reply_bulk(r, &iov, 1, release_free, buf);
	net_srv_reply(r, 0);
}

/* MDS_SETXATTR (a large request body): replies {u32 crc of the body, u32 its length}. */
static void h_bigreq(struct net_srv_req *r, void *arg)
{
	struct proto_cur c, *out;
	size_t n;

	net_srv_req_body(r, &c);
	n = proto_cur_left(&c);
	out = net_srv_reply_body(r);
	proto_put_u32(out, proto_crc32c(0, c.buf + c.pos, n));
	proto_put_u32(out, (uint32_t)n);
	net_srv_reply(r, 0);
}

/* MDS_READDIR {u64 len, u64 seed}: replies with a body of len pattern bytes. */
static void h_bigrep(struct net_srv_req *r, void *arg)
{
	struct proto_cur c, *out;
	uint64_t len, seed;
	uint8_t *buf;

	net_srv_req_body(r, &c);
	len = proto_get_u64(&c);
	seed = proto_get_u64(&c);
	if (proto_cur_finish(&c) || len > 200 * 1024) {
		net_srv_reply(r, -EINVAL);
		return;
	}
	buf = malloc(len ? len : 1);
	fill_pattern(buf, len, seed);
	out = net_srv_reply_body(r);
	proto_put_bytes(out, buf, len);
	free(buf);
	net_srv_reply(r, 0);
}

/* OST_SYNC {u64 delay_ms}: sleeps, then replies. */
static void h_slow(struct net_srv_req *r, void *arg)
{
	struct proto_cur c;
	uint64_t delay;

	net_srv_req_body(r, &c);
	delay = proto_get_u64(&c);
	if (delay)
		usleep((useconds_t)delay * 1000);
	net_srv_reply(r, 0);
}

static struct net_handler handlers[PROTO_OP_LIMIT] = {
    [PROTO_OP_OST_WRITE] = {h_write, 0},     [PROTO_OP_OST_READ] = {h_read, 0},
    [PROTO_OP_MDS_SETXATTR] = {h_bigreq, 0}, [PROTO_OP_MDS_READDIR] = {h_bigrep, 0},
    [PROTO_OP_OST_SYNC] = {h_slow, 0},
};

static struct net_server *server_new(uint32_t max_inflight)
{
	struct net_server_cfg cfg = {.name = "rdma-srv",
				     .fsname = FSNAME,
				     .handlers = handlers,
				     .nworkers = 4,
				     .max_inflight = max_inflight};
	struct net_server *srv;

	assert_int_equal(net_server_new(&cfg, &srv), 0);
	return srv;
}

static struct net_server *server_start(uint16_t port, uint32_t max_inflight)
{
	struct net_server *srv = server_new(max_inflight);
	struct proto_nid nid = nid_of("127.0.0.1@o2ib");

	assert_int_equal(net_server_listen(srv, &nid, port), 0);
	assert_int_equal(net_server_start(srv), 0);
	return srv;
}

/* ---- clients ---- */

struct t_client {
	struct net_loop *loop;
	struct net_client *cl;
};

static void client_start(struct t_client *t, const char *nid, uint16_t port, uint32_t timeout_ms,
			 uint32_t give_up_ms)
{
	struct net_client_cfg cfg = {.name = "rdma-target",
				     .fsname = FSNAME,
				     .nnids = 1,
				     .port = port,
				     .role = PROTO_ROLE_CLIENT,
				     .timeout_ms = timeout_ms,
				     .give_up_ms = give_up_ms,
				     .reconnect_max_ms = 100};

	cfg.nids[0] = nid_of(nid);
	assert_int_equal(net_uuid_generate(cfg.uuid), 0);
	assert_int_equal(net_loop_new(&t->loop), 0);
	assert_int_equal(net_loop_start(t->loop, "t-rdma-cl"), 0);
	assert_int_equal(net_client_new(t->loop, &cfg, &t->cl), 0);
}

static void client_stop(struct t_client *t)
{
	net_client_free(t->cl);
	net_loop_stop(t->loop);
	net_loop_free(t->loop);
}

static int call_ping(struct t_client *t)
{
	struct net_req *r = net_req_new(PROTO_OP_PING, NULL);
	struct proto_ping p = {.cookie = 4242}, q = {0};
	struct proto_cur c;
	int err;

	proto_ping_enc(net_req_body(r), &p);
	err = net_call(t->cl, r);
	if (!err) {
		net_req_reply(r, &c);
		err = proto_ping_dec(&c, &q);
		if (!err && q.cookie != 4242)
			err = -EPROTO;
	}
	net_req_free(r);
	return err;
}

/* Writes @len pattern bytes (seed @seed) in two iovecs; checks the server's CRC. */
static int call_write(struct t_client *t, uint32_t len, uint64_t seed, uint64_t delay,
		      uint32_t *attempts)
{
	uint8_t *buf = malloc(len ? len : 1);
	struct net_req *r = net_req_new(PROTO_OP_OST_WRITE, NULL);
	struct iovec iov[2];
	struct proto_cur c;
	int err;

	fill_pattern(buf, len, seed);
	proto_put_u64(net_req_body(r), delay);
	iov[0] = (struct iovec){buf, len / 3};
	iov[1] = (struct iovec){buf + len / 3, len - len / 3};
	if (len)
		net_req_set_bulk_out(r, iov, 2);
	err = net_call(t->cl, r);
	if (!err) {
		net_req_reply(r, &c);
		if (proto_get_u32(&c) != (len ? proto_crc32c(0, buf, len) : 0) ||
		    proto_get_u32(&c) != len || proto_cur_finish(&c))
			err = -EBADMSG;
	}
	if (attempts)
		*attempts = net_req_attempts(r);
	net_req_free(r);
	free(buf);
	return err;
}

/* Reads @len pattern bytes (seed @seed) into a buffer of @cap; checks them. */
static int call_read(struct t_client *t, uint32_t len, uint32_t cap, uint64_t seed)
{
	uint8_t *in = malloc(cap ? cap : 1), *want = malloc(len ? len : 1);
	struct net_req *r = net_req_new(PROTO_OP_OST_READ, NULL);
	int err;

	proto_put_u64(net_req_body(r), len);
	proto_put_u64(net_req_body(r), seed);
	net_req_set_bulk_in(r, in, cap);
	err = net_call(t->cl, r);
	if (!err) {
		fill_pattern(want, len, seed);
		if (net_req_bulk_in_len(r) != len || memcmp(in, want, len) != 0)
			err = -EBADMSG;
	}
	net_req_free(r);
	free(in);
	free(want);
	return err;
}

static void set_sizes(const char *depth, const char *msg)
{
	if (depth)
		setenv("STRIA_RDMA_QUEUE_DEPTH", depth, 1);
	else
		unsetenv("STRIA_RDMA_QUEUE_DEPTH");
	if (msg)
		setenv("STRIA_RDMA_MSG_SIZE", msg, 1);
	else
		unsetenv("STRIA_RDMA_MSG_SIZE");
}

static int setup(void **state)
{
	set_sizes(NULL, NULL);
	t_sim_install();
	return 0;
}

/* Nothing real hardware would have refused, and nothing left behind. */
static int teardown(void **state)
{
	struct t_sim_stats st;

	t_sim_stats(&st);
	t_sim_uninstall();
	set_sizes(NULL, NULL);
	assert_int_equal(st.violations, 0);
	assert_int_equal(st.eps_live, 0);
	assert_int_equal(st.mrs_live, 0);
	assert_int_equal(st.pds_live, 0);
	return 0;
}

/* ---- tests ---- */

static void rdma_nid_selects_the_transport(void **state)
{
	struct proto_nid n = nid_of("10.0.0.1@o2ib");

	assert_ptr_equal(net_xprt_for(n.lnd), &net_xprt_rdma);
	assert_string_equal(net_xprt_for(n.lnd)->name, "o2ib");
	n = nid_of("10.0.0.1@o2ib0");
	assert_ptr_equal(net_xprt_for(n.lnd), &net_xprt_rdma);
	n = nid_of("10.0.0.1@tcp");
	assert_ptr_equal(net_xprt_for(n.lnd), &net_xprt_tcp);
	n = nid_of("10.0.0.1");
	assert_ptr_equal(net_xprt_for(n.lnd), &net_xprt_tcp);
	assert_null(net_xprt_for(0));
	assert_null(net_xprt_for(PROTO_LND_O2IB + 1));
	/* TCP always works; o2ib says whether a device exists (the simulated one does). */
	assert_null(net_xprt_tcp.unavailable);
	{
		char why[128];

		assert_null(net_xprt_rdma.unavailable(why, sizeof(why)));
		t_sim_set_device(false);
		assert_non_null(net_xprt_rdma.unavailable(why, sizeof(why)));
		assert_non_null(strstr(why, "no RDMA device"));
	}
}

static void rdma_ping_round_trip(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, 0);
	struct t_client t;

	client_start(&t, "127.0.0.1@o2ib", port, 5000, 0);
	assert_int_equal(call_ping(&t), 0);
	assert_int_equal(net_client_boot_instance(t.cl), net_server_boot_instance(srv));
	client_stop(&t);
	net_server_free(srv);
}

static void rdma_bulk_moves_by_read_and_write(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, 0);
	struct t_sim_stats a, b;
	struct t_client t;

	client_start(&t, "127.0.0.1@o2ib", port, 10000, 0);
	assert_int_equal(call_ping(&t), 0);
	t_sim_stats(&a);
	/* A 4 MiB write: the server pulls it with RDMA READ. */
	assert_int_equal(call_write(&t, PROTO_BULK_MAX, 7, 0, NULL), 0);
	t_sim_stats(&b);
	assert_true(b.reads > a.reads);
	assert_int_equal(b.writes, a.writes);
	/* A 4 MiB read: the server pushes it into our sink with RDMA WRITE. */
	assert_int_equal(call_read(&t, PROTO_BULK_MAX, PROTO_BULK_MAX, 99), 0);
	t_sim_stats(&a);
	assert_true(a.writes > b.writes);
	/* Odd sizes, and a read shorter than its buffer. */
	assert_int_equal(call_write(&t, 1, 1, 0, NULL), 0);
	assert_int_equal(call_write(&t, 65537, 2, 0, NULL), 0);
	assert_int_equal(call_read(&t, 3, 4096, 3), 0);
	assert_int_equal(call_read(&t, 1000000, 1048576, 4), 0);
	/* More reply bulk than the buffer holds is refused, not overflowed. */
	assert_int_equal(call_read(&t, 8192, 4096, 5), -EPROTO);
	/* The connection is still good afterwards. */
	assert_int_equal(call_read(&t, 4096, 4096, 6), 0);
	client_stop(&t);
	net_server_free(srv);
}

static void rdma_large_bodies_move_by_read(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv;
	struct t_client t;
	struct net_req *r;
	struct proto_cur c;
	uint8_t *body = malloc(60000), *want = malloc(200 * 1024);
	struct t_sim_stats a, b;

	/* Frames of 1 KiB: any body over about 900 bytes must go by RDMA READ. */
	set_sizes("8", "1024");
	srv = server_start(port, 0);
	client_start(&t, "127.0.0.1@o2ib", port, 10000, 0);
	assert_int_equal(call_ping(&t), 0);
	t_sim_stats(&a);
	fill_pattern(body, 60000, 11);
	r = net_req_new(PROTO_OP_MDS_SETXATTR, NULL);
	proto_put_bytes(net_req_body(r), body, 60000);
	assert_int_equal(net_call(t.cl, r), 0);
	net_req_reply(r, &c);
	assert_int_equal(proto_get_u32(&c), proto_crc32c(0, body, 60000));
	assert_int_equal(proto_get_u32(&c), 60000);
	net_req_free(r);
	t_sim_stats(&b);
	assert_true(b.reads > a.reads);
	/* And a reply body of 200 KiB the client pulls. */
	r = net_req_new(PROTO_OP_MDS_READDIR, NULL);
	proto_put_u64(net_req_body(r), 200 * 1024);
	proto_put_u64(net_req_body(r), 12);
	assert_int_equal(net_call(t.cl, r), 0);
	net_req_reply(r, &c);
	fill_pattern(want, 200 * 1024, 12);
	assert_int_equal(proto_cur_left(&c), 200 * 1024);
	assert_memory_equal(c.buf + c.pos, want, 200 * 1024);
	net_req_free(r);
	/* Small bodies still travel in the frame, and bulk works with tiny frames. */
	assert_int_equal(call_ping(&t), 0);
	assert_int_equal(call_write(&t, 300000, 13, 0, NULL), 0);
	assert_int_equal(call_read(&t, 300000, 300000, 14), 0);
	client_stop(&t);
	net_server_free(srv);
	free(body);
	free(want);
}

struct many {
	atomic_int done;
	atomic_int failed;
};

static void many_cb(struct net_req *r, int status, void *arg)
{
	struct many *m = arg;

	if (status)
		atomic_fetch_add(&m->failed, 1);
	atomic_fetch_add(&m->done, 1);
	net_req_free(r);
}

static void rdma_many_in_flight_with_few_credits(void **state)
{
	static uint8_t data[16384];
	static uint8_t sinks[64][16384];
	uint16_t port = free_port();
	struct net_server *srv;
	struct many m = {0};
	struct t_client t;
	const int n = 3000;

	/* Four credits each way, 1 KiB frames: nearly every send waits for credits. */
	set_sizes("4", "1024");
	srv = server_start(port, 0);
	client_start(&t, "127.0.0.1@o2ib", port, 20000, 0);
	fill_pattern(data, sizeof(data), 21);
	for (int i = 0; i < n; i++) {
		struct net_req *r;

		if (i % 3 == 2) {
			r = net_req_new(PROTO_OP_OST_READ, NULL);
			proto_put_u64(net_req_body(r), (uint64_t)(i % 16384));
			proto_put_u64(net_req_body(r), (uint64_t)i);
			net_req_set_bulk_in(r, sinks[i % 64], sizeof(sinks[0]));
		} else {
			struct iovec iov = {data, (size_t)(i * 7 % 16384)};

			r = net_req_new(PROTO_OP_OST_WRITE, NULL);
			proto_put_u64(net_req_body(r), 0);
			if (iov.iov_len)
				net_req_set_bulk_out(r, &iov, 1);
		}
		net_req_send(t.cl, r, many_cb, &m);
	}
	while (atomic_load(&m.done) < n)
		usleep(1000);
	assert_int_equal(atomic_load(&m.failed), 0);
	/* Still healthy: a checked write and read after the storm. */
	assert_int_equal(call_write(&t, 16384, 22, 0, NULL), 0);
	assert_int_equal(call_read(&t, 16384, 16384, 23), 0);
	client_stop(&t);
	net_server_free(srv);
}

static void rdma_paused_server_completes_everything(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv;
	struct many m = {0};
	struct t_client t;
	const int n = 300;

	set_sizes("4", NULL);
	srv = server_start(port, 4); /* pauses at 4 requests in flight */
	client_start(&t, "127.0.0.1@o2ib", port, 20000, 0);
	for (int i = 0; i < n; i++) {
		struct net_req *r = net_req_new(PROTO_OP_OST_SYNC, NULL);

		proto_put_u64(net_req_body(r), i % 10 == 0 ? 1 : 0);
		net_req_send(t.cl, r, many_cb, &m);
	}
	while (atomic_load(&m.done) < n)
		usleep(1000);
	assert_int_equal(atomic_load(&m.failed), 0);
	client_stop(&t);
	net_server_free(srv);
}

static void rdma_link_failure_reconnects_and_resends(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, 0);
	struct t_sim_stats st;
	struct t_client t;
	uint32_t attempts = 0, most = 0;

	client_start(&t, "127.0.0.1@o2ib", port, 5000, 0);
	assert_int_equal(call_ping(&t), 0);
	/* A SEND a few messages from now breaks its queue pair. */
	t_sim_fail_send(3);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(call_write(&t, 100000, (uint64_t)i, 0, &attempts), 0);
		if (attempts > most)
			most = attempts;
	}
	t_sim_stats(&st);
	assert_int_equal(st.injected, 1);
	assert_true(most >= 2); /* the request caught by the failure went out again */
	assert_int_equal(call_read(&t, 100000, 100000, 31), 0);
	client_stop(&t);
	net_server_free(srv);
}

struct slow_call {
	struct t_client *t;
	int status;
	uint32_t attempts;
};

static void *slow_caller(void *arg)
{
	struct slow_call *s = arg;
	struct net_req *r = net_req_new(PROTO_OP_OST_SYNC, NULL);

	proto_put_u64(net_req_body(r), 300);
	s->status = net_call(s->t->cl, r);
	s->attempts = net_req_attempts(r);
	net_req_free(r);
	return NULL;
}

static void rdma_disconnect_mid_request_resends(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, 0);
	struct slow_call s = {0};
	struct t_client t;
	pthread_t th;

	client_start(&t, "127.0.0.1@o2ib", port, 5000, 0);
	assert_int_equal(call_ping(&t), 0);
	s.t = &t;
	assert_int_equal(pthread_create(&th, NULL, slow_caller, &s), 0);
	usleep(100 * 1000);
	/* The fabric drops the connection while the server still works on the request. */
	t_sim_disconnect_all();
	pthread_join(th, NULL);
	assert_int_equal(s.status, 0);
	assert_true(s.attempts >= 2);
	assert_int_equal(call_ping(&t), 0);
	client_stop(&t);
	net_server_free(srv);
}

static void rdma_corrupt_frame_closes_and_recovers(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, 0);
	struct t_sim_stats st;
	struct t_client t;
	uint32_t attempts = 0, most = 0;

	client_start(&t, "127.0.0.1@o2ib", port, 5000, 0);
	assert_int_equal(call_ping(&t), 0);
	/* The next frame arrives with a broken magic: the receiver must refuse it. */
	t_sim_corrupt_send(1);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(call_write(&t, 5000, (uint64_t)i, 0, &attempts), 0);
		if (attempts > most)
			most = attempts;
	}
	t_sim_stats(&st);
	assert_int_equal(st.injected, 1);
	assert_true(most >= 2);
	client_stop(&t);
	net_server_free(srv);
}

static void rdma_no_device_fails_clearly_and_tcp_still_serves(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_new(0);
	struct proto_nid o2ib = nid_of("127.0.0.1@o2ib"), tcp = nid_of("127.0.0.1@tcp");
	struct t_client t, u;

	t_sim_set_device(false);
	assert_int_equal(net_server_listen(srv, &o2ib, port), -ENODEV);
	assert_int_equal(net_server_listen(srv, &tcp, port), 0);
	assert_int_equal(net_server_start(srv), 0);
	/* An o2ib client keeps failing (and retrying) until it gives up ... */
	client_start(&t, "127.0.0.1@o2ib", port, 1000, 600);
	assert_int_equal(call_ping(&t), -ETIMEDOUT);
	client_stop(&t);
	/* ... while TCP is untouched. */
	client_start(&u, "127.0.0.1@tcp", port, 1000, 0);
	assert_int_equal(call_ping(&u), 0);
	client_stop(&u);
	net_server_free(srv);
}

static void rdma_tcp_and_o2ib_served_at_once(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_new(0);
	struct proto_nid o2ib = nid_of("127.0.0.1@o2ib"), tcp = nid_of("127.0.0.1@tcp");
	struct t_client t, u;

	assert_int_equal(net_server_listen(srv, &tcp, port), 0);
	assert_int_equal(net_server_listen(srv, &o2ib, port), 0);
	assert_int_equal(net_server_start(srv), 0);
	client_start(&t, "127.0.0.1@o2ib", port, 5000, 0);
	client_start(&u, "127.0.0.1@tcp", port, 5000, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(call_write(&t, 200000, (uint64_t)i, 0, NULL), 0);
		assert_int_equal(call_write(&u, 200000, (uint64_t)i, 0, NULL), 0);
		assert_int_equal(call_read(&t, 200000, 200000, (uint64_t)i), 0);
		assert_int_equal(call_read(&u, 200000, 200000, (uint64_t)i), 0);
	}
	client_stop(&t);
	client_stop(&u);
	net_server_free(srv);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(rdma_nid_selects_the_transport),
    T(rdma_ping_round_trip),
    T(rdma_bulk_moves_by_read_and_write),
    T(rdma_large_bodies_move_by_read),
    T(rdma_many_in_flight_with_few_credits),
    T(rdma_paused_server_completes_everything),
    T(rdma_link_failure_reconnects_and_resends),
    T(rdma_disconnect_mid_request_resends),
    T(rdma_corrupt_frame_closes_and_recovers),
    T(rdma_no_device_fails_clearly_and_tcp_still_serves),
    T(rdma_tcp_and_o2ib_served_at_once),
};
T_GROUP(rdma_xprt, tests)
