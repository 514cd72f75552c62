#!/usr/bin/env python3
"""tests/tools/ring_check.py - evidence in a capture ring names the file that
holds the very frame it cites.

    ring_check.py CORRELATOR PCAP FRAMES_PER_FILE WORKDIR

Splits a classic pcap into a ring of small files (WORKDIR/ring/ring_NNNN.pcap,
FRAMES_PER_FILE frames each), runs the correlator on the capture and on the
ring directory, and maps every (file, ref) the ring run cites back to the
unsplit frame number (the file's offset + ref): in JSONL (every event, and the
refs inside `cite` fields) and in the JSON report (finding evidence and the
incidents' Wireshark filters). Each mapped set must equal the unsplit run's.
Prints one "name: ok" or "name: MISMATCH ..." line per check; exit 1 on any
mismatch. Only the standard library.
"""
import collections
import json
import os
import re
import struct
import subprocess
import sys


def split(path, per, outdir):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("ring_check: only little-endian classic pcap")
    hdr, off, frames = data[:24], 24, []
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        frames.append(data[off:off + 16 + incl])
        off += 16 + incl
    os.makedirs(outdir, exist_ok=True)
    names = []
    for i in range(0, len(frames), per):
        name = "ring_%04d.pcap" % (i // per)
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(hdr + b"".join(frames[i:i + per]))
        names.append(name)
    return names


def run(correlator, args):
    return subprocess.run([correlator] + args, capture_output=True, text=True, check=False).stdout


CITE = re.compile(r"(\d+)/(\d+)@")


def jsonl_refs(text, glob):
    """(type, frame) for every event, and (type, 'cite', frame) for cited refs."""
    got = collections.Counter()
    for line in text.splitlines():
        e = json.loads(line)
        got[(e["type"], glob(e.get("file"), e["ref"]))] += 1
        cite = (e.get("fields") or {}).get("cite")
        if isinstance(cite, str):
            for ref, fidx in CITE.findall(cite):
                got[(e["type"], "cite", glob(int(fidx), int(ref)))] += 1
    return got


def report_refs(text, glob):
    r = json.loads(text)
    ev = collections.Counter()
    for f in r["findings"]:
        for e in f["evidence"]:
            ev[(f["rule"], e["type"], glob(e.get("file"), e["ref"]))] += 1
    flt = collections.Counter()
    for inc in r["incidents"]:
        frames = set()
        for x in inc.get("filters", []):
            for n in re.findall(r"\d+", x["frames"].split("{", 1)[-1]):
                frames.add(glob(x.get("file"), int(n)))
        flt[(inc["title"], tuple(sorted(frames)))] += 1
    return ev, flt


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    correlator, pcap, per, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    ringdir = os.path.join(work, "ring")
    names = split(pcap, per, ringdir)
    offset = {n: i * per for i, n in enumerate(names)}

    def glob_ring(f, ref):
        if isinstance(f, int):        # a cite names the file by its index
            return f * per + ref
        if f is None:
            if len(names) == 1:       # one file: a plain source, no `file`
                return ref
            raise KeyError("a ring ref without its file")
        return offset[os.path.basename(f)] + ref

    def glob_one(_f, ref):
        return ref

    bad = 0

    def same(name, a, b):
        nonlocal bad
        if a == b:
            print(f"{name}: ok ({sum(a.values())})")
        else:
            bad += 1
            print(f"{name}: MISMATCH only unsplit {sorted((a - b).items())[:6]} only ring {sorted((b - a).items())[:6]}")

    lab = ["cap=" + pcap], ["cap=" + ringdir]
    same("jsonl refs", jsonl_refs(run(correlator, ["timeline", "-f", "jsonl"] + lab[0]), glob_one),
         jsonl_refs(run(correlator, ["timeline", "-f", "jsonl"] + lab[1]), glob_ring))
    e1, f1 = report_refs(run(correlator, ["analyze", "--no-progress", "-f", "json"] + lab[0]), glob_one)
    e2, f2 = report_refs(run(correlator, ["analyze", "--no-progress", "-f", "json"] + lab[1]), glob_ring)
    same("report evidence", e1, e2)
    same("report filters", f1, f2)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
