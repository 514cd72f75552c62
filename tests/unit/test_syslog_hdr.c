/*
 * tests/unit/test_syslog_hdr.c - the shared text helpers: syslog header forms
 * (RFC 3164 with/without PRI, RFC 5424, ISO, Cisco stamps, tags), year
 * resolution across a wrap, zones, and the line reader (CR LF, BOM, last line
 * without newline, overlong lines at every split of the read buffer, NUL).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../correlator/core/source.h"
#include "../../parsers/lines.h"
#include "../../parsers/syslog_hdr.h"

static bool parse(const char *s, struct syslog_hdr *h)
{
	return syslog_hdr_parse(s, strlen(s), h);
}

static bool eq(const char *p, size_t n, const char *want)
{
	return n == strlen(want) && !memcmp(p, want, n);
}

START_TEST(bsd_with_pri_host_tag_pid)
{
	struct syslog_hdr h;
	ck_assert(parse("<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed", &h));
	ck_assert_int_eq(h.pri, 34);
	ck_assert(!h.has_year);
	ck_assert_int_eq(h.mon, 10);
	ck_assert_int_eq(h.day, 11);
	ck_assert_int_eq(h.hour, 22);
	ck_assert_int_eq(h.sec, 15);
	ck_assert(eq(h.host, h.host_len, "mymachine"));
	ck_assert(eq(h.prog, h.prog_len, "su"));
	ck_assert_int_eq(h.pid, 123);
	ck_assert(eq(h.msg, h.msg_len, "'su root' failed"));
}
END_TEST

START_TEST(bsd_space_padded_day_no_host)
{
	struct syslog_hdr h;
	ck_assert(parse("Jan  8 03:37:09 DENY: IN=eth0 OUT=", &h));
	ck_assert_int_eq(h.pri, -1);
	ck_assert_int_eq(h.day, 8);
	ck_assert_uint_eq(h.host_len, 0);
	ck_assert(eq(h.prog, h.prog_len, "DENY"));
	ck_assert(eq(h.msg, h.msg_len, "IN=eth0 OUT="));
	ck_assert(parse("Nov 18 08:30:20 kernel: [997.390602] sda2", &h));
	ck_assert_uint_eq(h.host_len, 0);
	ck_assert(eq(h.prog, h.prog_len, "kernel"));
}
END_TEST

START_TEST(iso_and_fraction_and_zone)
{
	struct syslog_hdr h;
	ck_assert(parse("2024-01-07T09:14:02.25+0100 gw01 kernel: x", &h));
	ck_assert(h.has_year && h.has_zone);
	ck_assert_int_eq(h.year, 2024);
	ck_assert_int_eq(h.zone_off, 3600);
	ck_assert_uint_eq(h.nsec, 250000000);
	ck_assert(eq(h.host, h.host_len, "gw01"));
	ck_assert(parse("<6>2021-03-12T14:10:18Z Hostname kernel: y", &h));
	ck_assert(h.has_zone);
	ck_assert_int_eq(h.zone_off, 0);
	ck_assert(parse("2019-03-21T09:14:02-05:30 asa : %ASA-6-302013: z", &h));
	ck_assert_int_eq(h.zone_off, -(5 * 3600 + 30 * 60));
	ck_assert(eq(h.msg, h.msg_len, "%ASA-6-302013: z"));
}
END_TEST

START_TEST(cisco_stamps)
{
	struct syslog_hdr h;
	ck_assert(parse("Mar 21 2019 09:14:02: %ASA-6-302013: Built", &h));
	ck_assert(h.has_year);
	ck_assert_int_eq(h.year, 2019);
	ck_assert_uint_eq(h.host_len, 0);
	ck_assert(eq(h.msg, h.msg_len, "%ASA-6-302013: Built"));
	ck_assert(parse("Mar 21 09:14:02 fw01 %ASA-4-106023: Deny", &h));
	ck_assert(eq(h.host, h.host_len, "fw01"));
	ck_assert(eq(h.msg, h.msg_len, "%ASA-4-106023: Deny"));
}
END_TEST

START_TEST(rfc5424)
{
	struct syslog_hdr h;
	ck_assert(parse("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
			"[exampleSDID@32473 iut=\"3\" eventSource=\"App]\"] An application event", &h));
	ck_assert_int_eq(h.pri, 165);
	ck_assert(h.rfc5424 && h.has_zone);
	ck_assert_uint_eq(h.nsec, 3000000);
	ck_assert(eq(h.host, h.host_len, "mymachine.example.com"));
	ck_assert(eq(h.prog, h.prog_len, "evntslog"));
	ck_assert_int_eq(h.pid, -1);
	ck_assert(eq(h.msg, h.msg_len, "An application event"));
	ck_assert(parse("<13>1 2024-01-07T09:14:02Z host app 4242 - - hello", &h));
	ck_assert_int_eq(h.pid, 4242);
	ck_assert(eq(h.msg, h.msg_len, "hello"));
}
END_TEST

START_TEST(rejects)
{
	struct syslog_hdr h;
	ck_assert(!parse("MMM 22 07:54:32 host x", &h));
	ck_assert(!parse("<999>Jan  1 00:00:00 host x", &h));
	ck_assert(!parse("Jan 1 00:00:00 host x", &h)); /* day must be 2 wide */
	ck_assert(!parse("Jan 22 07:54", &h));
	ck_assert(!parse("", &h));
	ck_assert(!parse("<", &h));
	ck_assert(!parse("2024-01-07Tx", &h));
}
END_TEST

/* Every prefix of a valid header parses or fails without reading past it. */
START_TEST(every_prefix)
{
	static const char *lines[] = {
		"<165>1 2003-10-11T22:14:15.003Z host app 12 ID [a b=\"c\"] msg",
		"<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed",
		"2024-01-07T09:14:02.25+01:00 gw01 kernel: x",
		"Mar 21 2019 09:14:02: %ASA-6-302013: Built",
	};
	for (size_t k = 0; k < sizeof lines / sizeof *lines; k++) {
		size_t n = strlen(lines[k]);
		for (size_t i = 0; i <= n; i++) {
			char *b = malloc(i ? i : 1); /* exact size: ASan sees overruns */
			memcpy(b, lines[k], i);
			struct syslog_hdr h;
			if (syslog_hdr_parse(b, i, &h))
				ck_assert(h.msg >= b && h.msg + h.msg_len <= b + i);
			free(b);
		}
	}
}
END_TEST

static char *tmpfile_with(const char *data, size_t n)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/test_lines_XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
	return path;
}

START_TEST(lines_crlf_bom_last)
{
	const char data[] = "\xef\xbb\xbfone\r\ntwo\n\nthree";
	char *path = tmpfile_with(data, sizeof data - 1);
	struct lines l;
	ck_assert_int_eq(lines_open(&l, path, 64), 0);
	const char *p;
	size_t n;
	ck_assert_int_eq(lines_next(&l, &p, &n), LINES_OK);
	ck_assert(eq(p, n, "one"));
	ck_assert_uint_eq(l.lineno, 1);
	ck_assert_int_eq(lines_next(&l, &p, &n), LINES_OK);
	ck_assert(eq(p, n, "two"));
	ck_assert_int_eq(lines_next(&l, &p, &n), LINES_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(lines_next(&l, &p, &n), LINES_OK);
	ck_assert(eq(p, n, "three"));
	ck_assert_uint_eq(l.lineno, 4);
	ck_assert_int_eq(lines_next(&l, &p, &n), LINES_EOF);
	lines_close(&l);
	unlink(path);
}
END_TEST

/* Overlong lines of many lengths around the limit, and a NUL line: the lines
 * after each are still read with the right numbers. */
START_TEST(lines_overlong_and_nul)
{
	size_t max = 100;
	for (size_t len = 95; len < 400; len += 7) {
		size_t cap = 3 * (len + 16);
		char *d = malloc(cap);
		size_t o = 0;
		o += (size_t)sprintf(d + o, "a\n");
		memset(d + o, 'x', len);
		o += len;
		d[o++] = '\n';
		memcpy(d + o, "n\0l\n", 4);
		o += 4;
		o += (size_t)sprintf(d + o, "b\n");
		char *path = tmpfile_with(d, o);
		struct lines l;
		ck_assert_int_eq(lines_open(&l, path, max), 0);
		const char *p;
		size_t n;
		ck_assert_int_eq(lines_next(&l, &p, &n), LINES_OK);
		enum lines_status st = lines_next(&l, &p, &n);
		ck_assert_int_eq(st, len > max ? LINES_TOO_LONG : LINES_OK);
		ck_assert_uint_eq(l.lineno, 2);
		ck_assert_int_eq(lines_next(&l, &p, &n), LINES_NUL);
		ck_assert_uint_eq(l.lineno, 3);
		ck_assert_int_eq(lines_next(&l, &p, &n), LINES_OK);
		ck_assert(eq(p, n, "b"));
		ck_assert_uint_eq(l.lineno, 4);
		ck_assert_int_eq(lines_next(&l, &p, &n), LINES_EOF);
		lines_close(&l);
		unlink(path);
		free(d);
	}
}
END_TEST

/* Years: wrap Dec -> Jan forward adds a year; a dated line anchors. */
START_TEST(year_wrap_and_anchor)
{
	const char data[] =
		"Dec 31 23:59:58 h p: a\n"
		"Jan  1 00:00:01 h p: b\n"
		"2025-01-01T00:00:02Z h p: c\n"
		"Jan  1 00:00:03 h p: d\n";
	char *path = tmpfile_with(data, sizeof data - 1);
	struct source *src = source_new(0, path);
	src->quiet = true;
	struct limits lim = { .max_line = 1024 };
	src->limits = &lim;
	struct syslog_stream s;
	ck_assert_int_eq(syslog_stream_open(&s, src, path, "test"), 0);
	struct event *ev = calloc(1, sizeof *ev);
	int64_t want[] = { 1735689598, 1735689601, 1735689602, 1735689603 };
	for (int i = 0; i < 4; i++) {
		event_reset(ev);
		ck_assert_int_eq(syslog_stream_next(&s, ev), PR_EVENT);
		ck_assert_int_eq(ev->ts_raw / 1000000000, want[i]);
		ck_assert_uint_eq(ev->ref, (unsigned)i + 1);
	}
	ck_assert_int_eq(syslog_stream_next(&s, ev), PR_EOF);
	syslog_stream_close(&s);
	free(ev);
	source_free(src);
	unlink(path);
}
END_TEST

START_TEST(tz_applies_to_zoneless_only)
{
	const char data[] = "Mar 21 2019 09:14:02: x\n2019-03-21T09:14:02Z h p: y\n";
	char *path = tmpfile_with(data, sizeof data - 1);
	struct source *src = source_new(0, path);
	src->quiet = true;
	ck_assert(tz_parse("+02:00", &src->tz));
	src->tz_given = true;
	struct syslog_stream s;
	ck_assert_int_eq(syslog_stream_open(&s, src, path, "test"), 0);
	struct event *ev = calloc(1, sizeof *ev);
	event_reset(ev);
	ck_assert_int_eq(syslog_stream_next(&s, ev), PR_EVENT);
	ck_assert_int_eq(ev->ts_raw / 1000000000, 1553159642 - 7200);
	event_reset(ev);
	ck_assert_int_eq(syslog_stream_next(&s, ev), PR_EVENT);
	ck_assert_int_eq(ev->ts_raw / 1000000000, 1553159642);
	syslog_stream_close(&s);
	free(ev);
	source_free(src);
	unlink(path);
}
END_TEST

START_TEST(snapshot_stamps)
{
	struct source *src = source_new(0, "x");
	int64_t ns;
	const char *clock = "*09:14:02.123 UTC Thu Mar 21 2019";
	ck_assert(syslog_snapshot_stamp(src, clock, strlen(clock), &ns));
	ck_assert_int_eq(ns, 1553159642123000000LL);
	const char *iso = "2024-01-07T09:14:02+01:00";
	ck_assert(syslog_snapshot_stamp(src, iso, strlen(iso), &ns));
	ck_assert_int_eq(ns / 1000000000, 1704615242);
	const char *no = "Active Connections";
	ck_assert(!syslog_snapshot_stamp(src, no, strlen(no), &ns));
	source_free(src);
}
END_TEST

START_TEST(tcp_flag_words)
{
	ck_assert_uint_eq(syslog_tcp_flag("PSH", 3), SYSLOG_TCP_PSH);
	ck_assert_uint_eq(syslog_tcp_flag("push", 4), SYSLOG_TCP_PSH);
	ck_assert_uint_eq(syslog_tcp_flag("RST", 3), SYSLOG_TCP_RST);
	ck_assert_uint_eq(syslog_tcp_flag("SYNX", 4), 0);
	ck_assert_int_eq(syslog_ip_proto("ICMPv6", 6), 58);
	ck_assert_int_eq(syslog_ip_proto("47", 2), 47);
	ck_assert_int_eq(syslog_ip_proto("256", 3), -1);
}
END_TEST

static Suite *syslog_hdr_suite(void)
{
	Suite *s = suite_create("syslog_hdr");
	TCase *tc = tcase_create("header");
	tcase_add_test(tc, bsd_with_pri_host_tag_pid);
	tcase_add_test(tc, bsd_space_padded_day_no_host);
	tcase_add_test(tc, iso_and_fraction_and_zone);
	tcase_add_test(tc, cisco_stamps);
	tcase_add_test(tc, rfc5424);
	tcase_add_test(tc, rejects);
	tcase_add_test(tc, every_prefix);
	suite_add_tcase(s, tc);
	TCase *tl = tcase_create("lines");
	tcase_add_test(tl, lines_crlf_bom_last);
	tcase_add_test(tl, lines_overlong_and_nul);
	suite_add_tcase(s, tl);
	TCase *ty = tcase_create("time");
	tcase_add_test(ty, year_wrap_and_anchor);
	tcase_add_test(ty, tz_applies_to_zoneless_only);
	tcase_add_test(ty, snapshot_stamps);
	tcase_add_test(ty, tcp_flag_words);
	suite_add_tcase(s, ty);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(syslog_hdr_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
