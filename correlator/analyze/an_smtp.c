/*
 * correlator/analyze/an_smtp.c - the SMTP analyzer: follows the message body
 * of SMTP sessions in captures (TCP to or from port 25, 587 or 2525, each
 * capture point on its own) and reports
 *   smtp.data_end        the segment carrying the body's final "." (the
 *                        "<CRLF>.<CRLF>" after DATA and its 354), citing it;
 *                        field size (body bytes)
 *   smtp.final_reply     the server's reply to that "." (a 2xx-5xx code),
 *                        citing the reply; fields smtp.code, wait (from the
 *                        "."), eod_ref
 *   smtp.no_final_reply  the connection ended (RST or FIN from either side)
 *                        with no reply to the ".", at the ending segment;
 *                        fields wait (from the "." to that segment), eod_ref,
 *                        end ("client reset", "server closed", ...), and
 *                        cite: the "." and the ending segment
 * The client is the end talking to the SMTP port. The body is followed in
 * client sequence order: a retransmitted segment is not read twice.
 * Does not: read BDAT (CHUNKING) bodies, STARTTLS or port 465 sessions (the
 * body is encrypted), or segments captured without their payload.
 * Spec: RFC 5321 sections 3.3 and 4.1.1.4 (DATA, the end-of-data indication).
 */
#include "an_common.h"
#include "../core/analyzer.h"
#include "../core/flowtab.h"
#include "../core/pkt.h"
#include "../core/run.h"
#include "../core/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMTP_FLOW_IDLE (3600 * NS_PER_SEC)

enum { S_CMD, S_DATA_SENT, S_BODY, S_WAIT, S_DONE };

struct sflow {
	uint8_t state;
	bool have_next;
	uint32_t cnext;           /* the client's next sequence number */
	uint8_t tail[4];          /* the body's last bytes so far */
	uint64_t size;
	struct an_cause eod;      /* the segment with the "." */
};

struct smtp_state {
	const struct run *run;
	struct flowtab *flows;
	struct event ev;
	char msg[320], cite[160];
};

static void *smtp_create(const struct run *run)
{
	struct smtp_state *s = xcalloc(1, sizeof *s);
	s->run = run;
	s->flows = flowtab_new(sizeof(struct sflow), run->opt.max_sessions, SMTP_FLOW_IDLE, NULL, NULL);
	return s;
}

static bool smtp_port(uint16_t p)
{
	return p == 25 || p == 587 || p == 2525;
}

/* Does the payload start with three digits and a space or '-' (a reply line)? */
static int reply_code(const uint8_t *p, uint32_t n)
{
	if (n < 4 || p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' ||
	    (p[3] != ' ' && p[3] != '-' && p[3] != '\r'))
		return 0;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

static bool is_data_cmd(const uint8_t *p, uint32_t n)
{
	/* "DATA" CRLF, as the last command of a (pipelined) segment */
	if (n < 6 || p[n - 2] != '\r' || p[n - 1] != '\n')
		return false;
	const uint8_t *l = p + n - 6;
	if (n > 6 && l[-1] != '\n')
		return false;
	return (l[0] | 0x20) == 'd' && (l[1] | 0x20) == 'a' && (l[2] | 0x20) == 't' && (l[3] | 0x20) == 'a';
}

/* Scan body bytes for CRLF "." CRLF; index just past it, or 0. */
static uint32_t scan_body(struct sflow *f, const uint8_t *p, uint32_t n)
{
	static const uint8_t end[5] = { '\r', '\n', '.', '\r', '\n' };
	for (uint32_t i = 0; i < n; i++) {
		uint8_t w[5] = { f->tail[0], f->tail[1], f->tail[2], f->tail[3], p[i] };
		memmove(f->tail, f->tail + 1, 3);
		f->tail[3] = p[i];
		f->size++;
		if (!memcmp(w, end, 5))
			return i + 1;
	}
	return 0;
}

static void emit_data_end(struct smtp_state *s, const struct event *ev, struct sflow *f, struct emit *out)
{
	struct event *e = &s->ev;
	analysis_init(e, ev, "smtp.data_end");
	uint64_t size = f->size >= 3 ? f->size - 3 : 0;  /* without the ".\r\n" */
	ev_int(e, "size", (int64_t)size);
	snprintf(s->msg, sizeof s->msg, "SMTP end of data: the message body (%" PRIu64 " bytes) ends with \".\" here",
		 size);
	e->msg = s->msg;
	emit_event(out, e);
}

static void emit_final(struct smtp_state *s, const struct event *ev, struct sflow *f, int code,
		       struct emit *out)
{
	struct event *e = &s->ev;
	analysis_init(e, ev, "smtp.final_reply");
	ev_int(e, "smtp.code", code);
	ev_dur(e, "wait", ev->ts - f->eod.ts);
	ev_int(e, "eod_ref", (int64_t)f->eod.ref);
	char w[32];
	format_duration(ev->ts - f->eod.ts, w, sizeof w);
	snprintf(s->msg, sizeof s->msg, "SMTP final reply %d to the end of data (#%" PRIu64 "), %s after it", code,
		 f->eod.ref, w);
	e->msg = s->msg;
	emit_event(out, e);
}

static void emit_no_reply(struct smtp_state *s, const struct event *ev, struct sflow *f, bool from_client,
			  struct emit *out)
{
	const struct pkt *p = ev->pkt;
	const char *end = from_client ? (p->tcp_flags & TH_RST ? "client reset" : "client closed")
				      : (p->tcp_flags & TH_RST ? "server reset" : "server closed");
	struct event *e = &s->ev;
	analysis_init(e, ev, "smtp.no_final_reply");
	int64_t wait = ev->ts - f->eod.ts;
	ev_dur(e, "wait", wait);
	ev_int(e, "eod_ref", (int64_t)f->eod.ref);
	ev_cstr(e, "end", end);
	size_t cl = 0;
	s->cite[0] = 0;
	an_cite(s->cite, sizeof s->cite, &cl, f->eod.ref, f->eod.file, f->eod.ts, "[smtp.data_end] the end of data");
	an_cite(s->cite, sizeof s->cite, &cl, ev->ref, ev->file, ev->ts, "[tcp] the connection ends");
	ev_cstr(e, "cite", s->cite);
	char w[32];
	format_duration(wait, w, sizeof w);
	snprintf(s->msg, sizeof s->msg, "SMTP end of data (#%" PRIu64 ") got no reply: the %s %s the connection %s later",
		 f->eod.ref, from_client ? "client" : "server", p->tcp_flags & TH_RST ? "reset" : "closed", w);
	e->msg = s->msg;
	emit_event(out, e);
}

static void smtp_event(void *st, const struct event *ev, struct emit *out)
{
	struct smtp_state *s = st;
	const struct pkt *p = ev->pkt;
	if (!p || !(p->layers & PKT_TCP) || !(ev->flags & EV_HAS_FLOW))
		return;
	bool from_client = smtp_port(p->dport) && !smtp_port(p->sport);
	bool from_server = smtp_port(p->sport) && !smtp_port(p->dport);
	if (!from_client && !from_server)
		return;
	bool created;
	struct sflow *f = flowtab_get(s->flows, &ev->flow, ev->source, ev->ts, true, &created, NULL);
	if (!f)
		return;
	if (p->tcp_flags & TH_SYN) {
		if (from_client && !(p->tcp_flags & TH_ACK)) {
			memset(f, 0, sizeof *f);
			f->have_next = true;
			f->cnext = p->seq + 1;
		}
		return;
	}
	uint32_t n = p->payload_caplen < p->l4_len ? p->payload_caplen : p->l4_len;
	const uint8_t *data = p->payload;
	if (from_client && n) {
		if (f->have_next) {
			int32_t d = (int32_t)(p->seq - f->cnext);
			if (d + (int64_t)n <= 0)
				n = 0;                 /* a retransmission of what was read */
			else if (d < 0) {
				data += -d;            /* partly new */
				n -= (uint32_t)-d;
			}
		}
		if (n) {
			f->have_next = true;
			f->cnext = p->seq + (uint32_t)(data - p->payload) + n;
		}
	}
	if (n && data) {
		if (from_client && f->state == S_CMD && is_data_cmd(data, n)) {
			f->state = S_DATA_SENT;
		} else if (from_client && f->state == S_BODY) {
			if (scan_body(f, data, n)) {
				an_cause_save(&f->eod, ev);
				f->state = S_WAIT;
				emit_data_end(s, ev, f, out);
			}
		} else if (from_server) {
			int code = reply_code(data, n);
			if (f->state == S_DATA_SENT && code) {
				if (code == 354) {
					f->state = S_BODY;
					f->size = 0;
					memcpy(f->tail, "\0\0\r\n", 4);  /* the CRLF ending DATA starts the body */
				} else {
					f->state = S_CMD;
				}
			} else if (f->state == S_WAIT && code) {
				emit_final(s, ev, f, code, out);
				f->state = S_CMD;
			}
		}
	}
	if ((p->tcp_flags & (TH_RST | TH_FIN)) && f->state == S_WAIT) {
		emit_no_reply(s, ev, f, from_client, out);
		f->state = S_DONE;
	}
}

static void smtp_tick(void *st, int64_t now, struct emit *out)
{
	(void)out;
	flowtab_expire(((struct smtp_state *)st)->flows, now);
}

static void smtp_destroy(void *st)
{
	struct smtp_state *s = st;
	flowtab_free(s->flows);
	free(s);
}

const struct analyzer analyzer_smtp = {
	.name = "smtp",
	.emits = "smtp",
	.summary = "SMTP in captures: the end of a message body and whether it got a final reply",
	.create = smtp_create,
	.event = smtp_event,
	.tick = smtp_tick,
	.destroy = smtp_destroy,
};
