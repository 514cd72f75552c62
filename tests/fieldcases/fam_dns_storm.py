"""tests/fieldcases/fam_dns_storm.py - one client sends a storm of DNS queries
(60 to 400 a second, 80 to 600 of them, 1 to 5 names with random weights) to
its resolver, answered all NXDOMAIN, mostly SERVFAIL, mostly NOERROR, or not at
all; other clients query at ordinary rates. Asserted: the rule that fits the
answers, the count, window, peak and mean rate, the answer counts, every top
name with its count (as tshark would count them), and the first five storm
queries, the 50th and the last among the evidence.
Near miss: the same client at a steady 20 to 45 queries a second for several
seconds, or many clients whose sum is a storm but none alone.
"""
import os
import random as _random

import fieldlib as fl

FAMILY = "dns-storm"
RULES = ["dns_query_storm", "dns_query_storm_nxdomain", "dns_query_storm_servfail",
         "dns_query_storm_unanswered"]

WORDS = ("wpad", "isatap", "_ldap._tcp.dc", "sql", "files", "print", "mail", "intranet", "app",
         "update", "login", "crl")


def _name(rng):
    dom = "%s.%s" % (rng.choice(("corp", "ad", "lan", "hq", "int")), rng.choice(("example", "test", "local")))
    return "%s%d.%s" % (rng.choice(WORDS), rng.randrange(1, 99), dom)


class _Dns:
    def __init__(self, cap, resolver):
        self.cap, self.resolver = cap, resolver
        self.qid = 0

    def query(self, rng, t, client, name, rcode=None, delay=0):
        """A query at t and (rcode not None) its answer delay later; index of the query."""
        self.qid = (self.qid + rng.randrange(1, 999)) & 0xFFFF
        port = fl.eph_port(rng)
        self.cap.add(t, fl.pcapgen.udp(client, port, self.resolver, 53,
                                       payload=fl.pcapgen.dns_query(self.qid, name)))
        i = len(self.cap.frames) - 1
        if rcode is not None:
            ans = ("10.9.8.7",) if rcode == 0 else ()
            self.cap.add(t + delay, fl.pcapgen.udp(self.resolver, 53, client, port,
                                                   payload=fl.pcapgen.dns_query(self.qid, name, response=True,
                                                                                rcode=rcode, answers=ans)))
        return i


def _background(rng, d, t0, span, avoid):
    for _ in range(rng.randrange(1, 5)):
        c = fl.private_v4(rng, avoid=avoid)
        t = t0 - rng.randrange(0, 2 * 10**9)
        while t < t0 + span:
            d.query(rng, t // 1000 * 1000, c, _name(rng), rcode=rng.choice((0, 0, 0, 3)),
                    delay=rng.randrange(300, 30_000) * 1000)
            t += rng.randrange(100, 1500) * 10**6


def build(rng, outdir, near_miss):
    client = fl.private_v4(rng)
    resolver = fl.private_v4(rng, avoid={client})
    cap = fl.pcapgen.Capture()
    d = _Dns(cap, resolver)
    t0 = fl.epoch_us(rng)
    label = rng.choice(("client", "resolver", "span", "dc"))
    if near_miss:
        if rng.random() < 0.5:   # one client, steady below 50 in any second
            rate = rng.randrange(20, 46)
            n = rate * rng.randrange(3, 8)
            names = [_name(rng) for _ in range(rng.randrange(1, 4))]
            for i in range(n):
                t = t0 + i * 10**9 // rate + rng.randrange(0, 300) * 1000
                d.query(rng, t // 1000 * 1000, client, rng.choice(names), rcode=3, delay=1_000_000)
        else:                    # many clients, each slow, together a storm
            clients = [fl.private_v4(rng, avoid={resolver}) for _ in range(rng.randrange(10, 30))]
            for c in clients:
                for i in range(rng.randrange(5, 40)):
                    t = t0 + rng.randrange(0, 2 * 10**9) + i * 10**9 // 40
                    d.query(rng, t // 1000 * 1000, c, _name(rng), rcode=3, delay=2_000_000)
        _background(rng, d, t0, 5 * 10**9, {client, resolver})
        name, _ = fl.write_capture(rng, cap, os.path.join(outdir, "dns"))
        return fl.Case(["%s=%s" % (label, name)], quiet=RULES)

    mode = rng.choice(("nxdomain", "servfail", "none", "answered"))
    rate = rng.randrange(60, 400)
    n = rng.randrange(80, 600)
    names = [_name(rng) for _ in range(rng.randrange(1, 6))]
    weights = [rng.randrange(1, 10) for _ in names]
    counts = {nm: 0 for nm in names}
    ans = {"responses": 0, "noerror": 0, "nxdomain": 0, "servfail": 0}
    idx, times = [], []
    t = t0
    for i in range(n):
        nm = rng.choices(names, weights)[0]
        counts[nm] += 1
        if mode == "nxdomain":
            rc = 3
        elif mode == "servfail":
            rc = 2 if rng.random() < 0.75 else 3
        elif mode == "answered":
            rc = 0 if rng.random() < 0.8 else 3
        else:
            rc = None
        if rc is not None:
            ans["responses"] += 1
            ans[{0: "noerror", 2: "servfail", 3: "nxdomain"}[rc]] += 1
        idx.append(d.query(rng, t, client, nm, rcode=rc, delay=rng.randrange(200, 60_000) * 1000))
        times.append(t)
        t += rng.randrange(int(0.5e9 / rate), int(1.5e9 / rate)) // 1000 * 1000
    _background(rng, d, t0, times[-1] - t0, {client, resolver})
    name, _ = fl.write_capture(rng, cap, os.path.join(outdir, "dns"))
    r = fl.refs(cap)
    secs = {}
    for x in times:
        secs[x // 10**9] = secs.get(x // 10**9, 0) + 1
    window = times[-1] - times[0]
    rule = {"nxdomain": "dns_query_storm_nxdomain", "servfail": "dns_query_storm_servfail",
            "none": "dns_query_storm_unanswered", "answered": "dns_query_storm"}[mode]
    fields = {"ip.src": client, "count": n, "window": window, "peak_qps": max(secs.values())}
    if mode != "none":
        fields.update(ans)
    ev = ["%s#%d" % (label, r[i]) for i in idx[:5] + [idx[49], idx[-1]]]
    msg = [r"%s \(%d\)" % (nm.replace(".", r"\."), c) for nm, c in counts.items()]
    return fl.Case(["%s=%s" % (label, name)], expect=[
        fl.Expect(rule, fields=fields, approx={"mean_qps": (n / max(window / 1e9, 1.0), 0.01)},
                  evidence=ev, message=msg)], note=mode)
