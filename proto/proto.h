/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proto: the public header of everything both ends of the wire share.
 * FIDs, the byte cursor, the message header and opcodes, message bodies,
 * layouts and stripe arithmetic, NIDs, target identities, failure point
 * names, CRC32C and the o2ib transport's framing.
 */
#ifndef STRIA_PROTO_H
#define STRIA_PROTO_H

#include "proto/attr.h"
#include "proto/bulk.h"
#include "proto/crc.h"
#include "proto/cursor.h"
#include "proto/failspec.h"
#include "proto/fid.h"
#include "proto/hdr.h"
#include "proto/layout.h"
#include "proto/msg_mds.h"
#include "proto/msg_mgs.h"
#include "proto/msg_ost.h"
#include "proto/msg_session.h"
#include "proto/nid.h"
#include "proto/rdma.h"
#include "proto/size.h"
#include "proto/target.h"
#include "proto/vxattr.h"

#endif
