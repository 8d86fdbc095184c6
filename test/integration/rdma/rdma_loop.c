/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rdma_loop: the o2ib transport on a real RDMA device, end to end through
 * net_server and net_client in one process, over the device's own address.
 *
 *   rdma_loop [ADDR]       ADDR: an IPv4 address of an RDMA device (default:
 *                          $STRIA_RDMA_ADDR, else the first local address
 *                          rdma_cm can bind to a device)
 *   rdma_loop --simulated  the same checks on the simulated device of
 *                          test/lib/rdma_sim.c, so this program is itself
 *                          tested on machines without a device
 *
 * Checks: a ping; 4 MiB written (pulled by RDMA READ) and read (pushed by
 * RDMA WRITE) with their contents verified; a request and a reply body too
 * large for a frame; 2000 mixed requests in flight at once; the server
 * restarted under the client, which reconnects and carries on.
 *
 * Exit 0 pass, 1 fail, 77 skip (no RDMA device, no address on one, or a
 * locked-memory limit too low to register buffers).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "net/net.h"
#include "proto/proto.h"
#include "rdma_sim.h"

#define FSNAME	    "testfs"
#define MEMLOCK_MIN (64ull << 20)

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, "\n");                                                     \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

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

/* ---- the server ---- */

static void release_free(void *arg)
{
	free(arg);
}

/* OST_WRITE: replies {crc32c of the bulk, its length}. */
static void h_write(struct net_srv_req *r, void *arg)
{
	uint32_t len;
	const void *bulk = net_srv_req_bulk(r, &len);
	struct proto_cur *out = net_srv_reply_body(r);

	proto_put_u32(out, bulk ? proto_crc32c(0, bulk, len) : 0);
	proto_put_u32(out, len);
	net_srv_reply(r, 0);
}

/* OST_READ {u64 len, u64 seed}: the seed's pattern as bulk. */
static void h_read(struct net_srv_req *r, void *arg)
{
	struct proto_cur c;
	uint64_t len, seed;
	struct iovec iov;

	net_srv_req_body(r, &c);
	len = proto_get_u64(&c);
	seed = proto_get_u64(&c);
	if (proto_cur_finish(&c) || len > PROTO_BULK_MAX) {
		net_srv_reply(r, -EINVAL);
		return;
	}
	iov.iov_base = malloc(len ? len : 1);
	iov.iov_len = len;
	fill_pattern(iov.iov_base, len, seed);
	net_srv_reply_bulk(r, &iov, 1, release_free, iov.iov_base);
	net_srv_reply(r, 0);
}

/* MDS_SETXATTR: replies {crc32c of the body, its length}. */
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

/* MDS_READDIR {u64 len, u64 seed}: a reply body of len pattern bytes. */
static void h_bigrep(struct net_srv_req *r, void *arg)
{
	struct proto_cur c;
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
	proto_put_bytes(net_srv_reply_body(r), buf, len);
	free(buf);
	net_srv_reply(r, 0);
}

static struct net_handler handlers[PROTO_OP_LIMIT] = {
    [PROTO_OP_OST_WRITE] = {h_write, 0},
    [PROTO_OP_OST_READ] = {h_read, 0},
    [PROTO_OP_MDS_SETXATTR] = {h_bigreq, 0},
    [PROTO_OP_MDS_READDIR] = {h_bigrep, 0},
};

static struct net_server *server_start(const struct proto_nid *nid, uint16_t port)
{
	struct net_server_cfg cfg = {
	    .name = "rdma-loop", .fsname = FSNAME, .handlers = handlers, .nworkers = 4};
	struct net_server *srv;
	int err;

	if (net_server_new(&cfg, &srv))
		return NULL;
	err = net_server_listen(srv, nid, port);
	if (!err)
		err = net_server_start(srv);
	if (err) {
		fprintf(stderr, "FAIL: cannot serve on %s@o2ib port %u: %s\n", nid->addr, port,
			strerror(-err));
		net_server_free(srv);
		return NULL;
	}
	return srv;
}

/* ---- the checks ---- */

static int ping(struct net_client *cl)
{
	struct net_req *r = net_req_new(PROTO_OP_PING, NULL);
	struct proto_ping p = {.cookie = 77}, q = {0};
	struct proto_cur c;
	int err;

	proto_ping_enc(net_req_body(r), &p);
	err = net_call(cl, r);
	if (!err) {
		net_req_reply(r, &c);
		err = proto_ping_dec(&c, &q);
		if (!err && q.cookie != 77)
			err = -EPROTO;
	}
	net_req_free(r);
	return err;
}

static void check_bulk(struct net_client *cl)
{
	const uint32_t len = PROTO_BULK_MAX;
	uint8_t *out = malloc(len), *in = malloc(len), *want = malloc(len);
	struct net_req *r = net_req_new(PROTO_OP_OST_WRITE, NULL);
	struct iovec iov[2];
	struct proto_cur c;
	int err;

	fill_pattern(out, len, 5);
	iov[0] = (struct iovec){out, 1000001};
	iov[1] = (struct iovec){out + 1000001, len - 1000001};
	net_req_set_bulk_out(r, iov, 2);
	err = net_call(cl, r);
	CHECK(err == 0, "4 MiB write: %s", strerror(-err));
	if (!err) {
		net_req_reply(r, &c);
		CHECK(proto_get_u32(&c) == proto_crc32c(0, out, len), "written data differs");
		CHECK(proto_get_u32(&c) == len, "written length differs");
	}
	net_req_free(r);

	r = net_req_new(PROTO_OP_OST_READ, NULL);
	proto_put_u64(net_req_body(r), len);
	proto_put_u64(net_req_body(r), 6);
	net_req_set_bulk_in(r, in, len);
	err = net_call(cl, r);
	CHECK(err == 0, "4 MiB read: %s", strerror(-err));
	fill_pattern(want, len, 6);
	CHECK(!err && net_req_bulk_in_len(r) == len && memcmp(in, want, len) == 0,
	      "read data differs");
	net_req_free(r);
	free(out);
	free(in);
	free(want);
	printf("ok: 4 MiB written and read back through RDMA READ and WRITE\n");
}

static void check_large_bodies(struct net_client *cl)
{
	uint8_t *body = malloc(60000), *want = malloc(200 * 1024);
	struct net_req *r = net_req_new(PROTO_OP_MDS_SETXATTR, NULL);
	struct proto_cur c;
	int err;

	fill_pattern(body, 60000, 8);
	proto_put_bytes(net_req_body(r), body, 60000);
	err = net_call(cl, r);
	CHECK(err == 0, "60 KB request body: %s", strerror(-err));
	if (!err) {
		net_req_reply(r, &c);
		CHECK(proto_get_u32(&c) == proto_crc32c(0, body, 60000), "request body differs");
	}
	net_req_free(r);
	r = net_req_new(PROTO_OP_MDS_READDIR, NULL);
	proto_put_u64(net_req_body(r), 200 * 1024);
	proto_put_u64(net_req_body(r), 9);
	err = net_call(cl, r);
	CHECK(err == 0, "200 KiB reply body: %s", strerror(-err));
	if (!err) {
		net_req_reply(r, &c);
		fill_pattern(want, 200 * 1024, 9);
		CHECK(proto_cur_left(&c) == 200 * 1024 &&
			  memcmp(c.buf + c.pos, want, 200 * 1024) == 0,
		      "reply body differs");
	}
	net_req_free(r);
	free(body);
	free(want);
	printf("ok: bodies larger than a frame, both ways\n");
}

struct many {
	atomic_int done, failed;
};

static void many_cb(struct net_req *r, int status, void *arg)
{
	struct many *m = arg;

	if (status)
		atomic_fetch_add(&m->failed, 1);
	atomic_fetch_add(&m->done, 1);
	net_req_free(r);
}

static void check_many(struct net_client *cl)
{
	static uint8_t data[65536], sinks[32][65536];
	struct many m = {0};
	const int n = 2000;

	fill_pattern(data, sizeof(data), 10);
	for (int i = 0; i < n; i++) {
		struct net_req *r;

		if (i % 2) {
			r = net_req_new(PROTO_OP_OST_READ, NULL);
			proto_put_u64(net_req_body(r), (uint64_t)(i * 31 % 65536));
			proto_put_u64(net_req_body(r), (uint64_t)i);
			net_req_set_bulk_in(r, sinks[i % 32], sizeof(sinks[0]));
		} else {
			struct iovec iov = {data, (size_t)(1 + i * 17 % 65535)};

			r = net_req_new(PROTO_OP_OST_WRITE, NULL);
			net_req_set_bulk_out(r, &iov, 1);
		}
		net_req_send(cl, r, many_cb, &m);
	}
	while (atomic_load(&m.done) < n)
		usleep(1000);
	CHECK(atomic_load(&m.failed) == 0, "%d of %d concurrent requests failed",
	      atomic_load(&m.failed), n);
	printf("ok: %d requests in flight at once\n", n);
}

/* ---- finding a device and an address ---- */

/* An address of this host that rdma_cm binds to an RDMA device, or "" if none. */
static void find_rdma_addr(char *out, size_t len)
{
	struct rdma_event_channel *ch = rdma_create_event_channel();
	struct ifaddrs *ifs, *i;

	out[0] = '\0';
	if (!ch || getifaddrs(&ifs) != 0) {
		if (ch)
			rdma_destroy_event_channel(ch);
		return;
	}
	for (i = ifs; i && !out[0]; i = i->ifa_next) {
		struct rdma_cm_id *id;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		if (rdma_create_id(ch, &id, NULL, RDMA_PS_TCP) != 0)
			continue;
		if (rdma_bind_addr(id, i->ifa_addr) == 0 && id->verbs)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, out,
				  (socklen_t)len);
		rdma_destroy_id(id);
	}
	freeifaddrs(ifs);
	rdma_destroy_event_channel(ch);
}

static int skip(const char *why)
{
	printf("%s; skipping\n", why);
	return 77;
}

static uint16_t free_port(void)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	bind(fd, (struct sockaddr *)&in, sizeof(in));
	getsockname(fd, (struct sockaddr *)&in, &len);
	close(fd);
	return ntohs(in.sin_port);
}

int main(int argc, char **argv)
{
	bool simulated = argc > 1 && strcmp(argv[1], "--simulated") == 0;
	char addr[INET_ADDRSTRLEN + 1] = "127.0.0.1";
	struct net_client_cfg ccfg = {.name = "rdma-loop-target",
				      .fsname = FSNAME,
				      .nnids = 1,
				      .role = PROTO_ROLE_CLIENT,
				      .timeout_ms = 20000,
				      .reconnect_max_ms = 200};
	struct net_server *srv;
	struct net_client *cl;
	struct net_loop *loop;
	struct proto_nid nid = {.lnd = PROTO_LND_O2IB};
	uint16_t port = free_port();
	int err;

	net_log_init("rdma_loop", NET_LOG_WARN);
	if (simulated) {
		t_sim_install();
	} else {
		struct ibv_device **devs;
		int ndev = 0;
		struct rlimit rl;

		devs = ibv_get_device_list(&ndev);
		if (devs)
			ibv_free_device_list(devs);
		if (!devs || ndev == 0)
			return skip("no RDMA device (ibv_get_device_list returned 0)");
		if (argc > 1)
			snprintf(addr, sizeof(addr), "%s", argv[1]);
		else if (getenv("STRIA_RDMA_ADDR"))
			snprintf(addr, sizeof(addr), "%s", getenv("STRIA_RDMA_ADDR"));
		else
			find_rdma_addr(addr, sizeof(addr));
		if (!addr[0])
			return skip("an RDMA device exists but no IPv4 address binds to one "
				    "(set STRIA_RDMA_ADDR)");
		/* Registered memory is locked memory: take what the hard limit allows. */
		if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur < MEMLOCK_MIN) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_MEMLOCK, &rl);
			getrlimit(RLIMIT_MEMLOCK, &rl);
			if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < MEMLOCK_MIN &&
			    geteuid() != 0) {
				char why[160];

				snprintf(why, sizeof(why),
					 "RLIMIT_MEMLOCK is %llu KiB, too little to register "
					 "RDMA buffers (ulimit -l unlimited)",
					 (unsigned long long)rl.rlim_cur >> 10);
				return skip(why);
			}
		}
	}
	snprintf(nid.addr, sizeof(nid.addr), "%s", addr);
	printf("o2ib loopback on %s@o2ib port %u%s\n", addr, port,
	       simulated ? " (simulated device)" : "");

	srv = server_start(&nid, port);
	if (!srv)
		return 1;
	ccfg.nids[0] = nid;
	ccfg.port = port;
	if (net_uuid_generate(ccfg.uuid) || net_loop_new(&loop) ||
	    net_loop_start(loop, "rdma-loop-cl") || net_client_new(loop, &ccfg, &cl)) {
		fprintf(stderr, "FAIL: cannot start the client\n");
		return 1;
	}
	err = ping(cl);
	CHECK(err == 0, "ping: %s", strerror(-err));
	if (!err) {
		printf("ok: ping\n");
		check_bulk(cl);
		check_large_bodies(cl);
		check_many(cl);
		/* The server goes away and comes back: the client reconnects and resends. */
		net_server_free(srv);
		srv = server_start(&nid, port);
		CHECK(srv != NULL, "the server did not restart");
		err = ping(cl);
		CHECK(err == 0, "ping after the server restarted: %s", strerror(-err));
		if (!err)
			printf("ok: reconnected after a server restart\n");
	}
	net_client_free(cl);
	net_loop_stop(loop);
	net_loop_free(loop);
	net_server_free(srv);
	if (simulated) {
		struct t_sim_stats st;

		t_sim_stats(&st);
		t_sim_uninstall();
		CHECK(st.violations == 0, "%llu work requests a device would have refused",
		      (unsigned long long)st.violations);
		CHECK(st.reads > 0 && st.writes > 0, "no RDMA READ or WRITE was used");
		CHECK(st.eps_live == 0 && st.mrs_live == 0 && st.pds_live == 0,
		      "endpoints, registrations or protection domains left behind");
	}
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("PASS\n");
	return 0;
}
