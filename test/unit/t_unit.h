/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registration of cmocka groups: each test file of a module ends with
 *
 *     T_GROUP(layout, tests)
 *
 * and the module's one executable runs every registered group (or those named
 * on its command line).  Tests are named <unit>_<condition>.
 */
#ifndef STRIA_T_UNIT_H
#define STRIA_T_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

struct t_group {
	const char *name;
	const struct CMUnitTest *tests;
	size_t count;
	struct t_group *next;
};

void t_register(struct t_group *g);

#define T_GROUP(gname, array)                                                                      \
	static struct t_group t_group_##gname = {#gname, array,                                    \
						 sizeof(array) / sizeof((array)[0]), NULL};        \
	__attribute__((constructor)) static void t_register_##gname(void)                          \
	{                                                                                          \
		t_register(&t_group_##gname);                                                      \
	}

#endif
