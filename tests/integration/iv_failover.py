#!/usr/bin/python3
"""Helper of test_esp_iv_failover.sh: traffic, a scapy ESP receiver and the
(SPI, IV) checker. Shares no code with hagw: the ESP is opened with scapy's
ESP (scapy.layers.ipsec) and the checker reads the capture with scapy.

usage: iv_failover.py COMMAND [options]

  send --dst A --count N --tag T [--gap S]
        N UDP datagrams to A port 9 (kernel socket), payloads "T-0000" ..
  recv SA_JSON --count N --tag T --out FILE [--ready FILE] [--timeout S]
        receives ESP of the SA on a raw socket (so the kernel, which has no
        ESP, does not answer with ICMP protocol unreachable) until N packets
        or the timeout, decrypts each with scapy; writes
        {"received", "decrypted", "errors", "tags_ok"} to FILE: tags_ok is
        true when the plaintexts are exactly T-0000 .. T-(N-1)
  check PCAP...
        every outgoing ESP packet of the captures, in order: SPI, sequence
        number and the 8-byte explicit IV (RFC 4106 §3.1) read from the wire.
        Prints one JSON line: per capture the packets, first and last
        sequence number, the IV epochs (top 16 bits, dataplane/sa.h) and
        whether the IV's low 48 bits are the sequence number; over all of
        them the (SPI, IV) pairs seen more than once and whether the
        sequence numbers strictly increase. Exit 0 only when no pair repeats
        and the numbers strictly increase ("verdict": "pass").

SA_JSON: {"spi": N, "key": "hex key+salt", "src": outer source, "dst": outer
destination} of hagw's outbound SA (AES-GCM-128, tunnel).
"""
import argparse
import collections
import json
import os
import select
import socket
import sys
import time

from scapy.all import IP, UDP, rdpcap
from scapy.layers.ipsec import ESP, SecurityAssociation

ESP_PROTO = 50
UDP_DISCARD = 9
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
RCVBUF = 16 << 20
ESP_HDR = 8		# SPI + sequence number (RFC 4303 §2)
IV_LEN = 8		# AES-GCM explicit IV (RFC 4106 §3.1)
COUNTER_BITS = 48	# IV nonce: epoch << 48 | sequence number mod 2^48


def tags(tag, n):
    return ["%s-%04d" % (tag, i) for i in range(n)]


def cmd_send(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for t in tags(a.tag, a.count):
        s.sendto(t.encode(), (a.dst, UDP_DISCARD))
        if a.gap:
            time.sleep(a.gap)
    s.close()
    print(json.dumps({"sent": a.count, "tag": a.tag}))
    return 0


def cmd_recv(a):
    with open(a.sa_json) as f:
        d = json.load(f)
    sa = SecurityAssociation(ESP, spi=d["spi"], crypt_algo="AES-GCM",
                             crypt_key=bytes.fromhex(d["key"]),
                             tunnel_header=IP(src=d["src"], dst=d["dst"]))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, ESP_PROTO)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
    if a.ready:
        open(a.ready, "w").close()
    got, plain, errors = 0, [], []
    deadline = time.monotonic() + a.timeout
    while got < a.count:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            break
        data = s.recv(65535)
        esp = data[(data[0] & 0x0F) * 4:]
        if len(esp) < ESP_HDR or int.from_bytes(esp[:4], "big") != d["spi"]:
            continue
        got += 1
        try:
            p = sa.decrypt(IP(data))
            plain.append(bytes(p[UDP].payload).decode())
        except Exception as e:  # ICV failure or garbage: report, never hide
            errors.append(str(e))
    s.close()
    res = {"received": got, "decrypted": len(plain), "errors": errors[:5],
           "tags_ok": sorted(plain) == tags(a.tag, a.count)}
    with open(a.out, "w") as f:
        json.dump(res, f)
    return 0


def esp_of(pkt):
    """(spi, seq, iv) of an outer IPv4 ESP packet, or None."""
    if IP not in pkt or pkt[IP].proto != ESP_PROTO:
        return None
    raw = bytes(pkt[IP].payload)
    if len(raw) < ESP_HDR + IV_LEN:
        return None
    return (int.from_bytes(raw[0:4], "big"), int.from_bytes(raw[4:8], "big"),
            int.from_bytes(raw[ESP_HDR:ESP_HDR + IV_LEN], "big"))


def cmd_check(a):
    caps, seqs, pairs = [], [], collections.Counter()
    mask = (1 << COUNTER_BITS) - 1
    for path in a.pcaps:
        rows = [r for r in (esp_of(p) for p in rdpcap(path)) if r is not None]
        caps.append({
            "file": os.path.basename(path),
            "packets": len(rows),
            "spis": sorted({"0x%08x" % r[0] for r in rows}),
            "seq_first": rows[0][1] if rows else None,
            "seq_last": rows[-1][1] if rows else None,
            "epochs": sorted({r[2] >> COUNTER_BITS for r in rows}),
            "iv_low_is_seq": all(r[2] & mask == r[1] for r in rows),
        })
        seqs += [r[1] for r in rows]
        pairs.update((r[0], r[2]) for r in rows)
    repeated = sorted(k for k, n in pairs.items() if n > 1)
    increasing = all(b > x for x, b in zip(seqs, seqs[1:]))
    ok = not repeated and increasing and len(seqs) > 0
    print(json.dumps({
        "captures": caps,
        "packets": len(seqs),
        "unique_pairs": len(pairs),
        "repeated_pairs": len(repeated),
        "first_repeated": ("0x%08x/0x%016x" % repeated[0]) if repeated else None,
        "seq_strictly_increasing": increasing,
        "verdict": "pass" if ok else "fail",
    }))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--dst", required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--tag", required=True)
    s.add_argument("--gap", type=float, default=0.001)
    r = sub.add_parser("recv")
    r.add_argument("sa_json")
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--tag", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--ready", default="")
    r.add_argument("--timeout", type=float, default=10.0)
    c = sub.add_parser("check")
    c.add_argument("pcaps", nargs="+")
    a = ap.parse_args()
    return {"send": cmd_send, "recv": cmd_recv, "check": cmd_check}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
