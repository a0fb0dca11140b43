#!/usr/bin/env bash
# TCP through hagw: iperf3 client -> lan for 3 s over IPv4 and IPv6. Each transfer completes
# at more than 50 Mbit/s, and hagw's counters grew by at least what iperf3 carried.
. "$(dirname "$0")/lib.sh"
t_init iperf
t_lab_up

MIN_BPS=50000000
SECS=3

t_retry 5 lab_run c ping -c 1 -W 2 "$LAB_L4" >/dev/null || fail "warm-up ping $LAB_L4"
t_retry 5 lab_run c ping -c 1 -W 2 "$LAB_L6" >/dev/null || fail "warm-up ping $LAB_L6"

run_iperf() {
	local dst=$1 port=$2 out srv rc=0 bps bytes retr segs
	ctl clear stats >/dev/null || fail "clear stats"
	t_bg_start srv l iperf3 -s -1 -B "$dst" -p "$port" >/dev/null 2>&1
	sleep 0.5
	out=$(lab_run c timeout 30 iperf3 -c "$dst" -p "$port" -t "$SECS" -J 2>&1) || rc=$?
	t_bg_stop "$srv"
	if [ "$rc" -ne 0 ]; then
		fail "iperf3 to $dst: exit $rc: $(head -c 800 <<<"$out")"
		return
	fi
	ok "iperf3 to $dst completed"
	bps=$(json "int(d['end']['sum_received']['bits_per_second'])" <<<"$out")
	bytes=$(json "d['end']['sum_sent']['bytes']" <<<"$out")
	retr=$(json "d['end']['sum_sent'].get('retransmits', 0)" <<<"$out")
	t_log "iperf3 $dst: $((bps / 1000000)) Mbit/s received, $bytes bytes sent, $retr retransmits"
	check_ge "iperf3 $dst: received bit/s" "$MIN_BPS" "$bps"
	t_stats
	# Every payload byte crossed the client port; segments carry at most 1500-byte datagrams.
	segs=$((bytes / 1500))
	check_ge "$dst: client rx_bytes >= bytes sent by iperf3" "$bytes" "$(pstat client rx_bytes)"
	check_ge "$dst: client forwarded >= bytes / 1500" "$segs" "$(pstat client forwarded)"
	check_ge "$dst: lan tx_packets >= client forwarded" "$(pstat client forwarded)" "$(pstat lan tx_packets)"
	check_ge "$dst: lan forwarded (ACKs) > 0" 1 "$(pstat lan forwarded)"
	# Overload may cost packets (TCP recovers); nothing may be dropped as bad or unroutable.
	check_no_other_drops client tx_full no_mbuf punt_ring_full neigh_unresolved
	check_no_other_drops lan tx_full no_mbuf punt_ring_full neigh_unresolved
	t_log "$dst: drops client $(pstat client dropped), lan $(pstat lan dropped)"
}

run_iperf "$LAB_L4" 5201
run_iperf "$LAB_L6" 5202
