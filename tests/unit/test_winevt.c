/*
 * tests/unit/test_winevt.c - the <Event> XML -> win.event mapping on small
 * literal snippets: System fields, EventData/UserData naming and typing,
 * flows for WFP and Sysmon, the partial flow of logon events, malformed
 * events, nesting refused, TimeCreated parsing, element and attribute
 * name ids.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../correlator/core/source.h"
#include "../../correlator/core/util.h"
#include "../../parsers/winevt.h"

#define NS "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
#define SYS(id, extra) "<System><Provider Name='Microsoft-Windows-Security-Auditing'/><EventID>" id \
	"</EventID><TimeCreated SystemTime='2024-01-07T08:14:02.3117503Z'/><EventRecordID>77</EventRecordID>" \
	"<Execution ProcessID='4' ThreadID='7644'/><Channel>Security</Channel><Computer>EX01</Computer>" extra "</System>"

static struct winevt w;
static struct event ev;
static struct limits lim = { .max_line = 1 << 20, .max_xml_depth = 16 };
static struct source src = { .limits = &lim, .quiet = true };

/* Parse the first <Event> of xml into ev. */
static enum winevt_status map(const char *xml)
{
	winevt_init(&w, &src);
	event_reset(&ev);
	xmlTextReaderPtr r = xmlReaderForMemory(xml, (int)strlen(xml), NULL, "UTF-8", WINEVT_XML_OPTIONS);
	ck_assert_ptr_nonnull(r);
	winevt_attach(&w, r);
	enum winevt_status s = WINEVT_XML_ERROR;
	while (xmlTextReaderRead(r) == 1) {
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT &&
		    !strcmp((const char *)xmlTextReaderConstLocalName(r), "Event")) {
			s = winevt_read(&w, r, &ev);
			break;
		}
	}
	xmlFreeTextReader(r);
	return s;  /* w is freed by teardown: ev's strings live in it */
}

static void teardown(void) { winevt_fini(&w); }

static const char *str(const char *name)
{
	static char buf[256];
	const struct value *v = event_get(&ev, name);
	ck_assert_msg(v && v->type == V_STR, "%s missing or not text", name);
	snprintf(buf, sizeof buf, "%.*s", (int)v->u.s.n, v->u.s.p);
	return buf;
}

static int64_t num(const char *name)
{
	int64_t x;
	ck_assert_msg(event_get_int(&ev, name, &x), "%s missing or not a number", name);
	return x;
}

static const char *addr(const char *name)
{
	static char buf[64];
	const struct value *v = event_get(&ev, name);
	ck_assert_msg(v && v->type == V_ADDR, "%s missing or not an address", name);
	addr_format(&v->u.a, buf, sizeof buf);
	return buf;
}

START_TEST(system_fields)
{
	ck_assert_int_eq(map(NS SYS("5156", "<Security UserID='S-1-5-18'/>") "<EventData/></Event>"), WINEVT_OK);
	ck_assert_str_eq(ev.type, "win.event");
	ck_assert_int_eq(num("event.id"), 5156);
	ck_assert_str_eq(str("event.provider"), "Microsoft-Windows-Security-Auditing");
	ck_assert_int_eq(num("event.record_id"), 77);
	ck_assert_int_eq(num("event.process_id"), 4);
	ck_assert_int_eq(num("event.thread_id"), 7644);
	ck_assert_str_eq(str("event.channel"), "Security");
	ck_assert_str_eq(str("event.computer"), "EX01");
	ck_assert_str_eq(str("event.user_id"), "S-1-5-18");
	ck_assert_str_eq(str("event.time_created"), "2024-01-07T08:14:02.3117503Z");
	ck_assert_int_eq(ev.ts_raw, 1704615242311750300LL);
	ck_assert(!(ev.flags & EV_HAS_FLOW));
}
END_TEST

START_TEST(wfp_flow_and_typed_data)
{
	ck_assert_int_eq(map(NS SYS("5157", "") "<EventData><Data Name='ProcessID'>5432</Data>"
			     "<Data Name='Direction'>%%14593</Data><Data Name='SourceAddress'>10.0.0.5</Data>"
			     "<Data Name='SourcePort'>55412</Data><Data Name='DestAddress'>203.0.113.9</Data>"
			     "<Data Name='DestPort'>443</Data><Data Name='Protocol'>6</Data>"
			     "<Data Name='Application'>\\device\\x.exe</Data></EventData></Event>"),
			 WINEVT_OK);
	ck_assert(ev.flags & EV_HAS_FLOW);
	char f[128];
	flow_format(&ev.flow, f, sizeof f);
	ck_assert_str_eq(f, "10.0.0.5:55412 -> 203.0.113.9:443 tcp");
	ck_assert_int_eq(num("event.data.ProcessID"), 5432);
	ck_assert_str_eq(addr("event.data.SourceAddress"), "10.0.0.5");
	ck_assert_str_eq(str("event.data.Direction"), "%%14593");
	ck_assert_str_eq(str("event.data.Application"), "\\device\\x.exe");
}
END_TEST

START_TEST(logon_partial_flow)
{
	ck_assert_int_eq(map(NS SYS("4624", "") "<EventData><Data Name='LogonType'>3</Data>"
			     "<Data Name='IpAddress'>::ffff:10.1.2.3</Data><Data Name='IpPort'>55402</Data>"
			     "</EventData></Event>"), WINEVT_OK);
	ck_assert(!(ev.flags & EV_HAS_FLOW));
	ck_assert_str_eq(addr("ip.src"), "10.1.2.3");
	ck_assert_int_eq(num("tcp.srcport"), 55402);
	ck_assert_int_eq(num("event.data.LogonType"), 3);
}
END_TEST

START_TEST(logon_without_address)
{
	ck_assert_int_eq(map(NS SYS("4624", "") "<EventData><Data Name='IpAddress'>-</Data>"
			     "<Data Name='IpPort'>-</Data></EventData></Event>"), WINEVT_OK);
	ck_assert_ptr_null(event_get(&ev, "ip.src"));
	ck_assert_str_eq(str("event.data.IpAddress"), "-");
}
END_TEST

START_TEST(sysmon_udp_flow)
{
	ck_assert_int_eq(map(NS "<System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>3</EventID>"
			     "<TimeCreated SystemTime='2019-02-16T10:01:46.884038400Z'/></System><EventData>"
			     "<Data Name='Protocol'>udp</Data><Data Name='SourceIp'>fe80::1</Data>"
			     "<Data Name='SourcePort'>546</Data><Data Name='DestinationIp'>ff02::1:2</Data>"
			     "<Data Name='DestinationPort'>547</Data></EventData></Event>"), WINEVT_OK);
	ck_assert(ev.flags & EV_HAS_FLOW);
	ck_assert_uint_eq(ev.flow.proto, 17);
	ck_assert_uint_eq(ev.flow.src.family, 6);
	ck_assert_uint_eq(ev.flow.sport, 546);
	ck_assert_uint_eq(ev.flow.dport, 547);
}
END_TEST

START_TEST(userdata_unnamed_binary_message)
{
	ck_assert_int_eq(map(NS SYS("1102", "") "<UserData><LogFileCleared xmlns='urn:x'>"
			     "<SubjectUserName>jwrig</SubjectUserName><Nested><Leaf>v</Leaf></Nested>"
			     "</LogFileCleared></UserData></Event>"), WINEVT_OK);
	ck_assert_str_eq(str("event.data.SubjectUserName"), "jwrig");
	ck_assert_str_eq(str("event.data.Leaf"), "v");
	ck_assert_ptr_null(event_get(&ev, "event.data.Nested"));
	teardown();
	ck_assert_int_eq(map(NS SYS("1035", "") "<EventData><Data>a &amp; b</Data><Data> 007 </Data>"
			     "<Binary>0A0B</Binary></EventData><RenderingInfo><Message>Hello\nworld</Message>"
			     "</RenderingInfo></Event>"), WINEVT_OK);
	ck_assert_str_eq(str("event.data.1"), "a & b");
	ck_assert_str_eq(str("event.data.2"), " 007 ");  /* kept as written */
	ck_assert_str_eq(str("event.data.Binary"), "0A0B");
	ck_assert_str_eq(str("event.message"), "Hello\nworld");
	ck_assert_str_eq(ev.msg, "Security 1035 Microsoft-Windows-Security-Auditing on EX01: Hello");
}
END_TEST

START_TEST(malformed_events)
{
	ck_assert_int_eq(map(NS "<System><EventID>x</EventID><TimeCreated SystemTime='2024-01-01T00:00:00Z'/>"
			     "</System></Event>"), WINEVT_BAD);
	ck_assert_str_eq(w.xml_err, "event without a valid <EventID> ('x')");
	teardown();
	ck_assert_int_eq(map(NS "<System><EventID>70000</EventID><TimeCreated SystemTime='2024-01-01T00:00:00Z'/>"
			     "</System></Event>"), WINEVT_BAD);
	teardown();
	ck_assert_int_eq(map(NS "<System><EventID>1</EventID></System></Event>"), WINEVT_BAD);
	ck_assert_str_eq(w.xml_err, "event 1 without a valid TimeCreated/@SystemTime ('')");
	teardown();
	ck_assert_int_eq(map(NS SYS("1", "") "<EventData><Data Name='a'>x</Data>"), WINEVT_XML_ERROR);
}
END_TEST

START_TEST(depth_refused)
{
	char xml[1024] = NS SYS("1", "") "<UserData>";
	for (int i = 0; i < 20; i++)
		strcat(xml, "<a>");
	ck_assert_int_eq(map(xml), WINEVT_REFUSED);
	ck_assert_msg(strstr(w.xml_err, "nested deeper than 16 levels"), "%s", w.xml_err);
}
END_TEST

START_TEST(time_parsing)
{
	int64_t ns;
	ck_assert(winevt_parse_time("2024-01-07T08:14:02.3117503Z", 28, &ns));
	ck_assert_int_eq(ns, 1704615242311750300LL);
	ck_assert(winevt_parse_time("2016-06-29T15:24:34.346000000Z", 30, &ns));
	ck_assert_int_eq(ns % NS_PER_SEC, 346000000);
	ck_assert(winevt_parse_time("2024-01-07T08:14:02Z", 20, &ns));
	ck_assert_int_eq(ns, 1704615242LL * NS_PER_SEC);
	ck_assert(winevt_parse_time("2024-01-07T08:14:02.5+00:00", 27, &ns));
	ck_assert(winevt_parse_time("2024-01-07T08:14:02", 19, &ns));
	ck_assert(!winevt_parse_time("2024-01-07T08:14:02+01:00", 25, &ns));
	ck_assert(!winevt_parse_time("2024-13-07T08:14:02Z", 20, &ns));
	ck_assert(!winevt_parse_time("2024-01-07T08:14:02.Z", 21, &ns));
	ck_assert(!winevt_parse_time("yesterday", 9, &ns));
}
END_TEST

/* Every id has a name in the table and bsearch finds that name again (a name
 * out of order would be missed); others and near misses are WN_OTHER. */
START_TEST(name_ids)
{
	for (int id = WN_OTHER + 1; id < WN_COUNT; id++) {
		const char *name = winevt_name_text((enum winevt_name)id);
		ck_assert_msg(name != NULL, "id %d has no name", id);
		ck_assert_msg(winevt_name_id(name) == (enum winevt_name)id, "%s", name);
	}
	ck_assert_ptr_null(winevt_name_text(WN_OTHER));
	ck_assert_int_eq(winevt_name_id("data"), WN_OTHER);
	ck_assert_int_eq(winevt_name_id("Systems"), WN_OTHER);
	ck_assert_int_eq(winevt_name_id(""), WN_OTHER);
	ck_assert_int_eq(winevt_name_id("Event"), WN_OTHER);
}
END_TEST

static Suite *winevt_suite(void)
{
	Suite *s = suite_create("winevt");
	TCase *tc = tcase_create("map");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, system_fields);
	tcase_add_test(tc, wfp_flow_and_typed_data);
	tcase_add_test(tc, logon_partial_flow);
	tcase_add_test(tc, logon_without_address);
	tcase_add_test(tc, sysmon_udp_flow);
	tcase_add_test(tc, userdata_unnamed_binary_message);
	tcase_add_test(tc, malformed_events);
	tcase_add_test(tc, depth_refused);
	tcase_add_test(tc, time_parsing);
	tcase_add_test(tc, name_ids);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(winevt_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
