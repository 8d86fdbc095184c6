#!/bin/bash
# stress-ng --class filesystem (bounded) and a short dbench on a stria mount.
# Each tool is skipped with a message if it is not installed.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
fx_cluster 2
# Freed and fresh heap memory filled with a pattern: a use-after-free in
# stria-fuse then crashes it here even where ASan cannot see the write (inside
# glibc or libfuse).  Inherited by stria-fuse only; ignored under ASan.
export MALLOC_PERTURB_=165
fx_mount m1
unset MALLOC_PERTURB_
M=$FX_DIR/m1
fx_wait_osts "$M" 2
ran=0
if command -v stress-ng >/dev/null; then
	mkdir "$M/sng"
	(cd "$M/sng" && stress-ng --temp-path "$M/sng" --timeout 20s --metrics-brief \
		--dir 2 --dentry 2 --file-ioctl 1 --fstat 2 --hdd 2 --hdd-bytes 8m --link 2 \
		--rename 2 --symlink 2 --utime 2 --seek 2 --seek-size 16m --chmod 2 \
		--fallocate 1 --fallocate-bytes 8m --readahead 1 --readahead-bytes 8m \
		>"$FX_DIR/stress-ng.out" 2>&1) || {
		tail -30 "$FX_DIR/stress-ng.out" >&2
		fx_fail "stress-ng"
	}
	ran=1
else
	echo "stress-ng is not installed: skipping it" >&2
fi
if command -v dbench >/dev/null; then
	loadfile=$(ls /usr/share/dbench/client.txt /usr/share/dbench/client_enterprise.txt 2>/dev/null | head -1)
	if [[ -n $loadfile ]]; then
		dbench -D "$M" -t 15 -c "$loadfile" 4 >"$FX_DIR/dbench.out" 2>&1 || {
			tail -30 "$FX_DIR/dbench.out" >&2
			fx_fail "dbench"
		}
		grep -i throughput "$FX_DIR/dbench.out" >&2
		ran=1
	else
		echo "dbench has no load file: skipping it" >&2
	fi
else
	echo "dbench is not installed: skipping it" >&2
fi
((ran)) || fx_skip "neither stress-ng nor dbench is installed"
kill -0 "${FX_PID[m1]}" 2>/dev/null || fx_fail "stria-fuse died"
grep -E "malloc|corrupt|AddressSanitizer|double free" "$FX_DIR/m1.log" >&2 &&
	fx_fail "heap corruption reported by stria-fuse"
fx_umount m1
fx_pass
