"""tests/tools/etlgen.py - write small synthetic pktmon ETL files for tests.

An uncompressed ETL as pktmon writes it (../shared/corpus/etl/README.md and
../shared/formats/windows-events.md (d)): 64 KiB buffers with a 0x48-byte
WMI_BUFFER_HEADER; the first record a SYSTEM64 header (hook 0) holding
TRACE_LOGFILE_HEADER (pointer size 8, QPC clock at 10 MHz, StartTime); then
EVENT_HEADER64 records of Microsoft-Windows-PktMon id 160, one per appearance
of a packet at a component (PktGroupId, PktNumber, ..., DropReason, frame).
Python stdlib only; not shipped in the binary.

    from etlgen import Pktmon
    etl = Pktmon(start_ns)
    etl.packet(ts_ns, frame, group_id=1, components=[(12, 1), (5, 2)], drop_at=None)
    etl.write("client.etl")

    from etlgen import Etl, AFD, TCPIP
    etl = Etl(start_ns, bufsz=8192)         # any manifest provider's events
    etl.event(ts_ns, AFD, 1033, payload, keyword=0x10000000004)
    etl.write("trace.etl")                  # records: 1 the logfile header, then in order

Usage as a script: etlgen.py pair OUTDIR - writes client.pcap (the peer's view)
and client.etl (the same session through pktmon) for the pcap-vs-pktmon test;
etlgen.py afd FILE - Winsock-AFD and TCPIP events (afd() below; the copy in
tests/data/afd-tcpip.etl seeds the etl fuzz target).
"""
import struct
import sys

PKTMON = bytes.fromhex("d9804f4dbdc8734dbb5b19c90402c5ac")
BUFSZ = 65536
FT_UNIX = 116444736000000000


AFD = bytes.fromhex("23683ce5b87bbb4490dc3f86090d48a6")      # Microsoft-Windows-Winsock-AFD
TCPIP = bytes.fromhex("eee2072fdb15f14090ef9d7ba282188a")    # Microsoft-Windows-TCPIP


def _logfile_header(start_ns, bufsz=BUFSZ):
    start_ft = FT_UNIX + start_ns // 100
    h = struct.pack("<IBBBBIIqIIII", bufsz, 10, 0, 0, 0, 19041, 1, 0, 156, 0, 0, 1)
    h += struct.pack("<IIII", 0, 8, 0, 2400)          # StartBuffers, PointerSize, EventsLost, CpuSpeed
    h += struct.pack("<QQ", 0, 0)                     # LoggerName, LogFileName pointers
    h += struct.pack("<i", 0) + bytes(172)            # TIME_ZONE_INFORMATION (bias 0) + padding
    h += struct.pack("<qqqII", 0, 10_000_000, start_ft, 1, 0)  # BootTime PerfFreq StartTime clock lost
    h += "PktMon\0".encode("utf-16-le") + "PktMon.etl\0".encode("utf-16-le")
    return h


def _sys64(hook, ts, payload):
    size = 32 + len(payload)
    return struct.pack("<HBBHHIIqII", 2, 0x02, 0xC0, size, hook, 1, 4, ts, 0, 0) + payload


def _eh64(ts, eid, payload, keyword=0, guid=PKTMON, version=0, pid=4, tid=4, ptr32=False):
    """EVENT_HEADER record: header type 0x13 (64-bit pointers) or 0x12 (32-bit)."""
    size = 80 + len(payload)
    hdr = struct.pack("<HBBHHIIq", size, 0x12 if ptr32 else 0x13, 0xC0, 0x40, 0, tid, pid, ts)
    hdr += guid + struct.pack("<HBBBBHQ", eid, version, 0x10, 4, 0, 0, keyword)
    hdr += struct.pack("<Q", 0) + bytes(16)
    return hdr + payload


class Etl:
    def __init__(self, start_ns, bufsz=BUFSZ):
        self.start_ns = start_ns
        self.bufsz = bufsz
        self.records = [_sys64(0, 0, _logfile_header(start_ns, bufsz))]

    def _ticks(self, ts_ns):
        return (ts_ns - self.start_ns) // 100

    def event(self, ts_ns, guid, eid, payload, keyword=0, version=0, pid=4, tid=4, ptr32=False):
        """One EVENT_HEADER64 (or, ptr32, EVENT_HEADER32) record of provider guid
        (16 bytes as stored); returns its record number (ref) in the file."""
        self.records.append(_eh64(self._ticks(ts_ns), eid, payload, keyword, guid, version, pid, tid, ptr32))
        return len(self.records)

    def write(self, path):
        bufs, cur = [], b""
        for r in self.records:
            r += bytes(-len(r) % 8)
            if 0x48 + len(cur) + len(r) > self.bufsz:
                bufs.append(cur)
                cur = b""
            cur += r
        bufs.append(cur)
        with open(path, "wb") as f:
            for i, body in enumerate(bufs):
                fill = 0x48 + len(body)
                hdr = struct.pack("<IIIIQqQHHIIHH", self.bufsz, fill, fill, 0, 0, i, 0, 0, 0, 0, fill, 0, 0)
                hdr += bytes(0x48 - len(hdr))
                f.write(hdr + body + b"\xff" * (self.bufsz - fill))


class Pktmon(Etl):
    """PktMon packet events (id 160)."""

    def packet(self, ts_ns, frame, group_id, pkt_number=1, components=((12, 1),), drop_at=None,
               drop_reason=8, direction=3, step_ns=1000, packet_type=1):
        """One packet seen at each (component, edge) in turn, step_ns apart;
        drop_at = index of the appearance that drops it."""
        for i, (comp, edge) in enumerate(components):
            reason = drop_reason if drop_at == i else 0
            pay = struct.pack("<QHHHHHHHIIHH", group_id, pkt_number, i + 1, direction, packet_type,
                              comp, edge, 0, reason, 3 if reason else 0, len(frame), len(frame)) + frame
            self.records.append(_eh64(self._ticks(ts_ns + i * step_ns), 160, pay))


def pair(outdir):
    """A TCP session and one dropped UDP datagram, seen by the server's pcap and
    by pktmon on the client 2 ms earlier (one way delay)."""
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from pcapgen import Capture, tcp, udp
    t0 = 1_700_000_000_000_000_000
    c, s = "10.1.0.5", "10.1.0.9"
    frames = [
        (0, tcp(c, 50100, s, 443, seq=1000, flags="S", ip_id=1), True),
        (10_000_000, tcp(s, 443, c, 50100, seq=5000, ack=1001, flags="SA", ip_id=2), False),
        (10_500_000, tcp(c, 50100, s, 443, seq=1001, ack=5001, flags="A", ip_id=3), True),
        (11_000_000, tcp(c, 50100, s, 443, seq=1001, ack=5001, flags="PA", payload=b"x" * 100, ip_id=4), True),
        (21_000_000, tcp(s, 443, c, 50100, seq=5001, ack=1101, flags="PA", payload=b"y" * 200, ip_id=5), False),
        (30_000_000, tcp(c, 50100, s, 443, seq=1101, ack=5201, flags="FA", ip_id=6), True),
        (40_000_000, tcp(s, 443, c, 50100, seq=5201, ack=1102, flags="FA", ip_id=7), False),
        (41_000_000, tcp(c, 50100, s, 443, seq=1102, ack=5202, flags="A", ip_id=8), True),
    ]
    cap = Capture()
    etl = Pktmon(t0 - 1_000_000_000)
    for g, (dt, fr, outbound) in enumerate(frames, 1):
        # server capture sees client packets 2 ms after pktmon, server packets 2 ms before
        cap.add(t0 + dt + (2_000_000 if outbound else -2_000_000), fr)
        etl.packet(t0 + dt, fr, group_id=g, components=[(12, 1), (5, 2), (3, 1)],
                   direction=4 if outbound else 3)
    # a datagram from the server that the client's stack drops at its second component
    dg = udp(s, 5000, c, 53124, payload=b"z" * 40, ip_id=9)
    cap.add(t0 + 50_000_000 - 2_000_000, dg)
    etl.packet(t0 + 50_000_000, dg, group_id=99, components=[(3, 1), (5, 2)], drop_at=1, direction=3)
    cap.write(outdir + "/server.pcap")
    etl.write(outdir + "/client.etl")


def _sin4(ip, port):
    return struct.pack("<IH", 16, 2) + struct.pack(">H", port) + bytes(int(x) for x in ip.split(".")) + bytes(8)


def _sin6(last, port):
    return struct.pack("<IH", 28, 23) + struct.pack(">HI", port, 0) + bytes.fromhex("20010db8") + bytes(11) + \
        bytes([last]) + bytes(4)


def afd(path):
    """Winsock-AFD and TCPIP events with the payload layouts of the build 10240
    manifests (version 0), one record each (refs 2..):
      2 AFD 1030 bind 10.0.0.5:53124 (endpoint E1)   3 AFD 1033 drop from 10.0.0.53:53
      4 AFD 1018 connect E1 -> 10.0.0.53:443         5 AFD 1032 abort E1, reason 16
      6 TCPIP 1215 ICMP 192.168.5.68 -> 6.6.0.27 Inspection drop
      7 TCPIP 1214 UDP 10.0.0.53:53 -> 10.0.0.5:53124, reason 7, 2 packets
      8 AFD 1033 cut 3 bytes short   9 AFD 1033 version 1   10 TCPIP 1215 cut short
     11 AFD 1030 bind [2001:db8::5]:5353 and 12 AFD 1033 drop from [2001:db8::53]:5353,
        both with 32-bit pointers (EVENT_HEADER32)
    Records 8-10 stay etw.event with etw.undecoded."""
    t0 = 1_700_000_000_000_000_000
    e = Etl(t0 - 1_000_000_000, bufsz=8192)
    proc, e1 = 0xFFFFE189C0A1D080, 0xFFFFE189BF2C7A10
    kw = 0x10000000004 | 0x1

    def head(seq, ep, fmt="<IIQQ", p=proc):
        return struct.pack(fmt, 0, seq, p, ep)
    drop = head(8812, e1) + struct.pack("<QI", 0, 512) + _sin4("10.0.0.53", 53) + struct.pack("<I", 2)
    e.event(t0, AFD, 1030, head(8811, e1) + struct.pack("<I", 0) + _sin4("10.0.0.5", 53124), kw)
    e.event(t0 + 1_000_000, AFD, 1033, drop, kw)
    e.event(t0 + 2_000_000, AFD, 1018, head(5024, e1) + struct.pack("<QII", 0, 0, 0) + _sin4("10.0.0.53", 443), 0x6)
    e.event(t0 + 3_000_000, AFD, 1032, head(12001, e1) + struct.pack("<I", 16), 0x6)
    e.event(t0 + 4_000_000, TCPIP, 1215, struct.pack("<II", 1, 2) + bytes([192, 168, 5, 68, 6, 6, 0, 27]) +
            struct.pack("<IIIII", 0, 0, 9, 1, 4))
    e.event(t0 + 5_000_000, TCPIP, 1214, struct.pack("<II", 17, 2) + _sin4("10.0.0.5", 53124) +
            _sin4("10.0.0.53", 53) + struct.pack("<II", 7, 2))
    e.event(t0 + 6_000_000, AFD, 1033, drop[:-3], kw)
    e.event(t0 + 7_000_000, AFD, 1033, drop, kw, version=1)
    e.event(t0 + 8_000_000, TCPIP, 1215, struct.pack("<II", 1, 2) + bytes([192, 168, 5, 68, 6, 6]))
    e.event(t0 + 9_000_000, AFD, 1030, head(17, 0x8BF27A10, "<IIII", 0x8A1D0080) + struct.pack("<I", 0) +
            _sin6(5, 5353), kw, ptr32=True)
    e.event(t0 + 10_000_000, AFD, 1033, head(18, 0x8BF27A10, "<IIII", 0x8A1D0080) + struct.pack("<II", 0, 1472) +
            _sin6(0x53, 5353) + struct.pack("<I", 2), kw, ptr32=True)
    e.write(path)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "pair":
        pair(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "afd":
        afd(sys.argv[2])
    else:
        sys.exit("usage: etlgen.py pair OUTDIR | afd FILE")
