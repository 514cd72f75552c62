# Every corpus EVTX file, damaged ones included (bad chunk magic, truncated
# last chunk): the libevtx reader gives exactly evtxexport's record and
# recovered counts, first/last EventRecordID, time range, distinct and top
# event ids and channels (tests/tools/evtx_oracle_check.py against
# ORACLE.tsv); our own reader (the default) gives the same records with the
# same fields (tests/tools/evtx_compare.py), plus the whole records of the
# chunk libevtx drops because the file is cut inside it (plaso-System2: 89).
. "$(dirname "$0")/lib.sh"
need_shared corpus/evtx corpus/ORACLE.tsv || exit 0
for f in "$SHARED"/corpus/evtx/*.evtx; do
	name=evtx/$(basename "$f")
	out=$TMPD/out.jsonl
	"$CORRELATOR" timeline -f jsonl --no-analysis --input-format evtx-libevtx "$f" >"$out" 2>"$TMPD/err"
	python3 "$ROOT/tests/tools/evtx_oracle_check.py" "$SHARED/corpus/ORACLE.tsv" "$name" "$out" >"$TMPD/cmp"
	while read -r status metric want got; do
		check "$name $metric" "$want" "$got"
	done <"$TMPD/cmp"
	"$CORRELATOR" timeline -f jsonl --no-analysis "$f" >"$TMPD/own.jsonl" 2>"$TMPD/err"
	extra=0; [ "$(basename "$f")" = plaso-System2.evtx ] && extra=89
	check "$name own reader: recovered records (from libevtx)" \
		"$(awk -F'\t' -v n="$name" '$1==n && $3=="recovered" {print $4}' "$SHARED/corpus/ORACLE.tsv")" \
		"$(grep -c '"event.recovered":true' "$TMPD/own.jsonl")"
	python3 "$ROOT/tests/tools/evtx_compare.py" "$TMPD/own.jsonl" "$out" "$extra" >"$TMPD/cmp"
	while read -r status metric want got; do
		check "$name own reader vs libevtx: $metric" "$want" "$got"
	done <"$TMPD/cmp"
done
