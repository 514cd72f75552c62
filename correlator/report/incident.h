/*
 * correlator/report/incident.h - grouping findings into incidents, ordered cause
 * first, each with a one-paragraph summary (what happened, where, what to do).
 *
 * Two findings join the same incident when they share
 *   1. a session id (finding.session or any evidence's session), or
 *   2. a host pair (the unordered pair of addresses of an evidence flow), or
 *   3. a tight time window: their evidence spans overlap or lie within
 *      INCIDENT_WINDOW of each other.
 * Grouping is transitive (union-find). Within an incident findings are
 * ordered by causal rank (incident_rank: the table in incident.c), then time.
 * Incidents are ordered by highest severity, then first time.
 * Does not: render anything (report_*.c) or create findings (rule engine).
 */
#ifndef CORRELATOR_INCIDENT_H
#define CORRELATOR_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "../rulelang/finding.h"

struct report;

#define INCIDENT_WINDOW (1000LL * 1000 * 1000)  /* 1 s, in ns */

struct incident {
	unsigned *findings;      /* indexes into report.findings, cause first */
	unsigned nfindings;
	enum severity severity;  /* the highest of its findings */
	int64_t first_ts, last_ts; /* span of its findings and their evidence */
	const char *title;       /* the cause's title */
	const char *summary;     /* one paragraph; owned by the report */
};

/* Group r->findings: fills r->incidents and sets every finding's incident
 * index. Safe to call again (regroups from scratch). */
void incident_group(struct report *r);

/* Causal rank of a finding: lower is nearer the cause. The minimum over the
 * ranks of its evidence types and of its rule name ('_' read as '.'). */
int incident_rank(const struct finding *f);

/* Rank of one event type (the table in incident.c); 100 when unlisted. */
int incident_type_rank(const char *type);

#endif
