# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# The fault scenarios' cluster (test/lib/netns.sh): an MDS, two OSSes
# (OST0000 on oss1, OST0001 on oss2) and two clients c1 and c2, each in its
# own network namespace; every new file is striped over both OSTs (256 KiB
# stripes) unless a scenario says otherwise.  And the three things every
# scenario asserts at its end.
#
#   nx_cluster [MOUNT_OPTS]       # up, both clients mounted at $C1 and $C2
#   nx_put FILE SIZE SEED         # write a pattern, fsync; fail the test if not
#   nx_verify FILE SIZE SEED      # size and every byte, caches dropped first
#   nx_finish NAME...             # unmount these clients, stop the OSSes and
#                                 # the MDS (exit 0 each), stria-mds --check
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/netns.sh"

T="$STRIA_BUILD/test/integration/fuse/fc_tool"
S="$STRIA_BUILD/tools/stria"

nx_cluster() { # [MOUNT_OPTS]
	local n
	nx_init
	for n in mds oss1 oss2 c1 c2; do nx_node "$n"; done
	fx_mkfs_mdt mdt0
	fx_mkfs_ost ost0 0
	fx_mkfs_ost ost1 1
	fx_start_mds mds "${NX_IP[mds]}" mdt0
	fx_start_oss oss1 "${NX_IP[oss1]}" ost0
	fx_start_oss oss2 "${NX_IP[oss2]}" ost1
	fx_mount c1 "${1:-}"
	fx_mount c2 "${1:-}"
	C1=$FX_DIR/c1
	C2=$FX_DIR/c2
	fx_wait_osts "$C1" 2
	fx_wait_osts "$C2" 2
	"$T" setstripe "$C1" 2 262144 || fx_fail "cannot set the file system default layout"
}

# Arms an MDS failure point (stria fail_set, run from client c2's namespace).
nx_fail_set() { # SPEC
	nx_exec c2 "$S" fail_set --mgsnode "${NX_IP[mds]}@tcp" --port "$FX_PORT" testfs "$1" \
		>/dev/null || fx_fail "stria fail_set $1"
}

nx_put() { # FILE SIZE SEED
	"$T" pattern write "$1" 0 "$2" "$3" || fx_fail "writing $1 (seed $3) failed"
}

nx_verify() { # FILE SIZE SEED
	local size
	echo 3 >/proc/sys/vm/drop_caches
	size=$(stat -c %s "$1") || fx_fail "$1 is gone"
	[[ $size == "$2" ]] || fx_fail "$1 has $size bytes, not $2"
	"$T" pattern check "$1" 0 "$2" "$3" || fx_fail "$1 (seed $3) does not hold what was written"
}

nx_finish() { # CLIENT...
	local c out
	for c in "$@"; do fx_umount "$c"; done
	fx_stop oss1
	fx_stop oss2
	fx_stop mds
	out=$("$FX_MDS" --check "$FX_DIR/mdt0" 2>&1) ||
		fx_fail "stria-mds --check found the namespace inconsistent: $out"
}
