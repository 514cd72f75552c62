/*
 * parsers/evtx_dedup.c - the set of EVTX record signatures (see evtx_dedup.h):
 * a 64-bit hash (8 bytes a step, FNV-1a for tails) over the event's ts_raw,
 * type, message and fields (names and values, event.recovered left out), in an
 * open-addressing table that doubles at half full. Does not: read files.
 */
#include "evtx_dedup.h"
#include "../correlator/core/event.h"
#include "../correlator/core/source.h"
#include "../correlator/core/util.h"

#include <stdlib.h>
#include <string.h>

#define FNV_OFF 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

/* Eight bytes a step (the signature is hashed for every record read, so a
 * byte-at-a-time FNV-1a was a sixth of the reader's time), FNV-1a for the tail;
 * a 64-bit multiply-xorshift mix keeps every input bit in play. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1);
}

uint64_t evtx_signature(const struct event *ev)
{
	uint64_t h = fnv(FNV_OFF, &ev->ts_raw, sizeof ev->ts_raw);
	h = fnv_str(h, ev->type);
	h = fnv_str(h, ev->msg);
	for (uint16_t i = 0; i < ev->nfields && i < EVENT_MAX_FIELDS; i++) {
		const struct field *f = &ev->fields[i];
		if (f->name && strcmp(f->name, "event.recovered") == 0)
			continue;
		h = fnv_str(h, f->name);
		h = fnv(h, &f->v.type, sizeof f->v.type);
		switch (f->v.type) {
		case V_STR:
			h = fnv(h, f->v.u.s.p, f->v.u.s.n);
			h = fnv(h, &f->v.u.s.n, sizeof f->v.u.s.n);
			break;
		case V_ADDR:
			h = fnv(h, &f->v.u.a, sizeof f->v.u.a);
			break;
		case V_REAL:
			h = fnv(h, &f->v.u.r, sizeof f->v.u.r);
			break;
		default:
			h = fnv(h, &f->v.u.i, sizeof f->v.u.i);
			break;
		}
	}
	return h ? h : 1;  /* 0 marks an empty slot */
}

static void put(uint64_t *slot, size_t mask, uint64_t sig)
{
	size_t i = (size_t)sig & mask;
	while (slot[i] && slot[i] != sig)
		i = (i + 1) & mask;
	slot[i] = sig;
}

void evtx_seen_add(struct evtx_seen *s, uint64_t sig)
{
	if ((s->n + 1) * 2 > (s->slot ? s->mask + 1 : 0)) {
		size_t cap = s->slot ? (s->mask + 1) * 2 : 1024;
		uint64_t *ns = xcalloc(cap, sizeof *ns);
		for (size_t i = 0; s->slot && i <= s->mask; i++)
			if (s->slot[i])
				put(ns, cap - 1, s->slot[i]);
		free(s->slot);
		s->slot = ns;
		s->mask = cap - 1;
	}
	if (!evtx_seen_has(s, sig)) {
		put(s->slot, s->mask, sig);
		s->n++;
	}
}

bool evtx_seen_has(const struct evtx_seen *s, uint64_t sig)
{
	if (!s->slot)
		return false;
	for (size_t i = (size_t)sig & s->mask; s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == sig)
			return true;
	return false;
}

void evtx_seen_free(struct evtx_seen *s)
{
	free(s->slot);
	memset(s, 0, sizeof *s);
}

void evtx_note_repeats(struct source *src, uint64_t n)
{
	if (n)
		source_note(src, "%llu records recovered from slack space repeat allocated ones (same "
			    "record id, time and content): dropped as duplicates", (unsigned long long)n);
}
