#!/usr/bin/env python3
"""tests/tools/html_ladder.py FILE.html - what an analyze -f html page's
incident views hold, one "key value" line each, for the e2e tests:
  incidents N, nav_links N, dangling_links N (an href="#x" without id x),
  per incident I: ladder_rows, rows_in_time_order (yes/no), same_lines (the
  dashed "same packet" lines), context_rows, lanes (lane address labels,
  space-separated), row REF TIME (every ladder row, "client#26 08:00:02.003"),
  filter SOURCE SESSION-FILTER, evidence_links / evidence_targets, blame.
Only the Python standard library.
Does not: check well-formedness (html_check.py does)."""
import html
import re
import sys


def main(fn):
    h = open(fn, encoding="utf-8").read()
    ids = set(re.findall(r'\sid="([^"]+)"', h))
    hrefs = re.findall(r'href="#([^"]*)"', h)
    nav = re.search(r'<nav class="bar">(.*?)</nav>', h, re.S)
    print("nav_links", len(re.findall(r"href=", nav.group(1))) if nav else 0)
    print("dangling_links", sum(1 for x in hrefs if x not in ids))
    incs = re.split(r'<section class="incident[^"]*" id="incident-', h)[1:]
    print("incidents", len(incs))
    for sec in incs:
        i = sec.split('"', 1)[0]
        sec = sec[:sec.index("</section>")] if "</section>" in sec else sec
        lad = re.search(r'<svg class="ladder".*?</svg>', sec, re.S)
        lad = lad.group(0) if lad else ""
        times = re.findall(r'<text x="8.0" y="[0-9.]+"[^>]*class="mono">([0-9:.]+)</text>', lad)
        print(i, "ladder_rows", len(times))
        print(i, "rows_in_time_order", "yes" if times == sorted(times) else "no")
        print(i, "same_lines", lad.count('class="same"'))
        print(i, "context_rows", lad.count("<title>context:"))
        lanes = re.findall(r'<text [^>]*font-size="10" fill="#52606d" class="mono">([^<:]+)<title>', lad)
        print(i, "lanes", " ".join(lanes))
        refs = re.findall(r'<tspan font-weight="600">([^<]+)</tspan>', lad)
        for ref, t in zip(refs, times):
            print(i, "row", ref, t)
        links = re.findall(r'<a href="#(ev-[^"]+)">', lad)
        print(i, "evidence_links", len(links))
        print(i, "evidence_targets", sum(1 for x in links if x in ids))
        for dt, body in re.findall(r"<dt>(.*?)</dt>(.*?)(?=<dt>|</dl>)", sec, re.S):
            src = re.sub(r"<[^>]+>.*", "", dt).strip()
            m = re.search(r"session <code>([^<]+)</code>", body)
            print(i, "filter", src, html.unescape(m.group(1)) if m else "-")
        print(i, "blame", len(re.findall(r'<p class="blame">', sec)))


if __name__ == "__main__":
    main(sys.argv[1])
