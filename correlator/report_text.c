/*
 * correlator/report_text.c - the terminal report of `analyze` (default -f text):
 * sources, findings with evidence and Wireshark filters, analysis counts,
 * sessions.
 */
#include "report.h"
#include "json.h"
#include "run.h"
#include "sessions.h"
#include "source.h"
#include "util.h"

#include <inttypes.h>
#include <string.h>

#define TEXT_SESSIONS 20

static void offset_str(const struct source *s, char *buf, size_t len)
{
	if (s->offset_origin == OFFSET_NONE) {
		snprintf(buf, len, "0");
		return;
	}
	char d[48];
	format_duration(s->clock_offset, d, sizeof d);
	snprintf(buf, len, "%s%s%s", s->clock_offset >= 0 ? "+" : "", d,
		 s->offset_origin == OFFSET_ESTIMATED ? " (est.)" : "");
}

static void write_sources(const struct report *r, FILE *f)
{
	fprintf(f, "SOURCES\n");
	fprintf(f, "  %-14s %-10s %10s %8s  %-14s %s\n", "label", "format", "events", "skipped",
		"clock offset", "path");
	for (size_t i = 0; i < r->run->nsources; i++) {
		const struct source *s = r->run->sources[i];
		char off[64];
		offset_str(s, off, sizeof off);
		fprintf(f, "  %-14s %-10s %10" PRIu64 " %8" PRIu64 "  %-14s %s%s\n", s->label,
			report_source_format(s), s->events, s->skipped, off, s->spec,
			s->nfiles > 1 ? "" : "");
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

/* Wireshark display filter per capture for the evidence of one finding. */
static void write_filters(const struct report *r, const struct finding *fd, FILE *f)
{
	for (size_t s = 0; s < r->run->nsources; s++) {
		bool any = false;
		for (unsigned e = 0; e < fd->nevidence; e++) {
			const struct evidence *ev = &fd->evidence[e];
			if (ev->source != s)
				continue;
			if (!any)
				fprintf(f, "    filter %s: frame.number in {", r->run->sources[s]->label);
			fprintf(f, "%s%" PRIu64, any ? " " : "", ev->ref);
			any = true;
		}
		if (any)
			fputs("}\n", f);
	}
}

static void write_findings(const struct report *r, FILE *f)
{
	fprintf(f, "FINDINGS\n");
	if (!r->nfindings) {
		fprintf(f, "  No rule matched. The analysis events below are what the analyzers flagged.\n\n");
		return;
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct finding *fd = &r->findings[i];
		char ts[40];
		format_rfc3339(fd->ts, ts, sizeof ts);
		char sev[16];
		snprintf(sev, sizeof sev, "%s", severity_name(fd->severity));
		for (char *p = sev; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		fprintf(f, "  [%s] %s  (rule %s)\n", sev, fd->title, fd->rule);
		fprintf(f, "    %s  ", ts);
		text_safe(f, fd->message, strlen(fd->message));
		fputc('\n', f);
		for (unsigned e = 0; e < fd->nevidence; e++) {
			const struct evidence *ev = &fd->evidence[e];
			char c[24];
			format_clock(ev->ts, c, sizeof c);
			fprintf(f, "    %s %s#%" PRIu64 "  ", c, report_label(r, ev->source), ev->ref);
			text_safe(f, ev->msg, strlen(ev->msg));
			fputc('\n', f);
		}
		write_filters(r, fd, f);
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
		format_duration(s->last - s->first, dur, sizeof dur);
		session_flags(s->tcp_flags, flags);
		size_t o = 0;
		seen[0] = '\0';
		for (unsigned k = 0; k < s->nsources && o + 2 < sizeof seen; k++)
			o += (size_t)snprintf(seen + o, sizeof seen - o, "%s%s", k ? "," : "",
					      report_label(r, s->sources[k]));
		fprintf(f, "  #%-5" PRIu64 " %-52s %6" PRIu64 "/%-6" PRIu64 " pkts %9" PRIu64
			   "/%-9" PRIu64 " bytes %10s %-8s %s\n",
			s->id, fl, s->pkts[0], s->pkts[1], s->bytes[0], s->bytes[1], dur, flags, seen);
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
	write_sources(r, f);
	write_findings(r, f);
	write_analysis(r, f);
	write_event_counts(r, f);
	write_sessions(r, f);
}
