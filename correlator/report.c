/*
 * correlator/report.c - collecting what the report needs during the pass
 * (see report.h).
 */
#include "report.h"
#include "run.h"
#include "source.h"
#include "util.h"
#include "../parsers/parser.h"

#include <stdlib.h>
#include <string.h>

const char *severity_name(enum severity s)
{
	static const char *const names[] = { "info", "low", "medium", "high", "critical" };
	return (unsigned)s < ARRAY_LEN(names) ? names[s] : "info";
}

int severity_parse(const char *name)
{
	for (int s = SEV_INFO; s <= SEV_CRITICAL; s++)
		if (!strcmp(severity_name((enum severity)s), name))
			return s;
	return -1;
}

void report_init(struct report *r, const struct run *run, const struct sessions *sessions)
{
	memset(r, 0, sizeof *r);
	r->run = run;
	r->sessions = sessions;
	r->first_ts = INT64_MAX;
	r->last_ts = INT64_MIN;
}

void report_fini(struct report *r)
{
	free(r->types);
	free(r->findings);
}

static struct type_count *type_slot(struct report *r, const struct event *ev)
{
	/* few distinct (type, source) pairs: a linear scan on interned pointers
	 * first, then by content */
	for (size_t i = 0; i < r->ntypes; i++) {
		struct type_count *t = &r->types[i];
		if (t->source == ev->source && (t->type == ev->type || !strcmp(t->type, ev->type)))
			return t;
	}
	if (r->ntypes == r->captypes) {
		r->captypes = r->captypes ? r->captypes * 2 : 32;
		r->types = xrealloc(r->types, r->captypes * sizeof *r->types);
	}
	struct type_count *t = &r->types[r->ntypes++];
	memset(t, 0, sizeof *t);
	t->type = arena_strdup((struct arena *)&r->run->store, ev->type);
	t->source = ev->source;
	t->analysis = ev->flags & EV_ANALYSIS;
	return t;
}

static void on_event(void *ctx, const struct event *ev)
{
	struct report *r = ctx;
	struct type_count *t = type_slot(r, ev);
	t->count++;
	if (ev->flags & EV_ANALYSIS) {
		r->analysis_events++;
		if (t->nrefs < REPORT_REFS) {
			t->files[t->nrefs] = ev->file;
			t->refs[t->nrefs++] = ev->ref;
		}
	} else {
		r->events++;
	}
	if (ev->ts < r->first_ts)
		r->first_ts = ev->ts;
	if (ev->ts > r->last_ts)
		r->last_ts = ev->ts;
}

struct sink report_sink(struct report *r)
{
	struct sink s = { r, on_event, NULL };
	return s;
}

void report_add_finding(struct report *r, const struct finding *f)
{
	if (r->nfindings == r->capfindings) {
		r->capfindings = r->capfindings ? r->capfindings * 2 : 16;
		r->findings = xrealloc(r->findings, r->capfindings * sizeof *r->findings);
	}
	r->findings[r->nfindings++] = *f;
}

const char *report_label(const struct report *r, uint16_t source)
{
	return source < r->run->nsources ? r->run->sources[source]->label : "?";
}

const char *report_source_format(const struct source *s)
{
	const char *fmt = NULL;
	for (size_t i = 0; i < s->nfiles; i++) {
		if (!s->files[i].parser)
			continue;
		if (fmt && strcmp(fmt, s->files[i].parser->name))
			return "mixed";
		fmt = s->files[i].parser->name;
	}
	return fmt ? fmt : "-";
}
