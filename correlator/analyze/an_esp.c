/*
 * correlator/analyze/an_esp.c - the ESP analyzer: per security association (SPI and
 * addresses, at one source) it follows the sequence numbers and reports
 *   esp.lost       sequence numbers that did not arrive within the anti-replay
 *                  window (64 packets, RFC 4303 3.4.3): emitted when they leave
 *                  it, count = how many, citing the packet after the gap. A
 *                  number that arrives late but within the window is
 *                  reordering, never loss
 *   esp.reordered  a late packet: late_by = highest number seen - its number;
 *                  replay_window_exceeded when late_by >= 64, the default
 *                  anti-replay window (RFC 4303 3.4.3): the receiver drops it
 *   esp.duplicate  a number seen before (within the last 1024)
 *   esp.interval   per SA and second with traffic: bytes, packets, lost,
 *                  reordered, duplicates (the report's charts; see an_esp.h)
 *   esp.summary    per SA when it goes idle or at the end: totals, lost
 *                  (numbers never seen, late arrivals deducted), reordered
 *                  with the deepest lateness, duplicates, and the first frame
 *                  of each kind (fields first_*_ref, and "cite")
 * Sequence numbers are the low 32 bits of a 64-bit count (extended sequence
 * numbers, RFC 4303 2.2.1 and appendix A): each packet's number is taken as
 * the 64-bit value nearest the highest seen, so the counter may wrap.
 * Does not: decrypt, follow IKE, or tell a rekeyed SA that reuses an SPI
 * from the same SA (SPIs are random, so this is rare).
 * Spec: RFC 4303 (ESP), RFC 3948 (UDP encapsulation).
 */
#include "an_esp.h"
#include "an_common.h"
#include "../core/analyzer.h"
#include "../core/flowtab.h"
#include "../core/run.h"
#include "../core/util.h"
#include "../core/pkt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ESP_TRACK 1024          /* sequence numbers remembered below the highest */
#define ESP_REPLAY_WINDOW 64    /* RFC 4303 default anti-replay window */

struct bucket {
	int64_t second;
	uint64_t bytes, packets, lost, reordered, dups;
	struct an_cause cause;      /* first packet of the second */
};

/* A run of numbers skipped by one packet, until it leaves the replay window. */
struct gap {
	uint64_t lo, hi;
	struct an_cause cause;      /* the packet after the gap */
	uint32_t seq;               /* its sequence number */
};

#define ESP_GAPS 16             /* past this, a new gap joins the newest */
#define ESP_DEPTHS 8            /* different lateness values listed per SA */

struct first_of {
	bool set;
	uint64_t ref;
	uint16_t file;
	int64_t ts;
	uint32_t seq;
	uint64_t late;
};

struct sa {
	uint32_t spi;
	uint16_t source;
	bool init;
	uint64_t max, base;         /* highest number seen; first number seen */
	uint64_t bits[ESP_TRACK / 64];
	uint64_t packets, bytes, skipped, net_lost, reordered, beyond, dups;
	uint64_t window_lost, max_late;
	struct { uint64_t late, n; } depth[ESP_DEPTHS];   /* late_by values seen, with counts */
	unsigned ndepth;
	uint64_t depth_other;
	struct gap gaps[ESP_GAPS];
	unsigned ngaps;
	struct first_of f_lost, f_reord, f_beyond, f_dup;
	int64_t first_ts, last_ts;
	struct an_cause first;
	struct bucket b;
	bool bucket_open;
	struct sa *bprev, *bnext;   /* SAs with an open bucket, oldest first */
};

struct esp_state {
	const struct run *run;
	struct flowtab *sas;
	struct sa *bhead, *btail;
	struct emit *out;           /* valid during a call that may evict */
	int64_t now;
	uint64_t *cap_drops;        /* per source */
	size_t nsources;
	struct event ev;
	char msg[256];
	char sa_txt[96];
	char depths[256];
	char cite[1024];
};

static void addr_str(const struct addr *a, char *buf, size_t n) { addr_format(a, buf, n); }

static void bucket_unlink(struct esp_state *s, struct sa *a)
{
	if (a->bprev)
		a->bprev->bnext = a->bnext;
	else
		s->bhead = a->bnext;
	if (a->bnext)
		a->bnext->bprev = a->bprev;
	else
		s->btail = a->bprev;
	a->bprev = a->bnext = NULL;
	a->bucket_open = false;
}

static void emit_interval(struct esp_state *s, struct sa *a, int64_t ts)
{
	struct event *ev = &s->ev;
	const struct bucket *b = &a->b;
	an_cause_init(ev, &b->cause, "esp.interval", ts);
	ev_int(ev, "esp.spi", a->spi);
	if (b->cause.has_flow) {
		ev_addr(ev, "ip.src", &b->cause.flow.src);
		ev_addr(ev, "ip.dst", &b->cause.flow.dst);
	}
	ev_int(ev, "second", b->second);
	ev_int(ev, "bytes", (int64_t)b->bytes);
	ev_int(ev, "packets", (int64_t)b->packets);
	ev_int(ev, "lost", (int64_t)b->lost);
	ev_int(ev, "reordered", (int64_t)b->reordered);
	ev_int(ev, "duplicates", (int64_t)b->dups);
	snprintf(s->msg, sizeof s->msg,
		 "ESP SPI 0x%08" PRIx32 " second %" PRId64 ": %" PRIu64 " packets, %" PRIu64
		 " bytes, %" PRIu64 " lost, %" PRIu64 " reordered",
		 a->spi, b->second, b->packets, b->bytes, b->lost, b->reordered);
	ev->msg = s->msg;
	emit_event(s->out, ev);
}

static void close_bucket(struct esp_state *s, struct sa *a, int64_t ts)
{
	if (!a->bucket_open)
		return;
	emit_interval(s, a, ts);
	bucket_unlink(s, a);
}

static void flush_gaps(struct esp_state *s, struct sa *a);

static void emit_summary(struct esp_state *s, struct sa *a, int64_t ts)
{
	flush_gaps(s, a);
	/* numbers still in the window that never came */
	for (uint64_t n = a->max >= ESP_TRACK ? a->max - ESP_TRACK + 1 : 0; n <= a->max; n++)
		if (n >= a->base && !(a->bits[(n % ESP_TRACK) / 64] >> (n % 64) & 1))
			a->net_lost++;
	struct event *ev = &s->ev;
	an_cause_init(ev, &a->first, "esp.summary", ts);
	ev_int(ev, "esp.spi", a->spi);
	if (a->first.has_flow) {
		ev_addr(ev, "ip.src", &a->first.flow.src);
		ev_addr(ev, "ip.dst", &a->first.flow.dst);
	}
	ev_int(ev, "packets", (int64_t)a->packets);
	ev_int(ev, "bytes", (int64_t)a->bytes);
	ev_int(ev, "first_seq", (int64_t)a->base);
	ev_int(ev, "last_seq", (int64_t)a->max);
	ev_int(ev, "skipped", (int64_t)a->skipped);
	ev_int(ev, "lost", (int64_t)a->net_lost);
	ev_int(ev, "reordered", (int64_t)a->reordered);
	ev_int(ev, "replay_window_exceeded", (int64_t)a->beyond);
	ev_int(ev, "duplicates", (int64_t)a->dups);
	ev_int(ev, "numbers", (int64_t)(a->max - a->base + 1));
	ev_int(ev, "max_late", (int64_t)a->max_late);
	ev_int(ev, "shallow", (int64_t)(a->reordered - a->beyond));
	ev_int(ev, "window_lost", (int64_t)a->window_lost);
	if (a->ndepth) {   /* "3 (2), 80 (1)": packets late, how often; in order of depth */
		size_t o = 0;
		bool used[ESP_DEPTHS] = { false };
		for (unsigned k = 0; k < a->ndepth; k++) {
			unsigned best = ESP_DEPTHS;
			for (unsigned i = 0; i < a->ndepth; i++)
				if (!used[i] && (best == ESP_DEPTHS || a->depth[i].late < a->depth[best].late))
					best = i;
			used[best] = true;
			o += (size_t)snprintf(s->depths + o, sizeof s->depths - o, "%s%" PRIu64 " (%" PRIu64 ")",
					      o ? ", " : "", a->depth[best].late, a->depth[best].n);
			if (o >= sizeof s->depths)
				o = sizeof s->depths - 1;
		}
		if (a->depth_other)
			snprintf(s->depths + o, sizeof s->depths - o, ", other (%" PRIu64 ")", a->depth_other);
		ev_cstr(ev, "depths", s->depths);
	}
	ev_dur(ev, "duration", a->last_ts - a->first_ts);
	char src[64] = "?", dst[64] = "?";
	if (a->first.has_flow) {
		addr_str(&a->first.flow.src, src, sizeof src);
		addr_str(&a->first.flow.dst, dst, sizeof dst);
	}
	snprintf(s->sa_txt, sizeof s->sa_txt, "0x%08" PRIx32 " %s -> %s", a->spi, src, dst);
	ev_cstr(ev, "sa", s->sa_txt);
	size_t m = 0;
	s->cite[0] = 0;
	const struct { const struct first_of *f; const char *name; const char *what; } kinds[] = {
		{ &a->f_lost, "first_lost_ref", "first loss: the packet after sequence numbers that never arrived within the window" },
		{ &a->f_reord, "first_reordered_ref", "first reordered packet" },
		{ &a->f_beyond, "first_beyond_ref", "first packet beyond the 64-packet anti-replay window" },
		{ &a->f_dup, "first_duplicate_ref", "first duplicate" },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		const struct first_of *f = kinds[i].f;
		if (!f->set)
			continue;
		ev_int(ev, kinds[i].name, (int64_t)f->ref);
		char late[48] = "";
		if (f->late)
			snprintf(late, sizeof late, ", %" PRIu64 " packets late", f->late);
		an_cite(s->cite, sizeof s->cite, &m, f->ref, f->file, f->ts, "[esp] %s (sequence %" PRIu32 "%s)",
			kinds[i].what, f->seq, late);
	}
	if (m)
		ev_cstr(ev, "cite", s->cite);
	snprintf(s->msg, sizeof s->msg,
		 "ESP SPI 0x%08" PRIx32 " %s -> %s: %" PRIu64 " packets, %" PRIu64 " lost, %" PRIu64
		 " reordered (up to %" PRIu64 " packets late, %" PRIu64 " outside the replay window), %" PRIu64 " duplicates",
		 a->spi, src, dst, a->packets, a->net_lost, a->reordered, a->max_late, a->beyond, a->dups);
	ev->msg = s->msg;
	emit_event(s->out, ev);
}

static void on_evict(void *ctx, const struct flow *key, void *data, bool by_cap)
{
	struct esp_state *s = ctx;
	struct sa *a = data;
	if (by_cap && a->source < s->nsources)
		s->cap_drops[a->source]++;
	if (!a->init || !s->out)
		return;
	close_bucket(s, a, s->now);
	emit_summary(s, a, s->now);
}

static void *esp_create(const struct run *run)
{
	struct esp_state *s = xcalloc(1, sizeof *s);
	s->run = run;
	s->sas = flowtab_new(sizeof(struct sa), run->opt.max_sessions, run->opt.session_timeout,
			     on_evict, s);
	s->nsources = run->nsources ? run->nsources : 1;
	s->cap_drops = xcalloc(s->nsources, sizeof *s->cap_drops);
	return s;
}

static bool bit_get(const struct sa *a, uint64_t n)
{
	return a->bits[(n % ESP_TRACK) / 64] >> (n % 64) & 1;
}

static void bit_set(struct sa *a, uint64_t n, bool v)
{
	uint64_t m = 1ull << (n % 64);
	if (v)
		a->bits[(n % ESP_TRACK) / 64] |= m;
	else
		a->bits[(n % ESP_TRACK) / 64] &= ~m;
}

/* Move the highest number to n (> a->max), counting numbers that leave the
 * window without having been seen. */
static void advance(struct sa *a, uint64_t n)
{
	uint64_t d = n - a->max;
	uint64_t steps = d < ESP_TRACK ? d : ESP_TRACK;
	for (uint64_t k = 1; k <= steps; k++) {
		uint64_t m = a->max + k;
		if (m >= ESP_TRACK) {
			uint64_t old = m - ESP_TRACK;
			if (old >= a->base && !bit_get(a, old))
				a->net_lost++;
		}
		bit_set(a, m, false);
	}
	if (d > ESP_TRACK)
		a->net_lost += d - ESP_TRACK;
	a->max = n;
	bit_set(a, n, true);
}

static void first_set(struct first_of *f, uint64_t ref, uint16_t file, int64_t ts, uint32_t seq, uint64_t late)
{
	if (f->set)
		return;
	f->set = true;
	f->ref = ref;
	f->file = file;
	f->ts = ts;
	f->seq = seq;
	f->late = late;
}

/* Numbers in [lo, hi] not seen, the highest being a->max (numbers that fell
 * below the tracked range were skipped over, so never seen). */
static uint64_t unseen(const struct sa *a, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0, floor = a->max >= ESP_TRACK - 1 ? a->max - (ESP_TRACK - 1) : 0;
	if (lo < floor) {
		uint64_t top = hi < floor ? hi : floor - 1;
		n += top - lo + 1;
		lo = top + 1;
	}
	for (uint64_t m = lo; m <= hi; m++)
		if (!bit_get(a, m))
			n++;
	return n;
}

/* "0x1234abcd 192.0.2.1 -> 198.51.100.2" into s->sa_txt, as a field */
static void sa_field(struct esp_state *s, const struct sa *a)
{
	char src[64] = "?", dst[64] = "?";
	if (a->first.has_flow) {
		addr_str(&a->first.flow.src, src, sizeof src);
		addr_str(&a->first.flow.dst, dst, sizeof dst);
	}
	snprintf(s->sa_txt, sizeof s->sa_txt, "0x%08" PRIx32 " %s -> %s", a->spi, src, dst);
	ev_cstr(&s->ev, "sa", s->sa_txt);
}

static void emit_lost(struct esp_state *s, struct sa *a, const struct gap *g, uint64_t lo, uint64_t k)
{
	struct event *ev = &s->ev;
	an_cause_init(ev, &g->cause, "esp.lost", s->now);
	ev_int(ev, "esp.spi", a->spi);
	ev_int(ev, "esp.sequence", g->seq);
	ev_int(ev, "count", (int64_t)k);
	ev_int(ev, "expected", (uint32_t)lo);
	sa_field(s, a);
	snprintf(s->msg, sizeof s->msg,
		 "ESP SPI 0x%08" PRIx32 ": %" PRIu64 " sequence number%s from %" PRIu32 " (missing before %" PRIu32
		 ") did not arrive within the 64-packet anti-replay window",
		 a->spi, k, k == 1 ? "" : "s", (uint32_t)lo, g->seq);
	ev->msg = s->msg;
	a->window_lost += k;
	if (a->bucket_open)
		a->b.lost += k;
	first_set(&a->f_lost, g->cause.ref, g->cause.file, g->cause.ts, g->seq, 0);
	emit_event(s->out, ev);
}

/* Gaps wholly out of the replay window [max - 63, max]: the numbers still
 * unseen there are lost (a later arrival is dropped as a replay). */
static void window_exit(struct esp_state *s, struct sa *a)
{
	if (a->max < ESP_REPLAY_WINDOW)
		return;
	uint64_t low = a->max - ESP_REPLAY_WINDOW + 1;
	while (a->ngaps && a->gaps[0].hi < low) {
		struct gap *g = &a->gaps[0];
		uint64_t k = unseen(a, g->lo, g->hi);
		if (k)
			emit_lost(s, a, g, g->lo, k);
		memmove(&a->gaps[0], &a->gaps[1], (a->ngaps - 1) * sizeof a->gaps[0]);
		a->ngaps--;
	}
}

/* At the SA's end: the numbers still missing never arrived. */
static void flush_gaps(struct esp_state *s, struct sa *a)
{
	for (unsigned i = 0; i < a->ngaps; i++) {
		uint64_t k = unseen(a, a->gaps[i].lo, a->gaps[i].hi);
		if (k)
			emit_lost(s, a, &a->gaps[i], a->gaps[i].lo, k);
	}
	a->ngaps = 0;
}

static void add_gap(struct sa *a, uint64_t lo, uint64_t hi, const struct event *ev, uint32_t seq)
{
	if (a->ngaps == ESP_GAPS) {   /* join the newest: the numbers between were seen */
		a->gaps[ESP_GAPS - 1].hi = hi;
		return;
	}
	struct gap *g = &a->gaps[a->ngaps++];
	g->lo = lo;
	g->hi = hi;
	g->seq = seq;
	an_cause_save(&g->cause, ev);
}

static void emit_seq(struct esp_state *s, const struct event *cause, const struct sa *a,
		     const char *type, uint32_t seq)
{
	analysis_init(&s->ev, cause, type);
	ev_int(&s->ev, "esp.spi", a->spi);
	ev_int(&s->ev, "esp.sequence", seq);
	sa_field(s, a);
}

static void esp_event(void *st, const struct event *ev, struct emit *out)
{
	struct esp_state *s = st;
	const struct pkt *p = ev->pkt;
	uint32_t spi, seq;
	uint64_t bytes = 0;
	struct flow f = { 0 };
	if (p) {
		if (!(p->layers & PKT_ESP) || (p->layers & PKT_FRAG))
			return;
		spi = p->esp_spi;
		seq = p->esp_seq;
		bytes = p->ip_len;
		f.src = p->src;
		f.dst = p->dst;
	} else {
		int64_t v_spi, v_seq, v_len;
		if (strcmp(ev->type, "esp") || !(ev->flags & EV_HAS_FLOW) ||
		    !event_get_int(ev, "esp.spi", &v_spi) || !event_get_int(ev, "esp.sequence", &v_seq))
			return;
		spi = (uint32_t)v_spi;
		seq = (uint32_t)v_seq;
		if (event_get_int(ev, "ip.len", &v_len) && v_len > 0)
			bytes = (uint64_t)v_len;
		f.src = ev->flow.src;
		f.dst = ev->flow.dst;
	}
	s->out = out;
	s->now = ev->ts;
	f.proto = 50;
	f.sport = (uint16_t)(spi >> 16);
	f.dport = (uint16_t)spi;
	/* the direction bit keeps the two SAs of a pair apart in the
	 * direction-agnostic table */
	uint32_t extra = ev->source | (addr_cmp(&f.src, &f.dst) > 0 ? 1u << 16 : 0);
	bool created, reversed;
	struct sa *a = flowtab_get(s->sas, &f, extra, ev->ts, true, &created, &reversed);
	if (reversed || (!created && a->spi != spi))
		return;  /* same addresses both ways, halves of the SPI swapped: not ours */
	if (created) {
		a->spi = spi;
		a->source = ev->source;
		an_cause_save(&a->first, ev);
		a->first_ts = ev->ts;
	}
	a->last_ts = ev->ts;
	a->packets++;
	a->bytes += bytes;
	int64_t sec = ev->ts >= 0 ? ev->ts / NS_PER_SEC : -((-ev->ts + NS_PER_SEC - 1) / NS_PER_SEC);
	if (a->bucket_open && a->b.second != sec)
		close_bucket(s, a, ev->ts);
	if (!a->bucket_open) {
		memset(&a->b, 0, sizeof a->b);
		a->b.second = sec;
		an_cause_save(&a->b.cause, ev);
		a->bucket_open = true;
		a->bprev = s->btail;
		a->bnext = NULL;
		if (s->btail)
			s->btail->bnext = a;
		else
			s->bhead = a;
		s->btail = a;
	}
	a->b.packets++;
	a->b.bytes += bytes;

	if (!a->init) {
		a->init = true;
		a->max = a->base = seq;
		bit_set(a, seq, true);
		return;
	}
	int64_t diff = (int32_t)(seq - (uint32_t)a->max);
	if (diff > 0) {
		uint64_t n = a->max + (uint64_t)diff;
		if (diff > 1) {
			a->skipped += (uint64_t)diff - 1;
			add_gap(a, a->max + 1, n - 1, ev, seq);
		}
		advance(a, n);
		window_exit(s, a);
		return;
	}
	uint64_t late = (uint64_t)(-diff);
	if (late == 0 || (late < ESP_TRACK && late <= a->max && bit_get(a, a->max - late))) {
		a->dups++;
		a->b.dups++;
		first_set(&a->f_dup, ev->ref, ev->file, ev->ts, seq, 0);
		emit_seq(s, ev, a, "esp.duplicate", seq);
		snprintf(s->msg, sizeof s->msg, "ESP SPI 0x%08" PRIx32 ": sequence number %" PRIu32 " seen before",
			 spi, seq);
		s->ev.msg = s->msg;
		emit_event(out, &s->ev);
		return;
	}
	a->reordered++;
	a->b.reordered++;
	bool beyond = late >= ESP_REPLAY_WINDOW;
	if (beyond) {
		a->beyond++;
		first_set(&a->f_beyond, ev->ref, ev->file, ev->ts, seq, late);
	}
	first_set(&a->f_reord, ev->ref, ev->file, ev->ts, seq, late);
	unsigned di = 0;
	while (di < a->ndepth && a->depth[di].late != late)
		di++;
	if (di < a->ndepth) {
		a->depth[di].n++;
	} else if (a->ndepth < ESP_DEPTHS) {
		a->depth[a->ndepth].late = late;
		a->depth[a->ndepth++].n = 1;
	} else {
		a->depth_other++;
	}
	if (late > a->max_late)
		a->max_late = late;
	if (late <= a->max) {
		uint64_t n = a->max - late;
		if (late < ESP_TRACK)
			bit_set(a, n, true);
		else if (n >= a->base && a->net_lost)
			a->net_lost--;  /* counted lost when it left the window */
	}
	emit_seq(s, ev, a, "esp.reordered", seq);
	ev_int(&s->ev, "late_by", (int64_t)late);
	ev_bool(&s->ev, "replay_window_exceeded", beyond);
	snprintf(s->msg, sizeof s->msg,
		 "ESP SPI 0x%08" PRIx32 ": sequence number %" PRIu32 " arrived %" PRIu64
		 " packets late%s", spi, seq, late,
		 beyond ? ", outside the 64-packet anti-replay window (the receiver drops it)" : "");
	s->ev.msg = s->msg;
	emit_event(out, &s->ev);
}

static void esp_tick(void *st, int64_t now, struct emit *out)
{
	struct esp_state *s = st;
	s->out = out;
	s->now = now;
	while (s->bhead && (s->bhead->b.second + 1) * NS_PER_SEC <= now)
		close_bucket(s, s->bhead, (s->bhead->b.second + 1) * NS_PER_SEC);
	flowtab_expire(s->sas, now);
}

static void flush_one(void *ctx, const struct flow *key, void *data)
{
	struct esp_state *s = ctx;
	struct sa *a = data;
	if (!a->init)
		return;
	close_bucket(s, a, s->now);
	emit_summary(s, a, s->now);
	a->init = false;  /* flowtab_free() below must not report it again */
}

static void esp_finish(void *st, struct emit *out)
{
	struct esp_state *s = st;
	s->out = out;
	/* close the open seconds at their end, oldest first */
	while (s->bhead) {
		int64_t end = (s->bhead->b.second + 1) * NS_PER_SEC;
		if (end > s->now)
			s->now = end;
		close_bucket(s, s->bhead, end);
	}
	flowtab_foreach(s->sas, flush_one, s);
	for (size_t i = 0; i < s->nsources; i++)
		an_note_cap(s->run, (uint16_t)i, "esp", s->cap_drops[i], "security associations evicted",
			    s->run->opt.max_sessions);
	s->out = NULL;
}

static void esp_destroy(void *st)
{
	struct esp_state *s = st;
	s->out = NULL;
	flowtab_free(s->sas);
	free(s->cap_drops);
	free(s);
}

const struct analyzer analyzer_esp = {
	.name = "esp",
	.emits = "esp",
	.summary = "ESP sequence numbers per SA: loss, reordering, duplicates, per-second series",
	.create = esp_create,
	.event = esp_event,
	.tick = esp_tick,
	.finish = esp_finish,
	.destroy = esp_destroy,
};

/* ---- series collector (an_esp.h) ---- */

struct esp_series_set {
	struct esp_series *v;
	size_t n, cap;
	size_t points;
	uint64_t dropped;
};

struct esp_series_set *esp_series_new(void) { return xcalloc(1, sizeof(struct esp_series_set)); }

void esp_series_free(struct esp_series_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].pts);
	free(s->v);
	free(s);
}

void esp_series_add(struct esp_series_set *s, const struct event *ev)
{
	if (strcmp(ev->type, "esp.interval"))
		return;
	int64_t spi, sec, v;
	if (!event_get_int(ev, "esp.spi", &spi) || !event_get_int(ev, "second", &sec))
		return;
	const struct value *vs = event_get(ev, "ip.src"), *vd = event_get(ev, "ip.dst");
	struct addr src = { 0 }, dst = { 0 };
	if (vs && vs->type == V_ADDR)
		src = vs->u.a;
	if (vd && vd->type == V_ADDR)
		dst = vd->u.a;
	struct esp_series *e = NULL;
	for (size_t i = s->n; i-- > 0;) {
		struct esp_series *c = &s->v[i];
		if (c->source == ev->source && c->spi == (uint32_t)spi && addr_equal(&c->src, &src) &&
		    addr_equal(&c->dst, &dst)) {
			e = c;
			break;
		}
	}
	if (s->points >= ESP_SERIES_MAX_POINTS) {
		s->dropped++;
		return;
	}
	if (!e) {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 8;
			s->v = xrealloc(s->v, s->cap * sizeof *s->v);
		}
		e = &s->v[s->n++];
		memset(e, 0, sizeof *e);
		e->source = ev->source;
		e->spi = (uint32_t)spi;
		e->src = src;
		e->dst = dst;
	}
	if (e->npts == e->cap_pts) {
		e->cap_pts = e->cap_pts ? e->cap_pts * 2 : 16;
		e->pts = xrealloc(e->pts, e->cap_pts * sizeof *e->pts);
	}
	struct esp_series_point *pt = &e->pts[e->npts++];
	memset(pt, 0, sizeof *pt);
	pt->second = sec;
	if (event_get_int(ev, "bytes", &v))
		pt->bytes = (uint64_t)v;
	if (event_get_int(ev, "packets", &v))
		pt->packets = (uint64_t)v;
	if (event_get_int(ev, "lost", &v))
		pt->lost = (uint64_t)v;
	if (event_get_int(ev, "reordered", &v))
		pt->reordered = (uint64_t)v;
	if (event_get_int(ev, "duplicates", &v))
		pt->duplicates = (uint64_t)v;
	s->points++;
}

const struct esp_series *esp_series_get(const struct esp_series_set *s, size_t *n)
{
	*n = s->n;
	return s->v;
}

uint64_t esp_series_dropped(const struct esp_series_set *s) { return s->dropped; }
