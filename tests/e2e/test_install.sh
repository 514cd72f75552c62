# `make install PREFIX=/usr DESTDIR=stage`, as a distribution packages it: the
# staged binary (compiled for another prefix) finds its rule library beside
# itself, <exe>/../share/correlator/rules, and lists every shipped rule; with
# the library removed it says where it looked and runs without rules.
. "$(dirname "$0")/lib.sh"
stage=$TMPD/stage
make -C "$ROOT" --no-print-directory -s install PREFIX=/usr DESTDIR="$stage" INSTALL_BIN="$CORRELATOR" \
	>"$TMPD/install.out" 2>&1
check "make install into a staging folder" 0 "$?"
bin=$stage/usr/bin/correlator
check "staged binary installed" yes "$([ -x "$bin" ] && echo yes || echo no)"
want=$(cat "$ROOT"/rules/*.rule | grep -Ec '^rule ')
env -u CORRELATOR_RULES "$bin" rules list >"$TMPD/list.out" 2>"$TMPD/list.err"
check "staged rules list: every shipped rule" "$want" "$(grep -c . "$TMPD/list.out")"
check "staged rules list: read from the staging folder" "$want" \
	"$(grep -c "($stage/usr/share/correlator/rules/" "$TMPD/list.out")"
check "staged rules list: no complaint" "" "$(cat "$TMPD/list.err")"
# analyze from there runs the library too
S=$ROOT/samples/path-synack-modified
env -u CORRELATOR_RULES "$bin" analyze --no-progress -f json client="$S/client.pcap" fw-in="$S/fw-in.pcap" \
	fw-out="$S/fw-out.pcap" tmg="$S/tmg-fws.w3c" >"$TMPD/a.json" 2>"$TMPD/a.err"
check "staged analyze: the shipped rule fires" yes "$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print("yes" if any(f["rule"] == "synack_modified_between_vantage_points" for f in r["findings"]) else [f["rule"] for f in r["findings"]])' "$TMPD/a.json")"
rm -rf "$stage/usr/share/correlator"
env -u CORRELATOR_RULES "$bin" rules list >"$TMPD/list.out" 2>"$TMPD/list.err"
check_grep "no library: says where it looked" 'no rule library at /[^ ]+/share/correlator/rules \(nor beside the executable' "$TMPD/list.err"
