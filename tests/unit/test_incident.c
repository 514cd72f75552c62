/*
 * tests/unit/test_incident.c - grouping findings into incidents (shared
 * session, host pair, time window; transitivity), causal order inside an
 * incident, incident order, summaries, and the synthetic sample's grouping.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "report_fixture.h"
#include "../../correlator/core/util.h"

static struct run run;
static struct report rep;
static struct evidence evs[32][4];
static unsigned nf;

static void setup(void)
{
	memset(&run, 0, sizeof run);
	arena_init(&run.store, 0);
	static const char *const p[] = { "/x/a.pcap" };
	fixture_source(&run, "a", "pcap", p, 1);
	report_init(&rep, &run, NULL);
	nf = 0;
}

static void teardown(void)
{
	report_fini(&rep);
	for (size_t i = 0; i < run.nsources; i++)
		source_free(run.sources[i]);
	free(run.sources);
	arena_free(&run.store);
}

/* A finding with one evidence entry. */
static void add(const char *rule, enum severity sev, int64_t ts, const char *type,
		uint64_t session, const char *flow)
{
	evs[nf][0] = fixture_evidence(0, 0, nf + 1, ts, type, rule, session, flow);
	struct finding f = { .rule = rule, .title = rule, .severity = sev, .message = "m",
			     .ts = ts, .session = 0, .evidence = evs[nf], .nevidence = 1,
			     .incident = -1 };
	nf++;
	report_add_finding(&rep, &f);
}

#define T(s) fixture_time(10, 0, 0, 0) + (int64_t)(s) * NS_PER_SEC

START_TEST(same_session_far_apart)
{
	add("a", SEV_LOW, T(0), "tcp", 5, "10.0.0.1:1000>10.0.0.2:80");
	add("b", SEV_LOW, T(3600), "tcp", 5, "192.168.0.1:2000>192.168.0.2:443");
	incident_group(&rep);
	ck_assert_uint_eq(rep.nincidents, 1);
	ck_assert_int_eq(rep.findings[0].incident, 0);
	ck_assert_int_eq(rep.findings[1].incident, 0);
}
END_TEST

START_TEST(same_host_pair_either_direction)
{
	add("a", SEV_LOW, T(0), "tcp", 0, "10.0.0.1:1000>10.0.0.2:80");
	add("b", SEV_LOW, T(600), "tcp", 0, "10.0.0.2:8080>10.0.0.1:2000");
	add("c", SEV_LOW, T(1200), "tcp", 0, "10.0.0.1:1000>10.0.0.3:80");
	incident_group(&rep);
	ck_assert_uint_eq(rep.nincidents, 2);
	ck_assert_int_eq(rep.findings[0].incident, rep.findings[1].incident);
	ck_assert_int_ne(rep.findings[0].incident, rep.findings[2].incident);
}
END_TEST

START_TEST(time_window)
{
	add("a", SEV_LOW, T(0), "fw.drop", 0, NULL);
	evs[0][0].ts += 0;
	add("b", SEV_LOW, T(0) + 900 * NS_PER_MSEC, "smtp.reply", 0, NULL);
	add("c", SEV_LOW, T(3), "win.event", 0, NULL);
	incident_group(&rep);
	ck_assert_uint_eq(rep.nincidents, 2);
	ck_assert_int_eq(rep.findings[0].incident, rep.findings[1].incident);
	ck_assert_int_ne(rep.findings[1].incident, rep.findings[2].incident);
}
END_TEST

START_TEST(transitive)
{
	/* a~b by session, b~c by host pair: one incident */
	add("a", SEV_LOW, T(0), "tcp", 9, NULL);
	add("b", SEV_LOW, T(100), "tcp", 9, "10.0.0.1:1>10.0.0.2:2");
	add("c", SEV_LOW, T(200), "tcp", 0, "10.0.0.2:3>10.0.0.1:4");
	add("d", SEV_LOW, T(300), "tcp", 10, "10.9.9.9:3>10.8.8.8:4");
	incident_group(&rep);
	ck_assert_uint_eq(rep.nincidents, 2);
	ck_assert_uint_eq(rep.incidents[0].nfindings, 3);
	ck_assert_uint_eq(rep.incidents[1].nfindings, 1);
}
END_TEST

START_TEST(cause_first)
{
	/* added and timed in the reverse of the causal order */
	add("client_retrans", SEV_MEDIUM, T(0), "tcp.retransmission", 7, NULL);
	add("fw_dropped", SEV_HIGH, T(0) + 100, "fw.drop", 7, NULL);
	add("synack_changed", SEV_HIGH, T(0) + 200, "path.modified", 7, NULL);
	add("reset", SEV_LOW, T(0) + 50, "tcp.rst", 7, NULL);
	add("retrans_later", SEV_MEDIUM, T(0) + 300, "tcp.retransmission", 7, NULL);
	incident_group(&rep);
	ck_assert_uint_eq(rep.nincidents, 1);
	const struct incident *inc = &rep.incidents[0];
	ck_assert_uint_eq(inc->nfindings, 5);
	ck_assert_str_eq(rep.findings[inc->findings[0]].rule, "synack_changed");
	ck_assert_str_eq(rep.findings[inc->findings[1]].rule, "fw_dropped");
	ck_assert_str_eq(rep.findings[inc->findings[2]].rule, "client_retrans");
	ck_assert_str_eq(rep.findings[inc->findings[3]].rule, "retrans_later");
	ck_assert_str_eq(rep.findings[inc->findings[4]].rule, "reset");
	ck_assert_str_eq(inc->title, "synack_changed");
	ck_assert_int_eq(inc->severity, SEV_HIGH);
	ck_assert_int_eq(inc->first_ts, T(0));
	ck_assert_int_eq(inc->last_ts, T(0) + 300);
}
END_TEST

START_TEST(rank_table)
{
	ck_assert_int_eq(incident_type_rank("path.modified"), 10);
	ck_assert_int_eq(incident_type_rank("tcp.handshake.ack_mismatch"), 10);
	ck_assert_int_eq(incident_type_rank("path.lost"), 20);
	ck_assert_int_eq(incident_type_rank("fw.drop"), 30);
	ck_assert_int_eq(incident_type_rank("tcp.zero_window"), 40);
	ck_assert_int_eq(incident_type_rank("tcp.retransmission"), 50);
	ck_assert_int_eq(incident_type_rank("tcp.rst"), 60);
	ck_assert_int_eq(incident_type_rank("dns.query"), 100);
	ck_assert_int_eq(incident_type_rank("pathology"), 100);  /* dotted prefix only */
	ck_assert_int_eq(incident_type_rank(NULL), 100);
	/* no evidence: the rule name decides ('_' read as '.') */
	struct finding f = { .rule = "fw_drop_idle", .title = "t", .message = "m", .incident = -1 };
	ck_assert_int_eq(incident_rank(&f), 30);
}
END_TEST

START_TEST(incidents_by_severity_then_time)
{
	add("low_first", SEV_LOW, T(0), "tcp", 1, NULL);
	add("high_later", SEV_HIGH, T(100), "tcp", 2, NULL);
	add("low_later", SEV_LOW, T(200), "tcp", 3, NULL);
	incident_group(&rep);
	ck_assert_uint_eq(rep.nincidents, 3);
	ck_assert_str_eq(rep.incidents[0].title, "high_later");
	ck_assert_str_eq(rep.incidents[1].title, "low_first");
	ck_assert_str_eq(rep.incidents[2].title, "low_later");
	ck_assert_int_eq(rep.findings[1].incident, 0);
	ck_assert_int_eq(rep.findings[0].incident, 1);
}
END_TEST

START_TEST(summary_counts_repeats)
{
	/* retransmissions rank before plain packets: they are the cause here */
	add("stall", SEV_INFO, T(0), "tcp", 4, NULL);
	add("stall", SEV_INFO, T(1), "tcp", 4, NULL);
	add("stall", SEV_INFO, T(2), "tcp", 4, NULL);
	add("retrans", SEV_INFO, T(3), "tcp.retransmission", 4, NULL);
	add("retrans", SEV_INFO, T(4), "tcp.retransmission", 4, NULL);
	incident_group(&rep);
	ck_assert_uint_eq(rep.nincidents, 1);
	const char *s = rep.incidents[0].summary;
	ck_assert_msg(strstr(s, "What happened: retrans: m. Found 2 times. Then: stall (3 times). Where: ")
		      != NULL, "%s", s);
	ck_assert_ptr_null(strstr(s, "What to do"));
}
END_TEST

#define MANY 20000

START_TEST(many_findings_linear)
{
	/* 20000 findings, 2 s apart, each its own session and host pair except
	 * that every pair of consecutive findings (2k, 2k+1) shares a session:
	 * 10000 incidents of 2. Quadratic grouping would take minutes here. */
	struct evidence *e = arena_alloc(&run.store, MANY * sizeof *e);
	for (unsigned i = 0; i < MANY; i++) {
		char flow[64];
		snprintf(flow, sizeof flow, "10.%u.%u.1:1000>10.%u.%u.2:80", i >> 8 & 255, i & 255,
			 i >> 8 & 255, i & 255);
		e[i] = fixture_evidence(0, 0, i + 1, T(2 * (int64_t)i), "tcp", "x", 1 + i / 2, flow);
		if (i % 2)
			e[i].flow.src.b[1] ^= 0x80;  /* other hosts: only the session links */
		struct finding f = { .rule = "r", .title = "t", .message = "m", .ts = e[i].ts,
				     .evidence = &e[i], .nevidence = 1, .incident = -1 };
		report_add_finding(&rep, &f);
	}
	incident_group(&rep);
	ck_assert_uint_eq(rep.nincidents, MANY / 2);
	for (unsigned i = 0; i < MANY; i += 2)
		ck_assert_int_eq(rep.findings[i].incident, rep.findings[i + 1].incident);
	ck_assert_int_ne(rep.findings[0].incident, rep.findings[2].incident);
}
END_TEST

START_TEST(no_findings)
{
	incident_group(&rep);
	ck_assert_uint_eq(rep.nincidents, 0);
	ck_assert_ptr_null(rep.incidents);
}
END_TEST

START_TEST(sample_grouping_and_summary)
{
	struct fixture fx;
	fixture_init(&fx);
	incident_group(&fx.rep);
	ck_assert_uint_eq(fx.rep.nincidents, 2);
	const struct incident *inc = &fx.rep.incidents[0];
	ck_assert_uint_eq(inc->nfindings, 3);
	ck_assert_str_eq(fx.rep.findings[inc->findings[0]].rule, "path_modified_synack");
	ck_assert_str_eq(fx.rep.findings[inc->findings[1]].rule, "fw_drop_after_synack");
	ck_assert_str_eq(fx.rep.findings[inc->findings[2]].rule, "tcp_retrans_then_reset");
	ck_assert_int_eq(inc->severity, SEV_HIGH);
	ck_assert_ptr_nonnull(strstr(inc->summary, "What happened: SYN-ACK modified in the path: "
					     "The SYN-ACK left the firewall"));
	ck_assert_ptr_nonnull(strstr(inc->summary, "Then: Firewall dropped the handshake ACK; "
					     "Client retransmits its ClientHello, then resets."));
	ck_assert_ptr_nonnull(strstr(inc->summary, "seen at fw-in, client, fw-out, tmg"));
	ck_assert_ptr_nonnull(strstr(inc->summary, "What to do: Look for a device"));
	ck_assert_str_eq(fx.rep.incidents[1].title, "SMTP relay gave no reply after the message body");
	/* regrouping gives the same result */
	incident_group(&fx.rep);
	ck_assert_uint_eq(fx.rep.nincidents, 2);
	ck_assert_uint_eq(fx.rep.incidents[0].nfindings, 3);
	fixture_free(&fx);
}
END_TEST

static Suite *make_incident_suite(void)
{
	Suite *s = suite_create("incident");
	TCase *g = tcase_create("grouping");
	tcase_add_checked_fixture(g, setup, teardown);
	tcase_add_test(g, same_session_far_apart);
	tcase_add_test(g, same_host_pair_either_direction);
	tcase_add_test(g, time_window);
	tcase_add_test(g, transitive);
	tcase_add_test(g, no_findings);
	tcase_add_test(g, many_findings_linear);
	tcase_set_timeout(g, 30);  /* the sanitizer build on a loaded machine */
	suite_add_tcase(s, g);
	TCase *o = tcase_create("ordering");
	tcase_add_checked_fixture(o, setup, teardown);
	tcase_add_test(o, cause_first);
	tcase_add_test(o, rank_table);
	tcase_add_test(o, incidents_by_severity_then_time);
	tcase_add_test(o, summary_counts_repeats);
	suite_add_tcase(s, o);
	TCase *x = tcase_create("sample");
	tcase_add_test(x, sample_grouping_and_summary);
	suite_add_tcase(s, x);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_incident_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
