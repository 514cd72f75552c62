# The command line a newcomer meets: --help on every subcommand (usage on
# stdout, exit 0, nothing read as a file), --version; -o checked before any
# input is read; warnings and errors for options that look right but are not.
. "$(dirname "$0")/lib.sh"
C=$CORRELATOR
S=$ROOT/samples/path-synack-modified

# --- --help everywhere, --version
for sub in "analyze" "timeline" "rules" "rules check" "rules list" "rules fields" "formats"; do
	# shellcheck disable=SC2086
	$C $sub --help >"$TMPD/h.out" 2>"$TMPD/h.err"
	check "$sub --help: exit 0" 0 "$?"
	check "$sub --help: usage on stdout" yes "$(grep -q "^usage: correlator ${sub%% *}" "$TMPD/h.out" && echo yes || echo no)"
	check "$sub --help: nothing on stderr" "" "$(head -c 200 "$TMPD/h.err")"
done
check_rc "rules check -h: not a file" 0 "$C" rules check -h
check_rc "rules check: an unknown option is a usage error" 2 "$C" rules check --bogus
check_grep "rules check: the unknown option named" "unknown option '--bogus'" "$TMPD/rc.err"
check_rc "formats: a stray argument is a usage error" 2 "$C" formats extra
check_rc "--version: exit 0" 0 "$C" --version
check_grep "--version: prints the version" '^correlator [0-9]+\.[0-9]+\.[0-9]+$' "$TMPD/rc.out"
check_grep "usage mentions --version" "correlator --version" <("$C" --help)
