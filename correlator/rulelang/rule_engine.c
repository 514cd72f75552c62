/*
 * correlator/rulelang/rule_engine.c - the streaming rule engine (see rule_engine.h).
 *
 * State per rule: a hash table of keys (the rule's `by`), each key on an LRU
 * list ordered by the event time it was last touched. Invariant: every
 * partial match and window of a key started at or before the key's `last`,
 * so once last + within < now the whole key is finished: the sweep at the
 * head of the list (on every event) closes it - firing trailing absences and
 * open bursts - and frees it. Keys touched recently are settled when touched.
 *
 * Sequence stages: with P positive steps, a key holds part[1..P]; part[k]
 * has matched k positive steps. part[P] exists only when absence steps
 * trail the last positive one (it waits for the window to close).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rule_engine.h"
#include "../core/arena.h"
#include "rule_ast.h"
#include "fifo_slab.h"
#include "../core/util.h"

#include <inttypes.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 512
#define EVID_KEEP 10      /* evidence kept for a threshold burst, plus the last */
#define MSG_KEEP 160      /* a kept event's description: at most MSG_KEEP - 1 bytes */
#define TYPE_KEEP 48      /* and its type */
#define RULE_KEEP_FIELDS 64   /* fields kept of a bound event; a rule reading more keeps all */

/* compact evidence kept without the event (threshold windows); a slot owns
 * its msg buffer, reused (grown when a longer one comes) as the slot is */
struct evslot {
	int64_t ts;
	uint64_t ref, session;
	const char *type;            /* interned (intern_type) */
	char *msg;                   /* msgcap bytes, or NULL */
	struct flow flow;
	uint16_t source, file;
	uint8_t msgcap;
	bool has_flow;
};

struct partial {
	int64_t t0;
	unsigned n;                  /* the rule's steps */
	struct event *bound[];       /* per step: the event kept for it (clone_kept) */
};

struct dval {
	uint64_t h;
	int64_t ts;
};

/* A distinct window's values, allocated when its first value comes. */
struct dvals {
	uint32_t n, cap;
	struct dval v[];
};

struct burst {
	bool on;
	int64_t first, last;
	uint64_t count, distinct;
	unsigned nev;          /* evidence: the key's recent[0, nev) */
	bool has_last;         /* and recent[EVID_KEEP], the latest event */
	struct event *anchor;
};

/* A threshold key's window; allocated with its key, after the key bytes
 * (key_window). The burst is allocated when it starts: most keys never
 * reach it. */
struct tstate {
	/* count: the window's timestamps, capacity rcap (grows to N); the
	 * first in the key itself (most keys see one event), more in many */
	union { int64_t one, *many; } ring;
	struct dvals *dv;            /* distinct: values seen in the window */
	struct evslot *recent;       /* rec_cap slots, grown to EVID_KEEP + 1 */
	struct burst *b;             /* NULL until the first burst */
	uint32_t rhead, rn, rcap;
	uint8_t rec_head, rec_n, rec_cap;
};

struct kentry {
	struct kentry *prev, *next;  /* LRU: head is least recently touched */
	int64_t last;
	uint32_t hash;               /* key_hash */
	uint16_t keylen;
	uint8_t npart;               /* sequence rules: part[1..npos], so npos + 1 */
	bool windowed;               /* threshold rules: the window follows the key */
	struct partial *part[];      /* then the key's keylen bytes (KEY(k)) */
};
#define KEY(k) ((unsigned char *)((k)->part + (k)->npart))

/* Where a threshold key's window starts in its allocation: after the key
 * bytes, aligned. */
static size_t window_offset(unsigned npart, size_t keylen)
{
	size_t end = sizeof(struct kentry) + npart * sizeof(struct partial *) + keylen;
	return (end + _Alignof(struct tstate) - 1) & ~(_Alignof(struct tstate) - 1);
}

/* A threshold key's window (in the key's allocation); NULL for other keys. */
static struct tstate *key_window(const struct kentry *k)
{
	if (!k->windowed)
		return NULL;
	return (struct tstate *)((unsigned char *)k + window_offset(k->npart, k->keylen));
}

#define PRE_MAX 8   /* conjuncts kept per step (fewer only test less) */

struct rstate {
	const struct rule *r;
	unsigned pos[RULE_MAX_STEPS];  /* indexes of the positive steps */
	unsigned npos;
	bool trailing;                 /* absence steps after the last positive */
	uint32_t later;                /* mask of the steps after the first positive one */
	/* per step: the conjuncts of its where that read no bound step and run
	 * no regex - a test of an event before its key is looked up */
	const struct rexpr *pre[RULE_MAX_STEPS][PRE_MAX];
	unsigned npre[RULE_MAX_STEPS];
	struct kentry **tab;
	size_t cap, n;
	struct kentry *head, *tail;
	uint64_t findings, suppressed, evicted, re_errors;
};

/* A finding fed back as an event "rule.NAME" for rules that build on rules. */
struct derived {
	struct event *ev;        /* malloc'd (clone_event) */
	const struct rstate *from;
	unsigned depth;
};

#define DERIVED_MAX_DEPTH 3
#define DERIVED_QUEUE 256

#define HOLD_MAX 65536  /* held log events at most; past it the oldest goes on */

/* The dispatch index: for one event type, the rules (indexes into st, in
 * order) with a step that can match it, and which steps (bit k: step k). */
struct dent {
	uint32_t st;
	uint32_t mask;
};
struct disp {
	uint64_t h;
	char *type;
	unsigned n;
	struct dent ent[];
};
#define DISP_MAX 4096   /* types remembered; past it (hand-made timelines) computed each time */

struct rule_engine {
	const struct ruleset *rs;
	struct derived queue[DERIVED_QUEUE];
	unsigned nqueue;
	uint64_t derived_dropped;
	unsigned depth;              /* depth of the event being processed */
	const struct rstate *skip;   /* the rule whose finding is being processed */
	struct rstate *st;
	size_t nst;
	struct rctx base;
	struct arena *store;
	rule_finding_fn cb;
	void *cbctx;
	struct rule_engine_opts o;
	int64_t now;
	/* events of whole-second log sources, held until the stream passes the
	 * end of their second (see hold_or_feed) */
	struct held {
		struct event *ev;        /* in hslab; NULL: no rule takes it */
		struct fifo_blk *blk;
		int64_t ts, release;
	} *held;
	size_t nheld, capheld, headheld;
	struct fifo_slab hslab;
	struct disp **dtab;          /* open addressing on the type's hash */
	size_t dcap, dn;
	struct itype **itab;         /* intern_type: open addressing on the hash */
	size_t icap, in;
	struct disp *dscratch;       /* for a type past DISP_MAX */
	uint16_t *fslot;             /* rctx.fslot: per field id, where it was found last */
	/* rule_engine_plan: the rules not run, and why */
	struct skipped { const struct rule *r; char *why; } *skipped;
	size_t nskipped;
	size_t nloaded;              /* rules the engine could run (checked, with a pattern) */
	const struct rule **loaded;  /* in load order */
};

/* Rehash the open-addressing table tab (cap pointers to T, NULL = empty,
 * linear probing on the element's stored hash H) into ncap slots, a power
 * of two; the key, dispatch and type tables all grow through it. */
#define RE_REHASH(T, tab, cap, ncap, H)                                  \
	do {                                                             \
		T **n_ = xcalloc((ncap), sizeof *n_);                    \
		for (size_t i_ = 0; i_ < (cap); i_++) {                  \
			T *x_ = (tab)[i_];                               \
			if (!x_)                                         \
				continue;                                \
			size_t j_ = x_->H & ((ncap) - 1);                \
			while (n_[j_])                                   \
				j_ = (j_ + 1) & ((ncap) - 1);            \
			n_[j_] = x_;                                     \
		}                                                        \
		free(tab);                                               \
		(tab) = n_;                                              \
	} while (0)

/* ---- events kept for later steps ---- */

/* A copy of ev that owns its strings: the fields idx[0, n) (all when idx is
 * NULL), the type and the one-line description, rendered now (a packet's
 * decoded form is gone after the call). */
static struct event *clone_in(const struct event *ev, const unsigned *idx, unsigned n,
			      struct fifo_slab *slab, struct fifo_blk **blk)
{
	char mbuf[512];
	/* a copy with every field and no packet describes itself the same way
	 * later (event_describe renders type, flow and fields): no text now */
	const char *msg = !idx && !ev->pkt && !ev->msg ? NULL : event_describe(ev, mbuf, sizeof mbuf);
	if (!idx)
		n = ev->nfields;
	size_t head = offsetof(struct event, fields) + n * sizeof(struct field);
	size_t tl = strlen(ev->type) + 1, ml = msg ? strlen(msg) + 1 : 0;
	size_t extra = tl + ml;
	for (unsigned j = 0; j < n; j++) {
		const struct field *f = &ev->fields[idx ? idx[j] : j];
		extra += strlen(f->name) + 1;
		if (f->v.type == V_STR)
			extra += f->v.u.s.n + 1;
	}
	struct event *c = slab ? fifo_slab_alloc(slab, head + extra, blk) : xmalloc(head + extra);
	memcpy(c, ev, offsetof(struct event, fields));
	char *p = (char *)c + head;
	memcpy(p, ev->type, tl);
	c->type = p;
	p += tl;
	if (msg) {
		memcpy(p, msg, ml);
		c->msg = p;
		p += ml;
	}
	c->pkt = NULL;
	c->nfields = (uint16_t)n;
	for (unsigned j = 0; j < n; j++) {
		const struct field *f = &ev->fields[idx ? idx[j] : j];
		c->fields[j] = *f;
		size_t l = strlen(f->name) + 1;
		memcpy(p, f->name, l);
		c->fields[j].name = p;
		p += l;
		if (f->v.type == V_STR) {
			l = f->v.u.s.n;
			memcpy(p, f->v.u.s.p, l);
			p[l] = '\0';
			c->fields[j].v.u.s.p = p;
			p += l + 1;
		}
	}
	return c;
}

static struct event *clone_fields(const struct event *ev, const unsigned *idx, unsigned n)
{
	return clone_in(ev, idx, n, NULL, NULL);
}

/* Everything of ev, for events fed again later (held logs, derived findings). */
static struct event *clone_event(const struct event *ev)
{
	return clone_fields(ev, NULL, 0);
}

/* What rule r can still ask of ev once it is bound to a step or anchors a
 * burst: time, source, ref, flow, session, type, description and the fields
 * the rule reads (rule_compile.c: its steps, keys, templates, and the ones
 * the engine reads itself), not the rest (~1.5 KB for a packet). */
static struct event *clone_kept(struct rule_engine *e, const struct rule *r, const struct event *ev)
{
	unsigned idx[RULE_KEEP_FIELDS], n = 0;
	for (unsigned i = 0; i < r->nreads && n < RULE_KEEP_FIELDS; i++) {
		unsigned fid = r->reads[i] + 1, at;
		if (!rule_field_id(&e->base, ev, fid, e->rs->fnames[fid - 1], &at))
			continue;
		unsigned j = n++;
		for (; j > 0 && idx[j - 1] > at; j--)   /* in the event's order */
			idx[j] = idx[j - 1];
		idx[j] = at;
	}
	if (n == RULE_KEEP_FIELDS)   /* a rule reading this many: keep it all */
		return clone_event(ev);
	return clone_fields(ev, idx, n);
}

static struct partial *partial_new(const struct rule *r, int64_t t0)
{
	struct partial *p = xcalloc(1, sizeof *p + r->nsteps * sizeof p->bound[0]);
	p->t0 = t0;
	p->n = r->nsteps;
	return p;
}

static void partial_free(struct partial *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++)
		free(p->bound[i]);
	free(p);
}

static uint64_t hash_bytes(const unsigned char *p, size_t n);

/* An event type kept by evidence slots: its first TYPE_KEEP - 1 bytes, one
 * copy per engine (the store arena) instead of one per slot. */
struct itype {
	uint64_t h;
	char s[];
};

static const char *intern_type(struct rule_engine *e, const char *type)
{
	size_t len = strnlen(type, TYPE_KEEP - 1);
	uint64_t h = hash_bytes((const unsigned char *)type, len);
	size_t i = 0;
	if (e->icap) {
		for (i = h & (e->icap - 1); e->itab[i]; i = (i + 1) & (e->icap - 1)) {
			const struct itype *t = e->itab[i];
			if (t->h == h && !strncmp(t->s, type, len) && t->s[len] == '\0')
				return t->s;
		}
	}
	if ((e->in + 1) * 2 > e->icap) {
		size_t ncap = e->icap ? e->icap * 2 : 64;
		RE_REHASH(struct itype, e->itab, e->icap, ncap, h);
		e->icap = ncap;
		for (i = h & (ncap - 1); e->itab[i]; i = (i + 1) & (ncap - 1))
			;
	}
	struct itype *t = arena_alloc(e->store, sizeof *t + len + 1);
	t->h = h;
	memcpy(t->s, type, len);
	t->s[len] = '\0';
	e->itab[i] = t;
	e->in++;
	return t->s;
}

static void slot_fill(struct rule_engine *e, struct evslot *s, const struct event *ev)
{
	s->ts = ev->ts;
	s->ref = ev->ref;
	s->session = ev->session;
	s->source = ev->source;
	s->file = ev->file;
	s->has_flow = ev->flags & EV_HAS_FLOW;
	s->flow = ev->flow;
	s->type = intern_type(e, ev->type);
	char buf[512];
	const char *m = event_describe(ev, buf, sizeof buf);
	size_t n = strnlen(m, MSG_KEEP - 1);
	if (n + 1 > s->msgcap) {
		size_t cap = (n + 16) & ~(size_t)15;   /* <= MSG_KEEP */
		s->msg = xrealloc(s->msg, cap);
		s->msgcap = (uint8_t)cap;
	}
	memcpy(s->msg, m, n);
	s->msg[n] = '\0';
}

/* ---- keys ---- */

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static size_t put(unsigned char *buf, size_t o, const void *p, size_t n)
{
	if (o >= KEY_MAX)
		return KEY_MAX;
	if (n > KEY_MAX - o)
		n = KEY_MAX - o;
	memcpy(buf + o, p, n);
	return o + n;
}

static size_t put_value(unsigned char *buf, size_t o, const struct value *v)
{
	unsigned char t = (unsigned char)v->type;
	o = put(buf, o, &t, 1);
	switch (v->type) {
	case V_STR: {
		uint32_t n = v->u.s.n;
		o = put(buf, o, &n, sizeof n);
		return put(buf, o, v->u.s.p, n);
	}
	case V_ADDR:
		o = put(buf, o, &v->u.a.family, 1);
		return put(buf, o, v->u.a.b, v->u.a.family == 4 ? 4 : 16);
	case V_REAL:
		return put(buf, o, &v->u.r, sizeof v->u.r);
	default:
		return put(buf, o, &v->u.i, sizeof v->u.i);
	}
}

/* The key bytes of ev for rule r; false when ev has no such key. */
static bool make_key(struct rule_engine *e, const struct rule *r, const struct event *ev,
		     unsigned char *buf, size_t *len)
{
	size_t o = 0;
	switch (r->key) {
	case RKEY_NONE:
		break;
	case RKEY_FLOW:
		if (ev->session) {
			o = put(buf, o, "S", 1);
			o = put(buf, o, &ev->session, sizeof ev->session);
		} else if (ev->flags & EV_HAS_FLOW) {
			struct flow c;
			flow_canonical(&ev->flow, &c, NULL);
			o = put(buf, o, "F", 1);
			o = put(buf, o, &c.proto, 1);
			o = put(buf, o, &c.sport, 2);
			o = put(buf, o, &c.dport, 2);
			o = put(buf, o, c.src.b, 16);
			o = put(buf, o, c.dst.b, 16);
		} else {
			return false;
		}
		break;
	case RKEY_HOST: {
		const struct value *v = event_get(ev, "ip.src");
		struct value tmp;
		if (!v || v->type != V_ADDR) {
			if (!(ev->flags & EV_HAS_FLOW))
				return false;
			tmp.type = V_ADDR;
			tmp.u.a = ev->flow.src;
			v = &tmp;
		}
		o = put_value(buf, o, v);
		break;
	}
	case RKEY_FIELDS:
		for (unsigned k = 0; k < r->nkeys; k++) {
			struct value v;
			char scratch[256];
			struct rctx c = e->base;
			c.ev = ev;
			rule_eval_value(r->keys[k], &c, &v, scratch, sizeof scratch);
			if (v.type == V_NONE)
				return false;
			o = put_value(buf, o, &v);
		}
		break;
	}
	*len = o;
	return true;
}

/* The key as people read it, from an event that has it. */
static char *key_text(struct rule_engine *e, const struct rule *r, const struct event *ev)
{
	char buf[512] = "";
	size_t o = 0;
	switch (r->key) {
	case RKEY_NONE:
		break;
	case RKEY_FLOW:
		if (ev && ev->flags & EV_HAS_FLOW)
			flow_format(&ev->flow, buf, sizeof buf);
		break;
	case RKEY_HOST:
		if (ev) {
			const struct value *v = event_get(ev, "ip.src");
			if (v && v->type == V_ADDR)
				addr_format(&v->u.a, buf, sizeof buf);
			else if (ev->flags & EV_HAS_FLOW)
				addr_format(&ev->flow.src, buf, sizeof buf);
		}
		break;
	case RKEY_FIELDS:
		for (unsigned k = 0; k < r->nkeys && ev && o + 2 < sizeof buf; k++) {
			struct value v;
			char scratch[256];
			struct rctx c = e->base;
			c.ev = ev;
			rule_eval_value(r->keys[k], &c, &v, scratch, sizeof scratch);
			if (k)
				buf[o++] = ' ';
			o += value_format(&v, buf + o, sizeof buf - o);
			if (o >= sizeof buf)
				o = sizeof buf - 1;
		}
		buf[o] = '\0';
		break;
	}
	return arena_strdup(e->store, buf);
}

static void lru_unlink(struct rstate *s, struct kentry *k)
{
	if (k->prev)
		k->prev->next = k->next;
	else
		s->head = k->next;
	if (k->next)
		k->next->prev = k->prev;
	else
		s->tail = k->prev;
	k->prev = k->next = NULL;
}

static void lru_append(struct rstate *s, struct kentry *k)
{
	k->prev = s->tail;
	k->next = NULL;
	if (s->tail)
		s->tail->next = k;
	else
		s->head = k;
	s->tail = k;
}

/* A key's hash: the low half of hash_bytes, all a table of fewer than 2^32
 * slots reads. */
static uint32_t key_hash(const unsigned char *key, size_t len)
{
	return (uint32_t)hash_bytes(key, len);
}

static struct kentry *lookup(struct rstate *s, const unsigned char *key, size_t len, uint32_t h,
			     size_t *slot)
{
	if (!s->cap) {
		*slot = 0;
		return NULL;
	}
	size_t m = s->cap - 1, i = h & m;
	for (;; i = (i + 1) & m) {
		struct kentry *k = s->tab[i];
		if (!k) {
			*slot = i;
			return NULL;
		}
		if (k->hash == h && k->keylen == len && !memcmp(KEY(k), key, len)) {
			*slot = i;
			return k;
		}
	}
}

static void tab_grow(struct rstate *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 64;
	RE_REHASH(struct kentry, s->tab, s->cap, ncap, hash);
	s->cap = ncap;
}

/* Remove k from the table (linear probing, backward-shift deletion). */
static void tab_remove(struct rstate *s, struct kentry *k)
{
	size_t m = s->cap - 1, i = k->hash & m;
	while (s->tab[i] != k)
		i = (i + 1) & m;
	s->tab[i] = NULL;
	for (size_t j = (i + 1) & m; s->tab[j]; j = (j + 1) & m) {
		size_t home = s->tab[j]->hash & m;
		/* move j back into the hole when its home is not within (i, j] */
		bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!between) {
			s->tab[i] = s->tab[j];
			s->tab[j] = NULL;
			i = j;
		}
	}
	s->n--;
}

static void entry_free(struct kentry *k)
{
	for (unsigned i = 0; i < k->npart; i++)
		partial_free(k->part[i]);
	struct tstate *t = key_window(k);
	if (t) {
		if (t->rcap > 1)
			free(t->ring.many);
		free(t->dv);
		if (t->b)
			free(t->b->anchor);
		free(t->b);
		for (unsigned i = 0; i < t->rec_cap; i++)
			free(t->recent[i].msg);
		free(t->recent);
	}
	free(k);   /* and its window with it */
}

/* ---- findings ---- */

static void evidence_from_event(struct rule_engine *e, struct evidence *d, const struct event *ev)
{
	d->source = ev->source;
	d->file = ev->file;
	d->ref = ev->ref;
	d->ts = ev->ts;
	d->type = arena_strdup(e->store, ev->type);
	char buf[512];
	d->msg = arena_strdup(e->store, event_describe(ev, buf, sizeof buf));
	d->session = ev->session;
	d->has_flow = ev->flags & EV_HAS_FLOW;
	d->flow = ev->flow;
}

/* A path.* event compares one packet at two captures (peer_source,
 * peer_ref): cite the other side too, so the report's filters and ladder
 * show both. Returns 1 if an entry was added at d. */
static unsigned evidence_peer(struct rule_engine *e, struct evidence *d, const struct event *ev)
{
	const struct value *ps = event_get(ev, "peer_source");
	int64_t ref;
	if (!ps || ps->type != V_STR || !event_get_int(ev, "peer_ref", &ref) || ref <= 0)
		return 0;
	for (size_t i = 0; i < e->base.nlabels; i++) {
		const char *l = e->base.labels[i];
		if (strlen(l) != ps->u.s.n || memcmp(l, ps->u.s.p, ps->u.s.n) != 0)
			continue;
		if (i == ev->source)
			return 0;  /* a packet of the same capture, not the same packet elsewhere */
		evidence_from_event(e, d, ev);
		d->source = (uint16_t)i;
		d->file = 0;
		d->ref = (uint64_t)ref;
		char buf[600];
		snprintf(buf, sizeof buf, "the same packet at %s (compared with %s#%llu)", l,
			 e->base.labels[ev->source < e->base.nlabels ? ev->source : 0],
			 (unsigned long long)ev->ref);
		d->msg = arena_strdup(e->store, buf);
		return 1;
	}
	return 0;
}

/* An analysis event may cite more records of its own source and file than
 * its ref: a string field "cite" of entries "REF[/FILE]@TS [TYPE] what;" (FILE
 * the file of a multi-file source when not the event's, TS the corrected time
 * in ns, TYPE the cited record's event type, else the citing event's), e.g.
 * the original segment, each retransmission and the reset.
 * Returns how many entries the field holds (an upper bound for cites()). */
static unsigned cite_count(const struct event *ev)
{
	const struct value *v = event_get(ev, "cite");
	if (!v || v->type != V_STR)
		return 0;
	unsigned n = 0;
	for (uint32_t i = 0; i < v->u.s.n; i++)
		n += v->u.s.p[i] == ';';
	return n + 1;
}

/* Add the cited records at d, skipping refs already among have[0, nhave).
 * Returns how many were added. */
static unsigned evidence_cites(struct rule_engine *e, struct evidence *d, const struct event *ev,
			       struct evidence *have, unsigned nhave)
{
	const struct value *v = event_get(ev, "cite");
	if (!v || v->type != V_STR)
		return 0;
	unsigned n = 0;
	const char *p = v->u.s.p, *end = p + v->u.s.n;
	while (p < end) {
		const char *q = memchr(p, ';', (size_t)(end - p));
		if (!q)
			q = end;
		char one[256];
		size_t len = (size_t)(q - p) < sizeof one - 1 ? (size_t)(q - p) : sizeof one - 1;
		memcpy(one, p, len);
		one[len] = 0;
		p = q + 1;
		char *at, *rest;
		unsigned long long ref = strtoull(one, &at, 10);
		unsigned long file = ev->file;
		if (*at == '/')
			file = strtoul(at + 1, &at, 10);
		if (ref == 0 || *at != '@' || file > UINT16_MAX)
			continue;
		long long ts = strtoll(at + 1, &rest, 10);
		if (ts <= -EV_TS_LIMIT || ts >= EV_TS_LIMIT)
			ts = ev->ts;   /* a damaged time (the field may come from a JSONL file) */
		while (*rest == ' ')
			rest++;
		char type[64] = "";
		if (*rest == '[') {
			const char *close = strchr(rest, ']');
			size_t tl = close ? (size_t)(close - rest - 1) : 0;
			if (close && tl > 0 && tl < sizeof type) {
				memcpy(type, rest + 1, tl);
				type[tl] = '\0';
				rest = (char *)close + 1;
				while (*rest == ' ')
					rest++;
			}
		}
		bool dup = false;
		for (unsigned i = 0; i < nhave + n && !dup; i++) {
			struct evidence *h = i < nhave ? (struct evidence *)&have[i] : &d[i - nhave];
			dup = h->source == ev->source && h->file == file && h->ref == ref;
			if (dup && i < nhave && *rest) {
				/* the event's own ref: the record's time, and what it is */
				char buf[768];
				snprintf(buf, sizeof buf, "%s: %s", rest, h->msg);
				h->msg = arena_strdup(e->store, buf);
				h->ts = ts;
			}
		}
		if (dup)
			continue;
		evidence_from_event(e, &d[n], ev);
		d[n].ref = ref;
		d[n].file = (uint16_t)file;
		d[n].ts = ts;
		d[n].msg = arena_strdup(e->store, *rest ? rest : "cited record");
		if (type[0])
			d[n].type = arena_strdup(e->store, type);
		n++;
	}
	return n;
}

static void evidence_from_slot(struct rule_engine *e, struct evidence *d, const struct evslot *s)
{
	d->source = s->source;
	d->file = s->file;
	d->ref = s->ref;
	d->ts = s->ts;
	d->type = arena_strdup(e->store, s->type);
	d->msg = arena_strdup(e->store, s->msg);
	d->session = s->session;
	d->has_flow = s->has_flow;
	d->flow = s->flow;
}

static void copy_value(struct rule_engine *e, struct value *dst, const struct value *v)
{
	*dst = *v;
	if (v->type == V_STR)
		dst->u.s.p = arena_strndup(e->store, v->u.s.p, v->u.s.n);
}

/* The placeholders of the report template become the finding's fields. */
static unsigned template_fields(struct rule_engine *e, const struct rule *r, struct rctx *c,
				struct field *out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->report_t.nparts && n < max; i++) {
		const struct rexpr *f = r->report_t.parts[i].field;
		if (!f)
			continue;
		bool dup = false;
		for (unsigned k = 0; k < n; k++)
			if (!strcmp(out[k].name, f->name))
				dup = true;
		if (dup)
			continue;
		struct value v;
		char scratch[512];
		rule_eval_value(f, c, &v, scratch, sizeof scratch);
		if (v.type == V_NONE)
			continue;
		out[n].name = arena_strdup(e->store, f->name);
		copy_value(e, &out[n].v, &v);
		n++;
	}
	return n;
}

/* Queue the finding as an event of type rule.NAME: its fields, each bound
 * step's STEP.ts and STEP.ref, at the current time, citing the last evidence,
 * with the first evidence's flow and session. */
static void derive(struct rule_engine *e, const struct rstate *s, const struct finding *f,
		   const struct rctx *c)
{
	if (e->depth >= DERIVED_MAX_DEPTH)
		return;
	if (e->nqueue == DERIVED_QUEUE) {
		e->derived_dropped++;
		return;
	}
	static struct event ev;   /* large; filled and cloned at once */
	event_reset(&ev);
	char type[160];
	snprintf(type, sizeof type, "rule.%s", s->r->name);
	ev.type = type;
	ev.ts = e->now > f->ts ? e->now : f->ts;
	ev.ts_raw = ev.ts;
	ev.msg = f->message;
	ev.session = f->session;
	if (f->nevidence) {
		const struct evidence *first = &f->evidence[0], *last = &f->evidence[f->nevidence - 1];
		ev.source = last->source;
		ev.file = last->file;
		ev.ref = last->ref;
		if (first->has_flow) {
			ev.flags |= EV_HAS_FLOW;
			ev.flow = first->flow;
		}
	}
	for (unsigned i = 0; i < f->nfields && ev.nfields < EVENT_MAX_FIELDS; i++)
		ev.fields[ev.nfields++] = f->fields[i];
	char names[RULE_MAX_STEPS][2][72];
	if (s->r->kind == RK_SEQUENCE && c->bound) {
		for (unsigned i = 0; i < s->r->nsteps; i++) {
			const struct event *b = c->bound[i];
			const char *nm = s->r->steps[i].name;
			if (!b || !nm)
				continue;
			snprintf(names[i][0], sizeof names[i][0], "%s.ts", nm);
			snprintf(names[i][1], sizeof names[i][1], "%s.ref", nm);
			ev_dur(&ev, names[i][0], b->ts);
			ev_int(&ev, names[i][1], (int64_t)b->ref);
		}
	}
	struct derived *d = &e->queue[e->nqueue++];
	d->ev = clone_event(&ev);
	d->from = s;
	d->depth = e->depth + 1;
}

static void emit(struct rule_engine *e, struct rstate *s, struct rctx *c, int64_t ts,
		 uint64_t session, const char *key, struct evidence *evd, unsigned nevd,
		 struct field *extra, unsigned nextra)
{
	const struct rule *r = s->r;
	if (s->findings >= e->o.max_findings) {
		s->suppressed++;
		return;
	}
	s->findings++;
	struct finding f;
	memset(&f, 0, sizeof f);
	f.rule = arena_strdup(e->store, r->name);
	f.title = arena_strdup(e->store, r->title);
	f.severity = (enum severity)r->severity;
	c->rule = r;
	c->key = key;
	char buf[2048];
	if (r->report_t.nparts) {
		rule_fill(&r->report_t, c, buf, sizeof buf);
		f.message = arena_strdup(e->store, buf);
	} else {
		f.message = f.title;
	}
	if (r->advice_t.nparts) {
		rule_fill(&r->advice_t, c, buf, sizeof buf);
		f.advice = arena_strdup(e->store, buf);
	}
	f.key = key;
	f.ts = ts;
	f.session = session;
	struct field *fields = arena_alloc(e->store, (32 + nextra) * sizeof *fields);
	unsigned nf = 0;
	for (unsigned i = 0; i < nextra; i++)
		fields[nf++] = extra[i];
	nf += template_fields(e, r, c, fields + nf, 32);
	f.fields = fields;
	f.nfields = nf;
	f.evidence = evd;
	f.nevidence = nevd;
	f.incident = -1;
	if (c->re_errors) {
		s->re_errors += c->re_errors;
		c->re_errors = 0;
	}
	if (!r->quiet)
		e->cb(e->cbctx, &f);
	if (r->kind != RK_THRESHOLD)   /* a burst derives when it opens */
		derive(e, s, &f, c);
}

static void fire_sequence(struct rule_engine *e, struct rstate *s, struct partial *p)
{
	const struct rule *r = s->r;
	unsigned ncite = 0;
	for (unsigned i = 0; i < r->nsteps; i++)
		if (p->bound[i])
			ncite += cite_count(p->bound[i]);
	struct evidence *evd = arena_alloc(e->store, (2 * RULE_MAX_STEPS + ncite) * sizeof *evd);
	unsigned n = 0;
	const struct event *first = NULL;
	for (unsigned i = 0; i < r->nsteps; i++) {
		if (!p->bound[i])
			continue;
		if (!first)
			first = p->bound[i];
		evidence_from_event(e, &evd[n++], p->bound[i]);
		n += evidence_peer(e, &evd[n], p->bound[i]);
		n += evidence_cites(e, &evd[n], p->bound[i], evd, n);
	}
	struct rctx c = e->base;
	c.ev = NULL;
	c.bound = (const struct event *const *)p->bound;
	c.first = p->t0;
	char *key = key_text(e, r, first);
	emit(e, s, &c, p->t0, first ? first->session : 0, key, evd, n, NULL, 0);
}

static void fire_match(struct rule_engine *e, struct rstate *s, const struct event *ev)
{
	if (s->findings >= e->o.max_findings) {
		s->suppressed++;
		return;
	}
	struct evidence *evd = arena_alloc(e->store, (1 + cite_count(ev)) * sizeof *evd);
	evidence_from_event(e, evd, ev);
	unsigned n = 1 + evidence_cites(e, evd + 1, ev, evd, 1);
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && evd[j].ts < evd[j - 1].ts; j--) {
			struct evidence t = evd[j];
			evd[j] = evd[j - 1];
			evd[j - 1] = t;
		}
	struct rctx c = e->base;
	c.ev = ev;
	char *key = key_text(e, s->r, ev);
	emit(e, s, &c, ev->ts, ev->session, key, evd, n, NULL, 0);
}

static void fire_burst(struct rule_engine *e, struct rstate *s, struct kentry *k)
{
	const struct tstate *t = key_window(k);
	struct burst *b = t->b;
	const struct rule *r = s->r;
	unsigned n = b->nev + (b->has_last ? 1 : 0);
	struct evidence *evd = arena_alloc(e->store, (n ? n : 1) * sizeof *evd);
	unsigned m = 0;
	for (unsigned i = 0; i < b->nev; i++)
		evidence_from_slot(e, &evd[m++], &t->recent[i]);
	if (m < n)
		evidence_from_slot(e, &evd[m++], &t->recent[EVID_KEEP]);
	struct rctx c = e->base;
	c.ev = NULL;
	c.anchor = b->anchor;
	c.count = (int64_t)b->count;
	c.distinct = (int64_t)b->distinct;
	c.window = r->within;
	c.first = b->first;
	c.last = b->last;
	struct field extra[5];
	unsigned ne = 0;
	extra[ne].name = r->distinct ? "distinct" : "count";
	extra[ne].v.type = V_INT;
	extra[ne++].v.u.i = (int64_t)(r->distinct ? b->distinct : b->count);
	if (r->distinct) {
		extra[ne].name = "count";
		extra[ne].v.type = V_INT;
		extra[ne++].v.u.i = (int64_t)b->count;
	}
	extra[ne].name = "window";
	extra[ne].v.type = V_DUR;
	extra[ne++].v.u.i = r->within;
	extra[ne].name = "span";
	extra[ne].v.type = V_DUR;
	extra[ne++].v.u.i = b->last - b->first;
	char *key = key_text(e, r, b->anchor);
	emit(e, s, &c, b->first, b->anchor ? b->anchor->session : 0, key, evd, m, extra, ne);
	free(b->anchor);
	memset(b, 0, sizeof *b);
}

/* ---- closing keys ---- */

/* Settle k at time now: expired partials die (trailing absences fire), a
 * burst quiet for longer than within is reported. final: end of input. */
static void settle(struct rule_engine *e, struct rstate *s, struct kentry *k, int64_t now, bool final)
{
	const struct rule *r = s->r;
	if (r->kind == RK_SEQUENCE) {
		for (unsigned st = 1; st <= s->npos; st++) {
			struct partial *p = k->part[st];
			if (!p)
				continue;
			bool expired = now - p->t0 > r->within;
			if (!expired && !final)
				continue;
			if (st == s->npos && s->trailing)
				fire_sequence(e, s, p);
			partial_free(p);
			k->part[st] = NULL;
		}
	} else if (r->kind == RK_THRESHOLD) {
		const struct burst *b = key_window(k)->b;
		if (b && b->on && (final || now - b->last > r->within))
			fire_burst(e, s, k);
	}
}

static void drop_entry(struct rstate *s, struct kentry *k)
{
	lru_unlink(s, k);
	tab_remove(s, k);
	entry_free(k);
}

/* Is key k finished at now: its window passed, or it was last touched more
 * than a window after now (the clock went back: a log's day wrap, a clock
 * reset), so it would otherwise wait out the jump while new keys pile up? */
static bool key_done(const struct rstate *s, const struct kentry *k, int64_t now)
{
	return now - k->last > s->r->within || k->last - now > s->r->within;
}

static void sweep(struct rule_engine *e, struct rstate *s, int64_t now)
{
	while (s->head && key_done(s, s->head, now)) {
		struct kentry *k = s->head;
		/* past the window nothing of k can still be live */
		settle(e, s, k, now, true);
		drop_entry(s, k);
	}
}

static struct kentry *get_entry(struct rule_engine *e, struct rstate *s, const unsigned char *key,
				size_t len, int64_t now, bool create)
{
	uint32_t h = key_hash(key, len);
	size_t slot;
	struct kentry *k = lookup(s, key, len, h, &slot);
	if (k || !create)
		return k;
	if (s->n >= e->o.max_keys && s->head) {
		/* the cap bites: the least recently touched key goes; an open
		 * burst is still reported, partial sequences are lost */
		struct kentry *old = s->head;
		const struct tstate *t = key_window(old);
		if (t && t->b && t->b->on)
			fire_burst(e, s, old);
		s->evicted++;
		drop_entry(s, old);
	}
	if ((s->n + 1) * 10 > s->cap * 7)
		tab_grow(s);
	lookup(s, key, len, h, &slot);
	unsigned np = s->r->kind == RK_SEQUENCE ? s->npos + 1 : 0;
	bool windowed = s->r->kind == RK_THRESHOLD;
	size_t sz = windowed ? window_offset(np, len) + sizeof(struct tstate)
			     : sizeof *k + np * sizeof k->part[0] + len;
	k = xcalloc(1, sz);
	k->windowed = windowed;
	k->hash = h;
	k->keylen = (uint16_t)len;
	k->npart = (uint8_t)np;
	memcpy(KEY(k), key, len);
	k->last = now;
	s->tab[slot] = k;
	s->n++;
	lru_append(s, k);
	return k;
}

static void touch(struct rstate *s, struct kentry *k, int64_t now)
{
	if (now > k->last)
		k->last = now;
	if (s->tail != k) {
		lru_unlink(s, k);
		lru_append(s, k);
	}
}

/* ---- matching ---- */

static bool type_ok(const struct rstep *st, const char *type)
{
	if (!strcmp(st->type, "any") || type_has_prefix(type, st->type))
		return true;
	for (unsigned i = 0; i < st->nalt; i++)
		if (type_has_prefix(type, st->alt[i]))
			return true;
	return false;
}

/* Does ev pass step st, whose type it is known to match? */
static bool step_matches(struct rule_engine *e, const struct rstep *st, const struct event *ev,
			 struct partial *p, struct rstate *s)
{
	if (st->label) {
		size_t n;
		const char *l = rule_event_label(&e->base, ev, &n);
		if (strlen(st->label) != n || memcmp(st->label, l, n))
			return false;
	}
	if (!st->where)
		return true;
	struct rctx c = e->base;
	c.ev = ev;
	c.bound = p ? (const struct event *const *)p->bound : NULL;
	bool m = rule_eval(st->where, &c);
	s->re_errors += c.re_errors;
	return m;
}

static uint64_t hash_str(const char *p, size_t *len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *q = p;
	for (; *q; q++) {
		h ^= (unsigned char)*q;
		h *= 0x100000001b3ULL;
	}
	*len = (size_t)(q - p);
	return h ^ (h >> 29);
}

/* Fill d (room for nst entries) with the rules and steps type can match. */
static void disp_fill(const struct rule_engine *e, struct disp *d, const char *type)
{
	d->n = 0;
	for (size_t i = 0; i < e->nst; i++) {
		const struct rule *r = e->st[i].r;
		uint32_t mask = 0;
		for (unsigned k = 0; k < r->nsteps; k++)
			if (type_ok(&r->steps[k], type))
				mask |= 1u << k;
		if (mask) {
			d->ent[d->n].st = (uint32_t)i;
			d->ent[d->n++].mask = mask;
		}
	}
}

/* The dispatch entry of an event type: computed the first time it is seen. */
static const struct disp *dispatch(struct rule_engine *e, const char *type)
{
	size_t len;
	uint64_t h = hash_str(type, &len);
	size_t i = 0, m = e->dcap - 1;
	if (e->dcap) {
		for (i = h & m; e->dtab[i]; i = (i + 1) & m) {
			const struct disp *d = e->dtab[i];
			if (d->h == h && !strcmp(d->type, type))
				return d;
		}
	}
	if (e->dn >= DISP_MAX) {
		disp_fill(e, e->dscratch, type);
		return e->dscratch;
	}
	if ((e->dn + 1) * 2 > e->dcap) {
		size_t ncap = e->dcap ? e->dcap * 2 : 64;
		RE_REHASH(struct disp, e->dtab, e->dcap, ncap, h);
		e->dcap = ncap;
		m = ncap - 1;
		for (i = h & m; e->dtab[i]; i = (i + 1) & m)
			;
	}
	struct disp *d = xmalloc(sizeof *d + e->nst * sizeof d->ent[0] + len + 1);
	d->h = h;
	d->type = (char *)&d->ent[e->nst];
	memcpy(d->type, type, len + 1);
	disp_fill(e, d, type);
	e->dtab[i] = d;
	e->dn++;
	return d;
}

static bool reads_bound_or_regex(const struct rexpr *x)
{
	if (!x)
		return false;
	if (x->kind == RX_REGEX || (x->kind == RX_FIELD && x->step >= 0))
		return true;
	return reads_bound_or_regex(x->a) || reads_bound_or_regex(x->b);
}

static void pre_collect(struct rstate *s, unsigned k, const struct rexpr *x)
{
	if (!x)
		return;
	if (x->kind == RX_AND) {
		pre_collect(s, k, x->a);
		pre_collect(s, k, x->b);
		return;
	}
	if (!reads_bound_or_regex(x) && s->npre[k] < PRE_MAX)
		s->pre[k][s->npre[k]++] = x;
}

/* Can ev pass step k (its type matching) whatever the bound steps hold? */
static bool step_may_match(struct rule_engine *e, struct rstate *s, unsigned k, const struct event *ev)
{
	const struct rstep *st = &s->r->steps[k];
	if (st->label) {
		size_t n;
		const char *l = rule_event_label(&e->base, ev, &n);
		if (strlen(st->label) != n || memcmp(st->label, l, n))
			return false;
	}
	struct rctx c = e->base;
	c.ev = ev;
	c.bound = NULL;
	for (unsigned i = 0; i < s->npre[k]; i++)
		if (!rule_eval(s->pre[k][i], &c))
			return false;
	return true;
}

/* Absence steps guarding stage st (between positive st-1 and positive st);
 * mask: the steps ev's type matches. */
static bool forbidden(struct rule_engine *e, struct rstate *s, unsigned st, const struct event *ev,
		      struct partial *p, uint32_t mask)
{
	unsigned from = s->pos[st - 1] + 1;
	unsigned to = st < s->npos ? s->pos[st] : s->r->nsteps;
	for (unsigned i = from; i < to; i++)
		if (s->r->steps[i].absent && (mask & (1u << i)) &&
		    step_matches(e, &s->r->steps[i], ev, p, s))
			return true;
	return false;
}

static void sequence_event(struct rule_engine *e, struct rstate *s, const struct event *ev,
			   uint32_t mask)
{
	const struct rule *r = s->r;
	unsigned char key[KEY_MAX];
	size_t klen;
	const struct rstep *first = &r->steps[s->pos[0]];
	bool can_first = mask & (1u << s->pos[0]);
	struct kentry *k = NULL;
	if (!(mask & s->later) && !s->trailing) {
		/* only the first step can take ev: its filter before the key. (A
		 * key with a trailing absence is settled by every event of its
		 * types, so its lookup comes first, below.) */
		if (!can_first || !step_matches(e, first, ev, NULL, s) || !make_key(e, r, ev, key, &klen))
			return;
		k = get_entry(e, s, key, klen, ev->ts, false);
		if (k)
			settle(e, s, k, ev->ts, false);
	} else {
		bool first_ok = can_first && step_matches(e, first, ev, NULL, s);
		if (!s->trailing && !first_ok) {
			/* nothing for this key unless a later step may take ev */
			bool may = false;
			for (unsigned i = s->pos[0] + 1; i < r->nsteps && !may; i++)
				may = (mask & (1u << i)) && step_may_match(e, s, i, ev);
			if (!may)
				return;
		}
		if (!make_key(e, r, ev, key, &klen))
			return;
		k = get_entry(e, s, key, klen, ev->ts, false);
		if (k) {
			settle(e, s, k, ev->ts, false);
			touch(s, k, ev->ts);
			for (unsigned st = s->npos; st >= 1; st--) {
				struct partial *p = k->part[st];
				if (!p)
					continue;
				if (forbidden(e, s, st, ev, p, mask)) {
					partial_free(p);
					k->part[st] = NULL;
					continue;
				}
				if (st == s->npos)
					continue;
				unsigned nx = s->pos[st];
				if (!(mask & (1u << nx)) || !step_matches(e, &r->steps[nx], ev, p, s))
					continue;
				p->bound[nx] = clone_kept(e, r, ev);
				k->part[st] = NULL;
				if (st + 1 == s->npos && !s->trailing) {
					fire_sequence(e, s, p);
					partial_free(p);
				} else {
					partial_free(k->part[st + 1]);
					k->part[st + 1] = p;
				}
			}
		}
		if (!first_ok)
			return;
	}
	if (!k)
		k = get_entry(e, s, key, klen, ev->ts, true);
	struct partial *p = partial_new(r, ev->ts);
	p->bound[s->pos[0]] = clone_kept(e, r, ev);
	touch(s, k, ev->ts);
	if (s->npos == 1 && !s->trailing) {
		fire_sequence(e, s, p);
		partial_free(p);
		return;
	}
	partial_free(k->part[1]);
	k->part[1] = p;
}

static uint64_t value_hash(const struct value *v)
{
	unsigned char buf[KEY_MAX];
	size_t n = put_value(buf, 0, v);
	return hash_bytes(buf, n);
}

static void recent_grow(struct kentry *k, unsigned cap)
{
	struct tstate *t = key_window(k);
	if (cap > EVID_KEEP + 1)
		cap = EVID_KEEP + 1;
	if (cap <= t->rec_cap)
		return;
	t->recent = xrealloc(t->recent, cap * sizeof *t->recent);
	memset(t->recent + t->rec_cap, 0, (cap - t->rec_cap) * sizeof *t->recent);
	t->rec_cap = (uint8_t)cap;
}

/* The count window's timestamps: in the key up to one, then in many. */
static int64_t *ring_at(struct tstate *t)
{
	return t->rcap > 1 ? t->ring.many : &t->ring.one;
}

/* Grow the count window to twice its capacity, at most N (lazily: most
 * keys see few events). */
static void ring_grow(struct tstate *t, uint64_t N)
{
	uint32_t ncap = t->rcap ? t->rcap * 2 : 1;
	if (ncap > N)
		ncap = (uint32_t)N;
	if (ncap <= 1) {   /* the first timestamp: in the key */
		t->rcap = ncap;
		return;
	}
	int64_t *n = xmalloc(ncap * sizeof *n);
	const int64_t *old = ring_at(t);
	for (uint32_t i = 0; i < t->rn; i++)
		n[i] = old[(t->rhead + i) % t->rcap];
	if (t->rcap > 1)
		free(t->ring.many);
	t->ring.many = n;
	t->rhead = 0;
	t->rcap = ncap;
}

/* Add now to the count window of threshold N: what is older than within
 * leaves first, and the oldest when the window is full. */
static void ring_push(struct tstate *t, int64_t now, int64_t within, uint64_t N)
{
	while (t->rn && now - ring_at(t)[t->rhead] > within) {
		t->rhead = (t->rhead + 1) % t->rcap;
		t->rn--;
	}
	if (t->rn == N) {   /* full: the oldest leaves */
		t->rhead = (t->rhead + 1) % t->rcap;
		t->rn--;
	}
	if (t->rn == t->rcap)
		ring_grow(t, N);
	ring_at(t)[(t->rhead + t->rn) % t->rcap] = now;
	t->rn++;
}

/* Add the value hashed h to the distinct window of threshold N at now (what
 * is older than within leaves first); true when it was not in the window. */
static bool distinct_add(struct tstate *t, uint64_t h, int64_t now, int64_t within, uint64_t N)
{
	struct dvals *d = t->dv;
	uint32_t o = 0, n = d ? d->n : 0;
	bool seen = false;
	for (uint32_t i = 0; i < n; i++) {
		if (now - d->v[i].ts > within)
			continue;
		if (d->v[i].h == h) {
			d->v[i].ts = now;
			seen = true;
		}
		d->v[o++] = d->v[i];
	}
	n = o;
	if (d)
		d->n = n;
	uint32_t cap = (uint32_t)(N * 4 < 4096 ? N * 4 : (N > 4096 ? N : 4096));
	if (seen || n >= cap)
		return !seen;
	if (!d || n == d->cap) {
		uint32_t ncap = d && d->cap ? d->cap * 2 : 8;
		if (ncap > cap)
			ncap = cap;
		d = xrealloc(d, sizeof *d + ncap * sizeof d->v[0]);
		d->n = n;
		d->cap = ncap;
		t->dv = d;
	}
	d->v[d->n].h = h;
	d->v[d->n++].ts = now;
	return true;
}

static void threshold_event(struct rule_engine *e, struct rstate *s, const struct event *ev)
{
	const struct rule *r = s->r;
	if (!step_matches(e, &r->steps[0], ev, NULL, s))
		return;
	unsigned char key[KEY_MAX];
	size_t klen;
	if (!make_key(e, r, ev, key, &klen))
		return;
	struct value dv = { .type = V_NONE };
	char scratch[256];   /* dv may point here */
	if (r->distinct) {
		struct rctx c = e->base;
		c.ev = ev;
		rule_eval_value(r->distinct_field, &c, &dv, scratch, sizeof scratch);
		if (dv.type == V_NONE)
			return;
	}
	struct kentry *k = get_entry(e, s, key, klen, ev->ts, true);
	struct tstate *t = key_window(k);
	int64_t now = ev->ts;
	settle(e, s, k, now, false);
	touch(s, k, now);
	uint64_t N = (uint64_t)r->threshold;
	struct burst *b = t->b;
	/* the window: drop what is older than within */
	bool reached = false;
	uint64_t distinct_now = 0;
	bool new_value = false;
	if (!r->distinct) {
		ring_push(t, now, r->within, N);
		reached = t->rn >= N;
	} else {
		new_value = distinct_add(t, value_hash(&dv), now, r->within, N);
		distinct_now = t->dv ? t->dv->n : 0;
		reached = distinct_now >= N;
	}
	if (b && b->on) {
		b->count++;
		if (new_value)
			b->distinct++;
		b->last = now;
		slot_fill(e, &t->recent[EVID_KEEP], ev);
		b->has_last = true;
		return;
	}
	/* recent evidence: the last EVID_KEEP matching events */
	/* below EVID_KEEP the ring has not wrapped: rec_head is 0, the next slot rec_n */
	if (t->rec_n < EVID_KEEP && t->rec_n == t->rec_cap)
		recent_grow(k, t->rec_cap ? 2 * t->rec_cap : 1);
	struct evslot *slot;
	if (t->rec_n == EVID_KEEP) {
		slot = &t->recent[t->rec_head];
		t->rec_head = (t->rec_head + 1) % EVID_KEEP;
	} else {
		slot = &t->recent[(t->rec_head + t->rec_n) % EVID_KEEP];
		t->rec_n++;
	}
	slot_fill(e, slot, ev);
	if (!reached)
		return;
	recent_grow(k, EVID_KEEP + 1);   /* the burst keeps its latest in recent[EVID_KEEP] */
	if (!b)
		b = t->b = xcalloc(1, sizeof *b);
	b->on = true;
	b->count = r->distinct ? distinct_now : N;
	b->distinct = distinct_now;
	/* the burst's evidence: the recent events still in the window, in order,
	 * first; the other slots after them (each slot keeps its own buffer) */
	struct evslot tmp[EVID_KEEP];
	bool used[EVID_KEEP] = { false };
	b->nev = 0;
	for (unsigned i = 0; i < t->rec_n; i++) {
		unsigned at = (t->rec_head + i) % EVID_KEEP;
		if (now - t->recent[at].ts <= r->within) {
			tmp[b->nev++] = t->recent[at];
			used[at] = true;
		}
	}
	unsigned nt = b->nev;
	for (unsigned i = 0; i < EVID_KEEP; i++)
		if (!used[i])
			tmp[nt++] = t->recent[i];
	memcpy(t->recent, tmp, EVID_KEEP * sizeof *tmp);
	b->first = r->distinct ? (b->nev ? t->recent[0].ts : now) : ring_at(t)[t->rhead];
	b->last = now;
	b->anchor = clone_kept(e, r, ev);
	t->rec_n = 0;
	t->rec_head = 0;
	/* rules building on this one learn of the burst now, not when it ends */
	if (e->depth < DERIVED_MAX_DEPTH) {
		struct rctx c = e->base;
		c.rule = r;
		c.anchor = b->anchor;
		c.count = (int64_t)b->count;
		c.distinct = (int64_t)b->distinct;
		c.window = r->within;
		c.first = b->first;
		c.last = now;
		c.key = key_text(e, r, b->anchor);
		struct field fields[40];
		unsigned nf = 0;
		fields[nf].name = "count";
		fields[nf].v.type = V_INT;
		fields[nf++].v.u.i = (int64_t)b->count;
		nf += template_fields(e, r, &c, fields + nf, 32);
		struct evidence evd;
		evidence_from_event(e, &evd, ev);
		struct finding f;
		memset(&f, 0, sizeof f);
		f.ts = b->first;
		f.session = ev->session;
		f.message = r->title;
		f.fields = fields;
		f.nfields = nf;
		f.evidence = &evd;
		f.nevidence = 1;
		derive(e, s, &f, &c);
	}
}

/* ---- the sink ---- */

static void feed(struct rule_engine *e, const struct event *ev)
{
	const struct disp *d = dispatch(e, ev->type);
	unsigned j = 0;
	for (size_t i = 0; i < e->nst; i++) {
		struct rstate *s = &e->st[i];
		const struct rule *r = s->r;
		uint32_t mask = 0;
		if (j < d->n && d->ent[j].st == i)
			mask = d->ent[j++].mask;
		if (s == e->skip)
			continue;
		if (s->head && key_done(s, s->head, ev->ts))
			sweep(e, s, ev->ts);
		if (!mask)
			continue;
		switch (r->kind) {
		case RK_MATCH:
			if (step_matches(e, &r->steps[0], ev, NULL, s))
				fire_match(e, s, ev);
			break;
		case RK_SEQUENCE:
			sequence_event(e, s, ev, mask);
			break;
		case RK_THRESHOLD:
			threshold_event(e, s, ev);
			break;
		case RK_NONE:
			break;
		}
	}
}

/* ---- which rules run ---- */

/* Can events of a type under pattern pat (a step's type) come from families? */
static bool family_covers(const char *pat, const char *const *fam, size_t nfam)
{
	if (!strcmp(pat, "any"))
		return nfam > 0;
	for (size_t i = 0; i < nfam; i++)
		if (!strcmp(fam[i], "*") || type_has_prefix(pat, fam[i]) || type_has_prefix(fam[i], pat))
			return true;
	return false;
}

static bool rule_runs(const struct rule_engine *e, const char *name, size_t n)
{
	for (size_t i = 0; i < e->nst; i++)
		if (strlen(e->st[i].r->name) == n && !memcmp(e->st[i].r->name, name, n))
			return true;
	return false;
}

static bool pattern_possible(const struct rule_engine *e, const char *pat, const char *const *fam,
			     size_t nfam)
{
	if (family_covers(pat, fam, nfam))
		return true;
	/* rule.NAME: fed back by rule NAME when it runs ("rule" alone: by any) */
	if (!strcmp(pat, "rule"))
		return e->nst > 0;
	if (!strncmp(pat, "rule.", 5)) {
		const char *nm = pat + 5;
		size_t n = strcspn(nm, ".");
		return rule_runs(e, nm, n);
	}
	return false;
}

/* The first positive step of r nothing here can produce: its index, or -1. */
static int impossible_step(const struct rule_engine *e, const struct rule *r, const char *const *fam,
			   size_t nfam)
{
	for (unsigned k = 0; k < r->nsteps; k++) {
		const struct rstep *st = &r->steps[k];
		if (st->absent)
			continue;
		bool ok = pattern_possible(e, st->type, fam, nfam);
		for (unsigned a = 0; a < st->nalt && !ok; a++)
			ok = pattern_possible(e, st->alt[a], fam, nfam);
		if (!ok)
			return (int)k;
	}
	return -1;
}

void rule_engine_plan(struct rule_engine *e, const char *const *families, size_t nfamilies)
{
	/* drop rules until every one left can fire: a rule built on a dropped
	 * rule goes in a later round */
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < e->nst; i++) {
			const struct rule *r = e->st[i].r;
			int k = impossible_step(e, r, families, nfamilies);
			if (k < 0)
				continue;
			const struct rstep *st = &r->steps[k];
			char alts[256] = "";
			size_t o = 0;
			for (unsigned a = 0; a < st->nalt && o < sizeof alts; a++)
				o += (size_t)snprintf(alts + o, sizeof alts - o, "|%s", st->alt[a]);
			char why[512];
			if (!strncmp(st->type, "rule", 4) && (st->type[4] == '.' || !st->type[4]))
				snprintf(why, sizeof why, "step %d [%s%s] needs the findings of a rule that is not run",
					 k + 1, st->type, alts);
			else
				snprintf(why, sizeof why,
					 "step %d [%s%s] needs events that none of the given sources and analyzers produce",
					 k + 1, st->type, alts);
			e->skipped = xrealloc(e->skipped, (e->nskipped + 1) * sizeof *e->skipped);
			e->skipped[e->nskipped].r = r;
			e->skipped[e->nskipped++].why = xstrdup(why);
			memmove(&e->st[i], &e->st[i + 1], (e->nst - i - 1) * sizeof *e->st);
			e->nst--;
			i--;
			changed = true;
		}
	}
}

size_t rule_engine_describe(const struct rule_engine *e, FILE *f)
{
	for (size_t i = 0; i < e->nloaded; i++) {
		const struct rule *r = e->loaded[i];
		const char *why = NULL;
		for (size_t k = 0; k < e->nskipped && !why; k++)
			if (e->skipped[k].r == r)
				why = e->skipped[k].why;
		if (why)
			fprintf(f, "skip %s: %s\n", r->name, why);
		else
			fprintf(f, "run  %s\n", r->name);
	}
	fprintf(f, "rules: %zu loaded, %zu run, %zu skipped\n", e->nloaded, e->nloaded - e->nskipped,
		e->nskipped);
	return e->nskipped;
}

/* Feed the queued derived events, each to every rule but its own. */
static void drain(struct rule_engine *e)
{
	for (unsigned i = 0; i < e->nqueue; i++) {
		struct derived d = e->queue[i];
		e->depth = d.depth;
		e->skip = d.from;
		feed(e, d.ev);
		free(d.ev);
	}
	e->nqueue = 0;
	e->depth = 0;
	e->skip = NULL;
}

static void feed_all(struct rule_engine *e, const struct event *ev)
{
	feed(e, ev);
	/* derived events may queue more (up to DERIVED_MAX_DEPTH) */
	while (e->nqueue)
		drain(e);
}

/* What feed does with an event no rule's step takes: expire the keys of
 * every rule its time has passed, then process what that derives. */
static void sweep_all(struct rule_engine *e, int64_t ts)
{
	for (size_t i = 0; i < e->nst; i++) {
		struct rstate *s = &e->st[i];
		if (s != e->skip && s->head && ts - s->head->last > s->r->within)
			sweep(e, s, ts);
	}
	while (e->nqueue)
		drain(e);
}

/* Feed held events whose second has passed (all of them when final). */
static void release_held(struct rule_engine *e, int64_t now, bool final)
{
	while (e->headheld < e->nheld &&
	       (final || e->held[e->headheld].release <= now || e->nheld - e->headheld > HOLD_MAX)) {
		const struct held *h = &e->held[e->headheld++];
		if (h->ev) {
			feed_all(e, h->ev);
			fifo_slab_release(&e->hslab, h->blk);
		} else {
			sweep_all(e, h->ts);
		}
	}
	if (e->headheld == e->nheld)
		e->headheld = e->nheld = 0;
}

/*
 * Logs that record whole seconds (ISA/TMG, pfirewall, BSD syslog, ASA) stamp
 * an event up to a second before it happened: a firewall drop at 08:00:02.9
 * is logged as 08:00:02 and lands on the timeline before the packets that
 * caused it, so a sequence (SYN-ACK changed, ACK mismatch, then the drop)
 * could never match. Such events (EV_TS_SECONDS, from the parser's declared
 * resolution) are held until the stream passes the end of their second and
 * fed then, with their own time: order within that second is unknown, and
 * the later position is the one that lets causes come first.
 */
void rule_engine_event(struct rule_engine *e, const struct event *ev)
{
	/* the clock went back (a log's day wrap, a clock reset): what is held
	 * is fed now, as at the end of input, and time restarts from here;
	 * otherwise an event held just before the jump waits for a time that
	 * does not come again and everything held after it waits too */
	if (ev->ts < e->now - NS_PER_SEC) {
		release_held(e, e->now, true);
		e->now = ev->ts;
	}
	if (ev->ts > e->now)
		e->now = ev->ts;
	release_held(e, e->now, false);
	if ((ev->flags & EV_TS_SECONDS) && !(ev->flags & EV_ANALYSIS)) {
		if (e->nheld == e->capheld && e->headheld && e->headheld >= e->nheld / 2) {
			/* a queue that never empties (logs among packets) slides
			 * down instead of growing */
			memmove(e->held, e->held + e->headheld, (e->nheld - e->headheld) * sizeof *e->held);
			e->nheld -= e->headheld;
			e->headheld = 0;
		}
		if (e->nheld == e->capheld) {
			e->capheld = e->capheld ? e->capheld * 2 : 256;
			e->held = xrealloc(e->held, e->capheld * sizeof *e->held);
		}
		/* an event no step can take only moves the rules' clocks on (feed
		 * sweeps expired keys): its time is held, not a copy */
		struct held *h = &e->held[e->nheld++];
		h->ev = dispatch(e, ev->type)->n ? clone_in(ev, NULL, 0, &e->hslab, &h->blk) : NULL;
		h->ts = ev->ts;
		h->release = ev->ts + NS_PER_SEC;
		return;
	}
	feed_all(e, ev);
}

static void engine_note(struct rule_engine *e, struct rstate *s)
{
	if (!s->evicted && !s->suppressed && !s->re_errors)
		return;
	char buf[512];
	snprintf(buf, sizeof buf,
		 "rule %s: %" PRIu64 " keys dropped at the cap of %zu live keys (--rule-keys), %" PRIu64
		 " findings beyond the cap of %zu not reported, %" PRIu64
		 " regex matches stopped by the PCRE2 match/depth limit (--regex-match-limit,"
		 " --regex-depth-limit); matches may be missing",
		 s->r->name, s->evicted, e->o.max_keys, s->suppressed, e->o.max_findings, s->re_errors);
	struct finding f;
	memset(&f, 0, sizeof f);
	f.rule = "rules.engine";
	f.title = "Rule engine limits reached";
	f.severity = SEV_INFO;
	f.message = arena_strdup(e->store, buf);
	f.key = arena_strdup(e->store, s->r->name);
	f.ts = e->now;
	f.incident = -1;
	e->cb(e->cbctx, &f);
}

void rule_engine_finish(struct rule_engine *e)
{
	release_held(e, e->now, true);
	/* windows still open at the end of input: trailing absences fire
	 * (nothing came before the input ended), bursts are reported; what
	 * they derive may open new windows, closed in the next round */
	for (unsigned round = 0; round <= DERIVED_MAX_DEPTH + 1; round++) {
		for (size_t i = 0; i < e->nst; i++) {
			struct rstate *s = &e->st[i];
			while (s->head) {
				struct kentry *k = s->head;
				settle(e, s, k, e->now, true);
				drop_entry(s, k);
			}
		}
		if (!e->nqueue)
			break;
		while (e->nqueue)
			drain(e);
	}
	for (size_t i = 0; i < e->nst; i++)
		engine_note(e, &e->st[i]);
}

static void sink_event(void *ctx, const struct event *ev) { rule_engine_event(ctx, ev); }
static void sink_finish(void *ctx) { rule_engine_finish(ctx); }

struct sink rule_engine_sink(struct rule_engine *e)
{
	struct sink s = { e, sink_event, sink_finish };
	return s;
}

struct rule_engine *rule_engine_new(const struct ruleset *rs, const char *const *labels,
				    size_t nlabels, struct arena *store, rule_finding_fn cb,
				    void *cbctx, const struct rule_engine_opts *opts)
{
	struct rule_engine *e = xcalloc(1, sizeof *e);
	e->rs = rs;
	e->store = store;
	e->cb = cb;
	e->cbctx = cbctx;
	e->o.max_keys = opts && opts->max_keys ? opts->max_keys : 100000;
	e->o.max_findings = opts && opts->max_findings ? opts->max_findings : 10000;
	e->base.labels = labels;
	e->base.nlabels = nlabels;
	e->base.match_data = pcre2_match_data_create(1, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, opts && opts->match_limit ? opts->match_limit : RULE_RE_MATCH_LIMIT);
	pcre2_set_depth_limit(mc, opts && opts->depth_limit ? opts->depth_limit : RULE_RE_DEPTH_LIMIT);
	e->base.match_ctx = mc;
	e->st = xcalloc(rs->nrules ? rs->nrules : 1, sizeof *e->st);
	e->loaded = xcalloc(rs->nrules ? rs->nrules : 1, sizeof *e->loaded);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];
		if (!r->checked_ok || r->kind == RK_NONE)
			continue;
		struct rstate *s = &e->st[e->nst++];
		s->r = r;
		e->loaded[e->nloaded++] = r;
		for (unsigned k = 0; k < r->nsteps; k++)
			if (!r->steps[k].absent)
				s->pos[s->npos++] = k;
		s->trailing = s->npos && s->pos[s->npos - 1] + 1 < r->nsteps;
		for (unsigned k = s->npos ? s->pos[0] + 1 : 0; k < r->nsteps; k++)
			s->later |= 1u << k;
		for (unsigned k = 0; k < r->nsteps; k++)
			pre_collect(s, k, r->steps[k].where);
	}
	e->dscratch = xmalloc(sizeof *e->dscratch + (e->nst ? e->nst : 1) * sizeof e->dscratch->ent[0]);
	e->fslot = xcalloc(rs->nfnames ? rs->nfnames : 1, sizeof *e->fslot);
	e->base.fslot = e->fslot;
	return e;
}

void rule_engine_free(struct rule_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nst; i++) {
		struct rstate *s = &e->st[i];
		while (s->head)
			drop_entry(s, s->head);
		free(s->tab);
	}
	for (unsigned i = 0; i < e->nqueue; i++)
		free(e->queue[i].ev);
	for (size_t i = e->headheld; i < e->nheld; i++)
		if (e->held[i].ev)
			fifo_slab_release(&e->hslab, e->held[i].blk);
	fifo_slab_free(&e->hslab);
	free(e->held);
	free(e->st);
	for (size_t i = 0; i < e->dcap; i++)
		free(e->dtab[i]);
	free(e->dtab);
	free(e->itab);
	free(e->dscratch);
	free(e->fslot);
	for (size_t i = 0; i < e->nskipped; i++)
		free(e->skipped[i].why);
	free(e->skipped);
	free(e->loaded);
	pcre2_match_data_free(e->base.match_data);
	pcre2_match_context_free(e->base.match_ctx);
	free(e);
}

void rule_engine_stats(const struct rule_engine *e, struct rule_engine_stats *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < e->nst; i++) {
		out->findings += e->st[i].findings;
		out->suppressed += e->st[i].suppressed;
		out->evicted += e->st[i].evicted;
		out->re_errors += e->st[i].re_errors;
		out->live_keys += e->st[i].n;
	}
}
