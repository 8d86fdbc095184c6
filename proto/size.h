/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sizes as administrators write them, shared by the CLI and the daemons'
 * options: "N[unit][b]" with unit K, M, G, T, P or E (binary, either case),
 * e.g. "4M", "128k", "1048576", "64KB".
 */
#ifndef STRIA_PROTO_SIZE_H
#define STRIA_PROTO_SIZE_H

#include <stdint.h>

/*
 * Parses @s into *@val (bytes) and, if @unit is not NULL, *@unit (the
 * suffix's multiplier, 1 without one).  Returns 0, -EINVAL (not a size) or
 * -ERANGE (does not fit 64 bits).
 */
int proto_size_parse(const char *s, uint64_t *val, uint64_t *unit);

#endif
