#!/usr/bin/env bash
# HA: link failures between the two appliances (issue 5, ha_role.h "split brain"), in the
# two-appliance lab (ha_lab.sh, HA_ENABLE=1, prefix hsb-): A priority 200, B priority 100, no
# preemption, 2 strongSwan clients.
#   (a) only the sync link cut (ip link set s down in A's namespace: the direct sync veth loses
#       its carrier on both ends), data links intact, pings running: no takeover (A active,
#       B standby, no takeover counted), B reports itself out of sync (in_sync false, its sync
#       link down, the peer alive on both data links; A's view of B: not in sync), ZERO lost
#       pings; heal -> B in sync again with exactly one more bulk sync (A sent exactly one)
#   (b) every link cut (the sync veth down, A's untrusted and trusted veths down on the hub
#       side: A keeps running): B takes over (active, peer-dead), pings resume through B;
#       heal -> exactly one active within 1 s: B, the loser (priority 100 < 200: ha_role.h
#       winner rule "higher priority, then higher epoch, then lower node id"), goes standby
#       (reason split-brain), A stays active (never changed role), B gets exactly one bulk
#       sync and is in sync; the clients' tunnels work through A with their SPIs unchanged
#       (zero lost pings from 1 s after the heal) and the wire (ha_check.py) shows, for each
#       ESP SA, sequence numbers after the heal above those before, no repeated (SA, IV) pair
#       and no IKE_SA_INIT / IKE_AUTH after the cut
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
. "$(dirname "$0")/ha_lab.sh"

[ "$(id -u)" -eq 0 ] || { echo "FAIL - integration tests must run as root"; exit 1; }
export HA_ENABLE=1
hl_init hsb-
T_TMP=$(mktemp -d /tmp/hsb-test.XXXXXX)
hl_trap
t_log "test ha_split_brain: prefix $HL_PREFIX, hagw $HAGW_BIN"
swan_check_install
for tool in tshark tcpdump; do
	command -v "$tool" >/dev/null || fatal "missing tool: $tool"
done
N=2
GAP=$T_DIR/ha_gap.py
CHECK=$T_DIR/ha_check.py
HELD='"%d %d %d %d" % tuple(d["held"][k] for k in ("sas", "sas_active", "ike_sas", "child_sas"))'
LINKS_UP='" ".join("%s:%s" % (l["port"], l["up"]) for l in d["links"])'



# pings_start TAG COUNT
pings_start() {
	local i pid
	PIDS=()
	for i in $(seq "$N"); do
		hl_ping_start pid "$i" "$2" 0.01 "$T_TMP/ping-$1-$i.out"
		PIDS+=("$pid")
	done
}

pings_wait() {
	local pid
	for pid in "${PIDS[@]}"; do
		wait "$pid"
	done
}

# pings_check TAG COUNT: zero loss on every client.
pings_check() {
	local i res rc
	for i in $(seq "$N"); do
		res=$("$PY" "$GAP" "$T_TMP/ping-$1-$i.out" --max-lost 0 --min-received "$2")
		rc=$?
		t_log "ha_gap client $i ($1): $res"
		check_eq "($1) client $i: sent received lost (ha_gap --max-lost 0: $rc)" "$2 $2 0" \
			"$(json '"%d %d %d" % (d["sent"], d["received"], d["lost"])' <<<"$res")"
	done
}

hl_test_detection

hl_up || fatal "lab up (topology, configs)"
hl_pair_start
CAP=$T_TMP/client.pcap
hl_capture_start "$CAP" || fatal "tcpdump on the client bridge side"
hl_clients_connect "$N" || fatal "strongSwan clients establish through the VIP"
ok "$N clients established through $HL_VIP_U"
check "B holds the clients' SAs (standby: none active)" hl_wait_cj "4 0 $N $N" 50 B show ha "$HELD"
SPIS0=$(hl_client_spis "$N")
t_log "clients' SPIs: $SPIS0"

# ---- (a) the sync link alone ----
BULK_B0=$(hl_ha_field B 'd["sync"]["bulk_syncs_received"]')
BULK_A0=$(hl_ha_field A 'd["sync"]["bulk_syncs_sent"]')
pings_start a 300
sleep 0.5
hl_run gwa ip link set dev s down || fatal "sync veth down"
t_log "sync link down at $(hl_now)"
check "(a) B reports itself out of sync" hl_wait_cj false 30 B show ha 'd["in_sync"]'
sleep 1		# 10 detection times
check_eq "(a) B: role, takeovers, peer alive, in_sync" "standby 0 True False" \
	"$(hl_ha_field B '"%s %d %s %s" % (d["role"], d["takeovers"], d["peer"]["alive"],
		d["in_sync"])')"
check_eq "(a) B: links (sync down, data links up)" \
	"sync0:False untrusted0:True trusted0:True" "$(hl_ha_field B "$LINKS_UP")"
check_eq "(a) A: role reason, takeovers" "active startup-alone 0" \
	"$(hl_ha_field A '"%s %s %d" % (d["role"], d["reason"], d["takeovers"])')"
check_eq "(a) A's view of B: alive, standby, not in sync" "True standby False" \
	"$(hl_ha_field A '"%s %s %s" % (d["peer"]["alive"], d["peer"]["role"],
		d["peer"]["in_sync"])')"
check_eq "(a) A: links (sync down, data links up)" \
	"sync0:False untrusted0:True trusted0:True" "$(hl_ha_field A "$LINKS_UP")"
hl_run gwa ip link set dev s up || fatal "sync veth up"
t_log "sync link up at $(hl_now)"
check "(a) heal: B in sync again" hl_wait_cj true 50 B show ha 'd["in_sync"]'
check_eq "(a) heal: B bulk syncs received (one more)" "$((BULK_B0 + 1))" \
	"$(hl_ha_field B 'd["sync"]["bulk_syncs_received"]')"
check_eq "(a) heal: A bulk syncs sent (one more)" "$((BULK_A0 + 1))" \
	"$(hl_ha_field A 'd["sync"]["bulk_syncs_sent"]')"
check_eq "(a) heal: B's links all up" "sync0:True untrusted0:True trusted0:True" \
	"$(hl_ha_field B "$LINKS_UP")"
check_eq "(a) heal: B holds the clients' SAs, none active" "4 0 $N $N" "$(hl_ha_field B "$HELD")"
check_eq "(a) heal: roles A, B" "active standby" \
	"$(hl_ha_field A 'd["role"]') $(hl_ha_field B 'd["role"]')"
pings_wait
pings_check a 300

# ---- (b) every link ----
BULK_B0=$(hl_ha_field B 'd["sync"]["bulk_syncs_received"]')
EPOCH_A=$(hl_ha_field A 'd["epoch"]')
pings_start b-cut 400
sleep 0.5
T_CUT=$(hl_now)
hl_run gwa ip link set dev s down && hl_run hub ip link set dev au down &&
	hl_run hub ip link set dev at down || fatal "cut every link of A"
t_log "every link of A cut at $T_CUT"
check "(b) B takes over" hl_wait_role B active 30
check_eq "(b) B: role reason, takeovers" "active peer-dead 1" \
	"$(hl_ha_field B '"%s %s %d" % (d["role"], d["reason"], d["takeovers"])')"
check_eq "(b) A still active (it hears nobody): role, peer alive" "active False" \
	"$(hl_ha_field A '"%s %s" % (d["role"], d["peer"]["alive"])')"
EPOCH_B=$(hl_ha_field B 'd["epoch"]')
check_eq "(b) B's epoch: max(its own, A's) + 1" "$((EPOCH_A + 1))" "$EPOCH_B"
# The loser by ha_role.h's rule (higher priority wins, then higher epoch, then lower node id),
# computed from what each one reports during the split.
VIEW_A=$(hl_ha_field A '"%d %d %d" % (d["priority"], d["epoch"], d["node_id"])')
VIEW_B=$(hl_ha_field B '"%d %d %d" % (d["priority"], d["epoch"], d["node_id"])')
LOSER=$("$PY" -c '
import sys
a, b = (tuple(int(x) for x in v.split()) for v in sys.argv[1:3])
key = lambda v: (v[0], v[1], -v[2])
print("B" if key(a) > key(b) else "A")
' "$VIEW_A" "$VIEW_B")
t_log "during the split: A (priority epoch node) $VIEW_A, B $VIEW_B: the loser is $LOSER"
check_eq "(b) the loser by the winner rule (A $VIEW_A, B $VIEW_B)" B "$LOSER"
sleep 1.5
T_HEAL=$(hl_now)
hl_run hub ip link set dev au up && hl_run hub ip link set dev at up &&
	hl_run gwa ip link set dev s up || fatal "heal every link of A"
t_log "every link of A healed at $T_HEAL"
for i in $(seq 40); do
	[ "$(hl_ha_field B 'd["role"]')" = standby ] && break
	sleep 0.05
done
SINCE=$(hl_ha_field B 'd["role_since_ms_ago"]')
T_Q=$(hl_now)
# The time B went standby, at the latest (T_Q is taken after the answer).
T_B_STANDBY=$("$PY" -c "print('%.3f' % ($T_Q - $SINCE / 1000.0))")
check_eq "(b) heal: roles A, B" "active standby" \
	"$(hl_ha_field A 'd["role"]') $(hl_ha_field B 'd["role"]')"
check_eq "(b) heal: B (the loser) standby by split-brain" "standby split-brain" \
	"$(hl_ha_field B '"%s %s" % (d["role"], d["reason"])')"
dt=$("$PY" -c "print(max(0, int(round(($T_B_STANDBY - $T_HEAL) * 1000))))")
t_log "B standby at $T_B_STANDBY, $dt ms after the heal"
check_le "(b) heal: one active within 1 s (B standby after the heal, ms)" 999 "$dt"
check_eq "(b) A never changed role: reason, takeovers" "startup-alone 0" \
	"$(hl_ha_field A '"%s %d" % (d["reason"], d["takeovers"])')"
check "(b) heal: B in sync" hl_wait_cj true 50 B show ha 'd["in_sync"]'
check_eq "(b) heal: B bulk syncs received (one more)" "$((BULK_B0 + 1))" \
	"$(hl_ha_field B 'd["sync"]["bulk_syncs_received"]')"
check_eq "(b) heal: A holds: sas sas_active ike_sas child_sas" "4 4 $N $N" \
	"$(hl_ha_field A "$HELD")"
check_eq "(b) heal: B holds: sas sas_active ike_sas child_sas" "4 0 $N $N" \
	"$(hl_ha_field B "$HELD")"
pings_wait
for i in $(seq "$N"); do
	res=$("$PY" "$GAP" "$T_TMP/ping-b-cut-$i.out")
	t_log "ha_gap client $i (cut and heal): $res"
done
sleep 1
pings_start b-after 200
pings_wait
pings_check b-after 200
check_eq "(b) clients' IKE and CHILD SPIs unchanged" "$SPIS0" "$(hl_client_spis "$N")"
hl_capture_stop
res=$("$PY" "$CHECK" "$CAP" --takeover "$T_HEAL" 2>"$T_TMP/check-heal.err")
rc=$?
t_log "ha_check (heal at $T_HEAL): $res $(cat "$T_TMP/check-heal.err")"
check_eq "(b) wire, heal: ha_check verdict (exit status)" "pass 0" \
	"$(json 'd["verdict"]' <<<"$res") $rc"
res=$("$PY" "$CHECK" "$CAP" --takeover "$T_CUT" 2>"$T_TMP/check-cut.err")
rc=$?
t_log "ha_check (cut at $T_CUT): $(json '"%s ike %s esp %s" % (d["verdict"], d["ike"],
	d["esp_packets"])' <<<"$res") $(cat "$T_TMP/check-cut.err")"
check_eq "(b) wire: no IKE_SA_INIT / IKE_AUTH after the cut" "None None" \
	"$(json '"%s %s" % (d["ike"]["after"].get("34"), d["ike"]["after"].get("35"))' <<<"$res")"
[ -n "${LAB_SAVE_LOGS:-}" ] && mkdir -p "$LAB_SAVE_LOGS" && cp -f "$CAP" "$T_TMP"/ping-*.out \
	"$LAB_SAVE_LOGS/"
exit 0
