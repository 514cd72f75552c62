"""Regenerate client.pcap and server.pcap: one HTTP session seen at both ends.

The client (10.1.1.10) fetches a page from the server (10.2.2.20) across a WAN
with 20 ms one-way delay; the server's capture clock runs 3 s behind. Frame
numbers differ between the two files because each also holds unrelated DNS
traffic. A baseline case: two sources, one session at two vantage points.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "tools"))
from pcapgen import Capture, tcp, udp, dns_query, mss, sack_perm, wscale  # noqa: E402

C, S, DNS = "10.1.1.10", "10.2.2.20", "10.1.1.53"
T0 = 1_704_638_029_100_000_000  # 2024-01-07 14:33:49.100 UTC, in ns
MS = 1_000_000
OWD, SKEW = 20 * MS, -3000 * MS
client, server = Capture(), Capture()
cisn, sisn = 1_000_000, 7_000_000
req = b"GET / HTTP/1.1\r\nHost: intranet\r\n\r\n"
resp = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"

client.add(T0 - 10 * MS, udp(C, 53001, DNS, 53, dns_query(0x1111, "intranet.example")))
client.add(T0 - 8 * MS, udp(DNS, 53, C, 53001, dns_query(0x1111, "intranet.example", response=True, answers=[S])))
steps = [  # (time seen at the client, sent by the client?, segment kwargs)
    (0 * MS, True, dict(seq=cisn, flags="S", options=mss(1460) + sack_perm() + wscale(7))),
    (41 * MS, False, dict(seq=sisn, ack=cisn + 1, flags="SA", options=mss(1400) + sack_perm() + wscale(8))),
    (61 * MS, True, dict(seq=cisn + 1, ack=sisn + 1, flags="A")),
    (62 * MS, True, dict(seq=cisn + 1, ack=sisn + 1, flags="PA", payload=req)),
    (110 * MS, False, dict(seq=sisn + 1, ack=cisn + 1 + len(req), flags="PA", payload=resp)),
    (131 * MS, True, dict(seq=cisn + 1 + len(req), ack=sisn + 1 + len(resp), flags="FA")),
    (171 * MS, False, dict(seq=sisn + 1 + len(resp), ack=cisn + 2 + len(req), flags="FA")),
    (192 * MS, True, dict(seq=cisn + 2 + len(req), ack=sisn + 2 + len(resp), flags="A")),
]
for i, (t, from_client, kw) in enumerate(steps):
    if from_client:
        f = tcp(C, 50100, S, 80, ip_id=100 + i, ttl=128, **kw)
        client.add(T0 + t, f)
        server.add(T0 + t + OWD + SKEW, tcp(C, 50100, S, 80, ip_id=100 + i, ttl=120, **kw))
    else:
        f = tcp(S, 80, C, 50100, ip_id=500 + i, ttl=64, **kw)
        server.add(T0 + t + SKEW - OWD, f)
        client.add(T0 + t, tcp(S, 80, C, 50100, ip_id=500 + i, ttl=56, **kw))
server.add(T0 + 500 * MS + SKEW, udp(S, 53002, "10.2.2.53", 53, dns_query(0x2222, "update.example")))
# a capture is written in the order its packets were seen
client.frames.sort(key=lambda f: f[0])
server.frames.sort(key=lambda f: f[0])
out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
client.write(os.path.join(out, "client.pcap"))
server.write(os.path.join(out, "server.pcap"))
