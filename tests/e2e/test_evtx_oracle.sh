# Every corpus EVTX file, damaged ones included (bad chunk magic, truncated
# last chunk): the timeline has exactly evtxexport's record and recovered
# counts, first/last EventRecordID, time range, distinct and top event ids
# and channels (tests/tools/evtx_oracle_check.py against ORACLE.tsv).
. "$(dirname "$0")/lib.sh"
for f in "$SHARED"/corpus/evtx/*.evtx; do
	name=evtx/$(basename "$f")
	out=$TMPD/out.jsonl
	"$CORRELATOR" timeline -f jsonl --no-analysis "$f" >"$out" 2>"$TMPD/err"
	python3 "$ROOT/tests/tools/evtx_oracle_check.py" "$SHARED/corpus/ORACLE.tsv" "$name" "$out" >"$TMPD/cmp"
	while read -r status metric want got; do
		check "$name $metric" "$want" "$got"
	done <"$TMPD/cmp"
done
