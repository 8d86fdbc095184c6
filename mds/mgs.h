/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The management service (private to mds/): the target registry ('T' 'T'
 * index(be32) -> target), the table generation, and OST pools ('P' 'O' name
 * -> members).  The generation is (epoch << 32 | counter): the epoch is
 * persisted and bumped at every start, the counter counts changes (a
 * registration, an OST becoming active or inactive), so a generation is never
 * reused across restarts.
 */
#ifndef STRIA_MDS_MGS_H
#define STRIA_MDS_MGS_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/proto.h"

/* Most pools, and most registered targets. */
#define MGS_POOLS_MAX 1024
#define MGS_TGTS_MAX  4096

struct mds_svc;
struct mgs;

/* Loads the registry and pools, bumps the epoch (synced).  0 or -errno. */
int mgs_new(struct mds_svc *svc, struct mgs **out);
void mgs_free(struct mgs *m);
/* Hands every registered OST to the OST set (at start-up). */
int mgs_start_osts(struct mgs *m);
/* The current table generation; any thread. */
uint64_t mgs_gen(struct mgs *m);
/* A change clients should learn of: bumps the generation; any thread. */
void mgs_bump(struct mgs *m);
/*
 * Shutdown, before the net server is freed: mgs_bump() (an OST callback may
 * run it at any time) no longer touches the server.
 */
void mgs_detach(struct mgs *m);
/* True if OST @index is registered. */
bool mgs_tgt_known(struct mgs *m, uint32_t index);
/* Number of registered OSTs. */
uint32_t mgs_tgt_count(struct mgs *m);
/*
 * Copies the members of pool @name into @out (room for @cap).  Returns the
 * member count (may exceed @cap: then only @cap were copied) or -ENOENT.
 */
int mgs_pool_members(struct mgs *m, const char *name, uint32_t *out, uint32_t cap);

#endif
