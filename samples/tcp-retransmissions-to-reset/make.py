#!/usr/bin/env python3
"""Client 10.1.1.10 sends a request to 192.0.2.80:443; the server ACKs the first
segment, then the second segment is never acknowledged: the client retransmits
it five times with exponential back-off (0.3 s, 0.6 s, 1.2 s, 2.4 s, 4.8 s) and
gives up with an RST. Writes capture.pcap next to this file (or to argv[1])."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/tools"))
from pcapgen import Capture, tcp, mss, wscale  # noqa: E402

C, S = "10.1.1.10", "192.0.2.80"
cp, sp = 51000, 443
cap = Capture()
_add = cap.add
cap.add = lambda ts, frame: _add(1700000000 * 10**9 + round(ts * 1e9), frame)  # exact ns
t = 0.0
ci, si = 1000, 50000
cap.add(t, tcp(C, cp, S, sp, seq=ci, flags="S", options=mss(1460) + wscale(7), ttl=64, ip_id=100))
cap.add(t + 0.020, tcp(S, sp, C, cp, seq=si, ack=ci + 1, flags="SA", options=mss(1460) + wscale(7), ttl=56, ip_id=7000))
cap.add(t + 0.021, tcp(C, cp, S, sp, seq=ci + 1, ack=si + 1, win=502, ttl=64, ip_id=101))
cap.add(t + 0.030, tcp(C, cp, S, sp, seq=ci + 1, ack=si + 1, flags="PA", win=502, payload=b"a" * 500, ttl=64, ip_id=102))
cap.add(t + 0.050, tcp(S, sp, C, cp, seq=si + 1, ack=ci + 501, win=502, ttl=56, ip_id=7001))
seg = dict(seq=ci + 501, ack=si + 1, flags="PA", win=502, payload=b"b" * 800, ttl=64)
cap.add(t + 0.060, tcp(C, cp, S, sp, ip_id=103, **seg))
at, rto = t + 0.060, 0.3
for i in range(5):
    at += rto
    cap.add(at, tcp(C, cp, S, sp, ip_id=104 + i, **seg))
    rto *= 2
cap.add(at + rto, tcp(C, cp, S, sp, seq=ci + 1301, ack=si + 1, flags="RA", win=0, ttl=64, ip_id=110))
cap.write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"))
