/*
 * correlator/core/fields.c - the field catalogue (see fields.h). Keep it in step
 * with docs/events.md: one row per documented name.
 * Types a parser or analyzer might reasonably emit either way (a count that
 * could be a string list, a vendor code) are V_NONE, so the checker does not
 * reject rules that would work at run time.
 */
#include "fields.h"
#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define I V_INT
#define B V_BOOL
#define S V_STR
#define A V_ADDR
#define D V_DUR
#define R V_REAL
#define N V_NONE

const struct field_def fields_table[] = {
	/* frame */
	{ "frame.len", I, "bytes on the wire" },
	{ "frame.interface_id", I, "pcapng interface" },
	{ "frame.direction", S, "pcapng direction (in, out)" },
	{ "frame.comment", S, "pcapng packet comment" },
	{ "_ws.malformed", S, "why the frame is damaged" },
	{ "vlan.id", I, "802.1Q VLAN id" },
	/* ip */
	{ "ip.src", A, "IP source address" },
	{ "ip.dst", A, "IP destination address" },
	{ "ip.id", I, "IP identification" },
	{ "ip.ttl", I, "time to live / hop limit" },
	{ "ip.len", I, "IP total length" },
	{ "ip.version", I, "4 or 6" },
	{ "ip.proto", I, "IP protocol number" },
	{ "ip.flags.df", B, "don't fragment" },
	{ "ip.flags.mf", B, "more fragments" },
	{ "ip.frag_offset", I, "fragment offset" },
	{ "ip.fragment.count", I, "fragments of a reassembled datagram" },
	{ "ip.tso", B, "captured before segmentation offload" },
	{ "ip.checksum.status", S, "bad when wrong" },
	/* tcp */
	{ "tcp.srcport", I, "TCP source port" },
	{ "tcp.dstport", I, "TCP destination port" },
	{ "tcp.port", I, "either TCP port (logs)" },
	{ "tcp.seq", I, "absolute sequence number" },
	{ "tcp.ack", I, "absolute acknowledgement number" },
	{ "tcp.flags", I, "TCP flags byte" },
	{ "tcp.flags.syn", B, "SYN" },
	{ "tcp.flags.ack", B, "ACK" },
	{ "tcp.flags.fin", B, "FIN" },
	{ "tcp.flags.reset", B, "RST" },
	{ "tcp.flags.push", B, "PSH" },
	{ "tcp.flags.urg", B, "URG" },
	{ "tcp.window_size_value", I, "window field as sent" },
	{ "tcp.len", I, "TCP payload bytes" },
	{ "tcp.checksum.status", S, "bad when wrong" },
	{ "tcp.analysis.duplicate_ack_num", I, "duplicate ACK number" },
	{ "tcp.analysis.duplicate_ack_frame", I, "frame of the original ACK" },
	/* udp */
	{ "udp.srcport", I, "UDP source port" },
	{ "udp.dstport", I, "UDP destination port" },
	{ "udp.length", I, "UDP length" },
	{ "udp.checksum.status", S, "bad when wrong" },
	/* dns */
	{ "dns.id", I, "DNS transaction id" },
	{ "dns.flags.response", B, "response bit" },
	{ "dns.flags.rcode", I, "response code" },
	{ "dns.qry.name", S, "query name" },
	{ "dns.qry.type", I, "query type" },
	{ "dns.count.answers", I, "answer count" },
	{ "dns.a", A, "IPv4 answer" },
	{ "dns.aaaa", A, "IPv6 answer" },
	/* esp */
	{ "esp.spi", I, "security parameter index" },
	{ "esp.sequence", I, "ESP sequence number" },
	/* icmp */
	{ "icmp.type", I, "ICMP type" },
	{ "icmp.code", I, "ICMP code" },
	{ "icmp.inner.ip.src", A, "quoted packet's source" },
	{ "icmp.inner.ip.dst", A, "quoted packet's destination" },
	{ "icmp.inner.proto", I, "quoted packet's protocol" },
	{ "icmp.inner.srcport", I, "quoted packet's source port" },
	{ "icmp.inner.dstport", I, "quoted packet's destination port" },
	/* arp */
	{ "arp.opcode", I, "1 request, 2 reply" },
	{ "arp.src.proto_ipv4", A, "sender IP" },
	{ "arp.dst.proto_ipv4", A, "target IP" },
	/* analysis events (docs/events.md "Analysis events") */
	{ "expected", N, "tcp.handshake.ack_mismatch: expected ACK" },
	{ "actual", N, "tcp.handshake.ack_mismatch: ACK seen" },
	{ "diff", N, "tcp.handshake.ack_mismatch: difference in bytes" },
	{ "origin", S, "tcp.rst: peer, path or unknown" },
	{ "ttl_expected", I, "tcp.rst: the peer's usual TTL" },
	{ "ipid_expected", I, "tcp.rst: the peer's expected IP-ID" },
	{ "gap", D, "tcp.idle: silence before the session resumed" },
	{ "fate", S, "tcp.idle_fate: answered, retransmitted, reset, none" },
	{ "gap_exact", S, "tcp.idle: the gap to the capture's precision (6 min 12.345678 s)" },
	{ "prev_ref", I, "tcp.idle: the last packet before the gap" },
	{ "count", N, "how many (retransmissions, lost packets, queries)" },
	{ "intervals", N, "tcp.retransmission_exhausted: retransmission intervals" },
	{ "end", S, "how it ended (rst, silence, fin)" },
	{ "history", S, "tcp.session: Zeek-style history" },
	{ "pkts_a", I, "packets from the initiator" },
	{ "pkts_b", I, "packets from the responder" },
	{ "bytes_a", I, "bytes from the initiator" },
	{ "bytes_b", I, "bytes from the responder" },
	{ "duration", D, "session duration" },
	{ "rtt", D, "round-trip time" },
	{ "retransmissions", I, "retransmitted segments" },
	{ "lost", I, "lost segments" },
	{ "expected_addr", A, "udp.reply_from_other_address: address asked" },
	{ "actual_addr", A, "udp.reply_from_other_address: address that replied" },
	{ "late_by", N, "esp.reordered: how late" },
	{ "window", N, "burst window" },
	{ "peer_source", S, "path.*: the other vantage point" },
	{ "peer_ref", I, "path.*: the matching record there" },
	{ "what", S, "path.modified: what changed" },
	{ "delay", D, "path.delay: one-way delay" },
	{ "stall", D, "delay before the segment" },
	{ "fate_ref", I, "tcp.idle_fate: the packet that settled its fate" },
	{ "retransmission_ref", I, "tcp.retransmission_exhausted: the first retransmission" },
	{ "repeats", N, "tcp.sack_stall: repeated SACK blocks" },
	{ "sack_blocks", S, "tcp.sack_stall: the blocks" },
	{ "syn_count", I, "tcp.handshake.*: SYNs sent" },
	{ "timeout", N, "how long an answer was awaited" },
	{ "service", S, "udp.*: the service (sql-browser, udp)" },
	{ "expected_port", N, "udp.reply_from_other_address: port asked" },
	{ "actual_port", N, "udp.reply_from_other_address: port that replied" },
	{ "request_ref", I, "udp.reply_from_other_address: the request" },
	{ "wait", D, "smtp.final_reply, smtp.no_final_reply: time since the end of data" },
	{ "eod_ref", I, "smtp.final_reply, smtp.no_final_reply: the segment with the final \".\"" },
	{ "size", I, "smtp.data_end: message body bytes" },
	{ "replay_window_exceeded", N, "esp.reordered: late by 64 or more" },
	{ "peak_qps", N, "dns.burst: peak queries per second" },
	{ "names", N, "dns.burst: names asked" },
	{ "targets", N, "arp.burst: targets asked for" },
	{ "reason", S, "why (arp.gratuitous: announcement, unsolicited reply)" },
	{ "cite", S, "records an analysis cites besides its ref: REF[/FILE]@TS [TYPE] what;..." },
	{ "original_ref", I, "tcp.retransmission_exhausted: the original segment" },
	{ "rst_ref", I, "tcp.retransmission_exhausted: the reset" },
	{ "span", D, "from the first record cited to the last" },
	{ "outcome", S, "tcp.retransmission_exhausted: the session was reset, or silence" },
	{ "packets", I, "packets (esp.summary, esp.interval)" },
	{ "reordered", I, "esp.summary: packets that arrived late" },
	{ "duplicates", I, "esp.summary: sequence numbers seen twice" },
	{ "max_late", I, "esp.summary: the latest packet, in packets" },
	{ "depths", S, "esp.summary: how many packets late, how often: 3 (2), 80 (1)" },
	{ "shallow", I, "esp.summary: late packets within the 64-packet replay window" },
	{ "window_lost", I, "esp.summary: numbers that did not arrive within the replay window" },
	{ "sa", S, "esp.summary: SPI and addresses" },
	{ "numbers", I, "esp.summary: sequence numbers spanned, first to last" },
	{ "first_lost_ref", I, "esp.summary: the packet after the first lost numbers" },
	{ "first_reordered_ref", I, "esp.summary: the first late packet" },
	{ "first_beyond_ref", I, "esp.summary: the first packet beyond the replay window" },
	{ "first_duplicate_ref", I, "esp.summary: the first duplicate" },
	{ "probes", I, "tcp.zero_window_stall: zero-window probes sent meanwhile" },
	{ "answered", I, "arp.burst_outcome: targets that answered" },
	{ "unanswered", I, "arp.burst_outcome, dns/arp.summary: not answered" },
	{ "gratuitous", N, "arp.burst_outcome: the sender announced itself; arp.summary: count" },
	{ "resets", I, "arp.burst_outcome: TCP resets to the re-resolved peers" },
	{ "host_resets", I, "arp.burst_outcome: of them, sent by the burst's sender" },
	{ "max_idle", D, "arp.burst_outcome: the longest idle time of a reset session" },
	{ "min_idle", D, "arp.burst_outcome: the shortest idle time of a reset session" },
	{ "sessions", S, "arp.burst_outcome: the reset sessions, service, idle time" },
	{ "services", S, "arp.burst_outcome: services of the reset sessions" },
	{ "verdict", S, "arp.burst_outcome: host_teardown, failover or none" },
	{ "mean_qps", N, "dns.burst: queries over the burst's duration, per second" },
	{ "responses", I, "dns.burst, dns.summary: answers" },
	{ "noerror", I, "dns.burst: answers with RCODE 0" },
	{ "nxdomain", I, "dns.burst, dns.summary: answers with RCODE 3 (NXDOMAIN)" },
	{ "servfail", I, "dns.burst, dns.summary: answers with RCODE 2 (SERVFAIL)" },
	{ "nxdomain_ratio", N, "dns.burst, dns.summary: NXDOMAIN of answers" },
	{ "servfail_ratio", N, "dns.burst, dns.summary: SERVFAIL of answers" },
	/* firewall logs */
	{ "fw.action", S, "accept, drop, ..." },
	{ "fw.rule", S, "rule name or number" },
	{ "fw.reason", S, "why, in the firewall's words" },
	{ "fw.result", S, "result text or code (TMG 0xc0040034)" },
	{ "fw.result.code", N, "numeric result / message id" },
	{ "fw.interface", S, "interface" },
	{ "fw.direction", S, "inbound / outbound" },
	{ "fw.duration", N, "connection duration" },
	{ "fw.bytes", I, "bytes" },
	/* smtp */
	{ "smtp.session", S, "Exchange session id" },
	{ "smtp.seq", I, "sequence number in the session" },
	{ "smtp.direction", S, "> sent, < received, * info" },
	{ "smtp.connector", S, "connector" },
	{ "smtp.data", S, "the logged line" },
	{ "smtp.verb", S, "command verb" },
	{ "smtp.code", I, "reply code" },
	{ "smtp.remote", N, "remote endpoint" },
	{ "smtp.local", N, "local endpoint" },
	/* windows */
	{ "event.id", I, "event id" },
	{ "event.provider", S, "provider name" },
	{ "event.level", N, "level" },
	{ "event.record_id", I, "record id" },
	{ "event.channel", S, "channel" },
	{ "event.computer", S, "computer" },
	{ "etw.event", N, "ETW event id or name" },
	{ "etw.process", N, "process" },
	{ "etw.status", N, "status" },
	{ "proc.pid", I, "process id" },
	{ "proc.image", S, "image name" },
	{ "proc.service", S, "service" },
	{ "netflow.packets", I, "packets" },
	{ "netflow.bytes", I, "bytes" },
	{ "msgtrk.event_id", S, "tracking event" },
	{ "msgtrk.message_id", S, "message id" },
	{ "msgtrk.sender", S, "sender" },
	{ "msgtrk.recipients", S, "recipients" },
	{ "orig.source", S, "jsonl: the label the event had when written" },
	{ NULL, V_NONE, NULL },
};

#undef I
#undef B
#undef S
#undef A
#undef D
#undef R
#undef N

/* Families whose members are open-ended: vendor vocabularies and options. */
const char *const fields_open_prefixes[] = {
	"event.data.", "tcp.options.", "etw.", "fw.", "smtp.", "msgtrk.", "proc.", "netflow.",
	"orig.", "x.", "http.", "path.", "pktmon.", "ndis.", NULL,
};

static const struct field_def any_def = { "", V_NONE, "open-ended family" };

const struct field_def *fields_lookup(const char *name)
{
	for (size_t i = 0; fields_table[i].name; i++)
		if (!strcmp(fields_table[i].name, name))
			return &fields_table[i];
	for (size_t i = 0; fields_open_prefixes[i]; i++) {
		size_t n = strlen(fields_open_prefixes[i]);
		if (!strncmp(name, fields_open_prefixes[i], n) && name[n])
			return &any_def;
	}
	return NULL;
}

const char *fields_type_name(enum value_type t)
{
	switch (t) {
	case V_INT: return "number";
	case V_BOOL: return "boolean";
	case V_STR: return "string";
	case V_ADDR: return "address";
	case V_DUR: return "duration";
	case V_REAL: return "number";
	case V_NONE: break;
	}
	return "any";
}

/* parents under open prefixes: their children come from parsers and analyzers
 * (tmg.c fw.result.code/.meaning, an_path.c path.delay.*) */
static const char *const open_parents[] = { "fw.result", "path.delay", NULL };

/* The parents, as a set built once: every dotted prefix of a catalogue name
 * that has a member after it, and the open parents. The JSON writers ask per
 * key of every event, so this is a hash probe, not a scan of the catalogue. */
#define PARENT_SLOTS 1024u  /* power of two, well above the prefixes (~100) */
static struct {
	const char *name;
	size_t len;
} parent_set[PARENT_SLOTS];
static pthread_once_t parent_once = PTHREAD_ONCE_INIT;

static uint32_t parent_hash(const char *s, size_t n)  /* FNV-1a */
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void parent_add(const char *name, size_t len)
{
	for (uint32_t i = parent_hash(name, len) & (PARENT_SLOTS - 1);; i = (i + 1) & (PARENT_SLOTS - 1)) {
		if (!parent_set[i].name) {
			parent_set[i].name = name;
			parent_set[i].len = len;
			return;
		}
		if (parent_set[i].len == len && !memcmp(parent_set[i].name, name, len))
			return;
	}
}

static void parent_build(void)
{
	for (size_t i = 0; open_parents[i]; i++)
		parent_add(open_parents[i], strlen(open_parents[i]));
	for (size_t i = 0; fields_table[i].name; i++) {
		const char *t = fields_table[i].name;
		for (size_t k = 0; t[k]; k++)
			if (t[k] == '.' && t[k + 1])
				parent_add(t, k);
	}
}

bool fields_is_parent(const char *name, size_t len)
{
	return fields_is_parent_hashed(name, len, parent_hash(name, len));
}

bool fields_is_parent_hashed(const char *name, size_t len, uint32_t fnv1a)
{
	pthread_once(&parent_once, parent_build);
	for (uint32_t i = fnv1a & (PARENT_SLOTS - 1);; i = (i + 1) & (PARENT_SLOTS - 1)) {
		if (!parent_set[i].name)
			return false;
		if (parent_set[i].len == len && !memcmp(parent_set[i].name, name, len))
			return true;
	}
}

/* Event types the parsers and analyzers emit (docs/events.md): a rule step
 * names one of these or a dotted prefix of some (tcp.handshake, fw, smtp).
 * A new parser or analyzer adds its types here. */
const char *const event_types[] = {
	/* captures */
	"tcp", "udp", "dns.query", "dns.response", "esp", "icmp", "icmpv6", "arp.request",
	"arp.reply", "ip.fragment", "ip", "frame", "netmon.event",
	/* tcp analysis */
	"tcp.retransmission", "tcp.fast_retransmission", "tcp.spurious_retransmission",
	"tcp.out_of_order", "tcp.lost_segment", "tcp.ack_lost_segment", "tcp.duplicate_ack",
	"tcp.zero_window", "tcp.zero_window_probe", "tcp.window_full", "tcp.window_update",
	"tcp.keep_alive", "tcp.keep_alive_ack", "tcp.reused_ports", "tcp.handshake.syn_with_data",
	"tcp.handshake.ack_mismatch", "tcp.handshake.syn_repeated", "tcp.handshake.new_isn",
	"tcp.handshake.unanswered", "tcp.handshake.refused", "tcp.handshake.simultaneous_open",
	"tcp.rst", "tcp.idle", "tcp.idle_fate", "tcp.retransmission_exhausted", "tcp.sack_stall", "tcp.session",
	/* udp, esp, dns, arp analysis */
	"udp.unanswered", "udp.reply_from_other_address", "esp.lost", "esp.reordered",
	"esp.duplicate", "esp.interval", "esp.summary", "dns.unanswered", "dns.burst",
	"dns.summary", "arp.unanswered", "arp.gratuitous", "arp.burst", "arp.summary",
	"arp.burst_outcome", "tcp.zero_window_stall", "pktmon.drop",
	"smtp.data_end", "smtp.final_reply", "smtp.no_final_reply",
	/* path analysis */
	"path.match", "path.lost", "path.injected", "path.modified", "path.ack_mismatch",
	"path.reordered", "path.delay", "path.exchange", "path.blame", "path.clock",
	"path.overflow",
	/* logs */
	"fw.drop", "fw.accept", "fw.teardown", "fw.fail", "fw.nat", "fw.threat", "fw.info",
	"smtp.command", "smtp.reply", "smtp.connect", "smtp.disconnect", "smtp.info",
	"smtp.tracking", "win.event", "proc.socket", "proc.service", "proc.process",
	"netflow.record", "syslog.message",
	NULL,
};

/* Type families whose members are open-ended: ETW providers' events, findings
 * fed back (rule.NAME), and x.* for hand-written timelines (docs/rules.md). */
const char *const event_type_open_prefixes[] = { "etw.", "rule.", "x.", NULL };

bool fields_event_type_known(const char *type)
{
	if (!strcmp(type, "any"))
		return true;
	size_t n = strlen(type);
	for (size_t i = 0; event_types[i]; i++)
		if (!strncmp(event_types[i], type, n) && (event_types[i][n] == '\0' || event_types[i][n] == '.'))
			return true;
	for (size_t i = 0; event_type_open_prefixes[i]; i++) {
		size_t k = strlen(event_type_open_prefixes[i]);
		if (!strncmp(type, event_type_open_prefixes[i], k - 1) && (type[k - 1] == '\0' || type[k - 1] == '.'))
			return true;
	}
	return false;
}
