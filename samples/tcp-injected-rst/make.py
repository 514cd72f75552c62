#!/usr/bin/env python3
"""A download from 192.0.2.7 (packets arrive with TTL 52, IP-ID counting up from
31000) is cut by an RST that claims to come from the server but arrives with
TTL 63 and IP-ID 0x2a2a: a device in the path forged it. The server's own later
packets still carry TTL 52. Writes capture.pcap next to this file (or argv[1])."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/tools"))
from pcapgen import Capture, tcp, mss  # noqa: E402

C, S = "10.9.0.44", "192.0.2.7"
cp, sp = 55001, 80
cap = Capture()
_add = cap.add
cap.add = lambda ts, frame: _add(1700000000 * 10**9 + round(ts * 1e9), frame)  # exact ns
t = 0.0
ci, si = 11111, 22222
cap.add(t, tcp(C, cp, S, sp, seq=ci, flags="S", options=mss(1460), ttl=64, ip_id=500))
cap.add(t + 0.025, tcp(S, sp, C, cp, seq=si, ack=ci + 1, flags="SA", options=mss(1460), ttl=52, ip_id=31000))
cap.add(t + 0.026, tcp(C, cp, S, sp, seq=ci + 1, ack=si + 1, ttl=64, ip_id=501))
cap.add(t + 0.027, tcp(C, cp, S, sp, seq=ci + 1, ack=si + 1, flags="PA", payload=b"GET /big HTTP/1.1\r\n\r\n", ttl=64, ip_id=502))
sq = si + 1
for i in range(4):
    cap.add(t + 0.060 + i * 0.001, tcp(S, sp, C, cp, seq=sq, ack=ci + 22, payload=b"x" * 1400, ttl=52, ip_id=31001 + i))
    sq += 1400
cap.add(t + 0.065, tcp(C, cp, S, sp, seq=ci + 22, ack=sq, ttl=64, ip_id=503))
cap.add(t + 0.066, tcp(S, sp, C, cp, seq=sq, ack=ci + 22, flags="RA", win=0, ttl=63, ip_id=0x2A2A))
cap.add(t + 0.067, tcp(S, sp, C, cp, seq=sq, ack=ci + 22, payload=b"x" * 1400, ttl=52, ip_id=31005))
cap.write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"))
