#!/usr/bin/env bash
# A guided tour of hagw: installs what is missing, builds build/ (optimised, no sanitizers),
# starts hagw in a lab of network namespaces (scripts/lab.sh), sends ping and iperf3 through
# it, shows what hagw saw, tears the lab down and summarises. Run as root on Debian 12.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
cd "$ROOT" || exit 1

if [ -t 1 ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD='' PLAIN=''; fi
section() { printf '\n%s== %s ==%s\n' "$BOLD" "$*" "$PLAIN"; }
run() { printf '$ %s\n' "$*"; "$@"; }
hagwctl_show() { printf '$ hagwctl %s\n' "$*"; lab_ctl "$@"; }
die() { echo "demo: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root (network namespaces, DPDK)"

section "1. Dependencies and build (build/)"
run scripts/install-deps.sh || die "installing dependencies failed"
if [ ! -f build/build.ninja ]; then
	run meson setup build >/dev/null || die "meson setup failed"
fi
run ninja -C build control/hagw tools/hagwctl >/dev/null || die "build failed (ninja -C build)"
echo "built build/control/hagw and build/tools/hagwctl"

export HAGW_BIN=$ROOT/build/control/hagw HAGWCTL_BIN=$ROOT/build/tools/hagwctl
LAB_NAME=${LAB_NAME:-hagwdemo}
# shellcheck source=lab.sh
. "$ROOT/scripts/lab.sh"
lab_init
trap 'trap "" PIPE; section "Teardown"; lab_down' EXIT
trap 'exit 130' INT TERM
trap 'exit 141' PIPE

section "2. Lab: client ($LAB_NS_C) -- hagw ($LAB_NS_GW) -- lan ($LAB_NS_L)"
cat <<EOF
  client $LAB_C4, $LAB_C6
    |  veth $LAB_IF_C <-> $LAB_IF_GWC (net_af_packet0)
  hagw  port "client" $LAB_GWC4/24, $LAB_GWC6/64
        port "lan"    $LAB_GWL4/24, $LAB_GWL6/64
    |  veth $LAB_IF_GWL (net_af_packet1) <-> $LAB_IF_L
  lan    $LAB_L4, $LAB_L6; behind it $LAB_NET4, $LAB_NET6
         (hagw routes 203.0.113.0/24 via $LAB_L4, 2001:db8:3::/64 via $LAB_L6)
EOF
lab_up || die "the lab did not come up"

section "3. hagwctl show version"
hagwctl_show show version

section "4. hagwctl show ports"
hagwctl_show show ports

section "5. Ping through hagw (IPv4, IPv6, direct and via the gateway route)"
lab_ctl clear stats >/dev/null
for dst in "$LAB_L4" "$LAB_NET4" "$LAB_L6" "$LAB_NET6"; do
	printf '$ ping -c 3 %s\n' "$dst"
	lab_run c ping -c 3 -i 0.2 -W 2 "$dst" | tail -n 2
done

section "6. iperf3: client -> lan, 3 s, TCP over IPv4"
ip netns exec "$LAB_NS_L" iperf3 -s -1 -B "$LAB_L4" >/dev/null 2>&1 &
srv=$!
sleep 0.5
ipj=$(lab_run c timeout 30 iperf3 -c "$LAB_L4" -t 3 -J) || echo "iperf3 failed"
wait "$srv" 2>/dev/null
rate=$("$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print("%.0f Mbit/s, %d retransmits" % (d["end"]["sum_received"]["bits_per_second"] / 1e6, d["end"]["sum_sent"].get("retransmits", 0)))' "$ipj" 2>/dev/null || echo "n/a")
echo "iperf3: $rate"

section "7. hagwctl show stats"
hagwctl_show show stats
section "8. hagwctl show neighbors"
hagwctl_show show neighbors
stats=$(lab_ctl --json show stats)

summary=$("$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
d = d.get("data", d) if "ok" in d else d
fwd = sum(p["forwarded"] for p in d["ports"])
drops = {}
for p in d["ports"]:
    for k, v in p["drops"].items():
        if v:
            drops["%s.%s" % (p["name"], k)] = v
print("packets forwarded: %d (%s)" % (fwd, ", ".join("%s %d" % (p["name"], p["forwarded"]) for p in d["ports"])))
print("drops: %s" % (", ".join("%s %d" % kv for kv in drops.items()) or "none"))
' "$stats" 2>/dev/null || echo "(no stats)")

trap - EXIT
section "Teardown"
lab_down && echo "hagw stopped, namespaces removed"
section "Summary"
echo "$summary"
echo "iperf3 client -> lan: $rate"
