#!/bin/sh
# check_layers.sh - no #include runs from a lower pipeline stage to a higher one.
# Stages, lowest first (a file may include its own stage and those below it):
#   correlator/core < parsers/decode < parsers < correlator/analyze
#   < correlator/rulelang < correlator/report < correlator/cli
# Prints each offending line as file:line: and exits 1; silent and 0 when clean.
cd "$(dirname "$0")/../.." || exit 2
rank() {
	case $1 in
	correlator/core/*) echo 0 ;;
	parsers/decode/*) echo 1 ;;
	parsers/*) echo 2 ;;
	correlator/analyze/*) echo 3 ;;
	correlator/rulelang/*) echo 4 ;;
	correlator/report/*) echo 5 ;;
	correlator/cli/*) echo 6 ;;
	*) echo 9 ;;
	esac
}
bad=0
for f in correlator/*/*.[ch] parsers/*.[ch] parsers/*/*.[ch]; do
	[ -f "$f" ] || continue
	from=$(rank "$f")
	[ "$from" = 9 ] && { echo "$f: not in a stage folder"; bad=1; continue; }
	dir=$(dirname "$f")
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
		n=${line%%:*}
		inc=$(printf '%s\n' "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
		target=$(realpath -m --relative-to=. "$dir/$inc")
		to=$(rank "$target")
		if [ "$to" -gt "$from" ]; then
			echo "$f:$n: includes $target, a stage above it"
			echo x >&3
		fi
	done 3>>"${TMPDIR:-/tmp}/check_layers.$$"
done
if [ -s "${TMPDIR:-/tmp}/check_layers.$$" ]; then bad=1; fi
rm -f "${TMPDIR:-/tmp}/check_layers.$$"
exit $bad
