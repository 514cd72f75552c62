/*
 * correlator/core/pipeline.h - the single streaming pass: timeline merge, session
 * stamping, analyzers, and the sinks that consume the result (timeline writer,
 * rule engine, report). See analyzer.h for the order guarantees.
 * Does not: format anything.
 */
#ifndef CORRELATOR_PIPELINE_H
#define CORRELATOR_PIPELINE_H

#include <stdbool.h>

struct run;
struct event;
struct sessions;

struct sink {
	void *ctx;
	void (*event)(void *ctx, const struct event *ev);
	void (*finish)(void *ctx);  /* may be NULL */
};

#define PIPELINE_MAX_SINKS 8

/* An emitter handing analysis events straight to sinks, for driving one
 * analyzer outside the pass (unit tests, tools). Caller owns it: emit_free(). */
struct emit *emit_new(const struct sink *sinks, unsigned nsinks);
void emit_free(struct emit *out);

/* Run the pass over run's sources, feeding the sinks. sessions may be NULL.
 * with_analyzers false gives the plain merged input. */
void pipeline_run(struct run *run, struct sessions *sessions, const struct sink *sinks,
		  unsigned nsinks, bool with_analyzers);

#endif
