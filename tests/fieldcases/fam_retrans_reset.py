"""tests/fieldcases/fam_retrans_reset.py - one side of a healthy TCP session
sends a segment the peer never acknowledges; it is retransmitted 3 to 7 times
with exponential back-off, then the sender resets the session or goes silent
to the end of the capture. Either side may be the sender; unrelated sessions
around it. Asserted: the count, the back-off intervals, and the original
segment, every retransmission and the reset among the evidence.
Near miss: only 2 retransmissions before the reset, or the retransmissions
are finally acknowledged and the session closes normally.
"""
import os

import fieldlib as fl


FAMILY = "retrans-reset"
RULES = ["tcp_retransmissions_exhausted"]


def _background(rng, cap, t0, avoid):
    for _ in range(rng.randrange(0, 4)):
        a = fl.private_v4(rng, avoid=avoid)
        b = fl.private_v4(rng, avoid=avoid | {a})
        t = t0 + rng.randrange(-2_000_000_000, 20_000_000_000) // 1000 * 1000
        c = fl.Tcp(cap, rng, a, fl.eph_port(rng), b, rng.choice((80, 443, 445, 1433)))
        _, t = c.handshake(t, rng.randrange(200, 20_000) * 1000)
        c.data(t + 1000, True, rng.randrange(40, 400))
        c.data(t + 3000, False, rng.randrange(40, 1400))
        c.ack(t + 5000, True)
        c.fin(t + 7000, True)
        c.fin(t + 9000, False)
        c.ack(t + 11000, True)


def build(rng, outdir, near_miss):
    cli = fl.private_v4(rng)
    srv = rng.choice((fl.private_v4, fl.public_v4))(rng, avoid={cli})
    cap = fl.pcapgen.Capture()
    t = fl.epoch_us(rng)
    _background(rng, cap, t, {cli, srv})
    c = fl.Tcp(cap, rng, cli, fl.eph_port(rng), srv, rng.choice((443, 445, 1433, 3389, 8080, 25)))
    rtt = rng.randrange(300, 80_000) * 1000
    _, t = c.handshake(t, rtt)
    for _ in range(rng.randrange(1, 4)):   # a few healthy exchanges first
        t += rng.randrange(1_000, 500_000) * 1000
        c.data(t, True, rng.randrange(20, 600))
        t += rtt // 2 + rng.randrange(100, 30_000) * 1000
        c.data(t, False, rng.randrange(20, 1400))
        t += rtt // 2
        c.ack(t, True)
    sender = rng.random() < 0.6   # True: the client's segment is lost
    mode = "short" if near_miss and rng.random() < 0.5 else "acked" if near_miss else "lost"
    n = 2 if mode == "short" else rng.randrange(3, 8)
    end = "rst" if mode == "short" or rng.random() < 0.65 else "silence"
    seg_len = rng.randrange(60, 1401)
    seq0 = c.seq[sender]
    t += rng.randrange(1_000, 2_000_000) * 1000
    idx = [c.data(t, sender, seg_len)]
    times = [t]
    rto = rng.randrange(200_000, 1_000_000) * 1000
    for k in range(n):
        t += rto * (2 ** k) + rng.randrange(0, 3_000) * 1000
        idx.append(c.data(t, sender, seg_len, seq=seq0, advance=False))
        times.append(t)
    if mode == "acked":
        t += rtt
        c.ack(t, not sender)
        t += rng.randrange(1_000, 100_000) * 1000
        c.fin(t, True)
        c.fin(t + rtt // 2, False)
        c.ack(t + rtt, True)
    elif end == "rst":
        t += rto * (2 ** n) + rng.randrange(0, 3_000) * 1000
        idx.append(c.rst(t, sender))
        times.append(t)
    name, _ = fl.write_capture(rng, cap, os.path.join(outdir, "capture"))
    label = rng.choice(("client", "server", "span", "fw-in"))
    if near_miss:
        return fl.Case(["%s=%s" % (label, name)], quiet=RULES)
    r = fl.refs(cap)
    ivs = " ".join(fl.fmt_secs(times[i + 1] - times[i]) for i in range(n))
    ev = ["%s#%d" % (label, r[i]) for i in idx]
    return fl.Case(["%s=%s" % (label, name)], expect=[
        fl.Expect("tcp_retransmissions_exhausted",
                  fields={"count": n, "intervals": ivs,
                          "outcome": "the session was reset" if end == "rst" else "silence to the end of the capture"},
                  approx={"span": (times[-1] - times[0], 1000)},
                  evidence=ev,
                  message=[r"retransmitted %d times" % n]),
    ], note="sender %s, end %s" % ("client" if sender else "server", end))
