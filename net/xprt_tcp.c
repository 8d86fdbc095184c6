/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TCP transport.  A message is its header, body and bulk back to back on
 * the stream.  Small messages are read through a 64 KiB buffer (many per
 * read()); large bodies and bulk are read straight into their destination.
 * Writes are queued and flushed with one writev per loop iteration per
 * connection, so pipelined messages share syscalls.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xprt.h"

#define RXBUF_SIZE	  (64u * 1024u)
#define DIRECT_MIN	  (16u * 1024u) /* read sections at least this long straight into place */
#define TX_IOV_MAX	  512
#define RX_MSGS_PER_EVENT 128

enum rx_state {
	RX_HDR,
	RX_BODY,
	RX_BULK,
};

struct net_conn {
	struct net_loop *loop;
	int fd;
	char peer[64];
	const struct net_conn_ops *ops;
	void *arg;
	bool connecting;
	bool closed;
	bool paused;
	bool want_write; /* EPOLLOUT armed */
	bool flush_queued;
	struct net_call flush_call;
	struct net_call free_call;
	/* tx: queued messages; tx_off bytes of the head are already written */
	struct net_msg *txq_head, *txq_tail;
	size_t tx_off;
	/* rx */
	uint8_t *rxbuf;
	uint32_t rx_start, rx_end;
	enum rx_state rx_state;
	struct net_msg *rx_msg;
	uint32_t rx_done; /* bytes of the current section received */
	bool rx_discard;  /* drop the rest of the current bulk */
};

struct net_listener {
	struct net_loop *loop;
	int fd;
	void (*on_accept)(struct net_conn *c, void *arg);
	void *arg;
};

static void conn_flush(struct net_conn *c);
static void tcp_close(struct net_conn *c, int err);

static void format_peer(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s:%d", host, net_sockaddr_host(ss, host, sizeof(host)));
}

static void set_sockopts(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
}

static void conn_free_cb(void *arg)
{
	struct net_conn *c = arg;

	free(c->rxbuf);
	free(c);
}

static void flush_cb(void *arg)
{
	struct net_conn *c = arg;

	c->flush_queued = false;
	if (!c->closed)
		conn_flush(c);
}

static void update_events(struct net_conn *c)
{
	uint32_t ev = 0;

	if (c->closed)
		return;
	if (!c->paused && !c->connecting)
		ev |= NET_EV_READ;
	if (c->want_write || c->connecting)
		ev |= NET_EV_WRITE;
	net_loop_mod_fd(c->loop, c->fd, ev);
}

/* ---- receive ---- */

static uint32_t body_cap(struct net_conn *c)
{
	return c->ops->body_cap ? c->ops->body_cap(c, c->arg) : PROTO_BODY_MAX;
}

/* Fills rxbuf; returns bytes read, 0 on EAGAIN, or -errno (-ECONNRESET at EOF). */
static ssize_t fill_rxbuf(struct net_conn *c)
{
	ssize_t n;

	if (c->rx_start == c->rx_end) {
		c->rx_start = c->rx_end = 0;
	} else if (c->rx_start > 0 && RXBUF_SIZE - c->rx_end < PROTO_HDR_LEN) {
		memmove(c->rxbuf, c->rxbuf + c->rx_start, c->rx_end - c->rx_start);
		c->rx_end -= c->rx_start;
		c->rx_start = 0;
	}
	n = read(c->fd, c->rxbuf + c->rx_end, RXBUF_SIZE - c->rx_end);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	c->rx_end += (uint32_t)n;
	return n;
}

/*
 * Moves up to @want bytes of the current section into @dst (NULL: discard),
 * from rxbuf first, then from the socket (straight into @dst when the rest is
 * large).  Returns bytes moved, 0 if the socket had nothing, or -errno.
 */
static ssize_t rx_section(struct net_conn *c, uint8_t *dst, uint32_t want)
{
	uint32_t avail = c->rx_end - c->rx_start;
	ssize_t n;

	if (avail > 0) {
		uint32_t k = avail < want ? avail : want;

		if (dst)
			memcpy(dst, c->rxbuf + c->rx_start, k);
		c->rx_start += k;
		return k;
	}
	if (dst && want >= DIRECT_MIN) {
		n = read(c->fd, dst, want);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
		return n;
	}
	n = fill_rxbuf(c);
	if (n <= 0)
		return n;
	return rx_section(c, dst, want);
}

static int rx_header(struct net_conn *c)
{
	struct net_msg *m;
	struct proto_hdr h;
	int err;

	while (c->rx_end - c->rx_start < PROTO_HDR_LEN) {
		ssize_t n = fill_rxbuf(c);

		if (n <= 0)
			return (int)n;
	}
	err = proto_hdr_decode(c->rxbuf + c->rx_start, body_cap(c), &h);
	if (err) {
		NET_ERR("tcp: peer %s sent a malformed message header (%s); closing the connection",
			c->peer, strerror(-err));
		return err;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	memcpy(m->hdr_buf, c->rxbuf + c->rx_start, PROTO_HDR_LEN);
	c->rx_start += PROTO_HDR_LEN;
	m->hdr = h;
	if (h.body_len) {
		m->body = malloc(h.body_len);
		if (!m->body) {
			free(m);
			return -ENOMEM;
		}
	}
	c->rx_msg = m;
	c->rx_done = 0;
	c->rx_state = RX_BODY;
	return 1;
}

static int rx_body(struct net_conn *c)
{
	struct net_msg *m = c->rx_msg;

	while (c->rx_done < m->hdr.body_len) {
		ssize_t n = rx_section(c, m->body + c->rx_done, m->hdr.body_len - c->rx_done);

		if (n <= 0)
			return (int)n;
		c->rx_done += (uint32_t)n;
	}
	c->rx_done = 0;
	c->rx_discard = false;
	if (m->hdr.bulk_len) {
		void *sink = c->ops->bulk_sink ? c->ops->bulk_sink(c, &m->hdr, c->arg) : NULL;

		if (c->closed)
			return -ECONNRESET;
		if (!sink) {
			sink = net_bulk_alloc(m->hdr.bulk_len);
			if (!sink)
				return -ENOMEM;
			m->bulk_owned = true;
		}
		m->bulk = sink;
	}
	c->rx_state = RX_BULK;
	return 1;
}

static int rx_bulk(struct net_conn *c)
{
	struct net_msg *m = c->rx_msg;

	while (c->rx_done < m->hdr.bulk_len) {
		uint8_t *dst = c->rx_discard ? NULL : (uint8_t *)m->bulk + c->rx_done;
		ssize_t n = rx_section(c, dst, m->hdr.bulk_len - c->rx_done);

		if (n <= 0)
			return (int)n;
		c->rx_done += (uint32_t)n;
	}
	if (c->rx_discard) {
		/* Its receiver went away (a cancelled request): nothing to deliver. */
		if (m->bulk_owned)
			net_bulk_free(m->bulk, m->hdr.bulk_len);
		m->bulk = NULL;
		m->bulk_owned = false;
		m->hdr.bulk_len = 0;
	}
	c->rx_msg = NULL;
	c->rx_state = RX_HDR;
	c->ops->on_msg(c, m, c->arg);
	return 1;
}

static void on_readable(struct net_conn *c)
{
	int delivered = 0;

	while (!c->closed && !c->paused && delivered < RX_MSGS_PER_EVENT) {
		int r;

		switch (c->rx_state) {
		case RX_HDR:
			r = rx_header(c);
			break;
		case RX_BODY:
			r = rx_body(c);
			break;
		default:
			r = rx_bulk(c);
			if (r > 0)
				delivered++;
			break;
		}
		if (r == 0)
			return;
		if (r < 0) {
			if (!c->closed)
				tcp_close(c, r);
			return;
		}
	}
}

/* ---- send ---- */

static void msg_done(struct net_msg *m, int err)
{
	if (m->sent)
		m->sent(m, err);
}

/* Bytes of @m on the wire. */
static size_t msg_wire_len(const struct net_msg *m)
{
	return PROTO_HDR_LEN + m->hdr.body_len + m->hdr.bulk_len;
}

/*
 * writev(2) that never raises SIGPIPE: a peer that went away is an EPIPE for
 * the connection, not a signal that kills a program (the CLI) that did not
 * ignore it.
 */
static ssize_t sock_writev(int fd, struct iovec *iov, int n)
{
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};

	return sendmsg(fd, &mh, MSG_NOSIGNAL);
}

/* The pieces of @m on the wire, in order, into @seg (2 + NET_MSG_MAX_IOV); returns their number. */
static int msg_segs(const struct net_msg *m, struct iovec *seg)
{
	int ns = 0;

	seg[ns++] = (struct iovec){(void *)m->hdr_buf, PROTO_HDR_LEN};
	if (m->hdr.body_len)
		seg[ns++] = (struct iovec){m->body, m->hdr.body_len};
	for (int i = 0; i < m->bulk_niov; i++)
		if (m->bulk_iov[i].iov_len)
			seg[ns++] = m->bulk_iov[i];
	return ns;
}

static void conn_flush(struct net_conn *c)
{
	while (c->txq_head && !c->closed) {
		struct iovec iov[TX_IOV_MAX];
		int n = 0;
		size_t skip = c->tx_off;
		ssize_t w;

		for (struct net_msg *m = c->txq_head; m && n < TX_IOV_MAX - 2 - NET_MSG_MAX_IOV;
		     m = m->next) {
			struct iovec seg[2 + NET_MSG_MAX_IOV];
			int ns = msg_segs(m, seg);

			for (int i = 0; i < ns; i++) {
				if (skip >= seg[i].iov_len) {
					skip -= seg[i].iov_len;
					continue;
				}
				iov[n].iov_base = (uint8_t *)seg[i].iov_base + skip;
				iov[n].iov_len = seg[i].iov_len - skip;
				skip = 0;
				n++;
			}
		}
		w = sock_writev(c->fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if (!c->want_write) {
					c->want_write = true;
					update_events(c);
				}
				return;
			}
			NET_WARN("tcp: write to %s failed: %s", c->peer, strerror(errno));
			tcp_close(c, -errno);
			return;
		}
		c->tx_off += (size_t)w;
		while (c->txq_head && c->tx_off >= msg_wire_len(c->txq_head)) {
			struct net_msg *m = c->txq_head;

			c->tx_off -= msg_wire_len(m);
			c->txq_head = m->next;
			if (!c->txq_head)
				c->txq_tail = NULL;
			m->next = NULL;
			msg_done(m, 0);
		}
	}
	if (c->want_write && !c->closed) {
		c->want_write = false;
		update_events(c);
	}
}

static void tcp_send(struct net_conn *c, struct net_msg *m)
{
	if (c->closed) {
		msg_done(m, -ECONNRESET);
		return;
	}
	m->next = NULL;
	if (c->txq_tail)
		c->txq_tail->next = m;
	else
		c->txq_head = m;
	c->txq_tail = m;
	/* Flush once the current batch of events has been handled. */
	if (!c->flush_queued && !c->want_write && !c->connecting) {
		c->flush_queued = true;
		c->flush_call.fn = flush_cb;
		c->flush_call.arg = c;
		net_loop_post(c->loop, &c->flush_call);
	}
}

/*
 * Writes @m at once when nothing is queued before it: 1 if all of it went
 * out (m->sent is not called: the caller finishes it), 0 if the transport
 * queued it (or what is left of it) as tcp_send does, -ENOTCONN (nothing
 * done) on a closed connection.  A write error is left for the loop's flush
 * to meet, so that closing, and its callbacks, happen there.
 */
static int tcp_send_now(struct net_conn *c, struct net_msg *m)
{
	struct iovec seg[2 + NET_MSG_MAX_IOV];
	size_t len = msg_wire_len(m);
	ssize_t w;
	int ns;

	if (c->closed)
		return -ENOTCONN;
	if (c->connecting || c->txq_head || c->want_write) {
		tcp_send(c, m);
		return 0;
	}
	ns = msg_segs(m, seg);
	do
		w = sock_writev(c->fd, seg, ns);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)len)
		return 1;
	/* A short write, a full socket buffer or an error: the loop takes over. */
	tcp_send(c, m);
	if (w > 0)
		c->tx_off = (size_t)w;
	return 0;
}

/* ---- events ---- */

static void on_connect_done(struct net_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	c->connecting = false;
	if (err) {
		tcp_close(c, -err);
		return;
	}
	update_events(c);
	c->ops->on_connected(c, 0, c->arg);
	if (!c->closed && c->txq_head)
		conn_flush(c);
}

static void conn_event(void *arg, uint32_t ev)
{
	struct net_conn *c = arg;

	if (c->connecting) {
		if (ev & (NET_EV_WRITE | NET_EV_READ))
			on_connect_done(c);
		return;
	}
	if ((ev & NET_EV_WRITE) && !c->closed)
		conn_flush(c);
	if ((ev & NET_EV_READ) && !c->closed)
		on_readable(c);
}

static struct net_conn *conn_new(struct net_loop *loop, int fd)
{
	struct net_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->rxbuf = malloc(RXBUF_SIZE);
	if (!c->rxbuf) {
		free(c);
		return NULL;
	}
	c->loop = loop;
	c->fd = fd;
	return c;
}

static void tcp_set_ops(struct net_conn *c, const struct net_conn_ops *ops, void *arg)
{
	c->ops = ops;
	c->arg = arg;
}

static void tcp_close(struct net_conn *c, int err)
{
	struct net_msg *m;

	if (c->closed)
		return;
	c->closed = true;
	net_loop_del_fd(c->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	while ((m = c->txq_head) != NULL) {
		c->txq_head = m->next;
		m->next = NULL;
		msg_done(m, -ECONNRESET);
	}
	c->txq_tail = NULL;
	if (c->rx_msg) {
		net_msg_free(c->rx_msg);
		c->rx_msg = NULL;
	}
	if (c->ops && c->ops->on_close)
		c->ops->on_close(c, err, c->arg);
	/* Free once the current call stack (which may still hold @c) unwinds. */
	c->free_call.fn = conn_free_cb;
	c->free_call.arg = c;
	net_loop_post(c->loop, &c->free_call);
}

static void tcp_abort_rx_bulk(struct net_conn *c)
{
	if (c->rx_state == RX_BULK)
		c->rx_discard = true;
}

static void tcp_pause_rx(struct net_conn *c, bool pause)
{
	if (c->paused == pause || c->closed)
		return;
	c->paused = pause;
	update_events(c);
	if (!pause && c->rx_end > c->rx_start) {
		/* Messages may already sit in rxbuf: epoll will not report them. */
		on_readable(c);
	}
}

static const char *tcp_peer(const struct net_conn *c)
{
	return c->peer;
}

static int tcp_connect(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
		       struct net_conn **out)
{
	struct net_conn *c;
	int fd, err;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_sockopts(fd);
	c = conn_new(loop, fd);
	if (!c) {
		err = -ENOMEM;
		goto err_close;
	}
	format_peer((const struct sockaddr_storage *)sa, c->peer, sizeof(c->peer));
	if (connect(fd, sa, salen) < 0 && errno != EINPROGRESS) {
		err = -errno;
		goto err_free;
	}
	c->connecting = true;
	err = net_loop_add_fd(loop, fd, NET_EV_WRITE, conn_event, c);
	if (err)
		goto err_free;
	*out = c;
	return 0;

err_free:
	free(c->rxbuf);
	free(c);
err_close:
	close(fd);
	return err;
}

static void on_accept(void *arg, uint32_t ev)
{
	struct net_listener *l = arg;

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct net_conn *c;
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				NET_WARN("tcp: accept failed: %s", strerror(errno));
			return;
		}
		set_sockopts(fd);
		c = conn_new(l->loop, fd);
		if (!c) {
			NET_ERR("tcp: out of memory accepting a connection");
			close(fd);
			continue;
		}
		format_peer(&ss, c->peer, sizeof(c->peer));
		if (net_loop_add_fd(l->loop, fd, NET_EV_READ, conn_event, c) < 0) {
			close(fd);
			free(c->rxbuf);
			free(c);
			continue;
		}
		l->on_accept(c, l->arg);
	}
}

static int tcp_listen(struct net_loop *loop, const struct sockaddr *sa, socklen_t salen,
		      void (*accept_fn)(struct net_conn *c, void *arg), void *arg,
		      struct net_listener **out)
{
	struct net_listener *l;
	int fd, one = 1, err;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, sa, salen) < 0 || listen(fd, 1024) < 0) {
		err = -errno;
		goto err_close;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		err = -ENOMEM;
		goto err_close;
	}
	l->loop = loop;
	l->fd = fd;
	l->on_accept = accept_fn;
	l->arg = arg;
	err = net_loop_add_fd(loop, fd, NET_EV_READ, on_accept, l);
	if (err) {
		free(l);
		goto err_close;
	}
	*out = l;
	return 0;

err_close:
	close(fd);
	return err;
}

static void tcp_listener_close(struct net_listener *l)
{
	if (!l)
		return;
	net_loop_del_fd(l->loop, l->fd);
	close(l->fd);
	free(l);
}

const struct net_xprt net_xprt_tcp = {
    .name = "tcp",
    .lnd = PROTO_LND_TCP,
    .listen = tcp_listen,
    .listener_close = tcp_listener_close,
    .connect = tcp_connect,
    .set_ops = tcp_set_ops,
    .send = tcp_send,
    .send_now = tcp_send_now,
    .abort_rx_bulk = tcp_abort_rx_bulk,
    .close = tcp_close,
    .pause_rx = tcp_pause_rx,
    .peer = tcp_peer,
};
