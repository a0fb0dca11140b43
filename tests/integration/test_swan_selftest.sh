#!/usr/bin/env bash
# The strongSwan lab itself (tests/integration/swan.sh), before any hagw IKE test relies on it:
# two charon instances (kernel-libipsec, userspace ESP on a TUN) in the namespaces "client" and
# "gw" across a veth pair. PSK, IKEv2, the client asks for a virtual IP from the gateway's pool:
# IKE SA ESTABLISHED and CHILD SA INSTALLED on both sides with matching SPIs, the virtual IP
# assigned, ping through the tunnel, CHILD SA and IKE SA rekeyed (CREATE_CHILD_SA), IKE_SA_INIT
# on UDP 500 then IKE_AUTH and ESP on UDP 4500 (libipsec always encapsulates), a terminate
# from the client leaves no SA on either side; certificates (carol ECDSA -> moon RSA).
# A broken strongSwan install fails here first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
t_init swself

swan_check_install
command -v tshark >/dev/null || fatal "missing tool: tshark"
swan_topology || fatal "topology (namespaces $LAB_NS_C, $LAB_NS_GW)"
ok "topology: $LAB_NS_C $SWAN_C4 <-> $LAB_NS_GW $SWAN_GW4"

SC=$T_TMP/client
SG=$T_TMP/gw
PSK='selftest-0123456789-abcdef'
swan_setup "$SC" "$LAB_NS_C" && swan_setup "$SG" "$LAB_NS_GW" || fatal "swan_setup"
swan_conf "$SG" conn=rw local_addrs="$SWAN_GW4" remote_addrs=%any auth=psk psk="$PSK" \
	local_id=gw.example remote_id=client.example local_ts="$SWAN_LAN_NET4" mobike=no \
	pools=rwpool pool_addrs=192.0.2.16/28 || fatal "gateway swanctl.conf"
swan_conf "$SC" conn=home local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" auth=psk psk="$PSK" \
	local_id=client.example remote_id=gw.example remote_ts="$SWAN_LAN_NET4" vips=0.0.0.0 \
	mobike=no ||
	fatal "client swanctl.conf"
# Certificates (tests/vectors/ike/pki): carol (ECDSA P-256, under the intermediate CA) to moon
# (RSA 3072): the fixtures work with a real peer, RFC 7427 signatures both ways.
PKI=$T_ROOT/tests/vectors/ike/pki
swan_conf "$SG" conn=rwcert local_addrs="$SWAN_GW4" remote_addrs=%any auth=pubkey \
	cert="$PKI/moon.pem" key="$PKI/moon.key" ca="$PKI/ca.pem" local_id=moon.example.org \
	remote_id=carol@example.org local_ts="$SWAN_LAN_NET4" mobike=no child=netcert ||
	fatal "gateway swanctl.conf (certificates)"
cp -f "$PKI/int.pem" "$SG/swanctl/x509ca/" || fatal "intermediate CA"
swan_conf "$SC" conn=homecert local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" auth=pubkey \
	cert="$PKI/carol.pem" key="$PKI/carol.key" ca="$PKI/ca.pem" local_id=carol@example.org \
	remote_id=moon.example.org remote_ts="$SWAN_LAN_NET4" mobike=no child=netcert ||
	fatal "client swanctl.conf (certificates)"

t_capture_start cap c "$LAB_IF_C" "$T_TMP/wire.pcap" "udp"
swan_start pid_g "$SG" || fatal "charon (gw) start: $(swan_log "$SG" | tail -n 20)"
swan_start pid_c "$SC" || fatal "charon (client) start: $(swan_log "$SC" | tail -n 20)"
ok "charon started in both namespaces (pids $pid_g, $pid_c)"
check "swanctl --load-all (gw)" swan_load "$SG"
check "swanctl --load-all (client)" swan_load "$SC"

out=$(swan_initiate "$SC" net 15)
check_contains "client: initiate completed" "initiate completed successfully" "$out"

sa=home
if [ -n "${LAB_SAVE_LOGS:-}" ]; then
	mkdir -p "$LAB_SAVE_LOGS" &&
		swan_ctl "$SC" --list-sas --raw >"$LAB_SAVE_LOGS/client-sas.raw" 2>&1
fi
check_eq "client: IKE SA state" ESTABLISHED "$(swan_sa_field "$SC" "d['$sa']['state']")"
check_eq "client: IKE version" 2 "$(swan_sa_field "$SC" "d['$sa']['version']")"
check_eq "client: NAT-T float to 4500" 4500 "$(swan_sa_field "$SC" "d['$sa']['remote-port']")"
check_eq "client: virtual IP from the pool" '["192.0.2.17"]' \
	"$(swan_sa_field "$SC" "d['$sa']['local-vips']")"
check_eq "client: CHILD SA state" INSTALLED \
	"$(swan_sa_field "$SC" "list(d['$sa']['child-sas'].values())[0]['state']")"
check_eq "client: CHILD SA UDP-encapsulated (libipsec)" yes \
	"$(swan_sa_field "$SC" "list(d['$sa']['child-sas'].values())[0]['encap']")"
check_eq "client: CHILD SA local TS" '["192.0.2.17/32"]' \
	"$(swan_sa_field "$SC" "list(d['$sa']['child-sas'].values())[0]['local-ts']")"
check_eq "client: CHILD SA remote TS" "[\"$SWAN_LAN_NET4\"]" \
	"$(swan_sa_field "$SC" "list(d['$sa']['child-sas'].values())[0]['remote-ts']")"
check_eq "gw: IKE SA state" ESTABLISHED "$(swan_sa_field "$SG" "d['rw']['state']")"
check_eq "gw: remote virtual IP" '["192.0.2.17"]' "$(swan_sa_field "$SG" "d['rw']['remote-vips']")"
c_in=$(swan_sa_field "$SC" "list(d['$sa']['child-sas'].values())[0]['spi-in']")
c_out=$(swan_sa_field "$SC" "list(d['$sa']['child-sas'].values())[0]['spi-out']")
g_in=$(swan_sa_field "$SG" "list(d['rw']['child-sas'].values())[0]['spi-in']")
g_out=$(swan_sa_field "$SG" "list(d['rw']['child-sas'].values())[0]['spi-out']")
check_eq "SPIs: client in = gw out" "$c_in" "$g_out"
check_eq "SPIs: client out = gw in" "$c_out" "$g_in"
check_eq "IKE SPIs equal on both ends" \
	"$(swan_sa_field "$SC" "d['$sa']['initiator-spi'] + d['$sa']['responder-spi']")" \
	"$(swan_sa_field "$SG" "d['rw']['initiator-spi'] + d['rw']['responder-spi']")"

out=$(ip netns exec "$LAB_NS_C" ping -c 3 -i 0.2 -W 2 "$SWAN_LAN4" 2>&1)
check_contains "ping $SWAN_LAN4 through the tunnel" "3 packets transmitted, 3 received" "$out"
check_eq "client: packets out on the CHILD SA" 3 \
	"$(swan_sa_field "$SC" "list(d['$sa']['child-sas'].values())[0]['packets-out']")"
check_eq "client: packets in on the CHILD SA" 3 \
	"$(swan_sa_field "$SC" "list(d['$sa']['child-sas'].values())[0]['packets-in']")"

# Rekeying between two strongSwans (the reference for hagw's CREATE_CHILD_SA): CHILD SA,
# then IKE SA; the tunnel still carries traffic.
old=$c_in
out=$(swan_ctl "$SC" --rekey --child net 2>&1)
check_contains "client: CHILD SA rekey requested" "rekey completed successfully" "$out"
# (the old CHILD SA stays listed, not INSTALLED, for delete_rekeyed_delay = 5 s)
check "client: the installed CHILD SA has new SPIs" swan_wait "$SC" \
	"[c['spi-in'] for c in d['$sa']['child-sas'].values()
	 if c['state'] == 'INSTALLED'] not in ([], ['$old'])" true
old=$(swan_sa_field "$SC" "d['$sa']['initiator-spi']")
out=$(swan_ctl "$SC" --rekey --ike home 2>&1)
check_contains "client: IKE SA rekey requested" "rekey completed successfully" "$out"
check "client: IKE SA with new SPIs, CHILD SA kept" swan_wait "$SC" \
	"(d['$sa']['initiator-spi'] != '$old' and d['$sa']['state'] == 'ESTABLISHED' and
	  len([c for c in d['$sa']['child-sas'].values() if c['state'] == 'INSTALLED']) == 1)" \
	true
check_eq "no reauthentication on either side" 0 \
	"$(cat "$SC/charon.log" "$SG/charon.log" | grep -c 'reauthenticating')"
out=$(ip netns exec "$LAB_NS_C" ping -c 2 -i 0.2 -W 2 "$SWAN_LAN4" 2>&1)
check_contains "ping through the rekeyed tunnel" "2 packets transmitted, 2 received" "$out"

out=$(swan_ctl "$SC" --terminate --ike home --timeout 10 2>&1)
check_contains "client: terminate completed" "terminate completed successfully" "$out"
check "client: no SA left" swan_wait "$SC" "len(d)" 0
check "gw: no SA left" swan_wait "$SG" "len(d)" 0

out=$(swan_initiate "$SC" netcert 15)
check_contains "certificates: initiate completed" "initiate completed successfully" "$out"
check_eq "certificates: client IKE SA" ESTABLISHED "$(swan_sa_field "$SC" "d['homecert']['state']")"
check_eq "certificates: gw IKE SA (peer carol)" "ESTABLISHED carol@example.org" \
	"$(swan_sa_field "$SG" "d['rwcert']['state'] + ' ' + d['rwcert']['remote-id']")"
check_eq "certificates: client CHILD SA" INSTALLED \
	"$(swan_sa_field "$SC" "list(d['homecert']['child-sas'].values())[0]['state']")"
out=$(swan_ctl "$SC" --terminate --ike homecert --timeout 10 2>&1)
check_contains "certificates: terminate completed" "terminate completed successfully" "$out"
check "certificates: gw holds no SA" swan_wait "$SG" "len(d)" 0
sleep 0.3
t_bg_stop "$cap"

# The wire, as tshark dissects it: exchange types and ports in order.
wire=$(t_fields "$T_TMP/wire.pcap" udp.srcport udp.dstport isakmp.exchangetype esp.spi |
	awk -F'|' '{print $1 ">" $2 " " ($3 != "" ? "x" $3 : ($4 != "" ? "esp" : "other"))}')
init=$(grep -c '^500>500 x34$' <<<"$wire")
auth=$(grep -c '^4500>4500 x35$' <<<"$wire")
esp=$(grep -c '^4500>4500 esp$' <<<"$wire")
check_eq "IKE_SA_INIT request and response on 500 (PSK, certificates)" 4 "$init"
# The certificate response (RSA 3072 certificate, ~1440 bytes) is split into 2 RFC 7383
# fragments (strongSwan's fragment_size 1280): 2 + 1 + 2 datagrams.
check_eq "IKE_AUTH on 4500 (PSK 2, certificates 1 + 2 fragments)" 5 "$auth"
check_eq "ESP in UDP 4500: 5 echo requests + 5 replies" 10 "$esp"
check_eq "first packet: IKE_SA_INIT on 500" "500>500 x34" "$(head -n 1 <<<"$wire")"
check_eq "only IKE_SA_INIT on 500" 4 "$(grep -c '^500>' <<<"$wire")"
# Deletes: 2 (IKE SA home) + 2 (old CHILD SA) + 2 (old IKE SA) + 2 (IKE SA homecert)
check_eq "INFORMATIONAL (deletes) on 4500" 8 "$(grep -c '^4500>4500 x37$' <<<"$wire")"
check_eq "CREATE_CHILD_SA (2 rekeys) on 4500" 4 "$(grep -c '^4500>4500 x36$' <<<"$wire")"
if [ -n "${LAB_SAVE_LOGS:-}" ]; then
	mkdir -p "$LAB_SAVE_LOGS" && cp -f "$T_TMP/wire.pcap" "$LAB_SAVE_LOGS/"
fi
swan_save_logs "$SC" client
swan_save_logs "$SG" gw

swan_stop "$SC"
swan_stop "$SG"
check "charon (client) ended" bash -c "! kill -0 $pid_c 2>/dev/null"
check "charon (gw) ended" bash -c "! kill -0 $pid_g 2>/dev/null"
