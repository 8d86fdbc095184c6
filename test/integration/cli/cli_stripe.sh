#!/bin/bash
# stria setstripe / getstripe against a real cluster of 4 OSTs: the printed
# fields for stripe counts 1, 4 and -1, directory defaults and their
# inheritance, and the errors (bad size, too many stripes, a file with data).
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
fx_cluster 4
fx_mount m1
M=$FX_DIR/m1
fx_wait_osts "$M" 4
S="$STRIA_BUILD/tools/stria"

# field FILE NAME: the value of "NAME:" in getstripe FILE.
field() { "$S" getstripe "$1" | awk -v k="$2:" '$1 == k {print $2}'; }
# rows FILE: the object table rows as "ost objid hexobjid group".
rows() { "$S" getstripe "$1" | awk '/^\t *[0-9]/ {print $1, $2, $3, $4}'; }

# check_file FILE COUNT SIZE: every field, and one distinct OST per row.
check_file() {
	local f=$1 count=$2 size=$3 out nrows
	out=$("$S" getstripe "$f") || fx_fail "getstripe $f"
	[[ $(head -n1 <<<"$out") == "$f" ]] || fx_fail "$f: first line is not the path: $out"
	[[ $(field "$f" lmm_stripe_count) == "$count" ]] || fx_fail "$f: count: $out"
	[[ $(field "$f" lmm_stripe_size) == "$size" ]] || fx_fail "$f: size: $out"
	[[ $(field "$f" lmm_pattern) == raid0 ]] || fx_fail "$f: pattern: $out"
	[[ $(field "$f" lmm_layout_gen) =~ ^[0-9]+$ ]] || fx_fail "$f: layout_gen: $out"
	grep -q $'^\tobdidx\t\t objid\t\t objid\t\t group$' <<<"$out" || fx_fail "$f: table header: $out"
	nrows=$(rows "$f" | wc -l)
	[[ $nrows == "$count" ]] || fx_fail "$f: $nrows rows for $count stripes: $out"
	[[ $(rows "$f" | awk '{print $1}' | sort -u | wc -l) == "$count" ]] ||
		fx_fail "$f: an OST appears twice: $out"
	# The offset is the first row's OST; objid decimal and hex agree; group 0.
	[[ $(field "$f" lmm_stripe_offset) == $(rows "$f" | awk 'NR == 1 {print $1}') ]] ||
		fx_fail "$f: stripe_offset is not the first OST: $out"
	rows "$f" | while read -r ost id hex grp; do
		[[ $ost -lt 4 && $id -gt 0 && $((hex)) == "$id" && $grp == 0 ]] || exit 1
	done || fx_fail "$f: a bad table row: $out"
	[[ $("$S" getstripe -c "$f") == "$count" ]] || fx_fail "$f: getstripe -c"
	[[ $("$S" getstripe -S "$f") == "$size" ]] || fx_fail "$f: getstripe -S"
}

cd "$M" || fx_fail "cd $M"
fx_run "$S" setstripe -c 1 "$M/one" >/dev/null
check_file "$M/one" 1 1048576
fx_run "$S" setstripe -c 4 -S 4M "$M/four" >/dev/null
check_file "$M/four" 4 4194304
fx_run "$S" setstripe --stripe-count -1 --stripe-size 128k "$M/all" >/dev/null
check_file "$M/all" 4 131072
# -1 alone: the new file's inherited layout (1 stripe) must not count as
# "identical" to a request for all OSTs.
fx_run "$S" setstripe -c -1 "$M/all2" >/dev/null
check_file "$M/all2" 4 1048576
# An explicit OST list, in its order.
fx_run "$S" setstripe -o 3,1 "$M/list" >/dev/null
[[ $(rows "$M/list" | awk '{printf "%s ", $1}') == "3 1 " ]] || fx_fail "-o 3,1: $(rows "$M/list")"
fx_run "$S" setstripe -i 2 "$M/idx" >/dev/null
[[ $(field "$M/idx" lmm_stripe_offset) == 2 ]] || fx_fail "-i 2: $("$S" getstripe "$M/idx")"
# -v: the FID, as Lustre prints it.
"$S" getstripe -v "$M/four" | grep -Eq '^lmm_fid: +\[0x[0-9a-f]+:0x[0-9a-f]+:0x0\]$' ||
	fx_fail "getstripe -v has no lmm_fid: $("$S" getstripe -v "$M/four")"
# -q: the rows only; -y: YAML with the objects.
[[ $("$S" getstripe -q "$M/four" | wc -l) == 4 ]] || fx_fail "getstripe -q"
"$S" getstripe -y "$M/four" | grep -q '^  lmm_objects:$' || fx_fail "getstripe -y"

# Directory defaults: the one-line form, inheritance, and removal.
mkdir "$M/d" "$M/d/sub"
def=$("$S" getstripe -d "$M/d")
[[ $def == "stripe_count:  1 stripe_size:   1048576 pattern:       raid0 stripe_offset: -1" ]] ||
	fx_fail "default of a plain directory: '$def'"
fx_run "$S" setstripe -c 2 -S 2M "$M/d" >/dev/null
def=$("$S" getstripe -d "$M/d")
[[ $def == "stripe_count:  2 stripe_size:   2097152 pattern:       raid0 stripe_offset: -1" ]] ||
	fx_fail "getstripe -d after setstripe -c 2 -S 2M: '$def'"
echo data >"$M/d/child"
check_file "$M/d/child" 2 2097152
# A subdirectory without a default of its own hands out the file system
# default (file <- parent directory <- root), not its parent's.
echo data >"$M/d/sub/grandchild"
check_file "$M/d/sub/grandchild" 1 1048576
fx_run "$S" setstripe -c -1 "$M/d/sub" >/dev/null
touch "$M/d/sub/wide"
check_file "$M/d/sub/wide" 4 1048576
# getstripe DIR lists the default and then the entries.
"$S" getstripe "$M/d" | grep -qx "$M/d/child" || fx_fail "getstripe DIR does not list child"
fx_run "$S" setstripe -d "$M/d" >/dev/null
[[ $("$S" getstripe -c -d "$M/d") == 1 ]] || fx_fail "setstripe -d did not remove the default"
touch "$M/d/after"
check_file "$M/d/after" 1 1048576

# Errors: name the path, the reason, exit non-zero, create nothing.
err=$("$S" setstripe -S 100K "$M/bad" 2>&1) && fx_fail "-S 100K succeeded"
[[ $err == *"$M/bad: Invalid argument"*"stripe size"* ]] || fx_fail "-S 100K: '$err'"
[[ ! -e $M/bad ]] || fx_fail "-S 100K left a file"
err=$("$S" setstripe -c 8 "$M/bad" 2>&1) && fx_fail "-c 8 with 4 OSTs succeeded"
[[ $err == *"$M/bad: Invalid argument"* ]] || fx_fail "-c 8: '$err'"
[[ ! -e $M/bad ]] || fx_fail "-c 8 left a file"
echo data >"$M/full"
err=$("$S" setstripe -c 2 "$M/full" 2>&1) && fx_fail "setstripe on a file with data succeeded"
[[ $err == *"$M/full: File exists (the file already has data or a fixed layout)"* ]] ||
	fx_fail "setstripe on data: '$err'"
# The identical layout again succeeds (cp -a, rsync -X).
fx_run "$S" setstripe -c 1 "$M/full" >/dev/null
err=$("$S" getstripe "$M/nothere" 2>&1) && fx_fail "getstripe of a missing file succeeded"
[[ $err == *"$M/nothere: No such file or directory"* ]] || fx_fail "getstripe missing: '$err'"
err=$("$S" getstripe /proc/version 2>&1) && fx_fail "getstripe outside stria succeeded"
[[ $err == *"/proc/version:"* ]] || fx_fail "getstripe outside stria: '$err'"

cd /
fx_umount m1
fx_pass
