#!/usr/bin/env bash
# tests/bench/bench_logs.sh - parse rate of the line-oriented log parsers.
# Generates a Windows Firewall log of N lines (default 1,000,000; first arg)
# and an Exchange receive log, times `correlator analyze` (parse + merge +
# analyzers, report to /dev/null) and prints lines per second for each, by
# wall clock and by CPU time (the per-core rate; wall time suffers on a busy box),
# then the parsers alone (tests/bench/parse_rate.c, CPU time).
# Usage: tests/bench/bench_logs.sh [LINES]   (CORRELATOR= to pick the binary)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${CORRELATOR:-$root/bin/correlator}
lines=${1:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp/pfirewall.log" "$tmp/recv.log" "$lines" <<'PY'
import sys
out, recv, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
acts = ["DROP", "ALLOW", "DROP", "DROP"]
with open(out, "w") as f:
    f.write("#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n"
            "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n\n")
    buf = []
    for i in range(n):
        s = i // 50
        t = "2024-01-07 %02d:%02d:%02d" % ((s // 3600) % 24, (s // 60) % 60, s % 60)
        if i % 3 == 0:
            buf.append("%s DROP TCP 198.51.100.%d 10.0.0.5 %d 443 40 AP %d %d 64240 - - - RECEIVE\n"
                       % (t, i % 250, 1024 + i % 60000, 100000 + i, 200000 + i))
        elif i % 3 == 1:
            buf.append("%s %s UDP 192.168.178.%d 224.0.0.251 5353 5353 73 - - - - - - - RECEIVE\n"
                       % (t, acts[i % 4], i % 250))
        else:
            buf.append("%s ALLOW TCP 10.0.0.5 fe80::f58b:f19a:db72:%x 55330 25 0 - 0 0 0 - - - SEND\n"
                       % (t, i % 65536))
        if len(buf) == 10000:
            f.write("".join(buf)); buf = []
    f.write("".join(buf))
m = max(n // 4, 1)
with open(recv, "w") as f:
    f.write("#Software: Microsoft Exchange Server\n#Version: 15.0.0.0\n#Log-type: SMTP Receive Protocol Log\n"
            "#Date: 2019-03-21T00:00:01.120Z\n"
            "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\n")
    buf = []
    for i in range(m):
        sid = "08D6ADC6%08X" % (i // 20)
        ms = i % 1000
        buf.append('2019-03-21T08:14:%02d.%03dZ,EX01\\Default Frontend EX01,%s,%d,10.0.0.25:25,192.168.5.68:%d,>,'
                   '"250 2.6.0 <a%d@example.com> [InternalId=1, Hostname=EX01] Queued mail for delivery",\n'
                   % ((i // 1000) % 60, ms, sid, i % 20, 40000 + (i // 20) % 20000, i))
        if len(buf) == 10000:
            f.write("".join(buf)); buf = []
    f.write("".join(buf))
PY

rate() {  # LABEL FILE LINES: wall time and CPU time (user+sys) of one run
	python3 - "$bin" "$2" "$3" "$1" <<'PY'
import os, subprocess, sys, time
bin, path, n, label = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
t0 = time.monotonic()
p = subprocess.Popen([bin, "analyze", "--no-progress", "-o", "/dev/null", path],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
wall = time.monotonic() - t0
cpu = ru.ru_utime + ru.ru_stime
print("%-28s %9d lines  wall %6.3f s %10.0f lines/s   cpu %6.3f s %10.0f lines/s per core"
      % (label, n, wall, n / wall, cpu, n / cpu))
PY
}
rate "pfirewall (analyze)" "$tmp/pfirewall.log" "$lines"
rate "exchange receive (analyze)" "$tmp/recv.log" "$((lines / 4))"

# parser alone: a small driver linked against the release objects (make first)
objs=$(ls "$root"/build/rel/correlator/*/*.o "$root"/build/rel/parsers/*.o "$root"/build/rel/parsers/*/*.o 2>/dev/null | grep -v '/main\.o$' || true)
if [ -n "$objs" ] && cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -O2 -o "$tmp/parse_rate" \
	"$here/parse_rate.c" $objs $(pkg-config --libs libpcap libxml-2.0 libpcre2-8 zlib 2>/dev/null) -lcsv \
	$(pkg-config --libs libevtx 2>/dev/null) $(pkg-config --libs libfwnt 2>/dev/null || echo -lfwnt) -lpthread -lm 2>"$tmp/cc.err"; then
	"$tmp/parse_rate" "$tmp/pfirewall.log" "$tmp/recv.log" | sed 's/^ */parser only                 /'
else
	echo "parser-only rate skipped: could not link tests/bench/parse_rate.c (run make first)"
fi
