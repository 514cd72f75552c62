# Foundation: merge order, capture rings, pcapng interfaces, NetMon, damaged
# and unreadable inputs, exit codes, clock options, output formats.
. "$(dirname "$0")/lib.sh"
D=$ROOT/tests/data
C=$SHARED/corpus/pcap

# k-way merge: by time, ties by command-line order, then ref
"$CORRELATOR" timeline -f jsonl a=$D/merge-a.pcap b=$D/merge-b.pcap >"$TMPD/m.jsonl"
got=$(python3 -c 'import json,sys; print(" ".join("%s%d" % (e["source"], e["ref"]) for e in map(json.loads, open(sys.argv[1])) if e["type"]=="tcp"))' "$TMPD/m.jsonl")
check "merge order" "a1 b1 a2 b2 a3 b3 a4 b4 a5 b5" "$got"
"$CORRELATOR" timeline -f jsonl b=$D/merge-b.pcap a=$D/merge-a.pcap >"$TMPD/m2.jsonl"
got=$(python3 -c 'import json,sys; print(" ".join("%s%d" % (e["source"], e["ref"]) for e in map(json.loads, open(sys.argv[1])) if e["type"]=="tcp"))' "$TMPD/m2.jsonl")
check "merge ties follow source order" "a1 b1 a2 b2 b3 a3 a4 b4 a5 b5" "$got"

# a ring of files is one source read in time order; refs restart per file
"$CORRELATOR" timeline -f jsonl --no-analysis $D/ring >"$TMPD/r.jsonl" 2>"$TMPD/r.err"
got=$(python3 -c 'import json,sys; print(" ".join("%s#%d" % (e["file"], e["ref"]) for e in map(json.loads, open(sys.argv[1]))))' "$TMPD/r.jsonl")
check "ring read in time order" "cap_c.pcap#1 cap_c.pcap#2 cap_c.pcap#3 cap_a.pcap#1 cap_a.pcap#2 cap_a.pcap#3 cap_b.pcap#1 cap_b.pcap#2 cap_b.pcap#3" "$got"
check_grep "ring stray file reported" "note: .*README.txt: not a known format.*skipped" "$TMPD/r.err"
check_rc "ring with stray file still runs" 0 "$CORRELATOR" timeline $D/ring
check_rc "ring as a glob" 0 "$CORRELATOR" timeline "$D/ring/cap_*.pcap"

# pcapng with Ethernet (usec) and raw IP (nsec) interfaces, direction, comment
"$CORRELATOR" timeline -f jsonl --no-analysis $D/multi-link.pcapng >"$TMPD/n.jsonl"
got=$(python3 -c '
import json,sys
for e in map(json.loads, open(sys.argv[1])):
    f=e["fields"]; print(e["ref"], e["ts"], e["type"], f.get("frame.interface_id"), f.get("frame.direction"), f.get("frame.comment"))
' "$TMPD/n.jsonl" | tr '\n' '|')
check "pcapng interfaces, resolution, direction, comment" "1 2023-11-14T22:13:20.000001000Z tcp 0 out client SYN|2 2023-11-14T22:13:20.000002123Z udp 1 in None|3 2023-11-14T22:13:20.000003000Z arp.request 0 None None|" "$got"

# NetMon 2.3: per-frame UTC time; ETW record numbered as a frame, as in Wireshark
"$CORRELATOR" timeline -f jsonl --no-analysis $D/netmon23.cap >"$TMPD/nm.jsonl"
got=$(python3 -c 'import json,sys; print(" ".join("%d:%s:%s" % (e["ref"], e["type"], e["ts"]) for e in map(json.loads, open(sys.argv[1]))))' "$TMPD/nm.jsonl")
check "netmon frames" "1:tcp:2023-11-14T22:13:20.000500000Z 2:netmon.event:2023-11-14T22:13:20.000600000Z 3:tcp:2023-11-14T22:13:20.000700000Z" "$got"

# truncated captures: every complete packet is used, the cut one reported
if need_shared corpus/pcap/zeek-m57-long-49583-80.pcap corpus/pcap/cs-http_espn_fail.pcapng corpus/pcap/cs-tcp_dupack.pcapng; then
head -c 100000 $C/zeek-m57-long-49583-80.pcap >"$TMPD/trunc.pcap"
head -c 200000 $C/cs-http_espn_fail.pcapng >"$TMPD/trunc.pcapng"
"$CORRELATOR" analyze -f json "$TMPD/trunc.pcap" "$TMPD/trunc.pcapng" >"$TMPD/t.json" 2>"$TMPD/t.err"; rc=$?
check "truncated inputs still run" 0 "$rc"
got=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(" ".join("%s:%d:%d:%s" % (s["label"], s["events"], s["skipped"], s["skipped_refs"]) for s in r["sources"]))' "$TMPD/t.json")
check "truncated: events, skips, refs" "trunc.pcap:119:1:[120] trunc.pcapng:256:1:[257]" "$got"
check_grep "truncated pcap names the frame" "^trunc.pcap#120: warning: truncated dump file" "$TMPD/t.err"

# a corrupt block length in the middle of a pcapng: resynchronise, keep going
python3 - "$C/cs-tcp_dupack.pcapng" "$TMPD/corrupt.pcapng" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
off, n = 0, 0
while off < len(d):
    t, l = struct.unpack_from("<II", d, off)
    if t == 6:
        n += 1
        if n == 4:
            struct.pack_into("<I", d, off + 4, 0x7ffffff0)
            break
    off += l
open(sys.argv[2], "wb").write(d)
PY
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/corrupt.pcapng" >"$TMPD/c.jsonl" 2>"$TMPD/c.err"; rc=$?
check "corrupt block: run goes on" 0 "$rc"
check "corrupt block: the other 8 packets read" 8 "$(wc -l <"$TMPD/c.jsonl")"
check_grep "corrupt block reported" "bad block length 2147483632 at offset" "$TMPD/c.err"
check_grep "resynchronised" "skipped [0-9]+ damaged bytes at offset [0-9]+; resumed at the next block" "$TMPD/c.err"
fi

# inputs that cannot be read at all: exit 3, one line naming the path and the problem
printf 'hello world\n' >"$TMPD/x.txt"
: >"$TMPD/empty.pcap"
mkdir -p "$TMPD/nodir"
check_rc "unknown format exits 3" 3 "$CORRELATOR" timeline "$TMPD/x.txt"
check_grep "unknown format message" "x.txt: not a known format \(starts with 68 65 6c 6c 6f 20 77 6f \"hello world.\"\)" "$TMPD/rc.err"
check_rc "empty file exits 3" 3 "$CORRELATOR" timeline "$TMPD/empty.pcap"
check_grep "empty file message" "empty.pcap: empty file" "$TMPD/rc.err"
check_rc "missing file exits 3" 3 "$CORRELATOR" timeline "$TMPD/nope.pcap"
check_grep "missing file message" "nope.pcap: No such file or directory" "$TMPD/rc.err"
check_rc "empty directory exits 3" 3 "$CORRELATOR" timeline "$TMPD/nodir"
check_grep "empty directory message" "nodir: directory holds no files" "$TMPD/rc.err"
M=$D/merge-a.pcap
head -c 10 $D/multi-link.pcapng >"$TMPD/hdr.pcapng"
check_rc "truncated header exits 3" 3 "$CORRELATOR" timeline "$TMPD/hdr.pcapng"
check_rc "one unreadable of two: report written, exit 3" 3 "$CORRELATOR" analyze "$TMPD/x.txt" $M
check_grep "the readable one is reported" "merge-a.pcap +pcap +5 " "$TMPD/rc.out"

# usage errors: exit 2
check_rc "no input" 2 "$CORRELATOR" analyze
check_rc "unknown option" 2 "$CORRELATOR" timeline --bogus $M
check_rc "bad --tz zone" 2 "$CORRELATOR" timeline --tz merge-a.pcap=Mars/Base $M
check_rc "bad --clock-offset" 2 "$CORRELATOR" timeline --clock-offset merge-a.pcap=soon $M
check_rc "unknown output format" 2 "$CORRELATOR" analyze -f pdf $M
check_rc "duplicate labels" 2 "$CORRELATOR" timeline x=$M x=$D/merge-b.pcap
check_rc "unknown command" 2 "$CORRELATOR" frobnicate
for cmd in analyze timeline; do check_rc "$cmd --help" 0 "$CORRELATOR" $cmd --help; done
check_rc "formats" 0 "$CORRELATOR" formats
check_grep "formats lists pcapng" "^pcapng " "$TMPD/rc.out"

# --clock-offset moves a source on the timeline; the raw offset is kept
if need_shared corpus/pcap/cs-tcp_handshake.pcapng corpus/pcap/cs-tcp_dupack.pcapng; then
"$CORRELATOR" timeline -f jsonl --clock-offset hs=-10m hs=$C/cs-tcp_handshake.pcapng >"$TMPD/o.jsonl"
got=$(python3 -c 'import json,sys; e=json.loads(open(sys.argv[1]).readline()); print(e["ts"], e["ts_raw_offset_ns"])' "$TMPD/o.jsonl")
check "clock offset applied" "2010-01-07T19:28:34.341715000Z -600000000000" "$got"

# CSV: one header and one row per event, parseable
"$CORRELATOR" timeline -f csv --no-analysis $C/cs-tcp_dupack.pcapng >"$TMPD/o.csv"
got=$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(len(r), r[0]["ts"], r[0]["datetime"], r[0]["timestamp_desc"], r[0]["ref"], r[0]["proto"])' "$TMPD/o.csv")
check "csv rows" "9 2009-03-03T15:55:11.960416000Z 2009-03-03T15:55:11.960416+00:00 Packet Captured 1 tcp" "$got"
fi

# -o writes atomically: no temporary file is left behind
"$CORRELATOR" analyze -f json -o "$TMPD/out.json" $M
check "output file written" 0 "$(python3 -c 'import json,sys; json.load(open(sys.argv[1])); print(0)' "$TMPD/out.json")"
check "no temp file left" "" "$(ls "$TMPD" | grep 'out.json.tmp' || true)"

# the bundled two-vantage sample: reproducible, its report as expected, the
# server capture's 3 s clock lag recovered within 1 ms
S=samples/foundation-two-vantage
mkdir -p "$TMPD/fv" && python3 "$ROOT/$S/make.py" "$TMPD/fv"
for f in client.pcap server.pcap; do
	check "$S/$f reproducible" same "$(cmp -s "$ROOT/$S/$f" "$TMPD/fv/$f" && echo same || echo differs)"
done
(cd "$ROOT" && "$CORRELATOR" analyze --no-progress $S/client.pcap $S/server.pcap) >"$TMPD/fv.txt" 2>/dev/null
check "$S report as expected" same "$(diff -q "$ROOT/$S/expected.txt" "$TMPD/fv.txt" >/dev/null && echo same || diff "$ROOT/$S/expected.txt" "$TMPD/fv.txt" | head -c 400)"
got=$(cd "$ROOT" && "$CORRELATOR" analyze --no-progress -f json $S/client.pcap $S/server.pcap | python3 -c 'import json,sys; s=json.load(sys.stdin)["sources"][1]; print(s["clock_offset_origin"], abs(s["clock_offset_ns"] - 3000000000) < 1000000)')
check "$S server clock offset estimated within 1 ms of +3 s" "estimated True" "$got"

# a damaged timestamp far beyond 2116 (pcapng, ns resolution, 2^64-1) is
# clamped with a warning citing the frame; the analyzers that add timeouts to
# it run without overflow (the sanitizer build stops on one)
python3 -c '
import sys; sys.path.insert(0, sys.argv[2] + "/tests/tools")
import capfmt, pcapgen
ng = capfmt.Pcapng(); ng.add_interface(1, tsresol=9)
t = 1700000000 * 10**9
ng.add(0, t, pcapgen.tcp("10.0.0.1", 40000, "10.0.0.2", 80, seq=1, flags="S"))
ng.add(0, 2**64 - 1, pcapgen.tcp("10.0.0.2", 80, "10.0.0.1", 40000, seq=5, ack=2, flags="SA"))
ng.add(0, t + 10**6, pcapgen.udp("10.0.0.1", 40000, "10.0.0.2", 53, payload=bytes(20)))
ng.add(0, 2**64 - 1, pcapgen.udp("10.0.0.2", 53, "10.0.0.1", 40000, payload=bytes(20)))
ng.write(sys.argv[1])' "$TMPD/far.pcapng" "$ROOT"
check_rc "far-future timestamps: analyze runs" 0 "$CORRELATOR" analyze --no-progress "$TMPD/far.pcapng"
check "far-future timestamps: one warning per frame, with its ref" \
	"far.pcapng#2: warning: time beyond the years 1824-2116 (damaged timestamp): clamped|far.pcapng#4: warning: time beyond the years 1824-2116 (damaged timestamp): clamped" \
	"$(grep 'beyond the years' "$TMPD/rc.err" | paste -sd'|')"
