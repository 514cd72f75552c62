#!/usr/bin/env python3
"""A printer (10.3.3.3:9100) stops reading: its window shrinks to zero, the
client probes the closed window, the printer finally opens it again (window
update) and the transfer goes on. Writes capture.pcap next to this file (or argv[1])."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/tools"))
from pcapgen import Capture, tcp, mss  # noqa: E402

C, S = "10.3.3.30", "10.3.3.3"
cp, sp = 50500, 9100
cap = Capture()
_add = cap.add
cap.add = lambda ts, frame: _add(1700000000 * 10**9 + round(ts * 1e9), frame)  # exact ns
t = 0.0
ci, si = 5000, 8000
cap.add(t, tcp(C, cp, S, sp, seq=ci, flags="S", options=mss(1460), ttl=64, ip_id=1))
cap.add(t + 0.001, tcp(S, sp, C, cp, seq=si, ack=ci + 1, flags="SA", options=mss(1460), win=4096, ttl=64, ip_id=1))
cap.add(t + 0.002, tcp(C, cp, S, sp, seq=ci + 1, ack=si + 1, ttl=64, ip_id=2))
cap.add(t + 0.003, tcp(C, cp, S, sp, seq=ci + 1, ack=si + 1, flags="PA", payload=b"p" * 2048, ttl=64, ip_id=3))
cap.add(t + 0.004, tcp(C, cp, S, sp, seq=ci + 2049, ack=si + 1, flags="PA", payload=b"p" * 2048, ttl=64, ip_id=4))
cap.add(t + 0.010, tcp(S, sp, C, cp, seq=si + 1, ack=ci + 4097, win=0, ttl=64, ip_id=2))
ip = 5
for i, dt in enumerate((0.5, 1.5, 3.5)):
    cap.add(t + 0.010 + dt, tcp(C, cp, S, sp, seq=ci + 4097, ack=si + 1, flags="A", payload=b"p", ttl=64, ip_id=ip))
    ip += 1
    cap.add(t + 0.011 + dt, tcp(S, sp, C, cp, seq=si + 1, ack=ci + 4097, win=0, ttl=64, ip_id=3 + i))
cap.add(t + 5.0, tcp(S, sp, C, cp, seq=si + 1, ack=ci + 4097, win=4096, ttl=64, ip_id=6))
cap.add(t + 5.001, tcp(C, cp, S, sp, seq=ci + 4097, ack=si + 1, flags="PA", payload=b"p" * 1000, ttl=64, ip_id=ip))
cap.add(t + 5.010, tcp(S, sp, C, cp, seq=si + 1, ack=ci + 5097, win=4096, ttl=64, ip_id=7))
cap.add(t + 5.020, tcp(C, cp, S, sp, seq=ci + 5097, ack=si + 1, flags="FA", ttl=64, ip_id=ip + 1))
cap.add(t + 5.021, tcp(S, sp, C, cp, seq=si + 1, ack=ci + 5098, flags="FA", win=4096, ttl=64, ip_id=8))
cap.add(t + 5.022, tcp(C, cp, S, sp, seq=ci + 5098, ack=si + 2, ttl=64, ip_id=ip + 2))
cap.write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"))
