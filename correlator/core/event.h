/*
 * correlator/core/event.h - the one normalized record on the timeline.
 * Every parser fills a struct event; analyzers emit more of them; the rule
 * engine and the report writers read them. Field names follow Wireshark's
 * display-filter names where one exists (ip.src, tcp.seq, ...); log fields use
 * the source's own vocabulary under a prefix (fw.action, smtp.code, event.id).
 *
 * Ownership: an event handed out by a parser or the timeline is BORROWED: its
 * strings and its pkt pointer stay valid only until the next call on the same
 * source. Keep one with event_copy().
 * Does not: know any input format, or allocate on the hot path.
 */
#ifndef CORRELATOR_EVENT_H
#define CORRELATOR_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct flowtab_ref;
struct pkt;

enum value_type { V_NONE, V_INT, V_BOOL, V_STR, V_ADDR, V_DUR, V_REAL };

struct addr {
	uint8_t family;  /* 0 = none, 4 = IPv4 (b[0..3]), 6 = IPv6 */
	uint8_t b[16];
};

struct value {
	enum value_type type;
	union {
		int64_t i;        /* V_INT, V_BOOL (0/1), V_DUR (nanoseconds) */
		double r;         /* V_REAL */
		struct addr a;    /* V_ADDR */
		struct { const char *p; uint32_t n; } s;  /* V_STR, not NUL-terminated */
	} u;
};

struct field {
	const char *name;  /* static, or owned by whoever owns the event */
	struct value v;
};

/* A transport 5-tuple as seen on the wire: src is the sender of this record. */
struct flow {
	struct addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;  /* IP protocol number: 6 TCP, 17 UDP, 50 ESP, 1/58 ICMP */
};

#define EVENT_MAX_FIELDS 80

enum {
	EV_HAS_FLOW = 1u << 0,   /* flow is valid */
	EV_TRUNC_FIELDS = 1u << 1, /* more fields than EVENT_MAX_FIELDS: some dropped */
	EV_ANALYSIS = 1u << 2,   /* produced by an analyzer, not read from a source */
	EV_TS_SECONDS = 1u << 3, /* the source stamps whole seconds: the event happened
	                            somewhere in [ts, ts + 1 s) */
};

/* The times an event may carry: 2^62 ns either side of 1970 (the years 1824 to
 * 2116). A damaged record's time beyond it is clamped by the source, with a
 * warning, so analyzers may add hours or days to any event time without
 * overflow. */
#define EV_TS_LIMIT ((int64_t)1 << 62)

struct event {
	int64_t ts;          /* UTC ns after clock correction */
	int64_t ts_raw;      /* UTC ns as the source recorded it (after --tz); within
	                      * +-EV_TS_LIMIT (the source clamps) */
	uint64_t ref;        /* 1-based frame / line / record number in its file */
	uint64_t session;    /* session id shared across vantage points; 0 = none */
	const char *type;    /* dotted: "tcp", "fw.drop", "tcp.retransmission" */
	const char *msg;     /* one human line, or NULL: event_describe() builds it */
	const struct pkt *pkt; /* decoded packet for capture events, else NULL */
	struct flowtab_ref *sess_refs; /* the analyzers' references kept in this event's session
	                      * entry (session_ref() in sessions.h), set by sessions_stamp for
	                      * the analyzers; NULL = none. Not copied. */
	const void *alias;   /* what the session table's alias function found for the flow
	                      * (sessions_set_alias in sessions.h), opaque; NULL = none. Set by
	                      * sessions_stamp, not copied. */
	uint16_t source;     /* index into the run's source table */
	uint16_t file;       /* which file of a multi-file source (0 for one file) */
	uint32_t flags;      /* EV_* */
	struct flow flow;    /* valid when flags & EV_HAS_FLOW */
	uint16_t nfields;
	struct field fields[EVENT_MAX_FIELDS];
};

/* Start an empty event (clears counts and flags; does not clear the field array). */
void event_reset(struct event *ev);

/* Append a field. Name must outlive the event (normally a string literal).
 * Past EVENT_MAX_FIELDS the field is dropped and EV_TRUNC_FIELDS set. */
void ev_int(struct event *ev, const char *name, int64_t v);
void ev_bool(struct event *ev, const char *name, bool v);
void ev_dur(struct event *ev, const char *name, int64_t ns);
void ev_real(struct event *ev, const char *name, double v);
void ev_str(struct event *ev, const char *name, const char *p, size_t n);
void ev_cstr(struct event *ev, const char *name, const char *s);
void ev_addr(struct event *ev, const char *name, const struct addr *a);

/* The field named name, or NULL. Borrowed from ev. */
const struct value *event_get(const struct event *ev, const char *name);
bool event_get_int(const struct event *ev, const char *name, int64_t *out);

/* Deep copy into arena a: strings, names and msg copied, pkt dropped (NULL)
 * unless the describe text is needed: msg is rendered first. Caller owns
 * nothing: the arena does. */
struct event *event_copy(struct arena *a, const struct event *ev);

/* One human line for ev: its msg, or a rendering of type and fields. */
const char *event_describe(const struct event *ev, char *buf, size_t len);

/* Value rendering used by every writer: "10.0.0.1", "42", "1.5 s", "true". */
size_t value_format(const struct value *v, char *buf, size_t len);
/* Compare values: -1/0/1, or 2 when the types cannot be compared. */
int value_compare(const struct value *a, const struct value *b);

/* Addresses. */
size_t addr_format(const struct addr *a, char *buf, size_t len);
bool addr_parse(const char *s, size_t n, struct addr *out);
bool addr_equal(const struct addr *a, const struct addr *b);
int addr_cmp(const struct addr *a, const struct addr *b);
void addr_v4(struct addr *a, const uint8_t b[4]);

/* Flows. "10.0.0.1:1234 -> 10.0.0.2:80 tcp". */
size_t flow_format(const struct flow *f, char *buf, size_t len);
/* Direction-agnostic: true if f and g are the same session either way. */
bool flow_same_session(const struct flow *f, const struct flow *g);
/* Direction-agnostic hash and canonical orientation (lower endpoint first);
 * *swapped tells whether f was reversed to get the canonical form. */
uint64_t flow_hash(const struct flow *f);
void flow_canonical(const struct flow *f, struct flow *out, bool *swapped);
const char *ip_proto_name(uint8_t proto);

#endif
