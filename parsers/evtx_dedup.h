/*
 * parsers/evtx_dedup.h - which EVTX records were already read: a set of 64-bit
 * signatures over a mapped win.event (its time, every field but
 * event.recovered, its message), so records libevtx recovers from slack space
 * that repeat an allocated record (same record id, time and content) can be
 * dropped and counted. Memory: 8-16 bytes per allocated record of the file.
 * Does not: read files or compare anything but whole mapped events.
 */
#ifndef CORRELATOR_EVTX_DEDUP_H
#define CORRELATOR_EVTX_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct source;

struct evtx_seen {
	uint64_t *slot;            /* 0 = empty */
	size_t mask, n;
};

uint64_t evtx_signature(const struct event *ev);
void evtx_seen_add(struct evtx_seen *s, uint64_t sig);
bool evtx_seen_has(const struct evtx_seen *s, uint64_t sig);
void evtx_seen_free(struct evtx_seen *s);

/* The source's note that n recovered records repeated allocated ones and
 * were dropped; nothing if n is 0. */
void evtx_note_repeats(struct source *src, uint64_t n);

#endif
