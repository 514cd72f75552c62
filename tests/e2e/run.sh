#!/usr/bin/env bash
# tests/e2e/run.sh - runs every tests/e2e/test_*.sh against $CORRELATOR and
# prints one line per check plus the closing "N passed, N failed" line.
# Each test script sources lib.sh and calls its check helpers.
# E2E_ONLY="test_path test_rules" runs only the named scripts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export CORRELATOR=${CORRELATOR:-$here/../../bin/correlator}
export ROOT=$(cd "$here/../.." && pwd)
export SHARED=${SHARED:-$ROOT/../shared}
export RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
for t in "$here"/test_*.sh; do
	[ -f "$t" ] || continue
	if [ -n "${E2E_ONLY:-}" ]; then
		case " $E2E_ONLY " in *" $(basename "$t" .sh) "*) ;; *) continue ;; esac
	fi
	bash "$t" || echo "FAIL $(basename "$t"): script exited non-zero" | tee -a "$RESULTS"
done
pass=$(grep -c '^ok ' "$RESULTS" || true)
fail=$(grep -c '^FAIL ' "$RESULTS" || true)
skip=$(grep -c '^SKIP ' "$RESULTS" || true)
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
