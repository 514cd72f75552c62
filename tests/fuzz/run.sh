#!/usr/bin/env bash
# tests/fuzz/run.sh replay BUILD_DIR  - replay seeds + regression inputs through
#                                        every target's harness (part of make test)
# tests/fuzz/run.sh fuzz SECONDS       - run each libFuzzer target SECONDS with the
#                                        seeds, FUZZ_JOBS (2) at a time; crashes are
#                                        copied to tests/fuzz/regress/<target>/
# tests/fuzz/run.sh have-libfuzzer     - exit 0 when clang links -fsanitize=fuzzer
# Targets: one per line of tests/fuzz/seeds.txt (every input format, and
# "rules" for the rule language); FUZZ_ONLY="pcap rules" limits a run to those.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
mode=$1
arg=${2:-}
jobs=${FUZZ_JOBS:-2}
status=0
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/fuzz/lsan.supp:print_suppressions=0}

if [ "$mode" = have-libfuzzer ]; then
	command -v clang >/dev/null 2>&1 || exit 1
	t=$(mktemp -d)
	printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$t/f.c"
	clang -fsanitize=fuzzer,address,undefined -o "$t/f" "$t/f.c" >/dev/null 2>&1
	rc=$?
	rm -rf "$t"
	exit $rc
fi

# one fuzz run; prints one line; returns nonzero on a crash, leak or timeout
fuzz_one() {
	local fmt=$1 secs=$2
	shift 2
	local bin=build/fuzz/fuzz_$fmt work=build/fuzz/work/$fmt regress=tests/fuzz/regress/$fmt
	mkdir -p "$work" "$regress"
	[ $# -gt 0 ] && cp -n "$@" "$work"/ 2>/dev/null
	if ! "$bin" -max_total_time="$secs" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$regress/" "$work" >"build/fuzz/$fmt.log" 2>&1; then
		echo "fuzz $fmt: FAILED, see build/fuzz/$fmt.log and $regress/"
		return 1
	fi
	local runs
	runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "build/fuzz/$fmt.log" | grep -Eo '[0-9]+$' | tail -1)
	echo "fuzz $fmt: ${runs:-?} runs in ${secs}s, no crash"
}

running=0
while read -r fmt globs; do
	case "$fmt" in ''|\#*) continue ;; esac
	case " ${FUZZ_ONLY:-$fmt} " in *" $fmt "*) ;; *) continue ;; esac
	seeds=()
	for g in $globs; do
		g=${g//\$SHARED/$SHARED}
		for f in $g; do [ -f "$f" ] && seeds+=("$f"); done
	done
	regress=tests/fuzz/regress/$fmt
	if [ "$mode" = replay ]; then
		bin=$arg/fuzz-replay/replay_$fmt
		"$bin" "${seeds[@]}" $( [ -d "$regress" ] && echo "$regress" ) || status=1
	else
		if [ "$running" -ge "$jobs" ]; then
			wait -n || status=1
			running=$((running - 1))
		fi
		fuzz_one "$fmt" "$arg" "${seeds[@]}" &
		running=$((running + 1))
	fi
done <tests/fuzz/seeds.txt
while [ "$running" -gt 0 ]; do
	wait -n || status=1
	running=$((running - 1))
done
exit $status
