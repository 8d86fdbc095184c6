/* SPDX-License-Identifier: Apache-2.0 */
#include "size.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char units[] = "KMGTPE";

/* The multiplier of suffix @c, or 0 if it is not one. */
static uint64_t unit_of(char c)
{
	const char *p = c ? strchr(units, toupper((unsigned char)c)) : NULL;

	return p ? 1ULL << (10 * (p - units + 1)) : 0;
}

int proto_size_parse(const char *s, uint64_t *val, uint64_t *unit)
{
	char *end;
	unsigned long long v;
	uint64_t u = 1;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end && unit_of(*end)) {
		u = unit_of(*end);
		end++;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	if (v > UINT64_MAX / u)
		return -ERANGE;
	*val = v * u;
	if (unit)
		*unit = u;
	return 0;
}
