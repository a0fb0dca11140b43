#!/usr/bin/env bash
# ESP interop against implementations that share no code with hagw, in ONE hagw:
# every algorithm x tunnel (4in4, 6in6, 4in6, 6in4) / transport (v4, v6) x plain ESP /
# UDP-encapsulated (RFC 3948) x ESN off/on = 120 static SA pairs and policies
# (tests/integration/esp_peer.py generates them). For each combination the peer in the client
# namespace (scapy's ESP, cross-checked byte for byte with esp_kat.py's cryptography-only
# packets) sends ICMP echo requests with ESP sequence numbers 1, 2 (ESN: then across 2^32);
# the plaintext must arrive on the lan side exactly once, and hagw's encrypted replies must
# decrypt (scapy and esp_kat) with SPI, sequence numbers 1, 2, ..., default minimal padding and
# the right next header, and equal esp_kat's packet byte for byte (inner = the lan host's reply
# with TTL-1, IV and IPv4 ID taken from the wire). tshark decrypts the client-side capture for
# the combinations it supports (AES-GCM and AES-CBC+HMAC without ESN). Then exact counters
# (ports, show sa) and the negative cases: replay, flipped ICV, HMAC without the ESN high
# half, unknown SPI, NAT keepalives, short ESP, bad padding, each exactly counted; no mbuf
# leaked.
. "$(dirname "$0")/lib.sh"
t_init espx

PEER=$T_DIR/esp_peer.py
KAT=$T_DIR/esp_kat.py

# --- the tools: a missing one is a failure ---
for tool in tshark tcpdump ethtool; do
	command -v "$tool" >/dev/null || fatal "missing tool: $tool"
done
"$PY" -c 'import scapy.layers.ipsec, cryptography.hazmat.primitives.ciphers.aead' ||
	fatal "$PY lacks python3-scapy / python3-cryptography"

# --- the checkers themselves, against published vectors and each other ---
if out=$("$PY" "$KAT" selftest 2>&1); then
	ok "esp_kat.py selftest: RFC 7634 A, RFC 3602 cases 5-8, draft-mcgrew-gcm-test-01, ESN, RFC 3948"
else
	fail "esp_kat.py selftest: $(grep -v '^ok' <<<"$out" | head -n 20)"
fi
if out=$("$PY" "$PEER" selftest 2>&1); then
	ok "esp_peer.py selftest: $(tail -n 1 <<<"$out" | sed 's/^ok   - //')"
else
	fail "esp_peer.py selftest: $(grep -v '^ok' <<<"$out" | head -n 20)"
fi

# --- one hagw with every SA pair, policy and static neighbour ---
LAB_CONF_EXTRA=$("$PY" "$PEER" config "$LAB_MAC_C" "$LAB_MAC_L") || fatal "esp_peer.py config"
read -r n_combos n_requests < <("$PY" "$PEER" count)
t_log "matrix: $n_combos combinations, $n_requests requests"
t_start=$SECONDS
t_lab_up
t_log "hagw up in $((SECONDS - t_start)) s"

# The wire stays quiet: the lan host reaches hagw through permanent neighbour entries, the
# client kernel forwards nothing (the peer's addresses are not its own).
lab_run l ip neigh replace "$LAB_GWL4" lladdr "$LAB_MAC_GWL" dev "$LAB_IF_L" nud permanent ||
	fail "lan: permanent neighbour $LAB_GWL4"
lab_run l ip -6 neigh replace "$LAB_GWL6" lladdr "$LAB_MAC_GWL" dev "$LAB_IF_L" nud permanent ||
	fail "lan: permanent neighbour $LAB_GWL6"
lab_sysctl "$LAB_NS_C" net.ipv4.ip_forward=0 && lab_sysctl "$LAB_NS_C" net.ipv6.conf.all.forwarding=0 ||
	fail "client: forwarding off"

sas=$(ctl --json show sa) || fatal "show sa"
check_eq "show sa: SAs installed" $((2 * n_combos)) "$(json 'len(d)' <<<"$sas")"
check_eq "show sa: every SA active" 0 "$(json 'len([s for s in d if not s["active"]])' <<<"$sas")"
spd=$(ctl --json show spd) || fatal "show spd"
# Tunnels: client policies (LPM, both families); transport: selector policies (rte_acl)
check_eq "show spd: remote-access clients (tunnels)" 80 "$(json 'd["clients"]' <<<"$spd")"
check_eq "show spd: selector policies (transport)" 40 \
	"$(json 'len(d["policies"])' <<<"$spd")"
hagw_mac=$(ctl --json show ports | json "[p for p in d if p['name'] == 'client'][0]['mac']") ||
	fatal "client port MAC from show ports"

# --- the matrix and the negative cases, captured on both sides ---
t_capture_start capc c "$LAB_IF_C" "$T_TMP/client.pcap" ""
t_capture_start capl l "$LAB_IF_L" "$T_TMP/lan.pcap" ""
sleep 0.3
t_run=$SECONDS
if lab_run c "$PY" "$PEER" run "$LAB_IF_C" "$LAB_MAC_C" "$hagw_mac" "$HAGWCTL_BIN" "$LAB_SOCK" \
	"$T_TMP/run.json"; then
	ok "peer run: matrix, counters snapshot and negative cases ($((SECONDS - t_run)) s)"
else
	fail "peer run (see the FAIL lines above)"
fi
sleep 0.3
t_bg_stop "$capc"
t_bg_stop "$capl"

# --- verification: scapy, esp_kat byte for byte, lan side, counters, tshark ---
if "$PY" "$PEER" check "$T_TMP/run.json" "$T_TMP/client.pcap" "$T_TMP/lan.pcap" \
	"$LAB_MAC_C" "$hagw_mac" "$LAB_MAC_L"; then
	ok "matrix verified"
else
	fail "matrix verification (see the FAIL lines above)"
fi
if [ -n "${LAB_SAVE_LOGS:-}" ]; then
	mkdir -p "$LAB_SAVE_LOGS"
	cp -f "$T_TMP"/client.pcap "$T_TMP"/lan.pcap "$T_TMP"/run.json "$LAB_SAVE_LOGS"/ 2>/dev/null
fi

# hagw is alive and still forwards clear text that no policy covers.
out=$(lab_run c ping -c 2 -i 0.2 -w 10 "$LAB_L4" 2>&1)
check_contains "ping $LAB_L4 (bypass) after the ESP run" "2 packets transmitted, 2 received" "$out"
t_log "total $((SECONDS - t_start)) s"
