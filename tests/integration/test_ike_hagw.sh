#!/usr/bin/env bash
# hagw as an IKEv2 gateway end to end: strongSwan's charon (kernel-libipsec: ESP always in UDP
# 4500) in the client namespace, hagw on net_af_packet in the gateway namespace hosting the IKE
# daemon on its control core and carrying the CHILD SAs in its ESP data path, traffic to the
# lan namespace (203.0.113.0/24). Each case checks strongSwan's view (swanctl --list-sas),
# hagw's (hagwctl --json show ike-sas / child-sas / sa / spd) and, at the end, the wire (tshark
# on the client's veth):
#   (1) PSK + X25519 + AES-GCM, virtual IP from hagw's pool: ping and an iperf3 transfer
#       through the tunnel, hagw's per-SA packet counters = strongSwan's
#   (5) under a continuous ping (0.1 s): CHILD SA rekey by strongSwan and by hagw, IKE SA
#       rekey by strongSwan and by hagw: no ping lost, new SPIs, the old SAs gone;
#       (7a) then strongSwan deletes: both views empty, hagw's SAD and clients empty
#   (5b) rekeys from strongSwan's short lifetimes (CHILD SA 6 s, IKE SA 10 s) under a ping
#   (2) RSA certificates (gateway moon RSA 3072, client dave RSA 2048)
#   (3) ECDSA certificates (gateway sun P-384, client carol P-256 via the intermediate CA);
#       in both, hagw's IKE_SA_INIT response carries a CERTREQ although the connection that
#       matched first is a PSK one, so strongSwan (send_cert = ifasked) sends its certificate
#   (4) MODP-2048 + AES-CBC/HMAC-SHA-256 (IKE and ESP); (6a) strongSwan's DPD answered
#   (6b) hagw's DPD (dpd_delay = 1) answered by strongSwan; (7b) hagw deletes
#       (hagwctl terminate ike ID): both views empty, SAD and SPD empty
#   (8) a wrong PSK: AUTHENTICATION_FAILED, no SA on either side, nothing installed
#   (9) hagw initiates (hagwctl initiate) to strongSwan as the responder; ping through
#   (w) the wire: every IKE SA starts with IKE_SA_INIT on 500, then 4500 only; ESP in UDP
#       4500 on each case's SPIs; no cleartext packet of the protected addresses
# Environment: LAB_SAVE_LOGS (keeps hagw's log, the charon log and the pcap).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
t_init ikehagw

swan_check_install
for tool in tshark iperf3 tcpdump; do
	command -v "$tool" >/dev/null || fatal "missing tool: $tool"
done

# Fixtures: the PSK and the PKI, private (mode 600) as hagw and strongSwan require.
PKI=$T_ROOT/tests/vectors/ike/pki
KEYS=$T_TMP/pki
mkdir -p "$KEYS" && cp "$PKI"/*.pem "$PKI"/*.key "$KEYS/" && chmod 600 "$KEYS"/*.key ||
	fatal "fixtures"
PSK=hagw-e2e-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
(umask 077 && echo "$PSK" >"$T_TMP/psk.secret") || fatal "psk file"
NET=203.0.113.0/24
LAN=$LAB_NET4

# hagw's side: remote access by PSK (rw; rw-dpd with a 1 s DPD), by certificates (rw-rsa,
# rw-ecdsa), all leasing from vip4; "site" for hagw as the initiator. Each connection has its
# own peer identity, which is how the responder picks it at IKE_AUTH.
conn_rw() {	# NAME REMOTE_ID EXTRA
	cat <<EOF
		{
			name = "$1";
			local = { id = "gw.example"; auth = "psk"; };
			remote = { id = "$2"; auth = "psk"; };
			pools = [ "vip4" ];
			$3
			children = ( { name = "net"; local_ts = [ "$NET" ]; } );
		},
EOF
}

conn_cert() {	# NAME LOCAL REMOTE_ID CACERTS
	cat <<EOF
		{
			name = "$1";
			local = { id = "$2.example.org"; auth = "pubkey"; cert = "$KEYS/$2.pem";
				  key = "$KEYS/$2.key"; };
			remote = { id = "$3"; auth = "pubkey"; cacerts = [ $4 ]; };
			send_cert = "always";
			pools = [ "vip4" ];
			children = ( { name = "net"; local_ts = [ "$NET" ]; } );
		},
EOF
}

LAB_CONF_EXTRA="
ike = {
	listen = [ \"$LAB_GWC4\" ];
	retransmit_timeout_ms = 1000;
	retransmit_tries = 3;
	pools = ( { name = \"vip4\"; addrs = \"10.9.0.0/28\"; } );
	secrets = ( { ids = [ \"client.example\", \"dpd.example\", \"site.example\" ];
		      file = \"$T_TMP/psk.secret\"; } );
	connections = (
$(conn_rw rw client.example "")
$(conn_rw rw-dpd dpd.example "dpd_delay = 1;")
$(conn_cert rw-rsa moon dave@example.org "\"$KEYS/ca.pem\"")
$(conn_cert rw-ecdsa sun carol@example.org "\"$KEYS/ca.pem\", \"$KEYS/int.pem\"")
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

# The wire on the client's veth, headers only (iperf3 would make it large).
t_bg_start cap c tcpdump -i "$LAB_IF_C" -n -s 200 -U --immediate-mode -w "$T_TMP/wire.pcap" \
	2>"$T_TMP/wire.log"
for i in $(seq 50); do
	grep -q "listening on" "$T_TMP/wire.log" 2>/dev/null && break
	sleep 0.1
done
grep -q "listening on" "$T_TMP/wire.log" || fatal "tcpdump: $(cat "$T_TMP/wire.log")"

SC=$T_TMP/client
swan_setup "$SC" "$LAB_NS_C" || fatal "swan_setup"
swan_start pid_c "$SC" || fatal "charon start: $(swan_log "$SC" | tail -n 20)"
ok "charon (client) started, pid $pid_c"

# ---- helpers: the two views ----
hj() {	# hagwctl --json show WHAT... | json EXPR (last argument)
	local expr=${*: -1}
	ctl --json show "${@:1:$#-1}" | json "$expr"
}

# strongSwan: KEY of CONN's installed CHILD SA
sw_child() {
	swan_sa_field "$SC" "[c for c in d['$1']['child-sas'].values()
		if c['state'] == 'INSTALLED'][0]['$2']"
}

# hagw's SAs of one SPI: "direction active udp_encap algorithm"
h_sa() {
	hj sa "' '.join('%s %s %s %s' % (s['direction'], s['active'], s['udp_encap'],
		s['algorithm']) for s in d if s['spi'] == '0x$1')"
}

# Active ESP SAs in hagw's SAD.
h_active_sas() { hj sa "len([s for s in d if s['active']])"; }

# Polls CMD's output until it is WANT (0.2 s apart, up to TRIES): wait_eq WANT TRIES CMD...
wait_eq() {
	local want=$1 tries=$2 i
	shift 2
	for i in $(seq "$tries"); do
		[ "$("$@")" = "$want" ] && return 0
		sleep 0.2
	done
	return 1
}

# sw_log MARK GREP_ARGS...: grep over the charon log lines written after MARK.
sw_log() {
	local mark=$1
	shift
	swan_log_since "$SC" "$mark" | grep "$@"
}

# wait_get WANT TRIES CMD...: like wait_eq, prints CMD's last output.
wait_get() {
	local want=$1 tries=$2 i got
	shift 2
	for i in $(seq "$tries"); do
		got=$("$@")
		[ "$got" = "$want" ] && break
		sleep 0.2
	done
	echo "$got"
}

# established TAG CONN HAGW_CONN ESP_ALG: the IKE SA and its CHILD SA as both ends see them.
# Sets IKE_ID, CHILD_ID (hagw's ids), SPI_IN/SPI_OUT (strongSwan's), VIP.
established() {
	local tag=$1 conn=$2 hconn=$3 alg=$4 got
	check_eq "$tag strongSwan: IKE SA ESTABLISHED, CHILD SA INSTALLED in UDP" \
		"ESTABLISHED INSTALLED yes" \
		"$(swan_sa_field "$SC" "d['$conn']['state']") $(sw_child "$conn" state) $(
			sw_child "$conn" encap)"
	check "$tag hagw: one IKE SA, established, one CHILD SA" wait_eq \
		"1 established $hconn 1" 25 hj ike-sas \
		"' '.join([str(len(d))] + [str(x) for s in d for x in (s['state'], s['connection'],
			len(s['children']))])"
	IKE_ID=$(hj ike-sas 'd[0]["id"]')
	CHILD_ID=$(hj child-sas 'd[0]["id"]')
	check_eq "$tag IKE SPIs and suite: hagw = strongSwan" \
		"0x$(swan_sa_field "$SC" "d['$conn']['initiator-spi']") 0x$(
			swan_sa_field "$SC" "d['$conn']['responder-spi']") $(
			swan_ike_suite "$SC" "$conn")" \
		"$(hj ike-sas 'd[0]["spi_i"] + " " + d[0]["spi_r"] + " " + d[0]["suite"]')"
	SPI_IN=$(sw_child "$conn" spi-in)
	SPI_OUT=$(sw_child "$conn" spi-out)
	check_eq "$tag ESP SPIs and suite: hagw = strongSwan, UDP 4500" \
		"0x$SPI_OUT 0x$SPI_IN $(swan_child_suite "$SC" "$conn") True 4500 4500" \
		"$(hj child-sas '" ".join([d[0]["spi_in"], d[0]["spi_out"], d[0]["suite"]] +
			[str(d[0][k]) for k in ("udp_encap", "local_port", "remote_port")])')"
	check_eq "$tag hagw's SAD: inbound and outbound SA in UDP ($alg)" \
		"in True True $alg out True True $alg" "$(h_sa "$SPI_OUT") $(h_sa "$SPI_IN")"
	check_eq "$tag hagw's SAD holds only these 2 SAs" 2 "$(h_active_sas)"
	VIP=$(swan_sa_field "$SC" "d['$conn']['local-vips'][0]")
	got=$(hj ike-sas '" ".join(d[0]["virtual_ips"])')
	check_eq "$tag virtual IP: strongSwan's = hagw's lease, in 10.9.0.1-14" "$VIP yes" \
		"$got $([[ "$VIP" =~ ^10\.9\.0\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 1 ] &&
			[ "${BASH_REMATCH[1]}" -le 14 ] && echo yes || echo no)"
	check_eq "$tag hagw's SPD: the client's vip through the outbound SA" \
		"$VIP/32 0x$SPI_IN" \
		"$(hj spd clients '" ".join(c["prefix"] + " " + str(c["sa_spi"]) for c in d)')"
	CASE_SPIS+=" $SPI_IN $SPI_OUT"
}

# gone TAG: neither end holds an SA; hagw's SAD, clients and IKE policies are empty.
gone() {
	local tag=$1
	check "$tag strongSwan holds no SA" swan_wait "$SC" "len(d)" 0 25
	check "$tag hagw holds no IKE or CHILD SA" wait_eq "0 0" 25 hj ike stats \
		'"%d %d" % (d["ike_sas"], d["child_sas"])'
	check_eq "$tag hagw's SAD (listed, active), SPD clients and IKE policies empty" \
		"0 0 0 0" "$(wait_get "0 0 0 0" 25 h_empty)"
}

# hagw's SAs (all listed, active ones), SPD clients and policies of IKE (priority >= 2^31).
h_empty() {
	echo "$(hj sa 'len(d)') $(h_active_sas) $(hj spd clients 'len(d)') $(hj spd \
		'len([p for p in d["policies"] if p["priority"] >= 2147483648])')"
}

# start TAG CONN: strongSwan initiates CONN's child "net"; 0 if it completed.
start() {
	local out
	out=$(swan_initiate "$SC" net 15 "$2")
	if grep -q "initiate completed successfully" <<<"$out"; then
		ok "$1 strongSwan initiate completed"
		return 0
	fi
	fail "$1 strongSwan initiate failed (dependent checks skipped): $(tail -n 12 <<<"$out")"
	tail -n 20 "$LAB_HAGW_LOG" | sed 's/^/#   /'
	return 1
}

# ping_ok TAG COUNT INTERVAL SRC: COUNT echo requests, all answered.
ping_ok() {
	local out
	# -w: wait for every reply up to a deadline (after a first reply, -W alone
	# waits only two round trips for the last ones, too short on a busy machine).
	out=$(lab_run c ping -c "$2" -i "$3" -w 10 -I "$4" "$LAN" 2>&1)
	check_contains "$1 ping $2 through the tunnel, none lost" \
		"$2 packets transmitted, $2 received, 0% packet loss" "$out"
}

# counters_equal CONN: "yes" if strongSwan's CHILD SA packets (out, in) = hagw's (in, out).
counters_equal() {
	local want got
	want="$(sw_child "$1" packets-out) $(sw_child "$1" packets-in)"
	got=$(hj sa "' '.join(str(s['packets']) for s in sorted(d,
		key=lambda s: s['direction']) if s['active'])")
	[ "$want" = "$got" ] && echo yes || echo "no: strongSwan out/in $want, hagw in/out $got"
}

# hagw's CHILD SAs and active ESP SAs: "count spi_in spi_out active_sas"
h_children() {
	echo "$(hj child-sas 'len(d)') $(hj child-sas 'd[0]["spi_in"] + " " + d[0]["spi_out"]' \
		2>/dev/null) $(h_active_sas)"
}

# hagw's IKE SAs: "count spi_i spi_r children spi_in active_sas"
h_ikes() {
	echo "$(hj ike-sas 'len(d)') $(hj ike-sas 'd[0]["spi_i"] + " " + d[0]["spi_r"]' \
		2>/dev/null) $(hj child-sas 'len(d)') $(hj child-sas 'd[0]["spi_in"]' \
		2>/dev/null) $(h_active_sas)"
}

# reset_conf KEY=VALUE...: swan_conf arguments, strongSwan's connection for the next case.
# With LIFE_EXTRA=1: no random rekey times, the hard lifetimes far away (IKE SA over_time
# 30 s, CHILD SA life_time 30 s; swan_conf has no keys for these).
reset_conf() {
	local i2='\t\t' i4='\t\t\t\t'
	swan_terminate_all "$SC" >/dev/null || fail "strongSwan: SAs of an earlier case left"
	swan_reset "$SC"
	swan_conf "$SC" local_addrs="$LAB_C4" remote_addrs="$LAB_GWC4" mobike=no "$@"
	if [ -n "${LIFE_EXTRA:-}" ]; then
		sed -i -e "s/^${i2}rekey_time = .*/&\n${i2}rand_time = 0s\n${i2}over_time = 30s/" \
			-e "s/^${i4}rekey_time = .*/&\n${i4}rand_time = 0s\n${i4}life_time = 30s/" \
			"$SC/swanctl/swanctl.conf"
	fi
	swan_load "$SC" || fail "swanctl --load-all ($*)"
}

CASE_SPIS=
N_INIT=0	# IKE SAs that begin with IKE_SA_INIT
N_REKEYED=0	# IKE SAs made by an IKE SA rekey

# ---- (1) PSK + X25519 + AES-GCM, vip, ping and iperf3; (5) rekeys under traffic; (7a) ----
case_psk() {
	local t="(1)" sent out old_in old_out old_ike ping_pid srv missed
	reset_conf conn=psk auth=psk psk="$PSK" local_id=client.example remote_id=gw.example \
		vips=0.0.0.0 remote_ts="$NET" ike_proposals=aes256gcm16-prfsha384-x25519 \
		esp_proposals=aes256gcm16
	N_INIT=$((N_INIT + 1))
	start "$t" psk || return
	established "$t" psk rw aes-gcm-256
	check_eq "$t suites" \
		"AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519 AES_GCM_16_256/NO_EXT_SEQ" \
		"$(hj ike-sas 'd[0]["suite"]') $(hj child-sas 'd[0]["suite"]')"
	check_eq "$t hagw: responder, PSK both ways, peer behind NAT (libipsec), NAT-T" \
		"responder psk psk client.example True True" \
		"$(hj ike-sas '" ".join(str(d[0][k]) for k in ("role", "auth_local", "auth_remote",
			"remote_id", "nat_remote", "natt"))')"
	ping_ok "$t" 5 0.2 "$VIP"
	check_eq "$t hagw's SA counters: 5 in, 5 out; strongSwan's: 5 out, 5 in" "5 5 5 5" \
		"$(hj sa "' '.join(str(s['packets']) for s in sorted(d,
			key=lambda s: s['direction']) if s['active'])") $(
			sw_child psk packets-out) $(sw_child psk packets-in)"
	# iperf3 paced to 100 Mbit/s: at full speed the kernel drops ESP in af_packet's ring
	# before hagw sees it (hw_rx_missed), which TCP hides but the counters would not.
	missed=$(hj ports '[p for p in d if p["name"] == "client"][0]["hw_rx_missed"]')
	t_bg_start srv l iperf3 -s -1 -B "$LAN" -p 5201 >"$T_TMP/iperf3-server.out" 2>&1
	sleep 0.3
	out=$(lab_run c timeout 20 iperf3 -c "$LAN" -B "$VIP" -p 5201 -t 2 -b 100M -J 2>&1)
	t_bg_stop "$srv"
	sent=$("$PY" -c 'import json, sys; d = json.loads(sys.stdin.read())
print(int(d["end"]["sum_received"]["bytes"]))' <<<"$out" 2>/dev/null)
	check_ge "$t iperf3: bytes received through the tunnel in 2 s" 1000000 "${sent:-0}"
	check_eq "$t after iperf3: hagw's SA packet counters = strongSwan's" yes \
		"$(wait_get yes 10 counters_equal psk)"
	check_eq "$t no frame missed by hagw's client port during iperf3" "$missed" \
		"$(hj ports '[p for p in d if p["name"] == "client"][0]["hw_rx_missed"]')"
	check_eq "$t no SA drops in hagw" 0 "$(hj sa 'sum(s["dropped"] for s in d)')"

	# (5) rekeys under a continuous ping: no echo request may be lost. 30 s of it: the
	# four rekeys take ~12 s, and twice as long under ASan on a loaded machine.
	t="(5)"
	lab_run c ping -c 300 -i 0.1 -w 40 -I "$VIP" "$LAN" >"$T_TMP/ping5.out" 2>&1 &
	ping_pid=$!
	T_BG_PIDS+=("$ping_pid")
	sleep 1
	old_in=$SPI_IN old_out=$SPI_OUT
	out=$(swan_ctl "$SC" --rekey --child net 2>&1)
	check_contains "$t strongSwan rekeyed the CHILD SA" "rekey completed successfully" "$out"
	check "$t strongSwan: its installed CHILD SA has new SPIs" swan_wait "$SC" \
		"[c['spi-in'] for c in d['psk']['child-sas'].values()
		 if c['state'] == 'INSTALLED'] not in ([], ['$old_in'])" true 25
	SPI_IN=$(sw_child psk spi-in) SPI_OUT=$(sw_child psk spi-out)
	check "$t hagw: one CHILD SA with strongSwan's new SPIs, old SAs gone" wait_eq \
		"1 0x$SPI_OUT 0x$SPI_IN 2" 25 h_children
	check "$t SPIs changed" test "$SPI_IN $SPI_OUT" != "$old_in $old_out"
	CASE_SPIS+=" $SPI_IN $SPI_OUT"
	sleep 1

	old_in=$SPI_IN
	CHILD_ID=$(hj child-sas 'd[0]["id"]')
	out=$(ctl --json rekey child "$CHILD_ID" | json 'd["rekeying"]')
	check_eq "$t hagwctl rekey child $CHILD_ID" true "$out"
	check "$t strongSwan: the installed CHILD SA has new SPIs" swan_wait "$SC" \
		"[c['spi-in'] for c in d['psk']['child-sas'].values()
		 if c['state'] == 'INSTALLED'] not in ([], ['$old_in'])" true 25
	SPI_IN=$(sw_child psk spi-in) SPI_OUT=$(sw_child psk spi-out)
	check "$t hagw: one CHILD SA (its own rekey), the old SAs gone" wait_eq \
		"1 0x$SPI_OUT 0x$SPI_IN 2" 25 h_children
	CASE_SPIS+=" $SPI_IN $SPI_OUT"
	sleep 1

	old_ike=$(swan_sa_field "$SC" "d['psk']['initiator-spi']")
	out=$(swan_ctl "$SC" --rekey --ike psk 2>&1)
	check_contains "$t strongSwan rekeyed the IKE SA" "rekey completed successfully" "$out"
	check "$t strongSwan: the IKE SA has new SPIs" swan_wait "$SC" \
		"(d['psk']['initiator-spi'] != '$old_ike' and
		 d['psk']['state'] == 'ESTABLISHED')" true
	N_REKEYED=$((N_REKEYED + 1))
	check "$t hagw: one IKE SA with strongSwan's new SPIs, the CHILD SA kept" wait_eq \
		"1 0x$(swan_sa_field "$SC" "d['psk']['initiator-spi']") 0x$(swan_sa_field "$SC" \
		"d['psk']['responder-spi']") 1 0x$SPI_OUT 2" 25 h_ikes
	sleep 1

	old_ike=$(swan_sa_field "$SC" "d['psk']['initiator-spi']")
	IKE_ID=$(hj ike-sas 'd[0]["id"]')
	out=$(ctl --json rekey ike "$IKE_ID" | json 'd["rekeying"]')
	check_eq "$t hagwctl rekey ike $IKE_ID" true "$out"
	check "$t strongSwan: the IKE SA has new SPIs (hagw's rekey)" swan_wait "$SC" \
		"(d['psk']['initiator-spi'] != '$old_ike' and
		 d['psk']['state'] == 'ESTABLISHED')" true 25
	N_REKEYED=$((N_REKEYED + 1))
	check "$t hagw: one IKE SA with the new SPIs, the CHILD SA kept" wait_eq \
		"1 0x$(swan_sa_field "$SC" "d['psk']['initiator-spi']") 0x$(swan_sa_field "$SC" \
		"d['psk']['responder-spi']") 1 0x$SPI_OUT 2" 25 h_ikes
	check "$t the ping still ran after the 4 rekeys" lab_alive "$ping_pid"
	check_eq "$t no reauthentication by strongSwan" 0 \
		"$(swan_log "$SC" | grep -c 'reauthenticating')"
	wait "$ping_pid"
	check_contains "$t 300 pings at 0.1 s across 4 rekeys, none lost" \
		"300 packets transmitted, 300 received, 0% packet loss" "$(cat "$T_TMP/ping5.out")"
	check_eq "$t no SA drops in hagw" 0 "$(hj sa 'sum(s["dropped"] for s in d)')"

	# (7a) strongSwan deletes.
	out=$(swan_ctl "$SC" --terminate --ike psk --timeout 10 2>&1)
	check_contains "(7a) strongSwan terminate completed" "terminate completed successfully" \
		"$out"
	gone "(7a)"
}

# ---- (5b) rekeys from lifetimes: strongSwan's CHILD SA rekey_time 6 s, IKE SA 10 s ----
# Not shorter: the checks of the first CHILD SA (its SPIs in hagw's SAD and SPD) must be
# done before its rekey, also under ASan on a loaded machine (3 s was not always enough).
case_lifetimes() {
	local t="(5b)" child0 spi0 ping_pid mark
	# strongSwan's defaults would put the hard lifetimes (10 % later, minus a random time)
	# right on the rekeys: LIFE_EXTRA moves them away.
	LIFE_EXTRA=1 reset_conf conn=life auth=psk psk="$PSK" local_id=client.example \
		remote_id=gw.example vips=0.0.0.0 remote_ts="$NET" \
		ike_proposals=aes256gcm16-prfsha384-x25519 esp_proposals=aes128gcm16 \
		child_rekey_time=6s rekey_time=10s
	N_INIT=$((N_INIT + 1))
	mark=$(swan_log_mark "$SC")
	start "$t" life || return
	established "$t" life rw aes-gcm-128
	child0=$(hj ike stats 'd["child_sas_installed"]')
	spi0=$(swan_sa_field "$SC" "d['life']['initiator-spi']")
	lab_run c ping -c 150 -i 0.1 -w 25 -I "$VIP" "$LAN" >"$T_TMP/ping5b.out" 2>&1 &
	ping_pid=$!
	T_BG_PIDS+=("$ping_pid")
	wait "$ping_pid"
	check_contains "$t 150 pings at 0.1 s while the lifetimes expire, none lost" \
		"150 packets transmitted, 150 received, 0% packet loss" "$(cat "$T_TMP/ping5b.out")"
	check_ge "$t hagw installed 2 or more CHILD SAs from strongSwan's rekeys" \
		$((child0 + 2)) "$(hj ike stats 'd["child_sas_installed"]')"
	check "$t strongSwan rekeyed the IKE SA (new SPIs), not reauthenticated" swan_wait "$SC" \
		"(d['life']['initiator-spi'] != '$spi0' and d['life']['state'] == 'ESTABLISHED')" \
		true 25
	check "$t hagw: one IKE SA and one CHILD SA = strongSwan's installed one, 2 SAs" \
		wait_eq yes 25 same_child life
	check_eq "$t no SA drops in hagw" 0 "$(hj sa 'sum(s["dropped"] for s in d)')"
	check_contains "$t strongSwan terminate completed" "terminate completed successfully" \
		"$(swan_ctl "$SC" --terminate --ike life --timeout 10 2>&1)"
	check_eq "$t strongSwan: no hard expiry, no reauthentication" "0 0" \
		"$(sw_log "$mark" -c 'closing expired') $(sw_log "$mark" -c 'reauthenticating')"
	N_REKEYED=$((N_REKEYED + $(sw_log "$mark" -c 'IKE_SA life\[[0-9]*\] rekeyed between')))
	gone "$t"
}

# same_child CONN: "yes" if hagw holds one IKE SA with strongSwan's SPIs, one CHILD SA with
# the SPIs of strongSwan's installed one and only its 2 ESP SAs.
same_child() {
	local want
	want="1 0x$(swan_sa_field "$SC" "d['$1']['initiator-spi']") 1 0x$(sw_child "$1" spi-out)"
	want+=" 0x$(sw_child "$1" spi-in) 2"
	[ "$want" = "$(hj ike-sas 'len(d)') $(hj ike-sas 'd[0]["spi_i"]' 2>/dev/null) $(
		h_children)" ] && echo yes || echo no
}

# ---- (2), (3) certificates: TAG CONN HCONN CLIENT GW_ID GW_SIG IKE ESP ALG ----
case_cert() {
	local t=$1 conn=$2 hconn=$3 client=$4 gw=$5 sig=$6 mark
	reset_conf conn="$conn" auth=pubkey cert="$KEYS/$client.pem" key="$KEYS/$client.key" \
		ca="$KEYS/ca.pem" local_id="$client@example.org" remote_id="$gw" vips=0.0.0.0 \
		remote_ts="$NET" ike_proposals="$7" esp_proposals="$8"
	N_INIT=$((N_INIT + 1))
	mark=$(swan_log_mark "$SC")
	start "$t" "$conn" || return
	check_contains "$t strongSwan verified hagw's $sig signature ($gw)" \
		"authentication of '$gw' with $sig.* successful" \
		"$(swan_log_since "$SC" "$mark" | grep 'authentication of')"
	# hagw's IKE_SA_INIT response asks for certificates (CERTREQ), although the connection
	# that matched by address and proposals first is a PSK one: strongSwan (send_cert =
	# ifasked) sends its certificate.
	check_eq "$t strongSwan got a CERTREQ, sent its certificate" "1 1" \
		"$(sw_log "$mark" -c 'parsed IKE_SA_INIT response 0 .*CERTREQ') $(
			sw_log "$mark" -c 'generating IKE_AUTH request 1 \[ IDi CERT ')"
	established "$t" "$conn" "$hconn" "$9"
	check_eq "$t hagw: peer identity and certificate subject" \
		"$client@example.org|/C=CH/O=hagw test/CN=$client@example.org" \
		"$(hj ike-sas 'd[0]["remote_id"] + "|" + str(d[0]["remote_cert"])')"
	ping_ok "$t" 3 0.2 "$VIP"
	check_eq "$t hagw's SA counters = strongSwan's" yes "$(counters_equal "$conn")"
}

# ---- (4) MODP-2048 + AES-CBC/HMAC-SHA-256; (6a) strongSwan's DPD answered ----
case_modp() {
	local t="(4)" mark reqs
	reset_conf conn=modp auth=psk psk="$PSK" local_id=client.example remote_id=gw.example \
		vips=0.0.0.0 remote_ts="$NET" ike_proposals=aes256-sha256-modp2048 \
		esp_proposals=aes256-sha256 dpd_delay=1s
	N_INIT=$((N_INIT + 1))
	mark=$(swan_log_mark "$SC")
	start "$t" modp || return
	established "$t" modp rw aes-cbc-256-hmac-sha256
	check_eq "$t suites" \
		"AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048 $(
		)AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ" \
		"$(hj ike-sas 'd[0]["suite"]') $(hj child-sas 'd[0]["suite"]')"
	ping_ok "$t" 3 0.2 "$VIP"
	check_eq "$t hagw's SA counters = strongSwan's" yes "$(counters_equal modp)"
	sleep 3
	reqs=$(swan_log_since "$SC" "$mark" | grep -c 'sending DPD request')
	check_ge "(6a) strongSwan sent DPD requests" 2 "$reqs"
	check_ge "(6a) hagw answered them (one may be in flight)" $((reqs - 1)) \
		"$(sw_log "$mark" -cE 'parsed INFORMATIONAL response [0-9]+ \[ \]')"
	check_eq "(6a) no retransmission by strongSwan" 0 \
		"$(swan_log_since "$SC" "$mark" | grep -c 'retransmit')"
	check_contains "$t strongSwan terminate completed" "terminate completed successfully" \
		"$(swan_ctl "$SC" --terminate --ike modp --timeout 10 2>&1)"
	gone "$t"
}

# ---- (6b) hagw's DPD; (7b) hagw deletes ----
case_hagw_dpd() {
	local t="(6b)" mark out
	reset_conf conn=dpd auth=psk psk="$PSK" local_id=dpd.example remote_id=gw.example \
		vips=0.0.0.0 remote_ts="$NET" ike_proposals=aes128gcm16-prfsha256-ecp256 \
		esp_proposals=aes128gcm16
	N_INIT=$((N_INIT + 1))
	mark=$(swan_log_mark "$SC")
	start "$t" dpd || return
	established "$t" dpd rw-dpd aes-gcm-128
	check_eq "$t hagw's DPD interval" 1 "$(hj ike-sas 'd[0]["dpd_interval_s"]')"
	sleep 3
	out=$(swan_log_since "$SC" "$mark" | grep -cE 'parsed INFORMATIONAL request [0-9]+ \[ \]')
	check_ge "$t strongSwan received hagw's empty INFORMATIONAL requests" 2 "$out"
	check_ge "$t ... and answered each" "$out" \
		"$(sw_log "$mark" -cE 'generating INFORMATIONAL response [0-9]+ \[ \]')"
	check_ge "$t hagw: its message ID advanced with them" 2 \
		"$(hj ike-sas 'd[0]["msgid_send"]')"
	check_eq "$t hagw: no retransmission" 0 "$(hj ike stats 'd["tx_retransmits"]')"
	ping_ok "$t" 2 0.2 "$VIP"

	out=$(ctl --json terminate ike "$IKE_ID" | json 'd["terminating"]')
	check_eq "(7b) hagwctl terminate ike $IKE_ID" true "$out"
	gone "(7b)"
	check_eq "(7b) strongSwan received hagw's delete" 1 \
		"$(sw_log "$mark" -cE 'parsed INFORMATIONAL request [0-9]+ \[ D \]')"
}

# ---- (8) a wrong PSK ----
case_bad_psk() {
	local t="(8)" mark out before
	reset_conf conn=bad auth=psk psk="wrong-$PSK" local_id=client.example \
		remote_id=gw.example vips=0.0.0.0 remote_ts="$NET" \
		ike_proposals=aes256gcm16-prfsha384-x25519 esp_proposals=aes256gcm16
	N_INIT=$((N_INIT + 1))
	before=$(hj ike stats 'd["auth_failed"]')
	mark=$(swan_log_mark "$SC")
	out=$(swan_initiate "$SC" net 15 bad)
	check_contains "$t strongSwan initiate failed" "initiate failed" "$out"
	check_eq "$t strongSwan received AUTHENTICATION_FAILED" 1 \
		"$(swan_log_since "$SC" "$mark" | grep -c 'received AUTHENTICATION_FAILED notify')"
	check_eq "$t hagw counted one authentication failure" $((before + 1)) \
		"$(hj ike stats 'd["auth_failed"]')"
	gone "$t"
}

# ---- (9) hagw initiates to strongSwan as the responder ----
case_hagw_init() {
	local t="(9)" out
	reset_conf conn=site auth=psk psk="$PSK" local_id=site.example remote_id=gw.example \
		remote_ts="$NET"
	N_INIT=$((N_INIT + 1))
	out=$(ctl --json initiate site net | json 'd["initiated"]')
	check_eq "$t hagwctl initiate site net" true "$out"
	check "$t strongSwan (responder): IKE SA ESTABLISHED" swan_wait "$SC" \
		"d['site']['state']" ESTABLISHED 50
	check "$t strongSwan: CHILD SA INSTALLED" swan_wait "$SC" \
		"[c['state'] for c in d['site']['child-sas'].values()]" '["INSTALLED"]' 25
	check_eq "$t roles: strongSwan responder, hagw initiator" "no initiator initiator" \
		"$(swan_sa_field "$SC" "d['site'].get('initiator', 'no')") $(hj ike-sas \
			'd[0]["role"]') $(hj child-sas 'd[0]["role"]')"
	check "$t hagw: one IKE SA, established, one CHILD SA" wait_eq "1 established site 1" 25 \
		hj ike-sas "' '.join([str(len(d))] + [str(x) for s in d for x in (s['state'],
			s['connection'], len(s['children']))])"
	check_eq "$t IKE SPIs and suite: hagw = strongSwan" \
		"0x$(swan_sa_field "$SC" "d['site']['initiator-spi']") 0x$(
			swan_sa_field "$SC" "d['site']['responder-spi']") $(swan_ike_suite "$SC" site)" \
		"$(hj ike-sas 'd[0]["spi_i"] + " " + d[0]["spi_r"] + " " + d[0]["suite"]')"
	SPI_IN=$(sw_child site spi-in)
	SPI_OUT=$(sw_child site spi-out)
	check_eq "$t ESP SPIs, suite, TS: hagw = strongSwan" \
		"0x$SPI_OUT 0x$SPI_IN $(swan_child_suite "$SC" site) True $NET $LAB_C4/32" \
		"$(hj child-sas '" ".join([d[0]["spi_in"], d[0]["spi_out"], d[0]["suite"],
			str(d[0]["udp_encap"])] + d[0]["local_ts"] + d[0]["remote_ts"])')"
	check_eq "$t hagw's SAD: the 2 SAs" 2 "$(h_active_sas)"
	check_eq "$t hagw's SPD: one IKE policy through the outbound SA" "1 0x$SPI_IN" \
		"$(hj spd '" ".join([str(len([p for p in d["policies"] if p["priority"] >=
			2147483648]))] + [str(p["sa_spi"]) for p in d["policies"]
			if p["priority"] >= 2147483648])')"
	CASE_SPIS+=" $SPI_IN $SPI_OUT"
	ping_ok "$t" 3 0.2 "$LAB_C4"
	check_eq "$t hagw's SA counters = strongSwan's" yes "$(counters_equal site)"
	out=$(swan_ctl "$SC" --terminate --ike site --timeout 10 2>&1)
	check_contains "$t strongSwan (responder) terminate completed" \
		"terminate completed successfully" "$out"
	gone "$t"
}

case_psk
case_lifetimes
case_cert "(2)" rsa rw-rsa dave moon.example.org RSA aes128gcm16-prfsha256-ecp256 aes128gcm16 \
	aes-gcm-128
case_cert "(3)" ecdsa rw-ecdsa carol sun.example.org ECDSA aes256gcm16-prfsha384-ecp384 \
	aes256gcm16 aes-gcm-256
case_modp
case_hagw_dpd
case_bad_psk
case_hagw_init

sleep 0.3
t_bg_stop "$cap"

# ---- (w) the wire ----
wire=$(t_fields "$T_TMP/wire.pcap" isakmp.ispi udp.srcport udp.dstport isakmp.exchangetype |
	"$PY" -c '
import sys
sas = {}
for line in sys.stdin:
    f = line.strip().split("|")
    if len(f) < 4 or not f[0]:
        continue
    sas.setdefault(f[0], []).append((f[1], f[2], f[3]))
good = rekeyed = 0
for spi, seq in sas.items():
    if seq[0][2] != "34":
        rekeyed += all(p[:2] == ("4500", "4500") for p in seq)
        continue
    i = 0
    while i < len(seq) and seq[i] == ("500", "500", "34"):
        i += 1
    if (i >= 2 and i % 2 == 0 and i < len(seq) and seq[i][2] == "35" and
            all(p[:2] == ("4500", "4500") for p in seq[i:])):
        good += 1
    else:
        print("bad " + spi + " " + str(seq[:6]), file=sys.stderr)
print(len(sas) - rekeyed, good, rekeyed)
')
check_eq "(w) $N_INIT IKE SAs began with IKE_SA_INIT on 500, then only 4500; $N_REKEYED by rekey" \
	"$N_INIT $N_INIT $N_REKEYED" "$wire"
check_eq "(w) nothing but IKE_SA_INIT on port 500" 0 \
	"$(t_fields "$T_TMP/wire.pcap" udp.srcport udp.dstport isakmp.exchangetype |
		awk -F'|' '($1 == 500 || $2 == 500) && $3 != 34' | wc -l)"
esp=$(t_fields "$T_TMP/wire.pcap" udp.srcport udp.dstport esp.spi |
	awk -F'|' '$3 != "" && $1 == 4500 && $2 == 4500 { print $3 }' | sort | uniq -c)
missing=
for spi in $CASE_SPIS; do
	grep -qi "0x$spi\$" <<<"$esp" || missing+=" $spi"
done
check_eq "(w) ESP in UDP 4500 -> 4500 seen on every CHILD SA's SPIs" "" "$missing"
check_eq "(w) no ESP outside UDP" 0 \
	"$(tshark -r "$T_TMP/wire.pcap" -n -Y 'ip.proto == 50' 2>/dev/null | wc -l)"
check_eq "(w) no cleartext packet of the vips or $NET on the client's wire" 0 \
	"$(tshark -r "$T_TMP/wire.pcap" -n -Y "ip.addr == 10.9.0.0/28 or ip.addr == $NET" \
		2>/dev/null | wc -l)"
if [ -n "${LAB_SAVE_LOGS:-}" ]; then
	mkdir -p "$LAB_SAVE_LOGS" && cp -f "$T_TMP/wire.pcap" "$LAB_SAVE_LOGS/"
fi
swan_save_logs "$SC" client
swan_stop "$SC"
check "charon (client) ended" bash -c "! kill -0 $pid_c 2>/dev/null"
