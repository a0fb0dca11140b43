#!/usr/bin/env bash
# hagw's IKEv2 library against a real peer: strongSwan's charon (namespace "client",
# kernel-libipsec) and tools/ike_sock_host (the library on UDP sockets, namespace "gw", fixture
# configs in tests/integration/ike/) across a veth pair:
#   (a) PSK, strongSwan initiates: IKE SA ESTABLISHED, CHILD SA INSTALLED, IKE and ESP SPIs,
#       suites, identities and traffic selectors equal on both ends; ESP keys file mode 600
#   (g) strongSwan terminates the IKE SA: the host logs the delete and holds no SA
#   (c) wrong PSK: strongSwan reports AUTHENTICATION_FAILED, the host holds no SA
#   (d) a virtual IP requested by strongSwan (its default proposals, MOBIKE offered) comes
#       from the pool
#   (b) certificates (tests/vectors/ike/pki): gateway RSA 3072 / client ECDSA P-256 under an
#       intermediate CA, and gateway ECDSA P-384 / client RSA 2048
#       and RFC 7383 fragmentation: the host's IKE_AUTH response with moon's certificate, and
#       strongSwan's request with moon's certificate (b-frag)
#   (e) ike_sock_host initiates to a strongSwan responder (PSK), (m) with certificates,
#       (n) asking for a virtual IP (vips) from strongSwan's pool
#   (h) IPv6 outer addresses with an IPv4 virtual IP (4in6)
#   (i) DPD, CHILD SA and IKE SA rekeying started by strongSwan, CHILD SA closed alone
#   (j) a certificate with the right identity from an untrusted CA is refused
#   (k) traffic selectors outside the host's configuration: TS_UNACCEPTABLE, IKE SA kept
#   (l) an IPv6 virtual IP from an IPv4-only pool: INTERNAL_ADDRESS_FAILURE, IKE SA kept
#   (f) on the wire: every IKE SA starts with IKE_SA_INIT on UDP 500, then IKE_AUTH and
#       everything after on 4500 (strongSwan's libipsec fakes a NAT: UDP-encapsulated ESP)
#       and the host's ESP keys (--keys-out) decrypt strongSwan's ESP (tshark)
# Environment: IKE_SOCK_HOST_BIN (default: the tools/ next to $HAGW_BIN's build),
# IKE_INTEROP_CASES (a subset, e.g. "a i"), LAB_SAVE_LOGS (keeps ish-*.out, charon log, pcap).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swan.sh"
t_init ikeiop

swan_check_install
command -v tshark >/dev/null || fatal "missing tool: tshark"
[ -x "$ISH_BIN" ] ||
	fatal "ike_sock_host missing ($ISH_BIN): ninja -C build-asan tools/ike_sock_host"
swan_topology || fatal "topology (namespaces $LAB_NS_C, $LAB_NS_GW)"

# Fixtures: configs, the PSK and the PKI; secrets and keys must be private (mode 600).
CONF=$T_TMP/ike
PKI=$T_ROOT/tests/vectors/ike/pki
mkdir -p "$CONF/pki" && cp "$T_DIR"/ike/* "$CONF/" && cp "$PKI"/*.pem "$PKI"/*.key "$CONF/pki/" &&
	chmod 600 "$CONF/psk.secret" "$CONF"/pki/*.key || fatal "fixtures"
PSK=$(cat "$CONF/psk.secret")

SC=$T_TMP/client
swan_setup "$SC" "$LAB_NS_C" || fatal "swan_setup"
t_capture_start cap c "$LAB_IF_C" "$T_TMP/wire.pcap" "udp"
swan_start pid_c "$SC" || fatal "charon start: $(swan_log "$SC" | tail -n 20)"
ok "charon (client) started, pid $pid_c"

# sw_child CONN KEY: KEY of CONN's CHILD SA (the INSTALLED one: strongSwan lists a rekeyed
# CHILD SA for charon.delete_rekeyed_delay, 5 s, after the rekey).
sw_child() {
	swan_sa_field "$SC" "[c for c in d['$1']['child-sas'].values()
		if c['state'] == 'INSTALLED'][0]['$2']"
}

# check_pair TAG CONN ISH: the IKE SA CONN of strongSwan and the one ike_sock_host ISH
# printed are the same SA: SPIs, suites, identities; the CHILD SA likewise.
check_pair() {
	local tag=$1 conn=$2 ish=$3
	check_eq "$tag: IKE SPIs (strongSwan = host)" \
		"$(swan_sa_field "$SC" "(d['$conn']['initiator-spi'] + '/' +
			d['$conn']['responder-spi'])")" \
		"$(ish_field "$ish" ike-up spi-i)/$(ish_field "$ish" ike-up spi-r)"
	check_eq "$tag: ESP SPI strongSwan in = host out" "$(sw_child "$conn" spi-in)" \
		"$(ish_field "$ish" child-up spi-out)"
	check_eq "$tag: ESP SPI strongSwan out = host in" "$(sw_child "$conn" spi-out)" \
		"$(ish_field "$ish" child-up spi-in)"
	check_eq "$tag: IKE suite (host = strongSwan)" "$(swan_ike_suite "$SC" "$conn")" \
		"$(ish_field "$ish" ike-up suite)"
	check_eq "$tag: ESP suite (host = strongSwan)" "$(swan_child_suite "$SC" "$conn")" \
		"$(ish_field "$ish" child-up suite)"
	check_eq "$tag: ESP in UDP on both ends" "yes yes" \
		"$(sw_child "$conn" encap) $(ish_field "$ish" child-up encap)"
	check_eq "$tag: tunnel mode on both ends" "TUNNEL tunnel" \
		"$(sw_child "$conn" mode) $(ish_field "$ish" child-up mode)"
	check_eq "$tag: host installed the inbound SA, then the outbound one" "child-in child-out" \
		"$(grep -oE '^child-(in|out) ' "$T_TMP/ish-$ish.out" | tr -d ' ' | paste -sd ' ')"
}

# in_pool ADDR [VIP6]: ADDR is one of 192.0.2.17..192.0.2.30 (psk.conf's pool 192.0.2.16/28
# without its network and broadcast addresses) and VIP6, if given, is "-" (none).
in_pool() {
	[[ "$1" =~ ^192\.0\.2\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 17 ] &&
		[ "${BASH_REMATCH[1]}" -le 30 ] && [ "${2:--}" = - ]
}

# initiated TAG CONN OUT ISH PID: the initiate check; on failure the case's dependent checks
# are skipped (one FAIL, not twenty) and its ike_sock_host is stopped. 0 if established.
initiated() {
	local tag=$1 conn=$2 out=$3 ish=$4 pid=$5
	if grep -q "initiate completed successfully" <<<"$out"; then
		ok "$tag: strongSwan initiate completed"
		return 0
	fi
	fail "$tag: strongSwan initiate failed (dependent checks skipped): $(tail -n 12 <<<"$out")"
	t_log "$tag ike_sock_host output (last 30 lines):"
	tail -n 30 "$T_TMP/ish-$ish.out" 2>/dev/null | sed 's/^/#   /'
	ish_stop "$pid" "$ish" || fail "$tag: ike_sock_host did not exit 0"
	return 1
}

# (a) PSK, strongSwan initiates; then (g) strongSwan terminates.
case_psk() {
	local ish out
	swan_terminate_all "$SC" || fail "strongSwan: SAs of an earlier case left over"
	swan_reset "$SC"
	swan_conf "$SC" conn=psk local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" auth=psk \
		psk="$PSK" local_id=client.example remote_id=gw.example remote_ts="$SWAN_LAN_NET4" \
		ike_proposals=aes256gcm16-prfsha384-x25519 esp_proposals=aes256gcm16 mobike=no
	swan_load "$SC" || { fail "(a) swanctl --load-all"; return; }
	ish_start ish a "$CONF/psk.conf" --keys-out "$T_TMP/keys-a" ||
		{ fail "(a) ike_sock_host start"; return; }
	out=$(swan_initiate "$SC" net 15)
	initiated "(a) psk" psk "$out" a "$ish" || return
	check_eq "(a) strongSwan IKE SA" "ESTABLISHED gw.example" \
		"$(swan_sa_field "$SC" "d['psk']['state'] + ' ' + d['psk']['remote-id']")"
	check_eq "(a) strongSwan CHILD SA" INSTALLED "$(sw_child psk state)"
	check "(a) host printed child-up" ish_wait a '^child-up '
	check_eq "(a) host: peer identity, responder" "client.example no" \
		"$(ish_field a ike-up remote-id) $(ish_field a ike-up initiator)"
	check_pair "(a)" psk a
	check_eq "(a) suites" \
		"AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519 AES_GCM_16_256/NO_EXT_SEQ" \
		"$(ish_field a ike-up suite) $(ish_field a child-up suite)"
	check_eq "(a) host TS" "$SWAN_LAN_NET4 $SWAN_C4/32" \
		"$(ish_field a child-up local-ts) $(ish_field a child-up remote-ts)"
	check_eq "(a) strongSwan TS" "[\"$SWAN_C4/32\"] [\"$SWAN_LAN_NET4\"]" \
		"$(sw_child psk local-ts) $(sw_child psk remote-ts)"
	check_eq "(a) keys file: mode 600, one line per direction" "600 2" \
		"$(stat -c %a "$T_TMP/keys-a" 2>&1) $(grep -c '^spi=' "$T_TMP/keys-a" 2>&1)"
	check_eq "(a) keys file: SPIs" "$(ish_field a child-up spi-in) in" \
		"$(awk '$2 == "dir=in" {print substr($1, 5), "in"}' "$T_TMP/keys-a")"
	check_eq "(a) no key material on stdout" 0 \
		"$(grep -cFf <(awk '{print substr($6, 10)}' "$T_TMP/keys-a") "$T_TMP/ish-a.out")"
	# ESP from strongSwan's libipsec reaches the host's NAT-T socket (which has no data
	# path: the library must ignore it); the capture is decrypted at the end with the keys
	# the host derived, proving both ends agree on KEYMAT (RFC 7296 §2.17).
	ip netns exec "$LAB_NS_C" ping -c 2 -i 0.2 -W 1 "$SWAN_LAN4" >/dev/null 2>&1
	check_eq "(a) strongSwan sent 2 ESP packets on the CHILD SA" 2 "$(sw_child psk packets-out)"
	A_SPI=$(awk '$2 == "dir=in" {print substr($1, 5)}' "$T_TMP/keys-a")
	A_KEY=$(awk '$2 == "dir=in" {print substr($6, 10)}' "$T_TMP/keys-a")
	check "(a) host alive after ESP on its NAT-T port" lab_alive "$ish"

	out=$(swan_ctl "$SC" --terminate --ike psk --timeout 10 2>&1)
	check_contains "(g) strongSwan terminate completed" "terminate completed successfully" \
		"$out"
	check "(g) host logged the IKE SA delete" ish_wait a '^ike-down '
	check_eq "(g) host removed the CHILD SA" "$(ish_field a child-up spi-in)" \
		"$(ish_field a child-down spi-in)"
	check_contains "(g) host holds no SA" "^sa-count 0$" "$(ish_dump "$ish" a)"
	check "(g) strongSwan holds no SA" swan_wait "$SC" "len(d)" 0
	check "(a) ike_sock_host exits 0 on SIGTERM" ish_stop "$ish" a
}

# (c) wrong PSK.
case_bad_psk() {
	local ish out mark
	swan_terminate_all "$SC" || fail "strongSwan: SAs of an earlier case left over"
	swan_reset "$SC"
	swan_conf "$SC" conn=badpsk local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" auth=psk \
		psk="not-the-gateway-secret-42" local_id=client.example remote_id=gw.example \
		remote_ts="$SWAN_LAN_NET4" ike_proposals=aes256gcm16-prfsha384-x25519 \
		esp_proposals=aes256gcm16 mobike=no
	swan_load "$SC" || { fail "(c) swanctl --load-all"; return; }
	ish_start ish c "$CONF/psk.conf" || { fail "(c) ike_sock_host start"; return; }
	mark=$(swan_log_mark "$SC")
	out=$(swan_initiate "$SC" net 15)
	check_contains "(c) wrong psk: strongSwan initiate failed" "initiate failed" "$out"
	check_eq "(c) strongSwan received AUTHENTICATION_FAILED" 1 \
		"$(swan_log_since "$SC" "$mark" |
			grep -c 'received AUTHENTICATION_FAILED notify error')"
	check "(c) strongSwan holds no SA" swan_wait "$SC" "len(d)" 0
	out=$(ish_dump "$ish" c)
	check_contains "(c) host holds no SA" "^sa-count 0$" "$out"
	check_contains "(c) host counted one authentication failure" " auth-failed=1 " "$out"
	check_eq "(c) host brought nothing up" "0 0 0" \
		"$(ish_count c '^ike-up ') $(ish_count c '^child-in ') $(ish_count c '^child-up ')"
	check "(c) ike_sock_host exits 0" ish_stop "$ish" c
}

# (d) virtual IP from the pool, strongSwan's default proposals.
case_vip() {
	local ish out vip mark
	swan_terminate_all "$SC" || fail "strongSwan: SAs of an earlier case left over"
	swan_reset "$SC"
	swan_conf "$SC" conn=vip local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" auth=psk \
		psk="$PSK" local_id=client.example remote_id=gw.example remote_ts="$SWAN_LAN_NET4" \
		vips=0.0.0.0
	swan_load "$SC" || { fail "(d) swanctl --load-all"; return; }
	ish_start ish d "$CONF/psk.conf" || { fail "(d) ike_sock_host start"; return; }
	mark=$(swan_log_mark "$SC")
	out=$(swan_initiate "$SC" net 15)
	initiated "(d) vip" vip "$out" d "$ish" || return
	check_eq "(d) host (mobike = false) did not take up strongSwan's MOBIKE offer" 0 \
		"$(swan_log_since "$SC" "$mark" | grep -c 'peer supports MOBIKE')"
	check "(d) host printed child-up" ish_wait d '^child-up '
	vip=$(ish_field d ike-up vip4)
	check "(d) host leased an address of the pool 192.0.2.17-30 ($vip), no IPv6" \
		in_pool "$vip" "$(ish_field d ike-up vip6)"
	check_eq "(d) strongSwan got the host's lease" "[\"$vip\"]" \
		"$(swan_sa_field "$SC" "d['vip']['local-vips']")"
	check_eq "(d) strongSwan CHILD SA" "INSTALLED [\"$vip/32\"] [\"$SWAN_LAN_NET4\"]" \
		"$(sw_child vip state) $(sw_child vip local-ts) $(sw_child vip remote-ts)"
	check_eq "(d) host TS narrowed to the virtual IP" "$SWAN_LAN_NET4 $vip/32" \
		"$(ish_field d child-up local-ts) $(ish_field d child-up remote-ts)"
	check_pair "(d)" vip d
	out=$(swan_ctl "$SC" --terminate --ike vip --timeout 10 2>&1)
	check_contains "(d) terminate completed" "terminate completed successfully" "$out"
	check "(d) host logged the delete" ish_wait d '^ike-down '
	check "(d) ike_sock_host exits 0" ish_stop "$ish" d
}

# (b) certificates: NAME CONF CLIENT(cert file) CLIENT_ID GW_ID GW_SIG IKE_PROPOSAL ESP_PROPOSAL
case_cert() {
	local name=$1 conf=$2 client=$3 client_id=$4 gw_id=$5 gw_sig=$6 ikep=$7 espp=$8 ish out mark
	local tag="($name)"
	swan_terminate_all "$SC" || fail "strongSwan: SAs of an earlier case left over"
	swan_reset "$SC"
	swan_conf "$SC" conn=cert local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" auth=pubkey \
		cert="$PKI/$client.pem" key="$PKI/$client.key" ca="$PKI/ca.pem" \
		local_id="$client_id" remote_id="$gw_id" remote_ts="$SWAN_LAN_NET4" \
		ike_proposals="$ikep" esp_proposals="$espp" mobike=no
	swan_load "$SC" || { fail "$tag swanctl --load-all"; return; }
	ish_start ish "$name" "$CONF/$conf" || { fail "$tag ike_sock_host start"; return; }
	mark=$(swan_log_mark "$SC")
	out=$(swan_initiate "$SC" net 15)
	initiated "$tag $client -> $gw_id" cert "$out" "$name" "$ish" || return
	check_eq "$tag strongSwan IKE SA" "ESTABLISHED $gw_id" \
		"$(swan_sa_field "$SC" "d['cert']['state'] + ' ' + d['cert']['remote-id']")"
	check_contains "$tag strongSwan verified the gateway's $gw_sig signature" \
		"authentication of '$gw_id' with $gw_sig.* successful" \
		"$(swan_log_since "$SC" "$mark" | grep 'authentication of')"
	check "$tag host printed child-up" ish_wait "$name" '^child-up '
	check_eq "$tag host: peer identity" "$client_id" \
		"$(ish_field "$name" ike-up remote-id)"
	check_pair "$tag" cert "$name"
	printf -v "SPI_${name//-/_}" '%s' "$(ish_field "$name" ike-up spi-i)"
	out=$(swan_ctl "$SC" --terminate --ike cert --timeout 10 2>&1)
	check_contains "$tag terminate completed" "terminate completed successfully" "$out"
	check "$tag host logged the delete" ish_wait "$name" '^ike-down '
	check "$tag ike_sock_host exits 0" ish_stop "$ish" "$name"
}

# (e) ike_sock_host initiates to a strongSwan responder (PSK), and (m) with certificates
# (the host as moon, RSA 3072; strongSwan as carol, ECDSA under the intermediate CA).
# case_initiator NAME CONF CONN KEY=VALUE... (strongSwan's side of CONN)
case_initiator() {
	local name=$1 conf=$2 conn=$3 ish out role tag="($1)"
	shift 3
	swan_terminate_all "$SC" || fail "strongSwan: SAs of an earlier case left over"
	swan_reset "$SC"
	swan_conf "$SC" conn="$conn" local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" \
		remote_ts="$SWAN_LAN_NET4" mobike=no "$@"
	swan_load "$SC" || { fail "$tag swanctl --load-all"; return; }
	ish_start ish "$name" "$CONF/$conf" --initiate "$conn/net" ||
		{ fail "$tag ike_sock_host start"; return; }
	# The host prints "ready" before it initiates: wait for the initiate line.
	ish_wait "$name" '^initiate ' 50 || fail "$tag host printed no initiate line"
	check_eq "$tag host: initiate accepted" "0" "$(ish_field "$name" initiate rc)"
	if ! ish_wait "$name" '^child-up ' 150; then
		fail "$tag host printed no child-up (dependent checks skipped)"
		tail -n 30 "$T_TMP/ish-$name.out" 2>/dev/null | sed 's/^/#   /'
		ish_stop "$ish" "$name" || fail "$tag ike_sock_host did not exit 0"
		return
	fi
	ok "$tag host printed child-up"
	check "$tag strongSwan (responder) IKE SA established" swan_wait "$SC" \
		"d['$conn']['state']" ESTABLISHED
	role=$(swan_sa_field "$SC" "d['$conn'].get('initiator', 'no')")
	check_eq "$tag roles: strongSwan responder, host initiator" "no yes" \
		"$role $(ish_field "$name" ike-up initiator)"
	check_eq "$tag host's peer identity = strongSwan's own" \
		"$(swan_sa_field "$SC" "d['$conn']['local-id']")" \
		"$(ish_field "$name" ike-up remote-id)"
	check_eq "$tag host TS" "$SWAN_LAN_NET4 $SWAN_C4/32" \
		"$(ish_field "$name" child-up local-ts) $(ish_field "$name" child-up remote-ts)"
	check_pair "$tag" "$conn" "$name"
	out=$(swan_ctl "$SC" --terminate --ike "$conn" --timeout 10 2>&1)
	check_contains "$tag terminate (by the responder) completed" \
		"terminate completed successfully" "$out"
	check "$tag host logged the delete" ish_wait "$name" '^ike-down '
	check "$tag ike_sock_host exits 0" ish_stop "$ish" "$name"
}

# (n) ike_sock_host initiates with vips = [ "0.0.0.0" ] (initiator-vip.conf) to a strongSwan
# responder with a pool: the host asks in IKE_AUTH (CP request), gets strongSwan's first
# address, and both CHILD SAs are narrowed to it.
case_initiator_vip() {
	local ish tag="(n)"
	swan_terminate_all "$SC" || fail "strongSwan: SAs of an earlier case left over"
	swan_reset "$SC"
	swan_conf "$SC" conn=rw local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" auth=psk \
		psk="$PSK" local_id=client.example remote_id=gw.example pools=vpool \
		pool_addrs=10.7.0.0/28 mobike=no
	swan_load "$SC" || { fail "$tag swanctl --load-all"; return; }
	ish_start ish n "$CONF/initiator-vip.conf" --initiate rw/net ||
		{ fail "$tag ike_sock_host start"; return; }
	ish_wait n '^initiate ' 50 || fail "$tag host printed no initiate line"
	if ! ish_wait n '^child-up ' 150; then
		fail "$tag host printed no child-up (dependent checks skipped)"
		tail -n 30 "$T_TMP/ish-n.out" 2>/dev/null | sed 's/^/#   /'
		ish_stop "$ish" n || fail "$tag ike_sock_host did not exit 0"
		return
	fi
	ok "$tag host printed child-up"
	check "$tag strongSwan (responder) IKE SA established" swan_wait "$SC" \
		"d['rw']['state']" ESTABLISHED
	check_eq "$tag host's virtual IP = strongSwan's lease (first of 10.7.0.0/28), no IPv6" \
		"10.7.0.1 - [\"10.7.0.1\"]" "$(ish_field n ike-up vip4) $(ish_field n ike-up vip6) $(
			swan_sa_field "$SC" "d['rw']['remote-vips']")"
	check_eq "$tag host TS: its virtual IP to strongSwan's address" \
		"10.7.0.1/32 $SWAN_C4/32" \
		"$(ish_field n child-up local-ts) $(ish_field n child-up remote-ts)"
	check_eq "$tag strongSwan CHILD SA" "INSTALLED [\"$SWAN_C4/32\"] [\"10.7.0.1/32\"]" \
		"$(sw_child rw state) $(sw_child rw local-ts) $(sw_child rw remote-ts)"
	check_pair "$tag" rw n
	check_contains "$tag terminate (by the responder) completed" \
		"terminate completed successfully" \
		"$(swan_ctl "$SC" --terminate --ike rw --timeout 10 2>&1)"
	check "$tag host logged the delete" ish_wait n '^ike-down '
	check "$tag ike_sock_host exits 0" ish_stop "$ish" n
}

# (h) IPv6 outer addresses (IP6 pktinfo, NAT-D over IPv6), IPv4 virtual IP inside: 4in6.
case_ipv6() {
	local ish out vip
	swan_terminate_all "$SC" || fail "strongSwan: SAs of an earlier case left over"
	swan_reset "$SC"
	swan_conf "$SC" conn=v6 local_addrs="$SWAN_C6" remote_addrs="$SWAN_GW6" auth=psk \
		psk="$PSK" local_id=client.example remote_id=gw.example remote_ts="$SWAN_LAN_NET4" \
		vips=0.0.0.0 ike_proposals=aes128gcm16-prfsha256-ecp256 esp_proposals=aes128gcm16 \
		mobike=no
	swan_load "$SC" || { fail "(h) swanctl --load-all"; return; }
	ish_start ish h "$CONF/psk.conf" || { fail "(h) ike_sock_host start"; return; }
	out=$(swan_initiate "$SC" net 15)
	initiated "(h) ipv6" v6 "$out" h "$ish" || return
	check_eq "(h) strongSwan: IPv6 endpoints, NAT-T port" "$SWAN_C6 $SWAN_GW6 4500" \
		"$(swan_sa_field "$SC" "' '.join([d['v6']['local-host'], d['v6']['remote-host'],
			d['v6']['remote-port']])")"
	check "(h) host printed child-up" ish_wait h '^child-up '
	check_eq "(h) host: IPv6 endpoints" "${SWAN_GW6}[4500] ${SWAN_C6}[4500]" \
		"$(ish_field h ike-up local) $(ish_field h ike-up remote)"
	vip=$(ish_field h ike-up vip4)
	check_eq "(h) virtual IP: strongSwan's = the host's lease" "[\"$vip\"]" \
		"$(swan_sa_field "$SC" "d['v6']['local-vips']")"
	check "(h) virtual IP from the pool 192.0.2.17-30" in_pool "$vip"
	check_pair "(h)" v6 h
	out=$(swan_ctl "$SC" --terminate --ike v6 --timeout 10 2>&1)
	check_contains "(h) terminate completed" "terminate completed successfully" "$out"
	check "(h) host logged the delete" ish_wait h '^ike-down '
	check "(h) ike_sock_host exits 0" ish_stop "$ish" h
}

# (i) the life of an SA: DPD (strongSwan's empty INFORMATIONAL every second), CHILD SA rekey
# and IKE SA rekey started by strongSwan (CREATE_CHILD_SA, RFC 7296 §1.3.3, §1.3.2), the
# CHILD SA closed alone, then the IKE SA.
case_rekey() {
	local ish out mark dump old_in old_ike reqs sas spis
	swan_terminate_all "$SC" || fail "strongSwan: SAs of an earlier case left over"
	swan_reset "$SC"
	swan_conf "$SC" conn=rk local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" auth=psk \
		psk="$PSK" local_id=client.example remote_id=gw.example remote_ts="$SWAN_LAN_NET4" \
		ike_proposals=aes256gcm16-prfsha384-x25519 esp_proposals=aes256gcm16 mobike=no \
		dpd_delay=1s
	swan_load "$SC" || { fail "(i) swanctl --load-all"; return; }
	ish_start ish i "$CONF/psk.conf" || { fail "(i) ike_sock_host start"; return; }
	mark=$(swan_log_mark "$SC")
	out=$(swan_initiate "$SC" net 15)
	initiated "(i) rekey" rk "$out" i "$ish" || return
	check "(i) host printed child-up" ish_wait i '^child-up '

	sleep 3.5
	reqs=$(swan_log_since "$SC" "$mark" | grep -c 'sending DPD request')
	check_ge "(i) strongSwan sent DPD requests" 2 "$reqs"
	out=$(swan_log_since "$SC" "$mark" | grep -cE 'parsed INFORMATIONAL response [0-9]+ \[ \]')
	check_ge "(i) every DPD request answered (one may be in flight)" $((reqs - 1)) "$out"
	check_eq "(i) no retransmission by strongSwan" 0 \
		"$(swan_log_since "$SC" "$mark" | grep -c 'retransmit')"

	old_in=$(sw_child rk spi-in)
	old_ike=$(swan_sa_field "$SC" "d['rk']['initiator-spi']")
	out=$(swan_ctl "$SC" --rekey --child net 2>&1)
	check_contains "(i) CHILD SA rekey requested" "rekey completed successfully" "$out"
	check "(i) strongSwan: the installed CHILD SA has new SPIs" swan_wait "$SC" \
		"[c['spi-in'] for c in d['rk']['child-sas'].values()
		 if c['state'] == 'INSTALLED'] not in ([], ['$old_in'])" true
	out=$(swan_log_since "$SC" "$mark" | grep -c 'reauthenticating')
	check_eq "(i) CHILD SA rekeyed in the same IKE SA (CREATE_CHILD_SA, no reauthentication)" \
		"$old_ike 0" "$(swan_sa_field "$SC" "d['rk']['initiator-spi']") $out"
	out="$(ish_count i '^child-up ') $(ish_count i '^child-down ')"
	check_eq "(i) host: 2 CHILD SAs up in all, the first one removed" "2 1 $old_in" \
		"$out $(ish_field i child-down spi-out)"
	check_eq "(i) host's new CHILD SA = strongSwan's" \
		"$(sw_child rk spi-out) $(sw_child rk spi-in)" \
		"$(ish_field i child-up spi-in) $(ish_field i child-up spi-out)"

	old_ike=$(swan_sa_field "$SC" "d['rk']['initiator-spi']")
	out=$(swan_ctl "$SC" --rekey --ike rk 2>&1)
	check_contains "(i) IKE SA rekey requested" "rekey completed successfully" "$out"
	check "(i) strongSwan: the IKE SA has new SPIs" swan_wait "$SC" \
		"d['rk']['initiator-spi'] != '$old_ike' and d['rk']['state'] == 'ESTABLISHED'" true
	check_eq "(i) IKE SA rekeyed with CREATE_CHILD_SA (no reauthentication)" 0 \
		"$(swan_log_since "$SC" "$mark" | grep -c 'reauthenticating')"
	sleep 0.5
	dump=$(ish_dump "$ish" i)
	sas=$(grep -c '^sa ' <<<"$dump")
	spis="$(kv_field sa spi-i <<<"$dump") $(kv_field sa spi-r <<<"$dump")"
	out=$(swan_sa_field "$SC" "d['rk']['initiator-spi'] + ' ' + d['rk']['responder-spi']")
	check_eq "(i) host after the IKE rekey: one IKE SA (strongSwan's SPIs), one CHILD SA" \
		"1 $out 1" "$sas $spis $(grep -c '^child ' <<<"$dump")"
	check_eq "(i) host's CHILD SA survived the IKE rekey" "$(sw_child rk spi-out)" \
		"$(kv_field child spi-in <<<"$dump")"

	old_in=$(sw_child rk spi-in)
	out=$(swan_ctl "$SC" --terminate --child net --timeout 10 2>&1)
	check_contains "(i) CHILD SA closed alone" "terminate completed successfully" "$out"
	check "(i) host removed it" ish_wait i "^child-down .*spi-out=$old_in"
	dump=$(ish_dump "$ish" i)
	check_eq "(i) host keeps the IKE SA without CHILD SA" "1 0" \
		"$(grep -c '^sa ' <<<"$dump") $(grep -c '^child ' <<<"$dump")"
	out=$(swan_ctl "$SC" --terminate --ike rk --timeout 10 2>&1)
	check_contains "(i) IKE SA closed" "terminate completed successfully" "$out"
	check_contains "(i) host holds no SA" "^sa-count 0$" "$(sleep 0.3; ish_dump "$ish" i)"
	check "(i) ike_sock_host exits 0" ish_stop "$ish" i
}

# (j) the right identity in a certificate from an untrusted CA: mallory's "moon.example.org"
# (issued by foreign-ca) against cert-frag.conf, which trusts only ca.pem for that identity.
case_foreign_ca() {
	local ish out mark
	swan_terminate_all "$SC" || fail "strongSwan: SAs of an earlier case left over"
	swan_reset "$SC"
	swan_conf "$SC" conn=forged local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" auth=pubkey \
		cert="$PKI/mallory.pem" key="$PKI/mallory.key" ca="$PKI/ca.pem" \
		local_id=moon.example.org remote_id=sun.example.org remote_ts="$SWAN_LAN_NET4" \
		ike_proposals=aes256gcm16-prfsha384-ecp384 esp_proposals=aes256gcm16 mobike=no
	swan_load "$SC" || { fail "(j) swanctl --load-all"; return; }
	ish_start ish j "$CONF/cert-frag.conf" || { fail "(j) ike_sock_host start"; return; }
	mark=$(swan_log_mark "$SC")
	out=$(swan_initiate "$SC" net 15)
	check_contains "(j) untrusted CA: strongSwan initiate failed" "initiate failed" "$out"
	check_eq "(j) strongSwan received AUTHENTICATION_FAILED" 1 \
		"$(swan_log_since "$SC" "$mark" |
			grep -c 'received AUTHENTICATION_FAILED notify error')"
	out=$(ish_dump "$ish" j)
	check_contains "(j) host holds no SA" "^sa-count 0$" "$out"
	check_contains "(j) host counted one authentication failure" " auth-failed=1 " "$out"
	check_eq "(j) host brought nothing up" "0 0" \
		"$(ish_count j '^ike-up ') $(ish_count j '^child-in ')"
	check "(j) ike_sock_host exits 0" ish_stop "$ish" j
}

# (k) traffic selectors the host does not allow (psk.conf offers 203.0.113.0/24 only), and
# (l) an IPv6 virtual IP asked of an IPv4-only pool: the IKE SA stays up, the CHILD SA is
# refused with TS_UNACCEPTABLE / INTERNAL_ADDRESS_FAILURE, the host installs nothing.
# case_no_child TAG NAME NOTIFY KEY=VALUE... (swan_conf settings of the request)
case_no_child() {
	local tag=$1 name=$2 notify=$3 ish out mark dump
	shift 3
	swan_terminate_all "$SC" || fail "strongSwan: SAs of an earlier case left over"
	swan_reset "$SC"
	swan_conf "$SC" conn=nochild local_addrs="$SWAN_C4" remote_addrs="$SWAN_GW4" auth=psk \
		psk="$PSK" local_id=client.example remote_id=gw.example \
		ike_proposals=aes256gcm16-prfsha384-x25519 esp_proposals=aes256gcm16 mobike=no "$@"
	swan_load "$SC" || { fail "$tag swanctl --load-all"; return; }
	ish_start ish "$name" "$CONF/psk.conf" || { fail "$tag ike_sock_host start"; return; }
	mark=$(swan_log_mark "$SC")
	out=$(swan_initiate "$SC" net 15)
	check_contains "$tag strongSwan's CHILD SA failed" "initiate failed" "$out"
	out=$(swan_log_since "$SC" "$mark" | grep -c "received $notify notify, no CHILD_SA built")
	check_eq "$tag strongSwan: $notify, IKE SA kept" "1 ESTABLISHED" \
		"$out $(swan_sa_field "$SC" "d['nochild']['state']")"
	dump=$(ish_dump "$ish" "$name")
	out="$(grep -c '^sa ' <<<"$dump") $(grep -c '^child ' <<<"$dump")"
	out+=" $(ish_count "$name" '^child-in ')"
	out+=" $(kv_field sa vip4 <<<"$dump") $(kv_field sa vip6 <<<"$dump")"
	check_eq "$tag host: one IKE SA, no CHILD SA, nothing installed, no lease" "1 0 0 - -" \
		"$out"
	out=$(swan_ctl "$SC" --terminate --ike nochild --timeout 10 2>&1)
	check_contains "$tag terminate completed" "terminate completed successfully" "$out"
	check "$tag ike_sock_host exits 0" ish_stop "$ish" "$name"
}

# IKE_INTEROP_CASES="a i" runs a subset (a b-rsa b-ecdsa b-frag c d e h i j k l m n; all by
# default):
# a tool while the IKE core is being written. The wire checks (f) follow the selection.
CASES=${IKE_INTEROP_CASES:-a c d b-rsa b-ecdsa b-frag e h i j k l m n}
N_INIT=0	# IKE SAs that start with IKE_SA_INIT (one per case)
N_REKEYED=0	# IKE SAs made by an IKE SA rekey
want() { [[ " $CASES " == *" $1 "* ]]; }
# run_case NAME CMD...: CMD if NAME is selected; each case starts one IKE SA.
run_case() {
	want "$1" || return 0
	N_INIT=$((N_INIT + 1))
	shift
	"$@"
}
run_case a case_psk
run_case c case_bad_psk
run_case d case_vip
run_case b-rsa case_cert b-rsa cert-rsa.conf carol carol@example.org moon.example.org RSA \
	aes128gcm16-prfsha256-ecp256 aes128gcm16
run_case b-ecdsa case_cert b-ecdsa cert-ecdsa.conf dave dave@example.org sun.example.org \
	ECDSA aes256-sha256-modp2048 aes256-sha256
run_case b-frag case_cert b-frag cert-frag.conf moon moon.example.org sun.example.org ECDSA \
	aes256gcm16-prfsha384-ecp384 aes256gcm16
run_case e case_initiator e initiator.conf site auth=psk psk="$PSK" local_id=client.example \
	remote_id=gw.example
run_case m case_initiator m initiator-cert.conf sitecert auth=pubkey cert="$PKI/carol.pem" \
	key="$PKI/carol.key" ca="$PKI/ca.pem" local_id=carol@example.org remote_id=moon.example.org
run_case n case_initiator_vip
run_case h case_ipv6
run_case i case_rekey
run_case j case_foreign_ca
run_case k case_no_child "(k)" k TS_UNACCEPTABLE remote_ts=192.0.2.128/25
run_case l case_no_child "(l)" l INTERNAL_ADDRESS_FAILURE remote_ts="$SWAN_LAN_NET4" vips=::
want i && N_REKEYED=1
[ "$N_INIT" -gt 0 ] || fatal "IKE_INTEROP_CASES='$CASES' selects no case"

sleep 0.3
t_bg_stop "$cap"

# (f) the wire: per IKE SA (initiator SPI), IKE_SA_INIT request and response on 500 (again
# after an INVALID_KE_PAYLOAD: the host's initiations meet strongSwan's group preference),
# then IKE_AUTH and everything else on 4500.
wire=$(t_fields "$T_TMP/wire.pcap" isakmp.ispi udp.srcport udp.dstport isakmp.exchangetype |
	"$PY" -c '
import sys
sas = {}
for line in sys.stdin:
    f = line.strip().split("|")
    if len(f) < 4 or not f[0]:
        continue
    sas.setdefault(f[0], []).append((f[1], f[2], f[3]))
good = 0
rekeyed = 0
for spi, seq in sas.items():
    if seq[0][2] != "34":
        # an IKE SA made by CREATE_CHILD_SA: it never uses port 500
        rekeyed += all(p[:2] == ("4500", "4500") for p in seq)
        continue
    # IKE_SA_INIT pairs (more than one after INVALID_KE_PAYLOAD or COOKIE), then IKE_AUTH
    i = 0
    while i < len(seq) and seq[i] == ("500", "500", "34"):
        i += 1
    ok = (i >= 2 and i % 2 == 0 and i < len(seq) and seq[i][2] == "35" and
          all(p[:2] == ("4500", "4500") for p in seq[i:]))
    if ok:
        good += 1
    else:
        print("bad " + spi + " " + str(seq[:6]), file=sys.stderr)
print(len(sas) - rekeyed, good, rekeyed)
')
# (IKE SAs made by a rekey start with CREATE_CHILD_SA on 4500: (i) adds one such SA.)
check_eq "(f) wire: $N_INIT IKE SAs began with IKE_SA_INIT on 500, then IKE_AUTH.. on 4500" \
	"$N_INIT $N_INIT $N_REKEYED" "$wire"
# RFC 7383: IKE_AUTH datagrams that are Encrypted Fragment payloads (53), by sender, and the
# largest IP datagram of an IKE SA: fragments() SPI SRC -> "COUNT MAXLEN"
fragments() {
	t_fields "$T_TMP/wire.pcap" isakmp.ispi ip.src isakmp.exchangetype isakmp.nextpayload \
		ip.len | awk -F'|' -v s="$1" -v src="$2" '$1 == s && $2 == src && $3 == 35 &&
		$4 ~ /^53/ { n++; if ($5 > m) m = $5 } END { print n + 0, m + 0 }'
}
if want b-rsa; then
	read -r n len < <(fragments "${SPI_b_rsa:-none}" "$SWAN_GW4")
	check_eq "(f) b-rsa: the host's IKE_AUTH response in 2 fragments, none over 1280 bytes" \
		"2 yes" "$n $([ "$len" -le 1280 ] && echo yes || echo "no ($len)")"
fi
if want b-frag; then
	read -r n len < <(fragments "${SPI_b_frag:-none}" "$SWAN_C4")
	check_eq "(f) b-frag: strongSwan's IKE_AUTH request in 2 fragments (host reassembled)" \
		2 "$n"
fi
check_eq "(f) wire: nothing but IKE_SA_INIT on port 500" 0 \
	"$(t_fields "$T_TMP/wire.pcap" udp.srcport udp.dstport isakmp.exchangetype |
		awk -F'|' '($1 == 500 || $2 == 500) && $3 != 34' | wc -l)"
# (a) the host's inbound keys decrypt strongSwan's ESP: the inner packets are the pings.
if ! want a; then
	:
elif [ -n "${A_SPI:-}" ] && [ -n "${A_KEY:-}" ]; then
	check_eq "(f) wire: ESP in UDP 4500 -> 4500 (2 echo requests of (a))" "2" \
		"$(t_fields "$T_TMP/wire.pcap" udp.srcport udp.dstport esp.spi |
			awk -F'|' '$3 != "" && $1 == 4500 && $2 == 4500' | wc -l)"
	uat="\"IPv4\",\"$SWAN_C4\",\"$SWAN_GW4\",\"0x$A_SPI\","
	uat+="\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x$A_KEY\",\"NULL\",\"\""
	dec=$(tshark -r "$T_TMP/wire.pcap" -n -o esp.enable_encryption_decode:TRUE \
		-o esp.enable_authentication_check:TRUE -o "uat:esp_sa:$uat" \
		-Y "esp.spi == 0x$A_SPI" -T fields -E separator='|' -e icmp.type -e ip.dst \
		-e esp.icv_good 2>/dev/null)
	check_eq "(f) host's keys decrypt strongSwan's ESP: 2 echo requests, ICV good" \
		"2" "$(grep -cE "^8\|$SWAN_GW4,$SWAN_LAN4\|(1|True)$" <<<"$dec")"
else
	fail "(f) no inbound ESP keys from (a) to decrypt with"
fi
if [ -n "${LAB_SAVE_LOGS:-}" ]; then
	mkdir -p "$LAB_SAVE_LOGS" && cp -f "$T_TMP/wire.pcap" "$LAB_SAVE_LOGS/"
fi
swan_save_logs "$SC" client
swan_stop "$SC"
check "charon (client) ended" bash -c "! kill -0 $pid_c 2>/dev/null"
