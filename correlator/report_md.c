/*
 * correlator/report_md.c - `analyze -f md`: the report as Markdown for tickets.
 */
#include "report.h"
#include "run.h"
#include "sessions.h"
#include "source.h"
#include "util.h"

#include <inttypes.h>
#include <string.h>

/* Markdown-safe text: table pipes and control bytes escaped. */
static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '|' || c == '*' || c == '_' || c == '`' || c == '<' || c == '>')
			fputc('\\', f);
		if (c < 0x20)
			fputc(' ', f);
		else
			fputc(c, f);
	}
}

void report_write_md(const struct report *r, FILE *f)
{
	fprintf(f, "# correlator report\n\n");
	fprintf(f, "## Sources\n\n| label | format | events | skipped | clock offset | path | notes |\n|---|---|---:|---:|---|---|---|\n");
	for (size_t i = 0; i < r->run->nsources; i++) {
		const struct source *s = r->run->sources[i];
		char off[48] = "0";
		if (s->offset_origin != OFFSET_NONE)
			format_duration(s->clock_offset, off, sizeof off);
		fprintf(f, "| ");
		md_text(f, s->label);
		fprintf(f, " | %s | %" PRIu64 " | %" PRIu64 " | %s | ", report_source_format(s), s->events,
			s->skipped, off);
		md_text(f, s->spec);
		fprintf(f, " | ");
		for (unsigned k = 0; k < s->nnotes; k++) {
			md_text(f, s->notes[k]);
			fprintf(f, "; ");
		}
		if (s->unreadable && s->error)
			md_text(f, s->error);
		fprintf(f, " |\n");
	}
	fprintf(f, "\n## Findings\n\n");
	if (!r->nfindings)
		fprintf(f, "No rule matched.\n");
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct finding *fd = &r->findings[i];
		char ts[40];
		format_rfc3339(fd->ts, ts, sizeof ts);
		fprintf(f, "### %s: ", severity_name(fd->severity));
		md_text(f, fd->title);
		fprintf(f, "\n\n%s — ", ts);
		md_text(f, fd->message);
		fprintf(f, "\n\n| time | evidence | what |\n|---|---|---|\n");
		for (unsigned e = 0; e < fd->nevidence; e++) {
			const struct evidence *ev = &fd->evidence[e];
			char c[24];
			format_clock(ev->ts, c, sizeof c);
			fprintf(f, "| %s | ", c);
			md_text(f, report_label(r, ev->source));
			fprintf(f, "#%" PRIu64 " | ", ev->ref);
			md_text(f, ev->msg);
			fprintf(f, " |\n");
		}
		for (size_t s = 0; s < r->run->nsources; s++) {
			bool any = false;
			for (unsigned e = 0; e < fd->nevidence; e++) {
				if (fd->evidence[e].source != s)
					continue;
				if (!any)
					fprintf(f, "\nWireshark filter for %s: `frame.number in {", r->run->sources[s]->label);
				fprintf(f, "%s%" PRIu64, any ? " " : "", fd->evidence[e].ref);
				any = true;
			}
			if (any)
				fprintf(f, "}`\n");
		}
		if (fd->advice) {
			fprintf(f, "\n**Advice:** ");
			md_text(f, fd->advice);
			fprintf(f, "\n");
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n## Analysis events\n\n| type | source | count | first refs |\n|---|---|---:|---|\n");
	for (size_t i = 0; i < r->ntypes; i++) {
		const struct type_count *t = &r->types[i];
		if (!t->analysis)
			continue;
		fprintf(f, "| %s | ", t->type);
		md_text(f, report_label(r, t->source));
		fprintf(f, " | %" PRIu64 " | ", t->count);
		for (unsigned k = 0; k < t->nrefs; k++)
			fprintf(f, "%s#%" PRIu64, k ? " " : "", t->refs[k]);
		fprintf(f, " |\n");
	}
	if (r->sessions) {
		size_t n;
		const struct session_row *rows = sessions_rows(r->sessions, &n);
		fprintf(f, "\n## Sessions (%" PRIu64 " seen)\n\n| id | flow | packets | bytes | duration |\n|---:|---|---|---|---|\n",
			sessions_total(r->sessions));
		for (size_t i = 0; i < n && i < 20; i++) {
			char fl[160], dur[48];
			flow_format(&rows[i].key, fl, sizeof fl);
			format_duration(rows[i].last - rows[i].first, dur, sizeof dur);
			fprintf(f, "| %" PRIu64 " | %s | %" PRIu64 " / %" PRIu64 " | %" PRIu64 " / %" PRIu64 " | %s |\n",
				rows[i].id, fl, rows[i].pkts[0], rows[i].pkts[1], rows[i].bytes[0],
				rows[i].bytes[1], dur);
		}
	}
}
