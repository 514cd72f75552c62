#!/usr/bin/env python3
"""tests/tools/jsonl_keys.py FILE.jsonl... - the key-conflict rule an index
such as Timesketch's OpenSearch applies to a JSONL import: a dotted key is an
object path, so no key may be both a leaf (a value) and the dotted prefix of
another key, across every line of every file (one index holds them all).
Prints one line per conflict ("CONFLICT leaf: child (file:line)") and, last,
"keys N conflicts M"; exits 1 when there is a conflict.
Does not: check values or types."""
import json
import sys


def paths(obj, prefix, out):
    """every leaf of obj as a dotted path; dots inside a key split it too"""
    for k, v in obj.items():
        p = prefix + k
        if isinstance(v, dict):
            paths(v, p + ".", out)     # an empty object adds no leaf
        elif v is not None:             # null maps to nothing
            out.add(p)


def main(files):
    leaves = {}     # path -> first place seen
    for fn in files:
        with open(fn, encoding="utf-8") as fh:
            for i, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                got = set()
                paths(json.loads(line), "", got)
                for p in got:
                    leaves.setdefault(p, "%s:%d" % (fn, i))
    conflicts = 0
    keys = set(leaves)
    for p in sorted(keys):
        parts = p.split(".")
        for n in range(1, len(parts)):
            pre = ".".join(parts[:n])
            if pre in keys:
                conflicts += 1
                print("CONFLICT %s: %s (%s; %s)" % (pre, p, leaves[pre], leaves[p]))
    print("keys %d conflicts %d" % (len(keys), conflicts))
    return 1 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
