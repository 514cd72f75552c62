# Syslog-carried firewall logs and command outputs: every sample's timeline
# equals its expected JSONL; exact counts and field values on the corpus and
# samples; damaged copies give counted skips at the right lines and the parse
# goes on.
. "$(dirname "$0")/lib.sh"
S=$ROOT/samples
C=$SHARED/corpus/fwlog
TL="$CORRELATOR timeline -f jsonl --no-analysis --quiet"

golden() {  # NAME EXPECTED ARGS...
	local name=$1 exp=$2; shift 2
	$TL "$@" >"$TMPD/g.jsonl" 2>"$TMPD/g.err"
	if diff -q "$exp" "$TMPD/g.jsonl" >/dev/null; then check "golden $name" same same
	else check "golden $name" "$(head -c 300 "$exp")" "$(diff "$exp" "$TMPD/g.jsonl" | head -c 600)"; fi
}
golden iptables "$S/iptables/expected.jsonl" --tz kern.log=+01:00 "$S/iptables/kern.log"
need_shared corpus/fwlog/elastic-test-iptables-raw.log corpus/fwlog/plaso-syslog && CORPUS=1 || CORPUS=0
[ $CORPUS = 1 ] && golden iptables-corpus "$S/iptables-corpus/expected.jsonl" "$C/elastic-test-iptables-raw.log"
golden asa "$S/asa-idle/expected.jsonl" --tz asa.log=UTC "$S/asa-idle/asa.log"
golden checkpoint-csv "$S/checkpoint-oos/expected-csv.jsonl" "$S/checkpoint-oos/logexport.csv"
golden checkpoint-text "$S/checkpoint-oos/expected-text.jsonl" "$S/checkpoint-oos/fwlog.txt"
golden netstat-tasklist "$S/netstat-tasklist/expected.jsonl" "$S/netstat-tasklist/netstat.txt" "$S/netstat-tasklist/tasklist.txt"
golden cisco-flow "$S/cisco-flow/expected.jsonl" "$S/cisco-flow/show-ip-cache-flow.txt"

# --- sniffing: formats by content, whatever the file is called
[ $CORPUS = 1 ] && for pair in "elastic-test-iptables-raw.log iptables" "plaso-syslog syslog"; do
	set -- $pair
	cp "$C/$1" "$TMPD/noext"
	$CORRELATOR analyze -f json "$TMPD/noext" >"$TMPD/a.json" 2>/dev/null
	check "sniff $1" "$2" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sources"][0]["format"])' "$TMPD/a.json")"
done
for pair in "asa-idle/asa.log asa" "checkpoint-oos/logexport.csv checkpoint" "checkpoint-oos/fwlog.txt checkpoint" \
	    "netstat-tasklist/netstat.txt netstat" "netstat-tasklist/tasklist.txt tasklist" "cisco-flow/show-ip-cache-flow.txt cisco-flow"; do
	set -- $pair
	cp "$S/$1" "$TMPD/x.dat"
	$CORRELATOR analyze -f json "$TMPD/x.dat" >"$TMPD/a.json" 2>/dev/null
	check "sniff $1" "$2" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sources"][0]["format"])' "$TMPD/a.json")"
done

# --- iptables corpus: 24 lines, 24 events, no skips, types and fields
if [ $CORPUS = 1 ]; then
out=$TMPD/ipt.jsonl
$TL "$C/elastic-test-iptables-raw.log" >"$out" 2>"$TMPD/err"
check "iptables corpus events" 24 "$(wc -l <"$out")"
check "iptables corpus no warnings" 0 "$(wc -l <"$TMPD/err")"
check "iptables fw.drop" 15 "$(jsonl_count "$out" 'e["type"]=="fw.drop"')"
check "iptables fw.accept" 6 "$(jsonl_count "$out" 'e["type"]=="fw.accept"')"
check "iptables fw.info" 3 "$(jsonl_count "$out" 'e["type"]=="fw.info"')"
check "iptables with flow" 24 "$(jsonl_count "$out" 'e["flow"] is not None')"
check "iptables tcp SYN" 10 "$(jsonl_count "$out" 'e["fields"].get("tcp.flags.syn") is True')"
check "iptables icmpv6" 2 "$(jsonl_count "$out" 'e["flow"]["proto"]=="icmpv6"')"
check "iptables esp spi" 1 "$(jsonl_count "$out" 'e["fields"].get("esp.spi")==0xcb886522 and e["ref"]==22')"
check "iptables line 4 quoted packet" 1 "$(jsonl_count "$out" 'e["ref"]==4 and e["fields"]["icmp.type"]==3 and e["fields"]["icmp.inner.dstport"]==62936 and e["fields"]["fw.rule"]=="DENY"')"
check "iptables line 1 year counted back" 1 "$(jsonl_count "$out" 'e["ref"]==1 and e["ts"].startswith("2020-10-10T07:25:12")')"
check "iptables line 2 PRI+ISO" 1 "$(jsonl_count "$out" 'e["ref"]==2 and e["ts"]=="2021-03-12T14:10:18.000000000Z"')"
check "iptables line 18 push ack" 1 "$(jsonl_count "$out" 'e["ref"]==18 and e["fields"]["tcp.flags.value"]==24 and e["fields"]["fw.rule"]=="[WAN_OUT-2000-A]" and e["fields"]["fw.direction"]=="forward"')"
check "iptables line 24 icmp echo ids" 1 "$(jsonl_count "$out" 'e["ref"]==24 and e["fields"]["ip.id"]==6789 and e["fields"]["icmp.ident"]==98765 and e["fields"]["icmp.seq"]==30123')"
check "iptables line 17 udp lengths" 1 "$(jsonl_count "$out" 'e["ref"]==17 and e["fields"]["ip.len"]==540 and e["fields"]["udp.length"]==520')"

# --- generic syslog (plaso): syslog.message, not errors; 2 skips (lines 7/8: Feb 29 may
# or may not exist in the assumed year, "MMM" never parses), a continuation line
out=$TMPD/sl.jsonl
$CORRELATOR analyze -f json "$C/plaso-syslog" >"$TMPD/sl.json" 2>/dev/null
$TL "$C/plaso-syslog" >"$out" 2>/dev/null
check "syslog only syslog.message" "$(wc -l <"$out")" "$(jsonl_count "$out" 'e["type"]=="syslog.message"')"
check "syslog 'MMM' line skipped" 1 "$(python3 -c 'import json,sys; print(int(8 in json.load(open(sys.argv[1]))["sources"][0]["skipped_refs"]))' "$TMPD/sl.json")"
check "syslog cron line" 1 "$(jsonl_count "$out" 'e["ref"]==3 and e["fields"]["syslog.host"]=="myhostname.myhost.com" and e["fields"]["syslog.program"]=="CRON" and e["fields"]["syslog.pid"]==31051 and e["fields"]["syslog.message"]=="(root) CMD (touch /var/run/crond.somecheck)"')"
check "syslog continuation" 1 "$(jsonl_count "$out" 'e["ref"]==14 and e["fields"]["syslog.continuation"] is True and e["fields"]["syslog.message"]=="many syslog parsers."')"
check "syslog fraction" 1 "$(jsonl_count "$out" 'e["ref"]==11 and e["ts"].endswith(":18.123000000Z")')"
check "syslog kernel without host" 1 "$(jsonl_count "$out" 'e["ref"]==17 and e["fields"]["syslog.program"]=="kernel" and "syslog.host" not in e["fields"]')"
check_grep "syslog year note" 'carry no year' "$TMPD/sl.json"
fi

# --- ASA: idle-timeout evidence, NAT, unknown ids
out=$TMPD/asa.jsonl
$TL --tz asa.log=UTC "$S/asa-idle/asa.log" >"$out" 2>"$TMPD/err"
check "asa events" 16 "$(wc -l <"$out")"
check "asa 106015 push ack drops" 2 "$(jsonl_count "$out" 'e["type"]=="fw.drop" and e["fields"]["asa.id"]==106015 and e["fields"]["tcp.flags.push"] and e["fields"]["tcp.flags.ack"] and e["fields"]["fw.reason"]=="no connection" and e["flow"]["src"]=="10.0.0.25" and e["flow"]["dport"]==443')"
check "asa teardown conn-timeout" 1 "$(jsonl_count "$out" 'e["type"]=="fw.teardown" and e["fields"].get("fw.reason")=="Conn-timeout" and e["fields"]["fw.duration"]==3605000000000 and e["fields"]["fw.bytes"]==18342')"
check "asa teardown reset-o" 1 "$(jsonl_count "$out" 'e["ref"]==14 and e["fields"]["fw.reason"]=="TCP Reset-O"')"
check "asa udp teardown no reason" 1 "$(jsonl_count "$out" 'e["ref"]==4 and "fw.reason" not in e["fields"] and e["flow"]["proto"]=="udp"')"
check "asa built outbound flow from inside" 1 "$(jsonl_count "$out" 'e["ref"]==2 and e["type"]=="fw.accept" and e["flow"]["src"]=="10.0.0.25" and e["fields"]["nat.mapped_ip"]=="203.0.113.25" and e["fields"]["asa.conn_id"]==184467')"
check "asa nat built" 1 "$(jsonl_count "$out" 'e["type"]=="fw.nat" and e["ref"]==1 and e["fields"]["nat.real_ip"]=="10.0.0.25" and e["fields"]["nat.real_port"]==51514 and e["fields"]["nat.mapped_ip"]=="203.0.113.25" and e["fields"]["nat.mapped_port"]==51514')"
check "asa nat teardown duration" 1 "$(jsonl_count "$out" 'e["type"]=="fw.nat" and e["ref"]==10 and e["fields"]["fw.duration"]==3637000000000')"
check "asa 106023 acl" 1 "$(jsonl_count "$out" 'e["ref"]==5 and e["type"]=="fw.drop" and e["fields"]["fw.rule"]=="OUTSIDE_IN" and e["flow"]["dport"]==3389')"
check "asa 106100 denied" 1 "$(jsonl_count "$out" 'e["ref"]==6 and e["type"]=="fw.drop" and e["fields"]["asa.hit_count"]==1 and e["flow"]["proto"]=="udp"')"
check "asa 733100 threat" 1 "$(jsonl_count "$out" 'e["type"]=="fw.threat" and e["fields"]["asa.threat.object"]=="Scanning" and e["fields"]["asa.threat.burst_rate"]==87 and e["fields"]["asa.threat.total"]==2340')"
check "asa unknown id is fw.info" 1 "$(jsonl_count "$out" 'e["type"]=="fw.info" and e["fields"]["asa.id"]==111008 and "write memory" in e["fields"]["asa.text"]')"
check "asa non-mnemonic line" 1 "$(jsonl_count "$out" 'e["ref"]==16 and e["type"]=="syslog.message"')"
check "asa no warnings" 0 "$(wc -l <"$TMPD/err")"
# --tz moves local ASA times
$TL --tz asa.log=+02:00 "$S/asa-idle/asa.log" >"$TMPD/asa2.jsonl" 2>/dev/null
check "asa --tz +02:00" 1 "$(jsonl_count "$TMPD/asa2.jsonl" 'e["ref"]==11 and e["ts"]=="2019-03-21T08:20:00.000000000Z"')"

# --- Check Point
out=$TMPD/cp.jsonl
$TL "$S/checkpoint-oos/logexport.csv" >"$out" 2>/dev/null
check "cp csv events" 5 "$(wc -l <"$out")"
check "cp first packet isn't SYN" 1 "$(jsonl_count "$out" 'e["type"]=="fw.drop" and e["ref"]==4 and e["fields"]["fw.reason"]=="First packet isn'"'"'t SYN" and e["fields"]["tcp.flags.push"] and e["fields"]["fw.rule"]=="0" and e["fields"]["fw.interface"]=="eth2-01" and e["fields"]["fw.direction"]=="inbound"')"
check "cp quoted semicolon" 1 "$(jsonl_count "$out" 'e["ref"]==5 and e["fields"]["checkpoint.rule_name"]=="SMTP in; relay"')"
check "cp nat xlatedst" 1 "$(jsonl_count "$out" 'e["ref"]==3 and e["fields"]["nat.xlatedst"]=="10.0.0.25"')"
check "cp reject is drop" 1 "$(jsonl_count "$out" 'e["ref"]==6 and e["type"]=="fw.drop" and e["fields"]["fw.action"]=="reject"')"
out=$TMPD/cpt.jsonl
$TL "$S/checkpoint-oos/fwlog.txt" >"$out" 2>/dev/null
check "cp text oos" 1 "$(jsonl_count "$out" 'e["ref"]==2 and e["type"]=="fw.drop" and e["fields"]["fw.reason"]=="First packet isn'"'"'t SYN" and e["fields"]["tcp.flags.value"]==24 and e["flow"]["sport"]==61040')"
check "cp text outbound" 1 "$(jsonl_count "$out" 'e["ref"]==3 and e["fields"]["fw.direction"]=="outbound" and e["fields"]["fw.reason"]=="Address spoofing"')"
check "cp text space-padded day" 1 "$(jsonl_count "$out" 'e["ref"]==1 and e["fields"]["fw.action"]=="accept" and e["ts"]=="2007-09-03T15:10:28.000000000Z"')"

# --- netstat + tasklist: port -> PID -> image
out=$TMPD/nt.jsonl
$TL "$S/netstat-tasklist/netstat.txt" "$S/netstat-tasklist/tasklist.txt" >"$out" 2>/dev/null
check "netstat sockets" 9 "$(jsonl_count "$out" 'e["type"]=="proc.socket"')"
check "netstat connected with flow" 3 "$(jsonl_count "$out" 'e["type"]=="proc.socket" and e["flow"] is not None')"
check "tasklist processes" 7 "$(jsonl_count "$out" 'e["type"]=="proc.service"')"
check "join port->pid->image" OUTLOOK.EXE "$(python3 - "$out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
pid = [e["fields"]["proc.pid"] for e in ev if e["type"] == "proc.socket" and e["fields"]["proc.local_port"] == 51514][0]
print([e["fields"]["proc.image"] for e in ev if e["type"] == "proc.service" and e["fields"]["proc.pid"] == pid][0])
PY
)"
check "tasklist continuation" 1 "$(jsonl_count "$out" 'e["fields"].get("proc.pid")==3312 and e["type"]=="proc.service" and e["fields"]["proc.service"].endswith("PolicyAgent, Power, SystemEventsBroker")')"
check "tasklist image with spaces" 1 "$(jsonl_count "$out" 'e["fields"].get("proc.image")=="System Idle Process" and e["fields"]["proc.pid"]==0')"
check "netstat capture time" 9 "$(jsonl_count "$out" 'e["type"]=="proc.socket" and e["ts"]=="2024-01-07T08:14:02.000000000Z"')"

# Linux net-tools layout: Recv-Q/Send-Q, PID/Program with spaces, "-" for no PID
out=$TMPD/nl.jsonl
$TL --tz netstat-linux.txt=UTC "$S/netstat-tasklist/netstat-linux.txt" >"$out" 2>"$TMPD/err"
check "netstat linux sockets" 4 "$(wc -l <"$out")"
check "netstat linux no warnings" 0 "$(wc -l <"$TMPD/err")"
check "netstat linux program" 1 "$(jsonl_count "$out" 'e["ref"]==5 and e["fields"]["proc.pid"]==2211 and e["fields"]["proc.image"]=="sshd: admin" and e["flow"]["dport"]==50022')"
check "netstat linux no pid" 1 "$(jsonl_count "$out" 'e["ref"]==6 and "proc.pid" not in e["fields"] and e["fields"]["proc.state"]=="LISTEN"')"
check "netstat linux udp" 1 "$(jsonl_count "$out" 'e["ref"]==7 and e["fields"]["proc.pid"]==640 and "proc.state" not in e["fields"]')"
check "netstat linux time" 4 "$(jsonl_count "$out" 'e["ts"]=="2024-01-07T09:14:02.000000000Z"')"

# --- show ip cache flow
out=$TMPD/cf.jsonl
$TL "$S/cisco-flow/show-ip-cache-flow.txt" >"$out" 2>/dev/null
check "cisco-flow records" 4 "$(jsonl_count "$out" 'e["type"]=="netflow.record"')"
check "cisco-flow hex ports" 1 "$(jsonl_count "$out" 'e["ref"]==22 and e["flow"]["sport"]==51514 and e["flow"]["dport"]==443 and e["fields"]["netflow.packets"]==42 and e["fields"]["netflow.input_if"]=="Gi0/1"')"
check "cisco-flow K packets" 1 "$(jsonl_count "$out" 'e["ref"]==23 and e["fields"]["netflow.packets"]==2000')"
check "cisco-flow icmp type" 1 "$(jsonl_count "$out" 'e["ref"]==25 and e["fields"]["icmp.type"]==8 and e["fields"]["icmp.code"]==0')"
check "cisco-flow show clock time" 4 "$(jsonl_count "$out" 'e["ts"]=="2019-03-21T09:14:02.123000000Z"')"

# --- damaged copies: truncated lines, garbage bytes, overlong lines -> counted skips
skips() {  # JSON -> "skipped:events:refs"
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["sources"][0]; print("%d:%d:%s" % (s["skipped"], s["events"], ",".join(map(str, s["skipped_refs"]))))' "$1"
}
d=$TMPD/ipt-damaged.log
{
	sed -n 1,2p "$S/iptables/kern.log"
	sed -n 3p "$S/iptables/kern.log" | cut -c1-150          # line 3: cut after DST=: no PROTO=
	sed -n 4p "$S/iptables/kern.log"
	printf 'Jan  7 09:14:09 gw01 kernel: \001\377\376garbage\000bytes\n'   # line 5: NUL
	printf '\377\376\375\374 binary junk without a time stamp\n'      # line 6
	sed -n 5,6p "$S/iptables/kern.log"
	printf 'Jan 07 09:14:11 gw01 kernel: X: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 TTL=1 ID=1 PROTO=TCP SPT=1 DPT=2 %s\n' "$(head -c 3000 /dev/zero | tr '\0' 'A')"  # line 9: overlong
	sed -n 7p "$S/iptables/kern.log"
	sed -n 7p "$S/iptables/kern.log" | cut -c1-60               # line 11: cut just after IN=: a syslog.message
	sed -n 7p "$S/iptables/kern.log" | cut -c1-120              # line 12: cut after SRC=: no PROTO=
} >"$d"
$CORRELATOR analyze -f json --max-line 1000 --input-format iptables "$d" >"$TMPD/d.json" 2>"$TMPD/d.err"
check "iptables damaged skips" "5:7:3,5,6,9,12" "$(skips "$TMPD/d.json")"
check_grep "iptables damaged diag line 9" '#9: warning: line longer than 1000 bytes' "$TMPD/d.err"
check_grep "iptables damaged diag line 3" '#3: warning: iptables: line lacks PROTO=' "$TMPD/d.err"

d=$TMPD/asa-damaged.log
{
	sed -n 1,10p "$S/asa-idle/asa.log"
	sed -n 11p "$S/asa-idle/asa.log" | cut -c1-70                # line 11: truncated 106015
	printf 'Mar 21 2019 10:2\n'                                    # line 12: truncated stamp
	python3 -c 'import random,sys; r=random.Random(13); sys.stdout.buffer.write(bytes(r.choice(range(1,256)) for _ in range(200)).replace(b"\n",b"").replace(b"\r",b"")+b"\n")'  # line 13: garbage (fixed bytes)
	sed -n 12,16p "$S/asa-idle/asa.log"
} >"$d"
$CORRELATOR analyze -f json --input-format asa "$d" >"$TMPD/d.json" 2>"$TMPD/d.err"
check "asa damaged skips" "2:16:12,13" "$(skips "$TMPD/d.json")"
check_grep "asa truncated known id kept with warning" '#11: warning: asa: message 106015 does not match' "$TMPD/d.err"

d=$TMPD/cp-damaged.csv
{
	sed -n 1,3p "$S/checkpoint-oos/logexport.csv"
	sed -n 4p "$S/checkpoint-oos/logexport.csv" | cut -c1-80     # line 4: too few fields
	printf '99;3Foo2016;20:05:41;x;log;drop;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;\n'  # line 5: bad date
	sed -n 5,6p "$S/checkpoint-oos/logexport.csv"
} >"$d"
$CORRELATOR analyze -f json "$d" >"$TMPD/d.json" 2>"$TMPD/d.err"
check "checkpoint damaged skips" "2:4:4,5" "$(skips "$TMPD/d.json")"

d=$TMPD/ns-damaged.txt
{
	sed -n 1,8p "$S/netstat-tasklist/netstat.txt"
	printf '  TCP    10.0.0.5:5151\r\n'                               # line 9: truncated
	printf '  TCP    10.0.0.5:99999      1.2.3.4:80   ESTABLISHED  1\r\n'  # line 10: bad port
	sed -n 9,14p "$S/netstat-tasklist/netstat.txt"
} >"$d"
$CORRELATOR analyze -f json "$d" >"$TMPD/d.json" 2>"$TMPD/d.err"
check "netstat damaged skips" "2:9:9,10" "$(skips "$TMPD/d.json")"

# --- a protocol number without a name (found by fuzzing: the message used a NULL name)
printf 'Jan 07 09:14:11 gw01 kernel: X-DROP: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 TTL=1 ID=1 PROTO=99 \n' >"$TMPD/p99.log"
$TL "$TMPD/p99.log" >"$TMPD/p99.jsonl" 2>/dev/null
check "iptables PROTO=99" 1 "$(jsonl_count "$TMPD/p99.jsonl" 'e["fields"]["ip.proto"]==99 and e["msg"].startswith("drop 99 10.0.0.1 -> 10.0.0.2")')"

# --- a collector's file mixing devices: each line by its own mapper, whatever was sniffed
m=$TMPD/mixed.log
{ sed -n 1,4p "$S/iptables/kern.log"; sed -n 11p "$S/asa-idle/asa.log"; sed -n 5p "$S/iptables/kern.log"; } >"$m"
$TL "$m" >"$TMPD/m.jsonl" 2>/dev/null
check "mixed: iptables lines" 4 "$(jsonl_count "$TMPD/m.jsonl" '"iptables.in" in e["fields"]')"
check "mixed: ASA 106015 as fw.drop" 1 "$(jsonl_count "$TMPD/m.jsonl" 'e["ref"]==5 and e["type"]=="fw.drop" and e["fields"]["asa.id"]==106015')"
check "mixed: sshd as syslog.message" 1 "$(jsonl_count "$TMPD/m.jsonl" 'e["ref"]==6 and e["type"]=="syslog.message"')"
$TL --input-format syslog "$m" >"$TMPD/m2.jsonl" 2>/dev/null
check "mixed via syslog parser" "$(cat "$TMPD/m.jsonl" | md5sum)" "$(cat "$TMPD/m2.jsonl" | md5sum)"

# --- yearless stamps take the year from the captures given with them
python3 - "$TMPD/client.pcap" "$ROOT/tests/tools" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from pcapgen import Capture, tcp
cap = Capture()
t = 1553163599.0  # 2019-03-21T10:19:59Z
cap.add(t, tcp("10.0.0.25", 51514, "198.51.100.7", 443, seq=5000, ack=9000, flags="PA", payload=b"x" * 10))
cap.write(sys.argv[1])
PY
grep -v '2019' "$S/asa-idle/asa.log" | sed -n 1,3p >"$TMPD/noyear.log"
sed -n 11p "$S/asa-idle/asa.log" | sed 's/Mar 21 2019 10:20:00:/Mar 21 10:20:00 fw01/' >>"$TMPD/noyear.log"
$TL --tz noyear.log=UTC "$TMPD/client.pcap" "$TMPD/noyear.log" >"$TMPD/ny.jsonl" 2>/dev/null
check "year from the capture" 1 "$(jsonl_count "$TMPD/ny.jsonl" 'e["type"]=="fw.drop" and e["ts"]=="2019-03-21T10:20:00.000000000Z"')"
$CORRELATOR analyze -f json "$TMPD/client.pcap" "$TMPD/noyear.log" >"$TMPD/ny.json" 2>/dev/null
check_grep "year note names the captures" "near the captures' first packet" "$TMPD/ny.json"

# --- no year, no zone: notes say what was assumed
$CORRELATOR analyze -f json "$S/asa-idle/asa.log" >"$TMPD/n.json" 2>/dev/null
check_grep "asa zone note" 'no zone: read as UTC' "$TMPD/n.json"

# --- robustness: every parser forced onto random text and onto each sample cut
# at many byte offsets: runs to the end (exit 0), no crash (the sanitizer build
# runs this too)
python3 - "$TMPD/rand.txt" <<'PY'
import random, sys
r = random.Random(7)
alpha = b"0123456789abcdefABCDEF :;=/[]()<>%-.,\"\t\r\x00\xff" + b"IN=SRC=DST=PROTO=%ASA-6-302013: Built Teardown Deny "
with open(sys.argv[1], "wb") as f:
    for _ in range(2000):
        f.write(bytes(r.choice(alpha) for _ in range(r.randrange(0, 160))) + b"\n")
PY
crashes=0
for fmt in iptables asa syslog checkpoint netstat tasklist cisco-flow; do
	$CORRELATOR timeline -f jsonl --no-analysis --quiet --input-format "$fmt" "$TMPD/rand.txt" >/dev/null 2>&1 || crashes=$((crashes + 1))
done
for f in "$S/iptables/kern.log" "$S/asa-idle/asa.log" "$S/checkpoint-oos/logexport.csv" "$S/checkpoint-oos/fwlog.txt" \
	 "$S/netstat-tasklist/netstat.txt" "$S/netstat-tasklist/tasklist.txt" "$S/cisco-flow/show-ip-cache-flow.txt"; do
	size=$(wc -c <"$f")
	for cut in 1 17 100 333 $((size / 2)) $((size - 1)); do
		head -c "$cut" "$f" >"$TMPD/cut.txt"
		rc=0
		$CORRELATOR timeline -f jsonl --no-analysis --quiet "$TMPD/cut.txt" >/dev/null 2>&1 || rc=$?
		[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || crashes=$((crashes + 1))  # 3: nothing readable
	done
done
check "robust: random text and cut samples" 0 "$crashes"
