/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loopback RPC tests: a real net_server and net_client over 127.0.0.1.
 *
 * The test server answers:
 *   OST_WRITE  body {u64 delay_ms, u64 tag}: sleeps, replies {u32 crc of bulk, u32 len}
 *   OST_READ   body {u64 len, u64 seed}: replies len bytes of a seeded pattern
 *   OST_SYNC   body {u64 tag}: never replies to the first attempt, answers resends
 *   OST_PUNCH  body {u64 tag}: records when it ran
 */
#include "t_unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/net.h"
#include "proto/proto.h"

#define FSNAME "testfs"

static uint16_t free_port(void)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	in.sin_addr.s_addr = htonl(INADDR_ANY); /* free on every address */
	assert_int_equal(bind(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&in, &len), 0);
	close(fd);
	return ntohs(in.sin_port);
}

static struct proto_nid lo_nid(void)
{
	struct proto_nid n = {.lnd = PROTO_LND_TCP};

	strcpy(n.addr, "127.0.0.1");
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

static _Atomic uint64_t punch_ran_ms;
static _Atomic uint64_t write_done_ms;
static _Atomic int sync_attempts;

static void h_write(struct net_srv_req *r, void *arg)
{
	struct proto_cur c;
	uint64_t delay, tag;
	uint32_t len;
	const void *bulk;
	struct proto_cur *out;

	net_srv_req_body(r, &c);
	delay = proto_get_u64(&c);
	tag = proto_get_u64(&c);
	(void)tag;
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
	atomic_store(&write_done_ms, net_now_ms());
	net_srv_reply(r, 0);
}

static void release_free(void *arg)
{
	free(arg);
}

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

static void h_sync(struct net_srv_req *r, void *arg)
{
	atomic_fetch_add(&sync_attempts, 1);
	if (!net_srv_req_resent(r)) {
		net_srv_drop(r); /* lose the first attempt */
		return;
	}
	net_srv_reply(r, 0);
}

static _Atomic int punch_replays; /* punches that carried PROTO_F_REPLAY */

static void h_punch(struct net_srv_req *r, void *arg)
{
	atomic_store(&punch_ran_ms, net_now_ms());
	if (net_srv_req_replay(r))
		atomic_fetch_add(&punch_replays, 1);
	net_srv_req_set_transno(r, 7);
	net_srv_reply(r, 0);
}

/*
 * OST_GETATTR stands for a NET_H_TRY_INLINE read here: body u32 defer (1:
 * the inline run hands it to a worker).  Replies u32 runs (this request's
 * handler runs), u32 ran_inline (the replying run was on the loop).
 */
static _Atomic int try_runs;

static void h_try(struct net_srv_req *r, void *arg)
{
	struct proto_cur c;
	bool on_loop = net_srv_req_inline(r);
	uint32_t defer;

	net_srv_req_body(r, &c);
	defer = proto_get_u32(&c);
	atomic_fetch_add(&try_runs, 1);
	if (on_loop && defer) {
		net_srv_defer(r);
		return;
	}
	proto_put_u32(net_srv_reply_body(r), (uint32_t)atomic_load(&try_runs));
	proto_put_u32(net_srv_reply_body(r), on_loop);
	net_srv_reply(r, 0);
}

static struct net_handler handlers[PROTO_OP_LIMIT] = {
    [PROTO_OP_OST_WRITE] = {h_write, 0},
    [PROTO_OP_OST_READ] = {h_read, 0},
    [PROTO_OP_OST_SYNC] = {h_sync, 0},
    [PROTO_OP_OST_PUNCH] = {h_punch, 0},
    [PROTO_OP_OST_GETATTR] = {h_try, NET_H_TRY_INLINE},
};

static struct net_key *server_key; /* kept alive while the server runs */

static void server_stop(struct net_server *srv)
{
	net_server_free(srv);
	net_key_free(server_key);
	server_key = NULL;
}

static struct net_server *server_start(uint16_t port, const char *key)
{
	struct net_server_cfg cfg = {
	    .name = "test-srv", .fsname = FSNAME, .handlers = handlers, .nworkers = 4};
	struct proto_nid nid = lo_nid();
	struct net_key *k = NULL;
	struct net_server *srv;

	if (key)
		assert_int_equal(net_key_from_bytes(key, strlen(key), &k), 0);
	cfg.key = server_key = k;
	assert_int_equal(net_server_new(&cfg, &srv), 0);
	assert_int_equal(net_server_listen(srv, &nid, port), 0);
	assert_int_equal(net_server_start(srv), 0);
	return srv;
}

/* ---- client helpers ---- */

struct t_client {
	struct net_loop *loop;
	struct net_client *cl;
	struct net_key *key;
};

static void client_start(struct t_client *t, uint16_t port, const char *key, uint32_t timeout_ms,
			 uint32_t give_up_ms)
{
	struct net_client_cfg cfg = {.name = "test-target",
				     .fsname = FSNAME,
				     .nnids = 1,
				     .port = port,
				     .role = PROTO_ROLE_CLIENT,
				     .timeout_ms = timeout_ms,
				     .give_up_ms = give_up_ms,
				     .reconnect_max_ms = 200};

	cfg.nids[0] = lo_nid();
	memset(t, 0, sizeof(*t));
	assert_int_equal(net_uuid_generate(cfg.uuid), 0);
	if (key) {
		assert_int_equal(net_key_from_bytes(key, strlen(key), &t->key), 0);
		cfg.key = t->key;
	}
	assert_int_equal(net_loop_new(&t->loop), 0);
	assert_int_equal(net_loop_start(t->loop, "t-client"), 0);
	assert_int_equal(net_client_new(t->loop, &cfg, &t->cl), 0);
}

static void client_stop(struct t_client *t)
{
	net_client_free(t->cl);
	net_loop_stop(t->loop);
	net_loop_free(t->loop);
	net_key_free(t->key);
}

static struct net_req *write_req(uint64_t delay, uint64_t tag)
{
	struct net_req *r = net_req_new(PROTO_OP_OST_WRITE, NULL);

	proto_put_u64(net_req_body(r), delay);
	proto_put_u64(net_req_body(r), tag);
	return r;
}

static int call_ping(struct t_client *t)
{
	struct net_req *r = net_req_new(PROTO_OP_PING, NULL);
	struct proto_ping p = {.cookie = 42}, q = {0};
	struct proto_cur c;
	int err;

	proto_ping_enc(net_req_body(r), &p);
	err = net_call(t->cl, r);
	if (!err) {
		net_req_reply(r, &c);
		err = proto_ping_dec(&c, &q);
		if (!err && q.cookie != 42)
			err = -EPROTO;
	}
	net_req_free(r);
	return err;
}

/* ---- tests ---- */

static void rpc_ping_round_trip(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	struct t_client t;

	client_start(&t, port, NULL, 5000, 0);
	assert_int_equal(call_ping(&t), 0);
	assert_int_not_equal(net_client_boot_instance(t.cl), 0);
	assert_int_equal(net_client_boot_instance(t.cl), net_server_boot_instance(srv));
	client_stop(&t);
	server_stop(srv);
}

struct many {
	atomic_int done;
	atomic_int failed;
};

static void many_cb(struct net_req *r, int status, void *arg)
{
	struct many *m = arg;
	struct proto_cur c;

	if (status == 0) {
		net_req_reply(r, &c);
		(void)proto_get_u32(&c);
		if (proto_get_u32(&c) != 0 || proto_cur_finish(&c))
			status = -EPROTO;
	}
	if (status)
		atomic_fetch_add(&m->failed, 1);
	atomic_fetch_add(&m->done, 1);
	net_req_free(r);
}

static void rpc_thousands_concurrent(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	struct many m = {0};
	struct t_client t;
	const int n = 5000;

	client_start(&t, port, NULL, 10000, 0);
	for (int i = 0; i < n; i++)
		net_req_send(t.cl, write_req(0, (uint64_t)i), many_cb, &m);
	while (atomic_load(&m.done) < n)
		usleep(1000);
	assert_int_equal(atomic_load(&m.failed), 0);
	client_stop(&t);
	server_stop(srv);
}

static void rpc_bulk_4mib_both_ways(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	const uint32_t len = PROTO_BULK_MAX;
	uint8_t *out = malloc(len), *in = malloc(len), *want = malloc(len);
	struct t_client t;
	struct net_req *r;
	struct proto_cur c;
	struct iovec iov[2];

	client_start(&t, port, NULL, 10000, 0);
	/* write: 4 MiB in two iovecs, the server returns its CRC */
	fill_pattern(out, len, 7);
	r = write_req(0, 1);
	iov[0] = (struct iovec){out, 1234567};
	iov[1] = (struct iovec){out + 1234567, len - 1234567};
	net_req_set_bulk_out(r, iov, 2);
	assert_int_equal(net_call(t.cl, r), 0);
	net_req_reply(r, &c);
	assert_int_equal(proto_get_u32(&c), proto_crc32c(0, out, len));
	assert_int_equal(proto_get_u32(&c), len);
	net_req_free(r);
	/* read: 4 MiB straight into our buffer */
	r = net_req_new(PROTO_OP_OST_READ, NULL);
	proto_put_u64(net_req_body(r), len);
	proto_put_u64(net_req_body(r), 99);
	net_req_set_bulk_in(r, in, len);
	assert_int_equal(net_call(t.cl, r), 0);
	assert_int_equal(net_req_bulk_in_len(r), len);
	fill_pattern(want, len, 99);
	assert_memory_equal(in, want, len);
	net_req_free(r);
	/* a reply bulk larger than the buffer is refused, not overflowed */
	r = net_req_new(PROTO_OP_OST_READ, NULL);
	proto_put_u64(net_req_body(r), 8192);
	proto_put_u64(net_req_body(r), 1);
	net_req_set_bulk_in(r, in, 4096);
	assert_int_equal(net_call(t.cl, r), -EPROTO);
	net_req_free(r);
	client_stop(&t);
	server_stop(srv);
	free(out);
	free(in);
	free(want);
}

/* One NET_H_TRY_INLINE call; returns 0 with how many handler runs it took and where it replied. */
static int call_try(struct t_client *t, uint32_t defer, uint32_t *runs, uint32_t *on_loop)
{
	struct net_req *r = net_req_new(PROTO_OP_OST_GETATTR, NULL);
	struct proto_cur c;
	int err;

	atomic_store(&try_runs, 0);
	proto_put_u32(net_req_body(r), defer);
	err = net_call(t->cl, r);
	if (!err) {
		net_req_reply(r, &c);
		*runs = proto_get_u32(&c);
		*on_loop = proto_get_u32(&c);
		err = proto_cur_finish(&c);
	}
	net_req_free(r);
	return err;
}

/* An idle server runs a try-inline request on its loop; a deferred one runs again on a worker. */
static void rpc_try_inline_runs_on_loop_or_worker(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	uint32_t runs, on_loop;
	struct t_client t;

	client_start(&t, port, NULL, 5000, 0);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(call_try(&t, 0, &runs, &on_loop), 0);
		assert_int_equal(runs, 1);
		assert_int_equal(on_loop, 1);
		assert_int_equal(call_try(&t, 1, &runs, &on_loop), 0);
		assert_int_equal(runs, 2);
		assert_int_equal(on_loop, 0);
	}
	client_stop(&t);
	server_stop(srv);
}

static void rpc_missing_handler_is_enosys(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	struct t_client t;
	struct net_req *r;

	client_start(&t, port, NULL, 5000, 0);
	r = net_req_new(PROTO_OP_MDS_STATFS, NULL);
	assert_int_equal(net_call(t.cl, r), -ENOSYS);
	net_req_free(r);
	client_stop(&t);
	server_stop(srv);
}

static void rpc_give_up_times_out(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	struct t_client t;
	struct net_req *r;
	uint64_t t0;

	client_start(&t, port, NULL, 5000, 0);
	r = write_req(3000, 1);
	net_req_set_give_up(r, 300);
	t0 = net_now_ms();
	assert_int_equal(net_call(t.cl, r), -ETIMEDOUT);
	assert_true(net_now_ms() - t0 < 2500);
	net_req_free(r);
	client_stop(&t);
	server_stop(srv);
}

static void rpc_lost_request_is_resent_with_same_xid(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	struct t_client t;
	struct net_req *r;

	atomic_store(&sync_attempts, 0);
	/* the server drops the first attempt; the 300 ms timeout reconnects and resends */
	client_start(&t, port, NULL, 300, 0);
	r = net_req_new(PROTO_OP_OST_SYNC, NULL);
	proto_put_u64(net_req_body(r), 5);
	assert_int_equal(net_call(t.cl, r), 0);
	assert_int_equal(net_req_attempts(r), 2);
	assert_int_equal(atomic_load(&sync_attempts), 2);
	net_req_free(r);
	client_stop(&t);
	server_stop(srv);
}

static void hold_on_state(struct net_client *cl, enum net_client_state st, void *arg)
{
	if (st == NET_CLIENT_CONNECTED)
		net_client_hold(cl);
}

static void done_cb(struct net_req *r, int status, void *arg)
{
	atomic_store((atomic_int *)arg, status == 0 ? 1 : -1);
}

/* While held only replay requests go out; release lets the rest go, in
 * order.  The reply preamble carries the server's transaction numbers. */
static void rpc_hold_sends_only_replays(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	struct net_client_cfg cfg = {.name = "test-target",
				     .fsname = FSNAME,
				     .nnids = 1,
				     .port = port,
				     .role = PROTO_ROLE_CLIENT,
				     .timeout_ms = 5000,
				     .on_state = hold_on_state};
	struct net_req *held, *replay;
	struct t_client t = {0};
	atomic_int held_done = 0;

	atomic_store(&punch_replays, 0);
	atomic_store(&punch_ran_ms, 0);
	net_server_note_committed(srv, 5);
	net_server_note_committed(srv, 3); /* never goes down */
	cfg.nids[0] = lo_nid();
	assert_int_equal(net_uuid_generate(cfg.uuid), 0);
	assert_int_equal(net_loop_new(&t.loop), 0);
	assert_int_equal(net_loop_start(t.loop, "t-client"), 0);
	assert_int_equal(net_client_new(t.loop, &cfg, &t.cl), 0);

	held = net_req_new(PROTO_OP_OST_PUNCH, NULL);
	net_req_send(t.cl, held, done_cb, &held_done);
	replay = net_req_new(PROTO_OP_OST_PUNCH, NULL);
	net_req_set_replay(replay);
	assert_int_equal(net_call(t.cl, replay), 0);
	assert_int_equal(atomic_load(&punch_replays), 1);
	assert_int_equal(net_req_rep_pre(replay)->transno, 7);
	assert_int_equal(net_req_rep_pre(replay)->last_committed, 5);
	usleep(200 * 1000);
	assert_int_equal(atomic_load(&held_done), 0); /* still held */
	net_client_release(t.cl);
	for (int i = 0; i < 500 && atomic_load(&held_done) == 0; i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&held_done), 1);
	assert_int_equal(atomic_load(&punch_replays), 1); /* it went without the flag */
	net_req_free(held);
	net_req_free(replay);
	client_stop(&t);
	server_stop(srv);
}

static void cancel_cb(struct net_req *r, int status, void *arg)
{
	atomic_int *st = arg;

	atomic_store(st, status == 0 ? 1 : status);
}

static void rpc_cancel_interrupts_request(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	atomic_int st = 0;
	struct t_client t;
	struct net_req *r;

	client_start(&t, port, NULL, 10000, 0);
	r = write_req(1000, 1);
	net_req_send(t.cl, r, cancel_cb, &st);
	usleep(100 * 1000);
	net_req_cancel(r);
	while (atomic_load(&st) == 0)
		usleep(1000);
	assert_int_equal(atomic_load(&st), -EINTR);
	net_req_free(r);
	/* the connection still works */
	assert_int_equal(call_ping(&t), 0);
	client_stop(&t);
	server_stop(srv);
}

static void rpc_wrong_key_refused(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, "0123456789abcdef-secret");
	struct t_client t;

	client_start(&t, port, "0123456789abcdef-secret", 5000, 0);
	assert_int_equal(call_ping(&t), 0);
	client_stop(&t);
	client_start(&t, port, "0123456789abcdef-WRONG!", 5000, 0);
	assert_int_equal(call_ping(&t), -EACCES);
	client_stop(&t);
	client_start(&t, port, NULL, 5000, 0);
	assert_int_equal(call_ping(&t), -EACCES);
	client_stop(&t);
	server_stop(srv);
}

static void rpc_wrong_fsname_refused(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	struct net_client_cfg cfg = {.name = "x",
				     .fsname = "otherfs",
				     .nnids = 1,
				     .port = port,
				     .role = PROTO_ROLE_CLIENT,
				     .timeout_ms = 2000};
	struct net_loop *loop;
	struct net_client *cl;
	struct net_req *r;

	cfg.nids[0] = lo_nid();
	assert_int_equal(net_loop_new(&loop), 0);
	assert_int_equal(net_loop_start(loop, "t"), 0);
	assert_int_equal(net_client_new(loop, &cfg, &cl), 0);
	r = net_req_new(PROTO_OP_PING, NULL);
	proto_put_u64(net_req_body(r), 1);
	assert_int_equal(net_call(cl, r), -ENODEV);
	net_req_free(r);
	net_client_free(cl);
	net_loop_stop(loop);
	net_loop_free(loop);
	server_stop(srv);
}

/* ---- raw sockets: speaking the protocol by hand ---- */

static int raw_connect(uint16_t port)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	return fd;
}

static void raw_send(int fd, uint16_t op, uint64_t xid, const void *body, uint32_t len,
		     bool corrupt)
{
	struct proto_hdr h = {.magic = PROTO_MAGIC,
			      .version = PROTO_VERSION,
			      .opcode = op,
			      .xid = xid,
			      .body_len = len};
	uint8_t hb[PROTO_HDR_LEN];

	proto_hdr_encode(&h, hb);
	h.hdr_csum = proto_hdr_csum(hb, body, len) ^ (corrupt ? 1 : 0);
	proto_hdr_encode(&h, hb);
	assert_int_equal(write(fd, hb, sizeof(hb)), sizeof(hb));
	if (len)
		assert_int_equal(write(fd, body, len), (ssize_t)len);
}

static size_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (uint8_t *)buf + got, len - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* Reads one reply; returns its status, or 1 if the connection closed. */
static int raw_recv(int fd, uint64_t *xid)
{
	uint8_t hb[PROTO_HDR_LEN], body[4096];
	struct proto_hdr h;

	if (read_full(fd, hb, sizeof(hb)) != sizeof(hb))
		return 1;
	assert_int_equal(proto_hdr_decode(hb, PROTO_BODY_MAX, &h), 0);
	assert_true(h.body_len <= sizeof(body));
	assert_int_equal(read_full(fd, body, h.body_len), h.body_len);
	if (xid)
		*xid = h.xid;
	return h.status;
}

static uint32_t raw_body(uint8_t *buf, size_t cap, const void *op_body, size_t op_len)
{
	struct proto_req_pre pre = {0};
	struct proto_cur c;

	proto_cur_init(&c, buf, cap);
	proto_req_pre_enc(&c, &pre);
	proto_put_bytes(&c, op_body, op_len);
	return (uint32_t)c.pos;
}

static void raw_hello(int fd, const uint8_t uuid[PROTO_UUID_LEN], uint64_t gen)
{
	struct proto_connect_req req = {.phase = PROTO_CONNECT_HELLO,
					.version = PROTO_VERSION,
					.role = PROTO_ROLE_CLIENT,
					.conn_gen = gen};
	uint8_t buf[1024], op[512];
	struct proto_cur c;

	strcpy(req.fsname, FSNAME);
	memcpy(req.uuid, uuid, PROTO_UUID_LEN);
	proto_cur_init(&c, op, sizeof(op));
	assert_int_equal(proto_connect_req_enc(&c, &req), 0);
	raw_send(fd, PROTO_OP_CONNECT, 1, buf, raw_body(buf, sizeof(buf), op, c.pos), false);
	assert_int_equal(raw_recv(fd, NULL), 0);
}

static void rpc_garbage_peer_is_dropped_others_served(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	uint8_t junk[512];
	struct t_client t;
	int fd;

	client_start(&t, port, NULL, 5000, 0);
	assert_int_equal(call_ping(&t), 0);
	fd = raw_connect(port);
	fill_pattern(junk, sizeof(junk), 3);
	assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
	assert_int_equal(raw_recv(fd, NULL), 1); /* closed on us */
	close(fd);
	/* a request before the handshake: closed too */
	fd = raw_connect(port);
	raw_send(fd, PROTO_OP_PING, 9, NULL, 0, false);
	assert_int_equal(raw_recv(fd, NULL), 1);
	close(fd);
	/* an oversized body announced before authentication: closed, nothing allocated */
	fd = raw_connect(port);
	{
		struct proto_hdr h = {.magic = PROTO_MAGIC,
				      .version = PROTO_VERSION,
				      .opcode = PROTO_OP_CONNECT,
				      .xid = 1,
				      .body_len = PROTO_PREAUTH_BODY_MAX + 1};
		uint8_t hb[PROTO_HDR_LEN];

		proto_hdr_encode(&h, hb);
		assert_int_equal(write(fd, hb, sizeof(hb)), sizeof(hb));
	}
	assert_int_equal(raw_recv(fd, NULL), 1);
	close(fd);
	assert_int_equal(call_ping(&t), 0);
	client_stop(&t);
	server_stop(srv);
}

static void rpc_bad_checksum_gets_ebadmsg(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	uint8_t uuid[PROTO_UUID_LEN] = {1, 2, 3};
	uint8_t buf[256], op[8] = {0};
	uint64_t xid = 0;
	uint32_t len;
	int fd = raw_connect(port);

	raw_hello(fd, uuid, 1);
	len = raw_body(buf, sizeof(buf), op, sizeof(op));
	raw_send(fd, PROTO_OP_PING, 77, buf, len, true);
	assert_int_equal(raw_recv(fd, &xid), -EBADMSG);
	assert_int_equal(xid, 77);
	raw_send(fd, PROTO_OP_PING, 78, buf, len, false);
	assert_int_equal(raw_recv(fd, &xid), 0);
	close(fd);
	server_stop(srv);
}

static void rpc_reconnect_waits_for_old_requests(void **state)
{
	uint16_t port = free_port();
	struct net_server *srv = server_start(port, NULL);
	uint8_t uuid[PROTO_UUID_LEN] = {9, 9, 9};
	uint8_t buf[256], op[16];
	struct proto_cur c;
	uint32_t len;
	int fd1, fd2;

	atomic_store(&write_done_ms, 0);
	atomic_store(&punch_ran_ms, 0);
	fd1 = raw_connect(port);
	raw_hello(fd1, uuid, 1);
	/* a write that takes 500 ms on the old connection */
	proto_cur_init(&c, op, sizeof(op));
	proto_put_u64(&c, 500);
	proto_put_u64(&c, 1);
	len = raw_body(buf, sizeof(buf), op, c.pos);
	raw_send(fd1, PROTO_OP_OST_WRITE, 10, buf, len, false);
	usleep(100 * 1000);
	/* the same client reconnects and sends a newer request */
	fd2 = raw_connect(port);
	raw_hello(fd2, uuid, 2);
	len = raw_body(buf, sizeof(buf), op, 8);
	raw_send(fd2, PROTO_OP_OST_PUNCH, 11, buf, len, false);
	assert_int_equal(raw_recv(fd2, NULL), 0);
	assert_int_not_equal(atomic_load(&write_done_ms), 0);
	assert_true(atomic_load(&punch_ran_ms) >= atomic_load(&write_done_ms));
	/* the old connection was closed by the server */
	assert_int_equal(raw_recv(fd1, NULL), 1);
	close(fd1);
	close(fd2);
	server_stop(srv);
}

/* ---- a server killed and restarted under in-flight requests ---- */

static pid_t fork_server(uint16_t port)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigset_t set;
		int sig;

		server_start(port, NULL);
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		sigwait(&set, &sig);
		_exit(0);
	}
	return pid;
}

static void rpc_server_killed_requests_complete_after_restart(void **state)
{
	uint16_t port = free_port();
	pid_t pid = fork_server(port);
	struct many m = {0};
	struct t_client t;
	const int n = 200;
	uint64_t boot1;

	client_start(&t, port, NULL, 10000, 0);
	/* wait for the child to listen */
	for (int i = 0; i < 200 && call_ping(&t) != 0; i++)
		usleep(10 * 1000);
	boot1 = net_client_boot_instance(t.cl);
	/* 200 writes of 100 ms each on 4 workers: many are in flight at the kill */
	for (int i = 0; i < n; i++)
		net_req_send(t.cl, write_req(100, (uint64_t)i), many_cb, &m);
	usleep(300 * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	usleep(300 * 1000);
	pid = fork_server(port);
	while (atomic_load(&m.done) < n)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&m.failed), 0);
	assert_int_not_equal(net_client_boot_instance(t.cl), boot1);
	client_stop(&t);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static atomic_int evicted;

static void count_evict(struct net_export *exp, void *arg)
{
	atomic_fetch_add(&evicted, 1);
}

static void rpc_disconnect_evicts_at_once(void **state)
{
	struct net_server_cfg cfg = {.name = "test-srv",
				     .fsname = FSNAME,
				     .handlers = handlers,
				     .on_export_evict = count_evict}; /* evict_ms: 120 s */
	struct proto_nid nid = lo_nid();
	uint16_t port = free_port();
	struct net_server *srv;
	struct t_client t;

	atomic_store(&evicted, 0);
	assert_int_equal(net_server_new(&cfg, &srv), 0);
	assert_int_equal(net_server_listen(srv, &nid, port), 0);
	assert_int_equal(net_server_start(srv), 0);
	client_start(&t, port, NULL, 5000, 0);
	assert_int_equal(call_ping(&t), 0);
	/* net_client_free says goodbye: the server forgets the client now. */
	client_stop(&t);
	for (int i = 0; i < 200 && atomic_load(&evicted) == 0; i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&evicted), 1);
	net_server_free(srv);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(rpc_ping_round_trip),
    cmocka_unit_test(rpc_thousands_concurrent),
    cmocka_unit_test(rpc_bulk_4mib_both_ways),
    cmocka_unit_test(rpc_try_inline_runs_on_loop_or_worker),
    cmocka_unit_test(rpc_missing_handler_is_enosys),
    cmocka_unit_test(rpc_give_up_times_out),
    cmocka_unit_test(rpc_lost_request_is_resent_with_same_xid),
    cmocka_unit_test(rpc_hold_sends_only_replays),
    cmocka_unit_test(rpc_cancel_interrupts_request),
    cmocka_unit_test(rpc_wrong_key_refused),
    cmocka_unit_test(rpc_wrong_fsname_refused),
    cmocka_unit_test(rpc_garbage_peer_is_dropped_others_served),
    cmocka_unit_test(rpc_bad_checksum_gets_ebadmsg),
    cmocka_unit_test(rpc_reconnect_waits_for_old_requests),
    cmocka_unit_test(rpc_server_killed_requests_complete_after_restart),
    cmocka_unit_test(rpc_disconnect_evicts_at_once),
};
T_GROUP(rpc, tests)
