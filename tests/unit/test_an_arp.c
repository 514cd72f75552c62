/*
 * tests/unit/test_an_arp.c - the ARP analyzer on hand-built requests and
 * replies: arp.unanswered at its exact deadline, replies, gratuitous
 * announcements and unsolicited replies, probes, bursts (20 different targets
 * within 1 ms vs 19, repeated targets, the window's exact edge), the summary's
 * peaks per ms and per s, per-source separation, the cap, and what followed a
 * burst (arp.burst_outcome: the host tearing down idle sessions vs failover).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an_harness.h"
#include "../../correlator/core/util.h"

extern const struct analyzer analyzer_arp;

#define T0 (1700000000LL * NS_PER_SEC)
#define MS NS_PER_MSEC
#define US 1000LL
#define SRV "192.168.1.10"

static struct pkt req_for(int host)
{
	char t[32];
	snprintf(t, sizeof t, "192.168.1.%d", host);
	return h_arp(1, SRV, t);
}

START_TEST(unanswered_exact_deadline)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 0);
	struct pkt q = req_for(20);
	h_feed(&h, &q, T0, 0, 4);
	h_tick(&h, T0 + NS_PER_SEC - 1);
	ck_assert_uint_eq(h_count(&h, "arp.unanswered"), 0);
	h_tick(&h, T0 + NS_PER_SEC);
	ck_assert_uint_eq(h_count(&h, "arp.unanswered"), 1);
	const struct event *e = h_nth(&h, "arp.unanswered", 0);
	ck_assert_uint_eq(e->ref, 4);
	ck_assert_int_eq(e->ts, T0 + NS_PER_SEC);
	ck_assert_str_eq(h_addr(e, "arp.dst.proto_ipv4"), "192.168.1.20");
	h_fini(&h);
}
END_TEST

START_TEST(answered_and_gratuitous)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 0);
	struct pkt q = req_for(20), r = h_arp(2, "192.168.1.20", SRV);
	struct pkt ann = h_arp(1, SRV, SRV), unsol = h_arp(2, "192.168.1.99", SRV);
	struct pkt probe = h_arp(1, "0.0.0.0", "192.168.1.77");
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &r, T0 + MS, 0, 2);
	h_feed(&h, &ann, T0 + 2 * MS, 0, 3);
	h_feed(&h, &unsol, T0 + 1500 * MS, 0, 4);
	h_feed(&h, &probe, T0 + 1600 * MS, 0, 5);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "arp.unanswered"), 0);
	ck_assert_uint_eq(h_count(&h, "arp.gratuitous"), 2);
	ck_assert_uint_eq(h_nth(&h, "arp.gratuitous", 0)->ref, 3);
	ck_assert_str_eq(h_str(h_nth(&h, "arp.gratuitous", 0), "reason"), "announcement");
	ck_assert_uint_eq(h_nth(&h, "arp.gratuitous", 1)->ref, 4);
	ck_assert_str_eq(h_str(h_nth(&h, "arp.gratuitous", 1), "reason"), "unsolicited reply");
	const struct event *sum = h_nth(&h, "arp.summary", 0);
	ck_assert_int_eq(h_int(sum, "requests"), 3);
	ck_assert_int_eq(h_int(sum, "replies"), 2);
	ck_assert_int_eq(h_int(sum, "gratuitous"), 2);
	h_fini(&h);
}
END_TEST

/* in the source's first second a reply may answer a request from before
 * the capture began: not unsolicited; a second later it is */
START_TEST(early_reply_not_unsolicited)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 0);
	struct pkt r = h_arp(2, "192.168.1.20", SRV);
	h_feed(&h, &r, T0, 0, 1);
	h_feed(&h, &r, T0 + NS_PER_SEC - 1, 0, 2);
	ck_assert_uint_eq(h_count(&h, "arp.gratuitous"), 0);
	h_feed(&h, &r, T0 + NS_PER_SEC, 0, 3);
	ck_assert_uint_eq(h_count(&h, "arp.gratuitous"), 1);
	ck_assert_uint_eq(h_nth(&h, "arp.gratuitous", 0)->ref, 3);
	h_fini(&h);
}
END_TEST

/* a late reply (after the timeout) is still an answer, not unsolicited */
START_TEST(late_reply_not_unsolicited)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 0);
	struct pkt q = req_for(20), r = h_arp(2, "192.168.1.20", SRV);
	h_feed(&h, &q, T0, 0, 1);
	h_feed(&h, &r, T0 + 1500 * MS, 0, 2);
	ck_assert_uint_eq(h_count(&h, "arp.unanswered"), 1);
	ck_assert_uint_eq(h_count(&h, "arp.gratuitous"), 0);
	h_fini(&h);
}
END_TEST

static void sweep(struct harness *h, int n, int64_t step, int distinct, uint16_t source)
{
	for (int i = 0; i < n; i++) {
		struct pkt q = req_for(100 + i % distinct);
		h_feed(h, &q, T0 + i * step, source, (uint64_t)i + 1);
	}
}

START_TEST(burst_of_20)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 0);
	sweep(&h, 20, 45 * US, 20, 0);
	h_tick(&h, T0 + 19 * 45 * US + MS - 1);
	ck_assert_uint_eq(h_count(&h, "arp.burst"), 0);
	h_tick(&h, T0 + 19 * 45 * US + MS);
	ck_assert_uint_eq(h_count(&h, "arp.burst"), 1);
	const struct event *b = h_nth(&h, "arp.burst", 0);
	ck_assert_uint_eq(b->ref, 20);
	ck_assert_int_eq(h_int(b, "count"), 20);
	ck_assert_int_eq(h_int(b, "targets"), 20);
	ck_assert_int_eq(h_int(b, "window"), 19 * 45 * US);
	ck_assert_str_eq(h_addr(b, "arp.src.proto_ipv4"), SRV);
	h_finish(&h);
	const struct event *sum = h_nth(&h, "arp.summary", 0);
	ck_assert_int_eq(h_int(sum, "peak_per_ms"), 20);
	ck_assert_int_eq(h_int(sum, "peak_per_s"), 20);
	ck_assert_int_eq(h_int(sum, "unanswered"), 20);
	ck_assert_str_eq(h_addr(sum, "peak_sender"), SRV);
	h_fini(&h);
}
END_TEST

/* 20 peers re-resolved, 192.168.1.100-102 had sessions; all answer; then the
 * host resets the idle ones itself: host_teardown. With a gratuitous
 * announcement first and nobody answering: failover. */
static void outcome_case(struct harness *h, bool failover)
{
	for (int i = 0; i < 3; i++) {   /* sessions idle since 5 + i minutes */
		char peer[32];
		snprintf(peer, sizeof peer, "192.168.1.%d", 100 + i);
		struct pkt d = h_tcp(peer, (uint16_t)(50000 + i), SRV, 445, 0x18);
		h_feed(h, &d, T0 - (300 + 60 * i) * NS_PER_SEC, 0, 1000 + (uint64_t)i);
	}
	if (failover) {
		struct pkt g = h_arp(1, SRV, SRV);
		h_feed(h, &g, T0 - 2 * NS_PER_SEC, 0, 1100);
	}
	sweep(h, 20, 45 * US, 20, 0);
	if (!failover)
		for (int i = 0; i < 20; i++) {
			char t[32];
			snprintf(t, sizeof t, "192.168.1.%d", 100 + i);
			struct pkt r = h_arp(2, t, SRV);
			h_feed(h, &r, T0 + MS + i * US, 0, 200 + (uint64_t)i);
		}
	for (int i = 0; i < 3; i++) {
		char peer[32];
		snprintf(peer, sizeof peer, "192.168.1.%d", 100 + i);
		struct pkt r = h_tcp(SRV, 445, peer, (uint16_t)(50000 + i), 0x14);
		h_feed(h, &r, T0 + 500 * MS + i * MS, 0, 300 + (uint64_t)i);
	}
}

START_TEST(burst_then_host_teardown)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 0);
	outcome_case(&h, false);
	h_tick(&h, T0 + 19 * 45 * US + 30 * NS_PER_SEC - 1);
	ck_assert_uint_eq(h_count(&h, "arp.burst_outcome"), 0);
	h_tick(&h, T0 + 19 * 45 * US + 30 * NS_PER_SEC);
	ck_assert_uint_eq(h_count(&h, "arp.burst_outcome"), 1);
	const struct event *o = h_nth(&h, "arp.burst_outcome", 0);
	ck_assert_str_eq(h_str(o, "verdict"), "host_teardown");
	ck_assert_int_eq(h_int(o, "answered"), 20);
	ck_assert_int_eq(h_int(o, "host_resets"), 3);
	ck_assert_int_eq(h_int(o, "max_idle"), 420 * NS_PER_SEC + 502 * MS);
	ck_assert_int_eq(h_int(o, "min_idle"), 300 * NS_PER_SEC + 500 * MS);
	ck_assert_str_eq(h_str(o, "services"), "smb/445");
	ck_assert_ptr_nonnull(strstr(h_str(o, "sessions"), "192.168.1.10:445 -> 192.168.1.100:50000 tcp (smb/445, idle 5 min 0.500 s"));
	ck_assert_ptr_nonnull(strstr(h_str(o, "cite"), ";302/0@"));
	h_fini(&h);
}
END_TEST

START_TEST(burst_then_failover)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 0);
	outcome_case(&h, true);
	h_finish(&h);
	const struct event *o = h_nth(&h, "arp.burst_outcome", 0);
	ck_assert_str_eq(h_str(o, "verdict"), "failover");
	ck_assert_int_eq(h_int(o, "gratuitous"), 1);
	ck_assert_int_eq(h_int(o, "unanswered"), 20);
	ck_assert_int_eq(h_int(o, "resets"), 3);
	ck_assert_ptr_nonnull(strstr(h_str(o, "cite"), "1100/0@"));
	h_fini(&h);
}
END_TEST

START_TEST(no_burst_at_19)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 0);
	sweep(&h, 19, 45 * US, 19, 0);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "arp.burst"), 0);
	h_fini(&h);
}
END_TEST

START_TEST(no_burst_repeated_targets)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 0);
	sweep(&h, 30, 20 * US, 10, 0);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "arp.burst"), 0);
	h_fini(&h);
}
END_TEST

/* the 20th request exactly 1 ms after the first is outside the window */
START_TEST(no_burst_at_window_edge)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 0);
	for (int i = 0; i < 20; i++) {
		struct pkt q = req_for(100 + i);
		h_feed(&h, &q, i == 19 ? T0 + MS : T0 + i * 10 * US, 0, (uint64_t)i + 1);
	}
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "arp.burst"), 0);
	h_fini(&h);
}
END_TEST

START_TEST(per_source)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 2, 0);
	for (int i = 0; i < 20; i++) {
		struct pkt q = req_for(100 + i);
		h_feed(&h, &q, T0 + i * 10 * US, (uint16_t)(i % 2), (uint64_t)i + 1);
	}
	struct pkt r = h_arp(2, "192.168.1.100", SRV);
	h_feed(&h, &r, T0 + 2 * NS_PER_SEC, 1, 99);  /* source 1 never saw that request */
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "arp.burst"), 0);
	ck_assert_uint_eq(h_count(&h, "arp.summary"), 2);
	ck_assert_uint_eq(h_count(&h, "arp.gratuitous"), 1);
	ck_assert_uint_eq(h_count(&h, "arp.unanswered"), 20);
	h_fini(&h);
}
END_TEST

/* max_sessions 4: at most four requests pending */
START_TEST(cap)
{
	struct harness h;
	h_init(&h, &analyzer_arp, 1, 4);
	sweep(&h, 8, 100 * US, 8, 0);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "arp.unanswered"), 4);
	h_fini(&h);
}
END_TEST

static Suite *make_an_arp_suite(void)
{
	Suite *s = suite_create("an_arp");
	TCase *tc = tcase_create("pairing");
	tcase_add_test(tc, unanswered_exact_deadline);
	tcase_add_test(tc, answered_and_gratuitous);
	tcase_add_test(tc, late_reply_not_unsolicited);
	tcase_add_test(tc, early_reply_not_unsolicited);
	tcase_add_test(tc, per_source);
	tcase_add_test(tc, cap);
	suite_add_tcase(s, tc);
	tc = tcase_create("burst");
	tcase_add_test(tc, burst_of_20);
	tcase_add_test(tc, no_burst_at_19);
	tcase_add_test(tc, burst_then_host_teardown);
	tcase_add_test(tc, burst_then_failover);
	tcase_add_test(tc, no_burst_repeated_targets);
	tcase_add_test(tc, no_burst_at_window_edge);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_an_arp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
