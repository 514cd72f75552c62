/*
 * tests/unit/test_report_golden.c - the synthetic report (report_fixture.c)
 * rendered in every format and compared byte for byte with
 * tests/golden/report/sample.{txt,md,html,json}. Run with UPDATE_GOLDEN=1 to
 * rewrite the golden files after a deliberate change (then review the diff).
 * The HTML golden is also what the Chromium test renders.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_fixture.h"

#define GOLDEN_DIR "tests/golden/report/"

static char *render(void (*writer)(const struct report *, FILE *), size_t *len)
{
	struct fixture fx;
	fixture_init(&fx);
	incident_group(&fx.rep);
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	writer(&fx.rep, m);
	fclose(m);
	fixture_free(&fx);
	return buf;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len + 4096 > cap) {
			cap = (*len + 4096) * 2;
			buf = realloc(buf, cap);
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

static void golden(void (*writer)(const struct report *, FILE *), const char *name)
{
	size_t n, gn;
	char *out = render(writer, &n);
	char path[256];
	snprintf(path, sizeof path, GOLDEN_DIR "%s", name);
	if (getenv("UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		fwrite(out, 1, n, f);
		fclose(f);
	}
	char *want = slurp(path, &gn);
	ck_assert_msg(want != NULL, "%s missing (UPDATE_GOLDEN=1 writes it)", path);
	if (gn != n || memcmp(want, out, n)) {
		char tmp[300];
		snprintf(tmp, sizeof tmp, "/tmp/golden-%s", name);
		FILE *f = fopen(tmp, "wb");
		if (f) {
			fwrite(out, 1, n, f);
			fclose(f);
		}
		ck_abort_msg("%s differs from the golden file; got %s (diff -u %s %s)", name, tmp, path, tmp);
	}
	/* rendering twice gives the same bytes: nothing depends on the clock */
	size_t n2;
	char *again = render(writer, &n2);
	ck_assert_uint_eq(n2, n);
	ck_assert_int_eq(memcmp(again, out, n), 0);
	free(again);
	free(want);
	free(out);
}

START_TEST(golden_text) { golden(report_write_text, "sample.txt"); }
END_TEST
START_TEST(golden_md) { golden(report_write_md, "sample.md"); }
END_TEST
START_TEST(golden_html) { golden(report_write_html, "sample.html"); }
END_TEST
START_TEST(golden_json) { golden(report_write_json, "sample.json"); }
END_TEST

static Suite *make_report_golden_suite(void)
{
	Suite *s = suite_create("report_golden");
	TCase *tc = tcase_create("formats");
	tcase_add_test(tc, golden_text);
	tcase_add_test(tc, golden_md);
	tcase_add_test(tc, golden_html);
	tcase_add_test(tc, golden_json);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_report_golden_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
