# TCP analysis edge cases (issue 16), each a crafted capture from
# tests/tools/tcp_edge.py with a near-miss twin on another 4-tuple: the exact
# frames and what we flag on each (tcp.* events, in order of frame).
# Where this differs from tshark 4.0 it is on purpose: docs/wireshark-differences.md.
. "$(dirname "$0")/lib.sh"
python3 "$ROOT/tests/tools/tcp_edge.py" "$TMPD/cap"
flags() {  # CASE: "frame:type,type frame:type ..." over tcp.* analysis events
	"$CORRELATOR" timeline -f jsonl "$TMPD/cap/$1.pcap" >"$TMPD/$1.jsonl" 2>"$TMPD/$1.err"
	python3 - "$TMPD/$1.jsonl" <<'PY'
import collections, json, sys
d = collections.OrderedDict()
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if e["type"].startswith("tcp.") and e["type"] != "tcp":
        d.setdefault(e["ref"], []).append(e["type"][4:])
print(" ".join(f"{k}:{','.join(v)}" for k, v in sorted(d.items())))
PY
}
ends() {  # CASE: the tcp.session end reasons in order of their last frame
	python3 -c 'import json,sys; print(" ".join(e["fields"]["end"] for e in sorted((e for e in map(json.loads, open(sys.argv[1])) if e["type"] == "tcp.session"), key=lambda e: e["ref"])))' "$TMPD/$1.jsonl"
}

# 1. SYN re-sent after the client's own RST to a stray ACK: a retransmitted
#    SYN; the refused twin's SYN (an acceptable RST-ACK closed it) is a new stream.
check "syn after own rst" \
	"2:ack_lost_segment 3:rst 4:handshake.syn_repeated,retransmission 11:session 13:session,rst,handshake.refused 14:reused_ports 15:rst,session" \
	"$(flags syn_after_rst)"
check "syn after own rst: sessions" "fin rst rst" "$(ends syn_after_rst)"
# 2. 50 bytes starting one before the next expected seq: new data; twin two before: retransmission
check "one byte before" "7:ack_lost_segment 10:session 16:retransmission 17:ack_lost_segment 20:session" "$(flags one_before)"
# 3. TCP header longer than the segment: no window facts from its bytes; twin: a real zero window
check "bogus header" "11:session 16:zero_window 17:window_update 20:session" "$(flags bogus_header)"
check_grep "bogus header: the frame is still reported malformed" '"ref":6,.*"_ws.malformed":"TCP header longer than the segment"' "$TMPD/bogus_header.jsonl"
# 4. a frame a day ahead, then time goes back: one session, not ended, the
#    replay analysed as a spurious retransmission; twin: a real day of silence.
#    tcp.idle is stamped at the resuming segment as it arrives (the jumped
#    frame 7 looks like one: that time goes back is known only later), but no
#    tcp.idle_fate follows it; the twin's real gap gets both.
check "clock jump" "7:idle 9:retransmission,spurious_retransmission 14:session 20:idle,idle_fate 24:session" "$(flags clock_jump)"
check "clock jump: sessions" "fin fin" "$(ends clock_jump)"
check_grep "clock jump: a capture warning citing the frame" 'clock_jump.pcap#7: warning: clock jump: this frame is stamped far ahead' "$TMPD/clock_jump.err"
"$CORRELATOR" analyze -f json "$TMPD/cap/clock_jump.pcap" >"$TMPD/cj.json" 2>/dev/null
check "clock jump: note in the report" 1 "$(python3 -c 'import json,sys; print(sum("clock jump in clock_jump.pcap: frame 7 " in n for s in json.load(open(sys.argv[1]))["sources"] for n in s.get("notes", [])))' "$TMPD/cj.json")"
# 5. ACKs of the same unseen bytes: flagged once; twin: a second gap is flagged again
check "ack of unseen once per gap" \
	"6:ack_lost_segment 8:window_update 9:lost_segment 10:ack_lost_segment 13:session 17:ack_lost_segment 18:ack_lost_segment 19:lost_segment 20:ack_lost_segment 21:session" \
	"$(flags ack_unseen)"
# 6. a segment with every flag set on a live session changes nothing; twin: a real RST
check "all flags junk" "11:session 16:rst,session" "$(flags all_flags)"
check "all flags junk: sessions" "fin rst" "$(ends all_flags)"
# 7. a FIN re-sent acknowledging new data: plain retransmission; twin: fast
check "fin re-sent" \
	"6:duplicate_ack 7:duplicate_ack 11:retransmission 13:session 20:duplicate_ack 21:duplicate_ack 22:duplicate_ack 23:retransmission,fast_retransmission 27:session" \
	"$(flags fin_resent)"
