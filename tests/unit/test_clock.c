/*
 * tests/unit/test_clock.c - the NTP-style offset estimator: synthetic one-way
 * delays with jitter and a known offset, asymmetric paths, vantage order
 * unknown, one direction only.
 */
#include <check.h>
#include <stdlib.h>

#include "../../correlator/core/clock.h"

#define MS 1000000LL
#define US 1000LL

/* deterministic jitter 0..max */
static int64_t jit(unsigned *st, int64_t max)
{
	*st = *st * 1103515245u + 12345u;
	return (int64_t)((*st >> 8) % (unsigned)max);
}

/* n packets each way in each of g sessions: A->B sees theta + dab + jitter,
 * B->A sees theta - dba - jitter */
static size_t fill(struct clock_sample *s, unsigned g, unsigned n, int64_t theta, int64_t dab, int64_t dba,
		   int64_t jmax)
{
	unsigned st = 42;
	size_t k = 0;
	for (unsigned grp = 0; grp < g; grp++)
		for (unsigned i = 0; i < n; i++) {
			s[k++] = (struct clock_sample){ theta + dab + jit(&st, jmax), grp, 0 };
			s[k++] = (struct clock_sample){ theta - dba - jit(&st, jmax), grp, 1 };
		}
	return k;
}

START_TEST(symmetric_with_jitter)
{
	struct clock_sample s[400];
	size_t n = fill(s, 4, 50, 600 * 1000 * MS + 250 * MS, 40 * MS, 40 * MS, 2 * MS);
	struct clock_est e;
	ck_assert(clock_estimate(s, n, &e));
	ck_assert(e.two_way);
	ck_assert_int_lt(llabs(e.offset - (600 * 1000 * MS + 250 * MS)), 100 * US);
	ck_assert_int_lt(llabs(e.delay_ab - 41 * MS), 500 * US);  /* median includes half the jitter */
	ck_assert_int_lt(llabs(e.delay_ba - 41 * MS), 500 * US);
	ck_assert_int_lt(llabs(e.bound - 40 * MS), 100 * US);
	ck_assert_uint_eq(e.n_ab, 200);
	ck_assert_uint_eq(e.n_ba, 200);
	ck_assert_int_lt(e.uncertainty, 1 * MS);
}
END_TEST

START_TEST(negative_offset_direction_labels_swapped)
{
	/* B is upstream of A for these sessions: dir 0 is the B->A direction */
	struct clock_sample s[200];
	unsigned st = 9;
	size_t k = 0;
	for (unsigned i = 0; i < 100; i++) {
		s[k++] = (struct clock_sample){ -7 * 60 * 1000 * MS - 1 * MS - jit(&st, 50 * US), 0, 0 };
		s[k++] = (struct clock_sample){ -7 * 60 * 1000 * MS + 1 * MS + jit(&st, 50 * US), 0, 1 };
	}
	struct clock_est e;
	ck_assert(clock_estimate(s, k, &e));
	ck_assert_int_lt(llabs(e.offset - (-7 * 60 * 1000 * MS)), 30 * US);
	ck_assert_int_lt(llabs(e.delay_ab - 1 * MS), 60 * US);
}
END_TEST

START_TEST(asymmetric_path)
{
	/* 30 ms one way, 10 ms back: the midpoint is off by half the asymmetry,
	 * and the bound says so */
	struct clock_sample s[200];
	size_t n = fill(s, 1, 100, 5 * MS, 30 * MS, 10 * MS, 100 * US);
	struct clock_est e;
	ck_assert(clock_estimate(s, n, &e));
	ck_assert_int_lt(llabs(e.offset - (5 * MS + 10 * MS)), 100 * US);
	ck_assert_int_lt(llabs(e.bound - 20 * MS), 100 * US);
	ck_assert_int_ge(e.bound, llabs(e.offset - 5 * MS));
}
END_TEST

START_TEST(one_direction_only)
{
	struct clock_sample s[50];
	for (unsigned i = 0; i < 50; i++)
		s[i] = (struct clock_sample){ 2 * MS + (int64_t)i * US, i % 3, 0 };
	struct clock_est e;
	ck_assert(clock_estimate(s, 50, &e));
	ck_assert(!e.two_way);
	ck_assert_int_eq(e.offset, 2 * MS);
	ck_assert_int_gt(e.uncertainty, 20 * US);
}
END_TEST

START_TEST(one_way_sessions_join_by_side)
{
	/* one two-way session fixes theta; one-way sessions fall on their side */
	struct clock_sample s[300];
	size_t n = fill(s, 1, 50, 0, 5 * MS, 5 * MS, 10 * US);
	for (unsigned i = 0; i < 100; i++)
		s[n++] = (struct clock_sample){ -5 * MS - (int64_t)i * US, 7, 1 };
	struct clock_est e;
	ck_assert(clock_estimate(s, n, &e));
	ck_assert_uint_eq(e.n_ab, 50);
	ck_assert_uint_eq(e.n_ba, 150);
	ck_assert_int_lt(llabs(e.offset), 20 * US);
}
END_TEST

START_TEST(empty_and_median)
{
	struct clock_est e;
	ck_assert(!clock_estimate(NULL, 0, &e));
	ck_assert(!e.ok);
	int64_t v[] = { 5, 1, 3, 2 };
	ck_assert_int_eq(clock_median(v, 4), 2);
	ck_assert_int_eq(clock_median(v, 3), 2);
}
END_TEST

static Suite *clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("estimate");
	tcase_add_test(tc, symmetric_with_jitter);
	tcase_add_test(tc, negative_offset_direction_labels_swapped);
	tcase_add_test(tc, asymmetric_path);
	tcase_add_test(tc, one_direction_only);
	tcase_add_test(tc, one_way_sessions_join_by_side);
	tcase_add_test(tc, empty_and_median);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(clock_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
