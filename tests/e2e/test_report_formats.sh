# analyze -f text|md|html|json on every corpus capture: exits 0, and each
# output is valid: the JSON parses and has the contract's keys, the HTML is
# well formed and self-contained (tests/tools/html_check.py), the Markdown
# and text have their sections. Then two captures are compared with the
# committed expected reports (tests/e2e/expected/), run from the corpus
# directory so the paths in them do not depend on where the tree lives.
. "$(dirname "$0")/lib.sh"
cd "$SHARED/corpus" || exit 1
for f in pcap/*; do
	name=$(basename "$f")
	for fmt in text md html json; do
		out=$TMPD/out.$fmt
		"$CORRELATOR" analyze --no-progress --quiet -f "$fmt" "$f" >"$out" 2>"$TMPD/err"
		rc=$?
		check "$name analyze -f $fmt exit" 0 "$rc"
	done
	check "$name json valid" ok "$(python3 - "$TMPD/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
need = ["sources", "findings", "incidents"]
missing = [k for k in need if k not in d]
s = d["sources"][0] if d.get("sources") else {}
missing += [k for k in ["label", "path", "format", "events", "skipped", "clock_offset_ns", "clock_offset_origin"] if k not in s]
print("ok" if not missing else "missing " + ",".join(missing))
PY
)"
	check "$name html well formed" 0 "$(python3 "$ROOT/tests/tools/html_check.py" "$TMPD/out.html" >"$TMPD/hc" 2>&1; echo $?)"
	check "$name md sections" "# correlator report|## Incidents|## Sources|## Analysis events" \
		"$(grep -E '^#{1,2} ' "$TMPD/out.md" | grep -E '^(# correlator report|## Incidents|## Sources|## Analysis events)$' | paste -sd'|')"
	check "$name text sections" "INCIDENTS (0)|SOURCES|ANALYSIS EVENTS|EVENTS BY TYPE" \
		"$(grep -E '^[A-Z][A-Z ]+( \([0-9]+\))?$' "$TMPD/out.text" | grep -v '^SESSIONS' | paste -sd'|')"
done

# Reports compared with the committed expected files. After a deliberate
# change: run the same command and review the diff before committing.
for case in cs-tcp_handshake.pcapng zeek-ip6_esp.pcap; do
	for fmt in text json; do
		ext=$([ "$fmt" = text ] && echo txt || echo json)
		want=$ROOT/tests/e2e/expected/analyze-$case.$ext
		"$CORRELATOR" analyze --no-progress --quiet -f "$fmt" "pcap/$case" >"$TMPD/got.$ext" 2>/dev/null
		if diff -u "$want" "$TMPD/got.$ext" >"$TMPD/diff" 2>&1; then
			check "expected analyze -f $fmt $case" same same
		else
			check "expected analyze -f $fmt $case" same "$(head -c 600 "$TMPD/diff")"
		fi
	done
done
