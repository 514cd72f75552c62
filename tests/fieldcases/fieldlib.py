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
    extra arguments, the findings expected and the rules that must stay quiet.
    headline: rules one of which must lead (cause first) the incident that holds
    the first expected finding; by default that first expected rule itself."""

    def __init__(self, sources, expect=(), quiet=(), args=(), note="", headline=None):
        self.sources = list(sources)
        self.expect = list(expect)
        self.quiet = list(quiet)
        self.headline = list(headline) if headline else [e.rule for e in self.expect[:1]]
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


# ---- TCP sessions, frame refs and durations as the report prints them ----

def epoch_us(rng):
    """epoch() in integer nanoseconds on a whole microsecond, so every container
    (pcap µs, pcapng µs, Network Monitor) keeps the times exactly."""
    return int(epoch(rng) * 1e6) * 1000


def refs(cap):
    """List: insertion index (0-based, the order of cap.add) -> 1-based frame
    number in the order write_capture writes (stable sort by time)."""
    order = sorted(range(len(cap.frames)), key=lambda i: cap.frames[i][0])
    out = [0] * len(order)
    for pos, i in enumerate(order):
        out[i] = pos + 1
    return out


def fmt_secs(ns):
    """A duration as the TCP analyzer's interval lists print it (0.3s, 1.2s)."""
    s = ns / 1e9
    return "%.1fs" % s if abs(s) >= 1 else "%.2gs" % s


class Tcp:
    """One TCP session written into a pcapgen.Capture: call handshake(), then
    data()/ack()/rst()/fin(); each returns the insertion index of its frame
    (turn into a frame number with refs(cap)[i]). Sequence numbers follow.
    ttl_c/ttl_s are the TTLs each end's packets arrive with; IP-IDs count up."""

    def __init__(self, cap, rng, cli, cport, srv, sport, ttl_c=None, ttl_s=None):
        self.cap, self.cli, self.cport, self.srv, self.sport = cap, cli, cport, srv, sport
        self.seq = {True: isn(rng), False: isn(rng)}      # True: the client's side
        self.ttl = {True: ttl_c or rng.choice((64, 128, 63, 127, 124)),
                    False: ttl_s or rng.choice((64, 128, 60, 119, 243))}
        self.ipid = {True: rng.randrange(1, 60000), False: rng.randrange(1, 60000)}
        self.win = {True: rng.choice((64240, 65535, 29200)), False: rng.choice((65160, 65535, 8192))}

    def _add(self, t, from_cli, flags, payload=b"", seq=None, win=None, ttl=None, ip_id=None):
        src, sp, dst, dp = ((self.cli, self.cport, self.srv, self.sport) if from_cli
                            else (self.srv, self.sport, self.cli, self.cport))
        if ip_id is None:
            self.ipid[from_cli] = (self.ipid[from_cli] + 1) & 0xFFFF
            ip_id = self.ipid[from_cli]
        s = self.seq[from_cli] if seq is None else seq
        ack = self.seq[not from_cli] if "A" in flags else 0
        self.cap.add(t, pcapgen.tcp(src, sp, dst, dp, seq=s & 0xFFFFFFFF, ack=ack & 0xFFFFFFFF, flags=flags,
                                    win=self.win[from_cli] if win is None else win, payload=payload,
                                    ttl=self.ttl[from_cli] if ttl is None else ttl, ip_id=ip_id))
        return len(self.cap.frames) - 1

    def handshake(self, t, rtt_ns):
        """SYN at t, SYN-ACK at t + rtt/2 ... returns (index of the SYN, time after the third ACK)."""
        i = self._add(t, True, "S")
        self.seq[True] += 1
        self._add(t + rtt_ns // 2, False, "SA", seq=self.seq[False])
        self.seq[False] += 1
        self._add(t + rtt_ns, True, "A")
        return i, t + rtt_ns

    def data(self, t, from_cli, n, flags="PA", advance=True, seq=None, **kw):
        i = self._add(t, from_cli, flags, payload=bytes(n), seq=seq, **kw)
        if advance:
            self.seq[from_cli] += n
        return i

    def ack(self, t, from_cli, **kw):
        return self._add(t, from_cli, "A", **kw)

    def rst(self, t, from_cli, ack=True, **kw):
        return self._add(t, from_cli, "RA" if ack else "R", **kw)

    def fin(self, t, from_cli):
        i = self._add(t, from_cli, "FA")
        self.seq[from_cli] += 1
        return i
