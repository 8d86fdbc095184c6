/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria find: walks directories and prints the entries that match every
 * given test (lfs find).  A '!' before a test negates it.  Layout tests read
 * a regular file's layout, or a directory's own default (a directory
 * without one matches no layout test).
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum test_kind {
	T_NAME,
	T_TYPE,
	T_SIZE,
	T_MTIME,
	T_SCOUNT,
	T_SSIZE,
	T_OST,
	T_POOL,
};

struct test {
	enum test_kind kind;
	bool neg;
	const char *str; /* name or pool pattern */
	char type;	 /* f d l b c p s */
	struct tool_cmp cmp;
	uint32_t *osts;
	int nosts;
};

#define MAX_TESTS 32

struct find {
	struct test t[MAX_TESTS];
	int n;
	int maxdepth; /* -1: none */
	bool print0;
	bool layout; /* some test needs the layout */
	time_t now;
	int ret;
};

void tool_usage_find(FILE *f)
{
	fputs("Usage: stria find DIR... [[!] TEST...] [--maxdepth N] [--print|--print0]\n"
	      "\n"
	      "Prints the entries under each DIR that pass every TEST (lfs find).\n"
	      "A '!' before a test negates it.  N is [+-]N: more than, less than,\n"
	      "exactly (sizes and times rounded up to the unit as find(1) does).\n"
	      "\n"
	      "  -n, --name PATTERN          the last path component matches (glob)\n"
	      "  -t, --type f|d|l|b|c|p|s    the type\n"
	      "  -s, --size [+-]N[KMGTPE]    the size\n"
	      "  -M, --mtime [+-]N           modified N days ago (24-hour periods)\n"
	      "  -c, --stripe-count [+-]N    the stripe count\n"
	      "  -S, --stripe-size [+-]N[KMG] the stripe size\n"
	      "  -i, --stripe-index LIST     has an object on one of these OSTs\n"
	      "  -O, --ost LIST              the same (\"1,3,5-7\" or testfs-OST0001)\n"
	      "      --pool PATTERN          the pool matches (glob)\n"
	      "  -D, --maxdepth N            descend at most N levels below DIR\n"
	      "  -p, --print                 one path per line (the default)\n"
	      "  -0, -P, --print0            paths terminated by NUL\n"
	      "  -h, --help                  this help\n",
	      f);
}

struct optdef {
	const char *lng;
	char sht;
	int kind; /* enum test_kind, or -1 maxdepth, -2 print, -3 print0, -4 help */
	bool arg;
};

static const struct optdef defs[] = {
    {"name", 'n', T_NAME, true},
    {"type", 't', T_TYPE, true},
    {"size", 's', T_SIZE, true},
    {"mtime", 'M', T_MTIME, true},
    {"stripe-count", 'c', T_SCOUNT, true},
    {"stripe_count", 0, T_SCOUNT, true},
    {"stripe-size", 'S', T_SSIZE, true},
    {"stripe_size", 0, T_SSIZE, true},
    {"stripe-index", 'i', T_OST, true},
    {"stripe_index", 0, T_OST, true},
    {"ost", 'O', T_OST, true},
    {"obd", 0, T_OST, true},
    {"pool", 0, T_POOL, true},
    {"maxdepth", 'D', -1, true},
    {"print", 'p', -2, false},
    {"print0", '0', -3, false},
    {"print0", 'P', -3, false},
    {"help", 'h', -4, false},
};

static const struct optdef *find_def(const char *a)
{
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		if (a[1] == '-' && !strcmp(a + 2, defs[i].lng))
			return &defs[i];
		if (a[1] != '-' && a[1] == defs[i].sht && defs[i].sht && !a[2])
			return &defs[i];
	}
	return NULL;
}

/* Parses one test's value; returns 0 or -EINVAL. */
static int parse_test(struct test *t, const char *v)
{
	switch (t->kind) {
	case T_NAME:
	case T_POOL:
		t->str = v;
		return 0;
	case T_TYPE:
		t->type = v[0];
		return v[0] && !v[1] && strchr("fdlbcps", v[0]) ? 0 : -EINVAL;
	case T_SIZE:
	case T_SSIZE:
		return tool_parse_cmp(v, true, &t->cmp);
	case T_MTIME:
	case T_SCOUNT:
		return tool_parse_cmp(v, false, &t->cmp);
	case T_OST:
		t->osts = calloc(PROTO_TARGET_INDEX_MAX + 1, sizeof(*t->osts));
		if (!t->osts)
			return -ENOMEM;
		t->nosts = tool_parse_ost_list(v, NULL, t->osts, PROTO_TARGET_INDEX_MAX + 1);
		return t->nosts < 0 ? -EINVAL : 0;
	}
	return -EINVAL;
}

static char type_char(mode_t m)
{
	return S_ISREG(m)    ? 'f'
	       : S_ISDIR(m)  ? 'd'
	       : S_ISLNK(m)  ? 'l'
	       : S_ISBLK(m)  ? 'b'
	       : S_ISCHR(m)  ? 'c'
	       : S_ISFIFO(m) ? 'p'
			     : 's';
}

static bool on_ost(const struct test *t, const struct proto_layout *l)
{
	for (uint32_t i = 0; i < l->nobjs; i++)
		for (int j = 0; j < t->nosts; j++)
			if (l->objs[i].ost_idx == t->osts[j])
				return true;
	return false;
}

/* One test, before negation; @l is NULL when the entry has no layout. */
static bool eval(const struct find *f, const struct test *t, const char *name,
		 const struct stat *st, const struct proto_layout *l)
{
	switch (t->kind) {
	case T_NAME:
		return fnmatch(t->str, name, 0) == 0;
	case T_TYPE:
		return type_char(st->st_mode) == t->type;
	case T_SIZE:
		return tool_cmp_match(&t->cmp, (uint64_t)st->st_size);
	case T_MTIME: {
		time_t age = f->now - st->st_mtime;

		return tool_cmp_match(&t->cmp, age > 0 ? (uint64_t)age / 86400 : 0);
	}
	case T_SCOUNT:
		return l && l->stripe_count > 0 &&
		       tool_cmp_match(&t->cmp, (uint64_t)l->stripe_count);
	case T_SSIZE:
		return l && l->stripe_size && tool_cmp_match(&t->cmp, l->stripe_size);
	case T_OST:
		return l && on_ost(t, l);
	case T_POOL:
		return l && fnmatch(t->str, l->pool, 0) == 0;
	}
	return false;
}

static void visit(struct find *f, const char *path, int depth)
{
	static struct proto_layout lbuf;
	const struct proto_layout *l = NULL;
	const char *name = strrchr(path, '/');
	struct stat st;
	bool match = true;

	name = name && name[1] ? name + 1 : path;
	if (lstat(path, &st)) {
		tool_err("find", path, -errno, NULL);
		f->ret = 1;
		return;
	}
	if (f->layout && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
		int rc = tool_layout_get(path, &lbuf);

		if (rc == 0)
			l = &lbuf;
		else if (rc != -ENODATA) {
			tool_err("find", path, rc,
				 rc == -ENOTTY ? "not on a stria file system" : NULL);
			f->ret = 1;
		}
	}
	for (int i = 0; i < f->n && match; i++)
		match = eval(f, &f->t[i], name, &st, l) != f->t[i].neg;
	if (match)
		printf("%s%c", path, f->print0 ? '\0' : '\n');
	if (S_ISDIR(st.st_mode) && (f->maxdepth < 0 || depth < f->maxdepth)) {
		DIR *d = opendir(path);
		struct dirent *e;

		if (!d) {
			tool_err("find", path, -errno, NULL);
			f->ret = 1;
			return;
		}
		while ((e = readdir(d)) != NULL) {
			char child[PATH_MAX];

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(child, sizeof(child), "%s%s%s", path,
				 path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
			visit(f, child, depth + 1);
		}
		closedir(d);
	}
}

int tool_cmd_find(int argc, char **argv)
{
	static struct find f;
	const char *dirs[64];
	int ndirs = 0;
	bool neg = false;
	long v;

	memset(&f, 0, sizeof(f));
	f.maxdepth = -1;
	f.now = time(NULL);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct optdef *d;

		if (!strcmp(a, "!")) {
			neg = !neg;
			continue;
		}
		if (a[0] != '-' || !a[1]) {
			if (neg || f.n || ndirs >= 64) {
				tool_msg("find", "'%s': directories come before the tests", a);
				return 2;
			}
			dirs[ndirs++] = a;
			continue;
		}
		d = find_def(a);
		if (!d) {
			tool_msg("find", "unknown option '%s'", a);
			tool_usage_find(stderr);
			return 2;
		}
		if (d->arg && i + 1 >= argc) {
			tool_msg("find", "'%s' needs a value", a);
			return 2;
		}
		if (neg && d->kind < 0) {
			tool_msg("find", "'!' cannot negate '%s'", a);
			return 2;
		}
		switch (d->kind) {
		case -1:
			if (tool_parse_int(argv[++i], 0, INT_MAX, &v)) {
				tool_msg("find", "bad --maxdepth '%s'", argv[i]);
				return 2;
			}
			f.maxdepth = (int)v;
			continue;
		case -2:
			f.print0 = false;
			continue;
		case -3:
			f.print0 = true;
			continue;
		case -4:
			tool_usage_find(stdout);
			return 0;
		default:
			break;
		}
		if (f.n >= MAX_TESTS) {
			tool_msg("find", "too many tests");
			return 2;
		}
		f.t[f.n].kind = (enum test_kind)d->kind;
		f.t[f.n].neg = neg;
		neg = false;
		if (parse_test(&f.t[f.n], argv[++i])) {
			tool_msg("find", "bad value '%s' for '%s'", argv[i], a);
			return 2;
		}
		f.layout |= d->kind >= T_SCOUNT;
		f.n++;
	}
	if (ndirs == 0 || neg) {
		tool_usage_find(stderr);
		return 2;
	}
	for (int i = 0; i < ndirs; i++)
		visit(&f, dirs[i], 0);
	for (int i = 0; i < f.n; i++)
		free(f.t[i].osts);
	return f.ret;
}
