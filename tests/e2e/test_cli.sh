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

# --- -o is checked before any input is read: a missing directory, a
# directory as the target, a file as the directory; the inputs (one missing
# on purpose) are never opened, so only the -o problem is reported
for cmd in analyze timeline; do
	check_rc "$cmd -o into a missing directory: usage error" 2 "$C" $cmd --no-progress -o "$TMPD/nodir/r.out" "$TMPD/missing.pcap"
	check "$cmd -o missing directory: one line, before the inputs" \
		"correlator: -o $TMPD/nodir/r.out: directory $TMPD/nodir: No such file or directory" "$(cat "$TMPD/rc.err")"
done
check_rc "-o naming a directory: usage error" 2 "$C" analyze -o "$TMPD" "$TMPD/missing.pcap"
check_grep "-o naming a directory: said so" "-o $TMPD: is a directory" "$TMPD/rc.err"
: >"$TMPD/afile"
check_rc "-o under a file: usage error" 2 "$C" analyze -o "$TMPD/afile/r.txt" "$S/client.pcap"
check_grep "-o under a file: said so" "$TMPD/afile is not a directory|Not a directory" "$TMPD/rc.err"
if [ "$(id -u)" != 0 ]; then
	mkdir "$TMPD/ro" && chmod 555 "$TMPD/ro"
	check_rc "-o into a read-only directory: usage error" 2 "$C" analyze -o "$TMPD/ro/r.txt" "$S/client.pcap"
	check_grep "-o read-only: said so" "not writable" "$TMPD/rc.err"
fi
check_rc "-o into a good directory still works" 0 "$C" analyze --no-progress -o "$TMPD/r.txt" "$S/client.pcap"
check "-o into a good directory: the report" "correlator report" "$(head -1 "$TMPD/r.txt" | grep -o '^correlator report')"
