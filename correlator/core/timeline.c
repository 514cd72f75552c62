/*
 * correlator/core/timeline.c - k-way merge with a binary heap of sources keyed by
 * (ts, source index, ref) (see timeline.h).
 */
#include "timeline.h"
#include "event.h"
#include "readers.h"
#include "source.h"
#include "util.h"

#include <stdlib.h>

struct slot {
	struct source *src;
	struct event *ev;    /* the pending event: own, or a reader queue's */
	struct event *own;   /* read here with source_next(), unless a reader thread reads it */
	size_t i;
};

struct timeline {
	struct slot *heap;   /* min-heap of sources with a pending event */
	size_t n;
	struct slot *last;   /* source whose event was handed out last, or NULL */
	struct slot last_slot;
	struct slot *all;
	size_t nall;
	struct readers *rd;
};

/* The slot's source's next event into s->ev. */
static bool refill(struct timeline *tl, struct slot *s)
{
	if (readers_has(tl->rd, s->i))
		return readers_next(tl->rd, s->i, &s->ev);
	s->ev = s->own;
	return source_next(s->src, s->ev);
}

static bool before(const struct slot *a, const struct slot *b)
{
	if (a->ev->ts != b->ev->ts)
		return a->ev->ts < b->ev->ts;
	if (a->src->index != b->src->index)
		return a->src->index < b->src->index;
	return a->ev->ref < b->ev->ref;
}

static void sift_down(struct timeline *tl, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < tl->n && before(&tl->heap[l], &tl->heap[m]))
			m = l;
		if (r < tl->n && before(&tl->heap[r], &tl->heap[m]))
			m = r;
		if (m == i)
			return;
		struct slot t = tl->heap[i];
		tl->heap[i] = tl->heap[m];
		tl->heap[m] = t;
		i = m;
	}
}

static void sift_up(struct timeline *tl, size_t i)
{
	while (i) {
		size_t p = (i - 1) / 2;
		if (!before(&tl->heap[i], &tl->heap[p]))
			return;
		struct slot t = tl->heap[i];
		tl->heap[i] = tl->heap[p];
		tl->heap[p] = t;
		i = p;
	}
}

struct timeline *timeline_new(struct source **srcs, size_t n, struct readers *rd)
{
	struct timeline *tl = xcalloc(1, sizeof *tl);
	tl->rd = rd;
	tl->heap = xcalloc(n ? n : 1, sizeof *tl->heap);
	tl->all = xcalloc(n ? n : 1, sizeof *tl->all);
	tl->nall = n;
	for (size_t i = 0; i < n; i++) {
		tl->all[i].src = srcs[i];
		tl->all[i].i = i;
		if (!readers_has(rd, i))
			tl->all[i].own = xmalloc(sizeof(struct event));
		/* a threaded source was readable when its reader started (and the
		 * flag is its reader's now) */
		if (!readers_has(rd, i) && srcs[i]->unreadable)
			continue;
		if (refill(tl, &tl->all[i])) {
			tl->heap[tl->n++] = tl->all[i];
			sift_up(tl, tl->n - 1);
		}
	}
	return tl;
}

struct event *timeline_next(struct timeline *tl)
{
	if (tl->last) {
		/* refill the source whose event the caller has finished with */
		struct slot s = *tl->last;
		tl->last = NULL;
		if (refill(tl, &s)) {
			tl->heap[tl->n++] = s;
			sift_up(tl, tl->n - 1);
		}
	}
	if (!tl->n)
		return NULL;
	tl->last_slot = tl->heap[0];
	tl->last = &tl->last_slot;
	tl->heap[0] = tl->heap[--tl->n];
	sift_down(tl, 0);
	return tl->last_slot.ev;
}

void timeline_free(struct timeline *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->nall; i++)
		free(tl->all[i].own);
	free(tl->all);
	free(tl->heap);
	free(tl);
}
