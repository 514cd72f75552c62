#!/usr/bin/env bash
# test_fieldcases.sh - every field-case family (tests/fieldcases/fam_*.py) on
# FIELDCASE_SEEDS seeds (default 20), each with its near-miss twin: the
# incident's finding with exact numbers and evidence refs, the near-miss quiet.
source "$(dirname "$0")/lib.sh"
out="$TMPD/fieldcases.out"
python3 "$ROOT/tests/fieldcases/run.py" --correlator "$CORRELATOR" \
	--seeds "${FIELDCASE_SEEDS:-20}" >"$out" 2>&1
grep -E '^(ok|FAIL) ' "$out" | while IFS= read -r line; do _result "$line"; done
grep -E '^  reproduce: ' "$out" >&2 || true
if ! grep -qE '^(ok|FAIL) ' "$out" && ls "$ROOT"/tests/fieldcases/fam_*.py >/dev/null 2>&1; then
	_result "FAIL fieldcases: run.py printed no result: $(head -c 300 "$out")"
fi
