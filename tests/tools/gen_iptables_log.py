#!/usr/bin/env python3
"""tests/tools/gen_iptables_log.py - writes N iptables drop lines, each from a
new flow, at a steady rate (default 5 lines a second, within one day), for
the memory test: with sessions that expire, memory follows the live flows
(rate x session timeout), not N.

    gen_iptables_log.py N OUT [--rate PER_SECOND]
"""
import argparse

ap = argparse.ArgumentParser()
ap.add_argument("n", type=int)
ap.add_argument("out")
ap.add_argument("--rate", type=float, default=5.0)
a = ap.parse_args()
with open(a.out, "w") as f:
    for i in range(a.n):
        s = int(i / a.rate) % 86400
        f.write("Jan  7 %02d:%02d:%02d gw01 kernel: [%d.000000] FW-DROP-IN: IN=eth0 OUT= "
                "SRC=198.%d.%d.%d DST=203.0.113.25 LEN=40 TTL=49 ID=%d DF PROTO=TCP SPT=%d DPT=25 "
                "WINDOW=1024 RES=0x00 ACK URGP=0 \n"
                % (s // 3600, (s // 60) % 60, s % 60, s, (i >> 16) & 255, (i >> 8) & 255, i & 255,
                   i & 65535, 1024 + i % 60000))
