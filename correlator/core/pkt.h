/*
 * correlator/core/pkt.h - the decoded packet: what a capture reader's decoder
 * found in one frame (link, ARP, IP, transport, ICMP quote, ESP, DNS), as the
 * event carries it (ev->pkt) to the sessions, analyzers and reports; and the
 * one-line description of it.
 * Does not: decode bytes (parsers/decode/packet.c fills it) or keep state.
 */
#ifndef CORRELATOR_PKT_H
#define CORRELATOR_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

enum {
	PKT_ETH = 1u << 0, PKT_VLAN = 1u << 1, PKT_ARP = 1u << 2, PKT_IP4 = 1u << 3,
	PKT_IP6 = 1u << 4, PKT_TCP = 1u << 5, PKT_UDP = 1u << 6, PKT_ICMP = 1u << 7,
	PKT_ICMP6 = 1u << 8, PKT_ESP = 1u << 9, PKT_DNS = 1u << 10,
	PKT_FRAG = 1u << 11,   /* an IP fragment whose datagram is not complete here */
	PKT_REASM = 1u << 12,  /* transport decoded from a reassembled datagram */
	PKT_INNER = 1u << 13,  /* ICMP error carries a quoted flow */
};

/* TCP flag bits as in the header (tcp.flags). */
enum {
	TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PUSH = 0x08, TH_ACK = 0x10,
	TH_URG = 0x20, TH_ECE = 0x40, TH_CWR = 0x80, TH_AE = 0x100,
};

#define PKT_MAX_SACK 4
#define PKT_MAX_DNS_ANSWERS 8

struct dns_info {
	uint16_t id, flags, qdcount, ancount;
	bool response;
	uint8_t opcode, rcode;
	char qname[256];
	uint16_t qtype;
	uint8_t nanswers;  /* A/AAAA answers kept */
	struct addr answers[PKT_MAX_DNS_ANSWERS];
};

struct pkt {
	/* capture metadata (filled by the reader) */
	uint32_t caplen, wirelen;
	uint16_t linktype;
	int32_t ifindex;          /* pcapng interface id, -1 when the format has none */
	uint8_t direction;        /* 0 unknown, 1 inbound, 2 outbound (pcapng epb_flags) */
	const char *comment;      /* pcapng opt_comment, borrowed; NULL if none */
	uint32_t comment_len;

	uint32_t layers;          /* PKT_* */
	const char *malformed;    /* first decoding problem, or NULL */
	bool snap_truncated;      /* caplen < wirelen cut into a decoded header */

	/* link */
	uint8_t eth_src[6], eth_dst[6];
	uint16_t vlan[2];
	uint8_t nvlan;
	uint16_t ethertype;

	/* ARP */
	uint16_t arp_op;
	uint8_t arp_sha[6], arp_tha[6];
	struct addr arp_spa, arp_tpa;

	/* IP */
	uint8_t ipver, ttl, ip_proto, dsfield;
	struct addr src, dst;
	uint16_t ip_id;           /* IPv4 identification */
	uint32_t ip_len;          /* total length as used (IPv6: 40 + payload length) */
	uint16_t ip_hdr_len;      /* IPv4 header, or IPv6 header + extension headers */
	bool df, mf;
	uint16_t frag_offset;     /* bytes */
	uint32_t frag_id;         /* IPv4 id or IPv6 fragment header id */
	bool tso;                 /* IP length 0 or beyond the frame: captured before segmentation offload */
	int8_t ip_cksum;          /* -1 not checked, 0 bad, 1 good */
	uint16_t frag_count;      /* fragments in a reassembled datagram */

	/* transport */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t tcp_flags, win;
	uint8_t tcp_hdr_len;
	int32_t mss;              /* -1 absent */
	int8_t wscale;            /* -1 absent */
	bool sack_perm, has_ts;
	uint8_t nsack;
	uint32_t sack[PKT_MAX_SACK][2];
	uint32_t ts_val, ts_ecr;
	uint16_t udp_len;
	uint32_t l4_len;          /* TCP/UDP payload length according to the headers */
	int8_t l4_cksum;          /* -1 not checked (partial capture, offload), 0 bad, 1 good */
	const uint8_t *payload;   /* captured payload bytes (borrowed) */
	uint32_t payload_caplen;

	/* ICMP / ICMPv6 */
	uint8_t icmp_type, icmp_code;
	struct flow inner;        /* quoted packet's flow (PKT_INNER) */

	/* ESP */
	uint32_t esp_spi, esp_seq;

	/* DNS */
	struct dns_info dns;
};

/* One line in the spirit of Wireshark's Info column. */
void pkt_describe(const struct pkt *p, char *buf, size_t len);

/* "SYN, ACK" style flag list. */
void tcp_flags_str(uint16_t flags, char *buf, size_t len);

#endif
