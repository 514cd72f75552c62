"""tests/tools/pcapgen.py - write small synthetic captures for samples and tests.

Builds Ethernet/IPv4/IPv6 frames with TCP, UDP (and DNS), ESP, ICMP and ARP
payloads by hand (no third-party packages) and writes classic pcap files.
Checksums are correct unless asked otherwise. Used by the sample generators
under samples/*/make.py and by tests; not shipped in the binary.

    from pcapgen import Capture, tcp, udp
    cap = Capture()
    cap.add(t, tcp("10.0.0.1", 50000, "10.0.0.2", 443, seq=1000, flags="S", ttl=128, ip_id=1))
    cap.write("client.pcap")
"""
import ipaddress
import struct

FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20, "E": 0x40, "C": 0x80}


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def _ip(a):
    return ipaddress.ip_address(a)


def _mac(i):
    return bytes([0x02, 0, 0, 0, (i >> 8) & 0xFF, i & 0xFF])


def _mac_of(addr):
    return _mac(int(_ip(addr)) & 0xFFFF)


def ipv4(src, dst, proto, payload, ttl=64, ip_id=0, df=True, mf=False, frag_off=0, total_len=None):
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag_off // 8)
    tl = 20 + len(payload) if total_len is None else total_len
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl, ip_id, flags, ttl, proto, 0,
                    _ip(src).packed, _ip(dst).packed)
    h = h[:10] + struct.pack("!H", _csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, hlim,
                       _ip(src).packed, _ip(dst).packed) + payload


def _pseudo(src, dst, proto, length):
    s, d = _ip(src), _ip(dst)
    if s.version == 4:
        return s.packed + d.packed + struct.pack("!BBH", 0, proto, length)
    return s.packed + d.packed + struct.pack("!IxxxB", length, proto)


def tcp_segment(src, sport, dst, dport, seq=0, ack=0, flags="", win=65535, payload=b"",
                options=b"", bad_checksum=False):
    fl = 0
    for c in flags:
        fl |= FLAGS[c]
    if ack and not (fl & FLAGS["A"]) and "A" not in flags and flags != "S":
        pass
    options += b"\0" * ((4 - len(options) % 4) % 4)
    off = (20 + len(options)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, fl,
                    win, 0, 0) + options
    seg = h + payload
    c = _csum(_pseudo(src, dst, 6, len(seg)) + seg)
    if bad_checksum:
        c ^= 0x5A5A
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def mss(v):
    return struct.pack("!BBH", 2, 4, v)


def wscale(v):
    return struct.pack("!BBB", 3, 3, v)


def sack_perm():
    return b"\x04\x02"


def sack(*blocks):
    b = b"".join(struct.pack("!II", l & 0xFFFFFFFF, r & 0xFFFFFFFF) for l, r in blocks)
    return b"\x01\x01" + struct.pack("!BB", 5, 2 + len(b)) + b


def timestamps(val, ecr):
    return b"\x01\x01" + struct.pack("!BBII", 8, 10, val, ecr)


def udp_datagram(src, sport, dst, dport, payload=b""):
    h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    seg = h + payload
    c = _csum(_pseudo(src, dst, 17, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def ether(src_ip, dst_ip, ethertype, payload, vlan=None):
    h = _mac_of(dst_ip) + _mac_of(src_ip)
    if vlan is not None:
        h += struct.pack("!HH", 0x8100, vlan)
    return h + struct.pack("!H", ethertype) + payload


def _l3(src, dst, proto, l4, ttl, ip_id, vlan=None, **kw):
    if _ip(src).version == 4:
        return ether(src, dst, 0x0800, ipv4(src, dst, proto, l4, ttl=ttl, ip_id=ip_id, **kw), vlan)
    return ether(src, dst, 0x86DD, ipv6(src, dst, proto, l4, hlim=ttl), vlan)


def tcp(src, sport, dst, dport, seq=0, ack=0, flags="A", win=65535, payload=b"", options=b"",
        ttl=64, ip_id=0, vlan=None, bad_checksum=False):
    """An Ethernet frame holding one TCP segment."""
    seg = tcp_segment(src, sport, dst, dport, seq, ack, flags, win, payload, options, bad_checksum)
    return _l3(src, dst, 6, seg, ttl, ip_id, vlan)


def udp(src, sport, dst, dport, payload=b"", ttl=64, ip_id=0, vlan=None):
    return _l3(src, dst, 17, udp_datagram(src, sport, dst, dport, payload), ttl, ip_id, vlan)


def esp(src, dst, spi, seq, payload_len=64, ttl=64, ip_id=0):
    body = struct.pack("!II", spi, seq) + bytes(payload_len)
    return _l3(src, dst, 50, body, ttl, ip_id)


def icmp_unreach(src, dst, quoted_frame_ip, code=3, ttl=64):
    """ICMP destination unreachable quoting an IP packet (bytes of the IP header + 8)."""
    body = struct.pack("!BBHI", 3, code, 0, 0) + quoted_frame_ip[:28]
    body = body[:2] + struct.pack("!H", _csum(body)) + body[4:]
    return _l3(src, dst, 1, body, ttl, 0)


def arp(op, sender_ip, target_ip, sender_mac_id=1):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, _mac(sender_mac_id),
                       _ip(sender_ip).packed, b"\0" * 6, _ip(target_ip).packed)
    dst = b"\xff" * 6 if op == 1 else _mac(0)
    return dst + _mac(sender_mac_id) + struct.pack("!H", 0x0806) + body


def dns_query(qid, name, qtype=1, response=False, rcode=0, answers=()):
    flags = 0x0100 | (0x8000 if response else 0) | rcode
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\0"
    body = struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0, 0) + q + struct.pack("!HH", qtype, 1)
    for a in answers:
        ip = _ip(a)
        body += b"\xc0\x0c" + struct.pack("!HHIH", 1 if ip.version == 4 else 28, 1, 60,
                                          len(ip.packed)) + ip.packed
    return body


class Capture:
    """Frames with timestamps (int nanoseconds; float seconds lose precision
    at epoch scale, so prefer ints), written as pcap."""

    def __init__(self, linktype=1, nanosecond=True):
        self.frames = []
        self.linktype = linktype
        self.nano = nanosecond

    def add(self, ts, frame, wirelen=None, snaplen=None):
        ns = ts if isinstance(ts, int) else int(round(ts * 1e9))
        data = frame if snaplen is None else frame[:snaplen]
        self.frames.append((ns, data, wirelen or len(frame)))
        return len(self.frames)  # the frame number just added

    def write(self, path):
        with open(path, "wb") as f:
            magic = 0xA1B23C4D if self.nano else 0xA1B2C3D4
            f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 262144, self.linktype))
            for ns, data, wire in self.frames:
                sec, frac = divmod(ns, 1_000_000_000)
                if not self.nano:
                    frac //= 1000
                f.write(struct.pack("<IIII", sec, frac, len(data), wire))
                f.write(data)
