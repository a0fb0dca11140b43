#!/usr/bin/env bash
# A guided tour of hagw's stateful failover (issue 5): installs what is missing, builds build/
# (optimised, no sanitizers), starts two hagw appliances A and B in the HA lab of
# tests/integration/ha_lab.sh (A active, B standby, virtual IP 192.0.2.1 and virtual MAC owned
# by the active), connects two strongSwan clients (charon with kernel-libipsec, the helpers of
# tests/integration/swan.sh) through the virtual IP, sends a ping every 10 ms from each client
# and a 100 Mbit/s iperf3 stream through the ESP tunnels, kills the active with SIGKILL and
# measures the outage; shows that the clients' IKE and CHILD SAs are the same ones before and
# after (their SPIs) and that no IKE_SA_INIT / IKE_AUTH crossed the wire after the kill
# (tests/integration/ha_check.py on a capture), shows B's takeover, restarts A and shows it
# rejoin as the standby with a bulk sync, tears everything down by pid and summarises.
# Root on Debian 12; about 40 s once built; exits non-zero if a step fails.
# Environment: LAB_NAME (default hagwdemo; namespaces LAB_NAME-hub, -gwa, -gwb, -cli, -lan).
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

# What swan.sh and ha_lab.sh expect from tests/integration/lib.sh.
# shellcheck disable=SC2034
T_BG_PIDS=()
t_log() { :; }
fatal() { die "$*"; }

export HAGW_BIN=$ROOT/build/control/hagw HAGWCTL_BIN=$ROOT/build/tools/hagwctl
export HA_ENABLE=1
LAB_NAME=${LAB_NAME:-hagwdemo}
# shellcheck source=../tests/integration/ha_lab.sh
. "$ROOT/tests/integration/ha_lab.sh"
hl_init "$LAB_NAME-"
swan_check_install
for tool in tcpdump iperf3; do
	command -v "$tool" >/dev/null || die "missing tool: $tool"
done

N=2			# strongSwan clients
PINGS=600		# 6 s at 10 ms
KILL_AFTER=2		# s of traffic before the kill
GAP=$ROOT/tests/integration/ha_gap.py
CHECK=$ROOT/tests/integration/ha_check.py
DEMO_TMP=

teardown() {
	local rc=0
	trap '' PIPE INT TERM
	[ -d "$HL_SWAN_DIR" ] && swan_stop "$HL_SWAN_DIR"
	hl_down || rc=1
	[ -n "$DEMO_TMP" ] && rm -rf "$DEMO_TMP"
	return $rc
}

on_exit() {
	local rc=$?
	trap - EXIT
	section "Teardown (after a failure)"
	teardown
	say "charon, both hagw and the lab processes stopped, namespaces removed"
	exit "$rc"
}

trap on_exit EXIT
trap 'exit 130' INT TERM
trap 'exit 141' PIPE

DEMO_TMP=$(mktemp -d "/tmp/$LAB_NAME-demo.XXXXXX") || die "mktemp"

# hl_cj with the demo's failure handling.
cj() { hl_cj "$@" 2>/dev/null; }

# `hagwctl show ha` on G, abridged: role and why, the peer, the sync stream's main counters,
# what G holds, the last takeover.
show_ha() {
	printf '  $ hagwctl show ha      # on %s (abridged)\n' "$1"
	hl_ctl "$1" show ha | awk '
		/^[a-z_]+:/ { sec = $1 }
		/^(node_id|role|reason|epoch|in_sync|detection_ms|sync_interval_ms|takeovers):/ {
			print "    " $0; next }
		/^(peer|sync|held|last_takeover):/ { print "    " $0; next }
		/^  / && sec ~ /^(held|last_takeover):$/ { print "    " $0; next }
		/^  (role|alive|in_sync|session_up):/ && sec == "peer:" { print "    " $0; next }
		/^  (records_sent|bytes_sent|records_applied|bulk_syncs_sent|bulk_syncs_received|lag_bytes):/ &&
			sec == "sync:" { print "    " $0 }'
}

# The clients' SAs (swan_sas JSON) into FILE.
save_sas() { swan_sas "$HL_SWAN_DIR" >"$1"; }

section "2. Lab: two appliances, one virtual IP"
cat <<EOF
  clients (${HL_PREFIX}cli)  192.0.2.11, .12: strongSwan, connecting to the VIP $HL_VIP_U
     |  client LAN (bridge brc in ${HL_PREFIX}hub)
  hagw A (${HL_PREFIX}gwa)  untrusted0 $HL_A_U  trusted0 $HL_A_T  priority 200
  hagw B (${HL_PREFIX}gwb)  untrusted0 $HL_B_U  trusted0 $HL_B_T  priority 100
     |  sync0: a direct link A $HL_A_S <-> B $HL_B_S (HA state, heartbeats)
     |  trusted LAN (bridge brt): heartbeats also on both LANs
  lan server (${HL_PREFIX}lan)  $HL_LAN (iperf3 -s), routes the client pool $HL_POOL
     via VIP $HL_VIP_T
  VIPs $HL_VIP_U / $HL_VIP_T and the virtual MAC $HL_VMAC belong to the active;
  heartbeat 25 ms, dead after 4 missed (detection 100 ms), sequence sync every 50 ms
EOF
hl_up 2>"$DEMO_TMP/lab.err" || die "the lab did not come up: $(tail -n 20 "$DEMO_TMP/lab.err")"
hl_gw_start A 2>>"$DEMO_TMP/lab.err" || die "hagw A did not start: $(hl_gw_log A | tail -n 20)"
sleep 0.3
hl_gw_start B 2>>"$DEMO_TMP/lab.err" || die "hagw B did not start: $(hl_gw_log B | tail -n 20)"
hl_wait_pair || die "A active and B standby in sync: not reached"
say "hagw A pid $HL_PID_A and hagw B pid $HL_PID_B running; A is active, B standby and in sync"
show_ha A
show_ha B

section "3. Two strongSwan clients connect through the VIP $HL_VIP_U"
CAP=$DEMO_TMP/client.pcap
hl_capture_start "$CAP" || die "tcpdump on the client LAN"
say "tcpdump records every frame between the clients and both appliances from now on"
hl_clients_start "$N" 2>>"$DEMO_TMP/lab.err" ||
	die "strongSwan: $(swan_log "$HL_SWAN_DIR" | tail -n 10)"
for i in $(seq "$N"); do
	hl_client_up "$i" 2>>"$DEMO_TMP/lab.err" || die "client $i could not connect"
	say "client $i ($(hl_client_addr "$i")): IKE SA up, virtual IP $(hl_client_vip "$i")"
done
hl_wait_cj "$N $N $((2 * N)) 0" 50 B show ha \
	'"%d %d %d %d" % (d["held"]["ike_sas"], d["held"]["child_sas"], d["held"]["sas"],
			 d["held"]["sas_active"])' ||
	die "B does not hold the clients' SAs"
say "B already holds them: $N IKE SAs (passive), $N CHILD SAs, $((2 * N)) ESP SAs installed" \
	"inactive:"
show_ha B
save_sas "$DEMO_TMP/sas_before.json"

section "4. Traffic through A, then kill -9 A"
say "each client pings $HL_LAN every 10 ms from its virtual IP ($PINGS pings);"
say "client 1 also sends an iperf3 TCP stream paced at 100 Mbit/s (6 s, 0.5 s intervals)"
PING_PIDS=()
for i in $(seq "$N"); do
	hl_ping_start pid "$i" "$PINGS" 0.01 "$DEMO_TMP/ping$i.out"
	PING_PIDS+=("$pid")
done
T_IPERF=$(hl_now)
hl_run cli timeout 25 iperf3 -c "$HL_LAN" -B "$(hl_client_vip 1)" -p 5201 -t 6 -i 0.5 \
	-b 100M -J >"$DEMO_TMP/iperf.json" 2>&1 &
IPERF_PID=$!
HL_PIDS+=("$IPERF_PID")
sleep "$KILL_AFTER"
say "\$ kill -9 $HL_PID_A      # hagw A, the active, dies without a word"
hl_gw_kill9 A 2>/dev/null
T_KILL=$HL_KILL_TS
for pid in "${PING_PIDS[@]}"; do
	wait "$pid"
done
wait "$IPERF_PID"

section "5. The outage"
OUTAGE=""
for i in $(seq "$N"); do
	res=$("$PY" "$GAP" "$DEMO_TMP/ping$i.out") || die "ha_gap: client $i: $res"
	line=$("$PY" -c '
import json, sys
d, kill = json.loads(sys.argv[1]), float(sys.argv[2])
print("largest gap between replies %.0f ms (%.0f ms after the kill), %d of %d pings lost" % (
      d["max_gap_ms"], (d["gap_end"] - kill) * 1000, d["lost"], d["sent"]))' "$res" "$T_KILL")
	say "client $i: $line"
	OUTAGE+="${OUTAGE:+; }client $i: ${line%%,*}, ${line##*, }"
done
IPERF=$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
t0, kill = float(sys.argv[2]), float(sys.argv[3])
iv = d["intervals"]
rows = []
for x in iv:
    s = x["sum"]
    mark = " <- kill" if s["start"] <= kill - t0 < s["end"] else ""
    rows.append("      %4.1f-%4.1f s  %6.1f Mbit/s  %3d retransmits%s" % (
        s["start"], s["end"], s["bits_per_second"] / 1e6, s.get("retransmits", 0), mark))
e = d["end"]
low = min(iv, key=lambda x: x["sum"]["bits_per_second"])["sum"]
print("\n".join(rows))
print("SUMMARY %.1f Mbit/s received on average, %d retransmits, lowest 0.5 s interval %.1f Mbit/s"
      % (e["sum_received"]["bits_per_second"] / 1e6, e["sum_sent"].get("retransmits", 0),
         low["bits_per_second"] / 1e6))' "$DEMO_TMP/iperf.json" "$T_IPERF" "$T_KILL" 2>&1) ||
	die "iperf3: $(tail -n 5 "$DEMO_TMP/iperf.json")"
say "iperf3 (client 1 -> $HL_LAN, TCP, sender side):"
grep -v '^SUMMARY' <<<"$IPERF"
IPERF_SUM=$(sed -n 's/^SUMMARY //p' <<<"$IPERF")
say "iperf3: $IPERF_SUM"

section "6. B took over"
hl_wait_role B active 20 || die "B is not active"
show_ha B
TAKEOVER=$(cj B show ha '"reason %s, %d SAs activated, %d IKE SAs, %d us of work" % (
	d["last_takeover"]["reason"], d["last_takeover"]["sas_activated"],
	d["last_takeover"]["ike_sas"], d["last_takeover"]["duration_us"])')
say "takeover: $TAKEOVER"

section "7. The same tunnels: no new IKE SA, no new CHILD SA"
# Let the clients' DPD (2 s, when idle) reach B too before the wire is checked.
sleep 2.5
save_sas "$DEMO_TMP/sas_after.json"
"$PY" - "$DEMO_TMP/sas_before.json" "$DEMO_TMP/sas_after.json" <<'EOF' || die "SPIs changed"
import json, sys
b, a = (json.load(open(p)) for p in sys.argv[1:3])
same = True
print("  strongSwan's SAs (swanctl --list-sas), before the kill and now:")
print("    %-6s %-5s %-46s %-46s %s" % ("client", "SA", "before", "now", "same"))
for name in sorted(b):
    rows = [("IKE", lambda d: "%s/%s %s" % (d["initiator-spi"], d["responder-spi"],
                                            d["state"]))]
    for kid in sorted(b[name]["child-sas"]):
        rows.append(("CHILD", lambda d, k=kid: "%s/%s %s" % (
            d["child-sas"][k]["spi-in"], d["child-sas"][k]["spi-out"],
            d["child-sas"][k]["state"]) if k in d.get("child-sas", {}) else "(gone)"))
    for what, f in rows:
        x, y = f(b[name]), f(a[name]) if name in a else "(gone)"
        same = same and x == y
        print("    %-6s %-5s %-46s %-46s %s" % (name, what, x, y, "yes" if x == y else "NO"))
print("    (IKE: initiator/responder SPI; CHILD: inbound/outbound SPI)")
sys.exit(0 if same else 1)
EOF
hl_capture_stop
res=$("$PY" "$CHECK" "$CAP" --takeover "$T_KILL" 2>"$DEMO_TMP/check.err")
rc=$?
WIRE=$("$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
names = {"34": "IKE_SA_INIT", "35": "IKE_AUTH", "36": "CREATE_CHILD_SA", "37": "INFORMATIONAL"}
for w in ("before", "after"):
    x = d["ike"][w]
    print("IKE messages %-6s the kill: %s" % (w, ", ".join(
        "%s %d" % (names.get(k, k), v) for k, v in sorted(x.items())) or "none"))
e = d["esp_packets"]
print("ESP packets before / after: %d / %d on %d SAs; sequence numbers after the kill above "
      "those before on every SA: %s; (SPI, IV) pairs repeated: %d" % (
      e["before"], e["after"], len(d["esp_sas"]),
      "yes" if not [v for v in d["violations"] if v["check"] == "b"] else "NO",
      d["repeated_ivs"]))
print("VERDICT %s" % d["verdict"])' "$res" 2>&1)
say "the capture, checked by tests/integration/ha_check.py (T = the kill):"
grep -v '^VERDICT' <<<"$WIRE" | sed 's/^/    /'
[ "$rc" -eq 0 ] || die "ha_check: $(head -n 5 "$DEMO_TMP/check.err")"
[ "$("$PY" -c 'import json, sys; d = json.loads(sys.argv[1])["ike"]["after"]
print(d.get("34", 0) + d.get("35", 0))' "$res")" = 0 ] || die "IKE_SA_INIT/IKE_AUTH after the kill"
say "no IKE_SA_INIT or IKE_AUTH after the kill: the clients never re-authenticated"
# N(MSG_ID_SYN): IKEV2_MESSAGE_ID_SYNC itself (N(MSG_ID_SYN_SUP) is the support notify).
SYNC_RE='N\(MSG_ID_SYN\)'
SYNC=$(grep -cE "$SYNC_RE" "$HL_SWAN_DIR/charon.log" 2>/dev/null)
say "charon's log: ${SYNC:-0} messages with RFC 6311 IKEV2_MESSAGE_ID_SYNC (B re-synchronised" \
	"the IKE message IDs with each client after the takeover):"
grep -E "$SYNC_RE" "$HL_SWAN_DIR/charon.log" 2>/dev/null | head -n 4 | sed 's/^/    /'

section "8. A comes back and rejoins as the standby (bulk sync)"
say "\$ hagw -c gwa.conf      # A restarts with no state; B stays active (preempt off)"
T_RESTART=$(hl_now)
hl_gw_start A 2>>"$DEMO_TMP/lab.err" || die "hagw A did not restart: $(hl_gw_log A | tail -n 20)"
hl_wait_role A standby 50 || die "A did not become standby"
hl_wait_cj "True $N $N" 50 A show ha \
	'"%s %d %d" % (d["in_sync"], d["held"]["ike_sas"], d["held"]["child_sas"])' ||
	die "A did not get B's $N IKE SAs and $N CHILD SAs"
T_SYNCED=$("$PY" -c "import time; print('%.2f' % (time.time() - $T_RESTART))")
say "A is standby and in sync $T_SYNCED s after it was started (process start-up included)"
show_ha A
REJOIN=$(cj A show ha '"%s, %d bulk sync received, %d IKE SAs and %d CHILD SAs held, %d active" % (
	d["role"], d["sync"]["bulk_syncs_received"], d["held"]["ike_sas"], d["held"]["child_sas"],
	d["held"]["sas_active"])')
say "B: $(cj B show ha '"%s, bulk syncs sent %d" % (d["role"], d["sync"]["bulk_syncs_sent"])')"
out=$(hl_run cli ping -c 5 -i 0.1 -w 5 -I "$(hl_client_vip 1)" "$HL_LAN" 2>&1)
PING_AFTER=$(grep -oE '[0-9]+ packets transmitted, [0-9]+ received.*packet loss' <<<"$out")
say "ping through B with A back as standby: $PING_AFTER"

trap - EXIT
section "9. Teardown"
swan_stop "$HL_SWAN_DIR"
hl_gw_stop A || die "hagw A did not stop cleanly"
hl_gw_stop B || die "hagw B did not stop cleanly"
say "charon stopped; hagw A and B stopped by pid (SIGTERM, exit status 0)"
teardown || die "teardown"
left=$(hl_leftovers)
[ -z "$left" ] || die "left behind: $left"
say "namespaces ${HL_PREFIX}hub/gwa/gwb/cli/lan removed, nothing left"

section "Summary"
say "two hagw appliances, A active and B standby; $N strongSwan clients through VIP $HL_VIP_U"
say "kill -9 of the active under traffic: $OUTAGE"
say "iperf3 across the kill: $IPERF_SUM"
say "B's takeover: $TAKEOVER"
say "clients' IKE and CHILD SPIs unchanged; no IKE_SA_INIT / IKE_AUTH after the kill"
say "A restarted: $REJOIN"
say "runtime $((SECONDS - T0)) s"
