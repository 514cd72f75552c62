#!/usr/bin/env python3
"""samples/esp-loss-reorder/make.py - writes tunnel.pcap.

An IPsec tunnel between two gateways (198.51.100.1 -> 203.0.113.1, SPI
0x1234abcd) carrying 100 packets a second for 3 s. The provider's path drops
sequence numbers 41-45 and 230, delays number 100 behind 180 (80 packets late:
outside the 64-packet anti-replay window, so the receiver discards it), delays
150 by three packets, and duplicates 200. The reverse SA (0x0badf00d) is clean.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "tools"))
from pcapgen import Capture, esp  # noqa: E402

T0 = 1_700_000_000 * 10**9
MS = 10**6
A, B = "198.51.100.1", "203.0.113.1"


def arrival_order():
    order = []
    for n in range(1, 301):
        if 41 <= n <= 45 or n == 230 or n in (100, 150):
            continue
        order.append(n)
        if n == 153:
            order.append(150)
        if n == 180:
            order.append(100)
        if n == 200:
            order.append(200)
    return order


def main(out):
    cap = Capture()
    frames = []
    for i, n in enumerate(arrival_order()):
        frames.append((T0 + i * 10 * MS, esp(A, B, 0x1234ABCD, n, payload_len=120, ip_id=i)))
    for i in range(1, 31):   # the reverse SA, 10 per second
        frames.append((T0 + 5 * MS + (i - 1) * 100 * MS, esp(B, A, 0x0BADF00D, i, payload_len=80)))
    for t, f in sorted(frames, key=lambda x: x[0]):
        cap.add(t, f)
    cap.write(os.path.join(out, "tunnel.pcap"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
