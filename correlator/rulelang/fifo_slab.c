/*
 * correlator/rulelang/fifo_slab.c - FIFO-order object memory (see fifo_slab.h).
 * Each block counts its live objects; the current block is rewound when its
 * count drops to zero, an older one goes to a short spare list (or is freed).
 */
#include "fifo_slab.h"
#include "../core/util.h"

#include <stdalign.h>
#include <stdlib.h>

#define BLK_BYTES (64u * 1024u)
#define SPARE_MAX 4

struct fifo_blk {
	struct fifo_blk *next;   /* on the spare list */
	size_t used, cap;
	size_t live;
	alignas(max_align_t) unsigned char data[];
};

static struct fifo_blk *blk_new(size_t cap)
{
	struct fifo_blk *b = xmalloc(sizeof *b + cap);
	b->next = NULL;
	b->used = 0;
	b->cap = cap;
	b->live = 0;
	return b;
}

void *fifo_slab_alloc(struct fifo_slab *s, size_t n, struct fifo_blk **blk)
{
	const size_t al = alignof(max_align_t);
	n = (n + al - 1) & ~(al - 1);
	struct fifo_blk *b = s->cur;
	if (!b || b->cap - b->used < n) {
		if (n > BLK_BYTES) {
			b = blk_new(n);   /* an object of its own: freed on release */
		} else {
			if (s->spare) {
				b = s->spare;
				s->spare = b->next;
				s->nspare--;
				b->next = NULL;
			} else {
				b = blk_new(BLK_BYTES);
			}
			s->cur = b;   /* the old one is freed with its last object */
		}
	}
	void *p = b->data + b->used;
	b->used += n;
	b->live++;
	*blk = b;
	return p;
}

void fifo_slab_release(struct fifo_slab *s, struct fifo_blk *b)
{
	if (--b->live)
		return;
	if (b == s->cur) {
		b->used = 0;
		return;
	}
	if (b->cap == BLK_BYTES && s->nspare < SPARE_MAX) {
		b->used = 0;
		b->next = s->spare;
		s->spare = b;
		s->nspare++;
		return;
	}
	free(b);
}

void fifo_slab_free(struct fifo_slab *s)
{
	while (s->spare) {
		struct fifo_blk *b = s->spare;
		s->spare = b->next;
		free(b);
	}
	/* blocks with live objects other than cur are the caller's to release
	 * first (the engine releases every held event before freeing) */
	free(s->cur);
	s->cur = NULL;
	s->nspare = 0;
}
