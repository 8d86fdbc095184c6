/* SPDX-License-Identifier: Apache-2.0 */
/* Extended attribute handlers. */
#include "svc.h"

#include <errno.h>
#include <stdlib.h>

#define DECODE(r, fn, m)                                                                           \
	({                                                                                         \
		struct proto_cur _c;                                                               \
		net_srv_req_body((r), &_c);                                                        \
		fn(&_c, (m));                                                                      \
	})

/* GETXATTR and LISTXATTR replies: the length, and the bytes if asked for. */
static int xattr_reply(struct net_srv_req *r, int len, const char *buf, uint32_t size)
{
	struct proto_mds_xattr_rep rep = {0};

	if (len < 0)
		return len;
	rep.size = (uint32_t)len;
	if (size) {
		rep.data.s = buf;
		rep.data.len = (uint32_t)len;
	}
	return proto_mds_xattr_rep_enc(net_srv_reply_body(r), &rep);
}

void svc_h_getxattr(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_getxattr_req m;
	char *buf = NULL;
	int rc;

	rc = DECODE(r, proto_mds_getxattr_req_dec, &m);
	if (rc == 0 && m.size > PROTO_XATTR_VALUE_MAX)
		m.size = PROTO_XATTR_VALUE_MAX;
	if (rc == 0 && m.size && !(buf = malloc(m.size)))
		rc = -ENOMEM;
	if (rc == 0)
		rc = xattr_reply(
		    r,
		    mds_getxattr(svc->db, &net_srv_req_pre(r)->creds, &m.fid, m.name, buf, m.size),
		    buf, m.size);
	free(buf);
	svc_reply(svc, r, rc);
}

void svc_h_listxattr(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_listxattr_req m;
	char *buf = NULL;
	int rc;

	rc = DECODE(r, proto_mds_listxattr_req_dec, &m);
	if (rc == 0 && m.size > PROTO_XATTR_LIST_MAX)
		m.size = PROTO_XATTR_LIST_MAX;
	if (rc == 0 && m.size && !(buf = malloc(m.size)))
		rc = -ENOMEM;
	if (rc == 0)
		rc = xattr_reply(
		    r, mds_listxattr(svc->db, &net_srv_req_pre(r)->creds, &m.fid, buf, m.size), buf,
		    m.size);
	free(buf);
	svc_reply(svc, r, rc);
}

void svc_h_setxattr(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_setxattr_req m;
	struct mds_tx *tx;
	uint32_t flags = 0;
	int rc;

	rc = DECODE(r, proto_mds_setxattr_req_dec, &m);
	if (rc) {
		svc_reply(svc, r, rc);
		return;
	}
	if (m.flags & PROTO_XATTR_CREATE)
		flags |= MDS_XATTR_CREATE;
	if (m.flags & PROTO_XATTR_REPLACE)
		flags |= MDS_XATTR_REPLACE;
	if (svc_tx_begin(svc, r, &tx))
		return;
	rc = mds_setxattr(tx, &m.fid, m.name, m.value.s, m.value.len, flags);
	if (rc == 0)
		rc = proto_mds_empty_enc(net_srv_reply_body(r));
	svc_send(svc, r, svc_commit(svc, r, tx, rc));
}

void svc_h_removexattr(struct net_srv_req *r, void *arg)
{
	struct mds_svc *svc = arg;
	struct proto_mds_xattr_name_req m;
	struct mds_tx *tx;
	int rc;

	rc = DECODE(r, proto_mds_xattr_name_req_dec, &m);
	if (rc) {
		svc_reply(svc, r, rc);
		return;
	}
	if (svc_tx_begin(svc, r, &tx))
		return;
	rc = mds_removexattr(tx, &m.fid, m.name);
	if (rc == 0)
		rc = proto_mds_empty_enc(net_srv_reply_body(r));
	svc_send(svc, r, svc_commit(svc, r, tx, rc));
}
