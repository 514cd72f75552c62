/*
 * parsers/checkpoint.c - Check Point FireWall-1 / VPN-1 log exports:
 *  - `fwm logexport` / SmartView Tracker / SmartLog CSV: a header row naming
 *    the columns (`;` or `,` separated; quoting by libcsv), one record a line;
 *    columns are found by name through a synonym table, in any order;
 *  - `fw log` text (also forwarded by syslog):
 *      [prefix] D[D]MonYYYY HH:MM:SS action origin {>|<}interface key: value; key: value; ...
 * Each record becomes fw.accept / fw.drop (drop, reject) / fw.info (other
 * actions) with fw.action, fw.rule, fw.interface, fw.direction, fw.reason
 * (the "TCP packet out of state" text such as "First packet isn't SYN", else
 * message_info), tcp.flags.* from tcp_flags (PUSH-ACK) or th_flags (hex),
 * NAT columns as nat.*, and the flow 5-tuple when src/dst/proto are addresses.
 * Does not: resolve object names (exports made without -n give names, kept
 * as checkpoint.src / checkpoint.dst without a flow), read binary fw.log files
 * or the R80 Log Exporter key=value form.
 * Spec: ../shared/formats/firewall-logs.md (b); Check Point `fwm logexport`
 * and `fw log` CLI guides. Times are the management server's local time:
 * --tz, else read as UTC (noted).
 */
#include "../correlator/core/parser.h"
#include "lines.h"
#include "syslog_hdr.h"
#include "../correlator/core/util.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum role {
	R_NONE, R_NUM, R_DATE, R_TIME, R_ORIG, R_ACTION, R_IFNAME, R_IFDIR, R_RULE, R_RULE_NAME,
	R_SRC, R_DST, R_PROTO, R_SERVICE, R_SPORT, R_SERVICE_ID, R_MSGINFO, R_OOS, R_TCPFLAGS,
	R_THFLAGS, R_ICMP_TYPE, R_ICMP_CODE, R_XSRC, R_XDST, R_XSPORT, R_XDPORT, R_PRODUCT,
	R_COUNT
};

static const struct { const char *name; enum role role; } synonyms[] = {
	{ "num", R_NUM }, { "date", R_DATE }, { "time", R_TIME }, { "orig", R_ORIG },
	{ "origin", R_ORIG }, { "action", R_ACTION }, { "i/f_name", R_IFNAME },
	{ "interface", R_IFNAME }, { "i/f_dir", R_IFDIR }, { "interface direction", R_IFDIR },
	{ "direction", R_IFDIR }, { "rule", R_RULE }, { "access rule number", R_RULE },
	{ "rule number", R_RULE }, { "rule_name", R_RULE_NAME }, { "access rule name", R_RULE_NAME },
	{ "src", R_SRC }, { "source", R_SRC }, { "dst", R_DST }, { "destination", R_DST },
	{ "proto", R_PROTO }, { "protocol", R_PROTO }, { "ip protocol", R_PROTO },
	{ "service", R_SERVICE }, { "destination port", R_SERVICE }, { "s_port", R_SPORT },
	{ "source port", R_SPORT }, { "service_id", R_SERVICE_ID }, { "message_info", R_MSGINFO },
	{ "information", R_MSGINFO }, { "tcp packet out of state", R_OOS },
	{ "tcp_flags", R_TCPFLAGS }, { "tcp flags", R_TCPFLAGS }, { "th_flags", R_THFLAGS },
	{ "icmp type", R_ICMP_TYPE }, { "icmp-type", R_ICMP_TYPE }, { "icmp code", R_ICMP_CODE },
	{ "icmp-code", R_ICMP_CODE }, { "xlatesrc", R_XSRC }, { "xlatedst", R_XDST },
	{ "xlatesport", R_XSPORT }, { "xlatedport", R_XDPORT }, { "product", R_PRODUCT },
	{ "blade", R_PRODUCT }, { NULL, R_NONE },
};

#define CP_MAX_COLS 256

struct cpf { const char *p; size_t n; };

struct cp_state {
	struct source *src;
	struct lines lines;
	bool csv;
	char delim;
	struct csv_parser csvp;
	enum role col_role[CP_MAX_COLS];
	size_t ncols;
	/* the record being read */
	char *store;          /* copies of the fields, max_line bytes */
	size_t store_cap, store_len;
	size_t nfield;
	bool overflow;
	struct cpf role[R_COUNT];
	bool noted_local;
	char action[16];      /* lower-cased action: fields borrow it */
	char msgbuf[512];
};

static enum role role_of(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '"'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '"'))
		n--;
	for (size_t i = 0; synonyms[i].name; i++)
		if (strlen(synonyms[i].name) == n && !strncasecmp(synonyms[i].name, p, n))
			return synonyms[i].role;
	return R_NONE;
}

/* "17Jan2016" / " 3Sep2007" / "3Sep2007": y, m, d; false otherwise. */
static bool cp_date(const char *p, size_t n, int *y, int *m, int *d)
{
	while (n && *p == ' ')
		p++, n--;
	if (n < 8 || n > 9)
		return false;
	size_t k = n == 9 ? 2 : 1;
	uint64_t v;
	if (!parse_u64(p, k, 31, &v) || v == 0)
		return false;
	*d = (int)v;
	*m = syslog_month(p + k);
	if (!*m || !parse_u64(p + k + 3, 4, 9999, &v))
		return false;
	*y = (int)v;
	return true;
}

static bool cp_clock(const char *p, size_t n, int *h, int *mi, int *s)
{
	uint64_t a, b, c;
	if (n != 8 || p[2] != ':' || p[5] != ':' || !parse_u64(p, 2, 23, &a) ||
	    !parse_u64(p + 3, 2, 59, &b) || !parse_u64(p + 6, 2, 60, &c))
		return false;
	*h = (int)a;
	*mi = (int)b;
	*s = (int)c;
	return true;
}

/* Header-row test: a line naming an action column and a source or origin column. */
static bool header_row(const char *p, size_t n, char *delim)
{
	size_t semi = 0, comma = 0;
	for (size_t i = 0; i < n; i++) {
		semi += p[i] == ';';
		comma += p[i] == ',';
	}
	char d = semi >= comma ? ';' : ',';
	if ((d == ';' ? semi : comma) < 3)
		return false;
	bool action = false, srcs = false;
	size_t s = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == d) {
			enum role r = role_of(p + s, i - s);
			action |= r == R_ACTION;
			srcs |= r == R_SRC || r == R_ORIG;
			s = i + 1;
		}
	}
	*delim = d;
	return action && srcs;
}

/* fw log text: the first token that is a D[D]MonYYYY date, within the first tokens. */
static long text_start(const char *p, size_t n)
{
	size_t i = 0;
	for (int tok = 0; tok < 8 && i < n; tok++) {
		while (i < n && p[i] == ' ')
			i++;
		size_t s = i;
		while (i < n && p[i] != ' ')
			i++;
		int y, m, d;
		if (cp_date(p + s, i - s, &y, &m, &d))
			return (long)s;
	}
	return -1;
}

static bool text_line(const char *p, size_t n)
{
	return text_start(p, n) >= 0 && (memmem(p, n, "src: ", 5) || memmem(p, n, "rule: ", 6));
}

static int cp_sniff(const uint8_t *head, size_t len)
{
	const char *p = (const char *)head;
	const char *nl = memchr(p, '\n', len);
	size_t n = nl ? (size_t)(nl - p) : len;
	if (n >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf) {
		p += 3;
		n -= 3;
		len -= 3;  /* the scan below walks p[0..len) */
	}
	char d;
	if (header_row(p, n, &d))
		return 90;
	size_t i = 0;
	unsigned lines = 0, hits = 0;
	while (i < len) {
		nl = memchr(p + i, '\n', len - i);
		if (!nl)
			break;
		size_t k = (size_t)(nl - (p + i));
		if (k) {
			lines++;
			hits += text_line(p + i, k);
		}
		i += k + 1;
	}
	return hits && hits * 2 >= lines ? 80 : 0;
}

static void on_field(void *s, size_t len, void *data)
{
	struct cp_state *st = data;
	size_t col = st->nfield++;
	if (col >= CP_MAX_COLS || col >= st->ncols)
		return;
	if (st->store_len + len > st->store_cap) {
		st->overflow = true;
		return;
	}
	memcpy(st->store + st->store_len, s, len);
	enum role r = st->col_role[col];
	if (r != R_NONE && !st->role[r].n) {
		st->role[r].p = st->store + st->store_len;
		st->role[r].n = len;
	}
	st->store_len += len;
}

static void on_record(int c, void *data)
{
	(void)c;
	(void)data;
}

static int cp_open(struct source *src, const char *path, void **state)
{
	src->ts_resolution = NS_PER_SEC;  /* its times are whole seconds */
	struct cp_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	if (lines_open(&st->lines, path, src->limits ? src->limits->max_line : 0) != 0) {
		source_error(src, "%s: cannot open: %s", path, strerror(errno));
		free(st);
		return -1;
	}
	st->store_cap = st->lines.max_line;
	st->store = xmalloc(st->store_cap + 1);
	*state = st;
	return 0;
}

static void reset_record(struct cp_state *st)
{
	st->store_len = 0;
	st->nfield = 0;
	st->overflow = false;
	memset(st->role, 0, sizeof st->role);
}

/* Read the header row into col_role. */
static void take_header(struct cp_state *st, const char *p, size_t n)
{
	st->csv = true;
	st->ncols = 0;
	size_t s = 0;
	for (size_t i = 0; i <= n && st->ncols < CP_MAX_COLS; i++) {
		if (i == n || p[i] == st->delim) {
			st->col_role[st->ncols++] = role_of(p + s, i - s);
			s = i + 1;
		}
	}
	csv_init(&st->csvp, 0);
	csv_set_delim(&st->csvp, (unsigned char)st->delim);
}

/* "key: value; key: value; ..." pairs of fw log text into roles. */
static void text_pairs(struct cp_state *st, const char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && p[i] == ' ')
			i++;
		const char *semi = memchr(p + i, ';', n - i);
		size_t e = semi ? (size_t)(semi - p) : n;
		const char *colon = memmem(p + i, e - i, ": ", 2);
		if (colon) {
			enum role r = role_of(p + i, (size_t)(colon - (p + i)));
			const char *v = colon + 2;
			size_t vn = (size_t)(p + e - v);
			if (r != R_NONE && !st->role[r].n) {
				st->role[r].p = v;
				st->role[r].n = vn;
			}
		}
		i = e + 1;
	}
}

static unsigned tcp_flags_text(const char *p, size_t n)
{
	unsigned bits = 0;
	size_t s = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == '-' || p[i] == ' ' || p[i] == ',' || p[i] == '|') {
			bits |= syslog_tcp_flag(p + s, i - s);
			s = i + 1;
		}
	}
	return bits;
}

static bool has(const struct cpf *f)
{
	return f->n > 0;
}

/* One record (roles filled) into ev. */
static pr_status emit(struct cp_state *st, struct event *ev)
{
	struct cpf *r = st->role;
	int y, mo, d, h, mi, s;
	const char *tp = r[R_TIME].p;
	size_t tn = r[R_TIME].n;
	bool date_ok;
	if (has(&r[R_DATE])) {
		date_ok = cp_date(r[R_DATE].p, r[R_DATE].n, &y, &mo, &d);
	} else if (tn > 9) { /* "17Jan2016 20:05:41" in one column */
		const char *sp = memchr(tp, ' ', tn);
		date_ok = sp && cp_date(tp, (size_t)(sp - tp), &y, &mo, &d);
		if (date_ok) {
			tn -= (size_t)(sp + 1 - tp);
			tp = sp + 1;
		}
	} else {
		date_ok = false;
	}
	int64_t sec;
	if (!date_ok || !cp_clock(tp, tn, &h, &mi, &s) || !utc_seconds(y, mo, d, h, mi, s, &sec)) {
		source_skip(st->src, ev->ref, "checkpoint: no valid date and time");
		return PR_SKIP;
	}
	if (!st->noted_local) {
		st->noted_local = true;
		if (st->src->tz_given)
			source_note(st->src, "checkpoint: local times read in zone %s", st->src->tz.name);
		else
			source_note(st->src, "checkpoint: times are the management server's local time: read as UTC (give --tz %s=ZONE)",
				    st->src->label);
	}
	ev->ts_raw = syslog_local_to_utc(st->src, sec) * NS_PER_SEC;
	const char *act = r[R_ACTION].p;
	size_t actn = r[R_ACTION].n;
	if (!actn) {
		source_skip(st->src, ev->ref, "checkpoint: record has no action");
		return PR_SKIP;
	}
	char *lower = st->action;
	size_t ln = actn < sizeof st->action ? actn : sizeof st->action - 1;
	for (size_t i = 0; i < ln; i++)
		lower[i] = (char)(act[i] >= 'A' && act[i] <= 'Z' ? act[i] + 32 : act[i]);
	lower[ln] = '\0';
	bool drop = !strcmp(lower, "drop") || !strcmp(lower, "reject") || !strcmp(lower, "block");
	bool accept = !strcmp(lower, "accept") || !strcmp(lower, "allow");
	ev->type = drop ? "fw.drop" : accept ? "fw.accept" : "fw.info";
	ev_str(ev, "fw.action", lower, ln);
	if (has(&r[R_RULE]))
		ev_str(ev, "fw.rule", r[R_RULE].p, r[R_RULE].n);
	if (has(&r[R_RULE_NAME]))
		ev_str(ev, "checkpoint.rule_name", r[R_RULE_NAME].p, r[R_RULE_NAME].n);
	if (has(&r[R_IFNAME]))
		ev_str(ev, "fw.interface", r[R_IFNAME].p, r[R_IFNAME].n);
	if (has(&r[R_IFDIR]))
		ev_str(ev, "fw.direction", r[R_IFDIR].p, r[R_IFDIR].n);
	if (has(&r[R_ORIG]))
		ev_str(ev, "checkpoint.origin", r[R_ORIG].p, r[R_ORIG].n);
	if (has(&r[R_PRODUCT]))
		ev_str(ev, "checkpoint.product", r[R_PRODUCT].p, r[R_PRODUCT].n);
	if (has(&r[R_SERVICE_ID]))
		ev_str(ev, "checkpoint.service_id", r[R_SERVICE_ID].p, r[R_SERVICE_ID].n);
	if (has(&r[R_OOS]))
		ev_str(ev, "fw.reason", r[R_OOS].p, r[R_OOS].n);
	else if (has(&r[R_MSGINFO]))
		ev_str(ev, "fw.reason", r[R_MSGINFO].p, r[R_MSGINFO].n);
	if (has(&r[R_MSGINFO]))
		ev_str(ev, "checkpoint.message_info", r[R_MSGINFO].p, r[R_MSGINFO].n);
	if (has(&r[R_OOS]))
		ev_str(ev, "checkpoint.tcp_out_of_state", r[R_OOS].p, r[R_OOS].n);

	struct addr sa, da;
	uint64_t sport = 0, dport = 0, v;
	int proto = has(&r[R_PROTO]) ? syslog_ip_proto(r[R_PROTO].p, r[R_PROTO].n) : -1;
	bool sa_ok = has(&r[R_SRC]) && addr_parse(r[R_SRC].p, r[R_SRC].n, &sa);
	bool da_ok = has(&r[R_DST]) && addr_parse(r[R_DST].p, r[R_DST].n, &da);
	if (has(&r[R_SRC]) && !sa_ok)
		ev_str(ev, "checkpoint.src", r[R_SRC].p, r[R_SRC].n);
	if (has(&r[R_DST]) && !da_ok)
		ev_str(ev, "checkpoint.dst", r[R_DST].p, r[R_DST].n);
	if (has(&r[R_SPORT]) && !parse_u64(r[R_SPORT].p, r[R_SPORT].n, 65535, &sport))
		sport = 0;
	if (has(&r[R_SERVICE]) && !parse_u64(r[R_SERVICE].p, r[R_SERVICE].n, 65535, &dport)) {
		dport = 0;
		ev_str(ev, "checkpoint.service", r[R_SERVICE].p, r[R_SERVICE].n);
	}
	if (sa_ok && da_ok && proto >= 0)
		syslog_ev_flow(ev, &sa, (uint16_t)sport, &da, (uint16_t)dport, (uint8_t)proto);
	unsigned flags = 0;
	bool have_flags = false;
	if (has(&r[R_TCPFLAGS])) {
		flags = tcp_flags_text(r[R_TCPFLAGS].p, r[R_TCPFLAGS].n);
		have_flags = true;
	} else if (has(&r[R_THFLAGS])) {
		uint64_t hx = 0;
		const char *fp = r[R_THFLAGS].p;
		size_t fn = r[R_THFLAGS].n;
		if (fn > 2 && fp[0] == '0' && (fp[1] == 'x' || fp[1] == 'X'))
			fp += 2, fn -= 2;
		for (size_t i = 0; i < fn && hx <= 0xff; i++) {
			char c = fp[i];
			int dgt = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
			if (dgt < 0) {
				hx = 0x100;
				break;
			}
			hx = hx * 16 + (uint64_t)dgt;
		}
		if (hx <= 0xff) {
			flags = (unsigned)hx;
			have_flags = true;
		}
	}
	if (have_flags && (proto == 6 || proto < 0))
		syslog_ev_tcp_flags(ev, flags);
	if (has(&r[R_ICMP_TYPE]) && parse_u64(r[R_ICMP_TYPE].p, r[R_ICMP_TYPE].n, 255, &v))
		ev_int(ev, "icmp.type", (int64_t)v);
	if (has(&r[R_ICMP_CODE]) && parse_u64(r[R_ICMP_CODE].p, r[R_ICMP_CODE].n, 255, &v))
		ev_int(ev, "icmp.code", (int64_t)v);
	struct addr xa;
	if (has(&r[R_XSRC]) && addr_parse(r[R_XSRC].p, r[R_XSRC].n, &xa)) {
		if (sa_ok)
			ev_addr(ev, "nat.real_ip", &sa), ev_int(ev, "nat.real_port", (int64_t)sport);
		ev_addr(ev, "nat.mapped_ip", &xa);
		if (has(&r[R_XSPORT]) && parse_u64(r[R_XSPORT].p, r[R_XSPORT].n, 65535, &v))
			ev_int(ev, "nat.mapped_port", (int64_t)v);
	}
	if (has(&r[R_XDST]) && addr_parse(r[R_XDST].p, r[R_XDST].n, &xa)) {
		ev_addr(ev, "nat.xlatedst", &xa);
		if (has(&r[R_XDPORT]) && parse_u64(r[R_XDPORT].p, r[R_XDPORT].n, 65535, &v))
			ev_int(ev, "nat.xlatedport", (int64_t)v);
	}
	char a[64] = "?", b[64] = "?";
	if (sa_ok)
		addr_format(&sa, a, sizeof a);
	if (da_ok)
		addr_format(&da, b, sizeof b);
	const struct cpf *why = has(&r[R_OOS]) ? &r[R_OOS] : &r[R_MSGINFO];
	snprintf(st->msgbuf, sizeof st->msgbuf, "%s %.*s %s:%u -> %s:%u rule %.*s%s%.*s", lower,
		 (int)r[R_PROTO].n, r[R_PROTO].p ? r[R_PROTO].p : "", a, (unsigned)sport, b, (unsigned)dport,
		 (int)r[R_RULE].n, r[R_RULE].p ? r[R_RULE].p : "", why->n ? ": " : "", (int)why->n,
		 why->p ? why->p : "");
	ev->msg = st->msgbuf;
	return PR_EVENT;
}

/* fw log text line: [prefix] DATE TIME ACTION ORIGIN {>|<}IF pairs */
static pr_status text_record(struct cp_state *st, struct event *ev, const char *p, size_t n)
{
	long at = text_start(p, n);
	if (at < 0) {
		source_skip(st->src, ev->ref, "checkpoint: no D[D]MonYYYY date in the line");
		return PR_SKIP;
	}
	const char *tokp[5];
	size_t tokn[5], i = (size_t)at;
	for (int k = 0; k < 5; k++) {
		while (i < n && p[i] == ' ')
			i++;
		size_t s = i;
		while (i < n && p[i] != ' ')
			i++;
		tokp[k] = p + s;
		tokn[k] = i - s;
		if (!tokn[k]) {
			source_skip(st->src, ev->ref, "checkpoint: line ends before the interface");
			return PR_SKIP;
		}
	}
	st->role[R_DATE] = (struct cpf){ tokp[0], tokn[0] };
	st->role[R_TIME] = (struct cpf){ tokp[1], tokn[1] };
	st->role[R_ACTION] = (struct cpf){ tokp[2], tokn[2] };
	st->role[R_ORIG] = (struct cpf){ tokp[3], tokn[3] };
	if (tokp[4][0] == '>' || tokp[4][0] == '<') {
		st->role[R_IFDIR] = (struct cpf){ tokp[4][0] == '>' ? "inbound" : "outbound", tokp[4][0] == '>' ? 7 : 8 };
		st->role[R_IFNAME] = (struct cpf){ tokp[4] + 1, tokn[4] - 1 };
	} else {
		i = (size_t)(tokp[4] - p); /* no interface: pairs start here */
	}
	text_pairs(st, p + i, n - i);
	return emit(st, ev);
}

static pr_status cp_next(void *state, struct event *ev)
{
	struct cp_state *st = state;
	for (;;) {
		const char *p;
		size_t n;
		enum lines_status ls = lines_next(&st->lines, &p, &n);
		st->src->bytes_cur = st->lines.offset;
		ev->ref = st->lines.lineno;
		switch (ls) {
		case LINES_EOF:
			return PR_EOF;
		case LINES_ERROR:
			source_error(st->src, "%s: read error: %s", source_cur_path(st->src), strerror(errno));
			return PR_FATAL;
		case LINES_TOO_LONG:
			source_skip(st->src, ev->ref, "line longer than %zu bytes (--max-line)", st->lines.max_line);
			return PR_SKIP;
		case LINES_NUL:
			source_skip(st->src, ev->ref, "line holds NUL bytes");
			return PR_SKIP;
		case LINES_OK:
			break;
		}
		if (n == 0)
			continue;
		reset_record(st);
		if (st->lines.lineno == 1 || (!st->csv && st->lines.lineno < 50 && !text_line(p, n))) {
			char d;
			if (!st->csv && header_row(p, n, &d)) {
				st->delim = d;
				take_header(st, p, n);
				continue;
			}
		}
		if (!st->csv)
			return text_record(st, ev, p, n);
		csv_parse(&st->csvp, p, n, on_field, on_record, st);
		csv_fini(&st->csvp, on_field, on_record, st);
		if (st->overflow) {
			source_skip(st->src, ev->ref, "checkpoint: record larger than --max-line");
			return PR_SKIP;
		}
		if (st->nfield != st->ncols) {
			source_skip(st->src, ev->ref, "checkpoint: %zu fields, the header names %zu", st->nfield,
				    st->ncols);
			return PR_SKIP;
		}
		return emit(st, ev);
	}
}

static void cp_close(void *state)
{
	struct cp_state *st = state;
	if (!st)
		return;
	if (st->csv)
		csv_free(&st->csvp);
	lines_close(&st->lines);
	free(st->store);
	free(st);
}

const struct parser parser_checkpoint = {
	.api_version = PARSER_API_VERSION,
	.name = "checkpoint",
	.summary = "Check Point fwm logexport / SmartView / SmartLog CSV and `fw log` text",
	.sniffs = "a header row with action and src/orig columns; or lines 'DMonYYYY hh:mm:ss action orig >if key: value;'",
	.sniff = cp_sniff,
	.open = cp_open,
	.next_event = cp_next,
	.close = cp_close,
};
