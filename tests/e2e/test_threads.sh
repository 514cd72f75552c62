#!/usr/bin/env bash
# tests/e2e/test_threads.sh - reader threads change nothing but speed: on every
# bundled sample set with all its inputs at once, on one run over the inputs
# of every sample set together (many sources of many formats), on damaged
# captures and logs (warnings on stderr, damaged-record counts), and on the
# field-case families with several captures, the report (json and text), both
# timelines (jsonl, csv), stderr and the exit status of `--threads 1` (all on
# the main thread) are byte-identical to the default and to more threads
# than sources. Also: CORRELATOR_THREADS, and --threads 0 refused.
# TSan: `make tsan` runs this script against a -fsanitize=thread build.
# Does not: time anything (tests/bench/bench.sh does).
. "$(dirname "$0")/lib.sh"

# same NAME ARGS...: outputs of ARGS with --threads 1, 2, 5 and the default agree
# (the sanitizer build, five times slower, compares 1 with the default only)
counts=(1 2 5 default)
case "$CORRELATOR" in */san/*) counts=(1 default) ;; esac
same() {
	local name=$1; shift
	local t ref=
	for t in "${counts[@]}"; do
		local opt=(--threads "$t")
		[ "$t" = default ] && opt=()
		"$CORRELATOR" "$@" "${opt[@]}" >"$TMPD/out.$t" 2>"$TMPD/err.$t"
		echo "exit $?" >>"$TMPD/err.$t"
		if [ -z "$ref" ]; then
			ref=$t
			continue
		fi
		if ! cmp -s "$TMPD/out.$ref" "$TMPD/out.$t" || ! cmp -s "$TMPD/err.$ref" "$TMPD/err.$t"; then
			_result "FAIL $SUITE: $name: --threads $t differs from --threads 1: $(diff "$TMPD/out.$ref" "$TMPD/out.$t" | head -c 300) $(diff "$TMPD/err.$ref" "$TMPD/err.$t" | head -c 300)"
			return
		fi
	done
	_result "ok $SUITE: $name: --threads 1, 2, 5 and the default agree ($(wc -l <"$TMPD/out.1") lines, $(($(wc -l <"$TMPD/err.1") - 1)) on stderr)"
}

# same_all NAME SOURCES...: the four outputs
same_all() {
	local name=$1; shift
	same "$name analyze json" analyze -f json --no-progress "$@"
	same "$name analyze text" analyze --no-progress "$@"
	same "$name timeline jsonl" timeline -f jsonl --no-progress "$@"
	same "$name timeline csv" timeline -f csv --no-progress "$@"
}

. "$ROOT/tests/tools/sample_inputs.sh"

all=()
for d in "$ROOT"/samples/*/; do
	mapfile -t files < <(sample_inputs "$d")
	[ ${#files[@]} -eq 0 ] && continue
	set_=$(basename "$d")
	extra=()
	[ -f "$d/args" ] && read -r -a extra <"$d/args"
	for f in "${files[@]}"; do all+=("$set_-$(basename "$f")=$f"); done
	[ ${#files[@]} -gt 1 ] || continue
	same_all "$set_" "${extra[@]}" "${files[@]}"
done
# every sample's inputs in one run: captures, ETW, EVTX and text logs read at once
same_all "every sample together (${#all[@]} sources)" "${all[@]}"

# damaged inputs: warnings on stderr in the same order, the same counts
python3 - "$TMPD" <<'PY'
import struct, sys, os
d = sys.argv[1]
def pcap(path, frames, damage):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(frames):
            eth = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00"
            ip = bytearray(b"\x45\x00\x00\x28\x00\x01\x00\x00\x40\x06\x00\x00\x0a\x00\x00\x01\x0a\x00\x00\x02")
            tcp = struct.pack(">HHIIBBHHH", 40000 + i % 7, 80, 1000 + i, 0, 0x50, 0x02, 8192, 0, 0)
            if i in damage:
                ip[0] = 0x41  # header length 4 bytes: damaged
            frame = eth + bytes(ip) + tcp
            f.write(struct.pack("<IIII", 1700000000 + i, i * 1000, len(frame), len(frame)))
            f.write(frame)
pcap(os.path.join(d, "a.pcap"), 60, set(range(3, 60, 2)))
pcap(os.path.join(d, "b.pcap"), 40, {1, 5, 9, 30})
with open(os.path.join(d, "fw.log"), "w") as f:
    for i in range(50):
        if i % 9 == 4:
            f.write("this line is no iptables line at all %d\n" % i)
        else:
            f.write("Nov 14 22:13:%02d gw kernel: [1.0] DROP IN=eth0 OUT= SRC=10.0.0.%d DST=10.0.0.2 LEN=40 PROTO=TCP SPT=%d DPT=80 SYN\n" % (20 + i % 40, 1 + i % 3, 40000 + i))
PY
same_all "damaged captures and a log" a="$TMPD/a.pcap" b="$TMPD/b.pcap" fw="$TMPD/fw.log"
check_grep "the damaged capture warns on stderr" "^a#[0-9]+: warning: " "$TMPD/err.1"

# field-case families with several captures (and their near-miss twins)
keep=$TMPD/fieldcases
for fam in synack-modified wan-delay-nat idle-timeout-drop sqlbrowser-cluster etw-drop smtp-relay; do
	python3 "$ROOT/tests/fieldcases/run.py" --correlator "$CORRELATOR" --seeds 2 --family "$fam" \
		--keep "$keep" >/dev/null 2>&1 || true
done
n=0
for c in "$keep"/*/; do
	[ -f "$c/sources" ] || continue
	mapfile -t srcs <"$c/sources"
	[ ${#srcs[@]} -gt 1 ] || continue
	args=()
	[ -f "$c/args" ] && mapfile -t args <"$c/args"
	(cd "$c" && same "fieldcase $(basename "$c") analyze json" analyze -f json --no-progress "${args[@]}" "${srcs[@]}")
	(cd "$c" && same "fieldcase $(basename "$c") timeline jsonl" timeline -f jsonl --no-progress "${args[@]}" "${srcs[@]}")
	n=$((n + 1))
done
check "field cases compared" yes "$([ "$n" -ge 10 ] && echo yes || echo "only $n")"

# the environment variable, and what --threads accepts
d=$ROOT/samples/path-synack-modified
"$CORRELATOR" timeline -f jsonl --threads 1 "$d/client.pcap" "$d/fw-in.pcap" "$d/fw-out.pcap" >"$TMPD/t1" 2>&1
CORRELATOR_THREADS=3 "$CORRELATOR" timeline -f jsonl "$d/client.pcap" "$d/fw-in.pcap" "$d/fw-out.pcap" >"$TMPD/t3" 2>&1
check "CORRELATOR_THREADS=3 gives the same timeline" same "$(cmp -s "$TMPD/t1" "$TMPD/t3" && echo same || echo differs)"
check_rc "--threads 0 is refused" 2 "$CORRELATOR" analyze --threads 0 "$d/client.pcap"
check_rc "--threads x is refused" 2 "$CORRELATOR" analyze --threads x "$d/client.pcap"
check_rc "CORRELATOR_THREADS=0 is refused" 2 env CORRELATOR_THREADS=0 "$CORRELATOR" analyze "$d/client.pcap"
