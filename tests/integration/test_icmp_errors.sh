#!/usr/bin/env bash
# ICMP errors from hagw, seen on the client's wire (tcpdump, decoded by tshark):
#   TTL 1 / hop limit 1            -> time exceeded (11/0, ICMPv6 3/0) from the client port
#   no route                        -> destination net unreachable (3/0, ICMPv6 1/0)
#   DF and larger than the lan MTU  -> fragmentation needed (3/4) / packet too big (ICMPv6 2),
#                                      MTU 1400
#   IPv4 without DF, too large      -> dropped as mtu_exceeded, no ICMP
# and the rate limit: icmp_rate 5, icmp_burst 5, 50 TTL-expired packets in < 1 s give at
# most 10 errors, and icmp_rate_limited counts exactly the ones not sent.
. "$(dirname "$0")/lib.sh"
t_init icmp
LAB_LAN_MTU=1400
LAB_DP_EXTRA="icmp_rate = 5; icmp_burst = 5;"
t_lab_up

FRAMES=$T_DIR/frames.py
hagw_mac=$(ctl --json show ports | json "[p for p in d if p['name'] == 'client'][0]['mac']")
check_eq "lan port MTU from the lab env" 1400 \
	"$(ctl --json show ports | json "[p for p in d if p['name'] == 'lan'][0]['mtu']")"

t_retry 5 lab_run c ping -c 1 -W 2 "$LAB_L4" >/dev/null || fail "warm-up ping $LAB_L4"
t_retry 5 lab_run c ping -c 1 -W 2 "$LAB_L6" >/dev/null || fail "warm-up ping $LAB_L6"
lab_run c ip route add 10.0.0.0/8 via "$LAB_GWC4" || fail "client route 10.0.0.0/8"
lab_run c ip -6 route add 2001:db8:99::/48 via "$LAB_GWC6" || fail "client route 2001:db8:99::/48"
sleep 1.2	# full token bucket

cap=$T_TMP/errors.pcap
t_capture_start cap_pid c "$LAB_IF_C" "$cap" \
	"(icmp and icmp[0] != 0 and icmp[0] != 8) or (icmp6 and ip6[40] < 128)"
ctl clear stats >/dev/null

# Each probe: ping output, then a pause so the bucket (5/s) never runs dry here.
probe() {
	local msg=$1 want=$2
	shift 2
	local out
	out=$(lab_run c "$@" 2>&1)
	check_contains "$msg" "$want" "$out"
	sleep 0.4
}
probe "ping -t 1 $LAB_L4: time to live exceeded from $LAB_GWC4" \
	"From $LAB_GWC4 icmp_seq=1 Time to live exceeded" ping -c 1 -W 2 -t 1 "$LAB_L4"
probe "ping -t 1 $LAB_L6: time exceeded from $LAB_GWC6" \
	"From $LAB_GWC6 icmp_seq=1 Time exceeded: Hop limit" ping -6 -c 1 -W 2 -t 1 "$LAB_L6"
probe "ping 10.1.2.3: destination net unreachable from $LAB_GWC4" \
	"From $LAB_GWC4 icmp_seq=1 Destination Net Unreachable" ping -c 1 -W 2 10.1.2.3
probe "ping 2001:db8:99::1: destination unreachable (no route) from $LAB_GWC6" \
	"From $LAB_GWC6 icmp_seq=1 Destination unreachable: No route" ping -6 -c 1 -W 2 2001:db8:99::1
probe "ping -M do -s 1450 $LAB_L4: frag needed, mtu 1400" \
	"From $LAB_GWC4 icmp_seq=1 Frag needed and DF set \(mtu = 1400\)" \
	ping -c 1 -W 2 -M do -s 1450 "$LAB_L4"
probe "ping -6 -s 1450 $LAB_L6: packet too big, mtu 1400" \
	"From $LAB_GWC6 icmp_seq=1 Packet too big: mtu=1400" ping -6 -c 1 -W 2 -s 1450 "$LAB_L6"
# Without DF hagw neither fragments nor answers.
out=$(lab_run c ping -c 1 -W 1 -M dont -s 1450 "$LAB_NET4" 2>&1)
check_contains "ping -M dont -s 1450 $LAB_NET4: no answer at all" "1 packets transmitted, 0 received" "$out"
sleep 0.5
t_bg_stop "$cap_pid"

t_stats
check_eq "drops.ttl_exceeded" 2 "$(drop client ttl_exceeded)"
check_eq "drops.no_route" 2 "$(drop client no_route)"
check_eq "drops.mtu_exceeded (2 answered + 1 without DF)" 3 "$(drop client mtu_exceeded)"
check_eq "drops.icmp_rate_limited" 0 "$(drop client icmp_rate_limited)"
check_no_other_drops client ttl_exceeded no_route mtu_exceeded

# The wire: exactly these six errors, each from the client port, type/code/MTU exact, with
# the offending packet quoted. Fields: source, destination, quoted destination, type, code,
# MTU (tshark also decodes the quoted headers: the first occurrence is the outer one).
errors() {
	t_fields "$cap" "$1.src" "$1.dst" "$2.type" "$2.code" "$2.mtu" | awk -F'|' '$3 != "" {
		split($1, s, ","); split($2, d, ","); split($3, t, ","); split($4, c, ",")
		split($5, m, ","); print s[1], d[1], d[2], t[1], c[1], (m[1] == "" ? "-" : m[1]) }'
}
v4=$(errors ip icmp)
v6=$(errors ipv6 icmpv6)
check_eq "ICMPv4 errors on the wire" \
	"$LAB_GWC4 $LAB_C4 $LAB_L4 11 0 -
$LAB_GWC4 $LAB_C4 10.1.2.3 3 0 -
$LAB_GWC4 $LAB_C4 $LAB_L4 3 4 1400" "$v4"
check_eq "ICMPv6 errors on the wire" \
	"$LAB_GWC6 $LAB_C6 $LAB_L6 3 0 -
$LAB_GWC6 $LAB_C6 2001:db8:99::1 1 0 -
$LAB_GWC6 $LAB_C6 $LAB_L6 2 0 1400" "$v6"
# RFC 1812 4.3.2.3: at most 576 bytes; RFC 4443 2.4(c): at most 1280 bytes.
maxlen4=$(t_fields "$cap" ip.len icmp.type | awk -F'|' '$2 != "" {split($1, a, ","); if (a[1] > m) m = a[1]} END {print m + 0}')
maxlen6=$(t_fields "$cap" ipv6.plen icmpv6.type | awk -F'|' '$2 != "" {split($1, a, ","); if (a[1] + 40 > m) m = a[1] + 40} END {print m + 0}')
check_le "largest ICMPv4 error (bytes)" 576 "$maxlen4"
check_le "largest ICMPv6 error (bytes)" 1280 "$maxlen6"
check_ge "the packet-too-big error quotes most of the 1498-byte packet (bytes)" 1200 "$maxlen6"

# The rate limit: 50 TTL-expired packets at once.
sleep 1.5	# full bucket again
cap=$T_TMP/rate.pcap
t_capture_start cap_pid c "$LAB_IF_C" "$cap" "icmp and icmp[0] == 11"
ctl clear stats >/dev/null
secs=$(lab_run c "$PY" "$FRAMES" ttl1 "$LAB_IF_C" "$hagw_mac" "$LAB_L4" 50) ||
	fail "send 50 TTL-1 packets"
t_log "50 packets sent in $secs s"
check "50 packets sent in less than 1 s ($secs s)" awk "BEGIN {exit !($secs < 1.0)}"
sleep 1
t_bg_stop "$cap_pid"
got=$(errors ip icmp | grep -c "^$LAB_GWC4 $LAB_C4 $LAB_L4 11 0 -$" || true)
t_log "time exceeded errors received: $got"
check_ge "errors received (burst 5)" 5 "$got"
check_le "errors received (burst 5 + 5/s)" 10 "$got"
t_stats
check_eq "drops.ttl_exceeded" 50 "$(drop client ttl_exceeded)"
check_eq "drops.icmp_rate_limited == 50 - errors received" "$((50 - got))" \
	"$(drop client icmp_rate_limited)"
