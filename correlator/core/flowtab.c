/*
 * correlator/core/flowtab.c - session hash table with LRU eviction (see flowtab.h).
 * An open-addressing index (linear probing, load at most 1/2, deletion by
 * backward shift, no tombstones) of (hash, entry) pairs, so a lookup reads
 * one index slot and the one entry it wants; entries stay where they were
 * allocated (callers keep pointers to their data) and are recycled through
 * a free list instead of malloc/free per session; an intrusive doubly
 * linked list in use order, left alone when the entry is already the most
 * recent one. Each entry has a generation, counted up when it is dropped, so
 * a caller's flowtab_ref to it can tell whether it is still the same live
 * entry (entries are freed only with the table, so reading a stale one is
 * safe).
 */
#include "flowtab.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	struct entry *prev, *next;      /* use order: head = least recent; next = free list */
	uint64_t hash;
	int64_t last;
	uint32_t extra;
	uint32_t gen;                   /* counted up on drop: a flowtab_ref to it is stale */
	struct flow key;
	_Alignas(16) unsigned char data[];
};

struct slot {
	uint64_t hash;
	struct entry *e;                /* NULL = empty */
};

struct flowtab {
	struct slot *slots;
	size_t mask, count, peak, cap, entry_size;
	int64_t idle;
	struct entry *head, *tail, *free;
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
	t->fn = fn;
	t->ctx = ctx;
	return t;
}

static void list_unlink(struct flowtab *t, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		t->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		t->tail = e->prev;
	e->prev = e->next = NULL;
}

static void list_append(struct flowtab *t, struct entry *e)
{
	e->prev = t->tail;
	e->next = NULL;
	if (t->tail)
		t->tail->next = e;
	else
		t->head = e;
	t->tail = e;
}

/* Take e out of the index: backward-shift the run after it. */
static void index_delete(struct flowtab *t, struct entry *e)
{
	size_t i = e->hash & t->mask;
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
	list_unlink(t, e);
	t->count--;
	e->gen++;
	e->next = t->free;
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
	if (now > e->last)
		e->last = now;
	if (e != t->tail) {
		list_unlink(t, e);
		list_append(t, e);
	}
	if (reversed)
		*reversed = rev;
	return e->data;
}

void *flowtab_get(struct flowtab *t, const struct flow *f, uint32_t extra, int64_t now, bool create,
		  bool *created, bool *reversed)
{
	uint64_t h = flow_hash(f) ^ ((uint64_t)extra * 0x9e3779b97f4a7c15ULL);
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
		drop(t, t->head, true);
	}
	if ((t->count + 1) * 2 > t->mask + 1)
		grow(t);
	struct entry *e = t->free;
	if (e) {
		t->free = e->next;
		uint32_t gen = e->gen;
		memset(e, 0, sizeof *e + t->entry_size);
		e->gen = gen;
	} else {
		e = xcalloc(1, sizeof *e + t->entry_size);
	}
	e->hash = h;
	e->extra = extra;
	e->key = *f;
	e->last = now;
	index_insert(t->slots, t->mask, h, e);
	list_append(t, e);
	if (++t->count > t->peak)
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
		if (e->gen == ref->gen && e->extra == extra && same_endpoints(&e->key, f, &rev)) {
			if (created)
				*created = false;
			return found(t, e, now, rev, reversed);
		}
	}
	void *d = flowtab_get(t, f, extra, now, create, created, reversed);
	if (ref) {
		ref->data = d;
		ref->gen = d ? entry_of(d)->gen : 0;
	}
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
	while (t->head && (now - t->head->last > t->idle || t->head->last - now > t->idle))
		drop(t, t->head, false);
}

void flowtab_foreach(struct flowtab *t, void (*fn)(void *ctx, const struct flow *key, void *data),
		     void *ctx)
{
	for (struct entry *e = t->head; e; e = e->next)
		fn(ctx, &e->key, e->data);
}

void flowtab_free(struct flowtab *t)
{
	if (!t)
		return;
	while (t->head)
		drop(t, t->head, false);
	while (t->free) {
		struct entry *e = t->free;
		t->free = e->next;
		free(e);
	}
	free(t->slots);
	free(t);
}
