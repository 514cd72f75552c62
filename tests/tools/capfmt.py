"""tests/tools/capfmt.py - writers for the capture containers libpcap cannot
write or read: pcapng with several interfaces (different link types and
timestamp resolutions, direction flags, comments) and Network Monitor 2.x .cap.
Frames come from pcapgen.py. Used by tests and samples only.
"""
import struct


def _opt(code, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack("<HH", code, len(value)) + value + b"\0" * pad


def _block(btype, body):
    body += b"\0" * ((4 - len(body) % 4) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


class Pcapng:
    """interfaces: list of (linktype, tsresol) ; packets: (ifid, ns, frame, flags, comment)."""

    def __init__(self):
        self.ifaces = []
        self.packets = []

    def add_interface(self, linktype, tsresol=6, name=None):
        self.ifaces.append((linktype, tsresol, name))
        return len(self.ifaces) - 1

    def add(self, ifid, ns, frame, direction=0, comment=None):
        self.packets.append((ifid, ns, frame, direction, comment))
        return len(self.packets)

    def bytes(self):
        out = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + _opt(0, b""))
        for lt, res, name in self.ifaces:
            opts = b""
            if name:
                opts += _opt(2, name.encode())
            if res != 6:
                opts += _opt(9, bytes([res]))
            opts += _opt(0, b"") if opts else b""
            out += _block(1, struct.pack("<HHI", lt, 0, 262144) + opts)
        for ifid, ns, frame, direction, comment in self.packets:
            res = self.ifaces[ifid][1]
            units = ns // (10 ** (9 - res)) if res <= 9 else ns * (10 ** (res - 9))
            opts = b""
            if direction:
                opts += _opt(2, struct.pack("<I", direction))
            if comment:
                opts += _opt(1, comment.encode())
            if opts:
                opts += _opt(0, b"")
            data = frame + b"\0" * ((4 - len(frame) % 4) % 4)
            out += _block(6, struct.pack("<IIIII", ifid, units >> 32, units & 0xFFFFFFFF,
                                         len(frame), len(frame)) + data + opts)
        return out

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.bytes())


FILETIME_UNIX = 116444736000000000


class NetMon:
    """Network Monitor 2.3 capture: per-frame media type and UTC FILETIME."""

    def __init__(self, start_ns):
        self.start_ns = start_ns
        self.frames = []  # (ns, frame, media)

    def add(self, ns, frame, media=1):
        self.frames.append((ns, frame, media))

    def write(self, path):
        import datetime
        st = datetime.datetime.fromtimestamp(self.start_ns // 10**9, datetime.timezone.utc)
        body = b""
        offsets = []
        for ns, frame, media in self.frames:
            offsets.append(128 + len(body))
            delta_us = (ns - self.start_ns) // 1000
            ft = ns // 100 + FILETIME_UNIX
            body += struct.pack("<QII", delta_us, len(frame), len(frame)) + frame
            body += struct.pack("<HIQB", media, 0, ft, 0)
        table_off = 128 + len(body)
        hdr = b"GMBU" + bytes([3, 2]) + struct.pack("<H", 1)
        hdr += struct.pack("<8H", st.year, st.month, st.isoweekday() % 7, st.day, st.hour,
                           st.minute, st.second, (self.start_ns // 10**6) % 1000)
        hdr += struct.pack("<II", table_off, 4 * len(offsets))
        hdr += b"\0" * (128 - len(hdr))
        with open(path, "wb") as f:
            f.write(hdr + body + b"".join(struct.pack("<I", o) for o in offsets))
