/*
 * tests/unit/test_csv_cell.c - csv_cell (core/json.c): the exact bytes of a
 * plain cell, a quoted one, quotes doubled at the start, middle and end, and
 * a cell of quotes only. Does not: test the timeline CSV columns (e2e).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../correlator/core/json.h"

static char *cell(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(m);
	csv_cell(m, s, n);
	fclose(m);
	return buf;
}

static void expect(const char *in, const char *out)
{
	char *got = cell(in, strlen(in));
	ck_assert_str_eq(got, out);
	free(got);
}

START_TEST(plain_and_quoted)
{
	expect("", "");
	expect("abc", "abc");
	expect("a,b", "\"a,b\"");
	expect("line\nnext", "\"line\nnext\"");
	expect("a\"b", "\"a\"\"b\"");
	expect("\"a\"", "\"\"\"a\"\"\"");
	expect("\"\"", "\"\"\"\"\"\"");
	expect("{\"k\":\"v\",\"n\":1}", "\"{\"\"k\"\":\"\"v\"\",\"\"n\"\":1}\"");
}
END_TEST

START_TEST(length_not_nul)
{
	char *got = cell("a\"b,c", 3); /* only a"b */
	ck_assert_str_eq(got, "\"a\"\"b\"");
	free(got);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csv_cell");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, plain_and_quoted);
	tcase_add_test(tc, length_not_nul);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
