/*
 * correlator/core/pipeline.c - the streaming pass (see pipeline.h and analyzer.h).
 */
#include "pipeline.h"
#include "analyzer.h"
#include "readers.h"
#include "run.h"
#include "sessions.h"
#include "source.h"
#include "timeline.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct emit {
	const struct sink *sinks;
	unsigned nsinks;
	struct sessions *sessions;
};

void emit_event(struct emit *out, struct event *ev)
{
	ev->flags |= EV_ANALYSIS;
	for (unsigned i = 0; i < out->nsinks; i++)
		out->sinks[i].event(out->sinks[i].ctx, ev);
}

struct emit *emit_new(const struct sink *sinks, unsigned nsinks)
{
	struct emit *out = xcalloc(1, sizeof *out);
	out->sinks = sinks;
	out->nsinks = nsinks;
	return out;
}

void emit_free(struct emit *out)
{
	free(out);
}

void analysis_init(struct event *ev, const struct event *cause, const char *type)
{
	event_reset(ev);
	ev->type = type;
	ev->ts = cause->ts;
	ev->ts_raw = cause->ts_raw;
	ev->source = cause->source;
	ev->file = cause->file;
	ev->ref = cause->ref;
	ev->session = cause->session;
	if (cause->flags & EV_HAS_FLOW) {
		ev->flags |= EV_HAS_FLOW;
		ev->flow = cause->flow;
	}
}

/* ---- progress on stderr ---- */

struct progress {
	bool on;
	uint64_t total;
	double start, last;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t bytes_read(const struct run *run, const struct readers *rd)
{
	uint64_t b = 0;
	for (size_t i = 0; i < run->nsources; i++) {
		if (readers_has(rd, i))
			b += readers_bytes(rd, i);  /* the reader thread's own counters are its */
		else
			b += run->sources[i]->bytes_done + run->sources[i]->bytes_cur;
	}
	return b;
}

static void progress_tick(struct progress *p, const struct run *run, const struct readers *rd,
			  bool final)
{
	double t = now_s();
	if (!final && t - p->last < 0.5)
		return;
	p->last = t;
	uint64_t done = bytes_read(run, rd);
	double el = t - p->start, rate = el > 0 ? (double)done / el : 0;
	double eta = rate > 0 && p->total > done ? (double)(p->total - done) / rate : 0;
	fprintf(stderr, "\rcorrelator: %.1f / %.1f MB (%.0f%%), %.1f MB/s, ETA %d:%02d   ",
		(double)done / 1e6, (double)p->total / 1e6,
		p->total ? 100.0 * (double)done / (double)p->total : 100.0, rate / 1e6,
		(int)eta / 60, (int)eta % 60);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

void pipeline_run(struct run *run, struct sessions *sessions, const struct sink *sinks,
		  unsigned nsinks, bool with_analyzers)
{
	/* reader threads besides this one: --threads N gives N - 1, capped by the sources */
	unsigned threads = run_threads(run);
	struct readers *rd = readers_start(run->sources, run->nsources, threads > 1 ? threads - 1 : 0);
	struct timeline *tl = timeline_new(run->sources, run->nsources, rd);
	struct emit out = { sinks, nsinks, sessions };
	size_t na = 0;
	void *states[16];
	if (with_analyzers) {
		for (; analyzer_table[na] && na < ARRAY_LEN(states); na++)
			states[na] = analyzer_table[na]->create(run);
	}
	struct progress prog = { 0 };
	for (size_t i = 0; i < run->nsources; i++)
		prog.total += run->sources[i]->bytes_total;
	/* a progress line only where somebody watches and the wait is noticeable */
	prog.on = run->opt.progress && prog.total > 64ull * 1024 * 1024;
	prog.start = prog.last = now_s();

	uint64_t n = 0;
	struct event *ev;
	while ((ev = timeline_next(tl))) {
		for (size_t a = 0; a < na; a++)
			if (analyzer_table[a]->tick)
				analyzer_table[a]->tick(states[a], ev->ts, &out);
		if (sessions)
			sessions_stamp(sessions, ev);
		for (unsigned i = 0; i < nsinks; i++)
			sinks[i].event(sinks[i].ctx, ev);
		for (size_t a = 0; a < na; a++)
			analyzer_table[a]->event(states[a], ev, &out);
		if (prog.on && (++n & 0xffff) == 0)
			progress_tick(&prog, run, rd, false);
	}
	/* every source is at its end: the readers are done with them */
	timeline_free(tl);
	readers_stop(rd);
	for (size_t a = 0; a < na; a++) {
		if (analyzer_table[a]->finish)
			analyzer_table[a]->finish(states[a], &out);
		analyzer_table[a]->destroy(states[a]);
	}
	if (sessions)
		sessions_finish(sessions);
	for (unsigned i = 0; i < nsinks; i++)
		if (sinks[i].finish)
			sinks[i].finish(sinks[i].ctx);
	if (prog.on)
		progress_tick(&prog, run, NULL, true);
}
