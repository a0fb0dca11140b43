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
import json
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, "/usr/lib/python3/dist-packages")
from scapy.all import Ether, IP, IPv6, UDP, Raw, wrpcap  # noqa: E402

LCORE = 1                       # both forwarders run on this CPU, one at a time
PCAP_MAC = "02:70:63:61:70:00"  # net_pcap0's MAC in DPDK 22.11 (checked at start)
SRC_MAC = "02:00:00:00:00:01"
NEXT_HOP_MAC = "02:00:00:00:00:%02x"
FCS_LEN = 4                     # frame sizes count the FCS, the pcap holds none
FRAMES_IN_PCAP = 64
IPV4_DESTS = ["203.0.113.%d" % (1 + i) for i in range(8)] + \
             ["203.0.113.%d" % (129 + i) for i in range(8)]
IPV6_DESTS = ["2001:db8:2::%x" % (2 + i) for i in range(8)]
IPV6_MIN_FRAME = 66             # Ethernet + IPv6 + UDP headers + FCS
WARMUP_S = 0.5                  # after resuming a forwarder, before its window
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15
TESTPMD_THREADS = ("rte-worker-%d" % LCORE, "lcore-worker-%d" % LCORE)  # 22.11, 23.x
PCAP_COPY_NOTE = "43/68/96 cycles at 64/512/1420 B"
PROFILE_TOP = 12
DPDK_RUN_DIR = "/var/run/dpdk"


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


def hagw_config(path, pcap, sock, prefix):
    v4 = [f'  {{ port = "out"; address = "198.51.100.{2 + i}"; mac = "{NEXT_HOP_MAC % (2 + i)}"; }}'
          for i in range(2)]
    v6 = [f'  {{ port = "out"; address = "2001:db8:2::{2 + i:x}"; '
          f'mac = "{NEXT_HOP_MAC % (0x10 + i)}"; }}' for i in range(len(IPV6_DESTS))]
    neighbors = ",\n".join(v4 + v6)
    with open(path, "w") as f:
        f.write(f"""# fwd_bench.py: one lcore, pcap in, null out, static next hops
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
""")


# ---- /proc ----

def schedstat_ns(pid, tid):
    """On-CPU nanoseconds of one thread."""
    with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
        return int(f.read().split()[0])


def thread_comm(pid, tid):
    with open(f"/proc/{pid}/task/{tid}/comm") as f:
        return f.read().strip()


def thread_cpus(pid, tid):
    with open(f"/proc/{pid}/task/{tid}/status") as f:
        for line in f:
            if line.startswith("Cpus_allowed_list:"):
                return line.split(":", 1)[1].strip()
    return "?"


def check_pinned(what, pid, tid):
    cpus = thread_cpus(pid, tid)
    if cpus != str(LCORE):
        raise RuntimeError(f"{what} thread {tid} runs on CPUs {cpus}, expected {LCORE}")


def read_build_type(build):
    try:
        with open(os.path.join(build, "meson-info", "intro-buildoptions.json")) as f:
            opts = {o["name"]: o["value"] for o in json.load(f)}
    except (OSError, ValueError):
        return "unknown", "unknown"
    return opts.get("buildtype", "?"), opts.get("b_sanitize", "?")


# ---- hagw ----

class Hagw:
    """The daemon under test; its main thread (TID = PID) is lcore 1."""

    def __init__(self, build, tmp, pcap, prefix):
        self.build = build
        self.sock = os.path.join(tmp, "hagw.sock")
        conf = os.path.join(tmp, "bench.conf")
        hagw_config(conf, pcap, self.sock, prefix)
        self.log = open(os.path.join(tmp, "hagw.log"), "w")
        self.proc = subprocess.Popen([f"{build}/control/hagw", "-c", conf],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        self.paused = False
        self.version = self._wait_ready()
        if thread_comm(self.pid, self.pid) != "hagw":
            raise RuntimeError("hagw's main thread is not called hagw")
        check_pinned("hagw main", self.pid, self.pid)
        self._check_ports()

    def ctl(self, *words):
        out = subprocess.run([f"{self.build}/tools/hagwctl", "-s", self.sock, "--json", *words],
                             capture_output=True, text=True, check=True, timeout=10).stdout
        return json.loads(out) if out.strip() else None

    def _wait_ready(self):
        end = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hagw exited with status {self.proc.returncode}; "
                                   f"see {self.log.name}")
            try:
                return self.ctl("show", "version")
            except (subprocess.CalledProcessError, json.JSONDecodeError):
                time.sleep(0.2)
        raise RuntimeError("hagw did not answer on its CLI socket")

    def _check_ports(self):
        ports = self.ctl("show", "ports")
        mac = ports[0]["mac"].lower()
        if mac != PCAP_MAC:
            raise RuntimeError(f"net_pcap0 has MAC {mac}, the frames are sent to {PCAP_MAC}")

    def sample(self):
        """(on-CPU ns, counters) at one moment: schedstat read around the CLI call."""
        a = schedstat_ns(self.pid, self.pid)
        stats = self.ctl("show", "stats")
        b = schedstat_ns(self.pid, self.pid)
        p_in, p_out = stats["ports"][0], stats["ports"][1]
        return (a + b) // 2, {
            "packets": p_in["forwarded"],
            "rx": p_in["rx_packets"],
            "tx": p_out["tx_packets"],
            "lost": p_in["dropped"] + p_in["punted"] + p_out["dropped"] + p_out["punted"],
        }

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)
        self.paused = False

    def stop(self):
        if self.paused:
            self.resume()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# ---- dpdk-testpmd ----

class Testpmd:
    """dpdk-testpmd in interactive mode, driven through a pipe."""

    def __init__(self, pcap, prefix, tmp):
        cmd = ["stdbuf", "-oL", "dpdk-testpmd", "-l", f"0,{LCORE}", "--main-lcore", "0",
               "--no-huge", "-m", "512", "--no-pci", "--no-telemetry", "--file-prefix", prefix,
               "--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1",
               "--vdev", "net_null0,no-rx=1", "--",
               "-i", "--forward-mode=io", "--nb-cores=1", "--total-num-mbufs=16384"]
        self.log = open(os.path.join(tmp, "testpmd.log"), "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.pid = self.proc.pid
        self.lines = queue.Queue()
        threading.Thread(target=self._reader, daemon=True).start()
        # The first answer to a command shows that start-up is over.
        self.command("show port stats all", "NIC statistics for port 1", START_TIMEOUT_S)
        self.tid = self._find_thread()
        check_pinned("testpmd forwarding", self.pid, self.tid)

    def _reader(self):
        for line in self.proc.stdout:
            self.log.write(line)
            self.lines.put(line)
        self.lines.put(None)

    def _expect(self, text, timeout):
        """Lines up to and including the first that contains text."""
        got = []
        end = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(f"testpmd: no '{text}' within {timeout} s; "
                                   f"see {self.log.name}") from None
            if line is None:
                raise RuntimeError(f"testpmd exited; see {self.log.name}")
            got.append(line)
            if text in line:
                return got

    def _find_thread(self):
        for tid in os.listdir(f"/proc/{self.pid}/task"):
            if thread_comm(self.pid, tid) in TESTPMD_THREADS:
                return tid
        raise RuntimeError(f"testpmd has no thread named {' or '.join(TESTPMD_THREADS)}")

    def command(self, cmd, until, timeout=10):
        """Sends cmd; returns its output up to the line that contains until."""
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return self._expect(until, timeout)

    def _port_counters(self):
        """Cumulative RX-packets of port 0 and TX-packets of port 1."""
        out = self.command("show port stats all", "NIC statistics for port 1")
        out += self._expect("TX-packets:", 10)
        rx = [int(l.split()[1]) for l in out if l.strip().startswith("RX-packets:")]
        tx = [int(l.split()[1]) for l in out if l.strip().startswith("TX-packets:")]
        return rx[-2], tx[-1]

    def sample(self):
        a = schedstat_ns(self.pid, self.tid)
        rx, tx = self._port_counters()
        b = schedstat_ns(self.pid, self.tid)
        return (a + b) // 2, {"packets": tx, "rx": rx, "tx": tx}

    def start_fwd(self):
        self.command("start", "packet forwarding - ports=")

    def stop_fwd(self):
        """Stops forwarding; returns the frames dropped since start (RX + TX)."""
        out = self.command("stop", "Done.")
        acc = out[max(i for i, l in enumerate(out) if "Accumulated forward" in l):]
        line = next(l for l in acc if "RX-dropped:" in l).split()
        return int(line[line.index("RX-dropped:") + 1]) + \
            int(next(l for l in acc if "TX-dropped:" in l).split("TX-dropped:")[1].split()[0])

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ---- measurement ----

def window(fwd, seconds):
    """One measured window: on-CPU ns of the forwarding thread and counter deltas."""
    ns0, c0 = fwd.sample()
    time.sleep(seconds)
    ns1, c1 = fwd.sample()
    delta = {k: c1[k] - c0[k] for k in c0}
    if delta["packets"] <= 0:
        raise RuntimeError(f"{type(fwd).__name__} forwarded nothing in the window")
    return ns1 - ns0, delta


def hagw_round(hagw, seconds):
    hagw.resume()
    time.sleep(WARMUP_S)
    ns, d = window(hagw, seconds)
    hagw.pause()
    if d["lost"] or d["rx"] != d["packets"]:
        raise RuntimeError(f"hagw did not forward every frame: {d}")
    return ns, d["packets"]


def testpmd_round(tp, seconds):
    tp.start_fwd()
    time.sleep(WARMUP_S)
    ns, d = window(tp, seconds)
    dropped = tp.stop_fwd()
    if dropped:
        raise RuntimeError(f"testpmd dropped {dropped} frames: {d}")
    return ns, d["packets"]


def perf_report(data, *opts):
    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", *opts],
                         capture_output=True, text=True)
    return [l.rstrip() for l in rep.stdout.splitlines() if l.strip() and not l.startswith("#")]


def perf_profile(hagw, seconds, data):
    """perf record (cpu-clock) of hagw's lcore thread: shares by library, top hagw symbols.

    Debian's DPDK libraries are stripped, so their time shows per library only.
    """
    hagw.resume()
    time.sleep(WARMUP_S)
    rec = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-t", str(hagw.pid),
                          "-o", data, "--", "sleep", str(seconds)],
                         capture_output=True, text=True)
    hagw.pause()
    if rec.returncode != 0:
        return f"perf record failed: {rec.stderr.strip()}"
    by_dso = perf_report(data, "--sort", "dso")[:8]
    by_sym = perf_report(data, "--sort", "sym", "--dsos", "hagw,libc.so.6")[:PROFILE_TOP]
    return "  by library:\n" + "\n".join(by_dso) + \
        f"\n  top {PROFILE_TOP} symbols in hagw and libc (percent of all samples):\n" + \
        "\n".join(by_sym)


class Stats:
    def __init__(self, tsc_hz):
        self.tsc_hz = tsc_hz
        self.cpp = []
        self.pps = []

    def add(self, ns, packets):
        self.cpp.append(ns * self.tsc_hz / 1e9 / packets)
        self.pps.append(packets / (ns / 1e9))


def remove_runtime_dir(prefix):
    """EAL leaves /var/run/dpdk/PREFIX behind; the prefixes here are this run's own."""
    shutil.rmtree(os.path.join(DPDK_RUN_DIR, prefix), ignore_errors=True)


def measure_size(args, family, size, tmp, tag, profile_path):
    """Rounds of hagw and testpmd on one pcap; returns (hagw Stats, testpmd Stats, profile)."""
    pcap = os.path.join(tmp, f"ipv{family}-{size}.pcap")
    wrpcap(pcap, make_frames(family, size))
    hagw = tp = None
    profile = None
    try:
        hagw = Hagw(args.build, tmp, pcap, "hagwbench" + tag)
        hagw.pause()
        tp = Testpmd(pcap, "hagwbenchtp" + tag, tmp)
        tsc = hagw.version["tsc_hz"]
        h, t = Stats(tsc), Stats(tsc)
        for _ in range(args.rounds):
            h.add(*hagw_round(hagw, args.seconds))
            t.add(*testpmd_round(tp, args.seconds))
        if profile_path:
            profile = perf_profile(hagw, args.seconds, profile_path)
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
