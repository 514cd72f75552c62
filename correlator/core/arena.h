/*
 * correlator/core/arena.h - bump allocator for objects that share one lifetime.
 * Allocations are never freed one by one; arena_reset() or arena_free() drops
 * them all. Does not: shrink, or return memory to the system before free.
 */
#ifndef CORRELATOR_ARENA_H
#define CORRELATOR_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;  /* current chunk; older ones follow */
	size_t chunk_size;         /* default size of a new chunk */
	size_t used_total;         /* bytes handed out since the last reset */
};

void arena_init(struct arena *a, size_t chunk_size);
/* Returns zeroed, 16-byte aligned memory owned by the arena; aborts on OOM. */
void *arena_alloc(struct arena *a, size_t n);
/* Copy of s (n bytes) with a terminating NUL, owned by the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Forget every allocation but keep the first chunk for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif
