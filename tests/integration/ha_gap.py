#!/usr/bin/python3
"""The outage seen by a ping (HA lab, tests/integration/ha_lab.sh).

usage: ha_gap.py [--max-lost N] [--max-gap-ms MS] [--min-received N] [FILE]

Reads the output of `ping -D [-O] -i INTERVAL ...` (FILE or stdin): every
reply line starts with the receive time, "[1732694400.123456] 64 bytes from
10.1.0.10: icmp_seq=17 ttl=63 time=0.41 ms". Prints one JSON line:

  sent        "N packets transmitted" of the summary; without a summary (ping
              killed) the highest icmp_seq seen (replies or -O "no answer yet")
  received    distinct icmp_seq answered (duplicates not counted)
  lost        sent - received
  duplicates  replies for an icmp_seq already answered
  max_gap_ms  the outage: the largest gap between two consecutive replies
              (by receive time), in ms; null with fewer than 2 replies
  gap_start   receive time of the reply before that gap (epoch s), gap_end
              that of the reply after it; gap_seq [seq before, seq after]
  first_reply, last_reply   receive times of the first and last reply

Exit 0, or 1 when a limit given by an option is exceeded (the reason on
stderr), 2 when the input holds no ping output at all.
"""
import argparse
import json
import re
import sys

REPLY = re.compile(r"^\[(\d+\.\d+)\]\s.*\bicmp_seq=(\d+)\b.*\btime=")
NO_ANSWER = re.compile(r"no answer yet for icmp_seq=(\d+)")
SUMMARY = re.compile(r"(\d+) packets transmitted, (\d+) (?:packets )?received")
MS = 1000.0


def analyse(lines):
    replies = {}		# icmp_seq -> first receive time
    times = []		# (time, seq) of first replies, in input order
    dups = 0
    max_seq = 0
    sent = None
    seen = False
    for line in lines:
        m = REPLY.search(line)
        if m:
            seen = True
            t, seq = float(m.group(1)), int(m.group(2))
            max_seq = max(max_seq, seq)
            if seq in replies:
                dups += 1
                continue
            replies[seq] = t
            times.append((t, seq))
            continue
        m = NO_ANSWER.search(line)
        if m:
            seen = True
            max_seq = max(max_seq, int(m.group(1)))
            continue
        m = SUMMARY.search(line)
        if m:
            seen = True
            sent = int(m.group(1))
    if not seen:
        return None
    if sent is None:
        sent = max_seq
    times.sort()
    res = {"sent": sent, "received": len(replies), "lost": max(sent - len(replies), 0),
           "duplicates": dups, "max_gap_ms": None, "gap_start": None, "gap_end": None,
           "gap_seq": None,
           "first_reply": times[0][0] if times else None,
           "last_reply": times[-1][0] if times else None}
    best = None
    for (t0, s0), (t1, s1) in zip(times, times[1:]):
        if best is None or t1 - t0 > best[1][0] - best[0][0]:
            best = ((t0, s0), (t1, s1))
    if best:
        res["max_gap_ms"] = round((best[1][0] - best[0][0]) * MS, 3)
        res["gap_start"] = best[0][0]
        res["gap_end"] = best[1][0]
        res["gap_seq"] = [best[0][1], best[1][1]]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("file", nargs="?", default="-")
    ap.add_argument("--max-lost", type=int)
    ap.add_argument("--max-gap-ms", type=float)
    ap.add_argument("--min-received", type=int)
    a = ap.parse_args()
    f = sys.stdin if a.file == "-" else open(a.file, errors="replace")
    res = analyse(f)
    if res is None:
        print("ha_gap: no ping output in %s" % a.file, file=sys.stderr)
        print(json.dumps({"sent": 0, "received": 0, "lost": 0, "max_gap_ms": None,
                          "gap_start": None, "gap_end": None}))
        return 2
    print(json.dumps(res))
    bad = []
    if a.max_lost is not None and res["lost"] > a.max_lost:
        bad.append("lost %d > %d" % (res["lost"], a.max_lost))
    if a.min_received is not None and res["received"] < a.min_received:
        bad.append("received %d < %d" % (res["received"], a.min_received))
    if a.max_gap_ms is not None and (res["max_gap_ms"] is None or
                                     res["max_gap_ms"] > a.max_gap_ms):
        bad.append("max gap %s ms > %s ms" % (res["max_gap_ms"], a.max_gap_ms))
    for b in bad:
        print("ha_gap: %s" % b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
