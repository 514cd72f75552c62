/*
 * parsers/nmtext.c - Microsoft Network Monitor 3.x "Frame Summary" text: the
 * grid copied out of the GUI (TAB separated), or that copy saved from Excel
 * as CSV (',' or ';' separated, "..." quoting; read through libcsv).
 *
 *   Frame Number<TAB>Time Date Local Adjusted<TAB>Time Offset<TAB>Process Name<TAB>
 *     Source<TAB>Destination<TAB>Protocol Name<TAB>Description<TAB>Conv Id
 *   4<TAB>3:32:53 PM 6/29/2016<TAB>16.1256945<TAB>chrome.exe<TAB>192.168.1.10<TAB>
 *     192.168.1.20<TAB>TCP<TAB>TCP:[SynReTransmit #1]Flags=CE....S., SrcPort=59897,
 *     DstPort=HTTP Alternate(8080), PayloadLen=0, Seq=2144566297, Ack=0, Win=8192 ...
 *
 * Columns by the "Frame Number" header (any order); without one the default
 * column order is assumed (noted). One event per row, ref = Frame Number (else
 * the line). A TCP description becomes a tcp event with tcp.flags.* (the
 * 8-character C E U A P R S F field), ports (the number in "Name(port)"),
 * tcp.len (PayloadLen), tcp.seq, tcp.ack, tcp.window_size_value and
 * tcp.window_size (the scaled value after "="), netmon.analysis for a
 * "[SynReTransmit #1]" prefix; a UDP description a udp event; anything else a
 * frame event with netmon.protocol and netmon.description.
 * Time: the "Time Date" column is the viewer's local wall clock to the second
 * (h:mm:ss AM/PM M/D/YYYY, or 24 h with D.M.YYYY or YYYY-MM-DD); --tz applies,
 * else read as UTC and noted. With a Time Offset column, every frame's time is
 * the first frame's wall clock minus its offset plus the frame's own offset,
 * so frames keep their 100 ns spacing.
 * Does not: read NetMon's binary .cap (parsers/netmon.c), decode other
 * protocols' descriptions, or resolve names written in place of addresses.
 * Spec: ../shared/formats/capture-exports.md section 2.
 */
#include "../correlator/core/parser.h"
#include "textlog.h"
#include "../correlator/core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N_NUM, N_TIME, N_OFFSET, N_PROC, N_SRC, N_DST, N_PROTO, N_DESC, N_CONV, N_N };
static const char *const n_names[N_N] = {
	"Frame Number", "Time Date Local Adjusted", "Time Offset", "Process Name", "Source",
	"Destination", "Protocol Name", "Description", "Conv Id",
};

struct nm_state {
	struct source *src;
	struct textlog tl;
	struct textlog_csv csv;
	struct cols cols;
	int col[N_N];
	size_t ncols;
	bool started, csv_ready, noted_tz;
	bool have_base;
	int64_t base;            /* first frame wall clock - its offset, ns */
	struct textlog_tzcache tzc;
	char analysis[64];
	char msg[200];
};

static bool is_header(const char *l, size_t n)
{
	return n > 12 && starts_with_ci(l, "Frame Number") && memmem(l, n, "Description", 11);
}

static char header_sep(const char *l, size_t n)
{
	if (memchr(l, '\t', n))
		return '\t';
	return n > 12 && (l[12] == ';' || l[12] == ',') ? l[12] : '\t';
}

/* A Frame Summary of ETW events only ("Microsoft_Windows_TCPIP" protocol rows,
 * no packet descriptions) belongs to the ETW reader (parsers/etw_csv.c). */
static bool etw_only(const uint8_t *h, size_t len, size_t s, size_t n)
{
	unsigned etw = 0, pkt = 0;
	while (textlog_head_next(h, len, &s, &n)) {
		const char *l = (const char *)h + s;
		etw += memmem(l, n, "Microsoft_Windows_", 18) || memmem(l, n, "Microsoft-Windows-", 18);
		pkt += memmem(l, n, "Flags=", 6) || memmem(l, n, "SrcPort", 7) || memmem(l, n, "{TCP:", 5) ||
		       memmem(l, n, "{UDP:", 5);
	}
	return etw && !pkt;
}

static int nm_sniff(const uint8_t *h, size_t len)
{
	size_t s, n;
	if (!textlog_head_line(h, len, &s, &n))
		return 0;
	const char *l = (const char *)h + s;
	if (is_header(l, n))
		return etw_only(h, len, s, n) ? 40 : 100;
	/* header-less TAB copy: "<number>\t...\tTCP:Flags=" */
	size_t k = 0;
	while (k < n && isdigit((unsigned char)l[k]))
		k++;
	if (k && k < n && l[k] == '\t' && (memmem(l, n, "\tTCP:", 5) || memmem(l, n, "{TCP:", 5)))
		return 50;
	return 0;
}

static int nm_open(struct source *src, const char *path, void **state)
{
	src->ts_resolution = NS_PER_SEC;  /* its times are whole seconds */
	struct nm_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	if (textlog_open(&st->tl, src, path) != 0) {
		free(st);
		return -1;
	}
	for (int i = 0; i < N_N; i++)
		st->col[i] = i;
	st->ncols = N_N;
	*state = st;
	return 0;
}

static void nm_close(void *state)
{
	struct nm_state *st = state;
	if (!st)
		return;
	textlog_close(&st->tl);
	if (st->csv_ready)
		textlog_csv_free(&st->csv);
	free(st);
}

static bool setup_csv(struct nm_state *st, char sep)
{
	/* the TAB copy is not quoted: a '"' starting a description is text */
	if (textlog_csv_init(&st->csv, sep, sep == '\t' ? '\0' : '"', false) != 0)
		return false;
	st->csv_ready = true;
	return true;
}

static void map_header(struct nm_state *st)
{
	for (int i = 0; i < N_N; i++)
		st->col[i] = -1;
	for (size_t c = 0; c < st->cols.count; c++) {
		const char *p = st->cols.p[c];
		size_t n = st->cols.n[c];
		for (int i = 0; i < N_N; i++)
			if (textlog_eq(p, n, n_names[i]) && st->col[i] < 0)
				st->col[i] = (int)c;
		/* "Time Date Local Adjusted", "Time Of Day", "Time Date" */
		if (st->col[N_TIME] < 0 && n >= 9 && starts_with_ci(p, "Time ") && !textlog_eq(p, n, "Time Offset") &&
		    !starts_with_ci(p, "Time Delta"))
			st->col[N_TIME] = (int)c;
	}
	st->ncols = st->cols.count;
}

static bool get(const struct nm_state *st, int c, const char **p, size_t *n)
{
	return cols_get(&st->cols, st->col[c], p, n);
}

static bool num2(const char *s, size_t n, size_t *i, int *out)
{
	int v = 0, k = 0;
	while (*i < n && isdigit((unsigned char)s[*i]) && k < 4) {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	*out = v;
	return k > 0;
}

/* "3:32:37 PM 6/29/2016", "15:32:37 29.06.2016", "2016-06-29 15:32:37" -> wall-clock ns. */
static bool time_first(const char *s, size_t n, int64_t *ns);

/* "3/27/2025 4:12:19.9310024 PM" (date first): reorder to time first. */
static bool wall_clock(const char *s, size_t n, int64_t *ns)
{
	const char *sp = memchr(s, ' ', n);
	if (sp && (memchr(s, '/', (size_t)(sp - s)) || memchr(s, '.', (size_t)(sp - s))) && n < 64) {
		char tmp[64];
		size_t dn = (size_t)(sp - s), tn = n - dn - 1;
		memcpy(tmp, sp + 1, tn);
		tmp[tn] = ' ';
		memcpy(tmp + tn + 1, s, dn);
		return time_first(tmp, n, ns);
	}
	return time_first(s, n, ns);
}

static bool time_first(const char *s, size_t n, int64_t *ns)
{
	int64_t days, sec, frac = 0;
	if (n >= 19 && s[4] == '-' && textlog_date(s, 10, &days) && textlog_time(s + 11, n - 11, &sec, &frac)) {
		*ns = (days * 86400 + sec) * NS_PER_SEC + frac;
		return true;
	}
	size_t i = 0;
	int h, m, x, a, b, y;
	if (!num2(s, n, &i, &h) || i >= n || s[i++] != ':' || !num2(s, n, &i, &m) || i >= n || s[i++] != ':' ||
	    !num2(s, n, &i, &x))
		return false;
	if (i < n && s[i] == '.') {
		size_t f = ++i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		uint64_t v;
		if (i > f && i - f <= 9 && parse_u64(s + f, i - f, 999999999, &v)) {
			frac = (int64_t)v;
			for (size_t k = i - f; k < 9; k++)
				frac *= 10;
		}
	}
	while (i < n && s[i] == ' ')
		i++;
	if (i + 1 < n && (s[i] == 'A' || s[i] == 'P' || s[i] == 'a' || s[i] == 'p') && (s[i + 1] == 'M' || s[i + 1] == 'm')) {
		bool pm = s[i] == 'P' || s[i] == 'p';
		if (h < 1 || h > 12)
			return false;
		h = h % 12 + (pm ? 12 : 0);
		i += 2;
		while (i < n && s[i] == ' ')
			i++;
	}
	if (!num2(s, n, &i, &a) || i >= n)
		return false;
	char dsep = s[i++];
	if ((dsep != '/' && dsep != '.') || !num2(s, n, &i, &b) || i >= n || s[i++] != dsep || !num2(s, n, &i, &y))
		return false;
	int mo = dsep == '/' ? a : b, d = dsep == '/' ? b : a;
	if (h > 23 || m > 59 || x > 60 || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970 || y > UTIL_YEAR_MAX)
		return false;
	*ns = (days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + m * 60 + x) * NS_PER_SEC + frac;
	return true;
}

/* "16.1256945" -> ns */
static bool offset_ns(const char *s, size_t n, int64_t *ns)
{
	return textlog_epoch(s, n, ns);
}

/* Value after "key" and optional " = " / "=", up to ',' (or end). */
static bool kv(const char *d, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t kl = strlen(key);
	const char *p = memmem(d, n, key, kl);
	if (!p)
		return false;
	const char *e = d + n;
	p += kl;
	while (p < e && *p == ' ')
		p++;
	if (p >= e || *p != '=')
		return false;
	p++;
	while (p < e && *p == ' ')
		p++;
	const char *c = memchr(p, ',', (size_t)(e - p));
	*v = p;
	*vn = (size_t)((c ? c : e) - p);
	while (*vn && p[*vn - 1] == ' ')
		(*vn)--;
	return true;
}

/* The leading number of v ("2144566297 - 2144566300", "8192 ( Negotiating ... ) = 8192"). */
static bool lead_num(const char *v, size_t n, uint64_t max, uint64_t *out)
{
	size_t k = 0;
	while (k < n && isdigit((unsigned char)v[k]))
		k++;
	return k && parse_u64(v, k, max, out);
}

/* "HTTP Alternate(8080)" or "59897". */
static bool port(const char *v, size_t n, uint64_t *out)
{
	const char *lp = memrchr(v, '(', n);
	if (lp && n && v[n - 1] == ')')
		return parse_u64(lp + 1, (size_t)(v + n - 1 - lp - 1), 65535, out);
	return parse_u64(v, n, 65535, out);
}

static const char *const flag_names = "CEUAPRSF";

/* TCP:[...]Flags=...A..S., SrcPort=..., ... -> fields; false if not TCP. */
static bool tcp_desc(struct nm_state *st, struct event *ev, const char *d, size_t n, uint64_t *sp, uint64_t *dp)
{
	const char *t = memmem(d, n, "TCP:", 4);
	if (!t)
		return false;
	size_t rest = n - (size_t)(t - d);
	const char *fl = memmem(t, rest, "Flags=", 6);
	if (!fl || (size_t)(d + n - fl) < 14)
		return false;
	const char *lb = memchr(t, '[', (size_t)(fl - t));
	if (lb) {
		const char *rb = memchr(lb, ']', (size_t)(fl - lb));
		if (rb) {
			size_t an = (size_t)(rb - lb - 1);
			if (an >= sizeof st->analysis)
				an = sizeof st->analysis - 1;
			memcpy(st->analysis, lb + 1, an);
			st->analysis[an] = '\0';
			ev_cstr(ev, "netmon.analysis", st->analysis);
		}
	}
	unsigned flags = 0;
	for (int i = 0; i < 8; i++) {
		char c = fl[6 + i];
		if (c == flag_names[i])
			flags |= 0x80u >> i;
		else if (c != '.')
			return false;
	}
	const char *v;
	size_t vn;
	if (!kv(t, rest, "SrcPort", &v, &vn) || !port(v, vn, sp) || !kv(t, rest, "DstPort", &v, &vn) ||
	    !port(v, vn, dp))
		return false;
	ev_int(ev, "tcp.flags", flags);
	ev_bool(ev, "tcp.flags.syn", flags & 0x02);
	ev_bool(ev, "tcp.flags.ack", flags & 0x10);
	ev_bool(ev, "tcp.flags.fin", flags & 0x01);
	ev_bool(ev, "tcp.flags.reset", flags & 0x04);
	ev_bool(ev, "tcp.flags.push", flags & 0x08);
	ev_bool(ev, "tcp.flags.ecn", flags & 0x40);
	ev_bool(ev, "tcp.flags.cwr", flags & 0x80);
	uint64_t x;
	if (kv(t, rest, "PayloadLen", &v, &vn) && lead_num(v, vn, UINT32_MAX, &x))
		ev_int(ev, "tcp.len", (int64_t)x);
	if (kv(t, rest, "Seq", &v, &vn) && lead_num(v, vn, UINT32_MAX, &x))
		ev_int(ev, "tcp.seq", (int64_t)x);
	if (kv(t, rest, "Ack", &v, &vn) && lead_num(v, vn, UINT32_MAX, &x))
		ev_int(ev, "tcp.ack", (int64_t)x);
	if (kv(t, rest, "Win", &v, &vn) && lead_num(v, vn, 65535, &x)) {
		ev_int(ev, "tcp.window_size_value", (int64_t)x);
		const char *eq = memrchr(v, '=', vn);
		uint64_t scaled;
		if (eq) {
			const char *q = eq + 1;
			while (q < v + vn && *q == ' ')
				q++;
			if (lead_num(q, (size_t)(v + vn - q), UINT32_MAX, &scaled))
				ev_int(ev, "tcp.window_size", (int64_t)scaled);
		}
	}
	return true;
}

static bool udp_desc(struct event *ev, const char *d, size_t n, uint64_t *sp, uint64_t *dp)
{
	const char *u = memmem(d, n, "UDP:", 4);
	if (!u)
		return false;
	size_t rest = n - (size_t)(u - d);
	const char *v;
	size_t vn;
	if (!kv(u, rest, "SrcPort", &v, &vn) || !port(v, vn, sp) || !kv(u, rest, "DstPort", &v, &vn) ||
	    !port(v, vn, dp))
		return false;
	uint64_t x;
	if (kv(u, rest, "Length", &v, &vn) && lead_num(v, vn, 65535, &x))
		ev_int(ev, "udp.length", (int64_t)x);
	return true;
}

static pr_status nm_next(void *state, struct event *ev)
{
	struct nm_state *st = state;
	char *line;
	size_t n;
	for (;;) {
		if (!textlog_next(&st->tl, &line, &n))
			return PR_EOF;
		if (n == 0)
			continue;
		if (!st->started) {
			st->started = true;
			bool hdr = is_header(line, n);
			char sep = hdr ? header_sep(line, n) : '\t';
			if (!setup_csv(st, sep)) {
				source_error(st->src, "cannot set up the CSV reader");
				return PR_FATAL;
			}
			if (hdr) {
				const char *why;
				if (textlog_csv_line(&st->csv, line, n, &st->cols, &why))
					map_header(st);
				continue;
			}
			source_note(st->src, "no Frame Number header: the default Frame Summary columns are assumed");
		}
		break;
	}
	uint64_t ln = st->tl.line;
	const char *why = "";
	if (!textlog_csv_line(&st->csv, line, n, &st->cols, &why)) {
		source_skip(st->src, ln, "%s", why);
		return PR_SKIP;
	}
	const char *p, *q;
	size_t pn, qn;
	uint64_t num;
	if (!get(st, N_NUM, &p, &pn) || !parse_u64(p, pn, UINT64_MAX, &num)) {
		source_skip(st->src, ln, "Frame Number is missing or not a number");
		return PR_SKIP;
	}
	if (st->cols.count < st->ncols && st->cols.count <= (size_t)st->col[N_DESC]) {
		source_skip(st->src, ln, "%zu columns where the header names %zu", st->cols.count, st->ncols);
		return PR_SKIP;
	}
	int64_t wall = 0, off = 0;
	bool hw = get(st, N_TIME, &p, &pn) && wall_clock(p, pn, &wall);
	bool ho = get(st, N_OFFSET, &q, &qn) && offset_ns(q, qn, &off);
	if (hw) {
		int64_t s = textlog_local_to_utc(&st->tzc, st->src, wall / NS_PER_SEC);
		wall = s * NS_PER_SEC + wall % NS_PER_SEC;
		if (!st->noted_tz) {
			st->noted_tz = true;
			if (!st->src->tz_given)
				source_note(st->src, "Network Monitor shows the viewer's local time without a zone; "
						     "read as UTC (use --tz %s=ZONE)", st->src->label);
		}
	}
	if (hw && ho && !st->have_base) {
		st->have_base = true;
		st->base = wall - off;
	}
	if (ho && st->have_base)
		ev->ts_raw = st->base + off;
	else if (hw)
		ev->ts_raw = wall;
	else {
		source_skip(st->src, ln, "no readable time (Time Date / Time Offset)");
		return PR_SKIP;
	}
	ev->ref = num;
	ev->type = "frame";
	if (get(st, N_PROC, &p, &pn))
		ev_str(ev, "netmon.process", p, pn);
	if (get(st, N_PROTO, &p, &pn))
		ev_str(ev, "netmon.protocol", p, pn);
	if (get(st, N_CONV, &p, &pn))
		ev_str(ev, "netmon.conv_id", p, pn);
	struct addr sa, da;
	bool hs = get(st, N_SRC, &p, &pn) && addr_parse(p, pn, &sa);
	if (!hs && get(st, N_SRC, &p, &pn))
		ev_str(ev, "netmon.source", p, pn);
	bool hd = get(st, N_DST, &p, &pn) && addr_parse(p, pn, &da);
	if (!hd && get(st, N_DST, &p, &pn))
		ev_str(ev, "netmon.destination", p, pn);
	const char *d = "";
	size_t dn = 0;
	get(st, N_DESC, &d, &dn);
	uint64_t sp = 0, dp = 0;
	uint8_t proto = 0;
	if (tcp_desc(st, ev, d, dn, &sp, &dp)) {
		ev->type = "tcp";
		proto = 6;
	} else if (udp_desc(ev, d, dn, &sp, &dp)) {
		ev->type = "udp";
		proto = 17;
	} else {
		if (dn)
			ev_str(ev, "netmon.description", d, dn);
		if (hs)
			ev_addr(ev, "ip.src", &sa);
		if (hd)
			ev_addr(ev, "ip.dst", &da);
	}
	if (proto && hs && hd) {
		textlog_set_flow(ev, &sa, (uint16_t)sp, &da, (uint16_t)dp, proto);
	} else if (proto) {
		ev_int(ev, proto == 6 ? "tcp.srcport" : "udp.srcport", (int64_t)sp);
		ev_int(ev, proto == 6 ? "tcp.dstport" : "udp.dstport", (int64_t)dp);
	}
	if (proto) {
		ev->msg = textlog_pkt_msg(ev, NULL, st->msg, sizeof st->msg);
	} else {
		const char *sv = "", *dv = "";
		size_t svn = 0, dvn = 0;
		get(st, N_SRC, &sv, &svn);
		get(st, N_DST, &dv, &dvn);
		if (svn || dvn)
			snprintf(st->msg, sizeof st->msg, "%.*s -> %.*s %.*s", (int)(svn > 60 ? 60 : svn), sv,
				 (int)(dvn > 60 ? 60 : dvn), dv, (int)(dn > 100 ? 100 : dn), d);
		else
			snprintf(st->msg, sizeof st->msg, "%.*s", (int)(dn > 190 ? 190 : dn), d);
		ev->msg = st->msg;
	}
	return PR_EVENT;
}

const struct parser parser_nmtext = {
	.api_version = PARSER_API_VERSION,
	.name = "netmon-text",
	.summary = "Network Monitor 3.x Frame Summary text (TAB copy, or Excel CSV)",
	.sniffs = "a first line \"Frame Number<sep>...Description...\", or numbered TAB rows with TCP: descriptions",
	.sniff = nm_sniff,
	.open = nm_open,
	.next_event = nm_next,
	.close = nm_close,
};
