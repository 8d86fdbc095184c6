/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event loop: epoll for file events, a binary heap of timers, a queue of
 * cross-thread calls woken through an eventfd, and before-sleep hooks (where
 * transports flush the writes queued during the iteration, so that many small
 * messages leave in one writev).
 *
 * Ownership.  Loop-thread state belongs to whoever holds own_mu: the loop's
 * thread holds it except while it sleeps in epoll_wait.  Waking a sleeping
 * loop costs a context switch (on a virtual machine, often an IPI to a halted
 * CPU: tens of microseconds), so a thread with a small piece of loop work
 * (write a request or a reply on a socket) may take own_mu while the loop
 * sleeps and do that work itself (net_loop_borrow).  It gets the loop only
 * when nothing is queued for it, so posting order is kept, and whatever it
 * queues or arms meanwhile wakes the loop when it lets go.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

struct fd_slot {
	net_fd_fn fn;
	void *arg;
	uint32_t events;
	bool used;
};

struct hook {
	void (*fn)(void *arg);
	void *arg;
};

struct net_timer {
	struct net_loop *loop;
	net_timer_fn fn;
	void *arg;
	uint64_t deadline;
	size_t heap_idx; /* SIZE_MAX when not armed */
};

#define MAX_HOOKS 8

struct net_loop {
	int epfd;
	int evfd;
	/* Loop thread only. */
	struct fd_slot *fds;
	int nfds;
	struct net_timer **heap;
	size_t nheap, heap_cap;
	struct hook hooks[MAX_HOOKS];
	int nhooks;
	/* Protected by call_lock. */
	pthread_mutex_t call_lock;
	struct net_call *call_head, *call_tail;
	bool woken; /* an eventfd write is pending */
	/* Set by any thread, read by the loop. */
	atomic_bool stop; /* any thread sets it; the loop reads it */
	pthread_t thread;
	bool has_thread;
	/*
	 * Ownership (see the top of the file).  owner_tok is the token of the
	 * thread holding own_mu, 0 while nobody does; written under own_mu by
	 * that thread, read by any thread only to compare with its own token.
	 */
	pthread_mutex_t own_mu;
	_Atomic uintptr_t owner_tok;
	atomic_bool running; /* net_loop_run is between its start and its end */
	/* Protected by call_lock: calls that need no wake-up (net_loop_post_lazy). */
	struct net_call *lazy_head, *lazy_tail;
	uint64_t borrow_deadline; /* owner: the first timer's deadline when borrowed */
};

/* A thread's identity: the address of a thread-local byte. */
static __thread char tl_tok;

static uintptr_t self_tok(void)
{
	return (uintptr_t)&tl_tok;
}

uint64_t net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int net_loop_new(struct net_loop **out)
{
	struct net_loop *loop;
	int err;

	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return -ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		err = -errno;
		goto err_free;
	}
	loop->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->evfd < 0) {
		err = -errno;
		goto err_epoll;
	}
	{
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = loop->evfd};

		if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->evfd, &ev) < 0) {
			err = -errno;
			goto err_evfd;
		}
	}
	pthread_mutex_init(&loop->call_lock, NULL);
	pthread_mutex_init(&loop->own_mu, NULL);
	*out = loop;
	return 0;

err_evfd:
	close(loop->evfd);
err_epoll:
	close(loop->epfd);
err_free:
	free(loop);
	return err;
}

void net_loop_free(struct net_loop *loop)
{
	if (!loop)
		return;
	close(loop->evfd);
	close(loop->epfd);
	free(loop->fds);
	free(loop->heap);
	pthread_mutex_destroy(&loop->call_lock);
	pthread_mutex_destroy(&loop->own_mu);
	free(loop);
}

bool net_loop_in_thread(const struct net_loop *loop)
{
	/* Only this thread ever stores its own token, so a relaxed load suffices. */
	return atomic_load_explicit(&loop->owner_tok, memory_order_relaxed) == self_tok();
}

static void own(struct net_loop *loop)
{
	pthread_mutex_lock(&loop->own_mu);
	atomic_store_explicit(&loop->owner_tok, self_tok(), memory_order_relaxed);
}

static void disown(struct net_loop *loop)
{
	atomic_store_explicit(&loop->owner_tok, 0, memory_order_relaxed);
	pthread_mutex_unlock(&loop->own_mu);
}

static void wake(struct net_loop *loop)
{
	uint64_t one = 1;

	if (write(loop->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		NET_ERR("event loop: eventfd write failed: %s", strerror(errno));
}

/* Appends @c to the queue @head..@tail (call_lock held). */
static void append(struct net_call **head, struct net_call **tail, struct net_call *c)
{
	c->next = NULL;
	if (*tail)
		(*tail)->next = c;
	else
		*head = c;
	*tail = c;
}

void net_loop_post(struct net_loop *loop, struct net_call *c)
{
	bool need_wake;

	pthread_mutex_lock(&loop->call_lock);
	append(&loop->call_head, &loop->call_tail, c);
	need_wake = !loop->woken;
	loop->woken = true;
	pthread_mutex_unlock(&loop->call_lock);
	/* The loop thread itself drains the queue before it sleeps again. */
	if (need_wake && !net_loop_in_thread(loop))
		wake(loop);
}

void net_loop_post_lazy(struct net_loop *loop, struct net_call *c)
{
	pthread_mutex_lock(&loop->call_lock);
	append(&loop->lazy_head, &loop->lazy_tail, c);
	pthread_mutex_unlock(&loop->call_lock);
}

static uint64_t first_deadline(const struct net_loop *loop)
{
	return loop->nheap ? loop->heap[0]->deadline : UINT64_MAX;
}

bool net_loop_borrow(struct net_loop *loop)
{
	bool queued;

	if (!atomic_load(&loop->running) || net_loop_in_thread(loop))
		return false;
	if (pthread_mutex_trylock(&loop->own_mu) != 0)
		return false;
	pthread_mutex_lock(&loop->call_lock);
	queued = loop->call_head != NULL;
	pthread_mutex_unlock(&loop->call_lock);
	/* Earlier posts run first, on the loop; a stopping loop is left alone. */
	if (queued || !atomic_load(&loop->running) || atomic_load(&loop->stop)) {
		pthread_mutex_unlock(&loop->own_mu);
		return false;
	}
	atomic_store_explicit(&loop->owner_tok, self_tok(), memory_order_relaxed);
	loop->borrow_deadline = first_deadline(loop);
	return true;
}

void net_loop_unborrow(struct net_loop *loop)
{
	bool need_wake;

	/*
	 * The loop computed its sleep before we came: calls we queued and a
	 * timer we armed earlier than its first one need it awake.
	 */
	need_wake = first_deadline(loop) < loop->borrow_deadline;
	pthread_mutex_lock(&loop->call_lock);
	if (loop->call_head)
		need_wake = true;
	pthread_mutex_unlock(&loop->call_lock);
	disown(loop);
	if (need_wake)
		wake(loop);
}

void net_loop_break(struct net_loop *loop)
{
	atomic_store(&loop->stop, true);
	wake(loop);
}

static void run_calls(struct net_loop *loop)
{
	struct net_call *c;

	for (;;) {
		pthread_mutex_lock(&loop->call_lock);
		c = loop->call_head;
		loop->call_head = NULL;
		loop->call_tail = NULL;
		if (!c) {
			loop->woken = false;
			c = loop->lazy_head;
			loop->lazy_head = NULL;
			loop->lazy_tail = NULL;
		}
		pthread_mutex_unlock(&loop->call_lock);
		if (!c)
			break;
		while (c) {
			struct net_call *next = c->next;

			c->fn(c->arg);
			c = next;
		}
	}
}

static uint32_t to_epoll(uint32_t ev)
{
	return ((ev & NET_EV_READ) ? EPOLLIN | EPOLLRDHUP : 0) |
	       ((ev & NET_EV_WRITE) ? EPOLLOUT : 0);
}

int net_loop_add_fd(struct net_loop *loop, int fd, uint32_t events, net_fd_fn fn, void *arg)
{
	struct epoll_event ev = {.events = to_epoll(events), .data.fd = fd};

	if (fd < 0)
		return -EBADF;
	if (fd >= loop->nfds) {
		int n = loop->nfds ? loop->nfds : 64;
		struct fd_slot *fds;

		while (n <= fd)
			n *= 2;
		fds = realloc(loop->fds, (size_t)n * sizeof(*fds));
		if (!fds)
			return -ENOMEM;
		memset(fds + loop->nfds, 0, (size_t)(n - loop->nfds) * sizeof(*fds));
		loop->fds = fds;
		loop->nfds = n;
	}
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	loop->fds[fd] = (struct fd_slot){.fn = fn, .arg = arg, .events = events, .used = true};
	return 0;
}

int net_loop_mod_fd(struct net_loop *loop, int fd, uint32_t events)
{
	struct epoll_event ev = {.events = to_epoll(events), .data.fd = fd};

	if (fd < 0 || fd >= loop->nfds || !loop->fds[fd].used)
		return -EBADF;
	if (loop->fds[fd].events == events)
		return 0;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	loop->fds[fd].events = events;
	return 0;
}

void net_loop_del_fd(struct net_loop *loop, int fd)
{
	if (fd < 0 || fd >= loop->nfds || !loop->fds[fd].used)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->fds[fd].used = false;
}

int net_loop_add_before_sleep(struct net_loop *loop, void (*fn)(void *arg), void *arg)
{
	if (loop->nhooks == MAX_HOOKS)
		return -ENOSPC;
	loop->hooks[loop->nhooks++] = (struct hook){fn, arg};
	return 0;
}

/* ---- timers: a binary min-heap on deadline ---- */

static void heap_swap(struct net_loop *loop, size_t a, size_t b)
{
	struct net_timer *t = loop->heap[a];

	loop->heap[a] = loop->heap[b];
	loop->heap[b] = t;
	loop->heap[a]->heap_idx = a;
	loop->heap[b]->heap_idx = b;
}

static void heap_up(struct net_loop *loop, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (loop->heap[p]->deadline <= loop->heap[i]->deadline)
			break;
		heap_swap(loop, i, p);
		i = p;
	}
}

static void heap_down(struct net_loop *loop, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < loop->nheap && loop->heap[l]->deadline < loop->heap[m]->deadline)
			m = l;
		if (r < loop->nheap && loop->heap[r]->deadline < loop->heap[m]->deadline)
			m = r;
		if (m == i)
			break;
		heap_swap(loop, i, m);
		i = m;
	}
}

static void heap_remove(struct net_loop *loop, struct net_timer *t)
{
	size_t i = t->heap_idx, last = loop->nheap - 1;

	if (i != last) {
		heap_swap(loop, i, last);
		loop->nheap--;
		heap_down(loop, i);
		heap_up(loop, i);
	} else {
		loop->nheap--;
	}
	t->heap_idx = SIZE_MAX;
}

int net_timer_new(struct net_loop *loop, net_timer_fn fn, void *arg, struct net_timer **out)
{
	struct net_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->loop = loop;
	t->fn = fn;
	t->arg = arg;
	t->heap_idx = SIZE_MAX;
	*out = t;
	return 0;
}

void net_timer_arm(struct net_timer *t, uint64_t ms)
{
	struct net_loop *loop = t->loop;

	if (t->heap_idx != SIZE_MAX)
		heap_remove(loop, t);
	if (loop->nheap == loop->heap_cap) {
		size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
		struct net_timer **h = realloc(loop->heap, cap * sizeof(*h));

		if (!h) {
			/* Out of memory: fire on the next iteration instead of never. */
			NET_ERR("event loop: out of memory arming a timer");
			abort();
		}
		loop->heap = h;
		loop->heap_cap = cap;
	}
	t->deadline = net_now_ms() + ms;
	t->heap_idx = loop->nheap;
	loop->heap[loop->nheap++] = t;
	heap_up(loop, t->heap_idx);
}

void net_timer_disarm(struct net_timer *t)
{
	if (t && t->heap_idx != SIZE_MAX)
		heap_remove(t->loop, t);
}

void net_timer_free(struct net_timer *t)
{
	if (!t)
		return;
	net_timer_disarm(t);
	free(t);
}

static int next_timeout(struct net_loop *loop)
{
	uint64_t now;

	if (loop->nheap == 0)
		return -1;
	now = net_now_ms();
	if (loop->heap[0]->deadline <= now)
		return 0;
	return (int)(loop->heap[0]->deadline - now);
}

static void run_timers(struct net_loop *loop)
{
	uint64_t now = net_now_ms();

	while (loop->nheap > 0 && loop->heap[0]->deadline <= now) {
		struct net_timer *t = loop->heap[0];

		heap_remove(loop, t);
		t->fn(t->arg);
	}
}

int net_loop_run(struct net_loop *loop)
{
	struct epoll_event evs[64];
	int err = 0;

	own(loop);
	atomic_store(&loop->running, true);
	while (!atomic_load(&loop->stop)) {
		int n, timeout;

		for (int i = 0; i < loop->nhooks; i++)
			loop->hooks[i].fn(loop->hooks[i].arg);
		pthread_mutex_lock(&loop->call_lock);
		timeout = loop->call_head ? 0 : next_timeout(loop);
		pthread_mutex_unlock(&loop->call_lock);
		disown(loop);
		n = epoll_wait(loop->epfd, evs, 64, timeout);
		err = n < 0 ? errno : 0;
		own(loop);
		if (n < 0) {
			if (err == EINTR) {
				err = 0;
				continue;
			}
			NET_ERR("event loop: epoll_wait: %s", strerror(err));
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			uint32_t e = 0;

			if (fd == loop->evfd) {
				uint64_t v;

				if (read(loop->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					NET_ERR("event loop: eventfd read: %s", strerror(errno));
				continue;
			}
			if (fd >= loop->nfds || !loop->fds[fd].used)
				continue;
			if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
				e |= NET_EV_READ;
			if (evs[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
				e |= NET_EV_WRITE;
			loop->fds[fd].fn(loop->fds[fd].arg, e);
		}
		run_calls(loop);
		run_timers(loop);
	}
	if (!err)
		atomic_store(&loop->stop, false);
	atomic_store(&loop->running, false);
	disown(loop);
	return err ? -err : 0;
}

static void *loop_thread(void *arg)
{
	net_loop_run(arg);
	return NULL;
}

int net_loop_start(struct net_loop *loop, const char *name)
{
	int err = pthread_create(&loop->thread, NULL, loop_thread, loop);

	if (err)
		return -err;
	if (name) {
		char n[16];

		snprintf(n, sizeof(n), "%s", name);
		pthread_setname_np(loop->thread, n);
	}
	loop->has_thread = true;
	return 0;
}

void net_loop_stop(struct net_loop *loop)
{
	if (!loop->has_thread)
		return;
	net_loop_break(loop);
	pthread_join(loop->thread, NULL);
	loop->has_thread = false;
}
