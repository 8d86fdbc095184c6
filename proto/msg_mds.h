/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Metadata messages: the bodies of the MDS_* opcodes (client -> MDS).
 *
 * Every body here follows the request or reply preamble (hdr.h), which the RPC
 * layer encodes and decodes; these functions see only what comes after it.
 * Encoders return proto_cur_err(): 0, -EMSGSIZE (the buffer is too small),
 * -ENAMETOOLONG (a string over its cap) or -EINVAL (a count over its cap).
 * Decoders return proto_cur_finish(): 0, or -EPROTO for a truncated body, a
 * body with trailing bytes, a string or count over its cap, or an unknown flag
 * or enum value.  A decoded struct proto_str points into the decoded buffer
 * and lives as long as it; decoders never allocate.
 *
 * Which body each opcode carries (request -> reply):
 *
 *   MDS_LOOKUP       proto_mds_name_req      -> proto_mds_getattr_rep
 *   MDS_GETATTR      proto_mds_fid_req       -> proto_mds_getattr_rep
 *   MDS_SETATTR      proto_mds_setattr_req   -> proto_mds_attr_rep
 *   MDS_CREATE       proto_mds_create_req    -> proto_mds_open_rep
 *   MDS_MKDIR        proto_mds_mkdir_req     -> proto_mds_attr_rep
 *   MDS_MKNOD        proto_mds_mknod_req     -> proto_mds_attr_rep
 *   MDS_UNLINK       proto_mds_name_req      -> proto_mds_unlink_rep
 *   MDS_RMDIR        proto_mds_name_req      -> proto_mds_unlink_rep
 *   MDS_RENAME       proto_mds_rename_req    -> proto_mds_rename_rep
 *   MDS_LINK         proto_mds_link_req      -> proto_mds_attr_rep
 *   MDS_SYMLINK      proto_mds_symlink_req   -> proto_mds_attr_rep
 *   MDS_READLINK     proto_mds_fid_req       -> proto_mds_readlink_rep
 *   MDS_READDIR      proto_mds_readdir_req   -> readdir reply (appender / iterator)
 *   MDS_OPEN         proto_mds_open_req      -> proto_mds_open_rep
 *   MDS_CLOSE        proto_mds_close_req     -> (empty)
 *   MDS_SYNC         proto_mds_close_req     -> proto_mds_attr_rep
 *   MDS_GETXATTR     proto_mds_getxattr_req  -> proto_mds_xattr_rep
 *   MDS_SETXATTR     proto_mds_setxattr_req  -> (empty)
 *   MDS_LISTXATTR    proto_mds_listxattr_req -> proto_mds_xattr_rep
 *   MDS_REMOVEXATTR  proto_mds_xattr_name_req -> (empty)
 *   MDS_STATFS       (empty)                 -> proto_mds_statfs_rep
 *   MDS_GETLAYOUT    proto_mds_fid_req       -> proto_mds_layout_rep
 *   MDS_SETLAYOUT    proto_mds_setlayout_req -> proto_mds_layout_rep
 *
 * docs/protocol.md describes every field on the wire.
 */
#ifndef STRIA_PROTO_MSG_MDS_H
#define STRIA_PROTO_MSG_MDS_H

#include <stdbool.h>
#include <stdint.h>

#include "attr.h"
#include "cursor.h"
#include "fid.h"
#include "layout.h"

/* ---- empty bodies ------------------------------------------------------- */

/* An empty body (RENAME, CLOSE, SETXATTR, REMOVEXATTR replies, STATFS request). */
int proto_mds_empty_enc(struct proto_cur *c);
int proto_mds_empty_dec(struct proto_cur *c);

/* ---- shared requests ---------------------------------------------------- */

/* GETATTR, READLINK, GETLAYOUT. */
struct proto_mds_fid_req {
	struct proto_fid fid;
};

int proto_mds_fid_req_enc(struct proto_cur *c, const struct proto_mds_fid_req *m);
int proto_mds_fid_req_dec(struct proto_cur *c, struct proto_mds_fid_req *m);

/*
 * LOOKUP, UNLINK, RMDIR.  A name is 1..PROTO_NAME_MAX bytes with no '/' and
 * no NUL (encoders: -ENAMETOOLONG over the cap, -EINVAL otherwise).
 */
struct proto_mds_name_req {
	struct proto_fid parent;
	struct proto_str name;
};

int proto_mds_name_req_enc(struct proto_cur *c, const struct proto_mds_name_req *m);
int proto_mds_name_req_dec(struct proto_cur *c, struct proto_mds_name_req *m);

/* ---- shared replies ----------------------------------------------------- */

/*
 * The directories an operation changed, with their attributes after it (as
 * NFSv3's post-op attributes): the parent of a create or a removal, a new
 * directory, both parents of a rename, a directory whose ".." a rename
 * moved, a directory a SETATTR changed.  A client answers the kernel's next GETATTR of such a
 * directory from them instead of asking again.  Every entry is a directory.
 */
#define PROTO_MDS_DIRS_MAX 4

struct proto_mds_dirs {
	uint32_t n;
	struct proto_attr attr[PROTO_MDS_DIRS_MAX];
};

/* SETATTR, MKDIR, MKNOD, LINK, SYMLINK, SYNC: the attributes after the operation. */
struct proto_mds_attr_rep {
	struct proto_attr attr;
	struct proto_mds_dirs dirs;
};

int proto_mds_attr_rep_enc(struct proto_cur *c, const struct proto_mds_attr_rep *m);
int proto_mds_attr_rep_dec(struct proto_cur *c, struct proto_mds_attr_rep *m);

/* proto_mds_getattr_rep.flags */
#define PROTO_MDS_GETATTR_F_LAYOUT (1u << 0) /* a layout follows the attributes */
#define PROTO_MDS_GETATTR_F_ALL	   PROTO_MDS_GETATTR_F_LAYOUT

/* LOOKUP, GETATTR: attributes, and the layout of a regular file that has one. */
struct proto_mds_getattr_rep {
	struct proto_attr attr;
	uint32_t flags;		    /* PROTO_MDS_GETATTR_F_* */
	struct proto_layout layout; /* with PROTO_MDS_GETATTR_F_LAYOUT */
};

int proto_mds_getattr_rep_enc(struct proto_cur *c, const struct proto_mds_getattr_rep *m);
int proto_mds_getattr_rep_dec(struct proto_cur *c, struct proto_mds_getattr_rep *m);

/* ---- SETATTR ------------------------------------------------------------ */

/* proto_mds_setattr_req.valid: which fields to set (FUSE_SET_ATTR_* order). */
#define PROTO_SETATTR_MODE	(1u << 0)
#define PROTO_SETATTR_UID	(1u << 1)
#define PROTO_SETATTR_GID	(1u << 2)
#define PROTO_SETATTR_SIZE	(1u << 3)
#define PROTO_SETATTR_ATIME	(1u << 4)
#define PROTO_SETATTR_MTIME	(1u << 5)
#define PROTO_SETATTR_CTIME	(1u << 6)
#define PROTO_SETATTR_ATIME_NOW (1u << 7) /* atime = the MDS's clock */
#define PROTO_SETATTR_MTIME_NOW (1u << 8) /* mtime = the MDS's clock */
#define PROTO_SETATTR_ALL	0x1ffu

struct proto_mds_setattr_req {
	struct proto_fid fid;
	uint32_t valid; /* PROTO_SETATTR_* */
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint64_t size;
	struct proto_time atime;
	struct proto_time mtime;
	struct proto_time ctime;
	uint64_t handle; /* open handle for ftruncate/fchmod..., 0 for a path operation */
};

int proto_mds_setattr_req_enc(struct proto_cur *c, const struct proto_mds_setattr_req *m);
int proto_mds_setattr_req_dec(struct proto_cur *c, struct proto_mds_setattr_req *m);

/* ---- CREATE and OPEN ---------------------------------------------------- */

/* proto_mds_create_req.flags */
#define PROTO_CREATE_F_EXCL   (1u << 0) /* fail with -EEXIST if the name exists */
#define PROTO_CREATE_F_OPEN   (1u << 1) /* open intent: also open with open_flags */
#define PROTO_CREATE_F_LAYOUT (1u << 2) /* a layout template follows */
/*
 * The client keeps this request until the MDS reports its transno committed
 * (struct proto_rep_pre), so the MDS may answer a new file before its batch
 * is durable.  Without it the answer waits for the WAL sync.
 */
#define PROTO_CREATE_F_REPLAYABLE (1u << 3)
/*
 * A create answered before it was durable, replayed after an MDS restart
 * (sent with PROTO_F_REPLAY): replay_xid and replay_attr follow, and the
 * layout (PROTO_CREATE_F_LAYOUT) is the file's instantiated layout.  The
 * MDS recreates the file with that FID, owner, mode, times and objects, or
 * answers the original reply if the create was committed after all.
 */
#define PROTO_CREATE_F_REPLAY (1u << 4)
#define PROTO_CREATE_F_ALL    0x1fu

/* A regular file; mode carries the permission bits (the MDS sets S_IFREG). */
struct proto_mds_create_req {
	struct proto_fid parent;
	struct proto_str name;
	uint32_t mode;
	uint32_t flags;		       /* PROTO_CREATE_F_* */
	uint32_t open_flags;	       /* Linux O_* flags, with PROTO_CREATE_F_OPEN */
	struct proto_layout layout;    /* template, or the file's with PROTO_CREATE_F_REPLAY */
	uint64_t replay_xid;	       /* PROTO_CREATE_F_REPLAY: the original request's xid */
	struct proto_attr replay_attr; /* PROTO_CREATE_F_REPLAY: the original reply's */
};

int proto_mds_create_req_enc(struct proto_cur *c, const struct proto_mds_create_req *m);
int proto_mds_create_req_dec(struct proto_cur *c, struct proto_mds_create_req *m);

/* proto_mds_open_req.flags */
#define PROTO_OPEN_F_REPLAY (1u << 0) /* reclaim @handle after an MDS restart */
/*
 * The client looked this FID up by name just before: open it even if a
 * rename or unlink took its last name since (within the MDS's unlink grace).
 * Without it, such a file is -ENOENT, so a cached name gets looked up again.
 */
#define PROTO_OPEN_F_RECENT (1u << 1)
#define PROTO_OPEN_F_ALL    (PROTO_OPEN_F_REPLAY | PROTO_OPEN_F_RECENT)

/* OPEN of an existing file by FID.  handle is 0 unless PROTO_OPEN_F_REPLAY. */
struct proto_mds_open_req {
	struct proto_fid fid;
	uint32_t open_flags; /* Linux O_* flags */
	uint32_t flags;	     /* PROTO_OPEN_F_* */
	uint64_t handle;
};

int proto_mds_open_req_enc(struct proto_cur *c, const struct proto_mds_open_req *m);
int proto_mds_open_req_dec(struct proto_cur *c, struct proto_mds_open_req *m);

/* proto_mds_open_rep.flags */
#define PROTO_OPEN_REP_F_LAYOUT	 (1u << 0) /* a layout follows */
#define PROTO_OPEN_REP_F_OPENED	 (1u << 1) /* handle is an open handle */
#define PROTO_OPEN_REP_F_CREATED (1u << 2) /* CREATE made a new file */
#define PROTO_OPEN_REP_F_ALL	 0x7u

/*
 * CREATE, OPEN.  attr.data_version is the data version this open hands out:
 * size reports sent with the handle (CLOSE, SYNC) carry it back.  handle is
 * non-zero exactly when PROTO_OPEN_REP_F_OPENED is set.
 */
struct proto_mds_open_rep {
	struct proto_attr attr;
	uint32_t flags; /* PROTO_OPEN_REP_F_* */
	uint64_t handle;
	struct proto_layout layout; /* with PROTO_OPEN_REP_F_LAYOUT */
	struct proto_mds_dirs dirs; /* CREATE: the parent (none for an open) */
};

int proto_mds_open_rep_enc(struct proto_cur *c, const struct proto_mds_open_rep *m);
int proto_mds_open_rep_dec(struct proto_cur *c, struct proto_mds_open_rep *m);

/* ---- MKDIR, MKNOD, LINK, SYMLINK, READLINK ------------------------------ */

/* The MDS sets S_IFDIR; the type bits of mode are ignored. */
struct proto_mds_mkdir_req {
	struct proto_fid parent;
	struct proto_str name;
	uint32_t mode;
};

int proto_mds_mkdir_req_enc(struct proto_cur *c, const struct proto_mds_mkdir_req *m);
int proto_mds_mkdir_req_dec(struct proto_cur *c, struct proto_mds_mkdir_req *m);

/* mode carries the type (S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK). */
struct proto_mds_mknod_req {
	struct proto_fid parent;
	struct proto_str name;
	uint32_t mode;
	uint64_t rdev; /* Linux dev_t (makedev) for S_IFCHR/S_IFBLK */
};

int proto_mds_mknod_req_enc(struct proto_cur *c, const struct proto_mds_mknod_req *m);
int proto_mds_mknod_req_dec(struct proto_cur *c, struct proto_mds_mknod_req *m);

/* A new name @name in @parent for the existing file @fid. */
struct proto_mds_link_req {
	struct proto_fid fid;
	struct proto_fid parent;
	struct proto_str name;
};

int proto_mds_link_req_enc(struct proto_cur *c, const struct proto_mds_link_req *m);
int proto_mds_link_req_dec(struct proto_cur *c, struct proto_mds_link_req *m);

/* target: 1..PROTO_SYMLINK_MAX bytes, no NUL. */
struct proto_mds_symlink_req {
	struct proto_fid parent;
	struct proto_str name;
	struct proto_str target;
};

int proto_mds_symlink_req_enc(struct proto_cur *c, const struct proto_mds_symlink_req *m);
int proto_mds_symlink_req_dec(struct proto_cur *c, struct proto_mds_symlink_req *m);

struct proto_mds_readlink_rep {
	struct proto_str target;
};

int proto_mds_readlink_rep_enc(struct proto_cur *c, const struct proto_mds_readlink_rep *m);
int proto_mds_readlink_rep_dec(struct proto_cur *c, struct proto_mds_readlink_rep *m);

/* ---- UNLINK, RMDIR, RENAME ---------------------------------------------- */

/* proto_mds_unlink_rep.flags */
#define PROTO_UNLINK_F_LAST   (1u << 0) /* that was the last link */
#define PROTO_UNLINK_F_ORPHAN (1u << 1) /* last link, but still open: now an orphan */
#define PROTO_UNLINK_F_ALL    0x3u

struct proto_mds_unlink_rep {
	struct proto_fid fid; /* the file or directory removed */
	uint32_t nlink;	      /* links left */
	uint32_t flags;	      /* PROTO_UNLINK_F_*; ORPHAN implies LAST */
	struct proto_mds_dirs dirs;
};

int proto_mds_unlink_rep_enc(struct proto_cur *c, const struct proto_mds_unlink_rep *m);
int proto_mds_unlink_rep_dec(struct proto_cur *c, struct proto_mds_unlink_rep *m);

/* proto_mds_rename_req.flags: Linux renameat2() RENAME_* values. */
#define PROTO_RENAME_NOREPLACE (1u << 0)
#define PROTO_RENAME_EXCHANGE  (1u << 1)

/* NOREPLACE and EXCHANGE together are invalid (-EPROTO, as renameat2's -EINVAL). */
struct proto_mds_rename_req {
	struct proto_fid src_parent;
	struct proto_str src_name;
	struct proto_fid dst_parent;
	struct proto_str dst_name;
	uint32_t flags; /* PROTO_RENAME_* */
};

int proto_mds_rename_req_enc(struct proto_cur *c, const struct proto_mds_rename_req *m);
int proto_mds_rename_req_dec(struct proto_cur *c, struct proto_mds_rename_req *m);

struct proto_mds_rename_rep {
	struct proto_mds_dirs dirs;
};

int proto_mds_rename_rep_enc(struct proto_cur *c, const struct proto_mds_rename_rep *m);
int proto_mds_rename_rep_dec(struct proto_cur *c, struct proto_mds_rename_rep *m);

/* ---- READDIR ------------------------------------------------------------ */

/* Cookies 0..2 are reserved: 0 starts a listing; 1 and 2 follow "." and "..". */
#define PROTO_READDIR_COOKIE_FIRST 3

/* proto_mds_readdir_req.flags and the reply's flags */
#define PROTO_READDIR_F_PLUS	(1u << 0) /* entries carry attributes (readdirplus) */
#define PROTO_READDIR_F_EOF	(1u << 1) /* reply only: the listing ends here */
#define PROTO_READDIR_REQ_F_ALL PROTO_READDIR_F_PLUS
#define PROTO_READDIR_REP_F_ALL 0x3u

/* Smallest reply limit a request may ask for: one entry with a maximal name. */
#define PROTO_READDIR_MIN_BYTES 512u

struct proto_mds_readdir_req {
	struct proto_fid fid;
	uint64_t cookie;    /* 0, or the next cookie of the last entry seen */
	uint32_t max_bytes; /* most reply-body bytes wanted (the MDS also caps it) */
	uint32_t flags;	    /* PROTO_READDIR_F_PLUS */
};

int proto_mds_readdir_req_enc(struct proto_cur *c, const struct proto_mds_readdir_req *m);
int proto_mds_readdir_req_dec(struct proto_cur *c, struct proto_mds_readdir_req *m);

/*
 * One directory entry.  next is the entry's offset: the cookie that resumes a
 * listing after it.  type is a DT_* value (not DT_UNKNOWN).  attr is present
 * on the wire only in a PLUS reply.
 */
struct proto_mds_dirent {
	struct proto_str name;
	struct proto_fid fid;
	uint32_t type;
	uint64_t next;
	struct proto_attr attr;
};

/*
 * The READDIR reply is built by an appender over the reply cursor:
 *
 *	proto_mds_readdir_rep_begin(&a, c, flags, max_bytes);
 *	while (more entries && proto_mds_readdir_rep_add(&a, &e) == 0)
 *		;
 *	proto_mds_readdir_rep_end(&a, eof);
 *
 * The whole body never exceeds max_bytes.  The appender borrows @c until end.
 */
struct proto_mds_readdir_enc {
	struct proto_cur *c;
	size_t start;	  /* position of the body in c */
	size_t max_bytes; /* most bytes the body may take */
	uint32_t flags;
	uint32_t count;
};

/* Starts a reply; -EMSGSIZE if not even the empty reply fits. */
int proto_mds_readdir_rep_begin(struct proto_mds_readdir_enc *a, struct proto_cur *c,
				uint32_t flags, size_t max_bytes);
/*
 * Appends @e.  Returns 0; -ENOSPC if it does not fit (nothing written, the
 * reply stays valid: end it); -ENAMETOOLONG/-EINVAL for a bad entry (nothing
 * written).
 */
int proto_mds_readdir_rep_add(struct proto_mds_readdir_enc *a, const struct proto_mds_dirent *e);
/* Number of entries appended so far. */
static inline uint32_t proto_mds_readdir_rep_count(const struct proto_mds_readdir_enc *a)
{
	return a->count;
}
/* Finishes the reply, setting PROTO_READDIR_F_EOF if @eof.  Returns proto_cur_err(). */
int proto_mds_readdir_rep_end(struct proto_mds_readdir_enc *a, bool eof);

/* Reads a READDIR reply entry by entry; entries point into the buffer. */
struct proto_mds_readdir_rep_iter {
	struct proto_cur cur; /* the entries */
	uint32_t flags;	      /* PROTO_READDIR_F_* of the reply */
	uint32_t left;	      /* entries not yet returned */
};

/*
 * Decodes the fixed part of a READDIR reply and takes the rest of @c (which
 * is then fully consumed) for the iterator.  Returns 0 or -EPROTO.
 */
int proto_mds_readdir_rep_iter_init(struct proto_mds_readdir_rep_iter *it, struct proto_cur *c);
/*
 * Returns 1 with the next entry in @e; 0 after the last one (the reply was
 * well formed to its end); -EPROTO for a malformed reply.
 */
int proto_mds_readdir_rep_iter_next(struct proto_mds_readdir_rep_iter *it,
				    struct proto_mds_dirent *e);

/* ---- OPEN / CLOSE / SYNC ------------------------------------------------ */

/* proto_mds_size_report.valid */
#define PROTO_REPORT_SIZE   (1u << 0)
#define PROTO_REPORT_BLOCKS (1u << 1)
#define PROTO_REPORT_MTIME  (1u << 2)
#define PROTO_REPORT_ALL    0x7u

/*
 * What a writer learnt about its file: sent at close and fsync.  data_version
 * is the one its open returned; the MDS ignores a report whose version is not
 * the file's current one (a truncate by someone else came in between).
 * valid == 0: no report.
 */
struct proto_mds_size_report {
	uint32_t valid; /* PROTO_REPORT_* */
	uint64_t data_version;
	uint64_t size;
	uint64_t blocks;
	struct proto_time mtime;
};

/* CLOSE (handle required) and SYNC (handle, or 0 for a directory fsync). */
struct proto_mds_close_req {
	struct proto_fid fid;
	uint64_t handle;
	struct proto_mds_size_report report;
};

int proto_mds_close_req_enc(struct proto_cur *c, const struct proto_mds_close_req *m);
int proto_mds_close_req_dec(struct proto_cur *c, struct proto_mds_close_req *m);

/* ---- xattrs ------------------------------------------------------------- */

/* setxattr(2) flags. */
#define PROTO_XATTR_CREATE  0x1u
#define PROTO_XATTR_REPLACE 0x2u

/* size: the caller's buffer; 0 asks only for the value's length. */
struct proto_mds_getxattr_req {
	struct proto_fid fid;
	struct proto_str name; /* 1..PROTO_XATTR_NAME_MAX bytes, no NUL */
	uint32_t size;
};

int proto_mds_getxattr_req_enc(struct proto_cur *c, const struct proto_mds_getxattr_req *m);
int proto_mds_getxattr_req_dec(struct proto_cur *c, struct proto_mds_getxattr_req *m);

/* value may be empty; at most PROTO_XATTR_VALUE_MAX bytes. */
struct proto_mds_setxattr_req {
	struct proto_fid fid;
	struct proto_str name;
	uint32_t flags; /* 0, PROTO_XATTR_CREATE or PROTO_XATTR_REPLACE */
	struct proto_str value;
};

int proto_mds_setxattr_req_enc(struct proto_cur *c, const struct proto_mds_setxattr_req *m);
int proto_mds_setxattr_req_dec(struct proto_cur *c, struct proto_mds_setxattr_req *m);

struct proto_mds_listxattr_req {
	struct proto_fid fid;
	uint32_t size; /* the caller's buffer; 0 asks only for the list's length */
};

int proto_mds_listxattr_req_enc(struct proto_cur *c, const struct proto_mds_listxattr_req *m);
int proto_mds_listxattr_req_dec(struct proto_cur *c, struct proto_mds_listxattr_req *m);

/* REMOVEXATTR. */
struct proto_mds_xattr_name_req {
	struct proto_fid fid;
	struct proto_str name;
};

int proto_mds_xattr_name_req_enc(struct proto_cur *c, const struct proto_mds_xattr_name_req *m);
int proto_mds_xattr_name_req_dec(struct proto_cur *c, struct proto_mds_xattr_name_req *m);

/*
 * GETXATTR and LISTXATTR replies.  size is the length of the value (of the
 * NUL-separated name list); data is empty when the request's size was 0,
 * otherwise exactly size bytes.  A request size that is too small gets the
 * status -ERANGE and no body.  A non-empty LISTXATTR list ends with a NUL.
 */
struct proto_mds_xattr_rep {
	uint32_t size;
	struct proto_str data;
};

int proto_mds_xattr_rep_enc(struct proto_cur *c, const struct proto_mds_xattr_rep *m);
int proto_mds_xattr_rep_dec(struct proto_cur *c, struct proto_mds_xattr_rep *m);

/* ---- STATFS ------------------------------------------------------------- */

/*
 * The MDT's own statistics (files, ffree: the inode space) and the sum over
 * the active OSTs as the MDS last saw them (blocks, bfree, bavail: the data
 * space), so a client's statfs is one RPC; `stria df` asks each OST.
 */
struct proto_mds_statfs_rep {
	struct proto_statfs mdt;
	struct proto_statfs osts;
	uint32_t ost_count;  /* OSTs in the target table */
	uint32_t ost_active; /* of which active */
};

int proto_mds_statfs_rep_enc(struct proto_cur *c, const struct proto_mds_statfs_rep *m);
int proto_mds_statfs_rep_dec(struct proto_cur *c, struct proto_mds_statfs_rep *m);

/* ---- GETLAYOUT / SETLAYOUT ---------------------------------------------- */

enum proto_layout_kind {
	PROTO_LAYOUT_KIND_NONE = 0,	   /* no layout (a directory without default...) */
	PROTO_LAYOUT_KIND_FILE = 1,	   /* a regular file's layout, objects allocated */
	PROTO_LAYOUT_KIND_DIR_DEFAULT = 2, /* a directory's default (a template) */
};

/* SETLAYOUT flags */
#define PROTO_SETLAYOUT_F_DELETE_DEFAULT (1u << 0) /* remove a directory's default */
#define PROTO_SETLAYOUT_F_ALL		 PROTO_SETLAYOUT_F_DELETE_DEFAULT

/* The layout template is absent with PROTO_SETLAYOUT_F_DELETE_DEFAULT. */
struct proto_mds_setlayout_req {
	struct proto_fid fid;
	uint32_t flags;
	struct proto_layout layout;
};

int proto_mds_setlayout_req_enc(struct proto_cur *c, const struct proto_mds_setlayout_req *m);
int proto_mds_setlayout_req_dec(struct proto_cur *c, struct proto_mds_setlayout_req *m);

/* GETLAYOUT and SETLAYOUT replies: the layout is present unless kind is NONE. */
struct proto_mds_layout_rep {
	uint32_t kind; /* enum proto_layout_kind */
	struct proto_layout layout;
};

int proto_mds_layout_rep_enc(struct proto_cur *c, const struct proto_mds_layout_rep *m);
int proto_mds_layout_rep_dec(struct proto_cur *c, struct proto_mds_layout_rep *m);

#endif
