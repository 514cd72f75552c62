/*
 * correlator/core/run.h - what one invocation works with: its sources, its options,
 * and the arena for what it keeps until the report is written.
 * Does not: parse the command line (cli.c) or drive the pass (pipeline.c).
 */
#ifndef CORRELATOR_RUN_H
#define CORRELATOR_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "source.h"

struct path_map;

struct run_options {
	int64_t idle_gap;          /* tcp.idle threshold (--idle-gap), default 5 min */
	int64_t session_timeout;   /* live session forgotten after this long idle */
	size_t max_sessions;       /* live sessions at once (--max-sessions) */
	struct limits limits;
	bool progress;             /* progress line on stderr */
	unsigned retrans_min;      /* tcp.retransmission_exhausted from this many (--retrans-min), default 3 */
	unsigned threads;          /* --threads: 1 reads every source on the main thread;
	                              0 (default) as readers_default_threads() says */
};

struct run {
	struct source **sources;
	size_t nsources;
	struct run_options opt;
	struct arena store;        /* findings, kept events, report rows */
	struct path_map *path_map; /* sessions matched across captures (path pre-pass), or NULL */
};

void run_options_default(struct run_options *o);

/* The sources at least one of whose files could be read (the pre-passes
 * that set one source by another need two). */
size_t run_readable_sources(const struct run *run);

/* The threads the run may use: --threads, or readers_default_threads(). */
unsigned run_threads(const struct run *run);

#endif
