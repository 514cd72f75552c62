#!/usr/bin/env bash
# tests/fuzz/run.sh replay BUILD_DIR  - replay seeds + regression inputs through
#                                        every format's harness (part of make test)
# tests/fuzz/run.sh fuzz SECONDS       - run each libFuzzer target SECONDS with the
#                                        seeds; crashes are copied to tests/fuzz/regress/<format>/
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
mode=$1
arg=${2:-}
status=0
while read -r fmt globs; do
	case "$fmt" in ''|\#*) continue ;; esac
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
		bin=build/fuzz/fuzz_$fmt
		work=build/fuzz/work/$fmt
		mkdir -p "$work" "$regress"
		cp -n "${seeds[@]}" "$work"/ 2>/dev/null || true
		"$bin" -max_total_time="$arg" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix="$regress/" "$work" >"build/fuzz/$fmt.log" 2>&1 || {
			echo "fuzz $fmt: FAILED, see build/fuzz/$fmt.log and $regress/"; status=1; continue; }
		echo "fuzz $fmt: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "build/fuzz/$fmt.log" | tail -1), no crash"
	fi
done <tests/fuzz/seeds.txt
exit $status
