#!/usr/bin/env bash
# tests/e2e/test_damaged.sh - damaged copies of every corpus file (pcap, evtx,
# fwlog, exchange): truncated at 1, 24, 100 bytes, half and size-1, 64 bytes
# flipped in the middle, 512 bytes zeroed at two thirds. Each file's copies run
# as the sources of one `analyze -f json` and one `timeline -f jsonl` (so one
# bad copy must not stop the others): no crash (exit 0 or 3, never a signal),
# no hang (timeout 20 s), and nothing lost silently: a copy with fewer events
# than the intact file has a skip, a warning, a note or is marked unreadable;
# a copy cut at size-1 or zeroed past the first record keeps events.
# Then the clear-error cases the CLI promises (one line naming the path).
. "$(dirname "$0")/lib.sh"
C=$SHARED/corpus

damage() {  # SRC OUTDIR: writes VARIANT.NAME for each damage
	python3 - "$1" "$2" <<'PY'
import os, sys
src, out = sys.argv[1], sys.argv[2]
d = open(src, "rb").read()
n = len(d)
name = os.path.basename(src)
v = {"cut1": d[:1], "cut24": d[:24], "cut100": d[:100], "half": d[:n // 2], "m1": d[:n - 1]}
b = bytearray(d)
for i in range(n // 2, min(n, n // 2 + 64)):
    b[i] ^= 0x5A
v["flip"] = bytes(b)
b = bytearray(d)
z = n * 2 // 3
b[z:z + 512] = bytes(len(b[z:z + 512]))
v["zero"] = bytes(b)
for k, data in v.items():
    with open(os.path.join(out, "%s.%s" % (k, name)), "wb") as f:
        f.write(data)
PY
}

if need_shared corpus/pcap corpus/evtx corpus/fwlog corpus/exchange; then
files=0 crashed=0 silent=0 noevent=0 emptyline=0
for f in "$C"/pcap/* "$C"/evtx/*.evtx "$C"/fwlog/* "$C"/exchange/*; do
	[ -f "$f" ] || continue
	files=$((files + 1))
	name=$(basename "$f")
	rm -rf "$TMPD/v" && mkdir "$TMPD/v"
	damage "$f" "$TMPD/v"
	args=()
	for v in "$TMPD"/v/*; do args+=("$(basename "$v")=$v"); done
	"$CORRELATOR" analyze -f json --no-progress --quiet "intact=$f" >"$TMPD/i.json" 2>/dev/null
	timeout 20 "$CORRELATOR" analyze -f json --no-progress --quiet "intact=$f" "${args[@]}" \
		>"$TMPD/a.json" 2>"$TMPD/a.err"
	rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
		crashed=$((crashed + 1)); echo "damaged $name: analyze exit $rc: $(tail -c 300 "$TMPD/a.err")" >&2
		continue
	fi
	timeout 20 "$CORRELATOR" timeline -f jsonl --no-progress --quiet "intact=$f" "${args[@]}" \
		>"$TMPD/t.jsonl" 2>"$TMPD/t.err"
	rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
		crashed=$((crashed + 1)); echo "damaged $name: timeline exit $rc: $(tail -c 300 "$TMPD/t.err")" >&2
		continue
	fi
	# every source of the report judged against the intact file
	out=$(python3 - "$TMPD/a.json" "$TMPD/t.jsonl" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
src = {s["label"]: s for s in r["sources"]}
intact = src.pop("intact")["events"]
bad = []
for label, s in src.items():
    kind = label.split(".")[0]
    told = s["skipped"] + s["warnings"] + len(s["notes"]) > 0 or not s.get("readable", True)
    if s["events"] < intact and not told:
        bad.append("silent:" + label)
    # damage past the first record keeps what came before it
    if kind in ("m1", "zero") and intact >= 2 and s["events"] < 1:
        bad.append("noevent:" + label)
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
if sum(s["events"] for s in r["sources"]) and not lines:
    bad.append("emptyline:timeline")
print(" ".join(bad))
PY
)
	for b in $out; do
		case "$b" in
		silent:*) silent=$((silent + 1)) ;;
		noevent:*) noevent=$((noevent + 1)) ;;
		emptyline:*) emptyline=$((emptyline + 1)) ;;
		esac
		echo "damaged $name: $b" >&2
	done
done
check "damaged copies of every corpus file were run" yes "$([ "$files" -ge 30 ] && echo yes || echo "only $files")"
check "damaged copies: no crash or hang" 0 "$crashed"
check "damaged copies: nothing lost silently" 0 "$silent"
check "damaged copies: events before the damage kept" 0 "$noevent"
check "damaged copies: timeline written" 0 "$emptyline"

# a capture holding only its file header is named in the report
head -c 24 "$C/pcap/zeek-syn-then-rst.pcap" >"$TMPD/hdr-only.pcap"
"$CORRELATOR" analyze --no-progress "$TMPD/hdr-only.pcap" >"$TMPD/h.txt" 2>/dev/null
check_grep "header-only capture noted" "note: .*hdr-only.pcap holds no records" "$TMPD/h.txt"
fi

# clear errors (test_foundation.sh covers unknown format, empty file, missing
# file, empty directory, truncated header, one unreadable of two)
mkdir -p "$TMPD/junkdir"
printf 'hello\n' >"$TMPD/junkdir/notes.txt"
printf 'more text\n' >"$TMPD/junkdir/readme"
check_rc "directory with no captures exits 3" 3 "$CORRELATOR" timeline --no-progress "$TMPD/junkdir"
check_grep "directory with no captures: one line naming it" "junkdir.*(not a known format|no readable|no file)" "$TMPD/rc.err"
mkfifo "$TMPD/fifo.pcap"
check_rc "a FIFO is refused, not waited on" 3 timeout 10 "$CORRELATOR" timeline --no-progress "$TMPD/fifo.pcap"
check_grep "FIFO message names the path" "fifo.pcap: .*not a regular file" "$TMPD/rc.err"
cp "$ROOT/samples/path-synack-modified/client.pcap" "$TMPD/one.pcap"
if [ "$(id -u)" = 0 ]; then
	echo "test_damaged: permission denied: skipped (running as root, chmod does not block reads)"
else
	cp "$TMPD/one.pcap" "$TMPD/noperm.pcapng" && chmod 000 "$TMPD/noperm.pcapng"
	check_rc "permission denied exits 3" 3 "$CORRELATOR" timeline --no-progress "$TMPD/noperm.pcapng"
	check_grep "permission denied message" "noperm.pcapng: Permission denied" "$TMPD/rc.err"
fi
check_rc "one missing of two: the other runs, exit 3" 3 "$CORRELATOR" timeline --no-progress -f jsonl \
	"$TMPD/nope.pcap" "$TMPD/one.pcap"
check "one missing of two: the readable one's events written" 32 "$(grep -c '"type":"tcp"' "$TMPD/rc.out")"
check_grep "one missing of two: names the missing path" "nope.pcap: No such file or directory" "$TMPD/rc.err"

# inputs are never modified
sum_before=$(md5sum "$TMPD/one.pcap" | cut -d' ' -f1)
"$CORRELATOR" analyze --no-progress -o "$TMPD/out.txt" "$TMPD/one.pcap" 2>/dev/null
check "input unchanged by a run" "$sum_before" "$(md5sum "$TMPD/one.pcap" | cut -d' ' -f1)"
