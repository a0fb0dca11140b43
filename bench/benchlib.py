"""Shared measurement logic of bench/fwd_bench.py and bench/esp_bench.py.

The method (lab.md, "Measuring the data path on this machine"): every
program under test forwards on lcore 1 (one CPU), input from net_pcap,
output to net_null; the forwarding thread's on-CPU time is read from
/proc/PID/task/TID/schedstat around the counter reads at the start and the
end of a window; the programs are measured in interleaved rounds (one runs,
the others are paused or stopped), and the tables show the minimum and the
median over the rounds:

    cycles per packet = on-CPU ns x TSC GHz / packets
    Mpps per core     = packets / on-CPU seconds

A measured program ("subject") has round(seconds) -> (on-CPU ns, packets)
and stop(). Hagw (and esp_bench.py's ipsec-secgw) are long-running DPDK
processes resumed (SIGCONT) for a round and paused (SIGSTOP) after it;
Testpmd's forwarding is started and stopped at its prompt instead.
"""
import json
import os
import queue
import shutil
import signal
import socket
import statistics
import subprocess
import threading
import time

LCORE = 1                       # every subject runs on this CPU, one at a time
PCAP_MAC = "02:70:63:61:70:00"  # net_pcap0's MAC in DPDK 22.11 (checked at start)
FCS_LEN = 4                     # frame sizes count the FCS, the pcap holds none
WARMUP_S = 0.5                  # after resuming a subject, before its window
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15
TESTPMD_THREADS = ("rte-worker-%d" % LCORE, "lcore-worker-%d" % LCORE)  # 22.11, 23.x
DPDK_RUN_DIR = "/var/run/dpdk"
TELEMETRY_SOCKET = "dpdk_telemetry.v2"
TELEMETRY_BUF = 1 << 16


# ---- /proc ----

def schedstat_ns(pid, tid):
    """On-CPU nanoseconds of one thread."""
    with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
        return int(f.read().split()[0])


def wait_stopped(pid, tid, timeout=5.0):
    """Until the thread is stopped (SIGSTOP is delivered asynchronously). A stopped
    thread's schedstat is exact: leaving the CPU brought its runtime up to date."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] in ("T", "t"):
                return
        time.sleep(0.0005)
    raise RuntimeError(f"thread {tid} of {pid} did not stop")


def fd_of(pid, path):
    """The descriptor through which process pid has path open."""
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                return fd
        except OSError:
            continue
    raise RuntimeError(f"process {pid} does not have {path} open")


def fd_pos(pid, fd):
    """File offset of a descriptor (readable while the process is stopped)."""
    with open(f"/proc/{pid}/fdinfo/{fd}") as f:
        for line in f:
            if line.startswith("pos:"):
                return int(line.split()[1])
    raise RuntimeError(f"no pos in /proc/{pid}/fdinfo/{fd}")


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


def remove_runtime_dir(prefix):
    """EAL leaves /var/run/dpdk/PREFIX behind; the prefixes here are the run's own."""
    shutil.rmtree(os.path.join(DPDK_RUN_DIR, prefix), ignore_errors=True)


def write_private(path, text):
    """Writes a file readable by its owner only (hagw refuses keys in others)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


# ---- measurement ----

def window(subject, seconds):
    """One measured window: on-CPU ns of the forwarding thread and counter deltas."""
    ns0, c0 = subject.sample()
    time.sleep(seconds)
    ns1, c1 = subject.sample()
    delta = {k: c1[k] - c0[k] for k in c0}
    if delta["packets"] <= 0:
        raise RuntimeError(f"{subject.name} forwarded nothing in the window")
    return ns1 - ns0, delta


class Stats:
    """Cycles per packet and packets per on-CPU second of the rounds of one subject."""

    def __init__(self, tsc_hz):
        self.tsc_hz = tsc_hz
        self.cpp = []
        self.pps = []

    def add(self, ns, packets):
        self.cpp.append(ns * self.tsc_hz / 1e9 / packets)
        self.pps.append(packets / (ns / 1e9))

    def min(self):
        return min(self.cpp)

    def median(self):
        return statistics.median(self.cpp)

    def mpps(self):
        return statistics.median(self.pps) / 1e6


class PausedProcess:
    """A DPDK process paused (SIGSTOP) between its rounds."""

    name = "process"
    warmup = WARMUP_S

    def __init__(self, cmd, log_path):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        self.paused = False

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)
        self.paused = False

    def check(self, delta):
        """Raises if the window shows a lost packet."""

    def round(self, seconds):
        self.resume()
        try:
            time.sleep(self.warmup)
            ns, d = window(self, seconds)
        finally:
            self.pause()
        self.check(d)
        return ns, d["packets"]

    def exited(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with status {self.proc.returncode}; "
                               f"see {self.log.name}")

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


# ---- hagw ----

class Hagw(PausedProcess):
    """The daemon under test; its main thread (TID = PID) is lcore 1.

    make_config(sock) returns the configuration text (written mode 600);
    counters(stats) maps `show stats` JSON to a dict with at least
    "packets"; check(delta) raises if a window lost packets; pcap_port is
    the index of the net_pcap port whose MAC the frames are sent to.
    """

    def __init__(self, build, tmp, name, make_config, counters, check=None, pcap_port=0):
        self.name = name
        self.build = build
        self.sock = os.path.join(tmp, f"{name}.sock")
        conf = os.path.join(tmp, f"{name}.conf")
        write_private(conf, make_config(self.sock))
        self.counters = counters
        self._check = check
        super().__init__([f"{build}/control/hagw", "-c", conf], os.path.join(tmp, f"{name}.log"))
        self.version = self._wait_ready()
        self.ports = self.ctl("show", "ports")
        self.pause()
        if thread_comm(self.pid, self.pid) != "hagw":
            raise RuntimeError("hagw's main thread is not called hagw")
        check_pinned(name, self.pid, self.pid)
        mac = self.ports[pcap_port]["mac"].lower()
        if mac != PCAP_MAC:
            raise RuntimeError(f"{name}: net_pcap has MAC {mac}, the frames are sent to "
                               f"{PCAP_MAC}")

    def ctl(self, *words):
        """hagwctl --json WORDS (hagw must be running: its lcore answers the CLI)."""
        out = subprocess.run([f"{self.build}/tools/hagwctl", "-s", self.sock, "--json", *words],
                             capture_output=True, text=True, check=True, timeout=10).stdout
        return json.loads(out) if out.strip() else None

    def _wait_ready(self):
        end = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < end:
            self.exited()
            try:
                return self.ctl("show", "version")
            except (subprocess.CalledProcessError, json.JSONDecodeError):
                time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer on its CLI socket")

    def sample(self):
        """(on-CPU ns, counters) at one moment: schedstat read around the CLI call."""
        a = schedstat_ns(self.pid, self.pid)
        stats = self.ctl("show", "stats")
        b = schedstat_ns(self.pid, self.pid)
        return (a + b) // 2, self.counters(stats)

    def check(self, delta):
        if self._check is not None:
            self._check(delta)


# ---- DPDK processes read through the telemetry socket ----

class Telemetry:
    """Client of a DPDK process's telemetry socket (/var/run/dpdk/PREFIX/...)."""

    def __init__(self, prefix, proc_check):
        path = os.path.join(DPDK_RUN_DIR, prefix, TELEMETRY_SOCKET)
        end = time.monotonic() + START_TIMEOUT_S
        while not os.path.exists(path):
            proc_check()
            if time.monotonic() > end:
                raise RuntimeError(f"no telemetry socket {path}")
            time.sleep(0.05)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.connect(path)
        self.info = json.loads(self.sock.recv(TELEMETRY_BUF).decode())

    def query(self, cmd):
        self.sock.send(cmd.encode())
        reply = json.loads(self.sock.recv(TELEMETRY_BUF).decode())
        return reply[cmd.split(",")[0]]

    def close(self):
        self.sock.close()


# ---- dpdk-testpmd ----

class Testpmd:
    """dpdk-testpmd io forwarding in interactive mode, driven through a pipe.

    Port 0 is net_pcap0 reading pcap (looping over it if infinite), port 1
    net_null0; its forwarding thread is rte-worker-1 on lcore 1. Reading a
    finite file (infinite False), `start` must not drain the RX queue first
    (testpmd's flush reads for up to a second): --no-flush-rx.
    """

    name = "testpmd"

    def __init__(self, pcap, prefix, tmp, infinite=True, name="testpmd"):
        self.name = name
        rx = f"net_pcap0,rx_pcap={pcap}" + (",infinite_rx=1" if infinite else "")
        cmd = ["stdbuf", "-oL", "dpdk-testpmd", "-l", f"0,{LCORE}", "--main-lcore", "0",
               "--no-huge", "-m", "512", "--no-pci", "--no-telemetry", "--file-prefix", prefix,
               "--vdev", rx, "--vdev", "net_null0,no-rx=1", "--",
               "-i", "--forward-mode=io", "--nb-cores=1", "--total-num-mbufs=16384"]
        if not infinite:
            cmd.append("--no-flush-rx")
        self.log = open(os.path.join(tmp, f"{name}.log"), "w")
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

    def pause(self):
        """SIGSTOP (while forwarding, for windows bounded by stops)."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def stop_fwd(self):
        """Stops forwarding; returns the frames dropped since start (RX + TX)."""
        out = self.command("stop", "Done.")
        acc = out[max(i for i, l in enumerate(out) if "Accumulated forward" in l):]
        line = next(l for l in acc if "RX-dropped:" in l).split()
        return int(line[line.index("RX-dropped:") + 1]) + \
            int(next(l for l in acc if "TX-dropped:" in l).split("TX-dropped:")[1].split()[0])

    def round(self, seconds, warmup=WARMUP_S):
        self.start_fwd()
        try:
            time.sleep(warmup)
            ns, d = window(self, seconds)
        finally:
            dropped = self.stop_fwd()
        if dropped:
            raise RuntimeError(f"testpmd dropped {dropped} frames: {d}")
        return ns, d["packets"]

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


# ---- perf ----

def perf_report(data, *opts):
    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", *opts],
                         capture_output=True, text=True)
    return [l.rstrip() for l in rep.stdout.splitlines() if l.strip() and not l.startswith("#")]


def perf_profile(subject, seconds, data, dsos, top):
    """perf record (cpu-clock) of a paused subject's lcore thread (TID = PID) while it
    runs: shares by library and the top symbols of dsos. Debian's DPDK libraries are
    stripped, so their time shows per library only."""
    subject.resume()
    time.sleep(WARMUP_S)
    rec = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-t", str(subject.pid),
                          "-o", data, "--", "sleep", str(seconds)],
                         capture_output=True, text=True)
    subject.pause()
    if rec.returncode != 0:
        return f"perf record failed: {rec.stderr.strip()}"
    by_dso = perf_report(data, "--sort", "dso")[:8]
    by_sym = perf_report(data, "--sort", "sym", "--dsos", dsos)[:top]
    return "  by library:\n" + "\n".join(by_dso) + \
        f"\n  top {top} symbols in {dsos} (percent of all samples):\n" + "\n".join(by_sym)


def write_load_config(path, file_prefix, psk_file, remote, remote_ts, src_base, ike_prop,
                      esp_prop, tool):
    """The config bench/ike_load reads (only its ike section is used): one PSK
    connection from 192.0.2.SRC_BASE to REMOTE with one CHILD SA to REMOTE_TS,
    no rekeying and no DPD, so the SAs stay after ike_load exits."""
    text = f"""# {tool}: the initiators (bench/ike_load); only the ike section is used
eal = {{ lcores = [ 0 ]; file_prefix = "{file_prefix}"; }};
ports = (
  {{ name = "c"; device = "net_null0"; role = "untrusted"; ipv4 = [ "192.0.2.{src_base}/24" ]; }},
  {{ name = "l"; device = "net_null1"; role = "trusted"; ipv4 = [ "198.18.0.1/24" ]; }}
);
ike = {{
  listen = [ "192.0.2.{src_base}" ];
  retransmit_timeout_ms = 4000; retransmit_tries = 3;
  secrets = ( {{ ids = [ "gw.bench" ]; file = "{psk_file}"; }} );
  connections = ( {{
    name = "load";
    remote_addrs = [ "{remote}" ];
    local = {{ id = "client.bench"; auth = "psk"; }};
    remote = {{ id = "gw.bench"; auth = "psk"; }};
    proposals = [ "{ike_prop}" ];
    rekey_time = 0; dpd_delay = 0;
    children = ( {{ name = "net"; remote_ts = [ "{remote_ts}" ];
                   esp_proposals = [ "{esp_prop}" ]; rekey_time = 0; life_time = 0; }} );
  }} );
}};
"""
    with open(path, "w") as f:
        f.write(text)


def gateway_ike_section(psk_file, pool, local_ts, ike_prop, esp_prop, listen=None):
    """hagw's ike section facing bench/ike_load (write_load_config): the DoS limits
    out of the way, one PSK connection for every client with a virtual IP from POOL
    and one CHILD SA to LOCAL_TS, no rekeying, no DPD, unique = never."""
    listen_line = f'  listen = [ "{listen}" ];\n' if listen else ""
    return f"""ike = {{
{listen_line}  half_open_max = 1048576; half_open_per_source = 1048576; cookie_threshold = 1048576;
  pools = ( {{ name = "bench"; addrs = "{pool}"; }} );
  secrets = ( {{ ids = [ "client.bench" ]; file = "{psk_file}"; }} );
  connections = ( {{
    name = "rw";
    local = {{ id = "gw.bench"; auth = "psk"; }};
    remote = {{ id = "client.bench"; auth = "psk"; }};
    proposals = [ "{ike_prop}" ];
    pools = [ "bench" ];
    rekey_time = 0; dpd_delay = 0; unique = "never";
    children = ( {{ name = "net"; local_ts = [ "{local_ts}" ];
                   esp_proposals = [ "{esp_prop}" ]; rekey_time = 0; life_time = 0; }} );
  }} );
}};
"""


def ipsec_sizing(n, sas_slack=1024):
    """The ipsec section for N clients (two SAs and one client prefix each)."""
    max_sas = max(4096, 1 << (2 * n + sas_slack).bit_length())
    max_clients = max(65536, 1 << (n + 1024).bit_length())
    return f"ipsec = {{ max_sas = {max_sas}; max_clients = {max_clients}; }};"
