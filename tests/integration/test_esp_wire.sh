#!/usr/bin/env bash
# The ESP data path wired into the running appliance, against scapy's ESP (esp_wire.py) in the
# client namespace, with static AES-GCM-128 SAs and policies from the config file:
#   - tunnel mode, plain ESP and RFC 3948 ESP-in-UDP: encrypted echo requests from the inner
#     client addresses 10.9.0.5 / 10.9.0.6 reach the lan host in clear (tcpdump, TTL 63), its
#     replies come back encrypted and scapy decrypts them; exact port counters;
#   - what leaves toward the unprotected side goes through the outbound SPD also when it came
#     out of a tunnel or in clear from the client port (RFC 4301 §5.1): 10.9.0.5 -> 10.9.0.6
#     through c1 comes out encrypted with c2-out (hairpin), never in clear; a clear-text
#     packet to 10.9.0.6 is encrypted with c2-out; a decrypted packet to a DISCARD policy's
#     address is discarded (spd_discard), not answered with "no route";
#   - packets the box originates go through the outbound SPD: an echo reply of hagw's own lan
#     address through the tunnel, ICMP time exceeded for an inner TTL 1 packet, an echo reply
#     to a transport-mode peer;
#   - show stats: sa_events_lost per worker and in resources (0: the lifetime events fit);
#   - drops: replayed packet (esp_replay), flipped ciphertext byte (esp_auth), unknown SPI,
#     NAT keepalive, clear text that a PROTECT policy covers (spd_unprotected), a DISCARD
#     policy both ways (spd_discard); per-SA drop counters; no mbuf leaked;
#   - the same lab with LAB_WORKERS=2: ESP-in-UDP of one SA from 16 source ports lands on both
#     RX queues (af_packet fanout hashes the ports), the SA's owner is worker 0, so what worker
#     1 receives is handed off: every packet decrypted, no replay drop, no loss
#     (ESP_WIRE_COUNT packets, default 64).
. "$(dirname "$0")/lib.sh"
t_init esp_wire

PEER="$T_DIR/esp_wire.py"
SAS_JSON=$T_TMP/sas.json
STATE_JSON=$T_TMP/state.json
C1=10.9.0.5		# inner client address of the plain ESP tunnel
C2=10.9.0.6		# inner client address of the ESP-in-UDP tunnel
DISCARDED=10.9.0.99	# a DISCARD policy covers it
N=5

# AES-GCM-128 keys: 16 bytes of key + 4 bytes of salt (RFC 4106 §8.1).
K_C1_IN=000102030405060708090a0b0c0d0e0fa0a1a2a3
K_C1_OUT=101112131415161718191a1b1c1d1e1fb0b1b2b3
K_C2_IN=202122232425262728292a2b2c2d2e2fc0c1c2c3
K_C2_OUT=303132333435363738393a3b3c3d3e3fd0d1d2d3
K_T1_IN=404142434445464748494a4b4c4d4e4fe0e1e2e3
K_T1_OUT=505152535455565758595a5b5c5d5e5ff0f1f2f3

# sa NAME SPI DIR MODE KEY [EXTRA]: one SA of the config.
sa() {
	printf '  { name = "%s"; spi = %s; direction = "%s"; mode = "%s";\n' "$1" "$2" "$3" "$4"
	printf '    algorithm = "aes-gcm-128"; key = "0x%s";\n' "$5"
	printf '    local = "%s"; remote = "%s"; %s },\n' "$LAB_GWC4" "$LAB_C4" "${6:-}"
}

conf_extra() {
	cat <<EOF
neighbors = (
  { port = "client"; address = "$LAB_C4"; mac = "$LAB_MAC_C"; },
  { port = "lan"; address = "$LAB_L4"; mac = "$LAB_MAC_L"; }
);
ipsec = { default_policy = "bypass"; };
sas = (
$(sa c1-in 0x1001 in tunnel $K_C1_IN 'worker = 0;')
$(sa c1-out 0x2001 out tunnel $K_C1_OUT)
$(sa c2-in 0x1002 in tunnel $K_C2_IN \
	'udp_encap = true; worker = 0; lifetime = { soft_packets = 3L; };')
$(sa c2-out 0x2002 out tunnel $K_C2_OUT 'udp_encap = true;')
$(sa t1-in 0x1003 in transport $K_T1_IN)
$(sa t1-out 0x2003 out transport $K_T1_OUT \
	'lifetime = { soft_packets = 2L; hard_packets = 3L; };' | sed '$ s/},$/}/')
);
policies = (
  { priority = 50; action = "protect"; sa = "t1-out"; local = "$LAB_GWC4/32";
    remote = "$LAB_C4/32"; protocol = "icmp"; },
  { priority = 100; action = "protect"; sa = "c1-out"; local = "0.0.0.0/0"; remote = "$C1/32"; },
  { priority = 110; action = "protect"; sa = "c2-out"; local = "0.0.0.0/0"; remote = "$C2/32"; },
  { priority = 120; action = "discard"; local = "0.0.0.0/0"; remote = "$DISCARDED/32"; }
);
EOF
}

# The same SAs as scapy sees them: outer addresses as on the wire in each direction.
write_sas_json() {
	(umask 077 && cat >"$SAS_JSON") <<EOF
{
 "c1-in":  {"spi": 4097, "key": "$K_C1_IN", "src": "$LAB_C4", "dst": "$LAB_GWC4"},
 "c1-out": {"spi": 8193, "key": "$K_C1_OUT", "src": "$LAB_GWC4", "dst": "$LAB_C4"},
 "c2-in":  {"spi": 4098, "key": "$K_C2_IN", "src": "$LAB_C4", "dst": "$LAB_GWC4", "udp": true},
 "c2-out": {"spi": 8194, "key": "$K_C2_OUT", "src": "$LAB_GWC4", "dst": "$LAB_C4", "udp": true},
 "t1-in":  {"spi": 4099, "key": "$K_T1_IN", "src": "$LAB_C4", "dst": "$LAB_GWC4",
           "mode": "transport"},
 "t1-out": {"spi": 8195, "key": "$K_T1_OUT", "src": "$LAB_GWC4", "dst": "$LAB_C4",
           "mode": "transport"}
}
EOF
	rm -f "$STATE_JSON"
}

peer() { lab_run c "$PY" "$PEER" "$SAS_JSON" "$STATE_JSON" "$@"; }

# esp_up: the lab with the SAs, static neighbours on every side (no ARP in the counters) and
# the lan host's route back to the inner client addresses.
esp_up() {
	LAB_CONF_EXTRA=$(conf_extra)
	export LAB_CONF_EXTRA
	t_lab_up
	lab_run c ip neigh replace "$LAB_GWC4" lladdr "$LAB_MAC_GWC" dev "$LAB_IF_C" nud permanent &&
	lab_run l ip neigh replace "$LAB_GWL4" lladdr "$LAB_MAC_GWL" dev "$LAB_IF_L" nud permanent &&
	lab_run l ip route add 10.9.0.0/16 via "$LAB_GWL4" ||
		fatal "static neighbours / route in the namespaces"
	write_sas_json
}

# sa_stat NAME EXPR: EXPR over the SA's JSON object (s) from `show sa NAME`.
sa_stat() {
	ctl --json show sa "$1" 2>/dev/null |
		json "[s for s in (d if isinstance(d, list) else d.get('sas', []))
		       if s['name'] == '$1'][0]$2" 2>/dev/null || echo "missing:$1$2"
}

# rj JSON KEY: a key of the peer's one-line JSON answer.
rj() { json "d['$2']" <<<"$1" 2>/dev/null || echo "missing:$2"; }

# check_echo LABEL OUT COUNT TYPE TTL: the decrypted replies of `peer echo`.
check_echo() {
	check_eq "$1: replies received" "$3" "$(rj "$2" replies)"
	check_eq "$1: replies decrypted by scapy" "$3" "$(rj "$2" decrypted)"
	check_eq "$1: ICMP type of the replies" "[$4]" "$(rj "$2" types)"
	check_eq "$1: inner TTL of the replies" "[$5]" "$(rj "$2" ttls)"
	if [ "$4" = 0 ]; then
		check_eq "$1: every echo sequence number answered" true "$(rj "$2" echo_seqs_ok)"
		check_eq "$1: payload intact" true "$(rj "$2" payload_ok)"
	fi
}

# Port counters of the last t_stats after N requests forwarded one way and N replies back.
check_forward_counts() {
	local label=$1 n=$2
	check_eq "$label: client rx_packets (ESP in)" "$n" "$(pstat client rx_packets)"
	check_eq "$label: client forwarded (decrypted, routed)" "$n" "$(pstat client forwarded)"
	check_eq "$label: client tx_packets (ESP out)" "$n" "$(pstat client tx_packets)"
	check_eq "$label: lan rx_packets (replies in clear)" "$n" "$(pstat lan rx_packets)"
	check_eq "$label: lan forwarded (encrypted)" "$n" "$(pstat lan forwarded)"
	check_eq "$label: lan tx_packets (requests in clear)" "$n" "$(pstat lan tx_packets)"
	check_eq "$label: client punted" 0 "$(pstat client punted)"
	check_eq "$label: client dropped" 0 "$(pstat client dropped)"
	check_eq "$label: lan dropped" 0 "$(pstat lan dropped)"
}

# tunnel_ping LABEL SA_IN SA_OUT INNER_SRC [peer options]: N pings through a tunnel with the
# lan host's view captured.
tunnel_ping() {
	local label=$1 in=$2 out=$3 src=$4 cap=$T_TMP/lan-$2.pcap cap_pid reqs
	shift 4
	# (t_bg_start has a local "pid": a variable of that name here would not be set)
	t_capture_start cap_pid l "$LAB_IF_L" "$cap" "icmp and host $src"
	ctl_quiet clear stats
	out=$(peer echo "$in" "$out" --src "$src" --dst "$LAB_L4" --count "$N" "$@")
	t_log "$label: $out"
	sleep 0.3
	t_bg_stop "$cap_pid"
	check_echo "$label" "$out" "$N" 0 63
	reqs=$(t_fields "$cap" ip.src ip.dst icmp.type ip.ttl | grep -c "^$src|$LAB_L4|8|63$")
	check_eq "$label: lan host got the plaintext requests, TTL 63 (one hop)" "$N" "$reqs"
	t_stats
	check_forward_counts "$label" "$N"
}

# clear_to_c2: a clear-text echo request LAB_C4 -> C2 from the client namespace; prints the
# inner "src dst ttl" of the ESP-in-UDP packet that comes back on port 4500 (c2-out opened
# with scapy), or "none". The socket stays bound meanwhile: no ICMP port unreachable.
clear_to_c2() {
	lab_run c "$PY" - "$LAB_C4" "$C2" "$LAB_GWC4" "$K_C2_OUT" <<'EOF'
import socket, sys
from scapy.all import ICMP, IP, Raw
from scapy.layers.ipsec import ESP, SecurityAssociation
me, dst, gw, key = sys.argv[1:5]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 4500))
u.settimeout(3)
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
r.sendto(bytes(IP(src=me, dst=dst) / ICMP(id=0x4857, seq=1) / b"clear-to-c2"), (dst, 0))
try:
    esp = u.recv(65535)
except socket.timeout:
    print("none")
    sys.exit(0)
sa = SecurityAssociation(ESP, spi=0x2002, crypt_algo="AES-GCM", crypt_key=bytes.fromhex(key),
                         tunnel_header=IP(src=gw, dst=me))
p = sa.decrypt(IP(bytes(IP(src=gw, dst=me, proto=50) / Raw(esp))))
print(p[IP].src, p[IP].dst, p[IP].ttl)
EOF
}

# Out of one tunnel into another: C1 -> C2 has no route in hagw; policy c2-out protects it.
hairpin() {
	local out cap=$T_TMP/client-hairpin.pcap cap_pid c2_out0 c2_out1
	c2_out0=$(sa_stat c2-out "['packets']")
	t_capture_start cap_pid c "$LAB_IF_C" "$cap" "icmp and host $C2"
	ctl_quiet clear stats
	out=$(peer echo c1-in c2-out --src "$C1" --dst "$C2" --count "$N")
	t_log "hairpin $C1 -> $C2: $out"
	sleep 0.3
	t_bg_stop "$cap_pid"
	check_echo "hairpin $C1 -> $C2: the requests come back encrypted with c2-out" "$out" \
		"$N" 8 63
	check_eq "hairpin: inner source kept" "[\"$C1\"]" "$(rj "$out" srcs)"
	check_eq "hairpin: nothing to $C2 in clear on the client link" 0 \
		"$(t_fields "$cap" ip.src | grep -c .)"
	t_stats
	check_eq "hairpin: client rx_packets (ESP in)" "$N" "$(pstat client rx_packets)"
	check_eq "hairpin: client forwarded (re-encrypted)" "$N" "$(pstat client forwarded)"
	check_eq "hairpin: client tx_packets (ESP out)" "$N" "$(pstat client tx_packets)"
	check_eq "hairpin: client punted" 0 "$(pstat client punted)"
	check_eq "hairpin: lan tx_packets" 0 "$(pstat lan tx_packets)"
	check_no_other_drops client
	c2_out1=$(sa_stat c2-out "['packets']")
	check_eq "hairpin: SA c2-out packets" "$((c2_out0 + N))" "$c2_out1"

	# Clear text to a client address from the client side: encrypted for that client too.
	ctl_quiet clear stats
	out=$(clear_to_c2)
	t_log "clear $LAB_C4 -> $C2: $out"
	check_eq "clear $LAB_C4 -> $C2: comes back in c2-out, decrypted: inner src dst ttl" \
		"$LAB_C4 $C2 63" "$out"
	t_stats
	check_eq "clear $LAB_C4 -> $C2: client forwarded" 1 "$(pstat client forwarded)"
	check_eq "clear $LAB_C4 -> $C2: SA c2-out packets" "$((c2_out1 + 1))" \
		"$(sa_stat c2-out "['packets']")"
	check_no_other_drops client

	# Out of the tunnel toward a DISCARD policy (no route either): discarded, no ICMP.
	ctl_quiet clear stats
	peer echo c1-in c1-out --src "$C1" --dst "$DISCARDED" --count 1 --expect 0 >/dev/null
	t_wait_stat client rx_packets 1 || true
	sleep 0.3
	t_stats
	check_eq "tunnel to $DISCARDED: client spd_discard" 1 "$(drop client spd_discard)"
	check_eq "tunnel to $DISCARDED: client punted (no ICMP no-route)" 0 \
		"$(pstat client punted)"
	check_no_other_drops client spd_discard
}

phase_one_worker() {
	local out mbufs0 mbufs1
	t_log "--- one worker ---"
	esp_up
	check_contains "show sa lists the static SAs" "c1-in.*|t1-out" "$(ctl show sa 2>&1)"
	check_eq "SA c1-in: owner worker" 0 "$(sa_stat c1-in "['owner']")"
	t_stats
	mbufs0=$(resource mbufs_in_use)

	tunnel_ping "tunnel ESP" c1-in c1-out "$C1"
	check_eq "SA c1-in: packets" "$N" "$(sa_stat c1-in "['packets']")"
	check_eq "SA c1-out: packets" "$N" "$(sa_stat c1-out "['packets']")"
	check_eq "SA c1-out: sequence number" "$N" "$(sa_stat c1-out "['seq']")"
	tunnel_ping "tunnel ESP-in-UDP" c2-in c2-out "$C2"
	check_eq "SA c2-in: packets" "$N" "$(sa_stat c2-in "['packets']")"
	hairpin

	# Packets the box originates: the SPD applies on the control core too.
	ctl_quiet clear stats
	out=$(peer echo c1-in c1-out --src "$C1" --dst "$LAB_GWL4" --count 3)
	t_log "echo to hagw through the tunnel: $out"
	check_echo "echo to hagw $LAB_GWL4 through the tunnel" "$out" 3 0 64
	check_eq "echo to hagw: replies from $LAB_GWL4" "[\"$LAB_GWL4\"]" "$(rj "$out" srcs)"
	out=$(peer echo c1-in c1-out --src "$C1" --dst "$LAB_L4" --count 1 --ttl 1)
	t_log "inner TTL 1: $out"
	check_echo "inner TTL 1: ICMP time exceeded, encrypted" "$out" 1 11 64
	out=$(peer echo t1-in t1-out --src "$LAB_C4" --dst "$LAB_GWC4" --count 3)
	t_log "transport mode echo to hagw: $out"
	check_echo "transport mode: echo to hagw $LAB_GWC4" "$out" 3 0 64
	t_stats
	check_eq "originated: client punted (2 x 3 echo, 1 TTL)" 7 "$(pstat client punted)"
	check_eq "originated: client forwarded" 0 "$(pstat client forwarded)"
	check_eq "originated: client drops ttl_exceeded" 1 "$(drop client ttl_exceeded)"
	check_eq "originated: client tx_packets (7 ESP answers)" 7 "$(pstat client tx_packets)"
	check_no_other_drops client ttl_exceeded
	check_eq "SA t1-out: packets" 3 "$(sa_stat t1-out "['packets']")"

	# Lifetimes: t1-out reached its soft (2) and hard (3) packet limits with those replies,
	# c2-in its soft limit (3) earlier: NOTICE lines, no key material; the next reply that
	# t1-out would carry is dropped on the control core.
	ctl_quiet clear stats
	out=$(peer echo t1-in t1-out --src "$LAB_C4" --dst "$LAB_GWC4" --count 1 --expect 0 \
		--timeout 1)
	check_eq "t1-out hard-expired: no reply" 0 "$(rj "$out" replies)"
	t_stats
	check_eq "t1-out hard-expired: client esp_lifetime" 1 "$(drop client esp_lifetime)"
	check_eq "t1-out hard-expired: SA lifetime drops" 1 "$(sa_stat t1-out "['drops']['lifetime']")"
	check_eq "t1-out: hard_expired flag" true "$(sa_stat t1-out "['hard_expired']")"
	check_contains "log: t1-out soft lifetime" \
		"SA t1-out spi 0x00002003: soft lifetime reached" "$(cat "$LAB_HAGW_LOG")"
	check_contains "log: t1-out hard lifetime" \
		"SA t1-out spi 0x00002003: hard lifetime reached" "$(cat "$LAB_HAGW_LOG")"
	check_contains "log: c2-in soft lifetime" \
		"SA c2-in spi 0x00001002: soft lifetime reached" "$(cat "$LAB_HAGW_LOG")"
	check_eq "show stats: resources.sa_events_lost" 0 "$(resource sa_events_lost)"
	check_eq "show stats: workers[0].sa_events_lost" 0 \
		"$(json "d['workers'][0]['sa_events_lost']" <<<"$T_STATS" 2>/dev/null)"
	check_eq "log and stderr hold no key material" 0 \
		"$(cat "$LAB_HAGW_LOG" "$LAB_HAGW_ERR" | grep -ciE "${K_C1_IN:0:16}|${K_T1_OUT:0:16}")"

	# Drops, one of each.
	ctl_quiet clear stats
	peer replay c1-in >/dev/null
	peer tamper c1-in >/dev/null
	peer spi c1-in 0x9999 >/dev/null
	peer keepalive >/dev/null
	peer clear --src "$C1" --dst "$LAB_L4" >/dev/null
	peer clear --src "$DISCARDED" --dst "$LAB_L4" >/dev/null
	lab_run l ping -c 1 -W 1 "$DISCARDED" >/dev/null 2>&1
	t_wait_stat client rx_packets 6 || true
	sleep 0.3
	t_stats
	check_eq "replayed ESP: esp_replay" 1 "$(drop client esp_replay)"
	check_eq "flipped ciphertext byte: esp_auth" 1 "$(drop client esp_auth)"
	check_eq "unknown SPI: esp_unknown_spi" 1 "$(drop client esp_unknown_spi)"
	check_eq "NAT keepalive: natt_keepalive" 1 "$(drop client natt_keepalive)"
	check_eq "clear text from $C1: spd_unprotected" 1 "$(drop client spd_unprotected)"
	check_eq "clear text from $DISCARDED (DISCARD policy): spd_discard" 1 \
		"$(drop client spd_discard)"
	check_eq "to $DISCARDED: lan spd_discard" 1 "$(drop lan spd_discard)"
	check_eq "drops: client rx_packets" 6 "$(pstat client rx_packets)"
	check_eq "drops: nothing forwarded" 0 "$(pstat client forwarded)"
	check_no_other_drops client esp_replay esp_auth esp_unknown_spi natt_keepalive \
		spd_unprotected spd_discard
	check_no_other_drops lan spd_discard
	check_eq "SA c1-in: replay drops" 1 "$(sa_stat c1-in "['drops']['replay']")"
	check_eq "SA c1-in: auth drops" 1 "$(sa_stat c1-in "['drops']['auth']")"
	t_stats
	mbufs1=$(resource mbufs_in_use)
	check_eq "mbufs in use back where they were" "$mbufs0" "$mbufs1"
	lab_down || fail "lab down (one worker)"
}

# q_rx PORT_NAME: packets received per RX queue of a port, from DPDK's telemetry socket.
q_rx() {
	local id
	id=$(ctl --json show ports | json "[p for p in d if p['name'] == '$1'][0]['port_id']" \
		2>/dev/null) || { echo "missing:port_id"; return; }
	"$PY" - "/var/run/dpdk/$LAB_FILE_PREFIX/dpdk_telemetry.v2" "$id" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.recv(16384)
s.send(("/ethdev/stats,%s" % sys.argv[2]).encode())
st = json.loads(s.recv(65536))["/ethdev/stats"]
print(" ".join(str(x) for x in st["q_ipackets"][:2]))
EOF
}

phase_two_workers() {
	local out q0 q1 n=${ESP_WIRE_COUNT:-64} sports
	t_log "--- two workers ---"
	LAB_WORKERS=2 esp_up
	check_eq "2 workers: SA c2-in owner" 0 "$(sa_stat c2-in "['owner']")"
	ctl_quiet clear stats
	# 16 UDP source ports, four packets each: the fanout hash puts some on each queue.
	sports=$(seq -s, 40000 40015)
	read -r -a q0 <<<"$(q_rx client)"
	out=$(peer echo c2-in c2-out --src "$C2" --dst "$LAB_L4" --count "$n" --sports "$sports" \
		--timeout 10)
	t_log "2 workers, ESP-in-UDP from 16 ports: $out"
	check_echo "2 workers: ESP-in-UDP" "$out" "$n" 0 63
	sleep 0.3
	t_stats
	check_eq "2 workers: client forwarded" "$n" "$(pstat client forwarded)"
	check_eq "2 workers: lan forwarded" "$n" "$(pstat lan forwarded)"
	check_no_other_drops client
	check_no_other_drops lan
	check_eq "2 workers: SA c2-in packets" "$n" "$(sa_stat c2-in "['packets']")"
	check_eq "2 workers: SA c2-in replay drops" 0 "$(sa_stat c2-in "['drops']['replay']")"
	read -r -a q1 <<<"$(q_rx client)"
	t_log "client RX queues 0 and 1: ${q0[*]} before, ${q1[*]} after"
	check_eq "2 workers: the ESP arrived on the two client queues" "$n" \
		"$((q1[0] - q0[0] + q1[1] - q0[1]))"
	check_ge "2 workers: client queue 0 (worker 0, the owner) received ESP" 1 \
		"$((q1[0] - q0[0]))"
	check_ge "2 workers: client queue 1 (worker 1: hands off to worker 0) received ESP" 1 \
		"$((q1[1] - q0[1]))"

	# Plain ESP of one SA: always one queue (same addresses, same SPI, same hash); if that
	# is queue 1 the hand-off carries all of it. Replay still caught.
	ctl_quiet clear stats
	read -r -a q0 <<<"$(q_rx client)"
	out=$(peer echo c1-in c1-out --src "$C1" --dst "$LAB_L4" --count 20)
	check_echo "2 workers: plain ESP" "$out" 20 0 63
	peer replay c1-in >/dev/null
	sleep 0.3
	read -r -a q1 <<<"$(q_rx client)"
	t_log "client RX queues 0 and 1, plain ESP: ${q0[*]} before, ${q1[*]} after"
	check_eq "2 workers: plain ESP of one SA on one queue only" 21 \
		"$(( (q1[0] - q0[0]) > (q1[1] - q0[1]) ? q1[0] - q0[0] : q1[1] - q0[1] ))"
	t_stats
	check_eq "2 workers: replayed ESP dropped" 1 "$(drop client esp_replay)"
	check_no_other_drops client esp_replay
}

phase_one_worker
phase_two_workers
