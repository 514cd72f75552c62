# The udp, esp, dns and arp analyzers on their samples: each sample's make.py
# rebuilds its captures byte for byte, and the analysis events of those types
# (tests/tools/analysis_lines.py) equal the sample's expected.txt. Also the
# corpus ESP capture: 120 packets in 12 clean SAs.
. "$(dirname "$0")/lib.sh"

run_sample() {  # CASE INPUT...
	local case=$1; shift
	local dir=$ROOT/samples/$case args=() f
	mkdir -p "$TMPD/$case"
	python3 "$dir/make.py" "$TMPD/$case"
	for f in "$@"; do
		if cmp -s "$dir/$f" "$TMPD/$case/$f"; then
			check "$case $f reproducible" same same
		else
			check "$case $f reproducible" same differs
		fi
		args+=("$dir/$f")
	done
	"$CORRELATOR" timeline -f jsonl "${args[@]}" >"$TMPD/$case.jsonl" 2>"$TMPD/$case.err"
	check "$case exit" 0 $?
	python3 "$ROOT/tests/tools/analysis_lines.py" "$TMPD/$case.jsonl" udp esp dns arp >"$TMPD/$case.got"
	if diff -u "$dir/expected.txt" "$TMPD/$case.got" >"$TMPD/$case.diff"; then
		check "$case analysis events" expected expected
	else
		check "$case analysis events" expected "$(head -c 600 "$TMPD/$case.diff")"
	fi
}

run_sample udp-cluster-reply client.pcap cluster.pcap
run_sample esp-loss-reorder tunnel.pcap
run_sample dns-storm dns.pcap
run_sample arp-burst lan.pcap

# the storyline counts, stated plainly (the expected files hold the details)
count() { jsonl_count "$TMPD/$1.jsonl" "$2"; }
check "cluster: replies from the node" 3 "$(count udp-cluster-reply 'e["type"]=="udp.reply_from_other_address" and e["source"]=="cluster.pcap"')"
check "cluster: client retries unanswered" 3 "$(count udp-cluster-reply 'e["type"]=="udp.unanswered" and e["source"]=="client.pcap"')"
check "cluster: the stand-alone server is fine" 0 "$(count udp-cluster-reply 'e["type"].startswith("udp.") and e["fields"].get("ip.dst")=="10.2.2.20"')"
check "esp: 5+1+1 did not arrive within the replay window (150, 3 late, is reordering)" 7 "$(python3 -c '
import json,sys
print(sum(json.loads(l)["fields"]["count"] for l in open(sys.argv[1]) if "\"esp.lost\"" in l))' "$TMPD/esp-loss-reorder.jsonl")"
check "esp: summary: 6 never arrived, 2 reordered, up to 80 late, 1 duplicate" "6 2 80 1" "$(python3 -c '
import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["type"] == "esp.summary" and e["fields"]["lost"]:
        f = e["fields"]; print(f["lost"], f["reordered"], f["max_late"], f["duplicates"])' "$TMPD/esp-loss-reorder.jsonl")"
check "esp: late beyond the replay window" 1 "$(count esp-loss-reorder 'e["type"]=="esp.reordered" and e["fields"]["replay_window_exceeded"]')"
check "dns: one burst of 300" 300 "$(python3 -c '
import json,sys
print(*[json.loads(l)["fields"]["count"] for l in open(sys.argv[1]) if "\"dns.burst\"" in l])' "$TMPD/dns-storm.jsonl")"
check "dns: the burst's answers: 300 of 300 NXDOMAIN" "300 300 1" "$(python3 -c '
import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["type"] == "dns.burst":
        f = e["fields"]; print(f["responses"], f["nxdomain"], f["nxdomain_ratio"])' "$TMPD/dns-storm.jsonl")"
# the burst's top names and counts are what tshark counts for that client
if command -v tshark >/dev/null; then
	tshark -r "$ROOT/samples/dns-storm/dns.pcap" -Y "dns.flags.response == 0 && ip.src == 10.0.5.23" \
		-T fields -e dns.qry.name 2>/dev/null | sort | uniq -c | awk '{print $2, $1}' | sort >"$TMPD/dns.tshark"
	python3 -c '
import json, re, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["type"] == "dns.burst":
        for n, c in re.findall(r"([^ ,]+) \((\d+)\)", e["fields"]["names"]):
            print(n, c)' "$TMPD/dns-storm.jsonl" | sort >"$TMPD/dns.ours"
	check "dns: burst names counted as tshark counts them" "$(cat "$TMPD/dns.tshark")" "$(cat "$TMPD/dns.ours")"
else
	echo "SKIP $SUITE: tshark not installed (burst names against tshark)" | tee -a "$RESULTS" >&2
fi
check "arp: 17 of 20 unanswered" 17 "$(count arp-burst 'e["type"]=="arp.unanswered"')"

# corpus: IPv6 ESP, 12 SAs of 10 packets, nothing lost or reordered
f=$SHARED/corpus/pcap/zeek-ip6_esp.pcap
if need_shared corpus/pcap/zeek-ip6_esp.pcap; then
"$CORRELATOR" timeline -f jsonl "$f" >"$TMPD/esp6.jsonl" 2>/dev/null
check "zeek-ip6_esp esp.summary" 12 "$(jsonl_count "$TMPD/esp6.jsonl" 'e["type"]=="esp.summary"')"
check "zeek-ip6_esp packets in summaries" 120 "$(python3 -c '
import json,sys
print(sum(json.loads(l)["fields"]["packets"] for l in open(sys.argv[1]) if "\"esp.summary\"" in l))' "$TMPD/esp6.jsonl")"
check "zeek-ip6_esp intervals" 120 "$(jsonl_count "$TMPD/esp6.jsonl" 'e["type"]=="esp.interval"')"
check "zeek-ip6_esp no loss" 0 "$(jsonl_count "$TMPD/esp6.jsonl" 'e["type"] in ("esp.lost","esp.reordered","esp.duplicate")')"
fi

# bounded memory: a cap of 4 holds 4 pending ARP requests; the rest are
# counted on the source's report line
"$CORRELATOR" analyze -f json --max-sessions 4 "$ROOT/samples/arp-burst/lan.pcap" >"$TMPD/cap.json" 2>/dev/null
check "cap note" "arp: 16 requests not tracked at the cap of 4 (--max-sessions)" \
	"$(python3 -c 'import json,sys; print(*[n for n in json.load(open(sys.argv[1]))["sources"][0]["notes"] if n.startswith("arp: 16")])' "$TMPD/cap.json")"
"$CORRELATOR" timeline -f jsonl --max-sessions 4 "$ROOT/samples/arp-burst/lan.pcap" >"$TMPD/cap.jsonl" 2>/dev/null
check "cap: 4 unanswered held" 4 "$(jsonl_count "$TMPD/cap.jsonl" 'e["type"]=="arp.unanswered"')"
