"""Regenerate tests/data/ captures for the foundation tests (deterministic)."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pcapgen import Capture, tcp, udp, dns_query, ipv4, ether, arp  # noqa: E402
from capfmt import Pcapng, NetMon  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data")
os.makedirs(out, exist_ok=True)
T0 = 1_700_000_000_000_000_000
A, B = "192.0.2.10", "198.51.100.20"

# Two captures whose packets interleave, with equal timestamps across them.
a = Capture()
b = Capture()
for i in range(5):
    a.add(T0 + i * 2_000_000, tcp(A, 40000, B, 80, seq=100 + i, flags="A", ip_id=i))
    b.add(T0 + i * 2_000_000 + (0 if i == 2 else 1_000_000), tcp(B, 80, A, 40000, seq=900 + i, flags="A", ip_id=100 + i))
a.write(os.path.join(out, "merge-a.pcap"))
b.write(os.path.join(out, "merge-b.pcap"))

# A capture ring: 3 files, names not in time order.
ring = os.path.join(out, "ring")
os.makedirs(ring, exist_ok=True)
for name, k in (("cap_c.pcap", 0), ("cap_a.pcap", 1), ("cap_b.pcap", 2)):
    c = Capture()
    for i in range(3):
        c.add(T0 + (k * 3 + i) * 1_000_000_000,
              udp(A, 5000, B, 53, dns_query(k * 3 + i, "host%d.example" % (k * 3 + i))))
    c.write(os.path.join(ring, name))
with open(os.path.join(ring, "README.txt"), "w") as f:
    f.write("not a capture: a stray file in a capture folder is reported and left out\n")

# pcapng: Ethernet (usec) + raw IP (nsec) interfaces, direction flags, a comment.
ng = Pcapng()
eth = ng.add_interface(1, 6, "eth0")
raw = ng.add_interface(101, 9, "tun0")
ng.add(eth, T0 + 1_000, tcp(A, 40001, B, 443, seq=7, flags="S"), direction=2, comment="client SYN")
ip_only = ipv4(B, A, 17, b"\x01\xbb\x9c\x41\x00\x0c\x00\x00abcd", ttl=50, ip_id=9)
ng.add(raw, T0 + 2_123, ip_only, direction=1)
ng.add(eth, T0 + 3_000, arp(1, A, B))
ng.write(os.path.join(out, "multi-link.pcapng"))

# NetMon 2.3 .cap with one NetEvent record (not a packet) between two frames.
nm = NetMon(T0)
nm.add(T0 + 500_000, tcp(A, 40002, B, 445, seq=1, flags="S"))
nm.add(T0 + 600_000, b"\0" * 40, media=0xFFE0)
nm.add(T0 + 700_000, tcp(B, 445, A, 40002, seq=5, ack=2, flags="SA"))
nm.write(os.path.join(out, "netmon23.cap"))
