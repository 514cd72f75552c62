/*
 * correlator/analyze/an_tcp.h - shared between the TCP analyzer's files:
 * an_tcp_seq.c (Wireshark's tcp.analysis.* sequence analysis, one stream,
 * both directions) and an_tcp.c (the analyzer: sessions, handshake, resets,
 * idle gaps, retransmission storms, SACK stalls, summaries).
 * Does not: decode packets (parsers/packet.c) or write anything.
 * Spec: RFC 9293 (sequence space), RFC 7323 (window scale), RFC 2018 (SACK);
 * the flag rules and their precedence follow Wireshark 4.0's packet-tcp.c
 * (tcp_analyze_sequence_number), which tshark applies to the same captures.
 */
#ifndef CORRELATOR_AN_TCP_H
#define CORRELATOR_AN_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/analyzer.h"

struct pkt;

/* Analysis flags of one segment (Wireshark's TCP_A_*). */
enum {
	TA_RETRANS = 1u << 0,
	TA_FAST_RETRANS = 1u << 1,
	TA_SPURIOUS = 1u << 2,
	TA_OOO = 1u << 3,
	TA_LOST = 1u << 4,
	TA_ACK_LOST = 1u << 5,
	TA_DUPACK = 1u << 6,
	TA_ZERO_WINDOW = 1u << 7,
	TA_ZWP = 1u << 8,
	TA_ZWP_ACK = 1u << 9,
	TA_WINDOW_FULL = 1u << 10,
	TA_WINDOW_UPDATE = 1u << 11,
	TA_KEEP_ALIVE = 1u << 12,
	TA_KEEP_ALIVE_ACK = 1u << 13,
	TA_REUSED_PORTS = 1u << 14,
};

/* Sequence-analysis state of one direction (Wireshark's tcp_flow_t and
 * tcp_analyze_seq_info). Sequence and ack numbers are relative to the
 * direction's base (ISN), so 0 means "not yet known" as in Wireshark. */
struct tcp_seqdir {
	uint32_t base_seq;
	uint32_t nextseq, lastack, maxseqtobeacked;
	int64_t nextseqtime, lastacktime;
	uint32_t window;           /* scaled */
	int8_t win_scale;          /* -1 unknown (no SYN seen), -2 no scaling, else shift */
	bool base_set;
	bool syn_sent;             /* this side sent a SYN (without ACK) in this stream */
	bool ack_lost_on;          /* an ACK of unseen data from this side was flagged... */
	uint32_t ack_lost_ack;     /* ...at this ack number: the same gap is not flagged again */
	uint32_t dupacknum;
	uint64_t lastnondupack;    /* frame */
	uint32_t lastsegmentflags; /* TA_* of this direction's last segment */
};

/* TC_RST: an RST that ends the stream; TC_RST_SYNSENT: one that does not, sent
 * or received while the handshake is still in SYN-SENT (RFC 9293 3.10.7.3). */
enum { TC_SYN = 1, TC_SYNACK = 2, TC_ACK = 4, TC_DATA = 8, TC_FIN = 16, TC_RST = 32, TC_RST_SYNSENT = 64 };

/* One TCP stream as Wireshark sees it: a new one starts when a SYN reuses the
 * 4-tuple with another ISN or after FIN/RST. */
struct tcp_seq {
	struct tcp_seqdir d[2];
	int64_t ts_mru_syn, ts_first_rtt;
	uint8_t completeness;      /* TC_* seen so far */
};

/* Result of one segment. */
struct tcp_seq_result {
	uint32_t flags;            /* TA_* */
	uint32_t dupack_num;
	uint64_t dupack_frame;
	uint32_t rel_seq, rel_ack; /* as Wireshark shows them */
	uint32_t window;           /* scaled window of this segment */
	bool new_stream;           /* this SYN started a new stream (state was reset) */
	bool rst_closes;           /* an RST that ends the stream (see TC_RST) */
};

void tcp_seq_init(struct tcp_seq *s);

/* Analyse one segment sent in direction dir (0/1) of the stream. seglen is
 * the TCP payload length. Frame is the 1-based frame number, ts in ns. */
void tcp_seq_segment(struct tcp_seq *s, int dir, const struct pkt *p, uint32_t seglen, uint64_t frame,
		     int64_t ts, struct tcp_seq_result *r);

/* Test hook: route the analyzer's emitted events to fn instead of the pipeline. */
typedef void (*an_tcp_emit_fn)(void *ctx, struct event *ev);
void an_tcp_set_emit_hook(void *state, an_tcp_emit_fn fn, void *ctx);

extern const struct analyzer analyzer_tcp;

#endif
