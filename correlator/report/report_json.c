/*
 * correlator/report/report_json.c - `analyze -f json`: one object with sources,
 * findings, incidents (the contract in DESIGN.md), plus analysis counts and
 * sessions. Every key is documented in docs/report-json.md; keep the two in
 * step. Deterministic: no wall-clock time.
 * Does not: group findings (incident.c).
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

static void ts_field(FILE *f, const char *name, int64_t ts)
{
	char b[40];
	format_rfc3339(ts, b, sizeof b);
	fprintf(f, "\"%s\":\"%s\"", name, b);
}

static const char *origin_name(enum offset_origin o)
{
	switch (o) {
	case OFFSET_GIVEN: return "given";
	case OFFSET_ESTIMATED: return "estimated";
	default: return "none";
	}
}

static void write_sources(const struct report *r, FILE *f)
{
	fputs("\"sources\":[", f);
	for (size_t i = 0; i < r->run->nsources; i++) {
		const struct source *s = r->run->sources[i];
		fputs(i ? ",{" : "{", f);
		fputs("\"label\":", f);
		json_cstr(f, s->label);
		fputs(",\"path\":", f);
		json_cstr(f, s->spec);
		fputs(",\"format\":", f);
		json_cstr(f, report_source_format(s));
		fprintf(f, ",\"files\":%zu,\"read\":%" PRIu64 ",\"events\":%" PRIu64 ",\"skipped\":%" PRIu64
			   ",\"warnings\":%" PRIu64 ",\"skipped_refs\":[",
			s->nfiles, s->events + s->skipped, s->events, s->skipped, s->warnings);
		for (unsigned k = 0; k < s->nskip_refs; k++)
			fprintf(f, "%s%" PRIu64, k ? "," : "", s->skip_refs[k]);
		fprintf(f, "],\"clock_offset_ns\":%" PRId64 ",\"clock_offset_origin\":\"%s\"",
			s->clock_offset, origin_name(s->offset_origin));
		if (s->offset_origin == OFFSET_ESTIMATED)
			fprintf(f, ",\"clock_offset_uncertainty_ns\":%" PRId64 ",\"clock_offset_records\":%" PRIu64,
				s->offset_uncertainty, s->offset_records);
		fputs(",\"time_zone\":", f);
		json_cstr(f, s->tz_given ? s->tz.name : "UTC");
		if (s->events) {
			fputc(',', f);
			ts_field(f, "first_ts", s->first_ts);
			fputc(',', f);
			ts_field(f, "last_ts", s->last_ts);
		}
		fprintf(f, ",\"readable\":%s", s->unreadable ? "false" : "true");
		if (s->error) {
			fputs(",\"error\":", f);
			json_cstr(f, s->error);
		}
		fputs(",\"notes\":[", f);
		for (unsigned k = 0; k < s->nnotes; k++) {
			if (k)
				fputc(',', f);
			json_cstr(f, s->notes[k]);
		}
		fputs("]}", f);
	}
	fputs("]", f);
}

static void write_evidence(const struct report *r, const struct evidence *e, FILE *f)
{
	fputs("{\"source\":", f);
	json_cstr(f, report_label(r, e->source));
	fprintf(f, ",\"ref\":%" PRIu64, e->ref);
	const struct source *s = e->source < r->run->nsources ? r->run->sources[e->source] : NULL;
	if (s && s->nfiles > 1 && e->file < s->nfiles) {
		fputs(",\"file\":", f);
		json_cstr(f, s->files[e->file].path);
	}
	fputc(',', f);
	ts_field(f, "ts", e->ts);
	fputs(",\"type\":", f);
	json_cstr(f, e->type ? e->type : "");
	fputs(",\"msg\":", f);
	json_cstr(f, e->msg ? e->msg : "");
	if (e->session)
		fprintf(f, ",\"session\":%" PRIu64, e->session);
	if (e->has_flow) {
		static struct event tmp;  /* large: not on the stack */
		event_reset(&tmp);
		tmp.flags = EV_HAS_FLOW;
		tmp.flow = e->flow;
		fputs(",\"flow\":", f);
		json_flow(f, &tmp);
	}
	fputc('}', f);
}

static void write_findings(const struct report *r, FILE *f)
{
	fputs("\"findings\":[", f);
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct finding *fd = &r->findings[i];
		fputs(i ? ",{" : "{", f);
		fputs("\"rule\":", f);
		json_cstr(f, fd->rule);
		fprintf(f, ",\"severity\":\"%s\",\"title\":", severity_name(fd->severity));
		json_cstr(f, fd->title);
		fputs(",\"message\":", f);
		json_cstr(f, fd->message);
		fputc(',', f);
		ts_field(f, "ts", fd->ts);
		fputs(",\"key\":", f);
		json_cstr(f, fd->key ? fd->key : "");
		if (fd->advice) {
			fputs(",\"advice\":", f);
			json_cstr(f, fd->advice);
		}
		fputs(",\"fields\":{", f);
		for (unsigned k = 0; k < fd->nfields; k++) {
			if (k)
				fputc(',', f);
			json_cstr(f, fd->fields[k].name);
			fputc(':', f);
			json_value(f, &fd->fields[k].v);
		}
		fputs("},\"evidence\":[", f);
		for (unsigned k = 0; k < fd->nevidence; k++) {
			if (k)
				fputc(',', f);
			write_evidence(r, &fd->evidence[k], f);
		}
		if (fd->incident >= 0)
			fprintf(f, "],\"incident\":%d,\"rank\":%d}", fd->incident + 1, incident_rank(fd));
		else
			fprintf(f, "],\"incident\":null,\"rank\":%d}", incident_rank(fd));
	}
	fputs("]", f);
}

/* Wireshark filters for the evidence of one incident, per capture file. */
static void write_filters(const struct report *r, const struct evidence *const *ev, size_t n, FILE *f)
{
	uint32_t pairs[32];
	size_t np = report_evidence_files(ev, n, pairs, ARRAY_LEN(pairs));
	fputs("\"filters\":[", f);
	bool first = true;
	for (size_t i = 0; i < np && i < ARRAY_LEN(pairs); i++) {
		uint16_t src = (uint16_t)(pairs[i] >> 16), file = (uint16_t)pairs[i];
		if (src >= r->run->nsources || !report_source_is_capture(r->run->sources[src]))
			continue;
		const struct source *s = r->run->sources[src];
		char buf[4096];
		fputs(first ? "{\"source\":" : ",{\"source\":", f);
		first = false;
		json_cstr(f, s->label);
		if (s->nfiles > 1 && file < s->nfiles) {
			fputs(",\"file\":", f);
			json_cstr(f, s->files[file].path);
		}
		report_frame_filter(ev, n, src, file, buf, sizeof buf);
		fputs(",\"frames\":", f);
		json_cstr(f, buf);
		report_session_filter(ev, n, src, file, buf, sizeof buf);
		fputs(",\"session\":", f);
		json_cstr(f, buf);
		fputc('}', f);
	}
	fputc(']', f);
}

/* Incidents (incident.c): each lists its findings' indexes, cause first. */
static void write_incidents(const struct report *r, FILE *f)
{
	fputs("\"incidents\":[", f);
	for (size_t i = 0; i < r->nincidents; i++) {
		const struct incident *inc = &r->incidents[i];
		fprintf(f, "%s{\"id\":%zu,\"severity\":\"%s\",\"title\":", i ? "," : "", i + 1,
			severity_name(inc->severity));
		json_cstr(f, inc->title);
		fputs(",\"summary\":", f);
		json_cstr(f, inc->summary);
		fputc(',', f);
		ts_field(f, "first_ts", inc->first_ts);
		fputc(',', f);
		ts_field(f, "last_ts", inc->last_ts);
		fputs(",\"findings\":[", f);
		for (unsigned k = 0; k < inc->nfindings; k++)
			fprintf(f, "%s%u", k ? "," : "", inc->findings[k]);
		fputs("],\"sources\":[", f);
		size_t total = 0;
		for (unsigned k = 0; k < inc->nfindings; k++)
			total += r->findings[inc->findings[k]].nevidence;
		const struct evidence **ev = xmalloc((total ? total : 1) * sizeof *ev);
		size_t n = report_incident_evidence(r, inc, ev, total);
		bool first = true;
		for (size_t s = 0; s < r->run->nsources; s++) {
			bool cited = false;
			for (size_t k = 0; k < n && !cited; k++)
				cited = ev[k]->source == s;
			if (!cited)
				continue;
			if (!first)
				fputc(',', f);
			first = false;
			json_cstr(f, r->run->sources[s]->label);
		}
		fputs("],", f);
		write_filters(r, ev, n, f);
		free(ev);
		fputc('}', f);
	}
	fputs("]", f);
}

static void write_analysis(const struct report *r, FILE *f)
{
	fputs("\"analysis\":[", f);
	bool first = true;
	for (size_t i = 0; i < r->ntypes; i++) {
		const struct type_count *t = &r->types[i];
		if (!t->analysis)
			continue;
		fputs(first ? "{" : ",{", f);
		first = false;
		fputs("\"type\":", f);
		json_cstr(f, t->type);
		fputs(",\"source\":", f);
		json_cstr(f, report_label(r, t->source));
		fprintf(f, ",\"count\":%" PRIu64 ",\"refs\":[", t->count);
		for (unsigned k = 0; k < t->nrefs; k++)
			fprintf(f, "%s%" PRIu64, k ? "," : "", t->refs[k]);
		fputs("]}", f);
	}
	fputs("]", f);
}

static void write_counts(const struct report *r, FILE *f)
{
	fputs("\"event_counts\":[", f);
	bool first = true;
	for (size_t i = 0; i < r->ntypes; i++) {
		const struct type_count *t = &r->types[i];
		if (t->analysis)
			continue;
		fputs(first ? "{" : ",{", f);
		first = false;
		fputs("\"type\":", f);
		json_cstr(f, t->type);
		fputs(",\"source\":", f);
		json_cstr(f, report_label(r, t->source));
		fprintf(f, ",\"count\":%" PRIu64 "}", t->count);
	}
	fputs("]", f);
}

static void write_sessions(const struct report *r, FILE *f)
{
	fputs("\"sessions\":{", f);
	if (!r->sessions) {
		fputs("}", f);
		return;
	}
	size_t n;
	const struct session_row *rows = sessions_rows(r->sessions, &n);
	fprintf(f, "\"total\":%" PRIu64 ",\"peak_live\":%zu,\"evicted_by_cap\":%" PRIu64 ",\"largest\":[",
		sessions_total(r->sessions), sessions_peak(r->sessions),
		sessions_evicted_cap(r->sessions));
	for (size_t i = 0; i < n; i++) {
		const struct session_row *s = &rows[i];
		struct event tmp;
		event_reset(&tmp);
		tmp.flags = EV_HAS_FLOW;
		tmp.flow = s->key;
		fprintf(f, "%s{\"id\":%" PRIu64 ",\"flow\":", i ? "," : "", s->c.id);
		json_flow(f, &tmp);
		fputc(',', f);
		ts_field(f, "first_ts", s->c.first);
		fputc(',', f);
		ts_field(f, "last_ts", s->c.last);
		fprintf(f, ",\"packets\":[%" PRIu64 ",%" PRIu64 "],\"bytes\":[%" PRIu64 ",%" PRIu64
			   "],\"tcp_flags\":%u,\"seen_at\":[",
			s->c.pkts[0], s->c.pkts[1], s->c.bytes[0], s->c.bytes[1], s->c.tcp_flags);
		for (unsigned k = 0; k < s->c.nsources; k++) {
			if (k)
				fputc(',', f);
			json_cstr(f, report_label(r, s->c.sources[k]));
		}
		fputs("]}", f);
	}
	fputs("]}", f);
}

void report_write_json(const struct report *r, FILE *f)
{
	fputs("{\"version\":1,", f);
	fprintf(f, "\"events\":%" PRIu64 ",\"analysis_events\":%" PRIu64 ",", r->events,
		r->analysis_events);
	write_sources(r, f);
	fputc(',', f);
	write_findings(r, f);
	fputc(',', f);
	write_incidents(r, f);
	fputc(',', f);
	write_analysis(r, f);
	fputc(',', f);
	write_counts(r, f);
	fputc(',', f);
	write_sessions(r, f);
	fputs("}\n", f);
}
