#!/usr/bin/env bash
# ARP and IPv6 neighbour discovery: hagw answers ARP requests and neighbour solicitations with
# its port MAC (exact reply fields), the hosts' neighbour caches hold hagw's MACs, `show
# neighbors` lists the hosts with the MACs of their interfaces as reachable, and a next hop
# that never answers is probed, then its held packets are dropped as neigh_unresolved.
. "$(dirname "$0")/lib.sh"
t_init neigh
t_lab_up

FRAMES=$T_DIR/frames.py
ports=$(ctl --json show ports) || fatal "show ports"
mac_gwc=$(json "[p for p in d if p['name'] == 'client'][0]['mac']" <<<"$ports")
mac_gwl=$(json "[p for p in d if p['name'] == 'lan'][0]['mac']" <<<"$ports")
link_mac() { lab_run "$1" cat "/sys/class/net/$2/address"; }
check_eq "client port MAC is that of $LAB_IF_GWC" "$(link_mac gw "$LAB_IF_GWC")" "$mac_gwc"
check_eq "lan port MAC is that of $LAB_IF_GWL" "$(link_mac gw "$LAB_IF_GWL")" "$mac_gwl"
mac_c=$(link_mac c "$LAB_IF_C")
mac_l=$(link_mac l "$LAB_IF_L")

# Traffic both ways makes every side resolve every other.
for dst in "$LAB_L4" "$LAB_L6"; do
	t_retry 5 lab_run c ping -c 2 -i 0.2 -W 2 "$dst" >/dev/null && ok "ping $dst" ||
		fail "ping $dst"
done

# The hosts' caches hold hagw's MACs.
neigh_of() { lab_run "$1" ip -o neigh show "$2" dev "$3"; }
n=$(neigh_of c "$LAB_GWC4" "$LAB_IF_C")
check_contains "client ip neigh: $LAB_GWC4 lladdr $mac_gwc" \
	"lladdr $mac_gwc .*(REACHABLE|STALE|DELAY|PROBE)" "$n"
n=$(neigh_of c "$LAB_GWC6" "$LAB_IF_C")
check_contains "client ip -6 neigh: $LAB_GWC6 lladdr $mac_gwc (router)" \
	"lladdr $mac_gwc router .*(REACHABLE|STALE|DELAY|PROBE)" "$n"
n=$(neigh_of l "$LAB_GWL4" "$LAB_IF_L")
check_contains "lan ip neigh: $LAB_GWL4 lladdr $mac_gwl" "lladdr $mac_gwl .*(REACHABLE|STALE|DELAY|PROBE)" "$n"
n=$(neigh_of l "$LAB_GWL6" "$LAB_IF_L")
check_contains "lan ip -6 neigh: $LAB_GWL6 lladdr $mac_gwl" "lladdr $mac_gwl .*(REACHABLE|STALE|DELAY|PROBE)" "$n"

# hagw's cache: the hosts with the MACs of their interfaces.
neighbors=$(ctl --json show neighbors) || fail "show neighbors"
t_log "show neighbors: $(json d <<<"$neighbors")"
entry() {
	json "[(n['port'], n['mac'], n['state']) for n in d if n['address'] == '$1']" <<<"$neighbors"
}
check_eq "neighbor $LAB_C4" "[[\"client\", \"$mac_c\", \"reachable\"]]" "$(entry "$LAB_C4")"
check_eq "neighbor $LAB_C6" "[[\"client\", \"$mac_c\", \"reachable\"]]" "$(entry "$LAB_C6")"
check_eq "neighbor $LAB_L4" "[[\"lan\", \"$mac_l\", \"reachable\"]]" "$(entry "$LAB_L4")"
check_eq "neighbor $LAB_L6" "[[\"lan\", \"$mac_l\", \"reachable\"]]" "$(entry "$LAB_L6")"
text=$(ctl show neighbors) || fail "show neighbors (text)"
for a in "$LAB_C4" "$LAB_C6" "$LAB_L4" "$LAB_L6"; do
	check_contains "text show neighbors lists $a" "$a([^0-9a-f:]|$)" "$text"
done
check_contains "text show neighbors shows $mac_c" "$mac_c" "$text"
check_contains "text show neighbors shows $mac_l" "$mac_l" "$text"

# ARP request and neighbour solicitation answered field by field.
rep=$(lab_run c "$PY" "$FRAMES" arp "$LAB_IF_C" "$LAB_GWC4") || fail "ARP request for $LAB_GWC4 answered"
check_eq "ARP reply" \
	"2 $mac_gwc $LAB_GWC4 $mac_c $LAB_C4 $mac_gwc $mac_c" \
	"$(json "' '.join(str(d[k]) for k in ['op', 'hwsrc', 'psrc', 'hwdst', 'pdst', 'eth_src', 'eth_dst'])" <<<"$rep")"
rep=$(lab_run c "$PY" "$FRAMES" ns "$LAB_IF_C" "$LAB_GWC6") || fail "NS for $LAB_GWC6 answered"
check_eq "neighbour advertisement (src dst hlim tgt R S O lladdr eth)" \
	"$LAB_GWC6 $LAB_C6 255 $LAB_GWC6 1 1 1 $mac_gwc $mac_gwc $mac_c" \
	"$(json "' '.join(str(d[k]) for k in ['src', 'dst', 'hlim', 'tgt', 'R', 'S', 'O', 'lladdr', 'eth_src', 'eth_dst'])" <<<"$rep")"

# A next hop nobody answers for: hagw probes it, holds the packets, then drops them.
DEAD=198.51.100.77
cap=$T_TMP/arp.pcap
t_capture_start cap_pid l "$LAB_IF_L" "$cap" "arp"
ctl clear stats >/dev/null
lab_run c ping -c 3 -i 0.2 -W 1 "$DEAD" >/dev/null 2>&1
neighbors=$(ctl --json show neighbors)
check_eq "neighbor $DEAD while resolving: state incomplete, 3 packets held" \
	"[[\"lan\", null, \"incomplete\", 3]]" \
	"$(json "[(n['port'], n['mac'], n['state'], n['held_packets']) for n in d if n['address'] == '$DEAD']" <<<"$neighbors")"
for i in $(seq 50); do
	t_stats
	[ "$(drop client neigh_unresolved)" = 3 ] && break
	sleep 0.2
done
check_eq "drops.neigh_unresolved after the probes failed" 3 "$(drop client neigh_unresolved)"
check_eq "resources.neighbor_held_packets" 0 "$(resource neighbor_held_packets)"
sleep 0.5
t_bg_stop "$cap_pid"
probes=$(t_fields "$cap" arp.opcode arp.src.proto_ipv4 arp.dst.proto_ipv4 arp.src.hw_mac |
	grep -c "^1|$LAB_GWL4|$DEAD|$mac_gwl$")
check_ge "ARP requests for $DEAD from $LAB_GWL4 seen on the lan" 2 "$probes"
check_le "ARP requests for $DEAD (bounded probes)" 5 "$probes"
