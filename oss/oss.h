/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oss: the storage engine of an object storage server, independent of the
 * network.  Two halves:
 *
 *  - struct oss_ost: one object storage target, a directory on a local file
 *    system holding objects (files in a hashed tree, see docs/oss.md) and its
 *    persistent state (LAST_ID).  Management operations (precreate, orphan
 *    cleanup, destroy, getattr, statfs) are synchronous calls that may block
 *    on metadata I/O; call them from a thread that may block (an RPC handler
 *    worker), never from an oss completion callback.
 *
 *  - struct oss_engine: the io_uring I/O engine.  Data operations (read,
 *    write, punch, fallocate, truncate, sync) are described by a
 *    caller-owned struct oss_req, started with oss_submit() (which never
 *    waits for I/O) and finished by a completion callback that runs on an
 *    engine thread.  One engine serves any number of OSTs.
 *
 * Errors are -errno throughout.  Object ids are OST-local and never 0.
 */
#ifndef STRIA_OSS_H
#define STRIA_OSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "proto/attr.h"
#include "proto/fid.h"

struct oss_ost;
struct oss_engine;
struct oss_req;

/* ---- logging ---------------------------------------------------------- */

/*
 * Where log lines go.  @line is one complete line without the newline, e.g.
 * "oss: testfs-OST0003 (/srv/ost3): object 0x1f: write: No space left on
 * device".  The default sink writes it to stderr.  Set once at start-up,
 * before any OST is opened (not synchronised against concurrent logging).
 */
typedef void (*oss_log_sink_fn)(const char *line, void *arg);
void oss_log_set_sink(oss_log_sink_fn sink, void *arg);

/*
 * Logs one printf-style line prefixed "oss: NAME (DIR): " (or "oss: " when
 * @ost is NULL).  Thread-safe; never fails.
 */
void oss_log(const struct oss_ost *ost, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- targets ---------------------------------------------------------- */

#define OSS_FD_CACHE_DEFAULT 512u
/* Largest batch of one precreate call (Lustre's OST_MAX_PRECREATE). */
#define OSS_PRECREATE_MAX 20000u
/* Highest object id an OST hands out (its destroyed-id bitmap stays below 32 TiB). */
#define OSS_OBJID_MAX (1ULL << 48)
/* O_DIRECT is used only for requests whose offset, lengths and buffers are multiples of this. */
#define OSS_DIRECT_ALIGN 4096u
/*
 * ... and only for reads and writes of at least this many bytes: smaller ones
 * stay in the page cache, which absorbs them better than the disk does (see
 * docs/oss.md, "O_DIRECT rule").
 */
#define OSS_DIRECT_MIN_DEFAULT (128u * 1024)

struct oss_ost_options {
	bool direct;		/* O_DIRECT for large aligned requests (default off) */
	uint32_t direct_min;	/* the smallest of those; default OSS_DIRECT_MIN_DEFAULT */
	unsigned fd_cache_size; /* object fds kept open; default OSS_FD_CACHE_DEFAULT, min 1 */
	const char *name;	/* target name for logs ("testfs-OST0003"); NULL = the directory */
};

/* Fills @o with the defaults. */
void oss_ost_options_init(struct oss_ost_options *o);

/*
 * Creates the object tree and persistent state of a new OST in the existing,
 * empty-of-oss-state directory @dir (mkfs.stria calls this after writing the
 * target identity).  Durable when it returns.  Returns 0, -EEXIST if the tree
 * is already there, or another -errno.
 */
int oss_ost_init_tree(const char *dir);

/*
 * Opens the OST in @dir (formatted by oss_ost_init_tree()) with options @o
 * (NULL = defaults).  Takes an exclusive lock on the directory so that two
 * servers never serve one OST.  Returns 0 and *@out, -ENOENT (not formatted),
 * -EBUSY (served by another process), -EINVAL (bad options or corrupt state)
 * or another -errno.  The caller closes it with oss_ost_close().
 */
int oss_ost_open(const char *dir, const struct oss_ost_options *o, struct oss_ost **out);

/*
 * Closes @ost and every cached object fd.  No request on @ost may be in
 * flight or submitted afterwards (stop or drain the engine first); NULL is
 * a no-op.
 */
void oss_ost_close(struct oss_ost *ost);

/* The name given at open (or the directory); valid until close. */
const char *oss_ost_name(const struct oss_ost *ost);

/* The highest precreated object id (0 on a fresh OST).  Thread-safe. */
uint64_t oss_ost_last_id(struct oss_ost *ost);

/*
 * Statistics of the file system holding @ost (statvfs of its directory):
 * bsize is the fragment size, blocks/bfree/bavail in bsize units, files and
 * ffree inodes.  Returns 0 and *@out, or -errno.  Thread-safe.
 */
int oss_ost_statfs(struct oss_ost *ost, struct proto_statfs *out);

/* Number of object fds the cache holds now (for tests and statistics). */
size_t oss_ost_cached_fds(struct oss_ost *ost);

/* ---- object management (synchronous; may block on metadata I/O) -------- */

/*
 * Precreates objects [@first_id, @first_id + @count), normally with
 * @first_id = oss_ost_last_id() + 1: records the new last id durably and
 * returns.  No file is created: a precreated object is a reservation that
 * reads as empty until its first write, truncate or allocation creates its
 * file (docs/oss.md, "Objects are created by their first write").  Ids at
 * or below the current last id are left alone: a destroyed object stays
 * destroyed.  Ids between the last id and @first_id become reserved too
 * (the MDS never hands them out).  Returns 0 and the new last id in
 * *@last_id, -EINVAL (@first_id 0, @count 0 or above OSS_PRECREATE_MAX, or
 * the range goes beyond OSS_OBJID_MAX), or -errno (e.g. -ENOSPC).
 * Serialised per OST with orphan cleanup.
 */
int oss_obj_precreate(struct oss_ost *ost, uint64_t first_id, uint32_t count, uint64_t *last_id);

/*
 * Orphan cleanup after an MDS (re)connect: "the last id I assigned is
 * @last_assigned".  Destroys every precreated object above it (unlinks the
 * files of those written to), makes the removals durable (syncfs) and
 * records @last_assigned as the new last id, so nothing above it can be
 * written any more.  The MDS must forget the objects it held in its
 * precreate pool above @last_assigned.  Returns the number of object files
 * removed, or -errno.
 */
int oss_obj_orphan_cleanup(struct oss_ost *ost, uint64_t last_assigned);

/*
 * Destroys object @id.  Idempotent: a missing object is success.  Any
 * request that starts after this returns sees -ENOENT for @id (a precreated
 * id is marked destroyed, so a late write does not create it); one already
 * in flight finishes on the unlinked file.  Not durable by itself: a target
 * sync (OSS_OP_SYNCFS) makes every earlier destroy durable, so a destroy
 * queue trims its records after one.  Returns 0, -EINVAL (@id 0) or -errno.
 */
int oss_obj_destroy(struct oss_ost *ost, uint64_t id);

struct oss_obj_attr {
	uint64_t size;
	uint64_t blocks; /* allocated, in 512-byte units */
	struct proto_time mtime;
};

/*
 * Attributes of object @id (fstat of its cached fd; all zero for a
 * precreated object not written yet).  Returns 0 and *@out, -ENOENT (no
 * such object), -EINVAL (@id 0) or -errno.  Thread-safe.
 */
int oss_obj_getattr(struct oss_ost *ost, uint64_t id, struct oss_obj_attr *out);

/* ---- the I/O engine ----------------------------------------------------- */

#define OSS_WORKERS_DEFAULT	2u
#define OSS_QUEUE_DEPTH_DEFAULT 128u

struct oss_engine_options {
	unsigned workers;     /* ring worker threads, 1..64; default OSS_WORKERS_DEFAULT */
	unsigned queue_depth; /* SQEs per ring (in-flight bound per worker), 8..4096 */
};

/* Fills @o with the defaults. */
void oss_engine_options_init(struct oss_engine_options *o);

/*
 * Starts the engine: @o->workers threads, each with its own io_uring, plus
 * one thread for the operations io_uring cannot do (truncate, syncfs).
 * Returns 0 and *@out, -EINVAL (bad options) or -errno (e.g. io_uring
 * unavailable: -ENOSYS / -EPERM).
 */
int oss_engine_start(const struct oss_engine_options *o, struct oss_engine **out);

/*
 * Stops @e: refuses new submissions (-ESHUTDOWN), completes every request
 * already submitted (their callbacks run), joins the threads and frees @e.
 * Must not be called from a completion callback.  NULL is a no-op.
 */
void oss_engine_stop(struct oss_engine *e);

enum oss_op {
	OSS_OP_READ,	  /* res: bytes read; short only at end of object; holes read as 0 */
	OSS_OP_WRITE,	  /* res: bytes written (== length) */
	OSS_OP_FALLOCATE, /* modes 0, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE; res 0 */
	OSS_OP_TRUNCATE,  /* set the object's size to off; res 0 */
	OSS_OP_SYNC,	  /* fsync (fdatasync with OSS_REQ_DATASYNC) of one object; res 0 */
	OSS_OP_SYNCFS,	  /* make everything on the target durable (syncfs); res 0 */
	OSS_OP_GETATTR,	  /* fills req->attr; res 0 */
};

/* Request flags. */
#define OSS_REQ_SYNC	 (1u << 0) /* write: durable (RWF_DSYNC) before completion */
#define OSS_REQ_DATASYNC (1u << 1) /* sync: fdatasync instead of fsync */
#define OSS_REQ_FID	 (1u << 2) /* write: fid/stripe name the object's parent (xattr) */
#define OSS_REQ_ATTR	 (1u << 3) /* write/truncate/fallocate: also fill req->attr (fstat) */
#define OSS_REQ_F_ALL	 (OSS_REQ_SYNC | OSS_REQ_DATASYNC | OSS_REQ_FID | OSS_REQ_ATTR)

/* Most segments of one read or write. */
#define OSS_IOV_MAX 256

/*
 * Completion callback: runs exactly once per accepted request, on an engine
 * thread, with @res = req->res (bytes or 0 on success, -errno on failure).
 * From then on the engine no longer touches @req: the callback may free it
 * or submit it again.  It must not block for long (it holds up every other
 * request of that ring) and must not call oss_engine_stop(); it may call
 * oss_submit() (e.g. to chain a sync after a write) and send an RPC reply.
 */
typedef void (*oss_done_fn)(struct oss_req *req, int res);

/*
 * One operation, owned by the caller from oss_req_*() until its callback.
 * Fill it with one of the oss_req_*() helpers below (which set every public
 * field), then adjust flags/fid if needed.  Errors and their meaning:
 *   -ENOENT     the object does not exist (never precreated, or destroyed);
 *               a precreated object with no file yet reads as empty, and
 *               a write, extending truncate or allocation creates its file;
 *   -EINVAL     bad id (0), length (> PROTO_BULK_MAX per read/write, 0 for
 *               fallocate), segment count or flags;
 *   -EFBIG      offset + length beyond 2^63 - 1 or the local file system's
 *               maximum file size;
 *   -EOPNOTSUPP an unsupported fallocate mode;
 *   -ENOSPC/-EDQUOT/-EIO from the disk (logged with the OST and object id).
 */
struct oss_req {
	/* public: set by the caller */
	enum oss_op op;
	uint32_t flags;		 /* OSS_REQ_* */
	struct oss_ost *ost;	 /* the target (must stay open until the callback) */
	uint64_t objid;		 /* object id; unused for SYNCFS */
	uint64_t off;		 /* read/write/fallocate offset; TRUNCATE: the new size */
	uint64_t len;		 /* fallocate length (read/write: the iov total) */
	int mode;		 /* fallocate mode (FALLOC_FL_*) */
	const struct iovec *iov; /* read/write segments; must stay valid until the callback */
	int iovcnt;
	struct proto_fid fid; /* with OSS_REQ_FID: parent FID ... */
	uint32_t stripe;      /* ... and stripe index, stored once as an xattr */
	oss_done_fn done;
	void *arg; /* the caller's context */

	/* results: valid in the callback */
	int res;
	struct oss_obj_attr attr; /* OSS_OP_GETATTR */

	/* engine-private: do not touch */
	struct {
		struct oss_req *next;
		struct iovec one; /* the single segment of oss_req_read/write() */
		void *fdent;	  /* the fd cache reference held while in flight */
		void *worker;
		int fd;
		unsigned pending; /* SQEs in flight */
		int err;
		uint64_t done;	/* bytes transferred */
		int iov_idx;	/* continuation position: segment ... */
		size_t iov_off; /* ... and offset inside it */
		uint8_t xattr[24];
	} priv;
};

/* Read @len bytes at @off of object @id into @buf. */
void oss_req_read(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t off, void *buf,
		  size_t len, oss_done_fn done, void *arg);
/* Write @len bytes from @buf at @off of object @id (flags: OSS_REQ_SYNC, OSS_REQ_FID). */
void oss_req_write(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t off,
		   const void *buf, size_t len, oss_done_fn done, void *arg);
/* Vectored forms: @iov[0..@iovcnt) (at most OSS_IOV_MAX segments). */
void oss_req_readv(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t off,
		   const struct iovec *iov, int iovcnt, oss_done_fn done, void *arg);
void oss_req_writev(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t off,
		    const struct iovec *iov, int iovcnt, oss_done_fn done, void *arg);
/* Sets the parent FID and stripe index a write records on the object (OSS_REQ_FID). */
void oss_req_set_fid(struct oss_req *r, const struct proto_fid *fid, uint32_t stripe);
/* fallocate(@mode, @off, @len) of object @id. */
void oss_req_fallocate(struct oss_req *r, struct oss_ost *ost, uint64_t id, int mode, uint64_t off,
		       uint64_t len, oss_done_fn done, void *arg);
/* Punch [@off, @off+@len) to a hole, size unchanged (PUNCH_HOLE|KEEP_SIZE). */
void oss_req_punch(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t off, uint64_t len,
		   oss_done_fn done, void *arg);
/* Set the size of object @id to @size. */
void oss_req_truncate(struct oss_req *r, struct oss_ost *ost, uint64_t id, uint64_t size,
		      oss_done_fn done, void *arg);
/* Make object @id durable (fsync; fdatasync with @datasync). */
void oss_req_sync(struct oss_req *r, struct oss_ost *ost, uint64_t id, bool datasync,
		  oss_done_fn done, void *arg);
/* Make everything on the target durable (syncfs). */
void oss_req_syncfs(struct oss_req *r, struct oss_ost *ost, oss_done_fn done, void *arg);
/* Size, blocks and mtime of object @id into r->attr. */
void oss_req_getattr(struct oss_req *r, struct oss_ost *ost, uint64_t id, oss_done_fn done,
		     void *arg);

/*
 * Starts @r on @e without waiting for any I/O (it takes one short mutex and
 * may write an eventfd).  Returns 0: @r->done will be called exactly once,
 * on an engine thread, also for invalid requests (with their -errno).
 * Returns -ESHUTDOWN when @e is stopping: the callback is never called.
 * Callable from any thread, including completion callbacks.
 */
int oss_submit(struct oss_engine *e, struct oss_req *r);

/*
 * Submits @r and waits for it; for tools and tests, never from a completion
 * callback.  @r->done and @r->arg are overwritten.  Returns @r->res, or
 * -ESHUTDOWN.
 */
int oss_submit_wait(struct oss_engine *e, struct oss_req *r);

#endif
