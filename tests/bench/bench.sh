#!/usr/bin/env bash
# tests/bench/bench.sh - `make bench`: generate a large synthetic capture
# (build/bench/bench.pcap, BENCH_PACKETS packets, default 2.5 million, many
# interleaved sessions with loss and retransmissions) and time, on the same
# file: the libpcap read-only baseline, correlator timeline without analysis,
# correlator analyze (timeline + analyzers), and two tshark runs. Prints
# packets/s, peak RSS and the ratio to the baseline for each.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bdir=$root/build/bench
corr=${CORRELATOR:-$root/bin/correlator}
n=${BENCH_PACKETS:-2500000}
conc=${BENCH_SESSIONS:-5000}
pcap=$bdir/bench-$n-$conc.pcap
mkdir -p "$bdir"
[ -s "$pcap" ] || "$bdir/gen_capture" "$pcap" "$n" "$conc"
cat "$pcap" >/dev/null  # warm the page cache: every run reads from memory
echo "bench: $pcap ($(du -m "$pcap" | cut -f1) MB, $n packets, $conc concurrent sessions), $(nproc) CPUs"

base=
run() {  # NAME CMD...
	local name=$1; shift
	/usr/bin/time -f '%e %M' -o "$bdir/time.out" "$@" >/dev/null 2>"$bdir/stderr.out" || {
		echo "  $name: failed: $(tail -c 300 "$bdir/stderr.out")"; return 0; }
	read -r secs rss <"$bdir/time.out"
	local pps
	pps=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	[ -n "$base" ] || base=$secs
	awk -v name="$name" -v s="$secs" -v pps="$pps" -v rss="$rss" -v b="$base" \
		'BEGIN { printf "  %-44s %7.2f s %11.0f pkt/s %8.1f MB peak RSS %6.1fx baseline\n", name, s, pps, rss / 1024, (b > 0 ? s / b : 0) }'
}
run "libpcap pcap_next_ex (baseline)" "$bdir/pcap_read" "$pcap"
run "correlator timeline -f jsonl --no-analysis" "$corr" timeline -f jsonl --no-analysis "$pcap"
run "correlator timeline -f jsonl (with analysis)" "$corr" timeline -f jsonl "$pcap"
run "correlator analyze -f json" "$corr" analyze -f json "$pcap"
if command -v tshark >/dev/null && [ -z "${BENCH_NO_TSHARK:-}" ]; then
	run "tshark -q -z conv,tcp" tshark -r "$pcap" -q -z conv,tcp
	run "tshark -Y tcp.analysis.flags -T fields" tshark -r "$pcap" -Y tcp.analysis.flags -T fields -e frame.number
else
	echo "  tshark: not run"
fi
