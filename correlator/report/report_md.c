/*
 * correlator/report/report_md.c - `analyze -f md`: the report as Markdown for
 * tickets: incidents (summary, findings cause first, evidence timeline,
 * Wireshark filters), every finding with its evidence, sources, analysis
 * events, sessions. GitHub/GitLab-flavoured tables; hostile text escaped so
 * it cannot open HTML, links or code spans. Deterministic output.
 * Does not: group findings (incident.c) or build filters (report_filter.c).
 */
#include "report.h"
#include "../core/run.h"
#include "../core/sessions.h"
#include "../core/source.h"
#include "../core/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MD_TIMELINE 50
#define MD_SESSIONS 20

/* Markdown-safe text: markup characters backslash-escaped, control bytes
 * (newlines included: they would end a table row) shown as spaces. */
static void md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c && strchr("|*_`<[]\\", c))
			fputc('\\', f);
		fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
	}
}

/* Text inside a code span: backticks and control bytes cannot appear. */
static void md_code(FILE *f, const char *s)
{
	fputc('`', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		fputc(c == '`' ? '\'' : c < 0x20 ? ' ' : c, f);
	}
	fputc('`', f);
}

static void md_ref(const struct report *r, const struct evidence *ev, FILE *f)
{
	char where[256];
	report_evidence_where(r, ev->source, ev->file, where, sizeof where);
	md_text(f, where);
	fprintf(f, "#%" PRIu64, ev->ref);
}

static void write_evidence_table(const struct report *r, const struct evidence *const *ev, size_t n,
				 size_t max, FILE *f)
{
	fprintf(f, "| time (UTC) | evidence | type | what |\n|---|---|---|---|\n");
	for (size_t e = 0; e < n && e < max; e++) {
		char c[24];
		report_clock_ms(ev[e]->ts, c, sizeof c);
		fprintf(f, "| %s | ", c);
		md_ref(r, ev[e], f);
		fprintf(f, " | ");
		md_text(f, ev[e]->type);
		fprintf(f, " | ");
		md_text(f, ev[e]->msg);
		fprintf(f, " |\n");
	}
	if (n > max)
		fprintf(f, "| | ... %zu more | | |\n", n - max);
	fputc('\n', f);
}

static void write_filters(const struct report *r, const struct evidence *const *ev, size_t n, FILE *f)
{
	uint32_t pairs[32];
	size_t np = report_evidence_files(ev, n, pairs, ARRAY_LEN(pairs));
	bool any = false;
	for (size_t i = 0; i < np && i < ARRAY_LEN(pairs); i++) {
		uint16_t src = (uint16_t)(pairs[i] >> 16), file = (uint16_t)pairs[i];
		if (src >= r->run->nsources || !report_source_is_capture(r->run->sources[src]))
			continue;
		char where[256], buf[4096];
		if (!any)
			fprintf(f, "Wireshark display filters:\n\n");
		any = true;
		report_evidence_where(r, src, file, where, sizeof where);
		fprintf(f, "- **");
		md_text(f, where);
		fprintf(f, "**: cited frames ");
		report_frame_filter(ev, n, src, file, buf, sizeof buf);
		md_code(f, buf);
		if (report_session_filter(ev, n, src, file, buf, sizeof buf)) {
			fprintf(f, "; session ");
			md_code(f, buf);
		}
		fputc('\n', f);
	}
	if (any)
		fputc('\n', f);
}

static void write_incidents(const struct report *r, FILE *f)
{
	fprintf(f, "## Incidents\n\n");
	if (!r->nincidents) {
		fprintf(f, "No rule matched. The analysis events below are what the analyzers flagged.\n\n");
		return;
	}
	for (size_t i = 0; i < r->nincidents; i++) {
		const struct incident *inc = &r->incidents[i];
		fprintf(f, "### %zu. %s: ", i + 1, report_severity_upper(inc->severity));
		md_text(f, inc->title);
		fprintf(f, "\n\n> ");
		md_text(f, inc->summary);
		fprintf(f, "\n\nFindings, cause first:\n\n");
		for (unsigned k = 0, no = 0; k < inc->nfindings; k++) {
			const struct finding *fd = &r->findings[inc->findings[k]];
			unsigned times = report_incident_repeats(r, inc, k);
			if (!times)
				continue;
			fprintf(f, "%u. **%s** ", ++no, report_severity_upper(fd->severity));
			md_text(f, fd->title);
			fprintf(f, " (rule ");
			md_code(f, fd->rule);
			if (times > 1)
				fprintf(f, ", found %u times", times);
			fprintf(f, ")\n");
		}
		fputc('\n', f);
		size_t total = 0;
		for (unsigned k = 0; k < inc->nfindings; k++)
			total += r->findings[inc->findings[k]].nevidence;
		const struct evidence **ev = xmalloc((total ? total : 1) * sizeof *ev);
		size_t n = report_incident_evidence(r, inc, ev, total);
		fprintf(f, "Timeline (corrected UTC):\n\n");
		write_evidence_table(r, ev, n, MD_TIMELINE, f);
		write_filters(r, ev, n, f);
		free(ev);
	}
}

static void write_findings(const struct report *r, FILE *f)
{
	if (!r->nfindings)
		return;
	fprintf(f, "## Findings\n\n");
	for (size_t o = 0; o < r->nfindings; o++) {
		const struct finding *fd = &r->findings[report_finding_order(r, o)];
		char ts[40];
		format_rfc3339(fd->ts, ts, sizeof ts);
		fprintf(f, "### %s: ", report_severity_upper(fd->severity));
		md_text(f, fd->title);
		fprintf(f, "\n\nRule ");
		md_code(f, fd->rule);
		if (fd->incident >= 0)
			fprintf(f, ", incident %d", fd->incident + 1);
		fprintf(f, ", %s. ", ts);
		md_text(f, fd->message);
		fprintf(f, "\n\n");
		const struct evidence **ev = xmalloc((fd->nevidence ? fd->nevidence : 1) * sizeof *ev);
		for (unsigned e = 0; e < fd->nevidence; e++)
			ev[e] = &fd->evidence[e];
		write_evidence_table(r, ev, fd->nevidence, SIZE_MAX, f);
		write_filters(r, ev, fd->nevidence, f);
		free(ev);
		if (fd->advice) {
			fprintf(f, "**Advice:** ");
			md_text(f, fd->advice);
			fprintf(f, "\n\n");
		}
	}
}

static void write_sources(const struct report *r, FILE *f)
{
	fprintf(f, "## Sources\n\n| label | format | read | used | skipped | clock offset | path | notes |\n"
		   "|---|---|---:|---:|---:|---|---|---|\n");
	for (size_t i = 0; i < r->run->nsources; i++) {
		const struct source *s = r->run->sources[i];
		char off[96];
		report_offset_str(s, off, sizeof off);
		fprintf(f, "| ");
		md_text(f, s->label);
		fprintf(f, " | %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64, report_source_format(s),
			s->events + s->skipped, s->events, s->skipped);
		for (unsigned k = 0; k < s->nskip_refs; k++)
			fprintf(f, "%s#%" PRIu64, k ? " " : " (first: ", s->skip_refs[k]);
		if (s->nskip_refs)
			fputc(')', f);
		fprintf(f, " | %s | ", off);
		md_text(f, s->spec);
		fprintf(f, " | ");
		if (s->nfiles > 1)
			fprintf(f, "%zu files, read in time order; ", s->nfiles);
		if (s->warnings)
			fprintf(f, "%" PRIu64 " warnings (damaged but used records); ", s->warnings);
		for (unsigned k = 0; k < s->nnotes; k++) {
			md_text(f, s->notes[k]);
			fprintf(f, "; ");
		}
		if (s->unreadable && s->error)
			md_text(f, s->error);
		fprintf(f, " |\n");
	}
	fputc('\n', f);
}

void report_write_md(const struct report *r, FILE *f)
{
	char a[40] = "-", b[40] = "-";
	if (r->first_ts <= r->last_ts) {
		format_rfc3339(r->first_ts, a, sizeof a);
		format_rfc3339(r->last_ts, b, sizeof b);
	}
	fprintf(f, "# correlator report\n\n%zu source%s, %" PRIu64 " events, %s .. %s; "
		   "%zu incident%s from %zu finding%s.\n\n",
		r->run->nsources, r->run->nsources == 1 ? "" : "s", r->events, a, b, r->nincidents,
		r->nincidents == 1 ? "" : "s", r->nfindings, r->nfindings == 1 ? "" : "s");
	write_incidents(r, f);
	write_findings(r, f);
	write_sources(r, f);
	fprintf(f, "## Analysis events\n\n| type | source | count | first refs |\n|---|---|---:|---|\n");
	for (size_t i = 0; i < r->ntypes; i++) {
		const struct type_count *t = &r->types[i];
		if (!t->analysis)
			continue;
		fprintf(f, "| ");
		md_text(f, t->type);
		fprintf(f, " | ");
		md_text(f, report_label(r, t->source));
		fprintf(f, " | %" PRIu64 " | ", t->count);
		for (unsigned k = 0; k < t->nrefs; k++)
			fprintf(f, "%s#%" PRIu64, k ? " " : "", t->refs[k]);
		if (t->count > t->nrefs)
			fprintf(f, " ...");
		fprintf(f, " |\n");
	}
	fputc('\n', f);
	if (r->sessions) {
		size_t n;
		const struct session_row *rows = sessions_rows(r->sessions, &n);
		fprintf(f, "## Sessions (%" PRIu64 " seen)\n\n| id | flow | packets | bytes | duration |\n|---:|---|---|---|---|\n",
			sessions_total(r->sessions));
		for (size_t i = 0; i < n && i < MD_SESSIONS; i++) {
			char fl[160], dur[48];
			flow_format(&rows[i].key, fl, sizeof fl);
			format_duration(rows[i].c.last - rows[i].c.first, dur, sizeof dur);
			fprintf(f, "| %" PRIu64 " | ", rows[i].c.id);
			md_text(f, fl);
			fprintf(f, " | %" PRIu64 " / %" PRIu64 " | %" PRIu64 " / %" PRIu64 " | %s |\n",
				rows[i].c.pkts[0], rows[i].c.pkts[1], rows[i].c.bytes[0], rows[i].c.bytes[1], dur);
		}
		fputc('\n', f);
	}
}
