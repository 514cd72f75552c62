#!/usr/bin/env bash
# tests/e2e/test_rules_plan.sh - which rules run: a rule whose steps need event
# types that none of the given sources and analyzers can produce is skipped,
# and `analyze -v` says so. The capture of samples/etw-afd-drop alone cannot
# fire the ETW-joined rule (no ETW events); with the netsh trace beside it the
# rule runs and fires. Rules built on a skipped rule are skipped too; a
# replayed timeline (jsonl) can hold anything, so nothing is skipped for it.
. "$(dirname "$0")/lib.sh"
D=$ROOT/samples/etw-afd-drop
R=$ROOT/rules

findings() {  # JSON report on stdin -> sorted rule names
	python3 -c 'import json,sys; print(" ".join(sorted(f["rule"] for f in json.load(sys.stdin)["findings"])))'
}

"$CORRELATOR" analyze -v -f json -r "$R" client=$D/client.pcap >"$TMPD/pcap.json" 2>"$TMPD/pcap.err"
check_grep "pcap only: the ETW-joined rule is skipped, with why" \
	'^skip etw_drop_joined_to_packet: step 2 \[etw\] needs events that none of the given sources and analyzers produce$' "$TMPD/pcap.err"
check_grep "pcap only: the packet rules run" '^run  tcp_stall_before_last_segment$' "$TMPD/pcap.err"
check_grep "pcap only: the rules on the analyzers' events run (smtp)" '^run  smtp_capture_no_final_reply$' "$TMPD/pcap.err"
check_grep "pcap only: the firewall-log rules are skipped" '^skip fw_idle_timeout_drop: step 2 \[fw.drop\] ' "$TMPD/pcap.err"
check "pcap only: the count line" "rules: 45 loaded, 35 run, 10 skipped" "$(grep '^rules: [0-9]' "$TMPD/pcap.err")"
check "pcap only: one line per rule" 45 "$(grep -cE '^(run |skip )' "$TMPD/pcap.err")"
check "pcap only: no finding of the ETW rules" "" "$(findings <"$TMPD/pcap.json" | tr ' ' '\n' | grep -E 'etw|winsock')"

"$CORRELATOR" analyze -v -f json -r "$R" client=$D/client.pcap etw=$D/netsh.txt >"$TMPD/both.json" 2>"$TMPD/both.err"
check_grep "with the ETW source: the ETW-joined rule runs" '^run  etw_drop_joined_to_packet$' "$TMPD/both.err"
check "with the ETW source: it fires" 3 "$(findings <"$TMPD/both.json" | tr ' ' '\n' | grep -c '^etw_drop_joined_to_packet$')"

# no analyzers: the analysis families are not there (tcp.idle comes from the tcp analyzer,
# but the capture's own tcp family covers it: only log rules are skipped)
"$CORRELATOR" analyze -v --no-analysis -f json -r "$R" $D/client.pcap >/dev/null 2>"$TMPD/noan.err"
check_grep "no analysis: the families named" '^rules: the events here are of the families: tcp udp dns esp icmp icmpv6 arp ip frame$' "$TMPD/noan.err"
check_grep "no analysis: path rules skipped" '^skip path_packet_modified: step 1 \[path.modified\] ' "$TMPD/noan.err"

# a rule on a skipped rule's findings is skipped as well
cat >"$TMPD/chain.rule" <<'RULE'
rule base
  title "base"
  severity low
  match [fw.drop]

rule on_base
  title "on base"
  severity low
  sequence by flow within 1s
    [tcp] as t
    [rule.base] as b
RULE
"$CORRELATOR" analyze -v -f json -r "$TMPD/chain.rule" $D/client.pcap >/dev/null 2>"$TMPD/chain.err"
check_grep "chain: the base rule skipped" '^skip base: step 1 \[fw.drop\]' "$TMPD/chain.err"
check_grep "chain: the rule on it skipped" '^skip on_base: step 2 \[rule.base\] needs the findings of a rule that is not run$' "$TMPD/chain.err"

# a replayed timeline may hold any event type: nothing skipped
"$CORRELATOR" analyze -v --no-analysis -f json -r "$R" "$ROOT/tests/rules/samples/etw_drop.fire.jsonl" >/dev/null 2>"$TMPD/jsonl.err"
check "jsonl: nothing skipped" "rules: 45 loaded, 45 run, 0 skipped" "$(grep '^rules: [0-9]' "$TMPD/jsonl.err")"
# without -v nothing is printed about rules
"$CORRELATOR" analyze -f json -r "$R" $D/client.pcap >/dev/null 2>"$TMPD/quiet.err"
check "without -v: no rule lines" 0 "$(grep -cE '^(run |skip |rules: )' "$TMPD/quiet.err")"
check_grep "--help names -v" '^  -v, --verbose ' <("$CORRELATOR" analyze --help)
