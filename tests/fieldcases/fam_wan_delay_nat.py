"""tests/fieldcases/fam_wan_delay_nat.py - one request/response session
(SQL, HTTP, SMB, LDAP) captured at the client and at the server, with NAT
between them (the server capture sees the client as the NAT's outside
address and another port) and the server capture's clock off by seconds to
minutes. Either the WAN is slow (25-150 ms each way, possibly asymmetric;
the server answers in a few ms) or the server is (it thinks 40-800 ms; the
path takes a few ms). Asserted: who_is_slow_network or who_is_slow_server
(and not the other), with the path delay, the server think time and the
server capture's clock offset, citing the client's SYN and naming the
server capture's first frame in the message.
Near miss: small balanced delays (path and server think a few ms each):
no who_is_slow finding.
"""
import os

import fieldlib as fl

FAMILY = "wan-delay-nat"
RULES = ["who_is_slow_network", "who_is_slow_server", "who_is_slow_client"]
US = 1000


class Pair:
    """The same TCP session written into a client-side and a server-side
    capture: one Tcp per capture sharing sequence numbers; the server side
    sees the client as nat:nport. Times are true times; skew is applied when
    the server capture is written."""

    def __init__(self, rng, ccap, scap, cli, cport, nat, nport, srv, sport, hops):
        self.c = fl.Tcp(ccap, rng, cli, cport, srv, sport, ttl_c=rng.choice((64, 128)),
                        ttl_s=rng.choice((64, 128)) - hops)
        self.s = fl.Tcp(scap, rng, nat, nport, srv, sport, ttl_c=self.c.ttl[True] - hops,
                        ttl_s=self.c.ttl[False] + hops)
        self.s.seq = self.c.seq
        self.s.ipid = dict(self.c.ipid)
        self.s.win = self.c.win
        self.rng = rng

    def send(self, t, from_cli, flags, delay, n=0):
        """A packet sent at true time t that takes delay to the other capture;
        returns (index in the client capture, index in the server capture)."""
        payload = bytes(self.rng.randrange(256) for _ in range(n))
        tc, ts = (t, t + delay) if from_cli else (t + delay, t)
        ic = self.c._add(tc, from_cli, flags, payload=payload)
        i_s = self.s._add(ts, from_cli, flags, payload=payload)
        inc = n + (1 if "S" in flags or "F" in flags else 0)
        self.c.seq[from_cli] += inc
        return ic, i_s


def build(rng, outdir, near_miss):
    cli = fl.private_v4(rng)
    nat = fl.public_v4(rng)
    srv = fl.public_v4(rng, avoid={nat})
    sport = rng.choice((1433, 80, 445, 389, 8080, 5432))
    ccap, scap = fl.pcapgen.Capture(), fl.pcapgen.Capture()
    p = Pair(rng, ccap, scap, cli, fl.eph_port(rng), nat, fl.eph_port(rng), srv, sport, rng.randrange(2, 20))
    kind = "near" if near_miss else rng.choice(("network", "server"))
    if kind == "network":
        d_req, d_resp = rng.randrange(25_000, 150_000) * US, rng.randrange(25_000, 150_000) * US
        think = (500, 5_000)
    elif kind == "server":
        d_req, d_resp = rng.randrange(200, 5_000) * US, rng.randrange(200, 5_000) * US
        think = (40_000, 800_000)
    else:
        d_req = rng.randrange(200, 3_000) * US
        d_resp = d_req + rng.randrange(-100, 100) * US
        think = (500, 5_000)

    def jit(d):      # a few per cent of queueing jitter, never negative
        return d + rng.randrange(0, max(1, d // 50 // US)) * US

    t = fl.epoch_us(rng)
    dj = jit(d_req)
    syn_c, syn_s = p.send(t, True, "S", dj)
    t += dj + rng.randrange(50, 500) * US
    dj = jit(d_resp)
    p.send(t, False, "SA", dj)
    t += dj
    p.send(t, True, "A", jit(d_req))
    n_x = rng.randrange(4, 13)
    s_think = []
    for _ in range(n_x):
        t += rng.randrange(500, 5_000) * US          # the client's own think time
        dj = jit(d_req)
        p.send(t, True, "PA", dj, rng.randrange(40, 900))
        st = rng.randrange(*think) * US
        s_think.append(st)
        t += dj + st
        dj = jit(d_resp)
        p.send(t, False, "PA", dj, rng.randrange(40, 1400))
        t += dj
    t += rng.randrange(500, 5_000) * US
    dj = jit(d_req)
    p.send(t, True, "FA", dj)
    t += dj + rng.randrange(50, 500) * US
    dj = jit(d_resp)
    p.send(t, False, "FA", dj)
    t += dj
    p.send(t, True, "A", jit(d_req))

    skew_ns = int(fl.skew(rng, 2, 600) * 1e6) * US
    scap.frames = [(ns + skew_ns, d, w) for ns, d, w in scap.frames]
    cname, _ = fl.write_capture(rng, ccap, os.path.join(outdir, "client"))
    sname, _ = fl.write_capture(rng, scap, os.path.join(outdir, "server"))
    cl, sl = rng.choice((("client", "server"), ("branch", "datacenter"), ("pc", "sql")))
    src = ["%s=%s" % (cl, cname), "%s=%s" % (sl, sname)]
    if near_miss:
        return fl.Case(src, quiet=RULES, note="d %d/%d us" % (d_req // US, d_resp // US))
    rc, rs = fl.refs(ccap), fl.refs(scap)
    path = d_req + d_resp
    mean_st = sum(s_think) // len(s_think)
    # a clock estimated from two-way timings splits the path delay evenly:
    # the offset is off by half the asymmetry, the sum stays exact
    asym = abs(d_req - d_resp) // 2
    rule = "who_is_slow_network" if kind == "network" else "who_is_slow_server"
    other = [r for r in RULES if r != rule]
    return fl.Case(src, quiet=other, expect=[fl.Expect(
        rule,
        fields={"peer_ref": rs[syn_s], "path.hop_to": sl},
        approx={"path.clock_offset": (-skew_ns, asym + 1_000 * US)},
        evidence=["%s#%d" % (cl, rc[syn_c])],
        message=[r"Handshake at %s#%d and %s#%d" % (cl, rc[syn_c], sl, rs[syn_s]),
                 r"^\S+ -> \S+ tcp: %d exchanges seen at %s and %s" % (n_x, cl, sl),
                 r"neither end is slow" if kind == "network" else r"the server is slow"])], note=kind)
