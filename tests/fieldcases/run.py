#!/usr/bin/env python3
"""tests/fieldcases/run.py - run every field-case family on many seeds.

For each fam_*.py here and each seed, builds the incident's evidence set and
its near-miss twin in a temporary folder, runs `correlator analyze -f json`
on it and checks the report: every expected finding present with its exact
fields and evidence refs, and the family's rules silent on the near-miss.
Prints one "ok fieldcases: ..." or "FAIL fieldcases: ..." line per case (the
e2e format) and a reproduce line for each failure; exit 1 on any failure.

    run.py --correlator bin/correlator [--seeds 20] [--first 0]
           [--family NAME ...] [--keep DIR] [--near-miss-only | --incident-only]
"""
import argparse
import glob
import importlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def families(names):
    mods = []
    for path in sorted(glob.glob(os.path.join(HERE, "fam_*.py"))):
        mod = importlib.import_module(os.path.basename(path)[:-3])
        if not names or mod.FAMILY in names:
            mods.append(mod)
    return mods


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _same(want, got):
    if _num(want) and _num(got):
        return want == got
    return str(want) == str(got)


def _refs(finding):
    out = set()
    for e in finding.get("evidence", []):
        src = e.get("source", "")
        if e.get("file"):
            src = "%s[%s]" % (src, e["file"])
        out.add("%s#%s" % (src, e.get("ref")))
    return out


def _why_not(exp, f):
    """None when finding f meets expectation exp, else what differs."""
    fields = f.get("fields", {})
    for k, v in exp.fields.items():
        if k not in fields:
            return "no field %s" % k
        if not _same(v, fields[k]):
            return "%s = %r, expected %r" % (k, fields[k], v)
    for k, (v, tol) in exp.approx.items():
        if k not in fields or not _num(fields[k]):
            return "no number %s" % k
        if abs(fields[k] - v) > tol:
            return "%s = %r, expected %r ± %r" % (k, fields[k], v, tol)
    missing = [r for r in exp.evidence if r not in _refs(f)]
    if missing:
        return "evidence lacks %s (has %s)" % (", ".join(missing), ", ".join(sorted(_refs(f))))
    for rx in exp.message:
        if not re.search(rx, f.get("message", "")):
            return "message %r does not match /%s/" % (f.get("message", ""), rx)
    return None


def check(case, report):
    """List of problems; empty when the report meets the case."""
    problems = []
    findings = report.get("findings", [])
    for exp in case.expect:
        cands = [f for f in findings if f.get("rule") == exp.rule]
        if not cands:
            problems.append("no %s finding (rules that fired: %s)" %
                            (exp.rule, ", ".join(sorted({f.get("rule", "?") for f in findings})) or "none"))
            continue
        whys = [_why_not(exp, f) for f in cands]
        if all(whys):
            problems.append("%s: %s" % (exp.rule, whys[0]))
    if case.headline and case.expect:
        first = [i for i, f in enumerate(findings) if f.get("rule") == case.expect[0].rule]
        incs = [inc for inc in report.get("incidents", [])
                if any(i in inc.get("findings", []) for i in first)]
        for inc in incs[:1]:
            lead = findings[inc["findings"][0]].get("rule")
            if lead not in case.headline:
                problems.append("incident led by %s, expected one of %s" %
                                (lead, ", ".join(case.headline)))
    for rule in case.quiet:
        hits = [f for f in findings if f.get("rule") == rule]
        if hits:
            problems.append("%s fired on the near-miss: %s" % (rule, hits[0].get("message", "")))
    return problems


def run_case(binary, mod, seed, near, keep):
    rng = random.Random("%s:%d:%s" % (mod.FAMILY, seed, "near" if near else "incident"))
    work = tempfile.mkdtemp(prefix="fieldcase-")
    case = None
    try:
        try:
            case = mod.build(rng, work, near)
        except Exception as e:  # a generator bug is a failure of this case, not of the run
            return ["the generator failed: %s: %s" % (type(e).__name__, e)], None
        cmd = [binary, "analyze", "-f", "json", "--no-progress"] + case.args + case.sources
        p = subprocess.run(cmd, cwd=work, capture_output=True, timeout=300)
        if p.returncode != 0:
            return ["exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[:300])], case
        try:
            report = json.loads(p.stdout)
        except ValueError as e:
            return ["report is not JSON: %s" % e], case
        return check(case, report), case
    finally:
        if keep:
            dest = os.path.join(keep, "%s-%d-%s" % (mod.FAMILY, seed, "near" if near else "incident"))
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(work, dest)
            if case is not None:
                # the command line's sources and options, one a line (tests/e2e/test_threads.sh)
                for name, items in (("sources", case.sources), ("args", case.args)):
                    with open(os.path.join(dest, name), "w") as f:
                        f.writelines("%s\n" % x for x in items)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--correlator", required=True)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--family", action="append", default=[])
    ap.add_argument("--keep", help="copy every evidence set into this folder")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--near-miss-only", action="store_true")
    g.add_argument("--incident-only", action="store_true")
    a = ap.parse_args()
    binary = os.path.abspath(a.correlator)
    mods = families(set(a.family))
    if a.family and len(mods) != len(set(a.family)):
        sys.exit("run.py: unknown family in %s" % a.family)
    variants = [False] if a.incident_only else [True] if a.near_miss_only else [False, True]
    failed = 0
    for mod in mods:
        for seed in range(a.first, a.first + a.seeds):
            for near in variants:
                name = "%s seed %d %s" % (mod.FAMILY, seed, "near-miss" if near else "incident")
                problems, case = run_case(binary, mod, seed, near, a.keep)
                if problems:
                    failed += 1
                    print("FAIL fieldcases: %s: %s" % (name, "; ".join(problems)))
                    print("  reproduce: %s --correlator %s --family %s --first %d --seeds 1 --keep /tmp/fc"
                          % (os.path.relpath(__file__), a.correlator, mod.FAMILY, seed))
                else:
                    print("ok fieldcases: %s" % name)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
