/*
 * tests/unit/test_an_udp.c - the UDP analyzer on hand-built datagrams:
 * generic pairing, the unanswered timeout at its exact deadline and at the
 * end of input, SQL Server Browser retries, replies from another address of
 * the same /24 and /64 (and not from another network), another port, DNS
 * pairing by id and question, per-source separation, broadcast, the cap.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "an_harness.h"
#include "../../correlator/core/util.h"

extern const struct analyzer analyzer_udp;

#define T0 (1700000000LL * NS_PER_SEC)
#define MS NS_PER_MSEC
#define CL "10.1.1.50"

START_TEST(generic_answered)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_udp(CL, 40000, "10.9.9.9", 7000), r = h_udp("10.9.9.9", 7000, CL, 40000);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &r, T0 + 5 * MS, 0, 2);
	h_tick(&h, T0 + 10 * NS_PER_SEC);
	h_finish(&h);
	ck_assert_uint_eq(h.n, 0);
	h_fini(&h);
}
END_TEST

START_TEST(unanswered_exact_deadline)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_udp(CL, 40000, "10.9.9.9", 7000);
	h_feed(&h, &q, T0, 0, 7);
	h_tick(&h, T0 + 2 * NS_PER_SEC - 1);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 0);
	h_tick(&h, T0 + 2 * NS_PER_SEC);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 1);
	const struct event *e = h_nth(&h, "udp.unanswered", 0);
	ck_assert_int_eq(e->ts, T0 + 2 * NS_PER_SEC);
	ck_assert_uint_eq(e->ref, 7);
	ck_assert_str_eq(h_addr(e, "ip.dst"), "10.9.9.9");
	ck_assert_int_eq(h_int(e, "udp.dstport"), 7000);
	ck_assert_str_eq(h_str(e, "service"), "udp");
	/* a second datagram the same way is not a new request */
	h_feed(&h, &q, T0 + 3 * NS_PER_SEC, 0, 8);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 1);
	h_fini(&h);
}
END_TEST

START_TEST(unanswered_at_finish)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_udp(CL, 40000, "10.9.9.9", 7000);
	h_feed(&h, &q, T0, 0, 1);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 1);
	ck_assert_int_eq(h_nth(&h, "udp.unanswered", 0)->ts, T0 + 2 * NS_PER_SEC);
	h_fini(&h);
}
END_TEST

START_TEST(browser_retries)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_udp(CL, 51234, "10.2.2.100", 1434);
	for (int i = 0; i < 3; i++)
		h_feed(&h, &q, T0 + i * 500 * MS, 0, (uint64_t)i + 1);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 3);
	ck_assert_uint_eq(h_nth(&h, "udp.unanswered", 2)->ref, 3);
	ck_assert_str_eq(h_str(h_nth(&h, "udp.unanswered", 0), "service"), "sql-browser");
	h_fini(&h);
}
END_TEST

START_TEST(browser_reply_answers_all)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_udp(CL, 51234, "10.2.2.20", 1434), r = h_udp("10.2.2.20", 1434, CL, 51234);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &q, T0 + 500 * MS, 0, 2);
	h_feed(&h, &r, T0 + 600 * MS, 0, 3);
	h_finish(&h);
	ck_assert_uint_eq(h.n, 0);
	h_fini(&h);
}
END_TEST

START_TEST(cluster_node_reply)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_udp(CL, 51234, "10.2.2.100", 1434), r = h_udp("10.2.2.11", 1434, CL, 51234);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &r, T0 + MS, 0, 2);
	ck_assert_uint_eq(h_count(&h, "udp.reply_from_other_address"), 1);
	const struct event *e = h_nth(&h, "udp.reply_from_other_address", 0);
	ck_assert_uint_eq(e->ref, 2);
	ck_assert_str_eq(h_addr(e, "expected_addr"), "10.2.2.100");
	ck_assert_str_eq(h_addr(e, "actual_addr"), "10.2.2.11");
	ck_assert_int_eq(h_int(e, "request_ref"), 1);
	ck_assert_int_eq(h_int(e, "delay"), MS);
	/* a retry gets its own reply, matched again */
	h_feed(&h, &q, T0 + NS_PER_SEC, 0, 3);
	h_feed(&h, &r, T0 + NS_PER_SEC + MS, 0, 4);
	ck_assert_uint_eq(h_count(&h, "udp.reply_from_other_address"), 2);
	ck_assert_int_eq(h_int(h_nth(&h, "udp.reply_from_other_address", 1), "request_ref"), 3);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 0);
	h_fini(&h);
}
END_TEST

/* another /24 is not taken for the cluster's node */
START_TEST(other_network_not_matched)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_udp(CL, 51234, "10.2.2.100", 1434), r = h_udp("10.2.3.11", 1434, CL, 51234);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &r, T0 + MS, 0, 2);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "udp.reply_from_other_address"), 0);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 1);
	h_fini(&h);
}
END_TEST

/* a reply after the deadline is no longer paired */
START_TEST(other_address_after_timeout)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_udp(CL, 51234, "10.2.2.100", 1434), r = h_udp("10.2.2.11", 1434, CL, 51234);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &r, T0 + 2 * NS_PER_SEC, 0, 2);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 1);
	ck_assert_uint_eq(h_count(&h, "udp.reply_from_other_address"), 0);
	h_fini(&h);
}
END_TEST

START_TEST(ipv6_same_64)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_udp("2001:db8:9::5", 40000, "2001:db8:1::100", 1434);
	struct pkt r = h_udp("2001:db8:1::11", 1434, "2001:db8:9::5", 40000);
	struct pkt q2 = h_udp("2001:db8:9::5", 40001, "2001:db8:1::100", 1434);
	struct pkt r2 = h_udp("2001:db8:2::11", 1434, "2001:db8:9::5", 40001);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &r, T0 + MS, 0, 2);
	h_feed(&h, &q2, T0 + 2 * MS, 0, 3);
	h_feed(&h, &r2, T0 + 3 * MS, 0, 4);
	ck_assert_uint_eq(h_count(&h, "udp.reply_from_other_address"), 1);
	ck_assert_str_eq(h_addr(h_nth(&h, "udp.reply_from_other_address", 0), "actual_addr"), "2001:db8:1::11");
	h_fini(&h);
}
END_TEST

START_TEST(other_port)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_udp(CL, 40000, "10.5.5.5", 69), r = h_udp("10.5.5.5", 50001, CL, 40000);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &r, T0 + MS, 0, 2);
	ck_assert_uint_eq(h_count(&h, "udp.reply_from_other_address"), 1);
	const struct event *e = h_nth(&h, "udp.reply_from_other_address", 0);
	ck_assert_int_eq(h_int(e, "expected_port"), 69);
	ck_assert_int_eq(h_int(e, "actual_port"), 50001);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 0);
	h_fini(&h);
}
END_TEST

START_TEST(dns_by_id_and_question)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt q = h_dns(CL, 40000, "10.0.0.53", 53, 0x1234, "a.example", 0, 0);
	struct pkt wrong = h_dns("10.0.0.54", 53, CL, 40000, 0x1234, "b.example", 1, 0);
	struct pkt right = h_dns("10.0.0.54", 53, CL, 40000, 0x1234, "a.example", 1, 0);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &wrong, T0 + MS, 0, 2);
	ck_assert_uint_eq(h_count(&h, "udp.reply_from_other_address"), 0);
	h_feed(&h, &right, T0 + 2 * MS, 0, 3);
	ck_assert_uint_eq(h_count(&h, "udp.reply_from_other_address"), 1);
	ck_assert_str_eq(h_str(h_nth(&h, "udp.reply_from_other_address", 0), "service"), "dns");
	/* unanswered DNS belongs to the dns analyzer */
	struct pkt q2 = h_dns(CL, 40001, "10.0.0.53", 53, 0x9, "c.example", 0, 0);
	h_feed(&h, &q2, T0 + 3 * MS, 0, 4);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 0);
	h_fini(&h);
}
END_TEST

START_TEST(per_source)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 2, 0);
	struct pkt q = h_udp(CL, 40000, "10.9.9.9", 7000), r = h_udp("10.9.9.9", 7000, CL, 40000);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &q, T0 + MS, 1, 1);
	h_feed(&h, &r, T0 + 2 * MS, 1, 2);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 1);
	ck_assert_uint_eq(h_nth(&h, "udp.unanswered", 0)->source, 0);
	h_fini(&h);
}
END_TEST

START_TEST(broadcast_and_one_way)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 0);
	struct pkt b = h_udp(CL, 40000, "255.255.255.255", 1434);
	struct pkt m = h_udp(CL, 40001, "239.255.255.250", 1900);
	struct pkt sl = h_udp(CL, 40002, "10.0.0.9", 514);
	struct pkt nb = h_udp(CL, 137, "10.1.1.255", 137);   /* NetBIOS name query */
	struct pkt nr = h_udp("10.1.1.7", 137, CL, 137);     /* a host answers */
	struct pkt l2 = h_udp(CL, 40003, "10.1.1.9", 9999);  /* Ethernet broadcast */
	l2.eth_dst[0] = 0xff;
	h_feed(&h, &b, T0, 0, 1);
	h_feed(&h, &m, T0, 0, 2);
	h_feed(&h, &sl, T0, 0, 3);
	h_feed(&h, &nb, T0, 0, 4);
	h_feed(&h, &nr, T0 + MS, 0, 5);
	h_feed(&h, &l2, T0 + MS, 0, 6);
	h_finish(&h);
	ck_assert_uint_eq(h.n, 0);
	h_fini(&h);
}
END_TEST

/* max_sessions 2 bounds the pending requests too: the third is not held */
START_TEST(cap)
{
	struct harness h;
	h_init(&h, &analyzer_udp, 1, 2);
	for (int i = 0; i < 3; i++) {
		struct pkt q = h_udp(CL, (uint16_t)(40000 + i), "10.9.9.9", 7000);
		h_feed(&h, &q, T0 + i * MS, 0, (uint64_t)i + 1);
	}
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "udp.unanswered"), 2);
	h_fini(&h);
}
END_TEST

static Suite *make_an_udp_suite(void)
{
	Suite *s = suite_create("an_udp");
	TCase *tc = tcase_create("pairing");
	tcase_add_test(tc, generic_answered);
	tcase_add_test(tc, unanswered_exact_deadline);
	tcase_add_test(tc, unanswered_at_finish);
	tcase_add_test(tc, browser_retries);
	tcase_add_test(tc, browser_reply_answers_all);
	tcase_add_test(tc, dns_by_id_and_question);
	tcase_add_test(tc, per_source);
	tcase_add_test(tc, broadcast_and_one_way);
	tcase_add_test(tc, cap);
	suite_add_tcase(s, tc);
	tc = tcase_create("other_address");
	tcase_add_test(tc, cluster_node_reply);
	tcase_add_test(tc, other_network_not_matched);
	tcase_add_test(tc, other_address_after_timeout);
	tcase_add_test(tc, ipv6_same_64);
	tcase_add_test(tc, other_port);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_an_udp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
