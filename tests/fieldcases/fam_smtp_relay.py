"""tests/fieldcases/fam_smtp_relay.py - an SMTP client hands a message to a
relay; the relay takes the body (TCP ACKs it) but never answers the final
"." of DATA, and the client gives up after its timeout (RST, or FIN).

Evidence: a capture at the client (random format, ISNs, addresses, ports,
body size and segmentation), sometimes a second capture at the relay on a
clock seconds off, and the Exchange protocol log of the session on a clock
minutes off: the Send log when Exchange is the client, the Receive log when
Exchange is the relay, or both (Exchange to Exchange, two logs), with
unrelated sessions around. Whole-millisecond stamps, UTF-8 BOM and CRLF as
Exchange writes them. The logs reach the capture clock by their estimated
offset (the log clock matches their lines to the session's packets).

Asserted: smtp_relay_no_final_reply with the time waited exactly as the
client capture shows it (the "." to the client's RST/FIN), citing the "."
frame, the ending frame and the log's 354 line; smtp_no_reply_after_data on
the log's own lines. Near miss: the relay answers 250 after a delay below
the client's timeout, then QUIT / 221: every SMTP no-reply rule stays quiet.
"""
import datetime
import os

import fieldlib as fl
import pcapgen

FAMILY = "smtp-relay"
RULES = ["smtp_relay_no_final_reply", "smtp_capture_no_final_reply", "smtp_no_reply_after_data",
         "smtp_no_final_reply"]
HEAD = ("\ufeff#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP %s Protocol Log\r\n"
        "#Date: %s\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,"
        "remote-endpoint,event,data,context\r\n")
WORDS = "the quarterly report attached please review before friday meeting invoice order shipped".split()


def stamp(ns):
    d = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ns // 10**6 % 1000)


def session_id(rng):
    return "08D%013X" % rng.randrange(1 << 52)


class Session:
    """One TCP session written to one or two captures: every segment is
    (time at the client, from_client, flags, payload); the relay sees the
    client's segments owd later and sent its own owd earlier."""

    def __init__(self, rng, cli, cport, srv, sport, owd):
        self.rng, self.cli, self.cport, self.srv, self.sport, self.owd = rng, cli, cport, srv, sport, owd
        self.seq = {True: fl.isn(rng), False: fl.isn(rng)}
        self.ipid = {True: rng.randrange(1, 60000), False: rng.randrange(1, 60000)}
        self.ttl = {True: rng.choice((64, 128)), False: rng.choice((64, 128))}
        self.segs = []

    def add(self, t, from_cli, flags, payload=b""):
        self.ipid[from_cli] = (self.ipid[from_cli] + 1) & 0xFFFF
        s = self.seq[from_cli]
        ack = self.seq[not from_cli] if "A" in flags else 0
        src, sp, dst, dp = ((self.cli, self.cport, self.srv, self.sport) if from_cli
                            else (self.srv, self.sport, self.cli, self.cport))
        frame = pcapgen.tcp(src, sp, dst, dp, seq=s & 0xFFFFFFFF, ack=ack & 0xFFFFFFFF, flags=flags,
                            win=64240 if from_cli else 65535, payload=payload, ttl=self.ttl[from_cli],
                            ip_id=self.ipid[from_cli])
        self.seq[from_cli] += len(payload) + (1 if ("S" in flags or "F" in flags) else 0)
        self.segs.append((t, from_cli, frame))
        return len(self.segs) - 1

    def write(self, cap, at_client, skew_ns=0):
        """Add every segment to cap; returns the insertion index of each."""
        base = len(cap.frames)
        for t, from_cli, frame in self.segs:
            tt = t if at_client else (t + self.owd if from_cli else t - self.owd)
            cap.add(tt + skew_ns, frame)
        return [base + i for i in range(len(self.segs))]


def body(rng):
    lines = ["From: <%s@example.org>" % rng.choice(("alice", "ops", "billing")),
             "To: <%s@example.net>" % rng.choice(("bob", "sales", "it")),
             "Subject: %s" % " ".join(rng.choice(WORDS) for _ in range(4)),
             "Message-ID: <%08x@example.org>" % rng.randrange(1 << 32), ""]
    for _ in range(rng.randrange(3, 400)):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 12))))
    return ("\r\n".join(lines) + "\r\n").encode()


def build(rng, outdir, near_miss):
    variant = rng.choice(("send", "receive", "both"))
    cli = fl.private_v4(rng)
    relay = fl.public_v4(rng, avoid={cli}) if variant == "send" else fl.private_v4(rng, avoid={cli})
    cport = fl.eph_port(rng) if variant == "receive" else rng.randrange(15000, 40000)   # Exchange: any port
    sport = rng.choice((25, 25, 587))
    owd = rng.randrange(1_000, 40_000) * 1000              # one way, 1-40 ms
    rtt = 2 * owd
    think = lambda: rng.randrange(100, 3000) * 1000        # a host's own delay, 0.1-3 ms
    s = Session(rng, cli, cport, relay, sport, owd)
    t = fl.epoch_us(rng)
    t_syn = t
    s.add(t, True, "S")
    s.add(t + rtt, False, "SA")                            # as the client sees it
    t += rtt
    s.add(t, True, "A")
    t_connected = t
    # the dialogue: (from_client, line) in order; each line its own segment,
    # the EHLO answer one segment of several lines
    ehlo = "relay%d.example.net" % rng.randrange(1, 99)
    banner = "220 %s ESMTP %s" % (ehlo, rng.choice(("Postfix", "Microsoft ESMTP MAIL Service ready", "ready")))
    exch = []            # (time at the client capture, from_client, log line data)

    # times are the client capture's: a reply to a command shows there a
    # round trip plus the relay's think time later; the client answers a
    # reply after its own think time
    def server(line_or_lines):
        nonlocal t
        t += 2 * owd + think()
        lines = line_or_lines if isinstance(line_or_lines, list) else [line_or_lines]
        s.add(t, False, "PA", ("\r\n".join(lines) + "\r\n").encode())
        for ln in lines:
            exch.append((t, False, ln))
        t += think()
        s.add(t, True, "A")

    def client(line):
        nonlocal t
        t += think()
        s.add(t, True, "PA", (line + "\r\n").encode())
        exch.append((t, True, line))

    server(banner)                                         # sent once the third ACK arrives
    client("EHLO %s" % rng.choice(("EX01.contoso.com", "app01.example.org", "mta.example.com")))
    server(["250-%s" % ehlo, "250-SIZE 52428800", "250-PIPELINING", "250 8BITMIME"])
    client("MAIL FROM:<%s@example.org>" % rng.choice(("alice", "ops", "billing")))
    server("250 2.1.0 Ok")
    client("RCPT TO:<%s@example.net>" % rng.choice(("bob", "sales", "it")))
    server("250 2.1.5 Ok")
    client("DATA")
    server("354 End data with <CR><LF>.<CR><LF>")
    # the body, in segments of at most 1460 bytes; the "." alone or at the end
    b = body(rng)
    alone = rng.random() < 0.3
    data = b if alone else b + b".\r\n"
    t += think()
    for k in range(0, len(data), 1460):
        s.add(t, True, "PA", data[k:k + 1460])
        t += rng.randrange(10, 400) * 1000
    if alone:
        s.add(t, True, "PA", b".\r\n")
    eod = len(s.segs) - 1
    t_eod = t
    t += 2 * owd + think()
    s.add(t, False, "A")                                   # the relay's TCP takes it all
    timeout = rng.randrange(20, 600) * 10**9 + rng.randrange(10**6) * 1000
    if near_miss:
        t = t_eod + rng.randrange((2 * owd + think()) // 1000, min(timeout, 15 * 10**9) // 1000) * 1000
        s.add(t, False, "PA", b"250 2.6.0 Queued mail for delivery\r\n")
        exch.append((t, False, "250 2.6.0 Queued mail for delivery"))
        t += think()
        client("QUIT")
        server("221 2.0.0 Bye")
        t += think()
        end = s.add(t, True, "FA")
        t += rtt
        s.add(t, False, "FA")
        t += think()
        s.add(t, True, "A")
        t_end, end_ctx = t, "Local"
    else:
        t = t_eod + timeout
        rst = rng.random() < 0.7
        end_flags = "RA" if rst else "FA"
        end = s.add(t, True, end_flags)
        if not rst:
            t += rtt
            s.add(t, False, "A")
        t_end, end_ctx = s.segs[end][0], "Remote(ConnectionReset)" if rst else "Remote(ConnectionClosed)"
    # captures: the client's, maybe also the relay's (seconds off)
    cap = pcapgen.Capture()
    for i in range(rng.randrange(0, 5)):   # other traffic of the client
        o = fl.public_v4(rng, avoid={relay})
        cap.add(t_syn - rng.randrange(1, 5 * 10**6) * 1000, pcapgen.udp(cli, fl.eph_port(rng), o, 53,
                                                                        payload=bytes(30), ip_id=i + 7))
    idx = s.write(cap, True)
    clabel = rng.choice(("client", "exch", "app"))
    cname, _ = fl.write_capture(rng, cap, os.path.join(outdir, clabel))
    sources = ["%s=%s" % (clabel, cname)]
    if rng.random() < 0.4:
        rcap = pcapgen.Capture()
        s.write(rcap, False, int(fl.skew(rng, 0.5, 30) * 1e9))
        rname, _ = fl.write_capture(rng, rcap, os.path.join(outdir, "relay"))
        sources.append("relay=" + rname)
    r = fl.refs(cap)

    args = []
    logs = []                 # (label, file name, line number of the 354)
    for kind in (("send", "receive") if variant == "both" else (variant,)):
        at_client = kind == "send"
        lsk = int(fl.skew(rng, 60, 1800) * 1e9)
        sid = session_id(rng)
        local = "%s:%d" % ((cli, cport) if at_client else (relay, sport))
        remote = "%s:%d" % ((relay, sport) if at_client else (cli, cport))
        conn = "Internet Send Connector" if at_client else "EX02\\Default Frontend EX02"
        rows = []             # (time on the log's host, unskewed; text after the stamp)

        def here(tc, from_cli):
            """The time at the logging host of something seen at the client capture at tc."""
            if at_client:
                return tc
            return tc + owd if from_cli else tc - owd
        seq = [0]

        def row(tl, ev, data="", ctx=""):
            if data and ("," in data or '"' in data):
                data = '"%s"' % data.replace('"', '""')
            rows.append((tl, "%s,%s,%d,%s,%s,%s,%s,%s" % (conn, sid, seq[0], local, remote, ev, data, ctx)))
            seq[0] += 1
        if at_client:
            row(t_syn - 1000 * 1000, "*", "SendRoutingHeaders", "Set Session Permissions")
            row(t_connected, "+")                  # connect() returns on the SYN-ACK
        else:
            row(here(t_connected, True), "+")
        for tc, from_cli, line in exch:
            # who sent it: in a Send log '>' are our commands, in a Receive log '>' our replies
            ev = ">" if from_cli == at_client else "<"
            row(here(tc, from_cli), ev, line)
            if line.startswith("354"):
                n354 = len(rows)
        row(here(t_end, True) + rng.randrange(0, 2000) * 1000, "-", "", end_ctx if not at_client or near_miss else
            "Local")
        # unrelated sessions of the same log, before and after
        for _ in range(rng.randrange(0, 3)):
            o = fl.public_v4(rng, avoid={cli, relay})
            osid, ot = session_id(rng), t_syn + rng.randrange(-600, 900) * 10**9
            for k, (ev, dd) in enumerate((("+", ""), (">" if not at_client else "<", "220 mx.example.com ready"),
                                          ("-", ""))):
                rows.append((ot + k * 30 * 10**6, "%s,%s,%d,%s:%d,%s:%d,%s,%s,%s" % (
                    conn, osid, k, cli if at_client else relay, fl.eph_port(rng), o, 25, ev, dd,
                    "Local" if ev == "-" else "")))
        order = sorted(range(len(rows)), key=lambda i: rows[i][0])
        text = [stamp(rows[i][0] + lsk) + "," + rows[i][1] for i in order]
        head = HEAD % ("Send" if at_client else "Receive", stamp(rows[order[0]][0] + lsk))
        fname = "%s%s-1.LOG" % ("SEND" if at_client else "RECV", datetime.datetime.fromtimestamp(
            (t_syn + lsk) // 10**9, datetime.timezone.utc).strftime("%Y%m%d%H"))
        with open(os.path.join(outdir, fname), "w", encoding="utf-8", newline="") as f:
            f.write(head + "\r\n".join(text) + "\r\n")
        label = "exch-" + kind
        sources.append("%s=%s" % (label, fname))
        args += ["--input-format", "%s=exchange" % label]
        logs.append((label, 5 + order.index(n354 - 1) + 1))
    if near_miss:
        return fl.Case(sources, quiet=RULES, args=args, note=variant)
    wait = t_end - s.segs[eod][0]
    # with two logs the later 354 (on the capture clock) is the one cited
    logged = "(%s)" % "|".join(r"%s logged the 354 \(%s#%d\)" % (lg[0], lg[0], lg[1]) for lg in logs)
    # the relay's silence is the cause; a second capture's latency verdict
    # (who_is_slow_*) is context and must not lead the incident
    return fl.Case(sources, args=args, note=variant, headline=RULES, expect=[
        fl.Expect("smtp_relay_no_final_reply",
                  fields={"gone.wait": wait, "gone.eod_ref": r[idx[eod]],
                          "gone.end": "client reset" if "R" in end_flags else "client closed"},
                  evidence=["%s#%d" % (clabel, r[idx[eod]]), "%s#%d" % (clabel, r[idx[end]])],
                  message=[r"the relay never answered the end of data \(%s#%d\)" % (clabel, r[idx[eod]]), logged]),
    ] + [fl.Expect("smtp_no_reply_after_data", evidence=["%s#%d" % lg]) for lg in logs])
