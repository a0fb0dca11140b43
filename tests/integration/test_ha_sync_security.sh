#!/usr/bin/env bash
# HA: the sync channel under attack and under loss (issue 5, ha_chan.h), in the two-appliance
# lab (ha_lab.sh, HA_ENABLE=1, prefix hsc-), 2 strongSwan clients.
#
# Topology change (before hagw starts): the sync link runs through a bridge "brs" in the hub
# namespace (A's s <-> hub sa, B's s <-> hub sb, the same MACs and addresses) instead of the
# lab's direct veth, so that frames can be injected towards B (scapy on sb) and lost in
# between. This kernel has no sch_netem, no act_gact and no nft/iptables binary: the loss is
# made by a small Python AF_PACKET relay between sa and sb (random drop), used in place of the
# bridge only during (f).
#
#   (a) a captured A->B sync DATA datagram replayed 5 times: B's sync.dropped.replay +5 exactly
#   (b) the same datagram with one ciphertext byte flipped and a counter never used: auth +5;
#       flipped but with its own (already accepted) counter: replay +5 (the replay window is
#       checked before the tag, RFC 4303 §3.4.3 order)
#   (c) truncated to 30 octets (a header, no room for the tag) and to 20 (no header): malformed
#       +10
#   (d) the node id of the header changed to a foreign one (9) and to B's own (2): foreign +5;
#       from an address that is not the peer's (169.254.77.9): unknown_link +5
#       After (a)-(d): every other drop counter unchanged, the session kept (session_up, the
#       same session count on both), B in sync, roles unchanged, zero lost pings meanwhile
#   (f) 30% loss on the sync link while both clients rekey their CHILD SAs twice (swanctl
#       --rekey --child-id): the stream retransmits (A's retransmits grow); loss removed -> B
#       in sync, holding exactly A's CHILD SAs (SPI pairs of show child-sas), 4 ESP SAs
#   (e) B restarted with a WRONG sync key (another 64-digit key; its VIPs and vmac moved to
#       unused ones so that it cannot disturb the clients): no session ever (session_up false,
#       sessions 0 on it), auth drops growing on both, never in sync, A's peer never alive; A
#       stays active; B restarted with the right key -> the pair is in sync again, A active
#       (startup-alone, no takeover ever), B standby with the clients' SAs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
. "$(dirname "$0")/ha_lab.sh"

[ "$(id -u)" -eq 0 ] || { echo "FAIL - integration tests must run as root"; exit 1; }
export HA_ENABLE=1
hl_init hsc-
T_TMP=$(mktemp -d /tmp/hsc-test.XXXXXX)
hl_trap
t_log "test ha_sync_security: prefix $HL_PREFIX, hagw $HAGW_BIN"
swan_check_install
command -v tcpdump >/dev/null || fatal "missing tool: tcpdump"
"$PY" -c "import scapy" 2>/dev/null || fatal "missing python3-scapy"
N=2
K=5			# injections per case
GAP=$T_DIR/ha_gap.py
HELD='"%d %d %d %d" % tuple(d["held"][k] for k in ("sas", "sas_active", "ike_sas", "child_sas"))'
CHILD_SPIS='" ".join(sorted(c["spi_in"] + "/" + c["spi_out"] for c in d))'
DROPS='" ".join("%s=%d" % kv for kv in sorted(d["sync"]["dropped"].items()))'


# drops_delta BEFORE AFTER: "name=+n ..." for the counters that changed.
drops_delta() {
	"$PY" -c '
import sys
b = dict(x.split("=") for x in sys.argv[1].split())
a = dict(x.split("=") for x in sys.argv[2].split())
print(" ".join("%s=+%d" % (k, int(a[k]) - int(b.get(k, 0))) for k in sorted(a)
               if int(a[k]) != int(b.get(k, 0))))
' "$1" "$2"
}

# The sync link through the hub (see the header).
sync_through_hub() {
	ip -n "$HL_NS_GWA" link del s || return 1
	hl_veth "$HL_NS_GWA" s "$HL_MAC_A_S" "$HL_NS_HUB" sa "" &&
	hl_veth "$HL_NS_GWB" s "$HL_MAC_B_S" "$HL_NS_HUB" sb "" || return 1
	ip -n "$HL_NS_HUB" link add name brs type bridge stp_state 0 forward_delay 0 \
		mcast_snooping 0 && ip -n "$HL_NS_HUB" link set dev brs up &&
	ip -n "$HL_NS_HUB" link set dev sa master brs &&
	ip -n "$HL_NS_HUB" link set dev sb master brs
}

cat >"$T_TMP/relay.py" <<'EOF'
# AF_PACKET relay between two interfaces, dropping a random fraction (argv: A B LOSS STATS).
import random, select, signal, socket, sys
ETH_P_ALL = 3
a_if, b_if, loss, stats = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
socks = {}
for name in (a_if, b_if):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((name, 0))
    socks[name] = s
other = {socks[a_if]: socks[b_if], socks[b_if]: socks[a_if]}
n = {"relayed": 0, "dropped": 0}
def stop(*_):
    with open(stats, "w") as f:
        f.write("%d %d\n" % (n["relayed"], n["dropped"]))
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
open(stats, "w").write("ready\n")
while True:
    r, _, _ = select.select(list(other), [], [], 0.5)
    for s in r:
        data, addr = s.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        if random.random() < loss:
            n["dropped"] += 1
            continue
        other[s].send(data)
        n["relayed"] += 1
EOF

cat >"$T_TMP/inject.py" <<'EOF'
# inject.py PCAP IFACE CASE COUNT: sends COUNT variants of the first A->B DATA datagram of PCAP.
import struct, sys
from scapy.all import Ether, IP, UDP, Raw, rdpcap, sendp
pcap, iface, case, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
HDR, TAG = 24, 16
for p in rdpcap(pcap):
    pay = bytes(p[UDP].payload)
    if len(pay) > HDR + TAG and pay[5] == 2:		# a DATA datagram (ha_wire.h)
        break
else:
    sys.exit("no DATA datagram in %s" % pcap)
src = p[IP].src
d = bytearray(pay)
if case == "replay":
    pass
elif case == "flip":				# a ciphertext byte, the counter unchanged
    d[HDR] ^= 0x01
elif case == "flip-fresh":			# and a counter never used
    d[HDR] ^= 0x01
    d[16:24] = struct.pack("!Q", struct.unpack("!Q", pay[16:24])[0] + (1 << 32))
elif case == "trunc30":
    d = d[:30]
elif case == "trunc20":
    d = d[:20]
elif case.startswith("node"):			# nodeN: sender node id N
    d[8:10] = struct.pack("!H", int(case[4:]))
elif case == "badsrc":
    src = "169.254.77.9"
else:
    sys.exit("unknown case " + case)
f = (Ether(src=p[Ether].src, dst=p[Ether].dst) /
     IP(src=src, dst=p[IP].dst, ttl=64) / UDP(sport=p[UDP].sport, dport=p[UDP].dport) /
     Raw(bytes(d)))
sendp([f] * count, iface=iface, verbose=False)
print("%s: %d x %d octets, counter %d" % (case, count, len(d),
      struct.unpack("!Q", pay[16:24])[0]))
EOF

# inject CASE COUNT WANT: sends, then B's drop counters must have moved by exactly WANT.
inject() {
	local before after out
	before=$(hl_ha_field B "$DROPS")
	out=$(hl_run hub "$PY" "$T_TMP/inject.py" "$T_TMP/sync.pcap" sb "$1" "$2" 2>&1)
	t_log "inject $out"
	sleep 0.5
	after=$(hl_ha_field B "$DROPS")
	check_eq "($3) $1 x $2: B's sync drop counters moved by" "$4" \
		"$(drops_delta "$before" "$after")"
}

client_child_ids() {
	swan_sa_field "$HL_SWAN_DIR" "' '.join(c['uniqueid'] for s in d.values()
		for c in s['child-sas'].values())"
}

# rekey_all: every client's CHILD SA once, waits until each client holds one new CHILD SA.
rekey_all() {
	local ids id old
	old=$(client_child_ids)
	for id in $old; do
		swan_ctl "$HL_SWAN_DIR" --rekey --child-id "$id" >/dev/null 2>&1 ||
			fail "(f) swanctl --rekey --child-id $id"
	done
	for i in $(seq 50); do
		ids=$(client_child_ids)
		if [ "$(wc -w <<<"$ids")" -eq "$N" ] && [ -z "$(comm -12 <(tr ' ' '\n' <<<"$old" |
			sort) <(tr ' ' '\n' <<<"$ids" | sort))" ]; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

hl_test_detection

hl_up || fatal "lab up (topology, configs)"
sync_through_hub || fatal "sync link through the hub bridge"
ok "sync link A s <-> hub sa [brs] sb <-> B s"
hl_pair_start
hl_clients_connect "$N" || fatal "strongSwan clients establish through the VIP"
ok "$N clients established through $HL_VIP_U"
check "B holds the clients' SAs (standby: none active)" hl_wait_cj "4 0 $N $N" 50 B show ha "$HELD"
SESS_A=$(hl_ha_field A 'd["peer"]["sessions"]')
SESS_B=$(hl_ha_field B 'd["peer"]["sessions"]')

# ---- (a)-(d) injection ----
hl_run hub timeout 5 tcpdump -i sb -n -c 20 -w "$T_TMP/sync.pcap" \
	"src host $HL_A_S and udp dst port $HL_HA_PORT" >/dev/null 2>&1 ||
	fatal "capture of A->B sync datagrams on sb"
ok "20 A->B sync datagrams captured on the sync link"
hl_ping_start PING 1 800 0.01 "$T_TMP/ping-inject.out"
inject replay "$K" a "replay=+$K"
inject flip-fresh "$K" b "auth=+$K"
inject flip "$K" b "replay=+$K"
inject trunc30 "$K" c "malformed=+$K"
inject trunc20 "$K" c "malformed=+$K"
inject node9 3 d "foreign=+3"
inject node2 2 d "foreign=+2"
inject badsrc "$K" d "unknown_link=+$K"
wait "$PING"
res=$("$PY" "$GAP" "$T_TMP/ping-inject.out" --max-lost 0)
t_log "ha_gap (injection): $res"
check_eq "(a-d) client 1 pings meanwhile: lost" 0 "$(json 'd["lost"]' <<<"$res")"
check_eq "(a-d) the session kept: A session_up sessions, B session_up sessions" \
	"True $SESS_A True $SESS_B" "$(hl_ha_field A '"%s %d" % (d["peer"]["session_up"],
		d["peer"]["sessions"])') $(hl_ha_field B '"%s %d" % (d["peer"]["session_up"],
		d["peer"]["sessions"])')"
check_eq "(a-d) roles unchanged, B in sync" "active standby True" \
	"$(hl_ha_field A 'd["role"]') $(hl_ha_field B '"%s %s" % (d["role"], d["in_sync"])')"
check_eq "(a-d) A dropped nothing from B" \
	"auth=0 foreign=0 malformed=0 no_session=0 replay=0 too_long=0 unknown_link=0 version=0" \
	"$(hl_ha_field A "$DROPS")"

# ---- (f) loss on the sync link while the clients rekey ----
RETR0=$(hl_ha_field A 'd["sync"]["retransmits"]')
hl_run hub ip link set dev sa nomaster && hl_run hub ip link set dev sb nomaster ||
	fatal "sa, sb out of brs"
ip netns exec "$HL_NS_HUB" "$PY" "$T_TMP/relay.py" sa sb 0.3 "$T_TMP/relay.stats" &
RELAY=$!
HL_PIDS+=("$RELAY")
for i in $(seq 50); do
	grep -q ready "$T_TMP/relay.stats" 2>/dev/null && break
	sleep 0.1
done
grep -q ready "$T_TMP/relay.stats" 2>/dev/null || fatal "(f) the loss relay did not start"
ok "(f) 30% loss relay between sa and sb (pid $RELAY)"
check "(f) rekey 1: every client's CHILD SA rekeyed" rekey_all
check "(f) rekey 2: every client's CHILD SA rekeyed" rekey_all
sleep 1
hl_bg_stop "$RELAY"
hl_run hub ip link set dev sa master brs && hl_run hub ip link set dev sb master brs ||
	fatal "sa, sb back into brs"
read -r relayed dropped <"$T_TMP/relay.stats"
t_log "relay: $relayed frames relayed, $dropped dropped"
check_ge "(f) the relay dropped frames" 1 "${dropped:-0}"
check_ge "(f) A retransmitted stream data (retransmits before: $RETR0)" "$((RETR0 + 1))" \
	"$(hl_ha_field A 'd["sync"]["retransmits"]')"
check "(f) loss removed: B in sync" hl_wait_cj true 100 B show ha 'd["in_sync"]'
WANT=$(hl_cj A show child-sas "$CHILD_SPIS")
check_eq "(f) A's CHILD SAs are the clients' current ones ($N)" "$N" "$(wc -w <<<"$WANT")"
check "(f) B holds exactly A's CHILD SAs ($WANT)" \
	hl_wait_cj "$WANT" 50 B show child-sas "$CHILD_SPIS"
check_eq "(f) B holds: sas sas_active ike_sas child_sas" "4 0 $N $N" "$(hl_ha_field B "$HELD")"
check_eq "(f) A holds: sas sas_active ike_sas child_sas" "4 4 $N $N" "$(hl_ha_field A "$HELD")"
check_eq "(f) B: records failed" 0 "$(hl_ha_field B 'd["sync"]["records_failed"]')"

# ---- (e) B with a wrong sync key ----
hl_gw_stop B || fail "(e) hagw B stops cleanly"
cp "$HL_DIR/gwb.conf" "$T_TMP/gwb.conf.good"
(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$HL_DIR/wrong.key" &&
	echo >>"$HL_DIR/wrong.key") || fatal "wrong key file"
sed -i -e "s#psk_file = \"[^\"]*\"#psk_file = \"$HL_DIR/wrong.key\"#" \
	-e "s#address = \"$HL_VIP_U\"#address = \"192.0.2.99\"#" \
	-e "s#address = \"$HL_VIP_T\"#address = \"10.1.0.99\"#" \
	-e "s#vmac = \"$HL_VMAC\"#vmac = \"02:00:5e:00:01:99\"#" "$HL_DIR/gwb.conf"
check_contains "(e) B's configuration: the wrong key file" "wrong.key" "$(cat "$HL_DIR/gwb.conf")"
AUTH_A0=$(hl_ha_field A 'd["sync"]["dropped"]["auth"]')
hl_gw_start B || fatal "(e) hagw B with the wrong key"
sleep 1
AUTH_A1=$(hl_ha_field A 'd["sync"]["dropped"]["auth"]')
AUTH_B1=$(hl_ha_field B 'd["sync"]["dropped"]["auth"]')
sleep 1
check_eq "(e) wrong-key B: session_up sessions in_sync peer.alive" "False 0 False False" \
	"$(hl_ha_field B '"%s %d %s %s" % (d["peer"]["session_up"], d["peer"]["sessions"],
		d["in_sync"], d["peer"]["alive"])')"
check_eq "(e) A: session_up, peer alive, role" "False False active" \
	"$(hl_ha_field A '"%s %s %s" % (d["peer"]["session_up"], d["peer"]["alive"], d["role"])')"
check_ge "(e) A's auth drops grow (first second: $AUTH_A0 -> $AUTH_A1)" "$((AUTH_A1 + 1))" \
	"$(hl_ha_field A 'd["sync"]["dropped"]["auth"]')"
check_ge "(e) wrong-key B's auth drops grow (first second: $AUTH_B1)" "$((AUTH_B1 + 1))" \
	"$(hl_ha_field B 'd["sync"]["dropped"]["auth"]')"
check_eq "(e) wrong-key B holds no state of A" "0 0 0 0" "$(hl_ha_field B "$HELD")"
t_log "wrong-key B: $(hl_ha_field B '"role %s (%s), epoch %d" % (d["role"], d["reason"], d["epoch"])')"
hl_gw_stop B || fail "(e) wrong-key hagw B stops cleanly"
cp "$T_TMP/gwb.conf.good" "$HL_DIR/gwb.conf"
hl_gw_start B || fatal "(e) hagw B with the right key"
check "(e) right key: the pair again (A active, B standby in sync)" hl_wait_pair 100
check_eq "(e) A: role reason takeovers (never changed)" "active startup-alone 0" \
	"$(hl_ha_field A '"%s %s %d" % (d["role"], d["reason"], d["takeovers"])')"
check_eq "(e) B: role, session_up" "standby True" \
	"$(hl_ha_field B '"%s %s" % (d["role"], d["peer"]["session_up"])')"
check_eq "(e) B holds the clients' SAs: sas sas_active ike_sas child_sas" "4 0 $N $N" \
	"$(hl_ha_field B "$HELD")"
check_eq "(e) B's CHILD SAs = A's" "$WANT" "$(hl_cj B show child-sas "$CHILD_SPIS")"
check_contains "(e) client 1 pings through A" " 0% packet loss" \
	"$(hl_run cli ping -c 5 -i 0.1 -w 5 -I "$(hl_client_vip 1)" "$HL_LAN" 2>&1)"
exit 0
