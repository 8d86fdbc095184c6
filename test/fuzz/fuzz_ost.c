/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: every OST_* body. */
#include "fuzz.h"

FZ_WRAP(ost_precreate_req)
FZ_WRAP(ost_precreate_rep)
FZ_WRAP(ost_orphan_req)
FZ_WRAP(ost_orphan_rep)
FZ_WRAP(ost_destroy_req)
FZ_WRAP(ost_io_req)
FZ_WRAP(ost_read_rep)
FZ_WRAP(ost_write_rep)
FZ_WRAP(ost_punch_req)
FZ_WRAP(ost_falloc_req)
FZ_WRAP(ost_size_rep)
FZ_WRAP(ost_obj_req)
FZ_WRAP(ost_getattr_rep)
FZ_WRAP(ost_sync_req)
FZ_WRAP(ost_statfs_req)
FZ_WRAP(ost_statfs_rep)
FZ_WRAP(ost_copy_req)

static int fz_enc_empty(struct proto_cur *c, const void *m)
{
	return proto_ost_empty_enc(c);
}

static int fz_dec_empty(struct proto_cur *c, void *m)
{
	return proto_ost_empty_dec(c);
}

static const struct fz_msg tab[] = {
    FZ_MSG(empty),	    FZ_MSG(ost_precreate_req), FZ_MSG(ost_precreate_rep),
    FZ_MSG(ost_orphan_req), FZ_MSG(ost_orphan_rep),    FZ_MSG(ost_destroy_req),
    FZ_MSG(ost_io_req),	    FZ_MSG(ost_read_rep),      FZ_MSG(ost_write_rep),
    FZ_MSG(ost_punch_req),  FZ_MSG(ost_falloc_req),    FZ_MSG(ost_size_rep),
    FZ_MSG(ost_obj_req),    FZ_MSG(ost_getattr_rep),   FZ_MSG(ost_sync_req),
    FZ_MSG(ost_statfs_req), FZ_MSG(ost_statfs_rep),    FZ_MSG(ost_copy_req),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_dispatch(tab, sizeof(tab) / sizeof(tab[0]), data, size);
	return 0;
}
