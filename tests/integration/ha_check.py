#!/usr/bin/python3
"""Wire checks of an HA takeover (HA lab, tests/integration/ha_lab.sh).

usage: ha_check.py PCAP --takeover T [--ike-port 500] [--natt-port 4500]
                   [--iv-len 8] [--allow-no-traffic]
       ha_check.py --selftest

Reads a capture taken on the client side of the appliances (every frame
between the clients and the VIP) and a takeover time T (epoch seconds, the
clock of the capture: `date +%s.%N`). Packets at or before T are "before",
later ones "after". Checks:

  (a) no IKE_SA_INIT (exchange type 34) and no IKE_AUTH (35) after T: the
      clients kept their IKE SAs (IKE on the IKE port, and on the NAT-T
      port behind the 4-byte non-ESP marker, RFC 3948 §2.2)
  (b) for each ESP SA (SPI and destination: plain ESP, IP protocol 50, and
      UDP-encapsulated ESP on the NAT-T port, RFC 3948), every sequence
      number after T is greater than every sequence number before T
  (c) no (SA, IV) pair twice: the IV is the --iv-len bytes after the ESP
      header (8 for AES-GCM, RFC 4106 §3.1), a repeat breaks GCM
  (t) unless --allow-no-traffic: ESP was seen both before and after T (a
      capture without traffic would pass (b) and (c) vacuously)

NAT-T keepalives (one 0xff byte) are skipped. Plain IPv4 ESP is read with
test_esp_iv_failover's reader (iv_failover.esp_of); UDP-encapsulated and
IPv6 ESP with this file's. Prints one JSON line (IKE messages per exchange
type before/after, every ESP SA with its counts, sequence bounds and the
top 16 bits of its IVs, the hagw IV epoch; the violations) and one line
"VIOLATION (x): ..." per violation on stderr. Exit 0 when there is none,
1 otherwise, 2 on unusable input.

--selftest writes synthetic captures (scapy) to a temporary directory and
shows that a clean takeover passes and that each check fails on its own
kind of violation, and only that check. Exit 0 when every case behaves.
"""
import argparse
import collections
import json
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scapy.all import Ether, IP, IPv6, Raw, UDP, wrpcap  # noqa: E402
from scapy.utils import RawPcapReader  # noqa: E402
import iv_failover  # noqa: E402  (esp_of, ESP_HDR, ESP_PROTO)

ESP_PROTO = iv_failover.ESP_PROTO
ESP_HDR = iv_failover.ESP_HDR		# SPI + sequence number (RFC 4303 §2)
UDP_PROTO = 17
UDP_HDR = 8
NON_ESP_MARKER = b"\x00\x00\x00\x00"	# RFC 3948 §2.2
KEEPALIVE = b"\xff"			# RFC 3948 §2.3
IKE_HDR = 28				# RFC 7296 §3.1
IKE_EXCH_OFF = 18
IKE_FLAGS_OFF = 19
IKE_MSGID_OFF = 20
IKE_SA_INIT = 34
IKE_AUTH = 35
ETH_HDR = 14
ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN = (0x8100, 0x88A8)
LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113
SLL_HDR = 16
IPV6_HDR = 40
IPV6_EXT = (0, 43, 60)			# hop-by-hop, routing, destination options
IV_EPOCH_SHIFT = 48			# hagw's IV: epoch << 48 | counter (dataplane/sa.h)


def ip_of(frame, linktype):
    """(family, src, dst, proto, l4 bytes, is_v4 offset of IP) or None."""
    if linktype == LINKTYPE_ETHERNET:
        if len(frame) < ETH_HDR:
            return None
        etype, off = struct.unpack_from("!H", frame, 12)[0], ETH_HDR
        while etype in ETH_VLAN and len(frame) >= off + 4:
            etype, off = struct.unpack_from("!H", frame, off + 2)[0], off + 4
    elif linktype == LINKTYPE_LINUX_SLL:
        if len(frame) < SLL_HDR:
            return None
        etype, off = struct.unpack_from("!H", frame, 14)[0], SLL_HDR
    else:
        return None
    if etype == ETH_IPV4 and len(frame) >= off + 20:
        ihl = (frame[off] & 0x0F) * 4
        frag = struct.unpack_from("!H", frame, off + 6)[0] & 0x1FFF
        if frag or ihl < 20 or len(frame) < off + ihl:
            return None
        src = ".".join(str(b) for b in frame[off + 12:off + 16])
        dst = ".".join(str(b) for b in frame[off + 16:off + 20])
        return (4, src, dst, frame[off + 9], frame[off + ihl:], off)
    if etype == ETH_IPV6 and len(frame) >= off + IPV6_HDR:
        import ipaddress
        nh = frame[off + 6]
        src = str(ipaddress.IPv6Address(frame[off + 8:off + 24]))
        dst = str(ipaddress.IPv6Address(frame[off + 24:off + 40]))
        p = off + IPV6_HDR
        while nh in IPV6_EXT and len(frame) >= p + 8:
            nh, p = frame[p], p + (frame[p + 1] + 1) * 8
        return (6, src, dst, nh, frame[p:], off)
    return None


def esp_fields(esp, iv_len):
    """(spi, seq, iv) of ESP bytes, or None when too short."""
    if len(esp) < ESP_HDR + iv_len:
        return None
    spi, seq = struct.unpack_from("!II", esp, 0)
    return spi, seq, int.from_bytes(esp[ESP_HDR:ESP_HDR + iv_len], "big")


def classify(frame, linktype, a):
    """("ike", src, dst, exch, flags, msgid) | ("esp", src, dst, spi, seq, iv, encap) | None"""
    ip = ip_of(frame, linktype)
    if ip is None:
        return None
    fam, src, dst, proto, l4, off = ip
    if proto == ESP_PROTO:
        if fam == 4:
            r = iv_failover.esp_of(Ether(frame)) if linktype == LINKTYPE_ETHERNET else None
            if r is not None and a.iv_len != iv_failover.IV_LEN:
                r = None
            if r is None:
                r = esp_fields(l4, a.iv_len)
        else:
            r = esp_fields(l4, a.iv_len)
        return None if r is None else ("esp", src, dst) + tuple(r) + (False,)
    if proto != UDP_PROTO or len(l4) < UDP_HDR:
        return None
    sport, dport = struct.unpack_from("!HH", l4, 0)
    pay = l4[UDP_HDR:]
    if a.ike_port in (sport, dport) and a.natt_port not in (sport, dport):
        ike = pay
    elif a.natt_port in (sport, dport):
        if pay == KEEPALIVE:
            return None
        if pay[:4] == NON_ESP_MARKER:
            ike = pay[4:]
        else:
            r = esp_fields(pay, a.iv_len)
            return None if r is None else ("esp", src, dst) + r + (True,)
    else:
        return None
    if len(ike) < IKE_HDR:
        return None
    return ("ike", src, dst, ike[IKE_EXCH_OFF], ike[IKE_FLAGS_OFF],
            struct.unpack_from("!I", ike, IKE_MSGID_OFF)[0])


def read_pcap(path):
    """(time, frame, linktype) for each packet."""
    r = RawPcapReader(path)
    lt = getattr(r, "linktype", LINKTYPE_ETHERNET)
    nano = getattr(r, "nano", False)
    try:
        for frame, meta in r:
            sec = getattr(meta, "sec", None)
            if sec is None:		# pcapng
                t = ((meta.tshigh << 32) | meta.tslow) / float(meta.tsresol)
            else:
                t = sec + meta.usec / (1e9 if nano else 1e6)
            yield t, frame, lt
    finally:
        r.close()


class Sa:
    def __init__(self):
        self.src = set()
        self.encap = set()
        self.seq = {"before": [], "after": []}
        self.epochs = {"before": set(), "after": set()}


def check(path, takeover, a):
    ike = {"before": collections.Counter(), "after": collections.Counter()}
    sas = collections.defaultdict(Sa)
    ivs = collections.Counter()
    viol = []
    late_init = []
    n = 0
    for t, frame, lt in read_pcap(path):
        n += 1
        c = classify(frame, lt, a)
        if c is None:
            continue
        when = "before" if t <= takeover else "after"
        if c[0] == "ike":
            ike[when][c[3]] += 1
            if when == "after" and c[3] in (IKE_SA_INIT, IKE_AUTH):
                late_init.append((t, c))
            continue
        _, src, dst, spi, seq, iv, encap = c
        sa = sas[(dst, spi)]
        sa.src.add(src)
        sa.encap.add(encap)
        sa.seq[when].append(seq)
        sa.epochs[when].add(iv >> IV_EPOCH_SHIFT if a.iv_len == 8 else 0)
        ivs[(dst, spi, iv)] += 1
    for t, c in late_init:
        viol.append(("a", "%s %s -> %s at %.6f (%.3f s after the takeover), message ID %d, %s"
                     % ("IKE_SA_INIT" if c[3] == IKE_SA_INIT else "IKE_AUTH", c[1], c[2],
                        t, t - takeover, c[5],
                        "response" if c[4] & 0x20 else "request")))
    out_sas = []
    for (dst, spi), sa in sorted(sas.items()):
        b, f = sa.seq["before"], sa.seq["after"]
        row = {"spi": "0x%08x" % spi, "dst": dst, "src": sorted(sa.src),
               "udp_encap": sorted(sa.encap), "before": len(b), "after": len(f),
               "seq_before": [min(b), max(b)] if b else None,
               "seq_after": [min(f), max(f)] if f else None,
               "iv_epochs_before": sorted(sa.epochs["before"]),
               "iv_epochs_after": sorted(sa.epochs["after"])}
        out_sas.append(row)
        if b and f and min(f) <= max(b):
            bad = sum(1 for s in f if s <= max(b))
            viol.append(("b", "ESP SA spi 0x%08x to %s: %d packet(s) after the takeover with "
                         "sequence numbers <= %d, the highest before it (lowest after: %d)"
                         % (spi, dst, bad, max(b), min(f))))
    rep = sorted(k for k, v in ivs.items() if v > 1)
    for dst, spi, iv in rep[:10]:
        viol.append(("c", "ESP SA spi 0x%08x to %s: IV 0x%0*x sent %d times"
                     % (spi, dst, a.iv_len * 2, iv, ivs[(dst, spi, iv)])))
    if len(rep) > 10:
        viol.append(("c", "... %d more repeated (SA, IV) pairs" % (len(rep) - 10)))
    esp_b = sum(r["before"] for r in out_sas)
    esp_a = sum(r["after"] for r in out_sas)
    if not a.allow_no_traffic and (esp_b == 0 or esp_a == 0):
        viol.append(("t", "no ESP %s the takeover (%d before, %d after): nothing to check"
                     % ("before" if esp_b == 0 else "after", esp_b, esp_a)))
    res = {"file": path, "takeover": takeover, "packets": n,
           "ike": {w: {str(k): v for k, v in sorted(ike[w].items())} for w in ike},
           "esp_packets": {"before": esp_b, "after": esp_a},
           "esp_sas": out_sas, "repeated_ivs": len(rep),
           "violations": [{"check": k, "msg": m} for k, m in viol],
           "verdict": "fail" if viol else "pass"}
    return res


# ---- selftest: synthetic captures ----
CLI, GW, CLI6, GW6 = "192.0.2.11", "192.0.2.1", "2001:db8:1::11", "2001:db8:1::1"
T = 1000.0
MAC_C, MAC_G = "02:00:00:cc:00:01", "02:00:5e:00:01:01"


def eth():
    # Explicit addresses: scapy would otherwise resolve them (ARP, slow, noisy).
    return Ether(src=MAC_C, dst=MAC_G)


def ike_msg(exch, msgid, resp):
    flags = 0x20 if resp else 0x08
    return (b"\x11" * 8 + (b"\x22" * 8 if exch != IKE_SA_INIT or resp else b"\x00" * 8) +
            struct.pack("!BBBBII", 33, 0x20, exch, flags, msgid, IKE_HDR + 4) + b"\x00" * 4)


def pkt_ike(t, exch, msgid, resp, natt):
    src, dst = (GW, CLI) if resp else (CLI, GW)
    port = 4500 if natt else 500
    pay = (NON_ESP_MARKER if natt else b"") + ike_msg(exch, msgid, resp)
    p = eth() / IP(src=src, dst=dst) / UDP(sport=port, dport=port) / \
        Raw(pay)
    p.time = t
    return p


def pkt_esp(t, spi, seq, iv, to_client, encap=True, v6=False):
    src, dst = (GW, CLI) if to_client else (CLI, GW)
    if v6:
        src, dst = (GW6, CLI6) if to_client else (CLI6, GW6)
    esp = struct.pack("!II", spi, seq) + iv.to_bytes(8, "big") + b"\xaa" * 40
    ipl = IPv6(src=src, dst=dst) if v6 else IP(src=src, dst=dst)
    if encap:
        p = eth() / ipl / UDP(sport=4500, dport=4500) / Raw(esp)
    elif v6:
        p = eth() / IPv6(src=src, dst=dst, nh=ESP_PROTO) / Raw(esp)
    else:
        p = eth() / IP(src=src, dst=dst, proto=ESP_PROTO) / Raw(esp)
    p.time = t
    return p


def pkt_keepalive(t):
    p = eth() / IP(src=CLI, dst=GW) / UDP(sport=4500, dport=4500) / Raw(KEEPALIVE)
    p.time = t
    return p


def flow(spi, to_client, seqs, t0, encap=True, v6=False, epoch=0, iv_of=None):
    """ESP packets 10 ms apart from t0; IV = epoch << 48 | seq unless iv_of(seq)."""
    return [pkt_esp(t0 + i * 0.01, spi, s,
                    iv_of(s) if iv_of else (epoch << IV_EPOCH_SHIFT) | s,
                    to_client, encap, v6)
            for i, s in enumerate(seqs)]


def good_capture():
    """A clean takeover at T: handshakes before, DPD and a rekey after; hagw's outbound
    sequence numbers jump by the margin and the IV epoch changes (node bit 1)."""
    p = [pkt_ike(T - 10, IKE_SA_INIT, 0, False, False), pkt_ike(T - 9.9, IKE_SA_INIT, 0, True,
                                                                False),
         pkt_ike(T - 9.8, IKE_AUTH, 1, False, True), pkt_ike(T - 9.7, IKE_AUTH, 1, True, True)]
    p += flow(0xc1000001, False, range(1, 6), T - 1)		# client -> gw, UDP
    p += flow(0x0a000001, True, range(1, 6), T - 1)		# gw -> client, UDP
    p += flow(0xc1000002, False, range(1, 6), T - 1, encap=False)	# plain ESP
    p += flow(0x0a000002, True, range(1, 6), T - 1, encap=False)
    p += flow(0xc1000003, False, range(1, 4), T - 1, v6=True)	# IPv6, UDP
    p += [pkt_keepalive(T + 0.5), pkt_ike(T + 1, 37, 2, False, True),
          pkt_ike(T + 1.1, 37, 2, True, True), pkt_ike(T + 1.2, 36, 3, False, True),
          pkt_ike(T + 1.3, 36, 3, True, True)]
    p += flow(0xc1000001, False, range(6, 11), T + 2)
    p += flow(0x0a000001, True, range(1030, 1035), T + 2, epoch=3)
    p += flow(0xc1000002, False, range(6, 11), T + 2, encap=False)
    p += flow(0x0a000002, True, range(1030, 1035), T + 2, encap=False, epoch=3)
    p += flow(0xc1000003, False, range(4, 6), T + 2, v6=True)
    return p


def selftest_cases():
    g = good_capture()
    return [
        ("clean takeover", g, set()),
        ("(a) IKE_SA_INIT on 500 after T", g + [pkt_ike(T + 3, IKE_SA_INIT, 0, False, False)],
         {"a"}),
        ("(a) IKE_AUTH on 4500 after T", g + [pkt_ike(T + 3, IKE_AUTH, 1, True, True)], {"a"}),
        ("(b) UDP ESP: B starts below A's sequence numbers (no margin)",
         g + flow(0x0a000001, True, [3, 4], T + 3, epoch=5), {"b"}),
        ("(b) plain ESP: a sequence number of before again",
         g + flow(0xc1000002, False, [5], T + 3, encap=False, iv_of=lambda s: 0xabc),
         {"b"}),
        ("(b) IPv6 ESP: sequence number reset",
         g + flow(0xc1000003, False, [1], T + 3, v6=True, iv_of=lambda s: 0xdef), {"b"}),
        ("(c) UDP ESP: IV repeated, sequence numbers fine",
         g + flow(0x0a000001, True, [2000], T + 3, iv_of=lambda s: 2), {"c"}),
        ("(c) plain ESP: IV repeated",
         g + flow(0x0a000002, True, [2000], T + 3, encap=False,
                  iv_of=lambda s: (3 << IV_EPOCH_SHIFT) | 1031), {"c"}),
        ("(b)+(c) B restarts from A's state without margin or epoch",
         g + flow(0x0a000001, True, [5, 6], T + 3), {"b", "c"}),
        ("(t) no ESP after T", [x for x in g if x.time <= T], {"t"}),
    ]


def selftest(a):
    failures = 0
    with tempfile.TemporaryDirectory(prefix="ha_check.") as d:
        for i, (name, pkts, want) in enumerate(selftest_cases()):
            path = os.path.join(d, "case%d.pcap" % i)
            wrpcap(path, sorted(pkts, key=lambda p: p.time))
            res = check(path, T, a)
            got = {v["check"] for v in res["violations"]}
            ok = got == want and res["verdict"] == ("fail" if want else "pass")
            if i == 0:
                ok = ok and selftest_good_counts(res)
            failures += not ok
            print("%s - %s: violations %s (want %s)" % (
                "ok  " if ok else "FAIL", name, sorted(got) or "none", sorted(want) or "none"))
            if not ok or a.verbose:
                print(json.dumps(res, indent=1))
    print("selftest: %d cases, %d failed" % (len(selftest_cases()), failures))
    return 1 if failures else 0


def selftest_good_counts(res):
    """The clean capture parsed exactly: 4 IKE messages before (2 x 34 on 500, 2 x 35
    behind the marker), 4 after (37, 36), the keepalive skipped, 5 ESP SAs with their
    counts and bounds, the epochs of hagw's IVs."""
    sas = {r["spi"]: r for r in res["esp_sas"]}
    want = {
        "0xc1000001": (5, 5, [1, 5], [6, 10], [True], [0], [0]),
        "0x0a000001": (5, 5, [1, 5], [1030, 1034], [True], [0], [3]),
        "0xc1000002": (5, 5, [1, 5], [6, 10], [False], [0], [0]),
        "0x0a000002": (5, 5, [1, 5], [1030, 1034], [False], [0], [3]),
        "0xc1000003": (3, 2, [1, 3], [4, 5], [True], [0], [0]),
    }
    got = {k: (r["before"], r["after"], r["seq_before"], r["seq_after"], r["udp_encap"],
               r["iv_epochs_before"], r["iv_epochs_after"]) for k, r in sas.items()}
    ok = (res["ike"] == {"before": {"34": 2, "35": 2}, "after": {"36": 2, "37": 2}} and
          got == want and res["esp_packets"] == {"before": 23, "after": 22} and
          sas["0xc1000003"]["dst"] == GW6)
    if not ok:
        print("clean capture parsed wrongly: ike %s esp %s" % (res["ike"], got))
    return ok


def main():
    ap = argparse.ArgumentParser(description="Wire checks of an HA takeover")
    ap.add_argument("pcap", nargs="?")
    ap.add_argument("--takeover", type=float)
    ap.add_argument("--ike-port", type=int, default=500)
    ap.add_argument("--natt-port", type=int, default=4500)
    ap.add_argument("--iv-len", type=int, default=8)
    ap.add_argument("--allow-no-traffic", action="store_true")
    ap.add_argument("--selftest", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.selftest:
        return selftest(a)
    if not a.pcap or a.takeover is None:
        ap.error("PCAP and --takeover T are required (or --selftest)")
    try:
        res = check(a.pcap, a.takeover, a)
    except Exception as e:  # noqa: BLE001 (scapy's readers raise Scapy_Exception, OSError)
        print("ha_check: cannot read %s: %s" % (a.pcap, e), file=sys.stderr)
        return 2
    print(json.dumps(res))
    for v in res["violations"]:
        print("VIOLATION (%s): %s" % (v["check"], v["msg"]), file=sys.stderr)
    return 1 if res["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
