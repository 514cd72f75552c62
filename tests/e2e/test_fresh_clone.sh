# What a fresh clone gives a newcomer: the end-to-end tests pass with no
# shared corpus beside the repository (every check that reads it says SKIP),
# the README's first command builds quietly and prints the report, and the
# licence is there.
. "$(dirname "$0")/lib.sh"

# 1. the corpus hidden: every script that reads $SHARED runs, nothing fails,
# the corpus checks say SKIP (one line each). When the corpus is absent this
# run is that check already; the sanitizer pass of make test leaves it to the
# release pass (same scripts, slower binary).
case $CORRELATOR in */build/san/*) nested=no ;; *) nested=yes ;; esac
if [ -d "$SHARED/corpus" ] && [ $nested = yes ]; then
	only=$(cd "$ROOT/tests/e2e" && grep -l 'SHARED' test_*.sh | grep -v "^$SUITE.sh$" | sed 's/\.sh$//' | tr '\n' ' ')
	SHARED=$TMPD/no-shared E2E_ONLY="$only" "$ROOT/tests/e2e/run.sh" >"$TMPD/nested.out" 2>"$TMPD/nested.err"
	last=$(tail -1 "$TMPD/nested.out")
	check "no corpus: every e2e check passes or skips" "0 failed" \
		"$(echo "$last" | grep -Eo '[0-9]+ failed')$(grep '^FAIL' "$TMPD/nested.out" | head -3)"
	check "no corpus: the corpus checks say SKIP naming what is missing" yes \
		"$(grep -Eq '^SKIP test_[a-z_]+: needs .*no-shared/corpus' "$TMPD/nested.err" && echo yes || echo no)"
	check "no corpus: SKIP lines are single lines per script section" "" \
		"$(grep '^SKIP' "$TMPD/nested.err" | grep -v ': needs ' | head -3)"
fi

# 2. the README's first command: a quiet build, then the report
first=$(awk '/^```sh$/ {getline; print; exit}' "$ROOT/README.md")
check "README first command builds with make -s" yes \
	"$(echo "$first" | grep -Eq '(^|&& )make -s' && echo yes || echo "no: $first")"
cmd=${first#*&& bin/correlator }
[ "$cmd" != "$first" ] || cmd=
(cd "$ROOT" && eval "\"$CORRELATOR\" $cmd --no-progress") >"$TMPD/first.out" 2>"$TMPD/first.err"
check "README first command: the report's first line" "correlator report" \
	"$(head -1 "$TMPD/first.out" | grep -Eo '^correlator report')"
check "README first command: nothing on stderr" "" "$(head -3 "$TMPD/first.err")"

# the README says what the tests need and how to point at a corpus
check_grep "README: SHARED= points at a corpus" 'SHARED=[^ ]+ make test' "$ROOT/README.md"
check_grep "README: how long make test takes" 'About [0-9]+ minutes on 2 cores' "$ROOT/README.md"

# 3. a permissive licence (the libraries linked are LGPL or more liberal)
check "LICENSE is the MIT licence" yes \
	"$(grep -q '^MIT License' "$ROOT/LICENSE" 2>/dev/null && grep -q 'Permission is hereby granted, free of charge' "$ROOT/LICENSE" && echo yes || echo no)"
check_grep "README names the licence" 'MIT licence.*LICENSE' "$ROOT/README.md"
