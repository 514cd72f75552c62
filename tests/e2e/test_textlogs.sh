# Text logs and exports: exact counts on the real corpus files, a few exact
# fields (refs, endpoints, result codes), sniffing by content only, --tz,
# damaged copies (skips counted with the right line numbers, reading goes on),
# a header promising more columns than the lines have (reported once), and
# --max-line.
. "$(dirname "$0")/lib.sh"
C=$CORRELATOR
S=$ROOT/samples
pf=$SHARED/corpus/fwlog/betahydri-pfirewall.log

count() {  # FILE PYTHON_EXPR
	jsonl_count "$1" "$2"
}
field() {  # FILE REF FIELD -> value of the field on the event with that ref
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if str(e["ref"]) == sys.argv[2]:
        k = sys.argv[3]
        v = e["flow"].get(k[5:]) if k.startswith("flow.") and e["flow"] else e["fields"].get(k, e.get(k))
        print(v)
        break
PY
}
sources_json() {  # OUT ARGS... : analyze -f json, sources only
	local out=$1; shift
	"$C" analyze -f json --no-progress "$@" 2>/dev/null >"$out"
}
src_val() {  # JSONFILE INDEX KEY
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); v=d['sources'][int(sys.argv[2])][sys.argv[3]]; print(json.dumps(v) if isinstance(v,(list,dict)) else v)" "$@"
}

need_shared corpus/fwlog/betahydri-pfirewall.log corpus/fwlog/plaso-syslog corpus/exchange/elastic-SmtpRecive.log \
	corpus/pcap/cs-tcp_dupack.pcapng && CORPUS=1 || CORPUS=0
# --- Windows Firewall: the real 16809-entry log ---
if [ $CORPUS = 1 ]; then
"$C" timeline -f jsonl --no-analysis "$pf" >"$TMPD/pf.jsonl" 2>"$TMPD/pf.err"
check "pfirewall betahydri events" 16809 "$(wc -l <"$TMPD/pf.jsonl")"
check "pfirewall betahydri DROP" 11688 "$(count "$TMPD/pf.jsonl" 'e["fields"]["fw.action"]=="DROP" and e["type"]=="fw.drop"')"
check "pfirewall betahydri ALLOW" 5119 "$(count "$TMPD/pf.jsonl" 'e["fields"]["fw.action"]=="ALLOW" and e["type"]=="fw.accept"')"
check "pfirewall betahydri INFO-EVENTS-LOST" 2 "$(count "$TMPD/pf.jsonl" 'e["type"]=="fw.info"')"
check "pfirewall betahydri no diagnostics" "" "$(cat "$TMPD/pf.err")"
check "pfirewall first data line is ref 6" 6 "$(head -1 "$TMPD/pf.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ref"])')"
check "pfirewall ref 8 is IPv6 mDNS" "fe80::f58b:f19a:db72:872b 5353 ff02::fb 5353 udp" \
	"$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e=json.loads(l)
    if e["ref"]==8: f=e["flow"]; print(f["src"],f["sport"],f["dst"],f["dport"],f["proto"]); break' "$TMPD/pf.jsonl")"
check "pfirewall events with a flow" 16807 "$(count "$TMPD/pf.jsonl" 'e["flow"] is not None')"
sources_json "$TMPD/pf.json" "$pf"
check_grep "pfirewall notes local time read as UTC" 'read as UTC \(use --tz' "$TMPD/pf.json"
fi

# plaso sample: TCP detail and the lost-events count
p=$S/pfirewall/pfirewall.log
"$C" timeline -f jsonl --no-analysis "$p" >"$TMPD/pl.jsonl"
check "pfirewall plaso ref 13 tcp.seq" 123456789 "$(field "$TMPD/pl.jsonl" 13 tcp.seq)"
check "pfirewall plaso ref 13 tcp.ack" 987654321 "$(field "$TMPD/pl.jsonl" 13 tcp.ack)"
check "pfirewall plaso ref 13 push flag" True "$(field "$TMPD/pl.jsonl" 13 tcp.flags.push)"
check "pfirewall plaso ref 18 FA = fin+ack" "17" "$(field "$TMPD/pl.jsonl" 18 tcp.flags.value)"
check "pfirewall plaso ref 19 events lost" 59 "$(field "$TMPD/pl.jsonl" 19 fw.events_lost)"
check "pfirewall plaso CLOSE is fw.teardown" 3 "$(count "$TMPD/pl.jsonl" 'e["type"]=="fw.teardown"')"
# --tz moves local times to UTC
"$C" timeline -f jsonl --no-analysis --tz fw=+02:00 fw="$p" | head -1 >"$TMPD/tz.jsonl"
check "pfirewall --tz +02:00 shifts to UTC" "2005-04-11T06:05:57.000000000Z" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ts"])' "$TMPD/tz.jsonl")"

# --- sniffing from content only: misleading file names ---
cp "$S/tmg-fws/ISALOG_20240107_FWS_000.w3c" "$TMPD/capture.pcap"
cp "$S/exchange-send/SEND2019032108-1.LOG" "$TMPD/fw.log"
cp "$S/tshark-csv/dupack.csv" "$TMPD/mail.LOG"
cp "$S/netmon-text/frame-summary.txt" "$TMPD/trace.etl"
cp "$S/exchange-tracking/MSGTRK2019032108-1.LOG" "$TMPD/RECV2019.LOG"
cp "$p" "$TMPD/tshark.csv"
sources_json "$TMPD/sniff.json" "$TMPD/capture.pcap" "$TMPD/fw.log" "$TMPD/mail.LOG" "$TMPD/trace.etl" \
	"$TMPD/RECV2019.LOG" "$TMPD/tshark.csv"
check "sniff tmg" tmg "$(src_val "$TMPD/sniff.json" 0 format)"
check "sniff exchange" exchange "$(src_val "$TMPD/sniff.json" 1 format)"
check "sniff tshark" tshark "$(src_val "$TMPD/sniff.json" 2 format)"
check "sniff netmon-text" netmon-text "$(src_val "$TMPD/sniff.json" 3 format)"
check "sniff msgtrk" msgtrk "$(src_val "$TMPD/sniff.json" 4 format)"
check "sniff pfirewall" pfirewall "$(src_val "$TMPD/sniff.json" 5 format)"
[ $CORPUS = 1 ] && for f in "$SHARED"/corpus/exchange/*; do
	"$C" analyze -f json --no-progress "$f" >"$TMPD/x.json" 2>/dev/null
	check "sniff header-less $(basename "$f")" exchange "$(src_val "$TMPD/x.json" 0 format)"
done
# a Frame Summary holding only ETW events is left to the ETW reader
if [ -f "$S/etw-afd-drop/netmon.txt" ]; then
	"$C" analyze -f json --no-progress "$S/etw-afd-drop/netmon.txt" >"$TMPD/x.json" 2>/dev/null
	check "sniff: ETW-only Frame Summary is not netmon-text" etw-csv "$(src_val "$TMPD/x.json" 0 format)"
fi
# other text files are not taken
notlog=("$S/exchange-send/README.md"); [ $CORPUS = 1 ] && notlog+=("$SHARED/corpus/fwlog/plaso-syslog")
for f in "${notlog[@]}"; do
	"$C" analyze -f json --no-progress "$f" >"$TMPD/x.json" 2>/dev/null
	fmt=$(src_val "$TMPD/x.json" 0 format 2>/dev/null || echo none)
	case $fmt in pfirewall|tmg|exchange|msgtrk|tshark|netmon-text) check "not sniffed: $(basename "$f")" no "$fmt" ;;
	*) check "not sniffed: $(basename "$f")" no no ;; esac
done

# --- TMG ---
"$C" timeline -f jsonl --no-analysis "$S/tmg-fws/ISALOG_20240107_FWS_000.w3c" >"$TMPD/tmg.jsonl"
check "tmg events" 8 "$(wc -l <"$TMPD/tmg.jsonl")"
check "tmg ref 7 result" FWX_E_TCP_NOT_SYN_PACKET_DROPPED "$(field "$TMPD/tmg.jsonl" 7 fw.result.value)"
check "tmg ref 7 code" 0xc0040017 "$(field "$TMPD/tmg.jsonl" 7 fw.result.code)"
check "tmg ref 7 flow" "192.168.5.68:55412 10.0.0.25:25" \
	"$(field "$TMPD/tmg.jsonl" 7 flow.src):$(field "$TMPD/tmg.jsonl" 7 flow.sport) $(field "$TMPD/tmg.jsonl" 7 flow.dst):$(field "$TMPD/tmg.jsonl" 7 flow.dport)"
check "tmg ref 8 seq/ack mismatch" FWX_E_SEQ_ACK_MISMATCH "$(field "$TMPD/tmg.jsonl" 8 fw.result.value)"
check "tmg ref 9 rate quota" FWX_E_TCP_RATE_QUOTA_EXCEEDED_DROPPED "$(field "$TMPD/tmg.jsonl" 9 fw.result.value)"
check "tmg ref 6 teardown" fw.teardown "$(field "$TMPD/tmg.jsonl" 6 type)"
check "tmg ref 6 bytes" 6653 "$(field "$TMPD/tmg.jsonl" 6 fw.bytes)"
check "tmg ref 11 ICMP type from the port" 8 "$(field "$TMPD/tmg.jsonl" 11 icmp.type)"
check "tmg ref 12 failed connection" fw.fail "$(field "$TMPD/tmg.jsonl" 12 type)"
check "tmg drops" 5 "$(count "$TMPD/tmg.jsonl" 'e["type"]=="fw.drop"')"

# --- Exchange ---
"$C" timeline -f jsonl --no-analysis "$S/exchange-send/SEND2019032108-1.LOG" >"$TMPD/send.jsonl"
check "exchange send events" 32 "$(wc -l <"$TMPD/send.jsonl")"
check "exchange send: > is our command" smtp.command "$(field "$TMPD/send.jsonl" 10 type)"
check "exchange send: < is the remote reply" 220 "$(field "$TMPD/send.jsonl" 9 smtp.code)"
check "exchange send: command flow local->remote" "10.0.0.25 19812" \
	"$(field "$TMPD/send.jsonl" 10 flow.src) $(field "$TMPD/send.jsonl" 10 flow.sport)"
check "exchange send: reply flow remote->local" "203.0.113.10 25" \
	"$(field "$TMPD/send.jsonl" 9 flow.src) $(field "$TMPD/send.jsonl" 9 flow.sport)"
check "exchange send: the unanswered session ends in 354 then a drop" "354 Remote(ConnectionReset)" \
	"$(python3 -c 'import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
s=[e for e in ev if e["fields"]["smtp.session"]=="08D6ADC6A3F1B2E1"]
r=[e for e in s if e["type"]=="smtp.reply"]
print(r[-1]["fields"]["smtp.code"], s[-1]["fields"]["smtp.disconnect_reason"])' "$TMPD/send.jsonl")"
check "exchange send: pre-connect rows have no flow" 4 "$(count "$TMPD/send.jsonl" 'e["flow"] is None')"
"$C" timeline -f jsonl --no-analysis "$S/exchange-receive/RECV2019032108-1.LOG" >"$TMPD/recv.jsonl"
check "exchange receive: < is the client's command" MAIL "$(field "$TMPD/recv.jsonl" 14 smtp.verb)"
check "exchange receive: command flow client->server" "192.168.5.68 55330 10.0.0.25 25" \
	"$(field "$TMPD/recv.jsonl" 14 flow.src) $(field "$TMPD/recv.jsonl" 14 flow.sport) $(field "$TMPD/recv.jsonl" 14 flow.dst) $(field "$TMPD/recv.jsonl" 14 flow.dport)"
check "exchange receive: quoted banner with commas" \
	"220 EX01.contoso.com Microsoft ESMTP MAIL Service ready at Thu, 21 Mar 2019 09:14:02 +0100" "$(field "$TMPD/recv.jsonl" 8 smtp.data)"
check "exchange receive: multi-line reply continued" True "$(field "$TMPD/recv.jsonl" 10 smtp.reply.continued)"
check "exchange receive: enhanced status" 2.6.0 "$(field "$TMPD/recv.jsonl" 21 smtp.status)"
check "exchange receive: 421 timeout" 421 "$(field "$TMPD/recv.jsonl" 35 smtp.code)"
"$C" timeline -f jsonl --no-analysis "$S/exchange-tracking/MSGTRK2019032108-1.LOG" >"$TMPD/trk.jsonl"
check "exchange tracking events" 4 "$(count "$TMPD/trk.jsonl" 'e["type"]=="smtp.tracking"')"
check "exchange tracking joins the receive session" 08D6ADC6A3F1B2C4 "$(field "$TMPD/trk.jsonl" 6 smtp.session)"
check "exchange tracking quoted subject" "Re: budget, Q2" "$(field "$TMPD/trk.jsonl" 8 msgtrk.subject)"
check "exchange tracking doubled quotes" '451 4.4.0 Primary target IP address responded with: "421 4.4.2 Connection dropped due to ConnectionReset." Attempted failover to alternate host, but that did not succeed.' \
	"$(field "$TMPD/trk.jsonl" 9 msgtrk.recipient_status)"
# header-less corpus fragments: one event per line, direction from the connector
ex=$SHARED/corpus/exchange
if [ $CORPUS = 1 ]; then
"$C" timeline -f jsonl --no-analysis "$ex/elastic-test-smtp-receive.log" >"$TMPD/fr.jsonl" 2>"$TMPD/fr.err"
check "exchange fragment receive events" 4 "$(wc -l <"$TMPD/fr.jsonl")"
check "exchange fragment receive: banner is a reply" 220 "$(field "$TMPD/fr.jsonl" 1 smtp.code)"
check "exchange fragment receive: EHLO is a command" smtp.command "$(field "$TMPD/fr.jsonl" 3 type)"
check "exchange fragment receive: client is the remote end" 10.11.12.14 "$(field "$TMPD/fr.jsonl" 3 flow.src)"
"$C" timeline -f jsonl --no-analysis "$ex/elastic-test-smtp-send.log" >"$TMPD/fs.jsonl"
check "exchange fragment send events" 3 "$(count "$TMPD/fs.jsonl" 'e["fields"]["smtp.log"]=="send"')"
check_grep "exchange fragment send: refused context kept" 'Winsock error code: 10061' "$TMPD/fs.jsonl"
"$C" timeline -f jsonl --no-analysis "$ex/elastic-SmtpRecive.log" >"$TMPD/f1.jsonl"
check "exchange fragment: doubled backslash connector kept" 'NETBIOS\\Default Frontend NETBIOS' "$(field "$TMPD/f1.jsonl" 1 smtp.connector)"
fi

# --- tshark: same times and flows as the capture itself ---
[ $CORPUS = 1 ] && "$C" timeline -f jsonl --no-analysis "$SHARED/corpus/pcap/cs-tcp_dupack.pcapng" >"$TMPD/cap.jsonl"
"$C" timeline -f jsonl --no-analysis "$S/tshark-csv/dupack.csv" >"$TMPD/ts.jsonl" 2>/dev/null
proj='import json,sys
for l in open(sys.argv[1]):
    e=json.loads(l); f=e["flow"]; g=e["fields"]
    print(e["ref"], e["ts"], f["src"], f["sport"], f["dst"], f["dport"], g.get("tcp.flags.value"), g.get("tcp.len"), g.get("ip.id"))'
[ $CORPUS = 1 ] && check "tshark export = capture (ts, ref, flow, flags, len, ip.id)" "$(python3 -c "$proj" "$TMPD/cap.jsonl")" "$(python3 -c "$proj" "$TMPD/ts.jsonl")"
sources_json "$TMPD/ts.json" "$S/tshark-csv/dupack.csv"
check_grep "tshark notes relative sequence numbers" 'relative unless tshark ran with' "$TMPD/ts.json"
"$C" timeline -f jsonl --no-analysis "$S/tshark-csv/reference.csv" >"$TMPD/ref.jsonl"
check "tshark refs are frame numbers" "1 2 4 5 6" "$(python3 -c 'import json,sys; print(*[json.loads(l)["ref"] for l in open(sys.argv[1])])' "$TMPD/ref.jsonl")"
check "tshark esp.spi hex" 3237998081 "$(field "$TMPD/ref.jsonl" 6 esp.spi)"
check "tshark dns.query" dns.query "$(field "$TMPD/ref.jsonl" 5 type)"
check "tshark epoch wins over local frame.time" 2024-03-27T15:12:19.937105000Z "$(field "$TMPD/ref.jsonl" 1 ts)"
"$C" timeline -f jsonl --no-analysis "$S/tshark-legacy-time/icmp-error.csv" >"$TMPD/leg.jsonl" 2>/dev/null
check "tshark legacy frame.time without --tz read as UTC" 2024-03-04T19:53:20.000005000Z "$(field "$TMPD/leg.jsonl" 1 ts)"
sources_json "$TMPD/leg.json" "$S/tshark-legacy-time/icmp-error.csv"
check_grep "tshark legacy zone noted" "ambiguous zone name" "$TMPD/leg.json"
check_grep "tshark aggregated values noted" "first \\(outer\\) one is used" "$TMPD/leg.json"

# --- NetMon text: TAB and Excel CSV give the same events ---
nm=$S/netmon-text
"$C" timeline -f jsonl --no-analysis a="$nm/frame-summary.txt" >"$TMPD/nm1.jsonl"
"$C" timeline -f jsonl --no-analysis a="$nm/frame-summary-excel.csv" >"$TMPD/nm2.jsonl"
check "netmon text TAB = Excel CSV" "$(cat "$TMPD/nm1.jsonl")" "$(cat "$TMPD/nm2.jsonl")"
check "netmon ref 2 SYN-ACK" 18 "$(field "$TMPD/nm1.jsonl" 2 tcp.flags.value)"
check "netmon ref 2 port from name(port)" 8080 "$(field "$TMPD/nm1.jsonl" 2 flow.sport)"
check "netmon ref 2 scaled window" 1868800 "$(field "$TMPD/nm1.jsonl" 2 tcp.window_size)"
check "netmon ref 4 analysis" "SynReTransmit #1" "$(field "$TMPD/nm1.jsonl" 4 netmon.analysis)"
check "netmon ref 4 time from offset" 2016-06-29T15:32:53.125694500Z "$(field "$TMPD/nm1.jsonl" 4 ts)"
check "netmon ref 5 seq range start and payload" "2144566298 420" "$(field "$TMPD/nm1.jsonl" 5 tcp.seq) $(field "$TMPD/nm1.jsonl" 5 tcp.len)"

# --- damaged copies: skips counted with their line numbers, reading goes on ---
if [ $CORPUS = 1 ]; then
python3 - "$pf" "$TMPD/pf-bad.log" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8", newline="").read().split("\n")
# line numbers are 1-based: damage lines 10, 500 and 16000 (data lines)
lines[9] = "2021-06-22 12:19:4 DROP UDP 1.2.3.4 5.6.7.8 1 2 3 - - - - - - - RECEIVE\r"
lines[499] = "2021-06-22 12:20:00 DROP UDP 1.2.3.4 5.6.7.8 99999 2 3 - - - - - - - RECEIVE\r"
lines[15999] = "garbage \x01\x02 not a firewall line\r"
open(sys.argv[2], "w", encoding="utf-8", newline="").write("\n".join(lines))
PY
"$C" timeline -f jsonl --no-analysis bad="$TMPD/pf-bad.log" >"$TMPD/pfb.jsonl" 2>"$TMPD/pfb.err"
check "damaged pfirewall keeps going" 16806 "$(wc -l <"$TMPD/pfb.jsonl")"
check "damaged pfirewall skip line numbers" "bad#10 bad#500 bad#16000" "$(grep -o '^bad#[0-9]*' "$TMPD/pfb.err" | tr '\n' ' ' | sed 's/ $//')"
sources_json "$TMPD/pfb.json" bad="$TMPD/pf-bad.log"
check "damaged pfirewall skipped count" 3 "$(src_val "$TMPD/pfb.json" 0 skipped)"
check "damaged pfirewall skipped refs" "[10, 500, 16000]" "$(src_val "$TMPD/pfb.json" 0 skipped_refs)"
fi

python3 - "$S/exchange-receive/RECV2019032108-1.LOG" "$TMPD/recv-bad.LOG" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8-sig", newline="").read().split("\r\n")
lines[7] = lines[7].replace('+0100",', '+0100,')       # line 8: quote never closed
lines[8] = lines[8].replace(",<,", ",?,")              # line 9: bad event code
lines[20] = lines[20][:4] + "x" + lines[20][5:]        # line 21: bad date-time
open(sys.argv[2], "w", encoding="utf-8", newline="").write("\ufeff" + "\r\n".join(lines))
PY
"$C" timeline -f jsonl --no-analysis rb="$TMPD/recv-bad.LOG" >"$TMPD/rb.jsonl" 2>"$TMPD/rb.err"
check "damaged exchange keeps going" 28 "$(wc -l <"$TMPD/rb.jsonl")"
check "damaged exchange skip line numbers" "rb#8 rb#9 rb#21" "$(grep -o '^rb#[0-9]*' "$TMPD/rb.err" | tr '\n' ' ' | sed 's/ $//')"
check_grep "damaged exchange says why" 'rb#8: warning: malformed quoting' "$TMPD/rb.err"

python3 - "$S/tmg-fws/ISALOG_20240107_FWS_000.w3c" "$TMPD/fws-bad.w3c" <<'PY'
import sys
lines = open(sys.argv[1], newline="").read().split("\r\n")
lines[6] = lines[6].replace("192.168.5.68:55412", "192.168.5.68:99999")   # line 7
lines[8] = lines[8].replace("2024-01-07", "2024-13-07", 1)                 # line 9
open(sys.argv[2], "w", newline="").write("\r\n".join(lines))
PY
"$C" timeline -f jsonl --no-analysis fb="$TMPD/fws-bad.w3c" >"$TMPD/fb.jsonl" 2>"$TMPD/fb.err"
check "damaged tmg keeps going" 6 "$(wc -l <"$TMPD/fb.jsonl")"
check "damaged tmg skip line numbers" "fb#7 fb#9" "$(grep -o '^fb#[0-9]*' "$TMPD/fb.err" | tr '\n' ' ' | sed 's/ $//')"

# tshark: an unquoted aggregated value breaks the column count
printf 'frame.number,frame.time_epoch,ip.src,ip.dst,udp.dstport\n1,1.5,10.0.0.1,10.0.0.2,53\n2,2.5,10.0.0.25,192.168.5.68,192.168.5.68,10.0.0.25,53\n3,3.5,10.0.0.1,10.0.0.2,53\n' >"$TMPD/agg.csv"
"$C" timeline -f jsonl --no-analysis agg="$TMPD/agg.csv" >"$TMPD/agg.jsonl" 2>"$TMPD/agg.err"
check "tshark column mismatch skipped, rest read" "1 3" "$(python3 -c 'import json,sys; print(*[json.loads(l)["ref"] for l in open(sys.argv[1])])' "$TMPD/agg.jsonl")"
check_grep "tshark column mismatch explained" 'agg#3: warning: 7 columns where the header \(line 1\) names 5.*-E quote=d' "$TMPD/agg.err"

# --- a header that promises more columns than the lines have: said once ---
if [ $CORPUS = 1 ]; then
{ printf '#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n'
  printf '#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\n'
  sed -n '6,20p' "$pf"; } >"$TMPD/pid.log"
"$C" timeline -f jsonl --no-analysis pid="$TMPD/pid.log" >"$TMPD/pid.jsonl" 2>"$TMPD/pid.err"
check "short lines still read" 15 "$(wc -l <"$TMPD/pid.jsonl")"
check "short lines reported once" 1 "$(grep -c 'columns where #Fields (line 4) names 18' "$TMPD/pid.err")"
check_grep "short lines report names the first line" '^pid#5: warning: 17 columns' "$TMPD/pid.err"
fi

# --- --max-line: an overlong line is a counted skip with its number ---
{ head -8 "$p"; python3 -c 'print("2005-04-11 08:05:58 DROP UDP 1.2.3.4 5.6.7.8 1 2 3 " + "x" * 5000)'; tail -n +9 "$p"; } >"$TMPD/long.log"
"$C" timeline -f jsonl --no-analysis --max-line 2000 long="$TMPD/long.log" >"$TMPD/long.jsonl" 2>"$TMPD/long.err"
check "overlong line skipped, rest read" 15 "$(wc -l <"$TMPD/long.jsonl")"
check_grep "overlong line reported with its number" '^long#9: warning: line longer than 2000 bytes' "$TMPD/long.err"
check "refs after the overlong line keep counting" 19 "$(field "$TMPD/long.jsonl" 19 ref)"

# a one-line header-less fragment without a final newline is still sniffed and read
if [ $CORPUS = 1 ]; then
head -c -1 "$SHARED/corpus/exchange/elastic-SmtpRecive.log" >"$TMPD/nonl.log"
"$C" timeline -f jsonl --no-analysis "$TMPD/nonl.log" >"$TMPD/nonl.jsonl" 2>/dev/null
check "fragment without final newline read" "1 smtp.command EHLO" \
	"$(python3 -c 'import json,sys; e=json.loads(open(sys.argv[1]).read()); print(e["ref"], e["type"], e["fields"]["smtp.verb"])' "$TMPD/nonl.jsonl")"
fi
