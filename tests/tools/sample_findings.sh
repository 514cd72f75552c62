#!/usr/bin/env bash
# tests/tools/sample_findings.sh [--timeline] BIN [RULES] - every finding BIN reports on the
# bundled inputs, one line each, sorted: the set, the run, the rule, its
# severity, its message and its evidence (source#ref). Runs: each samples/*/ set
# with all its inputs together and each input alone (so rules that need
# another source's events are seen both run and not run), and each
# tests/rules/samples/*.jsonl timeline with and without the analyzers.
# With --timeline it prints `timeline -f jsonl` and `-f csv` of the sample runs
# instead (byte for byte, in the order written).
# Used to show that a change to the rule engine leaves the findings alone:
#   diff <(tests/tools/sample_findings.sh /tmp/corr-main) <(tests/tools/sample_findings.sh bin/correlator)
# Does not: judge the findings (tests/e2e/test_rules.sh and the samples' own
# expected files do).
set -u
mode=findings
if [ "${1:-}" = --timeline ]; then mode=timeline; shift; fi
BIN=${1:?usage: sample_findings.sh [--timeline] BIN [RULES]}
case $BIN in /*) ;; */*) BIN=$PWD/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RULES=${2:-$ROOT/rules}

dump() {  # LABEL RUN -- JSON report on stdin
	python3 -c '
import json, sys
set_, run = sys.argv[1], sys.argv[2]
try:
    r = json.load(sys.stdin)
except ValueError:
    print("%s\t%s\t(no report)" % (set_, run)); sys.exit(0)
src = [s.get("label", "?") for s in r.get("sources", [])]
for f in r.get("findings", []):
    ev = ",".join("%s#%s" % (src[e["source"]] if isinstance(e.get("source"), int) and e["source"] < len(src) else e.get("source"), e.get("ref")) for e in f.get("evidence", []))
    print("\t".join([set_, run, f["rule"], str(f.get("severity")), f.get("message") or "", ev]))
' "$1" "$2"
}

. "$(dirname "$0")/sample_inputs.sh"

run() {  # SET RUN FILE... -- the findings, or with --timeline both timelines
	local set_=$1 run_=$2; shift 2
	if [ "$mode" = timeline ]; then
		local fmt
		for fmt in jsonl csv; do
			echo "== $set_ $run_ $fmt"
			"$BIN" timeline -f "$fmt" --quiet --no-progress "${extra[@]}" "$@" 2>/dev/null
			echo "== exit $?"
		done
		return
	fi
	"$BIN" analyze -f json --quiet --no-progress -r "$RULES" "${extra[@]}" "$@" 2>/dev/null | dump "$set_" "$run_"
}

if [ "$mode" = timeline ]; then
	for d in "$ROOT"/samples/*/; do
		mapfile -t files < <(sample_inputs "$d")
		[ ${#files[@]} -eq 0 ] && continue
		extra=()
		[ -f "$d/args" ] && read -r -a extra <"$d/args"
		run "$(basename "$d")" all "${files[@]}"
	done
	exit 0
fi
{
for d in "$ROOT"/samples/*/; do
	set_=$(basename "$d")
	mapfile -t files < <(sample_inputs "$d")
	[ ${#files[@]} -eq 0 ] && continue
	extra=()
	[ -f "$d/args" ] && read -r -a extra <"$d/args"
	srcs=("${files[@]}")   # bare paths: each labelled with its file name
	run "$set_" all "${srcs[@]}"
	if [ ${#files[@]} -gt 1 ]; then
		for s in "${srcs[@]}"; do
			run "$set_" "$(basename "$s")" "$s"
		done
	fi
done
for j in "$ROOT"/tests/rules/samples/*.jsonl; do
	set_=rules/$(basename "$j" .jsonl)
	"$BIN" analyze -f json --quiet --no-progress --no-analysis -r "$RULES" "$j" 2>/dev/null | dump "$set_" no-analysis
	"$BIN" analyze -f json --quiet --no-progress -r "$RULES" "$j" 2>/dev/null | dump "$set_" analysis
done
} | LC_ALL=C sort
