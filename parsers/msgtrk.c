/*
 * parsers/msgtrk.c - Microsoft Exchange 2007-2019 message tracking logs
 * (MSGTRK*.LOG): one row per message event (RECEIVE, SEND, DELIVER, FAIL, ...).
 *
 *   #Log-type: Message Tracking Log
 *   #Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,
 *            source-context,connector-id,source,event-id,internal-message-id,
 *            message-id,...,recipient-address,...,sender-address,...
 *
 * UTF-8 CSV through libcsv, UTC, columns from #Fields (2007/2010/2013+ lists
 * differ; the 2013+ list is assumed without one). One smtp.tracking event per
 * line, ref = line number, fields msgtrk.<column with '-' as '_'>. For SMTP
 * rows whose source-context starts with a protocol-log session id, that id is
 * also smtp.session, so rules can join tracking rows to the protocol log.
 * client-ip/server-ip become ip.src/ip.dst; no ports are logged, so no flow.
 * Does not: split multi-value recipient lists (kept as written, ';'-separated).
 * Spec: ../shared/formats/exchange-protocol-log.md, "Message tracking log".
 */
#include "../correlator/core/parser.h"
#include "textlog.h"
#include "../correlator/core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MT_DEFAULT_FIELDS                                                                          \
	"#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,"   \
	"connector-id,source,event-id,internal-message-id,message-id,network-message-id,"          \
	"recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address," \
	"reference,message-subject,sender-address,return-path,message-info,directionality,"         \
	"tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id," \
	"schema-version"

/* column -> event field; ints parsed as numbers */
static const struct { const char *col, *field; bool num; } mt_map[] = {
	{ "client-hostname", "msgtrk.client_hostname", false },
	{ "server-hostname", "msgtrk.server_hostname", false },
	{ "source-context", "msgtrk.source_context", false },
	{ "connector-id", "msgtrk.connector", false },
	{ "source", "msgtrk.source", false },
	{ "event-id", "msgtrk.event_id", false },
	{ "internal-message-id", "msgtrk.internal_message_id", true },
	{ "message-id", "msgtrk.message_id", false },
	{ "network-message-id", "msgtrk.network_message_id", false },
	{ "recipient-address", "msgtrk.recipients", false },
	{ "recipient-status", "msgtrk.recipient_status", false },
	{ "total-bytes", "msgtrk.total_bytes", true },
	{ "recipient-count", "msgtrk.recipient_count", true },
	{ "related-recipient-address", "msgtrk.related_recipients", false },
	{ "reference", "msgtrk.reference", false },
	{ "message-subject", "msgtrk.subject", false },
	{ "sender-address", "msgtrk.sender", false },
	{ "return-path", "msgtrk.return_path", false },
	{ "message-info", "msgtrk.message_info", false },
	{ "directionality", "msgtrk.directionality", false },
	{ "custom-data", "msgtrk.custom_data", false },
};
#define MT_NMAP (sizeof mt_map / sizeof mt_map[0])

struct mt_state {
	struct source *src;
	struct textlog tl;
	struct w3c_header hdr;
	struct textlog_csv csv;
	struct cols cols;
	int c_time, c_cip, c_sip, c_ctx, c_src, c_event, c_msgid, c_sender, c_rcpt;
	int col[MT_NMAP];
	bool noted_fields;
	char msg[320];
};

static int mt_sniff(const uint8_t *h, size_t len)
{
	if (textlog_head_has_line(h, len, "#Log-type: Message Tracking Log"))
		return 100;
	if (textlog_head_has_line(h, len, "#Fields: date-time,client-ip,client-hostname,server-ip"))
		return 95;
	return 0;
}

static void map_header(struct mt_state *st)
{
	const struct w3c_header *h = &st->hdr;
	st->c_time = w3c_col(h, "date-time");
	st->c_cip = w3c_col(h, "client-ip");
	st->c_sip = w3c_col(h, "server-ip");
	st->c_ctx = w3c_col(h, "source-context");
	st->c_src = w3c_col(h, "source");
	st->c_event = w3c_col(h, "event-id");
	st->c_msgid = w3c_col(h, "message-id");
	st->c_sender = w3c_col(h, "sender-address");
	st->c_rcpt = w3c_col(h, "recipient-address");
	for (size_t i = 0; i < MT_NMAP; i++)
		st->col[i] = w3c_col(h, mt_map[i].col);
}

static int mt_open(struct source *src, const char *path, void **state)
{
	struct mt_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	/* the documented layout until a #Fields: line says otherwise */
	if (w3c_csv_open(&st->tl, &st->csv, &st->hdr, src, path, MT_DEFAULT_FIELDS) != 0) {
		free(st);
		return -1;
	}
	map_header(st);
	*state = st;
	return 0;
}

static void mt_close(void *state)
{
	struct mt_state *st = state;
	if (!st)
		return;
	w3c_csv_close(&st->tl, &st->csv, &st->hdr);
	free(st);
}

static bool get(const struct mt_state *st, int c, const char **p, size_t *n)
{
	if (c < 0 || (size_t)c >= st->cols.count || st->cols.n[c] == 0)
		return false;
	*p = st->cols.p[c];
	*n = st->cols.n[c];
	return true;
}

static pr_status mt_next(void *state, struct event *ev)
{
	struct mt_state *st = state;
	char *line;
	size_t n;
	bool directives, fields;
	if (!w3c_next_record(&st->tl, &st->hdr, ',', &line, &n, &directives, &fields))
		return PR_EOF;
	if (fields) {
		st->noted_fields = true;
		map_header(st);
	}
	uint64_t ln = st->tl.line;
	if (!st->noted_fields) {
		st->noted_fields = true;
		source_note(st->src, "no #Fields header: the Exchange 2013+ message tracking columns are assumed");
	}
	const char *why = "";
	if (!textlog_csv_line(&st->csv, line, n, &st->cols, &why)) {
		source_skip(st->src, ln, "%s", why);
		return PR_SKIP;
	}
	const char *p;
	size_t pn;
	int64_t ns;
	bool zoned;
	if (!get(st, st->c_time, &p, &pn) || !textlog_iso8601(p, pn, &ns, &zoned)) {
		source_skip(st->src, ln, "date-time missing or not ISO 8601");
		return PR_SKIP;
	}
	const char *evid = NULL;
	size_t evn = 0;
	if (!get(st, st->c_event, &evid, &evn)) {
		source_skip(st->src, ln, "no event-id");
		return PR_SKIP;
	}
	if (st->cols.count < st->hdr.ncols)
		w3c_short_line(&st->hdr, st->src, ln, st->cols.count);
	ev->ts_raw = ns;
	ev->ref = ln;
	ev->type = "smtp.tracking";
	struct addr a;
	if (get(st, st->c_cip, &p, &pn) && addr_parse(p, pn, &a))
		ev_addr(ev, "ip.src", &a);
	if (get(st, st->c_sip, &p, &pn) && addr_parse(p, pn, &a))
		ev_addr(ev, "ip.dst", &a);
	for (size_t i = 0; i < MT_NMAP; i++) {
		if (!get(st, st->col[i], &p, &pn))
			continue;
		uint64_t v;
		if (mt_map[i].num && parse_u64(p, pn, INT64_MAX, &v))
			ev_int(ev, mt_map[i].field, (int64_t)v);
		else
			ev_str(ev, mt_map[i].field, p, pn);
	}
	/* "08D6ADC6A3F1B2C4;2019-03-21T08:14:02.311Z;1": the protocol-log session */
	const char *sc;
	size_t scn;
	if (get(st, st->c_src, &p, &pn) && textlog_eq(p, pn, "SMTP") && get(st, st->c_ctx, &sc, &scn) &&
	    scn >= 16) {
		size_t k = 0;
		while (k < scn && isxdigit((unsigned char)sc[k]))
			k++;
		if (k == 16 && (scn == 16 || sc[16] == ';'))
			ev_str(ev, "smtp.session", sc, 16);
	}
	const char *mid = "", *snd = "", *rc = "";
	size_t midn = 0, sndn = 0, rcn = 0;
	get(st, st->c_msgid, &mid, &midn);
	get(st, st->c_sender, &snd, &sndn);
	get(st, st->c_rcpt, &rc, &rcn);
	snprintf(st->msg, sizeof st->msg, "message tracking %.*s %.*s from %.*s to %.*s",
		 (int)(evn > 20 ? 20 : evn), evid, (int)(midn > 100 ? 100 : midn), mid,
		 (int)(sndn > 80 ? 80 : sndn), snd, (int)(rcn > 80 ? 80 : rcn), rc);
	ev->msg = st->msg;
	return PR_EVENT;
}

const struct parser parser_msgtrk = {
	.api_version = PARSER_API_VERSION,
	.name = "msgtrk",
	.summary = "Exchange message tracking logs (MSGTRK*.LOG, CSV, UTC)",
	.sniffs = "#Log-type: Message Tracking Log, or #Fields: date-time,client-ip,client-hostname,server-ip",
	.sniff = mt_sniff,
	.open = mt_open,
	.next_event = mt_next,
	.close = mt_close,
};
