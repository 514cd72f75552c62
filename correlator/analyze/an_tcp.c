/*
 * correlator/analyze/an_tcp.c - the TCP analyzer. Follows every TCP session of every
 * source separately (the same 5-tuple in two captures is two analyses) and
 * emits, citing the packet concerned:
 *   - Wireshark's expert flags (tcp.retransmission ... tcp.reused_ports), from
 *     an_tcp_seq.c; a fast or spurious retransmission also carries
 *     tcp.retransmission, as in Wireshark;
 *   - handshake anomalies (tcp.handshake.*): data on a SYN, third ACK not
 *     acknowledging the server's ISN+1, repeated SYN, new ISN on a live 4-tuple,
 *     no answer within 3 s (from tick()), refused by RST, simultaneous open;
 *   - tcp.rst for every RST with its likely origin (peer, or a device in the
 *     path when its TTL or IP-ID does not fit the sender's other packets);
 *   - tcp.idle when a session resumes after --idle-gap of silence, at the
 *     resuming segment itself; tcp.idle_fate once that segment's fate is known;
 *   - tcp.retransmission_exhausted, tcp.sack_stall;
 *   - tcp.session, the summary (Zeek conn.log history) at close or end.
 * Memory: one flowtab entry per live session (idle eviction, cap), about 540
 * bytes, plus for a direction that resets, retransmits, advertises a zero
 * window or sends SACK blocks the rare part of its state, allocated on first
 * use and freed with the session; no per packet allocation. Evicted sessions
 * are summarized with end=timeout/evicted.
 * Does not: reassemble payload, follow sessions across vantage points (path).
 * Spec: RFC 9293, 7323, 2018; Wireshark 4.0 packet-tcp.c; Zeek conn.log history.
 */
#include "an_tcp.h"
#include "an_common.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/pkt.h"
#include "../core/flowtab.h"
#include "../core/run.h"
#include "../core/sessions.h"
#include "../core/source.h"
#include "../core/util.h"

#define NS 1000000000LL
#define SYN_TIMEOUT (3 * NS)
#define CLOSE_LINGER (2 * NS)
#define EXHAUST_MIN 3
#define SACK_REPEAT_MIN 3
#define SACK_OUTSIDE_MIN 2
#define RX_TIMES 10
#define RST_TTL_SLACK 2
#define RST_IPID_SLACK 256
#define CLOCK_STEP (60 * NS)

#define GT_SEQ(a, b) ((int32_t)((a) - (b)) > 0)
#define LE_SEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define LT_SEQ(a, b) ((int32_t)((a) - (b)) < 0)

/* per direction (0 = the orientation of the flowtab key); the fields most
 * packets touch, kept together so a packet costs few cache lines */
struct dirstat {
	uint64_t pkts, bytes;
	uint64_t una_ref;         /* the oldest unacknowledged segment's frame */
	uint64_t ip_ref;          /* the last packet sampled by ip_sample */
	int64_t ip_ts;
	uint32_t retrans, lost;
	uint32_t nip;             /* IP samples from this sender's non-RST packets */
	uint32_t syn_isn;
	uint32_t rx_seq;          /* segment being retransmitted (rx_count > 0) */
	uint32_t una_seq;         /* oldest unacknowledged segment (una) */
	int64_t una_ts;
	uint32_t hist;            /* history letters already written, bit (letter - 'A') */
	uint16_t syn_count, rx_count, sack_rep;
	uint16_t una_file, ip_file;
	uint16_t ipid;
	uint8_t ttl;
	bool syn, fin, ipid_seq, rst_pending, una;
};

/* per direction, touched only when something happens (a reset, a
 * retransmission, a zero window, SACK blocks): allocated on first use, so most
 * sessions never have one (cold(), cold_peek()) */
struct dircold {
	/* an RST judged when this sender's next packet shows its usual TTL/IP-ID */
	uint8_t rst_ttl;
	bool rst_v4;
	uint16_t rst_ipid;
	bool rst_refusal;         /* this RST answered a SYN: report tcp.handshake.refused */
	uint64_t rst_ref;
	uint16_t rst_file;
	int64_t rst_ts;
	/* retransmission storm on one segment */
	uint8_t rx_n;
	bool rx_orig;             /* rx_times[0] is the original transmission */
	int64_t rx_times[RX_TIMES];
	uint64_t rx_refs[RX_TIMES];
	uint16_t rx_files[RX_TIMES];
	uint64_t rx_ref;
	uint16_t rx_file;
	/* a zero window this side advertises, until it opens again */
	bool zw_on;
	uint16_t zw_file, zw_nprobe;
	uint32_t zw_probes;
	int64_t zw_ts;
	uint64_t zw_ref;
	uint64_t zw_probe_ref[4];
	uint16_t zw_probe_file[4];
	int64_t zw_probe_ts[4];
	/* SACK blocks this side sends as receiver */
	uint64_t sack_sig;
	uint8_t nsack;
	uint32_t sack[PKT_MAX_SACK][2];
	uint16_t sack_outside;    /* peer's retransmissions outside those blocks */
	bool sack_reported;
};

struct tsess;
struct tlink {                /* on its list: prev set, or the list's head */
	struct tsess *prev, *next;
	int64_t deadline;
};

struct tsess {
	struct tcp_seq seq;
	struct dirstat d[2];
	uint64_t session;
	int64_t first_ts, last_ts;
	uint64_t last_ref;
	uint16_t last_file, syn_file, idle_file;  /* the ring file holding each ref */
	uint16_t source, file;
	uint8_t orig;             /* direction of the originator */
	uint8_t hlen;
	/* handshake */
	bool synack, third_checked, unanswered_done;
	uint8_t synack_dir;
	uint32_t synack_isn, synack_len;
	/* close */
	bool rst, closed, summarized;
	/* idle gap */
	bool idle_pending;
	uint8_t idle_dir;
	uint32_t idle_seq;
	int64_t idle_gap, idle_ts;
	uint64_t idle_ref;
	int64_t syn_ts;
	uint64_t syn_ref;
	char history[24];
	struct tlink syn_t, close_t;
	struct dircold *c[2];     /* NULL until first used */
};
_Static_assert(sizeof(struct tsess) <= 544, "the TCP state of a session stays small: rare parts go in dircold");

struct tlist {
	struct tsess *head, *tail;
	size_t link_off;
};

struct tcp_an {
	const struct run *run;
	struct flowtab *tab;
	struct emit *out;
	an_tcp_emit_fn hook;
	void *hook_ctx;
	struct tlist syn_list, close_list;
	int64_t idle_gap, last_expire;
	int64_t prev_now;          /* the previous tick's time */
	unsigned retrans_min;
	struct { uint64_t ref; uint16_t file; int64_t ts; } jref;  /* what judge_rst compares with */
	char cite[1024];
	bool finishing;
	uint64_t evicted_cap, evicted_idle;
	struct event ev;
	char msg[512];
};

/* ---- timer lists: constant delay per list, so appending keeps them sorted ---- */

static struct tlink *link_of(const struct tlist *l, struct tsess *s)
{
	return (struct tlink *)((char *)s + l->link_off);
}

static void tl_remove(struct tlist *l, struct tsess *s)
{
	struct tlink *k = link_of(l, s);
	if (!k->prev && l->head != s)
		return;
	if (k->prev)
		link_of(l, k->prev)->next = k->next;
	else
		l->head = k->next;
	if (k->next)
		link_of(l, k->next)->prev = k->prev;
	else
		l->tail = k->prev;
	k->prev = k->next = NULL;
}

static void tl_arm(struct tlist *l, struct tsess *s, int64_t deadline)
{
	tl_remove(l, s);
	struct tlink *k = link_of(l, s);
	k->deadline = deadline;
	k->prev = l->tail;
	k->next = NULL;
	if (l->tail)
		link_of(l, l->tail)->next = s;
	else
		l->head = s;
	l->tail = s;
}

/* ---- the rare per-direction part ---- */

/* Direction dir's rare part, allocated (zeroed) on first use. */
static struct dircold *cold(struct tsess *s, int dir)
{
	if (!s->c[dir])
		s->c[dir] = xcalloc(1, sizeof *s->c[dir]);
	return s->c[dir];
}

/* Direction dir's rare part to read: all zero when it was never written. */
static const struct dircold *cold_peek(const struct tsess *s, int dir)
{
	static const struct dircold none;
	return s->c[dir] ? s->c[dir] : &none;
}

static void cold_free(struct tsess *s)
{
	for (int i = 0; i < 2; i++) {
		free(s->c[i]);
		s->c[i] = NULL;
	}
}

/* A new stream: only the pending reset's sample stays (see new_stream). */
static void cold_restart(struct dircold *c)
{
	if (!c)
		return;
	struct dircold keep = *c;
	memset(c, 0, sizeof *c);
	c->rst_ttl = keep.rst_ttl;
	c->rst_ipid = keep.rst_ipid;
	c->rst_v4 = keep.rst_v4;
	c->rst_ref = keep.rst_ref;
	c->rst_file = keep.rst_file;
	c->rst_ts = keep.rst_ts;
	c->rst_refusal = keep.rst_refusal;
}

/* ---- emitting ---- */

static void out(struct tcp_an *st, struct event *ev)
{
	if (st->hook)
		st->hook(st->hook_ctx, ev);
	else if (st->out)
		emit_event(st->out, ev);
}

static void set_msg(struct tcp_an *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_msg(struct tcp_an *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof st->msg, fmt, ap);
	va_end(ap);
	st->ev.msg = st->msg;
}

/* An analysis event about session s not tied to the current packet. */
static struct event *sess_event(struct tcp_an *st, struct tsess *s, const char *type, int64_t ts,
				uint64_t ref, uint16_t file)
{
	struct event *ev = &st->ev;
	event_reset(ev);
	ev->type = type;
	ev->ts = ev->ts_raw = ts;
	ev->ref = ref;
	ev->source = s->source;
	ev->file = file;      /* in a capture ring: the file holding that very frame */
	ev->session = s->session;
	const struct flow *k = flowtab_key(s);
	ev->flags |= EV_HAS_FLOW;
	ev->flow = *k;
	if (s->orig == 1) {
		ev->flow.src = k->dst;
		ev->flow.dst = k->src;
		ev->flow.sport = k->dport;
		ev->flow.dport = k->sport;
	}
	return ev;
}

static struct event *pkt_event(struct tcp_an *st, const struct event *cause, const char *type)
{
	analysis_init(&st->ev, cause, type);
	return &st->ev;
}

static void fmt_secs(int64_t ns, char *buf, size_t len)
{
	double s = (double)ns / 1e9;
	if (s >= 1 || s <= -1)
		snprintf(buf, len, "%.1fs", s);
	else
		snprintf(buf, len, "%.2gs", s);
}

/* ---- history (Zeek conn.log) ---- */

static void hist_add(struct tsess *s, int dir, char upper)
{
	bool orig = dir == s->orig;
	uint32_t bit = 1u << (unsigned)(upper - 'A');
	struct dirstat *d = &s->d[dir];
	if (d->hist & bit)
		return;
	d->hist |= bit;
	if ((size_t)s->hlen + 1 < sizeof s->history)
		s->history[s->hlen++] = orig ? upper : (char)(upper - 'A' + 'a');
	s->history[s->hlen] = 0;
}

/* ---- summaries and deferred outcomes ---- */

#define ZW_MIN (100 * NS_PER_MSEC)   /* shorter zero-window periods are not reported */

/* The zero window that side dir advertised ends (at ts, by record ref, or
 * ref 0: the stream ended): tcp.zero_window_stall when it lasted ZW_MIN. */
static void end_zero_window(struct tcp_an *st, struct tsess *s, int dir, const char *end, int64_t ts,
			    uint64_t ref, uint16_t file)
{
	struct dircold *c = s->c[dir];
	if (!c || !c->zw_on)
		return;
	c->zw_on = false;
	if (ts - c->zw_ts < ZW_MIN)
		return;
	size_t m = 0;
	st->cite[0] = '\0';
	an_cite(st->cite, sizeof st->cite, &m, c->zw_ref, c->zw_file, c->zw_ts, "[tcp.zero_window] the first zero window");
	for (unsigned i = 0; i < c->zw_nprobe; i++)
		an_cite(st->cite, sizeof st->cite, &m, c->zw_probe_ref[i], c->zw_probe_file[i], c->zw_probe_ts[i],
			"[tcp.zero_window_probe] zero-window probe %u", i + 1);
	if (ref)
		an_cite(st->cite, sizeof st->cite, &m, ref, file, ts, "%s",
			strcmp(end, "reopened") == 0 ? "[tcp.window_update] the window opens again"
			: strcmp(end, "the session was reset") == 0 ? "[tcp.rst] the session was reset" : end);
	struct event *ev = sess_event(st, s, "tcp.zero_window_stall", ts, c->zw_ref, c->zw_file);
	ev->file = c->zw_file;
	const struct flow *k = flowtab_key(s);
	if (dir != 0) {   /* the flow as the advertiser sends */
		ev->flow = *k;
		ev->flow.src = k->dst;
		ev->flow.dst = k->src;
		ev->flow.sport = k->dport;
		ev->flow.dport = k->sport;
	} else {
		ev->flow = *k;
	}
	ev_addr(ev, "ip.src", &ev->flow.src);
	ev_dur(ev, "duration", ts - c->zw_ts);
	ev_int(ev, "probes", c->zw_probes);
	ev_cstr(ev, "end", end);
	ev_cstr(ev, "cite", st->cite);
	char d[32], a[64];
	format_duration(ts - c->zw_ts, d, sizeof d);
	addr_format(&ev->flow.src, a, sizeof a);
	set_msg(st, "%s advertised a zero window for %s (%u zero-window probes), then %s", a, d, c->zw_probes,
		strcmp(end, "reopened") == 0 ? "opened it again" : end);
	out(st, ev);
}

/* One segment retransmitted retrans_min times or more, then a reset
 * (rst_ref/rst_file, at ts) or silence (rst_ref 0): cite the original, every
 * retransmission kept and the reset. */
static void emit_exhausted(struct tcp_an *st, struct tsess *s, int dir, const char *end, int64_t ts,
			   uint64_t ref, uint64_t rst_ref, uint16_t rst_file)
{
	struct dirstat *d = &s->d[dir];
	const struct dircold *c = cold_peek(s, dir);
	if (d->rx_count < st->retrans_min) {
		d->rx_count = 0;
		return;
	}
	char iv[160] = "";
	size_t n = 0;
	for (unsigned i = 1; i < c->rx_n && n < sizeof iv - 16; i++) {
		char one[24];
		fmt_secs(c->rx_times[i] - c->rx_times[i - 1], one, sizeof one);
		n += (size_t)snprintf(iv + n, sizeof iv - n, "%s%s", n ? " " : "", one);
	}
	static char cite[RX_TIMES * 128 + 128];
	size_t m = 0;
	cite[0] = '\0';
	for (unsigned i = 0; i < c->rx_n; i++) {
		char what[64];
		if (i == 0 && c->rx_orig) {
			snprintf(what, sizeof what, "[tcp] the original segment");
		} else {
			char one[24] = "";
			if (i)
				fmt_secs(c->rx_times[i] - c->rx_times[i - 1], one, sizeof one);
			snprintf(what, sizeof what, "[tcp.retransmission] retransmission %u%s%s%s", c->rx_orig ? i : i + 1,
				 i ? " (" : "", one, i ? " after the previous)" : "");
		}
		an_cite(cite, sizeof cite, &m, c->rx_refs[i], c->rx_files[i], c->rx_times[i], "%s", what);
	}
	if (rst_ref)
		an_cite(cite, sizeof cite, &m, rst_ref, rst_file, ts, "[tcp.rst] the reset");
	int64_t first = c->rx_n ? c->rx_times[0] : ts;
	struct event *ev = sess_event(st, s, "tcp.retransmission_exhausted", ts, ref, c->rx_file);
	ev_int(ev, "count", d->rx_count);
	ev_cstr(ev, "intervals", iv);
	ev_cstr(ev, "end", end);
	ev_cstr(ev, "outcome", strcmp(end, "rst") == 0 ? "the session was reset"
						       : "silence to the end of the capture");
	ev_int(ev, "retransmission_ref", (int64_t)c->rx_ref);
	if (c->rx_orig && c->rx_n)
		ev_int(ev, "original_ref", (int64_t)c->rx_refs[0]);
	if (rst_ref)
		ev_int(ev, "rst_ref", (int64_t)rst_ref);
	ev_dur(ev, "span", ts - first);
	ev_cstr(ev, "cite", cite);
	set_msg(st, "segment retransmitted %u times (intervals %s) then %s", d->rx_count, iv,
		strcmp(end, "rst") == 0 ? "the session was reset" : "silence to the end of the capture");
	out(st, ev);
	d->rx_count = 0;
}

/* A duration to the capture's own precision: "6 min 12.345678 s" (us, or ns
 * when the stamps carry them), as Wireshark's time delta shows it. */
static void fmt_exact(int64_t ns, char *buf, size_t len)
{
	uint64_t a = ns < 0 ? 0 : (uint64_t)ns, sec = a / 1000000000ULL, frac = a % 1000000000ULL;
	char f[16];
	if (frac % 1000)
		snprintf(f, sizeof f, "%09" PRIu64, frac);
	else
		snprintf(f, sizeof f, "%06" PRIu64, frac / 1000);
	if (sec >= 60)
		snprintf(buf, len, "%" PRIu64 " min %" PRIu64 ".%s s", sec / 60, sec % 60, f);
	else
		snprintf(buf, len, "%" PRIu64 ".%s s", sec, f);
}

/* tcp.idle, at the resuming segment itself (ts and ref its own), so a log
 * line of the same second (a firewall dropping that segment) follows it. */
static void emit_idle_start(struct tcp_an *st, struct tsess *s, const struct event *cause, int64_t gap,
			    uint64_t prev_ref)
{
	struct event *ev = sess_event(st, s, "tcp.idle", cause->ts, cause->ref, cause->file);
	char g[64];
	fmt_exact(gap, g, sizeof g);
	ev_dur(ev, "gap", gap);
	ev_cstr(ev, "gap_exact", g);
	ev_int(ev, "prev_ref", (int64_t)prev_ref);
	set_msg(st, "session resumed after %s of silence (the last packet before it: #%" PRIu64 ")", g, prev_ref);
	out(st, ev);
}

/* tcp.idle_fate, once the fate of the resuming segment is known; cites the
 * resuming segment, fate_ref the packet that settled it. */
static void emit_idle(struct tcp_an *st, struct tsess *s, const char *fate, int64_t ts, uint64_t fate_ref)
{
	if (!s->idle_pending)
		return;
	s->idle_pending = false;
	struct event *ev = sess_event(st, s, "tcp.idle_fate", ts, s->idle_ref, s->idle_file);
	char g[64];
	fmt_exact(s->idle_gap, g, sizeof g);
	ev_dur(ev, "gap", s->idle_gap);
	ev_cstr(ev, "gap_exact", g);
	ev_cstr(ev, "fate", fate);
	if (fate_ref)
		ev_int(ev, "fate_ref", (int64_t)fate_ref);
	static const char *const what[] = { "answered", "retransmitted", "reset", "none" };
	const char *how = strcmp(fate, what[0]) == 0   ? "the peer answered"
			  : strcmp(fate, what[1]) == 0 ? "the segment had to be retransmitted (no answer)"
			  : strcmp(fate, what[2]) == 0 ? "the session was reset"
						       : "nothing followed";
	set_msg(st, "session resumed after %s of silence; %s", g, how);
	out(st, ev);
}

static void judge_rst(struct tcp_an *st, struct tsess *s, int dir, bool have_next, uint8_t next_ttl,
		      uint16_t next_ipid, bool next_v4);

static void emit_summary(struct tcp_an *st, struct tsess *s, const char *end)
{
	if (s->summarized)
		return;
	s->summarized = true;
	tl_remove(&st->close_list, s);
	struct dirstat *a = &s->d[s->orig], *b = &s->d[!s->orig];
	struct event *ev = sess_event(st, s, "tcp.session", s->last_ts, s->last_ref, s->last_file);
	ev_cstr(ev, "history", s->history);
	ev_int(ev, "pkts_a", (int64_t)a->pkts);
	ev_int(ev, "pkts_b", (int64_t)b->pkts);
	ev_int(ev, "bytes_a", (int64_t)a->bytes);
	ev_int(ev, "bytes_b", (int64_t)b->bytes);
	ev_dur(ev, "duration", s->last_ts - s->first_ts);
	if (s->seq.ts_first_rtt)
		ev_dur(ev, "rtt", s->seq.ts_first_rtt);
	ev_int(ev, "retransmissions", (int64_t)(a->retrans + b->retrans));
	ev_int(ev, "lost", (int64_t)(a->lost + b->lost));
	ev_cstr(ev, "end", end);
	char d[64];
	format_duration(s->last_ts - s->first_ts, d, sizeof d);
	set_msg(st, "TCP session %s, %s, %llu/%llu packets, %llu/%llu bytes, %llu retransmissions, ended: %s",
		s->history, d, (unsigned long long)a->pkts, (unsigned long long)b->pkts,
		(unsigned long long)a->bytes, (unsigned long long)b->bytes,
		(unsigned long long)(a->retrans + b->retrans), end);
	out(st, ev);
}

static const char *end_reason(const struct tsess *s, const char *otherwise)
{
	if (s->rst)
		return "rst";
	if (s->d[0].fin && s->d[1].fin)
		return "fin";
	return otherwise;
}

/* Everything still open about a stream, at its end (evict, finish, reuse). */
static void close_stream(struct tcp_an *st, struct tsess *s, const char *otherwise)
{
	tl_remove(&st->syn_list, s);
	if (!s->synack && !s->unanswered_done && (s->d[0].syn || s->d[1].syn)) {
		s->unanswered_done = true;
		struct event *ev = sess_event(st, s, "tcp.handshake.unanswered", s->syn_ts, s->syn_ref, s->syn_file);
		ev_int(ev, "syn_count", s->d[0].syn_count + s->d[1].syn_count);
		set_msg(st, "SYN not answered before the end of the capture");
		out(st, ev);
	}
	emit_idle(st, s, "none", s->last_ts, 0);
	for (int i = 0; i < 2; i++)
		end_zero_window(st, s, i, "the capture ended", s->last_ts, 0, 0);
	for (int i = 0; i < 2; i++)
		emit_exhausted(st, s, i, "silence", s->last_ts, cold_peek(s, i)->rx_ref, 0, 0);
	emit_summary(st, s, end_reason(s, otherwise));
}

static void evict_cb(void *ctx, const struct flow *key, void *data, bool by_cap)
{
	struct tcp_an *st = ctx;
	struct tsess *s = data;
	if (!st->finishing) {
		if (by_cap)
			st->evicted_cap++;
		else
			st->evicted_idle++;
		for (int i = 0; i < 2; i++)
			if (s->d[i].rst_pending)
				judge_rst(st, s, i, false, 0, 0, false);
		close_stream(st, s, by_cap ? "evicted" : "timeout");
	}
	tl_remove(&st->syn_list, s);
	tl_remove(&st->close_list, s);
	cold_free(s);
}

/* ---- resets ---- */

static void judge_rst(struct tcp_an *st, struct tsess *s, int dir, bool have_ref, uint8_t ref_ttl,
		      uint16_t ref_ipid, bool ref_seq)
{
	struct dirstat *d = &s->d[dir];
	struct dircold *c = cold(s, dir);
	d->rst_pending = false;
	const struct flow *k = flowtab_key(s);
	const struct addr *who = dir == 0 ? &k->src : &k->dst;
	char a[64];
	addr_format(who, a, sizeof a);
	struct event *ev = sess_event(st, s, "tcp.rst", c->rst_ts, c->rst_ref, c->rst_file);
	/* the RST's own direction */
	if ((dir == s->orig) == false) {
		struct flow f = ev->flow;
		ev->flow.src = f.dst;
		ev->flow.dst = f.src;
		ev->flow.sport = f.dport;
		ev->flow.dport = f.sport;
	}
	const char *origin = "unknown";
	ev_int(ev, "ip.ttl", c->rst_ttl);
	if (!have_ref) {
		set_msg(st, "RST from %s; no other packet from that host in this session to judge where it came from", a);
	} else {
		int dt = (int)c->rst_ttl - (int)ref_ttl;
		bool ttl_off = dt > RST_TTL_SLACK || dt < -RST_TTL_SLACK;
		bool id_off = false;
		ev_int(ev, "ttl_expected", ref_ttl);
		if (st->jref.ref) {
			size_t m = 0;
			st->cite[0] = '\0';
			an_cite(st->cite, sizeof st->cite, &m, st->jref.ref, st->jref.file, st->jref.ts,
				"[tcp] the same host's packet it is compared with (TTL %u)", ref_ttl);
			ev_cstr(ev, "cite", st->cite);
		}
		if (c->rst_v4) {
			ev_int(ev, "ip.id", c->rst_ipid);
			ev_int(ev, "ipid_expected", ref_ipid);
			uint16_t fw = (uint16_t)(c->rst_ipid - ref_ipid), bw = (uint16_t)(ref_ipid - c->rst_ipid);
			id_off = ref_seq && fw > RST_IPID_SLACK && bw > RST_IPID_SLACK;
		}
		if (ttl_off || id_off) {
			origin = "path";
			char why[160];
			if (ttl_off && id_off)
				snprintf(why, sizeof why, "TTL %u where its packets arrive with %u, and IP-ID %u far from its sequence near %u",
					 c->rst_ttl, ref_ttl, c->rst_ipid, ref_ipid);
			else if (ttl_off)
				snprintf(why, sizeof why, "TTL %u where its packets arrive with %u", c->rst_ttl, ref_ttl);
			else
				snprintf(why, sizeof why, "IP-ID %u far from its sequence near %u", c->rst_ipid, ref_ipid);
			set_msg(st, "RST claiming to be from %s was probably injected by a device in the path: %s", a, why);
		} else {
			origin = "peer";
			set_msg(st, "RST from %s; its TTL and IP-ID fit that host's other packets", a);
		}
	}
	ev_cstr(ev, "origin", origin);
	out(st, ev);
	if (c->rst_refusal) {
		c->rst_refusal = false;
		ev = sess_event(st, s, "tcp.handshake.refused", c->rst_ts, c->rst_ref, c->rst_file);
		ev_cstr(ev, "origin", origin);
		if (strcmp(origin, "path") == 0)
			set_msg(st, "the SYN was answered by an RST that a device in the path probably forged (its TTL/IP-ID do not fit %s's packets)", a);
		else
			set_msg(st, "connection refused: the SYN was answered by RST from %s", a);
		out(st, ev);
	}
}

/* ---- the packet path ---- */

static void sess_init(struct tsess *s, const struct event *ev, int dir)
{
	tcp_seq_init(&s->seq);
	s->source = ev->source;
	s->file = ev->file;
	s->first_ts = ev->ts;
	const struct pkt *p = ev->pkt;
	s->orig = (p->tcp_flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) ? (uint8_t)!dir : (uint8_t)dir;
}

/* A new stream on the same 4-tuple: summarize the old one, keep IP samples. */
static void new_stream(struct tcp_an *st, struct tsess *s, const struct event *ev, int dir)
{
	close_stream(st, s, "reused");
	struct tcp_seq keep_seq = s->seq;  /* already reset by tcp_seq_segment */
	struct dirstat keep[2] = { s->d[0], s->d[1] };
	struct dircold *keepc[2] = { s->c[0], s->c[1] };
	struct tlink a = s->syn_t, b = s->close_t;
	memset(s, 0, sizeof *s);
	s->seq = keep_seq;
	s->syn_t = a;
	s->close_t = b;
	for (int i = 0; i < 2; i++) {
		s->d[i].nip = keep[i].nip;
		s->d[i].ttl = keep[i].ttl;
		s->d[i].ipid = keep[i].ipid;
		s->d[i].ipid_seq = keep[i].ipid_seq;
		s->d[i].rst_pending = keep[i].rst_pending;
		s->c[i] = keepc[i];
		cold_restart(s->c[i]);
	}
	s->source = ev->source;
	s->file = ev->file;
	s->first_ts = ev->ts;
	s->orig = (ev->pkt->tcp_flags & TH_ACK) ? (uint8_t)!dir : (uint8_t)dir;
}

static const struct {
	uint32_t flag;
	const char *type;
} flag_types[] = {
	{ TA_RETRANS | TA_FAST_RETRANS | TA_SPURIOUS, "tcp.retransmission" },
	{ TA_FAST_RETRANS, "tcp.fast_retransmission" },
	{ TA_SPURIOUS, "tcp.spurious_retransmission" },
	{ TA_OOO, "tcp.out_of_order" },
	{ TA_LOST, "tcp.lost_segment" },
	{ TA_ACK_LOST, "tcp.ack_lost_segment" },
	{ TA_DUPACK, "tcp.duplicate_ack" },
	{ TA_ZERO_WINDOW, "tcp.zero_window" },
	{ TA_ZWP, "tcp.zero_window_probe" },
	{ TA_WINDOW_FULL, "tcp.window_full" },
	{ TA_WINDOW_UPDATE, "tcp.window_update" },
	{ TA_KEEP_ALIVE, "tcp.keep_alive" },
	{ TA_KEEP_ALIVE_ACK, "tcp.keep_alive_ack" },
};

static void emit_flags(struct tcp_an *st, const struct event *cause, const struct tcp_seq_result *r,
		       uint32_t seglen)
{
	for (size_t i = 0; i < ARRAY_LEN(flag_types); i++) {
		if (!(r->flags & flag_types[i].flag))
			continue;
		struct event *ev = pkt_event(st, cause, flag_types[i].type);
		ev_int(ev, "tcp.seq", r->rel_seq);
		ev_int(ev, "tcp.len", seglen);
		const char *t = flag_types[i].type + 4;
		switch (flag_types[i].flag) {
		case TA_DUPACK:
			ev_int(ev, "tcp.analysis.duplicate_ack_num", r->dupack_num);
			ev_int(ev, "tcp.analysis.duplicate_ack_frame", (int64_t)r->dupack_frame);
			set_msg(st, "duplicate ACK #%u of frame %llu (ack %u)", r->dupack_num,
				(unsigned long long)r->dupack_frame, r->rel_ack);
			break;
		case TA_ZERO_WINDOW:
			set_msg(st, "zero window: the receiver's buffer is full");
			break;
		case TA_WINDOW_UPDATE:
			set_msg(st, "window update to %u bytes", r->window);
			break;
		default:
			set_msg(st, "%s: seq %u, %u bytes", t, r->rel_seq, seglen);
			for (char *c = st->msg; *c && *c != ':'; c++)
				if (*c == '_')
					*c = ' ';
			break;
		}
		out(st, ev);
	}
}

static void handshake(struct tcp_an *st, struct tsess *s, const struct event *ev, int dir,
		      uint32_t seglen, bool fresh_stream)
{
	const struct pkt *p = ev->pkt;
	uint16_t fl = p->tcp_flags;
	struct dirstat *d = &s->d[dir];
	if (fl & TH_SYN) {
		if (seglen > 0) {
			struct event *e = pkt_event(st, ev, "tcp.handshake.syn_with_data");
			ev_int(e, "tcp.len", seglen);
			set_msg(st, "%s carries %u bytes of payload", (fl & TH_ACK) ? "SYN-ACK" : "SYN", seglen);
			out(st, e);
		}
	}
	if ((fl & (TH_SYN | TH_ACK)) == TH_SYN) {
		if (d->syn && p->seq == d->syn_isn) {
			d->syn_count++;
			struct event *e = pkt_event(st, ev, "tcp.handshake.syn_repeated");
			ev_int(e, "count", d->syn_count);
			set_msg(st, "SYN sent again (%u times so far)", d->syn_count);
			out(st, e);
		} else if (!d->syn) {
			if (s->d[!dir].syn && !s->synack) {
				struct event *e = pkt_event(st, ev, "tcp.handshake.simultaneous_open");
				set_msg(st, "both ends sent a SYN: simultaneous open");
				out(st, e);
			}
			d->syn = true;
			d->syn_isn = p->seq;
			d->syn_count = 1;
			if (!s->syn_ts) {
				s->syn_ts = ev->ts;
				s->syn_ref = ev->ref;
				s->syn_file = ev->file;
				if (!s->synack)
					tl_arm(&st->syn_list, s, ev->ts + SYN_TIMEOUT);
			}
		}
		(void)fresh_stream;
	} else if ((fl & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
		if (!s->synack) {
			s->synack = true;
			s->synack_dir = (uint8_t)dir;
			s->synack_isn = p->seq;
			s->synack_len = seglen;
			tl_remove(&st->syn_list, s);
		}
	} else if (s->synack && !s->third_checked && dir != s->synack_dir && (fl & TH_ACK) &&
		   !(fl & TH_RST)) {
		s->third_checked = true;
		uint32_t expected = s->synack_isn + 1;
		if (p->ack != expected) {
			int32_t diff = (int32_t)(p->ack - expected);
			struct event *e = pkt_event(st, ev, "tcp.handshake.ack_mismatch");
			ev_int(e, "expected", expected);
			ev_int(e, "actual", p->ack);
			ev_int(e, "diff", diff);
			if (diff > 0 && (uint32_t)diff == s->synack_len)
				set_msg(st, "third ACK acknowledges the server's ISN+%d instead of ISN+1: the client took the %d bytes of payload on the SYN-ACK as data; a SYN-ACK normally carries none, so something in the path may have added them",
					diff + 1, diff);
			else if (diff > 0)
				set_msg(st, "third ACK acknowledges the server's ISN+%d instead of ISN+1: %d bytes the server never sent", diff + 1, diff);
			else
				set_msg(st, "third ACK acknowledges the server's ISN%+d instead of ISN+1 (%d bytes)", diff + 1, diff);
			out(st, e);
		}
	}
	if ((fl & TH_RST) && !s->synack && s->d[!dir].syn && !d->syn) {
		tl_remove(&st->syn_list, s);
		s->unanswered_done = true;
		/* reported with the RST's origin, once judge_rst() knows it */
		cold(s, dir)->rst_refusal = true;
	}
}

static void ip_sample(struct dirstat *d, const struct pkt *p)
{
	if (d->nip && p->ipver == 4) {
		uint16_t fw = (uint16_t)(p->ip_id - d->ipid);
		d->ipid = p->ip_id;
		d->ipid_seq = d->ipid != 0 && fw <= RST_IPID_SLACK;
	} else {
		d->ipid = p->ip_id;
		d->ipid_seq = false;
	}
	d->ttl = p->ttl;
	d->nip++;
}

static uint64_t sack_signature(const struct pkt *p)
{
	uint64_t h = 1469598103934665603ULL ^ p->nsack;
	for (unsigned i = 0; i < p->nsack && i < PKT_MAX_SACK; i++) {
		h = (h ^ p->sack[i][0]) * 1099511628211ULL;
		h = (h ^ p->sack[i][1]) * 1099511628211ULL;
	}
	return h;
}

static void tcp_event(void *state, const struct event *ev, struct emit *o)
{
	struct tcp_an *st = state;
	const struct pkt *p = ev->pkt;
	if (!p || !(p->layers & PKT_TCP) || (p->layers & PKT_FRAG) || !(ev->flags & EV_HAS_FLOW) ||
	    ev->flow.proto != 6)
		return;
	/* a TCP header that was cut short or does not fit in the segment: its
	 * window, flags and numbers are misread bytes (Wireshark stops there) */
	if (p->malformed &&
	    (!p->tcp_hdr_len || (p->ip_len >= p->ip_hdr_len && p->tcp_hdr_len > p->ip_len - p->ip_hdr_len)))
		return;
	st->out = o;
	bool created, rev;
	uint16_t fl = p->tcp_flags;
	/* SYN with FIN or RST is no segment a TCP sends (a scan's or a fuzzer's
	 * junk); on a live session its numbers are outside the window and
	 * RFC 9293 drops it: it must not reset either direction's state */
	bool junk = (fl & TH_SYN) && (fl & (TH_FIN | TH_RST));
	struct flowtab_ref *ref = session_ref(ev, SESSION_REF_TCP);
	if (junk && flowtab_get_ref(st->tab, ref, &ev->flow, ev->source, ev->ts, false, NULL, NULL))
		return;
	struct tsess *s = flowtab_get_ref(st->tab, ref, &ev->flow, ev->source, ev->ts, true, &created, &rev);
	int dir = rev ? 1 : 0;
	if (created)
		sess_init(s, ev, dir);
	uint32_t seglen = p->l4_len;

	/* time that went back: the segment that started an idle gap was
	 * stamped in the future (a clock jump), not after a silence */
	if (s->idle_pending && ev->ts < s->idle_ts)
		s->idle_pending = false;
	/* silence before this packet */
	bool resumed = !created && s->last_ts && ev->ts - s->last_ts > st->idle_gap && !s->summarized;
	int64_t gap = ev->ts - s->last_ts;
	uint64_t prev_ref = s->last_ref;

	uint8_t old_compl = s->seq.completeness;
	struct tcp_seq_result r;
	tcp_seq_segment(&s->seq, dir, p, seglen, ev->ref, ev->ts, &r);
	/* an RST that ends the stream; one in SYN-SENT that does not is only reported */
	bool rst = (fl & TH_RST) && r.rst_closes;
	if (r.new_stream) {
		new_stream(st, s, ev, dir);
		resumed = false;
		struct event *e = pkt_event(st, ev, "tcp.reused_ports");
		set_msg(st, "%s on a 4-tuple already used by an earlier stream%s",
			(fl & TH_ACK) ? "SYN-ACK" : "SYN",
			(old_compl & (TC_FIN | TC_RST)) ? "" : " that was never closed");
		out(st, e);
		if ((fl & (TH_SYN | TH_ACK)) == TH_SYN && !(old_compl & (TC_FIN | TC_RST))) {
			e = pkt_event(st, ev, "tcp.handshake.new_isn");
			set_msg(st, "SYN with a new ISN on a 4-tuple whose previous stream was never closed");
			out(st, e);
		}
	}
	s->session = ev->session;
	s->last_ts = ev->ts;
	s->last_ref = ev->ref;
	s->last_file = ev->file;
	struct dirstat *d = &s->d[dir], *o2 = &s->d[!dir];
	struct dircold *c, *oc;
	d->pkts++;
	d->bytes += seglen;
	if (r.flags & (TA_RETRANS | TA_FAST_RETRANS | TA_SPURIOUS))
		d->retrans++;
	if (r.flags & TA_LOST)
		d->lost++;

	/* history */
	if ((fl & (TH_SYN | TH_ACK)) == TH_SYN)
		hist_add(s, dir, 'S');
	else if ((fl & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		hist_add(s, dir, 'H');
	else if ((fl & TH_ACK) && !seglen && !(fl & (TH_FIN | TH_RST)))
		hist_add(s, dir, 'A');
	if (seglen)
		hist_add(s, dir, 'D');
	if (fl & TH_FIN)
		hist_add(s, dir, 'F');
	if (fl & TH_RST)
		hist_add(s, dir, 'R');
	if (r.flags & (TA_RETRANS | TA_FAST_RETRANS | TA_SPURIOUS))
		hist_add(s, dir, 'T');
	if (r.flags & TA_ZERO_WINDOW)
		hist_add(s, dir, 'W');

	handshake(st, s, ev, dir, seglen, r.new_stream);
	emit_flags(st, ev, &r, seglen);

	/* zero-window stalls: this side advertises zero until a nonzero window */
	if (rst) {
		for (int i = 0; i < 2; i++)
			end_zero_window(st, s, i, "the session was reset", ev->ts, ev->ref, ev->file);
	} else if (r.flags & TA_ZERO_WINDOW) {
		c = cold(s, dir);
		if (!c->zw_on) {
			c->zw_on = true;
			c->zw_ts = ev->ts;
			c->zw_ref = ev->ref;
			c->zw_file = ev->file;
			c->zw_probes = 0;
			c->zw_nprobe = 0;
		}
	} else if (cold_peek(s, dir)->zw_on && !(fl & TH_SYN) && p->win > 0) {
		end_zero_window(st, s, dir, "reopened", ev->ts, ev->ref, ev->file);
	}
	if ((r.flags & TA_ZWP) && cold_peek(s, !dir)->zw_on) {
		oc = s->c[!dir];
		if (oc->zw_nprobe < 4) {
			oc->zw_probe_ref[oc->zw_nprobe] = ev->ref;
			oc->zw_probe_file[oc->zw_nprobe] = ev->file;
			oc->zw_probe_ts[oc->zw_nprobe++] = ev->ts;
		}
		oc->zw_probes++;
	}

	/* resets: judge now if this sender's usual TTL/IP-ID is known, else later */
	if (fl & TH_RST) {
		if (d->rst_pending)
			judge_rst(st, s, dir, false, 0, 0, false);
		d->rst_pending = true;
		c = cold(s, dir);
		c->rst_ttl = p->ttl;
		c->rst_ipid = p->ip_id;
		c->rst_v4 = p->ipver == 4;
		c->rst_ref = ev->ref;
		c->rst_file = ev->file;
		c->rst_ts = ev->ts;
		if (d->nip) {
			st->jref.ref = d->ip_ref;
			st->jref.file = d->ip_file;
			st->jref.ts = d->ip_ts;
			judge_rst(st, s, dir, true, d->ttl, (uint16_t)(d->ipid + 1), d->ipid_seq);
			st->jref.ref = 0;
		}
	} else {
		if (d->rst_pending) {
			st->jref.ref = ev->ref;
			st->jref.file = ev->file;
			st->jref.ts = ev->ts;
			judge_rst(st, s, dir, true, p->ttl, (uint16_t)(p->ip_id - 1), true);
			st->jref.ref = 0;
		}
		ip_sample(d, p);
		d->ip_ref = ev->ref;
		d->ip_file = ev->file;
		d->ip_ts = ev->ts;
	}

	/* idle gap and its fate */
	if (s->idle_pending) {
		if (rst)
			emit_idle(st, s, "reset", ev->ts, ev->ref);
		else if (dir == s->idle_dir && (r.flags & (TA_RETRANS | TA_FAST_RETRANS | TA_SPURIOUS)))
			emit_idle(st, s, "retransmitted", ev->ts, ev->ref);
		else if (dir != s->idle_dir)
			emit_idle(st, s, "answered", ev->ts, ev->ref);
	}
	if (resumed) {
		emit_idle_start(st, s, ev, gap, prev_ref);
		s->idle_pending = true;
		s->idle_dir = (uint8_t)dir;
		s->idle_gap = gap;
		s->idle_ts = ev->ts;
		s->idle_ref = ev->ref;
		s->idle_file = ev->file;
		s->idle_seq = p->seq;
		if (rst)
			emit_idle(st, s, "reset", ev->ts, ev->ref);
	}

	/* retransmission storms (of data or FIN: repeated SYNs are the
	 * handshake's, tcp.handshake.syn_repeated / unanswered) */
	if ((r.flags & (TA_RETRANS | TA_FAST_RETRANS | TA_SPURIOUS)) && !(fl & TH_SYN)) {
		c = cold(s, dir);
		if (d->rx_count && d->rx_seq == p->seq) {
			d->rx_count++;
		} else {
			d->rx_seq = p->seq;
			d->rx_count = 1;
			c->rx_n = 0;
			c->rx_orig = d->una && d->una_seq == p->seq;
			if (c->rx_orig) {  /* the original transmission */
				c->rx_times[c->rx_n] = d->una_ts;
				c->rx_refs[c->rx_n] = d->una_ref;
				c->rx_files[c->rx_n++] = d->una_file;
			}
		}
		if (c->rx_n < RX_TIMES) {
			c->rx_times[c->rx_n] = ev->ts;
			c->rx_refs[c->rx_n] = ev->ref;
			c->rx_files[c->rx_n++] = ev->file;
		}
		c->rx_ref = ev->ref;
		c->rx_file = ev->file;
	} else if (seglen || (fl & (TH_SYN | TH_FIN))) {
		if (!d->una) {
			d->una = true;
			d->una_seq = p->seq;
			d->una_ts = ev->ts;
			d->una_ref = ev->ref;
			d->una_file = ev->file;
		}
	}
	if ((fl & TH_ACK) && o2->una && GT_SEQ(p->ack, o2->una_seq))
		o2->una = false;
	if ((fl & TH_ACK) && o2->rx_count && GT_SEQ(p->ack, o2->rx_seq))
		o2->rx_count = 0;
	if (rst) {
		for (int i = 0; i < 2; i++)
			emit_exhausted(st, s, i, "rst", ev->ts, cold_peek(s, i)->rx_ref, ev->ref, ev->file);
	}

	/* SACK stall: this side repeats its SACK blocks; the peer retransmits elsewhere */
	if (p->nsack) {
		uint64_t sig = sack_signature(p);
		if (sig == cold_peek(s, dir)->sack_sig) {
			d->sack_rep++;
		} else {
			c = cold(s, dir);
			c->sack_sig = sig;
			d->sack_rep = 1;
			c->sack_outside = 0;
			c->sack_reported = false;
			c->nsack = p->nsack > PKT_MAX_SACK ? PKT_MAX_SACK : p->nsack;
			memcpy(c->sack, p->sack, sizeof c->sack);
		}
	}
	if (o2->sack_rep && seglen && (r.flags & (TA_RETRANS | TA_FAST_RETRANS | TA_SPURIOUS))) {
		oc = cold(s, !dir);
		bool inside = false;
		for (unsigned i = 0; i < oc->nsack; i++)
			if (LT_SEQ(p->seq, oc->sack[i][1]) && GT_SEQ(p->seq + seglen, oc->sack[i][0]))
				inside = true;
		if (!inside)
			oc->sack_outside++;
		if (o2->sack_rep >= SACK_REPEAT_MIN && oc->sack_outside >= SACK_OUTSIDE_MIN &&
		    !oc->sack_reported) {
			oc->sack_reported = true;
			struct event *e = pkt_event(st, ev, "tcp.sack_stall");
			ev_int(e, "repeats", o2->sack_rep);
			ev_int(e, "retransmissions", oc->sack_outside);
			char blk[128] = "";
			size_t n = 0;
			for (unsigned i = 0; i < oc->nsack; i++)
				n += (size_t)snprintf(blk + n, sizeof blk - n, "%s%u-%u", i ? " " : "",
						      oc->sack[i][0] - s->seq.d[dir].base_seq,
						      oc->sack[i][1] - s->seq.d[dir].base_seq);
			(void)n;
			ev_cstr(e, "sack_blocks", blk);
			set_msg(st, "receiver repeated the same SACK blocks %u times while the sender retransmitted %u segments outside them: the retransmissions are not arriving",
				o2->sack_rep, oc->sack_outside);
			out(st, e);
		}
	}

	/* close */
	if (fl & TH_FIN)
		d->fin = true;
	if (rst)
		s->rst = true;
	if (s->rst || (s->d[0].fin && s->d[1].fin)) {
		s->closed = true;
		if (!s->summarized)
			tl_arm(&st->close_list, s, ev->ts + CLOSE_LINGER);
	}
}

static void tcp_tick(void *state, int64_t now, struct emit *o)
{
	struct tcp_an *st = state;
	st->out = o;
	/* a step of more than CLOCK_STEP waits for the next event to confirm
	 * it: one frame stamped far ahead (a clock jump, after which time goes
	 * back) must not expire every live session */
	int64_t t = st->prev_now && now - st->prev_now > CLOCK_STEP ? st->prev_now : now;
	st->prev_now = now;
	now = t;
	while (st->syn_list.head && st->syn_list.head->syn_t.deadline <= now) {
		struct tsess *s = st->syn_list.head;
		tl_remove(&st->syn_list, s);
		if (s->synack || s->unanswered_done)
			continue;
		s->unanswered_done = true;
		struct event *ev = sess_event(st, s, "tcp.handshake.unanswered", s->syn_t.deadline, s->syn_ref, s->syn_file);
		ev_int(ev, "syn_count", s->d[0].syn_count + s->d[1].syn_count);
		ev_dur(ev, "timeout", SYN_TIMEOUT);
		set_msg(st, "SYN not answered within 3 s (%u SYNs sent)", s->d[0].syn_count + s->d[1].syn_count);
		out(st, ev);
	}
	while (st->close_list.head && st->close_list.head->close_t.deadline <= now) {
		struct tsess *s = st->close_list.head;
		tl_remove(&st->close_list, s);
		close_stream(st, s, "open");
	}
	if (now - st->last_expire > NS) {
		st->last_expire = now;
		flowtab_expire(st->tab, now);
	}
}

static void *tcp_create(const struct run *run)
{
	struct tcp_an *st = xcalloc(1, sizeof *st);
	st->run = run;
	st->idle_gap = run->opt.idle_gap > 0 ? run->opt.idle_gap : 300 * NS;
	st->retrans_min = run->opt.retrans_min ? run->opt.retrans_min : EXHAUST_MIN;
	st->tab = flowtab_new(sizeof(struct tsess), run->opt.max_sessions, run->opt.session_timeout,
			      evict_cb, st);
	st->syn_list.link_off = offsetof(struct tsess, syn_t);
	st->close_list.link_off = offsetof(struct tsess, close_t);
	return st;
}

void an_tcp_set_emit_hook(void *state, an_tcp_emit_fn fn, void *ctx)
{
	struct tcp_an *st = state;
	st->hook = fn;
	st->hook_ctx = ctx;
}

static void finish_one(void *ctx, const struct flow *key, void *data)
{
	struct tcp_an *st = ctx;
	struct tsess *s = data;
	for (int i = 0; i < 2; i++)
		if (s->d[i].rst_pending)
			judge_rst(st, s, i, false, 0, 0, false);
	close_stream(st, s, "open");
}

static void tcp_finish(void *state, struct emit *o)
{
	struct tcp_an *st = state;
	st->out = o;
	flowtab_foreach(st->tab, finish_one, st);
	st->finishing = true;
	if (st->evicted_cap || st->evicted_idle) {
		for (size_t i = 0; i < st->run->nsources; i++)
			source_note(st->run->sources[i],
				    "tcp: %llu sessions evicted at the --max-sessions cap, %llu after the session timeout",
				    (unsigned long long)st->evicted_cap, (unsigned long long)st->evicted_idle);
	}
}

static void tcp_destroy(void *state)
{
	struct tcp_an *st = state;
	if (!st)
		return;
	st->finishing = true;
	flowtab_free(st->tab);
	free(st);
}

const struct analyzer analyzer_tcp = {
	.name = "tcp",
	.emits = "tcp",
	.summary = "TCP sessions: Wireshark expert flags, handshake, resets, idle gaps, retransmission storms, summaries",
	.create = tcp_create,
	.event = tcp_event,
	.tick = tcp_tick,
	.finish = tcp_finish,
	.destroy = tcp_destroy,
};
