/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where an object lives in the OST's object tree (private to oss).
 *
 * Object @id is the file O/T/MM/LL/ID below the OST directory, with
 * T = id >> 24 (hex), MM = (id >> 16) & 0xff and LL = (id >> 8) & 0xff
 * (two hex digits each) and ID the id in hex.  A leaf directory holds at most
 * 256 objects, every MM and T directory at most 256 subdirectories, and O/
 * one entry per 2^24 ids.  Ids are handed out consecutively, so a precreate
 * batch fills a few leaf directories instead of touching thousands (fewer
 * directories to fsync).  See docs/oss.md.
 */
#ifndef STRIA_OSS_OBJPATH_H
#define STRIA_OSS_OBJPATH_H

#include <stdint.h>

/* Longest relative path (below O/) with its NUL: 10+1+2+1+2+1+16+1. */
#define OSS_OBJPATH_MAX 40
/* Objects per leaf directory. */
#define OSS_OBJPATH_LEAF_SPAN 256u

/* The object's path relative to O/ into @buf; returns @buf. */
char *oss_objpath(uint64_t id, char buf[OSS_OBJPATH_MAX]);

/*
 * The directory (relative to O/) of the object at @depth: 1 = "T",
 * 2 = "T/MM", 3 = "T/MM/LL" (the leaf).  Returns @buf.
 */
char *oss_objpath_dir(uint64_t id, int depth, char buf[OSS_OBJPATH_MAX]);

/* Ids that share a leaf directory have the same leaf key. */
static inline uint64_t oss_objpath_leaf_key(uint64_t id)
{
	return id >> 8;
}

#endif
