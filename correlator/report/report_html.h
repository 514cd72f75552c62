/*
 * correlator/report/report_html.h - what the HTML writer's files share
 * (report_html.c: the page; report_html_ladder.c: an incident's ladder,
 * Wireshark filters per capture and delay verdict).
 * Does not: declare anything for the other writers (report.h does).
 */
#ifndef CORRELATOR_REPORT_HTML_H
#define CORRELATOR_REPORT_HTML_H

#include <stdio.h>

#include "report.h"

/* Text for HTML element content and attribute values (escaped). */
void html_text(FILE *f, const char *s);
/* At most max characters of s, with an ellipsis when shortened. */
void html_text_short(FILE *f, const char *s, size_t max);
/* One Wireshark filter of a capture's filter list: <dd>WHAT <code>FILTER</code></dd>. */
void html_filter_dd(FILE *f, const char *what, const char *filter);
void svg_text_attr(FILE *f, double x, double y, const char *anchor, const char *style);

/* The id of an incident's evidence row: "ev-INC-SOURCE-FILE-REF". */
void html_evidence_id(char *buf, size_t len, size_t inc, const struct evidence *e);

/* Incident inc's ladder (lanes per capture point and side, each packet at its
 * own capture time, the session's handshake and resets around the evidence,
 * dashed lines joining one packet across vantage points), then a Wireshark
 * filter for every capture where its sessions were seen, then their
 * path.blame verdicts. ev[n] is the incident's evidence in time order. */
void html_incident_paths(const struct report *r, size_t inc, const struct evidence *const *ev, size_t n,
			 FILE *f);

#endif
