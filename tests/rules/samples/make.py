#!/usr/bin/env python3
"""tests/rules/samples/make.py - writes the rule samples: for every family of
the shipped library (rules/*.rule) a timeline that fires its rules
(<family>.fire.jsonl) and one of near misses (<family>.miss.jsonl), as
`correlator timeline -f jsonl` would write them, with the events the
parsers and analyzers emit (docs/events.md). Beside each, <sample>.expected:
one line per finding, "rule<TAB>evidence refs", sorted; empty when nothing
may fire. tests/e2e/test_rules.sh compares `analyze -f json --no-analysis`
against them. Run it after changing a sample; review the diff of .expected.
"""
import datetime
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = datetime.datetime(2024, 1, 7, 8, 0, 0, tzinfo=datetime.timezone.utc)
NS = 1_000_000_000


def ts(sec):
    ns = int(round(sec * NS))
    d = T0 + datetime.timedelta(seconds=ns // NS)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%09dZ" % (ns % NS)


def flow(src, sport, dst, dport, proto="tcp"):
    return {"src": src, "sport": sport, "dst": dst, "dport": dport, "proto": proto}


class Sample:
    def __init__(self, name):
        self.name = name
        self.events = []
        self.expected = []

    def ev(self, t, source, ref, typ, fl=None, msg=None, **fields):
        f = {k.replace("__", "."): v for k, v in fields.items()}
        self.events.append({"ts": ts(t), "source": source, "ref": ref, "type": typ,
                            "flow": fl, "fields": f, "msg": msg or typ, "_t": t})

    def expect(self, rule, refs):
        self.expected.append("%s\t%s" % (rule, ",".join(str(r) for r in refs)))

    def write(self):
        self.events.sort(key=lambda e: e["_t"])
        with open(os.path.join(HERE, self.name + ".jsonl"), "w") as f:
            for e in self.events:
                e = dict(e)
                del e["_t"]
                f.write(json.dumps(e, separators=(",", ":")) + "\n")
        with open(os.path.join(HERE, self.name + ".expected"), "w") as f:
            for line in sorted(self.expected):
                f.write(line + "\n")


MIN = 60
samples = []


def sample(name):
    s = Sample(name)
    samples.append(s)
    return s


CLI, SRV = "10.0.0.5", "192.0.2.25"

# 1. SYN-ACK changed in the path, firewall SEQ/ACK mismatch drop
s = sample("synack_modified.fire")
a = flow(CLI, 51000, SRV, 25)
b = flow(SRV, 25, CLI, 51000)
s.ev(1.000, "client", 2, "tcp.handshake.syn_with_data", b, "SYN-ACK carries 12 bytes of payload", tcp__len=12)
s.ev(1.001, "client", 3, "tcp.handshake.ack_mismatch", a, expected=1001, actual=1013, diff=12)
s.ev(1.002, "tmg", 8, "fw.drop", a, fw__action="Denied", fw__result__code="0xc0040034",
     fw__result="FWX_E_SEQ_ACK_MISMATCH", ip__src=CLI, ip__dst=SRV)
s.expect("synack_modified_fw_seq_ack_drop", [2, 3, 8])
s.expect("synack_payload_ack_mismatch", [2, 3])

# the same seen by the path analyzer between two capture points
p = flow(CLI, 51010, SRV, 25)
s.ev(3.000, "client", 26, "path.modified", flow(SRV, 25, CLI, 51010), "SYN-ACK payload length 0 -> 12",
     path__dir="server->client", path__hop_from="fw-in", path__hop_to="client")
s.ev(3.001, "client", 27, "path.ack_mismatch", p, path__ack_rel=13, path__expected_ack_rel=1)
s.ev(3.002, "tmg", 10, "fw.drop", p, fw__result__code="0xc0040034", fw__result="FWX_E_SEQ_ACK_MISMATCH")
s.expect("synack_modified_between_vantage_points", [26, 27, 10])
s.expect("path_packet_modified", [26])     # the changed packet is a finding by itself too

s = sample("synack_modified.miss")
a = flow(CLI, 51001, SRV, 25)
s.ev(1.000, "client", 2, "tcp.handshake.syn_with_data", flow(SRV, 25, CLI, 51001), tcp__len=12)
s.ev(1.002, "tmg", 8, "fw.drop", a, fw__result__code="0xc0040034", fw__result="FWX_E_SEQ_ACK_MISMATCH")
c = flow(CLI, 51002, SRV, 25)
s.ev(2.001, "client", 13, "tcp.handshake.ack_mismatch", c, expected=1001, actual=1013, diff=12)
s.ev(2.002, "tmg", 9, "fw.drop", c, fw__result__code="0xc0040034", fw__result="FWX_E_SEQ_ACK_MISMATCH")
p = flow(CLI, 51011, SRV, 25)          # modified and mismatched, but the firewall let it through
s.ev(3.000, "client", 26, "path.modified", flow(SRV, 25, CLI, 51011), path__hop_from="fw-in", path__hop_to="client")
s.ev(3.001, "client", 27, "path.ack_mismatch", p, path__ack_rel=13, path__expected_ack_rel=1)
s.ev(3.002, "tmg", 10, "fw.accept", p, fw__result__code="0x0")
s.expect("path_packet_modified", [26])     # no drop to join, but a changed packet all the same

# 2. idle timeout
s = sample("idle_timeout.fire")
a = flow(CLI, 52000, SRV, 1433)
s.ev(1900.0, "client", 100, "tcp.idle", a, "session resumed after 30 min", gap=30 * MIN * NS, fate="reset")
s.ev(1900.5, "asa", 55, "fw.drop", a, fw__reason="no connection", ip__src=CLI, ip__dst=SRV)
c = flow(CLI, 52001, SRV, 1433)
s.ev(2000.0, "client", 200, "tcp.idle", c, gap=10 * MIN * NS, fate="retransmitted")
s.ev(2000.3, "client", 201, "tcp.retransmission", c)
s.ev(2009.6, "client", 205, "tcp.rst", c, origin="peer")
s.expect("fw_idle_timeout_drop", [100, 55])
s.expect("idle_session_reset_after_retransmissions", [200, 201, 205])

s = sample("idle_timeout.miss")
a = flow(CLI, 52002, SRV, 1433)
s.ev(1000.0, "client", 10, "tcp.idle", a, gap=2 * MIN * NS, fate="answered")   # shorter than any idle timer
s.ev(1000.5, "asa", 5, "fw.drop", a, fw__reason="no connection")
c = flow(CLI, 52003, SRV, 1433)
s.ev(2000.0, "client", 20, "tcp.idle", c, gap=30 * MIN * NS, fate="answered")
s.ev(2300.0, "asa", 6, "fw.drop", c, fw__reason="no connection")             # 5 min later: unrelated
d = flow(CLI, 52004, SRV, 1433)
s.ev(3000.0, "client", 30, "tcp.idle", d, gap=10 * MIN * NS, fate="retransmitted")
s.ev(3000.3, "client", 31, "tcp.retransmission", d)
s.ev(3000.5, "client", 32, "tcp.session", d, history="ShADadf")               # no reset

# 3. retransmissions exhausted, SACK stall
s = sample("retransmissions.fire")
a = flow(CLI, 53000, SRV, 445)
s.ev(10.0, "client", 40, "tcp.retransmission_exhausted", a, count=3, intervals="0.3s 0.6s 1.2s", end="rst",
     outcome="the session was reset", span=3 * NS,
     cite="36@%d the original segment;37@%d retransmission 1;38@%d retransmission 2;39@%d retransmission 3;40@%d the reset"
     % tuple(int(T0.timestamp() * NS) + int(t * NS) for t in (7.0, 7.3, 7.9, 9.1, 10.0)))
s.ev(20.0, "client", 77, "tcp.sack_stall", flow(CLI, 53001, SRV, 445), repeats=6)
s.expect("tcp_retransmissions_exhausted", [36, 37, 38, 39, 40])
s.expect("tcp_sack_stall", [77])

s = sample("retransmissions.miss")
s.ev(9.3, "client", 37, "tcp.retransmission", a)   # two retransmissions: the analyzer stays quiet
s.ev(9.9, "client", 38, "tcp.retransmission", a)
s.ev(10.0, "client", 40, "tcp.rst", a, origin="peer")
s.ev(20.0, "client", 77, "tcp.duplicate_ack", flow(CLI, 53001, SRV, 445))

# 4. UDP reply from another address
NODE, VIP = "10.1.1.12", "10.1.1.10"
s = sample("udp_other_address.fire")
r = flow(NODE, 1434, CLI, 50000, "udp")
s.ev(5.000, "client", 11, "udp.reply_from_other_address", r, expected_addr=VIP, actual_addr=NODE,
     service="sql-browser", ip__src=NODE, ip__dst=CLI)
s.ev(5.001, "fw", 31, "fw.drop", r, fw__reason="no matching connection", ip__src=NODE, ip__dst=CLI)
for i in range(3):
    s.ev(10.0 + 5 * i, "client", 20 + i, "udp.unanswered", flow(CLI, 50010 + i, VIP, 1434, "udp"),
         ip__src=CLI, ip__dst=VIP, service="sql-browser")
s.expect("udp_reply_other_address_fw_drop", [11, 31])
s.expect("udp_reply_other_address", [11])
s.expect("udp_requests_unanswered", [20, 21, 22])

s = sample("udp_other_address.miss")
s.ev(5.000, "client", 11, "udp.reply_from_other_address", r, expected_addr=VIP, actual_addr=NODE,
     ip__src=NODE, ip__dst=CLI)
s.ev(5.001, "fw", 31, "fw.drop", flow(NODE, 1434, CLI, 50001, "udp"))     # another flow
for i in range(2):
    s.ev(10.0 + 5 * i, "client", 20 + i, "udp.unanswered", flow(CLI, 50010 + i, VIP, 1434, "udp"),
         ip__src=CLI, ip__dst=VIP)
for i in range(3):                                                         # 3, but 90 s apart
    s.ev(100.0 + 90 * i, "client", 30 + i, "udp.unanswered", flow(CLI, 50020 + i, "10.1.1.20", 53, "udp"),
         ip__src=CLI, ip__dst="10.1.1.20")
s.expect("udp_reply_other_address", [11])   # the lesser rule still holds

# 5. SMTP
T0NS = int(T0.timestamp()) * NS
REMOTE = "203.0.113.10:25"
s = sample("smtp.fire")
def smtp(s, t, ref, typ, sess, **kw):
    s.ev(t, "send", ref, typ, None, smtp__session=sess, smtp__remote=REMOTE, **kw)
smtp(s, 100.0, 35, "smtp.command", "SA", smtp__data="DATA")
smtp(s, 100.1, 36, "smtp.reply", "SA", smtp__data="354 End data with <CR><LF>.<CR><LF>", smtp__code=354)
smtp(s, 160.1, 37, "smtp.disconnect", "SA")
smtp(s, 200.0, 50, "smtp.reply", "SC", smtp__data="451 4.7.1 Try again later", smtp__code=451)
smtp(s, 260.0, 60, "smtp.reply", "SD", smtp__data="550 5.1.1 User unknown", smtp__code=550)
smtp(s, 300.0, 70, "smtp.command", "SB", smtp__data="DATA")
smtp(s, 300.1, 71, "smtp.reply", "SB", smtp__data="354 Go ahead", smtp__code=354)
smtp(s, 400.0, 80, "smtp.info", "SE", smtp__data="queue idle")
s.expect("smtp_no_reply_after_data", [36, 37])
s.expect("smtp_no_final_reply", [71])
s.expect("smtp_error_replies", [50, 60])
# the relay that never answers the ".": the capture's smtp analyzer and the log's 354
EXCH, RELAY = "10.0.0.25", "203.0.113.10"
m = flow(EXCH, 30100, RELAY, 25)
smtp(s, 500.0, 90, "smtp.reply", "SF", smtp__data="354 End data with <CR><LF>.<CR><LF>", smtp__code=354)
s.events[-1]["flow"] = m
s.ev(500.2, "client", 210, "smtp.data_end", m, size=2048)
s.ev(561.0, "client", 215, "smtp.no_final_reply", m, wait=60800000000, eod_ref=210, end="client reset",
     cite="210@%d [smtp.data_end] the end of data;215@%d [tcp] the connection ends" % (T0NS + 500200000000,
                                                                                     T0NS + 561 * NS))
smtp(s, 561.2, 92, "smtp.disconnect", "SF")
s.events[-1]["flow"] = m
s.expect("smtp_no_reply_after_data", [90, 92])
s.expect("smtp_relay_no_final_reply", [90, 215, 210])   # the steps, then the cited records
s.expect("smtp_capture_no_final_reply", [210, 215])

s = sample("smtp.miss")
smtp(s, 100.0, 35, "smtp.command", "SA", smtp__data="DATA")
smtp(s, 100.1, 36, "smtp.reply", "SA", smtp__data="354 End data", smtp__code=354)
smtp(s, 101.0, 37, "smtp.reply", "SA", smtp__data="250 2.6.0 Queued mail for delivery", smtp__code=250)
smtp(s, 101.5, 38, "smtp.command", "SA", smtp__data="QUIT")
smtp(s, 101.6, 39, "smtp.disconnect", "SA")
smtp(s, 200.0, 50, "smtp.reply", "SC", smtp__data="250 OK", smtp__code=250)
# the relay answered (the capture and the log), then the session closed
EXCH, RELAY = "10.0.0.25", "203.0.113.10"
m = flow(EXCH, 30100, RELAY, 25)
smtp(s, 500.0, 90, "smtp.reply", "SF", smtp__data="354 End data", smtp__code=354)
s.events[-1]["flow"] = m
s.ev(500.2, "client", 210, "smtp.data_end", m, size=2048)
s.ev(503.0, "client", 212, "smtp.final_reply", m, smtp__code=250, wait=2800000000, eod_ref=210)
smtp(s, 503.001, 91, "smtp.reply", "SF", smtp__data="250 2.6.0 Queued", smtp__code=250)
s.events[-1]["flow"] = m
# a later message of the same session, unanswered in the capture, whose 354 the log does not hold
s.ev(530.2, "client", 230, "smtp.data_end", m, size=512)
s.ev(591.0, "client", 235, "smtp.no_final_reply", m, wait=60800000000, eod_ref=230, end="client reset",
     cite="230@%d [smtp.data_end] the end of data;235@%d [tcp] the connection ends" % (T0NS + 530200000000,
                                                                                     T0NS + 591 * NS))
s.expect("smtp_capture_no_final_reply", [230, 235])   # the lesser rule still holds

# 6. ESP
SPI = 0x1234
GW1, GW2 = "198.51.100.1", "198.51.100.2"
s = sample("esp.fire")
e = flow(GW1, 0, GW2, 0, "esp")
s.ev(1.0, "gw-in", 10, "esp.reordered", e, esp__spi=SPI, esp__sequence=1000, late_by=70, ip__src=GW1, ip__dst=GW2,
     sa="0x00001234 198.51.100.1 -> 198.51.100.2")
s.ev(1.2, "asa", 20, "fw.drop", e, esp__spi=SPI, fw__reason="IPSEC: ESP packet failed anti-replay checking")
T0NS = int(T0.timestamp()) * NS
s.ev(9.0, "gw-in", 2, "esp.summary", e, esp__spi=0x5678, sa="0x00005678 198.51.100.1 -> 198.51.100.2",
     packets=990, numbers=1000, lost=8, reordered=3, shallow=3, replay_window_exceeded=0, max_late=5,
     duplicates=1, first_lost_ref=30, first_reordered_ref=31, first_duplicate_ref=33,
     cite="30@%d first loss;31@%d first reordered packet;33@%d first duplicate" % (T0NS + 3 * NS, T0NS + 4 * NS, T0NS + 6 * NS))
s.expect("esp_replay_window_exceeded", [10])
s.expect("esp_replay_drop_fw", [10, 20])
s.expect("esp_loss", [30, 31, 33, 2])
s.expect("esp_reordering", [30, 31, 33, 2])
s.expect("esp_duplicates", [30, 31, 33, 2])

s = sample("esp.miss")
s.ev(1.0, "gw-in", 10, "esp.reordered", e, esp__spi=SPI, esp__sequence=1000, late_by=10)
s.ev(1.2, "asa", 20, "fw.drop", e, esp__spi=SPI, fw__reason="IPSEC: ESP packet failed anti-replay checking")
for i in range(4):
    s.ev(3.0 + i, "gw-in", 30 + i, "esp.lost", e, esp__spi=0x5678, esp__sequence=2000 + 10 * i, count=2)
s.ev(9.0, "gw-in", 2, "esp.summary", e, esp__spi=0x5678, sa="0x00005678 198.51.100.1 -> 198.51.100.2",
     packets=1000, numbers=1000, lost=0, reordered=0, shallow=0, replay_window_exceeded=0, max_late=0,
     duplicates=0)

# 7. floods
NAT = "198.51.100.7"
s = sample("flood.fire")
for i in range(120):
    s.ev(10.0 + i * 0.04, "fw-out", 1 + i, "tcp", flow(NAT, 20000 + i, SRV, 25),
         ip__src=NAT, ip__dst=SRV, tcp__flags__syn=True, tcp__flags__ack=False)
for i in range(25):
    s.ev(30.0 + i * 0.1, "server", 500 + i, "tcp.handshake.unanswered", flow("10.9.9.9", 40000 + i, SRV, 80))
for i in range(6):
    s.ev(60.0 + i, "tmg", 900 + i, "fw.drop", flow(NAT, 30000 + i, SRV, 25), ip__src=NAT, ip__dst=SRV,
         fw__result__code="0xc0040037", fw__result="FWX_E_TCP_RATE_QUOTA_EXCEEDED_DROPPED")
s.expect("tcp_connection_flood_from_one_source", list(range(91, 101)) + [120])
s.expect("tcp_syn_unanswered_burst", list(range(510, 520)) + [524])
s.expect("fw_flood_mitigation_drop", list(range(900, 905)) + [905])

s = sample("flood.miss")
for i in range(90):
    s.ev(10.0 + i * 0.1, "fw-out", 1 + i, "tcp", flow(NAT, 20000 + i, SRV, 25),
         ip__src=NAT, ip__dst=SRV, tcp__flags__syn=True, tcp__flags__ack=False)
for i in range(19):
    s.ev(30.0 + i * 0.1, "server", 500 + i, "tcp.handshake.unanswered", flow("10.9.9.9", 40000 + i, SRV, 80))
for i in range(4):
    s.ev(60.0 + i, "tmg", 900 + i, "fw.drop", flow(NAT, 30000 + i, SRV, 25), ip__src=NAT, ip__dst=SRV,
         fw__result__code="0xc0040037", fw__result="FWX_E_TCP_RATE_QUOTA_EXCEEDED_DROPPED")
s.ev(70.0, "tmg", 950, "fw.drop", flow(NAT, 31000, SRV, 25), ip__src=NAT, fw__result__code="0xc0040017",
     fw__result="FWX_E_TCP_NOT_SYN_PACKET_DROPPED")

# 8. DNS
s = sample("dns.fire")
b = dict(ip__src=CLI, count=300, window=NS * 9 // 10, peak_qps=300, mean_qps=300.0, names="wpad.contoso.com (300)",
         dns__qry__name="wpad.contoso.com", servfail=0)
df = flow(CLI, 60000, "10.0.0.53", 53, "udp")
s.ev(5.0, "client", 50, "dns.burst", df, responses=300, noerror=0, nxdomain=300, nxdomain_ratio=1.0,
     servfail_ratio=0.0, **b)
s.ev(15.0, "client", 450, "dns.burst", df, responses=280, noerror=0, nxdomain=0, nxdomain_ratio=0.0,
     servfail_ratio=1.0, **dict(b, servfail=280))
s.ev(25.0, "client", 850, "dns.burst", df, responses=0, noerror=0, nxdomain=0, nxdomain_ratio=0.0,
     servfail_ratio=0.0, **b)
s.ev(35.0, "client", 1250, "dns.burst", df, responses=300, noerror=300, nxdomain=0, nxdomain_ratio=0.0,
     servfail_ratio=0.0, **b)
s.expect("dns_query_storm_nxdomain", [50])
s.expect("dns_query_storm_servfail", [450])
s.expect("dns_query_storm_unanswered", [850])
s.expect("dns_query_storm", [1250])

s = sample("dns.miss")   # queries alone (no burst from the analyzer), and a summary
for i in range(60):
    s.ev(5.0 + i * 0.01, "client", 1 + i, "dns.query", flow(CLI, 60000 + i, "10.0.0.53", 53, "udp"),
         ip__src=CLI, dns__qry__name="host%d.contoso.com" % i, dns__id=i)
s.ev(9.0, "client", 1, "dns.summary", None, queries=60, responses=60, nxdomain=60, nxdomain_ratio=1.0)

# 9. ARP burst then resets
s = sample("arp.fire")
T0NS = int(T0.timestamp()) * NS
ob = dict(arp__src__proto_ipv4="10.0.0.1", count=40, targets=40, window=800_000, services="smb/445")
s.ev(50.0, "client", 300, "arp.burst_outcome", None, answered=40, unanswered=0, gratuitous=False, resets=2,
     host_resets=2, max_idle=600 * NS, min_idle=300 * NS, verdict="host_teardown",
     sessions="10.0.0.1:50000 -> 10.0.0.9:445 tcp (smb/445, idle 10 min, reset by the sender)",
     cite="280@%d the burst's first request;320@%d reset;321@%d reset" % (T0NS + 20 * NS, T0NS + 21 * NS, T0NS + 22 * NS),
     **ob)
s.ev(150.0, "client", 400, "arp.burst_outcome", None, answered=3, unanswered=37, gratuitous=True, resets=2,
     host_resets=0, verdict="failover", sessions="none", **ob)
s.ev(250.0, "client", 500, "arp.burst_outcome", None, answered=40, unanswered=0, gratuitous=False, resets=0,
     host_resets=0, verdict="none", sessions="none", **ob)
s.expect("arp_burst_host_teardown", [280, 320, 321, 300])
s.expect("arp_burst_failover", [400])
s.expect("arp_burst", [500])

s = sample("arp.miss")    # a burst alone and resets: the analyzer's outcome is what rules judge
s.ev(10.0, "client", 290, "tcp.rst", flow(SRV, 443, CLI, 51499), origin="peer")
s.ev(50.0, "client", 300, "arp.burst", None, arp__src__proto_ipv4="10.0.0.1", count=40)
s.ev(55.0, "client", 320, "tcp.rst", flow(SRV, 443, CLI, 51500), origin="peer")

# 10. injected RST
s = sample("rst_injected.fire")
s.ev(7.0, "client", 45, "tcp.rst", flow(SRV, 443, CLI, 51600), origin="path", ip__ttl=62, ttl_expected=118,
     ip__id=0, ipid_expected=31337)
s.expect("tcp_rst_injected", [45])
s.ev(9.0, "server", 12, "path.injected", flow(CLI, 51602, SRV, 443), "RST seen at server, never sent by the client",
     path__hop_from="client", path__hop_to="server")
s.expect("path_injected_packet", [12])

s = sample("rst_injected.miss")
s.ev(7.0, "client", 45, "tcp.rst", flow(SRV, 443, CLI, 51600), origin="peer", ip__ttl=118, ttl_expected=118)
s.ev(8.0, "client", 46, "tcp.rst", flow(SRV, 443, CLI, 51601), origin="unknown", ip__ttl=118)
s.ev(9.0, "server", 12, "path.lost", flow(CLI, 51602, SRV, 443), path__hop_from="client", path__hop_to="server")

# 11. ETW drops
DNS = "10.0.0.53"
s = sample("etw_drop.fire")
u = flow(DNS, 53, CLI, 50123, "udp")
s.ev(12.500, "client", 81, "udp", u, ip__src=DNS, ip__dst=CLI, udp__length=520)
s.ev(12.510, "netsh", 7, "etw.afd.datagram_dropped", u, etw__reason="Insufficient local buffer space",
     etw__afd__endpoint="0xFFFFE189BF2C7A10", etw__afd__length=512)
s.ev(13.000, "netsh", 8, "etw.afd.datagram_dropped", None, etw__reason="Insufficient local buffer space",
     etw__afd__endpoint="0xFFFFE189BF2C7A10", etw__afd__length=512)
s.ev(20.000, "netsh", 30, "etw.tcpip.drop", None, etw__reason="Inspection drop")
s.expect("winsock_datagram_dropped", [7, 8])
s.expect("etw_drop_joined_to_packet", [81, 7])
s.expect("etw_tcpip_drop", [30])

s = sample("etw_drop.miss")
s.ev(12.500, "client", 81, "udp", u, ip__src=DNS, ip__dst=CLI, udp__length=520)
s.ev(12.510, "netsh", 7, "etw.afd.datagram_received", u, etw__afd__endpoint="0xFFFFE189BF2C7A10")
s.ev(20.000, "netsh", 30, "etw.tcpip.connect", None)

# 12. periodic fixed delay (Nagle + delayed ACK)
def blocks(s, fl, back, t0, stalls, ref0):
    ref = ref0
    t = t0
    for st in stalls:
        for k in range(2):
            s.ev(t + k * 0.001, "client", ref, "tcp", fl, ip__src=fl["src"], tcp__len=1460,
                 tcp__flags__push=False, tcp__flags__ack=True)
            ref += 1
        s.ev(t + 0.002, "client", ref, "tcp", back, ip__src=back["src"], tcp__len=0, tcp__flags__ack=True)
        ref += 1
        s.ev(t + 0.001 + st, "client", ref, "tcp", fl, ip__src=fl["src"], tcp__len=200,
             tcp__flags__push=True, tcp__flags__ack=True)
        ref += 1
        t += 1.0
    return ref

s = sample("fixed_delay.fire")
fa, fb = flow(CLI, 54000, SRV, 1521), flow(SRV, 1521, CLI, 54000)
blocks(s, fa, fb, 10.0, [0.200, 0.201, 0.199], 1)
# blocks: refs 1,2 data, 3 ack, 4 last; 5,6,7,8; 9,10,11,12
# tcp_stall_before_last_segment is quiet: its three findings only feed this one
s.expect("periodic_fixed_delay", [4, 8, 12])

s = sample("fixed_delay.miss")
blocks(s, fa, fb, 10.0, [0.150, 0.250, 0.400], 1)
blocks(s, flow(CLI, 54001, SRV, 1521), flow(SRV, 1521, CLI, 54001), 20.0, [0.020, 0.020, 0.020], 100)

# 13. web shell then outbound UDP flood
WEB, ATT, VICTIM = "192.0.2.80", "203.0.113.66", "198.51.100.99"
s = sample("webshell_udp_flood.fire")
s.ev(100.0, "dmz", 10, "tcp", flow(ATT, 40000, WEB, 80), ip__src=ATT, ip__dst=WEB, tcp__len=350,
     tcp__srcport=40000, tcp__dstport=80,
     tcp__flags__push=True)
s.ev(100.05, "dmz", 11, "tcp", flow(WEB, 80, ATT, 40000), ip__src=WEB, ip__dst=ATT, tcp__len=300,
     tcp__srcport=80, tcp__dstport=40000, tcp__flags__push=True)
for i in range(60):
    s.ev(110.0 + i * 0.05, "dmz", 100 + i, "udp", flow(WEB, 50000, VICTIM, 53, "udp"), ip__src=WEB,
         ip__dst=VICTIM, udp__length=4000, udp__dstport=53, ip__fragment__count=3)
s.expect("outbound_udp_flood", list(range(140, 150)) + [159])
s.expect("webshell_udp_flood", [11, 149])

s = sample("webshell_udp_flood.miss")
s.ev(100.05, "dmz", 11, "tcp", flow(WEB, 80, ATT, 40000), ip__src=WEB, ip__dst=ATT, tcp__len=300,
     tcp__srcport=80, tcp__dstport=40000)
for i in range(30):
    s.ev(110.0 + i * 0.05, "dmz", 100 + i, "udp", flow(WEB, 50000, VICTIM, 53, "udp"), ip__src=WEB,
         ip__dst=VICTIM, udp__length=4000, ip__fragment__count=3)
for i in range(60):
    s.ev(300.0 + i * 0.05, "dmz", 200 + i, "udp", flow(WEB, 50001, VICTIM, 53, "udp"), ip__src=WEB,
         ip__dst=VICTIM, udp__length=4000, ip__fragment__count=3)
s.expect("outbound_udp_flood", list(range(240, 250)) + [259])   # the flood alone, no web request before

# 14. zero window: a receiver that stops reading
PRN = "10.3.3.3"
s = sample("zero_window.fire")
zf = flow(PRN, 9100, CLI, 50500)
s.ev(5.0, "client", 6, "tcp.zero_window_stall", zf, ip__src=PRN, duration=5 * NS, probes=3, end="reopened",
     cite="6@%d the first zero window;13@%d the window opens again" % (T0NS, T0NS + 5 * NS))
s.expect("tcp_zero_window_stall", [6, 13])

s = sample("zero_window.miss")   # recovered within the second
s.ev(5.0, "client", 6, "tcp.zero_window_stall", zf, ip__src=PRN, duration=NS * 4 // 10, probes=0, end="reopened")
s.ev(6.0, "client", 7, "tcp.zero_window", zf)

for s in samples:
    s.write()
