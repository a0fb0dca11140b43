#!/usr/bin/env bash
# The HA lab itself (tests/integration/ha_lab.sh) and its checkers, before any HA test relies
# on them, without HA (HA_ENABLE=0): hagw A alone owns 192.0.2.1 / 10.1.0.1 in the two-bridge
# topology of the design note (namespaces hls-hub/-gwa/-gwb/-cli/-lan, hagw on af_packet).
#   (1) plain forwarding: the client pings A's untrusted address, the lan server A's trusted
#       one, the trusted LAN through A (no tunnel)
#   (2) 2 strongSwan clients (192.0.2.11, .12; PSK, X25519, AES-GCM-256, virtual IPs from
#       10.99.0.0/16, DPD 2 s) establish through A: 2 IKE SAs and 2 CHILD SAs on both sides
#   (3) ping -D -i 0.01 for 3 s from each virtual IP to the lan server, in parallel:
#       ha_gap.py: 300 sent, 300 received, 0 lost, a gap well below any outage
#   (4) ha_check.py on the client-side capture with T in the middle of the pings: pass;
#       exactly 4 IKE_SA_INIT + 4 IKE_AUTH, all before T; 4 ESP SAs (2 per client) in UDP
#       4500, each with 300 packets; the same capture with T before the handshakes fails
#       check (a): the checker can fail on real traffic
#   (5) ha_check.py --selftest (synthetic captures: each check fails on its own violation)
#   (6) iperf3 (TCP) through the tunnel to the lan server (checksums: ethtool tx off)
#   (7) hl_gw_kill9: A killed by pid, restarted with the same DPDK file prefix (what a
#       failback needs), a client re-establishes
#   (8) teardown: A stops cleanly (no sanitizer report), then nothing is left: no namespace
#       of the prefix, no recorded process, no DPDK runtime dir
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
. "$(dirname "$0")/ha_lab.sh"

[ "$(id -u)" -eq 0 ] || { echo "FAIL - integration tests must run as root"; exit 1; }
HA_ENABLE=0
hl_init hls-
T_TMP=$(mktemp -d /tmp/hls-test.XXXXXX)
hl_trap
t_log "test ha_lab_selftest: prefix $HL_PREFIX, hagw $HAGW_BIN"
swan_check_install
for tool in tshark tcpdump iperf3 ethtool; do
	command -v "$tool" >/dev/null || fatal "missing tool: $tool"
done
N=2
COUNT=300
GAP=$T_DIR/ha_gap.py
CHECK=$T_DIR/ha_check.py

hl_up || fatal "lab up (topology, configs)"
ok "lab up: $(hl_namespaces)"
hl_gw_start A || fatal "hagw A start"
ok "hagw A (pid $HL_PID_A) answers on its CLI"

# ---- (1) plain forwarding ----
check_contains "(1) client -> 192.0.2.1 (A's untrusted port)" " 0% packet loss" \
	"$(hl_run cli ping -c 3 -i 0.2 -w 5 "$HL_VIP_U" 2>&1)"
check_contains "(1) lan -> 10.1.0.1 (A's trusted port)" " 0% packet loss" \
	"$(hl_run lan ping -c 3 -i 0.2 -w 5 "$HL_VIP_T" 2>&1)"
check_contains "(1) client 192.0.2.10 -> lan server through A, no tunnel" " 0% packet loss" \
	"$(hl_run cli ping -c 3 -i 0.2 -w 5 "$HL_LAN" 2>&1)"

# ---- (2) clients ----
CAP=$T_TMP/client.pcap
hl_capture_start "$CAP" || fatal "tcpdump on the client bridge side"
T_CAP0=$(hl_now)
hl_clients_start "$N" || fatal "strongSwan clients: $(swan_log "$HL_SWAN_DIR" | tail -n 20)"
ok "charon with $N clients started in $HL_NS_CLI"
for i in $(seq "$N"); do
	check "(2) client $i ($(hl_client_addr "$i")) establishes through A" hl_client_up "$i"
done
for i in $(seq "$N"); do
	check_eq "(2) client $i: IKE SA, CHILD SA installed in UDP" "ESTABLISHED INSTALLED yes" \
		"$(hl_client_sa "$i" "['state']") $(hl_client_sa "$i" \
			"['child-sas'].popitem()[1]['state']") $(hl_client_sa "$i" \
			"['child-sas'].popitem()[1]['encap']")"
	vip=$(hl_client_vip "$i")
	[[ "$vip" =~ ^10\.99\.[0-9]+\.[0-9]+$ ]] && ok "(2) client $i: virtual IP $vip" ||
		fail "(2) client $i: no virtual IP from 10.99.0.0/16 (got '$vip')"
done
check_eq "(2) hagw A: IKE SAs and CHILD SAs" "$N $N" \
	"$(hl_ctl A --json show ike stats | json '"%d %d" % (d["ike_sas"], d["child_sas"])')"

# ---- (3) pings from each virtual IP, in parallel ----
PING_PIDS=()
T_PING0=$(hl_now)
for i in $(seq "$N"); do
	hl_ping_start pid "$i" "$COUNT" 0.01 "$T_TMP/ping$i.out"
	PING_PIDS+=("$pid")
done
sleep 1.5
T_MID=$(hl_now)
for pid in "${PING_PIDS[@]}"; do
	wait "$pid"
done
hl_capture_stop
for i in $(seq "$N"); do
	res=$("$PY" "$GAP" "$T_TMP/ping$i.out" --max-lost 0 --min-received "$COUNT" \
		--max-gap-ms 500)
	rc=$?
	t_log "ha_gap client $i: $res"
	check_eq "(3) client $i: ha_gap exit status" 0 "$rc"
	check_eq "(3) client $i: sent received lost" "$COUNT $COUNT 0" \
		"$(json '"%d %d %d" % (d["sent"], d["received"], d["lost"])' <<<"$res")"
	check_eq "(3) client $i: the largest gap lies within the ping run" true \
		"$(json "d['gap_start'] >= $T_PING0 and d['gap_end'] > d['gap_start']" <<<"$res")"
done

# ---- (4) wire checks on the real capture ----
res=$("$PY" "$CHECK" "$CAP" --takeover "$T_MID" 2>"$T_TMP/check.err")
rc=$?
t_log "ha_check (T = $T_MID): $res $(cat "$T_TMP/check.err")"
check_eq "(4) ha_check passes (exit status)" 0 "$rc"
check_eq "(4) ha_check verdict" pass "$(json 'd["verdict"]' <<<"$res")"
check_eq "(4) IKE before T: 4 IKE_SA_INIT, 4 IKE_AUTH" "4 4" \
	"$(json '"%s %s" % (d["ike"]["before"].get("34"), d["ike"]["before"].get("35"))' <<<"$res")"
check_eq "(4) no IKE_SA_INIT / IKE_AUTH after T" "None None" \
	"$(json '"%s %s" % (d["ike"]["after"].get("34"), d["ike"]["after"].get("35"))' <<<"$res")"
check_eq "(4) ESP SAs seen (2 per client), all in UDP 4500" "$((2 * N)) True" \
	"$(json '"%d %s" % (len(d["esp_sas"]), all(s["udp_encap"] == [True]
		for s in d["esp_sas"]))' <<<"$res")"
check_eq "(4) ESP packets per SA (before + after T)" "$(printf "$COUNT %.0s" $(seq $((2 * N))))" \
	"$(json '" ".join(str(s["before"] + s["after"]) for s in d["esp_sas"]) + " "' <<<"$res")"
check_eq "(4) ESP both before and after T on every SA" true \
	"$(json 'all(s["before"] > 0 and s["after"] > 0 for s in d["esp_sas"])' <<<"$res")"
check_eq "(4) no repeated (SA, IV) pair" 0 "$(json 'd["repeated_ivs"]' <<<"$res")"
res=$("$PY" "$CHECK" "$CAP" --takeover "$T_CAP0" --allow-no-traffic 2>"$T_TMP/check0.err")
rc=$?
check_eq "(4) T before the handshakes: ha_check fails (exit status)" 1 "$rc"
check_eq "(4) ... on check (a) only" '["a"]' \
	"$(json 'sorted({v["check"] for v in d["violations"]})' <<<"$res")"
check_eq "(4) ... one violation per IKE_SA_INIT / IKE_AUTH message" 8 \
	"$(grep -c '^VIOLATION (a): IKE_\(SA_INIT\|AUTH\) 192\.0\.2\.' "$T_TMP/check0.err")"

if [ -n "${LAB_SAVE_LOGS:-}" ]; then
	mkdir -p "$LAB_SAVE_LOGS" && cp -f "$CAP" "$T_TMP"/ping?.out "$LAB_SAVE_LOGS/"
fi

# ---- (5) the checker's own selftest ----
out=$("$PY" "$CHECK" --selftest 2>&1)
rc=$?
t_log "ha_check --selftest: $(tail -n 1 <<<"$out")"
check_eq "(5) ha_check --selftest (exit status)" 0 "$rc"
check_contains "(5) ha_check --selftest: every case as expected" "cases, 0 failed" "$out"

# ---- (6) TCP through the tunnel ----
out=$(hl_run cli timeout 20 iperf3 -c "$HL_LAN" -B "$(hl_client_vip 1)" -p 5201 -t 2 -J 2>&1)
rate=$("$PY" -c 'import json, sys; d = json.loads(sys.argv[1])["end"]["sum_received"]
print(int(d["bits_per_second"] / 1e6))' "$out" 2>/dev/null)
t_log "iperf3 through the tunnel: ${rate:-?} Mbit/s"
check_ge "(6) iperf3 through client 1's tunnel, Mbit/s" 10 "${rate:-0}"

# ---- (7) kill -9 and restart of A ----
pid_a=$HL_PID_A
hl_gw_kill9 A
check "(7) hl_gw_kill9 A: pid $pid_a gone (reaped)" bash -c "! kill -0 $pid_a 2>/dev/null"
check_contains "(7) hl_gw_kill9 sets HL_KILL_TS" '^[0-9]+\.[0-9]{9}$' "$HL_KILL_TS"
check "(7) no pid file of A after the kill" test -z "$(hl_gw_pid A)"
hl_gw_start A || fatal "hagw A restart after kill -9"
ok "(7) hagw A restarted (pid $HL_PID_A) with file prefix ${HL_PREFIX}gwa"
swan_terminate_all "$HL_SWAN_DIR" >/dev/null 2>&1
check "(7) client 1 establishes again with the restarted A" hl_client_up 1
check_contains "(7) ping through the new tunnel" " 0% packet loss" \
	"$(hl_run cli ping -c 3 -i 0.2 -w 5 -I "$(hl_client_vip 1)" "$HL_LAN" 2>&1)"

# ---- (8) teardown: stop cleanly, nothing left ----
swan_stop "$HL_SWAN_DIR"
check "(8) hagw A stops cleanly (SIGTERM, exit 0, no sanitizer report)" hl_gw_stop A
hl_down
check_eq "(8) nothing left after hl_down" "" "$(hl_leftovers)"
check_eq "(8) no namespace of the prefix" "" "$(ip netns list | awk '{print $1}' | grep '^hls-')"
