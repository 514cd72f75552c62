/*
 * tests/fuzz/fuzz_rules.c - fuzz target for the rule language: the bytes are
 * one rule file, loaded and checked exactly as `correlator rules check` does
 * (lexer, parser, name/type checker, regex and template compilation), the
 * diagnostics formatted; a set that checks clean then runs in the rule engine
 * over a few synthetic events of several types (tcp, fw.drop, smtp) so
 * conditions, regexes, templates, windows and derived events execute.
 * Does not: fuzz the event readers (fuzz_parser.c does).
 * Built two ways like fuzz_parser.c: libFuzzer (`make fuzz`) and a replay
 * program over the seeds and tests/fuzz/regress/rules/ (`make fuzz-replay`).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../correlator/core/arena.h"
#include "../../correlator/core/event.h"
#include "../../correlator/rulelang/finding.h"
#include "../../correlator/rulelang/rule_ast.h"
#include "../../correlator/rulelang/rule_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned nfound;

static void on_finding(void *ctx, const struct finding *f)
{
	(void)ctx;
	if (f->message && f->message[0])
		nfound++;
}

static void feed(struct rule_engine *e)
{
	static struct event ev;
	static const char *const types[] = { "tcp", "fw.drop", "smtp.command", "tcp.retransmission",
					     "smtp.reply", "tcp.rst" };
	static const uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 198, 51, 100, 7 };
	for (unsigned i = 0; i < 24; i++) {
		memset(&ev, 0, sizeof ev);
		event_reset(&ev);
		ev.ts = ev.ts_raw = 1700000000000000000LL + (int64_t)i * 700000000LL;
		ev.ref = i + 1;
		ev.source = (uint16_t)(i & 1);
		ev.type = types[i % (sizeof types / sizeof *types)];
		ev.flags = EV_HAS_FLOW;
		addr_v4(&ev.flow.src, (i & 1) ? a : b);
		addr_v4(&ev.flow.dst, (i & 1) ? b : a);
		ev.flow.sport = (uint16_t)(40000 + (i % 3));
		ev.flow.dport = (i % 4) ? 25 : 443;
		ev.flow.proto = 6;
		ev_int(&ev, "tcp.seq", (int64_t)i * 1000);
		ev_str(&ev, "smtp.data", "MAIL FROM:<a@example.org>", 25);
		ev_int(&ev, "smtp.code", (i % 2) ? 250 : 421);
		ev_cstr(&ev, "smtp.session", (i % 3) ? "S1" : "S2");
		ev_dur(&ev, "tcp.gap", (int64_t)i * 1000000);
		rule_engine_event(e, &ev);
	}
	rule_engine_finish(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs = ruleset_new();
	const struct rfile *f = ruleset_add_text(rs, "fuzz.rule", (const char *)data, size);
	rule_parse(rs, f);
	rule_check(rs);
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull) {
		rdiag_print(&rs->diags, devnull);
		fclose(devnull);
	}
	if (!rs->diags.n) {
		static const char *const labels[] = { "a", "b" };
		struct arena store;
		arena_init(&store, 1 << 16);
		struct rule_engine_opts o = { .max_keys = 16, .max_findings = 32 };
		struct rule_engine *e = rule_engine_new(rs, labels, 2, &store, on_finding, NULL, &o);
		feed(e);
		rule_engine_free(e);
		arena_free(&store);
	}
	ruleset_free(rs);
	return 0;
}

#ifndef FUZZ_LIBFUZZER
#define FUZZ_REPLAY_NAME "rules"
#include "replay_main.h"
#endif
