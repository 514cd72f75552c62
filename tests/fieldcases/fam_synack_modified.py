"""tests/fieldcases/fam_synack_modified.py - captures on both sides of a
device (fw-in next to the server side, client next to the client) that adds
N bytes of payload to the SYN-ACK; the client then ACKs ISN+1+N and the
firewall between the device and fw-in, which tracks the real sequence
numbers, drops that ACK (it never reaches fw-in). The capture clocks are off
by seconds to minutes; the firewall's log (TMG W3C 0xc0040034
FWX_E_SEQ_ACK_MISMATCH, or a Check Point `fw log` Sequence Verifier drop,
chosen at random) runs minutes off in whole seconds, and is put on the
capture clock by the log clock (from the session its records name).
Asserted: path_packet_modified (payload length 0 -> N between the two capture
points, citing the SYN-ACK at both), synack_payload_ack_mismatch (N bytes
off) and synack_modified_between_vantage_points joining the modified SYN-ACK,
the client's ACK and the drop line.
Near miss: the SYN-ACK passes unmodified and the log's SEQ/ACK drop is of
another session: none of the rules fires.
(Cisco ASA is not among the kinds: it drops an invalid ACK in its
accelerated path, counted by `show asp drop` as tcp-invalid-ack, with no
syslog message the asa parser reads.)
"""
import datetime
import os

import fieldlib as fl
from fam_wan_delay_nat import Pair, US

FAMILY = "synack-modified"
RULES = ["path_packet_modified", "synack_payload_ack_mismatch", "synack_modified_between_vantage_points",
         "synack_modified_fw_seq_ack_drop"]

MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
TMG_FIELDS = ("computer\tdate\ttime\tIP protocol\tsource\tdestination\toriginal client IP\tsource network\t"
              "destination network\taction\tstatus\trule\tapplication protocol\tbytes sent\tbytes sent intermediate\t"
              "bytes received\tbytes received intermediate\tconnection time\tconnection time intermediate\t"
              "source name\tdestination name\tusername\tagent\tsession ID\tconnection ID\tinterface\tIP header\t"
              "protocol payload")


def _utc(ns):
    return datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)


def fw_log(rng, kind, t_ns, cli, cport, srv, sport, t_first):
    """The firewall's log lines: a SEQ/ACK drop of cli:cport -> srv:sport at
    t_ns (the log's own clock); t_first: the log clock at the session's SYN."""
    if kind == "tmg":
        d = _utc(t_ns)
        comp = rng.choice(("TMG01", "ISA-EDGE", "FW2"))
        return ["#Software: Microsoft Forefront Threat Management Gateway", "#Version: 2.0",
                "#Date: %s" % _utc(t_ns - 3600 * 10**9).strftime("%Y-%m-%d %H:%M:%S"), "#Fields: " + TMG_FIELDS,
                "%s\t%s\t%s\tTCP\t%s:%d\t%s:%d\t%s\tInternal\tExternal\tDenied\t0xc0040034\t-\t%s\t0\t0\t0\t0\t-\t-\t"
                "-\t-\t-\t-\t0\t0\t-\t-\t-" % (comp, d.strftime("%Y-%m-%d"), d.strftime("%H:%M:%S"), cli, cport, srv,
                                              sport, cli, rng.choice(("HTTPS", "SMTP", "Unidentified IP Traffic")))]
    orig = fl.private_v4(rng, avoid={cli, srv})
    ifc = rng.choice(("eth1", "eth2-01", "bond0.12"))

    def st(ns):
        d = _utc(ns)
        return "%2d%s%d %02d:%02d:%02d" % (d.day, MON[d.month - 1], d.year, d.hour, d.minute, d.second)
    return ["Checkpoint: %s accept %s >%s rule: %d; src: %s; dst: %s; proto: tcp; product: VPN-1 & FireWall-1; "
            "service: %d; s_port: %d;" % (st(t_first), orig, ifc, rng.randrange(1, 80), cli, srv, sport, cport),
            "Checkpoint: %s drop   %s >%s rule: 0; src: %s; dst: %s; proto: tcp; product: SmartDefense; service: %d; "
            "s_port: %d; attack: Sequence Verifier; message_info: Invalid sequence number; tcp_flags: ACK;"
            % (st(t_ns), orig, ifc, cli, srv, sport, cport)]


def build(rng, outdir, near_miss):
    cli = fl.private_v4(rng)
    srv = fl.private_v4(rng, avoid={cli})
    ccap, scap = fl.pcapgen.Capture(), fl.pcapgen.Capture()
    cport, sport = fl.eph_port(rng), rng.choice((25, 443, 80, 1433))
    p = Pair(rng, ccap, scap, cli, cport, cli, 0, srv, sport, rng.randrange(1, 4))
    p.s.cport = p.c.cport
    n = 0 if near_miss else rng.randrange(1, 40)
    d = rng.randrange(100, 3_000) * US
    t = fl.epoch_us(rng)
    t_syn = t
    p.send(t, True, "S", d)
    t += d + rng.randrange(50, 500) * US
    # the SYN-ACK: as the server sent it at fw-in, with n bytes added at the client
    junk = bytes(rng.randrange(256) for _ in range(n))
    s_sa = p.s._add(t, False, "SA")
    c_sa = p.c._add(t + d, False, "SA", payload=junk)
    p.c.seq[False] += 1
    t += d
    p.c.seq[False] += n          # the client acknowledges the added bytes
    t_ack = t + rng.randrange(50, 500) * US
    c_ack = p.c._add(t_ack, True, "A")
    p.c.seq[False] -= n
    skew_ns = int(fl.skew(rng, 2, 600) * 1e6) * US
    scap.frames = [(ns + skew_ns, dd, w) for ns, dd, w in scap.frames]
    cname, _ = fl.write_capture(rng, ccap, os.path.join(outdir, "client"))
    sname, _ = fl.write_capture(rng, scap, os.path.join(outdir, "fw-in"))
    # the firewall's log, its clock minutes off; the drop a little after the
    # client sent the ACK (the firewall is between it and fw-in)
    kind = rng.choice(("tmg", "checkpoint"))
    lsk = int(fl.skew(rng, 60, 1500) * 1e9)
    t_drop = t_ack + rng.randrange(20, d // 1000) * 1000
    if near_miss:       # the drop is of another session
        lines = fw_log(rng, kind, t_drop + lsk, fl.private_v4(rng, avoid={cli, srv}), fl.eph_port(rng), srv, sport,
                       t_syn + lsk)
    else:
        lines = fw_log(rng, kind, t_drop + lsk, cli, cport, srv, sport, t_syn + lsk)
    with open(os.path.join(outdir, "fw.log"), "w") as f:
        f.write("\n".join(lines) + "\n")
    flabel = rng.choice(("fw", "tmg", "gw")) if kind == "tmg" else rng.choice(("fw", "cp", "gaia"))
    src = ["client=%s" % cname, "fw-in=%s" % sname, "%s=fw.log" % flabel]
    args = ["--tz", "%s=UTC" % flabel, "--input-format", "%s=%s" % (flabel, kind)]
    if near_miss:
        return fl.Case(src, quiet=RULES, args=args)
    rc, rs = fl.refs(ccap), fl.refs(scap)
    drop_ref = len(lines)
    # the changed SYN-ACK between two vantage points explains the rest
    return fl.Case(src, args=args, headline=["synack_modified_between_vantage_points"], expect=[
        fl.Expect("path_packet_modified", evidence=["client#%d" % rc[c_sa]],
                  message=[r"payload length 0 \u2192 %d; seen at fw-in#%d and at client#%d" % (n, rs[s_sa], rc[c_sa])]),
        fl.Expect("synack_payload_ack_mismatch", evidence=["client#%d" % rc[c_sa], "client#%d" % rc[c_ack]],
                  message=[r"\(%d bytes off" % n]),
        fl.Expect("synack_modified_between_vantage_points",
                  evidence=["client#%d" % rc[c_sa], "client#%d" % rc[c_ack], "%s#%d" % (flabel, drop_ref)],
                  message=[r"changed between fw-in and client \(client#%d: .*payload length 0 \u2192 %d\), the client "
                           r"acknowledged the wrong ISN \(client#%d\), and %s dropped the session \(%s#%d\)"
                           % (rc[c_sa], n, rc[c_ack], flabel, flabel, drop_ref)])])
