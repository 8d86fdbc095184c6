#!/bin/bash
# Directory handles under a storm of opendir/readdir/closedir from several
# processes: RELEASEDIR frees the handle as soon as the last READDIRPLUS
# reply is out, so stria-fuse must not touch the handle (not even unlock
# its mutex) after replying.  That use-after-free is a write inside glibc's
# pthread_mutex_unlock, which ASan does not see: glibc's own heap checks
# catch it ("unaligned tcache/fastbin chunk detected"), made likelier by
# MALLOC_PERTURB_.  stria-fuse must survive, list correctly and exit cleanly.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
PY=/usr/bin/python3
export MALLOC_PERTURB_=165 # inherited by stria-fuse (ignored under ASan)
fx_cluster 1
fx_mount m1
unset MALLOC_PERTURB_
M=$FX_DIR/m1
fx_wait_osts "$M" 1
for d in 0 1 2 3 4 5 6 7; do
	mkdir "$M/d$d"
	for f in a b c; do : >"$M/d$d/$f"; done
done
pids=()
for p in 0 1 2 3; do
	"$PY" - "$M" "$p" <<'PYEOF' &
import os, sys, time
m, p = sys.argv[1], int(sys.argv[2])
end = time.time() + 12
n = 0
while time.time() < end:
    for d in range(8):
        names = sorted(os.listdir(os.path.join(m, "d%d" % ((d + p) % 8))))
        if names != ["a", "b", "c"]:
            print("bad listing", names)
            sys.exit(1)
        n += 1
print("listings", n)
PYEOF
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || fx_fail "a listing failed (stria-fuse crashed?)"
done
kill -0 "${FX_PID[m1]}" 2>/dev/null || fx_fail "stria-fuse died"
grep -E "malloc|corrupt|AddressSanitizer|double free" "$FX_DIR/m1.log" >&2 &&
	fx_fail "heap corruption reported by stria-fuse"
mnt_pid=${FX_PID[m1]}
fusermount3 -u "$M" || fx_fail "unmount"
for ((i = 0; i < 200; i++)); do
	kill -0 "$mnt_pid" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$mnt_pid" 2>/dev/null && fx_fail "stria-fuse did not exit after the unmount"
wait "$mnt_pid" || fx_fail "stria-fuse exited $? after the unmount"
FX_PID[m1]=
fx_pass
