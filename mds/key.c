/* SPDX-License-Identifier: Apache-2.0 */
#include "key.h"

#include <string.h>

void key_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

uint64_t key_get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void key_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

uint32_t key_get_be32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | p[i];
	return v;
}

size_t key_fid(uint8_t *k, uint8_t prefix, const struct proto_fid *fid)
{
	k[0] = prefix;
	proto_fid_to_key(fid, k + 1);
	return KEY_FID_LEN;
}

size_t key_dirent(uint8_t *k, const struct proto_fid *parent, uint64_t cookie)
{
	key_fid(k, KEY_DIRENT, parent);
	key_be64(k + KEY_FID_LEN, cookie);
	return KEY_DIRENT_LEN;
}

size_t key_xattr(uint8_t *k, const struct proto_fid *fid, const char *name, size_t len)
{
	key_fid(k, KEY_XATTR, fid);
	memcpy(k + KEY_FID_LEN, name, len);
	return KEY_FID_LEN + len;
}

size_t key_destroy(uint8_t *k, uint32_t ost, uint64_t objid)
{
	k[0] = KEY_DESTROY;
	key_be32(k + 1, ost);
	key_be64(k + 5, objid);
	return KEY_DESTROY_LEN;
}

size_t key_prefix_end(uint8_t *out, const uint8_t *k, size_t len)
{
	memcpy(out, k, len);
	while (len > 0) {
		if (out[len - 1] != 0xff) {
			out[len - 1]++;
			return len;
		}
		len--;
	}
	return 0;
}
