# Shared helpers of the integration tests; source it from a test_*.sh.
#
#   t_init NAME        lab name "ht-NAME", traps cleanup (lab down, sanitizer check)
#   t_lab_up           brings the lab up (scripts/lab.sh functions), fatal on failure
#   ok / fail MSG      record one check; the test exits 1 at the end if any failed
#   check MSG CMD...   runs CMD, records ok/fail
#   check_eq MSG WANT GOT, check_ge MSG MIN GOT, check_le MSG MAX GOT
#   ctl ARGS...        hagwctl on the lab socket; stderr checked for sanitizer reports
#   json EXPR          reads JSON on stdin (the "data" of an envelope), prints EXPR of it
#                      (a Python expression over d), e.g.  ... | json 'd["ports"][0]["name"]'
#   pstat PORT KEY     a port counter of the last t_stats snapshot; drop PORT REASON too
#   t_bg_start VAR NS CMD...   starts CMD in a namespace in the background, pid in VAR;
#                      t_bg_stop PID ends it (SIGINT, then SIGTERM/SIGKILL) and reaps it
#
# Every test is self-contained: own lab name, everything it starts ended by pid.

T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T_DIR=$T_ROOT/tests/integration
PY=/usr/bin/python3
# shellcheck source=../../scripts/lab.sh
. "$T_ROOT/scripts/lab.sh"

T_FAILS=0
T_CHECKS=0
T_BG_PIDS=()
T_TMP=

t_log() { echo "# $*"; }

ok() {
	T_CHECKS=$((T_CHECKS + 1))
	echo "ok   - $*"
}

fail() {
	T_CHECKS=$((T_CHECKS + 1))
	T_FAILS=$((T_FAILS + 1))
	echo "FAIL - $*"
}

# Ends the test now (a prerequisite failed): cleanup runs from the EXIT trap.
fatal() {
	fail "$*"
	exit 1
}

check() {
	local msg=$1
	shift
	if "$@"; then ok "$msg"; else fail "$msg (command: $*)"; fi
}

check_eq() {
	if [ "$2" = "$3" ]; then ok "$1: $3"; else fail "$1: expected '$2', got '$3'"; fi
}

check_ge() {
	if [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -ge "$2" ]; then
		ok "$1: $3 >= $2"
	else
		fail "$1: expected >= $2, got '$3'"
	fi
}

check_le() {
	if [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -le "$2" ]; then
		ok "$1: $3 <= $2"
	else
		fail "$1: expected <= $2, got '$3'"
	fi
}

check_contains() {
	if grep -qE -- "$2" <<<"$3"; then ok "$1"; else fail "$1: /$2/ not in: $(head -c 600 <<<"$3")"; fi
}

# hagwctl on this lab's socket. Sanitizer reports from hagwctl fail the test.
ctl() {
	local err rc=0
	err=$(mktemp "$T_TMP/ctl.XXXXXX")
	lab_ctl "$@" 2>"$err" || rc=$?
	if grep -Eq "$SANITIZER_PATTERN" "$err"; then
		fail "sanitizer report from hagwctl $*: $(head -c 2000 "$err")"
	fi
	cat "$err" >&2
	rm -f "$err"
	return $rc
}

ctl_quiet() { ctl "$@" >/dev/null; }

# JSON on stdin -> value of a Python expression over d (the response's data).
json() {
	"$PY" -c '
import json, sys
d = json.load(sys.stdin)
if isinstance(d, dict) and "ok" in d and "data" in d:
    d = d["data"]
v = eval(sys.argv[1])
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)
' "$1"
}

# Snapshot of `show stats` in T_STATS; stat/drop read from it.
t_stats() {
	T_STATS=$(ctl --json show stats) || { fail "hagwctl --json show stats failed"; T_STATS='{}'; }
}

pstat() {
	json "[p for p in d['ports'] if p['name'] == '$1'][0]['$2']" <<<"$T_STATS" 2>/dev/null ||
		echo "missing:$1.$2"
}

drop() {
	json "[p for p in d['ports'] if p['name'] == '$1'][0]['drops']['$2']" <<<"$T_STATS" \
		2>/dev/null || echo "missing:$1.drops.$2"
}

# text_stat TEXT PORT KEY: a port's "key: value" line in the text rendering of show stats.
text_stat() {
	awk -v port="$2" -v key="$3:" '$1 == "name:" {cur = $2} cur == port && $1 == key {print $2; exit}' <<<"$1"
}

resource() {
	json "d['resources']['$1']" <<<"$T_STATS" 2>/dev/null || echo "missing:resources.$1"
}

# Every drop reason of PORT other than the listed ones is 0.
check_no_other_drops() {
	local port=$1 bad expr
	shift
	expr="[p for p in d['ports'] if p['name'] == '$port'][0]['drops']"
	expr="{k: v for k, v in $expr.items() if v and k not in '$*'.split()}"
	bad=$(json "$expr" <<<"$T_STATS" 2>&1)
	check_eq "$port: no other drops (besides: ${*:-none})" "{}" "$bad"
}

# t_bg_start VAR NS CMD...: NS is c, gw or l. The pid is that of CMD itself.
t_bg_start() {
	local var=$1 ns=$2 pid
	shift 2
	case "$ns" in
	c) ns=$LAB_NS_C ;;
	gw) ns=$LAB_NS_GW ;;
	l) ns=$LAB_NS_L ;;
	esac
	ip netns exec "$ns" "$@" &
	pid=$!
	T_BG_PIDS+=("$pid")
	printf -v "$var" '%s' "$pid"
}

t_bg_stop() {
	local pid=$1 i
	kill -INT "$pid" 2>/dev/null || true
	for i in $(seq 50); do
		lab_alive "$pid" || break
		sleep 0.1
	done
	if lab_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		sleep 0.5
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# tcpdump in a namespace, writing FILE: t_capture_start VAR NS IFACE FILE FILTER
t_capture_start() {
	local var=$1 ns=$2 ifc=$3 file=$4 filter=$5 i
	t_bg_start "$var" "$ns" tcpdump -i "$ifc" -n -U --immediate-mode -w "$file" "$filter" \
		2>"$file.log"
	for i in $(seq 50); do
		grep -q "listening on" "$file.log" 2>/dev/null && return 0
		sleep 0.1
	done
	fatal "tcpdump on $ns/$ifc did not start: $(cat "$file.log")"
}

# tshark fields of a capture, one packet a line, fields separated by '|'.
t_fields() {
	local file=$1
	shift
	local args=()
	for f in "$@"; do args+=(-e "$f"); done
	tshark -r "$file" -n -T fields -E separator='|' -E occurrence=a -E aggregator=, \
		"${args[@]}" 2>/dev/null
}

t_cleanup() {
	local rc=$? pid
	trap - EXIT
	trap '' PIPE	# output may be gone (| head): clean up regardless
	for pid in "${T_BG_PIDS[@]}"; do
		lab_alive "$pid" && t_bg_stop "$pid"
	done
	if [ -n "${LAB_NAME:-}" ]; then
		if lab_down; then
			ok "lab down: hagw stopped cleanly, no sanitizer report"
		else
			fail "lab down: hagw did not stop cleanly or reported a sanitizer error (see above)"
		fi
	fi
	[ -n "$T_TMP" ] && rm -rf "$T_TMP"
	echo "# $T_CHECKS checks, $T_FAILS failed"
	if [ "$T_FAILS" -ne 0 ] || [ "$rc" -ne 0 ]; then
		exit 1
	fi
	exit 0
}

# t_init NAME: the lab is "ht-NAME" (namespaces ht-NAME-c/-gw/-l).
t_init() {
	[ "$(id -u)" -eq 0 ] || { echo "FAIL - integration tests must run as root"; exit 1; }
	LAB_NAME=ht-$1
	LAB_DIR=/tmp/$LAB_NAME
	lab_init
	T_TMP=$(mktemp -d "/tmp/$LAB_NAME.test.XXXXXX")
	trap t_cleanup EXIT
	trap 'exit 130' INT TERM
	trap 'exit 141' PIPE
	t_log "test $1: lab $LAB_NAME, hagw $HAGW_BIN"
}

t_lab_up() {
	lab_up || fatal "lab $LAB_NAME up"
	if [ "${LAB_NO_HAGW:-0}" = 1 ]; then
		ok "lab up: namespaces $LAB_NS_C, $LAB_NS_GW, $LAB_NS_L"
	else
		ok "lab up: hagw answers on $LAB_SOCK"
	fi
}

# Repeats a command up to N times, 1 s apart, until it succeeds.
t_retry() {
	local n=$1 i
	shift
	for i in $(seq "$n"); do
		"$@" && return 0
		sleep 1
	done
	return 1
}

# Polls until the last t_stats snapshot satisfies "stat PORT KEY" == WANT (up to 5 s).
t_wait_stat() {
	local port=$1 key=$2 want=$3 i
	for i in $(seq 25); do
		t_stats
		[ "$(pstat "$port" "$key")" = "$want" ] && return 0
		sleep 0.2
	done
	return 1
}
