/*
 * correlator/analyze/an_arp.c - the ARP analyzer: request rates per sender, at each
 * source separately. Reports
 *   arp.unanswered  a request with no reply within 1 s (at the deadline,
 *                   citing the request)
 *   arp.gratuitous  a request or reply announcing its own address (sender IP
 *                   == target IP), or a reply nobody asked for in the last
 *                   10 s (unsolicited; not in the source's first second,
 *                   whose requests may predate the capture); field reason
 *   arp.burst       one sender asked for >= 20 different targets within 1 ms
 *                   (a sweep, or a cache flush); emitted when the sender pauses
 *                   for 1 ms, citing the request that crossed the threshold.
 *                   Fields: arp.src.proto_ipv4, count (requests in the burst),
 *                   targets (different targets in the crossing window),
 *                   window (first to last request)
 *   arp.summary     per source at the end: requests, replies, gratuitous,
 *                   unanswered, senders, top_senders, and the highest rate of
 *                   one sender per millisecond and per second (peak_per_ms,
 *                   peak_per_s, peak_sender)
 * ARP probes (sender IP 0.0.0.0, RFC 5227) expect no reply and are not
 * tracked as requests.
 * Does not: keep IP-to-MAC tables or detect spoofing.
 * Spec: RFC 826; gratuitous ARP and probes: RFC 5227.
 */
#include "an_common.h"
#include "../core/analyzer.h"
#include "../core/flowtab.h"
#include "pendq.h"
#include "../core/run.h"
#include "topk.h"
#include "../core/util.h"
#include "../core/pkt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARP_TIMEOUT NS_PER_SEC
#define ARP_BURST_COUNT 20
#define ARP_BURST_WINDOW NS_PER_MSEC
#define ARP_RING 32                    /* >= ARP_BURST_COUNT: repeats do not hide targets */
#define ARP_ASKED_MEMORY (10 * NS_PER_SEC)
#define ARP_PEND 4
#define ARP_TOPK 256
#define ARP_TOP_SHOWN 5

struct apend {
	struct an_cause req;
	struct addr sender, target;
};

struct pair {                          /* one sender asking for one target */
	uint16_t source;
	int64_t last_request;
	pendq_handle pend[ARP_PEND];
};

struct sender {
	uint16_t source;
	struct addr addr;
	int64_t ring[ARP_RING];
	struct addr ring_t[ARP_RING];
	unsigned head, n;
	int64_t ms, s;                     /* current calendar ms and second */
	uint64_t ms_count, s_count;
	bool in_burst;
	struct an_cause cross;
	uint64_t count, targets;
	int64_t first, last;
	struct sender *bprev, *bnext;
};

struct src_stats {
	bool seen;
	struct an_cause first;
	uint64_t requests, replies, gratuitous, unanswered, peak_ms, peak_s;
	struct addr peak_ms_sender, peak_s_sender;
	struct topk *senders;
};

struct arp_state {
	const struct run *run;
	struct flowtab *senders, *pairs;
	struct pendq *pq;
	struct sender *bhead;
	struct src_stats *src;
	size_t nsources;
	uint64_t *cap_senders, *cap_pairs, *cap_pending;
	struct emit *out;
	int64_t now;
	struct event ev;
	char msg[1024], top[512];
};

static struct flow key_of(const struct addr *a, const struct addr *b)
{
	struct flow k = { .src = *a, .proto = 0 };
	if (b)
		k.dst = *b;
	else
		k.dst.family = a->family;
	return k;
}

static void burst_unlink(struct arp_state *s, struct sender *x)
{
	if (x->bprev)
		x->bprev->bnext = x->bnext;
	else
		s->bhead = x->bnext;
	if (x->bnext)
		x->bnext->bprev = x->bprev;
	x->bprev = x->bnext = NULL;
	x->in_burst = false;
}

static void end_burst(struct arp_state *s, struct sender *x, int64_t ts)
{
	burst_unlink(s, x);
	struct event *ev = &s->ev;
	an_cause_init(ev, &x->cross, "arp.burst", ts);
	ev_addr(ev, "arp.src.proto_ipv4", &x->addr);
	ev_int(ev, "count", (int64_t)x->count);
	ev_int(ev, "targets", (int64_t)x->targets);
	ev_dur(ev, "window", x->last - x->first);
	char a[64], w[32];
	addr_format(&x->addr, a, sizeof a);
	format_duration(x->last - x->first, w, sizeof w);
	snprintf(s->msg, sizeof s->msg,
		 "ARP burst: %s sent %" PRIu64 " requests for %" PRIu64 " different targets within %s", a,
		 x->count, x->targets, w);
	ev->msg = s->msg;
	emit_event(s->out, ev);
}

static void on_evict_sender(void *ctx, const struct flow *key, void *data, bool by_cap)
{
	struct arp_state *s = ctx;
	struct sender *x = data;
	if (by_cap && x->source < s->nsources)
		s->cap_senders[x->source]++;
	if (x->in_burst) {
		if (s->out)
			end_burst(s, x, s->now);
		else
			burst_unlink(s, x);
	}
}

static void on_evict_pair(void *ctx, const struct flow *key, void *data, bool by_cap)
{
	struct arp_state *s = ctx;
	const struct pair *pr = data;
	if (by_cap && pr->source < s->nsources)
		s->cap_pairs[pr->source]++;
}

static void *arp_create(const struct run *run)
{
	struct arp_state *s = xcalloc(1, sizeof *s);
	s->run = run;
	size_t cap = run->opt.max_sessions;
	s->senders = flowtab_new(sizeof(struct sender), cap, ARP_ASKED_MEMORY, on_evict_sender, s);
	s->pairs = flowtab_new(sizeof(struct pair), cap, ARP_ASKED_MEMORY, on_evict_pair, s);
	s->pq = pendq_new(sizeof(struct apend), cap);
	s->nsources = run->nsources ? run->nsources : 1;
	s->src = xcalloc(s->nsources, sizeof *s->src);
	s->cap_senders = xcalloc(s->nsources, sizeof *s->cap_senders);
	s->cap_pairs = xcalloc(s->nsources, sizeof *s->cap_pairs);
	s->cap_pending = xcalloc(s->nsources, sizeof *s->cap_pending);
	return s;
}

/* The table is direction-agnostic; a direction bit keeps "A asks for B"
 * and "B asks for A" apart. */
static uint32_t pair_extra(uint16_t source, const struct addr *asker, const struct addr *target)
{
	return source | (addr_cmp(asker, target) > 0 ? 1u << 16 : 0);
}

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

static void emit_gratuitous(struct arp_state *s, const struct event *cause, const struct addr *spa,
			    const char *reason)
{
	struct event *ev = &s->ev;
	analysis_init(ev, cause, "arp.gratuitous");
	ev_addr(ev, "arp.src.proto_ipv4", spa);
	ev_cstr(ev, "reason", reason);
	char a[64];
	addr_format(spa, a, sizeof a);
	snprintf(s->msg, sizeof s->msg, "gratuitous ARP for %s: %s", a, reason);
	ev->msg = s->msg;
	emit_event(s->out, ev);
}

/* Rates and bursts for one request of sender x for target t. */
static void count_request(struct arp_state *s, struct sender *x, struct src_stats *ss,
			  const struct event *ev, const struct addr *t)
{
	int64_t ts = ev->ts, ms = floor_div(ts, NS_PER_MSEC), sec = floor_div(ts, NS_PER_SEC);
	x->ms_count = ms == x->ms ? x->ms_count + 1 : 1;
	x->ms = ms;
	x->s_count = sec == x->s ? x->s_count + 1 : 1;
	x->s = sec;
	if (x->ms_count > ss->peak_ms) {
		ss->peak_ms = x->ms_count;
		ss->peak_ms_sender = x->addr;
	}
	if (x->s_count > ss->peak_s) {
		ss->peak_s = x->s_count;
		ss->peak_s_sender = x->addr;
	}
	unsigned slot;
	if (x->n < ARP_RING) {
		slot = (x->head + x->n++) % ARP_RING;
	} else {
		slot = x->head;
		x->head = (x->head + 1) % ARP_RING;
	}
	x->ring[slot] = ts;
	x->ring_t[slot] = *t;
	if (x->in_burst) {
		x->count++;
		x->last = ts;
		return;
	}
	/* requests within the last window, and how many different targets */
	uint64_t in = 0, distinct = 0;
	int64_t first = ts;
	for (unsigned i = 0; i < x->n; i++) {
		unsigned a = (x->head + i) % ARP_RING;
		if (ts - x->ring[a] >= ARP_BURST_WINDOW)
			continue;
		in++;
		if (x->ring[a] < first)
			first = x->ring[a];
		bool dup = false;
		for (unsigned j = 0; j < i && !dup; j++) {
			unsigned b = (x->head + j) % ARP_RING;
			dup = ts - x->ring[b] < ARP_BURST_WINDOW && addr_equal(&x->ring_t[a], &x->ring_t[b]);
		}
		distinct += !dup;
	}
	if (distinct < ARP_BURST_COUNT)
		return;
	x->in_burst = true;
	an_cause_save(&x->cross, ev);
	x->count = in;
	x->targets = distinct;
	x->first = first;
	x->last = ts;
	x->bprev = NULL;
	x->bnext = s->bhead;
	if (s->bhead)
		s->bhead->bprev = x;
	s->bhead = x;
}

static void arp_event(void *st, const struct event *ev, struct emit *out)
{
	struct arp_state *s = st;
	const struct pkt *p = ev->pkt;
	uint16_t op;
	struct addr spa, tpa;
	if (p) {
		if (!(p->layers & PKT_ARP) || p->arp_spa.family != 4)
			return;
		op = p->arp_op;
		spa = p->arp_spa;
		tpa = p->arp_tpa;
	} else {
		int64_t v;
		const struct value *a = event_get(ev, "arp.src.proto_ipv4"), *b = event_get(ev, "arp.dst.proto_ipv4");
		if (strncmp(ev->type, "arp.", 4) || !event_get_int(ev, "arp.opcode", &v) || !a || !b ||
		    a->type != V_ADDR || b->type != V_ADDR)
			return;
		op = (uint16_t)v;
		spa = a->u.a;
		tpa = b->u.a;
	}
	if (op != 1 && op != 2)
		return;
	s->out = out;
	s->now = ev->ts;
	uint16_t si = ev->source < s->nsources ? ev->source : 0;
	struct src_stats *ss = &s->src[si];
	if (!ss->seen) {
		ss->seen = true;
		an_cause_save(&ss->first, ev);
		ss->senders = topk_new(ARP_TOPK);
	}
	static const uint8_t zero[16];
	bool probe = !memcmp(spa.b, zero, 4);
	if (op == 2) {
		ss->replies++;
		if (addr_equal(&spa, &tpa)) {
			ss->gratuitous++;
			emit_gratuitous(s, ev, &spa, "announcement");
			return;
		}
		struct flow k = key_of(&tpa, &spa);
		struct pair *pr = flowtab_get(s->pairs, &k, pair_extra(ev->source, &tpa, &spa), ev->ts,
					      false, NULL, NULL);
		/* within the first second of the source the request may predate
		 * the capture */
		bool early = ev->ts - ss->first.ts < ARP_TIMEOUT;
		if (!early && (!pr || ev->ts - pr->last_request > ARP_ASKED_MEMORY)) {
			ss->gratuitous++;
			emit_gratuitous(s, ev, &spa, "unsolicited reply");
			return;
		}
		if (!pr)
			return;
		for (size_t i = 0; i < ARP_PEND; i++)
			if (pr->pend[i]) {
				pendq_remove(s->pq, pr->pend[i]);
				pr->pend[i] = 0;
			}
		return;
	}
	ss->requests++;
	if (addr_equal(&spa, &tpa)) {
		ss->gratuitous++;
		emit_gratuitous(s, ev, &spa, "announcement");
		return;
	}
	if (probe)
		return;
	topk_add(ss->senders, &spa, sizeof spa);
	struct flow sk = key_of(&spa, NULL);
	bool created;
	struct sender *x = flowtab_get(s->senders, &sk, ev->source, ev->ts, true, &created, NULL);
	if (created) {
		x->source = ev->source;
		x->addr = spa;
		x->ms = x->s = INT64_MIN;
	}
	count_request(s, x, ss, ev, &tpa);

	struct flow k = key_of(&spa, &tpa);
	struct pair *pr = flowtab_get(s->pairs, &k, pair_extra(ev->source, &spa, &tpa), ev->ts, true,
				      NULL, NULL);
	pr->source = ev->source;
	pr->last_request = ev->ts;
	struct apend *a;
	pendq_handle h = pendq_add(s->pq, ev->ts + ARP_TIMEOUT, (void **)&a);
	if (!h) {
		s->cap_pending[si]++;
		return;
	}
	an_cause_save(&a->req, ev);
	a->sender = spa;
	a->target = tpa;
	for (size_t i = 0; i < ARP_PEND; i++)
		if (!pr->pend[i] || !pendq_get(s->pq, pr->pend[i])) {
			pr->pend[i] = h;
			return;
		}
	memmove(pr->pend, pr->pend + 1, (ARP_PEND - 1) * sizeof *pr->pend);
	pr->pend[ARP_PEND - 1] = h;
}

static void emit_unanswered(struct arp_state *s, const struct apend *a, int64_t deadline)
{
	if (a->req.source < s->nsources)
		s->src[a->req.source].unanswered++;
	struct event *ev = &s->ev;
	an_cause_init(ev, &a->req, "arp.unanswered", deadline);
	ev_addr(ev, "arp.src.proto_ipv4", &a->sender);
	ev_addr(ev, "arp.dst.proto_ipv4", &a->target);
	ev_dur(ev, "timeout", ARP_TIMEOUT);
	char x[64], t[64];
	addr_format(&a->sender, x, sizeof x);
	addr_format(&a->target, t, sizeof t);
	snprintf(s->msg, sizeof s->msg, "ARP request from %s for %s (#%" PRIu64 ") got no reply within 1 s",
		 x, t, a->req.ref);
	ev->msg = s->msg;
	emit_event(s->out, ev);
}

static void arp_tick(void *st, int64_t now, struct emit *out)
{
	struct arp_state *s = st;
	s->out = out;
	s->now = now;
	struct apend a;
	int64_t deadline;
	while (pendq_pop_due(s->pq, now, &a, &deadline))
		emit_unanswered(s, &a, deadline);
	for (struct sender *x = s->bhead, *n; x; x = n) {
		n = x->bnext;
		if (x->last + ARP_BURST_WINDOW <= now)
			end_burst(s, x, x->last + ARP_BURST_WINDOW);
	}
	flowtab_expire(s->senders, now);
	flowtab_expire(s->pairs, now);
}

static void emit_summary(struct arp_state *s, uint16_t si, int64_t ts)
{
	struct src_stats *ss = &s->src[si];
	struct event *ev = &s->ev;
	an_cause_init(ev, &ss->first, "arp.summary", ts);
	ev_int(ev, "requests", (int64_t)ss->requests);
	ev_int(ev, "replies", (int64_t)ss->replies);
	ev_int(ev, "gratuitous", (int64_t)ss->gratuitous);
	ev_int(ev, "unanswered", (int64_t)ss->unanswered);
	ev_int(ev, "senders", (int64_t)topk_distinct(ss->senders));
	ev_int(ev, "peak_per_ms", (int64_t)ss->peak_ms);
	ev_int(ev, "peak_per_s", (int64_t)ss->peak_s);
	char pm[64] = "-", ps[64] = "-";
	if (ss->peak_ms) {
		addr_format(&ss->peak_ms_sender, pm, sizeof pm);
		addr_format(&ss->peak_s_sender, ps, sizeof ps);
		ev_addr(ev, "peak_sender", &ss->peak_ms_sender);
	}
	const struct topk_item *it[ARP_TOP_SHOWN];
	size_t n = topk_top(ss->senders, it, ARP_TOP_SHOWN), o = 0;
	s->top[0] = '\0';
	for (size_t i = 0; i < n && o < sizeof s->top; i++) {
		struct addr a = { 0 };
		memcpy(&a, it[i]->key, it[i]->len < sizeof a ? it[i]->len : sizeof a);
		char k[64];
		addr_format(&a, k, sizeof k);
		int w = snprintf(s->top + o, sizeof s->top - o, "%s%s (%" PRIu64 ")", i ? ", " : "", k,
				 it[i]->count);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	ev_cstr(ev, "top_senders", s->top);
	snprintf(s->msg, sizeof s->msg,
		 "ARP: %" PRIu64 " requests, %" PRIu64 " replies, %" PRIu64 " gratuitous, %" PRIu64
		 " unanswered; peak %" PRIu64 "/ms (%s), %" PRIu64 "/s (%s); top senders %s",
		 ss->requests, ss->replies, ss->gratuitous, ss->unanswered, ss->peak_ms, pm, ss->peak_s, ps,
		 s->top[0] ? s->top : "-");
	ev->msg = s->msg;
	emit_event(s->out, ev);
}

static void arp_finish(void *st, struct emit *out)
{
	struct arp_state *s = st;
	s->out = out;
	for (;;) {
		int64_t t = INT64_MAX, d;
		if (pendq_peek(s->pq, &d))
			t = d;
		for (struct sender *x = s->bhead; x; x = x->bnext)
			if (x->last + ARP_BURST_WINDOW < t)
				t = x->last + ARP_BURST_WINDOW;
		if (t == INT64_MAX)
			break;
		arp_tick(s, t, out);
	}
	for (size_t i = 0; i < s->nsources; i++) {
		if (s->src[i].seen)
			emit_summary(s, (uint16_t)i, s->now);
		size_t cap = s->run->opt.max_sessions;
		an_note_cap(s->run, (uint16_t)i, "arp", s->cap_senders[i], "senders evicted", cap);
		an_note_cap(s->run, (uint16_t)i, "arp", s->cap_pairs[i], "sender/target pairs evicted", cap);
		an_note_cap(s->run, (uint16_t)i, "arp", s->cap_pending[i], "requests not tracked", cap);
	}
	s->out = NULL;
}

static void arp_destroy(void *st)
{
	struct arp_state *s = st;
	s->out = NULL;
	flowtab_free(s->senders);
	flowtab_free(s->pairs);
	pendq_free(s->pq);
	for (size_t i = 0; i < s->nsources; i++)
		topk_free(s->src[i].senders);
	free(s->src);
	free(s->cap_senders);
	free(s->cap_pairs);
	free(s->cap_pending);
	free(s);
}

const struct analyzer analyzer_arp = {
	.name = "arp",
	.summary = "ARP request rates per sender, bursts, unanswered requests, gratuitous ARP",
	.create = arp_create,
	.event = arp_event,
	.tick = arp_tick,
	.finish = arp_finish,
	.destroy = arp_destroy,
};
