/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include "xprt.h"

const struct net_xprt *net_xprt_for(uint32_t lnd)
{
	switch (lnd) {
	case PROTO_LND_TCP:
		return &net_xprt_tcp;
	case PROTO_LND_O2IB:
		return &net_xprt_rdma;
	default:
		return NULL;
	}
}

void net_msg_free(struct net_msg *m)
{
	if (!m)
		return;
	free(m->body);
	if (m->bulk_owned)
		net_bulk_free(m->bulk, m->hdr.bulk_len);
	free(m);
}

uint32_t net_msg_bulk_len(const struct net_msg *m)
{
	uint64_t n = 0;

	for (int i = 0; i < m->bulk_niov; i++)
		n += m->bulk_iov[i].iov_len;
	return (uint32_t)n;
}

void net_msg_seal(struct net_msg *m)
{
	m->hdr.magic = PROTO_MAGIC;
	m->hdr.version = PROTO_VERSION;
	m->hdr.bulk_len = net_msg_bulk_len(m);
	if (!m->hdr.bulk_len || (m->hdr.flags & PROTO_F_NOCSUM))
		m->hdr.bulk_csum = 0;
	else if (!m->bulk_csum_done)
		m->hdr.bulk_csum = proto_crc32c_iov(0, m->bulk_iov, m->bulk_niov);
	m->bulk_csum_done = true;
	m->hdr.hdr_csum = 0;
	proto_hdr_encode(&m->hdr, m->hdr_buf);
	m->hdr.hdr_csum = proto_hdr_csum(m->hdr_buf, m->body, m->hdr.body_len);
	proto_hdr_encode(&m->hdr, m->hdr_buf);
}

int net_msg_verify(const struct net_msg *m)
{
	if (proto_hdr_csum(m->hdr_buf, m->body, m->hdr.body_len) != m->hdr.hdr_csum)
		return -EBADMSG;
	if (m->hdr.bulk_len && !(m->hdr.flags & PROTO_F_NOCSUM) && m->bulk &&
	    proto_crc32c(0, m->bulk, m->hdr.bulk_len) != m->hdr.bulk_csum)
		return -EBADMSG;
	return 0;
}
