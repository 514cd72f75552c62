/*
 * tests/unit/test_core.c - core helpers: durations, time formatting, time
 * zones, addresses and flows, sniffing (the session table: test_flowtab.c).
 */
#include <check.h>
#include <stdlib.h>
#include <inttypes.h>
#include <string.h>

#include "../../correlator/core/fields.h"
#include "../../correlator/core/tz.h"
#include "../../correlator/core/util.h"
#include "../../correlator/core/parser.h"

START_TEST(durations)
{
	int64_t ns;
	ck_assert(parse_duration("500ms", &ns));
	ck_assert_int_eq(ns, 500 * NS_PER_MSEC);
	ck_assert(parse_duration("30s", &ns));
	ck_assert_int_eq(ns, 30 * NS_PER_SEC);
	ck_assert(parse_duration("-10m", &ns));
	ck_assert_int_eq(ns, -600 * NS_PER_SEC);
	ck_assert(parse_duration("2h", &ns));
	ck_assert_int_eq(ns, 7200 * NS_PER_SEC);
	ck_assert(parse_duration("+00:10:02.5", &ns));
	ck_assert_int_eq(ns, 602500 * NS_PER_MSEC);
	ck_assert(parse_duration("1.5", &ns));
	ck_assert_int_eq(ns, 1500 * NS_PER_MSEC);
	ck_assert(!parse_duration("soon", &ns));
	ck_assert(!parse_duration("5 parsecs", &ns));
	ck_assert(!parse_duration("", &ns));
	char b[64];
	format_duration(40 * 60 * NS_PER_SEC + 3 * NS_PER_SEC, b, sizeof b);
	ck_assert_str_eq(b, "40 min 3 s");
	format_duration(-600250 * NS_PER_MSEC, b, sizeof b);
	ck_assert_str_eq(b, "-10 min 0.250 s");
	format_duration(-1500 * NS_PER_MSEC, b, sizeof b);
	ck_assert_str_eq(b, "-1.50 s");
}
END_TEST

START_TEST(rfc3339)
{
	char b[40];
	format_rfc3339(1418145369924505488LL, b, sizeof b);
	ck_assert_str_eq(b, "2014-12-09T17:16:09.924505488Z");
	format_rfc3339(-1, b, sizeof b);
	ck_assert_str_eq(b, "1969-12-31T23:59:59.999999999Z");
	int64_t s;
	ck_assert(utc_seconds(2024, 2, 29, 23, 59, 59, &s));
	ck_assert_int_eq(s, 1709251199);
	ck_assert(!utc_seconds(2024, 13, 1, 0, 0, 0, &s));
	/* only years the int64 ns clock holds: no overflow downstream */
	ck_assert(utc_seconds(2261, 12, 31, 23, 59, 59, &s));
	ck_assert(s < INT64_MAX / NS_PER_SEC);
	ck_assert(!utc_seconds(2262, 1, 1, 0, 0, 0, &s));
	ck_assert(!utc_seconds(9999, 12, 31, 0, 0, 0, &s));
	ck_assert(!utc_seconds(1601, 1, 1, 0, 0, 0, &s));
}
END_TEST

/* format_u64 agrees with printf at every digit-count boundary and on random
 * values, and writes nothing past its digits. */
START_TEST(decimal_u64)
{
	uint64_t edge[] = { 0, 9, 10, 99, 100, 999, 1000, 4294967295u, 9999999999999999999u,
			    10000000000000000000u, UINT64_MAX };
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (unsigned i = 0; i < 1000 + sizeof edge / sizeof edge[0]; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t v = i < sizeof edge / sizeof edge[0] ? edge[i] : x >> (x % 64);
		char want[32], got[FORMAT_U64_MAX + 1];
		memset(got, '#', sizeof got);
		snprintf(want, sizeof want, "%" PRIu64, v);
		size_t n = format_u64(v, got);
		ck_assert_uint_eq(n, strlen(want));
		ck_assert(!memcmp(got, want, n));
		ck_assert_int_eq(got[n], '#');
	}
}
END_TEST

START_TEST(time_zones)
{
	struct tz z;
	ck_assert(tz_parse("+01:00", &z));
	ck_assert_int_eq(tz_local_to_utc(&z, 3600), 0);
	ck_assert(tz_parse("-0500", &z));
	ck_assert_int_eq(tz_local_to_utc(&z, 0), 5 * 3600);
	ck_assert(tz_parse("UTC", &z));
	ck_assert_int_eq(tz_local_to_utc(&z, 42), 42);
	ck_assert(!tz_parse("Mars/Base", &z));
	ck_assert(!tz_parse("../etc/passwd", &z));
	if (tz_parse("Europe/Berlin", &z)) {  /* needs tzdata */
		int64_t winter, summer;
		utc_seconds(2024, 1, 15, 12, 0, 0, &winter);
		utc_seconds(2024, 7, 15, 12, 0, 0, &summer);
		ck_assert_int_eq(tz_local_to_utc(&z, winter), winter - 3600);
		ck_assert_int_eq(tz_local_to_utc(&z, summer), summer - 7200);
	}
}
END_TEST

START_TEST(addresses_and_flows)
{
	struct addr a;
	char b[64];
	ck_assert(addr_parse("::ffff:10.1.2.3", 15, &a));
	ck_assert_uint_eq(a.family, 4);
	addr_format(&a, b, sizeof b);
	ck_assert_str_eq(b, "10.1.2.3");
	ck_assert(addr_parse("2001:db8::1", 11, &a));
	ck_assert_uint_eq(a.family, 6);
	ck_assert(!addr_parse("10.1.2", 6, &a));
	struct flow f = { .proto = 6, .sport = 1234, .dport = 80 };
	addr_parse("10.0.0.1", 8, &f.src);
	addr_parse("10.0.0.2", 8, &f.dst);
	struct flow r = { .proto = 6, .sport = 80, .dport = 1234, .src = f.dst, .dst = f.src };
	ck_assert(flow_same_session(&f, &r));
	ck_assert_uint_eq(flow_hash(&f), flow_hash(&r));
	flow_format(&f, b, sizeof b);
	ck_assert_str_eq(b, "10.0.0.1:1234 -> 10.0.0.2:80 tcp");
}
END_TEST

START_TEST(sniffing)
{
	static const uint8_t pcap_le[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	static const uint8_t pcap_ns_be[24] = { 0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4 };
	static const uint8_t ng[12] = { 0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a };
	uint8_t nm[128] = { 'G', 'M', 'B', 'U', 3, 2 };
	int score;
	ck_assert_str_eq(parser_sniff(pcap_le, sizeof pcap_le, &score)->name, "pcap");
	ck_assert_str_eq(parser_sniff(pcap_ns_be, sizeof pcap_ns_be, &score)->name, "pcap");
	ck_assert_str_eq(parser_sniff(ng, sizeof ng, &score)->name, "pcapng");
	ck_assert_str_eq(parser_sniff(nm, sizeof nm, &score)->name, "netmon");
	ck_assert_ptr_null(parser_sniff((const uint8_t *)"GMBU", 4, &score)); /* too short */
	const char *text = "hello, this is not a capture\n";
	const struct parser *p = parser_sniff((const uint8_t *)text, strlen(text), &score);
	ck_assert_msg(p == NULL || score < 50, "plain text sniffed as %s", p ? p->name : "");
}
END_TEST

/* the JSONL writer's parent test: a dotted prefix with members after it */
START_TEST(field_parents)
{
	static const char *const yes[] = { "tcp.flags", "tcp", "fw.result", "path.delay", "ip.flags",
					   "icmp.inner", "icmp.inner.ip", "ip.fragment", NULL };
	static const char *const no[] = { "tcp.flags.syn", "ip.src", "tc", "tcp.flag", "fw.result.code",
					  "path.delay.min", "", "delay", "tcp.flags.", NULL };
	for (size_t i = 0; yes[i]; i++)
		ck_assert_msg(fields_is_parent(yes[i], strlen(yes[i])), "%s", yes[i]);
	for (size_t i = 0; no[i]; i++)
		ck_assert_msg(!fields_is_parent(no[i], strlen(no[i])), "%s", no[i]);
	ck_assert(fields_is_parent("tcp.flags.syn", 9)); /* by length, not by NUL */
}
END_TEST

static uint32_t fold16(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* the byte-at-a-time definition (RFC 1071) the word-at-a-time sum must equal */
static uint32_t sum_bytewise(const uint8_t *d, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)d[i] << 8 | d[i + 1];
	if (n & 1)
		s += (uint32_t)d[n - 1] << 8;
	return s;
}

START_TEST(internet_checksum)
{
	/* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	ck_assert_uint_eq(fold16(inet_sum(rfc, sizeof rfc, 0)), 0xddf2);
	/* an IPv4 header (192.168.0.1 -> 192.168.0.199, UDP) whose checksum is b861 */
	uint8_t ip[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	ck_assert_uint_eq((~fold16(inet_sum(ip, sizeof ip, 0))) & 0xffff, 0xb861);
	ip[10] = 0xb8;
	ip[11] = 0x61;
	ck_assert_uint_eq(fold16(inet_sum(ip, sizeof ip, 0)), 0xffff);
	ck_assert_uint_eq(fold16(inet_sum(ip + 1, 3, 0)), 0x7300); /* 0000, 73 padded: 7300 */
	/* odd lengths, every alignment, carries: equal to the byte-wise sum */
	uint8_t buf[1600];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(i % 7 == 0 ? 0xff : x >> 16);
	}
	for (size_t off = 0; off < 9; off++)
		for (size_t n = 0; n + off <= sizeof buf; n += (n < 40 ? 1 : 37))
			ck_assert_msg(fold16(inet_sum(buf + off, n, 17)) == fold16(sum_bytewise(buf + off, n, 17)),
				      "off %zu len %zu", off, n);
	memset(buf, 0xff, sizeof buf);
	ck_assert_uint_eq(fold16(inet_sum(buf, sizeof buf, 0)), 0xffff);
	memset(buf, 0, sizeof buf);
	ck_assert_uint_eq(inet_sum(buf, sizeof buf, 0), 0);  /* all zero stays 0, not 0xffff */
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, durations);
	tcase_add_test(tc, rfc3339);
	tcase_add_test(tc, decimal_u64);
	tcase_add_test(tc, time_zones);
	tcase_add_test(tc, addresses_and_flows);
	tcase_add_test(tc, sniffing);
	tcase_add_test(tc, field_parents);
	tcase_add_test(tc, internet_checksum);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(core_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
