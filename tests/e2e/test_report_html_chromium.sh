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
