# The HTML report rendered by a real browser: headless Chromium loads the
# synthetic sample (tests/golden/report/sample.html: incidents, ladders,
# charts) and one analyze -f html output. Neither may log a console message
# (script errors, and SVG mistakes such as "Error: <path> attribute d: ..."),
# both DOMs must reach the footer, and the sample renders to a PNG.
# Needs the Debian package "chromium"; without it this test prints SKIP and
# passes, so CI without a browser still runs everything else.
. "$(dirname "$0")/lib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "SKIP $SUITE: chromium not installed (apt-get install -y chromium)"
	exit 0
fi
chrome() {  # ARGS... ; a fresh profile each time, nothing from the network
	local prof
	prof=$(mktemp -d "$TMPD/prof.XXXXXX")
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --hide-scrollbars \
		--user-data-dir="$prof" --enable-logging=stderr --v=0 "$@"
}
P=$ROOT/samples/path-synack-modified
"$CORRELATOR" analyze --no-progress --quiet -f html -o "$TMPD/corpus.html" \
	client="$P/client.pcap" fw-in="$P/fw-in.pcap" fw-out="$P/fw-out.pcap" tmg="$P/tmg-fws.w3c" 2>/dev/null
sample=$ROOT/tests/golden/report/sample.html
chrome --window-size=1360,2000 --screenshot="$TMPD/shot.png" "file://$sample" >/dev/null 2>"$TMPD/shot.err"
check "sample screenshot is a PNG" "89504e47" "$(head -c 4 "$TMPD/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')"
check "sample screenshot: no console messages" "" "$(grep -E ':CONSOLE|Uncaught' "$TMPD/shot.err" | head -3)"
for page in "$sample" "$TMPD/corpus.html"; do
	name=$(basename "$page")
	chrome --dump-dom "file://$page" >"$TMPD/dom.html" 2>"$TMPD/dom.err"
	check "$name: no console messages" "" "$(grep -E ':CONSOLE|Uncaught' "$TMPD/dom.err" | head -3)"
	check_grep "$name DOM reaches the footer" '<footer>Written by correlator' "$TMPD/dom.html"
	if [ "$name" = sample.html ]; then
		check "sample DOM: ladders, charts" "2 4" \
			"$(grep -o '<svg class="ladder"' "$TMPD/dom.html" | wc -l) $(grep -o '<svg class="chart"' "$TMPD/dom.html" | wc -l)"
	fi
done

# every multi-source sample: the report renders without console messages, its
# DOM reaches the footer, every incident has a ladder in time order, no link
# dangles; the SYN-ACK sample's screenshot is a full page
n=0
for d in "$ROOT"/samples/*/; do
	args=()
	for f in "$d"*; do
		case $(basename "$f") in expected*|README*|make.py) continue ;; esac
		b=$(basename "$f"); args+=("${b//./-}=$f")
	done
	[ ${#args[@]} -ge 2 ] || continue
	name=$(basename "$d")
	"$CORRELATOR" analyze --no-progress --quiet -f html -o "$TMPD/$name.html" "${args[@]}" 2>/dev/null
	chrome --dump-dom "file://$TMPD/$name.html" >"$TMPD/dom.html" 2>"$TMPD/dom.err"
	check "$name: no console messages" "" "$(grep -E ':CONSOLE|Uncaught' "$TMPD/dom.err" | head -3)"
	check_grep "$name: DOM reaches the footer" '<footer>Written by correlator' "$TMPD/dom.html"
	python3 "$ROOT/tests/tools/html_ladder.py" "$TMPD/$name.html" >"$TMPD/l.txt"
	inc=$(sed -n 's/^incidents //p' "$TMPD/l.txt")
	check "$name: a ladder per incident, rows in time order" "$inc $inc" \
		"$(grep -c ' ladder_rows [1-9]' "$TMPD/l.txt") $(grep -c ' rows_in_time_order yes' "$TMPD/l.txt")"
	check "$name: no dangling link" 0 "$(sed -n 's/^dangling_links //p' "$TMPD/l.txt")"
	n=$((n + 1))
done
check "multi-source samples rendered" yes "$([ "$n" -ge 8 ] && echo yes || echo "only $n")"
chrome --window-size=1400,1600 --screenshot="$TMPD/syn.png" "file://$TMPD/path-synack-modified.html" >/dev/null 2>&1
check "path-synack-modified screenshot: a PNG of the page" yes \
	"$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
w, h = struct.unpack(">II", d[16:24])
print("yes" if d[:4] == b"\x89PNG" and w == 1400 and h == 1600 and len(d) > 100000 else "no: %dx%d %d bytes" % (w, h, len(d)))' "$TMPD/syn.png")"
