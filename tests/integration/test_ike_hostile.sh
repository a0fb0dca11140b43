#!/usr/bin/env bash
# Hostile input against hagw's IKEv2 daemon (the ASan/UBSan build), with a real strongSwan
# client (charon, kernel-libipsec) in the client namespace; datagrams from
# tests/integration/ike_hostile.py.
#   (1) malformed datagrams to UDP 500 and 4500 (with and without the RFC 3948 non-ESP
#       marker): truncated header, IKE length above / below the datagram, a payload length
#       running past the end, an IKE_SA_INIT without the I flag or without KE, an unknown SPI
#       (answered INVALID_IKE_SPI, RFC 7296 §2.21.4),
#       garbage, an empty datagram, UDP checksum and UDP length errors, an unknown critical
#       payload (answered with UNSUPPORTED_CRITICAL_PAYLOAD naming it, RFC 7296 §2.5, as
#       scapy reads the answer), and in strongSwan's established IKE SA a message with a bad
#       SK ICV and one with a bad SK length. After each, `show ike stats` moved by exactly the
#       expected counters (all others unchanged) or, for what the data path drops, `show
#       stats` by exactly one drop of the expected reason; the IKE SA stays up.
#   (2) an IKE_SA_INIT flood from 200 source addresses (cookie_threshold 20, half_open_max 40,
#       half_open_per_source 2, RFC 7296 §2.6): the first 20 requests are answered in full, the
#       next 2400 (at 400/s) with a COOKIE (counted by the sender, by hagw, and on the wire),
#       half-open stays at 20; strongSwan started during the flood gets a COOKIE, retries and
#       establishes its IKE and CHILD SA (ping through the tunnel); sources that return their
#       cookies get at most 2 half-open SAs each and 40 in all, the rest dropped
#       (half_open_rejected). The half-open SAs live 30 s: (2) must end within that.
#   At the end: hagw alive (same pid), no mbuf more in use, no drop in the data path since the
#   flood began (NAT-keepalives aside), no sanitizer report (lab down).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
t_init ikehostile

swan_check_install
command -v tshark >/dev/null || fatal "missing tool: tshark"
HOSTILE=$T_DIR/ike_hostile.py
GW=$LAB_GWC4
PSK=hostile-test-psk-0123456789
THRESH=20
HALF_OPEN_MAX=40
PER_SOURCE=2
FLOOD_FIRST=192.0.2.50	# 192.0.2.50 .. 192.0.2.249 on the client's interface
FLOOD_SOURCES=200
FLOOD_N=2400

(umask 077 && echo "$PSK" >"$T_TMP/psk.secret") || fatal "secret file"
LAB_CONF_EXTRA="ike = {
	cookie_threshold = $THRESH; half_open_max = $HALF_OPEN_MAX;
	half_open_per_source = $PER_SOURCE;
	secrets = ( { ids = [ \"client.example\" ]; file = \"$T_TMP/psk.secret\"; } );
	connections = ( {
		name = \"rw\";
		local = { id = \"gw.example\"; auth = \"psk\"; };
		remote = { id = \"client.example\"; auth = \"psk\"; };
		proposals = [ \"aes128gcm16-prfsha256-x25519\" ];
		dpd_delay = 0;
		children = ( { name = \"net\"; local_ts = [ \"203.0.113.0/24\" ];
			esp_proposals = [ \"aes128gcm16\" ]; } );
	} );
};"
t_lab_up

# The flood's source addresses (the kernel answers hagw's ARP for them).
"$PY" -c '
import ipaddress, sys
a = ipaddress.IPv4Address(sys.argv[1])
for i in range(int(sys.argv[2])):
    print("addr add %s/32 dev %s" % (a + i, sys.argv[3]))
' "$FLOOD_FIRST" "$FLOOD_SOURCES" "$LAB_IF_C" | ip -n "$LAB_NS_C" -batch - ||
	fatal "flood source addresses"

t_capture_start cap c "$LAB_IF_C" "$T_TMP/wire.pcap" "udp port 500 or udp port 4500"
SC=$T_TMP/client
swan_setup "$SC" "$LAB_NS_C" || fatal "swan_setup"
swan_conf "$SC" conn=home local_addrs="$LAB_C4" remote_addrs="$GW" auth=psk psk="$PSK" \
	local_id=client.example remote_id=gw.example remote_ts=203.0.113.0/24 \
	ike_proposals=aes128gcm16-prfsha256-x25519 esp_proposals=aes128gcm16 mobike=no
swan_start pid_c "$SC" || fatal "charon start: $(swan_log "$SC" | tail -n 20)"
swan_load "$SC" || fatal "swanctl --load-all"
pid_before=$(ctl --json show version | json "d['pid']")

# ---- helpers ----
ike_stats() { ctl --json show ike stats; }
ike_field() { ike_stats | json "d['$1']"; }

# The counters that moved between two `show ike stats` answers: "k=+n ..." (sorted).
ike_delta() {
	"$PY" -c '
import json, sys
a, b = (json.loads(x) for x in sys.argv[1:3])
a, b = a.get("data", a), b.get("data", b)
gauges = ("ike_sas", "child_sas", "half_open")
print(" ".join("%s=+%d" % (k, b[k] - a[k]) for k in sorted(b)
               if k not in gauges and b[k] != a[k]) or "none")
' "$1" "$2"
}

# ike_case TAG WANT CMD...: CMD sends something; `show ike stats` must move by exactly WANT
# (e.g. "rx_invalid=+1 rx_msgs=+1"). Polls up to 3 s for the counters to settle.
ike_case() {
	local tag=$1 want=$2 before got i
	shift 2
	before=$(ike_stats)
	CASE_OUT=$("$@") || { fail "$tag: sending failed: $CASE_OUT"; return; }
	for i in $(seq 30); do
		got=$(ike_delta "$before" "$(ike_stats)")
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	check_eq "$tag: show ike stats moved by" "$want" "$got"
}

# dp_case TAG REASON CMD...: the data path drops it (one drop of REASON on the client
# port), the IKE daemon never sees it.
dp_case() {
	local tag=$1 reason=$2 before ike_before got i
	shift 2
	t_stats
	before=$(drop client "$reason")
	ike_before=$(ike_stats)
	"$@" >/dev/null || { fail "$tag: sending failed"; return; }
	for i in $(seq 30); do
		t_stats
		got=$(($(drop client "$reason") - before))
		[ "$got" -ge 1 ] && break
		sleep 0.1
	done
	sleep 0.2
	t_stats
	check_eq "$tag: drops.$reason +1, IKE saw nothing" "1 none" \
		"$(($(drop client "$reason") - before)) $(ike_delta "$ike_before" "$(ike_stats)")"
}

send() { lab_run c "$PY" "$HOSTILE" send "$GW" "$@"; }

# One echo to the network behind hagw that comes back through strongSwan's CHILD SA.
tunnel_ping() {
	local before
	before=$(swan_child packets-in)
	lab_run c ping -c 1 -W 2 -I "$LAB_C4" "$LAB_NET4" >/dev/null &&
		[ "$(swan_child packets-in)" -gt "${before:-0}" ] 2>/dev/null
}

swan_child() {
	swan_sa_field "$SC" "[c['$1'] for c in d['home']['child-sas'].values()
		if c['state'] == 'INSTALLED'][0]"
}

sa_state() {
	ctl --json show ike-sas | json "[s['state'] for s in d if s['remote_id'] == 'client.example']"
}

# ---- (1) a real IKE SA, then malformed input ----
out=$(swan_initiate "$SC" net 20)
check_contains "strongSwan established its IKE SA and CHILD SA" \
	"initiate completed successfully" "$out"
check "strongSwan: IKE SA ESTABLISHED, CHILD SA INSTALLED" swan_wait "$SC" \
	"[d['home']['state']] + [c['state'] for c in d['home']['child-sas'].values()]" \
	'["ESTABLISHED", "INSTALLED"]'
check_eq "hagw: the IKE SA is established" '["established"]' "$(sa_state)"
sleep 0.5
t_stats
mbufs_base=$(resource mbufs_in_use)
t_log "baseline: mbufs_in_use $mbufs_base, ike stats $(ike_stats | tr -d '\n ')"
check_eq "no half-open IKE SA before the hostile input" 0 "$(ike_field half_open)"

INV="rx_invalid=+1 rx_msgs=+1"
for port in 500 4500; do
	m='' t=$port
	[ "$port" = 4500 ] && m=--marker t="4500 (marker)"
	ike_case "$t truncated header (20 octets)" "$INV" send "$port" trunc $m
	ike_case "$t IKE length above the datagram" "$INV" send "$port" len-big $m
	ike_case "$t IKE length below the datagram" "$INV" send "$port" len-small $m
	ike_case "$t payload length past the end" "$INV" send "$port" pl-past-end $m
	ike_case "$t IKE_SA_INIT request without the I flag" "$INV" send "$port" no-i-flag $m
	ike_case "$t IKE_SA_INIT without KE" "$INV" send "$port" no-ke $m
	ike_case "$t garbage (200 octets)" "$INV" send "$port" garbage $m
	# RFC 7296 §2.21.4: a request for an unknown SA is answered INVALID_IKE_SPI (4), one
	# such answer per second (IKE_CTX_INVALID_SPI_MS)
	sleep 1.1
	ike_case "$t INFORMATIONAL of an unknown SA" "rx_msgs=+1 rx_unknown_spi=+1 tx_msgs=+1" \
		send "$port" unknown-spi $m --reply 2
	check_contains "$t: answered INVALID_IKE_SPI, the SPIs copied (scapy)" \
		"^reply exch=37 resp=1 spi_i=[0-9a-f]{16} notify=4:$" "$(tail -n 1 <<<"$CASE_OUT")"
done
ike_case "500 empty datagram" "$INV" send 500 empty
ike_case "500 with a non-ESP marker (only 4500 has one)" "$INV" send 500 good --marker
ike_case "4500 marker and nothing else" "$INV" send 4500 empty --marker

# An unknown critical payload: rejected, and answered (RFC 7296 §2.5) with an IKE_SA_INIT
# response holding UNSUPPORTED_CRITICAL_PAYLOAD (1) whose data is the payload type (200).
for port in 500 4500; do
	m='' t=$port
	[ "$port" = 4500 ] && m=--marker t="4500 (marker)"
	ike_case "$t unknown critical payload" "rx_invalid=+1 rx_msgs=+1 tx_msgs=+1" \
		send "$port" critical $m --reply 2
	check_contains "$t: answered UNSUPPORTED_CRITICAL_PAYLOAD naming type 200 (scapy)" \
		"^reply exch=34 resp=1 spi_i=[0-9a-f]{16} notify=1:c8$" "$(tail -n 1 <<<"$CASE_OUT")"
done

# What the data path keeps from the IKE daemon.
dp_case "4500 IKE without the marker (ESP of an unknown SPI)" esp_unknown_spi \
	send 4500 trunc
dp_case "4500 IKE_SA_INIT without the marker" esp_unknown_spi send 4500 good
dp_case "4500 three octets" esp_malformed send 4500 short3
dp_case "4500 NAT-keepalive" natt_keepalive send 4500 keepalive
dp_case "500 bad UDP checksum" local_unsupported lab_run c "$PY" "$HOSTILE" udp "$GW" 500 badsum
dp_case "4500 bad UDP checksum" local_unsupported \
	lab_run c "$PY" "$HOSTILE" udp "$GW" 4500 badsum
dp_case "500 UDP length above the IP payload" local_unsupported \
	lab_run c "$PY" "$HOSTILE" udp "$GW" 500 ulen-big
dp_case "4500 UDP length above the IP payload" malformed \
	lab_run c "$PY" "$HOSTILE" udp "$GW" 4500 ulen-big
dp_case "4500 UDP length below the IP payload" malformed \
	lab_run c "$PY" "$HOSTILE" udp "$GW" 4500 ulen-small
# Below the IP payload on 500: the UDP length rules, the IKE message is cut short.
ike_case "500 UDP length below the IP payload" "$INV" \
	lab_run c "$PY" "$HOSTILE" udp "$GW" 500 ulen-small

# strongSwan's IKE_AUTH request (captured) replayed as the next request of its IKE SA.
msgid=$(ctl --json show ike-sas | json "[s['msgid_recv'] for s in d
	if s['remote_id'] == 'client.example'][0]")
ike_case "SA message with a flipped SK ICV octet" "rx_bad_icv=+1 rx_msgs=+1" \
	lab_run c "$PY" "$HOSTILE" sk "$GW" "$T_TMP/wire.pcap" "$msgid" badicv
ike_case "SA message with an SK length past the end" "$INV" \
	lab_run c "$PY" "$HOSTILE" sk "$GW" "$T_TMP/wire.pcap" "$msgid" sklen
check_eq "hagw: the IKE SA is still established, message IDs unchanged" \
	"[\"established\"] $msgid" "$(sa_state) $(ctl --json show ike-sas | json "[s['msgid_recv']
		for s in d if s['remote_id'] == 'client.example'][0]")"
check_eq "strongSwan: IKE SA still ESTABLISHED" ESTABLISHED \
	"$(swan_sa_field "$SC" "d['home']['state']")"
check "ping through the tunnel after the malformed input" t_retry 3 tunnel_ping

out=$(swan_ctl "$SC" --terminate --ike home --timeout 10 2>&1)
check_contains "strongSwan closed its IKE SA" "terminate completed successfully" "$out"
no_ike_sa() { [ "$(ike_field ike_sas)" = 0 ]; }
check "hagw: no IKE SA left" t_retry 5 no_ike_sa

# ---- (2) the flood ----
ctl clear stats >/dev/null || fail "clear stats"
s0=$(ike_stats)
rm -f "$T_TMP/flood.b"
t_bg_start fpid c "$PY" "$HOSTILE" flood "$GW" "$FLOOD_FIRST" "$FLOOD_SOURCES" "$THRESH" \
	"$FLOOD_N" "$T_TMP/flood" >"$T_TMP/flood.json"
for i in $(seq 100); do
	[ -e "$T_TMP/flood.b" ] && break
	sleep 0.1
done
[ -e "$T_TMP/flood.b" ] || fatal "the flood did not reach phase B"
check_eq "phase A done: half-open = cookie_threshold" "$THRESH" "$(ike_field half_open)"
sleep 1
mark=$(swan_log_mark "$SC")
out=$(swan_initiate "$SC" net 20)
check_contains "strongSwan established its IKE and CHILD SA during the flood" \
	"initiate completed successfully" "$out"
check_ge "strongSwan: retried with the COOKIE" 1 \
	"$(swan_log_since "$SC" "$mark" | grep -c 'received COOKIE notify')"
wait "$fpid" || fail "flood sender exited non-zero"
flood=$(cat "$T_TMP/flood.json")
t_log "flood: $flood"
check_eq "flood A: the first $THRESH requests answered in full" \
	"{\"full\": $THRESH, \"cookie\": 0, \"none\": 0, \"other\": 0}" "$(json "d['a']" <<<"$flood")"
check_eq "flood B: all $FLOOD_N requests answered with a COOKIE" \
	"{\"full\": 0, \"cookie\": $FLOOD_N, \"none\": 0, \"other\": 0}" "$(json "d['b']" <<<"$flood")"
check "strongSwan: IKE SA ESTABLISHED, CHILD SA INSTALLED" swan_wait "$SC" \
	"[d['home']['state']] + [c['state'] for c in d['home']['child-sas'].values()]" \
	'["ESTABLISHED", "INSTALLED"]'
check_eq "hagw: strongSwan's IKE SA is established" '["established"]' \
	"$(ctl --json show ike-sas | json "[s['state'] for s in d
		if s['remote_id'] == 'client.example']")"
check "ping through the tunnel made during the flood" t_retry 3 tunnel_ping
s1=$(ike_stats)
check_eq "half-open after the flood = cookie_threshold" "$THRESH" \
	"$(json "d['half_open']" <<<"$s1")"
sw_cookies=$(t_fields "$T_TMP/wire.pcap" ip.src ip.dst isakmp.notify.msgtype |
	awk -F'|' -v gw="$GW" -v c="$LAB_C4" '$1 == gw && $2 == c && $3 ~ /(^|,)16390(,|$)/' |
	wc -l)
check_eq "on the wire: strongSwan got exactly one COOKIE" 1 "$sw_cookies"
check_eq "hagw: cookies_sent = flood + strongSwan, no half-open rejected" \
	"cookies_sent=+$((FLOOD_N + sw_cookies)) half_open_rejected=+0 ike_sas_established=+$((1))" \
	"$(json "'cookies_sent=+%d half_open_rejected=+%d ike_sas_established=+%d' % (
		d['cookies_sent'] - $(json "d['cookies_sent']" <<<"$s0"),
		d['half_open_rejected'] - $(json "d['half_open_rejected']" <<<"$s0"),
		d['ike_sas_established'] - $(json "d['ike_sas_established']" <<<"$s0"))" <<<"$s1")"

# Sources that answer their cookies: at most half_open_per_source each, half_open_max in all.
c_first=$("$PY" -c "import ipaddress; print(ipaddress.IPv4Address('$FLOOD_FIRST') + $THRESH)")
out=$(lab_run c "$PY" "$HOSTILE" limits "$GW" "$c_first" 5 3)
check_eq "5 sources x 3 requests, cookies returned: 2 half-open each, the third dropped" \
	'{"full": 10, "cookie": 10, "none": 5, "other": 0}' "$out"
s2=$(ike_stats)
check_eq "hagw: half-open +10, 5 rejected, 10 cookies" \
	"$((THRESH + 10)) cookies_sent=+10 half_open_rejected=+5 rx_msgs=+25 tx_msgs=+20" \
	"$(json "d['half_open']" <<<"$s2") $(ike_delta "$s1" "$s2")"
d_first=$("$PY" -c "import ipaddress; print(ipaddress.IPv4Address('$c_first') + 5)")
out=$(lab_run c "$PY" "$HOSTILE" limits "$GW" "$d_first" 15 1)
check_eq "15 more sources: 10 reach half_open_max, 5 dropped at once" \
	'{"full": 10, "cookie": 10, "none": 5, "other": 0}' "$out"
s3=$(ike_stats)
check_eq "hagw: half-open = half_open_max, 5 more rejected" \
	"$HALF_OPEN_MAX cookies_sent=+10 half_open_rejected=+5 rx_msgs=+25 tx_msgs=+20" \
	"$(json "d['half_open']" <<<"$s3") $(ike_delta "$s2" "$s3")"

sleep 0.5
t_bg_stop "$cap"
total_cookies=$(t_fields "$T_TMP/wire.pcap" ip.src isakmp.notify.msgtype |
	awk -F'|' -v gw="$GW" '$1 == gw && $2 ~ /(^|,)16390(,|$)/' | wc -l)
check_eq "on the wire: COOKIE notifies = hagw's cookies_sent" \
	"$(($(json "d['cookies_sent']" <<<"$s3") - $(json "d['cookies_sent']" <<<"$s0")))" \
	"$total_cookies"
check_eq "strongSwan's SA survived the limits" ESTABLISHED \
	"$(swan_sa_field "$SC" "d['home']['state']")"

# ---- the end: alive, no mbuf leaked ----
check_eq "hagw still the same process" "$pid_before" \
	"$(ctl --json show version | json "d['pid']")"
out=$(swan_ctl "$SC" --terminate --ike home --timeout 10 2>&1)
check_contains "strongSwan closed its IKE SA" "terminate completed successfully" "$out"
mbufs_now=
for i in $(seq 25); do
	t_stats
	mbufs_now=$(resource mbufs_in_use)
	[ "$mbufs_now" = "$mbufs_base" ] && break
	sleep 0.2
done
check_eq "resources.mbufs_in_use back to the baseline" "$mbufs_base" "$mbufs_now"
# Since the flood began the data path dropped nothing on the client port (strongSwan's
# NAT-keepalives aside) and nothing on the lan port.
check_no_other_drops client natt_keepalive
check_eq "lan dropped" 0 "$(pstat lan dropped)"
if [ -n "${LAB_SAVE_LOGS:-}" ]; then
	mkdir -p "$LAB_SAVE_LOGS" && cp -f "$T_TMP/wire.pcap" "$LAB_SAVE_LOGS/"
fi
swan_save_logs "$SC" client
swan_stop "$SC"
