/*
 * correlator/core/flowtab.c - session hash table with LRU eviction (see flowtab.h).
 * An open-addressing index (linear probing, load at most 3/4, deletion by
 * backward shift, no tombstones) of (hash, entry) pairs, so a lookup reads
 * one index slot and the one entry it wants; entries stay where they were
 * allocated (callers keep pointers to their data) and are recycled through
 * a free list instead of malloc/free per session. A dropped entry's use
 * stamp is 0 (live ones have 1 or more), so a caller's flowtab_ref to it can
 * tell whether it is still live (entries are freed only with the table, so
 * reading a stale one is safe); a live entry with the key looked up is the
 * answer whatever it held before.
 *
 * Use order, exact LRU at the cost of one stamp per use: each use writes the
 * next value of the table's use clock into the entry (e->use) and touches
 * nothing else. A min-heap of the live entries finds the least recently used
 * one and is fixed up lazily, only when the oldest is examined (idle expiry,
 * cap eviction). Its order is that of e->keyed, the use stamp an entry had
 * when its place in the heap was last settled:
 *   1. every live entry is in the heap once, at heap[e->hpos];
 *   2. e->keyed <= e->use (the clock only counts up);
 *   3. the heap is ordered by e->keyed.
 * A top entry whose keyed stamp is its use stamp is therefore the least
 * recently used (stamps are unique); one used since is re-keyed and sifted
 * down (oldest()). The 32-bit clock is renumbered 1..n in use order when it
 * runs out (renumber()).
 */
#include "flowtab.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	union {
		struct flow key;
		struct entry *next_free;  /* on the free list (the key is dead then) */
	};
	uint32_t extra;
	uint32_t keyed;                 /* the use stamp its heap place was settled with */
	int64_t last;                   /* time of the last use, for idle expiry */
	uint32_t use;                   /* use clock at the last use: the LRU order; 0 = dropped */
	uint32_t hpos;                  /* where its heap node is */
	_Alignas(16) unsigned char data[];
};
_Static_assert(offsetof(struct entry, data) == 64, "a flowtab entry header is 64 bytes");

struct slot {
	uint64_t hash;
	struct entry *e;                /* NULL = empty */
};

struct flowtab {
	struct slot *slots;
	size_t mask, count, peak, cap, entry_size;
	int64_t idle;
	struct entry **heap;            /* count in use, hcap allocated */
	size_t hcap;
	uint32_t clock, clock_limit;
	struct entry *free;
	uint64_t evicted_cap;
	flowtab_evict_fn fn;
	void *ctx;
};

static struct entry *entry_of(const void *data)
{
	return (struct entry *)((unsigned char *)data - offsetof(struct entry, data));
}

const struct flow *flowtab_key(const void *data) { return &entry_of(data)->key; }
size_t flowtab_count(const struct flowtab *t) { return t->count; }
size_t flowtab_peak(const struct flowtab *t) { return t->peak; }
uint64_t flowtab_evicted_cap(const struct flowtab *t) { return t->evicted_cap; }

struct flowtab *flowtab_new(size_t entry_size, size_t cap, int64_t idle_ns, flowtab_evict_fn fn,
			    void *ctx)
{
	struct flowtab *t = xcalloc(1, sizeof *t);
	t->mask = 2048 - 1;
	t->slots = xcalloc(t->mask + 1, sizeof *t->slots);
	t->entry_size = entry_size;
	t->cap = cap;
	t->idle = idle_ns;
	t->clock_limit = UINT32_MAX;
	t->fn = fn;
	t->ctx = ctx;
	return t;
}

void flowtab_set_clock_limit(struct flowtab *t, uint32_t limit)
{
	t->clock_limit = limit;
}

static uint64_t key_hash(const struct flow *f, uint32_t extra)
{
	return flow_hash(f) ^ ((uint64_t)extra * 0x9e3779b97f4a7c15ULL);
}

/* ---- the heap of use stamps ---- */

static void heap_put(struct flowtab *t, size_t i, struct entry *e)
{
	t->heap[i] = e;
	e->hpos = (uint32_t)i;
}

static void sift_up(struct flowtab *t, size_t i)
{
	struct entry *e = t->heap[i];
	while (i > 0 && t->heap[(i - 1) / 2]->keyed > e->keyed) {
		heap_put(t, i, t->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_put(t, i, e);
}

static void sift_down(struct flowtab *t, size_t i)
{
	struct entry *e = t->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= t->count)
			break;
		if (c + 1 < t->count && t->heap[c + 1]->keyed < t->heap[c]->keyed)
			c++;
		if (e->keyed <= t->heap[c]->keyed)
			break;
		heap_put(t, i, t->heap[c]);
		i = c;
	}
	heap_put(t, i, e);
}

/* A new entry, stamped already: in last and up (the newest stays there). */
static void heap_push(struct flowtab *t, struct entry *e)
{
	if (t->count == t->hcap) {
		t->hcap = t->hcap ? t->hcap * 2 : 1024;
		t->heap = xrealloc(t->heap, t->hcap * sizeof *t->heap);
	}
	e->keyed = e->use;
	t->heap[t->count++] = e;
	sift_up(t, t->count - 1);
}

static void heap_delete(struct flowtab *t, size_t i)
{
	struct entry *last = t->heap[--t->count];
	if (i == t->count)
		return;
	heap_put(t, i, last);
	sift_up(t, i);
	sift_down(t, last->hpos);
}

static int by_use(const void *a, const void *b)
{
	uint32_t x = (*(struct entry *const *)a)->use, y = (*(struct entry *const *)b)->use;
	return x < y ? -1 : x > y;
}

/* The live entries, least recently used first (NULL when there are none).
 * Caller frees the array. */
static struct entry **in_use_order(const struct flowtab *t)
{
	if (!t->count)
		return NULL;
	struct entry **v = xmalloc(t->count * sizeof *v);
	memcpy(v, t->heap, t->count * sizeof *v);
	qsort(v, t->count, sizeof *v, by_use);
	return v;
}

/* The clock ran out: stamp the live entries 1..n in use order. A sorted
 * array is a heap, keyed afresh. */
static void renumber(struct flowtab *t)
{
	qsort(t->heap, t->count, sizeof *t->heap, by_use);
	for (size_t i = 0; i < t->count; i++) {
		t->heap[i]->use = t->heap[i]->keyed = (uint32_t)(i + 1);
		t->heap[i]->hpos = (uint32_t)i;
	}
	t->clock = (uint32_t)t->count;
}

/* Make e the most recently used entry. */
static void stamp(struct flowtab *t, struct entry *e)
{
	if (t->clock >= t->clock_limit)
		renumber(t);
	e->use = ++t->clock;
}

/* Mark e used at now (the most recent entry already is). */
static void touch(struct flowtab *t, struct entry *e, int64_t now)
{
	if (now > e->last)
		e->last = now;
	if (e->use != t->clock)
		stamp(t, e);
}

/* The least recently used entry (NULL when empty): nodes whose entry was
 * used since they were keyed are keyed again on the way. */
static struct entry *oldest(struct flowtab *t)
{
	while (t->count) {
		struct entry *e = t->heap[0];
		if (e->keyed == e->use)
			return e;
		e->keyed = e->use;
		sift_down(t, 0);
	}
	return NULL;
}

/* ---- the index ---- */

/* Take e out of the index: backward-shift the run after it. */
static void index_delete(struct flowtab *t, struct entry *e)
{
	size_t i = key_hash(&e->key, e->extra) & t->mask;
	while (t->slots[i].e && t->slots[i].e != e)
		i = (i + 1) & t->mask;
	if (!t->slots[i].e)
		return;
	size_t j = i;
	for (;;) {
		t->slots[i].e = NULL;
		for (;;) {
			j = (j + 1) & t->mask;
			if (!t->slots[j].e)
				return;
			size_t k = t->slots[j].hash & t->mask;
			bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
			if (!stays)
				break;
		}
		t->slots[i] = t->slots[j];
		i = j;
	}
}

static void index_insert(struct slot *slots, size_t mask, uint64_t h, struct entry *e)
{
	size_t i = h & mask;
	while (slots[i].e)
		i = (i + 1) & mask;
	slots[i].hash = h;
	slots[i].e = e;
}

static void drop(struct flowtab *t, struct entry *e, bool by_cap)
{
	if (t->fn)
		t->fn(t->ctx, &e->key, e->data, by_cap);
	index_delete(t, e);
	heap_delete(t, e->hpos);
	e->use = 0;
	e->next_free = t->free;
	t->free = e;
}

static void grow(struct flowtab *t)
{
	size_t nmask = t->mask * 2 + 1;
	struct slot *n = xcalloc(nmask + 1, sizeof *n);
	for (size_t i = 0; i <= t->mask; i++)
		if (t->slots[i].e)
			index_insert(n, nmask, t->slots[i].hash, t->slots[i].e);
	free(t->slots);
	t->slots = n;
	t->mask = nmask;
}

static bool same_endpoints(const struct flow *k, const struct flow *f, bool *reversed)
{
	if (k->proto != f->proto)
		return false;
	if (k->sport == f->sport && k->dport == f->dport && addr_equal(&k->src, &f->src) &&
	    addr_equal(&k->dst, &f->dst)) {
		*reversed = false;
		return true;
	}
	if (k->sport == f->dport && k->dport == f->sport && addr_equal(&k->src, &f->dst) &&
	    addr_equal(&k->dst, &f->src)) {
		*reversed = true;
		return true;
	}
	return false;
}

/* A lookup found e: mark it used at now. */
static void *found(struct flowtab *t, struct entry *e, int64_t now, bool rev, bool *reversed)
{
	touch(t, e, now);
	if (reversed)
		*reversed = rev;
	return e->data;
}

/* A zeroed entry for the caller, from the free list or new. */
static struct entry *entry_alloc(struct flowtab *t)
{
	struct entry *e = t->free;
	if (!e)
		return xcalloc(1, sizeof *e + t->entry_size);
	t->free = e->next_free;
	memset(e, 0, sizeof *e + t->entry_size);
	return e;
}

void *flowtab_get(struct flowtab *t, const struct flow *f, uint32_t extra, int64_t now, bool create,
		  bool *created, bool *reversed)
{
	uint64_t h = key_hash(f, extra);
	bool rev = false;
	if (created)
		*created = false;
	for (size_t i = h & t->mask; t->slots[i].e; i = (i + 1) & t->mask) {
		struct entry *e = t->slots[i].e;
		if (t->slots[i].hash == h && e->extra == extra && same_endpoints(&e->key, f, &rev))
			return found(t, e, now, rev, reversed);
	}
	if (!create)
		return NULL;
	if (t->cap && t->count >= t->cap) {
		t->evicted_cap++;
		drop(t, oldest(t), true);
	}
	if ((t->count + 1) * 4 > (t->mask + 1) * 3)
		grow(t);
	struct entry *e = entry_alloc(t);
	e->extra = extra;
	e->key = *f;
	e->last = now;
	stamp(t, e);
	index_insert(t->slots, t->mask, h, e);
	heap_push(t, e);
	if (t->count > t->peak)
		t->peak = t->count;
	if (created)
		*created = true;
	if (reversed)
		*reversed = false;
	return e->data;
}

void *flowtab_get_ref(struct flowtab *t, struct flowtab_ref *ref, const struct flow *f, uint32_t extra,
		      int64_t now, bool create, bool *created, bool *reversed)
{
	if (ref && ref->data) {
		struct entry *e = entry_of(ref->data);
		bool rev = false;
		if (e->use && e->extra == extra && same_endpoints(&e->key, f, &rev)) {
			if (created)
				*created = false;
			return found(t, e, now, rev, reversed);
		}
	}
	void *d = flowtab_get(t, f, extra, now, create, created, reversed);
	if (ref)
		ref->data = d;
	return d;
}

void flowtab_prefetch(const struct flowtab_ref *ref)
{
	if (ref->data) {
		const struct entry *e = entry_of(ref->data);
		__builtin_prefetch(e);
		__builtin_prefetch((const unsigned char *)e + 64);
	}
}

void flowtab_remove(struct flowtab *t, void *data)
{
	drop(t, entry_of(data), false);
}

void flowtab_expire(struct flowtab *t, int64_t now)
{
	if (!t->idle)
		return;
	/* also entries used more than idle_ns after now: the clock went back (a
	 * log's day wrap, a capture's clock reset), and they would otherwise
	 * wait out the jump while every new flow adds an entry */
	struct entry *e;
	while ((e = oldest(t)) && (now - e->last > t->idle || e->last - now > t->idle))
		drop(t, e, false);
}

void flowtab_foreach(struct flowtab *t, void (*fn)(void *ctx, const struct flow *key, void *data),
		     void *ctx)
{
	size_t n = t->count;
	struct entry **v = in_use_order(t);
	for (size_t i = 0; i < n; i++)
		fn(ctx, &v[i]->key, v[i]->data);
	free(v);
}

void flowtab_free(struct flowtab *t)
{
	if (!t)
		return;
	size_t n = t->count;
	struct entry **v = in_use_order(t);
	for (size_t i = 0; i < n; i++)
		drop(t, v[i], false);
	free(v);
	while (t->free) {
		struct entry *e = t->free;
		t->free = e->next_free;
		free(e);
	}
	free(t->heap);
	free(t->slots);
	free(t);
}
