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
# Rates use CPU time (user + system) of the one process, so other load on the
# machine does not distort them; the wall time is shown too.
run() {  # NAME CMD...
	local name=$1; shift
	/usr/bin/time -f '%U %S %e %M' -o "$bdir/time.out" "$@" >/dev/null 2>"$bdir/stderr.out" || {
		echo "  $name: failed: $(tail -c 300 "$bdir/stderr.out")"; return 0; }
	read -r usr sys wall rss <"$bdir/time.out"
	local cpu
	cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	[ -n "$base" ] || base=$cpu
	awk -v name="$name" -v c="$cpu" -v w="$wall" -v n="$n" -v rss="$rss" -v b="$base" \
		'BEGIN { printf "  %-46s %7.2f s CPU (%6.2f s wall) %10.0f pkt/s %7.1f MB RSS %6.1fx baseline\n", name, c, w, (c > 0 ? n / c : 0), rss / 1024, (b > 0 ? c / b : 0) }'
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
