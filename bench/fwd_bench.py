#!/usr/bin/python3
"""Forwarding cost on one core: hagw beside dpdk-testpmd io, same method, same run.

Both forward frames read from a pcap file (net_pcap0, infinite_rx=1) to a
net_null port on lcore 1, so no second busy core is needed (see lab.md,
"Measuring the data path on this machine"). For each frame size the two
processes are started once and measured in interleaved rounds: hagw runs
while testpmd's forwarding is stopped, then hagw is paused (SIGSTOP) while
testpmd forwards. In each round the forwarding thread's on-CPU time is read
from /proc/PID/task/TID/schedstat together with the packet counters at the
start and at the end of the window:

    cycles per packet = on-CPU ns x TSC GHz / packets
    Mpps per core     = packets / on-CPU seconds

and the table shows the minimum and the median over the rounds.

hagw runs its real path: the daemon with one lcore (lcore 1 runs the control
loop and worker 0 alternately, busy polling), Ethernet/IP checks, LPM route
lookup, TTL / hop limit decrement with checksum update, neighbour lookup
(static entries from the config's neighbors section), Ethernet rewrite and
TX burst. IPv4 frames go to 16 addresses in two routed /25s (two next hops);
IPv6 frames go to 8 on-link addresses of 2001:db8:2::/64 (eight static
neighbours). Every frame must be forwarded: a round where hagw dropped or
punted anything is an error. testpmd "io" forwarding touches no header: its
figure is the floor set by the two PMDs, including net_pcap's copy of every
frame, which is in hagw's figure too.

Usage: bench/fwd_bench.py [--build DIR] [--seconds S] [--rounds N]
                          [--sizes 64,512,1420,1518] [--no-ipv6]
                          [--profile [--profile-dir DIR]]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ for benchlib in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, "/usr/lib/python3/dist-packages")
from scapy.all import Ether, IP, IPv6, UDP, Raw, wrpcap  # noqa: E402

from benchlib import (FCS_LEN, LCORE, PCAP_MAC, Hagw, Stats, Testpmd,  # noqa: E402
                      perf_profile, read_build_type, remove_runtime_dir)

SRC_MAC = "02:00:00:00:00:01"
NEXT_HOP_MAC = "02:00:00:00:00:%02x"
FRAMES_IN_PCAP = 64
IPV4_DESTS = ["203.0.113.%d" % (1 + i) for i in range(8)] + \
             ["203.0.113.%d" % (129 + i) for i in range(8)]
IPV6_DESTS = ["2001:db8:2::%x" % (2 + i) for i in range(8)]
IPV6_MIN_FRAME = 66             # Ethernet + IPv6 + UDP headers + FCS
PCAP_COPY_NOTE = "43/68/96 cycles at 64/512/1420 B"
PROFILE_TOP = 12


# ---- frames and configuration ----

def make_frames(family, frame_size):
    """Frames of frame_size bytes on the wire (FCS included)."""
    frames = []
    for i in range(FRAMES_IN_PCAP):
        if family == 4:
            l3 = IP(src="192.0.2.2", dst=IPV4_DESTS[i % len(IPV4_DESTS)], ttl=64)
        else:
            l3 = IPv6(src="2001:db8:1::2", dst=IPV6_DESTS[i % len(IPV6_DESTS)], hlim=64)
        pkt = Ether(dst=PCAP_MAC, src=SRC_MAC) / l3 / UDP(sport=1024 + i, dport=9)
        payload = frame_size - FCS_LEN - len(pkt)
        if payload < 0:
            raise ValueError(f"IPv{family} UDP frames need at least {len(pkt) + FCS_LEN} B")
        frames.append(pkt / Raw(b"\0" * payload))
    return frames


def hagw_config(pcap, sock, prefix):
    v4 = [f'  {{ port = "out"; address = "198.51.100.{2 + i}"; mac = "{NEXT_HOP_MAC % (2 + i)}"; }}'
          for i in range(2)]
    v6 = [f'  {{ port = "out"; address = "2001:db8:2::{2 + i:x}"; '
          f'mac = "{NEXT_HOP_MAC % (0x10 + i)}"; }}' for i in range(len(IPV6_DESTS))]
    neighbors = ",\n".join(v4 + v6)
    return f"""# fwd_bench.py: one lcore, pcap in, null out, static next hops
eal = {{ lcores = [ {LCORE} ]; memory_mb = 512; file_prefix = "{prefix}"; }};
dataplane = {{ mbufs = 16383; idle_backoff_us = 0; }};
ports = (
  {{ name = "in"; device = "net_pcap0,rx_pcap={pcap},infinite_rx=1"; role = "untrusted";
     ipv4 = [ "192.0.2.1/24" ]; ipv6 = [ "2001:db8:1::1/64" ]; }},
  {{ name = "out"; device = "net_null0,no-rx=1"; role = "trusted";
     ipv4 = [ "198.51.100.1/24" ]; ipv6 = [ "2001:db8:2::1/64" ]; }}
);
routes = (
  {{ prefix = "203.0.113.0/25"; via = "198.51.100.2"; port = "out"; }},
  {{ prefix = "203.0.113.128/25"; via = "198.51.100.3"; port = "out"; }}
);
neighbors = (
{neighbors}
);
cli = {{ socket = "{sock}"; }};
log = {{ level = "warning"; }};
"""


# ---- hagw's counters ----

def hagw_counters(stats):
    p_in, p_out = stats["ports"][0], stats["ports"][1]
    return {
        "packets": p_in["forwarded"],
        "rx": p_in["rx_packets"],
        "tx": p_out["tx_packets"],
        "lost": p_in["dropped"] + p_in["punted"] + p_out["dropped"] + p_out["punted"],
    }


def hagw_check(d):
    if d["lost"] or d["rx"] != d["packets"]:
        raise RuntimeError(f"hagw did not forward every frame: {d}")


def measure_size(args, family, size, tmp, tag, profile_path):
    """Rounds of hagw and testpmd on one pcap; returns (hagw Stats, testpmd Stats, profile)."""
    pcap = os.path.join(tmp, f"ipv{family}-{size}.pcap")
    wrpcap(pcap, make_frames(family, size))
    hagw = tp = None
    profile = None
    try:
        prefix = "hagwbench" + tag
        hagw = Hagw(args.build, tmp, "hagw", lambda sock: hagw_config(pcap, sock, prefix),
                    hagw_counters, hagw_check)
        tp = Testpmd(pcap, "hagwbenchtp" + tag, tmp)
        tsc = hagw.version["tsc_hz"]
        h, t = Stats(tsc), Stats(tsc)
        for _ in range(args.rounds):
            h.add(*hagw.round(args.seconds))
            t.add(*tp.round(args.seconds))
        if profile_path:
            profile = perf_profile(hagw, args.seconds, profile_path, "hagw,libc.so.6",
                                   PROFILE_TOP)
    finally:
        for p in (hagw, tp):
            if p is not None:
                p.stop()
        for prefix in ("hagwbench" + tag, "hagwbenchtp" + tag):
            remove_runtime_dir(prefix)
    return h, t, profile


def print_table(title, rows):
    print(f"\n{title}")
    print(f"{'frame':>7} | {'hagw cycles/pkt':>16} {'Mpps':>6} | {'testpmd io cyc/pkt':>18} "
          f"{'Mpps':>6} | {'hagw - io':>9}")
    print(f"{'':>7} | {'min':>7} {'median':>8} {'/core':>6} | {'min':>8} {'median':>9} "
          f"{'/core':>6} | {'cyc/pkt':>9}")
    print("-" * 70)
    for size, h, t in rows:
        hm, tm = statistics.median(h.cpp), statistics.median(t.cpp)
        print(f"{size:>5} B | {min(h.cpp):7.0f} {hm:8.0f} {statistics.median(h.pps) / 1e6:6.2f} | "
              f"{min(t.cpp):8.0f} {tm:9.0f} {statistics.median(t.pps) / 1e6:6.2f} | "
              f"{hm - tm:+9.0f}")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="meson build directory (default: build)")
    ap.add_argument("--seconds", type=float, default=3.0, help="length of one window")
    ap.add_argument("--rounds", type=int, default=3, help="windows per forwarder and size")
    ap.add_argument("--sizes", default="64,512,1420,1518",
                    help="Ethernet frame sizes with FCS, comma-separated")
    ap.add_argument("--no-ipv6", action="store_true", help="skip the IPv6 rows")
    ap.add_argument("--profile", action="store_true",
                    help="also perf-record hagw at the first size of each family")
    ap.add_argument("--profile-dir", default=".", help="where the perf report goes")
    args = ap.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.build = os.path.abspath(args.build)
    return args


def main():
    args = parse_args()
    buildtype, sanitize = read_build_type(args.build)
    if sanitize not in ("none", "unknown"):
        sys.exit(f"{args.build} is built with -Db_sanitize={sanitize}: not a build to measure")
    families = [4] if args.no_ipv6 else [4, 6]
    results = {f: [] for f in families}
    profiles = []
    tsc = None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hagwbench") as tmp:
        for family in families:
            for i, size in enumerate(args.sizes):
                size = max(size, IPV6_MIN_FRAME) if family == 6 else size
                tag = f"{os.getpid()}v{family}s{size}"
                prof_path = os.path.join(args.profile_dir, f"hagw-ipv{family}-{size}.perf.data") \
                    if args.profile and i == 0 else None
                print(f"IPv{family} {size} B ...", file=sys.stderr, flush=True)
                h, t, prof = measure_size(args, family, size, tmp, tag, prof_path)
                results[family].append((size, h, t))
                tsc = h.tsc_hz
                if prof:
                    profiles.append((family, size, prof))
    print(f"\nForwarding cost on one core (lcore {LCORE}): hagw vs dpdk-testpmd io, "
          f"net_pcap0 (infinite_rx) -> net_null0, burst 32")
    print(f"method: on-CPU time of the forwarding thread (/proc/PID/task/TID/schedstat) "
          f"x TSC {tsc / 1e9:.2f} GHz / packets forwarded;")
    print(f"        {args.rounds} rounds x {args.seconds:g} s per forwarder and size, "
          f"interleaved; min and median over rounds; build {os.path.basename(args.build)} "
          f"({buildtype}); {time.monotonic() - started:.0f} s in all")
    print_table("IPv4: UDP to 16 addresses in two routed /25s (2 next hops, static neighbours), "
                "TTL 64", results[4])
    if 6 in results:
        print_table("IPv6: UDP to 8 on-link addresses of 2001:db8:2::/64 (8 static neighbours), "
                    f"hop limit 64; smallest frame {IPV6_MIN_FRAME} B", results[6])
    print(f"""
Notes:
- Both figures include net_pcap's copy of every frame from its pcap buffer
  (lab.md: {PCAP_COPY_NOTE} with testpmd io) and
  net_null's free; "hagw - io" is what hagw's own path adds per packet.
- hagw's figure is its main thread, lcore {LCORE}, which runs the control loop
  (punt ring, timers, CLI) and worker 0 alternately: the control pass is part
  of the per-packet cost at one lcore.
- The 2 cores are shared: compare only figures of one run; a busy neighbour
  on the other core slows this one (cycles are on-CPU time x TSC, not core
  cycles).""")
    for family, size, prof in profiles:
        print(f"\nperf record -e cpu-clock of hagw's lcore thread, IPv{family} {size} B, "
              f"{args.seconds:g} s:\n{prof}")


if __name__ == "__main__":
    main()
