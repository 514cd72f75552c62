/*
 * correlator/core/readers.h - reader threads for a run with several sources:
 * each thread reads and decodes its sources (source_next: parser, packet
 * layers, checksums, clock offset) into a bounded queue per source; the main
 * thread takes the events one by one, in the order the timeline merge asks
 * for them, exactly as it would call source_next itself. What a source says
 * while it is read (stderr diagnostics, report notes) travels in the queue
 * and is replayed when the main thread takes the event it came before, so
 * the output is the same as a single-threaded run whatever the timing.
 * Does not: merge (timeline.c) or decide how many threads (pipeline.c).
 * A source's counters (events, skipped, first_ts, ...) belong to its reader
 * until readers_stop(); read them after.
 */
#ifndef CORRELATOR_READERS_H
#define CORRELATOR_READERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct source;
struct event;
struct readers;

/* The threads a run uses by default: 1 (everything on the calling thread)
 * for fewer than two readable sources, else one per source plus the main
 * thread, capped by the CPUs this process may run on. */
unsigned readers_default_threads(size_t readable);

/* Start nthreads reader threads over the readable sources of srcs (dealt
 * round robin in source order). NULL when nthreads is 0 or no source is
 * readable: the caller reads with source_next(). */
struct readers *readers_start(struct source **srcs, size_t n, unsigned nthreads);

/* Whether source i is read by a thread. */
bool readers_has(const struct readers *r, size_t i);

/* Source i's next event, as source_next() would give it; false at its end.
 * *ev stays valid until the next call for the same source. Diagnostics the
 * reader produced before it are printed, and its notes added, first. */
bool readers_next(struct readers *r, size_t i, struct event **ev);

/* Bytes of source i read up to the event last taken (for the progress line). */
uint64_t readers_bytes(const struct readers *r, size_t i);

/* A pre-pass over several sources: source_preread(srcs[i], visit, the i-th
 * ctx of ctx_size bytes in ctxs) for every readable source, on up to nthreads
 * threads (this one included). visit must touch only its own ctx: the
 * sources are read at the same time, each on one thread from start to end. */
void readers_preread(struct source **srcs, size_t n, unsigned nthreads,
		     bool (*visit)(void *ctx, struct event *ev), void *ctxs, size_t ctx_size);

/* Stop and join the threads (also mid-stream), free everything. NULL is fine. */
void readers_stop(struct readers *r);

#endif
