/*
 * correlator/analyze/log_clock.h - puts log sources (firewall, Exchange, event
 * logs, ETW) on the capture clock before the main pass.
 *
 * Every log record that names a flow is matched to the packets of the same
 * session in the captures (already on the reference clock: path_match.c runs
 * first), before and after NAT (nat.real_ip/port -> nat.mapped_ip/port,
 * nat.xlatedst/port), its action choosing the packets it can describe
 * (session start or built, TMG Initiated Connection, a Check Point accept,
 * an ETW connect request: the SYN; teardown or disconnect: FIN/RST or the
 * last packet; a record naming an IP-ID, as iptables does: that packet; an
 * ETW send naming its SeqNo: that segment; an ETW datagram drop: a packet
 * in the record's direction; anything else: any packet of the session).
 * Each pair gives a candidate offset; the offset most records agree on
 * (within the log's resolution plus a second) wins, narrowed to the
 * tightest slack (2, 20, 200 ms beyond the resolution) that keeps as many
 * records, over the longest run of offsets they all allow (periodic traffic
 * and retries a second apart leave only the true offset); for a
 * fine-grained log (ETW, Exchange) the offset is kept where every record
 * that follows its packet still does, and every one that precedes it too.
 * Whole-second logs are intervals: a record
 * stamped t happened in [t, t + 1 s), so the offset is the middle of the
 * intersection of the records' intervals, its half-width the uncertainty.
 * The estimate, its uncertainty and the number of records it rests on go to
 * the source (offset_origin OFFSET_ESTIMATED, a note), unless --clock-offset
 * gave one. A log with no record naming a captured session keeps offset 0
 * and says why. A record that names a session but falls outside its lifetime
 * (after correction) is a warning citing both.
 * Does not: estimate capture clocks (path_match.c) or change events.
 */
#ifndef CORRELATOR_LOG_CLOCK_H
#define CORRELATOR_LOG_CLOCK_H

#include <stddef.h>
#include <stdint.h>

struct run;

#define LOG_CLOCK_PKTS 200000u     /* packets read per capture */
#define LOG_CLOCK_RECS 100000u     /* records read per log */

/* One candidate pairing: d = log time - packet time (ns), for record rec. */
struct log_clock_cand {
	int64_t d;
	uint32_t rec;
	int8_t causal;        /* +1: the record follows its packet (a drop), -1:
	                         it precedes it (a send, a connect request), 0 */
};

struct log_clock_est {
	int ok;
	int64_t offset;       /* log clock minus capture clock, ns */
	int64_t uncertainty;  /* ns */
	size_t records;       /* records the estimate rests on */
};

/* The pre-pass over run's sources: estimate and apply every log's offset. */
void log_clock_prepass(struct run *run);

/* The vote (exposed for unit tests): candidates of nrec records (reordered),
 * resolution the log's stamp granularity (0 or 1 s). */
void log_clock_vote(struct log_clock_cand *c, size_t n, size_t nrec, int64_t resolution,
		    struct log_clock_est *out);

#endif
