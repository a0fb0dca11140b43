#!/usr/bin/env bash
# Bad input on the client port: exact numbers of garbage, truncated IPv4/IPv6/ARP/L4, unknown
# ethertype, VLAN-tagged, oversize, foreign-MAC, ARP/ND-not-for-us, bad-checksum, martian,
# unroutable and unserved-local frames (tests/integration/frames.py). Each drop reason must
# count exactly what was sent for it; afterwards hagw is alive, still forwards, and has no
# mbuf more in use than before.
. "$(dirname "$0")/lib.sh"
t_init badin
t_lab_up

COUNT=10
FRAMES=$T_DIR/frames.py
hagw_mac=$(ctl --json show ports | json "[p for p in d if p['name'] == 'client'][0]['mac']") ||
	fatal "client port MAC from show ports"
pid_before=$(ctl --json show version | json "d['pid']")

# Warm-up, then a quiet baseline.
t_retry 5 lab_run c ping -c 1 -W 2 "$LAB_L4" >/dev/null || fail "warm-up ping"
t_retry 5 lab_run c ping -c 1 -W 2 "$LAB_L6" >/dev/null || fail "warm-up ping6"
sleep 1
ctl clear stats >/dev/null || fatal "clear stats"
t_stats
mbufs_base=$(resource mbufs_in_use)
t_log "baseline: mbufs_in_use $mbufs_base"

# Frames of 1518 bytes must leave the client: its veth MTU is raised to 1504 so the kernel
# sends them; hagw's port MTU stays 1500 (the peer veth accepts MTU + 18 bytes).
lab_run c ip link set "$LAB_IF_C" mtu 1504 || fail "raise client MTU"

declare -A want=()
while read -r cls reason; do
	sent_reason=$(lab_run c "$PY" "$FRAMES" send "$LAB_IF_C" "$hagw_mac" "$cls" "$COUNT") ||
		{ fail "send $cls"; continue; }
	check_eq "sent $COUNT $cls frames, counted as" "$reason" "$sent_reason"
	want[$reason]=$((${want[$reason]:-0} + COUNT))
	sleep 0.05
done < <("$PY" "$FRAMES" classes)
lab_run c ip link set "$LAB_IF_C" mtu 1500

total=0
for r in "${!want[@]}"; do total=$((total + want[$r])); done
# Wait until everything sent is counted (the control core handles punted frames).
for i in $(seq 50); do
	t_stats
	[ "$(pstat client dropped)" -ge "$total" ] 2>/dev/null && break
	sleep 0.2
done
sleep 0.5
t_stats
t_log "client drops: $(json "[p for p in d['ports'] if p['name'] == 'client'][0]['drops']" <<<"$T_STATS")"
for r in $(printf '%s\n' "${!want[@]}" | sort); do
	check_eq "drops.$r" "${want[$r]}" "$(drop client "$r")"
done
check_no_other_drops client "${!want[@]}"
check_eq "client dropped (total)" "$total" "$(pstat client dropped)"
check_eq "client forwarded (nothing of this was forwardable)" 0 "$(pstat client forwarded)"
check_eq "lan forwarded" 0 "$(pstat lan forwarded)"
check_eq "lan dropped" 0 "$(pstat lan dropped)"

# Alive, same process, still forwarding.
check_eq "hagw still the same process" "$pid_before" "$(ctl --json show version | json "d['pid']")"
out=$(lab_run c ping -c 3 -i 0.2 -W 2 "$LAB_L4" 2>&1)
check_contains "ping $LAB_L4 after the bad input" "3 packets transmitted, 3 received" "$out"
out=$(lab_run c ping -c 3 -i 0.2 -W 2 "$LAB_NET6" 2>&1)
check_contains "ping $LAB_NET6 after the bad input" "3 packets transmitted, 3 received" "$out"

# No leaked mbuf: back to the baseline once the pings are done.
mbufs_now=
for i in $(seq 25); do
	t_stats
	mbufs_now=$(resource mbufs_in_use)
	[ "$mbufs_now" = "$mbufs_base" ] && break
	sleep 0.2
done
check_eq "resources.mbufs_in_use back to the baseline" "$mbufs_base" "$mbufs_now"
check_eq "resources.neighbor_held_packets" 0 "$(resource neighbor_held_packets)"
