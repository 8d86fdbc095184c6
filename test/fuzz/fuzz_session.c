/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the session bodies (CONNECT, DISCONNECT, PING). */
#include "fuzz.h"

FZ_WRAP(connect_req)
FZ_WRAP(connect_rep)
FZ_WRAP(ping)

static const struct fz_msg tab[] = {
    FZ_MSG(connect_req),
    FZ_MSG(connect_rep),
    FZ_MSG(ping),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_dispatch(tab, sizeof(tab) / sizeof(tab[0]), data, size);
	return 0;
}
