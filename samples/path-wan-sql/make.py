#!/usr/bin/env python3
"""samples/path-wan-sql/make.py - a client and a SQL Server, captured at both
ends, 40 ms apart each way (80 ms round trip) through NAT on both addresses:
the client talks to 198.51.100.20:1433 from 192.168.10.25:52001; the server
sees 10.50.0.10:1433 reached from 203.0.113.7:40001. The server answers each
query in 3 ms; the client sends the next query 2 ms after each reply. The
server's clock runs 2 min 3.456789 s behind the client's.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "tools"))
from pathgen import Net, Tcp, Vantage  # noqa: E402

CLI, SRV_PUB, SRV = "192.168.10.25", "198.51.100.20", "10.50.0.10"
NAT = {(CLI, 52001): ("203.0.113.7", 40001), (SRV_PUB, 1433): (SRV, 1433)}
D = 0.040

net = Net([Vantage("client", 0.0), Vantage("sql", D, clock=-123.456789, nat=NAT, hops=6)],
          server_pos=D, jitter=0.00005)
c = Tcp(net, (CLI, 52001, SRV_PUB, 1433), isn_c=0x0C0FFEE0, isn_s=0x5EA5EA00, ipid_c=0x1100, ipid_s=0x4400)
t = 10.0
c.handshake(t, rtt_c=2 * D + 0.0001, srv_pos=D + 0.0001)
t += 2 * D + 0.0002
for i in range(12):
    c.send(t, 0, bytes([0x01, 0x01, 0, 60]) + b"SELECT * FROM t%02d WHERE id=%d;" % (i, i) + bytes(20))
    # the server thinks 3 ms, then answers in two segments
    ts = t + D + 0.003
    c.send(ts, 1, bytes([0x04, 0x01]) + bytes(1400 + i))
    c.send(ts + 0.0001, 1, bytes([0x04, 0x01]) + bytes(300 + i))
    c.ack(ts + 0.0002 + D + 0.0001, 0)
    # the client thinks 2 ms after the reply
    t = ts + 0.0001 + D + 0.002
c.close(t, 2 * D)
net.write(HERE)
