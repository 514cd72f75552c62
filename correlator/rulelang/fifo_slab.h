/*
 * correlator/rulelang/fifo_slab.h - memory for objects freed in about the
 * order they were made (the rule engine's held log events): bump allocation
 * in 64 KiB blocks, a block reused once every object in it is released.
 * Does not: move objects, or free anything before fifo_slab_release /
 * fifo_slab_free. Out of order release is correct, only less compact.
 */
#ifndef CORRELATOR_FIFO_SLAB_H
#define CORRELATOR_FIFO_SLAB_H

#include <stddef.h>

struct fifo_blk;

struct fifo_slab {
	struct fifo_blk *cur;    /* allocations go here */
	struct fifo_blk *spare;  /* emptied blocks kept for reuse */
	unsigned nspare;
};

/* n bytes (max_align_t aligned) for one object; *blk names its block for
 * fifo_slab_release. Never NULL (aborts when memory is out, like xmalloc). */
void *fifo_slab_alloc(struct fifo_slab *s, size_t n, struct fifo_blk **blk);

/* The object allocated in blk is no longer used. */
void fifo_slab_release(struct fifo_slab *s, struct fifo_blk *blk);

/* Every block, live objects or not. s is empty again afterwards. */
void fifo_slab_free(struct fifo_slab *s);

#endif
