# Every corpus EVTX file, damaged ones included (bad chunk magic, truncated
# last chunk): the libevtx reader gives exactly evtxexport's record and
# recovered counts, first/last EventRecordID, time range, distinct and top
# event ids and channels (tests/tools/evtx_oracle_check.py against
# ORACLE.tsv); our own reader (the default) gives the same records with the
# same fields (tests/tools/evtx_compare.py), plus the whole records of the
# chunk libevtx drops because the file is cut inside it (plaso-System2: 89).
# Recovered records that repeat an allocated one are dropped and counted in
# the source's notes: kept + dropped = evtxexport's recovered count
# (dbc-password-spray: all 21 are repeats).
. "$(dirname "$0")/lib.sh"
need_shared corpus/evtx corpus/ORACLE.tsv || exit 0
dropped() {  # ARGS...: the duplicates note's count in the JSON report, 0 if none
	"$CORRELATOR" analyze --no-progress -f json "$@" 2>/dev/null | python3 -c '
import json, re, sys
n = 0
for s in json.load(sys.stdin)["sources"]:
    for note in s.get("notes", []):
        m = re.match(r"(\d+) records recovered from slack space repeat allocated", note)
        n += int(m.group(1)) if m else 0
print(n)'
}
for f in "$SHARED"/corpus/evtx/*.evtx; do
	name=evtx/$(basename "$f")
	out=$TMPD/out.jsonl
	"$CORRELATOR" timeline -f jsonl --no-analysis --input-format evtx-libevtx "$f" >"$out" 2>"$TMPD/err"
	python3 "$ROOT/tests/tools/evtx_oracle_check.py" "$SHARED/corpus/ORACLE.tsv" "$name" "$out" \
		"$(dropped --input-format evtx-libevtx "$f")" >"$TMPD/cmp"
	while read -r status metric want got; do
		check "$name $metric" "$want" "$got"
	done <"$TMPD/cmp"
	"$CORRELATOR" timeline -f jsonl --no-analysis "$f" >"$TMPD/own.jsonl" 2>"$TMPD/err"
	extra=0; [ "$(basename "$f")" = plaso-System2.evtx ] && extra=89
	check "$name own reader: recovered records (from libevtx), kept + dropped as repeats" \
		"$(awk -F'\t' -v n="$name" '$1==n && $3=="recovered" {print $4}' "$SHARED/corpus/ORACLE.tsv")" \
		"$(( $(grep -c '"event.recovered":true' "$TMPD/own.jsonl") + $(dropped "$f") ))"
	python3 "$ROOT/tests/tools/evtx_compare.py" "$TMPD/own.jsonl" "$out" "$extra" >"$TMPD/cmp"
	while read -r status metric want got; do
		check "$name own reader vs libevtx: $metric" "$want" "$got"
	done <"$TMPD/cmp"
done
