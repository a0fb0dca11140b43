#!/usr/bin/python3
"""ESP peer for test_esp_wire.sh: scapy's ESP (scapy.layers.ipsec), which
shares no code with hagw, on the client side of the lab.

usage: esp_wire.py SAS_JSON STATE_JSON COMMAND [options]

SAS_JSON describes the SAs (name -> spi, key (hex, incl. the GCM salt),
mode tunnel|transport, src/dst of the outer header as the client sends it,
udp true|false). STATE_JSON keeps the next sequence number per SA and the
last packet sent, between runs.

Commands (each prints one JSON line):
  echo IN OUT --src A --dst B [--count N] [--ttl T] [--sports P,P,..]
        N ESP-protected ICMP echo requests (inner A -> B) on SA IN, replies
        collected on SA OUT and decrypted: {"sent", "replies", "types", "ttls"}
  replay IN        the last packet sent on IN, again
  tamper IN        the next packet of IN with one ciphertext byte flipped
  spi IN SPI       a valid packet of IN sent with another SPI
  keepalive        an RFC 3948 NAT keepalive (one byte 0xff) to port 4500
  clear --src A --dst B   a clear-text echo request with source A

ESP over UDP is sent through kernel UDP sockets (the kernel writes the UDP
header: scapy 2.5 gets the NAT-T UDP length wrong); replies arrive on a raw
ESP socket (which also keeps the kernel, which has no ESP, from answering
with ICMP protocol unreachable) or on the UDP socket bound to port 4500.
"""
import argparse
import json
import os
import select
import socket
import sys
import time

from scapy.all import ICMP, IP, Raw
from scapy.layers.ipsec import ESP, SecurityAssociation

NATT_PORT = 4500
ESP_PROTO = 50
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
RCVBUF = 16 << 20
ECHO_ID = 0x4857
PAYLOAD = b"hagw-esp-wire-test-payload-0123456789"
ICMP_ECHO_REPLY = 0


def load(path, default):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


def save(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)


def scapy_sa(d):
    hdr = IP(src=d["src"], dst=d["dst"]) if d.get("mode", "tunnel") == "tunnel" else None
    return SecurityAssociation(ESP, spi=d["spi"], crypt_algo="AES-GCM",
                               crypt_key=bytes.fromhex(d["key"]), tunnel_header=hdr)


class Peer:
    def __init__(self, sas, state_path):
        self.sas = sas
        self.state_path = state_path
        self.state = load(state_path, {"seq": {}, "last": {}})
        self.udp = {}

    def close(self):
        save(self.state_path, self.state)
        for s in self.udp.values():
            s.close()

    def udp_sock(self, sport):
        if sport not in self.udp:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", sport))
            self.udp[sport] = s
        return self.udp[sport]

    def next_seq(self, name):
        seq = self.state["seq"].get(name, 1)
        self.state["seq"][name] = seq + 1
        return seq

    def esp(self, name, inner):
        """ESP bytes (SPI .. ICV) of inner, protected with SA name."""
        d = self.sas[name]
        pkt = scapy_sa(d).encrypt(inner, seq_num=self.next_seq(name))
        return bytes(IP(bytes(pkt))[ESP])

    def send_esp(self, name, esp, sport=NATT_PORT):
        d = self.sas[name]
        self.state["last"][name] = {"esp": esp.hex(), "sport": sport}
        if d.get("udp"):
            self.udp_sock(sport).sendto(esp, (d["dst"], NATT_PORT))
            return
        outer = IP(src=d["src"], dst=d["dst"], proto=ESP_PROTO) / Raw(esp)
        raw_send(bytes(outer), d["dst"])

    def receivers(self):
        """Opened before sending; the replies wait in the socket buffers
        while the requests go out, so the buffers are made large (root)."""
        socks = [socket.socket(socket.AF_INET, socket.SOCK_RAW, ESP_PROTO),
                 self.udp_sock(NATT_PORT)]
        for s in socks:
            s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
        return socks


def raw_send(data, dst):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    try:
        s.sendto(data, (dst, 0))
    finally:
        s.close()


def spi_of(esp):
    return int.from_bytes(esp[:4], "big")


def collect(socks, out, want, timeout):
    """ESP packets of SA out: (outer IP packet as scapy) up to want, or until timeout."""
    d = out
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < want:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select(socks, [], [], left)
        for s in ready:
            data = s.recv(65535)
            if s.type == socket.SOCK_RAW:
                esp = data[(data[0] & 0x0F) * 4:]
            else:
                esp = data
            if len(esp) >= 8 and spi_of(esp) == d["spi"]:
                got.append(IP(src=d["src"], dst=d["dst"], proto=ESP_PROTO) / Raw(esp))
    return got


def decrypt(d, pkts):
    sa = scapy_sa(d)
    res = []
    for p in pkts:
        try:
            res.append(sa.decrypt(IP(bytes(p))))
        except Exception as e:  # ICV failure or garbage: report, never hide
            res.append(e)
    return res


def cmd_echo(peer, a):
    sports = [int(x) for x in a.sports.split(",")] if a.sports else [NATT_PORT]
    socks = peer.receivers()
    for i in range(a.count):
        inner = IP(src=a.src, dst=a.dst, ttl=a.ttl) / ICMP(id=ECHO_ID, seq=i + 1) / PAYLOAD
        peer.send_esp(a.sa_in, peer.esp(a.sa_in, inner), sports[i % len(sports)])
        if a.gap:
            time.sleep(a.gap)
    replies = collect(socks, peer.sas[a.sa_out], a.expect if a.expect >= 0 else a.count,
                      a.timeout)
    socks[0].close()
    out = decrypt(peer.sas[a.sa_out], replies)
    ok = [p for p in out if not isinstance(p, Exception)]
    icmp = [p for p in ok if ICMP in p]
    seqs = sorted(p[ICMP].seq for p in icmp if p[ICMP].type == ICMP_ECHO_REPLY)
    print(json.dumps({
        "sent": a.count,
        "replies": len(replies),
        "decrypted": len(ok),
        "errors": [str(e) for e in out if isinstance(e, Exception)],
        "types": sorted({p[ICMP].type for p in icmp}),
        "ttls": sorted({p[IP].ttl for p in ok}),
        "srcs": sorted({p[IP].src for p in ok}),
        "echo_seqs_ok": seqs == list(range(1, a.count + 1)),
        "payload_ok": all(bytes(p[ICMP].payload) == PAYLOAD for p in icmp
                          if p[ICMP].type == ICMP_ECHO_REPLY),
    }))


def cmd_replay(peer, a):
    last = peer.state["last"][a.sa_in]
    peer.send_esp(a.sa_in, bytes.fromhex(last["esp"]), last["sport"])
    print(json.dumps({"replayed": a.sa_in}))


def cmd_tamper(peer, a):
    d = peer.sas[a.sa_in]
    inner = IP(src=a.src, dst=a.dst) / ICMP(id=ECHO_ID, seq=999) / PAYLOAD
    esp = bytearray(peer.esp(a.sa_in, inner))
    esp[8 + 8 + 4] ^= 0x01		# a ciphertext byte after SPI, sequence number and IV
    peer.send_esp(a.sa_in, bytes(esp))
    print(json.dumps({"tampered": a.sa_in, "spi": d["spi"]}))


def cmd_spi(peer, a):
    inner = IP(src=a.src, dst=a.dst) / ICMP(id=ECHO_ID, seq=998) / PAYLOAD
    esp = peer.esp(a.sa_in, inner)
    peer.send_esp(a.sa_in, int(a.spi, 0).to_bytes(4, "big") + esp[4:])
    print(json.dumps({"spi": a.spi}))


def cmd_keepalive(peer, a):
    d = next(iter(peer.sas.values()))
    peer.udp_sock(NATT_PORT).sendto(b"\xff", (d["dst"], NATT_PORT))
    print(json.dumps({"keepalive": 1}))


def cmd_clear(peer, a):
    raw_send(bytes(IP(src=a.src, dst=a.dst) / ICMP(id=ECHO_ID, seq=1) / PAYLOAD), a.dst)
    print(json.dumps({"clear": 1}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sas_json")
    ap.add_argument("state_json")
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("echo")
    e.add_argument("sa_in")
    e.add_argument("sa_out")
    e.add_argument("--src", required=True)
    e.add_argument("--dst", required=True)
    e.add_argument("--count", type=int, default=5)
    e.add_argument("--expect", type=int, default=-1, help="replies to wait for (default count)")
    e.add_argument("--ttl", type=int, default=64)
    e.add_argument("--sports", default="")
    e.add_argument("--gap", type=float, default=0.0)
    e.add_argument("--timeout", type=float, default=5.0)
    for name in ("replay", "tamper", "spi"):
        p = sub.add_parser(name)
        p.add_argument("sa_in")
        if name != "replay":
            p.add_argument("--src", default="10.9.0.5")
            p.add_argument("--dst", default="198.51.100.2")
        if name == "spi":
            p.add_argument("spi")
    sub.add_parser("keepalive")
    c = sub.add_parser("clear")
    c.add_argument("--src", required=True)
    c.add_argument("--dst", required=True)
    a = ap.parse_args()
    peer = Peer(load(a.sas_json, {}), a.state_json)
    try:
        {"echo": cmd_echo, "replay": cmd_replay, "tamper": cmd_tamper, "spi": cmd_spi,
         "keepalive": cmd_keepalive, "clear": cmd_clear}[a.cmd](peer, a)
    finally:
        peer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
