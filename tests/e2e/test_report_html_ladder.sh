# The HTML report's incident view across vantage points (no browser needed;
# test_report_html_chromium.sh renders the same pages): on the bundled
# SYN-ACK sample (client, both sides of a NATing firewall, the firewall log)
# a pair of lanes per capture point with the addresses each saw (the NATed
# outside included), every packet at its own capture time (the SYN-ACK
# reaches fw-in before the client), the handshake and resets as context,
# dashed lines joining one packet across captures, a session filter for
# every capture (the outside one with its translated address and port),
# evidence rows that link to the table, a navigation bar without dangling
# links; path.blame verdicts shown (path-wan-sql). tests/tools/html_ladder.py
# reads the page.
. "$(dirname "$0")/lib.sh"
P=$ROOT/samples/path-synack-modified
"$CORRELATOR" analyze --no-progress --quiet -f html -o "$TMPD/s.html" client="$P/client.pcap" \
	fw-in="$P/fw-in.pcap" fw-out="$P/fw-out.pcap" tmg="$P/tmg-fws.w3c"
python3 "$ROOT/tests/tools/html_check.py" "$TMPD/s.html" >/dev/null
check "page well formed, self-contained" 0 "$?"
python3 "$ROOT/tests/tools/html_ladder.py" "$TMPD/s.html" >"$TMPD/s.txt"
v() { sed -n "s/^$1 //p" "$TMPD/s.txt"; }
check "one pair of lanes per capture point, NAT side included" \
	"10.110.233.50 10.120.5.20 10.110.233.50 10.120.5.20 10.110.235.202 10.120.5.20" "$(v '1 lanes')"
check "rows in time order" yes "$(v '1 rows_in_time_order')"
check "the SYN-ACK at its own capture times: fw-out, fw-in, then client" \
	"fw-out#26 08:00:02.002 fw-in#26 08:00:02.002 client#26 08:00:02.003" \
	"$(grep -E '^1 row (fw-out|fw-in|client)#26 ' "$TMPD/s.txt" | cut -d' ' -f3- | paste -sd' ')"
check "context: SYN at every capture and the RSTs" "client#25 fw-in#25 fw-out#25 client#27 fw-out#27 fw-in#32 client#32" \
	"$(grep -E '^1 row (client|fw-in|fw-out)#(25|27|32) ' "$TMPD/s.txt" | cut -d' ' -f3 | paste -sd' ')"
check "context rows drawn grey" 5 "$(v '1 context_rows')"
check "dashed same-packet lines: SYN, SYN-ACK, RST across three captures" 6 "$(v '1 same_lines')"
check "a session filter for every capture, the outside one translated" \
	"client ip.addr==10.110.233.50 && tcp.port==50183 && ip.addr==10.120.5.20 && tcp.port==443|fw-in ip.addr==10.110.233.50 && tcp.port==50183 && ip.addr==10.120.5.20 && tcp.port==443|fw-out ip.addr==10.110.235.202 && tcp.port==55073 && ip.addr==10.120.5.20 && tcp.port==443" \
	"$(grep '^1 filter ' "$TMPD/s.txt" | cut -d' ' -f3- | paste -sd'|')"
check "every evidence row links to its table row" "14 14" "$(v '1 evidence_links') $(v '1 evidence_targets')"
check "navigation bar" yes "$([ "$(v nav_links)" -ge 6 ] && echo yes || echo "no: $(v nav_links)")"
check "no link without a target" 0 "$(v dangling_links)"

# the delay verdict
W=$ROOT/samples/path-wan-sql
"$CORRELATOR" analyze --no-progress --quiet -f html -o "$TMPD/w.html" client="$W/client.pcap" sql="$W/sql.pcap"
check_grep "path.blame verdicts section" '<h2 id="blame">Delay verdicts</h2>' "$TMPD/w.html"
want=$("$CORRELATOR" timeline -f jsonl client="$W/client.pcap" sql="$W/sql.pcap" 2>/dev/null |
	python3 -c 'import json,sys; print(*[json.loads(l)["fields"]["path.verdict"] for l in sys.stdin if "\"path.blame\"" in l])')
check "path.blame verdicts shown as the analyzer gave them" "$want" \
	"$(python3 -c '
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
t = h[h.index("<h2 id=\"blame\">"):]
t = t[:t.index("</table>")]
print(*re.findall(r"<td><b>([a-z]+)</b></td>", t))' "$TMPD/w.html")"
check "the nav bar links the verdicts" 1 "$(grep -c '<a href="#blame">Delay verdicts</a>' "$TMPD/w.html")"

# UDP across two captures (a cluster node answering): lanes per capture side
C=$ROOT/samples/path-sqlbrowser-cluster
"$CORRELATOR" analyze --no-progress --quiet -f html -o "$TMPD/c.html" client="$C/client.pcap" server="$C/server.pcap"
python3 "$ROOT/tests/tools/html_ladder.py" "$TMPD/c.html" >"$TMPD/c.txt"
check "udp: two pairs of lanes" "10.1.1.50 10.2.0.100 10.1.1.50 10.2.0.100" "$(grep '^1 lanes ' "$TMPD/c.txt" | cut -d' ' -f3-)"
check "udp: rows in time order" yes "$(grep '^1 rows_in_time_order ' "$TMPD/c.txt" | cut -d' ' -f3)"
