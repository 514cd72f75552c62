/*
 * tests/unit/test_rule_plan.c - what the rule engine works out at load:
 * the fields each rule reads (rule_compile.c), which rules a run's event
 * families let fire (rule_engine_plan), and the CLI's table of what each
 * input format gives (every name in it is a real parser).
 * Does not: run rules over events (test_rules.c).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../correlator/cli/cli.h"
#include "../../correlator/core/arena.h"
#include "../../correlator/core/parser.h"
#include "../../correlator/rulelang/rule_ast.h"
#include "../../correlator/rulelang/rule_engine.h"

static struct ruleset *load(const char *text)
{
	struct ruleset *rs = ruleset_new();
	const struct rfile *f = ruleset_add_text(rs, "t.rule", text, strlen(text));
	rule_parse(rs, f);
	rule_check(rs);
	ck_assert_uint_eq(rs->diags.n, 0);
	return rs;
}

static void nop(void *ctx, const struct finding *f) { (void)ctx; (void)f; }

static bool reads(const struct ruleset *rs, const struct rule *r, const char *name)
{
	for (unsigned i = 0; i < r->nreads; i++)
		if (!strcmp(rs->fnames[r->reads[i]], name))
			return true;
	return false;
}

static const char chain[] =
	"rule drop\n title \"d\"\n severity low\n match [fw.drop where fw.reason ~ /x/]\n"
	"  report \"{ip.src} {source}\"\n"
	"rule joined\n title \"j\"\n severity low\n sequence by ip.dst within 1s\n"
	"  [tcp where tcp.len > 0] as a\n [etw where a.ip.ttl > 1] as b\n"
	"  report \"{a.tcp.seq} {b.etw.reason} {flow}\"\n"
	"rule on_drop\n title \"o\"\n severity low\n sequence by flow within 1s\n"
	"  [tcp] as t\n [rule.drop] as d\n"
	"rule burst\n title \"b\"\n severity low\n threshold count >= 2 by host within 1s\n"
	"  [udp where udp.length > 10]\n report \"{count} {udp.dstport}\"\n";

START_TEST(compile_lists_the_fields_read)
{
	struct ruleset *rs = load(chain);
	const struct rule *d = rs->rules[0], *j = rs->rules[1], *b = rs->rules[3];
	ck_assert(reads(rs, d, "fw.reason") && reads(rs, d, "ip.src"));
	ck_assert(!reads(rs, d, "source"));     /* a special, not a field */
	ck_assert(reads(rs, j, "tcp.len") && reads(rs, j, "ip.ttl") && reads(rs, j, "ip.dst"));
	ck_assert(reads(rs, j, "tcp.seq") && reads(rs, j, "etw.reason"));
	ck_assert(!reads(rs, j, "fw.reason"));
	ck_assert(reads(rs, b, "udp.length") && reads(rs, b, "udp.dstport"));
	/* a rule reading no field still keeps what the engine reads itself */
	size_t nengine = 0;
	while (rule_engine_fields[nengine])
		nengine++;
	ck_assert_uint_eq(rs->rules[2]->nreads, nengine);
	for (size_t i = 0; i < nengine; i++)
		ck_assert(reads(rs, rs->rules[2], rule_engine_fields[i]));
	ruleset_free(rs);
}
END_TEST

/* The engine keeps of a bound event only the fields in a rule's reads: every
 * field name the engine and evaluator look up by a literal name must be in
 * rule_engine_fields, or a finding would lose it. */
START_TEST(engine_fields_complete)
{
	static const char *const files[] = { "correlator/rulelang/rule_engine.c",
					     "correlator/rulelang/rule_eval.c", NULL };
	unsigned found = 0;
	for (size_t i = 0; files[i]; i++) {
		FILE *f = fopen(files[i], "r");
		ck_assert_msg(f != NULL, "run from the repository root: %s", files[i]);
		char line[1024];
		while (fgets(line, sizeof line, f)) {
			for (char *p = strstr(line, "event_get"); p; p = strstr(p + 1, "event_get")) {
				char *q = strchr(p, ',');
				if (!q || q[1] != ' ' || q[2] != '"')
					continue;
				char name[128];
				size_t n = strcspn(q + 3, "\"");
				ck_assert(n < sizeof name);
				memcpy(name, q + 3, n);
				name[n] = '\0';
				bool listed = false;
				for (size_t k = 0; rule_engine_fields[k]; k++)
					listed |= !strcmp(rule_engine_fields[k], name);
				ck_assert_msg(listed, "%s reads field '%s', missing in rule_engine_fields", files[i], name);
				found++;
			}
		}
		fclose(f);
	}
	ck_assert_uint_ge(found, 5);
}
END_TEST

static char *plan(const char *const *fam, size_t n)
{
	struct ruleset *rs = load(chain);
	struct arena a;
	arena_init(&a, 0);
	static const char *const labels[] = { "c" };
	struct rule_engine *e = rule_engine_new(rs, labels, 1, &a, nop, NULL, NULL);
	rule_engine_plan(e, fam, n);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	rule_engine_describe(e, m);
	fclose(m);
	rule_engine_free(e);
	ruleset_free(rs);
	arena_free(&a);
	return buf;
}

START_TEST(plan_skips_what_cannot_fire)
{
	static const char *const pcap[] = { "tcp", "udp", "ip" };
	char *got = plan(pcap, 3);
	ck_assert_str_eq(got,
		"skip drop: step 1 [fw.drop] needs events that none of the given sources and analyzers produce\n"
		"skip joined: step 2 [etw] needs events that none of the given sources and analyzers produce\n"
		"skip on_drop: step 2 [rule.drop] needs the findings of a rule that is not run\n"
		"run  burst\n"
		"rules: 4 loaded, 1 run, 3 skipped\n");
	free(got);
	static const char *const more[] = { "tcp", "udp", "fw", "etw" };
	got = plan(more, 4);
	ck_assert_str_eq(got, "run  drop\nrun  joined\nrun  on_drop\nrun  burst\nrules: 4 loaded, 4 run, 0 skipped\n");
	free(got);
	static const char *const any[] = { "*" };
	got = plan(any, 1);
	ck_assert_str_eq(got, "run  drop\nrun  joined\nrun  on_drop\nrun  burst\nrules: 4 loaded, 4 run, 0 skipped\n");
	free(got);
	/* a family under a step's type counts, and a type under a family */
	static const char *const sub[] = { "fw.drop", "etw.tcpip", "tcp", "udp" };
	got = plan(sub, 4);
	ck_assert_str_eq(got, "run  drop\nrun  joined\nrun  on_drop\nrun  burst\nrules: 4 loaded, 4 run, 0 skipped\n");
	free(got);
}
END_TEST

START_TEST(parser_families_name_real_parsers)
{
	/* capture formats give packets; the others may give anything */
	ck_assert_str_eq(cli_parser_families("pcap"), "tcp udp dns esp icmp icmpv6 arp ip frame");
	ck_assert_str_eq(cli_parser_families("jsonl"), "*");
	ck_assert_str_eq(cli_parser_families("etl"), "*");
	ck_assert_str_eq(cli_parser_families(NULL), "*");
	static const char *const declared[] = { "pcap", "pcapng", "netmon", "netmon-text", "tshark", NULL };
	for (size_t i = 0; declared[i]; i++) {
		ck_assert_msg(parser_by_name(declared[i]) != NULL, "no parser %s", declared[i]);
		ck_assert_str_ne(cli_parser_families(declared[i]), "*");
	}
	size_t n = 0;
	for (size_t i = 0; parser_table[i]; i++)
		n += strcmp(cli_parser_families(parser_table[i]->name), "*") != 0;
	ck_assert_uint_eq(n, 5);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rule_plan");
	TCase *t = tcase_create("plan");
	tcase_add_test(t, compile_lists_the_fields_read);
	tcase_add_test(t, engine_fields_complete);
	tcase_add_test(t, plan_skips_what_cannot_fire);
	tcase_add_test(t, parser_families_name_real_parsers);
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
