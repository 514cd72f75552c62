/*
 * tests/unit/test_report.c - the report's building blocks: Wireshark filters
 * (IPv4, IPv6, UDP, several flows, multi-file sources, truncation), hostile
 * strings in every format (HTML, Markdown, terminal), SVG bounds with a huge
 * evidence list, the per-second series (metrics, downsampling keeps totals),
 * and the evidence timeline of an incident (sorted, deduplicated).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_fixture.h"
#include "../../correlator/core/source.h"
#include "../../correlator/core/util.h"
#include "../../parsers/decode/packet.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static char *render(const struct report *r, void (*writer)(const struct report *, FILE *), size_t *len)
{
	char **buf = calloc(1, sizeof *buf);
	FILE *m = open_memstream(buf, len);
	writer(r, m);
	fclose(m);
	char *out = *buf;
	free(buf);
	return out;
}

/* ---- filters ---- */

START_TEST(frame_filter_ipv4)
{
	struct evidence e[5] = {
		fixture_evidence(0, 0, 458, 3, "tcp", "x", 0, "10.1.1.10:50311>203.0.113.5:443"),
		fixture_evidence(0, 0, 456, 1, "tcp", "x", 0, "203.0.113.5:443>10.1.1.10:50311"),
		fixture_evidence(1, 0, 999, 2, "tcp", "x", 0, "10.1.1.10:50311>203.0.113.5:443"),
		fixture_evidence(0, 0, 457, 2, "tcp", "x", 0, "10.1.1.10:50311>203.0.113.5:443"),
		fixture_evidence(0, 0, 456, 1, "path.modified", "x", 0, NULL),
	};
	const struct evidence *p[5] = { &e[0], &e[1], &e[2], &e[3], &e[4] };
	char buf[256];
	size_t n = report_frame_filter(p, 5, 0, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "frame.number in {456, 457, 458}");
	ck_assert_uint_eq(n, strlen(buf));
	report_frame_filter(p, 5, 1, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "frame.number in {999}");
	ck_assert_uint_eq(report_frame_filter(p, 5, 2, 0, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	report_session_filter(p, 5, 0, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "ip.addr==10.1.1.10 && tcp.port==50311 && ip.addr==203.0.113.5 && tcp.port==443");
}
END_TEST

START_TEST(filter_ipv6_udp)
{
	struct evidence e[2] = {
		fixture_evidence(0, 0, 1, 1, "tcp", "x", 0, "[2001:db8::1]:50000>[2001:db8::2]:443"),
		fixture_evidence(0, 0, 2, 2, "udp", "x", 0, "[2001:db8::1]:5353>[ff02::fb]:5353"),
	};
	const struct evidence *p[2] = { &e[0], &e[1] };
	char buf[512];
	report_session_filter(p, 1, 0, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "ipv6.addr==2001:db8::1 && tcp.port==50000 && ipv6.addr==2001:db8::2 && tcp.port==443");
	report_session_filter(p, 2, 0, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "(ipv6.addr==2001:db8::1 && tcp.port==50000 && ipv6.addr==2001:db8::2 && tcp.port==443)"
			      " || (ipv6.addr==2001:db8::1 && udp.port==5353 && ipv6.addr==ff02::fb && udp.port==5353)");
}
END_TEST

START_TEST(filter_multi_file)
{
	struct fixture fx;
	fixture_init(&fx);
	/* fw-out (source 2) is a ring of two files: refs restart per file */
	struct evidence e[3] = {
		fixture_evidence(2, 0, 322, 1, "tcp", "x", 0, "10.0.0.1:1>10.0.0.2:2"),
		fixture_evidence(2, 1, 322, 2, "tcp", "x", 0, "10.0.0.1:1>10.0.0.2:2"),
		fixture_evidence(2, 1, 17, 3, "tcp", "x", 0, "10.0.0.1:1>10.0.0.2:2"),
	};
	const struct evidence *p[3] = { &e[0], &e[1], &e[2] };
	char buf[256];
	report_frame_filter(p, 3, 2, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "frame.number in {322}");
	report_frame_filter(p, 3, 2, 1, buf, sizeof buf);
	ck_assert_str_eq(buf, "frame.number in {17, 322}");
	uint32_t pairs[4];
	ck_assert_uint_eq(report_evidence_files(p, 3, pairs, 4), 2);
	ck_assert_uint_eq(pairs[0], 2u << 16);
	ck_assert_uint_eq(pairs[1], 2u << 16 | 1);
	report_evidence_where(&fx.rep, 2, 1, buf, sizeof buf);
	ck_assert_str_eq(buf, "fw-out[ext_00002.pcap]");
	report_evidence_where(&fx.rep, 0, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "client");
	ck_assert(report_source_is_capture(fx.run.sources[2]));
	ck_assert(!report_source_is_capture(fx.run.sources[3]));
	fixture_free(&fx);
}
END_TEST

START_TEST(filter_truncates)
{
	struct evidence e[3] = {
		fixture_evidence(0, 0, 123456, 1, "tcp", "x", 0, NULL),
		fixture_evidence(0, 0, 123457, 1, "tcp", "x", 0, NULL),
		fixture_evidence(0, 0, 123458, 1, "tcp", "x", 0, NULL),
	};
	const struct evidence *p[3] = { &e[0], &e[1], &e[2] };
	char buf[20];
	size_t want = report_frame_filter(p, 3, 0, 0, buf, sizeof buf);
	ck_assert_uint_eq(want, strlen("frame.number in {123456, 123457, 123458}"));
	ck_assert_uint_eq(strlen(buf), sizeof buf - 1);
	ck_assert_uint_eq(report_session_filter(p, 3, 0, 0, buf, sizeof buf), 0);
}
END_TEST

/* ---- hostile strings ---- */

static struct evidence hostile_ev[2];

static void add_hostile(struct fixture *fx)
{
	hostile_ev[0] = fixture_evidence(0, 0, 9001, fixture_time(15, 0, 0, 0), "tcp",
					 "<img src=x onerror=alert(1)> \x1b[31mred\x1b[0m", 0,
					 "10.9.0.1:1>10.9.0.2:2");
	hostile_ev[1] = fixture_evidence(3, 0, 77, fixture_time(15, 0, 0, 1), "fw.drop",
					 "line\nwith | pipe and `tick` and </table>", 0, NULL);
	struct finding f = {
		.rule = "hostile", .title = "<script>alert('x')</script> \"quoted\"",
		.severity = SEV_LOW, .message = "msg <script>alert(2)</script> & more",
		.advice = "**bold** [link](http://evil.example/)", .key = "k",
		.ts = hostile_ev[0].ts, .evidence = hostile_ev, .nevidence = 2, .incident = -1,
	};
	report_add_finding(&fx->rep, &f);
	incident_group(&fx->rep);
}

START_TEST(html_escapes_hostile)
{
	struct fixture fx;
	size_t len;
	fixture_init(&fx);
	add_hostile(&fx);
	char *html = render(&fx.rep, report_write_html, &len);
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "<img"));
	ck_assert_ptr_null(strstr(html, "\x1b"));
	ck_assert_ptr_null(strstr(html, "</table> "));
	ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot;"));
	ck_assert_ptr_nonnull(strstr(html, "msg &lt;script&gt;alert(2)&lt;/script&gt; &amp; more"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "line with | pipe"));
	/* the link text stays text: no anchor leaves the page */
	ck_assert_ptr_null(strstr(html, "href=\"http"));
	free(html);
	fixture_free(&fx);
}
END_TEST

START_TEST(md_and_text_escape_hostile)
{
	struct fixture fx;
	size_t len;
	fixture_init(&fx);
	add_hostile(&fx);
	char *md = render(&fx.rep, report_write_md, &len);
	/* every '<' of the input is backslash-escaped: no raw HTML in the ticket */
	ck_assert_uint_eq(count(md, "<script"), count(md, "\\<script"));
	ck_assert_uint_ge(count(md, "\\<script"), 2);
	ck_assert_ptr_nonnull(strstr(md, "\\<script>alert('x')\\</script>"));
	ck_assert_ptr_nonnull(strstr(md, "line with \\| pipe and \\`tick\\` and \\</table>"));
	ck_assert_ptr_nonnull(strstr(md, "\\*\\*bold\\*\\* \\[link\\](http://evil.example/)"));
	ck_assert_ptr_null(strstr(md, "\x1b"));
	free(md);
	char *txt = render(&fx.rep, report_write_text, &len);
	ck_assert_ptr_null(strstr(txt, "\x1b"));
	ck_assert_ptr_nonnull(strstr(txt, "\\x1b[31mred"));
	ck_assert_ptr_nonnull(strstr(txt, "line\\x0awith"));
	free(txt);
	fixture_free(&fx);
}
END_TEST

START_TEST(null_strings_render)
{
	/* a rule that fills only what it must: every writer still renders */
	struct fixture fx;
	fixture_init(&fx);
	static struct evidence e[1];
	e[0] = fixture_evidence(0, 0, 5, fixture_time(17, 0, 0, 0), "tcp", NULL, 0, NULL);
	e[0].type = NULL;
	struct finding f = { .rule = "bare", .ts = e[0].ts, .evidence = e, .nevidence = 1,
			     .incident = 3 };
	report_add_finding(&fx.rep, &f);
	ck_assert_str_eq(fx.rep.findings[fx.rep.nfindings - 1].title, "bare");
	ck_assert_int_eq(fx.rep.findings[fx.rep.nfindings - 1].incident, -1);
	incident_group(&fx.rep);
	void (*w[4])(const struct report *, FILE *) = { report_write_text, report_write_md,
							report_write_html, report_write_json };
	for (int i = 0; i < 4; i++) {
		size_t len;
		char *out = render(&fx.rep, w[i], &len);
		ck_assert_ptr_nonnull(strstr(out, "bare"));
		free(out);
	}
	fixture_free(&fx);
}
END_TEST

/* ---- SVG bounds ---- */

#define HUGE_EV 5000

START_TEST(svg_caps_huge_evidence)
{
	struct fixture fx;
	fixture_init(&fx);
	struct evidence *e = arena_alloc(&fx.run.store, HUGE_EV * sizeof *e);
	for (unsigned i = 0; i < HUGE_EV; i++)
		e[i] = fixture_evidence((uint16_t)(i % 3), 0, i + 1,
					fixture_time(16, 0, 0, 0) + (int64_t)i * NS_PER_MSEC,
					"tcp.retransmission", "retransmission", 99,
					"10.7.0.1:40000>10.7.0.2:443");
	struct finding f = { .rule = "storm", .title = "storm", .severity = SEV_CRITICAL,
			     .message = "many", .ts = e[0].ts, .session = 99, .evidence = e,
			     .nevidence = HUGE_EV, .incident = -1 };
	report_add_finding(&fx.rep, &f);
	incident_group(&fx.rep);
	ck_assert_str_eq(fx.rep.incidents[0].title, "storm");
	size_t len;
	char *html = render(&fx.rep, report_write_html, &len);
	/* the storm's ladder is the first SVG: bounded rows, and says what it left out */
	char *svg = strstr(html, "<svg class=\"ladder\"");
	ck_assert_ptr_nonnull(svg);
	char *end = strstr(svg, "</svg>");
	*end = '\0';
	ck_assert_uint_le(count(svg, "<circle"), 40);
	ck_assert_ptr_nonnull(strstr(svg, "... 4960 more evidence entries"));
	int h = atoi(strstr(svg, "height=\"") + 8);
	ck_assert_int_le(h, 66 + 41 * 24 + 16);  /* LADDER_HEAD_H: names and the addresses each capture saw */
	*end = '<';
	/* evidence tables are capped too */
	ck_assert_ptr_nonnull(strstr(html, "... 4500 more"));
	ck_assert_uint_lt(len, 2u * 1024 * 1024);
	free(html);
	char *txt = render(&fx.rep, report_write_text, &len);
	ck_assert_ptr_nonnull(strstr(txt, "      ... 4970 more\n"));
	free(txt);
	fixture_free(&fx);
}
END_TEST

/* ---- series ---- */

START_TEST(series_metrics)
{
	ck_assert_int_eq(report_series_metric("tcp.retransmission"), SM_RETRANS);
	ck_assert_int_eq(report_series_metric("tcp.fast_retransmission"), SM_RETRANS);
	ck_assert_int_eq(report_series_metric("tcp.lost_segment"), SM_LOSS);
	ck_assert_int_eq(report_series_metric("path.lost"), SM_LOSS);
	ck_assert_int_eq(report_series_metric("tcp.out_of_order"), SM_REORDER);
	ck_assert_int_eq(report_series_metric("fw.drop"), SM_DROPS);
	ck_assert_int_eq(report_series_metric("dns.query"), -1);
}
END_TEST

START_TEST(series_downsamples_and_keeps_totals)
{
	struct run run;
	memset(&run, 0, sizeof run);
	arena_init(&run.store, 0);
	static const char *const p[] = { "/x/a.pcap" };
	fixture_source(&run, "a", "pcap", p, 1);
	struct report rep;
	report_init(&rep, &run, NULL);
	struct sink sink = report_sink(&rep);
	static struct event ev;
	struct pkt pk;
	memset(&pk, 0, sizeof pk);
	pk.layers = PKT_IP4 | PKT_TCP;
	pk.wirelen = 100;
	int64_t t0 = fixture_time(0, 0, 0, 500);
	for (int s = 0; s < 10000; s++) {
		event_reset(&ev);
		ev.ts = t0 + (int64_t)s * NS_PER_SEC;
		ev.type = "tcp";
		ev.pkt = &pk;
		sink.event(sink.ctx, &ev);
		if (s % 100 == 0) {
			event_reset(&ev);
			ev.ts = t0 + (int64_t)s * NS_PER_SEC;
			ev.type = "tcp.retransmission";
			ev.flags = EV_ANALYSIS;
			sink.event(sink.ctx, &ev);
		}
	}
	/* 10000 s in at most 600 buckets: width 32 s (16 s gives 625) */
	ck_assert_int_eq(rep.series_width, 32 * NS_PER_SEC);
	ck_assert_uint_le(rep.series_n, REPORT_SERIES_BUCKETS);
	ck_assert_int_eq(rep.series_t0, fixture_time(0, 0, 0, 0));
	const struct series *se = rep.series[0];
	uint64_t pk_sum = 0, by_sum = 0, rt_sum = 0;
	for (unsigned b = 0; b < REPORT_SERIES_BUCKETS; b++) {
		pk_sum += se->v[SM_PACKETS][b];
		by_sum += se->v[SM_BYTES][b];
		rt_sum += se->v[SM_RETRANS][b];
	}
	ck_assert_uint_eq(pk_sum, 10000);
	ck_assert_uint_eq(se->total[SM_PACKETS], 10000);
	ck_assert_uint_eq(by_sum, 1000000);
	ck_assert_uint_eq(rt_sum, 100);
	ck_assert_uint_eq(se->v[SM_PACKETS][0], 32);
	report_fini(&rep);
	for (size_t i = 0; i < run.nsources; i++)
		source_free(run.sources[i]);
	free(run.sources);
	arena_free(&run.store);
}
END_TEST

START_TEST(charts_capped)
{
	struct run run;
	memset(&run, 0, sizeof run);
	arena_init(&run.store, 0);
	static const char *const p[] = { "/x/a.pcap" };
	char label[16];
	for (int i = 0; i < 20; i++) {
		snprintf(label, sizeof label, "s%02d", i);
		fixture_source(&run, label, "pcap", p, 1);
	}
	struct report rep;
	report_init(&rep, &run, NULL);
	struct sink sink = report_sink(&rep);
	static struct event ev;
	struct pkt pk;
	memset(&pk, 0, sizeof pk);
	pk.layers = PKT_IP4 | PKT_TCP;
	pk.wirelen = 100;
	for (int sec = 0; sec < 5; sec++)
		for (int i = 0; i < 20; i++) {
			event_reset(&ev);
			ev.ts = fixture_time(1, 0, sec, 0);
			ev.source = (uint16_t)i;
			ev.type = i == 19 ? "tcp.retransmission" : "tcp";
			ev.pkt = i == 19 ? NULL : &pk;
			ev.flags = i == 19 ? EV_ANALYSIS : 0;
			sink.event(sink.ctx, &ev);
		}
	incident_group(&rep);
	size_t len;
	char *html = render(&rep, report_write_html, &len);
	ck_assert_uint_eq(count(html, "<svg class=\"chart\""), 12);
	ck_assert_ptr_nonnull(strstr(html, "8 more sources not charted."));
	/* the source with trouble is charted though it comes last */
	ck_assert_ptr_nonnull(strstr(html, ">s19</text>"));
	ck_assert_ptr_null(strstr(html, ">s18</text>"));
	free(html);
	report_fini(&rep);
	for (size_t i = 0; i < run.nsources; i++)
		source_free(run.sources[i]);
	free(run.sources);
	arena_free(&run.store);
}
END_TEST

START_TEST(incident_evidence_sorted_unique)
{
	struct fixture fx;
	fixture_init(&fx);
	incident_group(&fx.rep);
	const struct evidence *ev[64];
	size_t n = report_incident_evidence(&fx.rep, &fx.rep.incidents[0], ev, 64);
	ck_assert_uint_eq(n, 11);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_le(ev[i - 1]->ts, ev[i]->ts);
	ck_assert_uint_eq(ev[0]->ref, 322);
	ck_assert_uint_eq(ev[n - 1]->ref, 470);
	/* asking for fewer still counts them all */
	ck_assert_uint_eq(report_incident_evidence(&fx.rep, &fx.rep.incidents[0], ev, 2), 11);
	fixture_free(&fx);
}
END_TEST

static Suite *make_report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *f = tcase_create("filters");
	tcase_add_test(f, frame_filter_ipv4);
	tcase_add_test(f, filter_ipv6_udp);
	tcase_add_test(f, filter_multi_file);
	tcase_add_test(f, filter_truncates);
	suite_add_tcase(s, f);
	TCase *h = tcase_create("escaping");
	tcase_add_test(h, html_escapes_hostile);
	tcase_add_test(h, md_and_text_escape_hostile);
	tcase_add_test(h, null_strings_render);
	suite_add_tcase(s, h);
	TCase *b = tcase_create("bounds");
	tcase_add_test(b, svg_caps_huge_evidence);
	tcase_add_test(b, series_metrics);
	tcase_add_test(b, series_downsamples_and_keeps_totals);
	tcase_add_test(b, incident_evidence_sorted_unique);
	tcase_add_test(b, charts_capped);
	tcase_set_timeout(b, 30);  /* the sanitizer build on a loaded machine */
	suite_add_tcase(s, b);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_report_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
