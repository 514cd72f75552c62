/*
 * correlator/analyze/an_dns.c - the DNS analyzer: query rates per client and per
 * name, at each source separately. Reports
 *   dns.unanswered  a query with no response (same id and question, to the
 *                   client's address and port) within 2 s; at the deadline,
 *                   citing the query
 *   dns.burst       one client sent >= 50 queries within 1 s; emitted when the
 *                   rate falls below that again (or at the end), citing the
 *                   query that crossed the threshold and the first queries of
 *                   the burst ("cite"). The burst starts at the first of the 50
 *                   queries that crossed. Fields: ip.src, count (queries in the
 *                   burst), window (first to last query), peak_qps (most queries
 *                   in one calendar second), mean_qps (count over the window, at
 *                   least 1 s), names (the most queried names with their counts,
 *                   exact up to 64 distinct names; for the 49 queries before
 *                   the crossing, names are kept to 127 bytes and up to 16
 *                   different ones) and dns.qry.name (the
 *                   first of them); the answers the client got from the burst's
 *                   first query on: responses, noerror, nxdomain, servfail,
 *                   nxdomain_ratio and servfail_ratio (of responses)
 *   dns.summary     per source at the end: queries, responses, nxdomain,
 *                   nxdomain_ratio, unanswered, distinct clients and names,
 *                   peak_qps (most queries in one calendar second), qps (the
 *                   average), duration, top_clients, top_names (counts in brackets;
 *                   Space-Saving estimates past 512 distinct keys)
 * Does not: follow DNS over TCP, or check answers against each other.
 * Spec: RFC 1035 (id, question, RCODE 3 = NXDOMAIN).
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

#define DNS_TIMEOUT (2 * NS_PER_SEC)
#define DNS_BURST_COUNT 50
#define DNS_BURST_WINDOW NS_PER_SEC
#define DNS_CLIENT_IDLE (10 * NS_PER_SEC)
#define DNS_PEND 8
#define DNS_TOPK 512
#define DNS_TOP_SHOWN 5
#define DNS_BURST_NAMES 64      /* distinct names counted exactly in a burst */
#define DNS_RNAME 128           /* name kept per query of the window */
#define DNS_CITE_FIRST 5        /* first queries of a burst cited */
#define DNS_DICT_MAX 16         /* different names kept for the queries before a crossing */
#define DNS_DICT_NONE 0xff

struct qpend {
	struct an_cause q;
	struct addr client, server;
	uint16_t cport, sport, id;
	uint64_t qhash;
	char qname[256];
};

struct qindex {
	pendq_handle pend[DNS_PEND];
};

struct hot {              /* a client sending queries close together */
	int64_t ring[DNS_BURST_COUNT];
	uint64_t rref[DNS_BURST_COUNT];
	uint16_t rfile[DNS_BURST_COUNT];
	uint8_t rname[DNS_BURST_COUNT];  /* index into dict, DNS_DICT_NONE: not kept */
	char (*dict)[DNS_RNAME];         /* the different names of the window */
	uint64_t *dict_h;
	unsigned ndict, dict_cap;
	unsigned head, n;     /* head: oldest of the last n */
	uint64_t responses, noerror, nxdomain, servfail;  /* answers in the burst */
	int64_t ans_ts[DNS_BURST_COUNT];  /* the last answers before a burst */
	uint8_t ans_rc[DNS_BURST_COUNT];
	unsigned ans_head, ans_n;
	struct { uint64_t ref; uint16_t file; int64_t ts; } first_q[DNS_CITE_FIRST];
	unsigned nfirst;
	uint64_t last_ref;
	uint16_t last_file;
	bool in_burst;
	struct an_cause cross;
	int64_t burst_first, burst_last, sec;
	uint64_t count, sec_count, peak;
	struct topk *names;
	struct hot_link { struct client *prev, *next; } link;
};

struct client {
	uint16_t source, last_file;
	struct addr addr;
	int64_t last;
	uint64_t last_ref;
	char last_name[DNS_RNAME];  /* the query before a client turns hot */
	int64_t ans_ts;             /* and the answer before, while not hot */
	uint8_t ans_rc;
	bool has_ans;
	struct hot *hot;
};

struct src_stats {
	bool seen;
	struct an_cause first;
	int64_t first_ts, last_ts, sec;
	uint64_t queries, responses, nxdomain, servfail, unanswered, sec_count, peak;
	struct topk *names, *clients;
};

struct dns_state {
	const struct run *run;
	struct flowtab *clients, *index;
	struct pendq *pq;
	struct client *bhead;     /* clients in a burst */
	struct src_stats *src;
	size_t nsources;
	uint64_t *cap_clients, *cap_pending;
	struct emit *out;
	int64_t now;
	struct event ev;
	char msg[1400], names[512], clients_s[512], cite[1024];
};

static struct flow addr_key(const struct addr *a, uint16_t port)
{
	struct flow k = { .src = *a, .sport = port, .proto = 17 };
	k.dst.family = a->family;
	return k;
}

static void burst_unlink(struct dns_state *s, struct client *c)
{
	struct hot *h = c->hot;
	if (h->link.prev)
		h->link.prev->hot->link.next = h->link.next;
	else
		s->bhead = h->link.next;
	if (h->link.next)
		h->link.next->hot->link.prev = h->link.prev;
	h->link.prev = h->link.next = NULL;
}

static size_t top_list(const struct topk *t, char *buf, size_t len, bool addr_keys,
		       const char **first)
{
	const struct topk_item *it[DNS_TOP_SHOWN];
	size_t n = topk_top(t, it, DNS_TOP_SHOWN), o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++) {
		char k[TOPK_KEY_MAX + 1];
		if (addr_keys) {
			struct addr a = { 0 };
			memcpy(&a, it[i]->key, it[i]->len < sizeof a ? it[i]->len : sizeof a);
			addr_format(&a, k, sizeof k);
		} else {
			snprintf(k, sizeof k, "%s", it[i]->key);
		}
		int w = snprintf(buf + o, len - o, "%s%s (%" PRIu64 ")", i ? ", " : "", k, it[i]->count);
		if (w < 0)
			break;
		o += (size_t)w;
		if (first && i == 0)
			*first = it[0]->key;
	}
	return n;
}

static void keep_name(char *dst, const char *qname)
{
	size_t n = strlen(qname);
	if (n >= DNS_RNAME)
		n = DNS_RNAME - 1;
	memcpy(dst, qname, n);
	dst[n] = '\0';
}

/* The dictionary slot of qname (added when new), or DNS_DICT_NONE past
 * DNS_DICT_MAX different names: a client asking for the same few names
 * (A and AAAA, a retry loop) costs one entry each. */
static uint8_t dict_slot(struct hot *h, const char *qname)
{
	uint64_t hh = an_hash(qname, strlen(qname));
	for (unsigned i = 0; i < h->ndict; i++)
		if (h->dict_h[i] == hh && !strncmp(h->dict[i], qname, DNS_RNAME - 1))
			return (uint8_t)i;
	if (h->ndict == DNS_DICT_MAX)
		return DNS_DICT_NONE;
	if (h->ndict == h->dict_cap) {
		h->dict_cap = h->dict_cap ? h->dict_cap * 2 : 2;
		h->dict = xrealloc(h->dict, h->dict_cap * sizeof *h->dict);
		h->dict_h = xrealloc(h->dict_h, h->dict_cap * sizeof *h->dict_h);
	}
	keep_name(h->dict[h->ndict], qname);
	h->dict_h[h->ndict] = hh;
	return (uint8_t)h->ndict++;
}

static void hot_free(struct hot *h)
{
	if (!h)
		return;
	topk_free(h->names);
	free(h->dict);
	free(h->dict_h);
	free(h);
}

static void end_burst(struct dns_state *s, struct client *c, int64_t ts)
{
	struct hot *h = c->hot;
	burst_unlink(s, c);
	h->in_burst = false;
	struct event *ev = &s->ev;
	an_cause_init(ev, &h->cross, "dns.burst", ts);
	ev_addr(ev, "ip.src", &c->addr);
	ev_int(ev, "count", (int64_t)h->count);
	ev_dur(ev, "window", h->burst_last - h->burst_first);
	ev_int(ev, "peak_qps", (int64_t)h->peak);
	int64_t win = h->burst_last - h->burst_first;
	double mean = (double)h->count / (win > NS_PER_SEC ? (double)win / 1e9 : 1.0);
	ev_real(ev, "mean_qps", mean);
	ev_int(ev, "responses", (int64_t)h->responses);
	ev_int(ev, "noerror", (int64_t)h->noerror);
	ev_int(ev, "nxdomain", (int64_t)h->nxdomain);
	ev_int(ev, "servfail", (int64_t)h->servfail);
	double nxr = h->responses ? (double)h->nxdomain / (double)h->responses : 0.0;
	double sfr = h->responses ? (double)h->servfail / (double)h->responses : 0.0;
	ev_real(ev, "nxdomain_ratio", nxr);
	ev_real(ev, "servfail_ratio", sfr);
	size_t m = 0;
	s->cite[0] = '\0';
	for (unsigned i = 0; i < h->nfirst; i++)
		an_cite(s->cite, sizeof s->cite, &m, h->first_q[i].ref, h->first_q[i].file, h->first_q[i].ts,
			"[dns.query] storm query %u", i + 1);
	an_cite(s->cite, sizeof s->cite, &m, h->cross.ref, h->cross.file, h->cross.ts,
		"[dns.query] the query that made 50 within 1 s");
	if (h->last_ref != h->cross.ref || h->last_file != h->cross.file)
		an_cite(s->cite, sizeof s->cite, &m, h->last_ref, h->last_file, h->burst_last,
			"[dns.query] the last query of the burst");
	ev_cstr(ev, "cite", s->cite);
	const char *top = NULL;
	top_list(h->names, s->names, sizeof s->names, false, &top);
	ev_cstr(ev, "names", s->names);
	if (top)
		ev_cstr(ev, "dns.qry.name", top);
	char a[64], w[32];
	addr_format(&c->addr, a, sizeof a);
	format_duration(h->burst_last - h->burst_first, w, sizeof w);
	snprintf(s->msg, sizeof s->msg, "DNS burst: %s sent %" PRIu64 " queries in %s (peak %" PRIu64
		 "/s, mean %.1f/s; %" PRIu64 " answers, %.0f%% NXDOMAIN, %.0f%% SERVFAIL): %s", a, h->count, w,
		 h->peak, mean, h->responses, nxr * 100.0, sfr * 100.0, s->names);
	ev->msg = s->msg;
	emit_event(s->out, ev);
	topk_free(h->names);
	h->names = NULL;
	/* the ring's queries of the burst kept no names: start the dictionary afresh */
	memset(h->rname, DNS_DICT_NONE, sizeof h->rname);
	h->ndict = 0;
}

static void on_evict_client(void *ctx, const struct flow *key, void *data, bool by_cap)
{
	struct dns_state *s = ctx;
	struct client *c = data;
	if (by_cap && c->source < s->nsources)
		s->cap_clients[c->source]++;
	if (c->hot) {
		if (c->hot->in_burst && s->out)
			end_burst(s, c, s->now);
		else if (c->hot->in_burst)
			burst_unlink(s, c);
		hot_free(c->hot);
		c->hot = NULL;
	}
}

static void *dns_create(const struct run *run)
{
	struct dns_state *s = xcalloc(1, sizeof *s);
	s->run = run;
	size_t cap = run->opt.max_sessions;
	s->clients = flowtab_new(sizeof(struct client), cap, DNS_CLIENT_IDLE, on_evict_client, s);
	s->index = flowtab_new(sizeof(struct qindex), cap, 2 * DNS_TIMEOUT, NULL, NULL);
	s->pq = pendq_new(sizeof(struct qpend), cap);
	s->nsources = run->nsources ? run->nsources : 1;
	s->src = xcalloc(s->nsources, sizeof *s->src);
	s->cap_clients = xcalloc(s->nsources, sizeof *s->cap_clients);
	s->cap_pending = xcalloc(s->nsources, sizeof *s->cap_pending);
	return s;
}

static int64_t second_of(int64_t ts)
{
	return ts >= 0 ? ts / NS_PER_SEC : -((-ts + NS_PER_SEC - 1) / NS_PER_SEC);
}


static void count_answer(struct hot *h, uint8_t rcode)
{
	h->responses++;
	if (rcode == 0)
		h->noerror++;
	else if (rcode == 2)
		h->servfail++;
	else if (rcode == 3)
		h->nxdomain++;
}

/* A response to client c: counted in its burst, or kept for one to come. */
static void client_answer(struct client *c, int64_t ts, uint8_t rcode)
{
	struct hot *h = c->hot;
	if (!h) {
		c->has_ans = true;
		c->ans_ts = ts;
		c->ans_rc = rcode;
		return;
	}
	if (h->in_burst) {
		count_answer(h, rcode);
		return;
	}
	unsigned k;
	if (h->ans_n < DNS_BURST_COUNT) {
		k = (h->ans_head + h->ans_n++) % DNS_BURST_COUNT;
	} else {
		k = h->ans_head;
		h->ans_head = (h->ans_head + 1) % DNS_BURST_COUNT;
	}
	h->ans_ts[k] = ts;
	h->ans_rc[k] = rcode;
}

/* Rate bookkeeping for one query of client c; may start a burst. */
static void count_query(struct dns_state *s, struct client *c, const struct event *ev,
			const char *qname)
{
	int64_t ts = ev->ts;
	if (c->hot && !c->hot->in_burst && ts - c->last >= DNS_BURST_WINDOW) {
		/* quiet for a whole window: the client cools down, memory goes */
		hot_free(c->hot);
		c->hot = NULL;
	}
	if (!c->hot) {
		if (!c->last || ts - c->last >= DNS_BURST_WINDOW) {
			c->last = ts;
			c->last_ref = ev->ref;
			c->last_file = ev->file;
			keep_name(c->last_name, qname);
			return;
		}
		c->hot = xcalloc(1, sizeof *c->hot);
		c->hot->ring[0] = c->last;
		c->hot->rref[0] = c->last_ref;
		c->hot->rfile[0] = c->last_file;
		c->hot->rname[0] = dict_slot(c->hot, c->last_name);
		c->hot->n = 1;
		if (c->has_ans) {
			c->hot->ans_ts[0] = c->ans_ts;
			c->hot->ans_rc[0] = c->ans_rc;
			c->hot->ans_n = 1;
			c->has_ans = false;
		}
	}
	c->last = ts;
	struct hot *h = c->hot;
	unsigned slot;
	if (h->n < DNS_BURST_COUNT) {
		slot = (h->head + h->n++) % DNS_BURST_COUNT;
	} else {
		slot = h->head;
		h->head = (h->head + 1) % DNS_BURST_COUNT;
	}
	h->ring[slot] = ts;
	h->rref[slot] = ev->ref;
	h->rfile[slot] = ev->file;
	if (!h->in_burst)
		h->rname[slot] = dict_slot(h, qname);
	if (h->in_burst) {
		h->count++;
		h->burst_last = ts;
		h->last_ref = ev->ref;
		h->last_file = ev->file;
		int64_t sec = second_of(ts);
		h->sec_count = sec == h->sec ? h->sec_count + 1 : 1;
		h->sec = sec;
		if (h->sec_count > h->peak)
			h->peak = h->sec_count;
		topk_add(h->names, qname, strlen(qname));
		return;
	}
	if (h->n == DNS_BURST_COUNT && ts - h->ring[h->head] < DNS_BURST_WINDOW) {
		h->in_burst = true;
		an_cause_save(&h->cross, ev);
		h->count = DNS_BURST_COUNT;
		h->burst_first = h->ring[h->head];
		h->burst_last = ts;
		h->last_ref = ev->ref;
		h->last_file = ev->file;
		/* the busiest calendar second so far, from the ring (in time
		 * order from head), and the count of the crossing's second */
		h->sec = second_of(ts);
		h->sec_count = 0;
		h->peak = 0;
		int64_t run_sec = 0;
		uint64_t run = 0;
		for (unsigned i = 0; i < h->n; i++) {
			int64_t sc = second_of(h->ring[(h->head + i) % DNS_BURST_COUNT]);
			run = i && sc == run_sec ? run + 1 : 1;
			run_sec = sc;
			if (run > h->peak)
				h->peak = run;
			if (sc == h->sec)
				h->sec_count++;
		}
		h->names = topk_new(DNS_BURST_NAMES);
		h->nfirst = 0;
		h->responses = h->noerror = h->nxdomain = h->servfail = 0;
		for (unsigned i = 0; i < h->ans_n; i++) {
			unsigned k = (h->ans_head + i) % DNS_BURST_COUNT;
			if (h->ans_ts[k] >= h->burst_first)
				count_answer(h, h->ans_rc[k]);
		}
		h->ans_n = h->ans_head = 0;
		for (unsigned i = 0; i < h->n; i++) {
			unsigned k = (h->head + i) % DNS_BURST_COUNT;
			if (k == slot)
				topk_add(h->names, qname, strlen(qname));
			else if (h->rname[k] != DNS_DICT_NONE)
				topk_add(h->names, h->dict[h->rname[k]], strlen(h->dict[h->rname[k]]));
			if (h->nfirst < DNS_CITE_FIRST) {
				h->first_q[h->nfirst].ref = h->rref[k];
				h->first_q[h->nfirst].file = h->rfile[k];
				h->first_q[h->nfirst++].ts = h->ring[k];
			}
		}
		h->link.prev = NULL;
		h->link.next = s->bhead;
		if (s->bhead)
			s->bhead->hot->link.prev = c;
		s->bhead = c;
	}
}

struct dmsg {
	bool response;
	uint16_t id;
	uint8_t rcode;
	const char *qname;
	size_t qlen;
};

static bool read_dns(const struct event *ev, struct dmsg *m)
{
	const struct pkt *p = ev->pkt;
	if (p) {
		if (!(p->layers & PKT_DNS) || !(p->layers & PKT_UDP))
			return false;
		m->response = p->dns.response;
		m->id = p->dns.id;
		m->rcode = p->dns.rcode;
		m->qname = p->dns.qname;
		m->qlen = strlen(p->dns.qname);
		return true;
	}
	if (strcmp(ev->type, "dns.query") && strcmp(ev->type, "dns.response"))
		return false;
	int64_t v;
	if (!(ev->flags & EV_HAS_FLOW) || !event_get_int(ev, "dns.id", &v))
		return false;
	m->id = (uint16_t)v;
	m->response = !strcmp(ev->type, "dns.response");
	m->rcode = event_get_int(ev, "dns.flags.rcode", &v) ? (uint8_t)v : 0;
	const struct value *q = event_get(ev, "dns.qry.name");
	m->qname = q && q->type == V_STR ? q->u.s.p : "";
	m->qlen = q && q->type == V_STR ? q->u.s.n : 0;
	return true;
}

static void dns_event(void *st, const struct event *ev, struct emit *out)
{
	struct dns_state *s = st;
	struct dmsg m;
	if (!read_dns(ev, &m) || !(ev->flags & EV_HAS_FLOW))
		return;
	s->out = out;
	s->now = ev->ts;
	if (m.qlen > 255)
		m.qlen = 255;
	char qname[256];
	memcpy(qname, m.qname, m.qlen);
	qname[m.qlen] = '\0';
	uint16_t si = ev->source < s->nsources ? ev->source : 0;
	struct src_stats *ss = &s->src[si];
	if (!ss->seen) {
		ss->seen = true;
		an_cause_save(&ss->first, ev);
		ss->first_ts = ev->ts;
		ss->names = topk_new(DNS_TOPK);
		ss->clients = topk_new(DNS_TOPK);
	}
	ss->last_ts = ev->ts;
	const struct flow *f = &ev->flow;
	uint64_t qhash = an_hash(qname, m.qlen);
	if (m.response) {
		ss->responses++;
		if (m.rcode == 3)
			ss->nxdomain++;
		if (m.rcode == 2)
			ss->servfail++;
		struct flow cl = addr_key(&f->dst, 0);
		struct client *c = flowtab_get(s->clients, &cl, ev->source, ev->ts, false, NULL, NULL);
		if (c)
			client_answer(c, ev->ts, m.rcode);
		struct flow k = addr_key(&f->dst, f->dport);
		struct qindex *x = flowtab_get(s->index, &k, ev->source, ev->ts, false, NULL, NULL);
		for (size_t i = 0; x && i < DNS_PEND; i++) {
			struct qpend *q = x->pend[i] ? pendq_get(s->pq, x->pend[i]) : NULL;
			if (q && q->id == m.id && q->qhash == qhash) {
				pendq_remove(s->pq, x->pend[i]);
				x->pend[i] = 0;
				break;
			}
		}
		return;
	}
	ss->queries++;
	int64_t sec = second_of(ev->ts);
	ss->sec_count = sec == ss->sec ? ss->sec_count + 1 : 1;
	ss->sec = sec;
	if (ss->sec_count > ss->peak)
		ss->peak = ss->sec_count;
	topk_add(ss->names, qname, m.qlen);
	topk_add(ss->clients, &f->src, sizeof f->src);

	struct flow ck = addr_key(&f->src, 0);
	bool created;
	struct client *c = flowtab_get(s->clients, &ck, ev->source, ev->ts, true, &created, NULL);
	if (created) {
		c->source = ev->source;
		c->addr = f->src;
	}
	count_query(s, c, ev, qname);

	if (an_addr_is_group(&f->dst))
		return;  /* mDNS / LLMNR: answered by anybody, or nobody */
	struct qpend *q;
	pendq_handle h = pendq_add(s->pq, ev->ts + DNS_TIMEOUT, (void **)&q);
	if (!h) {
		s->cap_pending[si]++;
		return;
	}
	an_cause_save(&q->q, ev);
	q->client = f->src;
	q->server = f->dst;
	q->cport = f->sport;
	q->sport = f->dport;
	q->id = m.id;
	q->qhash = qhash;
	memcpy(q->qname, qname, m.qlen + 1);
	struct flow k = addr_key(&f->src, f->sport);
	struct qindex *x = flowtab_get(s->index, &k, ev->source, ev->ts, true, NULL, NULL);
	for (size_t i = 0; i < DNS_PEND; i++) {
		if (!x->pend[i] || !pendq_get(s->pq, x->pend[i])) {
			x->pend[i] = h;
			return;
		}
	}
	memmove(x->pend, x->pend + 1, (DNS_PEND - 1) * sizeof *x->pend);
	x->pend[DNS_PEND - 1] = h;
}

static void emit_unanswered(struct dns_state *s, const struct qpend *q, int64_t deadline)
{
	if (q->q.source < s->nsources)
		s->src[q->q.source].unanswered++;
	struct event *ev = &s->ev;
	an_cause_init(ev, &q->q, "dns.unanswered", deadline);
	ev_addr(ev, "ip.src", &q->client);
	ev_addr(ev, "ip.dst", &q->server);
	ev_int(ev, "dns.id", q->id);
	ev_cstr(ev, "dns.qry.name", q->qname);
	ev_dur(ev, "timeout", DNS_TIMEOUT);
	char c[64], v[64];
	addr_format(&q->client, c, sizeof c);
	addr_format(&q->server, v, sizeof v);
	snprintf(s->msg, sizeof s->msg,
		 "DNS query %s (id 0x%04x) from %s to %s (#%" PRIu64 ") got no response within 2 s",
		 q->qname, q->id, c, v, q->q.ref);
	ev->msg = s->msg;
	emit_event(s->out, ev);
}

static void dns_tick(void *st, int64_t now, struct emit *out)
{
	struct dns_state *s = st;
	s->out = out;
	s->now = now;
	struct qpend q;
	int64_t deadline;
	while (pendq_pop_due(s->pq, now, &q, &deadline))
		emit_unanswered(s, &q, deadline);
	for (struct client *c = s->bhead, *n; c; c = n) {
		n = c->hot->link.next;
		/* the window drops below the threshold when the oldest of the
		 * last N queries is a full window old */
		int64_t end = c->hot->ring[c->hot->head] + DNS_BURST_WINDOW;
		if (end <= now)
			end_burst(s, c, end);
	}
	flowtab_expire(s->clients, now);
	flowtab_expire(s->index, now);
}

static void emit_summary(struct dns_state *s, uint16_t si, int64_t ts)
{
	struct src_stats *ss = &s->src[si];
	struct event *ev = &s->ev;
	an_cause_init(ev, &ss->first, "dns.summary", ts);
	ev->flags &= ~(uint32_t)EV_HAS_FLOW;
	ev_int(ev, "queries", (int64_t)ss->queries);
	ev_int(ev, "responses", (int64_t)ss->responses);
	ev_int(ev, "nxdomain", (int64_t)ss->nxdomain);
	double ratio = ss->responses ? (double)ss->nxdomain / (double)ss->responses : 0.0;
	ev_real(ev, "nxdomain_ratio", ratio);
	ev_int(ev, "servfail", (int64_t)ss->servfail);
	ev_real(ev, "servfail_ratio", ss->responses ? (double)ss->servfail / (double)ss->responses : 0.0);
	ev_int(ev, "unanswered", (int64_t)ss->unanswered);
	ev_int(ev, "clients", (int64_t)topk_distinct(ss->clients));
	ev_int(ev, "names", (int64_t)topk_distinct(ss->names));
	ev_int(ev, "peak_qps", (int64_t)ss->peak);
	int64_t dur = ss->last_ts - ss->first_ts;
	ev_dur(ev, "duration", dur);
	/* the average over the DNS activity, at least one second */
	ev_real(ev, "qps", (double)ss->queries / (dur > NS_PER_SEC ? (double)dur / 1e9 : 1.0));
	top_list(ss->clients, s->clients_s, sizeof s->clients_s, true, NULL);
	top_list(ss->names, s->names, sizeof s->names, false, NULL);
	ev_cstr(ev, "top_clients", s->clients_s);
	ev_cstr(ev, "top_names", s->names);
	snprintf(s->msg, sizeof s->msg,
		 "DNS: %" PRIu64 " queries, %" PRIu64 " responses, %.1f%% NXDOMAIN, %" PRIu64
		 " unanswered, peak %" PRIu64 "/s; top clients %s; top names %s",
		 ss->queries, ss->responses, ratio * 100.0, ss->unanswered, ss->peak, s->clients_s,
		 s->names);
	ev->msg = s->msg;
	emit_event(s->out, ev);
}

static void dns_finish(void *st, struct emit *out)
{
	struct dns_state *s = st;
	s->out = out;
	/* the timers still running, in time order: pending queries and bursts */
	for (;;) {
		int64_t t = INT64_MAX, d;
		if (pendq_peek(s->pq, &d))
			t = d;
		for (struct client *c = s->bhead; c; c = c->hot->link.next) {
			int64_t end = c->hot->ring[c->hot->head] + DNS_BURST_WINDOW;
			if (end < t)
				t = end;
		}
		if (t == INT64_MAX)
			break;
		dns_tick(s, t, out);
		if (t > s->now)
			s->now = t;
	}
	for (size_t i = 0; i < s->nsources; i++) {
		if (s->src[i].seen)
			emit_summary(s, (uint16_t)i, s->now);
		an_note_cap(s->run, (uint16_t)i, "dns", s->cap_clients[i], "clients evicted",
			    s->run->opt.max_sessions);
		an_note_cap(s->run, (uint16_t)i, "dns", s->cap_pending[i], "queries not tracked",
			    s->run->opt.max_sessions);
	}
	s->out = NULL;
}

static void dns_destroy(void *st)
{
	struct dns_state *s = st;
	s->out = NULL;
	flowtab_free(s->clients);
	flowtab_free(s->index);
	pendq_free(s->pq);
	for (size_t i = 0; i < s->nsources; i++) {
		topk_free(s->src[i].names);
		topk_free(s->src[i].clients);
	}
	free(s->src);
	free(s->cap_clients);
	free(s->cap_pending);
	free(s);
}

const struct analyzer analyzer_dns = {
	.name = "dns",
	.emits = "dns",
	.summary = "DNS query rates per client and name, bursts, unanswered queries, NXDOMAIN ratio",
	.create = dns_create,
	.event = dns_event,
	.tick = dns_tick,
	.finish = dns_finish,
	.destroy = dns_destroy,
};
