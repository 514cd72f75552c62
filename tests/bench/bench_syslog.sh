#!/usr/bin/env bash
# tests/bench/bench_syslog.sh - parse throughput of the iptables and ASA
# parsers on generated 1M-line logs. Prints lines/s for the whole pipeline
# (`analyze -f json`, no analyzer rules needed: parse + merge + counts) and
# for `timeline -f jsonl` written to /dev/null (parse + JSON rendering).
# Usage: tests/bench/bench_syslog.sh [LINES]   (default 1000000)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BIN=${CORRELATOR:-$here/../../bin/correlator}
N=${1:-1000000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 - "$N" "$T" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
with open(f"{d}/ipt.log", "w") as f:
    for i in range(n):
        s = i % 86400
        f.write("Jan %2d %02d:%02d:%02d gw01 kernel: [%d.%06d] FW-DROP-IN: IN=eth0 OUT= "
                "MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=198.51.%d.%d DST=203.0.113.25 "
                "LEN=40 TOS=0x00 PREC=0x00 TTL=49 ID=%d DF PROTO=TCP SPT=%d DPT=25 WINDOW=1024 "
                "RES=0x00 ACK PSH URGP=0 \n" % (1 + i // 86400 % 28, s // 3600, s // 60 % 60, s % 60,
                                               i, i % 1000000, i >> 8 & 255, i & 255, i & 65535,
                                               1024 + i % 60000))
with open(f"{d}/asa.log", "w") as f:
    for i in range(n):
        s = i % 86400
        t = "Mar %2d 2019 %02d:%02d:%02d" % (1 + i // 86400 % 28, s // 3600, s // 60 % 60, s % 60)
        k = i % 4
        a = "10.0.%d.%d" % (i >> 8 & 255, i & 255)
        p = 1024 + i % 60000
        if k == 0:
            f.write(f"{t}: %ASA-6-302013: Built outbound TCP connection {i} for outside:198.51.100.7/443 (198.51.100.7/443) to inside:{a}/{p} (203.0.113.25/{p})\n")
        elif k == 1:
            f.write(f"{t}: %ASA-6-302014: Teardown TCP connection {i-1} for outside:198.51.100.7/443 to inside:{a}/{p} duration 0:01:05 bytes 18342 TCP FINs\n")
        elif k == 2:
            f.write(f"{t}: %ASA-6-106015: Deny TCP (no connection) from {a}/{p} to 198.51.100.7/443 flags PSH ACK  on interface inside\n")
        else:
            f.write(f"{t}: %ASA-6-305011: Built dynamic TCP translation from inside:{a}/{p} to outside:203.0.113.25/{p}\n")
PY
rate() {  # label cmd...
	local label=$1; shift
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	python3 -c "import sys; n,a,b=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print('%-34s %8.2f s  %10.0f lines/s' % (sys.argv[4], b-a, n/(b-a)))" "$N" "$t0" "$t1" "$label"
}
# parser-only harness against the release objects (make builds them)
ROOT=$(cd "$here/../.." && pwd)
objs=$(ls "$ROOT"/build/rel/correlator/*/*.o "$ROOT"/build/rel/parsers/*.o "$ROOT"/build/rel/parsers/*/*.o | grep -v '/main\.o$')
cc -std=c11 -D_GNU_SOURCE -O2 -o "$T/parse_only" "$here/parse_only.c" $objs \
	$(pkg-config --libs libpcap libxml-2.0 libpcre2-8 zlib 2>/dev/null) -lcsv $(pkg-config --libs libevtx 2>/dev/null) -lpthread -lm
echo "$N lines each; $(nproc) CPUs; one source = one parser thread"
for f in ipt:iptables asa:asa; do
	set -- $(echo "$f" | tr : ' ')
	read -r ev sk sec lps csec clps < <("$T/parse_only" "$2" "$T/$1.log")
	printf '%-34s %8.2f s  %10.0f lines/s  (CPU %.2f s: %.0f lines/s per core; %s events, %s skipped)\n' \
		"$1: parser only (next_event)" "$sec" "$lps" "$csec" "$clps" "$ev" "$sk"
done
for f in ipt asa; do
	rate "$f: analyze -f json" "$BIN" analyze -f json --no-progress "$T/$f.log"
	rate "$f: timeline --no-analysis jsonl" "$BIN" timeline -f jsonl --no-analysis --no-progress "$T/$f.log"
done
