# Windows event log XML exports: golden samples, UTF-16 = UTF-8, XML export =
# binary file, hostile XML refused (entity bomb, external entities to a file
# and a URL with nothing connecting, 10000-deep nesting), damaged input gives
# counted skips with refs (truncated mid-event, invalid UTF-16, bad EventID).
. "$(dirname "$0")/lib.sh"
S=$ROOT/samples/evtx-xml
tl() { "$CORRELATOR" timeline -f jsonl --no-analysis "$@"; }
# the events without the source label, for comparing two inputs
strip() { python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l); e.pop("source"); print(json.dumps(e, sort_keys=True))' "$1"; }

for f in wevtutil security_short; do
	tl "$S/$f.xml" >"$TMPD/$f.jsonl" 2>"$TMPD/err"
	check "$f.xml matches expected-$f.jsonl" "" "$(diff "$S/expected-$f.jsonl" "$TMPD/$f.jsonl" | head -5)"
	check "$f.xml: no diagnostics" "" "$(cat "$TMPD/err")"
done
tl "$S/eventviewer-utf16.xml" >"$TMPD/u16.jsonl"
strip "$TMPD/u16.jsonl" >"$TMPD/a"; strip "$TMPD/wevtutil.jsonl" >"$TMPD/b"
check "UTF-16 Event Viewer export = UTF-8 wevtutil export" "" "$(diff "$TMPD/a" "$TMPD/b" | head -3)"
if need_shared corpus/evtx/evtxrs-Security_short_selected.evtx; then
tl "$SHARED/corpus/evtx/evtxrs-Security_short_selected.evtx" >"$TMPD/bin.jsonl"
strip "$TMPD/bin.jsonl" >"$TMPD/a"; strip "$TMPD/security_short.jsonl" >"$TMPD/b"
check "binary .evtx and its XML export give the same events" "" "$(diff "$TMPD/a" "$TMPD/b" | head -3)"
fi

n() { jsonl_count "$1" "$2"; }
J=$TMPD/wevtutil.jsonl
check "WFP 5156 flow" 1 "$(n "$J" 'e["ref"]==1 and e["flow"]["src"]=="10.0.0.25" and e["flow"]["sport"]==25 and e["flow"]["dst"]=="192.168.5.68" and e["flow"]["dport"]==55330 and e["flow"]["proto"]=="tcp"')"
check "4624: partial flow as ip.src/tcp.srcport, no flow" 1 "$(n "$J" 'e["ref"]==4 and e["flow"] is None and e["fields"]["ip.src"]=="10.0.0.5" and e["fields"]["tcp.srcport"]==55402')"
check "4625 with IpPort 0: ip.src only" 1 "$(n "$J" 'e["ref"]==5 and e["fields"]["ip.src"]=="198.51.100.7" and "tcp.srcport" not in e["fields"]')"
check "5158 bind: no flow" 1 "$(n "$J" 'e["ref"]==7 and e["flow"] is None and e["fields"]["event.data.SourcePort"]==55355')"
check "Sysmon 3 flow" 1 "$(n "$J" 'e["ref"]==10 and e["flow"]["src"]=="10.0.2.17" and e["flow"]["dport"]==80')"
check "UserData leaves" 1 "$(n "$J" 'e["ref"]==9 and e["fields"]["event.data.SubjectUserName"]=="jwrig"')"
check "unnamed Data, entities, qualifiers" 1 "$(n "$J" 'e["ref"]==11 and e["fields"]["event.data.3"]=="<unknown> & more" and e["fields"]["event.qualifiers"]==49156')"

# --- hostile XML ---------------------------------------------------------
bomb=$TMPD/bomb.xml
{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE Events [ <!ENTITY a "aaaaaaaaaa">'
	p=a; for l in b c d e f g h i j; do echo "<!ENTITY $l \"&$p;&$p;&$p;&$p;&$p;&$p;&$p;&$p;&$p;&$p;\">"; p=$l; done
	echo ']>'
	echo "<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>1</EventID><TimeCreated SystemTime='2024-01-01T00:00:00Z'/></System><EventData><Data Name='x'>&j;</Data></EventData></Event></Events>"
} >"$bomb"
check_rc "billion laughs: refused (exit 3)" 3 "$CORRELATOR" timeline -f jsonl --no-analysis "$bomb"
check_grep "billion laughs: clear message" 'refused: the XML declares a DTD' "$TMPD/rc.err"

printf '<?xml version="1.0"?>\n<!DOCTYPE Events [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n<Events><Event><System><EventID>1</EventID><TimeCreated SystemTime="2024-01-01T00:00:00Z"/></System><EventData><Data Name="x">&x;</Data></EventData></Event></Events>\n' >"$TMPD/xxe.xml"
check_rc "external entity to a file: refused" 3 "$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/xxe.xml"
check "external entity: file content not read" 0 "$(grep -c 'root:' "$TMPD/rc.out")"

# a URL entity pointing at a local listener: the listener must see no connection
python3 - "$CORRELATOR" "$TMPD" >"$TMPD/net" <<'PY'
import socket, subprocess, sys
corr, tmp = sys.argv[1:3]
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(4); port = ls.getsockname()[1]
path = tmp + "/xxe-url.xml"
open(path, "w").write('<?xml version="1.0"?>\n<!DOCTYPE Events SYSTEM "http://127.0.0.1:%d/evil.dtd" [ <!ENTITY x SYSTEM "http://127.0.0.1:%d/x"> ]>\n'
    '<Events><Event><System><EventID>1</EventID><TimeCreated SystemTime="2024-01-01T00:00:00Z"/></System><EventData><Data Name="x">&x;</Data></EventData></Event></Events>\n' % (port, port))
rc = subprocess.run([corr, "timeline", "--no-analysis", "--input-format", "evtx-xml", path], capture_output=True).returncode
ls.setblocking(False)
try:
    ls.accept(); conn = "connected"
except BlockingIOError:
    conn = "none"
print(rc, conn)
PY
check "external entity to a URL: refused, no connection" "3 none" "$(cat "$TMPD/net")"

# a DTD placed after the first 64 KiB is a syntax error inside the root, never expanded
{ head -c 70000 /dev/zero | tr '\0' ' '; cat "$bomb"; } >"$TMPD/late.xml"
check_rc "late DTD: refused" 3 "$CORRELATOR" timeline -f jsonl --no-analysis --input-format evtx-xml "$TMPD/late.xml"

python3 -c "
import sys
sys.stdout.write(\"<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>1</EventID><TimeCreated SystemTime='2024-01-01T00:00:00Z'/></System></Event>\" + '<a>' * 10000 + '</a>' * 10000 + '</Events>')" >"$TMPD/deep.xml"
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/deep.xml" >"$TMPD/deep.out" 2>"$TMPD/deep.err"
check "10000-deep nesting: the event before it is read" 1 "$(wc -l <"$TMPD/deep.out")"
check_grep "10000-deep nesting: refused with the limit" 'nested deeper than 64 levels at line 1; refused' "$TMPD/deep.err"
python3 -c "
import sys
sys.stdout.write(\"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>1</EventID><TimeCreated SystemTime='2024-01-01T00:00:00Z'/></System><UserData>\" + '<a>' * 10000)" >"$TMPD/deep2.xml"
"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/deep2.xml" >/dev/null 2>"$TMPD/deep2.err"
check_grep "deep nesting inside an Event: that event is a skip" 'deep2.xml#1: .*nested deeper than 64 levels' "$TMPD/deep2.err"

# --- damaged input -------------------------------------------------------
cut=$(python3 -c "
d = open('$S/wevtutil.xml', 'rb').read()
i = [k for k in range(len(d)) if d.startswith(b'<Event ', k)][4]   # start of event 5
print(i + 900)")
head -c "$cut" "$S/wevtutil.xml" >"$TMPD/trunc.xml"
tl "$TMPD/trunc.xml" >"$TMPD/trunc.jsonl" 2>"$TMPD/trunc.err"; rc=$?
check "truncated mid-event: exit 0" 0 "$rc"
check "truncated mid-event: 4 events" 4 "$(wc -l <"$TMPD/trunc.jsonl")"
check_grep "truncated mid-event: skip cites event 5" '^trunc.xml#5: warning: the file ends inside this <Event> \(truncated at line 5\)' "$TMPD/trunc.err"
"$CORRELATOR" analyze -f json "$TMPD/trunc.xml" >"$TMPD/trunc.json" 2>/dev/null
check "truncated mid-event: 1 counted skip" 1 "$(python3 -c "import json; print(json.load(open('$TMPD/trunc.json'))['sources'][0]['skipped'])")"

python3 - "$S/eventviewer-utf16.xml" "$TMPD/bad16.xml" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
i = d.index("jwrig".encode("utf-16-le"))
d = d[:i] + b"\x00\xd8" + d[i + 2:]     # a lone high surrogate instead of 'j'
open(sys.argv[2], "wb").write(d)
PY
tl "$TMPD/bad16.xml" >"$TMPD/bad16.jsonl" 2>"$TMPD/bad16.err"
check "invalid UTF-16: every event read" 11 "$(wc -l <"$TMPD/bad16.jsonl")"
check "invalid UTF-16: replaced by U+FFFD" 1 "$(n "$TMPD/bad16.jsonl" 'e["fields"].get("event.data.SubjectUserName")=="\ufffdwrig"')"
check_grep "invalid UTF-16: warned with the count" 'warning: 1 invalid or control characters replaced by U\+FFFD' "$TMPD/bad16.err"

sed -e '3s#<EventID>5152</EventID>#<EventID>x52</EventID>#' -e '6s#SystemTime=.2024-01-07T08:20:11.7704291Z.#SystemTime="yesterday"#' "$S/wevtutil.xml" >"$TMPD/badid.xml"
tl "$TMPD/badid.xml" >"$TMPD/badid.jsonl" 2>"$TMPD/badid.err"
check "bad EventID and bad time: 9 events" 9 "$(wc -l <"$TMPD/badid.jsonl")"
check_grep "bad EventID: skip with ref 3" "badid.xml#3: warning: event without a valid <EventID> \('x52'\)" "$TMPD/badid.err"
check_grep "bad time: skip with ref 6" "badid.xml#6: warning: event 4663 without a valid TimeCreated/@SystemTime \('yesterday'\)" "$TMPD/badid.err"
check "refs stay file positions after a skip" "7 8 9 10 11" "$(python3 -c "
import json; print(*[json.loads(l)['ref'] for l in open('$TMPD/badid.jsonl')][4:])")"
