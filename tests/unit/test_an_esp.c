/*
 * tests/unit/test_an_esp.c - the ESP analyzer on hand-built packets: gaps
 * (lost only once they leave the replay window unfilled),
 * late arrivals inside and outside the 64-packet replay window (exact
 * boundary), duplicates, 32-bit wraparound, per-source separation, per-second
 * intervals closed at the exact second boundary, the series collector, net
 * loss in the summary, and the SA cap.
 */
#include <check.h>
#include <stdlib.h>

#include "an_harness.h"
#include "../../correlator/analyze/an_esp.h"
#include "../../correlator/core/util.h"

extern const struct analyzer analyzer_esp;

#define A "192.0.2.1"
#define B "198.51.100.2"
#define T0 (1700000000LL * NS_PER_SEC)
#define MS NS_PER_MSEC

static void feed_seqs(struct harness *h, const uint32_t *seq, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pkt p = h_esp(A, B, 0x1000, seq[i]);
		h_feed(h, &p, T0 + (int64_t)i * MS, 0, i + 1);
	}
}

START_TEST(in_order_is_quiet)
{
	struct harness h;
	h_init(&h, &analyzer_esp, 1, 0);
	const uint32_t s[] = { 7, 8, 9, 10, 11 };
	feed_seqs(&h, s, 5);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "esp.lost") + h_count(&h, "esp.reordered") + h_count(&h, "esp.duplicate"), 0);
	const struct event *sum = h_nth(&h, "esp.summary", 0);
	ck_assert_int_eq(h_int(sum, "packets"), 5);
	ck_assert_int_eq(h_int(sum, "lost"), 0);
	ck_assert_int_eq(h_int(sum, "first_seq"), 7);
	ck_assert_uint_eq(sum->ref, 1);
	h_fini(&h);
}
END_TEST

START_TEST(gap_is_lost)
{
	struct harness h;
	h_init(&h, &analyzer_esp, 1, 0);
	const uint32_t s[] = { 1, 2, 5, 6 };
	feed_seqs(&h, s, 4);
	ck_assert_uint_eq(h_count(&h, "esp.lost"), 0);  /* 3 and 4 may still come */
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "esp.lost"), 1);
	const struct event *e = h_nth(&h, "esp.lost", 0);
	ck_assert_uint_eq(e->ref, 3);
	ck_assert_int_eq(h_int(e, "count"), 2);
	ck_assert_int_eq(h_int(e, "expected"), 3);
	ck_assert_int_eq(h_int(e, "esp.sequence"), 5);
	ck_assert_int_eq(h_int(e, "esp.spi"), 0x1000);
	ck_assert_int_eq(h_int(h_nth(&h, "esp.summary", 0), "lost"), 2);
	h_fini(&h);
}
END_TEST

START_TEST(late_and_filled)
{
	struct harness h;
	h_init(&h, &analyzer_esp, 1, 0);
	const uint32_t s[] = { 1, 2, 4, 3 };
	feed_seqs(&h, s, 4);
	const struct event *e = h_nth(&h, "esp.reordered", 0);
	ck_assert_uint_eq(e->ref, 4);
	ck_assert_int_eq(h_int(e, "late_by"), 1);
	ck_assert_int_eq(h_int(e, "replay_window_exceeded"), 0);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "esp.lost"), 0);  /* late is reordering, not loss */
	const struct event *sum = h_nth(&h, "esp.summary", 0);
	ck_assert_int_eq(h_int(sum, "first_reordered_ref"), 4);
	ck_assert_int_eq(h_int(sum, "max_late"), 1);
	ck_assert_int_eq(h_int(sum, "shallow"), 1);
	ck_assert_int_eq(h_int(sum, "lost"), 0);     /* filled late */
	ck_assert_int_eq(h_int(sum, "skipped"), 1);  /* as seen when the gap opened */
	ck_assert_int_eq(h_int(sum, "reordered"), 1);
	h_fini(&h);
}
END_TEST

/* late_by 63 is inside the 64-packet window, 64 is outside */
START_TEST(replay_window_boundary)
{
	struct harness h;
	h_init(&h, &analyzer_esp, 1, 0);
	uint32_t s[140];
	size_t n = 0;
	for (uint32_t i = 1; i <= 130; i++)
		if (i != 67 && i != 66)
			s[n++] = i;
	s[n++] = 67;  /* highest 130: late by 63 */
	s[n++] = 66;  /* late by 64 */
	feed_seqs(&h, s, n);
	ck_assert_uint_eq(h_count(&h, "esp.reordered"), 2);
	const struct event *a = h_nth(&h, "esp.reordered", 0), *b = h_nth(&h, "esp.reordered", 1);
	ck_assert_int_eq(h_int(a, "late_by"), 63);
	ck_assert_int_eq(h_int(a, "replay_window_exceeded"), 0);
	ck_assert_int_eq(h_int(b, "late_by"), 64);
	ck_assert_int_eq(h_int(b, "replay_window_exceeded"), 1);
	ck_assert_uint_eq(b->ref, n);
	h_fini(&h);
}
END_TEST

START_TEST(duplicates)
{
	struct harness h;
	h_init(&h, &analyzer_esp, 1, 0);
	const uint32_t s[] = { 1, 2, 2, 3, 1 };
	feed_seqs(&h, s, 5);
	ck_assert_uint_eq(h_count(&h, "esp.duplicate"), 2);
	ck_assert_uint_eq(h_nth(&h, "esp.duplicate", 0)->ref, 3);
	ck_assert_uint_eq(h_nth(&h, "esp.duplicate", 1)->ref, 5);
	ck_assert_uint_eq(h_count(&h, "esp.reordered"), 0);
	h_fini(&h);
}
END_TEST

START_TEST(wraparound)
{
	struct harness h;
	h_init(&h, &analyzer_esp, 1, 0);
	const uint32_t s[] = { 0xfffffffeu, 0xffffffffu, 0, 1, 4, 0xffffffffu };
	feed_seqs(&h, s, 6);
	/* 0 follows 0xffffffff; 2 and 3 are missing; 0xffffffff again is old */
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "esp.lost"), 1);
	ck_assert_int_eq(h_int(h_nth(&h, "esp.lost", 0), "count"), 2);
	ck_assert_uint_eq(h_nth(&h, "esp.lost", 0)->ref, 5);
	ck_assert_uint_eq(h_count(&h, "esp.duplicate"), 1);
	ck_assert_uint_eq(h_count(&h, "esp.reordered"), 0);
	ck_assert_int_eq(h_int(h_nth(&h, "esp.summary", 0), "lost"), 2);
	h_fini(&h);
}
END_TEST

/* a gap is loss once it leaves the 64-packet window unfilled: 10 leaves when
 * 74 arrives; 30, 3 packets late, is reordering */
START_TEST(lost_when_it_leaves_the_window)
{
	struct harness h;
	h_init(&h, &analyzer_esp, 1, 0);
	uint32_t s[120];
	size_t n = 0, at74 = 0;
	for (uint32_t i = 1; i <= 100; i++) {
		if (i == 10 || i == 30)
			continue;
		s[n++] = i;
		if (i == 33)
			s[n++] = 30;
		if (i == 74)
			at74 = n;
	}
	feed_seqs(&h, s, at74 - 1);
	ck_assert_uint_eq(h_count(&h, "esp.lost"), 0);
	struct pkt p = h_esp(A, B, 0x1000, 74);
	h_feed(&h, &p, T0 + (int64_t)at74 * MS, 0, at74);
	ck_assert_uint_eq(h_count(&h, "esp.lost"), 1);
	const struct event *e = h_nth(&h, "esp.lost", 0);
	ck_assert_uint_eq(e->ref, 10);   /* the packet after the gap (sequence 11) */
	ck_assert_int_eq(h_int(e, "count"), 1);
	ck_assert_int_eq(h_int(e, "expected"), 10);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "esp.lost"), 1);
	const struct event *sum = h_nth(&h, "esp.summary", 0);
	ck_assert_int_eq(h_int(sum, "lost"), 1);
	ck_assert_int_eq(h_int(sum, "reordered"), 1);
	ck_assert_int_eq(h_int(sum, "max_late"), 3);
	ck_assert_int_eq(h_int(sum, "first_lost_ref"), 10);
	ck_assert_int_eq(h_int(sum, "first_reordered_ref"), 32);  /* 30, after 33 */
	h_fini(&h);
}
END_TEST

/* the same SA seen at two vantage points is two separate analyses */
START_TEST(per_source)
{
	struct harness h;
	h_init(&h, &analyzer_esp, 2, 0);
	for (uint32_t i = 1; i <= 5; i++) {
		struct pkt p = h_esp(A, B, 0x1000, i);
		h_feed(&h, &p, T0 + i * MS, 0, i);
		if (i != 3)
			h_feed(&h, &p, T0 + i * MS + 1, 1, i);
	}
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "esp.lost"), 1);
	ck_assert_uint_eq(h_nth(&h, "esp.lost", 0)->source, 1);
	ck_assert_uint_eq(h_count(&h, "esp.summary"), 2);
	h_fini(&h);
}
END_TEST

START_TEST(intervals_at_second_boundary)
{
	struct harness h;
	h_init(&h, &analyzer_esp, 1, 0);
	struct pkt p = h_esp(A, B, 0x1000, 1);
	h_feed(&h, &p, T0 + 100 * MS, 0, 1);
	p.esp_seq = 3;
	h_feed(&h, &p, T0 + 500 * MS, 0, 2);
	h_tick(&h, T0 + NS_PER_SEC - 1);
	ck_assert_uint_eq(h_count(&h, "esp.interval"), 0);
	h_tick(&h, T0 + NS_PER_SEC);
	ck_assert_uint_eq(h_count(&h, "esp.interval"), 1);
	const struct event *iv = h_nth(&h, "esp.interval", 0);
	ck_assert_int_eq(iv->ts, T0 + NS_PER_SEC);
	ck_assert_uint_eq(iv->ref, 1);
	ck_assert_int_eq(h_int(iv, "second"), 1700000000);
	ck_assert_int_eq(h_int(iv, "packets"), 2);
	ck_assert_int_eq(h_int(iv, "bytes"), 240);
	ck_assert_int_eq(h_int(iv, "lost"), 0);  /* 2 may still come: inside the window */
	p.esp_seq = 4;
	h_feed(&h, &p, T0 + 2500 * MS, 0, 3);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "esp.interval"), 2);
	ck_assert_int_eq(h_nth(&h, "esp.interval", 1)->ts, T0 + 3 * NS_PER_SEC);

	/* the collector the report uses */
	struct esp_series_set *set = esp_series_new();
	for (size_t i = 0; i < h.n; i++)
		esp_series_add(set, h.got[i]);
	size_t n;
	const struct esp_series *sr = esp_series_get(set, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(sr[0].spi, 0x1000);
	ck_assert_uint_eq(sr[0].npts, 2);
	ck_assert_int_eq(sr[0].pts[0].second, 1700000000);
	ck_assert_uint_eq(sr[0].pts[0].lost, 0);
	ck_assert_int_eq(sr[0].pts[1].second, 1700000002);
	ck_assert_uint_eq(sr[0].pts[1].packets, 1);
	esp_series_free(set);
	h_fini(&h);
}
END_TEST

/* max_sessions 2: a third SA evicts the least recent one, which is
 * summarised at once */
START_TEST(sa_cap)
{
	struct harness h;
	h_init(&h, &analyzer_esp, 1, 2);
	for (uint32_t spi = 1; spi <= 3; spi++) {
		struct pkt p = h_esp(A, B, spi, 1);
		h_feed(&h, &p, T0 + spi * MS, 0, spi);
	}
	ck_assert_uint_eq(h_count(&h, "esp.summary"), 1);
	ck_assert_int_eq(h_int(h_nth(&h, "esp.summary", 0), "esp.spi"), 1);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "esp.summary"), 3);
	h_fini(&h);
}
END_TEST

/* ESP in UDP 4500 (NAT traversal, RFC 3948), decoded from the wire */
START_TEST(udp_encapsulated_frames)
{
	uint8_t f[14 + 20 + 8 + 8 + 16] = {
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 52, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2,
		0x11, 0x94, 0x11, 0x94, 0, 32, 0, 0,
		0xc0, 0xff, 0xee, 0x01, 0, 0, 0, 0,
	};
	struct harness h;
	h_init(&h, &analyzer_esp, 1, 0);
	const uint32_t seq[] = { 1, 2, 9, 3 };
	for (size_t i = 0; i < 4; i++) {
		f[46] = (uint8_t)(seq[i] >> 8);
		f[49] = (uint8_t)seq[i];
		struct pkt p = { .ifindex = -1 };
		pkt_decode(&p, LT_ETHERNET, f, sizeof f, sizeof f);
		ck_assert(p.layers & PKT_ESP);
		h_feed(&h, &p, T0 + (int64_t)i * MS, 0, i + 1);
	}
	ck_assert_int_eq(h_int(h_nth(&h, "esp.reordered", 0), "late_by"), 6);
	h_finish(&h);
	ck_assert_uint_eq(h_count(&h, "esp.lost"), 1);
	ck_assert_int_eq(h_int(h_nth(&h, "esp.lost", 0), "count"), 5);  /* 3 came late */
	ck_assert_int_eq(h_int(h_nth(&h, "esp.lost", 0), "esp.spi"), 0xc0ffee01);
	ck_assert_int_eq(h_int(h_nth(&h, "esp.summary", 0), "lost"), 5);
	ck_assert_int_eq(h_int(h_nth(&h, "esp.summary", 0), "bytes"), 4 * 52);
	h_fini(&h);
}
END_TEST

static Suite *make_an_esp_suite(void)
{
	Suite *s = suite_create("an_esp");
	TCase *tc = tcase_create("sequence");
	tcase_add_test(tc, in_order_is_quiet);
	tcase_add_test(tc, gap_is_lost);
	tcase_add_test(tc, late_and_filled);
	tcase_add_test(tc, lost_when_it_leaves_the_window);
	tcase_add_test(tc, replay_window_boundary);
	tcase_add_test(tc, duplicates);
	tcase_add_test(tc, wraparound);
	tcase_add_test(tc, per_source);
	tcase_add_test(tc, udp_encapsulated_frames);
	suite_add_tcase(s, tc);
	tc = tcase_create("series");
	tcase_add_test(tc, intervals_at_second_boundary);
	tcase_add_test(tc, sa_cap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_an_esp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
