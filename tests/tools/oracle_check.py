"""tests/tools/oracle_check.py ORACLE.tsv NAME TIMELINE.jsonl

Prints one line per compared metric: "cmp METRIC EXPECTED ACTUAL", computed
from a `correlator timeline -f jsonl --no-analysis` run on the capture, against
the values tshark produced (ORACLE.tsv). Also checks time order.
"""
import json
import sys
from datetime import datetime

oracle_path, name, tl = sys.argv[1:4]
want = {}
for line in open(oracle_path, encoding="utf-8"):
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 4 and parts[0] == name:
        want[parts[2]] = parts[3]

events = [json.loads(l) for l in open(tl, encoding="utf-8")]
pk = [e for e in events if e["timestamp_desc"] == "Packet Captured"]


def f(e, k, d=None):
    return e["fields"].get(k, d)


def is_tcp(e):
    return "tcp.srcport" in e["fields"]


got = {
    "packets": len(pk),
    "tcp_pkts": sum(1 for e in pk if is_tcp(e)),
    "syn": sum(1 for e in pk if f(e, "tcp.flags.syn") and not f(e, "tcp.flags.ack")),
    "synack": sum(1 for e in pk if f(e, "tcp.flags.syn") and f(e, "tcp.flags.ack")),
    "rst": sum(1 for e in pk if f(e, "tcp.flags.reset")),
    "rst_with_payload": sum(1 for e in pk if f(e, "tcp.flags.reset") and f(e, "tcp.len", 0) > 0),
    "fin": sum(1 for e in pk if f(e, "tcp.flags.fin")),
    "syn_with_payload": sum(1 for e in pk if f(e, "tcp.flags.syn") and f(e, "tcp.len", 0) > 0),
    "esp": sum(1 for e in pk if "esp.spi" in e["fields"]),
    "bad_tcp_cksum": sum(1 for e in pk if f(e, "tcp.checksum.status") == "bad"),
}


def epoch(ts):
    d, frac = ts[:-1].split(".")
    return "%d.%s" % (int(datetime.fromisoformat(d + "+00:00").timestamp()), frac)


if pk:
    got["first_ts"] = epoch(pk[0]["ts"])
    got["last_ts"] = epoch(pk[-1]["ts"])
for k, v in got.items():
    if k in want:
        print("cmp", k, want[k], v)
ordered = all(pk[i]["ts"] <= pk[i + 1]["ts"] for i in range(len(pk) - 1))
print("cmp time_order yes", "yes" if ordered else "no")
