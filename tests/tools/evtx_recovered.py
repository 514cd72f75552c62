#!/usr/bin/env python3
"""tests/tools/evtx_recovered.py - crafted EVTX files for the recovered-record
and truncated-chunk cases (issue 16, items 9-10), derived from a real log.

    evtx_recovered.py BASE.evtx OUTDIR

BASE is the corpus' dbc-password-spray.evtx: its third chunk (offset 0x21000)
holds, after its free-space offset, 21 records libevtx recovers from slack
space that repeat allocated records (record ids 190-210). Writes:
  slack_new.evtx  the first of them (EventRecordID 42992, a failed logon of
                  "jleytevidal") names "jleytevidaX" instead (slack is outside
                  the chunk's CRCs): one genuinely new recovered record, 20 repeats
  cut.evtx        the first 150000 bytes: the file ends inside that chunk,
                  after 20 of its whole records
Only the standard library.
"""
import os
import struct
import sys

CHUNK, HEADER = 65536, 4096


def slack_records(data, chunk_at):
    ch = data[chunk_at:chunk_at + CHUNK]
    free = struct.unpack("<I", ch[48:52])[0]
    out, i = [], ch.find(b"**\0\0", free)
    while i >= 0:
        out.append(chunk_at + i)
        i = ch.find(b"**\0\0", i + 4)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data = bytearray(open(sys.argv[1], "rb").read())
    os.makedirs(sys.argv[2], exist_ok=True)
    at = HEADER + 2 * CHUNK
    recs = slack_records(data, at)
    if len(recs) != 21 or struct.unpack("<Q", data[recs[0] + 8:recs[0] + 16])[0] != 190:
        sys.exit("evtx_recovered: not the expected base log")
    new = bytearray(data)
    name = "jleytevidal".encode("utf-16-le")
    i = new.find(name, recs[0], recs[1])
    if i < 0:
        sys.exit("evtx_recovered: the user name is not in the first slack record")
    new[i:i + len(name)] = "jleytevidaX".encode("utf-16-le")
    open(os.path.join(sys.argv[2], "slack_new.evtx"), "wb").write(new)
    open(os.path.join(sys.argv[2], "cut.evtx"), "wb").write(data[:150000])


if __name__ == "__main__":
    main()
