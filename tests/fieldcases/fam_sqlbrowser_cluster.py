"""tests/fieldcases/fam_sqlbrowser_cluster.py - a client asks the SQL Server
Browser (UDP 1434) of a clustered instance at its virtual IP; the active node
answers from its own address in the same /24, and a firewall drops that
reply (it has no state for NODE:1434 -> CLIENT:PORT). The client retries 0-2
times, each answered and dropped the same way.

The firewall is drawn among the kinds the parsers read: a host firewall on
the client (Windows pfirewall.log, Linux iptables), seen by a capture on the
client's NIC, which sees the reply before the firewall drops it; or a network
firewall (Cisco ASA, Check Point `fw log` text, TMG/ISA W3C), with the capture
on the cluster's side of it. The log runs minutes off, in whole seconds, and
gets its offset from the sessions it names (the dropped replies; an allowed
request line when the kind logs one). Unrelated datagrams and log lines around.

Asserted: udp_reply_other_address_fw_drop naming the VIP, the node, the port,
citing the request, the reply and the drop line (the first try).
Near miss: the node answers from the VIP; nothing is dropped.
"""
import datetime
import os

import fieldlib as fl
import pcapgen

FAMILY = "sqlbrowser-cluster"
RULES = ["udp_reply_other_address_fw_drop", "udp_reply_other_address"]
KINDS = ("pfirewall", "iptables", "asa", "checkpoint", "tmg")
MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _d(ns):
    return datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)


def line(kind, ns, action, src, sport, dst, dport, size, ip_id, rng):
    """One log line of kind for a UDP datagram; action 'drop' or 'allow'."""
    d = _d(ns)
    if kind == "pfirewall":
        return "%s %s UDP %s %s %d %d %d - - - - - - - %s" % (
            d.strftime("%Y-%m-%d %H:%M:%S"), "DROP" if action == "drop" else "ALLOW", src, dst, sport, dport,
            size, "RECEIVE" if action == "drop" else "SEND")
    if kind == "iptables":
        chain = "IN=eth0 OUT= " if action == "drop" else "IN= OUT=eth0 "
        return ("%s %2d %02d:%02d:%02d %s kernel: [%d.%06d] %s%sSRC=%s DST=%s LEN=%d TOS=0x00 PREC=0x00 TTL=127 "
                "ID=%d PROTO=UDP SPT=%d DPT=%d LEN=%d " % (
                    MON[d.month - 1], d.day, d.hour, d.minute, d.second, "app01", rng.randrange(1000, 900000),
                    rng.randrange(10**6), "INPUT-DROP: " if action == "drop" else "OUT-ACCEPT: ", chain, src, dst,
                    size, ip_id, sport, dport, size - 20))
    if kind == "asa":
        stamp = "%s %02d %d %02d:%02d:%02d" % (MON[d.month - 1], d.day, d.year, d.hour, d.minute, d.second)
        if action == "drop":
            return "%s: %%ASA-4-106023: Deny udp src outside:%s/%d dst inside:%s/%d by access-group \"OUTSIDE_IN\" " \
                   "[0x8ed66b60, 0x0]" % (stamp, src, sport, dst, dport)
        return "%s: %%ASA-6-302015: Built outbound UDP connection %d for outside:%s/%d (%s/%d) to inside:%s/%d " \
               "(%s/%d)" % (stamp, rng.randrange(10000, 999999), dst, dport, dst, dport, src, sport, src, sport)
    if kind == "checkpoint":
        stamp = "%2d%s%d %02d:%02d:%02d" % (d.day, MON[d.month - 1], d.year, d.hour, d.minute, d.second)
        return "Checkpoint: %s %s   10.255.0.1 >eth2-01 rule: %d; src: %s; dst: %s; proto: udp; product: " \
               "VPN-1 & FireWall-1; service: %d; s_port: %d;" % (
                   stamp, "drop" if action == "drop" else "accept", 0 if action == "drop" else 7, src, dst,
                   dport, sport)
    # tmg
    return "TMG01\t%s\t%s\tUDP\t%s:%d\t%s:%d\t%s\tInternal\tExternal\t%s\t%s\t%s\tUnidentified IP Traffic\t" \
           "0\t0\t0\t0\t-\t-\t-\t-\t-\t-\t0\t0\t-\t-\t-" % (
               d.strftime("%Y-%m-%d"), d.strftime("%H:%M:%S"), src, sport, dst, dport, src,
               "Denied" if action == "drop" else "Initiated Connection",
               "0xc004000d" if action == "drop" else "0x0", "-" if action == "drop" else "SQL Browser")


TMG_HEAD = ("#Software: Microsoft Forefront Threat Management Gateway\n#Version: 2.0\n#Date: %s\n"
            "#Fields: computer\tdate\ttime\tIP protocol\tsource\tdestination\toriginal client IP\tsource network\t"
            "destination network\taction\tstatus\trule\tapplication protocol\tbytes sent\tbytes sent intermediate\t"
            "bytes received\tbytes received intermediate\tconnection time\tconnection time intermediate\t"
            "source name\tdestination name\tusername\tagent\tsession ID\tconnection ID\tinterface\tIP header\t"
            "protocol payload\n")
PF_HEAD = ("#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n#Fields: date time action "
           "protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n")


def browser_reply(rng, instance):
    host = "SQLNODE%d" % rng.randrange(1, 9)
    body = ("ServerName;%s;InstanceName;%s;IsClustered;Yes;Version;%s;tcp;%d;;" % (
        host, instance, rng.choice(("15.0.2000.5", "13.0.5026.0", "16.0.1000.6")),
        rng.choice((1433, rng.randrange(49152, 65535))))).encode()
    return b"\x05" + len(body).to_bytes(2, "little") + body


def build(rng, outdir, near_miss):
    kind = rng.choice(KINDS)
    host_fw = kind in ("pfirewall", "iptables")
    client = fl.private_v4(rng)
    vip = fl.private_v4(rng, avoid={client})
    node = fl.same_24(rng, vip, avoid={client})
    cport = fl.eph_port(rng)
    instance = rng.choice(("SQL01", "PROD", "ERP", "MSSQLSERVER2"))
    t0 = fl.epoch_us(rng)
    cap = pcapgen.Capture()
    # unrelated traffic around (DNS lookups of other hosts)
    others = []
    for i in range(rng.randrange(1, 6)):
        o = fl.private_v4(rng, avoid={client, vip, node})
        op = fl.eph_port(rng)
        t = t0 - rng.randrange(1, 3000) * 10**6
        cap.add(t, pcapgen.udp(client, op, o, 53, payload=bytes(28), ip_id=rng.randrange(1, 65535)))
        others.append((t, client, op, o, 53))
    req = (b"\x04" + instance.encode() + b"\x00") if rng.random() < 0.7 else b"\x03"
    tries = rng.randrange(1, 4)
    reply_from = vip if near_miss else node
    reqs, reps = [], []      # insertion indexes
    t = t0
    ip_id = rng.randrange(1, 60000)
    node_ipid = rng.randrange(1, 60000)
    for k in range(tries):
        reqs.append(len(cap.frames))
        cap.add(t, pcapgen.udp(client, cport, vip, 1434, payload=req, ip_id=(ip_id + k) & 0xFFFF))
        delay = rng.randrange(300, 40_000) * 1000         # 0.3 to 40 ms
        reps.append(len(cap.frames))
        cap.add(t + delay, pcapgen.udp(reply_from, 1434, client, cport, payload=browser_reply(rng, instance),
                                       ip_id=(node_ipid + k) & 0xFFFF, ttl=rng.choice((128, 127, 64))))
        if near_miss:
            break       # answered: no retry
        t += rng.randrange(900, 1500) * 10**6              # the client's retry after about a second
    label = "client" if host_fw else rng.choice(("cluster", "sql-span", "dc"))
    name, _ = fl.write_capture(rng, cap, os.path.join(outdir, label))
    r = fl.refs(cap)

    # the firewall's log, minutes off, whole seconds
    lsk = int(fl.skew(rng, 60, 1500) * 1e9)
    lines = []
    for (tt, s, sp, dd, dp) in others:
        if rng.random() < 0.5:
            lines.append((tt + lsk, line(kind, tt + lsk, "allow", s, sp, dd, dp, 56, 1, rng)))
    drop_lines = []
    for k in range(len(reqs)):
        qt = cap.frames[reqs[k]][0]
        # the allowed request: a connection is logged once (ASA Built, Check
        # Point accept, TMG Initiated, pfirewall ALLOW), iptables logs packets
        if (k == 0 or kind == "iptables") and rng.random() < 0.5:
            lines.append((qt + lsk, line(kind, qt + lsk, "allow", client, cport, vip, 1434, 28 + len(req),
                                         (ip_id + k) & 0xFFFF, rng)))
        if not near_miss:
            rt, rdata = cap.frames[reps[k]][0], cap.frames[reps[k]][1]
            ft = rt + (rng.randrange(0, 300) * 1000 if host_fw else rng.randrange(100, 2000) * 1000)
            ll = line(kind, ft + lsk, "drop", node, 1434, client, cport, len(rdata) - 14,
                      int.from_bytes(rdata[18:20], "big"), rng)
            lines.append((ft + lsk, ll))
            drop_lines.append(ll)
    for _ in range(rng.randrange(1, 4)):     # unrelated drops of other hosts
        tt = t0 + rng.randrange(-5000, 5000) * 10**6
        lines.append((tt + lsk, line(kind, tt + lsk, "drop", fl.public_v4(rng), fl.eph_port(rng), client,
                                     rng.choice((445, 3389, 135)), 60, rng.randrange(1, 65535), rng)))
    lines.sort(key=lambda x: x[0])
    text = [x[1] for x in lines]
    head = ""
    if kind == "tmg":
        head = TMG_HEAD % _d(lines[0][0]).strftime("%Y-%m-%d %H:%M:%S")
    elif kind == "pfirewall":
        head = PF_HEAD
    fname = {"pfirewall": "pfirewall.log", "tmg": "ISALOG_FWS_000.w3c"}.get(kind, "fw.log")
    with open(os.path.join(outdir, fname), "w", newline="\r\n" if kind in ("pfirewall", "tmg") else "\n") as f:
        f.write(head + "\n".join(text) + "\n")
    flabel = rng.choice(("fw", "firewall", kind))
    src = ["%s=%s" % (label, name), "%s=%s" % (flabel, fname)]
    args = ["--tz", "%s=UTC" % flabel, "--input-format", "%s=%s" % (flabel, kind)]
    if near_miss:
        return fl.Case(src, quiet=RULES, args=args, note=kind)
    drop_ref = lines.index(next(x for x in lines if x[1] == drop_lines[0])) + 1 + head.count("\n")
    return fl.Case(src, args=args, note=kind, expect=[fl.Expect(
        "udp_reply_other_address_fw_drop",
        fields={"reply.expected_addr": vip, "reply.actual_addr": node, "reply.expected_port": 1434},
        evidence=["%s#%d" % (label, r[reqs[0]]), "%s#%d" % (label, r[reps[0]]), "%s#%d" % (flabel, drop_ref)],
        message=[r"%s:1434 answered .* sent to %s:1434" % (node.replace(".", r"\."), vip.replace(".", r"\."))])])
