#!/usr/bin/env bash
# test_memory_flat.sh - memory follows live sessions, not log lines: a
# firewall log of 4N lines, each a new flow at the same steady rate, peaks at
# (almost) the same resident memory as one of N lines, because the sessions
# its lines create expire like packet sessions. Not a timed test.
source "$(dirname "$0")/lib.sh"
n=${MEMORY_FLAT_LINES:-50000}
# under AddressSanitizer freed memory waits in a quarantine: keep it small
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
peak_kb() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
python3 "$ROOT/tests/tools/gen_iptables_log.py" "$n" "$TMPD/small.log"
python3 "$ROOT/tests/tools/gen_iptables_log.py" $((4 * n)) "$TMPD/large.log"
small=$(peak_kb "$CORRELATOR" analyze --no-progress "$TMPD/small.log")
large=$(peak_kb "$CORRELATOR" analyze --no-progress "$TMPD/large.log")
sessions=$("$CORRELATOR" analyze --no-progress -f json "$TMPD/large.log" 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sources"]))')
check "memory: the large log is read (1 source)" 1 "$sessions"
check "memory: 4x the log lines, peak RSS within 1.3x (${small} KB vs ${large} KB)" yes \
	"$([ $((large * 10)) -le $((small * 13)) ] && echo yes || echo no)"
