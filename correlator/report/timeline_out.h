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
struct jbuf;

#define TIMELINE_OUT_BLOCK (256 * 1024)  /* bytes per fwrite of JSONL and CSV */

enum tl_format { TL_TEXT, TL_JSONL, TL_CSV };

struct timeline_out {
	FILE *f;
	enum tl_format fmt;
	const struct run *run;
	unsigned long long lines;
	struct jbuf *block;  /* JSONL, CSV: the output block; freed by the sink's finish */
};

/* A sink writing to out->f; call timeline_out_begin first (output block,
 * CSV header). The sink's finish writes out what is buffered. */
struct sink timeline_out_sink(struct timeline_out *out);
void timeline_out_begin(struct timeline_out *out);

#endif
