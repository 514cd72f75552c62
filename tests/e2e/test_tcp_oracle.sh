# TCP expert analysis against Wireshark on every corpus capture:
#  1. per flag, the number of flagged frames equals ORACLE.tsv (tshark's counts);
#  2. per flag, the exact frame numbers equal tcp_flags_expected.tsv, generated
#     once with `tests/tools/tcp_flags.py tshark` (so no tshark is needed here).
. "$(dirname "$0")/lib.sh"
expected=$ROOT/tests/e2e/tcp_flags_expected.tsv
for f in "$SHARED"/corpus/pcap/*; do
	name=pcap/$(basename "$f")
	"$CORRELATOR" timeline -f jsonl "$f" >"$TMPD/out.jsonl" 2>"$TMPD/err"
	python3 "$ROOT/tests/tools/tcp_flags.py" ours "$name" "$TMPD/out.jsonl" >"$TMPD/ours.tsv"
	while IFS=$'\t' read -r file metric frames; do
		n=0
		[ "$frames" = - ] || n=$(echo "$frames" | tr ',' '\n' | wc -l)
		want=$(awk -F'\t' -v f="$file" -v m="$metric" '$1 == f && $2 == "pcap" && $3 == m { print $4 }' \
			"$SHARED/corpus/ORACLE.tsv")
		[ -n "$want" ] && check "$name $metric count vs ORACLE" "$want" "$n"
		exp=$(awk -F'\t' -v f="$file" -v m="$metric" '$1 == f && $2 == m { print $3 }' "$expected")
		check "$name $metric frames" "${exp:-missing}" "$frames"
	done <"$TMPD/ours.tsv"
done
