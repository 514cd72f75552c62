#!/usr/bin/env python3
"""samples/etw-afd-drop/make.py - a DNS client whose replies arrive on the wire
but are dropped by Winsock AFD ("Insufficient local buffer space"), seen in a
client capture and a `netsh trace convert` text export of the same minutes.

client.pcap  capture on the client 10.0.0.5: 4 DNS queries 10.0.0.5:53124 ->
             10.0.0.53:53, each answered; plus a TCP connection to
             203.0.113.27:443 (handshake, one data segment sent twice).
netsh.txt    the ETW text: TCPIP connect / state transitions / connect
             completed / send / retransmit / network-layer drop of an ICMP
             packet, AFD bind of the DNS socket and three datagram drops
             (replies 2, 3, 4), and one line of another provider.

Line shapes follow ../shared/formats/windows-events.md (c): the two TCPIP
lines marked there as taken from a published example, the rest built from
the manifest message templates (not checked against a real trace). The
times are UTC (the trace was converted on a UTC machine).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "tools"))
from pcapgen import Capture, dns_query, tcp, udp  # noqa: E402

T0 = 1743091939  # 2025-03-27 16:12:19 UTC
CLIENT, DNS, WEB = "10.0.0.5", "10.0.0.53", "203.0.113.27"


def ns(off):
    """T0 + off seconds as integer nanoseconds (exact, unlike a float)."""
    return T0 * 1_000_000_000 + int(round(off * 1e9))


def main():
    cap = Capture()
    # TCP: handshake, one 100-byte segment, its retransmission 300 ms later
    cap.add(ns(0.931050), tcp(CLIENT, 55330, WEB, 443, seq=1845311921, flags="S", ttl=128, ip_id=1))
    cap.add(ns(0.936990), tcp(WEB, 443, CLIENT, 55330, seq=700, ack=1845311922, flags="SA", ttl=52))
    cap.add(ns(0.937020), tcp(CLIENT, 55330, WEB, 443, seq=1845311922, ack=701, flags="A", ttl=128, ip_id=2))
    cap.add(ns(0.937110), tcp(CLIENT, 55330, WEB, 443, seq=1845311922, ack=701, flags="PA", ttl=128, ip_id=3,
                               payload=b"x" * 100))
    cap.add(ns(1.237300), tcp(CLIENT, 55330, WEB, 443, seq=1845311922, ack=701, flags="PA", ttl=128, ip_id=4,
                               payload=b"x" * 100))
    # DNS: four queries, four replies on the wire
    for i in range(4):
        t = 2.0 + i * 0.5
        cap.add(ns(t), udp(CLIENT, 53124, DNS, 53, dns_query(0x100 + i, "mail.contoso.com"), ttl=128, ip_id=10 + i))
        cap.add(ns(t + 0.012), udp(DNS, 53, CLIENT, 53124,
                               dns_query(0x100 + i, "mail.contoso.com", response=True, answers=["10.0.0.25"]),
                               ttl=127, ip_id=200 + i))
    cap.write(os.path.join(HERE, "client.pcap"))

    tcb = "0xFFFFE189BD811AA0"
    proc, ep = "0xFFFFE189C0A1D080", "0xFFFFE189BF2C7A10"
    L = []

    def line(cpu, pid, tid, t, prov, msg):
        sec = int(t)
        frac = int(round((t - sec) * 1e7)) * 100
        import time
        st = time.gmtime(sec)
        L.append("[%d]%04X.%04X::%04d/%02d/%02d-%02d:%02d:%02d.%09d [%s]%s" % (
            cpu, pid, tid, st.tm_year, st.tm_mon, st.tm_mday, st.tm_hour, st.tm_min, st.tm_sec,
            frac, prov, msg))

    T, A = "Microsoft-Windows-TCPIP", "Microsoft-Windows-Winsock-AFD"
    line(2, 0x0F3C, 0x1A20, T0 + 0.9310024, T, "TCP: Tcb %s (local=%s:55330 remote=%s:443) requested to connect." % (tcb, CLIENT, WEB))
    line(2, 0x0F3C, 0x1A20, T0 + 0.9310441, T, "TCP: connection %s transition from ClosedState to SynSentState, SndNxt = 1845311921." % tcb)
    line(5, 0, 0, T0 + 0.9370129, T, "TCP: connection %s transition from 2(SynSentState) to 4(EstablishedState), SndNxt = 1845311922." % tcb)
    line(5, 0, 0, T0 + 0.9370300, T, "TCP: connection %s (local=%s:55330 remote=%s:443) connect completed. PID = 3900." % (tcb, CLIENT, WEB))
    line(31, 0, 0, T0 + 0.9371050, T, "TCP: connection %s (local=%s:55330 remote=%s:443): TCP send event, SeqNo = 1845311922, BytesSent = 100, State = 4(EstablishedState)." % (tcb, CLIENT, WEB))
    line(31, 0, 0, T0 + 1.2372900, T, "TCP: connection %s (local=%s:55330 remote=%s:443): retransmit round with SndUna = 1845311922, Round = 1, SRTT = 6 ms, RTO = 300 ms." % (tcb, CLIENT, WEB))
    line(30, 0, 0, T0 + 1.5000000, T, "TCPIP: Network layer (Protocol 1(ICMP), AddressFamily = 2(IPV4)) dropped 1 packet(s) on interface 13. SourceAddress = %s DestAddress = %s Reason = 9(Inspection drop). Direction = 0(Send). NBL = 0xFFFFE189BE1D8B90." % (CLIENT, WEB))
    line(7, 0x0AB4, 0x0C18, T0 + 1.9990000, A, "bind: 0: Process %s, Endpoint %s, Address %s:53124, Seq 8800, Status 0(Success)" % (proc, ep, CLIENT))
    for i, seq in ((1, 8812), (2, 8813), (3, 8814)):
        reason = "Insufficient local buffer space" if i != 3 else "2(Insufficient local buffer space)"
        line(7, 0x0AB4, 0x0C18, T0 + 2.0 + i * 0.5 + 0.0121, A,
             "datagram dropped: 0: Process %s, Endpoint %s, Buffer 0x0000000000000000, Length 512, Address %s:53, Seq %d, Reason %s" % (proc, ep, DNS, seq, reason))
    line(0, 4, 0x58, T0 + 4.0, "Microsoft-Windows-NDIS", "Miniport 13 indicated a link state change: connected.")
    with open(os.path.join(HERE, "netsh.txt"), "w", newline="\r\n") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()


# --- the same trace as tables ------------------------------------------------
TRACERPT_HEADER = ("Event Name, Type, Event ID, Version, Channel, Level, Opcode, Task, Keyword, PID, TID, "
                   "Processor Number, Instance ID, Parent Instance ID, Activity ID, Related Activity ID, "
                   "Clock-Time, Kernel(ms), User(ms), User Data")


def filetime(off):
    return (T0 + 11644473600) * 10_000_000 + int(round(off * 1e7))


def tables():
    tcb, proc, ep = "0xFFFFE189BD811AA0", "0xFFFFE189C0A1D080", "0xFFFFE189BF2C7A10"
    T, A = "Microsoft-Windows-TCPIP", "Microsoft-Windows-Winsock-AFD"
    # (offset s, provider, id, pid, tid, cpu, user data values, rendered message)
    rows = [
        (0.9310024, T, 1002, 0x0F3C, 0x1A20, 2, [tcb, "16", CLIENT + ":55330", "16", WEB + ":443", "SynSentState", "0"],
         "TCP: Tcb %s (local=%s:55330 remote=%s:443) requested to connect." % (tcb, CLIENT, WEB)),
        (0.9310441, T, 1051, 0x0F3C, 0x1A20, 2, ["ClosedState", "SynSentState", "1845311921", tcb],
         "TCP: connection %s transition from ClosedState to SynSentState, SndNxt = 1845311921." % tcb),
        (0.9370129, T, 1051, 0, 0, 5, ["SynSentState", "EstablishedState", "1845311922", tcb],
         "TCP: connection %s transition from SynSentState to EstablishedState, SndNxt = 1845311922." % tcb),
        (0.9370301, T, 1033, 0, 0, 5, ["16", CLIENT + ":55330", "16", WEB + ":443", "0x0", "3900", "1", tcb],
         "TCP: connection %s (local=%s:55330 remote=%s:443) connect completed. PID = 3900." % (tcb, CLIENT, WEB)),
        (1.9990001, A, 1029, 0x0AB4, 0x0C18, 7, ["0", "8800", proc, ep, "16", CLIENT + ":53124", "0"],
         "bind: 0: Process %s, Endpoint %s, Address %s:53124, Seq 8800, Status 0" % (proc, ep, CLIENT)),
    ]
    for i, seq in ((1, 8812), (2, 8813), (3, 8814)):
        rows.append((2.0 + i * 0.5 + 0.0121, A, 1033, 0x0AB4, 0x0C18, 7,
                     ["0", str(seq), proc, ep, "0x0000000000000000", "512", "16", DNS + ":53",
                      "Insufficient local buffer space"],
                     "datagram dropped: 0: Process %s, Endpoint %s, Buffer 0x0000000000000000, Length 512, "
                     "Address %s:53, Seq %d, Reason Insufficient local buffer space" % (proc, ep, DNS, seq)))
    with open(os.path.join(HERE, "netsh.csv"), "w", newline="\r\n") as f:
        f.write(TRACERPT_HEADER + "\n")
        f.write("EventTrace, Header, 0, 2, 0, 0, 0, 0, 0x0000000000000000, 0x0000, 0x0000, 0, , , , , %d, 0, 0, 65536\n"
                % filetime(0))
        for off, prov, eid, pid, tid, cpu, vals, _ in rows:
            f.write("%s, Info, %d, 0, 16, 4, 0, 0, 0x8000000000000000, 0x%04X, 0x%04X, %d, , , , , %d, 0, 0, %s\n"
                    % (prov, eid, pid, tid, cpu, filetime(off), ", ".join(vals)))
    import time
    with open(os.path.join(HERE, "analyzer.csv"), "w", newline="\r\n") as f:
        f.write('"MessageNumber","Timestamp","TimeElapsed","Source","Destination","Module","Summary"\n')
        for k, (off, prov, eid, pid, tid, cpu, vals, msg) in enumerate(rows, 1):
            sec = T0 + int(off)
            frac = int(round((off - int(off)) * 1e7))
            ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + ".%07d" % frac
            f.write('"%d","%s","","","","%s","%s"\n' % (k, ts, prov.replace("-", "_"), msg.replace('"', '""')))
    with open(os.path.join(HERE, "netmon.txt"), "w", newline="\r\n") as f:
        f.write("Frame Number\tTime Date Local Adjusted\tTime Offset\tProcess Name\tSource\tDestination\t"
                "Protocol Name\tDescription\tConv Id\n")
        for k, (off, prov, eid, pid, tid, cpu, vals, msg) in enumerate(rows, 1):
            sec = T0 + int(off)
            frac = int(round((off - int(off)) * 1e7))
            st = time.gmtime(sec)
            h12 = st.tm_hour % 12 or 12
            ts = "%d/%d/%d %d:%02d:%02d.%07d %s" % (st.tm_mon, st.tm_mday, st.tm_year, h12, st.tm_min,
                                                    st.tm_sec, frac, "PM" if st.tm_hour >= 12 else "AM")
            f.write("%d\t%s\t%.7f\t\t\t\t%s\t%s\t\n" % (k, ts, off, prov.replace("-", "_"), msg))


tables()
