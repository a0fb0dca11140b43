#!/usr/bin/env bash
# IV uniqueness across nodes (dataplane/sa.h "IV uniqueness", RFC 4106 §3.1: an AES-GCM
# (key, IV) pair must never repeat), with the operator commands sa export / sa import /
# sa takeover (docs/cli.md, "SA state") standing in for the HA module:
#   A   hagw with a static outbound AES-GCM-128 tunnel SA sends N packets (lan -> client);
#       `sa export` gives its sequence state; A is stopped (by pid);
#   B   a second hagw process, same lab and config, imports that state, takes the SA over
#       with node bit 1 and a margin, and sends N more;
#   B'  a third run without import (fresh state): the negative control.
# The ESP is captured on the client's veth and checked with scapy (iv_failover.py, no hagw
# code): A + B have 2N distinct (SPI, IV) pairs, sequence numbers strictly increase from A
# into B, B's IVs carry the takeover epoch in their top 16 bits, and the scapy receiver
# decrypted all 2N packets. A + B' must fail the same checker (N repeated pairs): the
# checker can fail. Exact counts throughout.
. "$(dirname "$0")/lib.sh"
t_init iv_failover

HELPER=$T_DIR/iv_failover.py
N=${IV_FAILOVER_COUNT:-200}
MARGIN=1000		# sequence numbers B skips: covers what A may have sent after the export
NODE_BIT=1		# B's node bit (A's epoch 0 was generation 0, node 0)
SA=iv-out
SPI=0x3001
SPI_DEC=12289
INNER=10.9.0.5		# the client's inner address: the policy sends it through $SA
# AES-GCM-128: 16 bytes of key + 4 bytes of salt (RFC 4106 §8.1).
KEY=606162636465666768696a6b6c6d6e6ff0f1f2f3
SA_JSON=$T_TMP/sa.json

conf_extra() {
	cat <<EOF
neighbors = (
  { port = "client"; address = "$LAB_C4"; mac = "$LAB_MAC_C"; },
  { port = "lan"; address = "$LAB_L4"; mac = "$LAB_MAC_L"; }
);
ipsec = { default_policy = "bypass"; };
sas = (
  { name = "$SA"; spi = $SPI; direction = "out"; mode = "tunnel"; algorithm = "aes-gcm-128";
    key = "0x$KEY"; local = "$LAB_GWC4"; remote = "$LAB_C4"; }
);
policies = (
  { priority = 100; action = "protect"; sa = "$SA"; local = "0.0.0.0/0"; remote = "$INNER/32"; }
);
EOF
}

# ex EXPR: EXPR over the SA's object (s) of `sa export $SA`.
ex() {
	ctl --json sa export "$SA" | json "[s for s in d if s['name'] == '$SA'][0]$1" 2>/dev/null ||
		echo "missing:$1"
}

# jv JSON EXPR: EXPR over a JSON text (d).
jv() { json "d$2" <<<"$1" 2>/dev/null || echo "missing:$2"; }

# phase LABEL TAG: N UDP datagrams (payloads TAG-0000..) from the lan host to $INNER through
# the running hagw, its ESP captured on the client veth ($T_TMP/TAG.pcap) and received by scapy.
phase() {
	local label=$1 tag=$2 cap=$T_TMP/$2.pcap ready=$T_TMP/$2.ready res=$T_TMP/$2.recv.json
	local cap_pid rcv_pid out
	t_capture_start cap_pid c "$LAB_IF_C" "$cap" "ip proto 50 and src host $LAB_GWC4"
	t_bg_start rcv_pid c "$PY" "$HELPER" recv "$SA_JSON" --count "$N" --tag "$tag" \
		--out "$res" --ready "$ready" --timeout 15
	for _ in $(seq 50); do
		[ -e "$ready" ] && break
		sleep 0.1
	done
	[ -e "$ready" ] || fatal "$label: scapy receiver did not start"
	out=$(lab_run l "$PY" "$HELPER" send --dst "$INNER" --count "$N" --tag "$tag")
	t_log "$label: $out"
	wait "$rcv_pid" 2>/dev/null
	sleep 0.3
	t_bg_stop "$cap_pid"
	out=$(cat "$res" 2>/dev/null || echo '{}')
	t_log "$label: scapy receiver: $out"
	check_eq "$label: ESP packets received by scapy" "$N" "$(jv "$out" "['received']")"
	check_eq "$label: decrypted by scapy" "$N" "$(jv "$out" "['decrypted']")"
	check_eq "$label: plaintexts $tag-0000..$tag-$(printf %04d $((N - 1)))" true \
		"$(jv "$out" "['tags_ok']")"
}

# stop_hagw LABEL: stops the running hagw by its pid; clean exit, no sanitizer report.
stop_hagw() {
	local pid
	pid=$(lab_hagw_pid)
	if lab_stop_hagw; then
		ok "$1: hagw (pid $pid) stopped cleanly"
	else
		fail "$1: hagw (pid $pid) stop"
	fi
	if lab_sanitizer_check; then ok "$1: no sanitizer report"; else fail "$1: sanitizer"; fi
}

start_hagw() {
	lab_start_hagw || fatal "$1: hagw start"
	ok "$1: hagw (pid $(lab_hagw_pid)) answers"
	check_eq "$1: fresh SA: out_seq" 0 "$(ex "['out_seq']")"
	check_eq "$1: fresh SA: iv_epoch" 0 "$(ex "['iv_epoch']")"
}

LAB_CONF_EXTRA=$(conf_extra)
export LAB_CONF_EXTRA
t_lab_up
lab_run l ip neigh replace "$LAB_GWL4" lladdr "$LAB_MAC_GWL" dev "$LAB_IF_L" nud permanent &&
lab_run l ip route add 10.9.0.0/16 via "$LAB_GWL4" || fatal "lan neighbour / route"
(umask 077 && cat >"$SA_JSON") <<EOF
{"spi": $SPI_DEC, "key": "$KEY", "src": "$LAB_GWC4", "dst": "$LAB_C4"}
EOF

# --- A ---
check_eq "A: fresh SA: out_seq" 0 "$(ex "['out_seq']")"
phase A A
t_log "A: sa export $SA: $(ctl sa export "$SA" 2>&1 | tr '\n' ' ')"
EXPORT=$(ctl --json sa export "$SA")
SEQ_A=$(jv "$EXPORT" "[0]['out_seq']")
EPOCH_A=$(jv "$EXPORT" "[0]['iv_epoch']")
START_A=$(jv "$EXPORT" "[0]['epoch_start_seq']")
check_eq "A: exported out_seq" "$N" "$SEQ_A"
check_eq "A: exported iv_epoch" 0 "$EPOCH_A"
check_eq "A: exported epoch_start_seq" 0 "$START_A"
check_eq "A: export has no key" 0 "$(grep -ci "${KEY:0:16}" <<<"$EXPORT")"
stop_hagw A

# --- B: import, takeover, send ---
start_hagw B
OUT=$(ctl --json sa import "$SA" out_seq "$SEQ_A" iv_epoch "$EPOCH_A" epoch_start_seq "$START_A")
t_log "B: sa import: $OUT"
check_eq "B: import changed the SA" true "$(jv "$OUT" "['changed']")"
check_eq "B: imported out_seq" "$SEQ_A" "$(jv "$OUT" "['out_seq']")"
EPOCH_B=$(( ((EPOCH_A >> 1) + 1) << 1 | NODE_BIT ))
SEQ_B=$((SEQ_A + MARGIN))
t_log "B: sa takeover $SA $NODE_BIT $MARGIN: $(ctl sa takeover "$SA" "$NODE_BIT" "$MARGIN" 2>&1 |
	tr '\n' ' ')"
check_eq "B: takeover iv_epoch ((0 + 1) << 1 | $NODE_BIT)" "$EPOCH_B" "$(ex "['iv_epoch']")"
check_eq "B: takeover out_seq (A's + margin)" "$SEQ_B" "$(ex "['out_seq']")"
check_eq "B: takeover epoch_start_seq" "$SEQ_B" "$(ex "['epoch_start_seq']")"
OUT=$(ctl --json sa import "$SA" out_seq "$SEQ_A" iv_epoch "$EPOCH_A" epoch_start_seq "$START_A")
check_eq "B: A's state again: import never moves backwards" false "$(jv "$OUT" "['changed']")"
phase B B
check_eq "B: out_seq after sending" "$((SEQ_B + N))" "$(ex "['out_seq']")"
check_contains "B: log: the import" \
	"SA $SA spi 0x00003001: state imported: seq 0 -> $SEQ_A, IV epoch 0 -> 0" \
	"$(cat "$LAB_HAGW_LOG")"
LOG_TAKEOVER="takeover \\(node bit $NODE_BIT, margin $MARGIN\\): IV epoch $EPOCH_A -> $EPOCH_B"
check_contains "B: log: the takeover" \
	"SA $SA spi 0x00003001: $LOG_TAKEOVER, seq $SEQ_A -> $SEQ_B" "$(cat "$LAB_HAGW_LOG")"
stop_hagw B

RES=$("$PY" "$HELPER" check "$T_TMP/A.pcap" "$T_TMP/B.pcap")
RC=$?
t_log "check A + B: $RES"
check_eq "A + B: checker verdict (exit $RC)" pass "$(jv "$RES" "['verdict']")"
check_eq "A + B: checker exit status" 0 "$RC"
check_eq "A: ESP packets captured" "$N" "$(jv "$RES" "['captures'][0]['packets']")"
check_eq "B: ESP packets captured" "$N" "$(jv "$RES" "['captures'][1]['packets']")"
check_eq "A, B: SPIs on the wire" "[\"0x00003001\"] [\"0x00003001\"]" \
	"$(jv "$RES" "['captures'][0]['spis']") $(jv "$RES" "['captures'][1]['spis']")"
check_eq "A + B: distinct (SPI, IV) pairs" "$((2 * N))" "$(jv "$RES" "['unique_pairs']")"
check_eq "A + B: repeated (SPI, IV) pairs" 0 "$(jv "$RES" "['repeated_pairs']")"
check_eq "A + B: sequence numbers strictly increase" true \
	"$(jv "$RES" "['seq_strictly_increasing']")"
check_eq "A: sequence numbers 1..$N" "1 $N" \
	"$(jv "$RES" "['captures'][0]['seq_first']") $(jv "$RES" "['captures'][0]['seq_last']")"
check_eq "B: sequence numbers $((SEQ_B + 1))..$((SEQ_B + N))" "$((SEQ_B + 1)) $((SEQ_B + N))" \
	"$(jv "$RES" "['captures'][1]['seq_first']") $(jv "$RES" "['captures'][1]['seq_last']")"
check_eq "A: IV epoch (top 16 bits)" "[0]" "$(jv "$RES" "['captures'][0]['epochs']")"
check_eq "B: IV epoch (top 16 bits) is the takeover's" "[$EPOCH_B]" \
	"$(jv "$RES" "['captures'][1]['epochs']")"
check_eq "A, B: IV low 48 bits = sequence number" "true true" \
	"$(jv "$RES" "['captures'][0]['iv_low_is_seq']") \
$(jv "$RES" "['captures'][1]['iv_low_is_seq']")"

# --- B': no import (fresh state): the checker must catch the repeated IVs ---
start_hagw "B'"
phase "B' (fresh)" C
RES=$("$PY" "$HELPER" check "$T_TMP/A.pcap" "$T_TMP/C.pcap")
RC=$?
t_log "check A + B' (negative control): $RES"
check_eq "A + B': checker verdict" fail "$(jv "$RES" "['verdict']")"
check_eq "A + B': checker exit status" 1 "$RC"
check_eq "A + B': B' packets captured" "$N" "$(jv "$RES" "['captures'][1]['packets']")"
check_eq "A + B': repeated (SPI, IV) pairs" "$N" "$(jv "$RES" "['repeated_pairs']")"
check_eq "A + B': first repeated pair" "0x00003001/0x0000000000000001" \
	"$(jv "$RES" "['first_repeated']")"
check_eq "A + B': sequence numbers strictly increase" false \
	"$(jv "$RES" "['seq_strictly_increasing']")"
