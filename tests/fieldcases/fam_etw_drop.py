"""tests/fieldcases/fam_etw_drop.py - a Windows host whose application does
not read its UDP socket fast enough: the replies reach the host (a capture
at a tap next to it, in a random container) and Winsock AFD drops some of
them ("datagram dropped ... Reason Insufficient local buffer space"), seen
in an ETW trace of the host written as `netsh trace convert` text, as a
tracerpt CSV table or as the binary .etl itself (chosen at random; the .etl
holds the Winsock-AFD and TCPIP events with the payload layouts of the
providers' manifests, tests/tools/etlgen.py: AFD 1030 bind with address, 1033
datagram dropped, TCPIP 1002 connect request; the finding is the same in all
three). The trace runs on the host's clock,
seconds to minutes off the tap's, at 100 ns resolution; the log clock puts
it on the capture clock from the records that name captured sessions: the
drops themselves (received datagrams: the replies only), and the TCPIP
provider's connect request of a TCP connection the host opened meanwhile
(its SYN; the text trace also has the send event naming its SeqNo).
Asserted: etw_drop_joined_to_packet for every drop, citing the dropped
reply's frame and the drop's line, and winsock_datagram_dropped with the
count and the first and last drop lines.
Near miss: the trace holds no drop (only bind, the TCP events), or its drops
are of another flow (another local port, not in the capture): no drop finding
is joined to a packet of the captured flow, and with no drop at all neither
rule fires.
Not covered: the TCPIP network-layer drop (event 1215): it names addresses
without ports, so it joins no session.
"""
import datetime
import os
import struct
import sys

import fieldlib as fl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import etlgen  # noqa: E402

FAMILY = "etw-drop"
RULES = ["etw_drop_joined_to_packet", "winsock_datagram_dropped"]

T, A = "Microsoft-Windows-TCPIP", "Microsoft-Windows-Winsock-AFD"
TRACERPT_HEADER = ("Event Name, Type, Event ID, Version, Channel, Level, Opcode, Task, Keyword, PID, TID, "
                   "Processor Number, Instance ID, Parent Instance ID, Activity ID, Related Activity ID, "
                   "Clock-Time, Kernel(ms), User(ms), User Data")


def hexptr(rng):
    return "0xFFFF%012X" % rng.randrange(1 << 44, 1 << 48)


def text_line(ns, cpu, pid, tid, prov, msg):
    """netsh trace convert text: [cpu]PID.TID::yyyy/mm/dd-hh:mm:ss.fffffffff [Provider]message
    (times in 100 ns steps, printed with nine digits)."""
    d = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return "[%d]%04X.%04X::%s.%09d [%s]%s" % (cpu, pid, tid, d.strftime("%Y/%m/%d-%H:%M:%S"),
                                             ns % 10**9 // 100 * 100, prov, msg)


def csv_row(ns, prov, eid, pid, tid, cpu, vals):
    ft = ns // 100 + 11644473600 * 10**7
    return "%s, Info, %d, 0, 16, 4, 0, 0, 0x8000000000000000, 0x%04X, 0x%04X, %d, , , , , %d, 0, 0, %s" % (
        prov, eid, pid, tid, cpu, ft, ", ".join(vals))


def sockaddr4(ip, port):
    """AddressLen u32 + SOCKADDR_IN: family 2, port (network order), address, 8 zero bytes."""
    return struct.pack("<IH", 16, 2) + struct.pack(">H", port) + bytes(int(x) for x in ip.split(".")) + bytes(8)


def afd_bind(seq, proc, ep, ip, port):
    """AFD 1030 (AfdBindWithAddress): EnterExit, Location, Process, Endpoint, Status, AddressLen, Address."""
    return struct.pack("<IIQQI", 0, seq, int(proc, 16), int(ep, 16), 0) + sockaddr4(ip, port)


def afd_drop(seq, proc, ep, length, ip, port, reason=2):
    """AFD 1033 (AfdDatagramDropWithAddress): EnterExit, Location, Process, Endpoint,
    Buffer, BufferLength, AddressLen, Address, Reason (2 Insufficient local buffer space)."""
    return struct.pack("<IIQQQI", 0, seq, int(proc, 16), int(ep, 16), 0, length) + sockaddr4(ip, port) + \
        struct.pack("<I", reason)


def tcpip_connect(tcb, lip, lport, rip, rport):
    """TCPIP 1002 (TcpRequestConnect): Tcb, LocalAddressLength, LocalAddress,
    RemoteAddressLength, RemoteAddress, NewState (2 SynSentState), RexmitCount."""
    return struct.pack("<Q", int(tcb, 16)) + sockaddr4(lip, lport) + sockaddr4(rip, rport) + struct.pack("<II", 2, 0)


AFD_KW = 0x10000000004 | 0x1      # keyword_10000000000 | AFD_KW_SOURCE_WINSOCK | AFD_KW_DATAGRAM


def build(rng, outdir, near_miss):
    host = fl.private_v4(rng)
    peer = fl.private_v4(rng, avoid={host}) if rng.random() < 0.6 else fl.public_v4(rng, avoid={host})
    web = fl.public_v4(rng, avoid={host, peer})
    lport, pport = fl.eph_port(rng), rng.choice((53, 514, 161, 5060, 1434, 123, 3478))
    cap = fl.pcapgen.Capture()
    t = fl.epoch_us(rng)
    t0 = t
    skew = int(fl.skew(rng, 2, 900) * 1e7) * 100          # the host's clock, 100 ns steps
    proc, ep, tcb = hexptr(rng), hexptr(rng), hexptr(rng)
    pid, tid = rng.randrange(0x200, 0x2000) & ~3, rng.randrange(0x200, 0x3000) & ~3
    ev = []   # (true ns, kind, data)
    # the AFD bind of the application's socket
    ev.append((t - rng.randrange(1_000, 900_000) * 1000, "bind", None))
    # the datagram exchanges: request from the host, reply from the peer
    n = rng.randrange(4, 12)
    rtt = rng.randrange(300, 60_000) * 1000
    kind = ("nodrop" if rng.random() < 0.5 else "otherflow") if near_miss else "drop"
    ndrop = rng.randrange(1, min(4, n) + 1)
    dropped = set(rng.sample(range(n), ndrop)) if kind == "drop" else set()
    replies = []
    ipid_h, ipid_p = rng.randrange(1, 60000), rng.randrange(1, 60000)
    ttl_p = rng.choice((127, 126, 63, 60, 119))
    # a TCP connection the host opens during the exchanges (TCPIP events)
    tcp_at = rng.randrange(0, n)
    for i in range(n):
        ipid_h += 1
        cap.add(t, fl.pcapgen.udp(host, lport, peer, pport, bytes(rng.randrange(20, 200)), ttl=128, ip_id=ipid_h))
        ipid_p += 1
        cap.add(t + rtt, fl.pcapgen.udp(peer, pport, host, lport, bytes(rng.randrange(40, 1200)), ttl=ttl_p,
                                        ip_id=ipid_p))
        ri = len(cap.frames) - 1
        replies.append(ri)
        if i in dropped:
            ev.append((t + rtt + rng.randrange(15, 400) * 1000, "drop", i))
        if kind == "otherflow" and i == n // 2:
            for _ in range(rng.randrange(1, 4)):
                ev.append((t + rtt + rng.randrange(15, 400) * 1000, "drop-other", i))
        if i == tcp_at:
            ts = t + rng.randrange(2_000, 20_000) * 1000
            c = fl.Tcp(cap, rng, host, fl.eph_port(rng), web, 443, ttl_c=128)
            ev.append((ts - rng.randrange(10, 80) * 1000, "connect", (c.cport, c.seq[True])))
            _, te = c.handshake(ts, rng.randrange(2_000, 40_000) * 1000)
            te += rng.randrange(50, 500) * 1000
            ev.append((te - rng.randrange(3, 30) * 1000, "send", (c.cport, c.seq[True])))
            c.data(te, True, rng.randrange(100, 900))
        t += rng.randrange(80, 900) * 1000 * 1000 + rng.randrange(0, 1000) * 1000
    ev.sort(key=lambda e: e[0])
    other_port = fl.eph_port(rng)
    while other_port == lport:
        other_port = fl.eph_port(rng)
    fmt = rng.choice(("etw-text", "etw-csv", "etl"))
    lines, drop_line = [], {}
    etl = etlgen.Etl(t0 - 10**9 + skew, bufsz=rng.choice((8192, 65536))) if fmt == "etl" else None
    if fmt == "etw-csv":
        lines += [TRACERPT_HEADER, csv_row(t0 - 10**9 + skew, "EventTrace", 0, 0, 0, 0, ["65536"])
                  .replace("EventTrace, Info", "EventTrace, Header")]
    seqno = rng.randrange(8000, 90000)
    cpu = rng.randrange(0, 8)
    for when, k, data in ev:
        ns = when + skew
        seqno += 1
        if k == "bind":
            if fmt == "etl":
                etl.event(ns, etlgen.AFD, 1030, afd_bind(seqno, proc, ep, host, lport), AFD_KW, pid=pid, tid=tid)
                etl.event(ns + 7000, etlgen.AFD, 1030, afd_bind(seqno + 1, proc, "0xFFFF8A0000C0FFEE", host, other_port),
                          AFD_KW, pid=pid, tid=tid)
            elif fmt == "etw-text":
                lines.append(text_line(ns, cpu, pid, tid, A, "bind: 0: Process %s, Endpoint %s, Address %s:%d, Seq %d, "
                                       "Status 0(Success)" % (proc, ep, host, lport, seqno)))
                lines.append(text_line(ns + 7000, cpu, pid, tid, A, "bind: 0: Process %s, Endpoint %s, Address "
                                       "%s:%d, Seq %d, Status 0(Success)" % (proc, "0xFFFF8A0000C0FFEE", host,
                                                                             other_port, seqno + 1)))
            else:
                lines.append(csv_row(ns, A, 1029, pid, tid, cpu, ["0", str(seqno), proc, ep, "16",
                                                                  "%s:%d" % (host, lport), "0"]))
                lines.append(csv_row(ns + 7000, A, 1029, pid, tid, cpu, ["0", str(seqno + 1), proc,
                                                                         "0xFFFF8A0000C0FFEE", "16",
                                                                         "%s:%d" % (host, other_port), "0"]))
            seqno += 1
        elif k in ("drop", "drop-other"):
            e = ep if k == "drop" else "0xFFFF8A0000C0FFEE"
            if fmt == "etl":
                ref = etl.event(ns, etlgen.AFD, 1033, afd_drop(seqno, proc, e, rng.choice((512, 1472, 4096)), peer, pport),
                                AFD_KW, pid=pid, tid=tid)
            elif fmt == "etw-text":
                reason = rng.choice(("Insufficient local buffer space", "2(Insufficient local buffer space)"))
                lines.append(text_line(ns, cpu, pid, tid, A, "datagram dropped: 0: Process %s, Endpoint %s, Buffer "
                                       "0x0000000000000000, Length %d, Address %s:%d, Seq %d, Reason %s"
                                       % (proc, e, rng.choice((512, 1472, 4096)), peer, pport, seqno, reason)))
            else:
                lines.append(csv_row(ns, A, 1033, pid, tid, cpu, ["0", str(seqno), proc, e, "0x0000000000000000",
                                                                  str(rng.choice((512, 1472, 4096))), "16",
                                                                  "%s:%d" % (peer, pport),
                                                                  "Insufficient local buffer space"]))
            if k == "drop":
                drop_line[data] = ref if fmt == "etl" else len(lines)
        elif k == "connect":
            cport, _ = data
            if fmt == "etl":
                etl.event(ns, etlgen.TCPIP, 1002, tcpip_connect(tcb, host, cport, web, 443), 0x8000000000000000,
                          pid=0x0F3C, tid=0x1A20)
            elif fmt == "etw-text":
                lines.append(text_line(ns, cpu, 0x0F3C, 0x1A20, T, "TCP: Tcb %s (local=%s:%d remote=%s:443) requested "
                                       "to connect." % (tcb, host, cport, web)))
            else:
                lines.append(csv_row(ns, T, 1002, 0x0F3C, 0x1A20, cpu, [tcb, "16", "%s:%d" % (host, cport), "16",
                                                                       "%s:443" % web, "SynSentState", "0"]))
        elif k == "send" and fmt == "etw-text":
            cport, sq = data
            lines.append(text_line(ns, cpu, 0, 0, T, "TCP: connection %s (local=%s:%d remote=%s:443): TCP send event, "
                                   "SeqNo = %d, BytesSent = 100, State = 4(EstablishedState)."
                                   % (tcb, host, cport, web, sq & 0xFFFFFFFF)))
    ext = {"etw-text": ".txt", "etw-csv": ".csv", "etl": ".etl"}[fmt]
    if fmt == "etl":
        etl.write(os.path.join(outdir, "trace.etl"))
    else:
        with open(os.path.join(outdir, "trace" + ext), "w", newline="\r\n") as f:
            f.write("\n".join(lines) + "\n")
    name, _ = fl.write_capture(rng, cap, os.path.join(outdir, "tap"))
    label = rng.choice(("tap", "client", "span"))
    elabel = rng.choice(("etw", "netsh", "host"))
    src = ["%s=%s" % (label, name), "%s=trace%s" % (elabel, ext)]
    args = ["--tz", "%s=UTC" % elabel, "--input-format", "%s=%s" % (elabel, fmt)]
    if near_miss:
        quiet = RULES if kind == "nodrop" else ["etw_drop_joined_to_packet"]
        return fl.Case(src, quiet=quiet, args=args)
    r = fl.refs(cap)
    expect = []
    for i in sorted(dropped):
        expect.append(fl.Expect("etw_drop_joined_to_packet",
                                evidence=["%s#%d" % (label, r[replies[i]]), "%s#%d" % (elabel, drop_line[i])],
                                message=[r"^%s#%d reached the host and the stack dropped it .* later \(%s#%d: "
                                         r"etw\.afd\.datagram_dropped Insufficient local buffer space\)"
                                         % (label, r[replies[i]], elabel, drop_line[i])]))
    first, last = drop_line[min(dropped)], drop_line[max(dropped)]
    expect.append(fl.Expect("winsock_datagram_dropped", evidence=["%s#%d" % (elabel, first), "%s#%d" % (elabel, last)],
                            message=[r"dropped %d received datagrams" % len(dropped)]))
    return fl.Case(src, args=args, expect=expect)
