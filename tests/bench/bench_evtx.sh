#!/usr/bin/env bash
# tests/bench/bench_evtx.sh - records/second (CPU time, one thread) of the EVTX
# readers on the corpus files: our own reader (evtx) against libevtx
# (evtx-libevtx). Builds tests/bench/bench_parser.c against the release objects.
# Usage: make && tests/bench/bench_evtx.sh [REPEAT]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rep=${1:-200}
objs=$(ls build/rel/correlator/*/*.o build/rel/parsers/*.o build/rel/parsers/*/*.o | grep -v '/main\.o$')
cc -std=c11 -D_GNU_SOURCE -O2 $(pkg-config --cflags libxml-2.0) -o build/rel/bench_parser \
	tests/bench/bench_parser.c $objs $(pkg-config --libs libpcap libxml-2.0 libpcre2-8 zlib) -lcsv \
	$(pkg-config --libs libevtx) $(pkg-config --libs libfwnt 2>/dev/null || echo -lfwnt) -lpthread -lm
for f in ../shared/corpus/evtx/*.evtx; do
	build/rel/bench_parser evtx "$f" "$rep"
	build/rel/bench_parser evtx-libevtx "$f" $((rep / 20 + 1))
done
