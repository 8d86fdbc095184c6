#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# An o2ib NID a daemon cannot bring up stops it at start-up with a line naming
# the NID (and, on a machine without an RDMA device, the missing device),
# whether it is the only NID or comes with a TCP one: a daemon never serves
# fewer NIDs than it was given (as LNet will not start without an NI it was
# configured with). 127.0.0.5 is never an RDMA address, so this holds on
# every machine; TCP alone still starts.
. "$(dirname "$0")/../../lib/fixture.sh"
fx_init

ADDR=127.0.0.5
has_device=0
[[ -n "$(ls /sys/class/infiniband 2>/dev/null)" ]] && has_device=1

fx_mkfs_ost ost0 0
fx_mkfs_mdt mdt0

# Runs a daemon that must refuse to start: NAME CMD...
must_refuse() {
	local name=$1 log="$FX_DIR/$1.log" rc
	shift
	FX_NAMES+=("$name")
	timeout 30 "$@" >"$log" 2>&1
	rc=$?
	[[ $rc -eq 124 ]] && fx_fail "$name kept running with an o2ib NID it cannot serve"
	[[ $rc -eq 0 ]] && fx_fail "$name exited 0 with an o2ib NID it cannot serve"
	grep -q "cannot listen on $ADDR@o2ib port $FX_PORT" "$log" ||
		fx_fail "$name did not name the o2ib NID it could not serve"
	if [[ $has_device -eq 0 ]]; then
		grep -q "no RDMA device: ibv_get_device_list found none" "$log" ||
			fx_fail "$name did not say that there is no RDMA device"
	fi
	# Nothing is left listening on the TCP NID either.
	if (exec 3<>"/dev/tcp/$ADDR/$FX_PORT") 2>/dev/null; then
		fx_fail "$name left $ADDR port $FX_PORT open"
	fi
	echo "$name: refused to start (exit $rc): $(grep -m1 "cannot listen on $ADDR@o2ib" "$log")"
}

must_refuse oss_o2ib "$FX_OSS" --listen "$ADDR@o2ib" --port "$FX_PORT" "$FX_DIR/ost0"
must_refuse oss_both "$FX_OSS" --listen "$ADDR@tcp" --listen "$ADDR@o2ib" --port "$FX_PORT" \
	"$FX_DIR/ost0"
must_refuse mds_both "$FX_MDS" --listen "$ADDR@tcp" --listen "$ADDR@o2ib" --port "$FX_PORT" \
	"$FX_DIR/mdt0"
grep -q "not started" "$FX_DIR/oss_both.log" || fx_fail "stria-oss did not say it did not start"
grep -q "not started" "$FX_DIR/mds_both.log" || fx_fail "stria-mds did not say it did not start"

# The same targets serve over TCP alone: the refusals were about o2ib.
fx_start_oss oss1 "$ADDR" ost0
fx_stop oss1
fx_pass
