# Every corpus capture: the timeline has exactly the oracle's packet count,
# first/last timestamps, TCP/SYN/RST/FIN counts, and is in time order.
. "$(dirname "$0")/lib.sh"
need_shared corpus/pcap corpus/ORACLE.tsv || exit 0
for f in "$SHARED"/corpus/pcap/*; do
	name=pcap/$(basename "$f")
	out=$TMPD/out.jsonl
	"$CORRELATOR" timeline -f jsonl --no-analysis "$f" >"$out" 2>"$TMPD/err"
	python3 "$ROOT/tests/tools/oracle_check.py" "$SHARED/corpus/ORACLE.tsv" "$name" "$out" >"$TMPD/cmp"
	while read -r status metric want got; do
		check "$name $metric" "$want" "$got"
	done <"$TMPD/cmp"
done
