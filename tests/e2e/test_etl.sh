# Binary ETL (../shared/corpus/etl): every real file is read to its end with
# every record on the timeline (decoded or etw.event); `convert` writes one
# pcapng packet per packet event, counted by tshark against the corpus README;
# the timeline merges the appearances of one PktMon packet into one packet
# with its path; Kernel-Network events carry flows; convert's exit statuses.
. "$(dirname "$0")/lib.sh"
need_shared corpus/etl/README.md || exit 0
E=$SHARED/corpus/etl
# file, records in the file (README "events"; where the README counts only the
# named provider's events (primitive-types, lxcore, netlogon, mytrace, hw3d) the
# total adds the logfile header and rundown records), packet events (README)
while read -r f recs pkts; do
	"$CORRELATOR" timeline -f jsonl --no-analysis "$E/$f" >"$TMPD/t.jsonl" 2>"$TMPD/err"
	check "$f: read to its end" 0 $?
	check "$f: no damaged buffer or record" 0 "$(grep -c 'skip' "$TMPD/err")"
	# every record is an event; PktMon appearances fold into their packet
	got=$(python3 - "$TMPD/t.jsonl" <<'PY'
import json, sys
n = apps = 0
for l in open(sys.argv[1]):
    e = json.loads(l)
    a = e.get("fields", {}).get("pktmon.appearances")
    n += 1
    apps += (a - 1) if a else 0
print(n + apps)
PY
)
	check "$f: $recs records, each decoded or kept" "$recs" "$got"
	if command -v tshark >/dev/null 2>&1; then
		"$CORRELATOR" convert "$E/$f" -o "$TMPD/o.pcapng" 2>"$TMPD/cerr"
		check "$f: convert exit 0" 0 $?
		check "$f: tshark counts $pkts packets" "$pkts" "$(tshark -r "$TMPD/o.pcapng" 2>/dev/null | wc -l | tr -d ' ')"
	fi
done <<'LIST'
attackhost-trace.etl 101 1
nathaniel-PktMon.etl 3747 2705
nathaniel-7119f51-PktMon.etl 4600 3646
nathaniel-vid-PktMon.etl 2153 1111
dookisan-PktMon.etl 31067 26704
finguard-PktMon.etl 1399 378
tritonpilot-PktMon.etl 1073 51
demikernel-PktMon.etl 466 114
gdn-PktMon.etl 938 0
gobang-PktMon.etl 1194 0
kesiya24-PktMon.etl 729 0
tx-KernelNetwork.etl 8924 0
tx-HTTP_Server.etl 2042 0
tx-CrossMachineHTTP.etl 3397 0
tx-Process.etl 10344 0
tx-BondEtwSample.etl 13 0
perfview-net.4.5.2.x86.etl 168298 0
perfview-SelfDescribingSingleEvent.etl 22 0
perfview-smallEtlFile.etl 2 0
perfview-primitive-types.etl 7 0
perfview-gcevents-PerfViewData.etl 71 0
perfview-gcrundownevents-PerfViewData.clrRundown.etl 112 0
airbus-AMSITrace.etl 21 0
airbus-ShutdownPerfDiagLogger.etl 17078 0
airbus-lxcore_kernel.etl 4 0
sbousseaden-etw_ad_netlogon_provider_zerologon_mimikatz.etl 201 0
ebpf-ebpforwindows.etl 13871 0
sonde-test.etl 110 0
krabsetw-powershell.etl 114 0
marissa-mytrace.etl 10 0
hw3d-trace.etl 3 0
LIST

# timeline: 114 appearances of demikernel's pings are 38 packets with their path
"$CORRELATOR" timeline -f jsonl --no-analysis "$E/demikernel-PktMon.etl" >"$TMPD/d.jsonl" 2>/dev/null
J=$TMPD/d.jsonl
n() { jsonl_count "$J" "$1"; }
check "demikernel: 38 unique packets" 38 "$(n '"pktmon.appearances" in e.get("fields", {})')"
check "demikernel: their 114 appearances" 114 "$(python3 -c "
import json
print(sum(e['fields'].get('pktmon.appearances', 0) for e in map(json.loads, open('$J'))))")"
check "demikernel: first ping at 20:18:37.5218278" 1 "$(n 'e["type"]=="icmp" and e["ts"].startswith("2024-06-10T20:18:37.5218278")')"
# grouping, per file: packet appearances (README id-160 count) -> unique
# timeline packets -> appearances left as etw.pktmon.appearance. Builds before
# 26100 number a packet's appearances (PktGroupId + PktNumber, AppearanceCount
# 1..n); dookisan (26100), finguard and tritonpilot (26200) give every
# appearance its own group id with AppearanceCount 0, so there the same
# network-layer bytes (802.11 at the WiFi miniport = Ethernet above it) within
# 10 ms at a new component/edge are one packet. A buffer is emitted only after
# the next one is scanned: nathaniel-7119f51's packets spanning two buffers are
# whole; one whose first appearance sits two buffers later (another CPU's
# buffer) stays an appearance citing its packet.
while read -r f apps pkts left; do
	"$CORRELATOR" timeline -f jsonl --no-analysis "$E/$f" >"$TMPD/g.jsonl" 2>/dev/null
	check "$f: $apps appearances as $pkts packets, $left left over" "$apps $pkts $left" "$(python3 - "$TMPD/g.jsonl" <<'PY'
import json, sys
n = a = left = 0
for l in open(sys.argv[1]):
    e = json.loads(l)
    x = e.get("fields", {}).get("pktmon.appearances")
    if x:
        n += 1
        a += x
    left += e["type"] == "etw.pktmon.appearance"
print(a + left, n, left)
PY
)"
done <<'LIST'
nathaniel-PktMon.etl 2705 260 0
nathaniel-7119f51-PktMon.etl 3646 365 1
nathaniel-vid-PktMon.etl 1111 108 0
dookisan-PktMon.etl 26704 2880 0
finguard-PktMon.etl 378 59 0
tritonpilot-PktMon.etl 51 51 0
demikernel-PktMon.etl 114 38 0
LIST
# dookisan's first packet: an mDNS frame seen as 802.11 at components 13, 42, 41
# and as Ethernet from 40 up (39/2 logs the Ethernet form as PacketType 2), 12 in all
"$CORRELATOR" timeline -f jsonl --no-analysis "$E/dookisan-PktMon.etl" >"$TMPD/k2.jsonl" 2>/dev/null
check "dookisan: ref 18 is one packet over 802.11 and Ethernet components" 1 "$(jsonl_count "$TMPD/k2.jsonl" 'e["ref"]==18 and e["fields"].get("pktmon.path")=="13/1 > 42/2 > 42/1 > 41/2 > 41/1 > 40/2 > 40/1 > 39/2 > 39/1 > 77/1 > 78/1 > 80/1" and e["fields"]["pktmon.appearances"]==12')"
# PktMon direction: DirTag 3 is Rx (inbound), 4 Tx (outbound), as the file's own
# PacketDirectionTag value map says (0 None 1 In 2 Out 3 Rx 4 Tx 5 Ingress 6 Egress).
# The echo request at ref 20 (10.9.1.14 -> 10.9.1.22) arrives; its reply leaves.
check "demikernel: echo request ref 20 is Rx, inbound" 1 "$(n 'e["ref"]==20 and e["type"]=="icmp" and e["fields"]["icmp.type"]==8 and e["fields"]["pktmon.direction"]=="Rx" and e["fields"]["frame.direction"]=="in"')"
check "demikernel: 19 echo requests in, 19 replies out" "19 19" "$(n 'e["type"]=="icmp" and e["fields"]["icmp.type"]==8 and e["fields"]["frame.direction"]=="in"') $(n 'e["type"]=="icmp" and e["fields"]["icmp.type"]==0 and e["fields"]["frame.direction"]=="out"')"
if command -v tshark >/dev/null 2>&1; then
	"$CORRELATOR" convert "$E/demikernel-PktMon.etl" -o "$TMPD/d.pcapng" 2>/dev/null
	check "demikernel convert: frame 1 (echo request) epb_flags inbound, frame 3 (reply) outbound" "1:8:0x00000001 3:0:0x00000002" \
		"$(tshark -r "$TMPD/d.pcapng" -T fields -e frame.number -e icmp.type -e frame.packet_flags_direction -E separator=: 2>/dev/null | sed -n '1p;3p' | tr '\n' ' ' | sed 's/ $//')"
	check "demikernel convert: 38 Rx appearances (2 per request) and 76 Tx (4 per reply)" "38 76" "$(tshark -r "$TMPD/d.pcapng" -Y 'frame.packet_flags_direction==1' 2>/dev/null | wc -l) $(tshark -r "$TMPD/d.pcapng" -Y 'frame.packet_flags_direction==2' 2>/dev/null | wc -l)"
fi
# TraceLogging: the event's own metadata (extended items PROV_TRAITS and
# EVENT_SCHEMA_TL) names it and types its fields. primitive-types ref 3 is
# solar_system/PrimitiveTypesTest with one field of each type (int64_type is
# declared UINT64 in the file's own metadata); counts per file.
"$CORRELATOR" timeline -f jsonl --no-analysis "$E/perfview-primitive-types.etl" >"$TMPD/tl.jsonl" 2>/dev/null
check "primitive-types: ref 3 named and typed" 1 "$(jsonl_count "$TMPD/tl.jsonl" 'e["ref"]==3 and e["type"]=="etw.event" and {k: v for k, v in e["fields"].items() if k.startswith("etw.data.") or k in ("etw.name", "etw.provider_name")} == {"etw.provider_name": "solar_system", "etw.name": "PrimitiveTypesTest", "etw.data.string_type": "Mercury", "etw.data.boolean_type": False, "etw.data.char_type": "M", "etw.data.int16_type": -51, "etw.data.int32_type": -102, "etw.data.uint16_type": 51, "etw.data.uint32_type": 102, "etw.data.int64_type": "18446744073709551412", "etw.data.uint64_type": 204, "etw.data.guid_type": "0ad614c4-0ef4-4225-8013-f44f37cb0397", "etw.data.file_time_type": "2021-09-09T14:59:35.7990000Z", "etw.data.system_time_type": "2021-09-09T14:59:35.799"}')"
while read -r f n name; do
	"$CORRELATOR" timeline -f jsonl --no-analysis "$E/$f" >"$TMPD/tl.jsonl" 2>/dev/null
	check "$f: $n TraceLogging events, all fields decoded; first is $name" "$n 0 $name" "$(python3 - "$TMPD/tl.jsonl" <<'PY'
import json, sys
ev = [e for e in map(json.loads, open(sys.argv[1])) if "etw.name" in e["fields"]]
print(len(ev), sum("etw.tlg.undecoded" in e["fields"] for e in ev),
      ev[0]["fields"]["etw.provider_name"] + "/" + ev[0]["fields"]["etw.name"] if ev else "-")
PY
)"
done <<'LIST'
perfview-primitive-types.etl 5 solar_system/PrimitiveTypesTest
perfview-SelfDescribingSingleEvent.etl 1 MySource/TestEvent
airbus-AMSITrace.etl 19 AmsiTrace/AmsiScript
airbus-lxcore_kernel.etl 2 Microsoft.Windows.Subsystem.LxCore/BreakPoint
ebpf-ebpforwindows.etl 13841 EbpfForWindowsProvider/EbpfSuccess
hw3d-trace.etl 1 Atum-Hw3d/WinMain
marissa-mytrace.etl 8 VanierEventSource/Startup
krabsetw-powershell.etl 0 -
LIST
# the netsh capture's one NDIS packet: native 802.11 + LLC/SNAP -> SSDP
"$CORRELATOR" timeline -f jsonl --no-analysis "$E/attackhost-trace.etl" >"$TMPD/a.jsonl" 2>/dev/null
check "attackhost: NDIS 802.11 frame decoded to UDP 1900" 1 "$(jsonl_count "$TMPD/a.jsonl" 'e["type"]=="udp" and e["flow"]["dst"]=="239.255.255.250" and e["flow"]["dport"]==1900')"
# Kernel-Network: TCP receive events with the HTTPS flow
"$CORRELATOR" timeline -f jsonl --no-analysis "$E/tx-KernelNetwork.etl" >"$TMPD/k.jsonl" 2>/dev/null
check "Kernel-Network: 7968 receives from 157.56.244.38:443" 7968 "$(jsonl_count "$TMPD/k.jsonl" 'e["type"]=="etw.kernel_net.recv" and e["flow"]["src"]=="157.56.244.38" and e["flow"]["sport"]==443')"

# damaged files (tests/tools/etl_damage.py): each bad buffer or record is
# skipped, counted and cited with its offset, and the rest is read. nathaniel's
# buffers hold 1, 1067, 1344, 490 and 845 of its 3747 records; buffer 2 of
# tx-KernelNetwork holds 70 of 8924 (5 read before the bad size, 65 lost).
python3 "$ROOT/tests/tools/etl_damage.py" "$E" "$TMPD" >/dev/null
while read -r f recs cite; do
	"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/$f" >"$TMPD/dm.jsonl" 2>"$TMPD/dm.err"
	check "$f: read to its end" 0 $?
	check "$f: one warning, citing the damage" "1 1" "$(grep -c 'warning' "$TMPD/dm.err") $(grep -c -- "$cite" "$TMPD/dm.err")"
	check "$f: the other $recs records read" "$recs" "$(python3 - "$TMPD/dm.jsonl" <<'PY'
import json, sys
n = 0
for l in open(sys.argv[1]):
    a = json.loads(l).get("fields", {}).get("pktmon.appearances")
    n += a if a else 1
print(n)
PY
)"
done <<'LIST'
cut.etl 2902 buffer 5 at offset 79940: size 17652 runs past the end of the file
hdr.etl 2403 buffer 3 at offset 32760: size 2147483647 is not a buffer size; 27773 bytes skipped to the next buffer header at offset 60533
lz.etl 3257 compressed buffer 4 at offset 60533 does not decompress; skipped
rec.etl 8859 rec.etl#7: warning: buffer 2 at offset 8192, record at 0x2c8 in it: type 0x13 with size 65520 runs past
LIST

check_rc "convert: no arguments is a usage error" 2 "$CORRELATOR" convert
check_rc "convert: --help" 0 "$CORRELATOR" convert --help
check_rc "convert: a pcap is not ETL" 3 "$CORRELATOR" convert "$ROOT/tests/data/$(ls "$ROOT/tests/data" | grep -m1 '\.pcap$')" -o "$TMPD/x.pcapng"
check_rc "convert: unwritable output" 2 "$CORRELATOR" convert "$E/demikernel-PktMon.etl" -o /nonexistent/dir/x.pcapng

# pcap-vs-pktmon: the same session as the server's pcap and the client's pktmon
# trace (tests/tools/etlgen.py pair) is matched by the path analyzer, 2 ms each
# way; the datagram pktmon saw dropped is a pktmon_drop finding citing it.
python3 "$ROOT/tests/tools/etlgen.py" pair "$TMPD"
"$CORRELATOR" timeline -f jsonl client="$TMPD/client.etl" server="$TMPD/server.pcap" >"$TMPD/p.jsonl" 2>/dev/null
P=$TMPD/p.jsonl
check "pair: TCP session matched across pktmon and pcap" 1 "$(jsonl_count "$P" 'e["type"]=="path.match" and e["fields"]["path.v0.source"]=="client" and e["fields"]["path.v1.source"]=="server" and e["fields"]["path.v0.server"]=="10.1.0.9:443"')"
check "pair: one-way delay 2 ms client->server" 1 "$(jsonl_count "$P" 'e["type"]=="path.delay" and e["fields"]["path.hop_from"]=="client" and e["fields"]["path.packets"]==5 and e["fields"]["path.delay.median"]==2000000')"
check "pair: 9 unique packets from 26 appearances" "9 26" "$(python3 -c "
import json
ev=[e for e in map(json.loads, open('$P')) if 'pktmon.appearances' in e.get('fields', {})]
print(len(ev), sum(e['fields']['pktmon.appearances'] for e in ev))")"
check "pair: the drop cites the datagram's packet (ref 26)" 1 "$(jsonl_count "$P" 'e["type"]=="pktmon.drop" and e["fields"]["pktmon.packet"]==26 and e["fields"]["pktmon.drop_reason"]==8 and e["flow"]["sport"]==5000')"
"$CORRELATOR" analyze -f json --no-progress client="$TMPD/client.etl" server="$TMPD/server.pcap" >"$TMPD/p.json" 2>/dev/null
check "pair: pktmon_drop finding" 1 "$(python3 -c "
import json
print(sum(1 for f in json.load(open('$TMPD/p.json'))['findings'] if f.get('rule')=='pktmon_drop'))")"
# near miss: the same pair with no drop stays quiet
python3 - "$ROOT/tests/tools" "$TMPD/q" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1])
import etlgen
os.makedirs(sys.argv[2], exist_ok=True)
e = etlgen.Pktmon(1_700_000_000_000_000_000 - 1_000_000_000)
from pcapgen import udp
e.packet(1_700_000_000_050_000_000, udp("10.1.0.9", 5000, "10.1.0.5", 53124, payload=b"z" * 40), group_id=99,
         components=[(3, 1), (5, 2)])
e.write(sys.argv[2] + "/client.etl")
PY
"$CORRELATOR" analyze -f json --no-progress client="$TMPD/q/client.etl" >"$TMPD/q.json" 2>/dev/null
check "near miss: no drop, no pktmon_drop finding" 0 "$(python3 -c "
import json
print(sum(1 for f in json.load(open('$TMPD/q.json'))['findings'] if f.get('rule')=='pktmon_drop'))")"

# Winsock-AFD and TCPIP drops (tests/tools/etlgen.py afd, payloads as the build
# 10240 manifests lay them out; no corpus file holds these events): the AFD
# datagram drop has the UDP flow from its endpoint's bind, the TCPIP network-
# and transport-layer drops theirs, IPv6 with 32-bit pointers too; a cut payload
# and an unknown version stay etw.event, noted and counted.
python3 "$ROOT/tests/tools/etlgen.py" afd "$TMPD/afd.etl"
check "afd: generated file is the seed in tests/data" 0 "$(cmp -s "$TMPD/afd.etl" "$ROOT/tests/data/afd-tcpip.etl"; echo $?)"
"$CORRELATOR" timeline -f jsonl --no-analysis host="$TMPD/afd.etl" >"$TMPD/afd.jsonl" 2>/dev/null
A=$TMPD/afd.jsonl
check "afd: types by ref" "etw.event etw.afd.bind etw.afd.datagram_dropped etw.afd.connect etw.afd.abort etw.tcpip.drop etw.tcpip.drop etw.event etw.event etw.event etw.afd.bind etw.afd.datagram_dropped" \
	"$(python3 -c "import json; print(' '.join(json.loads(l)['type'] for l in open('$A')))")"
check "afd: drop #3 from 10.0.0.53:53 to the bound 10.0.0.5:53124, reason mapped" 1 "$(jsonl_count "$A" 'e["ref"]==3 and e["flow"]=={"src":"10.0.0.53","sport":53,"dst":"10.0.0.5","dport":53124,"proto":"udp","session":e["flow"]["session"]} and e["fields"]["etw.reason"]=="Insufficient local buffer space" and e["fields"]["etw.afd.endpoint"]=="0xFFFFE189BF2C7A10" and e["fields"]["etw.afd.length"]==512 and e["fields"]["etw.afd.seq"]==8812')"
check "afd: connect #4 flows from the bound address" 1 "$(jsonl_count "$A" 'e["ref"]==4 and e["flow"]["src"]=="10.0.0.5" and e["flow"]["dport"]==443 and e["flow"]["proto"]=="tcp"')"
check "afd: network-layer drop #6 ICMP, Inspection drop" 1 "$(jsonl_count "$A" 'e["ref"]==6 and e["flow"]["src"]=="192.168.5.68" and e["flow"]["dst"]=="6.6.0.27" and e["flow"]["proto"]=="icmp" and e["fields"]["etw.reason"]=="Inspection drop" and e["fields"]["etw.tcpip.layer"]=="network"')"
check "afd: transport drop #7 from the remote socket" 1 "$(jsonl_count "$A" 'e["ref"]==7 and e["flow"]["src"]=="10.0.0.53" and e["flow"]["sport"]==53 and e["fields"]["etw.tcpip.packets"]==2')"
check "afd: IPv6 drop #12 with 32-bit pointers" 1 "$(jsonl_count "$A" 'e["ref"]==12 and e["flow"]["src"]=="2001:db8::53" and e["flow"]["dst"]=="2001:db8::5" and e["fields"]["etw.afd.endpoint"]=="0x8BF27A10"')"
check "afd: #8-#10 kept generic with the reason" "8:Winsock-AFD payload shorter than its layout 9:Winsock-AFD event version without a known layout 10:TCPIP drop payload shorter than its layout" \
	"$(python3 -c "import json; print(' '.join('%d:%s' % (e['ref'], e['fields']['etw.undecoded']) for e in map(json.loads, open('$A')) if 'etw.undecoded' in e['fields']))")"
"$CORRELATOR" analyze -f json host="$TMPD/afd.etl" >"$TMPD/afd.json" 2>/dev/null
check "afd: the closing note counts 3 undecoded" 1 "$(grep -c '4 other events (0 TraceLogging, 3 TCPIP/AFD with an unknown version or a short payload)' "$TMPD/afd.json")"
check "afd: winsock_datagram_dropped cites host#3" 1 "$(python3 -c "
import json
r = json.load(open('$TMPD/afd.json'))
print(sum(1 for f in r['findings'] if f['rule']=='winsock_datagram_dropped' and any(e.get('source')=='host' and e.get('ref')==3 for e in f.get('evidence', []))))")"
