#!/usr/bin/python3
"""ESP cost on one core: hagw beside raw IPsec-MB, DPDK ipsec-secgw and testpmd io, same run.

Method of bench/fwd_bench.py (benchlib.py, lab.md "Measuring the data path
on this machine"): every program works on lcore 1, reading frames from a
pcap (net_pcap0) and sending to net_null0; the working thread's on-CPU time
(/proc/PID/task/TID/schedstat) is read with the packet counters at the start
and the end of a window; the programs are measured in interleaved rounds,
and the tables show the minimum and the median over the rounds:

    cycles per packet = on-CPU ns x TSC GHz / packets
    Mpps per core     = packets / on-CPU seconds

Sizes are inner IP packets (what is encrypted), IPv4/UDP, tunnel mode;
"imix" is 7:4:1 of 64/570/1420 B. Subjects, for each size:

- hagw outbound: the daemon, one lcore (control loop and worker 0
  alternately, busy polling), trusted port net_pcap0 (plaintext frames,
  infinite_rx=1) -> untrusted port net_null0: parse, outbound SPD lookup
  (rte_acl), ESP tunnel encapsulation, IPsec-MB burst, outer route and
  static neighbour, TX. Static SAs and a PROTECT policy from its config
  (mode 600). AES-GCM-128 at every size; AES-CBC-128 + HMAC-SHA-256-128 and
  ChaCha20-Poly1305 at 64 and 1420 B.
- ipsec-secgw: DPDK 22.11's example gateway (Debian's dpdk-doc source,
  built here with RX offloads masked to what the vdevs offer), librte_ipsec
  path (-l), lookaside crypto on crypto_aesni_mb (IPsec-MB), same SA, same
  pcap, same ports, AES-GCM-128.
- testpmd io on the same pcap: the PMD floor (net_pcap's copy of every
  frame, net_null's free, the RX/TX loop).
- imb_ref (bench/imb_ref.c): IPsec-MB alone on the ESP payloads of the same
  inner sizes, bursts of 32, burst API and direct API (the crypto ceiling).

Inbound (decrypt; hagw, ipsec-secgw, testpmd io, imb_ref): a replay window
rejects every repeat, so an infinite pcap loop cannot feed it. esp_gen
(bench/esp_gen.c) writes a pcap of unique sequence numbers 1..N (N bounded
by --inbound-mb) into /dev/shm; net_pcap reads it as a file (no
infinite_rx), so the floor of these rows is testpmd io on the same file
(libpcap's reads and copies cost more than infinite_rx's copy). Each round
resumes a subject, estimates its rate over a short warm-up and sizes its
window so the file lasts for the remaining rounds; these windows are bounded
by SIGSTOP and count the packets from the file offset (class FileFed); a
subject that reaches the end of the file within a window is an error.

Before measuring, hagw's output for each algorithm is decrypted with
python3-cryptography (verify_outbound); every window checks that nothing
was dropped, and the SA counters must match what was sent.

Usage: bench/esp_bench.py [--build DIR] [--seconds S] [--rounds N]
                          [--sizes 64,512,1420,1500,imix] [--inbound-sizes 64,512,1420]
                          [--inbound-mb MB] [--no-secgw] [--profile]
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ for benchlib in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, "/usr/lib/python3/dist-packages")
from scapy.all import Ether, IP, UDP, Raw, PcapReader, wrpcap  # noqa: E402
from cryptography.hazmat.primitives import hashes, hmac  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305  # noqa: E402

from benchlib import (LCORE, PCAP_MAC, FCS_LEN, Hagw, PausedProcess, Stats,  # noqa: E402
                      Telemetry, Testpmd, check_pinned, fd_of, fd_pos, perf_profile,
                      read_build_type, remove_runtime_dir, schedstat_ns, wait_stopped)

# ---- addresses, SAs ----
PEER_MAC = "02:00:00:00:00:02"          # outer next hop (static neighbour)
LAN_MAC = "02:00:00:00:00:03"           # inner next hop of decrypted packets
CLIENT_MAC = "02:00:00:00:00:01"        # source MAC of the plaintext frames
WAN_ADDR, PEER_ADDR = "192.0.2.1", "192.0.2.2"
LAN_ADDR, LAN_GW = "198.51.100.1", "198.51.100.2"
PROTECTED_NET = "203.0.113.0/24"        # behind hagw (trusted side)
CLIENT_NET = "10.9.0.0/16"              # behind the peer
INNER_SRCS = ["203.0.113.%d" % (2 + i) for i in range(8)]
INNER_DSTS = ["10.9.0.%d" % (1 + i) for i in range(16)]
IN_INNER_SRC, IN_INNER_DST = "10.9.0.1", "203.0.113.16"   # esp_gen: 16 dsts from here
SPI_OUT, SPI_IN = 0x1001, 0x1002
REPLAY_WINDOW = 64
GCM = "aes-gcm-128"
CBC = "aes-cbc-128-hmac-sha256"
CHACHA = "chacha20-poly1305"
KEYS = {                                # test keys, never used elsewhere
    GCM: "0x0112233445566778899aabbccddeef00cafebabe",               # 16 + salt 4
    CBC: "0x00112233445566778899aabbccddeeff",                       # 16
    CHACHA: "0x" + "42" * 32 + "cafebabe",                            # 32 + salt 4
}
CBC_AUTH_KEY = "0x" + "a5" * 32
ALG_TAG = {GCM: "gcm", CBC: "cbc", CHACHA: "chacha"}
OTHER_ALG_SIZES = ("64", "1420")        # CBC and ChaCha rows
WAN_MTU = 1600                          # room for a 1500 B inner packet + ESP (see README)

# ---- frames ----
FRAMES_IN_PCAP = 64
IMIX = [64, 570, 64, 64, 570, 64, 1420, 64, 570, 64, 64, 570]      # 7:4:1
IMIX_REPEAT = 6                          # 72 frames in the pcap
ETH_LEN = 14
ESP_OVERHEAD = 20 + 8 + 8 + 16           # outer IPv4, ESP header, GCM IV, ICV
ESP_TRAILER = 2
PCAP_REC_HDR = 16

# ---- runs ----
IMB_WARMUP_S = 0.2
INBOUND_WARMUP_S = 0.1
INBOUND_MIN_WINDOW_S = 0.03
INBOUND_USE = 0.7                        # share of the remaining file a round may plan for
READ_AHEAD = 4096                        # stdio buffer of libpcap's FILE
INFLIGHT_ALLOWANCE = 8192                # secgw: in its crypto queue + counter read skew
BURST_SLACK = 64                         # hagw: counters of one burst, not yet all updated
PROFILE_TOP = 25
TARGETS = ("\nIssue 3's targets (outbound AES-GCM-128): at 1420 B, IPsec-MB / (hagw − io) ≥ 75 % "
           "and secgw / hagw ≥ 1.3x; at 64 B, secgw / hagw ≥ 1.5x\n(I/O subtracted: the "
           "last column).")
SECGW_SRC = "/usr/share/dpdk/examples"
SECGW_PATCH_ANCHOR = "\t/* Check that all required capabilities are supported */\n"
SECGW_PATCH = ("\t/* hagw bench: the virtual devices offer no RX checksum offload */\n"
               "\tlocal_port_conf.rxmode.offloads &= dev_info.rx_offload_capa;\n\n")


def inner_sizes(size):
    return IMIX * IMIX_REPEAT if size == "imix" else [int(size)] * FRAMES_IN_PCAP


def esp_frame_len(inner):
    """Outer Ethernet frame of an AEAD tunnel-mode packet (no FCS)."""
    return ETH_LEN + ESP_OVERHEAD + (inner + ESP_TRAILER + 3) // 4 * 4


def size_label(size):
    if size == "imix":
        return "IMIX"
    return f"{size} B"


def plain_frames(size):
    """Plaintext frames whose IP packets (IPv4/UDP) have the inner sizes of size."""
    frames = []
    for i, n in enumerate(inner_sizes(size)):
        ip = IP(src=INNER_SRCS[i % len(INNER_SRCS)], dst=INNER_DSTS[i % len(INNER_DSTS)],
                ttl=64) / UDP(sport=1024 + i, dport=9)
        frames.append(Ether(dst=PCAP_MAC, src=CLIENT_MAC) / ip / Raw(b"\0" * (n - len(ip))))
    return frames


# ---- hagw ----

def hagw_config(prefix, sock, alg, lan_dev, wan_dev):
    auth = f' auth_key = "{CBC_AUTH_KEY}";' if alg == CBC else ""
    return f"""# esp_bench.py: one lcore, static SAs, PROTECT policy, static next hops
eal = {{ lcores = [ {LCORE} ]; memory_mb = 512; file_prefix = "{prefix}"; }};
dataplane = {{ mbufs = 16383; idle_backoff_us = 0; }};
ports = (
  {{ name = "lan"; device = "{lan_dev}"; role = "trusted"; ipv4 = [ "{LAN_ADDR}/24" ]; }},
  {{ name = "wan"; device = "{wan_dev}"; role = "untrusted"; mtu = {WAN_MTU};
     ipv4 = [ "{WAN_ADDR}/24" ]; }}
);
routes = ( {{ prefix = "{PROTECTED_NET}"; via = "{LAN_GW}"; port = "lan"; }} );
neighbors = (
  {{ port = "wan"; address = "{PEER_ADDR}"; mac = "{PEER_MAC}"; }},
  {{ port = "lan"; address = "{LAN_GW}"; mac = "{LAN_MAC}"; }}
);
ipsec = {{ default_policy = "bypass"; }};
sas = (
  {{ name = "bench-out"; spi = {SPI_OUT:#x}; direction = "out"; algorithm = "{alg}";
     key = "{KEYS[alg]}";{auth} local = "{WAN_ADDR}"; remote = "{PEER_ADDR}"; }},
  {{ name = "bench-in"; spi = {SPI_IN:#x}; direction = "in"; algorithm = "{alg}";
     key = "{KEYS[alg]}";{auth} local = "{WAN_ADDR}"; remote = "{PEER_ADDR}";
     replay_window = {REPLAY_WINDOW}; }}
);
policies = (
  {{ priority = 100; action = "protect"; sa = "bench-out";
     local = "{PROTECTED_NET}"; remote = "{CLIENT_NET}"; }}
);
cli = {{ socket = "{sock}"; }};
log = {{ level = "warning"; }};
"""


def port_counters(stats, rx_port, tx_port):
    p_rx, p_tx = stats["ports"][rx_port], stats["ports"][tx_port]
    return {
        "packets": p_tx["tx_packets"],
        "rx": p_rx["rx_packets"],
        "forwarded": p_rx["forwarded"],
        "lost": sum(p["dropped"] + p["punted"] for p in stats["ports"]),
    }


def hagw_check(d):
    if d["lost"] or d["rx"] != d["forwarded"] or abs(d["rx"] - d["packets"]) > BURST_SLACK:
        raise RuntimeError(f"hagw did not encrypt/decrypt and send every frame: {d}")


def start_hagw(args, tmp, tag, alg, direction, pcap):
    """hagw with the pcap on the trusted (out) or untrusted (in) port; for
    "verify", pcap is the pair (lan device, wan device)."""
    name = f"hagw-{direction}-{alg}"
    prefix = f"hagwesp{tag}{direction}{ALG_TAG[alg]}"
    if direction == "out":
        lan, wan = f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "net_null0,no-rx=1"
        rx_port, tx_port, pcap_port = 0, 1, 0
    elif direction == "verify":
        (lan, wan), rx_port, tx_port, pcap_port = pcap, 0, 1, 0
    else:
        lan, wan = "net_null0,no-rx=1", f"net_pcap0,rx_pcap={pcap}"
        rx_port, tx_port, pcap_port = 1, 0, 1
    h = Hagw(args.build, tmp, name,
             lambda sock: hagw_config(prefix, sock, alg, lan, wan),
             lambda stats: port_counters(stats, rx_port, tx_port), hagw_check, pcap_port)
    h.prefix = prefix
    h.sa_name = "bench-in" if direction == "in" else "bench-out"
    h.tx_port = tx_port
    return h


def hagw_sa_check(h):
    """Every packet hagw sent went through its SA, and the SA dropped nothing (hagw
    runs during the CLI calls: the SA count must lie between the port's before and
    after)."""
    h.resume()
    try:
        before = h.ctl("show", "stats")["ports"][h.tx_port]["tx_packets"]
        sa = h.ctl("show", "sa", h.sa_name)
        after = h.ctl("show", "stats")["ports"][h.tx_port]["tx_packets"]
    finally:
        h.pause()
    sa = sa[0] if isinstance(sa, list) else sa
    if sa["dropped"] or not before - BURST_SLACK <= sa["packets"] <= after + BURST_SLACK:
        raise RuntimeError(f"{h.name}: SA {h.sa_name} counted {sa['packets']} packets "
                           f"({sa['dropped']} dropped), the port sent {before}..{after}")
    return sa["packets"]


# ---- a check that hagw's output is ESP a peer decrypts ----

def esp_open(alg, esp):
    """Decrypts one ESP packet (bytes from the SPI on) of the outbound SA with
    python3-cryptography, which shares no code with hagw or IPsec-MB; returns
    the plaintext with its trailer, or raises (ICV mismatch)."""
    key = bytes.fromhex(KEYS[alg][2:])
    if alg == GCM:
        return AESGCM(key[:16]).decrypt(key[16:] + esp[8:16], esp[16:], esp[:8])
    if alg == CHACHA:
        return ChaCha20Poly1305(key[:32]).decrypt(key[32:] + esp[8:16], esp[16:], esp[:8])
    mac = hmac.HMAC(bytes.fromhex(CBC_AUTH_KEY[2:]), hashes.SHA256())
    mac.update(esp[:-16])
    if mac.finalize()[:16] != esp[-16:]:
        raise ValueError("HMAC-SHA-256-128 ICV mismatch")
    dec = Cipher(algorithms.AES(key), modes.CBC(esp[8:24])).decryptor()
    return dec.update(esp[24:-16]) + dec.finalize()


def verify_outbound(args, tmp):
    """hagw encrypts the IMIX frames once for each algorithm (lan: the plaintext
    pcap read once, wan: net_pcap writing a pcap); every frame must decrypt to
    the plaintext packet with its TTL decremented, in sequence 1, 2, ..."""
    plain = plain_frames("imix")
    pcap = os.path.join(tmp, "verify-plain.pcap")
    wrpcap(pcap, plain)
    tsc = None
    for alg in (GCM, CBC, CHACHA):
        out = os.path.join(tmp, f"verify-{ALG_TAG[alg]}.pcap")
        h = start_hagw(args, tmp, f"{os.getpid()}v", alg, "verify",
                       (f"net_pcap0,rx_pcap={pcap}", f"net_pcap1,tx_pcap={out}"))
        tsc = h.version["tsc_hz"]
        try:
            h.resume()
            end = time.monotonic() + 10
            while h.ctl("show", "stats")["ports"][1]["tx_packets"] < len(plain):
                if time.monotonic() > end:
                    raise RuntimeError(f"hagw ({alg}) did not send the {len(plain)} frames")
                time.sleep(0.05)
        finally:
            h.stop()
            remove_runtime_dir(h.prefix)
        frames = list(PcapReader(out))
        if len(frames) != len(plain):
            raise RuntimeError(f"hagw ({alg}) wrote {len(frames)} frames, not {len(plain)}")
        for i, (f, p) in enumerate(zip(frames, plain)):
            outer, esp = f[IP], bytes(f[IP].payload)
            pt = esp_open(alg, esp)
            inner = IP(pt[:-2 - pt[-2]])
            want = p[IP].copy()
            want.ttl -= 1
            del want.chksum
            if outer.src != WAN_ADDR or outer.dst != PEER_ADDR or outer.proto != 50 or \
                    int.from_bytes(esp[:4], "big") != SPI_OUT or \
                    int.from_bytes(esp[4:8], "big") != i + 1 or pt[-1] != 4 or \
                    bytes(inner) != bytes(IP(bytes(want))):
                raise RuntimeError(f"hagw ({alg}): frame {i} is not the ESP of plaintext {i}")
        print(f"checked: hagw's {alg} output of {len(plain)} frames decrypts "
              f"(python3-cryptography) to the plaintext", file=sys.stderr)
    return tsc


# ---- ipsec-secgw ----

def secgw_build(build):
    """Builds a patched copy of Debian's ipsec-secgw 22.11 source once per build dir."""
    src = os.path.join(SECGW_SRC, "ipsec-secgw")
    if not os.path.isdir(src):
        raise RuntimeError(f"{src} missing: install Debian's dpdk-doc package")
    work = os.path.join(build, "bench", "ipsec-secgw-src")
    app = os.path.join(work, "ipsec-secgw", "build", "ipsec-secgw")
    with open(os.path.join(src, "ipsec-secgw.c")) as f:
        code = f.read()
    if code.count(SECGW_PATCH_ANCHOR) != 1:
        raise RuntimeError("ipsec-secgw.c changed: the RX offload patch does not apply")
    code = code.replace(SECGW_PATCH_ANCHOR, SECGW_PATCH + SECGW_PATCH_ANCHOR)
    stamp = hashlib.sha256(code.encode()).hexdigest()
    stamp_file = os.path.join(work, "stamp")
    if os.path.exists(app) and os.path.exists(stamp_file) and \
            open(stamp_file).read() == stamp:
        return app
    print("building ipsec-secgw (once per build directory) ...", file=sys.stderr, flush=True)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    shutil.copytree(src, os.path.join(work, "ipsec-secgw"))
    shutil.copytree(os.path.join(SECGW_SRC, "common"), os.path.join(work, "common"))
    with open(os.path.join(work, "ipsec-secgw", "ipsec-secgw.c"), "w") as f:
        f.write(code)
    make = subprocess.run(["make", "-C", os.path.join(work, "ipsec-secgw")],
                          capture_output=True, text=True)
    if make.returncode != 0:
        raise RuntimeError(f"ipsec-secgw build failed:\n{make.stdout[-2000:]}{make.stderr}")
    with open(stamp_file, "w") as f:
        f.write(stamp)
    return app


def secgw_config(path, prot_port, unprot_port):
    key = ":".join(KEYS[GCM][2 + i:4 + i] for i in range(0, 40, 2))
    text = f"""# esp_bench.py: one SA per direction, AES-GCM-128, tunnel, static routes
sp ipv4 out esp protect {SPI_OUT} pri 1 dst {CLIENT_NET} sport 0:65535 dport 0:65535
sp ipv4 in esp protect {SPI_IN} pri 1 dst {PROTECTED_NET} sport 0:65535 dport 0:65535
sa out {SPI_OUT} aead_algo aes-128-gcm aead_key {key} mode ipv4-tunnel src {WAN_ADDR} dst {PEER_ADDR}
sa in {SPI_IN} aead_algo aes-128-gcm aead_key {key} mode ipv4-tunnel src {PEER_ADDR} dst {WAN_ADDR}
rt ipv4 dst 192.0.2.0/24 port {unprot_port}
rt ipv4 dst {PROTECTED_NET} port {prot_port}
neigh port {unprot_port} {PEER_MAC}
neigh port {prot_port} {LAN_MAC}
"""
    with open(path, "w") as f:
        f.write(text)


class Secgw(PausedProcess):
    """ipsec-secgw on lcore 1 (main lcore: TID = PID); port 0 is the pcap, port 1 null.

    Outbound: port 0 protected; inbound: port 0 unprotected. Counters from
    its telemetry socket: ethdev stats of both ports and the cryptodev's.
    """

    def __init__(self, app, tmp, tag, direction, pcap):
        self.name = f"ipsec-secgw-{direction}"
        self.prefix = f"hagwespsg{tag}{direction}"
        self.direction = direction
        cfg = os.path.join(tmp, f"secgw-{direction}.cfg")
        if direction == "out":
            rx = f"net_pcap0,rx_pcap={pcap},infinite_rx=1"
            secgw_config(cfg, 0, 1)
            unprot = "0x2"
        else:
            rx = f"net_pcap0,rx_pcap={pcap}"
            secgw_config(cfg, 1, 0)
            unprot = "0x1"
        cmd = [app, "-l", str(LCORE), "--no-huge", "-m", "512", "--no-pci",
               "--file-prefix", self.prefix, "--vdev", rx, "--vdev", "net_null0,no-rx=1",
               "--vdev", "crypto_aesni_mb0", "--", "-p", "0x3", "-P", "-u", unprot,
               "-l", "-w", str(REPLAY_WINDOW), "--mtu", str(WAN_MTU),
               "--config", f"({0},0,{LCORE}),({1},0,{LCORE})", "-f", cfg]
        super().__init__(cmd, os.path.join(tmp, f"{self.name}.log"))
        self.skews = []
        self.tel = Telemetry(self.prefix, self.exited)
        self._wait_running()
        self.pause()
        check_pinned(self.name, self.pid, self.pid)

    def _wait_running(self):
        """Until packets leave: the main loop runs (set-up is not measured)."""
        end = time.monotonic() + 30
        while time.monotonic() < end:
            self.exited()
            try:
                if self.tel.query("/ethdev/stats,1")["opackets"] > 0:
                    return
            except (KeyError, TypeError, OSError, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} sends nothing; see {self.log.name}")

    def sample(self):
        a = schedstat_ns(self.pid, self.pid)
        rx = self.tel.query("/ethdev/stats,0")
        tx = self.tel.query("/ethdev/stats,1")
        cd = self.tel.query("/cryptodev/stats,0")
        rx_after = self.tel.query("/ethdev/stats,0")
        b = schedstat_ns(self.pid, self.pid)
        # The counters are read one query after the other while it runs: on a
        # loaded machine thousands of frames pass between the first and the
        # last query. What passed during this sample widens the allowance.
        self.skews.append(rx_after["ipackets"] - rx["ipackets"])
        return (a + b) // 2, {
            "packets": tx["opackets"], "rx": rx["ipackets"],
            "crypto": cd["dequeued_count"],
            "errors": rx["imissed"] + rx["ierrors"] + rx["rx_nombuf"] + tx["oerrors"] +
            cd["enqueue_err_count"] + cd["dequeue_err_count"],
        }

    def check(self, d):
        slack = INFLIGHT_ALLOWANCE + sum(self.skews[-2:])     # the samples of the window
        if d["errors"] or abs(d["rx"] - d["packets"]) > slack or \
                abs(d["crypto"] - d["packets"]) > slack:
            raise RuntimeError(f"{self.name} lost frames: {d} (allowance {slack})")

    def stop(self):
        if self.paused:
            self.resume()
        self.tel.close()
        super().stop()


# ---- imb_ref ----

class ImbRef:
    """One imb_ref process per round (warm-up, then a window) on lcore 1's CPU."""

    def __init__(self, build, alg, api, direction, size):
        self.name = f"imb_ref {alg} {api} {direction}"
        self.cmd = [os.path.join(build, "bench", "imb_ref"), "--alg", alg, "--api", api,
                    "--dir", direction, "--size", str(size), "--cpu", str(LCORE),
                    "--warmup", str(IMB_WARMUP_S)]
        self.arch = None

    def round(self, seconds):
        out = subprocess.run(self.cmd + ["--seconds", str(seconds)], capture_output=True,
                             text=True, timeout=seconds + 30)
        if out.returncode != 0:
            raise RuntimeError(f"{self.name}: {out.stderr.strip()}")
        r = json.loads(out.stdout)
        self.arch = r["arch"]
        return r["cpu_ns"], r["packets"]

    def stop(self):
        pass


# ---- inbound: a finite file of unique sequence numbers ----

def esp_pcap(build, path, size, count):
    subprocess.run([os.path.join(build, "bench", "esp_gen"), "--out", path,
                    "--count", str(count), "--size", str(size), "--spi", hex(SPI_IN),
                    "--key", KEYS[GCM], "--dst-mac", PCAP_MAC, "--src-mac", PEER_MAC,
                    "--outer-src", PEER_ADDR, "--outer-dst", WAN_ADDR,
                    "--inner-src", IN_INNER_SRC, "--inner-dst", IN_INNER_DST], check=True)
    check_esp_pcap(path, size)


def check_esp_pcap(path, size, frames=3):
    """Decrypts the first frames with python3-cryptography (shares nothing with
    esp_gen or hagw): right SPI, sequence numbers 1.., inner packet of size bytes."""
    key = bytes.fromhex(KEYS[GCM][2:])
    with PcapReader(path) as r:
        for i, p in zip(range(frames), r):
            esp = bytes(p[IP].payload)
            spi, seq = int.from_bytes(esp[:4], "big"), int.from_bytes(esp[4:8], "big")
            pt = AESGCM(key[:16]).decrypt(key[16:] + esp[8:16], esp[16:], esp[:8])
            inner = IP(pt[:size])
            if spi != SPI_IN or seq != i + 1 or pt[-1] != 4 or inner.len != size or \
                    inner.dst != "203.0.113.%d" % (16 + i):
                raise RuntimeError(f"esp_gen wrote a wrong frame {i} in {path}")


class FileFed:
    """Rounds of a subject reading a finite pcap file (all records of one length).

    Windows are bounded by stops (SIGSTOP): at a stop the working thread's
    schedstat is exact, and the packets it read are the growth of the file
    offset of its pcap descriptor (/proc/PID/fdinfo) divided by the record
    length, up to stdio's read-ahead (< 4 KiB) and one burst in flight. No
    CLI call falls in a window. A round resumes the subject for a warm-up,
    stops it, sizes its window from the rate of the warm-up so that the
    file lasts for the remaining rounds, and resumes it for that window.
    Losses are checked on the cumulative counters after the rounds.
    """

    def __init__(self, subject, path, record_len, rounds):
        self.subject = subject
        self.name = subject.name
        self.tid = getattr(subject, "tid", subject.pid)
        self.record_len = record_len
        self.size = os.path.getsize(path)
        self.fd = fd_of(subject.pid, path)
        self.rounds_left = rounds
        self.windows = []

    def _stop(self):
        self.subject.pause()
        wait_stopped(self.subject.pid, self.tid)
        return schedstat_ns(self.subject.pid, self.tid), fd_pos(self.subject.pid, self.fd)

    def _run(self, seconds):
        self.subject.resume()
        time.sleep(seconds)
        return self._stop()

    def round(self, seconds):
        ns0, pos0 = self._stop()
        ns1, pos1 = self._run(INBOUND_WARMUP_S)
        rate = (pos1 - pos0) / self.record_len / max(ns1 - ns0, 1) * 1e9
        left = (self.size - pos1) / self.record_len
        w = min(seconds, left * INBOUND_USE / self.rounds_left / max(rate, 1.0))
        if w < INBOUND_MIN_WINDOW_S:
            raise RuntimeError(f"{self.name}: the inbound pcap is too small for the rounds "
                               f"(raise --inbound-mb)")
        ns2, pos2 = self._run(w)
        self.rounds_left -= 1
        if pos2 >= self.size - READ_AHEAD:
            raise RuntimeError(f"{self.name} read the whole inbound pcap within a window")
        self.windows.append(w)
        return ns2 - ns1, (pos2 - pos1) / self.record_len

    def stop(self):
        self.subject.stop()


# ---- one size ----

class Row:
    def __init__(self, key, label, subject, stats):
        self.key, self.label, self.subject, self.stats = key, label, subject, stats


def run_rounds(args, rows):
    for _ in range(args.rounds):
        for r in rows:
            r.stats.add(*r.subject.round(args.seconds))


def stop_all(rows, prefixes):
    for r in rows:
        try:
            r.subject.stop()
        except Exception as e:  # keep stopping the others
            print(f"stopping {r.label}: {e}", file=sys.stderr)
    for p in prefixes:
        remove_runtime_dir(p)


def outbound_size(args, ctx, size, tmp, tag):
    pcap = os.path.join(tmp, f"plain-{size}.pcap")
    wrpcap(pcap, plain_frames(size))
    algs = [GCM] + ([CBC, CHACHA] if size in OTHER_ALG_SIZES else [])
    rows, prefixes = [], []
    try:
        for alg in algs:
            h = start_hagw(args, tmp, tag, alg, "out", pcap)
            prefixes.append(h.prefix)
            ctx.tsc = ctx.tsc or h.version["tsc_hz"]
            rows.append(Row(("hagw", alg), f"hagw out {alg}", h, Stats(ctx.tsc)))
        if ctx.secgw:
            sg = Secgw(ctx.secgw, tmp, tag, "out", pcap)
            prefixes.append(sg.prefix)
            rows.append(Row(("secgw", GCM), f"ipsec-secgw out {GCM}", sg, Stats(ctx.tsc)))
        prefixes.append(f"hagwesptp{tag}")
        tp = Testpmd(pcap, prefixes[-1], tmp)
        rows.append(Row(("io",), "testpmd io (PMD floor)", tp, Stats(ctx.tsc)))
        for alg in algs:
            for api in ("burst", "direct") if alg != CBC else ("burst",):
                rows.append(Row(("imb", alg, api), f"IPsec-MB {alg} {api} API",
                                ImbRef(args.build, alg, api, "enc", size), Stats(ctx.tsc)))
        run_rounds(args, rows)
        for r in rows:
            if r.key[0] == "hagw":
                hagw_sa_check(r.subject)
        if args.profile and size == args.sizes[0]:
            ctx.profiles.append((f"hagw out {GCM} {size_label(size)}",
                                 perf_profile(rows[0].subject, args.seconds,
                                              os.path.join(args.profile_dir,
                                                           f"hagw-esp-out-{size}.perf.data"),
                                              "hagw,libc.so.6", PROFILE_TOP)))
    finally:
        stop_all(rows, prefixes)
    return rows


def inbound_count(size, mb):
    return int(mb * 1024 * 1024 // (esp_frame_len(size) + PCAP_REC_HDR))


def inbound_final_check(sub):
    """Cumulative counters after the rounds: every frame read was decrypted and sent."""
    sub.resume()
    try:
        if isinstance(sub, Testpmd):
            dropped = sub.stop_fwd()
            _, c = sub.sample()
            if dropped or abs(c["rx"] - c["tx"]) > BURST_SLACK:
                raise RuntimeError(f"{sub.name} dropped frames: {dropped}, {c}")
            return
        _, c = sub.sample()
    finally:
        sub.pause()
    sub.check(c)
    if isinstance(sub, Hagw):
        hagw_sa_check(sub)


def inbound_size(args, ctx, size, tmp, tag):
    shm = tempfile.mkdtemp(prefix="hagwesp", dir="/dev/shm")
    pcap = os.path.join(shm, f"esp-{size}.pcap")
    total = inbound_count(int(size), args.inbound_mb)
    record = esp_frame_len(int(size)) + PCAP_REC_HDR
    rows, prefixes = [], []
    try:
        esp_pcap(args.build, pcap, int(size), total)
        h = start_hagw(args, tmp, tag, GCM, "in", pcap)
        prefixes.append(h.prefix)
        ctx.tsc = ctx.tsc or h.version["tsc_hz"]
        rows.append(Row(("hagw", GCM), f"hagw in {GCM}", FileFed(h, pcap, record, args.rounds),
                        Stats(ctx.tsc)))
        if ctx.secgw:
            sg = Secgw(ctx.secgw, tmp, tag, "in", pcap)
            prefixes.append(sg.prefix)
            rows.append(Row(("secgw", GCM), f"ipsec-secgw in {GCM}",
                            FileFed(sg, pcap, record, args.rounds), Stats(ctx.tsc)))
        prefixes.append(f"hagwesptpi{tag}")
        tp = Testpmd(pcap, prefixes[-1], tmp, infinite=False, name="testpmd-in")
        tp.start_fwd()
        tp.pause()
        rows.append(Row(("io",), "testpmd io, same file (PMD floor)",
                        FileFed(tp, pcap, record, args.rounds), Stats(ctx.tsc)))
        for api in ("burst", "direct"):
            rows.append(Row(("imb", GCM, api), f"IPsec-MB {GCM} {api} API, decrypt",
                            ImbRef(args.build, GCM, api, "dec", size), Stats(ctx.tsc)))
        run_rounds(args, rows)
        for r in rows:
            if isinstance(r.subject, FileFed):
                inbound_final_check(r.subject.subject)
        ctx.inbound_windows[size] = {r.label: r.subject.windows for r in rows
                                     if isinstance(r.subject, FileFed)}
        ctx.inbound_total[size] = total
    finally:
        stop_all(rows, prefixes)
        shutil.rmtree(shm, ignore_errors=True)
    return rows


# ---- tables ----

def med(rows, key):
    r = next((r for r in rows if r.key == key), None)
    return r.stats.median() if r is not None else None


def low(rows, key):
    r = next((r for r in rows if r.key == key), None)
    return r.stats.min() if r is not None else None


def best_raw(rows, alg):
    vals = [low(rows, ("imb", alg, api)) for api in ("burst", "direct")]
    vals = [v for v in vals if v is not None]
    return min(vals) if vals else None


def fmt(v, spec="{:.0f}"):
    return "-" if v is None else spec.format(v)


def detail_table(title, results, frame_of):
    print(f"\n{title}\n")
    print("| inner IP (frame) | what | cycles/pkt min | median | Mpps/core | median − io |")
    print("|---|---|---:|---:|---:|---:|")
    for size, rows in results:
        io = med(rows, ("io",))
        for i, r in enumerate(rows):
            first = f"{size_label(size)} ({frame_of(size)})" if i == 0 else ""
            diff = "" if r.key == ("io",) or r.key[0] == "imb" else \
                f"{r.stats.median() - io:+.0f}"
            print(f"| {first} | {r.label} | {r.stats.min():.0f} | {r.stats.median():.0f} | "
                  f"{r.stats.mpps():.2f} | {diff} |")


def summary_table(title, results, alg=GCM, with_secgw=True):
    """Derived figures from the minima over the rounds (interference on this
    shared machine only ever adds cycles: the minimum is the least disturbed)."""
    print(f"\n{title}\n")
    head = "| inner IP | hagw | testpmd io | hagw − io | IPsec-MB best | IPsec-MB / (hagw − io) " \
           "| rest = hagw − io − IPsec-MB |"
    line = "|---|---:|---:|---:|---:|---:|---:|"
    if with_secgw:
        head += " ipsec-secgw | secgw − io | secgw / hagw | (secgw − io) / (hagw − io) |"
        line += "---:|---:|---:|---:|"
    print(head)
    print(line)
    for size, rows in results:
        h, io, raw = low(rows, ("hagw", alg)), low(rows, ("io",)), best_raw(rows, alg)
        if h is None:
            continue
        hx = h - io
        cells = [size_label(size), fmt(h), fmt(io), fmt(hx), fmt(raw),
                 fmt(100 * raw / hx if raw and hx > 0 else None, "{:.0f} %"),
                 fmt(hx - raw if raw else None, "{:+.0f}")]
        if with_secgw:
            s = low(rows, ("secgw", GCM))
            cells += [fmt(s), fmt(s - io if s else None),
                      fmt(s / h if s else None, "{:.2f}x"),
                      fmt((s - io) / hx if s and hx > 0 else None, "{:.2f}x")]
        print("| " + " | ".join(cells) + " |")


def out_frame(size):
    if size == "imix":
        return "mix"
    n = int(size)
    return f"{n + ETH_LEN + FCS_LEN} B → {esp_frame_len(n) + FCS_LEN} B"


def in_frame(size):
    n = int(size)
    return f"{esp_frame_len(n) + FCS_LEN} B → {n + ETH_LEN + FCS_LEN} B"


def print_report(args, ctx, out, inb, buildtype, elapsed):
    print(f"\nESP cost on one core (lcore {LCORE}), tunnel mode, IPv4 in IPv4, burst 32; "
          f"build {os.path.basename(args.build)} ({buildtype}); TSC {ctx.tsc / 1e9:.2f} GHz; "
          f"IPsec-MB {ctx.arch}; {args.rounds} interleaved rounds x {args.seconds:g} s; "
          f"{elapsed:.0f} s in all.")
    print("cycles/pkt = on-CPU time of the working thread x TSC / packets (min and median "
          "over rounds); Mpps per core at the median.")
    if out:
        detail_table("Outbound (encrypt): net_pcap0 infinite_rx (plaintext) → ESP → net_null0. "
                     "Frames with FCS: plaintext → ESP.", out, out_frame)
        summary_table(f"Outbound {GCM}, minima (cycles/pkt):", out)
        print(TARGETS)
        others = [(s, rows) for s, rows in out if med(rows, ("hagw", CBC)) is not None]
        for alg in (CBC, CHACHA):
            if others:
                summary_table(f"Outbound {alg}, minima (cycles/pkt):", others, alg, False)
    if inb:
        detail_table("Inbound (decrypt): net_pcap0 reading a file of unique ESP frames "
                     "(no infinite_rx) → net_null0. Frames with FCS: ESP → plaintext.",
                     inb, in_frame)
        summary_table(f"Inbound {GCM}, minima (cycles/pkt):", inb)
        for size, windows in ctx.inbound_windows.items():
            w = ", ".join(f"{k}: {min(v):.2f}-{max(v):.2f} s" for k, v in windows.items())
            print(f"\ninbound {size_label(size)}: {ctx.inbound_total[size]} frames in the file; "
                  f"windows {w}")
    for title, prof in ctx.profiles:
        print(f"\nperf record -e cpu-clock of {title}, {args.seconds:g} s:\n{prof}")


# ---- main ----

class Context:
    def __init__(self):
        self.tsc = None
        self.secgw = None
        self.arch = "?"
        self.profiles = []
        self.inbound_windows = {}
        self.inbound_total = {}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="meson build directory (default: build)")
    ap.add_argument("--seconds", type=float, default=1.0, help="length of one window")
    ap.add_argument("--rounds", type=int, default=3, help="windows per subject and size")
    ap.add_argument("--sizes", default="64,512,1420,1500,imix",
                    help="inner IP sizes of the outbound rows (or imix), comma-separated")
    ap.add_argument("--inbound-sizes", default="64,512,1420",
                    help="inner IP sizes of the inbound rows ('' for none)")
    ap.add_argument("--inbound-mb", type=int, default=2048,
                    help="size of each inbound pcap in /dev/shm (MiB)")
    ap.add_argument("--no-secgw", action="store_true", help="leave ipsec-secgw out")
    ap.add_argument("--profile", action="store_true",
                    help="also perf-record hagw outbound at the first size")
    ap.add_argument("--profile-dir", default=".", help="where the perf data goes")
    args = ap.parse_args()
    args.sizes = [s for s in args.sizes.split(",") if s]
    args.inbound_sizes = [s for s in args.inbound_sizes.split(",") if s]
    for s in args.sizes + args.inbound_sizes:
        if s != "imix" and not 28 <= int(s) <= 1500:
            ap.error(f"size {s}: an IPv4/UDP packet of 28..1500 bytes, or imix")
    if "imix" in args.inbound_sizes:
        ap.error("imix is for the outbound rows only")
    args.build = os.path.abspath(args.build)
    return args


def main():
    args = parse_args()
    buildtype, sanitize = read_build_type(args.build)
    if sanitize not in ("none", "unknown"):
        sys.exit(f"{args.build} is built with -Db_sanitize={sanitize}: not a build to measure")
    for exe in ("control/hagw", "tools/hagwctl", "bench/imb_ref", "bench/esp_gen"):
        if not os.access(os.path.join(args.build, exe), os.X_OK):
            sys.exit(f"{args.build}/{exe} missing: ninja -C {args.build} bench-esp builds it")
    ctx = Context()
    if not args.no_secgw:
        ctx.secgw = secgw_build(args.build)
    started = time.monotonic()
    out, inb = [], []
    with tempfile.TemporaryDirectory(prefix="hagwespbench") as tmp:
        ctx.tsc = verify_outbound(args, tmp)
        for size in args.sizes:
            print(f"outbound {size_label(size)} ...", file=sys.stderr, flush=True)
            tag = f"{os.getpid()}o{size}"
            out.append((size, outbound_size(args, ctx, size, tmp, tag)))
        for size in args.inbound_sizes:
            print(f"inbound {size_label(size)} ...", file=sys.stderr, flush=True)
            tag = f"{os.getpid()}i{size}"
            inb.append((size, inbound_size(args, ctx, size, tmp, tag)))
    for _, rows in out + inb:
        for r in rows:
            if isinstance(r.subject, ImbRef) and r.subject.arch:
                ctx.arch = r.subject.arch
    print_report(args, ctx, out, inb, buildtype, time.monotonic() - started)


if __name__ == "__main__":
    main()
