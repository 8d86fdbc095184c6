#!/bin/bash
# The POSIX suite (posix.py) on a stria mount, as root and as nobody.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
fx_need_fuse
fx_cluster 2
fx_mount m1
M=$FX_DIR/m1
HERE=$(dirname "$(readlink -f "$0")")
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3)

mkdir "$M/other" "$M/root" "$M/user"
chmod 0755 "$M/other"
echo secret >"$M/other/rootfile" && chmod 0600 "$M/other/rootfile"
echo shared >"$M/other/shared" && chmod 0666 "$M/other/shared"
chown nobody:nogroup "$M/user" 2>/dev/null || chown 65534:65534 "$M/user"
# nobody must be able to reach the mount point's parents
chmod 0755 "$FX_DIR"

"$PY" "$HERE/posix.py" "$M/root" "$M/other" || fx_fail "POSIX suite as root"
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" "$HERE/posix.py" "$M/user" "$M/other" ||
		fx_fail "POSIX suite as nobody"
else
	runuser -u nobody -- "$PY" "$HERE/posix.py" "$M/user" "$M/other" ||
		fx_fail "POSIX suite as nobody"
fi
fx_umount m1
fx_pass
