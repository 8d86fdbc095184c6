/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: every MDS_* body, the READDIR reply through its iterator. */
#include "fuzz.h"

FZ_WRAP(mds_fid_req)
FZ_WRAP(mds_name_req)
FZ_WRAP(mds_attr_rep)
FZ_WRAP(mds_getattr_rep)
FZ_WRAP(mds_setattr_req)
FZ_WRAP(mds_create_req)
FZ_WRAP(mds_open_req)
FZ_WRAP(mds_open_rep)
FZ_WRAP(mds_mkdir_req)
FZ_WRAP(mds_mknod_req)
FZ_WRAP(mds_link_req)
FZ_WRAP(mds_symlink_req)
FZ_WRAP(mds_readlink_rep)
FZ_WRAP(mds_unlink_rep)
FZ_WRAP(mds_rename_req)
FZ_WRAP(mds_rename_rep)
FZ_WRAP(mds_readdir_req)
FZ_WRAP(mds_close_req)
FZ_WRAP(mds_getxattr_req)
FZ_WRAP(mds_setxattr_req)
FZ_WRAP(mds_listxattr_req)
FZ_WRAP(mds_xattr_name_req)
FZ_WRAP(mds_xattr_rep)
FZ_WRAP(mds_statfs_rep)
FZ_WRAP(mds_setlayout_req)
FZ_WRAP(mds_layout_rep)

static int fz_enc_empty(struct proto_cur *c, const void *m)
{
	return proto_mds_empty_enc(c);
}

static int fz_dec_empty(struct proto_cur *c, void *m)
{
	return proto_mds_empty_dec(c);
}

/*
 * A READDIR reply: walk every entry of @in, appending each to a new reply in
 * @out (entries point into @in, so no copy is needed).  Returns the iterator's
 * result; *olen is the new reply's length.
 */
static int readdir_copy(const uint8_t *in, size_t len, uint8_t *out, size_t *olen)
{
	struct proto_mds_readdir_rep_iter it;
	struct proto_mds_readdir_enc a;
	struct proto_mds_dirent e;
	struct proto_cur c, o;
	int rc;

	proto_cur_init_ro(&c, in, len);
	rc = proto_mds_readdir_rep_iter_init(&it, &c);
	FZ_CHECK(rc <= 0);
	if (rc)
		return rc;
	proto_cur_init(&o, out, FZ_BUF);
	FZ_CHECK(proto_mds_readdir_rep_begin(&a, &o, it.flags, FZ_BUF) == 0);
	while ((rc = proto_mds_readdir_rep_iter_next(&it, &e)) == 1)
		FZ_CHECK(proto_mds_readdir_rep_add(&a, &e) == 0);
	FZ_CHECK(rc <= 0);
	if (rc)
		return rc;
	FZ_CHECK(proto_cur_finish(&c) == 0);
	FZ_CHECK(proto_mds_readdir_rep_end(&a, it.flags & PROTO_READDIR_F_EOF) == 0);
	*olen = o.pos;
	return 0;
}

static void fuzz_readdir_rep(const uint8_t *data, size_t size)
{
	size_t l1, l2;

	if (size > PROTO_BODY_MAX || readdir_copy(data, size, fz_b1, &l1) != 0)
		return;
	/* A well-formed reply re-encodes to itself (the encoding is canonical). */
	FZ_CHECK(l1 == size && memcmp(fz_b1, data, size) == 0);
	FZ_CHECK(readdir_copy(fz_b1, l1, fz_b2, &l2) == 0);
	FZ_CHECK(l1 == l2 && memcmp(fz_b1, fz_b2, l1) == 0);
}

static const struct fz_msg tab[] = {
    FZ_MSG(empty),
    FZ_MSG(mds_fid_req),
    FZ_MSG(mds_name_req),
    FZ_MSG(mds_attr_rep),
    FZ_MSG(mds_getattr_rep),
    FZ_MSG(mds_setattr_req),
    FZ_MSG(mds_create_req),
    FZ_MSG(mds_open_req),
    FZ_MSG(mds_open_rep),
    FZ_MSG(mds_mkdir_req),
    FZ_MSG(mds_mknod_req),
    FZ_MSG(mds_link_req),
    FZ_MSG(mds_symlink_req),
    FZ_MSG(mds_readlink_rep),
    FZ_MSG(mds_unlink_rep),
    FZ_MSG(mds_rename_req),
    FZ_MSG(mds_readdir_req),
    FZ_MSG(mds_close_req),
    FZ_MSG(mds_getxattr_req),
    FZ_MSG(mds_setxattr_req),
    FZ_MSG(mds_listxattr_req),
    FZ_MSG(mds_xattr_name_req),
    FZ_MSG(mds_xattr_rep),
    FZ_MSG(mds_statfs_rep),
    FZ_MSG(mds_setlayout_req),
    FZ_MSG(mds_layout_rep),
    FZ_MSG(mds_rename_rep),
};

#define NTAB (sizeof(tab) / sizeof(tab[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % (NTAB + 1) == NTAB)
		fuzz_readdir_rep(data + 1, size - 1);
	else
		fz_run(&tab[data[0] % (NTAB + 1)], data + 1, size - 1);
	return 0;
}
