/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stria setstripe: the layout of a new or empty file, or a directory's
 * default (lfs setstripe's flags and meanings).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tool_usage_setstripe(FILE *f)
{
	fputs("Usage: stria setstripe [-c COUNT] [-S SIZE] [-i INDEX] [-o OST_LIST] [-p POOL] "
	      "FILE|DIR...\n"
	      "       stria setstripe -d DIR...\n"
	      "\n"
	      "Sets the layout of an empty FILE (created empty if it does not exist) or\n"
	      "the default layout new files in DIR inherit.  Options not given inherit\n"
	      "from the parent directory, then the file system default.\n"
	      "\n"
	      "  -c, --stripe-count COUNT  number of OSTs to stripe over; -1 = all OSTs\n"
	      "  -S, --stripe-size SIZE    bytes per stripe, a multiple of 64K, with a\n"
	      "                            suffix K, M or G (\"-S 4M\"); 0 = inherit\n"
	      "  -i, --stripe-index INDEX  the first OST; -1 = the MDS chooses\n"
	      "  -o, --ost OST_LIST        exactly these OSTs, in this order: \"1,3,5-7\"\n"
	      "                            or target names (testfs-OST0001)\n"
	      "  -p, --pool POOL           allocate from the OSTs of POOL\n"
	      "  -d, --delete              remove DIR's default layout\n"
	      "  -h, --help                this help\n"
	      "\n"
	      "A file's layout is fixed once it has been opened for writing; setting the\n"
	      "same layout again succeeds.\n",
	      f);
}

static const char *hint_of(int err)
{
	switch (err) {
	case -EEXIST:
		return "the file already has data or a fixed layout";
	case -EINVAL:
		return "invalid stripe size/count/index, or more stripes than OSTs, or an unknown "
		       "pool";
	case -EPERM:
		return "only the owner or root may change a layout";
	case -ENOTTY:
		return "not on a stria file system";
	default:
		return NULL;
	}
}

/* Sets @l on @path, creating an empty regular file if @path does not exist. */
static int apply(const char *path, const struct proto_layout *l, bool del)
{
	struct stat st;
	bool created = false;
	int rc;

	if (del) {
		if (stat(path, &st))
			return -errno;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		rc = tool_layout_del(path);
		/* No default to remove is not an error (as lfs setstripe -d). */
		return rc == -ENODATA ? 0 : rc;
	}
	if (lstat(path, &st)) {
		if (errno != ENOENT)
			return -errno;
		/*
		 * mknod, not open(O_CREAT): a write-open would fix the layout
		 * before we set it.  Mode 0666 & ~umask, as creat(2).
		 */
		if (mknod(path, S_IFREG | 0666, 0))
			return -errno;
		created = true;
	} else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		return -EINVAL;
	}
	rc = tool_layout_set(path, l);
	if (rc && created)
		unlink(path);
	return rc;
}

int tool_cmd_setstripe(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"stripe-count", required_argument, NULL, 'c'},
	    {"stripe_count", required_argument, NULL, 'c'},
	    {"stripe-size", required_argument, NULL, 'S'},
	    {"stripe_size", required_argument, NULL, 'S'},
	    {"stripe-index", required_argument, NULL, 'i'},
	    {"stripe_index", required_argument, NULL, 'i'},
	    {"ost", required_argument, NULL, 'o'},
	    {"ost-list", required_argument, NULL, 'o'},
	    {"pool", required_argument, NULL, 'p'},
	    {"delete", no_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static struct proto_layout l;
	static uint32_t osts[PROTO_LAYOUT_MAX_STRIPES];
	bool del = false, setc = false, seti = false, other = false;
	const char *ostlist = NULL;
	char bad[128] = "";
	int opt, ret = 0, n;
	uint64_t size;
	long v;

	memset(&l, 0, sizeof(l));
	l.pattern = PROTO_LAYOUT_PATTERN_RAID0;
	l.stripe_offset = -1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:S:s:i:o:p:dh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (tool_parse_int(optarg, -1, PROTO_LAYOUT_MAX_STRIPES, &v)) {
				tool_msg("setstripe", "bad stripe count '%s': -1, 0 or 1..%d",
					 optarg, PROTO_LAYOUT_MAX_STRIPES);
				return 2;
			}
			l.stripe_count = (int32_t)v;
			setc = other = true;
			break;
		case 'S':
		case 's':
			if (tool_parse_size(optarg, &size) || size > PROTO_STRIPE_SIZE_MAX ||
			    size % PROTO_STRIPE_UNIT) {
				snprintf(
				    bad, sizeof(bad),
				    "invalid stripe size '%s': a multiple of 64K, at most 4G-64K",
				    optarg);
				break;
			}
			l.stripe_size = (uint32_t)size;
			other = true;
			break;
		case 'i':
			if (tool_parse_int(optarg, -1, PROTO_TARGET_INDEX_MAX, &v)) {
				tool_msg("setstripe", "bad stripe index '%s': -1 or 0..65535",
					 optarg);
				return 2;
			}
			l.stripe_offset = (int32_t)v;
			seti = other = true;
			break;
		case 'o':
			ostlist = optarg;
			other = true;
			break;
		case 'p':
			if (!proto_pool_name_valid(optarg)) {
				tool_msg("setstripe", "bad pool name '%s'", optarg);
				return 2;
			}
			strcpy(l.pool, optarg);
			other = true;
			break;
		case 'd':
			del = true;
			break;
		case 'h':
			tool_usage_setstripe(stdout);
			return 0;
		default:
			tool_usage_setstripe(stderr);
			return 2;
		}
	}
	if (optind >= argc || (del && other)) {
		tool_usage_setstripe(stderr);
		return 2;
	}
	if (bad[0]) {
		/* An invalid value is the file's error, as the MDS would say it. */
		for (int i = optind; i < argc; i++)
			tool_err("setstripe", argv[i], -EINVAL, bad);
		return 1;
	}
	if (ostlist) {
		n = tool_parse_ost_list(ostlist, NULL, osts, PROTO_LAYOUT_MAX_STRIPES);
		if (n < 0) {
			tool_err("setstripe", ostlist, n, "bad OST list; e.g. 1,3,5-7");
			return 2;
		}
		if (setc && l.stripe_count != n) {
			tool_msg("setstripe", "stripe count %d does not match the %d OSTs of '%s'",
				 l.stripe_count, n, ostlist);
			return 2;
		}
		if (seti && l.stripe_offset != (int32_t)osts[0]) {
			tool_msg("setstripe", "stripe index %d is not the first OST of '%s'",
				 l.stripe_offset, ostlist);
			return 2;
		}
		l.flags |= PROTO_LAYOUT_F_OSTLIST;
		l.stripe_count = n;
		l.stripe_offset = (int32_t)osts[0];
		l.nobjs = (uint32_t)n;
		for (int i = 0; i < n; i++)
			l.objs[i].ost_idx = osts[i];
	}
	if (!del && proto_layout_check_template(&l)) {
		tool_msg("setstripe", "%s", "invalid layout");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		int rc = apply(argv[i], &l, del);

		if (rc) {
			tool_err("setstripe", argv[i], rc, hint_of(rc));
			ret = 1;
		}
	}
	return ret;
}
