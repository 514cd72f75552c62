#!/usr/bin/env python3
"""samples/path-sqlbrowser-cluster/make.py - a client asks the SQL Browser
(UDP 1434) of a clustered instance at its virtual IP 10.2.0.100; the active
node answers from its own address 10.2.0.11, which the client's firewall does
not relate to the request: the server capture shows three replies, the client
capture none. A TCP connection to the virtual IP on 1433 works (and gives the
clock samples: the server's clock runs 0.5 s ahead).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "tools"))
from pathgen import Net, Tcp, Vantage  # noqa: E402

CLI, VIP, NODE = "10.1.1.50", "10.2.0.100", "10.2.0.11"
D = 0.0008
net = Net([Vantage("client", 0.0), Vantage("server", D, clock=0.5, hops=2)], server_pos=D, jitter=0.00002)

c = Tcp(net, (CLI, 50433, VIP, 1433), isn_c=0x10203040, isn_s=0x50607080, ipid_c=0x0100, ipid_s=0x0900)
t = 5.0
c.handshake(t, rtt_c=2 * D + 0.0001, srv_pos=D + 0.0001)
t += 2 * D + 0.0002
for i in range(5):
    c.send(t, 0, bytes([0x12, 0x01, 0, 0x2f]) + bytes(43 + i))
    c.send(t + D + 0.001, 1, bytes([0x12, 0x01, 0, 0x2b]) + bytes(39 + i))
    t += 2 * D + 0.003
c.close(t, 2 * D)

# SQL Browser: CLNT_UCAST_INST (0x04, instance name) and SVR_RESP (0x05, length, text)
req = b"\x04INST1\x00"
text = b"ServerName;NODE1;InstanceName;INST1;IsClustered;Yes;Version;15.0.2000.5;tcp;1433;;"
resp = b"\x05" + len(text).to_bytes(2, "little") + text
t = 6.0
for i in range(3):
    net.udp(t, 0, (CLI, 55000, VIP, 1434), payload=req, ip_id=0x0200 + i)
    net.udp(t + D + 0.0002, 1, (CLI, 55000, VIP, 1434), payload=resp, ip_id=0x0a00 + i, src=NODE,
            seen={"server"})
    t += 1.0
net.write(HERE)
