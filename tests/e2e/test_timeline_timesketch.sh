# timeline -f jsonl and -f csv carry what Timesketch's JSONL/CSV import
# requires: message (non-empty text), datetime (ISO 8601 with an offset),
# timestamp_desc; plus timestamp in microseconds that agrees with datetime,
# and our ts (RFC 3339, nanoseconds) that agrees with both. CSV: a header
# line first, every row parses with the csv module into the header's columns.
. "$(dirname "$0")/lib.sh"
# a bundled sample (packets, a firewall log and analysis events): no corpus needed
S=$ROOT/samples/path-synack-modified
cap=(client="$S/client.pcap" fw-out="$S/fw-out.pcap" tmg="$S/tmg-fws.w3c")
"$CORRELATOR" timeline --no-progress -f jsonl "${cap[@]}" >"$TMPD/t.jsonl" 2>/dev/null
"$CORRELATOR" timeline --no-progress -f csv "${cap[@]}" >"$TMPD/t.csv" 2>/dev/null
check "jsonl and csv have the same number of events" \
	"$(wc -l <"$TMPD/t.jsonl")" "$(($(wc -l <"$TMPD/t.csv") - 1))"
check "csv header" "message,datetime,timestamp_desc,timestamp,ts,source,file,ref,type,src,sport,dst,dport,proto,session,fields" \
	"$(head -1 "$TMPD/t.csv")"
check "timesketch columns" "ok" "$(python3 - "$TMPD/t.jsonl" "$TMPD/t.csv" <<'PY'
import csv, json, sys
from datetime import datetime, timezone

def verify(row, where):
    msg, dt, desc = row.get("message"), row.get("datetime"), row.get("timestamp_desc")
    if not isinstance(msg, str) or not msg:
        return f"{where}: message missing or empty"
    if desc not in ("Packet Captured", "Event Recorded", "Analysis"):
        return f"{where}: timestamp_desc {desc!r}"
    d = datetime.fromisoformat(dt)          # what Timesketch's examples use
    if d.utcoffset() is None or d.utcoffset().total_seconds() != 0:
        return f"{where}: datetime {dt!r} has no UTC offset"
    us = int(row["timestamp"])
    if us != int((d - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds()) * 1000000 + d.microsecond:
        return f"{where}: timestamp {us} disagrees with datetime {dt}"
    ts = row["ts"]
    if not (ts.endswith("Z") and len(ts.split(".")[1]) == 10 and ts[:26] == dt[:26]):
        return f"{where}: ts {ts!r} disagrees with datetime {dt!r}"
    return None

n_json = n_csv = 0
for i, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    p = verify(json.loads(line), f"jsonl line {i}")
    if p:
        print(p); sys.exit()
    n_json += 1
with open(sys.argv[2], encoding="utf-8", newline="") as fh:
    rd = csv.DictReader(fh)
    for i, row in enumerate(rd, 2):
        if None in row or len(row) != len(rd.fieldnames):
            print(f"csv line {i}: wrong column count"); sys.exit()
        p = verify(row, f"csv line {i}")
        if p:
            print(p); sys.exit()
        n_csv += 1
print("ok" if n_json == n_csv and n_json > 0 else f"counts {n_json} {n_csv}")
PY
)"

# the column list the README documents is the header written
check "README's CSV column list is the header" "$(head -1 "$TMPD/t.csv")" \
	"$(grep -A1 -- '`-f csv` has the same in columns' "$ROOT/README.md" | tail -1 | tr -d '`')"
