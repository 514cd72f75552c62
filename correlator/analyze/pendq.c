/*
 * correlator/analyze/pendq.c - pending requests with FIFO deadlines (see pendq.h).
 * Slots live in one array that doubles up to the cap; free slots are chained;
 * live slots form a doubly linked list in insertion order. A slot's generation
 * changes each time it is freed, so handles to old entries go stale.
 */
#include "pendq.h"
#include "../core/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

struct slot {
	uint32_t prev, next;  /* live: FIFO order; free: next = free chain */
	uint32_t gen;
	bool live;
	int64_t deadline;
};

struct pendq {
	struct slot *slots;
	unsigned char *payload;
	size_t psize, nslots, cap, count;
	uint32_t head, tail, free;
};

struct pendq *pendq_new(size_t payload_size, size_t cap)
{
	struct pendq *q = xcalloc(1, sizeof *q);
	q->psize = payload_size ? payload_size : 1;
	q->cap = cap && cap < NIL ? cap : NIL - 1;
	q->head = q->tail = q->free = NIL;
	return q;
}

void pendq_free(struct pendq *q)
{
	if (!q)
		return;
	free(q->slots);
	free(q->payload);
	free(q);
}

static bool grow(struct pendq *q)
{
	if (q->nslots >= q->cap)
		return false;
	size_t n = q->nslots ? q->nslots * 2 : 64;
	if (n > q->cap)
		n = q->cap;
	q->slots = xrealloc(q->slots, n * sizeof *q->slots);
	q->payload = xrealloc(q->payload, n * q->psize);
	for (size_t i = n; i-- > q->nslots;) {
		q->slots[i] = (struct slot){ .prev = NIL, .next = q->free, .gen = 1 };
		q->free = (uint32_t)i;
	}
	q->nslots = n;
	return true;
}

pendq_handle pendq_add(struct pendq *q, int64_t deadline, void **payload)
{
	if (q->free == NIL && !grow(q))
		return 0;
	uint32_t i = q->free;
	struct slot *s = &q->slots[i];
	q->free = s->next;
	s->live = true;
	s->deadline = deadline;
	s->next = NIL;
	s->prev = q->tail;
	if (q->tail != NIL)
		q->slots[q->tail].next = i;
	else
		q->head = i;
	q->tail = i;
	q->count++;
	memset(q->payload + (size_t)i * q->psize, 0, q->psize);
	if (payload)
		*payload = q->payload + (size_t)i * q->psize;
	return (uint64_t)s->gen << 32 | (uint64_t)(i + 1);
}

static struct slot *lookup(struct pendq *q, pendq_handle h, uint32_t *idx)
{
	uint32_t i = (uint32_t)(h & 0xffffffffu);
	if (i == 0 || i > q->nslots)
		return NULL;
	struct slot *s = &q->slots[i - 1];
	if (!s->live || s->gen != (uint32_t)(h >> 32))
		return NULL;
	*idx = i - 1;
	return s;
}

void *pendq_get(struct pendq *q, pendq_handle h)
{
	uint32_t i;
	return lookup(q, h, &i) ? q->payload + (size_t)i * q->psize : NULL;
}

static void unlink_slot(struct pendq *q, uint32_t i)
{
	struct slot *s = &q->slots[i];
	if (s->prev != NIL)
		q->slots[s->prev].next = s->next;
	else
		q->head = s->next;
	if (s->next != NIL)
		q->slots[s->next].prev = s->prev;
	else
		q->tail = s->prev;
	s->live = false;
	s->gen++;
	if (s->gen == 0)
		s->gen = 1;
	s->prev = NIL;
	s->next = q->free;
	q->free = i;
	q->count--;
}

void pendq_remove(struct pendq *q, pendq_handle h)
{
	uint32_t i;
	if (lookup(q, h, &i))
		unlink_slot(q, i);
}

static bool pop(struct pendq *q, void *out, int64_t *deadline)
{
	uint32_t i = q->head;
	if (out)
		memcpy(out, q->payload + (size_t)i * q->psize, q->psize);
	if (deadline)
		*deadline = q->slots[i].deadline;
	unlink_slot(q, i);
	return true;
}

bool pendq_pop_due(struct pendq *q, int64_t now, void *out, int64_t *deadline)
{
	if (q->head == NIL || q->slots[q->head].deadline > now)
		return false;
	return pop(q, out, deadline);
}

bool pendq_pop_any(struct pendq *q, void *out, int64_t *deadline)
{
	if (q->head == NIL)
		return false;
	return pop(q, out, deadline);
}

bool pendq_peek(const struct pendq *q, int64_t *deadline)
{
	if (q->head == NIL)
		return false;
	*deadline = q->slots[q->head].deadline;
	return true;
}

size_t pendq_count(const struct pendq *q) { return q->count; }
