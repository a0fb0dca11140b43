# The HA lab (design: issue 5, "Lab"): two hagw appliances A and B in front of one client LAN
# and one trusted LAN, strongSwan clients, a lan server. Source it (after lib.sh in a test, or
# alone from a script: it then loads scripts/lab.sh and tests/integration/swan.sh itself).
#
#   PREFIXcli  c0 192.0.2.11.. (client i: 192.0.2.(10+i))          PREFIXlan  l0 10.1.0.10/24
#        |  cc                                                           |  ll
#   PREFIXhub  bridge brc (client LAN) ---------------------- bridge brt (trusted LAN)
#        |  au            |  bu                                  |  at         |  bt
#   PREFIXgwa  u [untrusted0]  t [trusted0]     PREFIXgwb  u [untrusted0]  t [trusted0]
#              s [sync0] ------------------- veth ------------------- s [sync0]
#
#   VIPs (HA_ENABLE=1, owned by the active): 192.0.2.1 (untrusted0), 10.1.0.1 (trusted0),
#   vmac 02:00:5e:00:01:01. Own addresses: A 192.0.2.2 / 10.1.0.2 / 169.254.77.1,
#   B 192.0.2.3 / 10.1.0.3 / 169.254.77.2.
#   HA_ENABLE=0: no ha section, no sync port; A owns 192.0.2.1 and 10.1.0.1 as its port
#   addresses (B gets .3/.3 and is not meant to run at the same time).
#   The lan server routes the client pool 10.99.0.0/16 (and 192.0.2.0/24) via 10.1.0.1; each
#   hagw runs IKE (PSK, pool 10.99.0.0/16, child local_ts 10.1.0.0/24); the clients connect
#   to 192.0.2.1.
#
# Functions (G is A or B; every process is started directly and ended by its pid):
#   hl_init PREFIX          names and paths (namespaces PREFIXhub/gwa/gwb/cli/lan, HL_DIR
#                           /tmp/PREFIXlab, DPDK file prefixes PREFIXgwa / PREFIXgwb)
#   hl_trap                 EXIT/INT/TERM trap: hl_down, then lib.sh's t_cleanup if defined
#   hl_up                   hl_topology + hl_write_configs + hl_lan_server_start
#   hl_topology             namespaces, bridges, veths (ethtool -K tx off ...), addresses
#   hl_write_configs        HL_DIR/gwa.conf, gwb.conf (+ psk.secret, ha.key)
#   hl_gw_start G           starts hagw G in its namespace, waits for its CLI (HL_PID_A/B)
#   hl_gw_stop G            SIGTERM by pid; non-zero unless it exited 0 within
#                           HL_STOP_TIMEOUT s without a sanitizer report
#   hl_gw_kill9 G           SIGKILL by pid, reaped; sets HL_KILL_TS to the kill time
#                           (epoch s.ns: the takeover reference for ha_check.py). Call it
#                           directly, not in $(...): only the shell that started hagw
#                           can reap it (a subshell leaves a zombie, kill -0 succeeds)
#   hl_gw_pid G / hl_gw_alive G / hl_ctl G ARGS... (hagwctl on G's socket)
#   hl_gw_log G             prints G's log and stderr
#   hl_cj G ARGS... EXPR    hagwctl --json ARGS on G, prints EXPR (Python over d, the
#                           envelope's data), e.g. hl_cj A show ha 'd["role"]'
#   hl_wait_cj WANT TRIES G ARGS... EXPR   polls hl_cj (0.1 s apart) until it prints WANT,
#                           e.g. hl_wait_cj active 50 B show ha 'd["role"]'
#   hl_wait_role G ROLE [TRIES]   polls `show ha` until G's role is ROLE (active, standby,
#                           init), TRIES x 0.1 s (default 100)
#   hl_wait_pair [TRIES]    A active, B standby and in sync (bulk sync done)
#   hl_switchover G         sets HL_SWITCH_TS (epoch s.ns), then `hagwctl ha switchover` on G
#   hl_run hub|gwa|gwb|cli|lan CMD...   CMD in one of the namespaces
#   hl_lan_server_start     iperf3 -s on 10.1.0.10 (HL_PID_IPERF)
#   hl_clients_start N      one charon in PREFIXcli (swan.sh) with N connections c1..cN:
#                           client i from 192.0.2.(10+i), id clienti.example, PSK,
#                           aes256gcm16-prfsha384-x25519 / aes256gcm16, virtual IP request,
#                           dpd_delay 2s, to 192.0.2.1; loaded, not initiated
#   hl_client_up I [TIMEOUT]   initiates client I (0 when established)
#   hl_clients_up           initiates every client in turn (0 when all are established)
#   hl_clients_connect N    hl_clients_start N, then hl_clients_up
#   hl_test_detection       the tests' slower detection (HL_HA_DEAD_COUNT, before hl_up)
#   hl_client_vip I         client I's virtual IP (from 10.99.0.0/16), "missing" if none
#   hl_client_sa I EXPR     a Python expression over client I's IKE SA (swan_sas' d['cI'])
#   hl_ping_start VAR I COUNT INTERVAL FILE   ping -D -O -n -i INTERVAL -c COUNT from client I's
#                           virtual IP to 10.1.0.10 (-w COUNT*INTERVAL+5), pid in VAR
#   hl_capture_start FILE [FILTER]   tcpdump on the hub side of the client's veth (cc: every
#                           frame between the clients and both appliances), snaplen
#                           HL_CAP_SNAPLEN (256); hl_capture_stop ends it (by pid)
#   hl_bg_stop PID          SIGINT, then SIGTERM / SIGKILL, reaped
#   hl_now                  epoch seconds with nanoseconds (the clock of the captures)
#   hl_down                 ends everything by pid (clients, captures, pings, servers, both
#                           hagw), checks hagw logs for sanitizer reports, removes the
#                           namespaces, DPDK runtime dirs and HL_DIR; non-zero if a hagw
#                           did not stop cleanly. Idempotent.
#   hl_leftovers            prints what is left (namespaces of the prefix, live recorded
#                           pids, DPDK runtime dirs); empty when clean
#
# Environment: HA_ENABLE (0/1, default 0), HAGW_BIN, HAGWCTL_BIN, HL_CLIENT_PSK,
# HL_HA_INTERVAL_MS, HL_HA_DEAD_COUNT (25, 4: hagw's defaults), HL_HA_PRIO_A/B (200/100), HL_HA_PREEMPT (false), HL_HA_EXTRA (text added inside the ha
# group), HL_HA_REKEY (false), HL_CONF_EXTRA_A/B (text appended to a config),
# HL_IKE_LISTEN (ike.listen; default none: IKE then listens on the untrusted VIPs, or on
# 192.0.2.1 as A's own address without HA), HL_LCORE_A/B (0/1),
# HL_SWAN_EXTRA (more swan_conf KEY=VALUE for every client), HL_START_TIMEOUT (60),
# HL_STOP_TIMEOUT (10), HL_CAP_SNAPLEN (256), HL_MAX_CLIENTS (16: identities with a secret),
# HL_LOG_LEVEL (info), LAB_SAVE_LOGS (hl_down copies configs, logs, charon.log there).

HL_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HL_ROOT=$(cd "$HL_SRC_DIR/../.." && pwd)
PY=${PY:-/usr/bin/python3}

# What swan.sh expects from lib.sh, when sourced without it (demo, bench).
if ! declare -F t_log >/dev/null; then
	t_log() { echo "# $*" >&2; }
fi
if ! declare -F fatal >/dev/null; then
	fatal() { echo "FATAL - $*" >&2; exit 1; }
fi
declare -p T_BG_PIDS >/dev/null 2>&1 || T_BG_PIDS=()
# shellcheck source=../../scripts/lab.sh
declare -F lab_alive >/dev/null || . "$HL_ROOT/scripts/lab.sh"
# shellcheck source=swan.sh
declare -F swan_setup >/dev/null || . "$HL_SRC_DIR/swan.sh"

HA_ENABLE=${HA_ENABLE:-0}

# Addresses of the design note.
HL_VIP_U=192.0.2.1
HL_VIP_T=10.1.0.1
HL_VMAC=02:00:5e:00:01:01
HL_A_U=192.0.2.2
HL_A_T=10.1.0.2
HL_A_S=169.254.77.1
HL_B_U=192.0.2.3
HL_B_T=10.1.0.3
HL_B_S=169.254.77.2
HL_LAN=10.1.0.10
HL_LAN_NET=10.1.0.0/24
HL_POOL=10.99.0.0/16
HL_HA_PORT=7600
HL_MAC_A_U=02:00:00:aa:00:01
HL_MAC_A_T=02:00:00:aa:00:02
HL_MAC_A_S=02:00:00:aa:00:03
HL_MAC_B_U=02:00:00:bb:00:01
HL_MAC_B_T=02:00:00:bb:00:02
HL_MAC_B_S=02:00:00:bb:00:03
HL_MAC_CLI=02:00:00:cc:00:01
HL_MAC_LAN=02:00:00:dd:00:01

hl_client_addr() { echo "192.0.2.$((10 + $1))"; }

hl_now() { date +%s.%N; }

# hl_init PREFIX
hl_init() {
	HL_PREFIX=$1
	HL_NS_HUB=${HL_PREFIX}hub
	HL_NS_GWA=${HL_PREFIX}gwa
	HL_NS_GWB=${HL_PREFIX}gwb
	HL_NS_CLI=${HL_PREFIX}cli
	HL_NS_LAN=${HL_PREFIX}lan
	HL_DIR=/tmp/${HL_PREFIX}lab
	HL_CLIENTS=0
	HL_SWAN_DIR=$HL_DIR/swan
	HL_PIDS=()
	HL_PID_A=
	HL_PID_B=
	HL_PID_CAP=
	HL_PID_IPERF=
	HL_KILL_TS=
	HL_DOWN_DONE=0
	HL_CLIENT_PSK=${HL_CLIENT_PSK:-hl-psk-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')}
	if [ -z "${HAGW_BIN:-}" ]; then
		HAGW_BIN=$HL_ROOT/build-asan/control/hagw
		[ -x "$HAGW_BIN" ] || HAGW_BIN=$HL_ROOT/build/control/hagw
	fi
	if [ -z "${HAGWCTL_BIN:-}" ]; then
		HAGWCTL_BIN=$HL_ROOT/build-asan/tools/hagwctl
		[ -x "$HAGWCTL_BIN" ] || HAGWCTL_BIN=$HL_ROOT/build/tools/hagwctl
	fi
	: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=1}"
	: "${UBSAN_OPTIONS:=print_stacktrace=1}"
	export ASAN_OPTIONS UBSAN_OPTIONS HAGW_BIN HAGWCTL_BIN
}

hl_namespaces() { echo "$HL_NS_HUB $HL_NS_GWA $HL_NS_GWB $HL_NS_CLI $HL_NS_LAN"; }

hl_log() { echo "halab[$HL_PREFIX]: $*" >&2; }

# hl_g G: "a" or "b" (fails on anything else)
hl_g() {
	case "$1" in
	A | a) echo a ;;
	B | b) echo b ;;
	*) hl_log "unknown appliance '$1' (A or B)"; return 1 ;;
	esac
}

hl_run() {
	local ns=$1
	shift
	case "$ns" in
	hub | gwa | gwb | cli | lan) ns=$HL_PREFIX$ns ;;
	*) hl_log "run: unknown namespace '$ns'"; return 2 ;;
	esac
	ip netns exec "$ns" "$@"
}

# hl_veth NS1 IF1 MAC1 NS2 IF2 MAC2 (a MAC may be "": the kernel's). Full checksums from the
# kernel (tx off, no TSO/GSO) in both directions, no GRO (lab.md "veth checksums").
hl_veth() {
	ip -n "$1" link add name "$2" type veth peer name "$5" netns "$4" || return 1
	if [ -n "$3" ]; then ip -n "$1" link set dev "$2" address "$3" || return 1; fi
	if [ -n "$6" ]; then ip -n "$4" link set dev "$5" address "$6" || return 1; fi
	ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 &&
	ip netns exec "$4" ethtool -K "$5" tx off tso off gso off gro off >/dev/null 2>&1 ||
		{ hl_log "ethtool -K $2/$5 tx off failed"; return 1; }
	ip -n "$1" link set dev "$2" up && ip -n "$4" link set dev "$5" up
}

hl_topology() {
	local ns
	for ns in $(hl_namespaces); do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
		# An IPv4 lab: no IPv6 chatter (RS, MLD, DAD) on any link.
		lab_sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1 &&
		lab_sysctl "$ns" net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	for ns in brc brt; do
		ip -n "$HL_NS_HUB" link add name "$ns" type bridge stp_state 0 forward_delay 0 \
			mcast_snooping 0 && ip -n "$HL_NS_HUB" link set dev "$ns" up || return 1
	done
	hl_veth "$HL_NS_GWA" u "$HL_MAC_A_U" "$HL_NS_HUB" au "" &&
	hl_veth "$HL_NS_GWA" t "$HL_MAC_A_T" "$HL_NS_HUB" at "" &&
	hl_veth "$HL_NS_GWB" u "$HL_MAC_B_U" "$HL_NS_HUB" bu "" &&
	hl_veth "$HL_NS_GWB" t "$HL_MAC_B_T" "$HL_NS_HUB" bt "" &&
	hl_veth "$HL_NS_GWA" s "$HL_MAC_A_S" "$HL_NS_GWB" s "$HL_MAC_B_S" &&
	hl_veth "$HL_NS_CLI" c0 "$HL_MAC_CLI" "$HL_NS_HUB" cc "" &&
	hl_veth "$HL_NS_LAN" l0 "$HL_MAC_LAN" "$HL_NS_HUB" ll "" || return 1
	for ns in au bu cc; do
		ip -n "$HL_NS_HUB" link set dev "$ns" master brc || return 1
	done
	for ns in at bt ll; do
		ip -n "$HL_NS_HUB" link set dev "$ns" master brt || return 1
	done
	ip -n "$HL_NS_LAN" addr add "$HL_LAN/24" dev l0 &&
	ip -n "$HL_NS_LAN" route add "$HL_POOL" via "$HL_VIP_T" &&
	ip -n "$HL_NS_LAN" route add 192.0.2.0/24 via "$HL_VIP_T" || return 1
	# The client namespace: its addresses come with hl_clients_start; the trusted LAN
	# (outside the tunnel) through the client gateway.
	ip -n "$HL_NS_CLI" addr add "$(hl_client_addr 0)/24" dev c0 &&
	ip -n "$HL_NS_CLI" route add "$HL_LAN_NET" via "$HL_VIP_U"
}

# hl_gw_addrs G: "U T S" own addresses of appliance G.
hl_gw_addrs() {
	case "$(hl_g "$1")" in
	a)
		if [ "$HA_ENABLE" = 1 ]; then
			echo "$HL_A_U $HL_A_T $HL_A_S"
		else
			echo "$HL_VIP_U $HL_VIP_T $HL_A_S"
		fi
		;;
	b) echo "$HL_B_U $HL_B_T $HL_B_S" ;;
	esac
}

# The ha group of the design note for appliance G.
hl_ha_section() {
	local g node peer prio own peer_addrs
	g=$(hl_g "$1")
	if [ "$g" = a ]; then
		node=1 peer=2 prio=${HL_HA_PRIO_A:-200}
		own="$HL_A_U $HL_A_T $HL_A_S" peer_addrs="$HL_B_U $HL_B_T $HL_B_S"
	else
		node=2 peer=1 prio=${HL_HA_PRIO_B:-100}
		own="$HL_B_U $HL_B_T $HL_B_S" peer_addrs="$HL_A_U $HL_A_T $HL_A_S"
	fi
	# shellcheck disable=SC2086
	set -- $own $peer_addrs
	cat <<EOF
ha = {
  node_id = $node;
  peer_node_id = $peer;
  priority = $prio;
  preempt = ${HL_HA_PREEMPT:-false};
  psk_file = "$HL_DIR/ha.key";
  port = $HL_HA_PORT;
  interval_ms = ${HL_HA_INTERVAL_MS:-25};
  dead_count = ${HL_HA_DEAD_COUNT:-4};
  sync_interval_ms = 50;
  margin_floor = 1024;
  margin_safety = 2;
  rekey_after_takeover = ${HL_HA_REKEY:-false};
  rekey_spread_s = 10;
  sync = { port = "sync0"; local = "$3"; peer = "$6"; };
  links = ( { port = "untrusted0"; local = "$1"; peer = "$4"; },
            { port = "trusted0"; local = "$2"; peer = "$5"; } );
  vips = ( { port = "untrusted0"; address = "$HL_VIP_U"; },
           { port = "trusted0"; address = "$HL_VIP_T"; } );
  vmac = "$HL_VMAC";
  ${HL_HA_EXTRA:-}
};
EOF
}

# IKE: remote access by PSK, any client identity (the secret is found by the identity the
# client sends: client1.example .. clientN.example, 8 per secrets entry).
hl_ike_section() {
	local i ids="" n=0 secrets="" max=${HL_MAX_CLIENTS:-16}
	local listen listen_line=""
	# Without a listen setting IKE listens on the untrusted VIPs (with HA) and on the
	# untrusted port addresses (192.0.2.1 itself without HA).
	listen=${HL_IKE_LISTEN-}
	[ -n "$listen" ] && listen_line="listen = [ \"$listen\" ];"
	for i in $(seq "$max"); do
		ids+="${ids:+, }\"client$i.example\""
		n=$((n + 1))
		if [ "$n" -eq 8 ] || [ "$i" -eq "$max" ]; then
			secrets+="${secrets:+, }{ ids = [ $ids ]; file = \"$HL_DIR/psk.secret\"; }"
			ids="" n=0
		fi
	done
	cat <<EOF
ike = {
  $listen_line
  retransmit_timeout_ms = 1000;
  retransmit_tries = 3;
  pools = ( { name = "vip4"; addrs = "$HL_POOL"; } );
  secrets = ( $secrets );
  connections = (
    {
      name = "rw";
      local = { id = "gw.example"; auth = "psk"; };
      remote = { auth = "psk"; };
      pools = [ "vip4" ];
      children = ( { name = "net"; local_ts = [ "$HL_LAN_NET" ]; } );
    }
  );
};
EOF
}

# hl_write_config G: HL_DIR/gwG.conf
hl_write_config() {
	local g u t s lcore conf sync_port="" extra
	g=$(hl_g "$1") || return 1
	read -r u t s <<<"$(hl_gw_addrs "$g")"
	conf=$HL_DIR/gw$g.conf
	if [ "$g" = a ]; then
		lcore=${HL_LCORE_A:-0} extra=${HL_CONF_EXTRA_A:-}
	else
		lcore=${HL_LCORE_B:-1} extra=${HL_CONF_EXTRA_B:-}
	fi
	# The sync port's packet ring holds 4096 frames (af_packet's default,
	# 512, overflows while a busy standby is off-CPU during a bulk sync).
	if [ "$HA_ENABLE" = 1 ]; then
		sync_port=",
  { name = \"sync0\"; device = \"net_af_packet2,iface=s,framecnt=4096\"; role = \"sync\";
    ipv4 = [\"$s/24\"]; }"
	fi
	(umask 077 && : >"$conf") || return 1
	cat >"$conf" <<EOF
# HA lab "$HL_PREFIX", appliance $g (HA_ENABLE=$HA_ENABLE), written by tests/integration/ha_lab.sh
eal = { lcores = [$lcore]; memory_mb = 512; hugepages = false; pci = false;
        file_prefix = "${HL_PREFIX}gw$g"; };
dataplane = { idle_backoff_us = 50; mbufs = 8191; rx_desc = 512; tx_desc = 512; };
ports = (
  { name = "untrusted0"; device = "net_af_packet0,iface=u"; role = "untrusted";
    ipv4 = ["$u/24"]; },
  { name = "trusted0"; device = "net_af_packet1,iface=t"; role = "trusted";
    ipv4 = ["$t/24"]; }$sync_port
);
cli = { socket = "$HL_DIR/gw$g.sock"; };
log = { level = "${HL_LOG_LEVEL:-info}"; file = "$HL_DIR/gw$g.log"; };
$(hl_ike_section)
$([ "$HA_ENABLE" = 1 ] && hl_ha_section "$g")
$extra
EOF
}

hl_write_configs() {
	mkdir -p -m 0700 "$HL_DIR" || return 1
	(umask 077 && printf '%s\n' "$HL_CLIENT_PSK" >"$HL_DIR/psk.secret") || return 1
	# HA channel key: 64 hex digits, private (ha_chan_load_psk).
	(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$HL_DIR/ha.key" &&
		echo >>"$HL_DIR/ha.key") || return 1
	hl_write_config A && hl_write_config B
}

hl_gw_pid() {
	local g
	g=$(hl_g "$1") || return 1
	[ -s "$HL_DIR/gw$g.pid" ] && cat "$HL_DIR/gw$g.pid"
}

hl_gw_alive() {
	local pid
	pid=$(hl_gw_pid "$1") && lab_alive "$pid"
}

hl_ctl() {
	local g
	g=$(hl_g "$1") || return 1
	shift
	"$HAGWCTL_BIN" -s "$HL_DIR/gw$g.sock" "$@"
}

hl_gw_log() {
	local g f
	g=$(hl_g "$1") || return 1
	for f in "$HL_DIR/gw$g.stderr" "$HL_DIR/gw$g.log"; do
		[ -s "$f" ] && { echo "---- $f ----"; cat "$f"; }
	done
	return 0
}

# hl_cj G ARGS... EXPR
hl_cj() {
	local g=$1 expr=${*: -1}
	hl_ctl "$g" --json "${@:2:$#-2}" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
if isinstance(d, dict) and "ok" in d and "data" in d:
    d = d["data"]
v = eval(sys.argv[1])
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)
' "$expr"
}

# hl_wait_cj WANT TRIES G ARGS... EXPR
hl_wait_cj() {
	local want=$1 tries=$2 i
	shift 2
	for i in $(seq "$tries"); do
		[ "$(hl_cj "$@" 2>/dev/null)" = "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# hl_agreed G1 G2 TRIES ARGS... EXPR: G1's view, after waiting up to TRIES × 0.1 s for
# G2's to equal it. Sync is asynchronous: a client's request answered between the two
# reads (a DPD moves a message ID) makes them differ until the next sync interval.
# Prints "G1's view|G2's view" so the caller's check names both when they never agree.
hl_agreed() {
	local g1=$1 g2=$2 tries=$3 i v1 v2
	shift 3
	for i in $(seq "$tries"); do
		v1=$(hl_cj "$g1" "$@" 2>/dev/null)
		v2=$(hl_cj "$g2" "$@" 2>/dev/null)
		[ "$v1" = "$v2" ] && break
		sleep 0.1
	done
	echo "$v1|$v2"
}

hl_wait_role() { hl_wait_cj "$2" "${3:-100}" "$1" show ha 'd["role"]'; }

hl_wait_pair() {
	hl_wait_role A active "${1:-100}" && hl_wait_role B standby "${1:-100}" &&
		hl_wait_cj true "${1:-100}" B show ha 'd["in_sync"]'
}

hl_switchover() {
	HL_SWITCH_TS=$(hl_now)
	hl_ctl "$1" ha switchover
}

# hl_gw_start G: hagw in PREFIXgwG, pid in HL_DIR/gwG.pid and HL_PID_A/B.
hl_gw_start() {
	local g pid deadline
	g=$(hl_g "$1") || return 1
	[ -x "$HAGW_BIN" ] && [ -x "$HAGWCTL_BIN" ] ||
		{ hl_log "missing $HAGW_BIN or $HAGWCTL_BIN"; return 1; }
	if hl_gw_alive "$g"; then
		hl_log "hagw $g already running"
		return 1
	fi
	rm -f "$HL_DIR/gw$g.sock" "$HL_DIR/gw$g.rc"
	ip netns exec "$HL_PREFIX"gw"$g" "$HAGW_BIN" -c "$HL_DIR/gw$g.conf" </dev/null \
		>>"$HL_DIR/gw$g.stderr" 2>&1 &
	pid=$!
	echo "$pid" >"$HL_DIR/gw$g.pid"
	if [ "$g" = a ]; then HL_PID_A=$pid; else HL_PID_B=$pid; fi
	deadline=$((SECONDS + ${HL_START_TIMEOUT:-60}))
	while ! hl_ctl "$g" show version >/dev/null 2>&1; do
		if ! lab_alive "$pid"; then
			hl_log "hagw $g (pid $pid) exited during start-up"
			tail -n 30 "$HL_DIR/gw$g.stderr" "$HL_DIR/gw$g.log" >&2 2>/dev/null
			wait "$pid" 2>/dev/null
			rm -f "$HL_DIR/gw$g.pid"
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			hl_log "hagw $g (pid $pid) did not answer within ${HL_START_TIMEOUT:-60} s"
			return 1
		fi
		sleep 0.2
	done
	hl_log "hagw $g pid $pid up ($HL_DIR/gw$g.conf)"
}

# hl_sanitizer_check G: non-zero if G's stderr or log holds a sanitizer report.
hl_sanitizer_check() {
	local g f rc=0
	g=$(hl_g "$1") || return 1
	for f in "$HL_DIR/gw$g.stderr" "$HL_DIR/gw$g.log"; do
		[ -f "$f" ] || continue
		if grep -Eq "$SANITIZER_PATTERN" "$f"; then
			hl_log "sanitizer report in $f:"
			grep -E -B2 -A25 "$SANITIZER_PATTERN" "$f" | head -n 80 >&2
			rc=1
		fi
	done
	return $rc
}

# hl_gw_stop G: SIGTERM, SIGKILL after HL_STOP_TIMEOUT s. 0 only for a clean exit (status 0,
# no sanitizer report). Nothing running: 0.
hl_gw_stop() {
	local g pid rc=0 status=0 deadline
	g=$(hl_g "$1") || return 1
	pid=$(hl_gw_pid "$g") || return 0
	if lab_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		deadline=$((SECONDS + ${HL_STOP_TIMEOUT:-10}))
		while lab_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do
			sleep 0.1
		done
		if lab_alive "$pid"; then
			hl_log "hagw $g (pid $pid) still running after SIGTERM: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			rc=1
		fi
	fi
	wait "$pid" 2>/dev/null || status=$?
	if [ "$status" -ne 127 ]; then
		echo "$status" >"$HL_DIR/gw$g.rc"
		if [ "$status" -ne 0 ]; then
			hl_log "hagw $g (pid $pid) exited with status $status"
			rc=1
		fi
	fi
	rm -f "$HL_DIR/gw$g.pid"
	hl_sanitizer_check "$g" || rc=1
	return $rc
}

# hl_gw_kill9 G: SIGKILL by pid (a crash), reaped; HL_KILL_TS = the time of the kill.
hl_gw_kill9() {
	local g pid i
	g=$(hl_g "$1") || return 1
	pid=$(hl_gw_pid "$g") || { hl_log "hagw $g is not running"; return 1; }
	HL_KILL_TS=$(hl_now)
	kill -KILL "$pid" 2>/dev/null || { hl_log "kill -9 $pid failed"; return 1; }
	for i in $(seq 100); do
		lab_alive "$pid" || break
		sleep 0.05
	done
	wait "$pid" 2>/dev/null	# "Killed" from bash: expected
	rm -f "$HL_DIR/gw$g.pid"
	hl_log "hagw $g (pid $pid) killed (SIGKILL) at $HL_KILL_TS"
}

# hl_bg_stop PID: SIGINT, then SIGTERM and SIGKILL; reaped.
hl_bg_stop() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -INT "$pid" 2>/dev/null || true
	for i in $(seq 30); do
		lab_alive "$pid" || break
		sleep 0.1
	done
	if lab_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		sleep 0.3
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

hl_lan_server_start() {
	ip netns exec "$HL_NS_LAN" iperf3 -s -B "$HL_LAN" -p 5201 >"$HL_DIR/iperf3.log" 2>&1 &
	HL_PID_IPERF=$!
	HL_PIDS+=("$HL_PID_IPERF")
}

hl_up() {
	[ "$(id -u)" -eq 0 ] || { hl_log "must run as root"; return 1; }
	if [ -n "$(hl_leftovers)" ]; then
		hl_log "stale lab found: $(hl_leftovers | tr '\n' ' ') taking it down first"
		hl_down_stale
	fi
	mkdir -p -m 0700 "$HL_DIR" || return 1
	hl_topology || { hl_log "topology failed"; return 1; }
	hl_write_configs || { hl_log "configs failed"; return 1; }
	hl_lan_server_start
}

# hl_clients_start N: one charon in PREFIXcli with N connections c1..cN.
# The tests' failure detection: hagw's 25 ms x 4 (100 ms) can be beaten by a scheduling stall
# of 100 ms on a shared 2-core machine (seen: a standby silent on every link for 104 ms, the
# peer taking over by peer-dead right after a switchover), so 25 ms x HA_TEST_DEAD_COUNT
# (default 8) for the appliances hl_up configures next.
hl_test_detection() {
	HA_TEST_DEAD_COUNT=${HA_TEST_DEAD_COUNT:-8}
	export HL_HA_DEAD_COUNT=$HA_TEST_DEAD_COUNT
}

# Starts N strongSwan clients and waits until all are up through the VIP; 1 (with charon's
# last log lines) if not.
hl_clients_connect() {
	if ! hl_clients_start "$1"; then
		hl_log "strongSwan clients: $(swan_log "$HL_SWAN_DIR" | tail -n 20)"
		return 1
	fi
	hl_clients_up
}

hl_clients_start() {
	local n=$1 i pid
	[ "$n" -ge 1 ] && [ "$n" -le "${HL_MAX_CLIENTS:-16}" ] ||
		{ hl_log "clients: 1..${HL_MAX_CLIENTS:-16}"; return 1; }
	for i in $(seq "$n"); do
		ip -n "$HL_NS_CLI" addr add "$(hl_client_addr "$i")/24" dev c0 2>/dev/null || true
	done
	swan_setup "$HL_SWAN_DIR" "$HL_NS_CLI" || return 1
	for i in $(seq "$n"); do
		# shellcheck disable=SC2086
		swan_conf "$HL_SWAN_DIR" conn="c$i" auth=psk psk="$HL_CLIENT_PSK" \
			local_id="client$i.example" remote_id=gw.example \
			local_addrs="$(hl_client_addr "$i")" remote_addrs="$HL_VIP_U" \
			vips=0.0.0.0 remote_ts="$HL_LAN_NET" mobike=no dpd_delay=2s \
			ike_proposals=aes256gcm16-prfsha384-x25519 esp_proposals=aes256gcm16 \
			${HL_SWAN_EXTRA:-} || return 1
	done
	HL_CLIENTS=$n
	swan_start pid "$HL_SWAN_DIR" || return 1
	swan_load "$HL_SWAN_DIR"
}

# hl_pair_start: hagw A, active alone, then B joining as the standby in sync; failures are
# fatal (lib.sh). The lab must be up (hl_up).
hl_pair_start() {
	hl_gw_start A || fatal "hagw A start"
	hl_wait_role A active 50 || fatal "A active alone"
	hl_gw_start B || fatal "hagw B start"
	hl_wait_pair 100 || fatal "pair: A active, B standby in sync"
	ok "pair up: A active, B standby in sync"
}

# hl_client_spis N: clients 1..N as strongSwan sees them: IKE initiator and responder SPIs,
# then the sorted CHILD in/out SPI pairs, ';' after each client (compare before / after).
hl_client_spis() {
	local i out=""
	for i in $(seq "$1"); do
		out+="$(swan_sa_field "$HL_SWAN_DIR" "(lambda s: ' '.join([s['initiator-spi'],
			s['responder-spi']] + sorted(c['spi-in'] + '/' + c['spi-out']
			for c in s['child-sas'].values())))(d['c$i'])");"
	done
	echo "$out"
}

# hl_ha_field G EXPR: EXPR over G's show ha (JSON as d).
hl_ha_field() { hl_cj "$1" show ha "$2"; }

# hl_client_up I [TIMEOUT]
hl_client_up() {
	local out
	out=$(swan_initiate "$HL_SWAN_DIR" net "${2:-15}" "c$1")
	grep -q "initiate completed successfully" <<<"$out" && return 0
	hl_log "client $1: initiate failed: $(tail -n 8 <<<"$out")"
	return 1
}

hl_clients_up() {
	local i rc=0
	for i in $(seq "$HL_CLIENTS"); do
		hl_client_up "$i" || rc=1
	done
	return $rc
}

hl_client_sa() { swan_sa_field "$HL_SWAN_DIR" "d['c$1']$2"; }

hl_client_vip() { hl_client_sa "$1" "['local-vips'][0]"; }

# hl_ping_start VAR I COUNT INTERVAL FILE
hl_ping_start() {
	local _hl_var=$1 _hl_vip _hl_deadline _hl_pid
	_hl_vip=$(hl_client_vip "$2")
	_hl_deadline=$("$PY" -c "import math; print(math.ceil($3 * $4) + 5)")
	ip netns exec "$HL_NS_CLI" ping -D -O -n -i "$4" -c "$3" -w "$_hl_deadline" -I "$_hl_vip" \
		"$HL_LAN" >"$5" 2>&1 &
	_hl_pid=$!
	HL_PIDS+=("$_hl_pid")
	printf -v "$_hl_var" '%s' "$_hl_pid"
}

# hl_capture_start FILE [FILTER]
hl_capture_start() {
	local file=$1 filter=${2:-} i
	# shellcheck disable=SC2086
	ip netns exec "$HL_NS_HUB" tcpdump -i cc -n -s "${HL_CAP_SNAPLEN:-256}" -U \
		--immediate-mode -w "$file" $filter 2>"$file.log" &
	HL_PID_CAP=$!
	HL_PIDS+=("$HL_PID_CAP")
	for i in $(seq 50); do
		grep -q "listening on" "$file.log" 2>/dev/null && return 0
		sleep 0.1
	done
	hl_log "tcpdump did not start: $(cat "$file.log")"
	return 1
}

hl_capture_stop() {
	sleep 0.3	# the last frames reach tcpdump
	hl_bg_stop "$HL_PID_CAP"
	HL_PID_CAP=
}

hl_leftovers() {
	local ns pid g
	for ns in $(hl_namespaces); do
		lab_ns_exists "$ns" && echo "namespace $ns"
	done
	for pid in "${HL_PIDS[@]}" $(cat "$HL_DIR"/gw?.pid "$HL_SWAN_DIR/charon.pid" 2>/dev/null); do
		lab_alive "$pid" && echo "process $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null))"
	done
	for g in a b; do
		[ -e "/var/run/dpdk/${HL_PREFIX}gw$g" ] && echo "dpdk runtime dir ${HL_PREFIX}gw$g"
	done
	return 0
}

# Ends every process still inside the lab's namespaces (the safety net), by pid.
hl_kill_ns_pids() {
	local ns pid sig
	for sig in TERM KILL; do
		for ns in $(hl_namespaces); do
			lab_ns_exists "$ns" || continue
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				[ "$sig" = TERM ] && hl_log "ending leftover process $pid" \
					"($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)) in $ns"
				kill -"$sig" "$pid" 2>/dev/null || true
			done
		done
		[ "$sig" = TERM ] && sleep 0.3
	done
}

# A lab of this prefix left by a killed run: end its processes, remove it.
hl_down_stale() {
	hl_kill_ns_pids
	local ns g
	for ns in $(hl_namespaces); do
		lab_ns_exists "$ns" && ip netns del "$ns"
	done
	for g in a b; do
		rm -rf "/var/run/dpdk/${HL_PREFIX}gw$g"
	done
	case "$HL_DIR" in /tmp/?*) rm -rf "$HL_DIR" ;; esac
}

hl_save_logs() {
	[ -n "${LAB_SAVE_LOGS:-}" ] && [ -d "$HL_DIR" ] || return 0
	mkdir -p "$LAB_SAVE_LOGS"
	cp -f "$HL_DIR"/gw?.conf "$HL_DIR"/gw?.log "$HL_DIR"/gw?.stderr "$HL_DIR"/gw?.rc \
		"$LAB_SAVE_LOGS"/ 2>/dev/null
	[ -f "$HL_SWAN_DIR/charon.log" ] && cp -f "$HL_SWAN_DIR/charon.log" "$LAB_SAVE_LOGS/"
	return 0
}

hl_down() {
	local rc=0 pid ns g
	[ "${HL_DOWN_DONE:-1}" = 1 ] && return 0
	HL_DOWN_DONE=1
	for pid in "${HL_PIDS[@]}"; do
		lab_alive "$pid" && hl_bg_stop "$pid"
	done
	[ -d "$HL_SWAN_DIR" ] && swan_stop "$HL_SWAN_DIR"
	for g in a b; do
		hl_gw_stop "$g" || rc=1
	done
	hl_save_logs
	hl_kill_ns_pids
	for ns in $(hl_namespaces); do
		if lab_ns_exists "$ns"; then
			ip netns del "$ns" || rc=1
		fi
	done
	for g in a b; do
		rm -rf "/var/run/dpdk/${HL_PREFIX}gw$g"
	done
	case "$HL_DIR" in /tmp/?*) rm -rf "$HL_DIR" ;; esac
	return $rc
}

# EXIT trap: hl_down, then lib.sh's t_cleanup (with the original exit status) if defined.
hl_on_exit() {
	local rc=$? drc=0
	trap - EXIT
	trap '' PIPE
	hl_down || drc=1
	if declare -F t_cleanup >/dev/null; then
		if [ "$drc" -eq 0 ]; then
			ok "lab down: both hagw stopped cleanly, no sanitizer report"
		else
			fail "lab down: a hagw did not stop cleanly or reported a sanitizer error"
		fi
		(exit "$rc")
		t_cleanup
	fi
	[ "$drc" -ne 0 ] && [ "$rc" -eq 0 ] && rc=1
	exit "$rc"
}

hl_trap() {
	trap hl_on_exit EXIT
	trap 'exit 130' INT TERM
	trap 'exit 141' PIPE
}
