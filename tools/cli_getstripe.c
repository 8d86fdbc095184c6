/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria getstripe: prints layouts in the format of lfs getstripe.
 *
 * A file:
 *     PATH
 *     lmm_stripe_count:  4
 *     lmm_stripe_size:   1048576
 *     lmm_pattern:       raid0
 *     lmm_layout_gen:    0
 *     lmm_stripe_offset: 1
 *     lmm_pool:          flash          (only with a pool)
 *     \tobdidx\t\t objid\t\t objid\t\t group
 *     \t     1\t             3\t          0x3\t             0
 *     (blank line)
 * A directory's default, one line:
 *     stripe_count:  1 stripe_size:   1048576 pattern:       raid0 stripe_offset: -1
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#define F_COUNT	 (1u << 0)
#define F_SIZE	 (1u << 1)
#define F_INDEX	 (1u << 2)
#define F_POOL	 (1u << 3)
#define F_FIELDS (F_COUNT | F_SIZE | F_INDEX | F_POOL)

/* Lustre's lmm_magic values: LOV_MAGIC_V1, and V3 (the one with a pool). */
#define LOV_MAGIC_V1 0x0BD10BD0u
#define LOV_MAGIC_V3 0x0BD30BD0u

struct gs {
	unsigned fields; /* F_*: print only these */
	bool dironly;	 /* -d */
	bool yaml;	 /* -y */
	bool verbose;	 /* -v */
	bool quiet;	 /* -q */
	bool recursive;	 /* -r */
	bool name;	 /* print the path line */
	int nprinted;
};

void tool_usage_getstripe(FILE *f)
{
	fputs("Usage: stria getstripe [-c|-S|-i|-p] [-d] [-r] [-y|-v|-q] FILE|DIR...\n"
	      "\n"
	      "Prints the layout of each FILE, and of each DIR its default layout followed\n"
	      "by the layouts of the entries in it, in the format of lfs getstripe.\n"
	      "\n"
	      "  -c, --stripe-count   print only the stripe count\n"
	      "  -S, --stripe-size    print only the stripe size\n"
	      "  -i, --stripe-index   print only the first OST (lmm_stripe_offset)\n"
	      "  -p, --pool           print only the pool\n"
	      "  -d, --directory      a DIR itself, not its entries (the one-line default)\n"
	      "  -r, --recursive      descend into subdirectories\n"
	      "  -y, --yaml           YAML\n"
	      "  -v, --verbose        add lmm_magic, lmm_seq, lmm_object_id and lmm_fid\n"
	      "  -q, --quiet          only the object table rows\n"
	      "  -h, --help           this help\n",
	      f);
}

static const char *pattern_name(uint32_t p)
{
	return p == PROTO_LAYOUT_PATTERN_RAID0 ? "raid0" : "unknown";
}

/* Prints the selected fields of @l, names prefixed by @pfx when @named. */
static void print_fields(const struct proto_layout *l, unsigned fields, bool named, const char *pfx)
{
	if (fields & F_COUNT)
		named ? printf("%sstripe_count:  %d\n", pfx, l->stripe_count)
		      : printf("%d\n", l->stripe_count);
	if (fields & F_SIZE)
		named ? printf("%sstripe_size:   %u\n", pfx, l->stripe_size)
		      : printf("%u\n", l->stripe_size);
	if (fields & F_INDEX)
		named ? printf("%sstripe_offset: %d\n", pfx, l->stripe_offset)
		      : printf("%d\n", l->stripe_offset);
	if (fields & F_POOL)
		named ? printf("%spool:          %s\n", pfx, l->pool) : printf("%s\n", l->pool);
}

static void print_verbose(const char *path, const struct proto_layout *l, const char *ind)
{
	struct stat st;
	struct proto_fid fid;

	printf("%slmm_magic:         0x%08X\n", ind, l->pool[0] ? LOV_MAGIC_V3 : LOV_MAGIC_V1);
	if (stat(path, &st) == 0 && tool_ino_to_fid(st.st_ino, &fid) == 0) {
		printf("%slmm_seq:           %#" PRIx64 "\n", ind, fid.seq);
		printf("%slmm_object_id:     %#" PRIx32 "\n", ind, fid.oid);
		printf("%slmm_fid:           " PROTO_FID_F "\n", ind, PROTO_FID_P(&fid));
	}
}

static void show_file(struct gs *g, const char *path, const struct proto_layout *l)
{
	const char *ind = g->yaml ? "  " : "";

	if (g->fields) {
		print_fields(l, g->fields, __builtin_popcount(g->fields) > 1, "lmm_");
		return;
	}
	if (g->quiet) {
		for (uint32_t i = 0; i < l->nobjs; i++)
			printf("\t%6u\t%14" PRIu64 "\t%#13" PRIx64 "\t%14u\n", l->objs[i].ost_idx,
			       l->objs[i].objid, l->objs[i].objid, 0u);
		return;
	}
	if (g->yaml)
		printf("%s%s:\n", g->nprinted ? "\n" : "", path);
	else if (g->name)
		printf("%s\n", path);
	if (g->verbose)
		print_verbose(path, l, ind);
	printf("%slmm_stripe_count:  %d\n", ind, l->stripe_count);
	printf("%slmm_stripe_size:   %u\n", ind, l->stripe_size);
	printf("%slmm_pattern:       %s\n", ind, pattern_name(l->pattern));
	printf("%slmm_layout_gen:    %u\n", ind, l->gen);
	printf("%slmm_stripe_offset: %d\n", ind, l->stripe_offset);
	if (l->pool[0])
		printf("%slmm_pool:          %s\n", ind, l->pool);
	if (g->yaml) {
		printf("%slmm_objects:\n", ind);
		for (uint32_t i = 0; i < l->nobjs; i++)
			printf("%s- l_ost_idx: %u\n%s  l_objid:   %" PRIu64 "\n", ind,
			       l->objs[i].ost_idx, ind, l->objs[i].objid);
	} else {
		printf("\tobdidx\t\t objid\t\t objid\t\t group\n");
		for (uint32_t i = 0; i < l->nobjs; i++)
			printf("\t%6u\t%14" PRIu64 "\t%#13" PRIx64 "\t%14u\n", l->objs[i].ost_idx,
			       l->objs[i].objid, l->objs[i].objid, 0u);
		printf("\n");
	}
}

static void show_dir(struct gs *g, const char *path, const struct proto_layout *l)
{
	if (g->fields) {
		print_fields(l, g->fields, __builtin_popcount(g->fields) > 1, "");
		return;
	}
	if (g->quiet)
		return;
	if (g->yaml) {
		printf("%s%s:\n", g->nprinted ? "\n" : "", path);
		printf("  stripe_count:  %d\n  stripe_size:   %u\n  pattern:       %s\n"
		       "  stripe_offset: %d\n",
		       l->stripe_count, l->stripe_size, pattern_name(l->pattern), l->stripe_offset);
		if (l->pool[0])
			printf("  pool:          %s\n", l->pool);
		return;
	}
	if (g->name)
		printf("%s\n", path);
	printf("stripe_count:  %d stripe_size:   %u pattern:       %s stripe_offset: %d",
	       l->stripe_count, l->stripe_size, pattern_name(l->pattern), l->stripe_offset);
	if (l->pool[0])
		printf(" pool:          %s", l->pool);
	printf("\n%s", g->dironly ? "" : "\n");
}

static int show(struct gs *g, const char *path, int depth);

static int show_entries(struct gs *g, const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		tool_err("getstripe", path, -errno, NULL);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		char child[PATH_MAX];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type != DT_REG && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		snprintf(child, sizeof(child), "%s%s%s", path,
			 path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
		ret |= show(g, child, depth + 1);
	}
	closedir(d);
	return ret;
}

static int show(struct gs *g, const char *path, int depth)
{
	static struct proto_layout l;
	struct stat st;
	bool own;
	int rc;

	if (stat(path, &st)) {
		tool_err("getstripe", path, -errno, NULL);
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = tool_layout_effective(path, &l, &own);
		if (rc) {
			tool_err("getstripe", path, rc,
				 rc == -ENOTTY ? "not on a stria file system" : NULL);
			return 1;
		}
		show_dir(g, path, &l);
		g->nprinted++;
		if (g->dironly || (depth > 0 && !g->recursive))
			return 0;
		return show_entries(g, path, depth);
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	rc = tool_layout_get(path, &l);
	if (rc) {
		tool_err("getstripe", path, rc,
			 rc == -ENOTTY ? "not on a stria file system" : NULL);
		return 1;
	}
	show_file(g, path, &l);
	g->nprinted++;
	return 0;
}

int tool_cmd_getstripe(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"stripe-count", no_argument, NULL, 'c'}, {"stripe_count", no_argument, NULL, 'c'},
	    {"stripe-size", no_argument, NULL, 'S'},  {"stripe_size", no_argument, NULL, 'S'},
	    {"stripe-index", no_argument, NULL, 'i'}, {"stripe_index", no_argument, NULL, 'i'},
	    {"pool", no_argument, NULL, 'p'},	      {"directory", no_argument, NULL, 'd'},
	    {"recursive", no_argument, NULL, 'r'},    {"yaml", no_argument, NULL, 'y'},
	    {"verbose", no_argument, NULL, 'v'},      {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	struct gs g = {.name = true};
	int opt, ret = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "cSipdryvqh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			g.fields |= F_COUNT;
			break;
		case 'S':
			g.fields |= F_SIZE;
			break;
		case 'i':
			g.fields |= F_INDEX;
			break;
		case 'p':
			g.fields |= F_POOL;
			break;
		case 'd':
			g.dironly = true;
			break;
		case 'r':
			g.recursive = true;
			break;
		case 'y':
			g.yaml = true;
			break;
		case 'v':
			g.verbose = true;
			break;
		case 'q':
			g.quiet = true;
			break;
		case 'h':
			tool_usage_getstripe(stdout);
			return 0;
		default:
			tool_usage_getstripe(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		tool_usage_getstripe(stderr);
		return 2;
	}
	/* lfs getstripe -d DIR prints just the one line for a single directory. */
	if (g.dironly && argc - optind == 1)
		g.name = false;
	for (int i = optind; i < argc; i++)
		ret |= show(&g, argv[i], 0);
	return ret;
}
