/*
 * tests/unit/test_csv_cell.c - csv_cell (core/json.c): the exact bytes of a
 * plain cell, a quoted one, quotes doubled at the start, middle and end, and
 * a cell of quotes only; jbuf_csv_fields writes what csv_cell would of the
 * event's JSON fields. Does not: test the timeline CSV columns (e2e).
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

/* csv_cell(json_fields(ev)) and jbuf_csv_fields(ev): the same bytes */
static void same_as_cell(const struct event *ev)
{
	char *json = NULL, *direct = NULL;
	size_t jl = 0, dl = 0;
	FILE *m = open_memstream(&json, &jl);
	json_fields(m, ev);
	fclose(m);
	char *want = cell(json, jl);
	m = open_memstream(&direct, &dl);
	struct jbuf j;
	jbuf_init(&j, m);
	jbuf_csv_fields(&j, ev);
	jbuf_flush(&j);
	fclose(m);
	ck_assert_str_eq(direct, want);
	free(json);
	free(direct);
	free(want);
}

START_TEST(fields_cell)
{
	static struct event ev;
	event_reset(&ev);
	same_as_cell(&ev);  /* {} bare */
	ev_int(&ev, "tcp.srcport", 443);
	same_as_cell(&ev);
	ev_cstr(&ev, "fw.reason", "say \"no\", twice \\ \"\"");
	ev_cstr(&ev, "x.line", "a\nb\rc,d");
	ev_int(&ev, "tcp.flags", 18);
	ev_cstr(&ev, "x.line", "repeat \"2\"");
	struct addr a = { .family = 4, .b = { 10, 0, 0, 1 } };
	ev_addr(&ev, "ip.src", &a);
	ev_dur(&ev, "gap", 1500000000);
	ev_real(&ev, "x.ratio", 0.25);
	ev_bool(&ev, "tcp.flags.syn", true);
	same_as_cell(&ev);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csv_cell");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, plain_and_quoted);
	tcase_add_test(tc, length_not_nul);
	tcase_add_test(tc, fields_cell);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
