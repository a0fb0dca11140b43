#!/usr/bin/env bash
# HA: planned switchover (issue 5) in the two-appliance lab (ha_lab.sh, HA_ENABLE=1, prefix
# hsw-): A (priority 200) active, B (100) standby and in sync, 2 strongSwan clients connected
# through the VIP 192.0.2.1.
#   (1) the pair: A active, B standby in sync holding the clients' 2 IKE SAs, 2 CHILD SAs and
#       their 4 ESP SAs (inactive); the clients' IKE and CHILD SPIs recorded
#   (2) `ha switchover` on the standby B is refused with the documented error, roles unchanged
#   (3) ping every 10 ms from each client's virtual IP to the lan server; `ha switchover` on A:
#       B active (reason switchover), A standby (reason switchover) and in sync again;
#       ZERO lost pings (ha_gap.py --max-lost 0); the clients' SPIs unchanged
#   (4) the same back: `ha switchover` on B -> A active again, zero lost pings, SPIs unchanged;
#       `ha switchover` on the now standby B refused again
#   (5) the wire (capture on the clients' side, ha_check.py): no IKE_SA_INIT / IKE_AUTH after
#       the first switchover; on each ESP SA the sequence numbers after each switchover are
#       above those before; no (SA, IV) pair twice
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
. "$(dirname "$0")/ha_lab.sh"

[ "$(id -u)" -eq 0 ] || { echo "FAIL - integration tests must run as root"; exit 1; }
export HA_ENABLE=1
hl_init hsw-
T_TMP=$(mktemp -d /tmp/hsw-test.XXXXXX)
hl_trap
t_log "test ha_switchover: prefix $HL_PREFIX, hagw $HAGW_BIN"
swan_check_install
for tool in tshark tcpdump; do
	command -v "$tool" >/dev/null || fatal "missing tool: $tool"
done
N=2
COUNT=400		# 4 s of pings at 10 ms, per client and round
GAP=$T_DIR/ha_gap.py
CHECK=$T_DIR/ha_check.py
T_SWITCH=()		# switchover times by round
REFUSED="ha switchover: not now: this node must be active and the peer alive and in sync"



# pings_round TAG G: pings from each client while `ha switchover` runs on G; checks zero loss.
pings_round() {
	local tag=$1 g=$2 i pid pids=() res rc out
	for i in $(seq "$N"); do
		hl_ping_start pid "$i" "$COUNT" 0.01 "$T_TMP/ping-$tag-$i.out"
		pids+=("$pid")
	done
	sleep 1.5
	rc=0
	hl_switchover "$g" >"$T_TMP/switch-$tag.out" 2>&1 || rc=$?
	out=$(cat "$T_TMP/switch-$tag.out")
	check_eq "($tag) ha switchover on $g accepted (exit status)" 0 "$rc"
	t_log "ha switchover on $g: $out"
	T_SWITCH[$tag]=$HL_SWITCH_TS
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
	for i in $(seq "$N"); do
		res=$("$PY" "$GAP" "$T_TMP/ping-$tag-$i.out" --max-lost 0 --min-received "$COUNT")
		rc=$?
		t_log "ha_gap client $i: $res"
		check_eq "($tag) client $i: ha_gap --max-lost 0 (exit status)" 0 "$rc"
		check_eq "($tag) client $i: sent received lost" "$COUNT $COUNT 0" \
			"$(json '"%d %d %d" % (d["sent"], d["received"], d["lost"])' <<<"$res")"
	done
}

# roles_after TAG NEWACTIVE OLDACTIVE "TAKEOVERS-OF-NEWACTIVE TAKEOVERS-OF-OLDACTIVE"
roles_after() {
	local tag=$1 na=$2 oa=$3
	check "($tag) $na becomes active" hl_wait_role "$na" active 50
	check "($tag) $oa becomes standby" hl_wait_role "$oa" standby 50
	check_eq "($tag) $na: role reason" "active switchover" \
		"$(hl_ha_field "$na" '"%s %s" % (d["role"], d["reason"])')"
	check_eq "($tag) $oa: role reason" "standby switchover" \
		"$(hl_ha_field "$oa" '"%s %s" % (d["role"], d["reason"])')"
	check "($tag) $oa in sync as standby" hl_wait_cj true 50 "$oa" show ha 'd["in_sync"]'
	check_eq "($tag) $na: last takeover reason, SAs activated, IKE SAs" "switchover 4 $N" \
		"$(hl_ha_field "$na" '"%s %d %d" % (d["last_takeover"]["reason"],
			d["last_takeover"]["sas_activated"], d["last_takeover"]["ike_sas"])')"
	check_eq "($tag) $na holds: sas sas_active ike_sas child_sas" "4 4 $N $N" \
		"$(hl_ha_field "$na" '"%d %d %d %d" % tuple(d["held"][k] for k in
			("sas", "sas_active", "ike_sas", "child_sas"))')"
	check_eq "($tag) $oa holds: sas sas_active ike_sas child_sas" "4 0 $N $N" \
		"$(hl_ha_field "$oa" '"%d %d %d %d" % tuple(d["held"][k] for k in
			("sas", "sas_active", "ike_sas", "child_sas"))')"
	check_eq "($tag) clients' IKE and CHILD SPIs unchanged" "$SPIS0" "$(hl_client_spis "$N")"
	check_eq "($tag) no spurious takeover: $na takeovers, $oa takeovers" "$4" \
		"$(hl_ha_field "$na" 'd["takeovers"]') $(hl_ha_field "$oa" 'd["takeovers"]')"
}

# refused TAG G: `ha switchover` on the standby G fails with the documented error.
refused() {
	local out rc
	out=$(hl_ctl "$2" ha switchover 2>&1)
	rc=$?
	check "($1) ha switchover on standby $2 refused (exit status $rc)" test "$rc" -ne 0
	check_contains "($1) ... with the documented error" "$REFUSED" "$out"
}

hl_test_detection

hl_up || fatal "lab up (topology, configs)"
hl_pair_start
check_eq "detection time (ms) on A, B" "$((25 * HA_TEST_DEAD_COUNT)) $((25 * HA_TEST_DEAD_COUNT))" \
	"$(hl_ha_field A 'd["detection_ms"]') $(hl_ha_field B 'd["detection_ms"]')"

# ---- (1) clients ----
CAP=$T_TMP/client.pcap
hl_capture_start "$CAP" || fatal "tcpdump on the client bridge side"
hl_clients_connect "$N" || fatal "strongSwan clients establish through the VIP"
ok "(1) $N clients established through $HL_VIP_U"
check "(1) B holds the $N IKE SAs and $N CHILD SAs" \
	hl_wait_cj "4 0 $N $N" 50 B show ha '"%d %d %d %d" % tuple(d["held"][k] for k in
		("sas", "sas_active", "ike_sas", "child_sas"))'
check_eq "(1) A holds them active" "4 4 $N $N" \
	"$(hl_ha_field A '"%d %d %d %d" % tuple(d["held"][k] for k in
		("sas", "sas_active", "ike_sas", "child_sas"))')"
SPIS0=$(hl_client_spis "$N")
t_log "clients' SPIs: $SPIS0"
check_contains "(1) SPIs of $N clients recorded" \
	"^([0-9a-f]+ [0-9a-f]+ [0-9a-f]+/[0-9a-f]+;){$N}$" \
	"$SPIS0"

# ---- (2) refused on the standby ----
refused 2 B
check_eq "(2) roles unchanged: A, B" "active standby" \
	"$(hl_ha_field A 'd["role"]') $(hl_ha_field B 'd["role"]')"

# ---- (3) A -> B ----
pings_round 3 A
roles_after 3 B A "1 0"

# ---- (4) B -> A ----
pings_round 4 B
roles_after 4 A B "1 1"
refused 4 B

# ---- (5) wire ----
hl_capture_stop
for tag in 3 4; do
	ts=${T_SWITCH[$tag]}
	res=$("$PY" "$CHECK" "$CAP" --takeover "$ts" 2>"$T_TMP/check$tag.err")
	rc=$?
	t_log "ha_check (switchover $tag at $ts): $(json '"verdict %s, ike %s, esp %s" % (
		d["verdict"], d["ike"], d["esp_packets"])' <<<"$res") $(cat "$T_TMP/check$tag.err")"
	check_eq "(5) switchover $tag: ha_check verdict (exit status)" "pass 0" \
		"$(json 'd["verdict"]' <<<"$res") $rc"
	check_eq "(5) switchover $tag: no IKE_SA_INIT / IKE_AUTH after it" "None None" \
		"$(json '"%s %s" % (d["ike"]["after"].get("34"), d["ike"]["after"].get("35"))' \
			<<<"$res")"
	check_eq "(5) switchover $tag: ESP SAs on the wire (2 per client), all in UDP 4500" \
		"$((2 * N)) True" "$(json '"%d %s" % (len(d["esp_sas"]), all(s["udp_encap"] ==
			[True] for s in d["esp_sas"]))' <<<"$res")"
	check_eq "(5) switchover $tag: no repeated (SA, IV) pair" 0 \
		"$(json 'd["repeated_ivs"]' <<<"$res")"
done
check_eq "(5) IKE_SA_INIT / IKE_AUTH before the first switchover: $N each, 2 messages a client" \
	"$((2 * N)) $((2 * N))" "$("$PY" "$CHECK" "$CAP" --takeover "${T_SWITCH[3]}" 2>/dev/null |
		json '"%s %s" % (d["ike"]["before"].get("34"), d["ike"]["before"].get("35"))')"
[ -n "${LAB_SAVE_LOGS:-}" ] && mkdir -p "$LAB_SAVE_LOGS" && cp -f "$CAP" "$T_TMP"/ping-*.out \
	"$LAB_SAVE_LOGS/"
exit 0
