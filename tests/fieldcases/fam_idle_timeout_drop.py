"""tests/fieldcases/fam_idle_timeout_drop.py - a TCP session captured at the
client sits idle longer than the firewall's idle timer; the firewall forgot it
and drops the first segment after the gap (the client retransmits, then
resets). The firewall's log (Cisco ASA 106015, iptables, Check Point `fw log`
"First packet isn't SYN" or TMG W3C 0xc0040017, chosen at random) holds only
that drop, on a clock minutes off, stamped in whole seconds.
Asserted: fw_idle_timeout_drop with the gap exactly as the capture shows it,
citing the resumed segment and the log line (which lands on the capture clock
by the log's estimated offset); the log's offset within its uncertainty.
Near miss: the gap is shorter than --idle-gap and the session goes on, or
the firewall drops nothing (a log of an allowed, unrelated session).
iptables lines carry the dropped packet's own LEN, ID and WINDOW, as netfilter
logs them; the ASA log also holds the 302013 Built line of the session, the
Check Point log its accept, the TMG log its Initiated Connection line.
"""
import datetime
import os

import fieldlib as fl

FAMILY = "idle-timeout-drop"
RULES = ["fw_idle_timeout_drop"]

MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def stamp(ns, asa):
    d = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    if asa:
        return "%s %02d %d %02d:%02d:%02d" % (MON[d.month - 1], d.day, d.year, d.hour, d.minute, d.second)
    return "%s %2d %02d:%02d:%02d" % (MON[d.month - 1], d.day, d.hour, d.minute, d.second)


def cp_stamp(ns):
    """Check Point `fw log` time: 17Jan2016 20:05:41 (day padded with a space)."""
    d = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return "%2d%s%d %02d:%02d:%02d" % (d.day, MON[d.month - 1], d.year, d.hour, d.minute, d.second)


def tmg_stamp(ns):
    """TMG W3C date and time columns (TAB between)."""
    d = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return d.strftime("%Y-%m-%d\t%H:%M:%S")


def build(rng, outdir, near_miss):
    cli = fl.private_v4(rng)
    srv = fl.public_v4(rng, avoid={cli})
    cport, sport = fl.eph_port(rng), rng.choice((443, 1433, 3389, 5432, 8443, 22))
    cap = fl.pcapgen.Capture()
    c = fl.Tcp(cap, rng, cli, cport, srv, sport)
    t = fl.epoch_us(rng)
    rtt = rng.randrange(1_000, 80_000) * 1000
    _, t = c.handshake(t, rtt)
    for _ in range(rng.randrange(1, 4)):
        t += rng.randrange(1_000, 2_000_000) * 1000
        c.data(t, True, rng.randrange(20, 600))
        t += rtt
        c.data(t, False, rng.randrange(20, 1400))
        t += rng.randrange(100, 5_000) * 1000
        last = c.ack(t, True)
    kind = "shorter" if near_miss and rng.random() < 0.5 else ("nodrop" if near_miss else "drop")
    gap = (rng.randrange(61, 240) if kind == "shorter" else rng.randrange(320, 3600)) * 10**9 \
        + rng.randrange(0, 10**6) * 1000
    t += gap
    seq0 = c.seq[True]
    resumed = c.data(t, True, rng.randrange(20, 600))
    n = c.seq[True] - seq0
    if kind == "shorter":
        t += rtt
        c.data(t, False, rng.randrange(20, 900))
    else:
        rto = rng.randrange(200, 1000) * 10**6
        for _ in range(rng.randrange(3, 6)):
            t += rto
            rto *= 2
            c.data(t, True, n, seq=seq0, advance=False)
        t += rto
        c.rst(t, True)
    name, _ = fl.write_capture(rng, cap, os.path.join(outdir, "client"))
    label = rng.choice(("client", "app01", "pc"))
    # the firewall's log, its clock minutes off
    fwkind = rng.choice(("asa", "iptables", "checkpoint", "tmg"))
    asa = fwkind == "asa"
    lsk = int(fl.skew(rng, 90, 1500) * 1e9)
    tdrop = cap.frames[resumed][0] + rng.randrange(0, 2000) * 1000   # the firewall saw it first
    lines = []
    fr = cap.frames[resumed][1]     # iptables logs the packet's own LEN, ID and window
    filler = fl.private_v4(rng, avoid={cli}), fl.public_v4(rng, avoid={srv})
    t0 = cap.frames[0][0]
    if asa:
        lines.append("%s: %%ASA-6-302013: Built outbound TCP connection %d for outside:%s/%d (%s/%d) to inside:%s/%d (%s/%d)"
                     % (stamp(t0 + lsk, True), rng.randrange(10000, 999999), srv, sport, srv, sport, cli, cport,
                        cli, cport))
        if kind != "nodrop":
            lines.append("%s: %%ASA-6-106015: Deny TCP (no connection) from %s/%d to %s/%d flags PSH ACK  on interface inside"
                         % (stamp(tdrop + lsk, True), cli, cport, srv, sport))
    elif fwkind == "checkpoint":
        orig = fl.private_v4(rng, avoid={cli})
        ifc = rng.choice(("eth1", "eth2-01", "bond0.12"))
        lines.append("Checkpoint: %s accept %s >%s rule: %d; rule_uid: {%08X-91E4-4A6D-9D9F-5F3C4A0E7C11}; src: %s; "
                     "dst: %s; proto: tcp; product: VPN-1 & FireWall-1; service: %d; s_port: %d;"
                     % (cp_stamp(t0 + lsk), orig, ifc, rng.randrange(1, 80), rng.randrange(1 << 32), cli, srv,
                        sport, cport))
        if kind != "nodrop":
            lines.append("Checkpoint: %s drop   %s >%s rule: 0; src: %s; dst: %s; proto: tcp; product: VPN-1 & "
                         "FireWall-1; service: %d; s_port: %d; TCP packet out of state: First packet isn't SYN; "
                         "tcp_flags: PUSH-ACK;" % (cp_stamp(tdrop + lsk), orig, ifc, cli, srv, sport, cport))
    elif fwkind == "tmg":
        comp = rng.choice(("TMG01", "ISA-EDGE", "FW2"))
        lines += ["#Software: Microsoft Forefront Threat Management Gateway", "#Version: 2.0",
                  "#Date: %s" % tmg_stamp(t0 + lsk - 3600 * 10**9).replace("\t", " "),
                  "#Fields: computer\tdate\ttime\tIP protocol\tsource\tdestination\toriginal client IP\t"
                  "source network\tdestination network\taction\tstatus\trule\tapplication protocol\tbytes sent\t"
                  "bytes sent intermediate\tbytes received\tbytes received intermediate\tconnection time\t"
                  "connection time intermediate\tsource name\tdestination name\tusername\tagent\tsession ID\t"
                  "connection ID\tinterface\tIP header\tprotocol payload"]
        tail = "\t".join(["-"] * 6)
        lines.append("%s\t%s\tTCP\t%s:%d\t%s:%d\t%s\tInternal\tExternal\tInitiated Connection\t0x0\tAllow Web\t"
                     "Unidentified IP Traffic\t0\t0\t0\t0\t-\t-\t%s\t%d\t%d\t-\t-\t-"
                     % (comp, tmg_stamp(t0 + lsk), cli, cport, srv, sport, cli, tail, rng.randrange(1, 9000),
                        rng.randrange(1, 90000)))
        if kind != "nodrop":
            lines.append("%s\t%s\tTCP\t%s:%d\t%s:%d\t%s\tInternal\tExternal\tDenied\t0xc0040017\t-\t"
                         "Unidentified IP Traffic\t0\t0\t0\t0\t-\t-\t%s\t0\t0\t-\t-\t-"
                         % (comp, tmg_stamp(tdrop + lsk), cli, cport, srv, sport, cli, tail))
    else:
        host = rng.choice(("gw01", "fw", "edge-2"))
        if kind != "nodrop":
            lines.append("%s %s kernel: [%d.%06d] %s IN=eth1 OUT=eth0 SRC=%s DST=%s LEN=%d TOS=0x00 PREC=0x00 TTL=63 "
                         "ID=%d DF PROTO=TCP SPT=%d DPT=%d WINDOW=%d RES=0x00 ACK PSH URGP=0 "
                         % (stamp(tdrop + lsk, False), host, rng.randrange(1000, 900000), rng.randrange(0, 10**6),
                            rng.choice(("FW-INVALID:", "DROP-INVALID: ", "ctstate-INVALID ")), cli, srv,
                            int.from_bytes(fr[16:18], "big"), int.from_bytes(fr[18:20], "big"), cport, sport,
                            int.from_bytes(fr[48:50], "big")))
        else:
            lines.append("%s %s kernel: [%d.%06d] FW-ACCEPT: IN=eth1 OUT=eth0 SRC=%s DST=%s LEN=60 TOS=0x00 PREC=0x00 "
                         "TTL=63 ID=%d DF PROTO=TCP SPT=%d DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0 "
                         % (stamp(tdrop + lsk, False), host, rng.randrange(1000, 900000), rng.randrange(0, 10**6),
                            filler[0], filler[1], rng.randrange(1, 65535), fl.eph_port(rng)))
    log = os.path.join(outdir, "fw.log")
    with open(log, "w") as f:
        f.write("\n".join(lines) + "\n")
    flabel = rng.choice({"asa": ("asa", "fw", "gateway"), "iptables": ("iptables", "fw", "gw"),
                         "checkpoint": ("cp", "fw", "gaia"), "tmg": ("tmg", "fw", "isa")}[fwkind])
    src = ["%s=%s" % (label, name), "%s=fw.log" % flabel]
    args = ["--tz", "%s=UTC" % flabel, "--input-format", "%s=%s" % (flabel, fwkind)]
    if near_miss:
        return fl.Case(src, quiet=RULES, args=args)
    r = fl.refs(cap)
    secs = gap // 10**9
    frac = gap % 10**9
    exact = ("%d min %d.%06d s" % (secs // 60, secs % 60, frac // 1000)) if secs >= 60 else "%d.%06d s" % (secs, frac // 1000)
    return fl.Case(src, args=args, expect=[fl.Expect(
        "fw_idle_timeout_drop",
        evidence=["%s#%d" % (label, r[resumed]), "%s#%d" % (flabel, len(lines))],
        message=[r"after it sat idle for %s \(the capture: %s#%d then #%d\)" % (exact, label, r[last], r[resumed])])])
