/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CRC32C (Castagnoli), through ISA-L's hardware-accelerated implementation.
 * Chaining: proto_crc32c(proto_crc32c(0, a, n), b, m) == CRC32C of a||b.
 */
#ifndef STRIA_PROTO_CRC_H
#define STRIA_PROTO_CRC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

uint32_t proto_crc32c(uint32_t crc, const void *buf, size_t len);
/* CRC32C over the concatenation of @iov[0..n). */
uint32_t proto_crc32c_iov(uint32_t crc, const struct iovec *iov, int n);

#endif
