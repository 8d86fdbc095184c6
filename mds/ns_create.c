/* SPDX-License-Identifier: Apache-2.0 */
/* create, mkdir, mknod, symlink: a new inode and its first name. */
#include "ns.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "layout_codec.h"

struct make_args {
	struct proto_str name;
	uint32_t mode; /* with S_IFMT */
	uint64_t rdev;
	struct proto_str target;
	const struct proto_layout *layout;
	uint32_t cflags;	   /* MDS_CREATE_* */
	struct proto_layout *lout; /* mds_create_ex: the file's layout */
	/* mds_create_replay: the file's FID, mode, owner, times and layout. */
	const struct proto_attr *force;
	const struct proto_layout *force_layout;
};

/* Reports the layout of the file created or found. */
static void make_layout_out(const struct make_args *m, const struct mds_inode *ino)
{
	if (!m->lout)
		return;
	if (ino->flags & INODE_F_LAYOUT)
		*m->lout = ino->layout;
	else
		memset(m->lout, 0, offsetof(struct proto_layout, objs));
}

struct make_state {
	struct mds_inode dir;
	struct mds_inode ino;
	struct mds_inode root;
};

int ns_read_dir(struct mds_tx *tx, const struct proto_fid *fid, struct mds_inode *dir)
{
	int rc = inode_read(tx->db, NULL, fid, dir);

	if (rc)
		return rc;
	if (!S_ISDIR(dir->a.mode))
		return -ENOTDIR;
	if (dir->a.nlink == 0)
		return -ENOENT;
	return 0;
}

/* An existing name met by a non-exclusive create. */
static int make_existing(struct mds_tx *tx, const struct make_args *m, const struct dent *d,
			 struct mds_inode *ino, struct proto_attr *out)
{
	int rc;

	if ((m->cflags & MDS_CREATE_EXCL) || !S_ISREG(m->mode))
		return -EEXIST;
	if (S_ISDIR(d->type))
		return -EISDIR;
	/* Not locked: a racing unlink may remove it, which a retry resolves. */
	rc = inode_read(tx->db, NULL, &d->fid, ino);
	if (rc)
		return rc == -ENOENT ? -EAGAIN : rc;
	if (m->cflags & MDS_CREATE_OPEN)
		return -EAGAIN; /* needs the file's lock: see make_node */
	*out = ino->a;
	make_layout_out(m, ino);
	return 1;
}

/* A replayed create meets its name: done already, or a conflict. */
static int make_replayed(struct mds_tx *tx, const struct make_args *m, const struct dent *d,
			 struct mds_inode *ino, struct proto_attr *out)
{
	int rc;

	if (!proto_fid_eq(&d->fid, &m->force->fid))
		return -EEXIST;
	rc = inode_read(tx->db, NULL, &d->fid, ino);
	if (rc)
		return rc;
	*out = ino->a;
	make_layout_out(m, ino);
	return 1;
}

/* The inherited parts of a new inode: group, setgid, layout. */
static int make_inherit(struct mds_tx *tx, const struct make_args *m, struct make_state *s)
{
	struct mds_inode *dir = &s->dir, *ino = &s->ino;
	const struct proto_layout *ptmpl = NULL, *rtmpl = NULL;
	struct proto_fid root = proto_fid_root();
	int rc;

	if (m->force) {
		/* A replay: everything was decided by the original create. */
		ino->layout = *m->force_layout;
		if (proto_layout_check_file(&ino->layout))
			return -EINVAL;
		if (tx->db->opts.claim_objects) {
			rc = tx->db->opts.claim_objects(tx->db->opts.alloc_arg, tx, &ino->a.fid,
							&ino->layout);
			if (rc)
				return rc;
		}
		ino->flags |= INODE_F_LAYOUT;
		ino->a.blksize = ino->layout.stripe_size;
		return 0;
	}
	if (dir->a.mode & S_ISGID) {
		ino->a.gid = dir->a.gid;
		if (S_ISDIR(ino->a.mode))
			ino->a.mode |= S_ISGID;
	}
	/* Linux's inode_init_owner(): no setgid file for a non-member. */
	if (!S_ISDIR(ino->a.mode) && (ino->a.mode & S_ISGID) && (ino->a.mode & S_IXGRP) &&
	    !perm_is_root(&tx->creds) && !perm_in_group(&tx->creds, ino->a.gid))
		ino->a.mode &= ~(uint32_t)S_ISGID;
	if (S_ISDIR(ino->a.mode)) {
		ino->parent = dir->a.fid;
		if ((dir->flags & INODE_F_LAYOUT) && !proto_fid_eq(&dir->a.fid, &root)) {
			ino->layout = dir->layout;
			ino->flags |= INODE_F_LAYOUT;
		}
		return 0;
	}
	if (!S_ISREG(ino->a.mode))
		return 0;
	if (dir->flags & INODE_F_LAYOUT)
		ptmpl = &dir->layout;
	if (proto_fid_eq(&dir->a.fid, &root)) {
		rtmpl = ptmpl;
		ptmpl = NULL;
	} else {
		rc = inode_read(tx->db, NULL, &root, &s->root);
		if (rc == 0 && (s->root.flags & INODE_F_LAYOUT))
			rtmpl = &s->root.layout;
		else if (rc && rc != -ENOENT)
			return rc;
	}
	if (m->layout) {
		rc = layout_check_template(m->layout);
		if (rc)
			return rc;
	}
	layout_resolve(m->layout, ptmpl, rtmpl, &ino->layout);
	rc = tx->db->opts.alloc_objects(tx->db->opts.alloc_arg, tx, &ino->a.fid, &ino->layout);
	if (rc)
		return rc;
	if (proto_layout_check_file(&ino->layout))
		return -EIO;
	ino->flags |= INODE_F_LAYOUT;
	ino->a.blksize = ino->layout.stripe_size;
	return 0;
}

static int make_locked(struct mds_tx *tx, const struct proto_fid *pfid, const struct make_args *m,
		       struct make_state *s, struct proto_attr *out)
{
	struct mds_inode *dir = &s->dir, *ino = &s->ino;
	struct proto_fid fid;
	uint64_t slot;
	struct dent d;
	int rc;

	rc = ns_read_dir(tx, pfid, dir);
	if (rc)
		return rc;
	rc = m->force ? 0 : perm_check(&tx->creds, &dir->a, PERM_EXEC);
	if (rc)
		return rc;
	rc = dirent_find_slot(tx->db, pfid, m->name, &d, &slot);
	if (rc == 0 && m->force)
		return make_replayed(tx, m, &d, ino, out);
	if (rc == 0)
		return make_existing(tx, m, &d, ino, out);
	if (rc != -ENOENT)
		return rc;
	rc = m->force ? 0 : perm_check(&tx->creds, &dir->a, PERM_WRITE);
	if (rc)
		return rc;
	if (S_ISDIR(m->mode) && dir->a.nlink >= MDS_LINK_MAX)
		return -EMLINK;
	if (m->force) {
		fid = m->force->fid;
		if (!fid_alloc_issued(&tx->db->fids, &fid))
			return -EINVAL;
		rc = inode_read(tx->db, NULL, &fid, ino);
		if (rc != -ENOENT)
			return rc ? rc : -EEXIST; /* the FID lives on under another name */
	} else {
		rc = fid_alloc(&tx->db->fids, tx->db->kv, &fid);
		if (rc)
			return rc;
	}
	inode_init(ino, tx, &fid, m->mode);
	if (m->force) {
		ino->a.uid = m->force->uid;
		ino->a.gid = m->force->gid;
		ino->a.atime = m->force->atime;
		ino->a.mtime = m->force->mtime;
		ino->a.ctime = m->force->ctime;
	}
	ino->a.rdev = m->rdev;
	if (S_ISLNK(m->mode)) {
		memcpy(ino->target, m->target.s, m->target.len);
		ino->target[m->target.len] = '\0';
		ino->target_len = (uint16_t)m->target.len;
		ino->a.size = m->target.len;
	}
	rc = make_inherit(tx, m, s);
	if (rc)
		return rc;
	if (m->cflags & MDS_CREATE_OPEN) {
		rc = open_take(tx, ino,
			       MDS_OPEN_NOCHECK |
				   (m->cflags & MDS_CREATE_WRITE ? MDS_OPEN_WRITE : 0));
		if (rc)
			return rc;
	}
	/* The parent's lock is held since the scan, so the slot is still free. */
	rc = dirent_add_at(tx, pfid, m->name, &fid, ino->a.mode & S_IFMT, slot);
	if (rc)
		return rc;
	rc = inode_stage(tx, ino);
	if (rc)
		return rc;
	if (S_ISDIR(m->mode))
		dir->a.nlink++;
	inode_dir_changed(dir, tx);
	rc = inode_stage(tx, dir);
	if (rc)
		return rc;
	tx->inode_delta++;
	*out = ino->a;
	make_layout_out(m, ino);
	return 0;
}

/* An open-create of an existing file: lock it too and take the reference. */
static int make_open_existing(struct mds_tx *tx, const struct proto_fid *pfid,
			      const struct make_args *m, struct make_state *s,
			      struct proto_attr *out)
{
	struct proto_fid fids[2];
	struct dent d;
	int rc;

	rc = dirent_find(tx->db, NULL, pfid, m->name, &d);
	if (rc)
		return rc == -ENOENT ? -EAGAIN : rc;
	tx_unlock(tx);
	fids[0] = *pfid;
	fids[1] = d.fid;
	rc = tx_lock(tx, fids, 2, false);
	if (rc)
		return rc;
	rc = make_locked(tx, pfid, m, s, out);
	if (rc != -EAGAIN)
		return rc;
	/* make_locked found the name again; is it still the file we locked? */
	rc = dirent_find(tx->db, NULL, pfid, m->name, &d);
	if (rc)
		return rc == -ENOENT ? -EAGAIN : rc;
	if (!proto_fid_eq(&d.fid, &fids[0]) && !proto_fid_eq(&d.fid, &fids[1]))
		return -EAGAIN;
	rc = inode_read(tx->db, NULL, &d.fid, &s->ino);
	if (rc)
		return rc;
	rc = open_take(tx, &s->ino, m->cflags & MDS_CREATE_WRITE ? MDS_OPEN_WRITE : MDS_OPEN_READ);
	if (rc)
		return rc;
	*out = s->ino.a;
	make_layout_out(m, &s->ino);
	return 1;
}

static int make_node(struct mds_tx *tx, const struct proto_fid *pfid, const struct make_args *m,
		     struct proto_attr *out)
{
	struct make_state *s;
	struct proto_fid fid;
	int rc, tries = 0;

	rc = name_check_new(m->name);
	if (rc)
		return rc;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (;;) {
		fid = *pfid;
		rc = tx_lock(tx, &fid, 1, false);
		if (rc)
			break;
		rc = make_locked(tx, pfid, m, s, out);
		if (rc == -EAGAIN && (m->cflags & MDS_CREATE_OPEN))
			rc = make_open_existing(tx, pfid, m, s, out);
		if (rc != -EAGAIN || ++tries == 100)
			break;
		tx_unlock(tx); /* lost a race with an unlink: start again */
	}
	free(s);
	return rc;
}

int mds_create(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
	       uint32_t mode, uint32_t flags, const struct proto_layout *layout,
	       struct proto_attr *out)
{
	return mds_create_ex(tx, parent, name, mode, flags, layout, out, NULL);
}

int mds_create_ex(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
		  uint32_t mode, uint32_t flags, const struct proto_layout *layout,
		  struct proto_attr *out, struct proto_layout *lout)
{
	struct make_args m = {.name = name,
			      .mode = S_IFREG | (mode & 07777),
			      .layout = layout,
			      .cflags = flags,
			      .lout = lout};
	int rc;

	tx_op_begin(tx);
	rc = make_node(tx, parent, &m, out);
	return tx_op_end(tx, rc);
}

int mds_create_replay(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
		      const struct proto_attr *attr, const struct proto_layout *layout,
		      struct proto_attr *out)
{
	struct make_args m = {.name = name,
			      .mode = S_IFREG | (attr->mode & 07777),
			      .cflags = MDS_CREATE_EXCL,
			      .force = attr,
			      .force_layout = layout};
	int rc;

	tx_op_begin(tx);
	rc = S_ISREG(attr->mode) ? make_node(tx, parent, &m, out) : -EINVAL;
	return tx_op_end(tx, rc);
}

int mds_mkdir(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
	      uint32_t mode, struct proto_attr *out)
{
	struct make_args m = {
	    .name = name, .mode = S_IFDIR | (mode & 07777), .cflags = MDS_CREATE_EXCL};
	int rc;

	tx_op_begin(tx);
	rc = make_node(tx, parent, &m, out);
	return tx_op_end(tx, rc);
}

int mds_mknod(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
	      uint32_t mode, uint64_t rdev, struct proto_attr *out)
{
	struct make_args m = {.name = name, .rdev = rdev, .cflags = MDS_CREATE_EXCL};
	uint32_t type = mode & S_IFMT;
	int rc = 0;

	tx_op_begin(tx);
	switch (type) {
	case 0:
		type = S_IFREG;
		/* fall through */
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		m.rdev = 0;
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (!perm_is_root(&tx->creds))
			rc = -EPERM;
		break;
	case S_IFDIR:
		rc = -EPERM;
		break;
	default:
		rc = -EINVAL;
		break;
	}
	m.mode = type | (mode & 07777);
	if (rc == 0)
		rc = make_node(tx, parent, &m, out);
	return tx_op_end(tx, rc);
}

int mds_symlink(struct mds_tx *tx, const struct proto_fid *parent, struct proto_str name,
		struct proto_str target, struct proto_attr *out)
{
	struct make_args m = {
	    .name = name, .mode = S_IFLNK | 0777, .target = target, .cflags = MDS_CREATE_EXCL};
	int rc = 0;

	tx_op_begin(tx);
	if (target.len == 0)
		rc = -ENOENT;
	else if (target.len > PROTO_SYMLINK_MAX)
		rc = -ENAMETOOLONG;
	else if (memchr(target.s, '\0', target.len))
		rc = -EINVAL;
	if (rc == 0)
		rc = make_node(tx, parent, &m, out);
	return tx_op_end(tx, rc);
}
