#!/usr/bin/env bash
# tests/e2e/test_jsonl.sh - a saved timeline read back: every event of a
# corpus capture survives timeline -f jsonl -> jsonl parser -> timeline -f
# jsonl with the same type, ts, ref, flow, fields (plus orig.source) and msg;
# malformed lines are counted skips citing their line.
. "$(dirname "$0")/lib.sh"
cap=$SHARED/corpus/pcap/cs-http_espn_fail.pcapng
if need_shared corpus/pcap/cs-http_espn_fail.pcapng; then
	"$CORRELATOR" timeline -f jsonl "$cap" >"$TMPD/a.jsonl"
	"$CORRELATOR" timeline -f jsonl --no-analysis "$TMPD/a.jsonl" >"$TMPD/b.jsonl"
	diff=$(python3 - "$TMPD/a.jsonl" "$TMPD/b.jsonl" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
bad = abs(len(a) - len(b))
for x, y in zip(a, b):
    if y["fields"].pop("orig.source", None) != x["source"]:
        bad += 1
    for k in ("type", "ts", "ref", "flow", "fields", "msg"):
        if x[k] != y[k]:
            bad += 1
print(bad, len(a))
PY
)
	check "jsonl round trip: every event identical" "0 $(wc -l <"$TMPD/a.jsonl")" "$diff"
fi
printf '%s\n' \
	'{"ts":"2024-01-07T08:00:00.5Z","source":"x","ref":3,"type":"fw.drop","flow":{"src":"10.0.0.1","sport":1,"dst":"10.0.0.2","dport":2,"proto":"tcp"},"fields":{"ip.src":"10.0.0.1","gap":1500000000,"fw.reason":"a\u00e9\"b","n#2":1.5,"deep":{"a":[1,2]}},"msg":"m"}' \
	'{"ts":"not a time","type":"x"}' \
	'{"ts":"2024-01-07T08:00:01Z","type":"x","fields":{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}' \
	'' \
	'{"ts":"2024-01-07T08:00:02+01:00","type":"y","ref":9' \
	'{"ts":"2024-01-07T07:00:03+01:00","type":"z"}' >"$TMPD/in.jsonl"
"$CORRELATOR" timeline -f jsonl --no-analysis x=$TMPD/in.jsonl >"$TMPD/out.jsonl" 2>"$TMPD/err"
check "jsonl: good lines read" 2 "$(wc -l <"$TMPD/out.jsonl")"
check "jsonl: bad lines are counted skips with their line" \
	"x#2: warning: ts 'not a time' is not an RFC 3339 time|x#3: warning: malformed JSON: nested deeper than 32 levels|x#5: warning: malformed JSON: expected ',' or '}'" \
	"$(grep -o 'x#[0-9]*: [a-z]*: .*' "$TMPD/err" | grep -v 'nested value dropped' | paste -sd'|')"
check_grep "jsonl: a nested field value is dropped with a warning" "x#1: warning: field 'deep': nested value dropped" "$TMPD/err"
first=$(head -1 "$TMPD/out.jsonl")
check "jsonl: types come back (address, duration, escapes, repeated name)" \
	'{"ip.src": "10.0.0.1", "gap": 1500000000, "fw.reason": "a\u00e9\"b", "n": 1.5, "orig.source": "x"}' \
	"$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["fields"]))' "$first")"
check "jsonl: ref and time zone offsets" "3 2024-01-07T06:00:03.000000000Z" \
	"$(python3 -c 'import json,sys; ls=[json.loads(l) for l in open(sys.argv[1])]; print(ls[0]["ref"], ls[1]["ts"])' "$TMPD/out.jsonl")"
