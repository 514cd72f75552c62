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

# --- -o naming something that is not a regular file is written in place: a
# FIFO stays a FIFO (its reader gets the report) and a symbolic link stays a
# link to the file it names (renaming a temporary file over either would
# replace it; as root that would turn -o /dev/null into a plain file)
mkfifo "$TMPD/fifo"
timeout 20 cat "$TMPD/fifo" >"$TMPD/fifo.out" &
reader=$!
check_rc "-o a FIFO: runs" 0 timeout 20 "$C" analyze --no-progress -o "$TMPD/fifo" "$S/client.pcap"
wait "$reader"
check "-o a FIFO: still a FIFO" yes "$([ -p "$TMPD/fifo" ] && echo yes || echo no)"
check "-o a FIFO: its reader got the report" "correlator report" "$(head -1 "$TMPD/fifo.out" | grep -o '^correlator report')"
: >"$TMPD/target.txt"
ln -s target.txt "$TMPD/link.txt"
check_rc "-o a symbolic link: runs" 0 "$C" analyze --no-progress -o "$TMPD/link.txt" "$S/client.pcap"
check "-o a symbolic link: still a link" yes "$([ -L "$TMPD/link.txt" ] && echo yes || echo no)"
check "-o a symbolic link: the file it names got the report" "correlator report" "$(head -1 "$TMPD/target.txt" | grep -o '^correlator report')"
check "-o in place: no temporary file left" "" "$(cd "$TMPD" && ls | grep '\.tmp\.' || true)"

# --- options that look right but are not
# the same file under two labels: a warning (stderr and the report), the run goes on
"$C" analyze --no-progress -f json a="$S/client.pcap" b="$S/client.pcap" >"$TMPD/two.json" 2>"$TMPD/two.err"
check "same file twice: still runs" 0 "$?"
check_grep "same file twice: warned" "warning: sources 'a' and 'b' are the same file" "$TMPD/two.err"
check "same file twice: noted in the report" "the same file as source 'a'" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sources"][1]["notes"][0])' "$TMPD/two.json")"
"$C" analyze --no-progress -f json a="$S/client.pcap" b="$S/fw-in.pcap" >/dev/null 2>"$TMPD/diff.err"
check "two different files: no such warning" "" "$(grep 'same file' "$TMPD/diff.err")"
# --idle-gap without a unit
check_rc "--idle-gap 5: usage error" 2 "$C" timeline --idle-gap 5 "$S/client.pcap"
check_grep "--idle-gap 5: names the units" "'5' has no unit \(ns us ms s m h d" "$TMPD/rc.err"
check_rc "--idle-gap 5m is fine" 0 "$C" timeline --idle-gap 5m "$S/client.pcap"
# --tz on a source stamped in UTC
check_rc "--tz on a pcap: runs" 0 "$C" timeline --tz client=Europe/Berlin client="$S/client.pcap"
check_grep "--tz on a pcap: warned, ignored" "warning: --tz client: pcap stores UTC times; the zone is ignored" "$TMPD/rc.err"
check "--tz on a pcap: times unchanged" "$("$C" timeline client="$S/client.pcap" | head -1)" \
	"$("$C" timeline --tz client=Europe/Berlin client="$S/client.pcap" 2>/dev/null | head -1)"
check_rc "--tz on a local-time log: no warning" 0 "$C" timeline --tz fw=+02:00 fw="$ROOT/samples/pfirewall/pfirewall.log"
check "--tz on a local-time log: no warning" "" "$(grep 'zone is ignored' "$TMPD/rc.err")"
# =PATH: an empty label
check_rc "=PATH: usage error" 2 "$C" timeline "=$S/client.pcap"
check_grep "=PATH: says the label is empty" "empty label" "$TMPD/rc.err"
# a stray file in a capture folder is skipped with a note, not counted as damage
"$C" analyze --no-progress -f json ring="$ROOT/tests/data/ring" >"$TMPD/ring.json" 2>"$TMPD/ring.err"
check "ring with a stray file: no warnings counted, nothing skipped" "0 0" \
	"$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["sources"][0]; print(s["warnings"], s["skipped"])' "$TMPD/ring.json")"
check_grep "ring with a stray file: a note naming it" "README.txt: not a capture or log, skipped" "$TMPD/ring.json"
"$C" analyze --no-progress ring="$ROOT/tests/data/ring" >"$TMPD/ring.txt" 2>/dev/null
check "ring text report: no 'damaged' line" "" "$(grep -i 'damaged' "$TMPD/ring.txt")"
