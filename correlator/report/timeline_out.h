/*
 * correlator/report/timeline_out.h - the `timeline` subcommand's writers: one line per
 * event, as text for people, JSONL (Timesketch columns message / datetime /
 * timestamp_desc plus ours) or CSV for spreadsheets.
 * Does not: filter or sort (events arrive merged).
 */
#ifndef CORRELATOR_TIMELINE_OUT_H
#define CORRELATOR_TIMELINE_OUT_H

#include <stdio.h>

#include "../core/pipeline.h"

struct run;

enum tl_format { TL_TEXT, TL_JSONL, TL_CSV };

struct timeline_out {
	FILE *f;
	enum tl_format fmt;
	const struct run *run;
	unsigned long long lines;
};

/* A sink writing to out->f; call timeline_out_begin first (CSV header). */
struct sink timeline_out_sink(struct timeline_out *out);
void timeline_out_begin(struct timeline_out *out);

#endif
