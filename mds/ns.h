/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the namespace operations (private to mds/). */
#ifndef STRIA_MDS_NS_H
#define STRIA_MDS_NS_H

#include "mds.h"

#include "dirent.h"
#include "inode.h"
#include "perm.h"
#include "tx.h"

/*
 * Takes an open reference on @ino for @tx (flags MDS_OPEN_*): permission and
 * type checks, the open-table change at apply, and a write-open fixes the
 * layout (the inode is staged then).  Caller holds the FID lock.
 */
int open_take(struct mds_tx *tx, struct mds_inode *ino, uint32_t flags);

/*
 * Reads directory @fid under its lock for a change: -ENOENT (missing or
 * removed), -ENOTDIR.
 */
int ns_read_dir(struct mds_tx *tx, const struct proto_fid *fid, struct mds_inode *dir);

#endif
