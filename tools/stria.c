/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria: the user and administrator command-line tool, in the manner of
 * Lustre's lfs (setstripe, getstripe, df, find), lctl pool_* (pools) and
 * lctl set_param fail_loc (fail_set).
 *
 *   stria COMMAND [ARGS...]      stria help [COMMAND]      stria COMMAND --help
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	void (*usage)(FILE *f);
	const char *summary;
};

static const struct cmd cmds[] = {
    {"setstripe", tool_cmd_setstripe, tool_usage_setstripe,
     "set the layout of a new or empty file, or a directory's default"},
    {"getstripe", tool_cmd_getstripe, tool_usage_getstripe,
     "print the layout of files and the default of directories"},
    {"df", tool_cmd_df, tool_usage_df, "space and inodes of every MDT and OST"},
    {"find", tool_cmd_find, tool_usage_find, "find files by name, size, time and layout"},
    {"pool_new", tool_cmd_pool, tool_usage_pool, "create an OST pool (root)"},
    {"pool_add", tool_cmd_pool, tool_usage_pool, "add OSTs to a pool (root)"},
    {"pool_remove", tool_cmd_pool, tool_usage_pool, "remove OSTs from a pool (root)"},
    {"pool_destroy", tool_cmd_pool, tool_usage_pool, "destroy an empty pool (root)"},
    {"pool_list", tool_cmd_pool, tool_usage_pool, "list pools or one pool's OSTs"},
    {"fail_set", tool_cmd_fail, tool_usage_fail, "arm an MDS failure point (root; testing)"},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

void tool_err(const char *cmd, const char *what, int err, const char *hint)
{
	fprintf(stderr, "stria %s: %s: %s%s%s%s\n", cmd, what, strerror(err < 0 ? -err : err),
		hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

void tool_msg(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "stria %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fputs("Usage: stria COMMAND [OPTIONS] [ARGS...]\n"
	      "\n"
	      "The stria file system tool (Lustre's lfs and lctl pool_* conventions).\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-13s %s\n", cmds[i].name, cmds[i].summary);
	fputs("  help [CMD]    this list, or one command's help\n"
	      "\n"
	      "Run 'stria COMMAND --help' for a command's options; see stria(1).\n",
	      f);
}

static const struct cmd *lookup(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc > 2 && (c = lookup(argv[2])) != NULL) {
			c->usage(stdout);
			return 0;
		}
		if (argc > 2) {
			fprintf(stderr, "stria: unknown command '%s'\n", argv[2]);
			usage(stderr);
			return 2;
		}
		usage(stdout);
		return 0;
	}
	c = lookup(argv[1]);
	if (!c) {
		fprintf(stderr, "stria: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
