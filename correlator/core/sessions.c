/*
 * correlator/core/sessions.c - session ids and summaries (see sessions.h).
 */
#include "sessions.h"
#include "flowtab.h"
#include "run.h"
#include "util.h"
#include "pkt.h"

#include <stdlib.h>
#include <string.h>

#define SESSIONS_KEEP 500

struct sessions {
	struct flowtab *live;
	struct session_row *kept;  /* min-heap by packets, SESSIONS_KEEP rows */
	size_t nkept;
	uint64_t next_id, total;
	uint64_t evicted_cap;  /* carried over when the live table is closed */
	size_t peak;
	bool sorted;
	sessions_alias_fn alias;  /* NAT: key a flow by its peer at another vantage */
	void *alias_ctx;
};

/* A live session: its counts (evicting makes them a row of the kept list,
 * with the table's key) and the analyzers' references (sessions.h). */
struct live {
	struct session_counts c;
	struct flowtab_ref refs[SESSION_NREF * SESSION_REF_WAYS];
};

static uint64_t row_pkts(const struct session_row *r) { return r->c.pkts[0] + r->c.pkts[1]; }

static void heap_down(struct session_row *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && row_pkts(&h[l]) < row_pkts(&h[m]))
			m = l;
		if (r < n && row_pkts(&h[r]) < row_pkts(&h[m]))
			m = r;
		if (m == i)
			return;
		struct session_row t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_up(struct session_row *h, size_t i)
{
	while (i) {
		size_t p = (i - 1) / 2;
		if (row_pkts(&h[i]) >= row_pkts(&h[p]))
			return;
		struct session_row t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

static void keep_row(struct sessions *s, const struct session_row *r)
{
	if (s->nkept < SESSIONS_KEEP) {
		s->kept[s->nkept] = *r;
		heap_up(s->kept, s->nkept++);
	} else if (row_pkts(r) > row_pkts(&s->kept[0])) {
		s->kept[0] = *r;
		heap_down(s->kept, s->nkept, 0);
	}
}

static void on_evict(void *ctx, const struct flow *key, void *data, bool by_cap)
{
	(void)by_cap;
	struct session_row r = { .key = *key, .c = ((struct live *)data)->c };
	keep_row(ctx, &r);
}

struct sessions *sessions_new(const struct run *run)
{
	struct sessions *s = xcalloc(1, sizeof *s);
	s->kept = xcalloc(SESSIONS_KEEP, sizeof *s->kept);
	s->live = flowtab_new(sizeof(struct live), run->opt.max_sessions,
			      run->opt.session_timeout, on_evict, s);
	return s;
}

void sessions_free(struct sessions *s)
{
	if (!s)
		return;
	flowtab_free(s->live);
	free(s->kept);
	free(s);
}

/* A packet's share of its session's counts: per direction and vantage. */
static void count_packet(struct session_counts *r, const struct pkt *p, bool rev, uint16_t source)
{
	int d = rev ? 1 : 0;
	r->pkts[d]++;
	r->bytes[d] += p->wirelen;
	r->tcp_flags |= p->tcp_flags;
	unsigned i;
	for (i = 0; i < r->nsources; i++)
		if (r->sources[i] == source)
			break;
	if (i == r->nsources && r->nsources < SESSION_MAX_VANTAGE)
		r->sources[r->nsources++] = source;
	if (i < r->nsources)
		r->source_pkts[i]++;
}

void sessions_stamp(struct sessions *s, struct event *ev)
{
	ev->sess_refs = NULL;
	ev->alias = NULL;
	if (!(ev->flags & EV_HAS_FLOW))
		return;
	bool created, rev;
	struct flow alias;
	const struct flow *key = &ev->flow;
	if (s->alias && (ev->alias = s->alias(s->alias_ctx, ev->source, &ev->flow, &alias)))
		key = &alias;
	struct live *l = flowtab_get(s->live, key, 0, ev->ts, true, &created, &rev);
	struct session_counts *r = &l->c;
	if (created) {
		r->id = ++s->next_id;
		r->first = ev->ts;
		s->total++;
	}
	if (ev->ts < r->first)
		r->first = ev->ts;
	if (ev->ts > r->last)
		r->last = ev->ts;
	ev->session = r->id;
	ev->sess_refs = l->refs;
	/* the analyzers' entries for it load while the sinks see the event */
	for (unsigned i = 0; i < SESSION_NREF; i++)
		flowtab_prefetch(session_ref(ev, i));
	if (ev->pkt)
		count_packet(r, ev->pkt, rev, ev->source);
	/* drop sessions idle past the timeout, oldest first; a log line's
	 * session ages out like a packet's */
	flowtab_expire(s->live, ev->ts);
}

void sessions_set_alias(struct sessions *s, sessions_alias_fn fn, void *ctx)
{
	s->alias = fn;
	s->alias_ctx = ctx;
}

void sessions_finish(struct sessions *s)
{
	s->evicted_cap += flowtab_evicted_cap(s->live);
	if (flowtab_peak(s->live) > s->peak)
		s->peak = flowtab_peak(s->live);
	flowtab_free(s->live);  /* evicts every live session into the kept list */
	s->live = flowtab_new(sizeof(struct live), 0, 0, on_evict, s);
}

static int by_pkts_desc(const void *a, const void *b)
{
	uint64_t x = row_pkts(a), y = row_pkts(b);
	if (x != y)
		return x > y ? -1 : 1;
	const struct session_row *r = a, *q = b;
	return r->c.first < q->c.first ? -1 : r->c.first > q->c.first;
}

const struct session_row *sessions_rows(const struct sessions *s, size_t *n)
{
	struct sessions *m = (struct sessions *)s;
	if (!m->sorted) {
		qsort(m->kept, m->nkept, sizeof *m->kept, by_pkts_desc);
		m->sorted = true;
	}
	*n = s->nkept;
	return s->kept;
}

uint64_t sessions_total(const struct sessions *s) { return s->total; }
uint64_t sessions_evicted_cap(const struct sessions *s)
{
	return s->evicted_cap + flowtab_evicted_cap(s->live);
}

size_t sessions_peak(const struct sessions *s)
{
	size_t p = flowtab_peak(s->live);
	return p > s->peak ? p : s->peak;
}
