#!/usr/bin/python3
"""Known-answer ESP packets (RFC 4303) built from python3-cryptography primitives only.

This is the check of hagw's ESP that shares no code with hagw, with scapy or with tshark:
AESGCM (RFC 4106), ChaCha20Poly1305 (RFC 7634), AES-CBC (RFC 3602) with HMAC-SHA-256-128
(RFC 4868), RFC 4303 padding and trailer, extended sequence numbers (RFC 4303 §2.2.1: the
high 32 bits are in the AEAD AAD (RFC 4106 §5, RFC 7634 §2.1) and appended to the HMAC input
(RFC 4303 §3.3.2.1 / §3.4.3)), tunnel and transport mode over IPv4/IPv6, and UDP
encapsulation (RFC 3948 §2.1: UDP length over the whole ESP, checksum zero on IPv4; on IPv6 a
real checksum, RFC 8200 §8.1). It is used where scapy 2.5 is wrong (HMAC with ESN, NAT-T UDP
length) and tshark 4.0 cannot look (ChaCha20-Poly1305, ESN).

Run with Debian's /usr/bin/python3:

  esp_kat.py selftest        the published vectors: RFC 7634 Appendix A (whole packet),
                             RFC 3602 cases 5-8 (CBC ESP packets, no ICV) and the ESP test
                             cases of draft-mcgrew-gcm-test-01 (GCM-128/256, with ESN)
  esp_kat.py open ALG KEY AUTHKEY ESN SEQHI HEX
                             decrypts one ESP (SPI..ICV, hex) and prints its fields

As a module: Sa, seal(), open_esp(), build_packet(), parse_packet(), expected_like().
"""
import ipaddress
import socket
import struct
import sys
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.exceptions import InvalidTag

ESP_HDR = 8                 # SPI + sequence number (RFC 4303 §2)
SALT = 4                    # RFC 4106 §4 / RFC 7634 §2: key material = key || 4-byte salt
ICV = 16                    # every algorithm here has a 16-byte ICV
UDP_HDR = 8
NATT_PORT = 4500            # RFC 3948 §2.1
PROTO_ICMP = 1
PROTO_IPIP = 4              # next header of an IPv4 inner packet (tunnel mode)
PROTO_UDP = 17
PROTO_IPV6 = 41
PROTO_ESP = 50
PROTO_ICMPV6 = 58
IPV4_HDR = 20
IPV6_HDR = 40
IPV4_DF = 0x4000


@dataclass(frozen=True)
class Alg:
    name: str
    kind: str               # "gcm", "chacha" or "cbc"
    enc_len: int            # key material in the config (AEAD: incl. the salt)
    iv_len: int             # explicit IV on the wire
    align: int              # RFC 4303 §2.4: payload + trailer a multiple of this


ALGS = {
    "aes-gcm-128": Alg("aes-gcm-128", "gcm", 16 + SALT, 8, 4),
    "aes-gcm-256": Alg("aes-gcm-256", "gcm", 32 + SALT, 8, 4),
    "aes-cbc-128-hmac-sha256": Alg("aes-cbc-128-hmac-sha256", "cbc", 16, 16, 16),
    "aes-cbc-256-hmac-sha256": Alg("aes-cbc-256-hmac-sha256", "cbc", 32, 16, 16),
    "chacha20-poly1305": Alg("chacha20-poly1305", "chacha", 32 + SALT, 8, 4),
}


class KatError(Exception):
    """A packet that does not decrypt or parse; .reason is a short word (auth, length, ...)."""

    def __init__(self, reason, msg):
        super().__init__("%s: %s" % (reason, msg))
        self.reason = reason


@dataclass
class Sa:
    """One direction of an SA as the sender uses it: outer src/dst are the sender's."""
    alg: str
    spi: int
    key: bytes
    auth_key: bytes = b""   # CBC: 32 bytes; b"" = no ICV at all (RFC 3602 vectors only)
    esn: bool = False
    mode: str = "tunnel"    # tunnel | transport
    src: str = ""           # outer source (tunnel) / the host (transport)
    dst: str = ""
    udp_encap: bool = False
    sport: int = NATT_PORT
    dport: int = NATT_PORT
    extra: dict = field(default_factory=dict)

    @property
    def a(self):
        return ALGS[self.alg]

    @property
    def icv_len(self):
        if self.a.kind == "cbc" and not self.auth_key:
            return 0
        return ICV


# ---- ESP proper (SPI .. ICV) -------------------------------------------------------------

def pad_len(body_len, align):
    """RFC 4303 §2.4: the smallest padding that aligns payload + pad length + next header."""
    return (-(body_len + 2)) % align


def padding(n):
    """RFC 4303 §2.4: the default padding bytes 1, 2, 3, ..."""
    return bytes(range(1, n + 1))


def _aead(sa):
    key = sa.key[:-SALT]
    return AESGCM(key) if sa.a.kind == "gcm" else ChaCha20Poly1305(key)


def _aad(sa, seq):
    lo, hi = seq & 0xffffffff, seq >> 32
    if sa.esn:
        return struct.pack("!III", sa.spi, hi, lo)
    return struct.pack("!II", sa.spi, lo)


def _hmac(sa, data, seq):
    h = crypto_hmac.HMAC(sa.auth_key, hashes.SHA256())
    h.update(data)
    if sa.esn:
        h.update(struct.pack("!I", seq >> 32))
    return h.finalize()[:ICV]


def _check_key(sa):
    if len(sa.key) != sa.a.enc_len:
        raise ValueError("%s: key is %d bytes, not %d" % (sa.alg, len(sa.key), sa.a.enc_len))
    if sa.a.kind == "cbc" and sa.auth_key and len(sa.auth_key) != 32:
        raise ValueError("HMAC-SHA-256 key must be 32 bytes")


def seal(sa, seq, iv, payload, nh, pad=None):
    """ESP (SPI || seq low || IV || ciphertext || ICV) of payload with next header nh.
    seq is the full 64-bit sequence number (only its low half is on the wire). pad: padding
    bytes to use instead of the default (for malformed packets)."""
    _check_key(sa)
    if not sa.esn and seq >> 32:
        raise ValueError("sequence number %d needs ESN" % seq)
    if len(iv) != sa.a.iv_len:
        raise ValueError("IV must be %d bytes" % sa.a.iv_len)
    if pad is None:
        pad = padding(pad_len(len(payload), sa.a.align))
    plain = payload + pad + bytes([len(pad), nh])
    hdr = struct.pack("!II", sa.spi, seq & 0xffffffff)
    if sa.a.kind in ("gcm", "chacha"):
        return hdr + iv + _aead(sa).encrypt(sa.key[-SALT:] + iv, plain, _aad(sa, seq))
    if len(plain) % 16:
        raise ValueError("CBC plaintext not a multiple of 16 bytes")
    enc = Cipher(algorithms.AES(sa.key), modes.CBC(iv)).encryptor()
    body = hdr + iv + enc.update(plain) + enc.finalize()
    if not sa.auth_key:
        return body
    return body + _hmac(sa, body, seq)


@dataclass
class Plain:
    spi: int
    seq: int                # full 64-bit number (high half as given to open_esp)
    iv: bytes
    payload: bytes
    pad: bytes
    nh: int
    icv: bytes

    @property
    def pad_ok(self):
        """Default padding (1, 2, 3, ...) of the minimal length (RFC 4303 §2.4)."""
        return self.pad == padding(len(self.pad))

    def pad_minimal(self, align):
        return len(self.pad) == pad_len(len(self.payload), align)


def open_esp(sa, esp, seq_hi=0):
    """Verifies and decrypts one ESP (SPI .. ICV). seq_hi: the high 32 bits the receiver
    infers (ESN). Raises KatError with reason length/spi/auth/trailer."""
    _check_key(sa)
    a = sa.a
    if len(esp) < ESP_HDR + a.iv_len + sa.icv_len + 2:
        raise KatError("length", "ESP of %d bytes is too short" % len(esp))
    spi, lo = struct.unpack("!II", esp[:ESP_HDR])
    if spi != sa.spi:
        raise KatError("spi", "SPI 0x%08x, SA has 0x%08x" % (spi, sa.spi))
    seq = (seq_hi << 32) | lo if sa.esn else lo
    iv = esp[ESP_HDR:ESP_HDR + a.iv_len]
    ct = esp[ESP_HDR + a.iv_len:]
    if a.kind in ("gcm", "chacha"):
        try:
            plain = _aead(sa).decrypt(sa.key[-SALT:] + iv, ct, _aad(sa, seq))
        except InvalidTag:
            raise KatError("auth", "AEAD tag does not verify") from None
        icv = ct[-ICV:]
    else:
        icv = b""
        if sa.auth_key:
            icv = ct[-ICV:]
            ct = ct[:-ICV]
            h = crypto_hmac.HMAC(sa.auth_key, hashes.SHA256())
            h.update(esp[:len(esp) - ICV])
            if sa.esn:
                h.update(struct.pack("!I", seq_hi))
            if not _ct_equal(h.finalize()[:ICV], icv):
                raise KatError("auth", "HMAC-SHA-256-128 ICV does not verify")
        if not ct or len(ct) % 16:
            raise KatError("length", "CBC ciphertext of %d bytes" % len(ct))
        dec = Cipher(algorithms.AES(sa.key), modes.CBC(iv)).decryptor()
        plain = dec.update(ct) + dec.finalize()
    if len(plain) < 2:
        raise KatError("trailer", "no room for pad length and next header")
    npad, nh = plain[-2], plain[-1]
    if npad + 2 > len(plain):
        raise KatError("trailer", "pad length %d > payload" % npad)
    body = plain[:len(plain) - 2 - npad]
    return Plain(spi, seq, iv, body, plain[len(body):len(plain) - 2], nh, icv)


def _ct_equal(a, b):
    """ICV comparison without early exit."""
    if len(a) != len(b):
        return False
    r = 0
    for x, y in zip(a, b):
        r |= x ^ y
    return r == 0


# ---- IP, UDP ------------------------------------------------------------------------------

def csum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def family(addr):
    return ipaddress.ip_address(addr).version


def _a(addr):
    return ipaddress.ip_address(addr).packed


def ipv4_header(src, dst, proto, payload_len, tos=0, ident=0, frag=0, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, IPV4_HDR + payload_len, ident, frag, ttl,
                    proto, 0, _a(src), _a(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def ipv6_header(src, dst, nh, payload_len, tc=0, flow=0, hlim=64):
    return struct.pack("!IHBB16s16s", (6 << 28) | (tc << 20) | flow, payload_len, nh, hlim,
                       _a(src), _a(dst))


def l4_checksum(src, dst, proto, seg):
    """Checksum of a UDP/TCP/ICMPv6 segment whose checksum field is zero (pseudo header)."""
    if family(src) == 4:
        ph = _a(src) + _a(dst) + struct.pack("!BBH", 0, proto, len(seg))
    else:
        ph = _a(src) + _a(dst) + struct.pack("!IxxxB", len(seg), proto)
    c = csum(ph + seg)
    return c if c or proto != PROTO_UDP else 0xffff


def udp(src, dst, sport, dport, payload, v4_zero_csum=True):
    """RFC 3948 §2.1 UDP header: length of UDP header + ESP, checksum 0 over IPv4."""
    seg = struct.pack("!HHHH", sport, dport, UDP_HDR + len(payload), 0) + payload
    if family(src) == 4 and v4_zero_csum:
        return seg
    c = l4_checksum(src, dst, PROTO_UDP, seg)
    return seg[:6] + struct.pack("!H", c) + seg[8:]


@dataclass
class Ip:
    """A parsed IPv4/IPv6 header (no options / extension headers) and its payload."""
    version: int
    src: str
    dst: str
    proto: int
    payload: bytes
    tos: int = 0            # IPv4 TOS / IPv6 traffic class
    ident: int = 0
    frag: int = 0           # IPv4 flags + fragment offset
    ttl: int = 0            # TTL / hop limit
    flow: int = 0
    header: bytes = b""


def parse_ip(b):
    if len(b) < 1:
        raise KatError("length", "empty IP packet")
    v = b[0] >> 4
    if v == 4:
        if len(b) < IPV4_HDR or b[0] & 0xf != 5:
            raise KatError("length", "IPv4 header with options or truncated")
        tos, tot, ident, frag, ttl, proto = struct.unpack("!xBHHHBB", b[:10])
        if tot > len(b) or tot < IPV4_HDR:
            raise KatError("length", "IPv4 total length %d, %d bytes" % (tot, len(b)))
        if csum(b[:IPV4_HDR]) != 0:
            raise KatError("checksum", "IPv4 header checksum")
        return Ip(4, socket.inet_ntop(socket.AF_INET, b[12:16]),
                  socket.inet_ntop(socket.AF_INET, b[16:20]), proto, b[IPV4_HDR:tot], tos,
                  ident, frag, ttl, 0, b[:IPV4_HDR])
    if v == 6:
        if len(b) < IPV6_HDR:
            raise KatError("length", "IPv6 header truncated")
        w, plen, nh, hlim = struct.unpack("!IHBB", b[:8])
        if IPV6_HDR + plen > len(b):
            raise KatError("length", "IPv6 payload length %d, %d bytes" % (plen, len(b)))
        return Ip(6, socket.inet_ntop(socket.AF_INET6, b[8:24]),
                  socket.inet_ntop(socket.AF_INET6, b[24:40]), nh,
                  b[IPV6_HDR:IPV6_HDR + plen], (w >> 20) & 0xff, 0, 0, hlim, w & 0xfffff,
                  b[:IPV6_HDR])
    raise KatError("version", "IP version %d" % v)


def ip_packet(src, dst, proto, payload, tos=0, ident=0, frag=0, ttl=64, flow=0):
    if family(src) == 4:
        return ipv4_header(src, dst, proto, len(payload), tos, ident, frag, ttl) + payload
    return ipv6_header(src, dst, proto, len(payload), tos, flow, ttl) + payload


def decrement_ttl(pkt):
    """The packet as a router forwards it: TTL / hop limit - 1, IPv4 checksum redone."""
    p = parse_ip(pkt)
    if p.version == 4:
        return ipv4_header(p.src, p.dst, p.proto, len(p.payload), p.tos, p.ident, p.frag,
                           p.ttl - 1) + p.payload
    return pkt[:7] + bytes([p.ttl - 1]) + pkt[8:]


# ---- whole ESP packets -----------------------------------------------------------------------

def build_packet(sa, seq, iv, data, outer=None, pad=None):
    """The IP packet the sender of sa puts on the wire.
    Tunnel: data is the inner IP packet; outer = dict(tos, ident, frag, ttl, flow) of the new
    outer header (default: 0, 0, 0, 64, 0). Transport: data is the IP packet as it would be
    without ESP; its header is kept (length, protocol and checksum updated)."""
    o = dict(tos=0, ident=0, frag=0, ttl=64, flow=0)
    o.update(outer or {})
    if sa.mode == "tunnel":
        inner_v = data[0] >> 4
        esp = seal(sa, seq, iv, data, PROTO_IPIP if inner_v == 4 else PROTO_IPV6, pad)
        src, dst = sa.src, sa.dst
    else:
        p = parse_ip(data)
        esp = seal(sa, seq, iv, p.payload, p.proto, pad)
        src, dst = p.src, p.dst
        o = dict(tos=p.tos, ident=p.ident, frag=p.frag, ttl=p.ttl, flow=p.flow)
        o.update(outer or {})
    if sa.udp_encap:
        body, proto = udp(src, dst, sa.sport, sa.dport, esp), PROTO_UDP
    else:
        body, proto = esp, PROTO_ESP
    return ip_packet(src, dst, proto, body, **o)


@dataclass
class Parsed:
    ip: Ip
    esp: bytes
    udp: tuple = None       # (sport, dport, length, checksum) if UDP-encapsulated
    plain: Plain = None
    inner: bytes = b""      # tunnel: the inner IP packet; transport: the rebuilt IP packet


def parse_packet(sa, pkt, seq_hi=0):
    """Parses and decrypts an ESP packet sent with sa (outer, UDP, ESP). Checks the outer
    protocol, UDP length/ports and, over IPv6, the UDP checksum. Raises KatError."""
    ip = parse_ip(pkt)
    u = None
    if sa.udp_encap:
        if ip.proto != PROTO_UDP:
            raise KatError("proto", "outer protocol %d, want UDP" % ip.proto)
        if len(ip.payload) < UDP_HDR:
            raise KatError("length", "UDP header truncated")
        u = struct.unpack("!HHHH", ip.payload[:UDP_HDR])
        if u[2] != len(ip.payload):
            raise KatError("udp", "UDP length %d, IP payload %d" % (u[2], len(ip.payload)))
        if u[3] != 0 or ip.version == 6:
            seg = ip.payload[:6] + b"\0\0" + ip.payload[8:]
            if u[3] != l4_checksum(ip.src, ip.dst, PROTO_UDP, seg):
                raise KatError("udp", "UDP checksum 0x%04x wrong" % u[3])
        esp = ip.payload[UDP_HDR:]
    else:
        if ip.proto != PROTO_ESP:
            raise KatError("proto", "outer protocol %d, want ESP" % ip.proto)
        esp = ip.payload
    plain = open_esp(sa, esp, seq_hi)
    if sa.mode == "tunnel":
        inner = plain.payload
    else:
        inner = ip_packet(ip.src, ip.dst, plain.nh, plain.payload, ip.tos, ip.ident, ip.frag,
                          ip.ttl, ip.flow)
    return Parsed(ip, esp, u, plain, inner)


def expected_like(sa, seq, observed, inner, outer=None):
    """The packet sa's sender must have sent for this (seq, inner), with the IV taken from
    the observed packet (AEAD: explicit, any value; CBC: any value) and the mutable outer
    fields the sender is free to choose (IPv4 identification, IPv6 flow label) taken from
    it too. outer: the fields the test expects (tos, frag, ttl); others from observed."""
    ip = parse_ip(observed)
    off = UDP_HDR if sa.udp_encap else 0
    iv = ip.payload[off + ESP_HDR:off + ESP_HDR + sa.a.iv_len]
    o = dict(ident=ip.ident, flow=ip.flow)
    o.update(outer or {})
    return build_packet(sa, seq, iv, inner, o)


def diff(a, b):
    """First difference of two byte strings, for failure messages."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "byte %d: 0x%02x != 0x%02x" % (i, x, y)
    if len(a) != len(b):
        return "length %d != %d" % (len(a), len(b))
    return "equal"


# ---- published vectors ---------------------------------------------------------------------

def h(s):
    return bytes.fromhex("".join(s.split()))


RFC7634_KEY = bytes(range(0x80, 0xa0)) + h("a0a1a2a3")
RFC7634_SRC_PKT = h("""
45 00 00 54 a6 f2 00 00 40 01 e7 78 c6 33 64 05 c0 00 02 05 08 00 5b 7a 3a 08 00 00
55 3b ec 10 00 07 36 27 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b
1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37""")
RFC7634_ESP_PKT = h("""
45 00 00 8c 23 45 00 00 40 32 de 5b cb 00 71 99 cb 00 71 05 01 02 03 04 00 00 00 05
10 11 12 13 14 15 16 17 24 03 94 28 b9 7f 41 7e 3c 13 75 3a 4f 05 08 7b 67 c3 52 e6
a7 fa b1 b9 82 d4 66 ef 40 7a e5 c6 14 ee 80 99 d5 28 44 eb 61 aa 95 df ab 4c 02 f7
2a a7 1e 7c 4c 4f 64 c9 be fe 2f ac c6 38 e8 f3 cb ec 16 3f ac 46 9b 50 27 73 f6 fb
94 e6 64 da 91 65 b8 28 29 f6 41 e0 76 aa a8 26 6b 7f b0 f7 b1 1b 36 99 07 e1 ad 43""")

# RFC 3602 §4 cases 5-8: (key, spi, seq, iv, original IP packet, ESP packet)
RFC3602 = [
    ("case 5 transport", "90d382b410eeba7ad938c46cec1a82bf", 0x4321, 1,
     "e96e8c08ab465763fd098d45dd3ff893",
     "4500005408f200004001f9fec0a87b03c0a87b64"
     "08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f1011121314151617"
     "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
     "4500007c08f200004032f9a5c0a87b03c0a87b64"
     "0000432100000001e96e8c08ab465763fd098d45dd3ff893"
     "f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856"
     "a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874a"
     "a269add047ad2d5913ac19b7cfbad4a6", None),
    ("case 6 transport", "90d382b410eeba7ad938c46cec1a82bf", 0x4321, 8,
     "69d08df7d203329db093fc4924e5bd80",
     "4500003008fe00004001fa16c0a87b03c0a87b64"
     "0800b5e8a80a0500a69c083d0b660e00777777777777777777777777",
     "4500004c08fe00004032f9c9c0a87b03c0a87b64"
     "000043210000000869d08df7d203329db093fc4924e5bd80"
     "f51995881ec4e0c4488987ce742e8109689bb379d2d750c0d915dca346a89f75", None),
    ("case 7 tunnel", "0123456789abcdef0123456789abcdef", 0x8765, 2,
     "f4e765244f6407adf13dc1380f673f37",
     "4500005409040000" "4001f988c0a87b03c0a87bc8"
     "08009f76a90a0100b49c083d02a2040008090a0b0c0d0e0f1011121314151617"
     "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
     "4500008c090500004032f91ec0a87b03c0a87bc8"
     "0000876500000002f4e765244f6407adf13dc1380f673f37"
     "773b5241a4c449225e4f3ce5ed611b0c237ca96cf74a93013c1b0ea1a0cf70f8"
     "e4ecaec78ac53aad7a0f022b859243c647752e94a859352b8a4d4d2decd136e5"
     "c177f132ad3fbfb2201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d", 0x0905),
    ("case 8 tunnel", "0123456789abcdef0123456789abcdef", 0x8765, 5,
     "85d47224b5f3dd5d2101d4ea8dffab22",
     "45000044090c00004001f990c0a87b03c0a87bc8"
     "0800d63caa0a0200c69c083da3de0300ffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffff",
     "4500007c090d00004032f926c0a87b03c0a87bc8"
     "000087650000000585d47224b5f3dd5d2101d4ea8dffab22"
     "15b92683819596a8047232cc00f7048fe45318e11f8a0f62ede3c3fc61203bb5"
     "0f980a08c9843fd3a1b06d5c07ff9639b7eb7dfb3512e5de435e7207ed971ef3"
     "d2726d9b5ef6affc6d17a0decbb13892", 0x090d),
]

# draft-mcgrew-gcm-test-01 §5 (some of the cases): (name, alg, key||salt, esn, seq_hi,
# plaintext incl. padding / pad length / next header, ESP (SPI .. ICV)).
GCM_DRAFT = [
    ("gcm-test case 1 (ESN)", "aes-gcm-128", "4c80cdefbb5d10da906ac73c3613a6342e443b68",
     True, 0x87654321,
     "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
     "00000000045f736970045f756470037369700963796265726369747902646b00"
     "0021000101020201",
     "00004321000000004956ed7e3b244cfefecf537e729d5b07dc30df528dd22b76"
     "8d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf65925bf1f4a13c5d"
     "15b21e1884f5ff6247aeabb786b93bce61bc17d768fd9732459018148f6cbe72"
     "2fd04796562dfdb4"),
    ("gcm-test case 2", "aes-gcm-128", "feffe9928665731c6d6a8f9467308308cafebabe", False, 0,
     "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100"
     "0001000000000000037369700963796265726369747902646b00000100010001",
     "0000a5f80000000afacedbaddecaf888deb22cd9b07c72c16e3a65beeb8df304"
     "a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f51330d0eec416642"
     "cfbb85a5b47e48a4ec3b9ba95d918bd183b70d3aa8bc6ee4c309e9d85a41ad4a"),
    ("gcm-test case 3 (256)", "aes-gcm-256",
     "abbccddef00112233445566778899aababbccddef00112233445566778899aab11223344", False, 0,
     "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
     "7002400020bf0000020405b40101040201020201",
     "4a2cbfe3000000020102030405060708ff425c9b724599df7a3bcd510194e00d"
     "6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545659f14e99d"
     "ef842d8eb335f4eecfdbf831824b4c4915956c96"),
    ("gcm-test case 14 (256, ESN)", "aes-gcm-256",
     "6c6567616c697a656d6172696a75616e61616e64646f69746265666f726569617475726e", True,
     0xffffffff,
     "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
     "65666768696a6b6c6d6e6f707172737401020201",
     "796b6963ffffffff333021696765746df97ab2aa356d8edce17644ac8c78e25d"
     "d24dedbb29ebf1b64a274b39b49c3a864cd3d78ca4ae68a32b42458fb57dbe82"
     "1dcc63b9d0937ba2945f669368661a329fb4c053"),
]


def selftest():
    fails = 0

    def check(name, cond, detail=""):
        nonlocal fails
        print(("ok   - " if cond else "FAIL - ") + name + ("" if cond else ": " + detail))
        fails += 0 if cond else 1

    # RFC 7634 Appendix A: tunnel mode, seq 5, outer 203.0.113.153 -> 203.0.113.5, ID 0x2345
    sa = Sa("chacha20-poly1305", 0x01020304, RFC7634_KEY, mode="tunnel",
            src="203.0.113.153", dst="203.0.113.5")
    pkt = build_packet(sa, 5, h("1011121314151617"), RFC7634_SRC_PKT, dict(ident=0x2345))
    check("RFC 7634 A: ESP packet byte for byte", pkt == RFC7634_ESP_PKT,
          diff(pkt, RFC7634_ESP_PKT))
    p = parse_packet(sa, RFC7634_ESP_PKT)
    check("RFC 7634 A: decrypts to the source packet, pad 1 2, nh 4",
          p.inner == RFC7634_SRC_PKT and p.plain.pad == b"\1\2" and p.plain.nh == 4)
    p = expected_like(sa, 5, RFC7634_ESP_PKT, RFC7634_SRC_PKT)
    check("RFC 7634 A: expected_like rebuilds it", p == RFC7634_ESP_PKT, diff(p, RFC7634_ESP_PKT))
    bad = bytearray(RFC7634_ESP_PKT)
    bad[-1] ^= 1
    try:
        parse_packet(sa, bytes(bad))
        check("RFC 7634 A: flipped tag rejected", False, "accepted")
    except KatError as e:
        check("RFC 7634 A: flipped tag rejected", e.reason == "auth", str(e))

    for name, key, spi, seq, iv, orig, esp_pkt, ident in RFC3602:
        mode = "transport" if "transport" in name else "tunnel"
        sa = Sa("aes-cbc-128-hmac-sha256", spi, h(key), b"", mode=mode,
                src="192.168.123.3", dst=parse_ip(h(orig)).dst)
        outer = dict(ident=ident) if ident is not None else None
        pkt = build_packet(sa, seq, h(iv), h(orig), outer)
        check("RFC 3602 %s: ESP packet byte for byte" % name, pkt == h(esp_pkt),
              diff(pkt, h(esp_pkt)))
        p = parse_packet(sa, h(esp_pkt))
        check("RFC 3602 %s: decrypts to the original" % name, p.inner == h(orig)
              and p.plain.pad_ok and p.plain.pad_minimal(16))

    for name, alg, key, esn, hi, plain, esp in GCM_DRAFT:
        spi, lo = struct.unpack("!II", h(esp)[:8])
        sa = Sa(alg, spi, h(key), esn=esn)
        pl = h(plain)
        npad, nh = pl[-2], pl[-1]
        body, pad = pl[:len(pl) - 2 - npad], pl[len(pl) - 2 - npad:-2]
        seq = (hi << 32 | lo) if esn else lo
        got = seal(sa, seq, h(esp)[8:16], body, nh, pad)
        check("draft-mcgrew-gcm-test-01 %s: byte for byte" % name, got == h(esp),
              diff(got, h(esp)))
        p = open_esp(sa, h(esp), hi)
        check("draft-mcgrew-gcm-test-01 %s: decrypts" % name,
              p.payload == body and p.nh == nh and p.pad == pad)
        if esn:
            try:
                open_esp(sa, h(esp), hi ^ 1)
                check("%s: wrong ESN high half rejected" % name, False, "accepted")
            except KatError as e:
                check("%s: wrong ESN high half rejected" % name, e.reason == "auth", str(e))

    # ESN with HMAC: the high half is in the ICV (RFC 4303 §3.3.2.1), so the same packet
    # with another high half must fail (scapy 2.5 gets this wrong).
    sa = Sa("aes-cbc-128-hmac-sha256", 0x1000, bytes(16), bytes(range(32)), esn=True)
    e1 = seal(sa, (1 << 32) | 7, bytes(16), b"x" * 30, 4)
    e0 = seal(sa, 7, bytes(16), b"x" * 30, 4)
    check("HMAC+ESN: high half changes only the ICV", e1[:-ICV] == e0[:-ICV] and e1 != e0)
    try:
        open_esp(sa, e1, 0)
        check("HMAC+ESN: wrong high half rejected", False, "accepted")
    except KatError as e:
        check("HMAC+ESN: wrong high half rejected", e.reason == "auth", str(e))
    check("HMAC+ESN: right high half accepted", open_esp(sa, e1, 1).payload == b"x" * 30)

    # RFC 3948 UDP encapsulation: length over the whole ESP, checksum 0 on IPv4, real on IPv6
    for src, dst in (("192.0.2.2", "192.0.2.1"), ("2001:db8:1::2", "2001:db8:1::1")):
        sa = Sa("aes-gcm-128", 0x2000, bytes(20), mode="tunnel", src=src, dst=dst,
                udp_encap=True, sport=4500, dport=4500)
        inner = ip_packet("10.9.0.1", "198.51.100.2", PROTO_ICMP, b"\x08\0\0\0" + b"a" * 20)
        pkt = build_packet(sa, 1, bytes(8), inner)
        p = parse_packet(sa, pkt)
        want_c = 0 if family(src) == 4 else p.udp[3]
        check("RFC 3948 over IPv%d: UDP length %d = 8 + ESP, checksum %s" % (
            family(src), p.udp[2], "0" if family(src) == 4 else "valid"),
            p.udp[2] == UDP_HDR + len(p.esp) and p.udp[3] == want_c and p.inner == inner)
    return fails


def main(argv):
    if len(argv) >= 2 and argv[1] == "selftest":
        fails = selftest()
        print("# esp_kat selftest: %d failed" % fails)
        return 1 if fails else 0
    if len(argv) == 8 and argv[1] == "open":
        alg, key, akey, esn, hi, pkt = argv[2:]
        esp = h(pkt)
        sa = Sa(alg, struct.unpack("!I", esp[:4])[0], h(key.replace("0x", "")),
                h(akey.replace("0x", "")) if akey not in ("-", "") else b"",
                esn=esn in ("1", "true", "yes"))
        p = open_esp(sa, esp, int(hi, 0))
        print("spi 0x%08x seq %d iv %s nh %d pad %s icv %s\npayload %s" % (
            p.spi, p.seq, p.iv.hex(), p.nh, p.pad.hex(), p.icv.hex(), p.payload.hex()))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
