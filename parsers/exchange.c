/*
 * parsers/exchange.c - Microsoft Exchange 2007-2019 SMTP Send and Receive
 * connector protocol logs (SEND*.LOG, RECV*.LOG).
 *
 *   #Log-type: SMTP Receive Protocol Log
 *   #Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,
 *            remote-endpoint,event,data,context
 *   2019-03-21T08:14:02.330Z,EX01\Default Frontend EX01,08D6ADC6A3F1B2C4,3,
 *            10.0.0.25:25,192.168.5.68:55330,<,EHLO client.example.com,
 *
 * UTF-8 CSV (libcsv; quotes doubled; "\r" "\n" written as two characters and
 * turned back here), UTC times, one event per line, ref = line number:
 *   +  smtp.connect       -  smtp.disconnect (context = reason)   *  smtp.info
 *   >  sent by the logging server:  Receive log: smtp.reply   Send log: smtp.command
 *   <  received from the peer:      Receive log: smtp.command Send log: smtp.reply
 * The log kind comes from #Log-type; without one (header-less fragments) each
 * line's connector decides: "SERVER\Name" is a Receive connector, anything
 * else a Send connector (noted). Without #Fields the documented column order
 * is assumed (noted). The flow's src is the sender of the row (> local->remote,
 * < remote->local); connect/disconnect/info rows point client->server (for a
 * Receive log the remote end is the client).
 * Does not: reorder rows by sequence number, pair replies with commands, or
 * see the message body (Exchange never logs it, nor the final "." line).
 * Spec: ../shared/formats/exchange-protocol-log.md.
 */
#include "../correlator/core/parser.h"
#include "textlog.h"
#include "../correlator/core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { X_TIME, X_CONN, X_SESSION, X_SEQ, X_LOCAL, X_REMOTE, X_EVENT, X_DATA, X_CONTEXT, X_N };
static const char *const x_names[X_N] = {
	"date-time", "connector-id", "session-id", "sequence-number", "local-endpoint",
	"remote-endpoint", "event", "data", "context",
};
#define X_DEFAULT_FIELDS \
	"#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context"

enum xlog { XLOG_UNKNOWN, XLOG_RECEIVE, XLOG_SEND };

struct exch_state {
	struct source *src;
	struct textlog tl;
	struct w3c_header hdr;
	struct textlog_csv csv;
	struct cols cols;
	int col[X_N];
	enum xlog kind;
	bool noted_kind, noted_fields;
	struct textlog_tzcache tzc;  /* --tz offsets, kept across lines */
	char verb[16];
	char status[16];
	char msg[320];
};

/* "2024-01-25T15:14:39.031Z,<connector>,<16 hex>,<digits>," */
static bool headerless_line(const char *l, size_t n)
{
	int64_t ns;
	bool zoned;
	const char *c = memchr(l, ',', n);
	if (!c || !textlog_iso8601(l, (size_t)(c - l), &ns, &zoned) || !zoned)
		return false;
	const char *s = c + 1, *end = l + n;
	const char *c2 = memchr(s, ',', (size_t)(end - s));  /* connector ids hold no comma */
	if (!c2)
		return false;
	s = c2 + 1;
	size_t k = 0;
	while (s + k < end && isxdigit((unsigned char)s[k]))
		k++;
	if (k != 16 || s + k >= end || s[k] != ',')
		return false;
	s += 17;
	k = 0;
	while (s + k < end && isdigit((unsigned char)s[k]))
		k++;
	return k > 0 && s + k < end && s[k] == ',';
}

static int exch_sniff(const uint8_t *h, size_t len)
{
	if (textlog_head_has_line(h, len, "#Log-type: SMTP Receive Protocol Log") ||
	    textlog_head_has_line(h, len, "#Log-type: SMTP Send Protocol Log"))
		return 100;
	if (textlog_head_has_line(h, len, "#Fields: date-time,connector-id,session-id,sequence-number"))
		return 95;
	size_t s, n;
	if (textlog_head_line(h, len, &s, &n) && headerless_line((const char *)h + s, n))
		return 80;
	return 0;
}

static void map_header(struct exch_state *st)
{
	for (int i = 0; i < X_N; i++)
		st->col[i] = w3c_col(&st->hdr, x_names[i]);
	if (starts_with_ci(st->hdr.log_type, "SMTP Receive"))
		st->kind = XLOG_RECEIVE;
	else if (starts_with_ci(st->hdr.log_type, "SMTP Send"))
		st->kind = XLOG_SEND;
}

static int exch_open(struct source *src, const char *path, void **state)
{
	struct exch_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	/* the documented layout until a #Fields: line says otherwise */
	if (w3c_csv_open(&st->tl, &st->csv, &st->hdr, src, path, X_DEFAULT_FIELDS) != 0) {
		free(st);
		return -1;
	}
	map_header(st);
	*state = st;
	return 0;
}

static void exch_close(void *state)
{
	struct exch_state *st = state;
	if (!st)
		return;
	w3c_csv_close(&st->tl, &st->csv, &st->hdr);
	free(st);
}

static bool get(const struct exch_state *st, int c, const char **p, size_t *n)
{
	if (st->col[c] < 0 || (size_t)st->col[c] >= st->cols.count || st->cols.n[st->col[c]] == 0)
		return false;
	*p = st->cols.p[st->col[c]];
	*n = st->cols.n[st->col[c]];
	return true;
}

/* Turn the two-character "\r" and "\n" back into CR and LF, in place. */
static size_t unescape(char *s, size_t n)
{
	const char *bs = memchr(s, '\\', n);  /* most data has no backslash */
	if (!bs)
		return n;
	size_t o = (size_t)(bs - s);
	for (size_t i = o; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 'r' || s[i + 1] == 'n')) {
			s[o++] = s[i + 1] == 'r' ? '\r' : '\n';
			i++;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

/* A reply line: "250-SIZE 37748736", "250 2.6.0 <id> Queued ...". */
static void reply_fields(struct exch_state *st, struct event *ev, const char *d, size_t n)
{
	if (n < 3 || !isdigit((unsigned char)d[0]) || !isdigit((unsigned char)d[1]) ||
	    !isdigit((unsigned char)d[2]) || (n > 3 && d[3] != ' ' && d[3] != '-'))
		return;
	ev_int(ev, "smtp.code", (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0'));
	ev_bool(ev, "smtp.reply.continued", n > 3 && d[3] == '-');
	/* enhanced status code "x.y.z" (RFC 3463) */
	size_t i = 4, k = 0;
	while (i < n && k + 1 < sizeof st->status && (isdigit((unsigned char)d[i]) || d[i] == '.'))
		st->status[k++] = d[i++];
	st->status[k] = '\0';
	if (k >= 5 && st->status[1] == '.' && (i == n || d[i] == ' '))
		ev_cstr(ev, "smtp.status", st->status);
}

/* A command line: the verb upper-cased ("MAIL", "RCPT", "EHLO", "DATA", "BDAT"). */
static void command_fields(struct exch_state *st, struct event *ev, const char *d, size_t n)
{
	size_t k = 0;
	while (k < n && k + 1 < sizeof st->verb && d[k] != ' ' && d[k] != ':') {
		st->verb[k] = (char)toupper((unsigned char)d[k]);
		k++;
	}
	st->verb[k] = '\0';
	if (k)
		ev_cstr(ev, "smtp.verb", st->verb);
}

/* Append at most max bytes of s[0..n), up to a NUL, to st->msg at *o. */
static void msg_put(struct exch_state *st, size_t *o, const char *s, size_t n, size_t max)
{
	size_t k = strnlen(s, n < max ? n : max);
	if (k > sizeof st->msg - 1 - *o)
		k = sizeof st->msg - 1 - *o;
	memcpy(st->msg + *o, s, k);
	*o += k;
}

/* "SMTP receive <session>#<seq> <event> <data or context>", line breaks
 * as blanks (built by hand: a formatted print per line is slow). */
static void line_msg(struct exch_state *st, bool recv, const char *sid, size_t sn, uint64_t seq, char code,
		     const char *what, size_t wn)
{
	size_t o = 0;
	char num[FORMAT_U64_MAX];
	size_t nn = format_u64(seq, num);
	char ev[3] = { ' ', code, ' ' };  /* a NUL event ends the text, as it would a C string */
	msg_put(st, &o, recv ? "SMTP receive " : "SMTP send ", recv ? 13 : 10, 13);
	msg_put(st, &o, sid, sn, 32);
	msg_put(st, &o, "#", 1, 1);
	msg_put(st, &o, num, nn, sizeof num);
	msg_put(st, &o, ev, code ? 3 : 1, 3);
	if (code)
		msg_put(st, &o, what, wn, 240);
	st->msg[o] = '\0';
	for (size_t i = 0; i < o; i++)
		if (st->msg[i] == '\r' || st->msg[i] == '\n')
			st->msg[i] = ' ';
}

static enum xlog infer_kind(const char *conn, size_t n)
{
	return memchr(conn, '\\', n) ? XLOG_RECEIVE : XLOG_SEND;
}

static pr_status exch_next(void *state, struct event *ev)
{
	struct exch_state *st = state;
	char *line;
	size_t n;
	bool directives, fields;
	if (!w3c_next_record(&st->tl, &st->hdr, ',', &line, &n, &directives, &fields))
		return PR_EOF;
	if (fields)
		st->noted_fields = true;
	if (directives)
		map_header(st);
	uint64_t ln = st->tl.line;
	if (!st->noted_fields) {
		st->noted_fields = true;
		source_note(st->src, "no #Fields header: the documented protocol-log column order is assumed");
	}
	const char *why = "";
	if (!textlog_csv_line(&st->csv, line, n, &st->cols, &why)) {
		source_skip(st->src, ln, "%s", why);
		return PR_SKIP;
	}
	const char *p, *conn = "", *sid = "", *e;
	size_t pn, cn = 0, sn = 0, en;
	int64_t ns;
	bool zoned;
	if (!get(st, X_TIME, &p, &pn) || !textlog_iso8601(p, pn, &ns, &zoned)) {
		source_skip(st->src, ln, "date-time missing or not ISO 8601");
		return PR_SKIP;
	}
	if (!zoned && st->src->tz_given) {
		int64_t s = ns / NS_PER_SEC;
		ns = textlog_local_to_utc(&st->tzc, st->src, s) * NS_PER_SEC + ns % NS_PER_SEC;
	}
	if (!get(st, X_EVENT, &e, &en) || en != 1 || !strchr("+-<>*", e[0])) {
		source_skip(st->src, ln, "event is not one of + - < > *");
		return PR_SKIP;
	}
	if (st->cols.count < st->hdr.ncols)
		w3c_short_line(&st->hdr, st->src, ln, st->cols.count);
	uint64_t seq = 0;
	bool have_seq = get(st, X_SEQ, &p, &pn);
	if (have_seq && !parse_u64(p, pn, INT64_MAX, &seq)) {
		source_skip(st->src, ln, "sequence-number '%.*s' is not a number", (int)(pn > 20 ? 20 : pn), p);
		return PR_SKIP;
	}
	get(st, X_CONN, &conn, &cn);
	get(st, X_SESSION, &sid, &sn);
	enum xlog kind = st->kind;
	if (kind == XLOG_UNKNOWN) {
		if (!st->noted_kind) {
			st->noted_kind = true;
			source_note(st->src, "no #Log-type header: Send or Receive told from each line's connector "
					     "(SERVER\\Name = Receive)");
		}
		kind = infer_kind(conn, cn);
	}
	bool recv = kind == XLOG_RECEIVE;
	ev->ts_raw = ns;
	ev->ref = ln;
	char code = e[0];
	/* '>' is what the logging server sent: its replies in a Receive log */
	bool is_reply = false, is_command = false;
	switch (code) {
	case '+': ev->type = "smtp.connect"; break;
	case '-': ev->type = "smtp.disconnect"; break;
	case '*': ev->type = "smtp.info"; break;
	case '>': is_reply = recv, is_command = !recv; break;
	default: is_reply = !recv, is_command = recv; break;
	}
	if (is_reply || is_command)
		ev->type = is_reply ? "smtp.reply" : "smtp.command";
	ev_str(ev, "smtp.session", sid, sn);
	if (have_seq)
		ev_int(ev, "smtp.seq", (int64_t)seq);
	ev_str(ev, "smtp.connector", conn, cn);
	ev_cstr(ev, "smtp.log", recv ? "receive" : "send");
	ev_str(ev, "smtp.event", e, 1);
	if (code == '>' || code == '<')
		ev_cstr(ev, "smtp.direction", code == '>' ? "out" : "in");

	/* endpoints -> flow */
	struct addr la, ra;
	uint16_t lp = 0, rp = 0;
	bool lhp, rhp;
	const char *lv = NULL, *rv = NULL;
	size_t lvn = 0, rvn = 0;
	bool hl = get(st, X_LOCAL, &lv, &lvn), hr = get(st, X_REMOTE, &rv, &rvn);
	if (hl)
		ev_str(ev, "smtp.local", lv, lvn);
	if (hr)
		ev_str(ev, "smtp.remote", rv, rvn);
	bool okl = hl && textlog_endpoint(lv, lvn, &la, &lp, &lhp);
	bool okr = hr && textlog_endpoint(rv, rvn, &ra, &rp, &rhp);
	if ((hl && !okl) || (hr && !okr))
		source_warn(st->src, ln, "endpoint is not ip:port; no flow for this line");
	if (okl && okr) {
		bool local_sends = code == '>' || (code != '<' && !recv);
		if (local_sends)
			textlog_set_flow(ev, &la, lp, &ra, rp, 6);
		else
			textlog_set_flow(ev, &ra, rp, &la, lp, 6);
	}

	const char *d = NULL, *ctx = NULL;
	size_t dn = 0, ctxn = 0;
	if (get(st, X_DATA, &d, &dn)) {
		dn = unescape((char *)d, dn);
		ev_str(ev, "smtp.data", d, dn);
	}
	if (get(st, X_CONTEXT, &ctx, &ctxn)) {
		ev_str(ev, "smtp.context", ctx, ctxn);
		if (code == '-')
			ev_str(ev, "smtp.disconnect_reason", ctx, ctxn);
	}
	if (d && is_reply)
		reply_fields(st, ev, d, dn);
	else if (d && is_command)
		command_fields(st, ev, d, dn);

	const char *what = d ? d : ctx ? ctx : "";
	size_t wn = d ? dn : ctx ? ctxn : 0;
	line_msg(st, recv, sid, sn, seq, code, what, wn);
	ev->msg = st->msg;
	return PR_EVENT;
}

const struct parser parser_exchange = {
	.api_version = PARSER_API_VERSION,
	.name = "exchange",
	.summary = "Exchange SMTP Send/Receive connector protocol logs (CSV, UTC)",
	.sniffs = "#Log-type: SMTP Send|Receive Protocol Log, #Fields: date-time,connector-id,..., "
		  "or header-less time,connector,16-hex session,sequence lines",
	.sniff = exch_sniff,
	.open = exch_open,
	.next_event = exch_next,
	.close = exch_close,
};
