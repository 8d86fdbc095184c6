/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Session messages: CONNECT (with the authentication handshake), DISCONNECT
 * and PING.
 *
 * The handshake.  A client opens every connection with CONNECT/HELLO carrying
 * its identity and a fresh 32-byte nonce.  A server with no key answers 0 and
 * the session is up.  A server with a key answers with its own nonce and
 * auth_required; the client then sends CONNECT/PROOF with
 *     HMAC-SHA256(key, "stria-client" || server_nonce || client_nonce || uuid)
 * and the server, if the proof is right, answers with
 *     HMAC-SHA256(key, "stria-server" || client_nonce || server_nonce || uuid)
 * so each side knows the other holds the key.  A wrong proof is -EACCES.
 */
#ifndef STRIA_PROTO_MSG_SESSION_H
#define STRIA_PROTO_MSG_SESSION_H

#include <stdint.h>

#include "cursor.h"
#include "nid.h"

#define PROTO_UUID_LEN	16
#define PROTO_NONCE_LEN 32
#define PROTO_MAC_LEN	32

enum proto_connect_phase {
	PROTO_CONNECT_HELLO = 1,
	PROTO_CONNECT_PROOF = 2,
};

/* Who is connecting (the server may treat roles differently, e.g. MDS->OSS). */
enum proto_peer_role {
	PROTO_ROLE_CLIENT = 1,
	PROTO_ROLE_OSS = 2,
	PROTO_ROLE_MDS = 3,
	PROTO_ROLE_ADMIN = 4,
};

struct proto_connect_req {
	uint32_t phase;	  /* enum proto_connect_phase */
	uint32_t version; /* PROTO_VERSION of the client */
	uint32_t role;	  /* enum proto_peer_role */
	uint32_t flags;	  /* reserved, 0 */
	char fsname[PROTO_FSNAME_MAX + 1];
	uint8_t uuid[PROTO_UUID_LEN]; /* the client's uuid, stable for a mount */
	uint64_t conn_gen;	      /* the client's connection count for this server */
	uint8_t nonce[PROTO_NONCE_LEN];
	uint8_t mac[PROTO_MAC_LEN]; /* PROOF only; zero in HELLO */
};

struct proto_connect_rep {
	uint32_t phase;		/* echoes the request */
	uint32_t auth_required; /* HELLO: 1 if a PROOF must follow */
	uint32_t version;	/* the server's PROTO_VERSION */
	uint32_t flags;		/* reserved, 0 */
	uint8_t server_uuid[PROTO_UUID_LEN];
	uint8_t nonce[PROTO_NONCE_LEN]; /* HELLO with auth: the server's nonce */
	uint8_t mac[PROTO_MAC_LEN];	/* PROOF: the server's proof */
};

struct proto_ping {
	uint64_t cookie; /* echoed */
};

int proto_connect_req_enc(struct proto_cur *c, const struct proto_connect_req *m);
int proto_connect_req_dec(struct proto_cur *c, struct proto_connect_req *m);
int proto_connect_rep_enc(struct proto_cur *c, const struct proto_connect_rep *m);
int proto_connect_rep_dec(struct proto_cur *c, struct proto_connect_rep *m);
/* PING and DISCONNECT (the request and the reply) share this body. */
int proto_ping_enc(struct proto_cur *c, const struct proto_ping *m);
int proto_ping_dec(struct proto_cur *c, struct proto_ping *m);

#endif
