#!/usr/bin/env python3
"""samples/path-idle-drop/make.py - a client and its application server,
captured at both ends. The connection works, then sits idle for 65 minutes;
the firewall between them has forgotten it, so the client's next request and
its four retransmissions exist only in the client capture. The server's clock
runs 7 minutes behind.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "tools"))
from pathgen import Net, Tcp, Vantage  # noqa: E402

CLI, SRV = "10.3.3.3", "10.4.4.4"
D = 0.0012
net = Net([Vantage("client", 0.0), Vantage("server", D, clock=-420.0, hops=3)], server_pos=D, jitter=0.00002)
c = Tcp(net, (CLI, 49800, SRV, 8080), isn_c=0x31415926, isn_s=0x27182818, ipid_c=0x4000, ipid_s=0x8000)
t = 100.0
c.handshake(t, rtt_c=2 * D + 0.0001, srv_pos=D + 0.0001)
t += 2 * D + 0.0002
for i in range(8):
    c.send(t, 0, b"GET /status/%d HTTP/1.1\r\nHost: app\r\n\r\n" % i)
    c.send(t + D + 0.004, 1, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    c.ack(t + 2 * D + 0.0045, 0)
    t += 0.2
# 65 minutes later: the request and its retransmissions never leave the firewall
t += 65 * 60
req = b"GET /status/8 HTTP/1.1\r\nHost: app\r\n\r\n"
for dt in (0.0, 0.3, 0.9, 2.1, 4.5):
    c.send(t + dt, 0, req, seen={"client"}, advance=False)
net.write(HERE)
