#!/usr/bin/env bash
# Stateful failover (issue 5; seed §5.1 case 1, goals 3, 5, 7): two hagw appliances, A active
# (priority 200) and B standby, strongSwan clients connected through the virtual IP 192.0.2.1
# with traffic flowing; `kill -9` of A.
#   (1) the pair forms: A active, B standby and in sync; B holds every IKE SA and CHILD SA of
#       A installed but inactive (show ha held)
#   (2) N clients establish through the VIP; B then holds N IKE SAs, N CHILD SAs, 2N SAs, none
#       active
#   (3) ping every 10 ms from each client's virtual IP to the lan server and an iperf3 stream
#       (100 Mbit/s) from client 1; kill -9 A: traffic resumes through B; the outage (largest
#       gap between replies in the client namespace) stays under 1 s; lost pings counted
#   (4) B is active, reason peer-dead, every SA activated, takeover done in under 50 ms
#   (5) strongSwan's IKE and CHILD SPIs are the ones from before the kill
#   (6) the clients' DPD (2 s, when idle) is answered by B; then a CHILD SA rekey and an
#       IKE SA rekey from every client succeed against B (new SPIs, ping through)
#   (7) the wire (client side, from before the clients connect until >= 10 s after the
#       kill): no IKE_SA_INIT / IKE_AUTH after the kill; for every ESP SA every sequence
#       number after the kill is above every one before it; no (SPI, IV) pair twice; B's
#       IVs carry a new epoch
#   (8) B stops cleanly (no sanitizer report), nothing left behind
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
. "$(dirname "$0")/ha_lab.sh"

[ "$(id -u)" -eq 0 ] || { echo "FAIL - integration tests must run as root"; exit 1; }
export HA_ENABLE=1
# Detection 150 ms instead of the default 100: on a shared 2-core machine a
# process is sometimes off-CPU for ~100 ms, which would look like a death.
# The strict outage target lives in bench/ha_bench.py.
export HL_HA_DEAD_COUNT=6
hl_init hlf-
T_TMP=$(mktemp -d /tmp/hlf-test.XXXXXX)
hl_trap
t_log "test ha_failover: prefix $HL_PREFIX, hagw $HAGW_BIN"
swan_check_install
for tool in tshark tcpdump iperf3 ethtool; do
	command -v "$tool" >/dev/null || fatal "missing tool: $tool"
done
N=2
PINGS=500		# 5 s at 10 ms
GAP=$T_DIR/ha_gap.py
CHECK=$T_DIR/ha_check.py

hl_up || fatal "lab up (topology, configs)"
hl_gw_start A || fatal "hagw A start"
sleep 0.3
hl_gw_start B || fatal "hagw B start"

# ---- (1) the pair ----
check "(1) A active, B standby and in sync" hl_wait_pair
check_eq "(1) A: role, reason" "active startup-alone" \
	"$(hl_cj A show ha '"%s %s" % (d["role"], d["reason"])')"
check_eq "(1) B: role, peer session" "standby True" \
	"$(hl_cj B show ha '"%s %s" % (d["role"], d["peer"]["session_up"])')"

# ---- (2) clients ----
CAP=$T_TMP/client.pcap
hl_capture_start "$CAP" || fatal "tcpdump on the client bridge side"
hl_clients_start "$N" || fatal "strongSwan clients: $(swan_log "$HL_SWAN_DIR" | tail -n 20)"
for i in $(seq "$N"); do
	check "(2) client $i establishes through the VIP" hl_client_up "$i"
done
check "(2) B holds $N IKE SAs, $N CHILD SAs, $((2 * N)) SAs, none active" \
	hl_wait_cj "$N $N $((2 * N)) 0" 50 B show ha \
	'"%d %d %d %d" % (d["held"]["ike_sas"], d["held"]["child_sas"], d["held"]["sas"],
			 d["held"]["sas_active"])'
check_eq "(2) A: all $((2 * N)) SAs active" "$((2 * N))" \
	"$(hl_cj A show ha 'd["held"]["sas_active"]')"

spis() {	# every client's IKE SPIs and CHILD SPIs, one line
	for i in $(seq "$N"); do
		swan_sa_field "$HL_SWAN_DIR" "'%s/%s:' % (d['c$i']['initiator-spi'],
			d['c$i']['responder-spi']) + ','.join(c['spi-in'] + '/' + c['spi-out']
			for c in d['c$i']['child-sas'].values())"
	done | tr '\n' ' '
}
SPIS_BEFORE=$(spis)
t_log "strongSwan SPIs before the kill: $SPIS_BEFORE"

# ---- (3) traffic, kill -9 A ----
PING_PIDS=()
for i in $(seq "$N"); do
	hl_ping_start pid "$i" "$PINGS" 0.01 "$T_TMP/ping$i.out"
	PING_PIDS+=("$pid")
done
hl_run cli timeout 20 iperf3 -c "$HL_LAN" -B "$(hl_client_vip 1)" -p 5201 -t 4 -b 100M -J \
	>"$T_TMP/iperf.json" 2>&1 &
IPERF_PID=$!
HL_PIDS+=("$IPERF_PID")
sleep 2
# The traffic's sequence state reached B, in brief entries (capability bit 3 both ways).
check_eq "(3) A and B: the peer's capabilities (sequence, IKE, switchover, brief sequence)" \
	"15 15" "$(hl_cj A show ha 'd["peer"]["caps"]') $(hl_cj B show ha 'd["peer"]["caps"]')"
check_eq "(3) B: sequence entries applied, records failed" "True 0" \
	"$(hl_cj B show ha '"%s %d" % (d["sync"]["seq_entries_applied"] > 0,
	d["sync"]["records_failed"])')"
hl_gw_kill9 A
T_KILL=$HL_KILL_TS
for pid in "${PING_PIDS[@]}"; do
	wait "$pid"
done
wait "$IPERF_PID"
for i in $(seq "$N"); do
	res=$("$PY" "$GAP" "$T_TMP/ping$i.out" --max-gap-ms 1000 --min-received $((PINGS - 100)))
	rc=$?
	t_log "ha_gap client $i: $res"
	check_eq "(3) client $i: outage under 1 s, traffic resumed (ha_gap exit status)" 0 "$rc"
	check_eq "(3) client $i: the largest gap spans the kill" true \
		"$(json "d['gap_start'] <= $T_KILL + 0.05 and d['gap_end'] >= $T_KILL" <<<"$res")"
	t_log "client $i: outage $(json 'd["max_gap_ms"]' <<<"$res") ms," \
		"$(json 'd["lost"]' <<<"$res") of $PINGS pings lost"
done
rate=$("$PY" -c 'import json, sys; d = json.load(open(sys.argv[1]))["end"]["sum_received"]
print(int(d["bits_per_second"] / 1e6))' "$T_TMP/iperf.json" 2>/dev/null)
t_log "iperf3 across the kill: ${rate:-?} Mbit/s average"
check_ge "(3) iperf3 went on through B (average Mbit/s over 4 s)" 20 "${rate:-0}"

# ---- (4) B's view ----
check_eq "(4) B: role, reason, takeovers" "active peer-dead 1" \
	"$(hl_cj B show ha '"%s %s %d" % (d["role"], d["reason"], d["takeovers"])')"
check_eq "(4) B: every SA activated" "$((2 * N)) $((2 * N))" \
	"$(hl_cj B show ha '"%d %d" % (d["last_takeover"]["sas_activated"],
				       d["held"]["sas_active"])')"
check_eq "(4) B: IKE SAs taken over" "$N" "$(hl_cj B show ha 'd["last_takeover"]["ike_sas"]')"
check_le "(4) B: takeover work, us" 50000 \
	"$(hl_cj B show ha 'd["last_takeover"]["duration_us"]')"
check_ge "(4) B: outbound sequence margin (floor 1024)" 1024 \
	"$(hl_cj B show ha 'd["last_takeover"]["largest_margin"]')"

# ---- (5) the same tunnels ----
check_eq "(5) strongSwan's IKE and CHILD SPIs unchanged" "$SPIS_BEFORE" "$(spis)"
for i in $(seq "$N"); do
	check_eq "(5) client $i: IKE SA, CHILD SA" "ESTABLISHED INSTALLED" \
		"$(hl_client_sa "$i" "['state']") $(hl_client_sa "$i" \
			"['child-sas'].popitem()[1]['state']")"
done

# ---- (6) DPD, CHILD rekey, IKE rekey against B ----
MARK=$(swan_log_mark "$HL_SWAN_DIR")
sleep 4.5		# idle: strongSwan's DPD (2 s) fires and B answers
dpd=$(swan_log_since "$HL_SWAN_DIR" "$MARK" | grep -c "parsed INFORMATIONAL response")
check_ge "(6) clients' DPD answered by B (INFORMATIONAL responses)" "$N" "$dpd"
out=$(swan_ctl "$HL_SWAN_DIR" --rekey --child net 2>&1)
check_contains "(6) CHILD SA rekey command" "rekey completed successfully" "$out"
for i in $(seq "$N"); do
	swan_ctl "$HL_SWAN_DIR" --rekey --ike "c$i" >/dev/null 2>&1
done
sleep 1
SPIS_AFTER=$(spis)
t_log "strongSwan SPIs after the rekeys: $SPIS_AFTER"
for i in $(seq "$N"); do
	before=$(cut -d' ' -f"$i" <<<"$SPIS_BEFORE")
	after=$(cut -d' ' -f"$i" <<<"$SPIS_AFTER")
	check_eq "(6) client $i: new IKE SPIs and CHILD SPIs, both different" "yes yes" \
		"$([ "${before%%:*}" != "${after%%:*}" ] && echo yes || echo no) $(
			[ "${before#*:}" != "${after#*:}" ] && echo yes || echo no)"
	old_in=$(sed 's/.*:\([0-9a-f]*\)\/.*/\1/' <<<"$before")
	check_eq "(6) client $i: the new CHILD SA is installed" "INSTALLED" \
		"$(swan_sa_field "$HL_SWAN_DIR" "[c['state'] for c in d['c$i']['child-sas'].values()
			if c['spi-in'] != '$old_in'][-1]")"
	check_contains "(6) client $i: ping through the rekeyed tunnel" " 0% packet loss" \
		"$(hl_run cli ping -c 3 -i 0.2 -w 5 -I "$(hl_client_vip "$i")" "$HL_LAN" 2>&1)"
done
check_eq "(6) B: IKE SAs and CHILD SAs after the rekeys" "$N $N" \
	"$(hl_ctl B --json show ike stats | json '"%d %d" % (d["ike_sas"], d["child_sas"])')"

# ---- (7) the wire ----
while "$PY" -c "import sys, time; sys.exit(time.time() >= $T_KILL + 10.5)"; do
	sleep 0.5
done
hl_capture_stop
res=$("$PY" "$CHECK" "$CAP" --takeover "$T_KILL" 2>"$T_TMP/check.err")
rc=$?
t_log "ha_check (T = kill): $res $(head -n 20 "$T_TMP/check.err")"
check_eq "(7) ha_check passes (exit status)" 0 "$rc"
check_eq "(7) IKE_SA_INIT / IKE_AUTH (request + response) before the kill, none after" \
	"$((2 * N)) $((2 * N)) None None" \
	"$(json '"%s %s %s %s" % (d["ike"]["before"].get("34"), d["ike"]["before"].get("35"),
		d["ike"]["after"].get("34"), d["ike"]["after"].get("35"))' <<<"$res")"
check_eq "(7) INFORMATIONAL and CREATE_CHILD_SA after the kill (DPD, message ID sync, rekeys)" \
	"True True" "$(json '"%s %s" % (d["ike"]["after"].get("37", 0) >= 2 * '"$N"',
		d["ike"]["after"].get("36", 0) >= 4 * '"$N"')' <<<"$res")"
check_eq "(7) ESP on every pre-kill SA after the kill (the same tunnels)" true \
	"$(json 'sum(1 for s in d["esp_sas"] if s["before"] > 0 and s["after"] > 0) >= 2 * '"$N" \
		<<<"$res")"
check_eq "(7) no (SPI, IV) pair twice" 0 "$(json 'd["repeated_ivs"]' <<<"$res")"
# (A's last frames, queued before the kill, may be captured just after its
# timestamp: "after" may also hold A's epoch; no (SPI, IV) twice above
# is what excludes a reuse.)
check_eq "(7) B sent on every pre-kill outbound SA with a new IV epoch" true \
	"$(json 'all(set(s["iv_epochs_after"]) - set(s["iv_epochs_before"])
		for s in d["esp_sas"] if s["src"] == ["192.0.2.1"] and s["before"] > 0)' <<<"$res")"
[ -n "${LAB_SAVE_LOGS:-}" ] && mkdir -p "$LAB_SAVE_LOGS" && cp -f "$CAP" "$T_TMP"/*.out \
	"$LAB_SAVE_LOGS/"

# ---- (8) teardown ----
swan_stop "$HL_SWAN_DIR"
check "(8) hagw B stops cleanly (SIGTERM, exit 0, no sanitizer report)" hl_gw_stop B
hl_down
check_eq "(8) nothing left after hl_down" "" "$(hl_leftovers)"
