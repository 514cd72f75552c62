/*
 * correlator/analyze/topk.c - Space-Saving heavy hitters (see topk.h). Keys are found
 * through an open-addressing index (linear probing, backward-shift deletion
 * when a key is replaced); a binary min-heap on the counts finds the least
 * counted key, so every add costs O(log cap).
 */
#include "topk.h"
#include "an_common.h"
#include "../core/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct topk {
	size_t cap, n;
	uint64_t total, distinct;
	uint64_t *hash;
	struct topk_item *item;
	int32_t *idx;      /* item index or -1; size mask + 1, a power of two >= 2 cap */
	size_t mask;
	uint32_t *heap;    /* item indexes, min-heap on count */
	uint32_t *pos;     /* item index -> heap position */
};

static void heap_swap(struct topk *t, size_t a, size_t b)
{
	uint32_t x = t->heap[a];
	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	t->pos[t->heap[a]] = (uint32_t)a;
	t->pos[t->heap[b]] = (uint32_t)b;
}

/* The count at heap position i grew: move it down. */
static void heap_down(struct topk *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < t->n && t->item[t->heap[l]].count < t->item[t->heap[m]].count)
			m = l;
		if (r < t->n && t->item[t->heap[r]].count < t->item[t->heap[m]].count)
			m = r;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

struct topk *topk_new(size_t cap)
{
	struct topk *t = xcalloc(1, sizeof *t);
	t->cap = cap ? cap : 1;
	t->hash = xcalloc(t->cap, sizeof *t->hash);
	t->item = xcalloc(t->cap, sizeof *t->item);
	size_t n = 16;
	while (n < 2 * t->cap)
		n *= 2;
	t->mask = n - 1;
	t->idx = xmalloc(n * sizeof *t->idx);
	t->heap = xcalloc(t->cap, sizeof *t->heap);
	t->pos = xcalloc(t->cap, sizeof *t->pos);
	for (size_t i = 0; i < n; i++)
		t->idx[i] = -1;
	return t;
}

void topk_free(struct topk *t)
{
	if (!t)
		return;
	free(t->hash);
	free(t->item);
	free(t->idx);
	free(t->heap);
	free(t->pos);
	free(t);
}

/* Remove item `at` from the index (backward-shift deletion). */
static void index_del(struct topk *t, size_t at)
{
	size_t i = t->hash[at] & t->mask;
	while (t->idx[i] != (int32_t)at)
		i = (i + 1) & t->mask;
	for (size_t j = (i + 1) & t->mask; t->idx[j] >= 0; j = (j + 1) & t->mask) {
		size_t home = t->hash[t->idx[j]] & t->mask;
		/* move j back into the hole at i unless its home lies in (i, j] */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->idx[i] = t->idx[j];
			i = j;
		}
	}
	t->idx[i] = -1;
}

void topk_add(struct topk *t, const void *key, size_t n)
{
	if (n > TOPK_KEY_MAX)
		n = TOPK_KEY_MAX;
	uint64_t h = an_hash(key, n);
	t->total++;
	size_t i = h & t->mask;
	for (; t->idx[i] >= 0; i = (i + 1) & t->mask) {
		struct topk_item *it = &t->item[t->idx[i]];
		if (t->hash[t->idx[i]] == h && it->len == n && !memcmp(it->key, key, n)) {
			it->count++;
			heap_down(t, t->pos[t->idx[i]]);
			return;
		}
	}
	t->distinct++;
	size_t at;
	uint64_t base = 0;
	bool fresh = t->n < t->cap;
	if (fresh) {
		at = t->n;
	} else {
		at = t->heap[0];  /* the least counted key makes room */
		base = t->item[at].count;
		index_del(t, at);
		for (i = h & t->mask; t->idx[i] >= 0; i = (i + 1) & t->mask)
			;
	}
	t->idx[i] = (int32_t)at;
	struct topk_item *it = &t->item[at];
	t->hash[at] = h;
	it->count = base + 1;
	it->err = base;
	it->len = (uint8_t)n;
	memcpy(it->key, key, n);
	it->key[n] = '\0';
	if (fresh) {
		size_t p = t->n++;
		t->heap[p] = (uint32_t)at;
		t->pos[at] = (uint32_t)p;
		while (p > 0 && t->item[t->heap[(p - 1) / 2]].count > it->count) {
			heap_swap(t, p, (p - 1) / 2);
			p = (p - 1) / 2;
		}
	} else {
		heap_down(t, 0);
	}
}

size_t topk_top(const struct topk *t, const struct topk_item **out, size_t k)
{
	size_t m = 0;
	/* insertion into a sorted window of k: k is small */
	for (size_t i = 0; i < t->n; i++) {
		const struct topk_item *it = &t->item[i];
		size_t j = m < k ? m++ : k;
		if (j == k) {
			if (!k || it->count <= out[k - 1]->count)
				continue;
			j = k - 1;
		}
		while (j > 0 && out[j - 1]->count < it->count) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = it;
	}
	return m;
}

uint64_t topk_total(const struct topk *t) { return t->total; }
uint64_t topk_distinct(const struct topk *t) { return t->distinct; }
