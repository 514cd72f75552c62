#!/usr/bin/env python3
"""tests/tools/tcp_edge.py - crafted captures for the TCP analysis edge cases
where Wireshark's and RFC 9293's readings had to be weighed (issue 16).

    tcp_edge.py OUTDIR      writes OUTDIR/<case>.pcap for every case below

Each case is one small capture; tests/e2e/test_tcp_edge.sh checks the exact
flags and frames the correlator reports on it, and docs/wireshark-differences.md
says where that deliberately differs from tshark 4.0. Every case has a near-miss
twin on another 4-tuple of the same capture that must keep the usual reading.
Only the standard library (and pcapgen next to this file).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen  # noqa: E402
from pcapgen import Capture, tcp  # noqa: E402

T0 = 1_700_000_000 * 10**9
MS = 10**6


class Conv:
    """One TCP conversation between a client and a server, absolute seq/ack."""

    def __init__(self, cap, cport, c="10.0.0.1", s="10.0.0.2", sport=80, cisn=1000, sisn=5000):
        self.cap, self.c, self.s, self.cp, self.sp = cap, c, s, cport, sport
        self.cseq, self.sseq = cisn, sisn
        self.cisn, self.sisn = cisn, sisn

    def c2s(self, t, flags="A", seq=None, ack=None, payload=b"", win=65535, **kw):
        seq = self.cseq if seq is None else seq
        ack = self.sseq if ack is None else ack
        return self.cap.add(T0 + t, tcp(self.c, self.cp, self.s, self.sp, seq=seq, ack=ack, flags=flags,
                                         win=win, payload=payload, **kw))

    def s2c(self, t, flags="A", seq=None, ack=None, payload=b"", win=65535, **kw):
        seq = self.sseq if seq is None else seq
        ack = self.cseq if ack is None else ack
        return self.cap.add(T0 + t, tcp(self.s, self.sp, self.c, self.cp, seq=seq, ack=ack, flags=flags,
                                         win=win, payload=payload, **kw))

    def handshake(self, t):
        self.c2s(t, "S", seq=self.cisn, ack=0)
        self.s2c(t + 10 * MS, "SA", seq=self.sisn, ack=self.cisn + 1)
        self.cseq, self.sseq = self.cisn + 1, self.sisn + 1
        self.c2s(t + 20 * MS)
        return t + 20 * MS

    def send_c(self, t, n, **kw):
        f = self.c2s(t, "PA", payload=b"c" * n, **kw)
        self.cseq += n
        return f

    def send_s(self, t, n, **kw):
        f = self.s2c(t, "PA", payload=b"s" * n, **kw)
        self.sseq += n
        return f

    def close(self, t):
        self.c2s(t, "FA")
        self.cseq += 1
        self.s2c(t + 10 * MS, "FA")
        self.sseq += 1
        self.c2s(t + 20 * MS)


def syn_after_rst(cap):
    """1. A stray ACK draws an RST from the client in SYN-SENT; 2.9 s later it
    re-sends its SYN with the same ISN: a retransmitted SYN (frames 1-11).
    Twin (port 40002): the server refuses with an acceptable RST-ACK, the
    client then sends the same SYN: a new connection on reused ports (12-15)."""
    a = Conv(cap, 40001)
    a.c2s(0, "S", seq=1000, ack=0)                              # 1
    a.s2c(200 * MS, "A", seq=77000, ack=424242)                 # 2 stray ACK
    a.c2s(200 * MS + 200_000, "R", seq=424242, ack=0)           # 3 RST <SEQ=SEG.ACK>
    a.c2s(2900 * MS, "S", seq=1000, ack=0)                      # 4 the SYN again
    a.s2c(2910 * MS, "SA", seq=5000, ack=1001)                  # 5
    a.cseq, a.sseq = 1001, 5001
    a.c2s(2920 * MS)                                            # 6
    a.send_c(2930 * MS, 10)                                     # 7
    a.s2c(2980 * MS)                                            # 8
    a.close(3000 * MS)                                          # 9-11
    b = Conv(cap, 40002)
    b.c2s(4000 * MS, "S", seq=2000, ack=0)                      # 12
    b.s2c(4010 * MS, "RA", seq=0, ack=2001, win=0)              # 13 refused
    b.c2s(4500 * MS, "S", seq=2000, ack=0)                      # 14 a new attempt
    b.s2c(4510 * MS, "RA", seq=0, ack=2001, win=0)              # 15


def one_before(cap):
    """2. A 50-byte segment that starts one byte before the next expected
    sequence number (frame 7); twin (port 40012, frame 14): two bytes before."""
    for port, back in ((40011, 1), (40012, 2)):
        c = Conv(cap, port)
        t = c.handshake(0 if back == 1 else 1000 * MS)
        c.send_c(t + 10 * MS, 100)
        c.s2c(t + 60 * MS)
        c.c2s(t + 200 * MS, "PA", seq=c.cseq - back, payload=b"k" * 50)
        c.cseq += 50 - back
        c.s2c(t + 250 * MS)
        c.close(t + 300 * MS)


def bogus_header(cap):
    """3. A frame whose IP total length leaves room for 20 TCP header bytes
    while the TCP header claims 60 (frame 6); its window bytes read as 0.
    Twin: a well-formed zero-window ACK on port 40022 (frame 13)."""
    c = Conv(cap, 40021)
    t = c.handshake(0)
    c.send_c(t + 10 * MS, 100)
    c.s2c(t + 60 * MS)
    # a server ACK whose data offset says 15 words (60 bytes), window 0
    seg = pcapgen.tcp_segment(c.s, c.sp, c.c, c.cp, seq=c.sseq, ack=c.cseq, flags="A", win=0)
    seg = seg[:12] + bytes([15 << 4]) + seg[13:]
    ip = pcapgen.ipv4(c.s, c.c, 6, seg + bytes(40), total_len=40)
    cap.add(T0 + t + 80 * MS, pcapgen.ether(c.s, c.c, 0x0800, ip))
    c.send_c(t + 100 * MS, 100)
    c.s2c(t + 150 * MS)
    c.close(t + 200 * MS)
    d = Conv(cap, 40022)
    t = d.handshake(1000 * MS)
    d.send_c(t + 10 * MS, 100)
    d.s2c(t + 60 * MS, win=0)
    d.s2c(t + 80 * MS, win=65535)
    d.close(t + 200 * MS)


def clock_jump(cap):
    """4. Frame 7 is stamped a day late, then time goes back; frames 9-10 are
    exact replays of frames 4-5 (already acknowledged data, its ACK).
    Twin (port 40032): a real day of silence, then the session resumes."""
    c = Conv(cap, 40031)
    t = c.handshake(0)                                          # 1-3
    d1 = c.send_c(t + 10 * MS, 100)                             # 4
    a1 = c.s2c(t + 60 * MS)                                     # 5
    c.send_c(t + 70 * MS, 100)                                  # 6
    c.s2c(t + 86400 * 10**9, "A")                               # 7 a day late
    c.send_c(t + 120 * MS, 100)                                 # 8 time is back
    f4, f5 = cap.frames[d1 - 1], cap.frames[a1 - 1]
    cap.frames.append((T0 + t + 130 * MS, f4[1], f4[2]))        # 9 replay of 4
    cap.frames.append((T0 + t + 131 * MS, f5[1], f5[2]))        # 10 replay of 5
    c.s2c(t + 180 * MS)                                         # 11
    c.close(t + 200 * MS)                                       # 12-14
    d = Conv(cap, 40032)
    t = d.handshake(300 * MS)                                   # 15-17
    d.send_c(t + 10 * MS, 100)                                  # 18
    d.s2c(t + 60 * MS)                                          # 19
    d.send_c(t + 86400 * 10**9, 100)                            # 20 a real day later
    d.s2c(t + 86400 * 10**9 + 50 * MS)                          # 21
    d.close(t + 86400 * 10**9 + 100 * MS)                       # 22-24


def ack_unseen(cap):
    """5. 100 bytes from the client are not captured; the server's ACKs of
    them (frames 6-8, ack unchanged) are one gap: flagged once, at frame 6.
    Twin (port 40042): a second gap after the first is acknowledged again."""
    c = Conv(cap, 40041)
    t = c.handshake(0)                                          # 1-3
    c.send_c(t + 10 * MS, 100)                                  # 4
    c.s2c(t + 60 * MS)                                          # 5
    c.cseq += 100                                               # not captured
    c.s2c(t + 110 * MS)                                         # 6 ACK of unseen
    c.send_s(t + 120 * MS, 200)                                 # 7 same ack
    c.s2c(t + 130 * MS, win=32768)                              # 8 same ack
    c.send_c(t + 140 * MS, 100)                                 # 9
    c.s2c(t + 190 * MS)                                         # 10
    c.close(t + 200 * MS)                                       # 11-13
    d = Conv(cap, 40042)
    t = d.handshake(1000 * MS)                                  # 14-16
    d.cseq += 100
    d.s2c(t + 50 * MS)                                          # 17 first gap
    d.cseq += 100
    d.s2c(t + 100 * MS)                                         # 18 second gap
    d.close(t + 200 * MS)                                       # 19-21


def all_flags(cap):
    """6. A junk segment with every flag set (frame 6) on a live session; the
    session goes on. Twin (port 40052): a real RST ends the session."""
    c = Conv(cap, 40051)
    t = c.handshake(0)                                          # 1-3
    c.send_c(t + 10 * MS, 100)                                  # 4
    c.s2c(t + 60 * MS)                                          # 5
    c.cap.add(T0 + t + 70 * MS, tcp(c.c, c.cp, c.s, c.sp, seq=0xDEAD0000, ack=0xBEEF0000,
                                     flags="FSRPAUEC", payload=b"j" * 8))  # 6
    c.send_c(t + 80 * MS, 100)                                  # 7
    c.s2c(t + 130 * MS)                                         # 8
    c.close(t + 200 * MS)                                       # 9-11
    d = Conv(cap, 40052)
    t = d.handshake(1000 * MS)                                  # 12-14
    d.send_c(t + 10 * MS, 100)                                  # 15
    d.s2c(t + 60 * MS, "RA")                                    # 16


def fin_resent(cap):
    """7. The server repeats its ACK twice (frames 6-7, duplicate ACKs); the
    client's FIN (frame 8) is lost, the server sends data, and the FIN is
    re-sent (frame 11) acknowledging that data: not triggered by the
    duplicate ACKs, a plain retransmission (Wireshark 4.0: fast).
    Twin (port 40062): three duplicate ACKs of outstanding data, then the
    lost segment again within 20 ms: a fast retransmission (frame 23)."""
    c = Conv(cap, 40061)
    t = c.handshake(0)                                          # 1-3
    c.send_c(t + 10 * MS, 100)                                  # 4
    c.s2c(t + 20 * MS)                                          # 5
    c.s2c(t + 21 * MS)                                          # 6 the same ACK again
    c.s2c(t + 22 * MS)                                          # 7
    fin = c.cseq
    c.c2s(t + 30 * MS, "FA", seq=fin)                           # 8 FIN (not received)
    c.send_s(t + 40 * MS, 100)                                  # 9 data, ack = FIN seq
    c.send_s(t + 41 * MS, 100)                                  # 10
    c.c2s(t + 45 * MS, "FA", seq=fin)                           # 11 FIN again, new ack
    c.cseq = fin + 1
    c.s2c(t + 50 * MS, "FA")                                    # 12
    c.sseq += 1
    c.c2s(t + 60 * MS)                                          # 13
    d = Conv(cap, 40062)
    t = d.handshake(1000 * MS)                                  # 14-16
    lost = d.cseq
    d.send_c(t + 10 * MS, 100)                                  # 17 (lost at the server)
    d.send_c(t + 11 * MS, 100)                                  # 18
    d.send_c(t + 12 * MS, 100)                                  # 19
    d.s2c(t + 20 * MS, ack=lost)                                # 20 dup ACKs of lost
    d.s2c(t + 21 * MS, ack=lost)                                # 21
    d.s2c(t + 22 * MS, ack=lost)                                # 22
    d.c2s(t + 25 * MS, "PA", seq=lost, payload=b"c" * 100)      # 23 fast retransmission
    d.s2c(t + 40 * MS)                                          # 24
    d.close(t + 100 * MS)                                       # 25-27


CASES = {
    "syn_after_rst": syn_after_rst,
    "one_before": one_before,
    "bogus_header": bogus_header,
    "clock_jump": clock_jump,
    "ack_unseen": ack_unseen,
    "all_flags": all_flags,
    "fin_resent": fin_resent,
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, fn in CASES.items():
        cap = Capture()
        fn(cap)
        cap.write(os.path.join(sys.argv[1], name + ".pcap"))


if __name__ == "__main__":
    main()
