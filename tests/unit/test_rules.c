/*
 * tests/unit/test_rules.c - the rule language: tokens (units, addresses,
 * networks, regexes), the parser and its error recovery, the checker's
 * messages, every operator of the evaluator (comparisons, in, CIDR, regex
 * with its match limit, exists, and/or/not, arithmetic on times), and the
 * engine: sequences with step references and window expiry, absence at the
 * end of input, sliding thresholds, the key cap, derived events.
 */
#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../../correlator/core/arena.h"
#include "../../correlator/rulelang/rule_ast.h"
#include "../../correlator/rulelang/rule_engine.h"
#include "../../correlator/core/util.h"

#define SEC NS_PER_SEC
#define MS NS_PER_MSEC

/* ---- helpers ---- */

static struct ruleset *load(const char *text, size_t *errors)
{
	struct ruleset *rs = ruleset_new();
	const struct rfile *f = ruleset_add_text(rs, "t.rule", text, strlen(text));
	rule_parse(rs, f);
	rule_check(rs);
	*errors = rs->diags.n;
	return rs;
}

static char *diags(const struct ruleset *rs)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);
	rdiag_print(&rs->diags, m);
	fclose(m);
	return buf;
}

struct got {
	struct finding f[64];
	unsigned n;
};

static void collect(void *ctx, const struct finding *f)
{
	struct got *g = ctx;
	if (g->n < 64)
		g->f[g->n++] = *f;
}

static const char *const labels[] = { "client", "fw" };

struct fixture {
	struct ruleset *rs;
	struct rule_engine *e;
	struct arena store;
	struct got got;
};

static void setup(struct fixture *x, const char *text, size_t max_keys)
{
	size_t errs;
	memset(x, 0, sizeof *x);
	x->rs = load(text, &errs);
	if (errs) {
		char *d = diags(x->rs);
		ck_abort_msg("rule errors: %s", d);
	}
	arena_init(&x->store, 0);
	struct rule_engine_opts o = { .max_keys = max_keys };
	x->e = rule_engine_new(x->rs, labels, 2, &x->store, collect, &x->got, &o);
}

static void teardown(struct fixture *x)
{
	rule_engine_free(x->e);
	ruleset_free(x->rs);
	arena_free(&x->store);
}

static struct event ev;

static struct event *mk(const char *type, int64_t ts, uint64_t ref, uint64_t session)
{
	event_reset(&ev);
	ev.type = type;
	ev.ts = ev.ts_raw = ts;
	ev.ref = ref;
	ev.session = session;
	return &ev;
}

static void addr_field(struct event *e, const char *name, const char *a)
{
	struct addr x;
	ck_assert(addr_parse(a, strlen(a), &x));
	ev_addr(e, name, &x);
}

/* Evaluate one condition against the event ev. */
static bool cond(const char *where, struct event *e)
{
	char text[1024];
	snprintf(text, sizeof text, "rule t\n match [any where %s]\n", where);
	size_t errs;
	struct ruleset *rs = load(text, &errs);
	if (errs) {
		char *d = diags(rs);
		ck_abort_msg("condition '%s': %s", where, d);
	}
	struct arena a;
	arena_init(&a, 0);
	struct got g = { .n = 0 };
	struct rule_engine *en = rule_engine_new(rs, labels, 2, &a, collect, &g, NULL);
	rule_engine_event(en, e);
	rule_engine_finish(en);
	bool r = g.n == 1;
	rule_engine_free(en);
	ruleset_free(rs);
	arena_free(&a);
	return r;
}

/* ---- lexer ---- */

static void lex_all(const char *text, struct rtoken *out, unsigned max, unsigned *n)
{
	struct ruleset *rs = ruleset_new();
	const struct rfile *f = ruleset_add_text(rs, "t", text, strlen(text));
	struct rlex lx;
	rule_lex_init(&lx, rs, f);
	*n = 0;
	do {
		rule_lex_next(&lx, &out[*n]);
	} while (out[(*n)++].kind != RT_EOF && *n < max);
	ruleset_free(rs);
}

START_TEST(lex_units)
{
	struct rtoken t[16];
	unsigned n;
	lex_all("500ms 30s 5m 2h 1.5s 64KB 1MB 0xc0040034 42 # comment\n7", t, 16, &n);
	ck_assert_uint_eq(n, 11);
	ck_assert_int_eq(t[0].kind, RT_DURATION);
	ck_assert_int_eq(t[0].i, 500 * MS);
	ck_assert_int_eq(t[1].i, 30 * SEC);
	ck_assert_int_eq(t[2].i, 300 * SEC);
	ck_assert_int_eq(t[3].i, 7200 * SEC);
	ck_assert_int_eq(t[4].i, 1500 * MS);
	ck_assert_int_eq(t[5].kind, RT_SIZE);
	ck_assert_int_eq(t[5].i, 65536);
	ck_assert_int_eq(t[6].i, 1048576);
	ck_assert_int_eq(t[7].kind, RT_NUMBER);
	ck_assert_int_eq(t[7].i, 0xc0040034);
	ck_assert_int_eq(t[8].i, 42);
	ck_assert_int_eq(t[9].i, 7);   /* the comment is skipped */
	ck_assert_int_eq(t[10].kind, RT_EOF);
}
END_TEST

START_TEST(lex_addresses_and_punctuation)
{
	struct rtoken t[16];
	unsigned n;
	lex_all("10.0.0.0/8 192.0.2.1 2001:db8::1 fe80::/10 == != <= >= < > ~ ! @ ( ) [ ] ,", t, 16, &n);
	ck_assert_int_eq(t[0].kind, RT_CIDR);
	ck_assert_uint_eq(t[0].bits, 8);
	ck_assert_int_eq(t[1].kind, RT_ADDR);
	ck_assert_int_eq(t[2].kind, RT_ADDR);
	ck_assert_uint_eq(t[2].a.family, 6);
	/* "fe80::/10" starts with a letter: a name, then ':' is not a token */
	ck_assert_int_eq(t[3].kind, RT_IDENT);
}
END_TEST

START_TEST(lex_errors)
{
	struct rtoken t[8];
	unsigned n;
	lex_all("5parsecs \"open", t, 8, &n);
	ck_assert_int_eq(t[0].kind, RT_ERROR);
	ck_assert_str_eq(t[0].err, "unknown unit (durations: ns us ms s m h d; sizes: B KB MB GB)");
	ck_assert_int_eq(t[1].kind, RT_ERROR);
	ck_assert_str_eq(t[1].err, "unterminated string");
}
END_TEST

/* ---- parser and checker ---- */

START_TEST(parse_rule_shape)
{
	size_t errs;
	struct ruleset *rs = load("rule r1\n title \"T\"\n severity high\n tags a, b\n"
				  " sequence by flow within 10s\n"
				  "  [tcp.idle where gap >= 30m] as idle\n"
				  "  ![tcp.rst|fw.teardown@fw]\n"
				  "  [fw.drop where drop_ok == 1 or fw.reason ~ /x/i] as drop\n"
				  " report \"{drop.source} {idle.gap}\"\n advice \"A\"\n", &errs);
	ck_assert_uint_eq(errs, 1);   /* drop_ok is no field */
	ck_assert_uint_eq(rs->nrules, 1);
	const struct rule *r = rs->rules[0];
	ck_assert_str_eq(r->name, "r1");
	ck_assert_str_eq(r->title, "T");
	ck_assert_int_eq(r->severity, 3);
	ck_assert_uint_eq(r->ntags, 2);
	ck_assert_int_eq(r->kind, RK_SEQUENCE);
	ck_assert_int_eq(r->key, RKEY_FLOW);
	ck_assert_int_eq(r->within, 10 * SEC);
	ck_assert_uint_eq(r->nsteps, 3);
	ck_assert(r->steps[1].absent);
	ck_assert_str_eq(r->steps[1].label, "fw");
	ck_assert_uint_eq(r->steps[1].nalt, 1);
	ck_assert_str_eq(r->steps[1].alt[0], "fw.teardown");
	ck_assert_str_eq(r->steps[2].name, "drop");
	ck_assert_int_eq(r->steps[2].where->kind, RX_OR);
	char *d = diags(rs);
	ck_assert_str_eq(d, "t.rule:8:18: error: unknown field 'drop_ok'; `correlator rules fields` lists the names\n");
	free(d);
	ruleset_free(rs);
}
END_TEST

START_TEST(parse_keeps_going)
{
	size_t errs;
	struct ruleset *rs = load("rule a\n match [tcp where tcp.len >]\n"
				  "rule b\n match [udp where udp.length > 1s]\n"
				  "rule c\n match [tcp]\n", &errs);
	ck_assert_uint_eq(errs, 2);
	ck_assert_uint_eq(rs->nrules, 2);   /* a is abandoned; b and c are read */
	char *d = diags(rs);
	ck_assert_str_eq(d, "t.rule:2:28: error: expected a field, a value or '(', found ']'\n"
			    "t.rule:4:30: error: type mismatch: 'udp.length' is a number but 1s is a duration\n");
	free(d);
	ruleset_free(rs);
}
END_TEST

START_TEST(check_regex_message)
{
	size_t errs;
	struct ruleset *rs = load("rule a\n match [fw.drop where fw.reason ~ /a(b/]\n", &errs);
	ck_assert_uint_eq(errs, 1);
	char *d = diags(rs);
	ck_assert_str_eq(d, "t.rule:2:39: error: bad regex: missing closing parenthesis (at offset 3)\n");
	free(d);
	ruleset_free(rs);
}
END_TEST

/* ---- evaluator ---- */

START_TEST(eval_comparisons)
{
	struct event *e = mk("tcp", 0, 1, 0);
	ev_int(e, "tcp.len", 100);
	ev_bool(e, "tcp.flags.syn", true);
	ev_cstr(e, "origin", "path");
	ev_dur(e, "gap", 31 * 60 * SEC);
	ck_assert(cond("tcp.len == 100", e));
	ck_assert(!cond("tcp.len != 100", e));
	ck_assert(cond("tcp.len < 101 and tcp.len <= 100 and tcp.len > 99 and tcp.len >= 100", e));
	ck_assert(!cond("tcp.len < 100", e));
	ck_assert(cond("tcp.flags.syn", e));
	ck_assert(cond("tcp.flags.syn == true", e));
	ck_assert(!cond("not tcp.flags.syn", e));
	ck_assert(cond("origin == \"path\"", e));
	ck_assert(cond("gap >= 30m and gap < 2h", e));
	ck_assert(cond("tcp.len >= 64B and tcp.len < 1KB", e));
	/* a missing field: comparisons are false, even != */
	ck_assert(!cond("tcp.seq == 0", e));
	ck_assert(!cond("tcp.seq != 0", e));
	ck_assert(cond("not exists tcp.seq and exists tcp.len", e));
	ck_assert(cond("(tcp.len == 1 or tcp.len == 100) and not (origin == \"peer\")", e));
	ck_assert(cond("type == \"tcp\" and ref == 1", e));
}
END_TEST

START_TEST(eval_in_and_cidr)
{
	struct event *e = mk("tcp", 0, 1, 0);
	addr_field(e, "ip.src", "10.20.30.40");
	addr_field(e, "ip.dst", "2001:db8::5");
	ev_int(e, "tcp.dstport", 443);
	ev_cstr(e, "fw.result.code", "0xc0040034");
	ck_assert(cond("ip.src in 10.0.0.0/8", e));
	ck_assert(cond("ip.src in 10.20.30.0/25", e));
	ck_assert(!cond("ip.src in 10.20.30.128/25", e));
	ck_assert(cond("ip.src in 0.0.0.0/0", e));
	ck_assert(!cond("ip.src in 2001:db8::/32", e));
	ck_assert(cond("ip.dst in 2001:db8::/32", e));
	ck_assert(cond("ip.src in (192.0.2.1, 10.20.30.40)", e));
	ck_assert(cond("ip.src == \"10.20.30.40\"", e));
	ck_assert(cond("ip.src == 10.20.30.40", e));
	ck_assert(cond("tcp.dstport in (80, 443)", e));
	ck_assert(!cond("tcp.dstport not in (80, 443)", e));
	ck_assert(cond("fw.result.code in (\"0xc0040017\", \"0xc0040034\")", e));
}
END_TEST

START_TEST(eval_regex)
{
	struct event *e = mk("fw.drop", 0, 1, 0);
	ev_cstr(e, "fw.reason", "Deny TCP (No Connection) from x");
	addr_field(e, "ip.src", "10.1.2.3");
	ck_assert(cond("fw.reason ~ /no connection/i", e));
	ck_assert(!cond("fw.reason ~ /no connection/", e));
	ck_assert(cond("fw.reason ~ /^Deny/", e));
	ck_assert(cond("ip.src ~ /^10\\.1\\./", e));   /* non-strings are matched as rendered */
	ck_assert(!cond("fw.rule ~ /./", e));
}
END_TEST

START_TEST(eval_regex_limit)
{
	/* catastrophic backtracking stops at the match limit: no match, counted */
	struct fixture x;
	setup(&x, "rule r\n match [any where fw.reason ~ /^(\\w+\\s?)*$/]\n", 0);
	struct event *e = mk("fw.drop", 0, 1, 0);
	ev_cstr(e, "fw.reason", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
	rule_engine_event(x.e, e);
	rule_engine_finish(x.e);
	struct rule_engine_stats st;
	rule_engine_stats(x.e, &st);
	ck_assert_uint_eq(st.findings, 0);
	ck_assert_uint_ge(st.re_errors, 1);
	/* the engine says so in an info finding */
	ck_assert_uint_eq(x.got.n, 1);
	ck_assert_str_eq(x.got.f[0].rule, "rules.engine");
	teardown(&x);
}
END_TEST

/* ---- engine ---- */

static const char seq_rule[] =
	"rule idle_drop\n"
	" severity high\n"
	" sequence by flow within 10s\n"
	"  [tcp.idle where gap >= 30m] as idle\n"
	"  [fw.drop@fw where ts - idle.ts < 2s and fw.reason ~ /no connection/] as drop\n"
	" report \"{drop.source} dropped after {idle.gap} ({drop.ts - idle.ts} later, {drop.source}#{drop.ref})\"\n";

static struct event *idle_ev(int64_t ts, uint64_t ref, uint64_t session)
{
	struct event *e = mk("tcp.idle", ts, ref, session);
	ev_dur(e, "gap", 31 * 60 * SEC);
	return e;
}

static struct event *drop_ev(int64_t ts, uint64_t ref, uint64_t session)
{
	struct event *e = mk("fw.drop", ts, ref, session);
	e->source = 1;
	ev_cstr(e, "fw.reason", "no connection");
	return e;
}

START_TEST(engine_sequence_and_references)
{
	struct fixture x;
	setup(&x, seq_rule, 0);
	rule_engine_event(x.e, idle_ev(100 * SEC, 10, 7));
	rule_engine_event(x.e, drop_ev(101 * SEC, 20, 8));    /* another session */
	rule_engine_event(x.e, drop_ev(101 * SEC + 500 * MS, 21, 7));
	rule_engine_finish(x.e);
	ck_assert_uint_eq(x.got.n, 1);
	const struct finding *f = &x.got.f[0];
	ck_assert_str_eq(f->rule, "idle_drop");
	ck_assert_str_eq(f->message, "fw dropped after 31 min 0 s (1.50 s later, fw#21)");
	ck_assert_uint_eq(f->nevidence, 2);
	ck_assert_uint_eq(f->evidence[0].ref, 10);
	ck_assert_uint_eq(f->evidence[1].ref, 21);
	ck_assert_int_eq(f->ts, 100 * SEC);
	ck_assert_int_eq(f->incident, -1);
	teardown(&x);
}
END_TEST

START_TEST(engine_step_reference_rejects)
{
	struct fixture x;
	setup(&x, seq_rule, 0);
	rule_engine_event(x.e, idle_ev(100 * SEC, 10, 7));
	rule_engine_event(x.e, drop_ev(103 * SEC, 21, 7));    /* 3 s later: ts - idle.ts < 2s fails */
	rule_engine_finish(x.e);
	ck_assert_uint_eq(x.got.n, 0);
	teardown(&x);
}
END_TEST

START_TEST(engine_whole_second_log_follows_its_cause)
{
	/* the drop happened 200 ms after the idle event, but its log stamps
	 * whole seconds: on the timeline it comes first (100.000 < 100.200) */
	struct fixture x;
	setup(&x, seq_rule, 0);
	struct event *drop = drop_ev(100 * SEC, 21, 7);
	drop->flags |= EV_TS_SECONDS;
	rule_engine_event(x.e, drop);
	rule_engine_event(x.e, idle_ev(100 * SEC + 200 * MS, 10, 7));
	ck_assert_uint_eq(x.got.n, 0);     /* held until its second is over */
	rule_engine_event(x.e, idle_ev(101 * SEC, 11, 99));  /* stream passes 101 s */
	ck_assert_uint_eq(x.got.n, 1);
	ck_assert_uint_eq(x.got.f[0].evidence[0].ref, 10);
	ck_assert_uint_eq(x.got.f[0].evidence[1].ref, 21);
	rule_engine_finish(x.e);
	teardown(&x);
}
END_TEST

START_TEST(engine_whole_second_flushed_at_end)
{
	struct fixture x;
	setup(&x, seq_rule, 0);
	struct event *drop = drop_ev(100 * SEC, 21, 7);
	drop->flags |= EV_TS_SECONDS;
	rule_engine_event(x.e, drop);
	rule_engine_event(x.e, idle_ev(100 * SEC + 500 * MS, 10, 7));
	rule_engine_finish(x.e);           /* the input ends inside the second */
	ck_assert_uint_eq(x.got.n, 1);
	teardown(&x);
}
END_TEST

START_TEST(engine_window_expiry)
{
	struct fixture x;
	setup(&x, "rule r\n sequence by flow within 10s\n  [tcp.idle] as a\n  [fw.drop] as b\n", 0);
	rule_engine_event(x.e, idle_ev(100 * SEC, 10, 7));
	rule_engine_event(x.e, drop_ev(110 * SEC + 1, 21, 7));   /* 10 s + 1 ns: expired */
	rule_engine_event(x.e, idle_ev(200 * SEC, 30, 7));
	rule_engine_event(x.e, drop_ev(210 * SEC, 31, 7));       /* exactly 10 s: still in */
	rule_engine_finish(x.e);
	ck_assert_uint_eq(x.got.n, 1);
	ck_assert_uint_eq(x.got.f[0].evidence[0].ref, 30);
	struct rule_engine_stats st;
	rule_engine_stats(x.e, &st);
	ck_assert_uint_eq(st.live_keys, 0);
	teardown(&x);
}
END_TEST

static const char absence_rule[] =
	"rule no_reply\n"
	" sequence by smtp.session within 10m\n"
	"  [smtp.command where smtp.data == \".\"] as eod\n"
	"  ![smtp.reply]\n"
	" report \"{eod.smtp.session}: no reply ({smtp.session})\"\n";

static struct event *smtp_ev(const char *type, int64_t ts, uint64_t ref, const char *sess,
			     const char *data)
{
	struct event *e = mk(type, ts, ref, 0);
	ev_cstr(e, "smtp.session", sess);
	ev_cstr(e, "smtp.data", data);
	return e;
}

START_TEST(engine_absence_at_end_of_input)
{
	struct fixture x;
	setup(&x, absence_rule, 0);
	rule_engine_event(x.e, smtp_ev("smtp.command", 10 * SEC, 5, "S1", "."));
	rule_engine_event(x.e, smtp_ev("smtp.command", 11 * SEC, 6, "S2", "."));
	rule_engine_event(x.e, smtp_ev("smtp.reply", 12 * SEC, 7, "S2", "250 OK"));
	ck_assert_uint_eq(x.got.n, 0);     /* S1's window is still open */
	rule_engine_finish(x.e);           /* the input ends: S1 never got a reply */
	ck_assert_uint_eq(x.got.n, 1);
	ck_assert_str_eq(x.got.f[0].message, "S1: no reply (S1)");
	ck_assert_uint_eq(x.got.f[0].evidence[0].ref, 5);
	teardown(&x);
}
END_TEST

START_TEST(engine_absence_when_window_closes)
{
	struct fixture x;
	setup(&x, absence_rule, 0);
	rule_engine_event(x.e, smtp_ev("smtp.command", 10 * SEC, 5, "S1", "."));
	/* an unrelated event 11 minutes later closes S1's window */
	rule_engine_event(x.e, smtp_ev("smtp.info", 670 * SEC, 9, "S9", "x"));
	ck_assert_uint_eq(x.got.n, 1);
	/* a reply after the window is too late to cancel it */
	rule_engine_event(x.e, smtp_ev("smtp.reply", 671 * SEC, 10, "S1", "250"));
	rule_engine_finish(x.e);
	ck_assert_uint_eq(x.got.n, 1);
	teardown(&x);
}
END_TEST

START_TEST(engine_absence_in_the_middle)
{
	struct fixture x;
	setup(&x, "rule r\n sequence by smtp.session within 1m\n"
		  "  [smtp.command] as a\n  ![smtp.reply]\n  [smtp.disconnect] as b\n", 0);
	rule_engine_event(x.e, smtp_ev("smtp.command", 1 * SEC, 1, "S1", "."));
	rule_engine_event(x.e, smtp_ev("smtp.disconnect", 2 * SEC, 2, "S1", ""));
	rule_engine_event(x.e, smtp_ev("smtp.command", 3 * SEC, 3, "S2", "."));
	rule_engine_event(x.e, smtp_ev("smtp.reply", 4 * SEC, 4, "S2", "250"));
	rule_engine_event(x.e, smtp_ev("smtp.disconnect", 5 * SEC, 5, "S2", ""));
	rule_engine_finish(x.e);
	ck_assert_uint_eq(x.got.n, 1);
	ck_assert_uint_eq(x.got.f[0].evidence[1].ref, 2);
	teardown(&x);
}
END_TEST

static struct event *query(int64_t ts, uint64_t ref, const char *src, const char *name)
{
	struct event *e = mk("dns.query", ts, ref, 0);
	addr_field(e, "ip.src", src);
	ev_cstr(e, "dns.qry.name", name);
	return e;
}

START_TEST(engine_threshold_sliding)
{
	struct fixture x;
	setup(&x, "rule storm\n threshold count >= 3 by ip.src within 1s\n  [dns.query]\n"
		  " report \"{key} {count} {span}\"\n", 0);
	/* two per second for 3 s: never 3 within 1 s */
	for (int i = 0; i < 6; i++)
		rule_engine_event(x.e, query(i * 600 * MS, (uint64_t)i + 1, "10.0.0.1", "a"));
	ck_assert_uint_eq(x.got.n, 0);
	/* then 4 within 300 ms: a burst, reported when it ends */
	for (int i = 0; i < 4; i++)
		rule_engine_event(x.e, query(10 * SEC + i * 100 * MS, (uint64_t)i + 20, "10.0.0.1", "a"));
	ck_assert_uint_eq(x.got.n, 0);
	rule_engine_event(x.e, query(20 * SEC, 40, "10.0.0.2", "a"));   /* closes the quiet burst */
	ck_assert_uint_eq(x.got.n, 1);
	ck_assert_str_eq(x.got.f[0].message, "10.0.0.1 4 300.0 ms");
	ck_assert_uint_eq(x.got.f[0].nevidence, 4);
	ck_assert_uint_eq(x.got.f[0].evidence[0].ref, 20);
	ck_assert_uint_eq(x.got.f[0].evidence[3].ref, 23);
	rule_engine_finish(x.e);
	ck_assert_uint_eq(x.got.n, 1);
	teardown(&x);
}
END_TEST

START_TEST(engine_threshold_distinct)
{
	struct fixture x;
	setup(&x, "rule many\n threshold distinct dns.qry.name >= 3 by ip.src within 1s\n  [dns.query]\n", 0);
	const char *names[] = { "a", "a", "b", "a", "b", "c" };
	for (int i = 0; i < 6; i++)
		rule_engine_event(x.e, query(i * 10 * MS, (uint64_t)i + 1, "10.0.0.1", names[i]));
	rule_engine_finish(x.e);
	ck_assert_uint_eq(x.got.n, 1);
	ck_assert_int_eq(x.got.f[0].fields[0].v.u.i, 3);
	teardown(&x);
}
END_TEST

START_TEST(engine_key_cap)
{
	struct fixture x;
	setup(&x, "rule r\n sequence by ip.src within 1m\n  [dns.query] as a\n  [dns.response] as b\n", 2);
	rule_engine_event(x.e, query(1 * SEC, 1, "10.0.0.1", "a"));
	rule_engine_event(x.e, query(2 * SEC, 2, "10.0.0.2", "a"));
	rule_engine_event(x.e, query(3 * SEC, 3, "10.0.0.3", "a"));   /* 10.0.0.1 is evicted */
	struct event *e = mk("dns.response", 4 * SEC, 4, 0);
	addr_field(e, "ip.src", "10.0.0.1");
	rule_engine_event(x.e, e);
	rule_engine_finish(x.e);
	struct rule_engine_stats st;
	rule_engine_stats(x.e, &st);
	ck_assert_uint_eq(st.evicted, 1);
	ck_assert_uint_eq(st.findings, 0);
	ck_assert_uint_eq(x.got.n, 1);   /* the cap is reported */
	ck_assert_str_eq(x.got.f[0].rule, "rules.engine");
	teardown(&x);
}
END_TEST

START_TEST(engine_derived_events)
{
	struct fixture x;
	setup(&x, "rule one\n match [tcp.rst where origin == \"path\"]\n report \"{origin}\"\n"
		  "rule two\n threshold count >= 2 by flow within 1m\n  [rule.one]\n report \"{count}\"\n", 0);
	for (int i = 0; i < 2; i++) {
		struct event *e = mk("tcp.rst", (i + 1) * SEC, (uint64_t)i + 1, 5);
		ev_cstr(e, "origin", "path");
		rule_engine_event(x.e, e);
	}
	rule_engine_finish(x.e);
	ck_assert_uint_eq(x.got.n, 3);
	ck_assert_str_eq(x.got.f[2].rule, "two");
	ck_assert_str_eq(x.got.f[2].message, "2");
	teardown(&x);
}
END_TEST

/* ---- hostile rule text ---- */

START_TEST(hostile_truncations)
{
	/* every shipped file cut at every third byte: errors, never a crash */
	DIR *d = opendir("rules");
	ck_assert_ptr_nonnull(d);
	struct dirent *de;
	unsigned files = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".rule"))
			continue;
		char path[512];
		snprintf(path, sizeof path, "rules/%s", de->d_name);
		FILE *f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		static char buf[65536];
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		for (size_t cut = 0; cut <= n; cut += cut < n && cut + 3 > n ? n - cut : 3) {
			struct ruleset *rs = ruleset_new();
			const struct rfile *rf = ruleset_add_text(rs, path, buf, cut);
			rule_parse(rs, rf);
			rule_check(rs);
			if (cut == n)
				ck_assert_msg(rs->diags.n == 0, "%s has errors", path);
			ruleset_free(rs);
			if (cut == n)
				break;
		}
		files++;
	}
	closedir(d);
	ck_assert_uint_ge(files, 13);
}
END_TEST

START_TEST(hostile_nesting)
{
	static char text[40000];
	size_t o = (size_t)snprintf(text, sizeof text, "rule deep\n match [tcp where ");
	for (int i = 0; i < 10000; i++)
		text[o++] = '(';
	memcpy(text + o, "tcp.len", 7);
	o += 7;
	text[o] = '\0';
	size_t errs;
	struct ruleset *rs = load(text, &errs);
	ck_assert_uint_eq(errs, 1);
	ck_assert_str_eq(rs->diags.v[0].msg, "expression nested too deeply");
	ruleset_free(rs);
	o = (size_t)snprintf(text, sizeof text, "rule deep\n match [tcp where ");
	for (int i = 0; i < 5000; i++) {
		memcpy(text + o, "not ", 4);
		o += 4;
	}
	memcpy(text + o, "tcp.len]\n", 10);
	rs = load(text, &errs);
	ck_assert_uint_eq(errs, 1);
	ck_assert_str_eq(rs->diags.v[0].msg, "expression nested too deeply");
	ruleset_free(rs);
	/* a flat chain is bounded too: the checker and evaluator recurse on it */
	o = (size_t)snprintf(text, sizeof text, "rule long\n match [tcp where tcp.len");
	for (int i = 0; i < 5000 && o + 20 < sizeof text; i++) {
		memcpy(text + o, " or tcp.len", 11);
		o += 11;
	}
	memcpy(text + o, "]\n", 3);
	rs = load(text, &errs);
	ck_assert_uint_eq(errs, 1);
	ck_assert_str_eq(rs->diags.v[0].msg, "rule too long (more than 4096 terms)");
	ruleset_free(rs);
}
END_TEST

START_TEST(engine_quiet_rule_only_derives)
{
	struct fixture x;
	setup(&x, "rule one\n quiet\n match [tcp.rst where origin == \"path\"]\n"
		  "rule two\n threshold count >= 2 by flow within 1m\n  [rule.one]\n", 0);
	for (int i = 0; i < 2; i++) {
		struct event *e = mk("tcp.rst", (i + 1) * SEC, (uint64_t)i + 1, 5);
		ev_cstr(e, "origin", "path");
		rule_engine_event(x.e, e);
	}
	rule_engine_finish(x.e);
	ck_assert_uint_eq(x.got.n, 1);
	ck_assert_str_eq(x.got.f[0].rule, "two");
	teardown(&x);
}
END_TEST

static Suite *make_rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *t = tcase_create("lex");
	tcase_add_test(t, lex_units);
	tcase_add_test(t, lex_addresses_and_punctuation);
	tcase_add_test(t, lex_errors);
	suite_add_tcase(s, t);
	t = tcase_create("parse");
	tcase_add_test(t, parse_rule_shape);
	tcase_add_test(t, parse_keeps_going);
	tcase_add_test(t, check_regex_message);
	suite_add_tcase(s, t);
	t = tcase_create("eval");
	tcase_add_test(t, eval_comparisons);
	tcase_add_test(t, eval_in_and_cidr);
	tcase_add_test(t, eval_regex);
	tcase_add_test(t, eval_regex_limit);
	suite_add_tcase(s, t);
	t = tcase_create("engine");
	tcase_add_test(t, engine_sequence_and_references);
	tcase_add_test(t, engine_step_reference_rejects);
	tcase_add_test(t, engine_window_expiry);
	tcase_add_test(t, engine_whole_second_log_follows_its_cause);
	tcase_add_test(t, engine_whole_second_flushed_at_end);
	tcase_add_test(t, engine_absence_at_end_of_input);
	tcase_add_test(t, engine_absence_when_window_closes);
	tcase_add_test(t, engine_absence_in_the_middle);
	tcase_add_test(t, engine_threshold_sliding);
	tcase_add_test(t, engine_threshold_distinct);
	tcase_add_test(t, engine_key_cap);
	tcase_add_test(t, engine_derived_events);
	tcase_add_test(t, engine_quiet_rule_only_derives);
	suite_add_tcase(s, t);
	t = tcase_create("hostile");
	tcase_add_test(t, hostile_truncations);
	tcase_add_test(t, hostile_nesting);
	tcase_set_timeout(t, 60);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_rules_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
