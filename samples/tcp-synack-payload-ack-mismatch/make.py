#!/usr/bin/env python3
"""Seen from the client only: the SYN-ACK arrives carrying 2 bytes of payload
(something in the path added them), so the client acknowledges the server's
ISN+3 instead of ISN+1; the server, which never sent those bytes, answers the
client's data with an RST. Writes capture.pcap next to this file (or argv[1])."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/tools"))
from pcapgen import Capture, tcp, mss  # noqa: E402

C, S = "172.16.5.5", "203.0.113.9"
cp, sp = 60123, 25
cap = Capture()
_add = cap.add
cap.add = lambda ts, frame: _add(1700000000 * 10**9 + round(ts * 1e9), frame)  # exact ns
t = 0.0
ci, si = 3000000000, 4294967000
cap.add(t, tcp(C, cp, S, sp, seq=ci, flags="S", options=mss(1460), ttl=64, ip_id=40))
cap.add(t + 0.030, tcp(S, sp, C, cp, seq=si, ack=ci + 1, flags="SA", options=mss(1380), payload=b"\r\n", ttl=49, ip_id=900))
cap.add(t + 0.031, tcp(C, cp, S, sp, seq=ci + 1, ack=si + 3, ttl=64, ip_id=41))
cap.add(t + 0.040, tcp(C, cp, S, sp, seq=ci + 1, ack=si + 3, flags="PA", payload=b"EHLO client\r\n", ttl=64, ip_id=42))
cap.add(t + 0.071, tcp(S, sp, C, cp, seq=si + 1, ack=0, flags="R", win=0, ttl=49, ip_id=901))
cap.write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"))
