/* SPDX-License-Identifier: Apache-2.0 */
#include "msg_session.h"

/*
 * Encoders return proto_cur_err() so a caller can check right away; decoders
 * return proto_cur_finish(): a body with trailing bytes is malformed.
 */

static void put_fsname(struct proto_cur *c, const char *fsname)
{
	proto_put_str(c, fsname, strnlen(fsname, PROTO_FSNAME_MAX + 1), PROTO_FSNAME_MAX);
}

static void get_fsname(struct proto_cur *c, char out[PROTO_FSNAME_MAX + 1])
{
	struct proto_str s;

	proto_get_str(c, &s, PROTO_FSNAME_MAX);
	memcpy(out, s.s, s.len);
	out[s.len] = '\0';
	if (memchr(s.s, '\0', s.len))
		proto_cur_fail(c, -EPROTO);
}

int proto_connect_req_enc(struct proto_cur *c, const struct proto_connect_req *m)
{
	proto_put_u32(c, m->phase);
	proto_put_u32(c, m->version);
	proto_put_u32(c, m->role);
	proto_put_u32(c, m->flags);
	put_fsname(c, m->fsname);
	proto_put_bytes(c, m->uuid, PROTO_UUID_LEN);
	proto_put_u64(c, m->conn_gen);
	proto_put_bytes(c, m->nonce, PROTO_NONCE_LEN);
	proto_put_bytes(c, m->mac, PROTO_MAC_LEN);
	return proto_cur_err(c);
}

int proto_connect_req_dec(struct proto_cur *c, struct proto_connect_req *m)
{
	m->phase = proto_get_u32(c);
	m->version = proto_get_u32(c);
	m->role = proto_get_u32(c);
	m->flags = proto_get_u32(c);
	get_fsname(c, m->fsname);
	proto_get_bytes(c, m->uuid, PROTO_UUID_LEN);
	m->conn_gen = proto_get_u64(c);
	proto_get_bytes(c, m->nonce, PROTO_NONCE_LEN);
	proto_get_bytes(c, m->mac, PROTO_MAC_LEN);
	if (m->phase != PROTO_CONNECT_HELLO && m->phase != PROTO_CONNECT_PROOF)
		proto_cur_fail(c, -EPROTO);
	if (m->role < PROTO_ROLE_CLIENT || m->role > PROTO_ROLE_ADMIN)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_connect_rep_enc(struct proto_cur *c, const struct proto_connect_rep *m)
{
	proto_put_u32(c, m->phase);
	proto_put_u32(c, m->auth_required);
	proto_put_u32(c, m->version);
	proto_put_u32(c, m->flags);
	proto_put_bytes(c, m->server_uuid, PROTO_UUID_LEN);
	proto_put_bytes(c, m->nonce, PROTO_NONCE_LEN);
	proto_put_bytes(c, m->mac, PROTO_MAC_LEN);
	return proto_cur_err(c);
}

int proto_connect_rep_dec(struct proto_cur *c, struct proto_connect_rep *m)
{
	m->phase = proto_get_u32(c);
	m->auth_required = proto_get_u32(c);
	m->version = proto_get_u32(c);
	m->flags = proto_get_u32(c);
	proto_get_bytes(c, m->server_uuid, PROTO_UUID_LEN);
	proto_get_bytes(c, m->nonce, PROTO_NONCE_LEN);
	proto_get_bytes(c, m->mac, PROTO_MAC_LEN);
	if (m->auth_required > 1)
		proto_cur_fail(c, -EPROTO);
	return proto_cur_finish(c);
}

int proto_ping_enc(struct proto_cur *c, const struct proto_ping *m)
{
	proto_put_u64(c, m->cookie);
	return proto_cur_err(c);
}

int proto_ping_dec(struct proto_cur *c, struct proto_ping *m)
{
	m->cookie = proto_get_u64(c);
	return proto_cur_finish(c);
}
