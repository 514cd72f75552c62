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
 *   arp.burst_outcome  what followed a burst, 30 s after it (or at the end):
 *                   the burst's numbers, how many targets answered, whether
 *                   the sender announced itself (gratuitous ARP from 10 s
 *                   before the burst on), and every TCP reset between the
 *                   sender and a target it had just re-resolved, with how
 *                   long that session had been idle and its service. verdict:
 *                   host_teardown (the sender itself reset sessions to peers
 *                   that answered, without announcing itself), failover
 *                   (gratuitous ARP, most targets silent, or the peers reset),
 *                   none (nothing followed). Cites the burst's first request,
 *                   the announcement and the resets.
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
#include "../core/sessions.h"
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
#define ARP_FOLLOW (30 * NS_PER_SEC)   /* what follows a burst is judged this long */
#define ARP_GRAT_BEFORE (10 * NS_PER_SEC)
#define ARP_WATCHES 16                 /* bursts followed at once; more are not judged */
#define ARP_WATCH_TARGETS 256
#define ARP_WATCH_RESETS 16
#define ARP_GRAT_KEEP 16

struct wreset {
	uint64_t ref;
	uint16_t file;
	int64_t ts, idle;                  /* idle < 0: the session's earlier packets unseen */
	struct flow flow;
	bool by_host, peer_answered;
};

/* A burst being followed: its targets, their answers, announcements, resets. */
struct watch {
	uint16_t source;
	struct addr host;
	struct an_cause cross;
	uint64_t first_ref;
	uint16_t first_file;
	int64_t first, last, deadline;
	uint64_t count, distinct;
	bool open;                         /* the burst is still going */
	struct addr t[ARP_WATCH_TARGETS];
	bool answered[ARP_WATCH_TARGETS];
	unsigned nt;
	bool grat;
	uint64_t grat_ref;
	uint16_t grat_file;
	int64_t grat_ts;
	struct wreset r[ARP_WATCH_RESETS];
	unsigned nr;
	uint64_t resets;
};

struct tcpseen {                       /* last packet of a TCP session */
	int64_t ts;
};

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
	uint64_t ring_ref[ARP_RING];
	uint16_t ring_file[ARP_RING];
	struct watch *w;                   /* the watch of the current burst */
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
	struct watch *watch[ARP_WATCHES];
	unsigned nwatch;
	struct { struct addr a; uint16_t source, file; uint64_t ref; int64_t ts; } grat[ARP_GRAT_KEEP];
	unsigned ngrat, grat_head;
	struct flowtab *tcp;
	char sessions[1024], services[256], cite[2048];
};

static void emit_outcome(struct arp_state *s, struct watch *w, int64_t ts);

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
	if (x->w) {
		x->w->open = false;
		x->w->count = x->count;
		x->w->last = x->last;
		x->w->deadline = x->last + ARP_FOLLOW;
		x->w = NULL;
	}
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
	if (x->w) {     /* evicted mid-burst without output: the watch goes on */
		x->w->open = false;
		x->w->deadline = x->last + ARP_FOLLOW;
		x->w = NULL;
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
	s->tcp = flowtab_new(sizeof(struct tcpseen), cap, run->opt.session_timeout, NULL, NULL);
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
	unsigned k = (s->grat_head + s->ngrat) % ARP_GRAT_KEEP;
	if (s->ngrat < ARP_GRAT_KEEP)
		s->ngrat++;
	else
		s->grat_head = (s->grat_head + 1) % ARP_GRAT_KEEP;
	s->grat[k].a = *spa;
	s->grat[k].source = cause->source;
	s->grat[k].file = cause->file;
	s->grat[k].ref = cause->ref;
	s->grat[k].ts = cause->ts;
	for (unsigned i = 0; i < s->nwatch; i++) {
		struct watch *w = s->watch[i];
		if (!w->grat && w->source == cause->source && addr_equal(&w->host, spa)) {
			w->grat = true;
			w->grat_ref = cause->ref;
			w->grat_file = cause->file;
			w->grat_ts = cause->ts;
		}
	}
	char a[64];
	addr_format(spa, a, sizeof a);
	snprintf(s->msg, sizeof s->msg, "gratuitous ARP for %s: %s", a, reason);
	ev->msg = s->msg;
	emit_event(s->out, ev);
}

static int watch_find(const struct watch *w, const struct addr *t)
{
	for (unsigned i = 0; i < w->nt; i++)
		if (addr_equal(&w->t[i], t))
			return (int)i;
	return -1;
}

static void watch_target(struct watch *w, const struct addr *t)
{
	if (w->nt < ARP_WATCH_TARGETS && watch_find(w, t) < 0)
		w->t[w->nt++] = *t;
}

/* A TCP packet: the idle time of its session, and resets after a burst. */
static void tcp_packet(struct arp_state *s, const struct event *ev, const struct pkt *p)
{
	struct flow f = { .src = p->src, .dst = p->dst, .sport = p->sport, .dport = p->dport, .proto = 6 };
	bool created;
	struct tcpseen *t = flowtab_get_ref(s->tcp, session_ref(ev, SESSION_REF_ARP), &f, ev->source, ev->ts,
					    true, &created, NULL);
	if (!t)
		return;
	int64_t idle = created ? -1 : ev->ts - t->ts;
	t->ts = ev->ts;
	if (!(p->tcp_flags & 0x04) || !s->nwatch)
		return;
	for (unsigned i = 0; i < s->nwatch; i++) {
		struct watch *w = s->watch[i];
		if (w->source != ev->source || ev->ts < w->first || ev->ts > w->deadline)
			continue;
		bool by_host = addr_equal(&p->src, &w->host);
		if (!by_host && !addr_equal(&p->dst, &w->host))
			continue;
		int k = watch_find(w, by_host ? &p->dst : &p->src);
		if (k < 0)
			continue;
		bool seen = false;
		for (unsigned j = 0; j < w->nr && !seen; j++)
			seen = flow_same_session(&w->r[j].flow, &f);
		if (seen)
			continue;
		w->resets++;
		if (w->nr < ARP_WATCH_RESETS) {
			struct wreset *r = &w->r[w->nr++];
			r->ref = ev->ref;
			r->file = ev->file;
			r->ts = ev->ts;
			r->idle = idle;
			r->flow = f;
			r->by_host = by_host;
			r->peer_answered = w->answered[k];
		}
	}
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
	x->ring_ref[slot] = ev->ref;
	x->ring_file[slot] = ev->file;
	if (x->in_burst) {
		x->count++;
		x->last = ts;
		if (x->w)
			watch_target(x->w, t);
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
	x->w = NULL;
	if (s->nwatch == ARP_WATCHES)
		return;
	struct watch *w = xcalloc(1, sizeof *w);
	s->watch[s->nwatch++] = w;
	x->w = w;
	w->source = ev->source;
	w->host = x->addr;
	w->cross = x->cross;
	w->first = first;
	w->last = ts;
	w->distinct = distinct;
	w->open = true;
	w->deadline = INT64_MAX;
	bool have_first = false;
	for (unsigned i = 0; i < x->n; i++) {
		unsigned a = (x->head + i) % ARP_RING;
		if (ts - x->ring[a] >= ARP_BURST_WINDOW)
			continue;
		if (!have_first) {
			have_first = true;
			w->first_ref = x->ring_ref[a];
			w->first_file = x->ring_file[a];
		}
		watch_target(w, &x->ring_t[a]);
	}
	for (unsigned i = 0; i < s->ngrat; i++) {   /* an announcement just before */
		unsigned k = (s->grat_head + i) % ARP_GRAT_KEEP;
		if (s->grat[k].source == w->source && addr_equal(&s->grat[k].a, &w->host) &&
		    first - s->grat[k].ts <= ARP_GRAT_BEFORE) {
			w->grat = true;
			w->grat_ref = s->grat[k].ref;
			w->grat_file = s->grat[k].file;
			w->grat_ts = s->grat[k].ts;
			break;
		}
	}
}

static void arp_event(void *st, const struct event *ev, struct emit *out)
{
	struct arp_state *s = st;
	const struct pkt *p = ev->pkt;
	uint16_t op;
	struct addr spa, tpa;
	if (p && (p->layers & PKT_TCP) && !(p->layers & PKT_FRAG)) {
		s->out = out;
		s->now = ev->ts;
		tcp_packet(s, ev, p);
		return;
	}
	if (p) {
		if (!(p->layers & PKT_ARP) || p->arp_spa.family != 4)
			return;
		op = p->arp_op;
		spa = p->arp_spa;
		tpa = p->arp_tpa;
	} else {
		/* the type first: most log events are not ARP, and the field
		 * lookups below compare names */
		if (strncmp(ev->type, "arp.", 4))
			return;
		int64_t v;
		const struct value *a = event_get(ev, "arp.src.proto_ipv4"), *b = event_get(ev, "arp.dst.proto_ipv4");
		if (!event_get_int(ev, "arp.opcode", &v) || !a || !b || a->type != V_ADDR || b->type != V_ADDR)
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
		for (unsigned i = 0; i < s->nwatch; i++) {
			struct watch *w = s->watch[i];
			int t;
			if (w->source == ev->source && addr_equal(&w->host, &tpa) && (t = watch_find(w, &spa)) >= 0)
				w->answered[t] = true;
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
	for (unsigned i = 0; i < s->nwatch;) {
		struct watch *w = s->watch[i];
		if (!w->open && w->deadline <= now) {
			emit_outcome(s, w, w->deadline);
			free(w);
			s->watch[i] = s->watch[--s->nwatch];
		} else {
			i++;
		}
	}
	flowtab_expire(s->tcp, now);
	flowtab_expire(s->senders, now);
	flowtab_expire(s->pairs, now);
}

static const char *service_name(uint16_t port)
{
	switch (port) {
	case 22: return "ssh";
	case 25: return "smtp";
	case 53: return "dns";
	case 80: return "http";
	case 88: return "kerberos";
	case 135: return "msrpc";
	case 139: return "netbios";
	case 389: return "ldap";
	case 443: return "https";
	case 445: return "smb";
	case 636: return "ldaps";
	case 1433: return "mssql";
	case 1521: return "oracle";
	case 3268: return "ldap-gc";
	case 3306: return "mysql";
	case 3389: return "rdp";
	case 5432: return "postgresql";
	case 5985: return "winrm";
	case 8080: return "http-alt";
	default: return NULL;
	}
}

static void emit_outcome(struct arp_state *s, struct watch *w, int64_t ts)
{
	unsigned answered = 0, host_resets = 0, host_resets_answered = 0;
	for (unsigned i = 0; i < w->nt; i++)
		answered += w->answered[i];
	int64_t max_idle = -1, min_idle = -1;
	size_t o = 0, so = 0, co = 0;
	s->sessions[0] = s->services[0] = s->cite[0] = '\0';
	an_cite(s->cite, sizeof s->cite, &co, w->first_ref, w->first_file, w->first, "[arp.request] the burst's first request");
	if (w->cross.ref != w->first_ref || w->cross.file != w->first_file)
		an_cite(s->cite, sizeof s->cite, &co, w->cross.ref, w->cross.file, w->cross.ts,
			"[arp.request] the request that made %u targets within 1 ms", ARP_BURST_COUNT);
	if (w->grat)
		an_cite(s->cite, sizeof s->cite, &co, w->grat_ref, w->grat_file, w->grat_ts,
			"[arp.gratuitous] the sender announced itself (gratuitous ARP)");
	for (unsigned i = 0; i < w->nr; i++) {
		const struct wreset *r = &w->r[i];
		if (r->by_host) {
			host_resets++;
			host_resets_answered += r->peer_answered;
		}
		if (r->idle >= 0 && r->idle > max_idle)
			max_idle = r->idle;
		if (r->idle >= 0 && (min_idle < 0 || r->idle < min_idle))
			min_idle = r->idle;
		/* the service: the well-known (lower) port of the session */
		uint16_t sp = r->flow.sport < r->flow.dport ? r->flow.sport : r->flow.dport;
		const char *svc = service_name(sp);
		char port[16], fl[128], idle[48] = "since before the capture";
		snprintf(port, sizeof port, "%u", sp);
		flow_format(&r->flow, fl, sizeof fl);
		if (r->idle >= 0)
			format_duration(r->idle, idle, sizeof idle);
		if (o < sizeof s->sessions - 200) {
			o += (size_t)snprintf(s->sessions + o, sizeof s->sessions - o, "%s%s (%s/%s, idle %s, reset by %s)",
					      o ? "; " : "", fl, svc ? svc : "tcp", port, idle,
					      r->by_host ? "the sender" : "the peer");
			if (o >= sizeof s->sessions)
				o = sizeof s->sessions - 1;
		}
		char one[32];
		snprintf(one, sizeof one, "%s/%s", svc ? svc : "tcp", port);
		if (!strstr(s->services, one) && so < sizeof s->services - 40)
			so += (size_t)snprintf(s->services + so, sizeof s->services - so, "%s%s", so ? ", " : "", one);
		an_cite(s->cite, sizeof s->cite, &co, r->ref, r->file, r->ts, "[tcp.rst] reset of %s (idle %s)", fl, idle);
	}
	unsigned unanswered = w->nt - answered;
	const char *verdict;
	if (w->grat || (w->nt && unanswered * 2 > w->nt) || (w->resets && !host_resets))
		verdict = "failover";
	else if (host_resets_answered)
		verdict = "host_teardown";
	else if (w->resets)
		verdict = "failover";
	else
		verdict = "none";
	struct event *ev = &s->ev;
	an_cause_init(ev, &w->cross, "arp.burst_outcome", ts);
	ev_addr(ev, "arp.src.proto_ipv4", &w->host);
	ev_int(ev, "count", (int64_t)w->count);
	ev_int(ev, "targets", (int64_t)w->nt);
	ev_dur(ev, "window", w->last - w->first);
	ev_int(ev, "answered", answered);
	ev_int(ev, "unanswered", unanswered);
	ev_bool(ev, "gratuitous", w->grat);
	ev_int(ev, "resets", (int64_t)w->resets);
	ev_int(ev, "host_resets", host_resets);
	if (max_idle >= 0) {
		ev_dur(ev, "max_idle", max_idle);
		ev_dur(ev, "min_idle", min_idle);
	}
	ev_cstr(ev, "sessions", o ? s->sessions : "none");
	ev_cstr(ev, "services", so ? s->services : "none");
	ev_cstr(ev, "verdict", verdict);
	ev_cstr(ev, "cite", s->cite);
	char a[64], win[32];
	addr_format(&w->host, a, sizeof a);
	format_duration(w->last - w->first, win, sizeof win);
	snprintf(s->msg, sizeof s->msg,
		 "after the ARP burst of %s (%" PRIu64 " requests for %u targets within %s): %u answered, %s"
		 "%" PRIu64 " TCP resets to those peers (%u by the sender): %s",
		 a, w->count, w->nt, win, answered, w->grat ? "announced itself, " : "", w->resets, host_resets,
		 verdict);
	ev->msg = s->msg;
	emit_event(s->out, ev);
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
	/* bursts still followed: judged on what the capture holds */
	while (s->nwatch) {
		struct watch *w = s->watch[--s->nwatch];
		int64_t ts = s->now > w->last ? s->now : w->last;
		emit_outcome(s, w, ts < w->deadline ? ts : w->deadline);
		free(w);
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
	flowtab_free(s->tcp);
	for (unsigned i = 0; i < s->nwatch; i++)
		free(s->watch[i]);
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
	.emits = "arp",
	.summary = "ARP request rates per sender, bursts, unanswered requests, gratuitous ARP",
	.create = arp_create,
	.event = arp_event,
	.tick = arp_tick,
	.finish = arp_finish,
	.destroy = arp_destroy,
};
