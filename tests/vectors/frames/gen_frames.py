#!/usr/bin/python3
"""Sample frames for the dp_pkt_parse unit test and fuzz seed corpus.

Built with scapy (independent of hagw's parser): writes NAME.bin for every
frame and prints each one as a hex string for tests/unit/dataplane/
test_pkt_parse.c. Run: /usr/bin/python3 gen_frames.py [OUTDIR]
"""
import os
import sys

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Ether, ICMPv6EchoRequest,
                       ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPOption_Router_Alert, Padding, Raw)
from scapy.layers.ipsec import AH, ESP

SRC_MAC = "02:00:00:00:00:01"
DST_MAC = "02:00:00:00:00:02"


def eth(dst=DST_MAC):
    return Ether(src=SRC_MAC, dst=dst)


def ip4(**kw):
    return IP(src="192.0.2.1", dst="198.51.100.7", id=0x1234, ttl=64, **kw)


def ip6(**kw):
    return IPv6(src="2001:db8::1", dst="2001:db8:1::7", hlim=64, **kw)


FRAMES = [
    ("arp_request", eth("ff:ff:ff:ff:ff:ff") /
     ARP(op=1, hwsrc=SRC_MAC, psrc="192.0.2.1", pdst="192.0.2.2")),
    ("ipv4_icmp_echo", eth() / ip4() / ICMP(id=7, seq=1) / Raw(b"abcdefgh")),
    ("ipv4_udp", eth() / ip4() / UDP(sport=1234, dport=53) / Raw(b"hello")),
    ("ipv4_tcp", eth() / ip4() / TCP(sport=40000, dport=22, flags="S", seq=1,
                                     options=[("MSS", 1460)]) / Raw(b"data")),
    ("ipv4_options_udp", eth() / ip4(options=[IPOption_Router_Alert()]) /
     UDP(sport=5000, dport=5001) / Raw(b"xyz")),
    ("ipv4_first_fragment", eth() / ip4(flags="MF", frag=0, proto=17) /
     UDP(sport=7, dport=7, len=100) / Raw(b"0123456789abcdef")),
    ("ipv4_later_fragment", eth() / ip4(frag=3, proto=17) / Raw(b"wxyz")),
    ("ipv6_icmpv6_ns", Ether(src=SRC_MAC, dst="33:33:ff:00:00:02") /
     IPv6(src="fe80::1", dst="ff02::1:ff00:2", hlim=255) /
     ICMPv6ND_NS(tgt="2001:db8::2") / ICMPv6NDOptSrcLLAddr(lladdr=SRC_MAC)),
    ("ipv6_hbh_frag_dst_udp", eth() / ip6() / IPv6ExtHdrHopByHop() /
     IPv6ExtHdrFragment(offset=0, m=1, id=99) / IPv6ExtHdrDestOpt() /
     UDP(sport=9, dport=9, len=200) / Raw(b"payload!")),
    ("ipv6_later_fragment", eth() / ip6() /
     IPv6ExtHdrFragment(offset=100, m=0, id=99, nh=17) / Raw(b"tail")),
    ("ipv6_routing_tcp", eth() / ip6() /
     IPv6ExtHdrRouting(addresses=["2001:db8::99"]) /
     TCP(sport=40000, dport=443, flags="S")),
    ("ipv6_first_fragment_echo", eth() / ip6() /
     IPv6ExtHdrFragment(offset=0, m=1, id=5) / ICMPv6EchoRequest(id=1, seq=2)),
    ("ipv6_esp", eth() / ip6() / ESP(spi=0x1000, seq=1, data=b"\x00" * 16)),
    ("ipv6_ah_udp", eth() / ip6() /
     AH(spi=0x2000, seq=1, icv=b"\x00" * 12, nh=17, payloadlen=4) /
     UDP(sport=1, dport=2)),
    ("ipv6_no_next_header", eth() / ip6(nh=59)),
    ("ipv4_esp", eth() / ip4(proto=50) /
     Raw(b"\x00\x00\x10\x00\x00\x00\x00\x01" + b"\x00" * 8)),
    ("ipv4_padded", eth() / ip4() / ICMP(id=1, seq=1) / Padding(b"\x00" * 18)),
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else here
    for name, pkt in FRAMES:
        raw = bytes(pkt)
        with open(os.path.join(outdir, name + ".bin"), "wb") as f:
            f.write(raw)
        print(f"{name} {len(raw)} {raw.hex()}")


if __name__ == "__main__":
    main()
