#!/usr/bin/env python3
"""tests/tools/tcp_flags.py - frame numbers per TCP expert flag.

  tcp_flags.py tshark PCAP...      frames tshark flags (tab-separated: file flag frames)
  tcp_flags.py ours NAME JSONL     frames our analysis events flag, same shape
Metric names are those of ORACLE.tsv. Frames are comma-separated, ascending;
'-' when none. Only the standard library.
"""
import json
import os
import subprocess
import sys

FLAGS = [
    ("retrans", "retransmission"), ("fast_retrans", "fast_retransmission"),
    ("spurious_retrans", "spurious_retransmission"), ("out_of_order", "out_of_order"),
    ("lost_segment", "lost_segment"), ("ack_lost_segment", "ack_lost_segment"),
    ("dup_ack", "duplicate_ack"), ("zero_window", "zero_window"),
    ("zero_window_probe", "zero_window_probe"), ("window_full", "window_full"),
    ("window_update", "window_update"), ("keep_alive", "keep_alive"),
    ("keep_alive_ack", "keep_alive_ack"), ("reused_ports", "reused_ports"),
]


def fmt(frames):
    return ",".join(str(f) for f in sorted(frames)) or "-"


def tshark(paths):
    for p in paths:
        name = "pcap/" + os.path.basename(p)
        for metric, wsname in FLAGS:
            out = subprocess.run(["tshark", "-r", p, "-Y", "tcp.analysis." + wsname,
                                  "-T", "fields", "-e", "frame.number"],
                                 capture_output=True, text=True, check=False).stdout
            frames = {int(x) for x in out.split()}
            print(f"{name}\t{metric}\t{fmt(frames)}")


def ours(name, path):
    got = {m: set() for m, _ in FLAGS}
    by_type = {"tcp." + w: m for m, w in FLAGS}
    with open(path, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            m = by_type.get(e.get("type"))
            if m:
                got[m].add(e["ref"])
    for m, _ in FLAGS:
        print(f"{name}\t{m}\t{fmt(got[m])}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "tshark":
        tshark(sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "ours":
        ours(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
