/*
 * correlator/flowtab.c - session hash table with LRU eviction (see flowtab.h).
 * Chained buckets; an intrusive doubly linked list in use order; the table
 * doubles when the load passes 1.
 */
#include "flowtab.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	struct entry *hnext;            /* bucket chain */
	struct entry *prev, *next;      /* use order: head = least recent */
	uint64_t hash;
	int64_t last;
	uint32_t extra;
	struct flow key;
	_Alignas(16) unsigned char data[];
};

struct flowtab {
	struct entry **buckets;
	size_t nbuckets, count, peak, cap, entry_size;
	int64_t idle;
	struct entry *head, *tail;
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
	t->nbuckets = 1024;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
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

static void drop(struct flowtab *t, struct entry *e, bool by_cap)
{
	if (t->fn)
		t->fn(t->ctx, &e->key, e->data, by_cap);
	struct entry **pp = &t->buckets[e->hash & (t->nbuckets - 1)];
	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	list_unlink(t, e);
	t->count--;
	free(e);
}

static void grow(struct flowtab *t)
{
	size_t nb = t->nbuckets * 2;
	struct entry **b = xcalloc(nb, sizeof *b);
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct entry *e = t->buckets[i];
		while (e) {
			struct entry *n = e->hnext;
			e->hnext = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
			e = n;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
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

void *flowtab_get(struct flowtab *t, const struct flow *f, uint32_t extra, int64_t now, bool create,
		  bool *created, bool *reversed)
{
	uint64_t h = flow_hash(f) ^ ((uint64_t)extra * 0x9e3779b97f4a7c15ULL);
	bool rev = false;
	if (created)
		*created = false;
	for (struct entry *e = t->buckets[h & (t->nbuckets - 1)]; e; e = e->hnext) {
		if (e->hash == h && e->extra == extra && same_endpoints(&e->key, f, &rev)) {
			if (now > e->last)
				e->last = now;
			list_unlink(t, e);
			list_append(t, e);
			if (reversed)
				*reversed = rev;
			return e->data;
		}
	}
	if (!create)
		return NULL;
	if (t->cap && t->count >= t->cap) {
		t->evicted_cap++;
		drop(t, t->head, true);
	}
	if (t->count >= t->nbuckets)
		grow(t);
	struct entry *e = xcalloc(1, sizeof *e + t->entry_size);
	e->hash = h;
	e->extra = extra;
	e->key = *f;
	e->last = now;
	e->hnext = t->buckets[h & (t->nbuckets - 1)];
	t->buckets[h & (t->nbuckets - 1)] = e;
	list_append(t, e);
	if (++t->count > t->peak)
		t->peak = t->count;
	if (created)
		*created = true;
	if (reversed)
		*reversed = false;
	return e->data;
}

void flowtab_remove(struct flowtab *t, void *data)
{
	drop(t, entry_of(data), false);
}

void flowtab_expire(struct flowtab *t, int64_t now)
{
	if (!t->idle)
		return;
	while (t->head && now - t->head->last > t->idle)
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
	free(t->buckets);
	free(t);
}
