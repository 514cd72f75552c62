# The Wireshark filters the reports print are filters Wireshark accepts:
# every "frames" and "session" filter of the synthetic sample
# (tests/golden/report/sample.json) compiles in tshark (exit 0 on a real
# capture), and a cited-frames filter in our syntax selects exactly the cited
# frames. Skipped when tshark is missing.
. "$(dirname "$0")/lib.sh"
if ! command -v tshark >/dev/null; then
	echo "SKIP $SUITE: tshark not installed"
	exit 0
fi
cap=$ROOT/samples/path-synack-modified/client.pcap
python3 - "$ROOT/tests/golden/report/sample.json" >"$TMPD/filters" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
for inc in d["incidents"]:
    for f in inc["filters"]:
        print(f["frames"])
        if f["session"]:
            print(f["session"])
PY
# the IPv6, UDP and several-flows forms, exactly as tests/unit/test_report.c
# asserts report_session_filter() writes them
cat >>"$TMPD/filters" <<'FLT'
ipv6.addr==2001:db8::1 && tcp.port==50000 && ipv6.addr==2001:db8::2 && tcp.port==443
(ipv6.addr==2001:db8::1 && tcp.port==50000 && ipv6.addr==2001:db8::2 && tcp.port==443) || (ipv6.addr==2001:db8::1 && udp.port==5353 && ipv6.addr==ff02::fb && udp.port==5353)
FLT
n=0
while IFS= read -r flt; do
	tshark -r "$cap" -Y "$flt" >/dev/null 2>"$TMPD/err"
	check "tshark accepts: $flt" 0 "$?"
	n=$((n + 1))
done <"$TMPD/filters"
check "filters checked" 10 "$n"
check "cited frames select exactly those frames" "1 3" \
	"$(tshark -r "$cap" -Y 'frame.number in {1, 3}' -T fields -e frame.number 2>/dev/null | paste -sd' ')"
