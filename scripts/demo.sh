#!/usr/bin/env bash
# A guided tour of hagw's main job, an IKEv2 remote-access IPsec gateway: installs what is
# missing, builds build/ (optimised, no sanitizers), starts hagw in a lab of network
# namespaces (scripts/lab.sh) with an `ike` section (PSK, pool 10.9.0.0/28), connects a
# strongSwan client (charon with kernel-libipsec in the client namespace, the helpers of
# tests/integration/swan.sh, as tests/integration/test_ike_hagw.sh does), sends ping and
# iperf3 through the ESP tunnel to the lan namespace, rekeys the CHILD SA under a ping,
# disconnects, tears everything down by pid and summarises. Root on Debian 12; exits non-zero
# if a step fails. Environment: LAB_NAME (default hagwdemo).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
cd "$ROOT" || exit 1
T0=$SECONDS

if [ -t 1 ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD='' PLAIN=''; fi
section() { printf '\n%s== %s ==%s\n' "$BOLD" "$*" "$PLAIN"; }
say() { printf '  %s\n' "$*"; }
die() { echo "demo: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root (network namespaces, DPDK)"

section "1. Dependencies and build"
scripts/install-deps.sh || die "installing dependencies failed"
say "dependencies present (scripts/install-deps.sh)"
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null || die "meson setup build failed"
fi
say "building hagw (the gateway) and hagwctl (its CLI) in build/ (optimised, no sanitizers)"
ninja -C build control/hagw tools/hagwctl >/dev/null || die "build failed (ninja -C build)"
say "built build/control/hagw and build/tools/hagwctl"

# What swan.sh expects from tests/integration/lib.sh.
# shellcheck disable=SC2034
T_BG_PIDS=()
t_log() { echo "# $*" >&2; }
fatal() { die "$*"; }

export HAGW_BIN=$ROOT/build/control/hagw HAGWCTL_BIN=$ROOT/build/tools/hagwctl
LAB_NAME=${LAB_NAME:-hagwdemo}
# shellcheck disable=SC2034
LAB_DIR=/tmp/$LAB_NAME
# shellcheck source=lab.sh
. "$ROOT/scripts/lab.sh"
# shellcheck source=../tests/integration/swan.sh
. "$ROOT/tests/integration/swan.sh"
lab_init
swan_check_install

DEMO_TMP=
SC=
PIDS=()	# background commands started here (ping, iperf3 server), ended by pid

teardown() {
	local rc=0 pid
	trap '' PIPE INT TERM
	for pid in "${PIDS[@]}"; do
		if lab_alive "$pid"; then
			kill -TERM "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	[ -n "$SC" ] && swan_stop "$SC"
	lab_down || rc=1
	[ -n "$DEMO_TMP" ] && rm -rf "$DEMO_TMP"
	return $rc
}

on_exit() {
	local rc=$?
	trap - EXIT
	section "Teardown (after a failure)"
	teardown
	say "charon and hagw stopped, namespaces $LAB_NS_C, $LAB_NS_GW, $LAB_NS_L removed"
	exit "$rc"
}

trap on_exit EXIT
trap 'exit 130' INT TERM
trap 'exit 141' PIPE

DEMO_TMP=$(mktemp -d "/tmp/$LAB_NAME-swan.XXXXXX") || die "mktemp"
SC=$DEMO_TMP/client

# hagwctl JSON -> a Python expression over d (the data of the envelope).
hj() {
	local expr=${*: -1}
	lab_ctl --json "${@:1:$#-1}" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
if isinstance(d, dict) and "ok" in d and "data" in d:
    d = d["data"]
v = eval(sys.argv[1])
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)
' "$expr"
}

# hagwctl's text output, only the top-level lines whose key is one of KEYS (a blank line
# between list entries kept): show_keys "K1|K2" ARGS...
show_keys() {
	local keys=$1
	shift
	printf '  $ hagwctl %s\n' "$*"
	lab_ctl "$@" | awk -v re="^($keys):" '/^$/ { sep = n } $0 ~ re || /^\(none\)$/ {
		if (sep) print ""; sep = 0; n++; print "    " $0 }'
}

# wait_eq WANT TRIES CMD...: polls CMD (0.2 s apart) until it prints WANT.
wait_eq() {
	local want=$1 tries=$2
	shift 2
	for _ in $(seq "$tries"); do
		[ "$("$@" 2>/dev/null)" = "$want" ] && return 0
		sleep 0.2
	done
	return 1
}

sw_child() {
	swan_sa_field "$SC" "[c for c in d['psk']['child-sas'].values()
		if c['state'] == 'INSTALLED'][0]['$1']"
}

loss() { grep -oE '[0-9]+ packets transmitted, [0-9]+ received.*packet loss' <<<"$1"; }

PSK=hagw-demo-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
(umask 077 && echo "$PSK" >"$DEMO_TMP/psk.secret") || die "PSK file"
NET=203.0.113.0/24
LAN=$LAB_NET4
export LAB_CONF_EXTRA="
ike = {
	listen = [ \"$LAB_GWC4\" ];
	pools = ( { name = \"vip4\"; addrs = \"10.9.0.0/28\"; } );
	secrets = ( { ids = [ \"client.example\" ]; file = \"$DEMO_TMP/psk.secret\"; } );
	connections = (
		{
			name = \"rw\";
			local = { id = \"gw.example\"; auth = \"psk\"; };
			remote = { id = \"client.example\"; auth = \"psk\"; };
			pools = [ \"vip4\" ];
			children = ( { name = \"net\"; local_ts = [ \"$NET\" ]; } );
		}
	);
};"

section "2. Lab: client ($LAB_NS_C) -- hagw ($LAB_NS_GW) -- lan ($LAB_NS_L)"
cat <<EOF
  client  $LAB_C4, strongSwan's charon (kernel-libipsec: ESP in UDP 4500 on a TUN)
    |  veth $LAB_IF_C <-> $LAB_IF_GWC
  hagw    port "client" $LAB_GWC4 (IKEv2 on 500/4500), port "lan" $LAB_GWL4
          connection "rw": PSK (file of mode 600), virtual IPs from pool 10.9.0.0/28,
          protected network $NET
    |  veth $LAB_IF_GWL <-> $LAB_IF_L
  lan     $LAB_L4; behind it $LAN (in $NET)
EOF
lab_up 2>"$DEMO_TMP/lab.err" || die "the lab did not come up: $(tail -n 20 "$DEMO_TMP/lab.err")"
say "hagw running, pid $(lab_hagw_pid), $(lab_ctl show version | awk '{ print $1, $2; exit }')"
out=$(lab_run c ping -c 1 -w 5 "$LAN" 2>&1)
say "plain ping client -> $LAN before the tunnel, routed by hagw: $(loss "$out")"

section "3. strongSwan connects (IKEv2, PSK, AES-GCM-256, X25519, asks for a virtual IP)"
swan_setup "$SC" "$LAB_NS_C" || die "strongSwan setup"
swan_conf "$SC" conn=psk auth=psk psk="$PSK" local_id=client.example remote_id=gw.example \
	local_addrs="$LAB_C4" remote_addrs="$LAB_GWC4" mobike=no vips=0.0.0.0 \
	remote_ts="$NET" ike_proposals=aes256gcm16-prfsha384-x25519 esp_proposals=aes256gcm16
pid_c=
swan_start pid_c "$SC" || die "charon did not start: $(swan_log "$SC" | tail -n 5)"
swan_load "$SC" || die "swanctl --load-all"
say "charon started in $LAB_NS_C (pid $pid_c), connection loaded"
say "\$ swanctl --initiate --child net --ike psk"
out=$(swan_initiate "$SC" net 15 psk)
grep -q "initiate completed successfully" <<<"$out" ||
	die "strongSwan could not connect: $(tail -n 8 <<<"$out")"
say "initiate completed successfully"
say "\$ swanctl --list-sas (summarised)"
swan_sas "$SC" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)["psk"]
c = [c for c in d["child-sas"].values() if c["state"] == "INSTALLED"][0]
ks = lambda s: s["encr-alg"] + ("_" + s["encr-keysize"] if s.get("encr-keysize") else "")
print("    IKE SA psk: %s, %s[%s] -> %s[%s], %s/%s/%s" % (d["state"], d["local-host"],
      d["local-id"], d["remote-host"], d["remote-id"], ks(d), d["prf-alg"], d["dh-group"]))
print("    virtual IP: %s" % " ".join(d.get("local-vips", [])))
print("    CHILD SA net: %s, %s, ESP in UDP %s, SPIs in %s / out %s, %s === %s" % (
      c["state"], ks(c), c.get("encap", "no"), c["spi-in"], c["spi-out"],
      " ".join(c["local-ts"]), " ".join(c["remote-ts"])))
' || die "swanctl --list-sas"
VIP=$(swan_sa_field "$SC" "d['psk']['local-vips'][0]")
[[ "$VIP" =~ ^10\.9\.0\.[0-9]+$ ]] || die "no virtual IP from hagw's pool (got '$VIP')"
SPI_IN=$(sw_child spi-in) SPI_OUT=$(sw_child spi-out)

section "4. hagw's view"
wait_eq "1 1" 25 hj show ike stats '"%d %d" % (d["ike_sas"], d["child_sas"])' ||
	die "hagw does not hold one IKE SA and one CHILD SA"
show_keys "id|connection|state|role|remote|suite|remote_id|virtual_ips|children" show ike-sas
show_keys "id|spi_in|spi_out|mode|suite|udp_encap|local_ts|remote_ts" show child-sas
CHILD_ID=$(hj show child-sas 'd[0]["id"]')
[ "$(hj show child-sas 'd[0]["spi_in"] + " " + d[0]["spi_out"]')" = "0x$SPI_OUT 0x$SPI_IN" ] ||
	die "hagw's CHILD SA SPIs differ from strongSwan's"
say "same SPIs as strongSwan (hagw's inbound 0x$SPI_OUT = strongSwan's outbound)"

section "5. Traffic through the ESP tunnel (from the virtual IP $VIP to $LAN)"
say "\$ ping -c 5 -I $VIP $LAN"
out=$(lab_run c ping -c 5 -i 0.2 -w 10 -I "$VIP" "$LAN" 2>&1)
PING1=$(loss "$out")
say "$PING1"
grep -q " 0% packet loss" <<<"$PING1" || die "ping through the tunnel lost packets"
say "\$ iperf3 -c $LAN -B $VIP -t 3 (TCP, client -> lan)"
ip netns exec "$LAB_NS_L" iperf3 -s -1 -B "$LAN" -p 5201 >/dev/null 2>&1 &
PIDS+=($!)
sleep 0.5
ipj=$(lab_run c timeout 20 iperf3 -c "$LAN" -B "$VIP" -p 5201 -t 3 -J 2>&1)
RATE=$("$PY" -c 'import json, sys; d = json.loads(sys.argv[1])["end"]
print("%.0f Mbit/s (%.1f MB in 3 s), %d retransmits" % (
      d["sum_received"]["bits_per_second"] / 1e6, d["sum_received"]["bytes"] / 1e6,
      d["sum_sent"].get("retransmits", 0)))' "$ipj" 2>/dev/null) ||
	die "iperf3 through the tunnel failed: $(tail -n 3 <<<"$ipj")"
say "$RATE"
show_keys "spi|direction|algorithm|udp_encap|packets|bytes|dropped" show sa
[ "$(hj show sa 'sum(s["dropped"] for s in d)')" = 0 ] || die "hagw dropped ESP packets"

section "6. hagw rekeys the CHILD SA while a ping runs (0.1 s apart)"
lab_run c ping -c 30 -i 0.1 -w 15 -I "$VIP" "$LAN" >"$DEMO_TMP/ping.out" 2>&1 &
ping_pid=$!
PIDS+=("$ping_pid")
sleep 1
say "\$ hagwctl rekey child $CHILD_ID"
[ "$(hj rekey child "$CHILD_ID" 'd["rekeying"]')" = true ] || die "hagwctl rekey child"
old="$SPI_IN $SPI_OUT"
swan_wait "$SC" "[c['spi-in'] for c in d['psk']['child-sas'].values()
	if c['state'] == 'INSTALLED'] not in ([], ['$SPI_IN'])" true 25 ||
	die "strongSwan did not install a new CHILD SA"
SPI_IN=$(sw_child spi-in) SPI_OUT=$(sw_child spi-out)
wait_eq "1 0x$SPI_OUT 0x$SPI_IN" 25 hj show child-sas \
	'"%d %s %s" % (len(d), d[0]["spi_in"], d[0]["spi_out"])' ||
	die "hagw does not hold the new CHILD SA alone"
wait_eq 2 25 hj show sa 'len([s for s in d if s["active"]])' ||
	die "hagw's old ESP SAs are still there"
say "strongSwan's SPIs (in out): $old -> $SPI_IN $SPI_OUT"
show_keys "id|spi_in|spi_out|rekey_state" show child-sas
say "hagw holds only the new CHILD SA and its 2 ESP SAs (the old ones are deleted)"
wait "$ping_pid"
PING2=$(loss "$(cat "$DEMO_TMP/ping.out")")
say "ping across the rekey: $PING2"
grep -q " 0% packet loss" <<<"$PING2" || die "pings lost across the rekey"

section "7. strongSwan disconnects"
say "\$ swanctl --terminate --ike psk"
out=$(swan_ctl "$SC" --terminate --ike psk --timeout 10 2>&1)
grep -q "terminate completed successfully" <<<"$out" || die "terminate: $(tail -n 3 <<<"$out")"
swan_wait "$SC" "len(d)" 0 25 || die "strongSwan still holds an SA"
wait_eq "0 0" 25 hj show ike stats \
	'"%d %d" % (d["ike_sas"], d["child_sas"])' || die "hagw still holds IKE/CHILD SAs"
wait_eq 0 25 hj show sa 'len(d)' || die "hagw's SAD is not empty"
say "strongSwan: swanctl --list-sas is empty"
show_keys "id" show ike-sas
show_keys "id" show child-sas
show_keys "id" show sa

trap - EXIT
section "8. Teardown"
teardown || die "teardown: hagw did not stop cleanly"
left=$(ip netns list | awk '{print $1}' | grep -cE "^$LAB_NAME-(c|gw|l)$")
[ "$left" -eq 0 ] || die "namespaces left: $left"
say "charon (pid $pid_c) and hagw stopped by pid, namespaces removed"

section "Summary"
say "built build/ (hagw, hagwctl); lab of 3 namespaces, hagw on net_af_packet"
say "strongSwan -> hagw: IKEv2 PSK, AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519, vip $VIP"
say "ping through the tunnel: $PING1"
say "iperf3 through the tunnel: $RATE"
say "CHILD SA rekey by hagw under ping: $PING2"
say "disconnect: no SA left on either side; teardown clean"
say "runtime $((SECONDS - T0)) s"
