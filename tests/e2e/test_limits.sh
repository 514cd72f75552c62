#!/usr/bin/env bash
# tests/e2e/test_limits.sh - every limit of docs/limits.md is set from the
# command line and, forced with a tiny value, is reported in the report (a
# source note, a finding or a count); bad values are usage errors. Also: every
# report format shows per source the records read, used and skipped with the
# first skipped refs.
. "$(dirname "$0")/lib.sh"
C=$SHARED/corpus
A=("$CORRELATOR" analyze --no-progress --quiet)

json_q() {  # FILE PYTHON_EXPR_ON_r
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# --max-sessions: live sessions; evictions are a source note of the analyzer
if need_shared corpus/pcap/cs-synscan.pcapng; then
"${A[@]}" -f json --max-sessions 1 "$C/pcap/cs-synscan.pcapng" >"$TMPD/s.json"
check_grep "--max-sessions bites: noted" "sessions evicted at the --max-sessions cap" "$TMPD/s.json"

# --rule-keys: partial rule matches per rule; a rules.engine finding says so.
# A rule keyed on every flow's first packet (the shipped rule that did so on a
# capture alone, etw_drop_joined_to_packet, is not run without ETW events)
printf 'rule every_flow\n  title "t"\n  severity low\n  sequence by flow within 1m\n    [tcp] as a\n    [tcp.rst] as b\n' >"$TMPD/keys.rule"
"${A[@]}" -f json --rule-keys 1 -r "$ROOT/rules" -r "$TMPD/keys.rule" "$C/pcap/cs-synscan.pcapng" >"$TMPD/k.json"
check "--rule-keys bites: rules.engine finding" yes \
	"$(json_q "$TMPD/k.json" '"yes" if any(f["rule"] == "rules.engine" and "(--rule-keys)" in f["message"] for f in r["findings"]) else "no"')"
fi

# --max-line: a longer line is a counted skip with its ref
"${A[@]}" -f json --max-line 40 "$ROOT/samples/pfirewall/pfirewall.log" >"$TMPD/l.json" 2>/dev/null
check "--max-line bites: lines skipped with refs" yes \
	"$(json_q "$TMPD/l.json" '"yes" if r["sources"][0]["skipped"] > 0 and r["sources"][0]["skipped_refs"] else "no"')"
"$CORRELATOR" analyze --no-progress --max-line 40 "$ROOT/samples/pfirewall/pfirewall.log" 2>"$TMPD/l.err" >/dev/null
check_grep "--max-line names itself on stderr" "longer than 40 bytes" "$TMPD/l.err"

# --max-xml-depth: the source note names the limit
"${A[@]}" -f json --max-xml-depth 2 "$ROOT/samples/evtx-xml/wevtutil.xml" >"$TMPD/x.json" 2>/dev/null
check_grep "--max-xml-depth bites: noted" "nested deeper than 2 levels.*--max-xml-depth" "$TMPD/x.json"

# --regex-match-limit: matches stopped by PCRE2 are a rules.engine finding
cat >"$TMPD/re.rule" <<'RULE'
rule drop_re
  title "drop by regex"
  severity low
  match [fw.drop where fw.action ~ /^(D|X)+R?OP$/]
  report "{fw.action}"
RULE
"${A[@]}" -f json -r "$TMPD/re.rule" --regex-match-limit 1 "$ROOT/samples/pfirewall/pfirewall.log" >"$TMPD/r.json"
check "--regex-match-limit bites: rules.engine finding" yes \
	"$(json_q "$TMPD/r.json" '"yes" if any(f["rule"] == "rules.engine" and "stopped by the PCRE2" in f["message"] and " 0 regex" not in f["message"] for f in r["findings"]) else "no"')"
"${A[@]}" -f json -r "$TMPD/re.rule" "$ROOT/samples/pfirewall/pfirewall.log" >"$TMPD/r2.json"
check "without the limit: the regex rule fires, no engine finding" "yes 0" \
	"$(json_q "$TMPD/r2.json" '("yes" if any(f["rule"] == "drop_re" for f in r["findings"]) else "no") + " " + str(sum(f["rule"] == "rules.engine" for f in r["findings"]))')"
check_rc "--regex-depth-limit accepted" 0 "${A[@]}" -r "$TMPD/re.rule" --regex-depth-limit 1 "$ROOT/samples/pfirewall/pfirewall.log"

# --max-frag-bytes / --max-frag-chains: a 3000-byte UDP datagram in 3
# fragments, and 3 interleaved incomplete chains
python3 - "$TMPD/frag.pcap" <<'PY'
import sys
sys.path.insert(0, __import__("os").environ["ROOT"] + "/tests/tools")
from pcapgen import Capture, ether, ipv4, udp_datagram
cap = Capture()
t = 1700000000 * 10**9
def frags(ip_id, data, parts, t0):
    global cap
    off = 0
    for i, chunk in enumerate(parts):
        mf = i < len(parts) - 1
        cap.add(t0 + i * 1000, ether("10.0.0.1", "10.0.0.2", 0x0800,
                ipv4("10.0.0.1", "10.0.0.2", 17, data[off:off + chunk], ip_id=ip_id, df=False, mf=mf, frag_off=off)))
        off += chunk
d = udp_datagram("10.0.0.1", 5000, "10.0.0.2", 6000, bytes(range(256)) * 11 + b"x" * 176)  # 3000 bytes
frags(1, d, [1480, 1480, 40], t)
for k in range(3):  # three chains, first fragments only, then their ends
    frags(10 + k, d, [1480], t + 10**6 + k)
for k in range(3):
    cap.add(t + 2 * 10**6 + k, ether("10.0.0.1", "10.0.0.2", 0x0800,
            ipv4("10.0.0.1", "10.0.0.2", 17, d[1480:], ip_id=10 + k, df=False, mf=False, frag_off=1480)))
cap.write(sys.argv[1])
PY
"${A[@]}" -f json "$TMPD/frag.pcap" >"$TMPD/f0.json"
check "fragments reassembled within the defaults: no note" 0 "$(json_q "$TMPD/f0.json" 'len(r["sources"][0]["notes"])')"
"${A[@]}" -f json --max-frag-bytes 1000 "$TMPD/frag.pcap" >"$TMPD/f1.json"
check_grep "--max-frag-bytes bites: noted" "fragments beyond 1000 bytes \(--max-frag-bytes\)" "$TMPD/f1.json"
"${A[@]}" -f json --max-frag-chains 1 "$TMPD/frag.pcap" >"$TMPD/f2.json"
check_grep "--max-frag-chains bites: noted" "[1-9][0-9]* fragment chains evicted \(--max-frag-chains 1\)" "$TMPD/f2.json"

# bad values: usage errors naming the option
check_rc "--max-xml-depth 0 is a usage error" 2 "$CORRELATOR" analyze --max-xml-depth 0 "$C/pcap/cs-tcp_handshake.pcapng"
check_grep "--max-xml-depth error names it" "^correlator: --max-xml-depth: '0'" "$TMPD/rc.err"
check_rc "--max-frag-bytes above 65535 is a usage error" 2 "$CORRELATOR" timeline --max-frag-bytes 70000 "$C/pcap/cs-tcp_handshake.pcapng"
check_rc "--regex-match-limit x is a usage error" 2 "$CORRELATOR" analyze --regex-match-limit x "$C/pcap/cs-tcp_handshake.pcapng"

# every report format: per source records read, used, skipped and the first skipped refs
S=("$ROOT/samples/iptables/kern.log" "fw=$ROOT/tests/fuzz/regress/iptables/unknown-proto-number-msg")
"${A[@]}" -f json "${S[@]}" >"$TMPD/c.json"
want=$(json_q "$TMPD/c.json" '" ".join("%s:%d:%d:%d:%s" % (s["label"], s["read"], s["events"], s["skipped"], ",".join(map(str, s["skipped_refs"]))) for s in r["sources"] if s["label"] == "fw")')
check "json: read, used, skipped, refs" "fw:6:5:1:1" "$want"
"${A[@]}" -f text "${S[@]}" >"$TMPD/c.txt"
check_grep "text: header read used skipped" "^  label +format +read +used +skipped " "$TMPD/c.txt"
check_grep "text: fw row 6 5 1" "^  fw +iptables +6 +5 +1 " "$TMPD/c.txt"
check_grep "text: first skipped refs" "^      skipped records: #1$" "$TMPD/c.txt"
"${A[@]}" -f md "${S[@]}" >"$TMPD/c.md"
check_grep "md: header read used skipped" "^\| label \| format \| read \| used \| skipped \|" "$TMPD/c.md"
check_grep "md: fw row with first refs" "^\| fw \| iptables \| 6 \| 5 \| 1 \(first: #1\) \|" "$TMPD/c.md"
"${A[@]}" -f html "${S[@]}" >"$TMPD/c.html"
check_grep "html: header read used skipped" "<th class=\"num\">read</th><th class=\"num\">used</th><th class=\"num\">skipped</th>" "$TMPD/c.html"
check_grep "html: fw row with first refs" "<b>fw</b></td><td>iptables</td><td class=\"num\">6</td><td class=\"num\">5</td><td class=\"num\">1<br><span class=\"muted\">first: #1</span>" "$TMPD/c.html"
