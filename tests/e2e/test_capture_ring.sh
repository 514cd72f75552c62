# A capture ring (a directory of small pcaps read as one source): every ref
# the correlator cites (JSONL events and their `cite` refs, report evidence,
# the incidents' Wireshark filters) names the file holding that very frame,
# with its frame number in that file. tests/tools/ring_check.py splits each
# capture into rings of 2 and 3 frames per file and maps every cited (file,
# frame) back onto the unsplit capture's numbering.
. "$(dirname "$0")/lib.sh"
caps=("$ROOT"/samples/tcp-*/capture.pcap "$ROOT/samples/path-synack-modified/client.pcap" "$ROOT/samples/path-idle-drop/client.pcap"
	"$ROOT/samples/udp-cluster-reply/client.pcap" "$ROOT/samples/dns-storm/dns.pcap" "$ROOT/samples/esp-loss-reorder/tunnel.pcap"
	"$ROOT/samples/arp-burst/lan.pcap")
python3 "$ROOT/tests/tools/tcp_edge.py" "$TMPD/edge"
# (not clock_jump: a ring is read in the order of its files' first times)
caps+=("$TMPD/edge/syn_after_rst.pcap" "$TMPD/edge/fin_resent.pcap" "$TMPD/edge/ack_unseen.pcap")
[ -d "$SHARED/corpus/pcap" ] && caps+=("$SHARED/corpus/pcap/zeek-rst-inject-rae.pcap" "$SHARED/corpus/pcap/zeek-m57-long-49583-80.pcap")
for f in "${caps[@]}"; do
	for n in 2 3; do
		rm -rf "$TMPD/ring"
		python3 "$ROOT/tests/tools/ring_check.py" "$CORRELATOR" "$f" "$n" "$TMPD/ring" >"$TMPD/out" 2>&1
		check "$(basename "$(dirname "$f")")/$(basename "$f") in a ring of $n-frame files" "" "$(grep -v ': ok' "$TMPD/out" | head -c 400)"
	done
done
