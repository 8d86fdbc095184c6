/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "t_unit.h"

static struct t_group *groups;

void t_register(struct t_group *g)
{
	g->next = groups;
	groups = g;
}

static int selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0, ran = 0;

	for (struct t_group *g = groups; g; g = g->next) {
		if (!selected(g->name, argc, argv))
			continue;
		failed += _cmocka_run_group_tests(g->name, g->tests, g->count, NULL, NULL);
		ran++;
	}
	if (ran == 0) {
		fprintf(stderr, "no test group selected\n");
		return 1;
	}
	return failed ? 1 : 0;
}
