/*
 * tests/unit/test_textlog.c - the shared text-log helpers: line reader (BOM,
 * CRLF, numbering, lines split across read chunks, overlong lines as counted
 * skips), W3C header parsing, column splitting, libcsv quoting and recovery,
 * the hand split of unquoted CSV lines against libcsv itself,
 * time and endpoint parsing; and the ISA/TMG result-code table.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../parsers/textlog.h"
#include "../../parsers/tmg_codes.h"

static char tmpl[64];

static const char *write_tmp(const char *data, size_t n)
{
	strcpy(tmpl, "/tmp/test_textlog_XXXXXX");
	int fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
	return tmpl;
}

static struct source *quiet_source(size_t max_line)
{
	static struct source src;
	static struct limits lim;
	memset(&src, 0, sizeof src);
	lim.max_line = max_line;
	src.limits = &lim;
	src.quiet = true;
	src.label = (char *)"t";
	return &src;
}

START_TEST(lines_bom_crlf_numbering)
{
	static const char data[] = "\xEF\xBB\xBF#Fields: a b\r\n\r\nx y\r\nlast";
	const char *path = write_tmp(data, sizeof data - 1);
	struct source *src = quiet_source(1024);
	struct textlog t;
	ck_assert_int_eq(textlog_open(&t, src, path), 0);
	char *p;
	size_t n;
	ck_assert(textlog_next(&t, &p, &n));
	ck_assert_str_eq(p, "#Fields: a b");
	ck_assert_uint_eq(t.line, 1);
	ck_assert(textlog_next(&t, &p, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert(textlog_next(&t, &p, &n));
	ck_assert_str_eq(p, "x y");
	ck_assert_uint_eq(t.line, 3);
	ck_assert(textlog_next(&t, &p, &n));
	ck_assert_str_eq(p, "last");
	ck_assert_uint_eq(t.line, 4);
	ck_assert(!textlog_next(&t, &p, &n));
	textlog_close(&t);
	unlink(path);
}
END_TEST

/* 300k lines cross many 256 KiB read chunks; every line arrives whole, in order. */
START_TEST(lines_across_chunks)
{
	size_t cap = 8u << 20, o = 0;
	char *buf = malloc(cap);
	for (unsigned i = 1; i <= 300000; i++)
		o += (size_t)snprintf(buf + o, cap - o, "line %u %s\n", i, i % 7 ? "" : "padding padding");
	const char *path = write_tmp(buf, o);
	free(buf);
	struct source *src = quiet_source(64);
	struct textlog t;
	ck_assert_int_eq(textlog_open(&t, src, path), 0);
	char *p, want[64];
	size_t n;
	for (unsigned i = 1; i <= 300000; i++) {
		ck_assert(textlog_next(&t, &p, &n));
		snprintf(want, sizeof want, "line %u %s", i, i % 7 ? "" : "padding padding");
		ck_assert_str_eq(p, want);
		ck_assert_uint_eq(t.line, i);
	}
	ck_assert(!textlog_next(&t, &p, &n));
	ck_assert_uint_eq(src->skipped, 0);
	textlog_close(&t);
	unlink(path);
}
END_TEST

/* An overlong line is a counted skip with its line number, in the middle of
 * the buffer and as one line longer than the whole buffer. */
START_TEST(lines_overlong)
{
	size_t big = (1u << 20) + 100;
	char *buf = malloc(big + 64);
	size_t o = (size_t)sprintf(buf, "ok1\n%s\n", "0123456789012345678901234567890123456789");
	memset(buf + o, 'x', big);
	o += big;
	o += (size_t)sprintf(buf + o, "\nok4\n");
	const char *path = write_tmp(buf, o);
	free(buf);
	struct source *src = quiet_source(16);
	struct textlog t;
	ck_assert_int_eq(textlog_open(&t, src, path), 0);
	char *p;
	size_t n;
	ck_assert(textlog_next(&t, &p, &n));
	ck_assert_str_eq(p, "ok1");
	ck_assert(textlog_next(&t, &p, &n));
	ck_assert_str_eq(p, "ok4");
	ck_assert_uint_eq(t.line, 4);
	ck_assert_uint_eq(src->skipped, 2);
	ck_assert_uint_eq(src->skip_refs[0], 2);
	ck_assert_uint_eq(src->skip_refs[1], 3);
	textlog_close(&t);
	unlink(path);
}
END_TEST

START_TEST(w3c_fields)
{
	struct w3c_header h;
	memset(&h, 0, sizeof h);
	const char *tab = "#Fields: computer\tdate\ttime\tIP protocol\tsource\toriginal client IP";
	ck_assert(w3c_directive(&h, tab, strlen(tab), 0));
	ck_assert_uint_eq(h.ncols, 6);
	ck_assert_int_eq(h.sep, '\t');
	ck_assert_int_eq(w3c_col(&h, "IP protocol"), 3);
	ck_assert_int_eq(w3c_col(&h, "Original Client IP"), 5);
	ck_assert_int_eq(w3c_col(&h, "action"), -1);
	const char *sp = "#Fields: date time action protocol src-ip ";
	ck_assert(w3c_directive(&h, sp, strlen(sp), ' '));
	ck_assert_uint_eq(h.ncols, 5);
	ck_assert_int_eq(w3c_col(&h, "src-ip"), 4);
	const char *csv = "#Fields: date-time,connector-id,session-id";
	ck_assert(w3c_directive(&h, csv, strlen(csv), 0));
	ck_assert_uint_eq(h.ncols, 3);
	const char *lt = "#Log-type: SMTP Send Protocol Log";
	ck_assert(w3c_directive(&h, lt, strlen(lt), ','));
	ck_assert_str_eq(h.log_type, "SMTP Send Protocol Log");
	ck_assert(!w3c_directive(&h, "2024-01-01", 10, ','));
	w3c_free(&h);
}
END_TEST

START_TEST(split_and_dash)
{
	struct cols c;
	const char *l = "2021-06-22 12:19:41  DROP - x";
	cols_split(&c, l, strlen(l), ' ');
	ck_assert_uint_eq(c.count, 5);
	const char *p;
	size_t n;
	ck_assert(!cols_get(&c, 3, &p, &n));
	ck_assert(cols_get(&c, 4, &p, &n));
	ck_assert_uint_eq(n, 1);
	ck_assert(!cols_get(&c, 9, &p, &n));
	cols_split(&c, "a\t\tb", 4, '\t');
	ck_assert_uint_eq(c.count, 3);
	ck_assert_uint_eq(c.n[1], 0);
}
END_TEST

START_TEST(csv_quotes_and_recovery)
{
	struct textlog_csv x;
	struct cols c;
	const char *why;
	ck_assert_int_eq(textlog_csv_init(&x, ',', '"', true), 0);
	const char *l1 = "a,\"b, c\",\"say \"\"hi\"\"\",,e";
	ck_assert(textlog_csv_line(&x, l1, strlen(l1), &c, &why));
	ck_assert_uint_eq(c.count, 5);
	ck_assert_str_eq(c.p[1], "b, c");
	ck_assert_str_eq(c.p[2], "say \"hi\"");
	ck_assert_uint_eq(c.n[3], 0);
	const char *bad = "a,\"never closed,b";
	ck_assert(!textlog_csv_line(&x, bad, strlen(bad), &c, &why));
	ck_assert_str_eq(why, "malformed quoting");
	const char *l2 = "x,y";
	ck_assert(textlog_csv_line(&x, l2, strlen(l2), &c, &why));
	ck_assert_uint_eq(c.count, 2);
	ck_assert_str_eq(c.p[1], "y");
	textlog_csv_free(&x);
}
END_TEST

/* libcsv's own reading of one line (a fresh parser each time), as textlog_csv_line
 * reports it: the fields joined with '\x01', "!" when libcsv refuses the line. */
struct ref_fields {
	char out[4096];
	size_t n, count;
};

static void ref_field(void *s, size_t len, void *data)
{
	struct ref_fields *r = data;
	if (r->count++)
		r->out[r->n++] = '\x01';
	if (r->n + len >= sizeof r->out)
		len = 0;  /* lines here are far shorter */
	memcpy(r->out + r->n, s, len);
	r->n += len;
}

static void ref_row(int ch, void *data)
{
	(void)ch;
	(void)data;
}

static void libcsv_fields(const char *line, size_t n, char delim, bool strict, struct ref_fields *r)
{
	struct csv_parser p;
	ck_assert_int_eq(csv_init(&p, strict ? (CSV_STRICT | CSV_STRICT_FINI) : 0), 0);
	csv_set_delim(&p, (unsigned char)delim);
	csv_set_quote(&p, '"');
	r->n = r->count = 0;
	bool ok = csv_parse(&p, line, n, ref_field, ref_row, r) == n;
	ok = csv_fini(&p, ref_field, ref_row, r) == 0 && ok;
	csv_free(&p);
	if (!ok) {
		r->n = r->count = 0;
		r->out[r->n++] = '!';
	}
	if (ok && n == 0 && r->count == 0)
		r->count = 1;  /* an empty line is one empty field */
	r->out[r->n] = '\0';
}

static void ours_fields(struct textlog_csv *x, const char *line, size_t n, struct ref_fields *r)
{
	struct cols c;
	const char *why;
	r->n = r->count = 0;
	if (!textlog_csv_line(x, line, n, &c, &why)) {
		r->out[r->n++] = '!';
	} else {
		for (size_t i = 0; i < c.count; i++)
			ref_field((void *)(uintptr_t)c.p[i], c.n[i], r);
		r->count = c.count;
	}
	r->out[r->n] = '\0';
}

static void same_as_libcsv(struct textlog_csv *x, const char *line, size_t n, char delim, bool strict)
{
	struct ref_fields want, got;
	libcsv_fields(line, n, delim, strict, &want);
	ours_fields(x, line, n, &got);
	ck_assert_msg(want.count == got.count && !strcmp(want.out, got.out),
		      "line [%.*s]: libcsv %zu [%s], ours %zu [%s]", (int)n, line, want.count, want.out,
		      got.count, got.out);
}

START_TEST(csv_plain_lines_as_libcsv)
{
	static const char *const lines[] = {
		"", " ", "\t", "  \t ", "a", " a ", "a,b", "a, b ,c", ",", ",,", " , ", "a,",
		",a", "a,,b", "\ta\t,\tb", "a b,c d", "a  ,  ", "x,\t", "2019-03-21T08:14:02.311Z,EX01,08D6,0,"
		"10.0.0.25:25,192.168.5.68:55330,>,250 2.6.0 Queued,", "a\rb,c", "a,b\n", "\r", "\n\n",
		"a,\"b\",c", "\"a\"", "a\"b,c", "\"a,b", " \"a\" ,b", "\"a \"\"b\"\" c\"", "\"\"", "\"\"\"\"",
		"\"a\"b", "\"a\" b", "\"a\",", "\"a\"\t", "x,\"a,b\" , c", "\"a\" \"b\"", "\"a\"\"", ",\"\",",
	};
	static const char delims[] = { ',', '\t', ';', ' ' };
	for (size_t d = 0; d < sizeof delims; d++)
		for (int strict = 0; strict < 2; strict++) {
			struct textlog_csv x;
			ck_assert_int_eq(textlog_csv_init(&x, delims[d], '"', strict), 0);
			for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
				same_as_libcsv(&x, lines[i], strlen(lines[i]), delims[d], strict);
			textlog_csv_free(&x);
		}
}
END_TEST

/* Random lines over the bytes that matter: delimiters, blanks, quotes (rare
 * in one alphabet, so most lines take the hand split; common in the other). */
static void random_lines_as_libcsv(const char *alphabet, size_t na, unsigned quote_one_in)
{
	static const char delims[] = { ',', '\t', ';', ' ' };
	uint32_t seed = 12345;
	char line[64];
	for (size_t d = 0; d < sizeof delims; d++)
		for (int strict = 0; strict < 2; strict++) {
			struct textlog_csv x;
			ck_assert_int_eq(textlog_csv_init(&x, delims[d], '"', strict), 0);
			for (int k = 0; k < 3000; k++) {
				seed = seed * 1103515245u + 12345u;
				size_t n = (seed >> 16) % sizeof line;
				for (size_t i = 0; i < n; i++) {
					seed = seed * 1103515245u + 12345u;
					unsigned r = seed >> 16;
					line[i] = r % quote_one_in == 0 ? '"' : alphabet[r % na];
				}
				same_as_libcsv(&x, line, n, delims[d], strict);
			}
			textlog_csv_free(&x);
		}
}

START_TEST(csv_random_lines_as_libcsv)
{
	static const char bare[] = "ab,,;  \t\t-x1:", quoted[] = "a,, \t\"\"\"";
	random_lines_as_libcsv(bare, sizeof bare - 1, 97);
	random_lines_as_libcsv(quoted, sizeof quoted - 1, 7);
}
END_TEST

START_TEST(times)
{
	int64_t ns, sec, frac, days;
	bool zoned;
	ck_assert(textlog_iso8601("2019-03-21T08:14:02.311Z", 24, &ns, &zoned));
	ck_assert(zoned);
	ck_assert_int_eq(ns, 1553156042311000000LL);
	ck_assert(textlog_iso8601("2019-03-21T09:14:02.311+01:00", 29, &ns, &zoned));
	ck_assert_int_eq(ns, 1553156042311000000LL);
	ck_assert(textlog_iso8601("2025-10-22T02:20:33.634243780Z", 30, &ns, &zoned));
	ck_assert_int_eq(ns % 1000000000LL, 634243780);
	ck_assert(textlog_iso8601("2019-03-21 08:14:02", 19, &ns, &zoned));
	ck_assert(!zoned);
	ck_assert(!textlog_iso8601("2019-03-21T08:14:02Zjunk", 24, &ns, &zoned));
	ck_assert(!textlog_iso8601("2019-13-21T08:14:02Z", 20, &ns, &zoned));
	ck_assert(textlog_time("23:59:60.5", 10, &sec, &frac));
	ck_assert_int_eq(frac, 500000000);
	ck_assert(!textlog_time("24:00:00", 8, &sec, &frac));
	ck_assert(!textlog_time("12:19:4", 7, &sec, &frac));
	ck_assert(textlog_date("1970-01-02", 10, &days));
	ck_assert_int_eq(days, 1);
	ck_assert(textlog_epoch("1711552339.937105000", 20, &ns));
	ck_assert_int_eq(ns, 1711552339937105000LL);
	ck_assert(!textlog_epoch("17115x", 6, &ns));
}
END_TEST

START_TEST(endpoints)
{
	struct addr a;
	uint16_t port;
	bool hp;
	ck_assert(textlog_endpoint("192.168.5.68:55330", 18, &a, &port, &hp));
	ck_assert(hp);
	ck_assert_uint_eq(port, 55330);
	ck_assert_uint_eq(a.family, 4);
	ck_assert(textlog_endpoint("[2001:db8::5]:25", 16, &a, &port, &hp));
	ck_assert_uint_eq(a.family, 6);
	ck_assert_uint_eq(port, 25);
	ck_assert(textlog_endpoint("fe80::1", 7, &a, &port, &hp));
	ck_assert(!hp);
	ck_assert(textlog_endpoint("10.0.0.1", 8, &a, &port, &hp));
	ck_assert(!hp);
	ck_assert(!textlog_endpoint("10.0.0.1:99999", 14, &a, &port, &hp));
	ck_assert(!textlog_endpoint("host:25", 7, &a, &port, &hp));
	ck_assert(!textlog_endpoint("[::1", 4, &a, &port, &hp));
	uint8_t proto;
	ck_assert(textlog_ip_proto("ICMPv6", 6, &proto));
	ck_assert_uint_eq(proto, 58);
	ck_assert(textlog_ip_proto("47", 2, &proto));
	ck_assert(!textlog_ip_proto("bogus", 5, &proto));
}
END_TEST

/* Every code of the reference table (firewall-logs.md (a)) decodes, with its symbol. */
START_TEST(tmg_table_complete)
{
	static const struct { uint32_t code; const char *name; } want[] = {
		{ 0x0, "ERROR_SUCCESS" }, { 0x80074e20, "FWX_E_GRACEFUL_SHUTDOWN" },
		{ 0x80074e24, "FWX_E_CONNECTION_KILLED" }, { 0x80074e21, "FWX_E_ABORTIVE_SHUTDOWN" },
		{ 0xC004000D, "FWX_E_POLICY_RULES_DENIED" }, { 0xC0040011, "FWX_E_IS_BUSY" },
		{ 0xC0040012, "FWX_E_NETWORK_RULES_DENIED" }, { 0xC0040013, "FWX_E_FRAGMENT_PACKET_DROPPED" },
		{ 0xC0040014, "FWX_E_FWE_SPOOFING_PACKET_DROPPED" }, { 0xC0040015, "FWX_E_TCPIPDROP_PACKET_DROPPED" },
		{ 0xC0040016, "FWX_E_NO_BACKLOG_PACKET_DROPPED" }, { 0xC0040017, "FWX_E_TCP_NOT_SYN_PACKET_DROPPED" },
		{ 0xC0040018, "FWX_E_BAD_LENGTH_PACKET_DROPPED" }, { 0xC0040019, "FWX_E_PING_OF_DEATH_PACKET_DROPPED" },
		{ 0xC004001A, "FWX_E_OUT_OF_BAND_PACKET_DROPPED" }, { 0xC004001B, "FWX_E_IP_HALF_SCAN_PACKET_DROPPED" },
		{ 0xC004001C, "FWX_E_LAND_ATTACK_DROPPED" }, { 0xC004001D, "FWX_E_UDP_BOMB_DROPPED" },
		{ 0xC004001E, "FWX_E_FULLDENY_DROPPED" }, { 0xC004001F, "FWX_E_IPOPTIONS_DROPPED" },
		{ 0xC0040024, "FWX_E_OUT_OF_RESOURCES" }, { 0xC0040025, "FWX_E_BROADCAST_PACKET_DROPPED" },
		{ 0xC0040028, "FWX_E_INVALID_PROTCOL_PACKET_DROPPED" }, { 0xC0040029, "FWX_E_PORT_ZERO_PACKET_DROPPED" },
		{ 0xC004002A, "FWX_E_SYN_ATTACK_START" }, { 0xC004002B, "FWX_E_SYN_ATTACK_END" },
		{ 0xC004002D, "FWX_E_UNREACHABLE_ADDRESS" }, { 0xC004002E, "FWX_E_ADDRESS_NOT_ALLOWED" },
		{ 0xC0040030, "FWX_E_OUTBOUND_PATH_THROUGH_DROPPED" }, { 0xC0040031, "FWX_E_BAD_TCP_CHECKSUM_DROPPED" },
		{ 0xC0040033, "FWX_E_RULE_QUOTA_EXCEEDED_DROPPED" }, { 0xC0040034, "FWX_E_SEQ_ACK_MISMATCH" },
		{ 0xC0040035, "FWX_E_THREAD_QUOTA_EXCEEDED" }, { 0xC0040036, "FWX_E_DNS_QUOTA_EXCEEDED" },
		{ 0xC0040037, "FWX_E_TCP_RATE_QUOTA_EXCEEDED_DROPPED" }, { 0xC0040038, "FWX_E_TCP_NO_SERVER_REPLY" },
		{ 0xC0040039, "FWX_E_POLICY_CONNECTION_CLOSED" }, { 0xC004003A, "FWX_E_NAT_ADDRESS_NOT_AVAILABLE" },
		{ 0xC004003B, "FWX_E_IPS_BLOCKED" }, { 0xC004003C, "FWX_E_IPS_DETECTED" },
		{ 0xC004003D, "FWX_E_CONNECTION_QUARANTINED" }, { 0xC0040048, "FWX_E_TCPIP_DROP_FIREWALL_POLICY" },
		{ 0xC004004C, "FWX_E_TCPIP_DROP_INET_HEADER_INVALID" }, { 0xC004004D, "FWX_E_TCPIP_DROP_INET_CHECKSUM_INVALID" },
		{ 0xC004004E, "FWX_E_TCPIP_DROP_INET_ENDPOINT_NOT_FOUND" }, { 0xC004004F, "FWX_E_TCPIP_DROP_IP_BAD_SOURCE_ADDRESS" },
		{ 0xC0040050, "FWX_E_TCPIP_DROP_IP_NOT_LOCALLY_DESTINED" }, { 0xC0040051, "FWX_E_TCPIP_DROP_IP_PROTOCOL_UNREACHABLE" },
		{ 0xC0040052, "FWX_E_TCPIP_DROP_IP_PORT_UNREACHABLE" }, { 0xC0040053, "FWX_E_TCPIP_DROP_IP_BAD_LENGTH" },
		{ 0xC0040054, "FWX_E_TCPIP_DROP_IP_MALFORMED_HEADER" }, { 0xC0040055, "FWX_E_TCPIP_DROP_IP_NO_ROUTE" },
		{ 0xC0040056, "FWX_E_TCPIP_DROP_IP_BEYOND_SCOPE" }, { 0xC0040059, "FWX_E_TCPIP_DROP_IP_ADMINISTRATIVELY_PROHIBITED" },
		{ 0xC004005A, "FWX_E_TCPIP_DROP_IP_HOP_LIMIT_EXCEEDED" }, { 0xC004005B, "FWX_E_TCPIP_DROP_IP_ADDRESS_UNREACHABLE" },
		{ 0xC004005E, "FWX_E_BLOCKED_COMPUTER_ACCESS" }, { 0xC004005F, "FWX_E_IP_NOT_GENERATED_BY_TCPIP" },
		{ 10054, "WSAECONNRESET" }, { 10060, "WSAETIMEDOUT" }, { 10061, "WSAECONNREFUSED" },
		{ 10065, "WSAEHOSTUNREACH" }, { 11001, "WSAHOST_NOT_FOUND" }, { 12202, "ISA_URL_DENIED" },
		{ 12209, "ISA_ACCESS_DENIED" },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct tmg_code *c = tmg_code_find(want[i].code);
		ck_assert_msg(c != NULL, "code 0x%x missing", want[i].code);
		ck_assert_str_eq(c->name, want[i].name);
		ck_assert(c->meaning && c->meaning[0]);
	}
	ck_assert_ptr_null(tmg_code_find(0xC0040099));
	/* the flood/quota codes say so, for rules matching on words */
	ck_assert_ptr_nonnull(strstr(tmg_code_find(0xC0040016)->meaning, "flood"));
	ck_assert_ptr_nonnull(strstr(tmg_code_find(0xC0040037)->meaning, "quota"));
	ck_assert_ptr_nonnull(strstr(tmg_code_find(0xC0040017)->meaning, "not SYN"));
}
END_TEST

static Suite *make_textlog_suite(void)
{
	Suite *s = suite_create("textlog");
	TCase *t = tcase_create("reader");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, lines_bom_crlf_numbering);
	tcase_add_test(t, lines_across_chunks);
	tcase_add_test(t, lines_overlong);
	suite_add_tcase(s, t);
	t = tcase_create("parsing");
	tcase_add_test(t, w3c_fields);
	tcase_add_test(t, split_and_dash);
	tcase_add_test(t, csv_quotes_and_recovery);
	tcase_add_test(t, csv_plain_lines_as_libcsv);
	tcase_add_test(t, csv_random_lines_as_libcsv);
	tcase_add_test(t, times);
	tcase_add_test(t, endpoints);
	tcase_add_test(t, tmg_table_complete);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_textlog_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
