/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bounded LRU cache of object fds (private to oss).
 *
 * An entry holds up to two fds of one object: a buffered one and an
 * O_DIRECT one, each opened on first use.  Callers hold a reference while an
 * I/O is in flight; only idle entries (no references) are on the LRU list
 * and can be evicted, least recently used first, whenever the number of
 * open fds exceeds the capacity.  So the fd count is bounded by the capacity
 * plus the fds of entries in use (at most two per in-flight request).
 *
 * Opening happens outside the cache lock, in the calling thread; an entry
 * being opened is in the table already so concurrent users of the same
 * object wait for it instead of opening it twice.  oss_fdc_forget() (object
 * destroyed) removes an entry at once: later lookups open the path again
 * (and get -ENOENT), and an open that raced with the destroy fails -ENOENT.
 */
#ifndef STRIA_OSS_FDCACHE_H
#define STRIA_OSS_FDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct oss_fdc;
struct oss_fdc_ent;

/* Opens object @id (O_DIRECT if @direct); returns the fd or -errno. */
typedef int (*oss_fdc_open_fn)(void *ctx, uint64_t id, bool direct);

/*
 * Creates a cache of at most @cap (>= 1) idle fds that opens objects with
 * @open(@ctx, ...).  Returns 0 and *@out, or -ENOMEM / -EINVAL.
 */
int oss_fdc_create(size_t cap, oss_fdc_open_fn open, void *ctx, struct oss_fdc **out);

/* Closes every fd and frees @c; no reference may be held.  NULL is a no-op. */
void oss_fdc_destroy(struct oss_fdc *c);

/*
 * Returns 0 with a reference to object @id's entry in *@ent and its fd
 * (O_DIRECT one if @direct) in *@fd, opening it if needed; or -errno from
 * the open (-ENOENT: no such object; -EINVAL with @direct: the file system
 * refuses O_DIRECT), with no reference held.  Thread-safe; may block in
 * open() and while another thread opens the same object.
 */
int oss_fdc_get(struct oss_fdc *c, uint64_t id, bool direct, struct oss_fdc_ent **ent, int *fd);

/* Drops a reference from oss_fdc_get().  Thread-safe. */
void oss_fdc_put(struct oss_fdc *c, struct oss_fdc_ent *e);

/* Forgets object @id (it is being destroyed).  Thread-safe. */
void oss_fdc_forget(struct oss_fdc *c, uint64_t id);

/* Fds held now (open, cached or in use).  Thread-safe. */
size_t oss_fdc_nfds(struct oss_fdc *c);

/* Whether the object's parent-FID xattr is known to be set (lock-free). */
bool oss_fdc_fid_known(const struct oss_fdc_ent *e);
void oss_fdc_set_fid_known(struct oss_fdc_ent *e);

#endif
