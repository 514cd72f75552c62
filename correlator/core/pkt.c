/*
 * correlator/core/pkt.c - a decoded packet in words: the Info-column line
 * every packet event carries, and TCP flag lists (see pkt.h).
 * Does not: decode bytes.
 */
#include "pkt.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

void tcp_flags_str(uint16_t f, char *buf, size_t len)
{
	static const struct { uint16_t bit; const char *name; } names[] = {
		{ TH_SYN, "SYN" }, { TH_RST, "RST" }, { TH_FIN, "FIN" }, { TH_PUSH, "PSH" },
		{ TH_ACK, "ACK" }, { TH_URG, "URG" }, { TH_ECE, "ECE" }, { TH_CWR, "CWR" },
		{ TH_AE, "AE" },
	};
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		if (!(f & names[i].bit))
			continue;
		int n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", names[i].name);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
}

/* A small text builder for the per-packet line: formatted by hand, not by
 * snprintf, because every packet gets one. Never overflows: writes past
 * the end are cut (callers size it for the longest line). */
struct line {
	size_t n;
	char b[320];
};

static void line_put(struct line *l, const char *s, size_t n)
{
	if (n > sizeof l->b - 1 - l->n)
		n = sizeof l->b - 1 - l->n;
	memcpy(l->b + l->n, s, n);
	l->n += n;
}

static void line_u32(struct line *l, uint32_t v)
{
	char t[FORMAT_U64_MAX];
	line_put(l, t, format_u64(v, t));
}

/* The line into buf as snprintf would: cut to len, the full length returned. */
static size_t line_out(const struct line *l, char *buf, size_t len)
{
	if (len) {
		size_t c = l->n < len ? l->n : len - 1;
		memcpy(buf, l->b, c);
		buf[c] = '\0';
	}
	return l->n;
}

static void line_endpoint(struct line *l, const struct addr *a, uint16_t port, bool with_port)
{
	char ab[64];
	size_t n = addr_format(a, ab, sizeof ab);
	if (n > sizeof ab - 1)
		n = sizeof ab - 1;
	if (with_port && a->family == 6)
		line_put(l, "[", 1);
	line_put(l, ab, n);
	if (with_port) {
		line_put(l, a->family == 6 ? "]:" : ":", a->family == 6 ? 2 : 1);
		line_u32(l, port);
	}
}

static size_t endpoint(const struct addr *a, uint16_t port, bool with_port, char *buf, size_t len)
{
	struct line l = { 0 };
	line_endpoint(&l, a, port, with_port);
	return line_out(&l, buf, len);
}

/* "TCP src -> dst [flags] seq=.. ack=.. win=.. len=..", as tcp_flags_str
 * names the flags. */
static size_t describe_tcp(const struct pkt *p, char *buf, size_t len)
{
	static const struct { uint16_t bit; const char *name; size_t n; } names[] = {
		{ TH_SYN, "SYN", 3 }, { TH_RST, "RST", 3 }, { TH_FIN, "FIN", 3 },
		{ TH_PUSH, "PSH", 3 }, { TH_ACK, "ACK", 3 }, { TH_URG, "URG", 3 },
		{ TH_ECE, "ECE", 3 }, { TH_CWR, "CWR", 3 }, { TH_AE, "AE", 2 },
	};
	struct line l;
	l.n = 0;
	line_put(&l, "TCP ", 4);
	line_endpoint(&l, &p->src, p->sport, true);
	line_put(&l, " -> ", 4);
	line_endpoint(&l, &p->dst, p->dport, true);
	line_put(&l, " [", 2);
	bool first = true;
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		if (!(p->tcp_flags & names[i].bit))
			continue;
		if (!first)
			line_put(&l, ", ", 2);
		line_put(&l, names[i].name, names[i].n);
		first = false;
	}
	line_put(&l, "] seq=", 6);
	line_u32(&l, p->seq);
	line_put(&l, " ack=", 5);
	line_u32(&l, p->ack);
	line_put(&l, " win=", 5);
	line_u32(&l, p->win);
	line_put(&l, " len=", 5);
	line_u32(&l, p->l4_len);
	return line_out(&l, buf, len);
}

void pkt_describe(const struct pkt *p, char *buf, size_t len)
{
	char s[80], d[80];
	bool ports = p->layers & (PKT_TCP | PKT_UDP);
	if (p->layers & PKT_ARP) {
		char a[64], b[64];
		addr_format(&p->arp_tpa, a, sizeof a);
		addr_format(&p->arp_spa, b, sizeof b);
		if (p->arp_op == 2)
			snprintf(buf, len, "ARP reply %s is at %02x:%02x:%02x:%02x:%02x:%02x", b,
				 p->arp_sha[0], p->arp_sha[1], p->arp_sha[2], p->arp_sha[3],
				 p->arp_sha[4], p->arp_sha[5]);
		else
			snprintf(buf, len, "ARP who has %s? tell %s", a, b);
		return;
	}
	if (!(p->layers & (PKT_IP4 | PKT_IP6))) {
		snprintf(buf, len, "frame %u bytes (link type %u, ethertype 0x%04x)%s%s", p->wirelen,
			 p->linktype, p->ethertype, p->malformed ? ": " : "",
			 p->malformed ? p->malformed : "");
		return;
	}
	size_t o;
	if (!(p->layers & PKT_FRAG) && (p->layers & PKT_TCP)) {
		o = describe_tcp(p, buf, len);
		goto tail;
	}
	endpoint(&p->src, p->sport, ports, s, sizeof s);
	endpoint(&p->dst, p->dport, ports, d, sizeof d);
	if (p->layers & PKT_FRAG) {
		o = (size_t)snprintf(buf, len, "IP fragment %s -> %s id 0x%x offset %u%s", s, d,
				     p->frag_id, p->frag_offset, p->mf ? " (more)" : " (last)");
	} else if (p->layers & PKT_ESP) {
		o = (size_t)snprintf(buf, len, "ESP %s -> %s spi=0x%08x seq=%u", s, d, p->esp_spi,
				     p->esp_seq);
	} else if (p->layers & PKT_DNS) {
		o = (size_t)snprintf(buf, len, "DNS %s 0x%04x %s %s -> %s%s%s",
				     p->dns.response ? "response" : "query", p->dns.id, p->dns.qname,
				     s, d, p->dns.response && p->dns.rcode == 3 ? " NXDOMAIN" : "",
				     p->dns.response && p->dns.rcode == 2 ? " SERVFAIL" : "");
	} else if (p->layers & PKT_UDP) {
		o = (size_t)snprintf(buf, len, "UDP %s -> %s len=%u", s, d, p->l4_len);
	} else if (p->layers & (PKT_ICMP | PKT_ICMP6)) {
		o = (size_t)snprintf(buf, len, "%s %s -> %s type %u code %u",
				     p->layers & PKT_ICMP6 ? "ICMPv6" : "ICMP", s, d, p->icmp_type,
				     p->icmp_code);
		if (p->layers & PKT_INNER && o < len) {
			char in[160];
			flow_format(&p->inner, in, sizeof in);
			o += (size_t)snprintf(buf + o, len - o, " about %s", in);
		}
	} else {
		const char *pn = ip_proto_name(p->ip_proto);
		o = (size_t)snprintf(buf, len, "IP %s -> %s proto %s", s, d, pn ? pn : "?");
	}
tail:
	if (o < len && p->tso)
		o += (size_t)snprintf(buf + o, len - o, " (before segmentation offload)");
	if (o < len && p->malformed)
		snprintf(buf + o, len - o, " [malformed: %s]", p->malformed);
}
