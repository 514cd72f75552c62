/*
 * parsers/decode/packet.c - frame decoding and packet events (see packet.h).
 *
 *  frame ─► link (eth / vlan* / sll / sll2 / null / raw) ─► ethertype
 *        ─► ARP | IPv4 | IPv6 (+ext hdrs) ─► TCP | UDP (─► DNS | ESP-in-UDP)
 *                                           | ICMP/ICMPv6 (─► quoted IP + ports) | ESP
 */
#include "packet.h"
#include "../../correlator/core/br.h"
#include "../../correlator/core/util.h"

#include <stdio.h>
#include <string.h>

static void mal(struct pkt *p, const char *why)
{
	if (!p->malformed)
		p->malformed = why;
}

/* A read that ran out of captured bytes: snaplen truncation when the wire had
 * them, damage otherwise. */
static void short_read(struct pkt *p, const char *what)
{
	if (p->caplen < p->wirelen)
		p->snap_truncated = true;
	else
		mal(p, what);
}

/* ---- checksums ---- */

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static int8_t l4_checksum(const struct pkt *p, const uint8_t *seg, uint32_t len)
{
	uint32_t s = 0;
	if (p->ipver == 4) {
		s = inet_sum(p->src.b, 4, s);
		s = inet_sum(p->dst.b, 4, s);
		s += p->ip_proto;
		s += len;
	} else {
		s = inet_sum(p->src.b, 16, s);
		s = inet_sum(p->dst.b, 16, s);
		s += len >> 16;
		s += len & 0xffff;
		s += p->ip_proto;
	}
	s = inet_sum(seg, len, s);
	return fold(s) == 0xffff ? 1 : 0;
}

/* ---- DNS ---- */

/* Read a (possibly compressed) name from r, moving r past it (past the first
 * pointer if the name jumps); compression pointers are offsets into msg.
 * Returns false on a loop, overrun or oversize. */
static bool dns_name(const br *msg, br *r, char *out, size_t outlen)
{
	size_t o = 0, jumps = 0;
	bool jumped = false;
	br cur = *r;
	out[0] = '\0';
	for (;;) {
		uint8_t l = br_u8(&cur);
		if (cur.bad)
			return false;
		if (l == 0)
			break;
		if ((l & 0xc0) == 0xc0) {
			uint8_t lo = br_u8(&cur);
			if (cur.bad || ++jumps > 32)
				return false;
			if (!jumped)
				*r = cur;
			jumped = true;
			cur = br_at(msg, (size_t)(l & 0x3f) << 8 | lo);
			continue;
		}
		if (l & 0xc0)
			return false;
		br label = br_sub(&cur, l);
		if (label.bad)
			return false;
		if (o && o + 1 < outlen)
			out[o++] = '.';
		while (br_left(&label)) {
			uint8_t c = br_u8(&label);
			if (o + 1 >= outlen)
				return false;
			out[o++] = (c > 0x20 && c < 0x7f) ? (char)c : '?';
		}
		out[o] = '\0';
	}
	if (!jumped)
		*r = cur;
	if (o == 0 && outlen > 1) {
		out[0] = '.';
		out[1] = '\0';
	}
	return true;
}

static void decode_dns(struct pkt *p, const uint8_t *d, uint32_t n)
{
	struct dns_info *dn = &p->dns;
	if (n < 12)
		return;
	const br msg = br_make(d, n);
	br r = msg;
	dn->id = br_be16(&r);
	dn->flags = br_be16(&r);
	dn->qdcount = br_be16(&r);
	dn->ancount = br_be16(&r);
	br_skip(&r, 4);
	dn->response = dn->flags >> 15;
	dn->opcode = (uint8_t)(dn->flags >> 11 & 0xf);
	dn->rcode = (uint8_t)(dn->flags & 0xf);
	p->layers |= PKT_DNS;
	if (dn->qdcount == 0)
		return;
	bool named = dns_name(&msg, &r, dn->qname, sizeof dn->qname);
	dn->qtype = br_be16(&r);
	br_skip(&r, 2);  /* class */
	if (!named || r.bad) {
		dn->qtype = 0;
		mal(p, "DNS question runs past the datagram");
		return;
	}
	for (unsigned q = 1; q < dn->qdcount && q < 16; q++) {
		char skipname[256];
		if (!dns_name(&msg, &r, skipname, sizeof skipname))
			return;
		br_skip(&r, 4);  /* type, class */
		if (r.bad)
			return;
	}
	for (unsigned a = 0; a < dn->ancount && a < 64; a++) {
		char skipname[256];
		if (!dns_name(&msg, &r, skipname, sizeof skipname))
			return;
		uint16_t type = br_be16(&r);
		br_skip(&r, 6);  /* class, TTL */
		uint16_t rdlen = br_be16(&r);
		br rd = br_sub(&r, rdlen);
		if (rd.bad)
			return;
		if (dn->nanswers < PKT_MAX_DNS_ANSWERS) {
			struct addr *ad = &dn->answers[dn->nanswers];
			if (type == 1 && rdlen == 4) {
				uint8_t v4[4];
				br_copy(&rd, v4, 4);
				addr_v4(ad, v4);
				dn->nanswers++;
			} else if (type == 28 && rdlen == 16) {
				memset(ad, 0, sizeof *ad);
				ad->family = 6;
				br_copy(&rd, ad->b, 16);
				dn->nanswers++;
			}
		}
	}
}

/* ---- transport ---- */

static void decode_tcp_options(struct pkt *p, br o)
{
	while (br_left(&o) && !o.bad) {
		uint8_t kind = br_u8(&o);
		if (kind == 0)
			break;
		if (kind == 1)
			continue;
		uint8_t len = br_u8(&o);
		if (o.bad || len < 2 || len - 2 > (int)br_left(&o)) {
			mal(p, "TCP option length runs past the header");
			return;
		}
		br v = br_sub(&o, (size_t)len - 2);
		switch (kind) {
		case 2:
			if (len == 4)
				p->mss = br_be16(&v);
			break;
		case 3:
			if (len == 3)
				p->wscale = (int8_t)br_u8(&v);
			break;
		case 4:
			p->sack_perm = true;
			break;
		case 5:
			while (br_left(&v) >= 8 && p->nsack < PKT_MAX_SACK) {
				p->sack[p->nsack][0] = br_be32(&v);
				p->sack[p->nsack][1] = br_be32(&v);
				p->nsack++;
			}
			break;
		case 8:
			if (len == 10) {
				p->has_ts = true;
				p->ts_val = br_be32(&v);
				p->ts_ecr = br_be32(&v);
			}
			break;
		default:
			break;
		}
	}
}

static void decode_tcp(struct pkt *p, const uint8_t *d, uint32_t caplen, uint32_t len)
{
	br r = br_make(d, caplen);
	p->sport = br_be16(&r);
	p->dport = br_be16(&r);
	p->seq = br_be32(&r);
	p->ack = br_be32(&r);
	uint8_t off = br_u8(&r);
	uint8_t fl = br_u8(&r);
	p->win = br_be16(&r);
	br_skip(&r, 4);  /* checksum, urgent pointer */
	if (r.bad) {
		if (caplen >= 4)
			p->layers |= PKT_TCP;  /* ports at least */
		short_read(p, "TCP header cut short");
		return;
	}
	p->layers |= PKT_TCP;
	p->tcp_flags = (uint16_t)(fl | (off & 1) << 8);
	p->tcp_hdr_len = (uint8_t)((off >> 4) * 4);
	if (p->tcp_hdr_len < 20) {
		mal(p, "TCP header length below 20");
		p->tcp_hdr_len = 20;
	}
	if (p->tcp_hdr_len > len) {
		mal(p, "TCP header longer than the segment");
		p->l4_len = 0;
		return;
	}
	p->l4_len = len - p->tcp_hdr_len;
	br opts = br_sub(&r, (size_t)p->tcp_hdr_len - 20);
	if (opts.bad) {
		short_read(p, "TCP options cut short");
	} else {
		decode_tcp_options(p, opts);
		p->payload = r.p;
		p->payload_caplen = (uint32_t)br_left(&r);
		if (p->payload_caplen > p->l4_len)
			p->payload_caplen = p->l4_len;
	}
	if (caplen >= len && !p->tso)
		p->l4_cksum = l4_checksum(p, d, len);
}

static void decode_udp(struct pkt *p, const uint8_t *d, uint32_t caplen, uint32_t len)
{
	br r = br_make(d, caplen);
	p->sport = br_be16(&r);
	p->dport = br_be16(&r);
	p->udp_len = br_be16(&r);
	uint16_t ck = br_be16(&r);
	if (r.bad) {
		if (caplen >= 4)
			p->layers |= PKT_UDP;
		short_read(p, "UDP header cut short");
		return;
	}
	p->layers |= PKT_UDP;
	uint32_t ulen = p->udp_len;
	if (ulen < 8 || ulen > len) {
		if (!(p->tso && ulen > len))
			mal(p, "UDP length disagrees with the IP length");
		ulen = len;
	}
	p->l4_len = ulen - 8;
	br pl = br_head(r, p->l4_len);
	p->payload = pl.p;
	p->payload_caplen = (uint32_t)br_left(&pl);
	if (caplen >= ulen && !(ck == 0 && p->ipver == 4))
		p->l4_cksum = l4_checksum(p, d, ulen);
	/* UDP-encapsulated ESP (RFC 3948): a zero SPI is the IKE non-ESP marker */
	if ((p->sport == 4500 || p->dport == 4500) && p->payload_caplen >= 8) {
		br e = br_make(p->payload, p->payload_caplen);
		uint32_t spi = br_be32(&e);
		if (spi != 0) {
			p->esp_spi = spi;
			p->esp_seq = br_be32(&e);
			p->layers |= PKT_ESP;
			return;
		}
	}
	if (p->sport == 53 || p->dport == 53 || p->sport == 5353 || p->dport == 5353 ||
	    p->sport == 5355 || p->dport == 5355)
		decode_dns(p, p->payload, p->payload_caplen);
}

static void decode_esp(struct pkt *p, const uint8_t *d, uint32_t caplen)
{
	br r = br_make(d, caplen);
	p->esp_spi = br_be32(&r);
	p->esp_seq = br_be32(&r);
	if (r.bad) {
		short_read(p, "ESP header cut short");
		return;
	}
	p->layers |= PKT_ESP;
	p->l4_len = 0;
}

/* The flow of the packet an ICMP error quotes: IP header + 8 bytes. */
static void decode_quoted(struct pkt *p, br r)
{
	const br quote = r;
	uint8_t v = br_peek(&r, 0) >> 4;
	struct flow *f = &p->inner;
	br l4;
	memset(f, 0, sizeof *f);
	if (v == 4) {
		uint8_t ihl = (uint8_t)((br_u8(&r) & 0xf) * 4);
		br_skip(&r, 8);
		f->proto = br_u8(&r);
		br_skip(&r, 2);
		f->src.family = f->dst.family = 4;
		br_copy(&r, f->src.b, 4);
		br_copy(&r, f->dst.b, 4);
		l4 = br_at(&quote, ihl);
		if (r.bad || ihl < 20 || l4.bad)
			return;
	} else if (v == 6) {
		br_skip(&r, 6);
		f->proto = br_u8(&r);
		br_skip(&r, 1);
		f->src.family = f->dst.family = 6;
		br_copy(&r, f->src.b, 16);
		br_copy(&r, f->dst.b, 16);
		if (r.bad)
			return;
		l4 = r;
	} else {
		return;
	}
	p->layers |= PKT_INNER;
	if ((f->proto == 6 || f->proto == 17) && br_left(&l4) >= 4) {
		f->sport = br_be16(&l4);
		f->dport = br_be16(&l4);
	}
}

static void decode_icmp(struct pkt *p, const uint8_t *d, uint32_t caplen, bool v6)
{
	br r = br_make(d, caplen);
	uint8_t type = br_u8(&r), code = br_u8(&r);
	br_skip(&r, 2);  /* checksum */
	if (r.bad) {
		short_read(p, "ICMP header cut short");
		return;
	}
	p->layers |= v6 ? PKT_ICMP6 : PKT_ICMP;
	p->icmp_type = type;
	p->icmp_code = code;
	bool error = v6 ? p->icmp_type < 128
			: (p->icmp_type == 3 || p->icmp_type == 4 || p->icmp_type == 5 ||
			   p->icmp_type == 11 || p->icmp_type == 12);
	br_skip(&r, 4);  /* rest of the ICMP header */
	if (error && !r.bad && br_left(&r))
		decode_quoted(p, r);
}

void pkt_decode_transport(struct pkt *p, const uint8_t *d, uint32_t caplen, uint32_t len)
{
	if (caplen > len)
		caplen = len;
	switch (p->ip_proto) {
	case 6: decode_tcp(p, d, caplen, len); break;
	case 17: decode_udp(p, d, caplen, len); break;
	case 1: decode_icmp(p, d, caplen, false); break;
	case 58: decode_icmp(p, d, caplen, true); break;
	case 50: decode_esp(p, d, caplen); break;
	default: break;
	}
}

/* ---- network ---- */

/* wire_left: bytes of this IP packet's frame on the wire (for TSO checks). */
static void decode_ip4(struct pkt *p, const uint8_t *d, uint32_t caplen, uint32_t wire_left)
{
	br r = br_make(d, caplen);
	uint8_t vihl = br_u8(&r);
	p->dsfield = br_u8(&r);
	uint16_t tot = br_be16(&r);
	p->ip_id = br_be16(&r);
	uint16_t fo = br_be16(&r);
	p->ttl = br_u8(&r);
	p->ip_proto = br_u8(&r);
	br_skip(&r, 2);
	p->src.family = p->dst.family = 4;
	br_copy(&r, p->src.b, 4);
	br_copy(&r, p->dst.b, 4);
	if (r.bad) {
		short_read(p, "IPv4 header cut short");
		return;
	}
	p->layers |= PKT_IP4;
	p->ipver = 4;
	uint32_t ihl = (uint32_t)(vihl & 0xf) * 4;
	if ((vihl >> 4) != 4 || ihl < 20) {
		mal(p, "bad IPv4 version or header length");
		return;
	}
	if (ihl > caplen) {
		short_read(p, "IPv4 options cut short");
		return;
	}
	p->ip_hdr_len = (uint16_t)ihl;
	p->ip_cksum = fold(inet_sum(d, ihl, 0)) == 0xffff ? 1 : 0;
	p->df = fo & 0x4000;
	p->mf = fo & 0x2000;
	p->frag_offset = (uint16_t)((fo & 0x1fff) * 8);
	p->frag_id = p->ip_id;
	uint32_t len = tot;
	if (tot == 0) {
		p->tso = true;  /* segmentation offload: the NIC fills the length in */
		len = wire_left;
	} else if (tot > wire_left) {
		/* bigger than the frame: captured before offload, or damaged */
		p->tso = tot > 1500;
		if (!p->tso)
			mal(p, "IPv4 total length exceeds the frame");
		len = wire_left;
	}
	if (len < ihl) {
		mal(p, "IPv4 total length below the header length");
		return;
	}
	p->ip_len = len;
	br_skip(&r, ihl - 20);  /* options */
	br body = br_head(r, len - ihl);
	if (p->mf || p->frag_offset) {
		p->layers |= PKT_FRAG;
		p->payload = body.p;
		p->payload_caplen = (uint32_t)br_left(&body);
		p->l4_len = len - ihl;
		return;
	}
	pkt_decode_transport(p, body.p, (uint32_t)br_left(&body), len - ihl);
}

static bool ip6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51 || nh == 135 ||
	       nh == 139 || nh == 140;
}

static void decode_ip6(struct pkt *p, const uint8_t *d, uint32_t caplen, uint32_t wire_left)
{
	br r = br_make(d, caplen);
	uint32_t vtf = br_be32(&r);
	uint16_t plen = br_be16(&r);
	uint8_t nh = br_u8(&r);
	p->ttl = br_u8(&r);
	p->src.family = p->dst.family = 6;
	br_copy(&r, p->src.b, 16);
	br_copy(&r, p->dst.b, 16);
	if (r.bad) {
		short_read(p, "IPv6 header cut short");
		return;
	}
	if ((vtf >> 28) != 6) {
		mal(p, "bad IPv6 version");
		return;
	}
	p->layers |= PKT_IP6;
	p->ipver = 6;
	p->dsfield = (uint8_t)(vtf >> 20);
	uint32_t len = 40u + plen;
	if (plen == 0) {
		p->tso = wire_left > 40;  /* jumbogram or offload */
		len = wire_left;
	} else if (len > wire_left) {
		p->tso = len > 1500;
		if (!p->tso)
			mal(p, "IPv6 payload length exceeds the frame");
		len = wire_left;
	}
	const br pkt = br_make(d, caplen);
	uint32_t off = 40;
	unsigned hops = 0;
	while (ip6_ext(nh)) {
		if (++hops > 16) {
			mal(p, "too many IPv6 extension headers");
			return;
		}
		if (off + 8 > caplen || off + 8 > len) {
			short_read(p, "IPv6 extension header cut short");
			return;
		}
		br e = br_at(&pkt, off);
		uint8_t next = br_u8(&e);
		uint8_t hlen = br_u8(&e);
		uint32_t elen;
		if (nh == 44) {
			uint16_t fo = br_be16(&e);
			p->frag_offset = fo & 0xfff8;
			p->mf = fo & 1;
			p->frag_id = br_be32(&e);
			elen = 8;
			if (p->frag_offset || p->mf) {
				p->ip_proto = next;
				p->ip_hdr_len = (uint16_t)(off + 8);
				p->ip_len = len;
				p->layers |= PKT_FRAG;
				br frag = br_head(e, len - off - 8);
				p->payload = frag.p;
				p->payload_caplen = (uint32_t)br_left(&frag);
				p->l4_len = len - off - 8;
				return;
			}
		} else if (nh == 51) {
			elen = ((uint32_t)hlen + 2) * 4;
		} else {
			elen = ((uint32_t)hlen + 1) * 8;
		}
		nh = next;
		off += elen;
	}
	if (off > len) {
		mal(p, "IPv6 extension headers exceed the packet");
		return;
	}
	p->ip_proto = nh;
	p->ip_hdr_len = (uint16_t)off;
	p->ip_len = len;
	br body = br_at(&pkt, off);
	if (body.bad) {
		short_read(p, "IPv6 headers cut short");
		return;
	}
	body = br_head(body, len - off);
	pkt_decode_transport(p, body.p, (uint32_t)br_left(&body), len - off);
}

static void decode_arp(struct pkt *p, const uint8_t *d, uint32_t caplen)
{
	br r = br_make(d, caplen);
	uint16_t htype = br_be16(&r), ptype = br_be16(&r);
	uint8_t hlen = br_u8(&r), plen = br_u8(&r);
	p->arp_op = br_be16(&r);
	if (r.bad) {
		short_read(p, "ARP header cut short");
		return;
	}
	p->layers |= PKT_ARP;
	if (htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4)
		return;  /* not Ethernet/IPv4 ARP: op only */
	uint8_t ip[4];
	br_copy(&r, p->arp_sha, 6);
	br_copy(&r, ip, 4);
	addr_v4(&p->arp_spa, ip);
	br_copy(&r, p->arp_tha, 6);
	br_copy(&r, ip, 4);
	addr_v4(&p->arp_tpa, ip);
	if (r.bad)
		short_read(p, "ARP addresses cut short");
}

static void decode_ethertype(struct pkt *p, uint16_t et, const uint8_t *d, uint32_t caplen,
			     uint32_t wire_left)
{
	p->ethertype = et;
	switch (et) {
	case 0x0800: decode_ip4(p, d, caplen, wire_left); break;
	case 0x86dd: decode_ip6(p, d, caplen, wire_left); break;
	case 0x0806: decode_arp(p, d, caplen); break;
	default: break;
	}
}

/* Version nibble decides for raw-IP link types. */
static void decode_raw(struct pkt *p, const uint8_t *d, uint32_t caplen, uint32_t wirelen)
{
	br r = br_make(d, caplen);
	uint8_t v = br_u8(&r) >> 4;
	if (r.bad) {
		mal(p, "empty frame");
		return;
	}
	if (v == 4)
		decode_ethertype(p, 0x0800, d, caplen, wirelen);
	else if (v == 6)
		decode_ethertype(p, 0x86dd, d, caplen, wirelen);
	else
		mal(p, "raw frame is neither IPv4 nor IPv6");
}

/* Native 802.11 (LINKTYPE_IEEE802_11): data frames with an LLC/SNAP header carry an
 * ethertype; management and control frames and non-SNAP payloads are link-only.
 * Header: frame control, duration, 3 addresses, sequence control (24 bytes),
 * a 4th address when ToDS and FromDS are both set, QoS control (2) for QoS data
 * subtypes, HT control (4) when a QoS frame has the Order bit. IEEE 802.11-2016 9.2. */
static void decode_80211(struct pkt *p, const uint8_t *d, uint32_t caplen, uint32_t wirelen)
{
	br r = br_make(d, caplen);
	uint8_t fc0 = br_u8(&r), fc1 = br_u8(&r);
	if (r.bad) {
		short_read(p, "802.11 header cut short");
		return;
	}
	uint8_t ftype = (fc0 >> 2) & 3, subtype = fc0 >> 4;
	if (ftype != 2)
		return;  /* management / control: no network layer */
	bool tods = fc1 & 1, fromds = fc1 & 2;
	uint32_t hdr = 24 + (tods && fromds ? 6 : 0);
	bool qos = subtype & 8;
	if (qos)
		hdr += 2 + ((fc1 & 0x80) ? 4 : 0);
	br_skip(&r, 2);  /* duration */
	uint8_t a1[6], a2[6], a3[6];
	br_copy(&r, a1, 6);
	br_copy(&r, a2, 6);
	br_copy(&r, a3, 6);
	if (r.bad || caplen < hdr) {
		short_read(p, "802.11 header cut short");
		return;
	}
	/* receiver / transmitter addresses as the Ethernet pair a bridge would see */
	memcpy(p->eth_dst, tods ? a3 : a1, 6);
	memcpy(p->eth_src, fromds ? (tods ? a2 : a3) : a2, 6);
	p->layers |= PKT_ETH;
	if (subtype & 4)
		return;  /* null data: no body */
	if (fc1 & 0x40)
		return;  /* protected: the body is encrypted */
	br body = br_make(d + hdr, caplen - hdr);
	static const uint8_t snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
	static const uint8_t snap_bt[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0xf8 };
	uint8_t llc[6];
	br_copy(&body, llc, 6);
	uint16_t et = br_be16(&body);
	if (body.bad) {
		short_read(p, "LLC/SNAP header cut short");
		return;
	}
	if (memcmp(llc, snap, 6) && memcmp(llc, snap_bt, 6))
		return;  /* not SNAP-encapsulated */
	uint32_t used = hdr + 8;
	decode_ethertype(p, et, body.p, caplen - used, wirelen > used ? wirelen - used : 0);
}

void pkt_decode(struct pkt *p, uint16_t linktype, const uint8_t *d, uint32_t caplen,
		uint32_t wirelen)
{
	/* keep the reader's metadata, clear the rest */
	int32_t ifindex = p->ifindex;
	uint8_t dir = p->direction;
	const char *comment = p->comment;
	uint32_t comment_len = p->comment_len;
	memset(p, 0, sizeof *p);
	p->ifindex = ifindex;
	p->direction = dir;
	p->comment = comment;
	p->comment_len = comment_len;
	p->linktype = linktype;
	p->caplen = caplen;
	p->wirelen = wirelen < caplen ? caplen : wirelen;
	p->mss = -1;
	p->wscale = -1;
	p->ip_cksum = -1;
	p->l4_cksum = -1;

	br r = br_make(d, caplen);
	switch (linktype) {
	case LT_ETHERNET: {
		br_copy(&r, p->eth_dst, 6);
		br_copy(&r, p->eth_src, 6);
		uint16_t et = br_be16(&r);
		while (!r.bad && (et == 0x8100 || et == 0x88a8 || et == 0x9100)) {
			uint16_t tci = br_be16(&r);
			if (p->nvlan < 2)
				p->vlan[p->nvlan++] = tci & 0xfff;
			p->layers |= PKT_VLAN;
			et = br_be16(&r);
		}
		if (r.bad) {
			short_read(p, "Ethernet header cut short");
			return;
		}
		p->layers |= PKT_ETH;
		if (et < 0x0600)
			return;  /* 802.3 length + LLC: not IP */
		uint32_t hdr = caplen - (uint32_t)br_left(&r);
		decode_ethertype(p, et, r.p, (uint32_t)br_left(&r), p->wirelen - hdr);
		return;
	}
	case LT_LINUX_SLL: {
		br_skip(&r, 14);
		uint16_t et = br_be16(&r);
		if (r.bad) {
			short_read(p, "Linux cooked header cut short");
			return;
		}
		decode_ethertype(p, et, r.p, (uint32_t)br_left(&r), p->wirelen - 16);
		return;
	}
	case LT_LINUX_SLL2: {
		uint16_t et = br_be16(&r);
		br_skip(&r, 18);
		if (r.bad) {
			short_read(p, "Linux cooked v2 header cut short");
			return;
		}
		decode_ethertype(p, et, r.p, (uint32_t)br_left(&r), p->wirelen - 20);
		return;
	}
	case LT_NULL:
	case LT_LOOP: {
		/* address family in either byte order: 2 = IPv4, 24/28/30 = IPv6 */
		br be = r;
		uint32_t af = br_le32(&r);
		if (r.bad) {
			short_read(p, "loopback header cut short");
			return;
		}
		if (af > 0xffff)
			af = br_be32(&be) & 0xffff;
		if (af == 2)
			decode_ethertype(p, 0x0800, r.p, caplen - 4, p->wirelen - 4);
		else if (af == 24 || af == 28 || af == 30)
			decode_ethertype(p, 0x86dd, r.p, caplen - 4, p->wirelen - 4);
		return;
	}
	case LT_RAW:
	case LT_RAW_DLT12:
	case LT_RAW_DLT14:
		decode_raw(p, d, caplen, p->wirelen);
		return;
	case LT_IEEE802_11:
		decode_80211(p, d, caplen, p->wirelen);
		return;
	case LT_IPV4:
		decode_ethertype(p, 0x0800, d, caplen, p->wirelen);
		return;
	case LT_IPV6:
		decode_ethertype(p, 0x86dd, d, caplen, p->wirelen);
		return;
	default:
		return;  /* unknown link type: a frame event, nothing decoded */
	}
}

/* ---- events ---- */

static const char *packet_type(const struct pkt *p)
{
	if (p->layers & PKT_FRAG)
		return "ip.fragment";
	if (p->layers & PKT_TCP)
		return "tcp";
	if (p->layers & PKT_ESP)
		return "esp";
	if (p->layers & PKT_DNS)
		return p->dns.response ? "dns.response" : "dns.query";
	if (p->layers & PKT_UDP)
		return "udp";
	if (p->layers & PKT_ICMP)
		return "icmp";
	if (p->layers & PKT_ICMP6)
		return "icmpv6";
	if (p->layers & PKT_ARP)
		return p->arp_op == 2 ? "arp.reply" : "arp.request";
	if (p->layers & (PKT_IP4 | PKT_IP6))
		return "ip";
	return "frame";
}

void pkt_to_event(const struct pkt *p, struct event *ev)
{
	ev->pkt = p;
	ev->type = packet_type(p);
	ev_int(ev, "frame.len", p->wirelen);
	if (p->ifindex >= 0)
		ev_int(ev, "frame.interface_id", p->ifindex);
	if (p->direction)
		ev_cstr(ev, "frame.direction", p->direction == 1 ? "in" : "out");
	if (p->comment)
		ev_str(ev, "frame.comment", p->comment, p->comment_len);
	if (p->nvlan)
		ev_int(ev, "vlan.id", p->vlan[0]);
	if (p->malformed)
		ev_cstr(ev, "_ws.malformed", p->malformed);
	if (p->layers & PKT_ARP) {
		ev_int(ev, "arp.opcode", p->arp_op);
		if (p->arp_spa.family) {
			ev_addr(ev, "arp.src.proto_ipv4", &p->arp_spa);
			ev_addr(ev, "arp.dst.proto_ipv4", &p->arp_tpa);
		}
		return;
	}
	if (!(p->layers & (PKT_IP4 | PKT_IP6)))
		return;
	ev->flags |= EV_HAS_FLOW;
	ev->flow.src = p->src;
	ev->flow.dst = p->dst;
	ev->flow.proto = p->ip_proto;
	ev->flow.sport = p->sport;
	ev->flow.dport = p->dport;
	ev_addr(ev, "ip.src", &p->src);
	ev_addr(ev, "ip.dst", &p->dst);
	ev_int(ev, "ip.version", p->ipver);
	ev_int(ev, "ip.proto", p->ip_proto);
	ev_int(ev, "ip.ttl", p->ttl);
	ev_int(ev, "ip.len", p->ip_len);
	if (p->ipver == 4) {
		ev_int(ev, "ip.id", p->ip_id);
		ev_bool(ev, "ip.flags.df", p->df);
		if (p->ip_cksum == 0)
			ev_cstr(ev, "ip.checksum.status", "bad");
	}
	if (p->tso)
		ev_bool(ev, "ip.tso", true);
	if (p->layers & PKT_FRAG) {
		ev_bool(ev, "ip.flags.mf", p->mf);
		ev_int(ev, "ip.frag_offset", p->frag_offset);
		return;
	}
	if (p->layers & PKT_REASM)
		ev_int(ev, "ip.fragment.count", p->frag_count);
	if (p->layers & PKT_TCP) {
		ev_int(ev, "tcp.srcport", p->sport);
		ev_int(ev, "tcp.dstport", p->dport);
		ev_int(ev, "tcp.seq", p->seq);
		ev_int(ev, "tcp.ack", p->ack);
		ev_int(ev, "tcp.flags", p->tcp_flags);
		ev_bool(ev, "tcp.flags.syn", p->tcp_flags & TH_SYN);
		ev_bool(ev, "tcp.flags.ack", p->tcp_flags & TH_ACK);
		ev_bool(ev, "tcp.flags.fin", p->tcp_flags & TH_FIN);
		ev_bool(ev, "tcp.flags.reset", p->tcp_flags & TH_RST);
		ev_bool(ev, "tcp.flags.push", p->tcp_flags & TH_PUSH);
		ev_int(ev, "tcp.window_size_value", p->win);
		ev_int(ev, "tcp.len", p->l4_len);
		if (p->mss >= 0)
			ev_int(ev, "tcp.options.mss_val", p->mss);
		if (p->wscale >= 0)
			ev_int(ev, "tcp.options.wscale.shift", p->wscale);
		if (p->sack_perm)
			ev_bool(ev, "tcp.options.sack_perm", true);
		if (p->nsack) {
			ev_int(ev, "tcp.options.sack_le", p->sack[0][0]);
			ev_int(ev, "tcp.options.sack_re", p->sack[0][1]);
		}
		if (p->has_ts) {
			ev_int(ev, "tcp.options.timestamp.tsval", p->ts_val);
			ev_int(ev, "tcp.options.timestamp.tsecr", p->ts_ecr);
		}
		if (p->l4_cksum == 0)
			ev_cstr(ev, "tcp.checksum.status", "bad");
	} else if (p->layers & PKT_UDP) {
		ev_int(ev, "udp.srcport", p->sport);
		ev_int(ev, "udp.dstport", p->dport);
		ev_int(ev, "udp.length", p->udp_len);
		if (p->l4_cksum == 0)
			ev_cstr(ev, "udp.checksum.status", "bad");
	}
	if (p->layers & PKT_ESP) {
		ev_int(ev, "esp.spi", p->esp_spi);
		ev_int(ev, "esp.sequence", p->esp_seq);
	}
	if (p->layers & PKT_DNS) {
		const struct dns_info *dn = &p->dns;
		ev_int(ev, "dns.id", dn->id);
		ev_bool(ev, "dns.flags.response", dn->response);
		ev_int(ev, "dns.flags.rcode", dn->rcode);
		if (dn->qname[0]) {
			ev_cstr(ev, "dns.qry.name", dn->qname);
			ev_int(ev, "dns.qry.type", dn->qtype);
		}
		ev_int(ev, "dns.count.answers", dn->ancount);
		for (unsigned i = 0; i < dn->nanswers; i++)
			ev_addr(ev, dn->answers[i].family == 4 ? "dns.a" : "dns.aaaa", &dn->answers[i]);
	}
	if (p->layers & (PKT_ICMP | PKT_ICMP6)) {
		bool v6 = p->layers & PKT_ICMP6;
		ev_int(ev, v6 ? "icmpv6.type" : "icmp.type", p->icmp_type);
		ev_int(ev, v6 ? "icmpv6.code" : "icmp.code", p->icmp_code);
		if (p->layers & PKT_INNER) {
			char fb[160];
			flow_format(&p->inner, fb, sizeof fb);
			/* the quoted packet's 5-tuple, so rules can tie the error to its session */
			ev_addr(ev, "icmp.inner.ip.src", &p->inner.src);
			ev_addr(ev, "icmp.inner.ip.dst", &p->inner.dst);
			ev_int(ev, "icmp.inner.proto", p->inner.proto);
			ev_int(ev, "icmp.inner.srcport", p->inner.sport);
			ev_int(ev, "icmp.inner.dstport", p->inner.dport);
		}
	}
}
