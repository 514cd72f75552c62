#!/usr/bin/env bash
# tests/bench/bench.sh - `make bench`: generate a synthetic capture
# (build/bench/bench-N-C.pcap: BENCH_PACKETS packets, default 500,000, of
# BENCH_SESSIONS interleaved TCP sessions, default 20,000, with loss and
# retransmissions) and time, in one run on the same file: the libpcap
# read-only loop, `analyze` without rules (an empty rules directory) and with
# the shipped library, `timeline` jsonl (without and with analysis) and csv,
# and tshark's TCP expert pass (BENCH_NO_TSHARK=1 skips it). Each as CPU time
# (user + system of the one process, so other load does not distort it), wall
# time, Mpkt/s, ratio to the loop, how many times faster than tshark, and peak
# RSS. Then: memory per live session (two captures of the same length with
# 4x the concurrent sessions), a 3-source case (client, firewall and server
# captures of the same sessions, also with --threads 1), log lines/s
# (bench_logs.sh, BENCH_LOG_LINES, default 500,000) and EVTX records/s
# (bench_evtx.sh, when ../shared and libevtx are there). BENCH_QUICK=1 skips the memory, log and EVTX parts.
# Does not: assert anything (timed tests are flaky); the README quotes it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bdir=$root/build/bench
corr=${CORRELATOR:-$root/bin/correlator}
n=${BENCH_PACKETS:-500000}
conc=${BENCH_SESSIONS:-20000}
pcap=$bdir/bench-$n-$conc.pcap
mkdir -p "$bdir" "$bdir/norules"
gen() {  # OUT PACKETS CONCURRENT [VANTAGE]
	[ -s "$1" ] || "$bdir/gen_capture" "$@" 2>/dev/null
}
gen "$pcap" "$n" "$conc"
cat "$pcap" >/dev/null  # warm the page cache: every run reads from memory
echo "bench: $pcap ($(du -m "$pcap" | cut -f1) MB, $n packets, $conc concurrent sessions), $(nproc) CPUs"
export CORRELATOR_RULES=${CORRELATOR_RULES:-$root/rules}

# measure NAME CMD...: sets CPU WALL RSS (MB); prints nothing
measure() {
	shift
	/usr/bin/time -f '%U %S %e %M' -o "$bdir/time.out" "$@" >/dev/null 2>"$bdir/stderr.out" || {
		CPU=; echo "  $*: failed: $(tail -c 300 "$bdir/stderr.out")" >&2; return 0; }
	read -r usr sys WALL rss <"$bdir/time.out"
	CPU=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
	RSS=$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')
}

names=() cpus=() walls=() rsss=()
run() {  # NAME CMD...
	measure "$@"
	[ -n "$CPU" ] || return 0
	names+=("$1") cpus+=("$CPU") walls+=("$WALL") rsss+=("$RSS")
}
run "libpcap pcap_next_ex loop" "$bdir/pcap_read" "$pcap"
run "analyze -f json, no rules" "$corr" analyze -f json -r "$bdir/norules" "$pcap"
run "analyze -f json, shipped rules" "$corr" analyze -f json "$pcap"
run "timeline -f jsonl --no-analysis" "$corr" timeline -f jsonl --no-analysis "$pcap"
run "timeline -f jsonl" "$corr" timeline -f jsonl "$pcap"
run "timeline -f csv" "$corr" timeline -f csv "$pcap"
tshark_cpu=
if command -v tshark >/dev/null && [ -z "${BENCH_NO_TSHARK:-}" ]; then
	run "tshark -Y tcp.analysis.flags (TCP expert)" tshark -r "$pcap" -Y tcp.analysis.flags -T fields -e frame.number
	[ -z "$CPU" ] || tshark_cpu=$CPU
fi
printf '  %-44s %8s %8s %8s %8s %9s %8s\n' "" "CPU s" "wall s" "Mpkt/s" "x loop" "x tshark" "RSS MB"
for i in "${!names[@]}"; do
	awk -v name="${names[$i]}" -v c="${cpus[$i]}" -v w="${walls[$i]}" -v n="$n" -v r="${rsss[$i]}" \
		-v b="${cpus[0]}" -v t="$tshark_cpu" 'BEGIN {
		ts = (t != "" && c > 0) ? sprintf("%8.1fx", t / c) : "        -";
		printf "  %-44s %8.2f %8.2f %8.2f %7.1fx %s %8.1f\n", name, c, w, (c > 0 ? n / c / 1e6 : 0),
			(b > 0 ? c / b : 0), ts, r }'
done
[ -n "$tshark_cpu" ] || echo "  tshark: not run"

# three vantage points of the same sessions (the clock 1 ms apart each):
# the path analysis matches them; wall time shows what parallel decoding gains
# (--threads 1: the same on one thread, the single-thread cost)
n3=$((n / 2))
for v in 0 1 2; do gen "$bdir/bench3-$n3-$conc-$v.pcap" "$n3" "$conc" "$v"; done
cat "$bdir"/bench3-"$n3-$conc"-*.pcap >/dev/null
three=(client="$bdir/bench3-$n3-$conc-0.pcap" fw="$bdir/bench3-$n3-$conc-1.pcap" server="$bdir/bench3-$n3-$conc-2.pcap")
echo "3 sources (client, fw, server), $n3 packets each:"
measure x "$bdir/pcap_read" "$bdir/bench3-$n3-$conc-0.pcap"
loop3=$(awk -v c="$CPU" 'BEGIN { printf "%.3f", 3 * c }')
for mode in "analyze -f json -r $bdir/norules" "analyze -f json --threads 1 -r $bdir/norules" "analyze -f json" \
	"analyze -f json --threads 1" "timeline -f jsonl"; do
	# shellcheck disable=SC2086
	measure x "$corr" $mode "${three[@]}"
	[ -n "$CPU" ] || continue
	awk -v name="$mode" -v c="$CPU" -v w="$WALL" -v n="$((3 * n3))" -v r="$RSS" -v b="$loop3" 'BEGIN {
		sub(/-r [^ ]*norules/, "(no rules)", name);
		printf "  %-44s %8.2f %8.2f %8.2f %7.1fx %8s %8.1f   CPU/wall %.2f\n", name, c, w, n / c / 1e6,
			c / b, "", r, (w > 0 ? c / w : 0) }'
done

[ -z "${BENCH_QUICK:-}" ] || exit 0

# memory per live session: the same packet count with 4x the sessions open
# at once; the RSS difference over the extra sessions (core state alone with
# --no-analysis, everything with analyze)
nm=200000 c1=5000 c2=20000
gen "$bdir/mem-$nm-$c1.pcap" "$nm" "$c1"
gen "$bdir/mem-$nm-$c2.pcap" "$nm" "$c2"
echo "memory per live session ($c1 vs $c2 concurrent sessions, $nm packets):"
for mode in "timeline -f jsonl --no-analysis" "analyze -f json -r $bdir/norules" "analyze -f json"; do
	# shellcheck disable=SC2086
	measure x "$corr" $mode "$bdir/mem-$nm-$c1.pcap"
	r1=$RSS
	# shellcheck disable=SC2086
	measure x "$corr" $mode "$bdir/mem-$nm-$c2.pcap"
	awk -v name="$mode" -v a="$r1" -v b="$RSS" -v d="$((c2 - c1))" 'BEGIN {
		sub(/-r [^ ]*norules/, "(no rules)", name);
		printf "  %-44s %7.1f MB -> %7.1f MB: %6.0f bytes per session\n", name, a, b, (b - a) * 1048576 / d }'
done

echo "logs:"
"$here/bench_logs.sh" "${BENCH_LOG_LINES:-500000}" 2>&1 | sed 's/^/  /'
if ls "$root"/../shared/corpus/evtx/*.evtx >/dev/null 2>&1 && pkg-config --exists libevtx 2>/dev/null; then
	echo "evtx:"
	"$here/bench_evtx.sh" "${BENCH_EVTX_REPEAT:-50}" 2>&1 | sed 's/^/  /'
else
	echo "evtx: not run (needs ../shared/corpus/evtx and libevtx)"
fi
