/*
 * correlator/report.h - what `analyze` knows at the end of the pass: the
 * sources and what was read from each, the counts of every event type, the
 * analysis events (first refs of each kind), the sessions, and the findings.
 * It is a sink on the pipeline; the writers (report_text.c, report_json.c,
 * report_md.c, report_html.c) render it.
 * Does not: run rules (rule engine) or group findings (incident.c).
 */
#ifndef CORRELATOR_REPORT_H
#define CORRELATOR_REPORT_H

#include <stdio.h>

#include "finding.h"
#include "pipeline.h"

struct run;
struct sessions;
struct source;

#define REPORT_REFS 12   /* refs kept per analysis type and source */

struct type_count {
	const char *type;      /* owned by the report's arena */
	uint16_t source;
	bool analysis;
	uint64_t count;
	unsigned nrefs;
	uint64_t refs[REPORT_REFS];
	uint16_t files[REPORT_REFS];
};

struct report {
	const struct run *run;
	const struct sessions *sessions;
	struct type_count *types;
	size_t ntypes, captypes;
	struct finding *findings;
	size_t nfindings, capfindings;
	uint64_t events, analysis_events;
	int64_t first_ts, last_ts;
};

void report_init(struct report *r, const struct run *run, const struct sessions *sessions);
void report_fini(struct report *r);
struct sink report_sink(struct report *r);

/* Take a finding; its strings and arrays must live in run->store. */
void report_add_finding(struct report *r, const struct finding *f);

/* Writers. */
void report_write_text(const struct report *r, FILE *f);
void report_write_json(const struct report *r, FILE *f);
void report_write_md(const struct report *r, FILE *f);
void report_write_html(const struct report *r, FILE *f);

/* Helpers shared by the writers. */
const char *report_label(const struct report *r, uint16_t source);
const char *report_source_format(const struct source *s);

#endif
