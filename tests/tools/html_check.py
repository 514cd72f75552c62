#!/usr/bin/env python3
"""tests/tools/html_check.py - is a report page well formed and self-contained?

Usage: html_check.py FILE  -> prints "tag count" lines for the elements the
tests look at, exits 1 with a message on the first problem:
  * an end tag that does not close the innermost open element, or elements
    left open at the end (void elements and <p>/<li> rules are not relaxed:
    our writer closes everything);
  * <script>, <link>, <iframe>, <object>, <embed>, <img> or any src= attribute;
  * an href that leaves the page (anything but "#..."), url(...) or @import
    in CSS, or an http(s) URL outside the SVG xmlns attribute.
Only the Python standard library.
"""
import html.parser
import re
import sys

VOID = {"meta", "br", "hr", "img", "input", "link", "source", "wbr", "col", "area", "base"}
FORBIDDEN = {"script", "link", "iframe", "object", "embed", "img", "audio", "video"}
SVG_SELF = {"path", "line", "rect", "circle", "polyline", "polygon", "stop", "use", "ellipse"}


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.counts = {}
        self.problems = []
        self.in_style = False
        self.style = []

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag in FORBIDDEN:
            self.problems.append(f"forbidden element <{tag}> at line {self.getpos()[0]}")
        for k, v in attrs:
            if k == "src":
                self.problems.append(f"src= at line {self.getpos()[0]}")
            if k in ("href", "xlink:href") and v is not None and not v.startswith("#"):
                self.problems.append(f"external link {v!r} at line {self.getpos()[0]}")
            if k.startswith("on"):
                self.problems.append(f"event handler {k}= at line {self.getpos()[0]}")
        if tag == "style":
            self.in_style = True
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag in FORBIDDEN:
            self.problems.append(f"forbidden element <{tag}/>")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack:
            self.problems.append(f"</{tag}> with nothing open at line {self.getpos()[0]}")
            return
        top, line = self.stack.pop()
        if top != tag:
            self.problems.append(f"</{tag}> at line {self.getpos()[0]} closes <{top}> from line {line}")
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.style.append(data)


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    if not text.startswith("<!DOCTYPE html>"):
        print("no <!DOCTYPE html> at the start")
        return 1
    c = Checker()
    c.feed(text)
    c.close()
    css = "".join(c.style)
    if re.search(r"url\(|@import", css):
        c.problems.append("CSS loads something (url( or @import)")
    for m in re.finditer(r"https?://[^\s\"'<>]+", text):
        if m.group(0) != "http://www.w3.org/2000/svg":
            c.problems.append(f"URL in the page: {m.group(0)}")
    if c.stack:
        c.problems.append("left open: " + ", ".join(f"<{t}> (line {l})" for t, l in c.stack[-5:]))
    if c.problems:
        for p in c.problems[:10]:
            print(p)
        return 1
    for tag in sorted(c.counts):
        print(tag, c.counts[tag])
    return 0


if __name__ == "__main__":
    sys.exit(main())
