# TCP expert analysis against Wireshark on every corpus capture:
#  1. per flag, the number of flagged frames equals ORACLE.tsv (tshark's counts);
#  2. per flag, the exact frame numbers equal tcp_flags_expected.tsv, generated
#     once with `tests/tools/tcp_flags.py tshark` (so no tshark is needed here).
. "$(dirname "$0")/lib.sh"
need_shared corpus/pcap corpus/ORACLE.tsv || exit 0
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

# The same capture given as two sources is two independent analyses.
f=$SHARED/corpus/pcap/cs-tcp_retransmissions.pcapng
"$CORRELATOR" timeline -f jsonl a="$f" b="$f" >"$TMPD/two.jsonl" 2>"$TMPD/err"
check "two sources: retransmissions of a" 5 "$(jsonl_count "$TMPD/two.jsonl" 'e["type"] == "tcp.retransmission" and e["source"] == "a"')"
check "two sources: retransmissions of b" 5 "$(jsonl_count "$TMPD/two.jsonl" 'e["type"] == "tcp.retransmission" and e["source"] == "b"')"
check "two sources: one summary each" 2 "$(jsonl_count "$TMPD/two.jsonl" 'e["type"] == "tcp.session"')"
# The forged RST in the corpus is told apart from the peer's own.
"$CORRELATOR" timeline -f jsonl "$SHARED/corpus/pcap/zeek-rst-inject-rae.pcap" >"$TMPD/rae.jsonl"
check "rae: forged RST (frame 2) from the path" 1 "$(jsonl_count "$TMPD/rae.jsonl" 'e["type"] == "tcp.rst" and e["ref"] == 2 and e["fields"]["origin"] == "path"')"
check "rae: the other RSTs from the peer" 2 "$(jsonl_count "$TMPD/rae.jsonl" 'e["type"] == "tcp.rst" and e["fields"]["origin"] == "peer"')"
# A segment retransmitted until the session dies (corpus).
"$CORRELATOR" timeline -f jsonl "$SHARED/corpus/pcap/cs-tcp_retransmissions.pcapng" >"$TMPD/rx.jsonl"
check "retransmissions: exhausted" 1 "$(jsonl_count "$TMPD/rx.jsonl" 'e["type"] == "tcp.retransmission_exhausted"')"
