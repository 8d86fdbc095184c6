/* SPDX-License-Identifier: Apache-2.0 */
#include "t_msg.h"

#include <dirent.h>
#include <sys/stat.h>

/* ---- samples: every field non-zero, variable parts at their maximum ---- */

static char name_max[PROTO_NAME_MAX + 1], name2_max[PROTO_NAME_MAX + 1];
static char target_max[PROTO_SYMLINK_MAX + 1];
static char xname_max[PROTO_XATTR_NAME_MAX + 1];
static char value_max[PROTO_XATTR_VALUE_MAX + 1];
static char list_max[PROTO_XATTR_LIST_MAX];

static const struct proto_fid fid_a = {0x200000400ULL, 0x11, 0x1};
static const struct proto_fid fid_b = {0x200000401ULL, 0x22, 0x2};

static struct proto_attr attr_sample(void)
{
	return (struct proto_attr){
	    .fid = fid_a,
	    .mode = S_IFREG | 0644,
	    .nlink = 2,
	    .uid = 1000,
	    .gid = 1001,
	    .rdev = 0x0801,
	    .size = 123456789,
	    .blocks = 241136,
	    .blksize = 1 << 20,
	    .atime = {1700000000, 1},
	    .mtime = {1700000001, 999999999},
	    .ctime = {-5, 3},
	    .data_version = 77,
	};
}

/* The most directories' post-op attributes a reply carries. */
static struct proto_mds_dirs dirs_max(void)
{
	struct proto_mds_dirs d = {.n = PROTO_MDS_DIRS_MAX};

	for (uint32_t i = 0; i < PROTO_MDS_DIRS_MAX; i++) {
		d.attr[i] = attr_sample();
		d.attr[i].fid.oid = 100 + i;
		d.attr[i].mode = S_IFDIR | 02775;
		d.attr[i].nlink = 3 + i;
	}
	return d;
}

/* A file's layout with the most stripes and the longest pool name. */
static void layout_file_max(struct proto_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->pattern = PROTO_LAYOUT_PATTERN_RAID0;
	l->stripe_size = 4 * PROTO_STRIPE_UNIT;
	l->stripe_count = PROTO_LAYOUT_MAX_STRIPES;
	l->stripe_offset = 7;
	l->gen = 3;
	memset(l->pool, 'p', PROTO_POOL_NAME_MAX);
	l->nobjs = PROTO_LAYOUT_MAX_STRIPES;
	for (uint32_t i = 0; i < l->nobjs; i++) {
		l->objs[i].ost_idx = (7 + i) % 1000;
		l->objs[i].objid = 0x1000 + i;
	}
}

/* A template with an explicit OST list of the most stripes. */
static void layout_template_max(struct proto_layout *l)
{
	layout_file_max(l);
	l->flags = PROTO_LAYOUT_F_OSTLIST;
	for (uint32_t i = 0; i < l->nobjs; i++)
		l->objs[i].objid = 0;
}

static struct proto_mds_fid_req s_fid_req;
static struct proto_mds_name_req s_name_req;
static struct proto_mds_attr_rep s_attr_rep;
static struct proto_mds_getattr_rep s_getattr_rep, s_getattr_rep_nolayout;
static struct proto_mds_setattr_req s_setattr_req;
static struct proto_mds_create_req s_create_req, s_create_req_plain, s_create_req_replay;
static struct proto_mds_open_req s_open_req, s_open_req_replay;
static struct proto_mds_open_rep s_open_rep, s_open_rep_nolayout;
static struct proto_mds_mkdir_req s_mkdir_req;
static struct proto_mds_mknod_req s_mknod_req;
static struct proto_mds_link_req s_link_req;
static struct proto_mds_symlink_req s_symlink_req;
static struct proto_mds_readlink_rep s_readlink_rep;
static struct proto_mds_unlink_rep s_unlink_rep;
static struct proto_mds_rename_req s_rename_req;
static struct proto_mds_rename_rep s_rename_rep;
static struct proto_mds_readdir_req s_readdir_req;
static struct proto_mds_close_req s_close_req;
static struct proto_mds_getxattr_req s_getxattr_req;
static struct proto_mds_setxattr_req s_setxattr_req;
static struct proto_mds_listxattr_req s_listxattr_req;
static struct proto_mds_xattr_name_req s_xattr_name_req;
static struct proto_mds_xattr_rep s_getxattr_rep, s_listxattr_rep, s_xattr_rep_size;
static struct proto_mds_statfs_rep s_statfs_rep;
static struct proto_mds_setlayout_req s_setlayout_req, s_setlayout_req_delete;
static struct proto_mds_layout_rep s_layout_rep, s_layout_rep_none;

/* READDIR replies go through the appender and the iterator. */
#define T_DIRENTS 8
struct t_dirlist {
	uint32_t flags; /* PROTO_READDIR_F_* */
	uint32_t n;
	struct proto_mds_dirent e[T_DIRENTS];
};
static struct t_dirlist s_dir_plus, s_dir_plain, s_dir_empty;

static int t_enc_dirlist(struct proto_cur *c, const void *m)
{
	const struct t_dirlist *d = m;
	struct proto_mds_readdir_enc a;
	int rc;

	rc = proto_mds_readdir_rep_begin(&a, c, d->flags, c->len - c->pos);
	for (uint32_t i = 0; rc == 0 && i < d->n; i++)
		rc = proto_mds_readdir_rep_add(&a, &d->e[i]);
	if (rc == -ENOSPC) /* the short-buffer check expects the cursor's error */
		return -EMSGSIZE;
	return rc ? rc : proto_mds_readdir_rep_end(&a, d->flags & PROTO_READDIR_F_EOF);
}

static int t_dec_dirlist(struct proto_cur *c, void *m)
{
	struct t_dirlist *d = m;
	struct proto_mds_readdir_rep_iter it;
	int rc;

	d->n = 0;
	rc = proto_mds_readdir_rep_iter_init(&it, c);
	if (rc)
		return rc;
	d->flags = it.flags;
	while ((rc = proto_mds_readdir_rep_iter_next(&it, &d->e[d->n < T_DIRENTS ? d->n : 0])) == 1)
		d->n++;
	return rc ? rc : proto_cur_finish(c);
}

static int t_enc_empty(struct proto_cur *c, const void *m)
{
	return proto_mds_empty_enc(c);
}

static int t_dec_empty(struct proto_cur *c, void *m)
{
	return proto_mds_empty_dec(c);
}

static void samples_init(void)
{
	struct proto_str name = t_fill(name_max, PROTO_NAME_MAX, 'n');
	struct proto_str name2 = t_fill(name2_max, PROTO_NAME_MAX, 'm');
	struct proto_attr attr = attr_sample();

	s_fid_req.fid = fid_a;
	s_name_req = (struct proto_mds_name_req){fid_a, name};
	s_attr_rep.attr = attr;
	s_attr_rep.dirs = dirs_max();

	s_getattr_rep.attr = attr;
	s_getattr_rep.flags = PROTO_MDS_GETATTR_F_LAYOUT;
	layout_file_max(&s_getattr_rep.layout);
	s_getattr_rep_nolayout.attr = attr;

	s_setattr_req = (struct proto_mds_setattr_req){
	    .fid = fid_a,
	    .valid = PROTO_SETATTR_ALL,
	    .mode = S_IFREG | 0600,
	    .uid = 5,
	    .gid = 6,
	    .size = 1ULL << 40,
	    .atime = {1, 2},
	    .mtime = {3, 4},
	    .ctime = {5, 6},
	    .handle = 0xabcdef,
	};

	s_create_req = (struct proto_mds_create_req){
	    .parent = fid_a,
	    .name = name,
	    .mode = S_IFREG | 0640,
	    .flags = PROTO_CREATE_F_ALL & ~PROTO_CREATE_F_REPLAY,
	    .open_flags = 0101, /* O_WRONLY | O_CREAT */
	};
	layout_template_max(&s_create_req.layout);
	s_create_req_plain = s_create_req;
	s_create_req_plain.flags = PROTO_CREATE_F_EXCL;
	/* The largest replay: a file's full layout and the original attributes. */
	s_create_req_replay = s_create_req_plain;
	s_create_req_replay.flags = PROTO_CREATE_F_ALL;
	layout_file_max(&s_create_req_replay.layout);
	s_create_req_replay.replay_xid = 0x1122334455667788ULL;
	s_create_req_replay.replay_attr = attr;

	s_open_req = (struct proto_mds_open_req){fid_a, 02, 0, 0};
	s_open_req_replay = (struct proto_mds_open_req){fid_a, 02, PROTO_OPEN_F_REPLAY, 0x55};
	s_open_rep = (struct proto_mds_open_rep){
	    .attr = attr, .flags = PROTO_OPEN_REP_F_ALL, .handle = 0x1234};
	layout_file_max(&s_open_rep.layout);
	s_open_rep.dirs = dirs_max();
	s_open_rep_nolayout = (struct proto_mds_open_rep){.attr = attr};

	s_mkdir_req = (struct proto_mds_mkdir_req){fid_a, name, 0755};
	s_mknod_req = (struct proto_mds_mknod_req){fid_a, name, S_IFCHR | 0600, 0x0103};
	s_link_req = (struct proto_mds_link_req){fid_b, fid_a, name};
	s_symlink_req =
	    (struct proto_mds_symlink_req){fid_a, name, t_fill(target_max, PROTO_SYMLINK_MAX, 't')};
	s_readlink_rep.target = s_symlink_req.target;
	s_unlink_rep = (struct proto_mds_unlink_rep){
	    .fid = fid_b, .nlink = 1, .flags = PROTO_UNLINK_F_ALL, .dirs = dirs_max()};
	s_rename_rep.dirs = dirs_max();
	s_rename_req =
	    (struct proto_mds_rename_req){fid_a, name, fid_b, name2, PROTO_RENAME_NOREPLACE};
	s_readdir_req = (struct proto_mds_readdir_req){fid_a, 42, 65536, PROTO_READDIR_F_PLUS};
	s_close_req = (struct proto_mds_close_req){
	    fid_a, 0x99, {PROTO_REPORT_ALL, 77, 1 << 30, 2 << 20, {9, 10}}};

	s_getxattr_req = (struct proto_mds_getxattr_req){
	    fid_a, t_fill(xname_max, PROTO_XATTR_NAME_MAX, 'x'), 65536};
	s_setxattr_req =
	    (struct proto_mds_setxattr_req){fid_a, s_getxattr_req.name, PROTO_XATTR_REPLACE,
					    t_fill(value_max, PROTO_XATTR_VALUE_MAX, 'v')};
	s_listxattr_req = (struct proto_mds_listxattr_req){fid_a, 4096};
	s_xattr_name_req = (struct proto_mds_xattr_name_req){fid_a, s_getxattr_req.name};
	s_getxattr_rep = (struct proto_mds_xattr_rep){PROTO_XATTR_VALUE_MAX, s_setxattr_req.value};
	t_fill(list_max, PROTO_XATTR_LIST_MAX, 'l');
	for (size_t i = 9; i < PROTO_XATTR_LIST_MAX; i += 10)
		list_max[i] = '\0';
	list_max[PROTO_XATTR_LIST_MAX - 1] = '\0';
	s_listxattr_rep =
	    (struct proto_mds_xattr_rep){PROTO_XATTR_LIST_MAX, {list_max, PROTO_XATTR_LIST_MAX}};
	s_xattr_rep_size = (struct proto_mds_xattr_rep){1234, {"", 0}};

	s_statfs_rep = (struct proto_mds_statfs_rep){
	    .mdt = {4096, 255, 1000, 900, 800, 100000, 99000},
	    .osts = {4096, 255, 1 << 30, 1 << 29, 1 << 28, 5000, 4000},
	    .ost_count = 8,
	    .ost_active = 7,
	};

	s_setlayout_req.fid = fid_a;
	layout_template_max(&s_setlayout_req.layout);
	s_setlayout_req_delete = (struct proto_mds_setlayout_req){
	    .fid = fid_a, .flags = PROTO_SETLAYOUT_F_DELETE_DEFAULT};
	s_layout_rep.kind = PROTO_LAYOUT_KIND_FILE;
	layout_file_max(&s_layout_rep.layout);
	s_layout_rep_none.kind = PROTO_LAYOUT_KIND_NONE;

	/* Readdir: PLUS entries with the longest names; a plain one; an empty eof. */
	s_dir_plus.flags = PROTO_READDIR_F_PLUS | PROTO_READDIR_F_EOF;
	s_dir_plus.n = T_DIRENTS;
	for (uint32_t i = 0; i < T_DIRENTS; i++) {
		struct proto_mds_dirent *e = &s_dir_plus.e[i];

		e->name = name;
		e->fid = fid_b;
		e->fid.oid += i;
		e->type = i % 2 ? DT_DIR : DT_REG;
		e->next = PROTO_READDIR_COOKIE_FIRST + i + 1;
		e->attr = attr;
		e->attr.fid = e->fid;
	}
	s_dir_plain = s_dir_plus;
	s_dir_plain.flags = 0;
	for (uint32_t i = 0; i < T_DIRENTS; i++)
		memset(&s_dir_plain.e[i].attr, 0, sizeof(struct proto_attr));
	s_dir_empty = (struct t_dirlist){.flags = PROTO_READDIR_F_EOF};
}

T_WRAP(mds_fid_req)
T_WRAP(mds_name_req)
T_WRAP(mds_attr_rep)
T_WRAP(mds_getattr_rep)
T_WRAP(mds_setattr_req)
T_WRAP(mds_create_req)
T_WRAP(mds_open_req)
T_WRAP(mds_open_rep)
T_WRAP(mds_mkdir_req)
T_WRAP(mds_mknod_req)
T_WRAP(mds_link_req)
T_WRAP(mds_symlink_req)
T_WRAP(mds_readlink_rep)
T_WRAP(mds_unlink_rep)
T_WRAP(mds_rename_req)
T_WRAP(mds_rename_rep)
T_WRAP(mds_readdir_req)
T_WRAP(mds_close_req)
T_WRAP(mds_getxattr_req)
T_WRAP(mds_setxattr_req)
T_WRAP(mds_listxattr_req)
T_WRAP(mds_xattr_name_req)
T_WRAP(mds_xattr_rep)
T_WRAP(mds_statfs_rep)
T_WRAP(mds_setlayout_req)
T_WRAP(mds_layout_rep)

#define Q false /* request */
#define R true	/* reply */

static const struct t_msg table[] = {
    T_MSG(PROTO_OP_MDS_LOOKUP, Q, mds_name_req, &s_name_req),
    T_MSG(PROTO_OP_MDS_LOOKUP, R, mds_getattr_rep, &s_getattr_rep),
    T_MSG(0, R, mds_getattr_rep, &s_getattr_rep_nolayout),
    T_MSG(PROTO_OP_MDS_GETATTR, Q, mds_fid_req, &s_fid_req),
    T_MSG(PROTO_OP_MDS_GETATTR, R, mds_getattr_rep, &s_getattr_rep),
    T_MSG(PROTO_OP_MDS_SETATTR, Q, mds_setattr_req, &s_setattr_req),
    T_MSG(PROTO_OP_MDS_SETATTR, R, mds_attr_rep, &s_attr_rep),
    T_MSG(PROTO_OP_MDS_CREATE, Q, mds_create_req, &s_create_req),
    T_MSG(0, Q, mds_create_req, &s_create_req_plain),
    T_MSG(PROTO_OP_MDS_CREATE, Q, mds_create_req, &s_create_req_replay),
    T_MSG(PROTO_OP_MDS_CREATE, R, mds_open_rep, &s_open_rep),
    T_MSG(PROTO_OP_MDS_MKDIR, Q, mds_mkdir_req, &s_mkdir_req),
    T_MSG(PROTO_OP_MDS_MKDIR, R, mds_attr_rep, &s_attr_rep),
    T_MSG(PROTO_OP_MDS_MKNOD, Q, mds_mknod_req, &s_mknod_req),
    T_MSG(PROTO_OP_MDS_MKNOD, R, mds_attr_rep, &s_attr_rep),
    T_MSG(PROTO_OP_MDS_UNLINK, Q, mds_name_req, &s_name_req),
    T_MSG(PROTO_OP_MDS_UNLINK, R, mds_unlink_rep, &s_unlink_rep),
    T_MSG(PROTO_OP_MDS_RMDIR, Q, mds_name_req, &s_name_req),
    T_MSG(PROTO_OP_MDS_RMDIR, R, mds_unlink_rep, &s_unlink_rep),
    T_MSG(PROTO_OP_MDS_RENAME, Q, mds_rename_req, &s_rename_req),
    T_MSG(PROTO_OP_MDS_RENAME, R, mds_rename_rep, &s_rename_rep),
    T_MSG(PROTO_OP_MDS_LINK, Q, mds_link_req, &s_link_req),
    T_MSG(PROTO_OP_MDS_LINK, R, mds_attr_rep, &s_attr_rep),
    T_MSG(PROTO_OP_MDS_SYMLINK, Q, mds_symlink_req, &s_symlink_req),
    T_MSG(PROTO_OP_MDS_SYMLINK, R, mds_attr_rep, &s_attr_rep),
    T_MSG(PROTO_OP_MDS_READLINK, Q, mds_fid_req, &s_fid_req),
    T_MSG(PROTO_OP_MDS_READLINK, R, mds_readlink_rep, &s_readlink_rep),
    T_MSG(PROTO_OP_MDS_READDIR, Q, mds_readdir_req, &s_readdir_req),
    T_MSG(PROTO_OP_MDS_READDIR, R, dirlist, &s_dir_plus),
    T_MSG(0, R, dirlist, &s_dir_plain),
    T_MSG(0, R, dirlist, &s_dir_empty),
    T_MSG(PROTO_OP_MDS_OPEN, Q, mds_open_req, &s_open_req),
    T_MSG(0, Q, mds_open_req, &s_open_req_replay),
    T_MSG(PROTO_OP_MDS_OPEN, R, mds_open_rep, &s_open_rep),
    T_MSG(0, R, mds_open_rep, &s_open_rep_nolayout),
    T_MSG(PROTO_OP_MDS_CLOSE, Q, mds_close_req, &s_close_req),
    T_MSG(PROTO_OP_MDS_CLOSE, R, empty, NULL),
    T_MSG(PROTO_OP_MDS_SYNC, Q, mds_close_req, &s_close_req),
    T_MSG(PROTO_OP_MDS_SYNC, R, mds_attr_rep, &s_attr_rep),
    T_MSG(PROTO_OP_MDS_GETXATTR, Q, mds_getxattr_req, &s_getxattr_req),
    T_MSG(PROTO_OP_MDS_GETXATTR, R, mds_xattr_rep, &s_getxattr_rep),
    T_MSG(0, R, mds_xattr_rep, &s_xattr_rep_size),
    T_MSG(PROTO_OP_MDS_SETXATTR, Q, mds_setxattr_req, &s_setxattr_req),
    T_MSG(PROTO_OP_MDS_SETXATTR, R, empty, NULL),
    T_MSG(PROTO_OP_MDS_LISTXATTR, Q, mds_listxattr_req, &s_listxattr_req),
    T_MSG(PROTO_OP_MDS_LISTXATTR, R, mds_xattr_rep, &s_listxattr_rep),
    T_MSG(PROTO_OP_MDS_REMOVEXATTR, Q, mds_xattr_name_req, &s_xattr_name_req),
    T_MSG(PROTO_OP_MDS_REMOVEXATTR, R, empty, NULL),
    T_MSG(PROTO_OP_MDS_STATFS, Q, empty, NULL),
    T_MSG(PROTO_OP_MDS_STATFS, R, mds_statfs_rep, &s_statfs_rep),
    T_MSG(PROTO_OP_MDS_GETLAYOUT, Q, mds_fid_req, &s_fid_req),
    T_MSG(PROTO_OP_MDS_GETLAYOUT, R, mds_layout_rep, &s_layout_rep),
    T_MSG(0, R, mds_layout_rep, &s_layout_rep_none),
    T_MSG(PROTO_OP_MDS_SETLAYOUT, Q, mds_setlayout_req, &s_setlayout_req),
    T_MSG(0, Q, mds_setlayout_req, &s_setlayout_req_delete),
    T_MSG(PROTO_OP_MDS_SETLAYOUT, R, mds_layout_rep, &s_layout_rep),
};

#define NTAB (sizeof(table) / sizeof(table[0]))

static void msg_mds_every_message_round_trips_and_rejects_truncation(void **state)
{
	samples_init();
	t_msg_check_all(table, NTAB);
}

static void msg_mds_every_opcode_has_bodies(void **state)
{
	t_msg_cover(table, NTAB, PROTO_OP_MDS_LOOKUP, PROTO_OP_MDS_SETLAYOUT);
}

/* Decodes @len bytes of @buf with @dec into a scratch struct. */
static int dec_with(t_dec_fn dec, const uint8_t *buf, size_t len)
{
	static uint8_t out[T_SCRATCH] __attribute__((aligned(16)));
	struct proto_cur c;

	proto_cur_init_ro(&c, buf, len);
	return dec(&c, out);
}

static size_t enc_with(t_enc_fn enc, const void *m, uint8_t *buf, size_t cap, int *rc)
{
	struct proto_cur c;

	proto_cur_init(&c, buf, cap);
	*rc = enc(&c, m);
	return c.pos;
}

static void msg_mds_decoded_fields_match(void **state)
{
	static uint8_t buf[8192];
	struct proto_mds_rename_req r;
	struct proto_mds_open_rep o;
	struct proto_cur c;
	size_t len;
	int rc;

	samples_init();
	len = enc_with(t_enc_mds_rename_req, &s_rename_req, buf, sizeof(buf), &rc);
	assert_int_equal(rc, 0);
	proto_cur_init_ro(&c, buf, len);
	assert_int_equal(proto_mds_rename_req_dec(&c, &r), 0);
	assert_true(proto_fid_eq(&r.src_parent, &fid_a));
	assert_true(proto_fid_eq(&r.dst_parent, &fid_b));
	assert_int_equal(r.src_name.len, PROTO_NAME_MAX);
	assert_memory_equal(r.dst_name.s, name2_max, PROTO_NAME_MAX);
	assert_int_equal(r.flags, PROTO_RENAME_NOREPLACE);

	len = enc_with(t_enc_mds_open_rep, &s_open_rep, buf, sizeof(buf), &rc);
	assert_int_equal(rc, 0);
	proto_cur_init_ro(&c, buf, len);
	assert_int_equal(proto_mds_open_rep_dec(&c, &o), 0);
	assert_int_equal(o.handle, 0x1234);
	assert_int_equal(o.attr.data_version, 77);
	assert_int_equal(o.layout.nobjs, PROTO_LAYOUT_MAX_STRIPES);
	assert_int_equal(o.layout.objs[255].objid, 0x1000 + 255);
	assert_string_equal(o.layout.pool, "ppppppppppppppp");
}

static void msg_mds_oversized_strings_fail(void **state)
{
	static char big[PROTO_XATTR_VALUE_MAX + 2];
	static uint8_t buf[PROTO_BODY_MAX];
	struct proto_mds_name_req n = {fid_a, t_fill(big, PROTO_NAME_MAX + 1, 'a')};
	struct proto_mds_symlink_req s = {fid_a, {"a", 1}, t_fill(big, PROTO_SYMLINK_MAX + 1, 'a')};
	struct proto_mds_setxattr_req x = {
	    fid_a, {"user.a", 6}, 0, t_fill(big, PROTO_XATTR_VALUE_MAX + 1, 'a')};
	struct proto_mds_getxattr_req g = {fid_a, t_fill(big, PROTO_XATTR_NAME_MAX + 1, 'a'), 0};
	struct proto_mds_name_req ok = {fid_a, t_fill(big, PROTO_NAME_MAX, 'a')};
	size_t len;
	int rc;

	enc_with(t_enc_mds_name_req, &n, buf, sizeof(buf), &rc);
	assert_int_equal(rc, -ENAMETOOLONG);
	enc_with(t_enc_mds_symlink_req, &s, buf, sizeof(buf), &rc);
	assert_int_equal(rc, -ENAMETOOLONG);
	enc_with(t_enc_mds_setxattr_req, &x, buf, sizeof(buf), &rc);
	assert_int_equal(rc, -EMSGSIZE);
	enc_with(t_enc_mds_getxattr_req, &g, buf, sizeof(buf), &rc);
	assert_int_equal(rc, -ENAMETOOLONG);

	/* A peer that sends a name one byte over the cap is refused. */
	len = enc_with(t_enc_mds_name_req, &ok, buf, sizeof(buf), &rc);
	assert_int_equal(rc, 0);
	buf[16] = 0x00; /* the u16 length after the parent FID: 256 */
	buf[17] = 0x01;
	buf[len] = 'a';
	assert_int_equal(dec_with(t_dec_mds_name_req, buf, len + 1), -EPROTO);

	/* An xattr value length past the cap is refused before it is read. */
	len = enc_with(t_enc_mds_setxattr_req, &s_setxattr_req, buf, sizeof(buf), &rc);
	assert_int_equal(rc, 0);
	len = 16 + 2 + PROTO_XATTR_NAME_MAX + 4; /* the value's u32 length */
	buf[len] = 0x01;
	buf[len + 1] = 0x00;
	buf[len + 2] = 0x01; /* 65537 */
	buf[len + 3] = 0x00;
	assert_int_equal(dec_with(t_dec_mds_setxattr_req, buf, len + 4 + 65537), -EPROTO);
}

static void msg_mds_bad_names_fail(void **state)
{
	static uint8_t buf[1024];
	const char *bad[] = {"", "a/b", "/"};
	struct proto_mds_name_req n = {fid_a, {"ok", 2}};
	size_t len;
	int rc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n.name = (struct proto_str){bad[i], (uint32_t)strlen(bad[i])};
		enc_with(t_enc_mds_name_req, &n, buf, sizeof(buf), &rc);
		assert_int_equal(rc, -EINVAL);
	}
	n.name = (struct proto_str){"a\0b", 3};
	enc_with(t_enc_mds_name_req, &n, buf, sizeof(buf), &rc);
	assert_int_equal(rc, -EINVAL);

	/* The same on the wire: a '/' or a NUL in a decoded name is malformed. */
	n.name = (struct proto_str){"abc", 3};
	len = enc_with(t_enc_mds_name_req, &n, buf, sizeof(buf), &rc);
	assert_int_equal(rc, 0);
	buf[19] = '/';
	assert_int_equal(dec_with(t_dec_mds_name_req, buf, len), -EPROTO);
	buf[19] = '\0';
	assert_int_equal(dec_with(t_dec_mds_name_req, buf, len), -EPROTO);
	buf[19] = 'c';
	assert_int_equal(dec_with(t_dec_mds_name_req, buf, len), 0);
}

/* Encodes @m, sets the u32 at @off to @v and decodes again. */
#define T_PATCH_DEC(T, m, off, v)                                                                  \
	({                                                                                         \
		static uint8_t pbuf_[8192];                                                        \
		int prc_;                                                                          \
		size_t plen_ = enc_with(t_enc_##T, (m), pbuf_, sizeof(pbuf_), &prc_);              \
		struct proto_cur pc_;                                                              \
		assert_int_equal(prc_, 0);                                                         \
		proto_cur_init(&pc_, pbuf_ + (off), 4);                                            \
		proto_put_u32(&pc_, (v));                                                          \
		dec_with(t_dec_##T, pbuf_, plen_);                                                 \
	})

static void msg_mds_unknown_flags_fail(void **state)
{
	struct proto_mds_rename_req r;
	struct proto_mds_open_req o;
	struct proto_mds_unlink_rep u;

	samples_init();
	/* setattr valid mask: after fid */
	assert_int_equal(T_PATCH_DEC(mds_setattr_req, &s_setattr_req, 16, 1u << 9), -EPROTO);
	/* create flags: after parent, name, mode */
	assert_int_equal(
	    T_PATCH_DEC(mds_create_req, &s_create_req_plain, 16 + 2 + PROTO_NAME_MAX + 4, 1u << 5),
	    -EPROTO);
	/* a replay without the file's layout */
	assert_int_equal(T_PATCH_DEC(mds_create_req, &s_create_req_plain,
				     16 + 2 + PROTO_NAME_MAX + 4, PROTO_CREATE_F_REPLAY),
			 -EPROTO);
	/* rename: unknown bit, and NOREPLACE|EXCHANGE together */
	r = (struct proto_mds_rename_req){fid_a, {"a", 1}, fid_b, {"b", 1}, 0};
	assert_int_equal(T_PATCH_DEC(mds_rename_req, &r, 16 + 3 + 16 + 3, 4), -EPROTO);
	assert_int_equal(T_PATCH_DEC(mds_rename_req, &r, 16 + 3 + 16 + 3, 3), -EPROTO);
	assert_int_equal(T_PATCH_DEC(mds_rename_req, &r, 16 + 3 + 16 + 3, 2), 0);
	/* open: replay flag without a handle, and a handle without replay */
	o = (struct proto_mds_open_req){fid_a, 0, 0, 0};
	assert_int_equal(T_PATCH_DEC(mds_open_req, &o, 16 + 4, PROTO_OPEN_F_REPLAY), -EPROTO);
	assert_int_equal(T_PATCH_DEC(mds_open_req, &o, 16 + 8, 1), -EPROTO);
	/* unlink: ORPHAN without LAST */
	u = (struct proto_mds_unlink_rep){.fid = fid_a, .flags = PROTO_UNLINK_F_LAST};
	assert_int_equal(T_PATCH_DEC(mds_unlink_rep, &u, 16 + 4, PROTO_UNLINK_F_ORPHAN), -EPROTO);
	/* readdir request: unknown flag, and a limit too small for one entry */
	assert_int_equal(T_PATCH_DEC(mds_readdir_req, &s_readdir_req, 16 + 8 + 4, 2), -EPROTO);
	assert_int_equal(T_PATCH_DEC(mds_readdir_req, &s_readdir_req, 16 + 8, 100), -EPROTO);
	/* layout kind out of range */
	assert_int_equal(T_PATCH_DEC(mds_layout_rep, &s_layout_rep, 0, 3), -EPROTO);
	/* close report: unknown valid bit */
	assert_int_equal(T_PATCH_DEC(mds_close_req, &s_close_req, 16 + 8, 8), -EPROTO);
	/* statfs: more active OSTs than OSTs */
	assert_int_equal(T_PATCH_DEC(mds_statfs_rep, &s_statfs_rep, 2 * 48 + 4, 9), -EPROTO);
	/* attr nsec out of range (mtime.nsec of the attr reply) */
	assert_int_equal(T_PATCH_DEC(mds_attr_rep, &s_attr_rep, 80, 1000000000u), -EPROTO);
}

/*
 * Post-op directory attributes: at most PROTO_MDS_DIRS_MAX, each a directory,
 * and the decoded list is the encoded one.
 */
static void msg_mds_dirs_checked(void **state)
{
	/* unlink reply: fid, nlink, flags, then the count and the first attr's mode */
	const size_t n_off = 16 + 4 + 4, mode_off = n_off + 4 + 16;
	struct proto_mds_unlink_rep u = {.fid = fid_a, .dirs = dirs_max()}, d;
	static uint8_t buf[8192];
	struct proto_cur c;
	size_t len;
	int rc;

	samples_init();
	len = enc_with(t_enc_mds_unlink_rep, &u, buf, sizeof(buf), &rc);
	assert_int_equal(rc, 0);
	proto_cur_init_ro(&c, buf, len);
	assert_int_equal(proto_mds_unlink_rep_dec(&c, &d), 0);
	assert_int_equal(d.dirs.n, PROTO_MDS_DIRS_MAX);
	for (uint32_t i = 0; i < PROTO_MDS_DIRS_MAX; i++) {
		assert_true(proto_fid_eq(&d.dirs.attr[i].fid, &u.dirs.attr[i].fid));
		assert_int_equal(d.dirs.attr[i].nlink, 3 + i);
		assert_int_equal(d.dirs.attr[i].mode, S_IFDIR | 02775);
	}
	assert_int_equal(T_PATCH_DEC(mds_unlink_rep, &u, n_off, PROTO_MDS_DIRS_MAX + 1), -EPROTO);
	assert_int_equal(T_PATCH_DEC(mds_unlink_rep, &u, n_off, 0xffffffffu), -EPROTO);
	/* fewer than encoded leaves trailing bytes */
	assert_int_equal(T_PATCH_DEC(mds_unlink_rep, &u, n_off, 1), -EPROTO);
	assert_int_equal(T_PATCH_DEC(mds_unlink_rep, &u, mode_off, S_IFREG | 0644), -EPROTO);
	assert_int_equal(T_PATCH_DEC(mds_unlink_rep, &u, mode_off, S_IFDIR | 0700), 0);
	/* an encoder refuses more than the wire carries */
	u.dirs.n = PROTO_MDS_DIRS_MAX + 1;
	enc_with(t_enc_mds_unlink_rep, &u, buf, sizeof(buf), &rc);
	assert_int_equal(rc, -EINVAL);
}

static void msg_mds_setxattr_flags_checked(void **state)
{
	struct proto_mds_setxattr_req x = {fid_a, {"user.k", 6}, 0, {"v", 1}};
	size_t off = 16 + 2 + 6;

	assert_int_equal(T_PATCH_DEC(mds_setxattr_req, &x, off, PROTO_XATTR_CREATE), 0);
	assert_int_equal(T_PATCH_DEC(mds_setxattr_req, &x, off, PROTO_XATTR_REPLACE), 0);
	assert_int_equal(T_PATCH_DEC(mds_setxattr_req, &x, off, 3), -EPROTO);
	assert_int_equal(T_PATCH_DEC(mds_setxattr_req, &x, off, 4), -EPROTO);
}

static void msg_mds_xattr_rep_size_and_data_agree(void **state)
{
	static uint8_t buf[64];
	struct proto_mds_xattr_rep r = {5, {"abc", 3}};
	int rc;

	enc_with(t_enc_mds_xattr_rep, &r, buf, sizeof(buf), &rc);
	assert_int_equal(rc, -EINVAL);
	r.size = 3;
	enc_with(t_enc_mds_xattr_rep, &r, buf, sizeof(buf), &rc);
	assert_int_equal(rc, 0);
	/* size says 4, data carries 3 */
	assert_int_equal(T_PATCH_DEC(mds_xattr_rep, &r, 0, 4), -EPROTO);
}

/* A maximal PLUS listing filled by the appender up to the reply limit. */
static void msg_mds_readdir_appender_stops_at_limit(void **state)
{
	size_t max = proto_op_rep_body_max(PROTO_OP_MDS_READDIR) - t_pre_max(true);
	uint8_t *buf = malloc(max);
	struct proto_mds_readdir_enc a;
	struct proto_mds_readdir_rep_iter it;
	struct proto_mds_dirent e, d;
	struct proto_cur c;
	uint32_t n = 0, seen = 0;
	int rc;

	samples_init();
	e = s_dir_plus.e[0];
	assert_non_null(buf);
	proto_cur_init(&c, buf, max);
	assert_int_equal(proto_mds_readdir_rep_begin(&a, &c, PROTO_READDIR_F_PLUS, max), 0);
	while ((rc = proto_mds_readdir_rep_add(&a, &e)) == 0) {
		n++;
		e.next++;
	}
	assert_int_equal(rc, -ENOSPC);
	assert_true(n > 100);
	assert_int_equal(proto_mds_readdir_rep_count(&a), n);
	/* A bad entry is refused without spoiling the reply. */
	e.type = DT_UNKNOWN;
	assert_int_equal(proto_mds_readdir_rep_add(&a, &e), -EINVAL);
	assert_int_equal(proto_mds_readdir_rep_end(&a, false), 0);
	assert_true(c.pos <= max);

	proto_cur_init_ro(&c, buf, c.pos);
	assert_int_equal(proto_mds_readdir_rep_iter_init(&it, &c), 0);
	assert_int_equal(it.flags, PROTO_READDIR_F_PLUS);
	while ((rc = proto_mds_readdir_rep_iter_next(&it, &d)) == 1) {
		assert_int_equal(d.next, s_dir_plus.e[0].next + seen);
		assert_int_equal(d.attr.size, s_dir_plus.e[0].attr.size);
		seen++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(seen, n);
	assert_int_equal(proto_cur_finish(&c), 0);

	/* A smaller limit within the same buffer is honoured too. */
	proto_cur_init(&c, buf, max);
	assert_int_equal(proto_mds_readdir_rep_begin(&a, &c, 0, 4096), 0);
	e.type = DT_REG;
	while (proto_mds_readdir_rep_add(&a, &e) == 0)
		;
	assert_int_equal(proto_mds_readdir_rep_end(&a, true), 0);
	assert_true(c.pos <= 4096 && c.pos > 4096 - 300);
	free(buf);
}

static void msg_mds_readdir_iter_rejects_bad_counts(void **state)
{
	uint8_t buf[64];
	struct proto_mds_readdir_rep_iter it;
	struct proto_mds_dirent d;
	struct proto_cur c;

	/* flags 0, count 0xffffffff, no entries */
	memset(buf, 0, sizeof(buf));
	buf[4] = buf[5] = buf[6] = buf[7] = 0xff;
	proto_cur_init_ro(&c, buf, 8);
	assert_int_equal(proto_mds_readdir_rep_iter_init(&it, &c), -EPROTO);
	/* unknown reply flag */
	buf[0] = 4;
	buf[4] = buf[5] = buf[6] = buf[7] = 0;
	proto_cur_init_ro(&c, buf, 8);
	assert_int_equal(proto_mds_readdir_rep_iter_init(&it, &c), -EPROTO);
	/* count 0 but bytes follow: the walk ends with -EPROTO */
	buf[0] = 0;
	proto_cur_init_ro(&c, buf, 40);
	assert_int_equal(proto_mds_readdir_rep_iter_init(&it, &c), 0);
	assert_int_equal(proto_mds_readdir_rep_iter_next(&it, &d), -EPROTO);
}

static void msg_mds_readdir_dirent_type_checked(void **state)
{
	struct t_dirlist l = {.n = 1};

	samples_init();
	l.e[0] = s_dir_plain.e[0];
	/* the type is at 8 (flags, count) + 8 (next) + 16 (fid) */
	assert_int_equal(T_PATCH_DEC(dirlist, &l, 32, DT_LNK), 0);
	assert_int_equal(T_PATCH_DEC(dirlist, &l, 32, DT_UNKNOWN), -EPROTO);
	assert_int_equal(T_PATCH_DEC(dirlist, &l, 32, DT_WHT), -EPROTO);
	assert_int_equal(T_PATCH_DEC(dirlist, &l, 32, 99), -EPROTO);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(msg_mds_every_message_round_trips_and_rejects_truncation),
    cmocka_unit_test(msg_mds_every_opcode_has_bodies),
    cmocka_unit_test(msg_mds_decoded_fields_match),
    cmocka_unit_test(msg_mds_oversized_strings_fail),
    cmocka_unit_test(msg_mds_bad_names_fail),
    cmocka_unit_test(msg_mds_unknown_flags_fail),
    cmocka_unit_test(msg_mds_dirs_checked),
    cmocka_unit_test(msg_mds_setxattr_flags_checked),
    cmocka_unit_test(msg_mds_xattr_rep_size_and_data_agree),
    cmocka_unit_test(msg_mds_readdir_appender_stops_at_limit),
    cmocka_unit_test(msg_mds_readdir_iter_rejects_bad_counts),
    cmocka_unit_test(msg_mds_readdir_dirent_type_checked),
};
T_GROUP(msg_mds, tests)
