/*
 * correlator/analyze/an_common.h - small pieces shared by the udp, esp, dns and arp
 * analyzers: a saved copy of the event an analysis will cite later (a request
 * that times out, the first query of a burst), the "same network" test used
 * for replies from another address, and reporting when a memory cap bites.
 * Does not: keep state of its own.
 */
#ifndef CORRELATOR_AN_COMMON_H
#define CORRELATOR_AN_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/event.h"

struct run;

/* What analysis_init() copies from a cause, kept after the event is gone. */
struct an_cause {
	int64_t ts, ts_raw;
	uint64_t ref, session;
	uint16_t source, file;
	bool has_flow;
	struct flow flow;
};

void an_cause_save(struct an_cause *c, const struct event *ev);

/* Start an analysis event citing a saved cause (as analysis_init does), at
 * time ts (ts_raw moves by the same amount). */
void an_cause_init(struct event *ev, const struct an_cause *c, const char *type, int64_t ts);

/* Same /24 (IPv4) or /64 (IPv6), and same family. */
bool an_same_net(const struct addr *a, const struct addr *b);

/* True for IPv4 broadcast (255.255.255.255 or a .255 host part cannot be
 * told without the mask: only the limited broadcast) and multicast. */
bool an_addr_is_group(const struct addr *a);

/* Note on the source's report line that an analyzer's cap dropped state:
 * "udp: 12 flows evicted at the cap of 1000 (--max-sessions)";
 * what says what happened ("flows evicted"). No-op when
 * count is 0 or the run has no such source. */
void an_note_cap(const struct run *run, uint16_t source, const char *analyzer, uint64_t count,
		 const char *what, uint64_t cap);

/* Append one cited record "REF/FILE@TS what" to the "cite" field text buf
 * (what may start with "[TYPE] ", the record's event type)
 * (size bytes, *len used), ';'-separated as the rule engine reads it (see
 * docs/rules.md); an entry that does not fit whole is left out. Set
 * buf[0] = 0 and *len = 0 first. */
void an_cite(char *buf, size_t size, size_t *len, uint64_t ref, uint16_t file, int64_t ts,
	     const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* 64-bit FNV-1a, for names. */
uint64_t an_hash(const void *p, size_t n);

#endif
