#!/usr/bin/env python3
"""tests/tools/analysis_lines.py - the analysis events of a `timeline -f jsonl`
output as one comparable line each:

    TS SOURCE#REF TYPE field=value field=value ...

Only events whose type starts with one of the given prefixes (dotted), so a
sample's expected file does not change when an unrelated analyzer is added.

    analysis_lines.py timeline.jsonl udp esp dns arp
"""
import json
import sys


def main():
    path, prefixes = sys.argv[1], sys.argv[2:]
    for line in open(path, encoding="utf-8"):
        e = json.loads(line)
        if e.get("timestamp_desc") != "Analysis":
            continue
        t = e["type"]
        if prefixes and not any(t == p or t.startswith(p + ".") for p in prefixes):
            continue
        fields = " ".join("%s=%s" % (k, json.dumps(v) if isinstance(v, str) else v)
                          for k, v in e.get("fields", {}).items())
        print("%s %s#%s %s %s" % (e["ts"], e["source"], e["ref"], t, fields))


if __name__ == "__main__":
    main()
