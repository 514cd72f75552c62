# tests/e2e/lib.sh - helpers for end-to-end tests. Source it; then use
#   check NAME EXPECTED ACTUAL     exact comparison
#   check_rc NAME EXPECTED_RC CMD...   exit status of a command
#   check_grep NAME PATTERN FILE   extended-regex line present
#   run_json OUTVAR ARGS...        run correlator, capture stdout in a temp file
#   need_shared PATH...            PATHs under $SHARED exist, else one SKIP line
# Results go to $RESULTS (one "ok" / "FAIL" line per check).
set -u
: "${RESULTS:?run through tests/e2e/run.sh}"
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
SUITE=$(basename "$0" .sh)

_result() { echo "$1" | tee -a "$RESULTS" >/dev/null; [ "${1%% *}" = ok ] || echo "$1" >&2; }

check() {
	if [ "$2" = "$3" ]; then _result "ok $SUITE: $1"
	else _result "FAIL $SUITE: $1: expected [$2] got [$3]"; fi
}

check_rc() {
	local name=$1 want=$2; shift 2
	"$@" >"$TMPD/rc.out" 2>"$TMPD/rc.err"; local got=$?
	if [ "$got" = "$want" ]; then _result "ok $SUITE: $name"
	else _result "FAIL $SUITE: $name: exit $got, expected $want; stderr: $(head -c 300 "$TMPD/rc.err")"; fi
}

check_grep() {
	if grep -Eq -- "$2" "$3"; then _result "ok $SUITE: $1"
	else _result "FAIL $SUITE: $1: no line matches /$2/ in $3: $(head -c 300 "$3")"; fi
}

# python3 one-liner over a JSONL file: jq-like counting without jq
jsonl_count() {  # FILE PYTHON_BOOL_EXPR_ON_e
	python3 - "$1" "$2" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if eval(sys.argv[2], {}, {"e": e}):
        n += 1
print(n)
PY
}

# need_shared PATH...: true when every PATH (relative to $SHARED) exists; else
# one SKIP line naming the first missing one, and false. A fresh clone has no
# ../shared:  need_shared corpus/pcap/x.pcap || exit 0
need_shared() {
	local p
	for p in "$@"; do
		if [ ! -e "$SHARED/$p" ]; then
			echo "SKIP $SUITE: needs $SHARED/$p (the shared corpus; SHARED=DIR points at one)" | tee -a "$RESULTS" >&2
			return 1
		fi
	done
}
