/*
 * correlator/analyze/an_path.c - the path analyzer: the same packet at several
 * vantage points of one session (matched by the pre-pass, path_match.c), in
 * clock-corrected time order.
 *
 * Every TCP/UDP packet of a matched session becomes a sighting of a pending
 * entry keyed by (session, direction, IP-ID + sequence number). Sightings of
 * one entry arrive in path order, so the vantage that saw it before is the
 * upstream hop:
 *   - a sighting whose fingerprint differs from the upstream one: path.modified
 *     (what, before, after, hop);
 *   - a later sighting of an earlier packet than one already seen there:
 *     path.reordered;
 *   - an entry not seen everywhere within the time bound: path.lost (seen
 *     upstream, missing downstream) or path.injected (first seen downstream);
 *   - an ACK counting bytes a middlebox added: path.ack_mismatch;
 *   - per hop and direction the one-way delay (path.delay, at the end);
 *   - per request/response exchange the wait split into path delay, server
 *     and client think time (path.exchange, path.blame at the end).
 * Path order per session is learned from the first packet seen at every
 * vantage (the reverse direction runs the other way).
 * Memory: PATH_PENDING entries in a ring, a small state per matched session
 * (its hop delay samples and exchange queues grown as needed, to HOP_RES and XQ).
 * Does not: match sessions or estimate clocks (path_match.c, clock.c).
 */
#include "../core/analyzer.h"
#include "../core/clock.h"
#include "path_match.h"
#include "../core/run.h"
#include "../core/source.h"
#include "../core/util.h"
#include "../core/pkt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_PENDING 16384           /* packets awaiting their other sightings */
#define PATH_BOUND_NS 2000000000LL   /* a packet not seen downstream by then is lost */
#define HOP_RES 64                   /* delay samples kept per hop and direction, at most */
#define HOP_RES_FIRST 8              /* ... allocated at first, doubled as needed */
#define XQ 8                         /* completed exchanges queued per end, at most */
#define NV PATH_MAX_VANTAGE

struct sight {
	struct flow flow;   /* as captured there (a cluster reply's own address) */
	int64_t ts;
	uint64_t ref, fp, phash;
	uint32_t seq, ack, len;
	uint16_t flags, win, file;
	uint8_t ttl, v, nhead, ds;   /* ds: the IP DS field (DSCP << 2 | ECN) */
	int8_t cksum, wscale;
	bool sack_perm, has_ts;
	int32_t mss;
	uint8_t head[16];   /* first payload bytes, for "before/after" */
};

struct pend {
	uint64_t key, serial;
	uint32_t group;
	int32_t next;        /* hash chain, -1 ends */
	uint8_t dir, nseen, mask;
	bool live;
	int64_t first_ts;
	struct sight s[NV];  /* in order of sighting = path order */
};

/* one hop in one direction: the delays from vantage from to vantage to */
struct hopstat {
	uint8_t dir, from, to;
	uint16_t max_file;
	uint8_t nres, capres;
	uint64_t n;
	int64_t min, max, sum;
	uint64_t max_ref;
	int64_t *res;        /* capres samples, grown up to HOP_RES */
};

struct xside {
	uint8_t phase;       /* 0 idle, 1 request, 2 response */
	uint32_t req_end;    /* sequence number after the request's last byte */
	int64_t req_last, resp_first, resp_last;
	uint64_t req_ref, resp_ref;
	uint16_t resp_file;
};

struct xrec {
	uint32_t req_end;    /* pairs the two ends' records of one exchange */
	int64_t req_last, resp_first, resp_last, next_req;
	uint64_t resp_ref;
	uint16_t resp_file;
};

struct gstate {
	uint64_t session;
	bool seen[NV], match_emitted, order_known, ackmm_done, mod_pending;
	uint64_t first_ref[NV];
	uint16_t first_file[NV];
	int64_t first_ts[NV];
	uint8_t order[2][NV];         /* [dir][position] = vantage */
	uint64_t last_serial[2][NV];
	struct hopstat *hop;          /* the hops seen so far, in no order */
	uint8_t nhop, caphop;
	/* a length change awaiting the receiver's ACK */
	uint8_t mod_dir, mod_v;
	uint32_t ack_orig, ack_mod;
	uint64_t mod_ref;
	uint16_t mod_file;
	/* exchanges: [0] the client-end vantage, [1] the server end */
	struct xside x[2];
	struct xrec *q[2];            /* per end, capq of them, grown up to XQ */
	uint8_t nq[2], capq[2];
	uint64_t nx;
	int64_t sum_wait, sum_server, sum_client, sum_req, sum_resp;
	uint64_t nclient;
	int64_t first_ts_any;
	uint64_t lost, injected, modified, reordered;
};

struct path_an {
	const struct run *run;
	const struct path_map *map;
	struct gstate **g;
	size_t ng;
	struct pend *ring;
	uint64_t head, tail, serial;
	int32_t *bucket;
	int64_t bound;
	uint64_t overflow;  /* entries dropped unjudged: more packets in flight than PATH_PENDING */
	int64_t overflow_ts;
	struct event ev;   /* the one being emitted */
};

static const char *label(const struct path_an *a, uint16_t source)
{
	return source < a->run->nsources ? a->run->sources[source]->label : "?";
}

static size_t nbuckets(void) { return PATH_PENDING * 2; }

static size_t bucket_of(uint64_t key) { return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 40) % nbuckets(); }

static uint64_t pend_key(uint32_t group, uint8_t dir, uint64_t loose)
{
	uint64_t h = loose ^ ((uint64_t)group << 1 | dir) * 0xbf58476d1ce4e5b9ULL;
	return h ? h : 1;
}

static void *path_create(const struct run *run)
{
	struct path_an *a = xcalloc(1, sizeof *a);
	a->run = run;
	a->map = run->path_map;
	a->ng = path_map_ngroups(a->map);
	if (!a->ng)
		return a;
	a->g = xcalloc(a->ng, sizeof *a->g);
	a->ring = xcalloc(PATH_PENDING, sizeof *a->ring);
	a->bucket = xmalloc(nbuckets() * sizeof *a->bucket);
	for (size_t i = 0; i < nbuckets(); i++)
		a->bucket[i] = -1;
	a->bound = PATH_BOUND_NS;
	/* slow paths: wait ten one-way delays before calling a packet lost */
	for (size_t i = 0; i < run->nsources; i++) {
		const struct path_clock *c = path_map_clock(a->map, (uint16_t)i);
		if (c && c->est.two_way) {
			int64_t d = c->est.delay_ab > c->est.delay_ba ? c->est.delay_ab : c->est.delay_ba;
			if (d * 10 > a->bound)
				a->bound = d * 10;
		}
	}
	return a;
}

static void path_destroy(void *st)
{
	struct path_an *a = st;
	for (size_t i = 0; i < a->ng; i++) {
		struct gstate *g = a->g[i];
		if (!g)
			continue;
		for (unsigned h = 0; h < g->nhop; h++)
			free(g->hop[h].res);
		free(g->hop);
		free(g->q[0]);
		free(g->q[1]);
		free(g);
	}
	free(a->g);
	free(a->ring);
	free(a->bucket);
	free(a);
}

/* ---- emitting ---- */

/* Start an analysis event citing a sighting at vantage v of group g. */
static struct event *start(struct path_an *a, const char *type, uint32_t group, uint8_t dir, uint8_t v,
			   int64_t ts, uint64_t ref, uint16_t file)
{
	const struct path_group *pg = path_map_group(a->map, group);
	struct event *ev = &a->ev;
	event_reset(ev);
	ev->type = type;
	ev->ts = ts;
	ev->ts_raw = ts - a->run->sources[pg->v[v].source]->clock_offset;
	ev->source = pg->v[v].source;
	ev->file = file;
	ev->ref = ref;
	ev->session = a->g[group] ? a->g[group]->session : 0;
	ev->flags |= EV_HAS_FLOW;
	const struct flow *f = &pg->v[v].flow;
	if (dir) {
		struct flow r = { .src = f->dst, .dst = f->src, .sport = f->dport, .dport = f->sport, .proto = f->proto };
		ev->flow = r;
	} else {
		ev->flow = *f;
	}
	return ev;
}

static void peer(struct path_an *a, struct event *ev, uint16_t source, uint64_t ref)
{
	ev_cstr(ev, "peer_source", label(a, source));
	if (ref)
		ev_int(ev, "peer_ref", (int64_t)ref);
}

/* "90.000012 s" for clock offsets: format_duration truncates to whole seconds */
static void fmt_offset(int64_t ns, char *buf, size_t len)
{
	if (ns >= 1000000000LL || ns <= -1000000000LL)
		snprintf(buf, len, "%.6f s", (double)ns / 1e9);
	else
		format_duration(ns, buf, len);
}

static const char *dir_name(uint8_t dir) { return dir ? "server\xe2\x86\x92" "client" : "client\xe2\x86\x92server"; }

static void pkt_name(const struct pend *e, const struct sight *s, uint8_t proto, char *buf, size_t len)
{
	(void)e;
	if (proto == 6) {
		char fl[64];
		tcp_flags_str(s->flags, fl, sizeof fl);
		snprintf(buf, len, "[%s] seq %" PRIu32 " len %" PRIu32, fl, s->seq, s->len);
	} else {
		snprintf(buf, len, "UDP datagram len %" PRIu32, s->len);
	}
}

/* ---- state ---- */

static struct gstate *gst(struct path_an *a, uint32_t group)
{
	if (!a->g[group])
		a->g[group] = xcalloc(1, sizeof(struct gstate));
	return a->g[group];
}

/* The array arr of *cap elements of size bytes, doubled (first when empty) but
 * never beyond max elements; arr unchanged when it holds max already. */
static void *grow_upto(void *arr, uint8_t *cap, size_t size, unsigned first, unsigned max)
{
	if (*cap >= max)
		return arr;
	unsigned n = *cap ? *cap * 2u : first;
	*cap = (uint8_t)(n < max ? n : max);
	return xrealloc(arr, *cap * size);
}

/* The statistics of hop from -> to in direction dir, or NULL. */
static struct hopstat *hop_find(const struct gstate *g, uint8_t dir, uint8_t from, uint8_t to)
{
	for (unsigned i = 0; i < g->nhop; i++)
		if (g->hop[i].dir == dir && g->hop[i].from == from && g->hop[i].to == to)
			return &g->hop[i];
	return NULL;
}

static struct hopstat *hop_new(struct gstate *g, uint8_t dir, uint8_t from, uint8_t to)
{
	/* never full: one hop per (dir, from, to), 2 * NV * NV at most */
	if (g->nhop == g->caphop)
		g->hop = grow_upto(g->hop, &g->caphop, sizeof *g->hop, 4, 2 * NV * NV);
	struct hopstat *h = &g->hop[g->nhop++];
	*h = (struct hopstat){ .dir = dir, .from = from, .to = to, .min = INT64_MAX, .max = INT64_MIN };
	return h;
}

static void hop_add(struct gstate *g, uint8_t dir, uint8_t from, uint8_t to, int64_t d, uint64_t ref,
		    uint16_t file)
{
	struct hopstat *h = hop_find(g, dir, from, to);
	if (!h)
		h = hop_new(g, dir, from, to);
	h->n++;
	h->sum += d;
	if (d < h->min)
		h->min = d;
	if (d > h->max) {
		h->max = d;
		h->max_ref = ref;
		h->max_file = file;
	}
	if (h->nres == h->capres)
		h->res = grow_upto(h->res, &h->capres, sizeof *h->res, HOP_RES_FIRST, HOP_RES);
	if (h->nres < h->capres)
		h->res[h->nres++] = d;
	else
		h->res[h->n % HOP_RES] = d;  /* keep a spread of recent samples */
}

static void unlink_pend(struct path_an *a, struct pend *e)
{
	size_t b = bucket_of(e->key);
	int32_t idx = (int32_t)(e - a->ring), *pp = &a->bucket[b];
	while (*pp >= 0) {
		if (*pp == idx) {
			*pp = e->next;
			break;
		}
		pp = &a->ring[*pp].next;
	}
	e->live = false;
}

/* The oldest pending entry for key not yet seen at vantage v: duplicates in
 * one capture pair up with duplicates in the other, first with first. */
static struct pend *find_pend(struct path_an *a, uint64_t key, uint32_t group, uint8_t dir, uint8_t v)
{
	struct pend *best = NULL;
	for (int32_t i = a->bucket[bucket_of(key)]; i >= 0; i = a->ring[i].next) {
		struct pend *e = &a->ring[i];
		if (e->key == key && e->group == group && e->dir == dir && !(e->mask & (1u << v)) &&
		    (!best || e->serial < best->serial))
			best = e;
	}
	return best;
}

/* The same packet twice in one capture within 50 ms (a capture on two
 * interfaces, a SPAN of both directions): not a packet of its own. */
static bool is_capture_dup(struct path_an *a, uint64_t key, uint32_t group, uint8_t dir, const struct sight *s)
{
	for (int32_t i = a->bucket[bucket_of(key)]; i >= 0; i = a->ring[i].next) {
		const struct pend *e = &a->ring[i];
		if (e->key != key || e->group != group || e->dir != dir || !(e->mask & (1u << s->v)))
			continue;
		for (unsigned k = 0; k < e->nseen; k++)
			if (e->s[k].v == s->v && e->s[k].fp == s->fp && s->ts - e->s[k].ts < 50000000LL)
				return true;
	}
	return false;
}

/* ---- lost / injected: an entry whose time is up ---- */

static void expire_one(struct path_an *a, struct pend *e, struct emit *out)
{
	const struct path_group *pg = path_map_group(a->map, e->group);
	struct gstate *g = a->g[e->group];
	unlink_pend(a, e);
	if (e->nseen >= pg->nv || !g)
		return;
	int8_t pos[NV];
	uint8_t ord[NV];
	if (g->order_known) {
		memcpy(ord, g->order[e->dir], NV);
	} else {
		/* order unknown: the vantages that saw it come first, as seen */
		unsigned k = 0;
		for (unsigned i = 0; i < e->nseen; i++)
			ord[k++] = e->s[i].v;
		for (uint8_t v = 0; v < pg->nv; v++)
			if (!(e->mask & (1u << v)))
				ord[k++] = v;
	}
	for (int i = 0; i < pg->nv; i++)
		pos[ord[i]] = (int8_t)i;
	int first = NV, last = -1;
	for (unsigned i = 0; i < e->nseen; i++) {
		int p = pos[e->s[i].v];
		if (p < first)
			first = p;
		if (p > last)
			last = p;
	}
	char what[96], bnd[32];
	format_duration(a->bound, bnd, sizeof bnd);
	if (first > 0) {
		/* first seen downstream: something between the hops made it */
		const struct sight *s = &e->s[0];
		for (unsigned i = 0; i < e->nseen; i++)
			if (pos[e->s[i].v] == first)
				s = &e->s[i];
		uint8_t up = ord[first - 1];
		pkt_name(e, s, pg->proto, what, sizeof what);
		struct event *ev = start(a, "path.injected", e->group, e->dir, s->v, s->ts, s->ref, s->file);
		ev->flow = s->flow;
		peer(a, ev, pg->v[up].source, 0);
		ev_cstr(ev, "path.dir", dir_name(e->dir));
		ev_cstr(ev, "path.hop_from", label(a, pg->v[up].source));
		ev_cstr(ev, "path.hop_to", label(a, pg->v[s->v].source));
		char msg[400];
		snprintf(msg, sizeof msg, "%s %s seen at %s but never sent past %s within %s: injected between %s and %s",
			 dir_name(e->dir), what, label(a, pg->v[s->v].source), label(a, pg->v[up].source), bnd,
			 label(a, pg->v[up].source), label(a, pg->v[s->v].source));
		ev->msg = msg;
		emit_event(out, ev);
		g->injected++;
	}
	if (last >= 0 && last < pg->nv - 1) {
		const struct sight *s = &e->s[0];
		for (unsigned i = 0; i < e->nseen; i++)
			if (pos[e->s[i].v] == last)
				s = &e->s[i];
		uint8_t down = ord[last + 1];
		pkt_name(e, s, pg->proto, what, sizeof what);
		struct event *ev = start(a, "path.lost", e->group, e->dir, s->v, s->ts, s->ref, s->file);
		ev->flow = s->flow;
		peer(a, ev, pg->v[down].source, 0);
		char other[200] = "";
		const struct flow *cs = &pg->v[s->v].flow;
		if (e->dir == 1 && !(addr_equal(&s->flow.src, &cs->dst) && s->flow.sport == cs->dport)) {
			char b1[64], b2[64];
			addr_format(&s->flow.src, b1, sizeof b1);
			addr_format(&cs->dst, b2, sizeof b2);
			snprintf(other, sizeof other, " (a reply from %s:%u, not from the address asked, %s:%u)", b1,
				 s->flow.sport, b2, cs->dport);
			ev_addr(ev, "path.reply_from", &s->flow.src);
			ev_addr(ev, "path.asked", &cs->dst);
		}
		ev_cstr(ev, "path.dir", dir_name(e->dir));
		ev_cstr(ev, "path.hop_from", label(a, pg->v[s->v].source));
		ev_cstr(ev, "path.hop_to", label(a, pg->v[down].source));
		ev_dur(ev, "path.bound", a->bound);
		char msg[400];
		snprintf(msg, sizeof msg, "%s %s sent past %s never reached %s within %s: lost between them%s",
			 dir_name(e->dir), what, label(a, pg->v[s->v].source), label(a, pg->v[down].source), bnd, other);
		ev->msg = msg;
		emit_event(out, ev);
		g->lost++;
	}
}

static void expire(struct path_an *a, int64_t now, struct emit *out)
{
	while (a->head < a->tail) {
		struct pend *e = &a->ring[a->head % PATH_PENDING];
		if (e->live) {
			if (now != INT64_MAX && e->first_ts + a->bound >= now)
				return;
			expire_one(a, e, out);
		}
		a->head++;
	}
}

static void path_tick(void *st, int64_t now, struct emit *out)
{
	struct path_an *a = st;
	if (a->ng)
		expire(a, now, out);
}

/* ---- modification ---- */

static void hexs(const uint8_t *b, unsigned n, char *out, size_t len)
{
	size_t o = 0;
	for (unsigned i = 0; i < n && o + 3 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%02x", b[i]);
	if (o < len)
		out[o] = '\0';
}

static void emit_mod(struct path_an *a, const struct pend *e, const struct sight *up, const struct sight *s,
		     const char *what, int64_t before, int64_t after, const char *bs, const char *as,
		     struct emit *out)
{
	const struct path_group *pg = path_map_group(a->map, e->group);
	struct event *ev = start(a, "path.modified", e->group, e->dir, s->v, s->ts, s->ref, s->file);
	ev->flow = s->flow;
	peer(a, ev, pg->v[up->v].source, up->ref);
	ev_cstr(ev, "what", what);
	char b[64], af[64];
	if (bs) {
		ev_cstr(ev, "before", bs);
		ev_cstr(ev, "after", as);
	} else {
		ev_int(ev, "before", before);
		ev_int(ev, "after", after);
		snprintf(b, sizeof b, "%" PRId64, before);
		snprintf(af, sizeof af, "%" PRId64, after);
		bs = b;
		as = af;
	}
	ev_cstr(ev, "path.dir", dir_name(e->dir));
	ev_cstr(ev, "path.hop_from", label(a, pg->v[up->v].source));
	ev_cstr(ev, "path.hop_to", label(a, pg->v[s->v].source));
	char pn[96], msg[512];
	pkt_name(e, up, pg->proto, pn, sizeof pn);
	snprintf(msg, sizeof msg, "%s %s changed between %s and %s: %s %s \xe2\x86\x92 %s", dir_name(e->dir), pn,
		 label(a, pg->v[up->v].source), label(a, pg->v[s->v].source), what, bs, as);
	ev->msg = msg;
	emit_event(out, ev);
}

static void compare(struct path_an *a, struct gstate *g, const struct pend *e, const struct sight *up,
		    const struct sight *s, struct emit *out)
{
	const struct path_group *pg = path_map_group(a->map, e->group);
	bool tcp = pg->proto == 6;
	unsigned n = 0;
	if (up->len != s->len) {
		emit_mod(a, e, up, s, "payload length", up->len, s->len, NULL, NULL, out);
		n++;
		if (tcp) {
			uint32_t extra = (s->flags & TH_SYN ? 1u : 0u) + (s->flags & TH_FIN ? 1u : 0u);
			g->mod_pending = true;
			g->mod_dir = e->dir;
			g->mod_v = s->v;
			g->ack_orig = up->seq + up->len + extra;
			g->ack_mod = s->seq + s->len + extra;
			g->mod_ref = s->ref;
			g->mod_file = s->file;
		}
	} else if (up->phash != s->phash) {
		char hb[40], ha[40];
		unsigned k = up->nhead < s->nhead ? up->nhead : s->nhead;
		hexs(up->head, k, hb, sizeof hb);
		hexs(s->head, k, ha, sizeof ha);
		emit_mod(a, e, up, s, "payload bytes", 0, 0, hb, ha, out);
		n++;
	}
	if (tcp) {
		if (up->flags != s->flags) {
			char fb[64], fa[64];
			tcp_flags_str(up->flags, fb, sizeof fb);
			tcp_flags_str(s->flags, fa, sizeof fa);
			emit_mod(a, e, up, s, "tcp flags", 0, 0, fb, fa, out);
			n++;
		}
		if (up->ack != s->ack) {
			/* both in the first vantage's numbering; shown ISN-relative
			 * (the ack counts the other end's bytes) when the handshake
			 * was seen: a NAT renumbering ISNs is undone, a changed
			 * relative ack remains */
			if (pg->has_isn) {
				uint32_t isn = e->dir ? pg->isn_c : pg->isn_s;
				emit_mod(a, e, up, s, "tcp ack (ISN-relative)", (int64_t)(uint32_t)(up->ack - isn),
					 (int64_t)(uint32_t)(s->ack - isn), NULL, NULL, out);
			} else {
				emit_mod(a, e, up, s, "tcp ack", up->ack, s->ack, NULL, NULL, out);
			}
			n++;
		}
		if (up->win != s->win) {
			emit_mod(a, e, up, s, "tcp window", up->win, s->win, NULL, NULL, out);
			n++;
		}
		if (up->mss != s->mss) {
			emit_mod(a, e, up, s, "tcp option mss", up->mss, s->mss, NULL, NULL, out);
			n++;
		}
		if (up->sack_perm != s->sack_perm) {
			emit_mod(a, e, up, s, "tcp option sack permitted", up->sack_perm, s->sack_perm, NULL, NULL, out);
			n++;
		}
		if (up->has_ts != s->has_ts) {
			emit_mod(a, e, up, s, "tcp option timestamps", up->has_ts, s->has_ts, NULL, NULL, out);
			n++;
		}
		if (up->wscale != s->wscale) {
			emit_mod(a, e, up, s, "tcp option window scale", up->wscale, s->wscale, NULL, NULL, out);
			n++;
		}
	}
	/* DSCP re-marked (the ECN bits are left out: a router may set CE) */
	if (up->ds >> 2 != s->ds >> 2) {
		emit_mod(a, e, up, s, "dscp", up->ds >> 2, s->ds >> 2, NULL, NULL, out);
		n++;
	}
	/* TTL: a router takes one per hop; more than 32, or a rise, is a rewrite */
	if (s->ttl > up->ttl || up->ttl - s->ttl > 32) {
		emit_mod(a, e, up, s, "ttl", up->ttl, s->ttl, NULL, NULL, out);
		n++;
	}
	if (up->cksum == 1 && s->cksum == 0) {
		emit_mod(a, e, up, s, "checksum", 0, 0, "good", "bad", out);
		n++;
	}
	if (n)
		g->modified++;
}

/* ---- exchanges ---- */

static void x_push(struct gstate *g, int side, const struct xside *x, int64_t next_req)
{
	if (g->nq[side] == g->capq[side])
		g->q[side] = grow_upto(g->q[side], &g->capq[side], sizeof *g->q[side], 2, XQ);
	if (g->nq[side] == g->capq[side])
		return;
	g->q[side][g->nq[side]++] = (struct xrec){ x->req_end, x->req_last, x->resp_first, x->resp_last, next_req, x->resp_ref,
						   x->resp_file };
}

static void x_emit(struct path_an *a, uint32_t group, struct gstate *g, struct emit *out)
{
	const struct path_group *pg = path_map_group(a->map, group);
	while (g->nq[0] && g->nq[1]) {
		struct xrec c = g->q[0][0], s = g->q[1][0];
		if (c.req_end != s.req_end) {
			/* one end saw no answer to a request (lost on the path): drop
			 * the older record so the two ends pair up again */
			int side = (int32_t)(c.req_end - s.req_end) < 0 ? 0 : 1;
			memmove(g->q[side], g->q[side] + 1, --g->nq[side] * sizeof c);
			continue;
		}
		memmove(g->q[0], g->q[0] + 1, --g->nq[0] * sizeof c);
		memmove(g->q[1], g->q[1] + 1, --g->nq[1] * sizeof s);
		uint8_t vc = g->order[0][0], vs = g->order[0][pg->nv - 1];
		int64_t wait = c.resp_first - c.req_last, server = s.resp_first - s.req_last;
		int64_t req = s.req_last - c.req_last, resp = c.resp_first - s.resp_first;
		int64_t client = c.next_req >= 0 ? c.next_req - c.resp_last : -1;
		struct event *ev = start(a, "path.exchange", group, 1, vc, c.resp_first, c.resp_ref, c.resp_file);
		peer(a, ev, pg->v[vs].source, s.resp_ref);
		ev_int(ev, "path.exchange", (int64_t)++g->nx);
		ev_dur(ev, "path.wait", wait);
		ev_dur(ev, "path.server_think", server);
		ev_dur(ev, "path.delay", wait - server);
		ev_dur(ev, "path.delay.request", req);
		ev_dur(ev, "path.delay.response", resp);
		if (client >= 0)
			ev_dur(ev, "path.client_think", client);
		char w[32], sv[32], d[32], r1[32], r2[32], ct[64] = "";
		format_duration(wait, w, sizeof w);
		format_duration(server, sv, sizeof sv);
		format_duration(wait - server, d, sizeof d);
		format_duration(req, r1, sizeof r1);
		format_duration(resp, r2, sizeof r2);
		if (client >= 0) {
			char cb[32];
			format_duration(client, cb, sizeof cb);
			snprintf(ct, sizeof ct, "; client think %s", cb);
		}
		char msg[400];
		snprintf(msg, sizeof msg, "exchange %" PRIu64 ": client waited %s = path %s (request %s, response %s) + server think %s%s",
			 g->nx, w, d, r1, r2, sv, ct);
		ev->msg = msg;
		emit_event(out, ev);
		g->sum_wait += wait;
		g->sum_server += server;
		g->sum_req += req;
		g->sum_resp += resp;
		if (client >= 0) {
			g->sum_client += client;
			g->nclient++;
		}
	}
}

static void x_track(struct path_an *a, uint32_t group, struct gstate *g, uint8_t v, uint8_t dir,
		    const struct sight *s, struct emit *out)
{
	const struct path_group *pg = path_map_group(a->map, group);
	if (!g->order_known || !s->len || pg->proto != 6 || pg->nv < 2)
		return;
	int side = v == g->order[0][0] ? 0 : v == g->order[0][pg->nv - 1] ? 1 : -1;
	if (side < 0)
		return;
	struct xside *x = &g->x[side];
	if (dir == 0) {
		if (x->phase == 2) {
			x_push(g, side, x, s->ts);
			x_emit(a, group, g, out);
		}
		x->phase = 1;
		x->req_last = s->ts;
		x->req_end = s->seq + s->len;
		x->req_ref = s->ref;
	} else if (x->phase == 1) {
		x->phase = 2;
		x->resp_first = x->resp_last = s->ts;
		x->resp_ref = s->ref;
		x->resp_file = s->file;
	} else if (x->phase == 2) {
		x->resp_last = s->ts;
	}
}

/* ---- the packet ---- */

static void emit_match(struct path_an *a, uint32_t group, struct gstate *g, uint8_t v, const struct event *cause,
		       struct emit *out)
{
	const struct path_group *pg = path_map_group(a->map, group);
	static const char *const fsrc[NV] = { "path.v0.source", "path.v1.source", "path.v2.source", "path.v3.source" };
	static const char *const fcli[NV] = { "path.v0.client", "path.v1.client", "path.v2.client", "path.v3.client" };
	static const char *const fsrv[NV] = { "path.v0.server", "path.v1.server", "path.v2.server", "path.v3.server" };
	static const char *const how[] = { "", "5-tuple", "TCP initial sequence numbers", "payload digests" };
	uint8_t other = 0;
	for (uint8_t i = 0; i < pg->nv; i++)
		if (g->seen[i] && i != v) {
			other = i;
			break;
		}
	struct event *ev = start(a, "path.match", group, 0, v, cause->ts, cause->ref, cause->file);
	ev->flow = cause->flow;
	peer(a, ev, pg->v[other].source, g->first_ref[other]);
	char ep[NV][2][80];
	for (uint8_t i = 0; i < pg->nv; i++) {
		char ab[64];
		for (int side = 0; side < 2; side++) {
			const struct addr *ad = side ? &pg->v[i].flow.dst : &pg->v[i].flow.src;
			addr_format(ad, ab, sizeof ab);
			snprintf(ep[i][side], sizeof ep[i][side], ad->family == 6 ? "[%s]:%u" : "%s:%u", ab,
				 side ? pg->v[i].flow.dport : pg->v[i].flow.sport);
		}
		ev_cstr(ev, fsrc[i], label(a, pg->v[i].source));
		ev_cstr(ev, fcli[i], ep[i][0]);
		ev_cstr(ev, fsrv[i], ep[i][1]);
	}
	ev_int(ev, "path.vantages", pg->nv);
	ev_cstr(ev, "path.matched_by", how[pg->how < 4 ? pg->how : 0]);
	char map[512], msg[768];
	path_group_mapping(pg, map, sizeof map);
	ev_cstr(ev, "path.mapping", map);
	size_t o = (size_t)snprintf(msg, sizeof msg, "same session at");
	for (uint8_t i = 0; i < pg->nv && o < sizeof msg; i++)
		o += (size_t)snprintf(msg + o, sizeof msg - o, "%s %s (%s \xe2\x86\x92 %s)", i ? "," : "",
				      label(a, pg->v[i].source), ep[i][0], ep[i][1]);
	if (o < sizeof msg)
		snprintf(msg + o, sizeof msg - o, ", matched by %s; %s", how[pg->how < 4 ? pg->how : 0], map);
	ev->msg = msg;
	emit_event(out, ev);
}

static void learn_order(struct gstate *g, const struct pend *e, uint8_t nv)
{
	for (uint8_t i = 0; i < nv; i++) {
		g->order[e->dir][i] = e->s[i].v;
		g->order[!e->dir][nv - 1 - i] = e->s[i].v;
	}
	g->order_known = true;
}

static void path_event(void *st, const struct event *ev, struct emit *out)
{
	struct path_an *a = st;
	const struct pkt *p = ev->pkt;
	if (!a->ng || !p || !(ev->flags & EV_HAS_FLOW) || !(p->layers & (PKT_TCP | PKT_UDP)) ||
	    (p->layers & (PKT_FRAG | PKT_INNER)))
		return;
	uint32_t group;
	uint8_t dir;
	if (!path_map_lookup(a->map, ev, &group, &dir))
		return;
	const struct path_group *pg = path_map_group(a->map, group);
	int vi = path_group_vantage(pg, ev->source);
	if (vi < 0)
		return;
	uint8_t v = (uint8_t)vi;
	struct gstate *g = gst(a, group);
	if (!g->session)
		g->session = ev->session;
	if (!g->seen[v]) {
		g->seen[v] = true;
		g->first_ref[v] = ev->ref;
		g->first_file[v] = ev->file;
		g->first_ts[v] = ev->ts;
		if (!g->first_ts_any)
			g->first_ts_any = ev->ts;
		unsigned ns = 0;
		for (uint8_t i = 0; i < pg->nv; i++)
			ns += g->seen[i];
		if (ns == 2 && !g->match_emitted) {
			g->match_emitted = true;
			emit_match(a, group, g, v, ev, out);
		}
	}
	/* sequence numbers in the first vantage's numbering (ISN randomisation) */
	uint32_t sd = pg->v[v].seq_delta[dir], ad = (p->tcp_flags & TH_ACK) ? pg->v[v].seq_delta[!dir] : 0;
	struct sight s = {
		.flow = ev->flow, .ts = ev->ts, .ref = ev->ref, .fp = path_fp_full_adj(p, sd, ad),
		.phash = path_payload_hash(p), .seq = p->seq - sd, .ack = p->ack - ad, .len = p->l4_len, .flags = p->tcp_flags, .win = p->win,
		.file = ev->file, .ttl = p->ttl, .ds = p->dsfield, .v = v, .cksum = p->l4_cksum, .wscale = p->wscale, .mss = p->mss,
		.sack_perm = p->sack_perm, .has_ts = p->has_ts,
	};
	s.nhead = (uint8_t)(p->payload_caplen < 16 ? p->payload_caplen : 16);
	if (s.nhead && p->payload)
		memcpy(s.head, p->payload, s.nhead);
	else
		s.nhead = 0;

	/* an ACK that counts bytes a middlebox added to what its sender sent */
	if (g->mod_pending && !g->ackmm_done && pg->proto == 6 && dir != g->mod_dir && (p->tcp_flags & TH_ACK) &&
	    s.ack == g->ack_mod && g->ack_mod != g->ack_orig) {
		g->ackmm_done = true;
		struct event *e2 = start(a, "path.ack_mismatch", group, dir, v, ev->ts, ev->ref, ev->file);
		peer(a, e2, pg->v[g->mod_v].source, g->mod_ref);
		ev_int(e2, "tcp.ack", p->ack);
		ev_int(e2, "path.expected_ack", g->ack_orig);
		uint32_t isn = g->mod_dir ? pg->isn_s : pg->isn_c;
		char rel[96] = "";
		if (pg->has_isn) {
			ev_int(e2, "path.ack_rel", (int64_t)(uint32_t)(s.ack - isn));
			ev_int(e2, "path.expected_ack_rel", (int64_t)(uint32_t)(g->ack_orig - isn));
			snprintf(rel, sizeof rel, " (ISN+%" PRIu32 " instead of ISN+%" PRIu32 ")", s.ack - isn,
				 g->ack_orig - isn);
		}
		char msg[512];
		snprintf(msg, sizeof msg, "%s acknowledges %" PRIu32 "%s, counting %d bytes added on the path: its peer "
			 "sent up to %" PRIu32 ", so a stateful device between them sees an ACK mismatch",
			 label(a, ev->source), p->ack, rel, (int)(g->ack_mod - g->ack_orig), g->ack_orig + ad);
		e2->msg = msg;
		emit_event(out, e2);
	}

	uint64_t key = pend_key(group, dir, path_fp_loose_adj(p, sd));
	struct pend *e = find_pend(a, key, group, dir, v);
	if (!e && is_capture_dup(a, key, group, dir, &s))
		return;
	if (!e) {
		while (a->head < a->tail && !a->ring[a->head % PATH_PENDING].live)
			a->head++;
		if (a->tail - a->head == PATH_PENDING) {
			/* full: the oldest goes; judged only if its time is up, else
			 * counted (a busier link than the window holds) */
			struct pend *old = &a->ring[a->head++ % PATH_PENDING];
			if (old->first_ts + a->bound < ev->ts ||
			    old->nseen >= path_map_group(a->map, old->group)->nv) {
				expire_one(a, old, out);  /* judged, or complete: nothing lost */
			} else {
				unlink_pend(a, old);
				if (!a->overflow++)
					a->overflow_ts = ev->ts;
			}
		}
		int32_t idx = (int32_t)(a->tail++ % PATH_PENDING);
		e = &a->ring[idx];
		if (e->live)
			unlink_pend(a, e);
		memset(e, 0, sizeof *e);
		e->key = key;
		e->group = group;
		e->dir = dir;
		e->serial = ++a->serial;
		e->first_ts = ev->ts;
		e->live = true;
		size_t b = bucket_of(key);
		e->next = a->bucket[b];
		a->bucket[b] = idx;
		e->s[0] = s;
		e->nseen = 1;
		e->mask = (uint8_t)(1u << v);
		if (e->serial > g->last_serial[dir][v])
			g->last_serial[dir][v] = e->serial;
		x_track(a, group, g, v, dir, &s, out);
		return;
	}
	const struct sight *up = &e->s[e->nseen - 1];
	hop_add(g, dir, up->v, v, s.ts - up->ts, s.ref, s.file);
	if (up->fp != s.fp || s.ttl > up->ttl || up->ttl - s.ttl > 32 || (up->cksum == 1 && s.cksum == 0) ||
	    up->ds >> 2 != s.ds >> 2)
		compare(a, g, e, up, &s, out);
	if (e->serial < g->last_serial[dir][v]) {
		struct event *e2 = start(a, "path.reordered", group, dir, v, s.ts, s.ref, s.file);
		e2->flow = s.flow;
		peer(a, e2, pg->v[up->v].source, up->ref);
		ev_cstr(e2, "path.dir", dir_name(dir));
		char pn[96], msg[300];
		pkt_name(e, &s, pg->proto, pn, sizeof pn);
		snprintf(msg, sizeof msg, "%s %s arrived at %s after a packet sent later at %s", dir_name(dir), pn,
			 label(a, ev->source), label(a, pg->v[up->v].source));
		e2->msg = msg;
		emit_event(out, e2);
		g->reordered++;
	} else {
		g->last_serial[dir][v] = e->serial;
	}
	e->s[e->nseen++] = s;
	e->mask |= (uint8_t)(1u << v);
	/* complete entries stay findable until their time is up, so that a
	 * capture's duplicate of the packet is recognised as one */
	if (e->nseen >= pg->nv && !g->order_known)
		learn_order(g, e, pg->nv);
	x_track(a, group, g, v, dir, &s, out);
}

/* ---- end of input ---- */

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

static void emit_delays(struct path_an *a, uint32_t group, struct gstate *g, struct emit *out)
{
	const struct path_group *pg = path_map_group(a->map, group);
	for (uint8_t d = 0; d < 2; d++)
		for (uint8_t x = 0; x < NV; x++)
			for (uint8_t y = 0; y < NV; y++) {
				struct hopstat *h = hop_find(g, d, x, y);
				if (!h || h->n < 3)  /* a handful of packets says nothing */
					continue;
				qsort(h->res, h->nres, sizeof *h->res, cmp_i64);
				int64_t med = h->res[h->nres / 2], p95 = h->res[(h->nres * 95) / 100 < h->nres ? (h->nres * 95) / 100 : h->nres - 1];
				uint64_t outl = 0;
				for (size_t i = 0; i < h->nres; i++)
					if (h->res[i] > 2 * med + 1000000)
						outl++;
				struct event *ev = start(a, "path.delay", group, d, y, g->first_ts[y], g->first_ref[y],
							 g->first_file[y]);
				peer(a, ev, pg->v[x].source, 0);
				ev_cstr(ev, "path.dir", dir_name(d));
				ev_cstr(ev, "path.hop_from", label(a, pg->v[x].source));
				ev_cstr(ev, "path.hop_to", label(a, pg->v[y].source));
				ev_int(ev, "path.packets", (int64_t)h->n);
				ev_dur(ev, "path.delay.min", h->min);
				ev_dur(ev, "path.delay.median", med);
				ev_dur(ev, "path.delay.p95", p95);
				ev_dur(ev, "path.delay.max", h->max);
				ev_int(ev, "path.delay.max_ref", (int64_t)h->max_ref);
				ev_int(ev, "path.delay.outliers", (int64_t)outl);
				char b1[32], b2[32], b3[32], msg[400];
				format_duration(h->min, b1, sizeof b1);
				format_duration(med, b2, sizeof b2);
				format_duration(h->max, b3, sizeof b3);
				snprintf(msg, sizeof msg, "%s delay %s \xe2\x86\x92 %s over %" PRIu64 " packets: min %s, median %s, max %s%s",
					 dir_name(d), label(a, pg->v[x].source), label(a, pg->v[y].source), h->n, b1, b2,
					 b3, outl ? " (outliers)" : "");
				ev->msg = msg;
				emit_event(out, ev);
			}
}

static void emit_blame(struct path_an *a, uint32_t group, struct gstate *g, struct emit *out)
{
	const struct path_group *pg = path_map_group(a->map, group);
	if (!g->nx)
		return;
	uint8_t vc = g->order[0][0];
	int64_t path = g->sum_wait - g->sum_server;
	int64_t n = (int64_t)g->nx;
	int64_t cavg = g->nclient ? g->sum_client / (int64_t)g->nclient : 0;
	int64_t total = g->sum_wait + g->sum_client;
	/* who takes most of the time; nobody is "slow" below 10 ms an exchange */
	const char *verdict;
	if (total / n < 10 * 1000000LL)
		verdict = "none";
	else if (path * 2 >= total)
		verdict = "path";
	else if (g->sum_server * 2 >= total)
		verdict = "server";
	else if (g->sum_client * 2 >= total)
		verdict = "client";
	else
		verdict = "mixed";
	struct event *ev = start(a, "path.blame", group, 0, vc, g->first_ts[vc], g->first_ref[vc], g->first_file[vc]);
	ev_int(ev, "path.exchanges", n);
	ev_dur(ev, "path.wait", g->sum_wait / n);
	ev_dur(ev, "path.delay", path / n);
	ev_dur(ev, "path.delay.request", g->sum_req / n);
	ev_dur(ev, "path.delay.response", g->sum_resp / n);
	ev_dur(ev, "path.server_think", g->sum_server / n);
	if (g->nclient)
		ev_dur(ev, "path.client_think", cavg);
	ev_cstr(ev, "path.verdict", verdict);
	/* the far vantage point: its first packet of the session (the handshake
	 * when the capture saw it) and its clock offset, so the finding can say
	 * on which clock correction the budget rests */
	uint8_t vf = g->order[0][pg->nv - 1];
	uint16_t fsrc = pg->v[vf].source;
	peer(a, ev, fsrc, g->first_ref[vf]);
	ev_cstr(ev, "path.hop_from", label(a, pg->v[vc].source));
	ev_cstr(ev, "path.hop_to", label(a, fsrc));
	if (fsrc < a->run->nsources) {
		ev_dur(ev, "path.clock_offset", a->run->sources[fsrc]->clock_offset);
		ev_dur(ev, "path.clock_uncertainty", a->run->sources[fsrc]->offset_uncertainty);
	}
	char w[32], p[32], r1[32], r2[32], s[32], c[32], msg[600];
	format_duration(g->sum_wait / n, w, sizeof w);
	format_duration(path / n, p, sizeof p);
	format_duration(g->sum_req / n, r1, sizeof r1);
	format_duration(g->sum_resp / n, r2, sizeof r2);
	format_duration(g->sum_server / n, s, sizeof s);
	format_duration(cavg, c, sizeof c);
	const char *say = !strcmp(verdict, "none") ? "nothing is slow: each exchange completes within 10 ms"
			  : !strcmp(verdict, "path") ? "neither end is slow: the network path takes most of the time"
			  : !strcmp(verdict, "server") ? "the server is slow: it thinks longer than the path takes"
			  : !strcmp(verdict, "client") ? "the client is slow: it waits before each next request"
						       : "the time is spread over path, server and client";
	snprintf(msg, sizeof msg, "%" PRIu64 " exchanges seen at %s and %s: per exchange the client waits %s = path %s "
		 "(request %s, response %s) + server think %s; client think %s; %s",
		 g->nx, label(a, pg->v[g->order[0][0]].source), label(a, pg->v[g->order[0][pg->nv - 1]].source), w, p,
		 r1, r2, s, c, say);
	ev->msg = msg;
	emit_event(out, ev);
}

static void emit_clocks(struct path_an *a, struct emit *out)
{
	for (size_t i = 0; i < a->run->nsources; i++) {
		const struct path_clock *c = path_map_clock(a->map, (uint16_t)i);
		if (!c)
			continue;
		const struct source *src = a->run->sources[i];
		struct event *ev = &a->ev;
		event_reset(ev);
		ev->type = "path.clock";
		ev->ts = src->first_ts;
		ev->ts_raw = src->first_ts - src->clock_offset;
		ev->source = (uint16_t)i;
		/* cite the first packet of this capture in a matched session */
		for (uint32_t gi = 0; gi < a->ng && !ev->ref; gi++) {
			const struct path_group *pg = path_map_group(a->map, gi);
			int v = path_group_vantage(pg, (uint16_t)i);
			if (a->g[gi] && v >= 0 && a->g[gi]->seen[v]) {
				ev->ref = a->g[gi]->first_ref[v];
				ev->file = a->g[gi]->first_file[v];
				ev->ts = a->g[gi]->first_ts[v];
				ev->ts_raw = ev->ts - src->clock_offset;
			}
		}
		ev_cstr(ev, "peer_source", label(a, c->against));
		ev_dur(ev, "clock.offset", src->clock_offset);
		ev_dur(ev, "clock.uncertainty", src->offset_uncertainty);
		ev_dur(ev, "clock.asymmetry_bound", c->est.bound);
		ev_bool(ev, "clock.two_way", c->est.two_way);
		ev_dur(ev, "path.delay.to", c->est.delay_ab);
		ev_dur(ev, "path.delay.from", c->est.delay_ba);
		ev_int(ev, "clock.packets", (int64_t)(c->est.n_ab + c->est.n_ba));
		ev_int(ev, "clock.sessions", (int64_t)c->groups);
		ev_dur(ev, "clock.offset_pair", c->est.offset);
		int ref = path_map_reference(a->map);
		char o[32], u[32], d1[32], d2[32], via[80] = "", msg[512];
		fmt_offset(src->clock_offset < 0 ? -src->clock_offset : src->clock_offset, o, sizeof o);
		format_duration(src->offset_uncertainty, u, sizeof u);
		format_duration(c->est.delay_ab, d1, sizeof d1);
		format_duration(c->est.delay_ba, d2, sizeof d2);
		if (ref >= 0 && c->against != ref)
			snprintf(via, sizeof via, ", measured through %s", label(a, c->against));
		if (c->est.two_way)
			snprintf(msg, sizeof msg, "%s clock runs %s %s %s (\xc2\xb1 %s%s), from %zu packets in %zu sessions; "
				 "one-way delay %s \xe2\x86\x92 %s %s, back %s",
				 src->label, o, src->clock_offset <= 0 ? "ahead of" : "behind", label(a, (uint16_t)ref), u, via,
				 c->est.n_ab + c->est.n_ba, c->groups, label(a, c->against), src->label, d1, d2);
		else
			snprintf(msg, sizeof msg, "%s clock runs about %s %s %s%s, from %zu packets in one direction only: "
				 "the figure includes the one-way delay", src->label, o,
				 src->clock_offset <= 0 ? "ahead of" : "behind", label(a, (uint16_t)ref), via, c->est.n_ab);
		ev->msg = msg;
		emit_event(out, ev);
	}
}

static void path_finish(void *st, struct emit *out)
{
	struct path_an *a = st;
	if (!a->ng)
		return;
	expire(a, INT64_MAX, out);
	emit_clocks(a, out);
	if (a->overflow) {
		struct event *ev = &a->ev;
		event_reset(ev);
		ev->type = "path.overflow";
		ev->ts = ev->ts_raw = a->overflow_ts;
		ev->source = (uint16_t)(path_map_reference(a->map) >= 0 ? path_map_reference(a->map) : 0);
		ev_int(ev, "path.unjudged", (int64_t)a->overflow);
		char msg[200];
		snprintf(msg, sizeof msg, "%" PRIu64 " packets were dropped from the path window unjudged "
			 "(more than %d in flight): loss there is not reported", a->overflow, PATH_PENDING);
		ev->msg = msg;
		emit_event(out, ev);
	}
	for (uint32_t i = 0; i < a->ng; i++) {
		struct gstate *g = a->g[i];
		if (!g)
			continue;
		const struct path_group *pg = path_map_group(a->map, i);
		for (int side = 0; side < 2 && g->order_known && pg->nv >= 2; side++)
			if (g->x[side].phase == 2)
				x_push(g, side, &g->x[side], -1);
		if (g->order_known)
			x_emit(a, i, g, out);
		emit_delays(a, i, g, out);
		emit_blame(a, i, g, out);
	}
}

const struct analyzer analyzer_path = {
	.name = "path",
	.emits = "path",
	.summary = "same session at several capture points: lost, injected, modified, reordered, delayed",
	.create = path_create,
	.event = path_event,
	.tick = path_tick,
	.finish = path_finish,
	.destroy = path_destroy,
};
