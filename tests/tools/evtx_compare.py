"""tests/tools/evtx_compare.py OWN.jsonl LIBEVTX.jsonl

Compares the default EVTX reader (our own) with the libevtx reader on the same
file, record by record (keyed by EventRecordID; recovered records of libevtx
left out): prints "cmp METRIC EXPECTED ACTUAL" lines for: every libevtx record
present in ours, how many records only ours has, and how many common records
differ in any field, flow, type, time or message.
"""
import json
import sys


def load(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        e = json.loads(line)
        if e["fields"].get("event.recovered"):
            continue
        e.pop("source")
        e.pop("ref")
        out[e["fields"]["event.record_id"]] = e
    return out


own, lib = load(sys.argv[1]), load(sys.argv[2])
print("cmp libevtx_records_missing_in_own 0", len(set(lib) - set(own)))
print("cmp only_in_own", sys.argv[3] if len(sys.argv) > 3 else 0, len(set(own) - set(lib)))
diff = [k for k in set(own) & set(lib) if own[k] != lib[k]]
print("cmp differing_records 0", len(diff))
