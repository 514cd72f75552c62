/*
 * tests/unit/test_an_dns.c - the DNS analyzer on hand-built queries and
 * responses: dns.unanswered at its exact deadline, pairing by id and question
 * from any server address, bursts (49 vs 50 queries, the 1 s window's exact
 * edge, fields, answers, exact name counts, cited queries and end time), the
 * per-source summary (NXDOMAIN ratio, top
 * names and clients), multicast queries, and the client cap.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an_harness.h"
#include "../../correlator/core/util.h"

extern const struct analyzer analyzer_dns;

#define T0 (1700000000LL * NS_PER_SEC)
#define MS NS_PER_MSEC
#define CL "10.0.5.23"
#define NS "10.0.0.53"

START_TEST(unanswered_exact_deadline)
{
	struct harness h;
	h_init(&h, &analyzer_dns, 1, 0);
	struct pkt q = h_dns(CL, 40000, NS, 53, 0x77, "intranet.example", 0, 0);
	h_feed(&h, &q, T0, 0, 3);
	h_tick(&h, T0 + 2 * NS_PER_SEC - 1);
	ck_assert_uint_eq(h_count(&h, "dns.unanswered"), 0);
	h_tick(&h, T0 + 2 * NS_PER_SEC);
	ck_assert_uint_eq(h_count(&h, "dns.unanswered"), 1);
	const struct event *e = h_nth(&h, "dns.unanswered", 0);
	ck_assert_uint_eq(e->ref, 3);
	ck_assert_int_eq(e->ts, T0 + 2 * NS_PER_SEC);
	ck_assert_str_eq(h_str(e, "dns.qry.name"), "intranet.example");
	ck_assert_int_eq(h_int(e, "dns.id"), 0x77);
	ck_assert_str_eq(h_addr(e, "ip.dst"), NS);
	h_fini(&h);
}
END_TEST

START_TEST(answered_by_id_and_question)
{
	struct harness h;
	h_init(&h, &analyzer_dns, 1, 0);
	struct pkt q = h_dns(CL, 40000, NS, 53, 0x77, "a.example", 0, 0);
	struct pkt other_id = h_dns(NS, 53, CL, 40000, 0x78, "a.example", 1, 0);
	struct pkt other_q = h_dns(NS, 53, CL, 40000, 0x77, "b.example", 1, 0);
	struct pkt right = h_dns("10.0.0.54", 53, CL, 40000, 0x77, "a.example", 1, 3);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &other_id, T0 + MS, 0, 2);
	h_feed(&h, &other_q, T0 + 2 * MS, 0, 3);
	h_feed(&h, &right, T0 + 3 * MS, 0, 4);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "dns.unanswered"), 0);
	const struct event *sum = h_nth(&h, "dns.summary", 0);
	ck_assert_int_eq(h_int(sum, "queries"), 1);
	ck_assert_int_eq(h_int(sum, "responses"), 3);
	ck_assert_int_eq(h_int(sum, "nxdomain"), 1);
	h_fini(&h);
}
END_TEST

static const char *const names[] = { "wpad.example", "isatap.example", "ldap.example" };

static void storm(struct harness *h, int n, int64_t step, uint16_t source)
{
	for (int i = 0; i < n; i++) {
		struct pkt q = h_dns(CL, (uint16_t)(50000 + i), NS, 53, (uint16_t)i, names[i % 3], 0, 0);
		struct pkt r = h_dns(NS, 53, CL, (uint16_t)(50000 + i), (uint16_t)i, names[i % 3], 1, 3);
		h_feed(h, &q, T0 + i * step, source, (uint64_t)(2 * i + 1));
		h_feed(h, &r, T0 + i * step + 1000, source, (uint64_t)(2 * i + 2));
	}
}

START_TEST(no_burst_at_49)
{
	struct harness h;
	h_init(&h, &analyzer_dns, 1, 0);
	storm(&h, 49, MS, 0);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "dns.burst"), 0);
	h_fini(&h);
}
END_TEST

/* 50 queries whose first and last are exactly 1 s apart are not "within 1 s" */
START_TEST(no_burst_at_window_edge)
{
	struct harness h;
	h_init(&h, &analyzer_dns, 1, 0);
	for (int i = 0; i < 50; i++) {
		struct pkt q = h_dns(CL, (uint16_t)(50000 + i), NS, 53, (uint16_t)i, "x.example", 0, 0);
		int64_t t = i == 49 ? T0 + NS_PER_SEC : T0 + i * MS;
		h_feed(&h, &q, t, 0, (uint64_t)i + 1);
	}
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "dns.burst"), 0);
	h_fini(&h);
}
END_TEST

START_TEST(burst_of_300)
{
	struct harness h;
	h_init(&h, &analyzer_dns, 1, 0);
	storm(&h, 300, 3 * MS, 0);
	/* the burst lasts while 50 queries fit in 1 s: until the 251st query
	 * (at 750 ms) is 1 s old */
	h_tick(&h, T0 + 1750 * MS - 1);
	ck_assert_uint_eq(h_count(&h, "dns.burst"), 0);
	h_tick(&h, T0 + 1750 * MS);
	ck_assert_uint_eq(h_count(&h, "dns.burst"), 1);
	const struct event *b = h_nth(&h, "dns.burst", 0);
	ck_assert_int_eq(b->ts, T0 + 1750 * MS);
	ck_assert_uint_eq(b->ref, 99);  /* the 50th query */
	ck_assert_int_eq(h_int(b, "count"), 300);
	ck_assert_int_eq(h_int(b, "window"), 897 * MS);
	ck_assert_int_eq(h_int(b, "peak_qps"), 300);
	ck_assert_str_eq(h_addr(b, "ip.src"), CL);
	const char *nm = h_str(b, "names");
	ck_assert_ptr_nonnull(strstr(nm, "wpad.example (100)"));  /* the whole burst, as tshark counts */
	ck_assert_ptr_nonnull(strstr(nm, "isatap.example (100)"));
	ck_assert_ptr_nonnull(strstr(nm, "ldap.example (100)"));
	ck_assert_int_eq(h_int(b, "responses"), 300);  /* the first answer came before the 2nd query */
	ck_assert_int_eq(h_int(b, "nxdomain"), 300);
	ck_assert_int_eq(h_int(b, "servfail"), 0);
	ck_assert_int_eq(h_int(b, "noerror"), 0);
	const struct value *mq = event_get(b, "mean_qps");
	ck_assert(mq && mq->type == V_REAL && mq->u.r == 300.0);  /* window under 1 s */
	const char *cite = h_str(b, "cite");
	ck_assert_ptr_nonnull(strstr(cite, "1/0@"));   /* the first query */
	ck_assert_ptr_nonnull(strstr(cite, ";99/0@"));  /* the 50th */
	ck_assert_ptr_nonnull(strstr(cite, ";599/0@")); /* the last */
	h_finish(&h);
	const struct event *sum = h_nth(&h, "dns.summary", 0);
	ck_assert_int_eq(h_int(sum, "queries"), 300);
	ck_assert_int_eq(h_int(sum, "nxdomain"), 300);
	ck_assert_int_eq(h_int(sum, "clients"), 1);
	ck_assert_int_eq(h_int(sum, "names"), 3);
	ck_assert_int_eq(h_int(sum, "peak_qps"), 300);
	ck_assert_str_eq(h_str(sum, "top_clients"), "10.0.5.23 (300)");
	ck_assert_str_eq(h_str(sum, "top_names"), "wpad.example (100), isatap.example (100), ldap.example (100)");
	const struct value *ratio = event_get(sum, "nxdomain_ratio");
	ck_assert(ratio && ratio->type == V_REAL && ratio->u.r == 1.0);
	h_fini(&h);
}
END_TEST

/* a storm still running at the end of input is reported at finish */
START_TEST(burst_at_finish_and_per_source)
{
	struct harness h;
	h_init(&h, &analyzer_dns, 2, 0);
	storm(&h, 60, MS, 1);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "dns.burst"), 1);
	ck_assert_uint_eq(h_nth(&h, "dns.burst", 0)->source, 1);
	ck_assert_int_eq(h_int(h_nth(&h, "dns.burst", 0), "count"), 60);
	ck_assert_uint_eq(h_count(&h, "dns.summary"), 1);
	ck_assert_uint_eq(h_nth(&h, "dns.summary", 0)->source, 1);
	h_fini(&h);
}
END_TEST

/* 30 queries, 1 s of silence, 30 more: never 50 within 1 s; then a second
 * storm after a pause is a second burst */
START_TEST(cool_down_between_storms)
{
	struct harness h;
	h_init(&h, &analyzer_dns, 1, 0);
	uint64_t ref = 1;
	int64_t t = T0;
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 30; i++, t += MS) {
			struct pkt q = h_dns(CL, 40000, NS, 53, (uint16_t)i, "x.example", 0, 0);
			h_feed(&h, &q, t, 0, ref++);
		}
		t += NS_PER_SEC;
	}
	ck_assert_uint_eq(h_count(&h, "dns.burst"), 0);
	for (int i = 0; i < 60; i++, t += MS) {
		struct pkt q = h_dns(CL, 40000, NS, 53, (uint16_t)i, "y.example", 0, 0);
		h_feed(&h, &q, t, 0, ref++);
	}
	t += 2 * NS_PER_SEC;
	for (int i = 0; i < 55; i++, t += MS) {
		struct pkt q = h_dns(CL, 40000, NS, 53, (uint16_t)i, "z.example", 0, 0);
		h_feed(&h, &q, t, 0, ref++);
	}
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "dns.burst"), 2);
	ck_assert_int_eq(h_int(h_nth(&h, "dns.burst", 0), "count"), 60);
	ck_assert_str_eq(h_str(h_nth(&h, "dns.burst", 0), "dns.qry.name"), "y.example");
	ck_assert_int_eq(h_int(h_nth(&h, "dns.burst", 1), "count"), 55);
	ck_assert_str_eq(h_str(h_nth(&h, "dns.burst", 1), "dns.qry.name"), "z.example");
	h_fini(&h);
}
END_TEST

START_TEST(multicast_not_pending)
{
	struct harness h;
	h_init(&h, &analyzer_dns, 1, 0);
	struct pkt q = h_dns(CL, 5353, "224.0.0.251", 5353, 0, "printer.local", 0, 0);
	h_feed(&h, &q, T0, 0, 1);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "dns.unanswered"), 0);
	ck_assert_uint_eq(h_count(&h, "dns.summary"), 1);
	h_fini(&h);
}
END_TEST

/* max_sessions 2: three unanswered queries inside 2 s, only two held */
START_TEST(cap)
{
	struct harness h;
	h_init(&h, &analyzer_dns, 1, 2);
	for (int i = 0; i < 3; i++) {
		char a[32];
		snprintf(a, sizeof a, "10.0.5.%d", 30 + i);
		struct pkt q = h_dns(a, 40000, NS, 53, 1, "x.example", 0, 0);
		h_feed(&h, &q, T0 + i * MS, 0, (uint64_t)i + 1);
	}
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "dns.unanswered"), 2);
	ck_assert_int_eq(h_int(h_nth(&h, "dns.summary", 0), "clients"), 3);
	h_fini(&h);
}
END_TEST

static Suite *make_an_dns_suite(void)
{
	Suite *s = suite_create("an_dns");
	TCase *tc = tcase_create("pairing");
	tcase_add_test(tc, unanswered_exact_deadline);
	tcase_add_test(tc, answered_by_id_and_question);
	tcase_add_test(tc, multicast_not_pending);
	tcase_add_test(tc, cap);
	suite_add_tcase(s, tc);
	tc = tcase_create("burst");
	tcase_add_test(tc, no_burst_at_49);
	tcase_add_test(tc, no_burst_at_window_edge);
	tcase_add_test(tc, burst_of_300);
	tcase_add_test(tc, burst_at_finish_and_per_source);
	tcase_add_test(tc, cool_down_between_storms);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_an_dns_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
