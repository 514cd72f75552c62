# A corpus EVTX file cut at several offsets: never a crash, exact counts, and a
# warning naming the truncation (libevtx alone drops a cut chunk silently).
. "$(dirname "$0")/lib.sh"
f=$SHARED/corpus/evtx/dbc-password-spray.evtx
cut() {  # BYTES EXPECTED_RC EXPECTED_EVENTS EXPECTED_RECOVERED ERR_REGEX
	head -c "$1" "$f" >"$TMPD/cut.evtx"
	"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/cut.evtx" >"$TMPD/cut.jsonl" 2>"$TMPD/cut.err"
	check "cut at $1: exit status" "$2" "$?"
	check "cut at $1: events" "$3" "$(wc -l <"$TMPD/cut.jsonl")"
	check "cut at $1: recovered" "$4" "$(grep -c '"event.recovered":true' "$TMPD/cut.jsonl")"
	check_grep "cut at $1: diagnostic" "$5" "$TMPD/cut.err"
}
cut 100     3 0 0 'cut.evtx: 100 bytes, shorter than the 4096-byte EVTX file header: truncated'
cut 4096    0 0 0 'cut.evtx is truncated: its header lists 3 chunks \(200704 bytes\), the file has 4096 bytes'
cut 30000   0 0 0 'the file has 30000 bytes; records past the cut are lost'
cut 70000   0 104 0 'the file has 70000 bytes; records past the cut are lost'
cut 140000  0 210 0 'the file has 140000 bytes'
head -c 300000 "$f" >"$TMPD/cut.evtx"
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/cut.evtx" >"$TMPD/cut.jsonl" 2>"$TMPD/cut.err"
check "cut after the last chunk: all 295 + 21 records" 316 "$(wc -l <"$TMPD/cut.jsonl")"
check "cut after the last chunk: no diagnostics" "" "$(cat "$TMPD/cut.err")"
# zeroed chunk magic in the middle of a good file
python3 -c "
d = bytearray(open('$f', 'rb').read()); d[4096 + 65536:4096 + 65536 + 8] = b'\0' * 8
open('$TMPD/magic.evtx', 'wb').write(d)"
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/magic.evtx" >"$TMPD/m.jsonl" 2>"$TMPD/m.err"
check "bad chunk magic: exit 0" 0 "$?"
# evtxexport (libevtx 20181227) on the same bytes: 189 records, 127 recovered
check "bad chunk magic: records of the other chunks" 189 "$(grep -vc '"event.recovered":true' "$TMPD/m.jsonl")"
check "bad chunk magic: the bad chunk's records recovered" 127 "$(grep -c '"event.recovered":true' "$TMPD/m.jsonl")"
