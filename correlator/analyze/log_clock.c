/*
 * correlator/analyze/log_clock.c - log sources onto the capture clock (see
 * log_clock.h): read the logs once, bounded, and the captures only when some
 * log names a flow (a capture alone is read up to its first packet), pair each
 * log record with the packets of the session it names, vote for the offset.
 * Does not: touch capture offsets or emit events.
 */
#include "log_clock.h"

#include "an_common.h"

#include "../core/event.h"
#include "../core/parser.h"
#include "../core/pkt.h"
#include "../core/run.h"
#include "../core/source.h"
#include "../core/util.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000LL
#define CANDS_PER_REC 256
#define MAX_CANDS 4000000u
#define NVAR 4

enum { K_SYN = 1, K_END = 2, K_SYNACK = 4 };
enum { A_ANY, A_START, A_END, A_CONNECTED, A_SKIP };

struct lc_pkt {
	uint64_t key;
	int64_t ts;
	uint64_t ref;
	uint32_t seq;         /* TCP sequence number */
	uint16_t source;
	uint16_t ip_id;
	uint8_t kind;
	uint32_t line;        /* hash of the payload's first line, or 0 */
	bool sw;              /* sent by the canonical flow's second end */
};

struct lc_rec {
	uint64_t ref;
	int8_t causal;        /* see log_clock_cand */
	int64_t ts_raw;
	uint64_t key[NVAR];
	int32_t ip_id;        /* the IP-ID the record names (iptables ID=), or -1 */
	uint32_t line;        /* hash of the line an SMTP command/reply logs, or 0 */
	int64_t seq;          /* the TCP sequence number it names (ETW send SeqNo), or -1 */
	uint8_t nkey, action;
	bool sw, own_dir;     /* own_dir: the record describes one packet in the
	                         direction of its flow (ETW: a datagram received
	                         and dropped, a segment sent), so only packets
	                         sent that way fit (the flow as named: key[0]) */
};

struct lc_log {
	struct lc_rec *r;
	size_t n, cap;
	int64_t resolution;
	uint64_t with_flow;
};

static uint64_t flow_key_dir(const struct flow *f, bool *sw)
{
	struct flow c;
	flow_canonical(f, &c, sw);
	return flow_hash(&c) | 1;
}

static uint64_t flow_key(const struct flow *f)
{
	bool sw;
	return flow_key_dir(f, &sw);
}

static int cmp_pkt(const void *a, const void *b)
{
	const struct lc_pkt *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct log_clock_cand *x = a, *y = b;
	return x->d < y->d ? -1 : x->d > y->d;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The window [d_i, d_i + w] over c[from, to) holding the most distinct
 * records (ties: the window nearer zero: a clock on time is the likelier);
 * cnt (nrec zeros) is left zeroed. */
static size_t best_window(const struct log_clock_cand *c, size_t from, size_t to, int64_t w, uint32_t *cnt,
			  size_t *bi, size_t *bj)
{
	size_t best = 0, distinct = 0;
	*bi = from;
	*bj = from + 1;
	for (size_t i = from, j = from; i < to; i++) {
		while (j < to && c[j].d - c[i].d <= w) {
			if (!cnt[c[j].rec]++)
				distinct++;
			j++;
		}
		int64_t ctr = c[i].d + (c[j - 1].d - c[i].d) / 2;
		if (distinct > best ||
		    (distinct == best && llabs(ctr) < llabs(c[*bi].d + (c[*bj - 1].d - c[*bi].d) / 2))) {
			best = distinct;
			*bi = i;
			*bj = j;
		}
		if (!--cnt[c[i].rec])
			distinct--;
	}
	return best;
}

/* Each candidate says the offset lies in [d, d + w]. The offsets covered by
 * the most distinct records, as the longest run [*a, *b] (ties within 1 ms:
 * the run nearer zero); returns the count. Candidates sorted by d; cnt
 * (nrec zeros) is left zeroed. */
static size_t best_cover(const struct log_clock_cand *c, size_t n, int64_t w, uint32_t *cnt, int64_t *a,
			 int64_t *b)
{
	size_t i = 0, j = 0, distinct = 0, best = 0, run_val = 0;
	int64_t prev = 0, run_a = 0, run_b = 0;
	bool have_prev = false;
	while (i < n || j < n) {
		bool start = i < n && c[i].d <= c[j].d + w;
		int64_t pos = start ? c[i].d : c[j].d + w;
		if (have_prev && pos > prev && distinct) {
			if (distinct == run_val && run_b == prev) {
				run_b = pos;
			} else {
				run_val = distinct;
				run_a = prev;
				run_b = pos;
			}
			int64_t len = run_b - run_a, blen = *b - *a;
			if (run_val > best ||
			    (run_val == best && (len > blen + 1000000 ||
						 (len >= blen - 1000000 &&
						  llabs(run_a + len / 2) < llabs(*a + blen / 2))))) {
				best = run_val;
				*a = run_a;
				*b = run_b;
			}
		}
		if (start) {
			if (!cnt[c[i++].rec]++)
				distinct++;
		} else if (!--cnt[c[j++].rec]) {
			distinct--;
		}
		prev = pos;
		have_prev = true;
	}
	return best;
}

void log_clock_vote(struct log_clock_cand *c, size_t n, size_t nrec, int64_t resolution,
		    struct log_clock_est *out)
{
	memset(out, 0, sizeof *out);
	if (!n || !nrec)
		return;
	qsort(c, n, sizeof *c, cmp_cand);
	int64_t res = resolution >= NS ? resolution : 0;
	uint32_t *seen = xcalloc(nrec, sizeof *seen), *cnt = xcalloc(nrec, sizeof *cnt);
	size_t best_i, best_j;
	size_t best = best_window(c, 0, n, res + NS, cnt, &best_i, &best_j);
	/* the narrowest slack that still covers as many records, and there the
	 * longest run of offsets they all allow: a record with several
	 * candidates (retries a second apart, one flow's many packets) keeps the
	 * one that agrees with the others. Slack 2 ms first: the firewall and
	 * the capture see a packet a little apart. */
	static const int64_t narrower[] = { 2000000, 20000000, 200000000 };
	for (size_t k = 0; k < sizeof narrower / sizeof *narrower; k++) {
		int64_t w = res + narrower[k], a = 0, b = 0;
		if (best_cover(c, n, w, cnt, &a, &b) != best)
			continue;
		/* the candidates that cover the whole run: d in [b - w, a] */
		size_t i = 0, j;
		while (i < n && c[i].d < b - w)
			i++;
		for (j = i; j < n && c[j].d <= a; j++)
			;
		if (j > i) {
			best_i = i;
			best_j = j;
		}
		break;
	}
	free(cnt);
	/* per record, the candidate nearest the window's middle */
	int64_t mid = c[best_i].d + (c[best_j - 1].d - c[best_i].d) / 2;
	int64_t *pick = xmalloc(nrec * sizeof *pick);
	size_t np = 0;
	int64_t *bestd = xmalloc(nrec * sizeof *bestd);
	int8_t *bcausal = xmalloc(nrec);
	for (size_t k = best_i; k < best_j; k++) {
		uint32_t r = c[k].rec;
		int64_t dist = llabs(c[k].d - mid);
		if (!seen[r]) {
			seen[r] = (uint32_t)++np;
			bestd[np - 1] = c[k].d;
			bcausal[np - 1] = c[k].causal;
		} else if (dist < llabs(bestd[seen[r] - 1] - mid)) {
			bestd[seen[r] - 1] = c[k].d;
		}
	}
	/* causal bounds (fine-grained logs): a record that follows its packet
	 * (a drop) must stay after it, offset <= its d; one that precedes (a
	 * send) must stay before, offset >= its d */
	bool has_lo = false, has_hi = false;
	int64_t clo = 0, chi = 0;
	for (size_t k = 0; k < np && resolution < NS; k++) {
		if (bcausal[k] > 0 && (!has_hi || bestd[k] < chi))
			chi = bestd[k], has_hi = true;
		if (bcausal[k] < 0 && (!has_lo || bestd[k] > clo))
			clo = bestd[k], has_lo = true;
	}
	free(bcausal);
	memcpy(pick, bestd, np * sizeof *pick);
	free(bestd);
	free(seen);
	qsort(pick, np, sizeof *pick, cmp_i64);
	if (resolution >= NS) {
		/* stamped t, happened in [t, t + res): offset in [d, d + res) */
		int64_t lo = pick[np - 1], hi = pick[0] + resolution;
		if (lo <= 0 && hi > 0) {
			/* on time is consistent with every record: keep the stamps */
			out->offset = 0;
			out->uncertainty = (hi - lo) / 2;
		} else if (lo <= hi) {
			out->offset = lo + (hi - lo) / 2;
			out->uncertainty = (hi - lo) / 2;
		} else {
			out->offset = pick[np / 2] + resolution / 2;
			out->uncertainty = (lo - hi) / 2 + resolution / 2;
		}
	} else {
		out->offset = pick[np / 2];
		out->uncertainty = (pick[np - 1] - pick[0]) / 2 + 1000000;  /* + 1 ms */
		if (llabs(out->offset) <= out->uncertainty)
			out->offset = 0;
		bool late = has_hi && out->offset >= chi, early = has_lo && out->offset <= clo;
		if ((late || early) && has_lo && has_hi && clo < chi)
			out->offset = clo + (chi - clo) / 2;
		else if (late)
			out->offset = chi - 1000;          /* 1 us after its packet */
		else if (early)
			out->offset = clo + 1000;
	}
	out->records = np;
	out->ok = 1;
	free(pick);
}

/* ---- reading ---- */

static uint8_t action_of(const struct event *ev)
{
	const char *t = ev->type;
	if (!strcmp(t, "fw.teardown") || !strcmp(t, "smtp.disconnect"))
		return A_END;
	if (!strcmp(t, "smtp.connect"))
		return A_CONNECTED;  /* Exchange logs "+" once connected: the SYN-ACK */
	if (!strcmp(t, "smtp.info"))
		return A_SKIP;       /* Exchange's own notes, at no packet's time */
	if (!strcmp(t, "etw.tcpip.connect"))
		return A_START;
	const struct value *a = event_get(ev, "fw.action");
	if (a && a->type == V_STR) {
		if ((a->u.s.n == 5 && !memcmp(a->u.s.p, "built", 5)) || (a->u.s.n == 4 && !memcmp(a->u.s.p, "open", 4)))
			return A_START;
		if (a->u.s.n == 5 && !memcmp(a->u.s.p, "close", 5))
			return A_END;
		/* TMG logs the connection's first packet; Check Point logs an
		 * accept once per connection, when its first packet matches a rule */
		if (a->u.s.n == 20 && !memcmp(a->u.s.p, "Initiated Connection", 20))
			return A_START;
		if (a->u.s.n == 6 && !memcmp(a->u.s.p, "accept", 6) && event_get(ev, "checkpoint.origin"))
			return A_START;
	}
	return A_ANY;
}

static bool get_addr(const struct event *ev, const char *name, struct addr *out)
{
	const struct value *v = event_get(ev, name);
	if (!v || v->type != V_ADDR)
		return false;
	*out = v->u.a;
	return true;
}

/* A line's hash for pairing an SMTP log line with the segment that carried
 * it (never 0). */
static uint32_t line_hash(const uint8_t *p, size_t n)
{
	size_t k = 0;
	while (k < n && k < 512 && p[k] != '\r' && p[k] != '\n')
		k++;
	if (!k)
		return 0;
	uint64_t h = an_hash(p, k);
	return (uint32_t)(h ^ (h >> 32)) | 1;
}

/* The flow as named, and as it is on the other side of the NAT. */
static void rec_keys(const struct event *ev, struct lc_rec *r)
{
	struct flow f = ev->flow;
	r->key[r->nkey++] = flow_key(&f);
	struct addr real, mapped, xd;
	int64_t rp = -1, mp = -1, xp = -1;
	struct flow g = f;
	bool changed = false;
	if (get_addr(ev, "nat.real_ip", &real) && get_addr(ev, "nat.mapped_ip", &mapped)) {
		event_get_int(ev, "nat.real_port", &rp);
		event_get_int(ev, "nat.mapped_port", &mp);
		if (addr_equal(&g.src, &real) && (rp < 0 || rp == g.sport)) {
			g.src = mapped;
			if (mp >= 0)
				g.sport = (uint16_t)mp;
			changed = true;
		} else if (addr_equal(&g.dst, &real) && (rp < 0 || rp == g.dport)) {
			g.dst = mapped;
			if (mp >= 0)
				g.dport = (uint16_t)mp;
			changed = true;
		}
		if (changed)
			r->key[r->nkey++] = flow_key(&g);
	}
	if (get_addr(ev, "nat.xlatedst", &xd)) {
		event_get_int(ev, "nat.xlatedport", &xp);
		struct flow h = f;
		h.dst = xd;
		if (xp > 0)
			h.dport = (uint16_t)xp;
		r->key[r->nkey++] = flow_key(&h);
		if (changed) {
			g.dst = xd;
			if (xp > 0)
				g.dport = (uint16_t)xp;
			r->key[r->nkey++] = flow_key(&g);
		}
	}
}

/* Read src once, quietly, without disturbing its counts; packets into pk,
 * flow-naming records into lg. A first reading (records_only) stops at the
 * first packet naming a flow: a capture, read again only when some log needs
 * its packets. */
struct lc_reading {
	struct lc_pkt **pk;
	size_t *npk, *cpk;
	struct lc_log *lg;
	int64_t clock_offset;
	uint16_t index;
	bool records_only;
	uint64_t n, npkts;
};

static bool lc_visit(void *ctx, struct event *ev)
{
	struct lc_reading *rd = ctx;
	if (!ev)
		return rd->n < LOG_CLOCK_PKTS;
	rd->n++;
	if (!(ev->flags & EV_HAS_FLOW))
		return rd->n < LOG_CLOCK_PKTS;
	struct lc_log *lg = rd->lg;
	uint8_t action;
	if (ev->pkt) {
		rd->npkts++;
		if (rd->records_only)
			return false;
		if (*rd->npk == *rd->cpk) {
			*rd->cpk = *rd->cpk ? *rd->cpk * 2 : 4096;
			*rd->pk = xrealloc(*rd->pk, *rd->cpk * sizeof **rd->pk);
		}
		const struct pkt *p = ev->pkt;
		uint8_t kind = 0;
		if (p->layers & PKT_TCP) {
			if ((p->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN)
				kind |= K_SYN;
			if (p->tcp_flags & (TH_FIN | TH_RST))
				kind |= K_END;
			if ((p->tcp_flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
				kind |= K_SYNACK;
		}
		uint32_t n = p->payload_caplen < p->l4_len ? p->payload_caplen : p->l4_len;
		uint32_t line = (p->layers & PKT_TCP) && p->payload && n ? line_hash(p->payload, n) : 0;
		bool sw;
		uint64_t key = flow_key_dir(&ev->flow, &sw);
		(*rd->pk)[(*rd->npk)++] = (struct lc_pkt){ key, ev->ts_raw + rd->clock_offset, ev->ref,
							   (p->layers & PKT_TCP) ? p->seq : 0, rd->index, p->ip_id,
							   kind, line, sw };
	} else if (lg->n < LOG_CLOCK_RECS && (action = action_of(ev)) != A_SKIP) {
		lg->with_flow++;
		if (lg->n == lg->cap) {
			lg->cap = lg->cap ? lg->cap * 2 : 256;
			lg->r = xrealloc(lg->r, lg->cap * sizeof *lg->r);
		}
		struct lc_rec *r = &lg->r[lg->n++];
		memset(r, 0, sizeof *r);
		r->ref = ev->ref;
		r->ts_raw = ev->ts_raw;
		r->action = action;
		int64_t id;
		r->ip_id = event_get_int(ev, "ip.id", &id) && id >= 0 && id <= 65535 ? (int32_t)id : -1;
		const struct value *sd = event_get(ev, "smtp.data");
		if (sd && sd->type == V_STR && (!strcmp(ev->type, "smtp.command") || !strcmp(ev->type, "smtp.reply")))
			r->line = line_hash((const uint8_t *)sd->u.s.p, sd->u.s.n);
		r->seq = -1;
		if (!strncmp(ev->type, "etw.", 4)) {
			/* ETW: a datagram dropped, a segment sent (SeqNo): one packet,
			 * in the flow's direction */
			r->own_dir = !strcmp(ev->type, "etw.afd.datagram_dropped") ||
				     !strcmp(ev->type, "etw.tcpip.send");
			if (!strcmp(ev->type, "etw.afd.datagram_dropped"))
				r->causal = 1;
			else if (!strcmp(ev->type, "etw.tcpip.send") || !strcmp(ev->type, "etw.tcpip.connect"))
				r->causal = -1;
			if (!strcmp(ev->type, "etw.tcpip.send") && event_get_int(ev, "tcp.seq", &id) && id >= 0 &&
			    id <= (int64_t)UINT32_MAX)
				r->seq = id;
		}
		flow_key_dir(&ev->flow, &r->sw);
		rec_keys(ev, r);
	}
	return rd->n < LOG_CLOCK_PKTS;
}

static void lc_read(struct source *src, bool records_only, struct lc_pkt **pk, size_t *npk, size_t *cpk,
		    struct lc_log *lg, bool *is_capture)
{
	struct lc_reading rd = { pk, npk, cpk, lg, src->clock_offset, (uint16_t)src->index, records_only, 0, 0 };
	source_preread(src, lc_visit, &rd);
	lg->resolution = src->ts_resolution;
	*is_capture = rd.npkts > 0;
}

/* First packet of key in the sorted array, or n. */
static size_t find_key(const struct lc_pkt *p, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (p[m].key < key)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

static bool fits(const struct lc_pkt *p, const struct lc_rec *r, unsigned v)
{
	uint8_t action = r->action;
	int32_t ip_id = r->ip_id;
	if (r->own_dir && v == 0 && p->sw != r->sw)
		return false;
	if (r->seq >= 0 && v == 0)
		return p->seq == (uint32_t)r->seq;  /* the very segment */
	if (ip_id >= 0)
		return p->ip_id == ip_id;  /* the very packet */
	if (r->line)
		return p->line == r->line;    /* the segment that carried the logged line */
	if (action == A_CONNECTED)
		return p->kind & K_SYNACK;
	if (action == A_START)
		return p->kind & K_SYN;
	if (action == A_END)
		return p->kind & K_END;
	return true;
}

static void estimate_log(struct run *run, struct source *src, struct lc_log *lg, const struct lc_pkt *pk,
			 size_t npk)
{
	struct log_clock_cand *c = NULL;
	size_t nc = 0, cc = 0, named = 0;
	for (size_t i = 0; i < lg->n && nc < MAX_CANDS; i++) {
		struct lc_rec *r = &lg->r[i];
		size_t got = 0;
		for (unsigned v = 0; v < r->nkey && got < CANDS_PER_REC; v++) {
			size_t a = find_key(pk, npk, r->key[v]), b = a;
			while (b < npk && pk[b].key == r->key[v])
				b++;
			if (a == b)
				continue;
			bool any_fit = false;
			for (size_t k = a; k < b; k++)
				any_fit |= fits(&pk[k], r, v);
			if (!any_fit && r->line)
				continue;  /* the capture lacks that segment (or its payload) */
			for (size_t k = a; k < b && got < CANDS_PER_REC; k++) {
				/* no SYN / FIN in the capture: the first / last packet */
				bool use = any_fit ? fits(&pk[k], r, v)
						   : r->action == A_START ? k == a : r->action == A_END ? k == b - 1 : true;
				if (!use)
					continue;
				if (nc == cc) {
					cc = cc ? cc * 2 : 1024;
					c = xrealloc(c, cc * sizeof *c);
				}
				c[nc++] = (struct log_clock_cand){ r->ts_raw - pk[k].ts, (uint32_t)i, r->causal };
				got++;
			}
		}
		named += got > 0;
	}
	struct log_clock_est e;
	log_clock_vote(c, nc, lg->n, lg->resolution, &e);
	free(c);
	if (!e.ok) {
		source_note(src, "clock left as read (offset 0): none of its %" PRIu64
			    " records naming a flow matches a session in the captures", lg->with_flow);
		return;
	}
	src->clock_offset = -e.offset;
	src->offset_origin = OFFSET_ESTIMATED;
	src->offset_uncertainty = e.uncertainty > 0 ? e.uncertainty : 1;
	src->offset_records = e.records;
	char o[40], u[40];
	snprintf(o, sizeof o, "%+.3f s", (double)-e.offset / 1e9);
	format_duration(e.uncertainty, u, sizeof u);
	source_note(src, "clock correction %s \xc2\xb1 %s to match the captures, from %zu record%s naming "
		    "a captured session (of %zu that name one)%s", o, u, e.records, e.records == 1 ? "" : "s", named,
		    lg->resolution >= NS ? "; whole-second stamps kept as 1 s intervals" : "");
	/* records outside the lifetime of the session they name */
	int64_t tol = e.uncertainty + (lg->resolution >= NS ? lg->resolution : 0) + 2 * NS;
	unsigned warned = 0;
	for (size_t i = 0; i < lg->n; i++) {
		struct lc_rec *r = &lg->r[i];
		if (r->action == A_END)
			continue;  /* teardowns follow idle timers, minutes after the last packet */
		int64_t t = r->ts_raw - e.offset;
		bool inside = false, any = false;
		size_t fa = 0, fb = 0;
		for (unsigned v = 0; v < r->nkey && !inside; v++) {
			size_t a = find_key(pk, npk, r->key[v]), b = a;
			while (b < npk && pk[b].key == r->key[v])
				b++;
			if (a == b)
				continue;
			if (!any)
				fa = a, fb = b;
			any = true;
			inside = t >= pk[a].ts - tol && t <= pk[b - 1].ts + tol;
		}
		if (!any || inside)
			continue;
		const struct source *cs = run->sources[pk[fa].source];
		char d[48];
		int64_t off = t < pk[fa].ts ? pk[fa].ts - t : t - pk[fb - 1].ts;
		format_duration(off, d, sizeof d);
		bool q = src->quiet;
		if (warned >= 20)
			src->quiet = true;
		source_warn(src, r->ref, "names a session seen at %s#%" PRIu64 "..#%" PRIu64 " but falls %s %s it "
			    "(after the clock correction)", cs->label, pk[fa].ref, pk[fb - 1].ref, d,
			    t < pk[fa].ts ? "before" : "after");
		src->quiet = q;
		warned++;
	}
}

void log_clock_prepass(struct run *run)
{
	size_t n = run->nsources;
	if (run_readable_sources(run) < 2)  /* a log and a capture to set it by: two sources at least */
		return;
	struct lc_pkt *pk = NULL;
	size_t npk = 0, cpk = 0;
	struct lc_log *lg = xcalloc(n, sizeof *lg);
	bool *cap = xcalloc(n, sizeof *cap);
	bool any_log = false;
	for (size_t i = 0; i < n; i++) {
		struct source *src = run->sources[i];
		if (src->unreadable || !src->nfiles)
			continue;
		lc_read(src, true, &pk, &npk, &cpk, &lg[i], &cap[i]);
		if (!cap[i] && lg[i].n && src->offset_origin != OFFSET_GIVEN)
			any_log = true;
	}
	/* the captures' packets, only when a log names flows to align by */
	for (size_t i = 0; i < n && any_log; i++) {
		if (!cap[i])
			continue;
		lg[i].n = 0;  /* a capture's own records are not aligned */
		lc_read(run->sources[i], false, &pk, &npk, &cpk, &lg[i], &cap[i]);
	}
	if (any_log && npk) {
		qsort(pk, npk, sizeof *pk, cmp_pkt);
		for (size_t i = 0; i < n; i++)
			if (!cap[i] && lg[i].n && run->sources[i]->offset_origin != OFFSET_GIVEN)
				estimate_log(run, run->sources[i], &lg[i], pk, npk);
	}
	for (size_t i = 0; i < n; i++)
		free(lg[i].r);
	free(lg);
	free(cap);
	free(pk);
}
