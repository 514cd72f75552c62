/*
 * correlator/report_html.c - `analyze -f html`: one self-contained page (no
 * scripts, fonts or network), sources, findings with evidence, analysis events
 * and sessions.
 */
#include "report.h"
#include "run.h"
#include "sessions.h"
#include "source.h"
#include "util.h"

#include <inttypes.h>
#include <string.h>

static void h(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s < 0x20)
				fputc(' ', f);
			else
				fputc(*s, f);
		}
	}
}

void report_write_html(const struct report *r, FILE *f)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>correlator report</title><style>"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
	      "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
	      "th{background:#f0f0f0}code{background:#f5f5f5;padding:0 3px}"
	      ".sev-critical,.sev-high{color:#b00}.sev-medium{color:#b60}.sev-low,.sev-info{color:#555}"
	      "</style></head><body>\n<h1>correlator report</h1>\n", f);
	fputs("<h2>Sources</h2><table><tr><th>label</th><th>format</th><th>events</th><th>skipped</th><th>clock offset</th><th>path</th><th>notes</th></tr>\n", f);
	for (size_t i = 0; i < r->run->nsources; i++) {
		const struct source *s = r->run->sources[i];
		char off[48] = "0";
		if (s->offset_origin != OFFSET_NONE)
			format_duration(s->clock_offset, off, sizeof off);
		fputs("<tr><td>", f);
		h(f, s->label);
		fprintf(f, "</td><td>%s</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%s</td><td>",
			report_source_format(s), s->events, s->skipped, off);
		h(f, s->spec);
		fputs("</td><td>", f);
		for (unsigned k = 0; k < s->nnotes; k++) {
			h(f, s->notes[k]);
			fputs("<br>", f);
		}
		if (s->unreadable && s->error)
			h(f, s->error);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<h2>Findings</h2>\n", f);
	if (!r->nfindings)
		fputs("<p>No rule matched.</p>\n", f);
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct finding *fd = &r->findings[i];
		char ts[40];
		format_rfc3339(fd->ts, ts, sizeof ts);
		fprintf(f, "<h3 class=\"sev-%s\">[%s] ", severity_name(fd->severity), severity_name(fd->severity));
		h(f, fd->title);
		fputs("</h3><p>", f);
		h(f, ts);
		fputs(" &mdash; ", f);
		h(f, fd->message);
		fputs("</p><table><tr><th>time</th><th>evidence</th><th>what</th></tr>\n", f);
		for (unsigned e = 0; e < fd->nevidence; e++) {
			const struct evidence *ev = &fd->evidence[e];
			char c[24];
			format_clock(ev->ts, c, sizeof c);
			fprintf(f, "<tr><td>%s</td><td>", c);
			h(f, report_label(r, ev->source));
			fprintf(f, "#%" PRIu64 "</td><td>", ev->ref);
			h(f, ev->msg);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
		if (fd->advice) {
			fputs("<p><b>Advice:</b> ", f);
			h(f, fd->advice);
			fputs("</p>\n", f);
		}
	}
	fputs("<h2>Analysis events</h2><table><tr><th>type</th><th>source</th><th>count</th><th>first refs</th></tr>\n", f);
	for (size_t i = 0; i < r->ntypes; i++) {
		const struct type_count *t = &r->types[i];
		if (!t->analysis)
			continue;
		fputs("<tr><td>", f);
		h(f, t->type);
		fputs("</td><td>", f);
		h(f, report_label(r, t->source));
		fprintf(f, "</td><td>%" PRIu64 "</td><td>", t->count);
		for (unsigned k = 0; k < t->nrefs; k++)
			fprintf(f, "%s#%" PRIu64, k ? " " : "", t->refs[k]);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (r->sessions) {
		size_t n;
		const struct session_row *rows = sessions_rows(r->sessions, &n);
		fprintf(f, "<h2>Sessions (%" PRIu64 " seen)</h2><table><tr><th>id</th><th>flow</th><th>packets</th><th>bytes</th><th>duration</th></tr>\n",
			sessions_total(r->sessions));
		for (size_t i = 0; i < n && i < 50; i++) {
			char fl[160], dur[48];
			flow_format(&rows[i].key, fl, sizeof fl);
			format_duration(rows[i].last - rows[i].first, dur, sizeof dur);
			fprintf(f, "<tr><td>%" PRIu64 "</td><td>", rows[i].id);
			h(f, fl);
			fprintf(f, "</td><td>%" PRIu64 " / %" PRIu64 "</td><td>%" PRIu64 " / %" PRIu64 "</td><td>%s</td></tr>\n",
				rows[i].pkts[0], rows[i].pkts[1], rows[i].bytes[0], rows[i].bytes[1], dur);
		}
		fputs("</table>\n", f);
	}
	fputs("</body></html>\n", f);
}
