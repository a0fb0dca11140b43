#!/usr/bin/python3
"""Frames for hagw's integration tests, sent with scapy on a lab interface.

Run with Debian's /usr/bin/python3 (python3-scapy), inside the client namespace:

  frames.py send IFACE HAGW_MAC CLASS COUNT    send COUNT frames of CLASS (see CLASSES);
                                               prints the drop reason they must be counted as
  frames.py classes                            the classes, one "name reason" per line
  frames.py ttl1 IFACE HAGW_MAC DST COUNT      COUNT ICMP echo requests with TTL / hop limit 1;
                                               prints the seconds sending took
  frames.py arp IFACE TARGET                   ARP request for TARGET; prints the reply (JSON)
  frames.py ns IFACE TARGET                    neighbour solicitation; prints the NA (JSON)

Garbage is seeded: the same run sends the same bytes.
"""
import json
import random
import sys
import time

from scapy.all import (ARP, ICMP, IP, UDP, TCP, Dot1Q, Ether, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                       IPv6, Raw, conf, get_if_hwaddr, in6_getnsma, in6_getnsmac, inet_pton,
                       inet_ntop, sendp, sniff)
import socket

CLIENT4 = "192.0.2.2"
CLIENT6 = "2001:db8:1::2"
HAGW4 = "192.0.2.1"
HAGW6 = "2001:db8:1::1"
LAN4 = "198.51.100.2"
LAN6 = "2001:db8:2::2"
OTHER_MAC = "02:00:00:00:09:09"

rng = random.Random(4711)


def ipv4(dst=LAN4, src=CLIENT4, **kw):
    return IP(src=src, dst=dst, **kw)


def eth(ctx, dst=None, etype=None):
    e = Ether(src=ctx["mac"], dst=dst or ctx["hagw"])
    if etype is not None:
        e.type = etype
    return e


def raw_bytes(p):
    return bytes(p)


# Each class: (drop reason it must be counted as, function ctx, i -> frame)
def garbage(ctx, i):
    """IPv4 / IPv6 ethertype, random bytes with a wrong IP version."""
    body = bytearray(rng.randbytes(20 + rng.randrange(60)))
    if i % 2 == 0:
        body[0] = rng.choice([v for v in range(256) if v >> 4 != 4])
        return eth(ctx, etype=0x0800) / Raw(bytes(body))
    body[0] = rng.choice([v for v in range(256) if v >> 4 != 6])
    return eth(ctx, etype=0x86DD) / Raw(bytes(body))


def trunc_ipv4(ctx, i):
    full = raw_bytes(ipv4() / UDP(sport=1000, dport=2000) / Raw(b"x" * 32))
    kind = i % 4
    if kind == 0:  # header cut short
        return eth(ctx, etype=0x0800) / Raw(full[:10])
    if kind == 1:  # total length beyond the frame
        return eth(ctx, etype=0x0800) / Raw(raw_bytes(
            ipv4(len=200) / UDP(sport=1000, dport=2000) / Raw(b"x" * 32)))
    if kind == 2:  # IHL below 5
        b = bytearray(full)
        b[0] = 0x44
        return eth(ctx, etype=0x0800) / Raw(bytes(b))
    # IHL beyond the total length
    return eth(ctx, etype=0x0800) / Raw(raw_bytes(ipv4(ihl=15, len=40) / Raw(b"y" * 20)))


def trunc_ipv6(ctx, i):
    full = raw_bytes(IPv6(src=CLIENT6, dst=LAN6) / UDP(sport=1000, dport=2000) / Raw(b"x" * 32))
    if i % 2 == 0:  # header cut short
        return eth(ctx, etype=0x86DD) / Raw(full[:20])
    # payload length beyond the frame
    b = bytearray(full)
    b[4:6] = (400).to_bytes(2, "big")
    return eth(ctx, etype=0x86DD) / Raw(bytes(b))


def trunc_arp(ctx, i):
    full = raw_bytes(ARP(op=1, hwsrc=ctx["mac"], psrc=CLIENT4, pdst=HAGW4))
    return eth(ctx, dst="ff:ff:ff:ff:ff:ff", etype=0x0806) / Raw(full[: 8 + i % 12])


def trunc_l4(ctx, i):
    """Consistent IP headers whose upper-layer header does not fit."""
    if i % 2 == 0:
        ip = ipv4(proto=17) / Raw(b"\x03\xe8\x07")  # 3 bytes of UDP
        return eth(ctx, etype=0x0800) / Raw(raw_bytes(ip))
    ip6 = IPv6(src=CLIENT6, dst=LAN6, nh=6) / Raw(b"\x00" * 10)  # 10 bytes of TCP
    return eth(ctx) / ip6


def unknown_ethertype(ctx, i):
    return eth(ctx, etype=[0x88B5, 0x9000, 0x88CC][i % 3]) / Raw(rng.randbytes(46))


def vlan(ctx, i):
    inner = ipv4() / UDP(sport=1000, dport=2000) / Raw(b"v" * 20)
    if i % 2 == 0:
        return eth(ctx) / Dot1Q(vlan=10) / inner
    return eth(ctx, etype=0x88A8) / Dot1Q(vlan=20) / inner


def oversize(ctx, i):
    """1504-byte IP datagrams on a 1500-byte port: 4 bytes over."""
    if i % 2 == 0:
        return eth(ctx) / ipv4(flags="DF") / UDP(sport=1000, dport=2000) / Raw(b"o" * (1504 - 28))
    return eth(ctx) / IPv6(src=CLIENT6, dst=LAN6) / UDP(sport=1000, dport=2000) / Raw(
        b"o" * (1504 - 48))


def not_our_mac(ctx, i):
    if i % 2 == 0:
        return eth(ctx, dst=OTHER_MAC) / ipv4() / UDP(sport=1000, dport=2000) / Raw(b"m" * 20)
    return eth(ctx, dst=OTHER_MAC) / IPv6(src=CLIENT6, dst=LAN6) / UDP(sport=1000, dport=2000)


def arp_not_for_us(ctx, i):
    """Requests between two other stations of the segment: neither for hagw nor from a
    neighbour it knows (from a known one, RFC 826's merge rule refreshes that entry)."""
    return eth(ctx, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=ctx["mac"],
                                                   psrc="192.0.2.%d" % (200 + i % 50),
                                                   pdst="192.0.2.%d" % (100 + i % 50))


def nd_not_for_us(ctx, i):
    target = "2001:db8:1::%x" % (0x100 + i % 50)
    nsma = inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, target)))
    return (eth(ctx, dst=in6_getnsmac(inet_pton(socket.AF_INET6, nsma))) /
            IPv6(src=CLIENT6, dst=nsma, hlim=255) / ICMPv6ND_NS(tgt=target) /
            ICMPv6NDOptSrcLLAddr(lladdr=ctx["mac"]))


def bad_ip_checksum(ctx, i):
    p = ipv4() / UDP(sport=1000, dport=2000) / Raw(b"c" * 20)
    good = IP(raw_bytes(p)).chksum
    p[IP].chksum = good ^ (1 + i % 0xFFFE)
    return eth(ctx) / p


def martian(ctx, i):
    kinds = [
        ipv4(src="127.0.0.1"),
        ipv4(dst="127.0.0.1"),
        ipv4(dst="0.1.2.3"),
        ipv4(src="224.0.0.5"),
        ipv4(src="0.0.0.7"),
        IPv6(src=CLIENT6, dst="::1"),
        IPv6(src="ff02::1", dst=LAN6),
        IPv6(src=CLIENT6, dst="fe80::99"),
        IPv6(src="fe80::1", dst=LAN6),
        IPv6(src="::1", dst=LAN6),
    ]
    return eth(ctx) / kinds[i % len(kinds)] / UDP(sport=1000, dport=2000) / Raw(b"z" * 8)


def no_route(ctx, i):
    if i % 2 == 0:
        return eth(ctx) / ipv4(dst="10.9.9.%d" % (1 + i)) / UDP(sport=1000, dport=2000)
    return eth(ctx) / IPv6(src=CLIENT6, dst="2001:db8:99::%x" % (1 + i)) / UDP(
        sport=1000, dport=2000)


def local_unsupported(ctx, i):
    """TCP to hagw itself: nothing listens."""
    if i % 2 == 0:
        return eth(ctx) / ipv4(dst=HAGW4) / TCP(sport=1000, dport=22, flags="S")
    return eth(ctx) / IPv6(src=CLIENT6, dst=HAGW6) / TCP(sport=1000, dport=22, flags="S")


CLASSES = {
    "garbage": ("malformed", garbage),
    "trunc_ipv4": ("malformed", trunc_ipv4),
    "trunc_ipv6": ("malformed", trunc_ipv6),
    "trunc_arp": ("malformed", trunc_arp),
    "trunc_l4": ("malformed", trunc_l4),
    "unknown_ethertype": ("unknown_ethertype", unknown_ethertype),
    "vlan": ("unknown_ethertype", vlan),
    "oversize": ("oversize", oversize),
    "not_our_mac": ("not_our_mac", not_our_mac),
    "arp_not_for_us": ("arp_not_for_us", arp_not_for_us),
    "nd_not_for_us": ("nd_not_for_us", nd_not_for_us),
    "bad_ip_checksum": ("bad_ip_checksum", bad_ip_checksum),
    "martian": ("martian", martian),
    "no_route": ("no_route", no_route),
    "local_unsupported": ("local_unsupported", local_unsupported),
}


def cmd_send(iface, hagw_mac, cls, count):
    reason, make = CLASSES[cls]
    ctx = {"mac": get_if_hwaddr(iface), "hagw": hagw_mac}
    frames = [make(ctx, i) for i in range(int(count))]
    sendp(frames, iface=iface, verbose=0)
    print(reason)


def cmd_ttl1(iface, hagw_mac, dst, count):
    ctx = {"mac": get_if_hwaddr(iface), "hagw": hagw_mac}
    if ":" in dst:
        frames = [eth(ctx) / IPv6(src=CLIENT6, dst=dst, hlim=1) / ICMPv6EchoRequest(id=77, seq=i)
                  for i in range(int(count))]
    else:
        frames = [eth(ctx) / ipv4(dst=dst, ttl=1) / ICMP(id=77, seq=i)
                  for i in range(int(count))]
    start = time.monotonic()
    sendp(frames, iface=iface, verbose=0)
    print("%.3f" % (time.monotonic() - start))


def exchange(req, iface, match):
    """Sends req once the capture runs; returns the first frame that matches, or None."""
    got = sniff(iface=iface, lfilter=match, count=1, timeout=3,
                started_callback=lambda: sendp(req, iface=iface, verbose=0))
    return got[0] if got else None


def cmd_arp(iface, target):
    mac = get_if_hwaddr(iface)
    req = Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=mac, psrc=CLIENT4, pdst=target)
    rep = exchange(req, iface, lambda p: ARP in p and p[ARP].op == 2 and p[ARP].psrc == target)
    if rep is None:
        print("{}")
        return 1
    a = rep[ARP]
    print(json.dumps({"eth_src": rep.src, "eth_dst": rep.dst, "op": a.op, "hwsrc": a.hwsrc,
                      "psrc": a.psrc, "hwdst": a.hwdst, "pdst": a.pdst}))
    return 0


def cmd_ns(iface, target):
    mac = get_if_hwaddr(iface)
    tgt = inet_pton(socket.AF_INET6, target)
    nsma = inet_ntop(socket.AF_INET6, in6_getnsma(tgt))
    req = (Ether(src=mac, dst=in6_getnsmac(inet_pton(socket.AF_INET6, nsma))) /
           IPv6(src=CLIENT6, dst=nsma, hlim=255) / ICMPv6ND_NS(tgt=target) /
           ICMPv6NDOptSrcLLAddr(lladdr=mac))
    rep = exchange(req, iface, lambda p: ICMPv6ND_NA in p and p[ICMPv6ND_NA].tgt == target)
    if rep is None:
        print("{}")
        return 1
    na = rep[ICMPv6ND_NA]
    opt = rep[ICMPv6NDOptDstLLAddr].lladdr if ICMPv6NDOptDstLLAddr in rep else None
    print(json.dumps({"eth_src": rep.src, "eth_dst": rep.dst, "src": rep[IPv6].src,
                      "dst": rep[IPv6].dst, "hlim": rep[IPv6].hlim, "tgt": na.tgt, "R": na.R,
                      "S": na.S, "O": na.O, "lladdr": opt}))
    return 0


def main(argv):
    conf.verb = 0
    if len(argv) >= 2 and argv[1] == "classes":
        for name, (reason, _) in CLASSES.items():
            print(name, reason)
        return 0
    if len(argv) == 6 and argv[1] == "send":
        cmd_send(*argv[2:])
        return 0
    if len(argv) == 6 and argv[1] == "ttl1":
        cmd_ttl1(*argv[2:])
        return 0
    if len(argv) == 4 and argv[1] == "arp":
        return cmd_arp(*argv[2:])
    if len(argv) == 4 and argv[1] == "ns":
        return cmd_ns(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
