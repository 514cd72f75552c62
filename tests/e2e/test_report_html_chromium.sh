# The HTML report rendered by a real browser: headless Chromium loads the
# synthetic sample (tests/golden/report/sample.html: incidents, ladders,
# charts) and one analyze -f html output, takes a screenshot, and must log no
# console message (script errors, bad SVG attributes: "Error: <path> attribute
# d: ...") and reach the end of the page in its DOM.
# Needs the Debian package "chromium"; without it this test prints SKIP and
# passes, so CI without a browser still runs everything else.
. "$(dirname "$0")/lib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "SKIP $SUITE: chromium not installed (apt-get install -y chromium)"
	exit 0
fi
"$CORRELATOR" analyze --no-progress --quiet -f html -o "$TMPD/corpus.html" \
	"$SHARED/corpus/pcap/cs-tcp_retransmissions.pcapng" 2>/dev/null
for page in "$ROOT/tests/golden/report/sample.html" "$TMPD/corpus.html"; do
	name=$(basename "$page")
	prof=$(mktemp -d "$TMPD/prof.XXXXXX")
	flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --hide-scrollbars --user-data-dir=$prof"
	timeout 60 "$CHROME" $flags --window-size=1360,2000 --screenshot="$TMPD/shot.png" \
		--enable-logging=stderr --v=0 "file://$page" >/dev/null 2>"$TMPD/chrome.err"
	check "$name screenshot is a PNG" "89504e47" "$(head -c 4 "$TMPD/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')"
	check "$name no console messages" "" "$(grep -E ':CONSOLE|Uncaught' "$TMPD/chrome.err" | head -3)"
	prof=$(mktemp -d "$TMPD/prof.XXXXXX")
	flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir=$prof"
	timeout 60 "$CHROME" $flags --dump-dom "file://$page" >"$TMPD/dom.html" 2>/dev/null
	check_grep "$name DOM reaches the footer" '<footer>Written by correlator' "$TMPD/dom.html"
	if [ "$name" = sample.html ]; then
		check "sample DOM: ladders, charts" "2 4" \
			"$(grep -o '<svg class="ladder"' "$TMPD/dom.html" | wc -l) $(grep -o '<svg class="chart"' "$TMPD/dom.html" | wc -l)"
	fi
done
