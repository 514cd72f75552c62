# The field case the tool exists for: a SYN-ACK gains 2 bytes between the
# firewall and the client, the client ACKs ISN+3, the firewall (TMG, whose
# log stamps whole seconds) drops the session as a SEQ/ACK mismatch. Three
# captures (the outside one NATed, its clock 10 minutes off) and the TMG log:
# one incident, cause first, citing frames at both captures and the log line.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"  # paths in the report are as given: keep them relative
d=samples/path-synack-modified
A=(client=$d/client.pcap fw-in=$d/fw-in.pcap fw-out=$d/fw-out.pcap tmg=$d/tmg-fws.w3c)

"$CORRELATOR" analyze --no-progress -f json "${A[@]}" >"$TMPD/r.json" 2>"$TMPD/err"
check "exit status" 0 $?
python3 - "$TMPD/r.json" >"$TMPD/sum" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(len(r["incidents"]))
inc = r["incidents"][0]
print(inc["severity"], ",".join(r["findings"][i]["rule"] for i in inc["findings"]))
for f in sorted(r["findings"], key=lambda f: f["rule"] == "path_packet_modified"):
    print(f["rule"], " ".join("%s#%d" % (e["source"], e["ref"]) for e in f["evidence"]))
PY
{ read -r n; read -r head; read -r f1; read -r f2; read -r f3; read -r f4; read -r f5; read -r f6; } <"$TMPD/sum"
check "one incident" 1 "$n"
check "cause first: the SYN-ACK changed between vantage points" \
	"high synack_modified_between_vantage_points,synack_modified_fw_seq_ack_drop,synack_payload_ack_mismatch,path_packet_modified,tcp_retransmissions_exhausted,tcp_retransmissions_exhausted" "$head"
check "the modified packet alone is a finding too" \
	"path_packet_modified client#26" "$(printf '%s\n' "$f4" "$f5" "$f6" | grep '^path_packet_modified')"
check "single-capture evidence" "synack_payload_ack_mismatch client#26 client#27" "$f1"
check "firewall joined by flow though its log is whole seconds" \
	"synack_modified_fw_seq_ack_drop client#26 client#27 tmg#5" "$f2"
check "both sides of the modified packet cited" \
	"synack_modified_between_vantage_points client#26 fw-in#26 client#27 tmg#5" "$f3"

"$CORRELATOR" analyze --no-progress "${A[@]}" >"$TMPD/r.txt" 2>/dev/null
if diff -u "$d/expected-report.txt" "$TMPD/r.txt" >"$TMPD/diff"; then
	check "text report as expected" same same
else
	check "text report as expected" same "$(head -c 800 "$TMPD/diff")"
fi
check_grep "the hop is named" "changed between fw-in and client" "$TMPD/r.txt"
check_grep "path_packet_modified cites the frame at both capture points" "seen at fw-in#26 and at client#26" "$TMPD/r.txt"
check_grep "a Wireshark filter for the fw-in frame" "fw-in: frame.number in \{26\}" "$TMPD/r.txt"
