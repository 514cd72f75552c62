/*
 * correlator/analyze/path_match.c - the path pre-pass: same session in several
 * captures, clock offsets between them (see path_match.h).
 * Memory: per capture PATH_PREPASS_PKTS packet records (24 bytes) and
 * PATH_PREPASS_SESS sessions, each indexed once; freed before the main pass
 * except the map.
 * Does not: compare packets for loss or change (an_path.c).
 */
#include "path_match.h"
#include "../core/flowtab.h"
#include "../core/run.h"
#include "../core/sessions.h"
#include "../core/source.h"
#include "../core/util.h"
#include "../core/pkt.h"
#include "../core/parser.h"
#include "../core/readers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PP_DIG 12             /* digests kept per session */
#define U64MAP_DUP UINT32_MAX /* key seen more than once */

/* ---- a small u64 -> u32 open-addressing map (key 0 is remapped) ---- */

struct u64map {
	uint64_t *k;
	uint32_t *v;
	size_t cap;
};

static void u64map_init(struct u64map *m, size_t n)
{
	m->cap = 16;
	while (m->cap < n * 2)
		m->cap <<= 1;
	m->k = xcalloc(m->cap, sizeof *m->k);
	m->v = xcalloc(m->cap, sizeof *m->v);
}

static void u64map_fini(struct u64map *m)
{
	free(m->k);
	free(m->v);
	m->k = NULL;
	m->v = NULL;
}

static size_t u64map_slot(const struct u64map *m, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 17) & (m->cap - 1);
	while (m->k[i] && m->k[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Insert; a second insert of the same key marks it U64MAP_DUP. The map is
 * sized for its keys up front, so it never fills. */
static void u64map_put(struct u64map *m, uint64_t key, uint32_t v)
{
	key = key ? key : 1;
	size_t i = u64map_slot(m, key);
	if (m->k[i]) {
		if (m->v[i] != v)
			m->v[i] = U64MAP_DUP;
		return;
	}
	m->k[i] = key;
	m->v[i] = v;
}

static bool u64map_get(const struct u64map *m, uint64_t key, uint32_t *v)
{
	key = key ? key : 1;
	size_t i = u64map_slot(m, key);
	if (!m->k[i] || m->v[i] == U64MAP_DUP)
		return false;
	*v = m->v[i];
	return true;
}

static uint64_t mix64(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h;
}

/* ---- fingerprints ---- */

uint64_t path_payload_hash(const struct pkt *p)
{
	/* FNV-1a over the captured payload, at most 128 bytes: enough to tell
	 * packets apart, and the same at every vantage with a sane snaplen */
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t n = p->payload ? p->payload_caplen : 0;
	if (n > 128)
		n = 128;
	for (uint32_t i = 0; i < n; i++) {
		h ^= p->payload[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ n;
}

/* everything but the sequence and acknowledgement numbers */
static uint64_t fp_base(const struct pkt *p)
{
	uint64_t h = mix64(p->ip_proto, p->ip_id);
	h = mix64(h, p->l4_len);
	if (p->layers & PKT_TCP) {
		h = mix64(h, p->tcp_flags);
		h = mix64(h, p->win);
		/* options middleboxes rewrite: MSS clamping, stripped SACK/timestamps */
		h = mix64(h, (uint64_t)(uint32_t)p->mss << 16 | (uint8_t)p->wscale);
		h = mix64(h, (uint64_t)p->sack_perm << 1 | p->has_ts);
	}
	return mix64(h, path_payload_hash(p));
}

static uint64_t fp_seq(uint64_t base, uint32_t seq, uint32_t ack)
{
	return mix64(mix64(base, seq), ack);
}

uint64_t path_fp_full_adj(const struct pkt *p, uint32_t sdelta, uint32_t adelta)
{
	if (!(p->layers & PKT_TCP))
		return fp_base(p);
	return fp_seq(fp_base(p), p->seq - sdelta, (p->tcp_flags & TH_ACK) ? p->ack - adelta : p->ack);
}

uint64_t path_fp_full(const struct pkt *p) { return path_fp_full_adj(p, 0, 0); }

uint64_t path_fp_loose_adj(const struct pkt *p, uint32_t sdelta)
{
	uint64_t h = mix64(p->ip_proto, p->ip_id);
	if (p->layers & PKT_TCP)
		return mix64(h, p->seq - sdelta);
	if (p->ip_id)
		return h;
	return path_fp_full(p);
}

uint64_t path_fp_loose(const struct pkt *p) { return path_fp_loose_adj(p, 0); }

/* ---- per-capture collection ---- */

struct pp_sess {
	struct flow flow;      /* client -> server: SYN sender, else first sender */
	uint32_t isn_c, isn_s;
	bool syn, synack;
	uint8_t ndig;
	uint64_t dig[PP_DIG];
	uint8_t digdir[PP_DIG];
	int32_t reply_of;      /* UDP reply flow: its request's session */
	int32_t group;         /* -1: not matched */
	bool flip;             /* client/server reversed relative to the group */
	uint32_t delta[2];     /* seq numbers minus the group's first vantage's (client's, server's) */
};

struct pp_pkt {
	uint64_t fp;           /* fp_base: without seq/ack */
	int64_t ts;
	uint32_t sess;
	uint32_t seq, ack;     /* TCP, raw; 0 otherwise */
	uint8_t dir;
	bool has_ack;
};

struct pp_src {
	uint16_t index;
	struct flowtab *tab;     /* flow -> session index + 1 */
	struct flowtab *udpcli;  /* (client addr, port, server port) -> session index + 1 */
	struct pp_sess *s;
	size_t ns, caps;
	struct pp_pkt *p;
	size_t np, capp;
	bool has_pkts;
	/* built on first use, once: the sessions by both ISNs, by the client's
	 * ISN and by payload digest (match_pair), the packets of matched
	 * sessions by fingerprint (pair_samples) */
	bool indexed;
	struct u64map by_isns, by_cli_isn, by_digest, by_fp;
};

static bool flow_same_dir(const struct flow *f, const struct flow *g)
{
	return f->sport == g->sport && addr_equal(&f->src, &g->src);
}

static void flow_reverse(const struct flow *f, struct flow *out)
{
	struct flow r = { .src = f->dst, .dst = f->src, .sport = f->dport, .dport = f->sport,
			  .proto = f->proto };
	*out = r;
}

static void pp_src_init(struct pp_src *ps, uint16_t index)
{
	memset(ps, 0, sizeof *ps);
	ps->index = index;
	ps->tab = flowtab_new(sizeof(uint32_t), 0, 0, NULL, NULL);
	ps->udpcli = flowtab_new(sizeof(uint32_t), 0, 0, NULL, NULL);
}

static void pp_src_fini(struct pp_src *ps)
{
	flowtab_free(ps->tab);
	flowtab_free(ps->udpcli);
	free(ps->s);
	free(ps->p);
	u64map_fini(&ps->by_isns);
	u64map_fini(&ps->by_cli_isn);
	u64map_fini(&ps->by_digest);
	u64map_fini(&ps->by_fp);
}

static struct flow udpcli_key(const struct addr *cli, uint16_t cport, uint16_t sport)
{
	struct flow k = { .src = *cli, .sport = cport, .dport = sport, .proto = 17 };
	return k;
}

static void pp_add_digest(struct pp_sess *s, uint64_t d, uint8_t dir)
{
	if (s->ndig < PP_DIG) {
		s->digdir[s->ndig] = dir;
		s->dig[s->ndig++] = d;
	}
}

/* Account one packet of a capture (ts already corrected by a given offset). */
static void pp_add(struct pp_src *ps, const struct pkt *p, const struct flow *f, int64_t ts)
{
	bool tcp = (p->layers & PKT_TCP) != 0;
	if (!tcp && !(p->layers & PKT_UDP))
		return;
	if (p->layers & (PKT_FRAG | PKT_INNER))
		return;
	bool created, rev;
	uint32_t *slot = flowtab_get(ps->tab, f, 0, ts, ps->ns < PATH_PREPASS_SESS, &created, &rev);
	if (!slot)
		return;
	if (created) {
		if (ps->ns == ps->caps) {
			ps->caps = ps->caps ? ps->caps * 2 : 256;
			ps->s = xrealloc(ps->s, ps->caps * sizeof *ps->s);
		}
		struct pp_sess *s = &ps->s[ps->ns];
		memset(s, 0, sizeof *s);
		s->flow = *f;
		s->reply_of = -1;
		s->group = -1;
		if (tcp && (p->tcp_flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
			flow_reverse(f, &s->flow);
		if (!tcp) {
			struct flow k = udpcli_key(&f->dst, f->dport, f->sport);
			uint32_t *r = flowtab_get(ps->udpcli, &k, 0, ts, false, &created, &rev);
			if (r && *r && !addr_equal(&ps->s[*r - 1].flow.dst, &f->src)) {
				/* a reply from another address than the one asked */
				s->reply_of = (int32_t)(*r - 1);
				flow_reverse(f, &s->flow);
			} else {
				k = udpcli_key(&f->src, f->sport, f->dport);
				uint32_t *n = flowtab_get(ps->udpcli, &k, 0, ts, true, &created, &rev);
				if (created)
					*n = (uint32_t)ps->ns + 1;
			}
		}
		*slot = (uint32_t)++ps->ns;
	}
	uint32_t si = *slot - 1;
	struct pp_sess *s = &ps->s[si];
	uint8_t dir = flow_same_dir(f, &s->flow) ? 0 : 1;
	if (tcp && (p->tcp_flags & TH_SYN)) {
		if (!(p->tcp_flags & TH_ACK) && dir == 0 && !s->syn) {
			s->syn = true;
			s->isn_c = p->seq;
		} else if ((p->tcp_flags & TH_ACK) && dir == 1 && !s->synack) {
			s->synack = true;
			s->isn_s = p->seq;
		}
	}
	if (p->l4_len > 0 && p->payload_caplen > 0) {
		uint64_t d = mix64(path_payload_hash(p), p->l4_len);
		if (!tcp) {
			/* with the IP-ID (identical requests told apart), and without
			 * it (a NAT that rewrites IP-IDs) */
			pp_add_digest(s, mix64(d, p->ip_id), dir);
			pp_add_digest(s, mix64(d, 0x1d1d), dir);
		} else {
			pp_add_digest(s, d, dir);
		}
	} else if (tcp && !(p->tcp_flags & TH_SYN) && s->ndig < PP_DIG / 2) {
		/* no payload (mid-stream ACKs): IP-ID, seq, ack and flags together */
		pp_add_digest(s, mix64(path_fp_full(p), 0xac4), dir);
	}
	if (ps->np == ps->capp) {
		ps->capp = ps->capp ? ps->capp * 2 : 1024;
		ps->p = xrealloc(ps->p, ps->capp * sizeof *ps->p);
	}
	ps->p[ps->np++] = (struct pp_pkt){ fp_base(p), ts, si, tcp ? p->seq : 0, tcp ? p->ack : 0, dir,
					   tcp && (p->tcp_flags & TH_ACK) };
}

/* Up to PATH_PREPASS_PKTS packets of a source into its session table; a
 * source whose first 64 events (or first file) hold no packet is no capture. */
struct pp_reading {
	struct pp_src *ps;
	int64_t clock_offset;
	uint64_t n, nonpkt;
};

static bool pp_visit(void *ctx, struct event *ev)
{
	struct pp_reading *rd = ctx;
	if (!ev)
		return rd->ps->has_pkts;
	if (!ev->pkt)
		return ++rd->nonpkt < 64 || rd->ps->has_pkts;
	rd->n++;
	rd->ps->has_pkts = true;
	if (ev->flags & EV_HAS_FLOW)
		pp_add(rd->ps, ev->pkt, &ev->flow, ev->ts_raw + rd->clock_offset);
	return rd->n < PATH_PREPASS_PKTS;
}

/* Whether a source is a capture by pp_visit's rule, read only up to its
 * first packet. */
struct pp_probe {
	bool has_pkts;
	uint64_t nonpkt;
};

static bool pp_probe_visit(void *ctx, struct event *ev)
{
	struct pp_probe *pr = ctx;
	if (ev && ev->pkt)
		pr->has_pkts = true;
	return ev && !ev->pkt && ++pr->nonpkt < 64;
}

/* The captures among run's sources, counted up to two: with fewer there is
 * no path to match, and no source is read further. */
static size_t count_captures(struct run *run)
{
	size_t ncap = 0;
	for (size_t i = 0; i < run->nsources && ncap < 2; i++) {
		struct source *src = run->sources[i];
		if (src->unreadable || !src->nfiles)
			continue;
		struct pp_probe pr = { false, 0 };
		source_preread(src, pp_probe_visit, &pr);
		ncap += pr.has_pkts;
	}
	return ncap;
}


/* ---- matching two captures ---- */

struct pair_match {
	int32_t idx;   /* session in a, or -1 */
	uint8_t how;
	bool flip;     /* b's orientation is reversed against a's */
};

static uint64_t isn_key(uint32_t c, uint32_t s) { return mix64(mix64(0x15a, c), s); }

/* a's sessions by ISNs and by payload digest, for matching any capture to it */
static void index_sessions(struct pp_src *a)
{
	if (a->indexed)
		return;
	a->indexed = true;
	u64map_init(&a->by_isns, a->ns);
	u64map_init(&a->by_cli_isn, a->ns);
	for (size_t k = 0; k < a->ns; k++) {
		const struct pp_sess *as = &a->s[k];
		if (as->syn && as->synack)
			u64map_put(&a->by_isns, isn_key(as->isn_c, as->isn_s), (uint32_t)k);
		if (as->syn)
			u64map_put(&a->by_cli_isn, isn_key(as->isn_c, 0x5e55), (uint32_t)k);
	}
	u64map_init(&a->by_digest, a->ns * PP_DIG);
	for (size_t k = 0; k < a->ns; k++)
		for (unsigned d = 0; d < a->s[k].ndig; d++)
			u64map_put(&a->by_digest, a->s[k].dig[d], (uint32_t)(k * 2 + a->s[k].digdir[d]));
}

static void match_pair(struct pp_src *a, const struct pp_src *b, struct pair_match *m)
{
	bool *used = xcalloc(a->ns + 1, 1);
	for (size_t i = 0; i < b->ns; i++)
		m[i] = (struct pair_match){ -1, 0, false };
	/* 1. same 5-tuple; ISNs, when both know them, must agree (port reuse) */
	for (size_t i = 0; i < b->ns; i++) {
		const struct pp_sess *bs = &b->s[i];
		bool created, rev;
		uint32_t *slot = flowtab_get(a->tab, &bs->flow, 0, 0, false, &created, &rev);
		if (!slot || !*slot || used[*slot - 1])
			continue;
		const struct pp_sess *as = &a->s[*slot - 1];
		if (as->syn && bs->syn && as->isn_c != bs->isn_c)
			continue;
		used[*slot - 1] = true;
		m[i] = (struct pair_match){ (int32_t)(*slot - 1), PATH_BY_TUPLE,
					    !flow_same_dir(&as->flow, &bs->flow) };
	}
	/* 2. ISNs: both, then the client's alone */
	index_sessions(a);
	for (size_t i = 0; i < b->ns; i++) {
		const struct pp_sess *bs = &b->s[i];
		uint32_t k;
		if (m[i].idx >= 0 || !bs->syn)
			continue;
		bool hit = bs->synack && u64map_get(&a->by_isns, isn_key(bs->isn_c, bs->isn_s), &k);
		if (!hit)
			hit = u64map_get(&a->by_cli_isn, isn_key(bs->isn_c, 0x5e55), &k);
		if (!hit || used[k])
			continue;
		used[k] = true;
		m[i] = (struct pair_match){ (int32_t)k, PATH_BY_ISN, false };
	}
	/* 3. payload digests unique in a; every hit must name the same session */
	for (size_t i = 0; i < b->ns; i++) {
		const struct pp_sess *bs = &b->s[i];
		if (m[i].idx >= 0 || bs->reply_of >= 0)
			continue;
		int64_t cand = -1;
		bool flip = false, bad = false;
		for (unsigned d = 0; d < bs->ndig && !bad; d++) {
			uint32_t v;
			if (!u64map_get(&a->by_digest, bs->dig[d], &v))
				continue;
			bool f = (v & 1) != bs->digdir[d];
			if (cand < 0) {
				cand = v / 2;
				flip = f;
			} else if (cand != (int64_t)(v / 2) || f != flip) {
				bad = true;
			}
		}
		if (bad || cand < 0 || used[cand] || a->s[cand].flow.proto != bs->flow.proto)
			continue;
		used[cand] = true;
		m[i] = (struct pair_match){ (int32_t)cand, PATH_BY_DIGEST, flip };
	}
	free(used);
}

void path_match_sessions(const struct path_test_sess *a, size_t na, const struct path_test_sess *b,
			 size_t nb, int *match)
{
	struct pp_src sa, sb;
	pp_src_init(&sa, 0);
	pp_src_init(&sb, 1);
	const struct path_test_sess *in[2] = { a, b };
	size_t nin[2] = { na, nb };
	struct pp_src *out[2] = { &sa, &sb };
	for (int w = 0; w < 2; w++) {
		struct pp_src *ps = out[w];
		ps->s = xcalloc(nin[w] + 1, sizeof *ps->s);
		for (size_t i = 0; i < nin[w]; i++) {
			struct pp_sess *s = &ps->s[ps->ns++];
			s->flow = in[w][i].flow;
			s->isn_c = in[w][i].isn_c;
			s->isn_s = in[w][i].isn_s;
			s->syn = s->isn_c != 0;
			s->synack = s->isn_s != 0;
			s->reply_of = -1;
			s->group = -1;
			if (in[w][i].digest)
				pp_add_digest(s, in[w][i].digest, 0);
			bool created, rev;
			uint32_t *slot = flowtab_get(ps->tab, &s->flow, 0, 0, true, &created, &rev);
			if (created)
				*slot = (uint32_t)ps->ns;
		}
	}
	struct pair_match *m = xcalloc(nb + 1, sizeof *m);
	match_pair(&sa, &sb, m);
	for (size_t i = 0; i < nb; i++)
		match[i] = m[i].idx;
	free(m);
	pp_src_fini(&sa);
	pp_src_fini(&sb);
}

/* ---- the map ---- */

struct map_entry {
	uint16_t source;
	uint32_t group;
	struct flow cs;   /* client -> server at this source */
};

struct path_map {
	struct path_group *groups;
	size_t ngroups, capg;
	struct map_entry *ent;
	size_t nent, cape;
	uint32_t *slots;  /* open addressing: entry index + 1 */
	size_t nslots;
	int reference;
	size_t nclocks;
	struct path_clock *clocks;  /* per source */
};

static uint64_t entry_hash(uint16_t source, const struct flow *f)
{
	return mix64(flow_hash(f), source);
}

static void map_add(struct path_map *m, uint16_t source, const struct flow *cs, uint32_t group)
{
	if (m->nent == m->cape) {
		m->cape = m->cape ? m->cape * 2 : 64;
		m->ent = xrealloc(m->ent, m->cape * sizeof *m->ent);
	}
	m->ent[m->nent++] = (struct map_entry){ source, group, *cs };
}

static void map_index(struct path_map *m)
{
	m->nslots = 16;
	while (m->nslots < m->nent * 2)
		m->nslots <<= 1;
	m->slots = xcalloc(m->nslots, sizeof *m->slots);
	for (size_t i = 0; i < m->nent; i++) {
		size_t s = (size_t)entry_hash(m->ent[i].source, &m->ent[i].cs) & (m->nslots - 1);
		while (m->slots[s])
			s = (s + 1) & (m->nslots - 1);
		m->slots[s] = (uint32_t)i + 1;
	}
}

static const struct map_entry *map_find(const struct path_map *m, uint16_t source, const struct flow *f)
{
	if (!m || !m->nslots)
		return NULL;
	size_t s = (size_t)entry_hash(source, f) & (m->nslots - 1);
	while (m->slots[s]) {
		const struct map_entry *e = &m->ent[m->slots[s] - 1];
		if (e->source == source && flow_same_session(&e->cs, f))
			return e;
		s = (s + 1) & (m->nslots - 1);
	}
	return NULL;
}

/* the direction of f in entry e's session: 0 client to server */
static uint8_t entry_dir(const struct map_entry *e, const struct flow *f)
{
	return flow_same_dir(f, &e->cs) && f->dport == e->cs.dport ? 0 : 1;
}

/* ev->alias when it is an entry of m (map_alias found it), else NULL */
static const struct map_entry *event_entry(const struct path_map *m, const struct event *ev)
{
	uintptr_t p = (uintptr_t)ev->alias, lo = (uintptr_t)m->ent;
	return ev->alias && p >= lo && p < lo + m->nent * sizeof *m->ent ? ev->alias : NULL;
}

bool path_map_lookup(const struct path_map *m, const struct event *ev, uint32_t *group, uint8_t *dir)
{
	if (!m)
		return false;
	const struct map_entry *e = event_entry(m, ev);
	if (!e)
		e = map_find(m, ev->source, &ev->flow);
	if (!e)
		return false;
	*group = e->group;
	*dir = entry_dir(e, &ev->flow);
	return true;
}

const struct path_group *path_map_group(const struct path_map *m, uint32_t group)
{
	return m && group < m->ngroups ? &m->groups[group] : NULL;
}

size_t path_map_ngroups(const struct path_map *m) { return m ? m->ngroups : 0; }
int path_map_reference(const struct path_map *m) { return m ? m->reference : -1; }

const struct path_clock *path_map_clock(const struct path_map *m, uint16_t source)
{
	if (!m || source >= m->nclocks || !m->clocks[source].estimated)
		return NULL;
	return &m->clocks[source];
}

int path_group_vantage(const struct path_group *g, uint16_t source)
{
	for (int i = 0; i < g->nv; i++)
		if (g->v[i].source == source)
			return i;
	return -1;
}

static size_t endpoint_fmt(const struct addr *a, uint16_t port, char *buf, size_t len)
{
	char ab[64];
	addr_format(a, ab, sizeof ab);
	return (size_t)snprintf(buf, len, a->family == 6 ? "[%s]:%u" : "%s:%u", ab, port);
}

void path_group_mapping(const struct path_group *g, char *buf, size_t len)
{
	/* client endpoints across vantages, then server endpoints, each only
	 * when it changes; plain "same 5-tuple" otherwise */
	size_t o = 0;
	buf[0] = '\0';
	for (int side = 0; side < 2; side++) {
		for (int i = 1; i < g->nv; i++) {
			const struct flow *f0 = &g->v[0].flow, *fi = &g->v[i].flow;
			const struct addr *a0 = side ? &f0->dst : &f0->src, *ai = side ? &fi->dst : &fi->src;
			uint16_t p0 = side ? f0->dport : f0->sport, pi = side ? fi->dport : fi->sport;
			if (addr_equal(a0, ai) && p0 == pi)
				continue;
			if (o && o < len)
				o += (size_t)snprintf(buf + o, len - o, "; ");
			if (o < len)
				o += endpoint_fmt(a0, p0, buf + o, len - o);
			if (o < len)
				o += (size_t)snprintf(buf + o, len - o, " \xe2\x86\x94 ");
			if (o < len)
				o += endpoint_fmt(ai, pi, buf + o, len - o);
		}
	}
	if (!o)
		snprintf(buf, len, "same 5-tuple");
}

void path_map_free(struct path_map *m)
{
	if (!m)
		return;
	free(m->groups);
	free(m->ent);
	free(m->slots);
	free(m->clocks);
	free(m);
}

/* sessions.c asks this for every flow: the flow at the group's first vantage */
static const void *map_alias(void *ctx, uint16_t source, const struct flow *f, struct flow *out)
{
	const struct path_map *m = ctx;
	const struct map_entry *e = map_find(m, source, f);
	if (!e)
		return NULL;
	const struct flow *ref = &m->groups[e->group].v[0].flow;
	if (entry_dir(e, f) == 0)
		*out = *ref;
	else
		flow_reverse(ref, out);
	return e;
}

/* ---- the pre-pass ---- */

static struct path_group *new_group(struct path_map *m)
{
	if (m->ngroups == m->capg) {
		m->capg = m->capg ? m->capg * 2 : 64;
		m->groups = xrealloc(m->groups, m->capg * sizeof *m->groups);
	}
	struct path_group *g = &m->groups[m->ngroups];
	memset(g, 0, sizeof *g);
	g->id = (uint32_t)m->ngroups++;
	return g;
}

static void sess_cs(const struct pp_sess *s, struct flow *out)
{
	if (s->flip)
		flow_reverse(&s->flow, out);
	else
		*out = s->flow;
}

static void build_groups(struct path_map *m, struct pp_src *ps, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (!ps[i].has_pkts || !ps[i].ns)
			continue;
		struct pair_match *pm = xcalloc(ps[i].ns, sizeof *pm);
		for (size_t j = 0; j < i; j++) {
			if (!ps[j].has_pkts || !ps[j].ns)
				continue;
			match_pair(&ps[j], &ps[i], pm);
			for (size_t k = 0; k < ps[i].ns; k++) {
				struct pp_sess *b = &ps[i].s[k];
				if (b->group >= 0 || pm[k].idx < 0)
					continue;
				struct pp_sess *a = &ps[j].s[pm[k].idx];
				struct path_group *g;
				if (a->group < 0) {
					g = new_group(m);
					a->group = (int32_t)g->id;
					g->proto = a->flow.proto;
					g->v[0].source = ps[j].index;
					sess_cs(a, &g->v[0].flow);
					g->nv = 1;
				} else {
					g = &m->groups[a->group];
				}
				if (g->nv >= PATH_MAX_VANTAGE || path_group_vantage(g, ps[i].index) >= 0)
					continue;
				b->group = a->group;
				b->flip = a->flip != pm[k].flip;
				/* ISNs differ in a session matched by its payload: the
				 * firewall renumbered it; keep the difference */
				if (pm[k].how == PATH_BY_DIGEST && !b->flip && !a->flip && a->syn && b->syn &&
				    a->synack && b->synack) {
					b->delta[0] = b->isn_c - a->isn_c + a->delta[0];
					b->delta[1] = b->isn_s - a->isn_s + a->delta[1];
				} else {
					b->delta[0] = a->delta[0];
					b->delta[1] = a->delta[1];
				}
				g->how = pm[k].how;
				g->v[g->nv].source = ps[i].index;
				g->v[g->nv].seq_delta[0] = b->delta[0];
				g->v[g->nv].seq_delta[1] = b->delta[1];
				sess_cs(b, &g->v[g->nv].flow);
				g->nv++;
				const struct pp_sess *x = b->syn ? b : a;
				if (!g->has_isn && x->syn) {
					/* in the first vantage's numbering */
					g->has_isn = true;
					g->isn_c = x->isn_c - x->delta[0];
					g->isn_s = x->isn_s - x->delta[1];
				}
			}
		}
		free(pm);
	}
	/* map entries: every matched session, and UDP replies from other addresses */
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < ps[i].ns; k++) {
			struct pp_sess *s = &ps[i].s[k];
			if (s->group < 0 && s->reply_of >= 0 && ps[i].s[s->reply_of].group >= 0) {
				s->group = ps[i].s[s->reply_of].group;
				s->flip = ps[i].s[s->reply_of].flip;
			}
			if (s->group < 0)
				continue;
			struct flow cs;
			sess_cs(s, &cs);
			map_add(m, ps[i].index, &cs, (uint32_t)s->group);
		}
	}
	map_index(m);
}

/* clock samples between captures a and b: packets with one fingerprint in each */
/* a packet's fingerprint in the group's first vantage's numbering */
static uint64_t pkt_fp(const struct pp_src *ps, const struct pp_pkt *k)
{
	const struct pp_sess *s = &ps->s[k->sess];
	if (s->flow.proto != 6)
		return k->fp;
	uint32_t sd = s->delta[k->dir], ad = k->has_ack ? s->delta[!k->dir] : 0;
	return fp_seq(k->fp, k->seq - sd, k->ack - ad);
}

/* ps's packets of matched sessions by fingerprint (after build_groups: it
 * needs their groups and sequence deltas) */
static const struct u64map *fp_index(struct pp_src *ps)
{
	if (!ps->by_fp.k) {
		u64map_init(&ps->by_fp, ps->np);
		for (size_t k = 0; k < ps->np; k++)
			if (ps->s[ps->p[k].sess].group >= 0)
				u64map_put(&ps->by_fp, pkt_fp(ps, &ps->p[k]), (uint32_t)k);
	}
	return &ps->by_fp;
}

static size_t pair_samples(struct pp_src *a, struct pp_src *b, struct clock_sample **out)
{
	/* fingerprints repeated in b are ambiguous too */
	const struct u64map *fp = fp_index(a), *fb = fp_index(b);
	struct clock_sample *s = NULL;
	size_t n = 0, cap = 0;
	for (size_t k = 0; k < b->np; k++) {
		const struct pp_pkt *pb = &b->p[k];
		const struct pp_sess *sb = &b->s[pb->sess];
		uint32_t ia, ib;
		uint64_t f = sb->group < 0 ? 0 : pkt_fp(b, pb);
		if (sb->group < 0 || !u64map_get(fp, f, &ia) || !u64map_get(fb, f, &ib) || ib != k)
			continue;
		const struct pp_pkt *pa = &a->p[ia];
		const struct pp_sess *sa = &a->s[pa->sess];
		uint8_t da = pa->dir ^ sa->flip, db = pb->dir ^ sb->flip;
		if (sa->group != sb->group || da != db)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			s = xrealloc(s, cap * sizeof *s);
		}
		s[n++] = (struct clock_sample){ pb->ts - pa->ts, (uint32_t)sb->group, db };
	}
	*out = s;
	return n;
}

static size_t count_groups(const struct clock_sample *s, size_t n)
{
	/* samples come sorted by group from clock_estimate */
	size_t g = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || s[i].group != s[i - 1].group)
			g++;
	return g;
}

static void estimate_clocks(struct path_map *m, struct run *run, struct pp_src *ps)
{
	size_t n = run->nsources;
	int64_t *theta = xcalloc(n, sizeof *theta), *unc = xcalloc(n, sizeof *unc);
	bool *known = xcalloc(n, 1);
	known[m->reference] = true;
	for (size_t i = 0; i < n; i++)
		if (ps[i].has_pkts && run->sources[i]->offset_origin == OFFSET_GIVEN)
			known[i] = true;  /* the user's word; its times are already corrected */
	for (bool progress = true; progress;) {
		progress = false;
		for (size_t i = 0; i < n; i++) {
			if (known[i] || !ps[i].has_pkts)
				continue;
			/* against the known capture giving the most samples, the
			 * reference first on ties */
			struct clock_est best = { 0 };
			size_t best_j = 0, best_groups = 0;
			for (size_t j = 0; j < n; j++) {
				if (!known[j] || j == i)
					continue;
				struct clock_sample *s;
				size_t ns = pair_samples(&ps[j], &ps[i], &s);
				struct clock_est e;
				if (ns && clock_estimate(s, ns, &e) &&
				    (!best.ok || (e.two_way && !best.two_way) ||
				     (e.two_way == best.two_way && e.n_ab + e.n_ba > best.n_ab + best.n_ba))) {
					best = e;
					best_j = j;
					best_groups = count_groups(s, ns);
				}
				free(s);
			}
			if (!best.ok)
				continue;
			theta[i] = best.offset + theta[best_j];
			unc[i] = best.uncertainty + unc[best_j];
			known[i] = progress = true;
			struct path_clock *c = &m->clocks[i];
			c->estimated = true;
			c->against = (uint16_t)best_j;
			c->est = best;
			c->groups = best_groups;
			struct source *src = run->sources[i];
			src->clock_offset = -theta[i];
			src->offset_origin = OFFSET_ESTIMATED;
			src->offset_uncertainty = unc[i];
			src->offset_records = best.n_ab + best.n_ba;
			char o[40], u[40], d1[40], d2[40], via[80] = "";
			snprintf(o, sizeof o, "%+.6f s", (double)-theta[i] / 1e9);
			format_duration(unc[i], u, sizeof u);
			format_duration(best.delay_ab, d1, sizeof d1);
			format_duration(best.delay_ba, d2, sizeof d2);
			if ((int)best_j != m->reference)
				snprintf(via, sizeof via, " (measured against %s)", run->sources[best_j]->label);
			if (best.two_way)
				source_note(src, "clock correction %s \xc2\xb1 %s to match %s%s, from %zu+%zu packets in %zu "
					    "sessions; one-way delay %s \xe2\x86\x92 %s %s, back %s",
					    o, u, run->sources[m->reference]->label, via, best.n_ab, best.n_ba, best_groups,
					    run->sources[best_j]->label, src->label, d1, d2);
			else
				source_note(src, "clock correction %s to match %s%s, from packets in one direction only: "
					    "it includes the one-way delay", o, run->sources[m->reference]->label, via);
		}
	}
	free(theta);
	free(unc);
	free(known);
}

struct path_map *path_prepass(struct run *run, struct sessions *sessions)
{
	size_t n = run->nsources, ncap = 0;
	/* one capture has no path to match: do not read it twice */
	if (run_readable_sources(run) < 2 || count_captures(run) < 2)
		return NULL;
	struct pp_src *ps = xcalloc(n, sizeof *ps);
	struct pp_reading *rd = xcalloc(n, sizeof *rd);
	for (size_t i = 0; i < n; i++) {
		pp_src_init(&ps[i], (uint16_t)i);
		rd[i] = (struct pp_reading){ &ps[i], run->sources[i]->clock_offset, 0, 0 };
	}
	/* each source into its own table, the sources on several threads */
	readers_preread(run->sources, n, run_threads(run), pp_visit, rd, sizeof *rd);
	free(rd);
	int ref = -1;
	for (size_t i = 0; i < n; i++) {
		struct source *src = run->sources[i];
		if (src->unreadable || !src->nfiles)
			continue;
		if (ps[i].has_pkts) {
			ncap++;
			if (ref < 0)
				ref = (int)i;
		}
	}
	struct path_map *m = NULL;
	if (ncap >= 2) {
		m = xcalloc(1, sizeof *m);
		m->reference = ref;
		m->nclocks = n;
		m->clocks = xcalloc(n, sizeof *m->clocks);
		build_groups(m, ps, n);
		estimate_clocks(m, run, ps);
		if (sessions && m->nent)
			sessions_set_alias(sessions, map_alias, m);
	}
	for (size_t i = 0; i < n; i++)
		pp_src_fini(&ps[i]);
	free(ps);
	return m;
}
