/*
 * correlator/analyze/pendq.h - requests waiting for an answer, for the analyzers that
 * pair requests with responses (udp, dns, arp). Each pending entry holds a
 * fixed-size payload chosen by the caller and a deadline; entries come out of
 * pendq_due() in the order they were added, which is deadline order because
 * every queue uses one timeout and the timeline is in time order.
 * Memory is bounded: at most cap entries are held; pendq_add() refuses more
 * (the caller counts the refusal).
 * Does not: know what a request is, or emit anything.
 */
#ifndef CORRELATOR_PENDQ_H
#define CORRELATOR_PENDQ_H

#include <stddef.h>
#include <stdint.h>

struct pendq;

/* A handle names one entry; it goes stale when the entry is removed or
 * comes due, and a stale handle is never mistaken for a newer entry. 0 is
 * never a valid handle. */
typedef uint64_t pendq_handle;

/* payload_size: bytes of caller data per entry; cap: most entries at once. */
struct pendq *pendq_new(size_t payload_size, size_t cap);
void pendq_free(struct pendq *q);  /* NULL-safe */

/* Add an entry due at deadline. Returns its handle and its zeroed payload in
 * *payload, or 0 when the queue is full. Payload pointers stay valid until
 * the next pendq_add() on the same queue. */
pendq_handle pendq_add(struct pendq *q, int64_t deadline, void **payload);

/* The payload of a live entry, or NULL when the handle is stale. */
void *pendq_get(struct pendq *q, pendq_handle h);

/* Drop a live entry (answered). Stale handles are ignored. */
void pendq_remove(struct pendq *q, pendq_handle h);

/* The oldest entry if its deadline is at or before now: copies its payload
 * into out (payload_size bytes), removes it, and returns true. */
_Bool pendq_pop_due(struct pendq *q, int64_t now, void *out, int64_t *deadline);

/* Pop the oldest entry whatever its deadline (end of input). */
_Bool pendq_pop_any(struct pendq *q, void *out, int64_t *deadline);

/* The oldest entry's deadline, if any. */
_Bool pendq_peek(const struct pendq *q, int64_t *deadline);

size_t pendq_count(const struct pendq *q);

#endif
