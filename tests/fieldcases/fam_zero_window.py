"""tests/fieldcases/fam_zero_window.py - a client sends a stream of data
(a print job, a file upload, a database bulk load); the receiver stops
reading: its window fills and it advertises zero for 1.5 to 60 s while the
client sends zero-window probes with back-off, then it opens the window
again (or the client resets the session). Either side of the capture's
orientation may be the receiver's. Asserted: tcp_zero_window_stall with the
receiver, the exact duration, the probe count, the first zero window, the
probes and the reopening among the evidence.
Near miss: the window is zero for 0.1 to 0.8 s only.
"""
import os

import fieldlib as fl

FAMILY = "zero-window"
RULES = ["tcp_zero_window_stall"]


def build(rng, outdir, near_miss):
    cli = fl.private_v4(rng)
    srv = fl.private_v4(rng, avoid={cli})
    cap = fl.pcapgen.Capture()
    c = fl.Tcp(cap, rng, cli, fl.eph_port(rng), srv, rng.choice((9100, 445, 1433, 21, 8080)))
    t = fl.epoch_us(rng)
    rtt = rng.randrange(200, 20_000) * 1000
    _, t = c.handshake(t, rtt)
    mss = rng.choice((536, 1200, 1460))
    win = rng.randrange(4, 12) * mss
    c.win[False] = win
    for _ in range(rng.randrange(1, 4)):     # data that is read in time
        t += rng.randrange(100, 2000) * 1000
        c.data(t, True, mss)
        t += rtt // 2
        c.ack(t, False)
    # the receiver stops reading: the client fills the window
    t += rng.randrange(100, 2000) * 1000
    left = win
    while left > 0:
        n = min(mss, left)
        c.data(t, True, n)
        left -= n
        t += rng.randrange(10, 200) * 1000
    t += rtt // 2
    zw = c.ack(t, False, win=0)
    t_zero = t
    dur = (rng.randrange(100, 800) if near_miss else rng.randrange(1500, 60_000)) * 10**6 + rng.randrange(0, 1000) * 1000
    probes = []
    gap = rng.randrange(200, 600) * 10**6
    tp = t_zero + gap
    while tp < t_zero + dur - 5_000_000:
        probes.append(c.data(tp, True, 1, advance=False))
        c.ack(tp + rtt, False, win=0)
        gap = min(gap * 2, 30 * 10**9)
        tp += gap
    end = "reopened" if near_miss or rng.random() < 0.7 else "reset"
    t_end = t_zero + dur
    if end == "reopened":
        last = c.ack(t_end, False, win=win)
        t = t_end
        for _ in range(rng.randrange(1, 4)):
            t += rtt // 2
            c.data(t, True, mss)
            t += rtt // 2
            c.ack(t, False)
        c.fin(t + 1000, True)
        c.fin(t + rtt, False)
        c.ack(t + rtt + 1000, True)
    else:
        last = c.rst(t_end, True)
    name, _ = fl.write_capture(rng, cap, os.path.join(outdir, "capture"))
    label = rng.choice(("client", "server", "span"))
    src = ["%s=%s" % (label, name)]
    if near_miss:
        return fl.Case(src, quiet=RULES)
    r = fl.refs(cap)
    ev = ["%s#%d" % (label, r[i]) for i in [zw] + probes[:4] + [last]]
    return fl.Case(src, expect=[fl.Expect(
        "tcp_zero_window_stall",
        fields={"ip.src": srv, "duration": dur, "probes": len(probes),
                "end": "reopened" if end == "reopened" else "the session was reset"},
        evidence=ev)], note=end)
