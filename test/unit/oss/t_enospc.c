/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A full OST: writes fail -ENOSPC and existing objects keep their data.
 * Needs to mount a 4 MiB tmpfs (root); skipped otherwise.
 */
#include "t_unit.h"

#include <errno.h>
#include <stdlib.h>

#include "t_oss.h"

#define MIB (1024u * 1024u)

static void enospc_fails_writes_and_keeps_existing_data(void **state)
{
	struct oss_obj_attr a;
	struct t_ost t;
	char mnt[32];
	uint8_t *buf = malloc(MIB), *got = malloc(MIB);
	uint64_t last;
	int rc = 0, k;

	if (!t_mount_tmpfs(mnt, "4m")) {
		free(buf);
		free(got);
		skip();
	}
	t_ost_setup_in(&t, mnt, NULL);
	assert_int_equal(oss_obj_precreate(t.ost, 1, 3, &last), 0);
	t_pattern(buf, MIB, 1, 0);
	assert_int_equal(t_write(&t, 1, 0, buf, MIB, 0), (int)MIB);
	assert_int_equal(t_sync(&t, 1), 0);

	/* fill the OST through another object */
	t_pattern(buf, MIB, 2, 0);
	for (k = 0; k < 8; k++) {
		rc = t_write(&t, 2, (uint64_t)k * MIB, buf, MIB, 0);
		if (rc < 0)
			break;
		assert_int_equal(rc, (int)MIB);
	}
	assert_int_equal(rc, -ENOSPC);
	assert_true(k >= 1 && k < 4);
	/* a short write is reported as the error, never as a partial success */
	assert_int_equal(t_write(&t, 3, 0, buf, MIB, 0), -ENOSPC);
	assert_int_equal(t_getattr(&t, 2, &a), 0);
	assert_true(a.size <= (uint64_t)(k + 1) * MIB);

	/* in-place overwrite of allocated blocks still works, and nothing was corrupted */
	t_pattern(buf, 65536, 3, 0);
	assert_int_equal(t_write(&t, 1, 0, buf, 65536, 0), 65536);
	assert_int_equal(t_read(&t, 1, 0, got, MIB), (int)MIB);
	assert_true(t_pattern_ok(got, 65536, 3, 0));
	assert_true(t_pattern_ok(got + 65536, MIB - 65536, 1, 65536));

	/* destroying the filler gives the space back */
	assert_int_equal(oss_obj_destroy(t.ost, 2), 0);
	t_pattern(buf, MIB, 4, 0);
	assert_int_equal(t_write(&t, 3, 0, buf, MIB, 0), (int)MIB);
	assert_int_equal(t_read(&t, 3, 0, got, MIB), (int)MIB);
	assert_true(t_pattern_ok(got, MIB, 4, 0));

	t_ost_teardown(&t, true);
	t_umount_tmpfs(mnt);
	free(buf);
	free(got);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(enospc_fails_writes_and_keeps_existing_data),
};
T_GROUP(enospc, tests)
