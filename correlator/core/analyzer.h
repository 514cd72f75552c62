/*
 * correlator/core/analyzer.h - the interface of the built-in analyzers (tcp, udp,
 * esp, dns, arp, path). They see every event of the merged timeline in time
 * order and emit analysis events onto it, each citing the record it flags.
 *
 * Order guarantees, per input event E at time t:
 *   1. every analyzer's tick(t) runs (timers due at or before t emit first),
 *   2. the sinks (writers, rule engine) receive E,
 *   3. every analyzer's event(E) runs; what it emits reaches the sinks at once,
 *      so a packet is followed by its own analysis events.
 * At the end of input, finish() flushes open state (session summaries,
 * unanswered requests). Emitted events are borrowed by the sinks for the call.
 * Does not: read files or write reports.
 */
#ifndef CORRELATOR_ANALYZER_H
#define CORRELATOR_ANALYZER_H

#include <stdint.h>

#include "event.h"

struct run;
struct emit;

/* Hand an analysis event to the sinks now (sets EV_ANALYSIS). */
void emit_event(struct emit *out, struct event *ev);

/* Start an analysis event about cause: same time, source, file, ref, flow and
 * session. The caller adds fields and a msg. */
void analysis_init(struct event *ev, const struct event *cause, const char *type);

struct analyzer {
	const char *name;
	const char *emits;    /* the type families of the events it emits, space-separated
	                         ("tcp": tcp.*), so rules that need them are not skipped */
	const char *summary;
	void *(*create)(const struct run *run);
	void (*event)(void *st, const struct event *ev, struct emit *out);
	void (*tick)(void *st, int64_t now, struct emit *out);  /* may be NULL */
	void (*finish)(void *st, struct emit *out);               /* may be NULL */
	void (*destroy)(void *st);
};

/* NULL-terminated, in the order they run. */
extern const struct analyzer *const analyzer_table[];

#endif
