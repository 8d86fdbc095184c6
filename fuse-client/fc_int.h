/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FUSE client's private header: the mount state, the node table, RPC
 * sets (the RPCs that answer one FUSE request), the target table, open files
 * and the write-behind buffer.  Only fuse-client/ and its unit tests include it.
 *
 * Threads.  libfuse handler threads run the xx_op handlers; they encode
 * requests and send them.  Every RPC completes on the one net loop thread,
 * which decodes the replies and sends the FUSE reply (fuse_reply_*) from
 * there.  A handler thread waits only for write-behind back-pressure
 * (fc_wb_write when dirty_max is in flight).  Lock order:
 * fc_files.mu -> fc_node.mu -> fc_nodes.mu; fc_rset.mu and fc_targets.mu are
 * leaves (nothing is locked under them).
 */
#ifndef STRIA_FC_INT_H
#define STRIA_FC_INT_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fuse-client/fc.h"
#include "net/net.h"
#include "proto/proto.h"

/* Virtual xattrs (docs/client.md). */
/* The virtual xattrs the CLI uses: proto/vxattr.h defines names and formats. */
#define FC_XATTR_LOV	PROTO_VXATTR_LOV
#define FC_XATTR_LOV2	PROTO_VXATTR_LOV_ALIAS
#define FC_XATTR_STATFS PROTO_VXATTR_STATFS
#define FC_XATTR_MGS	PROTO_VXATTR_MGS
#define FC_XATTR_NODES	"user.stria.nodes" /* root: the node table's size (tests) */
#define FC_XATTR_RPCS	"user.stria.rpcs"  /* root: RPCs sent per opcode (tests) */

/* Statfs xattr format version (first u32 of the value). */

struct fc_fs;
struct fc_node;
struct fc_rset;

/* ---- layouts: refcounted, immutable once published --------------------- */

struct fc_layout {
	_Atomic uint32_t refs;
	struct proto_layout l;
};

/* A new layout holding a copy of @l (one reference); NULL if out of memory. */
struct fc_layout *fc_layout_new(const struct proto_layout *l);
struct fc_layout *fc_layout_get(struct fc_layout *fl);
void fc_layout_put(struct fc_layout *fl);

/* ---- nodes.c: FID -> node ---------------------------------------------- */

/* Per-object state of a written file (fsync's boot-instance rule, blocks). */
struct fc_wobj {
	uint64_t unsynced_boot; /* boot instance that acked writes not yet synced; 0: none */
	bool lost;		/* acked unsynced writes under an older boot instance */
	bool blocks_known;
	uint64_t blocks; /* 512-byte blocks, from the last write reply */
};

struct fc_wbuf; /* io_write.c */

/* An open this soon after a lookup of the inode is the open of that lookup. */
#define FC_OPEN_RECENT_MS 1000

struct fc_node {
	/* Immutable after creation. */
	struct proto_fid fid;
	uint64_t ino; /* st_ino: proto_fid_to_ino(fid) */
	bool is_root;

	/* Protected by fc_nodes.mu. */
	struct fc_node *hnext;
	uint64_t nlookup; /* the kernel's lookup count */
	uint32_t refs;	  /* internal references (open files, in-flight ops) */

	/* When a name last led the kernel here (lookup, readdirplus, create). */
	_Atomic uint64_t entry_ms; /* net_now_ms() */

	pthread_mutex_t mu;
	pthread_cond_t cv; /* mu: write-behind back-pressure */
	/* Protected by mu. */
	uint32_t mode;
	uint64_t size; /* the MDS's size as last seen */
	struct fc_layout *layout;
	bool dv_known;
	uint64_t dv;	     /* the data version the kernel's page cache reflects */
	uint32_t nwriters;   /* write-open files */
	uint64_t size_local; /* furthest byte written here (with writers) */
	struct proto_time mtime_local;
	bool report_pending; /* data written / extended since the last size report */
	struct fc_wbuf *wb;  /* write-behind state; NULL until the first write */
	bool no_caps;	     /* the MDS said: no security.capability */
	uint32_t nobjs;
	struct fc_wobj *objs; /* [nobjs] once written */
	/* A directory: its attributes after this client's last change in it (dirattr.c). */
	uint64_t dir_seq;	  /* bumped when a change starts or cannot be trusted */
	struct fc_dir_pa *dir_pa; /* NULL until the first; freed with the node */
};

/* Post-op attributes of a directory, as a namespace reply carried them. */
struct fc_dir_pa {
	struct proto_attr a;
	uint64_t ms; /* net_now_ms() when stored */
	bool valid;
};

struct fc_nodes;

int fc_nodes_new(struct fc_nodes **out);
void fc_nodes_free(struct fc_nodes *t);
/* The root node (nodeid FUSE_ROOT_ID), never freed. */
struct fc_node *fc_nodes_root(struct fc_nodes *t);
/*
 * Finds or creates the node of @fid and adds @nlookup to its lookup count
 * (0 for an internal reference instead: then refs is taken).  Returns NULL
 * if out of memory.
 */
struct fc_node *fc_node_get(struct fc_nodes *t, const struct proto_fid *fid, uint64_t nlookup);
/* Drops @n lookups (forget); frees the node at zero lookups and zero refs. */
void fc_node_forget(struct fc_nodes *t, struct fc_node *node, uint64_t n);
/* The node of @fid with an internal reference (fc_node_release), or NULL if none. */
struct fc_node *fc_node_find(struct fc_nodes *t, const struct proto_fid *fid);
/* Internal references. */
void fc_node_hold(struct fc_nodes *t, struct fc_node *node);
void fc_node_release(struct fc_nodes *t, struct fc_node *node);
/* Number of nodes in the table (the root included). */
uint64_t fc_nodes_count(struct fc_nodes *t);
/* The node of a FUSE nodeid. */
static inline struct fc_node *fc_node_of(struct fc_nodes *t, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? fc_nodes_root(t) : (struct fc_node *)(uintptr_t)ino;
}
static inline fuse_ino_t fc_node_id(const struct fc_node *n)
{
	return n->is_root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)n;
}
/*
 * Records @a (and a layout, may be NULL) as the latest attributes of @node
 * (under node->mu).
 */
void fc_node_set_attr(struct fc_node *node, const struct proto_attr *a,
		      const struct proto_layout *l);
/* The layout of @node with a reference, or NULL; under node->mu. */
struct fc_layout *fc_node_layout(struct fc_node *node);

/* ---- rset.c: the RPCs of one FUSE request ------------------------------ */

/*
 * Per-RPC completion (loop thread): looks at the reply, returns the status
 * the set should record (0, or -errno).
 */
typedef int (*fc_rpc_fn)(struct fc_rset *rs, struct net_req *req, int status, void *arg);
/*
 * The set is complete (loop thread, or the sealing thread if everything had
 * completed by then).  @status is the first error.  The callback replies to
 * the FUSE request or continues with another set; the set (and its
 * net_reqs) is freed when it returns.
 */
typedef void (*fc_done_fn)(struct fc_rset *rs, int status);

struct fc_rpc {
	struct net_req *req;
	struct net_client *cl;
	fc_rpc_fn fn;
	void *arg;
	bool done; /* fc_rset.mu */
};

struct fc_rset {
	struct fc_fs *fs;
	fuse_req_t freq; /* NULL for internal work (flushes, replays) */
	fc_done_fn done;
	void *priv;
	struct fc_node *node; /* I/O sets: the file (per-object state) */
	struct fc_layout *fl; /* I/O sets: a layout reference, put with the set */
	void *mem;	      /* freed with the set (the pieces of an I/O) */
	pthread_mutex_t mu;
	/* Protected by mu. */
	uint32_t pending; /* RPCs in flight, plus one until sealed */
	int status;	  /* first error */
	bool interrupted;
	uint32_t n, cap;
	struct fc_rpc *rpcs;
	/* Directories the set changes (fc_rset_dir_change), until fc_rset_dirs_done. */
	struct fc_node *cdirs[2];
	uint64_t ctokens[2];
	uint32_t ncdirs;
	uint64_t cstart_ms; /* when the first fc_rset_dir_change was made */
};

/*
 * A new set for FUSE request @freq (may be NULL).  With @freq, an interrupt
 * of the request by a process being killed (SIGKILL pending; other signals
 * are ignored, see rset.c) cancels the set's RPCs to OSTs and its MDS requests that
 * change nothing (lookup, getattr, readdir, readlink, xattr reads, statfs,
 * sync): they complete with -EINTR.  Other MDS requests run to completion
 * (an interrupted namespace change or open would leave the caller, or the
 * MDS's open references, guessing).
 * NULL if out of memory.
 */
struct fc_rset *fc_rset_new(struct fc_fs *fs, fuse_req_t freq, fc_done_fn done, void *priv);
/*
 * Sends @req on @cl as part of @rs; @fn (may be NULL) sees its completion.
 * Consumes @req.  Must come before fc_rset_seal.  An interrupted set fails
 * the request with -EINTR without sending it.
 */
void fc_rset_send(struct fc_rset *rs, struct net_client *cl, struct net_req *req, fc_rpc_fn fn,
		  void *arg);
/* Records an error for the set without an RPC. */
void fc_rset_fail(struct fc_rset *rs, int err);
/* No more RPCs: done runs once all have completed (maybe right now). */
void fc_rset_seal(struct fc_rset *rs);
/* The @i-th RPC's request (to decode its reply in done). */
static inline struct net_req *fc_rset_req(struct fc_rset *rs, uint32_t i)
{
	return rs->rpcs[i].req;
}

/* ---- dirattr.c: directories' post-op attributes ------------------------ */

/*
 * The kernel drops a directory's cached attributes after every change in it
 * and, with default_permissions, asks for them again before the next one.
 * Namespace replies carry the changed directories' attributes after the
 * change; a GETATTR of such a directory within attr_timeout of the change is
 * answered from them (for what is left of attr_timeout), so it costs no RPC.
 * They are trusted only when no other change of this client in that
 * directory overlapped the one that returned them.
 */

/* @rs changes directory @dir (call before sending; at most two per set; NULL: none). */
void fc_rset_dir_change(struct fc_rset *rs, struct fc_node *dir);
/*
 * The changes of @rs are over; @dirs: the reply's post-op attributes, or
 * NULL (failed, or none).  Call before replying to FUSE; the set's end
 * calls it with NULL if the done callback did not.
 */
void fc_rset_dirs_done(struct fc_rset *rs, const struct proto_mds_dirs *dirs);
/*
 * Fills @out with @node's post-op attributes and @timeout with what is left
 * of attr_timeout; false if there are none to trust.
 */
bool fc_dir_attr_cached(struct fc_fs *fs, struct fc_node *node, struct proto_attr *out,
			double *timeout);
/* Forgets @node's post-op attributes (under node->mu). */
void fc_dir_attr_drop(struct fc_node *node);

/* ---- dirneg.c: negative lookups from complete directories ------------- */

/* Directories kept complete at most, and bytes of their name filters. */
#define FC_DIRNEG_DIRS	256
#define FC_DIRNEG_BYTES (32u << 20)

struct fc_dirnegs;

/* The functions below do nothing (or answer "ask the MDS") while fs->dirnegs is NULL. */
int fc_dirnegs_new(struct fc_dirnegs **out);
void fc_dirnegs_free(struct fc_dirnegs *t);
/* This client made directory @dir (its attributes from the MKDIR reply); sent at @since_ms. */
void fc_dirneg_made(struct fc_fs *fs, const struct proto_attr *dir, uint64_t since_ms);
/* A change adding @name to @dir is about to be sent. */
void fc_dirneg_adding(struct fc_fs *fs, const struct proto_fid *dir, const char *name, size_t len);
/*
 * A change of @dir sent at @since_ms is over: @after, the directory's
 * attributes after it (NULL: unknown, or the change failed), keeps it
 * complete only if this change was the only one since the last.
 */
void fc_dirneg_changed(struct fc_fs *fs, const struct proto_fid *dir,
		       const struct proto_attr *after, uint64_t since_ms);
/* Attributes of a directory from the MDS (any reply): another version ends completeness. */
void fc_dirneg_seen(struct fc_fs *fs, const struct proto_attr *a);
/* True if @name is known to be absent from @dir: a lookup may answer ENOENT itself. */
bool fc_dirneg_absent(struct fc_fs *fs, const struct proto_fid *dir, const char *name, size_t len);
/* Forgets every directory (a new MDS instance). */
void fc_dirnegs_clear(struct fc_fs *fs);
/* Directories kept complete now (tests). */
uint32_t fc_dirnegs_count(struct fc_fs *fs);

/* ---- mdc.c: requests to the MDS --------------------------------------- */

/* A request for @op carrying the credentials of @freq (NULL: root). */
struct net_req *fc_mds_req(fuse_req_t freq, uint16_t op);
/* The credentials fc_mds_req() sends for @freq (root's for NULL). */
void fc_req_creds(fuse_req_t freq, struct proto_creds *cr);
/* fc_rset_send to the MDS (notes the reply's target-table generation). */
void fc_mds_send(struct fc_rset *rs, struct net_req *req, fc_rpc_fn fn, void *arg);
/*
 * One MDS request answering @freq: builds a set, sends, seals.  done decodes
 * fc_rset_req(rs, 0)'s reply.  done runs exactly once, with -ENOMEM and a
 * set without RPCs if the set cannot be allocated.
 */
void fc_mds_call(struct fc_fs *fs, fuse_req_t freq, struct net_req *req, fc_done_fn done,
		 void *priv);
/* fc_mds_call for a change in directory @dir (and @dir2; either may be NULL). */
void fc_mds_change(struct fc_fs *fs, fuse_req_t freq, struct net_req *req, fc_done_fn done,
		   void *priv, struct fc_node *dir, struct fc_node *dir2);
/* Connects the MDS client (mount time); 0 or -errno. */
int fc_mdc_start(struct fc_fs *fs);

/* ---- targets.c: the target table and OST clients ----------------------- */

struct fc_targets;

/* Fetches the table (blocking; mount time, never on the loop thread). */
int fc_targets_load(struct fc_fs *fs);
void fc_targets_free(struct fc_fs *fs);
/* The client of OST @idx, or NULL if the table has no such OST. */
struct net_client *fc_target_ost(struct fc_fs *fs, uint32_t idx);
/* An MDS reply carried @gen: refresh the table in the background if newer. */
void fc_targets_note_gen(struct fc_fs *fs, uint64_t gen);

/* One entry for the statfs xattr. */
struct fc_target_info {
	uint32_t type, index;
	char name[PROTO_TARGET_NAME_MAX + 1];
	struct net_client *cl; /* NULL for the MDT (the MDS client is used) */
};
/* A snapshot of the table (malloc'd array, count in *n); 0 or -ENOMEM. */
int fc_targets_list(struct fc_fs *fs, struct fc_target_info **out, uint32_t *n);

/* ---- files.c: open files, replay -------------------------------------- */

struct fc_file {
	struct fc_node *node; /* holds a reference */
	uint64_t handle;      /* the MDS open handle */
	uint32_t flags;	      /* O_* of the open */
	bool writable;
	uint64_t dv;		     /* node->mu: data version quoted in size reports */
	struct fc_file *prev, *next; /* fc_fs.files_mu */
};

/* Registers / unregisters @f in the open-file list (replayed after an MDS restart). */
void fc_files_add(struct fc_fs *fs, struct fc_file *f);
void fc_files_del(struct fc_fs *fs, struct fc_file *f);
/*
 * Sends an open replay (PROTO_F_REPLAY) for every open file, each in its own
 * set completing with @done (priv unused).  Returns how many were sent.
 */
uint32_t fc_files_replay(struct fc_fs *fs, fc_done_fn done);

/* ---- replay.c: creates kept for replay, recovery after an MDS restart ---- */

/*
 * Creates the MDS answered before they were durable (transno above
 * last_committed) are kept, encoded as their replay, until a reply reports
 * them committed.  At most FC_RETAIN_MAX: beyond it creates ask for the
 * synchronous answer instead.
 */
#define FC_RETAIN_MAX 1024

/* Whether a new create may ask to be answered before it is durable. */
bool fc_retain_room(struct fc_fs *fs);
/*
 * Keeps the create @m (with its caller's @creds) sent as @req, answered by
 * @rep: if the reply's transno is not yet committed.  Out of memory, it is
 * not kept (logged): only a restart within the next sync could lose it.
 */
void fc_retain_create(struct fc_fs *fs, struct net_req *req, const struct proto_creds *creds,
		      const struct proto_mds_create_req *m, const struct proto_mds_open_rep *rep);
/* Drops what @pre reports committed (every MDS reply, on the loop thread). */
void fc_retain_note(struct fc_fs *fs, const struct proto_rep_pre *pre);
/* Frees what is kept (unmount). */
void fc_retain_free(struct fc_fs *fs);
/*
 * The MDS connection's state callback (loop thread).  After an MDS restart:
 * hold every queued request, replay the kept creates, then reclaim the open
 * handles, then release the queue (resends, then new requests).
 */
void fc_replay_on_state(struct net_client *cl, enum net_client_state st, void *arg);
/* After a truncate through this client: writers of @node quote @dv from now on. */
void fc_files_set_dv(struct fc_fs *fs, struct fc_node *node, uint64_t dv);

/* ---- the mount --------------------------------------------------------- */

struct fc_fs {
	struct fc_opts opts; /* immutable after mount */
	struct proto_mount_source src;
	struct fuse_session *se;
	struct net_loop *loop;
	struct net_key *key;
	uint8_t uuid[PROTO_UUID_LEN];
	struct net_client *mds;
	struct fc_nodes *nodes;
	struct fc_targets *tgts;
	_Atomic uint64_t mds_boot; /* boot instance whose opens we hold */
	pthread_mutex_t files_mu;
	struct fc_file *files; /* files_mu: every open file */
	/* replay.c */
	pthread_mutex_t retain_mu;
	struct fc_retained *retained; /* retain_mu: creates kept for replay */
	_Atomic uint32_t nretained;
	bool rec_busy;			       /* loop thread: a recovery is under way */
	bool rec_again;			       /* loop thread: the MDS restarted again meanwhile */
	uint32_t rec_pending;		       /* loop thread: replays of this phase in flight */
	uint32_t rec_creates;		       /* loop thread: creates replayed in this recovery */
	uint32_t rec_lost;		       /* loop thread: of which failed */
	_Atomic uint64_t rpcs[PROTO_OP_LIMIT]; /* RPCs sent through sets, per opcode */
	_Atomic uint64_t getattr_local;	       /* GETATTRs answered from post-op attributes */
	_Atomic uint64_t lookup_local;	       /* LOOKUPs answered ENOENT from complete dirs */
	struct fc_dirnegs *dirnegs;
	char mountpoint[4096];
};

/* The mount of a FUSE request. */
static inline struct fc_fs *fc_fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* ---- attr.c ------------------------------------------------------------ */

/* proto_attr -> struct stat (st_ino from the FID, st_blksize as the MDS set it). */
void fc_attr_to_stat(const struct proto_attr *a, struct stat *st);
/*
 * The attributes to show for @node: @a merged with what local writers know
 * (size, mtime).  Under node->mu.
 */
void fc_attr_merge_local(struct fc_node *node, struct proto_attr *a);
/* Fills a fuse_entry_param for @node (nlookup already taken) with @a. */
void fc_entry_fill(struct fc_fs *fs, struct fc_node *node, const struct proto_attr *a,
		   struct fuse_entry_param *e);
/* Replies to @req with -@err (the one FUSE errno boundary: err is -errno or 0). */
void fc_reply_err(fuse_req_t req, int err);
/* Entry reply for an MDS reply carrying attributes (and maybe a layout). */
void fc_reply_entry(fuse_req_t req, const struct proto_attr *a, const struct proto_layout *l);

/* ---- io_chunk.c: pieces of an I/O ------------------------------------- */

#define FC_PIECE_IOV_MAX 64

struct fc_piece {
	uint32_t stripe;
	uint64_t objoff;
	uint32_t len;
	uint32_t niov;
	struct {
		uint64_t bufoff;
		uint32_t len;
	} iov[FC_PIECE_IOV_MAX];
};

/*
 * Splits the file range [@off, @off+@len) into pieces: per object, runs of
 * chunks contiguous in that object, each at most @max bytes and
 * FC_PIECE_IOV_MAX chunks.  Returns a malloc'd array (count in *n), or
 * -errno (-EINVAL geometry, -EOVERFLOW, -ENOMEM).
 */
int fc_pieces(const struct proto_layout *l, uint64_t off, uint64_t len, uint32_t max,
	      struct fc_piece **out, uint32_t *n);

/* One OST_COPY: @len bytes of source object @src_stripe to destination object @dst_stripe. */
struct fc_copy_ext {
	uint32_t src_stripe, dst_stripe;
	uint64_t src_objoff, dst_objoff;
	uint32_t len;
};

/* Most bytes one copy_file_range call copies (the caller loops for more). */
#define FC_COPY_CALL_MAX (64u * 1024u * 1024u)

/*
 * Splits a copy of @len bytes from file offset @soff of a file laid out as
 * @src to @doff of one laid out as @dst into extents, each inside one source
 * and one destination object and at most @max bytes; pieces that continue
 * each other in both objects are merged.  Returns 0 and a malloc'd array
 * (count in *n, NULL for len 0), or -EINVAL (geometry, @max 0), -EOVERFLOW,
 * -ENOMEM.
 */
int fc_copy_extents(const struct proto_layout *src, uint64_t soff, const struct proto_layout *dst,
		    uint64_t doff, uint64_t len, uint32_t max, struct fc_copy_ext **out,
		    uint32_t *n);

/* ---- io_write.c: write-behind ------------------------------------------ */

/*
 * Buffers @len bytes at @off for @node (data from @src, a fuse_bufvec).
 * Waits (on this handler thread) while dirty_max bytes are in flight.
 * Returns bytes accepted or a pending write error of the file (-errno).
 */
ssize_t fc_wb_write(struct fc_fs *fs, struct fc_node *node, struct fuse_bufvec *src, off_t off,
		    size_t len);
/*
 * Writes everything buffered for @node and calls @cb(@arg, status) once
 * nothing is in flight: status is the first write error not yet reported
 * (cleared if @consume; reads pass false) or 0.  @cb may run on this thread.
 */
void fc_wb_sync(struct fc_fs *fs, struct fc_node *node, bool consume,
		void (*cb)(void *arg, int status), void *arg);
/* Whether @node has buffered or in-flight writes (a read must wait for them). */
bool fc_wb_busy(struct fc_node *node);
/* Frees the write-behind state of a node being freed. */
void fc_wb_free(struct fc_node *node);
/*
 * Sends the RPCs writing @len bytes of @buf at file offset @off into @rs,
 * whose node and fl must be set; per-object state is updated as replies
 * come.  Under no lock.  Returns 0 or -errno (nothing sent).
 */
int fc_io_write_rpcs(struct fc_rset *rs, const char *buf, uint64_t off, uint64_t len);
/* OSS errors as a reader or writer sees them (a down target: -EIO). */
int fc_io_errno(int status);
/* Records a write reply for object @stripe (node->mu taken inside). */
void fc_wobj_note_write(struct fc_node *node, uint32_t stripe, uint32_t nobjs, uint64_t boot,
			uint64_t blocks);

/* ---- xx_op handlers, one file per family ---------------------------------- */

void fc_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void fc_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void fc_op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void fc_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fc_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		   struct fuse_file_info *fi);
void fc_op_readlink(fuse_req_t req, fuse_ino_t ino);
void fc_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void fc_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void fc_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void fc_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void fc_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void fc_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		  const char *newname, unsigned int flags);
void fc_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void fc_op_statfs(fuse_req_t req, fuse_ino_t ino);

void fc_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fc_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		  struct fuse_file_info *fi);
void fc_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fc_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fc_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);

void fc_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void fc_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *bufv, off_t off,
		     struct fuse_file_info *fi);
void fc_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		     struct fuse_file_info *fi);
void fc_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			   struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
			   struct fuse_file_info *fi_out, size_t len, int flags);

void fc_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fc_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi);
void fc_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fc_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);

void fc_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		    size_t size, int flags);
void fc_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void fc_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void fc_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

/*
 * Sends @f's size report (flush.c): FC_REPORT_FLUSH an MDS_SYNC only if
 * something was written since the last report, FC_REPORT_SYNC always an
 * MDS_SYNC, FC_REPORT_CLOSE an MDS_CLOSE.  @cb(@arg, status) runs once done.
 */
#define FC_REPORT_FLUSH 0
#define FC_REPORT_SYNC	1
#define FC_REPORT_CLOSE 2
void fc_report_send(struct fc_fs *fs, fuse_req_t freq, struct fc_file *f, int how,
		    void (*cb)(void *arg, int status), void *arg);

/* ---- xattr_fmt.c: virtual xattr values (pure, unit tested) ------------- */

/*
 * A layout read through the xattr, turned into what setting it means: a
 * file's instantiated layout becomes its template (objects dropped,
 * stripe_offset -1, gen 0) so copying a layout to another file asks for the
 * same geometry and pool; templates pass unchanged.  Returns 0 or -EINVAL.
 */
int fc_lov_to_template(const void *val, size_t len, struct proto_layout *out);

#endif
