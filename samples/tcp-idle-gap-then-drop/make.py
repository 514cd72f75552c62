#!/usr/bin/env python3
"""A session that sits idle for 40 minutes, longer than a firewall's idle timer:
the client's next request is never answered (the firewall forgot the session
and drops it), the client retransmits it four times and resets the session.
Writes capture.pcap next to this file (or to argv[1])."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/tools"))
from pcapgen import Capture, tcp, mss  # noqa: E402

C, S = "10.2.2.20", "198.51.100.25"
cp, sp = 49822, 1433
cap = Capture()
_add = cap.add
cap.add = lambda ts, frame: _add(1700000000 * 10**9 + round(ts * 1e9), frame)  # exact ns
t = 0.0
ci, si = 70000, 900000
cap.add(t, tcp(C, cp, S, sp, seq=ci, flags="S", options=mss(1460), ttl=128, ip_id=2000))
cap.add(t + 0.002, tcp(S, sp, C, cp, seq=si, ack=ci + 1, flags="SA", options=mss(1460), ttl=62, ip_id=0))
cap.add(t + 0.003, tcp(C, cp, S, sp, seq=ci + 1, ack=si + 1, ttl=128, ip_id=2001))
cap.add(t + 0.010, tcp(C, cp, S, sp, seq=ci + 1, ack=si + 1, flags="PA", payload=b"q" * 120, ttl=128, ip_id=2002))
cap.add(t + 0.015, tcp(S, sp, C, cp, seq=si + 1, ack=ci + 121, flags="PA", payload=b"r" * 300, ttl=62, ip_id=0))
cap.add(t + 0.215, tcp(C, cp, S, sp, seq=ci + 121, ack=si + 301, ttl=128, ip_id=2003))
t2 = t + 0.215 + 40 * 60
seg = dict(seq=ci + 121, ack=si + 301, flags="PA", payload=b"q" * 90, ttl=128)
cap.add(t2, tcp(C, cp, S, sp, ip_id=2004, **seg))
at, rto = t2, 0.4
for i in range(4):
    at += rto
    cap.add(at, tcp(C, cp, S, sp, ip_id=2005 + i, **seg))
    rto *= 2
cap.add(at + rto, tcp(C, cp, S, sp, seq=ci + 211, ack=si + 301, flags="RA", win=0, ttl=128, ip_id=2009))
cap.write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"))
