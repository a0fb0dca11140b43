#!/usr/bin/env bash
# The hagw lab: three network namespaces and one hagw between them.
#
#   NAME-c (client)              NAME-gw (hagw, no kernel addresses)       NAME-l (lan)
#   c-gw 192.0.2.2/24  ---veth---  gw-c [port "client"]                    l-gw 198.51.100.2/24
#        2001:db8:1::2/64               [port "lan"]  gw-l  ---veth---          2001:db8:2::2/64
#   default via .1 / ::1           192.0.2.1/24        198.51.100.1/24     net0 203.0.113.1/24
#                                  2001:db8:1::1/64    2001:db8:2::1/64         2001:db8:3::1/64
#
# hagw attaches to gw-c and gw-l with net_af_packet and routes 203.0.113.0/24 via 198.51.100.2
# and 2001:db8:3::/64 via 2001:db8:2::2 (the network behind the lan host).
#
# usage: scripts/lab.sh [-n NAME] COMMAND
#   up                 create the namespaces, write the config, start hagw, wait for its CLI
#   down               stop hagw (SIGTERM, then SIGKILL after LAB_STOP_TIMEOUT s), check its
#                      output for sanitizer reports, delete the namespaces and the temp dir
#   run c|gw|l CMD...  run CMD in the client, gateway or lan namespace
#   ctl ARGS...        hagwctl against this lab's socket
#   status             namespaces, hagw pid and socket of this lab
#
# Environment (all optional):
#   LAB_NAME           lab name, prefix of namespaces and DPDK file prefix (default hagwlab)
#   LAB_DIR            temp dir for config, socket, pid, logs (default /tmp/NAME)
#   HAGW_BIN, HAGWCTL_BIN  binaries (default build-asan/..., else build/...)
#   LAB_CLIENT_MTU, LAB_LAN_MTU   hagw port MTUs (default 1500)
#   LAB_DP_EXTRA       extra settings for the dataplane group, e.g. "icmp_rate = 5;"
#   LAB_MEMORY_MB      DPDK memory (default 512: routes and remote-access clients take
#                      one 64 MB rte_lpm/rte_lpm6 table each)
#   LAB_CONF_EXTRA     text appended to the config (e.g. ipsec, sas, policies); the
#                      config file is written with mode 600 since it may hold SA keys
#   LAB_LOG_LEVEL      hagw log level (default info)
#   LAB_WORKERS        1 (default) or 2: two lcores [0, 1], each port with qpairs=2 and
#                      rx_queues = 2, worker 0 polling queue 0 of both ports and worker 1
#                      queue 1. The kernel's af_packet fanout (PACKET_FANOUT_HASH) spreads
#                      flows over the two queues by their flow hash: addresses and ports,
#                      for ESP the SPI in the port field, so plain ESP of one SA always
#                      lands on one queue; ESP-in-UDP from several source ports lands on
#                      both. Two busy lcores on a 2-core machine slow everything down: use
#                      it for multi-worker correctness, not for timing.
#   LAB_NO_HAGW=1      build namespaces and config only; hagw is not started
#   LAB_START_TIMEOUT  seconds to wait for the CLI (default 60), LAB_STOP_TIMEOUT (default 10)
#   LAB_SAVE_LOGS      directory where down copies hagw's log and stderr before deleting them
#
# The file can also be sourced (tests/integration/lib.sh does): then hagw is a child of the
# caller's shell and lab_down also reports hagw's exit status.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Addresses of the topology (also used by the tests).
LAB_C4=192.0.2.2
LAB_C6=2001:db8:1::2
LAB_GWC4=192.0.2.1
LAB_GWC6=2001:db8:1::1
LAB_L4=198.51.100.2
LAB_L6=2001:db8:2::2
LAB_GWL4=198.51.100.1
LAB_GWL6=2001:db8:2::1
LAB_NET4=203.0.113.1
LAB_NET6=2001:db8:3::1
LAB_MAC_C=02:00:00:00:01:02
LAB_MAC_GWC=02:00:00:00:01:01
LAB_MAC_GWL=02:00:00:00:02:01
LAB_MAC_L=02:00:00:00:02:02
# Interface names inside the namespaces (<= 15 characters).
LAB_IF_C=c-gw
LAB_IF_GWC=gw-c
LAB_IF_GWL=gw-l
LAB_IF_L=l-gw
LAB_IF_NET=net0

SANITIZER_PATTERN='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer'
SANITIZER_PATTERN+='|LeakSanitizer has encountered'

lab_log() { echo "lab[$LAB_NAME]: $*" >&2; }

# Sets the names every other function uses, from LAB_NAME and the environment.
lab_init() {
	LAB_NAME=${1:-${LAB_NAME:-hagwlab}}
	LAB_DIR=${LAB_DIR:-/tmp/$LAB_NAME}
	LAB_NS_C=$LAB_NAME-c
	LAB_NS_GW=$LAB_NAME-gw
	LAB_NS_L=$LAB_NAME-l
	LAB_CONF=$LAB_DIR/hagw.conf
	LAB_SOCK=$LAB_DIR/hagw.sock
	LAB_PIDFILE=$LAB_DIR/hagw.pid
	LAB_HAGW_LOG=$LAB_DIR/hagw.log
	LAB_HAGW_ERR=$LAB_DIR/hagw.stderr
	LAB_FILE_PREFIX=$LAB_NAME
	if [ -z "${HAGW_BIN:-}" ]; then
		if [ -x "$LAB_ROOT/build-asan/control/hagw" ]; then
			HAGW_BIN=$LAB_ROOT/build-asan/control/hagw
		else
			HAGW_BIN=$LAB_ROOT/build/control/hagw
		fi
	fi
	if [ -z "${HAGWCTL_BIN:-}" ]; then
		if [ -x "$LAB_ROOT/build-asan/tools/hagwctl" ]; then
			HAGWCTL_BIN=$LAB_ROOT/build-asan/tools/hagwctl
		else
			HAGWCTL_BIN=$LAB_ROOT/build/tools/hagwctl
		fi
	fi
	: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=1}"
	: "${UBSAN_OPTIONS:=print_stacktrace=1}"
	export ASAN_OPTIONS UBSAN_OPTIONS HAGW_BIN HAGWCTL_BIN
}

lab_ns_exists() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }

# lab_run c|gw|l CMD...: runs CMD in a namespace of the lab.
lab_run() {
	local ns
	case "$1" in
	c) ns=$LAB_NS_C ;;
	gw) ns=$LAB_NS_GW ;;
	l) ns=$LAB_NS_L ;;
	*) lab_log "run: unknown namespace '$1' (c, gw or l)"; return 2 ;;
	esac
	shift
	ip netns exec "$ns" "$@"
}

lab_ctl() { "$HAGWCTL_BIN" -s "$LAB_SOCK" "$@"; }

lab_sysctl() { ip netns exec "$1" sysctl -q -w "$2" >/dev/null; }

# Namespace defaults, set before any interface exists so new ones inherit them.
lab_ns_create() {
	local ns
	for ns in "$LAB_NS_C" "$LAB_NS_GW" "$LAB_NS_L"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
	done
	for ns in "$LAB_NS_C" "$LAB_NS_L"; do
		lab_sysctl "$ns" net.ipv6.conf.all.accept_dad=0 &&
		lab_sysctl "$ns" net.ipv6.conf.default.accept_dad=0 &&
		lab_sysctl "$ns" net.ipv6.conf.all.router_solicitations=0 &&
		lab_sysctl "$ns" net.ipv6.conf.default.router_solicitations=0 &&
		lab_sysctl "$ns" net.ipv6.conf.default.accept_ra=0 &&
		# MLD reports (and their repetitions) go out within 1 ms of an address
		# appearing, i.e. before hagw runs, so the hosts are silent afterwards.
		lab_sysctl "$ns" net.ipv6.conf.all.mldv2_unsolicited_report_interval=1 &&
		lab_sysctl "$ns" net.ipv6.conf.default.mldv2_unsolicited_report_interval=1 &&
		lab_sysctl "$ns" net.ipv6.conf.all.mldv1_unsolicited_report_interval=1 &&
		lab_sysctl "$ns" net.ipv6.conf.default.mldv1_unsolicited_report_interval=1 || return 1
	done
	# The gateway namespace's kernel must stay silent on hagw's interfaces.
	lab_sysctl "$LAB_NS_GW" net.ipv6.conf.all.disable_ipv6=1 &&
	lab_sysctl "$LAB_NS_GW" net.ipv6.conf.default.disable_ipv6=1
}

# lab_veth NS IF MAC PEER_NS PEER_IF PEER_MAC
lab_veth() {
	ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" &&
	ip -n "$1" link set "$2" address "$3" &&
	ip -n "$4" link set "$5" address "$6" || return 1
	# Full checksums in every frame that goes through hagw (af_packet sees
	# no offload metadata), no TSO/GSO super-frames, no GRO on hagw's side.
	ip netns exec "$1" ethtool -K "$2" tx off tso off gso off >/dev/null 2>&1 ||
		{ lab_log "ethtool -K $2 tx off failed"; return 1; }
	ip netns exec "$4" ethtool -K "$5" tx off tso off gso off gro off >/dev/null 2>&1 || true
	ip -n "$4" link set "$5" up &&
	ip -n "$1" link set "$2" up
}

# The network behind the lan host: a dummy interface, or a veth pair if the
# kernel has no dummy driver.
lab_behind_net() {
	if ! ip -n "$LAB_NS_L" link add "$LAB_IF_NET" type dummy 2>/dev/null; then
		ip -n "$LAB_NS_L" link add "$LAB_IF_NET" type veth peer name "${LAB_IF_NET}p" &&
		ip -n "$LAB_NS_L" link set "${LAB_IF_NET}p" up || return 1
	fi
	ip -n "$LAB_NS_L" addr add "$LAB_NET4/24" dev "$LAB_IF_NET" &&
	ip -n "$LAB_NS_L" addr add "$LAB_NET6/64" dev "$LAB_IF_NET" nodad &&
	ip -n "$LAB_NS_L" link set "$LAB_IF_NET" up
}

lab_topology() {
	lab_ns_create &&
	lab_veth "$LAB_NS_C" "$LAB_IF_C" "$LAB_MAC_C" "$LAB_NS_GW" "$LAB_IF_GWC" "$LAB_MAC_GWC" &&
	lab_veth "$LAB_NS_L" "$LAB_IF_L" "$LAB_MAC_L" "$LAB_NS_GW" "$LAB_IF_GWL" "$LAB_MAC_GWL" &&
	ip -n "$LAB_NS_C" addr add "$LAB_C4/24" dev "$LAB_IF_C" &&
	ip -n "$LAB_NS_C" addr add "$LAB_C6/64" dev "$LAB_IF_C" nodad &&
	ip -n "$LAB_NS_C" route add default via "$LAB_GWC4" &&
	ip -n "$LAB_NS_C" -6 route add default via "$LAB_GWC6" dev "$LAB_IF_C" &&
	ip -n "$LAB_NS_L" addr add "$LAB_L4/24" dev "$LAB_IF_L" &&
	ip -n "$LAB_NS_L" addr add "$LAB_L6/64" dev "$LAB_IF_L" nodad &&
	ip -n "$LAB_NS_L" route add default via "$LAB_GWL4" &&
	ip -n "$LAB_NS_L" -6 route add default via "$LAB_GWL6" dev "$LAB_IF_L" &&
	lab_behind_net
}

lab_write_config() {
	local lcores="0" mbufs=4095 qpairs="" rxq="" workers
	workers='{ lcore = 0; queues = ["client:0", "lan:0"]; }'
	case "${LAB_WORKERS:-1}" in
	1) ;;
	2)
		lcores="0, 1"
		mbufs=8191	# 2 ports x (2 RX + 2 TX queues) x 512 descriptors + headroom
		qpairs=",qpairs=2"
		rxq=" rx_queues = 2;"
		workers+=', { lcore = 1; queues = ["client:1", "lan:1"]; }'
		;;
	*) lab_log "LAB_WORKERS must be 1 or 2, not '$LAB_WORKERS'"; return 1 ;;
	esac
	(umask 077 && : >"$LAB_CONF")
	cat >"$LAB_CONF" <<EOF
# hagw lab "$LAB_NAME", written by scripts/lab.sh
eal = { lcores = [$lcores]; memory_mb = ${LAB_MEMORY_MB:-512}; hugepages = false; pci = false;
        file_prefix = "$LAB_FILE_PREFIX"; };
dataplane = { idle_backoff_us = 50; mbufs = $mbufs; rx_desc = 512; tx_desc = 512;
              ${LAB_DP_EXTRA:-} };
ports = (
  { name = "client"; device = "net_af_packet0,iface=$LAB_IF_GWC$qpairs"; role = "untrusted";
    ipv4 = ["$LAB_GWC4/24"]; ipv6 = ["$LAB_GWC6/64"]; mtu = ${LAB_CLIENT_MTU:-1500};$rxq },
  { name = "lan"; device = "net_af_packet1,iface=$LAB_IF_GWL$qpairs"; role = "trusted";
    ipv4 = ["$LAB_GWL4/24"]; ipv6 = ["$LAB_GWL6/64"]; mtu = ${LAB_LAN_MTU:-1500};$rxq }
);
routes = (
  { prefix = "203.0.113.0/24"; via = "$LAB_L4"; port = "lan"; },
  { prefix = "2001:db8:3::/64"; via = "$LAB_L6"; port = "lan"; }
);
workers = ( $workers );
cli = { socket = "$LAB_SOCK"; };
log = { level = "${LAB_LOG_LEVEL:-info}"; file = "$LAB_HAGW_LOG"; };
${LAB_CONF_EXTRA:-}
EOF
}

# Prints hagw's state for a failure report.
lab_dump_hagw() {
	local f
	for f in "$LAB_HAGW_ERR" "$LAB_HAGW_LOG"; do
		[ -s "$f" ] || continue
		echo "---- $f (last 30 lines) ----" >&2
		tail -n 30 "$f" >&2
	done
}

lab_hagw_pid() { [ -s "$LAB_PIDFILE" ] && cat "$LAB_PIDFILE"; }

# True while the process exists and is not a zombie.
lab_alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

lab_start_hagw() {
	local deadline pid f
	for f in "$HAGW_BIN" "$HAGWCTL_BIN"; do
		[ -x "$f" ] || { lab_log "missing binary $f (build it first)"; return 1; }
	done
	ip netns exec "$LAB_NS_GW" "$HAGW_BIN" -c "$LAB_CONF" </dev/null >"$LAB_HAGW_ERR" 2>&1 &
	pid=$!
	echo "$pid" >"$LAB_PIDFILE"
	deadline=$((SECONDS + ${LAB_START_TIMEOUT:-60}))
	while ! lab_ctl show version >/dev/null 2>&1; do
		if ! lab_alive "$pid"; then
			lab_log "hagw (pid $pid) exited during start-up"
			lab_dump_hagw
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			lab_log "hagw (pid $pid) did not answer on $LAB_SOCK" \
				"within ${LAB_START_TIMEOUT:-60} s"
			lab_dump_hagw
			return 1
		fi
		sleep 0.2
	done
	lab_log "hagw pid $pid up, CLI $LAB_SOCK, config $LAB_CONF"
}

# Stops hagw by its saved pid. Returns non-zero if it had to be killed, or
# (when it is our child) if it exited with a non-zero status.
lab_stop_hagw() {
	local pid rc=0 deadline status
	pid=$(lab_hagw_pid) || return 0
	if lab_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		deadline=$((SECONDS + ${LAB_STOP_TIMEOUT:-10}))
		while lab_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do
			sleep 0.1
		done
		if lab_alive "$pid"; then
			lab_log "hagw (pid $pid) still running ${LAB_STOP_TIMEOUT:-10} s" \
				"after SIGTERM: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			rc=1
		fi
	fi
	# Our child (lab.sh sourced): its exit status. Otherwise wait answers 127.
	status=0
	wait "$pid" 2>/dev/null || status=$?
	if [ "$status" -ne 127 ]; then
		echo "$status" >"$LAB_DIR/hagw.rc"
		if [ "$status" -ne 0 ] && [ "$rc" -eq 0 ]; then
			lab_log "hagw (pid $pid) exited with status $status"
			rc=1
		fi
	fi
	rm -f "$LAB_PIDFILE"
	return $rc
}

# Non-zero if hagw's stderr or log holds a sanitizer report.
lab_sanitizer_check() {
	local f rc=0
	for f in "$LAB_DIR"/*.stderr "$LAB_HAGW_LOG"; do
		[ -f "$f" ] || continue
		if grep -Eq "$SANITIZER_PATTERN" "$f"; then
			lab_log "sanitizer report in $f:"
			grep -E -B2 -A25 "$SANITIZER_PATTERN" "$f" | head -n 80 >&2
			rc=1
		fi
	done
	return $rc
}

# Ends what is left running inside this lab's namespaces (tests end their own
# processes; this is the safety net), by pid.
lab_kill_leftovers() {
	local ns pid cmd
	for ns in "$LAB_NS_C" "$LAB_NS_GW" "$LAB_NS_L"; do
		lab_ns_exists "$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			cmd=$(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)
			lab_log "ending leftover process $pid ($cmd) in $ns"
			kill -TERM "$pid" 2>/dev/null || true
		done
	done
	sleep 0.2
	for ns in "$LAB_NS_C" "$LAB_NS_GW" "$LAB_NS_L"; do
		lab_ns_exists "$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	done
}

lab_down() {
	local rc=0 ns
	lab_stop_hagw || rc=1
	lab_sanitizer_check || rc=1
	if [ -n "${LAB_SAVE_LOGS:-}" ] && [ -d "$LAB_DIR" ]; then
		mkdir -p "$LAB_SAVE_LOGS"
		cp -f "$LAB_DIR"/hagw.* "$LAB_DIR"/*.stderr "$LAB_SAVE_LOGS"/ 2>/dev/null || true
	fi
	if [ "$rc" -ne 0 ]; then
		lab_dump_hagw
	fi
	lab_kill_leftovers
	for ns in "$LAB_NS_C" "$LAB_NS_GW" "$LAB_NS_L"; do
		if lab_ns_exists "$ns"; then
			ip netns del "$ns" || rc=1
		fi
	done
	# The DPDK runtime dir of this lab's file prefix.
	rm -rf "/var/run/dpdk/$LAB_FILE_PREFIX"
	case "$LAB_DIR" in
	/tmp/?*) rm -rf "$LAB_DIR" ;;
	*) rm -f "$LAB_DIR"/hagw.* ;;
	esac
	return $rc
}

lab_up() {
	[ "$(id -u)" -eq 0 ] || { lab_log "must run as root"; return 1; }
	if lab_ns_exists "$LAB_NS_GW" || lab_ns_exists "$LAB_NS_C" || lab_ns_exists "$LAB_NS_L" ||
	   [ -e "$LAB_PIDFILE" ]; then
		lab_log "stale lab found: taking it down first"
		lab_down || true
	fi
	mkdir -p -m 0700 "$LAB_DIR"
	lab_topology || { lab_log "topology setup failed"; return 1; }
	lab_write_config || return 1
	if [ "${LAB_NO_HAGW:-0}" = 1 ]; then
		lab_log "namespaces up, hagw not started (config $LAB_CONF)"
		return 0
	fi
	lab_start_hagw
}

lab_status() {
	local ns pid
	for ns in "$LAB_NS_C" "$LAB_NS_GW" "$LAB_NS_L"; do
		if lab_ns_exists "$ns"; then
			echo "namespace $ns: present"
		else
			echo "namespace $ns: absent"
		fi
	done
	pid=$(lab_hagw_pid) || pid=
	if [ -n "$pid" ] && lab_alive "$pid"; then
		echo "hagw: pid $pid"
	else
		echo "hagw: not running"
	fi
	echo "socket: $LAB_SOCK"
	echo "config: $LAB_CONF"
}

lab_usage() { echo "usage: $0 [-n NAME] up|down|run c|gw|l CMD...|ctl ARGS...|status" >&2; }

lab_main() {
	local rc
	if [ "${1:-}" = -n ]; then
		[ $# -ge 2 ] || { lab_usage; return 2; }
		LAB_NAME=$2
		shift 2
	fi
	lab_init
	case "${1:-}" in
	up)
		trap 'lab_log "interrupted"; lab_down; exit 130' INT TERM
		lab_up
		rc=$?
		trap - INT TERM
		if [ $rc -ne 0 ]; then
			lab_log "up failed: cleaning up"
			lab_down || true
		fi
		return $rc
		;;
	down) lab_down ;;
	run) shift; lab_run "$@" ;;
	ctl) shift; lab_ctl "$@" ;;
	status) lab_status ;;
	*) lab_usage; return 2 ;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -uo pipefail
	lab_main "$@"
	exit $?
fi
