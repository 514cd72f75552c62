/*
 * correlator/report/report.h - what `analyze` knows at the end of the pass: the
 * sources and what was read from each, the counts of every event type, the
 * analysis events (first refs of each kind), the sessions, and the findings.
 * It is a sink on the pipeline; the writers (report_text.c, report_json.c,
 * report_md.c, report_html.c) render it. Memory: the counts and per-second
 * series are bounded (REPORT_SERIES_BUCKETS per source); findings are what
 * the rules report.
 * Does not: run rules (rule engine) or group findings (incident.c).
 */
#ifndef CORRELATOR_REPORT_H
#define CORRELATOR_REPORT_H

#include <stdio.h>

#include "../core/arena.h"
#include "../rulelang/finding.h"
#include "incident.h"
#include "../core/pipeline.h"

struct run;
struct sessions;
struct source;

#define REPORT_REFS 12   /* refs kept per analysis type and source */

struct type_count {
	const char *type;      /* owned by the report's arena */
	uint16_t source;
	bool analysis;
	uint64_t count;
	unsigned nrefs;
	uint64_t refs[REPORT_REFS];
	uint16_t files[REPORT_REFS];
};

/* Per-second series kept for the charts, per source. Memory is bounded: at
 * most REPORT_SERIES_BUCKETS buckets; when time runs past the last bucket,
 * neighbours are merged and the bucket width doubles (1 s, 2 s, 4 s, ...). */
#define REPORT_SERIES_BUCKETS 600

enum series_metric {
	SM_PACKETS,      /* captured packets */
	SM_BYTES,        /* their wire bytes */
	SM_RETRANS,      /* tcp.retransmission, fast / spurious retransmission */
	SM_LOSS,         /* tcp.lost_segment, esp loss / gaps, path.lost */
	SM_REORDER,      /* tcp.out_of_order, esp / path reordering */
	SM_RESETS,       /* packets with RST set, and reset analysis events */
	SM_DROPS,        /* firewall drops / denies */
	SM_NMETRICS
};

struct series {
	uint64_t v[SM_NMETRICS][REPORT_SERIES_BUCKETS];
	uint64_t total[SM_NMETRICS];
};

/* A TCP or UDP packet kept for the HTML ladder's context and own capture
 * times: every SYN, FIN and RST, and the first REPORT_PKTS_HEAD packets of
 * each session at each source (the handshake's ACK, a UDP request and its
 * answer). Bounded: REPORT_PKTS in all. */
#define REPORT_PKTS 200000
#define REPORT_PKTS_HEAD 3
struct report_pkt {
	int64_t ts;
	uint64_t ref, session;
	uint32_t seq, ack, len;
	uint16_t source, file, flags;
	struct flow flow;
};

/* A path.blame verdict (the delay split of a session), for the reports. */
#define REPORT_BLAMES 64
struct report_blame {
	uint64_t session, ref;
	uint16_t source;
	const char *msg, *verdict;
};

struct report {
	const struct run *run;
	const struct sessions *sessions;
	struct type_count *types;
	size_t ntypes, captypes;
	struct finding *findings;
	size_t nfindings, capfindings;
	uint64_t events, analysis_events;
	int64_t first_ts, last_ts;
	struct incident *incidents;   /* after incident_group() */
	size_t nincidents;
	struct arena mem;             /* incidents, summaries, series, type names */
	/* per-second series: one per source (NULL until the source has an
	 * event), on one time axis starting at series_t0 */
	struct series **series;
	size_t nseries;
	int64_t series_t0, series_width;  /* ns; width 0 until the first event */
	unsigned series_n;                /* buckets in use */
	struct report_pkt *pkts;          /* in arrival (time) order */
	size_t npkts, cappkts;
	bool pkts_capped;                 /* REPORT_PKTS reached: context may be missing */
	uint32_t *pkt_by_ref;             /* pkts indexes by (source, file, ref) } report_ */
	uint32_t *pkt_by_session;         /* ... by (session, time)              } index_pkts */
	uint32_t *head_keys;              /* (source, session) seen: REPORT_PKTS_HEAD each */
	uint8_t *head_counts;
	struct report_blame blames[REPORT_BLAMES];
	size_t nblames;
};

void report_init(struct report *r, const struct run *run, const struct sessions *sessions);
void report_fini(struct report *r);
struct sink report_sink(struct report *r);

/* Take a finding (copied); its strings and arrays must live in run->store.
 * Its incident is reset to -1 (incident_group() sets it); a missing rule,
 * title or message becomes "?", the rule name, or "". */
void report_add_finding(struct report *r, const struct finding *f);

/* Writers. */
void report_write_text(const struct report *r, FILE *f);
void report_write_json(const struct report *r, FILE *f);
void report_write_md(const struct report *r, FILE *f);
void report_write_html(const struct report *r, FILE *f);

/* Helpers shared by the writers. */
const char *report_label(const struct report *r, uint16_t source);
const char *report_source_format(const struct source *s);
/* True when the source's refs are frame numbers Wireshark can open. */
bool report_source_is_capture(const struct source *s);
/* Which metric an event type counts towards, or -1. */
int report_series_metric(const char *type);
/* Feed one event to the per-second series (the sink does this). */
void report_series_add(struct report *r, const struct event *ev);

/* Index the kept packets (incident_group() calls it); then the look-ups: */
void report_index_pkts(struct report *r);
/* the packet kept for (source, file, ref), or NULL */
const struct report_pkt *report_pkt_at(const struct report *r, uint16_t source, uint16_t file, uint64_t ref);
/* the packets kept of one session, in time order: *n of them from the result */
const uint32_t *report_pkts_of_session(const struct report *r, uint64_t session, size_t *n);

/* An incident lists each rule's finding once: for the k-th finding (cause
 * first) 0 when an earlier one of the incident has the same rule (skip it),
 * else how many of the incident's findings have that rule. */
unsigned report_incident_repeats(const struct report *r, const struct incident *inc, unsigned k);

/* The evidence of an incident across its findings, in time order with
 * duplicates (same source, file, ref) dropped. Writes at most max pointers
 * into out and returns the number of distinct entries (may exceed max). */
size_t report_incident_evidence(const struct report *r, const struct incident *inc,
				const struct evidence **out, size_t max);

/* Wireshark display filters (report_filter.c). For the evidence list ev[n],
 * restricted to one source and file:
 *   frames:  "frame.number in {456, 457, 458}"  (empty string if none cited)
 *   session: "ip.addr==A && tcp.port==P && ip.addr==B && tcp.port==Q", one
 *            per distinct flow, joined with " || " (empty if no flows).
 * Both truncate safely at len and return the length they wanted. */
size_t report_frame_filter(const struct evidence *const *ev, size_t n, uint16_t source,
			   uint16_t file, char *buf, size_t len);
size_t report_session_filter(const struct evidence *const *ev, size_t n, uint16_t source,
			     uint16_t file, char *buf, size_t len);
/* The distinct (source, file) pairs cited in ev[n], as source << 16 | file,
 * ascending; at most max written, the distinct count returned. */
size_t report_evidence_files(const struct evidence *const *ev, size_t n, uint32_t *out, size_t max);
/* "client" or "client[ring_0003.pcap]" for a file of a multi-file source. */
void report_evidence_where(const struct report *r, uint16_t source, uint16_t file, char *buf,
			   size_t len);
/* The index of the o-th finding in reading order: incident by incident,
 * cause first, then findings not grouped, in the order they were added. */
size_t report_finding_order(const struct report *r, size_t o);
/* The clock offset applied to a source, for people: "0" (none),
 * "+2.500 s (given)", "-642.248 s (estimated, +/- 2 ms)". */
void report_offset_str(const struct source *s, char *buf, size_t len);
/* Shorter clock time for evidence lines: "14:33:49.908". */
void report_clock_ms(int64_t ns, char *buf, size_t len);
/* "CRITICAL", "HIGH", ... */
const char *report_severity_upper(enum severity s);

#endif
