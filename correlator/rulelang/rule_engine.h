/*
 * correlator/rulelang/rule_engine.h - runs a checked rule set over the merged timeline
 * as a pipeline sink and hands each conclusion on as a finding.
 *
 *   match      fires on every event that matches its step.
 *   sequence   per key, partial matches advance step by step and expire when
 *              `within` has passed since their first step; an absence step
 *              `![...]` kills the partial when a matching event comes, and a
 *              trailing absence fires when the window closes (or at the end of
 *              input) with nothing seen.
 *   threshold  per key, a sliding window of the last `within`: when the count
 *              (or number of distinct values) reaches N a burst opens; it is
 *              reported once, when no matching event has come for `within`.
 * Time is event time throughout: windows close when a later event (of any
 * kind) arrives, and at the end of input (the sink's finish hook).
 *
 * Memory: per rule at most max_keys live keys (least recently used evicted
 * and counted); a key holds at most one partial per step; findings per rule
 * capped at max_findings. What the caps cost is reported as an info finding
 * "rules.engine" naming the rule.
 * Does not: parse or check rules (rule_*.c), group findings (the report).
 */
#ifndef CORRELATOR_RULE_ENGINE_H
#define CORRELATOR_RULE_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "finding.h"
#include "../core/pipeline.h"

struct arena;
struct ruleset;

struct rule_engine_opts {
	size_t max_keys;        /* live keys (partial matches, windows) per rule; default 100000 */
	size_t max_findings;    /* findings per rule; default 10000 */
	uint32_t match_limit;   /* PCRE2 match limit per regex match; default RULE_RE_MATCH_LIMIT */
	uint32_t depth_limit;   /* PCRE2 depth limit; default RULE_RE_DEPTH_LIMIT */
};

typedef void (*rule_finding_fn)(void *ctx, const struct finding *f);

/* rs must have passed rule_check() and outlive the engine. labels[i] is the
 * label of source i. Findings and everything they point to are allocated in
 * store and handed to cb. Caller owns the engine: free with rule_engine_free(). */
struct rule_engine *rule_engine_new(const struct ruleset *rs, const char *const *labels,
				    size_t nlabels, struct arena *store, rule_finding_fn cb,
				    void *cbctx, const struct rule_engine_opts *opts);
void rule_engine_free(struct rule_engine *e);

/* Run only the rules that can fire on this input. families lists what the
 * run's sources and analyzers can produce, as dotted type families: "tcp"
 * stands for tcp and every tcp.* type, "*" for anything (a replayed timeline).
 * A rule runs when each of its positive steps can match one of them (a
 * rule.NAME step: when rule NAME runs); the others are skipped, each with the
 * reason. Call before the first event; without it every rule runs. */
void rule_engine_plan(struct rule_engine *e, const char *const *families, size_t nfamilies);
/* The rules loaded and which run: "run NAME" or "skip NAME: why", one a line,
 * in load order; returns how many are skipped. */
size_t rule_engine_describe(const struct rule_engine *e, FILE *f);

/* Feed one event (borrowed for the call), or end the input. */
void rule_engine_event(struct rule_engine *e, const struct event *ev);
void rule_engine_finish(struct rule_engine *e);
struct sink rule_engine_sink(struct rule_engine *e);

/* Counters, for tests and the report. */
struct rule_engine_stats {
	uint64_t findings, suppressed, evicted, re_errors;
	size_t live_keys;
};
void rule_engine_stats(const struct rule_engine *e, struct rule_engine_stats *out);

#endif
