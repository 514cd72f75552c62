#!/usr/bin/env python3
"""samples/dns-storm/make.py - writes dns.pcap.

A client (10.0.5.23) with a broken service loops on three names that do not
exist: 300 queries within one second to its resolver (10.0.0.53), each answered
NXDOMAIN. Another client makes two ordinary lookups, one of which gets no answer.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "tools"))
from pcapgen import Capture, dns_query, udp  # noqa: E402

T0 = 1_700_000_000 * 10**9
MS = 10**6
RESOLVER, STORM, OTHER = "10.0.0.53", "10.0.5.23", "10.0.5.40"
NAMES = ["wpad.corp.example", "_ldap._tcp.dc1.corp.example", "isatap.corp.example"]


def main(out):
    cap = Capture()
    cap.add(T0, udp(OTHER, 40000, RESOLVER, 53, dns_query(0x1000, "www.example.com")))
    cap.add(T0 + 2 * MS, udp(RESOLVER, 53, OTHER, 40000,
                             dns_query(0x1000, "www.example.com", response=True, answers=["93.184.216.34"])))
    cap.add(T0 + 10 * MS, udp(OTHER, 40001, RESOLVER, 53, dns_query(0x1001, "intranet.corp.example")))
    # 300 queries, 3 ms apart (0.897 s in all), each answered after 0.5 ms
    for i in range(300):
        t = T0 + 100 * MS + i * 3 * MS
        name = NAMES[i % 3]
        port = 50000 + i
        qid = 0x2000 + i
        cap.add(t, udp(STORM, port, RESOLVER, 53, dns_query(qid, name)))
        cap.add(t + MS // 2, udp(RESOLVER, 53, STORM, port, dns_query(qid, name, response=True, rcode=3)))
    cap.write(os.path.join(out, "dns.pcap"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
