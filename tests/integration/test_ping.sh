#!/usr/bin/env bash
# IPv4 and IPv6 ping from the client through hagw to the lan host (connected route) and to
# the network behind it (gateway route); exact forwarded counters after "clear stats", the
# TTL / hop limit decremented once, `show stats` in JSON and text.
. "$(dirname "$0")/lib.sh"
t_init ping
t_lab_up

N=5
DESTS=("$LAB_L4" "$LAB_NET4" "$LAB_L6" "$LAB_NET6")

# Warm-up: neighbours on both sides resolve (the first packet may wait in hagw's hold queue).
for dst in "${DESTS[@]}"; do
	if t_retry 5 lab_run c ping -c 1 -W 2 "$dst" >/dev/null; then
		ok "warm-up ping $dst"
	else
		fail "warm-up ping $dst"
	fi
done

for dst in "${DESTS[@]}"; do
	t_log "$N pings to $dst"
	ctl clear stats >/dev/null || fail "clear stats"
	out=$(lab_run c ping -c "$N" -i 0.2 -w 10 "$dst" 2>&1)
	check_contains "ping $dst: $N transmitted, $N received" "$N packets transmitted, $N received" "$out"
	# The lan host answers with TTL / hop limit 64; hagw decrements it once on the way back.
	check_contains "ping $dst: replies have ttl 63 (one router hop)" "ttl=63" "$out"
	sleep 0.2
	t_stats
	check "show stats --json parses as JSON" "$PY" -c 'import json,sys; json.loads(sys.argv[1])' "$T_STATS"
	check_eq "$dst: client forwarded (requests)" "$N" "$(pstat client forwarded)"
	check_eq "$dst: lan forwarded (replies)" "$N" "$(pstat lan forwarded)"
	check_ge "$dst: client rx_packets" "$N" "$(pstat client rx_packets)"
	check_ge "$dst: lan rx_packets" "$N" "$(pstat lan rx_packets)"
	check_ge "$dst: client tx_packets" "$N" "$(pstat client tx_packets)"
	check_ge "$dst: lan tx_packets" "$N" "$(pstat lan tx_packets)"
	# Neighbour upkeep (ARP/NS to hagw) is punted, never dropped; nothing else arrives.
	check_no_other_drops client
	check_no_other_drops lan
	check_eq "$dst: client dropped" 0 "$(pstat client dropped)"
	check_eq "$dst: lan dropped" 0 "$(pstat lan dropped)"

	text=$(ctl show stats) || fail "hagwctl show stats (text)"
	check_eq "text show stats: client forwarded" "$N" "$(text_stat "$text" client forwarded)"
	check_eq "text show stats: lan forwarded" "$N" "$(text_stat "$text" lan forwarded)"
	check_eq "text show stats: client dropped" 0 "$(text_stat "$text" client dropped)"
done

# Echo requests to hagw's own addresses are answered by the control core: punted, not forwarded.
ctl clear stats >/dev/null
out=$(lab_run c ping -c 2 -i 0.2 -w 10 "$LAB_GWC4" 2>&1)
check_contains "ping hagw $LAB_GWC4: answered" "2 packets transmitted, 2 received" "$out"
out=$(lab_run c ping -c 2 -i 0.2 -w 10 "$LAB_GWC6" 2>&1)
check_contains "ping hagw $LAB_GWC6: answered" "2 packets transmitted, 2 received" "$out"
t_stats
check_eq "echo to hagw: client forwarded" 0 "$(pstat client forwarded)"
check_ge "echo to hagw: client punted" 4 "$(pstat client punted)"
check_no_other_drops client
