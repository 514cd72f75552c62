/*
 * tests/unit/report_fixture.h - a synthetic run and report for the report
 * tests and golden files: four vantage points (client capture, firewall
 * inside capture, firewall outside capture ring of two files, firewall log),
 * traffic for the per-second charts, and findings as the rule engine would
 * add them (incident = -1). None of this goes into the executable.
 */
#ifndef TESTS_REPORT_FIXTURE_H
#define TESTS_REPORT_FIXTURE_H

#include "../../correlator/report/report.h"
#include "../../correlator/core/run.h"

struct fixture {
	struct run run;
	struct report rep;
};

/* Build the sample: sources, traffic through the report sink, findings.
 * Does not group: call incident_group(). Free with fixture_free(). */
void fixture_init(struct fixture *fx);
void fixture_free(struct fixture *fx);

/* Add a source "label=path" with one file per path read by format fmt. */
struct source *fixture_source(struct run *run, const char *label, const char *fmt,
			      const char *const *paths, size_t npaths);

/* An evidence entry; flow given as "a:port>b:port" (IPv4 or [v6]:port) or NULL. */
struct evidence fixture_evidence(uint16_t source, uint16_t file, uint64_t ref, int64_t ts,
				 const char *type, const char *msg, uint64_t session,
				 const char *flow);

/* 2024-01-07 h:m:s.ms UTC in ns. */
int64_t fixture_time(int h, int m, int s, int ms);

#endif
