/*
 * tests/unit/test_log_clock.c - the log clock vote: a whole-second log 13
 * minutes fast found from records each paired with several packets (only the
 * true offset gathers them all), the 1 s interval intersection, a log on time
 * kept at 0, fine-grained logs by the median, retries a second apart (each
 * drop line could be any of the three replies), a fine-grained log 47 s fast
 * over periodic traffic (every 1 s window holds each record once; only the
 * true offset lines them up to the millisecond), nothing to vote on.
 */
#include <check.h>
#include <stdlib.h>

#include "../../correlator/analyze/log_clock.h"

#define S 1000000000LL
#define MS 1000000LL

START_TEST(whole_second_minutes_off)
{
	/* 10 records; each stamped floor(t_pkt + 13 min + 0.4 s) and paired with
	 * its own packet plus two decoys of the same session */
	struct log_clock_cand c[30];
	size_t n = 0;
	int64_t theta = 13 * 60 * S + 400 * MS;
	for (unsigned r = 0; r < 10; r++) {
		int64_t tp = (int64_t)r * 37 * S + (int64_t)r * 77 * MS;  /* packet time */
		int64_t tl = (tp + theta) / S * S;                         /* whole-second stamp */
		c[n++] = (struct log_clock_cand){ tl - tp, r, 0 };
		c[n++] = (struct log_clock_cand){ tl - tp + 5 * S + (int64_t)r * S, r, 0 };
		c[n++] = (struct log_clock_cand){ tl - tp - 9 * S - (int64_t)r * 3 * S, r, 0 };
	}
	struct log_clock_est e;
	log_clock_vote(c, n, 10, S, &e);
	ck_assert(e.ok);
	ck_assert_uint_eq(e.records, 10);
	/* the true offset lies inside the estimate's interval */
	ck_assert_int_le(llabs(e.offset - theta), e.uncertainty);
	ck_assert_int_lt(e.uncertainty, 500 * MS);
}
END_TEST

START_TEST(on_time_is_zero)
{
	struct log_clock_cand c[3] = { { -3 * MS, 0, 0 }, { -800 * MS, 1, 0 }, { -200 * MS, 2, 0 } };
	struct log_clock_est e;
	log_clock_vote(c, 3, 3, S, &e);
	ck_assert(e.ok);
	ck_assert_int_eq(e.offset, 0);
	ck_assert_uint_eq(e.records, 3);
}
END_TEST

START_TEST(fine_grained_median)
{
	struct log_clock_cand c[4] = { { -5 * 60 * S + 2 * MS, 0, 0 }, { -5 * 60 * S + 4 * MS, 1, 0 },
				       { -5 * 60 * S + 3 * MS, 2, 0 }, { 40 * S, 2, 0 } };
	struct log_clock_est e;
	log_clock_vote(c, 4, 3, 0, &e);
	ck_assert(e.ok);
	ck_assert_int_eq(e.offset, -5 * 60 * S + 3 * MS);
	ck_assert_uint_eq(e.records, 3);
}
END_TEST

START_TEST(retries_a_second_apart)
{
	/* a request at 36.787 s and its replies at 36.823, 37.916, 38.911 (the
	 * client retries); a whole-second log 24.3 s slow stamps the allowed
	 * request 12, the three drops 12, 13, 14. Each drop line has all three
	 * replies as candidates; the shift by one retry also fits in 1 s + 2 ms,
	 * but only the true offset is allowed by every record over a long run */
	int64_t req = 36787 * MS, rep[3] = { 36823 * MS, 37916 * MS, 38911 * MS };
	int64_t st[3] = { 12 * S, 13 * S, 14 * S };
	struct log_clock_cand c[10];
	size_t n = 0;
	c[n++] = (struct log_clock_cand){ 12 * S - req, 0, 0 };
	for (unsigned r = 0; r < 3; r++)
		for (unsigned k = 0; k < 3; k++)
			c[n++] = (struct log_clock_cand){ st[r] - rep[k], r + 1, 0 };
	struct log_clock_est e;
	log_clock_vote(c, n, 4, S, &e);
	ck_assert(e.ok);
	ck_assert_uint_eq(e.records, 4);
	/* allowed by all: [12 - 36.787, 13 - 37.916 + 1) = [-24.787, -23.916) */
	ck_assert_int_eq(e.offset, -24787 * MS + (871 * MS) / 2);
	ck_assert_int_eq(e.uncertainty, 871 * MS / 2);
}
END_TEST

START_TEST(fine_grained_periodic)
{
	/* 4 records, each paired with its own packet (0.1 ms before it) and the
	 * 11 other datagrams of a flow sent every 240 ms (+ 0-30 ms jitter) */
	struct log_clock_cand c[48];
	size_t n = 0;
	int64_t theta = 47 * S + 123 * MS, tp[12];
	uint32_t x = 12345;
	for (unsigned k = 0; k < 12; k++) {
		x = x * 1103515245u + 12345u;
		tp[k] = (int64_t)k * 240 * MS + (int64_t)(x >> 8) % (30 * MS);
	}
	for (unsigned r = 0; r < 4; r++) {
		int64_t tl = tp[3 + 2 * r] + theta + 100000 + (int64_t)r * 20000;
		for (unsigned k = 0; k < 12; k++)
			c[n++] = (struct log_clock_cand){ tl - tp[k], r, 1 };  /* drops: after their packet */
	}
	struct log_clock_est e;
	log_clock_vote(c, n, 4, 0, &e);
	ck_assert(e.ok);
	ck_assert_uint_eq(e.records, 4);
	ck_assert_int_lt(llabs(e.offset - theta), 1 * MS);
	ck_assert_int_lt(e.uncertainty, 2 * MS);
	/* every drop stays after its packet: offset below the smallest d */
	ck_assert_int_lt(e.offset, theta + 100000);
}
END_TEST

START_TEST(nothing)
{
	struct log_clock_est e;
	log_clock_vote(NULL, 0, 5, S, &e);
	ck_assert(!e.ok);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log_clock");
	TCase *tc = tcase_create("vote");
	tcase_add_test(tc, whole_second_minutes_off);
	tcase_add_test(tc, on_time_is_zero);
	tcase_add_test(tc, fine_grained_median);
	tcase_add_test(tc, retries_a_second_apart);
	tcase_add_test(tc, fine_grained_periodic);
	tcase_add_test(tc, nothing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
