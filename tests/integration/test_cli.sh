#!/usr/bin/env bash
# hagwctl and telemetry: every command of `help` runs in text and JSON; show ports / routes /
# config hold exactly the lab's values; set log-level; errors and exit statuses (1 command
# failed, 2 no daemon); the socket is mode 0600; dpdk-telemetry.py returns the same figures;
# "shutdown" stops hagw with status 0.
. "$(dirname "$0")/lib.sh"
t_init cli
t_lab_up

# --- help: the command table; every command runs in text and JSON ---
help_json=$(ctl --json help) || fail "hagwctl --json help"
commands=$(json "'\n'.join(c['command'] for c in d)" <<<"$help_json")
t_log "commands: $(tr '\n' ',' <<<"$commands")"
for c in "show version" "show ports" "show stats" "show routes" "show neighbors" "show config" \
	"clear stats" "set log-level" "shutdown"; do
	check_contains "help lists '$c'" "^$c\$" "$commands"
done
help_text=$(ctl help) || fail "hagwctl help (text)"
while read -r c; do
	check_contains "text help shows '$c'" "$c" "$help_text"
done <<<"$commands"

# Commands with required arguments (synopsis not starting with "[") run in their own
# sections; IKE and HA commands answer a clear error without an ike / ha section (this lab
# has neither).
required=$(json "'\n'.join(c['command'] for c in d if c['args'] and not c['args'].startswith('['))" \
	<<<"$help_json")
while read -r c; do
	[ "$c" = shutdown ] && continue	# last, below
	[ "$c" = "set log-level" ] || ! grep -qx "$c" <<<"$required" || continue
	if [[ "$c" == *ike* || "$c" == *child-sa* ]]; then
		out=$(ctl $c 2>&1)
		check_eq "text: $c without IKE: exit status 1" 1 "$?"
		check_contains "text: $c without IKE: says so" "IKE is not configured" "$out"
		continue
	fi
	if [[ "$c" == "show ha" || "$c" == "ha "* ]]; then
		out=$(ctl $c 2>&1)
		check_eq "text: $c without HA: exit status 1" 1 "$?"
		check_contains "text: $c without HA: says so" "HA is not configured" "$out"
		continue
	fi
	args=()
	[ "$c" = "set log-level" ] && args=(info)
	# shellcheck disable=SC2086
	out=$(ctl $c "${args[@]}" 2>&1) && ok "text: $c ${args[*]}" || fail "text: $c ${args[*]}: $out"
	# shellcheck disable=SC2086
	out=$(ctl --json $c "${args[@]}") && ok "json: $c ${args[*]}" || fail "json: $c ${args[*]}"
	if [ -n "$out" ]; then
		check "json of '$c' parses" "$PY" -c 'import json,sys; json.loads(sys.argv[1])' "$out"
	fi
done <<<"$commands"

# --- show version ---
ver=$(ctl --json show version)
check_eq "show version: version" "0.1.0" "$(json "d['version']" <<<"$ver")"
check_eq "show version: pid" "$(lab_hagw_pid)" "$(json "d['pid']" <<<"$ver")"
check_eq "show version: config" "$LAB_CONF" "$(json "d['config']" <<<"$ver")"
check_contains "show version: DPDK 22.11" "22\.11" "$(json "d['dpdk']" <<<"$ver")"
check_contains "show version (text) names the version" "0\.1\.0" "$(ctl show version)"

# --- show ports: both ports, exact MACs and addresses ---
ports=$(ctl --json show ports)
mac_gwc=$(lab_run gw cat "/sys/class/net/$LAB_IF_GWC/address")
mac_gwl=$(lab_run gw cat "/sys/class/net/$LAB_IF_GWL/address")
port_fields="[(p['name'], p['role'], p['device'], p['mac'], p['mtu'], p['link'], p['ipv4'], p['ipv6'], p['ipv6_link_local']) for p in d]"
check_eq "show ports" \
	"[[\"client\", \"untrusted\", \"net_af_packet0,iface=$LAB_IF_GWC\", \"$mac_gwc\", 1500, \"up\", [\"$LAB_GWC4/24\"], [\"$LAB_GWC6/64\"], \"fe80::ff:fe00:101/64\"], [\"lan\", \"trusted\", \"net_af_packet1,iface=$LAB_IF_GWL\", \"$mac_gwl\", 1500, \"up\", [\"$LAB_GWL4/24\"], [\"$LAB_GWL6/64\"], \"fe80::ff:fe00:201/64\"]]" \
	"$(json "$port_fields" <<<"$ports")"
text=$(ctl show ports)
for w in client lan "$mac_gwc" "$mac_gwl" "$LAB_GWC4/24" "$LAB_GWC6/64" "$LAB_GWL4/24" "$LAB_GWL6/64"; do
	check_contains "text show ports shows $w" "$w" "$text"
done

# --- show routes: local, connected and gateway routes, exactly ---
routes=$(ctl --json show routes)
check_eq "show routes" \
	"[[\"192.0.2.0/24\", \"connected\", \"client\", null], [\"192.0.2.1/32\", \"local\", \"client\", null], [\"198.51.100.0/24\", \"connected\", \"lan\", null], [\"198.51.100.1/32\", \"local\", \"lan\", null], [\"2001:db8:1::/64\", \"connected\", \"client\", null], [\"2001:db8:1::1/128\", \"local\", \"client\", null], [\"2001:db8:2::/64\", \"connected\", \"lan\", null], [\"2001:db8:2::1/128\", \"local\", \"lan\", null], [\"2001:db8:3::/64\", \"gateway\", \"lan\", \"2001:db8:2::2\"], [\"203.0.113.0/24\", \"gateway\", \"lan\", \"198.51.100.2\"]]" \
	"$(json "sorted([r['prefix'], r['kind'], r['port'], r['via']] for r in d)" <<<"$routes")"
text=$(ctl show routes)
for w in "203.0.113.0/24" "198.51.100.2" "2001:db8:3::/64" "2001:db8:2::2" local connected gateway; do
	check_contains "text show routes shows $w" "$w" "$text"
done

# --- show config: the file's values ---
cfg=$(ctl --json show config)
t_log "show config: $(json d <<<"$cfg")"
check_eq "config eal" \
	"[[0], 512, false, false, \"$LAB_FILE_PREFIX\"]" \
	"$(json "[d['eal'][k] for k in ['lcores', 'memory_mb', 'hugepages', 'pci', 'file_prefix']]" <<<"$cfg")"
check_eq "config dataplane" "[50, 4095, 512, 512]" \
	"$(json "[d['dataplane'][k] for k in ['idle_backoff_us', 'mbufs', 'rx_desc', 'tx_desc']]" <<<"$cfg")"
# Defaults filled in (config/cfg.h).
check_eq "config dataplane defaults" "[256, 32, 1024, 4096, 30, 8, 1024, 100, 50]" \
	"$(json "[d['dataplane'][k] for k in ['mbuf_cache', 'burst', 'punt_ring', 'neigh_entries', 'neigh_reachable_s', 'neigh_pending', 'neigh_pending_total', 'icmp_rate', 'icmp_burst']]" <<<"$cfg")"
check_eq "config eal.extra_args default" "[]" "$(json "d['eal']['extra_args']" <<<"$cfg")"
check_eq "config ports rx_queues default" "[1, 1]" "$(json "[p['rx_queues'] for p in d['ports']]" <<<"$cfg")"
check_eq "config ports" \
	"[[\"client\", \"net_af_packet0,iface=$LAB_IF_GWC\", \"untrusted\", [\"$LAB_GWC4/24\"], [\"$LAB_GWC6/64\"], 1500], [\"lan\", \"net_af_packet1,iface=$LAB_IF_GWL\", \"trusted\", [\"$LAB_GWL4/24\"], [\"$LAB_GWL6/64\"], 1500]]" \
	"$(json "[[p[k] for k in ['name', 'device', 'role', 'ipv4', 'ipv6', 'mtu']] for p in d['ports']]" <<<"$cfg")"
check_eq "config routes" \
	"[[\"203.0.113.0/24\", \"$LAB_L4\", \"lan\"], [\"2001:db8:3::/64\", \"$LAB_L6\", \"lan\"]]" \
	"$(json "[[r[k] for k in ['prefix', 'via', 'port']] for r in d['routes']]" <<<"$cfg")"
check_eq "config workers" "[[0, [\"client:0\", \"lan:0\"]]]" \
	"$(json "[[w['lcore'], w['queues']] for w in d['workers']]" <<<"$cfg")"
check_eq "config cli.socket" "$LAB_SOCK" "$(json "d['cli']['socket']" <<<"$cfg")"
check_eq "config log" "info $LAB_HAGW_LOG" "$(json "d['log']['level'] + ' ' + d['log']['file']" <<<"$cfg")"

# --- set log-level ---
check "set log-level debug" ctl_quiet set log-level debug
check_eq "show config: log level now debug" debug "$(ctl --json show config | json "d['log']['level']")"
out=$(ctl set log-level loud 2>&1); rc=$?
check_eq "set log-level loud: exit status" 1 "$rc"
check_contains "set log-level loud: error names the levels" "err\|warning\|notice\|info\|debug|usage" "$out"
check_eq "show config: log level still debug" debug "$(ctl --json show config | json "d['log']['level']")"
check "set log-level info" ctl_quiet set log-level info

# --- errors and exit statuses ---
out=$(ctl show bananas 2>&1); rc=$?
check_eq "unknown command: exit status" 1 "$rc"
check_contains "unknown command: an error message" "." "$out"
out=$(ctl frobnicate 2>&1); rc=$?
check_eq "unknown verb: exit status" 1 "$rc"
out=$("$HAGWCTL_BIN" -s "$LAB_DIR/missing.sock" show version 2>&1); rc=$?
check_eq "missing socket: exit status" 2 "$rc"
check_contains "missing socket: says so" "missing.sock|connect|No such file" "$out"
out=$(HAGW_SOCKET=$LAB_SOCK "$HAGWCTL_BIN" --json show version 2>&1); rc=$?
check_eq "HAGW_SOCKET selects the socket" "0 $(lab_hagw_pid)" "$rc $(json "d['pid']" <<<"$out" 2>/dev/null)"

# --- the socket ---
check "the CLI socket is a socket" test -S "$LAB_SOCK"
check_eq "CLI socket mode" 600 "$(stat -c %a "$LAB_SOCK")"
check_eq "CLI socket owner" root "$(stat -c %U "$LAB_SOCK")"

# --- telemetry: the same figures ---
lab_run c ping -c 3 -i 0.2 -W 2 "$LAB_L4" >/dev/null || fail "ping $LAB_L4"
lab_run c ping -c 2 -i 0.2 -W 2 "$LAB_NET6" >/dev/null || fail "ping $LAB_NET6"
sleep 0.3
tel=$(printf '/\n/hagw/show_version\n/hagw/show_ports\n/hagw/show_stats\n' |
	dpdk-telemetry.py -f "$LAB_FILE_PREFIX" 2>&1) || fail "dpdk-telemetry.py: $tel"
t_stats
ports=$(ctl --json show ports)
t_log "telemetry answered $(grep -c "^{" <<<"$tel") requests"
res=$(TEL=$tel CLI_STATS=$T_STATS CLI_PORTS=$ports PID=$(lab_hagw_pid) "$PY" - 2>&1 <<'EOF'
import json, os
lines = [json.loads(l) for l in os.environ["TEL"].splitlines() if l.startswith("{")]
tel = {}
for l in lines:
    tel.update(l)

def leaves(o, key, out):
    """Every value stored under KEY anywhere in o, in document order. Telemetry flattens
    nested containers into "0/drops/malformed" keys: their last part counts."""
    if isinstance(o, dict):
        for k, v in o.items():
            if k.split("/")[-1] == key and not isinstance(v, (dict, list)):
                out.append(v)
            leaves(v, key, out)
    elif isinstance(o, list):
        for v in o:
            leaves(v, key, out)
    return out

def report(ok, msg):
    print(("ok   - " if ok else "FAIL - ") + msg)

cmds = tel.get("/", [])
for c in ("/hagw/show_version", "/hagw/show_ports", "/hagw/show_stats"):
    report(c in cmds, "telemetry lists " + c)
v = tel.get("/hagw/show_version")
report(leaves(v, "pid", []) == [int(os.environ["PID"])], "telemetry show_version pid %s" % leaves(v, "pid", []))
cli_stats = json.loads(os.environ["CLI_STATS"])
cli_stats = cli_stats.get("data", cli_stats) if "ok" in cli_stats else cli_stats
s = tel.get("/hagw/show_stats")
for key in ("forwarded", "dropped", "punted", "malformed", "no_route", "mbufs"):
    a, b = leaves(cli_stats, key, []), leaves(s, key, [])
    report(a == b and a != [], "telemetry show_stats %s %s == CLI %s" % (key, b, a))
cli_ports = json.loads(os.environ["CLI_PORTS"])
cli_ports = cli_ports.get("data", cli_ports) if isinstance(cli_ports, dict) else cli_ports
p = tel.get("/hagw/show_ports")
for key in ("mac", "name", "mtu"):
    a, b = leaves(cli_ports, key, []), leaves(p, key, [])
    report(a == b and a != [], "telemetry show_ports %s %s == CLI %s" % (key, b, a))
EOF
)
[ -n "$res" ] || fail "telemetry comparison produced nothing"
while read -r line; do
	case "$line" in
	"ok   - "*) ok "${line#ok   - }" ;;
	"FAIL - "*) fail "${line#FAIL - }" ;;
	*) fail "telemetry comparison: $line" ;;
	esac
done <<<"$res"

# --- shutdown: the daemon stops cleanly (lab down then finds it gone, status 0) ---
pid=$(lab_hagw_pid)
out=$(ctl --json shutdown) || fail "hagwctl --json shutdown"
check_eq "shutdown answers" true "$(json "d['stopping']" <<<"$out")"
for i in $(seq 50); do lab_alive "$pid" || break; sleep 0.1; done
if lab_alive "$pid"; then fail "hagw exited within 5 s of shutdown"; else ok "hagw exited within 5 s of shutdown"; fi
check "socket removed after shutdown" test ! -e "$LAB_SOCK"
