/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the decoders that are not message bodies.  The first byte
 * picks one:
 *   0  the on-disk target identity record (proto_target_id_dec)
 *   1  a layout on the wire (proto_layout_dec)
 *   2  a NID on the wire (proto_nid_dec)
 *   3  NID text, NID list text and mount-source text (the parsers behind
 *      every command line and mount option)
 * What decodes must re-encode and decode to the same thing.
 */
#include "fuzz.h"

static void fz_target_id(const uint8_t *d, size_t n)
{
	static struct proto_target_id a, b;
	static uint8_t rec[PROTO_TARGET_REC_MAX];
	int len;

	if (proto_target_id_dec(d, n, &a) != 0)
		return;
	len = proto_target_id_enc(&a, rec, sizeof(rec));
	FZ_CHECK(len > 0);
	FZ_CHECK(proto_target_id_dec(rec, (size_t)len, &b) == 0);
	FZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
}

static int enc_layout(struct proto_cur *c, const void *m)
{
	proto_layout_enc(c, m);
	return proto_cur_err(c);
}

static int dec_layout(struct proto_cur *c, void *m)
{
	memset(m, 0, sizeof(struct proto_layout));
	proto_layout_dec(c, m);
	return proto_cur_finish(c);
}

static int enc_nid(struct proto_cur *c, const void *m)
{
	proto_nid_enc(c, m);
	return proto_cur_err(c);
}

static int dec_nid(struct proto_cur *c, void *m)
{
	memset(m, 0, sizeof(struct proto_nid));
	proto_nid_dec(c, m);
	return proto_cur_finish(c);
}

static const struct fz_msg layout_msg = {"layout", enc_layout, dec_layout};
static const struct fz_msg nid_msg = {"nid", enc_nid, dec_nid};

static void fz_text(const uint8_t *d, size_t n)
{
	static struct proto_nid nids[PROTO_NID_LIST_MAX], again[PROTO_NID_LIST_MAX];
	static struct proto_mount_source ms;
	char s[512], out[1024];
	struct proto_nid one, two;
	int k;

	if (n >= sizeof(s))
		return;
	memcpy(s, d, n);
	s[n] = '\0';
	if (proto_nid_parse(s, &one) == 0) {
		proto_nid_str(&one, out, sizeof(out));
		FZ_CHECK(proto_nid_parse(out, &two) == 0);
		FZ_CHECK(proto_nid_eq(&one, &two));
	}
	k = proto_nid_list_parse(s, nids, PROTO_NID_LIST_MAX);
	if (k > 0) {
		FZ_CHECK(proto_nid_list_str(nids, (size_t)k, out, sizeof(out)) >= 0);
		FZ_CHECK(proto_nid_list_parse(out, again, PROTO_NID_LIST_MAX) == k);
	}
	(void)proto_mount_source_parse(s, &ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		fz_target_id(data + 1, size - 1);
		break;
	case 1:
		fz_run(&layout_msg, data + 1, size - 1);
		break;
	case 2:
		fz_run(&nid_msg, data + 1, size - 1);
		break;
	default:
		fz_text(data + 1, size - 1);
		break;
	}
	return 0;
}
