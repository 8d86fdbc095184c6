#!/bin/bash
# A write acknowledged by an OSS that then crashes (kill -9) before any sync:
# the client's fsync after the restart must report EIO (the reply's boot
# instance changed), never success.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
OSSC="$STRIA_BUILD/test/integration/oss/ossc"

fx_mkfs_ost ost0 0
fx_start_oss oss1 127.0.0.3 ost0
# The suite precreates objects 1..100 (as the MDS would) and leaves 40 in place.
"$OSSC" suite 127.0.0.3 "$FX_PORT" 0 >/dev/null || fx_fail "suite (to precreate objects)"
"$OSSC" write-unsynced 127.0.0.3 "$FX_PORT" 0 40 "$FX_DIR/boot" || fx_fail "unsynced write"
fx_kill oss1
fx_restart oss1
"$OSSC" fsync-after 127.0.0.3 "$FX_PORT" 0 40 "$FX_DIR/boot" || fx_fail "fsync after the restart did not report EIO"
# Without a restart in between, the same sequence syncs fine.
"$OSSC" write-unsynced 127.0.0.3 "$FX_PORT" 0 40 "$FX_DIR/boot" || fx_fail "unsynced write"
if "$OSSC" fsync-after 127.0.0.3 "$FX_PORT" 0 40 "$FX_DIR/boot"; then
	fx_fail "fsync reported EIO although the OSS did not restart"
fi
fx_pass
