/*
 * correlator/report/report.c - collecting what the report needs during the pass
 * (see report.h): counts per event type and source, first refs of each
 * analysis type, per-second series for the charts (bounded: buckets merge
 * and widen when time runs past REPORT_SERIES_BUCKETS), and the findings.
 * Also the helpers every writer shares (labels, evidence of an incident).
 * Does not: render (report_*.c), group findings (incident.c) or build
 * Wireshark filters (report_filter.c).
 */
#include "report.h"
#include "../core/run.h"
#include "../core/source.h"
#include "../core/util.h"
#include "../core/pkt.h"
#include "../core/parser.h"

#include <inttypes.h>
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
	arena_init(&r->mem, 0);
	r->nseries = run->nsources;
	r->series = r->nseries ? xcalloc(r->nseries, sizeof *r->series) : NULL;
}

void report_fini(struct report *r)
{
	free(r->pkts);
	free(r->pkt_by_ref);
	free(r->pkt_by_session);
	free(r->head_keys);
	free(r->head_counts);
	free(r->types);
	free(r->findings);
	free(r->series);
	arena_free(&r->mem);
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
	t->type = arena_strdup(&r->mem, ev->type);
	t->source = ev->source;
	t->analysis = ev->flags & EV_ANALYSIS;
	return t;
}

#define HEAD_SLOTS 65536  /* power of two */

/* The first REPORT_PKTS_HEAD packets of (source, session): true while under. */
static bool head_packet(struct report *r, const struct event *ev)
{
	if (!r->head_keys) {
		r->head_keys = xcalloc(HEAD_SLOTS, sizeof *r->head_keys);
		r->head_counts = xcalloc(HEAD_SLOTS, 1);
	}
	uint32_t key = (uint32_t)(ev->session * 1024 + ev->source) | 1u;
	uint32_t h = key * 2654435761u;
	for (unsigned probe = 0; probe < 32; probe++) {
		uint32_t i = (h + probe) & (HEAD_SLOTS - 1);
		if (r->head_keys[i] == key)
			return r->head_counts[i] < REPORT_PKTS_HEAD && ++r->head_counts[i];
		if (!r->head_keys[i]) {
			r->head_keys[i] = key;
			r->head_counts[i] = 1;
			return true;
		}
	}
	return false;  /* table crowded: only control packets from here */
}

static void keep_packet(struct report *r, const struct event *ev)
{
	const struct pkt *p = ev->pkt;
	bool tcp = p->layers & PKT_TCP;
	bool control = tcp && (p->tcp_flags & (TH_SYN | TH_FIN | TH_RST));
	if (!head_packet(r, ev) && !control)
		return;
	if (r->npkts == REPORT_PKTS) {
		r->pkts_capped = true;
		return;
	}
	if (r->npkts == r->cappkts) {
		r->cappkts = r->cappkts ? r->cappkts * 2 : 1024;
		r->pkts = xrealloc(r->pkts, r->cappkts * sizeof *r->pkts);
	}
	struct report_pkt *k = &r->pkts[r->npkts++];
	k->ts = ev->ts;
	k->ref = ev->ref;
	k->session = ev->session;
	k->seq = p->seq;
	k->ack = p->ack;
	k->len = p->l4_len;
	k->source = ev->source;
	k->file = ev->file;
	k->flags = tcp ? p->tcp_flags : 0;
	k->flow = ev->flow;
}


static void keep_blame(struct report *r, const struct event *ev)
{
	if (r->nblames == REPORT_BLAMES)
		return;
	char buf[1024];
	const char *msg = event_describe(ev, buf, sizeof buf);
	const struct value *v = event_get(ev, "path.verdict");
	struct report_blame *b = &r->blames[r->nblames++];
	b->session = ev->session;
	b->ref = ev->ref;
	b->source = ev->source;
	b->msg = arena_strdup(&r->mem, msg);
	b->verdict = v && v->type == V_STR ? arena_strndup(&r->mem, v->u.s.p, v->u.s.n) : "";
}

static void on_event(void *ctx, const struct event *ev)
{
	struct report *r = ctx;
	if (ev->pkt && (ev->pkt->layers & (PKT_TCP | PKT_UDP)) && ev->session &&
	    ev->source < r->run->nsources && report_source_is_capture(r->run->sources[ev->source]))
		keep_packet(r, ev);
	else if (!strcmp(ev->type, "path.blame"))
		keep_blame(r, ev);
	struct type_count *t = type_slot(r, ev);
	t->count++;
	if (ev->flags & EV_ANALYSIS) {
		r->analysis_events++;
		if (t->nrefs < REPORT_REFS) {
			t->files[t->nrefs] = ev->file;
			t->refs[t->nrefs++] = ev->ref;
		}
	} else {
		/* the time range is that of the evidence read, not of analysis
		 * events stamped at deadlines or second boundaries */
		r->events++;
		if (ev->ts < r->first_ts)
			r->first_ts = ev->ts;
		if (ev->ts > r->last_ts)
			r->last_ts = ev->ts;
	}
	report_series_add(r, ev);
}

/* Which chart metric an analysis or log type feeds: a prefix table. */
static const struct { const char *prefix; int metric; } metric_table[] = {
	{ "tcp.retransmission", SM_RETRANS },
	{ "tcp.fast_retransmission", SM_RETRANS },
	{ "tcp.spurious_retransmission", SM_RETRANS },
	{ "tcp.lost_segment", SM_LOSS },
	{ "esp.loss", SM_LOSS },
	{ "esp.gap", SM_LOSS },
	{ "esp.lost", SM_LOSS },
	{ "path.lost", SM_LOSS },
	{ "tcp.out_of_order", SM_REORDER },
	{ "esp.out_of_order", SM_REORDER },
	{ "esp.reordered", SM_REORDER },
	{ "path.reordered", SM_REORDER },
	{ "tcp.rst", SM_RESETS },
	{ "tcp.reset", SM_RESETS },
	{ "fw.drop", SM_DROPS },
	{ "fw.deny", SM_DROPS },
	{ NULL, 0 },
};

int report_series_metric(const char *type)
{
	for (size_t i = 0; metric_table[i].prefix; i++)
		if (type_has_prefix(type, metric_table[i].prefix))
			return metric_table[i].metric;
	return -1;
}

/* Halve the resolution: bucket i takes 2i and 2i+1. */
static void series_widen(struct report *r)
{
	for (size_t s = 0; s < r->nseries; s++) {
		struct series *se = r->series[s];
		if (!se)
			continue;
		for (int m = 0; m < SM_NMETRICS; m++) {
			for (unsigned i = 0; i < REPORT_SERIES_BUCKETS / 2; i++)
				se->v[m][i] = se->v[m][2 * i] + se->v[m][2 * i + 1];
			memset(&se->v[m][REPORT_SERIES_BUCKETS / 2], 0,
			       (REPORT_SERIES_BUCKETS - REPORT_SERIES_BUCKETS / 2) * sizeof se->v[m][0]);
		}
	}
	r->series_width *= 2;
	r->series_n = (r->series_n + 1) / 2;
}

void report_series_add(struct report *r, const struct event *ev)
{
	int m1 = -1, m2 = -1;
	uint64_t bytes = 0;
	if (ev->pkt) {
		m1 = SM_PACKETS;
		bytes = ev->pkt->wirelen;
		if ((ev->pkt->layers & PKT_TCP) && (ev->pkt->tcp_flags & TH_RST))
			m2 = SM_RESETS;
	} else {
		m2 = report_series_metric(ev->type);
	}
	if ((m1 < 0 && m2 < 0) || ev->source >= r->nseries)
		return;
	if (!r->series_width) {
		/* the axis starts at the first whole second */
		r->series_width = NS_PER_SEC;
		r->series_t0 = ev->ts - ((ev->ts % NS_PER_SEC) + NS_PER_SEC) % NS_PER_SEC;
	}
	if (!r->series[ev->source])
		r->series[ev->source] = arena_alloc(&r->mem, sizeof(struct series));
	struct series *se = r->series[ev->source];
	int64_t d = ev->ts - r->series_t0;
	if (d < 0)
		d = 0;  /* an analysis event stamped before the axis began */
	while (d / r->series_width >= REPORT_SERIES_BUCKETS)
		series_widen(r);
	unsigned b = (unsigned)(d / r->series_width);
	if (b + 1 > r->series_n)
		r->series_n = b + 1;
	if (m1 >= 0) {
		se->v[m1][b]++;
		se->total[m1]++;
		se->v[SM_BYTES][b] += bytes;
		se->total[SM_BYTES] += bytes;
	}
	if (m2 >= 0) {
		se->v[m2][b]++;
		se->total[m2]++;
	}
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
	struct finding *k = &r->findings[r->nfindings++];
	*k = *f;
	/* writers may rely on these strings being there */
	if (!k->rule)
		k->rule = "?";
	if (!k->title)
		k->title = k->rule;
	if (!k->message)
		k->message = "";
	k->incident = -1;
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

bool report_source_is_capture(const struct source *s)
{
	static const char *const caps[] = { "pcap", "pcapng", "netmon", "etl", NULL };
	const char *fmt = report_source_format(s);
	for (size_t i = 0; caps[i]; i++)
		if (!strcmp(fmt, caps[i]))
			return true;
	return false;
}

static int evidence_cmp(const void *a, const void *b)
{
	const struct evidence *x = *(const struct evidence *const *)a;
	const struct evidence *y = *(const struct evidence *const *)b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->ref != y->ref)
		return x->ref < y->ref ? -1 : 1;
	return 0;
}

static int by_ref_cmp(const void *a, const void *b, void *ctx)
{
	const struct report_pkt *p = ctx, *x = &p[*(const uint32_t *)a], *y = &p[*(const uint32_t *)b];
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

static int by_session_cmp(const void *a, const void *b, void *ctx)
{
	const struct report_pkt *p = ctx;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	if (p[i].session != p[j].session)
		return p[i].session < p[j].session ? -1 : 1;
	return i < j ? -1 : i > j;   /* arrival order is time order */
}

void report_index_pkts(struct report *r)
{
	free(r->pkt_by_ref);
	free(r->pkt_by_session);
	r->pkt_by_ref = r->pkt_by_session = NULL;
	if (!r->npkts)
		return;
	r->pkt_by_ref = xmalloc(r->npkts * sizeof *r->pkt_by_ref);
	r->pkt_by_session = xmalloc(r->npkts * sizeof *r->pkt_by_session);
	for (size_t i = 0; i < r->npkts; i++)
		r->pkt_by_ref[i] = r->pkt_by_session[i] = (uint32_t)i;
	qsort_r(r->pkt_by_ref, r->npkts, sizeof *r->pkt_by_ref, by_ref_cmp, r->pkts);
	qsort_r(r->pkt_by_session, r->npkts, sizeof *r->pkt_by_session, by_session_cmp, r->pkts);
}

const struct report_pkt *report_pkt_at(const struct report *r, uint16_t source, uint16_t file, uint64_t ref)
{
	if (!r->pkt_by_ref)
		return NULL;
	size_t lo = 0, hi = r->npkts;
	struct report_pkt key = { .source = source, .file = file, .ref = ref };
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct report_pkt *m = &r->pkts[r->pkt_by_ref[mid]];
		int c = m->source != key.source ? (m->source < key.source ? -1 : 1)
			: m->file != key.file ? (m->file < key.file ? -1 : 1)
			: m->ref < key.ref ? -1 : m->ref > key.ref;
		if (!c)
			return m;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const uint32_t *report_pkts_of_session(const struct report *r, uint64_t session, size_t *n)
{
	*n = 0;
	if (!r->pkt_by_session || !session)
		return NULL;
	size_t lo = 0, hi = r->npkts;
	while (lo < hi) {   /* the first with session >= the one asked */
		size_t mid = lo + (hi - lo) / 2;
		if (r->pkts[r->pkt_by_session[mid]].session < session)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < r->npkts && r->pkts[r->pkt_by_session[end]].session == session)
		end++;
	*n = end - lo;
	return r->pkt_by_session + lo;
}

unsigned report_incident_repeats(const struct report *r, const struct incident *inc, unsigned k)
{
	const char *rule = r->findings[inc->findings[k]].rule;
	for (unsigned j = 0; j < k; j++)
		if (!strcmp(r->findings[inc->findings[j]].rule, rule))
			return 0;
	unsigned n = 1;
	for (unsigned j = k + 1; j < inc->nfindings; j++)
		n += !strcmp(r->findings[inc->findings[j]].rule, rule);
	return n;
}

size_t report_incident_evidence(const struct report *r, const struct incident *inc,
				const struct evidence **out, size_t max)
{
	size_t n = 0;
	for (unsigned i = 0; i < inc->nfindings; i++)
		n += r->findings[inc->findings[i]].nevidence;
	if (!n)
		return 0;
	const struct evidence **all = xmalloc(n * sizeof *all);
	size_t k = 0;
	for (unsigned i = 0; i < inc->nfindings; i++) {
		const struct finding *f = &r->findings[inc->findings[i]];
		for (unsigned e = 0; e < f->nevidence; e++)
			all[k++] = &f->evidence[e];
	}
	qsort(all, n, sizeof *all, evidence_cmp);
	size_t d = 0;
	for (size_t i = 0; i < n; i++) {
		if (d && all[d - 1]->source == all[i]->source && all[d - 1]->file == all[i]->file &&
		    all[d - 1]->ref == all[i]->ref)
			continue;
		all[d++] = all[i];
	}
	for (size_t i = 0; i < d && i < max; i++)
		out[i] = all[i];
	free(all);
	return d;
}

void report_clock_ms(int64_t ns, char *buf, size_t len)
{
	char c[32];
	format_clock(ns, c, sizeof c);   /* HH:MM:SS.uuuuuu */
	snprintf(buf, len, "%.12s", c);
}

const char *report_severity_upper(enum severity s)
{
	static const char *const names[] = { "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL" };
	return (unsigned)s < ARRAY_LEN(names) ? names[s] : "INFO";
}

size_t report_evidence_files(const struct evidence *const *ev, size_t n, uint32_t *out, size_t max)
{
	size_t k = 0, total = 0;
	/* few distinct pairs: an insertion sort on the way; past 64 distinct
	 * pairs the extra ones are counted (possibly more than once), not kept */
	uint32_t local[64];
	for (size_t i = 0; i < n; i++) {
		uint32_t key = (uint32_t)ev[i]->source << 16 | ev[i]->file;
		bool have = false;
		for (size_t j = 0; j < k && !have; j++)
			have = local[j] == key;
		if (have)
			continue;
		total++;
		if (k == ARRAY_LEN(local))
			continue;
		size_t j = k++;
		while (j && local[j - 1] > key) {
			local[j] = local[j - 1];
			j--;
		}
		local[j] = key;
	}
	for (size_t i = 0; i < k && i < max; i++)
		out[i] = local[i];
	return total < k ? k : total;
}

void report_evidence_where(const struct report *r, uint16_t source, uint16_t file, char *buf,
			   size_t len)
{
	const struct source *s = source < r->run->nsources ? r->run->sources[source] : NULL;
	if (s && s->nfiles > 1 && file < s->nfiles) {
		const char *p = s->files[file].path, *b = strrchr(p, '/');
		snprintf(buf, len, "%s[%s]", s->label, b ? b + 1 : p);
	} else {
		snprintf(buf, len, "%s", report_label(r, source));
	}
}

size_t report_finding_order(const struct report *r, size_t o)
{
	size_t k = 0;
	for (size_t i = 0; i < r->nincidents; i++) {
		if (o < k + r->incidents[i].nfindings)
			return r->incidents[i].findings[o - k];
		k += r->incidents[i].nfindings;
	}
	/* not grouped (incident_group not called): insertion order */
	for (size_t i = 0; i < r->nfindings; i++)
		if (r->findings[i].incident < 0 && k++ == o)
			return i;
	return o < r->nfindings ? o : 0;
}

void report_offset_str(const struct source *s, char *buf, size_t len)
{
	if (s->offset_origin == OFFSET_NONE) {
		snprintf(buf, len, "0");
		return;
	}
	int64_t a = s->clock_offset < 0 ? -s->clock_offset : s->clock_offset;
	char mag[48];
	if (a >= NS_PER_SEC || a == 0)
		snprintf(mag, sizeof mag, "%" PRId64 ".%03" PRId64 " s", (int64_t)(a / NS_PER_SEC),
			 (int64_t)(a % NS_PER_SEC / NS_PER_MSEC));
	else
		format_duration(a, mag, sizeof mag);
	if (s->offset_origin == OFFSET_ESTIMATED && s->offset_uncertainty > 0) {
		char u[48];
		format_duration(s->offset_uncertainty, u, sizeof u);
		snprintf(buf, len, "%c%s (estimated, +/- %s)", s->clock_offset < 0 ? '-' : '+', mag, u);
	} else {
		snprintf(buf, len, "%c%s (%s)", s->clock_offset < 0 ? '-' : '+', mag,
			 s->offset_origin == OFFSET_GIVEN ? "given" : "estimated");
	}
}
