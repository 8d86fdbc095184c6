/* SPDX-License-Identifier: Apache-2.0 */
#include "crc.h"

#include <isa-l/crc.h>

uint32_t proto_crc32c(uint32_t crc, const void *buf, size_t len)
{
	/*
	 * ISA-L's crc32_iscsi takes and returns the raw register (no final
	 * inversion), so invert on the way in and out to get the standard,
	 * chainable CRC32C (check value of "123456789" is 0xE3069283).
	 */
	const unsigned char *p = buf;

	crc = ~crc;
	while (len > 0) {
		int chunk = len > (1u << 30) ? (1 << 30) : (int)len;

		crc = crc32_iscsi((unsigned char *)p, chunk, crc);
		p += chunk;
		len -= (size_t)chunk;
	}
	return ~crc;
}

uint32_t proto_crc32c_iov(uint32_t crc, const struct iovec *iov, int n)
{
	for (int i = 0; i < n; i++)
		crc = proto_crc32c(crc, iov[i].iov_base, iov[i].iov_len);
	return crc;
}
