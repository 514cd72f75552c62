/*
 * correlator/core/sessions.h - the run's session table: gives every event with a
 * flow the id of its session (the same id at every vantage point that sees the
 * same 5-tuple; the path analyzer joins NATed ones), and keeps a summary per
 * session for the report: packets and bytes each way, time span, TCP flags
 * seen, which sources saw it.
 * Memory is bounded: idle sessions are closed into a fixed-size list of the
 * largest ones plus totals.
 * Does not: analyze TCP state (the tcp analyzer does).
 */
#ifndef CORRELATOR_SESSIONS_H
#define CORRELATOR_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "flowtab.h"

struct run;
struct sessions;

#define SESSION_MAX_VANTAGE 8

/* What is counted for a session; a live session keeps this much (its key is
 * the live table's). */
struct session_counts {
	uint64_t id;
	int64_t first, last;
	uint64_t pkts[2], bytes[2];/* [0] from key.src, [1] back */
	uint16_t tcp_flags;        /* union of flags seen */
	uint8_t nsources;
	uint16_t sources[SESSION_MAX_VANTAGE];
	uint64_t source_pkts[SESSION_MAX_VANTAGE];
};

struct session_row {
	struct flow key;           /* oriented as its first packet */
	struct session_counts c;
};

/* Analyzers' per-session references: the session entry keeps, for each
 * analyzer named here, a flowtab_ref to that analyzer's own entry for the
 * flow (two, by the source's parity, so two vantage points of one session do
 * not displace each other), and the event carries them (ev->sess_refs), so a
 * packet costs one hash lookup, the session's, instead of one per table. The
 * analyzer keeps its table (its key adds the source; its entries live and
 * expire on its own clock): a reference is only a shortcut that flowtab_get_ref
 * checks, so results never depend on it. Evicting the session drops them. */
enum session_ref { SESSION_REF_TCP, SESSION_REF_ARP, SESSION_NREF };
#define SESSION_REF_WAYS 2

/* ev's reference for analyzer which, or NULL (no session). */
static inline struct flowtab_ref *session_ref(const struct event *ev, enum session_ref which)
{
	return ev->sess_refs ? &ev->sess_refs[which * SESSION_REF_WAYS + (ev->source & 1)] : NULL;
}

struct sessions *sessions_new(const struct run *run);
void sessions_free(struct sessions *s);

/* Set ev->session and ev->sess_refs (events with a flow) and count the
 * packet. */
void sessions_stamp(struct sessions *s, struct event *ev);

/* NATed vantage points: fn maps a flow seen at source to the flow its session
 * is known by (the same session at the first vantage point), so every vantage
 * gets one id. Set by the path pre-pass (path_match.c); fn returns what it
 * found for the flow (opaque here; the event carries it as ev->alias, so its
 * owner need not look the flow up again), NULL for flows it does not know. */
typedef const void *(*sessions_alias_fn)(void *ctx, uint16_t source, const struct flow *f, struct flow *out);
void sessions_set_alias(struct sessions *s, sessions_alias_fn fn, void *ctx);

/* End of input: close every live session. */
void sessions_finish(struct sessions *s);

/* The kept sessions, largest (packets) first. Borrowed from s. */
const struct session_row *sessions_rows(const struct sessions *s, size_t *n);
uint64_t sessions_total(const struct sessions *s);
uint64_t sessions_evicted_cap(const struct sessions *s);
size_t sessions_peak(const struct sessions *s);

#endif
