/*
 * parsers/tmg.c - Microsoft ISA Server 2004/2006 and Forefront TMG 2010 W3C
 * logs: the Firewall service log (FWS) and the Web Proxy log (WEB).
 *
 *   #Software: Microsoft Internet Security and Acceleration Server 2004
 *   #Date: 2006-10-27 00:00:00
 *   #Fields: computer<TAB>date<TAB>time<TAB>IP protocol<TAB>source<TAB>destination<TAB>...
 *   TMG01<TAB>2024-01-07<TAB>08:32:41<TAB>TCP<TAB>192.168.5.68:55412<TAB>10.0.0.25:25<TAB>...
 *
 * Columns come from #Fields (TAB separated; names hold spaces); "-" is empty.
 * The log kind follows from the columns (c-ip/s-svcname = Web Proxy).
 * One event per line, ref = line number. Action by keyword: Denied -> fw.drop,
 * Initiated/Established/Allowed -> fw.accept, Closed/Terminated -> fw.teardown,
 * Failed/Unsuccessful -> fw.fail, Intermediate and the rest -> fw.info.
 * status is decoded through tmg_codes.c to fw.result (symbol),
 * fw.result.code (as logged, hex lower case) and fw.result.meaning.
 * FWS rows carry the flow (source -> destination); WEB rows do not log the
 * client port, so they get ip.src/ip.dst/tcp.dstport fields but no flow.
 * Times: W3C files are UTC; "#Time Format: Local" or --tz makes them local.
 * Does not: read the SQL/MSDE or ".iis" layouts, or decode IP header hex.
 * Spec: ../shared/formats/firewall-logs.md section (a).
 */
#include "../correlator/core/parser.h"
#include "textlog.h"
#include "tmg_codes.h"
#include "../correlator/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum tmg_col {
	C_DATE, C_TIME, C_PROTO, C_SOURCE, C_DEST, C_ORIG_CLIENT, C_SRC_NET, C_DST_NET, C_ACTION,
	C_STATUS, C_RULE, C_APP, C_BYTES_SENT, C_BYTES_RECV, C_CONN_TIME, C_SRC_NAME, C_DST_NAME,
	C_USER, C_AGENT, C_SESSION, C_CONN_ID, C_IFACE, C_COMPUTER,
	/* Web Proxy */
	W_CIP, W_USER, W_AGENT, W_SCOMPUTER, W_RHOST, W_RIP, W_RPORT, W_TIME_TAKEN, W_CSBYTES,
	W_SCBYTES, W_PROTOCOL, W_TRANSPORT, W_OPERATION, W_URI, W_MIME, W_OBJSRC, W_STATUS,
	W_CSNET, W_SCNET, W_ERRINFO,
	C_N
};

static const char *const col_names[C_N] = {
	"date", "time", "IP protocol", "source", "destination", "original client IP",
	"source network", "destination network", "action", "status", "rule",
	"application protocol", "bytes sent", "bytes received", "connection time", "source name",
	"destination name", "username", "agent", "session ID", "connection ID", "interface",
	"computer",
	"c-ip", "cs-username", "c-agent", "s-computername", "r-host", "r-ip", "r-port",
	"time-taken", "cs-bytes", "sc-bytes", "cs-protocol", "cs-transport", "s-operation",
	"cs-uri", "cs-mime-type", "s-object-source", "sc-status", "cs-Network", "sc-Network",
	"error-info",
};

struct tmg_state {
	struct source *src;
	struct textlog tl;
	struct w3c_header hdr;
	int col[C_N];
	bool web;
	bool local_time;
	bool noted;
	struct cols cols;
	struct textlog_tzcache tzc;
	char code[24];
	char msg[400];
};

static int tmg_sniff(const uint8_t *h, size_t len)
{
	if (textlog_head_has_line(h, len, "#Software: Microsoft Internet Security and Acceleration") ||
	    textlog_head_has_line(h, len, "#Software: Microsoft Forefront Threat Management") ||
	    textlog_head_has_line(h, len, "#Software: Microsoft Forefront TMG"))
		return 100;
	size_t s, n;
	for (bool ok = textlog_head_line(h, len, &s, &n); ok; ok = textlog_head_next(h, len, &s, &n)) {
		const char *l = (const char *)h + s;
		if (n < 8 || strncasecmp(l, "#Fields:", 8) != 0 || !memchr(l, '\t', n))
			continue;
		bool act = memmem(l, n, "\taction", 7), fws = memmem(l, n, "\tdestination", 12),
		     web = memmem(l, n, "s-svcname", 9) || memmem(l, n, "r-host", 6);
		if (act && (fws || web))
			return 90;
	}
	return 0;
}

static int tmg_open(struct source *src, const char *path, void **state)
{
	src->ts_resolution = NS_PER_SEC;  /* its times are whole seconds */
	struct tmg_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	if (textlog_open(&st->tl, src, path) != 0) {
		free(st);
		return -1;
	}
	for (int i = 0; i < C_N; i++)
		st->col[i] = -1;
	*state = st;
	return 0;
}

static void tmg_close(void *state)
{
	struct tmg_state *st = state;
	if (!st)
		return;
	textlog_close(&st->tl);
	w3c_free(&st->hdr);
	free(st);
}

static void map_header(struct tmg_state *st)
{
	for (int i = 0; i < C_N; i++)
		st->col[i] = w3c_col(&st->hdr, col_names[i]);
	st->web = st->col[W_CIP] >= 0 || w3c_col(&st->hdr, "s-svcname") >= 0;
	st->local_time = starts_with_ci(st->hdr.time_format, "local");
}

static bool get(const struct tmg_state *st, int c, const char **p, size_t *n)
{
	return cols_get(&st->cols, st->col[c], p, n);
}

static bool has_ci(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);
	for (size_t i = 0; i + w <= n; i++)
		if (strncasecmp(s + i, word, w) == 0)
			return true;
	return false;
}

/* Action text -> event type, by keyword (the text differs between versions). */
static const char *action_type(const char *a, size_t n)
{
	if (has_ci(a, n, "denied") || has_ci(a, n, "drop") || has_ci(a, n, "block"))
		return "fw.drop";
	if (has_ci(a, n, "unsuccessful") || has_ci(a, n, "failed"))
		return "fw.fail";
	if (has_ci(a, n, "closed") || has_ci(a, n, "terminat") || has_ci(a, n, "disconnect"))
		return "fw.teardown";
	if (has_ci(a, n, "initiat") || has_ci(a, n, "establish") || has_ci(a, n, "allowed") ||
	    has_ci(a, n, "successful") || has_ci(a, n, "bind") || has_ci(a, n, "listen"))
		return "fw.accept";
	return "fw.info";
}

/* status: "0xc0040017", "0xC0040017 FWX_E_...", "10061", "0x0". */
static const struct tmg_code *decode_status(struct tmg_state *st, struct event *ev, const char *p, size_t n)
{
	size_t k = 0;
	while (k < n && p[k] != ' ')
		k++;
	uint64_t v;
	if (!parse_u64(p, k, UINT32_MAX, &v)) {
		ev_str(ev, "fw.result", p, n);
		return NULL;
	}
	if (k > 2 && (p[1] == 'x' || p[1] == 'X'))
		snprintf(st->code, sizeof st->code, "0x%llx", (unsigned long long)v);
	else
		snprintf(st->code, sizeof st->code, "%llu", (unsigned long long)v);
	ev_cstr(ev, "fw.result.code", st->code);
	const struct tmg_code *c = tmg_code_find((uint32_t)v);
	if (c) {
		ev_cstr(ev, "fw.result", c->name);
		ev_cstr(ev, "fw.result.meaning", c->meaning);
		if (v != 0)
			ev_cstr(ev, "fw.reason", c->meaning);
	} else {
		ev_str(ev, "fw.result", p, n);
		ev_cstr(ev, "fw.result.meaning", "code not in the ISA/TMG table");
	}
	return c;
}

static void int_field(struct tmg_state *st, struct event *ev, int c, const char *name)
{
	const char *p;
	size_t n;
	uint64_t v;
	if (get(st, c, &p, &n) && parse_u64(p, n, INT64_MAX, &v))
		ev_int(ev, name, (int64_t)v);
}

static void str_field(struct tmg_state *st, struct event *ev, int c, const char *name)
{
	const char *p;
	size_t n;
	if (get(st, c, &p, &n))
		ev_str(ev, name, p, n);
}

static bool endpoint(struct tmg_state *st, int c, struct addr *a, uint16_t *port, bool *has_port, bool *bad)
{
	const char *p;
	size_t n;
	if (!get(st, c, &p, &n))
		return false;
	if (!textlog_endpoint(p, n, a, port, has_port)) {
		*bad = true;
		return false;
	}
	return true;
}

static void fws_fields(struct tmg_state *st, struct event *ev, uint64_t ln, const char *type,
		       const struct tmg_code *code, bool *bad)
{
	const char *p;
	size_t n;
	uint8_t proto = 0;
	bool have_proto = get(st, C_PROTO, &p, &n) && textlog_ip_proto(p, n, &proto);
	if (have_proto || get(st, C_PROTO, &p, &n))
		ev_str(ev, "fw.protocol", p, n);
	struct addr sa, da;
	uint16_t sp = 0, dp = 0;
	bool shp = false, dhp = false;
	bool hs = endpoint(st, C_SOURCE, &sa, &sp, &shp, bad);
	bool hd = endpoint(st, C_DEST, &da, &dp, &dhp, bad);
	if (*bad)
		return;
	if (hs && hd && have_proto) {
		bool icmp = proto == 1 || proto == 58;
		/* for ICMP the "port" is the ICMP type */
		textlog_set_flow(ev, &sa, icmp ? 0 : sp, &da, icmp ? 0 : dp, proto);
		if (icmp && shp)
			ev_int(ev, "icmp.type", sp);
	} else {
		if (hs)
			ev_addr(ev, "ip.src", &sa);
		if (hd)
			ev_addr(ev, "ip.dst", &da);
	}
	struct addr oc;
	if (get(st, C_ORIG_CLIENT, &p, &n) && addr_parse(p, n, &oc))
		ev_addr(ev, "fw.original_client", &oc);
	str_field(st, ev, C_SRC_NET, "fw.src_network");
	str_field(st, ev, C_DST_NET, "fw.dst_network");
	const char *sn, *dn;
	size_t snn, dnn;
	if (get(st, C_SRC_NET, &sn, &snn) && get(st, C_DST_NET, &dn, &dnn)) {
		bool sext = textlog_eq(sn, snn, "External"), dext = textlog_eq(dn, dnn, "External");
		if (sext != dext)
			ev_cstr(ev, "fw.direction", sext ? "in" : "out");
	}
	str_field(st, ev, C_RULE, "fw.rule");
	str_field(st, ev, C_APP, "fw.app_protocol");
	uint64_t bs = 0, br = 0;
	bool hbs = get(st, C_BYTES_SENT, &p, &n) && parse_u64(p, n, INT64_MAX, &bs);
	bool hbr = get(st, C_BYTES_RECV, &p, &n) && parse_u64(p, n, INT64_MAX, &br);
	if (hbs)
		ev_int(ev, "fw.bytes_sent", (int64_t)bs);
	if (hbr)
		ev_int(ev, "fw.bytes_received", (int64_t)br);
	if (hbs || hbr)
		ev_int(ev, "fw.bytes", (int64_t)(bs + br));
	uint64_t ms;
	if (get(st, C_CONN_TIME, &p, &n) && parse_u64(p, n, INT64_MAX / NS_PER_MSEC, &ms))
		ev_dur(ev, "fw.duration", (int64_t)ms * NS_PER_MSEC);
	str_field(st, ev, C_SRC_NAME, "fw.src_name");
	str_field(st, ev, C_DST_NAME, "fw.dst_name");
	str_field(st, ev, C_USER, "fw.user");
	str_field(st, ev, C_AGENT, "fw.agent");
	int_field(st, ev, C_SESSION, "fw.session_id");
	int_field(st, ev, C_CONN_ID, "fw.connection_id");
	str_field(st, ev, C_IFACE, "fw.interface");
	str_field(st, ev, C_COMPUTER, "fw.host");

	char fb[120] = "";
	if (ev->flags & EV_HAS_FLOW)
		flow_format(&ev->flow, fb, sizeof fb);
	const char *act = "";
	size_t an = 0;
	get(st, C_ACTION, &act, &an);
	snprintf(st->msg, sizeof st->msg, "%.*s %s%s%s%s%s", (int)(an > 40 ? 40 : an), act, fb,
		 code && code->code ? " " : "", code && code->code ? code->name : "",
		 code && code->code ? ": " : "", code && code->code ? code->meaning : "");
	ev->msg = st->msg;
	(void)ln;
	(void)type;
}

static void web_fields(struct tmg_state *st, struct event *ev, bool *bad)
{
	const char *p;
	size_t n;
	struct addr c, r;
	bool hc = get(st, W_CIP, &p, &n) && addr_parse(p, n, &c);
	bool hr = get(st, W_RIP, &p, &n) && addr_parse(p, n, &r);
	if (hc)
		ev_addr(ev, "ip.src", &c);
	if (hr)
		ev_addr(ev, "ip.dst", &r);
	uint64_t v;
	if (get(st, W_RPORT, &p, &n)) {
		if (!parse_u64(p, n, 65535, &v)) {
			*bad = true;
			return;
		}
		ev_int(ev, "tcp.dstport", (int64_t)v);
	}
	ev_cstr(ev, "fw.log", "web");
	str_field(st, ev, W_USER, "fw.user");
	str_field(st, ev, W_AGENT, "http.user_agent");
	str_field(st, ev, W_SCOMPUTER, "fw.host");
	str_field(st, ev, W_RHOST, "http.host");
	str_field(st, ev, W_OPERATION, "http.request.method");
	str_field(st, ev, W_URI, "http.request.uri");
	str_field(st, ev, W_MIME, "http.content_type");
	str_field(st, ev, W_PROTOCOL, "fw.app_protocol");
	str_field(st, ev, W_OBJSRC, "fw.object_source");
	str_field(st, ev, C_RULE, "fw.rule");
	str_field(st, ev, W_CSNET, "fw.src_network");
	str_field(st, ev, W_SCNET, "fw.dst_network");
	str_field(st, ev, W_ERRINFO, "fw.error_info");
	int_field(st, ev, W_CSBYTES, "fw.bytes_sent");
	int_field(st, ev, W_SCBYTES, "fw.bytes_received");
	if (get(st, W_TIME_TAKEN, &p, &n) && parse_u64(p, n, INT64_MAX / NS_PER_MSEC, &v))
		ev_dur(ev, "fw.duration", (int64_t)v * NS_PER_MSEC);
	const struct tmg_code *code = NULL;
	if (get(st, W_STATUS, &p, &n) && parse_u64(p, n, UINT32_MAX, &v)) {
		if (v >= 100 && v <= 599)
			ev_int(ev, "http.response.code", (int64_t)v);
		else
			code = decode_status(st, ev, p, n);
	}
	const char *act = "", *uri = "", *op = "";
	size_t an = 0, un = 0, on = 0;
	get(st, C_ACTION, &act, &an);
	get(st, W_URI, &uri, &un);
	get(st, W_OPERATION, &op, &on);
	char cb[48] = "";
	if (hc)
		addr_format(&c, cb, sizeof cb);
	snprintf(st->msg, sizeof st->msg, "Web Proxy %.*s %s %.*s %.*s%s%s", (int)(an > 20 ? 20 : an), act, cb,
		 (int)(on > 16 ? 16 : on), op, (int)(un > 200 ? 200 : un), uri, code ? " " : "",
		 code ? code->name : "");
	ev->msg = st->msg;
}

static pr_status tmg_next(void *state, struct event *ev)
{
	struct tmg_state *st = state;
	char *line;
	size_t n;
	bool directives, fields;
	if (!w3c_next_record(&st->tl, &st->hdr, '\t', &line, &n, &directives, &fields))
		return PR_EOF;
	if (fields)
		map_header(st);
	uint64_t ln = st->tl.line;
	if (!st->hdr.fields_line) {
		source_skip(st->src, ln, "data line before any #Fields: header; columns unknown");
		return PR_SKIP;
	}
	if (!st->noted) {
		st->noted = true;
		if (st->local_time && !st->src->tz_given)
			source_note(st->src, "#Time Format: Local without a zone; read as UTC (use --tz %s=ZONE)",
				    st->src->label);
	}
	cols_split(&st->cols, line, n, '\t');
	const char *p, *t;
	size_t pn, tn;
	int64_t days, sec, frac;
	if (!get(st, C_DATE, &p, &pn) || !textlog_date(p, pn, &days)) {
		source_skip(st->src, ln, "date missing or not yyyy-mm-dd");
		return PR_SKIP;
	}
	if (!get(st, C_TIME, &t, &tn) || !textlog_time(t, tn, &sec, &frac)) {
		source_skip(st->src, ln, "time missing or not hh:mm:ss");
		return PR_SKIP;
	}
	const char *a;
	size_t an;
	if (!get(st, C_ACTION, &a, &an)) {
		source_skip(st->src, ln, "no action");
		return PR_SKIP;
	}
	if (st->cols.count < st->hdr.ncols)
		w3c_short_line(&st->hdr, st->src, ln, st->cols.count);
	int64_t s = days * 86400 + sec;
	if (st->local_time || st->src->tz_given)
		s = textlog_local_to_utc(&st->tzc, st->src, s);
	ev->ts_raw = s * NS_PER_SEC + frac;
	ev->ref = ln;
	ev->type = action_type(a, an);
	ev_str(ev, "fw.action", a, an);
	bool bad = false;
	if (st->web) {
		web_fields(st, ev, &bad);
	} else {
		const struct tmg_code *code = NULL;
		if (get(st, C_STATUS, &p, &pn))
			code = decode_status(st, ev, p, pn);
		fws_fields(st, ev, ln, ev->type, code, &bad);
	}
	if (bad) {
		source_skip(st->src, ln, "an endpoint or port column is not ip:port");
		return PR_SKIP;
	}
	return PR_EVENT;
}

const struct parser parser_tmg = {
	.api_version = PARSER_API_VERSION,
	.name = "tmg",
	.summary = "ISA Server / Forefront TMG W3C firewall (FWS) and web proxy (WEB) logs",
	.sniffs = "#Software: Microsoft Internet Security and Acceleration Server / Forefront TMG, "
		  "or a TAB-separated #Fields: with action and destination",
	.sniff = tmg_sniff,
	.open = tmg_open,
	.next_event = tmg_next,
	.close = tmg_close,
};
