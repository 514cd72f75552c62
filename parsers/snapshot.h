/*
 * parsers/snapshot.h - the part the command-output parsers share (netstat,
 * tasklist, show ip cache flow): a line stream whose events all carry one
 * capture time, taken from a stamp line before the table (`date` in ISO 8601,
 * IOS `show clock`) or else the file's modification time (noted).
 * Does not: parse any table (netstat.c, tasklist.c, cisco_flow.c do).
 */
#ifndef PARSERS_SNAPSHOT_H
#define PARSERS_SNAPSHOT_H

#include "lines.h"
#include "../correlator/core/parser.h"

struct snapshot {
	struct source *src;
	const char *fmt;
	const char *path;    /* borrowed from the caller's open() argument: copied */
	char *path_copy;
	struct lines lines;
	int64_t ts;
	bool have_ts;
};

int snapshot_open(struct snapshot *s, struct source *src, const char *path, const char *fmt);
/* Next non-empty line: PR_EVENT with the line in *p and *n (borrowed), ev->ref set;
 * PR_SKIP after a counted skip; PR_EOF; PR_FATAL. Stamp lines are consumed
 * here and never returned. */
pr_status snapshot_line(struct snapshot *s, struct event *ev, const char **p, size_t *n);
/* The capture time for events (falls back to the file time, noted, once). */
int64_t snapshot_time(struct snapshot *s);
void snapshot_close(struct snapshot *s);

#endif
