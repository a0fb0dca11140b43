#!/usr/bin/env python3
"""Hostile IKEv2 input for tests/integration/test_ike_hostile.sh (run in the client namespace).

  ike_hostile.py send DST PORT CASE [--marker] [--reply S]
        one malformed (or hostile) datagram CASE to DST:PORT over a UDP socket, with the
        RFC 3948 non-ESP marker if --marker; with --reply, waits S seconds for an answer and
        prints it as scapy dissects it: "reply exch=34 resp=1 notify=TYPE:DATAHEX ..."
        or "reply none"
  ike_hostile.py udp DST PORT CASE
        an IKE_SA_INIT in a UDP datagram broken at the UDP layer (scapy, raw IP):
        badsum (wrong checksum), ulen-big / ulen-small (UDP length above / below the IP payload)
  ike_hostile.py sk DST PCAP MSGID CASE
        strongSwan's IKE_AUTH request from the capture PCAP, its message ID set to MSGID, sent
        to DST:4500 (with the marker): badicv (last byte of the ICV flipped), sklen (the SK
        payload's length runs past the end of the datagram)
  ike_hostile.py flood DST FIRST COUNT THRESH N OUT
        IKE_SA_INIT requests (SA/KE/Nonce: AES-GCM-16-128, PRF-HMAC-SHA2-256, Curve25519) from
        the COUNT addresses FIRST, FIRST+1, ... (bound sockets): phase A, one request from each
        of the first THRESH sources; phase B, N requests round-robin over all sources, never
        answering a COOKIE (touches OUT.b when B starts). Prints JSON {"a": {...}, "b": {...}}
        of reply kinds: full (SA payload), cookie, none, other
  ike_hostile.py limits DST FIRST COUNT PER
        cookie-returning sources FIRST.. (COUNT of them), each sending PER requests: every
        COOKIE is answered with a request that carries it. Prints JSON {"full", "cookie",
        "none", "other"} counts.
"""
import ipaddress
import json
import os
import selectors
import socket
import struct
import sys
import time

IKE_PORT = 500
NATT_PORT = 4500
MARKER = b"\0\0\0\0"
PL_NONE, PL_SA, PL_KE, PL_NONCE, PL_NOTIFY, PL_SK = 0, 33, 34, 40, 41, 46
EXCH_SA_INIT, EXCH_AUTH, EXCH_INFO = 34, 35, 37
F_INITIATOR, F_RESPONSE = 0x08, 0x20
N_COOKIE = 16390
PL_UNKNOWN = 200            # private use: hagw knows no such payload
CRITICAL = 0x80
HDR_LEN = 28


def payload(nxt, body, flags=0):
    return struct.pack("!BBH", nxt, flags, 4 + len(body)) + body


def transform(last, ttype, tid, attrs=b""):
    body = struct.pack("!BxH", ttype, tid) + attrs
    return struct.pack("!BxH", 0 if last else 3, 4 + len(body)) + body


def sa_body():
    keylen = struct.pack("!HH", 0x800E, 128)
    trans = (transform(False, 1, 20, keylen) + transform(False, 2, 5) +
             transform(True, 4, 31))
    prop = struct.pack("!BBBB", 1, 1, 0, 3) + trans
    return struct.pack("!BxH", 0, 4 + len(prop)) + prop


def header(spi_i, spi_r, nxt, exch, flags, msgid, length):
    return struct.pack("!QQBBBBII", spi_i, spi_r, nxt, 0x20, exch, flags, msgid, length)


def ike_msg(spi_i, payloads, exch=EXCH_SA_INIT, flags=F_INITIATOR, spi_r=0, msgid=0,
            length=None):
    """payloads: [(type, body, flags)] in order."""
    out = b""
    for i, (ptype, body, pflags) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else PL_NONE
        out += payload(nxt, body, pflags)
    first = payloads[0][0] if payloads else PL_NONE
    total = HDR_LEN + len(out) if length is None else length
    return header(spi_i, spi_r, first, exch, flags, msgid, total) + out


def sa_init_payloads(extra=()):
    return [(PL_SA, sa_body(), 0), (PL_KE, struct.pack("!HH", 31, 0) + os.urandom(32), 0),
            (PL_NONCE, os.urandom(32), 0)] + list(extra)


def sa_init(spi_i, extra=()):
    return ike_msg(spi_i, sa_init_payloads(extra))


def with_cookie(spi_i, pls, cookie):
    """RFC 7296 §2.6: the same request again, the COOKIE notify first."""
    return ike_msg(spi_i, [(PL_NOTIFY, struct.pack("!BBH", 0, 0, N_COOKIE) + cookie, 0)] + pls)


def spi_of(case):
    return 0x4b1d000000000000 | (sum(case.encode()) << 8)


def case_bytes(case):
    spi = spi_of(case)
    good = sa_init(spi)
    if case == "trunc":         # shorter than the IKE header
        return good[:20]
    if case == "len-big":       # IKE length above the datagram
        return good[:24] + struct.pack("!I", len(good) + 16) + good[28:]
    if case == "len-small":     # IKE length below the datagram
        return good[:24] + struct.pack("!I", len(good) - 16) + good[28:]
    if case == "pl-past-end":   # the Nonce payload's length runs past the end
        off = len(good) - 36    # its generic header: 4 + 32 octets of nonce
        assert good[off + 2:off + 4] == struct.pack("!H", 36)
        return good[:off + 2] + struct.pack("!H", 36 + 64) + good[off + 4:]
    if case == "critical":      # an unknown payload with the critical bit
        return sa_init(spi, extra=[(PL_UNKNOWN, b"hostile!", CRITICAL)])
    if case == "no-i-flag":     # IKE_SA_INIT request without the Initiator flag
        return good[:19] + bytes([0]) + good[20:]
    if case == "no-ke":         # IKE_SA_INIT without its KE payload
        return ike_msg(spi, [(PL_SA, sa_body(), 0), (PL_NONCE, os.urandom(32), 0)])
    if case == "unknown-spi":   # a well-formed INFORMATIONAL of an SA that does not exist
        return ike_msg(spi, [], exch=EXCH_INFO, spi_r=0x0123456789abcdef, msgid=1)
    if case == "garbage":       # fixed pseudo-random bytes, first octet non-zero
        data = bytearray((i * 73 + 41) & 0xff for i in range(200))
        data[0] = 0xa5
        struct.pack_into("!I", data, 24, 9999)      # never a consistent length
        return bytes(data)
    if case == "empty":
        return b""
    if case == "short3":        # 3 octets: neither a marker nor ESP
        return b"\0\0\0"
    if case == "keepalive":     # RFC 3948 §2.3 NAT-keepalive
        return b"\xff"
    if case == "good":
        return good
    raise SystemExit("unknown case " + case)


def describe(data):
    """A reply as scapy dissects it."""
    from scapy.contrib.ikev2 import IKEv2, IKEv2_payload_Notify
    pkt = IKEv2(data)
    words = ["reply", "exch=%d" % pkt.exch_type, "resp=%d" % (1 if pkt.flags & F_RESPONSE else 0),
             "spi_i=%016x" % int.from_bytes(pkt.init_SPI, "big")]
    layer = pkt.getlayer(IKEv2_payload_Notify)
    while layer is not None:
        load = bytes(layer.load) if layer.load else b""
        words.append("notify=%d:%s" % (layer.type, load.hex()))
        layer = layer.payload.getlayer(IKEv2_payload_Notify) if layer.payload else None
    return " ".join(words)


def cmd_send(argv):
    dst, port, case = argv[0], int(argv[1]), argv[2]
    marker = "--marker" in argv
    wait = float(argv[argv.index("--reply") + 1]) if "--reply" in argv else 0
    data = (MARKER if marker else b"") + case_bytes(case)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(data, (dst, port))
    print("sent %d" % len(data))
    if wait:
        s.settimeout(wait)
        try:
            rep = s.recv(65535)
        except socket.timeout:
            print("reply none")
            return
        if port == NATT_PORT:
            if rep[:4] != MARKER:
                print("reply no-marker")
                return
            rep = rep[4:]
        print(describe(rep))


def cmd_udp(argv):
    from scapy.all import IP, UDP, Raw, send
    dst, port, case = argv[0], int(argv[1]), argv[2]
    data = (MARKER if port == NATT_PORT else b"") + case_bytes("good")
    if case == "badsum":
        udp = UDP(sport=40000, dport=port)
        raw = bytes(IP(dst=dst) / udp / Raw(data))
        pkt = IP(raw)
        pkt[UDP].chksum ^= 0x5a5a
    elif case == "ulen-big":        # no checksum (0, RFC 768): the length alone is wrong
        pkt = IP(dst=dst) / UDP(sport=40001, dport=port, len=8 + len(data) + 40,
                                chksum=0) / Raw(data)
    elif case == "ulen-small":
        pkt = IP(dst=dst) / UDP(sport=40002, dport=port, len=8 + len(data) - 40,
                                chksum=0) / Raw(data)
    else:
        raise SystemExit("unknown case " + case)
    send(pkt, verbose=False)
    print("sent 1")


def ike_auth_request(pcap):
    """strongSwan's IKE_AUTH request (marker stripped) from a capture."""
    from scapy.all import UDP, rdpcap
    for p in rdpcap(pcap):
        if UDP not in p or p[UDP].dport != NATT_PORT:
            continue
        data = bytes(p[UDP].payload)
        if data[:4] != MARKER or len(data) < 4 + HDR_LEN:
            continue
        data = data[4:]
        exch, flags = data[18], data[19]
        if exch == EXCH_AUTH and not flags & F_RESPONSE and data[16] == PL_SK:
            return data
    raise SystemExit("no IKE_AUTH request in " + pcap)


def cmd_sk(argv):
    dst, pcap, msgid, case = argv[0], argv[1], int(argv[2]), argv[3]
    msg = bytearray(ike_auth_request(pcap))
    struct.pack_into("!I", msg, 20, msgid)
    if case == "badicv":
        msg[-1] ^= 0x01
    elif case == "sklen":
        (sklen,) = struct.unpack_from("!H", msg, HDR_LEN + 2)
        struct.pack_into("!H", msg, HDR_LEN + 2, sklen + 100)
    else:
        raise SystemExit("unknown case " + case)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(MARKER + bytes(msg), (dst, NATT_PORT))
    print("sent %d spi_i=%s" % (len(msg) + 4, msg[:8].hex()))


# ---- the flood ----

def sources(first, count):
    base = ipaddress.IPv4Address(first)
    socks = []
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((str(base + i), 0))
        s.setblocking(False)
        socks.append(s)
    return socks


def kind(data):
    """full | cookie (with the cookie) | other."""
    if len(data) < HDR_LEN or data[18] != EXCH_SA_INIT or not data[19] & F_RESPONSE:
        return "other", None
    nxt, off = data[16], HDR_LEN
    while nxt != PL_NONE and off + 4 <= len(data):
        (plen,) = struct.unpack_from("!H", data, off + 2)
        if nxt == PL_SA:
            return "full", None
        if nxt == PL_NOTIFY and struct.unpack_from("!H", data, off + 6)[0] == N_COOKIE:
            return "cookie", data[off + 8:off + plen]
        nxt = data[off]
        off += plen
        if plen < 4:
            break
    return "other", None


class Flood:
    """Requests in flight keyed by initiator SPI; replies read from every socket."""

    def __init__(self, dst, socks, timeout):
        self.dst = dst
        self.timeout = timeout
        self.msgs = {}          # spi -> payloads of the request (sent again with a cookie)
        self.socks = socks
        self.sel = selectors.DefaultSelector()
        for s in socks:
            self.sel.register(s, selectors.EVENT_READ)
        self.pending = {}       # spi -> (deadline, sock)
        self.counts = {"full": 0, "cookie": 0, "none": 0, "other": 0}
        self.cookies = {}       # spi -> cookie, for limits

    def send(self, sock, spi, cookie=None):
        if cookie is None:
            self.msgs[spi] = sa_init_payloads()
            data = ike_msg(spi, self.msgs[spi])
        else:
            data = with_cookie(spi, self.msgs[spi], cookie)
        sock.sendto(data, (self.dst, IKE_PORT))
        self.pending[spi] = (time.monotonic() + self.timeout, sock)

    def poll(self, timeout):
        for key, _ in self.sel.select(timeout):
            while True:
                try:
                    data = key.fileobj.recv(65535)
                except BlockingIOError:
                    break
                if len(data) < HDR_LEN:
                    self.counts["other"] += 1
                    continue
                spi = struct.unpack_from("!Q", data, 0)[0]
                if self.pending.pop(spi, None) is None:
                    self.counts["other"] += 1
                    continue
                k, cookie = kind(data)
                self.counts[k] += 1
                if k == "cookie":
                    self.cookies[spi] = cookie
        now = time.monotonic()
        for spi, (deadline, _) in list(self.pending.items()):
            if deadline < now:
                del self.pending[spi]
                self.counts["none"] += 1

    def drain(self):
        while self.pending:
            self.poll(0.1)


def new_spi():
    return struct.unpack("!Q", os.urandom(8))[0] | (1 << 63)


def cmd_flood(argv):
    dst, first, count, thresh, n, out = argv[0], argv[1], int(argv[2]), int(argv[3]), \
        int(argv[4]), argv[5]
    socks = sources(first, count)
    result = {}
    f = Flood(dst, socks, 2.0)
    for s in socks[:thresh]:            # A: up to the cookie threshold
        f.send(s, new_spi())
        f.poll(0.02)
    f.drain()
    result["a"] = f.counts
    f = Flood(dst, socks, 2.0)
    open(out + ".b", "w").close()
    rate, window = 400.0, 32            # B: modest, paced, a window in flight
    start = time.monotonic()
    for i in range(n):
        while len(f.pending) >= window:
            f.poll(0.05)
        while time.monotonic() < start + i / rate:
            f.poll(max(0.0, start + i / rate - time.monotonic()))
        f.send(socks[i % count], new_spi())
    f.drain()
    result["b"] = f.counts
    result["b_seconds"] = round(time.monotonic() - start, 2)
    print(json.dumps(result))


def cmd_limits(argv):
    dst, first, count, per = argv[0], argv[1], int(argv[2]), int(argv[3])
    socks = sources(first, count)
    f = Flood(dst, socks, 1.0)
    for s in socks:
        for _ in range(per):
            spi = new_spi()
            f.send(s, spi)
            f.drain()
            if spi in f.cookies:        # answer the COOKIE, as a real initiator would
                f.send(s, spi, f.cookies.pop(spi))
                f.drain()
    print(json.dumps(f.counts))


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmds = {"send": cmd_send, "udp": cmd_udp, "sk": cmd_sk, "flood": cmd_flood,
            "limits": cmd_limits}
    if sys.argv[1] not in cmds:
        raise SystemExit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
