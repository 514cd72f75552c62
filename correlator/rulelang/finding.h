/*
 * correlator/rulelang/finding.h - what a rule (or a built-in check) concludes: a titled,
 * graded statement with the evidence records that support it. Findings that
 * belong together form an incident in the report.
 * Everything a finding points to lives in the run's store arena.
 * Does not: decide grouping (incident.c) or rendering (report_*.c).
 */
#ifndef CORRELATOR_FINDING_H
#define CORRELATOR_FINDING_H

#include <stdint.h>

#include "../core/event.h"

enum severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

const char *severity_name(enum severity s);
/* -1 if name is not a severity. */
int severity_parse(const char *name);

struct evidence {
	uint16_t source, file;
	uint64_t ref;
	int64_t ts;
	const char *type;   /* the cited event's type */
	const char *msg;    /* its one-line description */
	uint64_t session;
	struct flow flow;
	bool has_flow;
};

struct finding {
	const char *rule;
	const char *title;
	enum severity severity;
	const char *message;   /* the rule's report template, filled in */
	const char *advice;    /* may be NULL */
	const char *key;       /* the grouping key's value, e.g. the flow */
	int64_t ts;            /* time of the first evidence (or the rule's anchor) */
	uint64_t session;
	const struct field *fields;
	unsigned nfields;
	const struct evidence *evidence;
	unsigned nevidence;
	int incident;          /* index of its incident, -1 before grouping */
};

#endif
