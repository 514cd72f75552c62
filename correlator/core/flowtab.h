/*
 * correlator/core/flowtab.h - a hash table of live sessions keyed by the
 * direction-agnostic 5-tuple plus a small extra key (the vantage point, or a
 * stream generation), with least-recently-seen eviction. Memory follows live
 * sessions: entries idle longer than the idle limit are evicted, and when the
 * table is full the least recently seen entry goes (counted).
 * Does not: interpret packets; the user data after each entry is the caller's.
 */
#ifndef CORRELATOR_FLOWTAB_H
#define CORRELATOR_FLOWTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct flowtab;

/* Called before an entry is dropped (idle, cap, or flowtab_free); data is the
 * caller's area of entry_size bytes. */
typedef void (*flowtab_evict_fn)(void *ctx, const struct flow *key, void *data, bool by_cap);

/* entry_size: bytes of user data per entry (zeroed on creation).
 * cap: most entries at once (0 = unlimited). idle_ns: evict after this long
 * without a lookup (0 = never). */
struct flowtab *flowtab_new(size_t entry_size, size_t cap, int64_t idle_ns, flowtab_evict_fn fn,
			    void *ctx);
void flowtab_free(struct flowtab *t);

/* The entry for (flow, extra), created when create is true. *created tells
 * whether it is new; *reversed whether f runs opposite to the stored key (the
 * key is the orientation of the first packet seen). Marks it used at now. */
void *flowtab_get(struct flowtab *t, const struct flow *f, uint32_t extra, int64_t now, bool create,
		  bool *created, bool *reversed);

/* A caller's memory of one entry (zeroed = none), kept for instance in the
 * session entry an event carries (sessions.h), so the next packet of the flow
 * finds its entry without hashing. It goes stale when the entry is dropped
 * (and holds again if the memory is reused for the same key). */
struct flowtab_ref {
	void *data;
};

/* flowtab_get, first trying the entry *ref remembers: while that entry is
 * live and keyed (f, extra) it is the answer and is marked used, exactly as a
 * lookup would; otherwise a lookup, whose entry *ref then remembers. The
 * results are always those of flowtab_get. ref may be NULL. */
void *flowtab_get_ref(struct flowtab *t, struct flowtab_ref *ref, const struct flow *f, uint32_t extra,
		      int64_t now, bool create, bool *created, bool *reversed);

/* Start loading the entry ref remembers into the cache (a hint; does nothing
 * when there is none), so a flowtab_get_ref a little later need not wait. */
void flowtab_prefetch(const struct flowtab_ref *ref);

/* Drop an entry now (calls the evict callback with by_cap false). */
void flowtab_remove(struct flowtab *t, void *data);

/* Evict entries not used since now - idle_ns. */
void flowtab_expire(struct flowtab *t, int64_t now);

/* Visit every live entry, least recently used first. */
void flowtab_foreach(struct flowtab *t, void (*fn)(void *ctx, const struct flow *key, void *data),
		     void *ctx);

/* The key of an entry (orientation of its first packet). */
const struct flow *flowtab_key(const void *data);

/* Test hook: renumber the use order once the use clock reaches limit
 * (normally UINT32_MAX, which a run seldom reaches). */
void flowtab_set_clock_limit(struct flowtab *t, uint32_t limit);

size_t flowtab_count(const struct flowtab *t);
size_t flowtab_peak(const struct flowtab *t);
uint64_t flowtab_evicted_cap(const struct flowtab *t);

#endif
