# An incident lists each rule's finding once: the ETW-drop sample has one rule
# firing on three drops; text, Markdown and HTML list it once with "found 3
# times" (the timeline keeps all three drops), the JSON keeps every finding.
. "$(dirname "$0")/lib.sh"
S=$ROOT/samples/etw-afd-drop
A=("$CORRELATOR" analyze --no-progress client="$S/client.pcap" etw="$S/netsh.txt")
"${A[@]}" >"$TMPD/r.txt" 2>/dev/null
"${A[@]}" -f md >"$TMPD/r.md" 2>/dev/null
"${A[@]}" -f html >"$TMPD/r.html" 2>/dev/null
"${A[@]}" -f json >"$TMPD/r.json" 2>/dev/null
block=$(sed -n '/^  #1 /,/timeline (corrected UTC)/p' "$TMPD/r.txt")
check "text: the drop rule listed once in incident 1" 1 "$(echo "$block" | grep -c '(rule etw_drop_joined_to_packet')"
check "text: with how often it was found" 1 "$(echo "$block" | grep -c '(rule etw_drop_joined_to_packet, found 3 times)')"
check "text: the other rule numbered 2" 1 "$(echo "$block" | grep -c '^      2\. \[HIGH\] Winsock dropped received datagrams')"
check "text: all three drops still on the incident timeline" 3 \
	"$(sed -n '/^  #1 /,/wireshark:/p' "$TMPD/r.txt" | grep -c 'etw#[0-9]* *datagram dropped')"
check "md: listed once" 1 "$(sed -n '/^### 1\./,/^Timeline/p' "$TMPD/r.md" | grep -c 'etw_drop_joined_to_packet')"
check "md: found 3 times" 1 "$(grep -c 'etw_drop_joined_to_packet`, found 3 times)' "$TMPD/r.md")"
check "html: listed once in the incident" 1 \
	"$(python3 -c '
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
inc = h[h.index("id=\"incident-1\""):]
ol = inc[inc.index("<ol class=\"causes\">"):inc.index("</ol>")]
print(ol.count("etw_drop_joined_to_packet"))' "$TMPD/r.html")"
check "html: found 3 times" 1 "$(grep -c 'etw_drop_joined_to_packet, found 3 times' "$TMPD/r.html")"
check "json: every finding kept" 3 \
	"$(python3 -c 'import json,sys; print(sum(f["rule"]=="etw_drop_joined_to_packet" for f in json.load(open(sys.argv[1]))["findings"]))' "$TMPD/r.json")"
