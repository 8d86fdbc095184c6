/* SPDX-License-Identifier: Apache-2.0 */
/* Shared-key authentication helpers (private to net/). */
#ifndef STRIA_NET_AUTH_H
#define STRIA_NET_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "net.h"

/* Fills @buf with @len random bytes (getrandom); returns 0 or -errno. */
int net_random(void *buf, size_t len);

/*
 * The handshake proofs (see proto/msg_session.h):
 *   client: HMAC-SHA256(key, "stria-client" || snonce || cnonce || uuid)
 *   server: HMAC-SHA256(key, "stria-server" || cnonce || snonce || uuid)
 */
void net_auth_client_proof(const struct net_key *key, const uint8_t snonce[PROTO_NONCE_LEN],
			   const uint8_t cnonce[PROTO_NONCE_LEN],
			   const uint8_t uuid[PROTO_UUID_LEN], uint8_t out[PROTO_MAC_LEN]);
void net_auth_server_proof(const struct net_key *key, const uint8_t cnonce[PROTO_NONCE_LEN],
			   const uint8_t snonce[PROTO_NONCE_LEN],
			   const uint8_t uuid[PROTO_UUID_LEN], uint8_t out[PROTO_MAC_LEN]);
/* True for the all-zero proof a client without a key sends. */
bool net_auth_mac_is_empty(const uint8_t mac[PROTO_MAC_LEN]);
/* Constant-time comparison of two MACs; an empty @a never matches. */
bool net_auth_mac_eq(const uint8_t a[PROTO_MAC_LEN], const uint8_t b[PROTO_MAC_LEN]);

#endif
