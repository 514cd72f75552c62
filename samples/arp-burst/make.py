#!/usr/bin/env python3
"""samples/arp-burst/make.py - writes lan.pcap.

A file server (192.168.1.10) flushes its neighbour cache (a NIC teaming
failover) and re-resolves 20 peers within one millisecond; three answer. Right
after, it resets TCP sessions whose peers it could not reach. Before that, one
ordinary ARP exchange and a gratuitous announcement from the new team NIC.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "tools"))
from pcapgen import Capture, arp, tcp  # noqa: E402

T0 = 1_700_000_000 * 10**9
MS = 10**6
US = 10**3
SERVER = "192.168.1.10"


def main(out):
    cap = Capture()
    cap.add(T0, arp(1, "192.168.1.50", SERVER, sender_mac_id=50))
    cap.add(T0 + 200 * US, arp(2, SERVER, "192.168.1.50", sender_mac_id=10))
    cap.add(T0 + 500 * MS, arp(1, SERVER, SERVER, sender_mac_id=11))   # gratuitous: team failover
    base = T0 + 600 * MS
    for i in range(20):
        cap.add(base + i * 45 * US, arp(1, SERVER, "192.168.1.%d" % (100 + i), sender_mac_id=11))
    for i in (0, 5, 9):   # three peers answer
        cap.add(base + 1 * MS + i * 10 * US, arp(2, "192.168.1.%d" % (100 + i), SERVER, sender_mac_id=100 + i))
    # the server gives up on sessions to peers that did not answer
    for j, peer in enumerate((101, 102, 103)):
        cap.add(base + 300 * MS + j * MS,
                tcp(SERVER, 445, "192.168.1.%d" % peer, 50000 + j, seq=1000 + j, ack=0, flags="R",
                    ttl=128, ip_id=4000 + j))
    cap.write(os.path.join(out, "lan.pcap"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
