/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Management messages: the bodies of the MGS_* opcodes.  The MDS plays the
 * MGS role: targets register with it, clients fetch the target table from it
 * at mount, administrators manage OST pools through it.  MGS_FAIL_SET is
 * answered by whichever daemon (MDS or OSS) it is sent to.
 *
 * Bodies follow the request/reply preamble (hdr.h).  Encoders return
 * proto_cur_err() (-EMSGSIZE, -ENAMETOOLONG, -EINVAL); decoders return
 * proto_cur_finish() (-EPROTO for anything malformed).  Decoders never
 * allocate: lists are fixed arrays with caps or are read through iterators.
 *
 *   MGS_TGT_TABLE     proto_mgs_tgt_table_req    -> table reply (appender / iterator)
 *   MGS_TGT_REGISTER  proto_mgs_tgt_register_req -> proto_mgs_tgt_register_rep
 *   MGS_POOL_NEW      proto_mgs_pool_req         -> (empty)
 *   MGS_POOL_ADD      proto_mgs_pool_mod_req     -> (empty)
 *   MGS_POOL_REMOVE   proto_mgs_pool_mod_req     -> (empty)
 *   MGS_POOL_DESTROY  proto_mgs_pool_req         -> (empty)
 *   MGS_POOL_LIST     proto_mgs_pool_list_req    -> pool list reply (appender / iterator)
 *   MGS_FAIL_SET      proto_mgs_fail_set_req     -> (empty)
 */
#ifndef STRIA_PROTO_MSG_MGS_H
#define STRIA_PROTO_MSG_MGS_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "layout.h"
#include "msg_session.h"
#include "nid.h"
#include "target.h"

/* Most OST indices one POOL_ADD / POOL_REMOVE carries. */
#define PROTO_MGS_POOL_MOD_MAX 1024

enum proto_mgs_tgt_state {
	PROTO_MGS_TGT_ACTIVE = 1,   /* in use for new objects */
	PROTO_MGS_TGT_INACTIVE = 2, /* deactivated: skipped by new layouts */
};

/* An empty body (the POOL_* and FAIL_SET replies). */
int proto_mgs_empty_enc(struct proto_cur *c);
int proto_mgs_empty_dec(struct proto_cur *c);

/*
 * One target: an entry of the target table and the body of a registration.
 * index <= PROTO_TARGET_INDEX_MAX; name is NUL-terminated, 1..
 * PROTO_TARGET_NAME_MAX bytes ("testfs-OST0003"); port 1..65535; nnids
 * 1..PROTO_NID_LIST_MAX failover NIDs, the first the primary.
 */
struct proto_mgs_tgt {
	uint32_t type;	/* enum proto_target_type (target.h) */
	uint32_t index; /* the N of FSNAME-OST000N */
	char name[PROTO_TARGET_NAME_MAX + 1];
	uint8_t uuid[PROTO_UUID_LEN];
	uint32_t port;
	uint32_t state; /* enum proto_mgs_tgt_state; not sent in a registration */
	uint32_t nnids;
	struct proto_nid nids[PROTO_NID_LIST_MAX];
};

/* ---- TGT_TABLE ---------------------------------------------------------- */

/*
 * known_gen: the generation the client already holds (0: none); if it is
 * still current the reply is UNCHANGED and carries no entries.  start: the
 * position in the table to list from (0, or the previous reply's position
 * plus its count); a listing whose generation changes between pages restarts.
 */
struct proto_mgs_tgt_table_req {
	uint64_t known_gen;
	uint32_t start;
};

int proto_mgs_tgt_table_req_enc(struct proto_cur *c, const struct proto_mgs_tgt_table_req *m);
int proto_mgs_tgt_table_req_dec(struct proto_cur *c, struct proto_mgs_tgt_table_req *m);

/* Table reply flags. */
#define PROTO_MGS_TABLE_F_EOF	    (1u << 0) /* no entries after these */
#define PROTO_MGS_TABLE_F_UNCHANGED (1u << 1) /* known_gen is current; no entries */
#define PROTO_MGS_TABLE_F_ALL	    0x3u

/* Builds a TGT_TABLE reply; the body never exceeds max_bytes.  Borrows @c. */
struct proto_mgs_tgt_table_enc {
	struct proto_cur *c;
	size_t start;
	size_t max_bytes;
	uint32_t count;
};

/* Starts a reply for generation @gen; -EMSGSIZE if the empty reply does not fit. */
int proto_mgs_tgt_table_rep_begin(struct proto_mgs_tgt_table_enc *a, struct proto_cur *c,
				  uint64_t gen, size_t max_bytes);
/* Appends @t: 0; -ENOSPC (does not fit, nothing written); -EINVAL/-ENAMETOOLONG (bad entry). */
int proto_mgs_tgt_table_rep_add(struct proto_mgs_tgt_table_enc *a, const struct proto_mgs_tgt *t);
/* Finishes with PROTO_MGS_TABLE_F_* @flags (UNCHANGED only with no entries: -EINVAL). */
int proto_mgs_tgt_table_rep_end(struct proto_mgs_tgt_table_enc *a, uint32_t flags);

struct proto_mgs_tgt_table_rep_iter {
	struct proto_cur cur;
	uint64_t gen;	/* generation of the table listed */
	uint32_t flags; /* PROTO_MGS_TABLE_F_* */
	uint32_t left;
};

/* Decodes the fixed part and takes the rest of @c for the iterator.  0 or -EPROTO. */
int proto_mgs_tgt_table_rep_iter_init(struct proto_mgs_tgt_table_rep_iter *it, struct proto_cur *c);
/* 1 with the next entry in @t; 0 after the last (reply well formed); -EPROTO. */
int proto_mgs_tgt_table_rep_iter_next(struct proto_mgs_tgt_table_rep_iter *it,
				      struct proto_mgs_tgt *t);

/* ---- TGT_REGISTER ------------------------------------------------------- */

/* A target announcing itself (at every start): tgt.state is not on the wire. */
struct proto_mgs_tgt_register_req {
	char fsname[PROTO_FSNAME_MAX + 1];
	struct proto_mgs_tgt tgt;
};

int proto_mgs_tgt_register_req_enc(struct proto_cur *c, const struct proto_mgs_tgt_register_req *m);
int proto_mgs_tgt_register_req_dec(struct proto_cur *c, struct proto_mgs_tgt_register_req *m);

struct proto_mgs_tgt_register_rep {
	uint64_t gen; /* the table generation that includes the registration */
};

int proto_mgs_tgt_register_rep_enc(struct proto_cur *c, const struct proto_mgs_tgt_register_rep *m);
int proto_mgs_tgt_register_rep_dec(struct proto_cur *c, struct proto_mgs_tgt_register_rep *m);

/* ---- pools -------------------------------------------------------------- */

/* POOL_NEW, POOL_DESTROY.  pool: a valid pool name (proto_pool_name_valid()). */
struct proto_mgs_pool_req {
	char fsname[PROTO_FSNAME_MAX + 1];
	char pool[PROTO_POOL_NAME_MAX + 1];
};

int proto_mgs_pool_req_enc(struct proto_cur *c, const struct proto_mgs_pool_req *m);
int proto_mgs_pool_req_dec(struct proto_cur *c, struct proto_mgs_pool_req *m);

/* POOL_ADD, POOL_REMOVE: 1..PROTO_MGS_POOL_MOD_MAX OST indices. */
struct proto_mgs_pool_mod_req {
	char fsname[PROTO_FSNAME_MAX + 1];
	char pool[PROTO_POOL_NAME_MAX + 1];
	uint32_t count;
	uint32_t osts[PROTO_MGS_POOL_MOD_MAX];
};

int proto_mgs_pool_mod_req_enc(struct proto_cur *c, const struct proto_mgs_pool_mod_req *m);
int proto_mgs_pool_mod_req_dec(struct proto_cur *c, struct proto_mgs_pool_mod_req *m);

/*
 * POOL_LIST.  pool: "" for every pool, or one pool's name.  after: "" to start,
 * or the last pool name of the previous page.
 */
struct proto_mgs_pool_list_req {
	char fsname[PROTO_FSNAME_MAX + 1];
	char pool[PROTO_POOL_NAME_MAX + 1];
	char after[PROTO_POOL_NAME_MAX + 1];
};

int proto_mgs_pool_list_req_enc(struct proto_cur *c, const struct proto_mgs_pool_list_req *m);
int proto_mgs_pool_list_req_dec(struct proto_cur *c, struct proto_mgs_pool_list_req *m);

/* Pool list reply flags. */
#define PROTO_MGS_POOLS_F_EOF (1u << 0)
#define PROTO_MGS_POOLS_F_ALL PROTO_MGS_POOLS_F_EOF

/* One pool of a POOL_LIST reply; members are read with proto_mgs_pool_ent_member(). */
struct proto_mgs_pool_ent {
	char name[PROTO_POOL_NAME_MAX + 1];
	uint32_t nmembers;
	const uint8_t *members; /* nmembers little-endian u32 OST indices, in the buffer */
};

/* The @i-th member (i < e->nmembers) of a decoded pool entry. */
uint32_t proto_mgs_pool_ent_member(const struct proto_mgs_pool_ent *e, uint32_t i);

struct proto_mgs_pool_list_enc {
	struct proto_cur *c;
	size_t start;
	size_t max_bytes;
	uint32_t count;
};

/* Starts a POOL_LIST reply; -EMSGSIZE if the empty reply does not fit. */
int proto_mgs_pool_list_rep_begin(struct proto_mgs_pool_list_enc *a, struct proto_cur *c,
				  size_t max_bytes);
/* Appends pool @name with @n members: 0, -ENOSPC (nothing written), -EINVAL (bad name). */
int proto_mgs_pool_list_rep_add(struct proto_mgs_pool_list_enc *a, const char *name,
				const uint32_t *members, uint32_t n);
/* Finishes the reply, marking the end of the list if @eof. */
int proto_mgs_pool_list_rep_end(struct proto_mgs_pool_list_enc *a, bool eof);

struct proto_mgs_pool_list_rep_iter {
	struct proto_cur cur;
	uint32_t flags; /* PROTO_MGS_POOLS_F_* */
	uint32_t left;
};

/* Decodes the fixed part and takes the rest of @c for the iterator.  0 or -EPROTO. */
int proto_mgs_pool_list_rep_iter_init(struct proto_mgs_pool_list_rep_iter *it, struct proto_cur *c);
/* 1 with the next pool in @e; 0 after the last (reply well formed); -EPROTO. */
int proto_mgs_pool_list_rep_iter_next(struct proto_mgs_pool_list_rep_iter *it,
				      struct proto_mgs_pool_ent *e);

/* ---- FAIL_SET ----------------------------------------------------------- */

/* How a failure point fires (Lustre's fail_loc modifiers). */
enum proto_fail_mode {
	PROTO_FAIL_OFF = 0,    /* disarm the point */
	PROTO_FAIL_ALWAYS = 1, /* every time it is reached */
	PROTO_FAIL_ONCE = 2,   /* the first time only (OBD_FAIL_ONCE) */
	PROTO_FAIL_SKIP = 3,   /* after skipping the first count hits (OBD_FAIL_SKIP) */
	PROTO_FAIL_SOME = 4,   /* the first count hits (OBD_FAIL_SOME) */
	PROTO_FAIL_RAND = 5,   /* once in count hits, at random (OBD_FAIL_RAND) */
};

/*
 * Arms (or disarms) failure point @id on the daemon that receives it.
 * value is the point's fail_val (an errno, a delay in ms, ... as the point
 * documents).  count: see the modes; ignored by OFF, ALWAYS and ONCE.
 */
struct proto_mgs_fail_set_req {
	uint32_t id;
	uint32_t mode; /* enum proto_fail_mode */
	uint32_t value;
	uint32_t count;
};

int proto_mgs_fail_set_req_enc(struct proto_cur *c, const struct proto_mgs_fail_set_req *m);
int proto_mgs_fail_set_req_dec(struct proto_cur *c, struct proto_mgs_fail_set_req *m);

#endif
