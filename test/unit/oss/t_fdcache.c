/* SPDX-License-Identifier: Apache-2.0 */
#include "t_unit.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "oss/fdcache.h"

#define MISSING 666

static int opens;

static int fake_open(void *ctx, uint64_t id, bool direct)
{
	int fd;

	if (id == MISSING)
		return -ENOENT;
	opens++;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void use(struct oss_fdc *c, uint64_t id)
{
	struct oss_fdc_ent *e;
	int fd;

	assert_int_equal(oss_fdc_get(c, id, false, &e, &fd), 0);
	assert_true(fd >= 0);
	oss_fdc_put(c, e);
}

static void fdcache_evicts_least_recently_used(void **state)
{
	struct oss_fdc *c;

	opens = 0;
	assert_int_equal(oss_fdc_create(3, fake_open, NULL, &c), 0);
	use(c, 1);
	use(c, 2);
	use(c, 3);
	use(c, 1); /* a hit; 2 is now the least recently used */
	assert_int_equal(opens, 3);
	use(c, 4); /* evicts 2 */
	assert_int_equal(oss_fdc_nfds(c), 3);
	assert_int_equal(opens, 4);
	use(c, 1);
	use(c, 3);
	use(c, 4);
	assert_int_equal(opens, 4);
	use(c, 2);
	assert_int_equal(opens, 5);
	oss_fdc_destroy(c);
}

static void fdcache_never_evicts_entries_in_use(void **state)
{
	struct oss_fdc_ent *e[3];
	struct oss_fdc *c;
	int fd[3];

	assert_int_equal(oss_fdc_create(2, fake_open, NULL, &c), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(oss_fdc_get(c, i + 1, false, &e[i], &fd[i]), 0);
	/* over capacity while all three are busy; their fds stay valid */
	assert_int_equal(oss_fdc_nfds(c), 3);
	for (int i = 0; i < 3; i++)
		assert_true(fcntl(fd[i], F_GETFD) >= 0);
	for (int i = 0; i < 3; i++)
		oss_fdc_put(c, e[i]);
	assert_int_equal(oss_fdc_nfds(c), 2);
	oss_fdc_destroy(c);
}

static void fdcache_forget_drops_entry_even_in_use(void **state)
{
	struct oss_fdc_ent *a, *b;
	struct oss_fdc *c;
	int fa, fb;

	opens = 0;
	assert_int_equal(oss_fdc_create(4, fake_open, NULL, &c), 0);
	assert_int_equal(oss_fdc_get(c, 7, false, &a, &fa), 0);
	oss_fdc_forget(c, 7);
	/* the holder's fd stays open until it lets go */
	assert_true(fcntl(fa, F_GETFD) >= 0);
	/* a new lookup opens the path again */
	assert_int_equal(oss_fdc_get(c, 7, false, &b, &fb), 0);
	assert_int_equal(opens, 2);
	assert_ptr_not_equal(a, b);
	assert_int_equal(oss_fdc_nfds(c), 2);
	oss_fdc_put(c, a);
	assert_int_equal(oss_fdc_nfds(c), 1);
	oss_fdc_put(c, b);
	oss_fdc_forget(c, 7);
	assert_int_equal(oss_fdc_nfds(c), 0);
	oss_fdc_forget(c, 12345); /* unknown: a no-op */
	oss_fdc_destroy(c);
}

static void fdcache_open_error_reaches_caller(void **state)
{
	struct oss_fdc_ent *e = NULL;
	struct oss_fdc *c;
	int fd = -7;

	assert_int_equal(oss_fdc_create(4, fake_open, NULL, &c), 0);
	assert_int_equal(oss_fdc_get(c, MISSING, false, &e, &fd), -ENOENT);
	assert_null(e);
	assert_int_equal(fd, -7);
	assert_int_equal(oss_fdc_nfds(c), 0);
	assert_int_equal(oss_fdc_get(c, MISSING, false, &e, &fd), -ENOENT);
	assert_int_equal(oss_fdc_create(0, fake_open, NULL, &c), -EINVAL);
	oss_fdc_destroy(c);
}

static void fdcache_keeps_direct_and_buffered_fds_apart(void **state)
{
	struct oss_fdc_ent *a, *b;
	struct oss_fdc *c;
	int fa, fb;

	assert_int_equal(oss_fdc_create(1, fake_open, NULL, &c), 0);
	assert_int_equal(oss_fdc_get(c, 1, false, &a, &fa), 0);
	assert_int_equal(oss_fdc_get(c, 1, true, &b, &fb), 0);
	assert_ptr_equal(a, b);
	assert_int_not_equal(fa, fb);
	oss_fdc_put(c, a);
	oss_fdc_put(c, b);
	/* two fds count twice against a capacity of one: the idle entry goes */
	assert_int_equal(oss_fdc_nfds(c), 0);
	oss_fdc_destroy(c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(fdcache_evicts_least_recently_used),
    cmocka_unit_test(fdcache_never_evicts_entries_in_use),
    cmocka_unit_test(fdcache_forget_drops_entry_even_in_use),
    cmocka_unit_test(fdcache_open_error_reaches_caller),
    cmocka_unit_test(fdcache_keeps_direct_and_buffered_fds_apart),
};
T_GROUP(fdcache, tests)
