#!/usr/bin/env python3
"""samples/path-synack-modified/make.py - client, firewall-inside and
firewall-outside captures of one TLS connection that breaks on the path.

The SYN-ACK leaves the firewall's inside interface with no payload and reaches
the client with 2 bytes; the client ACKs ISN+3, the firewall drops that ACK as
a sequence/ACK mismatch (TMG log: 0xc0040034 FWX_E_SEQ_ACK_MISMATCH) and every
retransmission of the ClientHello that carries it, until the server resets.
The outside capture is NATed (10.110.233.50:50183 <-> 10.110.235.202:55073)
and its clock runs 10 min 0.25 s ahead; the inside one 3.7 ms ahead.
An earlier healthy connection through the same firewall gives the clock samples.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "tools"))
from pathgen import Net, Tcp, Vantage  # noqa: E402

CLI, SRV = "10.110.233.50", "10.120.5.20"
NAT = {(CLI, 50170): ("10.110.235.202", 55060), (CLI, 50183): ("10.110.235.202", 55073)}
D = 0.0016  # client -> server one-way

net = Net([Vantage("client", 0.0),
           Vantage("fw-in", 0.0004, clock=0.0037, hops=0),
           Vantage("fw-out", 0.0006, clock=600.25, nat=NAT, hops=1)], server_pos=D)

# a healthy connection: handshake, ClientHello, ServerHello, a few records, close
ok = Tcp(net, (CLI, 50170, SRV, 443), isn_c=0x1A2B3C00, isn_s=0x7F000100, ipid_c=0x2000, ipid_s=0x6000)
t = 1.0
ok.handshake(t, rtt_c=2 * D + 0.0002, srv_pos=D + 0.0001)
t += 2 * D + 0.0003
for i in range(6):
    ok.send(t, 0, bytes([0x16, 3, 1]) + bytes(200 + i))
    ok.send(t + D + 0.002, 1, bytes([0x16, 3, 3]) + bytes(1200 + i))
    ok.ack(t + 2 * D + 0.0025, 0)
    t += 0.05
ok.close(t, 2 * D)

# the broken one
bad = Tcp(net, (CLI, 50183, SRV, 443), isn_c=0x51C0FFEE, isn_s=0x0BADF00D, ipid_c=0x3000, ipid_s=0x7000)
t = 2.0
net.tcp(t, 0, bad.conn, seq=bad.isn_c, flags="S", ip_id=bad._id(0))
# SYN-ACK: no payload from the server, 2 bytes (0x00 0x00) by the time it reaches the client
net.tcp(t + D + 0.0001, 1, bad.conn, seq=bad.isn_s, ack=bad.isn_c + 1, flags="SA", ip_id=bad._id(1),
        mods={"client": {"payload": b"\x00\x00"}})
tc = t + 2 * D + 0.0002
# the client counts the 2 bytes: ACK = ISN+3; the firewall drops it (not at fw-out)
net.tcp(tc, 0, bad.conn, seq=bad.isn_c + 1, ack=bad.isn_s + 3, flags="A", ip_id=bad._id(0),
        seen={"client", "fw-in"})
hello = bytes([0x16, 3, 1, 0, 0xb0]) + bytes(175)
for dt in (0.0005, 0.3, 0.9, 2.1):
    net.tcp(tc + dt, 0, bad.conn, seq=bad.isn_c + 1, ack=bad.isn_s + 3, flags="PA", payload=hello,
            ip_id=bad._id(0), seen={"client", "fw-in"})
# the server never saw the handshake complete and gives up
net.tcp(t + 3.2, 1, bad.conn, seq=bad.isn_s + 1, ack=bad.isn_c + 1, flags="RA", ip_id=bad._id(1))
net.write(HERE)

# the firewall's own log of the drop (UTC, W3C, tab-separated)
fields = ["computer", "date", "time", "IP protocol", "source", "destination", "original client IP",
          "source network", "destination network", "action", "status", "rule", "application protocol",
          "bytes sent", "bytes sent intermediate", "bytes received", "bytes received intermediate",
          "connection time", "connection time intermediate", "source name", "destination name", "username",
          "agent", "session ID", "connection ID", "interface", "IP header", "protocol payload"]
row = ["TMG01", "2024-01-07", "08:00:02", "TCP", "%s:50183" % CLI, "%s:443" % SRV, CLI, "Internal",
       "External", "Denied", "0xc0040034", "-", "HTTPS", "0", "0", "0", "0", "-", "-", "-", "-", "-", "-",
       "0", "0", "-", "-", "-"]
with open(os.path.join(HERE, "tmg-fws.w3c"), "w", newline="\r\n") as f:
    f.write("#Software: Microsoft Forefront Threat Management Gateway\n#Version: 2.0\n"
            "#Date: 2024-01-07 08:00:00\n#Fields: " + "\t".join(fields) + "\n" + "\t".join(row) + "\n")
