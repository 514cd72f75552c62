/*
 * correlator/report/incident.c - findings grouped into incidents, cause first, each
 * with a one-paragraph summary (see incident.h for the grouping rules).
 *
 * Causal rank (lower = nearer the cause). A finding's rank is the lowest rank
 * among its evidence types and its rule name. Within a rank the fuller
 * explanation leads (higher severity, then evidence from more sources), then
 * time:
 *
 *   10  path.modified, path.injected,      something changed the packets in
 *       tcp.handshake.*, tcp.syn_ack*      the path, or the handshake broke
 *   20  path.lost, path.delay, path.*      the path lost or delayed them
 *   30  fw.drop, fw.deny, fw.*             a firewall decided
 *   40  tcp.zero_window, tcp.window_full,  an endpoint or a tunnel stalled
 *       tcp.idle, esp.*, udp.unanswered
 *   50  tcp.retransmission and friends,    the endpoints reacted
 *       tcp.lost_segment, tcp.duplicate_ack, tcp.out_of_order
 *   60  tcp.rst, tcp.reset, smtp.*,        the visible symptom
 *       win.event, etw.*
 *   70  a latency verdict (only path.delay the wire or an end was slow, which
 *       or path.blame evidence) in an      explains a slow exchange but not a
 *       incident with a graver finding     graver failure: context, not cause
 *  100  anything else
 *
 * Does not: render (report_*.c).
 */
#include "incident.h"
#include "report.h"
#include "../core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *prefix; int rank; } rank_table[] = {
	{ "path.modified", 10 },
	{ "path.injected", 10 },
	{ "tcp.handshake", 10 },
	{ "tcp.syn_ack", 10 },
	{ "path", 20 },
	{ "fw", 30 },
	{ "tcp.zero_window", 40 },
	{ "tcp.window_full", 40 },
	{ "tcp.idle", 40 },
	{ "esp", 40 },
	{ "udp.unanswered", 40 },
	{ "tcp.retransmission", 50 },
	{ "tcp.fast_retransmission", 50 },
	{ "tcp.spurious_retransmission", 50 },
	{ "tcp.lost_segment", 50 },
	{ "tcp.ack_lost_segment", 50 },
	{ "tcp.duplicate_ack", 50 },
	{ "tcp.out_of_order", 50 },
	{ "tcp.rst", 60 },
	{ "tcp.reset", 60 },
	{ "smtp", 60 },
	{ "win", 60 },
	{ "etw", 60 },
	{ NULL, 0 },
};

#define RANK_OTHER 100
#define RANK_LATENCY 20          /* path.delay: the rank a latency verdict has on its own */
#define RANK_LATENCY_CONTEXT 70

int incident_type_rank(const char *type)
{
	if (!type)
		return RANK_OTHER;
	for (size_t i = 0; rank_table[i].prefix; i++)
		if (type_has_prefix(type, rank_table[i].prefix))
			return rank_table[i].rank;
	return RANK_OTHER;
}

int incident_rank(const struct finding *f)
{
	int best = RANK_OTHER;
	for (unsigned e = 0; e < f->nevidence; e++) {
		int k = incident_type_rank(f->evidence[e].type);
		if (k < best)
			best = k;
	}
	if (f->rule) {
		char name[128];
		snprintf(name, sizeof name, "%s", f->rule);
		for (char *p = name; *p; p++)
			if (*p == '_')
				*p = '.';
		int k = incident_type_rank(name);
		if (k < best)
			best = k;
	}
	return best;
}

/* A latency verdict: what ranks it is path.delay or path.blame (who is slow)
 * evidence alone (no change, loss or handshake failure, and no rule name that
 * says more). */
static bool finding_is_latency(const struct finding *f, int rank)
{
	if (rank != RANK_LATENCY)
		return false;
	for (unsigned e = 0; e < f->nevidence; e++) {
		const char *t = f->evidence[e].type;
		if (incident_type_rank(t) == RANK_LATENCY && strcmp(t, "path.delay") != 0 &&
		    strcmp(t, "path.blame") != 0)
			return false;
	}
	return true;
}

/* ---- union-find over finding indexes ---- */

static unsigned uf_find(unsigned *parent, unsigned x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static void uf_union(unsigned *parent, unsigned a, unsigned b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	if (a != b)
		parent[a < b ? b : a] = a < b ? a : b;
}

static void finding_span(const struct finding *f, int64_t *lo, int64_t *hi)
{
	*lo = *hi = f->ts;
	for (unsigned e = 0; e < f->nevidence; e++) {
		if (f->evidence[e].ts < *lo)
			*lo = f->evidence[e].ts;
		if (f->evidence[e].ts > *hi)
			*hi = f->evidence[e].ts;
	}
}

/* ---- linking: one pass per criterion, O(evidence) with hash tables ---- */

/* A key seen before links its finding to the first finding that had it.
 * Sessions key on the id; host pairs on the two addresses, lower first. */
struct link_slot {
	bool used;
	uint8_t kind;          /* 1 session, 2 host pair */
	uint64_t session;
	struct addr a, b;
	unsigned finding;
};

struct link_table {
	struct link_slot *slot;
	size_t mask;
};

static uint64_t addr_hash(const struct addr *a)
{
	uint64_t h = a->family;
	for (int i = 0; i < 16; i++)
		h = h * 131 + a->b[i];
	return h;
}

static void link_key(struct link_table *t, unsigned *parent, const struct link_slot *k)
{
	uint64_t h = k->kind == 1 ? hash_finalize64(k->session)
				    : hash_finalize64(addr_hash(&k->a) * 31 + addr_hash(&k->b) + 7);
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		struct link_slot *s = &t->slot[i];
		if (!s->used) {
			*s = *k;
			s->used = true;
			return;
		}
		if (s->kind == k->kind &&
		    (k->kind == 1 ? s->session == k->session
				  : addr_equal(&s->a, &k->a) && addr_equal(&s->b, &k->b))) {
			uf_union(parent, s->finding, k->finding);
			return;
		}
	}
}

static void link_shared_keys(const struct report *r, unsigned *parent)
{
	size_t keys = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		keys += 1 + 2 * (size_t)r->findings[i].nevidence;
	size_t cap = 16;
	while (cap < 2 * keys)
		cap *= 2;
	struct link_table t = { xcalloc(cap, sizeof *t.slot), cap - 1 };
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct finding *f = &r->findings[i];
		struct link_slot k = { .kind = 1, .finding = (unsigned)i };
		if (f->session) {
			k.session = f->session;
			link_key(&t, parent, &k);
		}
		for (unsigned e = 0; e < f->nevidence; e++) {
			const struct evidence *ev = &f->evidence[e];
			if (ev->session) {
				k.kind = 1;
				k.session = ev->session;
				link_key(&t, parent, &k);
			}
			if (ev->has_flow && ev->flow.src.family) {
				bool lower = addr_cmp(&ev->flow.src, &ev->flow.dst) <= 0;
				k.kind = 2;
				k.session = 0;
				k.a = lower ? ev->flow.src : ev->flow.dst;
				k.b = lower ? ev->flow.dst : ev->flow.src;
				link_key(&t, parent, &k);
			}
		}
	}
	free(t.slot);
}

struct span_ctx {
	const int64_t *lo;
};

static int span_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct span_ctx *c = ctx;
	unsigned a = *(const unsigned *)pa, b = *(const unsigned *)pb;
	if (c->lo[a] != c->lo[b])
		return c->lo[a] < c->lo[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Findings whose spans overlap or lie within INCIDENT_WINDOW: a sweep in
 * time order; a run continues while the next start is near the run's end. */
static void link_near_in_time(size_t n, const int64_t *lo, const int64_t *hi, unsigned *parent)
{
	unsigned *ord = xmalloc(n * sizeof *ord);
	for (size_t i = 0; i < n; i++)
		ord[i] = (unsigned)i;
	struct span_ctx c = { lo };
	qsort_r(ord, n, sizeof *ord, span_cmp, &c);
	int64_t end = hi[ord[0]];
	for (size_t i = 1; i < n; i++) {
		unsigned k = ord[i];
		if (lo[k] - end <= INCIDENT_WINDOW) {
			uf_union(parent, ord[i - 1], k);
			if (hi[k] > end)
				end = hi[k];
		} else {
			end = hi[k];  /* a new run begins */
		}
	}
	free(ord);
}

/* ---- ordering ---- */

struct order_ctx {
	const struct finding *f;
	const int *rank;
};

/* How many distinct sources a finding's evidence comes from. */
static unsigned evidence_sources(const struct finding *f)
{
	unsigned n = 0;
	for (unsigned i = 0; i < f->nevidence; i++) {
		unsigned j;
		for (j = 0; j < i; j++)
			if (f->evidence[j].source == f->evidence[i].source)
				break;
		n += j == i;
	}
	return n;
}

/* rank; within a rank the fuller explanation (severity, then sources) first;
 * then time, then the order the findings were added (qsort_r: GNU) */
static int cause_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct order_ctx *o = ctx;
	unsigned a = *(const unsigned *)pa, b = *(const unsigned *)pb;
	if (o->rank[a] != o->rank[b])
		return o->rank[a] < o->rank[b] ? -1 : 1;
	if (o->f[a].severity != o->f[b].severity)
		return o->f[a].severity > o->f[b].severity ? -1 : 1;
	unsigned sa = evidence_sources(&o->f[a]), sb = evidence_sources(&o->f[b]);
	if (sa != sb)
		return sa > sb ? -1 : 1;
	if (o->f[a].ts != o->f[b].ts)
		return o->f[a].ts < o->f[b].ts ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int incident_cmp(const void *pa, const void *pb)
{
	const struct incident *a = pa, *b = pb;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->first_ts != b->first_ts)
		return a->first_ts < b->first_ts ? -1 : 1;
	return a->findings[0] < b->findings[0] ? -1 : a->findings[0] > b->findings[0];
}

/* ---- summary ---- */

struct text {
	char *p;
	size_t len, cap;
};

static void tx_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tx_printf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n > 0) {
		if (t->len + (size_t)n + 1 > t->cap) {
			t->cap = (t->len + (size_t)n + 1) * 2;
			t->p = xrealloc(t->p, t->cap);
		}
		vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		t->len += (size_t)n;
	}
	va_end(ap);
}

/* A sentence from a message: trimmed of a trailing period, kept short. */
static void tx_sentence(struct text *t, const char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '.' || s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	if (n > 400)
		n = 400;
	tx_printf(t, "%.*s", (int)n, s);
}

#define SUMMARY_SOURCES 8

static const char *summarize(struct report *r, const struct incident *inc)
{
	struct text t = { 0 };
	const struct finding *cause = &r->findings[inc->findings[0]];
	tx_printf(&t, "What happened: ");
	tx_sentence(&t, cause->title);
	tx_printf(&t, ": ");
	tx_sentence(&t, cause->message ? cause->message : "");
	tx_printf(&t, ".");
	/* the rest, each distinct title once, with how often it was found */
	unsigned same = 0;
	for (unsigned i = 1; i < inc->nfindings; i++)
		same += !strcmp(r->findings[inc->findings[i]].title, cause->title);
	if (same)
		tx_printf(&t, " Found %u times.", same + 1);
	unsigned listed = 0, omitted = 0;
	for (unsigned i = 1; i < inc->nfindings; i++) {
		const char *ti = r->findings[inc->findings[i]].title;
		bool seen = !strcmp(ti, cause->title);
		for (unsigned k = 1; k < i && !seen; k++)
			seen = !strcmp(r->findings[inc->findings[k]].title, ti);
		if (seen)
			continue;
		if (listed == 5) {
			omitted++;
			continue;
		}
		unsigned n = 0;
		for (unsigned k = i; k < inc->nfindings; k++)
			n += !strcmp(r->findings[inc->findings[k]].title, ti);
		tx_printf(&t, listed ? "; " : " Then: ");
		tx_sentence(&t, ti);
		if (n > 1)
			tx_printf(&t, " (%u times)", n);
		listed++;
	}
	if (omitted)
		tx_printf(&t, "; and %u more kinds of finding", omitted);
	if (listed)
		tx_printf(&t, ".");
	/* where: the first flow cited, and the vantage points that saw it */
	const struct flow *flow = NULL;
	uint16_t srcs[SUMMARY_SOURCES];
	unsigned nsrcs = 0;
	for (unsigned i = 0; i < inc->nfindings; i++) {
		const struct finding *f = &r->findings[inc->findings[i]];
		for (unsigned e = 0; e < f->nevidence; e++) {
			const struct evidence *ev = &f->evidence[e];
			if (!flow && ev->has_flow && ev->flow.src.family)
				flow = &ev->flow;
			bool have = false;
			for (unsigned k = 0; k < nsrcs; k++)
				have |= srcs[k] == ev->source;
			if (!have && nsrcs < SUMMARY_SOURCES)
				srcs[nsrcs++] = ev->source;
		}
	}
	char a[40], b[40], d[48];
	report_clock_ms(inc->first_ts, a, sizeof a);
	report_clock_ms(inc->last_ts, b, sizeof b);
	format_duration(inc->last_ts - inc->first_ts, d, sizeof d);
	tx_printf(&t, " Where: ");
	if (flow) {
		/* client first: the endpoint with the higher (ephemeral) port */
		struct flow o = *flow;
		if (o.sport < o.dport) {
			o.src = flow->dst;
			o.dst = flow->src;
			o.sport = flow->dport;
			o.dport = flow->sport;
		}
		char fl[160];
		flow_format(&o, fl, sizeof fl);
		tx_printf(&t, "%s, ", fl);
	}
	if (nsrcs) {
		tx_printf(&t, "seen at ");
		for (unsigned k = 0; k < nsrcs; k++)
			tx_printf(&t, "%s%s", k ? ", " : "", report_label(r, srcs[k]));
		tx_printf(&t, ", ");
	}
	tx_printf(&t, "from %s to %s UTC (%s).", a, b, d);
	const char *advice = NULL;
	for (unsigned i = 0; i < inc->nfindings && !advice; i++)
		advice = r->findings[inc->findings[i]].advice;
	if (advice) {
		tx_printf(&t, " What to do: ");
		tx_sentence(&t, advice);
		tx_printf(&t, ".");
	}
	char *out = arena_strndup(&r->mem, t.p ? t.p : "", t.len);
	free(t.p);
	return out;
}

void incident_group(struct report *r)
{
	report_index_pkts(r);   /* for the writers' per-incident packet look-ups */
	r->incidents = NULL;
	r->nincidents = 0;
	size_t n = r->nfindings;
	if (!n)
		return;
	unsigned *parent = xmalloc(n * sizeof *parent);
	int64_t *lo = xmalloc(n * sizeof *lo), *hi = xmalloc(n * sizeof *hi);
	int *rank = xmalloc(n * sizeof *rank);
	for (size_t i = 0; i < n; i++) {
		parent[i] = (unsigned)i;
		finding_span(&r->findings[i], &lo[i], &hi[i]);
		rank[i] = incident_rank(&r->findings[i]);
	}
	link_near_in_time(n, lo, hi, parent);
	link_shared_keys(r, parent);
	/* incidents in order of their lowest finding index, then sorted */
	size_t ninc = 0;
	int *slot = xmalloc(n * sizeof *slot);
	for (size_t i = 0; i < n; i++)
		slot[i] = -1;
	for (size_t i = 0; i < n; i++) {
		unsigned root = uf_find(parent, (unsigned)i);
		if (slot[root] < 0)
			slot[root] = (int)ninc++;
	}
	struct incident *inc = arena_alloc(&r->mem, ninc * sizeof *inc);
	for (size_t i = 0; i < ninc; i++)
		inc[i].findings = arena_alloc(&r->mem, n * sizeof(unsigned));
	for (size_t i = 0; i < n; i++) {
		struct incident *x = &inc[slot[uf_find(parent, (unsigned)i)]];
		if (!x->nfindings) {
			x->severity = r->findings[i].severity;
			x->first_ts = lo[i];
			x->last_ts = hi[i];
		}
		x->findings[x->nfindings++] = (unsigned)i;
		if (r->findings[i].severity > x->severity)
			x->severity = r->findings[i].severity;
		if (lo[i] < x->first_ts)
			x->first_ts = lo[i];
		if (hi[i] > x->last_ts)
			x->last_ts = hi[i];
	}
	for (size_t i = 0; i < ninc; i++)
		for (unsigned k = 0; k < inc[i].nfindings; k++) {
			unsigned f = inc[i].findings[k];
			if (r->findings[f].severity < inc[i].severity &&
			    finding_is_latency(&r->findings[f], rank[f]))
				rank[f] = RANK_LATENCY_CONTEXT;
		}
	struct order_ctx oc = { r->findings, rank };
	for (size_t i = 0; i < ninc; i++)
		qsort_r(inc[i].findings, inc[i].nfindings, sizeof(unsigned), cause_cmp, &oc);
	qsort(inc, ninc, sizeof *inc, incident_cmp);
	for (size_t i = 0; i < ninc; i++) {
		for (unsigned k = 0; k < inc[i].nfindings; k++)
			r->findings[inc[i].findings[k]].incident = (int)i;
		inc[i].title = r->findings[inc[i].findings[0]].title;
	}
	r->incidents = inc;
	r->nincidents = ninc;
	for (size_t i = 0; i < ninc; i++)
		inc[i].summary = summarize(r, &inc[i]);
	free(slot);
	free(rank);
	free(lo);
	free(hi);
	free(parent);
}
