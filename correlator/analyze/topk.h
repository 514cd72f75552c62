/*
 * correlator/analyze/topk.h - the most frequent keys of a stream (DNS names, clients,
 * ARP senders) in bounded memory, by the Space-Saving algorithm (Metwally,
 * Agrawal, El Abbadi, "Efficient Computation of Frequent and Top-k Elements
 * in Data Streams", ICDT 2005): at most cap keys are counted; a new key takes
 * the place of the least counted one and inherits its count as error. Counts
 * are exact while fewer than cap distinct keys were seen.
 * Does not: allocate after creation.
 */
#ifndef CORRELATOR_TOPK_H
#define CORRELATOR_TOPK_H

#include <stddef.h>
#include <stdint.h>

#define TOPK_KEY_MAX 255

struct topk_item {
	uint64_t count;   /* upper bound of the true count */
	uint64_t err;     /* count - err is a lower bound */
	uint8_t len;
	char key[TOPK_KEY_MAX + 1];  /* NUL-terminated copy (keys may be binary) */
};

struct topk;

struct topk *topk_new(size_t cap);
void topk_free(struct topk *t);  /* NULL-safe */

/* Count key (n bytes, cut at TOPK_KEY_MAX) by one. */
void topk_add(struct topk *t, const void *key, size_t n);

/* The k most counted items, most first, into out[0..k); returns how many.
 * Pointers are borrowed until the next topk_add(). */
size_t topk_top(const struct topk *t, const struct topk_item **out, size_t k);

/* Keys seen in total (with repetition), and distinct keys ever admitted. */
uint64_t topk_total(const struct topk *t);
uint64_t topk_distinct(const struct topk *t);

#endif
