# analyze -f text|md|html|json on every corpus capture: exits 0, and each
# output is valid: the JSON parses and has the contract's keys, the HTML is
# well formed and self-contained (tests/tools/html_check.py), the Markdown
# and text have their sections. Then two captures are compared with the
# committed expected reports (tests/e2e/expected/), run from the corpus
# directory so the paths in them do not depend on where the tree lives.
. "$(dirname "$0")/lib.sh"
need_shared corpus/pcap || exit 0
cd "$SHARED/corpus" || exit 1
mkdir -p "$TMPD/out"
for f in pcap/*; do
	name=$(basename "$f")
	for fmt in text md html json; do
		"$CORRELATOR" analyze --no-progress --quiet -f "$fmt" "$f" >"$TMPD/out/$name.$fmt" 2>"$TMPD/err"
		rc=$?
		check "$name analyze -f $fmt exit" 0 "$rc"
	done
done
# one Python run validates every output (interpreter start-up is the slow part)
python3 - "$TMPD/out" "$ROOT/tests/tools" >"$TMPD/valid" <<'PY'
import glob, importlib.util, json, os, re, sys
out, tools = sys.argv[1:3]
spec = importlib.util.spec_from_file_location("html_check", os.path.join(tools, "html_check.py"))
hc = importlib.util.module_from_spec(spec); spec.loader.exec_module(hc)
MD = ["# correlator report", "## Incidents", "## Sources", "## Analysis events"]
TEXT = ["INCIDENTS (", "SOURCES", "ANALYSIS EVENTS", "EVENTS BY TYPE"]
for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    base = path[:-5]
    name = os.path.basename(base)
    try:
        d = json.load(open(path, encoding="utf-8"))
        miss = [k for k in ("sources", "findings", "incidents") if k not in d]
        s = d["sources"][0]
        miss += [k for k in ("label", "path", "format", "events", "skipped", "clock_offset_ns",
                             "clock_offset_origin") if k not in s]
        print(name, "json", "ok" if not miss else "missing:" + ",".join(miss))
    except Exception as e:  # noqa: BLE001 - any failure is the finding
        print(name, "json", "invalid:" + str(e).replace(" ", "_"))
    text = open(base + ".html", encoding="utf-8").read()
    c = hc.Checker(); c.feed(text); c.close()
    probs = c.problems + (["left-open"] if c.stack else []) + \
        ([] if text.startswith("<!DOCTYPE html>") else ["no-doctype"])
    print(name, "html", "ok" if not probs else "bad:" + probs[0].replace(" ", "_"))
    heads = [l.rstrip("\n") for l in open(base + ".md", encoding="utf-8") if re.match(r"#{1,2} ", l)]
    print(name, "md", "ok" if all(h in heads for h in MD) else "sections:" + "|".join(heads))
    lines = open(base + ".text", encoding="utf-8").read().split("\n")
    miss = [t for t in TEXT if not any(l.startswith(t) for l in lines)]
    print(name, "text", "ok" if not miss else "missing:" + "|".join(miss))
PY
n=0
while read -r name what status; do
	check "$name $what valid" ok "$status"
	n=$((n + 1))
done <"$TMPD/valid"
check "every output validated" "$(($(ls pcap | wc -l) * 4))" "$n"

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
