# A corpus EVTX file cut at several offsets, and one with a chunk signature
# zeroed: never a crash, exact counts and a warning naming the damage, for our
# own reader (keeps the whole records before a cut) and for the libevtx
# reader (drops a cut chunk whole; recovers records of a bad chunk).
. "$(dirname "$0")/lib.sh"
need_shared corpus/evtx/dbc-password-spray.evtx || exit 0
f=$SHARED/corpus/evtx/dbc-password-spray.evtx
FMT=evtx-libevtx
cut() {  # BYTES EXPECTED_RC EXPECTED_EVENTS EXPECTED_RECOVERED ERR_REGEX
	head -c "$1" "$f" >"$TMPD/cut.evtx"
	"$CORRELATOR" timeline -f jsonl --no-analysis --input-format "$FMT" "$TMPD/cut.evtx" >"$TMPD/cut.jsonl" 2>"$TMPD/cut.err"
	check "$FMT cut at $1: exit status" "$2" "$?"
	check "$FMT cut at $1: events" "$3" "$(wc -l <"$TMPD/cut.jsonl")"
	check "$FMT cut at $1: recovered" "$4" "$(grep -c '"event.recovered":true' "$TMPD/cut.jsonl")"
	check_grep "$FMT cut at $1: diagnostic" "$5" "$TMPD/cut.err"
}
cut 100     3 0 0 'cut.evtx: 100 bytes, shorter than the 4096-byte EVTX file header: truncated'
cut 4096    0 0 0 'cut.evtx is truncated: its header lists 3 chunks \(200704 bytes\), the file has 4096 bytes'
cut 30000   0 0 0 'the file has 30000 bytes; records past the cut are lost'
cut 70000   0 104 0 'the file has 70000 bytes; records past the cut are lost'
cut 140000  0 210 0 'the file has 140000 bytes'
head -c 300000 "$f" >"$TMPD/cut.evtx"
"$CORRELATOR" timeline -f jsonl --no-analysis --input-format evtx-libevtx "$TMPD/cut.evtx" >"$TMPD/cut.jsonl" 2>"$TMPD/cut.err"
check "cut after the last chunk: all 295 records (libevtx's 21 recovered repeat them: dropped)" 295 "$(wc -l <"$TMPD/cut.jsonl")"
check "cut after the last chunk: no diagnostics" "" "$(cat "$TMPD/cut.err")"
# zeroed chunk magic in the middle of a good file
python3 -c "
d = bytearray(open('$f', 'rb').read()); d[4096 + 65536:4096 + 65536 + 8] = b'\0' * 8
open('$TMPD/magic.evtx', 'wb').write(d)"
"$CORRELATOR" timeline -f jsonl --no-analysis --input-format evtx-libevtx "$TMPD/magic.evtx" >"$TMPD/m.jsonl" 2>"$TMPD/m.err"
check "bad chunk magic: exit 0" 0 "$?"
# evtxexport (libevtx 20181227) on the same bytes: 189 records, 127 recovered
check "bad chunk magic: records of the other chunks" 189 "$(grep -vc '"event.recovered":true' "$TMPD/m.jsonl")"
check "bad chunk magic: the bad chunk's records recovered" 127 "$(grep -c '"event.recovered":true' "$TMPD/m.jsonl")"

# our own reader (the default): whole records before a cut are kept
FMT=evtx
cut 100     3 0 0 'cut.evtx: 100 bytes, shorter than the 4096-byte EVTX file header: truncated'
cut 4096    0 0 0 'cut.evtx is truncated: its header lists 3 chunks \(200704 bytes\), the file has 4096 bytes'
cut 4400    0 0 0 'chunk at offset 0x1000: cut after 304 bytes, inside its header; not read'
cut 30000   0 37 0 'chunk at offset 0x1000 is cut at 25904 of its [0-9]+ bytes of records'
cut 70000   0 104 0 'the file has 70000 bytes; records past the cut are lost'
cut 140000  0 213 0 'chunk at offset 0x21000 is cut at'
head -c 300000 "$f" >"$TMPD/cut.evtx"
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/cut.evtx" >"$TMPD/cut.jsonl" 2>"$TMPD/cut.err"
check "evtx cut after the last chunk: all 295 records" 295 "$(grep -vc '"event.recovered":true' "$TMPD/cut.jsonl")"
check "evtx cut after the last chunk: libevtx's 21 recovered repeat allocated records: none kept" 0 "$(grep -c '"event.recovered":true' "$TMPD/cut.jsonl")"
check "evtx cut after the last chunk: no diagnostics" "" "$(cat "$TMPD/cut.err")"
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/magic.evtx" >"$TMPD/m.jsonl" 2>"$TMPD/m.err"
check "evtx bad chunk magic: exit 0" 0 "$?"
check "evtx bad chunk magic: the other chunks' records" 189 "$(grep -vc '"event.recovered":true' "$TMPD/m.jsonl")"
check "evtx bad chunk magic: libevtx recovers the bad chunk's records" 127 "$(grep -c '"event.recovered":true' "$TMPD/m.jsonl")"
check_grep "evtx bad chunk magic: warned" 'chunk at offset 0x11000: bad signature; its records are not read' "$TMPD/m.err"
# a record's size field broken: a counted skip with its ref, the chunk ends there
python3 -c "
d = bytearray(open('$f', 'rb').read()); i = d.index(b'**\\0\\0', 4096 + 512 + 1); d[i + 4:i + 8] = b'\\xff\\xff\\0\\0'
open('$TMPD/size.evtx', 'wb').write(d)"
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/size.evtx" >"$TMPD/s.jsonl" 2>"$TMPD/s.err"
check_grep "evtx bad record size: skip cites ref 2" 'size.evtx#2: warning: record of bad size 65535 at chunk offset 0xa38; rest of the chunk not read' "$TMPD/s.err"
check "evtx bad record size: the rest of that chunk (103 records) skipped, the others read" 192 "$(grep -vc '"event.recovered":true' "$TMPD/s.jsonl")"
check "evtx bad record size: libevtx recovers 102 new records (its 21 repeats dropped)" 102 "$(grep -c '"event.recovered":true' "$TMPD/s.jsonl")"
# the records after a broken one in its chunk cannot be located: refs number the records found
check "evtx bad record size: refs count the records found" "1 3" "$(python3 -c "
import json; ev = sorted(json.loads(l)['ref'] for l in open('$TMPD/s.jsonl')); print(ev[0], ev[1])")"
check "evtx: recovered refs follow the records (192 events + 1 skip)" "194 295" "$(python3 -c "
import json; ev = sorted(json.loads(l)['ref'] for l in open('$TMPD/s.jsonl') if 'event.recovered' in l); print(ev[0], ev[-1])")"
