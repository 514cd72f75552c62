"""tests/tools/pathgen.py - one synthetic network path seen by several captures.

A path runs client -> vantage points -> server. Each vantage has a position
(seconds of one-way delay from the client), its own clock error (seconds added
to its timestamps), optionally a NAT translation of the client endpoint, and
the hop count from the client (TTL). A packet is sent at time t by its sender
and written into every capture that sees it, at t + distance, plus a little
deterministic jitter; a packet can be left out of some captures (lost or
injected) or changed at some (modified). Used by samples/path-*/make.py.

    net = Net([Vantage("client", 0.0), Vantage("server", 0.04, clock=600.0)], server_pos=0.0401)
    net.tcp(t, 0, conn, seq=..., ack=..., flags="S", ip_id=1)
    net.write("samples/x")
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import Capture, tcp, udp  # noqa: E402


class Vantage:
    def __init__(self, name, pos, clock=0.0, nat=None, hops=0):
        self.name, self.pos, self.clock, self.nat, self.hops = name, pos, clock, nat or {}, hops
        self.cap = Capture()

    def map(self, ip, port):
        return self.nat.get((ip, port), (ip, port))


class Net:
    def __init__(self, vantages, server_pos, jitter=0.00003, seed=7, base=1704614400.0):
        self.v = vantages
        self.server_pos = server_pos
        self.jitter = jitter
        self.rnd = random.Random(seed)
        self.base = base

    def _time(self, v, t, direction):
        dist = v.pos if direction == 0 else self.server_pos - v.pos
        return self.base + t + dist + self.rnd.random() * self.jitter + v.clock

    def _emit(self, t, direction, conn, build, seen, mods):
        cip, cport, sip, sport = conn
        for v in self.v:
            if seen is not None and v.name not in seen:
                continue
            kw = dict(mods.get(v.name, {}))
            ci, cp = v.map(cip, cport)
            si, sp = v.map(sip, sport)
            hops = v.hops if direction == 0 else (len(self.v) - v.hops)
            ttl = kw.pop("ttl", (128 if direction == 0 else 64) - hops)
            if direction == 0:
                frame = build(ci, cp, si, sp, ttl, kw)
            else:
                frame = build(si, sp, ci, cp, ttl, kw)
            v.cap.add(self._time(v, t, direction), frame)

    def tcp(self, t, direction, conn, seq=0, ack=0, flags="A", payload=b"", ip_id=0, win=64240,
            options=b"", seen=None, mods=None):
        def build(s, sp, d, dp, ttl, kw):
            args = dict(seq=seq, ack=ack, flags=flags, payload=payload, ip_id=ip_id, win=win, options=options)
            args.update(kw)
            return tcp(s, sp, d, dp, ttl=ttl, **args)
        self._emit(t, direction, conn, build, seen, mods or {})

    def udp(self, t, direction, conn, payload=b"", ip_id=0, seen=None, mods=None, src=None):
        def build(s, sp, d, dp, ttl, kw):
            if src is not None and direction == 1:
                s = src
            return udp(s, sp, d, dp, payload=kw.get("payload", payload), ttl=ttl, ip_id=ip_id)
        self._emit(t, direction, conn, build, seen, mods or {})

    def write(self, folder):
        for v in self.v:
            v.cap.frames.sort(key=lambda f: f[0])
            v.cap.write(os.path.join(folder, v.name + ".pcap"))


class Tcp:
    """A TCP connection driven from both ends; keeps seq/ack and IP-IDs."""

    def __init__(self, net, conn, isn_c, isn_s, ipid_c=1000, ipid_s=5000):
        self.net, self.conn = net, conn
        self.isn_c, self.isn_s = isn_c, isn_s
        self.c_seq, self.s_seq = isn_c + 1, isn_s + 1
        self.ipid = [ipid_c, ipid_s]

    def _id(self, d):
        self.ipid[d] += 1
        return self.ipid[d]

    def handshake(self, t, rtt_c=0.0, srv_pos=0.0):
        n = self.net
        n.tcp(t, 0, self.conn, seq=self.isn_c, flags="S", ip_id=self._id(0))
        n.tcp(t + srv_pos, 1, self.conn, seq=self.isn_s, ack=self.isn_c + 1, flags="SA", ip_id=self._id(1))
        n.tcp(t + rtt_c, 0, self.conn, seq=self.c_seq, ack=self.s_seq, flags="A", ip_id=self._id(0))

    def send(self, t, direction, data, seen=None, mods=None, advance=True, flags="PA"):
        seq = self.c_seq if direction == 0 else self.s_seq
        ack = self.s_seq if direction == 0 else self.c_seq
        self.net.tcp(t, direction, self.conn, seq=seq, ack=ack, flags=flags, payload=data,
                     ip_id=self._id(direction), seen=seen, mods=mods)
        if advance:
            if direction == 0:
                self.c_seq += len(data)
            else:
                self.s_seq += len(data)

    def ack(self, t, direction, seen=None):
        self.send(t, direction, b"", seen=seen, flags="A")

    def close(self, t, rtt):
        self.send(t, 0, b"", flags="FA")
        self.c_seq += 1
        self.send(t + rtt / 2, 1, b"", flags="FA")
        self.s_seq += 1
        self.send(t + rtt, 0, b"", flags="A")
