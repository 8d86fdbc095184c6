#!/bin/bash
# Every OST operation and its errors against a real stria-oss serving two OSTs
# (one formatted with the default, direct I/O, the other --buffered), then a
# clean SIGTERM, a restart, and the data still there.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init
OSSC="$STRIA_BUILD/test/integration/oss/ossc"

# The I/O mode flags: OSTs only, one of the two.
"$FX_MKFS" --ost --direct --buffered --fsname testfs --index 9 --mgsnode 127.0.0.2@tcp \
	"$FX_DIR/bad" 2>/dev/null && fx_fail "mkfs.stria took --direct with --buffered"
"$FX_MKFS" --mdt --buffered --fsname testfs --index 0 "$FX_DIR/bad" 2>/dev/null &&
	fx_fail "mkfs.stria took --buffered for an MDT"
for bad in 1000 6K 65M -4K 4X ""; do
	"$FX_OSS" --direct-min "$bad" "$FX_DIR/bad" 2>/dev/null
	[[ $? -eq 2 ]] || fx_fail "stria-oss took --direct-min $bad"
done

out=$("$FX_MKFS" --ost --fsname testfs --index 0 --mgsnode "$FX_MGSNODE" --mgsport "$FX_PORT" \
	"$FX_DIR/ost0") || fx_fail "mkfs.stria --ost ost0 failed"
grep -q "Flags: *direct I/O" <<<"$out" || fx_fail "an OST is not direct by default: $out"
out=$("$FX_MKFS" --ost --buffered --fsname testfs --index 1 --mgsnode "$FX_MGSNODE" \
	--mgsport "$FX_PORT" "$FX_DIR/ost1") || fx_fail "mkfs.stria --ost --buffered ost1 failed"
grep -q "Flags: *buffered I/O" <<<"$out" || fx_fail "--buffered not recorded: $out"
fx_start_oss oss1 127.0.0.3 ost0 ost1

log="$FX_DIR/oss1.log"
grep -q "serving testfs-OST0000 from $FX_DIR/ost0 (.*O_DIRECT for aligned I/O of 128K or more)" \
	"$log" || fx_fail "start-up does not name OST0000 and its direct I/O"
grep -q "serving testfs-OST0001 from $FX_DIR/ost1 (.*buffered I/O)" "$log" ||
	fx_fail "start-up does not name OST0001 and its buffered I/O"
grep -q "listening on 127.0.0.3@tcp port $FX_PORT" "$log" || fx_fail "start-up does not name the NID"
grep -q "stria-oss [0-9.]* starting" "$log" || fx_fail "start-up does not give the version"
# The MGS is not running: the OSS serves anyway and keeps retrying.
grep -q "cannot reach 127.0.0.2@tcp port $FX_PORT" "$log" || fx_fail "no word about the MGS"

"$OSSC" suite 127.0.0.3 "$FX_PORT" 0 "$FX_DIR/ost0" || fx_fail "RPC suite on OST0000"
"$OSSC" suite 127.0.0.3 "$FX_PORT" 1 "$FX_DIR/ost1" || fx_fail "RPC suite on OST0001"

# The OSS's open object files under OST directory $1 that have O_DIRECT set.
direct_fds() {
	local pid n=0 fd flags
	pid=$(fx_pid oss1)
	for fd in /proc/"$pid"/fd/*; do
		[[ $(readlink "$fd" 2>/dev/null) == "$FX_DIR/$1/O/"* ]] || continue
		flags=$(awk '/^flags:/ { print $2 }' "/proc/$pid/fdinfo/${fd##*/}" 2>/dev/null)
		[[ -n $flags ]] && ((8#$flags & 8#40000)) && n=$((n + 1))
	done
	echo "$n"
}
# The suite's 1 MiB writes and reads went around the page cache on OST0000 only.
[[ $(direct_fds ost0) -gt 0 ]] || fx_fail "no O_DIRECT object file open on the direct OST"
[[ $(direct_fds ost1) -eq 0 ]] || fx_fail "an O_DIRECT object file open on the buffered OST"

fx_stop oss1
grep -q "stopped cleanly" "$log" || fx_fail "no clean stop"
# Formatting over a served target is refused.
"$FX_MKFS" --ost --fsname testfs --index 0 --mgsnode 127.0.0.2@tcp -q "$FX_DIR/ost0" 2>/dev/null &&
	fx_fail "mkfs.stria formatted over an existing OST"
fx_restart oss1
# The suite left object 40 holding its pattern: it is still there after the restart.
"$OSSC" check 127.0.0.3 "$FX_PORT" 0 40 4096 || fx_fail "data lost across a clean restart"

# --direct-min 0: every aligned request goes direct, and the log says so.
fx_stop oss1
fx_spawn oss2 127.0.0.3 "$FX_OSS" --listen 127.0.0.3@tcp --port "$FX_PORT" --direct-min 0 \
	"$FX_DIR/ost0"
grep -q "serving testfs-OST0000 from $FX_DIR/ost0 (.*O_DIRECT for every aligned I/O)" \
	"$FX_DIR/oss2.log" || fx_fail "--direct-min 0 is not in the start-up log"
"$OSSC" check 127.0.0.3 "$FX_PORT" 0 40 4096 || fx_fail "object 40 unreadable with --direct-min 0"
fx_pass
