#!/usr/bin/env bash
# hagw's life: --check on good and bad files (FILE:LINE: message), a config error or a
# start-up error leaves nothing behind, a second hagw on the same socket is refused, and
# SIGTERM, `hagwctl shutdown` and SIGINT each stop it within 5 s with status 0, the socket
# removed and no process left. Finally `lab.sh down` leaves no namespace of the lab.
. "$(dirname "$0")/lib.sh"
t_init life
LAB_NO_HAGW=1
t_lab_up

GOOD=$LAB_CONF
RUNDIR=/var/run/dpdk/$LAB_FILE_PREFIX

# --- --check ---
out=$("$HAGW_BIN" --check -c "$GOOD" 2>&1); rc=$?
check_eq "--check on the lab config: exit status" 0 "$rc"
check_contains "--check on the lab config: says ok" "ok" "$out"

# bad_config NAME SED-EXPR: a copy of the good file with one change.
bad_config() {
	sed "$2" "$GOOD" >"$LAB_DIR/$1.conf"
	echo "$LAB_DIR/$1.conf"
}
line_of() { grep -n -- "$2" "$1" | head -n 1 | cut -d: -f1; }

# A syntax error: the line it is on.
f=$(bad_config syntax 's/^workers = (/workers = ( oops/')
n=$(line_of "$f" "oops")
out=$("$HAGW_BIN" --check -c "$f" 2>&1); rc=$?
check "--check on a syntax error: exit status non-zero ($rc)" test "$rc" -ne 0
check_contains "--check on a syntax error: '$f:$n: ...'" "^$f:$n: ." "$out"

# A value out of range on its own line.
f=$(bad_config range '/198.51.100.1\/24/ s/mtu = [0-9]*; }/\n    mtu = 100; }/')
n=$(line_of "$f" "mtu = 100;")
out=$("$HAGW_BIN" --check -c "$f" 2>&1); rc=$?
check "--check on MTU 100: exit status non-zero ($rc)" test "$rc" -ne 0
check_contains "--check on MTU 100: '$f:$n: ... 100 ...'" "^$f:$n: .*100" "$out"

# A route through a port that does not exist.
f=$(bad_config port 's/via = "198.51.100.2"; port = "lan"/via = "198.51.100.2"; port = "wan"/')
n=$(line_of "$f" '"wan"')
out=$("$HAGW_BIN" --check -c "$f" 2>&1); rc=$?
check "--check on an unknown port: exit status non-zero ($rc)" test "$rc" -ne 0
check_contains "--check on an unknown port: '$f:$n: ... wan ...'" "^$f:$n: .*wan" "$out"

out=$("$HAGW_BIN" --check -c "$LAB_DIR/absent.conf" 2>&1); rc=$?
check "--check on a missing file: exit status non-zero ($rc)" test "$rc" -ne 0
check_contains "--check on a missing file names it" "absent.conf" "$out"

# --- a config error when starting for real: nothing touched ---
f=$LAB_DIR/range.conf
out=$(lab_run gw "$HAGW_BIN" -c "$f" 2>&1); rc=$?
check_eq "start with a config error: exit status" 2 "$rc"
check_contains "start with a config error: FILE:LINE: message" "^$f:[0-9]+: " "$out"
check "start with a config error: no socket" test ! -e "$LAB_SOCK"
check "start with a config error: no DPDK runtime dir" test ! -e "$RUNDIR"
check "start with a config error: no log file" test ! -e "$LAB_HAGW_LOG"

# --- a start-up error (device missing): exit 1, no socket left ---
f=$(bad_config nodev 's/iface=gw-l/iface=gw-nowhere/')
out=$(lab_run gw "$HAGW_BIN" -c "$f" 2>"$LAB_DIR/nodev.stderr"); rc=$?
check_eq "start with a missing device: exit status" 1 "$rc"
check_contains "start with a missing device: says why" "gw-nowhere|lan|device|af_packet" \
	"$(cat "$LAB_DIR/nodev.stderr")"
check "start with a missing device: no socket left" test ! -e "$LAB_SOCK"

# --- start / stop three ways ---
hagw_pid=
start_hagw() {
	ip netns exec "$LAB_NS_GW" "$HAGW_BIN" -c "$GOOD" </dev/null >>"$LAB_DIR/run.stderr" 2>&1 &
	hagw_pid=$!
	echo "$hagw_pid" >"$LAB_PIDFILE"
	for i in $(seq 300); do
		ctl show version >/dev/null 2>&1 && { ok "hagw $hagw_pid answers"; return 0; }
		lab_alive "$hagw_pid" || break
		sleep 0.2
	done
	fatal "hagw did not come up: $(tail -n 20 "$LAB_DIR/run.stderr")"
}

# stopped HOW: waits up to 5 s for hagw to exit, then checks status, socket, process.
stopped() {
	local how=$1 i rc
	for i in $(seq 50); do
		lab_alive "$hagw_pid" || break
		sleep 0.1
	done
	if lab_alive "$hagw_pid"; then
		fail "$how: hagw still running after 5 s"
		kill -KILL "$hagw_pid"
	else
		ok "$how: hagw exited within 5 s"
	fi
	rc=0
	wait "$hagw_pid" || rc=$?
	check_eq "$how: exit status" 0 "$rc"
	check "$how: socket removed" test ! -e "$LAB_SOCK"
	check_eq "$how: processes left in $LAB_NS_GW" "" "$(ip netns pids "$LAB_NS_GW")"
	rm -f "$LAB_PIDFILE"
}

start_hagw
check_eq "socket mode" 600 "$(stat -c %a "$LAB_SOCK")"
# A second hagw on the same socket is refused and leaves the first alone.
out=$(lab_run gw timeout 60 "$HAGW_BIN" -c "$GOOD" 2>&1); rc=$?
check "second hagw on the same socket refused (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check_contains "second hagw says why" "socket|running|in use|$LAB_SOCK" "$out"
check "the first hagw still answers" ctl_quiet show version
check_eq "the first hagw still owns the socket" "$hagw_pid" "$(ctl --json show version | json "d['pid']")"

kill -TERM "$hagw_pid"
stopped SIGTERM

start_hagw
out=$(ctl shutdown 2>&1) && ok "hagwctl shutdown" || fail "hagwctl shutdown: $out"
stopped "hagwctl shutdown"

start_hagw
kill -INT "$hagw_pid"
stopped SIGINT

# The log tells the story: three runs, each stopped, plus the failed start above.
check_eq "log: 'running' lines" 3 "$(grep -c 'running' "$LAB_HAGW_LOG" 2>/dev/null)"
check_eq "log: 'stopped' lines (3 runs + the failed start)" 4 \
	"$(grep -c ': stopped$' "$LAB_HAGW_LOG" 2>/dev/null)"

# --- lab.sh down: nothing of the lab remains ---
if lab_down; then ok "lab down"; else fail "lab down"; fi
left=$(ip netns list | awk '{print $1}' | grep -c "^$LAB_NAME-" || true)
check_eq "namespaces with prefix $LAB_NAME- left" 0 "$left"
check "temp dir removed" test ! -e "$LAB_DIR"
check "DPDK runtime dir removed" test ! -e "$RUNDIR"
# The standalone script too.
out=$(LAB_NO_HAGW=1 "$T_ROOT/scripts/lab.sh" -n "$LAB_NAME-s" up 2>&1) || fail "lab.sh up: $out"
check_eq "lab.sh up: three namespaces" 3 "$(ip netns list | awk '{print $1}' | grep -c "^$LAB_NAME-s-")"
out=$("$T_ROOT/scripts/lab.sh" -n "$LAB_NAME-s" down 2>&1) || fail "lab.sh down: $out"
check_eq "lab.sh down: namespaces left" 0 "$(ip netns list | awk '{print $1}' | grep -c "^$LAB_NAME-s-" || true)"
