#!/bin/bash
# Every OST operation and its errors against a real stria-oss serving two OSTs,
# then a clean SIGTERM, a restart, and the data still there.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
OSSC="$STRIA_BUILD/test/integration/oss/ossc"

fx_mkfs_ost ost0 0
fx_mkfs_ost ost1 1
fx_start_oss oss1 127.0.0.3 ost0 ost1

log="$FX_DIR/oss1.log"
grep -q "serving testfs-OST0000 from $FX_DIR/ost0" "$log" || fx_fail "start-up does not name OST0000"
grep -q "serving testfs-OST0001 from $FX_DIR/ost1" "$log" || fx_fail "start-up does not name OST0001"
grep -q "listening on 127.0.0.3@tcp port $FX_PORT" "$log" || fx_fail "start-up does not name the NID"
grep -q "stria-oss [0-9.]* starting" "$log" || fx_fail "start-up does not give the version"
# The MGS is not running: the OSS serves anyway and keeps retrying.
grep -q "cannot reach 127.0.0.2@tcp port $FX_PORT" "$log" || fx_fail "no word about the MGS"

"$OSSC" suite 127.0.0.3 "$FX_PORT" 0 "$FX_DIR/ost0" || fx_fail "RPC suite on OST0000"
"$OSSC" suite 127.0.0.3 "$FX_PORT" 1 "$FX_DIR/ost1" || fx_fail "RPC suite on OST0001"

fx_stop oss1
grep -q "stopped cleanly" "$log" || fx_fail "no clean stop"
# Formatting over a served target is refused.
"$FX_MKFS" --ost --fsname testfs --index 0 --mgsnode 127.0.0.2@tcp -q "$FX_DIR/ost0" 2>/dev/null &&
	fx_fail "mkfs.stria formatted over an existing OST"
fx_restart oss1
# The suite left object 40 holding its pattern: it is still there after the restart.
"$OSSC" check 127.0.0.3 "$FX_PORT" 0 40 4096 || fx_fail "data lost across a clean restart"
fx_pass
