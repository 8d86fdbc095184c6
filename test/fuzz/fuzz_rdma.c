/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the o2ib transport's frames and connection private data.
 * A frame that decodes must re-encode, from its decoded fields, to exactly
 * the input bytes; a refused one must be refused with -EBADMSG.
 */
#include "fuzz.h"

static uint8_t fz_frame[PROTO_RDMA_MSG_MAX];
static uint64_t fz_done[UINT16_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_rdma_frame f;
	struct proto_rdma_conn p;
	uint32_t cap, inline_len;
	int rc;

	if (size < 1 || size - 1 > sizeof(fz_frame))
		return 0;
	cap = data[0] & 1 ? PROTO_PREAUTH_BODY_MAX : PROTO_BODY_MAX;
	rc = proto_rdma_conn_dec(data + 1, size - 1, &p);
	FZ_CHECK(rc == 0 || rc == -EPROTO || rc == -EPROTONOSUPPORT || rc == -EINVAL);
	if (rc == 0) {
		uint8_t buf[PROTO_RDMA_CONN_LEN];

		proto_rdma_conn_enc(buf, &p);
		FZ_CHECK(memcmp(buf, data + 1, 12) == 0);
	}

	rc = proto_rdma_frame_dec(data + 1, size - 1, cap, &f);
	FZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc != 0)
		return 0;
	for (uint32_t i = 0; i < f.ndone; i++)
		fz_done[i] = proto_rdma_frame_done(&f, i);
	inline_len = f.body_inline ? f.hdr.body_len : 0;
	rc = proto_rdma_frame_enc(fz_frame, sizeof(fz_frame), &f, fz_done, f.hdr_buf, f.body_inline,
				  inline_len);
	FZ_CHECK(rc >= 0 && (size_t)rc == size - 1);
	FZ_CHECK(memcmp(fz_frame, data + 1, size - 1) == 0);
	return 0;
}
