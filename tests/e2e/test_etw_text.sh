# ETW text (netsh trace convert TXT): golden timeline with a capture of the
# same minutes, exact types/fields/flows, AFD drops in the capture's UDP
# session, damaged lines as counted skips with their line number.
. "$(dirname "$0")/lib.sh"
S=$ROOT/samples/etw-afd-drop
cd "$S" || exit 1
"$CORRELATOR" timeline -f jsonl --no-analysis client=client.pcap etw=netsh.txt >"$TMPD/t.jsonl" 2>"$TMPD/err"
check "netsh.txt + client.pcap match expected.jsonl" "" "$(diff expected.jsonl "$TMPD/t.jsonl" | head -5)"
J=$TMPD/t.jsonl
n() { jsonl_count "$J" "$1"; }
check "12 ETW events" 12 "$(n 'e["source"]=="etw"')"
check "3 datagram drops" 3 "$(n 'e["type"]=="etw.afd.datagram_dropped" and e["fields"]["etw.reason"]=="Insufficient local buffer space"')"
check "drops have the UDP flow" 3 "$(n 'e["type"]=="etw.afd.datagram_dropped" and e["flow"]["src"]=="10.0.0.53" and e["flow"]["sport"]==53 and e["flow"]["dst"]=="10.0.0.5" and e["flow"]["dport"]==53124 and e["flow"]["proto"]=="udp"')"
check "drops share the session of the DNS replies in the capture" 1 "$(python3 - "$J" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
drops = {e["flow"]["session"] for e in ev if e["type"] == "etw.afd.datagram_dropped"}
replies = {e["flow"]["session"] for e in ev if e["type"] == "dns.response"}
print(int(len(drops) == 1 and drops == replies))
PY
)"
check "state transitions, enum forms normalised" "ClosedState>SynSentState SynSentState>EstablishedState" "$(python3 -c "
import json
print(*[e['fields']['etw.tcpip.old_state'] + '>' + e['fields']['etw.tcpip.new_state'] for e in map(json.loads, open('$J')) if e['type'] == 'etw.tcpip.state_change'])")"
check "state transitions get the flow from their Tcb" 2 "$(n 'e["type"]=="etw.tcpip.state_change" and e["flow"]["sport"]==55330 and e["flow"]["dport"]==443')"
check "retransmit on the TCP session" 1 "$(n 'e["type"]=="etw.tcpip.retransmit" and e["flow"]["session"]==1')"
check "connect completed carries PID 3900" 1 "$(n 'e["type"]=="etw.tcpip.connect_completed" and e["fields"]["etw.process"]==3900')"
check "send carries tcp.seq" 1 "$(n 'e["type"]=="etw.tcpip.send" and e["fields"]["tcp.seq"]==1845311922')"
check "ICMP drop: addresses, protocol, reason" 1 "$(n 'e["type"]=="etw.tcpip.drop" and e["flow"]["proto"]=="icmp" and e["fields"]["etw.reason"]=="Inspection drop" and e["fields"]["etw.interface"]==13')"
check "other provider kept as etw.event" 1 "$(n 'e["type"]=="etw.event" and e["fields"]["etw.provider"]=="Microsoft-Windows-NDIS"')"

# damaged lines: a bad timestamp is a skip with its line; text lines are counted once
{ echo "Trace converted by netsh"; sed -e '3s#2025/03/27-16:12:19#2025/13/27-16:12:19#' netsh.txt; echo "   wrapped continuation text"; } >"$TMPD/bad.txt"
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/bad.txt" >"$TMPD/bad.jsonl" 2>"$TMPD/bad.err"
check "bad timestamp: 11 events" 11 "$(wc -l <"$TMPD/bad.jsonl")"
check_grep "bad timestamp: skip at line 4" 'bad.txt#4: warning: bad timestamp' "$TMPD/bad.err"
check_grep "non-event lines: counted, first cited" 'bad.txt#1: warning: 2 lines are not events' "$TMPD/bad.err"
check "refs are line numbers" "2 3 5" "$(python3 -c "
import json; print(*[json.loads(l)['ref'] for l in open('$TMPD/bad.jsonl')][:3])")"
# --tz moves the wall clock
"$CORRELATOR" timeline -f jsonl --no-analysis --tz etw=+02:00 etw=netsh.txt 2>/dev/null | head -1 >"$TMPD/tz.jsonl"
check "--tz applies" '"2025-03-27T14:12:19.931002400Z"' "$(python3 -c "import json; print(json.dumps(json.load(open('$TMPD/tz.jsonl'))['ts']))")"

# the same trace as tracerpt CSV, Message Analyzer CSV and a Network Monitor
# tab-separated copy: the same types, flows and key fields as the text
key() { python3 -c '
import json, sys
keep = ("etw.tcb", "etw.tcpip.old_state", "etw.tcpip.new_state", "etw.tcpip.snd_nxt", "etw.afd.seq", "etw.reason", "etw.afd.length")
for l in open(sys.argv[1]):
    e = json.loads(l)
    f = e["flow"] or {}
    print(e["ts"], e["type"], f.get("src"), f.get("sport"), f.get("dst"), f.get("dport"), f.get("proto"),
          *[e["fields"].get(k) for k in keep])' "$1"; }
"$CORRELATOR" timeline -f jsonl --no-analysis netsh.txt 2>/dev/null | sed -n '1,4p;8,11p' >"$TMPD/txt.jsonl"
key "$TMPD/txt.jsonl" >"$TMPD/want"
for f in netsh.csv analyzer.csv netmon.txt; do
	"$CORRELATOR" timeline -f jsonl --no-analysis "$f" >"$TMPD/tab.jsonl" 2>"$TMPD/tab.err"
	check "$f: 8 events" 8 "$(wc -l <"$TMPD/tab.jsonl")"
	key "$TMPD/tab.jsonl" >"$TMPD/got"
	check "$f: same events as the text" "" "$(diff "$TMPD/want" "$TMPD/got" | head -4)"
	check "$f: no diagnostics" "" "$(cat "$TMPD/tab.err")"
done
"$CORRELATOR" formats >"$TMPD/fmt"
check_grep "formats lists etw-csv" '^etw-csv ' "$TMPD/fmt"
sed '5s/, 1338[0-9]*, 0, 0,/, soon, 0, 0,/' netsh.csv >"$TMPD/bad.csv"
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/bad.csv" >"$TMPD/bad.jsonl" 2>"$TMPD/bad.err"
check "tracerpt CSV with a bad Clock-Time: 7 events" 7 "$(wc -l <"$TMPD/bad.jsonl")"
check_grep "bad Clock-Time: skip cites line 5" "bad.csv#5: warning: bad Clock-Time 'soon'" "$TMPD/bad.err"
