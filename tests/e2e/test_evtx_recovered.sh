# EVTX recovered records and a truncated final chunk (issue 16, items 9-10),
# on logs crafted from the corpus' dbc-password-spray.evtx by
# tests/tools/evtx_recovered.py:
#  - records recovered from slack space that repeat an allocated record (same
#    record id, time and content) are dropped and counted in the notes; a
#    recovered record that differs (one user name changed) reaches the timeline;
#  - the whole records of a chunk the file cuts short are read, and the notes
#    say how many.
. "$(dirname "$0")/lib.sh"
need_shared corpus/evtx/dbc-password-spray.evtx || exit 0
python3 "$ROOT/tests/tools/evtx_recovered.py" "$SHARED/corpus/evtx/dbc-password-spray.evtx" "$TMPD/ev"
notes() {  # ARGS...: the source's notes, one a line
	"$CORRELATOR" analyze --no-progress -f json "$@" 2>/dev/null |
		python3 -c 'import json,sys; [print(n) for s in json.load(sys.stdin)["sources"] for n in s.get("notes", [])]'
}
for mode in own libevtx; do
	args=(); [ $mode = libevtx ] && args=(--input-format evtx-libevtx)
	# the original: all 21 recovered records repeat allocated ones
	"$CORRELATOR" timeline -f jsonl --no-analysis "${args[@]}" "$SHARED/corpus/evtx/dbc-password-spray.evtx" >"$TMPD/o.jsonl" 2>/dev/null
	check "$mode: 295 records, no recovered repeat on the timeline" "295 0" \
		"$(wc -l <"$TMPD/o.jsonl") $(grep -c '"event.recovered":true' "$TMPD/o.jsonl")"
	check "$mode: the 21 repeats counted in the notes" 1 \
		"$(notes "${args[@]}" "$SHARED/corpus/evtx/dbc-password-spray.evtx" | grep -c '^21 records recovered from slack space repeat allocated ones (same record id, time and content): dropped as duplicates$')"
	check "$mode: 4625 failed logons not inflated" 1 "$(python3 -c '
import json, sys
from collections import Counter
c = Counter((e["fields"]["event.id"], e["fields"]["event.record_id"]) for e in map(json.loads, open(sys.argv[1])))
print(max(c.values()))' "$TMPD/o.jsonl")"
	# one recovered record that differs is new: kept, the 20 others dropped
	"$CORRELATOR" timeline -f jsonl --no-analysis "${args[@]}" "$TMPD/ev/slack_new.evtx" >"$TMPD/n.jsonl" 2>/dev/null
	check "$mode: the changed recovered record is kept (ref, id, user)" "296 42992 jleytevidaX" "$(python3 -c '
import json, sys
for e in map(json.loads, open(sys.argv[1])):
    if e["fields"].get("event.recovered"):
        print(e["ref"], e["fields"]["event.record_id"], e["fields"]["event.data.TargetUserName"])' "$TMPD/n.jsonl")"
	check "$mode: 20 repeats dropped" 1 "$(notes "${args[@]}" "$TMPD/ev/slack_new.evtx" | grep -c '^20 records recovered from slack space repeat allocated')"
done
# the file cut inside its third chunk: our reader keeps its 20 whole records and says so
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/ev/cut.evtx" >"$TMPD/c.jsonl" 2>"$TMPD/c.err"
check "cut: 210 records of the whole chunks + 20 of the cut one" 230 "$(wc -l <"$TMPD/c.jsonl")"
check "cut: the note counts the records read from the damaged chunk" 1 \
	"$(notes "$TMPD/ev/cut.evtx" | grep -c '^20 records read from the chunk at offset 0x21000, which the file cuts short (the whole records before the cut)$')"
