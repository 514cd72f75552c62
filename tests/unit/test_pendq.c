/*
 * tests/unit/test_pendq.c - the pending-request queue and the top-k counter
 * the flow analyzers share: FIFO deadlines (due at, not before, the
 * deadline), stale handles after removal and slot reuse, the cap; exact
 * top-k counts under the cap, Space-Saving replacement past it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../correlator/analyze/pendq.h"
#include "../../correlator/analyze/topk.h"

START_TEST(fifo_deadlines)
{
	struct pendq *q = pendq_new(sizeof(int), 0);
	int *p;
	pendq_handle a = pendq_add(q, 100, (void **)&p);
	*p = 1;
	pendq_handle b = pendq_add(q, 200, (void **)&p);
	*p = 2;
	ck_assert(a && b && a != b);
	int out;
	int64_t d;
	ck_assert(!pendq_pop_due(q, 99, &out, &d));
	ck_assert(pendq_pop_due(q, 100, &out, &d));
	ck_assert_int_eq(out, 1);
	ck_assert_int_eq(d, 100);
	ck_assert_ptr_null(pendq_get(q, a));  /* due: gone */
	ck_assert_int_eq(*(int *)pendq_get(q, b), 2);
	pendq_remove(q, b);
	ck_assert_uint_eq(pendq_count(q), 0);
	ck_assert(!pendq_pop_any(q, &out, &d));
	/* slots are reused, old handles stay stale */
	pendq_handle c = pendq_add(q, 300, (void **)&p);
	ck_assert(c != a && c != b);
	ck_assert_ptr_null(pendq_get(q, a));
	ck_assert_ptr_null(pendq_get(q, b));
	pendq_remove(q, b);  /* stale: ignored */
	ck_assert_uint_eq(pendq_count(q), 1);
	pendq_free(q);
}
END_TEST

START_TEST(remove_middle_and_cap)
{
	struct pendq *q = pendq_new(sizeof(int), 3);
	int *p;
	pendq_handle h[3];
	for (int i = 0; i < 3; i++) {
		h[i] = pendq_add(q, 10 * (i + 1), (void **)&p);
		*p = i;
	}
	ck_assert_uint_eq(pendq_add(q, 40, (void **)&p), 0);
	pendq_remove(q, h[1]);
	int out;
	int64_t d;
	ck_assert(pendq_pop_due(q, 1000, &out, &d));
	ck_assert_int_eq(out, 0);
	ck_assert(pendq_pop_due(q, 1000, &out, &d));
	ck_assert_int_eq(out, 2);
	ck_assert(!pendq_pop_due(q, 1000, &out, &d));
	pendq_free(q);
}
END_TEST

START_TEST(topk_exact_then_space_saving)
{
	struct topk *t = topk_new(3);
	for (int i = 0; i < 5; i++)
		topk_add(t, "a", 1);
	for (int i = 0; i < 3; i++)
		topk_add(t, "b", 1);
	topk_add(t, "c", 1);
	const struct topk_item *it[3];
	ck_assert_uint_eq(topk_top(t, it, 3), 3);
	ck_assert_str_eq(it[0]->key, "a");
	ck_assert_uint_eq(it[0]->count, 5);
	ck_assert_str_eq(it[1]->key, "b");
	ck_assert_str_eq(it[2]->key, "c");
	ck_assert_uint_eq(it[2]->err, 0);
	topk_add(t, "d", 1);  /* replaces c (count 1): d gets 2 with error 1 */
	ck_assert_uint_eq(topk_top(t, it, 2), 2);
	ck_assert_uint_eq(topk_top(t, it, 3), 3);
	ck_assert_str_eq(it[2]->key, "d");
	ck_assert_uint_eq(it[2]->count, 2);
	ck_assert_uint_eq(it[2]->err, 1);
	ck_assert_uint_eq(topk_total(t), 10);
	ck_assert_uint_eq(topk_distinct(t), 4);
	topk_free(t);
}
END_TEST

/* many replacements: the index stays consistent (every held key is found
 * again, counts bound the truth from above, count - err from below) */
START_TEST(topk_index_under_churn)
{
	enum { KEYS = 200, CAP = 16, ADDS = 20000 };
	static uint64_t truth[KEYS];
	memset(truth, 0, sizeof truth);
	struct topk *t = topk_new(CAP);
	uint32_t x = 12345;
	char k[16];
	for (int i = 0; i < ADDS; i++) {
		x = x * 1103515245u + 12345u;
		unsigned key = (x >> 16) % 1000;
		key = key < 500 ? key % 8 : key % KEYS;  /* 8 heavy keys, a long tail */
		truth[key]++;
		int n = snprintf(k, sizeof k, "k%u", key);
		topk_add(t, k, (size_t)n);
	}
	const struct topk_item *it[CAP];
	size_t n = topk_top(t, it, CAP);
	ck_assert_uint_eq(n, CAP);
	for (size_t i = 0; i < n; i++) {
		unsigned key = (unsigned)atoi(it[i]->key + 1);
		ck_assert_uint_ge(it[i]->count, truth[key]);
		ck_assert_uint_le(it[i]->count - it[i]->err, truth[key]);
		if (i)
			ck_assert_uint_ge(it[i - 1]->count, it[i]->count);
	}
	for (unsigned key = 0; key < 8; key++) {  /* the heavy keys are all held */
		int m = snprintf(k, sizeof k, "k%u", key);
		uint64_t before = topk_distinct(t);
		topk_add(t, k, (size_t)m);
		ck_assert_uint_eq(topk_distinct(t), before);
	}
	topk_free(t);
}
END_TEST

static Suite *make_pendq_suite(void)
{
	Suite *s = suite_create("pendq");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, fifo_deadlines);
	tcase_add_test(tc, remove_middle_and_cap);
	tcase_add_test(tc, topk_exact_then_space_saving);
	tcase_add_test(tc, topk_index_under_churn);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_pendq_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
