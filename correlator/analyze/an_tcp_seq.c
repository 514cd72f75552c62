/*
 * correlator/analyze/an_tcp_seq.c - Wireshark-compatible TCP sequence analysis: the
 * tcp.analysis.* flags of one segment of one stream (see an_tcp.h).
 *
 * The rules and their precedence are those of Wireshark 4.0 (packet-tcp.c,
 * tcp_analyze_sequence_number and the stream/window-scale handling around it),
 * so counts agree frame for frame with tshark on the same capture:
 *   - relative sequence numbers: the base is the SYN's ISN, or seq-1 when the
 *     stream is picked up without a SYN; 0 means "unknown",
 *   - zero-window probe first (skips the next checks), then zero window, lost
 *     segment, keep-alive, window update, window full, keep-alive ACK and
 *     zero-window-probe ACK (both end the checks), duplicate ACK,
 *   - ACK of an unseen segment,
 *   - for segments that occupy sequence space and are not keep-alives:
 *     fast retransmission (>= 2 dup ACKs for this seq within 20 ms), spurious
 *     retransmission (already acknowledged), out of order (within the first
 *     RTT, 3 ms if unknown, of the highest segment), retransmission,
 *   - a run of duplicate ACKs ends only when the ack number changes,
 *   - a SYN with another ISN, or any SYN after a FIN or an RST that ended
 *     the stream, starts a new stream flagged "reused ports"; a SYN with the
 *     same ISN is a retransmission and restores the expected sequence number;
 *     a SYN-ACK whose seq is not the base already known for its sender also
 *     starts one. An RST in SYN-SENT that the SYN's sender sent, or one that
 *     does not acknowledge the SYN, does not end the stream (RFC 9293).
 * Deliberate differences from Wireshark: docs/wireshark-differences.md.
 * Window scaling: shift from the SYNs' option; -2 (no scaling) when either
 * SYN lacks it; unknown (-1, not scaled) when no SYN was seen.
 * Does not: emit events, keep per-packet state, or reassemble anything.
 */
#include "an_tcp.h"

#include <string.h>

#include "../core/pkt.h"

#define LT_SEQ(a, b) ((int32_t)((a) - (b)) < 0)
#define LE_SEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define GT_SEQ(a, b) ((int32_t)((a) - (b)) > 0)

static void dir_init(struct tcp_seqdir *d)
{
	memset(d, 0, sizeof *d);
	d->win_scale = -1;
	d->window = UINT32_MAX;
}

void tcp_seq_init(struct tcp_seq *s)
{
	memset(s, 0, sizeof *s);
	dir_init(&s->d[0]);
	dir_init(&s->d[1]);
}

/* Wireshark's verify_tcp_window_scaling, after the SYN's options were read. */
static void window_scaling(struct tcp_seq *s, int dir, const struct pkt *p)
{
	struct tcp_seqdir *f = &s->d[dir], *r = &s->d[!dir];
	if (p->wscale >= 0)
		f->win_scale = p->wscale > 14 ? 14 : p->wscale;
	if (f->win_scale == -1) {
		f->win_scale = -2;
		r->win_scale = -2;
	} else if ((p->tcp_flags & TH_ACK) && r->win_scale == -2) {
		f->win_scale = -2;
	}
}

/* Does this RST end the stream? Before any SYN-ACK (RFC 9293 3.10.7.3,
 * SYN-SENT): the SYN's sender sends an RST to an unacceptable ACK and stays
 * in SYN-SENT; it accepts an RST only when that acknowledges its SYN. */
static bool rst_closes(const struct tcp_seq *s, int dir, uint16_t flags, uint32_t rel_ack)
{
	if (s->completeness & TC_SYNACK)
		return true;
	if (s->d[dir].syn_sent && !s->d[!dir].syn_sent)
		return false;
	if (s->d[!dir].syn_sent && !s->d[dir].syn_sent)
		return (flags & TH_ACK) && rel_ack == 1;
	return true;
}

static uint32_t analyze(struct tcp_seq *s, int dir, uint16_t flags, uint32_t seq, uint32_t ack,
			uint32_t seglen, uint32_t window, uint64_t frame, int64_t ts,
			struct tcp_seq_result *res)
{
	struct tcp_seqdir *fwd = &s->d[dir], *rev = &s->d[!dir];
	uint32_t ta = res->flags;
	const uint16_t SFR = TH_SYN | TH_FIN | TH_RST;

	/* zero window probe: one byte at the next expected seq into a closed window */
	if (seglen == 1 && seq == fwd->nextseq && rev->window == 0) {
		ta |= TA_ZWP;
		goto finished_fwd;
	}
	if (window == 0 && !(flags & SFR))
		ta |= TA_ZERO_WINDOW;
	/* a hole before this segment */
	if (fwd->nextseq && GT_SEQ(seq, fwd->nextseq) && !(flags & TH_RST)) {
		ta |= TA_LOST;
		/* Wireshark also stops bytes-in-flight here until the next ACK */
	}
	/* keep-alive: 0 or 1 byte starting one before the next expected seq */
	if (seglen <= 1 && seq == fwd->nextseq - 1 && !(flags & SFR))
		ta |= TA_KEEP_ALIVE;
	/* window update: nothing but the window changed */
	if (seglen == 0 && window && window != fwd->window && seq == fwd->nextseq &&
	    ack == fwd->lastack && !(flags & SFR))
		ta |= TA_WINDOW_UPDATE;
	/* window full: the segment fills the peer's advertised window exactly */
	if (seglen > 0 && rev->win_scale != -1 && seq + seglen == rev->lastack + rev->window &&
	    !(flags & SFR))
		ta |= TA_WINDOW_FULL;
	/* keep-alive ACK: answers the peer's keep-alive, nothing else changed */
	if (seglen == 0 && window && window == fwd->window && seq == fwd->nextseq &&
	    ack == fwd->lastack && (rev->lastsegmentflags & TA_KEEP_ALIVE) && !(flags & SFR)) {
		ta |= TA_KEEP_ALIVE_ACK;
		goto finished_fwd;
	}
	/* zero-window-probe ACK */
	if (seglen == 0 && window == 0 && window == fwd->window && seq == fwd->nextseq &&
	    (ack == fwd->lastack || ack == fwd->lastack + 1) && (rev->lastsegmentflags & TA_ZWP) &&
	    !(flags & SFR)) {
		ta |= TA_ZWP_ACK;
		goto finished_fwd;
	}
	/* duplicate ACK: same ack, same window, no data */
	if (seglen == 0 && window && window == fwd->window && seq == fwd->nextseq &&
	    ack == fwd->lastack && !(flags & SFR)) {
		fwd->dupacknum++;
		ta |= TA_DUPACK;
		res->dupack_num = fwd->dupacknum;
		res->dupack_frame = fwd->lastnondupack;
	}

finished_fwd:
	/* only a new ack number ends a run of duplicate ACKs */
	if (ack != fwd->lastack) {
		fwd->lastnondupack = frame;
		fwd->dupacknum = 0;
	}
	/* ACK of a segment we never saw: once per gap, i.e. again only when
	 * the acknowledged number moves on (Wireshark does not repeat it) */
	if (rev->maxseqtobeacked && GT_SEQ(ack, rev->maxseqtobeacked) && (flags & TH_ACK)) {
		if (!fwd->ack_lost_on || ack != fwd->ack_lost_ack)
			ta |= TA_ACK_LOST;
		fwd->ack_lost_on = true;
		fwd->ack_lost_ack = ack;
		rev->maxseqtobeacked = rev->nextseq;
	}

	/* retransmission, fast retransmission, out of order, spurious */
	if (seglen > 0 || (flags & (TH_SYN | TH_FIN))) {
		bool not_advanced = fwd->nextseq && LT_SEQ(seq, fwd->nextseq);
		if (ta & TA_KEEP_ALIVE)
			goto finished_retrans;
		/* more than one byte starting one before the next expected seq adds
		 * new data (the byte before may have been a zero-window probe or a
		 * keep-alive): not a retransmission (packet-tcp.c, Wireshark) */
		if (seglen > 1 && seq == fwd->nextseq - 1)
			not_advanced = false;
		int64_t t = ts - rev->lastacktime;
		/* fast retransmission: after >= 2 duplicate ACKs (RFC 5681 3.2),
		 * and only if they were the last word from the peer: a segment
		 * that acknowledges new data the peer sent after them (its ACK
		 * number moved on) was not triggered by them (Wireshark 4.0 still
		 * calls it fast) */
		if (not_advanced && rev->dupacknum >= 2 && rev->lastack == seq && t < 20000000 &&
		    ack == fwd->lastack) {
			ta |= TA_FAST_RETRANS;
			goto finished_retrans;
		}
		if (seglen > 0 && rev->lastack && LE_SEQ(seq + seglen, rev->lastack)) {
			ta |= TA_SPURIOUS;
			goto finished_retrans;
		}
		t = ts - fwd->nextseqtime;
		int64_t ooo_thres = s->ts_first_rtt ? s->ts_first_rtt : 3000000;
		if (not_advanced && t < ooo_thres &&
		    fwd->nextseq != seq + seglen + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0)) {
			ta |= TA_OOO;
			goto finished_retrans;
		}
		if (not_advanced)
			ta |= TA_RETRANS;
	}
finished_retrans:;

	uint32_t nextseq = seq + seglen;
	if ((seglen || (flags & (TH_SYN | TH_FIN))) && (flags & (TH_SYN | TH_FIN)))
		nextseq += 1;
	if (GT_SEQ(nextseq, fwd->nextseq) || !fwd->nextseq) {
		if (!(ta & TA_ZWP)) {
			fwd->nextseq = nextseq;
			fwd->nextseqtime = ts;
		}
	}
	if (seq == fwd->maxseqtobeacked || !fwd->maxseqtobeacked) {
		if (!(ta & TA_ZWP))
			fwd->maxseqtobeacked = fwd->nextseq;
	}
	fwd->window = window;
	fwd->lastack = ack;
	fwd->lastacktime = ts;
	fwd->lastsegmentflags = ta;
	return ta;
}

void tcp_seq_segment(struct tcp_seq *s, int dir, const struct pkt *p, uint32_t seglen, uint64_t frame,
		     int64_t ts, struct tcp_seq_result *r)
{
	uint16_t flags = p->tcp_flags;
	memset(r, 0, sizeof *r);

	/* a new stream on the same 4-tuple? */
	if ((flags & (TH_SYN | TH_ACK)) == TH_SYN && s->d[dir].base_set) {
		if (p->seq != s->d[dir].base_seq || (s->completeness & (TC_RST | TC_FIN))) {
			tcp_seq_init(s);
			r->flags |= TA_REUSED_PORTS;
			r->new_stream = true;
		} else {
			/* the same ISN, and the sender never left SYN-SENT (no RST
			 * or FIN ended the stream): a retransmitted SYN */
			s->d[dir].nextseq = s->d[dir].maxseqtobeacked;
			/* before any SYN-ACK, what the peer sent was a stray
			 * segment (an old incarnation's ACK): forget it, so the
			 * SYN-ACK that answers this SYN starts the peer's side */
			if (!(s->completeness & TC_SYNACK) && !s->d[!dir].syn_sent)
				dir_init(&s->d[!dir]);
		}
	} else if ((flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && s->d[dir].base_set &&
		   p->seq != s->d[dir].base_seq) {
		tcp_seq_init(s);
		r->flags |= TA_REUSED_PORTS;
		r->new_stream = true;
	}
	struct tcp_seqdir *fwd = &s->d[dir], *rev = &s->d[!dir];
	if (!fwd->base_set) {
		fwd->base_seq = (flags & TH_SYN) ? p->seq : p->seq - 1;
		fwd->base_set = true;
	}
	if (!rev->base_set && (flags & TH_ACK)) {
		rev->base_seq = p->ack - 1;
		rev->base_set = true;
	}
	uint32_t window = p->win;
	if (!(flags & TH_SYN) && fwd->win_scale >= 0)
		window <<= fwd->win_scale;
	uint32_t seq = p->seq - fwd->base_seq;
	uint32_t ack = (flags & TH_ACK) ? p->ack - rev->base_seq : p->ack;

	if ((flags & (TH_SYN | TH_ACK)) == TH_SYN)
		s->ts_mru_syn = ts;
	if ((flags & (TH_SYN | TH_ACK)) == TH_ACK && s->ts_mru_syn && !s->ts_first_rtt)
		s->ts_first_rtt = ts - s->ts_mru_syn;

	r->rel_seq = seq;
	r->rel_ack = ack;
	r->window = window;
	r->flags = analyze(s, dir, flags, seq, ack, seglen, window, frame, ts, r);

	if (flags & TH_SYN)
		window_scaling(s, dir, p);
	if ((flags & (TH_SYN | TH_ACK)) == TH_SYN)
		fwd->syn_sent = true;
	if (flags & TH_SYN)
		s->completeness |= (flags & TH_ACK) ? TC_SYNACK : TC_SYN;
	if (flags & TH_ACK)
		s->completeness |= TC_ACK;
	if (seglen)
		s->completeness |= TC_DATA;
	if (flags & TH_FIN)
		s->completeness |= TC_FIN;
	if (flags & TH_RST) {
		r->rst_closes = rst_closes(s, dir, flags, ack);
		s->completeness |= r->rst_closes ? TC_RST : TC_RST_SYNSENT;
	}
}
