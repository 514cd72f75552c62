"""tests/fieldcases/fam_injected_reset.py - a TCP session captured at the
client; a device in the path (a firewall or IPS close to the client) resets
it with an RST that claims to come from the server but arrives with another
TTL (its own hop count) and an IP-ID outside the server's sequence.
Asserted: tcp_rst_injected with the RST's TTL and the server's, citing the
RST and the server's packet it is compared with.
Near miss: the server itself resets the session (its TTL, give or take a
route change of one or two hops, and the next IP-ID).
"""
import os

import fieldlib as fl

FAMILY = "injected-reset"
RULES = ["tcp_rst_injected", "path_injected_packet"]


def build(rng, outdir, near_miss):
    cli = fl.private_v4(rng)
    srv = fl.public_v4(rng, avoid={cli})
    cap = fl.pcapgen.Capture()
    s_ttl = rng.choice((64, 128, 255)) - rng.randrange(3, 25)
    c = fl.Tcp(cap, rng, cli, fl.eph_port(rng), srv, rng.choice((80, 443, 25, 1433, 8443)), ttl_c=rng.choice((64, 128)),
               ttl_s=s_ttl)
    t = fl.epoch_us(rng)
    rtt = rng.randrange(2_000, 150_000) * 1000
    _, t = c.handshake(t, rtt)
    last_srv = None
    for _ in range(rng.randrange(1, 6)):
        t += rng.randrange(1_000, 3_000_000) * 1000
        c.data(t, True, rng.randrange(20, 900))
        t += rtt // 2 + rng.randrange(100, 20_000) * 1000
        last_srv = c.data(t, False, rng.randrange(20, 1400))
        t += rtt // 2
        c.ack(t, True)
    t += rng.randrange(1_000, 60_000_000) * 1000
    if rng.random() < 0.5:   # the client asks once more; the reset answers it
        c.data(t, True, rng.randrange(20, 900))
        t += rng.randrange(200, 20_000) * 1000
    if near_miss:
        ttl = s_ttl + rng.choice((0, 0, 0, -1, 1, -2, 2))
        rst = c.rst(t, False, ttl=ttl)
    else:
        while True:
            ttl = rng.choice((64, 128, 255)) - rng.randrange(0, 3)
            if abs(ttl - s_ttl) > 2:
                break
        ipid = rng.choice((0, rng.randrange(1, 65536)))
        rst = c.rst(t, False, ttl=ttl, ip_id=ipid)
    name, _ = fl.write_capture(rng, cap, os.path.join(outdir, "client"))
    label = rng.choice(("client", "workstation", "pc"))
    src = ["%s=%s" % (label, name)]
    if near_miss:
        return fl.Case(src, quiet=RULES)
    r = fl.refs(cap)
    return fl.Case(src, expect=[fl.Expect(
        "tcp_rst_injected", fields={"ip.ttl": ttl, "ttl_expected": s_ttl},
        evidence=["%s#%d" % (label, r[rst]), "%s#%d" % (label, r[last_srv])],
        message=[r"has TTL %d \(the peer's packets have %d\)" % (ttl, s_ttl)])])
