#!/usr/bin/env bash
# hagw's NAT-T port moved: ike.natt_port = 5001 (config), with strongSwan's charon using the
# same (charon.port_nat_t) in the client namespace. hagw initiates: IKE_SA_INIT on ike.port
# (500) at both ends, then the peer's NAT detection (kernel-libipsec: ESP always in UDP) moves
# IKE to natt_port with the non-ESP marker, and hagw's data path must take ESP in UDP on 5001
# (not on 4500) and punt IKE from it. The ports are stated in hagw's config (port = 500).
# Why not another ike.port, and why hagw initiates: strongSwan expects the non-ESP marker on
# every IKE packet unless one of the ports is 500 (receiver.c), which hagw (RFC 3948 §2.2:
# the marker on natt_port only) does not send on ike.port; and as initiator strongSwan moves
# the remote port to 4500 (hard-coded, float_ports()), never to another natt_port. A
# non-default ike.port is covered by tests/unit/dataplane/test_fwd_ipsec.c (5000/5001).
#   (1) IKE SA and CHILD SA up, the same SPIs in both views, the CHILD SA in UDP 5001 <-> 5001
#   (2) ping through the tunnel, hagw's SA counters = strongSwan's, no SA drops
#   (3) hagw deletes: both views empty
#   (w) the wire: IKE_SA_INIT on 500 -> 500, everything else 5001 -> 5001, nothing on 4500
# Environment: LAB_SAVE_LOGS (keeps hagw's log, the charon log and the pcap).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
t_init ikeports

swan_check_install
command -v tshark >/dev/null || fatal "missing tool: tshark"
command -v tcpdump >/dev/null || fatal "missing tool: tcpdump"

IKE_PORT=500
NATT_PORT=5001
NET=203.0.113.0/24
LAN=$LAB_NET4
PSK=hagw-ports-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
(umask 077 && echo "$PSK" >"$T_TMP/psk.secret") || fatal "psk file"

LAB_CONF_EXTRA="
ike = {
	listen = [ \"$LAB_GWC4\" ];
	port = $IKE_PORT;
	natt_port = $NATT_PORT;
	retransmit_timeout_ms = 1000;
	retransmit_tries = 3;
	secrets = ( { ids = [ \"site.example\" ]; file = \"$T_TMP/psk.secret\"; } );
	connections = (
		{
			name = \"site\";
			remote_addrs = [ \"$LAB_C4\" ];
			local = { id = \"gw.example\"; auth = \"psk\"; };
			remote = { id = \"site.example\"; auth = \"psk\"; };
			children = ( { name = \"net\"; local_ts = [ \"$NET\" ];
				       remote_ts = [ \"$LAB_C4\" ]; } );
		}
	);
};"
export LAB_CONF_EXTRA
t_lab_up

t_bg_start cap c tcpdump -i "$LAB_IF_C" -n -s 200 -U --immediate-mode -w "$T_TMP/wire.pcap" udp \
	2>"$T_TMP/wire.log"
for i in $(seq 50); do
	grep -q "listening on" "$T_TMP/wire.log" 2>/dev/null && break
	sleep 0.1
done
grep -q "listening on" "$T_TMP/wire.log" || fatal "tcpdump: $(cat "$T_TMP/wire.log")"

SC=$T_TMP/client
swan_setup "$SC" "$LAB_NS_C" || fatal "swan_setup"
# charon's NAT-T port (one setting per line, in the charon section)
sed -i "s/^\tload_modular = no\$/&\n\tport_nat_t = $NATT_PORT/" "$SC/strongswan.conf"
grep -q "port_nat_t = $NATT_PORT" "$SC/strongswan.conf" || fatal "strongswan.conf ports"
swan_start pid_c "$SC" || fatal "charon start: $(swan_log "$SC" | tail -n 20)"
ok "charon (client) started on UDP $IKE_PORT/$NATT_PORT, pid $pid_c"
swan_conf "$SC" conn=site auth=psk psk="$PSK" local_id=site.example remote_id=gw.example \
	local_addrs="$LAB_C4" remote_addrs="$LAB_GWC4" mobike=no remote_ts="$NET"
swan_load "$SC" || fatal "swanctl --load-all"

hj() {	# hagwctl --json show WHAT... | json EXPR (last argument)
	local expr=${*: -1}
	ctl --json show "${@:1:$#-1}" | json "$expr"
}

sw_child() {	# KEY of the installed CHILD SA of "site"
	swan_sa_field "$SC" "[c for c in d['site']['child-sas'].values()
		if c['state'] == 'INSTALLED'][0]['$1']"
}

wait_eq() {	# WANT TRIES CMD...: polls CMD (0.2 s apart) until it prints WANT
	local want=$1 tries=$2 i
	shift 2
	for i in $(seq "$tries"); do
		[ "$("$@")" = "$want" ] && return 0
		sleep 0.2
	done
	return 1
}

h_active_sas() { hj sa "len([s for s in d if s['active']])"; }

# ---- (1) hagw initiates ----
t="(1)"
check_eq "$t hagwctl initiate site net" true \
	"$(ctl --json initiate site net | json 'd["initiated"]')"
check "$t strongSwan (responder): IKE SA ESTABLISHED" swan_wait "$SC" "d['site']['state']" \
	ESTABLISHED 50
check "$t strongSwan: CHILD SA INSTALLED" swan_wait "$SC" \
	"[c['state'] for c in d['site']['child-sas'].values()]" '["INSTALLED"]' 25
check "$t hagw: one IKE SA, established, one CHILD SA" wait_eq "1 established 1" 25 \
	hj ike-sas "' '.join([str(len(d))] + [str(x) for s in d for x in (s['state'],
		len(s['children']))])"
check_eq "$t strongSwan's IKE SA ports: $NATT_PORT <-> $NATT_PORT" "$NATT_PORT $NATT_PORT" \
	"$(swan_sa_field "$SC" "d['site']['local-port']") $(swan_sa_field "$SC" \
		"d['site']['remote-port']")"
check_eq "$t IKE SPIs: hagw = strongSwan" \
	"0x$(swan_sa_field "$SC" "d['site']['initiator-spi']") 0x$(
		swan_sa_field "$SC" "d['site']['responder-spi']")" \
	"$(hj ike-sas 'd[0]["spi_i"] + " " + d[0]["spi_r"]')"
SPI_IN=$(sw_child spi-in)
SPI_OUT=$(sw_child spi-out)
check_eq "$t ESP SPIs: hagw = strongSwan; UDP $NATT_PORT <-> $NATT_PORT" \
	"0x$SPI_OUT 0x$SPI_IN True $NATT_PORT $NATT_PORT" \
	"$(hj child-sas '" ".join([d[0]["spi_in"], d[0]["spi_out"]] +
		[str(d[0][k]) for k in ("udp_encap", "local_port", "remote_port")])')"
check_eq "$t hagw's SAD: the 2 SAs, active" 2 "$(h_active_sas)"

# ---- (2) traffic: ESP in UDP to hagw's natt_port reaches its ESP path ----
t="(2)"
out=$(lab_run c ping -c 5 -i 0.2 -w 10 -I "$LAB_C4" "$LAN" 2>&1)
check_contains "$t ping 5 through the tunnel, none lost" \
	"5 packets transmitted, 5 received, 0% packet loss" "$out"
check_eq "$t hagw's SA counters (in, out) = strongSwan's (out, in)" \
	"$(sw_child packets-out) $(sw_child packets-in)" \
	"$(hj sa "' '.join(str(s['packets']) for s in sorted(d, key=lambda s: s['direction'])
		if s['active'])")"
check_eq "$t no SA drops in hagw" 0 "$(hj sa 'sum(s["dropped"] for s in d)')"

# ---- (3) hagw deletes ----
t="(3)"
IKE_ID=$(hj ike-sas 'd[0]["id"]')
check_eq "$t hagwctl terminate ike $IKE_ID" true \
	"$(ctl --json terminate ike "$IKE_ID" | json 'd["terminating"]')"
check "$t strongSwan holds no SA" swan_wait "$SC" "len(d)" 0 25
check "$t hagw holds no IKE or CHILD SA" wait_eq "0 0" 25 hj ike stats \
	'"%d %d" % (d["ike_sas"], d["child_sas"])'

sleep 0.3
t_bg_stop "$cap"

# ---- (w) the wire ----
ports=$(t_fields "$T_TMP/wire.pcap" udp.srcport udp.dstport | sort | uniq -c |
	awk '{ print $2 "=" $1 }' | tr '\n' ' ')
t_log "UDP port pairs on the wire: $ports"
# (an INVALID_KE_PAYLOAD round may come first: requests and responses in pairs)
init=$(t_fields "$T_TMP/wire.pcap" udp.srcport udp.dstport isakmp.exchangetype |
	awk -F'|' -v p="$IKE_PORT" '$1 == p && $2 == p { n++; if ($3 == 34) i++ }
		END { print n + 0, (n >= 2 && n % 2 == 0 && i == n) ? "yes" : "no" }')
check_eq "(w) only IKE_SA_INIT on $IKE_PORT <-> $IKE_PORT, in request/response pairs" yes \
	"${init#* }"
check_ge "(w) IKE_AUTH, ESP, DELETE on $NATT_PORT <-> $NATT_PORT" 14 \
	"$(t_fields "$T_TMP/wire.pcap" udp.srcport udp.dstport |
		awk -F'|' -v p="$NATT_PORT" '$1 == p && $2 == p' | wc -l)"
check_eq "(w) nothing on other UDP ports (4500 included)" 0 \
	"$(t_fields "$T_TMP/wire.pcap" udp.srcport udp.dstport |
		awk -F'|' -v a="$IKE_PORT" -v b="$NATT_PORT" \
		'!(($1 == a && $2 == a) || ($1 == b && $2 == b))' | wc -l)"
if [ -n "${LAB_SAVE_LOGS:-}" ]; then
	mkdir -p "$LAB_SAVE_LOGS" && cp -f "$T_TMP/wire.pcap" "$LAB_SAVE_LOGS/"
fi
swan_save_logs "$SC" client
swan_stop "$SC"
check "charon (client) ended" bash -c "! kill -0 $pid_c 2>/dev/null"
