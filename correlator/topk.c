/*
 * correlator/topk.c - Space-Saving heavy hitters (see topk.h). Keys are found
 * by a linear scan over a dense array of their hashes: cap is small (hundreds),
 * and the scan touches one cache line per eight keys.
 */
#include "topk.h"
#include "an_common.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct topk {
	size_t cap, n;
	uint64_t total, distinct;
	uint64_t *hash;
	struct topk_item *item;
};

struct topk *topk_new(size_t cap)
{
	struct topk *t = xcalloc(1, sizeof *t);
	t->cap = cap ? cap : 1;
	t->hash = xcalloc(t->cap, sizeof *t->hash);
	t->item = xcalloc(t->cap, sizeof *t->item);
	return t;
}

void topk_free(struct topk *t)
{
	if (!t)
		return;
	free(t->hash);
	free(t->item);
	free(t);
}

void topk_add(struct topk *t, const void *key, size_t n)
{
	if (n > TOPK_KEY_MAX)
		n = TOPK_KEY_MAX;
	uint64_t h = an_hash(key, n);
	t->total++;
	for (size_t i = 0; i < t->n; i++) {
		if (t->hash[i] == h && t->item[i].len == n && !memcmp(t->item[i].key, key, n)) {
			t->item[i].count++;
			return;
		}
	}
	t->distinct++;
	size_t at;
	uint64_t base = 0;
	if (t->n < t->cap) {
		at = t->n++;
	} else {
		at = 0;
		for (size_t i = 1; i < t->n; i++)
			if (t->item[i].count < t->item[at].count)
				at = i;
		base = t->item[at].count;
	}
	struct topk_item *it = &t->item[at];
	t->hash[at] = h;
	it->count = base + 1;
	it->err = base;
	it->len = (uint8_t)n;
	memcpy(it->key, key, n);
	it->key[n] = '\0';
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
