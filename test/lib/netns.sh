# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# Multi-host tests on one machine: every stria daemon and every client in a
# network namespace of its own, all joined by a bridge in a "switch"
# namespace, on addresses that exist only inside these namespaces.  Built on
# test/lib/fixture.sh (read it first).
#
#   . "$(dirname "$0")/../../lib/netns.sh"
#   nx_init                       # fx_init, the switch, and the cleanup trap
#   nx_node mds; nx_node oss1     # a namespace each, with an address
#   fx_mkfs_mdt mdt0; fx_mkfs_ost ost0 0
#   fx_start_mds mds "${NX_IP[mds]}" mdt0   # runs inside namespace "mds"
#   fx_start_oss oss1 "${NX_IP[oss1]}" ost0
#   nx_node c1; fx_mount c1 "io_timeout=20" # a client: $FX_DIR/c1, in "c1"
#   nx_cut c1 oss1; nx_heal c1 oss1         # drop all traffic c1 <-> oss1
#   nx_shape oss1 1gbit                     # tbf both ways on oss1's link
#
# A node's name is also the fixture's daemon or mount name: nx_node sets
# FX_WRAP[NAME] so fx_spawn, fx_restart and fx_mount run it there (with
# nsenter --net, which keeps the mount namespace: a mount made by a client
# namespace is the host's, visible at $FX_DIR/NAME).
#
# Names: namespaces are "stria$$-NAME" (unique per run, so concurrent runs do
# not collide); addresses NX_NET.2, NX_NET.3, ... in the order nodes are
# made (NX_NET defaults to 10.77.0, a /24 that only these namespaces have:
# the host's own interfaces and routes are never touched).  FX_MGSNODE is
# NX_NET.2, so the first node made is the MDS's.  The cleanup trap
# unmounts, kills the daemons and deletes every namespace (and with them
# their veths, nftables rules and qdiscs), even when the test fails.

. "$(dirname "${BASH_SOURCE[0]}")/fixture.sh"

NX_NET=${NX_NET:-10.77.0}
NX_PFX="stria$$"
NX_SW="$NX_PFX-sw"
NX_NAMESPACES=()
NX_NEXT=2
declare -A NX_IP NX_NS NX_PORT

# Skips (77) when the machine cannot do this: not root, no ip/nsenter, no
# network namespaces, no veth or bridge.
nx_need() {
	[[ $(id -u) -eq 0 ]] || fx_skip "network namespaces need root"
	command -v ip >/dev/null || fx_skip "ip (iproute2) is missing"
	command -v nsenter >/dev/null || fx_skip "nsenter is missing"
	ip netns add "$NX_PFX-probe" 2>/dev/null || fx_skip "ip netns is unavailable"
	ip netns del "$NX_PFX-probe"
}

nx_init() {
	nx_need
	fx_init
	fx_need_fuse
	FX_CLEANUP_HOOK=nx_cleanup
	nx_ns_add "$NX_SW"
	ip -n "$NX_SW" link add br0 type bridge || fx_fail "cannot create a bridge in $NX_SW"
	ip -n "$NX_SW" link set br0 up
	FX_MGSNODE="$NX_NET.2@tcp"
}

nx_ns_add() {
	ip netns add "$1" || fx_fail "cannot create network namespace $1"
	NX_NAMESPACES+=("$1")
	ip -n "$1" link set lo up
}

# Creates node NAME: namespace $NX_PFX-NAME, eth0 at NX_IP[NAME] (/24),
# its peer "pN" on the switch's bridge.
nx_node() { # NAME
	local name=$1 ns="$NX_PFX-$1" n=$NX_NEXT
	((n < 255)) || fx_fail "too many nodes"
	NX_NEXT=$((n + 1))
	nx_ns_add "$ns"
	ip link add "p$n" netns "$NX_SW" type veth peer name eth0 netns "$ns" ||
		fx_fail "cannot create the veth pair of $name"
	ip -n "$NX_SW" link set "p$n" master br0 up
	ip -n "$ns" addr add "$NX_NET.$n/24" dev eth0
	ip -n "$ns" link set eth0 up
	NX_NS[$name]=$ns
	NX_IP[$name]="$NX_NET.$n"
	NX_PORT[$name]="p$n"
	FX_WRAP[$name]="nsenter --net=/run/netns/$ns"
}

# Runs a command inside node NAME's network namespace (and the host's mount
# namespace, so it sees the mounts).
nx_exec() { # NAME CMD...
	local name=$1
	shift
	nsenter --net="/run/netns/${NX_NS[$name]}" "$@"
}

# Drops every packet between nodes A and B, in A's namespace (nftables, both
# directions): a network cut, not a reset - the peers see silence.
nx_cut() { # A B
	local a=$1 b=${NX_IP[$2]}
	command -v nft >/dev/null || fx_fail "nft (nftables) is missing"
	nx_exec "$a" nft -f - <<EOF || fx_fail "cannot cut $1 from $2"
table inet stria_cut {
	chain in { type filter hook input priority 0; ip saddr $b drop; }
	chain out { type filter hook output priority 0; ip daddr $b drop; }
}
EOF
}

# Undoes every nx_cut made in A's namespace.
nx_heal() { # A
	nx_exec "$1" nft delete table inet stria_cut || fx_fail "cannot heal $1"
}

# Limits node NAME's link to RATE (tc's units: 1gbit, 500mbit) in both
# directions: tbf on its eth0 (what it sends) and on its switch port (what
# it receives).  The bucket holds 4 ms at RATE, at least 256 KiB, since veth
# hands tbf GSO packets of up to 64 KiB.
nx_shape() { # NAME RATE
	local name=$1 rate=$2 n bits burst
	[[ $rate =~ ^([0-9]+)([kmgKMG]?)bit$ ]] || fx_fail "bad rate $rate (e.g. 500mbit, 1gbit)"
	n=${BASH_REMATCH[1]}
	case ${BASH_REMATCH[2],,} in
	k) bits=$((n * 1000)) ;;
	m) bits=$((n * 1000000)) ;;
	g) bits=$((n * 1000000000)) ;;
	*) bits=$n ;;
	esac
	burst=$((bits / 8 / 250))
	((burst < 262144)) && burst=262144
	nx_exec "$name" tc qdisc replace dev eth0 root tbf rate "$rate" burst "$burst" \
		latency 50ms || fx_fail "cannot shape $name"
	nsenter --net="/run/netns/$NX_SW" tc qdisc replace dev "${NX_PORT[$name]}" root tbf rate "$rate" \
		burst "$burst" latency 50ms || fx_fail "cannot shape the switch port of $name"
}

# The mounts under $FX_DIR, from the kernel's table (a client killed -9
# leaves a mount that mountpoint(1) cannot stat).
nx_mounts() {
	[[ -n "$FX_DIR" ]] || return 0
	awk -v d="$FX_DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts
}

# Lazily unmounts a mount whose client is gone (kill -9), so the mount
# point stops answering ENOTCONN; fails the test if it cannot.
nx_umount_dead() { # NAME
	local mnt="$FX_DIR/$1"
	umount -l "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null ||
		fx_fail "cannot unmount the dead mount $1"
}

# The cleanup trap's hook: unmount, kill what is left, delete namespaces.
nx_cleanup() {
	local m ns
	for m in $(nx_mounts); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	for ns in "${NX_NAMESPACES[@]}"; do
		# Anything still inside (a helper a test started) goes too.
		for m in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$m" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}
