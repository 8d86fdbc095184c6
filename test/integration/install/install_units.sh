#!/bin/bash
# `cmake --install` puts the daemons, the tools, the mount helper and the
# systemd units where they belong, and the units pass systemd-analyze verify
# (pointed at the installed binaries, since nothing is installed on the host).
set -uo pipefail
: "${STRIA_BUILD:?}"
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
dest=$(mktemp -d /tmp/stria-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

DESTDIR="$dest" cmake --install "$STRIA_BUILD" --prefix /usr >"$dest.log" 2>&1 ||
	{ cat "$dest.log" >&2; rm -f "$dest.log"; fail "cmake --install"; }
rm -f "$dest.log"
for f in usr/sbin/stria-mds usr/sbin/stria-oss usr/sbin/mkfs.stria; do
	[[ -x "$dest/$f" ]] || fail "$f not installed"
done
unitdir=$(find "$dest" -name 'stria-mds@.service' -printf '%h\n' | head -1)
[[ -n "$unitdir" ]] || fail "stria-mds@.service not installed"
[[ -f "$unitdir/stria-oss@.service" ]] || fail "stria-oss@.service not installed"
case "$unitdir" in
"$dest"/usr/lib/systemd/system | "$dest"/usr/local/lib/systemd/system) ;;
*) fail "units installed in ${unitdir#"$dest"}, where systemd does not look" ;;
esac

mkdir -p "$dest/verify"
for u in stria-mds@.service stria-oss@.service; do
	sed "s#/usr/sbin/#$dest/usr/sbin/#g" "$unitdir/$u" >"$dest/verify/$u"
	grep -q '^Type=notify' "$dest/verify/$u" || fail "$u: not Type=notify"
	grep -q '^Restart=' "$dest/verify/$u" || fail "$u: no restart policy"
	out=$(cd "$dest/verify" && systemd-analyze verify --man=no "./$u" 2>&1)
	if [[ -n "$out" ]]; then
		echo "$out" >&2
		fail "systemd-analyze verify $u"
	fi
done
echo "installed and verified: $(cd "$dest" && find . -type f | wc -l) files"
exit 0
