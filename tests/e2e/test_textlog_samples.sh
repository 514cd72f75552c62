# Golden tests for the text-log and export samples: each samples/<case>/ holds
# inputs, an optional `args` file and expected.jsonl, the output of
#   correlator timeline -f jsonl --no-analysis [args] INPUT...
# (inputs = every file but README.md, args, expected.*; in name order).
# Regenerate deliberately with UPDATE_EXPECTED=1 tests/e2e/run.sh.
. "$(dirname "$0")/lib.sh"
cases="pfirewall tmg-fws tmg-web exchange-receive exchange-send exchange-tracking
       tshark-csv tshark-tsv tshark-legacy-time netmon-text"
for c in $cases; do
	dir=$ROOT/samples/$c
	inputs=()
	for f in "$dir"/*; do
		case $(basename "$f") in README.md|args|expected.*|make.py) continue ;; esac
		inputs+=("$(basename "$f")")
	done
	args=()
	[ -f "$dir/args" ] && read -r -a args <"$dir/args"
	(cd "$dir" && "$CORRELATOR" timeline -f jsonl --no-analysis "${args[@]}" "${inputs[@]}") \
		>"$TMPD/$c.jsonl" 2>"$TMPD/$c.err"
	if [ "${UPDATE_EXPECTED:-0}" = 1 ]; then
		cp "$TMPD/$c.jsonl" "$dir/expected.jsonl"
	fi
	if cmp -s "$dir/expected.jsonl" "$TMPD/$c.jsonl"; then
		check "samples/$c matches expected.jsonl" same same
	else
		check "samples/$c matches expected.jsonl" same "$(diff "$dir/expected.jsonl" "$TMPD/$c.jsonl" | head -5)"
	fi
	check "samples/$c reads without skips" "" "$(grep -E 'warning|error' "$TMPD/$c.err" | head -3)"
done
