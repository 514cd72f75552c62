#!/bin/sh
# tests/tools/render_report_example.sh - re-render docs/report-example.png from
# the synthetic sample report (tests/golden/report/sample.html, written by the
# golden test). Needs chromium (Debian package "chromium"). Run from the root.
set -eu
prof=$(mktemp -d)
trap 'rm -rf "$prof"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --hide-scrollbars \
	--user-data-dir="$prof" --window-size=1360,3300 \
	--screenshot="$(pwd)/docs/report-example.png" \
	"file://$(pwd)/tests/golden/report/sample.html" 2>/dev/null
echo "docs/report-example.png written"
