# timeline -f jsonl imports into an index that reads dotted keys as object
# paths (Timesketch on OpenSearch): over every bundled sample and every corpus
# file, no key is both a leaf and the dotted prefix of another key
# (tests/tools/jsonl_keys.py over the union of all lines). The parent fields
# are spelt NAME.value there (docs/events.md), and the jsonl reader maps them
# back: a rule on tcp.flags sees the same value from a saved timeline.
. "$(dirname "$0")/lib.sh"
tl() { "$CORRELATOR" timeline -f jsonl --no-progress --quiet "$@" 2>/dev/null; }
n=0
for d in "$ROOT"/samples/*/; do
	files=()
	for f in "$d"*; do
		case $(basename "$f") in expected*|README*|make.py) continue ;; esac
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || continue
	tl "${files[@]}" >"$TMPD/s-$(basename "$d").jsonl"
	n=$((n + 1))
done
check "every sample exported" yes "$([ "$n" -ge 30 ] && echo yes || echo "only $n")"
if need_shared corpus/pcap corpus/evtx corpus/fwlog corpus/exchange; then
	for f in "$SHARED"/corpus/pcap/* "$SHARED"/corpus/evtx/* "$SHARED"/corpus/fwlog/* "$SHARED"/corpus/exchange/*; do
		tl "$f" >"$TMPD/c-$(basename "$f").jsonl"
	done
fi
python3 "$ROOT/tests/tools/jsonl_keys.py" "$TMPD"/*.jsonl >"$TMPD/keys.out"
check "no key is both a leaf and a prefix" "" "$(grep '^CONFLICT' "$TMPD/keys.out" | head -5)"
check "the union holds the parents' values and the flag bits" "4" \
	"$(cat "$TMPD"/*.jsonl | grep -o '"\(tcp\.flags\.value\|tcp\.flags\.syn\|fw\.result\.value\|path\.delay\.value\)":' | sort -u | wc -l)"
# the checker itself catches the old spelling
printf '%s\n' '{"fields":{"tcp.flags":24}}' '{"fields":{"tcp.flags.syn":true}}' >"$TMPD/old.json"
python3 "$ROOT/tests/tools/jsonl_keys.py" "$TMPD/old.json" >"$TMPD/old.out"
check "the checker flags tcp.flags next to tcp.flags.syn" "CONFLICT fields.tcp.flags: fields.tcp.flags.syn" \
	"$(grep -o '^CONFLICT [^ ]* [^ ]*' "$TMPD/old.out")"

# read back: the saved timeline gives rules the Wireshark names again
S=$ROOT/samples/path-synack-modified
tl --no-analysis tmg="$S/tmg-fws.w3c" client="$S/client.pcap" >"$TMPD/a.jsonl"
tl --no-analysis "$TMPD/a.jsonl" >"$TMPD/b.jsonl"
check "round trip keeps the .value spelling" "$(grep -c '"tcp.flags.value"' "$TMPD/a.jsonl")" "$(grep -c '"tcp.flags.value"' "$TMPD/b.jsonl")"
cat >"$TMPD/r.rule" <<'RULE'
rule syn_ack_by_byte
  title "SYN-ACK by the flags byte"
  severity low
  match [tcp where tcp.flags == 18]
  report "{ref}"
rule seq_ack_by_result
  title "TMG result by name"
  severity low
  match [fw.drop where fw.result == "FWX_E_SEQ_ACK_MISMATCH"]
  report "{ref}"
RULE
rules_count() {  # INPUTS... -> "rule:count rule:count"
	"$CORRELATOR" analyze --no-progress --no-analysis -f json -r "$TMPD/r.rule" "$@" 2>/dev/null | python3 -c '
import json, sys, collections
c = collections.Counter(f["rule"] for f in json.load(sys.stdin)["findings"])
print("syn_ack_by_byte:%d seq_ack_by_result:%d" % (c["syn_ack_by_byte"], c["seq_ack_by_result"]))'
}
direct=$(rules_count tmg="$S/tmg-fws.w3c" client="$S/client.pcap")
check "rules on tcp.flags and fw.result fire on the inputs" yes \
	"$(case $direct in *:0*) echo "no: $direct" ;; *) echo yes ;; esac)"
check "the same rules match the saved timeline alike" "$direct" "$(rules_count "$TMPD/a.jsonl")"
