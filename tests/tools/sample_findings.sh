#!/usr/bin/env bash
# tests/tools/sample_findings.sh - print the findings of every sample under
# samples/ as `correlator BIN analyze -f json` reports them: one line per
# finding (sample, run, rule, severity, evidence refs as SOURCE#REF), sorted, so
# two binaries can be compared with diff (before/after a speed change the
# output must be identical). Each sample runs once with all its inputs and,
# when it has several, once per input. A sample's `args` file adds options.
# With --timeline it prints `timeline -f jsonl` and `-f csv` of the same runs
# instead (byte for byte, in the order written).
# Does not: judge the findings (the e2e tests do).
# Usage: tests/tools/sample_findings.sh [--timeline] BIN [SAMPLES_DIR]
set -u
mode=findings
if [ "${1:-}" = --timeline ]; then mode=timeline; shift; fi
bin=${1:?usage: sample_findings.sh [--timeline] BIN [SAMPLES_DIR]}
root=$(cd "$(dirname "$0")/../.." && pwd)
sdir=${2:-$root/samples}
case $bin in /*) ;; */*) bin=$PWD/$bin ;; esac
# the shipped rules, wherever the binary lies (a copy in /tmp has no ../rules)
export CORRELATOR_RULES=${CORRELATOR_RULES:-$root/rules}

emit() {  # NAME RUN FILE...
	local name=$1 run=$2; shift 2
	local extra=()
	[ -f "$sdir/$name/args" ] && read -r -a extra <"$sdir/$name/args"
	if [ "$mode" = timeline ]; then
		local fmt
		for fmt in jsonl csv; do
			echo "== $name $run $fmt"
			(cd "$sdir/$name" && "$bin" timeline -f "$fmt" "${extra[@]}" "$@" 2>/dev/null)
			echo "== exit $?"
		done
		return
	fi
	(cd "$sdir/$name" && "$bin" analyze -f json "${extra[@]}" "$@" 2>/dev/null) |
		python3 -c '
import json, sys
name, run = sys.argv[1], sys.argv[2]
try:
    d = json.load(sys.stdin)
except ValueError:
    print(name, run, "NO-REPORT"); sys.exit(0)
out = []
for f in d.get("findings", []):
    refs = sorted("%s#%s" % (e.get("source"), e.get("ref")) for e in f.get("evidence", []))
    out.append("%s %s %s %s %s" % (name, run, f.get("rule"), f.get("severity"), ",".join(refs)))
if not out:
    out.append("%s %s (no findings)" % (name, run))
print("\n".join(sorted(out)))
' "$name" "$run"
}

for d in "$sdir"/*/; do
	name=$(basename "$d")
	files=()
	for f in "$d"*; do
		b=$(basename "$f")
		case $b in README.md | expected* | make.py | args) continue ;; esac
		[ -f "$f" ] && files+=("$b")
	done
	[ ${#files[@]} -gt 0 ] || continue
	emit "$name" all "${files[@]}"
	if [ ${#files[@]} -gt 1 ]; then
		for f in "${files[@]}"; do emit "$name" "$f" "$f"; done
	fi
done
