# Each samples/tcp-*/ case: regenerate the capture with its make.py, run
# `correlator timeline -f jsonl`, keep the analysis events, compare with
# expected.txt line for line.
. "$(dirname "$0")/lib.sh"
for d in "$ROOT"/samples/tcp-*/; do
	name=$(basename "$d")
	python3 "$d/make.py" "$TMPD/$name.pcap"
	check "$name capture unchanged" "$(md5sum <"$d/capture.pcap")" "$(md5sum <"$TMPD/$name.pcap")"
	"$CORRELATOR" timeline -f jsonl "$TMPD/$name.pcap" 2>"$TMPD/err" |
		grep '"timestamp_desc":"Analysis"' | sed "s/$name.pcap/capture.pcap/g" >"$TMPD/$name.out"
	if diff -u "$d/expected.txt" "$TMPD/$name.out" >"$TMPD/$name.diff"; then
		check "$name analysis events" same same
	else
		check "$name analysis events" "expected.txt" "$(head -c 600 "$TMPD/$name.diff")"
	fi
done
