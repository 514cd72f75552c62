"""tests/fieldcases/fam_synack_modified.py - captures on both sides of a
device (fw-in next to the server side, client next to the client) that adds
N bytes of payload to the SYN-ACK; the client then ACKs ISN+1+N. The capture
clocks are off by seconds to minutes. No firewall log yet (TMG/ASA/Check
Point drop lines are to come with log-clock estimation).
Asserted: path_packet_modified (payload length 0 -> N between the two capture
points, citing the SYN-ACK at both) and synack_payload_ack_mismatch (N bytes
off).
Near miss: the SYN-ACK passes unmodified: neither fires.
"""
import os

import fieldlib as fl
from fam_wan_delay_nat import Pair, US

FAMILY = "synack-modified"
RULES = ["path_packet_modified", "synack_payload_ack_mismatch"]


def build(rng, outdir, near_miss):
    cli = fl.private_v4(rng)
    srv = fl.private_v4(rng, avoid={cli})
    ccap, scap = fl.pcapgen.Capture(), fl.pcapgen.Capture()
    p = Pair(rng, ccap, scap, cli, fl.eph_port(rng), cli, 0, srv, rng.choice((25, 443, 80, 1433)), rng.randrange(1, 4))
    p.s.cport = p.c.cport
    n = 0 if near_miss else rng.randrange(1, 40)
    d = rng.randrange(100, 3_000) * US
    t = fl.epoch_us(rng)
    p.send(t, True, "S", d)
    t += d + rng.randrange(50, 500) * US
    # the SYN-ACK: as the server sent it at fw-in, with n bytes added at the client
    junk = bytes(rng.randrange(256) for _ in range(n))
    s_sa = p.s._add(t, False, "SA")
    c_sa = p.c._add(t + d, False, "SA", payload=junk)
    p.c.seq[False] += 1
    t += d
    p.c.seq[False] += n          # the client acknowledges the added bytes
    c_ack = p.c._add(t + rng.randrange(50, 500) * US, True, "A")
    p.c.seq[False] -= n
    skew_ns = int(fl.skew(rng, 2, 600) * 1e6) * US
    scap.frames = [(ns + skew_ns, dd, w) for ns, dd, w in scap.frames]
    cname, _ = fl.write_capture(rng, ccap, os.path.join(outdir, "client"))
    sname, _ = fl.write_capture(rng, scap, os.path.join(outdir, "fw-in"))
    src = ["client=%s" % cname, "fw-in=%s" % sname]
    if near_miss:
        return fl.Case(src, quiet=RULES)
    rc, rs = fl.refs(ccap), fl.refs(scap)
    return fl.Case(src, expect=[
        fl.Expect("path_packet_modified", evidence=["client#%d" % rc[c_sa]],
                  message=[r"payload length 0 \u2192 %d; seen at fw-in#%d and at client#%d" % (n, rs[s_sa], rc[c_sa])]),
        fl.Expect("synack_payload_ack_mismatch", evidence=["client#%d" % rc[c_sa], "client#%d" % rc[c_ack]],
                  message=[r"\(%d bytes off" % n])])
