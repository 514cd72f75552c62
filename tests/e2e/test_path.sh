#!/usr/bin/env bash
# tests/e2e/test_path.sh - the path analyzer on the four path samples: the
# path.* events against samples/path-*/expected.jsonl, and the estimated
# clock offsets within 1 ms of the truth the generators used.
. "$(dirname "$0")/lib.sh"
S=$ROOT/samples

# the path events of a timeline, without the volatile parts (none: all exact)
path_events() {  # OUT ARGS...
	local out=$1; shift
	"$CORRELATOR" timeline -f jsonl --no-progress "$@" >"$TMPD/all.jsonl" 2>"$TMPD/err"
	grep '"type":"path\.' "$TMPD/all.jsonl" >"$out"
}

offset_of() {  # LABEL ARGS... -> clock_offset_ns of LABEL in analyze -f json
	local l=$1; shift
	"$CORRELATOR" analyze -f json --no-progress "$@" 2>/dev/null | python3 -c "
import json, sys
d = json.load(sys.stdin)
s = [s for s in d['sources'] if s['label'] == sys.argv[1]][0]
print(s['clock_offset_ns'], s['clock_offset_origin'])" "$l"
}

within_1ms() {  # NAME GOT_NS TRUTH_NS
	python3 -c "import sys; sys.exit(0 if abs(int(sys.argv[1]) - int(sys.argv[2])) < 1000000 else 1)" "$2" "$3" \
		&& _result "ok $SUITE: $1" || _result "FAIL $SUITE: $1: $2 ns, truth $3 ns"
}

# 1. SYN-ACK modified between fw-in and client, NAT at fw-out
d=$S/path-synack-modified
A=(client=$d/client.pcap fw-in=$d/fw-in.pcap fw-out=$d/fw-out.pcap)
path_events "$TMPD/1.jsonl" "${A[@]}"
check "synack: path events as expected" "$(cat "$d/expected.jsonl")" "$(cat "$TMPD/1.jsonl")"
check "synack: one modified, payload length 0 -> 2 between fw-in and client" 1 \
	"$(jsonl_count "$TMPD/1.jsonl" 'e["type"]=="path.modified" and e["fields"]["what"]=="payload length" and e["fields"]["before"]==0 and e["fields"]["after"]==2 and e["fields"]["path.hop_from"]=="fw-in" and e["fields"]["path.hop_to"]=="client" and e["source"]=="client" and e["fields"]["peer_source"]=="fw-in"')"
check "synack: ACK mismatch ISN+3 vs ISN+1" 1 \
	"$(jsonl_count "$TMPD/1.jsonl" 'e["type"]=="path.ack_mismatch" and e["fields"]["path.ack_rel"]==3 and e["fields"]["path.expected_ack_rel"]==1')"
check "synack: ACK and 4 ClientHellos lost between fw-in and fw-out" 5 \
	"$(jsonl_count "$TMPD/1.jsonl" 'e["type"]=="path.lost" and e["source"]=="fw-in" and e["fields"]["path.hop_to"]=="fw-out"')"
check "synack: NAT mapping found without a hint" 1 \
	"$(jsonl_count "$TMPD/1.jsonl" 'e["type"]=="path.match" and "10.110.233.50:50183 ↔ 10.110.235.202:55073" in e["fields"]["path.mapping"]')"
read -r off origin < <(offset_of fw-out "${A[@]}")
check "synack: fw-out offset estimated" estimated "$origin"
within_1ms "synack: fw-out offset within 1 ms" "$off" -600250000000
read -r off origin < <(offset_of fw-in "${A[@]}")
within_1ms "synack: fw-in offset within 1 ms" "$off" -3700000
# NATed vantage points share one session id
"$CORRELATOR" analyze -f json --no-progress "${A[@]}" >"$TMPD/a1.json" 2>/dev/null
check "synack: 2 sessions, each seen at all three captures" "2 3 3" "$(python3 -c "
import json; d = json.load(open('$TMPD/a1.json'))
l = d['sessions']['largest']; print(d['sessions']['total'], *[len(s['seen_at']) for s in l])")"

# 2. WAN SQL: path delay, neither end slow
d=$S/path-wan-sql
A=(client=$d/client.pcap sql=$d/sql.pcap)
path_events "$TMPD/2.jsonl" "${A[@]}"
check "wan: path events as expected" "$(cat "$d/expected.jsonl")" "$(cat "$TMPD/2.jsonl")"
check "wan: blame says path" 1 "$(jsonl_count "$TMPD/2.jsonl" 'e["type"]=="path.blame" and e["fields"]["path.verdict"]=="path" and abs(e["fields"]["path.delay.request"]-40000000) < 1000000 and abs(e["fields"]["path.delay.response"]-40000000) < 1000000 and abs(e["fields"]["path.server_think"]-3000000) < 500000')"
check "wan: 12 exchanges" 12 "$(jsonl_count "$TMPD/2.jsonl" 'e["type"]=="path.exchange"')"
read -r off origin < <(offset_of sql "${A[@]}")
within_1ms "wan: sql offset within 1 ms" "$off" 123456789000

# 3. SQL Browser replies from the node address never reach the client
d=$S/path-sqlbrowser-cluster
A=(client=$d/client.pcap server=$d/server.pcap)
path_events "$TMPD/3.jsonl" "${A[@]}"
check "browser: path events as expected" "$(cat "$d/expected.jsonl")" "$(cat "$TMPD/3.jsonl")"
check "browser: 3 replies lost, from 10.2.0.11 not 10.2.0.100" 3 \
	"$(jsonl_count "$TMPD/3.jsonl" 'e["type"]=="path.lost" and e["source"]=="server" and e["fields"]["path.reply_from"]=="10.2.0.11" and e["fields"]["path.asked"]=="10.2.0.100" and e["fields"]["peer_source"]=="client"')"
read -r off origin < <(offset_of server "${A[@]}")
within_1ms "browser: server offset within 1 ms" "$off" -500000000

# 4. idle, then one-sided packets
d=$S/path-idle-drop
A=(client=$d/client.pcap server=$d/server.pcap)
path_events "$TMPD/4.jsonl" "${A[@]}"
check "idle: path events as expected" "$(cat "$d/expected.jsonl")" "$(cat "$TMPD/4.jsonl")"
check "idle: 5 segments lost after the idle period" 5 \
	"$(jsonl_count "$TMPD/4.jsonl" 'e["type"]=="path.lost" and e["source"]=="client" and e["ref"]>=28')"
read -r off origin < <(offset_of server "${A[@]}")
within_1ms "idle: server offset within 1 ms" "$off" 420000000000

# a given offset wins over the estimate
read -r off origin < <(offset_of server --clock-offset server=7m "${A[@]}")
check "idle: --clock-offset is kept" "420000000000 given" "$off $origin"

# 5. NAT plus ISN randomisation: matched by payload, renumbering undone
d=$S/path-isn-randomised
A=(inside=$d/inside.pcap outside=$d/outside.pcap)
path_events "$TMPD/5.jsonl" "${A[@]}"
check "isn: path events as expected" "$(cat "$d/expected.jsonl")" "$(cat "$TMPD/5.jsonl")"
check "isn: matched by payload digests" 1 \
	"$(jsonl_count "$TMPD/5.jsonl" 'e["type"]=="path.match" and e["fields"]["path.matched_by"]=="payload digests"')"
check "isn: one lost response, nothing modified" "1 0" \
	"$(jsonl_count "$TMPD/5.jsonl" 'e["type"]=="path.lost" and e["source"]=="outside" and e["ref"]==14') $(jsonl_count "$TMPD/5.jsonl" 'e["type"]=="path.modified"')"
read -r off origin < <(offset_of outside "${A[@]}")
within_1ms "isn: outside offset within 1 ms" "$off" -90000000000

# 6. the real three-host mail flow (corpus): both shared sessions matched,
# clocks ~17.30 s apart (the SYN at c1 19:14:08.843729, at s2 19:13:51.539639)
C=$SHARED/corpus/pcap
if need_shared corpus/pcap/cs-mail_sender_client_1.pcapng; then
	A=(c1=$C/cs-mail_sender_client_1.pcapng s2=$C/cs-mail_sender_server_2.pcapng r3=$C/cs-mail_receiver_server_3.pcapng)
	path_events "$TMPD/6.jsonl" "${A[@]}"
	check "mail: c1/s2 and s2/r3 sessions matched" "1 1" \
		"$(jsonl_count "$TMPD/6.jsonl" 'e["type"]=="path.match" and e["fields"]["path.v0.source"]=="c1" and e["fields"]["path.v1.source"]=="s2" and e["fields"]["path.v0.client"]=="172.16.16.225:49313"') $(jsonl_count "$TMPD/6.jsonl" 'e["type"]=="path.match" and e["fields"]["path.v0.source"]=="s2" and e["fields"]["path.v1.source"]=="r3" and e["fields"]["path.v0.client"]=="172.16.16.221:56694"')"
	read -r off origin < <(offset_of s2 "${A[@]}")
	within_1ms "mail: s2 offset ~ +17.3042 s" "$off" 17304222000
	read -r off origin < <(offset_of r3 "${A[@]}")
	within_1ms "mail: r3 offset ~ +17.2988 s" "$off" 17298812000
	check "mail: nothing lost, injected or modified between the hosts" 0 \
		"$(jsonl_count "$TMPD/6.jsonl" 'e["type"] in ("path.lost","path.injected","path.modified")')"
fi
