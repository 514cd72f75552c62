"""tests/fieldcases/fieldlib.py - what every field-case family shares: random
addresses, ports, ISNs, times and clock skews drawn from one seeded generator,
and a capture writer that picks the container at random (pcap with µs or ns
times, pcapng, Network Monitor 2.x), so a family is never tested on one format.

A family module (fam_NAME.py) builds one evidence set from an rng:

    FAMILY = "synack-modified"
    RULES = ["path_synack_modified", ...]      # rules this family is about
    def build(rng, outdir, near_miss):         # -> Case
        ...
        return Case(sources=["client=client.cap", ...], expect=[Expect(...)],
                    quiet=RULES if near_miss else [])

run.py runs correlator on it and checks the report. Standard library only.
"""
import ipaddress
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import capfmt  # noqa: E402
import pcapgen  # noqa: E402


class Expect:
    """One finding the report must hold.

    rule      the rule name (finding "rule")
    fields    name -> exact value the finding's fields must hold (numbers
              compare as numbers; durations are integer nanoseconds)
    approx    name -> (value, tolerance) for measured numbers
    evidence  "label#ref" strings that must all be among the finding's
              evidence (a ring source: "label[file]#ref")
    message   regular expressions the message must match
    """

    def __init__(self, rule, fields=None, approx=None, evidence=(), message=()):
        self.rule = rule
        self.fields = fields or {}
        self.approx = approx or {}
        self.evidence = list(evidence)
        self.message = list(message)


class Case:
    """An evidence set: sources for the command line (relative to outdir),
    extra arguments, the findings expected and the rules that must stay quiet."""

    def __init__(self, sources, expect=(), quiet=(), args=(), note=""):
        self.sources = list(sources)
        self.expect = list(expect)
        self.quiet = list(quiet)
        self.args = list(args)
        self.note = note


# ---- random draws ----

def private_v4(rng, avoid=()):
    """A host address in one of the private ranges, never .0 or .255."""
    while True:
        net = rng.choice(("10", "172", "192"))
        if net == "10":
            a = "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
        elif net == "172":
            a = "172.%d.%d.%d" % (rng.randrange(16, 32), rng.randrange(256), rng.randrange(1, 255))
        else:
            a = "192.168.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))
        if a not in avoid:
            return a


def public_v4(rng, avoid=()):
    """A globally routable-looking address (documentation ranges excluded too)."""
    while True:
        a = ipaddress.IPv4Address(rng.randrange(1 << 24, 223 << 24))
        if a.is_global and str(a) not in avoid and not str(a).endswith((".0", ".255")):
            return str(a)


def same_24(rng, addr, avoid=()):
    """Another host of addr's /24."""
    base = addr.rsplit(".", 1)[0]
    while True:
        a = "%s.%d" % (base, rng.randrange(1, 255))
        if a != addr and a not in avoid:
            return a


def eph_port(rng):
    return rng.randrange(49152, 65535)


def isn(rng):
    return rng.randrange(1, 1 << 32)


def epoch(rng):
    """A start time between 2019 and 2026, in seconds."""
    return rng.randrange(1546300800, 1767225600) + rng.random()


def skew(rng, lo, hi):
    """A clock error in seconds with a random sign, lo <= |skew| <= hi."""
    return rng.choice((-1, 1)) * rng.uniform(lo, hi)


# ---- captures in a random container ----

FORMATS = ("pcap-us", "pcap-ns", "pcapng", "netmon")


def write_capture(rng, cap, path_noext, fmt=None):
    """Write a pcapgen.Capture (Ethernet frames) sorted by time in a container
    chosen by rng (or fmt). Returns (file name, format). Frame numbers are the
    1-based positions in time order in every container."""
    fmt = fmt or rng.choice(FORMATS)
    frames = sorted(cap.frames, key=lambda f: f[0])
    ext = {"pcap-us": ".pcap", "pcap-ns": ".pcap", "pcapng": ".pcapng", "netmon": ".cap"}[fmt]
    path = path_noext + ext
    if fmt.startswith("pcap-"):
        out = pcapgen.Capture(linktype=cap.linktype, nanosecond=(fmt == "pcap-ns"))
        for ns, data, wire in frames:
            if fmt == "pcap-us":
                ns = ns // 1000 * 1000
            out.add(ns, data, wirelen=wire)
        out.write(path)
    elif fmt == "pcapng":
        ng = capfmt.Pcapng()
        ng.add_interface(cap.linktype, tsresol=rng.choice((6, 9)))
        for ns, data, _ in frames:
            ng.add(0, ns, data)
        ng.write(path)
    else:
        nm = capfmt.NetMon(frames[0][0] if frames else 0)
        for ns, data, _ in frames:
            nm.add(ns, data)
        nm.write(path)
    return os.path.basename(path), fmt


def frame_ref(cap, pred):
    """1-based frame number, in time order, of the first frame whose bytes
    satisfy pred(data) (the order write_capture writes)."""
    for i, (_, data, _) in enumerate(sorted(cap.frames, key=lambda f: f[0])):
        if pred(data):
            return i + 1
    raise LookupError("no frame matches")


def frame_ips(data):
    """(src, dst) of an Ethernet/IPv4 frame as strings, or (None, None)."""
    if len(data) < 34 or data[12:14] != b"\x08\x00":
        return None, None
    return str(ipaddress.IPv4Address(data[26:30])), str(ipaddress.IPv4Address(data[30:34]))
