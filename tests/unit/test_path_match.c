/*
 * tests/unit/test_path_match.c - matching sessions between two captures
 * (same 5-tuple, ISNs through NAT, payload digests, port reuse) and the
 * packet fingerprints the diff relies on (NAT leaves the full one alone; a
 * modified packet keeps its loose one).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../correlator/analyze/path_match.h"
#include "../../parsers/decode/packet.h"

static struct flow fl(const char *src, uint16_t sp, const char *dst, uint16_t dp, uint8_t proto)
{
	struct flow f = { .sport = sp, .dport = dp, .proto = proto };
	ck_assert(addr_parse(src, strlen(src), &f.src));
	ck_assert(addr_parse(dst, strlen(dst), &f.dst));
	return f;
}

START_TEST(isn_through_nat)
{
	struct path_test_sess a[] = {
		{ fl("10.110.233.50", 50170, "10.120.5.20", 443, 6), 0x1000, 0x2000, 0 },
		{ fl("10.110.233.50", 50183, "10.120.5.20", 443, 6), 0x51C0FFEE, 0x0BADF00D, 0 },
	};
	struct path_test_sess b[] = {
		{ fl("10.110.235.202", 55073, "10.120.5.20", 443, 6), 0x51C0FFEE, 0x0BADF00D, 0 },
		{ fl("10.110.235.202", 55060, "10.120.5.20", 443, 6), 0x1000, 0x2000, 0 },
		{ fl("10.110.235.202", 55099, "10.120.5.20", 443, 6), 0x9999, 0x8888, 0 },
	};
	int m[3];
	path_match_sessions(a, 2, b, 3, m);
	ck_assert_int_eq(m[0], 1);
	ck_assert_int_eq(m[1], 0);
	ck_assert_int_eq(m[2], -1);
}
END_TEST

START_TEST(same_tuple_but_port_reuse)
{
	/* same 5-tuple, different client ISN: another connection, no match */
	struct path_test_sess a[] = { { fl("10.0.0.1", 1000, "10.0.0.2", 80, 6), 111, 222, 0 } };
	struct path_test_sess b[] = {
		{ fl("10.0.0.1", 1000, "10.0.0.2", 80, 6), 333, 444, 0 },
		{ fl("10.0.0.2", 80, "10.0.0.1", 1000, 6), 0, 0, 0 },  /* no SYN seen: the tuple decides */
	};
	int m[2];
	path_match_sessions(a, 1, b, 1, m);
	ck_assert_int_eq(m[0], -1);
	path_match_sessions(a, 1, b + 1, 1, m);
	ck_assert_int_eq(m[0], 0);
}
END_TEST

START_TEST(digest_through_nat_udp)
{
	struct path_test_sess a[] = {
		{ fl("192.168.1.5", 5353, "8.8.8.8", 53, 17), 0, 0, 0xabcdef01 },
		{ fl("192.168.1.5", 5354, "8.8.8.8", 53, 17), 0, 0, 0x12345678 },
	};
	struct path_test_sess b[] = {
		{ fl("203.0.113.9", 61000, "8.8.8.8", 53, 17), 0, 0, 0x12345678 },
		{ fl("203.0.113.9", 61001, "8.8.8.8", 53, 17), 0, 0, 0x55555555 },
	};
	int m[2];
	path_match_sessions(a, 2, b, 2, m);
	ck_assert_int_eq(m[0], 1);
	ck_assert_int_eq(m[1], -1);
}
END_TEST

START_TEST(ambiguous_isn_not_matched)
{
	/* two sessions with the same ISN pair at a: neither is chosen */
	struct path_test_sess a[] = {
		{ fl("10.0.0.1", 1, "10.0.0.9", 80, 6), 7, 8, 0 },
		{ fl("10.0.0.2", 2, "10.0.0.9", 80, 6), 7, 8, 0 },
	};
	struct path_test_sess b[] = { { fl("1.1.1.1", 3, "10.0.0.9", 80, 6), 7, 8, 0 } };
	int m[1];
	path_match_sessions(a, 2, b, 1, m);
	ck_assert_int_eq(m[0], -1);
}
END_TEST

static void mk(struct pkt *p, const char *src, const char *dst, uint16_t ipid, uint8_t ttl, uint32_t seq,
	       const uint8_t *pl, uint32_t n)
{
	memset(p, 0, sizeof *p);
	p->layers = PKT_IP4 | PKT_TCP;
	p->ip_proto = 6;
	ck_assert(addr_parse(src, strlen(src), &p->src));
	ck_assert(addr_parse(dst, strlen(dst), &p->dst));
	p->ip_id = ipid;
	p->ttl = ttl;
	p->seq = seq;
	p->ack = 77;
	p->tcp_flags = TH_SYN | TH_ACK;
	p->win = 8192;
	p->payload = pl;
	p->payload_caplen = p->l4_len = n;
}

START_TEST(fingerprints_survive_nat_not_change)
{
	static const uint8_t two[2] = { 0, 0 };
	struct pkt in, out, mod;
	mk(&in, "10.120.5.20", "10.110.233.50", 0x7001, 63, 0x0BADF00D, NULL, 0);
	mk(&out, "10.120.5.20", "10.110.235.202", 0x7001, 64, 0x0BADF00D, NULL, 0);  /* NAT + one hop */
	mk(&mod, "10.120.5.20", "10.110.233.50", 0x7001, 63, 0x0BADF00D, two, 2);    /* 2 bytes added */
	ck_assert_uint_eq(path_fp_full(&in), path_fp_full(&out));
	ck_assert_uint_ne(path_fp_full(&in), path_fp_full(&mod));
	ck_assert_uint_eq(path_fp_loose(&in), path_fp_loose(&mod));
	/* a retransmission has a new IP-ID: another packet */
	struct pkt re;
	mk(&re, "10.120.5.20", "10.110.233.50", 0x7002, 63, 0x0BADF00D, NULL, 0);
	ck_assert_uint_ne(path_fp_loose(&in), path_fp_loose(&re));
	ck_assert_uint_ne(path_fp_full(&in), path_fp_full(&re));
}
END_TEST

START_TEST(mapping_line)
{
	struct path_group g = { .nv = 2 };
	g.v[0].flow = fl("10.110.233.50", 50183, "10.120.5.20", 443, 6);
	g.v[1].flow = fl("10.110.235.202", 55073, "10.120.5.20", 443, 6);
	char buf[256];
	path_group_mapping(&g, buf, sizeof buf);
	ck_assert_str_eq(buf, "10.110.233.50:50183 \xe2\x86\x94 10.110.235.202:55073");
	g.v[1].flow = g.v[0].flow;
	path_group_mapping(&g, buf, sizeof buf);
	ck_assert_str_eq(buf, "same 5-tuple");
}
END_TEST

static Suite *path_match_suite(void)
{
	Suite *s = suite_create("path_match");
	TCase *tc = tcase_create("sessions");
	tcase_add_test(tc, isn_through_nat);
	tcase_add_test(tc, same_tuple_but_port_reuse);
	tcase_add_test(tc, digest_through_nat_udp);
	tcase_add_test(tc, ambiguous_isn_not_matched);
	suite_add_tcase(s, tc);
	TCase *tp = tcase_create("packets");
	tcase_add_test(tp, fingerprints_survive_nat_not_change);
	tcase_add_test(tp, mapping_line);
	suite_add_tcase(s, tp);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(path_match_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
