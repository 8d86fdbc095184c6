/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>

#include "objpath.h"

char *oss_objpath(uint64_t id, char buf[OSS_OBJPATH_MAX])
{
	snprintf(buf, OSS_OBJPATH_MAX, "%" PRIx64 "/%02x/%02x/%" PRIx64, id >> 24,
		 (unsigned)((id >> 16) & 0xff), (unsigned)((id >> 8) & 0xff), id);
	return buf;
}

char *oss_objpath_dir(uint64_t id, int depth, char buf[OSS_OBJPATH_MAX])
{
	unsigned mm = (id >> 16) & 0xff, ll = (id >> 8) & 0xff;

	if (depth <= 1)
		snprintf(buf, OSS_OBJPATH_MAX, "%" PRIx64, id >> 24);
	else if (depth == 2)
		snprintf(buf, OSS_OBJPATH_MAX, "%" PRIx64 "/%02x", id >> 24, mm);
	else
		snprintf(buf, OSS_OBJPATH_MAX, "%" PRIx64 "/%02x/%02x", id >> 24, mm, ll);
	return buf;
}
