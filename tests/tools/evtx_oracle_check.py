"""tests/tools/evtx_oracle_check.py ORACLE.tsv NAME TIMELINE.jsonl [DROPPED]

Prints one line per compared metric, "cmp METRIC EXPECTED ACTUAL", from a
`correlator timeline -f jsonl --no-analysis` run on one EVTX file against the
values evtxexport (libevtx 20181227) produced (ORACLE.tsv): records and
recovered counted separately (event.recovered), first/last EventRecordID in
file order, min/max and first/last TimeCreated, distinct ids, the five most
frequent ids, channels; plus that refs are 1..N in file order. DROPPED: the
recovered records the reader dropped as repeats of allocated ones (its note):
they count among evtxexport's recovered records.
"""
import json
import sys
from collections import Counter

oracle_path, name, tl = sys.argv[1:4]
dropped = int(sys.argv[4]) if len(sys.argv) > 4 else 0
want = {}
for line in open(oracle_path, encoding="utf-8"):
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 4 and parts[0] == name:
        want[parts[2]] = parts[3]

events = [json.loads(l) for l in open(tl, encoding="utf-8")]
recs = [e for e in events if not e["fields"].get("event.recovered")]
recs.sort(key=lambda e: e["ref"])  # file order (the timeline is time order)
rec_ids = [e["fields"]["event.id"] for e in recs]
times = [e["fields"]["event.time_created"] for e in recs]
top = sorted(Counter(rec_ids).items(), key=lambda kv: (-kv[1], kv[0]))[:5]
got = {
    "records": len(recs),
    "recovered": len(events) - len(recs) + dropped,
    "first_record_id": recs[0]["fields"]["event.record_id"] if recs else "",
    "last_record_id": recs[-1]["fields"]["event.record_id"] if recs else "",
    "min_time": min(times) if times else "",
    "max_time": max(times) if times else "",
    "first_time": times[0] if times else "",
    "last_time": times[-1] if times else "",
    "distinct_ids": len(set(rec_ids)),
    "top_ids": ",".join("%d:%d" % kv for kv in top),
    "channels": ",".join(sorted({e["fields"].get("event.channel", "") for e in recs})),
}
for k, v in got.items():
    if k in want:
        print("cmp", k, want[k], v)
print("cmp refs_in_file_order", "ok",
      "ok" if [e["ref"] for e in recs] == list(range(1, len(recs) + 1)) else "bad")
