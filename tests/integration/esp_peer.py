#!/usr/bin/python3
"""The independent ESP peer of hagw's interop test (tests/integration/test_esp_interop.sh).

Run with Debian's /usr/bin/python3 (python3-scapy, python3-cryptography).

The matrix: every algorithm x {tunnel 4in4, 6in6, 4in6, 6in4, transport 4, 6} x {ESP,
UDP-encapsulated (RFC 3948)} x {ESN off, on}: 120 combinations, each with its own SA pair
(SPI 0x10000+i towards hagw, 0x20000+i back), keys, and addresses, all in ONE hagw:
  tunnel     the peer is 192.0.2.20 / 2001:db8:1::20 outside; its inner address
             10.9.0.(i+1) / 2001:db8:9::(i+1) is mapped to the SA back by a remote-access
             client policy (IPv4, hagw's LPM) or a selector policy (IPv6, rte_acl); it pings
             the lan host 198.51.100.2 / 2001:db8:2::2, which answers through hagw.
  transport  the peer is 192.0.2.(100+t) / 2001:db8:1::1:t (one address per combination, a
             selector policy 192.0.2.1 -> that address protects hagw's own replies) and pings
             hagw itself, 192.0.2.1 / 2001:db8:1::1.
The peer's outer addresses are not configured on the client namespace's kernel (forwarding
off there), so the kernel drops what hagw sends to them silently: the wire carries only what
this script sends and what hagw answers; hagw reaches them through static neighbours.

Per combination: ICMP echo requests with ESP sequence numbers 1 and 2, and with ESN also
0x80000000, 2^32-2, 2^32-1, 2^32, 2^32+1 (across the 32-bit wrap; RFC 4303 Appendix A2.2
lets the receiver follow it in steps of less than 2^31). Each request is built twice, by
scapy's SecurityAssociation and by esp_kat.py (cryptography primitives), and the two must be
equal byte for byte (except where scapy 2.5 is known to be wrong: HMAC with ESN; the NAT-T UDP
length and the IPv6 UDP checksum it writes are fixed up). What is sent is the scapy packet,
except HMAC+ESN where it is esp_kat's. hagw's replies are decrypted by scapy and esp_kat and
must equal, byte for byte, the packet esp_kat builds from the lan host's reply (TTL-1) or, in
transport mode, from the echo reply hagw owes, with the IV and the IPv4 ID taken from the wire.

Negative cases (exact counter deltas, per-SA drops, no reply): replay, a flipped ICV bit (then
the same sequence number intact: accepted), one sequence number twice in a burst, HMAC without
the ESN high half, an unknown SPI, NAT keepalives over IPv4/IPv6, ESP too short for its ICV,
non-default padding under a valid ICV; then the mbufs in use are back where they started.

  esp_peer.py config CLIENT_MAC LAN_MAC       the hagw config (ipsec, neighbors, sas,
                                              policies) for LAB_CONF_EXTRA
  esp_peer.py selftest                        scapy against esp_kat for every combination
  esp_peer.py run IFACE PEER_MAC HAGW_MAC HAGWCTL SOCK OUT.json
                                              in the client namespace: the clean matrix,
                                              a stats snapshot, then the negative cases
  esp_peer.py check RUN.json CLIENT.pcap LAN.pcap PEER_MAC HAGW_MAC LAN_MAC
                                              verifies the matrix (scapy, esp_kat byte for
                                              byte, the lan side, counters) and tshark's view;
                                              prints the matrix
  esp_peer.py count                           combinations and clean requests
"""
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esp_kat as kat  # noqa: E402

import logging  # noqa: E402
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, ICMP, ICMPv6EchoRequest, UDP, Raw, rdpcap  # noqa: E402
from scapy.layers.ipsec import ESP, SecurityAssociation, IPSecIntegrityError  # noqa: E402

ALGS = ["aes-gcm-128", "aes-gcm-256", "aes-cbc-128-hmac-sha256", "aes-cbc-256-hmac-sha256",
        "chacha20-poly1305"]
ALG_SHORT = {"aes-gcm-128": "gcm128", "aes-gcm-256": "gcm256",
             "aes-cbc-128-hmac-sha256": "cbc128", "aes-cbc-256-hmac-sha256": "cbc256",
             "chacha20-poly1305": "chacha"}
# (mode, inner family, outer family)
SHAPES = [("tunnel", 4, 4), ("tunnel", 6, 6), ("tunnel", 4, 6), ("tunnel", 6, 4),
          ("transport", 4, 4), ("transport", 6, 6)]
SCAPY_ALG = {"aes-gcm-128": ("AES-GCM", None), "aes-gcm-256": ("AES-GCM", None),
             "aes-cbc-128-hmac-sha256": ("AES-CBC", "SHA2-256-128"),
             "aes-cbc-256-hmac-sha256": ("AES-CBC", "SHA2-256-128"),
             "chacha20-poly1305": ("CHACHA20-POLY1305", None)}
TSHARK_ENC = {"aes-gcm-128": "AES-GCM with 16 octet ICV [RFC4106]",
              "aes-gcm-256": "AES-GCM with 16 octet ICV [RFC4106]",
              "aes-cbc-128-hmac-sha256": "AES-CBC [RFC3602]",
              "aes-cbc-256-hmac-sha256": "AES-CBC [RFC3602]"}

HAGW = {4: "192.0.2.1", 6: "2001:db8:1::1"}
PEER_TUN = {4: "192.0.2.20", 6: "2001:db8:1::20"}
LAN = {4: "198.51.100.2", 6: "2001:db8:2::2"}
SPI_IN_BASE = 0x10000       # peer -> hagw (hagw's inbound SA)
SPI_OUT_BASE = 0x20000      # hagw -> peer
UNKNOWN_SPI = 0x00dead00
CLEAN_SEQS = [1, 2]
WRAP_SEQS = [0x80000000, 0xfffffffe, 0xffffffff, 0x100000000, 0x100000001]
ICMP_ID_BASE = 0x4000
OUTER_TTL = 64
REPLY_TIMEOUT = 8.0
# Tunnel combinations reach their SA through remote-access client policies (hagw's rte_lpm /
# rte_lpm6), transport combinations through selector policies (rte_acl): both SPD paths are
# covered for both families. (Each LPM takes 64 MB: the lab runs with 512 MB of EAL memory.)
V6_CLIENT_POLICIES = True
SANITIZER = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
             "Sanitizer")


# ---- the matrix ----------------------------------------------------------------------------

def _key(tag, n):
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"hagw-interop %s %d" % (tag.encode(), i)).digest()
        i += 1
    return out[:n]


def matrix():
    combos = []
    t = 0
    for alg in ALGS:
        for mode, inner, outer in SHAPES:
            for udp in (False, True):
                for esn in (False, True):
                    i = len(combos)
                    c = dict(idx=i, alg=alg, mode=mode, inner=inner, outer=outer, udp=udp,
                             esn=esn, spi_in=SPI_IN_BASE + i, spi_out=SPI_OUT_BASE + i)
                    shape = ("t%d%d" % (inner, outer)) if mode == "tunnel" else ("x%d" % outer)
                    c["name"] = "%s.%s.%s.%s" % (ALG_SHORT[alg], shape, "udp" if udp else "esp",
                                                 "esn" if esn else "sn32")
                    c["hagw"] = HAGW[outer]
                    if mode == "tunnel":
                        c["peer"] = PEER_TUN[outer]
                        c["client"] = ("10.9.0.%d" % (i + 1)) if inner == 4 else \
                            ("2001:db8:9::%x" % (i + 1))
                        c["dst"] = LAN[inner]
                    else:
                        t += 1
                        c["peer"] = ("192.0.2.%d" % (100 + t)) if outer == 4 else \
                            ("2001:db8:1::1:%x" % t)
                        c["client"] = c["peer"]
                        c["dst"] = c["hagw"]
                    a = kat.ALGS[alg]
                    for d in ("in", "out"):
                        c["key_" + d] = _key("%d %s enc" % (i, d), a.enc_len).hex()
                        c["akey_" + d] = _key("%d %s auth" % (i, d), 32).hex() \
                            if a.kind == "cbc" else ""
                    c["seqs"] = CLEAN_SEQS + (WRAP_SEQS if esn else [])
                    c["tshark"] = alg in TSHARK_ENC and not esn
                    combos.append(c)
    return combos


def kat_sa(c, d):
    """esp_kat SA of combination c, direction d ("in": peer -> hagw, "out": hagw -> peer)."""
    src, dst = (c["peer"], c["hagw"]) if d == "in" else (c["hagw"], c["peer"])
    return kat.Sa(c["alg"], c["spi_" + d], bytes.fromhex(c["key_" + d]),
                  bytes.fromhex(c["akey_" + d]), esn=c["esn"], mode=c["mode"], src=src,
                  dst=dst, udp_encap=c["udp"])


def scapy_sa(c, d):
    src, dst = (c["peer"], c["hagw"]) if d == "in" else (c["hagw"], c["peer"])
    crypt, auth = SCAPY_ALG[c["alg"]]
    kw = {}
    if c["mode"] == "tunnel":
        kw["tunnel_header"] = IP(src=src, dst=dst) if c["outer"] == 4 else IPv6(src=src, dst=dst)
    if c["udp"]:
        kw["nat_t_header"] = UDP(sport=kat.NATT_PORT, dport=kat.NATT_PORT)
    return SecurityAssociation(ESP, spi=c["spi_" + d], crypt_algo=crypt,
                               crypt_key=bytes.fromhex(c["key_" + d]), auth_algo=auth,
                               auth_key=bytes.fromhex(c["akey_" + d]) if auth else None,
                               esn_en=c["esn"], esn=0, **kw)


def scapy_wrong(c):
    """scapy 2.5 leaves the ESN high half out of HMAC ICVs (docs/lab.md)."""
    return c["esn"] and kat.ALGS[c["alg"]].kind == "cbc"


def _prefix(a):
    return "%s/%d" % (a, 32 if kat.family(a) == 4 else 128)


def config(client_mac, lan_mac):
    combos = matrix()
    # table sizes that fit the lab's 256 MB (the default max_clients = 65536 does not: its
    # IPv6 LPM alone fails to allocate there)
    out = ['ipsec = { default_policy = "bypass"; max_sas = 512; max_policies = 128; '
           'max_clients = 256; };', "neighbors = ("]
    nb = [(PEER_TUN[4], "client", client_mac), (PEER_TUN[6], "client", client_mac),
          (LAN[4], "lan", lan_mac), (LAN[6], "lan", lan_mac)]
    nb += [(c["peer"], "client", client_mac) for c in combos if c["mode"] == "transport"]
    out.append(",\n".join('  { port = "%s"; address = "%s"; mac = "%s"; }' % (p, a, m)
                          for a, p, m in nb))
    out += [");", "sas = ("]
    sas = []
    for c in combos:
        if c["mode"] == "tunnel":
            sel = 'selectors = ( { local = "%s"; remote = "%s"; } );' % (
                _prefix(c["dst"]), _prefix(c["client"]))
        else:
            sel = 'selectors = ( { local = "%s"; remote = "%s"; } );' % (
                _prefix(c["hagw"]), _prefix(c["peer"]))
        for d in ("in", "out"):
            s = ['name = "%s.%s";' % (c["name"], d), "spi = 0x%x;" % c["spi_" + d],
                 'direction = "%s";' % d, 'mode = "%s";' % c["mode"],
                 'algorithm = "%s";' % c["alg"], 'key = "0x%s";' % c["key_" + d]]
            if c["akey_" + d]:
                s.append('auth_key = "0x%s";' % c["akey_" + d])
            s += ['local = "%s";' % c["hagw"], 'remote = "%s";' % c["peer"],
                  "udp_encap = %s;" % ("true" if c["udp"] else "false"),
                  "esn = %s;" % ("true" if c["esn"] else "false"), sel]
            sas.append("  { " + " ".join(s) + " }")
    out.append(",\n".join(sas))
    out += [");", "policies = ("]
    pol = []
    for c in combos:
        if c["mode"] == "tunnel" and (c["inner"] == 4 or V6_CLIENT_POLICIES):
            pol.append('  { client = "%s"; sa = "%s.out"; }' % (_prefix(c["client"]), c["name"]))
        else:
            local, remote = (c["dst"], c["client"]) if c["mode"] == "tunnel" else \
                (c["hagw"], c["peer"])
            pol.append('  { priority = %d; action = "protect"; sa = "%s.out"; local = "%s"; '
                       'remote = "%s"; protocol = "any"; }' % (
                           100 + c["idx"], c["name"], _prefix(local), _prefix(remote)))
    out.append(",\n".join(pol))
    out.append(");")
    return "\n".join(out) + "\n"


# ---- building requests ---------------------------------------------------------------------

def icmp_data(c, k):
    """Echo data of request k (0-based) of combination c; lengths vary so that every pad
    length occurs across the matrix."""
    n = 24 + (c["idx"] * 5 + k * 3) % 16
    tag = b"hagw-interop %03d %d " % (c["idx"], k)
    return (tag + bytes(range(0x41, 0x41 + n)))[:n]


def tos_of(c):
    return (8 * (1 + c["idx"] % 7)) << 2      # DSCP 8..56, ECN not-ECT


def inner_request(c, k):
    """The plaintext IP packet (scapy) of request k: echo request with ICMP seq k+1."""
    src, dst, tos = c["client"], c["dst"], tos_of(c)
    data = icmp_data(c, k)
    if c["inner"] == 4:
        return IP(src=src, dst=dst, tos=tos, id=(c["idx"] << 4) + k, ttl=64) / \
            ICMP(type=8, id=ICMP_ID_BASE + c["idx"], seq=k + 1) / Raw(data)
    return IPv6(src=src, dst=dst, tc=tos, hlim=64) / \
        ICMPv6EchoRequest(id=ICMP_ID_BASE + c["idx"], seq=k + 1, data=data)


def iv_for(c, d, seq):
    return hashlib.sha256(b"iv %d %s %d" % (c["idx"], d.encode(), seq)).digest()[
        :kat.ALGS[c["alg"]].iv_len]


def outer_fields(c, k, inner):
    """The peer's outer header for tunnel mode: as an RFC 4301 encapsulator with DSCP copy,
    DF copied from an inner IPv4 packet, TTL 64."""
    tos = inner[1] if inner[0] >> 4 == 4 else ((inner[0] & 0xf) << 4 | inner[1] >> 4)
    frag = struct.unpack("!H", inner[6:8])[0] & kat.IPV4_DF if inner[0] >> 4 == 4 else 0
    return dict(tos=tos, ident=0x5000 + (c["idx"] << 4) + k, frag=frag, ttl=OUTER_TTL)


def fix_natt(pkt):
    """scapy 2.5 writes UDP length 8 over IPv4 and checksum 0 over IPv6: set the length
    to cover the ESP (RFC 3948 §2.1) and, over IPv6, the real checksum (RFC 8200 §8.1)."""
    ip = kat.parse_ip(pkt)
    seg = ip.payload
    esp = seg[kat.UDP_HDR:]
    sport, dport = struct.unpack("!HH", seg[:4])
    u = kat.udp(ip.src, ip.dst, sport, dport, esp)
    return pkt[:len(pkt) - len(seg)] + u


def scapy_encrypt(c, d, seq, iv, inner_pkt, outer):
    """scapy's ESP packet (bytes) for 64-bit seq."""
    sa = scapy_sa(c, d)
    if c["mode"] == "tunnel":
        th = sa.tunnel_header
        if c["outer"] == 4:
            th.tos, th.id, th.flags, th.ttl = outer["tos"], outer["ident"], \
                (2 if outer["frag"] & kat.IPV4_DF else 0), outer["ttl"]
        else:
            th.tc, th.hlim, th.fl = outer["tos"], outer["ttl"], 0
    sa.seq_num = seq & 0xffffffff
    sa.esn = seq >> 32
    pkt = bytes(sa.encrypt(inner_pkt, iv=iv))
    return fix_natt(pkt) if c["udp"] else pkt


def build_request(c, k, seq):
    """(bytes to send, scapy bytes, kat bytes, inner bytes) of request k with ESP seq."""
    inner = inner_request(c, k)
    if c["mode"] == "transport":
        inner = (IP(src=c["peer"], dst=c["hagw"], tos=tos_of(c), id=(c["idx"] << 4) + k) /
                 ICMP(type=8, id=ICMP_ID_BASE + c["idx"], seq=k + 1) / Raw(icmp_data(c, k))) \
            if c["outer"] == 4 else \
            (IPv6(src=c["peer"], dst=c["hagw"], tc=tos_of(c), hlim=64) /
             ICMPv6EchoRequest(id=ICMP_ID_BASE + c["idx"], seq=k + 1, data=icmp_data(c, k)))
    inner_b = bytes(inner)
    iv = iv_for(c, "in", seq)
    outer = outer_fields(c, k, inner_b) if c["mode"] == "tunnel" else None
    sp = scapy_encrypt(c, "in", seq, iv, inner.__class__(inner_b), outer or {})
    kp = kat.build_packet(kat_sa(c, "in"), seq, iv, inner_b, outer)
    send = kp if scapy_wrong(c) else sp
    return send, sp, kp, inner_b


def ether(dst, src, pkt):
    et = 0x0800 if pkt[0] >> 4 == 4 else 0x86dd
    return bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", "")) + \
        struct.pack("!H", et) + pkt


# ---- selftest: scapy against esp_kat -------------------------------------------------------

def selftest():
    fails = 0
    n = 0
    for c in matrix():
        for k, seq in enumerate(c["seqs"]):
            _, sp, kp, inner = build_request(c, k, seq)
            n += 1
            if scapy_wrong(c):
                # same packet once scapy's ICV is replaced by the right one (and, over IPv6
                # with UDP, the UDP checksum that covers it recomputed)
                fixed = sp[:-kat.ICV] + kp[-kat.ICV:]
                fixed = fix_natt(fixed) if c["udp"] else fixed
                ok = fixed == kp and sp[-kat.ICV:] != kp[-kat.ICV:]
                what = "scapy and esp_kat differ exactly in the ICV (scapy's HMAC+ESN bug)"
            else:
                ok = sp == kp
                what = "scapy == esp_kat byte for byte"
            if not ok:
                fails += 1
                print("FAIL - %s seq %d: %s: %s" % (c["name"], seq, what, kat.diff(sp, kp)))
                continue
            # and each decrypts the other's packet (hagw's outbound direction too)
            try:
                p = kat.parse_packet(kat_sa(c, "in"), sp if not scapy_wrong(c) else kp,
                                     seq >> 32)
                if p.inner != inner:
                    raise kat.KatError("inner", kat.diff(p.inner, inner))
                kout = kat.build_packet(kat_sa(c, "out"), seq, iv_for(c, "out", seq), inner,
                                        outer_fields(c, k, inner)
                                        if c["mode"] == "tunnel" else None)
                got = bytes(scapy_decrypt(c, "out", kout, seq >> 32))
                if got != inner:
                    raise kat.KatError("scapy", "scapy decrypt of esp_kat: " +
                                       kat.diff(got, inner))
            except (kat.KatError, IPSecIntegrityError) as e:
                fails += 1
                print("FAIL - %s seq %d: cross decrypt: %s" % (c["name"], seq, e))
    print(("ok   - " if not fails else "FAIL - ") +
          "selftest: %d packets of %d combinations built by scapy and esp_kat, %d differ"
          % (n, len(matrix()), fails))
    return fails


def scapy_decrypt(c, d, pkt, seq_hi):
    """scapy's decryption of an ESP packet of direction d. The UDP encapsulation is removed
    first: scapy 2.5 rebuilds a transport-mode packet wrongly when the ESP is inside UDP over
    IPv6 (it sets the next header on the UDP layer). For HMAC+ESN scapy's ICV check is
    skipped (it leaves the ESN high half out); esp_kat verifies that ICV."""
    if c["udp"]:
        ip = kat.parse_ip(pkt)
        pkt = kat.ip_packet(ip.src, ip.dst, kat.PROTO_ESP, ip.payload[kat.UDP_HDR:], ip.tos,
                            ip.ident, ip.frag, ip.ttl, ip.flow)
    sa = scapy_sa(c, d)
    sa.nat_t_header = None
    p = IP(pkt) if pkt[0] >> 4 == 4 else IPv6(pkt)
    return sa.decrypt(p, verify=not scapy_wrong(c), esn=seq_hi) if seq_hi else \
        sa.decrypt(p, verify=not scapy_wrong(c))


# ---- live run ------------------------------------------------------------------------------

PACKET_OUTGOING = 4


class Wire:
    """AF_PACKET socket on the client veth: sends frames, a thread collects every frame
    that arrives (not our own outgoing ones)."""

    def __init__(self, iface):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.s.bind((iface, 0))
        self.frames = []
        self.lock = threading.Lock()
        self.stop = False
        self.t = threading.Thread(target=self._rx, daemon=True)
        self.s.settimeout(0.2)
        self.t.start()

    def _rx(self):
        while not self.stop:
            try:
                data, addr = self.s.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if addr[2] == PACKET_OUTGOING:
                continue
            with self.lock:
                self.frames.append((time.time(), data))

    def send(self, frame):
        self.s.send(frame)

    def count(self):
        with self.lock:
            return len(self.frames)

    def since(self, i):
        with self.lock:
            return list(self.frames[i:])

    def close(self):
        self.stop = True
        self.t.join()
        self.s.close()


def frame_spi(frame):
    """(spi, seq) of an ESP or ESP-in-UDP frame, else None."""
    et = struct.unpack("!H", frame[12:14])[0]
    b = frame[14:]
    try:
        ip = kat.parse_ip(b)
    except kat.KatError:
        return None
    if (et == 0x0800) != (ip.version == 4):
        return None
    p = ip.payload
    if ip.proto == kat.PROTO_UDP:
        if len(p) < 16 or struct.unpack("!H", p[2:4])[0] != kat.NATT_PORT:
            return None
        p = p[kat.UDP_HDR:]
    elif ip.proto != kat.PROTO_ESP:
        return None
    if len(p) < 8:
        return None
    return struct.unpack("!II", p[:8])


class Ctl:
    def __init__(self, binary, sock):
        self.cmd = [binary, "-s", sock]
        self.errors = []

    def json(self, *args):
        r = subprocess.run(self.cmd + ["--json"] + list(args), capture_output=True, text=True,
                           timeout=30)
        if any(s in r.stderr for s in SANITIZER):
            self.errors.append("sanitizer report from hagwctl %s: %s" % (args, r.stderr[:2000]))
        if r.returncode != 0:
            raise RuntimeError("hagwctl %s: exit %d: %s" % (" ".join(args), r.returncode,
                                                            r.stderr.strip()[:500]))
        d = json.loads(r.stdout)
        return d["data"] if isinstance(d, dict) and "data" in d and "ok" in d else d

    def run(self, *args):
        r = subprocess.run(self.cmd + list(args), capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError("hagwctl %s: exit %d: %s" % (" ".join(args), r.returncode,
                                                            r.stderr.strip()[:500]))


def port(stats, name):
    return [p for p in stats["ports"] if p["name"] == name][0]


class Report:
    def __init__(self):
        self.fails = 0
        self.n = 0

    def check(self, name, cond, detail=""):
        self.n += 1
        if cond:
            print("ok   - " + name)
        else:
            self.fails += 1
            print("FAIL - " + name + (": " + detail if detail else ""))
        sys.stdout.flush()
        return cond


def wait_replies(wire, start, want, timeout=REPLY_TIMEOUT):
    """Waits until every (spi, seq) of want arrived after frame index start."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = set()
        for _, f in wire.since(start):
            s = frame_spi(f)
            if s:
                got.add(s)
        if want <= got:
            return True
        time.sleep(0.05)
    return False


def settle(ctl, key_fn, want, timeout=5.0):
    """Polls show stats until key_fn(stats) == want (or timeout); returns the last stats."""
    deadline = time.time() + timeout
    while True:
        st = ctl.json("show", "stats")
        if key_fn(st) == want or time.time() > deadline:
            return st
        time.sleep(0.1)


def run_clean(wire, combos, peer_mac, hagw_mac, rep):
    """Sends every request of the matrix, round by round (round k: the k-th sequence number
    of every combination); waits for the replies of a round before the next."""
    sent = []
    by_spi = {c["spi_out"]: c["name"] for c in combos}
    rounds = max(len(c["seqs"]) for c in combos)
    for k in range(rounds):
        start = wire.count()
        want = set()
        for c in combos:
            if k >= len(c["seqs"]):
                continue
            seq = c["seqs"][k]
            send, sp, kp, inner = build_request(c, k, seq)
            frame = ether(hagw_mac, peer_mac, send)
            wire.send(frame)
            sent.append(dict(combo=c["idx"], k=k, seq=seq, frame=frame.hex(),
                             inner=inner.hex(), scapy_eq=(sp == kp), t=time.time()))
            want.add((c["spi_out"], k + 1))
            time.sleep(0.001)
        ok = wait_replies(wire, start, want)
        missing = sorted(want - {frame_spi(f) for _, f in wire.since(start)})
        rep.check("round %d: %d requests sent, every reply back" % (k + 1, len(want)), ok,
                  "%d missing: %s" % (len(missing), ", ".join(
                      "%s seq %d" % (by_spi[s], q) for s, q in missing[:8])))
    return sent


def stats_delta(a, b, port_name):
    pa, pb = port(a, port_name), port(b, port_name)
    d = {k: pb[k] - pa[k] for k in ("rx_packets", "tx_packets") if k in pa}
    for r in pb.get("drops", {}):
        v = pb["drops"][r] - pa["drops"].get(r, 0)
        if v:
            d["drops." + r] = v
    return d


def sa_named(ctl, name):
    sas = ctl.json("show", "sa", name)
    return sas[0] if isinstance(sas, list) and sas else sas


def neg_case(rep, ctl, wire, name, frames, drops, replies=0, lan=0, sa=None, sa_drop=None):
    """Sends frames; hagw must count exactly drops (reason -> n) on the client port, nothing
    else, and send `replies` frames back; the lan port sees `lan` frames each way."""
    before = ctl.json("show", "stats")
    sa_before = sa_named(ctl, sa) if sa else None
    start = wire.count()
    for f in frames:
        wire.send(f)
    want_rx = port(before, "client")["rx_packets"] + len(frames)
    want_tx = port(before, "client")["tx_packets"] + replies
    settle(ctl, lambda s: (port(s, "client")["rx_packets"], port(s, "client")["tx_packets"]),
           (want_rx, want_tx))
    time.sleep(0.2)     # anything late (a reply that should not come) shows up too
    after = ctl.json("show", "stats")
    want = {"rx_packets": len(frames), "tx_packets": replies}
    for r, n in drops.items():
        want["drops." + r] = n
    got = stats_delta(before, after, "client")
    rep.check("negative %s: client counters %s" % (name, want), got == want, "got %s" % got)
    lw = {"rx_packets": lan, "tx_packets": lan}
    lg = stats_delta(before, after, "lan")
    rep.check("negative %s: lan counters %s" % (name, lw), lg == lw, "got %s" % lg)
    back = [f for _, f in wire.since(start)]
    rep.check("negative %s: %d frame(s) back from hagw" % (name, replies), len(back) == replies,
              "got %d: %s" % (len(back), [f.hex() for f in back][:3]))
    if sa:
        sa_after = sa_named(ctl, sa)
        for r, n in (sa_drop or {}).items():
            g = sa_after["drops"][r] - sa_before["drops"][r]
            rep.check("negative %s: show sa %s drops.%s +%d" % (name, sa, r, n), g == n,
                      "got +%d" % g)
    return back


def reply_ok(rep, c, back, seq, what):
    """hagw's reply in a negative case decrypts (esp_kat) with the next sequence number."""
    try:
        p = kat.parse_packet(kat_sa(c, "out"), back[0][14:]) if back else None
        ok = p is not None and p.plain.seq == seq and p.plain.pad_ok
        detail = "seq %s" % (p.plain.seq if p else None)
    except kat.KatError as e:
        ok, detail = False, str(e)
    rep.check("negative %s: the reply decrypts, ESP seq %d" % (what, seq), ok, detail)


def run_negative(rep, ctl, wire, combos, sent, peer_mac, hagw_mac):
    by = {c["name"]: c for c in combos}
    last = {}
    for s in sent:
        last[s["combo"]] = s
    res = []
    for alg in ALGS:
        c = by["%s.t44.esp.sn32" % ALG_SHORT[alg]]
        k = len(c["seqs"])
        # the last accepted request again, byte for byte
        old = bytes.fromhex(last[c["idx"]]["frame"])
        neg_case(rep, ctl, wire, "%s replay of seq %d" % (c["name"], last[c["idx"]]["seq"]),
                 [old], {"esp_replay": 1}, sa=c["name"] + ".in", sa_drop={"replay": 1})
        # a new sequence number with one ICV bit flipped, then the same number intact:
        # the window moves only after the ICV verified
        seq = 3
        send, _, _, _ = build_request(c, k, seq)
        bad = bytearray(send)
        bad[-1] ^= 0x01
        neg_case(rep, ctl, wire, "%s seq %d with a flipped ICV bit" % (c["name"], seq),
                 [ether(hagw_mac, peer_mac, bytes(bad))], {"esp_auth": 1},
                 sa=c["name"] + ".in", sa_drop={"auth": 1})
        back = neg_case(rep, ctl, wire, "%s seq %d intact after the bad one" % (c["name"], seq),
                        [ether(hagw_mac, peer_mac, send)], {}, replies=1, lan=1)
        reply_ok(rep, c, back, len(c["seqs"]) + 1, "%s seq %d" % (c["name"], seq))
        # seq 4 twice back to back (one RX burst): the second is a replay even though the
        # first was not yet in the window when both were checked
        send, _, _, _ = build_request(c, k + 1, seq + 1)
        f = ether(hagw_mac, peer_mac, send)
        back = neg_case(rep, ctl, wire, "%s seq %d twice in one burst" % (c["name"], seq + 1),
                        [f, f], {"esp_replay": 1}, replies=1, lan=1, sa=c["name"] + ".in",
                        sa_drop={"replay": 1})
        reply_ok(rep, c, back, len(c["seqs"]) + 2, "%s seq %d" % (c["name"], seq + 1))
        res.append(dict(combo=c["idx"], back=[b.hex() for b in back]))
    # HMAC with ESN: an ICV computed without the high half (as scapy 2.5 does) must fail
    c = by["cbc128.t44.udp.esn"]
    k = len(c["seqs"])
    seq = 0x100000002
    inner = inner_request(c, k)
    sp = scapy_encrypt(c, "in", seq, iv_for(c, "in", seq), inner,
                       outer_fields(c, k, bytes(inner)))
    neg_case(rep, ctl, wire, "%s seq 2^32+2, ICV without the ESN high half" % c["name"],
             [ether(hagw_mac, peer_mac, sp)], {"esp_auth": 1}, sa=c["name"] + ".in",
             sa_drop={"auth": 1})
    # unknown SPI (a well-formed GCM packet under an SPI hagw does not have)
    c = by["gcm128.t44.esp.sn32"]
    sa = kat_sa(c, "in")
    sa.spi = UNKNOWN_SPI
    pkt = kat.build_packet(sa, 1, bytes(8), bytes(inner_request(c, 0)))
    neg_case(rep, ctl, wire, "unknown SPI 0x%08x" % UNKNOWN_SPI,
             [ether(hagw_mac, peer_mac, pkt)], {"esp_unknown_spi": 1})
    # RFC 3948 §2.2 NAT keepalive, IPv4 and IPv6
    for v in (4, 6):
        ka = kat.ip_packet(PEER_TUN[v], HAGW[v], kat.PROTO_UDP,
                           kat.udp(PEER_TUN[v], HAGW[v], kat.NATT_PORT, kat.NATT_PORT,
                                   b"\xff"))
        neg_case(rep, ctl, wire, "NAT keepalive 0xff over IPv%d" % v,
                 [ether(hagw_mac, peer_mac, ka)], {"natt_keepalive": 1})
    # malformed: ESP shorter than header + IV + ICV; default padding violated
    c = by["gcm256.t66.esp.sn32"]
    k = len(c["seqs"])
    sa = kat_sa(c, "in")
    full = kat.build_packet(sa, 3, iv_for(c, "in", 3), bytes(inner_request(c, k)))
    ip = kat.parse_ip(full)
    short = kat.ip_packet(ip.src, ip.dst, kat.PROTO_ESP, ip.payload[:8 + 8 + 4])
    neg_case(rep, ctl, wire, "%s ESP of 20 bytes (no room for the ICV)" % c["name"],
             [ether(hagw_mac, peer_mac, short)], {"esp_malformed": 1},
             sa=c["name"] + ".in", sa_drop={"malformed": 1})
    inner_b = bytes(inner_request(c, k))
    npad = kat.pad_len(len(inner_b), sa.a.align) or 4
    badpad = kat.build_packet(sa, 4, iv_for(c, "in", 4), inner_b, pad=bytes(npad))
    neg_case(rep, ctl, wire, "%s seq 4: valid ICV, padding %s instead of 1..%d" % (
        c["name"], bytes(npad).hex(), npad), [ether(hagw_mac, peer_mac, badpad)],
        {"esp_malformed": 1}, sa=c["name"] + ".in", sa_drop={"malformed": 1})
    return res


def run(iface, peer_mac, hagw_mac, ctl_bin, sock, out):
    rep = Report()
    combos = matrix()
    ctl = Ctl(ctl_bin, sock)
    wire = Wire(iface)
    rec = dict(combos=combos)
    try:
        ctl.run("clear", "stats")
        ctl.run("clear", "sa", "counters")
        base = ctl.json("show", "stats")
        rec["stats_base"] = base
        rec["clean_start_t"] = time.time()
        t0 = time.time()
        rec["sent"] = run_clean(wire, combos, peer_mac, hagw_mac, rep)
        rec["clean_secs"] = time.time() - t0
        n_sent = len(rec["sent"])
        want_tx = n_sent
        settle(ctl, lambda s: (port(s, "client")["rx_packets"],
                               port(s, "client")["tx_packets"]), (n_sent, want_tx))
        time.sleep(0.3)
        rec["stats_clean"] = ctl.json("show", "stats")
        rec["clean_end_t"] = time.time()
        rec["sa_clean"] = ctl.json("show", "sa")
        rec["recv_clean"] = [(t, f.hex()) for t, f in wire.since(0)]
        rep.check("clean matrix: %d requests in %.1f s" % (n_sent, rec["clean_secs"]), True)
        rec["negative"] = run_negative(rep, ctl, wire, combos, rec["sent"], peer_mac, hagw_mac)
        time.sleep(0.3)
        end = ctl.json("show", "stats")
        rec["stats_end"] = end
        mb0 = base.get("resources", {}).get("mbufs_in_use")
        mb1 = end.get("resources", {}).get("mbufs_in_use")
        for _ in range(25):
            if mb1 == mb0:
                break
            time.sleep(0.2)
            mb1 = ctl.json("show", "stats").get("resources", {}).get("mbufs_in_use")
        rep.check("resources.mbufs_in_use back to %s after everything" % mb0, mb0 == mb1,
                  "now %s" % mb1)
    except Exception as e:  # noqa: BLE001 - report, record, fail
        rep.check("peer run", False, "%s: %s" % (type(e).__name__, e))
    finally:
        wire.close()
        for e in ctl.errors:
            rep.check("hagwctl", False, e)
        with open(out, "w") as f:
            json.dump(rec, f)
    print("# peer run: %d checks, %d failed" % (rep.n, rep.fails))
    return 1 if rep.fails else 0


# ---- verification --------------------------------------------------------------------------

def echo_reply_of(c, req_inner):
    """The ICMP(v6) echo reply (L4 bytes) that answers an echo request IP packet."""
    ip = kat.parse_ip(req_inner)
    p = ip.payload
    if ip.version == 4:
        body = bytes([0, 0, 0, 0]) + p[4:]
        cs = kat.csum(body)
    else:
        body = bytes([129, 0, 0, 0]) + p[4:]
        cs = kat.l4_checksum(ip.dst, ip.src, kat.PROTO_ICMPV6, body)
    return body[:2] + struct.pack("!H", cs) + body[4:]


def outer_expect(c, inner):
    """hagw's tunnel outer header: DSCP/ECN copied (RFC 4301 §5.1.2.1, RFC 6040; our inner
    packets are not-ECT), DF copied from inner IPv4 and set for inner IPv6 (df = copy), TTL /
    hop limit 64."""
    iv = inner[0] >> 4
    tos = inner[1] if iv == 4 else ((inner[0] & 0xf) << 4 | inner[1] >> 4)
    if iv == 4:
        frag = struct.unpack("!H", inner[6:8])[0] & kat.IPV4_DF
    else:
        frag = kat.IPV4_DF
    o = dict(tos=tos, ttl=OUTER_TTL)
    if c["outer"] == 4:
        o["frag"] = frag
    return o


class Cell:
    def __init__(self):
        self.errors = []

    def need(self, cond, msg):
        if not cond:
            self.errors.append(msg)
        return cond


def lan_frames(path, lan_mac):
    """(to lan host, from lan host) IP packets of the lan capture."""
    to, frm = [], []
    mac = bytes.fromhex(lan_mac.replace(":", ""))
    for p in rdpcap(path):
        b = bytes(p)
        if struct.unpack("!H", b[12:14])[0] not in (0x0800, 0x86dd):
            continue
        (to if b[:6] == mac else frm).append(b[14:])
    return to, frm


def clean_icmp(pkts, icmp_n):
    """How many of these IP packets are ICMP echo requests/replies of the clean matrix."""
    n = 0
    for b in pkts:
        try:
            ip = kat.parse_ip(b)
        except kat.KatError:
            continue
        if ip.proto in (kat.PROTO_ICMP, kat.PROTO_ICMPV6) and len(ip.payload) >= 8:
            ident, sq = struct.unpack("!HH", ip.payload[4:8])
            if ident in icmp_n and 1 <= sq <= icmp_n[ident]:
                n += 1
    return n


def check_reply(c, cell, k, frame, req_inner, lan_reply, hagw_mac, peer_mac):
    """One reply frame of hagw for request k; returns the scapy/kat decrypted inner."""
    seq = c["seqs"][k]
    want_seq = k + 1
    sa = kat_sa(c, "out")
    cell.need(frame[:6] == bytes.fromhex(peer_mac.replace(":", "")) and
              frame[6:12] == bytes.fromhex(hagw_mac.replace(":", "")),
              "reply %d: Ethernet addresses %s" % (want_seq, frame[:12].hex()))
    pkt = frame[14:]
    try:
        p = kat.parse_packet(sa, pkt, want_seq >> 32)
    except kat.KatError as e:
        cell.need(False, "reply %d: esp_kat cannot open it (%s): %s" % (want_seq, e, pkt.hex()))
        return
    ip = p.ip
    cell.need(ip.src == c["hagw"] and ip.dst == c["peer"],
              "reply %d: outer %s -> %s" % (want_seq, ip.src, ip.dst))
    cell.need(p.plain.seq == want_seq, "reply %d: ESP seq %d" % (want_seq, p.plain.seq))
    if c["udp"]:
        cell.need(p.udp[0] == kat.NATT_PORT and p.udp[1] == kat.NATT_PORT,
                  "reply %d: UDP ports %d -> %d" % (want_seq, p.udp[0], p.udp[1]))
        if ip.version == 4:
            cell.need(p.udp[3] == 0, "reply %d: UDP checksum 0x%04x over IPv4 (RFC 3948: 0)"
                      % (want_seq, p.udp[3]))
    cell.need(p.plain.pad_ok and p.plain.pad_minimal(sa.a.align),
              "reply %d: padding %s for %d payload bytes" % (want_seq, p.plain.pad.hex(),
                                                             len(p.plain.payload)))
    want_nh = ({4: 4, 6: 41}[c["inner"]] if c["mode"] == "tunnel"
               else {4: kat.PROTO_ICMP, 6: kat.PROTO_ICMPV6}[c["outer"]])
    cell.need(p.plain.nh == want_nh, "reply %d: next header %d" % (want_seq, p.plain.nh))
    # scapy's view (its ICV check skipped only for HMAC+ESN)
    try:
        sp = bytes(scapy_decrypt(c, "out", pkt, want_seq >> 32))
        cell.need(sp == p.inner, "reply %d: scapy and esp_kat decrypt differently: %s" % (
            want_seq, kat.diff(sp, p.inner)))
    except (IPSecIntegrityError, Exception) as e:  # noqa: BLE001
        cell.need(False, "reply %d: scapy: %s: %s" % (want_seq, type(e).__name__, e))
    # what the plaintext must be
    reply_l4 = echo_reply_of(c, req_inner)
    inner = kat.parse_ip(p.inner)
    if c["mode"] == "tunnel":
        if lan_reply is None:
            cell.need(False, "reply %d: no echo reply from the lan host in the lan capture"
                      % want_seq)
            return
        want_inner = kat.decrement_ttl(lan_reply)
        cell.need(p.inner == want_inner, "reply %d: inner is not the lan host's reply with "
                  "TTL-1: %s" % (want_seq, kat.diff(p.inner, want_inner)))
        outer = outer_expect(c, want_inner)
        exp = kat.expected_like(sa, want_seq, pkt, want_inner, outer)
    else:
        cell.need(inner.src == c["hagw"] and inner.dst == c["peer"] and
                  inner.payload == reply_l4,
                  "reply %d: transport payload is not the echo reply: %s" % (
                      want_seq, kat.diff(inner.payload, reply_l4)))
        want_inner = kat.ip_packet(c["hagw"], c["peer"], inner.proto, reply_l4, ip.tos,
                                   ip.ident, ip.frag, ip.ttl, ip.flow)
        exp = kat.expected_like(sa, want_seq, pkt, want_inner)
    cell.need(exp == pkt, "reply %d: not the esp_kat packet byte for byte (%s)\n"
              "      got      %s\n      expected %s" % (want_seq, kat.diff(pkt, exp), pkt.hex(),
                                                      exp.hex()))
    del seq


def verify(run_json, client_pcap, lan_pcap, peer_mac, hagw_mac, lan_mac):
    rep = Report()
    rec = json.load(open(run_json))
    combos = rec["combos"]
    if "sent" not in rec or "recv_clean" not in rec:
        rep.check("run record complete", False, "the live run did not finish")
        return rep, {}
    to_lan, from_lan = lan_frames(lan_pcap, lan_mac)
    to_lan_set = {}
    for b in to_lan:
        to_lan_set[b] = to_lan_set.get(b, 0) + 1
    # the lan host's replies, by (icmp id, seq, family)
    lan_replies = {}
    for b in from_lan:
        try:
            ip = kat.parse_ip(b)
        except kat.KatError:
            continue
        if ip.proto in (kat.PROTO_ICMP, kat.PROTO_ICMPV6) and len(ip.payload) >= 8:
            ident, sq = struct.unpack("!HH", ip.payload[4:8])
            lan_replies[(ip.version, ident, sq)] = b
    by_spi = {}
    for t, f in rec["recv_clean"]:
        f = bytes.fromhex(f)
        s = frame_spi(f)
        by_spi.setdefault(s[0] if s else None, []).append(f)
    cells = {}
    for c in combos:
        cell = Cell()
        cells[c["idx"]] = cell
        reqs = [s for s in rec["sent"] if s["combo"] == c["idx"]]
        cell.need(len(reqs) == len(c["seqs"]), "%d requests sent" % len(reqs))
        for s in reqs:
            if not scapy_wrong(c):
                cell.need(s["scapy_eq"], "request seq %d: scapy != esp_kat" % s["seq"])
            if c["mode"] == "tunnel":
                want = kat.decrement_ttl(bytes.fromhex(s["inner"]))
                n = to_lan_set.get(want, 0)
                cell.need(n == 1, "request seq %d: the plaintext (TTL-1) arrived %d times on "
                          "the lan side; sent inner %s" % (s["seq"], n, s["inner"]))
        replies = by_spi.get(c["spi_out"], [])
        cell.need(len(replies) == len(c["seqs"]), "%d replies from hagw, want %d" % (
            len(replies), len(c["seqs"])))
        for k, f in enumerate(replies[:len(c["seqs"])]):
            req_inner = bytes.fromhex(reqs[k]["inner"]) if k < len(reqs) else b""
            lr = lan_replies.get((c["inner"], ICMP_ID_BASE + c["idx"], k + 1))
            check_reply(c, cell, k, f, req_inner, lr, hagw_mac, peer_mac)
    global_wire_checks(rep, combos, by_spi)
    stray = [f.hex() for f in by_spi.get(None, [])]
    known = {c["spi_out"] for c in combos}
    stray += [f.hex() for s, fs in by_spi.items() if s is not None and s not in known
              for f in fs]
    rep.check("no other frame reached the client side during the matrix", not stray,
              "%d: %s" % (len(stray), stray[:3]))
    return rep, cells


def global_wire_checks(rep, combos, by_spi):
    """Across all of hagw's clean packets: no (SPI, IV) pair twice (RFC 4106 §3.1, RFC 7634
    §2: an AEAD nonce never repeats under a key; for CBC a repeated IV would leak too), no
    IPv4 identification twice among non-atomic outer packets (DF clear) of one (src, dst,
    protocol) (RFC 6864 §4.1), and every ESN combination through the 2^32 wrap."""
    ivs, ids, dup_iv, dup_id = set(), set(), [], []
    for c in combos:
        off = kat.UDP_HDR if c["udp"] else 0
        for f in by_spi.get(c["spi_out"], []):
            ip = kat.parse_ip(f[14:])
            esp = ip.payload[off:]
            key = (esp[:4], esp[8:8 + kat.ALGS[c["alg"]].iv_len])
            if key in ivs:
                dup_iv.append("%s iv %s" % (c["name"], key[1].hex()))
            ivs.add(key)
            if ip.version == 4 and not ip.frag & kat.IPV4_DF:
                k = (ip.src, ip.dst, ip.proto, ip.ident)
                if k in ids:
                    dup_id.append("%s id %d" % (c["name"], ip.ident))
                ids.add(k)
    rep.check("no (SPI, IV) pair repeats in %d packets from hagw" % len(ivs), not dup_iv,
              "; ".join(dup_iv[:5]))
    rep.check("no IPv4 ID repeats among hagw's non-atomic outer packets", not dup_id,
              "; ".join(dup_id[:5]))
    esn = [c for c in combos if c["esn"]]
    wrapped = [c for c in esn if len(by_spi.get(c["spi_out"], [])) == len(c["seqs"])]
    rep.check("ESN: %d of %d combinations answered all of %s" % (
        len(wrapped), len(esn), ", ".join("%#x" % s for s in esn[0]["seqs"])),
        len(wrapped) == len(esn))


def check_counters(rep, rec, to_lan_n, from_lan_n, cap_in, cap_out):
    combos = rec["combos"]
    st = rec.get("stats_clean")
    if not st:
        rep.check("stats after the clean matrix", False, "missing")
        return
    n_req = len(rec["sent"])
    n_tun = sum(1 for s in rec["sent"] if combos[s["combo"]]["mode"] == "tunnel")
    cl, ln = port(st, "client"), port(st, "lan")
    rep.check("clean: client rx_packets = %d requests sent" % n_req, cl["rx_packets"] == n_req,
              "got %d" % cl["rx_packets"])
    rep.check("clean: client tx_packets = %d encrypted replies" % n_req,
              cl["tx_packets"] == n_req, "got %d" % cl["tx_packets"])
    rep.check("clean: lan tx_packets = %d decrypted tunnel requests" % n_tun,
              ln["tx_packets"] == n_tun, "got %d" % ln["tx_packets"])
    rep.check("clean: lan rx_packets = %d lan host replies" % n_tun,
              ln["rx_packets"] == n_tun, "got %d" % ln["rx_packets"])
    rep.check("clean: lan capture agrees (%d to, %d from the lan host)" % (to_lan_n, from_lan_n),
              to_lan_n == n_tun and from_lan_n == n_tun)
    rep.check("clean: client capture agrees (%d from the peer, %d from hagw)" % (
        cap_in, cap_out), cap_in == n_req and cap_out == n_req)
    rep.check("clean: client forwarded = %d tunnel requests" % n_tun,
              cl.get("forwarded") == n_tun, "got %s" % cl.get("forwarded"))
    rep.check("clean: lan forwarded = %d tunnel replies" % n_tun,
              ln.get("forwarded") == n_tun, "got %s" % ln.get("forwarded"))
    for p in (cl, ln):
        nz = {k: v for k, v in p.get("drops", {}).items() if v}
        rep.check("clean: %s: no drop at all (esp_* included)" % p["name"], not nz,
                  "drops %s" % nz)
    sas = {s["name"]: s for s in rec.get("sa_clean", [])}
    bad = []
    for c in combos:
        n = len(c["seqs"])
        si, so = sas.get(c["name"] + ".in"), sas.get(c["name"] + ".out")
        if not si or not so:
            bad.append("%s: SA missing in show sa" % c["name"])
            continue
        if si["packets"] != n or so["packets"] != n or si["dropped"] or so["dropped"]:
            bad.append("%s: packets in %s out %s dropped %s/%s" % (
                c["name"], si["packets"], so["packets"], si["dropped"], so["dropped"]))
        if so.get("seq") != n or si.get("replay_top") != c["seqs"][-1]:
            bad.append("%s: out seq %s (want %d), in replay_top %s (want %d)" % (
                c["name"], so.get("seq"), n, si.get("replay_top"), c["seqs"][-1]))
        if si.get("esn") != c["esn"] or so.get("esn") != c["esn"]:
            bad.append("%s: esn %s/%s" % (c["name"], si.get("esn"), so.get("esn")))
    rep.check("clean: show sa: every SA counted its packets, out seq = replies, in "
              "replay_top = last seq, no SA drop", not bad, "; ".join(bad[:6]) +
              (" (+%d more)" % (len(bad) - 6) if len(bad) > 6 else ""))


def tshark_check(rec, client_pcap, cells):
    """tshark 4.0 decrypts ESP from the keys (esp_sa UAT): AES-GCM and AES-CBC + HMAC-SHA-256
    without ESN (also UDP-encapsulated). Every clean frame of those combinations must show the
    decrypted inner packet with the right addresses, a good ICV, and sequence numbers in
    order (tshark's own per-SPI sequence analysis)."""
    combos = rec["combos"]
    uat = []
    for c in combos:
        if not c["tshark"]:
            continue
        for d in ("in", "out"):
            src, dst = (c["peer"], c["hagw"]) if d == "in" else (c["hagw"], c["peer"])
            auth = "HMAC-SHA-256-128 [RFC4868]" if c["akey_" + d] else "NULL"
            uat.append('uat:esp_sa:"IPv%d","%s","%s","0x%08x","%s","0x%s","%s","%s"' % (
                c["outer"], src, dst, c["spi_" + d], TSHARK_ENC[c["alg"]], c["key_" + d],
                auth, ("0x" + c["akey_" + d]) if c["akey_" + d] else ""))
    args = ["tshark", "-r", client_pcap, "-n", "-o", "esp.enable_encryption_decode:TRUE",
            "-o", "esp.enable_authentication_check:TRUE", "-o",
            "esp.do_esp_sequence_analysis:TRUE"]
    for u in uat:
        args += ["-o", u]
    fields = ["frame.number", "esp.spi", "esp.sequence", "esp.icv_good", "esp.icv_bad",
              "esp.sequence-analysis.wrong-sequence-number", "ip.src", "ip.dst", "ipv6.src",
              "ipv6.dst", "icmp.type", "icmpv6.type", "esp.pad_len", "esp.protocol"]
    for f in fields:
        args += ["-e", f]
    args += ["-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return None, "tshark exit %d: %s" % (r.returncode, r.stderr[-800:])
    # which pcap frames are clean matrix frames of which combination and direction
    clean = {}
    for s in rec["sent"]:
        clean[bytes.fromhex(s["frame"])] = (s["combo"], "in", s["seq"])
    by_spi_out = {c["spi_out"]: c for c in combos}
    for _, f in rec["recv_clean"]:
        b = bytes.fromhex(f)
        s = frame_spi(b)
        if s and s[0] in by_spi_out:
            clean[b] = (by_spi_out[s[0]]["idx"], "out", s[1])
    frames = [bytes(p) for p in rdpcap(client_pcap)]
    seen = {}
    for line in r.stdout.splitlines():
        v = line.split("|")
        if len(v) < len(fields):
            continue
        row = dict(zip(fields, v))
        num = int(row["frame.number"])
        key = clean.get(frames[num - 1]) if num - 1 < len(frames) else None
        if key is None or key in seen:
            continue        # not a clean frame, or its replay in the negative cases
        idx, d, seq = key
        c = combos[idx]
        if not c["tshark"]:
            continue
        seen[(idx, d, seq)] = True
        cell = cells[idx]
        src, dst = (c["client"], c["dst"]) if d == "in" else (c["dst"], c["client"])
        if c["mode"] == "tunnel":
            outer_src, outer_dst = (c["peer"], c["hagw"]) if d == "in" else (c["hagw"], c["peer"])
            addrs = (row["ip.src"] + "," + row["ipv6.src"]).split(",")
            addrd = (row["ip.dst"] + "," + row["ipv6.dst"]).split(",")
            good_addr = (src in addrs and dst in addrd and outer_src in addrs
                         and outer_dst in addrd)
        else:
            good_addr = True
        icmp_t = (row["icmp.type"] + "," + row["icmpv6.type"]).strip(",")
        want_t = {("in", 4): "8", ("out", 4): "0", ("in", 6): "128", ("out", 6): "129"}[
            (d, c["inner"])]
        cell.need(row["esp.icv_good"] == "1" and row["esp.icv_bad"] in ("", "0"),
                  "tshark: %s seq %d: ICV good=%s bad=%s" % (d, seq, row["esp.icv_good"],
                                                           row["esp.icv_bad"]))
        cell.need(good_addr and want_t in icmp_t.split(","),
                  "tshark: %s seq %d: decrypted inner %s|%s|%s|%s icmp %s" % (
                      d, seq, row["ip.src"], row["ip.dst"], row["ipv6.src"], row["ipv6.dst"],
                      icmp_t))
        cell.need(row["esp.sequence-analysis.wrong-sequence-number"] == "",
                  "tshark: %s seq %d: sequence analysis: %s" % (
                      d, seq, row["esp.sequence-analysis.wrong-sequence-number"]))
    missing = 0
    for c in combos:
        if not c["tshark"]:
            continue
        for k, seq in enumerate(c["seqs"]):
            for d, sq in (("in", seq), ("out", k + 1)):
                if (c["idx"], d, sq) not in seen:
                    cells[c["idx"]].need(False, "tshark: %s seq %d not in the client capture"
                                         % (d, sq))
                    missing += 1
    return len(seen), None


def print_matrix(combos, cells, tshark_ok):
    cols = [(False, False), (False, True), (True, False), (True, True)]
    print("# %-8s %-10s | %-13s %-13s %-13s %-13s" % ("alg", "shape", "esp", "esp+esn",
                                                      "udp", "udp+esn"))
    for alg in ALGS:
        for mode, inner, outer in SHAPES:
            shape = ("tun %din%d" % (inner, outer)) if mode == "tunnel" else ("trans v%d" % outer)
            row = []
            for udp, esn in cols:
                c = [x for x in combos if x["alg"] == alg and x["mode"] == mode and
                     x["inner"] == inner and x["outer"] == outer and x["udp"] == udp and
                     x["esn"] == esn][0]
                st = "PASS" if not cells[c["idx"]].errors else "FAIL"
                how = "kat+ts" if c["tshark"] and tshark_ok else "kat"
                row.append("%s(%s)" % (st, how))
            print("# %-8s %-10s | %-13s %-13s %-13s %-13s" % ((ALG_SHORT[alg], shape) +
                                                              tuple(row)))


def check(run_json, client_pcap, lan_pcap, peer_mac, hagw_mac, lan_mac):
    rep, cells = verify(run_json, client_pcap, lan_pcap, peer_mac, hagw_mac, lan_mac)
    rec = json.load(open(run_json))
    if not cells:
        return 1
    # clean traffic only: ICMP seq <= the combination's number of clean requests
    icmp_n = {ICMP_ID_BASE + c["idx"]: len(c["seqs"]) for c in rec["combos"]}
    to_lan, from_lan = lan_frames(lan_pcap, lan_mac)
    # the client capture between "clear stats" and the clean snapshot (same clock)
    cap = [(float(p.time), bytes(p)) for p in rdpcap(client_pcap)]
    frames = [b for _, b in cap]
    t0, t1 = rec.get("clean_start_t", 0), rec.get("clean_end_t", 0)
    peer_mac_b = bytes.fromhex(peer_mac.replace(":", ""))
    cap_in = sum(1 for t, b in cap if t0 <= t <= t1 and b[6:12] == peer_mac_b)
    cap_out = sum(1 for t, b in cap if t0 <= t <= t1 and b[6:12] != peer_mac_b)
    check_counters(rep, rec, clean_icmp(to_lan, icmp_n), clean_icmp(from_lan, icmp_n),
                   cap_in, cap_out)
    n, err = tshark_check(rec, client_pcap, cells)
    rep.check("tshark decrypted %s ESP frames of the %d GCM/CBC combinations without ESN" % (
        n, sum(1 for c in rec["combos"] if c["tshark"])), err is None and n, err or "")
    # the client capture holds exactly what the peer sent and what hagw sent back
    want = {bytes.fromhex(s["frame"]) for s in rec["sent"]} | \
        {bytes.fromhex(f) for _, f in rec["recv_clean"]}
    rep.check("client capture holds every clean frame", want <= set(frames),
              "%d missing" % len(want - set(frames)))
    bad = 0
    for c in rec["combos"]:
        e = cells[c["idx"]].errors
        if e:
            bad += 1
            print("FAIL - %s (%s): %d problem(s)" % (c["name"], c["idx"], len(e)))
            for m in e[:6]:
                print("       " + m)
    rep.check("matrix: %d of %d combinations pass" % (len(cells) - bad, len(cells)), bad == 0)
    print_matrix(rec["combos"], cells, err is None)
    print("# check: %d checks, %d failed" % (rep.n, rep.fails))
    return 1 if rep.fails else 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "config" and len(argv) == 4:
        sys.stdout.write(config(argv[2], argv[3]))
        return 0
    if cmd == "selftest":
        return 1 if selftest() else 0
    if cmd == "run" and len(argv) == 8:
        return run(*argv[2:8])
    if cmd == "check" and len(argv) == 8:
        return check(*argv[2:8])
    if cmd == "count":
        combos = matrix()
        print(len(combos), sum(len(c["seqs"]) for c in combos))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
