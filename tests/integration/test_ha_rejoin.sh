#!/usr/bin/env bash
# HA: a restarted appliance regains its clients' state from its peer (issue 5, seed case 3), in
# the two-appliance lab (ha_lab.sh, HA_ENABLE=1, prefix hrj-), 2 strongSwan clients.
#   (1) the pair: A active, B standby in sync holding the clients' 2 IKE SAs and 2 CHILD SAs
#   (2) kill -9 of the active A while both clients ping the lan server every 10 ms: B takes over
#       (active, reason peer-dead), the pings resume (largest gap < 1 s), the clients keep
#       their IKE and CHILD SPIs
#   (3) A restarted with the same configuration rejoins as STANDBY (reason peer-active, B stays
#       active: no preemption), receives exactly one bulk sync (B sent exactly one) and is in
#       sync holding exactly what B holds: 2 IKE SAs, 2 CHILD SAs, 4 ESP SAs (none active on
#       A, all 4 on B); the CHILD SA SPI pairs of `show child-sas` are the same on A and B and
#       are the clients' (hagw's inbound SPI = the client's outbound one)
#   (4) ping every 10 ms from both clients while `ha switchover` runs on B: A active (reason
#       switchover), B standby in sync, ZERO lost pings, the clients' SPIs unchanged
#   (5) the wire (client-side capture, ha_check.py): no IKE_SA_INIT / IKE_AUTH after the kill;
#       on each ESP SA, sequence numbers after the takeover and after the switchover above
#       those before; no (SA, IV) pair twice
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
. "$(dirname "$0")/ha_lab.sh"

[ "$(id -u)" -eq 0 ] || { echo "FAIL - integration tests must run as root"; exit 1; }
export HA_ENABLE=1
hl_init hrj-
T_TMP=$(mktemp -d /tmp/hrj-test.XXXXXX)
hl_trap
t_log "test ha_rejoin: prefix $HL_PREFIX, hagw $HAGW_BIN"
swan_check_install
for tool in tshark tcpdump; do
	command -v "$tool" >/dev/null || fatal "missing tool: $tool"
done
N=2
COUNT=400
GAP=$T_DIR/ha_gap.py
CHECK=$T_DIR/ha_check.py
HELD='"%d %d %d %d" % tuple(d["held"][k] for k in ("sas", "sas_active", "ike_sas", "child_sas"))'
IKE_SAS='" ".join(sorted("%s/%s/%d/%d" % (s["spi_i"], s["spi_r"], s["msgid_send"],
	s["msgid_recv"]) for s in d))'
CHILD_SPIS='" ".join(sorted(c["spi_in"] + "/" + c["spi_out"] for c in d))'


# The clients' CHILD SAs as hagw names them: hagw's inbound SPI is the client's outbound.
client_child_spis_gw() {
	swan_sa_field "$HL_SWAN_DIR" "' '.join(sorted('0x' + c['spi-out'] + '/0x' + c['spi-in']
		for s in d.values() for c in s['child-sas'].values()))"
}


pings_start() {
	local i pid
	PIDS=()
	for i in $(seq "$N"); do
		hl_ping_start pid "$i" "$COUNT" 0.01 "$T_TMP/ping-$1-$i.out"
		PIDS+=("$pid")
	done
}

pings_wait() {
	local pid
	for pid in "${PIDS[@]}"; do
		wait "$pid"
	done
}

hl_test_detection

hl_up || fatal "lab up (topology, configs)"
hl_pair_start

# ---- (1) clients ----
CAP=$T_TMP/client.pcap
hl_capture_start "$CAP" || fatal "tcpdump on the client bridge side"
hl_clients_connect "$N" || fatal "strongSwan clients establish through the VIP"
ok "(1) $N clients established through $HL_VIP_U"
check "(1) B holds the clients' SAs (standby: none active)" \
	hl_wait_cj "4 0 $N $N" 50 B show ha "$HELD"
SPIS0=$(hl_client_spis "$N")
GW_CHILD0=$(client_child_spis_gw)
t_log "clients' SPIs: $SPIS0"
check_eq "(1) A's CHILD SAs are the clients'" "$GW_CHILD0" "$(hl_cj A show child-sas "$CHILD_SPIS")"

# ---- (2) kill -9 of A ----
pings_start 2
sleep 1.5
hl_gw_kill9 A || fatal "kill -9 A"
T_KILL=$HL_KILL_TS
check "(2) B becomes active" hl_wait_role B active 50
check_eq "(2) B: role reason, takeovers" "active peer-dead 1" \
	"$(hl_ha_field B '"%s %s %d" % (d["role"], d["reason"], d["takeovers"])')"
pings_wait
for i in $(seq "$N"); do
	res=$("$PY" "$GAP" "$T_TMP/ping-2-$i.out" --max-gap-ms 1000)
	rc=$?
	t_log "ha_gap client $i (kill -9): $res"
	check_eq "(2) client $i: pings resume through B (largest gap < 1 s)" 0 "$rc"
done
check_eq "(2) B holds them all active" "4 4 $N $N" "$(hl_ha_field B "$HELD")"
check_eq "(2) clients' SPIs unchanged" "$SPIS0" "$(hl_client_spis "$N")"

# ---- (3) A restarted: rejoins as standby, bulk sync ----
BULK_SENT0=$(hl_ha_field B 'd["sync"]["bulk_syncs_sent"]')
hl_gw_start A || fatal "hagw A restart (same configuration)"
ok "(3) hagw A restarted (pid $HL_PID_A)"
check "(3) A becomes standby" hl_wait_role A standby 100
check "(3) A in sync" hl_wait_cj true 100 A show ha 'd["in_sync"]'
check_eq "(3) A: role reason" "standby peer-active" \
	"$(hl_ha_field A '"%s %s" % (d["role"], d["reason"])')"
check_eq "(3) B stays active (no preemption): role reason" "active peer-dead" \
	"$(hl_ha_field B '"%s %s" % (d["role"], d["reason"])')"
check_eq "(3) A: bulk syncs received" 1 "$(hl_ha_field A 'd["sync"]["bulk_syncs_received"]')"
check_eq "(3) B: bulk syncs sent (one more)" "$((BULK_SENT0 + 1))" \
	"$(hl_ha_field B 'd["sync"]["bulk_syncs_sent"]')"
check_eq "(3) A holds: sas sas_active ike_sas child_sas" "4 0 $N $N" "$(hl_ha_field A "$HELD")"
check_eq "(3) B holds: sas sas_active ike_sas child_sas" "4 4 $N $N" "$(hl_ha_field B "$HELD")"
check_eq "(3) A's IKE SAs and CHILD SAs = B's" "$(hl_ha_field B '"%d %d" % (d["held"]["ike_sas"],
	d["held"]["child_sas"])')" "$(hl_ha_field A '"%d %d" % (d["held"]["ike_sas"],
	d["held"]["child_sas"])')"
CHILD_AB=$(hl_agreed B A 30 show child-sas "$CHILD_SPIS")
check_eq "(3) CHILD SA SPIs on A = on B" "${CHILD_AB%%|*}" "${CHILD_AB#*|}"
check_eq "(3) CHILD SA SPIs on A = the clients'" "$GW_CHILD0" \
	"$(hl_cj A show child-sas "$CHILD_SPIS")"
IKE_AB=$(hl_agreed B A 30 show ike-sas "$IKE_SAS")
check_eq "(3) IKE SAs on A = on B (SPIs, message IDs)" "${IKE_AB%%|*}" "${IKE_AB#*|}"
check_eq "(3) A: records failed" 0 "$(hl_ha_field A 'd["sync"]["records_failed"]')"
check_eq "(3) A: last bulk sync received: IKE SAs, CHILD SAs" "$N $N" \
	"$(hl_ha_field A '"%d %d" % (d["last_bulk_received"]["ike_sas"],
	d["last_bulk_received"]["child_sas"])')"
check_le "(3) A: that bulk sync took (ms, begin -> end <= session up -> end)" \
	"$(hl_ha_field A 'd["last_bulk_received"]["from_session_ms"]')" \
	"$(hl_ha_field A 'd["last_bulk_received"]["duration_ms"]')"

# ---- (4) switchover back to A ----
pings_start 4
sleep 1.5
rc=0
hl_switchover B >"$T_TMP/switch.out" 2>&1 || rc=$?
T_SWITCH=$HL_SWITCH_TS
check_eq "(4) ha switchover on B accepted (exit status)" 0 "$rc"
pings_wait
for i in $(seq "$N"); do
	res=$("$PY" "$GAP" "$T_TMP/ping-4-$i.out" --max-lost 0 --min-received "$COUNT")
	rc=$?
	t_log "ha_gap client $i (switchover): $res"
	check_eq "(4) client $i: ha_gap --max-lost 0 (exit status)" 0 "$rc"
	check_eq "(4) client $i: sent received lost" "$COUNT $COUNT 0" \
		"$(json '"%d %d %d" % (d["sent"], d["received"], d["lost"])' <<<"$res")"
done
check "(4) A becomes active" hl_wait_role A active 50
check "(4) B becomes standby" hl_wait_role B standby 50
check_eq "(4) A: role reason" "active switchover" \
	"$(hl_ha_field A '"%s %s" % (d["role"], d["reason"])')"
check_eq "(4) B: role reason" "standby switchover" \
	"$(hl_ha_field B '"%s %s" % (d["role"], d["reason"])')"
check "(4) B in sync" hl_wait_cj true 50 B show ha 'd["in_sync"]'
check_eq "(4) A holds: sas sas_active ike_sas child_sas" "4 4 $N $N" "$(hl_ha_field A "$HELD")"
check_eq "(4) B holds: sas sas_active ike_sas child_sas" "4 0 $N $N" "$(hl_ha_field B "$HELD")"
check_eq "(4) clients' SPIs unchanged" "$SPIS0" "$(hl_client_spis "$N")"
check_eq "(4) takeovers: A (restarted), B" "1 1" \
	"$(hl_ha_field A 'd["takeovers"]') $(hl_ha_field B 'd["takeovers"]')"

# ---- (5) wire ----
hl_capture_stop
res=$("$PY" "$CHECK" "$CAP" --takeover "$T_KILL" 2>"$T_TMP/check-kill.err")
rc=$?
t_log "ha_check (kill at $T_KILL): $(json '"%s ike %s esp %s" % (d["verdict"], d["ike"],
	d["esp_packets"])' <<<"$res") $(cat "$T_TMP/check-kill.err")"
check_eq "(5) kill -9: ha_check verdict (exit status)" "pass 0" \
	"$(json 'd["verdict"]' <<<"$res") $rc"
check_eq "(5) no IKE_SA_INIT / IKE_AUTH after the kill" "None None" \
	"$(json '"%s %s" % (d["ike"]["after"].get("34"), d["ike"]["after"].get("35"))' <<<"$res")"
check_eq "(5) IKE_SA_INIT / IKE_AUTH before: 2 per client each" "$((2 * N)) $((2 * N))" \
	"$(json '"%s %s" % (d["ike"]["before"].get("34"), d["ike"]["before"].get("35"))' <<<"$res")"
res=$("$PY" "$CHECK" "$CAP" --takeover "$T_SWITCH" 2>"$T_TMP/check-switch.err")
rc=$?
t_log "ha_check (switchover at $T_SWITCH): $(json '"%s ike %s esp %s" % (d["verdict"],
	d["ike"], d["esp_packets"])' <<<"$res") $(cat "$T_TMP/check-switch.err")"
check_eq "(5) switchover: ha_check verdict (exit status)" "pass 0" \
	"$(json 'd["verdict"]' <<<"$res") $rc"
check_eq "(5) ESP SAs on the wire: 2 per client, no repeated (SA, IV) pair" "$((2 * N)) 0" \
	"$(json '"%d %d" % (len(d["esp_sas"]), d["repeated_ivs"])' <<<"$res")"
[ -n "${LAB_SAVE_LOGS:-}" ] && mkdir -p "$LAB_SAVE_LOGS" && cp -f "$CAP" "$T_TMP"/ping-*.out \
	"$LAB_SAVE_LOGS/"
exit 0
