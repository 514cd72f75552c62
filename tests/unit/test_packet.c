/*
 * tests/unit/test_packet.c - frame decoding: every field of a hand-built
 * TCP/IPv4 SYN, truncation at every byte, VLAN/QinQ, SLL, raw IPv6, DNS (with
 * compression across questions and AAAA answers), ESP, BSD loopback families,
 * fragments reassembled.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../parsers/decode/ipfrag.h"
#include "../../parsers/decode/packet.h"

/* Ethernet + IPv4 (id 0x1234, ttl 64, DF) + TCP SYN 10.0.0.1:50000 -> 10.0.0.2:443
 * seq 1000 win 64240 with MSS 1460, SACK-permitted, TS 7/0, NOP, wscale 7. */
static const uint8_t syn_frame[] = {
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	10, 0, 0, 1, 10, 0, 0, 2,
	0xc3, 0x50, 0x01, 0xbb, 0x00, 0x00, 0x03, 0xe8, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0,
	0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 7, 0, 0, 0, 0,
	0x01, 0x03, 0x03, 0x07,
};

START_TEST(tcp_syn_fields)
{
	struct pkt p = { .ifindex = -1 };
	pkt_decode(&p, LT_ETHERNET, syn_frame, sizeof syn_frame, sizeof syn_frame);
	ck_assert_ptr_null(p.malformed);
	ck_assert_uint_eq(p.layers & (PKT_ETH | PKT_IP4 | PKT_TCP), PKT_ETH | PKT_IP4 | PKT_TCP);
	ck_assert_uint_eq(p.src.b[3], 1);
	ck_assert_uint_eq(p.dst.b[3], 2);
	ck_assert_uint_eq(p.ip_id, 0x1234);
	ck_assert_uint_eq(p.ttl, 64);
	ck_assert(p.df);
	ck_assert_uint_eq(p.sport, 50000);
	ck_assert_uint_eq(p.dport, 443);
	ck_assert_uint_eq(p.seq, 1000);
	ck_assert_uint_eq(p.tcp_flags, TH_SYN);
	ck_assert_uint_eq(p.win, 64240);
	ck_assert_int_eq(p.mss, 1460);
	ck_assert_int_eq(p.wscale, 7);
	ck_assert(p.sack_perm);
	ck_assert(p.has_ts);
	ck_assert_uint_eq(p.ts_val, 7);
	ck_assert_uint_eq(p.l4_len, 0);
	/* the IP checksum in the frame is zero: reported bad, packet still decoded */
	ck_assert_int_eq(p.ip_cksum, 0);
}
END_TEST

START_TEST(tcp_syn_event)
{
	struct pkt p = { .ifindex = -1 };
	static struct event ev;
	event_reset(&ev);
	pkt_decode(&p, LT_ETHERNET, syn_frame, sizeof syn_frame, sizeof syn_frame);
	pkt_to_event(&p, &ev);
	ck_assert_str_eq(ev.type, "tcp");
	ck_assert(ev.flags & EV_HAS_FLOW);
	ck_assert_uint_eq(ev.flow.sport, 50000);
	int64_t v;
	ck_assert(event_get_int(&ev, "tcp.seq", &v));
	ck_assert_int_eq(v, 1000);
	ck_assert(event_get_int(&ev, "tcp.flags.syn", &v));
	ck_assert_int_eq(v, 1);
	ck_assert(event_get_int(&ev, "tcp.options.wscale.shift", &v));
	ck_assert_int_eq(v, 7);
	char buf[256];
	ck_assert_str_eq(event_describe(&ev, buf, sizeof buf),
			 "TCP 10.0.0.1:50000 -> 10.0.0.2:443 [SYN] seq=1000 ack=0 win=64240 len=0");
}
END_TEST

/* Cut the frame at every length (as a damaged capture would, wire length
 * unchanged = damage; larger wire length = snaplen): never reads past the cut
 * (ASan checks), and says what happened. */
START_TEST(truncation_every_byte)
{
	for (uint32_t cut = 0; cut < sizeof syn_frame; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, syn_frame, cut);
		struct pkt p = { .ifindex = -1 };
		pkt_decode(&p, LT_ETHERNET, copy, cut, cut);
		ck_assert_msg(p.malformed != NULL || cut == sizeof syn_frame, "cut %u not reported", cut);
		struct pkt q = { .ifindex = -1 };
		pkt_decode(&q, LT_ETHERNET, copy, cut, sizeof syn_frame);
		ck_assert_msg(q.malformed == NULL || cut < 14, "snaplen cut %u reported as damage: %s", cut,
			      q.malformed);
		free(copy);
	}
}
END_TEST

START_TEST(vlan_qinq)
{
	uint8_t f[sizeof syn_frame + 8];
	memcpy(f, syn_frame, 12);
	const uint8_t tags[] = { 0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0xc8 };
	memcpy(f + 12, tags, 8);
	memcpy(f + 20, syn_frame + 12, sizeof syn_frame - 12);
	struct pkt p = { .ifindex = -1 };
	pkt_decode(&p, LT_ETHERNET, f, sizeof f, sizeof f);
	ck_assert_uint_eq(p.nvlan, 2);
	ck_assert_uint_eq(p.vlan[0], 100);
	ck_assert_uint_eq(p.vlan[1], 200);
	ck_assert(p.layers & PKT_TCP);
	ck_assert_uint_eq(p.seq, 1000);
}
END_TEST

START_TEST(linux_sll)
{
	uint8_t f[sizeof syn_frame - 14 + 16] = { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00 };
	memcpy(f + 16, syn_frame + 14, sizeof syn_frame - 14);
	struct pkt p = { .ifindex = -1 };
	pkt_decode(&p, LT_LINUX_SLL, f, sizeof f, sizeof f);
	ck_assert(p.layers & PKT_TCP);
	ck_assert_uint_eq(p.dport, 443);
}
END_TEST

/* IPv4 UDP datagram split into two fragments, reassembled into one DNS query. */
START_TEST(fragment_reassembly)
{
	uint8_t udp[8 + 29] = { 0x30, 0x39, 0x00, 0x35, 0, 37, 0, 0 };
	const uint8_t q[] = { 0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm',
			      'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
	memcpy(udp + 8, q, sizeof q);
	uint8_t f1[20 + 16], f2[20 + 21];
	const uint8_t ip[] = { 0x45, 0, 0, 0, 0x77, 0x77, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
	memcpy(f1, ip, 20);
	f1[3] = sizeof f1;
	f1[6] = 0x20;  /* MF, offset 0 */
	memcpy(f1 + 20, udp, 16);
	memcpy(f2, ip, 20);
	f2[3] = sizeof f2;
	f2[7] = 2;     /* offset 16 bytes */
	memcpy(f2 + 20, udp + 16, 21);
	struct ipfrag *t = ipfrag_new(8, 65535);
	struct pkt p = { .ifindex = -1 };
	uint32_t len;
	uint16_t n;
	const char *why;
	pkt_decode(&p, LT_RAW, f1, sizeof f1, sizeof f1);
	ck_assert(p.layers & PKT_FRAG);
	ck_assert_ptr_null(ipfrag_add(t, &p, 0, &len, &n, &why));
	pkt_decode(&p, LT_RAW, f2, sizeof f2, sizeof f2);
	const uint8_t *d = ipfrag_add(t, &p, 1000, &len, &n, &why);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(len, sizeof udp);
	ck_assert_uint_eq(n, 2);
	p.layers &= ~(uint32_t)PKT_FRAG;
	pkt_decode_transport(&p, d, len, len);
	ck_assert(p.layers & PKT_DNS);
	ck_assert_str_eq(p.dns.qname, "example.com");
	ck_assert_uint_eq(p.dns.id, 0xabcd);
	ipfrag_free(t);
}
END_TEST


/* IPv6 with hop-by-hop and destination-options headers before TCP. */
START_TEST(ipv6_extension_headers)
{
	uint8_t f[40 + 8 + 8 + 20] = { 0x60, 0, 0, 0, 0, 36, 0 /* hop-by-hop */, 57 };
	f[8] = 0x20; f[9] = 0x01; f[10] = 0x0d; f[11] = 0xb8; f[23] = 1;   /* 2001:db8::1 */
	f[24] = 0x20; f[25] = 0x01; f[26] = 0x0d; f[27] = 0xb8; f[39] = 2; /* 2001:db8::2 */
	f[40] = 60; f[41] = 0;         /* hop-by-hop -> destination options, 8 bytes */
	f[48] = 6; f[49] = 0;          /* destination options -> TCP, 8 bytes */
	uint8_t *t = f + 56;
	t[0] = 0x04; t[1] = 0xd2; t[2] = 0x00; t[3] = 0x50; t[7] = 9; t[12] = 0x50; t[13] = 0x12;
	struct pkt p = { .ifindex = -1 };
	pkt_decode(&p, LT_RAW, f, sizeof f, sizeof f);
	ck_assert_ptr_null(p.malformed);
	ck_assert(p.layers & PKT_IP6);
	ck_assert(p.layers & PKT_TCP);
	ck_assert_uint_eq(p.ip_proto, 6);
	ck_assert_uint_eq(p.ip_hdr_len, 56);
	ck_assert_uint_eq(p.sport, 1234);
	ck_assert_uint_eq(p.seq, 9);
	ck_assert_uint_eq(p.tcp_flags, TH_SYN | TH_ACK);
	ck_assert_uint_eq(p.dst.b[15], 2);
}
END_TEST

/* ICMP port unreachable quoting a UDP datagram: the quoted 5-tuple. */
START_TEST(icmp_quoted_flow)
{
	uint8_t f[20 + 8 + 20 + 8] = { 0x45, 0, 0, 56, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 9, 10, 0, 0, 1,
				       3, 3, 0, 0, 0, 0, 0, 0,
				       0x45, 0, 0, 40, 0, 2, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 9,
				       0x05, 0x9a, 0x05, 0x9a, 0, 20, 0, 0 };
	struct pkt p = { .ifindex = -1 };
	pkt_decode(&p, LT_RAW, f, sizeof f, sizeof f);
	ck_assert(p.layers & PKT_ICMP);
	ck_assert(p.layers & PKT_INNER);
	ck_assert_uint_eq(p.icmp_type, 3);
	ck_assert_uint_eq(p.icmp_code, 3);
	ck_assert_uint_eq(p.inner.proto, 17);
	ck_assert_uint_eq(p.inner.sport, 1434);
	ck_assert_uint_eq(p.inner.dst.b[3], 9);
}
END_TEST

/* UDP 4500 carrying ESP (non-zero SPI) and the IKE marker (zero SPI). */
START_TEST(esp_in_udp)
{
	uint8_t f[20 + 8 + 8 + 4] = { 0x45, 0, 0, 40, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
				      0x11, 0x94, 0x11, 0x94, 0, 20, 0, 0,
				      0xc0, 0xff, 0xee, 0x01, 0, 0, 0, 42, 1, 2, 3, 4 };
	struct pkt p = { .ifindex = -1 };
	pkt_decode(&p, LT_RAW, f, sizeof f, sizeof f);
	ck_assert(p.layers & PKT_ESP);
	ck_assert_uint_eq(p.esp_spi, 0xc0ffee01);
	ck_assert_uint_eq(p.esp_seq, 42);
	memset(f + 28, 0, 4);  /* zero SPI: IKE, not ESP */
	pkt_decode(&p, LT_RAW, f, sizeof f, sizeof f);
	ck_assert(!(p.layers & PKT_ESP));
}
END_TEST

/* DNS response with a compressed A answer; a pointer loop is refused. */
START_TEST(dns_answers_and_loops)
{
	uint8_t f[20 + 8 + 12 + 13 + 4 + 16] = { 0x45, 0, 0, 73, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 53, 10, 0, 0, 1,
						0, 53, 0xc0, 0x01, 0, 53, 0, 0,
						0x12, 0x34, 0x81, 0x83, 0, 1, 0, 1, 0, 0, 0, 0,
						3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
						0, 1, 0, 1,
						0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7 };
	struct pkt p = { .ifindex = -1 };
	pkt_decode(&p, LT_RAW, f, sizeof f, sizeof f);
	ck_assert(p.layers & PKT_DNS);
	ck_assert(p.dns.response);
	ck_assert_uint_eq(p.dns.rcode, 3);
	ck_assert_str_eq(p.dns.qname, "www.example");
	ck_assert_uint_eq(p.dns.nanswers, 1);
	ck_assert_uint_eq(p.dns.answers[0].b[3], 7);
	f[40] = 0xc0;  /* question name now points at itself */
	f[41] = 12;
	pkt_decode(&p, LT_RAW, f, sizeof f, sizeof f);
	ck_assert_ptr_nonnull(p.malformed);
}
END_TEST

/* BSD loopback: the address family in either byte order (only its low 16 bits
 * count when read big-endian); other families decode nothing further. */
START_TEST(loopback_family)
{
	enum { IPLEN = sizeof syn_frame - 14 };
	static const uint8_t v4fams[][4] = { { 2, 0, 0, 0 }, { 0, 0, 0, 2 }, { 1, 0, 0, 2 } };
	uint8_t f[4 + IPLEN];
	memcpy(f + 4, syn_frame + 14, IPLEN);
	struct pkt p;
	for (size_t i = 0; i < 3; i++) {
		memcpy(f, v4fams[i], 4);
		p = (struct pkt){ .ifindex = -1 };
		pkt_decode(&p, LT_NULL, f, sizeof f, sizeof f);
		ck_assert_msg(p.layers & PKT_TCP, "family bytes %zu", i);
		ck_assert_uint_eq(p.dport, 443);
		ck_assert_ptr_null(p.malformed);
	}
	memcpy(f, (const uint8_t[]){ 0, 0, 0, 30 }, 4);  /* IPv6 (30) in front of an IPv4 packet */
	p = (struct pkt){ .ifindex = -1 };
	pkt_decode(&p, LT_LOOP, f, sizeof f, sizeof f);
	ck_assert_str_eq(p.malformed, "bad IPv6 version");
	memcpy(f, (const uint8_t[]){ 7, 0, 0, 0 }, 4);
	p = (struct pkt){ .ifindex = -1 };
	pkt_decode(&p, LT_NULL, f, sizeof f, sizeof f);
	ck_assert_uint_eq(p.layers, 0);
	ck_assert_ptr_null(p.malformed);
	p = (struct pkt){ .ifindex = -1 };
	pkt_decode(&p, LT_NULL, f, 3, 3);
	ck_assert_str_eq(p.malformed, "loopback header cut short");
}
END_TEST

/* Two questions (the second's name ends in a pointer into the first) and an
 * AAAA answer named by a pointer; one byte short of the answer drops it. */
START_TEST(dns_two_questions_aaaa)
{
	static const uint8_t f[20 + 8 + 68] = {
		0x45, 0, 0, 96, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 53, 10, 0, 0, 1,
		0, 53, 0xd4, 0x31, 0, 76, 0, 0,
		0x01, 0x02, 0x81, 0x80, 0, 2, 0, 1, 0, 0, 0, 0,
		4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 28, 0, 1,
		3, 'w', 'w', 'w', 0xc0, 17, 0, 1, 0, 1,
		0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
	};
	struct pkt p = { .ifindex = -1 };
	pkt_decode(&p, LT_RAW, f, sizeof f, sizeof f);
	ck_assert(p.layers & PKT_DNS);
	ck_assert_ptr_null(p.malformed);
	ck_assert_uint_eq(p.dns.id, 0x0102);
	ck_assert_uint_eq(p.dns.qdcount, 2);
	ck_assert_str_eq(p.dns.qname, "host.example");
	ck_assert_uint_eq(p.dns.qtype, 28);
	ck_assert_uint_eq(p.dns.nanswers, 1);
	ck_assert_uint_eq(p.dns.answers[0].family, 6);
	ck_assert_uint_eq(p.dns.answers[0].b[0], 0x20);
	ck_assert_uint_eq(p.dns.answers[0].b[3], 0xb8);
	ck_assert_uint_eq(p.dns.answers[0].b[15], 9);
	p = (struct pkt){ .ifindex = -1 };
	pkt_decode(&p, LT_RAW, f, sizeof f - 1, sizeof f);
	ck_assert(p.layers & PKT_DNS);
	ck_assert_str_eq(p.dns.qname, "host.example");
	ck_assert_uint_eq(p.dns.nanswers, 0);
	ck_assert_ptr_null(p.malformed);
}
END_TEST

/* IP total length 0: captured before segmentation offload, kept and marked. */
START_TEST(tso_length_zero)
{
	uint8_t f[sizeof syn_frame];
	memcpy(f, syn_frame, sizeof f);
	f[16] = 0;
	f[17] = 0;
	struct pkt p = { .ifindex = -1 };
	pkt_decode(&p, LT_ETHERNET, f, sizeof f, sizeof f);
	ck_assert(p.tso);
	ck_assert(p.layers & PKT_TCP);
	ck_assert_uint_eq(p.ip_len, sizeof f - 14);
}
END_TEST

static Suite *packet_suite(void)
{
	Suite *s = suite_create("packet");
	TCase *tc = tcase_create("decode");
	tcase_add_test(tc, tcp_syn_fields);
	tcase_add_test(tc, tcp_syn_event);
	tcase_add_test(tc, truncation_every_byte);
	tcase_add_test(tc, vlan_qinq);
	tcase_add_test(tc, linux_sll);
	tcase_add_test(tc, fragment_reassembly);
	tcase_add_test(tc, ipv6_extension_headers);
	tcase_add_test(tc, icmp_quoted_flow);
	tcase_add_test(tc, esp_in_udp);
	tcase_add_test(tc, dns_answers_and_loops);
	tcase_add_test(tc, tso_length_zero);
	tcase_add_test(tc, loopback_family);
	tcase_add_test(tc, dns_two_questions_aaaa);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(packet_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
