/*
 * correlator/report/report_text.c - the terminal report of `analyze` (default -f text):
 * incidents (severity, summary, the evidence on one corrected timeline, a
 * Wireshark filter per capture for the cited frames and for the session),
 * then every finding with its evidence, the source table, analysis counts,
 * event counts and sessions. Deterministic: no wall-clock time is printed.
 * Does not: group findings (incident.c) or build filters (report_filter.c).
 */
#include "report.h"
#include "../core/json.h"
#include "../core/run.h"
#include "../core/sessions.h"
#include "../core/source.h"
#include "../core/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_SESSIONS 20
#define TEXT_TIMELINE 30   /* evidence lines per incident */
#define TEXT_WIDTH 78

static void write_sources(const struct report *r, FILE *f)
{
	int lw = 14;
	for (size_t i = 0; i < r->run->nsources; i++) {
		int n = (int)strlen(r->run->sources[i]->label);
		if (n > lw)
			lw = n > 40 ? 40 : n;
	}
	fprintf(f, "SOURCES\n");
	fprintf(f, "  %-*s %-10s %10s %10s %8s  %-34s %s\n", lw, "label", "format", "read", "used",
		"skipped", "clock offset", "path");
	for (size_t i = 0; i < r->run->nsources; i++) {
		const struct source *s = r->run->sources[i];
		char off[96];
		report_offset_str(s, off, sizeof off);
		fprintf(f, "  %-*s %-10s %10" PRIu64 " %10" PRIu64 " %8" PRIu64 "  %-34s ", lw, s->label,
			report_source_format(s), s->events + s->skipped, s->events, s->skipped, off);
		text_safe(f, s->spec, strlen(s->spec));
		fputc('\n', f);
		if (s->nfiles > 1)
			fprintf(f, "      %zu files, read in time order\n", s->nfiles);
		if (s->unreadable)
			fprintf(f, "      unreadable: %s\n", s->error ? s->error : "no file could be read");
		if (s->nskip_refs) {
			fprintf(f, "      skipped records:");
			for (unsigned k = 0; k < s->nskip_refs; k++)
				fprintf(f, " #%" PRIu64, s->skip_refs[k]);
			if (s->skipped > s->nskip_refs)
				fprintf(f, " ... (%" PRIu64 " in all)", s->skipped);
			fputc('\n', f);
		}
		if (s->warnings)
			fprintf(f, "      %" PRIu64 " warnings (damaged but used records, see stderr)\n",
				s->warnings);
		for (unsigned k = 0; k < s->nnotes; k++)
			fprintf(f, "      note: %s\n", s->notes[k]);
	}
	fputc('\n', f);
}

/* Words of s wrapped at TEXT_WIDTH, each line indented. */
static void write_wrapped(FILE *f, const char *s, int indent)
{
	int col = indent;
	fprintf(f, "%*s", indent, "");
	while (*s) {
		while (*s == ' ')
			s++;
		size_t n = strcspn(s, " ");
		if (!n)
			break;
		if (col > indent && col + 1 + (int)n > TEXT_WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		text_safe(f, s, n);
		col += (int)n;
		s += n;
	}
	fputc('\n', f);
}

/* The Wireshark filters of one evidence list: per capture file, the cited
 * frames and the session(s) they belong to. */
static void write_filters(const struct report *r, const struct evidence *const *ev, size_t n,
			  int indent, FILE *f)
{
	uint32_t pairs[32];
	size_t np = report_evidence_files(ev, n, pairs, ARRAY_LEN(pairs));
	for (size_t i = 0; i < np && i < ARRAY_LEN(pairs); i++) {
		uint16_t src = (uint16_t)(pairs[i] >> 16), file = (uint16_t)pairs[i];
		if (src >= r->run->nsources || !report_source_is_capture(r->run->sources[src]))
			continue;
		char where[256], buf[4096];
		report_evidence_where(r, src, file, where, sizeof where);
		report_frame_filter(ev, n, src, file, buf, sizeof buf);
		fprintf(f, "%*s%s: ", indent, "", where);
		text_safe(f, buf, strlen(buf));
		fputc('\n', f);
		if (report_session_filter(ev, n, src, file, buf, sizeof buf)) {
			fprintf(f, "%*s%*s  session: ", indent, "", (int)strlen(where), "");
			text_safe(f, buf, strlen(buf));
			fputc('\n', f);
		}
	}
}

static int ref_str(const struct report *r, const struct evidence *ev, char *buf, size_t len)
{
	char where[256];
	report_evidence_where(r, ev->source, ev->file, where, sizeof where);
	return snprintf(buf, len, "%s#%" PRIu64, where, ev->ref);
}

/* Width of the widest "label#ref" in a list, so the messages line up. */
static int ref_width(const struct report *r, const struct evidence *const *ev, size_t n)
{
	int w = 8;
	char buf[300];
	for (size_t i = 0; i < n; i++) {
		int k = ref_str(r, ev[i], buf, sizeof buf);
		if (k > w)
			w = k;
	}
	return w > 40 ? 40 : w;
}

static void write_evidence_line(const struct report *r, const struct evidence *ev, int indent,
				int width, FILE *f)
{
	char c[24], ref[300];
	report_clock_ms(ev->ts, c, sizeof c);
	ref_str(r, ev, ref, sizeof ref);
	fprintf(f, "%*s%s ", indent, "", c);
	text_safe(f, ref, strlen(ref));
	fprintf(f, "%*s ", width - (int)strlen(ref) > 0 ? width - (int)strlen(ref) : 0, "");
	const char *msg = ev->msg ? ev->msg : ev->type ? ev->type : "";
	text_safe(f, msg, strlen(msg));
	fputc('\n', f);
}

static void write_incidents(const struct report *r, FILE *f)
{
	fprintf(f, "INCIDENTS (%zu)\n", r->nincidents);
	if (!r->nincidents) {
		fprintf(f, "  No rule matched. The analysis events below are what the analyzers flagged.\n\n");
		return;
	}
	for (size_t i = 0; i < r->nincidents; i++) {
		const struct incident *inc = &r->incidents[i];
		char a[24], b[24];
		report_clock_ms(inc->first_ts, a, sizeof a);
		report_clock_ms(inc->last_ts, b, sizeof b);
		fprintf(f, "  #%zu [%s] ", i + 1, report_severity_upper(inc->severity));
		text_safe(f, inc->title, strlen(inc->title));
		fprintf(f, "  (%u finding%s, %s .. %s)\n", inc->nfindings,
			inc->nfindings == 1 ? "" : "s", a, b);
		write_wrapped(f, inc->summary, 4);
		fprintf(f, "    findings, cause first:\n");
		for (unsigned k = 0, no = 0; k < inc->nfindings; k++) {
			const struct finding *fd = &r->findings[inc->findings[k]];
			unsigned times = report_incident_repeats(r, inc, k);
			if (!times)
				continue;
			fprintf(f, "      %u. [%s] ", ++no, report_severity_upper(fd->severity));
			text_safe(f, fd->title, strlen(fd->title));
			if (times > 1)
				fprintf(f, "  (rule %s, found %u times)\n", fd->rule, times);
			else
				fprintf(f, "  (rule %s)\n", fd->rule);
		}
		size_t total = 0;
		for (unsigned k = 0; k < inc->nfindings; k++)
			total += r->findings[inc->findings[k]].nevidence;
		const struct evidence **ev = xmalloc((total ? total : 1) * sizeof *ev);
		size_t n = report_incident_evidence(r, inc, ev, total);
		fprintf(f, "    timeline (corrected UTC):\n");
		int w = ref_width(r, ev, n < TEXT_TIMELINE ? n : TEXT_TIMELINE);
		for (size_t k = 0; k < n && k < TEXT_TIMELINE; k++)
			write_evidence_line(r, ev[k], 6, w, f);
		if (n > TEXT_TIMELINE)
			fprintf(f, "      ... %zu more\n", n - TEXT_TIMELINE);
		fprintf(f, "    wireshark:\n");
		write_filters(r, ev, n, 6, f);
		free(ev);
		fputc('\n', f);
	}
}

static void write_findings(const struct report *r, FILE *f)
{
	if (!r->nfindings)
		return;
	fprintf(f, "FINDINGS (%zu, by incident, cause first)\n", r->nfindings);
	for (size_t o = 0; o < r->nfindings; o++) {
		size_t i = report_finding_order(r, o);
		const struct finding *fd = &r->findings[i];
		char ts[40];
		format_rfc3339(fd->ts, ts, sizeof ts);
		fprintf(f, "  [%s] ", report_severity_upper(fd->severity));
		text_safe(f, fd->title, strlen(fd->title));
		fprintf(f, "  (rule %s", fd->rule);
		if (fd->incident >= 0)
			fprintf(f, ", incident #%d", fd->incident + 1);
		fprintf(f, ")\n    %s  ", ts);
		text_safe(f, fd->message, strlen(fd->message));
		fputc('\n', f);
		if (fd->key && *fd->key) {
			fprintf(f, "    key: ");
			text_safe(f, fd->key, strlen(fd->key));
			fputc('\n', f);
		}
		const struct evidence **ev = xmalloc((fd->nevidence ? fd->nevidence : 1) * sizeof *ev);
		for (unsigned e = 0; e < fd->nevidence; e++)
			ev[e] = &fd->evidence[e];
		int w = ref_width(r, ev, fd->nevidence);
		for (unsigned e = 0; e < fd->nevidence; e++)
			write_evidence_line(r, ev[e], 4, w, f);
		write_filters(r, ev, fd->nevidence, 4, f);
		free(ev);
		if (fd->advice) {
			fprintf(f, "    advice: ");
			text_safe(f, fd->advice, strlen(fd->advice));
			fputc('\n', f);
		}
		fputc('\n', f);
	}
}

static void write_analysis(const struct report *r, FILE *f)
{
	fprintf(f, "ANALYSIS EVENTS\n");
	bool any = false;
	for (size_t i = 0; i < r->ntypes; i++) {
		const struct type_count *t = &r->types[i];
		if (!t->analysis)
			continue;
		any = true;
		fprintf(f, "  %-34s %-12s %8" PRIu64 "  ", t->type, report_label(r, t->source), t->count);
		for (unsigned k = 0; k < t->nrefs; k++)
			fprintf(f, "%s#%" PRIu64, k ? " " : "", t->refs[k]);
		if (t->count > t->nrefs)
			fputs(" ...", f);
		fputc('\n', f);
	}
	if (!any)
		fprintf(f, "  none\n");
	fputc('\n', f);
}

static void write_event_counts(const struct report *r, FILE *f)
{
	fprintf(f, "EVENTS BY TYPE\n");
	for (size_t i = 0; i < r->ntypes; i++) {
		const struct type_count *t = &r->types[i];
		if (t->analysis)
			continue;
		fprintf(f, "  %-34s %-12s %8" PRIu64 "\n", t->type, report_label(r, t->source), t->count);
	}
	fputc('\n', f);
}

static void session_flags(uint16_t fl, char *buf)
{
	static const char names[] = "FSRPAUEC";
	size_t o = 0;
	for (int b = 0; b < 8; b++)
		if (fl & (1u << b))
			buf[o++] = names[b];
	buf[o] = '\0';
}

static void write_sessions(const struct report *r, FILE *f)
{
	if (!r->sessions)
		return;
	size_t n;
	const struct session_row *rows = sessions_rows(r->sessions, &n);
	fprintf(f, "SESSIONS (%" PRIu64 " seen", sessions_total(r->sessions));
	if (n > TEXT_SESSIONS)
		fprintf(f, "; the %d with most packets", TEXT_SESSIONS);
	fprintf(f, ")\n");
	if (sessions_evicted_cap(r->sessions))
		fprintf(f, "  note: the live-session cap was reached; %" PRIu64 " sessions were closed early\n",
			sessions_evicted_cap(r->sessions));
	for (size_t i = 0; i < n && i < TEXT_SESSIONS; i++) {
		const struct session_row *s = &rows[i];
		char fl[160], dur[48], flags[12], seen[160];
		flow_format(&s->key, fl, sizeof fl);
		format_duration(s->c.last - s->c.first, dur, sizeof dur);
		session_flags(s->c.tcp_flags, flags);
		size_t o = 0;
		seen[0] = '\0';
		for (unsigned k = 0; k < s->c.nsources && o + 2 < sizeof seen; k++)
			o += (size_t)snprintf(seen + o, sizeof seen - o, "%s%s", k ? "," : "",
					      report_label(r, s->c.sources[k]));
		fprintf(f, "  #%-5" PRIu64 " %-52s %6" PRIu64 "/%-6" PRIu64 " pkts %9" PRIu64
			   "/%-9" PRIu64 " bytes %10s %-8s %s\n",
			s->c.id, fl, s->c.pkts[0], s->c.pkts[1], s->c.bytes[0], s->c.bytes[1], dur, flags, seen);
	}
	fputc('\n', f);
}

void report_write_text(const struct report *r, FILE *f)
{
	char a[40] = "-", b[40] = "-";
	if (r->first_ts <= r->last_ts) {
		format_rfc3339(r->first_ts, a, sizeof a);
		format_rfc3339(r->last_ts, b, sizeof b);
	}
	fprintf(f, "correlator report: %zu source%s, %" PRIu64 " events, %s .. %s\n\n",
		r->run->nsources, r->run->nsources == 1 ? "" : "s", r->events, a, b);
	write_incidents(r, f);
	write_findings(r, f);
	write_sources(r, f);
	write_analysis(r, f);
	write_event_counts(r, f);
	write_sessions(r, f);
}
