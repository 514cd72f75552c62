#!/usr/bin/env python3
"""samples/path-isn-randomised/make.py - a client behind a firewall that NATs
it and renumbers its TCP sequence numbers (Cisco ASA's ISN randomisation), so
neither the 5-tuple nor the ISNs match between the inside and outside
captures; the payloads do. The outside clock runs 90 s ahead. One response
segment is lost between the outside and the inside capture.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "tools"))
from pathgen import Net, Vantage  # noqa: E402

CLI, SRV = "172.20.1.15", "198.51.100.80"
NAT = {(CLI, 51515): ("203.0.113.44", 33001)}
DELTA = 0x3A5F0000  # outside seq = inside seq + DELTA for the client's numbering
D = 0.003
net = Net([Vantage("inside", 0.0005), Vantage("outside", 0.0008, clock=90.0, nat=NAT, hops=1)],
          server_pos=D, jitter=0.00002)
conn = (CLI, 51515, SRV, 80)
isn_c, isn_s = 0x00100000, 0x77000000
ipid = [0x0500, 0x2500]


def pkt(t, d, seq, ack, flags, payload=b"", seen=None):
    ipid[d] += 1
    out = {"seq": seq + DELTA} if d == 0 else {"ack": ack + DELTA}
    net.tcp(t, d, conn, seq=seq, ack=ack, flags=flags, payload=payload, ip_id=ipid[d],
            mods={"outside": out}, seen=seen)


t = 1.0
pkt(t, 0, isn_c, 0, "S")
pkt(t + D, 1, isn_s, isn_c + 1, "SA")
pkt(t + 2 * D, 0, isn_c + 1, isn_s + 1, "A")
cs, ss = isn_c + 1, isn_s + 1
t += 2 * D + 0.001
for i in range(6):
    req = b"GET /item/%d HTTP/1.1\r\nHost: shop\r\n\r\n" % i
    pkt(t, 0, cs, ss, "PA", req)
    cs += len(req)
    body = b"HTTP/1.1 200 OK\r\nContent-Length: 600\r\n\r\n" + bytes([0x41 + i]) * 600
    # the fourth response is lost between outside and inside
    pkt(t + D + 0.002, 1, ss, cs, "PA", body, seen={"outside"} if i == 3 else None)
    ss += len(body)
    pkt(t + 2 * D + 0.0025, 0, cs, ss, "A")
    t += 0.1
net.write(HERE)
